"""Read uploaded files into raw tables of text, safely.

Every reader returns :class:`RawSheet` objects: the cells of one sheet as strings, exactly as
a person sees them, before any header matching or validation. Nothing here executes or
unpickles anything: spreadsheets are read by calamine (via fastexcel), CSV and parquet by
DuckDB. :func:`read_file` picks the reader from the file's first bytes, then its extension:

- :mod:`~exposure.ingest.readers.workbooks`: .xlsx, .xlsm, .xls, .xlsb, .ods. Before a zip-based
  workbook is opened its container is checked (size, compression ratio) and every XML part is
  refused if it declares a DTD or entities, which is how "billion laughs" entity-expansion
  payloads work (:mod:`~exposure.ingest.readers.xlsx_safety`). Hidden sheets are not data and are
  not returned.
- :mod:`~exposure.ingest.readers.csv_files`: CSV read strictly, in a dialect sniffed once
  (:mod:`~exposure.ingest.readers.csv_dialect`, :mod:`~exposure.ingest.readers.csv_layout`), with errors
  located by row and column (:mod:`~exposure.ingest.readers.csv_errors`).
- :mod:`~exposure.ingest.readers.parquet_files`: parquet, every column as text, once its metadata
  and the size of its cells as text are within the limits.
- :mod:`~exposure.ingest.readers.archives`: a ZIP archive holding one CSV, .txt or .dat file (as
  SAM.gov publishes its extracts) is read as that file, once its headers show the file within the
  size and expansion limits; anything else in a ZIP is refused, saying what it holds.

DuckDB treats ``*``, ``?`` and ``[...]`` in a path as a glob, so a file whose name holds them
is read through a link with a plain name in the temporary directory
(:mod:`~exposure.ingest.readers.paths`). Limits come from :class:`ReadLimits` (file size, what a
workbook or parquet file expands to, a parquet file's rows and values), each with an
environment variable (``EXPOSURE_MAX_FILE_MB`` and others) that changes its default.
"""

from __future__ import annotations

from pathlib import Path

from exposure.core.errors import LoadError, Problem
from exposure.ingest.readers.archives import extract_member, is_workbook_zip
from exposure.ingest.readers.csv_errors import csv_error, utf8_problem
from exposure.ingest.readers.csv_files import read_csv
from exposure.ingest.readers.ole import OLE_MAGIC, is_encrypted_package
from exposure.ingest.readers.parquet_files import read_parquet
from exposure.ingest.readers.sheets import (
    CSV_SUFFIXES,
    PARQUET_SUFFIXES,
    SPREADSHEET_SUFFIXES,
    RawSheet,
    ReadLimits,
    check_regular_file,
    check_size,
    column_letter,
    human_size,
)
from exposure.ingest.readers.workbooks import read_container, read_legacy, read_xlsx
from exposure.ingest.readers.xlsx_safety import PASSWORD_PROTECTED

__all__ = [
    "CSV_SUFFIXES",
    "PARQUET_SUFFIXES",
    "SPREADSHEET_SUFFIXES",
    "RawSheet",
    "ReadLimits",
    "check_regular_file",
    "check_size",
    "column_letter",
    "csv_error",
    "human_size",
    "read_file",
    "utf8_problem",
]


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
    check_regular_file(path, name)
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
        return read_container(path, name, limits, suffix)
    if magic.startswith(OLE_MAGIC) and suffix in (".xlsx", ".xlsm"):
        # Office encrypts a password-protected workbook's whole zip into an OLE2 file.
        with path.open("rb") as handle:
            head = handle.read(min(size, 2**24))
        if is_encrypted_package(head):
            raise LoadError([Problem(name, PASSWORD_PROTECTED)])
    if (
        magic.startswith((b"PK\x03\x04", b"PK\x05\x06"))
        and suffix not in (".xlsx", ".xlsm")
        and (suffix == ".zip" or not is_workbook_zip(path))
    ):
        return [read_zipped(path, name, encoding, limits)]
    if magic.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if not magic.startswith(b"PK"):
            raise LoadError(
                [Problem(name, "not a valid .xlsx workbook (it is not a zip container)")]
            )
        return read_xlsx(path, name, limits)
    if magic.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        return read_legacy(path, name, limits)
    if magic.startswith(b"PAR1") or suffix in PARQUET_SUFFIXES:
        return [read_parquet(path, name, limits)]
    if suffix in CSV_SUFFIXES or suffix == "":
        return [read_csv(path, name, encoding)]
    raise LoadError(
        [
            Problem(
                name,
                f"unsupported file type '{suffix}': expected .xlsx, .xls, .ods, .csv, .parquet "
                "or a .zip holding one CSV file",
            )
        ]
    )


def read_zipped(path: Path, name: str, encoding: str | None, limits: ReadLimits) -> RawSheet:
    """A ZIP archive holding one CSV, .txt or .dat file, read as that file (see the module).

    The file is copied out of the archive to a temporary file, which the returned sheet's
    ``cleanup`` deletes (or, when the CSV reader made its own copy, at once); messages name
    the archive, the file given.
    """
    _member, copy = extract_member(path, name, limits)
    try:
        raw = read_csv(copy, name, encoding)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    if raw.cleanup is None:
        raw.cleanup = copy
        raw.csv_path = copy
    elif raw.cleanup != copy:
        # The reader's own copy (re-encoded, or with its line ends fixed) holds the same rows;
        # encoding errors are located in it.
        copy.unlink(missing_ok=True)
        raw.csv_path = raw.cleanup
    return raw
