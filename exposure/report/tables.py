"""The dependency assessment as tables: one pandas frame per sheet of the report (SPEC 5.1).

:func:`build_tables` turns ONE result (:class:`~exposure.pipeline.assessment.AssessmentRun`) plus the
warehouse (for what the engine does not carry: contract ids, programs, notes, the source rows
behind each edge, loaded files, data-quality findings) into an :class:`AssessmentTables`. The
Excel workbook (:mod:`exposure.report.workbook`), the CSV and JSON outputs (:mod:`exposure.report.outputs`),
the command line and the dashboard all render these same frames, so they cannot disagree.
The frames themselves come from :mod:`exposure.report.frames` (organizations, paths, programs,
sources), :mod:`exposure.model.remediation`, :mod:`exposure.report.quality`, :mod:`exposure.report.summary` and
:mod:`exposure.screening.results`; this module picks the edges and organizations each needs and
puts them together.

``for_org`` narrows the tables to one organization's own assessment: its row and those of the
organizations on its chains; up to three chains; its exposed inputs and the ties it must cut
(remediation); the contracts and programs of its exposed inputs and outputs; the reports it
owes; the data-quality findings that touch it. Tier and kind counts and sources stay
network-wide.

Columns are ``snake_case``; :func:`exposure.report.catalogue.column_label` gives the heading people
read, and :data:`exposure.report.catalogue.INTERNAL_COLUMNS` (ids for joining back to the graph) stay out
of the workbook. ``docs/report.md`` describes every sheet and column.

The Screening sheet shows the latest screening results stored in the warehouse
(:func:`exposure.screening.results.screening_sheet`; empty, saying so, when no list was screened).

Adding a sheet (as Screening was): add a field to :class:`AssessmentTables` with a
default (so existing callers keep working), a :class:`~exposure.report.catalogue.Sheet` naming it to
:data:`~exposure.report.catalogue.SHEETS`, and labels for new columns to
:data:`~exposure.report.catalogue.LABELS`. The workbook writer formats columns by name and
dtype: ``*_usd`` money, datetimes dates, ``tier``, ``impact`` and ``late`` coloured.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.core.errors import ExposureError
from exposure.model.alternatives import authorized_alternatives
from exposure.model.answers import ANSWER_COLUMNS
from exposure.model.choices import CONFIDENCE
from exposure.model.engine import NONCOMPLIANT
from exposure.model.remediation import (
    ACTION_END_SALE,
    overdue_days,
    remediation_frame,
    reporting_frame,
)
from exposure.model.run import AssessmentRun, organizations_frame
from exposure.report.catalogue import SHEETS, Sheet
from exposure.report.edge_facts import edge_facts, government_contracts, network_context
from exposure.report.frames import (
    PROGRAM_INPUTS,
    REMEDIATION_COLUMNS,
    affected_organizations,
    chosen_paths,
    exposure_paths,
    programs_and_contracts,
    shortest_paths,
)
from exposure.report.quality import NOTES as QUALITY_NOTES
from exposure.report.quality import data_quality_frame
from exposure.report.summary import SummaryInputs, by_kind, by_tier, summary_frame
from exposure.report.uncertainty import UNCERTAINTY_COLUMNS, answers_frame, uncertainty_frame
from exposure.screening.results import SHEET_COLUMNS, screening_sheet
from exposure.warehouse.database import stored_data_version
from exposure.warehouse.report_facts import (
    data_quality_issues,
    known_programs,
    loaded_sources,
    seeds_version,
)

if TYPE_CHECKING:
    import duckdb
from exposure.warehouse.authorizations import authorization_offers

__all__ = ["AssessmentTables", "build_tables"]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class AssessmentTables:
    """The assessment, one frame per sheet (see the module docstring and ``docs/report.md``).

    ``summary`` has columns ``section``, ``fact``, ``value`` (typed: text, numbers, dates)
    and ``text`` (the value written out); ``by_tier`` and ``by_kind`` feed the Summary sheet's
    tables and chart; ``notes`` holds, per sheet title, caveats printed under its caption.
    """

    scenario: str
    data_version: str
    for_org: str | None
    identified: date
    summary: pd.DataFrame
    by_tier: pd.DataFrame
    by_kind: pd.DataFrame
    organizations: pd.DataFrame
    paths: pd.DataFrame
    programs: pd.DataFrame
    remediation: pd.DataFrame
    reporting: pd.DataFrame
    data_quality: pd.DataFrame
    sources: pd.DataFrame
    notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    screening: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SHEET_COLUMNS))
    for_org_id: int | None = None
    uncertainty: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=UNCERTAINTY_COLUMNS)
    )
    # The unanswered suppliers ranked by what their answer is worth (also in ``uncertainty``).
    answers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ANSWER_COLUMNS))
    # The date the assessment speaks for, and by how many days it is past the deadline.
    as_of: date | None = None
    overdue_days: int = 0

    def sheets(self) -> list[tuple[Sheet, pd.DataFrame]]:
        """The sheets after Summary, in workbook order, with their frames."""
        return [(sheet, getattr(self, sheet.attribute)) for sheet in SHEETS]

    def fact(self, name: str) -> object:
        """The value of a Summary fact by name (the first so named).

        Raises:
            KeyError: no fact has that name.
        """
        found = self.summary[self.summary["fact"] == name]
        if found.empty:
            raise KeyError(name)
        return found["value"].iloc[0]

    def frame(self, title: str) -> pd.DataFrame:
        """A sheet's frame by its title ("Summary" gives the facts).

        Raises:
            KeyError: no sheet has that title.
        """
        if title == "Summary":
            return self.summary
        for sheet, frame in self.sheets():
            if sheet.title == title:
                return frame
        raise KeyError(title)


def _check_data_version(con: duckdb.DuckDBPyConnection, run: AssessmentRun) -> None:
    current = stored_data_version(con) or "empty"
    if current != run.data_version:
        raise ExposureError(
            f"the data changed since this assessment ran (data version {run.data_version}, "
            f"now {current}): run the assessment again"
        )


def _identified(identified: date | None, effective: date) -> tuple[date, str]:
    if identified is not None:
        return identified, "the date given for the assessment (--identified)"
    today = date.today()
    if today >= effective:
        return today, "the date of this assessment: the exposures are identified by it"
    return effective, (
        "the effective date: the assessment ran before the designation takes effect, and "
        "nothing is reportable earlier"
    )


# The Remediation sheet's order (with its directions in build_tables).
_PLAN_ORDER = [
    "no_authorized_alternative",
    "late",
    "days_past_deadline",
    "annual_value_usd",
    "buyer",
    "supplier",
]


def build_tables(
    con: duckdb.DuckDBPyConnection,
    run: AssessmentRun,
    *,
    for_org: int | None = None,
    identified: date | None = None,
    generated_at: datetime | None = None,
    as_of: date | None = None,
) -> AssessmentTables:
    """The assessment of ``run`` as tables, network-wide or for one organization.

    Args:
        con: the warehouse the run was computed from (its data version must still match).
        run: the result of :func:`exposure.pipeline.assessment.run_assessment`.
        for_org: an org id: that organization's own assessment (see the module docstring).
        identified: the date the exposures count as identified, from which report due dates
            run. Default: the assessment date (today), or the effective date when that is
            later (nothing is reportable before the designation takes effect).
        generated_at: when the report is produced (default: now, UTC), stated on Summary.
        as_of: the date the assessment speaks for (default: today): past the deadline, every
            open exposed dependency is overdue by that many days, and every sheet says so.

    Raises:
        ExposureError: the data changed since the run, or ``for_org`` is no organization.
    """
    _check_data_version(con, run)
    graph, result, scenario = run.graph, run.result, run.scenario
    if for_org is not None and not 0 <= for_org < graph.n_orgs:
        raise ExposureError(f"no organization has id {for_org}")
    identified, identified_basis = _identified(identified, scenario.effective)
    as_of = as_of or date.today()
    overdue = overdue_days(scenario, as_of)
    generated_at = generated_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    context = network_context(con, run)

    sources = result.status >= NONCOMPLIANT
    exposed_plan = result.exposed_edges & ~sources[graph.buyer]
    plan_mask = exposed_plan | context.tie
    program_mask = exposed_plan.copy()
    if for_org is not None:
        plan_mask &= (graph.buyer == for_org) | (context.tie & (graph.supplier == for_org))
        program_mask &= (graph.buyer == for_org) | (graph.supplier == for_org)
        links = chosen_paths(run, for_org)
    else:
        links = shortest_paths(run, np.flatnonzero(result.exposed).astype(np.int64))
    wanted = plan_mask | program_mask
    wanted[links["edge_index"].to_numpy(dtype=np.int64)] = True
    edges_index = np.flatnonzero(wanted).astype(np.int64)
    edges = edge_facts(con, run, edges_index, context)

    plan_all = authorized_alternatives(
        remediation_frame(edges, scenario, as_of),
        authorization_offers(con, run),
        excluded=[str(graph.names[i]) for i in np.flatnonzero(sources)],
    )
    programs = programs_and_contracts(
        plan_all.loc[program_mask[edges_index], PROGRAM_INPUTS], known_programs(con)
    )
    # "No authorized alternative at this level" is the highest-risk line: it comes first. The
    # order is found on the sort keys alone and the plan copied once in it (the tables of a
    # national-scale assessment hold gigabytes), then the whole plan is let go.
    in_plan = np.flatnonzero(plan_mask[edges_index])
    order = (
        plan_all[_PLAN_ORDER]
        .iloc[in_plan]
        .reset_index(drop=True)
        .sort_values(
            _PLAN_ORDER,
            ascending=[False, False, False, False, True, True],
            na_position="last",
            kind="stable",
        )
        .index.to_numpy()
    )
    plan = plan_all.iloc[in_plan[order]]
    del plan_all
    # Agencies are customers whose contracts are touched (Summary: government contracts
    # touched; Programs and contracts), never organizations to remediate.
    plan = plan[plan["buyer_kind"] != "agency"]
    reported = plan[plan["buyer_id"] == for_org] if for_org is not None else plan
    reporting = reporting_frame(
        reported,
        identified,
        government_contracts(con, run, reported["edge_index"].to_numpy(dtype=np.int64)),
    )
    reporting = reporting.sort_values(
        ["initial_report_due", "reporting_contractor", "contract_number", "supplier_name"],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)

    ranked = organizations_frame(run)
    rank = pd.Series(np.arange(len(ranked)), index=ranked["org_id"].to_numpy())
    organizations = affected_organizations(run, context, ranked)
    interest: IntArray | None = None
    if for_org is not None:
        on_chains = links["edge_index"].to_numpy(dtype=np.int64)
        interest = np.unique(
            np.concatenate(
                [graph.supplier[on_chains], graph.buyer[on_chains], plan["supplier_id"], [for_org]]
            ).astype(np.int64)
        )
        organizations = organizations[organizations["org_id"].isin(interest)]
    organizations = organizations.reset_index(drop=True)
    paths = exposure_paths(links, edges, context, rank)
    del edges
    link_confidence = graph.confidence[paths["edge_index"].to_numpy(dtype=np.int64)]
    paths.insert(
        list(paths.columns).index("source_file"),
        "confidence",
        np.asarray(CONFIDENCE, dtype=object)[link_confidence.astype(np.int64)],
    )
    answers = answers_frame(run, for_org)
    quality = data_quality_frame(run, plan, data_quality_issues(con), interest)
    screening, screening_notes = screening_sheet(con, run.data_version, interest)
    source_files = loaded_sources(con)
    remediation = plan[REMEDIATION_COLUMNS].reset_index(drop=True)

    summary = summary_frame(
        run,
        SummaryInputs(
            rules=context.rules,
            sources=source_files,
            organizations=organizations,
            paths=paths,
            programs=programs,
            remediation=remediation,
            reporting=reporting,
            data_quality=quality,
            seeds_version=seeds_version(con),
            identified=identified,
            identified_basis=identified_basis,
            generated_at=generated_at,
            for_org=for_org,
            as_of=as_of,
        ),
    )
    notes: dict[str, tuple[str, ...]] = {
        "Data quality": QUALITY_NOTES,
        "Screening": screening_notes,
    }
    if for_org is not None:
        name = str(context.names[for_org])
        notes["Affected organizations"] = (f"{name} and the organizations on its chains.",)
        notes["Exposure paths"] = (f"Up to three chains to {name}; the first is a shortest.",)
        notes["Remediation"] = (
            f"{name}'s exposed inputs, and its sales to designated organizations ("
            f"{ACTION_END_SALE}).",
        )
    if run.uncertainty is not None:
        chances = run.uncertainty.probabilities
        notes["Uncertainty"] = (
            f"{run.uncertainty.samples:,} samples, seed {run.uncertainty.seed}; links exist with "
            f"probability confirmed 1, reported {chances.reported:g}, inferred "
            f"{chances.inferred:g}, unknown {chances.unknown:g}.",
            "Value-at-risk percentiles per organization are kept for the organizations with "
            "the most value that could be at risk; blank for the others.",
        )
    if overdue and len(remediation):
        notes["Remediation"] = (
            *notes.get("Remediation", ()),
            f"As of {as_of} the deadline ({scenario.deadline}) passed {overdue} days ago: "
            "every open exposed dependency is overdue by that many days.",
        )
    if (reporting["order_number"] == "").any():
        notes["Reporting"] = (
            "Order number is blank where the data holds none: contract_id gives no order after "
            "'/' and is not itself an order (PIID type F); see the Contract / order note.",
        )
    return AssessmentTables(
        scenario=scenario.name,
        data_version=run.data_version,
        for_org=None if for_org is None else str(context.names[for_org]),
        for_org_id=for_org,
        identified=identified,
        summary=summary,
        by_tier=by_tier(run),
        by_kind=by_kind(run),
        organizations=organizations,
        paths=paths,
        programs=programs,
        remediation=remediation,
        reporting=reporting,
        data_quality=quality,
        sources=source_files,
        notes=notes,
        screening=screening,
        uncertainty=uncertainty_frame(run, answers),
        answers=answers,
        as_of=as_of,
        overdue_days=overdue,
    )
