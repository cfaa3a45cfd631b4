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
  :mod:`exposure.ingest.adapters.cyclonedx_check`;
* ``sam-entity`` (:mod:`exposure.ingest.adapters.sam_entity`): a SAM.gov Entity Management
  extract (pipe-delimited, ``BOF PUBLIC ...`` first line), as published in a ZIP or unzipped,
  recognised by that first line (:func:`adapter_for_extract`).
"""

from __future__ import annotations

from pathlib import Path

from exposure.core.errors import LoadError, Problem
from exposure.ingest.adapters.base import SourceAdapter, StagedPart
from exposure.ingest.mapping import LoadOptions
from exposure.ingest.readers import CSV_SUFFIXES, PARQUET_SUFFIXES, SPREADSHEET_SUFFIXES, RawSheet

__all__ = [
    "SourceAdapter",
    "StagedPart",
    "adapter_for_extract",
    "adapter_for_file",
    "adapter_for_sheet",
]


def adapter_for_extract(path: Path, name: str, options: LoadOptions) -> SourceAdapter | None:
    """The adapter for a SAM.gov entity extract (the file, or the one file of a ZIP), or None.

    Raises:
        LoadError: the extract cannot be read; the file is a SAM.gov exclusions extract or
            FASCSA orders list (to screen, not to load); or ``--kind sam-entity`` was given for
            a file that does not start with an extract's ``BOF`` line.
    """
    from exposure.ingest.adapters.sam_entity import (
        is_entity_extract,
        is_screening_list,
        read_entity_extract,
    )

    if options.kind not in (None, "sam-entity"):
        return None
    if is_entity_extract(path, name):
        return read_entity_extract(path, name, encoding=options.encoding)
    if options.kind is None and is_screening_list(path, name):
        raise LoadError(
            [
                Problem(
                    name,
                    "this is a SAM.gov exclusions extract or FASCSA orders list (its header names "
                    "Classification, Exclusion Type, Excluding Agency): a list of excluded parties "
                    "to screen your organizations against, not a network to load. Run 'exposure "
                    "screen' with it",
                    row=1,
                )
            ]
        )
    if options.kind == "sam-entity":
        raise LoadError(
            [
                Problem(
                    name,
                    "--kind sam-entity reads a SAM.gov Entity Management extract, whose first "
                    "line is 'BOF PUBLIC ...' (the .dat file, or the ZIP holding it); this file's "
                    "is not",
                    row=1,
                )
            ]
        )
    return None


def adapter_for_file(path: Path, name: str, options: LoadOptions) -> SourceAdapter | None:
    """The adapter for a file that is not a spreadsheet (a JSON or XML SBOM), or None.

    Raises:
        LoadError: the file is JSON or XML but not a CycloneDX SBOM, or ``--kind cyclonedx``
            was given for a file that cannot be one.
    """
    from exposure.ingest.adapters.cyclonedx import read_sbom
    from exposure.ingest.adapters.cyclonedx_json import looks_like_json
    from exposure.ingest.adapters.cyclonedx_xml import looks_like_cyclonedx_xml

    extract = adapter_for_extract(path, name, options)
    if extract is not None:
        return extract
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
