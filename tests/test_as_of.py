"""The as-of date: past the deadline every open exposed dependency is overdue, by how much.

tests/data/report/ with "Vendor AI" designated: effective 2026-02-27, 180 days, so the deadline
is 2026-08-26. As of 2026-12-03 that is 99 days ago (5 days of August, 30 + 31 + 30 of
September to November, 3 of December); as of 2026-07-01 it is 56 days ahead.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from exposure import assess as assess_scenario
from exposure import connect
from exposure.model.engine import Scenario
from exposure.model.remediation import remediation_frame
from exposure.model.scenario import ScenarioSpec
from exposure.report.tables import build_tables
from tests.conftest import run_cli

AFTER, BEFORE = date(2026, 12, 3), date(2026, 7, 1)


@pytest.fixture
def assessed(report_db):
    con = connect(report_db)
    run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
    yield con, run
    con.close()


def _fact(tables, name):
    return tables.summary.set_index("fact").loc[name, "value"]


def test_after_the_deadline_every_open_dependency_is_overdue(assessed):
    con, run = assessed
    tables = build_tables(con, run, identified=BEFORE, as_of=AFTER)
    assert tables.overdue_days == 99
    assert len(tables.remediation) > 0
    assert (tables.remediation["overdue_days"] == 99).all()
    assert tables.remediation["action"].str.startswith("Overdue by 99 days (as of 2026-12-03").all()
    assert _fact(tables, "Days overdue") == 99
    assert _fact(tables, "As of") == AFTER
    assert str(_fact(tables, "Deadline status")).startswith("passed 99 days ago")
    assert any("passed 99 days ago" in note for note in tables.notes["Remediation"])


def test_before_the_deadline_nothing_is_overdue(assessed):
    con, run = assessed
    tables = build_tables(con, run, identified=BEFORE, as_of=BEFORE)
    assert tables.overdue_days == 0
    assert (tables.remediation["overdue_days"] == 0).all()
    assert not tables.remediation["action"].str.contains("Overdue").any()
    assert _fact(tables, "Deadline status") == "56 days to go"
    assert "Remediation" not in tables.notes or not any(
        "overdue" in note for note in tables.notes["Remediation"]
    )


def test_a_later_remediation_start_moves_the_completion():
    """Effective 2026-02-27; 3 months = ceil(91.3125) = 92 days. Started 2026-06-01, the same
    3 months end 2026-09-01, after the 2026-08-26 deadline: late; from the effective date they
    end 2026-05-30. A start before the effective date counts from the effective date."""
    scenario = Scenario(designated=(0,))
    edges = pd.DataFrame(
        {
            "edge_type": ["exposed"] * 3,
            "tier": [1, 1, 1],
            "late": [False, False, False],
            "replacement_months": [3.0, 3.0, 3.0],
            "remediation_started": [None, pd.Timestamp("2026-06-01"), pd.Timestamp("2026-01-01")],
            "product": ["p"] * 3,
            "supplier": ["S"] * 3,
            "buyer": ["B"] * 3,
            "buyer_status": ["exposed"] * 3,
            "supplier_status": ["designated"] * 3,
            "designated_source": ["S"] * 3,
            "alternatives": [1, 1, 1],
            "essential": [False] * 3,
        }
    )
    plan = remediation_frame(edges, scenario, as_of=date(2026, 3, 1))
    assert plan["estimated_completion"].dt.date.tolist() == [
        date(2026, 5, 30),
        date(2026, 9, 1),
        date(2026, 5, 30),
    ]
    assert plan["late"].tolist() == [False, True, False]
    assert plan["days_past_deadline"].tolist() == [-88, 6, -88]


def test_cli_and_json_say_how_many_days_overdue(report_db, tmp_path):
    out = tmp_path / "a.json"
    code, output = run_cli(
        "--db", report_db, "assess", "--designate", "Vendor AI", "--as-of", "2026-12-03",
        "--out", out,
    )  # fmt: skip
    assert code == 0, output
    assert "the deadline 2026-08-26 passed 99 days ago" in output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["as_of"] == "2026-12-03" and payload["overdue_days"] == 99
    code, output = run_cli(
        "--db", report_db, "assess", "--designate", "Vendor AI", "--as-of", "2026-07-01"
    )
    assert code == 0, output
    assert "as of 2026-07-01: 56 days to the deadline 2026-08-26" in output


def test_remediation_started_column_loads_and_moves_the_completion(tmp_path):
    """A 'Remediation Start Date' header maps to remediation_started. B Co started replacing
    Chat (3 months) on 2026-06-01: estimated 2026-09-01, 6 days after the 2026-08-26 deadline,
    late; C Co gave no start: from the effective date, 2026-05-30, on time."""
    rels = tmp_path / "rels.csv"
    rels.write_text(
        "buyer,supplier,relation,product,contract_id,replacement_months,dod_use,"
        "Remediation Start Date\n"
        "B Co,Vendor AI,saas,Chat,B-1,3,true,2026-06-01\n"
        "C Co,Vendor AI,saas,Chat,C-1,3,true,\n",
        encoding="utf-8",
    )
    db = tmp_path / "r.duckdb"
    code, output = run_cli("--db", db, "load", rels)
    assert code == 0, output
    con = connect(db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        tables = build_tables(con, run, identified=BEFORE, as_of=date(2026, 3, 1))
    finally:
        con.close()
    plan = tables.remediation.set_index("buyer")
    assert plan.loc["B Co", "remediation_started"] == pd.Timestamp("2026-06-01")
    assert plan.loc["B Co", "estimated_completion"] == pd.Timestamp("2026-09-01")
    assert bool(plan.loc["B Co", "late"]) and not bool(plan.loc["C Co", "late"])
    assert plan.loc["C Co", "estimated_completion"] == pd.Timestamp("2026-05-30")


def test_a_bad_remediation_start_is_refused(tmp_path):
    rels = tmp_path / "rels.csv"
    rels.write_text(
        "buyer,supplier,relation,product,remediation_started\nB Co,Vendor AI,saas,Chat,soon\n",
        encoding="utf-8",
    )
    code, output = run_cli("--db", tmp_path / "r.duckdb", "load", rels)
    assert code != 0
    assert "remediation_started" in output and "expected a date" in output
