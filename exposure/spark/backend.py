"""The Spark backend's entry points: a Graph in and an Assessment out, or Parquet to Parquet.

* :func:`assess` is a drop-in for :func:`exposure.engine.assess`: the graph is written as a
  model folder, the search runs on Spark, the results come back as the same
  :class:`~exposure.engine.Assessment` (so impact, tables, workbook and JSON run unchanged).
* :func:`assess_model` runs a scenario on a model folder (or any Parquet in its layout) and
  writes the results folder, without ever holding the network on the driver: what a cluster
  job runs (``exposure assess --engine spark --orgs ... --edges ... --results DIR``, or
  ``spark-submit -m exposure.spark ...``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from exposure.model.engine import STATUS, Assessment, Scenario
from exposure.model.graph import Graph
from exposure.spark.parquet_io import (
    RESULTS_FORMAT,
    read_assessment,
    read_model_meta,
    scenario_meta,
    write_graph,
)
from exposure.spark.reach import Reach, prepare, run_reach
from exposure.spark.session import spark_session

__all__ = ["RunSummary", "assess", "assess_model", "resolve_names", "write_results"]


@dataclass(frozen=True)
class RunSummary:
    """What a run on a model folder found, for printing: counts, levels, seconds."""

    folder: Path
    organizations: int
    edges: int
    exposed_organizations: int
    exposed_edges: int
    levels: int
    seconds: float
    meta: dict[str, Any]


def write_results(
    reach: Reach,
    folder: Path,
    *,
    scenario: Scenario,
    organizations: int,
    edges: int,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A :class:`~exposure.spark.reach.Reach` as a results folder (see parquet_io)."""
    folder.mkdir(parents=True, exist_ok=True)
    status_names = F.array(*(F.lit(s) for s in STATUS))
    reach.organizations.select(
        F.col("org").alias("org_id"),
        F.element_at(status_names, F.col("status").cast("int") + 1).alias("status"),
        F.col("status").alias("status_code"),
        "tier",
        F.col("via").alias("via_edge"),
        "value_at_risk_usd",
        "late",
        "obliged",
    ).write.mode("overwrite").parquet(str(folder / "organizations"))
    reach.edges.select(
        "edge", "edge_id", "tier", F.col("via").alias("via_edge"), "late"
    ).write.mode("overwrite").parquet(str(folder / "edges"))
    exposed_orgs = reach.organizations.where("status > 0").count()
    meta: dict[str, Any] = {
        "format": RESULTS_FORMAT,
        "scenario": scenario_meta(scenario),
        "organizations": organizations,
        "edges": edges,
        "exposed_organizations": exposed_orgs,
        "exposed_edges": reach.edges.count(),
        "ignored_noncompliant": list(reach.ignored_noncompliant),
        "levels": [
            {"level": s.level, "frontier_groups": s.groups, "seconds": round(s.seconds, 3)}
            for s in reach.levels
        ],
        "seconds": round(reach.seconds, 3),
        **(extra or {}),
    }
    (folder / "assessment.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def _read_model(spark: SparkSession, model: Path) -> tuple[DataFrame, DataFrame]:
    return (
        spark.read.parquet(str(model / "orgs.parquet")),
        spark.read.parquet(str(model / "edges.parquet")),
    )


def assess_model(
    model: Path | None,
    scenario: Scenario,
    results: Path,
    *,
    spark: SparkSession | None = None,
    orgs: Path | None = None,
    edges: Path | None = None,
    checkpoint_every: int = 4,
    extra: dict[str, Any] | None = None,
) -> RunSummary:
    """Run ``scenario`` on the model folder ``model`` (or on ``orgs`` and ``edges`` Parquet
    paths), writing the results folder ``results``."""
    spark = spark or spark_session()
    started = time.perf_counter()
    if model is None and (orgs is None or edges is None):
        raise ValueError("give a model folder, or both the orgs and the edges Parquet")
    if orgs is not None and edges is not None:
        orgs_df, edges_df = spark.read.parquet(str(orgs)), spark.read.parquet(str(edges))
        model_meta = read_model_meta(Path(edges).parent)
    elif model is not None:
        orgs_df, edges_df = _read_model(spark, model)
        model_meta = read_model_meta(model)
    prepared = prepare(orgs_df, edges_df)
    reach = run_reach(
        spark,
        prepared,
        designated=scenario.designated,
        noncompliant=scenario.noncompliant,
        scope=scenario.scope,
        transition_days=scenario.transition_days,
        checkpoint_every=checkpoint_every,
    )
    n_orgs = int(model_meta.get("organizations", -1))
    n_edges = int(model_meta.get("edges", -1))
    if n_orgs < 0 or n_edges < 0:
        n_orgs, n_edges = orgs_df.count(), edges_df.count()
    meta = write_results(
        reach,
        results,
        scenario=scenario,
        organizations=n_orgs,
        edges=n_edges,
        extra={"data_version": model_meta.get("data_version"), **(extra or {})},
    )
    prepared.edges.unpersist()
    prepared.groups.unpersist()
    return RunSummary(
        folder=results,
        organizations=n_orgs,
        edges=n_edges,
        exposed_organizations=int(meta["exposed_organizations"]),
        exposed_edges=int(meta["exposed_edges"]),
        levels=len(reach.levels),
        seconds=time.perf_counter() - started,
        meta=meta,
    )


def assess(
    graph: Graph,
    scenario: Scenario,
    *,
    spark: SparkSession | None = None,
    workdir: Path | None = None,
    checkpoint_every: int = 4,
) -> Assessment:
    """:func:`exposure.engine.assess` on Spark: the same :class:`Assessment`, array for array.

    The graph goes to Spark as a model folder and the results come back as a results folder,
    both under ``workdir`` (a temporary folder, removed after, when not given).
    """
    own = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="exposure-spark-run-")) if workdir is None else workdir
    try:
        write_graph(graph, folder / "model")
        assess_model(
            folder / "model",
            scenario,
            folder / "results",
            spark=spark,
            checkpoint_every=checkpoint_every,
        )
        return read_assessment(folder / "results", graph, scenario)
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def resolve_names(orgs: DataFrame, names: tuple[str, ...]) -> tuple[int, ...]:
    """Organization ids for names, matched against ``orgs.name``: exactly, else ignoring case
    and white space. Only the matching rows reach the driver.

    Raises:
        LookupError: a name matches no organization, or several.
    """
    if not names:
        return ()

    def folded(column: Any) -> Any:
        return F.lower(F.trim(F.regexp_replace(column, r"\s+", " ")))

    wanted = [" ".join(n.split()).lower() for n in names]
    rows = (
        orgs.where(folded(F.col("name")).isin(wanted))
        .select(F.col("org_id").cast("long"), "name")
        .collect()
    )
    ids = []
    for name, key in zip(names, wanted, strict=True):
        exact = [int(r.org_id) for r in rows if r.name == name]
        loose = [int(r.org_id) for r in rows if " ".join(str(r.name).split()).lower() == key]
        found = exact or loose
        if len(found) != 1:
            what = "no organization" if not found else f"{len(found)} organizations"
            raise LookupError(f"'{name}' matches {what} in the organizations Parquet")
        ids.append(found[0])
    return tuple(ids)
