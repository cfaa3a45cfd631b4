"""Header matching and the agreement between code and seeds."""

from __future__ import annotations

import csv

import pytest

from exposure.ingest.schema import COLUMNS, RELATION_TYPES, match_header
from exposure.warehouse.database import seeds_dir

REL = COLUMNS["relationships"]
ORG = COLUMNS["organizations"]


@pytest.mark.parametrize(
    ("header", "columns", "expected"),
    [
        ("Vendor", REL, "supplier"),
        ("Supplier", REL, "supplier"),
        ("Subcontractor", REL, "supplier"),
        ("Customer", REL, "buyer"),
        ("Prime", REL, "buyer"),
        ("Spend", REL, "annual_value_usd"),
        ("Annual Spend (USD)", REL, "annual_value_usd"),
        ("ANNUAL_VALUE_USD", REL, "annual_value_usd"),
        ("Criticality (1-5)", REL, "criticality"),
        ("Used For", REL, "used_in"),
        ("Contract #", REL, "contract_id"),
        ("Months to Replace", REL, "replacement_months"),
        ("DoD Use (Y/N)", REL, "dod_use"),
        ("Category", REL, "relation"),
        ("Category", ORG, "kind"),
        ("Company Name", ORG, "name"),
        ("CAGE Code", ORG, "cage"),
        ("Unique Entity ID", ORG, "uei"),
        ("Colour", REL, None),
        ("Vendor", ORG, None),
    ],
)
def test_match_header(header, columns, expected):
    assert match_header(header, columns) == expected


def test_relation_types_seed_matches_validation():
    with (seeds_dir() / "relation_types.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["relation"] for row in rows} == set(RELATION_TYPES)
    assert all(row["source"].strip() for row in rows)


def test_every_seed_row_has_a_source():
    for path in sorted(seeds_dir().glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, path.name
        assert "source" in rows[0], path.name
        missing = [i + 2 for i, row in enumerate(rows) if not (row.get("source") or "").strip()]
        assert not missing, f"{path.name}: rows without a source: {missing}"
