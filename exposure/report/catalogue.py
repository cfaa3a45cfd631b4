"""The report's sheet catalogue: which sheets follow Summary, and the headings of their columns.

:data:`SHEETS` lists the sheets after Summary in workbook order (a :class:`Sheet` each: its
title, the :class:`~exposure.report.tables.AssessmentTables` field holding its frame, its caption and
its frozen columns). Frames name their columns in ``snake_case``; :func:`column_label` gives the
heading people read (from :data:`LABELS`), and :data:`INTERNAL_COLUMNS` (ids for joining back
to the graph) stay out of the workbook. The workbook, the CSV and JSON outputs, the command line
and the dashboard all read this one catalogue. ``docs/report.md`` describes every sheet and
column.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "INTERNAL_COLUMNS",
    "LABELS",
    "SHEETS",
    "Sheet",
    "column_label",
]


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
        "Uncertainty",
        "uncertainty",
        "The Monte Carlo over links the data is not sure of (exposure assess --samples): per "
        "organization P(exposed) and its value at risk P5 / P50 / P95; then the suppliers "
        "that have not answered, ranked by how much their answer would move the expected "
        "value at risk. Empty when no samples were run.",
        freeze_columns=3,
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
INTERNAL_COLUMNS = frozenset({"org_id", "buyer_id", "supplier_id", "edge_index", "contract_edge"})

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
    "environment": "Environment",
    "deployment": "Deployment",
    "operator": "Operated by",
    "use": "Use",
    "authorized_alternatives": "Authorized alternatives at this level or higher",
    "authorized_alternatives_count": "Authorized alternatives (count)",
    "no_authorized_alternative": "No authorized alternative at this level",
    "replacement_months": "Replacement (months)",
    "remediation_started": "Remediation started",
    "due_date": "Due date",
    "estimated_completion": "Estimated completion",
    "days_past_deadline": "Days past deadline",
    "overdue_days": "Days overdue (as of)",
    "action": "Action",
    "notes": "Notes",
    "reporting_contractor": "Reporting contractor",
    "contract_number": "Government contract",
    "order_number": "Order number",
    "contract_note": "Contract / order note",
    "agency": "Agency",
    "own_reference": "Own subcontract / purchase reference",
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
    "undocumented": "Undocumented (unanswered)",
    "p_exposed": "P(exposed)",
    "expected_value_at_risk_usd": "Expected value at risk (USD)",
    "value_at_risk_p5_usd": "Value at risk P5 (USD)",
    "value_at_risk_p50_usd": "Value at risk P50 (USD)",
    "value_at_risk_p95_usd": "Value at risk P95 (USD)",
    "confidence": "Confidence",
    "unknown_links": "Unknown links",
    "p_exposed_if_yes": "P(exposed) if yes",
    "p_exposed_if_no": "P(exposed) if no",
    "delta_p_exposed": "Change in P(exposed)",
    "var_if_yes_usd": "Expected value at risk if yes (USD)",
    "var_if_no_usd": "Expected value at risk if no (USD)",
    "delta_var_usd": "Change in expected value at risk (USD)",
    "screened_only": "Estimated from the plain run only",
}


def column_label(name: str) -> str:
    """The heading people read for a frame column.

    >>> column_label("value_at_risk_usd"), column_label("some_new_column")
    ('Value at risk (USD)', 'Some new column')
    """
    return LABELS.get(name, name.replace("_", " ").capitalize())
