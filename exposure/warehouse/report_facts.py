"""What the report reads from the model, as frames: the report itself runs no SQL.

The engine's arrays carry reach, tiers and values; the report also needs what only the
warehouse holds, each read here by one query whatever the network's size:

* :func:`edge_attributes_for`: relations, products as written, contracts, programs,
  criticality and notes of any set of edges (with :func:`exposure.warehouse.evidence.edge_evidence_for`,
  the source rows behind them);
* :func:`organization_facts`: identifiers and normalized names, by org id;
* :func:`designation_seeds`: the seed designation lists and reporting rules;
* :func:`data_quality_issues`: ``dq_issues`` with the organizations each finding names;
* :func:`loaded_sources`, :func:`known_programs`, :func:`seeds_version`,
  :func:`organization_names`.

Every query reads model tables (``orgs``, ``org_names``, ``edges``, ``edge_evidence``,
``dq_issues``, ``sources``, ``meta``, ``ref_*``), never staging.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from exposure.core.sql import scalar, table_exists

__all__ = [
    "ATTRIBUTE_COLUMNS",
    "data_quality_issues",
    "designation_seeds",
    "edge_attributes_for",
    "known_programs",
    "loaded_sources",
    "organization_facts",
    "organization_identity",
    "organization_names",
    "product_spellings",
    "seeds_version",
]

ATTRIBUTE_COLUMNS = (
    "relation",
    "product",
    "used_in",
    "contract_id",
    "program",
    "criticality",
    "notes",
    "remediation_started",
)

_LISTED_COLUMNS = ["list_id", "organization", "authority", "designation_type", "norm"]
_REPORTING_COLUMNS = [
    "designation_type",
    "clause",
    "initial_report_business_days",
    "followup_business_days",
    "report_to",
    "source",
]


def edge_attributes_for(
    con: duckdb.DuckDBPyConnection,
    edge_ids: npt.NDArray[np.int64],
    attributes: tuple[str, ...] = ATTRIBUTE_COLUMNS,
) -> pd.DataFrame:
    """The attributes of the given edges (``attributes``, by default :data:`ATTRIBUTE_COLUMNS`),
    one row each in their order, and ``found``: whether the id is an edge (False when the
    model changed).

    The ids go to DuckDB as an Arrow column joined by hash join, and rows are put back in
    order by position, without a sort.
    """
    wanted = pa.table(
        {
            "edge_id": pa.array(np.asarray(edge_ids, dtype=np.int64)),
            "position": pa.array(np.arange(len(edge_ids), dtype=np.int64)),
        }
    )
    present = {
        str(row[0])
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'edges'"
        ).fetchall()
    }
    # A column the edges of an older warehouse lack (built before it existed) reads as NULL.
    columns = ", ".join(
        f"e.{column}" if column in present else f"NULL AS {column}" for column in attributes
    )
    con.register("_exposure_wanted_edges", wanted)
    try:
        found = con.execute(
            f"SELECT w.position, {columns}, true AS found "
            "FROM _exposure_wanted_edges w JOIN edges e ON e.edge_id = w.edge_id"
        ).df()
    finally:
        con.unregister("_exposure_wanted_edges")
    positions = found["position"].to_numpy(dtype=np.int64)
    frame = found.set_index(positions)[[*attributes, "found"]]
    frame = frame.reindex(pd.RangeIndex(len(edge_ids))).reset_index(drop=True)
    frame["found"] = frame["found"].fillna(False).astype(bool)
    return frame


def organization_facts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per organization, in org id order: ``uei``, ``cage``, ``country``, ``norm_name``."""
    return con.execute("SELECT uei, cage, country, norm_name FROM orgs ORDER BY org_id").df()


def organization_identity(
    con: duckdb.DuckDBPyConnection, org: int
) -> tuple[object, object, object, object, object]:
    """One organization's UEI, CAGE, country, where its kind came from, and its parent's name."""
    rows = con.execute(
        "SELECT o.uei, o.cage, o.country, o.kind_source, p.name FROM orgs o "
        "LEFT JOIN orgs p ON p.org_id = o.parent_id WHERE o.org_id = ?",
        [org],
    ).fetchall()
    return rows[0] if rows else (None, None, None, None, None)


def product_spellings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Product names as the data writes them, by the lower-cased form the graph codes."""
    rows = con.execute(
        "SELECT lower(text), min(text) FROM (SELECT product AS text FROM edges UNION ALL "
        "SELECT used_in FROM edges) WHERE text IS NOT NULL GROUP BY 1"
    ).fetchall()
    return {str(lower): str(text) for lower, text in rows}


def organization_names(con: duckdb.DuckDBPyConnection, org_ids: Iterable[int]) -> set[str]:
    """The canonical names of the given organizations."""
    wanted = [int(org) for org in org_ids]
    return {
        str(row[0])
        for row in con.execute(
            "SELECT name FROM orgs WHERE list_contains(?, org_id)", [wanted]
        ).fetchall()
    }


def designation_seeds(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seed designation lists (``list_id``, ``organization``, ``authority``,
    ``designation_type``, ``norm``: the normalized name) and the reporting rules
    (``designation_type``, ``clause``, business days, ``report_to``, ``source``); empty
    frames with those columns where a seed is missing."""
    listed = pd.DataFrame(columns=_LISTED_COLUMNS)
    if table_exists(con, "ref_designations"):
        listed = con.execute(
            "SELECT list_id, organization, authority, designation_type, "
            "exposure_norm_name(organization) AS norm FROM ref_designations ORDER BY list_id"
        ).df()
    reporting = pd.DataFrame(columns=_REPORTING_COLUMNS)
    if table_exists(con, "ref_reporting_rules"):
        reporting = con.execute("SELECT * FROM ref_reporting_rules").df()
    return listed, reporting


def data_quality_issues(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The warehouse's findings (``dq_issues``), with ``name_org`` and ``candidate_org``: the
    organization the finding's name (as written in the data, else canonical) and candidate
    resolve to (missing when none)."""
    return con.execute(
        "SELECT d.issue, d.name, d.detail, d.candidate, d.score, d.source_file, d.sheet, d.row, "
        "coalesce(n.org_id, o.org_id) AS name_org, c.org_id AS candidate_org FROM dq_issues d "
        "LEFT JOIN org_names n ON n.name = d.name "
        # A finding may name an organization by its canonical name (a rejected row does).
        "LEFT JOIN (SELECT name, min(org_id) AS org_id FROM orgs GROUP BY name) o "
        "ON o.name = d.name "
        "LEFT JOIN (SELECT name, min(org_id) AS org_id FROM orgs GROUP BY name) c "
        "ON c.name = d.candidate"
    ).df()


def loaded_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The loaded files (the ``sources`` table) in load order, with how they were read."""
    return con.execute(
        "SELECT file_name AS file, sheet, kind, rows, sha256, size_bytes, loaded_at, "
        "buyer AS buyer_option, encoding, options AS load_options FROM sources ORDER BY load_id"
    ).df()


def known_programs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every program named by a dependency, sorted."""
    return [
        str(row[0])
        for row in con.execute(
            "SELECT DISTINCT program FROM edges WHERE program IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]


def seeds_version(con: duckdb.DuckDBPyConnection) -> str:
    """The version (hash) of the seed files the model was built with ("" when none)."""
    return str(scalar(con, "SELECT value FROM meta WHERE key = 'seeds_version'") or "")
