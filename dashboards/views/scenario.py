"""Scenario: who is designated, who keeps serving them, and the what-if levers."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import streamlit as st

import shared
from exposure import ExposureError, load_spec, reference_for
from exposure.app.network_chart import tier_chart
from exposure.app.server import model_choices
from exposure.app.text import plain, printable


def _scenario_bar() -> None:
    """Pick the scenario on screen, copy it under a new name (for a what-if), or start afresh."""
    names = list(shared.scenarios())
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        "Scenario on screen",
        names,
        index=names.index(shared.active_name()),
        key=f"active_pick:{shared.revision()}",
    )
    if chosen != shared.active_name():
        st.session_state["active"] = chosen
        st.session_state["revision"] = shared.revision() + 1
        st.rerun()
    new_name = middle.text_input(
        "Copy it as a new scenario", placeholder="e.g. host keeps serving", key="copy_name"
    ).strip()
    if right.button("Copy", key="copy", disabled=not new_name):
        if new_name in shared.scenarios():
            st.error(f"A scenario named '{plain(new_name)}' exists already in this session.")
        else:
            shared.set_spec(dataclasses.replace(shared.active_spec(), name=new_name))
            st.rerun()


def _from_list() -> None:
    """Start from a designation list of the seeds, or a scenario stored with `exposure designate`."""
    con = shared.cursor()
    lists, stored = shared.lists_and_scenarios(con, shared.db_path(), shared.data_version(con))
    options = {
        f"{row['list_id']}: {row['list_name']} ({row['organizations']} organizations)": str(
            row["list_id"]
        )
        for row in lists.to_dict("records")
    }
    options.update({f"{name} (stored scenario)": name for name in stored})
    if not options:
        return
    with st.expander("Start from a designation list or a stored scenario"):
        st.caption(
            "Lists from seeds/designations.csv (reference data, applied only when you choose one "
            "here). Names the network does not hold are skipped and noted."
        )
        label = st.selectbox("List", list(options), key="list_pick")
        if st.button("Use this list", key="use_list"):
            try:
                listed = load_spec(con, options[label])
            except ExposureError as exc:
                st.error(str(exc))
                return
            spec = shared.active_spec()
            shared.set_spec(
                dataclasses.replace(
                    spec,
                    designated=listed.designated,
                    noncompliant=listed.noncompliant,
                    scope=listed.scope,
                    effective=listed.effective,
                    transition_days=listed.transition_days,
                    model=listed.model,
                )
            )
            st.rerun()


def _finder() -> None:
    """Search organizations by name, UEI, CAGE or alias; designate or mark non-compliant."""
    con = shared.cursor()
    spec = shared.active_spec()
    text = st.text_input(
        "Find an organization (name, UEI, CAGE or alias)",
        key="find",
        placeholder="e.g. Anthropic, AWS, a UEI or a CAGE code",
    )
    if not text.strip():
        return
    found = shared.search(con, shared.db_path(), shared.data_version(con), text)
    if found.empty:
        st.warning(f"No organization matches '{plain(text)}'.")
        return
    labels = {
        f"{row['name']} ({row['kind']}"
        + (f", UEI {row['uei']}" if isinstance(row["uei"], str) else "")
        + (f", CAGE {row['cage']}" if isinstance(row["cage"], str) else "")
        + (f", matched '{row['spelling']}'" if isinstance(row["spelling"], str) else "")
        + ")": int(row["org_id"])
        for row in found.to_dict("records")
    }
    label = st.selectbox(f"{len(found)} match(es)", list(labels), key="found_pick")
    org = labels[label]
    reference = reference_for(con, org)
    left, right = st.columns(2)
    if left.button("Designate", type="primary", key="designate"):
        if reference not in spec.designated:
            shared.set_spec(
                dataclasses.replace(
                    spec,
                    designated=(*spec.designated, reference),
                    noncompliant=tuple(n for n in spec.noncompliant if n != reference),
                )
            )
        st.rerun()
    if right.button(
        "Mark non-compliant",
        key="noncompliant",
        help="It keeps serving the designated organizations: the cascade continues from it.",
    ):
        if reference not in spec.noncompliant:
            shared.set_spec(
                dataclasses.replace(
                    spec,
                    noncompliant=(*spec.noncompliant, reference),
                    designated=tuple(n for n in spec.designated if n != reference),
                )
            )
        st.rerun()


def _members(title: str, role: str, names: tuple[str, ...]) -> None:
    st.markdown(f"**{plain(title)}**")
    if not names:
        st.caption("none")
    for name in names:
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        row.text(printable(name), width="stretch")
        if row.button("Remove", key=f"remove:{role}:{name}", width="content"):
            spec = shared.active_spec()
            if role == "designated":
                spec = dataclasses.replace(
                    spec, designated=tuple(n for n in spec.designated if n != name)
                )
            else:
                spec = dataclasses.replace(
                    spec, noncompliant=tuple(n for n in spec.noncompliant if n != name)
                )
            shared.set_spec(spec)
            st.rerun()


def _levers() -> None:
    spec = shared.active_spec()
    key = f"{spec.name}:{shared.revision()}"
    columns = st.columns(5)
    chosen = columns[4].date_input(
        "As of",
        value=shared.as_of(),
        key="as_of_widget",
        format="YYYY-MM-DD",
        help="The date the assessment speaks for: past the deadline every open exposed "
        "dependency is overdue, and the reports say by how many days.",
    )
    if isinstance(chosen, date):  # kept outside the widget's key, which leaves with the page
        st.session_state["as_of"] = chosen
    effective = columns[0].date_input(
        "Effective date", value=spec.effective, key=f"effective:{key}", format="YYYY-MM-DD"
    )
    days = columns[1].number_input(
        "Transition days",
        min_value=0,
        max_value=3650,
        value=spec.transition_days,
        step=30,
        key=f"days:{key}",
    )
    scope = columns[2].radio(
        "Ties that oblige",
        ["all", "dod"],
        index=["all", "dod"].index(spec.scope),
        format_func=lambda s: "every tie" if s == "all" else "DoD-use ties only",
        key=f"scope:{key}",
        horizontal=True,
    )
    models = list(model_choices())
    model = columns[3].selectbox(
        "Impact model",
        models,
        index=models.index(spec.model),
        key=f"model:{key}",
        help="How impact (0..1) is computed: the default ESRI-style cascade, or a reference "
        "model from the literature (esri, debtrank, iim; see docs/model.md). Reach, tiers and "
        "deadlines do not depend on it.",
    )
    changes: dict[str, object] = {}
    if model != spec.model:
        changes["model"] = model
    if isinstance(effective, date) and effective != spec.effective:
        changes["effective"] = effective
    if int(days) != spec.transition_days:
        changes["transition_days"] = int(days)
    if scope != spec.scope:
        changes["scope"] = scope
    if changes:
        shared.set_spec(dataclasses.replace(spec, **changes), from_widget=True)  # type: ignore[arg-type]


def _outcome() -> None:
    spec = shared.active_spec()
    if not spec.designated:
        st.info("Designate at least one organization to see who is exposed.")
        return
    run, frame, figures = shared.current_headline()
    st.subheader("Outcome")
    shared.show_headline(figures, run)
    st.caption(plain(shared.deadline_words(run)))
    for note in run.notes:
        st.caption(f"Note: {plain(note)}")
    left, right = st.columns([3, 2])
    with left:
        st.caption("Exposed organizations by tier (0 = designated and non-compliant) and kind")
        st.echarts_chart(tier_chart(frame), height=280, key="tier_chart")
    with right:
        st.caption("Most affected")
        top = frame[frame["status"] != "clear"].head(8)
        st.dataframe(
            pd.DataFrame(
                {
                    "organization": top["name"],
                    "status": top["status"],
                    "tier": top["tier"],
                    "impact": top["impact"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.page_link("views/network.py", label="See the affected network")


def render() -> None:
    st.title("Scenario")
    if not shared.need_data():
        return
    _scenario_bar()
    _from_list()
    spec = shared.active_spec()
    left, right = st.columns([3, 2])
    with left:
        _finder()
    with right:
        _members("Designated", "designated", spec.designated)
        _members("Non-compliant (keep serving them)", "noncompliant", spec.noncompliant)
    _levers()
    _outcome()


render()
