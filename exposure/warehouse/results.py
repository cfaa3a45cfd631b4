"""Stored runs: ``res_runs`` and ``res_orgs``, the exposed organizations of each scenario run."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from exposure.model.run import AssessmentRun, organizations_frame
from exposure.warehouse.transactions import abort

__all__ = ["store_results"]


_RESULTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS res_runs (
    run_id INTEGER, scenario VARCHAR, data_version VARCHAR, parameters VARCHAR, run_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS res_orgs (
    run_id INTEGER, scenario VARCHAR, data_version VARCHAR, org_id INTEGER, name VARCHAR,
    kind VARCHAR, status VARCHAR, tier INTEGER, impact DOUBLE, value_at_risk_usd DOUBLE,
    late BOOLEAN, obliged BOOLEAN, shortest_path VARCHAR[]
);
"""


def store_results(con: duckdb.DuckDBPyConnection, run: AssessmentRun) -> int:
    """Keep a run in ``res_runs`` and ``res_orgs`` (exposed organizations); return its id.

    An earlier run of the same scenario on the same data version is replaced.
    """
    con.execute(_RESULTS_SCHEMA)
    frame = organizations_frame(run)
    frame = frame[frame["exposed"]].copy()
    frame["shortest_path"] = [run.chain_names(int(i)) for i in frame["org_id"]]
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
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM res_orgs WHERE run_id IN (SELECT run_id FROM res_runs WHERE scenario = ? "
            "AND data_version = ?)",
            [scenario.name, run.data_version],
        )
        con.execute(
            "DELETE FROM res_runs WHERE scenario = ? AND data_version = ?",
            [scenario.name, run.data_version],
        )
        rows = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM res_runs").fetchall()
        run_id = int(rows[0][0])
        con.execute(
            "INSERT INTO res_runs VALUES (?, ?, ?, ?, ?)",
            [
                run_id,
                scenario.name,
                run.data_version,
                parameters,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        frame.insert(0, "data_version", run.data_version)
        frame.insert(0, "scenario", scenario.name)
        frame.insert(0, "run_id", run_id)
        frame["tier"] = frame["tier"].astype("Int64")
        con.register("_res_frame", frame.drop(columns=["exposed"]))
        con.execute(
            "INSERT INTO res_orgs SELECT run_id, scenario, data_version, org_id, name, kind, status, "
            "tier, impact, value_at_risk_usd, late, obliged, shortest_path FROM _res_frame"
        )
        con.unregister("_res_frame")
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the results")
        raise
    return run_id
