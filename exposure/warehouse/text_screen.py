"""The last look at every text cell before it is stored: control and format characters.

Every path into staging (canonical sheets, vendor lists, the USAspending and CycloneDX
adapters) stores its rows through one SELECT, so the rules of :mod:`exposure.core.text` are
applied here, once, the same way for all of them:

- a control character (Cc, NUL included) anywhere in a text cell refuses the load, naming the
  file, sheet, row and column;
- format characters (Cf: bidi controls, zero width characters) are removed, and each row they
  were removed from is kept in ``stg_rejected`` with reason ``format_characters`` (listed in
  Data quality with its row).
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from exposure.core.errors import LoadError, Problem
from exposure.core.sql import sql_identifier, sql_literal
from exposure.core.text import CONTROL_SQL, FORMAT_SQL

__all__ = ["MAX_REPORTED", "format_rows_select", "screen_select"]

MAX_REPORTED = 20


def _text_columns(con: duckdb.DuckDBPyConnection, select: str) -> list[str]:
    described = con.execute(f"DESCRIBE ({select})").fetchall()
    return [
        str(row[0])
        for row in described
        if str(row[1]) == "VARCHAR" and not str(row[0]).startswith("_")
    ]


def _has_format(column: str) -> str:
    return f"(strlen({column}) <> length({column}) AND regexp_matches({column}, {FORMAT_SQL}))"


def screen_select(
    con: duckdb.DuckDBPyConnection,
    select: str,
    file: str,
    sheet: str | None,
    headers: Mapping[str, str] | None = None,
) -> tuple[str, list[str]]:
    """Refuse control characters; return the SELECT with format characters removed, and its
    text columns.

    ``headers`` maps a column to the user's own header, for messages.

    Raises:
        LoadError: a text cell holds a control character.
    """
    columns = _text_columns(con, select)
    if not columns:
        return select, columns
    parts = [
        f"SELECT _row, {sql_literal(c)} AS col, {sql_identifier(c)} AS value FROM ({select}) "
        f"WHERE regexp_matches({sql_identifier(c)}, {CONTROL_SQL})"
        for c in columns
    ]
    found = con.execute(
        f"SELECT _row, col, value FROM ({' UNION ALL '.join(parts)}) ORDER BY _row, col "
        f"LIMIT {MAX_REPORTED}"
    ).fetchall()
    if found:
        from exposure.core.text import control_characters

        raise LoadError(
            [
                Problem(
                    file,
                    "the cell holds a control character "
                    f"({', '.join(dict.fromkeys(control_characters(str(value))))}), which no "
                    "name or text needs: the file is binary, mis-encoded or tampered with",
                    sheet=sheet,
                    row=int(row),
                    column=(headers or {}).get(str(column), str(column)),
                    value=str(value).encode("unicode_escape").decode("ascii"),
                )
                for row, column, value in found
            ]
        )
    replaced = ", ".join(
        f"CASE WHEN {_has_format(sql_identifier(c))} THEN "
        f"nullif(regexp_replace({sql_identifier(c)}, {FORMAT_SQL}, '', 'g'), '') "
        f"ELSE {sql_identifier(c)} END AS {sql_identifier(c)}"
        for c in columns
    )
    return f"SELECT * REPLACE ({replaced}) FROM ({select})", columns


def format_rows_select(
    select: str,
    columns: list[str],
    name_column: str | None,
    headers: Mapping[str, str] | None = None,
) -> str | None:
    """A SELECT of ``stg_rejected`` rows (reason, name, detail, _row): one per row of the
    original ``select`` whose text held format characters, saying which and where."""
    if not columns:
        return None
    codes = []
    for column in columns:
        c = sql_identifier(column)
        label = sql_literal(f"'{(headers or {}).get(column, column)}'")
        codes.append(
            f"CASE WHEN {_has_format(c)} THEN {label} || ' (' || array_to_string(list_sort(list_distinct("
            f"list_transform(regexp_extract_all({c}, {FORMAT_SQL}), "
            "lambda x: 'U+' || lpad(upper(hex(unicode(x))), 4, '0')))), ', ') || ')' END"
        )
    any_format = " OR ".join(_has_format(sql_identifier(c)) for c in columns)
    name = (
        f"regexp_replace({sql_identifier(name_column)}, {FORMAT_SQL}, '', 'g')"
        if name_column in columns
        else "NULL"
    )
    return (
        "SELECT 'format_characters' AS reason, "
        f"{name} AS name, "
        "'invisible format characters (bidi controls, zero width) removed from ' || "
        f"concat_ws('; ', {', '.join(codes)}) AS detail, _row "
        f"FROM ({select}) WHERE {any_format}"
    )
