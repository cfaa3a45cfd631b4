"""What the dashboard's pages need from the library beyond the public API.

The pages import only :mod:`exposure` and :mod:`exposure.app`; this module hands them the
upload preview of :mod:`exposure.ingest.preview` and two facts about the warehouse.
"""

from __future__ import annotations

import duckdb

from exposure.ingest.preview import (
    AUTOMATIC,
    IGNORE,
    FilePreview,
    canonical_columns,
    map_flags,
    mapping_from_choices,
    preview_file,
    problems_frame,
)
from exposure.warehouse.database import model_counts, stored_data_version

__all__ = [
    "AUTOMATIC",
    "IGNORE",
    "FilePreview",
    "canonical_columns",
    "data_version",
    "has_data",
    "map_flags",
    "mapping_from_choices",
    "preview_file",
    "problems_frame",
]


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """The data version the model was built from (``"empty"`` before any load)."""
    return stored_data_version(con) or "empty"


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the model holds any organization."""
    return model_counts(con)[0] > 0
