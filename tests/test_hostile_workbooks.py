"""Hostile workbooks: a dense range far larger than the file, zip parts that would inflate past
the limits, and password-protected workbooks are refused from the file's structure, before
calamine (which aborts the process on a huge range) or zlib ever sees them, and leave the
database as it was."""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

import pytest
from conftest import DATA, run_cli, snapshot
from hostile import cell_xml, ods, ods_cell, xlsx

from exposure import LoadError, ReadLimits
from exposure.ingest.readers import read_file, workbook_ranges

GOOD = DATA / "good"


@pytest.fixture
def no_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test (instead of aborting the process) if calamine is asked to read."""
    import fastexcel

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("calamine was reached")

    monkeypatch.setattr(fastexcel, "read_excel", refuse)


def _refused(path: Path, limits: ReadLimits | None = None) -> LoadError:
    with pytest.raises(LoadError) as caught:
        read_file(path, limits=limits)
    return caught.value


def test_two_cells_at_a1_and_xfd1048576_are_refused_before_calamine(
    tmp_path, loaded_db, no_calamine
):
    path = xlsx(tmp_path / "far.xlsx", [("A1", "buyer"), ("XFD1048576", "x")])
    assert path.stat().st_size < 5_000  # the premise: a tiny file
    before = snapshot(loaded_db)

    code, output = run_cli("--db", loaded_db, "load", path)

    assert code == 1, output
    assert "far.xlsx, sheet 'Sheet1', cell XFD1048576" in output
    assert "1,048,576 rows x 16,384 columns" in output and "EXPOSURE_MAX_SHEET_CELLS" in output
    assert snapshot(loaded_db) == before


def test_the_limit_is_exact_and_counts_the_rectangle_from_first_to_last_value(tmp_path):
    path = xlsx(tmp_path / "box.xlsx", [("B3", "buyer"), ("C3", "supplier"), ("E10", "x")])
    # B3:E10 is 8 rows x 4 columns.
    error = _refused(path, ReadLimits(max_sheet_cells=31))
    [problem] = error.problems
    assert problem.cell == "E10" and "B3:E10" in problem.message
    assert "8 rows x 4 columns (32 cells)" in problem.message
    [sheet] = read_file(path, limits=ReadLimits(max_sheet_cells=32))
    assert (sheet.first_row, sheet.first_column) == (3, 1)


def test_a_lying_or_missing_dimension_does_not_decide(tmp_path, no_calamine):
    # The dimension claims the whole sheet; the cells say 2 x 2: the cells decide (and
    # calamine allocates by the cells too).
    small = xlsx(
        tmp_path / "lie.xlsx",
        [("A1", "a"), ("B1", "b"), ("A2", "c"), ("B2", "d")],
        dimension="A1:XFD1048576",
    )
    [found] = _ranges(small)
    assert (found.rows, found.columns, found.declared) == (2, 2, "A1:XFD1048576")
    # The dimension claims A1:B2; a cell lies at Z5000.
    big = xlsx(tmp_path / "big.xlsx", [("A1", "a"), ("Z5000", "z")], dimension="A1:B2")
    error = _refused(big, ReadLimits(max_sheet_cells=5000 * 26 - 1))
    assert error.problems[0].cell == "Z5000"


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path):
    # Row 1048576 holds three cells with no r attribute: columns A, B and C.
    cells = "".join(cell_xml(None, v) for v in ("a", "b", "c"))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{cell_xml("A1", "x")}</row>'
        f'<row r="1048576">{cells}</row></sheetData></worksheet>'
    )
    path = xlsx(tmp_path / "noref.xlsx", [], sheet_xml=sheet)
    error = _refused(path, ReadLimits(max_sheet_cells=1_048_576 * 3 - 1))
    assert error.problems[0].cell == "C1048576"


def test_empty_styled_cells_do_not_count(tmp_path):
    path = xlsx(
        tmp_path / "styled.xlsx",
        [("A1", "buyer"), ("B1", "supplier"), ("A2", "P"), ("B2", "S"), ("XFD1048576", None)],
    )
    [sheet] = read_file(path)
    assert sheet.table.num_rows == 2 and sheet.table.num_columns == 2


def _ranges(path: Path) -> list[workbook_ranges.SheetRange]:
    with zipfile.ZipFile(path) as archive:
        return [workbook_ranges.xlsx_range(archive, "xl/worksheets/sheet1.xml", "Sheet1")]


@pytest.mark.parametrize("seed", range(6))
def test_the_streaming_scan_matches_the_cells_whatever_the_chunk_boundaries(
    tmp_path, monkeypatch, seed
):
    rng = random.Random(seed)
    monkeypatch.setattr(workbook_ranges, "_CHUNK", rng.choice([5, 7, 13, 64, 4096]))
    cells = {}
    for _ in range(rng.randint(1, 40)):
        column = rng.randint(0, 800)
        row = rng.randint(1, 5000)
        letters = ""
        index = column + 1
        while index:
            index, rest = divmod(index - 1, 26)
            letters = chr(65 + rest) + letters
        cells[f"{letters}{row}"] = (row, column, rng.choice(["v", None, "x" * rng.randint(1, 50)]))
    path = xlsx(tmp_path / "r.xlsx", [(ref, value) for ref, (_, _, value) in cells.items()])
    [found] = _ranges(path)
    valued = [(row, column) for row, column, value in cells.values() if value is not None]
    if not valued:
        assert found.cells == 0
        return
    assert (found.first_row, found.last_row) == (
        min(r for r, _ in valued),
        max(r for r, _ in valued),
    )
    assert (found.first_column, found.last_column) == (
        min(c for _, c in valued),
        max(c for _, c in valued),
    )
    assert found.cells == len(valued)


def test_an_ods_table_repeated_to_the_edge_is_refused(tmp_path, loaded_db, no_calamine):
    rows = (
        f"<table:table-row>{ods_cell('buyer')}{ods_cell('supplier')}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="1048575">{ods_cell("x", 16384)}'
        "</table:table-row>"
    )
    path = ods(tmp_path / "far.ods", rows)
    before = snapshot(loaded_db)
    code, output = run_cli("--db", loaded_db, "load", path)
    assert code == 1, output
    assert "far.ods, sheet 'Sheet1', cell XFD1048576" in output
    assert snapshot(loaded_db) == before


def test_an_ods_with_trailing_empty_repeats_loads(tmp_path):
    rows = (
        f"<table:table-row>{ods_cell('buyer')}{ods_cell('supplier')}"
        '<table:table-cell table:number-columns-repeated="16382"/></table:table-row>'
        f"<table:table-row>{ods_cell('Prime A')}{ods_cell('Supplier B')}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    [sheet] = read_file(ods(tmp_path / "ok.ods", rows))
    assert sheet.table.num_rows == 2


def _biff_cell_records(stream: bytes) -> list[int]:
    """Offsets of the one-cell records (LABELSST, NUMBER, RK) of a BIFF stream."""
    found, position = [], 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        if kind in (0x00FD, 0x0203, 0x027E):
            found.append(position)
        position += 4 + length
    return found


def test_an_xls_cell_at_the_edge_of_its_format_is_refused(tmp_path, loaded_db, no_calamine):
    original = (DATA / "bad" / "legacy.xls").read_bytes()
    # The Workbook stream is the file's sectors in order here: its records appear verbatim.
    start = original.index(b"\x09\x08")  # the first BOF record
    records = _biff_cell_records(original[start : start + 4096])
    last = start + records[-1]
    patched = bytearray(original)
    patched[last + 4 : last + 8] = struct.pack("<HH", 65535, 65535)
    path = tmp_path / "far.xls"
    path.write_bytes(bytes(patched))
    before = snapshot(loaded_db)

    code, output = run_cli("--db", loaded_db, "load", path)

    assert code == 1, output
    # Column 65,536 is CRXP: 3 x 26^3 + 18 x 26^2 + 24 x 26 + 16.
    assert "far.xls, sheet 'relationships', cell CRXP65536" in output
    assert snapshot(loaded_db) == before


def test_the_unpatched_xls_reads(tmp_path):
    sheets = read_file(DATA / "bad" / "legacy.xls")
    assert [s.sheet for s in sheets] == ["organizations", "relationships"]


def _set_encrypted_flag(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        while position != -1:
            (flags,) = struct.unpack_from("<H", data, position + offset)
            struct.pack_into("<H", data, position + offset, flags | 1)
            position = data.find(signature, position + 4)
    path.write_bytes(bytes(data))


def test_a_zip_encrypted_workbook_is_password_protected(tmp_path, loaded_db, no_calamine):
    path = xlsx(tmp_path / "locked.xlsx", [("A1", "buyer"), ("B1", "supplier")])
    _set_encrypted_flag(path)
    before = snapshot(loaded_db)
    code, output = run_cli("--db", loaded_db, "load", path)
    assert code == 1, output
    assert "locked.xlsx: the workbook is password-protected" in output
    assert "RuntimeError" not in output
    assert snapshot(loaded_db) == before


def test_an_office_encrypted_package_is_password_protected(tmp_path, no_calamine):
    # Office writes a password-protected .xlsx as an OLE2 file holding "EncryptedPackage".
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    path = tmp_path / "locked.xlsx"
    path.write_bytes(body + bytes(2048))
    error = _refused(path)
    assert error.problems[0].message.startswith("the workbook is password-protected")


def test_a_zip_bomb_is_refused_from_its_headers_without_inflating(tmp_path, monkeypatch):
    path = xlsx(tmp_path / "bomb.xlsx", [("A1", "buyer"), ("B1", "supplier")])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(70 * 2**20))
    opened: list[str] = []
    original_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(name if isinstance(name, str) else name.filename)
        return original_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    error = _refused(path)
    assert "part 'xl/media/zeros.bin' expands" in error.problems[0].message
    assert "xl/media/zeros.bin" not in opened
    error = _refused(path, ReadLimits(max_uncompressed_bytes=2**20))
    assert "the workbook expands to" in error.problems[0].message
    assert "xl/media/zeros.bin" not in opened
