"""Reference impact models from the literature, as pure functions (SPEC 4.2).

* :func:`debtrank`: DebtRank over financial exposures (Battiston et al. 2012; Bardoscia et
  al. 2015).
* :func:`esri` / :func:`esri_index`: production cascades and the Economic Systemic Risk
  Index of firm-level supply networks (Diem et al. 2022).
* :func:`iim`: the Leontief inoperability input-output model (Haimes & Jiang 2001).

Each takes dense NumPy arrays or scipy.sparse matrices, is deterministic, and reproduces
its published example (see ``docs/model.md``).

>>> round(float(iim([[0, 0.8], [0.2, 0]], [0, 0.6])[1]), 6)
0.714286
"""

from __future__ import annotations

from exposure.model.reference.debtrank import DebtRankResult, debtrank, impact_matrix
from exposure.model.reference.esri import EsriResult, esri, esri_index
from exposure.model.reference.iim import iim

__all__ = [
    "DebtRankResult",
    "EsriResult",
    "debtrank",
    "esri",
    "esri_index",
    "iim",
    "impact_matrix",
]
