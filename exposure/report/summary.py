"""The Summary sheet: the scenario, the data version and the headline figures, as facts.

:func:`summary_frame` lists facts in sections (``section``, ``fact``, ``value``, ``text``):
``value`` keeps its type (text, whole numbers, money, dates) for the workbook's formats and
``text`` is the same fact written out for screens and logs. :func:`by_tier` and
:func:`by_kind` feed the Summary's small tables and its chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from exposure.core.version import __version__
from exposure.model.engine import DESIGNATED, NONCOMPLIANT
from exposure.model.headline import headline, uncertainty_ranges
from exposure.model.run import AssessmentRun
from exposure.report.rules import DesignationRules

__all__ = [
    "SummaryInputs",
    "by_kind",
    "by_tier",
    "fact_text",
    "government_contracts_touched",
    "summary_frame",
]


def fact_text(fact: str, value: object) -> str:
    """A fact's value written out: money with a dollar sign, dates in ISO form.

    >>> fact_text("Value at risk (USD)", 1234567.8), fact_text("Deadline", date(2026, 8, 26))
    ('$1,234,568', '2026-08-26')
    >>> fact_text("Organizations", 1234), fact_text("Late", True)
    ('1,234', 'yes')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"${value:,.0f}" if "(USD)" in fact else f"{value:,.4g}"
    return str(value)


def by_tier(run: AssessmentRun) -> pd.DataFrame:
    """Affected organizations, value at risk and late organizations per tier."""
    result = run.result
    affected = result.exposed
    tiers = result.tier[affected]
    top = int(tiers.max(initial=-1))
    levels = np.arange(top + 1)
    # Tier 0 holds the sources: designated organizations, and non-compliant ones if any.
    sources = "0 designated" if not (result.status == NONCOMPLIANT).any() else "0 sources"
    return pd.DataFrame(
        {
            "tier": levels,
            "label": [sources if t == 0 else ("1 direct" if t == 1 else str(t)) for t in levels],
            "organizations": np.bincount(tiers, minlength=top + 1),
            "value_at_risk_usd": np.bincount(
                tiers, weights=result.value_at_risk_usd[affected], minlength=top + 1
            ),
            "late": np.bincount(tiers, weights=result.late[affected], minlength=top + 1).astype(
                np.int64
            ),
        }
    )


def by_kind(run: AssessmentRun) -> pd.DataFrame:
    """Affected organizations, value at risk and late organizations per kind."""
    result, graph = run.result, run.graph
    frame = pd.DataFrame(
        {
            "kind": graph.kinds[result.exposed],
            "organizations": 1,
            "value_at_risk_usd": result.value_at_risk_usd[result.exposed],
            "late": result.late[result.exposed].astype(np.int64),
        }
    )
    frame = frame.groupby("kind", as_index=False).sum()
    return frame.sort_values(["organizations", "kind"], ascending=[False, True]).reset_index(
        drop=True
    )


@dataclass(frozen=True, eq=False)
class SummaryInputs:
    """What the summary states beyond the run: the other frames and the report's context."""

    rules: DesignationRules
    sources: pd.DataFrame
    organizations: pd.DataFrame
    paths: pd.DataFrame
    programs: pd.DataFrame
    remediation: pd.DataFrame
    reporting: pd.DataFrame
    data_quality: pd.DataFrame
    seeds_version: str
    identified: date
    identified_basis: str
    generated_at: datetime
    for_org: int | None = None
    as_of: date | None = None


_Add = Callable[[str, str, object], None]

_MODELS = {
    "cascade": "cascade (the project's ESRI-style downstream cascade, docs/model.md)",
    "esri": "esri (Economic Systemic Risk Index, Diem et al. 2022)",
    "debtrank": "debtrank (Battiston et al. 2012)",
    "iim": "iim (Leontief inoperability input-output model, Haimes & Jiang 2001)",
}


def _names(run: AssessmentRun, orgs: np.ndarray) -> str:
    return "; ".join(sorted(str(run.graph.names[i]) for i in orgs)) or "none"


def summary_frame(run: AssessmentRun, inputs: SummaryInputs) -> pd.DataFrame:
    """The Summary facts, network-wide, plus an organization section for ``for_org``."""
    graph, result, scenario, spec = run.graph, run.result, run.scenario, run.spec
    facts: list[tuple[str, str, object]] = []

    def add(section: str, fact: str, value: object) -> None:
        facts.append((section, fact, value))

    named = np.asarray(scenario.designated, dtype=np.int64)
    designated = np.flatnonzero(result.status == DESIGNATED)
    owned = np.setdiff1d(designated, named)
    section = "Scenario"
    add(section, "Scenario", scenario.name)
    add(section, "Scenario from", spec.source)
    add(section, "Designated (named)", _names(run, named))
    add(section, "Designated through ownership", _names(run, owned))
    add(
        section,
        "Non-compliant (what-if)",
        _names(run, np.flatnonzero(result.status == NONCOMPLIANT)),
    )
    rules = inputs.rules.table
    authorities = [str(a) for a in rules["authority"].dropna().unique()]
    add(section, "Authority", "; ".join(authorities) or "not recorded in seeds/designations.csv")
    add(section, "Designation type", "; ".join(str(t) for t in rules["designation_type"].unique()))
    add(section, "Effective date", scenario.effective)
    add(section, "Transition (days)", scenario.transition_days)
    add(section, "Deadline", scenario.deadline)
    if inputs.as_of is not None:
        overdue = max((inputs.as_of - scenario.deadline).days, 0)
        add(section, "As of", inputs.as_of)
        add(
            section,
            "Deadline status",
            f"passed {overdue} days ago: every open exposed dependency is overdue"
            if overdue
            else f"{(scenario.deadline - inputs.as_of).days} days to go",
        )
        add(section, "Days overdue", overdue)
    add(section, "Impact model", _MODELS.get(str(spec.model), str(spec.model)))
    add(
        section,
        "Ties that oblige",
        "ties used in performance of a DoD contract (dod_use)"
        if scenario.scope == "dod"
        else "all ties (any relation, either direction)",
    )
    # Scope clauses over deployment facts (exposure.model.scope), in words.
    add(section, "Designation covers", run.scope_words)
    add(section, "Unknown deployment facts", run.unknown_scope_words())
    add(section, "Dependencies outside the scope", result.out_of_scope_edges)
    for rule in rules.to_dict("records"):
        who = f" ({rule['designated']})" if rule["designated"] and len(rules) > 1 else ""
        initial, followup = rule["initial_report_business_days"], rule["followup_business_days"]
        if initial is None or np.isnan(float(initial)):
            window = "no reporting window in seeds/reporting_rules.csv"
        else:
            window = (
                f"{rule['clause']}: initial report within {int(initial)} business day(s) of "
                f"identification, follow-up within {int(followup)} business days of it; "
                f"report to {rule['report_to']}"
            )
        add(section, f"Reporting rule{who}", window)
        add(section, f"Reporting rule basis{who}", str(rule["rule_basis"]))
    add(section, "Date identified", inputs.identified)
    add(section, "Date identified means", inputs.identified_basis)

    section = "Data"
    add(section, "Data version", run.data_version)
    add(section, "Reference data version (seeds)", inputs.seeds_version[:16])
    files = inputs.sources.drop_duplicates(["file", "sha256"])
    for source in files.itertuples(index=False):
        add(section, f"File {source.file}", f"SHA-256 {source.sha256}")
    add(section, "Dependencies in the network", int(graph.n_edges))

    # The headline figures, labelled as on every surface (exposure.model.headline.FIGURES).
    section = "Results"
    for figure, value in headline(run).items():
        add(section, figure.label, value)
    add(section, "Exposed dependencies", int(result.exposed_edges.sum()))
    for label, text in uncertainty_ranges(run):  # the Monte Carlo's, when it ran
        add(section, label, text)
    if inputs.for_org is None:
        _results_of_tables(add, section, inputs, run)
    for note in run.notes:
        add(section, "Note", note)

    if inputs.for_org is not None:
        _organization_facts(add, run, inputs)

    section = "Prepared"
    add(section, "Generated (UTC)", inputs.generated_at)
    add(section, "Generated by", f"exposure {__version__}")
    frame = pd.DataFrame(facts, columns=["section", "fact", "value"])
    frame["text"] = [fact_text(f, v) for f, v in zip(frame["fact"], frame["value"], strict=True)]
    return frame


def government_contracts_touched(run: AssessmentRun, reporting: pd.DataFrame) -> pd.DataFrame:
    """The government contracts the reported dependencies feed, one row each: ``contract``
    (number, or order), ``agency``, ``program`` and ``annual_value_usd`` (of the prime
    contract edge), by value, largest first."""
    rows = reporting[reporting["contract_edge"] >= 0]
    rows = rows.drop_duplicates("contract_edge")
    edges = rows["contract_edge"].to_numpy(dtype=np.int64)
    number = rows["contract_number"].where(rows["contract_number"] != "", rows["order_number"])
    touched = pd.DataFrame(
        {
            "contract": number.to_numpy(dtype=object),
            "agency": rows["agency"].to_numpy(dtype=object),
            "program": rows["program"].to_numpy(dtype=object),
            "annual_value_usd": run.graph.value[edges],
        }
    )
    return touched.sort_values(
        ["annual_value_usd", "contract"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)


def _contracts_words(touched: pd.DataFrame) -> str:
    return (
        "; ".join(f"{row.contract} ({row.agency}, {row.program})" for row in touched.itertuples())
        or "none in the data"
    )


def _results_of_tables(add: _Add, section: str, inputs: SummaryInputs, run: AssessmentRun) -> None:
    reporting = inputs.reporting
    touched = government_contracts_touched(run, reporting)
    add(section, "Government contracts touched", len(touched))
    add(
        section,
        "Government contracts touched: value (USD)",
        float(touched["annual_value_usd"].sum()),
    )
    add(section, "Dependencies to report (DoD use)", len(reporting))
    if len(reporting) and reporting["initial_report_due"].notna().any():
        add(section, "Earliest initial report due", reporting["initial_report_due"].min().date())
    add(section, "Programs affected", int(inputs.programs["program"].nunique()))
    add(section, "Contracts affected", int(inputs.programs["contract_id"].nunique()))
    add(section, "Data-quality findings to review", len(inputs.data_quality))


def _organization_facts(add: _Add, run: AssessmentRun, inputs: SummaryInputs) -> None:
    assert inputs.for_org is not None
    org = int(inputs.for_org)
    result = run.result
    section = "Organization"
    add(section, "Organization", str(run.graph.names[org]))
    row = inputs.organizations[inputs.organizations["org_id"] == org]
    if len(row):
        add(section, "Rank among affected", int(row["rank"].iloc[0]))
    add(
        section,
        "Status",
        str(("clear", "exposed", "noncompliant", "designated")[result.status[org]]),
    )
    tier = int(result.tier[org])
    add(section, "Tier", tier if tier >= 0 else "none (clear)")
    add(section, "Impact (0-1)", round(float(run.impact[org]), 6))
    add(section, "Value at risk (USD)", float(result.value_at_risk_usd[org]))
    plan = inputs.remediation
    inputs_to_fix = plan[plan["action_type"] != "End sale"]
    # Its own supply base, apart from its customers' government contracts.
    add(section, "Own supply base: exposed inputs", len(inputs_to_fix))
    add(
        section,
        "Own supply base: annual value of exposed inputs (USD)",
        float(pd.to_numeric(inputs_to_fix["annual_value_usd"], errors="coerce").sum()),
    )
    touched = government_contracts_touched(run, inputs.reporting)
    add(section, "Customers' government contracts touched", len(touched))
    add(
        section,
        "Customers' government contracts: value (USD)",
        float(touched["annual_value_usd"].sum()),
    )
    add(section, "Government contracts touched", _contracts_words(touched))
    add(section, "Exposed inputs (direct exposures)", len(inputs_to_fix))
    paths = inputs.paths
    upstream = paths[paths["buyer"] != str(run.graph.names[org])]
    add(section, "Upstream links on its chains (indirect)", int(upstream["edge_index"].nunique()))
    add(section, "Chains shown", int(paths["chain"].nunique()))
    add(section, "Late inputs", int(inputs_to_fix["late"].sum()))
    add(section, "Must cut ties", bool(result.obliged[org]))
    add(
        section, "Ties to cut (sales to designated)", int((plan["action_type"] == "End sale").sum())
    )
    add(section, "Contracts and programs affected", len(inputs.programs))
    add(section, "Reports owed (DoD use)", len(inputs.reporting))
    if len(inputs.reporting) and inputs.reporting["initial_report_due"].notna().any():
        add(
            section,
            "Earliest initial report due",
            inputs.reporting["initial_report_due"].min().date(),
        )
    add(section, "Data-quality findings touching it", len(inputs.data_quality))
