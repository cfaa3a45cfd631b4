"""The Spark backend gives the NumPy engine's answers: every array, on hand and random networks.

Spark starts once per test session (local[2]) and each Spark job is slow to schedule, so the
networks are not run one by one: the hand networks and 200 random ones are put side by side
in one graph (a disjoint union; nothing crosses between them), run in one Spark job per
scope, and the result is cut back into one Assessment per network, compared field by field
with the NumPy engine's on that network alone.

Marked ``spark`` (``pytest -m spark`` selects them). Without pyspark they are skipped, except
in CI (``CI=true``), where a missing pyspark is a failure.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest

from exposure.model.engine import Assessment, Scenario, assess
from exposure.model.graph import Graph, build_graph

try:
    import pyspark  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI", "").lower() in ("true", "1"):
        raise
    pytest.skip("pyspark is not installed (pip install exposure[spark])", allow_module_level=True)

from conftest import run_cli
from test_engine import network  # the hand networks, written as the engine's tests write them

pytestmark = pytest.mark.spark

FIELDS = (
    "status",
    "tier",
    "value_at_risk_usd",
    "late",
    "obliged",
    "org_via",
    "edge_tier",
    "edge_late",
    "edge_from",
    "group_via",
)


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from exposure.spark import spark_session

    # Tiny data: compiling each query's code and re-planning it between stages cost more
    # than they save, so both are off (the results do not depend on them).
    session = spark_session(
        "local[2]",
        shuffle_partitions=2,
        scratch=tmp_path_factory.mktemp("spark"),
        extra={"spark.sql.codegen.wholeStage": "false", "spark.sql.adaptive.enabled": "false"},
    )
    yield session
    session.stop()


# --- networks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A network and a scenario on it (ids local to the network)."""

    label: str
    graph: Graph
    designated: tuple[int, ...]
    noncompliant: tuple[int, ...] = ()


def _ids(graph: Graph, names: str) -> tuple[int, ...]:
    listed = list(graph.names)
    return tuple(listed.index(n) for n in names.split())


def hand_cases() -> list[Case]:
    """The networks of tests/test_engine.py (and the hold-out's shapes), with their levers."""
    scoped = network(
        "V Host BedrockBuyer ComputeBuyer",
        [
            ("V", "Host", "Claude models", "Bedrock"),
            ("Host", "BedrockBuyer", "Bedrock", None),
            ("Host", "ComputeBuyer", "EC2", None),
        ],
    )
    blank = network(
        "V Host A B C Sub",
        [
            ("V", "Host", "models", None),
            ("Host", "A", "Bedrock", None),
            ("Host", "B", "EC2", None),
            ("Sub", "C", None, None),
            ("A", "Sub", "analytics", "x"),
        ],
    )
    spaces = network(
        "V Host Buyer",
        [("V", "Host", "models", "  Amazon   BEDROCK "), ("Host", "Buyer", "amazon bedrock", None)],
    )
    dead_end = network(
        "V Host Buyer", [("V", "Host", "models", "Vertex"), ("Host", "Buyer", "Bedrock", None)]
    )
    owned = network(
        "Parent Sub Grandchild Buyer Other",
        [("Grandchild", "Buyer", "chips", None), ("Other", "Buyer", "paper", None)],
        parent={"Sub": "Parent", "Grandchild": "Sub"},
    )
    cycles = network(
        "V A B",
        [
            ("V", "A", None, None),
            ("A", "B", None, None),
            ("B", "A", None, None),
            ("A", "A", None, None),
        ],
    )
    host = network(
        "V Host Bedrock EC2 Bystander",
        [
            ("V", "Host", "models", "Bedrock"),
            ("Host", "Bedrock", "Bedrock", None),
            ("Host", "EC2", "EC2", None),
            ("Bystander", "EC2", "paper", None),
        ],
        dod_use=[False, True, True, True],
    )
    either_way = network(
        "V Buyer Seller Far",
        [("V", "Buyer", None, None), ("Seller", "V", None, None), ("Far", "Buyer", None, None)],
    )
    money = network(
        "V A B",
        [("V", "A", "x", None), ("V", "A", "y", None), ("A", "B", None, None)],
        value=[100.0, np.nan, 5.0],
        replacement_months=[7.0, 5.0, np.nan],
    )
    chain = network(
        "V Host Sub Prime Agency",
        [
            ("V", "Host", "models", "Bedrock"),
            ("Host", "Sub", "Bedrock", "Platform"),
            ("Sub", "Prime", "Platform", None),
            ("Prime", "Agency", "System", None),
            ("V", "Prime", "API", "Other"),
        ],
    )
    # Ties everywhere: several equally short chains, so "the edge that reached it" is a choice.
    diamond = network(
        "V A B C D E",
        [
            ("V", "A", "m", None),
            ("V", "B", "m", "p"),
            ("V", "B", None, None),
            ("A", "C", "p", None),
            ("B", "C", "p", "q"),
            ("A", "C", None, "q"),
            ("C", "D", "q", None),
            ("B", "D", None, None),
            ("D", "E", None, None),
            ("C", "E", "q", None),
        ],
        value=[1.5, 2.25, np.nan, 0.1, 0.2, 0.3, 10.0, -4.0, 0.0, 1e9],
    )
    lonely = network("V", [])
    return [
        Case("scoped", scoped, _ids(scoped, "V")),
        Case("blank used_in", blank, _ids(blank, "V")),
        Case("white space", spaces, _ids(spaces, "V")),
        Case("dead end", dead_end, _ids(dead_end, "V")),
        Case("ownership", owned, _ids(owned, "Parent")),
        Case("cycles", cycles, _ids(cycles, "V")),
        Case("host", host, _ids(host, "V")),
        Case("host non-compliant", host, _ids(host, "V"), _ids(host, "Host")),
        Case("bystander", host, _ids(host, "V"), _ids(host, "Bystander")),
        Case("either way", either_way, _ids(either_way, "V")),
        Case("money", money, _ids(money, "V")),
        Case("chain", chain, _ids(chain, "V")),
        Case("diamond", diamond, _ids(diamond, "V")),
        Case("no edges", lonely, (0,)),
    ]


def random_case(seed: int) -> Case:
    rng = np.random.default_rng(7_000 + seed)
    n_orgs = int(rng.integers(2, 25))
    n_edges = int(rng.integers(0, 60))
    n_products = int(rng.integers(1, 5))
    blank_product = rng.random(n_edges) < 0.25
    blank_used_in = rng.random(n_edges) < 0.35
    parent = [int(rng.integers(0, i)) if i and rng.random() < 0.2 else -1 for i in range(n_orgs)]
    value = np.round(rng.lognormal(8, 3, n_edges), 2)
    value[rng.random(n_edges) < 0.15] = np.nan
    value[rng.random(n_edges) < 0.05] = 0.0
    months = rng.integers(1, 13, n_edges).astype(float)
    months[rng.random(n_edges) < 0.2] = np.nan
    graph = build_graph(
        names=np.array([f"org{i}" for i in range(n_orgs)], dtype=object),
        supplier=rng.integers(0, n_orgs, n_edges),
        buyer=rng.integers(0, n_orgs, n_edges),
        product=np.where(blank_product, -1, rng.integers(0, n_products, n_edges)),
        used_in=np.where(blank_used_in, -1, rng.integers(0, n_products, n_edges)),
        parent=np.array(parent, dtype=np.int64),
        value=value,
        replacement_months=months,
        dod_use=rng.random(n_edges) < 0.5,
    )
    designated = rng.choice(n_orgs, size=min(n_orgs, int(rng.integers(1, 3))), replace=False)
    named = rng.choice(n_orgs, size=min(n_orgs, int(rng.integers(0, 4))), replace=False)
    return Case(
        f"random {seed}",
        graph,
        tuple(int(x) for x in designated),
        tuple(sorted(int(x) for x in named)),
    )


# --- one Spark run for many networks --------------------------------------------------


def disjoint_union(cases: list[Case]) -> tuple[Graph, list[tuple[int, int, int]]]:
    """The networks side by side, and where each one's organizations, edges, groups begin.

    Each network keeps its own product codes (shifted, so that their order, and so the order
    of its edges and groups, is the one it has alone) and its own words for them.
    """
    names, kinds, parent, products = [], [], [], []
    columns: dict[str, list[np.ndarray]] = {
        k: []
        for k in (
            "supplier",
            "buyer",
            "product",
            "used_in",
            "value",
            "replacement_months",
            "dod_use",
            "edge_id",
        )
    }
    starts = []
    org_start = edge_start = group_start = 0
    for k, case in enumerate(cases):
        g = case.graph
        starts.append((org_start, edge_start, group_start))
        shift = len(products)
        names += [f"{k}:{n}" for n in g.names]
        kinds += list(g.kinds)
        parent += [p + org_start if p >= 0 else -1 for p in g.parent]
        products += [f"{k}:{p}" for p in g.products]
        columns["supplier"].append(g.supplier + org_start)
        columns["buyer"].append(g.buyer + org_start)
        columns["product"].append(np.where(g.product >= 0, g.product + shift, -1))
        columns["used_in"].append(np.where(g.used_in >= 0, g.used_in + shift, -1))
        columns["value"].append(g.value)
        columns["replacement_months"].append(g.replacement_months)
        columns["dod_use"].append(g.dod_use)
        columns["edge_id"].append(g.edge_id + edge_start)
        org_start += g.n_orgs
        edge_start += g.n_edges
        group_start += len(g.group_key)
    union = build_graph(
        names=np.array(names, dtype=object),
        kinds=np.array(kinds, dtype=object),
        parent=np.array(parent, dtype=np.int64),
        products=np.array(products, dtype=object),
        **{k: np.concatenate(v) for k, v in columns.items()},
    )
    return union, starts


def union_scenario(cases: list[Case], starts, scope: str) -> Scenario:
    return Scenario(
        designated=tuple(
            i + s[0] for c, s in zip(cases, starts, strict=True) for i in c.designated
        ),
        noncompliant=tuple(
            i + s[0] for c, s in zip(cases, starts, strict=True) for i in c.noncompliant
        ),
        scope=scope,  # type: ignore[arg-type]
        effective=date(2026, 2, 27),
        transition_days=180,
    )


def cut(
    result: Assessment, case: Case, start: tuple[int, int, int], scenario: Scenario
) -> Assessment:
    """One network's part of a union's assessment, with its own ids."""
    g = case.graph
    o0, e0, g0 = start
    orgs = slice(o0, o0 + g.n_orgs)
    edges = slice(e0, e0 + g.n_edges)

    def local(edge_ids: np.ndarray) -> np.ndarray:
        return np.where(edge_ids >= 0, edge_ids - e0, -1)

    n_groups = len(g.group_key)
    group_via = np.full(n_groups + 1 if g.n_edges else 1, -1, dtype=np.int64)
    group_via[:n_groups] = local(result.group_via[g0 : g0 + n_groups])
    return Assessment(
        scenario=scenario,
        status=result.status[orgs],
        tier=result.tier[orgs],
        value_at_risk_usd=result.value_at_risk_usd[orgs],
        late=result.late[orgs],
        obliged=result.obliged[orgs],
        org_via=local(result.org_via[orgs]),
        edge_tier=result.edge_tier[edges],
        edge_late=result.edge_late[edges],
        group_via=group_via,
        group_of_edge=g.group_of_edge,
        ignored_noncompliant=tuple(
            i - o0 for i in result.ignored_noncompliant if o0 <= i < o0 + g.n_orgs
        ),
    )


def assert_same(expected: Assessment, got: Assessment, label: str) -> None:
    for name in FIELDS:
        want, have = getattr(expected, name), getattr(got, name)
        assert have.dtype == want.dtype, f"{label}: {name} dtype {have.dtype} != {want.dtype}"
        np.testing.assert_array_equal(have, want, err_msg=f"{label}: {name}")
    assert got.ignored_noncompliant == expected.ignored_noncompliant, label


@pytest.mark.parametrize("scope", ["all", "dod"])
def test_hand_and_200_random_networks_match_the_numpy_engine(spark, scope):
    from exposure.spark import assess as assess_on_spark

    cases = hand_cases() + [random_case(seed) for seed in range(200)]
    union, starts = disjoint_union(cases)
    scenario = union_scenario(cases, starts, scope)
    # Checkpoints to storage every 4 levels in one run (as by default), never in the other.
    on_spark = assess_on_spark(
        union, scenario, spark=spark, checkpoint_every=4 if scope == "all" else 0
    )
    # The union as a whole, then each network alone against the NumPy engine on it alone.
    assert_same(assess(union, scenario), on_spark, f"union ({scope})")
    exposed = 0
    for case, start in zip(cases, starts, strict=True):
        alone = Scenario(
            designated=case.designated,
            noncompliant=case.noncompliant,
            scope=scope,  # type: ignore[arg-type]
        )
        expected = assess(case.graph, alone)
        assert_same(expected, cut(on_spark, case, start, alone), f"{case.label} ({scope})")
        exposed += int((expected.status == 1).sum())
    assert exposed > 500  # the random networks do reach far
    # Equal org_via and edge_from mean equal chains; spelled out on the network of ties.
    case = next(c for c in cases if c.label == "diamond")
    start = starts[cases.index(case)]
    alone = Scenario(designated=case.designated, scope=scope)  # type: ignore[arg-type]
    expected, got = assess(case.graph, alone), cut(on_spark, case, start, alone)
    for org in range(case.graph.n_orgs):
        assert got.chain(case.graph, org) == expected.chain(case.graph, org)


# --- the command line: export, assess on Parquet, report --from, --engine spark ----------


def test_export_assess_on_parquet_and_report_give_the_default_json(spark, report_db, tmp_path):
    default = tmp_path / "numpy.json"
    code, output = run_cli(
        "--db", report_db, "assess", "--designate", "Vendor AI", "--out", default
    )
    assert code == 0, output

    model = tmp_path / "model"
    code, output = run_cli("--db", report_db, "export", "--parquet", model)
    assert code == 0, output
    assert {p.name for p in model.iterdir()} >= {"orgs.parquet", "edges.parquet", "model.json"}

    results = tmp_path / "results"
    code, output = run_cli(
        "assess",
        "--engine",
        "spark",
        "--orgs",
        model / "orgs.parquet",
        "--edges",
        model / "edges.parquet",
        "--designate",
        "Vendor AI, PBC",
        "--results",
        results,
    )
    assert code == 0, output
    meta = json.loads((results / "assessment.json").read_text())
    assert meta["levels"] and meta["exposed_edges"] > 0

    from_spark = tmp_path / "spark.json"
    code, output = run_cli("--db", report_db, "report", "--from", results, "--out", from_spark)
    assert code == 0, output
    assert json.loads(from_spark.read_text()) == json.loads(default.read_text())

    workbook = tmp_path / "spark.xlsx"
    code, output = run_cli("--db", report_db, "report", "--from", results, "--out", workbook)
    assert code == 0, output
    assert workbook.stat().st_size > 0


def test_assess_with_the_spark_engine_writes_the_same_json(spark, report_db, tmp_path):
    default, on_spark = tmp_path / "numpy.json", tmp_path / "spark.json"
    levers = ["--designate", "Vendor AI", "--noncompliant", "Cloud Host", "--scope", "dod"]
    code, output = run_cli("--db", report_db, "assess", *levers, "--out", default)
    assert code == 0, output
    code, output = run_cli(
        "--db", report_db, "assess", *levers, "--engine", "spark", "--out", on_spark
    )
    assert code == 0, output
    assert json.loads(on_spark.read_text()) == json.loads(default.read_text())


def test_parquet_mode_refuses_unknown_names_and_mixed_options(spark, report_db, tmp_path):
    model = tmp_path / "model"
    assert run_cli("--db", report_db, "export", "--parquet", model)[0] == 0
    code, output = run_cli(
        "assess",
        "--engine",
        "spark",
        "--orgs",
        model / "orgs.parquet",
        "--edges",
        model / "edges.parquet",
        "--designate",
        "Nobody Inc",
        "--results",
        tmp_path / "r",
    )
    assert code == 1 and "Nobody Inc" in output
    code, output = run_cli("assess", "--orgs", model / "orgs.parquet", "--designate", "X")
    assert code == 1 and "--engine spark" in output


def test_report_from_refuses_another_data_version(report_db, tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "assessment.json").write_text(
        json.dumps({"format": "exposure-spark-results/1", "data_version": "other"})
    )
    code, output = run_cli(
        "--db", report_db, "report", "--from", results, "--out", tmp_path / "a.json"
    )
    assert code == 1 and "data version" in output
