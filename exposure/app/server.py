"""Library side of the Streamlit dashboard: starting the server, sessions, uploads.

The pages under ``dashboards/`` are thin; what they need beyond the model lives here so it can
be tested without a browser:

* :func:`streamlit_command` / :func:`run_dashboard`: ``streamlit run dashboards/app.py`` with
  safe defaults (listens on 127.0.0.1, no usage statistics, an upload size limit), the
  database passed in ``EXPOSURE_DB``.
* :func:`open_cursor`: one DuckDB connection per server process is shared; each browser
  session works through its own cursor (DuckDB connections are not shared between threads),
  which gets the name macros and settings a warehouse connection has.
* :func:`save_upload`: uploaded bytes go to a private temporary folder under a plain name,
  to be read as data by :mod:`exposure.ingest.readers` (never executed), then removed.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from exposure.app.defaults import DEFAULT_HOST, DEFAULT_PORT, MAX_UPLOAD_MB
from exposure.core.names import install_macros
from exposure.core.resources import dashboard_app
from exposure.ingest.readers import CSV_SUFFIXES, PARQUET_SUFFIXES, SPREADSHEET_SUFFIXES

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "LOOPBACK",
    "MAX_UPLOAD_MB",
    "REPORT_TYPES",
    "app_path",
    "listening_refusal",
    "model_choices",
    "open_cursor",
    "run_dashboard",
    "save_upload",
    "streamlit_command",
    "upload_suffixes",
    "uploads",
]

logger = logging.getLogger(__name__)


def app_path() -> Path:
    """The dashboard's ``app.py``, shipped with the package (``dashboards/app.py`` of the project).

    Raises:
        ExposureError: the dashboard files are missing from the install.
    """
    return dashboard_app()


def upload_suffixes() -> list[str]:
    """File types the upload accepts: every type ``exposure load`` reads, without dots.

    >>> {"xlsx", "xls", "csv", "parquet", "json", "xml", "zip", "dat"} <= set(upload_suffixes())
    True
    """
    # USAspending subaward downloads are CSV; CycloneDX SBOMs are JSON or XML; SAM.gov
    # publishes its extracts as ZIPs (the Entity Management extract is a .dat inside).
    suffixes = [
        *SPREADSHEET_SUFFIXES,
        *CSV_SUFFIXES,
        *PARQUET_SUFFIXES,
        ".json",
        ".xml",
        ".zip",
        ".dat",
    ]
    return sorted({s.lstrip(".").lower() for s in suffixes})


def model_choices() -> tuple[str, ...]:
    """The impact models a scenario can name (``ScenarioSpec.model``), the default first.

    >>> model_choices()[0]
    'cascade'
    """
    from exposure.model.impact import IMPACT_MODELS
    from exposure.model.scenario import ScenarioSpec

    default = ScenarioSpec().model
    return (default, *(m for m in IMPACT_MODELS if m != default))


def streamlit_command(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    max_upload_mb: int = MAX_UPLOAD_MB,
    app: Path | None = None,
) -> list[str]:
    """The command line that serves the dashboard, with every setting of the app's
    ``dashboards/.streamlit/config.toml`` as a flag (the server runs wherever it is started, from a wheel
    install too, where no project folder exists).

    >>> cmd = streamlit_command(port=8600, app=Path("dashboards/app.py"))
    >>> cmd[1:4], "--server.address=127.0.0.1" in cmd, "--server.port=8600" in cmd
    (['-m', 'streamlit', 'run'], True, True)
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app or app_path()),
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.headless=true",
        f"--server.maxUploadSize={max_upload_mb}",
        "--server.enableXsrfProtection=true",
        "--server.enableCORS=true",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=minimal",
        "--client.showErrorDetails=type",
        "--global.developmentMode=false",
    ]


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def listening_refusal(address: str | None, chosen: str | None) -> str | None:
    """Why the app must not serve on ``address``, or None when it may.

    Streamlit listens on every interface when nothing sets ``server.address``; the app's own
    ``dashboards/.streamlit/config.toml`` sets it, but a flag or ``STREAMLIT_SERVER_ADDRESS``
    can still say otherwise. The app then serves nothing: only this machine, or an address chosen with ``exposure dashboard
    --host`` (``chosen``), sees the data.

    >>> listening_refusal("127.0.0.1", None) is None, listening_refusal("0.0.0.0", "0.0.0.0")
    (True, None)
    >>> listening_refusal(None, None)[:40]
    'This dashboard listens on every network '
    """
    if address in LOOPBACK or (address and address == chosen):
        return None
    where = f"on {address}" if address else "on every network interface"
    return (
        f"This dashboard listens {where}, which nobody chose: it serves this machine only. "
        "Start it with `exposure dashboard` (127.0.0.1), or `exposure dashboard --host "
        "ADDRESS` to serve other machines on purpose."
    )


def run_dashboard(
    database: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    max_upload_mb: int = MAX_UPLOAD_MB,
    extra_env: dict[str, str] | None = None,
) -> int:
    """Serve the dashboard on ``database`` until interrupted; return the server's exit code.

    The server runs in the current folder (so a ``.streamlit/secrets.toml`` there configures
    login; ``~/.streamlit/`` works too), takes its settings from the command line and holds the
    database read-write while it runs.
    """
    app = app_path()
    env = {
        **os.environ,
        "EXPOSURE_DB": str(database.resolve()),
        # The address was chosen here: the app may serve on it (see listening_refusal).
        "EXPOSURE_DASHBOARD_HOST": host,
        **(extra_env or {}),
    }
    command = streamlit_command(host=host, port=port, max_upload_mb=max_upload_mb, app=app)
    logger.info("starting the dashboard: %s", " ".join(command))
    process = subprocess.Popen(command, env=env)
    # Stopped by Ctrl+C, `kill` or a closed terminal, the command stops its server with it:
    # otherwise Streamlit would go on serving (and holding the database) as an orphan.
    previous: dict[int, Any] = {}

    def stop(signum: int, _frame: object) -> None:
        raise _Stopped(signum)

    if threading.current_thread() is threading.main_thread():
        for wanted in (signal.SIGTERM, signal.SIGHUP):
            previous[wanted] = signal.signal(wanted, stop)
    try:
        return process.wait()
    except (KeyboardInterrupt, _Stopped):
        process.terminate()
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()
    finally:
        for given, handler in previous.items():
            signal.signal(given, handler)


class _Stopped(Exception):
    """The dashboard command received a signal to stop."""


# Report formats offered for download, with their media types.
REPORT_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "json": "application/json",
}


def open_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor on a shared connection, ready for the library (name macros, no progress bar)."""
    cursor = con.cursor()
    cursor.execute("SET enable_progress_bar = false")
    install_macros(cursor)
    return cursor


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def _plain_name(name: str, index: int) -> str:
    """A file name safe to create: no folders, no odd characters, the suffix kept.

    >>> _plain_name("../../etc/passwd", 0), _plain_name("Vendors (2026)*.xlsx", 3)
    ('0-passwd', '3-Vendors 2026.xlsx')
    """
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _UNSAFE.sub("", stem).strip(" .") or "upload"
    suffix = _UNSAFE.sub("", suffix)
    return f"{index}-{stem[:80]}{suffix}"


def save_upload(folder: Path, name: str, data: bytes, index: int = 0) -> Path:
    """Write an uploaded file's bytes into ``folder`` under a plain name; return its path."""
    path = folder / _plain_name(name, index)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


@contextmanager
def uploads(files: Sequence[tuple[str, bytes]]) -> Iterator[list[tuple[Path, str]]]:
    """Uploaded (name, bytes) pairs as files in a private temporary folder, removed after use.

    Yields (path, name) pairs in the order given.
    """
    folder = Path(tempfile.mkdtemp(prefix="exposure-upload-"))  # mode 0700
    try:
        yield [
            (save_upload(folder, name, data, index), name)
            for index, (name, data) in enumerate(files)
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
