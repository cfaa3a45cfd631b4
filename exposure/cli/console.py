"""What the command line prints: the library's results rendered with Rich.

The commands of :mod:`exposure.cli.commands` parse their options, call one library function and hand
its result to a ``print_*`` function here; long work reports through :func:`progress_bar`.

Everything printed from the data (names, products, file and sheet names, notes, messages,
chains) is printed literally: a supplier named ``Acme [/] Corp`` or ``Foo [Europe] Ltd`` is
data, not Rich markup, and ``:smile:`` is not an emoji code. So both consoles interpret no
markup, emoji codes or highlighting at all; styling is applied to
:class:`~rich.text.Text` parts (:func:`styled`), and table cells and titles are ``Text``
objects, which Rich never parses.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleDimensions
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from exposure import SHEETS, LoadError
from exposure.app.text import printable

if TYPE_CHECKING:
    import pandas as pd

    from exposure import (
        AssessmentRun,
        AssessmentTables,
        DemoResult,
        LoadReport,
        ScenarioDiff,
        ScreeningResult,
        Status,
    )

__all__ = [
    "console",
    "err_console",
    "print_assessment",
    "print_comparison",
    "print_deadline",
    "print_demo",
    "print_error",
    "print_load",
    "print_organization",
    "print_screening",
    "print_status",
    "progress_bar",
    "styled",
]


class _LiteralConsole(Console):
    """A console that prints text as one line that reads in order: format characters (a
    right-to-left override in a supplier's name) are dropped, controls shown as spaces."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **options)

    @property
    def size(self) -> ConsoleDimensions:
        """The terminal's size; piped (not a terminal), ``COLUMNS`` as it is now, else wide
        enough that no line wraps (Rich would keep the ``COLUMNS`` of the moment the console
        was made, on import)."""
        size = super().size
        if not self.is_terminal and not getattr(self, "_sized", False):
            columns = os.environ.get("COLUMNS", "").strip()
            width = int(columns) if columns.isdigit() and int(columns) > 0 else PIPED_WIDTH
            return ConsoleDimensions(width, size.height)
        return size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._sized = True
        self._width, self._height = new_size


# Piped output (a file, another program) is not wrapped: lines up to this long stay whole.
PIPED_WIDTH = 1000

console = _LiteralConsole(stderr=False, markup=False, emoji=False, highlight=False)
err_console = _LiteralConsole(stderr=True, markup=False, emoji=False, highlight=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from literal parts, some styled as ``(text, style)``; nothing in them is markup.

    >>> styled(("Acme [/] Corp", "bold"), ": its own assessment").plain
    'Acme [/] Corp: its own assessment'
    >>> styled(("Acme\u202eCLL", "bold")).plain
    'AcmeCLL'
    """
    return Text.assemble(
        *(
            printable(part) if isinstance(part, str) else (printable(part[0]), part[1])
            for part in parts
        )
    )


def _literal(value: object) -> Text:
    """A table cell or title printed as it is (Rich would read a ``str`` cell as markup)."""
    return Text(printable(value))


def _add_row(table: Table, *cells: object) -> None:
    table.add_row(*(_literal(cell) for cell in cells))


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar driven by the library's (label, done, total) callbacks.

    Shown on a terminal, or when ``EXPOSURE_PROGRESS`` is set; on standard error, and gone
    once the work is done.
    """
    disabled = not console.is_terminal and not os.environ.get("EXPOSURE_PROGRESS")
    with Progress(
        # The labels name files and organizations: shown as they are, never as markup.
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=disabled,
    ) as bar:
        task = bar.add_task("starting", total=1)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=max(total, 1))

        yield update


def print_error(exc: Exception) -> None:
    """Print why a command failed: every problem of a refused load (up to 100), or the error."""
    if isinstance(exc, LoadError):
        err_console.print(
            styled(
                ("Load refused", "bold red"),
                f": {len(exc.problems)} problem(s); nothing was loaded.",
            )
        )
        for problem in exc.problems[:100]:
            err_console.print(f"  - {problem}")
        if len(exc.problems) > 100:
            err_console.print(f"  ... and {len(exc.problems) - 100} more")
    else:
        err_console.print(styled(("Error", "bold red"), ": ", str(exc)))


def print_load(report: LoadReport) -> None:
    """Print what a load stored, skipped and noted, and the network's size after it."""
    for source in report.loaded:
        where = source.file + (f" [{source.sheet}]" if source.sheet else "")
        console.print(
            f"loaded {where}: {source.rows} {source.kind} rows (sha256 {source.sha256[:12]})"
        )
    for name, reason in report.skipped:
        console.print(f"skipped {name}: {reason}")
    for note in report.notes:
        console.print(f"note: {note}")
    console.print(
        f"the network now has {report.organizations} organizations and {report.edges} dependencies"
    )
    if report.data_quality:
        issues = ", ".join(
            f"{count} {issue.replace('_', ' ')}" for issue, count in report.data_quality.items()
        )
        console.print(f"data quality: {issues} (see `exposure status`)")


def print_status(result: Status) -> None:
    """Print a :class:`~exposure.warehouse.database.Status` as rich tables."""
    console.print(
        styled(
            ("database", "bold"),
            f" {result.database}   ",
            ("data version", "bold"),
            f" {result.data_version}",
        )
    )
    sources = Table(title="Sources loaded", show_lines=False)
    for column in ("file", "sheet", "kind", "rows", "sha256", "loaded at (UTC)"):
        sources.add_column(column)
    for source in result.sources:
        _add_row(
            sources,
            str(source["file"]),
            str(source["sheet"] or ""),
            str(source["kind"]),
            str(source["rows"]),
            str(source["sha256"])[:16],
            f"{source['loaded_at']:%Y-%m-%d %H:%M:%S}",
        )
    console.print(sources)
    console.print(
        styled(
            (str(result.organizations), "bold"),
            " organizations, ",
            (str(result.edges), "bold"),
            " dependencies",
        )
    )
    if result.kinds:
        console.print("by kind: " + ", ".join(f"{k} {v}" for k, v in result.kinds.items()))
    if result.relations:
        console.print("by relation: " + ", ".join(f"{k} {v}" for k, v in result.relations.items()))
    console.print("reference data: " + ", ".join(f"{k} {v}" for k, v in result.reference.items()))
    if result.runs:
        runs = Table(title="Stored assessments (newest first)")
        for column in ("scenario", "assessed (UTC)", "data", "affected", "value at risk", "late"):
            runs.add_column(column)
        for run in result.runs:
            figures: dict[str, Any] = run["headline"]  # type: ignore[assignment]
            _add_row(
                runs,
                run["scenario"],
                f"{run['run_at']:%Y-%m-%d %H:%M}",
                "current" if run["current"] else f"older ({run['data_version']})",
                f"{figures.get('organizations_affected', '')}",
                _cell(figures.get("value_at_risk_usd")),
                f"{figures.get('late_dependencies', '')} dependencies",
            )
        console.print(runs)
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
            _add_row(
                quality,
                str(item["issue"]).replace("_", " "),
                str(item["name"] or ""),
                str(item["detail"]),
                where,
            )
        console.print(quality)
    else:
        console.print("data quality: no warnings")


def headline_text(run: AssessmentRun) -> str:
    """The run's headline figures in one line, each labelled as on every other surface."""
    from exposure import headline

    figures = headline(run)
    parts = []
    for figure, value in figures.items():
        if figure.name in ("designated", "noncompliant") and not value:
            continue
        shown = f"${value:,.0f}" if figure.money else f"{int(value):,}"
        parts.append(f"{figure.label}: {shown}")
    return "; ".join(parts)


def print_comparison(diff: ScenarioDiff, *, base_words: str = "") -> None:
    """Print how a run's headline figures differ from a baseline scenario's (``--compare-to``)."""
    console.print(
        styled("compared to ", (diff.base_name, "bold"), f" ({base_words})" if base_words else "")
    )
    # A what-if on the baseline's own scenario (``--scenario baseline --noncompliant X
    # --compare-to baseline``) would show two columns named alike.
    other = diff.other_name if diff.other_name != diff.base_name else "this run"
    table = Table(title=f"{other} against {diff.base_name}")
    for column in ("figure", diff.base_name, other, "difference"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for row in diff.counts.to_dict("records"):
        money = "(USD)" in str(row["metric"])
        unit = "$" if money else ""
        delta = float(row["delta"])
        _add_row(
            table,
            str(row["metric"]),
            f"{unit}{float(row['base']):,.0f}",
            f"{unit}{float(row['other']):,.0f}",
            f"{'-' if delta < 0 else '+'}{unit}{abs(delta):,.0f}",
        )
    console.print(table)
    console.print(
        f"{len(diff.newly_exposed)} newly exposed, {len(diff.no_longer_exposed)} no longer exposed"
    )


def print_deadline(run: AssessmentRun, tables: AssessmentTables | None) -> None:
    """Print where the as-of date stands against the deadline (overdue days when past it).

    Without tables (a run written only as JSON) the as-of date is today and the open
    dependencies are the run's exposed ones.
    """
    from datetime import date

    as_of = tables.as_of if tables is not None else date.today()
    if as_of is None:
        return
    deadline = run.scenario.deadline
    overdue = tables.overdue_days if tables is not None else max(0, (as_of - deadline).days)
    if overdue:
        open_count = (
            len(tables.remediation) if tables is not None else int(run.result.exposed_edges.sum())
        )
        console.print(
            f"as of {as_of}: the deadline {deadline} passed {overdue} days "
            f"ago; every open exposed dependency ({open_count} in the plan) is overdue by "
            f"{overdue} days"
        )
    else:
        console.print(f"as of {as_of}: {(deadline - as_of).days} days to the deadline {deadline}")


def print_assessment(run: AssessmentRun, top: int) -> pd.DataFrame:
    """Print a run's headline figures and its ``top`` most affected organizations; return the
    ranking it read (:func:`exposure.organizations_frame`), for the printers that follow."""
    from exposure import organizations_frame

    scenario = run.scenario
    frame = organizations_frame(run)
    exposed = frame[frame["exposed"]]
    console.print(
        styled(
            "scenario ",
            (str(scenario.name), "bold"),
            f": effective {scenario.effective}, deadline {scenario.deadline} "
            f"({scenario.transition_days} days), scope {scenario.scope}, "
            f"impact model {run.spec.model}, data version {run.data_version}",
        )
    )
    console.print(f"scope: {run.scope_words}")
    if run.scenario.clauses:
        console.print(f"unknown facts: {run.unknown_scope_words()}")
    for note in run.notes:
        console.print(f"note: {note}")
    console.print(headline_text(run))
    table = Table(title=f"Most affected (top {top})")
    for column in (
        "organization",
        "kind",
        "status",
        "tier",
        "impact",
        "value at risk",
        "late",
        "shortest chain",
    ):
        table.add_column(column)
    for row in exposed.head(top).to_dict("records"):
        _add_row(
            table,
            str(row["name"]),
            str(row["kind"]),
            str(row["status"]),
            "" if row["tier"] is None or str(row["tier"]) == "<NA>" else str(row["tier"]),
            f"{row['impact']:.2f}",
            f"${row['value_at_risk_usd']:,.0f}",
            "yes" if row["late"] else "",
            " > ".join(run.chain_names(int(row["org_id"]))),
        )
    console.print(table)
    return frame


def print_uncertainty(
    run: AssessmentRun,
    tables: AssessmentTables | None,
    top: int,
    frame: pd.DataFrame | None = None,
) -> None:
    """Print the organizations clear only for want of answers, the Monte Carlo's ranges and
    the unanswered suppliers whose answers matter most (nothing when there is none of it).
    ``frame`` is the run's ranking when already built."""
    from exposure import organizations_frame, uncertainty_ranges

    frame = organizations_frame(run) if frame is None else frame
    hidden = frame[frame["undocumented"]]
    if len(hidden):
        console.print(
            f"undocumented: {len(hidden)} organizations are clear only because suppliers have "
            "not answered: "
            + ", ".join(map(str, hidden["name"].head(top)))
            + (" ..." if len(hidden) > top else "")
        )
    for label, text in uncertainty_ranges(run):
        console.print(f"{label}: {text}")
    if "p_exposed" in frame:
        likely = frame[(frame["p_exposed"] > 0) & (frame["status"].isin(["clear", "exposed"]))]
        table = Table(title=f"Most likely exposed (top {top})")
        for column in ("organization", "status", "undocumented", "P(exposed)", "expected VaR"):
            table.add_column(column)
        for row in likely.sort_values("p_exposed", ascending=False).head(top).to_dict("records"):
            _add_row(
                table,
                str(row["name"]),
                str(row["status"]),
                "yes" if row["undocumented"] else "",
                f"{row['p_exposed']:.3f}",
                f"${row['expected_value_at_risk_usd']:,.0f}",
            )
        console.print(table)
    if tables is not None and len(tables.answers):
        print_answers(tables.answers, top)


def print_answers(answers: pd.DataFrame, top: int) -> None:
    """The unanswered suppliers, the answers that would move value at risk most first."""
    table = Table(title=f"Answers that matter most (top {top})")
    for column in ("rank", "supplier", "unknown links", "change in P(exposed)", "change in VaR"):
        table.add_column(column)
    for row in answers.head(top).to_dict("records"):
        delta_p = row["delta_p_exposed"]
        _add_row(
            table,
            str(row["rank"]),
            str(row["supplier"]),
            str(row["unknown_links"]),
            "" if delta_p != delta_p else f"{delta_p:+.3f}",  # NaN: only screened
            f"${row['delta_var_usd']:+,.0f}" + (" (est.)" if row["screened_only"] else ""),
        )
    console.print(table)


def _cell(value: object) -> str:
    """A frame's value as a table cell: blanks for missing, dates, yes for true, whole dollars.

    >>> from datetime import date
    >>> _cell(None), _cell(float("nan")), _cell(date(2026, 9, 1)), _cell(True), _cell(1234.5)
    ('', '', '2026-09-01', 'yes', '1,234')
    """
    if value is None or (not isinstance(value, str) and str(value) in ("nan", "NaT", "<NA>")):
        return ""
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:,.0f}"
    return str(value)


def _frame_table(title: str, frame: pd.DataFrame, columns: Mapping[str, str]) -> Table:
    """A rich table of some columns of a frame, labelled as ``columns`` maps them."""
    table = Table(title=_literal(title), title_justify="left")
    for label in columns.values():
        table.add_column(label)
    for record in frame[list(columns)].itertuples(index=False):
        _add_row(table, *(_cell(value) for value in record))
    return table


def print_organization(tables: AssessmentTables) -> None:
    """Print one organization's own assessment from its :class:`AssessmentTables`."""
    console.print()
    console.print(styled((str(tables.for_org), "bold"), ": its own assessment"))
    facts = tables.summary[tables.summary["section"] == "Organization"]
    for fact, text in zip(facts["fact"], facts["text"], strict=True):
        if fact != "Organization":
            console.print(f"  {fact}: {text}")
    paths = tables.paths
    if len(paths):
        console.print("Chains (the first is a shortest):")
        for _, chain in paths.groupby("chain", sort=True):
            links = [str(chain["supplier"].iloc[0])] + [
                f"{buyer} [{product}]" if isinstance(product, str) else str(buyer)
                for buyer, product in zip(chain["buyer"], chain["product"], strict=True)
            ]
            console.print("  " + " -> ".join(links))
    console.print(
        _frame_table(
            "Remediation plan (deadline " + str(tables.fact("Deadline")) + ")",
            tables.remediation,
            {
                "action_type": "action",
                "supplier": "supplier",
                "buyer": "buyer",
                "product": "product",
                "tier": "tier",
                "annual_value_usd": "value (USD)",
                "estimated_completion": "est. completion",
                "late": "late",
            },
        )
    )
    if len(tables.programs):
        console.print(
            _frame_table(
                "Contracts and programs affected",
                tables.programs,
                {
                    "program": "program",
                    "contract_id": "contract",
                    "buyer": "buyer",
                    "suppliers": "suppliers",
                    "value_at_risk_usd": "value (USD)",
                    "late": "late",
                },
            )
        )
    if len(tables.reporting):
        console.print(
            _frame_table(
                f"Reports owed (identified {tables.identified})",
                tables.reporting,
                {
                    "contract_number": "government contract",
                    "order_number": "order",
                    "own_reference": "own reference",
                    "supplier_name": "supplier",
                    "product": "product",
                    "clause": "clause",
                    "initial_report_due": "initial due",
                    "followup_report_due": "follow-up due",
                },
            )
        )
    else:
        console.print("No reports owed: no exposed input of it is used in a DoD contract.")


def _screening_why(row: dict[Hashable, Any]) -> str:
    """A match's why: the review decision on it, where one is in force (the rule had left
    it to review), else the rule's reason."""
    note = row.get("review_note")
    if row.get("review") in ("accepted", "rejected") and isinstance(note, str) and note:
        return note
    return str(row["reason"])


def print_screening(result: ScreeningResult, top: int) -> None:
    """Print a screening's headline and its ``top`` matches."""
    listed, matches = result.listed, result.matches
    for note in result.notes:
        console.print(f"note: {note}")
    rejected = int((matches["review"] == "rejected").sum())
    pending = int((~matches["confirmed"]).sum()) - rejected
    console.print(
        f"screened {result.organizations} organizations against {len(listed.records)} records of "
        f"{listed.file} ({listed.kind}, {listed.layout} layout) as of {result.as_of}: "
        f"{len(result.confirmed)} confirmed ({len(result.to_designate)} in force), "
        f"{pending} to review" + (f", {rejected} rejected in review" if rejected else "")
    )
    if matches.empty:
        console.print("no matches")
        return
    table = Table(title=f"Matches (top {min(top, len(matches))} of {len(matches)})")
    for column in (
        "organization",
        "listed name",
        "match",
        "score",
        "confirmed",
        "status",
        "type / agency",
        "row",
        "why",
    ):
        table.add_column(column)
    for row in matches.head(top).to_dict("records"):
        matched, listed_name = str(row["matched_name"]), str(row["listed_name"])
        _add_row(
            table,
            str(row["org_name"]),
            matched + ("" if matched == listed_name else f" (of {listed_name})"),
            str(row["match"]),
            f"{row['score']:.0f}",
            "yes" if row["confirmed"] else "no",
            str(row["status"]),
            " / ".join(
                str(v)
                for v in (row["exclusion_type"], row["excluding_agency"])
                if isinstance(v, str)
            ),
            str(row["record_row"]),
            _screening_why(row),
        )
    console.print(table)


def print_demo(result: DemoResult, *, workbook: Path, json_path: Path) -> None:
    """Print what the demo loaded, the warehouse status, its assessment and where it wrote."""
    for report in result.reports:
        print_load(report)
    print_status(result.status)
    if result.run is not None:
        console.print()
        print_assessment(result.run, 15)
    path = result.database
    console.print(f"demo database: {path} (fresh; query it with `exposure --db {path} status`)")
    sheets = ", ".join(["Summary", *(sheet.title for sheet in SHEETS)])
    console.print(f"assessment workbook: {workbook} ({sheets})")
    console.print(f"assessment JSON: {json_path} (SPEC 5.1)")
    for seat in (p for p in result.written if p not in (workbook, json_path)):
        console.print(f"one company's own assessment (Meridian Aerospace Corporation): {seat}")
