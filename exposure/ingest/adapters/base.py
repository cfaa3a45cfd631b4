"""What every public-data adapter is: a source file on its way to the staging tables.

See :mod:`exposure.ingest.adapters` for the three steps of a load that adapters take part in.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from exposure.core.errors import Problem
from exposure.ingest.schema import AdapterKind, SheetKind
from exposure.model.choices import Confidence

__all__ = ["SourceAdapter", "StagedPart", "stage_arrow"]


@dataclass(frozen=True)
class StagedPart:
    """Rows for one staging table: ``select`` gives its canonical columns and ``_row``."""

    kind: SheetKind
    select: str


@dataclass
class SourceAdapter(abc.ABC):
    """One source file of a public format, on its way to the staging tables."""

    file: str
    kind: AdapterKind
    buyer: str | None = None
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None
    # The confidence of the edges it stages where a row gives none (public data: reported).
    confidence: Confidence = "reported"

    @abc.abstractmethod
    def validate(self, con: duckdb.DuckDBPyConnection, prefix: str) -> list[Problem]:
        """Read the source into temporary tables named ``<prefix>_*``; every problem found."""

    @abc.abstractmethod
    def parts(self, prefix: str) -> list[StagedPart]:
        """What to stage, once :meth:`validate` found no problem."""

    def rejected(self, prefix: str) -> str | None:
        """A SELECT of the source rows left out, once :meth:`validate` found no problem:
        ``reason`` (a short code), ``name`` (the organization it concerns), ``detail`` (the
        reason in words, with the entry) and ``_row``; None when the format drops nothing."""
        return None

    @abc.abstractmethod
    def drop(self, con: duckdb.DuckDBPyConnection, prefix: str) -> None:
        """Drop the temporary tables (whether or not validation passed)."""


def stage_arrow(con: duckdb.DuckDBPyConnection, prefix: str, tables: dict[str, pa.Table]) -> None:
    """Copy Arrow tables read in Python into temporary tables ``<prefix>_<suffix>``: the
    step of :meth:`SourceAdapter.validate` for adapters that parse their file themselves."""
    for suffix, table in tables.items():
        con.register(f"{prefix}_arrow", table)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {prefix}_{suffix} AS SELECT * FROM {prefix}_arrow"
        )
        con.unregister(f"{prefix}_arrow")
