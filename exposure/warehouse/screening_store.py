"""Stored screening results: the ``res_screening`` and ``res_screening_runs`` tables.

The latest results of each list kind (SAM exclusions, FASCSA orders) replace the earlier ones:
``res_screening`` holds the matches (columns :data:`SCREENING_TYPES`, with the review state of
each candidate a rule did not confirm: :mod:`exposure.warehouse.review` updates it when a
decision is made), ``res_screening_runs`` one row per list kind screened (columns
:data:`SCREENING_RUN_COLUMNS`). The screening layer
(:mod:`exposure.screening.results`) decides what to store and how to show it; this module owns
the tables and their SQL.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from exposure.core.sql import table_exists
from exposure.warehouse.review import add_review_columns
from exposure.warehouse.transactions import abort

__all__ = [
    "SCREENING_RUN_COLUMNS",
    "SCREENING_TYPES",
    "read_screening",
    "read_screening_runs",
    "replace_screening",
]

# Every stored match column with its SQL type, in order (the matches of
# exposure.screening.matching.MATCH_COLUMNS, then when and on what data they were screened).
SCREENING_TYPES: dict[str, str] = {
    "org_id": "BIGINT",
    "org_name": "VARCHAR",
    "org_uei": "VARCHAR",
    "org_cage": "VARCHAR",
    "listed_name": "VARCHAR",
    "matched_name": "VARCHAR",
    "match": "VARCHAR",
    "score": "DOUBLE",
    "confirmed": "BOOLEAN",
    "status": "VARCHAR",
    "reason": "VARCHAR",
    "review": "VARCHAR",
    "review_note": "VARCHAR",
    "review_item": "VARCHAR",
    "list_type": "VARCHAR",
    "classification": "VARCHAR",
    "exclusion_program": "VARCHAR",
    "exclusion_type": "VARCHAR",
    "excluding_agency": "VARCHAR",
    "ct_code": "VARCHAR",
    "active_date": "DATE",
    "termination_date": "DATE",
    "listed_uei": "VARCHAR",
    "listed_cage": "VARCHAR",
    "sam_number": "VARCHAR",
    "fascsa_order": "BOOLEAN",
    "cross_reference": "VARCHAR",
    "record_row": "BIGINT",
    "list_file": "VARCHAR",
    "list_sha256": "VARCHAR",
    "as_of": "DATE",
    "data_version": "VARCHAR",
    "screened_at": "TIMESTAMP",
}

SCREENING_RUN_COLUMNS = (
    "list_type",
    "list_file",
    "list_sha256",
    "layout",
    "records",
    "organizations",
    "matches",
    "confirmed",
    "confirmed_active",
    "fuzzy_threshold",
    "as_of",
    "data_version",
    "screened_at",
)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS res_screening (
    {", ".join(f"{column} {kind}" for column, kind in SCREENING_TYPES.items())}
);
CREATE TABLE IF NOT EXISTS res_screening_runs (
    list_type VARCHAR, list_file VARCHAR, list_sha256 VARCHAR, layout VARCHAR,
    records BIGINT, organizations BIGINT, matches BIGINT, confirmed BIGINT,
    confirmed_active BIGINT, fuzzy_threshold DOUBLE, as_of DATE, data_version VARCHAR,
    screened_at TIMESTAMP
);
"""

_ARROW = {
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR": pa.string(),
}

# Confirmed first, in force first, the strongest match first.
_ORDER = (
    "list_type, confirmed DESC, status = 'active' DESC, CASE match WHEN 'uei' THEN 1 "
    "WHEN 'cage' THEN 2 WHEN 'name' THEN 3 WHEN 'alias' THEN 4 WHEN 'fuzzy' THEN 5 "
    "ELSE 6 END, score DESC, org_name, record_row"
)


def _typed(frame: pd.DataFrame) -> pa.Table:
    """The frame with each column's stored type (a column of blanks has none of its own)."""
    schema = pa.schema([(column, _ARROW[SCREENING_TYPES[column]]) for column in SCREENING_TYPES])
    clean = frame[list(SCREENING_TYPES)].astype(object)
    clean = clean.where(clean.notna(), None)
    return pa.Table.from_pandas(clean, schema=schema, preserve_index=False)


def replace_screening(
    con: duckdb.DuckDBPyConnection, matches: pd.DataFrame, run: dict[str, object]
) -> None:
    """Replace the stored results of ``run["list_type"]`` with ``matches`` (columns
    :data:`SCREENING_TYPES`) and its row of ``res_screening_runs`` with ``run`` (keys
    :data:`SCREENING_RUN_COLUMNS`), in one transaction."""
    con.execute(_SCHEMA)
    add_review_columns(con, "res_screening")
    list_type = run["list_type"]
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_scr_store", _typed(matches))
        con.execute("DELETE FROM res_screening WHERE list_type = ?", [list_type])
        con.execute("INSERT INTO res_screening BY NAME SELECT * FROM _scr_store")
        con.execute("DELETE FROM res_screening_runs WHERE list_type = ?", [list_type])
        placeholders = ", ".join("?" for _ in SCREENING_RUN_COLUMNS)
        con.execute(
            f"INSERT INTO res_screening_runs ({', '.join(SCREENING_RUN_COLUMNS)}) "
            f"VALUES ({placeholders})",
            [run[column] for column in SCREENING_RUN_COLUMNS],
        )
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the screening results")
        raise
    finally:
        con.unregister("_scr_store")


def read_screening(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The stored matches (columns :data:`SCREENING_TYPES`), confirmed first; empty, with
    those columns, when nothing was screened."""
    columns = list(SCREENING_TYPES)
    if not table_exists(con, "res_screening"):
        return pd.DataFrame(columns=columns)
    # A table of an older release (opened read-only) has no review columns yet.
    present = {
        str(row[0])
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_name = 'res_screening'"
        ).fetchall()
    }
    select = [c if c in present else f"CAST(NULL AS {SCREENING_TYPES[c]}) AS {c}" for c in columns]
    return con.execute(f"SELECT {', '.join(select)} FROM res_screening ORDER BY {_ORDER}").df()


def read_screening_runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest screening of each list kind (columns :data:`SCREENING_RUN_COLUMNS`); empty
    when nothing was screened."""
    columns = list(SCREENING_RUN_COLUMNS)
    if not table_exists(con, "res_screening_runs"):
        return pd.DataFrame(columns=columns)
    return con.execute(
        f"SELECT {', '.join(columns)} FROM res_screening_runs ORDER BY list_type"
    ).df()
