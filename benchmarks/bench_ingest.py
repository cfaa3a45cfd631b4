"""Ingestion benchmark: `exposure load` against plain readers, in the same run.

Generates a 200,000-row relationships workbook and a 1,000,000-row relationships CSV, then
times, each in its own subprocess (so peak memory is per measurement):

* xlsx: ``load_files`` (read with calamine, map, validate, stage with provenance, resolve
  organizations and edges, commit) vs ``pandas.read_excel(engine="openpyxl")``;
* csv: ``load_files`` vs a bare DuckDB ``CREATE TABLE AS SELECT * FROM read_csv(...)``.

Targets (issue 2): xlsx load at least 8x faster than openpyxl; CSV load at most 4x the bare
read_csv. Ratios, not absolute times: the machine is shared, so each step runs ``--repeat``
times (fresh database each time) and the fastest run counts, baselines alike; peak memory is
the largest seen.

    python benchmarks/bench_ingest.py [--xlsx-rows 200000] [--csv-rows 1000000] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = [
    "buyer",
    "supplier",
    "relation",
    "product",
    "used_in",
    "contract_id",
    "program",
    "annual_value_usd",
    "criticality",
    "essential",
    "alternatives",
    "replacement_months",
    "dod_use",
    "notes",
]
RELATIONS = [
    "subcontract",
    "component",
    "saas",
    "model_api",
    "cloud_hosting",
    "license",
    "integrates",
]
PRODUCTS = [
    "Analytics Platform",
    "Model API",
    "GovCloud compute",
    "Bedrock",
    "Radar Kit",
    "ERP",
    "",
]


def _rows(count: int, seed: int):
    rng = random.Random(seed)
    organizations = max(1000, count // 4)
    for index in range(count):
        buyer = rng.randrange(organizations)
        supplier = (buyer + 1 + int(rng.paretovariate(1.2))) % organizations
        yield [
            f"Org {buyer:07d} Holdings",
            f"Org {supplier:07d} Holdings",
            rng.choice(RELATIONS),
            rng.choice(PRODUCTS),
            rng.choice(PRODUCTS),
            f"C-{index:08d}",
            f"Program {rng.randrange(200)}",
            round(rng.lognormvariate(11, 2), 2),
            rng.randint(1, 5),
            rng.choice(["true", "false"]),
            rng.randint(0, 6),
            rng.choice([1, 3, 6, 9, 12, 18]),
            rng.choice(["true", "false"]),
            "invented benchmark row",
        ]


def make_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("relationships")
    sheet.append(COLUMNS)
    for row in _rows(rows, 1):
        sheet.append(row)
    workbook.save(path)


def make_csv(path: Path, rows: int) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(_rows(rows, 2))


# --- measured steps, each run in a fresh subprocess -------------------------------------------


def _measure(step: str, file: str, workdir: str) -> dict[str, float]:
    # Imports are not load time: bring in every module first, for every step alike.
    import duckdb
    import pandas as pd

    from exposure import connect, load_files

    started = time.perf_counter()
    if step == "exposure_load":
        con = connect(Path(workdir) / f"bench-{Path(file).suffix[1:]}.duckdb")
        report = load_files(con, [file])
        con.close()
        rows = report.rows
    elif step == "openpyxl":
        rows = len(pd.read_excel(file, engine="openpyxl"))
    elif step == "duckdb_read_csv":
        con = duckdb.connect(str(Path(workdir) / "bare.duckdb"))
        con.execute(f"CREATE OR REPLACE TABLE bare AS SELECT * FROM read_csv('{file}')")
        rows = con.execute("SELECT count(*) FROM bare").fetchall()[0][0]
        con.close()
    else:
        raise SystemExit(f"unknown step {step}")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "rows": rows}


def run(step: str, file: Path, workdir: Path, repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` runs (noise on a shared machine only ever adds time)."""
    best: dict[str, float] | None = None
    for _ in range(repeat):
        for leftover in workdir.glob("*.duckdb*"):
            leftover.unlink()
        output = subprocess.run(
            [sys.executable, __file__, "--measure", step, str(file), str(workdir)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            best = {**result, "peak_mb": max(result["peak_mb"], best["peak_mb"] if best else 0)}
    assert best is not None
    return best


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=None, help="Keep generated files here.")
    parser.add_argument("--only", choices=("xlsx", "csv"), help="Measure one format only.")
    parser.add_argument(
        "--repeat", type=int, default=3, help="Runs per measurement; the fastest counts."
    )
    parser.add_argument(
        "--measure", nargs=3, metavar=("STEP", "FILE", "WORKDIR"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return 0

    workdir = args.out or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    workdir.mkdir(parents=True, exist_ok=True)
    xlsx, csv_file = workdir / "relationships.xlsx", workdir / "relationships.csv"
    started = time.perf_counter()
    if not xlsx.exists() and args.only != "csv":
        make_xlsx(xlsx, args.xlsx_rows)
    if not csv_file.exists() and args.only != "xlsx":
        make_csv(csv_file, args.csv_rows)
    print(f"generated inputs in {time.perf_counter() - started:.1f}s under {workdir}")

    results = {}
    ok = True
    if args.only in (None, "xlsx"):
        results["xlsx_exposure"] = run("exposure_load", xlsx, workdir, args.repeat)
        results["xlsx_openpyxl"] = run("openpyxl", xlsx, workdir, args.repeat)
    if args.only in (None, "csv"):
        results["csv_exposure"] = run("exposure_load", csv_file, workdir, args.repeat)
        results["csv_duckdb"] = run("duckdb_read_csv", csv_file, workdir, args.repeat)
    for name, result in results.items():
        print(
            f"{name:15s} {result['seconds']:8.2f} s  peak {result['peak_mb']:7.0f} MB  rows {result['rows']}"
        )
    if "xlsx_exposure" in results:
        xlsx_speedup = results["xlsx_openpyxl"]["seconds"] / results["xlsx_exposure"]["seconds"]
        print(
            f"xlsx: exposure load is {xlsx_speedup:.1f}x faster than pandas+openpyxl (target >= 8x)"
        )
        ok = ok and xlsx_speedup >= 8
    if "csv_exposure" in results:
        csv_ratio = results["csv_exposure"]["seconds"] / results["csv_duckdb"]["seconds"]
        print(f"csv:  exposure load takes {csv_ratio:.2f}x a bare DuckDB read_csv (target <= 4x)")
        ok = ok and csv_ratio <= 4
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
