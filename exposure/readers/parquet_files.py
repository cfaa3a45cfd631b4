"""Read a parquet file into a raw text sheet with DuckDB: every column cast to text.

The column names become the header row, so that a parquet file is mapped like a sheet.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from exposure.errors import LoadError, Problem
from exposure.readers.paths import needs_alias, plain_alias
from exposure.readers.sheets import RawSheet
from exposure.sql import sql_identifier, sql_literal

__all__ = ["read_parquet"]


def read_parquet(path: Path, name: str) -> RawSheet:
    """Read a whole parquet file as text, its column names as the first row.

    Raises:
        LoadError: the file is not a readable parquet file.
    """
    alias = plain_alias(path, ".parquet") if needs_alias(path) else None
    source = alias or path.resolve()
    con = duckdb.connect()
    try:
        relation = con.sql(f"SELECT * FROM read_parquet({sql_literal(str(source))})")
        columns = list(relation.columns)
        casts = ", ".join(f"CAST({sql_identifier(c)} AS VARCHAR)" for c in columns)
        table = con.sql(
            f"SELECT {casts} FROM read_parquet({sql_literal(str(source))})"
        ).to_arrow_table()
    except duckdb.Error as exc:
        raise LoadError(
            [Problem(name, f"not a readable parquet file ({str(exc).splitlines()[0]})")]
        ) from exc
    finally:
        con.close()
        if alias is not None:
            alias.unlink(missing_ok=True)
    header = pa.table(
        {f"c{i}": pa.array([column], pa.string()) for i, column in enumerate(columns)}
    )
    table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
    return RawSheet(file=name, sheet=None, table=pa.concat_tables([header, table]), first_row=1)
