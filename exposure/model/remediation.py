"""What each exposed dependency asks of its buyer: the remediation plan and the report rows.

Pure functions over an *edge frame*: one row per dependency that the assessment touches,
built by :mod:`exposure.report.tables` from the engine's arrays and the warehouse (columns listed in
:data:`EDGE_COLUMNS`). No database, no files: the same frame in gives the same frames out.

Three kinds of rows make the remediation plan (``action_type``):

* ``End purchase``: the supplier is designated (or non-compliant); the buyer must stop buying
  from it by the deadline (tier 1).
* ``Replace input``: the supplier is exposed through its own inputs; the buyer must have the
  designated content removed from what it buys, or replace it (tier 2 and deeper).
* ``End sale``: the *buyer* is designated (or non-compliant); the supplier, which does business
  with it, must stop selling to it by the deadline (SPEC 4.3). These ties are not exposures
  (nothing flows to the supplier), so they carry no tier and no replacement estimate.

Time (SPEC 4.4): every row is due by the deadline (effective date + transition days); the
estimated completion of a replacement is the effective date plus ``replacement_months`` x
30.4375 days, rounded *up* to a whole day, so a row is late exactly when its completion
falls after the deadline (the engine's ``edge_late``).
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.core.business_days import add_business_days
from exposure.model.engine import DAYS_PER_MONTH, Scenario

__all__ = [
    "ACTION_END_PURCHASE",
    "ACTION_END_SALE",
    "ACTION_REPLACE",
    "EDGE_COLUMNS",
    "FLOWDOWN_FIELDS",
    "NO_GOVERNMENT_CONTRACT",
    "REPORT_COLUMNS",
    "ContractReference",
    "completion_dates",
    "overdue_days",
    "parse_contract_reference",
    "remediation_frame",
    "reporting_frame",
]

ACTION_END_PURCHASE = "End purchase"
ACTION_REPLACE = "Replace input"
ACTION_END_SALE = "End sale"

# The edge frame: what exposure.report.tables gathers for every dependency of the plan.
EDGE_COLUMNS = (
    "edge_index",  # the edge's index in the graph's arrays
    "edge_type",  # "exposed" (an exposed edge) or "tie" (a sale to a designated organization)
    "buyer_id",
    "supplier_id",
    "buyer",
    "supplier",
    "buyer_kind",
    "buyer_status",
    "supplier_status",
    "supplier_uei",
    "supplier_cage",
    "relation",
    "product",
    "used_in",
    "contract_id",
    "program",
    "annual_value_usd",
    "criticality",
    "essential",
    "alternatives",
    "replacement_months",
    "dod_use",
    "notes",
    "remediation_started",  # when the buyer began replacing it (NaT: the effective date)
    "tier",  # the edge's tier (0 for ties)
    "late",  # the engine's edge_late
    "designated_source",  # the source at the start of the edge's shortest chain
    "chain",  # that chain, names joined by " > "
    "source_file",
    "sheet",
    "row",
    "other_evidence",
    # The reporting rule of the designation behind the edge (see exposure.report.tables):
    "clause",
    "initial_report_business_days",
    "followup_business_days",
    "report_to",
    "rule_basis",
)

REPORT_COLUMNS = [
    "reporting_contractor",
    "contract_number",
    "order_number",
    "contract_note",
    "agency",
    "program",
    "own_reference",
    "supplier_name",
    "supplier_uei",
    "supplier_cage",
    "product",
    "item_description",
    "designated_source",
    "clause",
    "report_to",
    "date_identified",
    "initial_report_due",
    "followup_report_due",
    "mitigation_actions",
    "estimated_completion",
    "late",
    "rule_basis",
    "source_file",
    "sheet",
    "row",
    "buyer_id",
    "edge_index",
    "contract_edge",
]

# The flow-down frame reporting_frame reads (exposure.report.edge_facts.government_contracts).
FLOWDOWN_FIELDS = [
    "edge_index",
    "contract_edge",
    "agency",
    "government_contract",
    "contract_program",
    "government_order",  # the prime contract's order_id (None: the data gives none apart)
]

NO_GOVERNMENT_CONTRACT = (
    "feeds no government contract in the data: no chain from this dependency reaches a "
    "prime contract with an agency"
)

_PIID = re.compile(r"^[A-Z0-9]{6}[0-9]{2}([A-Z])[A-Z0-9]{4,8}$")


class ContractReference(NamedTuple):
    """A ``contract_id`` read as a FAR 52.204-25(d) report wants it."""

    contract_number: str
    order_number: str
    note: str


def parse_contract_reference(text: str | None) -> ContractReference:
    """Split a ``contract_id`` into contract number and order number, saying how.

    * ``CONTRACT/ORDER`` (the way DoD wrote an order under a contract before uniform PIIDs,
      e.g. ``W56KGZ-24-D-0001/0003``): both parts.
    * A uniform PIID whose 9th character is ``F`` (task order, delivery order or call, FAR
      4.1603(a)(3)) is itself an order: it is the order number, and the contract it was placed
      under is not in the data.
    * Anything else is the contract number; the data holds no order number.

    >>> parse_contract_reference("W56KGZ-24-D-0001/0003")[:2]
    ('W56KGZ-24-D-0001', '0003')
    >>> parse_contract_reference("N00039-25-F-0217")[:2]
    ('', 'N00039-25-F-0217')
    >>> parse_contract_reference("FA8625-24-C-6012")[:2]
    ('FA8625-24-C-6012', '')
    >>> parse_contract_reference(None).note
    'no contract number in the data'
    """
    if text is None or not str(text).strip():
        return ContractReference("", "", "no contract number in the data")
    text = str(text).strip()
    if text.count("/") == 1:
        contract, order = (part.strip() for part in text.split("/"))
        if contract and order:
            return ContractReference(contract, order, "order number after '/' in contract_id")
    compact = re.sub(r"[\s-]", "", text).upper()
    match = _PIID.match(compact)
    if match and match.group(1) == "F":
        return ContractReference(
            "",
            text,
            "contract_id is an order (PIID type F: task/delivery order or call, FAR "
            "4.1603(a)(3)); the contract it was placed under is not in the data",
        )
    return ContractReference(text, "", "no order number in the data")


def completion_dates(effective: date, months: pd.Series) -> pd.Series:
    """Estimated completion: ``effective`` + ceil(months x 30.4375) days; NaT where unknown.

    >>> completion_dates(date(2026, 2, 27), pd.Series([5.9, 6.0, None])).dt.date.tolist()  # due 8-26
    [datetime.date(2026, 8, 26), datetime.date(2026, 8, 29), NaT]
    """
    values = pd.to_numeric(months, errors="coerce").astype(float)
    days = np.ceil(values.to_numpy() * DAYS_PER_MONTH - 1e-9)
    offsets = pd.to_timedelta(days, unit="D")
    return pd.Series(pd.Timestamp(effective) + offsets, index=months.index)


def _pick(condition: object, yes: object, no: object) -> npt.NDArray[np.object_]:
    """``np.where`` for texts, as an array of Python strings: ``np.where`` makes a fixed-width
    Unicode array (4 bytes a character times the longest text, for every row), which at
    national scale held gigabytes for a column of sentences."""
    chosen = np.asarray(condition, dtype=bool)
    out = np.empty(len(chosen), dtype=object)
    out[:] = no if isinstance(no, str) else np.asarray(no, dtype=object)
    out[chosen] = yes if isinstance(yes, str) else np.asarray(yes, dtype=object)[chosen]
    return out


def _text(series: pd.Series, blank: str = "") -> pd.Series:
    """Strings, with missing values as ``blank``."""
    return series.astype(object).where(series.notna(), blank).astype(str)


def _months_text(months: pd.Series) -> pd.Series:
    return months.map(lambda m: "" if pd.isna(m) else f"{float(m):g}")


def overdue_days(scenario: Scenario, as_of: date | None) -> int:
    """Days by which ``as_of`` is past the scenario's deadline (0 on or before it, or None).

    >>> overdue_days(Scenario(designated=(0,)), date(2026, 12, 3))  # deadline 2026-08-26
    99
    >>> overdue_days(Scenario(designated=(0,)), date(2026, 8, 26))
    0
    """
    if as_of is None:
        return 0
    return max((as_of - scenario.deadline).days, 0)


def _starts(edges: pd.DataFrame, effective: date) -> pd.Series:
    """Per edge, when its replacement starts: the later of ``effective`` and the edge's
    ``remediation_started`` (when the frame has that column and the date is known)."""
    start = pd.Series(pd.Timestamp(effective), index=edges.index)
    if "remediation_started" not in edges.columns:
        return start
    started = pd.to_datetime(edges["remediation_started"], errors="coerce")
    return start.where(~(started > start), started)


def remediation_frame(
    edges: pd.DataFrame, scenario: Scenario, as_of: date | None = None
) -> pd.DataFrame:
    """The plan: one row per edge of ``edges`` (same index, same order), with its action.

    Adds ``action_type``, ``due_date`` (the deadline), ``estimated_completion``,
    ``days_past_deadline`` (positive when late), ``overdue_days`` and ``action``, the words an
    analyst would write for the row: what to do, by when, the qualified alternatives on
    record, and, for a late row, how late and what follows.

    ``as_of`` is the date the assessment speaks for: past the deadline, every row (still in
    the data, so still open) is overdue by ``as_of - deadline`` days, and its action says so.
    The estimated completion counts from the later of the effective date and the edge's
    ``remediation_started`` (an optional column of ``edges``); a row is late when that falls
    after the deadline (without a later start, exactly the engine's ``edge_late``).
    """
    deadline = pd.Timestamp(scenario.deadline)
    overdue = overdue_days(scenario, as_of)
    if edges.empty:
        return edges.assign(
            action_type=pd.Series(dtype=object),
            due_date=pd.Series(dtype="datetime64[ns]"),
            estimated_completion=pd.Series(dtype="datetime64[ns]"),
            days_past_deadline=pd.Series(dtype="Int64"),
            overdue_days=pd.Series(dtype="Int64"),
            action=pd.Series(dtype=object),
        )
    tie = (edges["edge_type"] == "tie").to_numpy()
    direct = ~tie & (edges["tier"].to_numpy() == 1)
    action_type = _pick(tie, ACTION_END_SALE, _pick(direct, ACTION_END_PURCHASE, ACTION_REPLACE))
    completion = completion_dates(scenario.effective, edges["replacement_months"])
    start = _starts(edges, scenario.effective)
    completion = (completion + (start - pd.Timestamp(scenario.effective))).where(~tie)
    days_past = (completion - deadline).dt.days
    late = (edges["late"].astype(bool) | (completion > deadline)) & ~tie

    product = _text(edges["product"], "the unnamed product")
    supplier, buyer = _text(edges["supplier"]), _text(edges["buyer"])
    by = " by " + scenario.deadline.isoformat() + "."
    source = _text(edges["designated_source"])
    what = pd.Series(
        _pick(
            tie,
            "Stop selling "
            + product
            + " to "
            + buyer
            + " ("
            + _text(edges["buyer_status"])
            + ")"
            + by,
            _pick(
                direct,
                "Stop buying "
                + product
                + " from "
                + supplier
                + " ("
                + _text(edges["supplier_status"])
                + ")"
                + by,
                "Have "
                + supplier
                + " remove "
                + source
                + " from "
                + product
                + ", or replace "
                + product
                + by,
            ),
        ),
        index=edges.index,
    )
    alternatives = pd.to_numeric(edges["alternatives"], errors="coerce").astype(float)
    count = alternatives.fillna(0).astype(int).astype(str)
    alternatives_text = _pick(
        alternatives.isna(),
        " Qualified alternatives: not recorded.",
        _pick(
            alternatives > 0,
            " " + count + " qualified alternative(s) on record.",
            " No qualified alternative on record: qualify a new source.",
        ),
    )
    essential_text = _pick(
        edges["essential"].fillna(False).astype(bool),
        " Essential: production stops without it.",
        "",
    )
    months = _months_text(edges["replacement_months"])
    completion_text = _text(completion.dt.strftime("%Y-%m-%d"))
    days_text = days_past.fillna(0).astype(int).astype(str)
    timing_text = _pick(
        late,
        " Late: replacement takes "
        + months
        + " months (estimated "
        + completion_text
        + "), "
        + days_text
        + " days after the deadline; plan interim mitigation and inform the "
        "contracting officer.",
        _pick(
            completion.isna(),
            " Replacement time not recorded: estimate it.",
            " Replacement takes " + months + " months (estimated " + completion_text + ").",
        ),
    )
    action: pd.Series = what + _pick(tie, "", alternatives_text + essential_text + timing_text)
    if overdue:
        overdue_text = (
            f"Overdue by {overdue} days (as of {as_of}; the deadline was "
            f"{scenario.deadline.isoformat()}): "
        )
        action = pd.Series(overdue_text, index=edges.index) + action.astype(str)
    plan = edges.copy()
    plan["action_type"] = action_type
    plan["due_date"] = deadline
    plan["estimated_completion"] = completion
    plan["days_past_deadline"] = days_past.astype("Int64")
    plan["overdue_days"] = pd.array([overdue] * len(plan), dtype="Int64")
    plan["late"] = late
    plan["action"] = action.astype(str)
    return plan


def _whole_days(value: float) -> int | None:
    """A number of business days, or None when it is unknown (NaN).

    >>> _whole_days(3.0), _whole_days(float("nan"))
    (3, None)
    """
    return None if math.isnan(value) else int(value)


def _flow_down(rows: pd.DataFrame, flowdown: pd.DataFrame | None) -> pd.DataFrame:
    """``rows`` once per government contract each feeds (once, without one), in row order.

    Adds ``contract_edge`` (-1 for none), ``agency``, ``government_contract`` and
    ``contract_program``; rows of one (buyer, contract, supplier, product) are merged into the
    first, their own references joined.
    """
    if flowdown is None:
        flowdown = pd.DataFrame(columns=FLOWDOWN_FIELDS)
    flow = flowdown[FLOWDOWN_FIELDS]
    merged = rows.reset_index(names="_plan_index").merge(
        flow, on="edge_index", how="left", sort=False
    )
    merged["contract_edge"] = merged["contract_edge"].fillna(-1).astype(np.int64)
    own = _text(merged["contract_id"])
    keys = pd.DataFrame(
        {
            "buyer": merged["buyer_id"].to_numpy(),
            "contract": merged["contract_edge"].to_numpy(),
            "supplier": merged["supplier_id"].to_numpy(),
            "product": _text(merged["product"]).str.casefold().to_numpy(),
        }
    )
    shared = keys.duplicated(keep=False).to_numpy()
    if shared.any():  # only the merged rows go through the (per group) join
        joined = (
            own[shared]
            .groupby([keys.loc[shared, column] for column in keys.columns], sort=False)
            .transform(lambda values: "; ".join(dict.fromkeys(v for v in values if v)))
        )
        own = own.where(~shared, joined)
    merged["own_reference"] = own
    first = ~keys.duplicated().to_numpy()
    return merged[first].drop(columns="_plan_index").reset_index(drop=True)


# The plan's columns that reporting_frame (and _flow_down) read.
_REPORTING_INPUTS = [
    "action",
    "buyer",
    "buyer_id",
    "chain",
    "clause",
    "contract_id",
    "designated_source",
    "edge_index",
    "estimated_completion",
    "followup_business_days",
    "initial_report_business_days",
    "late",
    "notes",
    "product",
    "program",
    "relation",
    "report_to",
    "row",
    "rule_basis",
    "sheet",
    "source_file",
    "supplier",
    "supplier_cage",
    "supplier_id",
    "supplier_uei",
    "tier",
    "used_in",
]


def reporting_frame(
    plan: pd.DataFrame, identified: date, flowdown: pd.DataFrame | None = None
) -> pd.DataFrame:
    """FAR 52.204-25(d) / 52.204-30(c) report rows: exposed DoD-use dependencies of ``plan``.

    One row per (reporting contractor, government contract, supplier, product), as the clauses
    ask. The reporting contractor is the buyer; a government agency buying from its prime is
    not a contractor and reports nothing (its prime reports on the prime's own inputs). The
    contract reported is the *government* contract the dependency feeds (``flowdown``: columns
    :data:`FLOWDOWN_FIELDS`, one row per dependency and contract, from
    :func:`exposure.report.edge_facts.government_contracts`); the contractor's own subcontract
    or purchase reference (the dependency's ``contract_id``) is ``own_reference``. A dependency
    that feeds no government contract in the data has one row saying so
    (:data:`NO_GOVERNMENT_CONTRACT`).

    ``plan`` is :func:`remediation_frame`'s result. The initial report is due the given number
    of business days after ``identified``; the follow-up (further mitigation information) the
    given number of business days after the initial report is due (52.204-25(d)(2)(ii) counts
    from its submission: if it goes in earlier, so can the follow-up). Days are counted by
    :func:`exposure.core.business_days.add_business_days`.
    """
    chosen = (
        (plan["edge_type"] == "exposed")
        & plan["dod_use"].fillna(False).astype(bool)
        & (plan["buyer_kind"] != "agency")
    )
    # Only the columns read below are copied (the plan has about fifty).
    rows = plan.loc[chosen, [column for column in _REPORTING_INPUTS if column in plan.columns]]
    if rows.empty:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    rows = _flow_down(rows, flowdown)
    contract_ids = _text(rows["government_contract"])
    references = {value: parse_contract_reference(value) for value in contract_ids.unique()}
    none = (rows["contract_edge"] == -1).to_numpy()

    def part(index: int) -> pd.Series:
        return contract_ids.map(lambda value: references[value][index])

    contract_number, order_number, contract_note = part(0), part(1), part(2)
    # An order_id given apart on the prime contract is the order; contract_id the contract.
    order_given = _text(rows["government_order"])
    apart = (order_given != "").to_numpy() & ~none
    contract_number = contract_number.where(~apart, contract_ids)
    order_number = order_number.where(~apart, order_given)
    contract_note = contract_note.where(~apart, "order number from the data's order_id column")
    contract_note = contract_note.where(~none, NO_GOVERNMENT_CONTRACT)
    contract_note = contract_note.where(
        none | (contract_ids != "") | apart,
        "the prime contract with the agency carries no contract number in the data",
    )

    # NaN (no rule) never equals itself, so the windows are keyed by ints, or None for unknown.
    keys = [
        (_whole_days(first), _whole_days(then))
        for first, then in zip(
            pd.to_numeric(rows["initial_report_business_days"], errors="coerce"),
            pd.to_numeric(rows["followup_business_days"], errors="coerce"),
            strict=True,
        )
    ]
    due: dict[tuple[int | None, int | None], tuple[object, object]] = {}
    for first, then in set(keys):
        if first is None:
            due[(first, then)] = (pd.NaT, pd.NaT)
            continue
        initial = add_business_days(identified, first)
        followup = pd.NaT if then is None else pd.Timestamp(add_business_days(initial, then))
        due[(first, then)] = (pd.Timestamp(initial), followup)
    no_rule = np.array([first is None for first, _ in keys], dtype=bool)
    no_followup = np.array([then is None for _, then in keys], dtype=bool) & ~no_rule
    clause = rows["clause"].where(~no_rule, "none: no reporting rule")
    report_to = rows["report_to"].where(~no_rule, "unknown: no reporting rule")
    rule_basis = _text(rows["rule_basis"]) + _pick(
        no_rule,
        "; the report due dates are unknown: no reporting rule applies to this designation type",
        _pick(no_followup, "; the follow-up report due date is unknown", ""),
    )

    product = _text(rows["product"], "unnamed product")
    description = (
        product
        + " ("
        + _text(rows["relation"]).str.replace("_", " ")
        + ") from "
        + _text(rows["supplier"])
    )
    deeper = rows["tier"].to_numpy() > 1
    description = description + _pick(
        deeper,
        "; depends on " + _text(rows["designated_source"]) + " through " + _text(rows["chain"]),
        "",
    )
    used_in = _text(rows["used_in"])
    description = description + _pick(used_in != "", "; used in " + used_in, "")
    notes = _text(rows["notes"])
    description = description + _pick(notes != "", "; note: " + notes, "")

    report = pd.DataFrame(
        {
            "reporting_contractor": rows["buyer"],
            "contract_number": contract_number,
            "order_number": order_number,
            "contract_note": contract_note,
            "agency": _text(rows["agency"]),
            "program": rows["contract_program"].where(~none, rows["program"]),
            "own_reference": rows["own_reference"],
            "supplier_name": rows["supplier"],
            "supplier_uei": rows["supplier_uei"],
            "supplier_cage": rows["supplier_cage"],
            "product": rows["product"],
            "item_description": description,
            "designated_source": rows["designated_source"],
            "clause": clause,
            "report_to": report_to,
            "date_identified": pd.Timestamp(identified),
            "initial_report_due": [due[key][0] for key in keys],
            "followup_report_due": [due[key][1] for key in keys],
            "mitigation_actions": rows["action"],
            "estimated_completion": rows["estimated_completion"],
            "late": rows["late"],
            "rule_basis": rule_basis,
            "source_file": rows["source_file"],
            "sheet": rows["sheet"],
            "row": rows["row"],
            "buyer_id": rows["buyer_id"],
            "edge_index": rows["edge_index"],
            "contract_edge": rows["contract_edge"],
        },
        index=rows.index,
    )
    for column in ("initial_report_due", "followup_report_due"):
        report[column] = pd.to_datetime(report[column])
    return report[REPORT_COLUMNS]
