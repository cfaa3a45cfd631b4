"""Frames as plain values for text outputs (CSV, the command line's ``--format csv``).

A spreadsheet or a script reading the CSV wants ``207500000``, not ``207500000.0``; ``true``
and ``false``, not ``True``; the rank first; and none of the ids the tool uses to join back to
its graph (:data:`exposure.report.catalogue.INTERNAL_COLUMNS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from exposure.report.catalogue import INTERNAL_COLUMNS

__all__ = ["plain_frame"]


def _plain_column(values: pd.Series) -> pd.Series:
    """Whole floats as integers, booleans as true/false; other columns unchanged."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        known = np.isfinite(numbers)
        if np.all(numbers[known] == np.round(numbers[known])):
            return values.round().astype("Int64")
        return values
    if values.dtype == object:
        kinds = {type(v) for v in values.dropna()}
        if kinds and kinds <= {bool, np.bool_}:
            return values.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
    return values


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``rank`` first (when it has one), internal ids left out, plain values.

    >>> frame = pd.DataFrame({"name": ["A"], "org_id": [3], "value_at_risk_usd": [2.075e8],
    ...                       "impact": [0.25], "late": [True], "rank": [1]})
    >>> plain_frame(frame).to_csv(index=False).splitlines()
    ['rank,name,value_at_risk_usd,impact,late', '1,A,207500000,0.25,true']
    """
    columns = [c for c in frame.columns if c not in INTERNAL_COLUMNS]
    if "rank" in columns:
        columns = ["rank", *(c for c in columns if c != "rank")]
    return pd.DataFrame({column: _plain_column(frame[column]) for column in columns})
