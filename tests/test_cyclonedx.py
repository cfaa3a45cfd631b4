"""CycloneDX JSON SBOMs (SPEC 3.3): hosted model services and machine-learning model
components become model_api / saas edges from their provider to the buyer; the dependency
data is checked strictly (offline, without a JSON Schema validator), the rest of the schema
gives warnings; bad files are refused with the JSON pointer or line and nothing stored.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from conftest import DATA, load, rows, run_cli, snapshot

from exposure import LoadError, connect
from exposure.ingest.adapters.cyclonedx_check import check_document

PUBLIC = DATA / "public"
SBOM = PUBLIC / "sbom.json"
BUYER = "Northwind Analytics LLC"


def test_services_and_models_become_edges_to_the_buyer(db_path: Path) -> None:
    report = load(db_path, SBOM, buyer=BUYER)
    assert [(s.kind, s.rows) for s in report.loaded] == [("cyclonedx: relationships", 4)]
    edges = rows(
        db_path,
        "SELECT s.name, b.name, e.relation, e.product, e.used_in FROM edges e "
        "JOIN orgs s ON s.org_id = e.supplier_id JOIN orgs b ON b.org_id = e.buyer_id ORDER BY 1",
    )
    assert edges == [
        # A machine-learning-model component: its supplier.
        ("Anthropic, PBC", BUYER, "model_api", "Claude Sonnet", "Northwind Insight"),
        # A plain service: saas.
        ("Helpdesk Co", BUYER, "saas", "Ticket Desk", "Northwind Insight"),
        # A model component with a manufacturer and no supplier.
        ("Quill Data Services", BUYER, "model_api", "in-house-ranker", "Northwind Insight"),
        # A hosted model: the service depends on the ML component, so it is a model API.
        ("Sentinel Gov Cloud", BUYER, "model_api", "Model Garden", "Northwind Insight"),
    ]
    notes = " ".join(report.notes)
    assert "/services/2" in notes and "no provider name" in notes
    assert "/components/2" in notes and "no supplier or manufacturer" in notes
    evidence = rows(
        db_path,
        "SELECT supplier, _row, notes FROM stg_relationships ORDER BY _row",
    )
    assert evidence[0][0] == "Sentinel Gov Cloud" and "/services/0" in evidence[0][2]
    assert "bom-ref svc-hosted-model" in evidence[0][2]


def test_buyer_providing_its_own_service_is_skipped(db_path: Path) -> None:
    report = load(db_path, SBOM, buyer="Quill Data Services Inc.")
    assert any("provided by the buyer itself" in note for note in report.notes)
    assert rows(db_path, "SELECT count(*) FROM edges") == [(3,)]
    assert rows(db_path, "SELECT count(*) FROM orgs WHERE name LIKE 'Quill%'") == [(1,)]


def test_detected_by_bom_format_through_the_cli(db_path: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "supplier-sbom.cdx"
    renamed.write_bytes(SBOM.read_bytes())
    code, output = run_cli("--db", db_path, "load", renamed, "--buyer", BUYER)
    assert code == 0, output
    assert "cyclonedx: relationships rows" in output
    code, output = run_cli("--db", db_path, "load", SBOM, "--kind", "cyclonedx", "--buyer", BUYER)
    assert code == 0 and "already loaded" in output


def test_checking_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SPDX licence ids come from the shipped schema files; a licence id that is not an
    SPDX one is a warning (a finding with its pointer), not a refusal."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    document = json.loads(SBOM.read_text(encoding="utf-8"))
    assert check_document(document, "sbom.json") == ([], [])
    document["components"][3]["licenses"] = [{"license": {"id": "NOT-AN-SPDX-ID"}}]
    problems, [finding] = check_document(document, "sbom.json")
    assert problems == [] and finding.check == "spdx_id"
    assert finding.pointers == ("/components/3/licenses/0/license/id",)
    assert "'NOT-AN-SPDX-ID' is not an SPDX licence id" in finding.message
    document["components"][3]["licenses"] = [{"license": {"id": "MIT"}}]
    document["signature"] = {"algorithm": "ES256", "value": "abc"}
    assert check_document(document, "sbom.json") == ([], [])


def refused(db_path: Path, path: Path, **options: object) -> list:
    load(db_path, SBOM, buyer=BUYER)
    before = snapshot(db_path)
    with pytest.raises(LoadError) as info:
        load(db_path, path, **options)
    assert snapshot(db_path) == before
    args = [str(path)] + [f"--{k}={v}" for k, v in options.items()]
    code, output = run_cli("--db", db_path, "load", *args)
    assert code != 0 and "nothing was loaded" in output
    assert snapshot(db_path) == before
    return info.value.problems


def test_malformed_json_is_refused_with_its_line(db_path: Path) -> None:
    problems = refused(db_path, PUBLIC / "sbom_malformed.json", buyer=BUYER)
    assert len(problems) == 1
    assert problems[0].file == "sbom_malformed.json" and problems[0].row == 7
    assert "malformed JSON at line 7" in problems[0].message


def test_deeply_nested_json_is_refused_not_a_crash(db_path: Path, tmp_path: Path) -> None:
    """B9: 200,000 nested arrays overflowed the parser (RecursionError); now a LoadError
    naming the file, line and column, with the database unchanged (CLI too)."""
    from exposure.ingest.adapters.cyclonedx_json import MAX_DEPTH

    path = tmp_path / "deep.json"
    path.write_text('{"bomFormat": "CycloneDX", "x":\n' + "[" * 200_000 + "]" * 200_000 + "}")
    problems = refused(db_path, path, buyer=BUYER)
    assert len(problems) == 1 and problems[0].file == "deep.json"
    # The object is level 1; the first array past the limit is on line 2.
    assert f"more than {MAX_DEPTH}" in problems[0].message
    assert f"at line 2, column {MAX_DEPTH}" in problems[0].message and problems[0].row == 2


def test_json_python_will_not_read_is_a_load_error(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge_number.json"
    path.write_text('{"bomFormat": "CycloneDX", "version": ' + "9" * 5000 + "}")
    problems = refused(db_path, path, buyer=BUYER)
    assert len(problems) == 1 and problems[0].file == "huge_number.json"
    assert "cannot be read" in problems[0].message and "4300 digits" in problems[0].message


def _nested_components(levels: int) -> dict:
    document = json.loads(SBOM.read_text(encoding="utf-8"))
    component = {"type": "library", "name": "leaf"}
    for level in range(levels):
        component = {"type": "library", "name": f"part {level}", "components": [component]}
    document["components"].append(component)
    return document


def test_a_parsable_sbom_nested_past_the_limit_is_refused_before_validation(
    db_path: Path, tmp_path: Path
) -> None:
    from exposure.ingest.adapters.cyclonedx_json import MAX_DEPTH

    path = tmp_path / "nested.json"
    path.write_text(json.dumps(_nested_components(MAX_DEPTH), indent=1), encoding="utf-8")
    problems = refused(db_path, path, buyer=BUYER)
    assert len(problems) == 1 and "at line " in problems[0].message
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[problems[0].row - 1].strip() in ("[", "{")
    # Within the limit the same structure loads (its library components are not edges).
    within = tmp_path / "within.json"
    within.write_text(json.dumps(_nested_components(20)), encoding="utf-8")
    assert load(db_path, within, buyer=BUYER).loaded


def test_nothing_recurses_past_the_limit(db_path: Path, tmp_path: Path, monkeypatch) -> None:
    """With the depth limit lifted, 300 nested components (600 JSON levels) are read without
    recursion: no RecursionError, the file loads."""
    import exposure.ingest.adapters.cyclonedx_json as cyclonedx_json

    monkeypatch.setattr(cyclonedx_json, "MAX_DEPTH", 100_000)
    path = tmp_path / "nested.json"
    path.write_text(json.dumps(_nested_components(300)), encoding="utf-8")
    report = load(db_path, path, buyer=BUYER)
    assert [(s.kind, s.rows) for s in report.loaded] == [("cyclonedx: relationships", 4)]


def test_schema_failure_names_each_json_pointer(db_path: Path) -> None:
    problems = refused(db_path, PUBLIC / "sbom_schema_fail.json", buyer=BUYER)
    assert {p.column for p in problems} == {"/components/0/type", "/services/0/provider/name"}
    assert all(p.message.startswith("CycloneDX 1.6: ") for p in problems)
    assert "component type 'ml-model' is not one CycloneDX defines" in problems[0].message


def test_missing_buyer_is_refused(db_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "other.json"
    copy.write_text(SBOM.read_text(encoding="utf-8").replace("4.2", "4.3"), encoding="utf-8")
    problems = refused(db_path, copy)
    assert '--buyer "Company Name"' in problems[0].message
    assert "Northwind Analytics LLC" in problems[0].message


def test_json_that_is_not_an_sbom_and_unsupported_versions(db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "config.json"
    other.write_text('{"name": "x"}', encoding="utf-8")
    problems = refused(db_path, other, buyer=BUYER)
    assert problems[0].column == "/bomFormat"
    old = tmp_path / "old.json"
    old.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.1"}', encoding="utf-8")
    problems = refused(db_path, old, buyer=BUYER)
    assert (
        problems[0].column == "/specVersion"
        and "1.2, 1.3, 1.4, 1.5, 1.6, 1.7" in problems[0].message
    )


def test_formula_provider_is_refused(db_path: Path, tmp_path: Path) -> None:
    document = json.loads(SBOM.read_text(encoding="utf-8"))
    document["services"][1]["provider"]["name"] = "=cmd|' /C calc'!A0"
    path = tmp_path / "formula.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    problems = refused(db_path, path, buyer=BUYER)
    assert [(p.column, p.value) for p in problems] == [("/services/1", "=cmd|' /C calc'!A0")]


def test_explicit_relation_property_wins(db_path: Path, tmp_path: Path) -> None:
    document = json.loads(SBOM.read_text(encoding="utf-8"))
    document["services"][1]["properties"] = [
        {"name": "exposure:relation", "value": "cloud_hosting"}
    ]
    path = tmp_path / "props.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    load(db_path, path, buyer=BUYER)
    assert rows(
        db_path,
        "SELECT relation FROM stg_relationships WHERE supplier = 'Helpdesk Co'",
    ) == [("cloud_hosting",)]


def test_sbom_text_is_cleaned_like_a_sheet_and_matches_csv_products(
    db_path: Path, tmp_path: Path
) -> None:
    """SPEC 4.1: products and used_in match with white space trimmed and collapsed. The
    SBOM's own product " Northwind  Insight " is the product a CSV customer buys; a second
    SBOM naming a service " Model \u00a0 Garden" restates the existing "Model Garden" edge."""
    from exposure import assess as assess_scenario
    from exposure.model.scenario import ScenarioSpec

    document = json.loads(SBOM.read_text(encoding="utf-8"))
    document["metadata"]["component"]["name"] = " Northwind  Insight "
    first = tmp_path / "sbom_v1.json"
    first.write_text(json.dumps(document), encoding="utf-8")
    document["services"][0]["name"] = " Model \u00a0 Garden"
    document["services"][0]["provider"]["name"] = "Sentinel  Gov Cloud\t"
    document["version"] = 2
    second = tmp_path / "sbom_v2.json"
    second.write_text(json.dumps(document), encoding="utf-8")
    customers = tmp_path / "relationships.csv"
    customers.write_text(
        f"buyer,supplier,relation,product\nMeridian Aerospace,{BUYER},saas,Northwind Insight\n",
        encoding="utf-8",
    )
    load(db_path, first, buyer=f"  {BUYER} ")
    load(db_path, second, buyer=BUYER)
    load(db_path, customers)
    staged = rows(
        db_path,
        "SELECT DISTINCT buyer, supplier, product, used_in FROM stg_relationships "
        "WHERE _source_file LIKE 'sbom%' AND product LIKE '%Garden%'",
    )
    assert staged == [(BUYER, "Sentinel Gov Cloud", "Model Garden", "Northwind Insight")]
    assert rows(
        db_path,
        "SELECT e.product, e.used_in, e.n_sources FROM edges e "
        "JOIN orgs s ON s.org_id = e.supplier_id WHERE s.name = 'Sentinel Gov Cloud'",
    ) == [("Model Garden", "Northwind Insight", 2)]
    con = connect(db_path)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Sentinel Gov Cloud",)))
    finally:
        con.close()
    meridian = list(run.graph.names).index("Meridian Aerospace")
    assert run.result.tier[meridian] == 2  # through Northwind's "Northwind Insight"
