"""Review decisions: the ``review_decisions`` table and what the model makes of it.

Two kinds of candidates wait for a person (the queue is assembled by
:mod:`exposure.screening.review`):

* ``name``: a near miss of name resolution (a ``fuzzy_candidate`` row of ``dq_issues``: two
  organizations whose names are close but were not merged);
* ``screening``: a screening match no rule confirmed (a stored ``res_screening`` row whose
  ``review`` is set: a one-word name, a Cross-Reference, a fuzzy candidate, a possible
  affiliate...).

Each candidate has a stable id (:func:`name_item`, :func:`screening_item`: a hash of what it
is about, not of a row number, so that it survives every rebuild and a new screening of the
same list). A decision (``accept`` or ``reject``) is one row of ``review_decisions`` with who,
when and a note; an undo stamps it ``undone_by``/``undone_at`` and keeps it, so the table is
the history. At most one decision per item is in force (not undone).

Decisions in force are applied:

* at every rebuild of the model (:func:`exposure.warehouse.resolve.rebuild_model`): an
  accepted near miss makes the two names one organization, as an alias would
  (:data:`REVIEW_ALIASES_SQL` feeds the identity rule set's alias groups, and two declared
  rows then share a key), and it is part of the data version (:func:`accepted_merges`); a
  rejected one leaves the Data quality list; every decision is listed there as
  ``review_decision`` (:func:`refresh_review_issues`);
* to screening results (:func:`apply_screening_decisions` on the stored ones, and
  :mod:`exposure.screening.matching` on every new screening): an accepted candidate is
  confirmed, a rejected one is kept, marked rejected, and leaves the queue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime

import duckdb
import pandas as pd

from exposure.core.names import normalize_names
from exposure.core.sql import scalar, table_exists
from exposure.warehouse.transactions import abort

__all__ = [
    "DECISION_COLUMNS",
    "REVIEW_ALIASES_SQL",
    "REVIEW_SCHEMA",
    "accepted_merges",
    "active_decisions",
    "add_review_columns",
    "apply_screening_decisions",
    "decision_history",
    "decision_note",
    "ensure_review_table",
    "in_transaction",
    "mark_undone",
    "name_item",
    "name_item_rows",
    "name_items",
    "organizations_named",
    "record_decision",
    "refresh_review_issues",
    "review_why",
    "screening_decisions",
    "screening_item",
    "screening_organizations",
    "screening_review_rows",
]

REVIEW_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_decisions (
    decision_id BIGINT NOT NULL,
    item VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    name VARCHAR,
    candidate VARCHAR,
    list_type VARCHAR,
    decision VARCHAR NOT NULL,
    note VARCHAR,
    decided_by VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    undone_by VARCHAR,
    undone_at TIMESTAMP
);
"""

DECISION_COLUMNS = (
    "decision_id",
    "item",
    "kind",
    "name",
    "candidate",
    "list_type",
    "decision",
    "note",
    "decided_by",
    "decided_at",
    "undone_by",
    "undone_at",
)

# The accepted near misses in force, as aliases (``organization``, ``alias``) for the identity
# rule set: the candidate side is the organization (the declared one, where one is), the other
# its alias. Needs review_decisions (rebuild_model creates it).
REVIEW_ALIASES_SQL = """
CREATE OR REPLACE TEMP TABLE _review_aliases AS
SELECT candidate AS organization, name AS alias FROM review_decisions
WHERE kind = 'name' AND decision = 'accept' AND undone_at IS NULL
  AND exposure_norm_name(name) IS NOT NULL AND exposure_norm_name(candidate) IS NOT NULL;
"""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]


def name_item(name: str, candidate: str) -> str:
    """The id of a near miss between two names: the same whichever is given first, and for any
    spelling that normalizes alike.

    >>> name_item("Northwind Analytic", "Northwind Analytics Inc.") == name_item(
    ...     "NORTHWIND ANALYTICS", "northwind analytic")
    True
    """
    return name_items([(name, candidate)])[0]


def name_items(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """:func:`name_item` of many pairs at once."""
    flat = normalize_names([value for pair in pairs for value in pair])
    items = []
    for index, (name, candidate) in enumerate(pairs):
        left = flat[2 * index] or name
        right = flat[2 * index + 1] or candidate
        items.append("N-" + _digest("name", *sorted((left, right))))
    return items


def screening_item(list_type: str, org_key: str, record_key: str) -> str:
    """The id of a screening candidate: the list kind, the organization (its entity key:
    UEI, CAGE or normalized name, stable across rebuilds) and the record (its SAM number,
    identifiers or name, stable across extracts)."""
    return "S-" + _digest("screening", list_type, org_key, record_key)


def ensure_review_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``review_decisions`` when it is not there yet."""
    con.execute(REVIEW_SCHEMA)


def decision_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every decision ever made, undone ones included (columns :data:`DECISION_COLUMNS`),
    newest first; empty when none."""
    if not table_exists(con, "review_decisions"):
        return pd.DataFrame(columns=list(DECISION_COLUMNS))
    return con.execute(
        f"SELECT {', '.join(DECISION_COLUMNS)} FROM review_decisions "
        "ORDER BY decided_at DESC, decision_id DESC"
    ).df()


def active_decisions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The decisions in force (not undone), one per item (columns :data:`DECISION_COLUMNS`)."""
    if not table_exists(con, "review_decisions"):
        return pd.DataFrame(columns=list(DECISION_COLUMNS))
    return con.execute(
        f"SELECT {', '.join(DECISION_COLUMNS)} FROM review_decisions WHERE undone_at IS NULL "
        "QUALIFY row_number() OVER (PARTITION BY item ORDER BY decision_id DESC) = 1 "
        "ORDER BY decided_at, decision_id"
    ).df()


def record_decision(
    con: duckdb.DuckDBPyConnection,
    *,
    item: str,
    kind: str,
    name: str | None,
    candidate: str | None,
    list_type: str | None,
    decision: str,
    note: str | None,
    by: str,
    at: datetime,
) -> None:
    """Store one decision (in the caller's transaction, if any)."""
    ensure_review_table(con)
    next_id = scalar(con, "SELECT coalesce(max(decision_id), 0) + 1 FROM review_decisions")
    con.execute(
        "INSERT INTO review_decisions (decision_id, item, kind, name, candidate, list_type, "
        "decision, note, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [next_id, item, kind, name, candidate, list_type, decision, note, by, at],
    )


def mark_undone(con: duckdb.DuckDBPyConnection, item: str, *, by: str, at: datetime) -> None:
    """Stamp the decision in force on ``item`` as undone (it stays in the history)."""
    con.execute(
        "UPDATE review_decisions SET undone_by = ?, undone_at = ? "
        "WHERE item = ? AND undone_at IS NULL",
        [by, at, item],
    )


def accepted_merges(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The accepted near misses in force, as (organization, alias) names, sorted: what the
    model is built from besides the loaded files and seeds (part of the data version)."""
    if not table_exists(con, "review_decisions"):
        return []
    rows = con.execute(
        "SELECT candidate, name FROM review_decisions WHERE kind = 'name' "
        "AND decision = 'accept' AND undone_at IS NULL ORDER BY 1, 2"
    ).fetchall()
    return [(str(organization), str(alias)) for organization, alias in rows]


def _when(value: object) -> str:
    if isinstance(value, datetime):  # a pandas Timestamp is one too
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return "?"


def decision_note(row: pd.Series) -> str:
    """The sentence a decision (a row of ``review_decisions``) is shown with: Data quality,
    the Screening sheet's ``review_note``, the queue."""
    verb = "accepted" if row["decision"] == "accept" else "rejected"
    who = f"{verb} by {row['decided_by']} on {_when(row['decided_at'])}"
    note = f" (note: {row['note']})" if isinstance(row["note"], str) and row["note"] else ""
    if row["kind"] == "name":
        what = (
            "the names are one organization (merged as an alias at every rebuild)"
            if row["decision"] == "accept"
            else "the names are different organizations (no longer listed as a near miss)"
        )
        return f"near miss {row['item']} {who}{note}: {what}"
    what = (
        "the organization is the listed party (the match is confirmed)"
        if row["decision"] == "accept"
        else "the organization is not the listed party (the match is kept, rejected)"
    )
    listed = f" on {row['list_type']}" if isinstance(row["list_type"], str) else ""
    return f"screening candidate {row['item']}{listed} {who}{note}: {what}"


def review_why(row: pd.Series) -> str:
    """Why a decided screening match is (or is not) confirmed, as its ``review_note`` and
    the ``why`` of ``exposure screen`` say it: "accepted in review by alice on 2026-03-01
    09:00 UTC: checked the UEI" (the rule's own reason stays in ``reason``)."""
    verb = "accepted" if row["decision"] == "accept" else "rejected"
    note = row["note"] if isinstance(row["note"], str) and row["note"] else "no note"
    return f"{verb} in review by {row['decided_by']} on {_when(row['decided_at'])}: {note}"


def name_item_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The near misses of ``dq_issues`` (name, candidate, score, detail, source_file, sheet,
    row) with their ``item``."""
    columns = ["name", "candidate", "score", "detail", "source_file", "sheet", "row", "item"]
    if not table_exists(con, "dq_issues"):
        return pd.DataFrame(columns=columns)
    frame = con.execute(
        "SELECT name, candidate, score, detail, source_file, sheet, row FROM dq_issues "
        "WHERE issue = 'fuzzy_candidate' AND name IS NOT NULL AND candidate IS NOT NULL"
    ).df()
    frame["item"] = name_items(list(zip(frame["name"], frame["candidate"], strict=True)))
    return frame


def refresh_review_issues(con: duckdb.DuckDBPyConnection) -> None:
    """Bring ``dq_issues`` in line with the decisions in force: rejected near misses leave
    it, and every decision is one ``review_decision`` row (the workbook's Data quality sheet
    lists them). Runs at every rebuild and after every decision."""
    if not table_exists(con, "dq_issues"):
        return
    con.execute("DELETE FROM dq_issues WHERE issue = 'review_decision'")
    decisions = active_decisions(con)
    if decisions.empty:
        return
    rejected = set(decisions.loc[decisions["decision"] == "reject", "item"])
    near = name_item_rows(con)
    gone = near[near["item"].isin(rejected)]
    for name, candidate in zip(gone["name"], gone["candidate"], strict=True):
        con.execute(
            "DELETE FROM dq_issues WHERE issue = 'fuzzy_candidate' AND name = ? AND candidate = ?",
            [name, candidate],
        )
    rows = pd.DataFrame(
        {
            "issue": "review_decision",
            "name": decisions["name"],
            "detail": [decision_note(row) for _, row in decisions.iterrows()],
            "candidate": decisions["candidate"],
            "score": None,
            "source_file": None,
            "sheet": None,
            "row": None,
        }
    )
    con.register("_review_rows", rows.astype(object).where(rows.notna(), None))
    try:
        con.execute(
            "INSERT INTO dq_issues SELECT issue, name, detail, candidate, "
            "CAST(score AS DOUBLE), source_file, sheet, CAST(row AS BIGINT) FROM _review_rows"
        )
    finally:
        con.unregister("_review_rows")


_REVIEW_COLUMNS = {"review": "VARCHAR", "review_item": "VARCHAR", "review_note": "VARCHAR"}


def screening_review_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The stored screening matches no rule confirmed (the review candidates), with their
    ``review_item``; empty when nothing was screened."""
    columns = [
        "review_item",
        "review",
        "org_name",
        "listed_name",
        "matched_name",
        "match",
        "score",
        "reason",
        "status",
        "list_type",
        "list_file",
        "record_row",
    ]
    if not table_exists(con, "res_screening") or not _has_review_columns(con):
        return pd.DataFrame(columns=columns)
    return con.execute(
        f"SELECT {', '.join(columns)} FROM res_screening WHERE review IS NOT NULL "
        "AND review_item IS NOT NULL ORDER BY list_type, org_name, record_row"
    ).df()


def screening_organizations(con: duckdb.DuckDBPyConnection, item: str) -> list[tuple[str, str]]:
    """The organizations a screening candidate is about, as (name, UEI or ''), from the stored
    results; empty when they hold no such candidate."""
    if not table_exists(con, "res_screening") or not _has_review_columns(con):
        return []
    rows = con.execute(
        "SELECT DISTINCT org_name, coalesce(org_uei, '') FROM res_screening "
        "WHERE review_item = ? ORDER BY 1",
        [item],
    ).fetchall()
    return [(str(name), str(uei)) for name, uei in rows]


def _has_review_columns(con: duckdb.DuckDBPyConnection) -> bool:
    found = scalar(
        con,
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = 'res_screening' AND column_name = 'review_item'",
    )
    return bool(found)


def apply_screening_decisions(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the decisions in force to the stored screening candidates: accepted ones are
    confirmed, rejected ones marked so, the rest pending (matches a rule confirmed are left
    as they are)."""
    if not table_exists(con, "res_screening") or not _has_review_columns(con):
        return
    decisions = active_decisions(con)
    decisions = decisions[decisions["kind"] == "screening"]
    notes = pd.DataFrame(
        {
            "item": decisions["item"].astype(str),
            "decision": decisions["decision"].astype(str),
            "note": [review_why(row) for _, row in decisions.iterrows()],
        },
        columns=["item", "decision", "note"],
    )
    con.register("_review_applied", notes)
    try:
        con.execute(
            "UPDATE res_screening SET review = 'pending', confirmed = false, review_note = NULL "
            "WHERE review IS NOT NULL"
        )
        con.execute(
            "UPDATE res_screening SET "
            "review = CASE d.decision WHEN 'accept' THEN 'accepted' ELSE 'rejected' END, "
            "confirmed = d.decision = 'accept', review_note = d.note "
            "FROM _review_applied d WHERE res_screening.review_item = d.item "
            "AND res_screening.review IS NOT NULL"
        )
    finally:
        con.unregister("_review_applied")


def screening_decisions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """The decisions in force on screening candidates: item -> (decision, sentence of
    :func:`review_why`)."""
    decisions = active_decisions(con)
    decisions = decisions[decisions["kind"] == "screening"]
    return {
        str(row["item"]): (str(row["decision"]), review_why(row)) for _, row in decisions.iterrows()
    }


def add_review_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Give a screening table of an older release the review columns."""
    for column, kind in _REVIEW_COLUMNS.items():
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")


def organizations_named(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> pd.DataFrame:
    """The organizations of the model called (canonically) one of ``names``: name, uei,
    declared."""
    return con.execute(
        "SELECT name, uei, declared FROM orgs WHERE list_contains(?::VARCHAR[], name) "
        "ORDER BY name",
        [list(names)],
    ).df()


def in_transaction(
    con: duckdb.DuckDBPyConnection, work: Callable[[], None], what: str = "the decision"
) -> None:
    """Run ``work`` in one transaction: all of it is stored, or (on any error, re-raised)
    none of it."""
    con.execute("BEGIN TRANSACTION")
    try:
        work()
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, what)
        raise
