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
from typing import Any

import numpy as np
import numpy.typing as npt

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
# A full pass jumps ahead (:func:`_jump`) when its steps' ratios agree within this share,
# or after _PATIENCE steps without a jump, whatever their spread.
_ALIGNED = 0.99
_PATIENCE = 20


class _Entries:
    """The selected edges' ``data``, grouped by supplier (edges run in supplier order), with
    what a step needs to read the entries of some suppliers or of all of them."""

    def __init__(self, graph: Graph, selected: BoolArray, data: FloatArray) -> None:
        edges = np.flatnonzero(selected)
        self.supplier = graph.supplier[edges]
        self.buyer = graph.buyer[edges]
        self.data = data[edges]
        self.count = np.bincount(self.supplier, minlength=graph.n_orgs)
        self.start = np.concatenate([[0], np.cumsum(self.count)[:-1]]).astype(np.int64)
        self.n_orgs = graph.n_orgs
        self._by_buyer: tuple[IntArray, IntArray] | None = None
        self._csr: Any = None
        self._halves: tuple[Any, Any] | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def of(self, suppliers: IntArray) -> tuple[IntArray, IntArray]:
        """The positions of the entries of ``suppliers`` and, for each, its supplier's index
        in ``suppliers``."""
        counts = self.count[suppliers]
        owner = np.repeat(np.arange(len(suppliers)), counts)
        first = np.cumsum(counts) - counts
        positions = np.arange(int(counts.sum())) - first[owner] + self.start[suppliers][owner]
        return positions, owner

    def spread(self, out: FloatArray, suppliers: IntArray, change: FloatArray) -> None:
        """Add ``data * change[i]`` to the buyer of each entry of ``suppliers[i]`` in ``out``."""
        positions, owner = self.of(suppliers)
        np.add(
            out,
            np.bincount(self.buyer[positions], self.data[positions] * change[owner], self.n_orgs),
            out=out,
        )

    def product(self, loss: FloatArray, helper: ThreadPoolExecutor | None = None) -> FloatArray:
        """Each buyer's sum of ``data * loss[supplier]`` over its entries; with a ``helper``
        thread, the second half of the buyers on it (SciPy's product releases the GIL)."""
        if helper is None:
            return np.asarray(self._matrix() @ loss, dtype=np.float64)
        if self._halves is None:
            middle = self.n_orgs // 2
            self._halves = (self._matrix()[:middle], self._matrix()[middle:])
        top, bottom = self._halves
        second = helper.submit(bottom.__matmul__, loss)
        return np.concatenate([top @ loss, second.result()]).astype(np.float64, copy=False)

    def largest(self, loss: FloatArray) -> FloatArray:
        """Each buyer's largest ``data * loss[supplier]`` over its entries (0 without one)."""
        out = np.zeros(self.n_orgs)
        self.tighten(out, None, loss)
        return out

    def _matrix(self) -> Any:
        """The entries as a buyer x supplier SciPy matrix stored by buyer, built on first need.

        A full pass is a sparse product: SciPy's is 2.3x NumPy's ``bincount`` at 2M entries,
        which pays its import (a quarter of a second) on the networks that need full passes;
        networks without cycles never import it.
        """
        if self._csr is None:
            from scipy import sparse

            self._csr = sparse.csr_array(
                (self.data, (self.buyer, self.supplier)), shape=(self.n_orgs, self.n_orgs)
            )
        return self._csr

    def tighten(self, out: FloatArray, suppliers: IntArray | None, loss: FloatArray) -> None:
        """Raise ``out`` at each entry's buyer to ``data * loss[supplier]``, over the entries of
        ``suppliers`` (all when None)."""
        if not self.size:
            return
        if suppliers is not None:
            positions, _owner = self.of(suppliers)
            if len(positions):
                np.maximum.at(
                    out,
                    self.buyer[positions],
                    self.data[positions] * loss[self.supplier[positions]],
                )
            return
        if self._by_buyer is None:
            order = np.argsort(self.buyer, kind="stable")
            self._by_buyer = order, np.flatnonzero(np.diff(self.buyer[order], prepend=-1))
        order, starts = self._by_buyer
        largest = np.maximum.reduceat(self.data[order] * loss[self.supplier[order]], starts)
        buyers = self.buyer[order[starts]]
        out[buyers] = np.maximum(out[buyers], largest)


def _jump(loss: FloatArray, step: FloatArray, before: FloatArray, waited: int) -> bool:
    """Move ``loss`` ahead by a lower bound of what the steps to come will add; False when no
    bound is known.

    The cascade's map ``F`` (``loss -> min(1, max(linear, essential))``) is monotone and, below
    1, the maximum of nonnegative linear maps: each step's increase ``d' = F(x') - F(x)`` is at
    most ``A d`` and the next at least ``A d'``, where ``A`` is the linear map active at
    ``x'``. So when ``d' >= r d`` for some ``0 < r < 1`` (both steps rising), every later step
    is at least ``r`` times the one before, and ``x' + d' r / (1 - r)`` is still at most the
    limit. The steps that follow start from there: they converge to the same limit (it is the
    smallest fixed point, and every point between the start and it leads to it), in far fewer
    steps when the convergence is slow (``r`` near 1).

    The bound is tight when the steps are aligned (every organization's ratio near ``r``, as
    the steps of a slow geometric convergence become): the jump waits for that, up to
    ``_PATIENCE`` steps (``waited`` so far). On the heavy-tailed 200k/2M network of
    ``bench_end_to_end.py``: 55 full passes instead of 732.
    """
    if step.min() < 0 or before.min() < 0:
        return False
    rose = before > 0
    if not rose.any():
        return False
    ratios = step[rose] / before[rose]
    ratio = float(ratios.min())
    if not 0.0 < ratio < 1.0 or (ratio < _ALIGNED * float(ratios.max()) and waited < _PATIENCE):
        return False
    loss += step * (ratio / (1.0 - ratio))
    np.minimum(loss, 1.0, out=loss)
    return True


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
    therefore only reads the entries of the organizations whose level moved (gathered and
    summed with NumPy), and the work is proportional to the edges that carry a change
    rather than to every edge times the number of steps. Once most organizations move at
    every step, as on a network with cycles, a step is one full pass over the entries.

    >>> from exposure.model.graph import build_graph
    >>> g = build_graph(names=np.array(list("ABC"), dtype=object), supplier=np.array([0, 1]),
    ...                 buyer=np.array([2, 2]), product=np.array([-1, -1]),
    ...                 used_in=np.array([-1, -1]), value=np.array([30.0, 10.0]))
    >>> cascade_impact(g, np.array([True, False, False]), np.array([True, False])).tolist()
    [1.0, 0.0, 0.75]
    """
    n_orgs = graph.n_orgs
    linear = _Entries(graph, exposed_edges & ~graph.essential, graph.linear_weight)
    essential = _Entries(graph, exposed_edges & graph.essential, graph.unabsorbed)

    source_ids = np.flatnonzero(sources)
    loss = sources.astype(np.float64)
    updated = np.empty(n_orgs)
    linear_loss = np.zeros(n_orgs)  # sum of weight x supplier loss over linear inputs
    essential_loss = np.zeros(n_orgs)  # largest unabsorbed loss of an essential input

    # On a large network the essential half of a step runs beside the linear half (NumPy
    # releases the GIL; the halves write different arrays and read the same losses, so the
    # result does not depend on it); without many essential inputs, a full pass's linear
    # product is split between two threads instead (each buyer's sum is the same either way).
    threaded = essential.size > _PARALLEL_ENTRIES
    split = not threaded and linear.size > _PARALLEL_ENTRIES
    helper = ThreadPoolExecutor(1) if threaded or split else None
    # ``moved`` lists the organizations whose loss rose in the step before. Once most of them
    # move at every step (a network with cycles converging geometrically), gathering their
    # entries costs more than a full pass: the steps become full passes (``moved`` is None)
    # and may jump ahead (see :func:`_jump`).
    moved: IntArray | None = source_ids
    change: FloatArray = np.ones(len(source_ids))
    before: FloatArray | None = None  # a full pass's step, for the next one's jump
    waited = 0
    try:
        for _ in range(max_steps):
            if moved is None:
                largest = helper.submit(essential.largest, loss) if threaded and helper else None
                linear_loss = linear.product(loss, helper if split else None)
                essential_loss = (
                    largest.result() if largest is not None else essential.largest(loss)
                )
            else:
                pending = (
                    helper.submit(essential.tighten, essential_loss, moved, loss)
                    if threaded and helper is not None
                    else None
                )
                linear.spread(linear_loss, moved, change)
                if pending is not None:
                    pending.result()
                else:
                    essential.tighten(essential_loss, moved, loss)
            # 1 - min(1 - linear loss, 1 - essential loss), at most 1 (losses are never
            # negative); sources stay down.
            np.minimum(np.maximum(linear_loss, essential_loss, out=updated), 1.0, out=updated)
            updated[source_ids] = 1.0
            step = updated - loss
            loss, updated = updated, loss
            if moved is None:
                if not len(step) or np.abs(step).max() <= tol:
                    break
                if before is not None and _jump(loss, step, before, waited):
                    loss[source_ids] = 1.0
                    before, waited = None, 0
                else:
                    before, waited = step, waited + 1
                continue
            rising = step > 0
            count = int(np.count_nonzero(rising))
            if not count or step.max() <= tol:
                break
            if count * _FULL_STEP_SHARE > n_orgs:
                moved, before = None, step
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
    from scipy import sparse

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
    from scipy import sparse

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
