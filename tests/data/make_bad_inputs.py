"""Regenerate the small fixture files used by tests/test_bad_input.py.

Run from anywhere: ``python tests/data/make_bad_inputs.py``. Writes ``tests/data/good/`` (valid
inputs) and ``tests/data/bad/`` (one file per kind of bad input). Standard library + openpyxl
only; every file is a few KB. Files that must be large are made inside the tests, in tmp_path.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
GOOD = HERE / "good"
BAD = HERE / "bad"

REL_HEADER = ["buyer", "supplier", "relation", "product", "annual_value_usd", "criticality"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook with the given sheets (rows written from A1); formulas stay formulas."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_zip_member(data: bytes, member: str, text: bytes) -> bytes:
    """The same zip with one member's content replaced."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, text if info.filename == member else src.read(info.filename))
    return out.getvalue()


LOL_DTD = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE worksheet [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def billion_laughs(
    data: bytes, prolog: bytes = b"", member: str = "xl/worksheets/sheet1.xml"
) -> bytes:
    """The workbook with a DTD of nested entities in one sheet and a cell that expands them.

    openpyxl writes strings inline, so the payload goes in the sheet XML (the cell whose text is
    'lol' becomes '&lol9;', a billion 'lol's if a parser expands it). ``prolog`` goes between
    the XML declaration and the DTD.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(member)
    xml = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml).replace(b"<t>lol</t>", b"<t>&lol9;</t>")
    declaration, dtd = LOL_DTD.split(b"\n", 1)
    return rewrite_zip_member(data, member, declaration + b"\n" + prolog + dtd + xml)


def good_files() -> None:
    GOOD.mkdir(exist_ok=True)
    write_csv(
        GOOD / "organizations.csv",
        [
            ["name", "kind", "uei", "cage", "country", "parent", "aliases"],
            ["Department of Defense", "agency", "", "", "US", "", "DoD"],
            ["Lockheed Martin Corporation", "prime", "ZFN2JJXBLZT3", "81755", "US", "", "Lockheed"],
            ["Northwind Analytics Inc.", "subcontractor", "", "", "US", "", ""],
            ["Contoso Cloud", "cloud_host", "", "", "US", "", ""],
            ["Anthropic PBC", "model_provider", "", "", "US", "", "Anthropic"],
        ],
    )
    write_csv(
        GOOD / "relationships.csv",
        [
            [*REL_HEADER, "used_in", "essential", "replacement_months", "dod_use"],
            [
                "Department of Defense",
                "Lockheed Martin Corporation",
                "prime_contract",
                "F-35 sustainment",
                "125000000",
                "5",
                "",
                "true",
                "36",
                "true",
            ],
            [
                "Lockheed Martin Corporation",
                "Northwind Analytics Inc.",
                "subcontract",
                "Fleet analytics",
                "2400000",
                "4",
                "F-35 sustainment",
                "false",
                "9",
                "true",
            ],
            [
                "Northwind Analytics Inc.",
                "Contoso Cloud",
                "cloud_hosting",
                "GovCloud compute",
                "310000",
                "3",
                "Fleet analytics",
                "false",
                "6",
                "true",
            ],
            [
                "Northwind Analytics Inc.",
                "Contoso Cloud",
                "model_api",
                "Model marketplace",
                "95000",
                "4",
                "Fleet analytics",
                "true",
                "4",
                "true",
            ],
            [
                "Contoso Cloud",
                "Anthropic PBC",
                "resells",
                "Claude API",
                "5000000",
                "3",
                "Model marketplace",
                "false",
                "3",
                "false",
            ],
        ],
    )
    write_csv(
        GOOD / "more_relationships.csv",
        [
            REL_HEADER,
            ["Department of Defense", "Initech Systems", "saas", "Ticketing", "40000", "2"],
            ["Initech Systems", "Contoso Cloud", "cloud_hosting", "Storage", "12000", "2"],
        ],
    )
    write_csv(
        GOOD / "vendors.csv",
        [
            ["Vendor", "Product", "Annual Spend"],
            ["Contoso Cloud", "GovCloud compute", "$120,000"],
            ["Anthropic PBC", "Claude API", "$45,000"],
            ["Northwind Analytics Inc.", "Fleet analytics", "$300,000"],
        ],
    )
    write_csv(
        GOOD / "synonyms.csv",
        [
            ["Customer", "Vendor", "Relationship Type", "Annual Spend"],
            ["Lockheed Martin Corporation", "Globex Components", "component", "$1,250,000"],
            ["Lockheed Martin Corporation", "Contoso Cloud", "cloud_hosting", "$80,000"],
        ],
    )
    title_rows: list[list[object]] = [
        ["Supplier dependencies, FY2026 (internal)"],
        [],
        ["Buyer", "Supplier", "Relation", "Product", "Annual Value (USD)", "Criticality"],
        ["Lockheed Martin Corporation", "Globex Components", "component", "Actuators", 800000, 4],
        ["Lockheed Martin Corporation", "Contoso Cloud", "cloud_hosting", "Storage", 60000, 2],
        ["Globex Components", "Contoso Cloud", "saas", "ERP", 30000, 2],
    ]
    (GOOD / "titled.xlsx").write_bytes(xlsx_bytes({"relationships": title_rows}))
    # The same layout with a bad criticality in Excel row 6 (title row 1, blank row 2, header row 3).
    bad_title_rows = [list(row) for row in title_rows]
    bad_title_rows[5][5] = 9
    (BAD / "titled_bad_criticality.xlsx").write_bytes(xlsx_bytes({"relationships": bad_title_rows}))


def bad_files() -> None:
    BAD.mkdir(exist_ok=True)
    ok = [
        "Lockheed Martin Corporation",
        "Globex Components",
        "component",
        "Actuators",
        "800000",
        "4",
    ]
    ok2 = ["Globex Components", "Contoso Cloud", "saas", "ERP", "30000", "2"]

    # 1. missing required column: a relationships sheet without supplier (xlsx names the sheet).
    (BAD / "missing_supplier.xlsx").write_bytes(
        xlsx_bytes(
            {
                "relationships": [
                    ["buyer", "relation", "product", "annual_value_usd"],
                    ["Lockheed Martin Corporation", "component", "Actuators", 800000],
                ]
            }
        )
    )
    write_csv(
        BAD / "missing_supplier.csv",
        [["buyer", "relation", "product", "annual_value_usd", "criticality"], ok[:1] + ok[2:]],
    )
    # 2. unknown header.
    write_csv(
        BAD / "unknown_header.csv",
        [[*REL_HEADER, "Colour"], [*ok, "red"], [*ok2, "blue"]],
    )
    # 3. text in annual_value_usd (row 3).
    write_csv(BAD / "text_value.csv", [REL_HEADER, ok, [*ok2[:4], "lots", "2"]])
    # 4. criticality 9 (row 4).
    write_csv(
        BAD / "criticality_9.csv",
        [
            REL_HEADER,
            ok,
            ok2,
            ["Contoso Cloud", "Anthropic PBC", "resells", "Claude API", "1000", "9"],
        ],
    )
    # 5. empty file; 6. header only.
    (BAD / "empty.csv").write_bytes(b"")
    write_csv(BAD / "header_only.csv", [REL_HEADER])
    # 7. duplicate rows (rows 3 and 4 are identical; row 4 repeats row 3).
    write_csv(BAD / "duplicate_rows.csv", [REL_HEADER, ok2, ok, ok])
    # 8. unknown relation type (row 3).
    write_csv(BAD / "unknown_relation.csv", [REL_HEADER, ok, [*ok2[:2], "friendship", *ok2[3:]]])
    # 9. buyer equal to supplier (row 3; the same organization spelled two ways).
    write_csv(
        BAD / "buyer_is_supplier.csv",
        [REL_HEADER, ok, ["Contoso Cloud", "CONTOSO CLOUD, Inc.", "saas", "ERP", "30000", "2"]],
    )
    # 10. truncated xlsx: a valid workbook cut in half.
    valid = xlsx_bytes({"relationships": [REL_HEADER, ok, ok2]})
    (BAD / "truncated.xlsx").write_bytes(valid[: len(valid) // 2])
    # 11. billion laughs in the sheet XML of an otherwise valid workbook.
    laughs = xlsx_bytes({"relationships": [["buyer", "supplier"], ["lol", "Contoso Cloud"]]})
    (BAD / "billion_laughs.xlsx").write_bytes(billion_laughs(laughs))
    # 11b. the same DTD pushed past the first 16 KB of the part by a comment in the prolog, in
    # a sheet that also holds a formula (so the sheet XML is parsed for formulas).
    laughs = xlsx_bytes(
        {
            "relationships": [
                ["buyer", "supplier", "annual_value_usd"],
                ["lol", "Contoso Cloud", "=1+1"],
            ]
        }
    )
    padding = b"<!--" + b" padding " * 3000 + b"-->\n"
    (BAD / "billion_laughs_padded.xlsx").write_bytes(billion_laughs(laughs, prolog=padding))
    # 12. cp1252 CSV: 0xE9 in the supplier of row 3.
    write_csv(
        BAD / "cp1252.csv",
        [REL_HEADER, ok, ["Contoso Cloud", "Société Générale", "saas", "Banking", "1000", "2"]],
        encoding="cp1252",
    )
    # 13. formulas in name cells: a real formula cell (xlsx, buyer of row 3) and formula text (csv).
    hyperlink = '=HYPERLINK("http://x","Acme")'
    (BAD / "formula_buyer.xlsx").write_bytes(
        xlsx_bytes({"relationships": [REL_HEADER, ok, [hyperlink, *ok2[1:]]]})
    )
    write_csv(BAD / "formula_supplier.csv", [REL_HEADER, ok, ok2, [ok[0], hyperlink, *ok[2:]]])
    # 14. over the size limit (with EXPOSURE_MAX_FILE_MB=0.001): a valid file of ~3 KB.
    write_csv(
        BAD / "oversize.csv",
        [REL_HEADER]
        + [
            [f"Buyer {i:03d} LLC", f"Supplier {i:03d} Corp", "saas", "Seats", "1000", "2"]
            for i in range(60)
        ],
    )


if __name__ == "__main__":
    BAD.mkdir(exist_ok=True)
    good_files()
    bad_files()
    for path in sorted([*GOOD.iterdir(), *BAD.iterdir()]):
        print(f"{path.relative_to(HERE)}  {path.stat().st_size} bytes")
