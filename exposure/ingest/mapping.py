"""Map raw sheets to the canonical columns: kind, header row, header synonyms, ``--map``.

Header matching is in Python (a sheet has a handful of headers); the cells themselves are
checked in SQL by :mod:`exposure.ingest.validate`. Every problem names the file, sheet, row and column.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from exposure.core.errors import LoadError, Problem
from exposure.ingest.readers import RawSheet, column_letter
from exposure.ingest.schema import (
    COLUMNS,
    SHEET_KINDS,
    LoadKind,
    SheetKind,
    header_key,
    match_header,
)

__all__ = [
    "LoadOptions",
    "MappedSheet",
    "map_sheet",
    "parse_mapping",
]

logger = logging.getLogger(__name__)

_SHEET_NAMES: dict[str, SheetKind] = {
    **dict.fromkeys(
        ("organizations", "organisations", "orgs", "organization", "entities", "companies"),
        "organizations",
    ),
    **dict.fromkeys(
        ("relationships", "relationship", "relations", "dependencies", "edges", "links"),
        "relationships",
    ),
    **dict.fromkeys(
        ("vendors", "vendorlist", "vendormaster", "suppliers", "supplierlist"), "vendors"
    ),
}


@dataclass(frozen=True)
class LoadOptions:
    """How to read the files of one ``load`` call.

    ``kind`` forces what the files hold: a sheet kind, or a public data format read by
    :mod:`exposure.ingest.adapters`. ``mapping`` maps header keys (see :func:`exposure.ingest.schema.header_key`) to a canonical column,
    or to ``""`` to ignore that column. ``replace`` makes a file supersede every earlier load of
    a file of the same name (or the same content): a corrected version, or the same file read
    with other options. ``strict`` (``--strict``) refuses a file on any finding a load would
    otherwise keep as a data-quality warning (a stored rejected-row finding whose reason starts
    with ``dq:``, see :data:`exposure.warehouse.database.FINDING_PREFIX`).
    """

    buyer: str | None = None
    kind: LoadKind | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None
    replace: bool = False
    strict: bool = False


def parse_mapping(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Parse ``--map "Their Header=canonical"`` options.

    ``"Their Header="`` or ``"Their Header=ignore"`` drops that column.

    >>> parse_mapping(["Supplier Legal Name=supplier", "Internal Ref=ignore"])
    {'supplierlegalname': 'supplier', 'internalref': ''}
    """
    known = {column.name for columns in COLUMNS.values() for column in columns}
    mapping = {}
    for pair in pairs:
        header, sep, canonical = pair.rpartition("=")
        canonical = canonical.strip()
        if not sep or not header.strip():
            raise LoadError([Problem("--map", f"expected 'Their Header=column', got {pair!r}")])
        if canonical.lower() in ("", "ignore", "-"):
            canonical = ""
        elif canonical not in known:
            raise LoadError(
                [
                    Problem(
                        "--map",
                        f"'{canonical}' is not a column; expected one of: {', '.join(sorted(known))}",
                    )
                ]
            )
        mapping[header_key(header)] = canonical
    return mapping


@dataclass(frozen=True)
class MappedSheet:
    """A raw sheet with its kind, header row and canonical columns decided."""

    raw: RawSheet
    kind: SheetKind
    header_index: int
    columns: dict[str, int]
    headers: dict[int, str]
    buyer: str | None = None

    @property
    def data_rows(self) -> int:
        return self.raw.table.num_rows - self.header_index - 1


def _cell_text(table: pa.Table, row: int, column: int) -> str:
    value = table.column(column)[row].as_py()
    return "" if value is None else str(value).strip()


def _header_score(cells: list[str], mapping: Mapping[str, str]) -> int:
    every_column = COLUMNS["relationships"] + COLUMNS["organizations"]
    return sum(
        1
        for cell in cells
        if cell and (header_key(cell) in mapping or match_header(cell, every_column) is not None)
    )


def _detect_header_row(table: pa.Table, mapping: Mapping[str, str]) -> int:
    """The row, among the first ten, that looks most like a header (title rows above it)."""
    best, best_score = 0, 0
    for row in range(min(10, table.num_rows)):
        cells = [_cell_text(table, row, column) for column in range(table.num_columns)]
        score = _header_score(cells, mapping)
        if score > best_score:
            best, best_score = row, score
    return best


def _kind_from_name(name: str | None) -> SheetKind | None:
    if not name:
        return None
    return _SHEET_NAMES.get(header_key(name))


def map_sheet(
    raw: RawSheet, options: LoadOptions, *, file_stem: str | None = None
) -> MappedSheet | None:
    """Decide a sheet's kind, header row and columns.

    Returns None for a sheet of a workbook that is empty or clearly not data (no recognised
    header and no recognised sheet name); the caller reports it as skipped.

    Raises:
        LoadError: unknown or duplicated headers, missing required columns, a vendor list with
            no ``--buyer``, or a sheet with headers but no data rows.
    """
    table = raw.table
    where = {"file": raw.file, "sheet": raw.sheet}
    if table.num_rows == 0:
        if raw.sheet is None:
            raise LoadError([Problem(message="the file holds no rows", **where)])  # type: ignore[arg-type]
        return None
    header_index = _detect_header_row(table, options.mapping)
    header_cells = {
        column: _cell_text(table, header_index, column) for column in range(table.num_columns)
    }
    row_number = raw.first_row + header_index

    named: SheetKind | None = _kind_from_name(raw.sheet or file_stem)
    forced: SheetKind | None = next((k for k in SHEET_KINDS if k == options.kind), None)
    kind: SheetKind | None = forced or named
    relationship_matches = {
        match_header(cell, COLUMNS["relationships"]) for cell in header_cells.values() if cell
    }
    organization_matches = {
        match_header(cell, COLUMNS["organizations"]) for cell in header_cells.values() if cell
    }
    mapped_targets = {
        options.mapping.get(header_key(cell)) for cell in header_cells.values() if cell
    }
    if kind is None:
        targets = relationship_matches | mapped_targets
        relationship_only = targets - {None, "notes"} - {c.name for c in COLUMNS["organizations"]}
        if "buyer" in targets:
            kind = "relationships"
        elif "supplier" in targets:
            kind = "vendors"
        elif "name" in (organization_matches | mapped_targets):
            kind = "organizations"
        elif len(relationship_only) >= 2:
            # Dependency columns without the names: report the missing buyer and supplier.
            kind = "relationships"
    score = _header_score(list(header_cells.values()), options.mapping)
    if (
        kind in ("vendors", "relationships")
        and not forced
        and not {"buyer", "supplier"} & (relationship_matches | mapped_targets)
        and "name" in (organization_matches | mapped_targets)
    ):
        kind = "organizations"  # a "Suppliers" sheet that lists organizations, not dependencies
    if kind is not None and named is None and not forced and raw.sheet and score < 2:
        return None  # a cover page or a lookup list, not a table of ours
    if kind is None:
        if raw.sheet is not None and score < 2:
            return None
        expected = "; ".join(
            f"{sheet}: {', '.join(c.name for c in COLUMNS[sheet])}"
            for sheet in ("organizations", "relationships")
        )
        raise LoadError(
            [
                Problem(
                    message="cannot tell what this sheet holds: its headers match neither sheet. "
                    f"Expected columns ({expected}); name the sheet 'organizations' or "
                    "'relationships', pass --kind, or map headers with --map 'Their Header=column'",
                    row=row_number,
                    **where,  # type: ignore[arg-type]
                )
            ]
        )
    if kind == "relationships" and "buyer" not in (relationship_matches | mapped_targets):
        kind = "vendors"

    allowed = COLUMNS[kind]
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    headers: dict[int, str] = {}
    for index, cell in header_cells.items():
        cell_ref = column_letter(raw.first_column + index) if raw.sheet is not None else None
        if not cell:
            values = table.column(index).slice(header_index + 1, 1000).to_pylist()
            first_value = next(
                (k for k, v in enumerate(values) if v is not None and str(v).strip()), None
            )
            if first_value is not None:
                # Blame the first row holding a value there, not the header: in a CSV file it
                # is usually a row with one field too many (a value holding the delimiter).
                data_row = row_number + 1 + first_value
                problems.append(
                    Problem(
                        message=(
                            "this row has a value in a column that has no header; add a header "
                            "or delete the column"
                            if raw.sheet is not None
                            else "this row has more fields than the header row (the column has "
                            "no header): a value holding the delimiter (such as 1,000) must be "
                            "quoted"
                        ),
                        row=data_row,
                        column=f"#{index + 1}",
                        cell=f"{cell_ref}{data_row}" if cell_ref else None,
                        value=str(values[first_value])[:120],
                        **where,  # type: ignore[arg-type]
                    )
                )
            continue
        key = header_key(cell)
        canonical = options.mapping[key] if key in options.mapping else match_header(cell, allowed)
        if canonical == "":
            continue
        if canonical is None or canonical not in {c.name for c in allowed}:
            problems.append(_unknown_header(raw, kind, cell, row_number, cell_ref))
            continue
        if canonical in columns:
            first = headers[columns[canonical]]
            problems.append(
                Problem(
                    message=f"'{first}' and '{cell}' both mean '{canonical}'; keep one, or drop one "
                    f"with --map '{cell}=ignore'",
                    row=row_number,
                    column=cell,
                    **where,  # type: ignore[arg-type]
                )
            )
            continue
        columns[canonical] = index
        headers[index] = cell

    buyer = options.buyer
    if kind == "vendors" and not buyer:
        problems.append(
            Problem(
                message="this sheet has a supplier column but no buyer column: it looks like one "
                "company's vendor list. Load it with --buyer \"Company Name\" (or add a 'buyer' column)",
                row=row_number,
                **where,  # type: ignore[arg-type]
            )
        )
    for column in allowed:
        if column.required and column.name not in columns:
            if kind == "vendors" and column.name == "buyer":
                continue
            problems.append(
                Problem(
                    message=f"missing the required column '{column.name}'; the headers found are: "
                    f"{', '.join(repr(h) for h in headers.values()) or 'none'}",
                    row=row_number,
                    column=column.name,
                    **where,  # type: ignore[arg-type]
                )
            )
    if problems:
        raise LoadError(problems)
    mapped = MappedSheet(
        raw=raw, kind=kind, header_index=header_index, columns=columns, headers=headers, buyer=buyer
    )
    if mapped.data_rows <= 0:
        raise LoadError(
            [
                Problem(
                    message="the sheet has a header row but no data rows",
                    row=row_number,
                    **where,  # type: ignore[arg-type]
                )
            ]
        )
    return mapped


def _unknown_header(
    raw: RawSheet, kind: SheetKind, header: str, row: int, cell_ref: str | None
) -> Problem:
    from rapidfuzz import fuzz, process

    allowed = [c.name for c in COLUMNS[kind]]
    best = process.extractOne(
        header_key(header), [header_key(a) for a in allowed], scorer=fuzz.ratio
    )
    hint = f" Did you mean '{allowed[best[2]]}'?" if best and best[1] >= 60 else ""
    return Problem(
        raw.file,
        f"unknown column '{header}'. Expected columns for a {kind} sheet: {', '.join(allowed)}.{hint} "
        f"Map it with --map '{header}=<column>' or drop it with --map '{header}=ignore'",
        sheet=raw.sheet,
        row=row,
        column=header,
        cell=f"{cell_ref}{row}" if cell_ref else None,
    )
