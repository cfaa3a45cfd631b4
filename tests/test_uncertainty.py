"""The Monte Carlo over uncertain links against closed forms and brute-force enumeration.

Tolerances are stated in standard errors: an estimate of a probability p from n samples has
standard error sqrt(p (1 - p) / n); a check passes within K = 4.5 of them (a false failure
about once in 150,000 comparisons; the seeds are fixed, so a run is reproducible anyway).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from exposure.model.engine import DESIGNATED, NONCOMPLIANT, Scenario, assess
from exposure.model.graph import Graph, build_graph
from exposure.model.uncertainty import (
    BATCH,
    LinkProbabilities,
    base_rate,
    exact_p_exposed,
    sample_reach,
    simulate,
    undocumented,
)

K = 4.5


def _graph(edges: list[tuple[int, int]], n: int, **arrays: object) -> Graph:
    supplier = np.array([s for s, _ in edges], dtype=np.int64)
    buyer = np.array([b for _, b in edges], dtype=np.int64)
    blank = np.full(len(edges), -1, dtype=np.int64)
    return build_graph(
        names=np.array([f"org {i}" for i in range(n)], dtype=object),
        supplier=supplier,
        buyer=buyer,
        product=arrays.pop("product", blank),  # type: ignore[arg-type]
        used_in=arrays.pop("used_in", blank),  # type: ignore[arg-type]
        **arrays,  # type: ignore[arg-type]
    )


def _sources(graph: Graph, designated: tuple[int, ...] = (0,)) -> np.ndarray:
    status = assess(graph, Scenario(designated=designated)).status
    return np.asarray((status == DESIGNATED) | (status == NONCOMPLIANT))


def _within(estimate: float, exact: float, n: int) -> bool:
    error = np.sqrt(max(exact * (1 - exact), 1e-12) / n)
    return abs(estimate - exact) <= K * error + 1e-12


def _in_edge_order(graph: Graph, by_input_order: list[float]) -> np.ndarray:
    """Per-edge values given in the order the edges were listed, in the graph's edge order."""
    return np.asarray(by_input_order, dtype=np.float64)[graph.edge_id]


def test_chain_of_two_uncertain_links_is_the_product() -> None:
    # vendor 0 -> 1 -> 2, both links uncertain: P(2 exposed) = p1 p2.
    graph = _graph([(0, 1), (1, 2)], 3)
    p1, p2, n = 0.7, 0.4, 20_000
    probability = _in_edge_order(graph, [p1, p2])
    run = simulate(
        graph,
        _sources(graph),
        np.zeros(2, bool),
        LinkProbabilities(),
        samples=n,
        seed=7,
        probability=probability,
    )
    assert _within(run.p_exposed[1], p1, n)
    assert _within(run.p_exposed[2], p1 * p2, n)
    assert run.p_exposed[0] == 1.0
    exact = exact_p_exposed(graph, _sources(graph), probability)
    assert exact[2] == pytest.approx(p1 * p2, abs=1e-12)


def test_two_parallel_paths() -> None:
    # 0 -> 1 -> 2 (p1, p2) and 0 -> 2 (p3): P(2) = 1 - (1 - p1 p2)(1 - p3).
    graph = _graph([(0, 1), (1, 2), (0, 2)], 3)
    p1, p2, p3, n = 0.6, 0.5, 0.2, 20_000
    probability = _in_edge_order(graph, [p1, p2, p3])
    run = simulate(
        graph,
        _sources(graph),
        np.zeros(3, bool),
        LinkProbabilities(),
        samples=n,
        seed=3,
        probability=probability,
    )
    closed = 1 - (1 - p1 * p2) * (1 - p3)
    assert _within(run.p_exposed[2], closed, n)
    assert exact_p_exposed(graph, _sources(graph), probability)[2] == pytest.approx(closed)


def test_value_at_risk_range_of_one_uncertain_link() -> None:
    # One uncertain $100 input with p = 0.5: the network's value at risk is 0 or 100, so
    # P5 = 0 and P95 = 100, and the mean is 50 within its error.
    graph = _graph([(0, 1)], 2, value=np.array([100.0]))
    n = 4_000
    run = simulate(
        graph,
        _sources(graph),
        np.zeros(1, bool),
        LinkProbabilities(),
        samples=n,
        seed=1,
        probability=np.array([0.5]),
    )
    assert run.value_at_risk_range[0] == 0.0 and run.value_at_risk_range[2] == 100.0
    assert _within(run.expected_var[1] / 100.0, 0.5, n)
    assert set(np.unique(run.network_var)) == {0.0, 100.0}
    assert np.array_equal(run.tracked_var[0], run.network_var.astype(np.float32))


def _random_network(rng: np.random.Generator, k: int) -> tuple[Graph, np.ndarray]:
    n = int(rng.integers(4, 12))
    m = int(rng.integers(k, k + 25))
    supplier = rng.integers(0, n, m)
    buyer = rng.integers(0, n, m)
    keep = supplier != buyer
    supplier, buyer = supplier[keep], buyer[keep]
    m = len(supplier)
    graph = build_graph(
        names=np.array([f"o{i}" for i in range(n)], dtype=object),
        supplier=supplier,
        buyer=buyer,
        product=rng.integers(-1, 3, m),
        used_in=rng.integers(-1, 3, m),
        value=rng.choice([np.nan, 10.0, 250.0, 1000.0], m),
    )
    probability = np.ones(m)
    chosen = rng.choice(m, size=min(k, m), replace=False)
    probability[chosen] = rng.uniform(0.05, 0.95, len(chosen))
    return graph, probability


def _brute_force(graph: Graph, probability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact P(exposed) and expected value at risk by the deterministic engine on every state."""
    uncertain = np.flatnonzero(probability < 1)
    p_exposed = np.zeros(graph.n_orgs)
    var = np.zeros(graph.n_orgs)
    for state in itertools.product([False, True], repeat=len(uncertain)):
        present = np.ones(graph.n_edges, dtype=bool)
        present[uncertain] = state
        weight = float(np.prod(np.where(state, probability[uncertain], 1 - probability[uncertain])))
        result = assess(graph, Scenario(designated=(0,)), present=present)
        p_exposed += weight * result.exposed
        var += weight * result.value_at_risk_usd
    return p_exposed, var


@pytest.mark.parametrize("seed", range(6))
def test_monte_carlo_and_exact_mode_against_enumerating_every_state(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 11))
    graph, probability = _random_network(rng, k)
    sources = _sources(graph)
    exact_p, exact_var = _brute_force(graph, probability)
    assert np.allclose(exact_p_exposed(graph, sources, probability), exact_p, atol=1e-12)
    n = 3_000
    run = simulate(
        graph,
        sources,
        np.zeros(graph.n_edges, bool),
        LinkProbabilities(),
        samples=n,
        seed=seed,
        probability=probability,
    )
    for org in range(graph.n_orgs):
        assert _within(run.p_exposed[org], exact_p[org], n), (org, run.p_exposed[org], exact_p[org])
    # Expected value at risk: its standard error bounded by the largest value it can take.
    bound = np.bincount(graph.buyer, weights=np.nan_to_num(graph.value), minlength=graph.n_orgs)
    assert np.all(np.abs(run.expected_var - exact_var) <= K * bound / np.sqrt(n) / 2 + 1e-9)


def test_batch_reach_matches_the_engine_sample_by_sample() -> None:
    rng = np.random.default_rng(11)
    for _ in range(25):
        graph, _ = _random_network(rng, 5)
        sources = _sources(graph)
        draws = rng.random((graph.n_edges, BATCH)) < 0.6
        masks = np.packbits(draws, axis=1, bitorder="little").view(np.uint64)
        reach = sample_reach(graph, sources, np.arange(graph.n_edges), masks)
        orgs = np.unpackbits(reach.org_bits.view(np.uint8), axis=1, bitorder="little")
        edges = np.unpackbits(reach.edge_bits.view(np.uint8), axis=1, bitorder="little")
        for sample in range(0, BATCH, 31):
            result = assess(graph, Scenario(designated=(0,)), present=draws[:, sample])
            assert np.array_equal(orgs[:, sample].astype(bool), result.exposed)
            assert np.array_equal(edges[:, sample].astype(bool), result.exposed_edges)


def test_a_seed_gives_the_same_result_and_another_seed_another() -> None:
    rng = np.random.default_rng(5)
    graph, probability = _random_network(rng, 8)
    args = (graph, _sources(graph), np.zeros(graph.n_edges, bool), LinkProbabilities())
    first = simulate(*args, samples=700, seed=42, probability=probability)
    again = simulate(*args, samples=700, seed=42, probability=probability)
    other = simulate(*args, samples=700, seed=43, probability=probability)
    assert np.array_equal(first.p_exposed, again.p_exposed)
    assert np.array_equal(first.network_var, again.network_var)
    assert not np.array_equal(first.network_var, other.network_var)


def test_confidence_levels_set_the_probabilities() -> None:
    # Edge confidences: reported, inferred, unknown on three separate links from the vendor.
    graph = _graph([(0, 1), (0, 2), (0, 3)], 4, confidence=np.array([1, 2, 3], dtype=np.int8))
    probabilities = LinkProbabilities(reported=0.8, inferred=0.5, unknown=0.1)
    n = 10_000
    run = simulate(graph, _sources(graph), np.zeros(3, bool), probabilities, samples=n, seed=2)
    for org, p in ((1, 0.8), (2, 0.5), (3, 0.1)):
        assert _within(run.p_exposed[org], p, n)
    with pytest.raises(ValueError):
        LinkProbabilities(unknown=1.5)


def test_late_dependencies_range_counts_late_organizations() -> None:
    # Two late inputs into org 1 (one certain): org 1 is late in every sample; org 2's late
    # input exists with p = 0.5, so the count is 1 or 2.
    graph = _graph([(0, 1), (0, 1), (0, 2)], 3)
    late = np.ones(3, dtype=bool)
    run = simulate(
        graph,
        _sources(graph),
        late,
        LinkProbabilities(),
        samples=2_000,
        seed=4,
        probability=_in_edge_order(graph, [1.0, 0.3, 0.5]),
    )
    assert set(np.unique(run.late_count)) == {1.0, 2.0}
    assert run.late_range == (1.0, pytest.approx(np.median(run.late_count)), 2.0)


def test_undocumented_is_clear_only_for_want_of_an_answer() -> None:
    # 0 -> 1 confirmed, 0 -> 2 unknown, 2 -> 3 confirmed: 2 and 3 are clear but undocumented;
    # 4 is clear (no chain at all).
    graph = _graph(
        [(0, 1), (0, 2), (2, 3), (1, 4)], 5, confidence=np.array([0, 3, 0, 3], dtype=np.int8)
    )
    result = assess(graph, Scenario(designated=(0,)))
    assert result.exposed.tolist() == [True, True, False, False, False]
    hidden = undocumented(graph, Scenario(designated=(0,)), result)
    assert hidden.tolist() == [False, False, True, True, True]


def test_base_rate_of_yes_among_answers() -> None:
    assert base_rate(2, 8) == 0.25
    assert base_rate(0, 0, default=0.4) == 0.4
