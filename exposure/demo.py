"""The demo: the sample network loaded into a fresh database, ready to assess.

``sample_data/manifest.csv`` lists the files in load order with the options each needs
(``--buyer`` for a vendor list), so the demo loads exactly what a user would.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from exposure.errors import ExposureError
from exposure.ingest import LoadOptions
from exposure.warehouse import LoadReport, Status, connect, load_files, status

__all__ = ["DemoResult", "run_demo", "sample_data_dir"]


def sample_data_dir() -> Path:
    """The project's ``sample_data/`` folder."""
    return Path(__file__).resolve().parent.parent / "sample_data"


@dataclass(frozen=True)
class DemoResult:
    """What the demo loaded and the resulting warehouse status."""

    database: Path
    reports: list[LoadReport]
    status: Status


def run_demo(
    database: Path,
    *,
    sample_dir: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoResult:
    """Recreate ``database`` and load the sample files listed in the manifest, in order."""
    folder = sample_dir or sample_data_dir()
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        raise ExposureError(f"no manifest.csv in {folder}: it lists the sample files to load")
    for leftover in (database, database.with_name(database.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = connect(database)
    reports = []
    try:
        with manifest.open(newline="", encoding="utf-8") as handle:
            entries = list(csv.DictReader(handle))
        for entry in entries:
            options = LoadOptions(buyer=entry.get("buyer") or None)
            reports.append(load_files(con, [folder / entry["file"]], options, progress=progress))
        result = status(con, database=str(database))
    finally:
        con.close()
    return DemoResult(database=database, reports=reports, status=result)
