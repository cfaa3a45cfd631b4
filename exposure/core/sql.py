"""Small helpers for running SQL on a DuckDB connection.

DuckDB 2.0 keeps a result open until it is fully fetched, and refuses other work on the
connection meanwhile; these helpers always fetch to the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

__all__ = ["is_read_only", "scalar", "sql_identifier", "sql_literal", "table_exists"]


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: Sequence[Any] | None = None) -> Any:
    """The first column of the first row of a query, or None when it returns no rows."""
    rows = con.execute(query, params or []).fetchall()
    return rows[0][0] if rows else None


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view of that name exists in the main schema."""
    return bool(
        scalar(
            con,
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
            [name],
        )
    )


def is_read_only(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's database was opened read-only (nothing may be written)."""
    return bool(
        scalar(
            con,
            "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()",
        )
    )


def sql_literal(text: str) -> str:
    """Quote text as a SQL string literal.

    >>> sql_literal("it's")
    "'it''s'"
    """
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(text: str) -> str:
    """Quote text as a SQL identifier.

    >>> print(sql_identifier("Annual Spend"))
    "Annual Spend"
    """
    return '"' + text.replace('"', '""') + '"'
