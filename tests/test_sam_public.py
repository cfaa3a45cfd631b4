"""SAM.gov files as GSA publishes them (SPEC 3.3): ZIP archives read as the file they hold, for
``load`` and ``screen``, within the size and expansion limits; the Entity Management extract
(pipe-delimited ``.dat``, ``BOF PUBLIC`` header, ``!end`` terminators) loaded as organizations
with their identifiers and corporate families, and refused by ``screen`` as the registry it is.

The real files are read from ``<repository>/../shared/data/sam`` (never copied into the
project); the tests that need them are skipped, saying so, when that folder is absent. What the
tests expect of the entity extract is counted from the file itself, parsed here independently
of the adapter.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import load, rows, run_cli, snapshot

from exposure import LoadError, ReadLimits, connect, load_files
from exposure.ingest.readers import read_file
from exposure.screening.lists import read_list
from exposure.screening.matching import screen

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
EXCLUSIONS_CSV = SHARED / "SAM_Exclusions_Public_Extract_20049.CSV"
EXCLUSIONS_ZIP = SHARED / "sam" / "SAM_Exclusions_Public_Extract_20049.ZIP"
ENTITY_ZIP = SHARED / "sam" / "SAM_PUBLIC_MONTHLY_20140504.ZIP"
needs_exclusions = pytest.mark.skipif(
    not EXCLUSIONS_CSV.is_file() or not EXCLUSIONS_ZIP.is_file(),
    reason=f"the real SAM.gov exclusions extract (CSV and ZIP) is not in {SHARED}",
)
needs_entities = pytest.mark.skipif(
    not ENTITY_ZIP.is_file(),
    reason=f"the real SAM.gov entity extract sample is not in {SHARED / 'sam'}",
)
AS_OF = date(2026, 3, 1)


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


# -- ZIP archives ----------------------------------------------------------------------------


def _exclusion_network(tmp_path: Path) -> Path:
    """Organizations taken from firms of the real extract: by UEI, by CAGE, by name only."""
    with EXCLUSIONS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        firms = {
            r["Name"]: r
            for r in csv.DictReader(handle)
            if r["Classification"] == "Firm" and r["Name"]
        }
    records = list(firms.values())  # one record per name
    by_uei = [r for r in records if r["Unique Entity Identifier (SAM)"]][:4]
    by_cage = [r for r in records if r["CAGE"] and r not in by_uei][:3]
    by_name = [r for r in records if r not in by_uei and r not in by_cage][:3]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "uei", "cage"])
    for record in by_uei:
        writer.writerow([record["Name"].title(), record["Unique Entity Identifier (SAM)"], ""])
    for record in by_cage:
        writer.writerow([f"{record['Name']} Holdings", "", record["CAGE"]])
    for record in by_name:
        writer.writerow([record["Name"], "", ""])
    orgs = tmp_path / "organizations.csv"
    orgs.write_text(buffer.getvalue(), encoding="utf-8")
    db = tmp_path / "net.duckdb"
    con = connect(db)
    try:
        load_files(con, [orgs])
    finally:
        con.close()
    return db


@needs_exclusions
def test_the_published_exclusions_zip_screens_like_the_csv_it_holds(tmp_path: Path) -> None:
    db = _exclusion_network(tmp_path)
    con = connect(db)
    try:
        from_zip = screen(con, EXCLUSIONS_ZIP, as_of=AS_OF)
        from_csv = screen(con, EXCLUSIONS_CSV, as_of=AS_OF)
    finally:
        con.close()
    assert len(from_zip.matches) >= 10  # the premise: each kind of match is there
    assert {"uei", "cage", "name"} <= set(from_zip.matches["match"])
    provenance = ["list_file", "list_sha256"]
    assert from_zip.matches.drop(columns=provenance).equals(
        from_csv.matches.drop(columns=provenance)
    )
    assert set(from_zip.matches["list_file"]) == {EXCLUSIONS_ZIP.name}
    # The SHA-256 is the ZIP's, the file given.
    import hashlib

    assert set(from_zip.matches["list_sha256"]) == {
        hashlib.sha256(EXCLUSIONS_ZIP.read_bytes()).hexdigest()
    }
    assert any(EXCLUSIONS_CSV.name in note for note in from_zip.listed.notes)
    # The command line too (it failed with "try --encoding cp1252" before).
    code, output = run_cli("--db", db, "screen", EXCLUSIONS_ZIP, "--as-of", "2026-03-01")
    assert code == 0, output
    assert "cp1252" not in output


@needs_exclusions
def test_a_wrong_encoding_hint_is_never_repeated(tmp_path: Path) -> None:
    """Bytes that are not text are called so; an encoding that was tried is not suggested."""
    blob = tmp_path / "list.csv"
    blob.write_bytes(EXCLUSIONS_ZIP.read_bytes()[:4096].replace(b"PK", b"XX"))
    with pytest.raises(LoadError) as info:
        read_list(blob)
    assert "binary data" in info.value.problems[0].message
    latin = tmp_path / "latin.csv"
    latin.write_bytes(EXCLUSIONS_CSV.read_bytes()[:2000].split(b"\n")[0] + b"\n\x81\x8d\n")
    with pytest.raises(LoadError) as info:
        read_list(latin, encoding="cp1252")
    message = info.value.problems[0].message
    assert "CP1252" in message and "--encoding cp1252" not in message


def test_a_zip_of_one_csv_loads_as_that_csv(tmp_path: Path) -> None:
    text = "name,uei,cage\nAcme Widgets,ACMEWIDGET01,1ABC2\nBeta Corp,,\n"
    plain = tmp_path / "organizations.csv"
    plain.write_text(text, encoding="utf-8")
    archive = _zip(tmp_path / "organizations.zip", {"export/organizations.csv": text.encode()})
    zipped_db, plain_db = tmp_path / "zipped.duckdb", tmp_path / "plain.duckdb"
    load(zipped_db, archive)
    load(plain_db, plain)
    query = "SELECT name, uei, cage FROM orgs ORDER BY name"
    assert rows(zipped_db, query) == rows(plain_db, query) and len(rows(plain_db, query)) == 2
    assert rows(zipped_db, "SELECT DISTINCT _source_file FROM stg_organizations") == [
        ("organizations.zip",)
    ]
    # A cp1252 member is read with --encoding as a CSV file is, and its copy is removed.
    latin = _zip(
        tmp_path / "latin.zip",
        {"vendors.txt": "name,country\nCaf\u00e9 Ren\u00e9 SARL,FRA\n".encode("cp1252")},
    )
    [raw] = read_file(latin, encoding="cp1252")
    try:
        assert raw.table.column(0).to_pylist() == ["name", "Caf\u00e9 Ren\u00e9 SARL"]
        assert raw.cleanup is not None and raw.cleanup.is_file()
    finally:
        assert raw.cleanup is not None
        raw.cleanup.unlink()


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"a.csv": b"name\nA\n", "b.csv": b"name\nB\n"}, "holds 2 files ('a.csv', 'b.csv')"),
        ({"book.xlsx": b"PK\x03\x04"}, "holds 'book.xlsx', which is not a CSV"),
        ({"inner.zip": b"PK\x03\x04"}, "holds 'inner.zip', which is not a CSV"),
        ({}, "holds no file"),
        ({"__MACOSX/._a.csv": b"x", "a.csv": b""}, "'a.csv' inside the ZIP archive is empty"),
    ],
)
def test_a_zip_that_is_not_one_csv_is_refused_saying_what_it_holds(
    tmp_path: Path, members: dict[str, bytes], expected: str
) -> None:
    archive = _zip(tmp_path / "upload.zip", members)
    db = tmp_path / "db.duckdb"
    load(db, _zip(tmp_path / "first.zip", {"organizations.csv": b"name\nFirst Org\n"}))
    before = snapshot(db)
    for action in (
        lambda: read_file(archive),
        lambda: read_list(archive),
        lambda: load(db, archive),
    ):
        with pytest.raises(LoadError) as info:
            action()
        [problem] = info.value.problems
        assert problem.file == "upload.zip" and expected in problem.message
    assert snapshot(db) == before
    code, output = run_cli("--db", db, "load", archive)
    assert code != 0 and "nothing was loaded" in output


def test_an_oversize_or_bombing_member_is_refused_from_the_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b"name\n" + b"Repeated Vendor Name LLC\n" * 200_000  # 5 MB of text, 15 KB zipped
    archive = _zip(tmp_path / "big.zip", {"vendors.csv": body})
    assert archive.stat().st_size < 100_000
    bomb = _zip(tmp_path / "bomb.zip", {"vendors.csv": b"name\n" + b"A" * (2**26 + 10)})
    inflated: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        inflated.append(str(getattr(name, "filename", name)))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    small = ReadLimits(max_file_bytes=4 * 2**20)
    with pytest.raises(LoadError) as info:
        read_file(archive, limits=small)
    message = info.value.problems[0].message
    assert "'vendors.csv' inside the ZIP archive is 4.8 MB" in message
    assert "EXPOSURE_MAX_FILE_MB" in message
    with pytest.raises(LoadError) as info:
        read_list(archive, limits=small)
    assert "EXPOSURE_MAX_FILE_MB" in info.value.problems[0].message
    with pytest.raises(LoadError) as info:
        read_file(archive, limits=ReadLimits(max_uncompressed_bytes=2**20))
    assert "EXPOSURE_MAX_UNCOMPRESSED_MB" in info.value.problems[0].message
    with pytest.raises(LoadError) as info:
        read_file(bomb)
    assert "(a zip bomb?)" in info.value.problems[0].message
    assert inflated == []  # nothing was inflated to find out
    # The environment raises the limit, as for any file.
    monkeypatch.setenv("EXPOSURE_MAX_FILE_MB", "3")
    code, output = run_cli("--db", tmp_path / "env.duckdb", "load", archive)
    assert code != 0 and "over the size limit of 3.0 MB" in output


def test_a_corrupt_or_encrypted_zip_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "list.zip", {"list.csv": b"name\n" + b"Vendor\n" * 1000})
    data = bytearray(archive.read_bytes())
    data[60:80] = b"\x00" * 20  # inside the compressed data: the CRC no longer matches
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(data))
    with pytest.raises(LoadError) as info:
        read_file(broken)
    assert "truncated or corrupt" in info.value.problems[0].message
    # An encrypted member (flag bit 0 set in the headers).
    locked = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = locked.find(signature)
        locked[start + offset] |= 0x1
    sealed = tmp_path / "sealed.zip"
    sealed.write_bytes(bytes(locked))
    with pytest.raises(LoadError) as info:
        read_list(sealed)
    assert "password-protected" in info.value.problems[0].message


# -- the Entity Management extract ------------------------------------------------------------


def _extract_records(archive: Path) -> tuple[int, list[tuple[int, list[str]]]]:
    """The record count the BOF line announces, and the records of the real extract with
    their line numbers, read here independently of the adapter."""
    with zipfile.ZipFile(archive) as handle:
        [member] = handle.namelist()
        text = handle.read(member).decode("ascii")
    lines = text.split("\n")
    assert lines[0].startswith("BOF PUBLIC") and lines[-1].startswith("EOF PUBLIC")
    records = [
        (n, line.split("|")) for n, line in enumerate(lines, start=1) if line.endswith("!end")
    ]
    return int(lines[0].split()[4]), records


@needs_entities
def test_the_real_entity_extract_loads_organizations_and_families(tmp_path: Path) -> None:
    announced, records = _extract_records(ENTITY_ZIP)
    assert len(records) == announced  # the premise: the file is whole
    # V1 positions: 1 DUNS, 2 DUNS+4, 3 CAGE, 11 legal name, 12 DBA name, 21 country.
    expected = {(f[10], f[2], f[20]) for _, f in records}
    aliases = {(f[2], f[11]) for _, f in records if f[11] and f[11] != f[10]}
    base = {f[0]: f[2] for _, f in records if f[1] in ("", "0000")}
    families = {(f[2], base[f[0]]) for _, f in records if f[1] not in ("", "0000")}
    assert len(families) >= 1 and all(child != parent for child, parent in families)

    db = tmp_path / "sam.duckdb"
    report = load(db, ENTITY_ZIP)
    assert [(s.kind, s.rows) for s in report.loaded] == [
        ("sam-entity: organizations", len(records))
    ]
    assert any("V1 (DUNS) layout" in note for note in report.notes)
    assert set(rows(db, "SELECT name, cage, country FROM orgs")) == expected
    assert rows(db, "SELECT count(*) FROM orgs") == [(len(records),)]
    assert {
        (cage, alias)
        for cage, names in rows(db, "SELECT cage, aliases FROM orgs WHERE len(aliases) > 0")
        for alias in names
    } == aliases
    assert (
        set(
            rows(
                db,
                "SELECT o.cage, p.cage FROM orgs o JOIN orgs p ON p.org_id = o.parent_id",
            )
        )
        == families
    )
    # Provenance: each organization's line in the .dat file.
    lines = dict(rows(db, "SELECT cage, _row FROM stg_organizations"))
    assert all(lines[f[2]] == number for number, f in records)
    assert rows(db, "SELECT count(*) FROM dq_issues") == [(0,)]
    # Loaded twice: nothing added.
    again = load(db, ENTITY_ZIP)
    assert again.skipped and rows(db, "SELECT count(*) FROM orgs") == [(len(records),)]


@needs_entities
def test_the_entity_extract_is_not_a_list_to_screen(tmp_path: Path) -> None:
    db = _zipless_db(tmp_path)
    before = snapshot(db)
    dat = tmp_path / "SAM_PUBLIC_MONTHLY_20140504.dat"
    with zipfile.ZipFile(ENTITY_ZIP) as archive:
        dat.write_bytes(archive.read(archive.namelist()[0]))
    for path in (ENTITY_ZIP, dat):
        with pytest.raises(LoadError) as info:
            read_list(path)
        [problem] = info.value.problems
        assert "Entity Management extract" in problem.message
        assert "not a list of excluded parties" in problem.message
        code, output = run_cli("--db", db, "screen", path)
        assert code != 0 and "exposure load" in output
    assert snapshot(db) == before
    # The unzipped .dat loads as the ZIP does.
    report = load(tmp_path / "dat.duckdb", dat)
    assert report.loaded[0].kind == "sam-entity: organizations"


def _zipless_db(tmp_path: Path) -> Path:
    orgs = tmp_path / "organizations.csv"
    orgs.write_text("name\nAcme Widgets\n", encoding="utf-8")
    db = tmp_path / "net.duckdb"
    load(db, orgs)
    return db


def _record(width: int, values: dict[int, str]) -> str:
    fields = [""] * width
    for position, value in values.items():
        fields[position - 1] = value  # positions counted from 1, as GSA's layouts count them
    fields[-1] = "!end"
    return "|".join(fields)


def _v2(uei: str, cage: str, name: str, dba: str = "", country: str = "USA") -> dict[int, str]:
    dates = {8: "20200101", 9: "20260101", 10: "20250101", 11: "20200105"}
    return {1: uei, 4: cage, 6: "A", 12: name, 13: dba, 22: country, **dates}


def test_a_v2_extract_with_faults_loads_what_it_can_and_lists_the_rest(tmp_path: Path) -> None:
    width = 60
    good = [
        _record(width, _v2("ACMEWIDGET01", "1ABC2", "ACME WIDGETS, INC.", "ACME")),
        _record(width, _v2("ACMEWIDGET01", "1ABC3", "ACME WIDGETS, INC.")),  # second EFT
        _record(width, _v2("BETAANALYT12", "9ZZZ9", "BETA ANALYTICS LLC", "", "GBR")),
        _record(width, _v2("GAMMA0000001", "C1", "GAMMA CO")),  # CAGE too short: dropped
    ]
    short = "|".join(_record(width, _v2("DELTA0000001", "D1234", "DELTA")).split("|")[5:])
    nameless = _record(width, _v2("EPSILON00001", "E1234", ""))
    formula = _record(width, _v2("ZETA00000001", "Z1234", '=HYPERLINK("http://x")'))
    lines = [
        "BOF PUBLIC 20250101 20250201 0000008 0000001",
        *good,
        short,
        nameless,
        formula,
        "",
        _record(width, _v2("ETA000000001", "H1234", "ETA SYSTEMS")),
    ]  # no EOF line, and 8 records announced for 8: the EOF line is what is missing
    path = tmp_path / "SAM_PUBLIC_UEI_MONTHLY_V2_20250201.dat"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "v2.duckdb"
    report = load(db, _zip(tmp_path / "extract.zip", {path.name: path.read_bytes()}))
    assert any("V2 (UEI) layout" in note for note in report.notes)
    assert sorted(rows(db, "SELECT name, uei, cage, country FROM orgs")) == [
        ("ACME WIDGETS, INC.", "ACMEWIDGET01", "1ABC2", "USA"),  # two registrations, one UEI
        ("BETA ANALYTICS LLC", "BETAANALYT12", "9ZZZ9", "GBR"),
        ("ETA SYSTEMS", "ETA000000001", "H1234", "USA"),
        ("GAMMA CO", "GAMMA0000001", None, "USA"),
    ]
    assert rows(db, "SELECT aliases FROM orgs WHERE uei = 'ACMEWIDGET01'") == [(["ACME"],)]
    issues = rows(db, "SELECT issue, row FROM dq_issues ORDER BY row, issue")
    assert issues == [
        ("extract_count", 1),
        # the second registration of ACME's UEI gives another CAGE: listed, the first kept
        ("identifier_conflict", 3),
        ("bad_identifier", 5),
        ("malformed_record", 6),
        ("malformed_record", 7),
        ("malformed_record", 8),
    ]
    details = " ".join(d for (d,) in rows(db, "SELECT detail FROM dq_issues"))
    assert "no EOF line" in details and "'C1' is not 5 letters and digits" in details
    assert "55 fields" in details and "no legal business name" in details
    assert "spreadsheet formula" in details
    # --strict refuses on the findings, and stores nothing.
    strict_db = tmp_path / "strict.duckdb"
    with pytest.raises(LoadError) as info:
        load(strict_db, path, strict=True)
    assert {p.row for p in info.value.problems} == {1, 5, 6, 7, 8}


def _v1(duns: str, duns4: str, cage: str, name: str, **parents: tuple[str, str]) -> dict:
    values = {1: duns, 2: duns4, 3: cage, 5: "A", 11: name, 21: "USA"}
    values.update({7: "20100101", 8: "20260101", 9: "20250101", 10: "20100105"})
    for label, position in (("hq", 169), ("domestic", 178), ("world", 187)):
        if label in parents:
            values[position], values[position + 1] = parents[label]
    return values


def test_a_corporate_hierarchy_becomes_parent_links(tmp_path: Path) -> None:
    """The FOUO layout's headquarters / domestic / global parents, by DUNS within the file, else
    by name; the entity as its own parent and parents known only by DUNS are not linked."""
    width = 300
    records = [
        _v1("100000001", "", "HQ001", "ORBIT HOLDINGS INC", hq=("ORBIT HOLDINGS INC", "100000001")),
        _v1("100000002", "", "SUB02", "ORBIT SENSORS LLC", hq=("ORBIT HOLDINGS", "100000001")),
        _v1("100000002", "0001", "SUB03", "ORBIT SENSORS LLC", hq=("ORBIT HOLDINGS", "100000001")),
        _v1("100000004", "", "SUB04", "LUNA LABS", domestic=("", "999999999")),
        _v1("100000005", "", "SUB05", "NOVA DEVICES", world=("NOVA GROUP PLC", "888888888")),
    ]
    lines = [
        "BOF FOUO 00000000 20140504 0000005 0000089",
        *(_record(width, values) for values in records),
        "EOF FOUO 00000000 20140504 0000005 0000089",
    ]
    path = tmp_path / "SAM_FOUO_MONTHLY_20140504.dat"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    db = tmp_path / "fouo.duckdb"
    report = load(db, path)
    assert any("with corporate hierarchy" in n and "3 linked" in n for n in report.notes)
    assert any("1 parent(s) known only by a DUNS" in n for n in report.notes)
    assert sorted(
        rows(
            db,
            "SELECT o.cage, p.name FROM orgs o LEFT JOIN orgs p ON p.org_id = o.parent_id "
            "WHERE o.cage IS NOT NULL",
        )
    ) == [
        ("HQ001", None),  # its own headquarters
        ("SUB02", "ORBIT HOLDINGS INC"),  # by the parent's DUNS: its registration
        ("SUB03", "ORBIT SENSORS LLC"),  # a DUNS+4 registration: its DUNS's registration
        ("SUB04", None),  # a parent known only by a DUNS
        ("SUB05", "NOVA GROUP PLC"),  # by name: declared, not "unmatched"
    ]
    assert rows(db, "SELECT count(*) FROM dq_issues") == [(0,)]


def test_an_extract_in_no_known_layout_or_forced_on_a_csv_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "odd.dat"
    odd.write_text(
        "BOF PUBLIC 00000000 20140504 0000002 0000001\nfoo|bar|!end\nbaz|qux|!end\n",
        encoding="utf-8",
    )
    db = _zipless_db(tmp_path)
    before = snapshot(db)
    with pytest.raises(LoadError) as info:
        load(db, odd)
    assert "match no known layout" in info.value.problems[0].message
    empty = tmp_path / "empty.dat"
    empty.write_text("BOF PUBLIC 00000000 20140504 0000000 0000001\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(db, empty)
    assert "holds no registration" in info.value.problems[0].message
    csv_file = tmp_path / "vendors.csv"
    csv_file.write_text("name\nAcme\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(db, csv_file, kind="sam-entity")
    assert "--kind sam-entity" in info.value.problems[0].message
    assert snapshot(db) == before


@needs_exclusions
def test_an_exclusions_list_given_to_load_says_to_screen_it(tmp_path: Path) -> None:
    db = _zipless_db(tmp_path)
    before = snapshot(db)
    for path in (EXCLUSIONS_ZIP, EXCLUSIONS_CSV):
        with pytest.raises(LoadError) as info:
            load(db, path)
        [problem] = info.value.problems
        assert "exposure screen" in problem.message and problem.file == path.name
    assert snapshot(db) == before
