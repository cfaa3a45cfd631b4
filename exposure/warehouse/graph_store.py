"""The warehouse's network as a :class:`~exposure.model.graph.Graph`, built once per data version.

A built graph is kept in memory (with a ``cache_key``) and on disk beside its database
(:mod:`exposure.warehouse.graph_files`), so that a second command on unchanged data reads it
instead of building it again.

>>> from exposure.warehouse.database import connect
>>> graph = load_graph(connect(":memory:"))
>>> graph.n_orgs, graph.n_edges
(0, 0)
"""

from __future__ import annotations

import logging
import threading

import duckdb
import numpy as np

from exposure.core.sql import scalar, sql_literal
from exposure.model.choices import CONFIDENCE
from exposure.model.facts import FACT_FIELDS, vocabulary
from exposure.model.graph import Graph, build_graph
from exposure.warehouse.graph_files import read_graph, write_graph

__all__ = ["load_graph"]

logger = logging.getLogger(__name__)


def _fact_code_sql(field: str, present: bool) -> str:
    """SQL coding a deployment fact as its position in the vocabulary (-1 blank).

    ``present`` is False for an edges table built before edges carried the fact.
    """
    if not present:
        return f"-1::TINYINT AS {field}"
    values = ", ".join(sql_literal(value) for value in vocabulary(field))  # type: ignore[arg-type]
    return f"(coalesce(list_position([{values}], e.{field}), 0) - 1)::TINYINT AS {field}"


_EDGES_SQL = """
WITH vocabulary AS (
    SELECT text, (row_number() OVER (ORDER BY text)) - 1 AS code
    FROM (SELECT lower(product) AS text FROM edges UNION SELECT lower(used_in) FROM edges)
    WHERE text IS NOT NULL
)
SELECT e.edge_id, e.supplier_id, e.buyer_id,
       coalesce(p.code, -1) AS product, coalesce(u.code, -1) AS used_in,
       coalesce(e.annual_value_usd, 'NaN'::DOUBLE) AS value,
       coalesce(e.essential, false) AS essential,
       coalesce(e.alternatives::DOUBLE, 'NaN'::DOUBLE) AS alternatives,
       -- An agency does not replace its prime contract over a designated input: the prime
       -- removes it from what it delivers, and its own inputs carry the plan and the lateness.
       CASE WHEN e.relation = 'prime_contract'
                 OR e.buyer_id IN (SELECT org_id FROM orgs WHERE kind = 'agency')
            THEN 'NaN'::DOUBLE
            ELSE coalesce(e.replacement_months, 'NaN'::DOUBLE) END AS replacement_months,
       coalesce(e.dod_use, false) AS dod_use,
       {facts},
       coalesce(list_position({levels}, e.confidence) - 1, 0)::TINYINT AS confidence
FROM edges e
LEFT JOIN vocabulary p ON p.text = lower(e.product)
LEFT JOIN vocabulary u ON u.text = lower(e.used_in)
""".replace("{levels}", "[" + ", ".join(f"'{level}'" for level in CONFIDENCE) + "]")


_cache: dict[tuple[str, str], Graph] = {}


_cache_lock = threading.Lock()


def load_graph(con: duckdb.DuckDBPyConnection, *, cache_key: str | None = None) -> Graph:
    """Build the :class:`Graph` of the warehouse's ``orgs`` and ``edges``.

    With ``cache_key`` (the database path, say), the graph is kept in memory per data version
    and reused until the data changes. A graph stored beside the database for the current data
    version is read instead of built; a graph built on a writable file database is stored.
    """
    version = str(scalar(con, "SELECT value FROM meta WHERE key = 'data_version'") or "empty")
    if cache_key is not None:
        with _cache_lock:
            cached = _cache.get((cache_key, version))
        if cached is not None:
            return cached
    graph = read_graph(con, version)
    if graph is None:
        graph = _build(con, version)
        write_graph(con, graph)
    if cache_key is not None:
        with _cache_lock:
            for stale in [key for key in _cache if key[0] == cache_key]:
                del _cache[stale]  # one data version per database is enough to keep
            _cache[(cache_key, version)] = graph
    return graph


def _build(con: duckdb.DuckDBPyConnection, version: str) -> Graph:
    """Build the graph from the tables."""
    orgs = con.execute(
        "SELECT org_id, name, kind, coalesce(parent_id, -1) FROM orgs ORDER BY org_id"
    ).fetchnumpy()
    n_orgs = len(orgs["org_id"])
    if n_orgs and not np.array_equal(orgs["org_id"], np.arange(n_orgs)):
        raise ValueError("orgs.org_id must be dense from 0")
    products = np.array(
        [
            row[0]
            for row in con.execute(
                "SELECT text FROM (SELECT lower(product) AS text FROM edges UNION "
                "SELECT lower(used_in) FROM edges) WHERE text IS NOT NULL ORDER BY text"
            ).fetchall()
        ],
        dtype=object,
    )
    present = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'edges'"
        ).fetchall()
    }
    facts = ",\n       ".join(_fact_code_sql(field, field in present) for field in FACT_FIELDS)
    columns = con.execute(_EDGES_SQL.format(facts=facts)).fetchnumpy()
    graph = build_graph(
        names=np.asarray(orgs["name"], dtype=object),
        kinds=np.asarray(orgs["kind"], dtype=object),
        parent=np.asarray(orgs[list(orgs)[3]], dtype=np.int64),
        products=products,
        supplier=np.asarray(columns["supplier_id"], dtype=np.int64),
        buyer=np.asarray(columns["buyer_id"], dtype=np.int64),
        product=np.asarray(columns["product"], dtype=np.int64),
        used_in=np.asarray(columns["used_in"], dtype=np.int64),
        edge_id=np.asarray(columns["edge_id"], dtype=np.int64),
        value=np.asarray(columns["value"], dtype=np.float64),
        essential=np.asarray(columns["essential"], dtype=bool),
        alternatives=np.asarray(columns["alternatives"], dtype=np.float64),
        replacement_months=np.asarray(columns["replacement_months"], dtype=np.float64),
        dod_use=np.asarray(columns["dod_use"], dtype=bool),
        **{field: np.asarray(columns[field], dtype=np.int8) for field in FACT_FIELDS},
        confidence=np.asarray(columns["confidence"], dtype=np.int8),
        data_version=version,
    )
    logger.info("graph: %d organizations, %d edges", graph.n_orgs, graph.n_edges)
    return graph
