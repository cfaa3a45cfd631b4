"""Hostile SBOMs: reading bounded in time and memory whatever the content (no IRI grammar
per endpoint, caps on string length and array length with clear messages), and a key given
twice in one object refused with the key and its line. Every refused load leaves the database
as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import rows, snapshot

from exposure import LoadError, LoadOptions, connect, load_files
from exposure.ingest.adapters.cyclonedx_json import MAX_ITEMS, MAX_STRING, parse_document


def _document(services: list[dict]) -> dict:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "application", "name": "app"}},
        "services": services,
    }


def _service(index: int, endpoint: str = "https://api.example.com/v1") -> dict:
    return {
        "name": f"service {index}",
        "provider": {"name": f"Provider {index % 50}"},
        "endpoints": [endpoint],
    }


def _load(db: Path, path: Path) -> None:
    con = connect(db)
    try:
        load_files(con, [path], LoadOptions(buyer="Prime A"))
    finally:
        con.close()


def _refused(db: Path, path: Path) -> LoadError:
    before = snapshot(db)
    with pytest.raises(LoadError) as caught:
        _load(db, path)
    assert snapshot(db) == before
    return caught.value


def test_an_endpoint_over_the_string_cap_is_refused_with_its_pointer(tmp_path, loaded_db):
    path = tmp_path / "long.cdx.json"
    path.write_text(json.dumps(_document([_service(0, "https://x/" + "a" * 100_000)])))
    error = _refused(loaded_db, path)
    [problem] = error.problems
    assert problem.column == "/services/0/endpoints/0"
    assert f"over the limit of {MAX_STRING:,}" in problem.message


def test_a_long_endpoint_within_the_cap_loads_without_the_iri_grammar(tmp_path, loaded_db):
    path = tmp_path / "near.cdx.json"
    endpoint = "https://api.example.com/" + "a%" * ((MAX_STRING - 30) // 2)
    path.write_text(json.dumps(_document([_service(0, endpoint)])))
    _load(loaded_db, path)
    [(count,)] = rows(
        loaded_db, "SELECT count(*) FROM stg_relationships WHERE _source_file = 'near.cdx.json'"
    )
    assert count == 1


def test_twenty_thousand_services_load(tmp_path, loaded_db):
    path = tmp_path / "many.cdx.json"
    path.write_text(json.dumps(_document([_service(i) for i in range(20_000)])))
    _load(loaded_db, path)
    [(count,)] = rows(
        loaded_db, "SELECT count(*) FROM stg_relationships WHERE _source_file = 'many.cdx.json'"
    )
    assert count == 20_000


def test_an_endpoint_with_white_space_is_a_schema_finding(tmp_path):
    from exposure.ingest.adapters.cyclonedx_check import check_document

    document = _document([_service(0, "not an iri"), _service(1, "https://ok.example/${x}")])
    problems, findings = check_document(document, "x.json")
    assert problems == []
    assert sorted((f.message, f.pointers) for f in findings) == [
        (
            "a URL with an unresolved build variable '${...}' (as Maven leaves them)",
            ("/services/1/endpoints/0",),
        ),
        ("a URL with white space in it", ("/services/0/endpoints/0",)),
    ]


def test_an_array_over_the_entry_cap_is_refused(tmp_path):
    path = tmp_path / "huge.cdx.json"
    path.write_text(json.dumps(_document([{}] * (MAX_ITEMS + 1))))
    with pytest.raises(LoadError) as caught:
        parse_document(path, path.name)
    [problem] = caught.value.problems
    assert problem.column == "/services" and f"{MAX_ITEMS + 1:,} entries" in problem.message


def test_a_duplicated_key_is_refused_with_the_key_and_its_line(tmp_path, loaded_db):
    first = json.dumps([_service(1)])
    second = json.dumps([_service(2)])
    text = (
        '{\n"bomFormat": "CycloneDX",\n"specVersion": "1.6",\n'
        f'"services": {first},\n"metadata": {{"component": {{"type": "application", "name": "app"}}}},\n'
        f'"services": {second}\n}}\n'
    )
    path = tmp_path / "dup.cdx.json"
    path.write_text(text)
    error = _refused(loaded_db, path)
    [problem] = error.problems
    assert problem.value == "services" and problem.row == 6
    assert "'services' is given twice in one object (line 6)" in problem.message


def test_the_same_key_in_different_objects_is_fine(tmp_path):
    path = tmp_path / "ok.cdx.json"
    path.write_text(json.dumps(_document([_service(1), _service(2)])))
    document = parse_document(path, path.name)
    assert [s["name"] for s in document["services"]] == ["service 1", "service 2"]
