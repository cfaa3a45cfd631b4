"""Loading files into the warehouse, all or nothing, with the provenance of every row.

:func:`load_files` reads every file of the call (:mod:`exposure.ingest.readers`), maps its headers
(:mod:`exposure.ingest.mapping`) or hands it to the adapter of its public format
(:mod:`exposure.ingest.adapters`), then, in one transaction: validates every sheet in SQL
(:mod:`exposure.ingest.validate`; an adapter validates its own source), stores the rows in the
staging tables with their provenance (``_load_id``, ``_source_file``, ``_sheet``, ``_row``,
``_sha256``, ``_loaded_at``) and one ``sources`` row per sheet (an adapter's left-out rows go
to ``stg_rejected``), rebuilds the model (:func:`exposure.warehouse.resolve.rebuild_model`) and records
the new data version (:func:`exposure.warehouse.database.data_version`). If any file of the call fails,
the transaction is rolled back and every table is exactly as it was.

A file whose SHA-256 was loaded before is skipped; with ``LoadOptions(replace=True)``
(``--replace``) it supersedes the earlier load of the same name or content.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from exposure.core.errors import ExposureError, LoadError, Problem
from exposure.core.sql import scalar, sql_literal
from exposure.ingest.adapters import SourceAdapter, adapter_for_file, adapter_for_sheet
from exposure.ingest.mapping import LoadOptions, MappedSheet, map_sheet
from exposure.ingest.readers import (
    RawSheet,
    ReadLimits,
    check_regular_file,
    check_size,
    human_size,
    read_file,
)
from exposure.ingest.validate import (
    drop_sheet,
    findings_select,
    prepare_sheet,
    staging_select,
    unknown_columns_text,
    validate_sheet,
    vendor_organizations_select,
)
from exposure.warehouse.database import (
    FINDING_PREFIX,
    memory_limit,
    model_counts,
    record_data_version,
)
from exposure.warehouse.resolve import DUPLICATES_MERGED, rebuild_model
from exposure.warehouse.text_screen import format_rows_select, screen_select
from exposure.warehouse.transactions import abort

__all__ = ["LoadReport", "SourceLoaded", "load_files"]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

_STAGING_TABLE = {
    "organizations": "stg_organizations",
    "relationships": "stg_relationships",
    "vendors": "stg_relationships",
}


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
    budget = (limits or ReadLimits()).load_memory_bytes
    try:
        with memory_limit(con, budget):
            return _load(con, paths, names, options, read, limits, progress)
    except duckdb.OutOfMemoryException as exc:
        raise ExposureError(
            f"the load needs more working memory than its limit of {human_size(budget)}; "
            "nothing changed (set EXPOSURE_LOAD_MEMORY_MB to raise the limit)"
        ) from exc
    finally:
        # Re-encoded copies of CSV files live until the load is over, whatever its outcome.
        for raw in read:
            if raw.cleanup is not None:
                raw.cleanup.unlink(missing_ok=True)


def _refuse_findings(con: duckdb.DuckDBPyConnection, first_load_id: int) -> None:
    """``--strict``: every finding this call stored as a data-quality warning (``stg_rejected``
    rows whose reason starts with :data:`FINDING_PREFIX`) becomes a problem refusing the load.

    The finding's ``detail`` names the offending item (an SBOM's JSON pointer, say); its
    ``name`` is the organization concerned (an SBOM's buyer), not a value found in the file,
    so it is not shown as one. Row 0 is a finding about the whole file: no row is shown."""
    rows = con.execute(
        "SELECT reason, detail, _source_file, _sheet, _row FROM stg_rejected "
        "WHERE _load_id >= ? AND starts_with(reason, ?) ORDER BY _source_file, _sheet, _row",
        [first_load_id, FINDING_PREFIX],
    ).fetchall()
    if rows:
        raise LoadError(
            [
                Problem(
                    file,
                    f"--strict: {reason.removeprefix(FINDING_PREFIX)}: {detail}",
                    sheet=sheet,
                    row=int(row) if row is not None and row > 0 else None,
                )
                for reason, detail, file, sheet, row in rows
            ]
        )


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
        logger.debug("reading %s (%s)", name, path)
        try:
            check_regular_file(path, name)
            check_size(path, name, limits or ReadLimits())
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        digest = _sha256(path)
        if options.replace and (digest in known or name in known_names):
            superseded.append((name, digest))
        elif digest in known:
            earlier, when = known[digest]
            logger.info("%s: skipped, the same content was loaded before as %s", name, earlier)
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
                logger.debug("%s: read as %s", name, adapter.kind)
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
                logger.debug(
                    "%s%s: %s, header in row %d, %d data rows, columns %s",
                    name,
                    f" [{raw.sheet}]" if raw.sheet else "",
                    mapped.kind,
                    mapped.header_index + 1,
                    mapped.data_rows,
                    ", ".join(mapped.columns),
                )
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
        logger.info("load refused: %d problems in %d files", len(problems), total)
        raise LoadError(problems)
    if not pending:
        report.organizations, report.edges = model_counts(con)
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
                f"{name}: replaces the earlier load of this file ({removed:,} row{'' if removed == 1 else 's'} removed)"
            )
            logger.info("%s: replaces its earlier load (%d rows removed)", name, removed)
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
                problems.extend(validate_sheet(con, item, view, strict=options.strict))
            staged.append((item, digest, view, path))
        if problems:
            logger.info("load refused: %d problems in %d files", len(problems), total)
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
                            confidence=item.confidence,
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
            headers = {c: item.headers[i] for c, i in item.columns.items()}
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
                    headers=headers,
                )
            )
            findings = findings_select(con, item, view)
            if findings is not None:
                _insert_staged(
                    con,
                    "stg_rejected",
                    findings,
                    load_id,
                    item.raw.file,
                    item.raw.sheet,
                    digest,
                    loaded_at,
                )
            where = item.raw.file + (f" [{item.raw.sheet}]" if item.raw.sheet else "")
            unknown = unknown_columns_text(item)
            if unknown is not None:
                report.notes.append(f"{where}: {unknown}")
            merged = scalar(
                con,
                "SELECT count(*) FROM stg_rejected WHERE _load_id = ? AND reason = ?",
                [load_id, DUPLICATES_MERGED],
            )
            if merged:
                report.notes.append(
                    f"{where}: {merged} group(s) of rows repeating the same "
                    + (
                        "organization merged into one"
                        if item.kind == "organizations"
                        else "dependency merged into one edge (values summed, the prudent "
                        "value of the rest, every row kept as evidence)"
                    )
                    + " (listed in Data quality as duplicate_rows_merged; --strict refuses them)"
                )
            load_id += 1
            vendors = vendor_organizations_select(item, view)
            if vendors is not None:
                # The suppliers' identifiers, as organizations rows of the same load.
                report.loaded.append(
                    _store(
                        con,
                        load_id,
                        vendors,
                        "organizations",
                        item.raw.file,
                        item.raw.sheet,
                        digest,
                        path,
                        loaded_at,
                        buyer=item.buyer,
                        encoding=item.raw.encoding,
                        options=read_with,
                        label=f"{item.kind}: organizations",
                        headers={"name": headers.get("supplier", "supplier"), **headers},
                    )
                )
                load_id += 1
        if options.strict:
            _refuse_findings(con, next_id)
        step("resolving organizations", 0, 1)
        rebuild_model(con)
        record_data_version(con)
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the load")
        raise
    finally:
        try:
            for index, (item, _, _) in enumerate(pending):
                if isinstance(item, SourceAdapter):
                    item.drop(con, f"_sheet_{index}")
                else:
                    drop_sheet(con, f"_sheet_{index}")
        except duckdb.Error as cleanup_error:
            # Temporary tables only; after a fatal error (a full disk) the connection refuses
            # everything, and the cause raised above must not be hidden by this.
            logger.info("temporary tables not dropped: %s", cleanup_error)
    step("done", 1, 1)
    report.organizations, report.edges = model_counts(con)
    logger.info(
        "loaded %d rows from %d files; the model holds %d organizations, %d dependencies",
        report.rows,
        len(pending),
        report.organizations,
        report.edges,
    )
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
    confidence: str = "confirmed",
    headers: dict[str, str] | None = None,
) -> SourceLoaded:
    """Insert one sheet's (or one adapter part's) rows with provenance; record the source.

    Text is screened first (:mod:`exposure.warehouse.text_screen`): a control character
    refuses the load, format characters are removed and their rows listed for review.
    """
    table = _STAGING_TABLE[kind]
    screened, columns = screen_select(con, select, file, sheet, headers)
    _insert_staged(con, table, screened, load_id, file, sheet, digest, loaded_at, confidence)
    name_column = "name" if kind == "organizations" else "supplier"
    format_rows = format_rows_select(select, columns, name_column, headers)
    if format_rows is not None:
        _insert_staged(con, "stg_rejected", format_rows, load_id, file, sheet, digest, loaded_at)
    rows = int(scalar(con, f"SELECT count(*) FROM {table} WHERE _load_id = ?", [load_id]))
    where = f"{file} [{sheet}]" if sheet else file
    logger.info("%s: stored %d %s rows into %s (load %d)", where, rows, label, table, load_id)
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
    confidence: str = "confirmed",
) -> None:
    """Insert a SELECT's rows (with ``_row``) into a staging table, adding the provenance.

    A relationship row with no ``confidence`` takes its source's default: ``confidence``
    (confirmed for a sheet, an adapter's own for public data).
    """
    if table == "stg_relationships":
        level = sql_literal(confidence)
        given = [
            column[0] for column in con.execute(f"SELECT * FROM ({select}) LIMIT 0").description
        ]
        if "confidence" in given:
            select = (
                f"SELECT * REPLACE (coalesce(confidence, {level}) AS confidence) FROM ({select})"
            )
        else:
            select = f"SELECT *, {level} AS confidence FROM ({select})"
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
