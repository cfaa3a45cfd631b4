"""Write the public-data fixtures of tests/data/public/ (run from the repository root).

The USAspending files use the real header of the contract subaward download (column names as
in USAspending's download dictionary, in its order); ``subawards_fsrs.csv`` uses the older
``subaward_fsrs_report_*`` spellings. Values are invented.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "public"

HEADER = [
    "prime_award_unique_key",
    "prime_award_piid",
    "prime_award_parent_piid",
    "prime_award_amount",
    "prime_award_disaster_emergency_fund_codes",
    "prime_award_outlayed_amount_from_COVID-19_supplementals",
    "prime_award_obligated_amount_from_COVID-19_supplementals",
    "prime_award_outlayed_amount_from_IIJA_supplemental",
    "prime_award_obligated_amount_from_IIJA_supplemental",
    "prime_award_total_outlayed_amount",
    "prime_award_base_action_date",
    "prime_award_base_action_date_fiscal_year",
    "prime_award_latest_action_date",
    "prime_award_latest_action_date_fiscal_year",
    "prime_award_period_of_performance_start_date",
    "prime_award_period_of_performance_current_end_date",
    "prime_award_period_of_performance_potential_end_date",
    "prime_award_awarding_agency_code",
    "prime_award_awarding_agency_name",
    "prime_award_awarding_sub_agency_code",
    "prime_award_awarding_sub_agency_name",
    "prime_award_awarding_office_code",
    "prime_award_awarding_office_name",
    "prime_award_funding_agency_code",
    "prime_award_funding_agency_name",
    "prime_award_funding_sub_agency_code",
    "prime_award_funding_sub_agency_name",
    "prime_award_funding_office_code",
    "prime_award_funding_office_name",
    "prime_award_treasury_accounts_funding_this_award",
    "prime_award_federal_accounts_funding_this_award",
    "prime_award_object_classes_funding_this_award",
    "prime_award_program_activities_funding_this_award",
    "prime_awardee_uei",
    "prime_awardee_duns",
    "prime_awardee_name",
    "prime_awardee_dba_name",
    "prime_awardee_parent_uei",
    "prime_awardee_parent_duns",
    "prime_awardee_parent_name",
    "prime_awardee_country_code",
    "prime_awardee_country_name",
    "prime_awardee_address_line_1",
    "prime_awardee_city_name",
    "prime_awardee_county_fips_code",
    "prime_awardee_county_name",
    "prime_awardee_state_fips_code",
    "prime_awardee_state_code",
    "prime_awardee_state_name",
    "prime_awardee_zip_code",
    "prime_award_summary_recipient_cd_original",
    "prime_award_summary_recipient_cd_current",
    "prime_awardee_foreign_postal_code",
    "prime_awardee_business_types",
    "prime_award_primary_place_of_performance_city_name",
    "prime_award_primary_place_of_performance_county_fips_code",
    "prime_award_primary_place_of_performance_county_name",
    "prime_award_primary_place_of_performance_state_fips_code",
    "prime_award_primary_place_of_performance_state_code",
    "prime_award_primary_place_of_performance_state_name",
    "prime_award_primary_place_of_performance_address_zip_code",
    "prime_award_summary_place_of_performance_cd_original",
    "prime_award_summary_place_of_performance_cd_current",
    "prime_award_primary_place_of_performance_country_code",
    "prime_award_primary_place_of_performance_country_name",
    "prime_award_base_transaction_description",
    "prime_award_project_title",
    "prime_award_naics_code",
    "prime_award_naics_description",
    "prime_award_national_interest_action_code",
    "prime_award_national_interest_action",
    "subaward_type",
    "subaward_sam_report_id",
    "subaward_sam_report_year",
    "subaward_sam_report_month",
    "subaward_number",
    "subaward_amount",
    "subaward_action_date",
    "subaward_action_date_fiscal_year",
    "subawardee_uei",
    "subawardee_duns",
    "subawardee_name",
    "subawardee_dba_name",
    "subawardee_parent_uei",
    "subawardee_parent_duns",
    "subawardee_parent_name",
    "subawardee_country_code",
    "subawardee_country_name",
    "subawardee_address_line_1",
    "subawardee_city_name",
    "subawardee_state_code",
    "subawardee_state_name",
    "subawardee_zip_code",
    "subaward_recipient_cd_original",
    "subaward_recipient_cd_current",
    "subawardee_foreign_postal_code",
    "subawardee_business_types",
    "subaward_primary_place_of_performance_city_name",
    "subaward_primary_place_of_performance_state_code",
    "subaward_primary_place_of_performance_state_name",
    "subaward_primary_place_of_performance_address_zip_code",
    "subaward_place_of_performance_cd_original",
    "subaward_place_of_performance_cd_current",
    "subaward_primary_place_of_performance_country_code",
    "subaward_primary_place_of_performance_country_name",
    "subaward_description",
    "subawardee_highly_compensated_officer_1_name",
    "subawardee_highly_compensated_officer_1_amount",
    "subawardee_highly_compensated_officer_2_name",
    "subawardee_highly_compensated_officer_2_amount",
    "subawardee_highly_compensated_officer_3_name",
    "subawardee_highly_compensated_officer_3_amount",
    "subawardee_highly_compensated_officer_4_name",
    "subawardee_highly_compensated_officer_4_amount",
    "subawardee_highly_compensated_officer_5_name",
    "subawardee_highly_compensated_officer_5_amount",
    "usaspending_permalink",
    "subaward_sam_report_last_modified_date",
]

DOD = {
    "prime_award_awarding_agency_code": "097",
    "prime_award_awarding_agency_name": "Department of Defense",
    "prime_award_funding_agency_code": "097",
    "prime_award_funding_agency_name": "Department of Defense",
}
NASA = {
    "prime_award_awarding_agency_code": "080",
    "prime_award_awarding_agency_name": "National Aeronautics and Space Administration",
    "prime_award_funding_agency_code": "080",
    "prime_award_funding_agency_name": "National Aeronautics and Space Administration",
}
MERIDIAN = {
    "prime_awardee_uei": "MRDNAERO1234",
    "prime_awardee_name": "MERIDIAN AEROSPACE CORPORATION",
    "prime_awardee_parent_uei": "MRDNHOLD5678",
    "prime_awardee_parent_name": "MERIDIAN HOLDINGS INC",
    "prime_awardee_country_code": "USA",
}
AWARD_1 = {
    "prime_award_unique_key": "CONT_AWD_FA865024C0001_9700_-NONE-_-NONE-",
    "prime_award_piid": "FA865024C0001",
    **DOD,
}
AWARD_2 = {
    "prime_award_unique_key": "CONT_AWD_80NSSC25C0002_8000_-NONE-_-NONE-",
    "prime_award_piid": "80NSSC25C0002",
    **NASA,
}
NORTHWIND = {
    "subawardee_uei": "NRTHWND12345",
    "subawardee_name": "NORTHWIND ANALYTICS LLC",
    "subawardee_parent_uei": "NRTHWND12345",
    "subawardee_parent_name": "NORTHWIND ANALYTICS LLC",
    "subawardee_country_code": "USA",
}
SENTINEL = {
    "subawardee_uei": "SNTNLGVC0001",
    "subawardee_name": "SENTINEL GOV CLOUD INC",
    "subawardee_dba_name": "SGC",
    "subawardee_country_code": "USA",
}

ROWS = [
    # Two subawards of Northwind under award 1: summed (250,000 + 100,000.50).
    {
        **AWARD_1,
        **MERIDIAN,
        **NORTHWIND,
        "subaward_sam_report_id": "R-0001",
        "subaward_number": "SUB-001",
        "subaward_amount": "250000.00",
        "subaward_action_date": "2024-03-01",
        "subaward_description": "analytics platform licences",
    },
    {
        **AWARD_1,
        **MERIDIAN,
        **NORTHWIND,
        "subaward_sam_report_id": "R-0002",
        "subaward_number": "SUB-002",
        "subaward_amount": "100000.50",
        "subaward_action_date": "2024-06-01",
        "subaward_description": "analytics support",
    },
    # The same report listed twice: counted once.
    {
        **AWARD_1,
        **MERIDIAN,
        **NORTHWIND,
        "subaward_sam_report_id": "R-0002",
        "subaward_number": "SUB-002",
        "subaward_amount": "100000.50",
        "subaward_action_date": "2024-06-01",
        "subaward_description": "analytics support",
    },
    # Sentinel under award 1 (prime name spelled differently, same UEI) and under award 2 (NASA).
    {
        **AWARD_1,
        **MERIDIAN,
        "prime_awardee_name": "MERIDIAN AEROSPACE CORP",
        **SENTINEL,
        "subaward_sam_report_id": "R-0003",
        "subaward_number": "SUB-010",
        "subaward_amount": "75000",
        "subaward_action_date": "2024-04-15",
        "subaward_description": "hosting",
    },
    {
        **AWARD_2,
        **MERIDIAN,
        **SENTINEL,
        "subaward_sam_report_id": "R-0004",
        "subaward_number": "SUB-200",
        "subaward_amount": "40000",
        "subaward_action_date": "2025-01-10",
        "subaward_description": "hosting",
    },
    # Second tier: Northwind subcontracts to a firm without a UEI.
    {
        **AWARD_1,
        "prime_awardee_uei": "NRTHWND12345",
        "prime_awardee_name": "NORTHWIND ANALYTICS LLC",
        "prime_awardee_country_code": "USA",
        "subawardee_name": "Quill Data Services",
        "subaward_sam_report_id": "R-0005",
        "subaward_number": "N-1",
        "subaward_amount": "12,500.00",
        "subaward_action_date": "2024-07-01",
    },
]


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])


def fsrs(name: str) -> str:
    return name.replace("subaward_sam_report", "subaward_fsrs_report")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write_csv(OUT / "subawards.csv", HEADER, ROWS)
    old = [fsrs(column) for column in HEADER]
    write_csv(
        OUT / "subawards_fsrs.csv", old, [{fsrs(k): v for k, v in row.items()} for row in ROWS]
    )
    no_sub_uei = [c for c in HEADER if c not in ("subawardee_uei", "subaward_amount")]
    write_csv(OUT / "subawards_missing_columns.csv", no_sub_uei, ROWS)
    bad = [dict(row) for row in ROWS]
    bad[1]["subaward_amount"] = "lots"
    bad[3]["subawardee_uei"] = "SNTNL-1"
    bad[4]["prime_awardee_name"] = '=HYPERLINK("http://x")'
    write_csv(OUT / "subawards_bad_cells.csv", HEADER, bad)

    sbom = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2026-02-01T12:00:00Z",
            "component": {
                "type": "application",
                "bom-ref": "app",
                "name": "Northwind Insight",
                "version": "4.2",
            },
            "manufacturer": {"name": "Northwind Analytics LLC"},
        },
        "components": [
            {
                "type": "machine-learning-model",
                "bom-ref": "model-claude",
                "name": "Claude Sonnet",
                "version": "4",
                "supplier": {"name": "Anthropic, PBC", "url": ["https://www.anthropic.com"]},
                "licenses": [{"license": {"name": "Commercial"}}],
            },
            {
                "type": "machine-learning-model",
                "bom-ref": "model-local",
                "name": "in-house-ranker",
                "manufacturer": {"name": "Quill Data Services"},
            },
            {"type": "machine-learning-model", "bom-ref": "model-anon", "name": "mystery-model"},
            {
                "type": "library",
                "name": "requests",
                "version": "2.32.3",
                "purl": "pkg:pypi/requests@2.32.3",
                "licenses": [{"license": {"id": "Apache-2.0"}}],
            },
        ],
        "services": [
            {
                "bom-ref": "svc-hosted-model",
                "name": "Model Garden",
                "provider": {"name": "Sentinel Gov Cloud"},
                "endpoints": ["https://models.sentinel.example/v1"],
                "authenticated": True,
            },
            {"bom-ref": "svc-tickets", "name": "Ticket Desk", "provider": {"name": "Helpdesk Co"}},
            {"bom-ref": "svc-internal", "name": "Internal cache"},
        ],
        "dependencies": [
            {"ref": "app", "dependsOn": ["svc-hosted-model", "svc-tickets", "model-local"]},
            {"ref": "svc-hosted-model", "dependsOn": ["model-claude"]},
        ],
    }
    (OUT / "sbom.json").write_text(json.dumps(sbom, indent=2), encoding="utf-8")
    text = json.dumps(sbom, indent=2)
    (OUT / "sbom_malformed.json").write_text(
        text.replace('"version": 1,', '"version": 1'), encoding="utf-8"
    )
    broken = json.loads(text)
    broken["components"][0]["type"] = "ml-model"
    broken["services"][0]["provider"] = {"name": 5}
    (OUT / "sbom_schema_fail.json").write_text(json.dumps(broken, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
