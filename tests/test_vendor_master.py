"""ERP vendor masters as people export them (issue 13.3): a vendor list (``--buyer``) carries its
suppliers' UEI, CAGE, country, DBA names and parent into ``organizations``; columns the tool does
not know are left out with one warning; a vendor repeated per cost centre is one dependency,
merged prudently, every row evidence; ``--strict`` refuses what the lenient load warns about;
and the "Did you mean" hints offer a column only when its cells fit it.

The vendor master is written here with openpyxl, with the columns such exports have.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import rows, run_cli, snapshot

from exposure import LoadError, LoadOptions, connect, load_files
from exposure.ingest.mapping import parse_mapping, suggest_column
from exposure.ingest.preview import preview_file
from exposure.screening.matching import screen

BUYER = "Prime Aerospace Corporation"

# Identifiers in SAM.gov's forms (12 characters for a UEI, 5 for a CAGE code), made up.
ORBITAL_UEI, ORBITAL_CAGE = "JX7TLN4QKQ93", "5RT21"
ORBITAL_PARENT_UEI = "HP3MZ8WQ2LK7"
KESTREL_UEI, KESTREL_CAGE = "K9ZBW2TQ7HNV", "7LM45"
TOOLING_US_UEI, TOOLING_DE_UEI = "ACMXT2R4N8Q1", "ACMYT5W6P9Z3"

HEADERS = [
    "Vendor Number",
    "Vendor Name",
    "DBA",
    "Address Line 1",
    "City",
    "State",
    "Postal Code",
    "Country",
    "Phone",
    "Payment Terms",
    "Cost Centre",
    "Vendor UEI",
    "CAGE Code",
    "Parent Company",
    "Parent UEI",
    "Item / Service",
    "Annual Spend",
    "Criticality",
    "Essential",
    "Qualified Alternatives",
    "Months to Replace",
]
UNKNOWN = [
    "Vendor Number",
    "Address Line 1",
    "City",
    "State",
    "Postal Code",
    "Phone",
    "Payment Terms",
    "Cost Centre",
]

# Orbital is listed once per cost centre (rows 3 to 5 of the sheet, under a title row).
ORBITAL = [
    ("CC-100 Avionics", "$100,000", 2, "No", 3, 6),
    ("CC-200 Radar", "250000", 4, "Yes", 1, 12),
    ("CC-300 Test", "50,000", 3, "No", 2, 9),
]


def vendor_master(path: Path) -> Path:
    """An ERP vendor master: a title row, then the header row (row 2), then vendors."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Vendors"
    sheet.append(["Vendor master export - Prime Aerospace - FY2026"])
    sheet.append(HEADERS)
    for centre, spend, criticality, essential, alternatives, months in ORBITAL:
        sheet.append(
            [
                "V000117",
                "Orbital Sensors LLC",
                "Orbital",
                "12 Apogee Way",
                "Huntsville",
                "AL",
                "35801",
                "USA",
                "+1 256 555 0101",
                "Net 30",
                centre,
                ORBITAL_UEI,
                ORBITAL_CAGE,
                "Orbital Holdings Inc",
                ORBITAL_PARENT_UEI,
                "Star trackers",
                spend,
                criticality,
                essential,
                alternatives,
                months,
            ]
        )
    sheet.append(
        [
            "V000245",
            "Kestrel Analytics Inc",
            None,
            "400 Bay St",
            "Toronto",
            "ON",
            "M5H 2Y4",
            "Canada",
            "+1 416 555 0199",
            "Net 45",
            "CC-200 Radar",
            KESTREL_UEI,
            KESTREL_CAGE,
            None,
            None,
            "Analytics platform",
            "80000",
            3,
            "No",
            2,
            4,
        ]
    )
    # Two companies of one name, told apart by their UEIs (and countries).
    for number, uei, country, spend in (
        ("V000301", TOOLING_US_UEI, "USA", "12000"),
        ("V000302", TOOLING_DE_UEI, "Germany", "34000"),
    ):
        sheet.append(
            [
                number,
                "Acme Tooling",
                None,
                "1 Main St",
                "Springfield",
                None,
                "01101",
                country,
                None,
                "Net 60",
                "CC-100 Avionics",
                uei,
                None,
                None,
                None,
                "Fixtures",
                spend,
                2,
                "No",
                4,
                2,
            ]
        )
    sheet.append(
        [
            "V000400",
            "Local Janitorial",
            None,
            "9 Elm St",
            "Huntsville",
            "AL",
            "35802",
            None,
            None,
            "Net 15",
            "CC-900 Facilities",
            None,
            None,
            None,
            None,
            "Cleaning",
            "9000",
            1,
            "No",
            10,
            1,
        ]
    )
    book.save(path)
    return path


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return vendor_master(tmp_path / "erp_vendor_master.xlsx")


def org(db: Path, name: str) -> tuple:
    """(uei, cage, country, aliases, parent name, parent UEI) of the organizations named so."""
    return rows(
        db,
        "SELECT o.uei, o.cage, o.country, o.aliases, p.name, p.uei FROM orgs o "
        "LEFT JOIN orgs p ON p.org_id = o.parent_id WHERE o.name = ? ORDER BY o.uei",
        [name],
    )


def test_a_vendor_master_loads_with_its_suppliers_identifiers(db_path: Path, master: Path):
    code, output = run_cli("--db", db_path, "load", master, "--buyer", BUYER)
    assert code == 0, output
    assert [(kind, n) for kind, n in rows(db_path, "SELECT kind, rows FROM sources")] == [
        ("vendors", 7),
        # Orbital once (its three rows state the same identifiers), its parent, Kestrel, the
        # two Acme Tooling companies, Local Janitorial.
        ("vendors: organizations", 6),
    ]
    assert org(db_path, "Orbital Sensors LLC") == [
        (
            ORBITAL_UEI,
            ORBITAL_CAGE,
            "USA",
            ["Orbital"],
            "Orbital Holdings Inc",
            ORBITAL_PARENT_UEI,
        )
    ]
    assert org(db_path, "Kestrel Analytics Inc") == [
        (KESTREL_UEI, KESTREL_CAGE, "Canada", [], None, None)
    ]
    assert org(db_path, "Acme Tooling") == [
        (TOOLING_US_UEI, None, "USA", [], None, None),
        (TOOLING_DE_UEI, None, "Germany", [], None, None),
    ]
    assert org(db_path, "Local Janitorial") == [(None, None, None, [], None, None)]
    # Each dependency reaches the supplier of its row's UEI: the two Acme Tooling companies
    # get one edge each, with their own values.
    assert rows(
        db_path,
        "SELECT s.uei, e.annual_value_usd FROM edges e JOIN orgs s ON s.org_id = e.supplier_id "
        "JOIN orgs b ON b.org_id = e.buyer_id WHERE s.name = 'Acme Tooling' AND b.name = ? "
        "ORDER BY s.uei",
        [BUYER],
    ) == [(TOOLING_US_UEI, 12000.0), (TOOLING_DE_UEI, 34000.0)]
    # The columns it does not know: one warning, listing every one with its column.
    [(detail, row)] = rows(
        db_path, "SELECT detail, row FROM dq_issues WHERE issue = 'unknown_column'"
    )
    assert row == 2
    for header in UNKNOWN:
        letter = openpyxl.utils.get_column_letter(HEADERS.index(header) + 1)
        assert f"'{header}' (column {letter})" in detail
    assert "'Vendor Name'" not in detail and "'Country'" not in detail
    assert "Cost Centre" in output  # the load's note says so too


def test_a_vendor_repeated_per_cost_centre_is_one_dependency_merged_prudently(
    db_path: Path, master: Path
):
    con = connect(db_path)
    try:
        report = load_files(con, [master], LoadOptions(buyer=BUYER))
        assert report.data_quality["duplicate_rows_merged"] == 1
        [edge] = con.execute(
            "SELECT e.edge_id, e.annual_value_usd, e.criticality, e.essential, e.alternatives, "
            "e.replacement_months, e.n_sources FROM edges e "
            "JOIN orgs s ON s.org_id = e.supplier_id WHERE s.name = 'Orbital Sensors LLC'"
        ).fetchall()
        # Sum of the values, highest criticality, essential if any, fewest alternatives,
        # longest replacement.
        assert edge[1:] == (400_000.0, 4, True, 1, 12.0, 3)
        evidence = con.execute(
            "SELECT source_file, sheet, row, other_sources, other_evidence FROM edge_evidence "
            "WHERE edge_id = ?",
            [edge[0]],
        ).fetchall()
        assert evidence == [
            (
                "erp_vendor_master.xlsx",
                "Vendors",
                3,
                2,
                "erp_vendor_master.xlsx [Vendors] row 4; erp_vendor_master.xlsx [Vendors] row 5",
            )
        ]
        # Every source row is stored, with its provenance.
        assert con.execute(
            "SELECT list(_row ORDER BY _row) FROM stg_relationships WHERE supplier = ?",
            [ORBITAL_UEI],
        ).fetchall() == [([3, 4, 5],)]
        [(name, detail, row)] = con.execute(
            "SELECT name, detail, row FROM dq_issues WHERE issue = 'duplicate_rows_merged'"
        ).fetchall()
        assert (name, row) == ("Orbital Sensors LLC", 3)
        assert "(rows 3, 4, 5)" in detail and "400,000.00" in detail
    finally:
        con.close()


def test_strict_refuses_the_master_naming_file_sheet_row_and_column(db_path: Path, master: Path):
    connect(db_path).close()  # the database exists, empty
    before = snapshot(db_path)
    con = connect(db_path)
    try:
        with pytest.raises(LoadError) as raised:
            load_files(con, [master], LoadOptions(buyer=BUYER, strict=True))
    finally:
        con.close()
    assert snapshot(db_path) == before
    spots = {(p.file, p.sheet, p.row, p.column): p.message for p in raised.value.problems}
    file, sheet = "erp_vendor_master.xlsx", "Vendors"
    for header in UNKNOWN:
        message = spots[(file, sheet, 2, header)]
        assert "unknown column" in message and "--strict" in message
    repeats = [spots.get((file, sheet, row, "Vendor Name"), "") for row in (4, 5)]
    assert all("duplicate row" in m and "of row 3" in m for m in repeats), repeats
    phone = next(p for p in raised.value.problems if p.column == "Phone")
    assert phone.cell == "I2"
    # The command line says the same, and stores nothing.
    code, output = run_cli("--db", db_path, "load", master, "--buyer", BUYER, "--strict")
    assert code != 0 and "nothing was loaded" in output
    assert "erp_vendor_master.xlsx, sheet 'Vendors', row 2, column 'Payment Terms'" in output
    assert snapshot(db_path) == before


def test_vendors_are_screened_by_identifier_and_matched_by_uei(tmp_path: Path, master: Path):
    db = tmp_path / "screen.duckdb"
    con = connect(db)
    try:
        load_files(con, [master], LoadOptions(buyer=BUYER))
        # A list naming the vendor otherwise: only the UEI (or the CAGE code) can find it.
        listed = tmp_path / "sam.csv"
        listed.write_text(
            "Classification,Name,Unique Entity ID,CAGE,Excluding Agency,Exclusion Type\n"
            f'Firm,"KESTREL HOLDINGS GROUP",{KESTREL_UEI},,DLA,Prohibition/Restriction\n'
            f'Firm,"ORB SENSOR SYSTEMS",,{ORBITAL_CAGE},DLA,Prohibition/Restriction\n',
            encoding="utf-8",
        )
        matches = screen(con, listed).matches
        confirmed = matches[matches["confirmed"]]
        found = {
            con.execute("SELECT name FROM orgs WHERE org_id = ?", [int(o)]).fetchone()[0]: m
            for o, m in zip(confirmed["org_id"], confirmed["match"], strict=True)
        }
        assert found == {"Kestrel Analytics Inc": "uei", "Orbital Sensors LLC": "cage"}
        # Another file naming a vendor by its UEI reaches the same organization.
        other = tmp_path / "subcontracts.csv"
        other.write_text(
            f"buyer,supplier,relation,product\nGlobal Integrator,{KESTREL_UEI},saas,Dashboards\n",
            encoding="utf-8",
        )
        load_files(con, [other])
        assert con.execute(
            "SELECT s.name, count(*) FROM edges e JOIN orgs s ON s.org_id = e.supplier_id "
            "WHERE s.uei = ? GROUP BY s.name",
            [KESTREL_UEI],
        ).fetchall() == [("Kestrel Analytics Inc", 2)]
    finally:
        con.close()


def test_loading_the_master_again_is_already_loaded_and_the_identifiers_stay(
    db_path: Path, master: Path
):
    con = connect(db_path)
    try:
        load_files(con, [master], LoadOptions(buyer=BUYER))
    finally:
        con.close()
    before = snapshot(db_path)
    code, output = run_cli("--db", db_path, "load", master, "--buyer", BUYER)
    assert code == 0 and "already loaded" in output, output
    code, output = run_cli("--db", db_path, "load", master, "--kind", "organizations")
    assert code == 0 and "already loaded" in output, output
    assert snapshot(db_path) == before
    assert org(db_path, "Kestrel Analytics Inc")[0][:3] == (KESTREL_UEI, KESTREL_CAGE, "Canada")


def test_identifiers_that_conflict_with_known_ones_go_to_data_quality(tmp_path: Path, master: Path):
    known = tmp_path / "organizations.csv"
    known.write_text(
        f"name,uei,cage,country\nOrbital Sensors LLC,{ORBITAL_UEI},9ZZ99,USA\n", encoding="utf-8"
    )
    db = tmp_path / "conflict.duckdb"
    con = connect(db)
    try:
        load_files(con, [known])
        load_files(con, [master], LoadOptions(buyer=BUYER))
    finally:
        con.close()
    # The CAGE code declared first stays; the vendor list's other one is listed, at its row.
    assert org(db, "Orbital Sensors LLC")[0][:3] == (ORBITAL_UEI, "9ZZ99", "USA")
    [(detail, file, sheet, row)] = rows(
        db,
        "SELECT detail, source_file, sheet, row FROM dq_issues "
        "WHERE issue = 'identifier_conflict' AND name = 'Orbital Sensors LLC'",
    )
    assert ORBITAL_CAGE in detail and "9ZZ99" in detail and "kept 9ZZ99" in detail
    assert (file, sheet, row) == ("erp_vendor_master.xlsx", "Vendors", 3)
    # The same country spelled alike is no conflict.
    assert not rows(db, "SELECT * FROM dq_issues WHERE detail LIKE '%country%'")


def test_a_vendor_list_without_identifier_columns_declares_no_organizations(tmp_path: Path):
    path = tmp_path / "vendors.csv"
    path.write_text("Vendor,Annual Spend\nContoso Cloud,1200\n", encoding="utf-8")
    db = tmp_path / "plain.duckdb"
    con = connect(db)
    try:
        report = load_files(con, [path], LoadOptions(buyer=BUYER))
    finally:
        con.close()
    assert [s.kind for s in report.loaded] == ["vendors"]
    assert rows(db, "SELECT count(*) FROM stg_organizations") == [(0,)]
    assert not rows(db, "SELECT * FROM dq_issues")


# --- Hints ------------------------------------------------------------------------------------

UEIS = ["ZQGGHJH74DW7", "J7M9HPTGJ1S9", "KX4RT7NMB2C8", "W3ZQ8RLM5T2H"]
CAGES = ["1BP01", "5RT21", "SCJ36", "0Z4V1"]
NAMES = ["Orbital Sensors LLC", "Kestrel Analytics Inc", "Acme Tooling"]
ROW_NUMBERS = [str(n) for n in range(1, 30)]


@pytest.mark.parametrize(
    ("header", "values", "kind", "taken", "expected"),
    [
        # The issue's cases: a hint mapping UEIs into used_in or row numbers into supplier is
        # worse than none.
        ("UEI", UEIS, "relationships", set(), None),
        ("supplierID", ROW_NUMBERS, "relationships", set(), None),
        ("supplierID", ROW_NUMBERS, "vendors", {"annual_value_usd"}, None),
        ("SupplierID", ROW_NUMBERS, "relationships", {"buyer", "supplier"}, None),
        # A 12-character UEI-like code is not a product, a used_in or a program.
        ("Product Code", UEIS, "relationships", set(), None),
        ("Used In Ref", UEIS, "relationships", set(), None),
        # An identifier column is offered uei or cage when its cells have their form.
        ("Vendor ID No", UEIS, "vendors", set(), "uei"),
        ("SAM Ref", CAGES, "vendors", set(), "cage"),
        ("Parent Entity ID", UEIS, "vendors", set(), "parent_uei"),
        ("Vendor ID No", UEIS, "vendors", {"uei"}, None),
        # Names close to a column, whose cells fit it.
        ("Vendr", NAMES, "relationships", set(), "supplier"),
        ("Vendr", ROW_NUMBERS, "relationships", set(), None),
        ("Spend Amt", ["$1,200", "300", "12k"], "vendors", set(), "annual_value_usd"),
        ("Spend Amt", ["high", "low"], "vendors", set(), None),
        ("Criticality Score", ["7", "9", "8"], "vendors", set(), None),
        ("Criticality Score", ["1", "5", "3"], "vendors", set(), "criticality"),
        ("Suplier", NAMES, "relationships", {"supplier"}, None),
    ],
)
def test_hints_offer_only_columns_the_cells_fit(header, values, kind, taken, expected):
    assert suggest_column(header, values, kind, taken).column == expected


def test_the_issue_hint_cases_in_a_refused_file(tmp_path: Path):
    """A relationships sheet with a UEI column and a supplierID of row numbers, no supplier:
    refused for the missing supplier, and no hint sends UEIs to used_in or numbers to supplier."""
    path = tmp_path / "their.csv"
    lines = ["buyer,supplierID,UEI,product"]
    lines += [f"{BUYER},{n},{UEIS[n % 4]},Widgets {n}" for n in range(1, 30)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "hints.duckdb"
    con = connect(db)
    try:
        with pytest.raises(LoadError) as raised:
            load_files(con, [path])
    finally:
        con.close()
    by_column = {p.column: p.message for p in raised.value.problems}
    assert "missing the required column 'supplier'" in by_column["supplier"]
    assert "Did you mean" not in by_column["supplierID"]
    assert "It is not 'supplier'" in by_column["supplierID"]
    assert "Did you mean" not in by_column["UEI"]  # above all, not 'used_in'
    assert "the form of UEIs" in by_column["UEI"] and "--buyer" in by_column["UEI"]
    # The preview of the upload gives the same hints, per header.
    preview = preview_file(path, "their.csv")
    hints = {h.header: (h.hint, h.note) for h in preview.sheets[0].headers}
    assert hints["UEI"][0] is None and "UEI" in hints["UEI"][1]
    assert hints["supplierID"][0] is None


def test_unknown_columns_with_a_supplier_present_load_with_sound_hints(tmp_path: Path):
    path = tmp_path / "their.csv"
    lines = ["buyer,supplier,supplierID,UEI,product"]
    lines += [f"{BUYER},Vendor {n},{n},{UEIS[n % 4]},Widgets {n}" for n in range(1, 30)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "lenient.duckdb"
    con = connect(db)
    try:
        load_files(con, [path])
        # Nothing of the unknown columns went anywhere: no product or used_in is a UEI, no
        # organization is named by a row number.
        assert not con.execute(
            "SELECT * FROM edges WHERE used_in IS NOT NULL OR product NOT LIKE 'Widgets %'"
        ).fetchall()
        assert not con.execute(
            "SELECT * FROM orgs WHERE regexp_full_match(name, '[0-9]+')"
        ).fetchall()
        [(detail,)] = con.execute(
            "SELECT detail FROM dq_issues WHERE issue = 'unknown_column'"
        ).fetchall()
    finally:
        con.close()
    assert "'supplierID' (column #3)" in detail and "'UEI' (column #4)" in detail
    assert "Did you mean" not in detail


def test_placeholders_in_identifier_columns_are_blank(tmp_path: Path):
    path = tmp_path / "vendors.csv"
    path.write_text(
        "Vendor Name,UEI,CAGE Code,Annual Spend\n"
        f"Kestrel Analytics Inc,{KESTREL_UEI},N/A,100\n"
        "Local Janitorial,none,-,50\n"
        "Small Shop,Pending,,10\n",
        encoding="utf-8",
    )
    db = tmp_path / "placeholders.duckdb"
    con = connect(db)
    try:
        load_files(con, [path], LoadOptions(buyer=BUYER))
    finally:
        con.close()
    assert rows(db, "SELECT name, uei, cage FROM orgs WHERE declared ORDER BY name") == [
        ("Kestrel Analytics Inc", KESTREL_UEI, None),
        ("Local Janitorial", None, None),
        ("Small Shop", None, None),
    ]


def test_a_vendor_column_read_as_organizations_is_offered_name():
    hint = suggest_column("Vendor Name", NAMES, "organizations")
    assert hint.column == "name"
    assert suggest_column("Vendor Name", ROW_NUMBERS, "organizations").column is None


def test_a_corrected_master_replaces_the_identifiers_it_declared(tmp_path: Path, master: Path):
    db = tmp_path / "replace.duckdb"
    con = connect(db)
    try:
        load_files(con, [master], LoadOptions(buyer=BUYER))
        book = openpyxl.load_workbook(master)
        sheet = book["Vendors"]
        cage = HEADERS.index("CAGE Code") + 1
        for row in range(3, sheet.max_row + 1):
            if sheet.cell(row, 2).value == "Kestrel Analytics Inc":
                sheet.cell(row, cage).value = "8QW31"
        book.save(master)
        report = load_files(con, [master], LoadOptions(buyer=BUYER, replace=True))
        assert any("replaces the earlier load" in note for note in report.notes)
        assert con.execute(
            "SELECT count(*) FROM stg_organizations WHERE name = 'Kestrel Analytics Inc'"
        ).fetchall() == [(1,)]
    finally:
        con.close()
    assert org(db, "Kestrel Analytics Inc")[0][:2] == (KESTREL_UEI, "8QW31")
    assert not rows(db, "SELECT * FROM dq_issues WHERE issue = 'identifier_conflict'")


def test_an_erp_header_mapped_to_an_identifier(tmp_path: Path):
    path = tmp_path / "vendors.csv"
    path.write_text(
        f"Vendor,SAM Registration,Spend\nKestrel Analytics Inc,{KESTREL_UEI},100\n",
        encoding="utf-8",
    )
    db = tmp_path / "mapped.duckdb"
    con = connect(db)
    try:
        # Unmapped, the column is left out, and its hint names the column it fits.
        load_files(con, [path], LoadOptions(buyer=BUYER))
        [(detail,)] = con.execute(
            "SELECT detail FROM dq_issues WHERE issue = 'unknown_column'"
        ).fetchall()
        assert "Did you mean 'uei'?" in detail
        mapping = parse_mapping(["SAM Registration=uei"])
        load_files(con, [path], LoadOptions(buyer=BUYER, mapping=mapping, replace=True))
    finally:
        con.close()
    assert org(db, "Kestrel Analytics Inc")[0][0] == KESTREL_UEI
    with pytest.raises(LoadError, match="which a relationships sheet does not have"):
        con = connect(db)
        try:
            rel = tmp_path / "rel.csv"
            rel.write_text("buyer,supplier,Ref\nA Corp,B Corp,x\n", encoding="utf-8")
            load_files(con, [rel], LoadOptions(mapping=parse_mapping(["Ref=uei"])))
        finally:
            con.close()


def test_a_cage_code_whose_leading_zero_a_spreadsheet_dropped_is_restored(tmp_path):
    """Excel keeps an all-digit CAGE code as a number: 04939 comes back as 4939. The code is
    five characters, so the zeros are put back rather than the file refused."""
    from openpyxl import Workbook

    from exposure import connect, load_files
    from exposure.ingest.mapping import LoadOptions

    path = tmp_path / "vendors.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "Vendors"
    sheet.append(["Vendor Name", "CAGE Code", "Annual Spend"])
    sheet.append(["Oakridge Machining LLC", 4939, 1000])
    sheet.append(["Pillar Optics Inc", "1AB23", 2000])
    book.save(path)
    con = connect(tmp_path / "db.duckdb")
    try:
        load_files(con, [path], LoadOptions(buyer="Prime Co"))
        cages = dict(con.execute("SELECT name, cage FROM orgs WHERE cage IS NOT NULL").fetchall())
    finally:
        con.close()
    assert cages == {"Oakridge Machining LLC": "04939", "Pillar Optics Inc": "1AB23"}
