"""The model and the Spark backend's results as Parquet, and back to an Assessment.

A model folder (``exposure export --parquet DIR``, or :func:`write_graph`) holds:

* ``orgs.parquet``: one row per organization, ``org_id`` dense from 0, ``name``, ``kind``,
  ``parent_id`` (null: no parent) and, from a warehouse, its other columns;
* ``edges.parquet``: one row per edge (supplier -> buyer): ``edge`` (the edge's index in the
  graph's order, sorted by supplier then product), ``edge_id``, ``supplier_id``,
  ``buyer_id``, ``product_key`` and ``used_in_key`` (the match keys: lower case, trimmed,
  white space collapsed; null = blank), ``annual_value_usd``, ``essential``,
  ``alternatives``, ``replacement_months``, ``dod_use``, and from a warehouse every other
  column of ``edges`` (``product`` and ``used_in`` as written, contract, program, notes);
* ``model.json``: the data version and the counts.

A network built elsewhere needs only ``org_id``, ``parent_id``, ``edge_id``,
``supplier_id``, ``buyer_id``, ``product``, ``used_in`` (normalized by the backend) and the
attributes it has; without ``edge`` the backend orders the edges itself.

A results folder (:func:`write_results`) holds ``organizations`` (one row per organization
that is not clear or is obliged), ``edges`` (one row per exposed edge) and
``assessment.json`` (the scenario, the data version, the search's levels and timings).
:func:`read_assessment` turns it, with the graph of the same data version, into the
:class:`~exposure.engine.Assessment` the NumPy engine returns: same arrays, same dtypes.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from exposure.model.engine import Assessment, Scenario
from exposure.model.graph import Graph
from exposure.warehouse.export import export_model_tables
from exposure.warehouse.graph_store import load_graph

__all__ = [
    "RESULTS_FORMAT",
    "export_model",
    "read_assessment",
    "read_model_meta",
    "read_results_meta",
    "scenario_from_meta",
    "scenario_meta",
    "write_graph",
]

RESULTS_FORMAT = "exposure-spark-results/1"
MODEL_FORMAT = "exposure-model/1"


def _codes(codes: np.ndarray, vocabulary: np.ndarray) -> pa.Array:
    """Product codes (-1 blank) as a dictionary-encoded string column (null blank)."""
    mask = codes < 0
    indices = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask)
    dictionary = pa.array([str(v) for v in vocabulary] or [""], type=pa.string())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _nullable(values: np.ndarray) -> pa.Array:
    return pa.array(values, mask=np.isnan(values), type=pa.float64())


def write_graph(graph: Graph, folder: Path) -> Path:
    """A :class:`~exposure.graph.Graph` as a model folder (``edge`` = the graph's index)."""
    folder.mkdir(parents=True, exist_ok=True)
    parent = graph.parent
    orgs = pa.table(
        {
            "org_id": pa.array(np.arange(graph.n_orgs, dtype=np.int64)),
            "name": pa.array([str(n) for n in graph.names], type=pa.string()),
            "kind": pa.array([str(k) for k in graph.kinds], type=pa.string()),
            "parent_id": pa.array(parent, mask=parent < 0, type=pa.int64()),
        }
    )
    edges = pa.table(
        {
            "edge": pa.array(np.arange(graph.n_edges, dtype=np.int64)),
            "edge_id": pa.array(graph.edge_id, type=pa.int64()),
            "supplier_id": pa.array(graph.supplier, type=pa.int64()),
            "buyer_id": pa.array(graph.buyer, type=pa.int64()),
            "product_key": _codes(graph.product, graph.products),
            "used_in_key": _codes(graph.used_in, graph.products),
            "annual_value_usd": _nullable(graph.value),
            "essential": pa.array(graph.essential, type=pa.bool_()),
            "alternatives": _nullable(graph.alternatives),
            "replacement_months": _nullable(graph.replacement_months),
            "dod_use": pa.array(graph.dod_use, type=pa.bool_()),
        }
    )
    pq.write_table(orgs, folder / "orgs.parquet")
    pq.write_table(edges, folder / "edges.parquet")
    _write_model_meta(folder, graph)
    return folder


def _write_model_meta(folder: Path, graph: Graph) -> None:
    meta = {
        "format": MODEL_FORMAT,
        "data_version": graph.data_version,
        "organizations": graph.n_orgs,
        "edges": graph.n_edges,
    }
    (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def export_model(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, Any]:
    """The warehouse's model (``orgs``, ``edges`` with every attribute) as a model folder.

    Edges are written in the graph's order with their index ``edge``, so that a Spark run on
    the folder and the NumPy engine on the warehouse number edges alike.
    """
    folder.mkdir(parents=True, exist_ok=True)
    graph = load_graph(con)
    export_model_tables(con, folder, graph.edge_id)
    _write_model_meta(folder, graph)
    return {"folder": str(folder), "organizations": graph.n_orgs, "edges": graph.n_edges}


def read_model_meta(folder: Path) -> dict[str, Any]:
    """``model.json`` of a model folder, or {} when there is none (a network from elsewhere)."""
    path = folder / "model.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def scenario_meta(scenario: Scenario) -> dict[str, Any]:
    meta = asdict(scenario)
    meta["designated"] = list(scenario.designated)
    meta["noncompliant"] = list(scenario.noncompliant)
    meta["effective"] = scenario.effective.isoformat()
    return meta


def scenario_from_meta(meta: dict[str, Any]) -> Scenario:
    return Scenario(
        designated=tuple(int(i) for i in meta["designated"]),
        noncompliant=tuple(int(i) for i in meta["noncompliant"]),
        scope=meta["scope"],
        effective=date.fromisoformat(meta["effective"]),
        transition_days=int(meta["transition_days"]),
        name=str(meta["name"]),
    )


def read_results_meta(folder: Path) -> dict[str, Any]:
    path = folder / "assessment.json"
    if not path.exists():
        raise FileNotFoundError(f"{folder} holds no Spark results (no assessment.json)")
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if meta.get("format") != RESULTS_FORMAT:
        raise ValueError(f"{path}: not {RESULTS_FORMAT} results")
    return meta


def read_assessment(folder: Path, graph: Graph, scenario: Scenario | None = None) -> Assessment:
    """The results of a Spark run as the NumPy engine's :class:`Assessment`.

    ``graph`` must be the graph the run's model came from (same data version, same edge
    order); ``scenario`` defaults to the one the results record.
    """
    meta = read_results_meta(folder)
    if scenario is None:
        scenario = scenario_from_meta(meta["scenario"])
    n_orgs, n_edges = graph.n_orgs, graph.n_edges
    if (meta["organizations"], meta["edges"]) != (n_orgs, n_edges):
        raise ValueError(
            f"{folder}: results of a network of {meta['organizations']} organizations and "
            f"{meta['edges']} edges, not of this one ({n_orgs}, {n_edges})"
        )
    orgs = pq.read_table(folder / "organizations").to_pydict()
    org = np.asarray(orgs["org_id"], dtype=np.int64)
    status = np.zeros(n_orgs, dtype=np.int8)
    tier = np.full(n_orgs, -1, dtype=np.int64)
    org_via = np.full(n_orgs, -1, dtype=np.int64)
    value_at_risk = np.zeros(n_orgs, dtype=np.float64)
    late = np.zeros(n_orgs, dtype=bool)
    obliged = np.zeros(n_orgs, dtype=bool)
    status[org] = np.asarray(orgs["status_code"], dtype=np.int8)
    tier[org] = np.asarray(orgs["tier"], dtype=np.int64)
    org_via[org] = np.asarray(orgs["via_edge"], dtype=np.int64)
    value_at_risk[org] = np.asarray(orgs["value_at_risk_usd"], dtype=np.float64)
    late[org] = np.asarray(orgs["late"], dtype=bool)
    obliged[org] = np.asarray(orgs["obliged"], dtype=bool)

    edges = pq.read_table(folder / "edges", columns=["edge", "tier", "via_edge", "late"])
    edge = edges.column("edge").to_numpy().astype(np.int64)
    edge_tier = np.zeros(n_edges, dtype=np.int64)
    edge_late = np.zeros(n_edges, dtype=bool)
    edge_tier[edge] = edges.column("tier").to_numpy()
    edge_late[edge] = edges.column("late").to_numpy(zero_copy_only=False)
    # Every edge of a group was reached by the same edge: the NumPy engine keeps it per group.
    n_groups = len(graph.group_key)
    group_via = np.full(n_groups + 1 if n_edges else 1, -1, dtype=np.int64)
    group_via[graph.group_of_edge[edge]] = edges.column("via_edge").to_numpy()
    return Assessment(
        scenario=scenario,
        status=status,
        tier=tier,
        value_at_risk_usd=value_at_risk,
        late=late,
        obliged=obliged,
        org_via=org_via,
        edge_tier=edge_tier,
        edge_late=edge_late,
        group_via=group_via,
        group_of_edge=graph.group_of_edge,
        ignored_noncompliant=tuple(int(i) for i in meta["ignored_noncompliant"]),
    )
