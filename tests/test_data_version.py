"""The data version (warehouse.data_version): it changes whenever what the model is built from
changes (files, the options they were read with, replacements, seeds), and only then; the
graph cache, the dashboard's runs and the tables' staleness check all trust it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import GOOD

from exposure import LoadOptions, connect, load_files
from exposure import assess as assess_scenario
from exposure.core.errors import ExposureError
from exposure.model.scenario import ScenarioSpec
from exposure.report.tables import build_tables
from exposure.warehouse.database import data_version, status
from exposure.warehouse.graph_store import load_graph

VENDORS = GOOD / "vendors.csv"


def stored_version(con) -> str:
    return str(con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()[0][0])


def test_reloading_with_another_buyer_gives_a_new_version_and_a_fresh_graph(tmp_path: Path):
    """B3: the same bytes replaced with --buyer "Right Buyer" must not reuse the graph cached
    for "Wrong Buyer", nor let an assessment of the old data be written as current."""
    con = connect(tmp_path / "db.duckdb")
    key = str(tmp_path / "db.duckdb")
    try:
        load_files(con, [VENDORS], LoadOptions(buyer="Wrong Buyer"))
        before = stored_version(con)
        assert "Wrong Buyer" in set(load_graph(con, cache_key=key).names)
        run = assess_scenario(con, ScenarioSpec(designated=("Anthropic PBC",)))
        load_files(con, [VENDORS], LoadOptions(buyer="Right Buyer", replace=True))
        after = stored_version(con)
        assert after != before
        assert after == data_version(con) == status(con).data_version
        names = set(load_graph(con, cache_key=key).names)
        assert "Right Buyer" in names and "Wrong Buyer" not in names
        with pytest.raises(ExposureError, match="data changed"):
            build_tables(con, run)
    finally:
        con.close()


def _load_twice(folder: Path, options: LoadOptions) -> str:
    """Load the vendor list (copied into ``folder``) into a fresh warehouse; its version."""
    folder.mkdir()
    copy = folder / VENDORS.name
    shutil.copyfile(VENDORS, copy)
    con = connect(folder / "db.duckdb")
    try:
        load_files(con, [copy], options)
        return stored_version(con)
    finally:
        con.close()


def test_the_same_loads_give_the_same_version_anywhere(tmp_path: Path):
    """Paths and load times are not part of the version: it is reproducible."""
    options = LoadOptions(buyer="Acme")
    assert _load_twice(tmp_path / "a", options) == _load_twice(tmp_path / "b", options)


@pytest.mark.parametrize(
    "other",
    [
        LoadOptions(buyer="Acme Holdings"),
        LoadOptions(buyer="Acme", mapping={"annualspend": ""}),
        LoadOptions(buyer="Acme", kind="vendors"),
        LoadOptions(buyer="Acme", encoding="cp1252"),
    ],
    ids=["buyer", "map", "kind", "encoding"],
)
def test_every_read_option_is_part_of_the_version(tmp_path: Path, other: LoadOptions):
    assert _load_twice(tmp_path / "a", LoadOptions(buyer="Acme")) != _load_twice(
        tmp_path / "b", other
    )


def test_new_seeds_rebuild_the_model_under_a_new_version(tmp_path: Path, monkeypatch):
    """Seed aliases shape resolution: a change of seeds rebuilds orgs and edges (in one
    transaction) and changes the version, so cached graphs and runs are not reused."""
    seeds = tmp_path / "seeds"
    shutil.copytree(Path(__file__).resolve().parents[1] / "seeds", seeds)
    monkeypatch.setenv("EXPOSURE_SEEDS", str(seeds))
    relationships = tmp_path / "relationships.csv"
    relationships.write_text(
        "buyer,supplier,product\nPrime Co,Zeta Models,API\nPrime Co,ZM Labs,Console\n",
        encoding="utf-8",
    )
    db = tmp_path / "db.duckdb"
    con = connect(db)
    try:
        load_files(con, [relationships])
        before = stored_version(con)
        assert con.execute("SELECT count(*) FROM orgs").fetchall() == [(3,)]
    finally:
        con.close()
    con = connect(db)  # seeds unchanged: nothing moves
    try:
        assert stored_version(con) == before
    finally:
        con.close()
    with (seeds / "aliases.csv").open("a", encoding="utf-8") as handle:
        handle.write("Zeta Models,ZM Labs,a test alias\n")
    con = connect(db)
    try:
        assert stored_version(con) != before
        assert stored_version(con) == data_version(con)
        assert con.execute("SELECT count(*) FROM orgs").fetchall() == [(2,)]
    finally:
        con.close()


def test_a_version_recorded_by_an_older_release_is_brought_up_to_date(tmp_path: Path):
    db = tmp_path / "db.duckdb"
    con = connect(db)
    try:
        load_files(con, [VENDORS], LoadOptions(buyer="Acme"))
        current = stored_version(con)
        con.execute("ALTER TABLE sources DROP COLUMN options")
        con.execute("UPDATE meta SET value = 'hash-of-hashes' WHERE key = 'data_version'")
    finally:
        con.close()
    # Read-only (exposure status, the dashboard): the recorded version is shown as it is.
    con = connect(db, read_only=True)
    try:
        assert status(con).data_version == "hash-of-hashes"
        assert data_version(con) == current  # no options column yet; none were given
    finally:
        con.close()
    con = connect(db)
    try:
        assert stored_version(con) == current
        assert "options" in [row[0] for row in con.execute("DESCRIBE sources").fetchall()]
    finally:
        con.close()
