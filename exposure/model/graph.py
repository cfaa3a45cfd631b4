"""The dependency network as integer-indexed arrays, built once per data version.

One edge direction everywhere: **supplier -> buyer**, "buyer depends on supplier". An edge
carries the ``product`` the buyer gets and ``used_in``, which of the buyer's own products that
input feeds (blank = all of them / unknown).

Products and ``used_in`` values are coded as integers over one vocabulary of lower-cased
strings (the model's edges hold them trimmed and collapsed, see resolve.py); ``-1`` means blank. Edges are
sorted by (supplier, product), so the outbound edges of one organization, and those of one of
its products, are contiguous ranges found by binary search: the engine never loops per edge.

Pure: the warehouse builds it from its tables (:mod:`exposure.warehouse.graph_store`).

>>> graph = build_graph(names=np.array(["Vendor AI", "Host Co"], dtype=object),
...                     supplier=np.array([0]), buyer=np.array([1]),
...                     product=np.array([-1]), used_in=np.array([-1]))
>>> graph.n_orgs, graph.n_edges
(2, 1)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Graph", "build_graph", "input_shares", "ranges"]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int8]


@dataclass(frozen=True, eq=False)
class Graph:
    """Organizations and edges as arrays; edges sorted by (supplier, product code).

    ``group_key`` lists the distinct ``supplier * (n_products + 1) + product`` keys (blank
    product coded ``n_products``) in sorted order and ``group_start`` where each group's edges
    begin (with a final sentinel); ``out_start`` does the same per supplier. ``feeds_group`` is,
    per edge with a ``used_in``, the buyer's group of that product (-1 if the buyer sells none)
    and ``blank_group``, per organization, its blank-product group (-1 if none): both are fixed
    by the data, so the engine looks them up instead of searching at every step.
    ``group_of_edge`` is each edge's group, ``org_group_start`` where each organization's
    groups begin; ``feeds_target`` is ``feeds_group`` with "none" coded ``n_groups`` (one
    past the last group, so that the search needs no test for it), ``blank_used_in`` marks
    the edges with no ``used_in``; and
    ``unabsorbed`` the part of a lost input that the edge's ``alternatives`` cannot replace,
    ``1 / (1 + alternatives)`` (unknown counts as none); ``linear_weight`` is
    ``input_share * unabsorbed``, what a linear input's loss costs its buyer.
    ``deployment``, ``environment``, ``operator`` and ``use`` are each edge's deployment facts
    coded as positions in :mod:`exposure.model.facts`'s vocabularies (-1 unknown; for
    ``environment`` a higher code is a higher level).
    ``input_share * unabsorbed``, what a linear input's loss costs its buyer. ``confidence``
    codes how sure the data is that each edge exists, as indexes into
    :data:`~exposure.model.choices.CONFIDENCE` (0 confirmed ... 3 unknown).
    """

    data_version: str
    names: npt.NDArray[np.object_]
    kinds: npt.NDArray[np.object_]
    parent: IntArray
    products: npt.NDArray[np.object_]
    edge_id: IntArray
    supplier: IntArray
    buyer: IntArray
    product: IntArray
    used_in: IntArray
    value: FloatArray
    essential: BoolArray
    alternatives: FloatArray
    replacement_months: FloatArray
    dod_use: BoolArray
    deployment: CodeArray
    environment: CodeArray
    operator: CodeArray
    use: CodeArray
    out_start: IntArray
    group_key: IntArray
    group_start: IntArray
    feeds_group: IntArray
    blank_group: IntArray
    input_share: FloatArray
    group_of_edge: IntArray
    org_group_start: IntArray
    feeds_target: IntArray
    blank_used_in: BoolArray
    unabsorbed: FloatArray
    linear_weight: FloatArray
    confidence: npt.NDArray[np.int8]

    @property
    def n_orgs(self) -> int:
        return len(self.names)

    @property
    def n_edges(self) -> int:
        return len(self.supplier)

    @property
    def blank_code(self) -> int:
        """The product code standing for a blank product in group keys."""
        return len(self.products)

    def group_of(self, org: IntArray, product: IntArray) -> IntArray:
        """Group index of each (supplier org, product code) pair; -1 where it has no edges.

        ``product`` -1 (blank) looks up the org's blank-product group.
        """
        code = np.where(product < 0, self.blank_code, product)
        keys = org.astype(np.int64) * (self.blank_code + 1) + code
        position = np.searchsorted(self.group_key, keys)
        inside = position < len(self.group_key)
        found = np.zeros(len(keys), dtype=bool)
        found[inside] = self.group_key[position[inside]] == keys[inside]
        return np.where(found, position, -1)


def ranges(start: IntArray, stop: IntArray) -> IntArray:
    """Concatenate ``arange(start[i], stop[i])`` for all i, without a Python loop."""
    lengths = stop - start
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(start - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(total, dtype=np.int64)


def input_shares(buyer: IntArray, value: FloatArray, n_orgs: int) -> FloatArray:
    """Each edge's share of its buyer's inputs: by value when all are known and positive.

    Otherwise every input of that buyer counts the same (SPEC 4.2: counts where values are
    missing).

    >>> input_shares(np.array([1, 1, 2, 2]), np.array([30.0, 10.0, 5.0, np.nan]), 3).tolist()
    [0.75, 0.25, 0.5, 0.5]
    """
    known = np.isfinite(value) & (value > 0)
    all_known = np.bincount(buyer, weights=(~known).astype(float), minlength=n_orgs) == 0
    amount = np.where(all_known[buyer], np.where(known, value, 0.0), 1.0)
    totals = np.bincount(buyer, weights=amount, minlength=n_orgs)
    return np.asarray(amount / np.where(totals[buyer] > 0, totals[buyer], 1.0), dtype=np.float64)


def build_graph(
    *,
    names: npt.NDArray[np.object_],
    supplier: IntArray,
    buyer: IntArray,
    product: IntArray,
    used_in: IntArray,
    products: npt.NDArray[np.object_] | None = None,
    kinds: npt.NDArray[np.object_] | None = None,
    parent: IntArray | None = None,
    edge_id: IntArray | None = None,
    value: FloatArray | None = None,
    essential: BoolArray | None = None,
    alternatives: FloatArray | None = None,
    replacement_months: FloatArray | None = None,
    dod_use: BoolArray | None = None,
    deployment: npt.NDArray[np.integer[Any]] | None = None,
    environment: npt.NDArray[np.integer[Any]] | None = None,
    operator: npt.NDArray[np.integer[Any]] | None = None,
    use: npt.NDArray[np.integer[Any]] | None = None,
    confidence: npt.NDArray[np.int8] | None = None,
    data_version: str = "arrays",
) -> Graph:
    """Build a :class:`Graph` from edge arrays in any order (they are sorted here).

    ``product`` and ``used_in`` are codes into ``products`` (-1 = blank); missing optional
    arrays take neutral defaults (no value, not essential, unknown alternatives and months,
    not DoD use, confirmed, no parents, unknown deployment facts). Deployment facts are codes into
    :mod:`exposure.model.facts`'s vocabularies, -1 unknown.

    >>> g = build_graph(names=np.array(["A", "B"], dtype=object), supplier=np.array([0]),
    ...                 buyer=np.array([1]), product=np.array([-1]), used_in=np.array([-1]))
    >>> g.n_orgs, g.n_edges, g.out_start.tolist()
    (2, 1, [0, 1, 1])
    """
    n_orgs, n_edges = len(names), len(supplier)
    n_products = int(max(product.max(initial=-1), used_in.max(initial=-1))) + 1
    if products is None:
        products = np.array([f"p{i}" for i in range(n_products)], dtype=object)
    blank = len(products)
    keys = supplier.astype(np.int64) * (blank + 1) + np.where(product < 0, blank, product)
    presorted = bool(np.all(keys[1:] >= keys[:-1]))
    order = np.arange(n_edges) if presorted else np.argsort(keys, kind="stable")

    def pick(array: npt.NDArray[Any] | None, default: object, dtype: type) -> npt.NDArray[Any]:
        if array is None:
            return np.full(n_edges, default, dtype=dtype)
        return np.asarray(array, dtype=dtype) if presorted else np.asarray(array)[order]

    keys = keys if presorted else keys[order]
    boundaries = np.flatnonzero(np.diff(keys)) + 1
    group_start = np.concatenate([[0], boundaries, [n_edges]]).astype(np.int64)
    group_key = keys[group_start[:-1]] if n_edges else np.zeros(0, np.int64)
    values = pick(value, np.nan, np.float64)
    sorted_supplier = pick(supplier, 0, np.int64)
    sorted_buyer = pick(buyer, 0, np.int64)
    sorted_used_in = pick(used_in, 0, np.int64)
    is_blank = group_key % (blank + 1) == blank
    blank_group = np.full(n_orgs, -1, dtype=np.int64)
    blank_group[group_key[is_blank] // (blank + 1)] = np.flatnonzero(is_blank)
    feeds_group = _feeds_group(
        sorted_buyer * (blank + 1) + sorted_used_in, sorted_used_in, group_key
    )
    group_org = group_key // (blank + 1)
    alternatives_sorted = pick(alternatives, np.nan, np.float64)
    unabsorbed = 1.0 / (1.0 + np.maximum(np.nan_to_num(alternatives_sorted), 0.0))
    shares = input_shares(sorted_buyer, values, n_orgs)
    return Graph(
        data_version=data_version,
        names=names,
        kinds=kinds if kinds is not None else np.full(n_orgs, "other", dtype=object),
        parent=parent if parent is not None else np.full(n_orgs, -1, dtype=np.int64),
        products=products,
        edge_id=pick(edge_id, 0, np.int64) if edge_id is not None else order.astype(np.int64),
        supplier=sorted_supplier,
        buyer=sorted_buyer,
        product=pick(product, 0, np.int64),
        used_in=sorted_used_in,
        value=values,
        essential=pick(essential, False, bool),
        alternatives=alternatives_sorted,
        replacement_months=pick(replacement_months, np.nan, np.float64),
        dod_use=pick(dod_use, False, bool),
        deployment=pick(deployment, -1, np.int8).astype(np.int8, copy=False),
        environment=pick(environment, -1, np.int8).astype(np.int8, copy=False),
        operator=pick(operator, -1, np.int8).astype(np.int8, copy=False),
        use=pick(use, -1, np.int8).astype(np.int8, copy=False),
        out_start=np.searchsorted(sorted_supplier, np.arange(n_orgs + 1)).astype(np.int64),
        group_key=group_key,
        group_start=group_start,
        feeds_group=feeds_group.astype(np.int64),
        blank_group=blank_group,
        input_share=shares,
        group_of_edge=np.repeat(np.arange(len(group_key), dtype=np.int64), np.diff(group_start)),
        org_group_start=np.searchsorted(group_org, np.arange(n_orgs + 1)).astype(np.int64),
        feeds_target=np.where(feeds_group >= 0, feeds_group, len(group_key)),
        blank_used_in=sorted_used_in < 0,
        unabsorbed=unabsorbed,
        linear_weight=shares * unabsorbed,
        confidence=pick(confidence, 0, np.int8),
    )


def _feeds_group(feeds_keys: IntArray, used_in: IntArray, group_key: IntArray) -> IntArray:
    """Per edge, the index in ``group_key`` of its buyer's group for its ``used_in`` (or -1).

    The lookups are made in sorted order: a binary search per edge in random order misses
    the cache at every step, which on ten million edges costs seconds.
    """
    feeds = np.full(len(feeds_keys), -1, dtype=np.int64)
    scoped = np.flatnonzero(used_in >= 0)
    if not len(group_key) or not len(scoped):
        return feeds
    order = scoped[np.argsort(feeds_keys[scoped])]
    wanted = feeds_keys[order]
    position = np.minimum(np.searchsorted(group_key, wanted), len(group_key) - 1)
    found = group_key[position] == wanted
    feeds[order[found]] = position[found]
    return feeds
