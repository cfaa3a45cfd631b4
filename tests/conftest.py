"""Shared fixtures: a DuckDB file per test, a snapshot of every table, and a CLI runner."""

from __future__ import annotations

import gc
import math
import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import settings

from exposure import LoadOptions, LoadReport, connect, load_files
from exposure.cli.commands import cli

# No per-example deadline: the machines are shared, and a timing is never a test's verdict.
settings.register_profile("exposure", deadline=None)
settings.load_profile("exposure")

# The commands print piped output unwrapped unless COLUMNS says how wide the reader is; a
# runner that sets it for everything (pytest-xdist's workers set 80) would wrap long paths.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

DATA = Path(__file__).resolve().parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A DuckDB file in tmp_path (not created yet: the first connect creates it)."""
    return tmp_path / "exposure.duckdb"


@pytest.fixture
def loaded_db(db_path: Path) -> Path:
    """A database holding the small valid network of tests/data/good."""
    con = connect(db_path)
    try:
        load_files(con, [GOOD / "organizations.csv", GOOD / "relationships.csv"])
    finally:
        con.close()
    return db_path


def _comparable(value: Any) -> Any:
    # NaN != NaN would make two identical snapshots differ.
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def snapshot(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the main schema with its full contents, each sorted by all columns."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        return {
            table: [
                tuple(_comparable(v) for v in row)
                for row in con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()
            ]
            for table in tables
        }
    finally:
        con.close()


def run_cli(*args: str | Path) -> tuple[int, str]:
    """Run ``exposure ARGS...``; return (exit code, stdout and stderr together).

    A crash (an exception other than SystemExit) is re-raised, so a traceback never passes
    for a refused load. COLUMNS is wide so rich does not wrap the messages being checked.
    """
    runner = CliRunner(env={"COLUMNS": "2000"})
    result = runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    code, output = result.exit_code, result.output
    # `exposure load` exits from inside its except block without closing its connection; the
    # traceback kept in `result` holds it open, and DuckDB then refuses a read-only connection
    # to the same file from this process. Free it as the end of a real process would.
    del result
    gc.collect()
    return code, output


REPORT = DATA / "report"


@pytest.fixture
def report_db(tmp_path: Path) -> Path:
    """tests/data/report/ (the hand-checked network of its README) loaded into a fresh file."""
    from exposure import connect, load_files

    path = tmp_path / "report.duckdb"
    con = connect(path)
    try:
        load_files(con, [REPORT / "organizations.csv", REPORT / "relationships.csv"])
    finally:
        con.close()
    return path


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows of a query on a database file, opened read-only and closed again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def load(db: Path, *paths: Path, **options: Any) -> LoadReport:
    """Load files into a database file with LoadOptions(**options), closing it after."""
    con = connect(db)
    try:
        return load_files(con, list(paths), LoadOptions(**options))
    finally:
        con.close()


# Names a supplier's file could carry to attack whoever looks at them: Markdown for an image on
# an outside server, a link with bold and a Streamlit colour directive, a right-to-left override.
BEACON = "![beacon](http://198.51.100.7/beacon.png) Beacon LLC"
LINKED = "[Click](https://example.org) **Bold** :red[Red] Co"
REVERSED = "Acme \u202eCLL Holdings"


def hostile_database(folder: Path) -> Path:
    """A warehouse whose organizations carry those names, with the scenario ``hostile``
    designating the beacon."""
    from exposure import designate

    (folder / "relationships.csv").write_text(
        "buyer,supplier,relation,product\n"
        f'"{LINKED}","{BEACON}",model_api,Model API\n'
        f'Prime Corp,"{LINKED}",saas,Analytics\n'
        f'"{REVERSED}",Prime Corp,subcontract,Radar\n',
        encoding="utf-8",
    )
    database = folder / "hostile.duckdb"
    con = connect(database)
    try:
        load_files(con, [folder / "relationships.csv"])
        designate(con, "hostile", [BEACON])
    finally:
        con.close()
    return database
