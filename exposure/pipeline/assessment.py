"""One function strings the steps together: warehouse -> graph -> engine -> results.

The CLI and the dashboard both call :func:`run_assessment`; neither reaches into another
layer's tables.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import duckdb

from exposure.model.engine import DESIGNATED, NONCOMPLIANT, assess
from exposure.model.impact import model_impact
from exposure.model.run import AssessmentRun
from exposure.model.scenario import ScenarioSpec
from exposure.warehouse.graph_store import load_graph
from exposure.warehouse.results import store_results
from exposure.warehouse.scenarios import build_scenario

if TYPE_CHECKING:
    from exposure.report.tables import AssessmentTables

__all__ = ["assess_scenario", "run_assessment"]

logger = logging.getLogger(__name__)


def run_assessment(
    con: duckdb.DuckDBPyConnection, spec: ScenarioSpec, *, cache_key: str | None = None
) -> AssessmentRun:
    """Resolve the spec's names, build (or reuse) the graph, run reach, contagion and impact.

    Impact comes from the spec's ``model`` (the project's cascade unless another is asked for).
    """
    scenario, notes = build_scenario(con, spec)
    graph = load_graph(con, cache_key=cache_key)
    result = assess(graph, scenario)
    sources = (result.status == DESIGNATED) | (result.status == NONCOMPLIANT)
    impact = model_impact(graph, sources, result.exposed_edges, spec.model)
    for org in result.ignored_noncompliant:
        notes.append(
            f"{graph.names[org]}: named non-compliant but has no tie to cut with a designated "
            "organization, so it changes nothing"
        )
    return AssessmentRun(spec, scenario, graph, result, impact, notes)


def assess_scenario(
    con: duckdb.DuckDBPyConnection,
    spec: ScenarioSpec,
    *,
    cache_key: str | None = None,
    for_org: int | None = None,
    identified: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[AssessmentRun, AssessmentTables]:
    """The whole assessment of a scenario: run it, keep its results, build its tables.

    What ``exposure assess`` does before writing a report (see :mod:`exposure.report.tables`).
    """
    from exposure.report.tables import build_tables

    step = progress or (lambda _label, _done, _total: None)
    step("assessing", 0, 3)
    run = run_assessment(con, spec, cache_key=cache_key)
    step("storing results", 1, 3)
    store_results(con, run)
    step("building the tables", 2, 3)
    tables = build_tables(con, run, for_org=for_org, identified=identified)
    step("done", 3, 3)
    return run, tables
