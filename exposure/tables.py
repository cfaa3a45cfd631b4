"""The dependency assessment as tables: one pandas frame per sheet of the report (SPEC 5.1).

:func:`build_tables` turns ONE result (:class:`~exposure.pipeline.AssessmentRun`) plus the
warehouse (for what the engine does not carry: contract ids, programs, notes, the source rows
behind each edge, loaded files, data-quality findings) into an :class:`AssessmentTables`. The
Excel workbook (:mod:`exposure.workbook`), the CSV and JSON outputs (:mod:`exposure.report`),
the command line and the dashboard all render these same frames, so they cannot disagree.

``for_org`` narrows the tables to one organization's own assessment: its row and those of the
organizations on its chains; up to three chains; its exposed inputs and the ties it must cut
(remediation); the contracts and programs of its exposed inputs and outputs; the reports it
owes; the data-quality findings that touch it. Tier and kind counts and sources stay
network-wide.

Columns are ``snake_case``; :func:`column_label` gives the heading people read, and
:data:`INTERNAL_COLUMNS` (ids for joining back to the graph) stay out of the workbook.
``docs/report.md`` describes every sheet and column.

The Screening sheet shows the latest screening results stored in the warehouse
(:func:`exposure.screening.screening_sheet`; empty, saying so, when no list was screened).

Adding a sheet (as Screening was): add a field to :class:`AssessmentTables` with a
default (so existing callers keep working), a :class:`Sheet` naming it to :data:`SHEETS`, and
labels for new columns to :data:`LABELS`. The workbook writer formats columns by name and
dtype: ``*_usd`` money, datetimes dates, ``tier``, ``impact`` and ``late`` coloured.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.edge_facts import Context, edge_facts, network_context
from exposure.engine import NONCOMPLIANT
from exposure.errors import ExposureError
from exposure.pipeline import AssessmentRun, chain_edge_lists, organizations_frame
from exposure.quality import NOTES as QUALITY_NOTES
from exposure.quality import data_quality_frame
from exposure.remediation import ACTION_END_SALE, remediation_frame, reporting_frame
from exposure.screening import SHEET_COLUMNS, screening_sheet
from exposure.sql import scalar
from exposure.summary import SummaryInputs, by_kind, by_tier, summary_frame

__all__ = [
    "INTERNAL_COLUMNS",
    "LABELS",
    "SHEETS",
    "AssessmentTables",
    "Sheet",
    "build_tables",
    "column_label",
]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Sheet:
    """A sheet after Summary: its title, the field holding its frame, a caption, and how many
    leading columns stay in view when scrolling right."""

    title: str
    attribute: str
    description: str
    freeze_columns: int = 1


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Affected organizations",
        "organizations",
        "Every organization the designation reaches, ranked: designated and non-compliant "
        "organizations first, then by impact, value at risk and tier.",
        freeze_columns=2,
    ),
    Sheet(
        "Exposure paths",
        "paths",
        "Chains from a designated organization, one row per link, with the product that "
        "carries the exposure and the source row that states the dependency.",
        freeze_columns=3,
    ),
    Sheet(
        "Programs and contracts",
        "programs",
        "Programs and contracts carried by exposed dependencies, one row per program, "
        "contract and buyer.",
    ),
    Sheet(
        "Remediation",
        "remediation",
        "Every exposed dependency and every tie with a designated organization: the action, "
        "the deadline, the estimated completion and whether it is late.",
        freeze_columns=2,
    ),
    Sheet(
        "Reporting",
        "reporting",
        "One row per exposed dependency used in performance of a DoD contract: the fields of a "
        "FAR 52.204-25(d) / 52.204-30(c) report and its due dates in business days.",
        freeze_columns=2,
    ),
    Sheet(
        "Screening",
        "screening",
        "The latest screening of the loaded organizations against SAM.gov exclusions and FASCSA "
        "orders (exposure screen): confirmed matches first, then candidates to review.",
        freeze_columns=2,
    ),
    Sheet(
        "Data quality",
        "data_quality",
        "Findings to review before signing: assessment flags (unscoped inputs, blank products, "
        "missing months or values) and what name resolution could not settle.",
    ),
    Sheet(
        "Sources",
        "sources",
        "The loaded files with their SHA-256 hashes and the options they were read with: the "
        "data version is a hash of these rows and the reference data.",
    ),
)

# Ids for joining back to the engine's arrays: in the frames, not in the workbook.
INTERNAL_COLUMNS = frozenset({"org_id", "buyer_id", "supplier_id", "edge_index"})

LABELS: dict[str, str] = {
    "rank": "Rank",
    "name": "Organization",
    "organization": "Organization",
    "kind": "Kind",
    "status": "Status",
    "tier": "Tier",
    "impact": "Impact (0-1)",
    "value_at_risk_usd": "Value at risk (USD)",
    "annual_value_usd": "Annual value (USD)",
    "exposed_inputs": "Exposed inputs",
    "late_inputs": "Late inputs",
    "reportable_inputs": "Inputs to report (DoD use)",
    "late": "Late",
    "obliged": "Must cut ties",
    "designated_source": "Designated source",
    "shortest_chain": "Shortest chain",
    "uei": "UEI",
    "cage": "CAGE",
    "country": "Country",
    "chain": "Chain",
    "link": "Link",
    "supplier": "Supplier",
    "buyer": "Buyer",
    "relation": "Relation",
    "product": "Product",
    "used_in": "Used in",
    "contract_id": "Contract",
    "program": "Program",
    "program_basis": "Program from",
    "dod_use": "DoD use",
    "source_file": "Source file",
    "sheet": "Sheet",
    "row": "Row",
    "other_evidence": "Also stated in",
    "suppliers": "Suppliers",
    "products": "Products",
    "exposed_dependencies": "Exposed dependencies",
    "latest_completion": "Latest estimated completion",
    "action_type": "Action type",
    "criticality": "Criticality (1-5)",
    "essential": "Essential",
    "alternatives": "Qualified alternatives",
    "replacement_months": "Replacement (months)",
    "due_date": "Due date",
    "estimated_completion": "Estimated completion",
    "days_past_deadline": "Days past deadline",
    "action": "Action",
    "notes": "Notes",
    "reporting_contractor": "Reporting contractor",
    "contract_number": "Contract number",
    "order_number": "Order number",
    "contract_note": "Contract / order note",
    "supplier_name": "Supplier name",
    "supplier_uei": "Supplier UEI",
    "supplier_cage": "Supplier CAGE",
    "item_description": "Item description",
    "clause": "Clause",
    "report_to": "Report to",
    "date_identified": "Date identified",
    "initial_report_due": "Initial report due",
    "followup_report_due": "Follow-up report due",
    "mitigation_actions": "Mitigation actions",
    "rule_basis": "Reporting rule basis",
    "issue": "Issue",
    "detail": "Detail",
    "candidate": "Candidate",
    "score": "Score",
    "file": "File",
    "rows": "Rows",
    "sha256": "SHA-256",
    "size_bytes": "Size (bytes)",
    "loaded_at": "Loaded at (UTC)",
    "buyer_option": "Loaded with --buyer",
    "encoding": "Encoding",
    "load_options": "Loaded with --kind / --map",
    "section": "Section",
    "fact": "Fact",
    "value": "Value",
    "organizations": "Organizations",
    "label": "Tier",
    "org_name": "Organization",
    "org_uei": "Organization UEI",
    "org_cage": "Organization CAGE",
    "listed_name": "Listed name",
    "matched_name": "Name matched",
    "match": "Match",
    "confirmed": "Confirmed",
    "reason": "Why (not) confirmed",
    "list_type": "List",
    "classification": "Classification",
    "exclusion_program": "Exclusion program",
    "exclusion_type": "Exclusion type",
    "excluding_agency": "Excluding agency",
    "ct_code": "CT code",
    "active_date": "Active date",
    "termination_date": "Termination date",
    "listed_uei": "Listed UEI",
    "listed_cage": "Listed CAGE",
    "sam_number": "SAM number",
    "fascsa_order": "FASCSA order",
    "cross_reference": "Cross-reference",
    "record_row": "List row",
    "list_file": "List file",
    "as_of": "Screened as of",
}


def column_label(name: str) -> str:
    """The heading people read for a frame column.

    >>> column_label("value_at_risk_usd"), column_label("some_new_column")
    ('Value at risk (USD)', 'Some new column')
    """
    return LABELS.get(name, name.replace("_", " ").capitalize())


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
    current = str(scalar(con, "SELECT value FROM meta WHERE key = 'data_version'") or "empty")
    if current != run.data_version:
        raise ExposureError(
            f"the data changed since this assessment ran (data version {run.data_version}, "
            f"now {current}): run the assessment again"
        )


def _shortest_paths(run: AssessmentRun, orgs: IntArray) -> pd.DataFrame:
    """Each organization's shortest chain as (org_id, chain, link, edge_index) rows.

    All chains are walked back together, one vectorized step per link.
    """
    result = run.result
    orgs = orgs[result.org_via[orgs] >= 0]
    current = result.org_via[orgs]
    length = result.edge_tier[current]
    org_parts, link_parts, edge_parts = [], [], []
    step = 0
    while len(current):
        org_parts.append(orgs)
        link_parts.append(length - step)
        edge_parts.append(current)
        current = result.edge_from[current]
        alive = current >= 0
        orgs, current, length = orgs[alive], current[alive], length[alive]
        step += 1
    empty = np.zeros(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "org_id": np.concatenate(org_parts) if org_parts else empty,
            "chain": 1,
            "link": np.concatenate(link_parts) if link_parts else empty,
            "edge_index": np.concatenate(edge_parts) if edge_parts else empty,
        }
    )


def _chosen_paths(run: AssessmentRun, org: int) -> pd.DataFrame:
    """Up to three chains of one organization (networkx, see pipeline.chain_edge_lists)."""
    rows = [
        (org, number, link, edge)
        for number, edges in enumerate(chain_edge_lists(run, org, k=3), start=1)
        for link, edge in enumerate(edges, start=1)
    ]
    frame = pd.DataFrame(rows, columns=["org_id", "chain", "link", "edge_index"])
    return frame.astype(np.int64)


_ORGANIZATION_COLUMNS = [
    "rank",
    "name",
    "kind",
    "status",
    "tier",
    "impact",
    "value_at_risk_usd",
    "exposed_inputs",
    "late_inputs",
    "reportable_inputs",
    "late",
    "obliged",
    "designated_source",
    "shortest_chain",
    "uei",
    "cage",
    "country",
    "org_id",
]


def _contractor_buyer(run: AssessmentRun) -> npt.NDArray[np.bool_]:
    """Edges whose buyer would report them: a contractor, neither an agency nor a source."""
    graph, result = run.graph, run.result
    buyer = graph.buyer
    return (np.asarray(graph.kinds, dtype=object)[buyer] != "agency") & (
        result.status[buyer] < NONCOMPLIANT
    )


def _organizations(run: AssessmentRun, context: Context, ranked: pd.DataFrame) -> pd.DataFrame:
    """Affected organizations (sources included) in rank order, with their counts and chain."""
    graph, result = run.graph, run.result
    frame = ranked[ranked["exposed"]].reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    org = frame["org_id"].to_numpy(dtype=np.int64)
    exposed = result.exposed_edges
    for column, mask in (
        ("exposed_inputs", exposed),
        ("late_inputs", result.edge_late),
        ("reportable_inputs", exposed & graph.dod_use & _contractor_buyer(run)),
    ):
        frame[column] = np.bincount(graph.buyer[mask], minlength=graph.n_orgs)[org]
    via = result.org_via[org]
    reached = via >= 0
    safe_via = np.where(reached, via, 0)
    frame["designated_source"] = pd.Series(context.names[context.origin_org[safe_via]]).where(
        reached, None
    )
    frame["shortest_chain"] = np.where(reached, context.chain[safe_via], context.names[org])
    frame["uei"] = context.uei[org]
    frame["cage"] = context.cage[org]
    frame["country"] = context.country[org]
    return frame[_ORGANIZATION_COLUMNS]


_PATH_COLUMNS = [
    "organization",
    "chain",
    "link",
    "supplier",
    "buyer",
    "relation",
    "product",
    "used_in",
    "contract_id",
    "program",
    "annual_value_usd",
    "dod_use",
    "source_file",
    "sheet",
    "row",
    "other_evidence",
    "org_id",
    "edge_index",
]


def _paths(
    links: pd.DataFrame, edges: pd.DataFrame, context: Context, rank: pd.Series
) -> pd.DataFrame:
    attributes = edges.drop(columns=["chain"]).drop_duplicates("edge_index").set_index("edge_index")
    frame = links.join(attributes, on="edge_index")
    frame["organization"] = context.names[frame["org_id"].to_numpy(dtype=np.int64)]
    frame["_rank"] = frame["org_id"].map(rank)
    frame = frame.sort_values(["_rank", "chain", "link"], kind="stable")
    return frame[_PATH_COLUMNS].reset_index(drop=True)


_PROGRAM_COLUMNS = [
    "program",
    "program_basis",
    "contract_id",
    "buyer",
    "suppliers",
    "products",
    "exposed_dependencies",
    "value_at_risk_usd",
    "dod_use",
    "late",
    "tier",
    "latest_completion",
    "buyer_id",
]


def _joined(
    group: npt.NDArray[np.integer], values: pd.Series, groups: int
) -> npt.NDArray[np.object_]:
    """Per group, its distinct values sorted and joined by "; " (only groups with several
    distinct values go through Python; most programs rows have one dependency)."""
    pairs = (
        pd.DataFrame({"group": group, "value": values.to_numpy(dtype=object)})
        .dropna()
        .drop_duplicates()
        .sort_values(["group", "value"], kind="stable")
    )
    out = np.full(groups, None, dtype=object)
    sizes = pairs["group"].map(pairs["group"].value_counts())
    single = pairs[sizes == 1]
    out[single["group"].to_numpy()] = single["value"].to_numpy()
    several = pairs[sizes > 1]
    if len(several):
        joined = several.groupby("group", sort=False)["value"].agg("; ".join)
        out[joined.index.to_numpy()] = joined.to_numpy()
    return out


def _programs(plan: pd.DataFrame, known_programs: list[str]) -> pd.DataFrame:
    """Programs and contracts of exposed dependencies, one row per (program, contract, buyer).

    A dependency belongs to its ``program``; without one, to the program its ``used_in``
    names, when that is a program known to the data (compared without case).
    """
    exposed = plan[plan["edge_type"] == "exposed"].copy()
    by_lower = {name.lower(): name for name in known_programs}
    from_used_in = exposed["used_in"].str.lower().map(by_lower)
    has_program = exposed["program"].notna()
    exposed["program"] = exposed["program"].where(has_program, from_used_in)
    basis = pd.Series("used_in", index=exposed.index).where(from_used_in.notna(), None)
    exposed["program_basis"] = basis.where(~has_program, "program")
    exposed = exposed[exposed["program"].notna() | exposed["contract_id"].notna()]
    if exposed.empty:
        return pd.DataFrame(columns=_PROGRAM_COLUMNS)

    grouped = exposed.groupby(["program", "contract_id", "buyer"], dropna=False, sort=False)
    group = grouped.ngroup().to_numpy(dtype=np.int64)
    frame = grouped.agg(
        program_basis=("program_basis", "first"),
        exposed_dependencies=("edge_index", "size"),
        dod_use=("dod_use", "any"),
        late=("late", "any"),
        tier=("tier", "min"),
        latest_completion=("estimated_completion", "max"),
        buyer_id=("buyer_id", "first"),
    )
    frame["value_at_risk_usd"] = grouped["annual_value_usd"].sum(min_count=1)
    frame = frame.reset_index()
    frame["suppliers"] = _joined(group, exposed["supplier"], len(frame))
    frame["products"] = _joined(group, exposed["product"], len(frame))
    frame = frame.sort_values(
        ["program", "value_at_risk_usd", "contract_id", "buyer"],
        ascending=[True, False, True, True],
        na_position="last",
        kind="stable",
    )
    return frame[_PROGRAM_COLUMNS].reset_index(drop=True)


_REMEDIATION_COLUMNS = [
    "action_type",
    "buyer",
    "supplier",
    "relation",
    "product",
    "used_in",
    "contract_id",
    "program",
    "tier",
    "designated_source",
    "chain",
    "annual_value_usd",
    "criticality",
    "essential",
    "alternatives",
    "replacement_months",
    "dod_use",
    "due_date",
    "estimated_completion",
    "days_past_deadline",
    "late",
    "action",
    "notes",
    "source_file",
    "sheet",
    "row",
    "buyer_id",
    "supplier_id",
    "edge_index",
]


def _sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT file_name AS file, sheet, kind, rows, sha256, size_bytes, loaded_at, "
        "buyer AS buyer_option, encoding, options AS load_options FROM sources ORDER BY load_id"
    ).df()


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


def build_tables(
    con: duckdb.DuckDBPyConnection,
    run: AssessmentRun,
    *,
    for_org: int | None = None,
    identified: date | None = None,
    generated_at: datetime | None = None,
) -> AssessmentTables:
    """The assessment of ``run`` as tables, network-wide or for one organization.

    Args:
        con: the warehouse the run was computed from (its data version must still match).
        run: the result of :func:`exposure.pipeline.run_assessment`.
        for_org: an org id: that organization's own assessment (see the module docstring).
        identified: the date the exposures count as identified, from which report due dates
            run. Default: the assessment date (today), or the effective date when that is
            later (nothing is reportable before the designation takes effect).
        generated_at: when the report is produced (default: now, UTC), stated on Summary.

    Raises:
        ExposureError: the data changed since the run, or ``for_org`` is no organization.
    """
    _check_data_version(con, run)
    graph, result, scenario = run.graph, run.result, run.scenario
    if for_org is not None and not 0 <= for_org < graph.n_orgs:
        raise ExposureError(f"no organization has id {for_org}")
    identified, identified_basis = _identified(identified, scenario.effective)
    generated_at = generated_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    context = network_context(con, run)

    sources = result.status >= NONCOMPLIANT
    exposed_plan = result.exposed_edges & ~sources[graph.buyer]
    plan_mask = exposed_plan | context.tie
    program_mask = exposed_plan.copy()
    if for_org is not None:
        plan_mask &= (graph.buyer == for_org) | (context.tie & (graph.supplier == for_org))
        program_mask &= (graph.buyer == for_org) | (graph.supplier == for_org)
        links = _chosen_paths(run, for_org)
    else:
        links = _shortest_paths(run, np.flatnonzero(result.exposed).astype(np.int64))
    wanted = plan_mask | program_mask
    wanted[links["edge_index"].to_numpy(dtype=np.int64)] = True
    edges_index = np.flatnonzero(wanted).astype(np.int64)
    edges = edge_facts(con, run, edges_index, context)

    plan_all = remediation_frame(edges, scenario)
    plan = plan_all[plan_mask[edges_index]].sort_values(
        ["late", "days_past_deadline", "annual_value_usd", "buyer", "supplier"],
        ascending=[False, False, False, True, True],
        na_position="last",
        kind="stable",
    )
    reporting = reporting_frame(
        plan[plan["buyer_id"] == for_org] if for_org is not None else plan, identified
    )
    reporting = reporting.sort_values(
        ["initial_report_due", "reporting_contractor", "contract_number", "supplier_name"],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)
    known_programs = [
        str(row[0])
        for row in con.execute(
            "SELECT DISTINCT program FROM edges WHERE program IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    programs = _programs(plan_all[program_mask[edges_index]], known_programs)

    ranked = organizations_frame(run)
    rank = pd.Series(np.arange(len(ranked)), index=ranked["org_id"].to_numpy())
    organizations = _organizations(run, context, ranked)
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
    paths = _paths(links, edges, context, rank)
    quality = data_quality_frame(con, run, plan, interest)
    screening, screening_notes = screening_sheet(con, run.data_version, interest)
    source_files = _sources(con)
    remediation = plan[_REMEDIATION_COLUMNS].reset_index(drop=True)

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
            seeds_version=str(
                scalar(con, "SELECT value FROM meta WHERE key = 'seeds_version'") or ""
            ),
            identified=identified,
            identified_basis=identified_basis,
            generated_at=generated_at,
            for_org=for_org,
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
    if (reporting["order_number"] == "").any():
        notes["Reporting"] = (
            "Order number is blank where the data holds none: contract_id gives no order after "
            "'/' and is not itself an order (PIID type F); see the Contract / order note.",
        )
    return AssessmentTables(
        scenario=scenario.name,
        data_version=run.data_version,
        for_org=None if for_org is None else str(context.names[for_org]),
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
    )
