"""The Data quality sheet: what an analyst should check before signing the assessment.

Two kinds of findings, one frame (columns :data:`QUALITY_COLUMNS`):

* assessment flags, found on the dependencies of the remediation plan:

  - ``unscoped_input``: an exposed input with a blank ``used_in`` whose buyer sells something:
    blank means "feeds all of the buyer's products", so every product of the buyer is exposed
    through it (SPEC 4.1). Naming the product(s) it really feeds may clear the rest;
  - ``blank_product``: an exposed dependency on a non-designated supplier with no ``product``:
    it is exposed by *any* exposed input of that supplier;
  - ``replacement_months_missing``: whether its replacement is late cannot be judged;
  - ``value_missing``: the buyer's value at risk leaves it out;

* the warehouse's own findings (``dq_issues``, from loading and name resolution): unmatched
  names created as new organizations, fuzzy candidates never merged, ambiguous names, UEI and
  name conflicts, alias matches, self-dependencies, and rejected rows (``rejected_row``: rows
  of a valid file that a public format's rules leave out, such as a repeated subaward report,
  a subaward to the prime itself or an SBOM entry naming no organization, each with its file,
  row and reason), names mixing Latin with Cyrillic or Greek look-alikes (``mixed_script``),
  and rows whose invisible format characters the load removed (``format_characters``).

No row is ever rejected silently: a load is all or nothing, so a file with an invalid cell is
refused whole and stores nothing, and the rows a valid file holds but the model leaves out are
listed here (see :data:`NOTES`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.model.run import AssessmentRun

__all__ = ["ISSUE_ORDER", "NOTES", "QUALITY_COLUMNS", "data_quality_frame"]

QUALITY_COLUMNS = [
    "issue",
    "name",
    "detail",
    "candidate",
    "score",
    "source_file",
    "sheet",
    "row",
]

ISSUE_ORDER = (
    "unscoped_input",
    "blank_product",
    "replacement_months_missing",
    "value_missing",
    "fuzzy_candidate",
    "unmatched_name",
    "ambiguous_name",
    "uei_conflict",
    "name_conflict",
    "self_dependency",
    "rejected_row",
    "alias_match",
    "mixed_script",
    "format_characters",
    "fuzzy_skipped",
    "identifier_conflict",
    "unknown_column",
    "duplicate_rows_merged",
    "malformed_record",
    "bad_identifier",
    "extract_count",
    "negative_total",
    "sbom_schema",
    "review_decision",
)

NOTES = (
    "Rejected rows: a load is all or nothing, so a file with any invalid cell is refused whole, "
    "with its file, sheet, row and column, and nothing of it enters the database. Rows of a "
    "valid file that cannot be a dependency (a repeated subaward report, a subaward to the "
    "prime itself, an SBOM entry that names no organization) are left out of the model and "
    "listed below as rejected_row, with their file, row and reason.",
)


def _text(series: pd.Series, blank: str) -> pd.Series:
    return series.astype(object).where(series.notna(), blank).astype(str)


def _flags(run: AssessmentRun, plan: pd.DataFrame) -> pd.DataFrame:
    graph = run.graph
    exposed = plan[plan["edge_type"] == "exposed"]
    buyer = exposed["buyer_id"].to_numpy(dtype=np.int64)
    products_sold = np.bincount(
        graph.group_key // (graph.blank_code + 1), minlength=graph.n_orgs
    ).astype(np.int64)
    sells = products_sold[buyer]
    supplier = _text(exposed["supplier"], "")
    product = _text(exposed["product"], "an unnamed product")
    buyer_name = _text(exposed["buyer"], "")
    sources = exposed["supplier_status"].isin(["designated", "noncompliant"]).to_numpy()
    sold = pd.Series(sells, index=exposed.index).astype(str)
    # Each check's sentences are built for its own rows only (at national scale, millions of
    # rows times four checks of sentences otherwise).
    checks: list[tuple[str, npt.NDArray[np.bool_], Callable[[npt.NDArray[np.bool_]], pd.Series]]]
    checks = [
        (
            "unscoped_input",
            exposed["used_in"].isna().to_numpy() & (sells > 0),
            lambda m: (
                "used_in is blank, so this input ("
                + product[m]
                + " from "
                + supplier[m]
                + ") is taken to feed all "
                + sold[m]
                + " product(s) "
                + buyer_name[m]
                + " sells, and exposes them all; name in used_in "
                "the product(s) it really feeds"
            ),
        ),
        (
            "blank_product",
            exposed["product"].isna().to_numpy() & ~sources,
            lambda m: (
                "product is blank, so the dependency of "
                + buyer_name[m]
                + " on "
                + supplier[m]
                + " is exposed by any exposed input of "
                + supplier[m]
                + "; name the product bought"
            ),
        ),
        (
            "replacement_months_missing",
            exposed["replacement_months"].isna().to_numpy(),
            lambda m: (
                "replacement_months is blank for "
                + product[m]
                + " from "
                + supplier[m]
                + ": whether replacing it is late cannot be judged"
            ),
        ),
        (
            "value_missing",
            exposed["annual_value_usd"].isna().to_numpy(),
            lambda m: (
                "annual_value_usd is blank for "
                + product[m]
                + " from "
                + supplier[m]
                + ": the value at risk of "
                + buyer_name[m]
                + " leaves it out"
            ),
        ),
    ]
    parts = [
        pd.DataFrame(
            {
                "issue": issue,
                "name": exposed["buyer"][mask],
                "detail": detail(mask),
                "candidate": None,
                "score": np.nan,
                "source_file": exposed["source_file"][mask],
                "sheet": exposed["sheet"][mask],
                "row": exposed["row"][mask],
            }
        )
        for issue, mask, detail in checks
        if mask.any()
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=QUALITY_COLUMNS)


def data_quality_frame(
    run: AssessmentRun,
    plan: pd.DataFrame,
    issues: pd.DataFrame,
    orgs_of_interest: npt.NDArray[np.int64] | None = None,
) -> pd.DataFrame:
    """Flags on the plan's dependencies (an edge frame) and the warehouse's findings.

    ``issues`` is :func:`exposure.warehouse.report_facts.data_quality_issues` (``dq_issues``
    with the organizations each finding names). With ``orgs_of_interest``, warehouse findings
    are kept when their name or candidate resolves to one of those organizations.
    """
    if orgs_of_interest is not None:
        keep = issues["name_org"].isin(orgs_of_interest) | issues["candidate_org"].isin(
            orgs_of_interest
        )
        issues = issues[keep]
    issues = issues.drop(columns=["name_org", "candidate_org"]).drop_duplicates()
    parts = [frame for frame in (_flags(run, plan), issues) if len(frame)]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=QUALITY_COLUMNS)
    order = {issue: rank for rank, issue in enumerate(ISSUE_ORDER)}
    frame["_order"] = frame["issue"].map(order).fillna(len(order))
    frame = frame.sort_values(
        ["_order", "score", "name", "source_file", "row"],
        ascending=[True, False, True, True, True],
        na_position="last",
        kind="stable",
    )
    frame = frame.drop(columns="_order")[QUALITY_COLUMNS].reset_index(drop=True)
    frame["row"] = pd.to_numeric(frame["row"], errors="coerce").round().astype("Int64")
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype(float)
    return frame
