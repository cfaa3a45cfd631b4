"""Stored screening results: the ``res_screening`` tables, the Screening sheet, match files.

A :class:`~exposure.screening.matching.ScreeningResult` (from :func:`exposure.screening.matching.screen`) is
stored by :func:`store_screening`: the latest results of each list kind (SAM exclusions,
FASCSA orders) replace the earlier ones in ``res_screening``, with the list file's name and
SHA-256 and the data version screened; one row per screening in ``res_screening_runs``.
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

import duckdb
import pandas as pd
import pyarrow as pa

from exposure.core.errors import ExposureError
from exposure.core.sql import table_exists
from exposure.screening.matching import MATCH_COLUMNS, ScreeningResult
from exposure.warehouse.transactions import abort

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
    screened_at = datetime.now(UTC).replace(tzinfo=None)
    frame = result.matches.copy()
    frame["as_of"] = result.as_of
    frame["data_version"] = result.data_version
    frame["screened_at"] = screened_at
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
                screened_at,
            ],
        )
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the screening results")
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
    from exposure.warehouse.scenarios import designate

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
        from exposure.core.cells import safe_cell

        frame.map(safe_cell).to_csv(out, index=False)
    elif suffix == ".json":
        frame["as_of"] = result.as_of.isoformat()
        matches = json.loads(frame.to_json(orient="records"))
        out.write_text(json.dumps(matches, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        raise ExposureError(f"--out must end in .json or .csv, not {out.name}")
