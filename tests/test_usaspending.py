"""USAspending contract subaward downloads (SPEC 3.3): subcontract edges prime -> subawardee,
organizations by UEI with parents, amounts summed per pair and contract, both report-column
spellings, and bad files refused with file, row and column and nothing stored.

Fixtures: tests/data/make_public_inputs.py (the download's real header, invented values).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, load, rows, run_cli, snapshot

from exposure import LoadError, connect

PUBLIC = DATA / "public"
SUBAWARDS = PUBLIC / "subawards.csv"


EDGES = """
SELECT s.name, b.name, e.relation, e.contract_id, e.annual_value_usd, e.dod_use
FROM edges e JOIN orgs s ON s.org_id = e.supplier_id JOIN orgs b ON b.org_id = e.buyer_id
ORDER BY 1, 4
"""


@pytest.mark.parametrize("fixture", ["subawards.csv", "subawards_fsrs.csv"])
def test_subaward_download_becomes_subcontract_edges(db_path: Path, fixture: str) -> None:
    report = load(db_path, PUBLIC / fixture)
    assert [(s.kind, s.rows) for s in report.loaded] == [
        ("usaspending-subawards: organizations", 5),
        ("usaspending-subawards: relationships", 4),
    ]
    assert any("counted once" in note for note in report.notes)
    assert rows(db_path, EDGES) == [
        # Two reports summed; the repeated report counted once.
        ("NORTHWIND ANALYTICS LLC", "MERIDIAN AEROSPACE CORPORATION", "subcontract",
         "FA865024C0001", 350000.5, True),
        ("Quill Data Services", "NORTHWIND ANALYTICS LLC", "subcontract", "FA865024C0001",
         12500.0, True),
        # The same pair under two contracts: two edges; NASA's is not DoD use.
        ("SENTINEL GOV CLOUD INC", "MERIDIAN AEROSPACE CORPORATION", "subcontract",
         "80NSSC25C0002", 40000.0, False),
        ("SENTINEL GOV CLOUD INC", "MERIDIAN AEROSPACE CORPORATION", "subcontract",
         "FA865024C0001", 75000.0, True),
    ]  # fmt: skip


def test_organizations_by_uei_with_parents_kinds_and_aliases(db_path: Path) -> None:
    load(db_path, SUBAWARDS)
    orgs = rows(
        db_path,
        "SELECT o.name, o.uei, o.kind, p.name, o.aliases FROM orgs o "
        "LEFT JOIN orgs p ON p.org_id = o.parent_id ORDER BY o.name",
    )
    assert orgs == [
        ("MERIDIAN AEROSPACE CORPORATION", "MRDNAERO1234", "prime", "MERIDIAN HOLDINGS INC", []),
        ("MERIDIAN HOLDINGS INC", "MRDNHOLD5678", "other", None, []),
        # Its own parent (same UEI) is not a parent; it is a prime of the second tier too.
        ("NORTHWIND ANALYTICS LLC", "NRTHWND12345", "prime", None, []),
        ("Quill Data Services", None, "subcontractor", None, []),
        ("SENTINEL GOV CLOUD INC", "SNTNLGVC0001", "subcontractor", None, ["SGC"]),
    ]
    # Notes keep the evidence: reports, subaward numbers, dates, source rows.
    (notes,) = rows(
        db_path,
        "SELECT notes FROM stg_relationships WHERE supplier = 'NRTHWND12345'",
    )[0]
    assert "2 report(s)" in notes and "SUB-001, SUB-002" in notes
    assert "2024-03-01 to 2024-06-01" in notes and "source rows 2, 3" in notes
    # Provenance: file, row (the first report of the pair), hash.
    assert rows(
        db_path,
        "SELECT _source_file, _row FROM stg_relationships WHERE supplier = 'SNTNLGVC0001' "
        "ORDER BY _row",
    ) == [("subawards.csv", 5), ("subawards.csv", 6)]


def test_auto_detected_and_forced_kind_agree(tmp_path: Path) -> None:
    auto, forced = tmp_path / "auto.duckdb", tmp_path / "forced.duckdb"
    load(auto, SUBAWARDS)
    load(forced, SUBAWARDS, kind="usaspending-subawards")
    assert rows(auto, EDGES) == rows(forced, EDGES)
    code, output = run_cli("--db", tmp_path / "cli.duckdb", "load", SUBAWARDS)
    assert code == 0, output
    assert "usaspending-subawards: relationships" in output


def test_same_file_twice_adds_nothing(db_path: Path) -> None:
    load(db_path, SUBAWARDS)
    before = snapshot(db_path)
    report = load(db_path, SUBAWARDS)
    assert report.loaded == [] and "already loaded" in report.skipped[0][1]
    assert snapshot(db_path) == before


def test_both_spellings_in_one_call_merge_into_the_same_edges(db_path: Path) -> None:
    """The same subawards in old and new spellings: one edge each (newest source wins)."""
    load(db_path, SUBAWARDS, PUBLIC / "subawards_fsrs.csv")
    assert len(rows(db_path, EDGES)) == 4
    assert rows(db_path, "SELECT max(n_sources) FROM edges") == [(2,)]


def test_resolves_with_the_canonical_workbook(db_path: Path, tmp_path: Path) -> None:
    """One organization however many sources name it: UEI first, then the name."""
    orgs = tmp_path / "organizations.csv"
    orgs.write_text(
        "name,kind,uei\nMeridian Aerospace Corp.,prime,MRDNAERO1234\nNorthwind Analytics,subcontractor,\n",
        encoding="utf-8",
    )
    rels = tmp_path / "relationships.csv"
    rels.write_text(
        "buyer,supplier,relation,product\nNorthwind Analytics,Anthropic,model_api,Claude API\n",
        encoding="utf-8",
    )
    load(db_path, orgs, rels, SUBAWARDS)
    names = [r[0] for r in rows(db_path, "SELECT name FROM orgs ORDER BY name")]
    assert names.count("Meridian Aerospace Corp.") == 1
    assert not any(
        n.upper().startswith("MERIDIAN AEROSPACE") and n != "Meridian Aerospace Corp."
        for n in names
    )
    northwind = rows(
        db_path,
        "SELECT count(DISTINCT org_id) FROM org_names WHERE norm_name = 'northwind analytics'",
    )
    assert northwind == [(1,)]
    # The subcontract edge and the model API edge meet at one Northwind.
    assert rows(
        db_path,
        "SELECT count(*) FROM edges e JOIN orgs o ON o.org_id IN (e.buyer_id, e.supplier_id) "
        "WHERE o.uei = 'NRTHWND12345'",
    ) == [(3,)]
    issues = {r[0] for r in rows(db_path, "SELECT issue FROM dq_issues")}
    assert "uei_conflict" not in issues  # "MERIDIAN AEROSPACE CORP" normalizes alike


def test_uei_conflict_across_sources_is_reported(db_path: Path, tmp_path: Path) -> None:
    orgs = tmp_path / "organizations.csv"
    orgs.write_text("name,uei\nMeridian Space Systems,MRDNAERO1234\n", encoding="utf-8")
    load(db_path, orgs, SUBAWARDS)
    conflicts = rows(db_path, "SELECT detail FROM dq_issues WHERE issue = 'uei_conflict'")
    assert len(conflicts) == 1
    assert "MRDNAERO1234" in conflicts[0][0] and "Meridian Space Systems" in conflicts[0][0]
    # Still one organization for the UEI.
    assert rows(db_path, "SELECT count(*) FROM orgs WHERE uei = 'MRDNAERO1234'") == [(1,)]


def refused(db_path: Path, path: Path) -> list:
    load(db_path, PUBLIC / "subawards_fsrs.csv")
    before = snapshot(db_path)
    with pytest.raises(LoadError) as info:
        load(db_path, path)
    assert snapshot(db_path) == before
    code, output = run_cli("--db", db_path, "load", path)
    assert code != 0 and "nothing was loaded" in output
    assert snapshot(db_path) == before
    return info.value.problems


def test_missing_key_columns_are_named(db_path: Path) -> None:
    problems = refused(db_path, PUBLIC / "subawards_missing_columns.csv")
    assert {(p.file, p.row, p.column) for p in problems} == {
        ("subawards_missing_columns.csv", 1, "subawardee_uei"),
        ("subawards_missing_columns.csv", 1, "subaward_amount"),
    }


def test_bad_cells_are_located_by_row_and_column(db_path: Path) -> None:
    problems = refused(db_path, PUBLIC / "subawards_bad_cells.csv")
    spots = {(p.row, p.column, p.value) for p in problems}
    assert (3, "subaward_amount", "lots") in spots
    assert (5, "subawardee_uei", "SNTNL-1") in spots
    assert (6, "prime_awardee_name", '=HYPERLINK("http://x")') in spots
    assert all(p.file == "subawards_bad_cells.csv" for p in problems)
    messages = " ".join(p.message for p in problems)
    assert "12 letters and digits" in messages and "amount in US dollars" in messages


def test_negative_amount_and_missing_contract_are_refused(db_path: Path, tmp_path: Path) -> None:
    text = SUBAWARDS.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = next(iter([line for line in [text[1]]])).split(",")
    cells[header.index("subaward_amount")] = "-5"
    cells[header.index("prime_award_piid")] = ""
    cells[header.index("prime_award_unique_key")] = ""
    bad = tmp_path / "negative.csv"
    bad.write_text("\n".join([text[0], ",".join(cells)]) + "\n", encoding="utf-8")
    problems = refused(db_path, bad)
    assert {(p.row, p.column) for p in problems} == {
        (2, "subaward_amount"),
        (2, "prime_award_piid"),
    }


def test_a_bad_file_in_a_multi_file_call_stores_nothing(db_path: Path) -> None:
    con = connect(db_path)
    con.close()
    before = snapshot(db_path)
    with pytest.raises(LoadError):
        load(db_path, SUBAWARDS, PUBLIC / "subawards_bad_cells.csv")
    assert snapshot(db_path) == before


def test_self_subaward_is_skipped_and_noted(db_path: Path, tmp_path: Path) -> None:
    text = SUBAWARDS.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = text[1].split(",")
    cells[header.index("subawardee_uei")] = cells[header.index("prime_awardee_uei")]
    cells[header.index("subawardee_name")] = cells[header.index("prime_awardee_name")]
    path = tmp_path / "self.csv"
    path.write_text("\n".join([text[0], ",".join(cells), text[4]]) + "\n", encoding="utf-8")
    report = load(db_path, path)
    assert any("to the prime awardee itself were skipped (rows 2)" in n for n in report.notes)
    assert rows(db_path, "SELECT count(*) FROM edges") == [(1,)]


def test_name_conflicts_across_sources_are_reported(db_path: Path, tmp_path: Path) -> None:
    """Same name, different UEIs: kept apart and reported; a declared row without a UEI that
    could be either is merged into one and listed for review."""
    orgs = tmp_path / "organizations.csv"
    orgs.write_text(
        "name,uei\nMeridian Aerospace Corporation,MRDNAERO9999\nMeridian Aerospace,\n",
        encoding="utf-8",
    )
    load(db_path, SUBAWARDS, orgs)
    assert rows(db_path, "SELECT count(*) FROM orgs WHERE norm_name = 'meridian aerospace'") == [
        (2,)
    ]
    issues = rows(db_path, "SELECT issue, name, detail, source_file, row FROM dq_issues")
    conflict = [i for i in issues if i[0] == "name_conflict"]
    assert len(conflict) == 1 and "MRDNAERO1234, MRDNAERO9999" in conflict[0][2]
    ambiguous = [i for i in issues if i[0] == "ambiguous_name"]
    assert [(i[1], i[3], i[4]) for i in ambiguous] == [
        ("Meridian Aerospace", "organizations.csv", 3)
    ]
    assert "give the UEI to choose" in ambiguous[0][2]


def test_row_numbers_count_empty_lines(db_path: Path, tmp_path: Path) -> None:
    """Rows are numbered as a spreadsheet shows them, empty lines included."""
    lines = SUBAWARDS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n", encoding="utf-8")
    load(db_path, path)
    assert rows(
        db_path,
        "SELECT _row FROM stg_relationships WHERE supplier = 'SNTNLGVC0001' ORDER BY _row",
    ) == [(6,), (7,)]
    bad = tmp_path / "gaps_bad.csv"
    cells = lines[3].split(",")
    cells[lines[0].split(",").index("subaward_amount")] = "n/a"
    bad.write_text("\n".join([lines[0], "", lines[1], ",".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(db_path, bad)
    assert [(p.row, p.column) for p in info.value.problems] == [(4, "subaward_amount")]


def test_text_cells_are_cleaned_like_a_sheet(db_path: Path, tmp_path: Path) -> None:
    """White space in any text column is trimmed and collapsed (tabs and non-breaking spaces
    too): the download's rows give the same organizations and edges as the tidy file."""
    import csv

    with SUBAWARDS.open(newline="", encoding="utf-8") as handle:
        header, *body = list(csv.reader(handle))
    body[0][header.index("prime_award_piid")] = " FA865024C0001\t"
    body[0][header.index("subawardee_name")] = "NORTHWIND\u00a0ANALYTICS  LLC "
    body[0][header.index("subaward_description")] = "analytics \u00a0platform\tlicences"
    untidy = tmp_path / "untidy.csv"
    with untidy.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows([header, *body])
    tidy_db = tmp_path / "tidy.duckdb"
    load(tidy_db, SUBAWARDS)
    load(db_path, untidy)
    assert rows(db_path, EDGES) == rows(tidy_db, EDGES)
    assert rows(db_path, "SELECT name FROM orgs ORDER BY 1") == rows(
        tidy_db, "SELECT name FROM orgs ORDER BY 1"
    )
    notes = rows(db_path, "SELECT notes FROM stg_relationships WHERE contract_id = 'FA865024C0001'")
    assert any("analytics platform licences" in n for (n,) in notes)


def test_a_parent_given_only_by_uei_is_kept(db_path: Path, tmp_path: Path) -> None:
    """B7: a parent UEI with a blank parent name still makes the parent organization (named
    by its UEI, as other UEI-only organizations are) and the child's parent."""
    import csv

    with SUBAWARDS.open(newline="", encoding="utf-8") as handle:
        header, *body = list(csv.reader(handle))
    for cells in body:
        if cells[header.index("prime_awardee_parent_uei")] == "MRDNHOLD5678":
            cells[header.index("prime_awardee_parent_name")] = ""
        if cells[header.index("subawardee_uei")] == "SNTNLGVC0001":
            cells[header.index("subawardee_parent_uei")] = "SNTNLPRNT001"
            cells[header.index("subawardee_parent_name")] = ""
    path = tmp_path / "parents_by_uei.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *body])
    load(db_path, path)
    parents = rows(
        db_path,
        "SELECT o.name, p.name, p.uei FROM orgs o JOIN orgs p ON p.org_id = o.parent_id ORDER BY 1",
    )
    assert parents == [
        ("MERIDIAN AEROSPACE CORPORATION", "MRDNHOLD5678", "MRDNHOLD5678"),
        ("SENTINEL GOV CLOUD INC", "SNTNLPRNT001", "SNTNLPRNT001"),
    ]
