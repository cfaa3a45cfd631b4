"""Screening an auditor would sign (issue 13, point 5): a name alone confirms a match only when
it keeps two distinctive words or the full legal names agree; inverted articles and leading
legal forms are normalized; a listed company's subsidiaries are possible affiliates.

Small generated lists in the FASCSA orders layout, screened against small networks on disk,
through the library and the command line.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli

from exposure import connect, load_files
from exposure.core.names import distinctive_words, legal_name, normalize_name
from exposure.screening.matching import screen
from exposure.warehouse.scenarios import load_spec

AS_OF = date(2026, 3, 1)
FASCSA_HEADER = [
    "Classification",
    "Name",
    "Prefix",
    "First",
    "Middle",
    "Last",
    "Suffix",
    "Address 1",
    "Address 2",
    "City",
    "State / Province",
    "Country",
    "Zip Code",
    "Unique Entity ID",
    "CAGE",
    "Excluding Agency",
    "Additional Comments",
    "Active Date",
    "Termination Date",
    "Creation Date",
    "Update Date",
    "Exclusion Type",
    "FASCSA Order Flag",
]


def fascsa_list(path: Path, *records: tuple[str, str, str]) -> Path:
    """A FASCSA orders file: one (classification, name, UEI) per record, in force."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(FASCSA_HEADER)
        for classification, name, uei in records:
            row = dict.fromkeys(FASCSA_HEADER, "")
            row.update(
                {
                    "Classification": classification,
                    "Name": name,
                    "Country": "USA",
                    "Unique Entity ID": uei,
                    "Excluding Agency": "DOD",
                    "Active Date": "10/30/2023",
                    "Termination Date": "Indefinite",
                    "Exclusion Type": "Prohibition/Restriction",
                    "FASCSA Order Flag": "Y",
                }
            )
            writer.writerow([row[h] for h in FASCSA_HEADER])
    return path


def network(folder: Path, organizations: str, relationships: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    orgs, rels = folder / "organizations.csv", folder / "relationships.csv"
    orgs.write_text(organizations, encoding="utf-8")
    rels.write_text(relationships, encoding="utf-8")
    db = folder / "net.duckdb"
    con = connect(db)
    try:
        load_files(con, [orgs, rels])
    finally:
        con.close()
    return db


def matches_of(db: Path, listing: Path) -> list[dict]:
    con = connect(db)
    try:
        return screen(con, listing, as_of=AS_OF).matches.to_dict("records")
    finally:
        con.close()


def only(matches: list[dict], org: str) -> dict:
    found = [m for m in matches if m["org_name"] == org]
    assert len(found) == 1, (org, found)
    return found[0]


APPLE_ORGS = """name,kind,uei,country
Apple Inc.,supplier,,USA
Foxtrot Research Corporation,supplier,J27QHBBBL1V3,USA
Huawei Technologies Co. Ltd.,supplier,,CHN
Meridian Aerospace,prime,MRDNAERO1234,USA
"""
APPLE_RELS = """buyer,supplier,relation,product
Meridian Aerospace,Apple Inc.,component,phones
Meridian Aerospace,Foxtrot Research Corporation,professional_services,research
Meridian Aerospace,Huawei Technologies Co. Ltd.,component,radios
"""


@pytest.fixture
def apple(tmp_path: Path) -> tuple[Path, Path]:
    db = network(tmp_path / "apple", APPLE_ORGS, APPLE_RELS)
    listing = fascsa_list(
        tmp_path / "FASCSAOrders.csv",
        ("Special Entity Designation", "APPLE CO", "SDYRXUJT7XA5"),
        ("Firm", "FOXTROT RESEARCH CORP", "J27QHBBBL1V3"),
        ("Firm", "HUAWEI TECHNOLOGIES COMPANY", ""),
    )
    return db, listing


def test_words_and_legal_names() -> None:
    assert distinctive_words(normalize_name("Apple Inc.")) == ["apple"]
    assert distinctive_words(normalize_name("Huawei Technologies Co., Ltd.")) == [
        "huawei",
        "technologies",
    ]
    assert distinctive_words("acme holdings group") == ["acme"]
    assert legal_name("Apple Inc.") == "apple incorporated" != legal_name("APPLE CO")
    assert legal_name("Apple Company") == legal_name("APPLE CO") == legal_name("Apple Co.")
    assert legal_name("Acme, L.L.C.") == legal_name("ACME LLC")


def test_apple_inc_is_a_candidate_never_confirmed_by_apple_co(apple) -> None:
    db, listing = apple
    matches = matches_of(db, listing)
    found = only(matches, "Apple Inc.")
    assert (found["match"], found["confirmed"], found["listed_name"]) == ("name", False, "APPLE CO")
    assert "only one distinctive word ('apple')" in found["reason"]
    assert "full legal names differ" in found["reason"]
    # Two distinctive words: the name identifies the company without an identifier.
    huawei = only(matches, "Huawei Technologies Co. Ltd.")
    assert (huawei["match"], huawei["confirmed"]) == ("name", True)
    assert only(matches, "Foxtrot Research Corporation")["confirmed"]


def test_designate_confirmed_does_not_designate_apple_through_the_command_line(apple) -> None:
    db, listing = apple
    code, output = run_cli(
        "--db", db, "screen", listing, "--as-of", "2026-03-01",
        "--designate-confirmed", "fascsa-2026",
    )  # fmt: skip
    assert code == 0, output
    assert "2 confirmed (2 in force), 1 to review" in output
    assert "only one distinctive word" in output
    assert "Apple Inc. designated" not in output
    con = connect(db)
    try:
        designated = sorted(load_spec(con, "fascsa-2026").designated)
    finally:
        con.close()
    assert designated == ["Foxtrot Research Corporation", "Huawei Technologies Co. Ltd."]


def test_a_one_word_name_whose_legal_names_agree_is_confirmed(tmp_path: Path) -> None:
    db = network(
        tmp_path / "net",
        "name,kind\nApple Co.,supplier\nOrchard Fruit,supplier\nMeridian,prime\n",
        "buyer,supplier,relation\nMeridian,Apple Co.,component\nMeridian,Orchard Fruit,component\n",
    )
    listing = fascsa_list(tmp_path / "list.csv", ("Firm", "APPLE COMPANY", ""))
    found = only(matches_of(db, listing), "Apple Co.")
    assert found["confirmed"] and "full legal names agree" in found["reason"]
