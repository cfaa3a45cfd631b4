"""Finding organizations: by name, UEI, CAGE or alias in the warehouse, and filters on a ranking.

:func:`search_organizations` is what a search box calls: exact identifiers first (UEI, CAGE,
the normalized name), then names and aliases that start with, then contain, the text. The
text is a parameter of a fixed query, never SQL. :func:`filter_ranking` narrows an
organizations frame (:func:`exposure.pipeline.assessment.organizations_frame`) the way a ranked table's
filters do, and is pure.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import pandas as pd

from exposure.core.sql import table_exists

__all__ = [
    "designation_lists",
    "filter_ranking",
    "search_organizations",
    "stored_scenarios",
]

_SEARCH_SQL = """
WITH q AS (SELECT $2 AS pattern, exposure_norm_name($1) AS norm, exposure_key($1) AS key),
spellings AS (
    SELECT org_id, name AS spelling, norm_name FROM org_names
    UNION ALL
    SELECT org_id, alias, exposure_norm_name(alias) FROM orgs, unnest(aliases) AS t(alias)
    UNION ALL
    SELECT o.org_id, a.alias, exposure_norm_name(a.alias)
    FROM ref_aliases a JOIN orgs o ON o.norm_name = exposure_norm_name(a.organization)
),
hits AS (
    SELECT o.org_id,
           CASE WHEN o.uei = q.key THEN 0 WHEN o.cage = q.key THEN 0
                WHEN o.norm_name = q.norm THEN 1
                WHEN o.name ILIKE q.pattern || '%' ESCAPE '\\' THEN 2
                WHEN o.name ILIKE '%' || q.pattern || '%' ESCAPE '\\' THEN 3 END AS rank,
           CASE WHEN o.uei = q.key THEN 'UEI' WHEN o.cage = q.key THEN 'CAGE'
                ELSE 'name' END AS matched_by,
           NULL AS spelling
    FROM orgs o, q
    WHERE o.uei = q.key OR o.cage = q.key OR o.norm_name = q.norm
       OR o.name ILIKE '%' || q.pattern || '%' ESCAPE '\\'
    UNION ALL
    SELECT s.org_id,
           CASE WHEN s.norm_name = q.norm THEN 1 ELSE 4 END,
           'spelling or alias', s.spelling
    FROM spellings s, q
    WHERE s.norm_name = q.norm OR s.spelling ILIKE '%' || q.pattern || '%' ESCAPE '\\'
)
SELECT o.org_id, o.name, o.kind, o.uei, o.cage, o.country,
       arg_min(h.matched_by, h.rank) AS matched_by,
       arg_min(h.spelling, h.rank) AS spelling,
       min(h.rank) AS rank
FROM hits h JOIN orgs o USING (org_id)
GROUP BY o.org_id, o.name, o.kind, o.uei, o.cage, o.country
ORDER BY rank, length(o.name), o.name
LIMIT $3
"""


def _escape_like(text: str) -> str:
    r"""Escape LIKE wildcards so that the text matches itself.

    >>> _escape_like("50%_off\\")
    '50\\%\\_off\\\\'
    """
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_organizations(
    con: duckdb.DuckDBPyConnection, text: str, *, limit: int = 25
) -> pd.DataFrame:
    """Organizations matching ``text`` by UEI, CAGE, name, another spelling, or an alias.

    Returns columns ``org_id, name, kind, uei, cage, country, matched_by, spelling`` (the
    other spelling or alias that matched, if any), best matches first; empty for blank text.
    The connection needs the name macros (:data:`exposure.core.names.MACROS`), as every warehouse
    connection has.
    """
    columns = ["org_id", "name", "kind", "uei", "cage", "country", "matched_by", "spelling"]
    text = " ".join(text.split())
    if not text or not table_exists(con, "orgs"):
        return pd.DataFrame(columns=columns)
    frame = con.execute(_SEARCH_SQL, [text, _escape_like(text), limit]).df()
    frame["spelling"] = frame["spelling"].where(frame["spelling"] != frame["name"], None)
    return frame[columns].reset_index(drop=True)


def stored_scenarios(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the scenarios stored with ``exposure designate``."""
    if not table_exists(con, "scenarios"):
        return []
    return [
        str(row[0]) for row in con.execute("SELECT name FROM scenarios ORDER BY name").fetchall()
    ]


def designation_lists(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The designation lists of ``seeds/designations.csv``: id, name, size, dates, authority."""
    columns = [
        "list_id",
        "list_name",
        "organizations",
        "effective_date",
        "transition_days",
        "scope",
        "authority",
    ]
    if not table_exists(con, "ref_designations"):
        return pd.DataFrame(columns=columns)
    return con.execute(
        "SELECT list_id, any_value(list_name) AS list_name, count(*) AS organizations, "
        "min(effective_date) AS effective_date, max(transition_days) AS transition_days, "
        "any_value(scope) AS scope, any_value(authority) AS authority "
        "FROM ref_designations GROUP BY list_id ORDER BY min(effective_date) DESC, list_id"
    ).df()[columns]


def filter_ranking(
    frame: pd.DataFrame,
    *,
    text: str = "",
    statuses: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
    max_tier: int | None = None,
    late_only: bool = False,
    min_impact: float = 0.0,
) -> pd.DataFrame:
    """Rows of an organizations frame that pass the filters, in their ranked order.

    ``text`` matches names case-insensitively (a substring); ``statuses`` and ``kinds`` keep
    the listed values (None keeps all); ``max_tier`` keeps tiers up to it (clear organizations
    have no tier and are dropped by it).

    >>> frame = pd.DataFrame({"name": ["Anthropic, PBC", "Acme", "Zeta"],
    ...     "status": ["designated", "exposed", "clear"], "kind": ["model_provider", "prime", "prime"],
    ...     "tier": pd.array([0, 2, None], dtype="Int64"), "impact": [1.0, 0.3, 0.0],
    ...     "late": [False, True, False]})
    >>> filter_ranking(frame, kinds=["prime"])["name"].tolist()
    ['Acme', 'Zeta']
    >>> filter_ranking(frame, max_tier=1)["name"].tolist()
    ['Anthropic, PBC']
    >>> filter_ranking(frame, text="acm", late_only=True)["name"].tolist()
    ['Acme']
    """
    keep = pd.Series(True, index=frame.index)
    text = text.strip()
    if text:
        keep &= frame["name"].str.contains(text, case=False, regex=False)
    if statuses is not None:
        keep &= frame["status"].isin(list(statuses))
    if kinds is not None:
        keep &= frame["kind"].isin(list(kinds))
    if max_tier is not None:
        keep &= (frame["tier"] <= max_tier).fillna(False).astype(bool)
    if late_only:
        keep &= frame["late"].astype(bool)
    if min_impact > 0:
        keep &= frame["impact"] >= min_impact
    return frame[keep]
