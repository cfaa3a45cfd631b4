"""Entity resolution: UEI, then CAGE, then normalized name, then aliases; fuzzy never merges."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from exposure import LoadOptions, connect, load_files

ORG_HEADER = ["name", "kind", "uei", "cage", "country", "parent", "aliases"]
REL_HEADER = ["buyer", "supplier", "relation", "product", "used_in", "annual_value_usd"]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def con(tmp_path: Path):
    connection = connect(tmp_path / "resolve.duckdb")
    yield connection
    connection.close()


def org_of(con, name_in_edges: str, side: str = "supplier") -> str:
    """The canonical organization name a relationship name resolved to."""
    rows = con.execute(
        f"""SELECT DISTINCT o.name FROM stg_relationships s
            JOIN org_names n ON n.name = s.{side}
            JOIN edges e ON e.{side}_id = n.org_id JOIN orgs o ON o.org_id = e.{side}_id
            WHERE s.{side} = ?""",
        [name_in_edges],
    ).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


def test_names_resolve_by_uei_cage_normalized_name_and_alias(tmp_path, con):
    orgs = write_csv(
        tmp_path / "organizations.csv",
        ORG_HEADER,
        [
            ["Anthropic, PBC", "model_provider", "", "", "US", "", "Claude Maker"],
            ["Northwind Analytics Inc.", "subcontractor", "NWA000000001", "7NW01", "US", "", ""],
            ["Big Prime Corporation", "prime", "", "1BP01", "US", "", ""],
        ],
    )
    rels = write_csv(
        tmp_path / "relationships.csv",
        REL_HEADER,
        [
            ["NWA000000001", "ANTHROPIC", "model_api", "Claude API", "", 100],
            ["1BP01", "Northwind Analytics", "saas", "Analytics", "", 200],
            ["Big Prime", "7NW01", "saas", "Dashboards", "", 300],
            ["Claude maker consumer", "claude maker", "model_api", "Claude API", "", 50],
        ],
    )
    load_files(con, [orgs, rels])
    assert org_of(con, "NWA000000001", "buyer") == "Northwind Analytics Inc."  # by UEI
    assert org_of(con, "1BP01", "buyer") == "Big Prime Corporation"  # by CAGE
    assert org_of(con, "7NW01") == "Northwind Analytics Inc."  # by CAGE
    assert org_of(con, "ANTHROPIC") == "Anthropic, PBC"  # by normalized name
    assert org_of(con, "Northwind Analytics") == "Northwind Analytics Inc."  # suffix dropped
    assert org_of(con, "Big Prime", "buyer") == "Big Prime Corporation"
    assert org_of(con, "claude maker") == "Anthropic, PBC"  # by alias
    names = {row[0] for row in con.execute("SELECT name FROM orgs").fetchall()}
    assert names == {
        "Anthropic, PBC",
        "Northwind Analytics Inc.",
        "Big Prime Corporation",
        "Claude maker consumer",
    }


def test_near_miss_is_reported_not_merged(tmp_path, con):
    orgs = write_csv(
        tmp_path / "organizations.csv",
        ORG_HEADER,
        [["Northwind Analytics Inc.", "subcontractor", "", "", "", "", ""]],
    )
    rels = write_csv(
        tmp_path / "relationships.csv",
        REL_HEADER,
        [["Big Prime", "Northwind Analytic", "saas", "", "", 1]],
    )
    load_files(con, [orgs, rels])
    names = {row[0] for row in con.execute("SELECT name FROM orgs").fetchall()}
    assert {"Northwind Analytics Inc.", "Northwind Analytic"} <= names
    fuzzy = con.execute(
        "SELECT name, candidate, score, source_file, row FROM dq_issues WHERE issue = 'fuzzy_candidate'"
    ).fetchall()
    assert len(fuzzy) == 1
    name, candidate, score, source_file, row = fuzzy[0]
    assert {name, candidate} == {"Northwind Analytic", "Northwind Analytics Inc."}
    assert score >= 88
    assert source_file == "relationships.csv" and row == 2


def test_same_dependency_from_two_sources_is_one_edge_newest_value_wins(tmp_path, con):
    first = write_csv(tmp_path / "a.csv", REL_HEADER, [["Prime", "Vendor", "saas", "X", "", 100]])
    second = write_csv(
        tmp_path / "b.csv", REL_HEADER, [["PRIME", "vendor inc", "saas", "x", "", 250]]
    )
    load_files(con, [first])
    load_files(con, [second])
    edges = con.execute("SELECT annual_value_usd, n_sources FROM edges").fetchall()
    assert edges == [(250.0, 2)]
    evidence = con.execute(
        "SELECT source_file, row, other_sources, other_evidence FROM edge_evidence"
    ).fetchall()
    assert evidence == [("a.csv", 2, 1, "b.csv row 2")]


def test_uei_conflict_and_parent_are_recorded(tmp_path, con):
    orgs = write_csv(
        tmp_path / "organizations.csv",
        ORG_HEADER,
        [
            ["Alpha Systems", "prime", "ALPHA0000001", "", "", "", ""],
            ["Alpha Sys Holdings", "prime", "ALPHA0000001", "", "", "", ""],
            ["Alpha Labs", "subcontractor", "", "", "", "Alpha Systems", ""],
        ],
    )
    load_files(con, [orgs])
    rows = con.execute("SELECT name FROM orgs ORDER BY name").fetchall()
    assert rows == [("Alpha Labs",), ("Alpha Systems",)]  # one UEI, one organization
    assert con.execute(
        "SELECT count(*) FROM dq_issues WHERE issue = 'uei_conflict'"
    ).fetchall() == [(1,)]
    parent = con.execute(
        "SELECT p.name FROM orgs c JOIN orgs p ON p.org_id = c.parent_id WHERE c.name = 'Alpha Labs'"
    ).fetchall()
    assert parent == [("Alpha Systems",)]


def test_seed_aliases_link_common_names(tmp_path, con):
    rels = write_csv(
        tmp_path / "relationships.csv",
        REL_HEADER,
        [
            ["Sub One", "AWS", "cloud_hosting", "Amazon EC2", "", 10],
            ["Sub Two", "Amazon Web Services", "model_api", "Amazon Bedrock", "", 20],
        ],
    )
    load_files(con, [rels])
    suppliers = con.execute("SELECT count(DISTINCT supplier_id) FROM edges").fetchall()
    assert suppliers == [(1,)]


def test_kind_is_inferred_for_undeclared_organizations(tmp_path, con):
    rels = write_csv(
        tmp_path / "relationships.csv",
        REL_HEADER,
        [
            ["Department of Defense", "Prime Co", "prime_contract", "", "", 1],
            ["Prime Co", "Model Maker", "model_api", "API", "", 1],
            ["Prime Co", "Host Co", "cloud_hosting", "compute", "", 1],
        ],
    )
    load_files(con, [rels])
    kinds = dict(con.execute("SELECT name, kind FROM orgs").fetchall())
    assert kinds == {
        "Department of Defense": "agency",
        "Prime Co": "prime",
        "Model Maker": "model_provider",
        "Host Co": "cloud_host",
    }
    sources = {row[0] for row in con.execute("SELECT kind_source FROM orgs").fetchall()}
    assert sources == {"inferred"}


def test_vendor_list_with_buyer_and_provenance(tmp_path, con):
    vendors = write_csv(
        tmp_path / "vendors.csv",
        ["Vendor Name", "Item / Service", "Annual Spend", "Essential", "DoD Use"],
        [
            ["Model Maker", "Model API", "$1,250,000", "Yes", "Y"],
            ["Chip Co", "Radar chips", "75k", "no", "N"],
        ],
    )
    report = load_files(con, [vendors], LoadOptions(buyer="Big Prime"))
    assert report.rows == 2
    rows = con.execute(
        "SELECT buyer, supplier, product, annual_value_usd, essential, dod_use, relation, "
        "_source_file, _sheet, _row, length(_sha256), _loaded_at IS NOT NULL "
        "FROM stg_relationships ORDER BY _row"
    ).fetchall()
    assert rows == [
        (
            "Big Prime",
            "Model Maker",
            "Model API",
            1_250_000.0,
            True,
            True,
            "other",
            "vendors.csv",
            None,
            2,
            64,
            True,
        ),
        (
            "Big Prime",
            "Chip Co",
            "Radar chips",
            75_000.0,
            False,
            False,
            "other",
            "vendors.csv",
            None,
            3,
            64,
            True,
        ),
    ]


def test_fast_single_load_edges_equal_the_general_merge(tmp_path, con):
    from exposure.warehouse.resolve import rebuild_model

    rows = [
        [f"Buyer {i % 7}", f"Supplier {i % 11}", "saas", f"Product {i}", "", i * 10]
        for i in range(60)
    ]
    load_files(con, [write_csv(tmp_path / "relationships.csv", REL_HEADER, rows)])
    query = "SELECT * FROM edges ORDER BY edge_id"
    fast = con.execute(query).fetchall()
    rebuild_model(con, always_merge=True)
    assert con.execute(query).fetchall() == fast
    assert len(fast) == 60


def test_edges_key_and_store_products_trimmed_and_collapsed_whatever_staged_them(tmp_path, con):
    """SPEC 4.1 in the model itself: rows staged with untidy products (an older version, an
    adapter) are one edge with the clean spelling, and their evidence still joins."""
    from exposure.warehouse.resolve import rebuild_model

    first = write_csv(
        tmp_path / "a.csv", REL_HEADER, [["Prime", "Vendor", "saas", "Model Garden", "Atlas", 1]]
    )
    second = write_csv(
        tmp_path / "b.csv", REL_HEADER, [["Prime", "Vendor", "saas", "model garden", "atlas", 2]]
    )
    load_files(con, [first])
    load_files(con, [second])
    # As a path that did not clean its text would have staged them.
    con.execute(
        "UPDATE stg_relationships SET product = ' Model \t  Garden\u00a0', used_in = 'Atlas  ' "
        "WHERE _source_file = 'b.csv'"
    )
    rebuild_model(con)
    assert con.execute("SELECT product, used_in, n_sources FROM edges").fetchall() == [
        ("Model Garden", "Atlas", 2)
    ]
    assert con.execute(
        "SELECT source_file, row, other_sources, other_evidence FROM edge_evidence"
    ).fetchall() == [("a.csv", 2, 1, "b.csv row 2")]


def test_a_single_load_stores_products_clean_too(tmp_path, con):
    """The fast path (one load, nothing to merge) stores the same clean text."""
    from exposure.warehouse.resolve import rebuild_model

    load_files(
        con,
        [write_csv(tmp_path / "a.csv", REL_HEADER, [["Prime", "Vendor", "saas", "X", "Y", 1]])],
    )
    con.execute("UPDATE stg_relationships SET product = '  Model  Garden ', used_in = ' Atlas'")
    for always_merge in (False, True):
        rebuild_model(con, always_merge=always_merge)
        assert con.execute("SELECT product, used_in FROM edges").fetchall() == [
            ("Model Garden", "Atlas")
        ]
        assert con.execute("SELECT count(*) FROM edge_evidence").fetchall() == [(1,)]
