"""Every `exposure` command of the README runs as written, in order, from the project folder.

The README's ```bash blocks are read; each line starting with ``exposure`` (except
``exposure dashboard``, which serves until stopped) runs in a temporary folder holding a copy
of sample_data/, against the default database there, and must succeed with some output.
"""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from pathlib import Path

from click.testing import CliRunner

from exposure.cli.commands import cli

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [
        line
        for line in lines
        if line.startswith("exposure ")
        and line != "exposure dashboard"
        and not line.startswith("exposure dashboard ")
    ]


def test_the_readme_names_the_walkthrough():
    commands = readme_commands()
    assert commands[0] == "exposure load sample_data/network.xlsx"
    assert any(c.startswith("exposure screen sample_data/exclusions.csv") for c in commands)


def test_every_readme_command_runs_in_order(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EXPOSURE_DB", raising=False)
    runner = CliRunner(env={"COLUMNS": "200"})
    whatifs = 0
    for command in readme_commands():
        words = shlex.split(command)[1:]
        args: list[str] = []
        for word in words:  # the shell's glob expansion
            args.extend(sorted(glob.glob(word)) if "*" in word else [word])
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        assert result.output.strip(), command
        if "--noncompliant" in words and "--compare-to" in words:
            # The flagship what-if changes the headline figures and says by how much.
            newly = re.search(r"(\d+) newly exposed", result.output)
            assert newly and int(newly.group(1)) > 0, result.output
            assert "this run against baseline" in result.output
            whatifs += 1
    assert (tmp_path / "matches.json").is_file() and (tmp_path / "meridian.xlsx").is_file()
    assert whatifs == 1
