"""Load, resolve and screen log what they do: INFO one line per file or step with its counts,
DEBUG the details; ``exposure -v`` shows the INFO lines on stderr, ``-vv`` the DEBUG ones."""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from exposure.cli.commands import cli
from exposure.core.errors import LoadError
from exposure.screening.matching import screen
from exposure.screening.results import designate_confirmed, store_screening
from exposure.warehouse.database import connect
from exposure.warehouse.loading import load_files

ORGANIZATIONS = "name,kind,uei\nAcme Corp,software_vendor,ACMECORP0001\nBeta LLC,prime,\n"
RELATIONSHIPS = (
    "buyer,supplier,relation,product\n"
    "Beta LLC,Acme Corp,saas,Portal\n"
    "Beta LLC,Gamma Inc,component,Widget\n"
    "Gamma Inc,Acme Corp,license,Engine\n"
)
# A FASCSA orders list (the layout of the GSA's sample) naming Acme by its UEI.
FASCSA = (
    "Classification,Name,Prefix,First,Middle,Last,Suffix,Address 1,Address 2,City,"
    "State / Province,Country,Zip Code,Unique Entity ID,CAGE,Excluding Agency,"
    "Additional Comments,Active Date,Termination Date,Creation Date,Update Date,"
    "Exclusion Type,FASCSA Order Flag\n"
    "Firm,ACME CORP,,,,,,,,,FL,USA,,ACMECORP0001,,AF,,10/30/2023,Indefinite,"
    "10/31/2023,10/31/2023,Prohibition/Restriction,Y\n"
    "Firm,UNRELATED HOLDINGS,,,,,,,,,FL,USA,,ZZZZZZZZZZZ9,,AF,,10/30/2023,Indefinite,"
    "10/31/2023,10/31/2023,Prohibition/Restriction,Y\n"
)


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    orgs, rels = tmp_path / "orgs.csv", tmp_path / "rels.csv"
    orgs.write_text(ORGANIZATIONS, encoding="utf-8")
    rels.write_text(RELATIONSHIPS, encoding="utf-8")
    return [orgs, rels]


def _messages(caplog: pytest.LogCaptureFixture, module: str, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == module and r.levelno == level]


def test_a_load_logs_each_file_with_its_rows_and_the_model(caplog, files, tmp_path):
    caplog.set_level(logging.INFO, logger="exposure")
    con = connect(tmp_path / "log.duckdb")
    try:
        report = load_files(con, files)
    finally:
        con.close()
    stored = _messages(caplog, "exposure.warehouse.loading", logging.INFO)
    assert "orgs.csv: stored 2 organizations rows into stg_organizations (load 1)" in stored
    assert "rels.csv: stored 3 relationships rows into stg_relationships (load 2)" in stored
    # Gamma Inc exists only as a name in relationships: 3 organizations, 3 dependencies.
    assert (report.organizations, report.edges) == (3, 3)
    assert stored[-1] == (
        "loaded 5 rows from 2 files; the model holds 3 organizations, 3 dependencies"
    )
    resolved = _messages(caplog, "exposure.warehouse.resolve", logging.INFO)
    assert resolved[-1] == (
        "resolved 2 organization rows and 3 relationship rows into 3 organizations "
        "and 3 dependencies"
    )
    # The details are DEBUG: not recorded at INFO.
    assert not [r for r in caplog.records if r.levelno < logging.INFO]


def test_details_are_logged_at_debug(caplog, files, tmp_path):
    caplog.set_level(logging.DEBUG, logger="exposure")
    con = connect(tmp_path / "log.duckdb")
    try:
        load_files(con, files)
    finally:
        con.close()
    debug = _messages(caplog, "exposure.warehouse.loading", logging.DEBUG)
    assert f"reading orgs.csv ({files[0]})" in debug
    assert (
        "rels.csv: relationships, header in row 1, 3 data rows, columns buyer, supplier, "
        "relation, product"
    ) in debug
    assert any(
        m.startswith("fuzzy review: ")
        for m in _messages(caplog, "exposure.warehouse.resolve", logging.DEBUG)
    )


def test_a_refused_and_a_repeated_load_say_so(caplog, files, tmp_path):
    caplog.set_level(logging.INFO, logger="exposure")
    bad = tmp_path / "bad.csv"
    bad.write_text("buyer,supplier,relation\nBeta LLC,,saas\n", encoding="utf-8")
    con = connect(tmp_path / "log.duckdb")
    try:
        with pytest.raises(LoadError):
            load_files(con, [bad])
        load_files(con, files[:1])
        load_files(con, files[:1])
    finally:
        con.close()
    info = _messages(caplog, "exposure.warehouse.loading", logging.INFO)
    assert "load refused: 1 problems in 1 files" in info
    assert "orgs.csv: skipped, the same content was loaded before as orgs.csv" in info


def test_screening_logs_its_counts(caplog, files, tmp_path):
    listing = tmp_path / "fascsa.csv"
    listing.write_text(FASCSA, encoding="utf-8")
    con = connect(tmp_path / "log.duckdb")
    try:
        load_files(con, files)
        caplog.set_level(logging.INFO, logger="exposure")
        result = screen(con, listing, as_of=date(2026, 3, 1))
        store_screening(con, result)
        designate_confirmed(con, result, "orders")
    finally:
        con.close()
    assert len(result.matches) == 1 and len(result.confirmed) == 1
    (screened,) = _messages(caplog, "exposure.screening.matching", logging.INFO)
    assert screened == (
        "screened 2 records of fascsa.csv (fascsa-orders) against 3 organizations: "
        "1 matches, 1 confirmed"
    )
    stored = _messages(caplog, "exposure.screening.results", logging.INFO)
    assert stored[0].startswith("stored 1 screening matches of fascsa.csv (fascsa-orders)")
    assert stored[1] == "designating 1 confirmed matches in scenario 'orders'"


def _invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner(env={"COLUMNS": "2000"}).invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_verbose_flag_shows_the_log_on_stderr(files, tmp_path):
    package = logging.getLogger("exposure")
    handlers, level = list(package.handlers), package.level
    db = tmp_path / "cli.duckdb"
    code, _, quiet = _invoke("--db", db, "load", files[0])
    assert code == 0
    assert "INFO" not in quiet
    code, _, info = _invoke("-v", "--db", db, "load", files[1])
    assert code == 0
    assert "INFO exposure.warehouse.loading: rels.csv: stored 3 relationships rows" in info
    assert "DEBUG" not in info
    more = tmp_path / "more.csv"
    more.write_text("buyer,supplier,relation\nBeta LLC,Delta Co,saas\n", encoding="utf-8")
    code, _, debug = _invoke("-vv", "--db", db, "load", more)
    assert code == 0
    assert re.search(r"^DEBUG exposure\.warehouse\.loading: reading more\.csv", debug, re.M)
    # The command line leaves the package's logger as it found it.
    assert (list(package.handlers), package.level) == (handlers, level)
