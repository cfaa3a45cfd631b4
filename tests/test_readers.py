"""Readers: file names DuckDB would glob, CSV dialect traps, encodings, workbook safety."""

from __future__ import annotations

import codecs
import io
import struct
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from exposure import LoadError, connect, load_files
from exposure.ingest.readers import read_file
from exposure.ingest.readers.xlsx_safety import prolog_declares_dtd


@pytest.fixture
def con():
    connection = connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """The temporary directory the readers use, empty, to see what they leave behind."""
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def _write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _relationships(con) -> list[tuple]:
    return con.execute(
        "SELECT buyer, supplier, notes, _row, _source_file FROM stg_relationships ORDER BY _row"
    ).fetchall()


def _problems(caught: pytest.ExceptionInfo[LoadError]) -> list[tuple]:
    return [(p.file, p.row, p.column) for p in caught.value.problems]


# --- 1. names DuckDB would read as glob patterns ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "decoy"),
    [
        ("Deps [2026].csv", "Deps 2.csv"),
        ("Deps ?.csv", "Deps A.csv"),
        ("Deps *.csv", "Deps B.csv"),
        ("Deps {a,b}.csv", "Deps a.csv"),
    ],
)
def test_csv_name_with_glob_characters_reads_exactly_that_file(con, tmp_path, scratch, name, decoy):
    _write(tmp_path / name, "buyer,supplier\nReal,Data\n")
    _write(tmp_path / decoy, "buyer,supplier\nOther,File\n")

    report = load_files(con, [tmp_path / name])

    assert report.rows == 1
    assert _relationships(con) == [("Real", "Data", None, 2, name)]
    assert list(scratch.iterdir()) == []  # the link was removed after the load


def test_csv_glob_link_is_handed_to_the_warehouse_for_cleanup(tmp_path, scratch):
    path = _write(tmp_path / "Vendors [2026].csv", "buyer,supplier\nReal,Data\n")
    _write(tmp_path / "Vendors 2.csv", "buyer,supplier\nOther,File\n")

    [raw] = read_file(path)

    assert raw.table.to_pylist()[1] == {"c0": "Real", "c1": "Data"}
    assert raw.cleanup is not None and raw.cleanup.parent == scratch
    assert "[" not in str(raw.cleanup) and str(raw.cleanup) in (raw.source_sql or "")
    assert raw.csv_path == path
    raw.cleanup.unlink()


def test_parquet_name_with_glob_characters_reads_exactly_that_file(con, tmp_path, scratch):
    pq.write_table(pa.table({"buyer": ["Real"], "supplier": ["Data"]}), tmp_path / "V [2026].pq")
    pq.write_table(pa.table({"buyer": ["Other"], "supplier": ["File"]}), tmp_path / "V 2.pq")

    load_files(con, [tmp_path / "V [2026].pq"])

    assert _relationships(con) == [("Real", "Data", None, 2, "V [2026].pq")]
    assert list(scratch.iterdir()) == []


# --- 2. a leading '#' line is not a comment marker ---------------------------------------------


def test_hash_first_line_does_not_drop_rows_starting_with_hash(con, tmp_path):
    path = _write(
        tmp_path / "hash.csv", "# export from SAP\nbuyer,supplier\nA,B\n#1 Logistics,C\nE,F\n"
    )

    report = load_files(con, [path])

    assert report.rows == 3
    assert [row[:4] for row in _relationships(con)] == [
        ("A", "B", None, 3),
        ("#1 Logistics", "C", None, 4),
        ("E", "F", None, 5),
    ]


# --- 3. rows with more fields than the header ------------------------------------------------


def _wide_row_csv(path: Path, rows: int, at: int) -> Path:
    lines = ["buyer,supplier,annual_value_usd"] + [f"B{i},S{i},{i}" for i in range(rows)]
    lines.insert(at - 1, "Acme,Beta,1,000")  # file line `at`
    return _write(path, "\n".join(lines) + "\n")


@pytest.mark.parametrize("line", [40, 2500])  # in the preview, and past it (read in full)
def test_row_with_an_extra_field_is_refused_naming_the_row(con, tmp_path, line):
    path = _wide_row_csv(tmp_path / "thou.csv", 3000, line)

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert _problems(caught) == [("thou.csv", line, None)]
    [problem] = caught.value.problems
    assert "4 fields but the header row has 3" in problem.message
    assert problem.value == "Acme,Beta,1,000"
    assert con.execute("SELECT count(*) FROM stg_relationships").fetchall() == [(0,)]


def test_extra_field_next_to_the_header_is_refused(con, tmp_path):
    path = _write(tmp_path / "near.csv", "buyer,supplier\nA,B\nAcme,Beta,1,000\n")

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert "no header" in str(caught.value)
    assert con.execute("SELECT count(*) FROM stg_relationships").fetchall() == [(0,)]


def test_short_rows_are_padded(con, tmp_path):
    path = _write(tmp_path / "short.csv", "buyer,supplier,notes\nA,B\nC,D,x\n")

    load_files(con, [path])

    assert [row[:4] for row in _relationships(con)] == [("A", "B", None, 2), ("C", "D", "x", 3)]


def test_quoted_delimiter_and_doubled_quotes_are_one_field(con, tmp_path):
    path = _write(tmp_path / "quoted.csv", 'buyer,supplier,notes\nA,"Beta, Inc.","say ""hi"""\n')

    load_files(con, [path])

    assert [row[:4] for row in _relationships(con)] == [("A", "Beta, Inc.", 'say "hi"', 2)]


def test_unclosed_quote_is_refused_naming_the_row(con, tmp_path):
    path = _write(tmp_path / "open.csv", 'buyer,supplier\nA,B\n"C,D\nE,F\n')

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert _problems(caught) == [("open.csv", 3, None)]
    assert "never closed" in caught.value.problems[0].message
    assert caught.value.problems[0].value == '"C,D'


def test_text_after_a_closing_quote_is_refused_naming_the_row(con, tmp_path):
    path = _write(tmp_path / "after.csv", 'buyer,supplier\nA,B\n"C"x,D\nE,F\n')

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert _problems(caught) == [("after.csv", 3, None)]
    assert "quoted value is not closed" in caught.value.problems[0].message


# --- 4. quoted values spanning lines -----------------------------------------------------------


def test_quoted_multiline_value_loads(con, tmp_path):
    path = _write(tmp_path / "ml.csv", 'buyer,supplier,notes\nA,B,"line1\nline2"\nC,D,x\n')

    report = load_files(con, [path])

    assert report.rows == 2
    # (text cells have their white space collapsed when they are cleaned)
    assert [row[:4] for row in _relationships(con)] == [
        ("A", "B", "line1 line2", 2),
        ("C", "D", "x", 3),
    ]


def test_multiline_value_keeps_row_numbers_as_a_spreadsheet_shows_them(con, tmp_path):
    path = _write(
        tmp_path / "ml_bad.csv",
        'buyer,supplier,criticality,notes\nA,B,3,"line1\nline2"\nC,D,9,x\n',
    )

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert _problems(caught) == [("ml_bad.csv", 3, "criticality")]


def test_parallel_reader_only_when_no_value_spans_lines(tmp_path):
    plain = _write(tmp_path / "plain.csv", 'buyer,supplier\nA,"B, Inc."\n')
    spanning = _write(tmp_path / "ml.csv", 'buyer,supplier\nA,"B\nInc."\n')

    assert "parallel = true" in (read_file(plain)[0].source_sql or "")
    assert "parallel = false" in (read_file(spanning)[0].source_sql or "")


def test_mixed_line_ends_load(con, tmp_path, scratch):
    path = _write(tmp_path / "mixed.csv", b"buyer,supplier\r\nA,B\nC,D\r\nE,F")

    load_files(con, [path])

    assert [row[:4] for row in _relationships(con)] == [
        ("A", "B", None, 2),
        ("C", "D", None, 3),
        ("E", "F", None, 4),
    ]
    assert list(scratch.iterdir()) == []  # the LF copy was removed after the load


# --- 5. locating bytes that are not UTF-8 ------------------------------------------------------


def test_garbage_binary_csv_is_refused_without_a_traceback(con, tmp_path):
    path = _write(tmp_path / "bin.csv", bytes([0xB7, 0x0D, 0x41, 0x0A, 0xFF]) * 50)

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert [(p.file, p.row) for p in caught.value.problems] == [("bin.csv", 1)]


def test_binary_data_is_called_so(con, tmp_path):
    path = _write(tmp_path / "zeros.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe" * 20)

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert "binary data" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("line", "row", "column"),
    [
        (b"\x93Acme\x94,Beta,x", 3, "buyer"),  # at the start of a line
        (b"Acme,Beta \x96 Ltd,x", 3, "supplier"),
        (b'Acme,"Beta, Inc.",caf\xe9', 3, "notes"),  # the quoted comma is no delimiter
    ],
)
def test_cp1252_byte_is_located_by_row_and_header(con, tmp_path, line, row, column):
    path = _write(tmp_path / "cp.csv", b"buyer,supplier,notes\nA,B,x\n" + line + b"\n")

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert _problems(caught) == [("cp.csv", row, column)]
    assert "--encoding cp1252" in caught.value.problems[0].message


def test_cp1252_byte_in_a_semicolon_file_names_its_column(con, tmp_path):
    path = _write(tmp_path / "semi.csv", b"buyer;supplier;notes\nA;B;x\nAcme;Beta;caf\xe9\n")

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert _problems(caught) == [("semi.csv", 3, "notes")]


# --- workbooks -------------------------------------------------------------------------------


def _workbook(path: Path, *, hidden: dict[str, str] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "relationships"
    sheet.append(["buyer", "supplier"])
    sheet.append(["A", "B"])
    for title, state in (hidden or {}).items():
        extra = book.create_sheet(title)
        extra.sheet_state = state
        extra.append(["Org kinds", "Countries"])
        extra.append(["agency", "US"])
    book.save(path)
    return path


def _replace_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, data if info.filename == part else old.read(info.filename))
    return target


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
)


def _laughing_sheet(tmp_path: Path, prefix: bytes, encoding: str = "utf-8") -> Path:
    base = _workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as archive:
        body = archive.read("xl/worksheets/sheet1.xml")
    body = body[body.index(b"?>") + 2 :] if body.startswith(b"<?xml") else body
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'.encode()
    part = (declaration + LAUGHS + body).decode().encode(encoding)
    return _replace_part(base, tmp_path / "laughs.xlsx", "xl/worksheets/sheet1.xml", prefix + part)


# --- 6. DTDs behind a byte order mark ----------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (b"", "utf-16-le"),  # UTF-16 without a byte order mark
    ],
)
def test_billion_laughs_behind_a_byte_order_mark_is_refused(con, tmp_path, prefix, encoding):
    path = _laughing_sheet(tmp_path, prefix, encoding)

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    [problem] = caught.value.problems
    assert "xl/worksheets/sheet1.xml" in problem.message
    assert "declares a DTD" in problem.message


def test_byte_order_mark_without_dtd_loads(con, tmp_path):
    base = _workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as archive:
        body = archive.read("xl/worksheets/sheet1.xml")
    path = _replace_part(
        base, tmp_path / "bom.xlsx", "xl/worksheets/sheet1.xml", codecs.BOM_UTF8 + body
    )

    assert load_files(con, [path]).rows == 1


@pytest.mark.parametrize(
    ("part", "dangerous"),
    [
        (b'<?xml version="1.0"?><root/>', False),
        (b"<!--" + b"x" * (3 * 2**20) + b"-->" + LAUGHS + b"<root/>", True),  # one long comment
        (b"<?xml version='1.0'?>" + b" " * (2**20 + 1) + b"<root/>", True),  # padded prolog
        (b" " * 70000 + LAUGHS + b"<root/>", True),  # across a read boundary
        (b"<root>" + LAUGHS + b"</root>", False),  # past the root: not a DTD
        (b"<!-- unterminated", False),
    ],
)
def test_prolog_scan(part, dangerous):
    assert prolog_declares_dtd(io.BytesIO(part)) is dangerous


# --- 7. hidden sheets ------------------------------------------------------------------------


def test_hidden_and_very_hidden_sheets_are_not_read(con, tmp_path):
    path = _workbook(
        tmp_path / "lookups.xlsx", hidden={"Lookups": "hidden", "Secret": "veryHidden"}
    )

    assert [raw.sheet for raw in read_file(path)] == ["relationships"]
    report = load_files(con, [path])
    assert [(s.sheet, s.rows) for s in report.loaded] == [("relationships", 1)]


# --- 8. .ods and .xlsb -------------------------------------------------------------------------


def _ods(path: Path, rows: list[list[str]], *, prolog: bytes = b"") -> Path:
    def row(values: list[str]) -> str:
        cells = "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in values
        )
        return f"<table:table-row>{cells}</table:table-row>"

    content = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + prolog
        + (
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="relationships">'
            + "".join(row(r) for r in rows)
            + "</table:table></office:spreadsheet></office:body></office:document-content>"
        ).encode()
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def _record(kind: int, payload: bytes = b"") -> bytes:
    """One BIFF12 record: type and size as 7-bit varints, then the payload."""
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    size, length = len(payload), b""
    while True:
        byte, size = size & 0x7F, size >> 7
        length += bytes([byte | (0x80 if size else 0)])
        if not size:
            return head + length + payload


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _xlsb(path: Path, rows: list[list[str]]) -> Path:
    """The smallest binary workbook calamine reads: one sheet of inline strings."""
    book = (
        _record(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("relationships"))
        + _record(0x90)  # end of the sheet list
        + _record(0x84)  # end of the book
    )
    cells = b""
    for number, values in enumerate(rows):
        cells += _record(0x00, struct.pack("<I", number) + b"\0" * 8)  # row header
        for column, value in enumerate(values):
            cells += _record(0x06, struct.pack("<II", column, 0) + _wide(value))  # string
    dimensions = struct.pack("<IIII", 0, len(rows) - 1, 0, max(map(len, rows)) - 1)
    sheet = (
        _record(0x81)
        + _record(0x94, dimensions)
        + _record(0x91)
        + cells
        + _record(0x92)
        + _record(0x82)
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.bin" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.bin", book)
        archive.writestr("xl/_rels/workbook.bin.rels", rels)
        archive.writestr("xl/worksheets/sheet1.bin", sheet)
    return path


def test_ods_loads(con, tmp_path):
    path = _ods(tmp_path / "book.ods", [["buyer", "supplier"], ["Acme", "Beta"]])

    report = load_files(con, [path])

    assert [(s.sheet, s.rows) for s in report.loaded] == [("relationships", 1)]
    assert [row[:4] for row in _relationships(con)] == [("Acme", "Beta", None, 2)]


def test_ods_with_a_dtd_is_refused(con, tmp_path):
    path = _ods(tmp_path / "laughs.ods", [["buyer", "supplier"], ["A", "B"]], prolog=LAUGHS)

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert "part 'content.xml' declares a DTD" in caught.value.problems[0].message


def test_ods_that_is_not_a_zip_is_refused(con, tmp_path):
    path = _write(tmp_path / "fake.ods", "buyer,supplier\nA,B\n")

    with pytest.raises(LoadError) as caught:
        load_files(con, [path])

    assert "not a valid .ods workbook" in caught.value.problems[0].message


def test_xlsb_loads(con, tmp_path):
    path = _xlsb(tmp_path / "book.xlsb", [["buyer", "supplier"], ["Acme", "Beta"]])

    report = load_files(con, [path])

    assert [(s.sheet, s.rows) for s in report.loaded] == [("relationships", 1)]
    assert [row[:4] for row in _relationships(con)] == [("Acme", "Beta", None, 2)]


# --- 9. empty values do not count as the start of a sheet --------------------------------------


@pytest.mark.parametrize("empty", [b"<v />", b"<v></v>"])
def test_empty_value_cell_does_not_shift_rows_or_cells(con, tmp_path, empty):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "relationships"
    sheet["A1"] = "=TODAY()"  # saved without a computed value
    sheet["B2"], sheet["C2"], sheet["D2"] = "buyer", "supplier", "criticality"
    sheet["B3"], sheet["C3"], sheet["D3"] = "A", "B", 8
    book.save(tmp_path / "formula.xlsx")
    with zipfile.ZipFile(tmp_path / "formula.xlsx") as archive:
        part = archive.read("xl/worksheets/sheet1.xml")
    part = part.replace(b"<v />", empty).replace(b"<v/>", empty)
    path = _replace_part(
        tmp_path / "formula.xlsx", tmp_path / "empty_v.xlsx", "xl/worksheets/sheet1.xml", part
    )

    [raw] = read_file(path)
    assert (raw.first_row, raw.first_column) == (2, 1)
    with pytest.raises(LoadError) as caught:
        load_files(con, [path])
    assert [(p.row, p.column, p.cell) for p in caught.value.problems] == [(3, "criticality", "D3")]
