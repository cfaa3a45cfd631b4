"""Scenarios, name resolution on the command line, the JSON output and stored results."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from exposure import connect, load_files, status
from exposure.cli.commands import cli
from exposure.warehouse.scenarios import UnknownNameError, resolve_org

ORGS = """name,kind,uei,cage,aliases
"Vendor AI, PBC",model_provider,VENDOR000001,1VND1,Claude Maker
Cloud Host Inc,cloud_host,CLOUD0000001,,
Bedrock Buyer LLC,subcontractor,,,
Compute Buyer LLC,subcontractor,,,
Prime Corp,prime,,,
"""
RELS = """buyer,supplier,relation,product,used_in,annual_value_usd,replacement_months,dod_use
Cloud Host Inc,Vendor AI,resells,models,Bedrock,1000,3,true
Bedrock Buyer LLC,Cloud Host Inc,model_api,Bedrock,Platform,200,9,true
Compute Buyer LLC,Cloud Host Inc,cloud_hosting,EC2,,300,2,true
Prime Corp,Bedrock Buyer LLC,subcontract,Platform,,5000,12,true
Prime Corp,Compute Buyer LLC,subcontract,Hosting,,700,1,true
"""


@pytest.fixture
def db(tmp_path):
    (tmp_path / "organizations.csv").write_text(ORGS, encoding="utf-8")
    (tmp_path / "relationships.csv").write_text(RELS, encoding="utf-8")
    path = tmp_path / "net.duckdb"
    con = connect(path)
    load_files(con, [tmp_path / "organizations.csv", tmp_path / "relationships.csv"])
    con.close()
    return path


def invoke(db, *args):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("VENDOR000001", "Vendor AI, PBC"),
        ("1vnd1", "Vendor AI, PBC"),
        ("vendor ai", "Vendor AI, PBC"),
        ("claude maker", "Vendor AI, PBC"),
        ("CLOUD HOST", "Cloud Host Inc"),
    ],
)
def test_command_line_names_resolve_like_names_in_data(db, given, expected):
    con = connect(db)
    try:
        org = resolve_org(con, given)
        assert con.execute("SELECT name FROM orgs WHERE org_id = ?", [org]).fetchall() == [
            (expected,)
        ]
    finally:
        con.close()


def test_unknown_name_lists_the_closest(db):
    con = connect(db)
    try:
        with pytest.raises(UnknownNameError, match="Closest: Cloud Host Inc"):
            resolve_org(con, "Cloud Hots")
    finally:
        con.close()


def test_assess_writes_the_spec_json(db, tmp_path):
    out = tmp_path / "report.json"
    code, output = invoke(db, "assess", "--designate", "Vendor AI", "--out", str(out))
    assert code == 0, output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["scenario"] == "ad-hoc"
    assert report["designated"] == ["Vendor AI, PBC"]
    assert report["effective_date"] == "2026-02-27" and report["deadline"] == "2026-08-26"
    by_name = {o["name"]: o for o in report["organizations"]}
    assert set(by_name) == {
        "Vendor AI, PBC",
        "Cloud Host Inc",
        "Bedrock Buyer LLC",
        "Compute Buyer LLC",
        "Prime Corp",
    }
    for org in report["organizations"]:
        assert {
            "name",
            "org_id",
            "kind",
            "exposed",
            "tier",
            "impact",
            "value_at_risk_usd",
            "status",
            "paths",
            "late",
        } <= set(org)
    assert by_name["Vendor AI, PBC"]["status"] == "designated" and by_name["Vendor AI, PBC"][
        "paths"
    ] == [["Vendor AI, PBC"]]
    assert by_name["Compute Buyer LLC"] == {
        **by_name["Compute Buyer LLC"],
        "exposed": False,
        "tier": None,
        "status": "clear",
        "paths": [],
    }
    prime = by_name["Prime Corp"]
    assert prime["tier"] == 3 and prime["status"] == "exposed"
    assert prime["paths"] == [
        ["Vendor AI, PBC", "Cloud Host Inc", "Bedrock Buyer LLC", "Prime Corp"]
    ]
    assert prime["value_at_risk_usd"] == 5000.0  # only the Platform edge is exposed
    assert prime["late"] is True and by_name["Cloud Host Inc"]["late"] is False
    assert 0 < prime["impact"] < 1


def test_noncompliant_host_changes_the_exposed_set(db, tmp_path):
    out = tmp_path / "what-if.json"
    code, output = invoke(
        db,
        "assess",
        "--designate",
        "Vendor AI",
        "--noncompliant",
        "Cloud Host Inc",
        "--out",
        str(out),
    )
    assert code == 0, output
    by_name = {o["name"]: o for o in json.loads(out.read_text())["organizations"]}
    assert by_name["Cloud Host Inc"]["status"] == "noncompliant"
    assert by_name["Compute Buyer LLC"]["status"] == "exposed"


def test_stored_scenario_and_results(db, tmp_path):
    code, output = invoke(
        db, "designate", "VENDOR000001", "--scenario", "baseline", "--transition-days", "90"
    )
    assert code == 0, output
    assert "Vendor AI, PBC designated" in output
    code, output = invoke(db, "assess", "--scenario", "baseline", "--out", str(tmp_path / "r.csv"))
    assert code == 0, output
    assert "deadline 2026-05-28 (90 days)" in output
    con = connect(db)
    try:
        runs = con.execute("SELECT scenario, data_version FROM res_runs").fetchall()
        assert [r[0] for r in runs] == ["baseline"] and len(runs[0][1]) == 16
        kept = status(con).runs
    finally:
        con.close()
    # The run is kept with its headline figures and read back by `exposure status`.
    assert [(r["scenario"], r["current"]) for r in kept] == [("baseline", True)]
    assert kept[0]["headline"]["organizations_affected"] == 4  # Vendor AI and three exposed
    code, output = invoke(db, "status")
    assert code == 0, output
    assert "Stored assessments" in output and "baseline" in output
    lines = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("rank,name,kind,status,tier")
    assert len(lines) == 5


def test_assess_needs_a_scenario_or_names(db):
    code, output = invoke(db, "assess")
    assert code != 0 and "--designate" in output


def test_unknown_scenario_lists_what_exists(db):
    code, output = invoke(db, "assess", "--scenario", "nope")
    assert code != 0
    assert "dod-2026-anthropic" in output  # the seed lists are offered, never applied silently


def test_seed_list_scenario_on_the_sample_network(tmp_path):
    from exposure import assess as assess_scenario
    from exposure.pipeline.demo import run_demo
    from exposure.warehouse.scenarios import load_spec

    run_demo(tmp_path / "demo.duckdb")
    con = connect(tmp_path / "demo.duckdb")
    try:
        run = assess_scenario(con, load_spec(con, "dod-2026-anthropic"))
        names = list(run.graph.names)
        status = {n: int(run.result.status[i]) for i, n in enumerate(names)}
        # Buyers of AWS compute or storage only are not exposed through the Bedrock resale.
        compute_only = con.execute(
            """SELECT DISTINCT b.name FROM edges e JOIN orgs s ON s.org_id = e.supplier_id
               JOIN orgs b ON b.org_id = e.buyer_id
               WHERE s.name = 'Amazon Web Services' AND lower(e.product) LIKE 'amazon ec2%'"""
        ).fetchall()
    finally:
        con.close()
    assert status["Anthropic, PBC"] == 3
    assert compute_only
    assert run.result.exposed.sum() >= 30


def test_a_stored_scenario_keeps_an_organization_whose_name_is_shared(tmp_path):
    """Two organizations kept apart under one name: the scenario stores the UEI."""
    (tmp_path / "organizations.csv").write_text(
        "name,uei\nAcme Corp,AAAAAAAAAAA1\nAcme Corp,BBBBBBBBBBB2\nBuyer One,\nBuyer Two,\n",
        encoding="utf-8",
    )
    (tmp_path / "relationships.csv").write_text(
        "buyer,supplier\nBuyer One,AAAAAAAAAAA1\nBuyer Two,BBBBBBBBBBB2\n", encoding="utf-8"
    )
    path = tmp_path / "acme.duckdb"
    con = connect(path)
    load_files(con, [tmp_path / "organizations.csv", tmp_path / "relationships.csv"])
    con.close()
    code, output = invoke(path, "designate", "AAAAAAAAAAA1", "--scenario", "s1")
    assert code == 0, output
    out = tmp_path / "s1.json"
    code, output = invoke(path, "assess", "--scenario", "s1", "--out", str(out))
    assert code == 0, output
    exposed = {o["name"] for o in json.loads(out.read_text())["organizations"] if o["exposed"]}
    assert exposed == {"Acme Corp", "Buyer One"}


def test_a_name_added_to_a_scenario_must_exist(db):
    code, output = invoke(db, "designate", "Vendor AI", "--scenario", "s1")
    assert code == 0, output
    code, output = invoke(db, "assess", "--scenario", "s1", "--noncompliant", "Cloud Hots Inc")
    assert code != 0
    assert "no organization is called 'Cloud Hots Inc'" in output
    assert "Cloud Host Inc" in output  # the closest is listed


def test_an_output_folder_that_does_not_exist_is_a_clear_error(db, tmp_path):
    out = tmp_path / "missing" / "report.json"
    code, output = invoke(db, "assess", "--designate", "Vendor AI", "--out", str(out))
    assert code != 0
    assert "does not exist" in output and "Traceback" not in output
