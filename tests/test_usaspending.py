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


def test_a_missing_contract_is_refused_and_a_negative_amount_is_not(
    db_path: Path, tmp_path: Path
) -> None:
    text = SUBAWARDS.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = next(iter([line for line in [text[1]]])).split(",")
    cells[header.index("subaward_amount")] = "-5"
    cells[header.index("prime_award_piid")] = ""
    cells[header.index("prime_award_unique_key")] = ""
    bad = tmp_path / "negative.csv"
    bad.write_text("\n".join([text[0], ",".join(cells)]) + "\n", encoding="utf-8")
    problems = refused(db_path, bad)
    assert {(p.row, p.column) for p in problems} == {(2, "prime_award_piid")}
    assert "FAIN" in problems[0].message


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


# -- corrections, sub-grants and DUNS numbers (issue 13.4) ----------------------------------


def _download(
    path: Path, rows_: list[dict[str, str]], rename: dict[str, str] | None = None
) -> Path:
    """A download with the fixture's real header (columns renamed as ``rename`` says) and
    the given rows (column -> value; other cells blank)."""
    import csv

    with SUBAWARDS.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    header = [(rename or {}).get(column, column) for column in header]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows_:
            assert set(row) <= set(header), set(row) - set(header)
            writer.writerow([row.get(column, "") for column in header])
    return path


PRIME = {
    "prime_award_unique_key": "CONT_AWD_FA865024C0001_9700_-NONE-_-NONE-",
    "prime_award_piid": "FA865024C0001",
    "prime_award_awarding_agency_code": "097",
    "prime_awardee_uei": "MRDNAERO1234",
    "prime_awardee_name": "MERIDIAN AEROSPACE CORPORATION",
}
VALUES = """
SELECT s.name, e.relation, e.contract_id, e.annual_value_usd
FROM edges e JOIN orgs s ON s.org_id = e.supplier_id ORDER BY 1
"""


def test_a_downward_correction_is_netted_against_its_subaward(
    db_path: Path, tmp_path: Path
) -> None:
    sub = {"subawardee_uei": "NRTHWND12345", "subawardee_name": "NORTHWIND ANALYTICS LLC"}
    path = _download(
        tmp_path / "corrections.csv",
        [
            {**PRIME, **sub, "subaward_number": "S-1", "subaward_amount": "250000.00"},
            {**PRIME, **sub, "subaward_number": "S-1", "subaward_amount": "-50,000.00"},
            {**PRIME, **sub, "subaward_number": "S-2", "subaward_amount": "($20,000.00)"},
            {**PRIME, **sub, "subaward_number": "S-3", "subaward_amount": "$-0.50"},
        ],
    )
    report = load(db_path, path)
    assert rows(db_path, VALUES) == [
        ("NORTHWIND ANALYTICS LLC", "subcontract", "FA865024C0001", 179999.5)
    ]
    assert any("3 negative subaward amount(s)" in note for note in report.notes)
    (notes,) = rows(db_path, "SELECT notes FROM stg_relationships")[0]
    assert "4 report(s) (3 downward correction(s) netted)" in notes
    assert rows(db_path, "SELECT count(*) FROM dq_issues") == [(0,)]


def test_a_negative_total_is_a_data_quality_line_not_a_refusal(
    db_path: Path, tmp_path: Path
) -> None:
    path = _download(
        tmp_path / "negative_total.csv",
        [
            {**PRIME, "subawardee_uei": "QUILLDATA001", "subawardee_name": "QUILL DATA",
             "subaward_number": "Q-9", "subaward_amount": "-12500.00"},
            {**PRIME, "subawardee_uei": "SNTNLGVC0001", "subawardee_name": "SENTINEL GOV CLOUD",
             "subaward_number": "S-1", "subaward_amount": "75000"},
        ],
    )  # fmt: skip
    report = load(db_path, path)
    assert rows(db_path, VALUES) == [
        ("QUILL DATA", "subcontract", "FA865024C0001", None),  # the edge is kept, unvalued
        ("SENTINEL GOV CLOUD", "subcontract", "FA865024C0001", 75000.0),
    ]
    assert any("1 dependency(ies) net below zero" in note for note in report.notes)
    [(issue, name, detail, row)] = rows(db_path, "SELECT issue, name, detail, row FROM dq_issues")
    assert (issue, name, row) == ("negative_total", "MERIDIAN AEROSPACE CORPORATION", 2)
    assert "QUILL DATA" in detail and "-12500.00 USD" in detail and "no annual value" in detail
    # --strict refuses on it, naming the row, and stores nothing.
    strict = tmp_path / "strict.duckdb"
    with pytest.raises(LoadError) as info:
        load(strict, path, strict=True)
    assert [(p.row, "negative_total" in p.message) for p in info.value.problems] == [(2, True)]
    code, output = run_cli("--db", strict, "load", "--strict", path)
    assert code != 0 and "nothing was loaded" in output


ASSISTANCE = {
    "prime_award_piid": "prime_award_fain",
    "prime_award_parent_piid": "prime_award_cfda_numbers_and_titles",
}
GRANT = {
    "prime_award_unique_key": "ASST_NON_W911NF2410001_2100",
    "prime_award_fain": "W911NF2410001",
    "prime_award_awarding_agency_code": "097",
    "prime_award_cfda_numbers_and_titles": "12.431: Basic Scientific Research",
    "prime_awardee_uei": "STATEUNIV001",
    "prime_awardee_name": "STATE UNIVERSITY RESEARCH FOUNDATION",
}


def test_an_assistance_download_loads_sub_grants(db_path: Path, tmp_path: Path) -> None:
    """Sub-grants pass federal assistance to a subrecipient: a dependency, not a purchase, so
    they are 'subgrant' relations (never silently 'subcontract'), named by their FAIN."""
    lab = {"subawardee_uei": "CORVANELAB01", "subawardee_name": "CORVANE REASONING LABS"}
    path = _download(
        tmp_path / "Assistance_Subawards_2025.csv",
        [
            {**GRANT, **lab, "subaward_type": "sub-grant", "subaward_number": "G-1",
             "subaward_amount": "400000"},
            {**GRANT, **lab, "subaward_number": "G-2", "subaward_amount": "100000"},
        ],
        rename=ASSISTANCE,
    )  # fmt: skip
    report = load(db_path, path)
    assert rows(db_path, VALUES) == [
        ("CORVANE REASONING LABS", "subgrant", "W911NF2410001", 500000.0)
    ]
    assert any("'subgrant' relations" in note for note in report.notes)
    assert rows(db_path, "SELECT dod_use FROM edges") == [(True,)]
    (notes,) = rows(db_path, "SELECT notes FROM stg_relationships")[0]
    assert notes.startswith("USAspending sub-grants: 2 report(s)")
    # A prime recipient of a grant is not declared a prime contractor.
    assert rows(db_path, "SELECT kind FROM stg_organizations WHERE uei = 'STATEUNIV001'") == [
        (None,)
    ]
    # In a contract download, the subaward type decides row by row.
    mixed = _download(
        tmp_path / "mixed.csv",
        [
            {**PRIME, **lab, "subaward_type": "sub-grant", "subaward_number": "G-3",
             "subaward_amount": "10"},
            {**PRIME, **lab, "subaward_type": "sub-contract", "subaward_number": "C-1",
             "subaward_amount": "20"},
        ],
    )  # fmt: skip
    other = tmp_path / "mixed.duckdb"
    load(other, mixed)
    assert sorted(rows(other, "SELECT relation, annual_value_usd FROM edges")) == [
        ("subcontract", 20.0),
        ("subgrant", 10.0),
    ]


def test_duns_numbers_identify_parties_where_the_uei_is_blank(
    db_path: Path, tmp_path: Path
) -> None:
    path = _download(
        tmp_path / "duns.csv",
        [
            # Reported before UEIs: the subawardee only by DUNS (saved by a spreadsheet: the
            # leading zero lost), with its parent only by DUNS.
            {**PRIME, "subawardee_duns": "12345678", "subawardee_name": "NORTHWIND ANALYTICS",
             "subawardee_parent_duns": "987654321", "subaward_number": "S-1",
             "subaward_amount": "100"},
            # The same DUNS with its legal form: one organization.
            {**PRIME, "subawardee_duns": "012345678", "subawardee_name": "NORTHWIND ANALYTICS, LLC",
             "subaward_number": "S-2", "subaward_amount": "200"},
            # A later row gives that DUNS's UEI: all three rows are that UEI's organization.
            {**PRIME, "subawardee_duns": "012345678", "subawardee_uei": "NRTHWND12345",
             "subawardee_name": "NORTHWIND ANALYTICS LLC", "subaward_number": "S-3",
             "subaward_amount": "300"},
            # A party known only by DUNS and name.
            {**PRIME, "subawardee_duns": "555555555", "subawardee_name": "QUILL DATA SERVICES",
             "subaward_number": "Q-1", "subaward_amount": "50"},
            {**PRIME, "subawardee_duns": "555555555", "subawardee_name": "Quill Data Svcs",
             "subaward_number": "Q-2", "subaward_amount": "25"},
        ],
    )  # fmt: skip
    load(db_path, path)
    assert rows(db_path, VALUES) == [
        ("NORTHWIND ANALYTICS", "subcontract", "FA865024C0001", 600.0),
        ("QUILL DATA SERVICES", "subcontract", "FA865024C0001", 75.0),
    ]
    orgs = rows(
        db_path,
        "SELECT o.name, o.uei, o.aliases, p.name FROM orgs o "
        "LEFT JOIN orgs p ON p.org_id = o.parent_id WHERE o.kind <> 'prime' ORDER BY o.name",
    )
    assert orgs == [
        ("DUNS 987654321", None, [], None),  # a parent known only by its DUNS
        ("NORTHWIND ANALYTICS", "NRTHWND12345", [], "DUNS 987654321"),
        ("QUILL DATA SERVICES", None, ["Quill Data Svcs"], None),  # one DUNS, two spellings
    ]
    # A DUNS that is not 9 digits is refused like a bad UEI.
    bad = _download(
        tmp_path / "bad_duns.csv",
        [{**PRIME, "subawardee_duns": "12-345", "subawardee_name": "X", "subaward_amount": "1"}],
    )
    problems = refused(tmp_path / "refused.duckdb", bad)
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "subawardee_duns", "12-345")]
    assert "9 digits" in problems[0].message
