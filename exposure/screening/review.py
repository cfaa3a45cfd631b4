"""The review queue: what waits for a person's decision, and the decisions.

Two kinds of candidates (``kind``), each with a stable id (``item``) that survives every
rebuild and a new screening of the same list:

* ``name`` (ids ``N-...``): near misses of name resolution, two organizations whose names are
  close but were never merged (the ``fuzzy_candidate`` rows of Data quality). Accepting one
  makes them one organization: the model is rebuilt with the name as an alias of the other
  (the declared one, where one is), now and at every later rebuild, and the data version
  changes. Rejecting one says they are different organizations: it leaves Data quality.
* ``screening`` (ids ``S-...``): screening matches no rule confirmed (a one-word name, a
  Cross-Reference name, contradicting identifiers, a fuzzy candidate, a possible
  affiliate...). Accepting one confirms it (``--designate-confirmed`` then designates it);
  rejecting one keeps the match, marked rejected, off the queue. The decision applies to the
  stored results at once and to every later screening of a list holding the same record.

:func:`review_queue` lists them (columns :data:`QUEUE_COLUMNS`), :func:`decide_review` stores
an ``accept`` or ``reject`` with who (the operating-system user unless ``by`` is given), when
and a note, :func:`undo_review` undoes the decision in force (it stays in
:func:`review_history`). Each call is one transaction. Every decision in force is a
``review_decision`` row of Data quality, so the workbook lists it. The tables and their SQL
are the warehouse's (:mod:`exposure.warehouse.review`).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import pandas as pd

from exposure.core.errors import ExposureError
from exposure.warehouse.database import record_data_version
from exposure.warehouse.resolve import rebuild_model
from exposure.warehouse.review import (
    active_decisions,
    apply_screening_decisions,
    decision_history,
    decision_note,
    in_transaction,
    mark_undone,
    name_item_rows,
    organizations_named,
    record_decision,
    refresh_review_issues,
    screening_organizations,
    screening_review_rows,
)
from exposure.warehouse.scenarios import (
    UnknownNameError,
    designating,
    resolve_org,
    withdraw_designations,
)

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "QUEUE_COLUMNS",
    "Decision",
    "decide_review",
    "review_history",
    "review_queue",
    "reviewer",
    "undo_review",
]

logger = logging.getLogger(__name__)

Decision = Literal["accept", "reject"]

QUEUE_COLUMNS = [
    "item",
    "kind",
    "state",
    "name",
    "candidate",
    "why",
    "score",
    "where",
    "list_type",
    "decided_by",
    "decided_at",
    "note",
]
_STATE = {"accept": "accepted", "reject": "rejected"}


def reviewer() -> str:
    """Who decides, when not named: the operating-system user ("unknown" when there is none)."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "unknown"


def _where(file: object, row: object) -> str:
    if not isinstance(file, str) or not file:
        return ""
    return f"{file}, row {int(row)}" if isinstance(row, int | float) and row == row else file


def review_queue(
    con: duckdb.DuckDBPyConnection, *, decided: bool = False, kind: str | None = None
) -> pd.DataFrame:
    """The candidates waiting for a decision (``state`` pending), near misses first; with
    ``decided``, the decisions in force too (accepted, rejected). ``kind`` keeps one kind
    (``name`` or ``screening``). Columns :data:`QUEUE_COLUMNS`."""
    decisions = active_decisions(con)
    taken = set(decisions["item"])
    rows: list[dict[str, object]] = []
    near = name_item_rows(con)
    for row in near.to_dict("records"):
        if row["item"] in taken:
            continue
        rows.append(
            {
                "item": row["item"],
                "kind": "name",
                "state": "pending",
                "name": row["name"],
                "candidate": row["candidate"],
                "why": row["detail"],
                "score": row["score"],
                "where": _where(row["source_file"], row["row"]),
            }
        )
    screened = screening_review_rows(con)
    for row in screened.drop_duplicates("review_item").to_dict("records"):
        if row["review_item"] in taken:
            continue
        listed, matched = str(row["listed_name"]), str(row["matched_name"])
        rows.append(
            {
                "item": row["review_item"],
                "kind": "screening",
                "state": "pending",
                "name": row["org_name"],
                "candidate": listed if matched == listed else f"{matched} (of {listed})",
                "why": f"{row['match']} match ({row['status']}): {row['reason']}",
                "score": row["score"],
                "where": _where(row["list_file"], row["record_row"]),
                "list_type": row["list_type"],
            }
        )
    if decided:
        for _, made in decisions.iterrows():
            rows.append(
                {
                    "item": made["item"],
                    "kind": made["kind"],
                    "state": _STATE.get(str(made["decision"]), str(made["decision"])),
                    "name": made["name"],
                    "candidate": made["candidate"],
                    "why": decision_note(made),
                    "list_type": made["list_type"],
                    "decided_by": made["decided_by"],
                    "decided_at": made["decided_at"],
                    "note": made["note"],
                }
            )
    frame = pd.DataFrame(rows, columns=QUEUE_COLUMNS)
    if kind is not None:
        frame = frame[frame["kind"] == kind]
    return frame.reset_index(drop=True)


def review_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every decision ever made, undone ones included (who undid it and when), newest first."""
    return decision_history(con)


def _find(queue: pd.DataFrame, items: Iterable[str]) -> list[dict[str, object]]:
    """The queue's rows of ``items`` (ids compared without case), in the order given."""
    by_id: dict[str, dict[str, object]] = {
        str(row["item"]).upper(): {str(k): v for k, v in row.items()}
        for row in queue.to_dict("records")
    }
    found = []
    for item in items:
        row = by_id.get(str(item).strip().upper())
        if row is None:
            raise ExposureError(
                f"no review candidate {item!r}: `exposure review list` shows the candidates "
                "and their ids (N-... near misses of names, S-... screening candidates)"
            )
        found.append(row)
    return found


def _oriented(con: duckdb.DuckDBPyConnection, row: dict[str, object]) -> tuple[str, str]:
    """(alias, organization) of an accepted near miss: the declared one is the organization.

    Raises:
        ExposureError: both are organizations with different UEIs (two entities: correct the
            data instead).
    """
    name, candidate = str(row["name"]), str(row["candidate"])
    known = organizations_named(con, [name, candidate])
    ueis = {str(u) for u in known["uei"] if isinstance(u, str) and u}
    if len(ueis) > 1:
        raise ExposureError(
            f"{name} and {candidate} have different UEIs ({', '.join(sorted(ueis))}): they "
            f"are two entities and cannot be merged by review; correct the data, or reject "
            f"{row['item']}"
        )
    declared = {str(n) for n, d in zip(known["name"], known["declared"], strict=True) if d}
    if name in declared and candidate not in declared:
        return candidate, name
    return name, candidate


def _designations(
    con: duckdb.DuckDBPyConnection, item: str, withdrawn: list[tuple[str, str]]
) -> str:
    """What a withdrawn (undone or rejected) screening candidate leaves in stored scenarios:
    the designations withdrawn with it, and those that still hold (designated by hand, or by
    a rule), with how to remove them."""
    said = [
        f"scenario '{scenario}': {name} no longer designated (designated by "
        f"`screen --designate-confirmed` from the accepted {item})"
        for scenario, name in withdrawn
    ]
    for name, uei in screening_organizations(con, item):
        try:
            org = resolve_org(con, uei or name)
        except UnknownNameError:
            continue
        for scenario, stored in designating(con, org):
            said.append(
                f"scenario '{scenario}' still designates {name} (as {stored}; not from this "
                f"decision): remove it with `exposure designate --scenario {scenario} "
                f"--remove '{stored}'` if it should not be"
            )
    return "; ".join(said)


def decide_review(
    con: duckdb.DuckDBPyConnection,
    items: Iterable[str],
    decision: Decision,
    *,
    note: str | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Accept or reject pending candidates (one transaction); returns their queue rows, as
    decided (with ``designations``: for a rejected screening candidate, the stored scenarios
    that still designate its organization). An accepted near miss rebuilds the model (the names become one organization)
    and records the new data version.

    Raises:
        ExposureError: an unknown id, a candidate decided already (undo it first), a near
            miss between two UEIs, or no id at all.
    """
    if decision not in _STATE:
        raise ExposureError(f"a decision is accept or reject, not {decision!r}")
    chosen = _find(review_queue(con, decided=True), items)
    if not chosen:
        raise ExposureError("name the candidates to decide (ids from `exposure review list`)")
    for row in chosen:
        if row["state"] != "pending":
            raise ExposureError(
                f"{row['item']} was {row['state']} by {row['decided_by']}: undo that decision "
                f"first (exposure review undo {row['item']})"
            )
    who = (by or "").strip() or reviewer()
    text = (note or "").strip() or None
    at = datetime.now(UTC).replace(tzinfo=None)
    merges = decision == "accept" and any(row["kind"] == "name" for row in chosen)
    stored = []
    for row in chosen:
        name, candidate = str(row["name"]), str(row["candidate"])
        if row["kind"] == "name" and decision == "accept":
            name, candidate = _oriented(con, row)
        elif row["kind"] == "screening":
            candidate = str(row["candidate"])
        stored.append((row, name, candidate))

    def work() -> None:
        for row, name, candidate in stored:
            record_decision(
                con,
                item=str(row["item"]),
                kind=str(row["kind"]),
                name=name,
                candidate=candidate,
                list_type=row["list_type"] if isinstance(row["list_type"], str) else None,
                decision=decision,
                note=text,
                by=who,
                at=at,
            )
        _apply(con, rebuild=merges)

    in_transaction(con, work, "the review decision")
    logger.info(
        "%s %d review candidate(s) by %s: %s",
        _STATE[decision],
        len(stored),
        who,
        ", ".join(str(row["item"]) for row, _, _ in stored),
    )
    decided = review_queue(con, decided=True)
    wanted = [str(row["item"]) for row, _, _ in stored]
    frame = decided[decided["item"].isin(wanted)].reset_index(drop=True)
    frame["designations"] = [
        _designations(con, str(item), []) if decision == "reject" and kind == "screening" else ""
        for item, kind in zip(frame["item"], frame["kind"], strict=True)
    ]
    return frame


def undo_review(
    con: duckdb.DuckDBPyConnection, items: Iterable[str], *, by: str | None = None
) -> pd.DataFrame:
    """Undo the decisions in force on ``items`` (one transaction): the candidates are pending
    again, and an undone merge is undone in the model. An undone screening acceptance withdraws
    the designations made from it (:func:`exposure.warehouse.scenarios.withdraw_designations`).
    Returns the decisions undone (their queue rows before the undo, with ``designations``:
    what was withdrawn, and the stored scenarios that still designate the organization).

    Raises:
        ExposureError: an unknown id, or one with no decision in force.
    """
    chosen = _find(review_queue(con, decided=True), items)
    for row in chosen:
        if row["state"] == "pending":
            raise ExposureError(f"{row['item']} has no decision to undo: it is pending")
    who = (by or "").strip() or reviewer()
    at = datetime.now(UTC).replace(tzinfo=None)
    names = any(row["kind"] == "name" for row in chosen)

    withdrawn: dict[str, list[tuple[str, str]]] = {}

    def work() -> None:
        for row in chosen:
            mark_undone(con, str(row["item"]), by=who, at=at)
            if row["kind"] == "screening":
                withdrawn[str(row["item"])] = withdraw_designations(con, str(row["item"]))
        _apply(con, rebuild=names)

    in_transaction(con, work, "the undo")
    logger.info("undid %d review decision(s) by %s", len(chosen), who)
    frame = pd.DataFrame(chosen, columns=QUEUE_COLUMNS)
    frame["designations"] = [
        _designations(con, str(row["item"]), withdrawn[str(row["item"])])
        if row["kind"] == "screening"
        else ""
        for row in chosen
    ]
    return frame


def _apply(con: duckdb.DuckDBPyConnection, *, rebuild: bool) -> None:
    """Make the model and the stored screening results agree with the decisions in force."""
    if rebuild:
        # The names merge (or part again): the model is rebuilt, and with it Data quality.
        rebuild_model(con)
        record_data_version(con)
    else:
        refresh_review_issues(con)
    apply_screening_decisions(con)
