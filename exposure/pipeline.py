"""One function strings the steps together: warehouse -> graph -> engine -> results.

The CLI and the dashboard both call :func:`run_assessment`; neither reaches into another
layer's tables.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import duckdb
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.engine import DESIGNATED, NONCOMPLIANT, STATUS, Assessment, Scenario, assess
from exposure.graph import Graph, load_graph
from exposure.impact import model_impact
from exposure.scenarios import ScenarioSpec, build_scenario

if TYPE_CHECKING:
    from exposure.tables import AssessmentTables

__all__ = [
    "AssessmentRun",
    "chain_edge_lists",
    "chains",
    "organizations_frame",
    "run_assessment",
    "store_results",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class AssessmentRun:
    """A scenario run on one data version: the engine's arrays plus impact."""

    spec: ScenarioSpec
    scenario: Scenario
    graph: Graph
    result: Assessment
    impact: npt.NDArray[np.float64]
    notes: list[str] = field(default_factory=list)

    @property
    def data_version(self) -> str:
        return self.graph.data_version

    def chain_names(self, org: int) -> list[str]:
        """Names along a shortest chain from a source to ``org``."""
        return [str(self.graph.names[i]) for i in self.result.chain(self.graph, org)]


def run_assessment(
    con: duckdb.DuckDBPyConnection, spec: ScenarioSpec, *, cache_key: str | None = None
) -> AssessmentRun:
    """Resolve the spec's names, build (or reuse) the graph, run reach, contagion and impact.

    Impact comes from the spec's ``model`` (the project's cascade unless another is asked for).
    """
    scenario, notes = build_scenario(con, spec)
    graph = load_graph(con, cache_key=cache_key)
    result = assess(graph, scenario)
    sources = (result.status == DESIGNATED) | (result.status == NONCOMPLIANT)
    impact = model_impact(graph, sources, result.exposed_edges, spec.model)
    for org in result.ignored_noncompliant:
        notes.append(
            f"{graph.names[org]}: named non-compliant but has no tie to cut with a designated "
            "organization, so it changes nothing"
        )
    return AssessmentRun(spec, scenario, graph, result, impact, notes)


def assess_scenario(
    con: duckdb.DuckDBPyConnection,
    spec: ScenarioSpec,
    *,
    cache_key: str | None = None,
    for_org: int | None = None,
    identified: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[AssessmentRun, AssessmentTables]:
    """The whole assessment of a scenario: run it, keep its results, build its tables.

    What ``exposure assess`` does before writing a report (see :mod:`exposure.tables`).
    """
    from exposure.tables import build_tables

    step = progress or (lambda _label, _done, _total: None)
    step("assessing", 0, 3)
    run = run_assessment(con, spec, cache_key=cache_key)
    step("storing results", 1, 3)
    store_results(con, run)
    step("building the tables", 2, 3)
    tables = build_tables(con, run, for_org=for_org, identified=identified)
    step("done", 3, 3)
    return run, tables


def organizations_frame(run: AssessmentRun) -> pd.DataFrame:
    """One row per organization, ranked: sources, then by impact, value at risk and tier."""
    result, graph = run.result, run.graph
    frame = pd.DataFrame(
        {
            "org_id": np.arange(graph.n_orgs),
            "name": graph.names,
            "kind": graph.kinds,
            "status": [STATUS[s] for s in result.status],
            "exposed": result.exposed,
            "tier": pd.array(np.where(result.tier >= 0, result.tier, -1), dtype="Int64"),
            "impact": np.round(run.impact, 6),
            "value_at_risk_usd": result.value_at_risk_usd,
            "late": result.late,
            "obliged": result.obliged,
        }
    )
    frame.loc[frame["tier"] < 0, "tier"] = pd.NA
    rank = np.where(result.status >= NONCOMPLIANT, 0, np.where(result.exposed, 1, 2))
    frame["_rank"] = rank
    frame = frame.sort_values(
        ["_rank", "impact", "value_at_risk_usd", "tier", "name"],
        ascending=[True, False, False, True, True],
        na_position="last",
        kind="stable",
    )
    return frame.drop(columns="_rank").reset_index(drop=True)


def _feeds(graph: Graph, e_in: int, e_out: int) -> bool:
    product, used_in = int(graph.product[e_out]), int(graph.used_in[e_in])
    return product < 0 or used_in < 0 or product == used_in


def _edge_chain_names(graph: Graph, edges: list[int]) -> list[str]:
    return [str(graph.names[graph.supplier[edges[0]]])] + [
        str(graph.names[graph.buyer[e]]) for e in edges
    ]


def chain_edge_lists(
    run: AssessmentRun, org: int, k: int = 3, *, limit: int = 20_000
) -> list[list[int]]:
    """Up to ``k`` distinct chains to ``org`` as lists of edge indexes; the first is shortest.

    Empty for sources and clear organizations. A small explanation, so networkx serves it:
    the exposed edges that can feed ``org`` are collected backwards (at most ``limit`` of
    them), then ``shortest_simple_paths`` lists chains of edges, kept when their organization
    sequence is new.
    """
    graph, result = run.graph, run.result
    shortest = result.chain_edges(org)
    if not shortest:
        return []
    exposed = result.exposed_edges
    by_buyer = np.argsort(graph.buyer, kind="stable")
    starts = np.searchsorted(graph.buyer[by_buyer], np.arange(graph.n_orgs + 1))

    def inbound(o: int) -> list[int]:
        edges = by_buyer[starts[o] : starts[o + 1]]
        return [int(e) for e in edges if exposed[e]]

    line = nx.DiGraph()
    targets = inbound(org)
    frontier = list(targets)
    seen = set(frontier)
    while frontier and len(seen) < limit:
        next_frontier = []
        for e_out in frontier:
            if result.edge_tier[e_out] == 1:
                line.add_edge("start", e_out)
            for e_in in inbound(int(graph.supplier[e_out])):
                if _feeds(graph, e_in, e_out):
                    line.add_edge(e_in, e_out)
                    if e_in not in seen:
                        seen.add(e_in)
                        next_frontier.append(e_in)
        frontier = next_frontier
    for e in targets:
        line.add_edge(e, "end")
    found = [shortest]
    found_names = [_edge_chain_names(graph, shortest)]
    if "start" not in line:
        return found
    for path in nx.shortest_simple_paths(line, "start", "end"):
        edges = [int(e) for e in path[1:-1]]
        names = _edge_chain_names(graph, edges)
        if names not in found_names:
            found.append(edges)
            found_names.append(names)
        if len(found) >= k:
            break
    return found


def chains(run: AssessmentRun, org: int, k: int = 3, *, limit: int = 20_000) -> list[list[str]]:
    """Up to ``k`` distinct chains (as names) from a source to ``org``; the first is shortest.

    A source's only chain is its own name; a clear organization has none. See
    :func:`chain_edge_lists` for how the chains are found.
    """
    graph = run.graph
    shortest = run.result.chain(graph, org)
    if len(shortest) <= 1:
        return [[str(graph.names[i]) for i in shortest]] if shortest else []
    return [_edge_chain_names(graph, edges) for edges in chain_edge_lists(run, org, k, limit=limit)]


_RESULTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS res_runs (
    run_id INTEGER, scenario VARCHAR, data_version VARCHAR, parameters VARCHAR, run_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS res_orgs (
    run_id INTEGER, scenario VARCHAR, data_version VARCHAR, org_id INTEGER, name VARCHAR,
    kind VARCHAR, status VARCHAR, tier INTEGER, impact DOUBLE, value_at_risk_usd DOUBLE,
    late BOOLEAN, obliged BOOLEAN, shortest_path VARCHAR[]
);
"""


def store_results(con: duckdb.DuckDBPyConnection, run: AssessmentRun) -> int:
    """Keep a run in ``res_runs`` and ``res_orgs`` (exposed organizations); return its id.

    An earlier run of the same scenario on the same data version is replaced.
    """
    con.execute(_RESULTS_SCHEMA)
    frame = organizations_frame(run)
    frame = frame[frame["exposed"]].copy()
    frame["shortest_path"] = [run.chain_names(int(i)) for i in frame["org_id"]]
    scenario = run.scenario
    parameters = json.dumps(
        {
            "designated": [str(run.graph.names[i]) for i in scenario.designated],
            "noncompliant": [str(run.graph.names[i]) for i in scenario.noncompliant],
            "scope": scenario.scope,
            "effective": scenario.effective.isoformat(),
            "transition_days": scenario.transition_days,
            "model": run.spec.model,
        }
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM res_orgs WHERE run_id IN (SELECT run_id FROM res_runs WHERE scenario = ? "
            "AND data_version = ?)",
            [scenario.name, run.data_version],
        )
        con.execute(
            "DELETE FROM res_runs WHERE scenario = ? AND data_version = ?",
            [scenario.name, run.data_version],
        )
        rows = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM res_runs").fetchall()
        run_id = int(rows[0][0])
        con.execute(
            "INSERT INTO res_runs VALUES (?, ?, ?, ?, ?)",
            [
                run_id,
                scenario.name,
                run.data_version,
                parameters,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        frame.insert(0, "data_version", run.data_version)
        frame.insert(0, "scenario", scenario.name)
        frame.insert(0, "run_id", run_id)
        frame["tier"] = frame["tier"].astype("Int64")
        con.register("_res_frame", frame.drop(columns=["exposed"]))
        con.execute(
            "INSERT INTO res_orgs SELECT run_id, scenario, data_version, org_id, name, kind, status, "
            "tier, impact, value_at_risk_usd, late, obliged, shortest_path FROM _res_frame"
        )
        con.unregister("_res_frame")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return run_id
