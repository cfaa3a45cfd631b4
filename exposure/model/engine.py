"""The propagation engine: who is exposed, through which chain, by when (SPEC 4.1, 4.3, 4.4).

Pure: a :class:`~exposure.model.graph.Graph` and a :class:`Scenario` in, an :class:`Assessment` out;
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt

from exposure.model.choices import CONFIDENCE, Scope, UnknownScope
from exposure.model.facts import vocabulary
from exposure.model.graph import Graph, ranges
from exposure.model.scope import ScopeClause

__all__ = [
    "DAYS_PER_MONTH",
    "STATUS",
    "UNKNOWN_LINK",
    "Assessment",
    "Scenario",
    "assess",
    "owned_by",
    "scope_mask",
]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Levels with more edges than this are split over two threads.
_PARALLEL_EDGES = 200_000

# SPEC 4.4: months are converted to days at the mean Gregorian month length.
DAYS_PER_MONTH = 30.4375

# Organization status codes, in the order of the STATUS tuple.
STATUS = ("clear", "exposed", "noncompliant", "designated")
CLEAR, EXPOSED, NONCOMPLIANT, DESIGNATED = range(4)

# The code of ``unknown`` in :data:`exposure.model.choices.CONFIDENCE` (graph.confidence).
UNKNOWN_LINK = CONFIDENCE.index("unknown")


@dataclass(frozen=True)
class Scenario:
    """What is designated and the what-if levers.

    ``designated`` and ``noncompliant`` are organization ids (indexes into the graph).
    ``clauses`` narrow the dependencies the designation covers (:mod:`exposure.model.scope`);
    ``unknown_scope`` says whether a dependency whose fact a clause reads is blank counts as
    in scope (the prudent default) or out.
    """

    designated: tuple[int, ...]
    noncompliant: tuple[int, ...] = ()
    scope: Scope = "all"
    effective: date = date(2026, 2, 27)
    transition_days: int = 180
    name: str = "ad-hoc"
    clauses: tuple[ScopeClause, ...] = ()
    unknown_scope: UnknownScope = "in"

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
    that had no tie to cut and so changed nothing. ``in_scope`` marks the edges inside the
    scenario's scope clauses (None: no clause, every edge) and ``unknown_scope`` those whose
    place in or out of the scope rests on a blank fact (None: no clause).
    """

    scenario: Scenario
    status: npt.NDArray[np.int8]
    tier: IntArray
    value_at_risk_usd: npt.NDArray[np.float64]
    late: BoolArray
    obliged: BoolArray
    org_via: IntArray
    edge_tier: IntArray
    edge_late: BoolArray
    group_via: IntArray = field(repr=False)
    group_of_edge: IntArray = field(repr=False)
    ignored_noncompliant: tuple[int, ...] = field(default=())
    in_scope: BoolArray | None = field(default=None, repr=False)
    unknown_scope: BoolArray | None = field(default=None, repr=False)

    @property
    def unknown_scoped_edges(self) -> int:
        """How many edges fall in or out of the scope only by the default for unknown facts."""
        return 0 if self.unknown_scope is None else int(self.unknown_scope.sum())

    @property
    def out_of_scope_edges(self) -> int:
        """How many edges the scope clauses leave out (never cut, never carrying the cascade)."""
        return 0 if self.in_scope is None else int((~self.in_scope).sum())

    @property
    def exposed(self) -> BoolArray:
        """Organizations that are not clear (sources included)."""
        return self.status != CLEAR

    @cached_property
    def exposed_edges(self) -> BoolArray:
        return self.edge_tier > 0

    @cached_property
    def edge_from(self) -> IntArray:
        """The exposed edge that reached each edge (-1 for direct and unexposed edges).

        Every edge of a group was reached by the same edge, so the search keeps it per group
        and this spreads it to the edges when first asked for.
        """
        via = self.group_via[self.group_of_edge]
        return via if self.in_scope is None else np.where(self.in_scope, via, -1)

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


def scope_mask(
    graph: Graph, clauses: tuple[ScopeClause, ...], unknown: UnknownScope = "in"
) -> tuple[BoolArray | None, BoolArray | None]:
    """The edges inside the scope clauses, and those whose place rests on an unknown fact.

    Both None without clauses. Each clause is one lookup per edge in a table indexed by the
    edge's code (the last slot standing for unknown, code -1), so the mask costs a few
    vectorized passes over the edges, once per scenario.

    >>> from exposure.model.graph import build_graph
    >>> from exposure.model.scope import parse_clause
    >>> g = build_graph(names=np.array(["A", "B", "C"], dtype=object), supplier=np.array([0, 0, 1]),
    ...                 buyer=np.array([1, 2, 2]), product=np.array([-1, -1, -1]),
    ...                 used_in=np.array([-1, -1, -1]), deployment=np.array([0, 2, -1]))
    >>> inside, unknown = scope_mask(g, (parse_clause("deployment=edge"),))
    >>> inside.tolist(), unknown.tolist()
    ([False, True, True], [False, False, True])
    """
    if not clauses:
        return None, None
    inside = np.ones(graph.n_edges, dtype=bool)
    unknown_fact = np.zeros(graph.n_edges, dtype=bool)
    for clause in clauses:
        codes = getattr(graph, clause.field)
        kept = np.zeros(len(vocabulary(clause.field)) + 1, dtype=bool)
        kept[list(clause.codes())] = True
        kept[-1] = unknown == "in"  # code -1 reads the last slot
        inside &= kept[codes]
        unknown_fact |= codes < 0
    return inside, unknown_fact


def _obliged(
    graph: Graph, sources: BoolArray, scope: Scope, present: BoolArray | None = None
) -> BoolArray:
    """Organizations with a tie (either direction) to a source, within the scope."""
    source_ids = np.flatnonzero(sources)
    selling = ranges(graph.out_start[source_ids], graph.out_start[source_ids + 1])
    touching = np.concatenate([selling, np.flatnonzero(sources[graph.buyer])])
    if present is not None:
        touching = touching[present[touching]]
    if scope == "dod":
        touching = touching[graph.dod_use[touching]]
    obliged = np.zeros(graph.n_orgs, dtype=bool)
    obliged[graph.buyer[touching]] = True
    obliged[graph.supplier[touching]] = True
    return obliged & ~sources


def _one_per(
    keys: IntArray, values: IntArray, scratch: IntArray, taken: BoolArray
) -> tuple[IntArray, IntArray]:
    """One (key, value) pair per distinct key not yet ``taken`` (the last pair given for it).

    ``scratch`` is any int64 array with a slot per possible key; it need not be cleared, as
    only the slots just written are read back. Linear in ``len(keys)``, whatever the size
    of ``scratch``. Pairs come out in input order.

    >>> _one_per(np.array([3, 1, 3, 0]), np.array([10, 11, 12, 13]), np.empty(4, np.int64),
    ...          np.array([True, False, False, False]))
    (array([1, 3]), array([11, 12]))
    """
    position = np.arange(len(keys), dtype=np.int64)
    scratch[keys] = position  # for a repeated key the last write wins: one slot, one owner
    own = (scratch[keys] == position) & ~taken[keys]
    return keys[own], values[own]


def _reach(
    graph: Graph, sources: BoolArray, present: BoolArray | None = None
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Breadth-first search over edges. Returns group tier, group via, org tier, org_via.

    ``present`` (None: all) marks the edges taken to exist; the others carry nothing.

    Each level expands whole groups (an organization's edges of one product): a group is
    reached once, so every edge is visited once and the search is linear in the edges. All
    edges of a group share its tier and the edge that reached it, so those are kept per
    group and spread to the edges at the end. Edges not ``present`` (absent, or outside the
    scenario's scope) are dropped from each level's frontier: they expose no buyer and feed
    no group.
    """
    n_orgs, n_edges = graph.n_orgs, graph.n_edges
    org_tier = np.full(n_orgs, -1, dtype=np.int64)
    org_via = np.full(n_orgs, -1, dtype=np.int64)
    org_tier[sources] = 0
    if n_edges == 0:
        return np.zeros(1, np.int64), np.full(1, -1, np.int64), org_tier, org_via
    n_groups = len(graph.group_key)
    org_group_start = graph.org_group_start
    # One slot more than there are groups: the "no group" target, taken from the start.
    group_tier = np.zeros(n_groups + 1, dtype=np.int64)  # 0: not reached
    group_done = np.zeros(n_groups + 1, dtype=bool)
    group_done[n_groups] = True
    group_via = np.full(n_groups + 1, -1, dtype=np.int64)
    # Per organization: 0 not exposed yet, 1 exposed, 2 every group of it reached.
    state = np.where(sources, 2, 0).astype(np.int8)
    none = np.zeros(n_orgs, dtype=bool)
    blank_target = np.where(graph.blank_group >= 0, graph.blank_group, n_groups)
    org_scratch = np.empty(n_orgs, dtype=np.int64)
    group_scratch = np.empty(n_groups + 1, dtype=np.int64)

    first_scratch = np.empty(n_orgs, dtype=np.int64)

    def first_exposures(
        frontier: IntArray, buyers: IntArray, known: npt.NDArray[np.int8], level: int
    ) -> tuple[IntArray, IntArray]:
        """Organizations exposed for the first time: their tier and the edge that reached them."""
        first = known == 0
        exposed_orgs, first_edge = _one_per(buyers[first], frontier[first], first_scratch, none)
        org_tier[exposed_orgs] = level
        org_via[exposed_orgs] = first_edge
        return exposed_orgs, first_edge

    def expansions(
        frontier: IntArray, buyers: IntArray, known: npt.NDArray[np.int8]
    ) -> tuple[IntArray, IntArray, IntArray]:
        """Groups the level's edges feed: blank used_in every group of the buyer (whose id is
        returned), used_in = p the buyer's group p; and the edge reaching each."""
        open_buyer = known < 2
        frontier, buyers = frontier[open_buyer], buyers[open_buyer]
        whole = graph.blank_used_in[frontier]
        orgs, org_via_edge = _one_per(buyers[whole], frontier[whole], org_scratch, none)
        scoped = frontier[~whole]
        counts = org_group_start[orgs + 1] - org_group_start[orgs]
        targets = np.concatenate(
            [ranges(org_group_start[orgs], org_group_start[orgs + 1]), graph.feeds_target[scoped]]
        )
        return orgs, targets, np.concatenate([np.repeat(org_via_edge, counts), scoped])

    # On a large network the two halves of a level run on two threads (NumPy releases the
    # GIL; they write different arrays, so the result does not depend on it).
    helper = ThreadPoolExecutor(1) if n_edges > _PARALLEL_EDGES else None
    source_ids = np.flatnonzero(sources)
    groups = ranges(org_group_start[source_ids], org_group_start[source_ids + 1])
    via = np.full(len(groups), -1, dtype=np.int64)
    level = 1
    try:
        while len(groups):
            group_done[groups] = True
            group_tier[groups] = level
            group_via[groups] = via
            frontier = ranges(graph.group_start[groups], graph.group_start[groups + 1])
            if present is not None:
                frontier = frontier[present[frontier]]
            buyers = graph.buyer[frontier]
            known = state[buyers]
            if helper is not None and len(frontier) > _PARALLEL_EDGES:
                pending = helper.submit(first_exposures, frontier, buyers, known, level)
                orgs, targets, target_via = expansions(frontier, buyers, known)
                exposed_orgs, first_edge = pending.result()
            else:
                exposed_orgs, first_edge = first_exposures(frontier, buyers, known, level)
                orgs, targets, target_via = expansions(frontier, buyers, known)
            state[exposed_orgs] = 1
            state[orgs] = 2
            # Any exposed input reaches its buyer's blank-product group.
            candidates = np.concatenate([targets, blank_target[exposed_orgs]])
            reached_by = np.concatenate([target_via, first_edge])
            groups, via = _one_per(candidates, reached_by, group_scratch, group_done)
            level += 1
    finally:
        if helper is not None:
            helper.shutdown()
    return group_tier, group_via, org_tier, org_via


def assess(graph: Graph, scenario: Scenario, *, present: BoolArray | None = None) -> Assessment:
    """Run a scenario on a graph (SPEC 4.1, 4.3, 4.4).

    ``present`` marks the edges taken to exist; by default every edge but those of
    ``unknown`` confidence (a supplier that has not answered is not assumed to depend on the
    vendor: :mod:`exposure.model.uncertainty` weighs those links). Sources are the designated
    organizations, everything they own (through ``parent``), and the
    named non-compliant organizations that are obliged to cut a tie with a source (repeated
    until no more become so: a non-compliant host makes its own partners obliged). Edges
    outside the scenario's scope clauses are neither cut nor carry the cascade.
    """
    in_scope, unknown_scope = scope_mask(graph, scenario.clauses, scenario.unknown_scope)
    n_orgs = graph.n_orgs
    if present is None:
        present = graph.confidence != UNKNOWN_LINK
    # One mask of the edges that carry anything: taken to exist, and inside the scope.
    carrying = present if in_scope is None else present & in_scope
    mask = None if bool(carrying.all()) else carrying
    designated = np.zeros(n_orgs, dtype=bool)
    designated[list(scenario.designated)] = True
    designated = owned_by(graph.parent, designated)
    noncompliant = np.zeros(n_orgs, dtype=bool)
    named = np.zeros(n_orgs, dtype=bool)
    named[list(scenario.noncompliant)] = True
    named &= ~designated
    while named.any():
        sources = designated | noncompliant
        newly = named & ~noncompliant & _obliged(graph, sources, scenario.scope, mask)
        if not newly.any():
            break
        noncompliant |= newly
    sources = designated | noncompliant
    obliged = _obliged(graph, sources, scenario.scope, mask)

    group_tier, group_via, org_tier, org_via = _reach(graph, sources, mask)
    edge_tier = group_tier[graph.group_of_edge]
    if mask is not None:
        edge_tier = np.where(mask, edge_tier, 0)
    exposed_edges = edge_tier > 0
    status = np.full(n_orgs, CLEAR, dtype=np.int8)
    status[org_tier > 0] = EXPOSED
    status[noncompliant] = NONCOMPLIANT
    status[designated] = DESIGNATED
    tier = np.where(status == CLEAR, -1, org_tier)
    at_risk = np.where(exposed_edges & (graph.value > 0), graph.value, 0.0)  # unknown: 0
    value_at_risk = np.asarray(
        np.bincount(graph.buyer, weights=at_risk, minlength=n_orgs), dtype=np.float64
    )
    # NaN months compare false: unknown is never late.
    edge_late = exposed_edges & (
        graph.replacement_months > scenario.transition_days / DAYS_PER_MONTH
    )
    late = np.zeros(n_orgs, dtype=bool)
    late[graph.buyer[edge_late]] = True
    return Assessment(
        scenario=scenario,
        status=status,
        tier=tier,
        value_at_risk_usd=value_at_risk,
        late=late,
        obliged=obliged,
        org_via=org_via,
        edge_tier=edge_tier,
        group_via=group_via,
        group_of_edge=graph.group_of_edge,
        edge_late=edge_late,
        ignored_noncompliant=tuple(int(i) for i in np.flatnonzero(named & ~noncompliant)),
        in_scope=in_scope,
        unknown_scope=unknown_scope,
    )
