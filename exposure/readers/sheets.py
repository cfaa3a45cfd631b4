"""What every reader returns (:class:`RawSheet`) and the limits it enforces (:class:`ReadLimits`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from exposure.errors import LoadError, Problem

__all__ = [
    "CSV_SUFFIXES",
    "PARQUET_SUFFIXES",
    "SPREADSHEET_SUFFIXES",
    "RawSheet",
    "ReadLimits",
    "check_size",
    "column_letter",
    "human_size",
]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


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


def human_size(size: float) -> str:
    """A byte count for people.

    >>> human_size(512), human_size(1536), human_size(3 * 2**30)
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
                    f"the file is {human_size(size)}, over the size limit of "
                    f"{human_size(limits.max_file_bytes)} (set EXPOSURE_MAX_FILE_MB to raise it)",
                )
            ]
        )
