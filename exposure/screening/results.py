"""Stored screening results: what is kept of a screening, the Screening sheet, match files.

A :class:`~exposure.screening.matching.ScreeningResult` (from :func:`exposure.screening.matching.screen`) is
stored by :func:`store_screening`: the latest results of each list kind (SAM exclusions,
FASCSA orders) replace the earlier ones in ``res_screening``, with the list file's name and
SHA-256 and the data version screened; one row per screening in ``res_screening_runs`` (the
tables and their SQL are the warehouse's: :mod:`exposure.warehouse.screening_store`).
:func:`screening_frame` and :func:`screening_runs` read them back, and :func:`screening_sheet`
makes them the assessment's Screening sheet (with notes saying what was screened, when, and
whether the data changed since).

:func:`designate_confirmed` designates, in a stored scenario, the organizations with a
confirmed match in force; :func:`write_matches` writes the matches as JSON or CSV.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from exposure.core.errors import ExposureError
from exposure.screening.matching import MATCH_COLUMNS, ScreeningResult
from exposure.warehouse.report_facts import organization_names
from exposure.warehouse.screening_store import (
    read_screening,
    read_screening_runs,
    replace_screening,
)

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "SHEET_COLUMNS",
    "designate_confirmed",
    "screening_frame",
    "screening_runs",
    "screening_sheet",
    "store_screening",
    "write_matches",
]

logger = logging.getLogger(__name__)

# What is stored of each match: the match, and when and on what data it was screened (the
# columns of the warehouse's res_screening, SCREENING_TYPES; a test checks they agree).
_STORED = (*MATCH_COLUMNS, "as_of", "data_version", "screened_at")


def store_screening(con: duckdb.DuckDBPyConnection, result: ScreeningResult) -> None:
    """Replace the stored results of this list kind with ``result`` (one transaction)."""
    screened_at = datetime.now(UTC).replace(tzinfo=None)
    frame = result.matches.copy()
    frame["as_of"] = result.as_of
    frame["data_version"] = result.data_version
    frame["screened_at"] = screened_at
    replace_screening(
        con,
        frame[list(_STORED)],
        {
            "list_type": result.listed.kind,
            "list_file": result.listed.file,
            "list_sha256": result.listed.sha256,
            "layout": result.listed.layout,
            "records": len(result.listed.records),
            "organizations": result.organizations,
            "matches": len(result.matches),
            "confirmed": len(result.confirmed),
            "confirmed_active": len(result.to_designate),
            "fuzzy_threshold": result.fuzzy_threshold,
            "as_of": result.as_of,
            "data_version": result.data_version,
            "screened_at": screened_at,
        },
    )
    logger.info(
        "stored %d screening matches of %s (%s), replacing the earlier ones of that kind",
        len(frame),
        result.listed.file,
        result.listed.kind,
    )


def screening_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The stored screening results (latest per list kind), for reports: confirmed first.

    Columns: :data:`MATCH_COLUMNS` plus ``as_of``, ``data_version`` and ``screened_at``; empty
    (with those columns) when nothing was screened.
    """
    return read_screening(con)


def screening_runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest screening of each list kind (one row each, as ``res_screening_runs``
    holds them); empty when nothing was screened."""
    return read_screening_runs(con)


# The Screening sheet's columns, in order (org_id joins back to the graph; not shown).
SHEET_COLUMNS = [
    *(column for column in MATCH_COLUMNS if column not in ("org_id", "list_sha256")),
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
        names = organization_names(con, wanted)
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
    canonical names designated. A designation that rests only on one accepted review
    candidate is stored with that candidate's id, so that undoing or rejecting it withdraws
    the designation (:func:`exposure.warehouse.scenarios.withdraw_designations`); one that a
    rule confirmed, or several candidates, is stored as by hand.

    Raises:
        ExposureError: no confirmed active match to designate.
    """
    from exposure.warehouse.scenarios import designate

    confirmed = result.to_designate
    via: dict[object, str | None] = {}
    for org_id, rows in confirmed.groupby("org_id", sort=False):
        items = set(rows.loc[rows["review"] == "accepted", "review_item"])
        by_rule = rows["review"].isna().any()
        via[org_id] = str(items.pop()) if len(items) == 1 and not by_rule else None
    chosen = confirmed.drop_duplicates("org_id")
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
    logger.info("designating %d confirmed matches in scenario '%s'", len(names), scenario)
    logger.debug("designated by identifier or name: %s", ", ".join(names))
    return designate(con, scenario, names, via=[via[org] for org in chosen["org_id"]])


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
        from exposure.core.cells import safe_cell

        frame.map(safe_cell).to_csv(out, index=False)
    elif suffix == ".json":
        frame["as_of"] = result.as_of.isoformat()
        matches = json.loads(frame.to_json(orient="records"))
        out.write_text(json.dumps(matches, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        raise ExposureError(f"--out must end in .json or .csv, not {out.name}")
