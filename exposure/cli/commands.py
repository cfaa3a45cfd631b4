"""The ``exposure`` command line: thin commands over the library.

Each command opens the warehouse, calls one library function, prints the result and exits
non-zero on any error, naming the file, sheet, row and column at fault.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import pandas as pd

# Only what the options need is imported here (plain names, no NumPy or pandas), so that
# `exposure --help` starts fast; each command imports the library functions it calls.
from exposure import IMPACT_MODELS, LOAD_KINDS, ExposureError
from exposure.app.defaults import DEFAULT_HOST, DEFAULT_PORT
from exposure.cli.console import (
    console,
    err_console,
    print_assessment,
    print_comparison,
    print_deadline,
    print_demo,
    print_error,
    print_load,
    print_organization,
    print_screening,
    print_status,
    print_uncertainty,
    progress_bar,
    styled,
)

__all__ = ["cli", "main"]


def _fail(exc: Exception) -> None:
    """Print why the command failed and exit: 1 for an error of the input, 2 for another."""
    print_error(exc)
    sys.exit(1 if isinstance(exc, ExposureError) else 2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file (default: $EXPOSURE_DB or ./exposure.duckdb).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log what the library does to stderr: -v each step, -vv the details.",
)
@click.version_option(package_name="exposure")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, verbose: int) -> None:
    """Supply-chain exposure analysis: load dependency data, assess a designation."""
    _configure_logging(ctx, verbose)
    ctx.obj = {"db": db}


def _configure_logging(ctx: click.Context, verbose: int) -> None:
    """With -v, log the library's steps to stderr (INFO); with -vv, the details (DEBUG).

    Without it, only warnings reach stderr, as Python does by default. The handler and level
    are undone when the command ends, so each command line run in one process (as under a
    test runner) starts afresh.
    """
    if not verbose:
        return
    package = logging.getLogger("exposure")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    previous = package.level
    package.addHandler(handler)
    package.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)

    def restore() -> None:
        package.removeHandler(handler)
        package.setLevel(previous)

    ctx.call_on_close(restore)


def _existing_db(ctx: click.Context, why: str = "load data first (exposure load FILE)") -> Path:
    """The database of the command, which must exist already (said with ``why`` if not)."""
    path = _db(ctx)
    if not path.exists():
        raise ExposureError(f"no database at {path}: {why}")
    return path


def _db(ctx: click.Context) -> Path:
    from exposure import default_db_path

    return ctx.obj["db"] or default_db_path()


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--buyer", help="The company whose vendor list this is (sheets with no buyer column)."
)
@click.option(
    "--kind",
    type=click.Choice(LOAD_KINDS),
    help="What the file holds, if its content does not say: a sheet kind, a USAspending subaward "
    "download, a CycloneDX SBOM in JSON or XML (with --buyer), or a SAM.gov Entity Management "
    "extract (sam-entity).",
)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar='"Their Header=column"',
    help="Map a header to a canonical column ('=ignore' drops it). Repeatable.",
)
@click.option("--encoding", help="Text encoding of CSV files (default UTF-8), e.g. cp1252.")
@click.option(
    "--replace",
    is_flag=True,
    help="Supersede earlier loads of a file of the same name (a corrected version, other options).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse a file on any finding that would otherwise be a data-quality warning.",
)
@click.pass_context
def load(
    ctx: click.Context,
    files: tuple[Path, ...],
    buyer: str | None,
    kind: str | None,
    mapping: tuple[str, ...],
    encoding: str | None,
    replace: bool,
    strict: bool,
) -> None:
    """Load spreadsheets (xlsx, xls, csv, parquet), USAspending subaward downloads and
    CycloneDX SBOMs (json) into the database, all or nothing."""
    from exposure import LoadOptions, connect, load_files, parse_mapping

    try:
        options = LoadOptions(
            buyer=buyer,
            kind=kind,  # type: ignore[arg-type]
            mapping=parse_mapping(mapping),
            encoding=encoding,
            replace=replace,
            strict=strict,
        )
        con = connect(_db(ctx))
        try:
            with progress_bar() as progress:
                report = load_files(con, list(files), options, progress=progress)
        finally:
            con.close()
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    print_load(report)


_FORMAT = click.Choice(["table", "csv", "json"])


@cli.command("status")
@click.option("--limit", default=30, show_default=True, help="Data-quality rows to show.")
@click.option(
    "--format",
    "output_format",
    type=_FORMAT,
    default="table",
    show_default=True,
    help="table (for people), csv (the loaded sources) or json (everything), on stdout.",
)
@click.pass_context
def status_command(ctx: click.Context, limit: int, output_format: str) -> None:
    """Show loaded sources with their hashes, counts and data-quality warnings."""
    from exposure import connect, status

    try:
        path = _existing_db(ctx)
        con = connect(path, read_only=True)
        try:
            result = status(con, database=str(path), limit=limit)
        finally:
            con.close()
    except ExposureError as exc:
        _fail(exc)
        return
    if output_format == "json":
        import dataclasses
        import json

        click.echo(json.dumps(dataclasses.asdict(result), indent=2, default=str))
    elif output_format == "csv":
        import pandas as pd

        frame = pd.DataFrame(
            result.sources, columns=["file", "sheet", "kind", "rows", "sha256", "loaded_at"]
        )
        click.echo(frame.to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S"), nl=False)
    else:
        print_status(result)


_DATE = click.DateTime(formats=["%Y-%m-%d"])
_MODEL = click.Choice(IMPACT_MODELS)
_MODEL_HELP = "Impact model: the product-scoped cascade (default) or a reference model."
_ONLY_HELP = (
    "Designation covers only dependencies meeting this (repeatable; all must hold): "
    "deployment=edge,embedded, environment>=il6, use=targeting, operator=host."
)
_EXCEPT_HELP = "Designation exempts dependencies meeting this (repeatable): operator=host."
_UNKNOWN_HELP = "Dependencies whose fact a scope clause reads is blank: in scope (default) or out."


def _scope_options(function: Callable[..., None]) -> Callable[..., None]:
    """The scope-clause options shared by designate and assess."""
    function = click.option(
        "--unknown", "unknown_scope", type=click.Choice(["in", "out"]), help=_UNKNOWN_HELP
    )(function)
    function = click.option(
        "--except", "except_", multiple=True, metavar="CLAUSE", help=_EXCEPT_HELP
    )(function)
    return click.option("--only", multiple=True, metavar="CLAUSE", help=_ONLY_HELP)(function)


@cli.command("designate")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--scenario", "scenario_name", default="default", show_default=True, help="Scenario to add to."
)
@click.option("--effective", type=_DATE, help="Effective date (YYYY-MM-DD).")
@click.option(
    "--transition-days", type=click.IntRange(min=0), help="Days to cut ties (default 180)."
)
@click.option(
    "--scope", type=click.Choice(["dod", "all"]), help="Ties that oblige: DoD-use only, or all."
)
@click.option(
    "--noncompliant", is_flag=True, help="Add them as non-compliant intermediaries instead."
)
@click.option("--model", type=_MODEL, help=_MODEL_HELP)
@click.option("--remove", is_flag=True, help="Remove these organizations from the scenario.")
@_scope_options
@click.pass_context
def designate_command(
    ctx: click.Context,
    names: tuple[str, ...],
    scenario_name: str,
    effective: datetime | None,
    transition_days: int | None,
    scope: str | None,
    noncompliant: bool,
    model: str | None,
    remove: bool,
    only: tuple[str, ...],
    except_: tuple[str, ...],
    unknown_scope: str | None,
) -> None:
    """Store designated (or non-compliant) organizations under a scenario name.

    --only and --except set the scenario's scope clauses (replacing any it had); --remove
    takes the organizations out of the scenario instead.
    """
    from exposure import connect, designate, load_spec, parse_clauses, undesignate

    if remove:
        try:
            con = connect(_existing_db(ctx))
            try:
                removed = undesignate(con, scenario_name, names)
            finally:
                con.close()
        except ExposureError as exc:
            _fail(exc)
            return
        for name in removed:
            console.print(f"scenario '{scenario_name}': {name} removed")
        return
    try:
        clauses = parse_clauses(only, except_) if only or except_ else None
        con = connect(_db(ctx))
        try:
            canonical = designate(
                con,
                scenario_name,
                names,
                role="noncompliant" if noncompliant else "designated",
                effective=effective.date() if effective else None,
                transition_days=transition_days,
                scope=scope,  # type: ignore[arg-type]
                model=model,  # type: ignore[arg-type]
                clauses=clauses,
                unknown_scope=unknown_scope,  # type: ignore[arg-type]
            )
            spec = load_spec(con, scenario_name)
        finally:
            con.close()
    except ExposureError as exc:
        _fail(exc)
        return
    role = "non-compliant" if noncompliant else "designated"
    for name in canonical:
        console.print(f"scenario '{scenario_name}': {name} {role}")
    console.print(f"scenario '{scenario_name}': {spec.scope_words}")


@cli.command("assess")
@click.option(
    "--scenario", "scenario_name", help="A stored scenario, or a designation list of seeds/."
)
@click.option(
    "--designate", "designated", multiple=True, help="Designate this organization (repeatable)."
)
@click.option(
    "--noncompliant", multiple=True, help="This organization keeps serving: it will not comply."
)
@click.option(
    "--scope", type=click.Choice(["dod", "all"]), help="Ties that oblige: DoD-use only, or all."
)
@click.option("--transition-days", type=click.IntRange(min=0), help="Days to cut ties.")
@click.option("--effective", type=_DATE, help="Effective date (YYYY-MM-DD).")
@click.option("--model", type=_MODEL, help=_MODEL_HELP)
@click.option(
    "--for",
    "for_name",
    help="One organization's own assessment: its exposures, chains, contracts, plan, reports.",
)
@click.option(
    "--identified",
    type=_DATE,
    help="Date the exposures count as identified, for report due dates (default: today, or "
    "the effective date if later).",
)
@click.option(
    "--as-of",
    "as_of",
    type=_DATE,
    help="Date the assessment speaks for (default today): past the deadline every open "
    "exposed dependency is overdue, and every output says by how many days.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the assessment: report.xlsx (the workbook), .csv or .parquet (affected, ranked) "
    "or .json.",
)
@click.option("--top", default=15, show_default=True, help="Affected organizations to print.")
# --- Spark backend (exposure[spark], docs/scale.md) ---
@click.option(
    "--engine",
    type=click.Choice(["numpy", "spark"]),
    default="numpy",
    show_default=True,
    help="Reach on this machine's NumPy engine, or on Apache Spark (pip install exposure[spark]).",
)
@click.option(
    "--orgs",
    "orgs_parquet",
    type=click.Path(path_type=Path),
    help="Spark: organizations Parquet (no database).",
)
@click.option(
    "--edges",
    "edges_parquet",
    type=click.Path(path_type=Path),
    help="Spark: edges Parquet (no database).",
)
@click.option(
    "--results",
    type=click.Path(file_okay=False, path_type=Path),
    help="Spark on Parquet: write the results here.",
)
@click.option(
    "--format",
    "output_format",
    type=_FORMAT,
    default="table",
    show_default=True,
    help="What to print on stdout: table (for people), csv (the ranked affected "
    "organizations) or json (the SPEC 5.1 assessment).",
)
@_scope_options
@click.option(
    "--compare-to",
    "compare_to",
    metavar="SCENARIO",
    help="Also assess this stored scenario and print how the headline figures differ from it.",
)
@click.option(
    "--samples",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Monte Carlo samples over the links the data is not sure of (0: none): P(exposed) "
    "per organization and value-at-risk ranges.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the Monte Carlo.")
@click.option(
    "--p-unknown",
    type=click.FloatRange(0, 1),
    help="Probability that a link of unknown confidence (an unanswered supplier) exists "
    "(default 0.3, or the share of yes among campaign answers).",
)
@click.option(
    "--p-inferred", type=click.FloatRange(0, 1), help="Probability of an inferred link (0.5)."
)
@click.option(
    "--p-reported", type=click.FloatRange(0, 1), help="Probability of a reported link (0.9)."
)
@click.pass_context
def assess_command(
    ctx: click.Context,
    scenario_name: str | None,
    designated: tuple[str, ...],
    noncompliant: tuple[str, ...],
    scope: str | None,
    transition_days: int | None,
    effective: datetime | None,
    model: str | None,
    for_name: str | None,
    identified: datetime | None,
    as_of: datetime | None,
    out: Path | None,
    top: int,
    output_format: str,
    only: tuple[str, ...],
    except_: tuple[str, ...],
    unknown_scope: str | None,
    compare_to: str | None,
    samples: int,
    seed: int,
    p_unknown: float | None,
    p_inferred: float | None,
    p_reported: float | None,
    engine: str,
    orgs_parquet: Path | None,
    edges_parquet: Path | None,
    results: Path | None,
) -> None:
    """Assess a designation: who is exposed, through which chain, by when.

    --only and --except narrow the scenario's scope further (all clauses must hold).
    """
    from exposure import (
        assess,
        build_report,
        compare_runs,
        connect,
        parse_clauses,
        report_text,
        resolve_org,
        spec_for,
        write_report,
    )

    if orgs_parquet or edges_parquet or results:  # Spark on Parquet, no database
        _spark_assess_parquet(locals())
        return
    try:
        if out is not None:
            if out.suffix.lower() not in (".xlsx", ".csv", ".json", ".parquet"):
                raise ExposureError(
                    f"cannot write '{out.name}': --out takes a .xlsx, .csv, .json or .parquet file"
                )
            if not out.resolve().parent.is_dir():
                raise ExposureError(f"cannot write {out}: the folder {out.parent} does not exist")
        path = _db(ctx)
        con = connect(path)
        try:
            spec = spec_for(
                con,
                scenario_name,
                designated=designated,
                noncompliant=noncompliant,
                scope=scope,
                transition_days=transition_days,
                effective=effective.date() if effective else None,
                model=model,
                clauses=parse_clauses(only, except_) if only or except_ else None,
                unknown_scope=unknown_scope,
                p_unknown=p_unknown,
                p_inferred=p_inferred,
                p_reported=p_reported,
            )
            detail = resolve_org(con, for_name) if for_name else None
            baseline = spec_for(con, compare_to) if compare_to else None
            with progress_bar() as progress:
                run = assess(
                    con,
                    spec,
                    cache_key=str(path.resolve()),
                    progress=progress,
                    samples=samples,
                    seed=seed,
                    engine=engine,
                )
                # The network's JSON and the printed ranking need only the run: the tables
                # (seconds at scale) are built for the formats and sections that show them.
                tables = None
                if (
                    detail is not None
                    or samples > 0
                    or as_of is not None
                    or output_format != "table"
                    or _needs_tables(out)
                ):
                    progress("building the report's tables", 0, 1)
                    tables = build_report(
                        con,
                        run,
                        for_org=detail,
                        identified=identified.date() if identified else None,
                        as_of=as_of.date() if as_of else None,
                    )
            diff = None
            if baseline is not None:
                base_run = assess(con, baseline, cache_key=str(path.resolve()), store=False)
                diff = compare_runs(base_run, run)
        finally:
            con.close()
        if out is not None:
            with progress_bar() as progress:
                write_report(run, tables, out, progress=progress)
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    if output_format != "table" and tables is not None:
        click.echo(report_text(run, tables, output_format), nl=False)
        if out is not None:
            err_console.print(f"wrote {out}")
        return
    if tables is not None and detail is not None:  # the organization first, then the network
        print_organization(tables)
    ranked = print_assessment(run, top)
    print_deadline(run, tables)
    if diff is not None:
        print_comparison(diff, base_words=base_run.scope_words)
    print_uncertainty(run, tables, top, ranked)
    if out is not None:
        console.print(f"wrote {out}")


def _needs_tables(out: Path | None) -> bool:
    """Whether writing ``out`` needs the report's tables (all formats but the JSON)."""
    return out is not None and out.suffix.lower() != ".json"


# --- Spark backend (exposure[spark], docs/scale.md): export, assess on Parquet, report --from ---


def _spark_assess_parquet(args: dict[str, Any]) -> None:
    """``exposure assess --engine spark --orgs O --edges E --results DIR``."""
    try:
        if args["engine"] != "spark" or not (
            args["orgs_parquet"] and args["edges_parquet"] and args["results"]
        ):
            raise ExposureError("--orgs, --edges and --results go together, with --engine spark")
        if args["scenario_name"] or args["for_name"] or args["out"]:
            raise ExposureError(
                "on Parquet, name the organizations with --designate and write the report "
                "with exposure report --from (--scenario, --for and --out need the database)"
            )
        from exposure import assess_parquet

        summary = assess_parquet(
            orgs=args["orgs_parquet"],
            edges=args["edges_parquet"],
            results=args["results"],
            designated=args["designated"],
            noncompliant=args["noncompliant"],
            scope=args["scope"] or "all",
            effective=args["effective"].date() if args["effective"] else None,
            transition_days=args["transition_days"],
            model=args["model"],
        )
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    console.print(
        f"{summary.exposed_organizations} of {summary.organizations} organizations and "
        f"{summary.exposed_edges} of {summary.edges} edges exposed, {summary.levels} levels, "
        f"{summary.seconds:.1f} s; wrote {summary.folder}"
    )


@cli.command("export")
@click.option(
    "--parquet",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for orgs.parquet, edges.parquet and model.json.",
)
@click.pass_context
def export_command(ctx: click.Context, folder: Path) -> None:
    """Write the loaded model (organizations, edges with products and attributes) as Parquet."""
    from exposure import connect, export_parquet

    try:
        path = _existing_db(ctx)
        con = connect(path, read_only=True)
        try:
            written = export_parquet(con, folder)
        finally:
            con.close()
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    console.print(
        f"wrote {written['organizations']} organizations and {written['edges']} edges to {folder}"
    )


@cli.command("report")
@click.option(
    "--from",
    "results",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A results folder of exposure assess --engine spark --results.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="report.xlsx (the workbook), .csv (affected) or .json.",
)
@click.pass_context
def report_command(ctx: click.Context, results: Path, out: Path) -> None:
    """Write the workbook, CSV or JSON of Spark results, with the database's model."""
    from exposure import connect, report_from

    try:
        path = _existing_db(ctx, "the report needs the loaded model")
        con = connect(path)
        try:
            report_from(con, results, out)
        finally:
            con.close()
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    console.print(f"wrote {out}")


# --- end of the Spark backend's commands ---


@cli.command("screen")
@click.argument("list_file", type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write matches.json or .csv."
)
@click.option(
    "--designate-confirmed",
    "scenario_name",
    metavar="SCENARIO",
    help="Designate the organizations with a confirmed match in force, in this stored scenario.",
)
@click.option("--as-of", type=_DATE, help="Date the exclusions must be in force (default today).")
@click.option(
    "--fuzzy-threshold",
    type=click.FloatRange(50, 100),
    default=None,
    help="Lowest rapidfuzz token_sort_ratio (0-100) listed as a fuzzy candidate (default 88).",
)
@click.option("--encoding", help="Text encoding of the list (default UTF-8), e.g. cp1252.")
@click.option("--top", default=40, show_default=True, help="Matches to print.")
@click.pass_context
def screen_command(
    ctx: click.Context,
    list_file: Path,
    out: Path | None,
    scenario_name: str | None,
    as_of: datetime | None,
    fuzzy_threshold: float | None,
    encoding: str | None,
    top: int,
) -> None:
    """Screen the loaded organizations against a SAM.gov exclusions extract or FASCSA orders."""
    from exposure import (
        FUZZY_THRESHOLD,
        connect,
        designate_confirmed,
        screen,
        store_screening,
        write_matches,
    )

    designated: list[str] = []
    refusal: ExposureError | None = None
    try:
        path = _existing_db(ctx)
        con = connect(path)
        try:
            with progress_bar() as progress:
                result = screen(
                    con,
                    list_file,
                    as_of=as_of.date() if as_of else None,
                    fuzzy_threshold=fuzzy_threshold or FUZZY_THRESHOLD,
                    encoding=encoding,
                    progress=progress,
                )
                store_screening(con, result)
            if scenario_name:
                try:
                    designated = designate_confirmed(con, result, scenario_name)
                except ExposureError as exc:  # nothing confirmed: the screening still shows
                    refusal = exc
        finally:
            con.close()
        if out is not None:
            write_matches(result, out)
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    print_screening(result, top)
    for name in designated:
        console.print(f"scenario '{scenario_name}': {name} designated")
    if out is not None:
        console.print(f"wrote {out}")
    if refusal is not None:
        _fail(refusal)


# --- the review queue (issue 13.6) ---


@cli.group("review")
def review_group() -> None:
    """Decide the candidates tools never decide alone: near misses of names (N-...) and
    screening matches no rule confirmed (S-...). A decision is stored with who, when and a
    note, applied at every rebuild, listed in Data quality, and can be undone."""


def _print_queue(frame: Any, title: str) -> None:
    from rich.table import Table
    from rich.text import Text

    from exposure.app.text import printable

    if frame.empty:
        console.print(f"{title}: none")
        return
    table = Table(title=Text(f"{title} ({len(frame)})"))
    for column in ("item", "kind", "state", "name", "candidate", "score", "why", "where"):
        table.add_column(column)
    for row in frame.to_dict("records"):
        score = row["score"]
        cells = [
            row["item"],
            row["kind"],
            row["state"],
            row["name"],
            row["candidate"],
            f"{score:.0f}" if isinstance(score, float) and score == score else "",
            row["why"],
            row["where"] if isinstance(row["where"], str) else "",
        ]
        table.add_row(*(Text(printable("" if c is None else c)) for c in cells))
    console.print(table)


@review_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also list the decisions in force.")
@click.option(
    "--kind", type=click.Choice(["name", "screening"]), help="Only near misses or screening."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table (for people) or json (for scripts), on stdout.",
)
@click.pass_context
def review_list(ctx: click.Context, show_all: bool, kind: str | None, output_format: str) -> None:
    """List the candidates waiting for a decision (with --all, the decisions too)."""
    from exposure import connect, review_queue

    try:
        con = connect(_existing_db(ctx), read_only=True)
        try:
            frame = review_queue(con, decided=show_all, kind=kind)
        finally:
            con.close()
    except ExposureError as exc:
        _fail(exc)
        return
    if output_format == "json":
        click.echo(frame.to_json(orient="records", date_format="iso", indent=2))
        return
    _print_queue(frame, "Review candidates" if show_all else "Waiting for review")
    if not frame.empty and (frame["state"] == "pending").any():
        console.print(
            "decide with `exposure review accept ID... --note TEXT` or `exposure review "
            "reject ID... --note TEXT`"
        )


def _apply_review(
    ctx: click.Context, change: Callable[[Any], pd.DataFrame], done: str | None = None
) -> pd.DataFrame | None:
    """Open the database, make a decision (or undo one), print each item's outcome and the
    designations it touched; None when it was refused (after saying why)."""
    from exposure import connect

    try:
        con = connect(_existing_db(ctx))
        try:
            frame = change(con)
        finally:
            con.close()
    except ExposureError as exc:
        _fail(exc)
        return None
    for row in frame.to_dict("records"):
        console.print(f"{row['item']}: {done.format(state=row['state']) if done else row['why']}")
        if row.get("designations"):
            console.print(f"{row['item']}: {row['designations']}")
    return frame


def _decide(ctx: click.Context, items: tuple[str, ...], decision: str, note: str | None,
            by: str | None) -> None:  # fmt: skip
    from exposure import decide_review

    frame = _apply_review(
        ctx,
        lambda con: decide_review(con, items, decision, note=note, by=by),  # type: ignore[arg-type]
    )
    if frame is not None and decision == "accept" and (frame["kind"] == "screening").any():
        console.print(
            "the accepted matches are confirmed; `exposure screen LIST --designate-confirmed "
            "SCENARIO` designates them"
        )


_NOTE = click.option("--note", help="Why (kept with the decision and shown in Data quality).")
_BY = click.option("--by", help="Who decides (default: the operating-system user).")


@review_group.command("accept")
@click.argument("items", nargs=-1, required=True)
@_NOTE
@_BY
@click.pass_context
def review_accept(ctx: click.Context, items: tuple[str, ...], note: str | None,
                  by: str | None) -> None:  # fmt: skip
    """Accept candidates: a near miss makes the names one organization, a screening match is
    confirmed."""
    _decide(ctx, items, "accept", note, by)


@review_group.command("reject")
@click.argument("items", nargs=-1, required=True)
@_NOTE
@_BY
@click.pass_context
def review_reject(ctx: click.Context, items: tuple[str, ...], note: str | None,
                  by: str | None) -> None:  # fmt: skip
    """Reject candidates: they are different organizations, or not the listed party."""
    _decide(ctx, items, "reject", note, by)


@review_group.command("undo")
@click.argument("items", nargs=-1, required=True)
@_BY
@click.pass_context
def review_undo(ctx: click.Context, items: tuple[str, ...], by: str | None) -> None:
    """Undo the decisions in force on candidates: they wait for review again."""
    from exposure import undo_review

    _apply_review(
        ctx,
        lambda con: undo_review(con, items, by=by),
        "{state} decision undone; pending again",
    )


@review_group.command("history")
@click.pass_context
def review_history_command(ctx: click.Context) -> None:
    """Every decision ever made, undone ones included, newest first."""
    from exposure import connect, review_history

    try:
        con = connect(_existing_db(ctx), read_only=True)
        try:
            frame = review_history(con)
        finally:
            con.close()
    except ExposureError as exc:
        _fail(exc)
        return
    if frame.empty:
        console.print("no review decision yet")
        return
    for row in frame.to_dict("records"):
        undone = (
            f"; undone by {row['undone_by']} on {row['undone_at']:%Y-%m-%d %H:%M} UTC"
            if isinstance(row["undone_by"], str)
            else ""
        )
        note = f" ({row['note']})" if isinstance(row["note"], str) else ""
        console.print(
            f"{row['decided_at']:%Y-%m-%d %H:%M} UTC {row['item']} {row['decision']} by "
            f"{row['decided_by']}{note}: {row['name']} / {row['candidate']}{undone}"
        )


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
    """Load sample_data/ into a fresh database, assess the 2026 designation, write the report."""
    from exposure import run_demo

    path = ctx.obj["db"] or Path("exposure-demo.duckdb")
    if path.exists() and "demo" not in path.name.lower():
        _fail(
            ExposureError(
                f"refusing to replace {path}: the demo recreates its database from scratch. "
                "Give it a file whose name contains 'demo' (the default is exposure-demo.duckdb)"
            )
        )
        return
    workbook_path = path.with_name("exposure-demo-assessment.xlsx")
    json_path = path.with_name("exposure-demo-assessment.json")
    seat_path = path.with_name("exposure-demo-meridian.xlsx")
    try:
        with progress_bar() as progress:
            result = run_demo(
                path,
                sample_dir=sample_dir,
                report=workbook_path,
                also=(json_path,),
                progress=progress,
                seat_report=seat_path,
            )
    except (ExposureError, OSError) as exc:
        _fail(exc)
        return
    print_demo(result, workbook=workbook_path, json_path=json_path)
    # ---- Dashboard hand-off -------------------------------------------------------------
    # The demo's last step: start the dashboard on localhost unless --no-dashboard. The
    # dashboard's work replaces the line below with that start; keep it the final step.
    if not no_dashboard:
        _serve_demo(path)


def _serve(path: Path, host: str, port: int, *, scenario: str | None = None) -> None:
    """Run the dashboard on a database until interrupted (Ctrl+C)."""
    from exposure.app.defaults import MAX_UPLOAD_MB
    from exposure.app.server import app_path, run_dashboard

    try:
        app_path()
    except ExposureError as exc:
        _fail(exc)
        return
    shown = "localhost" if host in ("127.0.0.1", "localhost", "::1") else host
    console.print(
        f"dashboard: http://{shown}:{port} on {path} (uploads up to {MAX_UPLOAD_MB} MB; "
        "Ctrl+C stops it)"
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            styled(
                ("Warning", "bold yellow"),
                f": listening on {host}: anyone who can reach this machine can use the "
                "dashboard unless login is configured (docs/dashboard.md)",
            )
        )
    extra = {"EXPOSURE_DASHBOARD_SCENARIO": scenario} if scenario else None
    code = run_dashboard(path, host=host, port=port, extra_env=extra)
    if code not in (0, -2, 130):
        sys.exit(code)


def _serve_demo(path: Path) -> None:
    """The demo's last step: the dashboard on the demo database, opened on its scenario."""
    from exposure import DEMO_SCENARIO

    _serve(path.resolve(), DEFAULT_HOST, DEFAULT_PORT, scenario=DEMO_SCENARIO)


@cli.command("dashboard")
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on; the default serves this machine only.",
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--scenario",
    "scenario_name",
    help="Open on this stored scenario or designation list of seeds/ (named explicitly).",
)
@click.pass_context
def dashboard_command(ctx: click.Context, host: str, port: int, scenario_name: str | None) -> None:
    """Serve the Streamlit dashboard on the database (Ctrl+C stops it)."""
    _serve(_db(ctx).resolve(), host, port, scenario=scenario_name)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point.

    The commands report errors of the input themselves. Any other exception (a bug) prints
    one line, ``error: <message> (details in <path>)``, and exits 1; the full traceback goes
    to ``exposure-error-<timestamp>-<pid>.log`` in the system temporary folder
    (:func:`tempfile.gettempdir`, e.g. ``/tmp``), which a bug report can attach.
    """
    try:
        return cli.main(args=argv, prog_name="exposure")
    except Exception as exc:  # not SystemExit or KeyboardInterrupt: those are BaseException
        try:
            where = f"details in {_write_crash_log(exc, sys.argv[1:] if argv is None else argv)}"
        except OSError as log_error:
            where = f"no log written: {log_error}"
        click.echo(f"error: {str(exc) or type(exc).__name__} ({where})", err=True)
        sys.exit(1)


def _write_crash_log(exc: Exception, argv: list[str]) -> Path:
    """Write the traceback of an unexpected error to a new file in the temporary folder."""
    import os
    import tempfile
    import traceback

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = Path(tempfile.gettempdir()) / f"exposure-error-{stamp}-{os.getpid()}.log"
    path.write_text(
        f"exposure {' '.join(argv)}\n\n" + "".join(traceback.format_exception(exc)),
        encoding="utf-8",
    )
    return path


if __name__ == "__main__":  # pragma: no cover
    main()
