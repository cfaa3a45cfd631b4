"""The DuckDB warehouse: schema, seeds, all-or-nothing loads, status.

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
  by :mod:`exposure.resolve` after every load.

A load runs in one transaction: if any file of the call fails, the transaction is rolled back
and every table is exactly as it was. Each load (and each change of the seeds) records the
:func:`data_version` the model was built from in ``meta``; graphs, runs and reports are
cached and checked by it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from exposure.adapters import SourceAdapter, adapter_for_file, adapter_for_sheet
from exposure.errors import DatabaseBusyError, ExposureError, LoadError, Problem
from exposure.ingest import LoadOptions, MappedSheet, map_sheet
from exposure.names import MACROS
from exposure.readers import RawSheet, ReadLimits, check_size, read_file
from exposure.resolve import rebuild_model
from exposure.sql import scalar, sql_literal, table_exists
from exposure.validate import drop_sheet, prepare_sheet, staging_select, validate_sheet

__all__ = [
    "DEFAULT_DB",
    "LoadReport",
    "SourceLoaded",
    "Status",
    "connect",
    "data_version",
    "default_db_path",
    "load_files",
    "seeds_dir",
    "status",
]

logger = logging.getLogger(__name__)

DEFAULT_DB = "exposure.duckdb"
SCHEMA_VERSION = "1"

Progress = Callable[[str, int, int], None]

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

_STAGING_TABLE = {
    "organizations": "stg_organizations",
    "relationships": "stg_relationships",
    "vendors": "stg_relationships",
}


def default_db_path() -> Path:
    """``EXPOSURE_DB`` if set, else ``exposure.duckdb`` in the working directory."""
    return Path(os.environ.get("EXPOSURE_DB") or DEFAULT_DB)


def seeds_dir() -> Path:
    """The folder of seed CSVs: ``EXPOSURE_SEEDS`` if set, else ``seeds/`` of the project."""
    configured = os.environ.get("EXPOSURE_SEEDS")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "seeds"


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
        if _stored_version(con) != data_version(con):
            _record_version(con)
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
        _record_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if changed:
        logger.info("loaded %d seed files from %s", len(files), folder)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(2**20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class SourceLoaded:
    """One sheet stored by a load."""

    file: str
    sheet: str | None
    kind: str
    rows: int
    sha256: str


@dataclass
class LoadReport:
    """What a load call did."""

    loaded: list[SourceLoaded] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    organizations: int = 0
    edges: int = 0
    data_quality: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(source.rows for source in self.loaded)


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    options: LoadOptions | None = None,
    *,
    display_names: Sequence[str] | None = None,
    limits: ReadLimits | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Read, validate and store files, all or nothing, then rebuild ``orgs`` and ``edges``.

    A file whose SHA-256 was loaded before is skipped (and reported so).

    Raises:
        LoadError: any file failed to read or validate; nothing was stored.
    """
    options = options or LoadOptions()
    if options.buyer is not None and not options.buyer.strip():
        raise LoadError([Problem("--buyer", "the buyer's name is blank")])
    names = list(display_names) if display_names else [Path(p).name for p in paths]
    read: list[RawSheet] = []
    try:
        return _load(con, paths, names, options, read, limits, progress)
    finally:
        # Re-encoded copies of CSV files live until the load is over, whatever its outcome.
        for raw in read:
            if raw.cleanup is not None:
                raw.cleanup.unlink(missing_ok=True)


def _load(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    names: list[str],
    options: LoadOptions,
    read: list[RawSheet],
    limits: ReadLimits | None,
    progress: Progress | None,
) -> LoadReport:
    report = LoadReport()
    step = progress or (lambda _label, _done, _total: None)
    known = {
        row[0]: (row[1], row[2])
        for row in con.execute(
            "SELECT sha256, any_value(file_name), min(loaded_at) FROM sources GROUP BY sha256"
        ).fetchall()
    }
    known_names = {
        row[0] for row in con.execute("SELECT DISTINCT file_name FROM sources").fetchall()
    }
    problems: list[Problem] = []
    pending: list[tuple[MappedSheet | SourceAdapter, str, Path]] = []
    superseded: list[tuple[str, str]] = []
    seen_hashes: set[str] = set()
    total = len(paths)
    for index, (path_like, name) in enumerate(zip(paths, names, strict=True)):
        path = Path(path_like)
        step(f"reading {name}", index, total)
        if not path.is_file():
            problems.append(Problem(name, "file not found"))
            continue
        try:
            check_size(path, name, limits or ReadLimits())
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        digest = _sha256(path)
        if options.replace and (digest in known or name in known_names):
            superseded.append((name, digest))
        elif digest in known:
            earlier, when = known[digest]
            report.skipped.append(
                (name, f"already loaded (as {earlier}, {when:%Y-%m-%d %H:%M} UTC); nothing added")
            )
            continue
        if digest in seen_hashes:
            report.skipped.append(
                (name, "the same content appears twice in this call; loaded once")
            )
            continue
        seen_hashes.add(digest)
        if name in known_names and not options.replace:
            report.notes.append(
                f"{name}: a different version of this file was loaded before; both versions' rows "
                "are kept, and identical dependencies are merged in the model (--replace makes "
                "the new version supersede the old)"
            )
        try:
            adapter = adapter_for_file(path, name, options)
            if adapter is not None:
                pending.append((adapter, digest, path))
                continue
            sheets = read_file(path, display_name=name, encoding=options.encoding, limits=limits)
            read.extend(sheets)
            mapped_any = False
            for raw in sheets:
                try:
                    adapter = adapter_for_sheet(raw, options)
                    if adapter is not None:
                        mapped_any = True
                        pending.append((adapter, digest, path))
                        continue
                    mapped = map_sheet(raw, options, file_stem=Path(name).stem)
                except LoadError as exc:
                    problems.extend(exc.problems)
                    continue
                if mapped is None:
                    report.notes.append(
                        f"{name}: sheet '{raw.sheet}' skipped (no recognised headers)"
                    )
                    continue
                mapped_any = True
                pending.append((mapped, digest, path))
            if not mapped_any and not any(p.file == name for p in problems):
                problems.append(
                    Problem(
                        name,
                        "no sheet holds organizations or relationships; expected a sheet named "
                        "'organizations' or 'relationships', or headers such as name / buyer, supplier",
                    )
                )
        except LoadError as exc:
            problems.extend(exc.problems)
    if problems:
        raise LoadError(problems)
    if not pending:
        report.organizations, report.edges = _counts(con)
        return report

    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        next_id = int(scalar(con, "SELECT coalesce(max(load_id), 0) + 1 FROM sources"))
        for name, digest in superseded:
            earlier = "SELECT load_id FROM sources WHERE file_name = $1 OR sha256 = $2"
            removed = 0
            for table in ("stg_organizations", "stg_relationships"):
                removed += int(
                    scalar(
                        con,
                        f"SELECT count(*) FROM {table} WHERE _load_id IN ({earlier})",
                        [name, digest],
                    )
                )
                con.execute(f"DELETE FROM {table} WHERE _load_id IN ({earlier})", [name, digest])
            con.execute(f"DELETE FROM stg_rejected WHERE _load_id IN ({earlier})", [name, digest])
            con.execute("DELETE FROM sources WHERE file_name = $1 OR sha256 = $2", [name, digest])
            report.notes.append(
                f"{name}: replaces the earlier load of this file ({removed} rows removed)"
            )
        staged: list[tuple[MappedSheet | SourceAdapter, str, str, Path]] = []
        for index, (item, digest, path) in enumerate(pending):
            view = f"_sheet_{index}"
            if isinstance(item, SourceAdapter):
                step(f"validating {item.file}", index, len(pending))
                problems.extend(item.validate(con, view))
            else:
                where = f"{item.raw.file}" + (f" [{item.raw.sheet}]" if item.raw.sheet else "")
                step(f"validating {where}", index, len(pending))
                prepare_sheet(con, item, view)
                problems.extend(validate_sheet(con, item, view))
            staged.append((item, digest, view, path))
        if problems:
            raise LoadError(problems)
        load_id = next_id
        read_with = _options_text(options)
        for index, (item, digest, view, path) in enumerate(staged):
            if isinstance(item, SourceAdapter):
                step(f"storing {item.file}", index, len(staged))
                first_id = load_id
                for part in item.parts(view):
                    report.loaded.append(
                        _store(
                            con,
                            load_id,
                            part.select,
                            part.kind,
                            item.file,
                            item.sheet,
                            digest,
                            path,
                            loaded_at,
                            buyer=item.buyer,
                            encoding=None,
                            options=read_with,
                            label=f"{item.kind}: {part.kind}",
                        )
                    )
                    load_id += 1
                rejected = item.rejected(view)
                if rejected is not None:
                    _insert_staged(
                        con,
                        "stg_rejected",
                        rejected,
                        first_id,
                        item.file,
                        item.sheet,
                        digest,
                        loaded_at,
                    )
                report.notes.extend(item.notes)
                continue
            step(f"storing {item.raw.file}", index, len(staged))
            report.loaded.append(
                _store(
                    con,
                    load_id,
                    staging_select(item, view),
                    item.kind,
                    item.raw.file,
                    item.raw.sheet,
                    digest,
                    path,
                    loaded_at,
                    buyer=item.buyer,
                    encoding=item.raw.encoding,
                    options=read_with,
                    label=item.kind,
                )
            )
            load_id += 1
        step("resolving organizations", 0, 1)
        rebuild_model(con)
        _record_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for index, (item, _, _) in enumerate(pending):
            if isinstance(item, SourceAdapter):
                item.drop(con, f"_sheet_{index}")
            else:
                drop_sheet(con, f"_sheet_{index}")
    step("done", 1, 1)
    report.organizations, report.edges = _counts(con)
    report.data_quality = dict(
        con.execute(
            "SELECT issue, count(*) FROM dq_issues GROUP BY issue ORDER BY issue"
        ).fetchall()
    )
    return report


def _store(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    select: str,
    kind: str,
    file: str,
    sheet: str | None,
    digest: str,
    path: Path,
    loaded_at: datetime,
    *,
    buyer: str | None,
    encoding: str | None,
    options: str | None,
    label: str,
) -> SourceLoaded:
    """Insert one sheet's (or one adapter part's) rows with provenance; record the source."""
    table = _STAGING_TABLE[kind]
    _insert_staged(con, table, select, load_id, file, sheet, digest, loaded_at)
    rows = int(scalar(con, f"SELECT count(*) FROM {table} WHERE _load_id = ?", [load_id]))
    con.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            file,
            str(path.resolve()),
            digest,
            path.stat().st_size,
            sheet,
            label,
            rows,
            loaded_at,
            buyer,
            encoding,
            options,
        ],
    )
    return SourceLoaded(file, sheet, label, rows, digest)


def _insert_staged(
    con: duckdb.DuckDBPyConnection,
    table: str,
    select: str,
    load_id: int,
    file: str,
    sheet: str | None,
    digest: str,
    loaded_at: datetime,
) -> None:
    """Insert a SELECT's rows (with ``_row``) into a staging table, adding the provenance."""
    provenance = (
        f"{load_id} AS _load_id, {sql_literal(file)} AS _source_file, "
        f"{sql_literal(sheet) if sheet else 'NULL'} AS _sheet, "
        f"{sql_literal(digest)} AS _sha256, "
        f"TIMESTAMP {sql_literal(loaded_at.isoformat(sep=' '))} AS _loaded_at"
    )
    con.execute(f"INSERT INTO {table} BY NAME SELECT *, {provenance} FROM ({select})")


def _options_text(options: LoadOptions) -> str | None:
    """The options that shape how files are read, besides the buyer and the encoding (kept in
    their own columns): ``--kind`` and ``--map``, as JSON; None when neither was given.

    >>> _options_text(LoadOptions(kind="vendors", mapping={"spend": "annual_value_usd"}))
    '{"kind": "vendors", "map": {"spend": "annual_value_usd"}}'
    >>> _options_text(LoadOptions(buyer="Acme")) is None
    True
    """
    given: dict[str, object] = {}
    if options.kind:
        given["kind"] = options.kind
    if options.mapping:
        given["map"] = dict(sorted(options.mapping.items()))
    return json.dumps(given) if given else None


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
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


def _stored_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The data version recorded with the model (what graphs and runs are cached by)."""
    value = scalar(con, "SELECT value FROM meta WHERE key = 'data_version'")
    return None if value is None else str(value)


def _record_version(con: duckdb.DuckDBPyConnection) -> None:
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
    orgs, edges = _counts(con)
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
        data_version=_stored_version(con) or data_version(con),
        sources=sources,
        organizations=orgs,
        edges=edges,
        kinds=kinds,
        relations=relations,
        data_quality=quality,
        reference=reference,
    )
