"""exposure: how a supply-chain-risk designation cascades through a contractor network.

The library is the product; the ``exposure`` command and the Streamlit dashboard are thin
shells over it. Data flows one way: files -> :mod:`exposure.ingest.mapping` -> :mod:`exposure.warehouse.database`
(DuckDB) -> the model -> reports and the dashboard.
"""

from __future__ import annotations

from exposure.core.errors import DatabaseBusyError, ExposureError, LoadError, Problem
from exposure.core.names import normalize_name
from exposure.ingest.mapping import LoadOptions, parse_mapping
from exposure.ingest.readers import ReadLimits
from exposure.warehouse.database import Status, connect, status
from exposure.warehouse.loading import LoadReport, load_files

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
