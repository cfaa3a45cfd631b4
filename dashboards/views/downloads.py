"""Download: the assessment of the scenario on screen, as a workbook, CSV or JSON."""

from __future__ import annotations

import re

import streamlit as st

import shared
from exposure import ExposureError, report_download
from exposure.app.server import REPORT_TYPES

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
    detail_org = st.session_state.get("detail_org")
    org_name = None
    if detail_org is not None and suffix == "json":
        names = frame.set_index("org_id")["name"]
        if int(detail_org) in names.index:
            org_name = str(names[int(detail_org)])
            if not st.checkbox(
                f"Spell out up to three chains for {org_name} (the organization open on the "
                "Organization page)",
                key="download_detail",
            ):
                org_name = None
    key = (repr(spec), run.data_version, suffix, org_name, shared.as_of())
    prepared = st.session_state.get("prepared_download")
    if prepared is None or prepared[0] != key:
        prepared = None
        if st.button("Prepare the file", type="primary", key="prepare"):
            stem = _file_name(spec.name, run.data_version, suffix, org_name).rsplit(".", 1)[0]
            with st.status("Writing the assessment...", expanded=False) as status:
                try:
                    name, data = report_download(
                        shared.cursor(),
                        run,
                        suffix,
                        stem=stem,
                        for_org=int(detail_org) if org_name and detail_org is not None else None,
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
