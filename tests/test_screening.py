"""Screening against the real SAM.gov exclusions extract and FASCSA orders sample (SPEC 3.3,
5.2): matches by UEI, CAGE, normalized name and aliases are confirmed (with the documented
exceptions), fuzzy candidates listed with their scores and never confirmed; results stored,
written and turned into a scenario's designations.

The real files are read from ``<repository>/../shared/data`` (never copied into the project);
the tests that need them are skipped, saying so, when that folder is absent.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import run_cli, snapshot

from exposure import ExposureError, LoadError, connect, load_files
from exposure.screening.lists import read_list, split_cross_reference, split_lenient
from exposure.screening.matching import MATCH_COLUMNS, screen
from exposure.screening.results import designate_confirmed, screening_frame, store_screening
from exposure.warehouse.scenarios import load_spec, resolve_org

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SAM = SHARED / "SAM_Exclusions_Public_Extract_20049.CSV"
FASCSA = SHARED / "FASCSAOrders23306.csv"
needs_shared = pytest.mark.skipif(
    not SAM.is_file() or not FASCSA.is_file(),
    reason=f"the real GSA sample files are not in {SHARED} (shared/data beside the repository)",
)
AS_OF = date(2026, 3, 1)

# Organizations modelled on records of the real files: row numbers in the comments.
ORGANIZATIONS = """name,kind,uei,cage,country,aliases
Janousek Technology Inc.,supplier,,81WM9,USA,
Jantech,supplier,ZU8RSU6RR6S6,,USA,
KCS Construction LLC,subcontractor,,,USA,
Janousek Technologies Corp,supplier,,,USA,
Foxtrot Research Corporation,supplier,J27QHBBBL1V3,,USA,
Apple Co,supplier,,,USA,
Sam A. Smith,other,,,USA,
Acme Widgets,supplier,ACMEWIDGET01,,USA,Jaish-e-Mohammed
Orchard Fruit Co,supplier,,,USA,Apple Company
Aerion Inc,supplier,,,USA,
Meridian Aerospace,prime,MRDNAERO1234,,USA,
"""
RELATIONSHIPS = """buyer,supplier,relation,product
Meridian Aerospace,Janousek Technology Inc.,component,widgets
Meridian Aerospace,Jantech,component,gizmos
Meridian Aerospace,KCS Construction LLC,subcontract,
"""


@pytest.fixture
def network(tmp_path: Path) -> Path:
    orgs, rels = tmp_path / "organizations.csv", tmp_path / "relationships.csv"
    orgs.write_text(ORGANIZATIONS, encoding="utf-8")
    rels.write_text(RELATIONSHIPS, encoding="utf-8")
    db = tmp_path / "net.duckdb"
    con = connect(db)
    try:
        load_files(con, [orgs, rels])
    finally:
        con.close()
    return db


def by_org(result, org: str) -> list[dict]:
    frame = result.matches
    return frame[frame["org_name"] == org].to_dict("records")


def test_lenient_split_and_cross_references() -> None:
    # The quoting of a real record (row 2955 of the extract): a comment opening with "".
    line = '"Firm","X",""Per notice ""A"" on October 13, 2010.   "","10/13/2010"'
    assert split_lenient(line) == [
        "Firm",
        "X",
        '"Per notice "A" on October 13, 2010.   "',
        "10/13/2010",
    ]
    assert split_cross_reference("(also QUE INC, STRATEGIC PRODUCTION, INC., SYZYGY)") == [
        "QUE INC",
        "STRATEGIC PRODUCTION, INC.",
        "SYZYGY",
    ]
    assert split_cross_reference(None) == []


@needs_shared
def test_real_extract_is_read_whole() -> None:
    listed = read_list(SAM)
    assert (listed.kind, listed.layout, len(listed.records)) == ("sam-exclusions", "V2", 10000)
    assert listed.records["record"].tolist() == list(range(2, 10002))
    # Seven records have invalid quoting; read leniently, each keeps its 31 fields' meaning.
    assert "7 record(s)" in listed.notes[0]
    kcs = listed.records[listed.records["record"] == 672].iloc[0]
    assert kcs["listed_name"] == "KCS CONSTRUCTION, LLC"
    assert kcs["termination_date"] == date(2023, 1, 28) and kcs["sam_number"] == "S4MRBM5MG"
    assert kcs["related_names"] == ["WADE KINCAID"]
    assert listed.records["record_status"].isna().all()  # no comment text leaked into it
    counts = listed.records["classification"].value_counts().to_dict()
    assert counts == {
        "Special Entity Designation": 5549,
        "Firm": 4191,
        "Vessel": 251,
        "": 7,
        "Individual": 2,
    }
    individual = listed.records[listed.records["classification"] == "Individual"].iloc[0]
    assert individual["listed_name"] == "MICHAEL G. ELIASOF"
    assert individual["related_names"][0] == "OLIGARCHY FUNDING, LLC"


@needs_shared
def test_sam_matches_by_uei_cage_name_and_their_confirmation(network: Path) -> None:
    con = connect(network)
    try:
        result = screen(con, SAM, as_of=AS_OF)
    finally:
        con.close()
    assert list(result.matches.columns) == list(MATCH_COLUMNS)
    (jantech,) = by_org(result, "Jantech")
    assert (jantech["match"], jantech["confirmed"], jantech["record_row"]) == ("uei", True, 107)
    assert jantech["status"] == "active" and jantech["excluding_agency"] == "DLA"
    (janousek,) = by_org(result, "Janousek Technology Inc.")
    assert (janousek["match"], janousek["confirmed"], janousek["listed_uei"]) == (
        "cage",
        True,
        "ZU8RSU6RR8S8",
    )
    # A name match to a record whose exclusion ended in 2023: confirmed, terminated.
    (kcs_name,) = [m for m in by_org(result, "KCS Construction LLC") if m["match"] == "name"]
    assert kcs_name["confirmed"] and kcs_name["status"] == "terminated"
    assert kcs_name["termination_date"] == date(2023, 1, 28)
    # Fuzzy candidates: listed with a score, never confirmed.
    fuzzy = result.matches[result.matches["match"] == "fuzzy"]
    assert len(fuzzy) and not fuzzy["confirmed"].any()
    assert (fuzzy["score"] >= 88).all() and (fuzzy["score"] < 100).all()
    (near,) = by_org(result, "Janousek Technologies Corp")
    assert near["listed_name"] == "JANOUSEK TECHNOLOGY INC" and near["score"] == 90.0
    # An alias of ours equal to a listed name, but the UEIs differ: not confirmed.
    acme = by_org(result, "Acme Widgets")
    assert {m["record_row"] for m in acme} == {6, 7}
    assert all(m["match"] == "alias" and not m["confirmed"] for m in acme)
    assert "different UEIs" in acme[0]["reason"]
    # A name found only in a Cross-Reference (an affiliate): listed for review.
    aerion = by_org(result, "Aerion Inc")
    assert 67 in {m["record_row"] for m in aerion}
    for match in aerion:
        assert match["match"] == "alias" and not match["confirmed"]
        assert match["matched_name"] == "AERION INC." and "Cross-Reference" in match["reason"]
    assert {m["listed_name"] for m in aerion} == {"JAMES B KNOX"}
    # One row per organization and record.
    assert not result.matches.duplicated(["org_id", "record_row"]).any()
    assert by_org(result, "Meridian Aerospace") == []


@needs_shared
def test_exact_matches_agree_with_resolve_org(network: Path) -> None:
    """The bulk matching follows resolve_org's rules: each exact match resolves alike."""
    con = connect(network)
    try:
        result = screen(con, SAM, as_of=AS_OF)
        exact = result.matches[result.matches["match"].isin(["uei", "cage", "name"])]
        assert len(exact) >= 3
        for match in exact.itertuples(index=False):
            key = {"uei": match.listed_uei, "cage": match.listed_cage, "name": match.listed_name}
            assert resolve_org(con, key[match.match]) == match.org_id
    finally:
        con.close()


@needs_shared
def test_fascsa_orders_individuals_and_aliases(network: Path) -> None:
    con = connect(network)
    try:
        result = screen(con, FASCSA, as_of=AS_OF)
    finally:
        con.close()
    assert (result.listed.kind, result.listed.layout) == ("fascsa-orders", "FASCSA")
    found = {(m["org_name"], m["match"], m["confirmed"]) for m in result.matches.to_dict("records")}
    assert found == {
        ("Foxtrot Research Corporation", "uei", True),
        ("Apple Co", "name", True),
        # Our alias "Apple Company" is the listed name: confirmed.
        ("Orchard Fruit Co", "alias", True),
        # An individual's name: never confirmed by the name alone.
        ("Sam A. Smith", "name", False),
    }
    assert result.matches["fascsa_order"].all()
    smith = by_org(result, "Sam A. Smith")[0]
    assert "individual" in smith["reason"] and smith["classification"] == "Individual"


@needs_shared
def test_v3_layout_matches_like_v2(network: Path, tmp_path: Path) -> None:
    with SAM.open(encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines()
    header = next(csv.reader([lines[0]]))
    renamed = [
        {
            "Unique Entity Identifier (SAM)": "Unique Entity ID",
            "D&B Open Data Flag": "Open Data Flag",
        }.get(h, h)
        for h in header
    ]
    duns = header.index("Unique Entity Identifier (DUNS)")
    v3 = tmp_path / "SAM_Exclusions_Public_V3.csv"
    with v3.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow([h for i, h in enumerate(renamed) if i != duns])
        for line in lines[1:700]:
            row = next(csv.reader([line]))
            row = row if len(row) == len(header) else split_lenient(line)
            writer.writerow([v for i, v in enumerate(row) if i != duns])
    con = connect(network)
    try:
        new = screen(con, v3, as_of=AS_OF)
        old = screen(con, SAM, as_of=AS_OF)
    finally:
        con.close()
    assert new.listed.layout == "V3" and old.listed.layout == "V2"
    # Exact matches (the cross-references and fuzzy candidates depend on the rest of a list).
    pick = ["org_name", "listed_name", "match", "confirmed", "listed_uei", "listed_cage"]
    exact = ["uei", "cage", "name"]
    expected = old.matches[(old.matches["record_row"] < 700) & old.matches["match"].isin(exact)]
    got = new.matches[new.matches["match"].isin(exact)]
    assert got[pick].fillna("").values.tolist() == expected[pick].fillna("").values.tolist()
    assert set(got["match"]) == {"uei", "cage", "name"}


@needs_shared
def test_fuzzy_threshold_is_a_lever(network: Path) -> None:
    con = connect(network)
    try:
        strict = screen(con, SAM, as_of=AS_OF, fuzzy_threshold=95)
    finally:
        con.close()
    assert (strict.matches["match"] == "fuzzy").sum() == 0
    assert strict.fuzzy_threshold == 95


@needs_shared
def test_results_are_stored_per_list_and_replaced(network: Path) -> None:
    con = connect(network)
    try:
        assert screening_frame(con).empty
        assert list(screening_frame(con).columns)[: len(MATCH_COLUMNS)] == list(MATCH_COLUMNS)
        sam = screen(con, SAM, as_of=AS_OF)
        store_screening(con, sam)
        store_screening(con, screen(con, FASCSA, as_of=AS_OF))
        store_screening(con, sam)  # again: replaces, does not add
        frame = screening_frame(con)
        runs = con.execute(
            "SELECT list_type, list_file, list_sha256, records, matches FROM res_screening_runs ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert len(frame) == len(sam.matches) + 4
    assert set(frame["list_type"]) == {"sam-exclusions", "fascsa-orders"}
    import hashlib

    assert runs == [
        ("fascsa-orders", FASCSA.name, hashlib.sha256(FASCSA.read_bytes()).hexdigest(), 6, 4),
        (
            "sam-exclusions",
            SAM.name,
            hashlib.sha256(SAM.read_bytes()).hexdigest(),
            10000,
            len(sam.matches),
        ),
    ]
    # Confirmed first within each list.
    sam_rows = frame[frame["list_type"] == "sam-exclusions"]
    assert sam_rows["confirmed"].tolist() == sorted(sam_rows["confirmed"].tolist(), reverse=True)


@needs_shared
def test_designate_confirmed_in_force_only(network: Path) -> None:
    con = connect(network)
    try:
        result = screen(con, SAM, as_of=AS_OF)
        names = designate_confirmed(con, result, "sam-screen")
        spec = load_spec(con, "sam-screen")
    finally:
        con.close()
    # KCS is confirmed but its exclusion ended: not designated.
    assert sorted(names) == ["Janousek Technology Inc.", "Jantech"]
    assert sorted(spec.designated) == ["Janousek Technology Inc.", "Jantech"]


@needs_shared
def test_screen_command_outputs(network: Path, tmp_path: Path) -> None:
    out_json, out_csv = tmp_path / "matches.json", tmp_path / "matches.csv"
    code, output = run_cli(
        "--db", network, "screen", FASCSA, "--out", out_json, "--as-of", "2026-03-01",
        "--designate-confirmed", "fascsa-2026",
    )  # fmt: skip
    assert code == 0, output
    assert "3 confirmed (3 in force), 1 to review" in output
    assert "scenario 'fascsa-2026': Foxtrot Research Corporation designated" in output
    document = json.loads(out_json.read_text(encoding="utf-8"))
    assert isinstance(document, list) and len(document) == 4
    assert {m["list_type"] for m in document} == {"fascsa-orders"}
    assert {m["as_of"] for m in document} == {"2026-03-01"}
    for match in document:
        for key in ("org_name", "listed_name", "match", "score", "confirmed", "status",
                    "exclusion_type", "excluding_agency", "active_date", "termination_date",
                    "record_row", "list_sha256"):  # fmt: skip
            assert key in match
    assert {m["match"] for m in document} == {"uei", "name", "alias"}
    code, output = run_cli(
        "--db", network, "screen", SAM, "--out", out_csv, "--as-of", "2026-03-01"
    )
    assert code == 0, output
    assert "7 record(s) with invalid CSV quoting" in output
    with out_csv.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert {"org_name", "listed_name", "match", "score", "confirmed"} <= set(table[0])
    assert any(row["match"] == "fuzzy" and row["confirmed"] == "False" for row in table)


def test_a_file_that_is_not_a_list_is_refused(network: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "vendors.csv"
    wrong.write_text("name,uei\nAcme,ACMEWIDGET01\n", encoding="utf-8")
    before = snapshot(network)
    con = connect(network)
    try:
        with pytest.raises(LoadError) as info:
            screen(con, wrong)
    finally:
        con.close()
    columns = {p.column for p in info.value.problems}
    assert {"Classification", "Exclusion Type", "Excluding Agency"} <= columns
    code, output = run_cli("--db", network, "screen", wrong)
    assert code != 0 and "not a SAM.gov exclusions extract" in output
    assert snapshot(network) == before


def test_a_record_beyond_repair_is_refused_with_its_row(network: Path, tmp_path: Path) -> None:
    bad = tmp_path / "list.csv"
    bad.write_text(
        "Classification,Name,Unique Entity ID,CAGE,Excluding Agency,Exclusion Type\n"
        "Firm,ACME,ACMEWIDGET01,,DLA,Prohibition/Restriction\n"
        "Firm,ACME,ACMEWIDGET01,,DLA,Prohibition/Restriction,extra\n",
        encoding="utf-8",
    )
    con = connect(network)
    try:
        with pytest.raises(LoadError) as info:
            screen(con, bad)
    finally:
        con.close()
    assert [(p.file, p.row) for p in info.value.problems] == [("list.csv", 3)]


def test_screening_is_blocked_but_finds_what_brute_force_finds(
    network: Path, tmp_path: Path
) -> None:
    """Every pair a brute-force comparison scores >= 88 and that shares a token is found."""
    from rapidfuzz import fuzz

    from exposure.core.names import normalize_names

    listed = ["NORTHWIND ANALYTIC", "SENTINEL GOVERNMENT CLOUD", "ACME WIDGET", "ZETA", "JANTEK"]
    path = tmp_path / "small.csv"
    path.write_text(
        "Classification,Name,Unique Entity ID,CAGE,Excluding Agency,Exclusion Type\n"
        + "".join(f"Firm,{name},,,DLA,Prohibition/Restriction\n" for name in listed),
        encoding="utf-8",
    )
    con = connect(network)
    try:
        result = screen(con, path)
        orgs = con.execute("SELECT org_id, norm_name FROM orgs").fetchall()
    finally:
        con.close()
    found = {
        (m["org_id"], m["record_row"])
        for m in result.matches.to_dict("records")
        if m["match"] == "fuzzy"
    }
    norms = normalize_names(listed)
    expected = set()
    for index, norm in enumerate(norms):
        for org_id, org_norm in orgs:
            shares = set(norm.split()[:3]) & set(org_norm.split()[:3])
            score = fuzz.token_sort_ratio(norm, org_norm)
            if shares and norm != org_norm and score >= 88:
                expected.add((org_id, index + 2))
    assert expected <= found
    assert ("Acme Widgets", "ACME WIDGET") in {
        (m["org_name"], m["listed_name"]) for m in result.matches.to_dict("records")
    }


def test_a_list_over_the_size_limit_is_refused_before_it_is_read(
    network: Path, tmp_path: Path, monkeypatch
) -> None:
    """R2: the list is read whole, so the loads' size limit (EXPOSURE_MAX_FILE_MB) applies."""
    from exposure.ingest.readers import ReadLimits

    big = tmp_path / "list.csv"
    big.write_text(
        "Classification,Name,Unique Entity ID,CAGE,Excluding Agency,Exclusion Type\n"
        + "Firm,ACME,ACMEWIDGET01,,DLA,Prohibition/Restriction\n" * 40,
        encoding="utf-8",
    )
    before = snapshot(network)
    con = connect(network)
    try:
        assert len(screen(con, big, as_of=AS_OF).listed.records) == 40
        with pytest.raises(LoadError) as info:
            screen(con, big, limits=ReadLimits(max_file_bytes=1024))
    finally:
        con.close()
    (problem,) = info.value.problems
    assert problem.file == "list.csv" and "over the size limit of 1.0 KB" in problem.message
    monkeypatch.setenv("EXPOSURE_MAX_FILE_MB", "0.001")
    code, output = run_cli("--db", network, "screen", big)
    assert code != 0 and "over the size limit" in output and "EXPOSURE_MAX_FILE_MB" in output
    assert snapshot(network) == before


def test_no_database_is_a_clear_error(tmp_path: Path) -> None:
    code, output = run_cli("--db", tmp_path / "none.duckdb", "screen", tmp_path / "x.csv")
    assert code != 0 and "load data first" in output


def test_frame_reads_a_read_only_database(network: Path) -> None:
    con = duckdb.connect(str(network), read_only=True)
    try:
        assert screening_frame(con).empty
    finally:
        con.close()


def _screening_sheet(path: Path) -> tuple[list[str], list[str], list[dict]]:
    """The Screening sheet of a workbook: its sheet order, caption notes and rows by label."""
    import openpyxl

    from exposure.report.catalogue import column_label
    from exposure.screening.results import SHEET_COLUMNS

    workbook = openpyxl.load_workbook(path)
    ws = workbook["Screening"]
    labels = [column_label(c) for c in SHEET_COLUMNS if c != "org_id"]
    values = [[cell.value for cell in row] for row in ws.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[: len(labels)] == labels)
    notes = [row[0] for row in values[2:header] if row[0]]
    records = [dict(zip(labels, row, strict=False)) for row in values[header + 1 :]]
    return workbook.sheetnames, notes, records


def _workbook(con, tmp_path: Path) -> Path:
    from exposure import assess as assess_scenario
    from exposure.model.scenario import ScenarioSpec
    from exposure.report.tables import build_tables
    from exposure.report.workbook import write_workbook

    run = assess_scenario(con, ScenarioSpec(designated=("Jantech",)))
    return write_workbook(build_tables(con, run), tmp_path / "assessment.xlsx")


@needs_shared
def test_the_workbook_has_a_screening_sheet_with_the_latest_results(
    network: Path, tmp_path: Path
) -> None:
    """B5 (issue 6): the latest SAM and FASCSA results stored in the warehouse, before Data
    quality, confirmed matches first; the notes say what was screened and when."""
    con = connect(network)
    try:
        sam = screen(con, SAM, as_of=AS_OF)
        store_screening(con, sam)
        store_screening(con, screen(con, FASCSA, as_of=AS_OF))
        stored = screening_frame(con)
        path = _workbook(con, tmp_path)
    finally:
        con.close()
    sheets, notes, records = _screening_sheet(path)
    assert sheets.index("Screening") == sheets.index("Data quality") - 1
    assert len(records) == len(stored) == len(sam.matches) + 4
    got = [
        (r["Organization"], r["Listed name"], r["Match"], r["Confirmed"], r["List"], r["List row"])
        for r in records
    ]
    expected = [
        (m["org_name"], m["listed_name"], m["match"], "Yes" if m["confirmed"] else "No",
         m["list_type"], m["record_row"])
        for m in stored.to_dict("records")
    ]  # fmt: skip
    assert got == expected
    jantech = [r for r in records if r["Organization"] == "Jantech" and r["Match"] == "uei"]
    assert jantech and jantech[0]["Confirmed"] == "Yes" and jantech[0]["Status"] == "active"
    assert jantech[0]["List file"] == SAM.name and jantech[0]["List row"] == 107
    assert jantech[0]["Screened as of"].date() == AS_OF
    text = " ".join(notes)
    assert f"SAM.gov exclusions: {SAM.name}" in text and f"FASCSA orders: {FASCSA.name}" in text
    assert "screened as of 2026-03-01" in text and "data changed" not in text


@needs_shared
def test_the_screening_sheet_says_when_the_data_changed_since(
    network: Path, tmp_path: Path
) -> None:
    more = tmp_path / "more.csv"
    more.write_text("buyer,supplier\nMeridian Aerospace,Aerion Inc\n", encoding="utf-8")
    con = connect(network)
    try:
        store_screening(con, screen(con, FASCSA, as_of=AS_OF))
        load_files(con, [more])
        path = _workbook(con, tmp_path)
    finally:
        con.close()
    _, notes, records = _screening_sheet(path)
    assert len(records) == 4
    assert any("data changed since" in note and "screen it again" in note for note in notes)


def test_without_screening_the_sheet_says_none_was_run(network: Path, tmp_path: Path) -> None:
    con = connect(network)
    try:
        path = _workbook(con, tmp_path)
    finally:
        con.close()
    sheets, notes, records = _screening_sheet(path)
    assert "Screening" in sheets and records == []
    assert any("No screening has been run" in note for note in notes)
    assert "No rows." in notes


def test_nothing_to_designate_still_prints_the_screening(network: Path) -> None:
    """--designate-confirmed with no confirmed match in force refuses (exit 1, no scenario
    stored) after showing what the screening found, not instead of it."""
    exclusions = Path(__file__).resolve().parents[1] / "sample_data" / "exclusions.csv"
    code, output = run_cli(
        "--db", network, "screen", exclusions, "--as-of", "2020-01-01",
        "--designate-confirmed", "too-early",
    )  # fmt: skip
    assert code == 1, output
    assert output.index("screened ") < output.index("nothing to designate")
    assert "0 in force" in output
    con = connect(network)
    try:
        with pytest.raises(ExposureError):
            load_spec(con, "too-early")
    finally:
        con.close()
