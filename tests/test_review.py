"""The review queue (issue 13, point 6): near misses of names and screening candidates
accepted, rejected and undone through ``exposure review`` and the dashboard's Data page; each
decision stored with who, when and a note, applied at every rebuild (a later ``exposure
load``), listed in the workbook's Data quality sheet.

A small network on disk: an organizations sheet with Apple Inc. and Northwind Analytics Inc.,
relationships that spell the latter "Northwind Analytic" (a near miss), and a FASCSA-like list
naming "APPLE CO" (a one-word name: a screening candidate, never confirmed by a rule).
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from conftest import run_cli, snapshot
from streamlit.testing.v1 import AppTest
from test_screening_rules import fascsa_list

from exposure import connect, decide_review, review_queue, undo_review
from exposure.app.text import plain
from exposure.core.errors import ExposureError
from exposure.warehouse.database import stored_data_version
from exposure.warehouse.scenarios import load_spec

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboards" / "app.py"

ORGANIZATIONS = """name,kind,uei
Apple Inc.,supplier,
Northwind Analytics Inc.,subcontractor,
Acme Widgets Inc,supplier,ACMEWIDGET01
Acme Widget,supplier,ACMEWIDGET02
Meridian Aerospace,prime,MRDNAERO1234
"""
RELATIONSHIPS = """buyer,supplier,relation,product
Meridian Aerospace,Apple Inc.,component,phones
Meridian Aerospace,Northwind Analytic,saas,analytics
Meridian Aerospace,Acme Widgets Inc,component,widgets
Meridian Aerospace,Acme Widget,component,gizmos
"""


@pytest.fixture
def reviewed(tmp_path: Path) -> tuple[Path, Path]:
    """The network loaded and the list screened through the command line."""
    (tmp_path / "organizations.csv").write_text(ORGANIZATIONS, encoding="utf-8")
    (tmp_path / "relationships.csv").write_text(RELATIONSHIPS, encoding="utf-8")
    db = tmp_path / "review.duckdb"
    code, output = run_cli(
        "--db", db, "load", tmp_path / "organizations.csv", tmp_path / "relationships.csv"
    )
    assert code == 0, output
    listing = fascsa_list(
        tmp_path / "FASCSAOrders.csv", ("Special Entity Designation", "APPLE CO", "SDYRXUJT7XA5")
    )
    code, output = run_cli("--db", db, "screen", listing, "--as-of", "2026-03-01")
    assert code == 0 and "0 confirmed (0 in force), 1 to review" in output, output
    return db, listing


def queue(db: Path, *flags: str) -> list[dict]:
    code, output = run_cli("--db", db, "review", "list", "--format", "json", *flags)
    assert code == 0, output
    return json.loads(output)


def item_of(rows: list[dict], kind: str, name: str) -> dict:
    (row,) = [r for r in rows if r["kind"] == kind and r["name"] == name]
    return row


def model(db: Path) -> dict[str, object]:
    """What the model says: organizations by name, the supplier of the analytics edge, the
    data version, Data quality rows by issue, the stored Apple match."""
    con = connect(db, read_only=True)
    try:
        orgs = {str(n) for (n,) in con.execute("SELECT name FROM orgs").fetchall()}
        (supplier,) = con.execute(
            "SELECT s.name FROM edges e JOIN orgs s ON s.org_id = e.supplier_id "
            "WHERE e.product = 'analytics'"
        ).fetchall()[0]
        issues = con.execute("SELECT issue, name, candidate, detail FROM dq_issues").fetchall()
        apple = con.execute(
            "SELECT confirmed, review, review_note FROM res_screening WHERE org_name = 'Apple Inc.'"
        ).fetchall()
        return {
            "orgs": orgs,
            "supplier": supplier,
            "version": stored_data_version(con),
            "issues": issues,
            "apple": apple,
        }
    finally:
        con.close()


def test_the_queue_lists_near_misses_and_screening_candidates(reviewed) -> None:
    db, _ = reviewed
    rows = queue(db)
    near = item_of(rows, "name", "Northwind Analytic")
    assert near["candidate"] == "Northwind Analytics Inc." and near["item"].startswith("N-")
    assert near["state"] == "pending" and near["score"] >= 88
    assert near["where"] == "relationships.csv, row 3"
    apple = item_of(rows, "screening", "Apple Inc.")
    assert apple["candidate"] == "APPLE CO" and apple["item"].startswith("S-")
    assert "only one distinctive word" in apple["why"]
    assert apple["list_type"] == "fascsa-orders"
    # The ids are the same on every listing (a hash of what the candidate is about).
    assert [r["item"] for r in queue(db)] == [r["item"] for r in rows]
    code, output = run_cli("--db", db, "review", "list")
    assert code == 0 and near["item"] in output and apple["item"] in output


def test_accept_reject_and_undo_through_the_command_line_survive_a_rebuild(
    reviewed, tmp_path: Path
) -> None:
    db, listing = reviewed
    before = model(db)
    assert before["supplier"] == "Northwind Analytic"
    rows = queue(db)
    near = item_of(rows, "name", "Northwind Analytic")["item"]
    apple = item_of(rows, "screening", "Apple Inc.")["item"]
    acme = item_of(rows, "name", "Acme Widgets Inc")["item"]

    # Accept the near miss: one organization, a new data version, the decision in Data quality.
    code, output = run_cli(
        "--db", db, "review", "accept", near.lower(), "--note", "same company", "--by", "alice"
    )
    assert code == 0 and f"{near}: near miss {near} accepted by alice" in output, output
    merged = model(db)
    assert "Northwind Analytic" not in merged["orgs"]
    assert merged["supplier"] == "Northwind Analytics Inc."
    assert merged["version"] != before["version"]
    decisions = [i for i in merged["issues"] if i[0] == "review_decision"]
    assert len(decisions) == 1 and "accepted by alice" in decisions[0][3]
    assert "(note: same company)" in decisions[0][3]
    near_misses = [i[1:3] for i in merged["issues"] if i[0] == "fuzzy_candidate"]
    assert near_misses == [("Acme Widgets Inc", "Acme Widget")]

    # Reject the screening candidate: it leaves the queue, the stored match says so.
    code, output = run_cli("--db", db, "review", "reject", apple, "--note", "not Apple Co")
    assert code == 0 and "rejected by" in output, output
    assert [r["name"] for r in queue(db)] == ["Acme Widgets Inc"]
    (stored,) = model(db)["apple"]
    assert stored[0] is False and stored[1] == "rejected" and "not Apple Co" in stored[2]
    decided = {r["item"]: r for r in queue(db, "--all")}
    assert decided[near]["state"] == "accepted" and decided[near]["decided_by"] == "alice"
    assert decided[apple]["state"] == "rejected" and decided[apple]["note"] == "not Apple Co"

    # A later load rebuilds the model: the decisions still hold.
    more = tmp_path / "more.csv"
    more.write_text("buyer,supplier,relation\nMeridian Aerospace,Zeta Labs,saas\n")
    code, output = run_cli("--db", db, "load", more)
    assert code == 0, output
    reloaded = model(db)
    assert reloaded["supplier"] == "Northwind Analytics Inc." and "Zeta Labs" in reloaded["orgs"]
    assert sum(1 for i in reloaded["issues"] if i[0] == "review_decision") == 2
    # Screening the list again applies the decision to the new results.
    code, output = run_cli("--db", db, "screen", listing, "--as-of", "2026-03-01")
    assert code == 0 and "0 to review, 1 rejected in review" in output, output

    # Deciding twice is refused; undo makes both pending again and splits the names.
    code, output = run_cli("--db", db, "review", "accept", apple)
    assert code == 1 and "undo that decision first" in output
    code, output = run_cli("--db", db, "review", "undo", near, apple, "--by", "bob")
    assert code == 0 and "pending again" in output, output
    undone = model(db)
    assert undone["supplier"] == "Northwind Analytic"
    assert not [i for i in undone["issues"] if i[0] == "review_decision"]
    assert {r["item"] for r in queue(db)} == {near, apple, acme}
    code, output = run_cli("--db", db, "review", "history")
    assert code == 0 and output.count("undone by bob") == 2


def test_an_accepted_screening_candidate_is_confirmed_and_designated(reviewed) -> None:
    db, listing = reviewed
    apple = item_of(queue(db), "screening", "Apple Inc.")["item"]
    code, output = run_cli("--db", db, "review", "accept", apple, "--note", "checked the UEI")
    assert code == 0 and "--designate-confirmed" in output, output
    (stored,) = model(db)["apple"]
    assert stored[0] is True and stored[1] == "accepted"
    code, output = run_cli(
        "--db", db, "screen", listing, "--as-of", "2026-03-01", "--designate-confirmed", "orders"
    )
    assert code == 0 and "1 confirmed (1 in force), 0 to review" in output, output
    con = connect(db)
    try:
        assert load_spec(con, "orders").designated == ("Apple Inc.",)
    finally:
        con.close()


def test_refusals_change_nothing(reviewed) -> None:
    db, _ = reviewed
    before = snapshot(db)
    code, output = run_cli("--db", db, "review", "accept", "N-00000000")
    assert code == 1 and "no review candidate 'N-00000000'" in output
    # Two declared organizations with different UEIs are two entities: no merge by review.
    acme = item_of(queue(db), "name", "Acme Widgets Inc")
    code, output = run_cli("--db", db, "review", "accept", acme["item"])
    assert code == 1 and "different UEIs" in output, output
    code, output = run_cli("--db", db, "review", "undo", acme["item"])
    assert code == 1 and "no decision to undo" in output
    assert snapshot(db) == before


def test_two_declared_rows_accepted_as_one_share_an_organization(tmp_path: Path) -> None:
    orgs = tmp_path / "organizations.csv"
    orgs.write_text(
        "name,kind,uei\nLumen Defense Systems,supplier,LUMEN0000001\n"
        "Lumen Defence Systems,supplier,\nMeridian,prime,\n",
        encoding="utf-8",
    )
    rels = tmp_path / "relationships.csv"
    rels.write_text(
        "buyer,supplier,relation,product\nMeridian,Lumen Defence Systems,component,optics\n",
        encoding="utf-8",
    )
    db = tmp_path / "lumen.duckdb"
    con = connect(db)
    try:
        from exposure import load_files

        load_files(con, [orgs, rels])
        (pending,) = review_queue(con, kind="name").to_dict("records")
        decided = decide_review(con, [pending["item"]], "accept", note="one company", by="carol")
        assert decided["state"].tolist() == ["accepted"]
        names = con.execute("SELECT name, uei FROM orgs ORDER BY name").fetchall()
        assert names == [("Lumen Defense Systems", "LUMEN0000001"), ("Meridian", None)]
        # The declared one is the organization, the other its alias.
        history = con.execute("SELECT name, candidate FROM review_decisions").fetchall()
        assert history == [("Lumen Defence Systems", "Lumen Defense Systems")]
        undo_review(con, [pending["item"]], by="carol")
        assert con.execute("SELECT count(*) FROM orgs").fetchall() == [(3,)]
        with pytest.raises(ExposureError, match="no decision to undo"):
            undo_review(con, [pending["item"]])
    finally:
        con.close()


def test_the_workbook_data_quality_sheet_lists_the_decisions(reviewed, tmp_path: Path) -> None:
    db, _ = reviewed
    rows = queue(db)
    near = item_of(rows, "name", "Northwind Analytic")["item"]
    apple = item_of(rows, "screening", "Apple Inc.")["item"]
    assert run_cli("--db", db, "review", "accept", near, "--by", "alice")[0] == 0
    assert run_cli("--db", db, "review", "reject", apple, "--note", "not them")[0] == 0
    out = tmp_path / "assessment.xlsx"
    code, output = run_cli("--db", db, "assess", "--designate", "Apple Inc.", "--out", out)
    assert code == 0, output
    sheet = openpyxl.load_workbook(out, read_only=True)["Data quality"]
    text = [
        " ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True)
    ]
    assert any(near in line and "accepted by alice" in line for line in text), text
    assert any(apple in line and "rejected by" in line and "not them" in line for line in text)


# The dashboard's Data page -------------------------------------------------------------------


@pytest.fixture
def app_for(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.delenv("EXPOSURE_DASHBOARD_SCENARIO", raising=False)
    main = sys.modules["__main__"]

    def start(db: Path) -> AppTest:
        monkeypatch.setenv("EXPOSURE_DB", str(db))
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        at.switch_page("views/data.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield start
    st.cache_resource.clear()
    gc.collect()
    sys.modules["__main__"] = main


def _table(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The first table on the page with ``column`` ("why": the pending candidates;
    "decided_by": the decisions in force)."""
    for table in at.dataframe:
        if column in table.value.columns:
            return table.value
    raise AssertionError(f"no table with a {column!r} column")


def test_the_data_page_reviews_candidates(reviewed, app_for) -> None:
    db, _ = reviewed
    pending = {r["item"]: r for r in queue(db) if not r["name"].startswith("Acme")}
    at = app_for(db)
    assert any(h.value == "Review" for h in at.subheader)
    shown = _table(at, "why")
    assert set(pending) < set(shown["item"])
    near = next(i for i, r in pending.items() if r["kind"] == "name")
    apple = next(i for i, r in pending.items() if r["name"] == "Apple Inc.")
    at.selectbox(key="review_item").set_value(apple)
    at.text_input(key="review_note").input("not Apple Co")
    at.text_input(key="review_by").input("dana")
    at.button(key="review_reject").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(plain(f"{apple} rejected") in s.value for s in at.success), at.success
    assert apple not in set(_table(at, "why")["item"])
    at.selectbox(key="review_item").set_value(near)
    at.button(key="review_accept").click().run()
    assert not at.exception, [e.value for e in at.exception]
    decided = _table(at, "decided_by")
    assert dict(zip(decided["item"], decided["state"], strict=True))[apple] == "rejected"
    assert set(decided["decided_by"]) == {"dana"}
    at.selectbox(key="review_undo_item").set_value(apple)
    at.button(key="review_undo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert apple in set(_table(at, "why")["item"])
    st.cache_resource.clear()
    gc.collect()
    after = model(db)
    assert after["supplier"] == "Northwind Analytics Inc."
    assert [r[1] for r in after["apple"]] == ["pending"]


def test_undoing_an_accepted_match_withdraws_the_designation_it_made(reviewed) -> None:
    db, listing = reviewed
    apple = item_of(queue(db), "screening", "Apple Inc.")["item"]
    code, output = run_cli("--db", db, "review", "accept", apple, "--by", "alice")
    assert code == 0, output
    code, output = run_cli(
        "--db", db, "screen", listing, "--as-of", "2026-03-01", "--designate-confirmed", "orders"
    )
    assert code == 0, output
    # A second scenario designates Apple by hand: no review decision withdraws that.
    code, output = run_cli("--db", db, "designate", "Apple Inc.", "--scenario", "manual")
    assert code == 0, output
    code, output = run_cli("--db", db, "review", "undo", apple, "--by", "bob")
    assert code == 0 and "pending again" in output, output
    assert "scenario 'orders': Apple Inc. no longer designated" in " ".join(output.split()), output
    assert "scenario 'manual' still designates Apple Inc." in " ".join(output.split()), output
    con = connect(db)
    try:
        assert load_spec(con, "orders").designated == ()
        assert load_spec(con, "manual").designated == ("Apple Inc.",)
    finally:
        con.close()
    # A rejection says the same of the scenarios that still designate it; --remove ends that.
    code, output = run_cli("--db", db, "review", "reject", apple)
    assert code == 0 and "scenario 'manual' still designates Apple Inc." in " ".join(output.split())
    code, output = run_cli(
        "--db", db, "designate", "--scenario", "manual", "--remove", "Apple Inc."
    )
    assert code == 0 and "Apple Inc. removed" in output, output
    con = connect(db)
    try:
        assert load_spec(con, "manual").designated == ()
    finally:
        con.close()


def test_a_decided_match_says_why_by_its_decision_not_the_rules_refusal(reviewed) -> None:
    db, listing = reviewed
    apple = item_of(queue(db), "screening", "Apple Inc.")["item"]
    code, output = run_cli(
        "--db", db, "review", "accept", apple, "--by", "alice", "--note", "checked the UEI"
    )
    assert code == 0, output
    (stored,) = model(db)["apple"]
    assert stored[2].startswith("accepted in review by alice on "), stored
    assert stored[2].endswith(": checked the UEI"), stored
    code, output = run_cli("--db", db, "screen", listing, "--as-of", "2026-03-01")
    flat = " ".join(output.split())
    assert code == 0 and "accepted in review by alice" in flat, output
    assert "only one distinctive word" not in flat, output
    run_cli("--db", db, "review", "undo", apple)
    code, output = run_cli("--db", db, "review", "reject", apple, "--by", "bob", "--note", "no")
    assert code == 0, output
    code, output = run_cli("--db", db, "screen", listing, "--as-of", "2026-03-01")
    flat = " ".join(output.split())
    assert code == 0 and "rejected in review by bob" in flat, output
    # Undone, the match is pending again and says the rule's reason.
    run_cli("--db", db, "review", "undo", apple)
    (stored,) = model(db)["apple"]
    assert stored[1] == "pending" and stored[2] is None
    code, output = run_cli("--db", db, "screen", listing, "--as-of", "2026-03-01")
    assert "only one distinctive word" in " ".join(output.split()), output
