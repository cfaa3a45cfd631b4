"""The library behind the dashboard: previews, search, network view, comparison, detail.

Hand-checkable cases on a tiny network and the sample network, and invariants on random
networks (every affected organization is drawn or counted in a bubble; every exposed edge is
drawn or counted inside one).
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BAD, GOOD

from exposure import LoadOptions, connect, load_files, report_bytes
from exposure import assess as assess_scenario
from exposure.app.network_chart import network_chart, selected_org, tier_chart
from exposure.app.network_view import build_view, product_labels
from exposure.app.org_detail import org_detail
from exposure.app.server import (
    REPORT_TYPES,
    model_choices,
    open_cursor,
    save_upload,
    streamlit_command,
    upload_suffixes,
    uploads,
)
from exposure.core.errors import ExposureError, Problem
from exposure.ingest.preview import (
    AUTOMATIC,
    IGNORE,
    mapping_from_choices,
    preview_file,
    problems_frame,
)
from exposure.model.compare import compare_frames, compare_runs
from exposure.model.engine import DESIGNATED, NONCOMPLIANT, Scenario, assess
from exposure.model.graph import build_graph
from exposure.model.headline import headline
from exposure.model.impact import cascade_impact
from exposure.model.run import AssessmentRun, organizations_frame
from exposure.model.scenario import ScenarioSpec
from exposure.pipeline.demo import run_demo
from exposure.warehouse.scenarios import reference_for, resolve_org
from exposure.warehouse.search import filter_ranking, search_organizations

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"

ORGS = """name,kind,uei,cage,aliases
"Vendor AI, PBC",model_provider,VENDOR000001,1VND1,Claude Maker
Cloud Host Inc,cloud_host,CLOUD0000001,2CLD2,
100% Parts Co,supplier,,,
A_B Corp,supplier,,,
AxB Corp,supplier,,,
Acme Corp,supplier,ACME00000001,,
Acme Corp,supplier,ACME00000002,,
Bedrock Buyer LLC,subcontractor,,,
Compute Buyer LLC,subcontractor,,,
Prime Corp,prime,,,
"""
RELS = """buyer,supplier,relation,product,used_in,annual_value_usd,replacement_months,dod_use,alternatives
Cloud Host Inc,Vendor AI,resells,models,Bedrock,1000,3,true,0
Bedrock Buyer LLC,Cloud Host Inc,model_api,Bedrock,Platform,200,9,true,1
Compute Buyer LLC,Cloud Host Inc,cloud_hosting,EC2,,300,2,true,
Prime Corp,Bedrock Buyer LLC,subcontract,Platform,,5000,12,true,0
Prime Corp,Compute Buyer LLC,subcontract,Hosting,,700,1,true,2
Prime Corp,100% Parts Co,component,Bolts,,10,1,false,3
"""


@pytest.fixture
def tiny(tmp_path):
    (tmp_path / "organizations.csv").write_text(ORGS, encoding="utf-8")
    (tmp_path / "relationships.csv").write_text(RELS, encoding="utf-8")
    path = tmp_path / "tiny.duckdb"
    con = connect(path)
    load_files(con, [tmp_path / "organizations.csv", tmp_path / "relationships.csv"])
    yield con
    con.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "sample-demo.duckdb"
    run_demo(path)
    con = connect(path)
    yield con
    con.close()


def _run(con, *designated, noncompliant=(), **levers):
    spec = ScenarioSpec(designated=designated, noncompliant=noncompliant, **levers)
    return assess_scenario(con, spec)


# Search --------------------------------------------------------------------------------------


def test_search_by_uei_cage_alias_and_substring(tiny):
    def names(text):
        return list(search_organizations(tiny, text)["name"])

    assert names("vendor000001") == ["Vendor AI, PBC"]
    assert names("1vnd1") == ["Vendor AI, PBC"]
    assert names("Claude Maker") == ["Vendor AI, PBC"]  # the aliases column
    assert names("buyer") == ["Bedrock Buyer LLC", "Compute Buyer LLC"]
    assert names("   ") == []
    found = search_organizations(tiny, "2CLD2")
    assert found.iloc[0]["matched_by"] == "CAGE"


def test_search_text_is_data_not_a_pattern_or_sql(tiny):
    assert list(search_organizations(tiny, "A_B")["name"]) == ["A_B Corp"]  # not AxB Corp
    assert list(search_organizations(tiny, "100%")["name"]) == ["100% Parts Co"]
    assert search_organizations(tiny, "'; DROP TABLE orgs; --").empty
    assert tiny.execute("SELECT count(*) FROM orgs").fetchall()[0][0] == 10


def test_seed_aliases_are_searched(sample):
    found = search_organizations(sample, "AWS")
    assert found.iloc[0]["name"] == "Amazon Web Services"
    assert found.iloc[0]["spelling"] == "AWS"


def test_reference_for_an_ambiguous_name_is_its_uei(tiny):
    ids = [
        row[0]
        for row in tiny.execute("SELECT org_id FROM orgs WHERE name = 'Acme Corp'").fetchall()
    ]
    assert len(ids) == 2
    references = {reference_for(tiny, org) for org in ids}
    assert references == {"ACME00000001", "ACME00000002"}
    for org in ids:
        assert resolve_org(tiny, reference_for(tiny, org)) == org
    prime = resolve_org(tiny, "Prime Corp")
    assert reference_for(tiny, prime) == "Prime Corp"


def test_filter_ranking_combines_filters():
    frame = pd.DataFrame(
        {
            "name": ["V", "Host", "Prime A", "Prime B", "Clear"],
            "status": ["designated", "exposed", "exposed", "exposed", "clear"],
            "kind": ["model_provider", "cloud_host", "prime", "prime", "prime"],
            "tier": pd.array([0, 1, 2, 3, None], dtype="Int64"),
            "impact": [1.0, 0.6, 0.4, 0.1, 0.0],
            "late": [False, True, True, False, False],
        }
    )
    assert list(filter_ranking(frame, kinds=["prime"], max_tier=2)["name"]) == ["Prime A"]
    assert list(filter_ranking(frame, statuses=["exposed"], late_only=True)["name"]) == [
        "Host",
        "Prime A",
    ]
    assert list(filter_ranking(frame, min_impact=0.5)["name"]) == ["V", "Host"]
    assert list(filter_ranking(frame, text="PRIME")["name"]) == ["Prime A", "Prime B"]


# Preview -------------------------------------------------------------------------------------


def test_preview_of_the_canonical_workbook():
    preview = preview_file(SAMPLE / "network.xlsx", "network.xlsx")
    kinds = {(s.sheet, s.kind, s.data_rows) for s in preview.sheets}
    assert kinds == {
        ("organizations", "organizations", 87),
        ("relationships", "relationships", 290),
    }
    assert not preview.all_problems
    rel = next(s for s in preview.sheets if s.kind == "relationships")
    assert [(h.header, h.column, h.canonical, h.how) for h in rel.headers][:2] == [
        ("buyer", "A", "buyer", "canonical"),
        ("supplier", "B", "supplier", "canonical"),
    ]


def test_preview_shows_synonyms_and_the_vendor_list_needs_a_buyer():
    preview = preview_file(SAMPLE / "prime_vendor_list.xlsx", "vendors.xlsx")
    (sheet,) = preview.sheets
    assert sheet.kind is None and "--buyer" in sheet.problems[0].message
    by_header = {h.header: (h.canonical, h.how) for h in sheet.headers}
    assert by_header["Vendor Name"] == ("supplier", "synonym")
    assert by_header["Category"] == ("relation", "synonym")
    fixed = preview_file(
        SAMPLE / "prime_vendor_list.xlsx", "vendors.xlsx", LoadOptions(buyer="Meridian")
    )
    assert fixed.sheets[0].kind == "vendors" and not fixed.all_problems


def test_preview_reports_an_unknown_header_and_a_mapping_fixes_it():
    # An unknown header no longer stops the load: it is a warning, located; --strict refuses.
    preview = preview_file(BAD / "unknown_header.csv", "their.csv")
    assert not preview.all_problems
    (warning,) = preview.sheets[0].warnings
    assert (warning.file, warning.row, warning.column) == ("their.csv", 1, "Colour")
    colour = next(h for h in preview.sheets[0].headers if h.header == "Colour")
    assert colour.how == "unknown" and colour.column == "#7" and colour.hint is None
    strict = preview_file(BAD / "unknown_header.csv", "their.csv", LoadOptions(strict=True))
    (problem,) = strict.all_problems
    assert (problem.file, problem.row, problem.column) == ("their.csv", 1, "Colour")
    mapping = mapping_from_choices([("Colour", IGNORE), ("buyer", AUTOMATIC)])
    fixed = preview_file(BAD / "unknown_header.csv", "their.csv", LoadOptions(mapping=mapping))
    assert not fixed.all_problems and not fixed.sheets[0].warnings
    colour = next(h for h in fixed.sheets[0].headers if h.header == "Colour")
    assert (colour.canonical, colour.how) == (None, "ignored")
    remapped = preview_file(
        BAD / "unknown_header.csv",
        "their.csv",
        LoadOptions(mapping=mapping_from_choices([("Colour", "notes")])),
    )
    colour = next(h for h in remapped.sheets[0].headers if h.header == "Colour")
    assert (colour.canonical, colour.how) == ("notes", "your mapping")


def test_preview_of_public_formats():
    public = ROOT / "tests" / "data" / "public"
    subawards = preview_file(public / "subawards.csv", "subawards.csv")
    (sheet,) = subawards.sheets
    assert sheet.kind == "usaspending-subawards" and not subawards.all_problems
    mapped = {h.header: h.canonical for h in sheet.headers}
    assert mapped["prime_awardee_uei"] == "prime_uei" and "subaward_amount" in mapped
    missing = preview_file(public / "subawards_missing_columns.csv", "s.csv")
    assert {p.column for p in missing.all_problems} >= {"subawardee_uei", "subaward_amount"}
    sbom = preview_file(public / "sbom.json", "sbom.json")
    assert "--buyer" in sbom.problems[0].message
    owned = preview_file(public / "sbom.json", "sbom.json", LoadOptions(buyer="Northwind"))
    assert owned.sheets[0].kind == "cyclonedx" and owned.sheets[0].data_rows
    broken = preview_file(public / "sbom_malformed.json", "bad.json")
    assert broken.problems[0].row == 7


def test_mapping_choices_refuse_an_unknown_column():
    with pytest.raises(ValueError, match="not a column"):
        mapping_from_choices([("Colour", "favourite_colour")])


def test_preview_refuses_unsafe_or_unreadable_files_without_raising():
    bomb = preview_file(BAD / "billion_laughs.xlsx", "bomb.xlsx")
    assert bomb.problems and "entit" in bomb.problems[0].message.lower()
    empty = preview_file(BAD / "empty.csv", "empty.csv")
    assert empty.all_problems


def test_preview_removes_the_readers_temporary_copies(tmp_path):
    odd = tmp_path / "odd [name]*.csv"
    odd.write_bytes((GOOD / "relationships.csv").read_bytes())
    before = set(Path(tempfile.gettempdir()).iterdir())
    assert preview_file(BAD / "cp1252.csv", "old.csv", LoadOptions(encoding="cp1252")).sheets
    assert preview_file(odd, odd.name).sheets[0].kind == "relationships"
    after = set(Path(tempfile.gettempdir()).iterdir())
    assert {p for p in after - before if "exposure" in p.name} == set()


def test_problems_frame_keeps_file_sheet_row_column():
    frame = problems_frame(
        [Problem("a.xlsx", "not a number", sheet="relationships", row=7, column="Spend", cell="H7")]
    )
    assert frame.iloc[0][["file", "sheet", "row", "column", "cell"]].tolist() == [
        "a.xlsx",
        "relationships",
        7,
        "Spend",
        "H7",
    ]


# Comparison ----------------------------------------------------------------------------------


def test_compare_the_host_keeps_serving(tiny):
    base = _run(tiny, "Vendor AI")
    other = _run(tiny, "Vendor AI", noncompliant=("Cloud Host Inc",))
    diff = compare_runs(base, other)
    # Non-compliant, the host's EC2 customer is exposed too, and through it the prime again.
    assert list(diff.newly_exposed["name"]) == ["Compute Buyer LLC"]
    assert diff.no_longer_exposed.empty
    host = diff.organizations.set_index("name").loc["Cloud Host Inc"]
    assert (host["status_base"], host["status_other"]) == ("exposed", "noncompliant")
    assert (host["tier_base"], host["tier_other"]) == (1, 0)
    assert "Cloud Host Inc" in set(diff.tier_moved["name"])
    assert diff.value_at_risk_delta == pytest.approx(300.0 + 700.0)
    counts = diff.counts.set_index("metric")
    assert counts.loc["Organizations affected", "delta"] == 1


def test_compare_matches_set_arithmetic_on_random_frames():
    rng = np.random.default_rng(7)
    statuses = np.array(["clear", "exposed", "noncompliant", "designated"], dtype=object)
    for _ in range(50):
        n = int(rng.integers(1, 40))

        def frame(n: int = n) -> pd.DataFrame:
            status = statuses[rng.integers(0, 4, n)]
            tier = np.where(status == "clear", -1, rng.integers(0, 4, n))
            return pd.DataFrame(
                {
                    "org_id": np.arange(n),
                    "name": [f"org {i}" for i in range(n)],
                    "kind": "prime",
                    "status": status,
                    "tier": pd.array(np.where(tier < 0, None, tier), dtype="Int64"),
                    "impact": rng.random(n).round(3),
                    "value_at_risk_usd": np.where(status == "clear", 0.0, rng.integers(0, 9, n)),
                    "late": rng.random(n) < 0.3,
                    "obliged": rng.random(n) < 0.3,
                }
            )

        a, b = frame(), frame()
        diff = compare_frames(a, b)
        exposed_a = set(a.loc[a["status"] != "clear", "org_id"])
        exposed_b = set(b.loc[b["status"] != "clear", "org_id"])
        assert set(diff.newly_exposed["org_id"]) == exposed_b - exposed_a
        assert set(diff.no_longer_exposed["org_id"]) == exposed_a - exposed_b
        assert set(diff.organizations["org_id"]) == exposed_a | exposed_b
        both = exposed_a & exposed_b
        moved = {i for i in both if a.loc[i, "tier"] != b.loc[i, "tier"]}
        assert set(diff.tier_moved["org_id"]) == moved
        assert diff.value_at_risk_delta == pytest.approx(
            b["value_at_risk_usd"].sum() - a["value_at_risk_usd"].sum()
        )


def test_compare_refuses_runs_on_different_data(tiny, tmp_path):
    base = _run(tiny, "Vendor AI")
    (tmp_path / "more.csv").write_text(
        "buyer,supplier,relation,product\nPrime Corp,A_B Corp,component,Nuts\n", encoding="utf-8"
    )
    load_files(tiny, [tmp_path / "more.csv"])
    with pytest.raises(ExposureError, match="different data"):
        compare_runs(base, _run(tiny, "Vendor AI"))


# Network view --------------------------------------------------------------------------------


def _check_view(run: AssessmentRun, max_nodes: int) -> None:
    frame = organizations_frame(run)
    view = build_view(run, frame, max_nodes=max_nodes)
    affected = frame[frame["status"] != "clear"]
    nodes, edges = view.nodes, view.edges
    assert view.affected == len(affected)
    assert view.shown + view.aggregated == len(affected)
    assert int(nodes["count"].sum()) == len(affected)
    assert nodes["key"].is_unique
    sources = set(affected.loc[affected["status"].isin(["designated", "noncompliant"]), "org_id"])
    assert sources <= set(nodes.loc[~nodes["group"], "org_id"])
    assert view.shown <= max(max_nodes, len(sources))
    # Every exposed edge is drawn (counted in an edge) or inside one bubble.
    assert int(edges["count"].sum()) + view.internal_edges == int(run.result.exposed_edges.sum())
    assert set(edges["source"]) | set(edges["target"]) <= set(nodes["key"])
    assert (nodes["x"] == np.minimum(nodes["tier"], 11)).all()  # tiers from 11 share a column
    # Each affected organization is in its own node, or in the bubble of its tier and kind.
    drawn = nodes.iloc[view.node_of[affected["org_id"].to_numpy()]]
    tiers = affected["tier"].astype(int).to_numpy()
    assert (drawn["tier"].to_numpy() <= tiers).all() and (tiers <= drawn["tier_max"]).all()
    assert (drawn["x"].to_numpy() == np.minimum(tiers, 11)).all()
    assert (drawn["kind"].to_numpy() == affected["kind"].astype(str).to_numpy()).all()
    single = ~drawn["group"].to_numpy()
    assert (drawn["org_id"].to_numpy()[single] == affected["org_id"].to_numpy()[single]).all()
    assert (drawn["tier"].to_numpy()[single] == tiers[single]).all()
    assert (view.node_of[frame.loc[frame["status"] == "clear", "org_id"].to_numpy()] == -1).all()
    # Within a column, no two nodes share a y.
    assert not nodes.duplicated(["x", "y"]).any()
    option = network_chart(view)
    text = json.dumps(option)  # JSON-compatible, as Streamlit needs
    assert "http" not in text
    series = option["series"][0]
    names = [n["name"] for n in series["data"]]
    assert len(set(names)) == len(names)
    assert names[: len(nodes)] == list(nodes["key"])
    # Labels lie right of the widest symbol of their column (never on a node), and are
    # short enough to end before the next column.
    assert series["label"]["position"] == "right"
    drawn_nodes = series["data"][: len(nodes)]
    widest: dict[float, float] = {}
    for point in drawn_nodes:
        widest[point["x"]] = max(widest.get(point["x"], 0.0), point["symbolSize"])
    xs = sorted(widest)
    gap = min((b - a for a, b in itertools.pairwise(xs)), default=1e9)
    for point in drawn_nodes:
        start = point["x"] + point["symbolSize"] / 2 + point["label"]["distance"]
        assert start >= point["x"] + widest[point["x"]] / 2 + 3.9
        assert len(point["label"]["formatter"]) * 6 <= max(gap - widest[point["x"]] / 2, 8 * 6)
    # A tooltip says late in words for one organization, as a count for a bubble.
    for node, drawn in zip(nodes.to_dict("records"), series["data"], strict=False):
        tip = drawn["tooltip"]["formatter"]
        if node["group"]:
            assert ("none late" in tip) == (int(node["late"]) == 0), tip
        else:
            assert f"late: {'yes' if int(node['late']) else 'no'}" in tip, tip
    assert {(link["source"], link["target"]) for link in series["links"]} == set(
        zip(edges["source"], edges["target"], strict=True)
    )


def test_view_of_the_sample_network(sample):
    run = _run(sample, "Anthropic, PBC", noncompliant=("Amazon Web Services",))
    for limit in (5, 20, 1000):
        _check_view(run, limit)
    whole = build_view(run, max_nodes=1000, product_labels=product_labels(sample))
    assert not whole.truncated and whole.internal_edges == 0
    assert int(whole.edges["count"].sum()) == int(run.result.exposed_edges.sum())
    bedrock = whole.edges[
        (whole.edges["supplier"] == "Amazon Web Services")
        & whole.edges["products"].str.contains("Amazon Bedrock")
    ]
    assert len(bedrock) > 0  # written as in the data, not lower-cased
    first = int(whole.nodes["org_id"].iloc[0])
    selection = {"selected": [{"data_type": "node", "data_indices": [0]}]}
    assert selected_org(whole, selection) == first
    bars = tier_chart(organizations_frame(run))
    total = sum(sum(series["data"]) for series in bars["series"])
    assert total == whole.affected
    small = build_view(run, max_nodes=5)
    groups = small.nodes[small.nodes["group"]]
    assert len(groups) and groups["label"].str.contains(r"more \w+ \(tier \d\)").all()


def test_deep_tiers_share_the_last_column():
    # A chain of 30 organizations: tiers 0..29.
    n = 30
    graph = build_graph(
        names=np.array([f"org {i}" for i in range(n)], dtype=object),
        supplier=np.arange(n - 1),
        buyer=np.arange(1, n),
        product=np.full(n - 1, -1),
        used_in=np.full(n - 1, -1),
    )
    scenario = Scenario(designated=(0,))
    result = assess(graph, scenario)
    impact = cascade_impact(graph, result.status == DESIGNATED, result.exposed_edges)
    run = AssessmentRun(ScenarioSpec(), scenario, graph, result, impact)
    view = build_view(run, max_nodes=5, max_columns=6)
    assert sorted(view.nodes["x"].unique()) == [0, 1, 2, 3, 4, 5]
    last = view.nodes[view.nodes["x"] == 5]
    assert (
        last["group"].all() and int(last["tier"].min()) == 5 and int(last["tier_max"].max()) == 29
    )
    headings = [
        d["label"]["formatter"]
        for d in network_chart(view)["series"][0]["data"]
        if d["name"].startswith("tier-heading")
    ]
    assert headings[0] == "sources" and headings[-1] == "tiers 5-29"
    _check_view(run, 3)


def test_view_invariants_on_random_networks():
    rng = np.random.default_rng(11)
    for _ in range(25):
        n_orgs = int(rng.integers(3, 120))
        n_edges = int(rng.integers(1, 400))
        n_products = int(rng.integers(1, 6))
        supplier = rng.integers(0, n_orgs, n_edges)
        buyer = rng.integers(0, n_orgs, n_edges)
        graph = build_graph(
            names=np.array([f"org {i}" for i in range(n_orgs)], dtype=object),
            kinds=rng.choice(np.array(["prime", "supplier", "cloud_host"], dtype=object), n_orgs),
            supplier=supplier,
            buyer=buyer,
            product=rng.integers(-1, n_products, n_edges),
            used_in=rng.integers(-1, n_products, n_edges),
            value=rng.random(n_edges) * 100,
            replacement_months=rng.random(n_edges) * 12,
        )
        designated = tuple(int(i) for i in rng.choice(n_orgs, size=2, replace=False))
        scenario = Scenario(designated=designated, noncompliant=(int(rng.integers(0, n_orgs)),))
        result = assess(graph, scenario)
        sources = (result.status == DESIGNATED) | (result.status == NONCOMPLIANT)
        impact = cascade_impact(graph, sources, result.exposed_edges)
        run = AssessmentRun(ScenarioSpec(), scenario, graph, result, impact)
        for limit in (1, 7, 1000):
            _check_view(run, limit)


# Detail --------------------------------------------------------------------------------------


def test_detail_lists_every_dependency_both_ways(sample):
    run = _run(sample, "Anthropic, PBC")
    graph, result = run.graph, run.result
    for name in ("Meridian Aerospace Corporation", "Department of the Navy", "Anthropic"):
        org = resolve_org(sample, name)
        detail = org_detail(sample, run, org)
        contracts = detail.contracts
        buys, sells = contracts["direction"] == "buys from", contracts["direction"] == "sells to"
        assert buys.sum() == int((graph.buyer == org).sum())
        assert sells.sum() == int((graph.supplier == org).sum())
        exposed_inputs = int(((graph.buyer == org) & result.exposed_edges).sum())
        assert int((buys & contracts["exposed"]).sum()) == exposed_inputs
        assert list(contracts["exposed"]) == sorted(contracts["exposed"], reverse=True)
    meridian = org_detail(sample, run, resolve_org(sample, "Meridian Aerospace Corporation"))
    assert meridian.facts["UEI"] and meridian.facts["obliged to cut a tie"] is True
    claude = meridian.contracts[meridian.contracts["counterparty"] == "Anthropic, PBC"]
    assert list(claude["product"]) == ["Claude for Enterprise"] and claude["exposed"].all()
    assert int(claude["tier"].iloc[0]) == 1


# Headline ------------------------------------------------------------------------------------


def test_headline_of_the_sample(sample):
    run = _run(sample, "Anthropic, PBC")
    figures = headline(run)
    assert (
        figures.organizations_affected,
        figures.organizations_exposed,
        figures.designated,
    ) == (38, 37, 1)
    assert figures.value_at_risk_usd == pytest.approx(float(run.result.value_at_risk_usd.sum()))
    assert int(figures.by_tier.sum()) == 38 and figures.by_tier[0] == 1
    assert figures.tier_kind.loc["total", "total"] == 38


# Server support ------------------------------------------------------------------------------


def test_streamlit_command_listens_on_localhost_by_default():
    command = streamlit_command(app=Path("dashboards/app.py"))
    assert "--server.address=127.0.0.1" in command
    assert "--browser.gatherUsageStats=false" in command
    assert any(part.startswith("--server.maxUploadSize=") for part in command)
    assert "--server.address=0.0.0.0" in streamlit_command(host="0.0.0.0", app=Path("a.py"))


def test_upload_types_are_every_type_the_loader_reads():
    assert {"xlsx", "xls", "csv", "parquet"} <= set(upload_suffixes())


def test_uploads_are_private_plain_files_removed_afterwards():
    with uploads([("../../etc/passwd", b"a,b\n"), ("Vendors (2026)*.xlsx", b"PK")]) as saved:
        folder = saved[0][0].parent
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        assert [p.name for p, _ in saved] == ["0-passwd", "1-Vendors 2026.xlsx"]
        assert [n for _, n in saved] == ["../../etc/passwd", "Vendors (2026)*.xlsx"]
        assert all(p.parent == folder for p, _ in saved)
        assert oct(saved[0][0].stat().st_mode & 0o777) == "0o600"
    assert not folder.exists()


def test_save_upload_never_overwrites(tmp_path):
    save_upload(tmp_path, "a.csv", b"1")
    with pytest.raises(FileExistsError):
        save_upload(tmp_path, "a.csv", b"2")


def test_a_cursor_has_the_name_macros(tiny):
    cursor = open_cursor(tiny)
    assert cursor.execute("SELECT exposure_norm_name('Acme, Inc.')").fetchall()[0][0] == "acme"
    assert list(search_organizations(cursor, "Prime")["name"]) == ["Prime Corp"]


def test_model_choices_are_the_impact_models_default_first():
    from exposure.model.impact import IMPACT_MODELS

    choices = model_choices()
    assert choices[0] == ScenarioSpec().model
    assert sorted(choices) == sorted(IMPACT_MODELS)


def test_report_bytes_writes_the_report_formats(tiny):
    run = _run(tiny, "Vendor AI")
    data = report_bytes(tiny, run, "json")
    assert b'"scenario": "ad-hoc"' in data
    csv_text = report_bytes(tiny, run, "csv").decode("utf-8")
    assert "Cloud Host Inc" in csv_text and "Compute Buyer LLC" not in csv_text
    assert report_bytes(tiny, run, "xlsx").startswith(b"PK")
    assert set(REPORT_TYPES) == {"xlsx", "csv", "json"}
    assert not [p for p in Path(tempfile.gettempdir()).glob("exposure-report-*")]


def test_the_network_json_download_needs_no_tables_and_keeps_its_as_of(tiny, tmp_path):
    """The JSON download skips the report's tables (minutes at national scale) yet writes
    the bytes the tables' path writes, as-of date and overdue days included."""
    from datetime import date

    from exposure import build_report, report_download, write_report

    run = _run(tiny, "Vendor AI")
    when = date(2031, 5, 4)
    name, data = report_download(tiny, run, "json", stem="mine", as_of=when)
    assert name == "mine.json"
    path = write_report(run, build_report(tiny, run, as_of=when), tmp_path / "with.json")
    assert data == path.read_bytes()
    payload = json.loads(data)
    assert payload["as_of"] == "2031-05-04"
    assert payload["overdue_days"] == (when - run.scenario.deadline).days
