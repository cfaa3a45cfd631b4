"""Screen the loaded organizations against a SAM.gov exclusions extract or FASCSA orders list.

Matching follows the identity rule set of the rest of the tool (SPEC 3.1,
:mod:`exposure.core.identity`), run in bulk in SQL over the same index of every key each
organization answers to (``org_spellings``, :mod:`exposure.warehouse.identity`):

1. ``uei``: the organization's UEI equals the record's UEI;
2. ``cage``: the CAGE codes are equal;
3. ``name``: a normalized name of the organization (any spelling it was declared under or the
   data used for it) equals the record's normalized listed name;
4. ``alias``: a known alias of the organization (its ``aliases`` and ``seeds/aliases.csv``)
   equals the listed name, or any of its names equals a name of the record's
   ``Cross-Reference``;
5. ``fuzzy``: rapidfuzz ``token_sort_ratio`` of normalized names at least the threshold
   (:data:`exposure.core.names.FUZZY_THRESHOLD`, 88, unless changed), compared within blocks of
   names sharing a token or its first three letters (:func:`exposure.core.names.fuzzy_candidates`);
6. ``affiliate``: a possible affiliate of a listed company (Section 889 covers subsidiaries
   and affiliates): an organization whose name begins with the whole of a listed entity's name
   ("ZTE USA Inc" and "ZTE CORPORATION"; the listed name must keep a distinctive word), or one
   owned through ``parent`` links by an organization that matches a listed entity.

Names are compared in their screening form (:func:`exposure.core.names.screening_name`:
the identity rule's normalization, with inverted articles and leading legal forms such as
JSC, OJSC, PAO or AO dropped).

Each (organization, record) pair is reported once, under its strongest match. Exact score is
100. ``confirmed`` says the listed party *is* the organization:

* identifier matches (UEI, CAGE) are confirmed (a CAGE match whose UEIs differ is not);
* name matches and alias matches through the organization's own aliases are confirmed when
  the record names an organization (Classification Firm, Special Entity Designation, or none)
  and no identifier contradicts them (both sides have a UEI, or a CAGE, and they differ);
* a name match is not confirmed when the listed name is spelled exactly as another of the
  organizations (the identity rule's exact tier: the name means that one);
* a name or alias match alone (no identifier agrees) is confirmed only when the shared
  normalized name keeps at least two distinctive words
  (:func:`exposure.core.names.distinctive_words`: "huawei technologies", "kcs construction"),
  or when the full legal names agree (:func:`exposure.core.names.legal_name`: "Apple Co" and
  "APPLE CO", "Apple Company" and "APPLE CO"). "Apple Inc." against "APPLE CO" keeps one word,
  "apple", and the legal forms differ: one word of a name does not identify a company, so the
  match goes to review with that reason;
* not confirmed, listed for review with the reason: names of individuals and vessels (a name
  alone does not identify a person), names from a Cross-Reference (an a.k.a. or an affiliate),
  contradicting identifiers, every fuzzy candidate and every possible affiliate.

``status`` says whether the exclusion is in force on the screening date (``as_of``, today by
default): ``active``, ``terminated`` (termination date passed) or ``future``. Terminated
records are still reported, for the history; only confirmed *active* matches are designated
by :func:`exposure.screening.results.designate_confirmed`.

:func:`screen` (or :func:`screen_list`, for a list read already) stores nothing: the results
are stored, listed, put on the assessment's Screening sheet and written out by
:mod:`exposure.screening.results`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from exposure.core.names import FUZZY_THRESHOLD, distinctive_words, fuzzy_candidates, legal_names
from exposure.ingest.readers import ReadLimits
from exposure.screening.lists import ENTITY_CLASSIFICATIONS, ListedParties, read_list, record_status
from exposure.warehouse.database import stored_data_version
from exposure.warehouse.review import screening_decisions, screening_item
from exposure.warehouse.screening_match import (
    organization_identifiers,
    screening_candidates,
)

__all__ = [
    "MATCH_COLUMNS",
    "ScreeningResult",
    "screen",
    "screen_list",
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
    "review",
    "review_note",
    "review_item",
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
_STRENGTH = {"uei": 1, "cage": 2, "name": 3, "alias": 4, "fuzzy": 6, "affiliate": 7}


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
    found = screening_candidates(con, records, ENTITY_CLASSIFICATIONS)
    exact, names, orgs = found.pairs, found.listed_names, found.org_names
    exact, affiliate_notes = _meaningful_affiliates(exact, names)
    spellings = found.spellings
    organizations = found.organizations
    step("fuzzy candidates", 1, 3)
    logger.debug("%s: %d pairs matched by identifier, name or alias", listed.file, len(exact))
    fuzzy = _fuzzy(names, orgs, exact, fuzzy_threshold)
    logger.debug("%s: %d fuzzy candidates (threshold %g)", listed.file, len(fuzzy), fuzzy_threshold)
    step("deciding", 2, 3)
    pairs = pd.concat([exact, fuzzy], ignore_index=True)
    matches = _decide(con, pairs, listed, as_of, spellings)
    logger.info(
        "screened %d records of %s (%s) against %d organizations: %d matches, %d confirmed",
        len(records),
        listed.file,
        listed.kind,
        organizations,
        len(matches),
        int(matches["confirmed"].sum()) if len(matches) else 0,
    )
    step("done", 3, 3)
    version = stored_data_version(con)
    return ScreeningResult(
        listed=listed,
        as_of=as_of,
        fuzzy_threshold=fuzzy_threshold,
        organizations=organizations,
        data_version=version or "",
        matches=matches,
        notes=[*listed.notes, *affiliate_notes],
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
            see :func:`exposure.screening.lists.read_list`).
    """
    step = progress or (lambda _label, _done, _total: None)
    step(f"reading {Path(path).name}", 0, 1)
    listed = read_list(Path(path), encoding=encoding, limits=limits)
    return screen_list(con, listed, as_of=as_of, fuzzy_threshold=fuzzy_threshold, progress=progress)


# A one-word listed name that begins more organization names than this is a common word
# ("UNION, INC.", "QUANTUM"), not a company family: its affiliates by name are not listed.
AFFILIATE_LIMIT = 100


def _meaningful_affiliates(
    pairs: pd.DataFrame, names: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """Drop the affiliates by leading words whose listed name keeps no distinctive word (an
    organization named "Global Services Inc" is no affiliate of a listed "GLOBAL INC"), or
    one only and begins more than :data:`AFFILIATE_LIMIT` organization names; returns the
    pairs kept and a note naming the common words left out."""
    leading = (pairs["match"] == "affiliate") & (pairs["via"] == "leading")
    if not leading.any():
        return pairs, []
    listed = names[names["via"] == "listed"]
    words = {
        int(record): len(distinctive_words(str(norm)))
        for record, norm in zip(listed["record"], listed["norm"], strict=True)
    }
    counts = pairs.loc[leading, "record"].astype(int).value_counts()
    common = {
        int(record)
        for record, count in zip(counts.index.tolist(), counts.tolist(), strict=True)
        if count > AFFILIATE_LIMIT and words.get(int(record)) == 1
    }
    telling = {record for record, n in words.items() if n and record not in common}
    keep = ~leading | pairs["record"].astype(int).isin(telling)
    notes = []
    if common:
        shown = sorted(
            str(n)
            for r, n in zip(listed["record"], listed["norm"], strict=True)
            if int(r) in common
        )
        notes.append(
            f"{len(common)} listed name(s) of one distinctive word begin the names of more than "
            f"{AFFILIATE_LIMIT} organizations each ({', '.join(shown[:10])}"
            f"{', ...' if len(shown) > 10 else ''}): common words rather than company "
            "families, so their possible affiliates by name are not listed (those owned through "
            "parent links are)."
        )
    return pairs[keep].reset_index(drop=True), notes


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


def _legal_names(spellings: pd.DataFrame) -> dict[int, set[str]]:
    """Each organization's full legal names (of every spelling it answers to)."""
    names: dict[int, set[str]] = {}
    legal = legal_names([str(spelling) for spelling in spellings["spelling"]])
    for org_id, form in zip(spellings["org_id"], legal, strict=True):
        if form:
            names.setdefault(int(org_id), set()).add(form)
    return names


def _decide(
    con: duckdb.DuckDBPyConnection,
    pairs: pd.DataFrame,
    listed: ListedParties,
    as_of: date,
    spellings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame(columns=list(MATCH_COLUMNS))
    orgs = organization_identifiers(con)
    records = listed.records.rename(
        columns={"uei": "listed_uei", "cage": "listed_cage", "record": "record_row"}
    )
    frame = pairs.rename(columns={"record": "record_row"}).merge(orgs, on="org_id")
    frame = frame.merge(records, on="record_row")
    frame["score"] = frame.get("score", pd.Series(dtype=float)).fillna(100.0).astype(float)
    other = frame.get("spelled_as_other", pd.Series(False, index=frame.index))
    frame["spelled_as_other"] = other.astype("boolean").fillna(False)
    frame["matched_name"] = frame["matched"].where(frame["matched"].notna(), frame["listed_name"])
    empty = pd.DataFrame(columns=["org_id", "spelling"])
    legal = _legal_names(spellings if spellings is not None else empty)
    norms = frame.get("norm", pd.Series(None, index=frame.index, dtype=object))
    frame["distinctive"] = [distinctive_words(n if isinstance(n, str) else None) for n in norms]
    # Whether the full legal names agree: asked of name and alias matches only.
    by_name = frame["match"].isin(["name", "alias"]).to_numpy()
    asked = legal_names([str(n) for n in frame["matched_name"][by_name]])
    agree = iter(
        form in legal.get(int(org), set())
        for org, form in zip(frame["org_id"][by_name], asked, strict=True)
    )
    frame["legal_agree"] = [next(agree) if named else False for named in by_name]
    frame["status"] = [
        record_status(active, termination, as_of)
        for active, termination in zip(frame["active_date"], frame["termination_date"], strict=True)
    ]
    decided = [_confirm(row) for row in frame.itertuples(index=False)]
    frame["reason"] = [reason for _, reason in decided]
    _review(frame, [ok for ok, _ in decided], listed.kind, screening_decisions(con))
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


def _record_keys(frame: pd.DataFrame) -> pd.Series:
    """What identifies each match's record across extracts: its SAM number, else its UEI,
    CAGE, else its name (letters and digits, upper case)."""
    name = (
        frame["listed_name"]
        .fillna("")
        .astype(str)
        .str.upper()
        .str.replace(r"[^0-9A-Z]", "", regex=True)
    )
    keys = "NAME:" + name
    for label, column in (("CAGE", "listed_cage"), ("UEI", "listed_uei"), ("SAM", "sam_number")):
        value = frame[column].astype(object).where(frame[column].notna(), "").astype(str)
        value = value.str.strip().str.upper()
        keys = keys.where(value == "", label + ":" + value)
    return keys


def _review(
    frame: pd.DataFrame,
    confirmed: list[bool],
    kind: str,
    decisions: dict[str, tuple[str, str]],
) -> None:
    """Set ``review_item`` on every match and, on those no rule confirmed, ``review``
    (pending, accepted or rejected, by the decisions in force) and ``review_note``; an
    accepted candidate is confirmed."""
    items = [
        screening_item(kind, str(key), record)
        for key, record in zip(frame["org_key"], _record_keys(frame), strict=True)
    ]
    review: list[str | None] = []
    notes: list[str | None] = []
    final: list[bool] = []
    for item, ok in zip(items, confirmed, strict=True):
        decision, note = decisions.get(item, ("", None))
        if ok:
            review.append(None)
        else:
            review.append({"accept": "accepted", "reject": "rejected"}.get(decision, "pending"))
        notes.append(None if ok else note)
        final.append(ok or decision == "accept")
    frame["review_item"] = items
    frame["review"] = review
    frame["review_note"] = notes
    frame["confirmed"] = final


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
    if match == "affiliate":
        if row.via == "parent":  # type: ignore[attr-defined]
            why = f"owned (through parent links) by {row.affiliate_of}, which matches the listed party"  # type: ignore[attr-defined]
        else:
            why = f"its name begins with the listed name {row.listed_name}"  # type: ignore[attr-defined]
        return False, (
            f"possible affiliate: {why} (Section 889 covers a listed company's subsidiaries and "
            "affiliates): review"
        )
    if row.via == "related":  # type: ignore[attr-defined]
        return False, (
            "the name is in the record's Cross-Reference (an a.k.a. or an affiliate of the "
            "listed party): review"
        )
    if uei is False:
        return False, "same name but different UEIs: probably another entity"
    if match == "name" and row.spelled_as_other:  # type: ignore[attr-defined]
        return False, (
            "the listed name is spelled exactly as another organization of the network: "
            "probably that one"
        )
    if cage is False:
        return False, "same name but different CAGE codes: check which entity this is"
    if classification not in ENTITY_CLASSIFICATIONS:
        return (
            False,
            f"the listed party is a{'n' if classification[:1] in 'aeiou' else ''} {classification}: a name alone does not identify it",
        )
    how = "same normalized name" if match == "name" else "a known alias of the organization"
    words: list[str] = row.distinctive  # type: ignore[attr-defined]
    if len(words) >= 2:
        return True, how
    if row.legal_agree:  # type: ignore[attr-defined]
        return True, f"{how}, and the full legal names agree"
    kept = f"only one distinctive word ('{words[0]}')" if words else "no distinctive word"
    return False, (
        f"{kept} is left once legal forms and generic words are taken off, and the full "
        f"legal names differ ('{row.matched_name}' is not '{row.org_name}' or another name of "  # type: ignore[attr-defined]
        "the organization): a name this short does not identify it; review"
    )
