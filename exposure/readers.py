"""Read uploaded files into raw tables of text, safely.

Every reader returns :class:`RawSheet` objects: the cells of one sheet as strings, exactly as
a person sees them, before any header matching or validation. Nothing here executes or
unpickles anything: spreadsheets are read by calamine (via fastexcel), CSV and parquet by
DuckDB. Before a workbook is opened its zip container is checked (size, compression ratio) and
every XML part is refused if it declares a DTD or entities, which is how "billion laughs"
entity-expansion payloads work.

Limits come from :class:`ReadLimits`; the environment variable ``EXPOSURE_MAX_FILE_MB``
changes the default file size limit.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import duckdb
import pyarrow as pa

from exposure.errors import LoadError, Problem
from exposure.sql import sql_identifier, sql_literal

__all__ = [
    "SPREADSHEET_SUFFIXES",
    "RawSheet",
    "ReadLimits",
    "check_size",
    "column_letter",
    "csv_error",
    "read_file",
    "utf8_problem",
]

logger = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")

_XML_DANGER = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
CSV_PREVIEW_ROWS = 1000
_ENCODINGS = {"utf-8", "utf-8-sig", "cp1252", "latin-1", "iso-8859-1", "utf-16", "mac-roman"}


@dataclass(frozen=True)
class ReadLimits:
    """Size limits enforced before a file is parsed."""

    max_file_bytes: int = field(
        default_factory=lambda: int(float(os.environ.get("EXPOSURE_MAX_FILE_MB", "512")) * 2**20)
    )
    # A workbook's XML may be much larger than the zip; a bomb is far larger still.
    max_uncompressed_bytes: int = 8 * 2**30
    max_compression_ratio: float = 400.0


@dataclass
class RawSheet:
    """The text cells of one sheet (or one CSV/parquet file).

    ``table`` holds every row read, header row(s) included, as string columns ``c0..cN``;
    ``first_row`` is the spreadsheet row number of ``table``'s first row and ``first_column``
    the 0-based index of its first column (workbooks may start at, say, B3).
    ``formulas`` maps (row number, 0-based column) to the formula text of cells that hold one,
    and whether a computed value was saved with it.

    For CSV, ``table`` is only the first rows (enough to find the header); ``csv_sql`` is the
    DuckDB ``read_csv(...)`` call that reads the whole file, and ``cleanup`` a temporary
    re-encoded copy to delete once it has been read.
    """

    file: str
    sheet: str | None
    table: pa.Table
    first_row: int = 1
    first_column: int = 0
    has_header_row: bool = True
    formulas: dict[tuple[int, int], tuple[str, bool]] = field(default_factory=dict)
    encoding: str | None = None
    csv_sql: str | None = None
    csv_path: Path | None = None
    cleanup: Path | None = None


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def read_file(
    path: Path,
    *,
    display_name: str | None = None,
    encoding: str | None = None,
    limits: ReadLimits | None = None,
) -> list[RawSheet]:
    """Read one file into raw text sheets, refusing unsafe or unreadable input.

    Raises:
        LoadError: the file is missing, empty, too large, corrupt, of an unknown type, not in
            the expected text encoding, or a workbook whose XML declares entities.
    """
    limits = limits or ReadLimits()
    name = display_name or path.name
    if not path.is_file():
        raise LoadError([Problem(name, "file not found")])
    size = path.stat().st_size
    if size == 0:
        raise LoadError([Problem(name, "the file is empty (0 bytes)")])
    check_size(path, name, limits)
    with path.open("rb") as handle:
        magic = handle.read(8)
    suffix = path.suffix.lower() if display_name is None else Path(display_name).suffix.lower()
    if magic.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if not magic.startswith(b"PK"):
            raise LoadError(
                [Problem(name, "not a valid .xlsx workbook (it is not a zip container)")]
            )
        return _read_xlsx(path, name, limits)
    if magic.startswith(b"\xd0\xcf\x11\xe0") or suffix in (".xls", ".xlsb", ".ods"):
        return _read_workbook(path, name, formulas={}, offsets={})
    if magic.startswith(b"PAR1") or suffix in PARQUET_SUFFIXES:
        return [_read_parquet(path, name)]
    if suffix in CSV_SUFFIXES or suffix == "":
        return [_read_csv(path, name, encoding)]
    raise LoadError(
        [
            Problem(
                name,
                f"unsupported file type '{suffix}': expected .xlsx, .xls, .csv or .parquet",
            )
        ]
    )


def _human(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def check_size(path: Path, name: str, limits: ReadLimits) -> None:
    """Refuse a file over the size limit, before anything reads it."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LoadError(
            [
                Problem(
                    name,
                    f"the file is {_human(size)}, over the size limit of {_human(limits.max_file_bytes)} "
                    "(set EXPOSURE_MAX_FILE_MB to raise it)",
                )
            ]
        )


# ---------------------------------------------------------------------------------------------
# Workbooks


def _read_xlsx(path: Path, name: str, limits: ReadLimits) -> list[RawSheet]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(
            [
                Problem(
                    name, f"not a readable .xlsx workbook: the file is truncated or corrupt ({exc})"
                )
            ]
        ) from exc
    with archive:
        _check_zip(archive, name, limits)
        parts = _sheet_parts(archive, name)
        formulas: dict[str, dict[tuple[int, int], tuple[str, bool]]] = {}
        offsets: dict[str, tuple[int, int]] = {}
        for sheet_name, part in parts.items():
            try:
                offsets[sheet_name] = _first_cell(archive, part)
                formulas[sheet_name] = _formula_cells(archive, part)
            except LoadError:
                raise
            except Exception as exc:  # malformed or hostile XML: report, never crash
                raise LoadError(
                    [
                        Problem(
                            name,
                            f"the worksheet XML could not be parsed safely ({type(exc).__name__}: {exc})",
                            sheet=sheet_name,
                        )
                    ]
                ) from exc
    return _read_workbook(path, name, formulas=formulas, offsets=offsets)


def _check_zip(archive: zipfile.ZipFile, name: str, limits: ReadLimits) -> None:
    try:
        infos = archive.infolist()
        bad_member = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise LoadError(
            [
                Problem(
                    name, f"not a readable .xlsx workbook: the file is truncated or corrupt ({exc})"
                )
            ]
        ) from exc
    if bad_member is not None:
        raise LoadError(
            [
                Problem(
                    name,
                    f"not a readable .xlsx workbook: part '{bad_member}' is corrupt (CRC mismatch)",
                )
            ]
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise LoadError(
            [Problem(name, f"the workbook expands to {total / 2**30:.1f} GB, over the size limit")]
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 2**26 and ratio > limits.max_compression_ratio:
            raise LoadError(
                [
                    Problem(
                        name,
                        f"part '{info.filename}' expands {ratio:.0f}x (a zip bomb?); refused",
                    )
                ]
            )
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as member:
                dangerous = _prolog_declares_dtd(member)
            if dangerous:
                raise LoadError(
                    [
                        Problem(
                            name,
                            f"part '{info.filename}' declares a DTD or XML entities, as entity-expansion "
                            "('billion laughs') attacks do; workbooks never need them, so it was refused",
                        )
                    ]
                )
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise LoadError(
            [Problem(name, "not a valid .xlsx workbook: it has no xl/workbook.xml part")]
        )


_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_PROLOG_LIMIT = 2**20


def _prolog_declares_dtd(stream: IO[bytes]) -> bool:
    """Whether an XML part declares a DTD or entities before its root element.

    A DTD can only sit in the prolog, so the scan skips the XML declaration, processing
    instructions and comments, and stops at the first element. A prolog padded past 1 MB
    counts as dangerous: no workbook needs one.
    """
    buffer = b""
    position = 0
    while True:
        if len(buffer) - position < 65536:
            chunk = stream.read(65536)
            buffer = buffer[position:] + chunk
            position = 0
            if len(buffer) > _PROLOG_LIMIT and not chunk:
                return False
        match = _PROLOG_ITEM.match(buffer, position)
        if match and match.end() > position:
            position = match.end()
            if position > _PROLOG_LIMIT:
                return True
            continue
        rest = buffer[position:]
        if rest.startswith((b"<?", b"<!--")) and len(rest) < _PROLOG_LIMIT:
            chunk = stream.read(65536)
            if not chunk:
                return False
            buffer = rest + chunk
            position = 0
            continue
        return bool(_XML_DANGER.match(rest[:16]))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Map sheet names to their worksheet part paths inside the zip."""
    from defusedxml import ElementTree as SafeET

    try:
        workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception as exc:  # malformed XML of any kind: report, never crash
        raise LoadError([Problem(name, f"not a valid .xlsx workbook: {exc}")]) from exc
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = path
    parts = {}
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in targets:
                parts[element.get("name", "")] = targets[rel_id]
    return parts


def _cell_position(ref: str) -> tuple[int, int]:
    match = re.match(r"([A-Z]+)(\d+)", ref)
    if not match:
        return (1, 0)
    column = 0
    for char in match.group(1):
        column = column * 26 + ord(char) - 64
    return int(match.group(2)), column - 1


def _iter_cells(archive: zipfile.ZipFile, part: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (cell ref, {child tag: text}) for every cell of a worksheet part, streaming."""
    from defusedxml.ElementTree import iterparse

    with archive.open(part) as stream:
        for _, element in iterparse(stream, events=("end",)):
            if _local(element.tag) == "c":
                children = {_local(child.tag): (child.text or "") for child in element}
                yield element.get("r", ""), children
                element.clear()


def _first_cell(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """Row number and column index where calamine's range starts (its first valued cell)."""
    rows: list[tuple[int, int]] = []
    try:
        for ref, children in _iter_cells(archive, part):
            if "v" in children or "is" in children:
                rows.append(_cell_position(ref))
                if len({row for row, _ in rows}) > 50 or len(rows) > 2000:
                    break
    except Exception:  # the workbook reader reports malformed sheets itself
        return (1, 0)
    if not rows:
        return (1, 0)
    return min(row for row, _ in rows), min(column for _, column in rows)


def _formula_cells(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], tuple[str, bool]]:
    """Cells holding formulas: {(row, column): (formula, has a saved value)}."""
    with archive.open(part) as stream:
        found = False
        tail = b""
        while chunk := stream.read(2**20):
            if _FORMULA_TAG.search(tail + chunk):
                found = True
                break
            tail = chunk[-16:]
    if not found:
        return {}
    cells = {}
    for ref, children in _iter_cells(archive, part):
        if "f" in children:
            cells[_cell_position(ref)] = ("=" + children["f"], bool(children.get("v")))
    return cells


def _read_workbook(
    path: Path,
    name: str,
    *,
    formulas: dict[str, dict[tuple[int, int], tuple[str, bool]]],
    offsets: dict[str, tuple[int, int]],
) -> list[RawSheet]:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        sheet_names = list(reader.sheet_names)
    except Exception as exc:
        raise LoadError(
            [Problem(name, f"not a readable workbook: the file is truncated or corrupt ({exc})")]
        ) from exc
    sheets = []
    for sheet_name in sheet_names:
        try:
            batch = reader.load_sheet(sheet_name, header_row=None, dtypes="string").to_arrow()
        except Exception as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "empty" in message.lower() or "no rows" in message.lower():
                continue
            raise LoadError(
                [Problem(name, f"the sheet could not be read ({message})", sheet=sheet_name)]
            ) from exc
        if batch.num_columns == 0:
            continue
        table = pa.Table.from_batches([batch])
        table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
        first_row, first_column = offsets.get(sheet_name) or _calamine_start(path, sheet_name)
        sheets.append(
            RawSheet(
                file=name,
                sheet=sheet_name,
                table=table,
                first_row=first_row,
                first_column=first_column,
                formulas=formulas.get(sheet_name, {}),
            )
        )
    return sheets


def _calamine_start(path: Path, sheet_name: str) -> tuple[int, int]:
    """Where a legacy (.xls/.ods) sheet's range starts, as (row number, column index)."""
    import python_calamine

    try:
        start = (
            python_calamine.CalamineWorkbook.from_path(str(path))
            .get_sheet_by_name(sheet_name)
            .start
        )
    except Exception:
        return (1, 0)
    return (start[0] + 1, start[1]) if start else (1, 0)


# ---------------------------------------------------------------------------------------------
# CSV and parquet


def _decode_problem(name: str, data: bytes, error: UnicodeDecodeError, encoding: str) -> Problem:
    """Locate an undecodable byte as a row and column of the CSV."""
    before = data[: error.start]
    row = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    line_end = data.find(b"\n", error.start)
    line = data[line_start : line_end if line_end >= 0 else len(data)]
    prefix = data[line_start : error.start].decode("utf-8", errors="replace")
    delimiter = _sniff_delimiter(data[:65536].decode("utf-8", errors="replace"))
    column_index = len(next(csv.reader([prefix], delimiter=delimiter), [""])) - 1
    header = next(
        csv.reader([data[: data.find(b"\n")].decode("utf-8", "replace")], delimiter=delimiter), []
    )
    column = (
        header[column_index].strip() if 0 <= column_index < len(header) else f"#{column_index + 1}"
    )
    guess = line.decode("cp1252", errors="replace").strip()
    return Problem(
        name,
        f"byte 0x{data[error.start]:02X} is not valid {encoding.upper()}; the file looks Windows-1252 "
        f"encoded (the line reads {guess[:80]!r}). Save it as CSV UTF-8, or load it with "
        "--encoding cp1252",
        row=row,
        column=column,
    )


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 20)[0] if sample else ",", ",;\t|").delimiter
    except csv.Error:
        return ","


def _has_text_beyond(path: Path, offset: int) -> bool:
    """Whether a file holds anything but white space after ``offset``."""
    with path.open("rb") as handle:
        handle.seek(offset)
        while chunk := handle.read(2**20):
            if chunk.strip():
                return True
    return False


def utf8_problem(path: Path, name: str) -> LoadError | None:
    """Where a file stops being valid UTF-8, as a LoadError; None when it is valid."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return LoadError([_decode_problem(name, data, exc, "utf-8")])
    return None


def _read_csv(path: Path, name: str, encoding: str | None) -> RawSheet:
    with path.open("rb") as stream:
        head = stream.read(2**20)
    chosen = (encoding or "").lower() or None
    if chosen is not None and chosen not in _ENCODINGS:
        try:
            codecs.lookup(chosen)
        except LookupError as exc:
            raise LoadError([Problem(name, f"unknown text encoding '{encoding}'")]) from exc
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        chosen = "utf-16"
    source: Path = path
    temporary: Path | None = None
    if chosen in (None, "utf-8", "utf-8-sig"):
        # DuckDB checks UTF-8 as it reads the whole file (see csv_error); only the head is
        # checked here, without reading a large file into memory.
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.end < len(head) - 4:  # not just a character cut at the end of the head
                raise utf8_problem(path, name) or LoadError([Problem(name, str(exc))]) from exc
        if not re.search(rb"[^\xef\xbb\xbf\s]", head) and not _has_text_beyond(path, len(head)):
            raise LoadError([Problem(name, "the file holds no rows (only white space)")])
    else:
        data = path.read_bytes()
        try:
            text = data.decode(chosen)
        except UnicodeDecodeError as exc:
            raise LoadError([_decode_problem(name, data, exc, chosen)]) from exc
        handle, temp_name = tempfile.mkstemp(suffix=".csv", prefix="exposure-")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        temporary = source = Path(temp_name)
        if not text.strip():
            temporary.unlink(missing_ok=True)
            raise LoadError([Problem(name, "the file holds no rows (only white space)")])
        del data, text
    csv_sql = (
        f"read_csv({sql_literal(str(source))}, header = false, all_varchar = true, "
        "null_padding = true, strict_mode = false, skip = 0, sample_size = 20480)"
    )
    con = duckdb.connect()
    try:
        # A preview for header matching; the warehouse reads the whole file itself, straight
        # into DuckDB, which is much faster than going through Arrow.
        table = con.sql(f"SELECT * FROM {csv_sql} LIMIT {CSV_PREVIEW_ROWS}").to_arrow_table()
    except duckdb.Error as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise csv_error(name, exc, path) from exc
    finally:
        con.close()
    table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
    return RawSheet(
        file=name,
        sheet=None,
        table=table,
        encoding=chosen or "utf-8",
        csv_sql=csv_sql,
        csv_path=source if temporary is None else path,
        cleanup=temporary,
    )


def csv_error(name: str, exc: duckdb.Error, path: Path | None = None) -> LoadError:
    """A DuckDB CSV parsing error as a LoadError naming the file and line.

    An encoding error is located exactly (row and column of the first bad byte) from ``path``.
    """
    if path is not None and "invalid unicode" in str(exc).lower():
        located = utf8_problem(path, name)
        if located is not None:
            return located
    message = str(exc).split("\n")[0]
    line = re.search(r"line (\d+)", str(exc), re.IGNORECASE)
    return LoadError(
        [
            Problem(
                name,
                f"not a readable CSV file ({message})",
                row=int(line.group(1)) if line else None,
            )
        ]
    )


def _read_parquet(path: Path, name: str) -> RawSheet:
    con = duckdb.connect()
    try:
        relation = con.sql(f"SELECT * FROM read_parquet({sql_literal(str(path))})")
        columns = list(relation.columns)
        casts = ", ".join(f"CAST({sql_identifier(c)} AS VARCHAR)" for c in columns)
        table = con.sql(
            f"SELECT {casts} FROM read_parquet({sql_literal(str(path))})"
        ).to_arrow_table()
    except duckdb.Error as exc:
        raise LoadError(
            [Problem(name, f"not a readable parquet file ({str(exc).splitlines()[0]})")]
        ) from exc
    finally:
        con.close()
    header = pa.table(
        {f"c{i}": pa.array([column], pa.string()) for i, column in enumerate(columns)}
    )
    table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
    return RawSheet(file=name, sheet=None, table=pa.concat_tables([header, table]), first_row=1)
