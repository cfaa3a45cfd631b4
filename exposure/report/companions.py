"""Companion files: the full table of a sheet that Excel cannot hold.

A worksheet holds at most 1,048,576 rows. When a sheet of an assessment would hold more,
:func:`spill` keeps its first rows in the workbook with a note at the top of the sheet, writes
the whole table beside the workbook (Parquet when pyarrow is installed, else CSV), says so on
Summary and lists the file in Sources.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from exposure.report.catalogue import INTERNAL_COLUMNS
from exposure.report.csv_file import write_csv
from exposure.report.tables import AssessmentTables

__all__ = ["Companion", "companion_path", "spill", "write_table"]

logger = logging.getLogger(__name__)

SECTION = "Companion files"


@dataclass(frozen=True)
class Companion:
    """A sheet's full table written beside the workbook."""

    sheet: str
    path: Path
    rows: int
    kept: int


def companion_path(workbook: Path, sheet: str, suffix: str) -> Path:
    """``assessment.xlsx`` and "Exposure paths" give ``assessment.exposure-paths.parquet``."""
    slug = re.sub(r"[^a-z0-9]+", "-", sheet.lower()).strip("-")
    return workbook.with_name(f"{workbook.stem}.{slug}{suffix}")


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as Parquet (``.parquet``) or CSV, atomically (temp file + rename)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        if path.suffix == ".parquet":
            frame.to_parquet(temporary, index=False)
        else:
            write_csv(frame, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _suffix() -> str:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return ".csv"
    return ".parquet"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def spill(
    tables: AssessmentTables, workbook: Path, *, max_rows: int, header_rows: int = 10
) -> tuple[AssessmentTables, list[Companion]]:
    """The tables as the workbook can hold them, and the companion files written for the rest.

    A sheet's capacity is ``max_rows`` less ``header_rows`` (title, caption, header) and its
    notes; a longer frame keeps its first rows, a note at the top of its sheet names the
    companion file holding all of them, Summary gets a line per companion file and Sources a
    row (file, sheet, rows, SHA-256, size).
    """
    companions: list[Companion] = []
    changed: dict[str, Any] = {}
    notes = {title: tuple(lines) for title, lines in tables.notes.items()}
    for sheet, frame in tables.sheets():
        capacity = max_rows - header_rows - len(notes.get(sheet.title, ())) - 1
        if len(frame) <= capacity:
            continue
        full = frame[[c for c in frame.columns if c not in INTERNAL_COLUMNS]]
        path = write_table(
            full.reset_index(drop=True), companion_path(workbook, sheet.title, _suffix())
        )
        companions.append(Companion(sheet.title, path, len(frame), capacity))
        changed[sheet.attribute] = frame.iloc[:capacity]
        note = (
            f"This sheet holds the first {capacity:,} of {len(frame):,} rows (Excel holds at "
            f"most {max_rows:,} rows a sheet); all of them are in {path.name}, beside this "
            "workbook."
        )
        notes[sheet.title] = (note, *notes.get(sheet.title, ()))
        logger.info(
            "%s: %d rows, the first %d in the workbook, all in %s",
            sheet.title,
            len(frame),
            capacity,
            path,
        )
    if not companions:
        return tables, []
    summary = pd.concat(
        [
            tables.summary,
            pd.DataFrame(
                [
                    {
                        "section": SECTION,
                        "fact": item.sheet,
                        "value": f"first {item.kept:,} of {item.rows:,} rows here; "
                        f"all in {item.path.name}",
                        "text": f"first {item.kept:,} of {item.rows:,} rows here; "
                        f"all in {item.path.name}",
                    }
                    for item in companions
                ]
            ),
        ],
        ignore_index=True,
    )
    extra = pd.DataFrame(
        [
            {
                "file": item.path.name,
                "sheet": item.sheet,
                "kind": "companion file",
                "rows": item.rows,
                "sha256": _sha256(item.path),
                "size_bytes": item.path.stat().st_size,
            }
            for item in companions
        ]
    )
    sources = pd.concat(
        [tables.sources, extra.reindex(columns=tables.sources.columns)], ignore_index=True
    )
    return replace(tables, summary=summary, sources=sources, notes=notes, **changed), companions
