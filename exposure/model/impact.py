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

The same designation can be rerun under a reference model of :mod:`exposure.model.reference`
(:func:`model_impact`, the "model" lever of a scenario); ``docs/model.md`` says how each
maps the dependency network onto its inputs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
from scipy import sparse

from exposure.model.choices import IMPACT_MODELS, ImpactModel
from exposure.model.graph import Graph

__all__ = ["IMPACT_MODELS", "ImpactModel", "cascade_impact", "edge_amounts", "model_impact"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

# Above this many essential entries, a step's two halves run on two threads.
_PARALLEL_ENTRIES = 100_000
# A step in which more than 1 / _FULL_STEP_SHARE of the organizations moved is a full pass.
_FULL_STEP_SHARE = 8


def _by_supplier(graph: Graph, selected: BoolArray, data: FloatArray) -> sparse.csc_array:
    """A buyer x supplier matrix of the selected edges' ``data``, stored by supplier.

    Edges run in supplier order, so the columns need no sorting.
    """
    edges = np.flatnonzero(selected)
    counts = np.bincount(graph.supplier[edges], minlength=graph.n_orgs)
    start = np.concatenate([[0], np.cumsum(counts)])
    return sparse.csc_array(
        (data[edges], graph.buyer[edges], start), shape=(graph.n_orgs, graph.n_orgs)
    )


def _largest_loss(by_buyer: sparse.csr_array, loss: FloatArray, out: FloatArray) -> None:
    """Raise ``out`` to each buyer's largest ``loss[supplier] * data`` over its entries."""
    if not by_buyer.nnz:
        return
    starts = by_buyer.indptr[:-1]
    rows = np.flatnonzero(np.diff(by_buyer.indptr))
    largest = np.maximum.reduceat(loss[by_buyer.indices] * by_buyer.data, starts[rows])
    out[rows] = np.maximum(out[rows], largest)


def cascade_impact(
    graph: Graph,
    sources: BoolArray,
    exposed_edges: BoolArray,
    *,
    tol: float = 1e-7,
    max_steps: int = 10_000,
) -> FloatArray:
    """Impact (1 - production level) of every organization; sources have impact 1.

    The steps are those of the module docstring (each organization recomputed from its
    suppliers' previous levels), carried out on losses (``1 - h``) and incrementally: levels
    only fall, so a buyer's linear loss grows by exactly what its suppliers lost in the step
    before, and its essential bottleneck can only tighten (a running maximum of loss). A step
    therefore only reads the columns of the organizations whose level moved (sparse column
    slices, in C), and the work is proportional to the edges that carry a change rather
    than to every edge times the number of steps.

    >>> from exposure.model.graph import build_graph
    >>> g = build_graph(names=np.array(list("ABC"), dtype=object), supplier=np.array([0, 1]),
    ...                 buyer=np.array([2, 2]), product=np.array([-1, -1]),
    ...                 used_in=np.array([-1, -1]), value=np.array([30.0, 10.0]))
    >>> cascade_impact(g, np.array([True, False, False]), np.array([True, False])).tolist()
    [1.0, 0.0, 0.75]
    """
    n_orgs = graph.n_orgs
    linear = _by_supplier(graph, exposed_edges & ~graph.essential, graph.linear_weight)
    essential = _by_supplier(graph, exposed_edges & graph.essential, graph.unabsorbed)
    # Once most organizations move at every step (a network with cycles converging
    # geometrically), slicing their columns costs more than the whole product: such steps
    # use the matrices stored by buyer (built on first need) and a full pass.
    by_buyer: list[sparse.csr_array] = []

    source_ids = np.flatnonzero(sources)
    loss = sources.astype(np.float64)
    updated = np.empty(n_orgs)
    linear_loss = np.zeros(n_orgs)  # sum of weight x supplier loss over linear inputs
    essential_loss = np.zeros(n_orgs)  # largest unabsorbed loss of an essential input

    def tighten(moved: IntArray | None) -> None:
        if moved is None:
            _largest_loss(by_buyer[1], loss, essential_loss)
            return
        hit = essential[:, moved]
        if hit.nnz:
            supplier_loss = np.repeat(loss[moved], np.diff(hit.indptr))
            np.maximum.at(essential_loss, hit.indices, supplier_loss * hit.data)

    def spread(moved: IntArray | None, change: FloatArray) -> None:
        part = by_buyer[0] @ change if moved is None else linear[:, moved] @ change
        np.add(linear_loss, part, out=linear_loss)

    # On a large network the essential half of a step runs beside the linear half (NumPy
    # and SciPy release the GIL; the halves write different arrays and read the same
    # losses, so the result does not depend on it).
    helper = ThreadPoolExecutor(1) if essential.nnz > _PARALLEL_ENTRIES else None
    moved: IntArray | None = source_ids
    change: FloatArray = np.ones(len(source_ids))
    try:
        for _ in range(max_steps):
            pending = helper.submit(tighten, moved) if helper is not None else None
            spread(moved, change)
            if pending is not None:
                pending.result()
            else:
                tighten(moved)
            # 1 - min(1 - linear loss, 1 - essential loss), at most 1 (losses are never
            # negative); sources stay down.
            np.minimum(np.maximum(linear_loss, essential_loss, out=updated), 1.0, out=updated)
            updated[source_ids] = 1.0
            step = updated - loss
            loss, updated = updated, loss
            rising = step > 0
            count = int(np.count_nonzero(rising))
            if not count or step.max() <= tol:
                break
            if count * _FULL_STEP_SHARE > n_orgs:
                if not by_buyer:
                    by_buyer.extend((sparse.csr_array(linear), sparse.csr_array(essential)))
                moved, change = None, np.where(rising, step, 0.0)
            else:
                moved = np.flatnonzero(rising)
                change = step[moved]
    finally:
        if helper is not None:
            helper.shutdown()
    return loss


def edge_amounts(graph: Graph) -> FloatArray:
    """What each edge is worth, for models that need amounts rather than shares.

    ``annual_value_usd`` where it is known and positive; elsewhere the median of the known
    values (every edge counts 1 when none is known).

    >>> from exposure.model.graph import build_graph
    >>> g = build_graph(names=np.array(list("ABC"), dtype=object), supplier=np.array([0, 0, 1]),
    ...                 buyer=np.array([1, 2, 2]), product=np.array([-1, -1, -1]),
    ...                 used_in=np.array([-1, -1, -1]), value=np.array([10.0, np.nan, 30.0]))
    >>> edge_amounts(g).tolist()
    [10.0, 20.0, 30.0]
    """
    known = np.isfinite(graph.value) & (graph.value > 0)
    fill = float(np.median(graph.value[known])) if known.any() else 1.0
    return np.asarray(np.where(known, graph.value, fill), dtype=np.float64)


def model_impact(
    graph: Graph, sources: BoolArray, exposed_edges: BoolArray, model: ImpactModel = "cascade"
) -> FloatArray:
    """Impact (0..1) of every organization under one of :data:`IMPACT_MODELS`.

    * ``cascade``: :func:`cascade_impact`, the project's product-scoped cascade (SPEC 4.2).
    * ``esri``: :func:`exposure.model.reference.esri` as published (Diem et al. 2022) on the whole
      organization graph, downstream and upstream: ``W`` = :func:`edge_amounts`, sectors =
      organization kinds, an input essential (Leontief) for a pair of kinds when most edges
      between them are marked ``essential``; sources fail (``psi = 0``); ``impact = 1 - h``.
      It does not know products, and its upstream track also hits the *suppliers* of a
      designated organization (lost sales).
    * ``debtrank``: :func:`exposure.model.reference.debtrank` (variant 2012) on the exposed edges:
      a buyer's "exposure" to a supplier is that edge's share of the buyer's inputs, its
      capital 1, so ``W`` = input shares; sources start defaulted; ``impact = h``.
    * ``iim``: :func:`exposure.model.reference.iim` with ``A*[buyer, supplier]`` = the input share of
      the exposed edges (sources' rows empty: they are down whatever their inputs) and
      ``c* = 1`` at the sources; ``impact = q``.

    Raises:
        ValueError: an unknown model name.
    """
    if model == "cascade":
        return cascade_impact(graph, sources, exposed_edges)
    n_orgs = graph.n_orgs
    if model == "esri":
        return _esri_impact(graph, sources)
    if model not in IMPACT_MODELS:
        raise ValueError(f"unknown impact model {model!r}; expected one of {IMPACT_MODELS}")
    edges = np.flatnonzero(exposed_edges & ~sources[graph.buyer])
    dependence = sparse.csr_array(
        (graph.input_share[edges], (graph.buyer[edges], graph.supplier[edges])),
        shape=(n_orgs, n_orgs),
    )  # row = buyer, column = supplier; duplicate edges add up
    shocked = sources.astype(np.float64)
    if model == "debtrank":
        from exposure.model.reference import debtrank

        return np.asarray(debtrank(dependence, np.ones(n_orgs), shocked).h, dtype=np.float64)
    from exposure.model.reference import iim

    return np.asarray(np.clip(iim(dependence, shocked), 0.0, 1.0), dtype=np.float64)


def _esri_impact(graph: Graph, sources: BoolArray) -> FloatArray:
    from exposure.model.reference import esri

    n_orgs = graph.n_orgs
    kinds, sector = np.unique(graph.kinds.astype(str), return_inverse=True)
    n_sectors = max(len(kinds), 1)
    sales = sparse.csr_array(
        (edge_amounts(graph), (graph.supplier, graph.buyer)), shape=(n_orgs, n_orgs)
    )
    pair = sector[graph.supplier] * n_sectors + sector[graph.buyer]
    essential_votes = np.bincount(pair, weights=graph.essential, minlength=n_sectors**2)
    all_votes = np.bincount(pair, minlength=n_sectors**2)
    ess = np.where(essential_votes * 2 > all_votes, 2, 1).reshape(n_sectors, n_sectors)
    shock = np.where(sources, 0.0, 1.0)
    result = esri(sales, sector if n_orgs else np.zeros(0, np.int64), ess, shock)
    return np.asarray(1.0 - result.h, dtype=np.float64)
