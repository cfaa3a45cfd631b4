"""Organization: one organization's chains with products and evidence, its plan, its contracts.

The chains, remediation, programs, reports and data-quality findings are the frames of the
assessment workbook for this organization (``exposure.report.tables.build_tables(for_org=...)``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import shared
from exposure import (
    INTERNAL_COLUMNS,
    AssessmentRun,
    AssessmentTables,
    build_report,
    column_label,
    compact_usd,
)
from exposure.app.org_detail import org_detail
from exposure.app.text import plain

PICKABLE = 2000  # exposed organizations offered in the picker; search reaches the others


@st.cache_resource(show_spinner=False, max_entries=16)
def _tables(_run: AssessmentRun, key: str, org: int) -> AssessmentTables:
    return build_report(shared.cursor(), _run, for_org=org, as_of=shared.as_of())


# The columns read first on each table, shown first (at 1280 pixels the rest scroll); the
# workbook keeps its own order.
_FIRST = {
    "paths": ("link", "supplier", "buyer", "product", "source_file", "sheet", "row"),
    "remediation": (
        "action_type",
        "supplier",
        "product",
        "late",
        "estimated_completion",
        "overdue_days",
        "buyer",
        "chain",
    ),
    "reporting": (
        "contract_number",
        "supplier_name",
        "product",
        "initial_report_due",
        "late",
        "estimated_completion",
    ),
}


def _show(frame: pd.DataFrame, *, drop: tuple[str, ...] = (), first: tuple[str, ...] = ()) -> None:
    """A frame of the assessment with the workbook's headings, internal ids left out, the
    columns of ``first`` leading, and yes/no in words."""
    shown = frame.drop(columns=[c for c in frame.columns if c in INTERNAL_COLUMNS or c in drop])
    leading = [c for c in first if c in shown.columns]
    shown = shown[[*leading, *(c for c in shown.columns if c not in leading)]].copy()
    for column in shown.columns:
        if shown[column].dtype == bool:
            shown[column] = shown[column].map({True: "yes", False: "no"})
    st.dataframe(
        shown.rename(columns=column_label),
        hide_index=True,
        width="stretch",
        column_config={
            **{
                column_label(c): st.column_config.NumberColumn(format="dollar")
                for c in shown.columns
                if c.endswith("_usd")
            },
            **{
                column_label(c): st.column_config.DateColumn(format="YYYY-MM-DD")
                for c in shown.columns
                if pd.api.types.is_datetime64_any_dtype(shown[c])
            },
        },
    )


def _pick(frame: pd.DataFrame) -> int | None:
    """The organization to show: from the ranking or the graph, the exposed list, or a search."""
    con = shared.cursor()
    text = st.text_input(
        "Find any organization (name, UEI, CAGE or alias)",
        key="detail_find",
        placeholder="leave empty to pick among the exposed organizations",
    )
    if text.strip():
        found = shared.search(con, shared.db_path(), shared.data_version(con), text)
        if found.empty:
            st.warning(f"No organization matches '{plain(text)}'.")
            return None
        options = [int(i) for i in found["org_id"]]
        names = dict(zip(options, found["name"].astype(str), strict=True))
    else:
        affected = frame[frame["status"] != "clear"].head(PICKABLE)
        options = [int(i) for i in affected["org_id"]]
        names = dict(zip(options, affected["name"].astype(str), strict=True))
    chosen = st.session_state.get("detail_org")
    if chosen is not None and int(chosen) not in names and not text.strip():
        row = frame[frame["org_id"] == int(chosen)]
        if len(row):
            options.insert(0, int(chosen))
            names[int(chosen)] = str(row["name"].iloc[0])
    if not options:
        st.info("No organization is exposed in this scenario.")
        return None
    index = options.index(int(chosen)) if chosen is not None and int(chosen) in options else 0
    org = st.selectbox(
        "Organization",
        options,
        index=index,
        format_func=lambda i: names[i],
        key=f"detail_pick:{text}",
    )
    st.session_state["detail_org"] = org
    return int(org)


def _chains(tables: AssessmentTables, status: str) -> None:
    st.subheader("Chains")
    paths = tables.paths
    if paths.empty:
        st.write(
            f"It is {status} in this scenario: chains start from it."
            if status in ("designated", "noncompliant")
            else "No chain reaches it in this scenario."
        )
        return
    st.caption(
        "Each link is a dependency supplier → buyer whose product is fed by the link before "
        "it; the file, sheet and row are the source row that states it (more in *other "
        "evidence*)."
    )
    for number, links in paths.groupby("chain", sort=True):
        names = [str(links["supplier"].iloc[0]), *links["buyer"].astype(str)]
        label = " → ".join(plain(name) for name in names)
        with st.expander(f"Chain {number}: {label}", expanded=number == 1):
            _show(links, drop=("organization", "chain"), first=_FIRST["paths"])


def render() -> None:
    if not shared.page_header("Organization"):
        return
    run, frame = shared.assessment()
    org = _pick(frame)
    if org is None:
        return
    detail = org_detail(shared.cursor(), run, org)
    with st.spinner("Reading its chains, evidence and plan..."):
        tables = _tables(run, f"{shared.run_key(run)}:{shared.as_of()}", org)
    facts = detail.facts
    st.header(plain(detail.name), anchor=False)
    line = shared.metric_row()
    line.metric("Status", str(facts["status"]), width="content")
    line.metric("Tier", "-" if facts["tier"] is None else str(facts["tier"]), width="content")
    line.metric("Impact", f"{facts['impact']:.2f}", width="content")
    at_risk = float(facts["value at risk (USD)"])  # type: ignore[arg-type]
    line.metric(
        "Value at risk",
        compact_usd(at_risk),
        help=f"${at_risk:,.0f} of annual value on its exposed inputs",
        width="content",
    )
    line.metric("Late", "yes" if facts["late"] else "no", width="content")
    st.caption(
        " · ".join(
            f"{key} {value}"
            for key, value in facts.items()
            if key in ("kind", "UEI", "CAGE", "country", "parent") and value
        )
        + f" · deadline {facts['deadline']}"
        + (
            " · must cut its ties with the designated by then"
            if facts["obliged to cut a tie"]
            else ""
        )
    )
    _chains(tables, str(facts["status"]))

    st.subheader("Remediation plan")
    if tables.remediation.empty:
        st.write("Nothing to do in this scenario.")
    else:
        _show(tables.remediation, first=_FIRST["remediation"])
    if not tables.programs.empty:
        st.subheader("Programs and contracts affected")
        _show(tables.programs)
    if not tables.reporting.empty:
        st.subheader("Reports it owes (FAR 52.204-25(d) / 52.204-30)")
        _show(tables.reporting, first=_FIRST["reporting"])
    st.subheader("All its dependencies")
    _show(detail.contracts)
    if not tables.data_quality.empty:
        with st.expander(f"Data quality that touches it ({len(tables.data_quality)})"):
            _show(tables.data_quality)


render()
