"""A network of organizations with no dependencies: assess reports that nothing is affected.

Before the fix ``exposure assess`` ended in IndexError (report/frames.py indexed the chains of
edges that do not exist).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import load, run_cli


@pytest.fixture
def lonely_db(tmp_path: Path, db_path: Path) -> Path:
    organizations = tmp_path / "organizations.csv"
    organizations.write_text("name,kind\nVendor AI,model_provider\nHost Co,cloud_host\n")
    load(db_path, organizations)
    return db_path


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "json"])
def test_assess_writes_every_output_with_nothing_affected(
    lonely_db: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"report.{suffix}"
    code, output = run_cli("--db", lonely_db, "assess", "--designate", "Vendor AI", "--out", out)
    assert code == 0, output
    assert f"wrote {out}" in output
    if suffix == "xlsx":
        summary = openpyxl.load_workbook(out, read_only=True)["Summary"]
        facts = {row[1]: row[2] for row in summary.iter_rows(values_only=True) if len(row) > 2}
        # The designated organization is affected; nothing is reached through a chain.
        assert facts["Organizations affected"] == 1
        assert facts["Organizations exposed through a chain"] == 0
    elif suffix == "csv":
        with out.open(newline="", encoding="utf-8") as handle:
            listed = [(row["name"], row["status"]) for row in csv.DictReader(handle)]
        assert listed == [("Vendor AI", "designated")]  # the source itself, nobody else
    else:
        document = json.loads(out.read_text(encoding="utf-8"))
        status = {o["name"]: o["status"] for o in document["organizations"]}
        assert status == {"Vendor AI": "designated", "Host Co": "clear"}
        assert document["designated"] == ["Vendor AI"]
