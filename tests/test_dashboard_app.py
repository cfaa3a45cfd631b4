"""Every dashboard page through Streamlit's AppTest, on real DuckDB files.

The app runs as Streamlit runs it (``dashboards/app.py`` with ``st.navigation``); uploads go
through the real file uploader, loads through the real loader, what-ifs through the engine.
Figures checked against the library are computed independently on the same database.
"""

from __future__ import annotations

import gc
import io
import json
import re
import shutil
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from conftest import BAD, GOOD, snapshot
from streamlit.testing.v1 import AppTest

from exposure import assess as assess_scenario
from exposure.app.text import plain
from exposure.model.compare import compare_runs
from exposure.model.run import organizations_frame
from exposure.model.scenario import ScenarioSpec
from exposure.pipeline.demo import run_demo
from exposure.warehouse.database import connect
from exposure.warehouse.scenarios import load_spec

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboards" / "app.py"
SAMPLE = ROOT / "sample_data"


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """Streamlit installs the app as ``__main__`` and leaves it there; put the real one back
    (a later test that spawns processes would otherwise start them by running the app)."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database (all of sample_data/ loaded), built once and copied per test."""
    path = tmp_path_factory.mktemp("demo") / "template-demo.duckdb"
    run_demo(path)
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def app_for(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Start the app on a database; close its connection afterwards."""
    monkeypatch.delenv("EXPOSURE_DASHBOARD_SCENARIO", raising=False)

    def start(db: Path, scenario: str | None = None) -> AppTest:
        monkeypatch.setenv("EXPOSURE_DB", str(db))
        if scenario:
            monkeypatch.setenv("EXPOSURE_DASHBOARD_SCENARIO", scenario)
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield start
    st.cache_resource.clear()  # closes the server-wide connection (on_release)
    gc.collect()


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return str(values[0])


def find(at: AppTest, text: str) -> AppTest:
    at.text_input(key="find").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def one_click(at: AppTest) -> None:
    """A network of the sample's size has its file written as the Download page opens: no
    "Prepare" step, one click on the download button."""
    assert not at.exception, [e.value for e in at.exception]
    assert "prepare" not in [b.key for b in at.button]
    assert [b.key for b in at.get("download_button")] == ["download"]


def frame_with(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The first table on the page that has ``column``."""
    for table in at.dataframe:
        if column in table.value.columns:
            return table.value
    raise AssertionError(f"no table with a {column!r} column")


def expected(db: Path, **levers: object):  # type: ignore[no-untyped-def]
    """The library's answer for a scenario, on a connection of its own."""
    con = connect(db)
    try:
        spec = ScenarioSpec(**levers)  # type: ignore[arg-type]
        return organizations_frame(assess_scenario(con, spec))
    finally:
        con.close()


# Data --------------------------------------------------------------------------------------


def test_upload_previews_the_mapping_and_loads_a_valid_workbook(tmp_path, app_for):
    at = app_for(tmp_path / "fresh.duckdb")
    assert at.title[0].value == "Data"  # nothing loaded: the app opens on Data
    data = (SAMPLE / "network.xlsx").read_bytes()
    at.file_uploader(key="uploads").set_value(("network.xlsx", data, "application/octet-stream"))
    at.run()
    headers = frame_with(at, "found in")
    assert {"buyer", "supplier", "annual_value_usd", "name", "uei"} <= set(headers["header"])
    titles = [e.label for e in at.expander]
    assert any(
        "network.xlsx [relationships]: relationships, header in row 1, 290 rows" in t
        for t in titles
    )
    assert any(
        "network.xlsx [organizations]: organizations, header in row 1, 87 rows" in t for t in titles
    )
    assert not at.error and not at.warning
    click(at, "load")
    assert any("Loaded 377 rows" in s.value for s in at.success), [s.value for s in at.success]
    assert metric(at, "Organizations") == "92"
    sources = frame_with(at, "sha256")
    assert sorted(sources["sheet"]) == ["organizations", "relationships"]
    assert set(sources["file"]) == {"network.xlsx"}


def test_invalid_upload_shows_every_problem_inline_and_loads_nothing(tmp_path, app_for):
    db = tmp_path / "kept.duckdb"
    con = connect(db)
    con.close()
    before = snapshot(db)
    at = app_for(db)
    bad = (BAD / "titled_bad_criticality.xlsx").read_bytes()
    good = (GOOD / "relationships.csv").read_bytes()
    at.file_uploader(key="uploads").set_value(
        [
            ("relationships.csv", good, "text/csv"),
            ("titled_bad_criticality.xlsx", bad, "application/octet-stream"),
        ]
    )
    at.run()
    click(at, "load")
    assert any("nothing was loaded" in e.value for e in at.error), [e.value for e in at.error]
    problems = frame_with(at, "message")
    assert list(problems.columns[:5]) == ["file", "sheet", "row", "column", "cell"]
    located = problems[problems["file"] == "titled_bad_criticality.xlsx"]
    assert len(located) >= 1
    first = located.iloc[0]
    assert first["sheet"] and first["column"].lower() == "criticality" and int(first["row"]) > 1
    assert "1" in first["message"] and "5" in first["message"]
    assert metric(at, "Organizations") == "0"
    st.cache_resource.clear()
    gc.collect()
    assert snapshot(db) == before


def test_an_unknown_header_is_fixed_in_the_mapping_editor(tmp_path, app_for):
    at = app_for(tmp_path / "fresh.duckdb")
    data = (BAD / "unknown_header.csv").read_bytes()
    at.file_uploader(key="uploads").set_value(("unknown_header.csv", data, "text/csv")).run()
    # Left out with a warning at load, not a problem stopping it; the preview shows it unknown.
    assert not at.warning
    headers = frame_with(at, "how")
    assert headers.loc[headers["header"] == "Colour", "how"].tolist() == ["unknown"]
    editor = at.data_editor[0]
    row = list(editor.value["header"]).index("Colour")
    at.session_state[editor.key] = {
        "edited_rows": {row: {"map to": "(ignore)"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.warning
    assert any('--map "Colour=ignore"' in c.value for c in at.code)
    click(at, "load")
    assert any("Loaded 2 rows" in s.value for s in at.success), [s.value for s in at.success]


def test_a_vendor_list_asks_for_its_buyer(tmp_path, app_for):
    at = app_for(tmp_path / "fresh.duckdb")
    data = (SAMPLE / "prime_vendor_list.xlsx").read_bytes()
    at.file_uploader(key="uploads").set_value(("vendors.xlsx", data, "application/octet-stream"))
    at.run()
    assert "--buyer" in frame_with(at, "message").iloc[0]["message"]
    at.text_input(key="load_buyer").set_value("Meridian Aerospace Corporation").run()
    assert any("vendors.xlsx [Vendors]: vendors" in e.label for e in at.expander)
    click(at, "load")
    assert any("Loaded 30 rows" in s.value for s in at.success)


def test_public_formats_load_from_the_page(tmp_path, app_for):
    public = Path(__file__).resolve().parent / "data" / "public"
    at = app_for(tmp_path / "fresh.duckdb")
    at.file_uploader(key="uploads").set_value(
        [
            ("subawards.csv", (public / "subawards.csv").read_bytes(), "text/csv"),
            ("sbom.json", (public / "sbom.json").read_bytes(), "application/json"),
        ]
    )
    at.run()
    assert any("subawards.csv: usaspending-subawards" in e.label for e in at.expander)
    assert "--buyer" in frame_with(at, "message").iloc[0]["message"]  # whose SBOM is it?
    at.text_input(key="load_buyer").set_value("Northwind Analytics Inc.").run()
    assert any("sbom.json: cyclonedx" in e.label for e in at.expander)
    click(at, "load")
    assert any(s.value.startswith("Loaded ") for s in at.success), [e.value for e in at.error]
    kinds = set(frame_with(at, "sha256")["kind"])
    assert {"usaspending-subawards: relationships", "cyclonedx: relationships"} <= kinds


# Scenario and what-ifs ------------------------------------------------------------------------


def test_designate_by_name_and_see_who_is_exposed(demo_db, app_for):
    at = go(app_for(demo_db), "scenario")
    find(at, "anthropic")
    assert "Anthropic, PBC" in at.selectbox(key="found_pick").value
    click(at, "designate")
    want = expected(demo_db, designated=("Anthropic, PBC",))
    affected = int((want["status"] != "clear").sum())
    assert affected == 38  # sample_data/README.md: 37 besides Anthropic with all four files
    at.run()
    assert metric(at, "Organizations affected") == str(affected)
    assert metric(at, "Late organizations") == str(int(want["late"].sum()))


def test_search_finds_organizations_by_uei_cage_and_alias(demo_db, app_for):
    con = connect(demo_db, read_only=True)
    uei, cage, name = con.execute(
        "SELECT uei, cage, name FROM orgs WHERE name = 'Sentinel Gov Cloud, Inc.'"
    ).fetchall()[0]
    con.close()
    at = go(app_for(demo_db), "scenario")
    for text in (uei.lower(), cage, "Sentinel GovCloud"):
        find(at, text)
        assert at.selectbox(key="found_pick").value.startswith(name), text
    find(at, "AWS")
    assert at.selectbox(key="found_pick").value.startswith("Amazon Web Services")


def test_marking_the_cloud_host_noncompliant_changes_the_exposed_set(demo_db, app_for):
    at = go(app_for(demo_db), "scenario")
    click(find(at, "Anthropic"), "designate")
    before = int(metric(at, "Organizations affected"))
    click(find(at, "Amazon Web Services"), "noncompliant")
    after = int(metric(at, "Organizations affected"))
    assert metric(at, "Non-compliant organizations") == "1"
    base = expected(demo_db, designated=("Anthropic, PBC",))
    whatif = expected(
        demo_db, designated=("Anthropic, PBC",), noncompliant=("Amazon Web Services",)
    )
    assert (before, after) == (
        int((base["status"] != "clear").sum()),
        int((whatif["status"] != "clear").sum()),
    )
    assert after > before
    # The compute and storage customers of the host are exposed only in the what-if.
    newly = set(whatif.loc[whatif["status"] != "clear", "name"]) - set(
        base.loc[base["status"] != "clear", "name"]
    )
    assert {"Copperhead Optics Corp.", "Marlowe Secure Comms LLC"} <= newly
    # Undesignate: removing the non-compliant host restores the baseline.
    at = go(at, "scenario")
    click(at, "remove:noncompliant:Amazon Web Services")
    assert int(metric(at, "Organizations affected")) == before


def test_levers_transition_days_and_scope_change_the_outcome(demo_db, app_for):
    at = go(app_for(demo_db), "scenario")
    click(find(at, "Anthropic"), "designate")
    late = int(metric(at, "Late organizations"))
    days = next(n for n in at.number_input if n.label == "Transition days")
    days.set_value(720).run()
    assert int(metric(at, "Late organizations")) < late
    want = expected(demo_db, designated=("Anthropic, PBC",), transition_days=720)
    assert int(metric(at, "Late organizations")) == int(want["late"].sum())
    scope = next(r for r in at.radio if r.label == "Ties that oblige")
    scope.set_value("dod").run()
    assert at.session_state["scenarios"]["baseline"].scope == "dod"
    want = expected(demo_db, designated=("Anthropic, PBC",), transition_days=720, scope="dod")
    assert metric(at, "Organizations affected") == str(int((want["status"] != "clear").sum()))


def test_the_model_lever_reruns_impact_under_another_model(demo_db, app_for):
    at = go(app_for(demo_db), "scenario")
    click(find(at, "Anthropic"), "designate")
    cascade = frame_with(at, "impact").set_index("organization")["impact"]
    exposed = metric(at, "Organizations affected")
    model = next(s for s in at.selectbox if s.label == "Impact model")
    assert model.options[0] == "cascade" and set(model.options) >= {"esri", "debtrank", "iim"}
    model.set_value("debtrank").run()
    assert at.session_state["scenarios"]["baseline"].model == "debtrank"
    assert metric(at, "Organizations affected") == exposed  # reach does not depend on the model
    want = expected(demo_db, designated=("Anthropic, PBC",), model="debtrank")
    shown = frame_with(at, "impact").set_index("organization")["impact"]
    library = want.set_index("name")["impact"]
    assert all(shown[name] == pytest.approx(library[name]) for name in shown.index)
    assert not all(shown[name] == pytest.approx(cascade.get(name, -1)) for name in shown.index)


def test_a_seeded_designation_list_applies_only_when_chosen(demo_db, app_for):
    at = go(app_for(demo_db), "scenario")
    assert any("Nobody" in i.value or "Designate at least" in i.value for i in at.info)
    at.selectbox(key="list_pick").set_value(
        next(o for o in at.selectbox(key="list_pick").options if o.startswith("dod-2026-anthropic"))
    )
    click(at, "use_list")
    assert at.session_state["scenarios"]["baseline"].designated == ("Anthropic, PBC",)
    assert "Anthropic, PBC" in [t.value for t in at.text]  # listed under Designated, as text
    assert metric(at, "Organizations affected") == "38"


def test_the_demo_scenario_named_at_start_up_is_on_screen(demo_db, app_for):
    at = app_for(demo_db, scenario="dod-2026-anthropic")
    assert at.title[0].value == "Affected network"
    assert metric(at, "Organizations affected") == "38"


# Network, ranking, detail ----------------------------------------------------------------------


def test_network_page_draws_the_graph_and_aggregates_the_rest(demo_db, app_for):
    at = app_for(demo_db, scenario="dod-2026-anthropic")
    charts = at.get("echarts_chart")
    assert len(charts) == 1
    series = json.loads(charts[0].proto.spec)["series"][0]
    nodes = [n for n in series["data"] if not n["name"].startswith("tier-heading")]
    assert len(nodes) == 38  # every exposed organization, the designated one first
    assert nodes[0]["symbol"] == "diamond" and "Anthropic, PBC" in nodes[0]["tooltip"]["formatter"]
    edge_tips = " ".join(link["tooltip"]["formatter"] for link in series["links"])
    assert "Claude models" in edge_tips and "Amazon Bedrock" in edge_tips
    at.select_slider(key="draw_limit").set_value(25).run()
    series = json.loads(at.get("echarts_chart")[0].proto.spec)["series"][0]
    bubbles = [n for n in series["data"] if n.get("symbol") == "roundRect"]
    assert bubbles and all("more" in n["label"]["formatter"] for n in bubbles)
    assert sum(int(n["label"]["formatter"].split()[0]) for n in bubbles) == 13
    assert any("other 13 are grouped" in c.value for c in at.caption)
    table = frame_with(at, "organization")
    assert table.iloc[0]["organization"] == "Anthropic, PBC"


def test_ranking_filters_and_search(demo_db, app_for):
    at = go(app_for(demo_db, scenario="dod-2026-anthropic"), "ranking")
    table = frame_with(at, "shortest chain")
    assert len(table) == 38 and table.iloc[0]["organization"] == "Anthropic, PBC"
    assert table["impact"].iloc[1:].is_monotonic_decreasing
    at.multiselect(key="rank_kind").set_value(["prime"]).run()
    table = frame_with(at, "shortest chain")
    assert len(table) > 0 and set(table["kind"]) == {"prime"}
    at.multiselect(key="rank_kind").set_value([]).run()
    at.text_input(key="rank_text").set_value("navy").run()
    table = frame_with(at, "shortest chain")
    assert list(table["organization"]) == ["Department of the Navy"]
    assert table.iloc[0]["shortest chain"].startswith("Anthropic, PBC > ")


def test_detail_shows_chains_with_products_evidence_contracts_and_plan(demo_db, app_for):
    con = connect(demo_db, read_only=True)
    navy = con.execute("SELECT org_id FROM orgs WHERE name = 'Department of the Navy'").fetchall()
    con.close()
    at = app_for(demo_db, scenario="dod-2026-anthropic")
    at.session_state["detail_org"] = int(navy[0][0])
    go(at, "detail")
    assert at.header[0].value == "Department of the Navy"
    chains = [e.label for e in at.expander if e.label.startswith("Chain ")]
    assert chains and chains[0].startswith("Chain 1: Anthropic, PBC → ")
    assert all(label.endswith("→ Department of the Navy") for label in chains)
    links = frame_with(at, "Also stated in")
    assert {"Supplier", "Buyer", "Product", "Source file", "Sheet", "Row"} <= set(links.columns)
    assert set(links["Source file"]) <= {"network.xlsx", "prime_vendor_list.xlsx"}
    assert (links["Row"] > 1).all()
    # The same chains as the workbook's Exposure paths for this organization.
    con = connect(demo_db)
    try:
        from exposure.report.tables import build_tables

        run = assess_scenario(con, load_spec(con, "dod-2026-anthropic"))
        paths = build_tables(con, run, for_org=int(navy[0][0])).paths
    finally:
        con.close()
    assert len(chains) == paths["chain"].nunique()
    first = paths[paths["chain"] == 1]
    # Names in an expander's label are shown as text (exposure.app.text.plain).
    assert chains[0] == "Chain 1: " + " → ".join(
        plain(name) for name in [str(first["supplier"].iloc[0]), *first["buyer"].astype(str)]
    )
    # An agency re-competes nothing over a supplier's tool (issue 14): its plan is empty.
    assert any(m.value == "Nothing to do in this scenario." for m in at.markdown)
    assert all("Action" not in table.value.columns for table in at.dataframe)
    contracts = frame_with(at, "Counterparty")
    assert contracts["Contract"].notna().any() and contracts["Exposed"].any()


# Compare and download ---------------------------------------------------------------------------


def test_compare_baseline_with_the_host_keeps_serving(demo_db, app_for):
    at = go(app_for(demo_db), "scenario")
    click(find(at, "Anthropic"), "designate")
    at.text_input(key="copy_name").set_value("host keeps serving").run()
    click(at, "copy")
    click(find(at, "Amazon Web Services"), "noncompliant")
    go(at, "compare")
    at.selectbox(key="compare_base").set_value("baseline (this session)").run()
    at.selectbox(key="compare_other").set_value("host keeps serving (this session)").run()
    assert not at.exception
    con = connect(demo_db)
    try:
        diff = compare_runs(
            assess_scenario(con, ScenarioSpec(name="baseline", designated=("Anthropic, PBC",))),
            assess_scenario(
                con,
                ScenarioSpec(
                    name="host",
                    designated=("Anthropic, PBC",),
                    noncompliant=("Amazon Web Services",),
                ),
            ),
        )
    finally:
        con.close()
    at.run()
    assert metric(at, "Newly exposed") == str(len(diff.newly_exposed))
    assert len(diff.newly_exposed) > 0
    newly = [s.value for s in at.subheader if s.value.startswith("Newly exposed")]
    assert newly == [f"Newly exposed ({len(diff.newly_exposed)})"]
    table = frame_with(at, "change")
    assert "Copperhead Optics Corp." in set(table["organization"])


@pytest.mark.parametrize("suffix", ["json", "csv"])
def test_download_the_assessment_on_screen(demo_db, app_for, suffix):
    at = go(app_for(demo_db, scenario="dod-2026-anthropic"), "downloads")
    at.radio(key="download_format").set_value(suffix).run()
    one_click(at)
    assert at.download_button, "no download button after preparing"
    _, name, data = at.session_state["prepared_download"]
    assert name.startswith("exposure-dod-2026-anthropic-") and name.endswith("." + suffix)
    if suffix == "json":
        report = json.loads(data)
        assert report["scenario"] == "dod-2026-anthropic"
        assert sum(o["exposed"] for o in report["organizations"]) == 38
    else:
        lines = data.decode("utf-8").splitlines()
        assert lines[0].startswith("rank,name,kind,status,tier") and len(lines) == 1 + 38


def test_download_the_workbook(demo_db, app_for):
    at = go(app_for(demo_db, scenario="dod-2026-anthropic"), "downloads")
    at.radio(key="download_format").set_value("xlsx").run()
    one_click(at)
    assert not at.error, [e.value for e in at.error]
    _, name, data = at.session_state["prepared_download"]
    assert name.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames[0] == "Summary"
    assert {"Affected organizations", "Exposure paths", "Remediation", "Sources"} <= set(
        workbook.sheetnames
    )
    rows = list(workbook["Affected organizations"].iter_rows(values_only=True))
    names = [row[1] for row in rows if row and isinstance(row[1], str)]
    assert "Anthropic, PBC" in names and "Department of the Navy" in names


def test_download_past_excels_row_limit_is_a_zip_of_the_workbook_and_its_companions(
    demo_db, app_for, monkeypatch
):
    """At national scale a sheet passes Excel's 1,048,576 rows and its whole table goes to a
    Parquet file beside the workbook: the download must carry those files too (here the
    limit is lowered so that the sample's tables pass it)."""
    import zipfile

    import pyarrow.parquet as pq

    import exposure.report.workbook as workbook_module

    monkeypatch.setattr(workbook_module, "MAX_SHEET_ROWS", 20)
    at = go(app_for(demo_db, scenario="dod-2026-anthropic"), "downloads")
    at.radio(key="download_format").set_value("xlsx").run()
    one_click(at)
    assert not at.error, [e.value for e in at.error]
    _, name, data = at.session_state["prepared_download"]
    assert name.startswith("exposure-dod-2026-anthropic-") and name.endswith(".zip")
    assert any("Excel's limit" in i.value for i in at.info)
    archive = zipfile.ZipFile(io.BytesIO(data))
    stem = name.removesuffix(".zip")
    members = archive.namelist()
    assert members[0] == stem + ".xlsx"
    companions = [m for m in members if m.endswith(".parquet")]
    assert companions and all(m.startswith(stem + ".") for m in companions)
    workbook = openpyxl.load_workbook(io.BytesIO(archive.read(members[0])), read_only=True)
    listed = {row[0] for row in workbook["Sources"].iter_rows(values_only=True) if row and row[0]}
    assert set(companions) <= listed  # Sources names each file the ZIP holds
    paths = pq.read_table(io.BytesIO(archive.read(companions[0])))
    assert paths.num_rows > 20


def test_login_is_required_when_oidc_is_configured(demo_db, app_for, monkeypatch):
    monkeypatch.setenv("EXPOSURE_DB", str(demo_db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "exposure",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.metric and not at.dataframe


def test_no_free_form_sql_anywhere_in_the_app():
    """The pages take names, files and levers; nothing a user types is run as SQL."""
    for page in (ROOT / "dashboards").rglob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert "execute(" not in text and ".sql(" not in text, page
        assert "text_area" not in text, page


def test_the_as_of_control_says_how_many_days_overdue(demo_db, app_for):
    # Effective 2026-02-27 + 180 days: the deadline is 2026-08-26; 2026-12-03 is 99 days past.
    at = go(app_for(demo_db), "scenario")
    click(find(at, "Anthropic"), "designate")
    at.date_input(key="as_of_widget").set_value(date(2026, 12, 3)).run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert any("passed 99 days ago" in text for text in captions), captions
    assert at.session_state["as_of"] == date(2026, 12, 3)
    at.date_input(key="as_of_widget").set_value(date(2026, 7, 1)).run()
    captions = [c.value for c in at.caption]
    assert any("56 days to the deadline" in text for text in captions), captions


def test_no_emoji_or_icon_anywhere_in_the_app():
    """Emoji show as empty boxes where no emoji font is installed, and a Material icon as the
    favicon is fetched from Google's font server: the dashboard uses words only."""
    emoji = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
    for path in sorted((ROOT / "dashboards").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not emoji.search(text), path
        assert "icon=" not in text and ":material/" not in text, path


def test_uploads_and_options_wait_while_the_analyst_visits_another_page(tmp_path, app_for):
    """Streamlit empties a file uploader whose page is left: the files and the load options
    are kept in the session, listed, and load when the analyst comes back."""
    at = app_for(tmp_path / "fresh.duckdb")
    data = (SAMPLE / "prime_vendor_list.xlsx").read_bytes()
    at.file_uploader(key="uploads").set_value(
        ("prime_vendor_list.xlsx", data, "application/octet-stream")
    )
    at.run()
    at.text_input(key="load_buyer").set_value("Meridian Aerospace Corporation").run()
    assert not at.exception
    go(at, "scenario")
    go(at, "data")
    captions = " ".join(c.value for c in at.caption)
    assert "Also waiting to load" in captions and r"prime\_vendor\_list\.xlsx" in captions
    assert at.text_input(key="load_buyer").value == "Meridian Aerospace Corporation"
    assert "Vendor Name" in set(frame_with(at, "found in")["header"])  # previewed again
    click(at, "load")
    assert any("Loaded 30 rows" in s.value for s in at.success), [s.value for s in at.success]
    # Cleared on request.
    go(at, "scenario")
    go(at, "data")
    click(at, "clear_uploads")
    assert "Also waiting" not in " ".join(c.value for c in at.caption)
    with pytest.raises(AssertionError):
        frame_with(at, "found in")


def test_download_one_companys_own_workbook_with_its_identified_date(demo_db, app_for):
    """The file a prime submits: the assessment from its seat (as ``--for``), its reports
    counted from the date the exposures were identified (as ``--identified``)."""
    at = go(app_for(demo_db, scenario="dod-2026-anthropic"), "downloads")
    at.radio(key="download_format").set_value("xlsx").run()
    at.text_input(key="seat_name").set_value("Meridian Aero").run()  # an alias resolves
    at.date_input(key="identified_widget").set_value(date(2026, 3, 2)).run()
    one_click(at)
    _, name, data = at.session_state["prepared_download"]
    assert "meridian-aerospace-corporation" in name
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    summary = " ".join(
        str(cell) for row in workbook["Summary"].iter_rows(values_only=True) for cell in row if cell
    )
    assert "Meridian Aerospace Corporation" in summary and "2026-03-02" in summary
    reporting = list(workbook["Reporting"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(reporting) if row and "Reporting contractor" in row)
    column = reporting[header].index("Reporting contractor")
    contractors = {row[column] for row in reporting[header + 1 :] if row and row[column]}
    assert contractors == {"Meridian Aerospace Corporation"}
    # The whole network again once the seat is cleared; an unknown seat is said, not guessed.
    at.text_input(key="seat_name").set_value("Nobody Such Corp").run()
    assert at.error and "Nobody Such Corp" in at.error[0].value
