"""Flow-down: which government contracts each exposed dependency feeds (FAR 52.204-25(d)).

A report under FAR 52.204-25(d)(2)(i) or 52.204-30(c) names the *government* contract (and
order) on which the covered article is used, not the reporting contractor's own purchase order.
The data states those contracts on the edges to agencies (a prime's ``prime_contract`` with its
agency). This module follows each exposed dependency downstream, product by product, to the
contract edges it feeds.

The chain is the engine's (SPEC 4.1), read in reverse: an exposed edge ``e`` (supplier A ->
buyer B) feeds an edge ``f`` sold by B when ``f`` is exposed and

* ``e``'s ``used_in`` is blank (it goes into everything B sells), or
* ``e``'s ``used_in`` is ``f``'s product, or
* ``f``'s product is blank (B's unnamed output takes every input).

Each contract edge feeds itself. :func:`contract_flowdown` searches backwards from the contract
edges over the graph's *groups* (one supplier's edges of one product): a group reached with
contract ``c`` hands ``c`` to every exposed inbound edge of its supplier that feeds it. Each
(group, contract) pair is expanded once, so the work is linear in the number of (edge, contract)
pairs found, one vectorized pass per level, never a Python loop per edge.

>>> import numpy as np
>>> from exposure.model.graph import build_graph
>>> # 0 Vendor -> 1 Sub (product 0, used in 1) -> 2 Prime (product 1) -> 3 Agency (product 2)
>>> g = build_graph(names=np.array(["V", "S", "P", "A"], dtype=object),
...                 supplier=np.array([0, 1, 2]), buyer=np.array([1, 2, 3]),
...                 product=np.array([0, 1, 2]), used_in=np.array([1, -1, -1]))
>>> contract_flowdown(g, np.ones(3, dtype=bool), np.array([False, False, True]))
(array([0, 1, 2]), array([2, 2, 2]))
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from exposure.model.graph import Graph, ranges

__all__ = ["contract_flowdown"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _unique_pairs(first: IntArray, second: IntArray, width: int) -> tuple[IntArray, IntArray]:
    keys = np.unique(first * width + second)
    return keys // width, keys % width


def contract_flowdown(
    graph: Graph, exposed: BoolArray, contract: BoolArray
) -> tuple[IntArray, IntArray]:
    """Every (exposed edge, contract edge it feeds) pair, sorted by edge then contract edge.

    Args:
        graph: the network.
        exposed: per edge, whether it carries the designated content (the engine's exposed
            edges, within the scenario's scope); only these carry the flow-down.
        contract: per edge, whether it is a government contract edge (to an agency).

    Returns:
        Two arrays of edge indexes of equal length: the dependency and the contract edge.
    """
    n_edges = graph.n_edges
    width = max(n_edges, 1)
    blank = graph.blank_code
    starts = np.flatnonzero(contract & exposed).astype(np.int64)
    if not len(starts):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    # The exposed edges sorted by (buyer, used_in): the inbound edges feeding one group of a
    # supplier are then one or two contiguous ranges.
    inbound = np.flatnonzero(exposed).astype(np.int64)
    used = np.where(graph.used_in[inbound] < 0, blank, graph.used_in[inbound])
    inbound_keys = graph.buyer[inbound] * (blank + 1) + used
    order = np.argsort(inbound_keys, kind="stable")
    inbound, inbound_keys = inbound[order], inbound_keys[order]

    found_edge, found_contract = [starts], [starts]
    seen_groups = np.zeros(0, dtype=np.int64)
    group, label = _unique_pairs(graph.group_of_edge[starts], starts, width)
    while len(group):
        seen_groups = np.union1d(seen_groups, group * width + label)
        key = graph.group_key[group]
        org, product = key // (blank + 1), key % (blank + 1)
        base = org * (blank + 1)
        named = product != blank
        # A named product: inbound edges used in it, and those with a blank used_in.
        # A blank product: every inbound edge of the supplier.
        low_a = np.searchsorted(inbound_keys, np.where(named, base + product, base), "left")
        high_a = np.where(
            named,
            np.searchsorted(inbound_keys, base + product, "right"),
            np.searchsorted(inbound_keys, base + blank + 1, "left"),
        )
        low_b = np.where(named, np.searchsorted(inbound_keys, base + blank, "left"), 0)
        high_b = np.where(named, np.searchsorted(inbound_keys, base + blank, "right"), 0)
        positions = np.concatenate([ranges(low_a, high_a), ranges(low_b, high_b)])
        labels = np.concatenate(
            [np.repeat(label, high_a - low_a), np.repeat(label, high_b - low_b)]
        )
        edges = inbound[positions]
        if not len(edges):
            break
        edges, labels = _unique_pairs(edges, labels, width)
        found_edge.append(edges)
        found_contract.append(labels)
        next_group, next_label = _unique_pairs(graph.group_of_edge[edges], labels, width)
        fresh = ~np.isin(next_group * width + next_label, seen_groups)
        group, label = next_group[fresh], next_label[fresh]
    edge, contract_edge = _unique_pairs(
        np.concatenate(found_edge), np.concatenate(found_contract), width
    )
    return edge, contract_edge
