"""ESRI: production losses cascading through a firm-level supply network.

Diem, Borsos, Reisch, Kertész, Thurner (2022), "Quantifying firm-level economic systemic
risk from nation-wide supply networks", Sci. Rep. 12:7719. Every firm has a production level
``h`` in [0, 1] (1 = unaffected). A shock ``psi`` cuts some firms' levels; the loss then
travels on two separate tracks:

* downstream (customers lose inputs), through a generalized Leontief production function:
  inputs from an *essential* sector are bottlenecks, *non-essential* ones cost output
  linearly, *negligible* ones never limit production;
* upstream (suppliers lose customers), linearly in the share of sales lost.

``W[i, j]`` is what firm i sells to firm j (edge direction supplier -> buyer, as everywhere
in this project); ``sector[i]`` is firm i's industry code (0 .. K-1) and ``ess[k, l]`` how
essential an input from sector k is to a firm of sector l: 0 negligible, 1 non-essential
(linear), 2 essential (Leontief). The Economic Systemic Risk Index of firm i is the
sales-weighted production lost when i fails alone. ``docs/model.md`` gives the equations,
the paper's toy network this module reproduces, and every interpretation choice.

>>> W = [[0, 1, 1], [0, 0, 0], [0, 0, 0]]  # firm 0 sells to firms 1 and 2
>>> esri_index(W, [0, 0, 0], [[1]]).tolist()
[1.0, 0.5, 0.5]
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from exposure.model.reference._matrices import MatrixLike, nonnegative_csr

__all__ = ["EsriResult", "esri", "esri_index"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NEGLIGIBLE, NON_ESSENTIAL, ESSENTIAL = 0, 1, 2
# Drops are compared with eps after this slack: a drop that is exactly eps in exact
# arithmetic (0.2 computed as 1 - 0.8) must stop the cascade whatever the rounding.
_ROUNDING_SLACK = 1e-12
# Working arrays of esri_index hold (firms x simultaneous scenarios) floats; this bounds
# their size (about 32 MB each) whatever the network's size.
_BLOCK_ELEMENTS = 4_000_000
# Replaceability: a sector still selling at most this much counts as selling 1 (GLcascade's
# guard against dividing by an empty market).
_EMPTY_MARKET = 1e-10


@dataclass(frozen=True, eq=False)
class EsriResult:
    """Production levels after a shock has cascaded.

    Attributes:
        h_down: levels on the downstream track (lost inputs), in [0, 1].
        h_up: levels on the upstream track (lost customers), in [0, 1].
        steps: propagation steps run, the last being the first whose largest drop on
            either track was at most ``eps``.
    """

    h_down: FloatArray
    h_up: FloatArray
    steps: int

    @property
    def h(self) -> FloatArray:
        """The combined level of each firm: the lower of its two tracks."""
        return np.minimum(self.h_down, self.h_up)


@dataclass(frozen=True, eq=False)
class _Network:
    """The supply network's propagation operators, built once per network.

    The cascade runs on losses ``1 - h``, so every operator maps suppliers' (or customers')
    losses to a firm's loss. ``linear[i, j]`` is the share of firm i's total inputs bought
    from j over non-essential edges. An *input group* is one buyer's inputs from one
    essential sector; ``bottlenecks`` holds one ``(buyers, shares)`` pair per rank r: the
    buyers having at least r + 1 essential groups, and the matrix whose row for buyer i at
    rank r gives the share of that group bought from each supplier. ``upstream[i, j]`` is
    the share of i's sales going to j; ``market[k, i]`` is 1 when firm i is in sector k.
    """

    n_firms: int
    sector: IntArray
    out_strength: FloatArray
    linear: sparse.csr_array
    bottlenecks: tuple[tuple[IntArray, sparse.csr_array], ...]
    upstream: sparse.csr_array
    market: sparse.csr_array


def _network(W: MatrixLike, sector: npt.ArrayLike, ess: npt.ArrayLike) -> _Network:
    """Validate the inputs and build the propagation operators (all vectorized)."""
    sales = nonnegative_csr(W, "W")
    n_firms = sales.shape[0]
    codes = np.asarray(sector).reshape(-1)
    if codes.shape != (n_firms,):
        raise ValueError(f"sector must have one entry per firm ({n_firms}), got {codes.shape}")
    if n_firms and not np.issubdtype(codes.dtype, np.integer):
        raise ValueError("sector must hold integer sector codes 0 .. K-1")
    codes = codes.astype(np.int64)
    essentiality = np.asarray(ess)
    if essentiality.ndim != 2 or essentiality.shape[0] != essentiality.shape[1]:
        raise ValueError(f"ess must be a square K x K matrix, got shape {essentiality.shape}")
    n_sectors = essentiality.shape[0]
    if not np.all(np.isin(essentiality, (NEGLIGIBLE, NON_ESSENTIAL, ESSENTIAL))):
        raise ValueError("ess entries must be 0 (negligible), 1 (non-essential), 2 (essential)")
    if n_firms and (codes.min() < 0 or codes.max() >= n_sectors):
        raise ValueError(f"sector codes must lie in 0 .. {n_sectors - 1} (the rows of ess)")

    edges = sales.tocoo()
    supplier, buyer, value = edges.row.astype(np.int64), edges.col.astype(np.int64), edges.data
    out_strength = np.bincount(supplier, weights=value, minlength=n_firms).astype(np.float64)
    in_strength = np.bincount(buyer, weights=value, minlength=n_firms).astype(np.float64)
    kind = essentiality[codes[supplier], codes[buyer]]

    linear = kind == NON_ESSENTIAL
    # Every edge carries a positive value, so the strengths divided by here are positive.
    linear_shares = sparse.csr_array(
        (value[linear] / in_strength[buyer[linear]], (buyer[linear], supplier[linear])),
        shape=(n_firms, n_firms),
    )
    upstream = sparse.csr_array(
        (value / out_strength[supplier], (supplier, buyer)), shape=(n_firms, n_firms)
    )
    market = sparse.csr_array(
        (np.ones(n_firms), (codes, np.arange(n_firms))), shape=(n_sectors, n_firms)
    )
    return _Network(
        n_firms=n_firms,
        sector=codes,
        out_strength=out_strength,
        linear=linear_shares,
        bottlenecks=_bottlenecks(
            supplier[kind == ESSENTIAL],
            buyer[kind == ESSENTIAL],
            value[kind == ESSENTIAL],
            codes,
            n_sectors,
        ),
        upstream=upstream,
        market=market,
    )


def _bottlenecks(
    supplier: IntArray, buyer: IntArray, value: FloatArray, codes: IntArray, n_sectors: int
) -> tuple[tuple[IntArray, sparse.csr_array], ...]:
    """Essential input groups, one share matrix per rank of a group within its buyer.

    A buyer's bottleneck loss is the largest loss over its groups; taking it rank by rank
    (a buyer has at most K groups, usually one or two) costs one sparse product per rank
    instead of a segmented reduction over every group.
    """
    n_firms, width = len(codes), max(n_sectors, 1)
    keys, group = np.unique(buyer * width + codes[supplier], return_inverse=True)
    group_total = np.bincount(group, weights=value, minlength=len(keys))
    group_buyer = keys // width
    first = np.flatnonzero(np.r_[True, np.diff(group_buyer) != 0]) if len(keys) else keys
    rank = np.arange(len(keys)) - np.repeat(first, np.diff(np.r_[first, len(keys)]))
    shares = sparse.csr_array(
        (value / group_total[group], (group, supplier)), shape=(len(keys), n_firms)
    )
    return tuple(
        (group_buyer[rank == r].astype(np.int64), sparse.csr_array(shares[rank == r]))
        for r in range(int(rank.max(initial=-1)) + 1)
    )


def _replaced_loss(net: _Network, loss: FloatArray) -> FloatArray:
    """Each supplier's lost deliveries that its competitors cannot replace (columns = runs).

    The rule of the authors' reference implementation (GLcascade, ``p_market = p``): the
    lost share ``1 - h_i`` of supplier i's deliveries is scaled by
    ``sigma_i = min(1, s_out_i / A_k)``, where k is i's sector and
    ``A_k = sum over firms l of sector k of h_l s_out_l`` is what the sector still sells;
    ``A_k`` is taken as 1 when it is at most ``_EMPTY_MARKET``.
    """
    sales = net.out_strength[:, None]
    produced = np.asarray(net.market @ (sales * (1.0 - loss)), dtype=np.float64)
    produced[produced <= _EMPTY_MARKET] = 1.0
    sigma = np.divide(sales, produced[net.sector])
    np.minimum(sigma, 1.0, out=sigma)
    return np.multiply(sigma, loss, out=sigma)


def _downstream(net: _Network, loss: FloatArray, replaceability: bool) -> FloatArray:
    """One downstream step on losses (columns = runs): the loss from lost inputs.

    ``1 - h`` of the generalized Leontief function: the largest of the linear loss
    (non-essential inputs lost over total inputs) and each essential sector's lost share.
    """
    supply_loss = _replaced_loss(net, loss) if replaceability else loss
    updated = np.asarray(net.linear @ supply_loss, dtype=np.float64)
    for buyers, shares in net.bottlenecks:
        updated[buyers] = np.maximum(updated[buyers], shares @ supply_loss)
    return updated


def _cascade(
    net: _Network,
    shock: tuple[IntArray, IntArray, FloatArray],
    n_runs: int,
    replaceability: bool,
    eps: float,
    max_steps: int,
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Run ``n_runs`` cascades at once (columns); return downstream and upstream losses.

    ``shock`` lists the initial losses ``1 - psi`` as (firm, run, loss) triples; a firm's
    loss never falls below its shock. Losses only grow (the maps are monotone; with
    replaceability, except where a sector's sales fall to ``_EMPTY_MARKET``), so the drop of
    ``h`` in a step is the growth of the loss. A run stops after the first step
    whose largest growth on either track is at most ``eps``; finished runs leave the
    working arrays, so a block costs what its live runs cost.
    """
    firm, run, initial = shock
    loss_down = np.ones((net.n_firms, n_runs))
    loss_up = np.ones((net.n_firms, n_runs))
    steps = np.zeros(n_runs, dtype=np.int64)
    live = np.arange(n_runs)
    down = np.zeros((net.n_firms, n_runs))
    down[firm, run] = initial
    up = down.copy()
    for step in range(1, max_steps + 1):
        new_down = _downstream(net, down, replaceability)
        new_up = np.asarray(net.upstream @ up, dtype=np.float64)
        new_down[firm, run] = np.maximum(new_down[firm, run], initial)
        new_up[firm, run] = np.maximum(new_up[firm, run], initial)
        # The old arrays are not needed any more: reuse them for the growth.
        growth = np.max(np.subtract(new_down, down, out=down), axis=0, initial=0.0)
        growth = np.maximum(growth, np.max(np.subtract(new_up, up, out=up), axis=0, initial=0.0))
        down, up = new_down, new_up
        done = (growth <= eps + _ROUNDING_SLACK) | (step == max_steps)
        finished = live[done]
        loss_down[:, finished] = np.compress(done, down, axis=1)
        loss_up[:, finished] = np.compress(done, up, axis=1)
        steps[finished] = step
        if done.all():
            break
        keep = ~done
        position = np.cumsum(keep) - 1
        kept = keep[run]
        firm, run, initial = firm[kept], position[run[kept]], initial[kept]
        # compress keeps the arrays C-contiguous (down[:, keep] would not), which the
        # sparse products need to avoid a copy per product.
        live = live[keep]
        down, up = np.compress(keep, down, axis=1), np.compress(keep, up, axis=1)
    # Shares sum to at most 1 in exact arithmetic; clip the rounding.
    return np.clip(loss_down, 0.0, 1.0), np.clip(loss_up, 0.0, 1.0), steps


def esri(
    W: MatrixLike,
    sector: npt.ArrayLike,
    ess: npt.ArrayLike,
    shock: npt.ArrayLike,
    replaceability: bool = False,
    eps: float = 0.01,
    *,
    max_steps: int = 10_000,
) -> EsriResult:
    """Cascade an initial production shock through the network, downstream and upstream.

    Both tracks start at ``psi = shock``. At each step, from the previous step's levels on
    the same track:

    * downstream, for firm i with total inputs ``s_in_i`` and input sectors k:
      ``Pi_ik = sum_{j in k} W[j, i] h_j / sum_{j in k} W[j, i]`` (share of sector k's
      input still delivered), and
      ``h_i = min(psi_i, min_{k essential} Pi_ik,
      1 - sum_{j non-essential} W[j, i] (1 - h_j) / s_in_i)``;
    * upstream, for firm i with total sales ``s_out_i``:
      ``h_i = min(psi_i, 1 - sum_j W[i, j] (1 - h_j) / s_out_i)``.

    Args:
        W: ``W[i, j]`` = what firm i sells to firm j (dense or scipy.sparse).
        sector: integer sector code (0 .. K-1) of each firm.
        ess: K x K essentiality: ``ess[k, l]`` for an input from sector k to a firm of
            sector l (0 negligible, 1 non-essential, 2 essential).
        shock: initial production level ``psi`` of each firm (1 unaffected, 0 failed).
        replaceability: let competitors of the same sector replace part of a supplier's
            lost deliveries on the downstream track, by the rule of the authors' reference
            implementation (GLcascade): supplier i's lost share ``1 - h_i`` counts only
            ``sigma_i = min(1, s_out_i / A_k)`` of itself, where ``A_k`` is what i's sector
            k still sells, ``sum_{l in k} h_l s_out_l`` at the previous step (taken as 1
            when at most 1e-10). See docs/model.md.
        eps: stop after the first step whose largest drop on either track is <= eps.
        max_steps: hard limit on steps (a safeguard: drops below ``eps + 1e-12`` stop
            every cascade long before).

    Returns:
        An :class:`EsriResult`; ``result.h`` combines the tracks.

    Raises:
        ValueError: on inconsistent shapes, negative weights, bad sector codes or ``ess``
            entries, or a shock outside [0, 1].

    Firm 2 buys equal amounts from firm 0 (non-essential input) and firm 1 (essential):

    >>> W = [[0, 0, 1], [0, 0, 1], [0, 0, 0]]
    >>> ess = [[0, 0, 1], [0, 0, 2], [0, 0, 0]]
    >>> result = esri(W, [0, 1, 2], ess, shock=[0, 1, 1])
    >>> result.h_down.tolist(), result.h_up.tolist(), result.steps
    ([0.0, 1.0, 0.5], [0.0, 1.0, 1.0], 2)
    >>> esri(W, [0, 1, 2], ess, shock=[1, 0, 1]).h.tolist()
    [1.0, 0.0, 0.0]
    """
    net = _network(W, sector, ess)
    psi = _shock(shock, net.n_firms)
    loss = 1.0 - psi
    firms = np.flatnonzero(loss > 0)
    loss_down, loss_up, steps = _cascade(
        net, (firms, np.zeros_like(firms), loss[firms]), 1, replaceability, eps, max_steps
    )
    # The minimum with psi undoes rounding in 1 - (1 - psi), so shocked levels are exact.
    return EsriResult(
        h_down=np.minimum(1.0 - loss_down[:, 0], psi),
        h_up=np.minimum(1.0 - loss_up[:, 0], psi),
        steps=int(steps[0]),
    )


def esri_index(
    W: MatrixLike,
    sector: npt.ArrayLike,
    ess: npt.ArrayLike,
    replaceability: bool = False,
    eps: float = 0.01,
    *,
    weights: npt.ArrayLike | None = None,
    max_steps: int = 10_000,
    block_size: int | None = None,
    n_jobs: int = 1,
) -> FloatArray:
    """The Economic Systemic Risk Index of every firm: the weighted loss when it fails alone.

    ``ESRI_i = sum_j w_j (1 - min(h_down_j, h_up_j))`` after the cascade started by
    ``psi_i = 0`` (all other firms 1), counting firm i's own loss. The weights are each
    firm's share of all sales in the network, ``w_j = s_out_j / sum_l s_out_l``, unless
    ``weights`` is given (docs/model.md discusses the choice: the paper's Fig. 1 numbers
    come out exactly with it).

    Many single-firm cascades run at once as the columns of one array, each stopping on
    its own; the result equals calling :func:`esri` once per firm.

    Args:
        W: ``W[i, j]`` = what firm i sells to firm j (dense or scipy.sparse).
        sector: integer sector code (0 .. K-1) of each firm.
        ess: K x K essentiality matrix (0 negligible, 1 non-essential, 2 essential).
        replaceability: as in :func:`esri`.
        eps: as in :func:`esri`.
        weights: economic size of each firm (normalized here); sales share by default.
        max_steps: as in :func:`esri`.
        block_size: simultaneous cascades per block (memory vs speed); automatic if None.
        n_jobs: worker processes for the blocks (results are identical for any value).

    Returns:
        One ESRI per firm, in [0, 1] (all zero when the network has no sales).

    Raises:
        ValueError: as :func:`esri`, or on weights that are not one finite non-negative
            value per firm.

    The toy network of the paper's Fig. 1 (linear production everywhere):

    >>> edges = [(2, 1), (2, 3), (3, 7), (6, 7), (7, 4), (7, 11), (8, 11), (9, 5),
    ...          (9, 10), (10, 7)]
    >>> W = np.zeros((11, 11))
    >>> for seller, buyer in edges:
    ...     W[seller - 1, buyer - 1] = 1
    >>> sector = np.array([1, 2, 1, 3, 4, 2, 4, 1, 2, 3, 5]) - 1
    >>> esri_index(W, sector, np.ones((5, 5), dtype=int)).round(4).tolist()
    [0.1, 0.3667, 0.2667, 0.35, 0.1, 0.1667, 0.7, 0.1, 0.3667, 0.2667, 0.45]
    """
    net = _network(W, sector, ess)
    n_firms = net.n_firms
    size = net.out_strength if weights is None else np.asarray(weights, dtype=np.float64)
    if size.shape != (n_firms,) or np.any(size < 0) or not np.all(np.isfinite(size)):
        raise ValueError(f"weights must be {n_firms} finite non-negative values")
    total = size.sum()
    if n_firms == 0 or total <= 0:
        return np.zeros(n_firms)
    share = size / total
    block = block_size or max(1, min(n_firms, _BLOCK_ELEMENTS // max(n_firms, 1)))
    blocks = [np.arange(first, min(first + block, n_firms)) for first in range(0, n_firms, block)]
    tasks = [(net, share, firms, replaceability, eps, max_steps) for firms in blocks]
    index = np.empty(n_firms)
    if n_jobs > 1 and len(blocks) > 1:
        # spawn, not fork: forking a process that runs threads (a dashboard) can deadlock.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(n_jobs, len(blocks)), mp_context=context) as pool:
            for firms, values in zip(blocks, pool.map(_block_index, tasks), strict=True):
                index[firms] = values
    else:
        for firms, task in zip(blocks, tasks, strict=True):
            index[firms] = _block_index(task)
    return index


def _block_index(
    task: tuple[_Network, FloatArray, IntArray, bool, float, int],
) -> FloatArray:
    """ESRI of one block of firms, each failing alone (a top-level function: picklable)."""
    net, share, firms, replaceability, eps, max_steps = task
    shock = (firms, np.arange(len(firms)), np.ones(len(firms)))
    loss_down, loss_up, _ = _cascade(net, shock, len(firms), replaceability, eps, max_steps)
    return np.asarray(share @ np.maximum(loss_down, loss_up), dtype=np.float64)


def _shock(shock: npt.ArrayLike, n_firms: int) -> FloatArray:
    psi = np.asarray(shock, dtype=np.float64).reshape(-1)
    if psi.shape != (n_firms,):
        raise ValueError(f"shock must have one entry per firm ({n_firms}), got {psi.shape}")
    if not np.all((psi >= 0) & (psi <= 1)):
        raise ValueError("shock levels must lie in [0, 1]")
    return psi
