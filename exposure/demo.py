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
from exposure.pipeline import AssessmentRun, run_assessment, store_results
from exposure.report import write_report
from exposure.scenarios import load_spec
from exposure.warehouse import LoadReport, Status, connect, load_files, status

__all__ = ["DEMO_SCENARIO", "DemoResult", "run_demo", "sample_data_dir"]


def sample_data_dir() -> Path:
    """The project's ``sample_data/`` folder."""
    return Path(__file__).resolve().parent.parent / "sample_data"


DEMO_SCENARIO = "dod-2026-anthropic"


@dataclass(frozen=True)
class DemoResult:
    """What the demo loaded, the warehouse status, and the seed scenario's assessment."""

    database: Path
    reports: list[LoadReport]
    status: Status
    run: AssessmentRun | None = None
    report_path: Path | None = None


def run_demo(
    database: Path,
    *,
    sample_dir: Path | None = None,
    report: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoResult:
    """Recreate ``database``, load the manifest's sample files in order, assess the seed scenario.

    The 2026 designation list of ``seeds/designations.csv`` is named explicitly here; with
    ``report`` the assessment is written there (JSON or CSV).
    """
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
        run = run_assessment(con, load_spec(con, DEMO_SCENARIO))
        store_results(con, run)
    finally:
        con.close()
    if report is not None:
        write_report(run, report)
    return DemoResult(database, reports, result, run, report)
