"""End-to-end benchmark (issue 12): every command a user runs, through the CLI, at scale.

Two shapes of network, written as CSV files a user would load:

* ``heavy``: random, supplier popularity heavy-tailed (a few suppliers serve most buyers),
  one row per (supplier, buyer) pair; the most-used supplier is designated;
* ``tiered``: the DIB-like tiered network of ``bench_engine.py`` (model providers, hosts,
  vendors, suppliers, subcontractors, primes, agencies; buyers downstream of suppliers);
  organization 0, a model provider, is designated.

Sizes: ``20k`` (20,000 / 150,000), ``200k`` (200,000 / 2,000,000), ``1m`` (1,000,000 /
10,000,000); ``--sizes 20k,200k`` picks them (default ``20k``). Each command runs as its own
process (``python -m exposure``), timed wall-clock with its peak resident memory
(``os.wait4``'s ``ru_maxrss``):

* ``load`` both files; ``assess --out a.json`` twice (the first builds and stores the graph,
  the second reads it); ``assess --out a.xlsx``; ``assess --for <a prime>``;
* ``engine``: the engine alone on the stored graph (reach, contagion, impact), in-process;
* ``networkx``: read the relationships CSV, build a DiGraph, BFS from the designated
  organization (the baseline);
* ``help``: ``exposure --help``.

Targets (issue 12): ``assess --out a.json`` with the graph built >= 5x faster than networkx
at every size, within 3x of the engine at 1M/10M; the repeated assess skips the graph build;
``a.xlsx`` <= 3x the JSON; ``--help`` < 0.5 s; peak memory <= 8 GB for any command.

Commands run with compiled bytecode, as an installed package has it (``PYTHONDONTWRITEBYTECODE``
is dropped and the package compiled first). ``--skip xlsx@1m`` leaves a step out at one size
(``--skip xlsx`` everywhere).

    python benchmarks/bench_end_to_end.py [--sizes 20k,200k,1m] [--shapes heavy,tiered] [--out DIR]
        [--skip xlsx@1m]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"20k": (20_000, 150_000), "200k": (200_000, 2_000_000), "1m": (1_000_000, 10_000_000)}
ROOT = Path(__file__).resolve().parent.parent

_NAME = "'Org ' || lpad(CAST({i} AS VARCHAR), 7, '0') || ' LLC'"

HEAVY = """
CREATE TABLE pairs AS
SELECT DISTINCT s, b FROM (
    SELECT least({orgs} - 1, floor(pow(random(), 3) * {orgs})::BIGINT) AS s,
           floor(random() * {orgs})::BIGINT AS b
    FROM range(CAST({edges} * 1.3 AS BIGINT))
) WHERE s <> b;
CREATE TABLE rel AS
SELECT {buyer} AS buyer, {supplier} AS supplier,
       CASE WHEN s = 0 THEN 'model_api' ELSE 'subcontract' END AS relation,
       'Product of ' || {supplier} AS product,
       round(exp(9 + 6 * random()), 2) AS annual_value_usd,
       (1 + floor(random() * 18))::DOUBLE AS replacement_months,
       random() < 0.5 AS dod_use, s, b
FROM (SELECT * FROM pairs USING SAMPLE {edges} ROWS);
CREATE TABLE org AS
SELECT {org} AS name, CASE WHEN i < 10 THEN 'model_provider' WHEN i % 50 = 0 THEN 'prime'
                          ELSE 'supplier' END AS kind, i
FROM range({orgs}) t(i);
"""

TIERED = """
CREATE TABLE rel AS
WITH raw AS (
    SELECT i, least({orgs} - 2, floor(pow(random(), 4) * {orgs})::BIGINT) AS s,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4
    FROM range({edges}) t(i)
), e AS (
    SELECT i, s, s + 1 + floor(r1 * ({orgs} - 1 - s))::BIGINT AS b, r1, r2, r3, r4 FROM raw
)
SELECT {buyer} AS buyer, {supplier} AS supplier,
       CASE WHEN s < 30 THEN 'model_api' WHEN s < 130 THEN 'cloud' ELSE 'subcontract' END
           AS relation,
       CASE WHEN r2 < 0.1 THEN NULL ELSE 'product ' || ((s * 7 + floor(r2 * 3)::BIGINT) % 500)
           END AS product,
       CASE WHEN r3 < 0.3 THEN NULL ELSE 'product ' || ((b * 7 + floor(r3 * 3)::BIGINT) % 500)
           END AS used_in,
       'C-' || i AS contract_id,
       round(exp(8 + 6 * r4), 2) AS annual_value_usd,
       r4 < 0.2 AS essential, (floor(r2 * 4))::INTEGER AS alternatives,
       (1 + floor(r3 * 18))::DOUBLE AS replacement_months, r1 < 0.7 AS dod_use, s, b
FROM e;
CREATE TABLE org AS
SELECT {org} AS name,
       CASE WHEN i < 30 THEN 'model_provider' WHEN i < 130 THEN 'cloud_host'
            WHEN i < {orgs} * 0.05 THEN 'software_vendor' WHEN i < {orgs} * 0.55 THEN 'supplier'
            WHEN i < {orgs} * 0.95 THEN 'subcontractor' WHEN i < {orgs} - 20 THEN 'prime'
            ELSE 'agency' END AS kind, i
FROM range({orgs}) t(i);
"""


def generate(folder: Path, shape: str, orgs: int, edges: int) -> tuple[Path, Path, str, str]:
    """Write organizations.csv and relationships.csv; the designated and a prime's names."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    sql = (HEAVY if shape == "heavy" else TIERED).format(
        orgs=orgs,
        edges=edges,
        buyer=_NAME.format(i="b"),
        supplier=_NAME.format(i="s"),
        org=_NAME.format(i="i"),
    )
    con = duckdb.connect()
    con.execute("SELECT setseed(0.12)")
    con.execute(sql)
    organizations, relationships = folder / "organizations.csv", folder / "relationships.csv"
    con.execute(f"COPY (SELECT name, kind FROM org ORDER BY i) TO '{organizations}' (HEADER)")
    con.execute(f"COPY (SELECT * EXCLUDE (s, b) FROM rel) TO '{relationships}' (HEADER)")
    top = con.execute("SELECT s FROM rel GROUP BY s ORDER BY count(*) DESC, s LIMIT 1").fetchone()
    designated = 0 if shape == "tiered" else int(top[0])  # type: ignore[index]
    # A prime two links below the designated organization (so that it has chains).
    prime = con.execute(
        "SELECT b2.b FROM rel b1 JOIN rel b2 ON b2.s = b1.b JOIN org ON org.i = b2.b "
        f"WHERE b1.s = {designated} AND org.kind = 'prime' ORDER BY b2.b LIMIT 1"
    ).fetchone()
    con.close()
    name = f"Org {designated:07d} LLC"
    return organizations, relationships, name, f"Org {int(prime[0]):07d} LLC"  # type: ignore[index]


def measure(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a command; its wall time (s) and peak resident memory (MB)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    error = process.stderr.read().decode() if process.stderr else ""
    if status != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {error[-2000:]}")
    return {"seconds": round(elapsed, 3), "peak_mb": round(usage.ru_maxrss / 1024, 1)}


NETWORKX = """
import sys, time
import pandas as pd, networkx as nx
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1], usecols=["buyer", "supplier"])
graph = nx.DiGraph()
graph.add_edges_from(zip(frame["supplier"], frame["buyer"]))
reached = nx.descendants(graph, sys.argv[2])
print(len(reached), time.perf_counter() - start)
"""

ENGINE = """
import sys, time
import exposure
from exposure.model.engine import DESIGNATED, NONCOMPLIANT, assess
from exposure.model.impact import model_impact
from exposure.warehouse.graph_store import load_graph
from exposure.warehouse.scenarios import build_scenario
con = exposure.connect(sys.argv[1], read_only=True)
spec = exposure.ScenarioSpec(designated=(sys.argv[2],))
scenario, _ = build_scenario(con, spec)
graph = load_graph(con)
best = 1e9
for _ in range(3):
    start = time.perf_counter()
    result = assess(graph, scenario)
    sources = (result.status == DESIGNATED) | (result.status == NONCOMPLIANT)
    model_impact(graph, sources, result.exposed_edges, spec.model)
    best = min(best, time.perf_counter() - start)
print(best)
"""


def bench(folder: Path, shape: str, size: str, skip: set[str]) -> dict[str, dict[str, float]]:
    orgs, edges = SIZES[size]
    work = folder / f"{shape}-{size}"
    start = time.perf_counter()
    # Generated in a child process: a child's peak memory (ru_maxrss) starts from its parent's
    # size at fork, so the parent stays small.
    made = subprocess.run(
        [sys.executable, __file__, "--generate", shape, str(orgs), str(edges), str(work)],
        capture_output=True,
        text=True,
        check=True,
    )
    organizations, relationships, designated, prime = json.loads(made.stdout)
    print(f"{shape} {size}: generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    db = work / "bench.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("EXPOSURE_PROGRESS", None)
    # Bytecode as an installed package has it (pip compiles it; pandas and networkx have theirs).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The 1M/10M relationships file is 864 MB, over the default file limit (512 MB).
    env.setdefault("EXPOSURE_MAX_FILE_MB", "4096")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "exposure")], check=True, env=env
    )
    cli = [sys.executable, "-m", "exposure", "--db", str(db)]
    results: dict[str, dict[str, float]] = {}

    def step(name: str, args: list[str]) -> None:
        if name.split()[-1] in skip or f"{name.split()[-1]}@{size}" in skip:
            print(f"  {name}: skipped", file=sys.stderr)
            return
        results[name] = measure(args, env)
        print(f"  {name}: {results[name]}", file=sys.stderr)

    step("help", [sys.executable, "-m", "exposure", "--help"])
    step(
        "python -c 'import click, rich.console'",
        [sys.executable, "-c", "import click, rich.console"],
    )
    step("load", [*cli, "load", str(organizations), str(relationships)])
    step(
        "assess json (builds graph)",
        [*cli, "assess", "--designate", designated, "--out", str(work / "a.json")],
    )
    step(
        "assess json (graph stored)",
        [*cli, "assess", "--designate", designated, "--out", str(work / "a.json")],
    )
    step("assess xlsx", [*cli, "assess", "--designate", designated, "--out", str(work / "a.xlsx")])
    step("assess for", [*cli, "assess", "--designate", designated, "--for", prime])
    engine = subprocess.run(
        [sys.executable, "-c", ENGINE, str(db), designated],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    results["engine alone"] = {"seconds": round(float(engine.stdout.split()[-1]), 3)}
    print(f"  engine alone: {results['engine alone']}", file=sys.stderr)
    step("networkx", [sys.executable, "-c", NETWORKX, str(relationships), designated])
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20k", help="comma-separated: 20k, 200k, 1m")
    parser.add_argument("--shapes", default="heavy,tiered", help="comma-separated: heavy, tiered")
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: temporary)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated steps to leave out, everywhere (xlsx) or at one size (xlsx@1m): "
        "help, load, xlsx, for, networkx",
    )
    parser.add_argument("--generate", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        shape, orgs, edges, work = args.generate
        made = generate(Path(work), shape, int(orgs), int(edges))
        print(json.dumps([str(item) for item in made]))
        return 0
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    report: dict[str, dict[str, dict[str, float]]] = {}
    for size in args.sizes.split(","):
        for shape in args.shapes.split(","):
            report[f"{shape} {size}"] = bench(folder, shape, size, set(args.skip.split(",")))
    for name, results in report.items():
        print(f"\n{name}")
        for step, figures in results.items():
            print(
                f"  {step:28s} {figures.get('seconds', 0):9.2f} s  {figures.get('peak_mb', 0):8.0f} MB"
            )
        seconds = {step: figures.get("seconds", 0.0) for step, figures in results.items()}
        for label, top, bottom in (
            ("networkx / assess json (stored graph)", "networkx", "assess json (graph stored)"),
            ("assess xlsx / assess json", "assess xlsx", "assess json (graph stored)"),
            ("assess json / engine alone", "assess json (graph stored)", "engine alone"),
        ):
            if seconds.get(top) and seconds.get(bottom):
                print(f"  {label}: {seconds[top] / seconds[bottom]:.2f}x")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
