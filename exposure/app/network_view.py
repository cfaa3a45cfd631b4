"""The affected network as a drawing: which organizations to show, and where.

A network of a hundred organizations can be drawn whole; one of a hundred thousand cannot. So
:func:`build_view` draws the top of the ranking (sources first, then by impact) one node per
organization and aggregates every other affected organization into one bubble per (tier,
kind), with edges summed between whatever nodes their ends fall in. Edges are the exposed
dependencies, supplier -> buyer, carrying their products; an edge is coloured by the impact of
its supplier (how hard the input it carries is hit).

Layout is layered: x is the tier (0 = designated and non-compliant organizations), and within a
tier nodes are ordered by the mean position of the suppliers that reach them (one barycentric
sweep, which untangles most crossings), aggregated bubbles last. Everything here is pure and
vectorized (no Python loop per edge); :func:`exposure.app.network_chart.network_chart` turns a
view into the figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.model.run import AssessmentRun, organizations_frame
from exposure.warehouse.report_facts import product_spellings

__all__ = ["NetworkView", "build_view", "product_labels"]


@dataclass(frozen=True, eq=False)
class NetworkView:
    """Nodes and edges to draw.

    ``nodes``: key, org_id (-1 for a bubble), label, kind, status, tier and tier_max (the
    tiers of the organizations in the node), impact (a bubble's highest), value_at_risk_usd (a
    bubble's sum), late, count (organizations in the node), group (bool), x (the column), y.
    ``edges``: source, target (node keys), supplier, buyer (labels), count, products (the most frequent, up to three), value_usd, impact (highest supplier impact),
    late (late dependencies among them). ``shown`` organizations are drawn one by one,
    ``aggregated`` are in bubbles; ``internal_edges`` join two organizations of one bubble and
    are not drawn. ``node_of`` gives, per organization, the row of ``nodes`` it is drawn in
    (-1 for organizations not affected).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    affected: int
    shown: int
    aggregated: int
    internal_edges: int
    node_of: npt.NDArray[np.int64]

    @property
    def truncated(self) -> bool:
        return self.aggregated > 0


def _products(
    pair: npt.NDArray[np.int64], product: npt.NDArray[np.int64], n_pairs: int, names: np.ndarray
) -> list[str]:
    """Up to three products per drawn edge (``pair`` indexes them), the most frequent first.

    >>> _products(np.array([0, 0, 0, 1]), np.array([2, 1, 2, -1]), 2, np.array(["a", "b", "c"]))
    ['c; b', '']
    """
    named = product >= 0
    width = len(names) + 1
    keys, counts = np.unique(pair[named] * width + product[named], return_counts=True)
    owner, code = keys // width, keys % width
    order = np.lexsort((code, -counts, owner))
    owner, code = owner[order], code[order]
    first = np.searchsorted(owner, owner)  # where each pair's run starts
    keep = np.arange(len(owner)) - first < 3
    texts: list[list[str]] = [[] for _ in range(n_pairs)]
    for index, product_code in zip(owner[keep].tolist(), code[keep].tolist(), strict=True):
        texts[index].append(str(names[product_code]))
    return ["; ".join(text) for text in texts]


def _order_within_tiers(
    tier: npt.NDArray[np.int64],
    group: npt.NDArray[np.bool_],
    source: npt.NDArray[np.int64],
    target: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """y position of each node: barycentric order per tier, bubbles at the bottom.

    Within a tier, nodes reached from lower tiers sit at the mean height of those suppliers
    (highest first); nodes no lower tier reaches keep their rank order, above them.
    """
    n = len(tier)
    y = np.zeros(n)
    if n == 0:
        return y
    rank = np.arange(n)
    tallest = int(np.bincount(tier - tier.min()).max())
    for level in np.unique(tier):
        members = np.flatnonzero(tier == level)
        incoming = (tier[target] == level) & (tier[source] < level)
        sums = np.bincount(target[incoming], weights=y[source[incoming]], minlength=n)
        counts = np.bincount(target[incoming], minlength=n)
        reached = counts[members] > 0
        barycenter = np.where(reached, sums[members] / np.maximum(counts[members], 1), np.inf)
        order = members[np.lexsort((rank[members], -barycenter, group[members]))]
        count = len(order)
        # Short columns spread out (up to 4x) so that a few sources do not sit in a clump.
        spacing = max(1.0, min(4.0, tallest / count))
        y[order] = ((count - 1) / 2.0 - np.arange(count)) * spacing
    return y


def product_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Product names as the data writes them, by the lower-cased form the graph codes."""
    return product_spellings(con)


def build_view(
    run: AssessmentRun,
    frame: pd.DataFrame | None = None,
    *,
    max_nodes: int = 120,
    max_columns: int = 12,
    product_labels: Mapping[str, str] | None = None,
) -> NetworkView:
    """Choose, aggregate and lay out the affected network of a run.

    ``frame`` is the run's :func:`~exposure.pipeline.assessment.organizations_frame` (computed if not
    given); its order is the ranking. At most ``max_nodes`` organizations are drawn one by
    one (sources always are); the rest of the affected organizations are aggregated into one
    bubble per column and kind. Columns are tiers, except that tiers from ``max_columns - 1``
    on share the last column (a deep network would otherwise squeeze every column).
    ``product_labels`` maps the graph's lower-cased product names to their written form.
    """
    graph, result = run.graph, run.result
    frame = organizations_frame(run) if frame is None else frame
    affected = frame[frame["status"] != "clear"]
    sources = affected[affected["status"].isin(["designated", "noncompliant"])]
    top = affected.head(max_nodes)
    if len(sources) > len(top.index.intersection(sources.index)):
        top = pd.concat([sources, top]).drop_duplicates("org_id")
    rest = affected.drop(index=top.index)

    deep = max(1, max_columns - 1)
    node_of = np.full(graph.n_orgs, -1, dtype=np.int64)
    top_ids = top["org_id"].to_numpy(dtype=np.int64)
    node_of[top_ids] = np.arange(len(top))
    individual = pd.DataFrame(
        {
            "key": [f"o{i}" for i in top_ids],
            "org_id": top_ids,
            "label": top["name"].astype(str).to_numpy(),
            "kind": top["kind"].astype(str).to_numpy(),
            "status": top["status"].astype(str).to_numpy(),
            "tier": top["tier"].astype("Int64").fillna(0).astype(int).to_numpy(),
            "tier_max": top["tier"].astype("Int64").fillna(0).astype(int).to_numpy(),
            "impact": top["impact"].to_numpy(dtype=float),
            "value_at_risk_usd": top["value_at_risk_usd"].to_numpy(dtype=float),
            "late": top["late"].to_numpy(dtype=bool),
            "count": 1,
            "group": False,
        }
    )
    groups = pd.DataFrame(columns=individual.columns)
    if len(rest):
        tiers = rest["tier"].astype("Int64").fillna(0).astype(int)
        rest = rest.assign(tier=tiers, column=np.minimum(tiers.to_numpy(), deep))
        grouped = (
            rest.groupby(["column", "kind"], sort=True)
            .agg(
                tier=("tier", "min"),
                tier_max=("tier", "max"),
                impact=("impact", "max"),
                value_at_risk_usd=("value_at_risk_usd", "sum"),
                late=("late", "sum"),
                count=("org_id", "size"),
            )
            .reset_index()
        )
        grouped["key"] = [
            f"g{c}:{k}" for c, k in zip(grouped["column"], grouped["kind"], strict=True)
        ]
        grouped["org_id"] = -1
        grouped["label"] = [
            f"{c:,} more {k} (tier {t}{f'-{m}' if m > t else ''})"
            for c, k, t, m in zip(
                grouped["count"], grouped["kind"], grouped["tier"], grouped["tier_max"], strict=True
            )
        ]
        grouped["status"] = "exposed"
        grouped["group"] = True
        groups = grouped[individual.columns]
        kind_code, kinds = pd.factorize(rest["kind"].astype(str))
        width = len(kinds)
        column_of_rest = rest["column"].to_numpy(dtype=np.int64)
        kind_index = {str(k): i for i, k in enumerate(kinds)}
        group_keys = grouped["column"].to_numpy(dtype=np.int64) * width + np.array(
            [kind_index[str(k)] for k in groups["kind"]], dtype=np.int64
        )
        by_key = np.argsort(group_keys)
        found = by_key[np.searchsorted(group_keys[by_key], column_of_rest * width + kind_code)]
        node_of[rest["org_id"].to_numpy(dtype=np.int64)] = len(top) + found
    nodes = pd.concat([individual, groups], ignore_index=True) if len(groups) else individual
    nodes["late"] = nodes["late"].astype(int)

    exposed = np.flatnonzero(result.exposed_edges)
    source = node_of[graph.supplier[exposed]]
    target = node_of[graph.buyer[exposed]]
    valid = (source >= 0) & (target >= 0)
    exposed, source, target = exposed[valid], source[valid], target[valid]
    internal = source == target
    internal_edges = int(internal.sum())
    exposed, source, target = exposed[~internal], source[~internal], target[~internal]
    n_nodes = len(nodes)
    pairs, pair_of = np.unique(source * n_nodes + target, return_inverse=True)
    pair_of = pair_of.ravel()
    impact = np.zeros(len(pairs))
    np.maximum.at(impact, pair_of, run.impact[graph.supplier[exposed]])
    edges = pd.DataFrame(
        {
            "source": pairs // n_nodes,
            "target": pairs % n_nodes,
            "count": np.bincount(pair_of, minlength=len(pairs)),
            "value_usd": np.bincount(
                pair_of, weights=np.nan_to_num(graph.value[exposed], nan=0.0), minlength=len(pairs)
            ),
            "impact": impact,
            "late": np.bincount(
                pair_of, weights=result.edge_late[exposed].astype(float), minlength=len(pairs)
            ).astype(int),
        }
    )
    names = graph.products
    if product_labels:
        names = np.array([product_labels.get(str(p), str(p)) for p in names], dtype=object)
    edges["products"] = _products(pair_of, graph.product[exposed], len(pairs), names)
    nodes["x"] = np.minimum(nodes["tier"].to_numpy(dtype=np.int64), deep).astype(float)
    nodes["y"] = _order_within_tiers(
        nodes["x"].to_numpy(dtype=np.int64),
        nodes["group"].to_numpy(dtype=bool),
        edges["source"].to_numpy(dtype=np.int64),
        edges["target"].to_numpy(dtype=np.int64),
    )
    labels = nodes["label"].to_numpy()
    edges["supplier"] = labels[edges["source"].to_numpy()]
    edges["buyer"] = labels[edges["target"].to_numpy()]
    node_keys = nodes["key"].to_numpy()
    edges["source"] = node_keys[edges["source"].to_numpy()]
    edges["target"] = node_keys[edges["target"].to_numpy()]
    return NetworkView(
        nodes=nodes,
        edges=edges,
        affected=len(affected),
        shown=len(top),
        aggregated=len(rest),
        internal_edges=internal_edges,
        node_of=node_of,
    )
