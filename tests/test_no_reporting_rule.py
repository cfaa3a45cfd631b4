"""A designation type with no reporting rule: the assessment completes and says so in words.

Before the fix the report due dates were keyed by NaN tuples and ``exposure assess`` ended in
``KeyError: (nan, nan)``.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import REPORT, run_cli

from exposure import assess, build_report, connect, load_files
from exposure.model.scenario import ScenarioSpec

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
VENDOR = "Vendor AI, PBC"


@pytest.fixture
def unruled_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tests/data/report/ with seeds that list the vendor under a type no rule covers."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    with (seeds / "designations.csv").open("a", encoding="utf-8") as out:
        out.write(
            f'novel,A list of a new kind,"{VENDOR}",,,US,,Test authority,,novel_order,'
            "2026-02-27,180,all,a designation type with no row in reporting_rules.csv\n"
        )
    monkeypatch.setenv("EXPOSURE_SEEDS", str(seeds))
    path = tmp_path / "unruled.duckdb"
    con = connect(path)
    try:
        load_files(con, [REPORT / "organizations.csv", REPORT / "relationships.csv"])
    finally:
        con.close()
    return path


def test_reporting_rows_say_the_due_dates_are_unknown(unruled_db: Path) -> None:
    con = connect(unruled_db)
    try:
        run = assess(con, ScenarioSpec(designated=(VENDOR,)))
        tables = build_report(con, run, identified=date(2026, 7, 1))
    finally:
        con.close()
    reporting = tables.reporting
    assert len(reporting) > 0  # the network has exposed DoD-use inputs to report
    assert reporting["initial_report_due"].isna().all()
    assert reporting["followup_report_due"].isna().all()
    assert (reporting["clause"] == "none: no reporting rule").all()
    assert (reporting["report_to"] == "unknown: no reporting rule").all()
    for basis in reporting["rule_basis"]:
        assert "no reporting rule for 'novel_order'" in basis
        assert "the report due dates are unknown" in basis


def test_known_rules_still_give_dates(report_db: Path) -> None:
    con = connect(report_db)
    try:
        run = assess(con, ScenarioSpec(designated=(VENDOR,)))
        tables = build_report(con, run, identified=date(2026, 7, 1))
    finally:
        con.close()
    reporting = tables.reporting
    # FASCSA (FAR 52.204-30): 3 business days from Wednesday 2026-07-01 (Friday 3 July is
    # the observed Independence Day), then 10 more.
    assert set(reporting["initial_report_due"]) == {pd.Timestamp("2026-07-07")}
    assert not reporting["rule_basis"].str.contains("unknown").any()


def test_assess_command_completes_and_writes_the_reporting_sheet(
    unruled_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    code, output = run_cli("--db", unruled_db, "assess", "--designate", VENDOR, "--out", out)
    assert code == 0, output
    sheet = openpyxl.load_workbook(out, read_only=True)["Reporting"]
    text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    assert "the report due dates are unknown" in text
