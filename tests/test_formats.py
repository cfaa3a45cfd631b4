"""Every input format: xlsx, legacy xls, csv (UTF-8, BOM, semicolons), parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from exposure import LoadError, LoadOptions, connect, load_files, parse_mapping

DATA = Path(__file__).parent / "data"


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "formats.duckdb")
    yield connection
    connection.close()


def test_legacy_xls_errors_are_located_and_title_rows_counted(con):
    with pytest.raises(LoadError) as caught:
        load_files(con, [DATA / "bad" / "legacy.xls"])
    spots = [(p.sheet, p.row, p.column, p.cell) for p in caught.value.problems]
    assert spots == [("relationships", 3, "Annual Spend", "D3")]
    assert con.execute("SELECT count(*) FROM stg_relationships").fetchall() == [(0,)]

    report = load_files(
        con,
        [DATA / "bad" / "legacy.xls"],
        LoadOptions(mapping=parse_mapping(["Annual Spend=ignore"])),
    )
    assert {(s.sheet, s.kind, s.rows) for s in report.loaded} == {
        ("organizations", "organizations", 2),
        ("relationships", "relationships", 2),
    }
    # The organizations table starts at B3 under a title: rows are numbered as Excel shows them.
    rows = con.execute("SELECT name, _row FROM stg_organizations ORDER BY _row").fetchall()
    assert rows == [("Legacy Prime Inc", 4), ("Old Vendor", 5)]
    # "LEGACY000001" is the prime's UEI: the relationship resolves to it.
    resolved = con.execute(
        "SELECT o.name FROM edges e JOIN orgs o ON o.org_id = e.buyer_id ORDER BY 1"
    ).fetchall()
    assert resolved == [("Legacy Prime Inc",), ("Legacy Prime Inc",)]


def test_parquet_loads_with_row_numbers(con, tmp_path):
    path = tmp_path / "relationships.parquet"
    pq.write_table(
        pa.table(
            {
                "buyer": ["Prime A", "Prime A"],
                "supplier": ["Vendor B", "Vendor C"],
                "annual_value_usd": [1000.0, 250.5],
                "essential": [True, False],
                "criticality": [5, 2],
            }
        ),
        path,
    )
    report = load_files(con, [path])
    assert report.rows == 2
    rows = con.execute(
        "SELECT supplier, annual_value_usd, essential, criticality, _row FROM stg_relationships ORDER BY _row"
    ).fetchall()
    assert rows == [("Vendor B", 1000.0, True, 5, 2), ("Vendor C", 250.5, False, 2, 3)]


def test_parquet_bad_cell_is_located(con, tmp_path):
    path = tmp_path / "bad.parquet"
    pq.write_table(
        pa.table({"buyer": ["A", "B"], "supplier": ["C", "D"], "criticality": [3, 7]}), path
    )
    with pytest.raises(LoadError) as caught:
        load_files(con, [path])
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        ("bad.parquet", 3, "criticality")
    ]


def test_a_large_parquet_file_keeps_its_row_numbers_across_row_groups(con, tmp_path):
    """The rows go from the file into DuckDB without Python; many row groups read in
    parallel still give every row its own number (the header is row 1)."""
    rows = 120_000
    path = tmp_path / "many.parquet"

    def write(criticality: list[int]) -> None:
        table = pa.table(
            {
                "buyer": ["Prime A"] * rows,
                "supplier": [f"Vendor {i}" for i in range(rows)],
                "criticality": criticality,
            }
        )
        pq.write_table(table, path, row_group_size=5_000)

    criticality = [3] * rows
    criticality[98_765] = 9  # data row 98,766: spreadsheet row 98,767
    write(criticality)
    with pytest.raises(LoadError) as caught:
        load_files(con, [path])
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        (98_767, "criticality", "9")
    ]
    criticality[98_765] = 4
    write(criticality)
    load_files(con, [path])
    wrong = con.execute(
        "SELECT count(*) FROM stg_relationships WHERE supplier <> 'Vendor ' || (_row - 2)"
    ).fetchall()
    assert wrong == [(0,)]
    assert con.execute("SELECT count(*) FROM stg_relationships").fetchall() == [(rows,)]


def test_csv_with_bom_and_semicolons(con, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        "\ufeffKunde;Vendor;Annual Spend\nPrime A;Société Générale;1.5k\n".encode().replace(
            b"Kunde", b"Buyer"
        )
    )
    load_files(con, [path])
    assert con.execute(
        "SELECT buyer, supplier, annual_value_usd FROM stg_relationships"
    ).fetchall() == [("Prime A", "Société Générale", 1500.0)]


def test_kind_option_forces_the_sheet_kind(con, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Company\nAcme Widgets\nZeta Corp\n", encoding="utf-8")
    report = load_files(con, [path], LoadOptions(kind="organizations"))
    assert [s.kind for s in report.loaded] == ["organizations"]
    assert con.execute("SELECT count(*) FROM orgs").fetchall() == [(2,)]


def test_reference_tables_are_seeded_on_first_use(con):
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ref_%'"
        ).fetchall()
    }
    assert {
        "ref_relation_types",
        "ref_designations",
        "ref_hosting",
        "ref_aliases",
        "ref_reporting_rules",
    } <= tables
    anthropic = con.execute(
        "SELECT effective_date, transition_days FROM ref_designations WHERE organization = 'Anthropic, PBC'"
    ).fetchall()
    assert [(str(date), days) for date, days in anthropic] == [("2026-02-27", 180)]
