"""Check every cell of a mapped sheet, in SQL, and type it for staging.

Each sheet is read once into a temporary table, ``<name>_typed``: every cell trimmed (white
space collapsed, blank as NULL: :func:`exposure.core.cells.clean_text_sql`) and typed (numbers,
booleans, kinds, relations), with the cleaned text of each typed column (``_text_<column>``,
for messages) and the spreadsheet row number ``_row``; blank rows are dropped. Names are
normalized once per distinct name
(``<name>_names``) and joined in by the view ``<name>_normed`` where a rule needs them.

The rules are then plain comparisons, so a million-row CSV is checked in a few seconds.
A problem names the file, sheet, row, column (the user's own header) and value.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from exposure.core.cells import clean_text_sql, refused_as_name_sql
from exposure.core.errors import Problem
from exposure.core.identity import exact_key_sql
from exposure.core.sql import scalar, sql_identifier, sql_literal
from exposure.ingest.mapping import MappedSheet, unknown_column_problems
from exposure.ingest.readers import column_letter, csv_error
from exposure.ingest.schema import (
    COLUMNS,
    CONFIDENCE,
    CONFIDENCE_SYNONYMS,
    IDENTITY_COLUMNS,
    KIND_SYNONYMS,
    ORG_KINDS,
    RELATION_SYNONYMS,
    RELATION_TYPES,
    VENDOR_IDENTITY_COLUMNS,
    VOCABULARIES,
    Column,
)
from exposure.model.facts import FACT_SYNONYMS, FactField, vocabulary

__all__ = [
    "CONFIDENCE_SYNONYMS",
    "KIND_SYNONYMS",
    "MAX_PROBLEMS_PER_RULE",
    "RELATION_SYNONYMS",
    "drop_sheet",
    "findings_select",
    "prepare_sheet",
    "staging_select",
    "validate_sheet",
    "vendor_organizations_select",
]

logger = logging.getLogger(__name__)

# Problems reported per rule before the rest are only counted.
MAX_PROBLEMS_PER_RULE = 20

# Identifier cells that say there is none: blank.
_NO_IDENTIFIER = (
    "n/a",
    "na",
    "n.a.",
    "none",
    "null",
    "nil",
    "-",
    "--",
    "tbd",
    "pending",
    "unknown",
    "not applicable",
    "not available",
)
_TRUE = ("true", "t", "yes", "y", "1", "x", "1.0")
_FALSE = ("false", "f", "no", "n", "0", "0.0")


def _list_sql(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(sql_literal(value) for value in values)


def _map_sql(mapping: dict[str, str]) -> str:
    return (
        "MAP {" + ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in mapping.items()) + "}"
    )


def _thousands(text: str) -> str:
    """A plain number, or one with comma thousands separators ("1,250,000.50"), else NULL.

    A comma anywhere else ("1,5" with a decimal comma) is refused, never silently rescaled.
    """
    pattern = "[0-9]+(\\.[0-9]+)?|[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?"
    return f"(CASE WHEN regexp_full_match({text}, '{pattern}') THEN TRY_CAST(replace({text}, ',', '') AS DOUBLE) END)"


def _typed_expr(column: Column, text: str) -> str:
    """SQL typing a cleaned text column (NULL when blank or invalid)."""
    if column.type in ("text", "name"):
        return text
    if column.type == "cage":
        # A spreadsheet stores an all-digit CAGE code as a number and drops its leading zeros
        # ("04939" reads 4939): the code is 5 characters, so they are put back.
        key = f"exposure_key({text})"
        return (
            f"(CASE WHEN regexp_full_match({key}, '[0-9]{{1,4}}') THEN lpad({key}, 5, '0') "
            f"ELSE {key} END)"
        )
    if column.type == "uei":
        return f"exposure_key({text})"
    if column.type in ("kind", "relation", "confidence"):
        synonyms, allowed = VOCABULARIES[column.type]
        token = f"trim(regexp_replace(lower({text}), '[^a-z0-9]+', '_', 'g'), '_')"
        # Canonical values (the common case) skip the regex; CASE only evaluates what it needs.
        return (
            f"(CASE WHEN lower({text}) IN ({_list_sql(allowed)}) THEN lower({text}) "
            f"ELSE coalesce({_map_sql(synonyms)}[{token}], {token}) END)"
        )
    if column.type == "fact":
        # Deployment facts: canonical value, else a known spelling, else the token itself
        # (refused by the rule below, naming the values allowed).
        field: FactField = column.name  # type: ignore[assignment]
        token = f"trim(regexp_replace(lower({text}), '[^a-z0-9]+', '_', 'g'), '_')"
        return (
            f"(CASE WHEN lower({text}) IN ({_list_sql(vocabulary(field))}) THEN lower({text}) "
            f"ELSE coalesce({_map_sql(FACT_SYNONYMS[field])}[{token}], {token}) END)"
        )
    if column.type == "money":
        lowered = f"lower({text})"
        digits = f"regexp_replace({lowered}, '(usd|us\\$|\\$|\\s|[km]$)', '', 'g')"
        scale = (
            f"(CASE WHEN {lowered} LIKE '%k' THEN 1e3 WHEN {lowered} LIKE '%m' THEN 1e6 ELSE 1 END)"
        )
        return f"coalesce(TRY_CAST({text} AS DOUBLE), {_thousands(digits)} * {scale})"
    if column.type in ("int", "number"):
        return f"coalesce(TRY_CAST({text} AS DOUBLE), {_thousands(text)})"
    if column.type == "date":
        # ISO dates (and Excel date cells, read as timestamps), or US month/day/year.
        return (
            f"coalesce(TRY_CAST({text} AS DATE), TRY_CAST(TRY_CAST({text} AS TIMESTAMP) AS DATE), "
            f"TRY_CAST(try_strptime({text}, '%m/%d/%Y') AS DATE))"
        )
    if column.type == "bool":
        lowered = f"lower({text})"
        return (
            f"(CASE WHEN {lowered} IN ({_list_sql(_TRUE)}) THEN true "
            f"WHEN {lowered} IN ({_list_sql(_FALSE)}) THEN false END)"
        )
    raise AssertionError(column.type)


def prepare_sheet(con: duckdb.DuckDBPyConnection, sheet: MappedSheet, name: str) -> None:
    """Create ``<name>_typed``, ``<name>_names`` and the ``<name>_normed`` view for a sheet."""
    first_data_row = sheet.raw.first_row + sheet.header_index + 1
    if sheet.raw.source_sql:
        # The file as it is first, in file order (a plain copy keeps DuckDB's insertion order;
        # a projection with expressions may not), so rowid gives each row its number.
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name}_csv AS SELECT * FROM {sheet.raw.source_sql}"
            )
        except duckdb.Error as exc:
            raise csv_error(sheet.raw.file, exc, sheet.raw.csv_path) from exc
        start = int(scalar(con, f"SELECT coalesce(min(rowid), 0) FROM {name}_csv"))
        index = f"(rowid - {start} + {sheet.raw.source_skip})"
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name}_arrow AS SELECT {index} - {sheet.header_index + 1}"
            f" + {first_data_row} AS _row, * FROM {name}_csv WHERE {index} > {sheet.header_index}"
        )
    else:
        table = sheet.raw.table.slice(sheet.header_index + 1)
        rows = np.arange(table.num_rows, dtype=np.int64) + first_data_row
        con.register(f"{name}_arrow", table.append_column("_row", pa.array(rows)))
    raw = {column: sql_identifier(f"c{index}") for column, index in sheet.columns.items()}
    # Blank rows are dropped on the cleaned values (free by then), from the user's own columns.
    not_blank = " OR ".join(f"t.{column} IS NOT NULL" for column in sheet.columns) or "true"
    cleaned = []
    for column in COLUMNS[sheet.kind]:
        if column.name == "buyer" and sheet.buyer:
            given = sql_literal(sheet.buyer)
            expr = f"coalesce({exact_key_sql(raw['buyer'])}, {given})" if "buyer" in raw else given
        elif column.name in raw and column.type == "name":
            # Names are stored as their exact key: the spelling the identity tiers compare.
            expr = exact_key_sql(raw[column.name])
        elif column.name in raw and column.type == "text":
            expr = clean_text_sql(raw[column.name])
        elif column.name in raw and column.type in ("uei", "cage"):
            # "N/A", "none", "pending": what exports write for an identifier nobody has.
            cell = f"trim({raw[column.name]})"
            expr = (
                f"CASE WHEN lower({cell}) IN ({_list_sql(_NO_IDENTIFIER)}) THEN NULL "
                f"ELSE nullif({cell}, '') END"
            )
        elif column.name in raw:
            # Typed cells need no inner white space collapsed: trimming is enough.
            expr = f"nullif(trim({raw[column.name]}), '')"
        else:
            expr = "NULL::VARCHAR"
        cleaned.append(f"{expr} AS {column.name}")
    typed = []
    for column in COLUMNS[sheet.kind]:
        expr = _typed_expr(column, f"t.{column.name}")
        if column.name == "relation":
            expr = f"coalesce({expr}, 'other')"
        typed.append(f"{expr} AS {column.name}")
    texts = [f"t.{c.name} AS {_text(c)}" for c in COLUMNS[sheet.kind] if _text(c) != c.name]
    # One pass: the inner projection cleans each cell once, the outer one types it; each row
    # carries its number, whatever order the rows are stored in.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name}_typed AS SELECT t._row, {', '.join(typed + texts)} "
        f"FROM (SELECT _row, {', '.join(cleaned)} FROM {name}_arrow) t WHERE {not_blank}"
    )
    if sheet.raw.source_sql:
        con.execute(f"DROP VIEW {name}_arrow")
        con.execute(f"DROP TABLE {name}_csv")
    else:
        con.unregister(f"{name}_arrow")
    # Normalized names: computed once per distinct name, joined where rules need them.
    name_columns = ["name"] if sheet.kind == "organizations" else ["buyer", "supplier"]
    distinct = " UNION ".join(f"SELECT {c} AS n FROM {name}_typed" for c in name_columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name}_names AS SELECT n, exposure_norm_name(n) AS norm "
        f"FROM (SELECT DISTINCT n FROM ({distinct})) WHERE n IS NOT NULL"
    )
    joins = " ".join(f"LEFT JOIN {name}_names n_{c} ON n_{c}.n = t.{c}" for c in name_columns)
    norms = ", ".join(f"n_{c}.norm AS _{c}_norm" for c in name_columns)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {name}_normed AS SELECT t.*, {norms} FROM {name}_typed t {joins}"
    )


def _text(column: Column) -> str:
    """The typed table's column holding a cell's cleaned text."""
    return column.name if column.type in ("text", "name") else f"_text_{column.name}"


def drop_sheet(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a prepared sheet's temporary tables."""
    for suffix in ("arrow", "normed"):
        con.execute(f"DROP VIEW IF EXISTS {name}_{suffix}")
    for suffix in ("typed", "names", "csv"):
        con.execute(f"DROP TABLE IF EXISTS {name}_{suffix}")


def staging_select(sheet: MappedSheet, name: str) -> str:
    """The SELECT giving a prepared sheet's typed canonical columns and ``_row``, as staged.

    A parent given by UEI (``parent_uei``) is stored as the ``parent``. A vendor list stages
    its relationship columns; a row giving the supplier's UEI names the supplier by it (as the
    USAspending adapter does), so the dependency resolves to the organization of that UEI
    even where two suppliers share a name; the supplier's name is staged with its identifiers
    by :func:`vendor_organizations_select`.
    """
    if sheet.kind == "organizations":
        columns = [
            "coalesce(parent_uei, parent) AS parent" if c.name == "parent" else c.name
            for c in COLUMNS["organizations"]
            if c.name != "parent_uei"
        ]
    else:
        columns = [
            "coalesce(uei, supplier) AS supplier"
            if c.name == "supplier" and "uei" in sheet.columns
            else c.name
            for c in COLUMNS["relationships"]
        ]
    return f"SELECT {', '.join(columns)}, _row FROM {name}_typed"


def vendor_organizations_select(sheet: MappedSheet, name: str) -> str | None:
    """The SELECT of ``organizations`` rows a vendor list declares, or None (not a vendor list,
    or one without identifier columns).

    One row per distinct supplier and identifiers (a vendor repeated per cost centre or year is
    declared once, at its first row): its name, UEI, CAGE, country, parent (by UEI when given,
    else by name; none when it is the supplier itself) and aliases (DBA names); a parent given
    by name and UEI both is declared with them. A supplier
    given with other identifiers on another row, or elsewhere, is a conflict that resolution
    lists in data quality; nothing is overwritten.
    """
    if sheet.kind != "vendors" or not set(VENDOR_IDENTITY_COLUMNS) & set(sheet.columns):
        return None
    parents = ""
    if {"parent", "parent_uei"} <= set(sheet.columns):
        # A parent given by name and UEI both is declared so: it is found by either.
        parents = f"""
            UNION ALL
            SELECT parent, NULL, parent_uei, NULL, NULL, NULL, NULL, min(_row)
            FROM {name}_typed
            WHERE parent IS NOT NULL AND parent_uei IS NOT NULL
              AND parent_uei IS DISTINCT FROM uei
            GROUP BY parent, parent_uei
        """
    return f"""
        SELECT name, NULL::VARCHAR AS kind, uei, cage, country,
               CASE WHEN parent = uei OR exposure_norm_name(parent) = exposure_norm_name(name)
                    THEN NULL ELSE parent END AS parent,
               CASE WHEN exposure_norm_name(aliases) = exposure_norm_name(name) THEN NULL
                    ELSE aliases END AS aliases,
               min(_row) AS _row
        FROM (
            SELECT supplier AS name, uei, cage, country, coalesce(parent_uei, parent) AS parent,
                   aliases, _row
            FROM {name}_typed
        )
        GROUP BY ALL
        {parents}
    """


def unknown_columns_text(sheet: MappedSheet) -> str | None:
    """The warning for a sheet's headers that mean no column: each header with its column and
    the hint offered for it; None when every header was understood (or ignored by ``--map``)."""
    if not sheet.unknown:
        return None
    listed = "; ".join(
        f"'{u.header}' (column {u.column})"
        + (f": {u.hint.text.rstrip('.')}" if u.hint.text else "")
        for u in sheet.unknown
    )
    return (
        f"{len(sheet.unknown)} column(s) with headers the tool does not know were not loaded: "
        f"{listed}. Map one with --map 'Header=column', silence it with --map 'Header=ignore'; "
        "--strict refuses such a file"
    )


def findings_select(con: duckdb.DuckDBPyConnection, sheet: MappedSheet, name: str) -> str | None:
    """A SELECT of the warnings a lenient load keeps for a prepared sheet, as rejected-row
    findings (``reason``, ``name``, ``detail``, ``_row``; reasons start with ``dq:``), or None
    when there are none.

    ``dq:unknown_column``: one row, at the header row, listing the headers that mean no column.
    ``dq:duplicate_rows_merged``: one row per group of rows repeating each other, at its first
    row, naming the rows and how they are merged (resolution merges them: values summed, the
    highest criticality, essential if any, the fewest alternatives, the longest replacement;
    see :mod:`exposure.warehouse.resolve`); every row is stored, and stays evidence.
    """
    parts = []
    keys, _, _ = _duplicate_keys(sheet)
    if sheet.kind == "organizations":
        name_sql = "min(name)"
        what = "' rows declare the same organization (same name, UEI and CAGE): merged into one'"
    else:
        name_sql = "min(supplier)"

        def part(label: str, column: str) -> str:
            return f"coalesce(', {label} ' || min({column}), '')"

        value = "coalesce('; values summed: ' || format('{:,.2f}', sum(annual_value_usd)) || ' USD', '')"
        what = (
            "' rows state the same dependency (' || min(buyer) || ' on ' || min(supplier) || ', '"
            f" || min(relation) || {part('product', 'product')} || {part('used in', 'used_in')}"
            f" || {part('contract', 'contract_id')} || {part('program', 'program')}"
            "|| '): merged into one edge' || "
            f"{value} || ', the highest criticality, essential if any row says so, the fewest "
            "alternatives and the longest replacement kept; every row stays evidence'"
        )
    rows = (
        "array_to_string(list(_row ORDER BY _row)[1:10], ', ') || CASE WHEN count(*) > 10 "
        "THEN ' (+' || (count(*) - 10) || ' more)' ELSE '' END"
    )
    if scalar(
        con,
        f"SELECT count(*) FROM (SELECT hash({keys}) AS h FROM {name}_typed GROUP BY h "
        "HAVING count(*) > 1)",
    ):
        parts.append(
            f"SELECT 'dq:duplicate_rows_merged' AS reason, {name_sql} AS name, "
            f"count(*) || {what} || ' (rows ' || {rows} || ')' AS detail, min(_row) AS _row "
            f"FROM {name}_typed GROUP BY {keys} HAVING count(*) > 1"
        )
    unknown = unknown_columns_text(sheet)
    if unknown is not None:
        header_row = sheet.raw.first_row + sheet.header_index
        parts.append(
            f"SELECT 'dq:unknown_column' AS reason, NULL::VARCHAR AS name, "
            f"{sql_literal(unknown)} AS detail, {header_row}::BIGINT AS _row"
        )
    return " UNION ALL ".join(parts) if parts else None


@dataclass(frozen=True)
class _Rule:
    column: Column
    condition: str
    message: str


def _invalid(column: Column) -> tuple[str, str] | None:
    """Condition over ``c`` (clean text) and ``t`` (typed) for an invalid non-blank cell."""
    value = f"t.{column.name}"
    if column.type == "uei":
        return (
            f"NOT regexp_full_match(coalesce({value}, ''), '[A-Z0-9]{{12}}')",
            "a UEI is 12 letters and digits (SAM.gov Unique Entity ID)",
        )
    if column.type == "cage":
        return (
            f"NOT regexp_full_match(coalesce({value}, ''), '[A-Z0-9]{{5}}')",
            "a CAGE code is 5 letters and digits",
        )
    if column.type == "kind":
        return (
            f"{value} NOT IN ({_list_sql(ORG_KINDS)})",
            f"unknown kind; expected one of: {', '.join(ORG_KINDS)}",
        )
    if column.type == "relation":
        return (
            f"{value} NOT IN ({_list_sql(RELATION_TYPES)})",
            f"unknown relation type; expected one of: {', '.join(RELATION_TYPES)}",
        )
    if column.type == "fact":
        allowed = vocabulary(column.name)  # type: ignore[arg-type]
        return (
            f"{value} NOT IN ({_list_sql(allowed)})",
            f"unknown {column.name}; expected one of: {', '.join(allowed)} (or blank: unknown)",
        )
    if column.type == "confidence":
        return (
            f"{value} NOT IN ({_list_sql(CONFIDENCE)})",
            f"unknown confidence; expected one of: {', '.join(CONFIDENCE)}",
        )
    if column.type == "bool":
        return (f"{value} IS NULL", "expected true or false (yes/no, y/n, 1/0)")
    if column.type == "date":
        return (f"{value} IS NULL", "expected a date, such as 2026-06-01 or 06/01/2026")
    if column.type in ("money", "int", "number"):
        what = {
            "money": "an amount in US dollars, such as 125000 or $1,250,000",
            "int": "a whole number",
            "number": "a number",
        }[column.type]
        bad = [f"{value} IS NULL", f"isnan({value})", f"isinf({value})"]
        if column.minimum is not None:
            bad.append(f"{value} < {column.minimum}")
        if column.maximum is not None:
            bad.append(f"{value} > {column.maximum}")
        if column.type == "int":
            bad.append(f"{value} <> floor({value})")
        if column.minimum is not None and column.maximum is not None:
            what += f" from {column.minimum:g} to {column.maximum:g}"
        elif column.minimum is not None:
            what += f" of at least {column.minimum:g}"
        return (" OR ".join(bad), f"expected {what}")
    return None


def _rules(sheet: MappedSheet) -> list[_Rule]:
    rules: list[_Rule] = []
    for column in COLUMNS[sheet.kind]:
        if column.name not in sheet.columns and not (column.name == "buyer" and sheet.buyer):
            continue
        text = f"t.{_text(column)}"
        invalid = _invalid(column)
        if invalid:
            rules.append(_Rule(column, f"{text} IS NOT NULL AND ({invalid[0]})", invalid[1]))
        if column.required:
            rules.append(
                _Rule(column, f"{text} IS NULL", f"'{column.name}' is required; the cell is blank")
            )
        if column.name in IDENTITY_COLUMNS:
            rules.append(
                _Rule(
                    column,
                    refused_as_name_sql(text),
                    "looks like a spreadsheet formula; organization names and identifiers must be plain text",
                )
            )
    for name_column in ("name",) if sheet.kind == "organizations" else ("buyer", "supplier"):
        rules.append(
            _Rule(
                next(c for c in COLUMNS[sheet.kind] if c.name == name_column),
                f"t.{name_column} IS NOT NULL AND t._{name_column}_norm IS NULL",
                "a name needs at least one letter or digit",
            )
        )
    if sheet.kind != "organizations":
        rules.append(
            _Rule(
                next(c for c in COLUMNS[sheet.kind] if c.name == "supplier"),
                "t._buyer_norm = t._supplier_norm",
                "the supplier is the buyer itself; a dependency needs two organizations",
            )
        )
    return rules


def _header_of(sheet: MappedSheet, column: str) -> str:
    index = sheet.columns.get(column)
    if index is None:
        return "--buyer" if column == "buyer" else column
    return sheet.headers[index]


def _cell(sheet: MappedSheet, column: str, row: int) -> str | None:
    index = sheet.columns.get(column)
    if index is None or sheet.raw.sheet is None:
        return None
    return f"{column_letter(sheet.raw.first_column + index)}{row}"


def validate_sheet(
    con: duckdb.DuckDBPyConnection, sheet: MappedSheet, name: str, *, strict: bool = False
) -> list[Problem]:
    """Every problem in a prepared sheet (empty when it is clean).

    Headers that mean no column and rows repeating another row are problems only with
    ``strict`` (``--strict``); otherwise the load keeps them as findings
    (:func:`findings_select`): the columns left out, the rows merged.
    """
    raw = sheet.raw
    if not scalar(con, f"SELECT count(*) FROM {name}_typed"):
        return [
            Problem(
                raw.file,
                "the sheet has a header row but no data rows (only blank rows)",
                sheet=raw.sheet,
            )
        ]
    problems = _formula_problems(sheet)
    rules = _rules(sheet)
    parts = [
        f"SELECT {index} AS rule, t._row, t.{_text(rule.column)} AS value "
        f"FROM {name}_{'normed' if '_norm' in rule.condition else 'typed'} t WHERE {rule.condition}"
        for index, rule in enumerate(rules)
    ]
    query = (
        "SELECT rule, _row, value, count(*) OVER (PARTITION BY rule) AS n FROM ("
        + " UNION ALL ".join(parts)
        + f") QUALIFY row_number() OVER (PARTITION BY rule ORDER BY _row) <= {MAX_PROBLEMS_PER_RULE} "
        "ORDER BY _row, rule"
    )
    hidden: dict[int, int] = {}
    for rule_index, row, value, count in con.execute(query).fetchall():
        rule = rules[rule_index]
        hidden[rule_index] = max(0, count - MAX_PROBLEMS_PER_RULE)
        problems.append(
            Problem(
                raw.file,
                rule.message,
                sheet=raw.sheet,
                row=row,
                column=_header_of(sheet, rule.column.name),
                value=value,
                cell=_cell(sheet, rule.column.name, row),
            )
        )
    if sum(hidden.values()):
        problems.append(
            Problem(
                raw.file,
                f"{sum(hidden.values())} more cell problem(s) of the same kinds",
                sheet=raw.sheet,
            )
        )
    if strict:
        problems[:0] = unknown_column_problems(sheet)
        problems.extend(_duplicate_problems(con, sheet, name))
    return problems


def _duplicate_keys(sheet: MappedSheet) -> tuple[str, str, str]:
    """The columns two rows of a sheet must share to repeat each other (names by their exact
    key, see :func:`_duplicate_problems`), what such rows repeat, and the column blamed.

    A vendor list's supplier is the one staged: its UEI when the row gives one (two suppliers
    of one name with two UEIs are two suppliers).
    """
    if sheet.kind == "organizations":
        # Two rows may share a name when their UEIs or CAGE codes tell them apart.
        return (
            "name, uei, cage",
            "declares the same organization (same name, UEI and CAGE) as",
            "name",
        )
    supplier = "coalesce(uei, supplier)" if "uei" in sheet.columns else "supplier"
    rest = "relation, lower(product), lower(used_in), contract_id, program"
    return (
        f"buyer, {supplier}, {rest}",
        "repeats the dependency (buyer, supplier, relation, product, used_in, contract, program) of",
        "supplier",
    )


def _duplicate_problems(
    con: duckdb.DuckDBPyConnection, sheet: MappedSheet, name: str
) -> list[Problem]:
    """Rows that repeat another row of the sheet.

    Names are compared by their exact key (:func:`exposure.core.identity.exact_key`, which the
    typed table holds), never normalized: two spellings that normalize alike may still be two
    organizations ("Acme Inc" and "ACME", declared with two UEIs), and deciding that is
    resolution's work (:mod:`exposure.warehouse.resolve`), which merges rows that do state the
    same thing. The check must not treat as one what resolution keeps apart.
    """
    keys, what, column = _duplicate_keys(sheet)
    # A hash pre-check: most sheets have no duplicates, and grouping on one integer is cheap.
    if not scalar(
        con,
        f"SELECT count(*) FROM (SELECT hash({keys}) AS h FROM {name}_typed GROUP BY h HAVING count(*) > 1)",
    ):
        return []
    groups = con.execute(
        f"SELECT list(_row ORDER BY _row) FROM {name}_typed GROUP BY {keys} "
        f"HAVING count(*) > 1 ORDER BY min(_row) LIMIT {MAX_PROBLEMS_PER_RULE}"
    ).fetchall()
    problems = []
    for (rows,) in groups:
        first = rows[0]
        for row in rows[1:]:
            problems.append(
                Problem(
                    sheet.raw.file,
                    f"--strict: duplicate row: it {what} row {first}; remove one, or tell them "
                    "apart by "
                    + ("UEI" if sheet.kind == "organizations" else "contract_id or product")
                    + " (without --strict, repeated rows are merged into one, with a warning)",
                    sheet=sheet.raw.sheet,
                    row=row,
                    column=_header_of(sheet, column),
                    cell=_cell(sheet, column, row),
                )
            )
    return problems[: MAX_PROBLEMS_PER_RULE * 2]


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
