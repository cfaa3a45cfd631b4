"""The Leontief inoperability input-output model (IIM).

Haimes, Y. Y. & Jiang, P. (2001), "Leontief-based model of risk in complex interconnected
infrastructures", Journal of Infrastructure Systems 7(1):1-12. Inoperability ``q_i`` in
[0, 1] is the share of system i's planned output that is lost; a perturbation ``c*`` spreads
through the interdependency matrix ``A*`` (``A*[i, j]`` = how much of j's inoperability
becomes i's) as ``q = A* q + c*``, so ``q = (I - A*)^-1 c*``, capped at 1 after solving.

>>> iim([[0, 0.8], [0.2, 0]], [0, 0.6]).round(6).tolist()
[0.571429, 0.714286]
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg

from exposure.model.reference._matrices import MatrixLike

__all__ = ["iim"]

FloatArray = npt.NDArray[np.float64]


def iim(A_star: MatrixLike, c_star: npt.ArrayLike) -> FloatArray:
    """Inoperability of every system: ``q = min(1, (I - A*)^-1 c*)``.

    Dense input is solved with ``numpy.linalg.solve``; scipy.sparse input with
    ``scipy.sparse.linalg.spsolve``, never densified.

    Args:
        A_star: n x n interdependency matrix; ``A*[i, j]`` is the inoperability of i caused
            by a unit inoperability of j. For a meaningful result its entries are
            non-negative and its spectral radius below 1.
        c_star: n-vector of the perturbation's direct inoperability (demand-side or
            supply-side), in [0, 1].

    Returns:
        The n-vector ``q``, capped at 1 after solving (not during).

    Raises:
        ValueError: on inconsistent shapes, non-finite values, or ``I - A*`` singular.

    >>> iim([[0.0, 0.5], [0.0, 0.0]], [0.0, 1.0]).tolist()
    [0.5, 1.0]
    """
    perturbation = np.asarray(c_star, dtype=np.float64).reshape(-1)
    n_systems = perturbation.shape[0]
    if not np.all(np.isfinite(perturbation)):
        raise ValueError("c_star must be finite")
    if sparse.issparse(A_star):
        matrix = sparse.csc_array(A_star, dtype=np.float64)
        _check_shape(matrix.shape, n_systems)
        if not np.all(np.isfinite(matrix.data)):
            raise ValueError("A_star must be finite")
        if n_systems == 0:
            return np.zeros(0)
        system = sparse.csc_array(sparse.identity(n_systems, format="csc") - matrix)
        with warnings.catch_warnings():
            # A singular system comes back as NaN (with this warning): reported below.
            warnings.simplefilter("ignore", sparse_linalg.MatrixRankWarning)
            solved = np.asarray(sparse_linalg.spsolve(system, perturbation), dtype=np.float64)
        if not np.all(np.isfinite(solved)):
            raise ValueError("I - A_star is singular: the model has no unique solution")
    else:
        dense = np.asarray(A_star, dtype=np.float64)
        _check_shape(dense.shape, n_systems)
        if not np.all(np.isfinite(dense)):
            raise ValueError("A_star must be finite")
        if n_systems == 0:
            return np.zeros(0)
        try:
            solved = np.asarray(
                np.linalg.solve(np.eye(n_systems) - dense, perturbation), dtype=np.float64
            )
        except np.linalg.LinAlgError as error:
            raise ValueError("I - A_star is singular: the model has no unique solution") from error
    return np.asarray(np.minimum(1.0, solved), dtype=np.float64)


def _check_shape(shape: tuple[int, ...], n_systems: int) -> None:
    if shape != (n_systems, n_systems):
        raise ValueError(
            f"A_star must be {n_systems} x {n_systems} to match c_star, got shape {shape}"
        )
