"""The identity rule set: which organization a name means, defined once.

Every path that turns a name into an organization follows these tiers, in this order
(:data:`TIERS`); the first tier that finds anything decides, and when it finds several
organizations the name is ambiguous:

1. ``uei``: the name, read as an identifier (:func:`uei_key`), is an organization's UEI;
2. ``cage``: read the same way (:func:`cage_key`), it is an organization's CAGE code;
3. ``exact``: it is, white space aside (:func:`exact_key`), a spelling of the organization:
   any name it was declared under (every declared spelling of a merged organization is
   kept), or a name the data used for it;
4. ``name``: its normalized name (:func:`name_key`) is that of a declared spelling;
5. ``alias``: its normalized name is that of one of the organization's own aliases (the
   ``aliases`` column);
6. ``seed_alias``: ... or of a name in a ``seeds/aliases.csv`` group holding one of the
   organization's names or aliases;
7. ``new``: no declared organization answers: names that normalize alike (or fall in one
   seed alias group, :func:`new_key`) are one undeclared organization.

Resolution (:mod:`exposure.warehouse.resolve`) applies the tiers in SQL to every name of the
data; :mod:`exposure.warehouse.identity` applies them to one name (the command line, the
dashboard search, screening). Ingest's duplicate check compares exact keys only, so that it
never treats as one what the tiers keep apart. :func:`resolve` is the rule in plain Python
over an in-memory index: the reference the SQL is tested against.

>>> index = {("exact", "Acme Inc"): {"A"}, ("name", "acme"): {"A", "B"}, ("exact", "ACME"): {"B"}}
>>> resolve(name_keys("Acme Inc"), index)
Resolution(tier='exact', candidates=('A',))
>>> resolve(name_keys("acme, inc."), index).ambiguous
True
>>> resolve(name_keys("Zeta"), index)
Resolution(tier=None, candidates=())
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Literal

from exposure.core.cells import clean_text, clean_text_sql
from exposure.core.names import identifier_key, normalize_name

__all__ = [
    "CAGE_LENGTH",
    "MATCHED_BY",
    "TIERS",
    "UEI_LENGTH",
    "NameKeys",
    "Resolution",
    "Tier",
    "cage_key",
    "exact_key",
    "exact_key_sql",
    "name_key",
    "name_keys",
    "new_key",
    "resolve",
    "uei_key",
]

Tier = Literal["uei", "cage", "exact", "name", "alias", "seed_alias", "new"]

# The order is the rule: an earlier tier that finds anything wins.
TIERS: tuple[Tier, ...] = ("uei", "cage", "exact", "name", "alias", "seed_alias", "new")

# How a tier is reported (``org_names.matched_by``, dq_issues): exact and normalized spellings
# are both "name", the aliases column and the seed aliases both "alias".
MATCHED_BY: dict[Tier, str] = {
    "uei": "uei",
    "cage": "cage",
    "exact": "name",
    "name": "name",
    "alias": "alias",
    "seed_alias": "alias",
    "new": "new",
}

# SAM.gov Unique Entity IDs have 12 characters, CAGE codes 5.
UEI_LENGTH = 12
CAGE_LENGTH = 5


def uei_key(text: str | None) -> str | None:
    """The UEI a name stands for, if it reads as one (12 letters and digits), else None.

    >>> uei_key("nwa-000000001"), uei_key("Acme")
    ('NWA000000001', None)
    """
    key = identifier_key(text)
    return key if key is not None and len(key) == UEI_LENGTH else None


def cage_key(text: str | None) -> str | None:
    """The CAGE code a name stands for, if it reads as one (5 letters and digits), else None.

    >>> cage_key(" 1bp01 "), cage_key("Acme Inc")
    ('1BP01', None)
    """
    key = identifier_key(text)
    return key if key is not None and len(key) == CAGE_LENGTH else None


def exact_key(text: str | None) -> str | None:
    """A spelling as ingest stores it: white space trimmed and collapsed, case kept.

    >>> exact_key("  Acme \\u00a0Inc "), exact_key("acme inc"), exact_key(" ")
    ('Acme Inc', 'acme inc', None)
    """
    return clean_text(text)


def exact_key_sql(expr: str) -> str:
    """SQL giving :func:`exact_key` of a VARCHAR expression.

    >>> import duckdb
    >>> duckdb.sql("SELECT " + exact_key_sql("'  Acme   Inc '")).fetchall()
    [('Acme Inc',)]
    """
    return clean_text_sql(expr)


def name_key(text: str | None) -> str | None:
    """The normalized name (:func:`exposure.core.names.normalize_name`), for the name and alias tiers.

    >>> name_key("ACME, Inc."), name_key("Acme")
    ('acme', 'acme')
    """
    return normalize_name(text)


def new_key(norm: str | None, seed_groups: Mapping[str, str]) -> str | None:
    """The key of the undeclared organization a normalized name makes: its seed alias group
    (the group's normalized name) if it is in one, else itself.

    >>> new_key("aws", {"aws": "amazon web services"}), new_key("zeta", {})
    ('amazon web services', 'zeta')
    """
    if norm is None:
        return None
    return seed_groups.get(norm, norm)


@dataclass(frozen=True)
class NameKeys:
    """A name's key in each tier (None where the name gives none)."""

    uei: str | None
    cage: str | None
    exact: str | None
    norm: str | None
    new: str | None

    def value(self, tier: Tier) -> str | None:
        """The key this name is looked up by in ``tier``."""
        if tier in ("uei", "cage", "exact", "new"):
            return getattr(self, tier)
        return self.norm


def name_keys(name: str | None, seed_groups: Mapping[str, str] | None = None) -> NameKeys:
    """Every key of a name (``seed_groups`` maps a normalized name to its seed alias group).

    >>> name_keys("Acme Inc")
    NameKeys(uei=None, cage=None, exact='Acme Inc', norm='acme', new='acme')
    """
    norm = name_key(name)
    return NameKeys(
        uei=uei_key(name),
        cage=cage_key(name),
        exact=exact_key(name),
        norm=norm,
        new=new_key(norm, seed_groups or {}),
    )


@dataclass(frozen=True)
class Resolution:
    """What a name resolved to: the deciding tier and the organizations it found there.

    ``candidates`` is sorted; empty (and ``tier`` None) when no tier found anything.
    """

    tier: Tier | None
    candidates: tuple[Hashable, ...]

    @property
    def ambiguous(self) -> bool:
        """Whether the deciding tier found more than one organization."""
        return len(self.candidates) > 1


def resolve(
    keys: NameKeys,
    index: Mapping[tuple[str, str], Collection[Hashable]],
    tiers: Collection[Tier] = TIERS,
) -> Resolution:
    """Apply the tiers to a name's keys over an index ``(tier, key) -> organizations``.

    ``tiers`` limits the tiers consulted (resolution of data, for one, has no ``new`` entries
    to find: it creates them). Organizations must be sortable among themselves.
    """
    for tier in TIERS:
        if tier not in tiers:
            continue
        value = keys.value(tier)
        if value is None:
            continue
        found = index.get((tier, value))
        if found:
            return Resolution(tier, tuple(sorted(set(found))))  # type: ignore[type-var]
    return Resolution(None, ())
