"""The assessment from one company's seat (--for): its own supply base apart from its
customers' government contracts; agencies as contracts touched, never to remediate."""

from __future__ import annotations

from datetime import date

import numpy as np
import openpyxl

from exposure import assess as assess_scenario
from exposure import connect, load_files
from exposure.model.scenario import ScenarioSpec
from exposure.pipeline.demo import run_demo
from exposure.report.tables import build_tables
from tests.conftest import DATA


def _facts(tables):
    organization = tables.summary[tables.summary["section"] == "Organization"]
    return dict(zip(organization["fact"], organization["value"], strict=True))


def test_sub_a_seat_by_hand(tmp_path):
    """tests/data/flowdown/ (see tests/test_flowdown.py): Sub A buys Model Hub from Host Co
    (200 a year), its one exposed input; it feeds Prime X's Tempest FA0000-25-C-0001 (90,000),
    Prime Y's Sonar N00000-25-C-0003 (70,000) and Trainer order 0007 (60,000): three customers'
    government contracts, 220,000 a year."""
    con = connect(tmp_path / "f.duckdb")
    try:
        load_files(
            con, [DATA / "flowdown" / "organizations.csv", DATA / "flowdown" / "relationships.csv"]
        )
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        sub_a = int(np.flatnonzero(run.graph.names == "Sub A LLC")[0])
        tables = build_tables(con, run, for_org=sub_a, identified=date(2026, 7, 1))
        agency = int(np.flatnonzero(run.graph.names == "Department of the Navy")[0])
        navy = build_tables(con, run, for_org=agency, identified=date(2026, 7, 1))
    finally:
        con.close()
    facts = _facts(tables)
    assert facts["Own supply base: exposed inputs"] == 1
    assert facts["Own supply base: annual value of exposed inputs (USD)"] == 200.0
    assert facts["Customers' government contracts touched"] == 3
    assert facts["Customers' government contracts: value (USD)"] == 220000.0
    assert facts["Government contracts touched"] == (
        "FA0000-25-C-0001 (Department of the Air Force, Tempest); "
        "N00000-25-C-0003 (Department of the Navy, Sonar); "
        "FA0000-23-D-0004 (Department of the Air Force, Trainer)"
    )
    # An agency's seat has nothing to remediate and no late inputs.
    assert navy.remediation.empty
    assert _facts(navy)["Late inputs"] == 0


def test_demo_writes_meridians_own_workbook(tmp_path):
    seat = tmp_path / "exposure-demo-meridian.xlsx"
    result = run_demo(
        tmp_path / "demo.duckdb",
        report=tmp_path / "exposure-demo-assessment.xlsx",
        identified=date(2026, 3, 2),
        seat_report=seat,
    )
    assert seat in result.written and seat.is_file()
    workbook = openpyxl.load_workbook(seat)
    title = workbook["Summary"]["A1"].value
    assert "Meridian Aerospace Corporation" in title
    values = [c for row in workbook["Reporting"].iter_rows(values_only=True) for c in row]
    assert "FA8730-25-C-0117" in values and "FA8625-24-C-6012" in values
    remediation = workbook["Remediation"]
    buyers = [c for row in remediation.iter_rows(values_only=True) for c in row]
    assert not any(str(v).startswith("Department of") for v in buyers if v)
