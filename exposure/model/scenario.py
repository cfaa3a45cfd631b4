"""A scenario as people write it: names and levers, before resolution to ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from exposure.core.errors import ExposureError
from exposure.model.choices import IMPACT_MODELS, UNKNOWN_SCOPES, ImpactModel, Scope, UnknownScope
from exposure.model.scope import ScopeClause, describe_scope

__all__ = ["ScenarioSpec"]


@dataclass(frozen=True)
class ScenarioSpec:
    """A scenario as people write it: names and levers, before resolution to ids.

    ``model`` chooses how impact is computed (:data:`exposure.model.impact.IMPACT_MODELS`); reach,
    tiers, chains and deadlines do not depend on it. ``clauses`` narrow what the designation
    covers (:mod:`exposure.model.scope`) and ``unknown_scope`` says whether a dependency with a
    blank fact counts as inside them.
    """

    name: str = "ad-hoc"
    designated: tuple[str, ...] = ()
    noncompliant: tuple[str, ...] = ()
    scope: Scope = "all"
    effective: date = date(2026, 2, 27)
    transition_days: int = 180
    source: str = "command line"
    model: ImpactModel = "cascade"
    # The designation list of seeds/ this spec came from, and its names, which a network may
    # not hold: only those are skipped (with a note) when they resolve to nothing. Every
    # other name is the user's, and an unknown one is an error.
    seed_list: str | None = None
    optional: tuple[str, ...] = ()
    clauses: tuple[ScopeClause, ...] = ()
    unknown_scope: UnknownScope = "in"

    @property
    def scope_words(self) -> str:
        """The scope clauses in plain words ("designation covers edge deployments only ...")."""
        return describe_scope(self.clauses, self.unknown_scope)

    # The probability that a link of each confidence exists, for the Monte Carlo
    # (exposure.model.uncertainty); None takes the documented default (for unknown links: the
    # share of "yes" among suppliers who answered a campaign, when there are answers).
    p_reported: float | None = None
    p_inferred: float | None = None
    p_unknown: float | None = None

    def __post_init__(self) -> None:
        for level in ("reported", "inferred", "unknown"):
            value = getattr(self, f"p_{level}")
            if value is not None and not 0.0 <= value <= 1.0:
                raise ExposureError(
                    f"the probability of {level} links must be between 0 and 1, not {value}"
                )
        if self.unknown_scope not in UNKNOWN_SCOPES:
            raise ExposureError(
                f"unknown facts are 'in' or 'out' of scope, not '{self.unknown_scope}'"
            )
        if self.model not in IMPACT_MODELS:
            raise ExposureError(
                f"unknown impact model '{self.model}'; expected one of: {', '.join(IMPACT_MODELS)}"
            )
