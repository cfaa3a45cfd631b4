"""Affected network: headline figures, the network drawn by tier and impact, the top of the ranking."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import streamlit as st

import shared
from exposure import AssessmentRun
from exposure.app.network_chart import chart_height, network_chart, selected_org
from exposure.app.network_view import NetworkView, build_view, product_labels
from exposure.app.text import plain


@st.cache_resource(show_spinner=False, max_entries=4)
def _labels(_con: duckdb.DuckDBPyConnection, path: str, version: str) -> dict[str, str]:
    return product_labels(_con)


@st.cache_resource(show_spinner=False, max_entries=8)
def _view(
    _run: AssessmentRun, _frame: pd.DataFrame, key: str, limit: int, _labels: dict[str, str]
) -> tuple[NetworkView, Any]:
    view = build_view(_run, _frame, max_nodes=limit, product_labels=_labels)
    return view, network_chart(view)


def render() -> None:
    if not shared.page_header("Affected network"):
        return
    con = shared.cursor()
    run, frame, figures = shared.current_headline()
    shared.show_headline(figures, run)
    for note in run.notes:
        st.caption(f"Note: {plain(note)}")

    limit = st.select_slider(
        "Organizations drawn one by one (the rest are grouped by tier and kind)",
        options=[25, 50, 100, 150, 250, 400],
        value=100 if figures.organizations_affected <= 5000 else 50,
        key="draw_limit",
    )
    labels = _labels(con, shared.db_path(), shared.data_version(con))
    view, figure = _view(run, frame, shared.run_key(run), int(limit), labels)
    event = st.echarts_chart(
        figure,
        height=chart_height(view),
        key="network_chart",
        on_select="rerun",
        alt=f"Affected network: {view.affected:,} exposed organizations by tier",
    )
    org = selected_org(view, event.selection if event else None)
    if org is not None:
        st.session_state["detail_org"] = org
        st.page_link(
            "views/detail.py",
            label=f"Open {plain(shared.org_name(frame, org))}: chains, evidence, plan",
        )
    caption = (
        "Suppliers to the left, buyers to the right; the sources (designated and non-compliant "
        "organizations) first, then one column per tier (the length of the shortest exposed "
        "chain; the deepest tiers share the last column), colour the impact (0..1), edges "
        "coloured by the impact of their "
        "supplier; diamonds designated, triangles non-compliant, a thick outline late. Hover a "
        "node or an edge for details (an edge: its products), scroll to zoom, drag to pan, click "
        "an organization to open it."
    )
    if view.truncated:
        caption += (
            f" Showing the top {view.shown:,} of {view.affected:,} exposed organizations; the "
            f"other {view.aggregated:,} are grouped into squares per tier and kind "
            f"({view.internal_edges:,} dependencies inside a group are not drawn)."
        )
    st.caption(caption)

    left, right = st.columns([3, 2])
    with left:
        st.subheader("Most affected")
        top = frame[frame["status"] != "clear"].head(25)
        st.dataframe(
            pd.DataFrame(
                {
                    "organization": top["name"],
                    "kind": top["kind"],
                    "status": top["status"],
                    "tier": top["tier"],
                    "impact": top["impact"],
                    "value at risk (USD)": top["value_at_risk_usd"],
                    "late": top["late"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "impact": st.column_config.ProgressColumn(
                    min_value=0.0, max_value=1.0, format="%.2f"
                ),
                "value at risk (USD)": st.column_config.NumberColumn(format="dollar"),
            },
        )
        st.page_link("views/ranking.py", label="Full ranking")
    with right:
        st.subheader("Exposed by tier and kind")
        st.dataframe(figures.tier_kind, width="stretch")


render()
