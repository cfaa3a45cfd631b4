"""Facts about edges and organizations that the report needs beyond the engine's arrays.

The engine knows reach, tiers and the edge that reached each edge; the warehouse knows
relations, products as written, contract ids, programs, notes and the source rows behind each
edge (read through :mod:`exposure.warehouse.report_facts` and :mod:`exposure.warehouse.evidence`:
this module runs no SQL). :func:`edge_facts` joins them, vectorized, into the *edge frame* of
:mod:`exposure.model.remediation` (columns :data:`~exposure.model.remediation.EDGE_COLUMNS`) for any set of
edges, in one query per table whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.core.errors import ExposureError
from exposure.model.engine import NONCOMPLIANT, STATUS
from exposure.model.facts import FACT_FIELDS, vocabulary
from exposure.model.flowdown import contract_flowdown
from exposure.model.remediation import FLOWDOWN_FIELDS
from exposure.model.run import AssessmentRun
from exposure.report.rules import DesignationRules, designation_rules
from exposure.warehouse.evidence import edge_evidence_for
from exposure.warehouse.report_facts import (
    designation_seeds,
    edge_attributes_for,
    organization_facts,
)

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "Context",
    "chain_roots",
    "edge_chains",
    "edge_facts",
    "government_contracts",
    "network_context",
]


IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]


def chain_roots(edge_from: IntArray, exposed: npt.NDArray[np.bool_]) -> IntArray:
    """Per edge, the first edge of its shortest chain (itself when unexposed or direct).

    Pointer jumping: each round doubles the distance followed, so a chain of length L takes
    about log2(L) vectorized rounds.

    >>> chain_roots(np.array([-1, 0, 1, -1]), np.array([True, True, True, False])).tolist()
    [0, 0, 0, 3]
    """
    root = np.where(exposed & (edge_from >= 0), edge_from, np.arange(len(edge_from)))
    while True:
        jumped = root[root]
        if np.array_equal(jumped, root):
            return root
        root = jumped


def edge_chains(run: AssessmentRun) -> ObjectArray:
    """Per exposed edge, its shortest chain as names joined by " > " ("" when unexposed).

    Built level by level: a tier-t edge's chain is its predecessor's plus its buyer.
    """
    graph, result = run.graph, run.result
    names = np.asarray(graph.names, dtype=object)
    chain = np.full(graph.n_edges, "", dtype=object)
    tiers = result.edge_tier
    top = int(tiers.max(initial=0))
    if top == 0:
        return chain
    order = np.argsort(tiers, kind="stable")
    bounds = np.searchsorted(tiers[order], np.arange(1, top + 2))
    for level in range(1, top + 1):
        edges = order[bounds[level - 1] : bounds[level]]
        head = names[graph.supplier[edges]] if level == 1 else chain[result.edge_from[edges]]
        chain[edges] = head + " > " + names[graph.buyer[edges]]
    return chain


@dataclass(frozen=True, eq=False)
class Context:
    """Per-organization and per-edge arrays shared by the report's frames.

    ``origin_org`` is, per exposed edge, the source at the start of its shortest chain;
    ``tie`` marks edges that sell to a source (within the scenario's scope): ties to cut.
    """

    names: ObjectArray
    status: ObjectArray
    uei: ObjectArray
    cage: ObjectArray
    country: ObjectArray
    origin_org: IntArray
    chain: ObjectArray
    tie: npt.NDArray[np.bool_]
    rules: DesignationRules


def network_context(con: duckdb.DuckDBPyConnection, run: AssessmentRun) -> Context:
    """The :class:`Context` of a run (one query for organization identifiers)."""
    graph, result, scenario = run.graph, run.result, run.scenario
    orgs = organization_facts(con)
    if len(orgs) != graph.n_orgs:
        raise ExposureError("the organizations changed since this assessment ran: run it again")
    sources = result.status >= NONCOMPLIANT
    in_scope = graph.dod_use if scenario.scope == "dod" else np.ones(graph.n_edges, dtype=bool)
    tie = in_scope & sources[graph.buyer] & ~sources[graph.supplier]
    origin = graph.supplier[chain_roots(result.edge_from, result.exposed_edges)]

    def objects(column: str) -> ObjectArray:
        values = orgs[column].astype(object)
        return np.asarray(values.where(values.notna(), None), dtype=object)

    return Context(
        names=np.asarray(graph.names, dtype=object),
        status=np.asarray(STATUS, dtype=object)[result.status],
        uei=objects("uei"),
        cage=objects("cage"),
        country=objects("country"),
        origin_org=origin.astype(np.int64),
        chain=edge_chains(run),
        tie=tie,
        rules=designation_rules(run, *designation_seeds(con), orgs["norm_name"].tolist()),
    )


_RULE_FIELDS = (
    "clause",
    "initial_report_business_days",
    "followup_business_days",
    "report_to",
    "rule_basis",
)


def _whole(values: npt.NDArray[np.float64]) -> pd.Series:
    """Whole numbers with missing values (NaN) as <NA>."""
    return pd.Series(values).round().astype("Int64")


def edge_facts(
    con: duckdb.DuckDBPyConnection, run: AssessmentRun, edges: IntArray, context: Context
) -> pd.DataFrame:
    """The edge frame for the given graph edge indexes, in their order.

    ``source_file``, ``sheet`` and ``row`` are the first source row stating the edge (the
    earliest load); ``other_evidence`` lists the others ("file [sheet] row N; ...").
    """
    graph, result = run.graph, run.result
    edge_ids = graph.edge_id[edges]
    attributes = edge_attributes_for(con, edge_ids)
    evidence = edge_evidence_for(con, edge_ids)
    if not attributes["found"].all():
        raise ExposureError("the dependencies changed since this assessment ran: run it again")
    supplier, buyer = graph.supplier[edges], graph.buyer[edges]
    tie = context.tie[edges]
    origin = context.origin_org[edges]
    rules = context.rules.table.iloc[context.rules.org_rule[np.where(tie, buyer, origin)]]
    value = graph.value[edges]
    frame = pd.DataFrame(
        {
            "edge_index": edges,
            "edge_type": np.where(tie, "tie", "exposed"),
            "buyer_id": buyer,
            "supplier_id": supplier,
            "buyer": context.names[buyer],
            "supplier": context.names[supplier],
            "buyer_kind": np.asarray(graph.kinds, dtype=object)[buyer],
            "buyer_status": context.status[buyer],
            "supplier_status": context.status[supplier],
            "supplier_uei": context.uei[supplier],
            "supplier_cage": context.cage[supplier],
            "relation": attributes["relation"].to_numpy(dtype=object),
            "product": attributes["product"].to_numpy(dtype=object),
            "used_in": attributes["used_in"].to_numpy(dtype=object),
            "contract_id": attributes["contract_id"].to_numpy(dtype=object),
            "program": attributes["program"].to_numpy(dtype=object),
            "annual_value_usd": value,
            "criticality": attributes["criticality"].astype("Int64").array,
            "essential": graph.essential[edges],
            "alternatives": _whole(graph.alternatives[edges]).array,
            "replacement_months": graph.replacement_months[edges],
            "dod_use": graph.dod_use[edges],
            "notes": attributes["notes"].to_numpy(dtype=object),
            "remediation_started": pd.to_datetime(attributes["remediation_started"]).array,
            "tier": np.where(tie, 0, result.edge_tier[edges]),
            "late": result.edge_late[edges] & ~tie,
            "designated_source": np.where(tie, context.names[buyer], context.names[origin]),
            "chain": np.where(tie, "", context.chain[edges]),
            "source_file": evidence["source_file"].to_numpy(dtype=object),
            "sheet": evidence["sheet"].to_numpy(dtype=object),
            "row": evidence["row"].astype("Int64").array,
            "other_evidence": evidence["other_evidence"].to_numpy(dtype=object),
        }
    )
    for fact in FACT_FIELDS:  # deployment facts, decoded (None where unknown)
        words = np.asarray([*vocabulary(fact), None], dtype=object)
        frame[fact] = words[getattr(graph, fact)[edges]]
    for column in _RULE_FIELDS:
        frame[column] = rules[column].to_numpy()
    for column in ("relation", "product", "used_in", "contract_id", "program", "notes"):
        frame[column] = frame[column].where(frame[column].notna(), None)
    return frame


def government_contracts(
    con: duckdb.DuckDBPyConnection, run: AssessmentRun, edges: IntArray
) -> pd.DataFrame:
    """The government contracts each of ``edges`` feeds (:data:`~exposure.model.remediation.FLOWDOWN_FIELDS`).

    A government contract is an exposed ``prime_contract`` edge whose buyer is an agency; the
    chain to it is product-scoped (:func:`exposure.model.flowdown.contract_flowdown`). An edge
    feeding none has no row. ``government_contract`` is that edge's ``contract_id`` as written
    (None when blank), ``contract_program`` its program (else its product).
    """
    graph, result = run.graph, run.result
    exposed = result.exposed_edges
    to_agency = np.flatnonzero(
        exposed & (np.asarray(graph.kinds, dtype=object)[graph.buyer] == "agency")
    ).astype(np.int64)
    facts = edge_attributes_for(
        con, graph.edge_id[to_agency], ("relation", "contract_id", "program", "product", "order_id")
    )
    prime = (facts["relation"] == "prime_contract").to_numpy(dtype=bool)
    contract = np.zeros(graph.n_edges, dtype=bool)
    contract[to_agency[prime]] = True
    edge, contract_edge = contract_flowdown(graph, exposed, contract)
    keep = np.isin(edge, edges)
    edge, contract_edge = edge[keep], contract_edge[keep]
    rows = facts.iloc[np.searchsorted(to_agency, contract_edge)]  # to_agency is sorted
    program = rows["program"].where(rows["program"].notna(), rows["product"])
    frame = pd.DataFrame(
        {
            "edge_index": edge,
            "contract_edge": contract_edge,
            "agency": np.asarray(graph.names, dtype=object)[graph.buyer[contract_edge]],
            "government_contract": rows["contract_id"].to_numpy(dtype=object),
            "contract_program": program.to_numpy(dtype=object),
            "government_order": rows["order_id"].to_numpy(dtype=object),
        }
    )
    for column in ("government_contract", "contract_program", "government_order"):
        frame[column] = frame[column].where(frame[column].notna(), None)
    return frame[FLOWDOWN_FIELDS]
