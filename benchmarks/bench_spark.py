"""Spark backend benchmark: the same assessment as the NumPy engine, in local mode, and beyond.

For each ``--sizes`` entry (edges; organizations a tenth of that), a DIB-like network (the
generator of ``bench_engine.py``: heavy-tailed suppliers, buyers downstream, 500 products, a
tenth of products and 30 % of ``used_in`` blank) is written straight to Parquet by DuckDB, then:

* ``numpy``: the graph is built (not timed) and :func:`exposure.engine.assess` timed;
* ``spark``: the graph written as a model folder (not timed), then
  :func:`exposure.spark.backend.assess_model` timed in ``--master`` (``local[2]``), with its
  levels and the seconds of each; the results are read back and checked equal to NumPy's,
  array for array.

``--big N`` runs (in its own process, without the comparisons) only the Spark backend on N edges generated straight to Parquet
(no ``edge`` column: the backend orders the edges itself), with a small driver memory, so
that the shuffles spill to disk: the NumPy engine would need the whole graph in memory
(about 200 bytes per edge with its build, i.e. ~10 GB at 50M edges, on top of the data).

    python benchmarks/bench_spark.py [--sizes 1000000,10000000] [--driver-memory 6g]
    python benchmarks/bench_spark.py --big 50000000 [--big-driver-memory 3g] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GENERATE_ORGS = """
COPY (
    SELECT i AS org_id, 'Org ' || i AS name,
           CASE WHEN i < 30 THEN 'model_provider' WHEN i < 130 THEN 'cloud_host'
                WHEN i < {orgs} * 0.55 THEN 'supplier' ELSE 'subcontractor' END AS kind,
           NULL::BIGINT AS parent_id
    FROM range({orgs}) t(i)
) TO '{path}' (FORMAT parquet)
"""

GENERATE_EDGES = """
COPY (
    WITH raw AS (
        SELECT i,
               least({orgs} - 2, floor(pow(random(), 4) * {orgs})::BIGINT) AS s,
               random() AS r1, random() AS r2, random() AS r3, random() AS r4
        FROM range({edges}) t(i)
    )
    SELECT i AS edge_id,
           s AS supplier_id,
           s + 1 + floor(r1 * ({orgs} - 1 - s))::BIGINT AS buyer_id,
           CASE WHEN r2 < 0.1 THEN NULL
                ELSE 'product ' || ((s * 7 + floor(r2 * 3)::BIGINT) % 500) END AS product,
           CASE WHEN r3 < 0.3 THEN NULL
                ELSE 'product ' || (((s + 1 + floor(r1 * ({orgs} - 1 - s))::BIGINT) * 7
                                      + floor(r3 * 3)::BIGINT) % 500) END AS used_in,
           round(exp(8 + 6 * r4), 2) AS annual_value_usd,
           r4 < 0.2 AS essential,
           (floor(r2 * 4))::INTEGER AS alternatives,
           (1 + floor(r3 * 18))::DOUBLE AS replacement_months,
           r1 < 0.7 AS dod_use
    FROM raw
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
"""


def generate(folder: Path, edges: int) -> int:
    """orgs.parquet and edges.parquet of a network of ``edges`` edges; returns the orgs."""
    import duckdb

    orgs = max(1000, edges // 10)
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SELECT setseed(0.42)")
    con.execute(GENERATE_ORGS.format(orgs=orgs, path=folder / "orgs.parquet"))
    con.execute(GENERATE_EDGES.format(orgs=orgs, edges=edges, path=folder / "edges.parquet"))
    con.close()
    return orgs


def graph_of(folder: Path):  # type: ignore[no-untyped-def]
    """The NumPy engine's graph of a generated network, through a DuckDB warehouse in memory."""
    import duckdb

    from exposure.warehouse.graph_store import load_graph

    con = duckdb.connect()
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute(f"INSERT INTO meta VALUES ('data_version', 'bench-{folder.name}')")
    con.execute(f"CREATE TABLE orgs AS SELECT * FROM '{folder / 'orgs.parquet'}'")
    con.execute(f"CREATE TABLE edges AS SELECT * FROM '{folder / 'edges.parquet'}'")
    graph = load_graph(con)
    con.close()
    return graph


def compare(size: int, work: Path, spark, scenario_org: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    import numpy as np

    from exposure.model.engine import Scenario, assess
    from exposure.spark.backend import assess_model
    from exposure.spark.parquet_io import read_assessment, write_graph

    raw = work / f"raw-{size}"
    generate(raw, size)
    graph = graph_of(raw)
    scenario = Scenario(designated=(scenario_org,))
    started = time.perf_counter()
    expected = assess(graph, scenario)
    numpy_seconds = time.perf_counter() - started

    model = write_graph(graph, work / f"model-{size}")
    results = work / f"results-{size}"
    summary = assess_model(model, scenario, results, spark=spark)
    got = read_assessment(results, graph, scenario)
    same = all(
        np.array_equal(getattr(expected, name), getattr(got, name))
        for name in (
            "status",
            "tier",
            "value_at_risk_usd",
            "late",
            "obliged",
            "org_via",
            "edge_tier",
            "edge_late",
            "edge_from",
        )
    )
    levels = summary.meta["levels"]
    return {
        "edges": graph.n_edges,
        "organizations": graph.n_orgs,
        "exposed_organizations": int(expected.exposed.sum()),
        "exposed_edges": int(expected.exposed_edges.sum()),
        "numpy_seconds": round(numpy_seconds, 3),
        "spark_seconds": round(summary.seconds, 1),
        "spark_search_seconds": summary.meta["seconds"],
        "ratio": round(summary.seconds / max(numpy_seconds, 1e-9), 1),
        "levels": len(levels),
        "seconds_per_level": round(sum(lv["seconds"] for lv in levels) / max(len(levels), 1), 2),
        "level_seconds": [lv["seconds"] for lv in levels],
        "frontier_groups": [lv["frontier_groups"] for lv in levels],
        "same_answers": same,
    }


def big(size: int, work: Path, spark) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from exposure.model.engine import Scenario
    from exposure.spark.backend import assess_model

    raw = work / f"raw-{size}"
    started = time.perf_counter()
    orgs = generate(raw, size)
    generated = time.perf_counter() - started
    summary = assess_model(
        None,
        Scenario(designated=(0,)),
        work / f"results-{size}",
        spark=spark,
        orgs=raw / "orgs.parquet",
        edges=raw / "edges.parquet",
    )
    levels = summary.meta["levels"]
    return {
        "edges": size,
        "organizations": orgs,
        "generate_seconds": round(generated, 1),
        "parquet_mb": round(sum(p.stat().st_size for p in raw.iterdir()) / 1e6),
        "spark_seconds": round(summary.seconds, 1),
        "levels": len(levels),
        "level_seconds": [lv["seconds"] for lv in levels],
        "frontier_groups": [lv["frontier_groups"] for lv in levels],
        "exposed_organizations": summary.exposed_organizations,
        "exposed_edges": summary.exposed_edges,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="Edges, comma-separated.")
    parser.add_argument("--big", type=int, default=0, help="Spark alone on this many edges.")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--big-driver-memory", default="3g")
    parser.add_argument("--partitions", type=int, default=8, help="spark.sql.shuffle.partitions")
    parser.add_argument("--out", type=Path, help="Working folder (default: a temporary one).")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="exposure-bench-spark-"))
    work.mkdir(parents=True, exist_ok=True)

    from exposure.spark.session import spark_session

    report: dict[str, object] = {"master": args.master}
    try:
        if args.big:
            # Alone in its process, with a small heap: the data cannot stay in memory and
            # spills to disk (the heap is fixed when the JVM starts).
            spark = spark_session(
                args.master,
                shuffle_partitions=max(args.partitions, 32),
                driver_memory=args.big_driver_memory,
                scratch=work / "spark-big",
            )
            row = big(args.big, work, spark)
            print(json.dumps(row), flush=True)
            report["big"] = row
        else:
            spark = spark_session(
                args.master,
                shuffle_partitions=args.partitions,
                driver_memory=args.driver_memory,
                scratch=work / "spark",
            )
            runs = []
            for size in (int(s) for s in args.sizes.split(",") if s):
                row = compare(size, work, spark, scenario_org=0)
                print(json.dumps(row), flush=True)
                runs.append(row)
            report["compare"] = runs
        spark.stop()
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)
    report["python_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
