"""Screen the loaded organizations against a SAM.gov exclusions extract or FASCSA orders list.

Matching follows the resolution rules of the rest of the tool (SPEC 3.1,
:func:`exposure.scenarios.resolve_org`), run in bulk in SQL with the same macros:

1. ``uei``: the organization's UEI equals the record's UEI;
2. ``cage``: the CAGE codes are equal;
3. ``name``: a normalized name of the organization (its canonical name or any spelling used
   for it in the data) equals the record's normalized listed name;
4. ``alias``: a known alias of the organization (its ``aliases`` and ``seeds/aliases.csv``)
   equals the listed name, or any of its names equals a name of the record's
   ``Cross-Reference``;
5. ``fuzzy``: rapidfuzz ``token_sort_ratio`` of normalized names at least the threshold
   (:data:`exposure.names.FUZZY_THRESHOLD`, 88, unless changed), compared within blocks of
   names sharing a token or its first three letters (:func:`exposure.names.fuzzy_candidates`).

Each (organization, record) pair is reported once, under its strongest match. Exact score is
100. ``confirmed`` says the listed party *is* the organization:

* identifier matches (UEI, CAGE) are confirmed (a CAGE match whose UEIs differ is not);
* name matches and alias matches through the organization's own aliases are confirmed when
  the record names an organization (Classification Firm, Special Entity Designation, or none)
  and no identifier contradicts them (both sides have a UEI, or a CAGE, and they differ);
* not confirmed, listed for review with the reason: names of individuals and vessels (a name
  alone does not identify a person), names from a Cross-Reference (an a.k.a. or an affiliate),
  contradicting identifiers, and every fuzzy candidate.

``status`` says whether the exclusion is in force on the screening date (``as_of``, today by
default): ``active``, ``terminated`` (termination date passed) or ``future``. Terminated
records are still reported, for the history; only confirmed *active* matches are designated
by :func:`designate_confirmed`.

The latest results of each list kind (SAM exclusions, FASCSA orders) are stored in
``res_screening`` with the list file's name and SHA-256 and the data version screened; one row
per screening in ``res_screening_runs``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from exposure.errors import ExposureError
from exposure.exclusions import ENTITY_CLASSIFICATIONS, ListedParties, read_list, record_status
from exposure.names import FUZZY_THRESHOLD, fuzzy_candidates
from exposure.readers import ReadLimits
from exposure.sql import table_exists

__all__ = [
    "MATCH_COLUMNS",
    "SHEET_COLUMNS",
    "ScreeningResult",
    "designate_confirmed",
    "screen",
    "screen_list",
    "screening_frame",
    "screening_runs",
    "screening_sheet",
    "store_screening",
    "write_matches",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

MATCH_COLUMNS = (
    "org_id",
    "org_name",
    "org_uei",
    "org_cage",
    "listed_name",
    "matched_name",
    "match",
    "score",
    "confirmed",
    "status",
    "reason",
    "list_type",
    "classification",
    "exclusion_program",
    "exclusion_type",
    "excluding_agency",
    "ct_code",
    "active_date",
    "termination_date",
    "listed_uei",
    "listed_cage",
    "sam_number",
    "fascsa_order",
    "cross_reference",
    "record_row",
    "list_file",
    "list_sha256",
)
_STRENGTH = {"uei": 1, "cage": 2, "name": 3, "alias": 4, "fuzzy": 6}

_TYPES = {
    "org_id": "BIGINT",
    "score": "DOUBLE",
    "confirmed": "BOOLEAN",
    "active_date": "DATE",
    "termination_date": "DATE",
    "fascsa_order": "BOOLEAN",
    "record_row": "BIGINT",
    "as_of": "DATE",
    "screened_at": "TIMESTAMP",
}
_STORED = (*MATCH_COLUMNS, "as_of", "data_version", "screened_at")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS res_screening (
    {", ".join(f"{column} {_TYPES.get(column, 'VARCHAR')}" for column in _STORED)}
);
CREATE TABLE IF NOT EXISTS res_screening_runs (
    list_type VARCHAR, list_file VARCHAR, list_sha256 VARCHAR, layout VARCHAR,
    records BIGINT, organizations BIGINT, matches BIGINT, confirmed BIGINT,
    confirmed_active BIGINT, fuzzy_threshold DOUBLE, as_of DATE, data_version VARCHAR,
    screened_at TIMESTAMP
);
"""

# Every name each side answers to, normalized by the warehouse's own macro.
_MATCH_SQL = """
CREATE OR REPLACE TEMP TABLE _scr_rec AS
SELECT record, exposure_key(uei) AS uei, exposure_key(cage) AS cage,
       exposure_norm_name(listed_name) AS norm, related_names
FROM _scr_list;

-- A Cross-Reference name that has its own record is matched through that record only.
CREATE OR REPLACE TEMP TABLE _scr_rec_names AS
SELECT record, norm, 'listed' AS via, NULL AS text FROM _scr_rec WHERE norm IS NOT NULL
UNION
SELECT record, exposure_norm_name(related), 'related', related
FROM _scr_rec, unnest(related_names) AS t(related)
WHERE exposure_norm_name(related) IS NOT NULL
  AND exposure_norm_name(related) NOT IN (SELECT norm FROM _scr_rec WHERE norm IS NOT NULL);

CREATE OR REPLACE TEMP TABLE _scr_org_names AS
WITH seed AS (
    SELECT DISTINCT exposure_norm_name(organization) AS group_norm, exposure_norm_name(member) AS member_norm
    FROM (SELECT organization, organization AS member FROM ref_aliases
          UNION ALL SELECT organization, alias FROM ref_aliases)
    WHERE exposure_norm_name(member) IS NOT NULL
)
SELECT org_id, norm_name AS norm, 'name' AS via FROM orgs WHERE norm_name IS NOT NULL
UNION SELECT org_id, norm_name, 'name' FROM org_names WHERE norm_name IS NOT NULL
UNION SELECT org_id, exposure_norm_name(alias), 'alias' FROM orgs, unnest(aliases) AS t(alias)
      WHERE exposure_norm_name(alias) IS NOT NULL
UNION SELECT o.org_id, s2.member_norm, 'alias'
      FROM orgs o JOIN seed s1 ON s1.member_norm = o.norm_name
      JOIN seed s2 ON s2.group_norm = s1.group_norm;

CREATE OR REPLACE TEMP TABLE _scr_pairs AS
WITH candidates AS (
    SELECT o.org_id, r.record, 'uei' AS match, 1 AS strength, NULL AS matched, NULL AS via
    FROM orgs o JOIN _scr_rec r ON o.uei = r.uei
    UNION ALL
    SELECT o.org_id, r.record, 'cage', 2, NULL, NULL FROM orgs o JOIN _scr_rec r ON o.cage = r.cage
    UNION ALL
    SELECT n.org_id, m.record,
           CASE WHEN n.via = 'name' AND m.via = 'listed' THEN 'name' ELSE 'alias' END,
           CASE WHEN n.via = 'name' AND m.via = 'listed' THEN 3
                WHEN m.via = 'listed' THEN 4 ELSE 5 END,
           m.text, m.via
    FROM _scr_org_names n JOIN _scr_rec_names m USING (norm)
)
SELECT org_id, record, arg_min(match, strength) AS match, min(strength) AS strength,
       arg_min(matched, strength) AS matched, arg_min(via, strength) AS via
FROM candidates GROUP BY org_id, record;
"""

_CLEANUP = ("_scr_rec", "_scr_rec_names", "_scr_org_names", "_scr_pairs")


@dataclass(frozen=True)
class ScreeningResult:
    """Matches of one list against the loaded organizations (columns :data:`MATCH_COLUMNS`)."""

    listed: ListedParties
    as_of: date
    fuzzy_threshold: float
    organizations: int
    data_version: str
    matches: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def confirmed(self) -> pd.DataFrame:
        """Confirmed matches (whatever their status)."""
        return self.matches[self.matches["confirmed"]]

    @property
    def to_designate(self) -> pd.DataFrame:
        """Confirmed matches whose exclusion is in force."""
        return self.matches[self.matches["confirmed"] & (self.matches["status"] == "active")]


def _list_table(records: pd.DataFrame) -> pa.Table:
    """The columns matching needs, typed (a column of lists must stay a list of text)."""
    schema = pa.schema(
        [
            ("record", pa.int64()),
            ("listed_name", pa.string()),
            ("uei", pa.string()),
            ("cage", pa.string()),
            ("related_names", pa.list_(pa.string())),
        ]
    )
    return pa.Table.from_pandas(records[list(schema.names)], schema=schema, preserve_index=False)


def _fetch(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    return con.execute(query).df()


def screen_list(
    con: duckdb.DuckDBPyConnection,
    listed: ListedParties,
    *,
    as_of: date | None = None,
    fuzzy_threshold: float = FUZZY_THRESHOLD,
    progress: Progress | None = None,
) -> ScreeningResult:
    """Match a list that was read already against ``orgs`` (nothing is stored)."""
    step = progress or (lambda _label, _done, _total: None)
    as_of = as_of or date.today()
    records = listed.records
    step("matching identifiers and names", 0, 3)
    con.register("_scr_list", _list_table(records))
    try:
        con.execute(_MATCH_SQL)
        exact = _fetch(con, "SELECT org_id, record, match, strength, matched, via FROM _scr_pairs")
        step("fuzzy candidates", 1, 3)
        names = _fetch(con, "SELECT DISTINCT norm, via, record, text FROM _scr_rec_names")
        orgs = _fetch(con, "SELECT org_id, norm_name FROM orgs WHERE norm_name IS NOT NULL")
        organizations = len(_fetch(con, "SELECT org_id FROM orgs"))
    finally:
        con.unregister("_scr_list")
        for table in _CLEANUP:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    fuzzy = _fuzzy(names, orgs, exact, fuzzy_threshold)
    step("deciding", 2, 3)
    pairs = pd.concat([exact, fuzzy], ignore_index=True)
    matches = _decide(con, pairs, listed, as_of)
    step("done", 3, 3)
    version = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()
    return ScreeningResult(
        listed=listed,
        as_of=as_of,
        fuzzy_threshold=fuzzy_threshold,
        organizations=organizations,
        data_version=str(version[0][0]) if version else "",
        matches=matches,
        notes=list(listed.notes),
    )


def screen(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    as_of: date | None = None,
    fuzzy_threshold: float = FUZZY_THRESHOLD,
    encoding: str | None = None,
    limits: ReadLimits | None = None,
    progress: Progress | None = None,
) -> ScreeningResult:
    """Read a SAM.gov exclusions extract or FASCSA orders list and match it (nothing stored).

    Raises:
        LoadError: the list cannot be read, or is over the size limit of loads (``limits``;
            see :func:`exposure.exclusions.read_list`).
    """
    step = progress or (lambda _label, _done, _total: None)
    step(f"reading {Path(path).name}", 0, 1)
    listed = read_list(Path(path), encoding=encoding, limits=limits)
    return screen_list(con, listed, as_of=as_of, fuzzy_threshold=fuzzy_threshold, progress=progress)


def _fuzzy(
    names: pd.DataFrame, orgs: pd.DataFrame, exact: pd.DataFrame, threshold: float
) -> pd.DataFrame:
    """Near misses between listed names (primary and related) and organization names."""
    columns = ["org_id", "record", "match", "strength", "matched", "via", "score"]
    if names.empty or orgs.empty:
        return pd.DataFrame(columns=columns)
    listed = sorted(set(names["norm"]))
    # Organizations are keyed by id ("#12"): a normalized name never holds "#".
    candidates = fuzzy_candidates(
        [(norm, norm) for norm in listed],
        [(f"#{org_id}", norm) for org_id, norm in orgs.itertuples(index=False)],
        threshold=threshold,
    )
    if not candidates:
        return pd.DataFrame(columns=columns)
    found = pd.DataFrame(
        [(c.name, int(c.candidate[1:]), c.score) for c in candidates],
        columns=["norm", "org_id", "score"],
    )
    frame = found.merge(names, on="norm")
    frame["matched"] = frame["text"].where(frame["via"] == "related", None)
    frame["match"] = "fuzzy"
    frame["strength"] = _STRENGTH["fuzzy"]
    # A pair matched exactly is not a fuzzy candidate as well; one row per pair, best score.
    taken = set(zip(exact["org_id"], exact["record"], strict=True))
    keep = [
        (org, record) not in taken
        for org, record in zip(frame["org_id"], frame["record"], strict=True)
    ]
    frame = frame[keep].sort_values("score", ascending=False)
    return frame.drop_duplicates(["org_id", "record"])[columns]


def _decide(
    con: duckdb.DuckDBPyConnection, pairs: pd.DataFrame, listed: ListedParties, as_of: date
) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame(columns=list(MATCH_COLUMNS))
    orgs = _fetch(
        con, "SELECT org_id, name AS org_name, uei AS org_uei, cage AS org_cage FROM orgs"
    )
    records = listed.records.rename(
        columns={"uei": "listed_uei", "cage": "listed_cage", "record": "record_row"}
    )
    frame = pairs.rename(columns={"record": "record_row"}).merge(orgs, on="org_id")
    frame = frame.merge(records, on="record_row")
    frame["score"] = frame.get("score", pd.Series(dtype=float)).fillna(100.0).astype(float)
    frame["matched_name"] = frame["matched"].where(frame["matched"].notna(), frame["listed_name"])
    frame["status"] = [
        record_status(active, termination, as_of)
        for active, termination in zip(frame["active_date"], frame["termination_date"], strict=True)
    ]
    decided = [_confirm(row) for row in frame.itertuples(index=False)]
    frame["confirmed"] = [ok for ok, _ in decided]
    frame["reason"] = [reason for _, reason in decided]
    frame["list_type"] = listed.kind
    frame["list_file"] = listed.file
    frame["list_sha256"] = listed.sha256
    frame = frame.sort_values(
        ["confirmed", "status", "strength", "score", "org_name", "record_row"],
        ascending=[False, True, True, False, True, True],
        key=lambda column: (
            column.map({"active": 0, "future": 1, "terminated": 2})
            if column.name == "status"
            else column
        ),
    )
    return frame[list(MATCH_COLUMNS)].reset_index(drop=True)


def _same(left: object, right: object) -> bool | None:
    """Whether two identifiers agree; None when either is missing."""
    if not isinstance(left, str) or not isinstance(right, str) or not left or not right:
        return None
    clean = [("".join(ch for ch in value.upper() if ch.isalnum())) for value in (left, right)]
    return clean[0] == clean[1]


def _confirm(row: object) -> tuple[bool, str]:
    """Whether a match confirms the identity, and why (or why not)."""
    match = row.match  # type: ignore[attr-defined]
    classification = str(row.classification or "").strip().lower()  # type: ignore[attr-defined]
    uei = _same(row.org_uei, row.listed_uei)  # type: ignore[attr-defined]
    cage = _same(row.org_cage, row.listed_cage)  # type: ignore[attr-defined]
    if match == "uei":
        return True, "same UEI"
    if match == "cage":
        if uei is False:
            return False, "same CAGE but different UEIs: check which entity this is"
        return True, "same CAGE code"
    if match == "fuzzy":
        return False, f"similar name (score {row.score:.0f}/100): review"  # type: ignore[attr-defined]
    if row.via == "related":  # type: ignore[attr-defined]
        return False, (
            "the name is in the record's Cross-Reference (an a.k.a. or an affiliate of the "
            "listed party): review"
        )
    if uei is False:
        return False, "same name but different UEIs: probably another entity"
    if cage is False:
        return False, "same name but different CAGE codes: check which entity this is"
    if classification not in ENTITY_CLASSIFICATIONS:
        return (
            False,
            f"the listed party is a{'n' if classification[:1] in 'aeiou' else ''} {classification}: a name alone does not identify it",
        )
    return True, "same normalized name" if match == "name" else "a known alias of the organization"


_ARROW = {
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR": pa.string(),
}


def _typed(frame: pd.DataFrame) -> pa.Table:
    """The frame with each column's stored type (a column of blanks has none of its own)."""
    schema = pa.schema(
        [(column, _ARROW[_TYPES.get(column, "VARCHAR")]) for column in frame.columns]
    )
    clean = frame.astype(object).where(frame.notna(), None)
    return pa.Table.from_pandas(clean, schema=schema, preserve_index=False)


def store_screening(con: duckdb.DuckDBPyConnection, result: ScreeningResult) -> None:
    """Replace the stored results of this list kind with ``result`` (one transaction)."""
    frame = result.matches.copy()
    frame["as_of"] = result.as_of
    frame["data_version"] = result.data_version
    frame["screened_at"] = datetime.now(UTC).replace(tzinfo=None)
    con.execute(_SCHEMA)
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_scr_store", _typed(frame[list(_STORED)]))
        con.execute("DELETE FROM res_screening WHERE list_type = ?", [result.listed.kind])
        con.execute("INSERT INTO res_screening BY NAME SELECT * FROM _scr_store")
        con.execute("DELETE FROM res_screening_runs WHERE list_type = ?", [result.listed.kind])
        con.execute(
            "INSERT INTO res_screening_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.listed.kind,
                result.listed.file,
                result.listed.sha256,
                result.listed.layout,
                len(result.listed.records),
                result.organizations,
                len(result.matches),
                len(result.confirmed),
                len(result.to_designate),
                result.fuzzy_threshold,
                result.as_of,
                result.data_version,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_scr_store")


def screening_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The stored screening results (latest per list kind), for reports: confirmed first.

    Columns: :data:`MATCH_COLUMNS` plus ``as_of``, ``data_version`` and ``screened_at``; empty
    (with those columns) when nothing was screened.
    """
    columns = list(_STORED)
    if not table_exists(con, "res_screening"):
        return pd.DataFrame(columns=columns)
    return con.execute(
        f"SELECT {', '.join(columns)} FROM res_screening ORDER BY list_type, confirmed DESC, "
        "status = 'active' DESC, CASE match WHEN 'uei' THEN 1 WHEN 'cage' THEN 2 WHEN 'name' "
        "THEN 3 WHEN 'alias' THEN 4 ELSE 5 END, score DESC, org_name, record_row"
    ).df()


def screening_runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest screening of each list kind (one row each, as ``res_screening_runs``
    holds them); empty when nothing was screened."""
    columns = [
        "list_type",
        "list_file",
        "list_sha256",
        "layout",
        "records",
        "organizations",
        "matches",
        "confirmed",
        "confirmed_active",
        "fuzzy_threshold",
        "as_of",
        "data_version",
        "screened_at",
    ]
    if not table_exists(con, "res_screening_runs"):
        return pd.DataFrame(columns=columns)
    return con.execute(
        f"SELECT {', '.join(columns)} FROM res_screening_runs ORDER BY list_type"
    ).df()


# The Screening sheet's columns, in order (org_id joins back to the graph; not shown).
SHEET_COLUMNS = [
    "org_name",
    "org_uei",
    "org_cage",
    "listed_name",
    "matched_name",
    "match",
    "score",
    "confirmed",
    "status",
    "reason",
    "list_type",
    "classification",
    "exclusion_program",
    "exclusion_type",
    "excluding_agency",
    "ct_code",
    "active_date",
    "termination_date",
    "listed_uei",
    "listed_cage",
    "sam_number",
    "fascsa_order",
    "cross_reference",
    "record_row",
    "list_file",
    "as_of",
    "org_id",
]
_LIST_NAMES = {"sam-exclusions": "SAM.gov exclusions", "fascsa-orders": "FASCSA orders"}


def screening_sheet(
    con: duckdb.DuckDBPyConnection,
    data_version: str,
    orgs_of_interest: Iterable[int] | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The assessment's Screening sheet: the latest stored results (columns
    :data:`SHEET_COLUMNS`, confirmed matches first) and notes saying what was screened, when,
    and whether the data changed since (``data_version`` is the assessment's).

    With ``orgs_of_interest`` (org ids of the assessment's data version), only their matches
    are kept; results screened on other data are matched by organization name instead.
    """
    frame = screening_frame(con)
    runs = screening_runs(con)
    if runs.empty:
        return frame.reindex(columns=SHEET_COLUMNS), (
            "No screening has been run on this database: `exposure screen LIST.csv` matches the "
            "loaded organizations against a SAM.gov exclusions extract or a FASCSA orders list, "
            "and the latest results of each list appear here.",
        )
    if orgs_of_interest is not None:
        wanted = [int(org) for org in orgs_of_interest]
        names = {
            row[0]
            for row in con.execute(
                "SELECT name FROM orgs WHERE list_contains(?, org_id)", [wanted]
            ).fetchall()
        }
        current = frame["data_version"] == data_version
        frame = frame[
            (current & frame["org_id"].isin(wanted)) | (~current & frame["org_name"].isin(names))
        ]
    notes = []
    for run in runs.itertuples(index=False):
        list_name = _LIST_NAMES.get(str(run.list_type), str(run.list_type))
        notes.append(
            f"{list_name}: {run.list_file} (SHA-256 {str(run.list_sha256)[:16]}, "
            f"{run.records} records) screened as of {str(run.as_of)[:10]} against "
            f"{run.organizations} organizations: {run.matches} match(es), {run.confirmed} "
            f"confirmed, {run.confirmed_active} confirmed and in force. Fuzzy candidates (score "
            f"{run.fuzzy_threshold:g} or more) are for review, never confirmed."
        )
        if str(run.data_version) != data_version:
            notes.append(
                f"The data changed since {run.list_file} was screened (data version "
                f"{run.data_version}, now {data_version}): screen it again before relying on "
                "these matches."
            )
    return frame.reindex(columns=SHEET_COLUMNS).reset_index(drop=True), tuple(notes)


def designate_confirmed(
    con: duckdb.DuckDBPyConnection, result: ScreeningResult, scenario: str
) -> list[str]:
    """Designate, in a stored scenario, every organization with a confirmed active match.

    Organizations are named by UEI where they have one (names can be shared). Returns the
    canonical names designated.

    Raises:
        ExposureError: no confirmed active match to designate.
    """
    from exposure.scenarios import designate

    chosen = result.to_designate.drop_duplicates("org_id")
    if chosen.empty:
        raise ExposureError(
            f"no confirmed match in force in {result.listed.file}: nothing to designate in "
            f"scenario '{scenario}' (review the unconfirmed candidates)"
        )
    names = [
        uei if isinstance(uei, str) and uei else (cage if isinstance(cage, str) and cage else name)
        for uei, cage, name in zip(
            chosen["org_uei"], chosen["org_cage"], chosen["org_name"], strict=True
        )
    ]
    return designate(con, scenario, names)


def write_matches(result: ScreeningResult, out: Path) -> None:
    """Write the matches as ``.json`` (a list of match objects) or ``.csv`` (one row each).

    Each match carries the list's file, SHA-256 and type; JSON adds the screening date.

    Raises:
        ExposureError: another extension.
    """
    frame = result.matches.copy()
    for column in ("active_date", "termination_date"):
        frame[column] = [
            value.isoformat() if isinstance(value, date) else None for value in frame[column]
        ]
    suffix = out.suffix.lower()
    if suffix == ".csv":
        from exposure.report import safe_cell

        frame.map(safe_cell).to_csv(out, index=False)
    elif suffix == ".json":
        frame["as_of"] = result.as_of.isoformat()
        matches = json.loads(frame.to_json(orient="records"))
        out.write_text(json.dumps(matches, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        raise ExposureError(f"--out must end in .json or .csv, not {out.name}")
