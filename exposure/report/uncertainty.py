"""The Uncertainty sheet: P(exposed) and value-at-risk ranges, and the answers worth chasing.

Built from a run's Monte Carlo (:mod:`exposure.model.uncertainty`) and the ranking of the
suppliers that have not answered (:func:`exposure.model.answers.rank_answers`). One frame, in
two sections told apart by ``section``: "Organization" rows (every organization with a chance
of exposure, sources left out, most likely first) and "Unanswered supplier" rows (most
valuable answer first). Empty when no samples were run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from exposure.model.answers import ANSWER_COLUMNS, rank_answers
from exposure.model.engine import DAYS_PER_MONTH, NONCOMPLIANT, STATUS
from exposure.model.run import AssessmentRun

__all__ = ["UNCERTAINTY_COLUMNS", "answers_frame", "uncertainty_frame"]

UNCERTAINTY_COLUMNS = [
    "section",
    "rank",
    "name",
    "status",
    "undocumented",
    "p_exposed",
    "expected_value_at_risk_usd",
    "value_at_risk_p5_usd",
    "value_at_risk_p50_usd",
    "value_at_risk_p95_usd",
    "unknown_links",
    "p_exposed_if_yes",
    "p_exposed_if_no",
    "delta_p_exposed",
    "var_if_yes_usd",
    "var_if_no_usd",
    "delta_var_usd",
    "screened_only",
    "org_id",
]


def answers_frame(run: AssessmentRun, for_org: int | None = None) -> pd.DataFrame:
    """The unanswered suppliers ranked for ``for_org`` (None: the network); empty without samples."""
    simulated = run.uncertainty
    if simulated is None:
        return pd.DataFrame(columns=list(ANSWER_COLUMNS))
    graph, result = run.graph, run.result
    sources = result.status >= NONCOMPLIANT
    late_if_lost = graph.replacement_months > run.scenario.transition_days / DAYS_PER_MONTH
    return rank_answers(graph, sources, late_if_lost, simulated, org=for_org)


def uncertainty_frame(run: AssessmentRun, answers: pd.DataFrame) -> pd.DataFrame:
    """The Uncertainty sheet (see the module docstring)."""
    simulated = run.uncertainty
    if simulated is None:
        return pd.DataFrame(columns=UNCERTAINTY_COLUMNS)
    graph, result = run.graph, run.result
    chance = simulated.p_exposed
    orgs = np.flatnonzero((chance > 0) & (result.status < NONCOMPLIANT))
    ranges = np.full((len(orgs), 3), np.nan)
    tracked = np.searchsorted(simulated.tracked, orgs)
    for index, org in enumerate(orgs):
        if tracked[index] < len(simulated.tracked) and simulated.tracked[tracked[index]] == org:
            ranges[index] = simulated.percentiles(
                simulated.tracked_var[tracked[index]].astype(np.float64)
            )
    frame = pd.DataFrame(
        {
            "section": "Organization",
            "name": graph.names[orgs],
            "status": [STATUS[s] for s in result.status[orgs]],
            "undocumented": run.undocumented_orgs[orgs],
            "p_exposed": np.round(chance[orgs], 4),
            "expected_value_at_risk_usd": simulated.expected_var[orgs],
            "value_at_risk_p5_usd": ranges[:, 0],
            "value_at_risk_p50_usd": ranges[:, 1],
            "value_at_risk_p95_usd": ranges[:, 2],
            "org_id": orgs,
        }
    )
    frame = frame.sort_values(
        ["p_exposed", "expected_value_at_risk_usd", "name"],
        ascending=[False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    frame.insert(1, "rank", np.arange(1, len(frame) + 1))
    suppliers = answers.rename(columns={"supplier": "name", "supplier_id": "org_id"}).copy()
    suppliers.insert(0, "section", "Unanswered supplier")
    if len(suppliers):
        ids = suppliers["org_id"].to_numpy(dtype=np.int64)
        suppliers["status"] = [STATUS[s] for s in result.status[ids]]
        suppliers["undocumented"] = run.undocumented_orgs[ids]
        suppliers["p_exposed"] = np.round(chance[ids], 4)
        suppliers["expected_value_at_risk_usd"] = simulated.expected_var[ids]
    parts = [part for part in (frame, suppliers) if len(part)]
    if not parts:
        return pd.DataFrame(columns=UNCERTAINTY_COLUMNS)
    combined = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return combined.reindex(columns=UNCERTAINTY_COLUMNS)
