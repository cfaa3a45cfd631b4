"""Bad input (SPEC 3.1, 3.2, 3.4): every refusal names file, sheet, row and column, says what
was expected, and leaves the database exactly as it was.

The fixture files are made by tests/data/make_bad_inputs.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from conftest import BAD, GOOD, run_cli, snapshot

from exposure import LoadError, LoadOptions, Problem, ReadLimits, connect, load_files

GOOD_FILES = [GOOD / "organizations.csv", GOOD / "relationships.csv"]


@pytest.fixture
def loaded_db(db_path: Path) -> Path:
    """A database holding the small valid network (5 organizations, 5 dependencies)."""
    con = connect(db_path)
    try:
        report = load_files(con, GOOD_FILES)
    finally:
        con.close()
    assert [s.rows for s in report.loaded] == [5, 5]
    return db_path


def query(db_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def refused_by_cli(db_path: Path, *args: str | Path) -> str:
    """`exposure --db DB load ARGS`: must exit non-zero and change nothing; returns the output."""
    before = snapshot(db_path)
    code, output = run_cli("--db", db_path, "load", *args)
    assert code != 0, output
    assert "nothing was loaded" in output
    assert snapshot(db_path) == before
    return output


def refused_by_library(
    db_path: Path, path: Path, options: LoadOptions | None = None, limits: ReadLimits | None = None
) -> list[Problem]:
    """load_files must raise LoadError and change nothing; returns its problems."""
    before = snapshot(db_path)
    con = connect(db_path)
    try:
        with pytest.raises(LoadError) as info:
            load_files(con, [path], options, limits=limits)
    finally:
        con.close()
    assert snapshot(db_path) == before
    assert info.value.problems
    return info.value.problems


def assert_located(
    output: str,
    problems: list[Problem],
    file: str,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    words: tuple[str, ...] = (),
) -> None:
    """One problem sits exactly at (file, sheet, row, column), and one output line says so.

    With sheet None, any sheet is accepted (a file-level problem may or may not name one).
    """
    spots = [(p.file, p.sheet if sheet else None, p.row, p.column) for p in problems]
    assert (file, sheet, row, column) in spots, (
        f"no problem at {(file, sheet, row, column)}: {spots}"
    )
    fragments = [re.escape(file), *map(re.escape, words)]
    if sheet:
        fragments.append(re.escape(f"sheet '{sheet}'"))
    if row is not None:
        fragments.append(rf"\brow {row}\b")
    if column:
        fragments.append(re.escape(f"column '{column}'"))
    lines = [line for line in output.splitlines() if all(re.search(f, line) for f in fragments)]
    assert lines, f"no line of the output matches all of {fragments}:\n{output}"


# (file in tests/data/bad, sheet, row, column, words the message must contain). The size limit,
# which needs an environment variable, is test_file_over_size_limit below.
CASES = [
    pytest.param(
        "missing_supplier.xlsx",
        "relationships",
        1,
        "supplier",
        ("missing",),
        id="missing-column-xlsx",
    ),
    pytest.param(
        "missing_supplier.csv", None, 1, "supplier", ("missing",), id="missing-column-csv"
    ),
    pytest.param(
        "text_value.csv",
        None,
        3,
        "annual_value_usd",
        ("'lots'", "amount in US dollars"),
        id="text-in-money",
    ),
    pytest.param(
        "criticality_9.csv", None, 4, "criticality", ("'9'", "1 to 5"), id="criticality-9"
    ),
    pytest.param("empty.csv", None, None, None, ("empty",), id="empty-file"),
    pytest.param("header_only.csv", None, 1, None, ("no data rows",), id="header-only"),
    pytest.param(
        "unknown_relation.csv",
        None,
        3,
        "relation",
        ("'friendship'", "subcontract"),
        id="unknown-relation",
    ),
    pytest.param(
        "buyer_is_supplier.csv", None, 3, "supplier", ("the buyer itself",), id="buyer-is-supplier"
    ),
    pytest.param(
        "truncated.xlsx", None, None, None, ("truncated or corrupt",), id="truncated-xlsx"
    ),
    pytest.param(
        "billion_laughs.xlsx",
        None,
        None,
        None,
        ("xl/worksheets/sheet1.xml", "entit"),
        id="billion-laughs",
    ),
    pytest.param(
        "billion_laughs_padded.xlsx",
        None,
        None,
        None,
        ("entit",),
        id="billion-laughs-padded-prolog",
    ),
    pytest.param("cp1252.csv", None, 3, "supplier", ("0xE9", "--encoding cp1252"), id="cp1252-csv"),
    pytest.param(
        "formula_buyer.xlsx",
        "relationships",
        3,
        "buyer",
        ("formula", "cell A3"),
        id="formula-cell-xlsx",
    ),
    pytest.param(
        "formula_supplier.csv",
        None,
        4,
        "supplier",
        ("formula", "=HYPERLINK"),
        id="formula-text-csv",
    ),
]


@pytest.mark.parametrize(("name", "sheet", "row", "column", "words"), CASES)
def test_bad_file_is_refused_and_located(
    loaded_db: Path,
    name: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    words: tuple[str, ...],
) -> None:
    output = refused_by_cli(loaded_db, BAD / name)
    problems = refused_by_library(loaded_db, BAD / name)
    assert_located(output, problems, name, sheet, row, column, words)


# Findings a load keeps as data-quality warnings: with --strict they refuse the file, located.
STRICT_CASES = [
    pytest.param(
        "unknown_header.csv",
        None,
        1,
        "Colour",
        ("unknown column", "--strict", "--map", "notes"),
        id="unknown-header",
    ),
    pytest.param(
        "duplicate_rows.csv",
        None,
        4,
        "supplier",
        ("--strict", "duplicate", "row 3;"),
        id="duplicate-rows",
    ),
]


@pytest.mark.parametrize(("name", "sheet", "row", "column", "words"), STRICT_CASES)
def test_strict_refuses_what_a_load_keeps_as_a_warning(
    loaded_db: Path,
    name: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    words: tuple[str, ...],
) -> None:
    output = refused_by_cli(loaded_db, BAD / name, "--strict")
    problems = refused_by_library(loaded_db, BAD / name, LoadOptions(strict=True))
    assert_located(output, problems, name, sheet, row, column, words)


def test_unknown_header_is_left_out_with_a_warning(loaded_db: Path) -> None:
    code, output = run_cli("--db", loaded_db, "load", BAD / "unknown_header.csv")
    assert code == 0, output
    assert "loaded unknown_header.csv: 2 relationships rows" in output
    assert "'Colour'" in output  # the note names the column left out
    assert query(
        loaded_db,
        "SELECT issue, source_file, row FROM dq_issues WHERE issue = 'unknown_column'",
    ) == [("unknown_column", "unknown_header.csv", 1)]
    (detail,) = query(loaded_db, "SELECT detail FROM dq_issues WHERE issue = 'unknown_column'")
    assert "'Colour' (column #7)" in detail[0]
    assert query(
        loaded_db,
        "SELECT notes FROM stg_relationships WHERE _source_file = 'unknown_header.csv'",
    ) == [(None,), (None,)]


@pytest.mark.parametrize(
    ("mapping", "notes"), [("Colour=notes", ["red", "blue"]), ("Colour=ignore", [None, None])]
)
def test_unknown_header_loads_once_mapped(loaded_db: Path, mapping: str, notes: list) -> None:
    code, output = run_cli("--db", loaded_db, "load", BAD / "unknown_header.csv", "--map", mapping)
    assert code == 0, output
    assert "loaded unknown_header.csv: 2 relationships rows" in output
    rows = query(
        loaded_db,
        "SELECT _row, supplier, notes FROM stg_relationships WHERE _source_file = 'unknown_header.csv' ORDER BY _row",
    )
    assert rows == [(2, "Globex Components", notes[0]), (3, "Contoso Cloud", notes[1])]
    assert len(query(loaded_db, "SELECT * FROM stg_relationships")) == 5 + 2
    # Mapped or ignored, the column is no finding.
    assert not query(loaded_db, "SELECT * FROM dq_issues WHERE issue = 'unknown_column'")


def test_cp1252_loads_with_encoding_option(loaded_db: Path) -> None:
    code, output = run_cli("--db", loaded_db, "load", "--encoding", "cp1252", BAD / "cp1252.csv")
    assert code == 0, output
    assert query(
        loaded_db,
        "SELECT supplier FROM stg_relationships WHERE _source_file = 'cp1252.csv' AND _row = 3",
    ) == [("Société Générale",)]
    assert ("Société Générale",) in query(loaded_db, "SELECT name FROM orgs")
    assert query(loaded_db, "SELECT encoding FROM sources WHERE file_name = 'cp1252.csv'") == [
        ("cp1252",)
    ]


def test_file_over_size_limit(loaded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = BAD / "oversize.csv"  # a valid 3 KB file
    monkeypatch.setenv("EXPOSURE_MAX_FILE_MB", "0.001")
    output = refused_by_cli(loaded_db, path)
    assert_located(
        output,
        refused_by_library(loaded_db, path),
        "oversize.csv",
        words=("size limit", "EXPOSURE_MAX_FILE_MB"),
    )
    monkeypatch.delenv("EXPOSURE_MAX_FILE_MB")
    # The limit is exact: one byte under the file's size refuses it, its size admits it.
    size = path.stat().st_size
    problems = refused_by_library(loaded_db, path, limits=ReadLimits(max_file_bytes=size - 1))
    assert "size limit" in problems[0].message
    con = connect(loaded_db)
    try:
        report = load_files(con, [path], limits=ReadLimits(max_file_bytes=size))
    finally:
        con.close()
    assert report.rows == 60


def test_big_file_refused_with_its_size_named(loaded_db: Path, tmp_path: Path) -> None:
    """A 64 MB file against a 1 MB limit: refused with the size named, the database unchanged."""
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b"buyer,supplier\n")
        handle.truncate(64 * 2**20)  # sparse: no disk space used
    problems = refused_by_library(loaded_db, path, limits=ReadLimits(max_file_bytes=2**20))
    assert problems[0].file == "huge.csv"
    assert "64.0 MB" in problems[0].message and "size limit" in problems[0].message


def test_multi_file_load_is_all_or_nothing(loaded_db: Path) -> None:
    good, bad = GOOD / "more_relationships.csv", BAD / "text_value.csv"
    output = refused_by_cli(loaded_db, good, bad)
    assert "text_value.csv, row 3, column 'annual_value_usd'" in output
    assert not query(loaded_db, "SELECT * FROM sources WHERE file_name = 'more_relationships.csv'")
    # Bad file first, and through the library: same result.
    refused_by_library(loaded_db, bad)
    before = snapshot(loaded_db)
    con = connect(loaded_db)
    try:
        with pytest.raises(LoadError):
            load_files(con, [bad, good])
    finally:
        con.close()
    assert snapshot(loaded_db) == before
    # The good file was never recorded, so on its own it loads (not "already loaded").
    code, output = run_cli("--db", loaded_db, "load", good)
    assert code == 0, output
    assert "loaded more_relationships.csv: 2 relationships rows" in output


def test_same_file_twice_adds_nothing(loaded_db: Path) -> None:
    before = snapshot(loaded_db)
    code, output = run_cli("--db", loaded_db, "load", GOOD / "relationships.csv")
    assert code == 0, output
    assert "already loaded" in output
    assert snapshot(loaded_db) == before
    # The same file twice in one call is stored once.
    code, output = run_cli(
        "--db", loaded_db, "load", GOOD / "more_relationships.csv", GOOD / "more_relationships.csv"
    )
    assert code == 0, output
    assert query(
        loaded_db,
        "SELECT count(*) FROM stg_relationships WHERE _source_file = 'more_relationships.csv'",
    ) == [(2,)]


def test_vendor_list_needs_buyer(loaded_db: Path) -> None:
    path = GOOD / "vendors.csv"
    output = refused_by_cli(loaded_db, path)
    assert_located(
        output, refused_by_library(loaded_db, path), "vendors.csv", row=1, words=("--buyer",)
    )
    code, output = run_cli("--db", loaded_db, "load", path, "--buyer", "Initech Systems")
    assert code == 0, output
    rows = query(
        loaded_db,
        "SELECT _row, buyer, supplier, annual_value_usd FROM stg_relationships "
        "WHERE _source_file = 'vendors.csv' ORDER BY _row",
    )
    assert rows == [
        (2, "Initech Systems", "Contoso Cloud", 120000.0),
        (3, "Initech Systems", "Anthropic PBC", 45000.0),
        (4, "Initech Systems", "Northwind Analytics Inc.", 300000.0),
    ]
    assert query(loaded_db, "SELECT buyer FROM sources WHERE file_name = 'vendors.csv'") == [
        ("Initech Systems",)
    ]


def test_header_synonyms_map_and_parse(loaded_db: Path) -> None:
    """Customer -> buyer, Vendor -> supplier, Relationship Type -> relation, Annual Spend "$1,250,000"."""
    code, output = run_cli("--db", loaded_db, "load", GOOD / "synonyms.csv")
    assert code == 0, output
    assert query(
        loaded_db,
        "SELECT _row, buyer, supplier, relation, annual_value_usd FROM stg_relationships "
        "WHERE _source_file = 'synonyms.csv' ORDER BY _row",
    ) == [
        (2, "Lockheed Martin Corporation", "Globex Components", "component", 1_250_000.0),
        (3, "Lockheed Martin Corporation", "Contoso Cloud", "cloud_hosting", 80_000.0),
    ]


def test_title_row_above_header(loaded_db: Path) -> None:
    """Title in row 1, blank row 2, header in row 3: loads, and rows keep their Excel numbers."""
    code, output = run_cli("--db", loaded_db, "load", GOOD / "titled.xlsx")
    assert code == 0, output
    assert "loaded titled.xlsx [relationships]: 3 relationships rows" in output
    assert query(
        loaded_db,
        "SELECT _sheet, _row, supplier, criticality FROM stg_relationships "
        "WHERE _source_file = 'titled.xlsx' ORDER BY _row",
    ) == [
        ("relationships", 4, "Globex Components", 4),
        ("relationships", 5, "Contoso Cloud", 2),
        ("relationships", 6, "Contoso Cloud", 2),
    ]
    path = BAD / "titled_bad_criticality.xlsx"  # the same sheet with criticality 9 in F6
    output = refused_by_cli(loaded_db, path)
    problems = refused_by_library(loaded_db, path)
    assert_located(
        output, problems, path.name, "relationships", 6, "Criticality", ("cell F6", "'9'")
    )
