"""The command line prints data literally: names, products, file and sheet names, notes and
messages that look like Rich markup (``Acme [/] Corp``, ``Foo [Europe] Ltd``) or emoji codes
(``:smile:``) are shown as written, never interpreted, never a crash."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import run_cli
from rich.console import Console

import exposure.cli.console

ACME, FOO, PRIME = "Acme [/] Corp", "Foo [Europe] Ltd", "Prime :smile: A"
PRODUCT = "Portal [red]x[/red]"
RELATIONSHIPS_FILE = "vendors [bold] 2026.csv"
RELATIONSHIPS = (
    "buyer,supplier,relation,product,annual_value_usd,dod_use\n"
    f"{FOO},{ACME},saas,{PRODUCT},1000,yes\n"
    f"{PRIME},{FOO},saas,Widget [/],500,yes\n"
)
ORGANIZATIONS = f"name,kind,uei\n{ACME},software_vendor,ACMECORP0001\n"
# A FASCSA orders list (the layout of the GSA's sample) naming Acme by its UEI.
FASCSA = (
    "Classification,Name,Prefix,First,Middle,Last,Suffix,Address 1,Address 2,City,"
    "State / Province,Country,Zip Code,Unique Entity ID,CAGE,Excluding Agency,"
    "Additional Comments,Active Date,Termination Date,Creation Date,Update Date,"
    "Exclusion Type,FASCSA Order Flag\n"
    "Firm,ACME [/] CORP,,,,,,,,,FL,USA,,ACMECORP0001,,AF [x],,10/30/2023,Indefinite,"
    "10/31/2023,10/31/2023,Prohibition/Restriction,Y\n"
)


@pytest.fixture
def network(tmp_path: Path) -> Path:
    """A database loaded through the CLI from files whose names and cells look like markup."""
    (tmp_path / "orgs.csv").write_text(ORGANIZATIONS, encoding="utf-8")
    (tmp_path / RELATIONSHIPS_FILE).write_text(RELATIONSHIPS, encoding="utf-8")
    db = tmp_path / "markup.duckdb"
    code, output = run_cli("--db", db, "load", tmp_path / "orgs.csv", tmp_path / RELATIONSHIPS_FILE)
    assert code == 0, output
    assert f"loaded {RELATIONSHIPS_FILE}: 2 relationships rows" in output
    return db


def test_load_prints_file_names_and_skips_literally(network: Path, tmp_path: Path) -> None:
    code, output = run_cli("--db", network, "load", tmp_path / RELATIONSHIPS_FILE)
    assert code == 0, output
    assert f"skipped {RELATIONSHIPS_FILE}: already loaded (as {RELATIONSHIPS_FILE}," in output


def test_a_refused_load_prints_the_offending_value_literally(network: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad [red].csv"
    bad.write_text("buyer,supplier,relation\n=cmd [/] x,Acme [/] Corp,saas\n", encoding="utf-8")
    code, output = run_cli("--db", network, "load", bad)
    assert code == 1, output
    assert "Load refused: 1 problem(s); nothing was loaded." in output
    assert "bad [red].csv, row 2" in output and "=cmd [/] x" in output


def test_status_prints_names_and_files_literally(network: Path) -> None:
    code, output = run_cli("--db", network, "status")
    assert code == 0, output
    assert RELATIONSHIPS_FILE in output  # the Sources table
    # The data-quality table: names created from the relationships, and where they came from.
    assert FOO in output and PRIME in output
    assert f"{RELATIONSHIPS_FILE}, row 3" in output
    assert "😄" not in output


def test_assess_table_prints_names_and_chains_literally(network: Path) -> None:
    code, output = run_cli("--db", network, "assess", "--designate", ACME)
    assert code == 0, output
    assert "Organizations in the network: 3; Organizations affected: 3;" in output
    assert f"{ACME} > {FOO} > {PRIME}" in output  # the shortest chain cell
    assert "😄" not in output


def test_assess_for_prints_one_organization_literally(network: Path) -> None:
    code, output = run_cli("--db", network, "assess", "--designate", ACME, "--for", PRIME)
    assert code == 0, output
    assert f"{PRIME}: its own assessment" in output
    assert f"{ACME} -> {FOO} [{PRODUCT}] -> {PRIME} [Widget [/]]" in output  # a chain
    assert "Widget [/]" in output.split("Remediation plan", 1)[1]  # a table cell


def test_designate_and_stored_scenario_names_are_literal(network: Path) -> None:
    code, output = run_cli("--db", network, "designate", ACME, "--scenario", "what [if]")
    assert code == 0, output
    assert f"scenario 'what [if]': {ACME} designated" in output
    code, output = run_cli("--db", network, "assess", "--scenario", "what [if]")
    assert code == 0, output
    assert "scenario what [if]: effective" in output


def test_an_unknown_name_is_an_error_printed_literally(network: Path) -> None:
    code, output = run_cli("--db", network, "assess", "--designate", "Nobody [/] Inc")
    assert code == 1, output
    assert "Error: no organization is called 'Nobody [/] Inc'" in output
    assert ACME in output  # the closest names


def test_screen_prints_matches_literally(network: Path, tmp_path: Path) -> None:
    listing = tmp_path / "fascsa [v1].csv"
    listing.write_text(FASCSA, encoding="utf-8")
    code, output = run_cli(
        "--db", network, "screen", listing, "--as-of", "2026-03-01",
        "--designate-confirmed", "orders [2026]",
    )  # fmt: skip
    assert code == 0, output
    assert "records of fascsa [v1].csv (fascsa-orders" in output
    assert ACME in output and "ACME [/] CORP" in output and "AF [x]" in output
    assert f"scenario 'orders [2026]': {ACME} designated" in output


def test_progress_labels_are_literal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress bar (on a terminal, or with EXPOSURE_PROGRESS) shows file names as such."""
    screen = io.StringIO()
    monkeypatch.setenv("EXPOSURE_PROGRESS", "1")
    monkeypatch.setattr(
        exposure.cli.console,
        "err_console",
        Console(file=screen, force_terminal=True, width=120, markup=False, emoji=False),
    )
    with exposure.cli.console.progress_bar() as update:
        update(f"reading {ACME} :smile:.csv", 1, 2)
    assert f"reading {ACME} :smile:.csv" in screen.getvalue()
