"""What the command line's Spark commands call, one function each.

* ``exposure export --parquet DIR``: :func:`export_parquet`;
* ``exposure assess --engine spark --orgs O --edges E --results DIR``: :func:`assess_parquet`
  (no warehouse: names are matched against the organizations Parquet);
* ``exposure report --from DIR --out FILE``: :func:`report_from` (the warehouse the model was
  exported from supplies the graph and the workbook's tables).

``exposure assess --engine spark`` on a loaded database needs none of these: the pipeline
runs :func:`exposure.spark.assess` in place of the NumPy engine.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from exposure.core.errors import ExposureError
from exposure.model.engine import DESIGNATED, NONCOMPLIANT, Scenario
from exposure.model.run import AssessmentRun
from exposure.spark.parquet_io import (
    export_model,
    read_assessment,
    read_results_meta,
    scenario_from_meta,
)
from exposure.warehouse.graph_store import load_graph

__all__ = ["assess_parquet", "export_parquet", "report_from", "run_from_results"]


def export_parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, Any]:
    """The warehouse's model as a model folder (``orgs.parquet``, ``edges.parquet``)."""
    return export_model(con, folder)


def assess_parquet(
    *,
    orgs: Path,
    edges: Path,
    results: Path,
    designated: tuple[str, ...],
    noncompliant: tuple[str, ...] = (),
    scope: str = "all",
    effective: date | None = None,
    transition_days: int | None = None,
    model: str | None = None,
    name: str = "ad-hoc",
) -> Any:
    """A scenario on Parquet, results to ``results`` (a :class:`RunSummary` back).

    Raises:
        ExposureError: no designated name, or a name that matches no organization or several.
    """
    from exposure.spark.backend import assess_model, resolve_names
    from exposure.spark.session import spark_session

    if not designated:
        raise ExposureError("name the designated organizations with --designate")
    spark = spark_session()
    orgs_frame = spark.read.parquet(str(orgs))
    try:
        designated_ids = resolve_names(orgs_frame, designated)
        noncompliant_ids = resolve_names(orgs_frame, noncompliant)
    except LookupError as exc:
        raise ExposureError(str(exc)) from exc
    scenario = Scenario(
        designated=designated_ids,
        noncompliant=noncompliant_ids,
        scope=scope,  # type: ignore[arg-type]
        effective=effective or date(2026, 2, 27),
        transition_days=180 if transition_days is None else transition_days,
        name=name,
    )
    spec = {
        "designated": list(designated),
        "noncompliant": list(noncompliant),
        "model": model or "cascade",
        "source": "command line",
    }
    return assess_model(
        None, scenario, results, spark=spark, orgs=orgs, edges=edges, extra={"spec": spec}
    )


def run_from_results(con: duckdb.DuckDBPyConnection, folder: Path) -> AssessmentRun:
    """A Spark results folder as the :class:`AssessmentRun` the pipeline would have made.

    The graph comes from the warehouse (it must be the data version the model was exported
    from); impact is computed here, with the model the run recorded.

    Raises:
        ExposureError: no results in the folder, or results of another data version.
    """
    from exposure.model.impact import model_impact
    from exposure.model.scenario import ScenarioSpec

    try:
        meta = read_results_meta(folder)
    except (FileNotFoundError, ValueError) as exc:
        raise ExposureError(str(exc)) from exc
    graph = load_graph(con)
    version = meta.get("data_version")
    if version and version != graph.data_version:
        raise ExposureError(
            f"{folder} holds results for data version {version}, but the database holds "
            f"{graph.data_version}: export the model again and rerun the assessment"
        )
    scenario = scenario_from_meta(meta["scenario"])
    try:
        result = read_assessment(folder, graph, scenario)
    except ValueError as exc:
        raise ExposureError(str(exc)) from exc
    stated = meta.get("spec") or {}
    spec = ScenarioSpec(
        name=scenario.name,
        designated=tuple(
            stated.get("designated") or [str(graph.names[i]) for i in scenario.designated]
        ),
        noncompliant=tuple(
            stated.get("noncompliant") or [str(graph.names[i]) for i in scenario.noncompliant]
        ),
        scope=scenario.scope,
        effective=scenario.effective,
        transition_days=scenario.transition_days,
        source=str(stated.get("source") or f"Spark results in {folder}"),
        model=stated.get("model") or "cascade",
    )
    sources = (result.status == DESIGNATED) | (result.status == NONCOMPLIANT)
    impact = np.asarray(
        model_impact(graph, sources, result.exposed_edges, spec.model), dtype=np.float64
    )
    notes = [
        f"{graph.names[org]}: named non-compliant but has no tie to cut with a designated "
        "organization, so it changes nothing"
        for org in result.ignored_noncompliant
    ]
    return AssessmentRun(spec, scenario, graph, result, impact, notes)


def report_from(
    con: duckdb.DuckDBPyConnection, folder: Path, out: Path, *, for_org: int | None = None
) -> AssessmentRun:
    """Write the workbook, CSV or JSON of a Spark results folder; the run back."""
    from exposure.pipeline.assessment import build_report, write_report

    run = run_from_results(con, folder)
    write_report(run, build_report(con, run, for_org=for_org), out)
    return run
