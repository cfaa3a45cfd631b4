"""One organization's own facts and all its dependencies, both ways, in one assessment.

The organization's chains (with the source rows behind each link), remediation plan, programs
and reports come from :func:`exposure.report.tables.build_tables` with ``for_org``, the same frames
the assessment workbook shows, so the dashboard and the report cannot disagree. This module
adds what those frames leave out: who the organization is (UEI, CAGE, country, parent, how its
kind was decided) and every dependency it has, buying and selling, exposed or not.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from exposure.model.engine import STATUS
from exposure.model.run import AssessmentRun
from exposure.warehouse.report_facts import edge_attributes_for, organization_identity

__all__ = ["OrgDetail", "org_detail"]

_EDGE_COLUMNS = (
    "relation",
    "product",
    "used_in",
    "contract_id",
    "program",
    "annual_value_usd",
    "dod_use",
)
_CONTRACT_COLUMNS = [
    "direction",
    "counterparty",
    "relation",
    "product",
    "used_in",
    "contract_id",
    "program",
    "annual_value_usd",
    "dod_use",
    "exposed",
    "tier",
]


@dataclass(frozen=True, eq=False)
class OrgDetail:
    """Who an organization is and its dependencies in one assessment.

    ``facts`` maps a label to a value (status, tier, impact, value at risk, late, obliged,
    identifiers); ``contracts`` has one row per dependency it takes part in (``direction`` is
    "buys from" or "sells to"), exposed ones first.
    """

    org_id: int
    name: str
    facts: dict[str, object]
    contracts: pd.DataFrame


def org_detail(con: duckdb.DuckDBPyConnection, run: AssessmentRun, org: int) -> OrgDetail:
    """One organization's facts and dependencies (see the module docstring)."""
    graph, result, scenario = run.graph, run.result, run.scenario
    uei, cage, country, kind_source, parent = organization_identity(con, org)
    tier = int(result.tier[org])
    facts: dict[str, object] = {
        "name": str(graph.names[org]),
        "kind": str(graph.kinds[org]),
        "kind source": kind_source,
        "UEI": uei,
        "CAGE": cage,
        "country": country,
        "parent": parent,
        "status": STATUS[int(result.status[org])],
        "tier": tier if tier >= 0 else None,
        "impact": round(float(run.impact[org]), 4),
        "value at risk (USD)": float(result.value_at_risk_usd[org]),
        "late": bool(result.late[org]),
        "obliged to cut a tie": bool(result.obliged[org]),
        "deadline": scenario.deadline.isoformat(),
    }
    return OrgDetail(org, str(graph.names[org]), facts, _contracts(con, run, org))


def _contracts(con: duckdb.DuckDBPyConnection, run: AssessmentRun, org: int) -> pd.DataFrame:
    graph, result = run.graph, run.result
    inbound = np.flatnonzero(graph.buyer == org)
    outbound = np.flatnonzero(graph.supplier == org)
    edges = np.concatenate([inbound, outbound])
    if not len(edges):
        return pd.DataFrame(columns=_CONTRACT_COLUMNS)
    frame = edge_attributes_for(con, graph.edge_id[edges], _EDGE_COLUMNS)
    frame = frame.drop(columns="found")
    frame.insert(0, "direction", ["buys from"] * len(inbound) + ["sells to"] * len(outbound))
    other = np.concatenate([graph.supplier[inbound], graph.buyer[outbound]])
    frame.insert(1, "counterparty", [str(graph.names[i]) for i in other])
    frame["exposed"] = result.edge_tier[edges] > 0
    frame["tier"] = pd.array(np.where(frame["exposed"], result.edge_tier[edges], -1), dtype="Int64")
    frame.loc[~frame["exposed"], "tier"] = pd.NA
    return (
        frame[_CONTRACT_COLUMNS]
        .sort_values(
            ["exposed", "direction", "counterparty"], ascending=[False, True, True], kind="stable"
        )
        .reset_index(drop=True)
    )
