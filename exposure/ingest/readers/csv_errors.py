"""CSV reading errors located as a person sees them: file, row, column, and what to do.

An undecodable byte is located exactly (row and column of the first bad byte, with the line as
Windows-1252 would read it); DuckDB's parsing errors are turned into a :class:`LoadError`
naming the row, with a hint for the usual causes (an unquoted value holding the delimiter, a
quote left open).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb

from exposure.core.errors import LoadError, Problem
from exposure.ingest.readers.csv_dialect import guess_delimiter, split_fields

__all__ = ["csv_error", "decode_problem", "utf8_problem"]

logger = logging.getLogger(__name__)


def _looks_binary(sample: bytes) -> bool:
    """Whether bytes are no text at all: a NUL, or many control characters.

    >>> _looks_binary(b"name,uei\\n"), _looks_binary(b"PK\\x03\\x04\\x00")
    (False, True)
    """
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls > len(sample) // 20


def decode_problem(name: str, data: bytes, error: UnicodeDecodeError, encoding: str) -> Problem:
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
    delimiter = guess_delimiter(header_line)
    prefix = data[line_start : error.start].decode("utf-8", "replace")
    index = len(split_fields(prefix, delimiter)) - 1
    header = split_fields(header_line, delimiter)
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


def utf8_problem(path: Path, name: str) -> LoadError | None:
    """Where a file stops being valid UTF-8, as a LoadError; None when it is valid."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return LoadError([decode_problem(name, data, exc, "utf-8")])
    return None


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
    elif "maximum line size" in text.lower() or (original and len(original.group(1)) > 2**20):
        message = (
            "this row is longer than a CSV row may be (2 MB): a quote left open earlier, or "
            "a value that does not belong in a vendor list"
        )
    else:
        # DuckDB's own words are for developers: logged, never shown.
        logger.info("CSV error in %s: %s", name, text)
        message = "this row could not be read as CSV: check its quoting and its number of fields"
    return LoadError(
        [
            Problem(
                name,
                message,
                row=int(line.group(1)) if line else None,
                value=original.group(1)[:120]
                if original and (widths or "quote" in message)
                else None,
            )
        ]
    )
