"""Scope clauses in the engine: hand-checked networks, and random ones against an oracle that
filters the edge list first and runs a plain networkx product-scoped reach."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from exposure.core.errors import ExposureError
from exposure.model.engine import Scenario, assess, scope_mask
from exposure.model.facts import DEPLOYMENTS, ENVIRONMENTS, OPERATORS, USES
from exposure.model.graph import Graph, build_graph
from exposure.model.scope import (
    ScopeClause,
    clauses_from_dicts,
    describe_scope,
    parse_clause,
    parse_clauses,
)

FIELDS = {
    "deployment": DEPLOYMENTS,
    "environment": ENVIRONMENTS,
    "operator": OPERATORS,
    "use": USES,
}


def network(orgs: str, edges: list[tuple[str, str, dict[str, str]]]) -> Graph:
    """A graph from 'A B C' and (supplier, buyer, facts) triples; no products (all blank)."""
    names = orgs.split()
    index = {name: i for i, name in enumerate(names)}
    facts = {
        field: np.array([vocab.index(e[2][field]) if field in e[2] else -1 for e in edges])
        for field, vocab in FIELDS.items()
    }
    n = len(edges)
    return build_graph(
        names=np.array(names, dtype=object),
        supplier=np.array([index[e[0]] for e in edges], dtype=np.int64),
        buyer=np.array([index[e[1]] for e in edges], dtype=np.int64),
        product=np.full(n, -1, dtype=np.int64),
        used_in=np.full(n, -1, dtype=np.int64),
        **facts,
    )


def exposed(graph: Graph, designated: str, *only: str, excluding: tuple[str, ...] = (), **levers):
    names = list(graph.names)
    scenario = Scenario(
        designated=tuple(names.index(n) for n in designated.split()),
        clauses=parse_clauses(only, excluding),
        **levers,
    )
    result = assess(graph, scenario)
    return {names[i] for i in np.flatnonzero(result.status == 1)}, result


# --- hand-checked networks ---------------------------------------------------------------


def test_an_edge_out_of_scope_breaks_the_chain():
    # V -> H (cloud) -> P (edge) -> A (edge): only edge deployments are covered.
    graph = network(
        "V H P A",
        [
            ("V", "H", {"deployment": "cloud"}),
            ("H", "P", {"deployment": "edge"}),
            ("P", "A", {"deployment": "edge"}),
        ],
    )
    assert exposed(graph, "V")[0] == {"H", "P", "A"}
    reached, result = exposed(graph, "V", "deployment=edge,embedded")
    assert reached == set()  # the cloud tie is not cut, so nothing flows past it
    assert result.out_of_scope_edges == 1
    assert not result.exposed_edges.any()
    # The designated vendor's own edge tie, directly: V -> P (edge) is cut, P -> A carries on.
    graph = network(
        "V H P A",
        [
            ("V", "H", {"deployment": "cloud"}),
            ("V", "P", {"deployment": "edge"}),
            ("P", "A", {"deployment": "edge"}),
        ],
    )
    reached, result = exposed(graph, "V", "deployment=edge")
    assert reached == {"P", "A"}
    assert result.tier.tolist() == [0, -1, 1, 2]


def test_unknown_facts_are_in_scope_unless_the_scenario_says_out():
    graph = network("V B C", [("V", "B", {}), ("B", "C", {"environment": "il6"})])
    reached, result = exposed(graph, "V", "environment>=il6")
    assert reached == {"B", "C"}
    assert result.unknown_scoped_edges == 1
    reached, result = exposed(graph, "V", "environment>=il6", unknown_scope="out")
    assert reached == set()
    assert result.unknown_scoped_edges == 1  # reported either way: it rests on the default


def test_environment_levels_compare_in_the_seed_order():
    graph = network(
        "V B C D",
        [
            ("V", "B", {"environment": "il5"}),
            ("V", "C", {"environment": "secret"}),
            ("V", "D", {"environment": "top_secret"}),
        ],
    )
    assert exposed(graph, "V", "environment>=secret")[0] == {"C", "D"}
    assert exposed(graph, "V", "environment>il6")[0] == {"C", "D"}
    assert exposed(graph, "V", "environment<=il5")[0] == {"B"}
    assert exposed(graph, "V", excluding=("environment>=secret",))[0] == {"B"}


def test_a_host_operated_channel_is_exempt():
    # The vendor's model reaches the agency twice: through the host's marketplace (the host
    # runs the model) and through the host reselling the vendor's own platform.
    graph = network(
        "Vendor Host Agency Other",
        [
            ("Vendor", "Host", {"operator": "host"}),
            ("Host", "Agency", {"operator": "host"}),
            ("Vendor", "Other", {"operator": "vendor"}),
        ],
    )
    reached, result = exposed(graph, "Vendor", excluding=("operator=host",))
    assert reached == {"Other"}
    names = list(graph.names)
    # The host's tie is not one to cut: it is not obliged either.
    assert not result.obliged[names.index("Host")]
    assert result.obliged[names.index("Other")]


def test_use_clause_and_clauses_combine():
    graph = network(
        "V A B C",
        [
            ("V", "A", {"use": "targeting", "deployment": "edge"}),
            ("V", "B", {"use": "targeting", "deployment": "cloud"}),
            ("V", "C", {"use": "back_office", "deployment": "edge"}),
        ],
    )
    assert exposed(graph, "V", "use=targeting")[0] == {"A", "B"}
    assert exposed(graph, "V", "use=targeting", excluding=("deployment=cloud",))[0] == {"A"}


def test_noncompliant_host_only_when_its_tie_is_in_scope():
    graph = network(
        "V H A",
        [("V", "H", {"deployment": "cloud"}), ("H", "A", {"deployment": "cloud"})],
    )
    names = list(graph.names)
    result = assess(
        graph,
        Scenario(
            designated=(0,),
            noncompliant=(names.index("H"),),
            clauses=(parse_clause("deployment=cloud", exclude=True),),
        ),
    )
    assert result.status.tolist() == [3, 0, 0]
    assert result.ignored_noncompliant == (1,)


def test_parsing_and_words():
    assert parse_clause("Environment >= IL-6") == ScopeClause("environment", ">=", ("il6",))
    assert parse_clause("deployment=on-prem,EDGE") == ScopeClause(
        "deployment", "=", ("on_premises", "edge")
    )
    assert parse_clause("environment>=secret", exclude=True).op == "<"
    clauses = parse_clauses(["deployment=edge,embedded"], ["operator=host"])
    words = describe_scope(clauses)
    assert words.startswith(
        "designation covers edge and embedded deployments only and exempts host-operated"
    )
    assert "unknown deployment or operator count as in scope" in words
    assert clauses_from_dicts([c.as_dict() for c in clauses]) == clauses
    for bad in ("colour=red", "deployment=space", "deployment>=edge", "environment>=il5,il6", "x"):
        with pytest.raises(ExposureError):
            parse_clause(bad)


# --- random networks against an oracle ----------------------------------------------------


def plain_in_scope(value: int, field: str, clause: ScopeClause, unknown: str) -> bool:
    """The clause's meaning written out directly, from its words rather than its codes."""
    if value < 0:
        return unknown == "in"
    vocab = FIELDS[field]
    name = vocab[value]
    if clause.op == "=":
        return name in clause.values
    if clause.op == "!=":
        return name not in clause.values
    level = ENVIRONMENTS.index(clause.values[0])
    return {
        ">=": value >= level,
        ">": value > level,
        "<=": value <= level,
        "<": value < level,
    }[clause.op]


def random_clause(rng: np.random.Generator) -> ScopeClause:
    field = str(rng.choice(list(FIELDS)))
    vocab = FIELDS[field]
    if field == "environment" and rng.random() < 0.6:
        return ScopeClause(
            "environment", str(rng.choice([">=", ">", "<=", "<"])), (str(rng.choice(vocab)),)
        )  # type: ignore[arg-type]
    k = int(rng.integers(1, len(vocab)))
    values = tuple(str(v) for v in rng.choice(vocab, size=k, replace=False))
    return ScopeClause(field, str(rng.choice(["=", "!="])), values)  # type: ignore[arg-type]


def reach_oracle(
    n_orgs: int, edges: list[tuple[int, int, int, int]], sources: set[int]
) -> dict[int, int]:
    """Organization tiers by networkx BFS over the line graph of product-scoped edges."""
    line = nx.DiGraph()
    line.add_node("start")
    for e, (s, _b, _p, _u) in enumerate(edges):
        line.add_node(e)
        if s in sources:
            line.add_edge("start", e)
    for e_in, (_s, b, _p, u) in enumerate(edges):
        for e_out, (s2, _b2, p2, _u2) in enumerate(edges):
            if s2 == b and (p2 < 0 or u < 0 or u == p2):
                line.add_edge(e_in, e_out)
    tiers = {s: 0 for s in sources}
    for e, d in nx.single_source_shortest_path_length(line, "start").items():
        if e != "start":
            buyer = edges[e][1]
            tiers[buyer] = min(tiers.get(buyer, d), d)
    return tiers


@pytest.mark.parametrize("seed", range(150))
def test_random_scoped_networks_match_the_filtered_oracle(seed):
    rng = np.random.default_rng(1000 + seed)
    n_orgs = int(rng.integers(2, 20))
    n_edges = int(rng.integers(0, 50))
    n_products = int(rng.integers(1, 4))
    supplier = rng.integers(0, n_orgs, n_edges)
    buyer = rng.integers(0, n_orgs, n_edges)
    product = np.where(rng.random(n_edges) < 0.3, -1, rng.integers(0, n_products, n_edges))
    used_in = np.where(rng.random(n_edges) < 0.4, -1, rng.integers(0, n_products, n_edges))
    facts = {
        field: np.where(rng.random(n_edges) < 0.25, -1, rng.integers(0, len(vocab), n_edges))
        for field, vocab in FIELDS.items()
    }
    graph = build_graph(
        names=np.array([f"org{i}" for i in range(n_orgs)], dtype=object),
        supplier=supplier,
        buyer=buyer,
        product=product,
        used_in=used_in,
        **facts,
    )
    clauses = tuple(random_clause(rng) for _ in range(int(rng.integers(1, 3))))
    unknown = "in" if rng.random() < 0.5 else "out"
    designated = tuple(int(x) for x in rng.choice(n_orgs, size=min(2, n_orgs), replace=False))

    kept = [
        e
        for e in range(n_edges)
        if all(plain_in_scope(int(facts[c.field][e]), c.field, c, unknown) for c in clauses)
    ]
    filtered = [(int(supplier[e]), int(buyer[e]), int(product[e]), int(used_in[e])) for e in kept]
    expected = reach_oracle(n_orgs, filtered, set(designated))

    result = assess(graph, Scenario(designated=designated, clauses=clauses, unknown_scope=unknown))
    assert {i: int(t) for i, t in enumerate(result.tier) if t >= 0} == expected
    # Out-of-scope edges are never exposed; the mask agrees with the plain meaning per edge.
    original = graph.edge_id  # build_graph's order -> the input order
    inside, unknown_fact = scope_mask(graph, clauses, unknown)  # type: ignore[arg-type]
    assert inside is not None and unknown_fact is not None
    assert sorted(int(original[e]) for e in np.flatnonzero(inside)) == kept
    assert not (result.exposed_edges & ~inside).any()
    assert int(unknown_fact.sum()) == sum(
        any(int(facts[c.field][e]) < 0 for c in clauses) for e in range(n_edges)
    )
    # Chains only use in-scope edges and end where they should.
    for org, tier in expected.items():
        chain = result.chain_edges(org)
        assert len(chain) == tier
        assert all(inside[e] for e in chain)
