"""Impact: the project's cascade against ESRI, and the model lever (SPEC 4.2)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import sparse

from exposure import connect, load_files
from exposure.cli.commands import cli
from exposure.model.engine import Scenario, assess
from exposure.model.graph import build_graph
from exposure.model.impact import IMPACT_MODELS, cascade_impact, model_impact
from exposure.model.reference import esri
from exposure.model.scenario import ScenarioSpec


def _graph(edges, n, values=None, essential=None, alternatives=None, kinds=None):
    supplier = np.array([e[0] for e in edges], dtype=np.int64)
    buyer = np.array([e[1] for e in edges], dtype=np.int64)
    blank = np.full(len(edges), -1, dtype=np.int64)
    return build_graph(
        names=np.array([f"org{i}" for i in range(n)], dtype=object),
        kinds=None if kinds is None else np.array(kinds, dtype=object),
        supplier=supplier,
        buyer=buyer,
        product=blank,
        used_in=blank,
        value=None if values is None else np.asarray(values, dtype=np.float64),
        essential=None if essential is None else np.asarray(essential, dtype=bool),
        alternatives=None if alternatives is None else np.asarray(alternatives, dtype=np.float64),
    )


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("valued", [True, False])
def test_cascade_equals_esri_downstream_on_blank_products_and_neutral_flags(seed, valued):
    """With no products, nothing essential and no alternatives, the cascade is ESRI's
    downstream track on the organization graph (one sector, every input linear)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 25))
    m = int(rng.integers(1, 4 * n))
    edges = [(int(rng.integers(n)), int(rng.integers(n))) for _ in range(m)]
    values = rng.lognormal(3, 1, m) if valued else None
    graph = _graph(edges, n, values=values)
    designated = tuple(int(i) for i in rng.choice(n, size=int(rng.integers(1, 3)), replace=False))
    result = assess(graph, Scenario(designated=designated))
    sources = np.zeros(n, dtype=bool)
    sources[list(designated)] = True

    ours = cascade_impact(graph, sources, result.exposed_edges, tol=1e-13)

    weights = graph.value if valued else np.ones(graph.n_edges)
    sales = sparse.csr_array((weights, (graph.supplier, graph.buyer)), shape=(n, n))
    reference = esri(sales, np.zeros(n, dtype=np.int64), [[1]], np.where(sources, 0.0, 1.0), eps=0)
    np.testing.assert_allclose(ours, 1.0 - reference.h_down, atol=1e-9)


def _two_inputs():
    # A (designated) -> B 10, X -> B 30, B -> C 10, X -> C 10: B loses a quarter of its
    # inputs, C half of its inputs from B, so an eighth.
    return _graph([(0, 1), (3, 1), (1, 2), (3, 2)], 4, values=[10, 30, 10, 10])


@pytest.mark.parametrize("model", IMPACT_MODELS)
def test_every_model_gives_the_hand_computed_linear_losses(model):
    graph = _two_inputs()
    result = assess(graph, Scenario(designated=(0,)))
    impact = model_impact(graph, result.status == 3, result.exposed_edges, model)
    np.testing.assert_allclose(impact, [1.0, 0.25, 0.125, 0.0], atol=1e-9)


def test_models_differ_where_their_assumptions_do():
    # S -> A (designated) 10 and S -> Y 10; A -> B essential.
    graph = _graph(
        [(3, 0), (3, 4), (0, 1), (2, 1)],
        5,
        values=[10, 10, 10, 90],
        essential=[False, False, True, False],
        kinds=["model_provider", "prime", "software_vendor", "cloud_host", "prime"],
    )
    result = assess(graph, Scenario(designated=(0,)))
    sources = result.status == 3
    impacts = {m: model_impact(graph, sources, result.exposed_edges, m) for m in IMPACT_MODELS}
    # The cascade treats the essential input as a bottleneck: B stops.
    assert impacts["cascade"][1] == pytest.approx(1.0)
    # DebtRank and IIM are linear: B loses its 10% input share.
    assert impacts["debtrank"][1] == pytest.approx(0.1)
    assert impacts["iim"][1] == pytest.approx(0.1)
    # ESRI's upstream track: S loses half of its sales to the designated A; the others
    # only look downstream.
    assert impacts["esri"][3] == pytest.approx(0.5)
    assert impacts["cascade"][3] == 0.0


def test_debtrank_passes_distress_once_and_iim_solves_the_cycle():
    # A (designated) -> B (half of B's inputs); B -> C and C -> B (each the other half).
    graph = _graph([(0, 1), (1, 2), (2, 1), (3, 2)], 4, values=[10, 10, 10, 10])
    result = assess(graph, Scenario(designated=(0,)))
    sources = result.status == 3
    debt = model_impact(graph, sources, result.exposed_edges, "debtrank")
    inoperability = model_impact(graph, sources, result.exposed_edges, "iim")
    # DebtRank 2012: B gets .5 from A, passes .25 to C, C passes .125 back, B does not pass
    # it on again: B = .625, C = .25.
    np.testing.assert_allclose(debt[:3], [1.0, 0.625, 0.25])
    # IIM: q_B = .5 + .5 q_C, q_C = .5 q_B  ->  q_B = 2/3, q_C = 1/3.
    np.testing.assert_allclose(inoperability[:3], [1.0, 2 / 3, 1 / 3])


def test_unknown_model_is_refused():
    with pytest.raises(Exception, match="unknown impact model"):
        ScenarioSpec(model="magic")  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path):
    (tmp_path / "organizations.csv").write_text(
        "name,kind\nVendor AI,model_provider\nHost,cloud_host\nA,prime\nB,prime\nC,supplier\n",
        encoding="utf-8",
    )
    (tmp_path / "relationships.csv").write_text(
        "buyer,supplier,product,used_in,annual_value_usd\n"
        "Host,Vendor AI,models,Marketplace,100\nA,Host,Marketplace,,50\nA,C,parts,,50\n"
        "B,Host,Compute,,80\nHost,C,racks,,10\nVendor AI,C,chips,,20\n",
        encoding="utf-8",
    )
    path = tmp_path / "net.duckdb"
    con = connect(path)
    load_files(con, [tmp_path / "organizations.csv", tmp_path / "relationships.csv"])
    con.close()
    return path


def test_model_lever_on_the_command_line(db, tmp_path):
    runner = CliRunner()
    out = tmp_path / "esri.json"
    result = runner.invoke(
        cli,
        [
            "--db",
            str(db),
            "assess",
            "--designate",
            "Vendor AI",
            "--model",
            "esri",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["model"] == "esri"
    result = runner.invoke(
        cli, ["--db", str(db), "designate", "Vendor AI", "--scenario", "s1", "--model", "iim"]
    )
    assert result.exit_code == 0, result.output
    out2 = tmp_path / "iim.json"
    result = runner.invoke(cli, ["--db", str(db), "assess", "--scenario", "s1", "--out", str(out2)])
    assert result.exit_code == 0, result.output
    stored = json.loads(out2.read_text())
    assert stored["model"] == "iim"
    by_name = {o["name"]: o for o in stored["organizations"]}
    # Same reach whatever the model; impact of a clear organization is 0 under IIM.
    assert {o["name"] for o in payload["organizations"] if o["exposed"]} == {
        o["name"] for o in stored["organizations"] if o["exposed"]
    }
    assert all(o["impact"] == 0 for o in by_name.values() if not o["exposed"])
    # Host loses 100 of its 110 of inputs; half of A's inputs come from Host.
    assert by_name["Host"]["impact"] == pytest.approx(100 / 110, abs=1e-6)
    assert by_name["A"]["impact"] == pytest.approx(0.5 * 100 / 110, abs=1e-6)
    # ESRI's upstream track: C loses the 20 of its 80 of sales made to the designated
    # vendor, though C is clear by reach (the tracks never mix: losing Host as a customer's
    # supplier does not count).
    esri_by_name = {o["name"]: o for o in payload["organizations"]}
    assert not esri_by_name["C"]["exposed"]
    assert esri_by_name["C"]["impact"] == pytest.approx(20 / 80, abs=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_the_two_threaded_step_gives_the_same_impact(seed, monkeypatch):
    """Large networks run a step's essential half on a second thread: same numbers."""
    import exposure.model.impact as impact_module

    rng = np.random.default_rng(500 + seed)
    n = int(rng.integers(5, 40))
    m = int(rng.integers(n, 5 * n))
    edges = [(int(rng.integers(n)), int(rng.integers(n))) for _ in range(m)]
    graph = _graph(
        edges,
        n,
        values=rng.lognormal(3, 1, m),
        essential=rng.random(m) < 0.4,
        alternatives=np.where(rng.random(m) < 0.5, np.nan, rng.integers(0, 3, m)),
    )
    result = assess(graph, Scenario(designated=(0,)))
    sources = result.status == 3
    alone = cascade_impact(graph, sources, result.exposed_edges)
    monkeypatch.setattr(impact_module, "_PARALLEL_ENTRIES", -1)
    threaded = cascade_impact(graph, sources, result.exposed_edges)
    np.testing.assert_array_equal(alone, threaded)


@pytest.mark.parametrize("seed", range(30))
def test_full_passes_and_column_slices_give_the_same_impact(seed, monkeypatch):
    """A step where most organizations moved is a full pass over the matrices stored by
    buyer; forcing every step one way or the other changes no figure."""
    import exposure.model.impact as impact_module

    rng = np.random.default_rng(900 + seed)
    n = int(rng.integers(5, 60))
    m = int(rng.integers(n, 6 * n))
    edges = [(int(rng.integers(n)), int(rng.integers(n))) for _ in range(m)]
    graph = _graph(
        edges,
        n,
        values=rng.lognormal(3, 1, m),
        essential=rng.random(m) < 0.3,
        alternatives=np.where(rng.random(m) < 0.5, np.nan, rng.integers(0, 3, m)),
    )
    result = assess(graph, Scenario(designated=(0,)))
    sources = result.status == 3
    monkeypatch.setattr(impact_module, "_FULL_STEP_SHARE", 0)  # never a full pass
    sliced = cascade_impact(graph, sources, result.exposed_edges, tol=1e-13)
    monkeypatch.setattr(impact_module, "_FULL_STEP_SHARE", 10**9)  # always, after the first
    full = cascade_impact(graph, sources, result.exposed_edges, tol=1e-13)
    np.testing.assert_allclose(full, sliced, atol=1e-12)
    # And the fixed point itself: no organization's level can still fall.
    supplier_loss = full[graph.supplier] * result.exposed_edges
    linear = np.zeros(n)
    np.add.at(
        linear, graph.buyer, np.where(graph.essential, 0.0, graph.linear_weight) * supplier_loss
    )
    bottleneck = np.zeros(n)
    np.maximum.at(
        bottleneck, graph.buyer, np.where(graph.essential, graph.unabsorbed, 0.0) * supplier_loss
    )
    expected = np.where(sources, 1.0, np.minimum(np.maximum(linear, bottleneck), 1.0))
    np.testing.assert_allclose(full, expected, atol=1e-9)


@pytest.mark.parametrize(("n", "from_source", "alternatives"), [(40, 1.0, 0), (300, 0.5, 1)])
def test_a_slowly_converging_ring_reaches_its_closed_form(n, from_source, alternatives):
    """A ring where each organization buys a little from the designated vendor (0) and the
    rest from the one before it: ``x = w_s + w_p * u * x`` at the limit, so
    ``x = w_s / (1 - w_p * u)``. Plain steps gain a factor ``w_p * u`` (0.999 here) per step
    and would stop long before; the jumps reach the limit."""
    ring = list(range(1, n + 1))
    edges = [(0, i) for i in ring] + [(ring[i - 1], ring[i]) for i in range(n)]
    values = [from_source] * n + [999.0 * from_source] * n
    graph = _graph(edges, n + 1, values=values, alternatives=[0] * n + [alternatives] * n)
    result = assess(graph, Scenario(designated=(0,)))
    w_s, w_p, unabsorbed = 1 / 1000, 999 / 1000, 1 / (1 + alternatives)
    expected = w_s / (1 - w_p * unabsorbed)
    impact = cascade_impact(graph, result.status == 3, result.exposed_edges)
    np.testing.assert_allclose(impact[1:], expected, atol=2e-6)
    assert impact[0] == 1.0


def _jump_case(seed: int, monkeypatch) -> bool:
    """Jumps ahead never overshoot: on random networks with cycles, essential inputs without
    alternatives (closed loops of bottlenecks, where the fixed point is not unique) and
    slow linear loops, the result equals plain steps run to 1e-15 and is never above it.

    (A loop whose steps never align, such as a ring, does not jump before ``_PATIENCE``
    steps and gains little: the jumps help slow convergence that has settled, the usual
    case of a large network with cycles.)"""
    import exposure.model.impact as impact_module

    rng = np.random.default_rng(2000 + seed)
    n = int(rng.integers(10, 80))
    m = int(rng.integers(2 * n, 6 * n))
    edges = [(int(rng.integers(n)), int(rng.integers(n))) for _ in range(m)]
    # Slow loops: a value from the designated vendor (0) much smaller than the others.
    values = np.where(np.array([s for s, _b in edges]) == 0, 0.05, 1.0) * rng.lognormal(3, 1, m)
    graph = _graph(
        edges,
        n,
        values=values,
        essential=rng.random(m) < 0.25,
        alternatives=np.where(rng.random(m) < 0.7, 0, rng.integers(0, 3, m)),
    )
    result = assess(graph, Scenario(designated=(0,)))
    sources = result.status == 3
    jumps = []
    real_jump = impact_module._jump

    def counted(*args):
        jumped = real_jump(*args)
        jumps.append(jumped)
        return jumped

    monkeypatch.setattr(impact_module, "_jump", counted)
    monkeypatch.setattr(impact_module, "_FULL_STEP_SHARE", 10**9)
    fast = cascade_impact(graph, sources, result.exposed_edges, tol=1e-13)
    monkeypatch.setattr(impact_module, "_FULL_STEP_SHARE", 0)  # plain steps, no jump
    plain = cascade_impact(graph, sources, result.exposed_edges, tol=1e-15, max_steps=10**5)
    np.testing.assert_allclose(fast, plain, atol=1e-9)
    assert (fast <= plain + 1e-9).all()
    return any(jumps)


def test_jumps_reach_the_smallest_fixed_point(monkeypatch):
    jumped = [_jump_case(seed, monkeypatch) for seed in range(40)]
    # The check would pass with no jump at all: most cases must have jumped.
    assert sum(jumped) >= 20, sum(jumped)


@pytest.mark.parametrize("seed", range(20))
def test_a_full_pass_split_between_two_threads_gives_the_same_impact(seed, monkeypatch):
    """Without many essential inputs, a full pass's linear product is split between two
    threads by buyer: bit for bit the same numbers."""
    import exposure.model.impact as impact_module

    rng = np.random.default_rng(700 + seed)
    n = int(rng.integers(5, 60))
    m = int(rng.integers(n, 6 * n))
    edges = [(int(rng.integers(n)), int(rng.integers(n))) for _ in range(m)]
    essential = rng.random(m) < (0.1 if seed % 2 else 0.0)
    graph = _graph(edges, n, values=rng.lognormal(3, 1, m), essential=essential)
    result = assess(graph, Scenario(designated=(0,)))
    sources = result.status == 3
    monkeypatch.setattr(impact_module, "_FULL_STEP_SHARE", 10**9)
    alone = cascade_impact(graph, sources, result.exposed_edges)
    halves = []
    real_product = impact_module._Entries.product

    def product(self, loss, helper=None):
        halves.append(helper is not None)
        return real_product(self, loss, helper)

    monkeypatch.setattr(impact_module._Entries, "product", product)
    # Essential entries at most the threshold, linear ones above it: the split path.
    monkeypatch.setattr(
        impact_module, "_PARALLEL_ENTRIES", int((graph.essential & result.exposed_edges).sum())
    )
    split = cascade_impact(graph, sources, result.exposed_edges)
    np.testing.assert_array_equal(alone, split)
    n_essential = int((graph.essential & result.exposed_edges).sum())
    n_linear = int((~graph.essential & result.exposed_edges).sum())
    if n_linear > n_essential and halves:  # split: every full pass used both threads
        assert all(halves)
    else:  # the essential half on the second thread, or no full pass: never split
        assert not any(halves)
