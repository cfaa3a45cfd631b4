"""Legitimate-but-odd inputs and the corrections a compliance analyst needs."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from exposure import LoadError, LoadOptions, connect, load_files
from exposure.cli.commands import cli


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "edge.duckdb")
    yield connection
    connection.close()


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(con, *paths, **options):
    with pytest.raises(LoadError) as caught:
        load_files(con, list(paths), LoadOptions(**options))
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_decimal_commas_are_refused_not_rescaled(con, tmp_path):
    path = write(
        tmp_path / "eu.csv",
        "buyer;supplier;annual_value_usd;replacement_months\nA;B;1.234,50;2\nA;C;100;1,5\n",
    )
    found = problems_of(con, path)
    assert [(row, column) for row, column, _ in found] == [
        (2, "annual_value_usd"),
        (3, "replacement_months"),
    ]
    assert con.execute("SELECT count(*) FROM stg_relationships").fetchall() == [(0,)]


def test_thousands_separators_and_suffixes_still_parse(con, tmp_path):
    path = write(
        tmp_path / "us.csv",
        'buyer,supplier,annual_value_usd\nA,B,"$1,250,000.50"\nA,C,250k\nA,D,"12,345"\n',
    )
    load_files(con, [path])
    values = [
        row[0]
        for row in con.execute(
            "SELECT annual_value_usd FROM stg_relationships ORDER BY _row"
        ).fetchall()
    ]
    assert values == [1_250_000.5, 250_000.0, 12_345.0]


def test_names_without_letters_or_digits_are_refused(con, tmp_path):
    path = write(tmp_path / "r.csv", "buyer,supplier\nAcme,***\n")
    assert problems_of(con, path) == [(2, "supplier", "a name needs at least one letter or digit")]
    vendors = write(tmp_path / "v.csv", "Vendor\nAcme\n")
    with pytest.raises(LoadError, match="blank"):
        load_files(con, [vendors], LoadOptions(buyer="   "))


def test_an_exact_declared_name_wins_over_a_normalized_twin(con, tmp_path):
    orgs = write(
        tmp_path / "organizations.csv",
        "name,uei\nBAE Systems Inc.,BAESYSINC001\nBAE Systems plc,BAESYSPLC001\n",
    )
    rels = write(tmp_path / "relationships.csv", "buyer,supplier\nPrime,BAE Systems plc\n")
    load_files(con, [orgs, rels])
    assert con.execute(
        "SELECT o.name FROM edges e JOIN orgs o ON o.org_id = e.supplier_id"
    ).fetchall() == [("BAE Systems plc",)]


def test_replace_supersedes_a_mistaken_load(con, tmp_path):
    vendors = write(tmp_path / "vendors.csv", "Vendor,Item\nModel Maker,API\nChip Co,Chips\n")
    load_files(con, [vendors], LoadOptions(buyer="Meridan Aerospace"))  # a typo
    skipped = load_files(con, [vendors], LoadOptions(buyer="Meridian Aerospace"))
    assert skipped.skipped and "already loaded" in skipped.skipped[0][1]
    report = load_files(con, [vendors], LoadOptions(buyer="Meridian Aerospace", replace=True))
    assert any("replaces the earlier load" in note for note in report.notes)
    buyers = con.execute("SELECT DISTINCT buyer FROM stg_relationships").fetchall()
    assert buyers == [("Meridian Aerospace",)]
    assert con.execute("SELECT count(*) FROM sources").fetchall() == [(1,)]
    # A corrected version of the file drops the rows it no longer has.
    write(vendors, "Vendor,Item\nModel Maker,API\n")
    load_files(con, [vendors], LoadOptions(buyer="Meridian Aerospace", replace=True))
    assert con.execute("SELECT count(*) FROM edges").fetchall() == [(1,)]


def test_same_name_with_different_ueis_is_two_organizations(con, tmp_path):
    orgs = write(
        tmp_path / "organizations.csv", "name,uei\nAcme,ACMEAAAAAAA1\nACME Inc,ACMEBBBBBBB2\n"
    )
    load_files(con, [orgs])
    assert con.execute("SELECT count(*) FROM orgs").fetchall() == [(2,)]
    # A row repeating another exactly declares nothing more: refused with --strict, else
    # merged with a finding.
    dup = write(tmp_path / "dup.csv", "name\nZeta\nZeta\n")
    assert [(row, column) for row, column, _ in problems_of(con, dup, strict=True)] == [(3, "name")]
    load_files(con, [dup])
    assert con.execute("SELECT count(*) FROM orgs WHERE name = 'Zeta'").fetchall() == [(1,)]
    assert con.execute(
        "SELECT row FROM dq_issues WHERE issue = 'duplicate_rows_merged'"
    ).fetchall() == [(2,)]


def test_workbook_sheets_are_told_apart(con, tmp_path):
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["Company", "Northwind Analytics"])
    cover.append(["Prepared by", "J. Smith"])
    suppliers = book.create_sheet("Suppliers")
    suppliers.append(["Name", "UEI", "CAGE"])
    suppliers.append(["Chip Co", "CHIPCO000001", "1CHP1"])
    relationships = book.create_sheet("relationships")
    relationships.append(["buyer", "supplier"])
    relationships.append(["Northwind Analytics", "Chip Co"])
    path = tmp_path / "attestation.xlsx"
    book.save(path)
    report = load_files(con, [path])
    assert {(s.sheet, s.kind) for s in report.loaded} == {
        ("Suppliers", "organizations"),
        ("relationships", "relationships"),
    }
    assert any("Cover" in note for note in report.notes)


def test_only_blank_rows_is_no_data(con, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "relationships"
    sheet.append(["buyer", "supplier"])
    sheet.append(["  ", None])
    path = tmp_path / "blank.xlsx"
    book.save(path)
    assert [message for _, _, message in problems_of(con, path)] == [
        "the sheet has a header row but no data rows (only blank rows)"
    ]


def test_fuzzy_review_covers_declared_organizations(con, tmp_path):
    orgs = write(
        tmp_path / "organizations.csv", "name\nLumen Defense Systems\nLumen Defence Systems\n"
    )
    load_files(con, [orgs])
    pairs = con.execute(
        "SELECT name, candidate FROM dq_issues WHERE issue = 'fuzzy_candidate'"
    ).fetchall()
    assert len(pairs) == 1 and set(pairs[0]) == {"Lumen Defense Systems", "Lumen Defence Systems"}


def test_status_does_not_create_a_database(tmp_path):
    missing = tmp_path / "typo.duckdb"
    result = CliRunner().invoke(cli, ["--db", str(missing), "status"])
    assert result.exit_code != 0 and "no database" in result.output
    assert not missing.exists()


def test_demo_refuses_to_replace_a_working_database(tmp_path):
    precious = tmp_path / "exposure.duckdb"
    precious.write_bytes(b"my data")
    result = CliRunner().invoke(cli, ["--db", str(precious), "demo", "--no-dashboard"])
    assert result.exit_code != 0 and "refusing to replace" in result.output
    assert precious.read_bytes() == b"my data"


def test_error_text_is_not_read_as_markup(tmp_path):
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "x.duckdb"), "load", str(tmp_path / "[bold]missing.csv")]
    )
    assert result.exit_code != 0
    assert "[bold]missing.csv" in result.output


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_rows_count_empty_lines_as_a_spreadsheet_does(con, tmp_path, newline):
    """A title, empty lines before and among the data: rows keep their spreadsheet numbers."""
    lines = ["", "Vendor export (invented)", "", "buyer,supplier,annual_value_usd"]
    lines += ["A Corp,B Corp,10", "", "C Corp,D Corp,20", ",,", "E Corp,F Corp,abc", "", ""]
    path = tmp_path / "gaps.csv"
    path.write_bytes(newline.join(lines).encode())
    [(row, column, _)] = problems_of(con, path)
    assert (row, column) == (9, "annual_value_usd")  # E Corp is on line 9
    path.write_bytes(newline.join(lines).replace("abc", "30").encode())
    load_files(con, [path])
    rows = con.execute("SELECT buyer, _row FROM stg_relationships ORDER BY _row").fetchall()
    assert rows == [("A Corp", 5), ("C Corp", 7), ("E Corp", 9)]


def test_an_empty_line_inside_a_quoted_value_is_not_a_row(con, tmp_path):
    text = (
        "buyer,supplier,notes\n"
        'A Corp,B Corp,"first paragraph\n\nsecond paragraph"\n'
        "\n"
        "C Corp,D Corp,plain\n"
    )
    path = write(tmp_path / "notes.csv", text)
    load_files(con, [path])
    rows = con.execute("SELECT buyer, _row, notes FROM stg_relationships ORDER BY _row").fetchall()
    # Spreadsheet rows: header 1, A 2 (one cell over three lines), blank 3, C 4.
    assert rows == [
        ("A Corp", 2, "first paragraph second paragraph"),
        ("C Corp", 4, "plain"),
    ]


def test_a_large_csv_read_in_parallel_keeps_its_row_numbers(con, tmp_path):
    """Large enough for DuckDB's parallel reader (whose typed copies need not keep the file's
    order): the header stays the header, and a bad cell deep in the file is reported at its
    own row."""
    rows = 400_000
    bad_row = 350_001  # spreadsheet row: the header is row 1
    extra = [f"extra {i}" for i in range(10)]
    lines = [",".join(["buyer", "supplier", "annual_value_usd", "notes", *extra])]
    for i in range(2, rows + 2):
        value = "abc" if i == bad_row else str(i)
        lines.append(f"Buyer {i % 997},Supplier {i % 991},{value},row {i}" + ",v" * len(extra))
    path = tmp_path / "large.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ignore = {f"extra{i}": "" for i in range(len(extra))}
    [(row, column, _)] = problems_of(con, path, mapping=ignore)
    assert (row, column) == (bad_row, "annual_value_usd")
    path.write_text("\n".join(lines).replace(",abc,", ",1,") + "\n", encoding="utf-8")
    load_files(con, [path], LoadOptions(mapping=ignore))
    mismatched = con.execute(
        "SELECT count(*) FROM stg_relationships WHERE notes <> 'row ' || _row"
    ).fetchall()
    assert mismatched == [(0,)]
