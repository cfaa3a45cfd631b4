"""Ranking: every organization of the scenario, filtered and searched, most affected first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import shared
from exposure import STATUS, filter_ranking

SHOWN = 1000  # rows sent to the browser; the filters narrow the rest
CHAINS = 300  # rows that get their shortest chain spelled out


def _words(flags: pd.Series) -> list[str]:
    return ["yes" if bool(flag) else "no" for flag in flags]


def render() -> None:
    if not shared.page_header("Ranking"):
        return
    run, frame = shared.assessment()

    top, middle, bottom = st.columns([2, 2, 2])
    text = top.text_input("Search by name", key="rank_text")
    statuses = middle.multiselect(
        "Status",
        list(reversed(STATUS)),
        default=["designated", "noncompliant", "exposed"],
        key="rank_status",
    )
    kinds = bottom.multiselect(
        "Kind",
        sorted(frame["kind"].astype(str).unique()),
        key="rank_kind",
        placeholder="all kinds",
    )
    left, right = st.columns(2)
    tiers = frame["tier"].dropna()
    max_tier = int(tiers.max()) if len(tiers) else 0
    tier_limit = left.slider("Tiers up to", 0, max(max_tier, 1), max(max_tier, 1), key="rank_tier")
    late_only = right.checkbox("Late dependencies only", key="rank_late")
    st.number_input(
        "Monte Carlo samples over unconfirmed links (0: none)",
        min_value=0,
        max_value=10_000,
        step=100,
        key="mc_samples",
        help="P(exposed) per organization from links of reported, inferred or unknown "
        "confidence (seed 0); the ranges show under the headline.",
    )
    chosen = filter_ranking(
        frame,
        text=text,
        statuses=statuses or None,
        kinds=kinds or None,
        max_tier=tier_limit if tier_limit < max_tier else None,
        late_only=late_only,
    )
    st.caption(
        f"{len(chosen):,} of {len(frame):,} organizations"
        + (f"; the first {SHOWN:,} shown" if len(chosen) > SHOWN else "")
    )
    shown = chosen.head(SHOWN)
    # The columns an analyst reads first come first (at 1280 pixels the rest scroll), and
    # yes/no are words, not tick boxes.
    table = pd.DataFrame(
        {
            "rank": shown.index + 1,
            "organization": shown["name"],
            "status": shown["status"],
            "tier": shown["tier"],
            "late": _words(shown["late"]),
            "value at risk (USD)": shown["value_at_risk_usd"],
            "shortest chain": [
                " > ".join(run.chain_names(int(org))) if position < CHAINS else ""
                for position, org in enumerate(shown["org_id"])
            ],
            "impact": shown["impact"],
            **({"P(exposed)": shown["p_exposed"]} if "p_exposed" in shown else {}),
            "kind": shown["kind"],
            "must cut ties": _words(shown["obliged"]),
            "undocumented": _words(shown["undocumented"]),
        }
    )
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=560,
        on_select="rerun",
        selection_mode="single-row",
        key="rank_table",
        column_config={
            "rank": st.column_config.NumberColumn(pinned=True, width=50),
            "organization": st.column_config.TextColumn(pinned=True, width="medium"),
            "tier": st.column_config.NumberColumn(width=40),
            "late": st.column_config.TextColumn(width=50),
            "value at risk (USD)": st.column_config.NumberColumn(format="localized", width=130),
            "shortest chain": st.column_config.TextColumn(width="large"),
            "impact": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f"),
            "P(exposed)": st.column_config.ProgressColumn(
                min_value=0.0, max_value=1.0, format="%.3f"
            ),
        },
    )
    rows = event.selection.rows if event and event.selection else []
    if rows:
        org = int(shown["org_id"].iloc[rows[0]])
        st.session_state["detail_org"] = org
        st.page_link("views/detail.py", label=f"Open {shown['name'].iloc[rows[0]]}")
    else:
        st.caption("Select a row to open that organization's chains, evidence and plan.")


render()
