"""One scenario run on one data version: the engine's arrays plus impact, and its ranking."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.model.engine import NONCOMPLIANT, STATUS, Assessment, Scenario
from exposure.model.graph import Graph
from exposure.model.scenario import ScenarioSpec
from exposure.model.uncertainty import Uncertainty

__all__ = ["AssessmentRun", "organizations_frame"]


@dataclass(frozen=True, eq=False)
class AssessmentRun:
    """A scenario run on one data version: the engine's arrays plus impact."""

    spec: ScenarioSpec
    scenario: Scenario
    graph: Graph
    result: Assessment
    impact: npt.NDArray[np.float64]
    notes: list[str] = field(default_factory=list)
    # Clear only because suppliers have not answered (exposure.model.uncertainty.undocumented).
    undocumented: npt.NDArray[np.bool_] | None = None
    # The Monte Carlo over uncertain links, when samples were asked for.
    uncertainty: Uncertainty | None = None

    @property
    def undocumented_orgs(self) -> npt.NDArray[np.bool_]:
        """:attr:`undocumented`, all false when it was not computed."""
        if self.undocumented is None:
            return np.zeros(self.graph.n_orgs, dtype=bool)
        return self.undocumented

    @property
    def data_version(self) -> str:
        return self.graph.data_version

    @property
    def scope_words(self) -> str:
        """The scenario's scope clauses in plain words, as every surface shows them."""
        return self.spec.scope_words

    def unknown_scope_words(self) -> str:
        """How many dependencies fall in or out of the scope only by the default for unknowns."""
        result = self.result
        if result.unknown_scope is None:
            return "no scope clause: every dependency is covered"
        total = result.unknown_scoped_edges
        exposed = int((result.unknown_scope & result.exposed_edges).sum())
        where = "in scope" if self.scenario.unknown_scope == "in" else "out of scope"
        return (
            f"{total} dependencies ({exposed} of them exposed) have a blank fact the scope "
            f"reads and count as {where} by default"
        )

    def chain_names(self, org: int) -> list[str]:
        """Names along a shortest chain from a source to ``org``."""
        return [str(self.graph.names[i]) for i in self.result.chain(self.graph, org)]


def organizations_frame(run: AssessmentRun) -> pd.DataFrame:
    """One row per organization, ranked: sources, then by impact, value at risk and tier."""
    result, graph = run.result, run.graph
    frame = pd.DataFrame(
        {
            "org_id": np.arange(graph.n_orgs),
            "name": graph.names,
            "kind": graph.kinds,
            "status": [STATUS[s] for s in result.status],
            "exposed": result.exposed,
            "tier": pd.array(np.where(result.tier >= 0, result.tier, -1), dtype="Int64"),
            "impact": np.round(run.impact, 6),
            "value_at_risk_usd": result.value_at_risk_usd,
            "late": result.late,
            "obliged": result.obliged,
            "undocumented": run.undocumented_orgs,
        }
    )
    if run.uncertainty is not None:
        frame["p_exposed"] = np.round(run.uncertainty.p_exposed, 4)
        frame["expected_value_at_risk_usd"] = run.uncertainty.expected_var
    frame.loc[frame["tier"] < 0, "tier"] = pd.NA
    # Sources, exposed, undocumented (clear only for want of answers), clear.
    rank = np.where(
        result.status >= NONCOMPLIANT,
        0,
        np.where(result.exposed, 1, np.where(run.undocumented_orgs, 2, 3)),
    )
    frame["_rank"] = rank
    frame["_p"] = frame.get("p_exposed", 0.0)
    frame = frame.sort_values(
        ["_rank", "impact", "value_at_risk_usd", "tier", "_p", "name"],
        ascending=[True, False, False, True, False, True],
        na_position="last",
        kind="stable",
    )
    return frame.drop(columns=["_rank", "_p"]).reset_index(drop=True)
