"""The used range of every sheet of a workbook, found without reading it densely.

calamine reads a sheet into a dense rows x columns grid spanning its first to its last valued
cell, so two cells at A1 and XFD1048576 (a 5 KB file) ask for 17 billion cells and abort the
process. The range is therefore taken from the file's own structure first, streaming and
without building the grid, and :func:`check_ranges` refuses a sheet over the limit, naming the
cell that lies farthest:

- .xlsx and .xlsm: the cell references (``<c r="XFD1048576">``) of the worksheet XML, scanned
  as bytes. The ``<dimension ref>`` element is read too but only as a hint: writers leave it
  out or get it wrong, and calamine ignores it, so the cells decide. Empty cells (no value, as
  styled blanks are written) are not part of calamine's range and are not counted.
- .ods: ``content.xml``, counting ``number-rows-repeated`` and ``number-columns-repeated``.
- .xls: the BIFF cell records of the Workbook stream (:mod:`~exposure.ingest.readers.ole`).
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from exposure.core.errors import LoadError, Problem
from exposure.ingest.readers.sheets import ReadLimits, column_letter

__all__ = ["SheetRange", "check_ranges", "ods_ranges", "xls_ranges", "xlsx_range"]

_CHUNK = 2**20
# A cell's start tag; group 1 its attributes, group 2 "/" when it is self-closing (empty).
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(\s[^>]*?)?(/?)>")
_REF = re.compile(rb'\br\s*=\s*["\']\$?([A-Za-z]{1,5})\$?([0-9]{1,10})["\']')
# What follows the start tag of a cell that holds nothing: an empty <v/> or <v></v>, or </c>.
_EMPTY_BODY = re.compile(
    rb"\s*(?:</(?:[\w.-]+:)?c>|<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>\s*</(?:[\w.-]+:)?v>)"
)
_TAG_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)[\s/>]")
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s[^>]*ref\s*=\s*["\']([^"\']*)["\']')


@dataclass
class SheetRange:
    """The bounding box of a sheet's valued cells: 1-based rows, 0-based columns."""

    sheet: str
    first_row: int = 0
    last_row: int = 0
    first_column: int = 0
    last_column: int = 0
    cells: int = 0  # valued cells seen
    declared: str | None = None  # the <dimension ref> of an .xlsx sheet

    def add(self, row: int, column: int, rows: int = 1, columns: int = 1) -> None:
        """Extend the box by a block of ``rows`` x ``columns`` cells whose top left is given."""
        if self.cells == 0:
            self.first_row, self.first_column = row, column
            self.last_row, self.last_column = row + rows - 1, column + columns - 1
        else:
            self.first_row = min(self.first_row, row)
            self.first_column = min(self.first_column, column)
            self.last_row = max(self.last_row, row + rows - 1)
            self.last_column = max(self.last_column, column + columns - 1)
        self.cells += rows * columns

    @property
    def rows(self) -> int:
        """Rows of the dense range calamine would allocate."""
        return self.last_row - self.first_row + 1 if self.cells else 0

    @property
    def columns(self) -> int:
        """Columns of the dense range calamine would allocate."""
        return self.last_column - self.first_column + 1 if self.cells else 0

    @property
    def extreme_cell(self) -> str:
        """The A1 reference of the range's bottom right corner."""
        return f"{column_letter(self.last_column)}{self.last_row}"


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + char - 64
    return index - 1


def check_ranges(ranges: list[SheetRange], name: str, limits: ReadLimits) -> None:
    """Refuse the workbook if a sheet's dense range holds more rows or cells than the limits.

    Raises:
        LoadError: naming the sheet, its range and the farthest cell.
    """
    for found in ranges:
        rows, columns = found.rows, found.columns
        if rows <= limits.max_rows and rows * columns <= limits.max_sheet_cells:
            continue
        first = f"{column_letter(found.first_column)}{found.first_row}"
        raise LoadError(
            [
                Problem(
                    name,
                    f"the sheet's data spans {first}:{found.extreme_cell}, {rows:,} rows x "
                    f"{columns:,} columns ({rows * columns:,} cells), over the limit of "
                    f"{limits.max_sheet_cells:,} cells a sheet may span "
                    "(set EXPOSURE_MAX_SHEET_CELLS to raise it); a value far from the rest "
                    "makes the whole rectangle up to it count",
                    sheet=found.sheet,
                    cell=found.extreme_cell,
                )
            ]
        )


def _scan_cells(buffer: bytes, found: SheetRange, state: list[int]) -> None:
    """Add the valued cells of complete cell tags in ``buffer``; ``state`` is [row, column]."""
    for match in _CELL.finditer(buffer):
        attributes = match.group(1) or b""
        ref = _REF.search(attributes)
        if ref:
            column = _column_index(ref.group(1))
            row = int(ref.group(2))
        else:  # no reference: the next cell along, as calamine counts it
            row, column = state[0], state[1] + 1
        state[1] = column
        state[0] = row
        if match.group(2) or _EMPTY_BODY.match(buffer, match.end()):
            continue
        found.add(row, column)


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(\s[^>]*)?>")
_ROW_NUMBER = re.compile(rb'\br\s*=\s*["\']([0-9]{1,10})["\']')


def _scan_rows(buffer: bytes, found: SheetRange, state: list[int]) -> None:
    """Cells and rows in document order, so that cells without a reference are placed."""
    position = 0
    while True:
        row_match = _ROW.search(buffer, position)
        end = row_match.start() if row_match else len(buffer)
        _scan_cells(buffer[position:end], found, state)
        if not row_match:
            return
        number = _ROW_NUMBER.search(row_match.group(1) or b"")
        state[0] = int(number.group(1)) if number else state[0] + 1
        state[1] = -1
        position = row_match.end()


def xlsx_range(archive: zipfile.ZipFile, part: str, sheet: str) -> SheetRange:
    """The range of one worksheet part's valued cells, streamed as bytes (see the module doc)."""
    found = SheetRange(sheet)
    state = [0, -1]
    carry = b""
    with archive.open(part) as stream:
        head = True
        while chunk := stream.read(_CHUNK):
            buffer = carry + chunk
            if head:
                dimension = _DIMENSION.search(buffer[:65536])
                if dimension:
                    found.declared = dimension.group(1).decode("ascii", "replace")
                head = False
            # Hold back from the last cell or row start: the chunk's end may cut it. Only the
            # new bytes are searched for it, so one huge cell still costs linear time.
            cut = 0
            for match in _TAG_START.finditer(buffer, max(0, len(carry) - 16)):
                cut = match.start()
            _scan_rows(buffer[:cut], found, state)
            carry = buffer[cut:]
        _scan_rows(carry, found, state)
    return found


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _repeat(element: object, attribute: str) -> int:
    value = element.get(f"{{{_TABLE_NS}}}{attribute}", "1")  # type: ignore[attr-defined]
    try:
        return max(1, int(value))
    except ValueError:
        return 1


def ods_ranges(archive: zipfile.ZipFile) -> list[SheetRange]:
    """The range of each table of an .ods ``content.xml``, with repeated rows and cells counted."""
    from defusedxml.ElementTree import iterparse

    ranges: list[SheetRange] = []
    current: SheetRange | None = None
    row = 0
    column = 0
    with archive.open("content.xml") as stream:
        for event, element in iterparse(stream, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{{{_TABLE_NS}}}table":
                    current = SheetRange(element.get(f"{{{_TABLE_NS}}}name", ""))
                    ranges.append(current)
                    row = 0
                elif tag == f"{{{_TABLE_NS}}}table-row":
                    column = 0
                continue
            if current is None:
                continue
            if tag in (f"{{{_TABLE_NS}}}table-cell", f"{{{_TABLE_NS}}}covered-table-cell"):
                repeat = _repeat(element, "number-columns-repeated")
                valued = element.get(f"{{{_OFFICE_NS}}}value-type") is not None or any(
                    text.strip() for text in element.itertext()
                )
                if valued:
                    current.add(row + 1, column, 1, repeat)
                column += repeat
                element.clear()
            elif tag == f"{{{_TABLE_NS}}}table-row":
                repeat = _repeat(element, "number-rows-repeated")
                if repeat > 1 and current.cells and current.last_row == row + 1:
                    # The row just counted holds values and repeats: the block goes down.
                    current.last_row = row + repeat
                row += repeat
                element.clear()
            elif tag == f"{{{_TABLE_NS}}}table":
                current = None
    return ranges


# BIFF record types holding one cell (row, column in their first four bytes) and MULRK.
_BIFF_CELLS = {0x0006, 0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x00D6, 0x0406, 0x0002, 0x0003}
_MULRK, _BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x00BD, 0x0809, 0x000A, 0x0085, 0x002F


def _biff_records(stream: bytes) -> Iterator[tuple[int, int, bytes]]:
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        yield position, kind, stream[position + 4 : position + 4 + length]
        position += 4 + length


def _sheet_name(data: bytes) -> str:
    if len(data) < 8:
        return ""
    count, flags = data[6], data[7]
    if flags & 1:
        return data[8 : 8 + 2 * count].decode("utf-16-le", "replace")
    return data[8 : 8 + count].decode("latin-1")


def xls_ranges(stream: bytes) -> tuple[list[SheetRange], bool]:
    """The range of each worksheet of a BIFF5/8 Workbook stream, from its cell records, and
    whether the stream is encrypted (a FILEPASS record: its cells cannot be read)."""
    names: dict[int, str] = {}
    ranges: list[SheetRange] = []
    current: SheetRange | None = None
    depth = 0
    for position, kind, data in _biff_records(stream):
        if kind == _FILEPASS:
            return ranges, True
        if kind == _BOUNDSHEET and len(data) >= 4:
            names[struct.unpack_from("<I", data)[0]] = _sheet_name(data)
        elif kind == _BOF:
            depth += 1
            if depth == 1 and position in names:
                current = SheetRange(names[position])
                ranges.append(current)
        elif kind == _EOF:
            depth = max(0, depth - 1)
            if depth == 0:
                current = None
        elif current is not None and depth == 1:
            if kind in _BIFF_CELLS and len(data) >= 4:
                row, column = struct.unpack_from("<HH", data)
                current.add(row + 1, column)
            elif kind == _MULRK and len(data) >= 6:
                row, first = struct.unpack_from("<HH", data)
                (last,) = struct.unpack_from("<H", data, len(data) - 2)
                if last >= first:
                    current.add(row + 1, first, 1, last - first + 1)
    return ranges, False
