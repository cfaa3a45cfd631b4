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
