"""Memory benchmark: peak RSS of ``load_files`` on a parquet file within the read limits.

Issue 11, item 8: a 44 MB parquet file of 9 million rows loaded at 7.5 GB RSS; the target is
under 4 GB for any file within the limits. This generates a relationships parquet of
``--rows`` rows (a few hundred buyers, many suppliers, repeated products: it compresses as
real exports do), loads it into a fresh database in a subprocess and prints the file size, the
time and the child's peak RSS (``ru_maxrss``). A measurement, never a test: the machine is
shared.

    python benchmarks/bench_memory.py [--rows 9000000] [--format parquet|csv] [--out DIR]
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

_CHILD = """
import sys, time
from pathlib import Path
from exposure import connect, load_files
start = time.perf_counter()
con = connect(Path(sys.argv[1]))
report = load_files(con, [Path(sys.argv[2])])
con.close()
print(time.perf_counter() - start)
"""


def make_parquet(path: Path, rows: int) -> Path:
    """A relationships parquet of ``rows`` rows, written in batches (little memory here)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [("buyer", pa.string()), ("supplier", pa.string()), ("relation", pa.string()),
         ("product", pa.string()), ("annual_value_usd", pa.float64())]
    )  # fmt: skip
    relations = ["component", "saas", "license", "subcontract"]
    batch = 1_000_000
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for start in range(0, rows, batch):
            n = min(batch, rows - start)
            ids = range(start, start + n)
            writer.write_table(
                pa.table(
                    {
                        "buyer": [f"Prime {i % 300}" for i in ids],
                        "supplier": [f"Supplier {i}" for i in ids],
                        "relation": [relations[i % 4] for i in ids],
                        "product": [f"Product {i % 1000}" for i in ids],
                        "annual_value_usd": [float(i % 100_000) for i in ids],
                    },
                    schema=schema,
                )
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=9_000_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    data = make_parquet(folder / f"relationships-{args.rows}.parquet", args.rows)
    if args.format == "csv":
        import pyarrow.csv as pc
        import pyarrow.parquet as pq

        csv = data.with_suffix(".csv")
        with pq.ParquetFile(data) as source, pc.CSVWriter(csv, source.schema_arrow) as writer:
            for batch in source.iter_batches():
                writer.write_batch(batch)
        data.unlink()
        data = csv
    database = folder / "bench.duckdb"
    database.unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(database), str(data)], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {
        "rows": args.rows,
        "format": args.format,
        "file_mb": round(data.stat().st_size / 2**20, 1),
        "ok": child.returncode == 0,
        "seconds": round(elapsed, 1),
        "peak_rss_mb": round(peak_mb),
        "error": child.stderr.strip().splitlines()[-1] if child.returncode else None,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
