"""Engine benchmark: a DIB-like network of 1,000,000 organizations and 10,000,000 edges.

Generates the network straight into a DuckDB warehouse (``orgs``, ``edges``, ``meta``), then
measures, each step in its own subprocess so that peak memory is per step:

* ``build``: :func:`exposure.model.graph.load_graph` from DuckDB;
* ``assess``: on a built graph (build not timed), one designated model provider: reach,
  tiers, shortest-chain pointers, value at risk, late edges (``assess``) and impact
  (``cascade_impact``);
* ``networkx``: the same plain organization-level reach with networkx, timed from edge
  arrays already in memory: DiGraph build plus a multi-source BFS.

Targets (issue 3): assessment <= 2 s and >= 30x faster than the networkx baseline including
its build; graph build <= 15 s; peak memory <= 6 GB. Each step runs ``--repeat`` times in
fresh processes and the fastest run counts (the machine is shared; noise only adds time);
the assessment's CPU time is printed beside its wall time.

"Shortest chains" are part of the assessment as the search's pointers (the edge that
reached each edge, and each organization's first exposed input): any organization's
chain is read back from them in time proportional to its length.

    python benchmarks/bench_engine.py [--orgs 1000000] [--edges 10000000] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GENERATE = """
CREATE OR REPLACE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
INSERT INTO meta VALUES ('data_version', 'bench-{orgs}-{edges}');
-- Tiers by id: model providers, cloud hosts, software vendors, suppliers, subcontractors,
-- primes, agencies. Low ids are the big suppliers of everyone (heavy-tailed out-degree).
CREATE OR REPLACE TABLE orgs AS
SELECT i AS org_id, 'Org ' || i AS name,
       CASE WHEN i < 30 THEN 'model_provider' WHEN i < 130 THEN 'cloud_host'
            WHEN i < {orgs} * 0.05 THEN 'software_vendor' WHEN i < {orgs} * 0.55 THEN 'supplier'
            WHEN i < {orgs} * 0.95 THEN 'subcontractor' WHEN i < {orgs} - 20 THEN 'prime'
            ELSE 'agency' END AS kind,
       NULL::INTEGER AS parent_id
FROM range({orgs}) t(i);
CREATE OR REPLACE TABLE edges AS
WITH raw AS (
    SELECT i,
           -- supplier: power-law skew towards low ids; buyer: above the supplier (downstream)
           least({orgs} - 2, floor(pow(random(), 4) * {orgs})::BIGINT) AS s,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4
    FROM range({edges}) t(i)
)
SELECT i AS edge_id,
       s AS supplier_id,
       s + 1 + floor(r1 * ({orgs} - 1 - s))::BIGINT AS buyer_id,
       CASE WHEN r2 < 0.1 THEN NULL ELSE 'product ' || ((s * 7 + floor(r2 * 3)::BIGINT) % 500) END AS product,
       CASE WHEN r3 < 0.3 THEN NULL
            ELSE 'product ' || (((s + 1 + floor(r1 * ({orgs} - 1 - s))::BIGINT) * 7
                                  + floor(r3 * 3)::BIGINT) % 500) END AS used_in,
       round(exp(8 + 6 * r4), 2) AS annual_value_usd,
       r4 < 0.2 AS essential,
       (floor(r2 * 4))::INTEGER AS alternatives,
       (1 + floor(r3 * 18))::DOUBLE AS replacement_months,
       r1 < 0.7 AS dod_use
FROM raw;
"""


def generate(path: Path, orgs: int, edges: int) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")
    con.execute(GENERATE.format(orgs=orgs, edges=edges))
    con.close()


def _measure(step: str, db: str) -> dict[str, float]:
    import duckdb
    import networkx as nx
    import numpy as np

    from exposure.model.engine import DESIGNATED, NONCOMPLIANT, Scenario, assess
    from exposure.model.impact import cascade_impact
    from exposure.warehouse.graph_store import load_graph

    con = duckdb.connect(db, read_only=True)
    extra: dict[str, float] = {}
    if step == "build":
        started = time.perf_counter()
        graph = load_graph(con)
        seconds = time.perf_counter() - started
        extra["edges"] = graph.n_edges
    elif step == "assess":
        graph = load_graph(con)
        designated = int(np.argmax(np.bincount(graph.supplier[graph.supplier < 30], minlength=30)))
        started, cpu = time.perf_counter(), time.process_time()
        result = assess(graph, Scenario(designated=(designated,)))
        reach_seconds = time.perf_counter() - started
        sources = (result.status == DESIGNATED) | (result.status == NONCOMPLIANT)
        impact = cascade_impact(graph, sources, result.exposed_edges)
        seconds = time.perf_counter() - started
        extra["cpu_seconds"] = time.process_time() - cpu
        extra["reach_seconds"] = reach_seconds
        extra["impact_seconds"] = seconds - reach_seconds
        extra["exposed_orgs"] = int(result.exposed.sum())
        extra["exposed_edges"] = int(result.exposed_edges.sum())
        extra["max_tier"] = int(result.tier.max())
        extra["late_orgs"] = int(result.late.sum())
        extra["mean_impact_exposed"] = float(impact[result.exposed].mean())
    elif step == "networkx":
        arrays = con.execute("SELECT supplier_id, buyer_id FROM edges").fetchnumpy()
        supplier, buyer = arrays["supplier_id"], arrays["buyer_id"]
        designated = int(np.argmax(np.bincount(supplier[supplier < 30], minlength=30)))
        started = time.perf_counter()
        graph_nx = nx.DiGraph()
        graph_nx.add_edges_from(zip(supplier.tolist(), buyer.tolist(), strict=True))
        reached = nx.single_source_shortest_path_length(graph_nx, designated)
        seconds = time.perf_counter() - started
        extra["reached_orgs"] = len(reached)
    else:
        raise SystemExit(f"unknown step {step}")
    con.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, **extra}


def run(step: str, db: Path, repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` runs, each in a fresh process (noise only ever adds time)."""
    best: dict[str, float] | None = None
    for _ in range(repeat):
        output = subprocess.run(
            [sys.executable, __file__, "--measure", step, str(db)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            peak = max(result["peak_mb"], best["peak_mb"] if best else 0.0)
            best = {**result, "peak_mb": peak}
    assert best is not None
    return best


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orgs", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, default=None, help="Keep the generated database here.")
    parser.add_argument(
        "--repeat", type=int, default=3, help="Runs per step; the fastest counts (default 3)."
    )
    parser.add_argument("--measure", nargs=2, metavar=("STEP", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return 0
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-engine-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"engine-{args.orgs}-{args.edges}.duckdb"
    if not db.exists():
        started = time.perf_counter()
        generate(db, args.orgs, args.edges)
        print(
            f"generated {args.orgs:,} organizations, {args.edges:,} edges in {time.perf_counter() - started:.1f}s"
        )
    results = {
        step: run(step, db, args.repeat if step != "networkx" else max(1, args.repeat - 1))
        for step in ("build", "assess", "networkx")
    }
    for step, result in results.items():
        details = ", ".join(
            f"{k} {v:,.3g}" if isinstance(v, float) else f"{k} {v:,}"
            for k, v in result.items()
            if k not in ("seconds", "peak_mb")
        )
        print(f"{step:9s} {result['seconds']:8.2f} s  peak {result['peak_mb']:7.0f} MB  {details}")
    speedup = results["networkx"]["seconds"] / results["assess"]["seconds"]
    peak = max(r["peak_mb"] for r in results.values() if r is not results["networkx"])
    print(
        f"assessment {results['assess']['seconds']:.2f} s (target <= 2 s), {speedup:.0f}x networkx (target >= 30x)"
    )
    print(
        f"graph build {results['build']['seconds']:.2f} s (target <= 15 s); peak {peak:.0f} MB (target <= 6144 MB)"
    )
    ok = (
        results["assess"]["seconds"] <= 2
        and speedup >= 30
        and results["build"]["seconds"] <= 15
        and peak <= 6144
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
