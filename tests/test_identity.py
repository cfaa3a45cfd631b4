"""One identity rule set: every path resolves a name the same way (issue 10, item 4).

The paths: resolution of the data (``org_names``), the command line (``resolve_org``), the
dashboard search, screening and ingest's duplicate check. Tiny networks checked by hand, and
random ones where the Python rule (:func:`exposure.core.identity.resolve`, over an index an
independent oracle builds from the declared rows) is compared with the SQL resolution.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from exposure import LoadOptions, connect, load_files
from exposure.cli.commands import cli
from exposure.core.errors import LoadError
from exposure.core.identity import exact_key, name_keys, new_key, resolve
from exposure.core.names import normalize_name
from exposure.screening.matching import screen
from exposure.warehouse.identity import resolve_name
from exposure.warehouse.scenarios import UnknownNameError, resolve_org
from exposure.warehouse.search import search_organizations

ORG_HEADER = ["name", "kind", "uei", "cage", "aliases"]
REL_HEADER = ["buyer", "supplier", "relation", "product"]
ACME_A, ACME_B, NORTHWIND = "AAAAAAAAAAA1", "BBBBBBBBBBB2", "NWA000000001"


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build_network(folder: Path, extra: list[list[object]] | None = None) -> Path:
    """Case (a)'s two Acmes, case (b)'s Northwind declared twice, and a few more tiers."""
    folder.mkdir(parents=True, exist_ok=True)
    first = write_csv(
        folder / "organizations.csv",
        ORG_HEADER,
        [
            ["Acme Inc", "supplier", ACME_A, "", ""],
            ["ACME", "supplier", ACME_B, "", ""],
            ["Northwind Analytics LLC", "subcontractor", NORTHWIND, "", ""],
            ["Big Prime Corporation", "prime", "", "1BP01", ""],
            ["Vendor AI, PBC", "model_provider", "", "", "Claude Maker"],
        ],
    )
    later = write_csv(
        folder / "organizations_2026.csv",
        ORG_HEADER,
        [["Northwind Insight Holdings", "subcontractor", NORTHWIND, "", ""]],
    )
    rels = write_csv(
        folder / "relationships.csv",
        REL_HEADER,
        [
            ["Acme Inc", "Zeta Labs", "model_api", "analytics"],
            ["ACME", "Zeta Labs", "model_api", "analytics"],
            ["Big Prime Corporation", "Northwind Insight Holdings", "saas", "dashboards"],
            ["Zeta Labs", "Vendor AI, PBC", "model_api", "Claude API"],
            ["Zeta Labs", "AWS", "cloud_hosting", "compute"],
        ],
    )
    db = folder / "network.duckdb"
    con = connect(db)
    try:
        load_files(con, [first, rels])
        load_files(con, [later])
        if extra:
            load_files(con, [write_csv(folder / "probe.csv", REL_HEADER, extra)])
    finally:
        con.close()
    return db


def invoke(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def key_of(con, org_id: int) -> str:
    """An organization's entity key: the same in two warehouses built from the same orgs."""
    return str(con.execute("SELECT entity_key FROM orgs WHERE org_id = ?", [org_id]).fetchone()[0])


def key_named(con, name: str, uei: str | None = None) -> str:
    rows = con.execute(
        "SELECT entity_key FROM orgs WHERE name = ? AND (? IS NULL OR uei = ?)", [name, uei, uei]
    ).fetchall()
    assert len(rows) == 1, rows
    return str(rows[0][0])


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Path:
    return build_network(tmp_path_factory.mktemp("identity"))


# The three reproduced cases --------------------------------------------------------------


def test_case_a_exact_declared_name_is_not_ambiguous(network: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    db.write_bytes(network.read_bytes())
    code, output = invoke(db, "designate", "Acme Inc", "--scenario", "case-a")
    assert code == 0, output
    assert "Acme Inc designated" in output
    con = connect(db)
    try:
        (member,) = con.execute(
            "SELECT org_name FROM scenario_members WHERE scenario = 'case-a'"
        ).fetchall()
        org = resolve_org(con, member[0])
        assert con.execute("SELECT uei FROM orgs WHERE org_id = ?", [org]).fetchone() == (ACME_A,)
        assert con.execute(
            "SELECT uei FROM orgs WHERE org_id = ?", [resolve_org(con, "ACME")]
        ).fetchone() == (ACME_B,)
        # A spelling that is neither, and normalizes as both, is still ambiguous.
        with pytest.raises(UnknownNameError, match="ambiguous") as raised:
            resolve_org(con, "acme, inc.")
        assert "matches 2 organizations: Acme Inc; ACME." in str(raised.value)
    finally:
        con.close()
    code, output = invoke(db, "designate", "acme, inc.", "--scenario", "case-a2")
    assert code != 0 and "ambiguous" in output and "Acme Inc" in output and "ACME" in output


def test_case_b_second_declared_spelling_of_a_merged_organization(
    network: Path, tmp_path: Path
) -> None:
    con = connect(network, read_only=True)
    try:
        (merged,) = con.execute(
            "SELECT org_id, name FROM orgs WHERE uei = ?", [NORTHWIND]
        ).fetchall()
        assert merged[1] == "Northwind Analytics LLC"
        assert resolve_org(con, "Northwind Insight Holdings") == merged[0]
        assert resolve_org(con, "Northwind Analytics LLC") == merged[0]
    finally:
        con.close()
    db = tmp_path / "b.duckdb"
    db.write_bytes(network.read_bytes())
    out = tmp_path / "b.json"
    code, output = invoke(
        db, "assess", "--designate", "Northwind Insight Holdings", "--out", str(out)
    )
    assert code == 0, output
    assert "no organization" not in output
    assert "Northwind Analytics LLC" in out.read_text(encoding="utf-8")


def test_case_c_two_buyers_that_normalize_alike_load_as_two_edges(network: Path) -> None:
    con = connect(network, read_only=True)
    try:
        buyers = con.execute(
            "SELECT o.uei FROM edges e JOIN orgs o ON o.org_id = e.buyer_id "
            "JOIN orgs s ON s.org_id = e.supplier_id WHERE s.name = 'Zeta Labs' ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert buyers == [(ACME_A,), (ACME_B,)]


def test_ingest_repeats_a_row_given_in_another_white_space(tmp_path: Path) -> None:
    """Compared by exact key, the rows repeat each other: merged into one edge with a finding
    (and refused with --strict)."""
    rels = write_csv(
        tmp_path / "r.csv",
        REL_HEADER,
        [["Acme Inc", "Zeta Labs", "saas", "x"], ["  Acme   Inc ", "Zeta Labs", "saas", "x"]],
    )
    con = connect(tmp_path / "dup.duckdb")
    try:
        with pytest.raises(LoadError) as raised:
            load_files(con, [rels], LoadOptions(strict=True))
        assert "duplicate row" in str(raised.value)
        load_files(con, [rels])
        assert con.execute("SELECT n_sources FROM edges").fetchall() == [(2,)]
        assert con.execute(
            "SELECT issue, row FROM dq_issues WHERE issue = 'duplicate_rows_merged'"
        ).fetchall() == [("duplicate_rows_merged", 2)]
    finally:
        con.close()


# Every path, one answer ------------------------------------------------------------------

# (name given, how it resolves, the organization it means: name and UEI)
CASES = [
    ("AAAAAAAAAAA1", "uei", ("Acme Inc", ACME_A)),
    ("nwa-000000001", "uei", ("Northwind Analytics LLC", NORTHWIND)),
    ("1bp01", "cage", ("Big Prime Corporation", None)),
    ("Acme Inc", "exact", ("Acme Inc", ACME_A)),
    ("ACME", "exact", ("ACME", ACME_B)),
    ("Northwind Insight Holdings", "exact", ("Northwind Analytics LLC", NORTHWIND)),
    ("Zeta Labs", "exact", ("Zeta Labs", None)),
    ("northwind insight holdings, inc.", "name", ("Northwind Analytics LLC", NORTHWIND)),
    ("BIG PRIME", "name", ("Big Prime Corporation", None)),
    ("claude maker", "alias", ("Vendor AI, PBC", None)),
    ("Amazon Web Services, Inc.", "new", ("Amazon Web Services", None)),
    ("zeta labs llc", "new", ("Zeta Labs", None)),
]


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> Path:
    """The same network where every case's name is also used as a buyer in the data."""
    rows = [
        [given, f"Probe Supplier {i}", "saas", "probe"] for i, (given, _, _) in enumerate(CASES)
    ]
    return build_network(tmp_path_factory.mktemp("probed"), rows)


STRENGTH = {"uei": 1, "cage": 2, "name": 3, "alias": 4, "fuzzy": 5}


@pytest.fixture(scope="module")
def screened(network: Path, tmp_path_factory) -> dict[int, set[str]]:
    """Screening of a list with one record per case: the record's best confirmed matches."""
    path = tmp_path_factory.mktemp("list") / "sam.csv"
    lines = ["Classification,Name,Unique Entity ID,CAGE,Excluding Agency,Exclusion Type"]
    for i, (given, tier, _) in enumerate(CASES):
        name = given if tier not in ("uei", "cage") else f"Listed Party Number {i}"
        uei = given if tier == "uei" else ""
        cage = given if tier == "cage" else ""
        lines.append(f'Firm,"{name}",{uei},{cage},DLA,Prohibition/Restriction')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = connect(network, read_only=True)
    try:
        matches = screen(con, path).matches
        keys = {org: key_of(con, org) for org in set(matches["org_id"])}
    finally:
        con.close()
    best: dict[int, set[str]] = {}
    confirmed = matches[matches["confirmed"]]
    for record, group in confirmed.groupby("record_row"):
        strength = group["match"].map(STRENGTH)
        strongest = group[strength == strength.min()]
        best[int(record) - 2] = {keys[int(org)] for org in strongest["org_id"]}
    return best


@pytest.mark.parametrize(("given", "tier", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_path_resolves_a_name_alike(
    network: Path, probed: Path, screened: dict[int, set[str]], given, tier, expected
) -> None:
    con = connect(network, read_only=True)
    try:
        want = key_named(con, *expected)
        # The rule itself, and the command line.
        resolution = resolve_name(con, given)
        assert resolution.tier == tier
        assert [key_of(con, org) for org in resolution.candidates] == [want]  # type: ignore[arg-type]
        assert key_of(con, resolve_org(con, given)) == want
        # The dashboard search: the organization the name means comes first.
        found = search_organizations(con, given)
        assert key_of(con, int(found.iloc[0]["org_id"])) == want
    finally:
        con.close()
    # Screening: the record's strongest confirmed match.
    assert screened[CASES.index((given, tier, expected))] == {want}
    # Resolution of the data: the same name used in a relationship.
    con = connect(probed, read_only=True)
    try:
        (org,) = con.execute(
            "SELECT org_id FROM org_names WHERE name = ?", [exact_key(given)]
        ).fetchone()
        assert key_of(con, org) == want
    finally:
        con.close()


INGEST_CASES = [CASES[0], CASES[4], CASES[6], CASES[7], CASES[10]]


@pytest.mark.parametrize(
    ("given", "tier", "expected"), INGEST_CASES, ids=[c[0] for c in INGEST_CASES]
)
def test_ingest_compares_exact_spellings(tmp_path: Path, given, tier, expected) -> None:
    """Rows that differ in a spelling of one organization load (resolution merges them); rows
    whose names differ only in white space repeat each other (merged, with a finding): either
    way, one edge stated by two rows."""
    canonical = expected[0]
    rows = [[given, "Sink Corp", "saas", "x"], [canonical, "Sink Corp", "saas", "x"]]
    folder = tmp_path / "net"
    if exact_key(given) == canonical:
        rows[1][0] = f" {given.replace(' ', '  ')} "
    db = build_network(folder, rows)
    con = connect(db, read_only=True)
    try:
        edges = con.execute(
            "SELECT b.entity_key, e.n_sources FROM edges e JOIN orgs b ON b.org_id = e.buyer_id "
            "JOIN orgs s ON s.org_id = e.supplier_id WHERE s.name = 'Sink Corp'"
        ).fetchall()
        assert edges == [(key_named(con, *expected), 2)]
    finally:
        con.close()


# The Python rule and the SQL rule on random networks --------------------------------------

VOCABULARY = [
    "Acme",
    "ACME Inc",
    "acme inc",
    "Acme, LLC",
    "Orion Systems",
    "ORION SYSTEMS CORP",
    "Orion",
    "Zeta Labs",
    "zeta",
    "Helix",
]
UEIS = ["ORG000000001", "ORG000000002", "ORG000000003"]
CAGES = ["1AAA1", "2BBB2", "3CCC3"]


def _oracle_index(rows: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], set[str]]:
    """The declared tiers as the docs state them, by entity key, written independently of SQL.

    Declared rows group by UEI; a row with only a CAGE joins the UEI given with that CAGE (or
    its CAGE); a row with neither joins the identified organization of its normalized name (the
    first key), else its normalized name.
    """
    cage_uei: dict[str, str] = {}
    for _, uei, cage, _ in rows:
        if uei and cage:
            cage_uei[cage] = min(cage_uei.get(cage, uei), uei)

    def own_key(uei: str, cage: str) -> str | None:
        if uei:
            return "U:" + uei
        if cage:
            return "U:" + cage_uei[cage] if cage in cage_uei else "C:" + cage
        return None

    by_norm: dict[str, str] = {}
    for name, uei, cage, _ in rows:
        key = own_key(uei, cage)
        norm = normalize_name(name)
        if key and norm:
            by_norm[norm] = min(by_norm.get(norm, key), key)
    index: dict[tuple[str, str], set[str]] = {}
    first: dict[str, dict[str, str]] = {}
    for name, uei, cage, aliases in rows:
        norm = normalize_name(name) or ""
        key = own_key(uei, cage) or by_norm.get(norm) or "N:" + norm
        entity = first.setdefault(key, {})
        for field, value in (("uei", uei), ("cage", cage)):
            if value and field not in entity:
                entity[field] = value
        index.setdefault(("exact", name), set()).add(key)
        index.setdefault(("name", norm), set()).add(key)
        for alias in filter(None, (a.strip() for a in aliases.split(";"))):
            index.setdefault(("alias", normalize_name(alias) or ""), set()).add(key)
    for key, entity in first.items():
        for field, value in entity.items():
            index.setdefault((field, value), set()).add(key)
    return index


def _random_network(rng: random.Random) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    rows: dict[tuple[str, str, str], str] = {}
    for _ in range(rng.randint(1, 6)):
        name = rng.choice(VOCABULARY)
        uei = rng.choice(UEIS + [""] * 3)
        cage = rng.choice(CAGES + [""] * 4)
        aliases = rng.choice(["", "", rng.choice(VOCABULARY)])
        rows.setdefault((name, uei, cage), aliases)
    refs = rng.sample(VOCABULARY + UEIS + CAGES + ["Brand New Co"], rng.randint(1, 8))
    return [(n, u, c, a) for (n, u, c), a in rows.items()], refs


@pytest.mark.parametrize("seed", range(8))
def test_python_rule_and_sql_rule_agree_on_random_networks(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    rows, refs = _random_network(rng)
    orgs = write_csv(
        tmp_path / "orgs.csv",
        ORG_HEADER,
        [[name, "supplier", uei, cage, aliases] for name, uei, cage, aliases in rows],
    )
    rels = write_csv(
        tmp_path / "rels.csv",
        REL_HEADER,
        [[ref, "Sink Corp", "saas", f"p{i}"] for i, ref in enumerate(refs)],
    )
    con = connect(tmp_path / "random.duckdb")
    try:
        load_files(con, [orgs, rels])
        index = _oracle_index(rows)
        declared = {key for keys in index.values() for key in keys}
        ambiguous_in_data = {
            row[0]
            for row in con.execute(
                "SELECT name FROM dq_issues WHERE issue = 'ambiguous_name' AND detail LIKE 'the name matches%'"
            ).fetchall()
        }
        for ref in refs:
            expected = resolve(name_keys(ref), index)
            (got,) = con.execute(
                "SELECT o.entity_key FROM org_names n JOIN orgs o USING (org_id) WHERE n.name = ?",
                [ref],
            ).fetchone()
            if expected.candidates:
                assert got == expected.candidates[0], (ref, rows)
            else:
                assert got == "N:" + str(new_key(normalize_name(ref), {})), (ref, rows)
            assert (ref in ambiguous_in_data) == expected.ambiguous, (ref, rows)
        # Lookups of names the data never used: the declared tiers, then the undeclared
        # organizations the data created.
        created = {
            key[2:]: key
            for (key,) in con.execute("SELECT entity_key FROM orgs WHERE NOT declared").fetchall()
        }
        lookup_index = {k: set(v) for k, v in index.items()}
        for key in created.values():
            lookup_index[("new", key[2:])] = {key}
        for ref in refs:
            (key,) = con.execute(
                "SELECT o.entity_key FROM org_names n JOIN orgs o USING (org_id) WHERE n.name = ?",
                [ref],
            ).fetchone()
            if ref not in ambiguous_in_data:
                lookup_index.setdefault(("exact", ref), set()).add(key)
        for query in VOCABULARY + UEIS + CAGES + ["orion systems inc", "Brand New Co"]:
            expected = resolve(name_keys(query), lookup_index)
            got = resolve_name(con, query)
            assert got.tier == expected.tier, (query, rows, refs)
            assert sorted(key_of(con, org) for org in got.candidates) == list(  # type: ignore[arg-type]
                expected.candidates
            ), (query, rows, refs)
        assert declared <= {row[0] for row in con.execute("SELECT entity_key FROM orgs").fetchall()}
    finally:
        con.close()
