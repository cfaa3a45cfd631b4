"""Organization: one organization's chains with products and evidence, contracts, and plan."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import shared
from exposure.org_detail import org_detail

PICKABLE = 2000  # affected organizations offered in the picker; search reaches the others


def _pick(frame: pd.DataFrame) -> int | None:
    """The organization to show: from the ranking, the affected list, or a search."""
    con = shared.cursor()
    text = st.text_input(
        "Find any organization (name, UEI, CAGE or alias)",
        key="detail_find",
        placeholder="leave empty to pick among the exposed organizations",
    )
    if text.strip():
        found = shared.search(con, shared.db_path(), shared.data_version(con), text)
        if found.empty:
            st.warning(f"No organization matches '{text}'.")
            return None
        options = [int(i) for i in found["org_id"]]
        names = dict(zip(found["org_id"].astype(int), found["name"], strict=True))
    else:
        affected = frame[frame["status"] != "clear"].head(PICKABLE)
        options = [int(i) for i in affected["org_id"]]
        names = dict(zip(affected["org_id"].astype(int), affected["name"], strict=True))
    chosen = st.session_state.get("detail_org")
    if chosen is not None and int(chosen) not in names:
        row = frame[frame["org_id"] == int(chosen)]
        if len(row):
            options.insert(0, int(chosen))
            names[int(chosen)] = row["name"].iloc[0]
    if not options:
        st.info("No organization is exposed in this scenario.")
        return None
    index = options.index(int(chosen)) if chosen is not None and int(chosen) in options else 0
    org = st.selectbox(
        "Organization",
        options,
        index=index,
        format_func=lambda i: str(names[i]),
        key=f"detail_pick:{text}",
    )
    st.session_state["detail_org"] = org
    return int(org)


def render() -> None:
    st.title("Organization")
    if not shared.need_data():
        return
    spec = shared.active_spec()
    st.markdown(shared.spec_summary(spec))
    if not shared.need_designation(spec):
        return
    run, frame = shared.assessment()
    org = _pick(frame)
    if org is None:
        return
    detail = org_detail(shared.cursor(), run, org)
    facts = detail.facts
    st.header(detail.name)
    columns = st.columns(5)
    columns[0].metric("Status", str(facts["status"]))
    columns[1].metric("Tier", "-" if facts["tier"] is None else str(facts["tier"]))
    columns[2].metric("Impact", f"{facts['impact']:.2f}")
    columns[3].metric("Value at risk", f"${facts['value at risk (USD)']:,.0f}")
    columns[4].metric("Late", "yes" if facts["late"] else "no")
    st.caption(
        " · ".join(
            f"{key} {value}"
            for key, value in facts.items()
            if key in ("kind", "UEI", "CAGE", "country", "parent") and value
        )
        + f" · deadline {facts['deadline']}"
    )

    st.subheader("Chains")
    if not detail.chains:
        st.write("Not exposed: no chain reaches it in this scenario.")
    for number, chain in enumerate(detail.chains, start=1):
        title = " → ".join(chain.names)
        with st.expander(f"Chain {number}: {title}", expanded=number == 1):
            if chain.links.empty:
                st.write("A source of the scenario (designated or non-compliant).")
            else:
                st.dataframe(
                    chain.links,
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "annual_value_usd": st.column_config.NumberColumn(format="dollar")
                    },
                )
    if len(detail.evidence):
        st.subheader("Evidence")
        st.caption(
            "The source rows that state each link: file, sheet, row, and the file's SHA-256."
        )
        st.dataframe(detail.evidence, hide_index=True, width="stretch")

    st.subheader("Remediation plan")
    if detail.obligations.empty and detail.remediation.empty:
        st.write("Nothing to do in this scenario.")
    if not detail.obligations.empty:
        st.markdown(
            "**Ties to cut by the deadline** (doing business with a designated or "
            "non-compliant organization)"
        )
        st.dataframe(detail.obligations, hide_index=True, width="stretch")
    if not detail.remediation.empty:
        st.markdown("**Exposed inputs**")
        st.dataframe(
            detail.remediation,
            hide_index=True,
            width="stretch",
            column_config={"annual_value_usd": st.column_config.NumberColumn(format="dollar")},
        )

    st.subheader("Contracts and dependencies")
    st.dataframe(
        detail.contracts,
        hide_index=True,
        width="stretch",
        column_config={"annual_value_usd": st.column_config.NumberColumn(format="dollar")},
    )


render()
