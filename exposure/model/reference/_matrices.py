"""Input checks the reference models share."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = ["MatrixLike", "nonnegative_csr"]

MatrixLike: TypeAlias = npt.ArrayLike | sparse.spmatrix | sparse.sparray


def nonnegative_csr(matrix: MatrixLike, name: str) -> sparse.csr_array:
    """A square, finite, non-negative float CSR copy of a dense or sparse matrix.

    Duplicate entries are summed and explicit zeros dropped; the caller's matrix is never
    modified.

    >>> nonnegative_csr([[0, 2], [1, 0]], "W").toarray().tolist()
    [[0.0, 2.0], [1.0, 0.0]]
    """
    if sparse.issparse(matrix):
        # A copy: the caller's matrix must not be touched by sum_duplicates below.
        csr = sparse.csr_array(matrix, dtype=np.float64, copy=True)
    else:
        dense = np.asarray(matrix, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError(f"{name} must be a 2-D matrix, got shape {dense.shape}")
        csr = sparse.csr_array(dense)
    csr.sum_duplicates()
    csr.eliminate_zeros()
    if csr.shape[0] != csr.shape[1]:
        raise ValueError(f"{name} must be square, got shape {csr.shape}")
    if not np.all(np.isfinite(csr.data)) or np.any(csr.data < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    return csr
