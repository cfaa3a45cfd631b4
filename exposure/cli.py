"""The ``exposure`` command line: thin commands over the library.

Each command opens the warehouse, calls one library function, prints the result and exits
non-zero on any error, naming the file, sheet, row and column at fault.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from exposure.errors import ExposureError, LoadError
from exposure.ingest import LoadOptions, parse_mapping
from exposure.schema import SHEET_KINDS
from exposure.warehouse import LoadReport, Status, connect, default_db_path, load_files, status

__all__ = ["cli", "main"]

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar driven by the library's (label, done, total) callbacks."""
    disabled = not console.is_terminal and not os.environ.get("EXPOSURE_PROGRESS")
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=disabled,
    ) as progress:
        task = progress.add_task("starting", total=1)

        def update(label: str, done: int, total: int) -> None:
            progress.update(task, description=label, completed=done, total=max(total, 1))

        yield update


def _fail(exc: Exception) -> None:
    if isinstance(exc, LoadError):
        err_console.print(
            f"[bold red]Load refused[/]: {len(exc.problems)} problem(s); nothing was loaded."
        )
        for problem in exc.problems[:100]:
            err_console.print(f"  - {problem}", markup=False)
        if len(exc.problems) > 100:
            err_console.print(f"  ... and {len(exc.problems) - 100} more")
    else:
        err_console.print(f"[bold red]Error[/]: {exc}", markup=True)
    sys.exit(1 if isinstance(exc, ExposureError) else 2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file (default: $EXPOSURE_DB or ./exposure.duckdb).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what the library does.")
@click.version_option(package_name="exposure")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, verbose: bool) -> None:
    """Supply-chain exposure analysis: load dependency data, assess a designation."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    ctx.obj = {"db": db}


def _db(ctx: click.Context) -> Path:
    return ctx.obj["db"] or default_db_path()


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--buyer", help="The company whose vendor list this is (sheets with no buyer column)."
)
@click.option(
    "--kind", type=click.Choice(SHEET_KINDS), help="What the file holds, if its headers do not say."
)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar='"Their Header=column"',
    help="Map a header to a canonical column ('=ignore' drops it). Repeatable.",
)
@click.option("--encoding", help="Text encoding of CSV files (default UTF-8), e.g. cp1252.")
@click.pass_context
def load(
    ctx: click.Context,
    files: tuple[Path, ...],
    buyer: str | None,
    kind: str | None,
    mapping: tuple[str, ...],
    encoding: str | None,
) -> None:
    """Load spreadsheets (xlsx, xls, csv, parquet) into the database, all or nothing."""
    try:
        options = LoadOptions(
            buyer=buyer,
            kind=kind,  # type: ignore[arg-type]
            mapping=parse_mapping(mapping),
            encoding=encoding,
        )
        con = connect(_db(ctx))
        try:
            with _progress() as progress:
                report = load_files(con, list(files), options, progress=progress)
        finally:
            con.close()
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    _print_load(report)


def _print_load(report: LoadReport) -> None:
    for source in report.loaded:
        where = source.file + (f" [{source.sheet}]" if source.sheet else "")
        console.print(
            f"loaded {where}: {source.rows} {source.kind} rows (sha256 {source.sha256[:12]})",
            markup=False,
        )
    for name, reason in report.skipped:
        console.print(f"skipped {name}: {reason}", markup=False)
    for note in report.notes:
        console.print(f"note: {note}", markup=False)
    console.print(
        f"the network now has {report.organizations} organizations and {report.edges} dependencies"
    )
    if report.data_quality:
        issues = ", ".join(
            f"{count} {issue.replace('_', ' ')}" for issue, count in report.data_quality.items()
        )
        console.print(f"data quality: {issues} (see `exposure status`)")


@cli.command("status")
@click.option("--limit", default=30, show_default=True, help="Data-quality rows to show.")
@click.pass_context
def status_command(ctx: click.Context, limit: int) -> None:
    """Show loaded sources with their hashes, counts and data-quality warnings."""
    try:
        path = _db(ctx)
        con = connect(path)
        try:
            result = status(con, database=str(path), limit=limit)
        finally:
            con.close()
    except ExposureError as exc:
        _fail(exc)
        return
    print_status(result)


def print_status(result: Status) -> None:
    """Print a :class:`Status` as rich tables."""
    console.print(
        f"[bold]database[/] {result.database}   [bold]data version[/] {result.data_version}"
    )
    sources = Table(title="Sources loaded", show_lines=False)
    for column in ("file", "sheet", "kind", "rows", "sha256", "loaded at (UTC)"):
        sources.add_column(column)
    for source in result.sources:
        sources.add_row(
            str(source["file"]),
            str(source["sheet"] or ""),
            str(source["kind"]),
            str(source["rows"]),
            str(source["sha256"])[:16],
            f"{source['loaded_at']:%Y-%m-%d %H:%M:%S}",
        )
    console.print(sources)
    console.print(
        f"[bold]{result.organizations}[/] organizations, [bold]{result.edges}[/] dependencies"
    )
    if result.kinds:
        console.print("by kind: " + ", ".join(f"{k} {v}" for k, v in result.kinds.items()))
    if result.relations:
        console.print("by relation: " + ", ".join(f"{k} {v}" for k, v in result.relations.items()))
    console.print("reference data: " + ", ".join(f"{k} {v}" for k, v in result.reference.items()))
    if result.data_quality:
        quality = Table(title="Data quality (review these)")
        for column in ("issue", "name", "detail", "where"):
            quality.add_column(column)
        for item in result.data_quality:
            where = ", ".join(
                str(part)
                for part in (
                    item["file"],
                    item["sheet"] and f"sheet {item['sheet']}",
                    item["row"] and f"row {item['row']}",
                )
                if part
            )
            quality.add_row(
                str(item["issue"]).replace("_", " "),
                str(item["name"] or ""),
                str(item["detail"]),
                where,
            )
        console.print(quality)
    else:
        console.print("data quality: no warnings")


@cli.command()
@click.option("--no-dashboard", is_flag=True, help="Stop after the report (for scripts and CI).")
@click.option(
    "--sample-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of sample files (default: the project's sample_data/).",
)
@click.pass_context
def demo(ctx: click.Context, no_dashboard: bool, sample_dir: Path | None) -> None:
    """Load sample_data/ into a fresh demo database and show what it holds."""
    from exposure.demo import run_demo

    path = ctx.obj["db"] or Path("exposure-demo.duckdb")
    try:
        with _progress() as progress:
            result = run_demo(path, sample_dir=sample_dir, progress=progress)
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    for report in result.reports:
        _print_load(report)
    print_status(result.status)
    console.print(f"demo database: {path} (fresh; query it with `exposure --db {path} status`)")
    if not no_dashboard:
        console.print("the dashboard arrives in a later release; nothing more to start")


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="exposure")


if __name__ == "__main__":  # pragma: no cover
    main()
