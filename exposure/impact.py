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
from scipy import sparse

from exposure.graph import Graph

__all__ = ["cascade_impact"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def cascade_impact(
    graph: Graph,
    sources: BoolArray,
    exposed_edges: BoolArray,
    *,
    tol: float = 1e-7,
    max_steps: int = 10_000,
) -> FloatArray:
    """Impact (1 - production level) of every organization; sources have impact 1.

    Vectorized: the linear part of a step is one sparse matrix-vector product (supplier-major
    CSR over the exposed linear edges, built without sorting since edges are sorted by
    supplier), the essential part one gather and a per-buyer ``minimum.reduceat``.
    """
    n_orgs = graph.n_orgs
    level = np.where(sources, 0.0, 1.0)
    if not exposed_edges.any():
        return 1.0 - level
    unabsorbed = 1.0 / (1.0 + np.maximum(np.nan_to_num(graph.alternatives, nan=0.0), 0.0))
    linear_edges = np.flatnonzero(exposed_edges & ~graph.essential)
    by_supplier = sparse.csr_matrix(
        (
            graph.input_share[linear_edges] * unabsorbed[linear_edges],
            graph.buyer[linear_edges],
            np.searchsorted(graph.supplier[linear_edges], np.arange(n_orgs + 1)),
        ),
        shape=(n_orgs, n_orgs),
    )
    to_buyers = by_supplier.T  # CSC: its matrix-vector product needs no conversion
    essential_edges = np.flatnonzero(exposed_edges & graph.essential)
    essential_edges = essential_edges[np.argsort(graph.buyer[essential_edges], kind="stable")]
    essential_buyer = graph.buyer[essential_edges]
    essential_supplier = graph.supplier[essential_edges]
    essential_unabsorbed = unabsorbed[essential_edges]
    starts = (
        np.flatnonzero(np.r_[True, np.diff(essential_buyer) != 0])
        if len(essential_edges)
        else essential_edges
    )
    heads = essential_buyer[starts] if len(essential_edges) else essential_edges
    for _ in range(max_steps):
        linear = 1.0 - to_buyers @ (1.0 - level)
        bottleneck = np.ones(n_orgs)
        if len(essential_edges):
            remaining = 1.0 - (1.0 - level[essential_supplier]) * essential_unabsorbed
            bottleneck[heads] = np.minimum.reduceat(remaining, starts)
        updated = np.where(sources, 0.0, np.clip(np.minimum(linear, bottleneck), 0.0, 1.0))
        done = np.max(np.abs(updated - level)) <= tol
        level = updated
        if done:
            break
    return np.asarray(1.0 - level, dtype=np.float64)
