"""Report benchmark: the assessment workbook of 10,000 affected organizations, 50,000 paths.

Generates a layered network (one designated model provider; layers of 40, 200, 800, 1,800,
3,000 and 4,160 organizations, each buying from five organizations of the layer above, plus
2,000 clear suppliers and their sales), loads it through ``load_files`` like any upload, runs
the assessment, and then, each in its own subprocess so that peak memory is per step:

* ``ours``: :func:`exposure.report.tables.build_tables` (timed) and
  :func:`exposure.report.workbook.write_workbook` (timed: the target);
* ``baseline``: the same tables, written with plain ``DataFrame.to_excel`` (openpyxl engine)
  into one workbook, one sheet per frame, the same rows and columns, no formatting.

Targets (issue 4): the workbook in at most 10 s and at most 2x the baseline.

    python benchmarks/bench_report.py [--scale 1.0] [--out DIR]
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

LAYERS = (40, 200, 800, 1_800, 3_000, 4_160)
CLEAR_SUPPLIERS = 2_000
SUPPLIERS_PER_ORG = 5


def generate(folder: Path, scale: float) -> tuple[Path, Path]:
    """organizations.csv and relationships.csv of the layered network."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2026)
    layers = [max(1, round(size * scale)) for size in LAYERS]
    names = ["Vendor Zero AI, PBC"]
    layer_of = [0]
    for depth, size in enumerate(layers, start=1):
        names += [f"Org {depth}-{i:05d} LLC" for i in range(size)]
        layer_of += [depth] * size
    clear = [f"Clear Supplier {i:05d} Inc." for i in range(round(CLEAR_SUPPLIERS * scale))]
    all_names = names + clear
    layer = np.asarray(layer_of)
    count = len(all_names)
    organizations = pd.DataFrame(
        {
            "name": all_names,
            "kind": ["model_provider"]
            + ["subcontractor"] * (len(names) - 1)
            + ["supplier"] * len(clear),
            "uei": [f"U{i:011d}" for i in range(count)],
            "cage": [f"{i:05d}"[-5:] for i in range(count)],
            "country": "US",
        }
    )
    buyers, suppliers = [], []
    starts = np.concatenate([[0], np.cumsum([1, *layers])])
    for depth in range(1, len(layers) + 1):
        members = np.arange(starts[depth], starts[depth + 1])
        above = np.arange(starts[depth - 1], starts[depth])
        per = 1 if depth == 1 else SUPPLIERS_PER_ORG
        for _ in range(per):
            buyers.append(members)
            suppliers.append(rng.choice(above, size=len(members)))
    clear_ids = np.arange(len(names), count)
    clear_buyers = rng.integers(1, len(names), size=len(clear_ids) * 5)
    buyers.append(clear_buyers)
    suppliers.append(np.repeat(clear_ids, 5))
    buyer = np.concatenate(buyers)
    supplier = np.concatenate(suppliers)
    pairs = pd.DataFrame({"buyer": buyer, "supplier": supplier}).drop_duplicates()
    n = len(pairs)
    buyer, supplier = pairs["buyer"].to_numpy(), pairs["supplier"].to_numpy()
    product = np.array([f"Product of {all_names[s]}" for s in supplier], dtype=object)
    own_product = np.array([f"Product of {all_names[b]}" for b in buyer], dtype=object)
    used_in = np.where(rng.random(n) < 0.3, own_product, None)
    notes = np.where(rng.random(n) < 0.02, '=HYPERLINK("http://x") note', None)
    relationships = pd.DataFrame(
        {
            "buyer": [all_names[b] for b in buyer],
            "supplier": [all_names[s] for s in supplier],
            "relation": np.where(
                layer[np.minimum(supplier, len(layer) - 1)] == 0, "model_api", "subcontract"
            ),
            "product": product,
            "used_in": used_in,
            "contract_id": [f"C{rng.integers(10**6):06d}-{i}" for i in range(n)],
            "program": np.where(
                rng.random(n) < 0.2, [f"Program {k}" for k in rng.integers(0, 50, n)], None
            ),
            "annual_value_usd": np.round(np.exp(rng.uniform(9, 15, n)), 2),
            "criticality": rng.integers(1, 6, n),
            "essential": rng.random(n) < 0.2,
            "alternatives": rng.integers(0, 4, n),
            "replacement_months": rng.integers(1, 19, n).astype(float),
            "dod_use": rng.random(n) < 0.5,
            "notes": notes,
        }
    )
    organizations_csv = folder / "organizations.csv"
    relationships_csv = folder / "relationships.csv"
    organizations.to_csv(organizations_csv, index=False)
    relationships.to_csv(relationships_csv, index=False)
    return organizations_csv, relationships_csv


def _tables(db: str):  # type: ignore[no-untyped-def]
    from datetime import date

    from exposure import assess as assess_scenario
    from exposure import connect
    from exposure.model.scenario import ScenarioSpec
    from exposure.report.tables import build_tables

    con = connect(db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor Zero AI, PBC",)))
        started = time.perf_counter()
        tables = build_tables(con, run, identified=date(2026, 3, 2))
        built = time.perf_counter() - started
    finally:
        con.close()
    return run, tables, built


def _measure(step: str, db: str, out: str) -> dict[str, float]:
    import pandas as pd

    from exposure.report.catalogue import INTERNAL_COLUMNS

    run, tables, built = _tables(db)
    extra: dict[str, float] = {"build_tables_s": built}
    if step == "ours":
        from exposure.report.workbook import write_workbook

        started = time.perf_counter()
        write_workbook(tables, Path(out))
        seconds = time.perf_counter() - started
        extra["affected_orgs"] = int((run.result.status == 1).sum())
        extra["exposed_edges"] = int(run.result.exposed_edges.sum())
        for sheet, frame in tables.sheets():
            extra[f"rows {sheet.title}"] = len(frame)
        extra["cells"] = sum(
            len(frame) * len([c for c in frame.columns if c not in INTERNAL_COLUMNS])
            for _, frame in tables.sheets()
        )
    elif step == "baseline":
        started = time.perf_counter()
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            tables.summary.to_excel(writer, sheet_name="Summary", index=False)
            for sheet, frame in tables.sheets():
                columns = [c for c in frame.columns if c not in INTERNAL_COLUMNS]
                frame[columns].to_excel(writer, sheet_name=sheet.title, index=False)
        seconds = time.perf_counter() - started
    else:
        raise SystemExit(f"unknown step {step}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "bytes": Path(out).stat().st_size, **extra}


def run(step: str, db: Path, out: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", step, str(db), str(out)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="Network size factor.")
    parser.add_argument("--out", type=Path, default=None, help="Keep the files here.")
    parser.add_argument("--measure", nargs=3, metavar=("STEP", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return 0
    from exposure import LoadOptions, connect, load_files

    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"report-{args.scale}.duckdb"
    if not db.exists():
        started = time.perf_counter()
        files = generate(folder, args.scale)
        con = connect(db)
        try:
            report = load_files(con, list(files), LoadOptions())
        finally:
            con.close()
        print(
            f"generated and loaded {report.organizations:,} organizations, {report.edges:,} "
            f"dependencies in {time.perf_counter() - started:.1f}s"
        )
    ours = run("ours", db, folder / "assessment.xlsx")
    baseline = run("baseline", db, folder / "baseline.xlsx")
    rows = ", ".join(f"{k[5:]} {int(v):,}" for k, v in ours.items() if k.startswith("rows "))
    print(
        f"network: {int(ours['affected_orgs']):,} affected organizations, "
        f"{int(ours['exposed_edges']):,} exposed dependencies"
    )
    print(f"sheet rows: {rows}; {int(ours['cells']):,} data cells")
    print(f"build_tables {ours['build_tables_s']:.2f} s (not part of the target)")
    for name, result in (("workbook", ours), ("to_excel", baseline)):
        print(
            f"{name:9s} {result['seconds']:7.2f} s  peak {result['peak_mb']:6.0f} MB  "
            f"{result['bytes'] / 2**20:6.1f} MiB"
        )
    ratio = ours["seconds"] / baseline["seconds"]
    print(
        f"workbook {ours['seconds']:.2f} s (target <= 10 s), {ratio:.2f}x plain to_excel "
        f"(target <= 2x)"
    )
    ok = ours["seconds"] <= 10 and ratio <= 2
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
