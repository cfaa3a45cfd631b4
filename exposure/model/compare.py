"""Two scenarios side by side: who is newly exposed, who is cleared, tiers that moved.

Pure: two organizations frames (:func:`exposure.pipeline.assessment.organizations_frame`) of the same
data version in, a :class:`ScenarioDiff` out. Organizations are matched by ``org_id``, which is
stable within one data version; :func:`compare_runs` checks that both runs used the same data.

*Exposed* has the meaning of the assessment JSON's ``exposed`` flag: any status but *clear*
(designated and non-compliant organizations included). An organization is *newly exposed*
when it is clear in the base scenario and exposed in the other, *no longer exposed* the other
way round; its tier *moved* when it is exposed in both with different tiers.

>>> import pandas as pd
>>> def frame(status, tier, var):
...     return pd.DataFrame({"org_id": [0, 1, 2], "name": ["Vendor", "Host", "Prime"],
...         "kind": ["model_provider", "cloud_host", "prime"], "status": status,
...         "tier": pd.array(tier, dtype="Int64"), "impact": [1.0, 0.5, 0.2],
...         "value_at_risk_usd": var, "late": [False] * 3, "obliged": [False] * 3})
>>> base = frame(["designated", "exposed", "clear"], [0, 1, None], [0.0, 10.0, 0.0])
>>> other = frame(["designated", "noncompliant", "exposed"], [0, 0, 1], [0.0, 10.0, 4.0])
>>> diff = compare_frames(base, other, "baseline", "host keeps serving")
>>> diff.newly_exposed["name"].tolist(), diff.no_longer_exposed["name"].tolist()
(['Prime'], [])
>>> diff.tier_moved[["name", "tier_base", "tier_other"]].values.tolist()
[['Host', 1, 0]]
>>> diff.value_at_risk_delta
4.0
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from exposure.core.errors import ExposureError
from exposure.model.headline import FIGURES, Headline, headline
from exposure.model.run import AssessmentRun, organizations_frame

__all__ = ["ScenarioDiff", "compare_frames", "compare_runs", "headline_counts"]

_KEEP = ["status", "tier", "impact", "value_at_risk_usd", "late"]


@dataclass(frozen=True, eq=False)
class ScenarioDiff:
    """The difference between a base scenario and another one.

    ``organizations`` has one row per organization exposed in either scenario, with the
    ``_base`` and ``_other`` values of status, tier, impact, value at risk and late, and a
    ``change`` label (newly exposed, no longer exposed, tier moved, status changed, impact
    changed, value changed, unchanged). ``counts`` compares the headline figures (metric, base, other, delta).
    """

    base_name: str
    other_name: str
    organizations: pd.DataFrame
    counts: pd.DataFrame

    @property
    def newly_exposed(self) -> pd.DataFrame:
        return self.organizations[self.organizations["change"] == "newly exposed"]

    @property
    def no_longer_exposed(self) -> pd.DataFrame:
        return self.organizations[self.organizations["change"] == "no longer exposed"]

    @property
    def tier_moved(self) -> pd.DataFrame:
        return self.organizations[self.organizations["tier_moved"]]

    @property
    def status_changed(self) -> pd.DataFrame:
        frame = self.organizations
        return frame[frame["status_base"] != frame["status_other"]]

    @property
    def value_at_risk_delta(self) -> float:
        """Change in the value at risk, summed over the organizations compared."""
        frame = self.organizations
        if frame.empty:
            return 0.0
        return float(frame["value_at_risk_delta"].sum())


def headline_counts(base: Headline, other: Headline) -> pd.DataFrame:
    """The headline figures of two runs side by side (metric, base, other, delta), with tiers."""
    rows: list[tuple[str, float, float]] = [
        (figure.label, base.value(figure.name), other.value(figure.name)) for figure in FIGURES
    ]
    tiers = sorted(set(base.by_tier.index) | set(other.by_tier.index))
    rows += [
        (
            f"Organizations affected at tier {tier}",
            int(base.by_tier.get(tier, 0)),
            int(other.by_tier.get(tier, 0)),
        )
        for tier in tiers
    ]
    frame = pd.DataFrame(rows, columns=["metric", "base", "other"])
    frame["delta"] = frame["other"] - frame["base"]
    return frame


def compare_frames(
    base: pd.DataFrame,
    other: pd.DataFrame,
    base_name: str = "base",
    other_name: str = "other",
    *,
    counts: pd.DataFrame | None = None,
) -> ScenarioDiff:
    """Compare two organizations frames of the same data version (see the module example)."""
    if len(base) != len(other) or set(base["org_id"]) != set(other["org_id"]):
        raise ExposureError(
            "the two assessments are of different networks; compare scenarios on the same data"
        )
    left = base.set_index("org_id")[["name", "kind", *_KEEP]]
    right = other.set_index("org_id")[_KEEP]
    merged = left.merge(right, left_index=True, right_index=True, suffixes=("_base", "_other"))
    affected_base = merged["status_base"] != "clear"
    affected_other = merged["status_other"] != "clear"
    merged = merged[affected_base | affected_other].copy()
    affected_base = merged["status_base"] != "clear"
    affected_other = merged["status_other"] != "clear"
    tier_base, tier_other = merged["tier_base"], merged["tier_other"]
    merged["tier_moved"] = (
        (affected_base & affected_other & (tier_base != tier_other)).fillna(False).astype(bool)
    )
    merged["tier_shift"] = (tier_other - tier_base).where(merged["tier_moved"])
    merged["impact_delta"] = (merged["impact_other"] - merged["impact_base"]).round(6)
    merged["value_at_risk_delta"] = (
        merged["value_at_risk_usd_other"] - merged["value_at_risk_usd_base"]
    )
    change = pd.Series("unchanged", index=merged.index, dtype=object)
    change[merged["value_at_risk_delta"] != 0] = "value changed"
    change[merged["impact_delta"] != 0] = "impact changed"
    change[merged["status_base"] != merged["status_other"]] = "status changed"
    change[merged["tier_moved"]] = "tier moved"
    change[~affected_base & affected_other] = "newly exposed"
    change[affected_base & ~affected_other] = "no longer exposed"
    merged["change"] = change
    order = {
        "newly exposed": 0,
        "no longer exposed": 1,
        "tier moved": 2,
        "status changed": 3,
        "impact changed": 4,
        "value changed": 5,
        "unchanged": 6,
    }
    merged["_order"] = merged["change"].map(order)
    merged["_abs"] = -merged["value_at_risk_delta"].abs()
    merged = merged.sort_values(["_order", "_abs", "name"], kind="stable").drop(
        columns=["_order", "_abs"]
    )
    return ScenarioDiff(
        base_name=base_name,
        other_name=other_name,
        organizations=merged.reset_index(),
        counts=counts
        if counts is not None
        else pd.DataFrame(columns=["metric", "base", "other", "delta"]),
    )


def compare_runs(base: AssessmentRun, other: AssessmentRun) -> ScenarioDiff:
    """Compare two assessment runs on the same data version.

    Raises:
        ExposureError: the runs were made on different data versions.
    """
    if base.data_version != other.data_version:
        raise ExposureError(
            f"the scenarios were assessed on different data (versions {base.data_version} and "
            f"{other.data_version}); rerun both on the data loaded now"
        )
    return compare_frames(
        organizations_frame(base),
        organizations_frame(other),
        base.spec.name,
        other.spec.name,
        counts=headline_counts(headline(base), headline(other)),
    )
