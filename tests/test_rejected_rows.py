"""Rows a valid file holds but the model leaves out (SPEC 5.1, Data quality: "rejected rows"):
kept at load time in stg_rejected with file, sheet, row and reason, in the load's transaction,
replaced with --replace, and listed as rejected_row by status, the Data quality sheet and the
dashboard's data page (which shows status())."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import DATA, load, rows, run_cli, snapshot

from exposure import LoadError, connect
from exposure import assess as assess_scenario
from exposure.model.scenario import ScenarioSpec
from exposure.report.tables import build_tables
from exposure.warehouse.database import status

PUBLIC = DATA / "public"
SUBAWARDS = PUBLIC / "subawards.csv"
SBOM = PUBLIC / "sbom.json"
BUYER = "Northwind Analytics LLC"


def with_self_subaward(folder: Path) -> Path:
    """subawards.csv plus a subaward of the first prime to itself (row 8)."""
    with SUBAWARDS.open(newline="", encoding="utf-8") as handle:
        header, *body = list(csv.reader(handle))
    own = list(body[0])
    for field in ("uei", "name", "parent_uei", "parent_name"):
        own[header.index(f"subawardee_{field}")] = own[header.index(f"prime_awardee_{field}")]
    own[header.index("subaward_sam_report_id")] = "R-SELF"
    path = folder / "subawards_self.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *body, own])
    return path


REJECTED = "SELECT _source_file, _sheet, _row, reason, name FROM stg_rejected ORDER BY ALL"


def test_dropped_subaward_rows_are_stored_with_provenance_and_reason(
    db_path: Path, tmp_path: Path
) -> None:
    path = with_self_subaward(tmp_path)
    load(db_path, path)
    assert rows(db_path, REJECTED) == [
        ("subawards_self.csv", None, 4, "repeated_report", "MERIDIAN AEROSPACE CORPORATION"),
        ("subawards_self.csv", None, 8, "self_subaward", "MERIDIAN AEROSPACE CORPORATION"),
    ]
    (detail,) = rows(db_path, "SELECT detail FROM stg_rejected WHERE reason = 'repeated_report'")[0]
    assert "repeats report R-0002 of row 3" in detail
    assert rows(
        db_path,
        "SELECT source_file, row, detail FROM dq_issues WHERE issue = 'rejected_row' ORDER BY row",
    ) == [
        (f, r, d)
        for f, r, d in rows(db_path, "SELECT _source_file, _row, detail FROM stg_rejected")
    ]
    # The provenance holds the load's own hash and time, as staged rows do.
    assert rows(
        db_path,
        "SELECT DISTINCT r._sha256 = s.sha256, r._loaded_at = s.loaded_at FROM stg_rejected r "
        "JOIN sources s ON s.load_id = r._load_id",
    ) == [(True, True)]


def test_sbom_entries_without_an_organization_are_stored(db_path: Path) -> None:
    """The sample SBOM: /services/2 has no provider, /components/2 no supplier; entries are
    numbered services first (3 services, then the model components)."""
    load(db_path, SBOM, buyer=BUYER)
    stored = rows(db_path, "SELECT _source_file, _row, reason, name, detail FROM stg_rejected")
    assert [(f, r, reason, name) for f, r, reason, name, _ in sorted(stored)] == [
        ("sbom.json", 3, "no_organization", BUYER),
        ("sbom.json", 6, "no_organization", BUYER),
    ]
    details = " ".join(detail for *_, detail in stored)
    assert "/services/2" in details and "no provider name" in details
    assert "'mystery-model' (/components/2)" in details and "no supplier or manufacturer" in details


def test_status_and_the_data_quality_sheet_list_them(db_path: Path, tmp_path: Path) -> None:
    load(db_path, with_self_subaward(tmp_path))
    load(db_path, SBOM, buyer=BUYER)
    con = connect(db_path)
    try:
        found = [i for i in status(con).data_quality if i["issue"] == "rejected_row"]
        assert sorted((i["file"], i["row"]) for i in found) == [
            ("sbom.json", 3),
            ("sbom.json", 6),
            ("subawards_self.csv", 4),
            ("subawards_self.csv", 8),
        ]
        run = assess_scenario(con, ScenarioSpec(designated=("Anthropic, PBC",)))
        quality = build_tables(con, run).data_quality
        meridian = build_tables(con, run, for_org=_org(con, "MERIDIAN AEROSPACE CORPORATION"))
        helpdesk = build_tables(con, run, for_org=_org(con, "Helpdesk Co"))
    finally:
        con.close()
    sheet = quality[quality["issue"] == "rejected_row"]
    assert sorted(zip(sheet["source_file"], sheet["row"], strict=True)) == [
        ("sbom.json", 3),
        ("sbom.json", 6),
        ("subawards_self.csv", 4),
        ("subawards_self.csv", 8),
    ]
    # One organization's own assessment keeps the rows that concern it or its chains: the
    # prime's own subawards, and the SBOM of Northwind, its exposed supplier.
    mine = meridian.data_quality[meridian.data_quality["issue"] == "rejected_row"]
    assert sorted(mine["row"]) == [3, 4, 6, 8]
    assert not (helpdesk.data_quality["issue"] == "rejected_row").any()
    code, output = run_cli("--db", db_path, "status", "--limit", "100")
    assert code == 0 and output.count("rejected row") == 4


def _org(con, name: str) -> int:
    return int(con.execute("SELECT org_id FROM orgs WHERE name = ?", [name]).fetchall()[0][0])


def test_replace_removes_the_earlier_rejected_rows(db_path: Path, tmp_path: Path) -> None:
    load(db_path, SBOM, buyer=BUYER)
    load(db_path, SBOM, buyer=BUYER, replace=True)
    assert rows(db_path, "SELECT count(*), count(DISTINCT _load_id) FROM stg_rejected") == [(2, 1)]
    assert rows(db_path, "SELECT count(*) FROM dq_issues WHERE issue = 'rejected_row'") == [(2,)]
    # The same file again (no --replace) is already loaded: nothing is added.
    load(db_path, SBOM, buyer=BUYER)
    assert rows(db_path, "SELECT count(*) FROM stg_rejected") == [(2,)]


def test_an_sbom_with_nothing_to_load_is_recorded_with_its_rejected_entries(
    db_path: Path, tmp_path: Path
) -> None:
    """Its entries are all left out: the file is still a source (0 rows), so loading it again
    adds nothing and --replace removes its rejected rows."""
    import json

    document = json.loads(SBOM.read_text(encoding="utf-8"))
    document["services"] = [{"name": "Orphan", "bom-ref": "orphan"}]
    document["components"] = []
    document["dependencies"] = []
    path = tmp_path / "orphan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    report = load(db_path, path, buyer=BUYER)
    assert [(s.kind, s.rows) for s in report.loaded] == [("cyclonedx: relationships", 0)]
    assert rows(db_path, "SELECT _row, reason FROM stg_rejected") == [(1, "no_organization")]
    again = load(db_path, path, buyer=BUYER)
    assert again.loaded == [] and rows(db_path, "SELECT count(*) FROM stg_rejected") == [(1,)]


def test_a_failed_load_leaves_stg_rejected_unchanged(db_path: Path, tmp_path: Path) -> None:
    load(db_path, SUBAWARDS)
    assert rows(db_path, "SELECT count(*) FROM stg_rejected") == [(1,)]
    before = snapshot(db_path)
    with pytest.raises(LoadError):
        load(
            db_path,
            SBOM,
            with_self_subaward(tmp_path),
            PUBLIC / "subawards_bad_cells.csv",
            buyer=BUYER,
        )
    assert snapshot(db_path) == before


def test_a_load_failing_after_staging_rolls_back_stg_rejected(
    db_path: Path, tmp_path: Path, monkeypatch
) -> None:
    """The rejected rows are written in the load's transaction: a failure after they were
    inserted (here, while resolving) takes them back out."""
    import exposure.warehouse.loading as loading

    load(db_path, SUBAWARDS)
    before = snapshot(db_path)

    def broken(con, **_):
        assert con.execute("SELECT count(*) FROM stg_rejected").fetchall() == [(3,)]
        raise RuntimeError("resolution failed")

    monkeypatch.setattr(loading, "rebuild_model", broken)
    with pytest.raises(RuntimeError, match="resolution failed"):
        load(db_path, SBOM, buyer=BUYER)
    assert snapshot(db_path) == before
