"""The DuckDB warehouse: opening it, its schema and seeds, its data version and status.

Tables by layer (dbt-style):

* ``ref_*``: reference data from ``seeds/`` (relation types, designation lists, hosting facts,
  aliases, reporting rules), refreshed whenever a seed file changes.
* ``sources``: one row per loaded file and sheet, with its SHA-256 and the options it was read
  with (``buyer``, ``encoding``, and ``options``: ``--kind`` and ``--map`` as JSON).
* ``stg_organizations``, ``stg_relationships``: validated uploads, one row per input row, each
  with its provenance (``_source_file``, ``_sheet``, ``_row``, ``_sha256``, ``_loaded_at``).
* ``stg_rejected``: rows of a valid file that a public format's rules leave out (a repeated
  subaward report, a subaward to the prime itself, an SBOM entry naming no organization...),
  with their provenance, a ``reason`` code and a ``detail``; listed in ``dq_issues`` as
  ``rejected_row``. (A file with an invalid cell is refused whole and stores nothing.)
* ``orgs``, ``edges``, ``edge_evidence``, ``dq_issues``: the model's view, rebuilt from staging
  by :mod:`exposure.warehouse.resolve` after every load.

Files are loaded, all or nothing, by :func:`exposure.warehouse.loading.load_files`. Each load (and each
change of the seeds) records the :func:`data_version` the model was built from in ``meta``;
graphs, runs and reports are cached and checked by it. :func:`status` summarizes what the
warehouse holds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from exposure.core.errors import DatabaseBusyError, ExposureError
from exposure.core.names import MACROS
from exposure.core.sql import scalar, sql_literal, table_exists
from exposure.warehouse.resolve import rebuild_model
from exposure.warehouse.transactions import abort

__all__ = [
    "DEFAULT_DB",
    "Status",
    "connect",
    "data_version",
    "default_db_path",
    "model_counts",
    "record_data_version",
    "seeds_dir",
    "status",
    "stored_data_version",
]

logger = logging.getLogger(__name__)

DEFAULT_DB = "exposure.duckdb"
SCHEMA_VERSION = "1"

_PROVENANCE = """
    _load_id INTEGER NOT NULL,
    _source_file VARCHAR NOT NULL,
    _sheet VARCHAR,
    _row BIGINT NOT NULL,
    _sha256 VARCHAR NOT NULL,
    _loaded_at TIMESTAMP NOT NULL
"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS sources (
    load_id INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    file_path VARCHAR,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT,
    sheet VARCHAR,
    kind VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    buyer VARCHAR,
    encoding VARCHAR,
    options VARCHAR
);
CREATE TABLE IF NOT EXISTS stg_organizations (
    name VARCHAR NOT NULL,
    kind VARCHAR,
    uei VARCHAR,
    cage VARCHAR,
    country VARCHAR,
    parent VARCHAR,
    aliases VARCHAR,
    {_PROVENANCE}
);
CREATE TABLE IF NOT EXISTS stg_relationships (
    buyer VARCHAR NOT NULL,
    supplier VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,
    product VARCHAR,
    used_in VARCHAR,
    contract_id VARCHAR,
    program VARCHAR,
    annual_value_usd DOUBLE,
    criticality INTEGER,
    essential BOOLEAN,
    alternatives INTEGER,
    replacement_months DOUBLE,
    dod_use BOOLEAN,
    notes VARCHAR,
    {_PROVENANCE}
);
CREATE TABLE IF NOT EXISTS stg_rejected (
    reason VARCHAR NOT NULL,
    name VARCHAR,
    detail VARCHAR NOT NULL,
    {_PROVENANCE}
);
"""


def default_db_path() -> Path:
    """``EXPOSURE_DB`` if set, else ``exposure.duckdb`` in the working directory."""
    return Path(os.environ.get("EXPOSURE_DB") or DEFAULT_DB)


def seeds_dir() -> Path:
    """The folder of seed CSVs: ``EXPOSURE_SEEDS`` if set, else ``seeds/`` of the project."""
    configured = os.environ.get("EXPOSURE_SEEDS")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "seeds"


def connect(
    path: str | Path | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse and bring its schema and seeds up to date.

    ``":memory:"`` gives a throw-away in-memory warehouse.

    Raises:
        DatabaseBusyError: another process holds the file open read-write.
    """
    target = str(path) if path is not None else str(default_db_path())
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(
                f"the database {target} is in use by another process (a running dashboard or "
                f"another exposure command); close it or use --db to pick another file ({exc})"
            ) from exc
        raise ExposureError(f"cannot open the database {target}: {exc}") from exc
    # Progress is ours to show (rich in the CLI, st.progress in the app), not DuckDB's.
    con.execute("SET enable_progress_bar = false")
    con.execute(MACROS)
    if not read_only:
        con.execute(SCHEMA)
        # Warehouses made before load options were recorded.
        con.execute("ALTER TABLE sources ADD COLUMN IF NOT EXISTS options VARCHAR")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        _refresh_seeds(con)
    return con


def _refresh_seeds(con: duckdb.DuckDBPyConnection) -> None:
    """Load every ``seeds/*.csv`` into ``ref_<stem>`` when the seed files changed, then rebuild
    the model (seed aliases shape resolution) and its data version, in one transaction.

    With the seeds unchanged and the model built, nothing is written (only a data version
    recorded by an older release is brought up to date).
    """
    folder = seeds_dir()
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    version = digest.hexdigest()
    changed = scalar(con, "SELECT value FROM meta WHERE key = 'seeds_version'") != version
    if not changed and table_exists(con, "orgs"):
        if stored_data_version(con) != data_version(con):
            record_data_version(con)
        return
    con.execute("BEGIN TRANSACTION")
    try:
        if changed:
            for file in files:
                table = "ref_" + file.stem.lower().replace("-", "_")
                con.execute(
                    f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv({sql_literal(str(file))}, "
                    "header = true, auto_detect = true, sample_size = -1)"
                )
            con.execute("INSERT OR REPLACE INTO meta VALUES ('seeds_version', ?)", [version])
        rebuild_model(con)
        record_data_version(con)
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the reference data")
        raise
    if changed:
        logger.info("loaded %d seed files from %s", len(files), folder)


def model_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """How many organizations and edges the model holds."""
    orgs = scalar(con, "SELECT count(*) FROM orgs")
    edges = scalar(con, "SELECT count(*) FROM edges")
    return int(orgs), int(edges)


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A short hash of what the model is built from: changes exactly when that does.

    It covers every ``sources`` row (load id, file name, sheet, kind, rows, SHA-256, and the
    options the file was read with: ``--buyer``, encoding, ``--kind``, ``--map``) and the seeds'
    version. The same loads made in the same order give the same version on any machine (the
    paths and times of loading are left out); reloading a file with other options, or
    replacing it (``--replace`` gives new load ids), or new seeds give another.
    """
    digest = hashlib.sha256()
    seeds = scalar(con, "SELECT value FROM meta WHERE key = 'seeds_version'")
    digest.update(json.dumps(["seeds", seeds]).encode())
    # A warehouse of an older release opened read-only has no options column yet.
    options = "options" if _has_column(con, "sources", "options") else "NULL"
    for row in con.execute(
        f"SELECT load_id, file_name, sheet, kind, rows, sha256, buyer, encoding, {options} "
        "FROM sources ORDER BY load_id, sheet NULLS FIRST, kind"
    ).fetchall():
        digest.update(b"\n" + json.dumps(list(row)).encode())
    return digest.hexdigest()[:16]


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(
        scalar(
            con,
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_name = ? AND column_name = ?",
            [table, column],
        )
    )


def stored_data_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The data version recorded with the model (what graphs and runs are cached by)."""
    value = scalar(con, "SELECT value FROM meta WHERE key = 'data_version'")
    return None if value is None else str(value)


def record_data_version(con: duckdb.DuckDBPyConnection) -> None:
    """Record the current :func:`data_version` in ``meta`` as the model's (after a rebuild)."""
    con.execute("INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", [data_version(con)])


@dataclass(frozen=True)
class Status:
    """What the warehouse holds."""

    database: str
    data_version: str
    sources: list[dict[str, object]]
    organizations: int
    edges: int
    kinds: dict[str, int]
    relations: dict[str, int]
    data_quality: list[dict[str, object]]
    reference: dict[str, int]


def status(con: duckdb.DuckDBPyConnection, *, database: str = "", limit: int = 200) -> Status:
    """Summarize sources, model counts, reference data and data-quality warnings."""
    sources = [
        dict(zip(("file", "sheet", "kind", "rows", "sha256", "loaded_at"), row, strict=True))
        for row in con.execute(
            "SELECT file_name, sheet, kind, rows, sha256, loaded_at FROM sources ORDER BY load_id"
        ).fetchall()
    ]
    orgs, edges = model_counts(con)
    kinds = dict(
        con.execute("SELECT kind, count(*) FROM orgs GROUP BY kind ORDER BY 2 DESC").fetchall()
    )
    relations = dict(
        con.execute(
            "SELECT relation, count(*) FROM edges GROUP BY relation ORDER BY 2 DESC"
        ).fetchall()
    )
    quality = [
        dict(
            zip(
                ("issue", "name", "detail", "candidate", "score", "file", "sheet", "row"),
                row,
                strict=True,
            )
        )
        for row in con.execute(
            "SELECT issue, name, detail, candidate, score, source_file, sheet, row FROM dq_issues "
            "ORDER BY issue, score DESC NULLS LAST, name LIMIT ?",
            [limit],
        ).fetchall()
    ]
    reference = {
        table: int(scalar(con, f"SELECT count(*) FROM {table}"))
        for (table,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ref_%' ORDER BY 1"
        ).fetchall()
    }
    return Status(
        database=database,
        # The version the model was built under (what graphs, runs and reports carry).
        data_version=stored_data_version(con) or data_version(con),
        sources=sources,
        organizations=orgs,
        edges=edges,
        kinds=kinds,
        relations=relations,
        data_quality=quality,
        reference=reference,
    )
