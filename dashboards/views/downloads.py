"""Download: the assessment of the scenario on screen, as a workbook, CSV or JSON."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import streamlit as st

import shared
from exposure import ExposureError, report_download, resolve_org
from exposure.app.server import REPORT_TYPES
from exposure.app.text import plain

# Networks up to this many organizations get their file written as the page opens.
AUTO_PREPARE_ORGS = 50_000

_DESCRIPTIONS = {
    "xlsx": "the dependency assessment workbook (summary, affected organizations, paths with "
    "evidence, programs, remediation, reporting fields, data quality, sources)",
    "csv": "the affected organizations, ranked, with their shortest chain",
    "json": "the machine-readable assessment of SPEC 5.1 (every organization, status, tier, "
    "impact, value at risk, paths)",
}


def _file_name(scenario: str, version: str, suffix: str, org: str | None) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", scenario).strip("-").lower() or "scenario"
    if org:
        stem += "-" + (re.sub(r"[^A-Za-z0-9]+", "-", org).strip("-").lower()[:40])
    return f"exposure-{stem}-{version}.{suffix}"


def _seat(frame: pd.DataFrame) -> tuple[int | None, str | None]:
    """Whose assessment to write: the whole network's, or one company's own (``--for``)."""
    open_org = st.session_state.get("detail_org")
    names = frame.set_index("org_id")["name"]
    suggested = str(names[int(open_org)]) if open_org is not None and int(open_org) in names else ""
    if "seat_name" not in st.session_state:
        st.session_state["seat_name"] = st.session_state.get("kept:seat_name", suggested)
    typed = st.text_input(
        "From the seat of (blank: the whole network)",
        key="seat_name",
        help="One company's own assessment, the file a prime submits: its exposed inputs, "
        "the supply base beneath it, the government contracts it performs that are touched, "
        "and what it must report (as `--for` on the command line). Name, UEI, CAGE or alias.",
    ).strip()
    st.session_state["kept:seat_name"] = typed
    if not typed:
        return None, None
    try:
        org = resolve_org(shared.cursor(), typed)
    except ExposureError as exc:
        st.error(plain(str(exc)))
        st.stop()
    name = str(names[org]) if org in names else typed
    st.caption(f"The assessment from the seat of {plain(name)}.")
    return org, name


def render() -> None:
    if not shared.page_header("Download the assessment"):
        return
    spec = shared.active_spec()
    run, frame = shared.assessment()
    suffix = st.radio(
        "Format",
        list(REPORT_TYPES),
        format_func=lambda s: f".{s}: {_DESCRIPTIONS[s]}",
        key="download_format",
    )
    seat_id, org_name = _seat(frame)
    identified = st.date_input(
        "Exposures identified on",
        value=st.session_state.get("kept:identified") or max(date.today(), spec.effective),
        key="identified_widget",
        format="YYYY-MM-DD",
        help="The reports' due dates count from this date (FAR 52.204-25(d): initial report "
        "within one business day, follow-up within ten). As `--identified` on the command line.",
    )
    if isinstance(identified, date):
        st.session_state["kept:identified"] = identified
    else:
        identified = date.today()
    key = (repr(spec), run.data_version, suffix, org_name, shared.as_of(), identified)
    prepared = st.session_state.get("prepared_download")
    if prepared is None or prepared[0] != key:
        prepared = None
        # Up to a regional network the file is written as the page opens, so the download is
        # one click; at national scale writing takes minutes and waits to be asked for.
        if run.graph.n_orgs <= AUTO_PREPARE_ORGS or st.button(
            "Prepare the file", type="primary", key="prepare"
        ):
            stem = _file_name(spec.name, run.data_version, suffix, org_name).rsplit(".", 1)[0]
            with st.status("Writing the assessment...", expanded=False) as status:
                try:
                    name, data = report_download(
                        shared.cursor(),
                        run,
                        suffix,
                        stem=stem,
                        for_org=seat_id,
                        identified=identified,
                        as_of=shared.as_of(),
                    )
                except ExposureError as exc:
                    status.update(label="The assessment could not be written", state="error")
                    st.error(str(exc))
                    return
                status.update(label=f"Written: {name}", state="complete")
            prepared = (key, name, data)
            st.session_state["prepared_download"] = prepared
    if prepared is not None:
        _, name, data = prepared
        if name.endswith(".zip"):
            st.info(
                "Some tables pass Excel's limit of 1,048,576 rows a sheet: their sheets keep the "
                "first rows, and the whole tables are Parquet files beside the workbook. The "
                "download is a ZIP of the workbook and those files."
            )
        st.download_button(
            f"Download {name} ({len(data):,} bytes)",
            data=data,
            file_name=name,
            mime="application/zip" if name.endswith(".zip") else REPORT_TYPES[suffix],
            type="primary",
            key="download",
            on_click="ignore",
        )


render()
