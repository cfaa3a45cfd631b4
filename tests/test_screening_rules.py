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


# Inverted articles and leading legal forms ---------------------------------------------------

FORMS_ORGS = """name,kind
The Medicine Shoppe,supplier
Sberbank of Russia,supplier
Rosoboronexport,supplier
Kaspersky Lab,software_vendor
AO Smith,supplier
Smith Inc,supplier
Meridian Aerospace,prime
"""
FORMS_RELS = """buyer,supplier,relation
Meridian Aerospace,"MEDICINE SHOPPE, THE",component
Meridian Aerospace,JSC Sberbank of Russia,professional_services
Meridian Aerospace,Rosoboronexport,component
Meridian Aerospace,Kaspersky Lab,license
Meridian Aerospace,AO Smith,component
Meridian Aerospace,Smith Inc,component
"""


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("MEDICINE SHOPPE, THE", "The Medicine Shoppe"),
        ("Medicine Shoppe International, Inc., The", "The Medicine Shoppe International, Inc."),
        ("JSC SBERBANK OF RUSSIA", "Sberbank of Russia"),
        ("PJSC Sberbank of Russia", "Sberbank of Russia"),
        ("Public Joint Stock Company Sberbank of Russia", "Sberbank of Russia"),
        ("OJSC ROSOBORONEXPORT", "Rosoboronexport"),
        ("OOO Yandex LLC", "Yandex"),
        ("ZAO Kaspersky Lab", "Kaspersky Lab, AO"),
    ],
)
def test_inverted_articles_and_leading_forms_normalize_alike(given: str, expected: str) -> None:
    assert normalize_name(given) == normalize_name(expected)


def test_identity_keeps_leading_words_that_can_start_a_name() -> None:
    # "AO" is also A. O. Smith's initials and "Pao" a word of Pao de Acucar: identity keeps
    # them (a silent merge), screening drops them (where one word never confirms).
    assert normalize_name("AO Smith") == "ao smith" != normalize_name("Smith Inc")
    assert normalize_name("Pao de Acucar") == "pao de acucar"
    from exposure.core.names import screening_name

    assert screening_name("AO Kaspersky Lab") == screening_name("Kaspersky Lab") == "kaspersky lab"


def test_relationships_resolve_inverted_and_leading_forms_to_the_declared(tmp_path: Path) -> None:
    from exposure.warehouse.scenarios import resolve_org

    db = network(tmp_path / "forms", FORMS_ORGS, FORMS_RELS)
    con = connect(db)
    try:
        names = dict(con.execute("SELECT org_id, name FROM orgs").fetchall())
        assert names[resolve_org(con, "MEDICINE SHOPPE, THE")] == "The Medicine Shoppe"
        assert names[resolve_org(con, "JSC SBERBANK OF RUSSIA")] == "Sberbank of Russia"
        assert names[resolve_org(con, "OJSC ROSOBORONEXPORT")] == "Rosoboronexport"
        assert resolve_org(con, "AO Smith") != resolve_org(con, "Smith Inc")
        # Every relationship name resolved to a declared organization: none was created.
        assert con.execute("SELECT count(*) FROM orgs WHERE NOT declared").fetchone() == (0,)
    finally:
        con.close()


def test_screening_matches_inverted_articles_and_leading_forms_by_name(tmp_path: Path) -> None:
    db = network(tmp_path / "forms", FORMS_ORGS, FORMS_RELS)
    listing = fascsa_list(
        tmp_path / "list.csv",
        ("Firm", "MEDICINE SHOPPE, THE", ""),
        ("Special Entity Designation", "JSC SBERBANK OF RUSSIA", ""),
        ("Special Entity Designation", "OJSC ROSOBORONEXPORT", ""),
        ("Firm", "AO KASPERSKY LAB", ""),
    )
    matches = matches_of(db, listing)
    got = {m["org_name"]: (m["listed_name"], m["match"], m["confirmed"]) for m in matches}
    assert got["The Medicine Shoppe"] == ("MEDICINE SHOPPE, THE", "name", True)
    assert got["Sberbank of Russia"] == ("JSC SBERBANK OF RUSSIA", "name", True)
    assert got["Kaspersky Lab"] == ("AO KASPERSKY LAB", "name", True)
    # One word left ("rosoboronexport") and legal names that differ: found, for review (had
    # the data itself spelled it "OJSC ROSOBORONEXPORT", the legal names would agree).
    assert got["Rosoboronexport"] == ("OJSC ROSOBORONEXPORT", "name", False)
    assert (
        "only one distinctive word ('rosoboronexport')"
        in only(matches, "Rosoboronexport")["reason"]
    )
    assert not any(m["match"] == "fuzzy" for m in matches)


# Possible affiliates ---------------------------------------------------------------------

AFFILIATE_ORGS = """name,kind,uei,parent
ZTE USA Inc,supplier,,
ZTE Corporation,supplier,,
Zhongxing Telecom Equipment Holdings,supplier,ZTEHOLD00001,
Nanjing Radio Works,supplier,,Zhongxing Telecom Equipment Holdings
Nanjing Radio Service Co,supplier,,Nanjing Radio Works
Zeta Telecom,supplier,,
Global Services Inc,supplier,,
Sam Smith Consulting,supplier,,
Meridian Aerospace,prime,MRDNAERO1234,
"""
AFFILIATE_RELS = """buyer,supplier,relation
Meridian Aerospace,ZTE USA Inc,component
Meridian Aerospace,Nanjing Radio Service Co,component
Meridian Aerospace,Zeta Telecom,component
Meridian Aerospace,Global Services Inc,professional_services
Meridian Aerospace,Sam Smith Consulting,professional_services
"""


def test_subsidiaries_and_name_prefixes_are_possible_affiliates(tmp_path: Path) -> None:
    db = network(tmp_path / "zte", AFFILIATE_ORGS, AFFILIATE_RELS)
    listing = fascsa_list(
        tmp_path / "list.csv",
        ("Firm", "ZTE CORPORATION", ""),
        ("Special Entity Designation", "ZHONGXING TELECOM HOLDINGS", "ZTEHOLD00001"),
        ("Firm", "GLOBAL INC", ""),
        ("Individual", "SAM SMITH", ""),
    )
    matches = matches_of(db, listing)
    zte = only(matches, "ZTE USA Inc")
    assert (zte["match"], zte["confirmed"], zte["listed_name"]) == (
        "affiliate",
        False,
        "ZTE CORPORATION",
    )
    assert zte["reason"].startswith("possible affiliate: its name begins with the listed name")
    # The listed company itself is matched by name, not as its own affiliate.
    assert (
        only(matches, "ZTE Corporation")["match"],
        only(matches, "ZTE Corporation")["confirmed"],
    ) == ("name", True)
    # Owned through parent links (two levels) by an organization the list names by UEI.
    for child, owner in (
        ("Nanjing Radio Works", "Zhongxing Telecom Equipment Holdings"),
        ("Nanjing Radio Service Co", "Zhongxing Telecom Equipment Holdings"),
    ):
        found = only(matches, child)
        assert (found["match"], found["confirmed"]) == ("affiliate", False)
        assert found["listed_name"] == "ZHONGXING TELECOM HOLDINGS"
        assert f"owned (through parent links) by {owner}" in found["reason"]
    assert only(matches, "Zhongxing Telecom Equipment Holdings")["match"] == "uei"
    # No distinctive word in the listed name, a person, or a name that merely shares a prefix
    # of letters: no affiliate.
    assert [
        m
        for m in matches
        if m["org_name"] in ("Global Services Inc", "Sam Smith Consulting", "Zeta Telecom")
    ] == []


def test_a_common_word_listed_alone_gives_no_affiliates_but_says_so(tmp_path: Path) -> None:
    from exposure.screening.matching import AFFILIATE_LIMIT

    many = "".join(f"Union Widget {i},supplier\n" for i in range(AFFILIATE_LIMIT + 1))
    db = network(
        tmp_path / "common",
        "name,kind\n" + many + "ZTE USA Inc,supplier\nUnion Pacific Railroad,supplier\n",
        "buyer,supplier,relation\nUnion Widget 1,ZTE USA Inc,component\n",
    )
    listing = fascsa_list(
        tmp_path / "list.csv",
        ("Firm", "UNION, INC.", ""),
        ("Firm", "ZTE CORPORATION", ""),
        ("Firm", "UNION PACIFIC", ""),
    )
    con = connect(db)
    try:
        result = screen(con, listing, as_of=AS_OF)
    finally:
        con.close()
    affiliates = result.matches[result.matches["match"] == "affiliate"]
    # "union" begins 102 names: a common word. "union pacific" (two words) is not capped.
    assert sorted(zip(affiliates["org_name"], affiliates["listed_name"], strict=True)) == [
        ("Union Pacific Railroad", "UNION PACIFIC"),
        ("ZTE USA Inc", "ZTE CORPORATION"),
    ]
    assert any("(union)" in note and "common words" in note for note in result.notes)


def test_no_affiliate_through_an_owner_whose_identifiers_refute_the_match(tmp_path: Path) -> None:
    db = network(
        tmp_path / "lockheed",
        "name,kind,uei,parent\nLockheed Martin Corporation,supplier,LMCORP000001,\n"
        "Sikorsky Aircraft,supplier,,Lockheed Martin Corporation\n"
        "Meridian Aerospace,prime,MRDNAERO1234,\n",
        "buyer,supplier,relation\nMeridian Aerospace,Sikorsky Aircraft,component\n"
        "Meridian Aerospace,Lockheed Martin Corporation,component\n",
    )
    # Another UEI on the list: the name match is refuted, and so is any affiliate through it.
    other = fascsa_list(
        tmp_path / "other.csv", ("Firm", "LOCKHEED MARTIN CORPORATION", "AAAABBBBCCCC")
    )
    matches = matches_of(db, other)
    lockheed = only(matches, "Lockheed Martin Corporation")
    assert lockheed["reason"] == "same name but different UEIs: probably another entity"
    assert [m for m in matches if m["org_name"] == "Sikorsky Aircraft"] == []
    # No UEI on the list: nothing refutes the owner's match, and Sikorsky is a candidate.
    bare = fascsa_list(tmp_path / "bare.csv", ("Firm", "LOCKHEED MARTIN CORPORATION", ""))
    sikorsky = only(matches_of(db, bare), "Sikorsky Aircraft")
    assert sikorsky["match"] == "affiliate" and not sikorsky["confirmed"]
    assert "owned (through parent links) by Lockheed Martin Corporation" in sikorsky["reason"]
