"""The one path of data: warehouse -> graph -> engine -> impact -> report.

Every surface calls these functions and nothing lower: the command line, the demo, each
dashboard page and its download. :func:`assess` runs a scenario on the warehouse (and keeps the
run in ``res_runs`` when the connection can write); :func:`build_report` turns a run
into the report's tables (one frame per sheet, optionally from one organization's seat);
:func:`write_report` writes the run by the file's extension (xlsx, csv, json, parquet);
:func:`report_download` does the same for a download (with the workbook's companion files,
zipped, when its tables pass Excel's row limit).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from exposure.core.errors import ExposureError
from exposure.core.sql import is_read_only
from exposure.model.choices import CONFIDENCE
from exposure.model.engine import DAYS_PER_MONTH, DESIGNATED, NONCOMPLIANT
from exposure.model.engine import assess as run_engine
from exposure.model.impact import model_impact
from exposure.model.run import AssessmentRun
from exposure.model.scenario import ScenarioSpec
from exposure.model.uncertainty import simulate, undocumented
from exposure.report.outputs import write_report as _write
from exposure.report.tables import AssessmentTables, build_tables
from exposure.warehouse.graph_store import load_graph
from exposure.warehouse.results import store_results
from exposure.warehouse.scenarios import build_scenario, link_probabilities

__all__ = [
    "Progress",
    "assess",
    "build_report",
    "report_bytes",
    "report_download",
    "report_text",
    "write_report",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called with (step name, steps done, steps in all) as long work advances."""


def _silent(_label: str, _done: int, _total: int) -> None:
    return None


def assess(
    con: duckdb.DuckDBPyConnection,
    spec: ScenarioSpec,
    *,
    cache_key: str | None = None,
    store: bool = True,
    progress: Progress | None = None,
    samples: int = 0,
    seed: int = 0,
    engine: str = "numpy",
) -> AssessmentRun:
    """Run a scenario: resolve its names, build (or reuse) the graph, reach, contagion, impact.

    Links of ``unknown`` confidence are left out of the reach; the organizations they alone
    would expose are marked undocumented. With ``samples`` > 0 a Monte Carlo over the
    uncertain links (seeded by ``seed``) gives P(exposed) and value-at-risk ranges
    (:mod:`exposure.model.uncertainty`), with the spec's link probabilities.

    Impact comes from the spec's ``model``. With ``store`` (the default) the run is kept in
    ``res_runs`` unless the connection is read-only, in which case nothing is
    written. ``cache_key`` (the database path) keeps the built graph in memory per data version.
    """
    step = progress or _silent
    step("resolving names", 0, 4)
    scenario, notes = build_scenario(con, spec)
    step("building the graph", 1, 4)
    graph = load_graph(con, cache_key=cache_key)
    step("propagating the designation", 2, 4)
    if engine == "spark":  # the optional backend, exposure[spark] (docs/scale.md)
        if scenario.clauses or bool((graph.confidence == CONFIDENCE.index("unknown")).any()):
            raise ExposureError(
                "the Spark backend does not apply scope clauses (--only, --except) or leave out "
                "unanswered links yet; assess this scenario with the default engine"
            )
        from exposure.spark import assess as assess_on_spark

        result = assess_on_spark(graph, scenario)
    else:
        result = run_engine(graph, scenario)
    sources = (result.status == DESIGNATED) | (result.status == NONCOMPLIANT)
    impact = model_impact(graph, sources, result.exposed_edges, spec.model)
    for org in result.ignored_noncompliant:
        notes.append(
            f"{graph.names[org]}: named non-compliant but has no tie to cut with a designated "
            "organization, so it changes nothing"
        )
    hidden = undocumented(graph, scenario, result)
    simulated = None
    if samples > 0:
        step("sampling uncertain links", 3, 4)
        probabilities = link_probabilities(con, spec)
        late_if_lost = graph.replacement_months > scenario.transition_days / DAYS_PER_MONTH
        simulated = simulate(
            graph,
            sources,
            late_if_lost,
            probabilities,
            samples=samples,
            seed=seed,
            in_scope=result.in_scope,
        )
    run = AssessmentRun(
        spec, scenario, graph, result, impact, notes, undocumented=hidden, uncertainty=simulated
    )
    if store and not is_read_only(con):
        step("storing the results", 3, 4)
        store_results(con, run)
    step("assessed", 4, 4)
    logger.info(
        "assessed %s: %d organizations affected", spec.name, int((result.status != 0).sum())
    )
    return run


def build_report(
    con: duckdb.DuckDBPyConnection,
    run: AssessmentRun,
    *,
    for_org: int | None = None,
    identified: date | None = None,
    as_of: date | None = None,
) -> AssessmentTables:
    """The report's tables for a run, for the whole network or from one organization's seat.

    ``as_of`` is the date the report speaks for (default today): past the deadline, every
    open exposed dependency is overdue, and every sheet says by how many days.
    """
    return build_tables(con, run, for_org=for_org, identified=identified, as_of=as_of)


def write_report(
    run: AssessmentRun,
    tables: AssessmentTables | None,
    path: Path | str,
    *,
    progress: Progress | None = None,
) -> Path:
    """Write the run by the file's extension: ``.xlsx``, ``.csv``, ``.json`` or ``.parquet``.

    ``tables`` come from :func:`build_report` of the same run; the JSON's ``for`` section is
    written when they were built for one organization. The network's JSON needs only the run
    (``tables`` ``None`` spares building them).
    """
    return _write(run, Path(path), tables=tables, progress=progress)


def report_text(run: AssessmentRun, tables: AssessmentTables, suffix: str) -> str:
    """The report of :func:`write_report` as text (``suffix``: csv or json), for stdout."""
    folder = Path(tempfile.mkdtemp(prefix="exposure-report-"))
    try:
        path = folder / f"assessment.{suffix.lstrip('.')}"
        write_report(run, tables, path)
        return path.read_text(encoding="utf-8")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report_download(
    con: duckdb.DuckDBPyConnection,
    run: AssessmentRun,
    suffix: str,
    *,
    stem: str = "assessment",
    for_org: int | None = None,
    identified: date | None = None,
    as_of: date | None = None,
) -> tuple[str, bytes]:
    """The report of :func:`write_report` as one file to download: its name and its bytes.

    The file is ``<stem>.<suffix>`` (xlsx, csv, json), unless the workbook's tables passed
    Excel's row limit: then the full tables went to companion files beside the workbook
    (:mod:`exposure.report.companions`), and the download is ``<stem>.zip`` holding the
    workbook and its companions under the names its Summary and Sources give them.

    Raises:
        ExposureError: the report cannot be written in that format.
    """
    suffix = suffix.lstrip(".").lower()
    # The network's JSON needs only the run (the tables take minutes at national scale).
    tables = (
        None
        if suffix == "json" and for_org is None
        else build_report(con, run, for_org=for_org, identified=identified, as_of=as_of)
    )
    folder = Path(tempfile.mkdtemp(prefix="exposure-report-"))
    try:
        path = folder / f"{stem}.{suffix}"
        _write(run, path, tables=tables, as_of=as_of)
        written = sorted(folder.iterdir())
        if written == [path]:
            return path.name, path.read_bytes()
        bundle = folder / f"{stem}.zip"
        # Stored, not deflated: a workbook is a zip already and Parquet is compressed.
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for item in [path, *(other for other in written if other != path)]:
                archive.write(item, arcname=item.name)
        return bundle.name, bundle.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report_bytes(
    con: duckdb.DuckDBPyConnection,
    run: AssessmentRun,
    suffix: str,
    *,
    for_org: int | None = None,
    identified: date | None = None,
    as_of: date | None = None,
) -> bytes:
    """The bytes of :func:`report_download`: the report, or a ZIP of the workbook and its
    companion files when its tables passed Excel's row limit."""
    return report_download(con, run, suffix, for_org=for_org, identified=identified, as_of=as_of)[1]
