"""Hostile CSV files: NUL bytes and BOM-less UTF-16 are refused as binary or mis-encoded, UTF-32
BOMs are read as UTF-32, an explicit --encoding wins and non-text codecs are refused, the
quote is " unless the file needs another, every error names its row, DuckDB's own messages
never reach the user, and a FIFO, a folder or a link to /dev/zero each says what it is. Every
refused load leaves the database as it was."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from conftest import rows, run_cli, snapshot

TEXT = "buyer,supplier,relation\nPrime A,Merck KGaA,component\nPrime A,Beta Co,component\n"


def _refused(db: Path, *args: str | Path) -> str:
    before = snapshot(db)
    code, output = run_cli("--db", db, "load", *args)
    assert code == 1, output
    assert "Traceback" not in output and "Error:" not in output.split("nothing was loaded")[-1]
    assert snapshot(db) == before
    return output


def _suppliers(db: Path, file: str) -> list[str]:
    found = rows(
        db, "SELECT supplier FROM stg_relationships WHERE _source_file = ? ORDER BY _row", [file]
    )
    return [row[0] for row in found]


@pytest.mark.parametrize(
    "data, row",
    [
        (TEXT.encode("utf-16-le"), 1),
        (TEXT.encode("utf-16-be"), 1),
        (TEXT.encode("utf-32-le"), 1),
        (TEXT.replace("Merck", "Me\x00rck").encode(), 2),
    ],
    ids=["utf16le-no-bom", "utf16be-no-bom", "utf32-no-bom", "nul-in-a-name"],
)
def test_nul_bytes_are_refused_as_binary_or_mis_encoded(tmp_path, loaded_db, data, row):
    path = tmp_path / "deps.csv"
    path.write_bytes(data)
    output = _refused(loaded_db, path)
    assert f"deps.csv, row {row}: the file holds NUL bytes" in output


@pytest.mark.parametrize(
    "bom, codec", [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")]
)
def test_a_utf32_bom_is_read_as_utf32_not_utf16(tmp_path, loaded_db, bom, codec):
    path = tmp_path / "deps32.csv"
    path.write_bytes(bom + TEXT.encode(codec))
    code, output = run_cli("--db", loaded_db, "load", path)
    assert code == 0, output
    assert _suppliers(loaded_db, "deps32.csv") == ["Merck KGaA", "Beta Co"]


def test_an_explicit_encoding_wins_over_the_bom(tmp_path, loaded_db):
    path = tmp_path / "deps.csv"
    path.write_bytes(codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"))
    output = _refused(loaded_db, path, "--encoding", "utf-16")
    assert "read as UTF-16, the file holds NUL characters" in output
    code, output = run_cli("--db", loaded_db, "load", path, "--encoding", "utf-32")
    assert code == 0, output


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib", "hex"])
def test_a_codec_that_is_not_a_text_encoding_is_refused(tmp_path, loaded_db, codec):
    path = tmp_path / "deps.csv"
    path.write_text(TEXT)
    output = _refused(loaded_db, path, "--encoding", codec)
    assert f"'{codec}' is not a text encoding" in output


def test_an_unknown_encoding_is_refused(tmp_path, loaded_db):
    path = tmp_path / "deps.csv"
    path.write_text(TEXT)
    assert "unknown text encoding 'klingon'" in _refused(loaded_db, path, "--encoding", "klingon")


def test_a_cell_that_begins_with_a_quoted_word_loads(tmp_path, loaded_db):
    path = tmp_path / "pro.csv"
    path.write_text(
        "buyer,supplier,relation,product\n"
        "Prime A,Acme Corp,component,'Pro' edition\n"
        'Prime A,Beta Co,component,"x, y"\n'
        "Prime A,Gamma Co,component,'primary' vendor\n"
    )
    code, output = run_cli("--db", loaded_db, "load", path)
    assert code == 0, output
    found = rows(
        loaded_db,
        "SELECT product FROM stg_relationships WHERE _source_file = 'pro.csv' ORDER BY _row",
    )
    assert found == [("'Pro' edition",), ("x, y",), ("'primary' vendor",)]


def test_a_file_that_needs_single_quotes_keeps_them(tmp_path, loaded_db):
    path = tmp_path / "single.csv"
    path.write_text("buyer,supplier,relation,product\nPrime A,'Acme, Inc',component,x\n")
    code, output = run_cli("--db", loaded_db, "load", path)
    assert code == 0, output
    assert _suppliers(loaded_db, "single.csv") == ["Acme, Inc"]


def test_an_extra_field_is_blamed_on_its_row_not_the_header(tmp_path, loaded_db):
    path = tmp_path / "extra.csv"
    path.write_text(TEXT.replace("Beta Co,component", "Beta Co,component,oops"))
    output = _refused(loaded_db, path)
    assert "extra.csv, row 3, column '#4': this row has more fields than the header row" in output


def test_a_5_mb_line_is_refused_with_its_row_in_plain_words(tmp_path, loaded_db):
    path = tmp_path / "long.csv"
    path.write_text("buyer,supplier,notes\nPrime A,Acme," + "x" * 5_000_000 + "\nPrime A,B,ok\n")
    output = _refused(loaded_db, path)
    assert "long.csv, row 2: this row is longer than a CSV row may be" in output
    assert "Invalid Input Error" not in output and "CSV Error" not in output


def test_a_carriage_return_inside_quotes_loads(tmp_path, loaded_db):
    path = tmp_path / "cr.csv"
    path.write_bytes(
        b'buyer,supplier,relation,notes\nPrime A,Acme,component,"a\rb"\nPrime A,Beta Co,component,ok\n'
    )
    code, output = run_cli("--db", loaded_db, "load", path)
    assert code == 0, output
    assert "parallel" not in output
    assert _suppliers(loaded_db, "cr.csv") == ["Acme", "Beta Co"]


def test_a_fifo_is_refused_without_reading_it(tmp_path, loaded_db):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    output = _refused(loaded_db, path)
    assert "pipe.csv: this is a named pipe (FIFO), not a file" in output


def test_a_folder_is_refused_as_a_folder(tmp_path, loaded_db):
    path = tmp_path / "folder.csv"
    path.mkdir()
    assert "folder.csv: this is a folder, not a file" in _refused(loaded_db, path)


def test_a_link_to_dev_zero_is_refused_as_a_device(tmp_path, loaded_db):
    path = tmp_path / "zero.csv"
    path.symlink_to("/dev/zero")
    output = _refused(loaded_db, path)
    assert "zero.csv: the link points to /dev/zero: this is a device, not a file" in output


def test_a_missing_file_is_still_not_found(tmp_path, loaded_db):
    assert "missing.csv: file not found" in _refused(loaded_db, tmp_path / "missing.csv")
