"""The chains that explain an exposure: simple in organizations and product-scoped.

A hand case from issue 10 (a loop back to the organization asked about), then random cyclic
networks against a brute-force oracle that enumerates every simple product-scoped chain
with networkx.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from exposure import assess as assess_scenario
from exposure import connect, load_files
from exposure.model.chains import chain_edge_lists, chains
from exposure.model.engine import NONCOMPLIANT, Scenario, assess
from exposure.model.graph import Graph, build_graph
from exposure.model.run import AssessmentRun
from exposure.model.scenario import ScenarioSpec
from exposure.report.outputs import assessment_json
from exposure.warehouse.scenarios import resolve_org

# --- the case of issue 10 --------------------------------------------------------------------


@pytest.fixture
def loop_db(tmp_path: Path) -> Path:
    """Host Co <- Vendor AI; Integrator LLC <- Host Co; Host Co <- Integrator LLC."""
    (tmp_path / "organizations.csv").write_text("name\nVendor AI\nHost Co\nIntegrator LLC\n")
    (tmp_path / "relationships.csv").write_text(
        "buyer,supplier,relation\n"
        "Host Co,Vendor AI,model_api\n"
        "Integrator LLC,Host Co,cloud_hosting\n"
        "Host Co,Integrator LLC,subcontract\n"
    )
    path = tmp_path / "loop.duckdb"
    con = connect(path)
    try:
        load_files(con, [tmp_path / "organizations.csv", tmp_path / "relationships.csv"])
    finally:
        con.close()
    return path


def test_a_loop_back_to_the_organization_is_not_a_chain(loop_db: Path) -> None:
    con = connect(loop_db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        host = resolve_org(con, "Host Co")
        integrator = resolve_org(con, "Integrator LLC")
    finally:
        con.close()
    # Before the fix: also Vendor AI > Host Co > Integrator LLC > Host Co.
    assert chains(run, host, k=3) == [["Vendor AI", "Host Co"]]
    assert chains(run, integrator, k=3) == [["Vendor AI", "Host Co", "Integrator LLC"]]
    document = assessment_json(run, detail_for=host)
    mine = next(o for o in document["organizations"] if o["name"] == "Host Co")
    assert mine["paths"] == [["Vendor AI", "Host Co"]]


def network(names: list[str], edges: list[tuple[str, str, str | None, str | None]]) -> Graph:
    """A graph from (supplier, buyer, product, used_in) tuples; products are small codes."""
    index = {name: i for i, name in enumerate(names)}
    vocabulary: dict[str, int] = {}

    def code(text: str | None) -> int:
        return -1 if text is None else vocabulary.setdefault(text, len(vocabulary))

    return build_graph(
        names=np.array(names, dtype=object),
        supplier=np.array([index[e[0]] for e in edges], dtype=np.int64),
        buyer=np.array([index[e[1]] for e in edges], dtype=np.int64),
        product=np.array([code(e[2]) for e in edges], dtype=np.int64),
        used_in=np.array([code(e[3]) for e in edges], dtype=np.int64),
    )


def run_on(graph: Graph, designated: tuple[int, ...]) -> AssessmentRun:
    scenario = Scenario(designated=designated)
    result = assess(graph, scenario)
    return AssessmentRun(ScenarioSpec(), scenario, graph, result, np.zeros(graph.n_orgs))


def test_the_shortest_simple_chain_comes_first_even_when_a_loop_is_shorter() -> None:
    # T's product is made only from H's "y"; H makes "y" from I's "c", and I makes "c" from
    # H's "b": V > H > I > H > T (4 edges) is the engine's shortest, but it visits H twice.
    # The simple chains are V > X > Y > Z > H > T (5 edges) and V > X > Y > Z > W > H > T.
    graph = network(
        ["V", "H", "I", "T", "X", "Y", "Z", "W"],
        [
            ("V", "H", None, "b"),
            ("H", "I", "b", "c"),
            ("I", "H", "c", "y"),
            ("H", "T", "y", None),
            ("V", "X", None, None),
            ("X", "Y", None, None),
            ("Y", "Z", None, None),
            ("Z", "H", None, "y"),
            ("Z", "W", None, None),
            ("W", "H", None, "y"),
        ],
    )
    run = run_on(graph, (0,))
    assert run.chain_names(3) == ["V", "H", "I", "H", "T"]
    assert chains(run, 3, k=3) == [
        ["V", "X", "Y", "Z", "H", "T"],
        ["V", "X", "Y", "Z", "W", "H", "T"],
    ]


def test_only_a_loop_reaches_it_so_the_engine_chain_is_kept() -> None:
    graph = network(
        ["V", "H", "I", "T"],
        [("V", "H", None, "b"), ("H", "I", "b", "c"), ("I", "H", "c", "y"), ("H", "T", "y", None)],
    )
    run = run_on(graph, (0,))
    assert chains(run, 3, k=3) == [["V", "H", "I", "H", "T"]]  # the one explanation there is
    assert chains(run, 0, k=3) == [["V"]]  # a source's chain is its own name


# --- random cyclic networks against a brute-force oracle -------------------------------------


def random_graph(rng: np.random.Generator) -> Graph:
    n_orgs = int(rng.integers(2, 8))
    n_edges = int(rng.integers(1, 18))
    n_products = int(rng.integers(1, 4))
    supplier = rng.integers(0, n_orgs, n_edges)
    buyer = rng.integers(0, n_orgs, n_edges)  # self-loops, cycles, parallel edges included
    product = np.where(rng.random(n_edges) < 0.3, -1, rng.integers(0, n_products, n_edges))
    used_in = np.where(rng.random(n_edges) < 0.4, -1, rng.integers(0, n_products, n_edges))
    return build_graph(
        names=np.array([f"org{i}" for i in range(n_orgs)], dtype=object),
        supplier=supplier,
        buyer=buyer,
        product=product,
        used_in=used_in,
    )


def feeds(graph: Graph, e_in: int, e_out: int) -> bool:
    """SPEC 4.1: e_out's product is e_in's used_in, or either is blank."""
    p, u = int(graph.product[e_out]), int(graph.used_in[e_in])
    return graph.buyer[e_in] == graph.supplier[e_out] and (p < 0 or u < 0 or p == u)


def oracle_chains(graph: Graph, sources: set[int], org: int) -> set[tuple[int, ...]]:
    """Every chain to ``org`` as a tuple of organizations, by brute force on the line graph.

    A chain starts at a source, has no other source on it, visits no organization twice,
    and each edge feeds the next.
    """
    line = nx.DiGraph()
    for e in range(graph.n_edges):
        if int(graph.supplier[e]) in sources:
            line.add_edge("start", e)
        if int(graph.buyer[e]) == org:
            line.add_edge(e, "end")
        for f in range(graph.n_edges):
            if feeds(graph, e, f):
                line.add_edge(e, f)
    if "start" not in line or "end" not in line:
        return set()
    found = set()
    # A simple chain has at most n_orgs - 1 edges: with start and end, n_orgs + 1 steps.
    for path in nx.all_simple_paths(line, "start", "end", cutoff=graph.n_orgs + 1):
        edges = path[1:-1]
        orgs = (int(graph.supplier[edges[0]]), *(int(graph.buyer[e]) for e in edges))
        if len(set(orgs)) == len(orgs) and not sources & set(orgs[1:]):
            found.add(orgs)
    return found


@pytest.mark.parametrize("seed", range(200))
def test_random_cyclic_networks_match_the_brute_force_oracle(seed: int) -> None:
    rng = np.random.default_rng(seed)
    graph = random_graph(rng)
    designated = tuple(
        int(x) for x in rng.choice(graph.n_orgs, size=int(rng.integers(1, 3)), replace=False)
    )
    run = run_on(graph, designated)
    sources = {int(i) for i in np.flatnonzero(run.result.status >= NONCOMPLIANT)}
    k = int(rng.integers(1, 5))
    for org in range(graph.n_orgs):
        expected = oracle_chains(graph, sources, org)
        got = chain_edge_lists(run, org, k)
        if org in sources or not run.result.exposed[org]:
            assert got == []
            continue
        if not expected:  # only a loop reaches it: the engine's shortest chain, alone
            assert got == [run.result.chain_edges(org)]
            continue
        orgs = [(int(graph.supplier[c[0]]), *(int(graph.buyer[e]) for e in c)) for c in got]
        assert len(got) == min(k, len(expected))
        assert len(set(orgs)) == len(orgs)  # distinct
        assert set(orgs) <= expected  # each valid, simple, from a source, ending at org
        for chain, sequence in zip(got, orgs, strict=True):
            assert sequence[0] in sources and sequence[-1] == org
            assert all(feeds(graph, a, b) for a, b in pairwise(chain))
        assert len(orgs[0]) == min(len(c) for c in expected)  # the first is a shortest
        assert [len(c) for c in orgs] == sorted(len(c) for c in orgs)
        names = chains(run, org, k)
        assert names == [[str(graph.names[i]) for i in c] for c in orgs]
