"""Edge confidence from the spreadsheets to every surface: load, JSON, workbook, command line."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from exposure import LoadError, assess, build_report, connect, spec_for
from tests.conftest import DATA, load, rows, run_cli

ORGS = """name,kind
Vendor AI,model_provider
Supplier One,supplier
Supplier Two,supplier
Host Co,cloud_host
Prime Corp,prime
"""

# Prime buys $100 from Supplier One and $10 from Supplier Two; whether either uses the
# vendor is unknown. Host Co confirmed resells the vendor to Prime ($5).
RELATIONSHIPS = """buyer,supplier,annual_value_usd,Confidence Level
Supplier One,Vendor AI,,unanswered
Supplier Two,Vendor AI,,unknown
Prime Corp,Supplier One,100,
Prime Corp,Supplier Two,10,confirmed
Host Co,Vendor AI,,Verified
Prime Corp,Host Co,5,reported
"""


@pytest.fixture
def network(tmp_path: Path) -> Path:
    (tmp_path / "organizations.csv").write_text(ORGS)
    (tmp_path / "relationships.csv").write_text(RELATIONSHIPS)
    db = tmp_path / "net.duckdb"
    load(db, tmp_path / "organizations.csv", tmp_path / "relationships.csv")
    return db


def _confidence(db: Path) -> dict[tuple[str, str], str]:
    found = rows(
        db,
        "SELECT s.name, b.name, e.confidence FROM edges e JOIN orgs s ON s.org_id = e.supplier_id "
        "JOIN orgs b ON b.org_id = e.buyer_id",
    )
    return {(s, b): c for s, b, c in found}


def test_the_confidence_column_maps_synonyms_and_blank_is_confirmed(network: Path) -> None:
    confidence = _confidence(network)
    assert confidence[("Vendor AI", "Supplier One")] == "unknown"  # "unanswered"
    assert confidence[("Vendor AI", "Supplier Two")] == "unknown"
    assert confidence[("Supplier One", "Prime Corp")] == "confirmed"  # blank: a sheet's default
    assert confidence[("Vendor AI", "Host Co")] == "confirmed"  # "Verified"
    assert confidence[("Host Co", "Prime Corp")] == "reported"


def test_a_bad_confidence_is_refused_with_its_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("buyer,supplier,confidence\nA,B,confirmed\nA,C,probably\n")
    with pytest.raises(LoadError) as caught:
        load(tmp_path / "db.duckdb", bad)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("bad.csv", 3, "confidence")
    assert "expected one of: confirmed, reported, inferred, unknown" in problem.message


def test_public_data_is_reported_and_the_strongest_statement_wins(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    load(db, DATA / "public" / "subawards.csv")
    assert set(_confidence(db).values()) == {"reported"}
    # The same dependency stated unknown in one file and confirmed in another: confirmed.
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("buyer,supplier,confidence\nA Co,B Co,unknown\nA Co,C Co,unknown\n")
    second.write_text("buyer,supplier\nA Co,B Co\n")
    db2 = tmp_path / "db2.duckdb"
    load(db2, first)
    load(db2, second)
    assert _confidence(db2) == {("B Co", "A Co"): "confirmed", ("C Co", "A Co"): "unknown"}


def test_undocumented_p_exposed_and_the_answers_worth_chasing(network: Path) -> None:
    con = connect(network)
    try:
        spec = spec_for(con, designated=["Vendor AI"], p_unknown=0.3)
        run = assess(con, spec, samples=2_000, seed=9)
        names = list(run.graph.names)
        one, two, prime = (names.index(n) for n in ("Supplier One", "Supplier Two", "Prime Corp"))
        # Without the unknown links the suppliers are clear, but only for want of an answer.
        assert not run.result.exposed[one] and run.undocumented_orgs[one]
        assert run.undocumented_orgs[two] and not run.undocumented_orgs[prime]
        assert run.result.exposed[prime]  # through Host Co, confirmed then reported
        assert run.uncertainty is not None
        assert abs(run.uncertainty.p_exposed[one] - 0.3) < 4.5 * (0.21 / 2_000) ** 0.5
        tables = build_report(con, run, for_org=prime)
    finally:
        con.close()
    answers = tables.answers.set_index("supplier")
    # Forced on vs off with common random numbers: Prime's expected value at risk moves by
    # exactly the input each supplier carries ($100, $10); Prime stays exposed either way
    # only when Host Co's reported link is drawn, so P(exposed) moves by P(Host link missing).
    assert answers.loc["Supplier One", "delta_var_usd"] == pytest.approx(100.0)
    assert answers.loc["Supplier Two", "delta_var_usd"] == pytest.approx(10.0)
    assert list(tables.answers["supplier"]) == ["Supplier One", "Supplier Two"]
    assert answers.loc["Supplier One", "p_exposed_if_yes"] == 1.0
    sheet = tables.uncertainty
    assert set(sheet["section"]) == {"Organization", "Unanswered supplier"}


def test_the_command_line_json_and_workbook_show_it(network: Path, tmp_path: Path) -> None:
    out_json, out_xlsx = tmp_path / "a.json", tmp_path / "a.xlsx"
    base = ["--db", network, "assess", "--designate", "Vendor AI", "--samples", "500"]
    code, output = run_cli(*base, "--seed", "3", "--p-unknown", "0.5", "--out", out_json)
    assert code == 0, output
    assert "undocumented" in output and "Value at risk, P5 / P50 / P95" in output
    document = json.loads(out_json.read_text())
    assert document["uncertainty"]["samples"] == 500 and document["uncertainty"]["seed"] == 3
    assert set(document["uncertainty"]["value_at_risk_usd"]) == {"p5", "p50", "p95"}
    by_name = {o["name"]: o for o in document["organizations"]}
    assert by_name["Supplier One"]["undocumented"] is True
    assert 0.0 < by_name["Supplier One"]["p_exposed"] < 1.0
    assert by_name["Prime Corp"]["confidence"] == ["confirmed", "reported"]
    again = tmp_path / "b.json"
    code, _ = run_cli(*base, "--seed", "3", "--p-unknown", "0.5", "--out", again)
    assert json.loads(again.read_text())["organizations"] == document["organizations"]
    code, output = run_cli(*base, "--out", out_xlsx)
    assert code == 0, output
    workbook = openpyxl.load_workbook(out_xlsx, read_only=True)
    assert "Uncertainty" in workbook.sheetnames
    summary = [str(c) for row in workbook["Summary"].iter_rows(values_only=True) for c in row]
    assert any("Value at risk, P5 / P50 / P95" in c for c in summary)
    affected = [
        str(c)
        for row in workbook["Affected organizations"].iter_rows(values_only=True)
        for c in row
    ]
    assert "Supplier One" in affected and "P(exposed)" in affected
