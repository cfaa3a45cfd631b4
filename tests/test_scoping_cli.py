"""Scope clauses end to end: a tiny network with deployment facts loaded from CSV (synonym
headers), designate with clauses, assess, the JSON fields, the Summary sheet words, --compare-to,
and the authorized alternatives of the Remediation sheet."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
from click.testing import CliRunner

from exposure.cli.commands import cli
from exposure.model.alternatives import authorized_alternatives
from exposure.model.facts import ENVIRONMENTS, USES
from exposure.warehouse.database import connect, seeds_dir

NETWORK = """buyer,supplier,relation,product,Deployment Type,Impact Level,Operated By,Use Case
Host Co,Vendor AI,resells,Vendor models,cloud,FedRAMP High,host,
Agency,Host Co,model_api,Vendor models,cloud,il5,host,analysis
Field Corp,Vendor AI,model_api,Vendor edge kit,Tactical Edge,SECRET,vendor,targeting
Agency,Field Corp,subcontract,Field system,embedded,secret,vendor,targeting
Plain LLC,Vendor AI,saas,Vendor chat,,,,
Agency,Other AI,model_api,Other models,cloud,top secret,vendor,analysis
"""


def _setup(tmp_path):
    db = tmp_path / "x.duckdb"
    data = tmp_path / "network.csv"
    data.write_text(NETWORK, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "load", str(data)])
    assert result.exit_code == 0, result.output
    return db, runner


def test_facts_are_mapped_from_common_headers_and_reach_the_edges(tmp_path):
    db, _ = _setup(tmp_path)
    con = connect(db)
    rows = con.execute(
        "SELECT s.name, deployment, environment, operator, use FROM edges e "
        "JOIN orgs s ON s.org_id = e.supplier_id JOIN orgs b ON b.org_id = e.buyer_id "
        "WHERE b.name = 'Field Corp'"
    ).fetchall()
    assert rows == [("Vendor AI", "edge", "secret", "vendor", "targeting")]
    con.close()


def test_an_unknown_fact_value_is_a_load_error_with_its_cell(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("buyer,supplier,deployment\nA Co,B Co,orbit\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "y.duckdb"), "load", str(data)])
    assert result.exit_code != 0
    assert "unknown deployment" in result.output and "orbit" in result.output
    assert "row 2" in result.output


def test_designate_with_clauses_assess_json_and_summary(tmp_path):
    db, runner = _setup(tmp_path)
    result = runner.invoke(
        cli,
        [
            "--db",
            str(db),
            "designate",
            "Vendor AI",
            "--scenario",
            "edge-only",
            "--only",
            "deployment=edge,embedded",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "designation covers edge and embedded deployments only" in " ".join(
        result.output.split()
    )
    runner.invoke(cli, ["--db", str(db), "designate", "Vendor AI", "--scenario", "full"])
    out = tmp_path / "edge.json"
    result = runner.invoke(
        cli,
        [
            "--db",
            str(db),
            "assess",
            "--scenario",
            "edge-only",
            "--out",
            str(out),
            "--compare-to",
            "full",
        ],
    )
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())
    assert "scope: designation covers edge and embedded deployments only" in words
    assert "compared to full" in words
    report = json.loads(out.read_text())
    assert report["scope"] == "all"
    assert report["scope_clauses"] == [
        {"field": "deployment", "op": "=", "values": ["edge", "embedded"]}
    ]
    # Plain LLC's tie has no deployment: in scope by default, and counted.
    assert report["unknown_scoped_edges"] == 1
    exposed = {o["name"] for o in report["organizations"] if o["status"] == "exposed"}
    assert exposed == {"Field Corp", "Agency", "Plain LLC"}  # not Host Co (cloud)

    # Unknown facts out: Plain LLC drops out; the stored scenario keeps its clauses.
    result = runner.invoke(
        cli,
        [
            "--db",
            str(db),
            "assess",
            "--scenario",
            "edge-only",
            "--unknown",
            "out",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert {o["name"] for o in report["organizations"] if o["status"] == "exposed"} == {
        "Field Corp",
        "Agency",
    }
    assert report["unknown_scope"] == "out"

    book = tmp_path / "edge.xlsx"
    result = runner.invoke(
        cli,
        [
            "--db",
            str(db),
            "assess",
            "--scenario",
            "edge-only",
            "--except",
            "operator=host",
            "--out",
            str(book),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = {
        row[1]: row[2]
        for row in openpyxl.load_workbook(book)["Summary"].iter_rows(values_only=True)
        if row and row[1]
    }
    assert summary["Designation covers"].startswith(
        "designation covers edge and embedded deployments only and exempts host-operated "
        "dependencies"
    )
    assert summary["Dependencies outside the scope"] == 3  # two cloud and host, one cloud
    assert "1 dependencies (1 of them exposed)" in summary["Unknown deployment facts"]


def test_remediation_flags_no_authorized_alternative_at_the_level(tmp_path):
    db, runner = _setup(tmp_path)
    book = tmp_path / "full.xlsx"
    result = runner.invoke(
        cli, ["--db", str(db), "assess", "--designate", "Vendor AI", "--out", str(book)]
    )
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(book)["Remediation"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Action type")
    names = rows[header]
    plan = [dict(zip(names, r, strict=False)) for r in rows[header + 1 :] if r and r[0]]
    by_pair = {(p["Buyer"], p["Supplier"]): p for p in plan}
    # Field Corp's edge kit at SECRET: Other AI (top secret, model_api, in the network) qualifies.
    field = by_pair[("Field Corp", "Vendor AI")]
    assert (
        "Other AI: Other models [TOP SECRET, network]"
        in field["Authorized alternatives at this level or higher"]
    )
    # Host Co resells at FedRAMP High: no resells offer at that level -> the highest-risk flag,
    # listed first.
    host = by_pair[("Host Co", "Vendor AI")]
    assert host["No authorized alternative at this level"] in (True, "Yes")
    assert "No authorized alternative at this level (FedRAMP High)" in host["Action"]
    assert plan[0]["No authorized alternative at this level"] in (True, "Yes")
    # Plain LLC: no environment, nothing listed and no flag.
    plain = by_pair[("Plain LLC", "Vendor AI")]
    assert not plain["Authorized alternatives at this level or higher"]


def test_alternatives_listing_on_a_hand_built_seed():
    plan = pd.DataFrame(
        {
            "supplier": ["Vendor", "Vendor", "Vendor"],
            "relation": ["model_api", "model_api", "saas"],
            "environment": ["il5", "top_secret", None],
            "alternatives": [pd.NA, 3, pd.NA],
            "edge_type": ["exposed"] * 3,
            "action": ["Stop buying."] * 3,
        }
    )
    offers = pd.DataFrame(
        {
            "provider": ["A AI", "B AI", "Vendor", "C AI", "D AI"],
            "host": [None, "Cloud X", None, None, "Designated Host"],
            "product": ["a", "b", "v", "c", "d"],
            "relation": ["model_api", "model_api", "model_api", None, "model_api"],
            "environment": ["il6", "il4", "top_secret", "secret", "top_secret"],
            "origin": ["seed"] * 5,
        }
    )
    out = authorized_alternatives(plan, offers, excluded={"Designated Host"})
    # il5: A (il6) and C (secret, any relation); B is below, Vendor is the supplier itself.
    assert out.loc[0, "authorized_alternatives"] == "A AI: a [IL6, seed]; C AI: c [SECRET, seed]"
    assert int(out.loc[0, "alternatives"]) == 2  # the count fills a blank
    # top_secret: nothing reaches it (D's host is designated): the flag.
    assert bool(out.loc[1, "no_authorized_alternative"])
    assert int(out.loc[1, "alternatives"]) == 3  # the data's own number is kept
    assert "No authorized alternative at this level (TOP SECRET)" in out.loc[1, "action"]
    assert pd.isna(out.loc[2, "authorized_alternatives_count"])
    assert not bool(out.loc[2, "no_authorized_alternative"])


def test_seeds_agree_with_the_vocabularies():
    environments = pd.read_csv(seeds_dir() / "environments.csv")
    assert tuple(environments.sort_values("rank")["environment"]) == ENVIRONMENTS
    assert tuple(pd.read_csv(seeds_dir() / "uses.csv")["use"]) == USES
    authorizations = pd.read_csv(seeds_dir() / "authorizations.csv")
    assert set(authorizations["environment"]) <= set(ENVIRONMENTS)
