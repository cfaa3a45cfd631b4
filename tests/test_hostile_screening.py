"""Hostile screening lists: a date that does not parse refuses the list (never read as "no
end", which would report an ended exclusion as active), control characters refuse it, format
characters are removed with a note, and a look-alike listed name is still a candidate."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from conftest import snapshot

from exposure import LoadError, connect, load_files
from exposure.screening.lists import read_list
from exposure.screening.matching import screen

HEADER = [
    "Classification",
    "Name",
    "First",
    "Last",
    "Unique Entity ID",
    "CAGE",
    "Excluding Agency",
    "Exclusion Type",
    "Active Date",
    "Termination Date",
    "Cross-Reference",
]


def _list(path: Path, *records: dict[str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for record in records:
            writer.writerow([record.get(h, "") for h in HEADER])
    return path


def _firm(name: str, **cells: str) -> dict[str, str]:
    return {
        "Classification": "Firm",
        "Name": name,
        "Excluding Agency": "GSA",
        "Exclusion Type": "Ineligible (Proceedings Completed)",
        "Active Date": "01/15/2019",
        **cells,
    }


@pytest.fixture
def network(tmp_path: Path) -> Path:
    orgs = tmp_path / "organizations.csv"
    orgs.write_text("name,kind\nAnthropic,model_provider\nMeridian Aerospace,prime\n")
    rels = tmp_path / "relationships.csv"
    rels.write_text("buyer,supplier,relation\nMeridian Aerospace,Anthropic,model_api\n")
    db = tmp_path / "net.duckdb"
    con = connect(db)
    try:
        load_files(con, [orgs, rels])
    finally:
        con.close()
    return db


@pytest.mark.parametrize("value", ["31/12/2020", "2020.12.31", "soon", "02/30/2021"])
@pytest.mark.parametrize("column", ["Termination Date", "Active Date"])
def test_a_date_that_does_not_parse_refuses_the_list(tmp_path, network, value, column):
    path = _list(
        tmp_path / "list.csv",
        _firm("Acme Widgets", **{"Termination Date": "Indefinite"}),
        _firm("Anthropic", **{column: value}),
    )
    with pytest.raises(LoadError) as caught:
        read_list(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "list.csv",
        3,
        column,
        value,
    )
    before = snapshot(network)
    con = connect(network)
    try:
        with pytest.raises(LoadError):
            screen(con, path, as_of=date(2026, 3, 1))
    finally:
        con.close()
    assert snapshot(network) == before


@pytest.mark.parametrize("termination", ["", "Indefinite", "INDEFINITE"])
def test_indefinite_or_blank_stays_indefinite(tmp_path, termination):
    path = _list(tmp_path / "list.csv", _firm("Acme", **{"Termination Date": termination}))
    [record] = read_list(path).records.to_dict("records")
    assert record["termination_date"] is None


def test_a_parsed_termination_date_is_kept(tmp_path):
    path = _list(tmp_path / "list.csv", _firm("Acme", **{"Termination Date": "12/31/2020"}))
    [record] = read_list(path).records.to_dict("records")
    assert record["termination_date"] == date(2020, 12, 31)


def test_a_control_character_refuses_the_list_with_row_and_column(tmp_path):
    path = _list(tmp_path / "list.csv", _firm("Acme"), _firm("Evil\x1bCorp"))
    with pytest.raises(LoadError) as caught:
        read_list(path)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, "Name")
    assert "U+001B" in problem.message


def test_format_characters_are_removed_with_a_note(tmp_path):
    path = _list(tmp_path / "list.csv", _firm("Acme"), _firm("Anth\u200bropic\u202e"))
    listed = read_list(path)
    assert listed.records["listed_name"].tolist() == ["Acme", "Anthropic"]
    assert any("row 3, column 'Name'" in note and "U+200B" in note for note in listed.notes)


def test_a_lookalike_listed_name_matches_the_organization(tmp_path, network):
    path = _list(tmp_path / "list.csv", _firm("\u0410nthropic, PBC"))
    con = connect(network)
    try:
        result = screen(con, path, as_of=date(2026, 3, 1))
    finally:
        con.close()
    matched = result.matches[result.matches["org_name"] == "Anthropic"]
    assert not matched.empty
    assert set(matched["match"]) <= {"name", "fuzzy"}
