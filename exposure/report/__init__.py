"""The dependency assessment as tables, and its workbook, CSV and JSON forms."""
