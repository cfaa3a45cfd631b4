"""Read workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) into raw text sheets with calamine.

Zip-based workbooks are checked first (:mod:`exposure.ingest.readers.xlsx_safety`: size, compression
ratio, DTD and entity declarations); for .xlsx the worksheet XML also gives where each sheet's
data starts and which cells hold formulas. Hidden and very hidden sheets (drop-down lists,
lookups, scratch work) are not data and are not returned.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pyarrow as pa

from exposure.core.errors import LoadError, Problem
from exposure.ingest.readers.ole import OleError, is_encrypted_package, read_stream
from exposure.ingest.readers.sheets import RawSheet, ReadLimits
from exposure.ingest.readers.workbook_ranges import (
    check_ranges,
    ods_ranges,
    xls_ranges,
    xlsx_range,
)
from exposure.ingest.readers.xlsx_safety import (
    PASSWORD_PROTECTED,
    check_zip,
    first_cell,
    formula_cells,
    sheet_parts,
)

__all__ = ["read_container", "read_legacy", "read_workbook", "read_xlsx"]

logger = logging.getLogger(__name__)


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


def read_xlsx(path: Path, name: str, limits: ReadLimits) -> list[RawSheet]:
    """An .xlsx or .xlsm workbook: the zip and XML checks, formula cells, then calamine."""
    with _open_zip(path, name, ".xlsx") as archive:
        check_zip(archive, name, limits)
        parts = sheet_parts(archive, name)
        try:
            ranges = [xlsx_range(archive, part, sheet) for sheet, part in parts.items()]
        except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise LoadError(
                [
                    Problem(
                        name,
                        f"not a readable .xlsx workbook: a sheet is missing or corrupt ({exc})",
                    )
                ]
            ) from exc
        check_ranges(ranges, name, limits)
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
    return read_workbook(path, name, formulas=formulas, offsets=offsets)


def read_container(path: Path, name: str, limits: ReadLimits, kind: str) -> list[RawSheet]:
    """An .ods or .xlsb workbook: the zip checks of .xlsx, the range of every .ods table, then
    calamine reads it."""
    with _open_zip(path, name, kind) as archive:
        check_zip(archive, name, limits, kind=kind, required_part=None)
        if kind == ".ods":
            try:
                ranges = ods_ranges(archive)
            except Exception as exc:  # malformed or hostile XML: report, never crash
                raise LoadError(
                    [Problem(name, f"not a readable .ods workbook ({type(exc).__name__}: {exc})")]
                ) from exc
            check_ranges(ranges, name, limits)
    return read_workbook(path, name, formulas={}, offsets={})


def read_legacy(path: Path, name: str, limits: ReadLimits) -> list[RawSheet]:
    """An .xls workbook (an OLE2 compound file): its BIFF cell records give every sheet's range
    before calamine reads it; an encrypted workbook is refused as password-protected."""
    data = path.read_bytes()
    if is_encrypted_package(data):
        raise LoadError([Problem(name, PASSWORD_PROTECTED)])
    try:
        stream = read_stream(data, ("Workbook", "Book"))
    except OleError as exc:
        raise LoadError(
            [
                Problem(
                    name, f"not a readable .xls workbook: the file is truncated or corrupt ({exc})"
                )
            ]
        ) from exc
    del data
    if stream is None:
        raise LoadError(
            [Problem(name, "not a readable .xls workbook: it holds no workbook stream")]
        )
    ranges, encrypted = xls_ranges(stream)
    if encrypted:
        raise LoadError([Problem(name, PASSWORD_PROTECTED)])
    del stream
    check_ranges(ranges, name, limits)
    return read_workbook(path, name, formulas={}, offsets={})


def read_workbook(
    path: Path,
    name: str,
    *,
    formulas: dict[str, dict[tuple[int, int], tuple[str, bool]]],
    offsets: dict[str, tuple[int, int]],
) -> list[RawSheet]:
    """Every visible, non-empty sheet of a workbook as text cells (calamine via fastexcel).

    ``formulas`` and ``offsets`` (where each sheet's range starts) come from the .xlsx XML;
    for other formats the start is asked of calamine.
    """
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
