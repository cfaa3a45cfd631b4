"""Read limits: a small parquet file that expands to millions of rows, a huge table of values or
gigabytes of text is refused from its metadata (or a streamed count) before it is read into
memory, naming the file and the variable that raises the limit; the limits come from the
environment."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import run_cli

from exposure import ExposureError, LoadError, ReadLimits, connect
from exposure.ingest.readers import read_file

GOOD = Path(__file__).parent / "data" / "good"


def _problem(path: Path, limits: ReadLimits | None = None) -> str:
    with pytest.raises(LoadError) as caught:
        read_file(path, limits=limits)
    [problem] = caught.value.problems
    assert problem.file == path.name
    return problem.message


def _repeated(path: Path, rows: int, value: str = "Prime A", **options: object) -> Path:
    """A parquet file of ``rows`` rows repeating one buyer and supplier: it compresses to
    almost nothing, whatever ``rows`` is."""
    codes = pa.array([0] * rows, pa.int32())
    column = pa.DictionaryArray.from_arrays(codes, pa.array([value]))
    table = pa.table({"buyer": column, "supplier": column})
    pq.write_table(table, path, compression="zstd", **options)
    return path


def test_a_small_parquet_file_of_many_rows_is_refused_before_it_is_read(tmp_path):
    path = _repeated(tmp_path / "many.parquet", 300_000)
    assert path.stat().st_size < 20_000  # the premise: tiny on disk

    message = _problem(path, ReadLimits(max_rows=299_999))

    assert "300,000 rows" in message and "limit of 299,999 rows" in message
    assert "EXPOSURE_MAX_ROWS" in message
    # The limit is exact: the file's own row count is admitted.
    [raw] = read_file(path, limits=ReadLimits(max_rows=300_000))
    assert raw.table.num_rows == 1_001  # the header row and a preview
    [(rows,)] = duckdb.connect().execute(f"SELECT count(*) FROM {raw.source_sql}").fetchall()
    assert rows == 300_000  # every record, when the warehouse reads it


def test_the_row_limit_comes_from_the_environment_and_leaves_the_database_as_it_was(
    tmp_path, monkeypatch
):
    path = tmp_path / "many.parquet"
    suppliers = [f"Supplier {i}" for i in range(5_000)]
    pq.write_table(pa.table({"buyer": ["Prime A"] * 5_000, "supplier": suppliers}), path)
    database = tmp_path / "limits.duckdb"
    monkeypatch.setenv("EXPOSURE_MAX_ROWS", "4999")

    code, output = run_cli("--db", database, "load", path)

    assert code == 1, output
    assert "many.parquet: the parquet file holds 5,000 rows" in output
    assert "EXPOSURE_MAX_ROWS" in output
    con = connect(database)
    try:
        assert con.execute("SELECT count(*) FROM sources").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM stg_relationships").fetchall() == [(0,)]
    finally:
        con.close()
    monkeypatch.setenv("EXPOSURE_MAX_ROWS", "5000")
    code, output = run_cli("--db", database, "load", path)
    assert code == 0, output
    assert "loaded many.parquet: 5000 relationships rows" in output


def test_values_count_every_column_and_the_items_of_nested_columns(tmp_path):
    wide = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": [0] * 1_000 for i in range(50)}), wide)
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"buyer": [[1] * 200] * 1_000}), nested)
    limits = ReadLimits(max_cells=49_999)

    assert "50,000 values (1,000 rows of 50 columns)" in _problem(wide, limits)
    message = _problem(nested, limits)
    assert "200,000 values (counting the items of its list or nested columns)" in message
    assert "limit of 49,999 values" in message and "EXPOSURE_MAX_CELLS" in message
    assert read_file(wide, limits=ReadLimits(max_cells=50_000))[0].table.num_columns == 50


def test_uncompressed_column_data_is_limited(tmp_path):
    path = tmp_path / "plain.parquet"
    values = [f"{i:06d}" + "x" * 1_000 for i in range(1_000)]  # 1 MB, compresses to little
    pq.write_table(pa.table({"buyer": values}), path, compression="zstd", use_dictionary=False)
    assert path.stat().st_size < 50_000

    metadata = pq.read_metadata(path)
    expanded = sum(
        metadata.row_group(group).column(column).total_uncompressed_size
        for group in range(metadata.num_row_groups)
        for column in range(metadata.num_columns)
    )
    assert expanded > 2**19

    message = _problem(path, ReadLimits(max_uncompressed_bytes=2**19))

    assert (
        f"the parquet file's data expands to {expanded / 1024:.1f} KB, over the limit of 512.0 KB"
        in message
    )
    assert "EXPOSURE_MAX_UNCOMPRESSED_MB" in message


def test_a_long_value_repeated_in_every_row_is_counted_as_text(tmp_path):
    """Dictionary encoding stores the value once: the metadata looks small, the text is not."""
    path = _repeated(
        tmp_path / "long.parquet", 2_000, value="y" * 10_000, dictionary_pagesize_limit=2**20
    )
    assert path.stat().st_size < 20_000
    limits = ReadLimits(max_uncompressed_bytes=20 * 2**20)

    message = _problem(path, limits)

    # 2,000 rows x 2 columns x 10,000 characters = 40,000,000 bytes of text.
    assert "cells take 38.1 MB as text, over the limit of 20.0 MB" in message
    assert "EXPOSURE_MAX_UNCOMPRESSED_MB" in message
    assert read_file(path, limits=ReadLimits(max_uncompressed_bytes=40_000_000))


def test_a_glob_named_parquet_file_is_checked_too(tmp_path):
    path = _repeated(tmp_path / "many [2026].parquet", 1_000)

    assert "1,000 rows" in _problem(path, ReadLimits(max_rows=999))


def test_workbook_expansion_limit_comes_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "titled.xlsx"
    path.write_bytes((GOOD / "titled.xlsx").read_bytes())
    with zipfile.ZipFile(path) as archive:
        expanded = sum(info.file_size for info in archive.infolist())
    monkeypatch.setenv("EXPOSURE_MAX_UNCOMPRESSED_MB", str((expanded - 1) / 2**20))

    message = _problem(path)

    assert "the workbook expands to" in message and "EXPOSURE_MAX_UNCOMPRESSED_MB" in message
    monkeypatch.setenv("EXPOSURE_MAX_UNCOMPRESSED_MB", str(expanded / 2**20))
    assert read_file(path)


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_limit_that_is_not_a_positive_number_is_an_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv("EXPOSURE_MAX_CELLS", value)

    with pytest.raises(
        ExposureError, match=f"EXPOSURE_MAX_CELLS must be a positive number, not '{value}'"
    ):
        ReadLimits()
    path = _repeated(tmp_path / "few.parquet", 3)
    code, output = run_cli("--db", tmp_path / "x.duckdb", "load", path)
    assert code == 1
    assert f"Error: EXPOSURE_MAX_CELLS must be a positive number, not '{value}'" in output


def test_limits_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("EXPOSURE_MAX_ROWS", "1000")
    monkeypatch.setenv("EXPOSURE_MAX_CELLS", "2500.5")
    monkeypatch.setenv("EXPOSURE_MAX_UNCOMPRESSED_MB", "1.5")
    limits = ReadLimits()
    assert (limits.max_rows, limits.max_cells) == (1000, 2500)
    assert limits.max_uncompressed_bytes == int(1.5 * 2**20)
    for name in ("EXPOSURE_MAX_ROWS", "EXPOSURE_MAX_CELLS", "EXPOSURE_MAX_UNCOMPRESSED_MB"):
        monkeypatch.delenv(name)
    defaults = ReadLimits()
    assert (defaults.max_rows, defaults.max_cells) == (10_000_000, 100_000_000)
    assert defaults.max_uncompressed_bytes == 8 * 2**30
