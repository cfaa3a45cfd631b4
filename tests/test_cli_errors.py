"""An unexpected error in the command line: one line and a log path, not a traceback."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import exposure
import exposure.cli.commands as commands


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("the status went wrong")


def test_an_unexpected_error_prints_one_line_and_logs_the_traceback(
    report_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))
    monkeypatch.setattr(exposure, "status", _boom)
    with pytest.raises(SystemExit) as stopped:
        commands.main(["--db", str(report_db), "status"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    [log] = list(logs.glob("exposure-error-*.log"))
    assert err == f"error: the status went wrong (details in {log})\n"
    assert "Traceback" not in err
    text = log.read_text(encoding="utf-8")
    assert text.startswith(f"exposure --db {report_db} status\n")
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: the status went wrong" in text
    assert "_boom" in text


def test_errors_of_the_input_are_still_reported_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))
    with pytest.raises(SystemExit) as stopped:
        commands.main(["--db", str(tmp_path / "missing.duckdb"), "status"])
    assert stopped.value.code == 1
    assert "no database at" in capsys.readouterr().err
    assert not list(logs.glob("exposure-error-*.log"))


def test_the_console_script_shows_no_traceback(tmp_path: Path) -> None:
    # A real process, its library connect() replaced by one that fails unexpectedly.
    script = (
        "import sys, exposure, exposure.cli.commands as c\n"
        "def boom(*a, **k): raise KeyError('unexpected')\n"
        "exposure.connect = boom\n"
        "c.main(sys.argv[1:])\n"
    )
    db = tmp_path / "db.duckdb"
    db.touch()
    done = subprocess.run(
        [sys.executable, "-c", script, "--db", str(db), "status"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "TMPDIR": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: 'unexpected' (details in ")
    log = Path(lines[0].removeprefix("error: 'unexpected' (details in ").removesuffix(")"))
    assert log.parent == tmp_path and "KeyError" in log.read_text(encoding="utf-8")
