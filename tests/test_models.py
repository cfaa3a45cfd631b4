"""Reference impact models: published examples, hand-checked cases, and loop-based oracles.

Each model is checked three ways: the numbers its paper (or reference implementation)
publishes, tiny cases worked out by hand in the comments, and random networks against a
plain-Python, edge-by-edge oracle written straight from the equations in docs/model.md.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from exposure.model.reference import debtrank, esri, esri_index, iim

SPARSE_FORMATS = [sparse.csr_array, sparse.csc_array, sparse.coo_array, sparse.csr_matrix]

# ---------------------------------------------------------------------------------------
# DebtRank
# ---------------------------------------------------------------------------------------

# The example documented in the R package NetworkRiskMeasures (function debt_rank):
# a lent 1 to b; b lent 10 to a and 3 to c; c lent 3 to a and 2 to b.
NRM_EXPOSURES = np.array([[0, 1, 0], [10, 0, 3], [3, 2, 0]], dtype=float)
NRM_CAPITAL = np.array([2.0, 5.0, 2.0])
NRM_WEIGHTS = np.array([10.0, 100.0, 30.0])

# Impacts by hand, L[i][j] = exposures[j][i] / capital[j], W = min(1, L):
#   W[a][b] = min(1, 10/5) = 1     W[a][c] = min(1, 3/2) = 1
#   W[b][a] = 1/2 = .5             W[b][c] = 2/2 = 1
#   W[c][a] = 0/2 = 0              W[c][b] = 3/5 = .6
# v = (10, 100, 30) / 140.
#
# a defaults: t1 b = 1, c = 1 -> h = (1, 1, 1); score = (10 + 100 + 30 - 10) / 140 = .928571
# b defaults: t1 a = .5, c = 1; t2 a (h .5) and c (h 1) only push b, already 1
#             -> h = (.5, 1, 1); score = (5 + 100 + 30 - 100) / 140 = 35/140 = .25
# c defaults: t1 a += 0 (W[c][a] = 0: a stays undistressed), b = .6;
#             t2 from b: a = .5 * .6 = .3, c capped at 1; t3 from a: b = .6 + .3 = .9
#             -> h = (.3, .9, 1); score = (3 + 90 + 30 - 30) / 140 = 93/140 = .664286
NRM_PUBLISHED = [
    (0, 0.928571, [1.0, 1.0, 1.0], 2),
    (1, 0.25, [0.5, 1.0, 1.0], 1),
    (2, 0.664286, [0.3, 0.9, 1.0], 0),
]


def one_default(n_nodes: int, node: int) -> np.ndarray:
    h0 = np.zeros(n_nodes)
    h0[node] = 1.0
    return h0


@pytest.mark.parametrize(("node", "score", "h", "additional"), NRM_PUBLISHED)
def test_debtrank_2012_reproduces_network_risk_measures_example(node, score, h, additional):
    result = debtrank(NRM_EXPOSURES, NRM_CAPITAL, one_default(3, node), NRM_WEIGHTS, "2012")
    assert result.score == pytest.approx(score, abs=5e-7)
    np.testing.assert_allclose(result.h, h, atol=1e-12)
    assert result.additional_defaults == additional


def test_debtrank_2015_is_at_least_2012_on_the_example():
    # 2015 lets b's later distress flow again: with c defaulted, the fixed point has
    # h_a = .5 h_b and h_b = min(1, .6 + h_a) -> h_b = 1, h_a = .5;
    # score = (5 + 100 + 30 - 30) / 140 = .75 > .664286. For a and b nothing changes.
    expected = {0: 0.928571, 1: 0.25, 2: 0.75}
    for node, score in expected.items():
        h0 = one_default(3, node)
        once = debtrank(NRM_EXPOSURES, NRM_CAPITAL, h0, NRM_WEIGHTS, "2012")
        fixed = debtrank(NRM_EXPOSURES, NRM_CAPITAL, h0, NRM_WEIGHTS, "2015")
        assert fixed.score == pytest.approx(score, abs=5e-7)
        assert fixed.score >= once.score - 1e-12
        assert np.all(fixed.h >= once.h - 1e-12)


def test_debtrank_variants_agree_on_a_tree_where_each_node_is_hit_once():
    # 0 hits 1 and 2; 1 hits 3 (a tree: every node has one path from the source).
    # L[0][1] = exposures[1][0] / capital[1] = 1/2; L[0][2] = 2/4; L[1][3] = 1/2.
    # h0 = (1, 0, 0, 0): t1 h1 = h2 = .5, t2 h3 = .5 * .5 = .25.
    exposures = np.zeros((4, 4))
    exposures[1, 0], exposures[2, 0], exposures[3, 1] = 1.0, 2.0, 1.0
    capital = [1.0, 2.0, 4.0, 2.0]
    h0 = one_default(4, 0)
    once = debtrank(exposures, capital, h0, variant="2012")
    fixed = debtrank(exposures, capital, h0, variant="2015")
    np.testing.assert_allclose(once.h, [1.0, 0.5, 0.5, 0.25])
    np.testing.assert_allclose(fixed.h, once.h)
    # Equal weights: (1 + .5 + .5 + .25) / 4 - 1/4 = .3125.
    assert once.score == pytest.approx(0.3125)
    assert fixed.score == pytest.approx(0.3125)


@pytest.mark.parametrize("variant", ["2012", "2015"])
def test_debtrank_cap_matters_when_an_exposure_exceeds_capital(variant):
    # Node 1 lent 6 to node 0 with capital 3: L[0][1] = 2, W[0][1] = 1.
    # h0 = (.25, 0): capped h1 = .25, uncapped h1 = min(1, 2 * .25) = .5.
    exposures = [[0.0, 0.0], [6.0, 0.0]]
    capped = debtrank(exposures, [1.0, 3.0], [0.25, 0.0], variant=variant)
    uncapped = debtrank(exposures, [1.0, 3.0], [0.25, 0.0], variant=variant, capped=False)
    np.testing.assert_allclose(capped.h, [0.25, 0.25])
    np.testing.assert_allclose(uncapped.h, [0.25, 0.5])
    assert capped.score == pytest.approx(0.125)  # (.25 + .25) / 2 - .25 / 2
    assert uncapped.score == pytest.approx(0.25)  # (.25 + .5) / 2 - .25 / 2


@pytest.mark.parametrize("variant", ["2012", "2015"])
@pytest.mark.parametrize("to_sparse", SPARSE_FORMATS)
def test_debtrank_sparse_input_gives_identical_results(variant, to_sparse):
    for node in range(3):
        h0 = one_default(3, node)
        dense = debtrank(NRM_EXPOSURES, NRM_CAPITAL, h0, NRM_WEIGHTS, variant)
        sparse_result = debtrank(to_sparse(NRM_EXPOSURES), NRM_CAPITAL, h0, NRM_WEIGHTS, variant)
        np.testing.assert_array_equal(sparse_result.h, dense.h)
        assert sparse_result.score == dense.score


def test_debtrank_does_not_modify_its_inputs():
    exposures = sparse.coo_array(([1.0, 2.0], ([0, 0], [1, 1])), shape=(2, 2))  # duplicates
    before = (exposures.data.copy(), exposures.row.copy())
    debtrank(exposures, [1.0, 1.0], [0.0, 1.0])
    np.testing.assert_array_equal(exposures.data, before[0])
    np.testing.assert_array_equal(exposures.row, before[1])


@pytest.mark.parametrize("variant", ["2012", "2015"])
def test_debtrank_edge_cases(variant):
    # Empty network.
    empty = debtrank(np.zeros((0, 0)), [], [], variant=variant)
    assert empty.score == 0.0 and empty.h.shape == (0,) and empty.additional_defaults == 0
    # No initial distress: nothing happens.
    quiet = debtrank(NRM_EXPOSURES, NRM_CAPITAL, [0, 0, 0], NRM_WEIGHTS, variant)
    assert quiet.score == 0.0 and not quiet.h.any()
    # An isolated node (3) neither hits nor is hit.
    exposures = np.zeros((4, 4))
    exposures[:3, :3] = NRM_EXPOSURES
    isolated = debtrank(exposures, [*NRM_CAPITAL, 1.0], [0, 0, 1, 0], [*NRM_WEIGHTS, 0], variant)
    alone = debtrank(NRM_EXPOSURES, NRM_CAPITAL, [0, 0, 1], NRM_WEIGHTS, variant)
    assert isolated.h[3] == 0.0
    assert isolated.score == pytest.approx(alone.score)
    # A self-exposure: node 0 holds its own debt worth half its capital.
    self_loop = debtrank([[1.0, 0.0], [2.0, 0.0]], [2.0, 4.0], [0.5, 0.0], variant=variant)
    # 2012: 0 hits itself once (.5 * .5 = .25 more) and 1 (2/4 * .5 = .25).
    # 2015: h_0 = .5 + .5 h_0 -> 1 (geometrically), then h_1 = 2/4 * 1 = .5.
    if variant == "2012":
        np.testing.assert_allclose(self_loop.h, [0.75, 0.25])
    else:
        np.testing.assert_allclose(self_loop.h, [1.0, 0.5], atol=1e-9)
        # Node 0 started distressed (.5), not defaulted, and ends defaulted.
        assert self_loop.additional_defaults == 1


def test_debtrank_rejects_bad_input():
    with pytest.raises(ValueError, match="capital"):
        debtrank([[0, 1], [1, 0]], [1, 0], [1, 0])
    with pytest.raises(ValueError, match="square"):
        debtrank([[0, 1, 0], [1, 0, 0]], [1, 1], [1, 0])
    with pytest.raises(ValueError, match="non-negative"):
        debtrank([[0, -1], [1, 0]], [1, 1], [1, 0])
    with pytest.raises(ValueError, match="h0"):
        debtrank([[0, 1], [1, 0]], [1, 1], [-1, 0])
    with pytest.raises(ValueError, match="variant"):
        debtrank([[0, 1], [1, 0]], [1, 1], [1, 0], variant="2020")  # type: ignore[arg-type]


def debtrank_2012_oracle(exposures, capital, h0, weights) -> tuple[list[float], float]:
    """Battiston et al. 2012 node by node: states U/D/I, impacts W[i][j] = min(1, ...)."""
    n = len(capital)
    impact = [[min(1.0, exposures[j][i] / capital[j]) for j in range(n)] for i in range(n)]
    h = [min(1.0, x) for x in h0]
    start = list(h)
    state = ["D" if x > 0 else "U" for x in h]
    while "D" in state:
        previous = list(h)
        for j in range(n):
            pushed = sum(impact[i][j] * previous[i] for i in range(n) if state[i] == "D")
            h[j] = min(1.0, previous[j] + pushed)
        state = [
            "I" if s == "D" else ("D" if s == "U" and h[k] > 0 else s) for k, s in enumerate(state)
        ]
    total = sum(weights)
    return h, sum((h[k] - start[k]) * weights[k] / total for k in range(n))


@st.composite
def exposure_networks(draw):
    n = draw(st.integers(1, 6))
    amounts = st.sampled_from([0.0, 0.0, 0.0, 0.5, 1.0, 3.0, 8.0])
    exposures = np.array(draw(st.lists(amounts, min_size=n * n, max_size=n * n))).reshape(n, n)
    capital = np.array(
        draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 5.0]), min_size=n, max_size=n))
    )
    h0 = np.array(
        draw(st.lists(st.sampled_from([0.0, 0.0, 0.2, 0.5, 1.0]), min_size=n, max_size=n))
    )
    weights = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 10.0]), min_size=n, max_size=n)))
    return exposures, capital, h0, weights


@settings(max_examples=150, deadline=None)
@given(exposure_networks())
def test_debtrank_properties_and_oracle(network):
    exposures, capital, h0, weights = network
    once = debtrank(exposures, capital, h0, weights, "2012")
    fixed = debtrank(exposures, capital, h0, weights, "2015")
    oracle_h, oracle_score = debtrank_2012_oracle(exposures, capital, h0, weights)
    np.testing.assert_allclose(once.h, oracle_h, atol=1e-12)
    assert once.score == pytest.approx(oracle_score, abs=1e-12)
    for result in (once, fixed):
        assert np.all(result.h >= np.minimum(h0, 1.0)) and np.all(result.h <= 1.0)
        assert -1e-12 <= result.score <= 1.0 + 1e-12
    # The 2015 fixed point bounds the 2012 dynamics from above.
    assert np.all(fixed.h >= once.h - 1e-9)
    assert fixed.score >= once.score - 1e-9
    # ... and it is a fixed point.
    impact_t = np.minimum(1.0, exposures / capital[:, None])
    np.testing.assert_allclose(fixed.h, np.minimum(1.0, h0 + impact_t @ fixed.h), atol=1e-9)


# ---------------------------------------------------------------------------------------
# ESRI
# ---------------------------------------------------------------------------------------

# Diem et al. 2022, Fig. 1: edges a -> b (a sells to b), weight 1, firms numbered from 1.
TOY_EDGES = [(2, 1), (2, 3), (3, 7), (6, 7), (7, 4), (7, 11), (8, 11), (9, 5), (9, 10), (10, 7)]
TOY_SECTORS = np.array([1, 2, 1, 3, 4, 2, 4, 1, 2, 3, 5]) - 1
TOY_LINEAR = np.ones((5, 5), dtype=int)
TOY_PUBLISHED = [0.1, 0.3667, 0.2667, 0.35, 0.1, 0.1667, 0.7, 0.1, 0.3667, 0.2667, 0.45]


def toy_network() -> np.ndarray:
    W = np.zeros((11, 11))
    for seller, buyer in TOY_EDGES:
        W[seller - 1, buyer - 1] = 1.0
    return W


# Sales (out-strength): firm 2, 7, 9 sell 2; firms 3, 6, 8, 10 sell 1; 1, 4, 5, 11 sell
# nothing; total 10, so weights .2 / .1 / 0. Hand check of three entries (1-based firms):
#   firm 1 fails: own weight 0; upstream 2 loses 1 of its 2 customers -> .5: .2 * .5 = .1
#   firm 7 fails: own .2; upstream 3, 6, 10 lose their only customer (.1 each = .3), then
#                 2 and 9 lose half their sales (.2 * .5 each = .2); downstream 4 and 11
#                 sell nothing: total .7
#   firm 11 fails: upstream 7 -> .5 (.1), 8 -> 0 (.1), 3, 6, 10 -> .5 (.05 each), 2 and
#                 9 -> .75 (.2 * .25 each = .1): total .45
# The tracks stay separate: firm 1's failure pushes firm 2 to .5 upstream, but that never
# travels downstream to firm 3 (otherwise ESRI_1 would exceed .1).
@pytest.mark.parametrize(("firm", "published"), list(enumerate(TOY_PUBLISHED, start=1)))
def test_esri_reproduces_the_paper_toy_network(firm, published):
    index = esri_index(toy_network(), TOY_SECTORS, TOY_LINEAR)
    assert index[firm - 1] == pytest.approx(published, abs=1e-3)
    # To the published four decimals.
    assert round(float(index[firm - 1]), 4) == published


def test_esri_toy_levels_when_firm_7_fails():
    shock = np.ones(11)
    shock[6] = 0.0
    result = esri(toy_network(), TOY_SECTORS, TOY_LINEAR, shock)
    down = dict(enumerate(result.h_down.round(6).tolist(), start=1))
    up = dict(enumerate(result.h_up.round(6).tolist(), start=1))
    # Downstream: 4 buys only from 7 -> 0; 11 buys from 7 and 8 -> .5.
    assert (down[4], down[11], down[7]) == (0.0, 0.5, 0.0)
    assert all(down[f] == 1.0 for f in (1, 2, 3, 5, 6, 8, 9, 10))
    # Upstream: 3, 6, 10 sell only to 7 -> 0; 2 and 9 sell half to them -> .5.
    assert (up[3], up[6], up[10], up[2], up[9]) == (0.0, 0.0, 0.0, 0.5, 0.5)
    assert all(up[f] == 1.0 for f in (1, 4, 5, 8, 11))
    # Step 1 hits 4, 11, 3, 6, 10; step 2 hits 2, 9; step 3 changes nothing.
    assert result.steps == 3
    np.testing.assert_array_equal(result.h, np.minimum(result.h_down, result.h_up))


def test_esri_replaceability_on_the_toy_network():
    # sigma_i = min(1, s_out_i / A_k), A_k = sum over sector k of h_l s_out_l (previous
    # downstream step), applied to the supplier's lost share on the downstream track only.
    # Sales: 2, 7, 9 sell 2; 3, 6, 8, 10 sell 1; weights w = sales / 10.
    W = toy_network()
    plain = esri_index(W, TOY_SECTORS, TOY_LINEAR)
    replaced = esri_index(W, TOY_SECTORS, TOY_LINEAR, replaceability=True)
    # Firm 6 fails (sector 2 = firms 2, 6, 9): A_2 = 2 + 0 + 2 = 4, sigma_6 = 1/4. Firm 7
    # buys 1 of its 3 inputs from 6 and loses 1/3 * 1/4 = 1/12 instead of 1/3; 7 is alone
    # in selling in sector 4 (A_4 = 2 h_7 <= 2, sigma_7 = 1), so 4 and 11 (weight 0) get
    # 7's loss in full. ESRI_6 = .1 (own) + .2 / 12 = .11667 (plain .1 + .2 / 3 = .1667).
    assert plain[5] == pytest.approx(0.1 + 0.2 / 3)
    assert replaced[5] == pytest.approx(0.1 + 0.2 / 12)
    # Firm 2 fails (A_2 = 0 + 1 + 2 = 3, sigma_2 = 2/3): its only customers 1 and 3 lose
    # 2/3. Next step, sector 1 (firms 1, 3, 8 selling 0, 1, 1) still sells
    # A_1 = 1/3 + 1 = 4/3, so sigma_3 = 3/4 and firm 7 loses 1/3 * 3/4 * 2/3 = 1/6.
    # ESRI_2 = .2 + .1 * 2/3 + .2 * 1/6 = .3 (plain .2 + .1 + .2 / 3 = .3667).
    assert plain[1] == pytest.approx(0.2 + 0.1 + 0.2 / 3)
    assert replaced[1] == pytest.approx(0.2 + 0.1 * 2 / 3 + 0.2 / 6)
    # Firm 9 fails (A_2 = 2 + 1 + 0 = 3, sigma_9 = 2/3): 5 and 10 lose 2/3; 10 is alone in
    # selling in sector 3 (sigma_10 = 1), so 7 loses 1/3 * 2/3 = 2/9.
    # ESRI_9 = .2 + .1 * 2/3 + .2 * 2/9 = .3111 (plain .3667).
    assert replaced[8] == pytest.approx(0.2 + 0.1 * 2 / 3 + 0.2 * 2 / 9)
    # Firm 3 fails (sector 1: A_1 = 0 + 0 + 1 = 1, sigma_3 = min(1, 1/1) = 1): a competitor
    # only as large as the failed firm replaces nothing, so ESRI_3 stays .2667. Firm 7 sells
    # alone in its sector: nothing replaces it either.
    assert replaced[2] == pytest.approx(plain[2])
    assert replaced[6] == pytest.approx(plain[6])
    # The other firms' indices are upstream losses or hit weight-0 firms only: unchanged.
    for firm in (0, 3, 4, 7, 9, 10):
        assert replaced[firm] == pytest.approx(plain[firm])
    # The cascade, step by step, from the oracle written from the equations.
    for firm in range(11):
        shock = np.ones(11)
        shock[firm] = 0.0
        down, up, _ = esri_oracle(W, TOY_SECTORS, TOY_LINEAR, shock, replaceability=True)
        weight = W.sum(axis=1) / W.sum()
        assert replaced[firm] == pytest.approx(weight @ (1 - np.minimum(down, up)))


def test_esri_replaceability_when_the_whole_sector_has_failed():
    # Firm 0 (sector 0) sells s to firm 1 (sector 1) and fails: sector 0 then sells
    # A_0 = 0 <= 1e-10, which GLcascade replaces by 1, so sigma_0 = min(1, s / 1).
    # For s >= 1 nothing is replaced (firm 1 stops); for s < 1 the rule scales the loss
    # down to s although nobody can step in: the guard depends on the unit of W.
    ess = [[1, 1], [1, 1]]
    for sales, level in ((2.0, 0.0), (1.0, 0.0), (0.5, 0.5)):
        W = [[0.0, sales], [0.0, 0.0]]
        assert esri(W, [0, 1], ess, [0.0, 1.0]).h_down[1] == 0.0
        assert esri(W, [0, 1], ess, [0.0, 1.0], replaceability=True).h_down[1] == level
    # With a competitor in sector 0 (firm 2, selling 3 to firm 3), A_0 = 0 * 1 + 1 * 3 and
    # firm 1 loses only sigma_0 = 1/3 of its input.
    W = np.zeros((4, 4))
    W[0, 1], W[2, 3] = 1.0, 3.0
    result = esri(W, [0, 1, 0, 1], ess, [0.0, 1.0, 1.0, 1.0], replaceability=True)
    assert result.h_down[1] == pytest.approx(1 - 1 / 3)


def test_esri_essential_inputs_are_bottlenecks():
    # Firm 2 buys 1 from firm 0 (sector 0) and 3 from firm 1 (sector 1).
    W = np.zeros((3, 3))
    W[0, 2], W[1, 2] = 1.0, 3.0
    sector = [0, 1, 2]
    linear = np.ones((3, 3), dtype=int)
    essential_from_0 = linear.copy()
    essential_from_0[0, 2] = 2
    negligible_from_0 = linear.copy()
    negligible_from_0[0, 2] = 0
    shock = [0.0, 1.0, 1.0]
    # Linear: loses 1 of 4 input units -> .75. Essential: its only sector-0 input is gone
    # -> 0. Negligible: never limits -> 1.
    assert esri(W, sector, linear, shock).h_down[2] == pytest.approx(0.75)
    assert esri(W, sector, essential_from_0, shock).h_down[2] == 0.0
    assert esri(W, sector, negligible_from_0, shock).h_down[2] == 1.0
    # Half of an essential sector's supply lost -> .5, even though it is 1/8 of inputs.
    W2 = np.zeros((4, 4))
    W2[0, 3], W2[1, 3], W2[2, 3] = 1.0, 1.0, 6.0
    ess = np.ones((3, 3), dtype=int)
    ess[0, 2] = 2
    result = esri(W2, [0, 0, 1, 2], ess, [0.0, 1.0, 1.0, 1.0])
    assert result.h_down[3] == pytest.approx(0.5)


@pytest.mark.parametrize("to_sparse", SPARSE_FORMATS)
def test_esri_sparse_input_gives_identical_results(to_sparse):
    W = toy_network()
    ess = np.random.default_rng(1).integers(0, 3, (5, 5))
    for replaceability in (False, True):
        dense = esri_index(W, TOY_SECTORS, ess, replaceability)
        np.testing.assert_array_equal(
            esri_index(to_sparse(W), TOY_SECTORS, ess, replaceability), dense
        )
    shock = np.linspace(0, 1, 11)
    dense_run = esri(W, TOY_SECTORS, ess, shock)
    sparse_run = esri(to_sparse(W), TOY_SECTORS, ess, shock)
    np.testing.assert_array_equal(sparse_run.h_down, dense_run.h_down)
    np.testing.assert_array_equal(sparse_run.h_up, dense_run.h_up)


def test_esri_edge_cases():
    # Empty network.
    assert esri_index(np.zeros((0, 0)), [], np.ones((1, 1), dtype=int)).shape == (0,)
    assert esri(np.zeros((0, 0)), [], np.ones((1, 1), dtype=int), []).h.shape == (0,)
    # No sales at all: no weights, every index 0.
    assert esri_index(np.zeros((3, 3)), [0, 0, 0], [[1]]).tolist() == [0.0, 0.0, 0.0]
    # Isolated firm 3, firm 0 with no inputs, firm 2 with no customers, self-loop on 1.
    W = np.zeros((4, 4))
    W[0, 1], W[1, 1], W[1, 2] = 1.0, 1.0, 2.0
    result = esri(W, [0, 0, 0, 0], [[1]], [1.0, 0.5, 1.0, 1.0])
    assert np.all(np.isfinite(result.h_down)) and np.all(np.isfinite(result.h_up))
    # Firm 1 at .5: 2 loses half its inputs; 0 loses half its sales; 3 untouched. The
    # self-loop makes firm 1 lose its own half-delivered input too (not below its shock).
    np.testing.assert_allclose(result.h_down, [1.0, 0.5, 0.5, 1.0])
    np.testing.assert_allclose(result.h_up, [0.5, 0.5, 1.0, 1.0])
    index = esri_index(W, [0, 0, 0, 0], [[1]])
    assert index[3] == 0.0  # the isolated firm sells nothing and hits nobody
    assert np.all((index >= 0) & (index <= 1))
    # An unshocked network stays at 1 and stops after one step.
    calm = esri(W, [0, 0, 0, 0], [[1]], np.ones(4))
    assert calm.steps == 1 and np.all(calm.h == 1.0)


def test_esri_toy_cannot_tell_sales_from_purchase_weights():
    # Sales, purchase and sales + purchase shares all reproduce the published numbers on
    # this network (so the toy does not identify the size measure); equal weights do not.
    W = toy_network()
    for size in (W.sum(axis=1), W.sum(axis=0), W.sum(axis=0) + W.sum(axis=1)):
        index = esri_index(W, TOY_SECTORS, TOY_LINEAR, weights=size)
        np.testing.assert_allclose(index, TOY_PUBLISHED, atol=1e-4)
    equal = esri_index(W, TOY_SECTORS, TOY_LINEAR, weights=np.ones(11))
    assert np.abs(equal - TOY_PUBLISHED).max() > 0.1


def test_esri_index_in_two_processes_is_identical():
    rng = np.random.default_rng(5)
    W = sparse.random_array((60, 60), density=0.08, format="csr", rng=rng)
    sector = rng.integers(0, 4, 60)
    ess = rng.integers(0, 3, (4, 4))
    one = esri_index(W, sector, ess, block_size=16)
    two = esri_index(W, sector, ess, block_size=16, n_jobs=2)
    np.testing.assert_array_equal(one, two)


def test_esri_weights_argument():
    W = toy_network()
    equal = esri_index(W, TOY_SECTORS, TOY_LINEAR, weights=np.ones(11))
    # Firm 7 fails: 7, 4, 3, 6, 10 lose everything, 11, 2, 9 half: 6.5 of 11 firms.
    assert equal[6] == pytest.approx(6.5 / 11)


def test_esri_rejects_bad_input():
    W = toy_network()
    with pytest.raises(ValueError, match="sector codes"):
        esri_index(W, TOY_SECTORS + 1, TOY_LINEAR)
    with pytest.raises(ValueError, match="ess entries"):
        esri_index(W, TOY_SECTORS, TOY_LINEAR * 3)
    with pytest.raises(ValueError, match="square"):
        esri_index(W, TOY_SECTORS, np.ones((5, 4), dtype=int))
    with pytest.raises(ValueError, match="shock"):
        esri(W, TOY_SECTORS, TOY_LINEAR, np.full(11, 1.5))
    with pytest.raises(ValueError, match="non-negative"):
        esri_index(-W, TOY_SECTORS, TOY_LINEAR)
    with pytest.raises(ValueError, match="integer"):
        esri_index(W, TOY_SECTORS.astype(float), TOY_LINEAR)


def esri_oracle(W, sector, ess, psi, replaceability=False, eps=0.01, max_steps=10_000):
    """The ESRI cascade edge by edge on a networkx graph, straight from the equations.

    Replaceability (Diem et al. 2022; GLcascade): supplier j's lost share 1 - h_j reaches
    its customers scaled by sigma_j = min(1, s_out_j / A_k), k = sector of j,
    A_k = sum over firms l of sector k of h_l s_out_l (1 if at most 1e-10), h being the
    previous downstream step; without replaceability sigma_j = 1.
    """
    n = len(psi)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from(
        (i, j, W[i][j]) for i in range(n) for j in range(n) if W[i][j] > 0
    )
    sales = {i: graph.out_degree(i, weight="weight") for i in range(n)}
    inputs = {i: graph.in_degree(i, weight="weight") for i in range(n)}
    down, up = list(psi), list(psi)
    for step in range(1, max_steps + 1):
        sigma = [1.0] * n
        if replaceability:
            still_sold: defaultdict[int, float] = defaultdict(float)
            for firm in range(n):
                still_sold[sector[firm]] += down[firm] * sales[firm]
            for j in range(n):
                market = still_sold[sector[j]]
                if market <= 1e-10:
                    market = 1.0
                sigma[j] = min(1.0, sales[j] / market)
        lost = [sigma[j] * (1 - down[j]) for j in range(n)]
        new_down, new_up = [], []
        for i in range(n):
            level = psi[i]
            # Pi_ik = 1 - sum_{j in k} W[j, i] lost_j / sum_{j in k} W[j, i] (essential k);
            # the linear term loses sum W[j, i] lost_j / s_in_i over non-essential inputs.
            lost_essential: defaultdict[int, float] = defaultdict(float)
            needed: defaultdict[int, float] = defaultdict(float)
            lost_linear = 0.0
            for j, _, w in graph.in_edges(i, data="weight"):
                kind = ess[sector[j]][sector[i]]
                if kind == 2:
                    lost_essential[sector[j]] += w * lost[j]
                    needed[sector[j]] += w
                elif kind == 1:
                    lost_linear += w * lost[j]
            if inputs[i] > 0:
                level = min(level, 1 - lost_linear / inputs[i])
            for k in needed:
                level = min(level, 1 - lost_essential[k] / needed[k])
            new_down.append(min(1.0, max(0.0, level)))
            level = psi[i]
            if sales[i] > 0:
                lost_sales = sum(w * (1 - up[j]) for _, j, w in graph.out_edges(i, data="weight"))
                level = min(level, 1 - lost_sales / sales[i])
            new_up.append(min(1.0, max(0.0, level)))
        drop = max(
            [a - b for a, b in zip(down, new_down, strict=True)]
            + [a - b for a, b in zip(up, new_up, strict=True)]
        )
        down, up = new_down, new_up
        if drop <= eps + 1e-12:  # the same rounding slack as the implementation
            return np.array(down), np.array(up), step
    return np.array(down), np.array(up), max_steps


def esri_index_oracle(W, sector, ess, replaceability=False, eps=0.01):
    """ESRI_i from the oracle: sales-weighted loss of min(h_down, h_up) when i fails alone."""
    W = np.asarray(W, dtype=float)
    n = len(sector)
    sales = W.sum(axis=1)
    if sales.sum() == 0:
        return np.zeros(n)
    index = np.empty(n)
    for firm in range(n):
        shock = np.ones(n)
        shock[firm] = 0.0
        down, up, _ = esri_oracle(W, sector, ess, shock, replaceability, eps)
        index[firm] = sales @ (1 - np.minimum(down, up)) / sales.sum()
    return index


@st.composite
def supply_networks(draw, max_firms=7):
    n = draw(st.integers(1, max_firms))
    n_sectors = draw(st.integers(1, 3))
    amounts = st.sampled_from([0.0, 0.0, 0.0, 0.5, 1.0, 3.0])
    W = np.array(draw(st.lists(amounts, min_size=n * n, max_size=n * n))).reshape(n, n)
    sector = np.array(draw(st.lists(st.integers(0, n_sectors - 1), min_size=n, max_size=n)))
    ess = np.array(
        draw(st.lists(st.integers(0, 2), min_size=n_sectors**2, max_size=n_sectors**2))
    ).reshape(n_sectors, n_sectors)
    shock = np.array(
        draw(st.lists(st.sampled_from([0.0, 0.3, 0.7, 1.0, 1.0]), min_size=n, max_size=n))
    )
    return W, sector, ess, shock


@settings(max_examples=150, deadline=None)
@given(supply_networks(), st.booleans(), st.sampled_from([0.001, 0.01, 0.2]))
def test_esri_matches_the_oracle(network, replaceability, eps):
    W, sector, ess, shock = network
    result = esri(W, sector, ess, shock, replaceability, eps)
    down, up, steps = esri_oracle(W, sector, ess, shock, replaceability, eps)
    np.testing.assert_allclose(result.h_down, down, atol=1e-9)
    np.testing.assert_allclose(result.h_up, up, atol=1e-9)
    assert result.steps == steps


@settings(max_examples=80, deadline=None)
@given(supply_networks(), st.booleans())
def test_esri_index_matches_the_oracle(network, replaceability):
    W, sector, ess, _ = network
    index = esri_index(W, sector, ess, replaceability, block_size=3)
    np.testing.assert_allclose(
        index, esri_index_oracle(W, sector, ess, replaceability), rtol=0, atol=1e-9
    )


@pytest.mark.parametrize("replaceability", [False, True])
@pytest.mark.parametrize("to_matrix", [np.asarray, sparse.csr_array, sparse.csc_array])
def test_esri_matches_the_oracle_on_larger_random_networks(replaceability, to_matrix):
    # 25 firms in 4 sectors: several competitors per sector, mixed essentiality, partial
    # shocks; esri on three shocks and esri_index on every firm, against the oracle.
    rng = np.random.default_rng(11)
    n = 25
    W = rng.lognormal(0.0, 1.0, (n, n)) * (rng.random((n, n)) < 0.15)
    sector = rng.integers(0, 4, n)
    ess = rng.integers(0, 3, (4, 4))
    for _ in range(3):
        shock = np.where(rng.random(n) < 0.15, rng.choice([0.0, 0.4], n), 1.0)
        result = esri(to_matrix(W), sector, ess, shock, replaceability, eps=0.001)
        down, up, steps = esri_oracle(W, sector, ess, shock, replaceability, eps=0.001)
        np.testing.assert_allclose(result.h_down, down, atol=1e-9)
        np.testing.assert_allclose(result.h_up, up, atol=1e-9)
        assert result.steps == steps
    index = esri_index(to_matrix(W), sector, ess, replaceability, block_size=7)
    np.testing.assert_allclose(
        index, esri_index_oracle(W, sector, ess, replaceability), rtol=0, atol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(supply_networks(), st.booleans())
def test_esri_index_equals_one_cascade_per_firm(network, replaceability):
    W, sector, ess, _ = network
    n = len(sector)
    index = esri_index(W, sector, ess, replaceability, block_size=3)
    sales = W.sum(axis=1)
    if sales.sum() == 0:
        assert not index.any()
        return
    weight = sales / sales.sum()
    for firm in range(n):
        shock = np.ones(n)
        shock[firm] = 0.0
        h = esri(W, sector, ess, shock, replaceability).h
        assert index[firm] == pytest.approx(weight @ (1 - h), abs=1e-12)
    assert np.all((index >= -1e-12) & (index <= 1 + 1e-12))


@settings(max_examples=100, deadline=None)
@given(supply_networks(), st.data())
def test_esri_levels_in_unit_interval_and_monotone_in_the_shock(network, data):
    W, sector, ess, shock = network
    worse = shock * np.array(
        data.draw(
            st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=len(shock), max_size=len(shock))
        )
    )
    # eps = 0 runs to the fixed point, where monotonicity holds exactly (a positive eps
    # may stop a milder shock's cascade at a different step).
    mild = esri(W, sector, ess, shock, eps=0.0)
    severe = esri(W, sector, ess, worse, eps=0.0)
    for result in (mild, severe):
        for level in (result.h_down, result.h_up):
            assert np.all((level >= 0) & (level <= 1))
    assert np.all(severe.h_down <= mild.h_down + 1e-9)
    assert np.all(severe.h_up <= mild.h_up + 1e-9)
    assert np.all(mild.h <= shock)


# ---------------------------------------------------------------------------------------
# Inoperability input-output model
# ---------------------------------------------------------------------------------------


def test_iim_reproduces_the_two_sector_example():
    # q1 = .8 q2 and q2 = .2 q1 + .6 -> q2 = .6 + .16 q2 -> q2 = .6 / .84 = 5/7, q1 = 4/7.
    q = iim([[0.0, 0.8], [0.2, 0.0]], [0.0, 0.6])
    np.testing.assert_allclose(q, [4 / 7, 5 / 7], rtol=1e-12)


@pytest.mark.parametrize("to_sparse", SPARSE_FORMATS)
def test_iim_sparse_input_gives_the_same_results(to_sparse):
    A = np.array([[0.0, 0.8], [0.2, 0.0]])
    np.testing.assert_allclose(iim(to_sparse(A), [0.0, 0.6]), [4 / 7, 5 / 7], rtol=1e-12)
    rng = np.random.default_rng(3)
    A = rng.random((30, 30)) * (rng.random((30, 30)) < 0.2) * 0.15
    c = rng.random(30) * 0.3
    np.testing.assert_allclose(iim(to_sparse(A), c), iim(A, c), rtol=1e-12, atol=1e-14)


def test_iim_caps_after_solving():
    # q1 = 1 + .5 q2, q2 = .2 + .5 q1 -> q1 = 1.1 / .75 = 1.4667, q2 = .2 + .55/.75 = 14/15.
    # Capping after solving keeps q2 = 14/15 (capping q1 first would give q2 = .7).
    q = iim([[0.0, 0.5], [0.5, 0.0]], [1.0, 0.2])
    np.testing.assert_allclose(q, [1.0, 14 / 15])


def test_iim_edge_cases_and_errors():
    assert iim(np.zeros((0, 0)), []).shape == (0,)
    assert iim(np.zeros((3, 3)), [0.0, 0.0, 0.0]).tolist() == [0.0, 0.0, 0.0]
    # A self-dependency: q = .5 q + .2 -> q = .4.
    assert iim([[0.5]], [0.2]).tolist() == pytest.approx([0.4])
    for matrix in (np.array([[0.0, 1.0], [1.0, 0.0]]), sparse.csr_array([[0.0, 1.0], [1.0, 0.0]])):
        with pytest.raises(ValueError, match="singular"):
            iim(matrix, [0.1, 0.1])
    with pytest.raises(ValueError, match="match c_star"):
        iim(np.zeros((2, 2)), [0.1, 0.1, 0.1])


@st.composite
def interdependencies(draw):
    n = draw(st.integers(1, 6))
    raw = np.array(draw(st.lists(st.floats(0, 1), min_size=n * n, max_size=n * n))).reshape(n, n)
    # Row sums at most .9: the Neumann series converges and (I - A*)^-1 >= 0.
    A = raw * 0.9 / max(1.0, raw.sum(axis=1).max())
    c = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    more = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    return A, c, np.minimum(1.0, c + more)


@settings(max_examples=150, deadline=None)
@given(interdependencies())
def test_iim_in_unit_interval_and_increasing_in_the_perturbation(model):
    A, c, larger = model
    q = iim(A, c)
    assert np.all(q >= c - 1e-12) and np.all(q <= 1.0)
    assert np.all(iim(A, larger) >= q - 1e-12)
    np.testing.assert_allclose(iim(sparse.csr_array(A), c), q, atol=1e-12)
