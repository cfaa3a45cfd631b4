"""The review queue on the Data page: near misses of names and screening candidates, decided.

The same queue and decisions as ``exposure review`` (:func:`exposure.review_queue`,
:func:`exposure.decide_review`, :func:`exposure.undo_review`): a table of the candidates
waiting, one to pick, a note, Accept and Reject; the decisions in force below, each undoable.
A decision is stored with who made it (the signed-in user, else the name typed here, else the
server's user), when and the note, and applies at every rebuild. Writes take the load lock,
since an accepted near miss rebuilds the model.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

import shared
from exposure import ExposureError, decide_review, review_queue, undo_review
from exposure.app.text import plain

_SHOWN = ["item", "kind", "name", "candidate", "score", "why", "where"]


def _who() -> str | None:
    if st.user.get("is_logged_in"):
        return str(st.user.get("email") or st.user.get("name") or "") or None
    typed = str(st.session_state.get("review_by") or "").strip()
    return typed or None


def _label(queue: pd.DataFrame) -> dict[str, str]:
    return {
        str(row["item"]): f"{row['item']}: {row['name']} / {row['candidate']} ({row['kind']})"
        for row in queue.to_dict("records")
    }


def _apply(change: Callable[[], pd.DataFrame], done: str) -> None:
    """Make a decision (or undo one) under the load lock, keep its outcome for the next run."""
    try:
        with shared.load_lock(shared.db_path()):
            changed = change()
    except ExposureError as exc:
        st.session_state["review_outcome"] = ("error", str(exc))
        return
    st.session_state["review_outcome"] = (
        "done",
        "; ".join(f"{row['item']} {done or row['state']}" for row in changed.to_dict("records")),
    )
    # Run again: an accepted near miss changed the data version every page reads.
    st.rerun()


def _decide(items: list[str], decision: str, note: str) -> None:
    con = shared.cursor()
    _apply(lambda: decide_review(con, items, decision, note=note, by=_who()), "")  # type: ignore[arg-type]


def _undo(items: list[str]) -> None:
    con = shared.cursor()
    _apply(lambda: undo_review(con, items, by=_who()), "pending again")


def render_review() -> None:
    """The Review section: candidates waiting, the decision form, the decisions in force."""
    st.subheader("Review")
    st.caption(
        "Near misses of names (N-...: two organizations whose names are close but were never "
        "merged; accepting one makes them one organization) and screening matches no rule "
        "confirmed (S-...: accepting one confirms it). Decisions are kept with who, when and "
        "the note, apply at every load, are listed in Data quality, and can be undone; the "
        "same as `exposure review`."
    )
    outcome = st.session_state.pop("review_outcome", None)
    if outcome:
        kind, text = outcome
        (st.error if kind == "error" else st.success)(plain(text))
    queue = review_queue(shared.cursor(), decided=True)
    pending = queue[queue["state"] == "pending"]
    decided = queue[queue["state"] != "pending"]
    if pending.empty:
        st.caption("Nothing waits for review.")
    else:
        st.dataframe(pending[_SHOWN], hide_index=True, width="stretch", key="review_pending")
        labels = _label(pending)
        chosen = st.selectbox(
            "Candidate", list(labels), format_func=lambda i: labels[i], key="review_item"
        )
        note = st.text_input("Note (why; kept with the decision)", key="review_note")
        if not st.user.get("is_logged_in"):
            st.text_input("Decided by (default: the server's user)", key="review_by")
        left, right = st.columns(2)
        if left.button("Accept", key="review_accept", type="primary"):
            _decide([str(chosen)], "accept", note)
        if right.button("Reject", key="review_reject"):
            _decide([str(chosen)], "reject", note)
    if not decided.empty:
        st.dataframe(
            decided[["item", "kind", "state", "name", "candidate", "decided_by", "note"]],
            hide_index=True,
            width="stretch",
            key="review_decided",
        )
        undo_labels = _label(decided)
        picked = st.selectbox(
            "Decision to undo",
            list(undo_labels),
            format_func=lambda i: undo_labels[i],
            key="review_undo_item",
        )
        if st.button("Undo", key="review_undo"):
            _undo([str(picked)])
