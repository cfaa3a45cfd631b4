"""The demo loads sample_data/ into a fresh database; the sample network is as its README says."""

from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from exposure import connect
from exposure.cli.commands import cli
from exposure.ingest.schema import RELATION_TYPES
from exposure.pipeline.demo import run_demo


def test_demo_command_from_a_fresh_database(tmp_path):
    db = tmp_path / "demo.duckdb"
    db.write_bytes(b"not a database")  # the demo replaces whatever was there
    result = CliRunner(env={"COLUMNS": "2000"}).invoke(
        cli, ["--db", str(db), "demo", "--no-dashboard"]
    )
    assert result.exit_code == 0, result.output
    assert "network.xlsx" in result.output
    assert "prime_vendor_list.xlsx" in result.output
    report = json.loads((tmp_path / "exposure-demo-assessment.json").read_text(encoding="utf-8"))
    assert report["scenario"] == "dod-2026-anthropic"
    assert report["designated"] == ["Anthropic, PBC"]
    assert "Most affected" in result.output
    # The workbook it names reopens, with every sheet, and agrees with the JSON.
    workbook_path = tmp_path / "exposure-demo-assessment.xlsx"
    assert f"assessment workbook: {workbook_path} (Summary" in result.output
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook.sheetnames == [
        "Summary",
        "Affected organizations",
        "Exposure paths",
        "Programs and contracts",
        "Remediation",
        "Reporting",
        "Uncertainty",
        "Screening",
        "Data quality",
        "Sources",
    ]
    organizations = workbook["Affected organizations"]
    names = [
        row[1] for row in organizations.iter_rows(min_row=5, values_only=True) if row[1] is not None
    ]
    exposed = sorted(o["name"] for o in report["organizations"] if o["exposed"])
    assert sorted(names) == exposed
    assert names[0] == "Anthropic, PBC"
    assert "dashboard" not in result.output  # --no-dashboard stops after the report
    con = connect(db, read_only=True)
    try:
        files = {row[0] for row in con.execute("SELECT DISTINCT file_name FROM sources").fetchall()}
        assert files == {
            "network.xlsx",
            "prime_vendor_list.xlsx",
            "kestrel_signal_labs_attestation.xlsx",
            "marlowe_secure_comms_attestation.xlsx",
        }
    finally:
        con.close()


def test_sample_network_is_the_one_its_readme_describes(tmp_path):
    result = run_demo(tmp_path / "demo.duckdb")
    con = connect(tmp_path / "demo.duckdb", read_only=True)
    try:
        orgs = con.execute("SELECT count(*) FROM orgs").fetchall()[0][0]
        edges = con.execute("SELECT count(*) FROM edges").fetchall()[0][0]
        relations = dict(con.execute("SELECT relation, count(*) FROM edges GROUP BY 1").fetchall())
        # The vendor list's rows all have the prime as buyer, whatever their spelling of vendors.
        vendor_buyers = con.execute(
            "SELECT DISTINCT buyer FROM stg_relationships WHERE _source_file = 'prime_vendor_list.xlsx'"
        ).fetchall()
        fuzzy = {
            frozenset((name, candidate))
            for name, candidate in con.execute(
                "SELECT name, candidate FROM dq_issues WHERE issue = 'fuzzy_candidate'"
            ).fetchall()
        }
        acme = con.execute(
            "SELECT count(*) FROM org_names WHERE name IN ('ACME Widgets', 'Acme Widgets, LLC')"
            " GROUP BY org_id"
        ).fetchall()
        anthropic = con.execute(
            "SELECT count(*) FROM orgs WHERE norm_name = 'anthropic'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert orgs >= 80 and edges >= 250
    # Every relation type but sub-grants, which come from USAspending Assistance downloads
    # (tests/test_usaspending.py), not from a contractor's sheets.
    assert set(relations) == set(RELATION_TYPES) - {"subgrant"}
    assert vendor_buyers == [("Meridian Aerospace Corporation",)]
    assert frozenset(("Northwind Analytic", "Northwind Analytics Inc.")) in fuzzy
    assert acme == [(2,)]  # two spellings, one organization
    assert anthropic == 1  # "Anthropic" in the vendor list is "Anthropic, PBC"
    assert result.status.sources and all(len(s["sha256"]) == 64 for s in result.status.sources)


def test_the_public_sample_files_fit_the_sample_network(tmp_path):
    """sample_data/public/: the subaward download names organizations of the network by UEI
    (no new organization) and reveals Halcyon's subcontract to Northwind, whose Claude API use
    then reaches Halcyon in two steps instead of three; the SBOM and the AI-BOM state the
    Claude dependencies their suppliers' rows already declare, with the SBOM as new evidence."""
    from exposure import (
        DEMO_SCENARIO,
        LoadOptions,
        assess,
        load_files,
        load_spec,
        organizations_frame,
    )
    from exposure.core.resources import sample_data_dir

    db = tmp_path / "demo.duckdb"
    run_demo(db)
    public = sample_data_dir() / "public"

    def tiers(con):
        run = assess(con, load_spec(con, DEMO_SCENARIO), store=False)
        table = organizations_frame(run)
        return dict(zip(table["name"], table["tier"], strict=True))

    con = connect(db)
    try:
        orgs_before = con.execute("SELECT count(*) FROM orgs").fetchall()[0][0]
        before = tiers(con)
        load_files(con, [public / "usaspending_contract_subawards.csv"], LoadOptions())
        for name, buyer in (
            ("northwind-insight.cdx.json", "Northwind Analytics Inc."),
            ("orison-summarizer-aibom.cdx.json", "Orison Mission Analytics, Inc."),
        ):
            load_files(con, [public / name], LoadOptions(buyer=buyer))
        after = tiers(con)
        orgs_after = con.execute("SELECT count(*) FROM orgs").fetchall()[0][0]
        sbom_edges = con.execute(
            "SELECT b.name, s.name, e.relation, e.product FROM edges e "
            "JOIN orgs b ON b.org_id = e.buyer_id JOIN orgs s ON s.org_id = e.supplier_id "
            "WHERE e.product IN ('Claude API', 'Claude Sonnet') ORDER BY 1, 4"
        ).fetchall()
    finally:
        con.close()
    assert orgs_after == orgs_before
    assert before["Halcyon Defense Systems, Inc."] == 3
    assert after["Halcyon Defense Systems, Inc."] == 2
    assert ("Northwind Analytics Inc.", "Anthropic, PBC", "model_api", "Claude API") in sbom_edges
    assert ("Orison Mission Analytics, Inc.", "Anthropic, PBC", "model_api", "Claude Sonnet") in (
        sbom_edges
    )
