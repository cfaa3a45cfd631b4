"""Finding organizations: by name, UEI, CAGE or alias in the warehouse, and filters on a ranking.

:func:`search_organizations` is what a search box calls: first the organizations the text
means by the identity rule set (:func:`exposure.warehouse.identity.resolve_name`: UEI, CAGE,
exact spelling, normalized name, alias; all of them when it is ambiguous), then names, other
spellings and aliases that start with, then contain, the text. The
text is a parameter of a fixed query, never SQL. :func:`filter_ranking` narrows an
organizations frame (:func:`exposure.pipeline.assessment.organizations_frame`) the way a ranked table's
filters do, and is pure.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import pandas as pd

from exposure.core.sql import table_exists
from exposure.warehouse.identity import lookup_keys, resolve_name

__all__ = [
    "designation_lists",
    "filter_ranking",
    "search_organizations",
    "stored_scenarios",
]

# Names and spellings that start with (rank 2, 4) or contain (3, 5) the text; the
# organizations the text means by the identity rule set come first (rank 0, 1: given as
# parallel lists $3..$6, so that no table is registered on a connection threads may share).
_SEARCH_SQL = """
WITH hits AS (
    SELECT unnest($3::BIGINT[]) AS org_id, unnest($4::INTEGER[]) AS rank,
           unnest($5::VARCHAR[]) AS matched_by, unnest($6::VARCHAR[]) AS spelling
    UNION ALL
    SELECT org_id,
           CASE WHEN name ILIKE $1 || '%' ESCAPE '\\' THEN 2 ELSE 3 END,
           'name', NULL
    FROM orgs WHERE name ILIKE '%' || $1 || '%' ESCAPE '\\'
    UNION ALL
    SELECT org_id,
           CASE WHEN spelling ILIKE $1 || '%' ESCAPE '\\' THEN 4 ELSE 5 END,
           'spelling or alias', spelling
    FROM org_spellings
    WHERE tier IN ('exact', 'alias', 'seed_alias') AND spelling ILIKE '%' || $1 || '%' ESCAPE '\\'
)
SELECT o.org_id, o.name, o.kind, o.uei, o.cage, o.country,
       arg_min(h.matched_by, h.rank) AS matched_by,
       arg_min(h.spelling, h.rank) AS spelling,
       min(h.rank) AS rank
FROM hits h JOIN orgs o USING (org_id)
GROUP BY o.org_id, o.name, o.kind, o.uei, o.cage, o.country
ORDER BY rank, length(o.name), o.name
LIMIT $2
"""

# The spelling of an organization the text matched: the text itself as the data spells it,
# else a spelling or alias that normalizes as the text does.
_SPELLING_SQL = """
SELECT org_id, arg_min(spelling, (spelling <> $2)::INT) AS spelling
FROM org_spellings
WHERE org_id IN (SELECT unnest($1::BIGINT[])) AND tier IN ('exact', 'alias', 'seed_alias')
  AND (spelling = $2 OR norm = $3)
GROUP BY org_id
"""

_IDENTITY_LABELS = {"uei": "UEI", "cage": "CAGE", "alias": "spelling or alias"}
_IDENTITY_LABELS["seed_alias"] = _IDENTITY_LABELS["alias"]


def _identity_hits(con: duckdb.DuckDBPyConnection, text: str) -> list[list[object]]:
    """The organizations ``text`` means by the identity rule set (several if ambiguous), as
    parallel lists: org ids, ranks, how they matched, the spelling that matched."""
    resolution = resolve_name(con, text)
    if resolution.tier is None:
        return [[], [], [], []]
    ids = [int(i) for i in resolution.candidates]  # type: ignore[call-overload]
    keys = lookup_keys(con, text)
    spellings = dict(con.execute(_SPELLING_SQL, [ids, keys.exact, keys.norm]).fetchall())
    rank = 0 if resolution.tier in ("uei", "cage") else 1
    label = _IDENTITY_LABELS.get(resolution.tier, "name")
    return [ids, [rank] * len(ids), [label] * len(ids), [spellings.get(i) for i in ids]]


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
    if not text or not table_exists(con, "orgs") or not table_exists(con, "org_spellings"):
        return pd.DataFrame(columns=columns)
    identity = _identity_hits(con, text)
    frame = con.execute(_SEARCH_SQL, [_escape_like(text), limit, *identity]).df()
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
