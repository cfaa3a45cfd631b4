"""The propagation engine: who is exposed, through which chain, by when (SPEC 4.1, 4.3, 4.4).

Pure: a :class:`~exposure.graph.Graph` and a :class:`Scenario` in, an :class:`Assessment` out;
no I/O, deterministic, vectorized (one NumPy pass per breadth-first level, never a Python loop
per edge).

Reach is product-scoped, so it runs on edges, not organizations. An edge supplier A -> buyer B
with product p is exposed when A is a source (designated, owned by a designated organization,
or non-compliant), or when A has an exposed inbound edge whose ``used_in`` is p or blank; an
edge with a blank product is exposed when A has any exposed inbound edge. The search keeps, per
organization, which of its outbound *groups* (its edges of one product) are already reached:

* an exposed inbound edge with blank ``used_in`` reaches every group of its buyer;
* one with ``used_in`` = p reaches the buyer's group p and its blank-product group;
* each group is reached once, so the whole search is linear in the number of edges.

``tier`` of an edge is its breadth-first level (direct = 1), of an organization the lowest tier
of its exposed inbound edges (sources: 0). Each edge keeps the edge that reached it, so the
shortest chain to any organization is read back in time proportional to its length.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from exposure.graph import Graph, ranges

__all__ = [
    "DAYS_PER_MONTH",
    "STATUS",
    "Assessment",
    "Scenario",
    "assess",
    "owned_by",
]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# SPEC 4.4: months are converted to days at the mean Gregorian month length.
DAYS_PER_MONTH = 30.4375

# Organization status codes, in the order of the STATUS tuple.
STATUS = ("clear", "exposed", "noncompliant", "designated")
CLEAR, EXPOSED, NONCOMPLIANT, DESIGNATED = range(4)

Scope = Literal["dod", "all"]


@dataclass(frozen=True)
class Scenario:
    """What is designated and the what-if levers.

    ``designated`` and ``noncompliant`` are organization ids (indexes into the graph).
    """

    designated: tuple[int, ...]
    noncompliant: tuple[int, ...] = ()
    scope: Scope = "all"
    effective: date = date(2026, 2, 27)
    transition_days: int = 180
    name: str = "ad-hoc"

    @property
    def deadline(self) -> date:
        return self.effective + timedelta(days=self.transition_days)


@dataclass(frozen=True, eq=False)
class Assessment:
    """The result of :func:`assess`, as arrays over organizations and edges.

    Edge arrays follow the graph's edge order. ``edge_tier`` is 0 for unexposed edges;
    ``edge_from`` is the exposed edge that reached each edge (-1 for direct ones and unexposed);
    ``org_via`` is, per exposed organization, an inbound edge of lowest tier (-1 otherwise).
    ``obliged`` marks organizations doing business with a source, which must cut that tie by
    the deadline (SPEC 4.3); ``ignored_noncompliant`` lists named non-compliant organizations
    that had no tie to cut and so changed nothing.
    """

    scenario: Scenario
    status: npt.NDArray[np.int8]
    tier: IntArray
    value_at_risk_usd: npt.NDArray[np.float64]
    late: BoolArray
    obliged: BoolArray
    org_via: IntArray
    edge_tier: IntArray
    edge_from: IntArray
    edge_late: BoolArray
    edge_months_unknown: BoolArray
    ignored_noncompliant: tuple[int, ...] = field(default=())

    @property
    def exposed(self) -> BoolArray:
        """Organizations that are not clear (sources included)."""
        return self.status != CLEAR

    @property
    def exposed_edges(self) -> BoolArray:
        return self.edge_tier > 0

    def chain_edges(self, org: int) -> list[int]:
        """The edges of a shortest exposed chain ending at ``org`` (empty for sources/clear)."""
        edges: list[int] = []
        edge = int(self.org_via[org])
        while edge >= 0:
            edges.append(edge)
            edge = int(self.edge_from[edge])
        return edges[::-1]

    def chain(self, graph: Graph, org: int) -> list[int]:
        """Organization ids of a shortest chain from a source to ``org``; [org] for a source."""
        edges = self.chain_edges(org)
        if not edges:
            return [org] if self.status[org] in (DESIGNATED, NONCOMPLIANT) else []
        return [int(graph.supplier[edges[0]]), *(int(graph.buyer[e]) for e in edges)]


def owned_by(parent: IntArray, roots: BoolArray) -> BoolArray:
    """Organizations that are in ``roots`` or owned, directly or not, by one of them.

    >>> owned_by(np.array([-1, 0, 1, -1]), np.array([True, False, False, False])).tolist()
    [True, True, True, False]
    """
    owned = roots.copy()
    has_parent = parent >= 0
    while True:
        grown = owned | (has_parent & owned[np.where(has_parent, parent, 0)])
        if np.array_equal(grown, owned):
            return owned
        owned = grown


def _obliged(graph: Graph, sources: BoolArray, scope: Scope) -> BoolArray:
    """Organizations with a tie (either direction) to a source, within the scope."""
    ties = graph.dod_use if scope == "dod" else np.ones(graph.n_edges, dtype=bool)
    touching = ties & (sources[graph.supplier] | sources[graph.buyer])
    obliged = np.zeros(graph.n_orgs, dtype=bool)
    obliged[graph.buyer[touching]] = True
    obliged[graph.supplier[touching]] = True
    return obliged & ~sources


def _one_per(keys: IntArray, values: IntArray, scratch: IntArray) -> tuple[IntArray, IntArray]:
    """One (key, value) pair per distinct key (the last pair given for it), in input order.

    ``scratch`` is any int64 array with a slot per possible key; it need not be cleared, as
    only the slots just written are read back. Linear in ``len(keys)``, whatever the size
    of ``scratch``.

    >>> _one_per(np.array([3, 1, 3]), np.array([10, 11, 12]), np.empty(4, np.int64))
    (array([1, 3]), array([11, 12]))
    """
    position = np.arange(len(keys), dtype=np.int64)
    scratch[keys] = position  # for a repeated key the last write wins: one slot, one owner
    own = scratch[keys] == position
    return keys[own], values[own]


def _reach(graph: Graph, sources: BoolArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Breadth-first search over edges. Returns edge tier, edge_from, org tier, org_via.

    Each level expands whole groups (an organization's edges of one product): a group is
    reached once, so every edge is visited once and the search is linear in the edges.
    """
    n_orgs, n_edges = graph.n_orgs, graph.n_edges
    edge_tier = np.zeros(n_edges, dtype=np.int64)
    edge_from = np.full(n_edges, -1, dtype=np.int64)
    org_tier = np.full(n_orgs, -1, dtype=np.int64)
    org_via = np.full(n_orgs, -1, dtype=np.int64)
    org_tier[sources] = 0
    if n_edges == 0:
        return edge_tier, edge_from, org_tier, org_via
    n_groups = len(graph.group_key)
    group_org = graph.group_key // (graph.blank_code + 1)
    org_group_start = np.searchsorted(group_org, np.arange(n_orgs + 1))
    group_done = np.zeros(n_groups, dtype=bool)
    full_done = sources.copy()
    org_scratch = np.empty(n_orgs, dtype=np.int64)
    group_scratch = np.empty(n_groups, dtype=np.int64)

    source_ids = np.flatnonzero(sources)
    groups = ranges(org_group_start[source_ids], org_group_start[source_ids + 1])
    via = np.full(len(groups), -1, dtype=np.int64)
    level = 1
    while len(groups):
        group_done[groups] = True
        lengths = graph.group_start[groups + 1] - graph.group_start[groups]
        frontier = ranges(graph.group_start[groups], graph.group_start[groups + 1])
        edge_tier[frontier] = level
        edge_from[frontier] = np.repeat(via, lengths)
        buyers = graph.buyer[frontier]
        fresh = org_tier[buyers] < 0
        org_tier[buyers[fresh]] = level
        org_via[buyers[fresh]] = frontier[fresh]

        open_buyer = ~full_done[buyers]
        frontier, buyers = frontier[open_buyer], buyers[open_buyer]
        used_in = graph.used_in[frontier]
        # Blank used_in: every group of the buyer. used_in = p: the buyer's group p. Any
        # exposed input: the buyer's blank-product group.
        whole = used_in < 0
        orgs, org_via_edge = _one_per(buyers[whole], frontier[whole], org_scratch)
        full_done[orgs] = True
        counts = org_group_start[orgs + 1] - org_group_start[orgs]
        candidates = np.concatenate(
            [
                ranges(org_group_start[orgs], org_group_start[orgs + 1]),
                graph.feeds_group[frontier[~whole]],
                graph.blank_group[buyers],
            ]
        )
        reached_by = np.concatenate([np.repeat(org_via_edge, counts), frontier[~whole], frontier])
        keep = candidates >= 0
        keep[keep] = ~group_done[candidates[keep]]
        groups, via = _one_per(candidates[keep], reached_by[keep], group_scratch)
        level += 1
    return edge_tier, edge_from, org_tier, org_via


def assess(graph: Graph, scenario: Scenario) -> Assessment:
    """Run a scenario on a graph (SPEC 4.1, 4.3, 4.4).

    Sources are the designated organizations, everything they own (through ``parent``), and the
    named non-compliant organizations that are obliged to cut a tie with a source (repeated
    until no more become so: a non-compliant host makes its own partners obliged).
    """
    n_orgs = graph.n_orgs
    designated = np.zeros(n_orgs, dtype=bool)
    designated[list(scenario.designated)] = True
    designated = owned_by(graph.parent, designated)
    noncompliant = np.zeros(n_orgs, dtype=bool)
    named = np.zeros(n_orgs, dtype=bool)
    named[list(scenario.noncompliant)] = True
    named &= ~designated
    while True:
        sources = designated | noncompliant
        newly = named & ~noncompliant & _obliged(graph, sources, scenario.scope)
        if not newly.any():
            break
        noncompliant |= newly
    sources = designated | noncompliant
    obliged = _obliged(graph, sources, scenario.scope)

    edge_tier, edge_from, org_tier, org_via = _reach(graph, sources)
    exposed_edges = edge_tier > 0
    status = np.full(n_orgs, CLEAR, dtype=np.int8)
    status[org_tier > 0] = EXPOSED
    status[noncompliant] = NONCOMPLIANT
    status[designated] = DESIGNATED
    tier = np.where(status == CLEAR, -1, org_tier)
    values = np.where(np.isnan(graph.value), 0.0, graph.value)
    value_at_risk = np.asarray(
        np.bincount(graph.buyer[exposed_edges], weights=values[exposed_edges], minlength=n_orgs),
        dtype=np.float64,
    )
    months_unknown = np.isnan(graph.replacement_months)
    edge_late = (
        exposed_edges
        & ~months_unknown
        & (np.nan_to_num(graph.replacement_months) * DAYS_PER_MONTH > scenario.transition_days)
    )
    late = np.bincount(graph.buyer[edge_late], minlength=n_orgs) > 0
    return Assessment(
        scenario=scenario,
        status=status,
        tier=tier,
        value_at_risk_usd=value_at_risk,
        late=late,
        obliged=obliged,
        org_via=org_via,
        edge_tier=edge_tier,
        edge_from=edge_from,
        edge_late=edge_late,
        edge_months_unknown=months_unknown & exposed_edges,
        ignored_noncompliant=tuple(int(i) for i in np.flatnonzero(named & ~noncompliant)),
    )
