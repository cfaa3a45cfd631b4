"""Entity resolution: from staged rows to one ``orgs`` row per organization and ``edges``.

Rules (SPEC 3.1):

1. Declared organizations (rows of ``organizations`` sheets) are grouped into one
   organization by UEI; then a row with no UEI joins by CAGE; then by normalized name.
2. A name used in ``relationships`` (buyer, supplier) or as a ``parent`` resolves to an
   organization by the identity rule set (:mod:`exposure.core.identity`, applied in SQL by
   :func:`exposure.warehouse.identity.match_sql`): UEI, then CAGE, then a spelling declared
   exactly so (any of a merged organization's), then normalized name, then an alias (the
   ``aliases`` column, then ``seeds/aliases.csv``). A name that matches nothing creates an
   organization. Every key each organization answers to is kept in ``org_spellings``, which
   the command line, the search and screening resolve names against.
3. Near misses are never merged: :func:`exposure.core.names.fuzzy_candidates` lists them in
   ``dq_issues`` for review (``exposure review`` accepts or rejects them; an accepted one is
   applied at every rebuild as an alias of the other name, and two declared rows a person
   accepted as one share a key: :mod:`exposure.warehouse.review`), with conflicts (one UEI, two names; one name, two UEIs) and
   self-dependencies produced by resolution, and the rows loads left out (``stg_rejected``,
   as ``rejected_row``).

Edges are deduplicated on (supplier, buyer, relation, product, used_in, contract, program):
the same dependency stated by two sources is one edge, its ``edge_evidence`` row naming both
(:mod:`exposure.warehouse.evidence`);
each attribute comes from the most recent source that gives it. Rows of one sheet that repeat
a dependency exactly (a vendor listed per cost centre or year; the load keeps them with a
``duplicate_rows_merged`` finding) are first merged prudently into one statement: values
summed, the highest criticality, essential if any row says so, the fewest alternatives, the
longest replacement; every row stays evidence of the edge. Products and ``used_in`` are
keyed and stored with white space trimmed and collapsed (:func:`exposure.core.cells.clean_text_sql`)
whatever path staged them, and compared without case (SPEC 4.1).

Everything is SQL except fuzzy matching, so resolving a million rows takes seconds.
"""

from __future__ import annotations

import logging

import duckdb
import pandas as pd

from exposure.core.cells import clean_text_sql
from exposure.core.identity import MATCHED_BY, Tier
from exposure.core.names import FUZZY_THRESHOLD, fuzzy_candidates
from exposure.core.sql import scalar, sql_literal, table_exists
from exposure.core.text import MIXED_SCRIPT_SQL
from exposure.warehouse.evidence import build_edge_evidence
from exposure.warehouse.identity import (
    DECLARED_INDEX_SQL,
    ORG_SPELLINGS_SQL,
    SEED_ALIAS_GROUPS_SQL,
    SEED_GROUP_OF,
    match_sql,
)
from exposure.warehouse.review import (
    REVIEW_ALIASES_SQL,
    ensure_review_table,
    refresh_review_issues,
)

__all__ = ["DUPLICATES_MERGED", "FUZZY_LIMIT", "rebuild_model"]

logger = logging.getLogger(__name__)

# Above this many undeclared names, fuzzy review is skipped (and said so in dq_issues).
FUZZY_LIMIT = 20_000

# Staged relationships with product and used_in cleaned as ingest cleans text, so that rows
# staged by any path (an adapter, an older version) key and store them the same way; the
# regex only runs on the cells that need it.
_CLEAN_RELATIONSHIPS = (
    f"(SELECT * REPLACE ({clean_text_sql('product')} AS product, "
    f"{clean_text_sql('used_in')} AS used_in) FROM stg_relationships)"
)

# Names of the data are resolved against declared organizations: the "new" tier is where
# resolution creates organizations, not one it looks up.
_DECLARED_TIERS: tuple[Tier, ...] = ("uei", "cage", "exact", "name", "alias", "seed_alias")
_MATCHED_BY_SQL = " ".join(
    f"WHEN tier = {sql_literal(tier)} THEN {sql_literal(MATCHED_BY[tier])}"
    for tier in _DECLARED_TIERS
)

_RESOLVE_SQL = f"""
-- Declared organization rows, oldest first; ``mnorm`` is the normalized name a row is keyed
-- by: its own, or that of the organization a person accepted it as (review decisions).
CREATE OR REPLACE TEMP TABLE _rec AS
SELECT r.*, coalesce(rg.group_norm, r.norm) AS mnorm
FROM (
    SELECT row_number() OVER (ORDER BY _loaded_at, _load_id, _row) AS rec_id,
           name, exposure_norm_name(name) AS norm, uei, cage, kind, country, parent, aliases,
           _source_file, _sheet, _row
    FROM stg_organizations
) r
LEFT JOIN (
    SELECT exposure_norm_name(alias) AS member_norm,
           min(exposure_norm_name(organization)) AS group_norm
    FROM _review_aliases GROUP BY 1
) rg ON rg.member_norm = r.norm;

CREATE OR REPLACE TEMP TABLE _cage_uei AS
SELECT cage, min(uei) AS uei FROM _rec WHERE cage IS NOT NULL AND uei IS NOT NULL GROUP BY cage;

CREATE OR REPLACE TEMP TABLE _rec_id_key AS
SELECT r.rec_id, r.mnorm AS norm,
       CASE WHEN r.uei IS NOT NULL THEN 'U:' || r.uei
            WHEN r.cage IS NOT NULL THEN coalesce('U:' || cu.uei, 'C:' || r.cage) END AS key
FROM _rec r LEFT JOIN _cage_uei cu USING (cage);

CREATE OR REPLACE TEMP TABLE _norm_key AS
SELECT norm, min(key) AS key, count(DISTINCT key) AS n_keys
FROM _rec_id_key WHERE key IS NOT NULL GROUP BY norm;

CREATE OR REPLACE TEMP TABLE _rec_keyed AS
SELECT r.*, coalesce(k.key, nk.key, 'N:' || r.mnorm) AS key
FROM _rec r JOIN _rec_id_key k USING (rec_id) LEFT JOIN _norm_key nk ON nk.norm = r.mnorm;

-- Declared entities.
CREATE OR REPLACE TEMP TABLE _ent_decl AS
SELECT key,
       arg_min(name, rec_id) AS name,
       arg_min(norm, rec_id) AS norm,
       arg_min(kind, rec_id) FILTER (WHERE kind IS NOT NULL) AS kind,
       arg_min(uei, rec_id) FILTER (WHERE uei IS NOT NULL) AS uei,
       arg_min(cage, rec_id) FILTER (WHERE cage IS NOT NULL) AS cage,
       arg_min(country, rec_id) FILTER (WHERE country IS NOT NULL) AS country,
       arg_min(parent, rec_id) FILTER (WHERE parent IS NOT NULL) AS parent,
       list_distinct(flatten(list(
           list_filter(list_transform(string_split(coalesce(aliases, ''), ';'), lambda a: trim(a)), lambda a: a <> '')
       ))) AS aliases,
       arg_min(_source_file, rec_id) AS source_file,
       arg_min(_sheet, rec_id) AS sheet,
       arg_min(_row, rec_id) AS row
FROM _rec_keyed GROUP BY key;

-- The declared tiers of the identity rule set (exposure.warehouse.identity), by entity key.
{SEED_ALIAS_GROUPS_SQL}
{DECLARED_INDEX_SQL}

-- Every name used as a buyer, supplier or parent, with where it was first seen: one integer
-- (load id << 40 | row << 1 | side) per use keeps a million-row grouping cheap; the file,
-- sheet and row are decoded from it afterwards.
CREATE OR REPLACE TEMP TABLE _refs AS
WITH uses AS (
    SELECT ref, min(ord) AS first_seen
    FROM (
        SELECT buyer AS ref, (_load_id::BIGINT << 40) + _row * 2 AS ord FROM stg_relationships
        UNION ALL
        SELECT supplier, (_load_id::BIGINT << 40) + _row * 2 + 1 FROM stg_relationships
        UNION ALL
        SELECT parent, (_load_id::BIGINT << 40) + _row * 2 FROM stg_organizations
        WHERE parent IS NOT NULL
    ) GROUP BY ref
)
SELECT u.ref, src.file_name AS source_file, src.sheet,
       (u.first_seen & ((1::BIGINT << 40) - 1)) >> 1 AS row, u.first_seen
FROM uses u LEFT JOIN sources src ON src.load_id = (u.first_seen >> 40);

-- Each name through the tiers; a name no declared organization answers to makes (or joins)
-- an undeclared one, keyed by its seed alias group or its normalized name.
CREATE OR REPLACE TEMP TABLE _ref_key AS
WITH n AS (
    SELECT *, ref AS exact, exposure_key(ref) AS ident, exposure_norm_name(ref) AS norm FROM _refs
),
r AS (
    SELECT n.*, sg.group_norm, coalesce(sg.group_norm, n.norm) AS new
    FROM n LEFT JOIN {SEED_GROUP_OF} sg ON sg.member_norm = n.norm
),
matched AS ({match_sql("r", "_identity_index", "key", _DECLARED_TIERS)})
SELECT ref, norm, source_file, sheet, row, first_seen,
       coalesce(key, 'N:' || new) AS key,
       CASE {_MATCHED_BY_SQL} WHEN group_norm IS NOT NULL THEN 'alias' ELSE 'new' END AS matched_by,
       greatest(n_candidates, 1) AS n_keys
FROM matched;

-- Organizations only ever named in relationships (or as parents).
CREATE OR REPLACE TEMP TABLE _ent_ref AS
SELECT rk.key,
       coalesce(any_value(sa.group_name), arg_min(rk.ref, rk.first_seen)) AS name,
       arg_min(rk.norm, rk.first_seen) AS norm,
       arg_min(rk.source_file, rk.first_seen) AS source_file,
       arg_min(rk.sheet, rk.first_seen) AS sheet,
       arg_min(rk.row, rk.first_seen) AS row
FROM _ref_key rk
LEFT JOIN (SELECT DISTINCT group_norm, group_name FROM seed_alias_groups) sa
       ON 'N:' || sa.group_norm = rk.key AND rk.matched_by = 'alias'
WHERE rk.key NOT IN (SELECT key FROM _ent_decl)
GROUP BY rk.key;

CREATE OR REPLACE TEMP TABLE _ent AS
SELECT row_number() OVER (ORDER BY key) - 1 AS org_id, *
FROM (
    SELECT key, name, norm, kind, uei, cage, country, parent, aliases, true AS declared,
           source_file, sheet, row FROM _ent_decl
    UNION ALL
    SELECT key, name, norm, NULL, NULL, NULL, NULL, NULL, []::VARCHAR[], false,
           source_file, sheet, row FROM _ent_ref
);

-- Every name as written in the data, with the organization it resolved to and how.
CREATE OR REPLACE TABLE org_names AS
SELECT rk.ref AS name, rk.norm AS norm_name, e.org_id, rk.matched_by
FROM _ref_key rk JOIN _ent e USING (key);

-- Edges: one per distinct dependency, newest source wins per attribute. Key columns use ''
-- for blank so that plain equality joins find them. Products and used_in compare lower-cased
-- with white space trimmed and collapsed (SPEC 4.1): lower(cleaned product) is the key.
CREATE OR REPLACE TEMP MACRO _edge_rows() AS TABLE
SELECT s.*, sup.org_id AS supplier_id, buy.org_id AS buyer_id,
       (s._load_id::BIGINT << 40) + s._row AS ord,
       coalesce(lower(s.product), '') AS k_product, coalesce(lower(s.used_in), '') AS k_used_in,
       coalesce(s.contract_id, '') AS k_contract, coalesce(s.program, '') AS k_program
FROM {_CLEAN_RELATIONSHIPS} s
JOIN org_names sup ON sup.name = s.supplier
JOIN org_names buy ON buy.name = s.buyer;

"""

# The reason under which a load keeps the rows of a sheet that repeat a dependency exactly
# (exposure.ingest.validate.findings_select): they are one statement of it, merged prudently.
DUPLICATES_MERGED = "dq:duplicate_rows_merged"

# Rows of one sheet repeating a dependency exactly (a vendor per cost centre or year) are one
# statement of it, merged prudently: values summed, the highest criticality, essential and
# used for DoD if any row says so, the fewest alternatives, the longest replacement, the latest
# start of remediation; other attributes from the last row giving them, notes all kept.
# Only the loads that kept such rows (their finding in stg_rejected) are grouped; every other
# row is a statement of its own.
_STATED_SQL = f"""
merged_loads AS (
    SELECT DISTINCT _load_id FROM stg_rejected WHERE reason = '{DUPLICATES_MERGED}'
),
stated AS (
    SELECT supplier_id, buyer_id, relation, k_product, k_used_in, k_contract, k_program,
           max(ord) AS ord, min(ord) AS first_ord, count(*) AS n_rows,
           arg_max(product, ord) AS product,
           arg_max(used_in, ord) AS used_in,
           sum(annual_value_usd) AS annual_value_usd,
           max(criticality) AS criticality,
           bool_or(essential) AS essential,
           min(alternatives) AS alternatives,
           max(replacement_months) AS replacement_months,
           bool_or(dod_use) AS dod_use,
           string_agg(DISTINCT notes, '; ' ORDER BY notes) AS notes,
           max(remediation_started) AS remediation_started,
           arg_max(order_id, ord) FILTER (WHERE order_id IS NOT NULL) AS order_id,
           arg_max(deployment, ord) FILTER (WHERE deployment IS NOT NULL) AS deployment,
           arg_max(environment, ord) FILTER (WHERE environment IS NOT NULL) AS environment,
           arg_max(operator, ord) FILTER (WHERE operator IS NOT NULL) AS operator,
           arg_max(use, ord) FILTER (WHERE use IS NOT NULL) AS use,
           min(confidence_rank) AS confidence_rank
    FROM rows WHERE _load_id IN (SELECT _load_id FROM merged_loads)
    GROUP BY _load_id, buyer, supplier, supplier_id, buyer_id, relation,
             k_product, k_used_in, k_contract, k_program
    UNION ALL
    SELECT supplier_id, buyer_id, relation, k_product, k_used_in, k_contract, k_program,
           ord, ord, 1, product, used_in, annual_value_usd, criticality, essential,
           alternatives, replacement_months, dod_use, notes, remediation_started, order_id,
           deployment, environment, operator, use, confidence_rank
    FROM rows WHERE _load_id NOT IN (SELECT _load_id FROM merged_loads)
),
"""

# One edge per distinct dependency: the general case merges rows stating the same one (each
# attribute from the most recent statement giving it).
_EDGES_MERGED_SQL = """
CREATE OR REPLACE TABLE edges AS
WITH rows AS (
    SELECT *,
           -- The strongest confidence any source gives the edge (a confirmed statement
           -- outweighs an unanswered question or a public report of the same dependency).
           CASE coalesce(confidence, 'confirmed') WHEN 'confirmed' THEN 0 WHEN 'reported' THEN 1
                WHEN 'inferred' THEN 2 ELSE 3 END AS confidence_rank
    FROM _edge_rows()
),
STATED
grouped AS (
    SELECT supplier_id, buyer_id, relation, k_product, k_used_in, k_contract, k_program,
           arg_max(product, ord) AS product,
           arg_max(used_in, ord) AS used_in,
           arg_max(annual_value_usd, ord) FILTER (WHERE annual_value_usd IS NOT NULL) AS annual_value_usd,
           arg_max(criticality, ord) FILTER (WHERE criticality IS NOT NULL) AS criticality,
           arg_max(essential, ord) FILTER (WHERE essential IS NOT NULL) AS essential,
           arg_max(alternatives, ord) FILTER (WHERE alternatives IS NOT NULL) AS alternatives,
           arg_max(replacement_months, ord) FILTER (WHERE replacement_months IS NOT NULL) AS replacement_months,
           arg_max(dod_use, ord) FILTER (WHERE dod_use IS NOT NULL) AS dod_use,
           arg_max(notes, ord) FILTER (WHERE notes IS NOT NULL) AS notes,
           arg_max(remediation_started, ord) FILTER (WHERE remediation_started IS NOT NULL) AS remediation_started,
           arg_max(order_id, ord) FILTER (WHERE order_id IS NOT NULL) AS order_id,
           arg_max(deployment, ord) FILTER (WHERE deployment IS NOT NULL) AS deployment,
           arg_max(environment, ord) FILTER (WHERE environment IS NOT NULL) AS environment,
           arg_max(operator, ord) FILTER (WHERE operator IS NOT NULL) AS operator,
           arg_max(use, ord) FILTER (WHERE use IS NOT NULL) AS use,
           min(confidence_rank) AS confidence_rank,
           N_SOURCES AS n_sources,
           min(FIRST_ORD) AS first_ord
    FROM STATEMENTS
    GROUP BY supplier_id, buyer_id, relation, k_product, k_used_in, k_contract, k_program
)
-- An edge's id is where it was first stated (load id << 40 | row): stable, unique and free
-- (numbering them densely would cost a sort of every edge).
SELECT first_ord AS edge_id,
       supplier_id, buyer_id, relation, product, used_in,
       nullif(k_contract, '') AS contract_id, nullif(k_program, '') AS program,
       annual_value_usd, criticality, essential, alternatives, replacement_months, dod_use, notes,
       n_sources, deployment, environment, operator, use, remediation_started, order_id,
       ['confirmed', 'reported', 'inferred', 'unknown'][confidence_rank + 1] AS confidence
FROM grouped;
"""


def _edges_merged_sql(duplicates: bool) -> str:
    """The general edge merge; with ``duplicates``, loads that kept repeated rows have them
    merged into one statement first (:data:`_STATED_SQL`)."""
    if duplicates:
        return (
            _EDGES_MERGED_SQL.replace("STATED", _STATED_SQL.strip())
            .replace("N_SOURCES", "sum(n_rows)")
            .replace("FIRST_ORD", "first_ord")
            .replace("STATEMENTS", "stated")
        )
    return (
        _EDGES_MERGED_SQL.replace("STATED", "")
        .replace("N_SOURCES", "count(*)")
        .replace("FIRST_ORD", "ord")
        .replace("STATEMENTS", "rows")
    )


# When nothing can merge (one relationships load, validated free of duplicates, and one
# spelling per organization), each row is its own edge: no grouping needed.
_EDGES_SINGLE_SQL = """
CREATE OR REPLACE TABLE edges AS
SELECT ord AS edge_id, supplier_id, buyer_id, relation, product, used_in, contract_id, program,
       annual_value_usd, criticality, essential, alternatives, replacement_months, dod_use, notes,
       1::BIGINT AS n_sources, deployment, environment, operator, use, remediation_started,
       order_id, coalesce(confidence, 'confirmed') AS confidence
FROM _edge_rows();
"""

_MODEL_SQL = """
-- Kind: declared, else inferred from the relations an organization takes part in.
CREATE OR REPLACE TEMP TABLE _inferred AS
WITH roles AS (
    SELECT supplier_id AS org_id, relation, 'supplier' AS side FROM edges
    UNION ALL SELECT buyer_id, relation, 'buyer' FROM edges
)
SELECT org_id,
       CASE WHEN bool_or(relation = 'model_api' AND side = 'supplier') THEN 'model_provider'
            WHEN bool_or(relation IN ('cloud_hosting', 'resells') AND side = 'supplier') THEN 'cloud_host'
            WHEN bool_or(relation = 'prime_contract' AND side = 'supplier') THEN 'prime'
            WHEN bool_or(relation = 'prime_contract' AND side = 'buyer') THEN 'agency'
            WHEN bool_or(relation = 'subcontract' AND side = 'supplier') THEN 'subcontractor'
            WHEN bool_or(relation IN ('saas', 'license') AND side = 'supplier') THEN 'software_vendor'
            WHEN bool_or(relation IN ('integrates', 'professional_services') AND side = 'supplier') THEN 'integrator'
            WHEN bool_or(relation = 'component' AND side = 'supplier') THEN 'supplier'
            ELSE 'other' END AS kind
FROM roles GROUP BY org_id;

CREATE OR REPLACE TABLE orgs AS
SELECT e.org_id, e.name, e.norm AS norm_name,
       coalesce(e.kind, i.kind, 'other') AS kind,
       CASE WHEN e.kind IS NOT NULL THEN 'declared' WHEN i.kind IS NOT NULL THEN 'inferred'
            ELSE 'default' END AS kind_source,
       e.uei, e.cage, e.country,
       p.org_id AS parent_id,
       e.aliases, e.declared, e.key AS entity_key,
       e.source_file, e.sheet, e.row
FROM _ent e
LEFT JOIN _inferred i USING (org_id)
LEFT JOIN org_names p ON p.name = e.parent;

CREATE OR REPLACE TABLE dq_issues (
    issue VARCHAR, name VARCHAR, detail VARCHAR, candidate VARCHAR, score DOUBLE,
    source_file VARCHAR, sheet VARCHAR, row BIGINT
);

INSERT INTO dq_issues
SELECT 'uei_conflict', arg_min(name, rec_id),
       'UEI ' || uei || ' is given for ' || count(DISTINCT norm) || ' different names: '
           || string_agg(DISTINCT name, '; ' ORDER BY name),
       NULL, NULL, arg_min(_source_file, rec_id), arg_min(_sheet, rec_id), arg_min(_row, rec_id)
FROM _rec WHERE uei IS NOT NULL GROUP BY uei HAVING count(DISTINCT norm) > 1;

INSERT INTO dq_issues
SELECT 'name_conflict', arg_min(name, rec_id),
       'the name is given with ' || count(DISTINCT uei) || ' different UEIs: '
           || string_agg(DISTINCT uei, ', ' ORDER BY uei) || '; they are kept apart',
       NULL, NULL, arg_min(_source_file, rec_id), arg_min(_sheet, rec_id), arg_min(_row, rec_id)
FROM _rec WHERE uei IS NOT NULL GROUP BY norm HAVING count(DISTINCT uei) > 1;

-- One organization declared with two CAGE codes, countries or parents (a vendor list giving
-- another CAGE than an organizations sheet, say): the first declaration's value is kept and
-- the conflict listed, at the first row that disagrees with it; nothing is overwritten.
INSERT INTO dq_issues
WITH given AS (
    SELECT key, rec_id, 'CAGE code' AS what, cage AS value, cage AS compared,
           _source_file, _sheet, _row FROM _rec_keyed WHERE cage IS NOT NULL
    UNION ALL
    SELECT key, rec_id, 'country', country,
           CASE WHEN upper(regexp_replace(country, '[^A-Za-z]+', '', 'g'))
                     IN ('US', 'USA', 'UNITEDSTATES', 'UNITEDSTATESOFAMERICA') THEN 'USA'
                ELSE upper(regexp_replace(country, '[^A-Za-z0-9]+', '', 'g')) END,
           _source_file, _sheet, _row FROM _rec_keyed WHERE country IS NOT NULL
    UNION ALL
    SELECT key, rec_id, 'parent', parent, coalesce(exposure_norm_name(parent), parent),
           _source_file, _sheet, _row FROM _rec_keyed WHERE parent IS NOT NULL
),
conflicted AS (
    SELECT key, what, arg_min(value, rec_id) AS kept, arg_min(compared, rec_id) AS kept_compared,
           count(DISTINCT compared) AS n_values,
           string_agg(DISTINCT value, '; ' ORDER BY value) AS listed
    FROM given GROUP BY key, what HAVING count(DISTINCT compared) > 1
)
SELECT 'identifier_conflict', any_value(e.name),
       'declared with ' || c.n_values || ' different ' || c.what || ' values: ' || c.listed
           || '; kept ' || c.kept
           || ' (the first declared) and not the others: correct the source that is wrong',
       NULL, NULL,
       arg_min(g._source_file, g.rec_id), arg_min(g._sheet, g.rec_id), arg_min(g._row, g.rec_id)
FROM conflicted c
JOIN given g ON g.key = c.key AND g.what = c.what AND g.compared <> c.kept_compared
JOIN _ent e ON e.key = c.key
GROUP BY c.key, c.what, c.n_values, c.listed, c.kept;

-- A declared row without identifiers whose name is used with several UEIs (or CAGEs) joins
-- one of them: say which, so that the merge is checked.
INSERT INTO dq_issues
SELECT 'ambiguous_name', r.name,
       'declared without a UEI or CAGE, and the name belongs to ' || nk.n_keys
           || ' organizations with different identifiers; merged into ' || e.name
           || ' (give the UEI to choose)',
       e.name, NULL, r._source_file, r._sheet, r._row
FROM _rec_keyed r JOIN _rec_id_key k USING (rec_id) JOIN _norm_key nk ON nk.norm = r.mnorm
JOIN _ent e ON e.key = r.key
WHERE k.key IS NULL AND nk.n_keys > 1;

INSERT INTO dq_issues
SELECT 'ambiguous_name', rk.ref,
       'the name matches ' || rk.n_keys || ' organizations; linked to ' || e.name || ' (check it)',
       e.name, NULL, rk.source_file, rk.sheet, rk.row
FROM _ref_key rk JOIN _ent e USING (key) WHERE rk.n_keys > 1;

INSERT INTO dq_issues
SELECT 'unmatched_name', rk.ref,
       'not in any organizations sheet: created as a new organization', NULL, NULL,
       rk.source_file, rk.sheet, rk.row
FROM _ref_key rk
WHERE rk.matched_by = 'new' AND (SELECT count(*) FROM stg_organizations) > 0;

INSERT INTO dq_issues
SELECT 'alias_match', rk.ref, 'matched ' || e.name || ' through an alias', e.name, NULL,
       rk.source_file, rk.sheet, rk.row
FROM _ref_key rk JOIN _ent e USING (key) WHERE rk.matched_by = 'alias';

-- Rows of valid files that a format's rules left out, kept at load time with their reason,
-- and rows whose invisible format characters the load removed. Row 0 is a finding about the
-- whole file (an SBOM's schema slips): it has no row to show.
INSERT INTO dq_issues
SELECT CASE WHEN reason = 'format_characters' THEN 'format_characters'
            WHEN starts_with(reason, 'dq:') THEN substr(reason, 4)
            ELSE 'rejected_row' END,
       name, detail, NULL, NULL, _source_file, _sheet, nullif(_row, 0)
FROM stg_rejected;

-- A word mixing Latin with Cyrillic or Greek letters is how look-alike names are made: the
-- name is matched on its skeleton, and listed for a person to check.
INSERT INTO dq_issues
SELECT 'mixed_script', n,
       'the name mixes Latin letters with Cyrillic or Greek look-alikes in one word; it is '
           || 'matched as "' || coalesce(exposure_norm_name(n), '') || '" (check it is the '
           || 'organization meant)',
       NULL, NULL, f, s, r
FROM (
    SELECT name AS n, _source_file AS f, _sheet AS s, _row AS r FROM stg_organizations
    UNION ALL SELECT buyer, _source_file, _sheet, _row FROM stg_relationships
    UNION ALL SELECT supplier, _source_file, _sheet, _row FROM stg_relationships
)
WHERE strlen(n) <> length(n) AND regexp_matches(n, MIXED_SCRIPT_PATTERN)
QUALIFY row_number() OVER (PARTITION BY n ORDER BY f, r) = 1;

""".replace("MIXED_SCRIPT_PATTERN", MIXED_SCRIPT_SQL)

# Names that differ in the data but resolve to one organization make a dependency on itself.
_SELF_DEPENDENCY_SQL = """
INSERT INTO dq_issues
SELECT 'self_dependency', o.name,
       'buyer and supplier resolve to the same organization (' || any_value(r.buyer) || ' / '
           || any_value(r.supplier) || ')',
       NULL, NULL, any_value(r._source_file), any_value(r._sheet), min(r._row)
FROM _edge_rows() r JOIN orgs o ON o.org_id = r.supplier_id
WHERE r.supplier_id = r.buyer_id GROUP BY o.name;
"""

_CLEANUP = [
    "_review_aliases",
    "_rec",
    "_cage_uei",
    "_rec_id_key",
    "_norm_key",
    "_rec_keyed",
    "_ent_decl",
    "_identity_index",
    "_refs",
    "_ref_key",
    "_ent_ref",
    "_ent",
    "_inferred",
]


def rebuild_model(con: duckdb.DuckDBPyConnection, *, always_merge: bool = False) -> None:
    """Rebuild ``orgs``, ``org_spellings``, ``edges``, ``edge_evidence`` and ``dq_issues`` from staging.

    Runs inside the caller's transaction when there is one. ``always_merge`` takes the
    general edge-merging path even where no rows can merge (tests check both agree).
    """
    if not table_exists(con, "ref_aliases"):
        con.execute(
            "CREATE TABLE ref_aliases (organization VARCHAR, alias VARCHAR, source VARCHAR)"
        )
    ensure_review_table(con)
    con.execute(REVIEW_ALIASES_SQL)
    con.execute(_RESOLVE_SQL)
    con.execute(ORG_SPELLINGS_SQL)
    duplicates = bool(
        scalar(con, "SELECT count(*) FROM stg_rejected WHERE reason = ?", [DUPLICATES_MERGED])
    )
    single = not duplicates and scalar(
        con,
        "SELECT (SELECT count(DISTINCT _load_id) FROM stg_relationships) <= 1 "
        "AND (SELECT count(*) = count(DISTINCT org_id) FROM org_names)",
    )
    logger.debug(
        "merging edges by the %s path%s",
        "single-source" if single and not always_merge else "general",
        " (repeated rows merged first)" if duplicates else "",
    )
    con.execute(_EDGES_SINGLE_SQL if single and not always_merge else _edges_merged_sql(duplicates))
    con.execute(_MODEL_SQL)
    if logger.isEnabledFor(logging.INFO):  # four counts, only when someone reads them
        counts = con.execute(
            "SELECT (SELECT count(*) FROM stg_organizations), "
            "(SELECT count(*) FROM stg_relationships), (SELECT count(*) FROM orgs), "
            "(SELECT count(*) FROM edges)"
        ).fetchall()[0]
        logger.info(
            "resolved %s organization rows and %s relationship rows into %s organizations "
            "and %s dependencies",
            *(counts or ("?",) * 4),
        )
    if scalar(con, "SELECT count(*) FROM edges WHERE supplier_id = buyer_id"):
        con.execute(_SELF_DEPENDENCY_SQL)
    _add_fuzzy_candidates(con)
    refresh_review_issues(con)
    for table in _CLEANUP:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DROP MACRO TABLE IF EXISTS _edge_rows")
    build_edge_evidence(con)


def _add_fuzzy_candidates(con: duckdb.DuckDBPyConnection) -> None:
    # Small networks: every name is reviewed (two declared organizations can be near misses
    # too); large ones: the names relationships created, up to FUZZY_LIMIT.
    everyone = "FROM orgs WHERE norm_name IS NOT NULL"
    small = scalar(con, f"SELECT count(*) {everyone}") <= FUZZY_LIMIT
    undeclared = everyone if small else everyone + " AND NOT declared"
    count = scalar(con, f"SELECT count(*) {undeclared}")
    if not count:
        return
    if count > FUZZY_LIMIT:
        logger.info("fuzzy review skipped: %d names, over the limit of %d", count, FUZZY_LIMIT)
        con.execute(
            "INSERT INTO dq_issues VALUES ('fuzzy_skipped', NULL, ?, NULL, NULL, NULL, NULL, NULL)",
            [
                f"{count} organizations were created from relationship names; fuzzy review "
                f"runs up to {FUZZY_LIMIT} of them, so it was skipped"
            ],
        )
        return
    new = con.execute(f"SELECT name, norm_name, source_file, sheet, row {undeclared}").fetchall()
    every = con.execute("SELECT name, norm_name FROM orgs WHERE norm_name IS NOT NULL").fetchall()
    where = {row[0]: row[2:] for row in new}
    candidates = fuzzy_candidates(
        [(row[0], row[1]) for row in new], every, threshold=FUZZY_THRESHOLD
    )
    logger.debug(
        "fuzzy review: %d names against %d, %d near misses", len(new), len(every), len(candidates)
    )
    if not candidates:
        return
    frame = pd.DataFrame(
        [
            {
                "issue": "fuzzy_candidate",
                "name": c.name,
                "detail": f"close to '{c.candidate}' (score {c.score:.0f}/100) but not merged; "
                "if they are the same organization, accept it in review (exposure review), add an "
                "alias or correct the name",
                "candidate": c.candidate,
                "score": c.score,
                "source_file": where.get(c.name, (None, None, None))[0],
                "sheet": where.get(c.name, (None, None, None))[1],
                "row": where.get(c.name, (None, None, None))[2],
            }
            for c in candidates
        ]
    )
    con.register("_fuzzy_frame", frame)
    try:
        con.execute("INSERT INTO dq_issues SELECT * FROM _fuzzy_frame")
    finally:
        con.unregister("_fuzzy_frame")
