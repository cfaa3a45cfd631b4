"""Chains that explain an exposure: from a designated or non-compliant organization to one organization."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from exposure.model.engine import NONCOMPLIANT
from exposure.model.graph import Graph
from exposure.model.run import AssessmentRun

__all__ = ["chain_edge_lists", "chains"]

logger = logging.getLogger(__name__)


def _feeds(graph: Graph, e_in: int, e_out: int) -> bool:
    product, used_in = int(graph.product[e_out]), int(graph.used_in[e_in])
    return product < 0 or used_in < 0 or product == used_in


def _edge_chain_names(graph: Graph, edges: list[int]) -> list[str]:
    return [str(graph.names[graph.supplier[edges[0]]])] + [
        str(graph.names[graph.buyer[e]]) for e in edges
    ]


def _inbound_index(
    graph: Graph, exposed: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Exposed edges ordered by buyer, and where each organization's inbound run starts."""
    edges = np.flatnonzero(exposed)
    edges = edges[np.argsort(graph.buyer[edges], kind="stable")]
    starts = np.searchsorted(graph.buyer[edges], np.arange(graph.n_orgs + 1))
    return edges.astype(np.int64), starts.astype(np.int64)


def chain_edge_lists(
    run: AssessmentRun, org: int, k: int = 3, *, limit: int = 50_000
) -> list[list[int]]:
    """Up to ``k`` distinct chains to ``org`` as lists of edge indexes; the first is shortest.

    Empty for sources and clear organizations. A chain starts at a source (a designated or
    non-compliant organization), passes through no other source, visits no organization
    twice, and each of its edges feeds the next (SPEC 4.1: the next edge's product is the
    previous edge's ``used_in``, or either is blank). Chains are distinct in their sequence of
    organizations and listed by length.

    The search goes backwards from ``org`` over exposed edges, depth-first with iterative
    deepening: an edge's tier is the length of its shortest product-scoped chain, a lower
    bound that prunes every branch that cannot reach a source within the depth. It stops
    after ``limit`` edges have been looked at. When it finds no chain (product scoping can
    route the only exposure through a loop that comes back to an organization, or the limit
    is reached) the engine's shortest chain is returned alone: it is the explanation there is.
    """
    shortest = run.result.chain_edges(org)
    if not shortest:
        return []
    found = _simple_chains(run, org, k, limit)
    return found or [shortest]


def _simple_chains(run: AssessmentRun, org: int, k: int, limit: int) -> list[list[int]]:
    """Up to ``k`` simple chains to ``org`` by increasing length (see chain_edge_lists)."""
    graph, result = run.graph, run.result
    tier = result.edge_tier
    is_source = result.status >= NONCOMPLIANT
    edges, starts = _inbound_index(graph, result.exposed_edges)
    supplier = graph.supplier

    def candidates(front: int, e_out: int) -> Iterator[int]:
        for e in edges[starts[front] : starts[front + 1]]:
            if e_out < 0 or _feeds(graph, int(e), e_out):
                yield int(e)

    targets = edges[starts[org] : starts[org + 1]]
    if len(targets) == 0:
        return []
    found: list[list[int]] = []
    keys: set[tuple[int, ...]] = set()
    steps = 0
    depth = int(tier[targets].min())
    while len(found) < k and depth < graph.n_orgs:
        cut = False  # whether the depth bound pruned a branch: a deeper search may find more
        path: list[int] = []  # backwards: path[0] enters org, path[-1] is the front edge
        visited = {org}
        stack = [candidates(org, -1)]
        while stack and len(found) < k:
            e = next(stack[-1], -1)
            if e < 0:
                stack.pop()
                if path:
                    visited.discard(int(supplier[path.pop()]))
                continue
            steps += 1
            if steps > limit:
                logger.debug("chains of organization %d: search stopped after %d edges", org, limit)
                return found
            s = int(supplier[e])
            if s in visited:
                continue
            length = len(path) + 1
            if length + int(tier[e]) - 1 > depth:
                cut = True
            elif is_source[s]:
                if length == depth:
                    chain = [e, *path[::-1]]
                    key = (s, *(int(graph.buyer[x]) for x in chain))
                    if key not in keys:
                        keys.add(key)
                        found.append(chain)
            else:
                path.append(e)
                visited.add(s)
                stack.append(candidates(s, e))
        if not cut:
            break
        depth += 1
    return found


def chains(run: AssessmentRun, org: int, k: int = 3, *, limit: int = 50_000) -> list[list[str]]:
    """Up to ``k`` distinct chains (as names) from a source to ``org``; the first is shortest.

    A source's only chain is its own name; a clear organization has none. See
    :func:`chain_edge_lists` for how the chains are found.
    """
    graph = run.graph
    shortest = run.result.chain(graph, org)
    if len(shortest) <= 1:
        return [[str(graph.names[i]) for i in shortest]] if shortest else []
    return [_edge_chain_names(graph, edges) for edges in chain_edge_lists(run, org, k, limit=limit)]
