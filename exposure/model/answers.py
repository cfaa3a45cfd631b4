"""Which answers matter most: the unanswered suppliers ranked by what their answer would change.

A supplier that has not answered stands behind one or more ``unknown`` links (the designated
vendor's product, possibly, in what it sells). Its answer settles them: "yes" turns them on,
"no" off. What that is worth to the assessing organization is the difference between its
expected value at risk with the links forced on and forced off,
``E[VaR | on] - E[VaR | off]``, and likewise ``P(exposed | on) - P(exposed | off)``. Without
an assessing organization the network's total value at risk is used.

Each forced run is a Monte Carlo with common random numbers
(:func:`exposure.model.uncertainty.simulate` with ``force``): every other link keeps its draws,
so the difference is that supplier's alone, not sampling noise. Forced runs cost two Monte
Carlos per supplier, so when there are more than ``limit`` suppliers they are first screened
by the plain run: the mean value at risk over the samples where a supplier's links happened
to be on, minus where they were off (unbiased, as a link's draw is independent of the rest);
the ``limit`` with the largest differences are then forced.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.model.graph import Graph
from exposure.model.uncertainty import LinkProbabilities, Uncertainty, simulate

__all__ = ["ANSWER_COLUMNS", "rank_answers"]

logger = logging.getLogger(__name__)

ANSWER_COLUMNS = (
    "rank",
    "supplier_id",
    "supplier",
    "unknown_links",
    "p_exposed_if_yes",
    "p_exposed_if_no",
    "delta_p_exposed",
    "var_if_yes_usd",
    "var_if_no_usd",
    "delta_var_usd",
    "screened_only",
)


def _per_sample(run: Uncertainty, org: int | None) -> npt.NDArray[np.float64]:
    """The value at risk per sample that the ranking weighs: the organization's or the network's."""
    if org is not None:
        where = np.flatnonzero(run.tracked == org)
        if len(where):
            return run.tracked_var[where[0]].astype(np.float64)
    return run.network_var


def _screen(
    run: Uncertainty, target: npt.NDArray[np.float64], groups: list[np.ndarray]
) -> list[float]:
    """Per group of unknown-edge rows, mean target where any is on minus where none is."""
    scores = []
    for rows in groups:
        bits = np.unpackbits(run.unknown_bits[rows], axis=1, bitorder="little", count=run.samples)
        on = bits.any(axis=0)
        if on.all() or not on.any():
            scores.append(0.0)
            continue
        scores.append(float(target[on].mean() - target[~on].mean()))
    return scores


def rank_answers(
    graph: Graph,
    sources: npt.NDArray[np.bool_],
    edge_late: npt.NDArray[np.bool_],
    run: Uncertainty,
    *,
    org: int | None = None,
    limit: int = 20,
) -> pd.DataFrame:
    """The unanswered suppliers, most valuable answer first (columns :data:`ANSWER_COLUMNS`).

    ``run`` is the plain Monte Carlo (its samples, seed and probabilities are reused);
    ``org`` the assessing organization (None: the whole network). Suppliers beyond ``limit``
    keep their screening estimate (``screened_only`` true, no P(exposed) columns).
    """
    if not len(run.unknown_edges):
        return pd.DataFrame(columns=list(ANSWER_COLUMNS))
    asked = graph.buyer[run.unknown_edges]
    suppliers = np.unique(asked)
    groups = [np.flatnonzero(asked == s) for s in suppliers]
    track = np.array([org], dtype=np.int64) if org is not None else None
    if org is not None and org not in run.tracked:
        run = simulate(
            graph,
            sources,
            edge_late,
            run.probabilities,
            samples=run.samples,
            seed=run.seed,
            track=track,
            in_scope=run.in_scope,
        )
    target = _per_sample(run, org)
    screened = _screen(run, target, groups)
    order = np.argsort(-np.abs(np.asarray(screened)), kind="stable")
    forced = set(order[:limit].tolist())
    rows = []
    for index, supplier in enumerate(suppliers):
        edges = run.unknown_edges[groups[index]]
        row: dict[str, object] = {
            "supplier_id": int(supplier),
            "supplier": str(graph.names[supplier]),
            "unknown_links": len(edges),
            "p_exposed_if_yes": np.nan,
            "p_exposed_if_no": np.nan,
            "delta_p_exposed": np.nan,
            "var_if_yes_usd": np.nan,
            "var_if_no_usd": np.nan,
            "delta_var_usd": screened[index],
            "screened_only": index not in forced,
        }
        if index in forced:
            outcome = {}
            for on in (True, False):
                forced_run = simulate(
                    graph,
                    sources,
                    edge_late,
                    run.probabilities,
                    samples=run.samples,
                    seed=run.seed,
                    track=track,
                    force=(edges, on),
                    in_scope=run.in_scope,
                )
                value = _per_sample(forced_run, org).mean()
                p = (
                    forced_run.p_exposed[org]
                    if org is not None
                    else float(forced_run.p_exposed.sum())  # expected exposed organizations
                )
                outcome[on] = (float(p), float(value))
            row.update(
                p_exposed_if_yes=outcome[True][0],
                p_exposed_if_no=outcome[False][0],
                delta_p_exposed=outcome[True][0] - outcome[False][0],
                var_if_yes_usd=outcome[True][1],
                var_if_no_usd=outcome[False][1],
                delta_var_usd=outcome[True][1] - outcome[False][1],
            )
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["_forced"] = ~frame["screened_only"]
    frame["_size"] = frame["delta_var_usd"].abs()
    frame["_p"] = frame["delta_p_exposed"].abs().fillna(-1)
    frame = frame.sort_values(
        ["_forced", "_size", "_p", "supplier"], ascending=[False, False, False, True], kind="stable"
    ).drop(columns=["_forced", "_size", "_p"])
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    logger.info("ranked %d unanswered suppliers (%d forced runs each way)", len(frame), len(forced))
    return frame.reset_index(drop=True)[list(ANSWER_COLUMNS)]


def answers_for(probabilities: LinkProbabilities) -> str:
    """The probabilities the ranking assumed, in words (for the report's notes)."""
    return (
        f"unknown links exist with probability {probabilities.unknown:g}, inferred "
        f"{probabilities.inferred:g}, reported {probabilities.reported:g}"
    )
