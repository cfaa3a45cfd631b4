"""CycloneDX SBOMs (1.2 to 1.7, JSON or XML): the services and AI models a product depends on.

An SBOM describes one product of one organization, the *buyer* (``--buyer``). Two kinds of
entries become dependencies of that buyer (SPEC 3.3), each a ``relationships`` row with an
organization behind the entry as supplier and the entry's ``name`` as the product:

* ``services[]`` (nested ones too): ``model_api`` when the service is a model API, else
  ``saas``. A service is a model API when its property ``exposure:relation`` says so (any
  relation type is accepted there), when it depends on a machine-learning model of the SBOM
  (``dependencies``), when its name or description has one of the words of
  :data:`MODEL_WORDS` or names a model brand ("Anthropic API", "Azure OpenAI Service",
  "ChatGPT Enterprise", "GitHub Copilot", "Amazon SageMaker endpoint"), or when an endpoint's
  host is a model API's (``bedrock-runtime.*.amazonaws.com``, ``api.anthropic.com``,
  ``*.openai.azure.com``...). Its organizations: the ``provider``; the makers of the model
  brands its name names; and the organization of a model API's endpoint host. A service with
  no ``provider`` takes it from its endpoints' host where that is unambiguous (every endpoint
  on hosts of one organization: ``*.amazonaws.com`` is Amazon Web Services); otherwise it is
  left out and listed for review, with its endpoints;
* machine-learning models: ``components[]`` (nested ones too) of type
  ``machine-learning-model`` or with a model hub purl (``pkg:huggingface/...``), and the
  SBOM's own component when it is one: ``model_api``. Its organizations, all kept (designating
  the distributor or the maker reaches the dependency alike): the ``supplier`` (a distributor
  such as Hugging Face, or the maker), the ``manufacturer``, the ``publisher``, the hub
  namespace of its ``group``, purl, name (``meta-llama/Llama-3.1-8B``) or ``huggingface.co``
  URL, and the makers of the model brands its name names ("Llama", "Claude"); failing all
  of those, its ``authors``, or the hub namespace as written. A ``pkg:huggingface`` purl or
  a ``huggingface.co`` URL also keeps Hugging Face as its distributor, whoever the maker is.

Hub handles, brands and hosts become legal entities through ``seeds/ai_makers.csv``
(:mod:`exposure.ingest.adapters.ai_makers`): ``meta-llama`` is "Meta Platforms, Inc.",
"Bedrock" is "Amazon Web Services, Inc.". An organization field that is no handle or brand
there is taken as written.

``used_in`` is the SBOM's own product (``metadata.component.name``): the dependency feeds that
product of the buyer, so only the buyer's customers for that product are reached through it
(blank for the SBOM's own component when it is the model). Names and products are read as a
sheet's cells are (:func:`exposure.core.cells.clean_text`: white space trimmed and collapsed),
so " Northwind  Insight " matches a sheet's "Northwind Insight". Notes keep the entry's JSON
pointer, ``bom-ref``, version, endpoints, purl and where each organization was read. Rows are
numbered (the staged ``_row``) in document order, services first, one per dependency found
and one per entry left out. Entries and organizations left out (no organization named,
provided by the buyer itself, a repeat of another entry's dependency) are noted and given to
the warehouse as rejected rows (:meth:`SbomSource.rejected`).

Before anything is read the document is parsed safely
(:mod:`exposure.ingest.adapters.cyclonedx_json`, :mod:`exposure.ingest.adapters.cyclonedx_xml`)
and checked (:mod:`exposure.ingest.adapters.cyclonedx_check`): what the dependency data needs
is checked strictly and refuses the file, with its JSON pointer; every other schema finding
is kept as a warning, a rejected row with reason ``dq:sbom_schema`` (Data quality lists it as
``sbom_schema``; ``--strict`` refuses the load on any).
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
from exposure.ingest.adapters.ai_makers import (
    HUB_PURL_TYPES,
    SEED_FILE,
    Maker,
    MakerTable,
    endpoint_host,
    hub_namespace,
    maker_table,
)
from exposure.ingest.adapters.base import SourceAdapter, StagedPart, stage_arrow
from exposure.ingest.adapters.cyclonedx_check import Finding, check_document
from exposure.ingest.adapters.cyclonedx_json import read_json
from exposure.ingest.schema import RELATION_TYPES

__all__ = [
    "MODEL_WORDS",
    "SCHEMA_FINDING",
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
MODEL_TYPE = "machine-learning-model"
# The host of the Hugging Face Hub: its purls and URLs mean Hugging Face distributes the model.
HUB_HOST = "huggingface.co"
#: The reason of a schema finding kept as a warning (``dq:`` makes it a data-quality finding
#: that ``--strict`` refuses: see :data:`exposure.warehouse.database.FINDING_PREFIX`).
SCHEMA_FINDING = "dq:sbom_schema"


@dataclass(frozen=True)
class _Org:
    """An organization behind an entry, and where it was read (for the edge's notes)."""

    name: str
    basis: str


@dataclass
class _Entry:
    """A service or machine-learning model of the SBOM and the organizations behind it
    (``missing`` says why there is none)."""

    pointer: str
    relation: str
    product: str | None
    notes: str
    orgs: list[_Org]
    missing: str | None = None
    used_in_own: bool = True


def _text(value: Any) -> str | None:
    """A name or product as a sheet's cell would be read: white space trimmed and collapsed
    (:func:`exposure.core.cells.clean_text`), blank (or not text) as None."""
    return clean_text(value) if isinstance(value, str) else None


def _entity_name(value: Any) -> Any:
    """The name of an organizational entity (an object with a ``name``; text is read as the
    name itself, a schema finding)."""
    return value.get("name") if isinstance(value, dict) else value


def _label(entry: _Entry) -> str:
    """How an entry is named in data quality: "service 'Ticket Desk' (/services/1)"."""
    what = "service" if entry.pointer.startswith("/services") else "model"
    named = f" '{entry.product}'" if entry.product else ""
    return f"{what}{named} ({entry.pointer})"


def _words(*texts: Any) -> set[str]:
    return {w for t in texts if isinstance(t, str) for w in re.findall(r"[a-z0-9]+", t.lower())}


def _property(entry: dict[str, Any], name: str) -> str | None:
    for prop in entry.get("properties") or []:
        if (
            isinstance(prop, dict)
            and prop.get("name") == name
            and isinstance(prop.get("value"), str)
        ):
            return str(prop["value"]).strip().lower()
    return None


def _walk(items: Any, key: str, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object of a list and of the lists nested under ``key``, depth first in document
    order (without recursion; the check has made every one of them an object)."""
    stack: list[tuple[list[Any], str, int]] = [(items or [], pointer, 0)]
    while stack:
        current, where, start = stack.pop()
        for index in range(start, len(current)):
            item = current[index]
            here = f"{where}/{index}"
            yield here, item
            nested = item.get(key)
            if nested:
                stack.append((current, where, index + 1))
                stack.append((nested, f"{here}/{key}", 0))
                break


def _refs(values: Any) -> list[str]:
    """The bom-refs of a ``dependsOn`` (objects with a ``ref`` read as their ref)."""
    refs = []
    for value in values or []:
        if isinstance(value, dict):
            value = value.get("ref")
        if isinstance(value, str):
            refs.append(value)
    return refs


def _describe(item: dict[str, Any], pointer: str) -> str:
    parts = [f"CycloneDX {pointer}"]
    if isinstance(item.get("bom-ref"), str):
        parts.append(f"bom-ref {item['bom-ref']}")
    if isinstance(item.get("version"), str):
        parts.append(f"version {item['version']}")
    endpoints = [e for e in item.get("endpoints") or [] if isinstance(e, str)]
    if endpoints:
        parts.append("endpoints " + ", ".join(endpoints[:3]))
    if isinstance(item.get("purl"), str):
        parts.append(f"purl {item['purl']}")
    return "; ".join(parts)


def _named(table: MakerTable, value: Any, role: str) -> list[_Org]:
    """The organization an organization field names: a handle or brand of the seed as its
    organization(s), anything else as written."""
    name = _text(value)
    if name is None:
        return []
    makers = table.organization(name)
    if makers:
        return [_Org(m.organization, f"{role} '{name}': {m.describe()}") for m in makers]
    return [_Org(name, f"{role} '{name}'")]


def _from(makers: tuple[Maker, ...], basis: str) -> list[_Org]:
    return [_Org(m.organization, f"{basis}: {m.describe()}") for m in makers]


def _distinct(orgs: list[_Org]) -> list[_Org]:
    """One of each organization (compared without case), the reasons of its repeats kept."""
    found: dict[str, _Org] = {}
    for org in orgs:
        key = org.name.casefold()
        first = found.get(key)
        if first is None:
            found[key] = org
        elif org.basis not in first.basis:
            found[key] = _Org(first.name, f"{first.basis}; {org.basis}")
    return list(found.values())


def _is_hub_purl(purl: Any) -> bool:
    if not isinstance(purl, str) or not purl.lower().startswith("pkg:"):
        return False
    return purl[4:].lstrip("/").split("/", 1)[0].lower() in HUB_PURL_TYPES


def _is_model(component: dict[str, Any]) -> bool:
    return component.get("type") == MODEL_TYPE or _is_hub_purl(component.get("purl"))


class _Reader:
    """The entries of a checked document and the organizations behind them."""

    def __init__(self, document: dict[str, Any], table: MakerTable) -> None:
        self.document = document
        self.table = table
        self.components = list(_walk(document.get("components") or [], "components", "/components"))
        models = {c["bom-ref"] for _, c in self.components if _is_model(c) and c.get("bom-ref")}
        self.uses_model = {
            d["ref"]
            for d in document.get("dependencies") or []
            if set(_refs(d.get("dependsOn"))) & models
        }

    def entries(self) -> list[_Entry]:
        """Every service, then every model, in document order."""
        services = _walk(self.document.get("services") or [], "services", "/services")
        entries = [self.service(pointer, service) for pointer, service in services]
        entries += [self.model(p, c) for p, c in self.components if _is_model(c)]
        own = (self.document.get("metadata") or {}).get("component")
        if isinstance(own, dict) and _is_model(own):
            listed = {(c.get("bom-ref"), c.get("name")) for _, c in self.components}
            refs = {ref for ref, _ in listed if ref}
            names = {name for _, name in listed}
            if not (own.get("bom-ref") in refs or own.get("name") in names):
                entry = self.model("/metadata/component", own)
                entry.used_in_own = False
                entries.append(entry)
        return entries

    def service(self, pointer: str, service: dict[str, Any]) -> _Entry:
        table = self.table
        name = service.get("name")
        provider = _text(_entity_name(service.get("provider")))
        endpoints = [e for e in service.get("endpoints") or [] if isinstance(e, str)]
        hosts = [host for host in (endpoint_host(e) for e in endpoints) if host]
        by_host = [(host, table.for_host(host)) for host in hosts]
        brands = table.in_name(name)
        model_hosts = [(h, ms) for h, ms in by_host if any(m.model_api for m in ms)]
        declared = _property(service, _RELATION_PROPERTY)
        if declared in RELATION_TYPES:
            relation = str(declared)
        elif (
            service.get("bom-ref") in self.uses_model
            or _words(name, service.get("description")) & MODEL_WORDS
            or brands
            or model_hosts
            or _is_hub_purl(service.get("purl"))
        ):
            relation = "model_api"
        else:
            relation = "saas"
        orgs = _named(table, provider, "provider") if provider else []
        orgs += _from(brands, "its name names")
        for host, makers in model_hosts:
            orgs += _from(makers, f"model API endpoint host {host}")
        missing = None
        if provider is None:
            owners = {tuple(sorted({m.organization for m in ms})) for _, ms in by_host}
            if len(owners) == 1 and () not in owners:
                for host, makers in by_host[:1]:
                    orgs += _from(makers, f"no provider named; endpoint host {host}")
            elif not orgs:
                if not hosts:
                    missing = "no provider name, and no endpoint to tell it by"
                elif () in owners and len(owners) == 1:
                    missing = (
                        f"no provider name, and its endpoint host {', '.join(sorted(set(hosts))[:3])} "
                        f"is not one {SEED_FILE} names an organization for"
                    )
                else:
                    missing = (
                        "no provider name, and its endpoints' hosts do not all belong to one "
                        f"organization ({', '.join(sorted(set(hosts))[:3])})"
                    )
        return _Entry(
            pointer,
            relation,
            _text(name),
            _describe(service, pointer),
            _distinct(orgs),
            missing,
        )

    def model(self, pointer: str, component: dict[str, Any]) -> _Entry:
        table = self.table
        name = component.get("name")
        orgs: list[_Org] = []
        for role in ("supplier", "manufacturer"):
            orgs += _named(table, _entity_name(component.get(role)), role)
        orgs += _named(table, component.get("publisher"), "publisher")
        unmapped: list[tuple[str, str]] = []
        group = _text(component.get("group"))
        if group:
            makers = table.handle(group) or table.organization(group)
            if makers:
                orgs += _from(makers, f"group '{group}'")
            else:
                unmapped.append((group, "group"))
        urls = [
            r["url"]
            for r in component.get("externalReferences") or []
            if isinstance(r, dict) and isinstance(r.get("url"), str)
        ]
        found = hub_namespace(_text(name), component.get("purl"), urls)
        if found:
            handle, where = found
            makers = table.handle(handle)
            if makers:
                orgs += _from(makers, f"hub namespace '{handle}' of its {where}")
            elif handle.casefold() != (group or "").casefold():
                unmapped.append((handle, f"hub namespace of its {where}"))
        orgs += _from(table.in_name(name), "its name names")
        if not orgs:
            for author in component.get("authors") or []:
                orgs += _named(table, _entity_name(author), "author")
            orgs += _named(table, component.get("author"), "author")
        if not orgs and unmapped:
            handle, where = unmapped[0]
            orgs.append(
                _Org(
                    handle,
                    f"{where} '{handle}', taken as written: {SEED_FILE} does not name the "
                    "organization of this handle (check it, and add it to the seed)",
                )
            )
        orgs += self.hub_distributor(component.get("purl"), urls)
        missing = (
            None
            if orgs
            else "no supplier or manufacturer, nor a publisher, author or hub namespace"
        )
        return _Entry(
            pointer,
            "model_api",
            _text(name),
            _describe(component, pointer),
            _distinct(orgs),
            missing,
        )

    def hub_distributor(self, purl: Any, urls: list[str]) -> list[_Org]:
        """Hugging Face as the model's distributor, when a ``pkg:huggingface`` purl or a
        ``huggingface.co`` URL says the model is had from the Hub: kept beside its maker, so
        that designating either reaches the model (the legal name is the seed's, host
        ``huggingface.co``). Added after the maker's fallbacks, which it must not silence."""
        if _is_hub_purl(purl):
            where = f"its purl {purl}"
        else:
            hub = [u for u in urls if _is_hub_host(endpoint_host(u))]
            if not hub:
                return []
            where = f"its URL {hub[0]}"
        return _from(self.table.for_host(HUB_HOST), f"distributed through the Hub ({where})")


def _is_hub_host(host: str | None) -> bool:
    return host is not None and (host == HUB_HOST or host.endswith("." + HUB_HOST))


def _read_document(path: Path, name: str) -> tuple[dict[str, Any], bool]:
    """The document, read as XML when it starts with ``<`` (or is named ``.xml`` and does not
    start with ``{``), else as JSON, and whether it may hold nulls."""
    from exposure.ingest.adapters.cyclonedx_xml import parse_xml_document

    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or (Path(name).suffix.lower() == ".xml" and not head.startswith(b"{")):
        return parse_xml_document(path, name), False
    document, nulls = read_json(path, name)
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
    return document, nulls


def read_sbom(path: Path, name: str, *, buyer: str | None) -> SbomSource:
    """Parse, check and read a CycloneDX SBOM (JSON or XML); nothing touches the database yet.

    Raises:
        LoadError: malformed JSON or XML (or nested deeper than
            :data:`~exposure.ingest.adapters.cyclonedx_json.MAX_DEPTH`, or XML declaring a
            document type), not a CycloneDX BOM, an unsupported version, a fault in the
            dependency data, no ``--buyer``, or an organization name that looks like a formula.
    """
    document, nulls = _read_document(path, name)
    problems, findings = check_document(document, name, has_nulls=nulls)
    if problems:
        raise LoadError(problems)
    metadata = document.get("metadata") or {}
    buyer = clean_text(buyer)
    if buyer is None:
        names = [
            _entity_name(metadata.get(role)) for role in ("manufacturer", "manufacture", "supplier")
        ]
        owner = [named for named in names if isinstance(named, str)]
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
    entries = _Reader(document, maker_table()).entries()
    used_in = _text((metadata.get("component") or {}).get("name"))
    return _assemble(name, str(document.get("specVersion")), buyer, used_in, entries, findings)


def _assemble(
    name: str,
    version: str,
    buyer: str,
    used_in: str | None,
    entries: list[_Entry],
    findings: list[Finding],
) -> SbomSource:
    """The rows to stage and the rows left out, numbered in document order."""
    problems: list[Problem] = []
    if refused_as_name(buyer):
        problems.append(
            Problem(
                name,
                "looks like a spreadsheet formula; organization names must be plain text",
                column="--buyer",
                value=buyer,
            )
        )
    pairs = [(entry, org) for entry in entries for org in entry.orgs]
    normalized = normalize_names([org.name for _, org in pairs] + [buyer])
    buyer_norm = normalized[-1]
    norms = dict(zip(((id(e), o.name) for e, o in pairs), normalized, strict=False))
    notes: list[str] = []
    # Staged rows: (number, entry, org); left out: (reason, detail, number).
    kept: list[tuple[int, _Entry, _Org]] = []
    rejected: list[tuple[str, str, int]] = []
    first: dict[tuple[str, str, str], tuple[int, _Entry]] = {}
    number = 0
    for entry in entries:
        if entry.missing is not None:
            number += 1
            rejected.append(
                (
                    "no_organization",
                    f"{_label(entry)}: {entry.missing}, so no organization to depend on; "
                    "skipped and listed for review (if it is a third party's, name its "
                    "provider or supplier in the SBOM)",
                    number,
                )
            )
            continue
        for org in entry.orgs:
            number += 1
            norm = norms[(id(entry), org.name)]
            if refused_as_name(org.name):
                problems.append(
                    Problem(
                        name,
                        "looks like a spreadsheet formula; organization names must be plain text",
                        column=entry.pointer,
                        value=org.name,
                    )
                )
            if norm is None:
                problems.append(
                    Problem(
                        name,
                        "an organization name needs at least one letter or digit",
                        column=entry.pointer,
                        value=org.name,
                    )
                )
                continue
            if norm == buyer_norm:
                notes.append(f"{name}: {entry.pointer} is provided by the buyer itself; skipped")
                rejected.append(
                    (
                        "provided_by_buyer",
                        f"{_label(entry)}: provided by the buyer itself ({org.basis}); skipped",
                        number,
                    )
                )
                continue
            key = (norm, entry.relation, (entry.product or "").lower())
            earlier = first.setdefault(key, (number, entry))
            if earlier[1] is not entry:
                rejected.append(
                    (
                        "repeated_entry",
                        f"{_label(entry)}: repeats the dependency on {org.name} of row "
                        f"{earlier[0]} ({earlier[1].pointer}); counted once",
                        number,
                    )
                )
                continue
            if earlier[0] == number:
                kept.append((number, entry, org))
    if problems:
        raise LoadError(problems)
    skipped = [entry for entry in entries if entry.missing is not None]
    if skipped:
        notes.append(
            f"{name}: {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} skipped (no "
            "organization named to depend on; listed in Data quality for review): "
            + "; ".join(f"{e.pointer} ({e.product}): {e.missing}" for e in skipped[:5])
        )
    if not kept:
        if not entries:
            what = "no service and no machine-learning model"
        elif len(skipped) == len(entries):
            what = "no service or machine-learning model names an organization to depend on"
        else:
            what = (
                "every organization its services and models name is the buyer itself or "
                "repeats another entry"
            )
        notes.append(f"{name}: {what}; nothing to load from it")
    if findings:
        total = sum(f.count for f in findings)
        kinds = sorted({f.check for f in findings})
        notes.append(
            f"{name}: {total:,} CycloneDX {version} schema finding(s) kept as warnings "
            f"({', '.join(kinds)}); listed in Data quality as sbom_schema, and refused with "
            "--strict"
        )
    table = pa.table(
        {
            "buyer": pa.array([buyer] * len(kept), pa.string()),
            "supplier": pa.array([org.name for _, _, org in kept], pa.string()),
            "relation": pa.array([entry.relation for _, entry, _ in kept], pa.string()),
            "product": pa.array([entry.product for _, entry, _ in kept], pa.string()),
            "used_in": pa.array(
                [used_in if entry.used_in_own else None for _, entry, _ in kept], pa.string()
            ),
            "notes": pa.array(
                [f"{entry.notes}; organization from {org.basis}" for _, entry, org in kept],
                pa.string(),
            ),
            "_row": pa.array([number for number, _, _ in kept], pa.int64()),
        }
    )
    rejected += [
        (SCHEMA_FINDING, f"CycloneDX {version} schema: {finding.detail()}", 0)
        for finding in findings
    ]
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
    """A checked SBOM's dependencies, ready to stage (``_row`` numbers them), and the entries
    left out and the schema findings (``left_out``: reason, detail, ``_row``)."""

    table: pa.Table = field(default_factory=lambda: pa.table({}))
    left_out: pa.Table = field(default_factory=lambda: pa.table({}))

    def validate(self, con: duckdb.DuckDBPyConnection, prefix: str) -> list[Problem]:
        stage_arrow(con, prefix, {"sbom": self.table, "sbom_rejected": self.left_out})
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
