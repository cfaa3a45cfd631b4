"""The frames of three sheets, built from a run's arrays and the edge facts.

:func:`exposure.report.tables.build_tables` strings these together with the frames of the other
modules (Remediation and Reporting from :mod:`exposure.model.remediation`, Data quality from
:mod:`exposure.report.quality`, Screening from :mod:`exposure.screening.results`, Summary from
:mod:`exposure.report.summary`):

* :func:`affected_organizations`: the Affected organizations sheet, in rank order, with counts
  of exposed, late and reportable inputs and each organization's shortest chain;
* :func:`shortest_paths` (network-wide) or :func:`chosen_paths` (one organization) pick the
  chain links, and :func:`exposure_paths` gives them the edge facts of the Exposure paths sheet;
* :func:`programs_and_contracts`: the Programs and contracts sheet, one row per program,
  contract and buyer of the exposed dependencies.

The Sources sheet is :func:`exposure.warehouse.report_facts.loaded_sources` as it is.

:data:`REMEDIATION_COLUMNS` orders the Remediation sheet's columns.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.model.chains import chain_edge_lists
from exposure.model.engine import NONCOMPLIANT
from exposure.model.run import AssessmentRun
from exposure.report.edge_facts import Context

__all__ = [
    "REMEDIATION_COLUMNS",
    "affected_organizations",
    "chosen_paths",
    "exposure_paths",
    "programs_and_contracts",
    "shortest_paths",
]

IntArray = npt.NDArray[np.int64]


def shortest_paths(run: AssessmentRun, orgs: IntArray) -> pd.DataFrame:
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


def chosen_paths(run: AssessmentRun, org: int) -> pd.DataFrame:
    """Up to three chains of one organization (see exposure.model.chains.chain_edge_lists)."""
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
    "undocumented",
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


def affected_organizations(
    run: AssessmentRun, context: Context, ranked: pd.DataFrame
) -> pd.DataFrame:
    """Affected organizations (sources included) in rank order, with their counts and chain."""
    graph, result = run.graph, run.result
    frame = ranked[ranked["exposed"] | ranked["undocumented"]].reset_index(drop=True)
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
    # Sources are reached by no edge (and a network may have no edges at all to index).
    source = np.full(len(org), None, dtype=object)
    source[reached] = context.names[context.origin_org[via[reached]]]
    frame["designated_source"] = source
    chain = np.asarray(context.names[org], dtype=object).copy()
    chain[reached] = context.chain[via[reached]]
    frame["shortest_chain"] = chain
    frame["uei"] = context.uei[org]
    frame["cage"] = context.cage[org]
    frame["country"] = context.country[org]
    columns = list(_ORGANIZATION_COLUMNS)
    if "p_exposed" in frame:
        columns.insert(columns.index("undocumented") + 1, "p_exposed")
    return frame[columns]


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


def exposure_paths(
    links: pd.DataFrame, edges: pd.DataFrame, context: Context, rank: pd.Series
) -> pd.DataFrame:
    """The chain links (from :func:`shortest_paths` or :func:`chosen_paths`) with the facts of
    their edges (``edges``, from :func:`exposure.report.edge_facts.edge_facts`), ordered by the rank of
    the organization (``rank``: org id -> position), then chain and link."""
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


# The plan's columns programs_and_contracts reads.
PROGRAM_INPUTS = [
    "edge_index",
    "edge_type",
    "program",
    "used_in",
    "contract_id",
    "buyer",
    "buyer_id",
    "supplier",
    "product",
    "dod_use",
    "late",
    "tier",
    "estimated_completion",
    "annual_value_usd",
]


def programs_and_contracts(plan: pd.DataFrame, known_programs: list[str]) -> pd.DataFrame:
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


REMEDIATION_COLUMNS = [
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
    "environment",
    "authorized_alternatives",
    "authorized_alternatives_count",
    "no_authorized_alternative",
    "deployment",
    "operator",
    "use",
    "replacement_months",
    "remediation_started",
    "dod_use",
    "due_date",
    "estimated_completion",
    "days_past_deadline",
    "late",
    "overdue_days",
    "action",
    "notes",
    "source_file",
    "sheet",
    "row",
    "buyer_id",
    "supplier_id",
    "edge_index",
]
