"""What every reader returns (:class:`RawSheet`) and the limits it enforces (:class:`ReadLimits`)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from exposure.core.errors import ExposureError, LoadError, Problem

__all__ = [
    "CSV_SUFFIXES",
    "PARQUET_SUFFIXES",
    "SPREADSHEET_SUFFIXES",
    "RawSheet",
    "ReadLimits",
    "check_regular_file",
    "check_size",
    "column_letter",
    "human_size",
    "limit_from_environment",
]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


def limit_from_environment(variable: str, default: float, unit: int = 1) -> int:
    """A limit set by an environment variable (a positive number of ``unit``), else the default.

    >>> limit_from_environment("EXPOSURE_UNSET_FOR_THIS_EXAMPLE", 512, 2**20)
    536870912

    Raises:
        ExposureError: the variable is set but is not a positive number.
    """
    text = os.environ.get(variable, "").strip()
    if not text:
        return int(default * unit)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ExposureError(f"{variable} must be a positive number, not {text!r}")
    return max(1, int(value * unit))


@dataclass(frozen=True)
class ReadLimits:
    """Limits enforced before a file is parsed, each with an environment variable to set it.

    - ``max_file_bytes``: the size of any file (``EXPOSURE_MAX_FILE_MB``, 512 MB).
    - ``max_uncompressed_bytes``: what a compressed file may expand to: a workbook's zip parts,
      and a parquet file's column data and its cells as text (``EXPOSURE_MAX_UNCOMPRESSED_MB``,
      8 GB). A workbook's XML may be much larger than the zip; a bomb is far larger still.
    - ``max_compression_ratio``: how much one large workbook part may expand (400x).
    - ``max_rows`` and ``max_cells``: the rows, and the values (rows x columns, or the leaf
      values of nested columns), a parquet file may hold (``EXPOSURE_MAX_ROWS``, 10 million;
      ``EXPOSURE_MAX_CELLS``, 100 million). A parquet file's size says little about them: a
      few kilobytes of repeated values may hold millions of rows, all read into memory. A CSV
      file holds at most as many cells as it has bytes; a workbook's cells are bounded by its
      expanded XML.
    - ``max_sheet_cells``: the cells of a workbook sheet's dense range, from its first to its
      last valued cell (``EXPOSURE_MAX_SHEET_CELLS``, 20 million: a million rows of 20
      columns; a sheet is read whole, at about 90 bytes a cell, so the limit keeps a load
      under 4 GB): two values at A1 and XFD1048576 span 17 billion cells, however small the
      file.
    - ``load_memory_bytes``: DuckDB's working memory while a load types, checks and stores
      the rows (``EXPOSURE_LOAD_MEMORY_MB``, 2 GB); past it DuckDB spills to a temporary
      folder beside the database, so a file of 10 million rows loads in bounded memory.
    """

    max_file_bytes: int = field(
        default_factory=lambda: limit_from_environment("EXPOSURE_MAX_FILE_MB", 512, 2**20)
    )
    max_uncompressed_bytes: int = field(
        default_factory=lambda: limit_from_environment("EXPOSURE_MAX_UNCOMPRESSED_MB", 8192, 2**20)
    )
    max_compression_ratio: float = 400.0
    max_rows: int = field(
        default_factory=lambda: limit_from_environment("EXPOSURE_MAX_ROWS", 10_000_000)
    )
    max_cells: int = field(
        default_factory=lambda: limit_from_environment("EXPOSURE_MAX_CELLS", 100_000_000)
    )
    max_sheet_cells: int = field(
        default_factory=lambda: limit_from_environment("EXPOSURE_MAX_SHEET_CELLS", 20_000_000)
    )
    load_memory_bytes: int = field(
        default_factory=lambda: limit_from_environment("EXPOSURE_LOAD_MEMORY_MB", 2048, 2**20)
    )


@dataclass
class RawSheet:
    """The text cells of one sheet (or one CSV/parquet file).

    ``table`` holds every row read, header row(s) included, as string columns ``c0..cN``;
    ``first_row`` is the spreadsheet row number of ``table``'s first row and ``first_column``
    the 0-based index of its first column (workbooks may start at, say, B3).
    ``formulas`` maps (row number, 0-based column) to the formula text of cells that hold one,
    and whether a computed value was saved with it.

    For CSV and parquet, ``table`` is only the first rows (enough to find the header), and the
    warehouse reads the whole file itself, straight into DuckDB (never through Python, so a
    large file costs DuckDB's bounded memory, not a copy in Arrow): ``source_sql`` is the
    DuckDB table expression that yields every row, from ``table``'s row ``source_skip`` on (0
    for CSV, whose header is a row of the file; 1 for parquet, whose header is its column
    names). ``csv_path`` is the CSV file itself (to locate encoding errors), and ``cleanup`` a
    temporary file (a re-encoded copy, or a link with a name DuckDB cannot take for a glob) to
    delete once the load is over.
    """

    file: str
    sheet: str | None
    table: pa.Table
    first_row: int = 1
    first_column: int = 0
    formulas: dict[tuple[int, int], tuple[str, bool]] = field(default_factory=dict)
    encoding: str | None = None
    source_sql: str | None = None
    source_skip: int = 0
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


def human_size(size: float) -> str:
    """A byte count for people.

    >>> human_size(512), human_size(1536), human_size(3 * 2**30), human_size(5 * 2**40)
    ('512 bytes', '1.5 KB', '3.0 GB', '5.0 TB')
    """
    units = ("bytes", "KB", "MB", "GB", "TB")
    index = 0
    while size >= 1024 and index < len(units) - 1:
        size /= 1024
        index += 1
    return f"{size:.0f} bytes" if index == 0 else f"{size:.1f} {units[index]}"


def check_regular_file(path: Path, name: str) -> None:
    """Refuse anything but a regular file, saying what it is (never just "file not found").

    A named pipe (FIFO) would block the reader forever, a device such as /dev/zero never
    ends; a symbolic link is judged by what it points to.
    """
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        what = "file not found" if not path.is_symlink() else "the link points to nothing"
        raise LoadError([Problem(name, what)]) from None
    except OSError as exc:
        raise LoadError([Problem(name, f"the file cannot be opened ({exc.strerror})")]) from exc
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        what = "this is a folder, not a file: give the files inside it"
    elif stat.S_ISFIFO(mode):
        what = "this is a named pipe (FIFO), not a file: reading it could wait forever"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "this is a device, not a file: it may never end"
    elif stat.S_ISSOCK(mode):
        what = "this is a socket, not a file"
    else:
        what = "this is not a regular file"
    if path.is_symlink():
        what = f"the link points to {path.resolve()}: " + what
    raise LoadError([Problem(name, what)])


def check_size(path: Path, name: str, limits: ReadLimits) -> None:
    """Refuse a file over the size limit, before anything reads it."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LoadError(
            [
                Problem(
                    name,
                    f"the file is {human_size(size)}, over the size limit of "
                    f"{human_size(limits.max_file_bytes)} (set EXPOSURE_MAX_FILE_MB to raise it)",
                )
            ]
        )
