"""Compare: two scenarios side by side, and what changes from one to the other."""

from __future__ import annotations

import dataclasses

import streamlit as st

import shared
from exposure import FIGURES, ExposureError, ScenarioSpec, compact_usd, compare_runs, load_spec

_COLUMNS = {
    "name": "organization",
    "kind": "kind",
    "status_base": "status (base)",
    "status_other": "status (other)",
    "tier_base": "tier (base)",
    "tier_other": "tier (other)",
    "impact_base": "impact (base)",
    "impact_other": "impact (other)",
    "value_at_risk_usd_base": "value at risk (base)",
    "value_at_risk_usd_other": "value at risk (other)",
    "value_at_risk_delta": "value at risk delta",
    "change": "change",
}


def _choices() -> dict[str, tuple[str, str]]:
    """Scenarios to compare: the session's, stored ones, designation lists of the seeds."""
    con = shared.cursor()
    options = {f"{name} (this session)": ("session", name) for name in shared.scenarios()}
    lists, stored = shared.lists_and_scenarios(con, shared.db_path(), shared.data_version(con))
    options.update({f"{name} (stored)": ("stored", name) for name in stored})
    options.update(
        {f"{list_id} (designation list)": ("stored", str(list_id)) for list_id in lists["list_id"]}
    )
    return options


def _spec(choice: tuple[str, str]) -> ScenarioSpec:
    where, name = choice
    if where == "session":
        return shared.scenarios()[name]
    return dataclasses.replace(load_spec(shared.cursor(), name), name=name)


def render() -> None:
    st.title("Compare scenarios")
    if not shared.need_data():
        return
    options = _choices()
    labels = list(options)
    if len(shared.scenarios()) < 2:
        st.caption(
            "Tip: on the Scenario page, copy the scenario under a new name (say *host keeps "
            "serving*), change a lever, and compare the two here."
        )
    left, right = st.columns(2)
    active = f"{shared.active_name()} (this session)"
    base_label = left.selectbox("Base scenario", labels, index=0, key="compare_base")
    others = [label for label in labels if label != base_label]
    default = others.index(active) if active in others else 0
    other_label = right.selectbox("Compared with", others, index=default, key="compare_other")
    try:
        base_spec, other_spec = _spec(options[base_label]), _spec(options[other_label])
    except ExposureError as exc:
        st.error(str(exc))
        return
    left.markdown(shared.spec_summary(base_spec))
    right.markdown(shared.spec_summary(other_spec))
    if not base_spec.designated and not other_spec.designated:
        st.info("Neither scenario designates anybody yet.")
        return
    base_run, _ = shared.assessment(base_spec)
    other_run, _ = shared.assessment(other_spec)
    try:
        diff = compare_runs(base_run, other_run)
    except ExposureError as exc:
        st.error(str(exc))
        return

    counts = diff.counts
    # The rows of the headline figures, by their name (labels as on every surface).
    by_metric = {
        figure.name: row
        for figure in FIGURES
        for row in counts.to_dict("records")
        if row["metric"] == figure.label
    }
    columns = st.columns(4)
    exposed = by_metric["organizations_affected"]
    columns[0].metric(
        "Organizations affected",
        f"{int(exposed['other']):,}",
        f"{int(exposed['delta']):+,}",
        delta_color="inverse",
    )
    columns[1].metric("Newly exposed", f"{len(diff.newly_exposed):,}")
    columns[2].metric("No longer exposed", f"{len(diff.no_longer_exposed):,}")
    var = by_metric["value_at_risk_usd"]
    columns[3].metric(
        "Value at risk",
        compact_usd(float(var["other"])),
        (("+" if var["delta"] > 0 else "") + compact_usd(float(var["delta"])))
        if var["delta"]
        else None,
        delta_color="inverse",
        help=f"${var['base']:,.0f} in the base scenario, ${var['other']:,.0f} here",
    )
    st.dataframe(
        counts.rename(columns={"base": base_label, "other": other_label}),
        hide_index=True,
        width="stretch",
    )

    sections = [
        ("Newly exposed", diff.newly_exposed),
        ("No longer exposed", diff.no_longer_exposed),
        ("Tiers that moved", diff.tier_moved),
        ("Status changed", diff.status_changed),
    ]
    for title, frame in sections:
        st.subheader(f"{title} ({len(frame):,})")
        if frame.empty:
            st.caption("none")
            continue
        st.dataframe(
            frame[list(_COLUMNS)].rename(columns=_COLUMNS),
            hide_index=True,
            width="stretch",
            column_config={
                label: st.column_config.NumberColumn(format="dollar")
                for label in (
                    "value at risk (base)",
                    "value at risk (other)",
                    "value at risk delta",
                )
            },
        )


render()
