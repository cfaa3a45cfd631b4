"""How a CSV file is written: its delimiter, quote and escape characters, and its width.

The dialect is sniffed once by DuckDB (no comment character, so a leading ``#`` is data); the
Python csv module, set up the same way, finds the header's width and a quote left open, which
DuckDB's single-threaded reader would silently swallow.
"""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from exposure.core.sql import sql_literal

__all__ = [
    "Dialect",
    "clearly_quotes",
    "csv_reader_options",
    "guess_delimiter",
    "leading_width",
    "sniff_dialect",
    "split_fields",
    "unclosed_quote",
]

_DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class Dialect:
    """The delimiter, quote and escape characters of a CSV file, as DuckDB names them."""

    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'


def split_fields(line: str, delimiter: str, quote: str = '"') -> list[str]:
    """The fields of one CSV line, quotes respected (and dropped), white space trimmed.

    >>> split_fields('a,"b, c",d', ",")
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


def guess_delimiter(line: str) -> str:
    """The candidate delimiter splitting a header line into the most fields, else a comma.

    >>> guess_delimiter("buyer;supplier;notes"), guess_delimiter("name")
    (';', ',')
    """
    counts = {delimiter: len(split_fields(line, delimiter)) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 1 else ","


def sniff_dialect(con: duckdb.DuckDBPyConnection, source: Path, head: bytes) -> Dialect:
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
        return Dialect(delimiter=guess_delimiter(first))
    delimiter, quote, escape = (None if v in (None, "", "(empty)") else str(v) for v in found[0])
    delimiter = delimiter or ","
    quote = quote or '"'
    if quote != '"' and not clearly_quotes(head.decode("utf-8", "replace"), delimiter, quote):
        # The sniffer takes ' for the quote when a cell begins with a quoted word ('Pro'
        # edition): RFC 4180's " unless the file needs the other to protect a delimiter.
        quote, escape = '"', '"'
    return Dialect(delimiter=delimiter, quote=quote, escape=escape or quote)


def clearly_quotes(text: str, delimiter: str, quote: str) -> bool:
    """Whether a whole field of the text is quoted with ``quote`` and holds the delimiter.

    >>> clearly_quotes("a,'b, c',d", ",", "'"), clearly_quotes("a,'Pro' edition,d", ",", "'")
    (True, False)
    """
    d, q = re.escape(delimiter), re.escape(quote)
    field = re.compile(rf"(?:^|{d}){q}[^{q}\n]*{d}[^{q}\n]*{q}(?:{d}|\r?$)", re.MULTILINE)
    return bool(field.search(text))


def csv_reader_options(dialect: Dialect) -> dict[str, Any]:
    """Python csv module options matching a DuckDB dialect.

    >>> csv_reader_options(Dialect(delimiter=";", escape="\\\\"))["escapechar"]
    '\\\\'
    """
    return {
        "delimiter": dialect.delimiter,
        "quotechar": dialect.quote,
        "doublequote": dialect.escape == dialect.quote,
        "escapechar": None if dialect.escape == dialect.quote else dialect.escape,
    }


def leading_width(source: Path, dialect: Dialect, rows: int = 10) -> int:
    """The most fields in the first non-blank rows, where the header row is (see ingest).

    A later row with more fields than this is an error (a value holding the delimiter was not
    quoted), not silently cut short.
    """
    width = 0
    try:
        with source.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle, **csv_reader_options(dialect))
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


def unclosed_quote(source: Path, dialect: Dialect) -> tuple[int, str] | None:
    """The row (as a spreadsheet shows it) and line of a quoted value never closed, if any.

    DuckDB's single-threaded reader silently drops such a value and every line after it, so
    files read that way are parsed once with Python's csv module, which notices.
    """
    rows = lines = 0
    try:
        with source.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle, strict=True, **csv_reader_options(dialect))
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
