"""Read uploaded files into raw tables of text, safely.

Every reader returns :class:`RawSheet` objects: the cells of one sheet as strings, exactly as
a person sees them, before any header matching or validation. Nothing here executes or
unpickles anything: spreadsheets are read by calamine (via fastexcel), CSV and parquet by
DuckDB. Before a zip-based workbook (.xlsx, .xlsm, .ods, .xlsb) is opened its container is
checked (size, compression ratio) and every XML part is refused if it declares a DTD or
entities, which is how "billion laughs" entity-expansion payloads work (see
:mod:`exposure.xlsx_safety`).

Hidden and very hidden sheets of a workbook (drop-down lists, lookups, scratch work) are not
data: :func:`read_file` does not return them.

CSV is read strictly, in a dialect sniffed once (delimiter, quote, escape; no comment
character, so a leading ``#`` is data): a row with more fields than the header, or a quote
left open, is an error naming its row; shorter rows are padded. DuckDB treats ``*``, ``?`` and
``[...]`` in a path as a glob, so a file whose name holds them is read through a link with a
plain name in the temporary directory (``RawSheet.cleanup``); so are parquet files.

Limits come from :class:`ReadLimits`; the environment variable ``EXPOSURE_MAX_FILE_MB``
changes the default file size limit.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import logging
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from exposure.errors import LoadError, Problem
from exposure.sql import sql_identifier, sql_literal
from exposure.xlsx_safety import check_zip, first_cell, formula_cells, sheet_parts

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

CSV_PREVIEW_ROWS = 1000
# Characters that make DuckDB read a path as a glob pattern (braces are kept out for safety).
_GLOB_CHARS = re.compile(r"[*?\[\]{}]")
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
    DuckDB ``read_csv(...)`` call that reads the whole file, ``csv_path`` the file itself (to
    locate encoding errors), and ``cleanup`` a temporary file (a re-encoded copy, or a link
    with a name DuckDB cannot take for a glob) to delete once the load is over.
    """

    file: str
    sheet: str | None
    table: pa.Table
    first_row: int = 1
    first_column: int = 0
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
    if suffix in (".ods", ".xlsb"):
        # Zip containers too, but not .xlsx: no xl/workbook.xml, no worksheet XML to scan.
        if not magic.startswith(b"PK"):
            raise LoadError(
                [Problem(name, f"not a valid {suffix} workbook (it is not a zip container)")]
            )
        return _read_container(path, name, limits, suffix)
    if magic.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if not magic.startswith(b"PK"):
            raise LoadError(
                [Problem(name, "not a valid .xlsx workbook (it is not a zip container)")]
            )
        return _read_xlsx(path, name, limits)
    if magic.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        return _read_workbook(path, name, formulas={}, offsets={})
    if magic.startswith(b"PAR1") or suffix in PARQUET_SUFFIXES:
        return [_read_parquet(path, name)]
    if suffix in CSV_SUFFIXES or suffix == "":
        return [_read_csv(path, name, encoding)]
    raise LoadError(
        [
            Problem(
                name,
                f"unsupported file type '{suffix}': expected .xlsx, .xls, .ods, .csv or .parquet",
            )
        ]
    )


def _human(size: float) -> str:
    """A byte count for people.

    >>> _human(512), _human(1536), _human(3 * 2**30)
    ('512 bytes', '1.5 KB', '3.0 GB')
    """
    units = ("bytes", "KB", "MB", "GB")
    index = 0
    while size >= 1024 and index < len(units) - 1:
        size /= 1024
        index += 1
    return f"{size:.0f} bytes" if index == 0 else f"{size:.1f} {units[index]}"


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


def _open_zip(path: Path, name: str, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(
            [
                Problem(
                    name,
                    f"not a readable {kind} workbook: the file is truncated or corrupt ({exc})",
                )
            ]
        ) from exc


def _read_xlsx(path: Path, name: str, limits: ReadLimits) -> list[RawSheet]:
    with _open_zip(path, name, ".xlsx") as archive:
        check_zip(archive, name, limits)
        parts = sheet_parts(archive, name)
        formulas: dict[str, dict[tuple[int, int], tuple[str, bool]]] = {}
        offsets: dict[str, tuple[int, int]] = {}
        for sheet_name, part in parts.items():
            try:
                offsets[sheet_name] = first_cell(archive, part)
                formulas[sheet_name] = formula_cells(archive, part)
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


def _read_container(path: Path, name: str, limits: ReadLimits, kind: str) -> list[RawSheet]:
    """An .ods or .xlsb workbook: the zip checks of .xlsx, then calamine reads it."""
    with _open_zip(path, name, kind) as archive:
        check_zip(archive, name, limits, kind=kind, required_part=None)
    return _read_workbook(path, name, formulas={}, offsets={})


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
            sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string")
            if str(getattr(sheet, "visible", "visible")).lower() != "visible":
                logger.info("%s: hidden sheet '%s' is not read", name, sheet_name)
                continue
            batch = sheet.to_arrow()
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


_DELIMITERS = ",;\t|"


def _split_fields(line: str, delimiter: str, quote: str = '"') -> list[str]:
    """The fields of one CSV line, quotes respected (and dropped), white space trimmed.

    >>> _split_fields('a,"b, c",d', ",")
    ['a', 'b, c', 'd']
    """
    fields: list[str] = []
    current: list[str] = []
    quoted = False
    for char in line:
        if char == quote:
            quoted = not quoted
        elif char == delimiter and not quoted:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    fields.append("".join(current).strip())
    return fields


def _guess_delimiter(line: str) -> str:
    """The candidate delimiter splitting a header line into the most fields, else a comma.

    >>> _guess_delimiter("buyer;supplier;notes"), _guess_delimiter("name")
    (';', ',')
    """
    counts = {delimiter: len(_split_fields(line, delimiter)) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 1 else ","


def _looks_binary(sample: bytes) -> bool:
    """Whether bytes are no text at all: a NUL, or many control characters."""
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls > len(sample) // 20


def _decode_problem(name: str, data: bytes, error: UnicodeDecodeError, encoding: str) -> Problem:
    """Locate an undecodable byte as a row and column of the CSV. Never raises."""
    try:
        return _locate_bad_byte(name, data, error, encoding)
    except Exception:  # a report about a broken file must not break in turn
        logger.debug("could not locate the bad byte of %s", name, exc_info=True)
        return Problem(
            name, f"the file is not valid {encoding.upper()} text (at byte {error.start + 1})"
        )


def _locate_bad_byte(name: str, data: bytes, error: UnicodeDecodeError, encoding: str) -> Problem:
    if _looks_binary(data[:4096]):
        return Problem(
            name,
            "this is not a text (CSV) file: it holds binary data. Save the sheet as CSV UTF-8 "
            "or as an .xlsx workbook",
        )
    before = data[: error.start]
    row = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    line_end = data.find(b"\n", error.start)
    line = data[line_start : line_end if line_end >= 0 else len(data)]
    header_end = data.find(b"\n")
    header_bytes = data[: header_end if header_end >= 0 else len(data)]
    # The bad byte may be in the header itself: show it as the likely Windows-1252 text then.
    header_line = header_bytes.decode("utf-8" if row > 1 else "cp1252", "replace")
    header_line = header_line.lstrip("\ufeff").rstrip("\r")
    delimiter = _guess_delimiter(header_line)
    prefix = data[line_start : error.start].decode("utf-8", "replace")
    index = len(_split_fields(prefix, delimiter)) - 1
    header = _split_fields(header_line, delimiter)
    column = header[index] if index < len(header) and header[index] else f"#{index + 1}"
    guess = line.decode("cp1252", errors="replace").strip()
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        message = (
            f"byte 0x{data[error.start]:02X} is not valid {encoding.upper()}; the file looks "
            f"Windows-1252 encoded (the line reads {guess[:80]!r}). Save it as CSV UTF-8, or load "
            "it with --encoding cp1252"
        )
    else:
        message = (
            f"byte 0x{data[error.start]:02X} is not valid {encoding.upper()}; check the file's "
            "text encoding (--encoding)"
        )
    return Problem(name, message, row=row, column=column)


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


@dataclass
class _Layout:
    """How a CSV file's lines end, and whether a quoted value may span lines."""

    cr: int = 0  # carriage returns, and line feeds, in the parts of the file holding a CR
    lf: int = 0
    bare_lf: bool = False  # a line feed in a part of the file holding no CR
    quoted_newline: bool = False
    # An empty line with text after it: DuckDB skips empty lines, a spreadsheet counts them.
    inner_empty_line: bool = False

    @property
    def mixed_line_ends(self) -> bool:
        """Some lines end CRLF and others LF (a stray CR in a value may look the same)."""
        return self.cr > 0 and (self.bare_lf or self.cr < self.lf)


def _scan_layout(path: Path) -> _Layout:
    """Look at line ends, and for a line with an odd number of double quotes.

    Such a line opens a quoted value that runs on into the next line (or has a stray quote).
    Byte searches and counts run at C speed; lines are only split in chunks holding a quote.
    """
    layout = _Layout()
    partial = b""  # the unfinished last line of the previous chunk, while quotes are scanned
    previous = b"\n"  # the end of the previous chunk (a file starts as if after a line end)
    empty_at: int | None = None
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(2**22):
            if empty_at is None:
                found = _EMPTY_LINE.search(previous + chunk)
                if found is not None:
                    empty_at = offset - len(previous) + found.end()
            previous = chunk[-2:]
            offset += len(chunk)
            if b"\r" in chunk:
                layout.cr += chunk.count(b"\r")
                layout.lf += chunk.count(b"\n")
            elif not layout.bare_lf:
                layout.bare_lf = b"\n" in chunk
            if layout.quoted_newline or not (partial or b'"' in chunk):
                continue
            lines = (partial + chunk).split(b"\n")
            partial = lines.pop()
            if any(line.count(b'"') % 2 for line in lines) or len(partial) > 2**24:
                layout.quoted_newline = True
                partial = b""
    layout.inner_empty_line = empty_at is not None and _has_text_beyond(path, empty_at)
    return layout


_EMPTY_LINE = re.compile(rb"\n\r?\n")


def _blank_records(source: Path, dialect: _Dialect) -> set[int]:
    """Physical line numbers (1-based) of the empty records of a CSV with quoted line breaks.

    An empty line inside a quoted value is part of that value, not a record.
    """
    blank: set[int] = set()
    with source.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, **_csv_reader_options(dialect))
        try:
            for record in reader:
                if not record:
                    blank.add(reader.line_num)
        except csv.Error:  # the strict read that follows reports it, with its row
            pass
    return blank


def _fill_empty_lines(source: Path, dialect: _Dialect, quoted_newline: bool) -> Path:
    """A temporary copy whose empty records hold one delimiter, so that DuckDB counts them.

    Row numbers then match what a spreadsheet program shows, blank rows included (they are
    still left out of the data as blank rows).
    """
    blank = _blank_records(source, dialect) if quoted_newline else None
    handle, target = _temporary_csv()
    filler = dialect.delimiter.encode("utf-8")
    with os.fdopen(handle, "wb") as out, source.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            body = line.rstrip(b"\r\n")
            if not body and (blank is None or number in blank):
                out.write(filler + line[len(body) :])
            else:
                out.write(line)
    return target


def _temporary_csv() -> tuple[int, Path]:
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="exposure-")
    return handle, Path(name)


def _lf_copy(source: Path) -> Path:
    """A temporary copy of a file with CRLF line ends made LF, so that all lines end alike."""
    handle, target = _temporary_csv()
    with os.fdopen(handle, "wb") as out, source.open("rb") as stream:
        carry = b""
        while chunk := stream.read(2**22):
            chunk = carry + chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""
            out.write(chunk[: len(chunk) - len(carry)].replace(b"\r\n", b"\n"))
        out.write(carry)
    return target


def _plain_alias(path: Path, suffix: str) -> Path:
    """A link to ``path`` whose name DuckDB reads literally (no glob characters).

    A symbolic link in the temporary directory; where links cannot be made, a copy.
    """
    target = path.resolve()
    directory = Path(tempfile.gettempdir())
    for _ in range(16):
        alias = directory / f"exposure-{secrets.token_hex(8)}{suffix}"
        try:
            alias.symlink_to(target)
        except FileExistsError:
            continue
        except OSError:
            break
        return alias
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="exposure-")
    with os.fdopen(handle, "wb") as out, target.open("rb") as stream:
        shutil.copyfileobj(stream, out)
    return Path(name)


def _needs_alias(path: Path) -> bool:
    return bool(_GLOB_CHARS.search(str(path.resolve())))


@dataclass(frozen=True)
class _Dialect:
    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'


def _sniff_dialect(con: duckdb.DuckDBPyConnection, source: Path, head: bytes) -> _Dialect:
    """Delimiter, quote and escape characters, as DuckDB's sniffer sees them.

    No quote seen in the sample means the double quote (a later quoted value is then read
    right); no escape means doubling the quote, as RFC 4180 has it.
    """
    try:
        found = con.execute(
            f"SELECT Delimiter, Quote, Escape FROM sniff_csv({sql_literal(str(source))}, "
            "header = false, all_varchar = true, null_padding = true, strict_mode = false, "
            "comment = '', sample_size = 20480)"
        ).fetchall()
    except duckdb.Error:
        found = []
    if not found:
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
        return _Dialect(delimiter=_guess_delimiter(first))
    delimiter, quote, escape = (None if v in (None, "", "(empty)") else str(v) for v in found[0])
    quote = quote or '"'
    return _Dialect(delimiter=delimiter or ",", quote=quote, escape=escape or quote)


def _leading_width(source: Path, dialect: _Dialect, rows: int = 10) -> int:
    """The most fields in the first non-blank rows, where the header row is (see ingest).

    A later row with more fields than this is an error (a value holding the delimiter was not
    quoted), not silently cut short.
    """
    width = 0
    try:
        with source.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle, **_csv_reader_options(dialect))
            seen = 0
            for record in reader:
                if not record:
                    continue
                width = max(width, len(record))
                seen += 1
                if seen >= rows:
                    break
    except (csv.Error, TypeError, ValueError):  # an odd dialect or a huge field: stop there
        pass
    return width


def _csv_reader_options(dialect: _Dialect) -> dict[str, Any]:
    """Python csv module options matching a DuckDB dialect."""
    return {
        "delimiter": dialect.delimiter,
        "quotechar": dialect.quote,
        "doublequote": dialect.escape == dialect.quote,
        "escapechar": None if dialect.escape == dialect.quote else dialect.escape,
    }


def _unclosed_quote(source: Path, dialect: _Dialect) -> tuple[int, str] | None:
    """The row (as a spreadsheet shows it) and line of a quoted value never closed, if any.

    DuckDB's single-threaded reader silently drops such a value and every line after it, so
    files read that way are parsed once with Python's csv module, which notices.
    """
    rows = lines = 0
    try:
        with source.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle, strict=True, **_csv_reader_options(dialect))
            for _ in reader:
                rows += 1
                lines = reader.line_num
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return None  # another fault, which DuckDB reports itself, with its row
        with source.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            text = next(itertools.islice(handle, lines, None), "")
        return rows + 1, text.rstrip("\r\n")
    except (TypeError, ValueError):  # an odd dialect
        return None
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
        handle, temporary = _temporary_csv()
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        source = temporary
        if not text.strip():
            temporary.unlink(missing_ok=True)
            raise LoadError([Problem(name, "the file holds no rows (only white space)")])
        del data, text
    con = duckdb.connect()
    try:
        layout = _scan_layout(source)
        if layout.mixed_line_ends:
            # DuckDB's strict reader wants one kind of line end throughout.
            copy = _lf_copy(source)
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            temporary = source = copy
        elif temporary is None and _needs_alias(source):
            temporary = source = _plain_alias(source, ".csv")
        dialect = _sniff_dialect(con, source, head)
        if layout.inner_empty_line:
            copy = _fill_empty_lines(source, dialect, layout.quoted_newline)
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            temporary = source = copy
        width = max(_leading_width(source, dialect), 1)
        columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(width))
        # Strict: a row with more fields than the header is an error naming its line, and so
        # is a quote left open; shorter rows are padded with NULLs. The parallel reader cannot
        # pad rows when a quoted value spans lines, so such files are read in one thread.
        parallel = not layout.quoted_newline and dialect.quote == '"'
        unclosed = None if parallel else _unclosed_quote(source, dialect)
        if unclosed is not None:
            row, line = unclosed
            raise LoadError(
                [
                    Problem(
                        name,
                        "a quoted value starting on this row is never closed, so the rest of the "
                        "file would be read as one value; close the quote, or remove it",
                        row=row,
                        value=line,
                    )
                ]
            )
        csv_sql = (
            f"read_csv({sql_literal(str(source.absolute()))}, auto_detect = false, "
            f"header = false, delim = {sql_literal(dialect.delimiter)}, "
            f"quote = {sql_literal(dialect.quote)}, escape = {sql_literal(dialect.escape)}, "
            f"comment = '', skip = 0, columns = {{{columns}}}, null_padding = true, "
            f"strict_mode = true, parallel = {str(parallel).lower()})"
        )
        # A preview for header matching; the warehouse reads the whole file itself, straight
        # into DuckDB, which is much faster than going through Arrow.
        table = con.sql(f"SELECT * FROM {csv_sql} LIMIT {CSV_PREVIEW_ROWS}").to_arrow_table()
    except duckdb.Error as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise csv_error(name, exc, path) from exc
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
    return RawSheet(
        file=name,
        sheet=None,
        table=table,
        encoding=chosen or "utf-8",
        csv_sql=csv_sql,
        csv_path=path,
        cleanup=temporary,
    )


def csv_error(name: str, exc: duckdb.Error, path: Path | None = None) -> LoadError:
    """A DuckDB CSV parsing error as a LoadError naming the file and row.

    An encoding error is located exactly (row and column of the first bad byte) from ``path``.
    DuckDB counts rows as a spreadsheet program does (the header is row 1; a quoted value
    spanning lines is one row).
    """
    text = str(exc)
    if path is not None and "invalid unicode" in text.lower():
        located = utf8_problem(path, name)
        if located is not None:
            return located
    line = re.search(r"\bline:?\s*(\d+)", text, re.IGNORECASE)
    original = re.search(r"^Original Line: (.*)$", text, re.MULTILINE)
    widths = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if widths:
        message = (
            f"this row has {widths.group(2)} fields but the header row has {widths.group(1)}: "
            "a value holding the delimiter (such as 1,000) must be quoted"
        )
    elif "unterminated quote" in text.lower():
        message = "a quoted value is not closed, or has text after its closing quote"
    else:
        message = (
            f"not a readable CSV file ({text.splitlines()[0] if text else type(exc).__name__})"
        )
    return LoadError(
        [
            Problem(
                name,
                message,
                row=int(line.group(1)) if line else None,
                value=original.group(1) if original and (widths or "quote" in message) else None,
            )
        ]
    )


def _read_parquet(path: Path, name: str) -> RawSheet:
    alias = _plain_alias(path, ".parquet") if _needs_alias(path) else None
    source = alias or path.resolve()
    con = duckdb.connect()
    try:
        relation = con.sql(f"SELECT * FROM read_parquet({sql_literal(str(source))})")
        columns = list(relation.columns)
        casts = ", ".join(f"CAST({sql_identifier(c)} AS VARCHAR)" for c in columns)
        table = con.sql(
            f"SELECT {casts} FROM read_parquet({sql_literal(str(source))})"
        ).to_arrow_table()
    except duckdb.Error as exc:
        raise LoadError(
            [Problem(name, f"not a readable parquet file ({str(exc).splitlines()[0]})")]
        ) from exc
    finally:
        con.close()
        if alias is not None:
            alias.unlink(missing_ok=True)
    header = pa.table(
        {f"c{i}": pa.array([column], pa.string()) for i, column in enumerate(columns)}
    )
    table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
    return RawSheet(file=name, sheet=None, table=pa.concat_tables([header, table]), first_row=1)
