"""Opening the warehouse: seeds follow the seed folder, and a read-only connection writes nothing."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from conftest import REPORT, rows

from exposure import ExposureError, connect, load_files
from exposure.core.sql import is_read_only
from exposure.warehouse.scenarios import designate

ROOT = Path(__file__).resolve().parents[1]


def ref_tables(db: Path) -> set[str]:
    return {
        name
        for (name,) in rows(
            db,
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ref_%'",
        )
    }


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of seeds/ that the warehouse reads (EXPOSURE_SEEDS)."""
    folder = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", folder)
    monkeypatch.setenv("EXPOSURE_SEEDS", str(folder))
    return folder


def test_a_removed_seed_file_takes_its_table_along(seeds: Path, db_path: Path) -> None:
    connect(db_path).close()
    before = ref_tables(db_path)
    assert {"ref_hosting", "ref_aliases", "ref_designations"} <= before
    (seeds / "hosting.csv").unlink()
    connect(db_path).close()
    assert ref_tables(db_path) == before - {"ref_hosting"}


def test_a_new_seed_file_adds_its_table(seeds: Path, db_path: Path) -> None:
    connect(db_path).close()
    (seeds / "extra-facts.csv").write_text("a,b\n1,2\n")
    connect(db_path).close()
    assert "ref_extra_facts" in ref_tables(db_path)
    assert rows(db_path, "SELECT a, b FROM ref_extra_facts") == [(1, 2)]


def _fingerprint(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def stored_scenario(db_path: Path) -> Path:
    """tests/data/report/ loaded, with the stored scenario 'vendor' designating Vendor AI."""
    con = connect(db_path)
    try:
        load_files(con, [REPORT / "organizations.csv", REPORT / "relationships.csv"])
        designate(con, "vendor", ["Vendor AI, PBC"])
    finally:
        con.close()
    return db_path


def test_a_read_only_connection_assesses_a_stored_scenario_without_writing(
    stored_scenario: Path,
) -> None:
    before = _fingerprint(stored_scenario)
    script = textwrap.dedent(
        """
        import sys
        from exposure import assess, build_report, connect, load_spec

        con = connect(sys.argv[1], read_only=True)
        run = assess(con, load_spec(con, "vendor"))
        tables = build_report(con, run)
        con.close()
        print(sorted(tables.organizations["name"]))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(stored_scenario)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Department of Defense" in done.stdout  # the assessment ran to its tables
    assert _fingerprint(stored_scenario) == before
    assert not stored_scenario.with_name(stored_scenario.name + ".wal").exists()


def test_read_only_with_changed_seeds_reads_what_is_there(
    seeds: Path, stored_scenario: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = _fingerprint(stored_scenario)
    (seeds / "hosting.csv").unlink()
    with caplog.at_level(logging.WARNING, logger="exposure.warehouse.database"):
        con = connect(stored_scenario, read_only=True)
    try:
        assert is_read_only(con)
        assert "seed files changed" in caplog.text
        count = con.execute("SELECT count(*) FROM ref_hosting").fetchone()
        assert count is not None and count[0] > 0  # still there: nothing was refreshed
    finally:
        con.close()
    assert _fingerprint(stored_scenario) == before


def test_read_only_refuses_a_file_without_a_warehouse(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(ExposureError, match="holds no exposure warehouse"):
        connect(other, read_only=True)


def test_is_read_only(db_path: Path) -> None:
    con = connect(db_path)
    try:
        assert not is_read_only(con)
    finally:
        con.close()
