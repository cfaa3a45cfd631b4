"""A wheel install works, not only an editable one.

The wheel is built from a copy of the project (so the build leaves nothing in the work tree)
and installed with pip, without dependencies, into a fresh virtual environment that sees the
shared site-packages: the dependencies come from there, ``exposure`` itself from the wheel.
From an empty folder, the installed ``exposure demo`` must find the sample data and the
seeds, and the installed dashboard must render its pages.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What the build reads: the package (with its _assets links), the folders they reach, metadata.
SOURCES = ("exposure", "seeds", "dashboards", "sample_data", "pyproject.toml", "README.md")
TIMEOUT = 300

# Run inside the venv: where the package and its files are, what the demo database holds,
# and the dashboard rendered from the installed app.py.
PROBE = """
import json, sys
import duckdb
import exposure
from exposure.core.resources import dashboard_app, sample_data_dir, seeds_dir
from streamlit.testing.v1 import AppTest

con = duckdb.connect(sys.argv[1], read_only=True)
tables = [r[0] for r in con.execute(
    "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ref_%'").fetchall()]
counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
con.close()
at = AppTest.from_file(str(dashboard_app()), default_timeout=120).run()
print(json.dumps({
    "package": exposure.__file__,
    "seeds": str(seeds_dir()),
    "sample_data": str(sample_data_dir()),
    "app": str(dashboard_app()),
    "ref_counts": counts,
    "exceptions": [str(e.value) for e in at.exception],
    "titles": [t.value for t in at.title],
}))
"""


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _clean_env() -> dict[str, str]:
    """The environment without what would point at the work tree or another database."""
    drop = {"PYTHONPATH", "EXPOSURE_DB", "EXPOSURE_SEEDS", "PYTHONHOME", "VIRTUAL_ENV"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _copy_project(target: Path) -> Path:
    project = target / "project"
    project.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, project / name)
    return project


def _seed_rows(folder: Path) -> dict[str, int]:
    rows = {}
    for path in folder.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            rows["ref_" + path.stem.lower().replace("-", "_")] = sum(
                1 for _ in csv.DictReader(handle)
            )
    return rows


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the project's wheel installed; returns the venv folder."""
    base = tmp_path_factory.mktemp("wheel")
    env = _clean_env()
    project = _copy_project(base)
    dist = base / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    # Offline: the build uses the setuptools and wheel already installed (pyproject's dev extra).
    _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(project)],
        base,
        env,
    )
    wheels = list(dist.glob("exposure-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as archive:
        names = set(archive.namelist())
    assert "exposure/_assets/seeds/designations.csv" in names
    assert "exposure/_assets/dashboards/app.py" in names
    assert "exposure/_assets/sample_data/manifest.csv" in names
    venv = base / "venv"
    create = [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)]
    _run(create, base, env)
    target = ["--python", str(venv / "bin" / "python")]
    _run([*pip, *target, "install", "--no-deps", str(wheels[0])], base, env)
    return venv


def test_installed_demo_writes_the_workbook_with_the_shipped_seeds(installed, tmp_path):
    env = _clean_env()
    work = tmp_path / "elsewhere"
    work.mkdir()
    result = _run([str(installed / "bin" / "exposure"), "demo", "--no-dashboard"], work, env)
    assert "assessment workbook" in result.stdout
    workbook = work / "exposure-demo-assessment.xlsx"
    report = work / "exposure-demo-assessment.json"
    database = work / "exposure-demo.duckdb"
    assert workbook.stat().st_size > 10_000
    assert json.loads(report.read_text(encoding="utf-8"))  # a JSON document, not empty
    probe = _run(
        [str(installed / "bin" / "python"), "-c", PROBE, str(database)],
        work,
        {**env, "EXPOSURE_DB": str(database)},
    )
    found = json.loads(probe.stdout.strip().splitlines()[-1])

    site = installed.resolve()
    for key in ("package", "seeds", "sample_data", "app"):
        assert Path(found[key]).resolve().is_relative_to(site), (key, found[key])
    # Every seed file of the installed package was loaded, row for row.
    expected = _seed_rows(Path(found["seeds"]))
    assert len(expected) >= 5
    assert found["ref_counts"] == expected
    assert expected == _seed_rows(ROOT / "seeds")  # the wheel carries the project's seeds
    # The installed app finds its pages and `shared` beside it, and renders the loaded data.
    app = Path(found["app"])
    assert (app.parent / "shared.py").is_file()
    pages = sorted(p.name for p in (app.parent / "views").glob("*.py"))
    assert pages == sorted(p.name for p in (ROOT / "dashboards" / "views").glob("*.py"))
    assert found["exceptions"] == []
    assert found["titles"] == ["Affected network"]
