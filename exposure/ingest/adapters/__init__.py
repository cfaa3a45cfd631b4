"""Public data formats, loaded through the same all-or-nothing path as the canonical sheets.

An adapter turns one source file of a public format into rows of the canonical sheets
(organizations, relationships), which the warehouse stages, each with the source row it came from. It is
used by :func:`exposure.warehouse.loading.load_files` in three steps, all inside the load's
transaction, so a failure anywhere leaves the database as it was:

1. :meth:`SourceAdapter.validate` reads the source into temporary tables (names prefixed by
   the given prefix) and returns every problem, located by file, row and the source's own
   column name (or JSON pointer);
2. :meth:`SourceAdapter.parts` gives, per staging table, a SELECT of the canonical columns and
   ``_row``; the warehouse adds the provenance and inserts. :meth:`SourceAdapter.rejected`
   gives the source rows the format's rules leave out (a repeated report, an SBOM entry that
   names no organization...) with the reason; the warehouse stages them as rejected rows
   with the same provenance, and the model lists them in data quality (``rejected_row``);
3. :meth:`SourceAdapter.drop` removes the temporary tables.

Formats (SPEC 3.3):

* ``usaspending-subawards`` (:mod:`exposure.ingest.adapters.usaspending`): the USAspending.gov
  contract subaward download, recognised by its header;
* ``cyclonedx`` (:mod:`exposure.ingest.adapters.cyclonedx`): a CycloneDX SBOM, 1.2 to 1.7, JSON
  (recognised by ``bomFormat``, read by :mod:`exposure.ingest.adapters.cyclonedx_json`) or XML
  (recognised by the namespace ``http://cyclonedx.org/schema/bom/1.x``, read by
  :mod:`exposure.ingest.adapters.cyclonedx_xml`), checked by
  :mod:`exposure.ingest.adapters.cyclonedx_check`.
"""

from __future__ import annotations

from pathlib import Path

from exposure.core.errors import LoadError, Problem
from exposure.ingest.adapters.base import SourceAdapter, StagedPart
from exposure.ingest.mapping import LoadOptions
from exposure.ingest.readers import CSV_SUFFIXES, PARQUET_SUFFIXES, SPREADSHEET_SUFFIXES, RawSheet

__all__ = ["SourceAdapter", "StagedPart", "adapter_for_file", "adapter_for_sheet"]


def adapter_for_file(path: Path, name: str, options: LoadOptions) -> SourceAdapter | None:
    """The adapter for a file that is not a spreadsheet (a JSON or XML SBOM), or None.

    Raises:
        LoadError: the file is JSON or XML but not a CycloneDX SBOM, or ``--kind cyclonedx``
            was given for a file that cannot be one.
    """
    from exposure.ingest.adapters.cyclonedx import read_sbom
    from exposure.ingest.adapters.cyclonedx_json import looks_like_json
    from exposure.ingest.adapters.cyclonedx_xml import looks_like_cyclonedx_xml

    if options.kind not in (None, "cyclonedx"):
        return None
    suffix = Path(name).suffix.lower()
    tabular = suffix in (*SPREADSHEET_SUFFIXES, *CSV_SUFFIXES, *PARQUET_SUFFIXES)
    if (
        options.kind == "cyclonedx"
        or suffix in (".json", ".xml")
        or (not tabular and (looks_like_json(path) or looks_like_cyclonedx_xml(path)))
    ):
        return read_sbom(path, name, buyer=options.buyer)
    return None


def adapter_for_sheet(raw: RawSheet, options: LoadOptions) -> SourceAdapter | None:
    """The adapter for a sheet in a public format (recognised by its header), or None."""
    from exposure.ingest.adapters.usaspending import SubawardSource, is_subaward_header

    if options.kind == "usaspending-subawards" or (
        options.kind is None and is_subaward_header(raw)
    ):
        return SubawardSource.from_sheet(raw)
    if options.kind == "cyclonedx":
        raise LoadError(
            [
                Problem(
                    raw.file,
                    "--kind cyclonedx reads CycloneDX SBOMs (JSON or XML); this is a sheet",
                )
            ]
        )
    return None
