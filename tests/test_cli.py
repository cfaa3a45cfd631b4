"""The command line: load and status, exit codes, python -m."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from exposure.cli.commands import cli

RELS = "buyer,supplier,relation,product,annual_value_usd\nPrime A,Vendor B,saas,Portal,1000\n"


def test_load_then_status_shows_sources_hashes_and_quality(tmp_path):
    path = tmp_path / "rels.csv"
    path.write_text(RELS + "Prime A,Vendr B,saas,Other,5\n", encoding="utf-8")
    db = str(tmp_path / "x.duckdb")
    runner = CliRunner()
    loaded = runner.invoke(cli, ["--db", db, "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded rels.csv: 2 relationships rows" in loaded.output
    shown = runner.invoke(cli, ["--db", db, "status"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "rels.csv" in shown.output
    import hashlib

    assert hashlib.sha256(path.read_bytes()).hexdigest()[:16] in shown.output
    assert "3 organizations, 2 dependencies" in shown.output
    assert "fuzzy candidate" in shown.output and "Vendr B" in shown.output


def test_environment_variable_picks_the_database(tmp_path, monkeypatch):
    path = tmp_path / "rels.csv"
    path.write_text(RELS, encoding="utf-8")
    monkeypatch.setenv("EXPOSURE_DB", str(tmp_path / "env.duckdb"))
    result = CliRunner().invoke(cli, ["load", str(path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env.duckdb").exists()


def test_python_dash_m_runs_the_cli(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "exposure", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "load" in result.stdout and "status" in result.stdout


def test_bad_map_option_is_a_clear_error(tmp_path):
    path = tmp_path / "rels.csv"
    path.write_text(RELS, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "x.duckdb"), "load", str(path), "--map", "Vendor=nonsense"]
    )
    assert result.exit_code != 0
    assert "'nonsense' is not a column" in result.output
