"""`exposure dashboard` serves the app on localhost; `exposure demo` ends by starting it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

import exposure.app.server
from exposure.cli.commands import cli

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _launch(
    module_args: list[str], cwd: Path, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """``python -m MODULE ARGS`` in its own process group, its output to ``log``."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", *module_args],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _health(server: subprocess.Popen[bytes], port: int) -> str:
    """The server's health answer, once it gives one (90 s at most, or until it exits)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                return str(r.read().decode())
        except OSError:
            time.sleep(0.5)
    return ""


def _unreachable_elsewhere(port: int) -> None:
    """Nothing answers on ``port`` at this machine's other (non-loopback) addresses."""
    others = {
        info[4][0]
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        if not info[4][0].startswith("127.")
    }
    for address in others:
        with socket.socket() as probe:
            probe.settimeout(1)
            assert probe.connect_ex((address, port)) != 0, address


def _stop_group(server: subprocess.Popen[bytes]) -> None:
    """Whatever is left of the server's process group (nothing, when it stopped itself)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def test_dashboard_command_serves_the_app_on_localhost(tmp_path):
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = ["exposure", "--db", str(tmp_path / "x.duckdb"), "dashboard", "--port", str(port)]
    server = _launch(command, tmp_path, env, log)
    try:
        assert _health(server, port) == "ok", log.read_text(errors="replace")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200 and b'<div id="root">' in response.read()
        text = log.read_text(errors="replace")
        assert f"dashboard: http://localhost:{port}" in text
        assert "127.0.0.1" in text  # Streamlit's own banner: the address it listens on
        # Not reachable on another address of this machine.
        _unreachable_elsewhere(port)
        # `kill PID` of the exposure process (not its group) stops the Streamlit server too.
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) is not None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                probe.settimeout(1)
                if probe.connect_ex(("127.0.0.1", port)) != 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the dashboard still answers after its command was stopped")
    finally:
        _stop_group(server)


@pytest.fixture
def launches(monkeypatch):
    """Record dashboard launches instead of serving (a server blocks until Ctrl+C)."""
    calls: list[dict[str, object]] = []

    def record(database, *, host, port, max_upload_mb=200, extra_env=None):
        calls.append({"database": database, "host": host, "port": port, "env": extra_env})
        return 0

    monkeypatch.setattr(exposure.app.server, "run_dashboard", record)
    return calls


def test_demo_ends_by_starting_the_dashboard_on_the_demo_database(tmp_path, launches):
    db = tmp_path / "exposure-demo.duckdb"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo"])
    assert result.exit_code == 0, result.output
    assert launches == [
        {
            "database": db.resolve(),
            "host": "127.0.0.1",
            "port": 8501,
            "env": {"EXPOSURE_DASHBOARD_SCENARIO": "dod-2026-anthropic"},
        }
    ]
    assert "dashboard: http://localhost:8501" in result.output
    assert "later release" not in result.output


def test_demo_without_the_dashboard_starts_nothing(tmp_path, launches):
    db = tmp_path / "exposure-demo.duckdb"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--no-dashboard"])
    assert result.exit_code == 0, result.output
    assert launches == []


def test_listening_beyond_localhost_is_said_out_loud(tmp_path, launches):
    result = CliRunner().invoke(
        cli,
        ["--db", str(tmp_path / "x.duckdb"), "dashboard", "--host", "0.0.0.0", "--port", "9001"],
    )
    assert result.exit_code == 0, result.output
    assert launches[0]["host"] == "0.0.0.0" and launches[0]["port"] == 9001
    assert "anyone who can reach this machine" in result.output


def test_a_bare_streamlit_run_from_another_folder_listens_on_localhost_only(tmp_path):
    """No .streamlit/ where it is started: the app's own config.toml (beside app.py) still
    keeps Streamlit on 127.0.0.1."""
    port = free_port()
    log = tmp_path / "streamlit.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")},
        "PYTHONPATH": str(ROOT),
        "EXPOSURE_DB": str(tmp_path / "x.duckdb"),
        "HOME": str(tmp_path),  # no ~/.streamlit either
    }
    app = ROOT / "dashboards" / "app.py"
    server = _launch(["streamlit", "run", str(app), "--server.port", str(port)], tmp_path, env, log)
    try:
        assert _health(server, port) == "ok", log.read_text(errors="replace")
        assert f"http://127.0.0.1:{port}" in log.read_text(errors="replace")
        _unreachable_elsewhere(port)
    finally:
        _stop_group(server)
