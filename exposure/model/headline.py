"""Headline figures of an assessment: who is affected, by tier and kind, value at risk, lateness.

Computed from :func:`exposure.pipeline.assessment.organizations_frame` (one row per organization with
``status``, ``kind``, ``tier``, ``value_at_risk_usd``, ``late``, ``obliged``), so the same
numbers head the dashboard, the comparison of two scenarios and any report that wants them.

>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "status": ["designated", "exposed", "exposed", "clear"],
...     "kind": ["model_provider", "prime", "cloud_host", "agency"],
...     "tier": pd.array([0, 2, 1, None], dtype="Int64"),
...     "value_at_risk_usd": [0.0, 5.0, 7.0, 0.0],
...     "late": [False, True, False, False],
...     "obliged": [False, False, True, False]})
>>> h = headline(frame)
>>> h.exposed, h.affected, h.value_at_risk_usd, h.late
(2, 3, 12.0, 1)
>>> h.by_tier.to_dict()
{0: 1, 1: 1, 2: 1}
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Headline", "compact_usd", "headline", "tier_kind_table"]


@dataclass(frozen=True, eq=False)
class Headline:
    """Counts and sums over one assessment.

    ``exposed`` counts organizations whose status is *exposed* (reached through a chain);
    ``affected`` adds the sources (designated and non-compliant). ``by_tier`` counts affected
    organizations per tier (0 = sources) and ``by_kind`` per kind; ``tier_kind`` is the
    tier x kind table.
    """

    organizations: int
    designated: int
    noncompliant: int
    exposed: int
    affected: int
    value_at_risk_usd: float
    late: int
    obliged: int
    by_tier: pd.Series
    by_kind: pd.Series
    tier_kind: pd.DataFrame


def compact_usd(value: float) -> str:
    """Dollars in a few characters, for a headline figure.

    >>> compact_usd(504_055_000), compact_usd(12_500), compact_usd(950), compact_usd(2.4e9)
    ('$504.1M', '$12.5K', '$950', '$2.40B')
    """
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e9:
        return f"{sign}${value / 1e9:,.2f}B"
    if value >= 1e6:
        return f"{sign}${value / 1e6:,.1f}M"
    if value >= 1e4:
        return f"{sign}${value / 1e3:,.1f}K"
    return f"{sign}${value:,.0f}"


def tier_kind_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Affected organizations counted per tier (rows) and kind (columns), with totals.

    >>> frame = pd.DataFrame({"status": ["designated", "exposed", "exposed", "clear"],
    ...     "kind": ["model_provider", "prime", "prime", "agency"],
    ...     "tier": pd.array([0, 1, 1, None], dtype="Int64")})
    >>> tier_kind_table(frame).to_dict("index")["1"]
    {'model_provider': 0, 'prime': 2, 'total': 2}
    """
    affected = frame[frame["status"] != "clear"]
    if affected.empty:
        return pd.DataFrame()
    counts = (
        affected.groupby([affected["tier"].astype("Int64"), affected["kind"].astype(str)])
        .size()
        .unstack(fill_value=0)
    )
    counts["total"] = counts.sum(axis=1)
    counts.loc["total"] = counts.sum(axis=0)
    counts.index = [str(i) for i in counts.index]
    counts.index.name = "tier"
    counts.columns.name = None
    return counts.astype(int)


def headline(frame: pd.DataFrame) -> Headline:
    """Headline figures of an organizations frame (see the module example)."""
    status = frame["status"]
    affected = frame[status != "clear"]
    by_tier = affected["tier"].astype("Int64").value_counts().sort_index()
    by_tier.index = [int(i) for i in by_tier.index]
    by_kind = affected["kind"].value_counts()
    return Headline(
        organizations=len(frame),
        designated=int((status == "designated").sum()),
        noncompliant=int((status == "noncompliant").sum()),
        exposed=int((status == "exposed").sum()),
        affected=len(affected),
        value_at_risk_usd=float(frame["value_at_risk_usd"].sum()),
        late=int(frame["late"].sum()),
        obliged=int(frame["obliged"].sum()),
        by_tier=by_tier,
        by_kind=by_kind,
        tier_kind=tier_kind_table(frame),
    )
