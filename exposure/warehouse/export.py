"""The model's tables as Parquet files, for engines that run elsewhere (the Spark backend)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["export_model_tables"]


def _sql_path(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")


def export_model_tables(
    con: duckdb.DuckDBPyConnection, folder: Path, edge_ids: npt.NDArray[np.int64]
) -> None:
    """Write ``orgs.parquet`` (by org id) and ``edges.parquet`` (every attribute, with
    ``edge``, each edge's position in ``edge_ids``, and the lower-cased product keys) into
    ``folder``, in ``edge_ids``' order."""
    order = pa.table(
        {
            "edge_id": pa.array(np.asarray(edge_ids, dtype=np.int64), type=pa.int64()),
            "edge": pa.array(np.arange(len(edge_ids), dtype=np.int64)),
        }
    )
    con.register("_exposure_edge_order", order)
    try:
        con.execute(
            f"COPY (SELECT * FROM orgs ORDER BY org_id) TO '{_sql_path(folder / 'orgs.parquet')}' "
            "(FORMAT parquet)"
        ).fetchall()
        con.execute(
            "COPY (SELECT m.edge, e.*, lower(e.product) AS product_key, "
            "lower(e.used_in) AS used_in_key FROM edges e JOIN _exposure_edge_order m "
            f"USING (edge_id) ORDER BY m.edge) TO '{_sql_path(folder / 'edges.parquet')}' "
            "(FORMAT parquet)"
        ).fetchall()
    finally:
        con.unregister("_exposure_edge_order")
