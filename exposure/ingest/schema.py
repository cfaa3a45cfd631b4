"""The canonical input sheets: their columns, types, and the header synonyms users write.

Two sheets make the canonical workbook (SPEC 3.1):

* ``organizations``: one row per organization.
* ``relationships``: one row per dependency, "buyer depends on supplier".

A sheet with a supplier column but no buyer column is a single company's vendor list
(SPEC 3.2); it is loaded as relationships with ``--buyer`` naming the company.

Headers are matched after :func:`header_key` (case, spaces and punctuation ignored), first
against the canonical names, then against :data:`SYNONYMS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from exposure.model.choices import CONFIDENCE

__all__ = [
    "ADAPTER_KINDS",
    "COLUMNS",
    "CONFIDENCE",
    "IDENTITY_COLUMNS",
    "LOAD_KINDS",
    "ORG_KINDS",
    "RELATION_TYPES",
    "SHEET_KINDS",
    "SYNONYMS",
    "AdapterKind",
    "Column",
    "ColumnType",
    "LoadKind",
    "SheetKind",
    "header_key",
    "match_header",
]

SheetKind = Literal["organizations", "relationships", "vendors"]
SHEET_KINDS: tuple[SheetKind, ...] = ("organizations", "relationships", "vendors")

# Public data formats read by :mod:`exposure.ingest.adapters` into the same staging tables (SPEC 3.3).
AdapterKind = Literal["usaspending-subawards", "cyclonedx", "sam-entity"]
ADAPTER_KINDS: tuple[AdapterKind, ...] = ("usaspending-subawards", "cyclonedx", "sam-entity")

# What ``load --kind`` accepts.
LoadKind = Literal[
    "organizations", "relationships", "vendors", "usaspending-subawards", "cyclonedx", "sam-entity"
]
LOAD_KINDS: tuple[LoadKind, ...] = (*SHEET_KINDS, *ADAPTER_KINDS)

ColumnType = Literal[
    "text",
    "name",
    "uei",
    "cage",
    "kind",
    "relation",
    "confidence",
    "money",
    "int",
    "number",
    "bool",
    "fact",
    "date",
]

ORG_KINDS: tuple[str, ...] = (
    "agency",
    "prime",
    "subcontractor",
    "supplier",
    "cloud_host",
    "software_vendor",
    "model_provider",
    "integrator",
    "other",
)

# The taxonomy also lives in seeds/relation_types.csv (with descriptions and sources); this
# tuple is what validation accepts, and a test checks that the two agree.
RELATION_TYPES: tuple[str, ...] = (
    "prime_contract",
    "subcontract",
    "component",
    "saas",
    "model_api",
    "cloud_hosting",
    "resells",
    "integrates",
    "professional_services",
    "license",
    "subgrant",
    "other",
)


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, type, whether a value is required, and allowed range."""

    name: str
    type: ColumnType
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None


_ORG_COLUMNS = (
    Column("name", "name", required=True),
    Column("kind", "kind"),
    Column("uei", "uei"),
    Column("cage", "cage"),
    Column("country", "text"),
    Column("parent", "name"),
    Column("aliases", "name"),
)

_RELATIONSHIP_COLUMNS = (
    Column("buyer", "name", required=True),
    Column("supplier", "name", required=True),
    Column("relation", "relation"),
    Column("product", "text"),
    Column("used_in", "text"),
    Column("contract_id", "text"),
    # The order under the contract (task or delivery order), when the data gives it apart.
    Column("order_id", "text"),
    Column("program", "text"),
    Column("annual_value_usd", "money", minimum=0),
    Column("criticality", "int", minimum=1, maximum=5),
    Column("essential", "bool"),
    Column("alternatives", "int", minimum=0, maximum=1_000_000),
    Column("replacement_months", "number", minimum=0, maximum=1200),
    Column("dod_use", "bool"),
    Column("notes", "text"),
    # When the buyer began replacing this input (blank: at the designation's effective date).
    Column("remediation_started", "date"),
    # Where and how the dependency runs (exposure.model.facts); blank is unknown.
    Column("deployment", "fact"),
    Column("environment", "fact"),
    Column("operator", "fact"),
    Column("use", "fact"),
    # Blank: the source's default (a sheet or attestation confirmed, public data reported).
    Column("confidence", "confidence"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "organizations": _ORG_COLUMNS,
    "relationships": _RELATIONSHIP_COLUMNS,
    # A vendor list is a relationships sheet whose buyer comes from --buyer.
    "vendors": _RELATIONSHIP_COLUMNS,
}

# Columns that name an organization: a value there that looks like a spreadsheet formula is
# refused at load time, since it would be carried into reports and matched as a name.
IDENTITY_COLUMNS = frozenset({"name", "buyer", "supplier", "parent", "aliases", "uei", "cage"})


def header_key(header: str) -> str:
    """Reduce a header to lower-case letters and digits, for matching.

    >>> header_key(" Annual Spend (USD) ")
    'annualspendusd'
    """
    return re.sub(r"[^0-9a-z]+", "", str(header).lower())


# Synonyms by canonical column, as written in real vendor masters and attestations.
_SYNONYM_LISTS: dict[str, tuple[str, ...]] = {
    "name": (
        "organization",
        "organisation",
        "organization name",
        "organisation name",
        "org",
        "org name",
        "company",
        "company name",
        "entity",
        "entity name",
        "legal name",
        "legal business name",
    ),
    "kind": ("type", "org type", "organization type", "entity type", "role", "category"),
    "uei": ("unique entity id", "unique entity identifier", "uei sam", "sam uei", "uei number"),
    "cage": ("cage code", "cage cd", "ncage", "ncage code"),
    "country": ("country code", "country of origin", "hq country", "nation"),
    "parent": (
        "parent company",
        "parent name",
        "owner",
        "owned by",
        "parent uei",
        "ultimate parent",
    ),
    "aliases": ("alias", "aka", "also known as", "other names", "dba", "doing business as"),
    "buyer": (
        "customer",
        "customer name",
        "buyer name",
        "prime",
        "prime contractor",
        "purchaser",
        "client",
        "dependent",
        "consumer",
    ),
    "supplier": (
        "vendor",
        "vendor name",
        "supplier name",
        "subcontractor",
        "subcontractor name",
        "sub",
        "provider",
        "provider name",
        "seller",
        "manufacturer",
    ),
    "relation": (
        "relation type",
        "relationship",
        "relationship type",
        "dependency type",
        "category",
        "type",
        "tie",
    ),
    "product": (
        "item",
        "item service",
        "service",
        "product service",
        "product name",
        "offering",
        "component",
        "description",
    ),
    "used_in": (
        "used for",
        "usedin",
        "used by",
        "feeds",
        "our product",
        "end product",
        "application",
    ),
    "contract_id": (
        "contract",
        "contract number",
        "contract no",
        "contract #",
        "contract num",
        "piid",
        "po",
        "po number",
        "purchase order",
        "agreement",
    ),
    "program": ("programme", "program name", "project", "platform"),
    "annual_value_usd": (
        "value",
        "spend",
        "annual spend",
        "annual value",
        "amount",
        "annual amount",
        "value usd",
        "spend usd",
        "annual spend usd",
        "contract value",
        "usd",
    ),
    "criticality": ("critical", "criticality 1 5", "criticality rating", "importance", "priority"),
    "essential": (
        "essential",
        "is essential",
        "mission essential",
        "production stops",
        "sole source",
    ),
    "alternatives": (
        "alternative",
        "qualified alternatives",
        "alternate sources",
        "substitutes",
        "number of alternatives",
        "alternates",
    ),
    "replacement_months": (
        "months to replace",
        "replacement time",
        "replacement time months",
        "time to replace",
        "time to replace months",
        "months",
        "replace months",
    ),
    "dod_use": (
        "dod",
        "dod use",
        "used for dod",
        "dod contract",
        "used in dod contract",
        "defense use",
        "federal use",
    ),
    "notes": ("note", "comment", "comments", "remarks", "description notes"),
    "order_id": (
        "order",
        "order number",
        "order no",
        "task order",
        "delivery order",
        "task order number",
        "delivery order number",
    ),
    "remediation_started": (
        "remediation start",
        "remediation start date",
        "replacement started",
        "replacement start date",
        "mitigation started",
    ),
    "deployment": (
        "deployment type",
        "deployment model",
        "deployed",
        "deployed at",
        "deployment location",
        "hosting model",
        "where deployed",
        "runs on",
    ),
    "environment": (
        "impact level",
        "il",
        "classification",
        "classification level",
        "accreditation",
        "authorization level",
        "authorized at",
        "fedramp level",
        "security level",
        "network",
        "enclave",
    ),
    "operator": ("operated by", "run by", "who operates", "hosted by", "operator type"),
    "use": ("use case", "use category", "mission use", "purpose", "usage", "intended use"),
    "confidence": (
        "confidence level",
        "link confidence",
        "certainty",
        "evidence",
        "evidence level",
        "confirmation",
    ),
}

# key -> canonical, per canonical column set. Built once; canonical names win over synonyms.
SYNONYMS: dict[str, str] = {}
for _canonical, _words in _SYNONYM_LISTS.items():
    for _word in _words:
        SYNONYMS.setdefault(header_key(_word), _canonical)


def match_header(header: str, allowed: tuple[Column, ...]) -> str | None:
    """Return the canonical column a header means among ``allowed``, or None.

    The canonical name itself wins, then a synonym.

    >>> match_header("Vendor Name", COLUMNS["relationships"])
    'supplier'
    >>> match_header("Annual Spend ($)", COLUMNS["relationships"]) is None
    False
    >>> match_header("Colour", COLUMNS["relationships"]) is None
    True
    """
    by_key = {header_key(column.name): column.name for column in allowed}
    key = header_key(header)
    if key in by_key:
        return by_key[key]
    # "category" means kind on an organizations sheet and relation on a relationships sheet.
    if key in ("category", "type"):
        return by_key.get("kind") or by_key.get("relation")
    if SYNONYMS.get(key) in by_key.values():
        return SYNONYMS[key]
    # Units decorate headers: "Annual Spend (USD)", "Criticality (1-5)", "DoD use (Y/N)".
    for suffix in ("usd", "15", "months", "yn", "truefalse", "count"):
        base = key.removesuffix(suffix)
        if base and base != key:
            found = by_key.get(base) or SYNONYMS.get(base)
            if found in by_key.values():
                return found
    return None
