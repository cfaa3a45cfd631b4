"""Worksheet rows as SpreadsheetML, built a column at a time (no Python loop per cell).

openpyxl spends about ten microseconds on each cell it writes; a report of a few hundred
thousand rows would take minutes. The workbook writer (:mod:`exposure.report.workbook`) therefore
lets openpyxl build everything but the bulk of the data (styles, header rows, column widths,
filters, frozen panes, charts, print setup) and streams the data rows made here into each
sheet's ``<sheetData>``. Each column becomes the XML of its cells with pyarrow string kernels,
and each row is one element-wise join of its cells, so the cost per cell is a few vectorized
operations.

What goes in a cell, by :class:`ColumnFormat` kind:

* ``text``: an inline string (``t="inlineStr"``), never a formula: no ``<f>`` element is ever
  written, so formula-like text (:func:`exposure.core.cells.is_formula_like`: starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return) stays text; such cells also get a style with ``quotePrefix`` (Excel's leading apostrophe), so
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
import pyarrow as pa
import pyarrow.compute as pc

from exposure.core.cells import FORMULA_PREFIXES

__all__ = ["MAX_CELL_TEXT", "ColumnFormat", "Kind", "rows_xml"]

Kind = Literal["text", "number", "usd", "tier", "impact", "date", "datetime", "flag"]

MAX_CELL_TEXT = 32_767
# Characters XML 1.0 cannot hold.
_ILLEGAL_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"
_EXCEL_EPOCH = np.datetime64("1899-12-30", "s")


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


_NULL = pa.scalar(None, pa.string())


def _strings(values: pd.Series) -> pa.Array:
    """A column as an Arrow string array (zero-copy for pandas' Arrow-backed strings)."""
    try:
        array = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        plain = values.astype(object).where(values.notna(), None)
        array = pa.array([None if v is None else str(v) for v in plain], pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


def _bytes(text: pa.Array) -> npt.NDArray[np.uint8]:
    """The UTF-8 bytes behind a string array (a superset for a slice; enough for checks)."""
    data = text.buffers()[2]
    return np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)


def _escaped(text: pa.Array) -> pa.Array:
    """XML-escaped text, cut to Excel's cell limit, without characters XML cannot hold.

    Each step runs only when the column's bytes show it is needed (they rarely are).
    """
    raw = _bytes(text)
    if not len(raw):
        return text
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + len(text) + 1]
    if len(offsets) > 1 and int(np.diff(offsets).max()) > MAX_CELL_TEXT:
        text = pc.utf8_slice_codeunits(text, 0, MAX_CELL_TEXT)
    if int(raw.min()) < 32 or bool((raw == 0xEF).any()):
        text = pc.replace_substring_regex(text, _ILLEGAL_XML, "")
    for code, escaped in ((38, "&amp;"), (60, "&lt;"), (62, "&gt;"), (13, "&#13;")):
        if (raw == code).any():
            text = pc.replace_substring(text, chr(code), escaped)
    return text


def _style(style: int) -> str:
    return f' s="{style}"' if style > 0 else ""


def _prefix(
    letter: str, numbers: pa.Array, variants: list[str], choice: npt.NDArray[np.int64]
) -> pa.Array:
    """``<c r="A12"`` and one of a few tails per cell (its style and type attributes)."""
    tails = pa.array(variants, pa.string()).take(pa.array(choice.astype(np.int32)))
    return pc.binary_join_element_wise(f'<c r="{letter}', numbers, tails, "")


Parts = tuple[pa.Array, pa.Array, pa.Array]


def _cell(prefix: pa.Array, body: pa.Array, suffix: str) -> Parts:
    """A cell as three pieces, all null where the value is missing (the cell is omitted)."""
    present = pc.is_valid(body)
    return pc.if_else(present, prefix, _NULL), body, pc.if_else(present, pa.scalar(suffix), _NULL)


def _text_parts(values: pd.Series, column: ColumnFormat, numbers: pa.Array) -> Parts:
    text = _strings(values)
    text = pc.if_else(pc.equal(text, ""), _NULL, text)
    first = pc.utf8_slice_codeunits(text, 0, 1)
    last = pc.utf8_slice_codeunits(text, -1, 2**31 - 1)
    risky = pc.fill_null(pc.is_in(first, pa.array(FORMULA_PREFIXES)), False)
    spaces = pa.array([" ", "\t", "\n", "\r"])
    spaced = pc.fill_null(pc.or_(pc.is_in(first, spaces), pc.is_in(last, spaces)), False)
    choice = np.asarray(risky, dtype=bool).astype(np.int64) * 2 + np.asarray(spaced, dtype=bool)
    variants = [
        f'"{_style(style)} t="inlineStr"><is><t{keep}>'
        for style in (column.style, column.quoted)
        for keep in ("", ' xml:space="preserve"')
    ]
    prefix = _prefix(column.letter, numbers, variants, choice)
    return _cell(prefix, _escaped(text), "</t></is></c>")


def _number_text(values: npt.NDArray[np.float64], *, whole: bool = False) -> pa.Array:
    """Shortest round-trip decimals (null where not finite); ``whole`` as integers."""
    finite = np.isfinite(values)
    if whole:
        numbers = pa.array(np.where(finite, np.round(values), 0).astype(np.int64), mask=~finite)
    else:
        numbers = pa.array(values, mask=~finite)
    return pc.cast(numbers, pa.string())


def _value_parts(
    text: pa.Array, styles: npt.NDArray[np.int64], letter: str, numbers: pa.Array
) -> Parts:
    distinct, choice = np.unique(styles, return_inverse=True)
    variants = [f'"{_style(int(style))}><v>' for style in distinct.tolist()]
    return _cell(_prefix(letter, numbers, variants, choice.astype(np.int64)), text, "</v></c>")


def _band_styles(numbers: npt.NDArray[np.float64], column: ColumnFormat) -> npt.NDArray[np.int64]:
    bands = np.asarray(column.bands or (column.style,), dtype=np.int64)
    known = np.nan_to_num(numbers)
    if column.kind == "tier":
        index = np.clip(known.astype(np.int64), 0, len(bands) - 1)
    else:
        index = np.searchsorted(np.asarray(column.thresholds), known, "right")
    return np.where(np.isnan(numbers), column.style, bands[index]).astype(np.int64)


def _column_parts(values: pd.Series, column: ColumnFormat, numbers: pa.Array) -> Parts:
    plain = np.full(len(values), column.style, dtype=np.int64)
    if column.kind == "text":
        return _text_parts(values, column, numbers)
    if column.kind == "flag":
        known = values.notna().to_numpy()
        yes = np.zeros(len(values), dtype=bool)
        yes[known] = values[known].astype(bool).to_numpy()
        text = pa.array(np.where(yes, "Yes", "No"), pa.string(), mask=~known)
        variants = [f'"{_style(s)} t="inlineStr"><is><t>' for s in (column.style, column.bands[1])]
        prefix = _prefix(column.letter, numbers, variants, yes.astype(np.int64))
        return _cell(prefix, text, "</t></is></c>")
    if column.kind in ("date", "datetime"):
        moments = pd.to_datetime(values, errors="coerce").to_numpy(dtype="datetime64[us]")
        micros = (moments - _EXCEL_EPOCH).astype("timedelta64[us]").astype(np.float64)
        micros[np.isnat(moments)] = np.nan
        days = micros / 86_400e6
        if column.kind == "date":
            text = _number_text(np.floor(days), whole=True)
        else:
            text = _number_text(days)
        return _value_parts(text, plain, column.letter, numbers)
    floats = np.asarray(pd.to_numeric(values, errors="coerce"), dtype=np.float64)
    whole = column.kind == "tier" or pd.api.types.is_integer_dtype(values.dtype)
    styles = _band_styles(floats, column) if column.kind in ("tier", "impact") else plain
    return _value_parts(_number_text(floats, whole=whole), styles, column.letter, numbers)


def rows_xml(
    frame: pd.DataFrame,
    columns: list[ColumnFormat],
    first_row: int,
    *,
    heights: npt.NDArray[np.float64] | None = None,
    chunk_rows: int = 50_000,
) -> Iterator[memoryview]:
    """The ``<row>`` elements of ``frame``'s rows (UTF-8), from sheet row ``first_row``.

    Yields one chunk per ``chunk_rows`` rows; ``columns`` matches ``frame``'s columns in
    order. ``heights`` (points, NaN for the default) sizes rows of wrapped text.
    """
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start : start + chunk_rows]
        numbers = pc.cast(
            pa.array(np.arange(first_row + start, first_row + start + len(part))), pa.string()
        )
        opening = pc.binary_join_element_wise('<row r="', numbers, '">', "")
        if heights is not None:
            points = _number_text(np.asarray(heights[start : start + len(part)], dtype=np.float64))
            tall = pc.binary_join_element_wise(
                '<row r="', numbers, '" ht="', points, '" customHeight="1">', ""
            )
            opening = pc.coalesce(tall, opening)
        pieces = [
            piece
            for name, column in zip(part.columns, columns, strict=True)
            for piece in _column_parts(part[name], column, numbers)
        ]
        rows = pc.binary_join_element_wise(opening, *pieces, "</row>", "", null_handling="skip")
        yield _concatenated(rows)


def _concatenated(strings: pa.Array) -> memoryview:
    """All strings of a string array end to end, straight from its data buffer (no copy)."""
    if strings.null_count:
        strings = pc.fill_null(strings, "")
    _, offsets_buffer, data = strings.buffers()
    if data is None or not len(strings):
        return memoryview(b"")
    width = np.int64 if strings.type == pa.large_string() else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)
    first, last = int(offsets[strings.offset]), int(offsets[strings.offset + len(strings)])
    return memoryview(data)[first:last]
