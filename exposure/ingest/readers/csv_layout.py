"""How a CSV file's lines are laid out, and copies that DuckDB's strict reader can take.

DuckDB wants one kind of line end throughout, and skips empty lines where a spreadsheet
program counts them as rows; a quoted value may also span lines, which its parallel reader
cannot pad. :func:`scan_layout` finds these cases in one pass over the bytes;
:func:`lf_copy` and :func:`fill_empty_lines` write temporary copies that fix them, so that
row numbers in messages match what a person sees.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

from exposure.ingest.readers.csv_dialect import Dialect, csv_reader_options
from exposure.ingest.readers.paths import temporary_csv

__all__ = ["Layout", "fill_empty_lines", "has_text_beyond", "lf_copy", "scan_layout"]

_EMPTY_LINE = re.compile(rb"\n\r?\n")


@dataclass
class Layout:
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


def has_text_beyond(path: Path, offset: int) -> bool:
    """Whether a file holds anything but white space after ``offset``."""
    with path.open("rb") as handle:
        handle.seek(offset)
        while chunk := handle.read(2**20):
            if chunk.strip():
                return True
    return False


def scan_layout(path: Path) -> Layout:
    """Look at line ends, and for a line with an odd number of double quotes.

    Such a line opens a quoted value that runs on into the next line (or has a stray quote).
    Byte searches and counts run at C speed; lines are only split in chunks holding a quote.
    """
    layout = Layout()
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
            # DuckDB also ends a line at a lone CR: a quoted value holding one spans lines.
            data = partial + chunk
            lines = re.split(rb"\r(?!\n)|\n", data) if b"\r" in data else data.split(b"\n")
            partial = lines.pop()
            if any(line.count(b'"') % 2 for line in lines) or len(partial) > 2**24:
                layout.quoted_newline = True
                partial = b""
    layout.inner_empty_line = empty_at is not None and has_text_beyond(path, empty_at)
    return layout


def _blank_records(source: Path, dialect: Dialect) -> set[int]:
    """Physical line numbers (1-based) of the empty records of a CSV with quoted line breaks.

    An empty line inside a quoted value is part of that value, not a record.
    """
    blank: set[int] = set()
    with source.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, **csv_reader_options(dialect))
        try:
            for record in reader:
                if not record:
                    blank.add(reader.line_num)
        except csv.Error:  # the strict read that follows reports it, with its row
            pass
    return blank


def fill_empty_lines(source: Path, dialect: Dialect, quoted_newline: bool) -> Path:
    """A temporary copy whose empty records hold one delimiter, so that DuckDB counts them.

    Row numbers then match what a spreadsheet program shows, blank rows included (they are
    still left out of the data as blank rows).
    """
    blank = _blank_records(source, dialect) if quoted_newline else None
    handle, target = temporary_csv()
    filler = dialect.delimiter.encode("utf-8")
    with os.fdopen(handle, "wb") as out, source.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            body = line.rstrip(b"\r\n")
            if not body and (blank is None or number in blank):
                out.write(filler + line[len(body) :])
            else:
                out.write(line)
    return target


def lf_copy(source: Path) -> Path:
    """A temporary copy of a file with CRLF line ends made LF, so that all lines end alike."""
    handle, target = temporary_csv()
    with os.fdopen(handle, "wb") as out, source.open("rb") as stream:
        carry = b""
        while chunk := stream.read(2**22):
            chunk = carry + chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""
            out.write(chunk[: len(chunk) - len(carry)].replace(b"\r\n", b"\n"))
        out.write(carry)
    return target
