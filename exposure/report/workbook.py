"""The dependency assessment workbook (SPEC 5.1), written with openpyxl from the tables.

:func:`write_workbook` takes an :class:`~exposure.report.tables.AssessmentTables` (frames, never the
database) and writes Summary, then one sheet per frame of :data:`~exposure.report.catalogue.SHEETS`:
Affected organizations, Exposure paths, Programs and contracts, Remediation, Reporting,
Screening, Data quality, Sources. Each data sheet has a title, a caption and its caveats above a frozen,
filtered header row; columns get widths from their contents, money and date formats, and fills
by tier, impact band and late flag. Summary states the scenario and its parameters, the data
version with the hash of every loaded file, the headline figures, tier and kind tables with
bar charts of exposure by tier, and a signature block. Pages print landscape, one page wide,
with the header row repeated.

openpyxl builds all of that; the data rows are streamed into each sheet's XML by
:mod:`exposure.report.xlsx_cells`, a column at a time, so tens of thousands of rows take seconds.
No cell is ever a formula: data text is written as inline strings, and text openpyxl writes
(titles, Summary values) is forced to the string type. The file appears at ``path`` only once
complete (written beside it, then renamed).
"""

from __future__ import annotations

import logging
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from exposure.core.cells import is_formula_like
from exposure.report.catalogue import INTERNAL_COLUMNS, Sheet, column_label
from exposure.report.companions import spill
from exposure.report.tables import AssessmentTables
from exposure.report.xlsx_cells import MAX_CELL_TEXT, ColumnFormat, Kind, rows_xml

__all__ = ["MAX_SHEET_ROWS", "write_workbook"]

logger = logging.getLogger(__name__)

MAX_SHEET_ROWS = 1_048_576
LINE_POINTS = 15.0
# Column-width units that print legibly on one landscape page.
PAGE_WIDTH = 260.0
USD = '"$"#,##0'
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm:ss"
NAVY = "1F3864"
# Tier 0 (designated) darkest; deeper tiers fade.
TIER_FILLS = ("C00000", "FF7C80", "F8CBAD", "FFE699", "FFF2CC")
# Impact bands: above 0, at least .25, .5, .75.
IMPACT_THRESHOLDS = (1e-9, 0.25, 0.5, 0.75)
IMPACT_FILLS = ("FFF2CC", "FFE699", "F8CBAD", "FF7C80")
LATE_FILL, LATE_FONT = "FFC7CE", "9C0006"
WRAPPED = frozenset(
    {
        "action",
        "notes",
        "item_description",
        "mitigation_actions",
        "detail",
        "chain",
        "shortest_chain",
        "other_evidence",
        "suppliers",
        "products",
        "contract_note",
        "reason",
        "cross_reference",
    }
)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Styles:
    """Cell format ids registered in the workbook, one per distinct look."""

    def __init__(self, workbook: Workbook) -> None:
        self._sheet = workbook.active
        self._ids: dict[tuple[object, ...], int] = {}

    def id(
        self,
        *,
        number_format: str | None = None,
        fill: str | None = None,
        font: Font | None = None,
        wrap: bool = False,
        quote: bool = False,
        top: bool = True,
    ) -> int:
        key = (number_format, fill, font, wrap, quote, top)
        if key not in self._ids:
            cell = Cell(self._sheet)
            if number_format:
                cell.number_format = number_format
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            if font is not None:
                cell.font = font
            if wrap or top:
                cell.alignment = Alignment(wrap_text=wrap, vertical="top" if top else None)
            if quote:
                cell.quotePrefix = True
            self._ids[key] = int(cell.style_id)
        return self._ids[key]


def _kind(name: str, series: pd.Series) -> Kind:
    if name.endswith("_usd"):
        return "usd"
    if name in ("tier", "impact"):
        return "tier" if name == "tier" else "impact"
    if pd.api.types.is_bool_dtype(series.dtype):
        return "flag"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        moments = series.dropna()
        return "date" if bool((moments == moments.dt.normalize()).all()) else "datetime"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "number"
    if pd.api.types.infer_dtype(series, skipna=True) == "boolean":
        return "flag"
    return "text"


def _formats(frame: pd.DataFrame, styles: _Styles) -> list[ColumnFormat]:
    formats = []
    for index, name in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        kind = _kind(str(name), frame[name])
        if kind == "text":
            wrap = name in WRAPPED
            formats.append(
                ColumnFormat(
                    letter,
                    kind,
                    styles.id(wrap=wrap),
                    styles.id(wrap=wrap, quote=True),
                )
            )
        elif kind == "usd":
            formats.append(ColumnFormat(letter, kind, styles.id(number_format=USD)))
        elif kind == "date":
            formats.append(ColumnFormat(letter, kind, styles.id(number_format=DATE)))
        elif kind == "datetime":
            formats.append(ColumnFormat(letter, kind, styles.id(number_format=DATETIME)))
        elif kind == "tier":
            bands = tuple(
                styles.id(
                    number_format="0",
                    fill=fill,
                    font=Font(bold=True, color="FFFFFF") if tier == 0 else None,
                )
                for tier, fill in enumerate(TIER_FILLS)
            )
            formats.append(ColumnFormat(letter, kind, styles.id(number_format="0"), bands=bands))
        elif kind == "impact":
            plain = styles.id(number_format="0.00")
            bands = (plain, *(styles.id(number_format="0.00", fill=f) for f in IMPACT_FILLS))
            formats.append(
                ColumnFormat(letter, kind, plain, bands=bands, thresholds=IMPACT_THRESHOLDS)
            )
        elif kind == "flag":
            plain = styles.id()
            yes = (
                styles.id(fill=LATE_FILL, font=Font(color=LATE_FONT, bold=True))
                if name == "late"
                else plain
            )
            formats.append(ColumnFormat(letter, kind, plain, bands=(plain, yes)))
        else:
            integer = pd.api.types.is_integer_dtype(frame[name].dtype)
            formats.append(
                ColumnFormat(letter, kind, styles.id(number_format="#,##0" if integer else None))
            )
    return formats


def _width(name: str, series: pd.Series, kind: Kind) -> float:
    label = len(column_label(name))
    fixed = {"usd": 16, "date": 12, "datetime": 19, "tier": 7, "impact": 9, "flag": 8}
    if kind in fixed:
        return max(fixed[kind], min(label, 14) + 2)
    if kind == "number":
        return max(9, min(label, 14) + 2)
    lengths = series.dropna().astype("string[pyarrow]").str.len()
    longest = float(lengths.quantile(0.95)) if len(lengths) else 0.0
    cap = 70 if name in WRAPPED else 45
    return float(min(cap, max(8, longest + 2, min(label, 18) + 2)))


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)[:MAX_CELL_TEXT]


def _put(
    sheet: Worksheet, row: int, column: int, value: object, style: dict[str, object] | None = None
) -> Cell:
    """Write one cell through openpyxl; text is always a string, never a formula."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = _clean(value)
        cell.value = text
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
    elif value is None or (isinstance(value, float) and np.isnan(value)):
        cell.value = None
    elif isinstance(value, pd.Timestamp):
        cell.value = value.to_pydatetime()
    else:
        cell.value = value
    for attribute, setting in (style or {}).items():
        setattr(cell, attribute, setting)
    return cell


TITLE = {"font": Font(bold=True, size=15, color=NAVY)}
CAPTION = {"font": Font(italic=True, color="595959")}
HEADER = {
    "font": Font(bold=True, color="FFFFFF"),
    "fill": PatternFill("solid", fgColor=NAVY),
    "alignment": Alignment(wrap_text=True, vertical="center"),
}
SECTION = {"font": Font(bold=True, color=NAVY)}


def _page_setup(sheet: Worksheet, tables: AssessmentTables, header_row: int, width: float) -> None:
    """Landscape, header row repeated, as many pages wide as keep text legible."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = max(1, math.ceil(width / PAGE_WIDTH))
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddHeader.left.text = f"Dependency assessment: {tables.scenario}"
    sheet.oddHeader.right.text = f"data version {tables.data_version}"
    sheet.oddFooter.left.text = "&A"
    sheet.oddFooter.right.text = "Page &P of &N"


@dataclass
class _Body:
    """Rows to stream into a sheet's XML once openpyxl has written the rest."""

    sheet: Worksheet
    frame: pd.DataFrame
    formats: list[ColumnFormat]
    first_row: int
    last_cell: str

    heights: np.ndarray | None = None

    def chunks(self) -> Iterator[memoryview]:
        return rows_xml(self.frame, self.formats, self.first_row, heights=self.heights)


def _row_heights(frame: pd.DataFrame, widths: dict[str, float]) -> np.ndarray | None:
    """Points per row so wrapped text shows (at most 10 lines); NaN keeps the default."""
    lines = np.ones(len(frame))
    for name, width in widths.items():
        if name in WRAPPED and name in frame.columns:
            lengths = frame[name].astype("string[pyarrow]").str.len().fillna(0).to_numpy(float)
            lines = np.maximum(lines, np.ceil(lengths / max(width * 1.15, 8)))
    if not (lines > 1).any():
        return None
    return np.where(lines > 1, LINE_POINTS * np.minimum(lines, 10), np.nan)


def _data_sheet(
    workbook: Workbook,
    styles: _Styles,
    tables: AssessmentTables,
    sheet: Sheet,
    title: str,
    frame: pd.DataFrame,
) -> _Body:
    frame = frame[[c for c in frame.columns if c not in INTERNAL_COLUMNS]]
    ws = workbook.create_sheet(title)
    who = f" of {tables.for_org}" if tables.for_org else ""
    _put(ws, 1, 1, f"{sheet.title}{who}: {tables.scenario}", TITLE)
    _put(ws, 2, 1, sheet.description, CAPTION)
    notes = list(tables.notes.get(sheet.title, ()))
    if frame.empty:
        notes.append("No rows.")
    for offset, note in enumerate(notes):
        _put(ws, 3 + offset, 1, note, CAPTION)
    header_row = 4 + len(notes)
    formats = _formats(frame, styles)
    widths: dict[str, float] = {}
    for index, (name, fmt) in enumerate(zip(frame.columns, formats, strict=True), start=1):
        _put(ws, header_row, index, column_label(str(name)), HEADER)
        widths[str(name)] = _width(str(name), frame[name], fmt.kind)
        ws.column_dimensions[fmt.letter].width = widths[str(name)]
    ws.row_dimensions[header_row].height = 32
    last_column = get_column_letter(max(1, len(frame.columns)))
    last_row = header_row + len(frame)
    ws.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    ws.freeze_panes = f"{get_column_letter(sheet.freeze_columns + 1)}{header_row + 1}"
    _page_setup(ws, tables, header_row, sum(widths.values()))
    return _Body(
        ws,
        frame,
        formats,
        header_row + 1,
        f"{last_column}{last_row}",
        _row_heights(frame, widths),
    )


def _summary_sheet(workbook: Workbook, tables: AssessmentTables) -> None:
    """Facts in columns A-C, then the sign-off block; charts and small tables in E-H."""
    ws = workbook.active
    ws.title = "Summary"
    who = f" of {tables.for_org}" if tables.for_org else ""
    _put(ws, 1, 1, f"Dependency assessment{who}: {tables.scenario}", TITLE)
    _put(
        ws,
        2,
        1,
        "Exposure to a supply-chain risk designation through the dependency network: who is "
        "exposed, through which chain, what to replace by when, and what to report.",
        CAPTION,
    )
    header_row = 4
    for column, label in enumerate(("Section", "Fact", "Value"), start=1):
        _put(ws, header_row, column, label, HEADER)
    value_width = 80
    left = {"alignment": Alignment(wrap_text=True, vertical="top", horizontal="left")}
    row, previous = header_row, None
    for fact in tables.summary.to_dict("records"):
        row += 1
        if fact["section"] != previous:
            _put(ws, row, 1, str(fact["section"]), SECTION)
            previous = fact["section"]
        _put(ws, row, 2, str(fact["fact"]), {"alignment": Alignment(vertical="top")})
        value = fact["value"]
        cell = _put(ws, row, 3, value, left)
        if isinstance(value, float) and "(USD)" in str(fact["fact"]):
            cell.number_format = USD
        elif isinstance(value, datetime):
            cell.number_format = DATETIME
        elif isinstance(value, date):
            cell.number_format = DATE
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = "#,##0"
        lines = math.ceil(len(str(fact["text"])) / (value_width * 1.15))
        if lines > 1:
            ws.row_dimensions[row].height = LINE_POINTS * min(lines, 10)
    row += 2
    _put(ws, row, 1, "Sign-off", SECTION)
    line = {"border": Border(bottom=Side(style="thin"))}
    for label in (
        "Prepared by (name, title)",
        "Signature and date",
        "Reviewed and approved by (name, title)",
        "Signature and date",
    ):
        row += 1
        _put(ws, row, 2, label)
        _put(ws, row, 3, None, line)

    tiers = len(tables.by_tier)
    tier_row = _small_table(
        ws,
        40,
        "Affected organizations by tier",
        tables.by_tier[["label", "organizations", "value_at_risk_usd", "late"]],
    )
    if tiers:
        for title, column, anchor in (
            ("Affected organizations by tier", 6, "E4"),
            ("Value at risk by tier (USD)", 7, "E21"),
        ):
            chart = BarChart()
            chart.type = "col"
            chart.title = title
            chart.style = 10
            chart.legend = None
            chart.y_axis.title = "organizations" if column == 6 else "USD"
            chart.x_axis.title = "tier (0 = designated, 1 = direct)"
            data = Reference(ws, min_col=column, min_row=tier_row, max_row=tier_row + tiers)
            categories = Reference(ws, min_col=5, min_row=tier_row + 1, max_row=tier_row + tiers)
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(categories)
            chart.height, chart.width = 7.5, 15
            ws.add_chart(chart, anchor)
    _small_table(
        ws,
        tier_row + tiers + 2,
        "Affected organizations by kind",
        tables.by_kind[["kind", "organizations", "value_at_risk_usd", "late"]],
    )
    for letter, width in (("A", 12), ("B", 38), ("C", value_width), ("D", 3)):
        ws.column_dimensions[letter].width = width
    for letter, width in (("E", 18), ("F", 14), ("G", 18), ("H", 8)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    _page_setup(ws, tables, header_row, 150)


def _small_table(ws: Worksheet, row: int, title: str, frame: pd.DataFrame) -> int:
    """A titled table in columns E-H; returns its header row."""
    _put(ws, row, 5, title, SECTION)
    row += 1
    labels = {"label": "Tier", "kind": "Kind", "organizations": "Organizations"}
    for column, name in enumerate(frame.columns, start=5):
        _put(ws, row, column, labels.get(str(name), column_label(str(name))), HEADER)
    for offset, record in enumerate(frame.itertuples(index=False), start=1):
        for column, value in enumerate(record, start=5):
            cell = _put(ws, row + offset, column, value.item() if hasattr(value, "item") else value)
            if frame.columns[column - 5] == "value_at_risk_usd":
                cell.number_format = USD
    return row


def _write_bodies(
    source: Path,
    target: Path,
    bodies: dict[str, _Body],
    step: Callable[[str, int, int], None],
) -> None:
    """Copy openpyxl's package, streaming each body's rows into its sheet's ``sheetData``
    (``step`` is told the title of each sheet as its rows are written)."""
    done = 0
    with (
        zipfile.ZipFile(source) as package,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as output,
    ):
        for info in package.infolist():
            data = package.read(info.filename)
            body = bodies.get(info.filename)
            if body is None:
                output.writestr(info, data)
                continue
            step(f"writing {body.sheet.title}", done, len(bodies))
            done += 1
            xml = data.decode("utf-8")
            head, tail = xml.split("</sheetData>", 1)
            head = re.sub(
                r'<dimension ref="[^"]*"\s*/>',
                f'<dimension ref="A1:{body.last_cell}"/>',
                head,
                count=1,
            )
            # Opened by name, the entry takes the archive's (fast) compression level.
            with output.open(info.filename, "w", force_zip64=True) as handle:
                handle.write(head.encode("utf-8"))
                for chunk in body.chunks():
                    handle.write(chunk)
                handle.write(("</sheetData>" + tail).encode("utf-8"))


def write_workbook(
    tables: AssessmentTables,
    path: Path,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    max_rows: int | None = None,
) -> Path:
    """Write the assessment workbook to ``path`` (.xlsx); return the path.

    No sheet holds more than ``max_rows`` rows (Excel's limit, :data:`MAX_SHEET_ROWS`, by
    default): a longer table keeps its first rows, with a note at the top of its sheet and on
    Summary, and is written whole beside the workbook (:mod:`exposure.report.companions`),
    listed in Sources. ``progress`` gets (label, done, total) calls.
    """
    step = progress or (lambda _label, _done, _total: None)
    path = Path(path)
    limit = MAX_SHEET_ROWS if max_rows is None else max_rows
    tables, _companions = spill(tables, path, max_rows=limit)
    workbook = Workbook()
    workbook.properties.title = f"Dependency assessment: {tables.scenario}"
    workbook.properties.subject = "Supply-chain risk designation: dependency assessment"
    workbook.properties.creator = "exposure"
    workbook.properties.description = (
        f"Scenario {tables.scenario}; data version {tables.data_version}"
        + (f"; for {tables.for_org}" if tables.for_org else "")
    )
    styles = _Styles(workbook)
    _summary_sheet(workbook, tables)
    bodies: list[_Body] = []
    sheets = tables.sheets()
    for index, (sheet, frame) in enumerate(sheets):
        step(f"preparing {sheet.title}", index, len(sheets))
        bodies.append(_data_sheet(workbook, styles, tables, sheet, sheet.title, frame))
    staging = path.with_name(f".{path.name}.{os.getpid()}.openpyxl")
    assembled = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        workbook.save(staging)
        by_part = {body.sheet.path.lstrip("/"): body for body in bodies}
        _write_bodies(staging, assembled, by_part, step)
        os.replace(assembled, path)
    finally:
        staging.unlink(missing_ok=True)
        assembled.unlink(missing_ok=True)
    step("done", 1, 1)
    logger.info("wrote %s", path)
    return path
