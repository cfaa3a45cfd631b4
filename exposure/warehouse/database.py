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
  by :mod:`exposure.warehouse.resolve` after every load, with ``org_spellings`` and
  ``seed_alias_groups``, the index names resolve against (:mod:`exposure.warehouse.identity`),
  and ``edge_evidence``, the source rows behind each edge (:mod:`exposure.warehouse.evidence`).
  Reports read the model only, through :mod:`exposure.warehouse.report_facts`; nothing outside
  the warehouse reads staging.
* ``res_screening``, ``res_screening_runs``: the latest screening of each list kind
  (:mod:`exposure.warehouse.screening_store`); ``review_decisions``: decisions on near misses
  and screening candidates, applied at every rebuild (:mod:`exposure.warehouse.review`); ``res_runs``: stored runs
  (:mod:`exposure.warehouse.results`).

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
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from exposure.core import resources
from exposure.core.errors import DatabaseBusyError, ExposureError
from exposure.core.names import install_macros
from exposure.core.sql import scalar, sql_identifier, sql_literal, table_exists
from exposure.warehouse.evidence import build_edge_evidence, evidence_materialized
from exposure.warehouse.resolve import rebuild_model
from exposure.warehouse.review import accepted_merges
from exposure.warehouse.transactions import abort

__all__ = [
    "DEFAULT_DB",
    "Status",
    "connect",
    "data_version",
    "default_db_path",
    "memory_limit",
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

#: Seconds :func:`connect` waits for a database another process holds (``EXPOSURE_DB_WAIT``).
DEFAULT_LOCK_WAIT = 30.0

#: ``stg_rejected`` rows whose reason starts with this prefix are not left-out rows but findings
#: a load kept as warnings (a schema finding in an SBOM, an unknown column, merged duplicate
#: rows...): the rest of the reason names their data-quality check (``dq:unknown_column`` is
#: listed as ``unknown_column``), and ``--strict`` refuses the load on any of them.
FINDING_PREFIX = "dq:"

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
    remediation_started DATE,
    order_id VARCHAR,
    deployment VARCHAR,
    environment VARCHAR,
    operator VARCHAR,
    use VARCHAR,
    confidence VARCHAR,
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
    """The folder of seed CSVs: ``EXPOSURE_SEEDS`` if set, else the seeds shipped with the
    package (``seeds/`` of the project)."""
    configured = os.environ.get("EXPOSURE_SEEDS")
    if configured:
        return Path(configured)
    return resources.seeds_dir()


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit_bytes: int) -> Iterator[None]:
    """Hold DuckDB's working memory to ``limit_bytes`` for a block (its default is 80% of the
    machine's memory); past it, DuckDB spills to its temporary folder. The earlier setting
    comes back after the block, whatever its outcome."""
    [(previous,)] = con.execute("SELECT current_setting('memory_limit')").fetchall()
    con.execute(f"SET memory_limit = '{max(limit_bytes // 2**20, 64)}MB'")
    try:
        yield
    finally:
        try:
            # RESET gives the default exactly; a limit set before is set again (as DuckDB
            # printed it, to a tenth of its unit).
            con.execute("RESET memory_limit")
            [(now,)] = con.execute("SELECT current_setting('memory_limit')").fetchall()
            if now != previous:
                con.execute(f"SET memory_limit = {sql_literal(str(previous))}")
        except duckdb.Error as exc:  # a connection a fatal error closed keeps nothing anyway
            logger.info("memory limit not restored: %s", exc)


def lock_wait_seconds() -> float:
    """How long opening a database another process holds waits for it: ``EXPOSURE_DB_WAIT``
    seconds (default 30; 0 fails at once)."""
    configured = os.environ.get("EXPOSURE_DB_WAIT", "").strip()
    try:
        return max(float(configured), 0.0) if configured else DEFAULT_LOCK_WAIT
    except ValueError:
        logger.warning(
            "EXPOSURE_DB_WAIT=%r is not a number of seconds; using %s",
            configured,
            DEFAULT_LOCK_WAIT,
        )
        return DEFAULT_LOCK_WAIT


def _holder(message: str) -> str:
    """The process DuckDB names in a lock conflict, as words ("process 1234"), or ""."""
    found = re.search(r"\(PID (\d+)\)", message)
    return f"process {found.group(1)}" if found else ""


def _open(
    target: str,
    read_only: bool,
    wait: float | None,
    on_wait: Callable[[str], None] | None,
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, waiting up to ``wait`` seconds while another process holds the file
    (DuckDB allows one writing process, or several reading ones, at a time)."""
    budget = lock_wait_seconds() if wait is None else max(wait, 0.0)
    deadline: float | None = None
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" not in message.lower():
                raise ExposureError(f"cannot open the database {target}: {exc}") from exc
            now = time.monotonic()
            holder = _holder(message) or "another process"
            if deadline is None:
                deadline = now + budget
                if budget > 0:
                    notice = (
                        f"waiting for the database {target}: {holder} (a running dashboard or "
                        f"another exposure command) has it open; waiting up to {budget:g} s "
                        "(EXPOSURE_DB_WAIT)"
                    )
                    logger.warning("%s", notice)
                    if on_wait is not None:
                        on_wait(notice)
            if now >= deadline:
                waited = f" after waiting {budget:g} s" if budget > 0 else ""
                raise DatabaseBusyError(
                    f"the database {target} is in use by {holder} (a running dashboard or "
                    f"another exposure command){waited}; close it, wait for it to finish (set "
                    f"EXPOSURE_DB_WAIT to wait longer) or use --db to pick another file ({exc})"
                ) from exc
            time.sleep(min(0.2, deadline - now))


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse and bring its schema and seeds up to date.

    ``":memory:"`` gives a throw-away in-memory warehouse. With ``read_only`` nothing is
    written: the schema and seeds are read as they are (a warning says when the seed files
    have changed since), and a file that holds no warehouse is refused.

    While another process holds the file (the dashboard between two of its runs holds it for
    at most a second, a load for as long as it takes), opening waits for it up to ``wait``
    seconds (default :func:`lock_wait_seconds`), saying so once: in the log (a warning, which
    the CLI shows) and to ``on_wait`` (the dashboard shows it on the page).

    Raises:
        DatabaseBusyError: another process still holds the file after the wait.
        ExposureError: the file cannot be opened, or (read-only) holds no warehouse.
    """
    target = str(path) if path is not None else str(default_db_path())
    con = _open(target, read_only, wait, on_wait)
    # Progress is ours to show (rich in the CLI, st.progress in the app), not DuckDB's.
    con.execute("SET enable_progress_bar = false")
    install_macros(con)  # temporary macros: they live in the connection, not the file
    if read_only:
        _check_readable(con, target)
    else:
        con.execute(SCHEMA)
        # Warehouses made before load options were recorded.
        con.execute("ALTER TABLE sources ADD COLUMN IF NOT EXISTS options VARCHAR")
        # Warehouses made before dependencies carried deployment facts.
        for fact in ("deployment", "environment", "operator", "use"):
            con.execute(f"ALTER TABLE stg_relationships ADD COLUMN IF NOT EXISTS {fact} VARCHAR")
        # Warehouses made before edges carried a confidence (theirs read as confirmed).
        con.execute("ALTER TABLE stg_relationships ADD COLUMN IF NOT EXISTS confidence VARCHAR")
        # ... and before a dependency could say when its replacement started.
        con.execute(
            "ALTER TABLE stg_relationships ADD COLUMN IF NOT EXISTS remediation_started DATE"
        )
        con.execute("ALTER TABLE stg_relationships ADD COLUMN IF NOT EXISTS order_id VARCHAR")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        _refresh_seeds(con)
    return con


def _check_readable(con: duckdb.DuckDBPyConnection, target: str) -> None:
    """Refuse a read-only file without a warehouse; warn when its seeds are out of date."""
    if not (table_exists(con, "meta") and table_exists(con, "orgs")):
        con.close()
        raise ExposureError(
            f"the database {target} holds no exposure warehouse to read: open it once for "
            "writing (exposure load FILE) to create it"
        )
    if scalar(con, "SELECT value FROM meta WHERE key = 'seeds_version'") != _seeds_version(
        _seed_files(seeds_dir())
    ):
        logger.warning(
            "the seed files changed since %s was last opened for writing; reading its reference "
            "data as it is (open it read-write to refresh)",
            target,
        )


def _seed_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def _seeds_version(files: list[Path]) -> str:
    """A hash of the seed files' names and contents."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _seed_table(file: Path) -> str:
    return "ref_" + file.stem.lower().replace("-", "_")


def _refresh_seeds(con: duckdb.DuckDBPyConnection) -> None:
    """Load every ``seeds/*.csv`` into ``ref_<stem>`` when the seed files changed, drop the
    ``ref_*`` tables whose file is gone, then rebuild the model (seed aliases shape resolution)
    and its data version, in one transaction.

    With the seeds unchanged and the model built, nothing is written (only a data version
    recorded by an older release is brought up to date).
    """
    folder = seeds_dir()
    files = _seed_files(folder)
    version = _seeds_version(files)
    changed = scalar(con, "SELECT value FROM meta WHERE key = 'seeds_version'") != version
    # A model built before org_spellings existed is rebuilt once, so that names resolve.
    if not changed and table_exists(con, "orgs") and table_exists(con, "org_spellings"):
        if stored_data_version(con) != data_version(con):
            record_data_version(con)
        if not evidence_materialized(con):
            # A warehouse of an older release kept edge_evidence as a view over staging.
            build_edge_evidence(con)
        return
    stale: list[str] = []
    con.execute("BEGIN TRANSACTION")
    try:
        if changed:
            tables = {_seed_table(file) for file in files}
            for file in files:
                con.execute(
                    f"CREATE OR REPLACE TABLE {_seed_table(file)} AS SELECT * FROM "
                    f"read_csv({sql_literal(str(file))}, header = true, auto_detect = true, "
                    "sample_size = -1)"
                )
            stale = [
                name
                for (name,) in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                    "AND table_type = 'BASE TABLE' AND starts_with(table_name, 'ref_')"
                ).fetchall()
                if name not in tables
            ]
            for name in stale:
                con.execute(f"DROP TABLE {sql_identifier(name)}")
            con.execute("INSERT OR REPLACE INTO meta VALUES ('seeds_version', ?)", [version])
        rebuild_model(con)
        record_data_version(con)
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the reference data")
        raise
    if changed:
        logger.info("loaded %d seed files from %s", len(files), folder)
        if stale:
            logger.info("dropped %s: their seed files are gone", ", ".join(stale))


def model_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """How many organizations and edges the model holds."""
    orgs = scalar(con, "SELECT count(*) FROM orgs")
    edges = scalar(con, "SELECT count(*) FROM edges")
    return int(orgs), int(edges)


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A short hash of what the model is built from: changes exactly when that does.

    It covers every ``sources`` row (load id, file name, sheet, kind, rows, SHA-256, and the
    options the file was read with: ``--buyer``, encoding, ``--kind``, ``--map``), the seeds'
    version and the near misses accepted in review (:func:`exposure.warehouse.review.accepted_merges`). The same loads made in the same order give the same version on any machine (the
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
    merges = accepted_merges(con)
    if merges:  # near misses a person accepted as one organization (exposure review)
        digest.update(b"\n" + json.dumps(["merges", merges]).encode())
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
    runs: list[dict[str, object]] = field(default_factory=list)


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
    from exposure.warehouse.results import stored_runs

    version = stored_data_version(con) or data_version(con)
    return Status(
        database=database,
        # The version the model was built under (what graphs, runs and reports carry).
        data_version=version,
        sources=sources,
        organizations=orgs,
        edges=edges,
        kinds=kinds,
        relations=relations,
        data_quality=quality,
        reference=reference,
        runs=stored_runs(con, version),
    )
