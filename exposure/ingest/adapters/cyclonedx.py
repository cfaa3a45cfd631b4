"""CycloneDX JSON SBOMs: the services and machine-learning models a product depends on.

An SBOM describes one product of one organization, the *buyer* (``--buyer``). Two kinds of
entries become dependencies of that buyer (SPEC 3.3), each a ``relationships`` row with the
provider as supplier and the entry's ``name`` as the product:

* ``services[]`` (nested ones too) with a ``provider`` (an organizational entity with a name):
  ``model_api`` when the service is a model API, else ``saas``. A service is a model API when
  its property ``exposure:relation`` says so (any relation type is accepted there), when it
  depends on a ``machine-learning-model`` component of the SBOM (``dependencies``), or when its
  name or description has one of the words of :data:`MODEL_WORDS`;
* ``components[]`` (nested ones too) of type ``machine-learning-model`` with a ``supplier`` or,
  failing that, a ``manufacturer``: ``model_api``.

``used_in`` is the SBOM's own product (``metadata.component.name``): the dependency feeds that
product of the buyer, so only the buyer's customers for that product are reached through it.
Names and products are read as a sheet's cells are (:func:`exposure.core.cells.clean_text`: white
space trimmed and collapsed), so " Northwind  Insight " matches a sheet's "Northwind Insight".
Notes keep the entry's JSON pointer, ``bom-ref``, version and endpoints. Entries are numbered
(the staged ``_row``) in document order, services first. Entries left out (no organization
named, provided by the buyer itself, a repeat of another entry's dependency) are noted and
given to the warehouse as rejected rows (:meth:`SbomSource.rejected`).

Before anything is read the document is parsed and validated against the official CycloneDX
JSON schema of its ``specVersion``, offline, by :mod:`exposure.ingest.adapters.cyclonedx_json`
(malformed or too deeply nested JSON and schema failures are refused there, located by line
and column or JSON pointer).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from exposure.core.cells import clean_text, refused_as_name
from exposure.core.errors import LoadError, Problem
from exposure.core.names import normalize_names
from exposure.core.sql import sql_literal
from exposure.ingest.adapters.base import SourceAdapter, StagedPart
from exposure.ingest.adapters.cyclonedx_json import parse_document, schema_problems
from exposure.ingest.schema import RELATION_TYPES

__all__ = [
    "MODEL_WORDS",
    "SbomSource",
    "read_sbom",
]

logger = logging.getLogger(__name__)

# Words (whole, case-insensitive) that mark a service as a model API.
MODEL_WORDS = frozenset(
    {
        "ai",
        "llm",
        "llms",
        "model",
        "models",
        "inference",
        "completion",
        "completions",
        "embedding",
        "embeddings",
        "chat",
        "gpt",
        "claude",
        "gemini",
        "bedrock",
        "foundation",
        "generative",
    }
)
_RELATION_PROPERTY = "exposure:relation"


@dataclass(frozen=True)
class _Entry:
    """A service or machine-learning model of the SBOM; ``number`` counts them in document
    order (services first) and is the staged ``_row``. ``supplier`` is None when the entry
    names no organization (``missing`` says what is missing)."""

    number: int
    supplier: str | None
    relation: str
    product: str | None
    pointer: str
    notes: str
    missing: str | None = None


def _text(value: Any) -> str | None:
    """A name or product as a sheet's cell would be read: white space trimmed and collapsed
    (:func:`exposure.core.cells.clean_text`), blank (or not text) as None."""
    return clean_text(value) if isinstance(value, str) else None


def _label(entry: _Entry) -> str:
    """How an entry is named in data quality: "service 'Ticket Desk' (/services/1)"."""
    what = "service" if entry.pointer.startswith("/services") else "model"
    named = f" '{entry.product}'" if entry.product else ""
    return f"{what}{named} ({entry.pointer})"


def _words(*texts: Any) -> set[str]:
    return {w for t in texts if isinstance(t, str) for w in re.findall(r"[a-z0-9]+", t.lower())}


def _property(entry: dict[str, Any], name: str) -> str | None:
    for prop in entry.get("properties") or []:
        if prop.get("name") == name and isinstance(prop.get("value"), str):
            return str(prop["value"]).strip().lower()
    return None


def _walk(items: list[Any], key: str, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, item in enumerate(items or []):
        here = f"{pointer}/{index}"
        yield here, item
        yield from _walk(item.get(key) or [], key, f"{here}/{key}")


def _describe(item: dict[str, Any], pointer: str) -> str:
    parts = [f"CycloneDX {pointer}"]
    if item.get("bom-ref"):
        parts.append(f"bom-ref {item['bom-ref']}")
    if item.get("version"):
        parts.append(f"version {item['version']}")
    if item.get("endpoints"):
        parts.append("endpoints " + ", ".join(item["endpoints"][:3]))
    if item.get("purl"):
        parts.append(f"purl {item['purl']}")
    return "; ".join(parts)


def _entries(document: dict[str, Any]) -> list[_Entry]:
    """Every service and machine-learning model component, numbered in document order."""
    components = list(_walk(document.get("components") or [], "components", "/components"))
    models = {
        c["bom-ref"]
        for _, c in components
        if c.get("type") == "machine-learning-model" and c.get("bom-ref")
    }
    uses_model = {
        d["ref"]
        for d in document.get("dependencies") or []
        if set(d.get("dependsOn") or []) & models
    }
    entries: list[_Entry] = []
    for pointer, service in _walk(document.get("services") or [], "services", "/services"):
        provider = _text((service.get("provider") or {}).get("name"))
        declared = _property(service, _RELATION_PROPERTY)
        if declared in RELATION_TYPES:
            relation = declared
        elif (
            service.get("bom-ref") in uses_model
            or _words(service.get("name"), service.get("description")) & MODEL_WORDS
        ):
            relation = "model_api"
        else:
            relation = "saas"
        entries.append(
            _Entry(
                len(entries) + 1,
                provider,
                relation,
                _text(service.get("name")),
                pointer,
                _describe(service, pointer),
                missing="no provider name" if provider is None else None,
            )
        )
    for pointer, component in components:
        if component.get("type") != "machine-learning-model":
            continue
        maker = None
        for role in ("supplier", "manufacturer"):
            maker = _text((component.get(role) or {}).get("name"))
            if maker is not None:
                break
        entries.append(
            _Entry(
                len(entries) + 1,
                maker,
                "model_api",
                _text(component.get("name")),
                pointer,
                _describe(component, pointer),
                missing="no supplier or manufacturer" if maker is None else None,
            )
        )
    return entries


def read_sbom(path: Path, name: str, *, buyer: str | None) -> SbomSource:
    """Parse, validate and read a CycloneDX SBOM; nothing touches the database yet.

    Raises:
        LoadError: malformed JSON (or nested deeper than
            :data:`~exposure.ingest.adapters.cyclonedx_json.MAX_DEPTH`), not a CycloneDX
            BOM, a schema failure, no ``--buyer``, or an organization name that looks like a
            formula.
    """
    document = parse_document(path, name)
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise LoadError(
            [
                Problem(
                    name,
                    "a JSON file is read as a CycloneDX SBOM, and this one is not: expected "
                    '"bomFormat": "CycloneDX" at the top level',
                    column="/bomFormat",
                )
            ]
        )
    try:
        problems = schema_problems(document, name)
    except RecursionError:
        # Within MAX_DEPTH this cannot happen from a normal stack; never let it escape.
        raise LoadError(
            [Problem(name, "the JSON nests too deeply to be checked against the schema")]
        ) from None
    if problems:
        raise LoadError(problems)
    metadata = document.get("metadata") or {}
    buyer = clean_text(buyer)
    if buyer is None:
        owner = [
            (metadata.get(role) or {}).get("name")
            for role in ("manufacturer", "supplier")
            if (metadata.get(role) or {}).get("name")
        ]
        hint = f' (its metadata names "{owner[0]}")' if owner else ""
        raise LoadError(
            [
                Problem(
                    name,
                    "an SBOM lists what one organization's product depends on: say whose it is "
                    f'with --buyer "Company Name"{hint}',
                )
            ]
        )
    notes: list[str] = []
    entries = _entries(document)
    used_in = _text((metadata.get("component") or {}).get("name"))
    problems = []
    if refused_as_name(buyer):
        problems.append(
            Problem(
                name,
                "looks like a spreadsheet formula; organization names must be plain text",
                column="--buyer",
                value=buyer,
            )
        )
    named = [entry for entry in entries if entry.supplier is not None]
    normalized = normalize_names([str(e.supplier) for e in named] + [buyer])
    buyer_norm = normalized[-1]
    # Entries left out, with why: (reason, detail, entry number).
    rejected: list[tuple[str, str, int]] = [
        (
            "no_organization",
            f"{_label(entry)}: {entry.missing}, so no organization to depend on; skipped",
            entry.number,
        )
        for entry in entries
        if entry.missing is not None
    ]
    kept: dict[tuple[str, str, str], _Entry] = {}
    for entry, norm in zip(named, normalized, strict=False):
        supplier = str(entry.supplier)
        if refused_as_name(supplier):
            problems.append(
                Problem(
                    name,
                    "looks like a spreadsheet formula; organization names must be plain text",
                    column=entry.pointer,
                    value=supplier,
                )
            )
        if norm is None:
            problems.append(
                Problem(
                    name,
                    "an organization name needs at least one letter or digit",
                    column=entry.pointer,
                    value=supplier,
                )
            )
        elif norm == buyer_norm:
            notes.append(f"{name}: {entry.pointer} is provided by the buyer itself; skipped")
            rejected.append(
                (
                    "provided_by_buyer",
                    f"{_label(entry)}: provided by the buyer itself; skipped",
                    entry.number,
                )
            )
            continue
        key = (norm or "", entry.relation, (entry.product or "").lower())
        first = kept.setdefault(key, entry)
        if first is not entry:
            rejected.append(
                (
                    "repeated_entry",
                    f"{_label(entry)}: repeats the dependency of entry {first.number} "
                    f"({first.pointer}); counted once",
                    entry.number,
                )
            )
    if problems:
        raise LoadError(problems)
    skipped = [entry for entry in entries if entry.missing is not None]
    if skipped:
        notes.append(
            f"{name}: {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} skipped (no "
            "organization named to depend on): "
            + "; ".join(f"{e.pointer} ({e.product}): {e.missing}" for e in skipped[:5])
        )
    if not kept:
        notes.append(
            f"{name}: no service with a provider and no machine-learning model with a supplier "
            "or manufacturer; nothing to load from it"
        )
    rows = sorted(kept.values(), key=lambda entry: entry.number)
    table = pa.table(
        {
            "buyer": pa.array([buyer] * len(rows), pa.string()),
            "supplier": [entry.supplier for entry in rows],
            "relation": [entry.relation for entry in rows],
            "product": [entry.product for entry in rows],
            "used_in": pa.array([used_in] * len(rows), pa.string()),
            "notes": [entry.notes for entry in rows],
            "_row": pa.array([entry.number for entry in rows], pa.int64()),
        },
        schema=pa.schema(
            [
                ("buyer", pa.string()),
                ("supplier", pa.string()),
                ("relation", pa.string()),
                ("product", pa.string()),
                ("used_in", pa.string()),
                ("notes", pa.string()),
                ("_row", pa.int64()),
            ]
        ),
    )
    rejected.sort(key=lambda item: item[2])
    left_out = pa.table(
        {
            "reason": pa.array([reason for reason, _, _ in rejected], pa.string()),
            "detail": pa.array([detail for _, detail, _ in rejected], pa.string()),
            "_row": pa.array([number for _, _, number in rejected], pa.int64()),
        }
    )
    return SbomSource(
        file=name,
        kind="cyclonedx",
        buyer=buyer,
        notes=notes,
        table=table,
        left_out=left_out,
    )


@dataclass
class SbomSource(SourceAdapter):
    """A validated SBOM's dependencies, ready to stage (``_row`` numbers the entries), and the
    entries left out (``left_out``: reason, detail, ``_row``)."""

    table: pa.Table = field(default_factory=lambda: pa.table({}))
    left_out: pa.Table = field(default_factory=lambda: pa.table({}))

    def validate(self, con: duckdb.DuckDBPyConnection, prefix: str) -> list[Problem]:
        for suffix, table in (("sbom", self.table), ("sbom_rejected", self.left_out)):
            con.register(f"{prefix}_arrow", table)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {prefix}_{suffix} AS SELECT * FROM {prefix}_arrow"
            )
            con.unregister(f"{prefix}_arrow")
        return []

    def parts(self, prefix: str) -> list[StagedPart]:
        # Even with no dependency the file is recorded as loaded, with its rejected entries.
        return [
            StagedPart(
                "relationships",
                f"SELECT buyer, supplier, relation, product, used_in, notes, _row FROM {prefix}_sbom",
            )
        ]

    def rejected(self, prefix: str) -> str | None:
        if self.left_out.num_rows == 0:
            return None
        buyer = "NULL" if self.buyer is None else sql_literal(self.buyer)
        return f"SELECT reason, {buyer} AS name, detail, _row FROM {prefix}_sbom_rejected"

    def drop(self, con: duckdb.DuckDBPyConnection, prefix: str) -> None:
        for suffix in ("sbom", "sbom_rejected"):
            con.execute(f"DROP TABLE IF EXISTS {prefix}_{suffix}")
