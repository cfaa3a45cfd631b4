"""The SQL side of screening: a list's records against the warehouse's organizations.

Matching by identifier (UEI, CAGE), exact spelling, normalized name and alias runs here, over
the model's tables (``orgs``, ``org_spellings``, ``seed_alias_groups``), with the warehouse's
own name macros (names compared in their screening form,
:func:`exposure.core.names.screening_name`); :mod:`exposure.screening.matching` adds the fuzzy candidates and decides.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from exposure.core.identity import exact_key_sql

__all__ = ["ScreeningCandidates", "organization_identifiers", "screening_candidates"]


# Every name each side answers to, normalized by the warehouse's own macro.
_MATCH_SQL = """
-- (Names are normalized first, then put in their screening form: a macro nested in another
-- that names its argument several times would normalize each name several times.)
CREATE OR REPLACE TEMP TABLE _scr_rec AS
SELECT record, uei, cage, exposure_screen_form(norm) AS norm, related_names, exact, entity
FROM (
    SELECT record, exposure_key(uei) AS uei, exposure_key(cage) AS cage,
           exposure_norm_name(listed_name) AS norm, related_names,
           EXACT_LISTED_NAME AS exact, entity
    FROM _scr_list
);

-- Organizations spelled exactly as a record's listed name (the identity rule's exact tier):
-- where there is one, it is what the name means, and others that only normalize alike are not.
CREATE OR REPLACE TEMP TABLE _scr_exact AS
SELECT DISTINCT r.record, s.org_id
FROM _scr_rec r JOIN org_spellings s ON s.tier = 'exact' AND s.value = r.exact;

-- A Cross-Reference name that has its own record is matched through that record only.
CREATE OR REPLACE TEMP TABLE _scr_rec_names AS
SELECT record, norm, 'listed' AS via, NULL AS text FROM _scr_rec WHERE norm IS NOT NULL
UNION
SELECT record, exposure_screen_form(norm), 'related', related
FROM (
    SELECT record, related, exposure_norm_name(related) AS norm
    FROM _scr_rec, unnest(related_names) AS t(related)
)
WHERE norm IS NOT NULL
  AND exposure_screen_form(norm) NOT IN (SELECT norm FROM _scr_rec WHERE norm IS NOT NULL);

-- Every name an organization answers to by the identity rule set (org_spellings): its
-- spellings, declared or used in the data, and the key an undeclared one was created under,
-- as names; its aliases and seed aliases (with the whole seed group of an undeclared one) as
-- aliases.
CREATE OR REPLACE TEMP TABLE _scr_org_names AS
SELECT org_id, exposure_screen_form(norm) AS norm,
       CASE WHEN tier IN ('alias', 'seed_alias') THEN 'alias' ELSE 'name' END AS via
FROM org_spellings WHERE tier NOT IN ('uei', 'cage') AND norm IS NOT NULL
UNION
SELECT s.org_id, exposure_screen_form(g.member_norm), 'alias'
FROM org_spellings s JOIN seed_alias_groups g ON g.group_norm = s.value
WHERE s.tier = 'new';

CREATE OR REPLACE TEMP TABLE _scr_pairs AS
WITH candidates AS (
    SELECT o.org_id, r.record, 'uei' AS match, 1 AS strength, NULL AS matched, NULL AS via,
           NULL AS norm
    FROM orgs o JOIN _scr_rec r ON o.uei = r.uei
    UNION ALL
    SELECT o.org_id, r.record, 'cage', 2, NULL, NULL, NULL
    FROM orgs o JOIN _scr_rec r ON o.cage = r.cage
    UNION ALL
    SELECT n.org_id, m.record,
           CASE WHEN n.via = 'name' AND m.via = 'listed' THEN 'name' ELSE 'alias' END,
           CASE WHEN n.via = 'name' AND m.via = 'listed' THEN 3
                WHEN m.via = 'listed' THEN 4 ELSE 5 END,
           m.text, m.via, norm
    FROM _scr_org_names n JOIN _scr_rec_names m USING (norm)
)
SELECT c.org_id, c.record, arg_min(c.match, c.strength) AS match, min(c.strength) AS strength,
       arg_min(c.matched, c.strength) AS matched, arg_min(c.via, c.strength) AS via,
       arg_min(c.norm, c.strength) AS norm,
       bool_or(x.org_id IS NULL) AND c.record IN (SELECT record FROM _scr_exact) AS spelled_as_other
FROM candidates c LEFT JOIN _scr_exact x USING (org_id, record)
GROUP BY c.org_id, c.record;

-- Possible affiliates (Section 889 covers a listed company's subsidiaries and affiliates),
-- for the organizations no other way matched: one whose name begins with the whole of a listed
-- entity's name ("ZTE USA Inc" and "ZTE CORPORATION": "zte usa" begins with "zte"), and one
-- owned, through parent links (up to ten levels), by an organization that matches a listed
-- party by identifier, name or alias, in a match its identifiers do not refute.
CREATE OR REPLACE TEMP TABLE _scr_affiliates AS
WITH RECURSIVE words AS (
    -- (only names whose first word begins a listed entity's name)
    SELECT DISTINCT org_id, string_split(norm, ' ') AS w FROM _scr_org_names
    WHERE via = 'name' AND split_part(norm, ' ', 1) IN
        (SELECT split_part(norm, ' ', 1) FROM _scr_rec WHERE entity AND norm IS NOT NULL)
),
prefixes AS (
    SELECT org_id, array_to_string(w[1:i], ' ') AS prefix
    FROM (SELECT org_id, w, unnest(generate_series(1, len(w) - 1)) AS i FROM words)
),
owned(org_id, owner_id, record, depth) AS (
    -- (not from a match the identifiers refute: the owner has another UEI than the record,
    -- or another CAGE and not the same UEI; that match is probably another entity)
    SELECT o.org_id, p.org_id, p.record, 1
    FROM orgs o JOIN _scr_pairs p ON o.parent_id = p.org_id JOIN _scr_rec r USING (record)
         JOIN orgs ow ON ow.org_id = p.org_id
    WHERE p.via IS DISTINCT FROM 'related' AND r.entity
      AND NOT coalesce(ow.uei <> r.uei, false)
      AND NOT (coalesce(ow.cage <> r.cage, false) AND ow.uei IS DISTINCT FROM r.uei)
    UNION ALL
    SELECT o.org_id, w.owner_id, w.record, w.depth + 1
    FROM orgs o JOIN owned w ON o.parent_id = w.org_id WHERE w.depth < 10
),
found AS (
    SELECT DISTINCT p.org_id, r.record, 'leading' AS via, NULL::VARCHAR AS affiliate_of, 1 AS rank
    FROM prefixes p JOIN _scr_rec r ON r.norm = p.prefix WHERE r.entity
    UNION ALL
    SELECT w.org_id, w.record, 'parent', o.name, 0
    FROM owned w JOIN orgs o ON o.org_id = w.owner_id WHERE w.org_id <> w.owner_id
)
SELECT f.org_id, f.record, 'affiliate' AS match, 7 AS strength, NULL::VARCHAR AS matched,
       arg_min(f.via, f.rank) AS via, NULL::VARCHAR AS norm, false AS spelled_as_other,
       arg_min(f.affiliate_of, f.rank) AS affiliate_of
FROM found f ANTI JOIN _scr_pairs p USING (org_id, record)
GROUP BY f.org_id, f.record;
""".replace("EXACT_LISTED_NAME", exact_key_sql("listed_name"))

_CLEANUP = (
    "_scr_rec",
    "_scr_exact",
    "_scr_rec_names",
    "_scr_org_names",
    "_scr_pairs",
    "_scr_affiliates",
)


@dataclass(frozen=True)
class ScreeningCandidates:
    """What the warehouse matched: ``pairs`` (org_id, record, match, strength, matched, via,
    norm: the normalized name both sides share, spelled_as_other, affiliate_of: the owner whose
    match makes an ``affiliate``), every name of each record
    (``listed_names``: norm, via, record, text), the organizations' normalized names
    (``org_names``), how many organizations there are, and every spelling (declared, used in
    the data, alias) of the organizations a name matched (``spellings``: org_id, spelling)."""

    pairs: pd.DataFrame
    listed_names: pd.DataFrame
    org_names: pd.DataFrame
    organizations: int
    spellings: pd.DataFrame


def _list_table(records: pd.DataFrame, entities: Collection[str]) -> pa.Table:
    """The columns matching needs, typed (a column of lists must stay a list of text), and
    whether each record names an organization (its classification is one of ``entities``)."""
    schema = pa.schema(
        [
            ("record", pa.int64()),
            ("listed_name", pa.string()),
            ("uei", pa.string()),
            ("cage", pa.string()),
            ("related_names", pa.list_(pa.string())),
            ("entity", pa.bool_()),
        ]
    )
    frame = records.reindex(columns=[*schema.names[:-1], "classification"])
    classification = frame.pop("classification").fillna("").astype(str).str.strip().str.lower()
    frame["entity"] = classification.isin(list(entities))
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def screening_candidates(
    con: duckdb.DuckDBPyConnection,
    records: pd.DataFrame,
    entities: Collection[str] = ("firm", "special entity designation", ""),
) -> ScreeningCandidates:
    """Match a list's records (``record``, ``listed_name``, ``uei``, ``cage``,
    ``related_names``, ``classification``) by identifier, spelling, name and alias, and find
    the possible affiliates of those whose classification is one of ``entities`` (companies,
    not people or vessels); temporary tables are dropped."""
    con.register("_scr_list", _list_table(records, entities))
    try:
        con.execute(_MATCH_SQL)
        pairs = con.execute(
            "SELECT org_id, record, match, strength, matched, via, norm, spelled_as_other, "
            "NULL::VARCHAR AS affiliate_of FROM _scr_pairs UNION ALL BY NAME SELECT * FROM _scr_affiliates"
        ).df()
        spellings = con.execute(
            "SELECT DISTINCT s.org_id, s.spelling FROM org_spellings s WHERE s.spelling IS NOT "
            "NULL AND s.tier NOT IN ('uei', 'cage') AND s.org_id IN "
            "(SELECT org_id FROM _scr_pairs WHERE match IN ('name', 'alias'))"
        ).df()
        names = con.execute("SELECT DISTINCT norm, via, record, text FROM _scr_rec_names").df()
        orgs = con.execute(
            "SELECT org_id, exposure_screen_form(norm_name) AS norm_name FROM orgs "
            "WHERE norm_name IS NOT NULL"
        ).df()
        count = con.execute("SELECT count(*) FROM orgs").fetchall()[0][0]
    finally:
        con.unregister("_scr_list")
        for table in _CLEANUP:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return ScreeningCandidates(pairs, names, orgs, int(count), spellings)


def organization_identifiers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every organization's id, name, UEI and CAGE (as ``org_*`` columns of a match), and its
    entity key (``org_key``: UEI, CAGE or normalized name, the same across rebuilds)."""
    return con.execute(
        "SELECT org_id, name AS org_name, uei AS org_uei, cage AS org_cage, "
        "entity_key AS org_key FROM orgs"
    ).df()
