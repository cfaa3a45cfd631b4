"""How hard each organization is hit: a downstream cascade over the exposed structure (SPEC 4.2).

An ESRI-style production cascade (Diem et al. 2022), downstream only, run on the edges the
reach search found exposed. Every organization has a production level ``h`` in [0, 1] (1 =
unaffected); sources (designated and non-compliant organizations) are cut off: ``h = 0``.
At each step, each other organization B recomputes its level from its suppliers' levels:

* the loss on an exposed inbound edge A -> B is ``(1 - h_A) * r``, where ``r = 1 / (1 +
  alternatives)`` is the part of the loss that qualified substitutes cannot absorb (unknown
  alternatives count as none); an unexposed edge loses nothing (its product is not affected);
* linear inputs (``essential`` false): ``h_lin = 1 - sum(w_e * loss_e)`` with ``w_e`` the
  edge's share of B's inputs, by ``annual_value_usd`` when every inbound edge of B has a
  positive value, else by count;
* essential inputs are Leontief bottlenecks: ``h_ess = min(1 - loss_e)`` over them;
* ``h_B = max(0, min(h_lin, h_ess))``.

Levels only fall, so the iteration converges; it stops when no level moves by more than
``tol``. ``impact = 1 - h``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from exposure.graph import Graph

__all__ = ["cascade_impact", "input_weights"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def input_weights(buyer: npt.NDArray[np.int64], value: FloatArray, n_orgs: int) -> FloatArray:
    """Each edge's share of its buyer's inputs: by value when all are known and positive.

    >>> input_weights(np.array([1, 1, 2, 2]), np.array([30.0, 10.0, 5.0, np.nan]), 3).tolist()
    [0.75, 0.25, 0.5, 0.5]
    """
    known = np.isfinite(value) & (value > 0)
    all_known = np.bincount(buyer, weights=(~known).astype(float), minlength=n_orgs) == 0
    by_value = all_known[buyer]
    amount = np.where(by_value, np.where(known, value, 0.0), 1.0)
    totals = np.bincount(buyer, weights=amount, minlength=n_orgs)
    return np.asarray(amount / np.where(totals[buyer] > 0, totals[buyer], 1.0), dtype=np.float64)


def cascade_impact(
    graph: Graph,
    sources: BoolArray,
    exposed_edges: BoolArray,
    *,
    tol: float = 1e-9,
    max_steps: int = 10_000,
) -> FloatArray:
    """Impact (1 - production level) of every organization; sources have impact 1.

    Vectorized: each step is a handful of array operations over the exposed edges.
    """
    n_orgs = graph.n_orgs
    level = np.where(sources, 0.0, 1.0)
    edges = np.flatnonzero(exposed_edges)
    if len(edges) == 0:
        return 1.0 - level
    weights = input_weights(graph.buyer, graph.value, n_orgs)[edges]
    supplier, buyer = graph.supplier[edges], graph.buyer[edges]
    alternatives = np.nan_to_num(graph.alternatives[edges], nan=0.0)
    unabsorbed = 1.0 / (1.0 + np.maximum(alternatives, 0.0))
    essential = graph.essential[edges]
    # Essential edges grouped by buyer, for a vectorized minimum per buyer.
    order = np.argsort(buyer[essential], kind="stable")
    essential_buyer = buyer[essential][order]
    starts = np.flatnonzero(np.r_[True, np.diff(essential_buyer) != 0]) if len(order) else order
    for _ in range(max_steps):
        loss = (1.0 - level[supplier]) * unabsorbed
        linear = 1.0 - np.bincount(
            buyer[~essential], weights=(weights * loss)[~essential], minlength=n_orgs
        )
        bottleneck = np.ones(n_orgs)
        if len(order):
            remaining = (1.0 - loss[essential])[order]
            bottleneck[essential_buyer[starts]] = np.minimum.reduceat(remaining, starts)
        updated = np.where(sources, 0.0, np.clip(np.minimum(linear, bottleneck), 0.0, 1.0))
        if np.max(np.abs(updated - level)) <= tol:
            level = updated
            break
        level = updated
    return np.asarray(1.0 - level, dtype=np.float64)
