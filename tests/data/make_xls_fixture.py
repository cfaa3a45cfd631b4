"""Write tests/data/bad/legacy.xls, a legacy Excel 97-2003 workbook (needs `pip install xlwt`).

The .xls is committed; this script only documents how it was made. Row 3 of the relationships
sheet has text in Annual Spend (a bad cell); everything else is valid. The workbook starts at B3
under a title row, to check that row numbers in messages match what Excel shows.
"""

from pathlib import Path

import xlwt

book = xlwt.Workbook()
orgs = book.add_sheet("organizations")
orgs.write(0, 0, "Legacy export (invented data)")
for column, header in enumerate(["name", "kind", "uei"]):
    orgs.write(2, column + 1, header)
for row, values in enumerate(
    [["Legacy Prime Inc", "prime", "LEGACY000001"], ["Old Vendor", "supplier", ""]]
):
    for column, value in enumerate(values):
        orgs.write(3 + row, column + 1, value)
rels = book.add_sheet("relationships")
for column, header in enumerate(["Customer", "Vendor", "Category", "Annual Spend", "Criticality"]):
    rels.write(0, column, header)
rels.write(1, 0, "LEGACY000001")
rels.write(1, 1, "Old Vendor")
rels.write(1, 2, "component")
rels.write(1, 3, 125000.5)
rels.write(1, 4, 4)
rels.write(2, 0, "Legacy Prime")
rels.write(2, 1, "Other Vendor")
rels.write(2, 2, "saas")
rels.write(2, 3, "lots")
rels.write(2, 4, 2)
book.save(str(Path(__file__).parent / "bad" / "legacy.xls"))
