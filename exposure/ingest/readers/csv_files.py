"""Read a CSV file strictly, in a dialect sniffed once, as DuckDB will read it whole.

CSV must be UTF-8 unless an encoding is given (a BOM is fine; UTF-16 with a BOM is recognised);
other encodings are decoded into a temporary UTF-8 copy. The dialect (delimiter, quote, escape;
no comment character, so a leading ``#`` is data) is sniffed once. A row with more fields than
the header, or a quote left open, is an error naming its row; shorter rows are padded. Lines
ending in both CRLF and LF, and empty lines inside the data, are fixed in a temporary copy so
that row numbers match a spreadsheet's (see :mod:`exposure.ingest.readers.csv_layout`).

Only the first rows are read here, to find the header; ``RawSheet.source_sql`` is the DuckDB
``read_csv(...)`` call with which the warehouse reads the whole file.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

import duckdb

from exposure.core.errors import LoadError, Problem
from exposure.core.sql import sql_literal
from exposure.ingest.readers.csv_dialect import leading_width, sniff_dialect, unclosed_quote
from exposure.ingest.readers.csv_errors import csv_error, decode_problem, utf8_problem
from exposure.ingest.readers.csv_layout import (
    fill_empty_lines,
    has_text_beyond,
    lf_copy,
    scan_layout,
)
from exposure.ingest.readers.paths import needs_alias, plain_alias, temporary_csv
from exposure.ingest.readers.sheets import RawSheet

__all__ = ["CSV_PREVIEW_ROWS", "read_csv"]

CSV_PREVIEW_ROWS = 1000
_ENCODINGS = {"utf-8", "utf-8-sig", "cp1252", "latin-1", "iso-8859-1", "utf-16", "mac-roman"}


def _check_text_codec(chosen: str, given: str, name: str) -> None:
    """Refuse an unknown encoding, or a codec that is not a text encoding (rot13, base64...)."""
    try:
        info = codecs.lookup(chosen)
    except LookupError as exc:
        raise LoadError([Problem(name, f"unknown text encoding '{given}'")]) from exc
    # Codecs such as rot13 and base64 transform bytes or text; bytes.decode refuses them.
    if not getattr(info, "_is_text_encoding", True):
        raise LoadError(
            [
                Problem(
                    name,
                    f"'{given}' is not a text encoding; give the file's character encoding, "
                    "such as utf-8, cp1252 or utf-16",
                )
            ]
        )


def _refuse_nul(path: Path, name: str) -> None:
    """Refuse a file holding a NUL byte: binary, or UTF-16/32 text without a byte order mark.

    The file is scanned in chunks; the row is counted up to the first NUL.
    """
    rows = 0
    with path.open("rb") as stream:
        while chunk := stream.read(2**22):
            found = chunk.find(b"\x00")
            if found < 0:
                rows += chunk.count(b"\n")
                continue
            rows += chunk.count(b"\n", 0, found)
            raise LoadError(
                [
                    Problem(
                        name,
                        "the file holds NUL bytes, which text never does: it is binary data, or "
                        "UTF-16/UTF-32 text without a byte order mark. Save it as CSV UTF-8, or "
                        "give its encoding (--encoding utf-16-le)",
                        row=rows + 1,
                    )
                ]
            )


def read_csv(path: Path, name: str, encoding: str | None) -> RawSheet:
    """Read a CSV file's first rows, with the SQL that reads it whole (see the module).

    Raises:
        LoadError: an unknown or wrong encoding, no rows, a quote never closed, or a row
            DuckDB cannot parse, named by its row.
    """
    with path.open("rb") as stream:
        head = stream.read(2**20)
    chosen = (encoding or "").lower() or None
    if chosen is not None:
        _check_text_codec(chosen, encoding or chosen, name)
    elif head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        # Before UTF-16: a UTF-32 little-endian BOM begins with the UTF-16 one.
        chosen = "utf-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        chosen = "utf-16"
    source: Path = path
    temporary: Path | None = None
    if chosen in (None, "utf-8", "utf-8-sig"):
        # DuckDB checks UTF-8 as it reads the whole file (see csv_error); only the head is
        # checked here, without reading a large file into memory.
        _refuse_nul(path, name)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.end < len(head) - 4:  # not just a character cut at the end of the head
                raise utf8_problem(path, name) or LoadError([Problem(name, str(exc))]) from exc
        if not re.search(rb"[^\xef\xbb\xbf\s]", head) and not has_text_beyond(path, len(head)):
            raise LoadError([Problem(name, "the file holds no rows (only white space)")])
    else:
        data = path.read_bytes()
        try:
            text = data.decode(chosen)
        except UnicodeDecodeError as exc:
            raise LoadError([decode_problem(name, data, exc, chosen)]) from exc
        if "\x00" in text:
            row = text.count("\n", 0, text.index("\x00")) + 1
            raise LoadError(
                [
                    Problem(
                        name,
                        f"read as {chosen.upper()}, the file holds NUL characters: it is binary, "
                        "or its text encoding is another one; check --encoding",
                        row=row,
                    )
                ]
            )
        handle, temporary = temporary_csv()
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        source = temporary
        if not text.strip():
            temporary.unlink(missing_ok=True)
            raise LoadError([Problem(name, "the file holds no rows (only white space)")])
        del data, text
    con = duckdb.connect()
    try:
        layout = scan_layout(source)
        if layout.mixed_line_ends:
            # DuckDB's strict reader wants one kind of line end throughout.
            copy = lf_copy(source)
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            temporary = source = copy
        elif temporary is None and needs_alias(source):
            temporary = source = plain_alias(source, ".csv")
        dialect = sniff_dialect(con, source, head)
        if layout.inner_empty_line:
            copy = fill_empty_lines(source, dialect, layout.quoted_newline)
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            temporary = source = copy
        width = max(leading_width(source, dialect), 1)
        columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(width))
        # Strict: a row with more fields than the header is an error naming its line, and so
        # is a quote left open; shorter rows are padded with NULLs. The parallel reader cannot
        # pad rows when a quoted value spans lines, so such files are read in one thread.
        parallel = not layout.quoted_newline and dialect.quote == '"'
        unclosed = None if parallel else unclosed_quote(source, dialect)
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
        source_sql = (
            f"read_csv({sql_literal(str(source.absolute()))}, auto_detect = false, "
            f"header = false, delim = {sql_literal(dialect.delimiter)}, "
            f"quote = {sql_literal(dialect.quote)}, escape = {sql_literal(dialect.escape)}, "
            f"comment = '', skip = 0, columns = {{{columns}}}, null_padding = true, "
            f"strict_mode = true, parallel = {str(parallel).lower()})"
        )
        # A preview for header matching; the warehouse reads the whole file itself, straight
        # into DuckDB, which is much faster than going through Arrow.
        table = con.sql(f"SELECT * FROM {source_sql} LIMIT {CSV_PREVIEW_ROWS}").to_arrow_table()
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
        source_sql=source_sql,
        csv_path=path,
        cleanup=temporary,
    )
