"""exposure: how a supply-chain-risk designation cascades through a contractor network.

The library is the product; the ``exposure`` command and the Streamlit dashboard are thin
shells over it. Data flows one way: files -> :mod:`exposure.ingest` -> :mod:`exposure.warehouse`
(DuckDB) -> the model -> reports and the dashboard.
"""

from __future__ import annotations

from exposure.errors import DatabaseBusyError, ExposureError, LoadError, Problem
from exposure.ingest import LoadOptions, parse_mapping
from exposure.loading import LoadReport, load_files
from exposure.names import normalize_name
from exposure.readers import ReadLimits
from exposure.warehouse import Status, connect, status

__all__ = [
    "DatabaseBusyError",
    "ExposureError",
    "LoadError",
    "LoadOptions",
    "LoadReport",
    "Problem",
    "ReadLimits",
    "Status",
    "connect",
    "load_files",
    "normalize_name",
    "parse_mapping",
    "status",
]

__version__ = "0.1.0"
