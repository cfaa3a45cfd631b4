"""Read a parquet file into a raw text sheet with DuckDB: every column cast to text.

The column names become the header row, so that a parquet file is mapped like a sheet.

A parquet file's size says little about what it holds: repeated values compress to almost
nothing (a 140 KB file may hold 20 million rows; a 2 KB one, a 20 MB text repeated in every
row), and the warehouse stores every cell as text. So before anything is read,
:func:`check_parquet` compares the file's metadata (rows, values, uncompressed column data) with the limits of
:class:`~exposure.ingest.readers.sheets.ReadLimits`, and then counts, without keeping them, the bytes
its cells take as text: DuckDB streams that count in a fraction of the read's time. Only a
preview is read into Python (:func:`read_parquet`); the rows go straight into DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from exposure.core.errors import LoadError, Problem
from exposure.core.sql import sql_identifier, sql_literal
from exposure.ingest.readers.csv_files import CSV_PREVIEW_ROWS
from exposure.ingest.readers.paths import needs_alias, plain_alias
from exposure.ingest.readers.sheets import RawSheet, ReadLimits, human_size

__all__ = ["ParquetSize", "check_parquet", "parquet_size", "read_parquet"]


@dataclass(frozen=True)
class ParquetSize:
    """What a parquet file's metadata says it holds.

    ``values`` counts the values stored (rows x columns for flat columns; the leaf values of
    nested ones); ``uncompressed_bytes`` is the column data once decompressed (still encoded:
    a dictionary-encoded value is counted once).
    """

    rows: int
    columns: int
    values: int
    uncompressed_bytes: int

    @property
    def cells(self) -> int:
        """Values as the text table will hold them (at least one per row and column).

        >>> ParquetSize(rows=10, columns=3, values=12, uncompressed_bytes=0).cells
        30
        """
        return max(self.rows * self.columns, self.values)


def parquet_size(con: duckdb.DuckDBPyConnection, source: Path) -> ParquetSize:
    """Read the sizes in a parquet file's footer (no column data is read)."""
    literal = sql_literal(str(source))
    [(declared,)] = con.execute(f"SELECT num_rows FROM parquet_file_metadata({literal})").fetchall()
    [(values, uncompressed)] = con.execute(
        "SELECT coalesce(sum(num_values), 0), coalesce(sum(total_uncompressed_size), 0) "
        f"FROM parquet_metadata({literal})"
    ).fetchall()
    [(grouped,)] = con.execute(
        "SELECT coalesce(sum(rows), 0) FROM (SELECT max(row_group_num_rows) AS rows "
        f"FROM parquet_metadata({literal}) GROUP BY row_group_id)"
    ).fetchall()
    columns = len(con.sql(f"SELECT * FROM read_parquet({literal})").columns)
    # The footer's total and the row groups' own counts should agree; a file whose counts do
    # not is held to the larger.
    return ParquetSize(
        rows=max(int(declared or 0), int(grouped)),
        columns=columns,
        values=int(values),
        uncompressed_bytes=int(uncompressed),
    )


def check_parquet(
    con: duckdb.DuckDBPyConnection, source: Path, name: str, limits: ReadLimits
) -> None:
    """Refuse a parquet file that would expand past the limits once read as text.

    Raises:
        LoadError: naming the file, the figure over its limit and the variable that raises it.
    """
    size = parquet_size(con, source)
    message = None
    if size.rows > limits.max_rows:
        message = (
            f"the parquet file holds {size.rows:,} rows, over the limit of {limits.max_rows:,} "
            "rows (set EXPOSURE_MAX_ROWS to raise it)"
        )
    elif size.cells > limits.max_cells:
        shape = (
            f"{size.rows:,} rows of {size.columns:,} column{'s' if size.columns != 1 else ''}"
            if size.cells == size.rows * size.columns
            else "counting the items of its list or nested columns"
        )
        message = (
            f"the parquet file holds {size.cells:,} values ({shape}), over the limit of "
            f"{limits.max_cells:,} values (set EXPOSURE_MAX_CELLS to raise it)"
        )
    elif size.uncompressed_bytes > limits.max_uncompressed_bytes:
        message = (
            f"the parquet file's data expands to {human_size(size.uncompressed_bytes)}, over "
            f"the limit of {human_size(limits.max_uncompressed_bytes)} "
            "(set EXPOSURE_MAX_UNCOMPRESSED_MB to raise it)"
        )
    else:
        text = _text_bytes(con, source)
        if text > limits.max_uncompressed_bytes:
            message = (
                f"the parquet file's cells take {human_size(text)} as text, over the limit of "
                f"{human_size(limits.max_uncompressed_bytes)} (set EXPOSURE_MAX_UNCOMPRESSED_MB "
                "to raise it)"
            )
    if message is not None:
        raise LoadError([Problem(name, message)])


def _text_bytes(con: duckdb.DuckDBPyConnection, source: Path) -> int:
    """The bytes of every cell of a parquet file cast to text, counted as DuckDB streams it."""
    literal = sql_literal(str(source))
    columns = con.sql(f"SELECT * FROM read_parquet({literal})").columns
    if not columns:
        return 0
    lengths = ", ".join(
        f"coalesce(sum(strlen(CAST({sql_identifier(c)} AS VARCHAR))), 0)" for c in columns
    )
    [totals] = con.execute(f"SELECT {lengths} FROM read_parquet({literal})").fetchall()
    return sum(int(total) for total in totals)


def read_parquet(path: Path, name: str, limits: ReadLimits | None = None) -> RawSheet:
    """A parquet file as a sheet: its column names as the first row, then its first rows.

    Only a preview is read here (enough to map the headers); ``source_sql`` reads every row,
    each column cast to text, when the warehouse stores the file.

    Raises:
        LoadError: the file is not a readable parquet file, or would expand past ``limits``
            (:func:`check_parquet`).
    """
    limits = limits or ReadLimits()
    alias = plain_alias(path, ".parquet") if needs_alias(path) else None
    source = alias or path.resolve()
    con = duckdb.connect()
    try:
        check_parquet(con, source, name, limits)
        literal = sql_literal(str(source))
        columns = list(con.sql(f"SELECT * FROM read_parquet({literal})").columns)
        casts = ", ".join(
            f"CAST({sql_identifier(c)} AS VARCHAR) AS c{i}" for i, c in enumerate(columns)
        )
        source_sql = f"(SELECT {casts} FROM read_parquet({literal}))"
        table = con.sql(f"SELECT * FROM {source_sql} LIMIT {CSV_PREVIEW_ROWS}").to_arrow_table()
    except duckdb.Error as exc:
        if alias is not None:
            alias.unlink(missing_ok=True)
        raise LoadError(
            [Problem(name, f"not a readable parquet file ({str(exc).splitlines()[0]})")]
        ) from exc
    except BaseException:
        if alias is not None:
            alias.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    header = pa.table(
        {f"c{i}": pa.array([column], pa.string()) for i, column in enumerate(columns)}
    )
    return RawSheet(
        file=name,
        sheet=None,
        table=pa.concat_tables([header, table]),
        first_row=1,
        source_sql=source_sql,
        source_skip=1,
        cleanup=alias,
    )
