"""Files that ship inside the package: the seed CSVs, the dashboard's pages, the sample data.

They live in the project's top-level ``seeds/``, ``dashboards/`` and ``sample_data/``;
``exposure/_assets/`` holds a relative link to each, so the same lookup works from a source
checkout, an editable install and a wheel (the build copies the files the links reach, as
listed under ``package-data`` in ``pyproject.toml``). Everything is found through
:func:`importlib.resources.files` on this package, never from a module's own path.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from exposure.core.errors import ExposureError

__all__ = ["asset_dir", "dashboard_app", "sample_data_dir", "seeds_dir"]

ASSETS = "_assets"


def asset_dir(name: str) -> Path:
    """The shipped folder ``name`` (``seeds``, ``dashboards`` or ``sample_data``).

    >>> asset_dir("seeds").name
    'seeds'

    Raises:
        ExposureError: the package is not installed as plain files (as from a zip archive),
            or the folder is missing from the install.
    """
    folder = files("exposure").joinpath(ASSETS, name)
    if not isinstance(folder, Path):
        raise ExposureError(
            f"exposure's {name} files are not plain files on disk ({folder}): install the "
            "package from its wheel or project folder"
        )
    if not folder.is_dir():
        raise ExposureError(f"exposure's {name} folder is missing from the install ({folder})")
    # From a source checkout, the folder the link reaches (as messages and Streamlit show it).
    return folder.resolve()


def seeds_dir() -> Path:
    """The seed CSVs shipped with the package (``seeds/`` of the project)."""
    return asset_dir("seeds")


def sample_data_dir() -> Path:
    """The sample network the demo loads (``sample_data/`` of the project)."""
    return asset_dir("sample_data")


def dashboard_app() -> Path:
    """The Streamlit entry point ``app.py``; its ``shared.py`` and ``views/`` sit beside it.

    Raises:
        ExposureError: the dashboard files are missing from the install.
    """
    app = asset_dir("dashboards") / "app.py"
    if not app.is_file():
        raise ExposureError(f"the dashboard app is missing from the install ({app})")
    return app
