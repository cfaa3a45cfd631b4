"""The reach engine: tiny hand-checked networks, and random ones against a networkx oracle."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import networkx as nx
import numpy as np
import pytest

from exposure.model.engine import CLEAR, DESIGNATED, EXPOSED, NONCOMPLIANT, Scenario, assess
from exposure.model.graph import Graph, build_graph


def network(orgs: str, edges: list[tuple], parent: dict[str, str] | None = None, **extra) -> Graph:
    """Build a graph from 'A B C' and (supplier, buyer, product, used_in, ...) tuples.

    Products are compared as the warehouse stores them: lower case, white space collapsed.
    """
    names = orgs.split()
    index = {name: i for i, name in enumerate(names)}
    vocabulary: dict[str, int] = {}

    def code(text: str | None) -> int:
        if text is None or not " ".join(text.split()):
            return -1
        return vocabulary.setdefault(" ".join(text.lower().split()), len(vocabulary))

    columns = {
        "supplier": np.array([index[e[0]] for e in edges], dtype=np.int64),
        "buyer": np.array([index[e[1]] for e in edges], dtype=np.int64),
        "product": np.array([code(e[2]) for e in edges], dtype=np.int64),
        "used_in": np.array([code(e[3]) for e in edges], dtype=np.int64),
    }
    parents = np.full(len(names), -1, dtype=np.int64)
    for child, owner in (parent or {}).items():
        parents[index[child]] = index[owner]
    return build_graph(
        names=np.array(names, dtype=object),
        parent=parents,
        products=np.array(sorted(vocabulary, key=vocabulary.get), dtype=object),
        **columns,
        **{k: np.asarray(v) for k, v in extra.items()},
    )


def run(graph: Graph, designated: str, **levers) -> dict[str, tuple[str, int]]:
    names = list(graph.names)
    scenario = Scenario(
        designated=tuple(names.index(n) for n in designated.split()),
        noncompliant=tuple(names.index(n) for n in levers.pop("noncompliant", "").split()),
        **levers,
    )
    result = assess(graph, scenario)
    labels = {
        CLEAR: "clear",
        EXPOSED: "exposed",
        NONCOMPLIANT: "noncompliant",
        DESIGNATED: "designated",
    }
    return {n: (labels[int(result.status[i])], int(result.tier[i])) for i, n in enumerate(names)}


def test_product_scoping_both_ways():
    # The host resells V's models in Bedrock only; its compute is clean.
    graph = network(
        "V Host BedrockBuyer ComputeBuyer",
        [
            ("V", "Host", "Claude models", "Bedrock"),
            ("Host", "BedrockBuyer", "Bedrock", None),
            ("Host", "ComputeBuyer", "EC2", None),
        ],
    )
    assert run(graph, "V") == {
        "V": ("designated", 0),
        "Host": ("exposed", 1),
        "BedrockBuyer": ("exposed", 2),
        "ComputeBuyer": ("clear", -1),
    }


def test_blank_used_in_exposes_every_product_and_blank_product_takes_any_input():
    graph = network(
        "V Host A B C Sub",
        [
            ("V", "Host", "models", None),  # unscoped: every Host product
            ("Host", "A", "Bedrock", None),
            ("Host", "B", "EC2", None),
            ("Sub", "C", None, None),  # blank product, but Sub has no exposed input
            ("A", "Sub", "analytics", "x"),
        ],
    )
    result = run(graph, "V")
    assert result["A"] == ("exposed", 2) and result["B"] == ("exposed", 2)
    # A's output "analytics" is fed by A's input used_in blank -> exposed; Sub then exposes
    # its blank-product edge to C through any exposed input.
    assert result["Sub"] == ("exposed", 3)
    assert result["C"] == ("exposed", 4)


def test_case_and_white_space_in_products():
    graph = network(
        "V Host Buyer",
        [("V", "Host", "models", "  Amazon   BEDROCK "), ("Host", "Buyer", "amazon bedrock", None)],
    )
    assert run(graph, "V")["Buyer"] == ("exposed", 2)


def test_used_in_that_matches_no_product_stops_there():
    graph = network(
        "V Host Buyer", [("V", "Host", "models", "Vertex"), ("Host", "Buyer", "Bedrock", None)]
    )
    assert run(graph, "V")["Buyer"] == ("clear", -1)


def test_ownership_designates_subsidiaries():
    graph = network(
        "Parent Sub Grandchild Buyer Other",
        [("Grandchild", "Buyer", "chips", None), ("Other", "Buyer", "paper", None)],
        parent={"Sub": "Parent", "Grandchild": "Sub"},
    )
    result = run(graph, "Parent")
    assert result["Sub"] == ("designated", 0) and result["Grandchild"] == ("designated", 0)
    assert result["Buyer"] == ("exposed", 1)
    assert result["Other"] == ("clear", -1)


def test_cycles_and_self_loops_are_safe():
    graph = network(
        "V A B",
        [
            ("V", "A", None, None),
            ("A", "B", None, None),
            ("B", "A", None, None),
            ("A", "A", None, None),
        ],
    )
    assert run(graph, "V") == {"V": ("designated", 0), "A": ("exposed", 1), "B": ("exposed", 2)}


def test_noncompliant_host_becomes_a_source_only_when_obliged():
    # Host buys the vendor's models for Bedrock only, so EC2 buyers are clear ... unless the host
    # keeps serving the vendor (non-compliant): then everything it sells is exposed.
    graph = network(
        "V Host Bedrock EC2 Bystander",
        [
            ("V", "Host", "models", "Bedrock"),
            ("Host", "Bedrock", "Bedrock", None),
            ("Host", "EC2", "EC2", None),
            ("Bystander", "EC2", "paper", None),
        ],
        dod_use=[False, True, True, True],
    )
    assert run(graph, "V")["EC2"] == ("clear", -1)
    what_if = run(graph, "V", noncompliant="Host")
    assert what_if["Host"] == ("noncompliant", 0)
    assert what_if["EC2"] == ("exposed", 1)
    # Bystander has no tie with a source: naming it non-compliant changes nothing.
    assert run(graph, "V", noncompliant="Bystander")["Bystander"] == ("clear", -1)
    # With scope dod, the V-Host tie (not DoD use) does not oblige the host: no contagion.
    assert run(graph, "V", noncompliant="Host", scope="dod")["Host"] == ("exposed", 1)


def test_obliged_means_any_tie_either_direction():
    graph = network(
        "V Buyer Seller Far",
        [("V", "Buyer", None, None), ("Seller", "V", None, None), ("Far", "Buyer", None, None)],
    )
    result = assess(graph, Scenario(designated=(0,)))
    assert result.obliged.tolist() == [False, True, True, False]


def test_value_at_risk_and_late_edges():
    graph = network(
        "V A B",
        [("V", "A", "x", None), ("V", "A", "y", None), ("A", "B", None, None)],
        value=[100.0, np.nan, 5.0],
        replacement_months=[7.0, 5.0, np.nan],
    )
    result = assess(
        graph, Scenario(designated=(0,), effective=date(2026, 2, 27), transition_days=180)
    )
    assert result.value_at_risk_usd.tolist() == [0.0, 100.0, 5.0]
    # 7 months = 213 days > 180 (late); 5 months = 152 days (on time); unknown months: not late.
    # The graph sorts edges by supplier and product: look them up by their months.
    late = {
        float(graph.replacement_months[i]): bool(result.edge_late[i])
        for i in range(3)
        if not np.isnan(graph.replacement_months[i])
    }
    assert late == {7.0: True, 5.0: False}
    assert result.late.tolist() == [False, True, False]
    unknown = np.isnan(graph.replacement_months)
    assert int(unknown.sum()) == 1 and not result.edge_late[unknown].any()
    assert result.scenario.deadline == date(2026, 8, 26)


def test_chain_is_a_shortest_path_of_names():
    graph = network(
        "V Host Sub Prime Agency",
        [
            ("V", "Host", "models", "Bedrock"),
            ("Host", "Sub", "Bedrock", "Platform"),
            ("Sub", "Prime", "Platform", None),
            ("Prime", "Agency", "System", None),
            ("V", "Prime", "API", "Other"),  # direct, but it feeds Prime's "Other", not "System"
        ],
    )
    result = assess(graph, Scenario(designated=(0,)))
    names = list(graph.names)
    # Prime is tier 1 (a direct tie), yet the Agency is reached only through the scoped chain.
    assert int(result.tier[names.index("Prime")]) == 1
    assert int(result.tier[names.index("Agency")]) == 4
    assert [names[i] for i in result.chain(graph, names.index("Agency"))] == [
        "V",
        "Host",
        "Sub",
        "Prime",
        "Agency",
    ]
    assert [names[i] for i in result.chain(graph, names.index("Sub"))] == ["V", "Host", "Sub"]
    assert result.chain(graph, names.index("V")) == [0]


# --- random networks against an oracle written with networkx -------------------------------


def oracle(graph: Graph, sources: set[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Edge tiers and organization tiers, by BFS on an explicit product-scoped edge graph."""
    line = nx.DiGraph()
    start = "start"
    line.add_node(start)
    by_supplier: dict[int, list[int]] = {}
    for e in range(graph.n_edges):
        line.add_node(e)
        by_supplier.setdefault(int(graph.supplier[e]), []).append(e)
        if int(graph.supplier[e]) in sources:
            line.add_edge(start, e)
    for e_in in range(graph.n_edges):
        for e_out in by_supplier.get(int(graph.buyer[e_in]), []):
            p, u = int(graph.product[e_out]), int(graph.used_in[e_in])
            if p < 0 or u < 0 or u == p:
                line.add_edge(e_in, e_out)
    distance = nx.single_source_shortest_path_length(line, start)
    edge_tier = {e: d for e, d in distance.items() if e != start}
    org_tier = {s: 0 for s in sources}
    for e, d in edge_tier.items():
        b = int(graph.buyer[e])
        org_tier[b] = min(org_tier.get(b, d), d)
    return edge_tier, org_tier


def random_graph(rng: np.random.Generator) -> Graph:
    n_orgs = int(rng.integers(2, 25))
    n_edges = int(rng.integers(0, 60))
    n_products = int(rng.integers(1, 5))
    supplier = rng.integers(0, n_orgs, n_edges)
    buyer = rng.integers(0, n_orgs, n_edges)  # self-loops and cycles included on purpose
    product = np.where(rng.random(n_edges) < 0.25, -1, rng.integers(0, n_products, n_edges))
    used_in = np.where(rng.random(n_edges) < 0.35, -1, rng.integers(0, n_products, n_edges))
    return build_graph(
        names=np.array([f"org{i}" for i in range(n_orgs)], dtype=object),
        supplier=supplier,
        buyer=buyer,
        product=product,
        used_in=used_in,
    )


@pytest.mark.parametrize("seed", range(250))
def test_random_networks_match_the_networkx_oracle(seed):
    rng = np.random.default_rng(seed)
    graph = random_graph(rng)
    k = int(rng.integers(1, 3))
    designated = tuple(
        int(x) for x in rng.choice(graph.n_orgs, size=min(k, graph.n_orgs), replace=False)
    )
    result = assess(graph, Scenario(designated=designated))
    edge_tier, org_tier = oracle(graph, set(designated))

    assert {e: int(t) for e, t in enumerate(result.edge_tier) if t > 0} == edge_tier
    got_orgs = {i: int(t) for i, t in enumerate(result.tier) if t >= 0}
    assert got_orgs == org_tier
    # Every chain is a valid product-scoped chain of the organization's tier length.
    for org, tier in org_tier.items():
        edges = result.chain_edges(org)
        assert len(edges) == tier
        if not edges:
            continue
        assert int(graph.supplier[edges[0]]) in designated
        assert int(graph.buyer[edges[-1]]) == org
        for e_in, e_out in pairwise(edges):
            assert graph.buyer[e_in] == graph.supplier[e_out]
            p, u = int(graph.product[e_out]), int(graph.used_in[e_in])
            assert p < 0 or u < 0 or u == p


def contagion_oracle(
    n_orgs: int,
    ties: list[tuple[int, int, bool]],
    parent: list[int],
    designated: set[int],
    named: set[int],
    scope: str,
) -> tuple[set[int], set[int]]:
    """Designated (ownership closed) and non-compliant sets, from SPEC 4.1 and 4.3 directly."""
    owners = nx.DiGraph()
    owners.add_nodes_from(range(n_orgs))
    owners.add_edges_from((p, child) for child, p in enumerate(parent) if p >= 0)
    closed = set(designated)
    for org in designated:
        closed |= nx.descendants(owners, org)
    business = nx.Graph()
    business.add_nodes_from(range(n_orgs))
    business.add_edges_from((a, b) for a, b, dod in ties if scope == "all" or dod)
    noncompliant: set[int] = set()
    while True:
        sources = closed | noncompliant
        tied = {n for s in sources for n in business.neighbors(s)} - sources
        newly = (named - closed) & tied
        if not newly:
            return closed, noncompliant
        noncompliant |= newly


@pytest.mark.parametrize("seed", range(120))
def test_random_ownership_and_contagion_match_the_oracle(seed):
    rng = np.random.default_rng(10_000 + seed)
    n_orgs = int(rng.integers(3, 20))
    n_edges = int(rng.integers(1, 40))
    supplier = rng.integers(0, n_orgs, n_edges)
    buyer = rng.integers(0, n_orgs, n_edges)
    product = np.where(rng.random(n_edges) < 0.4, -1, rng.integers(0, 3, n_edges))
    used_in = np.where(rng.random(n_edges) < 0.4, -1, rng.integers(0, 3, n_edges))
    dod_use = rng.random(n_edges) < 0.5
    # A forest of owners: each organization's parent has a lower id, or none.
    parent = [int(rng.integers(0, i)) if i and rng.random() < 0.3 else -1 for i in range(n_orgs)]
    graph = build_graph(
        names=np.array([f"org{i}" for i in range(n_orgs)], dtype=object),
        supplier=supplier,
        buyer=buyer,
        product=product,
        used_in=used_in,
        dod_use=dod_use,
        parent=np.array(parent, dtype=np.int64),
    )
    designated = {int(rng.integers(n_orgs))}
    named = {int(x) for x in rng.choice(n_orgs, size=int(rng.integers(0, 4)), replace=False)}
    scope = "dod" if rng.random() < 0.5 else "all"
    result = assess(
        graph,
        Scenario(designated=tuple(designated), noncompliant=tuple(sorted(named)), scope=scope),
    )
    ties = [(int(a), int(b), bool(d)) for a, b, d in zip(supplier, buyer, dod_use, strict=True)]
    closed, noncompliant = contagion_oracle(n_orgs, ties, parent, designated, named, scope)
    assert set(np.flatnonzero(result.status == DESIGNATED).tolist()) == closed
    assert set(np.flatnonzero(result.status == NONCOMPLIANT).tolist()) == noncompliant
    edge_tier, org_tier = oracle(graph, closed | noncompliant)
    assert {e: int(t) for e, t in enumerate(result.edge_tier) if t > 0} == edge_tier
    assert {i: int(t) for i, t in enumerate(result.tier) if t >= 0} == org_tier
    # Obliged: a tie in scope with a source, not being one.
    sources = closed | noncompliant
    obliged = {
        x
        for a, b, dod in ties
        if scope == "all" or dod
        for x, other in ((a, b), (b, a))
        if other in sources and x not in sources
    }
    assert set(np.flatnonzero(result.obliged).tolist()) == obliged


# --- impact ---------------------------------------------------------------------------------


def impacts(graph: Graph, designated: str) -> dict[str, float]:
    from exposure.model.impact import cascade_impact

    names = list(graph.names)
    result = assess(graph, Scenario(designated=tuple(names.index(n) for n in designated.split())))
    sources = (result.status == DESIGNATED) | (result.status == NONCOMPLIANT)
    impact = cascade_impact(graph, sources, result.exposed_edges)
    return {n: round(float(impact[i]), 6) for i, n in enumerate(names)}


def test_linear_loss_is_the_value_share_of_the_lost_input():
    graph = network(
        "V Other B", [("V", "B", "x", None), ("Other", "B", "y", None)], value=[30.0, 70.0]
    )
    assert impacts(graph, "V")["B"] == 0.3


def test_essential_input_is_a_bottleneck_and_alternatives_absorb():
    graph = network(
        "V Other B C",
        [
            ("V", "B", "x", None),
            ("Other", "B", "y", None),
            ("V", "C", "x", None),
            ("Other", "C", "y", None),
        ],
        value=[1.0, 99.0, 1.0, 99.0],
        essential=[True, False, True, False],
        alternatives=[0, 0, 3, 0],
    )
    result = impacts(graph, "V")
    assert result["B"] == 1.0  # production stops without its essential input
    assert result["C"] == 0.25  # three qualified substitutes absorb three quarters of the loss


def test_impact_cascades_and_counts_edges_when_values_are_missing():
    graph = network(
        "V A B Other",
        [("V", "A", None, None), ("A", "B", None, None), ("Other", "B", None, None)],
        value=[10.0, np.nan, 5.0],
    )
    result = impacts(graph, "V")
    assert result["A"] == 1.0 and result["B"] == 0.5 and result["V"] == 1.0
    assert result["Other"] == 0.0


@pytest.mark.parametrize("seed", range(30))
def test_the_two_threaded_search_gives_the_same_result(seed, monkeypatch):
    """Large networks split each level of the search over two threads: same answers."""
    import exposure.model.engine as engine_module

    graph = random_graph(np.random.default_rng(900 + seed))
    scenario = Scenario(designated=(0,))
    alone = assess(graph, scenario)
    monkeypatch.setattr(engine_module, "_PARALLEL_EDGES", -1)
    threaded = assess(graph, scenario)
    for name in ("status", "tier", "org_via", "edge_tier", "edge_from", "late", "obliged"):
        np.testing.assert_array_equal(getattr(alone, name), getattr(threaded, name), err_msg=name)
