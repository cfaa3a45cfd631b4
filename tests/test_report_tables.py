"""The assessment tables of tests/data/report/, every figure worked out by hand.

Designation: "Vendor AI, PBC" (named on the command line, so on no seed list: the FASCSA rule
of FAR 52.204-30 applies, 3 and 10 business days), effective 2026-02-27, 180 days: deadline
2026-08-26. Reports identified on Wednesday 2026-07-01. See tests/data/report/README.md for
which edge is exposed and why.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from exposure import assess as assess_scenario
from exposure import connect, load_files
from exposure.core.errors import ExposureError
from exposure.model.remediation import parse_contract_reference
from exposure.model.scenario import ScenarioSpec
from exposure.report.catalogue import SHEETS
from exposure.report.tables import build_tables
from exposure.warehouse.scenarios import resolve_org

IDENTIFIED = date(2026, 7, 1)


@pytest.fixture
def assessed(report_db):
    con = connect(report_db)
    run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
    yield con, run
    con.close()


@pytest.fixture
def tables(assessed):
    con, run = assessed
    return build_tables(con, run, identified=IDENTIFIED, as_of=IDENTIFIED)


def _stamp(text):
    return pd.Timestamp(text)


def test_affected_organizations_by_hand(tables):
    orgs = tables.organizations.set_index("name")
    assert list(orgs.index[:1]) == ["Vendor AI, PBC"]  # the designated vendor ranks first
    assert set(orgs.index) == {
        "Vendor AI, PBC",
        "Cloud Host Inc",
        "Platform Co LLC",
        "Prime Corp",
        "Department of Defense",
    }  # Compute Buyer (compute only) and Acme Parts are clear
    assert orgs["tier"].to_dict() == {
        "Vendor AI, PBC": 0,
        "Cloud Host Inc": 1,
        "Platform Co LLC": 2,
        "Prime Corp": 1,  # directly, through Vendor Chat; also at tier 3 through Platform
        "Department of Defense": 4,
    }
    assert orgs["value_at_risk_usd"].to_dict() == {
        "Vendor AI, PBC": 0.0,
        "Cloud Host Inc": 1000.0,
        "Platform Co LLC": 200.0,
        "Prime Corp": 5050.0,  # 5,000 Analytics Platform + 50 Vendor Chat
        "Department of Defense": 90000.0,
    }
    assert orgs["late"].to_dict()["Platform Co LLC"]  # 9 months: 274 days > 180
    assert orgs["late"].sum() == 1
    assert set(orgs.index[orgs["obliged"]]) == {"Cloud Host Inc", "Prime Corp"}
    assert orgs["exposed_inputs"].to_dict() == {
        "Vendor AI, PBC": 0,
        "Cloud Host Inc": 1,
        "Platform Co LLC": 1,
        "Prime Corp": 2,
        "Department of Defense": 1,
    }
    assert orgs.loc["Department of Defense", "shortest_chain"] == (
        "Vendor AI, PBC > Cloud Host Inc > Platform Co LLC > Prime Corp > Department of Defense"
    )
    assert orgs.loc["Prime Corp", "uei"] == "PRIME0000001"
    assert list(tables.organizations["rank"]) == [1, 2, 3, 4, 5]


def test_exposure_paths_by_hand(tables):
    paths = tables.paths
    rows = {
        (r.organization, r.link): (r.supplier, r.buyer, r.product, r.row)
        for r in paths.itertuples(index=False)
    }
    assert rows == {
        ("Cloud Host Inc", 1): ("Vendor AI, PBC", "Cloud Host Inc", "Vendor models", 2),
        ("Platform Co LLC", 1): ("Vendor AI, PBC", "Cloud Host Inc", "Vendor models", 2),
        ("Platform Co LLC", 2): ("Cloud Host Inc", "Platform Co LLC", "Model Garden", 3),
        ("Prime Corp", 1): ("Vendor AI, PBC", "Prime Corp", "Vendor Chat", 9),
        ("Department of Defense", 1): ("Vendor AI, PBC", "Cloud Host Inc", "Vendor models", 2),
        ("Department of Defense", 2): ("Cloud Host Inc", "Platform Co LLC", "Model Garden", 3),
        ("Department of Defense", 3): (
            "Platform Co LLC",
            "Prime Corp",
            "Analytics Platform",
            5,
        ),
        ("Department of Defense", 4): ("Prime Corp", "Department of Defense", "Sea Lance", 6),
    }
    assert set(paths["source_file"]) == {"relationships.csv"}
    assert (paths["chain"] == 1).all()


def test_remediation_by_hand(tables):
    plan = tables.remediation.set_index(["buyer", "supplier"])
    # The Department of Defense's prime contract with Prime Corp is exposed (tier 4) but is
    # no row of the plan: an agency is a customer whose contract is touched (Programs and
    # contracts), not an organization to remediate; Prime Corp's own inputs carry the plan.
    assert len(plan) == 5
    assert "Department of Defense" not in plan.index.get_level_values("buyer")
    expected = {
        # (buyer, supplier): action type, tier, completion, days past deadline, late
        ("Cloud Host Inc", "Vendor AI, PBC"): ("End purchase", 1, "2026-05-30", -88, False),
        ("Platform Co LLC", "Cloud Host Inc"): ("Replace input", 2, "2026-11-28", 94, True),
        ("Prime Corp", "Platform Co LLC"): ("Replace input", 3, "2026-07-30", -27, False),
        ("Prime Corp", "Vendor AI, PBC"): ("End purchase", 1, "2026-03-30", -149, False),
        ("Vendor AI, PBC", "Cloud Host Inc"): ("End sale", 0, None, None, False),
    }
    for key, (action, tier, completion, past, late) in expected.items():
        row = plan.loc[key]
        assert row["action_type"] == action, key
        assert row["tier"] == tier, key
        if completion is None:
            assert pd.isna(row["estimated_completion"]) and pd.isna(row["days_past_deadline"])
        else:
            assert row["estimated_completion"] == _stamp(completion), key
            assert row["days_past_deadline"] == past, key
        assert bool(row["late"]) is late, key
        assert row["due_date"] == _stamp("2026-08-26")
    assert plan.index[0] == ("Platform Co LLC", "Cloud Host Inc")  # late rows come first
    late = plan.loc[("Platform Co LLC", "Cloud Host Inc"), "action"]
    assert "Late: replacement takes 9 months (estimated 2026-11-28), 94 days after" in late
    assert "No qualified alternative on record" in late
    assert plan.loc[("Vendor AI, PBC", "Cloud Host Inc"), "action"] == (
        "Stop selling GPU compute to Vendor AI, PBC (designated) by 2026-08-26."
    )
    assert plan.loc[("Cloud Host Inc", "Vendor AI, PBC"), "action"].startswith(
        "Stop buying Vendor models from Vendor AI, PBC (designated) by 2026-08-26. 2 qualified"
    )
    programs = tables.programs.set_index(["buyer", "contract_id"])
    assert ("Department of Defense", "N00024-24-C-5310") in programs.index


def test_reporting_by_hand(tables):
    report = tables.reporting.set_index("reporting_contractor")
    # DoD-use exposed inputs of contractors: not the agency's, not Vendor Chat (no DoD use)
    assert set(report.index) == {"Cloud Host Inc", "Platform Co LLC", "Prime Corp"}
    # Every report cites the government contract its dependency feeds: Prime Corp's prime
    # contract with the Department of Defense, N00024-24-C-5310 (Sea Lance); each contractor's
    # own purchase or subcontract reference has its own column.
    assert (report["contract_number"] == "N00024-24-C-5310").all()
    assert (report["order_number"] == "").all()
    assert (report["agency"] == "Department of Defense").all()
    assert report["own_reference"].to_dict() == {
        "Cloud Host Inc": "CH-RA-1",
        "Platform Co LLC": "W56KGZ-24-D-0001/0003",
        "Prime Corp": "N00039-25-F-0217",
    }
    assert report.loc[
        "Platform Co LLC", ["supplier_name", "supplier_uei", "supplier_cage"]
    ].tolist() == [
        "Cloud Host Inc",
        "CLOUD0000001",
        "2CLD2",
    ]
    assert report.loc["Prime Corp", "program"] == "Sea Lance"
    # Wednesday 2026-07-01 + 3 business days: Thu 2, (Fri 3 observed Independence Day, 4-5
    # weekend), Mon 6, Tue 7. Then 10 business days: 8, 9, 10, 13, 14, 15, 16, 17, 20, 21.
    assert (report["clause"] == "FAR 52.204-30(c)").all()
    assert (report["date_identified"] == _stamp("2026-07-01")).all()
    assert (report["initial_report_due"] == _stamp("2026-07-07")).all()
    assert (report["followup_report_due"] == _stamp("2026-07-21")).all()
    assert report["rule_basis"].str.startswith("assumed: Vendor AI, PBC is on no designation").all()
    description = report.loc["Prime Corp", "item_description"]
    assert description.startswith("Analytics Platform (subcontract) from Platform Co LLC")
    assert "Vendor AI, PBC > Cloud Host Inc > Platform Co LLC > Prime Corp" in description
    mitigation = report.loc["Platform Co LLC", "mitigation_actions"]
    assert mitigation.startswith("Have Cloud Host Inc remove Vendor AI, PBC from Model Garden")


def test_programs_and_contracts_by_hand(tables):
    programs = tables.programs
    rows = [
        (r.program if isinstance(r.program, str) else None, r.contract_id, r.buyer, r.suppliers)
        for r in programs.itertuples(index=False)
    ]
    assert rows == [
        ("Sea Lance", "N00024-24-C-5310", "Department of Defense", "Prime Corp"),
        ("Sea Lance", "N00039-25-F-0217", "Prime Corp", "Platform Co LLC"),
        (None, "CH-RA-1", "Cloud Host Inc", "Vendor AI, PBC"),
        (None, "W56KGZ-24-D-0001/0003", "Platform Co LLC", "Cloud Host Inc"),
    ]
    # The agency's row has no program of its own: its used_in "sea lance" names one.
    assert programs["program_basis"].tolist()[:2] == ["used_in", "program"]
    assert programs["value_at_risk_usd"].tolist() == [90000.0, 5000.0, 1000.0, 200.0]
    assert programs["late"].tolist() == [False, False, False, True]


def test_data_quality_by_hand(tables):
    quality = tables.data_quality
    assert list(zip(quality["issue"], quality["name"], quality["row"], strict=True)) == [
        ("unscoped_input", "Prime Corp", 5),  # blank used_in, and Prime sells Sea Lance
        # (the agency's prime contract needs no replacement time: it is not in the plan)
        ("unmatched_name", "Acme Parts", 10),
    ]
    # Nothing was left out of these files, and the sheet says where such rows would be listed.
    assert "listed below as rejected_row" in tables.notes["Data quality"][0]


def test_summary_states_scenario_and_data_version(tables, assessed):
    facts = dict(zip(tables.summary["fact"], tables.summary["value"], strict=True))
    assert facts["Designated (named)"] == "Vendor AI, PBC"
    assert facts["Effective date"] == date(2026, 2, 27)
    assert facts["Deadline"] == date(2026, 8, 26)
    assert facts["Transition (days)"] == 180
    assert facts["Designation type"] == "fascsa"
    assert str(facts["Impact model"]).startswith("cascade")
    assert facts["Value at risk (USD)"] == 96250.0
    # Vendor AI and the four organizations its chains reach (issue 10: one definition).
    assert facts["Organizations affected"] == 5
    assert facts["Organizations exposed through a chain"] == 4
    assert facts["Exposed dependencies"] == 5
    assert facts["Dependencies to report (DoD use)"] == 3
    assert facts["Earliest initial report due"] == date(2026, 7, 7)
    con, _ = assessed
    version = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()
    hashes = dict(con.execute("SELECT file_name, sha256 FROM sources").fetchall())
    assert facts["Data version"] == version[0][0] == tables.data_version
    for name, sha in hashes.items():
        assert facts[f"File {name}"] == f"SHA-256 {sha}"
    assert list(tables.by_tier["organizations"]) == [1, 2, 1, 0, 1]  # tiers 0..4
    assert tables.fact("Scenario") == "ad-hoc"


def test_one_organizations_own_assessment(assessed):
    con, run = assessed
    prime = resolve_org(con, "Prime Corp")
    mine = build_tables(con, run, for_org=prime, identified=IDENTIFIED)
    assert mine.for_org == "Prime Corp"
    assert set(mine.organizations["name"]) == {
        "Prime Corp",
        "Vendor AI, PBC",
        "Cloud Host Inc",
        "Platform Co LLC",
    }
    chains = [
        [group["supplier"].iloc[0], *group["buyer"]]
        for _, group in mine.paths.groupby("chain", sort=True)
    ]
    assert chains == [
        ["Vendor AI, PBC", "Prime Corp"],
        ["Vendor AI, PBC", "Cloud Host Inc", "Platform Co LLC", "Prime Corp"],
    ]
    pairs = zip(mine.remediation["supplier"], mine.remediation["action_type"], strict=True)
    assert set(pairs) == {
        ("Platform Co LLC", "Replace input"),
        ("Vendor AI, PBC", "End purchase"),
    }
    # Its contracts: the input it buys (N00039...) and the prime contract it performs.
    assert set(mine.programs["contract_id"]) == {"N00039-25-F-0217", "N00024-24-C-5310"}
    assert mine.reporting["reporting_contractor"].tolist() == ["Prime Corp"]
    assert mine.data_quality["issue"].tolist() == ["unscoped_input"]
    facts = dict(zip(mine.summary["fact"], mine.summary["value"], strict=True))
    assert facts["Exposed inputs (direct exposures)"] == 2
    assert facts["Chains shown"] == 2
    assert facts["Upstream links on its chains (indirect)"] == 2  # Vendor>Cloud, Cloud>Platform


def test_sales_to_the_designated_need_scope(report_db):
    # With scope dod, the vendor's compute purchase (dod_use false) obliges nobody.
    con = connect(report_db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",), scope="dod"))
        plan = build_tables(con, run, identified=IDENTIFIED).remediation
    finally:
        con.close()
    assert "End sale" not in set(plan["action_type"])


def test_identified_defaults_to_the_effective_date_before_it(report_db):
    con = connect(report_db)
    try:
        run = assess_scenario(
            con, ScenarioSpec(designated=("Vendor AI",), effective=date(2099, 1, 2))
        )
        tables = build_tables(con, run)
    finally:
        con.close()
    assert tables.identified == date(2099, 1, 2)
    assert "effective date" in str(tables.fact("Date identified means"))


def test_tables_refuse_a_run_on_older_data(report_db, tmp_path):
    con = connect(report_db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        extra = tmp_path / "more.csv"
        extra.write_text("buyer,supplier,relation\nPrime Corp,New Co,other\n", encoding="utf-8")
        load_files(con, [extra])
        with pytest.raises(ExposureError, match="data changed"):
            build_tables(con, run)
    finally:
        con.close()


def test_every_sheet_has_a_frame(tables):
    assert [sheet.title for sheet, _ in tables.sheets()] == [s.title for s in SHEETS]
    for sheet, frame in tables.sheets():
        assert tables.frame(sheet.title) is frame
    with pytest.raises(KeyError):
        tables.frame("Nope")


@pytest.mark.parametrize(
    ("given", "contract", "order"),
    [
        ("W56KGZ-24-D-0001/0003", "W56KGZ-24-D-0001", "0003"),
        (" FA8625-24-C-6012 ", "FA8625-24-C-6012", ""),
        ("N0018925F0410", "", "N0018925F0410"),  # an order PIID without dashes
        ("MAC-PO-25-7420", "MAC-PO-25-7420", ""),  # a company purchase order
        ("A/", "A/", ""),  # nothing after the slash: not an order
        ("", "", ""),
    ],
)
def test_contract_references(given, contract, order):
    reference = parse_contract_reference(given)
    assert (reference.contract_number, reference.order_number) == (contract, order)
    assert reference.note
