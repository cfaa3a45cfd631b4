"""A frame as a CSV a spreadsheet opens safely: UTF-8, formula-like text made inert."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exposure.core.cells import is_formula_like
from exposure.report.catalogue import INTERNAL_COLUMNS

__all__ = ["write_csv"]


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """A frame as UTF-8 CSV, formula-like text made inert (see :func:`safe_cell`).

    Internal id columns are left out, except ``org_id``.
    """
    frame = frame[[c for c in frame.columns if c == "org_id" or c not in INTERNAL_COLUMNS]].copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            text = frame[column].astype(object)
            risky = text.map(is_formula_like)
            frame[column] = text.where(~risky.astype(bool), "'" + text.astype(str))
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n", date_format="%Y-%m-%d")
    return path
