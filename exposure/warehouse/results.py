"""Stored runs: ``res_runs``, one row per scenario assessed on a data version.

Each row keeps the scenario's parameters and its headline figures
(:func:`exposure.model.headline.headline`), so ``exposure status`` can list what was assessed,
when, on which data, and with what result, and say which runs the data has moved past. The
per-organization results are not stored: they are recomputed in about the engine's time, and
at national scale a copy per run would cost more than it serves.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import duckdb

from exposure.core.sql import is_read_only, table_exists
from exposure.model.headline import headline
from exposure.model.run import AssessmentRun
from exposure.warehouse.transactions import abort

__all__ = ["store_results", "stored_runs"]

logger = logging.getLogger(__name__)


_RESULTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS res_runs (
    run_id INTEGER, scenario VARCHAR, data_version VARCHAR, parameters VARCHAR, run_at TIMESTAMP
);
ALTER TABLE res_runs ADD COLUMN IF NOT EXISTS headline VARCHAR;
-- Earlier releases also copied every exposed organization of each run; nothing read it.
DROP TABLE IF EXISTS res_orgs;
"""


def store_results(con: duckdb.DuckDBPyConnection, run: AssessmentRun) -> int | None:
    """Keep a run in ``res_runs`` (parameters and headline figures); return its id.

    An earlier run of the same scenario on the same data version is replaced. A read-only
    connection keeps nothing and gets None: an assessment there writes nothing.
    """
    if is_read_only(con):
        logger.debug("read-only connection: the run of %s is not stored", run.scenario.name)
        return None
    con.execute(_RESULTS_SCHEMA)
    scenario = run.scenario
    parameters = json.dumps(
        {
            "designated": [str(run.graph.names[i]) for i in scenario.designated],
            "noncompliant": [str(run.graph.names[i]) for i in scenario.noncompliant],
            "scope": scenario.scope,
            "effective": scenario.effective.isoformat(),
            "transition_days": scenario.transition_days,
            "model": run.spec.model,
        }
    )
    figures = json.dumps(headline(run).as_dict())
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM res_runs WHERE scenario = ? AND data_version = ?",
            [scenario.name, run.data_version],
        )
        rows = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM res_runs").fetchall()
        run_id = int(rows[0][0])
        con.execute(
            "INSERT INTO res_runs (run_id, scenario, data_version, parameters, run_at, headline) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                run_id,
                scenario.name,
                run.data_version,
                parameters,
                datetime.now(UTC).replace(tzinfo=None),
                figures,
            ],
        )
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the results")
        raise
    return run_id


def stored_runs(con: duckdb.DuckDBPyConnection, current_version: str) -> list[dict[str, object]]:
    """The stored runs, newest first: scenario, data version, when, whether the data has
    changed since (``current``), and the headline figures kept with it."""
    if not table_exists(con, "res_runs"):
        return []
    has_headline = bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'res_runs' AND column_name = 'headline'"
        ).fetchall()[0][0]
    )
    select = "headline" if has_headline else "NULL"
    runs = []
    for scenario, version, run_at, figures in con.execute(
        f"SELECT scenario, data_version, run_at, {select} FROM res_runs "
        "ORDER BY run_at DESC, run_id DESC"
    ).fetchall():
        runs.append(
            {
                "scenario": scenario,
                "data_version": version,
                "run_at": run_at,
                "current": version == current_version,
                "headline": json.loads(figures) if figures else {},
            }
        )
    return runs
