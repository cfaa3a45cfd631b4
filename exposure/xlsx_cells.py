"""Worksheet rows as SpreadsheetML, built a column at a time (no Python loop per cell).

openpyxl spends about ten microseconds on each cell it writes; a report of a few hundred
thousand rows would take minutes. The workbook writer (:mod:`exposure.workbook`) therefore
lets openpyxl build everything but the bulk of the data (styles, header rows, column widths,
filters, frozen panes, charts, print setup) and streams the data rows made here into each
sheet's ``<sheetData>``. Each column becomes the XML of its cells with vectorized string
operations (pyarrow-backed pandas strings), and rows are the concatenation of their cells.

What goes in a cell, by :class:`ColumnFormat` kind:

* ``text``: an inline string (``t="inlineStr"``), never a formula: no ``<f>`` element is ever
  written, so text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return stays
  text; such cells also get a style with ``quotePrefix`` (Excel's leading apostrophe), so
  editing the cell keeps it text. XML special characters are escaped, a carriage return as
  ``&#13;`` (XML parsers would turn a raw one into a line feed), characters XML cannot hold
  are dropped, and text is cut at Excel's 32,767 characters per cell;
* ``number``, ``usd``, ``tier``, ``impact``: ``<v>`` with the shortest round-trip decimal form;
  NaN and infinities are left empty;
* ``date``, ``datetime``: Excel serial numbers (days since 1899-12-30) with a date style;
* ``flag``: the text ``Yes`` or ``No``.

Missing values are omitted cells. Styles are ids of the workbook's cell formats (``s``),
chosen per cell by vectorized lookups (tier and impact bands, late flags).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["FORMULA_START", "MAX_CELL_TEXT", "ColumnFormat", "rows_xml"]

Kind = Literal["text", "number", "usd", "tier", "impact", "date", "datetime", "flag"]

MAX_CELL_TEXT = 32_767
# Characters a cell may not start with (OWASP CSV injection): the spreadsheet would run it.
FORMULA_START = r"^[=+\-@\t\r]"
_ILLEGAL_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_STRING = pd.StringDtype("pyarrow")


@dataclass(frozen=True)
class ColumnFormat:
    """How one column is written: its letter, kind and cell style ids.

    ``style`` is the default style id; ``quoted`` the style for formula-like text; ``bands``
    (for ``tier``, ``impact`` and ``flag`` columns) maps a band to a style: tier values
    ``0..len-1`` (the last band holds deeper tiers), impact thresholds (``thresholds[i]`` or
    more gets ``bands[i+1]``), or for flags ``bands[1]`` for Yes.
    """

    letter: str
    kind: Kind
    style: int = 0
    quoted: int = 0
    bands: tuple[int, ...] = ()
    thresholds: tuple[float, ...] = field(default=())


def _attribute(style_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    return np.where(style_ids > 0, ' s="' + style_ids.astype(str).astype(object) + '"', "")


def _escaped(text: pd.Series) -> pd.Series:
    text = text.str.slice(0, MAX_CELL_TEXT)
    text = text.str.replace(_ILLEGAL_XML, "", regex=True)
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        text = text.str.replace(raw, escaped, regex=False)
    return text


def _text_cells(values: pd.Series, column: ColumnFormat, refs: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), None).astype(_STRING)
    risky = text.str.contains(FORMULA_START, regex=True).fillna(False).to_numpy(dtype=bool)
    styles = np.where(risky, column.quoted, column.style).astype(np.int64)
    cells = (
        '<c r="'
        + refs
        + '"'
        + _attribute(styles)
        + ' t="inlineStr"><is><t xml:space="preserve">'
        + _escaped(text)
        + "</t></is></c>"
    )
    return cells.where(text.notna() & (text != ""), "")


def _number_text(numbers: pd.Series, *, whole: bool = False) -> pd.Series:
    """Shortest round-trip decimals; integers (and ``whole`` columns) without a fraction."""
    if pd.api.types.is_integer_dtype(numbers.dtype) or pd.api.types.is_bool_dtype(numbers.dtype):
        return numbers.astype("Int64").astype(_STRING)
    values = pd.to_numeric(numbers, errors="coerce").astype(float)
    values = values.where(np.isfinite(values.to_numpy()))
    if whole:
        return values.round().astype("Int64").astype(_STRING)
    return values.astype(_STRING)


def _value_cells(text: pd.Series, styles: npt.NDArray[np.int64], refs: pd.Series) -> pd.Series:
    cells = '<c r="' + refs + '"' + _attribute(styles) + "><v>" + text + "</v></c>"
    return cells.where(text.notna(), "")


def _band_styles(values: pd.Series, column: ColumnFormat) -> npt.NDArray[np.int64]:
    numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    bands = np.asarray(column.bands or (column.style,), dtype=np.int64)
    if column.kind == "tier":
        index = np.clip(np.nan_to_num(numbers, nan=0).astype(np.int64), 0, len(bands) - 1)
    else:
        index = np.searchsorted(np.asarray(column.thresholds), np.nan_to_num(numbers), "right")
    return np.where(np.isnan(numbers), column.style, bands[index]).astype(np.int64)


def _column_cells(values: pd.Series, column: ColumnFormat, refs: pd.Series) -> pd.Series:
    size = len(values)
    plain = np.full(size, column.style, dtype=np.int64)
    if column.kind == "text":
        return _text_cells(values, column, refs)
    if column.kind == "flag":
        flags = values.astype(object).where(values.notna(), None)
        yes = flags.map(lambda v: None if v is None else bool(v))
        text = yes.map({True: "Yes", False: "No"}).astype(object).where(yes.notna(), None)
        styles = np.where(yes.fillna(False).astype(bool), column.bands[1], column.style)
        cells = (
            '<c r="'
            + refs
            + '"'
            + _attribute(styles.astype(np.int64))
            + ' t="inlineStr"><is><t>'
            + text.astype(_STRING)
            + "</t></is></c>"
        )
        return cells.where(text.notna(), "")
    if column.kind in ("date", "datetime"):
        moments = pd.to_datetime(values, errors="coerce")
        days = (moments - _EXCEL_EPOCH) / pd.Timedelta(days=1)
        if column.kind == "date":
            return _value_cells(_number_text(days.apply(np.floor), whole=True), plain, refs)
        return _value_cells(_number_text(days), plain, refs)
    styles = _band_styles(values, column) if column.kind in ("tier", "impact") else plain
    return _value_cells(_number_text(values, whole=column.kind == "tier"), styles, refs)


def rows_xml(
    frame: pd.DataFrame,
    columns: list[ColumnFormat],
    first_row: int,
    *,
    heights: npt.NDArray[np.float64] | None = None,
    chunk_rows: int = 20_000,
) -> Iterator[str]:
    """The ``<row>`` elements of ``frame``'s rows, starting at sheet row ``first_row``.

    Yields one string per chunk of ``chunk_rows`` rows; ``columns`` matches ``frame``'s
    columns in order. ``heights`` (points, NaN for the default) sizes rows of wrapped text.
    """
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start : start + chunk_rows]
        numbers = pd.Series(
            np.arange(first_row + start, first_row + start + len(part)), index=part.index
        ).astype(_STRING)
        row = '<row r="' + numbers + '"'
        if heights is not None:
            points = pd.Series(heights[start : start + len(part)], index=part.index)
            row = row + (' ht="' + _number_text(points) + '" customHeight="1"').fillna("")
        row = row + ">"
        for name, column in zip(part.columns, columns, strict=True):
            row = row + _column_cells(part[name], column, column.letter + numbers)
        yield "".join((row + "</row>").tolist())
