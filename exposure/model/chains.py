"""Chains that explain an exposure: from a designated or non-compliant organization to one organization."""

from __future__ import annotations

import networkx as nx
import numpy as np

from exposure.model.graph import Graph
from exposure.model.run import AssessmentRun

__all__ = ["chain_edge_lists", "chains"]


def _feeds(graph: Graph, e_in: int, e_out: int) -> bool:
    product, used_in = int(graph.product[e_out]), int(graph.used_in[e_in])
    return product < 0 or used_in < 0 or product == used_in


def _edge_chain_names(graph: Graph, edges: list[int]) -> list[str]:
    return [str(graph.names[graph.supplier[edges[0]]])] + [
        str(graph.names[graph.buyer[e]]) for e in edges
    ]


def chain_edge_lists(
    run: AssessmentRun, org: int, k: int = 3, *, limit: int = 20_000
) -> list[list[int]]:
    """Up to ``k`` distinct chains to ``org`` as lists of edge indexes; the first is shortest.

    Empty for sources and clear organizations. A small explanation, so networkx serves it:
    the exposed edges that can feed ``org`` are collected backwards (at most ``limit`` of
    them), then ``shortest_simple_paths`` lists chains of edges, kept when their organization
    sequence is new.
    """
    graph, result = run.graph, run.result
    shortest = result.chain_edges(org)
    if not shortest:
        return []
    exposed = result.exposed_edges
    by_buyer = np.argsort(graph.buyer, kind="stable")
    starts = np.searchsorted(graph.buyer[by_buyer], np.arange(graph.n_orgs + 1))

    def inbound(o: int) -> list[int]:
        edges = by_buyer[starts[o] : starts[o + 1]]
        return [int(e) for e in edges if exposed[e]]

    line = nx.DiGraph()
    targets = inbound(org)
    frontier = list(targets)
    seen = set(frontier)
    while frontier and len(seen) < limit:
        next_frontier = []
        for e_out in frontier:
            if result.edge_tier[e_out] == 1:
                line.add_edge("start", e_out)
            for e_in in inbound(int(graph.supplier[e_out])):
                if _feeds(graph, e_in, e_out):
                    line.add_edge(e_in, e_out)
                    if e_in not in seen:
                        seen.add(e_in)
                        next_frontier.append(e_in)
        frontier = next_frontier
    for e in targets:
        line.add_edge(e, "end")
    found = [shortest]
    found_names = [_edge_chain_names(graph, shortest)]
    if "start" not in line:
        return found
    for path in nx.shortest_simple_paths(line, "start", "end"):
        edges = [int(e) for e in path[1:-1]]
        names = _edge_chain_names(graph, edges)
        if names not in found_names:
            found.append(edges)
            found_names.append(names)
        if len(found) >= k:
            break
    return found


def chains(run: AssessmentRun, org: int, k: int = 3, *, limit: int = 20_000) -> list[list[str]]:
    """Up to ``k`` distinct chains (as names) from a source to ``org``; the first is shortest.

    A source's only chain is its own name; a clear organization has none. See
    :func:`chain_edge_lists` for how the chains are found.
    """
    graph = run.graph
    shortest = run.result.chain(graph, org)
    if len(shortest) <= 1:
        return [[str(graph.names[i]) for i in shortest]] if shortest else []
    return [_edge_chain_names(graph, edges) for edges in chain_edge_lists(run, org, k, limit=limit)]
