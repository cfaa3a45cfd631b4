"""The source rows behind each edge: the ``edge_evidence`` model table and its lookup.

``edge_evidence`` holds one row per edge: the first source row stating it (``load_id``,
``source_file``, ``sheet``, ``row``, ``sha256``, ``loaded_at``: the earliest load, then the
lowest row) and the others (``other_sources``, how many; ``other_evidence``, each written
"file [sheet] row N" in load order, joined by "; "; NULL when there are none).

It is built once per load, at the end of :func:`exposure.warehouse.resolve.rebuild_model`, in
linear time: an edge's id is where it was first stated (load id << 40 | row), so its first
row is found by an integer hash join of ``edges`` with the staged rows, and only the rows that
are not the first of their edge (rows of later loads stating the same dependency) are matched
to their edge by its key, also a hash join. No window function, no correlated subquery.

:func:`edge_evidence_for` reads it for any set of edges: the edge ids go to DuckDB as an Arrow
column joined by hash join, so its cost is linear in the edges asked for and the table.
"""

from __future__ import annotations

import logging

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from exposure.core.cells import clean_text_sql

__all__ = ["EVIDENCE_COLUMNS", "build_edge_evidence", "edge_evidence_for", "evidence_materialized"]

logger = logging.getLogger(__name__)

# What edge_evidence_for returns, per edge asked for.
EVIDENCE_COLUMNS = ("source_file", "sheet", "row", "other_sources", "other_evidence")

# The key of an edge, as resolve.py's _edge_rows() computes it from a staged row (products
# and used_in cleaned as ingest cleans text, compared without case; '' for blank).
_EVIDENCE_SQL = f"""
CREATE OR REPLACE TABLE edge_evidence AS
WITH staged AS (
    SELECT (_load_id::BIGINT << 40) + _row AS ord, * FROM stg_relationships
),
later AS (
    SELECT s.*, {clean_text_sql("s.product")} AS c_product, {clean_text_sql("s.used_in")} AS c_used_in
    FROM staged s ANTI JOIN edges f ON f.edge_id = s.ord
),
later_edge AS (
    SELECT e.edge_id, l.ord, l._source_file, l._sheet, l._row
    FROM later l
    JOIN org_names sup ON sup.name = l.supplier
    JOIN org_names buy ON buy.name = l.buyer
    JOIN edges e
      ON e.supplier_id = sup.org_id AND e.buyer_id = buy.org_id AND e.relation = l.relation
     AND coalesce(lower(e.product), '') = coalesce(lower(l.c_product), '')
     AND coalesce(lower(e.used_in), '') = coalesce(lower(l.c_used_in), '')
     AND coalesce(e.contract_id, '') = coalesce(l.contract_id, '')
     AND coalesce(e.program, '') = coalesce(l.program, '')
),
others AS (
    SELECT edge_id, count(*) AS other_sources,
           string_agg(_source_file || coalesce(' [' || _sheet || ']', '') || ' row ' || _row,
                      '; ' ORDER BY ord) AS other_evidence
    FROM later_edge GROUP BY edge_id
)
SELECT e.edge_id, s._load_id AS load_id, s._source_file AS source_file, s._sheet AS sheet,
       s._row AS row, s._sha256 AS sha256, s._loaded_at AS loaded_at,
       coalesce(o.other_sources, 0)::BIGINT AS other_sources, o.other_evidence
FROM edges e
JOIN staged s ON s.ord = e.edge_id
LEFT JOIN others o ON o.edge_id = e.edge_id;
"""


def build_edge_evidence(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build ``edge_evidence`` from the staged rows, ``org_names`` and ``edges``.

    Runs inside the caller's transaction when there is one (the model rebuild's).
    """
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_name = 'edge_evidence'"
    ).fetchall()
    if kind and kind[0][0] == "VIEW":  # warehouses of older releases
        con.execute("DROP VIEW edge_evidence")
    con.execute(_EVIDENCE_SQL)
    logger.debug("materialized edge_evidence")


def evidence_materialized(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``edge_evidence`` is the table this module builds (older releases made it a
    view over staging)."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = 'edge_evidence' AND column_name = 'other_evidence'"
    ).fetchall()
    return bool(rows[0][0])


def edge_evidence_for(
    con: duckdb.DuckDBPyConnection, edge_ids: npt.NDArray[np.int64]
) -> pd.DataFrame:
    """The evidence of the given edges, one row each in their order (columns
    :data:`EVIDENCE_COLUMNS`; all missing for an id that is no edge)."""
    wanted = pa.table(
        {
            "edge_id": pa.array(np.asarray(edge_ids, dtype=np.int64)),
            "position": pa.array(np.arange(len(edge_ids), dtype=np.int64)),
        }
    )
    con.register("_exposure_wanted_evidence", wanted)
    try:
        found = con.execute(
            "SELECT w.position, v.source_file, v.sheet, v.row, v.other_sources, v.other_evidence "
            "FROM _exposure_wanted_evidence w JOIN edge_evidence v ON v.edge_id = w.edge_id"
        ).df()
    finally:
        con.unregister("_exposure_wanted_evidence")
    return _in_order(found, len(edge_ids), list(EVIDENCE_COLUMNS))


def _in_order(found: pd.DataFrame, count: int, columns: list[str]) -> pd.DataFrame:
    """Rows found by position, placed in positions 0..count-1 (missing ones blank), without a
    sort: positions index the result directly."""
    positions = found["position"].to_numpy(dtype=np.int64)
    frame = found.set_index(positions)[columns].reindex(pd.RangeIndex(count))
    return frame.reset_index(drop=True)
