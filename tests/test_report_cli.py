"""The assess command's reports (--out .xlsx/.csv/.json, --for, --identified) and errors."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from exposure.cli.commands import cli


def invoke(db, *args):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_assess_writes_the_workbook(report_db, tmp_path):
    out = tmp_path / "assessment.xlsx"
    code, output = invoke(
        report_db,
        "assess",
        "--designate",
        "Vendor AI",
        "--identified",
        "2026-07-01",
        "--out",
        str(out),
    )
    assert code == 0, output
    assert f"wrote {out}" in output
    workbook = openpyxl.load_workbook(out)
    ws = workbook["Reporting"]
    values = [cell for row in ws.iter_rows(values_only=True) for cell in row]
    # The government contract the dependency feeds, and the contractor's own order beside it
    assert "N00024-24-C-5310" in values and "W56KGZ-24-D-0001/0003" in values
    assert workbook["Summary"]["A1"].value == "Dependency assessment: ad-hoc"


def test_assess_for_one_organization(report_db, tmp_path):
    out = tmp_path / "prime.json"
    code, output = invoke(
        report_db,
        "assess",
        "--designate",
        "Vendor AI",
        "--for",
        "prime corp",
        "--identified",
        "2026-07-01",
        "--out",
        str(out),
    )
    assert code == 0, output
    assert "Prime Corp: its own assessment" in output
    assert "Vendor AI, PBC -> Prime Corp [Vendor Chat]" in output
    assert (
        "Vendor AI, PBC -> Cloud Host Inc [Vendor models] -> Platform Co LLC [Model Garden] -> "
        "Prime Corp [Analytics Platform]"
    ) in output
    assert "Remediation plan (deadline 2026-08-26)" in output
    assert "N00039-25-F-0217" in output and "2026-07-07" in output and "2026-07-21" in output
    payload = json.loads(out.read_text(encoding="utf-8"))
    mine = payload["for"]
    assert mine["organization"] == "Prime Corp"
    assert mine["chains"] == [
        ["Vendor AI, PBC", "Prime Corp"],
        ["Vendor AI, PBC", "Cloud Host Inc", "Platform Co LLC", "Prime Corp"],
    ]
    assert [r["contract_number"] for r in mine["reporting"]] == ["N00024-24-C-5310"]
    assert [r["own_reference"] for r in mine["reporting"]] == ["N00039-25-F-0217"]
    assert mine["reporting"][0]["initial_report_due"] == "2026-07-07"
    assert {r["supplier"] for r in mine["remediation"]} == {"Platform Co LLC", "Vendor AI, PBC"}
    by_name = {o["name"]: o for o in payload["organizations"]}
    assert len(by_name["Prime Corp"]["paths"]) == 2  # SPEC 5.1: up to three, shortest first


def test_assess_for_writes_its_workbook_and_csv(report_db, tmp_path):
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"prime.{suffix}"
        code, output = invoke(
            report_db,
            "assess",
            "--designate",
            "Vendor AI",
            "--for",
            "Prime Corp",
            "--out",
            str(out),
        )
        assert code == 0, output
    workbook = openpyxl.load_workbook(tmp_path / "prime.xlsx")
    assert workbook["Summary"]["A1"].value == "Dependency assessment of Prime Corp: ad-hoc"
    lines = (tmp_path / "prime.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("rank,name,kind,status,tier")  # rank first, no org_id
    assert len(lines) == 5  # Prime Corp and the three organizations on its chains


@pytest.mark.parametrize("name", ["report.txt", "report"])
def test_assess_refuses_other_formats_before_working(report_db, tmp_path, name):
    code, output = invoke(
        report_db, "assess", "--designate", "Vendor AI", "--out", str(tmp_path / name)
    )
    assert code != 0
    assert ".xlsx, .csv, .json or .parquet" in output
    assert not (tmp_path / name).exists()


def test_unknown_for_name_lists_the_closest(report_db):
    code, output = invoke(report_db, "assess", "--designate", "Vendor AI", "--for", "Prime Crop")
    assert code != 0 and "Closest: Prime Corp" in output
