"""The files that ship with the package are found through the package, and the build lists them.

``tests/test_wheel.py`` builds and installs the wheel; these checks are the fast half: the
links in ``exposure/_assets/``, the ``package-data`` globs against the files the code needs,
and no module locating files from its own path.
"""

from __future__ import annotations

import csv
import fnmatch
import os
import re
import tomllib
from pathlib import Path

import pytest

from exposure.app.server import app_path, streamlit_command
from exposure.core.resources import asset_dir, dashboard_app, sample_data_dir, seeds_dir
from exposure.warehouse.database import seeds_dir as warehouse_seeds_dir

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = ("seeds", "dashboards", "sample_data")


def _sources(*folders: str) -> list[Path]:
    """Python files under the folders, not following links (``_assets`` would repeat them)."""
    found = []
    for folder in folders:
        for top, dirs, files in os.walk(ROOT / folder):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            found.extend(Path(top) / name for name in files if name.endswith(".py"))
    return found


def test_no_module_finds_files_from_its_own_path():
    sources = _sources("exposure", "dashboards")
    assert len(sources) > 50  # the walk did find the package
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if "__file__" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize("name", SHIPPED)
def test_each_asset_link_reaches_the_top_level_folder(name):
    link = ROOT / "exposure" / "_assets" / name
    assert link.is_symlink()
    # Relative, so that it holds in any clone.
    assert not os.readlink(link).startswith("/")
    assert asset_dir(name) == (ROOT / name).resolve()


def test_the_finders_return_the_project_folders():
    assert seeds_dir() == (ROOT / "seeds").resolve()
    assert sample_data_dir() == (ROOT / "sample_data").resolve()
    assert dashboard_app() == (ROOT / "dashboards" / "app.py").resolve()
    assert app_path() == dashboard_app()


def test_seeds_env_variable_still_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("EXPOSURE_SEEDS", str(tmp_path))
    assert warehouse_seeds_dir() == tmp_path
    monkeypatch.delenv("EXPOSURE_SEEDS")
    assert warehouse_seeds_dir() == seeds_dir()


def test_an_unknown_asset_is_an_exposure_error():
    from exposure.core.errors import ExposureError

    with pytest.raises(ExposureError, match="missing"):
        asset_dir("no-such-folder")


def _package_data() -> list[str]:
    return list(PYPROJECT["tool"]["setuptools"]["package-data"]["exposure"])


def _shipped(relative: str) -> bool:
    """Whether ``exposure/<relative>`` matches a package-data glob (setuptools' ``*`` stops at
    a folder, as fnmatch's does not, so the parts are compared one by one)."""
    parts = relative.split("/")
    for pattern in _package_data():
        pieces = pattern.split("/")
        if len(pieces) == len(parts) and all(
            fnmatch.fnmatchcase(part, piece) for part, piece in zip(parts, pieces, strict=True)
        ):
            return True
    return False


def _needed() -> list[str]:
    """Every file the code reads from the shipped folders, as paths inside the package."""
    needed = [f"_assets/seeds/{p.name}" for p in (ROOT / "seeds").glob("*.csv")]
    dashboards = ROOT / "dashboards"
    needed += [f"_assets/dashboards/{p.relative_to(dashboards)}" for p in dashboards.rglob("*.py")]
    with (ROOT / "sample_data" / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        needed += [f"_assets/sample_data/{row['file']}" for row in csv.DictReader(handle)]
    return [*needed, "_assets/sample_data/manifest.csv"]


def test_package_data_lists_every_file_the_code_reads():
    needed = _needed()
    assert len(needed) >= 5 + 9 + 5  # seeds, dashboard modules, sample files and manifest
    assert [path for path in needed if not _shipped(path)] == []
    assert not _shipped("_assets/seeds/missing.txt")  # the check can fail


def test_package_data_has_no_pattern_that_matches_nothing():
    package = ROOT / "exposure"
    empty = [pattern for pattern in _package_data() if not list(package.glob(pattern))]
    assert empty == []
    assert not any("sql" in pattern for pattern in _package_data())


def _config_flags() -> set[str]:
    config = tomllib.loads(
        (ROOT / "dashboards" / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    )
    flags = set()
    for section, options in config.items():
        for key, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags.add(f"--{section}.{key}={text}")
    return flags


def test_the_server_command_carries_every_setting_of_the_config_file():
    """`exposure dashboard` runs wherever it is started, where no config file may exist."""
    flags = _config_flags()
    assert len(flags) >= 10
    command = set(streamlit_command(app=Path("app.py")))
    assert sorted(flags - command) == []


def test_the_app_names_only_pages_that_exist_beside_it():
    app = dashboard_app()
    pages = re.findall(r'st\.Page\("([^"]+)"', app.read_text(encoding="utf-8"))
    assert len(pages) >= 5
    assert [page for page in pages if not (app.parent / page).is_file()] == []
    assert (app.parent / "shared.py").is_file()
