"""The canonical input sheets: their columns, types, and the header synonyms users write.

Two sheets make the canonical workbook (SPEC 3.1):

* ``organizations``: one row per organization.
* ``relationships``: one row per dependency, "buyer depends on supplier".

A sheet with a supplier column but no buyer column is a single company's vendor list
(SPEC 3.2); it is loaded as relationships with ``--buyer`` naming the company. A vendor list
may also carry each supplier's identifiers (:data:`VENDOR_IDENTITY_COLUMNS`: UEI, CAGE,
country, DBA names, parent), as ERP vendor masters do; they describe the supplier and are
stored as its ``organizations`` row.

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
    "CONFIDENCE_SYNONYMS",
    "IDENTITY_COLUMNS",
    "KIND_SYNONYMS",
    "LOAD_KINDS",
    "ORG_KINDS",
    "RELATION_SYNONYMS",
    "RELATION_TYPES",
    "SHEET_KINDS",
    "SYNONYMS",
    "VENDOR_IDENTITY_COLUMNS",
    "VOCABULARIES",
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


# Spellings of the fixed-list values, as written in real sheets (validation maps them).
KIND_SYNONYMS = {
    "government": "agency",
    "federal_agency": "agency",
    "prime_contractor": "prime",
    "sub": "subcontractor",
    "sub_contractor": "subcontractor",
    "vendor": "supplier",
    "cloud": "cloud_host",
    "cloud_provider": "cloud_host",
    "csp": "cloud_host",
    "software": "software_vendor",
    "isv": "software_vendor",
    "ai_vendor": "model_provider",
    "model_vendor": "model_provider",
    "ai_provider": "model_provider",
    "systems_integrator": "integrator",
}
RELATION_SYNONYMS = {
    "prime": "prime_contract",
    "contract": "prime_contract",
    "subcontractor": "subcontract",
    "sub": "subcontract",
    "subaward": "subcontract",
    "part": "component",
    "hardware": "component",
    "api": "model_api",
    "ai_api": "model_api",
    "model": "model_api",
    "hosting": "cloud_hosting",
    "cloud": "cloud_hosting",
    "iaas": "cloud_hosting",
    "paas": "cloud_hosting",
    "resale": "resells",
    "reseller": "resells",
    "resell": "resells",
    "integration": "integrates",
    "integrate": "integrates",
    "services": "professional_services",
    "consulting": "professional_services",
    "software_license": "license",
    "licence": "license",
    "software": "license",
}
CONFIDENCE_SYNONYMS = {
    "verified": "confirmed",
    "confirm": "confirmed",
    "stated": "confirmed",
    "attested": "confirmed",
    "public": "reported",
    "report": "reported",
    "inferred_match": "inferred",
    "infer": "inferred",
    "estimated": "inferred",
    "assumed": "inferred",
    "fuzzy": "inferred",
    "unconfirmed": "unknown",
    "unanswered": "unknown",
    "pending": "unknown",
    "not_answered": "unknown",
}
# Typed columns whose values come from a fixed list: (synonyms, allowed values).
VOCABULARIES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "kind": (KIND_SYNONYMS, ORG_KINDS),
    "relation": (RELATION_SYNONYMS, RELATION_TYPES),
    "confidence": (CONFIDENCE_SYNONYMS, CONFIDENCE),
}


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
    # The parent by its UEI, when a sheet gives it in a column of its own ("Parent UEI" beside
    # "Parent Company"): it wins over ``parent`` and is stored as the parent.
    Column("parent_uei", "uei"),
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

# The supplier's own identifiers a vendor list may carry, as on an organizations sheet (its
# ``kind`` is left out: on a vendor list "Type" or "Category" is the relation).
VENDOR_IDENTITY_COLUMNS: tuple[str, ...] = (
    "uei",
    "cage",
    "country",
    "parent",
    "parent_uei",
    "aliases",
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "organizations": _ORG_COLUMNS,
    "relationships": _RELATIONSHIP_COLUMNS,
    # A vendor list is a relationships sheet whose buyer comes from --buyer, with the
    # supplier's identifiers besides.
    "vendors": _RELATIONSHIP_COLUMNS
    + tuple(c for c in _ORG_COLUMNS if c.name in VENDOR_IDENTITY_COLUMNS),
}

# Columns that name an organization: a value there that looks like a spreadsheet formula is
# refused at load time, since it would be carried into reports and matched as a name.
IDENTITY_COLUMNS = frozenset(
    {"name", "buyer", "supplier", "parent", "parent_uei", "aliases", "uei", "cage"}
)


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
    "uei": (
        "unique entity id",
        "unique entity identifier",
        "uei sam",
        "sam uei",
        "uei number",
        "uei id",
        "vendor uei",
        "supplier uei",
        "vendor unique entity id",
        "supplier unique entity id",
        "sam unique entity id",
    ),
    "cage": (
        "cage code",
        "cage cd",
        "ncage",
        "ncage code",
        "cage ncage",
        "cage ncage code",
        "vendor cage",
        "vendor cage code",
        "supplier cage",
        "supplier cage code",
    ),
    "country": (
        "country code",
        "country of origin",
        "hq country",
        "nation",
        "vendor country",
        "supplier country",
        "country name",
        "country region",
    ),
    "parent": (
        "parent company",
        "parent name",
        "parent company name",
        "owner",
        "owned by",
        "ultimate parent",
        "ultimate parent name",
        "immediate parent",
        "immediate parent name",
        "parent organization",
        "parent organisation",
        "parent entity",
    ),
    "parent_uei": (
        "parent uei",
        "parent unique entity id",
        "ultimate parent uei",
        "immediate parent uei",
        "parent company uei",
        "parent uei number",
    ),
    "aliases": (
        "alias",
        "aka",
        "also known as",
        "other names",
        "dba",
        "dba name",
        "doing business as",
        "doing business as name",
        "trade name",
        "vendor dba",
        "supplier dba",
        "vendor alias",
        "supplier alias",
    ),
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
        "vendor legal name",
        "supplier legal name",
        "vendor legal business name",
        "supplier legal business name",
        "legal vendor name",
        "payee",
        "payee name",
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
