"""Which designation, clause and reporting window stand behind each source of a scenario.

The reporting rule of an exposure is that of the designated organization at the start of its
chain, found in the seeds:

1. each organization the scenario designates by name is looked up in
   ``seeds/designations.csv`` by normalized name, preferring the scenario's own list (when the
   scenario *is* a seed list); its ``designation_type`` selects the row of
   ``seeds/reporting_rules.csv`` (clause, initial and follow-up business days, where to report);
2. an organization on no list, named in a scenario that is a seed list, takes that list's type;
3. otherwise the type is :data:`FALLBACK_DESIGNATION_TYPE` (FASCSA orders, FAR 52.204-30: the
   general federal mechanism for excluding a source over supply-chain risk), and the row says
   that it is an assumption.

Organizations designated through ownership (``parent``) take the rule of the named organization
that owns them; non-compliant organizations (a what-if) and everything else take the scenario's
primary rule, that of its first named designated organization.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.model.engine import DESIGNATED
from exposure.model.run import AssessmentRun

__all__ = ["FALLBACK_DESIGNATION_TYPE", "RULE_COLUMNS", "DesignationRules", "designation_rules"]

FALLBACK_DESIGNATION_TYPE = "fascsa"

RULE_COLUMNS = (
    "designated",
    "list_id",
    "authority",
    "designation_type",
    "clause",
    "initial_report_business_days",
    "followup_business_days",
    "report_to",
    "rule_basis",
)


@dataclass(frozen=True, eq=False)
class DesignationRules:
    """One row of ``table`` (columns :data:`RULE_COLUMNS`) per named designated organization
    (the first is the scenario's primary rule; a scenario with none designated still has one),
    and ``org_rule``: per organization, the row that applies to exposures starting there."""

    table: pd.DataFrame
    org_rule: npt.NDArray[np.int64]

    @property
    def primary(self) -> pd.Series:
        return self.table.iloc[0]


def designation_rules(
    run: AssessmentRun,
    listed: pd.DataFrame,
    reporting: pd.DataFrame,
    norms: Sequence[object],
) -> DesignationRules:
    """The rules of :func:`run`'s scenario, as the module docstring describes.

    ``listed`` and ``reporting`` are the seed designation lists and reporting rules
    (:func:`exposure.warehouse.report_facts.designation_seeds`); ``norms`` the normalized name
    of each organization, by org id.
    """
    graph, result, scenario = run.graph, run.result, run.scenario
    seed_list = run.spec.seed_list
    list_rows = listed[listed["list_id"] == seed_list]
    list_type = str(list_rows["designation_type"].iloc[0]) if len(list_rows) else None

    rows: list[dict[str, object]] = []
    for org in scenario.designated or (-1,):
        name = str(graph.names[org]) if org >= 0 else ""
        matches = listed[listed["norm"] == norms[org]] if org >= 0 else listed.iloc[0:0]
        if len(matches):
            preferred = matches[matches["list_id"] == seed_list]
            match = (preferred if len(preferred) else matches).iloc[0]
            kind, list_id, authority = (
                str(match["designation_type"]),
                str(match["list_id"]),
                match["authority"],
            )
            basis = f"{match['organization']} is on the seeds list {list_id}"
        elif list_type is not None:
            kind, list_id, authority = list_type, str(seed_list), list_rows["authority"].iloc[0]
            basis = (
                f"{name} is named in the scenario {seed_list} (a seeds list)"
                if name
                else f"the scenario {seed_list} is a seeds list of type {list_type}"
            )
        else:
            kind, list_id, authority = FALLBACK_DESIGNATION_TYPE, None, None
            who = name or "the scenario"
            basis = (
                f"assumed: {who} is on no designation list of seeds/, so the FASCSA order "
                "rule (FAR 52.204-30) is applied"
            )
        rule = reporting[reporting["designation_type"] == kind]
        if len(rule):
            found = rule.iloc[0]
            clause, initial, followup, report_to = (
                found["clause"],
                float(found["initial_report_business_days"]),
                float(found["followup_business_days"]),
                found["report_to"],
            )
            basis += f"; seeds/reporting_rules.csv ({kind}): {found['source']}"
        else:
            clause, initial, followup, report_to = None, np.nan, np.nan, None
            basis += f"; no reporting rule for '{kind}' in seeds/reporting_rules.csv"
        rows.append(
            {
                "designated": name or None,
                "list_id": list_id,
                "authority": authority,
                "designation_type": kind,
                "clause": clause,
                "initial_report_business_days": initial,
                "followup_business_days": followup,
                "report_to": report_to,
                "rule_basis": basis,
            }
        )
    table = pd.DataFrame(rows, columns=list(RULE_COLUMNS))

    named = {org: index for index, org in enumerate(scenario.designated)}
    org_rule = np.zeros(graph.n_orgs, dtype=np.int64)
    for member in np.flatnonzero(result.status == DESIGNATED).tolist():
        owner, steps = int(member), 0
        while owner not in named and graph.parent[owner] >= 0 and steps < graph.n_orgs:
            owner, steps = int(graph.parent[owner]), steps + 1  # steps: parent cycles end
        org_rule[member] = named.get(owner, 0)
    return DesignationRules(table=table, org_rule=org_rule)
