"""One database, several processes: the CLI beside a running dashboard, and waiting for a lock.

DuckDB lets one process write a database file at a time (or several read it). The dashboard
holds its connection only while a run uses it, so a command can read or load the database
while the dashboard sits open; and opening a database another process holds waits for it
(``EXPOSURE_DB_WAIT``) with a message, instead of failing at once. Real processes, real files.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from conftest import GOOD
from streamlit.testing.v1 import AppTest

from exposure import DatabaseBusyError, load_files
from exposure.warehouse.database import connect, data_version

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboards" / "app.py"

_HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


@pytest.fixture
def loaded_db(tmp_path: Path) -> Path:
    db = tmp_path / "shared.duckdb"
    con = connect(db)
    try:
        load_files(con, [GOOD / "relationships.csv"])
    finally:
        con.close()
    return db


def _hold(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that opens ``db`` read-write and keeps it for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["EXPOSURE_DB_WAIT"] = "20"
    return subprocess.run(
        [sys.executable, "-m", "exposure", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_opening_waits_for_the_process_that_holds_the_database(loaded_db: Path) -> None:
    holder = _hold(loaded_db, 1.5)
    notices: list[str] = []
    started = time.monotonic()
    try:
        con = connect(loaded_db, wait=30, on_wait=notices.append)
    finally:
        holder.wait(timeout=30)
    waited = time.monotonic() - started
    try:
        assert int(con.execute("SELECT count(*) FROM edges").fetchall()[0][0]) > 0
    finally:
        con.close()
    assert len(notices) == 1, notices
    assert "waiting for the database" in notices[0]
    assert f"process {holder.pid}" in notices[0]
    assert waited > 0.5  # it did wait for the holder to let go


def test_without_a_wait_a_held_database_is_refused_at_once_naming_its_holder(
    loaded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = _hold(loaded_db, 60)
    try:
        with pytest.raises(DatabaseBusyError, match=f"process {holder.pid}") as refused:
            connect(loaded_db, wait=0)
        assert "after waiting" not in str(refused.value)
        monkeypatch.setenv("EXPOSURE_DB_WAIT", "0.6")
        started = time.monotonic()
        with pytest.raises(DatabaseBusyError, match=r"after waiting 0\.6 s"):
            connect(loaded_db, read_only=True)
        assert time.monotonic() - started >= 0.5
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_a_command_waits_for_a_load_and_says_so(loaded_db: Path) -> None:
    holder = _hold(loaded_db, 2)
    try:
        result = _cli(loaded_db, "status", "--format", "json")
    finally:
        holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert "waiting for the database" in result.stderr
    assert '"organizations"' in result.stdout


@pytest.fixture
def dashboard(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setenv("EXPOSURE_DASHBOARD_IDLE_S", "0.2")
    monkeypatch.delenv("EXPOSURE_DASHBOARD_SCENARIO", raising=False)
    main = sys.modules["__main__"]

    def start(db: Path) -> AppTest:
        monkeypatch.setenv("EXPOSURE_DB", str(db))
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield start
    st.cache_resource.clear()
    gc.collect()
    sys.modules["__main__"] = main


def _sidebar_version(at: AppTest) -> str:
    captions = [c.value for c in at.sidebar.caption if "data version" in c.value]
    assert captions, [c.value for c in at.sidebar.caption]
    return captions[0].rsplit("data version", 1)[1].strip()


def test_the_cli_loads_beside_an_open_dashboard_which_then_shows_the_new_data(
    loaded_db: Path, dashboard, tmp_path: Path
) -> None:
    at = dashboard(loaded_db)
    before = _sidebar_version(at)
    time.sleep(1.0)  # the dashboard lets go of the database once its run is over
    extra = tmp_path / "more.csv"
    extra.write_text("buyer,supplier,relation\nNew Prime LLC,New Supplier Inc,saas\n")
    loaded = _cli(loaded_db, "load", str(extra))
    assert loaded.returncode == 0, loaded.stderr
    assert "waiting" not in loaded.stderr  # it never had to wait for the dashboard
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    con = connect(loaded_db)  # in this process, beside the dashboard's connection
    try:
        now = data_version(con)
    finally:
        con.close()
    assert now != before
    assert _sidebar_version(at) == now


def test_the_sidebar_shows_the_data_version_of_a_load_made_on_the_page(
    tmp_path: Path, dashboard
) -> None:
    db = tmp_path / "fresh.duckdb"
    at = dashboard(db)
    data = (GOOD / "relationships.csv").read_bytes()
    at.file_uploader(key="uploads").set_value(("relationships.csv", data, "text/csv")).run()
    at.button(key="load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Loaded ") for s in at.success), [e.value for e in at.error]
    st.cache_resource.clear()  # let go of the file to read it here
    con = connect(db, read_only=True)
    try:
        now = data_version(con)
    finally:
        con.close()
    assert _sidebar_version(at) == now


def test_a_refusal_goes_once_the_files_change(tmp_path: Path, dashboard) -> None:
    at = dashboard(tmp_path / "fresh.duckdb")
    bad = b"buyer,supplier,relation,criticality\nA Corp,B Inc,saas,9\n"
    at.file_uploader(key="uploads").set_value(("bad.csv", bad, "text/csv")).run()
    at.button(key="load").click().run()
    assert any("Load refused" in e.value for e in at.error), [e.value for e in at.error]
    good = b"buyer,supplier,relation,criticality\nA Corp,B Inc,saas,3\n"
    at.file_uploader(key="uploads").set_value(("fixed.csv", good, "text/csv")).run()
    assert not any("Load refused" in e.value for e in at.error), [e.value for e in at.error]
