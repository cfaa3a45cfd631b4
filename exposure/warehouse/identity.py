"""The identity rule set (:mod:`exposure.core.identity`) applied to the warehouse's tables.

Two tables, rebuilt with the model by :func:`exposure.warehouse.resolve.rebuild_model`:

* ``seed_alias_groups``: the groups of ``seeds/aliases.csv`` (an organization and its
  aliases), and the near misses a person accepted as one organization (``_review_aliases``,
  :mod:`exposure.warehouse.review`), by normalized name (``group_norm``, ``group_name``, ``member_norm``, ``member``).
* ``org_spellings``: every key an organization answers to, one row per tier and key
  (``org_id``, ``tier``, ``value``, ``spelling``, ``norm``): its UEI and CAGE, every declared
  spelling (all of a merged organization's) and every spelling the data used for it (exact),
  the normalized declared spellings (name), its aliases and seed aliases, and for an
  organization only named in relationships, the key it was created under (new).

Resolution builds the same index over declared rows (``_identity_index``, keyed by entity
key) and resolves every name of the data against it in one query (:func:`match_sql`, one
LEFT JOIN per tier, in the order of :data:`exposure.core.identity.TIERS`). One name given by a
person (the command line, the dashboard search, screening's checks) is resolved by
:func:`resolve_name`, which reads that name's rows of ``org_spellings`` and applies
:func:`exposure.core.identity.resolve`: the same tiers, so a name means the same organization
on every path, and a name that appears in the data means what it meant there.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Hashable
from dataclasses import replace

import duckdb

from exposure.core.identity import (
    CAGE_LENGTH,
    TIERS,
    UEI_LENGTH,
    NameKeys,
    Resolution,
    Tier,
    name_keys,
    resolve,
)
from exposure.core.sql import scalar, sql_literal, table_exists

__all__ = [
    "DECLARED_INDEX_SQL",
    "ORG_SPELLINGS_SQL",
    "SEED_ALIAS_GROUPS_SQL",
    "SEED_GROUP_OF",
    "lookup_keys",
    "match_sql",
    "resolve_name",
]

logger = logging.getLogger(__name__)

SEED_ALIAS_GROUPS_SQL = """
CREATE OR REPLACE TABLE seed_alias_groups AS
SELECT DISTINCT exposure_norm_name(organization) AS group_norm, organization AS group_name,
       exposure_norm_name(member) AS member_norm, member
FROM (SELECT organization, organization AS member FROM ref_aliases
      UNION ALL SELECT organization, alias FROM ref_aliases
      -- near misses a person accepted as one organization (exposure.warehouse.review)
      UNION ALL SELECT organization, organization FROM _review_aliases
      UNION ALL SELECT organization, alias FROM _review_aliases)
WHERE exposure_norm_name(member) IS NOT NULL AND exposure_norm_name(organization) IS NOT NULL;
"""

# The seed alias group a normalized name belongs to (the first, when it is in several).
SEED_GROUP_OF = "(SELECT member_norm, min(group_norm) AS group_norm FROM seed_alias_groups GROUP BY member_norm)"

# The declared tiers over declared rows: ``_rec_keyed`` (one row per declared spelling, with
# its entity key) and ``_ent_decl`` (one row per declared entity: identifiers, aliases).
DECLARED_INDEX_SQL = """
CREATE OR REPLACE TEMP TABLE _identity_index AS
WITH own AS (
    SELECT 'name' AS tier, norm AS value, key, name AS spelling FROM _rec_keyed
    UNION ALL
    SELECT 'alias', exposure_norm_name(alias), key, alias FROM _ent_decl, unnest(aliases) AS t(alias)
)
SELECT 'uei' AS tier, uei AS value, key, uei AS spelling FROM _ent_decl WHERE uei IS NOT NULL
UNION ALL SELECT 'cage', cage, key, cage FROM _ent_decl WHERE cage IS NOT NULL
UNION ALL SELECT 'exact', name, key, name FROM _rec_keyed WHERE name IS NOT NULL
UNION ALL SELECT * FROM own WHERE value IS NOT NULL
UNION ALL
SELECT DISTINCT 'seed_alias', s2.member_norm, o.key, s2.member
FROM own o JOIN seed_alias_groups s1 ON s1.member_norm = o.value
JOIN seed_alias_groups s2 ON s2.group_norm = s1.group_norm;
"""

# After resolution (``_ent``: entities with their org_id; ``_ref_key``: every name of the data
# with the key it resolved to), the index by org_id, with every spelling the data used.
ORG_SPELLINGS_SQL = """
CREATE OR REPLACE TABLE org_spellings AS
SELECT e.org_id, i.tier, i.value, i.spelling,
       CASE WHEN i.tier IN ('uei', 'cage') THEN NULL
            WHEN i.tier = 'exact' THEN exposure_norm_name(i.value) ELSE i.value END AS norm
FROM _identity_index i JOIN _ent e USING (key)
UNION ALL
-- A name of the data resolved without ambiguity is a spelling of what it resolved to (a
-- declared one is there already).
SELECT e.org_id, 'exact', rk.ref, rk.ref, rk.norm
FROM _ref_key rk JOIN _ent e USING (key)
WHERE rk.n_keys = 1 AND rk.ref NOT IN (SELECT value FROM _identity_index WHERE tier = 'exact')
UNION ALL
SELECT org_id, 'new', substr(key, 3), name, substr(key, 3) FROM _ent WHERE NOT declared;
"""


def _key_sql(tier: Tier) -> str:
    """The key of names relation ``r`` for a tier (see :class:`exposure.core.identity.NameKeys`)."""
    if tier == "uei":
        return f"CASE WHEN length(r.ident) = {UEI_LENGTH} THEN r.ident END"
    if tier == "cage":
        return f"CASE WHEN length(r.ident) = {CAGE_LENGTH} THEN r.ident END"
    if tier in ("exact", "new"):
        return f"r.{tier}"
    return "r.norm"


def match_sql(names: str, index: str, target: str, tiers: Collection[Tier] = TIERS) -> str:
    """A SELECT resolving every row of ``names`` against ``index`` by the identity tiers.

    ``names`` has columns ``ident`` (:func:`exposure.core.names.identifier_key`), ``exact``,
    ``norm`` and ``new`` (the keys of :class:`exposure.core.identity.NameKeys`); ``index`` has
    ``tier``, ``value`` and the ``target`` column. The result is every column of ``names``
    with ``<target>`` (the first candidate of the deciding tier, NULL when none), ``tier``
    (the deciding tier) and ``n_candidates``.
    """
    used = [tier for tier in TIERS if tier in tiers]
    joins = "\n".join(
        f"LEFT JOIN (SELECT value, min({target}) AS found, count(DISTINCT {target}) AS n "
        f"FROM {index} WHERE tier = {sql_literal(tier)} GROUP BY value) t_{tier} "
        f"ON t_{tier}.value = {_key_sql(tier)}"
        for tier in used
    )
    found = ", ".join(f"t_{tier}.found" for tier in used)
    decided = " ".join(f"WHEN t_{t}.found IS NOT NULL THEN {sql_literal(t)}" for t in used)
    counts = " ".join(f"WHEN t_{t}.found IS NOT NULL THEN t_{t}.n" for t in used)
    return (
        f"SELECT r.*, coalesce({found}) AS {target}, CASE {decided} END AS tier, "
        f"CASE {counts} ELSE 0 END AS n_candidates\nFROM {names} r\n{joins}"
    )


def lookup_keys(con: duckdb.DuckDBPyConnection, name: str) -> NameKeys:
    """A name's keys, its ``new`` key taking the warehouse's seed alias groups into account."""
    # Normalized in Python (remembered per process): a constant argument to the SQL macros
    # would have DuckDB compile their regular expressions again for every query.
    keys = name_keys(name)
    if keys.norm is not None and table_exists(con, "seed_alias_groups"):
        group = scalar(
            con,
            "SELECT min(group_norm) FROM seed_alias_groups WHERE member_norm = ?",
            [keys.norm],
        )
        if group is not None:
            keys = replace(keys, new=str(group))
    return keys


def _candidates(
    con: duckdb.DuckDBPyConnection, keys: NameKeys
) -> dict[tuple[str, str], set[Hashable]]:
    """The rows of ``org_spellings`` a name's keys can reach, as an index."""
    wanted = [(tier, keys.value(tier)) for tier in TIERS]
    pairs = [(tier, value) for tier, value in wanted if value is not None]
    index: dict[tuple[str, str], set[Hashable]] = defaultdict(set)
    if not pairs:
        return index
    rows = con.execute(
        "SELECT s.tier, s.value, s.org_id FROM org_spellings s "
        "JOIN (SELECT unnest($1::VARCHAR[]) AS tier, unnest($2::VARCHAR[]) AS value) k "
        "USING (tier, value)",
        [[tier for tier, _ in pairs], [value for _, value in pairs]],
    ).fetchall()
    for tier, value, org_id in rows:
        index[(tier, value)].add(int(org_id))
    return index


def resolve_name(con: duckdb.DuckDBPyConnection, name: str) -> Resolution:
    """Which organization(s) a name means in the loaded data, by the identity tiers.

    The result's ``candidates`` are org ids: one for a name that resolves, several for an
    ambiguous one, none for an unknown one. Needs ``org_spellings`` (built by every load and
    by :func:`exposure.warehouse.database.connect` for an older warehouse); without it, or
    without ``orgs``, no name resolves.
    """
    if not table_exists(con, "org_spellings"):
        logger.debug("no org_spellings table: '%s' resolves to nothing", name)
        return Resolution(None, ())
    keys = lookup_keys(con, name)
    resolution = resolve(keys, _candidates(con, keys))
    logger.debug("'%s' resolved by %s to %s", name, resolution.tier, resolution.candidates)
    return resolution
