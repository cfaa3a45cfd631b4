"""Map raw sheets to the canonical columns and validate every cell.

This is the edge of the system: after :func:`validate_sheet` a sheet's rows are typed and
trusted. Header matching is in Python (a sheet has a handful of headers); cell validation is
one SQL pass in DuckDB over the whole sheet, so a million-row CSV is checked as fast as it is
read. Every problem names the file, sheet, row and column.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from exposure.errors import LoadError, Problem
from exposure.readers import RawSheet, column_letter
from exposure.sql import sql_identifier, sql_literal
from exposure.schema import (
    COLUMNS,
    IDENTITY_COLUMNS,
    ORG_KINDS,
    RELATION_TYPES,
    Column,
    SheetKind,
    header_key,
    match_header,
)

__all__ = [
    "LoadOptions",
    "MappedSheet",
    "map_sheet",
    "parse_mapping",
    "staging_select",
    "validate_sheet",
]

logger = logging.getLogger(__name__)

# Problems reported per (sheet, column, rule) before the rest are only counted.
MAX_PROBLEMS_PER_RULE = 20

_SHEET_NAMES: dict[str, SheetKind] = {
    **dict.fromkeys(
        ("organizations", "organisations", "orgs", "organization", "entities", "companies"),
        "organizations",
    ),
    **dict.fromkeys(
        ("relationships", "relationship", "relations", "dependencies", "edges", "links"),
        "relationships",
    ),
    **dict.fromkeys(("vendors", "vendorlist", "vendormaster", "suppliers", "supplierlist"), "vendors"),
}

_KIND_SYNONYMS = {
    "government": "agency",
    "federal_agency": "agency",
    "prime_contractor": "prime",
    "sub": "subcontractor",
    "sub_contractor": "subcontractor",
    "vendor": "supplier",
    "cloud": "cloud_host",
    "cloud_provider": "cloud_host",
    "csp": "cloud_host",
    "software": "software_vendor",
    "isv": "software_vendor",
    "ai_vendor": "model_provider",
    "model_vendor": "model_provider",
    "ai_provider": "model_provider",
    "systems_integrator": "integrator",
}
_RELATION_SYNONYMS = {
    "prime": "prime_contract",
    "contract": "prime_contract",
    "subcontractor": "subcontract",
    "sub": "subcontract",
    "subaward": "subcontract",
    "part": "component",
    "hardware": "component",
    "api": "model_api",
    "ai_api": "model_api",
    "model": "model_api",
    "hosting": "cloud_hosting",
    "cloud": "cloud_hosting",
    "iaas": "cloud_hosting",
    "paas": "cloud_hosting",
    "resale": "resells",
    "reseller": "resells",
    "resell": "resells",
    "integration": "integrates",
    "integrate": "integrates",
    "services": "professional_services",
    "consulting": "professional_services",
    "software_license": "license",
    "licence": "license",
    "software": "license",
}

_TRUE = ("true", "t", "yes", "y", "1", "x", "1.0")
_FALSE = ("false", "f", "no", "n", "0", "0.0")


@dataclass(frozen=True)
class LoadOptions:
    """How to read the files of one ``load`` call.

    ``mapping`` maps header keys (see :func:`exposure.schema.header_key`) to a canonical column,
    or to ``""`` to ignore that column.
    """

    buyer: str | None = None
    kind: SheetKind | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None


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


def map_sheet(raw: RawSheet, options: LoadOptions, *, file_stem: str | None = None) -> MappedSheet | None:
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

    kind: SheetKind | None = options.kind or _kind_from_name(raw.sheet or file_stem)
    relationship_matches = {
        match_header(cell, COLUMNS["relationships"]) for cell in header_cells.values() if cell
    }
    organization_matches = {
        match_header(cell, COLUMNS["organizations"]) for cell in header_cells.values() if cell
    }
    mapped_targets = {options.mapping.get(header_key(cell)) for cell in header_cells.values() if cell}
    if kind is None:
        targets = relationship_matches | mapped_targets
        if {"buyer", "supplier"} <= targets:
            kind = "relationships"
        elif "supplier" in targets:
            kind = "vendors"
        elif "name" in (organization_matches | mapped_targets):
            kind = "organizations"
    if kind is None:
        if raw.sheet is not None and _header_score(list(header_cells.values()), options.mapping) == 0:
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
            has_data = table.column(index).slice(header_index + 1).drop_null()
            if any(str(v).strip() for v in has_data.to_pylist()[:1000]):
                problems.append(
                    Problem(
                        message="this column has data but no header; add a header or delete the column",
                        row=row_number,
                        column=f"#{index + 1}",
                        cell=f"{cell_ref}{row_number}" if cell_ref else None,
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
    best = process.extractOne(header_key(header), [header_key(a) for a in allowed], scorer=fuzz.ratio)
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


# ---------------------------------------------------------------------------------------------
# Cell validation, in SQL


def _clean(expr: str) -> str:
    """Trim and collapse white space (non-breaking spaces included); blank becomes NULL."""
    return f"nullif(trim(regexp_replace({expr}, '[\\s\\x{{00A0}}]+', ' ', 'g')), '')"


def _enum_expr(expr: str, synonyms: Mapping[str, str]) -> str:
    token = f"trim(regexp_replace(lower({_clean(expr)}), '[^a-z0-9]+', '_', 'g'), '_')"
    cases = " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in synonyms.items())
    return f"(CASE {token} {cases} ELSE {token} END)" if cases else token


def _money_expr(expr: str) -> str:
    text = f"lower({_clean(expr)})"
    number = f"TRY_CAST(regexp_replace({text}, '(usd|us\\$|\\$|,|\\s|[km]$)', '', 'g') AS DOUBLE)"
    scale = f"(CASE WHEN {text} LIKE '%k' THEN 1e3 WHEN {text} LIKE '%m' THEN 1e6 ELSE 1 END)"
    return f"({number} * {scale})"


def _typed_expr(column: Column, expr: str) -> str:
    """SQL giving the typed value of a cell (NULL when blank or invalid)."""
    if column.type in ("text", "name"):
        return _clean(expr)
    if column.type == "uei" or column.type == "cage":
        return f"exposure_key({_clean(expr)})"
    if column.type == "kind":
        return _enum_expr(expr, _KIND_SYNONYMS)
    if column.type == "relation":
        return _enum_expr(expr, _RELATION_SYNONYMS)
    if column.type == "money":
        return _money_expr(expr)
    if column.type in ("int", "number"):
        return f"TRY_CAST(regexp_replace({_clean(expr)}, ',', '', 'g') AS DOUBLE)"
    if column.type == "bool":
        text = f"lower({_clean(expr)})"
        true = ", ".join(sql_literal(v) for v in _TRUE)
        false = ", ".join(sql_literal(v) for v in _FALSE)
        return f"(CASE WHEN {text} IN ({true}) THEN true WHEN {text} IN ({false}) THEN false END)"
    raise AssertionError(column.type)


def _invalid_condition(column: Column, expr: str) -> tuple[str, str] | None:
    """SQL condition that is true for a non-blank but invalid cell, and the message for it."""
    typed = _typed_expr(column, expr)
    present = f"{_clean(expr)} IS NOT NULL"
    if column.type == "uei":
        return (
            f"{present} AND NOT regexp_full_match(coalesce({typed}, ''), '[A-Z0-9]{{12}}')",
            "a UEI is 12 letters and digits (SAM.gov Unique Entity ID)",
        )
    if column.type == "cage":
        return (
            f"{present} AND NOT regexp_full_match(coalesce({typed}, ''), '[A-Z0-9]{{5}}')",
            "a CAGE code is 5 letters and digits",
        )
    if column.type == "kind":
        return (
            f"{present} AND {typed} NOT IN ({', '.join(sql_literal(k) for k in ORG_KINDS)})",
            f"unknown kind; expected one of: {', '.join(ORG_KINDS)}",
        )
    if column.type == "relation":
        return (
            f"{present} AND {typed} NOT IN ({', '.join(sql_literal(r) for r in RELATION_TYPES)})",
            f"unknown relation type; expected one of: {', '.join(RELATION_TYPES)}",
        )
    if column.type == "bool":
        return (f"{present} AND {typed} IS NULL", "expected true or false (yes/no, y/n, 1/0)")
    if column.type in ("money", "int", "number"):
        what = {
            "money": "an amount in US dollars, such as 125000 or $1,250,000",
            "int": "a whole number",
            "number": "a number",
        }[column.type]
        bounds = []
        if column.minimum is not None:
            bounds.append(f"{typed} < {column.minimum}")
        if column.maximum is not None:
            bounds.append(f"{typed} > {column.maximum}")
        integral = f" OR {typed} <> floor({typed})" if column.type == "int" else ""
        range_text = ""
        if column.minimum is not None and column.maximum is not None:
            range_text = f" from {column.minimum:g} to {column.maximum:g}"
        elif column.minimum is not None:
            range_text = f" of at least {column.minimum:g}"
        out_of_range = " OR ".join(bounds) or "false"
        return (
            f"{present} AND ({typed} IS NULL OR isnan({typed}) OR isinf({typed}) OR {out_of_range}{integral})",
            f"expected {what}{range_text}",
        )
    return None


@dataclass(frozen=True)
class _Rule:
    column: str
    condition: str
    message: str
    value_expr: str


def _rules(sheet: MappedSheet, col: dict[str, str]) -> list[_Rule]:
    rules: list[_Rule] = []
    for column in COLUMNS[sheet.kind]:
        if column.name not in col:
            continue
        expr = col[column.name]
        header = sheet.headers[sheet.columns[column.name]]
        invalid = _invalid_condition(column, expr)
        if invalid:
            rules.append(_Rule(header, invalid[0], invalid[1], expr))
        if column.required:
            rules.append(
                _Rule(header, f"{_clean(expr)} IS NULL", f"'{column.name}' is required; the cell is blank", expr)
            )
        if column.name in IDENTITY_COLUMNS:
            rules.append(
                _Rule(
                    header,
                    f"regexp_matches(coalesce({expr}, ''), '^[\\s]*([=+@\\t\\r]|-[^0-9\\s])')",
                    "looks like a spreadsheet formula; organization names and identifiers must be "
                    "plain text",
                    expr,
                )
            )
    if sheet.kind in ("relationships", "vendors") and "supplier" in col:
        buyer = col.get("buyer", "NULL")
        if sheet.buyer:
            buyer = f"coalesce({_clean(buyer)}, {sql_literal(sheet.buyer)})" if "buyer" in col else sql_literal(sheet.buyer)
        rules.append(
            _Rule(
                sheet.headers[sheet.columns["supplier"]],
                f"exposure_norm_name({buyer}) = exposure_norm_name({col['supplier']})",
                "the supplier is the buyer itself; a dependency needs two organizations",
                col["supplier"],
            )
        )
    return rules


def _formula_problems(sheet: MappedSheet) -> list[Problem]:
    raw = sheet.raw
    problems = []
    by_index = {index: name for name, index in sheet.columns.items()}
    for (row, column), (formula, cached) in sorted(raw.formulas.items()):
        index = column - raw.first_column
        if row <= raw.first_row + sheet.header_index or index not in by_index:
            continue
        canonical = by_index[index]
        if canonical in IDENTITY_COLUMNS:
            message = "holds a formula; organization names and identifiers must be plain text"
        elif not cached:
            message = "holds a formula with no saved result; paste values instead of formulas"
        else:
            continue
        problems.append(
            Problem(
                raw.file,
                message,
                sheet=raw.sheet,
                row=row,
                column=sheet.headers[index],
                value=formula,
                cell=f"{column_letter(column)}{row}",
            )
        )
    return problems


def staging_select(sheet: MappedSheet, relation_name: str) -> tuple[str, dict[str, str]]:
    """The SELECT that types a registered raw table; also returns canonical -> raw expression."""
    col = {name: sql_identifier(f"c{index}") for name, index in sheet.columns.items()}
    selects = []
    for column in COLUMNS[sheet.kind]:
        if column.name == "buyer" and sheet.buyer:
            expr = (
                f"coalesce({_clean(col['buyer'])}, {sql_literal(sheet.buyer)})"
                if "buyer" in col
                else sql_literal(sheet.buyer)
            )
            selects.append(f"{expr} AS buyer")
            continue
        if column.name not in col:
            selects.append(f"NULL AS {column.name}")
            continue
        typed = _typed_expr(column, col[column.name])
        if column.type == "int":
            typed = f"CAST({typed} AS INTEGER)"
        if column.name == "relation":
            typed = f"coalesce({typed}, 'other')"
        selects.append(f"{typed} AS {column.name}")
    return f"SELECT _row, {', '.join(selects)} FROM {relation_name}", col


def register_sheet(con: duckdb.DuckDBPyConnection, sheet: MappedSheet, name: str) -> str:
    """Register a sheet's data rows (header and blank rows dropped) as a view; return its name."""
    table = sheet.raw.table.slice(sheet.header_index + 1)
    rows = np.arange(table.num_rows, dtype=np.int64) + sheet.raw.first_row + sheet.header_index + 1
    table = table.append_column("_row", pa.array(rows))
    con.register(f"{name}_arrow", table)
    used = [sql_identifier(f"c{index}") for index in sheet.columns.values()]
    not_blank = " OR ".join(f"nullif(trim({c}), '') IS NOT NULL" for c in used) or "true"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_arrow WHERE {not_blank}")
    return name


def validate_sheet(con: duckdb.DuckDBPyConnection, sheet: MappedSheet, name: str) -> list[Problem]:
    """Check every cell of a registered sheet; return the problems (empty when it is clean)."""
    col = {name_: sql_identifier(f"c{index}") for name_, index in sheet.columns.items()}
    raw = sheet.raw
    problems = _formula_problems(sheet)
    rules = _rules(sheet, col)
    if rules:
        parts = [
            f"SELECT {i} AS rule, _row, CAST({rule.value_expr} AS VARCHAR) AS value FROM {name} "
            f"WHERE {rule.condition}"
            for i, rule in enumerate(rules)
        ]
        query = (
            "SELECT rule, _row, value, count(*) OVER (PARTITION BY rule) AS n FROM ("
            + " UNION ALL ".join(parts)
            + ") QUALIFY row_number() OVER (PARTITION BY rule ORDER BY _row) <= "
            + str(MAX_PROBLEMS_PER_RULE)
            + " ORDER BY _row, rule"
        )
        truncated = 0
        seen_rules: set[int] = set()
        for rule_index, row, value, count in con.execute(query).fetchall():
            rule = rules[rule_index]
            if rule_index not in seen_rules:
                seen_rules.add(rule_index)
                truncated += max(0, count - MAX_PROBLEMS_PER_RULE)
            column_index = next(i for i, h in sheet.headers.items() if h == rule.column)
            problems.append(
                Problem(
                    raw.file,
                    rule.message,
                    sheet=raw.sheet,
                    row=row,
                    column=rule.column,
                    value=value,
                    cell=f"{column_letter(raw.first_column + column_index)}{row}" if raw.sheet else None,
                )
            )
        if truncated:
            problems.append(
                Problem(raw.file, f"{truncated} more cell problem(s) of the same kinds", sheet=raw.sheet)
            )
    problems.extend(_duplicate_problems(con, sheet, name, col))
    return problems


def _duplicate_problems(
    con: duckdb.DuckDBPyConnection, sheet: MappedSheet, name: str, col: dict[str, str]
) -> list[Problem]:
    select, _ = staging_select(sheet, name)
    if sheet.kind == "organizations":
        keys = ["exposure_norm_name(name)"]
        what = "names the same organization as"
        column = sheet.headers[sheet.columns["name"]]
    else:
        keys = [
            "exposure_norm_name(buyer)",
            "exposure_norm_name(supplier)",
            "relation",
            "lower(product)",
            "lower(used_in)",
            "contract_id",
            "program",
        ]
        what = "repeats the dependency (buyer, supplier, relation, product, used_in, contract, program) of"
        column = sheet.headers[sheet.columns["supplier"]]
    key_list = ", ".join(keys)
    rows = con.execute(
        f"WITH typed AS ({select}) "
        f"SELECT _row, first_row FROM (SELECT _row, min(_row) OVER (PARTITION BY {key_list}) AS first_row "
        f"FROM typed) WHERE _row <> first_row ORDER BY _row LIMIT {MAX_PROBLEMS_PER_RULE + 1}"
    ).fetchall()
    problems = [
        Problem(
            sheet.raw.file,
            f"duplicate row: it {what} row {first}; remove one, or tell them apart by contract_id or product",
            sheet=sheet.raw.sheet,
            row=row,
            column=column,
        )
        for row, first in rows[:MAX_PROBLEMS_PER_RULE]
    ]
    if len(rows) > MAX_PROBLEMS_PER_RULE:
        problems.append(Problem(sheet.raw.file, "more duplicate rows", sheet=sheet.raw.sheet))
    return problems
