"""What a load would make of a file, before loading it: sheets, their kind, the header mapping.

The dashboard shows this next to an upload so that an analyst sees which header became which
canonical column, fixes what is wrong with a mapping (the ``--map`` of the command line) and
only then loads. It runs exactly the reading and header-mapping steps of a load
(:func:`exposure.ingest.adapters.adapter_for_file` for a JSON SBOM, :func:`exposure.ingest.readers.read_file`,
then per sheet :func:`exposure.ingest.adapters.adapter_for_sheet` for a USAspending subaward download
or :func:`exposure.ingest.mapping.map_sheet`) and stores nothing; the cell checks run at load time, where
every problem is reported with its file, sheet, row and column.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from exposure.core.errors import LoadError, Problem
from exposure.ingest.mapping import (
    ColumnHint,
    LoadOptions,
    column_values,
    map_sheet,
    suggest_column,
    unknown_column_problems,
)
from exposure.ingest.readers import RawSheet, column_letter, read_file
from exposure.ingest.schema import COLUMNS, LoadKind, SheetKind, header_key, match_header

__all__ = [
    "AUTOMATIC",
    "IGNORE",
    "FilePreview",
    "HeaderMatch",
    "SheetPreview",
    "canonical_columns",
    "map_flags",
    "mapping_from_choices",
    "preview_file",
    "problems_frame",
]

logger = logging.getLogger(__name__)

AUTOMATIC = "(automatic)"
IGNORE = "(ignore)"

How = Literal["canonical", "synonym", "your mapping", "ignored", "unknown", "public format"]


@dataclass(frozen=True)
class HeaderMatch:
    """One header cell and the canonical column it maps to (None: unknown or ignored).

    ``hint`` is, for an unknown header, the column it might be, offered only when the
    column's cells fit it (:func:`exposure.ingest.mapping.suggest_column`), or None; ``note``
    says why (or why none is offered), '' when there is nothing to say.
    """

    header: str
    column: str
    canonical: str | None
    how: How
    hint: str | None = None
    note: str = ""


@dataclass(frozen=True)
class SheetPreview:
    """One sheet as a load would see it.

    ``kind`` is None when the sheet cannot be mapped (see ``problems``), or a public format
    (``usaspending-subawards``, ``cyclonedx``) whose own columns the adapter reads; ``skipped``
    marks a workbook sheet a load passes over (empty, or no recognised headers). ``data_rows``
    is None for CSV files, whose rows are counted only when they are loaded. ``warnings`` are
    what a load would keep as data-quality warnings without stopping (a column whose header
    means nothing is left out), each located like a problem; ``--strict`` makes them problems.
    """

    file: str
    sheet: str | None
    kind: LoadKind | None
    header_row: int | None
    data_rows: int | None
    headers: tuple[HeaderMatch, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped: bool = False
    warnings: tuple[Problem, ...] = ()

    @property
    def label(self) -> str:
        return self.file + (f" [{self.sheet}]" if self.sheet else "")


@dataclass(frozen=True)
class FilePreview:
    """The sheets of one file, or the problems that stop it from being read at all."""

    file: str
    sheets: tuple[SheetPreview, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def all_problems(self) -> list[Problem]:
        found = list(self.problems)
        for sheet in self.sheets:
            found.extend(sheet.problems)
        return found


def canonical_columns() -> list[str]:
    """Every canonical column name, organizations first, in schema order.

    >>> canonical_columns()[:3], "supplier" in canonical_columns()
    (['name', 'kind', 'uei'], True)
    """
    names: list[str] = []
    for kind in ("organizations", "relationships"):
        names.extend(c.name for c in COLUMNS[kind] if c.name not in names)
    return names


def _cell(raw: RawSheet, row: int, column: int) -> str:
    value = raw.table.column(column)[row].as_py()
    return "" if value is None else str(value).strip()


def _match(header: str, kind: SheetKind | None, mapping: Mapping[str, str]) -> HeaderMatch:
    key = header_key(header)
    if key in mapping:
        target = mapping[key]
        return HeaderMatch(header, "", target or None, "your mapping" if target else "ignored")
    allowed = (
        COLUMNS[kind] if kind is not None else COLUMNS["relationships"] + COLUMNS["organizations"]
    )
    canonical = match_header(header, allowed)
    if canonical is None:
        return HeaderMatch(header, "", None, "unknown")
    how: How = "canonical" if header_key(canonical) == key else "synonym"
    return HeaderMatch(header, "", canonical, how)


def _headers(
    raw: RawSheet, header_index: int, kind: SheetKind | None, mapping: Mapping[str, str]
) -> tuple[HeaderMatch, ...]:
    matches = []
    if header_index >= raw.table.num_rows:
        return ()
    found_all = []
    for index in range(raw.table.num_columns):
        text = _cell(raw, header_index, index)
        if text:
            found_all.append((index, _match(text, kind, mapping)))
    taken = {found.canonical for _, found in found_all if found.canonical}
    for index, found in found_all:
        letter = (
            column_letter(raw.first_column + index) if raw.sheet is not None else f"#{index + 1}"
        )
        hint: ColumnHint = ColumnHint(None)
        if found.how == "unknown" and kind is not None:
            # Offered only when the column's cells fit (a UEI is not a product).
            values = column_values(raw.table, index, header_index)
            hint = suggest_column(found.header, values, kind, taken)
        matches.append(
            HeaderMatch(found.header, letter, found.canonical, found.how, hint.column, hint.text)
        )
    return tuple(matches)


def _guess_kind(raw: RawSheet, header_index: int, options: LoadOptions) -> SheetKind | None:
    """The kind of a sheet the loader could not map, to show its headers in the right light."""
    if options.kind in ("organizations", "relationships", "vendors"):
        return options.kind
    if not 0 <= header_index < raw.table.num_rows:
        return None
    cells = [_cell(raw, header_index, i) for i in range(raw.table.num_columns)]
    found = {
        options.mapping.get(header_key(c)) or match_header(c, COLUMNS["relationships"])
        for c in cells
        if c
    }
    if found & {"buyer", "supplier"}:
        return "relationships"
    return None


def _sheet_preview(raw: RawSheet, options: LoadOptions, stem: str) -> SheetPreview:
    from exposure.ingest.adapters import adapter_for_sheet
    from exposure.ingest.adapters.usaspending import SubawardSource

    csv = raw.source_sql is not None
    try:
        adapter = adapter_for_sheet(raw, options)
    except LoadError as exc:
        rows = [p.row for p in exc.problems if p.row is not None]
        return SheetPreview(
            raw.file, raw.sheet, None, min(rows) if rows else None, None, (), tuple(exc.problems)
        )
    if isinstance(adapter, SubawardSource):
        headers = tuple(
            HeaderMatch(header, "", field, "public format")
            for field, header in adapter.headers.items()
        )
        return SheetPreview(
            raw.file,
            raw.sheet,
            adapter.kind,
            raw.first_row,
            None if csv else raw.table.num_rows - 1,
            headers,
        )
    try:
        mapped = map_sheet(raw, options, file_stem=stem)
    except LoadError as exc:
        rows = [p.row for p in exc.problems if p.row is not None]
        header_index = min(rows) - raw.first_row if rows else 0
        return SheetPreview(
            file=raw.file,
            sheet=raw.sheet,
            kind=None,
            header_row=min(rows) if rows else None,
            data_rows=None,
            headers=_headers(
                raw, max(header_index, 0), _guess_kind(raw, header_index, options), options.mapping
            ),
            problems=tuple(exc.problems),
        )
    if mapped is None:
        return SheetPreview(raw.file, raw.sheet, None, None, None, skipped=True)
    headers = _headers(raw, mapped.header_index, mapped.kind, options.mapping)
    header_row = raw.first_row + mapped.header_index
    warnings = tuple(
        Problem(
            raw.file,
            f"column '{u.header}' is not loaded: the tool does not know its header"
            + (f". {u.hint.text}" if u.hint.text else "")
            + f" (map it with --map '{u.header}=<column>', or --map '{u.header}=ignore')",
            sheet=raw.sheet,
            row=header_row,
            column=u.header,
            cell=f"{u.column}{header_row}" if raw.sheet is not None else None,
        )
        for u in mapped.unknown
    )
    return SheetPreview(
        file=raw.file,
        sheet=raw.sheet,
        kind=mapped.kind,
        header_row=header_row,
        data_rows=None if csv else mapped.data_rows,
        headers=headers,
        # --strict refuses what a load would keep as a warning.
        problems=tuple(unknown_column_problems(mapped)) if options.strict else (),
        warnings=() if options.strict else warnings,
    )


def preview_file(path: Path, name: str, options: LoadOptions | None = None) -> FilePreview:
    """Read one file and map its sheets' headers as a load with ``options`` would.

    ``name`` is the name the user knows the file by (an upload's name); ``path`` may be a
    temporary copy. Nothing is stored; temporary files the reader makes are removed.
    """
    from exposure.ingest.adapters import adapter_for_file

    options = options or LoadOptions()
    try:
        adapter = adapter_for_file(path, name, options)
        if adapter is not None:
            rows = getattr(getattr(adapter, "table", None), "num_rows", None)
            sheet = SheetPreview(name, None, adapter.kind, None, rows)
            return FilePreview(name, (sheet,))
        sheets = read_file(path, display_name=name, encoding=options.encoding)
    except LoadError as exc:
        return FilePreview(name, problems=tuple(exc.problems))
    try:
        stem = Path(name).stem
        previews = tuple(_sheet_preview(raw, options, stem) for raw in sheets)
    finally:
        for raw in sheets:
            if raw.cleanup is not None:
                raw.cleanup.unlink(missing_ok=True)
    if previews and all(sheet.skipped for sheet in previews):
        problem = Problem(
            name,
            "no sheet holds organizations or relationships; expected a sheet named "
            "'organizations' or 'relationships', or headers such as name / buyer, supplier",
        )
        return FilePreview(name, previews, (problem,))
    return FilePreview(name, previews)


def mapping_from_choices(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The ``LoadOptions.mapping`` for (header, choice) pairs picked in a mapping editor.

    A choice is a canonical column, :data:`IGNORE` to drop the column, or :data:`AUTOMATIC`
    (or blank) to leave the header to the synonyms.

    >>> mapping_from_choices([("Supplier Legal Name", "supplier"), ("Ref", IGNORE),
    ...                       ("Vendor", AUTOMATIC)])
    {'supplierlegalname': 'supplier', 'ref': ''}
    """
    known = set(canonical_columns())
    mapping: dict[str, str] = {}
    for header, choice in choices:
        choice = (choice or "").strip()
        if not choice or choice == AUTOMATIC:
            continue
        if choice == IGNORE:
            mapping[header_key(header)] = ""
        elif choice in known:
            mapping[header_key(header)] = choice
        else:
            raise ValueError(f"'{choice}' is not a column; expected one of {sorted(known)}")
    return mapping


def map_flags(choices: Sequence[tuple[str, str]]) -> list[str]:
    """The command-line ``--map`` options that reproduce the choices of a mapping editor.

    >>> map_flags([("Supplier Legal Name", "supplier"), ("Ref", IGNORE), ("X", AUTOMATIC)])
    ['--map "Supplier Legal Name=supplier"', '--map "Ref=ignore"']
    """
    flags = []
    for header, choice in choices:
        if not choice or choice == AUTOMATIC:
            continue
        target = "ignore" if choice == IGNORE else choice
        flags.append(f'--map "{header}={target}"')
    return flags


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table: file, sheet, row, column, cell, value, message.

    >>> problems_frame([Problem("a.csv", "not a number", row=3, column="annual_value_usd",
    ...                         value="lots")]).to_dict("records")[0]["row"]
    3
    """
    rows = [
        {
            "file": p.file,
            "sheet": p.sheet or "",
            "row": p.row,
            "column": p.column or "",
            "cell": p.cell or "",
            "value": p.value if p.value is not None else "",
            "message": p.message,
        }
        for p in problems
    ]
    frame = pd.DataFrame(
        rows, columns=["file", "sheet", "row", "column", "cell", "value", "message"]
    )
    frame["row"] = frame["row"].astype("Int64")
    return frame
