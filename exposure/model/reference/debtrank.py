"""DebtRank: distress propagating over a network of financial exposures.

Two published variants, both on the same impact matrix:

* ``"2012"``: Battiston, Puliga, Kaushik, Tasca, Caldarelli (2012), "DebtRank: Too central
  to fail? Financial networks, the FED and systemic risk", Sci. Rep. 2:541. Each distressed
  node passes its distress on exactly once, then becomes inactive.
* ``"2015"``: Bardoscia, Battiston, Caccioli, Caldarelli (2015), "DebtRank: a microscopic
  foundation for shock propagation", PLoS ONE 10(6):e0130406. Distress keeps flowing round
  cycles: the least fixed point of ``h = min(1, h0 + M^T h)``.

``exposures[i, j]`` is what node i has lent to (or invested in) node j, so j's distress hits
i. The impact of i on j is ``L[i, j] = exposures[j, i] / capital[j]`` and ``W = min(1, L)``.
See ``docs/model.md`` for the equations and the published example this module reproduces.

>>> result = debtrank([[0, 1, 0], [10, 0, 3], [3, 2, 0]], [2, 5, 2], [1, 0, 0],
...                   weights=[10, 100, 30])
>>> round(result.score, 6), result.additional_defaults
(0.928571, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from exposure.model.reference._matrices import MatrixLike, nonnegative_csr

__all__ = ["DebtRankResult", "debtrank", "impact_matrix"]

FloatArray = npt.NDArray[np.float64]
Variant = Literal["2012", "2015"]

# A level within this of 1 counts as a default: sums of shares such as 0.1 + 0.2 + 0.7 land
# an ulp below 1, and the 2015 iteration approaches a saturating node geometrically, so it
# stops (change < tol) a little below 1.
_DEFAULT_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class DebtRankResult:
    """The outcome of one DebtRank run.

    Attributes:
        h: final relative equity loss of every node, in [0, 1].
        score: the DebtRank, the value-weighted loss caused beyond the initial shock.
        additional_defaults: nodes with ``h >= 1`` at the end that were not defaulted
            (``h0 >= 1``) at the start.
        steps: propagation steps (2012) or fixed-point iterations (2015) performed.
    """

    h: FloatArray
    score: float
    additional_defaults: int
    steps: int


def _vector(values: npt.ArrayLike, n_nodes: int, name: str) -> FloatArray:
    vector = np.asarray(values, dtype=np.float64).reshape(-1)
    if vector.shape != (n_nodes,):
        raise ValueError(f"{name} must have one entry per node ({n_nodes}), got {vector.shape}")
    if not np.all(np.isfinite(vector)):
        raise ValueError(f"{name} must be finite")
    return vector


def impact_matrix(
    exposures: MatrixLike, capital: npt.ArrayLike, *, capped: bool = True
) -> sparse.csr_array:
    """The transposed impact matrix ``M^T``: entry ``[j, i]`` is the impact of i on j.

    ``M^T[j, i] = exposures[j, i] / capital[j]``, capped at 1 when ``capped`` (that is
    ``W^T``; uncapped it is ``L^T``). Propagating a distress vector ``x`` is ``M^T @ x``.

    Args:
        exposures: ``exposures[i, j]`` = what i has lent to or invested in j (dense or sparse).
        capital: each node's capital (equity), all positive.
        capped: cap each impact at 1 (a node cannot lose more than its capital to one
            counterparty).

    Returns:
        A CSR array of shape ``(n, n)``.

    Raises:
        ValueError: on a non-square or negative matrix, or a capital that is not positive.

    >>> impact_matrix([[0, 4], [1, 0]], [2, 4]).toarray().tolist()
    [[0.0, 1.0], [0.25, 0.0]]
    >>> impact_matrix([[0, 4], [1, 0]], [2, 4], capped=False).toarray().tolist()
    [[0.0, 2.0], [0.25, 0.0]]
    """
    csr = nonnegative_csr(exposures, "exposures")
    equity = _vector(capital, csr.shape[0], "capital")
    if np.any(equity <= 0):
        raise ValueError("capital must be positive for every node")
    # Row j of exposures scaled by 1 / capital[j]: each row holds what j stands to lose.
    scaled = sparse.csr_array(sparse.diags_array(1.0 / equity) @ csr)
    if capped:
        scaled.data = np.minimum(scaled.data, 1.0)
    return scaled


def debtrank(
    exposures: MatrixLike,
    capital: npt.ArrayLike,
    h0: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    variant: Variant = "2012",
    capped: bool = True,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> DebtRankResult:
    """Run DebtRank from an initial distress ``h0`` and return the final distress and score.

    Variant ``"2012"`` (Battiston et al. 2012): nodes with ``h0 > 0`` start distressed (D),
    the rest undistressed (U). At each step every node j gets
    ``h_j <- min(1, h_j + sum over distressed i of M[i, j] h_i)``; the nodes that were
    distressed become inactive (I) and the undistressed nodes now with ``h > 0`` become
    distressed. It stops when no node is distressed. Score:
    ``sum (h(T) - h(1)) v`` with ``h(1) = min(1, h0)``.

    Variant ``"2015"`` (Bardoscia et al. 2015): the least fixed point of
    ``h = min(1, h0 + M^T h)``, iterated from ``min(1, h0)`` until the largest change is
    below ``tol`` (or ``max_iter`` iterations). Score: ``sum h v - sum min(1, h0) v``.

    ``M`` is ``W = min(1, L)`` when ``capped`` (the papers' choice) else ``L``, in both
    variants. ``v = weights / sum(weights)``, equal weights by default.

    Args:
        exposures: ``exposures[i, j]`` = what i has lent to or invested in j; dense or
            scipy.sparse, non-negative.
        capital: each node's capital (equity), positive.
        h0: initial relative equity loss per node, non-negative (1 = defaulted; values
            above 1 are treated as 1).
        weights: economic value of each node (e.g. total assets); equal if omitted.
        variant: ``"2012"`` or ``"2015"``.
        capped: cap single impacts at 1.
        tol: convergence threshold of the 2015 iteration.
        max_iter: iteration limit of the 2015 iteration.

    Returns:
        A :class:`DebtRankResult`.

    Raises:
        ValueError: on inconsistent shapes, negative exposures or ``h0``, non-positive
            capital, weights that do not sum to a positive value, or an unknown variant.

    >>> exposures = [[0, 1, 0], [10, 0, 3], [3, 2, 0]]  # the NetworkRiskMeasures example
    >>> result = debtrank(exposures, [2, 5, 2], [0, 0, 1], weights=[10, 100, 30])
    >>> round(result.score, 6), result.h.round(6).tolist()
    (0.664286, [0.3, 0.9, 1.0])
    >>> round(debtrank(exposures, [2, 5, 2], [0, 0, 1], [10, 100, 30], "2015").score, 6)
    0.75
    """
    if variant not in ("2012", "2015"):
        raise ValueError(f"variant must be '2012' or '2015', got {variant!r}")
    impact_t = impact_matrix(exposures, capital, capped=capped)
    n_nodes = impact_t.shape[0]
    initial = _vector(h0, n_nodes, "h0")
    if np.any(initial < 0):
        raise ValueError("h0 must be non-negative")
    value = np.ones(n_nodes) if weights is None else _vector(weights, n_nodes, "weights")
    if n_nodes and (np.any(value < 0) or value.sum() <= 0):
        raise ValueError("weights must be non-negative with a positive sum")
    share = value / value.sum() if n_nodes else value
    start = np.minimum(initial, 1.0)

    if variant == "2012":
        level, steps = _propagate_once(impact_t, start)
    else:
        level, steps = _least_fixed_point(impact_t, start, tol=tol, max_iter=max_iter)

    defaulted = level >= 1.0 - _DEFAULT_TOLERANCE
    already = initial >= 1.0 - _DEFAULT_TOLERANCE
    return DebtRankResult(
        h=level,
        score=float(level @ share - start @ share),
        additional_defaults=int(np.count_nonzero(defaulted & ~already)),
        steps=steps,
    )


def _propagate_once(impact_t: sparse.csr_array, start: FloatArray) -> tuple[FloatArray, int]:
    """The 2012 dynamics: each distressed node propagates once, then turns inactive."""
    level = start.copy()
    distressed = level > 0
    inactive = np.zeros_like(distressed)
    steps = 0
    while distressed.any():
        steps += 1
        level = np.minimum(1.0, level + impact_t @ np.where(distressed, level, 0.0))
        inactive |= distressed
        # Undistressed nodes all sit at 0 until hit, so "U now with h > 0" is the new D.
        distressed = ~inactive & (level > 0)
    return level, steps


def _least_fixed_point(
    impact_t: sparse.csr_array, start: FloatArray, *, tol: float, max_iter: int
) -> tuple[FloatArray, int]:
    """The 2015 dynamics: iterate ``h <- min(1, h0 + M^T h)`` from ``h0`` (monotone)."""
    level = start.copy()
    for step in range(1, max_iter + 1):
        updated = np.minimum(1.0, start + impact_t @ level)
        change = float(np.max(np.abs(updated - level), initial=0.0))
        level = updated
        if change < tol:
            return level, step
    return level, max_iter
