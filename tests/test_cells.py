"""One rule for text cells (exposure/cells.py): white space cleaning and formula-like text,
the same in Python and SQL, and the same on every ingest path and every output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import DATA
from hypothesis import given
from hypothesis import strategies as st

from exposure import LoadError, LoadOptions, connect, load_files
from exposure.core.cells import (
    FORMULA_PREFIXES,
    clean_text,
    clean_text_sql,
    formula_like_sql,
    is_formula_like,
    refused_as_name,
    refused_as_name_sql,
    safe_cell,
)
from exposure.report.outputs import write_csv

PUBLIC = DATA / "public"
BUYER = "Northwind Analytics LLC"

# Characters that matter to the rules, and a few that do not.
ALPHABET = " \t\n\v\f\r\x85\u00a0\u2003\u3000é=+-@'09aZ.,"


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


@given(st.lists(st.text(alphabet=ALPHABET, max_size=8), min_size=1, max_size=20))
def test_python_and_sql_agree_on_any_text(con, texts: list[str]) -> None:
    frame = pd.DataFrame({"t": texts})
    con.register("texts", frame)
    try:
        got = con.execute(
            f"SELECT {clean_text_sql('t')}, {formula_like_sql('t')}, {refused_as_name_sql('t')} "
            "FROM texts"
        ).fetchall()
    finally:
        con.unregister("texts")
    expected = [(clean_text(t), is_formula_like(t), refused_as_name(t)) for t in texts]
    assert got == expected


def test_the_rule_in_words() -> None:
    assert clean_text("\u00a0 Model \t  Garden \n") == "Model Garden"
    for prefix in FORMULA_PREFIXES:
        assert is_formula_like(prefix + "x") and safe_cell(prefix + "x") == "'" + prefix + "x"
    # Ingest's one deliberate difference: a minus followed by a digit starts a name.
    assert is_formula_like("-9 Labs Inc") and not refused_as_name("-9 Labs Inc")
    assert refused_as_name("- Acme") and refused_as_name("-Acme") and refused_as_name("-")


def test_csv_output_escapes_exactly_the_formula_like_text(tmp_path: Path) -> None:
    texts = ["=1+1", "+SUM(1)", "-9 Labs Inc", "@cmd", "\tx", "\rx", "Acme", "a=b", "'quoted"]
    path = write_csv(pd.DataFrame({"name": texts}), tmp_path / "out.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        written = [row["name"] for row in csv.DictReader(handle)]
    assert written == [("'" + t if is_formula_like(t) else t) for t in texts]


NAMES = ["=1+1", "+1 Corp", "@cmd", "-Acme", "- Acme", "-9 Labs Inc", "-", "Acme Corp"]


def _relationships_csv(folder: Path, name: str) -> Path:
    path = folder / "relationships.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["buyer", "supplier"], ["Prime Co", name]])
    return path


def _subawards_csv(folder: Path, name: str) -> Path:
    with (PUBLIC / "subawards.csv").open(newline="", encoding="utf-8") as handle:
        header, first, *_ = list(csv.reader(handle))
    first[header.index("subawardee_name")] = name
    first[header.index("subawardee_uei")] = ""
    first[header.index("subawardee_parent_uei")] = ""
    first[header.index("subawardee_parent_name")] = ""
    path = folder / "subawards.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, first])
    return path


def _sbom(folder: Path, name: str) -> Path:
    document = json.loads((PUBLIC / "sbom.json").read_text(encoding="utf-8"))
    document["services"][1]["provider"]["name"] = name
    path = folder / "sbom.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("make", [_relationships_csv, _subawards_csv, _sbom])
def test_every_ingest_path_refuses_the_same_names(tmp_path: Path, make, name: str) -> None:
    """A sheet, a USAspending download and an SBOM refuse a formula-like organization name
    exactly when :func:`refused_as_name` says so."""
    path = make(tmp_path, name)
    con = connect(tmp_path / "db.duckdb")
    try:
        load_files(con, [path], LoadOptions(buyer=BUYER if path.suffix == ".json" else None))
        problems = []
    except LoadError as exc:
        problems = exc.problems
    finally:
        con.close()
    formula = [p for p in problems if "formula" in p.message]
    assert bool(formula) == refused_as_name(name), problems
    if formula:
        assert formula[0].value == name


def test_a_formula_like_product_in_an_sbom_is_stored_as_text_like_in_a_sheet(
    tmp_path: Path,
) -> None:
    """Only identity columns are refused; a product is data, escaped on the way out."""
    document = json.loads((PUBLIC / "sbom.json").read_text(encoding="utf-8"))
    document["services"][1]["name"] = "=Ticket Desk"
    sbom = tmp_path / "sbom.json"
    sbom.write_text(json.dumps(document), encoding="utf-8")
    sheet = tmp_path / "relationships.csv"
    sheet.write_text("buyer,supplier,product\nPrime Co,Helpdesk Co,=Ticket Desk\n", "utf-8")
    con = connect(tmp_path / "db.duckdb")
    try:
        load_files(con, [sbom], LoadOptions(buyer=BUYER))
        load_files(con, [sheet])
        stored = con.execute(
            "SELECT _source_file FROM stg_relationships WHERE product = '=Ticket Desk' ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert stored == [("relationships.csv",), ("sbom.json",)]
