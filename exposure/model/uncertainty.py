"""Exposure as a probability: a Monte Carlo over the links the data is not sure of.

Each edge exists with a probability set by its confidence (:class:`LinkProbabilities`:
confirmed 1; reported, inferred and unknown by scenario, defaults below). A sample draws every
uncertain edge at once; the engine's reach then runs on a *batch* of samples together: each
group (an organization's edges of one product, as in :mod:`exposure.model.engine`) carries a
bit per sample, 64 samples to a ``uint64`` word, and one breadth-first pass over the graph's
structure ORs those words along the edges, masked by each edge's sampled bits. The work is a
NumPy pass per level over the edges whose groups gained bits, never a Python loop over samples
or edges. The random bits come from one ``numpy.random.Generator`` seeded by ``seed`` and
drawn in fixed batches of :data:`BATCH` samples, so a seed gives the same result anywhere.

The sources (designated, owned, non-compliant) are those of the deterministic assessment.
Outputs: per organization P(exposed) and its expected value at risk; the network's value at
risk and the number of late organizations per sample (their P5, P50, P95); per-organization
percentiles for the organizations with the most value possibly at risk (:data:`TRACKED_CELLS`
bounds their samples kept in memory).

Defaults (documented in ``docs/model.md``): ``reported`` 0.9 (public data lags and
over-reports), ``inferred`` 0.5 (a fuzzy match or a catalogue fact: a coin toss),
``unknown`` 0.3, or the share of "yes" among the suppliers who answered a campaign when there
is one (:func:`base_rate`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from exposure.model.choices import CONFIDENCE
from exposure.model.engine import Assessment, Scenario, assess
from exposure.model.graph import Graph, ranges

__all__ = [
    "BATCH",
    "DEFAULT_PROBABILITIES",
    "LinkProbabilities",
    "ReachSamples",
    "Uncertainty",
    "base_rate",
    "edge_probabilities",
    "exact_p_exposed",
    "sample_reach",
    "simulate",
    "undocumented",
]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]

# Samples drawn and propagated together (4 words of 64): fixed, so that a seed's result
# does not depend on the machine.
BATCH = 256
_WORDS = BATCH // 64
# Per-organization value-at-risk samples kept in memory (organizations x samples).
TRACKED_CELLS = 20_000_000
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)

DEFAULT_PROBABILITIES = {"confirmed": 1.0, "reported": 0.9, "inferred": 0.5, "unknown": 0.3}


@dataclass(frozen=True)
class LinkProbabilities:
    """The probability that an edge exists, per confidence level (confirmed is always 1)."""

    reported: float = DEFAULT_PROBABILITIES["reported"]
    inferred: float = DEFAULT_PROBABILITIES["inferred"]
    unknown: float = DEFAULT_PROBABILITIES["unknown"]

    def __post_init__(self) -> None:
        for level in ("reported", "inferred", "unknown"):
            value = getattr(self, level)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"the probability for {level} links must be in 0..1, not {value}")

    def by_code(self) -> FloatArray:
        """The probabilities indexed by confidence code (:data:`CONFIDENCE` order)."""
        given = {"confirmed": 1.0, "reported": self.reported, "inferred": self.inferred}
        given["unknown"] = self.unknown
        return np.array([given[level] for level in CONFIDENCE], dtype=np.float64)


def base_rate(yes: int, answered: int, default: float = DEFAULT_PROBABILITIES["unknown"]) -> float:
    """The share of "yes" among suppliers who answered, the default for ``unknown`` links.

    With no answers yet, ``default``.

    >>> base_rate(3, 12), base_rate(0, 0)
    (0.25, 0.3)
    """
    return yes / answered if answered > 0 else default


def edge_probabilities(graph: Graph, probabilities: LinkProbabilities) -> FloatArray:
    """Each edge's probability of existing, from its confidence."""
    return probabilities.by_code()[graph.confidence.astype(np.int64)]


def _or_by(keys: IntArray, bits: Words) -> tuple[IntArray, Words]:
    """OR the rows of ``bits`` that share a key: the distinct keys (sorted) and their ORs."""
    if len(keys) == 0:
        return keys, bits
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(sorted_keys)) + 1])
    return sorted_keys[starts], np.bitwise_or.reduceat(bits[order], starts, axis=0)


@dataclass(frozen=True, eq=False)
class ReachSamples:
    """One batch's reach: per organization and per edge, a bit per sample (exposed or not)."""

    org_bits: Words
    edge_bits: Words


def sample_reach(
    graph: Graph, sources: BoolArray, uncertain: IntArray, masks: Words
) -> ReachSamples:
    """The engine's reach on a batch of samples at once (``masks.shape[1]`` words of 64).

    ``uncertain`` lists the edges that may be missing and ``masks`` their bits (one row each:
    bit s set = the edge exists in sample s); every other edge exists in every sample. Rules
    as in :func:`exposure.model.engine.assess`: an exposed edge with a blank ``used_in``
    reaches every group of its buyer, one with ``used_in`` p the buyer's group p, and any
    exposed input the buyer's blank-product group. Sources are exposed in every sample.
    """
    n_orgs, n_edges = graph.n_orgs, graph.n_edges
    words = masks.shape[1]
    n_groups = len(graph.group_key)
    row_of = np.full(n_edges, -1, dtype=np.int64)
    row_of[uncertain] = np.arange(len(uncertain))
    org_bits = np.zeros((n_orgs, words), dtype=np.uint64)
    org_bits[sources] = _ALL
    whole_bits = org_bits.copy()  # every group of the organization reached
    edge_bits = np.zeros((n_edges, words), dtype=np.uint64)
    group_bits = np.zeros((n_groups + 1, words), dtype=np.uint64)  # the last: "no group"
    blank_target = np.where(graph.blank_group >= 0, graph.blank_group, n_groups)
    source_ids = np.flatnonzero(sources)
    groups = ranges(graph.org_group_start[source_ids], graph.org_group_start[source_ids + 1])
    delta = np.full((len(groups), words), _ALL, dtype=np.uint64)
    while len(groups):
        group_bits[groups] |= delta
        counts = graph.group_start[groups + 1] - graph.group_start[groups]
        edges = ranges(graph.group_start[groups], graph.group_start[groups + 1])
        bits = np.repeat(delta, counts, axis=0)
        rows = row_of[edges]
        maybe = rows >= 0
        bits[maybe] &= masks[rows[maybe]]
        carrying = bits.any(axis=1)
        edges, bits = edges[carrying], bits[carrying]
        edge_bits[edges] |= bits
        buyers = graph.buyer[edges]
        # New exposures of buyers, and buyers whose every group is now reached.
        exposed_orgs, exposed = _or_by(buyers, bits)
        exposed &= ~org_bits[exposed_orgs]
        org_bits[exposed_orgs] |= exposed
        whole = graph.blank_used_in[edges]
        whole_orgs, whole_new = _or_by(buyers[whole], bits[whole])
        whole_new &= ~whole_bits[whole_orgs]
        whole_bits[whole_orgs] |= whole_new
        starts, stops = graph.org_group_start[whole_orgs], graph.org_group_start[whole_orgs + 1]
        scoped = ~whole
        targets = np.concatenate(
            [ranges(starts, stops), blank_target[exposed_orgs], graph.feeds_target[edges[scoped]]]
        )
        reached = np.concatenate(
            [np.repeat(whole_new, stops - starts, axis=0), exposed, bits[scoped]]
        )
        groups, delta = _or_by(targets, reached)
        keep = groups < n_groups
        groups, delta = groups[keep], delta[keep] & ~group_bits[groups[keep]]
        fresh = delta.any(axis=1)
        groups, delta = groups[fresh], delta[fresh]
    return ReachSamples(org_bits=org_bits, edge_bits=edge_bits)


def _bit_rows(words: Words, count: int) -> npt.NDArray[np.bool_]:
    """Unpack rows of words into rows of ``count`` booleans (sample s = bit s)."""
    as_bytes = np.ascontiguousarray(words).view(np.uint8).reshape(len(words), -1)
    return np.unpackbits(as_bytes, axis=1, bitorder="little", count=count).astype(bool)


def _weighted_columns(
    words: Words, weights: FloatArray, count: int, chunk: int = 65_536
) -> FloatArray:
    """Per sample, the sum of ``weights`` over the rows whose bit is set."""
    total = np.zeros(count, dtype=np.float64)
    for start in range(0, len(words), chunk):
        bits = _bit_rows(words[start : start + chunk], count)
        total += weights[start : start + chunk] @ bits
    return total


@dataclass(frozen=True, eq=False)
class Uncertainty:
    """The Monte Carlo's result (see the module docstring).

    ``network_var`` and ``late_count`` hold one value per sample; ``tracked`` lists the
    organizations whose value at risk per sample is kept (``tracked_var``, one row each);
    ``unknown_bits`` the sampled states of the unknown-confidence edges ``unknown_edges``
    (one row each, bits packed little-endian: sample s is bit s % 8 of byte s // 8), for
    :mod:`exposure.model.answers`.
    """

    samples: int
    seed: int
    probabilities: LinkProbabilities
    p_exposed: FloatArray
    expected_var: FloatArray
    network_var: FloatArray
    late_count: FloatArray
    tracked: IntArray
    tracked_var: npt.NDArray[np.float32]
    unknown_edges: IntArray = field(repr=False)
    unknown_bits: npt.NDArray[np.uint8] = field(repr=False)
    # The edges inside the scenario's scope clauses (None: all); the others never carry.
    in_scope: BoolArray | None = field(default=None, repr=False)

    def percentiles(self, values: FloatArray) -> tuple[float, float, float]:
        """P5, P50, P95 of per-sample values (0s when there are no samples)."""
        if not len(values):
            return (0.0, 0.0, 0.0)
        p5, p50, p95 = np.percentile(values, [5, 50, 95])
        return float(p5), float(p50), float(p95)

    @property
    def value_at_risk_range(self) -> tuple[float, float, float]:
        return self.percentiles(self.network_var)

    @property
    def late_range(self) -> tuple[float, float, float]:
        return self.percentiles(self.late_count)

    def org_range(self, org: int) -> tuple[float, float, float] | None:
        """P5, P50, P95 of one organization's value at risk, if it is tracked."""
        where = np.flatnonzero(self.tracked == org)
        if not len(where):
            return None
        return self.percentiles(self.tracked_var[where[0]].astype(np.float64))


def simulate(
    graph: Graph,
    sources: BoolArray,
    edge_late: BoolArray,
    probabilities: LinkProbabilities,
    *,
    samples: int,
    seed: int = 0,
    probability: FloatArray | None = None,
    track: IntArray | None = None,
    force: tuple[IntArray, bool] | None = None,
    in_scope: BoolArray | None = None,
) -> Uncertainty:
    """Run ``samples`` samples of the uncertain links; see the module docstring.

    ``in_scope`` (the scenario's scope clauses, see :func:`exposure.model.engine.scope_mask`)
    leaves the edges outside the scope out of every sample.

    ``edge_late`` marks the edges whose loss would be late (replacement beyond the transition);
    ``probability`` overrides each edge's probability; ``force`` = (edges, on) sets those
    edges on (or off) in every sample while every other edge keeps the draws it has without
    it (common random numbers: a forced run differs from the plain one by those edges only);
    ``track`` the
    organizations whose value at risk is kept per sample (default: those with the most value
    that could be at risk, as many as :data:`TRACKED_CELLS` allows).
    """
    if samples < 1:
        raise ValueError("samples must be at least 1")
    p = edge_probabilities(graph, probabilities) if probability is None else probability
    if in_scope is not None:
        p = np.where(in_scope, p, 0.0)
    uncertain = np.flatnonzero((p > 0) & (p < 1))
    present = p >= 1
    p_uncertain = p[uncertain].astype(np.float32)
    value = np.where(np.isfinite(graph.value) & (graph.value > 0), graph.value, 0.0)
    if track is None:
        possible = np.bincount(graph.buyer, weights=value * (p > 0), minlength=graph.n_orgs)
        limit = max(1, TRACKED_CELLS // samples)
        order = np.argsort(-possible, kind="stable")
        track = np.sort(order[: min(limit, int((possible > 0).sum()))])
    # Edges into tracked organizations, sorted by buyer: their sums per sample.
    tracked_in = np.flatnonzero(np.isin(graph.buyer, track) & (value > 0))
    tracked_in = tracked_in[np.argsort(graph.buyer[tracked_in], kind="stable")]
    tracked_row = np.searchsorted(track, graph.buyer[tracked_in])
    unknown_edges = np.flatnonzero(graph.confidence == CONFIDENCE.index("unknown"))
    unknown_edges = unknown_edges[np.isin(unknown_edges, uncertain)]
    unknown_rows = np.searchsorted(uncertain, unknown_edges)
    rng = np.random.default_rng(seed)
    exposed_count = np.zeros(graph.n_orgs, dtype=np.int64)
    var_sum = np.zeros(graph.n_orgs, dtype=np.float64)
    network_var = np.zeros(samples, dtype=np.float64)
    late_count = np.zeros(samples, dtype=np.float64)
    tracked_var = np.zeros((len(track), samples), dtype=np.float32)
    unknown_bits = np.zeros((len(unknown_edges), (samples + 7) // 8), dtype=np.uint8)
    forced_rows, forced_on = None, False
    if force is not None:
        forced_rows = np.searchsorted(uncertain, force[0])
        if not np.array_equal(uncertain[np.minimum(forced_rows, len(uncertain) - 1)], force[0]):
            raise ValueError("only uncertain links can be forced")
        forced_on = force[1]
    # Edges that never exist (probability 0) take part with all-zero masks.
    never = np.flatnonzero(~present & (p <= 0))
    masked = np.concatenate([uncertain, never])
    none = np.zeros((len(never), _WORDS), dtype=np.uint64)
    for start in range(0, samples, BATCH):
        count = min(BATCH, samples - start)
        draws = rng.random((len(uncertain), BATCH), dtype=np.float32) < p_uncertain[:, None]
        masks = np.packbits(draws, axis=1, bitorder="little").view(np.uint64)
        if len(unknown_edges):
            unknown_bits[:, start // 8 : (start + BATCH) // 8] = np.packbits(
                draws[unknown_rows], axis=1, bitorder="little"
            )[:, : unknown_bits.shape[1] - start // 8]
        if forced_rows is not None:
            masks[forced_rows] = _ALL if forced_on else np.uint64(0)
        reach = sample_reach(graph, sources, masked, np.concatenate([masks, none]))
        valid = _valid_words(count)
        org_bits = reach.org_bits & valid
        edge_bits = reach.edge_bits & valid
        exposed_count += np.bitwise_count(org_bits).sum(axis=1, dtype=np.int64)
        hit = np.flatnonzero(edge_bits.any(axis=1) & (value > 0))
        hit_count = np.bitwise_count(edge_bits[hit]).sum(axis=1, dtype=np.int64)
        var_sum += np.bincount(
            graph.buyer[hit], weights=value[hit] * hit_count, minlength=graph.n_orgs
        )
        stop = start + count
        # Edges exposed in every sample of the batch add a constant; only the others vary.
        always = (edge_bits[hit] == valid).all(axis=1)
        network_var[start:stop] = value[hit[always]].sum() + _weighted_columns(
            edge_bits[hit[~always]], value[hit[~always]], count
        )
        late_edges = np.flatnonzero(edge_late & edge_bits.any(axis=1))
        late_orgs, late_bits = _or_by(graph.buyer[late_edges], edge_bits[late_edges])
        late_count[start:stop] = _weighted_columns(late_bits, np.ones(len(late_orgs)), count)
        steady = (edge_bits[tracked_in] == valid).all(axis=1)
        tracked_var[:, start:stop] += np.bincount(
            tracked_row[steady], weights=value[tracked_in[steady]], minlength=len(track)
        ).astype(np.float32)[:, None]
        varying = ~steady & edge_bits[tracked_in].any(axis=1)
        _add_tracked(
            tracked_var[:, start:stop],
            edge_bits,
            tracked_in[varying],
            tracked_row[varying],
            value,
        )
    logger.info(
        "uncertainty: %d samples of %d uncertain links (seed %d)", samples, len(uncertain), seed
    )
    return Uncertainty(
        samples=samples,
        seed=seed,
        probabilities=probabilities,
        p_exposed=exposed_count / samples,
        expected_var=var_sum / samples,
        network_var=network_var,
        late_count=late_count,
        tracked=np.asarray(track, dtype=np.int64),
        tracked_var=tracked_var,
        unknown_edges=unknown_edges,
        unknown_bits=unknown_bits,
        in_scope=in_scope,
    )


def _add_tracked(
    out: npt.NDArray[np.float32],
    edge_bits: Words,
    edges: IntArray,
    rows: IntArray,
    value: FloatArray,
    chunk: int = 32_768,
) -> None:
    """Add each tracked organization's value at risk per sample to ``out`` (rows: its row).

    ``edges`` are sorted by row; they are taken a chunk at a time to bound the memory.
    """
    count = out.shape[1]
    for first in range(0, len(edges), chunk):
        part, part_rows = edges[first : first + chunk], rows[first : first + chunk]
        weighted = _bit_rows(edge_bits[part], count) * value[part, None].astype(np.float32)
        starts = np.concatenate([[0], np.flatnonzero(np.diff(part_rows)) + 1])
        out[part_rows[starts]] += np.add.reduceat(weighted, starts, axis=0)


def _valid_words(count: int) -> Words:
    """The words of a batch with the bits of its first ``count`` samples set."""
    bits = np.zeros(BATCH, dtype=bool)
    bits[:count] = True
    return np.packbits(bits, bitorder="little").view(np.uint64)


def undocumented(graph: Graph, scenario: Scenario, result: Assessment) -> BoolArray:
    """Organizations clear only because suppliers have not answered.

    ``result`` is the assessment without the ``unknown`` links (the engine's default); an
    organization is undocumented when it is clear there but exposed once those links are
    taken to exist (a chain to it passes through an unanswered supplier).
    """
    unknown = graph.confidence == CONFIDENCE.index("unknown")
    if not unknown.any():
        return np.zeros(graph.n_orgs, dtype=bool)
    every = assess(graph, scenario, present=np.ones(graph.n_edges, dtype=bool))
    return np.asarray(~result.exposed & every.exposed, dtype=bool)


# Links beyond this many are not enumerated (2**16 states).
EXACT_LIMIT = 16


def exact_p_exposed(graph: Graph, sources: BoolArray, probability: FloatArray) -> FloatArray:
    """P(exposed) per organization by enumerating every state of the uncertain links.

    Exact (no sampling error) and exponential: for at most :data:`EXACT_LIMIT` uncertain
    links. The states run through :func:`sample_reach` a batch at a time, each weighted by
    its probability.
    """
    uncertain = np.flatnonzero((probability > 0) & (probability < 1))
    never = np.flatnonzero(probability <= 0)
    k = len(uncertain)
    if k > EXACT_LIMIT:
        raise ValueError(f"{k} uncertain links: enumerating 2**{k} states is too many")
    p = probability[uncertain]
    total = np.zeros(graph.n_orgs, dtype=np.float64)
    states = 1 << k
    for start in range(0, states, BATCH):
        state = np.arange(start, start + BATCH, dtype=np.int64)
        on = ((state[None, :] >> np.arange(k)[:, None]) & 1).astype(bool)
        weight = np.where(on, p[:, None], 1 - p[:, None]).prod(axis=0)
        weight[state >= states] = 0.0
        masks = np.packbits(on, axis=1, bitorder="little").view(np.uint64)
        none = np.zeros((len(never), _WORDS), dtype=np.uint64)
        reach = sample_reach(
            graph, sources, np.concatenate([uncertain, never]), np.concatenate([masks, none])
        )
        total += _bit_rows(reach.org_bits, BATCH).astype(np.float64) @ weight
    return total
