"""A full disk and a failing rollback: every failure is one clear sentence, the disk full one
says so and that nothing changed, a ROLLBACK that fails in turn never hides the cause, and the
database is as it was. The full disk is a real one (a 2 MB tmpfs) where mounting is allowed."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import GOOD, run_cli, snapshot

import exposure
from exposure import connect, load_files
from exposure.warehouse.transactions import DiskFullError, is_disk_full


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"mount not permitted here ({mounted.stderr.decode().strip()}); "
            "test_a_commit_that_fails_* simulates the full disk instead"
        )
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> None:
    """Fill the disk to the last byte."""
    with (disk / "filler").open("wb") as out:
        try:
            while True:
                out.write(bytes(65536))
                out.flush()
        except OSError:
            pass


def _big_csv(path: Path, rows: int = 100_000) -> Path:
    with path.open("w") as out:
        out.write("buyer,supplier,relation,product\n")
        for i in range(rows):
            out.write(f"Prime {i % 100},Supplier {i},component,product number {i} of many\n")
    return path


def _loaded(db: Path) -> Path:
    con = connect(db)
    try:
        load_files(con, [GOOD / "organizations.csv", GOOD / "relationships.csv"])
    finally:
        con.close()
    return db


def test_a_load_on_a_full_disk_says_so_and_changes_nothing(small_disk, tmp_path):
    db = _loaded(small_disk / "exposure.duckdb")
    before = snapshot(db)
    code, output = run_cli("--db", db, "load", _big_csv(tmp_path / "big.csv"))
    assert code == 1, output
    assert "the disk holding the database is full" in output and "nothing changed" in output
    assert "Traceback" not in output and "IO Error" not in output
    assert snapshot(db) == before


class _FailingCommit:
    """A connection whose COMMIT fails the way DuckDB's does on a full disk: the transaction
    is aborted, so the ROLLBACK after it fails too ("no transaction is active")."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.strip().upper() == "COMMIT":
            self._con.execute("ROLLBACK")
            raise duckdb.IOException("IO Error: Could not write file: No space left on device")
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def test_a_commit_that_fails_is_reported_not_the_rollback_after_it(tmp_path):
    db = _loaded(tmp_path / "exposure.duckdb")
    before = snapshot(db)
    con = connect(db)
    try:
        with pytest.raises(DiskFullError) as caught:
            load_files(_FailingCommit(con), [_big_csv(tmp_path / "big.csv", 100)])  # type: ignore[arg-type]
    finally:
        con.close()
    assert "nothing changed" in str(caught.value)
    assert "cannot rollback" not in str(caught.value)
    assert snapshot(db) == before


def test_another_failure_keeps_its_own_error_when_the_rollback_fails(tmp_path):
    db = _loaded(tmp_path / "exposure.duckdb")
    con = connect(db)

    class _Broken(_FailingCommit):
        def execute(self, sql: str, *args: Any) -> Any:
            if sql.strip().upper() == "COMMIT":
                self._con.execute("ROLLBACK")
                raise duckdb.ConstraintException("Constraint Error: a real cause")
            return self._con.execute(sql, *args)

    try:
        with pytest.raises(duckdb.ConstraintException, match="a real cause"):
            load_files(_Broken(con), [_big_csv(tmp_path / "big.csv", 100)])  # type: ignore[arg-type]
    finally:
        con.close()


def test_disk_full_is_recognised_in_its_usual_words():
    assert is_disk_full(duckdb.IOException('Could not write file "x": No space left on device'))
    assert is_disk_full(OSError(28, "No space left on device"))
    assert not is_disk_full(duckdb.IOException("Could not read file"))


def test_designate_whose_commit_fails_on_a_full_disk_says_so(tmp_path, monkeypatch):
    from exposure.warehouse import scenarios

    db = _loaded(tmp_path / "exposure.duckdb")
    con = connect(db)
    try:
        scenarios.designate(con, "s0", ["Anthropic PBC"])  # the scenario tables exist
        before = snapshot_of(con)
        with pytest.raises(DiskFullError):
            scenarios.designate(_FailingCommit(con), "s1", ["Anthropic PBC"])  # type: ignore[arg-type]
        assert snapshot_of(con) == before
    finally:
        con.close()
    # Through the CLI, the same failure is one sentence, no TransactionException traceback.
    real = scenarios.designate

    def failing(con: duckdb.DuckDBPyConnection, *args: Any, **kwargs: Any) -> Any:
        return real(_FailingCommit(con), *args, **kwargs)  # type: ignore[arg-type]

    # The command takes it from the public API, which keeps the names it has looked up (so
    # patch that first: what it holds now is the real function, restored afterwards).
    monkeypatch.setattr(exposure, "designate", failing)
    monkeypatch.setattr(scenarios, "designate", failing)
    before = snapshot(db)
    code, output = run_cli("--db", db, "designate", "Anthropic PBC", "--scenario", "s1")
    assert code == 1, output
    assert "the disk holding the database is full" in output and "nothing changed" in output
    assert "Traceback" not in output and "TransactionException" not in output
    assert len([line for line in output.splitlines() if line.strip()]) == 1, output
    assert snapshot(db) == before


def snapshot_of(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the scenario tables, through an open connection."""
    return {
        table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in ("scenarios", "scenario_members")
    }
