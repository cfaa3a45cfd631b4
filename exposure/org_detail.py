"""One organization's view of an assessment: its chains with the evidence behind each link,
its contracts, and its remediation plan.

Chains come from :func:`exposure.pipeline.chains` (the first is a shortest). Each link of a
chain is an exposed edge supplier -> buyer whose product is fed by the link before it (the
product-scoped rule of SPEC 4.1); the source rows that state it come from ``edge_evidence``
(file, sheet, row, SHA-256 of the file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import duckdb
import numpy as np
import pandas as pd

from exposure.engine import DAYS_PER_MONTH, DESIGNATED, NONCOMPLIANT, STATUS
from exposure.graph import Graph
from exposure.pipeline import AssessmentRun, chains

__all__ = ["Chain", "OrgDetail", "chain_edges", "org_detail"]

_EDGE_COLUMNS = (
    "relation, product, used_in, contract_id, program, annual_value_usd, criticality, "
    "essential, alternatives, replacement_months, dod_use, notes"
)


_LINK_COLUMNS = [
    "step",
    "supplier",
    "buyer",
    "relation",
    "product",
    "used_in",
    "contract_id",
    "program",
    "annual_value_usd",
    "essential",
    "replacement_months",
    "late",
    "evidence",
]


@dataclass(frozen=True, eq=False)
class Chain:
    """One chain from a source to the organization: names, and one row per link.

    ``links`` columns: step, supplier, buyer, relation, product, used_in, contract_id,
    program, annual_value_usd, essential, replacement_months, late, evidence (the source rows,
    as "file [sheet] row N" joined by "; ").
    """

    names: list[str]
    links: pd.DataFrame


@dataclass(frozen=True, eq=False)
class OrgDetail:
    """Everything the detail view shows about one organization in one assessment."""

    org_id: int
    name: str
    facts: dict[str, object]
    chains: list[Chain]
    evidence: pd.DataFrame
    contracts: pd.DataFrame
    remediation: pd.DataFrame
    obligations: pd.DataFrame


def _feeds(graph: Graph, e_in: int, e_out: int) -> bool:
    """Whether edge ``e_in`` (into the supplier of ``e_out``) feeds ``e_out``'s product."""
    product, used_in = int(graph.product[e_out]), int(graph.used_in[e_in])
    return product < 0 or used_in < 0 or product == used_in


def chain_edges(run: AssessmentRun, names: list[str], org: int) -> list[int] | None:
    """The exposed edges (graph positions) along a chain given by names, ending at ``org``.

    Where parallel edges join the same two organizations, the one of lowest tier that keeps
    the chain product-consistent is taken. Returns None if no such edges exist (a chain that
    does not belong to this run), [] for a source's one-name chain.
    """
    graph, result = run.graph, run.result
    if len(names) <= 1:
        return []
    exposed = result.exposed_edges
    if (
        result.chain(graph, org)
        and [str(graph.names[i]) for i in result.chain(graph, org)] == names
    ):
        return result.chain_edges(org)

    def inbound(buyer: int, supplier_name: str, feeding: int | None) -> list[int]:
        candidates = np.flatnonzero((graph.buyer == buyer) & exposed)
        found = [
            int(e)
            for e in candidates
            if graph.names[graph.supplier[e]] == supplier_name
            and (feeding is None or _feeds(graph, int(e), feeding))
        ]
        return sorted(found, key=lambda e: (int(result.edge_tier[e]), e))

    def walk(position: int, buyer: int, feeding: int | None) -> list[int] | None:
        if position == 0:
            return []
        for edge in inbound(buyer, names[position - 1], feeding):
            supplier = int(graph.supplier[edge])
            if position == 1 and result.status[supplier] not in (DESIGNATED, NONCOMPLIANT):
                continue
            rest = walk(position - 1, supplier, edge)
            if rest is not None:
                return [*rest, edge]
        return None

    return walk(len(names) - 1, org, None)


def _edge_rows(con: duckdb.DuckDBPyConnection, graph: Graph, edges: list[int]) -> pd.DataFrame:
    """Attributes of edges (graph positions) from the warehouse, indexed by position."""
    if not edges:
        return pd.DataFrame()
    ids = [int(graph.edge_id[e]) for e in edges]
    frame = con.execute(
        f"SELECT edge_id, {_EDGE_COLUMNS} FROM edges WHERE list_contains($1, edge_id)", [ids]
    ).df()
    position = dict(zip(ids, edges, strict=True))
    frame["edge"] = frame["edge_id"].map(position)
    return frame.set_index("edge")


def _evidence(con: duckdb.DuckDBPyConnection, graph: Graph, edges: list[int]) -> pd.DataFrame:
    columns = ["edge", "source_file", "sheet", "row", "sha256"]
    if not edges:
        return pd.DataFrame(columns=columns)
    ids = [int(graph.edge_id[e]) for e in edges]
    frame = con.execute(
        "SELECT edge_id, source_file, sheet, row, sha256 FROM edge_evidence "
        "WHERE list_contains($1, edge_id) ORDER BY source_file, sheet, row",
        [ids],
    ).df()
    frame["edge"] = frame["edge_id"].map(dict(zip(ids, edges, strict=True)))
    return frame[columns]


def _where(row: pd.Series) -> str:
    sheet = f" [{row['sheet']}]" if isinstance(row["sheet"], str) and row["sheet"] else ""
    return f"{row['source_file']}{sheet} row {int(row['row'])}"


def org_detail(
    con: duckdb.DuckDBPyConnection, run: AssessmentRun, org: int, *, k: int = 3
) -> OrgDetail:
    """One organization's chains, evidence, contracts, remediation and obligations."""
    graph, result, scenario = run.graph, run.result, run.scenario
    names = graph.names
    info = con.execute(
        "SELECT o.uei, o.cage, o.country, o.kind_source, p.name FROM orgs o "
        "LEFT JOIN orgs p ON p.org_id = o.parent_id WHERE o.org_id = ?",
        [org],
    ).fetchall()
    uei, cage, country, kind_source, parent = info[0] if info else (None,) * 5
    tier = int(result.tier[org])
    facts: dict[str, object] = {
        "name": str(names[org]),
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

    chain_list: list[tuple[list[str], list[int]]] = []
    for chain_names in chains(run, org, k=k):
        edges = chain_edges(run, chain_names, org)
        if edges is not None:
            chain_list.append((chain_names, edges))
    chain_edge_set = sorted({e for _, edges in chain_list for e in edges})
    inbound = [int(e) for e in np.flatnonzero(graph.buyer == org)]
    outbound = [int(e) for e in np.flatnonzero(graph.supplier == org)]
    every = sorted(set(chain_edge_set) | set(inbound) | set(outbound))
    attributes = _edge_rows(con, graph, every)
    evidence = _evidence(con, graph, chain_edge_set)
    where_by_edge = (
        evidence.assign(where=evidence.apply(_where, axis=1))
        .groupby("edge")["where"]
        .agg("; ".join)
        .to_dict()
        if len(evidence)
        else {}
    )

    built: list[Chain] = []
    evidence_rows = []
    for number, (chain_names, edges) in enumerate(chain_list, start=1):
        links = []
        for step, edge in enumerate(edges, start=1):
            row = attributes.loc[edge]
            links.append(
                {
                    "step": step,
                    "supplier": str(names[graph.supplier[edge]]),
                    "buyer": str(names[graph.buyer[edge]]),
                    "relation": row["relation"],
                    "product": row["product"],
                    "used_in": row["used_in"],
                    "contract_id": row["contract_id"],
                    "program": row["program"],
                    "annual_value_usd": row["annual_value_usd"],
                    "essential": row["essential"],
                    "replacement_months": row["replacement_months"],
                    "late": bool(result.edge_late[edge]),
                    "evidence": where_by_edge.get(edge, ""),
                }
            )
            for item in evidence[evidence["edge"] == edge].itertuples(index=False):
                evidence_rows.append(
                    {
                        "chain": number,
                        "step": step,
                        "supplier": str(names[graph.supplier[edge]]),
                        "buyer": str(names[graph.buyer[edge]]),
                        "product": row["product"],
                        "file": item.source_file,
                        "sheet": item.sheet,
                        "row": int(item.row),  # type: ignore[arg-type]
                        "sha256": str(item.sha256)[:16],
                    }
                )
        built.append(Chain(chain_names, pd.DataFrame(links, columns=_LINK_COLUMNS)))

    contracts = _contracts(run, org, inbound, outbound, attributes)
    remediation = _remediation(run, org, inbound, attributes)
    obligations = _obligations(run, org, inbound + outbound, attributes)
    return OrgDetail(
        org_id=org,
        name=str(names[org]),
        facts=facts,
        chains=built,
        evidence=pd.DataFrame(
            evidence_rows,
            columns=[
                "chain",
                "step",
                "supplier",
                "buyer",
                "product",
                "file",
                "sheet",
                "row",
                "sha256",
            ],
        ),
        contracts=contracts,
        remediation=remediation,
        obligations=obligations,
    )


def _contracts(
    run: AssessmentRun, org: int, inbound: list[int], outbound: list[int], attributes: pd.DataFrame
) -> pd.DataFrame:
    """The organization's dependencies both ways: what it buys and sells, exposed first."""
    graph, result = run.graph, run.result
    rows = []
    for direction, edges, other in (
        ("buys from", inbound, graph.supplier),
        ("sells to", outbound, graph.buyer),
    ):
        for edge in edges:
            row = attributes.loc[edge]
            rows.append(
                {
                    "direction": direction,
                    "counterparty": str(graph.names[other[edge]]),
                    "relation": row["relation"],
                    "product": row["product"],
                    "used_in": row["used_in"],
                    "contract_id": row["contract_id"],
                    "program": row["program"],
                    "annual_value_usd": row["annual_value_usd"],
                    "dod_use": row["dod_use"],
                    "exposed": bool(result.edge_tier[edge] > 0),
                    "tier": int(result.edge_tier[edge]) or None,
                }
            )
    columns = [
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
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    return frame.sort_values(
        ["exposed", "direction", "counterparty"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def _action(supplier: str, supplier_status: int, product: object, alternatives: float) -> str:
    what = f"'{product}'" if isinstance(product, str) and product else "this input"
    if supplier_status == DESIGNATED:
        step = f"Stop buying {what} from {supplier} (designated) and move to a substitute"
    elif supplier_status == NONCOMPLIANT:
        step = f"Stop buying {what} from {supplier} (keeps serving the designated vendor)"
    else:
        step = f"Ask {supplier} to certify {what} free of the designated vendor, or replace it"
    if np.isnan(alternatives):
        return step + "; alternatives unknown: identify qualified substitutes"
    if alternatives <= 0:
        return step + "; no qualified alternative: start qualifying one now"
    return step + f"; {int(alternatives)} qualified alternative(s) on record"


def _remediation(
    run: AssessmentRun, org: int, inbound: list[int], attributes: pd.DataFrame
) -> pd.DataFrame:
    """One row per exposed input: what to do, how long it takes, whether it is late."""
    graph, result, scenario = run.graph, run.result, run.scenario
    rows = []
    for edge in inbound:
        if result.edge_tier[edge] <= 0:
            continue
        row = attributes.loc[edge]
        supplier = int(graph.supplier[edge])
        months = float(graph.replacement_months[edge])
        completion = (
            None
            if np.isnan(months)
            else scenario.effective + timedelta(days=months * DAYS_PER_MONTH)
        )
        rows.append(
            {
                "supplier": str(graph.names[supplier]),
                "supplier_status": STATUS[int(result.status[supplier])],
                "product": row["product"],
                "used_in": row["used_in"],
                "contract_id": row["contract_id"],
                "program": row["program"],
                "annual_value_usd": row["annual_value_usd"],
                "essential": row["essential"],
                "alternatives": row["alternatives"],
                "replacement_months": None if np.isnan(months) else months,
                "estimated_completion": completion,
                "deadline": scenario.deadline,
                "late": bool(result.edge_late[edge]),
                "action": _action(
                    str(graph.names[supplier]),
                    int(result.status[supplier]),
                    row["product"],
                    float(graph.alternatives[edge]),
                ),
            }
        )
    columns = [
        "supplier",
        "supplier_status",
        "product",
        "used_in",
        "contract_id",
        "program",
        "annual_value_usd",
        "essential",
        "alternatives",
        "replacement_months",
        "estimated_completion",
        "deadline",
        "late",
        "action",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    return frame.sort_values(
        ["late", "annual_value_usd"], ascending=[False, False], na_position="last", kind="stable"
    ).reset_index(drop=True)


def _obligations(
    run: AssessmentRun, org: int, edges: list[int], attributes: pd.DataFrame
) -> pd.DataFrame:
    """Ties with a designated or non-compliant organization that must be cut by the deadline."""
    graph, result, scenario = run.graph, run.result, run.scenario
    columns = ["counterparty", "counterparty_status", "direction", "product", "dod_use", "cut_by"]
    if not result.obliged[org]:
        return pd.DataFrame(columns=columns)
    rows = []
    for edge in edges:
        supplier, buyer = int(graph.supplier[edge]), int(graph.buyer[edge])
        other = supplier if buyer == org else buyer
        if result.status[other] not in (DESIGNATED, NONCOMPLIANT):
            continue
        if scenario.scope == "dod" and not graph.dod_use[edge]:
            continue
        rows.append(
            {
                "counterparty": str(graph.names[other]),
                "counterparty_status": STATUS[int(result.status[other])],
                "direction": "buys from" if buyer == org else "sells to",
                "product": attributes.loc[edge]["product"],
                "dod_use": bool(graph.dod_use[edge]),
                "cut_by": scenario.deadline,
            }
        )
    return pd.DataFrame(rows, columns=columns)
