"""The headline figures of an assessment, defined once for every surface.

The command line, the workbook's Summary sheet, the JSON (``headline``) and the dashboard all
show :func:`headline` of the same run, labelled from :data:`FIGURES`, so a figure cannot mean
one thing in one place and another elsewhere. Each figure's name says what it counts:

* ``organizations_affected``: designated, non-compliant and exposed organizations (every status
  but *clear*); ``organizations_exposed`` only those reached through a chain;
* ``late_dependencies`` counts exposed *dependencies* (edges) whose estimated replacement ends
  after the deadline; ``late_organizations`` the organizations with at least one of them.

>>> import numpy as np
>>> from exposure.model.engine import Scenario, assess
>>> from exposure.model.graph import build_graph
>>> from exposure.model.run import AssessmentRun
>>> from exposure.model.scenario import ScenarioSpec
>>> graph = build_graph(names=np.array(["Vendor AI", "Host Co", "Prime"], dtype=object),
...     kinds=np.array(["model_provider", "cloud_host", "prime"], dtype=object),
...     supplier=np.array([0, 1]), buyer=np.array([1, 2]), product=np.array([-1, -1]),
...     used_in=np.array([-1, -1]), value=np.array([5.0, 7.0]),
...     replacement_months=np.array([1.0, 12.0]))
>>> scenario = Scenario(designated=(0,), transition_days=180)
>>> result = assess(graph, scenario)
>>> run = AssessmentRun(ScenarioSpec(), scenario, graph, result, np.zeros(3))
>>> figures = headline(run)
>>> figures.organizations_affected, figures.organizations_exposed, figures.value_at_risk_usd
(3, 2, 12.0)
>>> figures.late_dependencies, figures.late_organizations
(1, 1)
>>> figures.by_tier.to_dict()
{0: 1, 1: 1, 2: 1}
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from exposure.model.engine import DESIGNATED, EXPOSED, NONCOMPLIANT
from exposure.model.run import AssessmentRun

__all__ = [
    "FIGURES",
    "Figure",
    "Headline",
    "compact_usd",
    "headline",
    "tier_kind_table",
    "uncertainty_ranges",
]


@dataclass(frozen=True)
class Figure:
    """One headline figure: its attribute of :class:`Headline`, its label and what it counts."""

    name: str
    label: str
    help: str
    money: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("organizations", "Organizations in the network", "Every organization loaded."),
    Figure(
        "organizations_affected",
        "Organizations affected",
        "Designated, non-compliant and exposed organizations: every status but clear.",
    ),
    Figure(
        "organizations_exposed",
        "Organizations exposed through a chain",
        "Organizations reached through a chain of dependencies from a designated or "
        "non-compliant organization (the sources themselves not counted).",
    ),
    Figure(
        "organizations_undocumented",
        "Organizations undocumented",
        "Clear only because suppliers have not answered: a chain to them passes through a "
        "link of unknown confidence (a supplier that has not answered).",
    ),
    Figure("designated", "Designated organizations", "Organizations the scenario designates."),
    Figure(
        "noncompliant",
        "Non-compliant organizations",
        "Organizations the scenario assumes will keep doing business with a designated one.",
    ),
    Figure(
        "organizations_obliged",
        "Organizations that must cut ties",
        "Organizations doing business directly with a designated organization, which must "
        "cut the tie by the deadline.",
    ),
    Figure(
        "value_at_risk_usd",
        "Value at risk (USD)",
        "Annual value of every exposed dependency.",
        money=True,
    ),
    Figure(
        "late_dependencies",
        "Late dependencies",
        "Exposed dependencies whose estimated replacement ends after the deadline.",
    ),
    Figure(
        "late_organizations",
        "Late organizations",
        "Organizations with at least one late exposed dependency.",
    ),
)


@dataclass(frozen=True, eq=False)
class Headline:
    """The figures of :data:`FIGURES` for one run, plus counts per tier and kind.

    ``by_tier`` counts affected organizations per tier (0 = sources), ``by_kind`` per kind;
    ``tier_kind`` is the tier x kind table.
    """

    organizations: int
    organizations_affected: int
    organizations_exposed: int
    organizations_undocumented: int
    designated: int
    noncompliant: int
    organizations_obliged: int
    value_at_risk_usd: float
    late_dependencies: int
    late_organizations: int
    by_tier: pd.Series
    by_kind: pd.Series
    tier_kind: pd.DataFrame

    def value(self, name: str) -> int | float:
        """A figure by its name in :data:`FIGURES`."""
        value: int | float = getattr(self, name)
        return value

    def items(self) -> list[tuple[Figure, int | float]]:
        """Each figure of :data:`FIGURES` with its value, in order."""
        return [(figure, self.value(figure.name)) for figure in FIGURES]

    def as_dict(self) -> dict[str, int | float]:
        """The figures by name, for the JSON."""
        return {figure.name: value for figure, value in self.items()}


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


# A run is immutable: its headline is computed once, however many surfaces print it.
_HEADLINES: weakref.WeakKeyDictionary[AssessmentRun, Headline] = weakref.WeakKeyDictionary()


def headline(run: AssessmentRun) -> Headline:
    """The headline figures of a run (see the module example)."""
    known = _HEADLINES.get(run)
    if known is None:
        known = _HEADLINES[run] = _headline(run)
    return known


def _headline(run: AssessmentRun) -> Headline:
    result, graph = run.result, run.graph
    status = result.status
    affected = status != 0
    kinds = pd.Series(graph.kinds, dtype=object).fillna("other").astype(str)
    frame = pd.DataFrame(
        {
            "status": np.where(affected, "affected", "clear"),
            "kind": kinds,
            "tier": pd.array(np.where(result.tier >= 0, result.tier, -1), dtype="Int64"),
        }
    )
    frame.loc[frame["tier"] < 0, "tier"] = pd.NA
    chosen = frame[affected]
    by_tier = chosen["tier"].astype("Int64").value_counts().sort_index()
    by_tier.index = [int(i) for i in by_tier.index]
    return Headline(
        organizations=int(graph.n_orgs),
        organizations_affected=int(affected.sum()),
        organizations_exposed=int((status == EXPOSED).sum()),
        organizations_undocumented=int(run.undocumented_orgs.sum()),
        designated=int((status == DESIGNATED).sum()),
        noncompliant=int((status == NONCOMPLIANT).sum()),
        organizations_obliged=int(result.obliged.sum()),
        value_at_risk_usd=float(result.value_at_risk_usd.sum()),
        late_dependencies=int(result.edge_late.sum()),
        late_organizations=int(result.late.sum()),
        by_tier=by_tier,
        by_kind=chosen["kind"].value_counts(),
        tier_kind=tier_kind_table(frame),
    )


def uncertainty_ranges(run: AssessmentRun) -> list[tuple[str, str]]:
    """The Monte Carlo's ranges as (label, text), empty when no samples were run.

    Every surface that shows the headline shows these beside it when they exist.
    """
    simulated = run.uncertainty
    if simulated is None:
        return []
    p5, p50, p95 = simulated.value_at_risk_range
    l5, l50, l95 = simulated.late_range
    chances = simulated.probabilities
    return [
        (
            "Value at risk, P5 / P50 / P95 (USD)",
            f"{compact_usd(p5)} / {compact_usd(p50)} / {compact_usd(p95)}",
        ),
        ("Late organizations, P5 / P50 / P95", f"{l5:,.0f} / {l50:,.0f} / {l95:,.0f}"),
        ("Samples (seed)", f"{simulated.samples:,} (seed {simulated.seed})"),
        (
            "Link probabilities",
            f"confirmed 1, reported {chances.reported:g}, inferred {chances.inferred:g}, "
            f"unknown {chances.unknown:g}",
        ),
    ]
