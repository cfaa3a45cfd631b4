"""The demo: the sample network loaded into a fresh database, ready to assess.

``sample_data/manifest.csv`` lists the files in load order with the options each needs
(``--buyer`` for a vendor list), so the demo loads exactly what a user would.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from exposure.core.errors import ExposureError
from exposure.core.resources import sample_data_dir
from exposure.ingest.mapping import LoadOptions
from exposure.model.run import AssessmentRun
from exposure.pipeline.assessment import assess, build_report, write_report
from exposure.report.tables import AssessmentTables
from exposure.warehouse.database import Status, connect, status
from exposure.warehouse.loading import LoadReport, load_files
from exposure.warehouse.scenarios import load_spec, resolve_org

__all__ = ["DEMO_SCENARIO", "DEMO_SEAT", "DemoResult", "run_demo", "sample_data_dir"]


logger = logging.getLogger(__name__)

DEMO_SCENARIO = "dod-2026-anthropic"
# The company whose vendor list drives the demo: its own workbook is written beside the network's.
DEMO_SEAT = "Meridian Aerospace Corporation"


@dataclass(frozen=True)
class DemoResult:
    """What the demo loaded, the warehouse status, the seed scenario's assessment, its tables
    and the report files written (``report_path`` first, then ``written``)."""

    database: Path
    reports: list[LoadReport]
    status: Status
    run: AssessmentRun | None = None
    report_path: Path | None = None
    tables: AssessmentTables | None = None
    written: tuple[Path, ...] = ()


def run_demo(
    database: Path,
    *,
    sample_dir: Path | None = None,
    report: Path | None = None,
    also: tuple[Path, ...] = (),
    identified: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    seat_report: Path | None = None,
) -> DemoResult:
    """Recreate ``database``, load the manifest's sample files in order, assess the seed scenario.

    The 2026 designation list of ``seeds/designations.csv`` is named explicitly here. With
    ``report`` (``.xlsx``, ``.csv`` or ``.json``) the assessment is written there, and to each
    path of ``also``, all from the same tables. With ``seat_report`` the assessment from
    :data:`DEMO_SEAT`'s seat (its own workbook, the file a prime submits) is written there too.
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
        run = assess(con, load_spec(con, DEMO_SCENARIO))
        tables = build_report(con, run, identified=identified)
        seat_tables = None
        if seat_report is not None:
            try:
                seat = resolve_org(con, DEMO_SEAT)
            except ExposureError:  # another sample folder without the company
                logger.info("no %s in the sample data: no seat workbook", DEMO_SEAT)
            else:
                seat_tables = build_report(con, run, for_org=seat, identified=identified)
    finally:
        con.close()
    written = []
    for path in (report, *also) if report is not None else also:
        written.append(write_report(run, tables, path, progress=progress))
    if seat_report is not None and seat_tables is not None:
        written.append(write_report(run, seat_tables, seat_report, progress=progress))
    return DemoResult(database, reports, result, run, report, tables, tuple(written))
