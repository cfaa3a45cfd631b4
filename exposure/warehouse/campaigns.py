"""Attestation campaigns: what was asked of which supplier, and what each answered.

Tables (created on first use):

* ``campaigns``: one row per campaign (name, the organization it is run for, designated
  vendors, due date, status);
* ``campaign_suppliers``: one row per supplier asked, with its response id;
* ``campaign_answers``: one row per returned file per supplier (a later file supersedes an
  earlier, which is kept with ``superseded`` true), with its provenance.
"""

from __future__ import annotations

import logging

import duckdb

from exposure.core.sql import table_exists

__all__ = ["answer_counts"]

logger = logging.getLogger(__name__)


def answer_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(suppliers who answered "yes", suppliers who answered yes or no), current answers only."""
    if not table_exists(con, "campaign_answers"):
        return 0, 0
    row = con.execute(
        "SELECT count(*) FILTER (WHERE answer = 'yes'), "
        "count(*) FILTER (WHERE answer IN ('yes', 'no')) "
        "FROM campaign_answers WHERE NOT superseded"
    ).fetchall()[0]  # fetched to the end: DuckDB keeps a result open until then
    return (int(row[0]), int(row[1])) if row else (0, 0)
