"""The affected network as a drawing: which organizations to show, where, and the figure.

A network of a hundred organizations can be drawn whole; one of a hundred thousand cannot. So
:func:`build_view` draws the top of the ranking (sources first, then by impact) one node per
organization and aggregates every other affected organization into one bubble per (tier,
kind), with edges summed between whatever nodes their ends fall in. Edges are the exposed
dependencies, supplier -> buyer, carrying their products; an edge is coloured by the impact of
its supplier (how hard the input it carries is hit).

Layout is layered: x is the tier (0 = designated and non-compliant organizations), and within a
tier nodes are ordered by the mean position of the suppliers that reach them (one barycentric
sweep, which untangles most crossings), aggregated bubbles last. Everything here is pure and
vectorized (no Python loop per edge); :func:`network_chart` turns a view into an Apache
ECharts option, which Streamlit draws with the ECharts it bundles (no CDN).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.pipeline import AssessmentRun, organizations_frame

__all__ = [
    "NetworkView",
    "build_view",
    "chart_height",
    "impact_colour",
    "network_chart",
    "product_labels",
    "selected_org",
    "tier_chart",
]


@dataclass(frozen=True, eq=False)
class NetworkView:
    """Nodes and edges to draw.

    ``nodes``: key, org_id (-1 for a bubble), label, kind, status, tier and tier_max (the
    tiers of the organizations in the node), impact (a bubble's highest), value_at_risk_usd (a
    bubble's sum), late, count (organizations in the node), group (bool), x (the column), y. ``edges``: source, target (node keys), supplier, buyer (labels), count,
    products (the most frequent, up to three), value_usd, impact (highest supplier impact),
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
    rows = con.execute(
        "SELECT lower(text), min(text) FROM (SELECT product AS text FROM edges UNION ALL "
        "SELECT used_in FROM edges) WHERE text IS NOT NULL GROUP BY 1"
    ).fetchall()
    return {str(lower): str(text) for lower, text in rows}


def build_view(
    run: AssessmentRun,
    frame: pd.DataFrame | None = None,
    *,
    max_nodes: int = 120,
    max_columns: int = 12,
    product_labels: Mapping[str, str] | None = None,
) -> NetworkView:
    """Choose, aggregate and lay out the affected network of a run.

    ``frame`` is the run's :func:`~exposure.pipeline.organizations_frame` (computed if not
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


def _money(value: float) -> str:
    """Dollars for a tooltip.

    >>> _money(1_234_567.0), _money(0.0)
    ('$1,234,567', '$0')
    """
    return f"${value:,.0f}"


def impact_colour(impact: float) -> str:
    """The colour of an impact in [0, 1], from light to dark red (the scale of the legend).

    >>> impact_colour(0.0), impact_colour(1.0), impact_colour(0.5)
    ('#fee0d2', '#67000d', '#ef3b2c')
    """
    anchors = [(0.0, (254, 224, 210)), (0.25, (252, 146, 114)), (0.5, (239, 59, 44)),
               (0.75, (165, 15, 21)), (1.0, (103, 0, 13))]  # fmt: skip
    value = min(max(float(impact), 0.0), 1.0)
    for (low, start), (high, stop) in itertools.pairwise(anchors):
        if value <= high:
            share = (value - low) / (high - low)
            rgb = [round(a + (b - a) * share) for a, b in zip(start, stop, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#67000d"


def _text(value: object) -> str:
    """Text safe inside an ECharts tooltip (HTML, and a template: no braces).

    >>> _text("A&B <Corp> {x}")
    'A&amp;B &lt;Corp&gt; (x)'
    """
    return _label(html.escape(str(value), quote=False))


def _label(value: object) -> str:
    """Text safe as an ECharts label (plain text, but a template: no braces).

    >>> _label("A&B {x}")
    'A&B (x)'
    """
    return str(value).replace("{", "(").replace("}", ")")


_SYMBOLS = {"designated": "diamond", "noncompliant": "triangle", "exposed": "circle"}
# The drawing's coordinates are pixels of a chart about this wide (ECharts scales the
# drawing uniformly to the container, so a different width only rescales it).
_ASSUMED_WIDTH = 1100.0
_MARGIN_X, _MARGIN_Y = 220.0, 110.0


def _gaps(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per node, the distance to its nearest neighbour in the same column (inf if alone).

    >>> _gaps(np.array([0.0, 0.0, 0.0, 1.0]), np.array([0.0, 1.0, 3.0, 0.0])).tolist()
    [1.0, 1.0, 2.0, inf]
    """
    gaps = np.full(len(x), np.inf)
    order = np.lexsort((y, x))
    xs, ys = x[order], y[order]
    same = xs[1:] == xs[:-1]
    step = np.where(same, ys[1:] - ys[:-1], np.inf)
    gaps[order[1:]] = np.minimum(gaps[order[1:]], step)
    gaps[order[:-1]] = np.minimum(gaps[order[:-1]], step)
    return gaps


def network_chart(
    view: NetworkView,
    *,
    label_limit: int = 60,
    edge_label_limit: int = 60,
    height: int | None = None,
) -> dict[str, Any]:
    """An Apache ECharts option (JSON-compatible) drawing a :class:`NetworkView`.

    A ``graph`` series laid out by the view (x = tier, left to right): nodes coloured by
    impact (the colour bar), sized by value at risk (bubbles by the organizations they hold),
    diamonds for designated, triangles for non-compliant organizations, rounded squares for
    bubbles, a thick dark border for late ones; edges coloured by the impact of their supplier,
    with arrows towards the buyer. Hovering a node or an edge shows its details (an edge: its
    products, dependencies, value and late ones) and highlights its neighbours; with at most
    ``edge_label_limit`` edges the first product is written on each. Symbols are kept smaller
    than the space between rows of their column, for a chart ``height`` pixels high
    (:func:`chart_height` by default). Streamlit draws it with the ECharts it bundles (no
    CDN); ``roam`` lets the user zoom and pan.

    >>> import numpy as np
    >>> nodes = pd.DataFrame({"key": ["o0", "o1"], "org_id": [0, 1], "label": ["V", "B"],
    ...     "kind": ["model_provider", "prime"], "status": ["designated", "exposed"],
    ...     "tier": [0, 1], "tier_max": [0, 1], "impact": [1.0, 0.5],
    ...     "value_at_risk_usd": [0.0, 10.0],
    ...     "late": [0, 1], "count": [1, 1], "group": [False, False], "x": [0.0, 1.0],
    ...     "y": [0.0, 0.0]})
    >>> edges = pd.DataFrame({"source": ["o0"], "target": ["o1"], "count": [1],
    ...     "value_usd": [10.0], "impact": [1.0], "late": [1], "products": ["API"],
    ...     "supplier": ["V"], "buyer": ["B"]})
    >>> view = NetworkView(nodes, edges, 2, 2, 0, 0, np.array([0, 1]))
    >>> option = network_chart(view)
    >>> [n["symbol"] for n in option["series"][0]["data"] if "symbol" in n][:2]
    ['diamond', 'circle']
    >>> option["series"][0]["links"][0]["label"]["formatter"]
    'API'
    """
    nodes, edges = view.nodes, view.edges
    height = height or chart_height(view)
    x = nodes["x"].to_numpy(dtype=float)
    y = nodes["y"].to_numpy(dtype=float)
    columns = max(float(x.max(initial=0.0)), 1.0)
    rows = max(float(y.max(initial=0.0) - y.min(initial=0.0)), 1.0) + 2.2  # + the headings
    column_px = min(320.0, max(110.0, (_ASSUMED_WIDTH - _MARGIN_X) / columns))
    row_px = min(40.0, max(10.0, (height - _MARGIN_Y) / rows))
    value = nodes["value_at_risk_usd"].to_numpy(dtype=float)
    count = nodes["count"].to_numpy(dtype=float)
    group = nodes["group"].to_numpy(dtype=bool)
    sources = nodes["status"].isin(["designated", "noncompliant"]).to_numpy()
    size = np.where(
        group,
        14 + 26 * np.sqrt(count / max(count.max(), 1.0)),
        9 + 15 * np.sqrt(value / max(value.max(), 1.0)),
    )
    size = np.where(sources, 24.0, size)
    # No symbol wider than the gap to its neighbours in the column (bubbles stack otherwise).
    size = np.clip(np.minimum(size, 0.9 * _gaps(x, y) * row_px), 6.0, None)
    data: list[dict[str, Any]] = []
    for index, row in enumerate(nodes.to_dict("records")):
        late = int(row["late"])
        tiers = (
            f"tier {int(row['tier'])}"
            if int(row["tier_max"]) == int(row["tier"])
            else f"tiers {int(row['tier'])}-{int(row['tier_max'])}"
        )
        what = (
            f"{int(row['count']):,} {_text(row['kind'])} organizations of {tiers}"
            if row["group"]
            else f"{_text(row['kind'])}, {_text(row['status'])}, {tiers}"
        )
        tip = (
            f"<b>{_text(row['label'])}</b><br>{what}<br>impact {float(row['impact']):.2f}"
            f"{' (highest)' if row['group'] else ''}, value at risk "
            f"{_money(float(row['value_at_risk_usd']))}" + (f"<br>{late:,} late" if late else "")
        )
        label = str(row["label"]) if len(str(row["label"])) <= 26 else str(row["label"])[:25] + "…"
        data.append(
            {
                "name": str(row["key"]),
                "value": round(float(row["impact"]), 4),
                "x": round(float(row["x"]) * column_px, 1),
                "y": round(-float(row["y"]) * row_px, 1),
                "symbol": "roundRect"
                if row["group"]
                else _SYMBOLS.get(str(row["status"]), "circle"),
                "symbolSize": round(float(size[index]), 1),
                "itemStyle": {
                    "color": impact_colour(float(row["impact"])),
                    "borderColor": "#222222",
                    "borderWidth": 2.5 if late else 0.6,
                },
                "label": {
                    "show": bool(row["group"] or index < label_limit),
                    "formatter": _label(label),
                },
                "tooltip": {"formatter": tip},
            }
        )
    # Column headings: label-only points above each column.
    top = min((d["y"] for d in data), default=0.0)
    spans = nodes.groupby("x").agg(low=("tier", "min"), high=("tier_max", "max")).reset_index()
    for span in spans.to_dict("records"):
        column, low, high = float(span["x"]), int(span["low"]), int(span["high"])
        heading = (
            "sources"  # designated and non-compliant organizations
            if high == 0
            else f"tier {low}"
            if low == high
            else f"tiers {low}-{high}"
        )
        data.append(
            {
                "name": f"tier-heading-{int(column)}",
                "x": round(column * column_px, 1),
                "y": round(top - 2.2 * row_px, 1),
                "symbolSize": 0,
                "label": {
                    "show": True,
                    "formatter": heading,
                    "fontWeight": "bold",
                    "color": "#555555",
                    "position": "inside",
                },
                "tooltip": {"show": False},
                "emphasis": {"disabled": True},
            }
        )
    labelled = len(edges) <= edge_label_limit
    links = []
    for row in edges.to_dict("records"):
        products = str(row["products"]) or "(no product named)"
        tip = (
            f"{_text(row['supplier'])} → {_text(row['buyer'])}<br>{_text(products)}<br>"
            f"{int(row['count']):,} dependenc{'y' if int(row['count']) == 1 else 'ies'}, "
            f"{_money(float(row['value_usd']))} a year"
            + (f", {int(row['late']):,} late" if int(row["late"]) else "")
        )
        impact = float(row["impact"])
        links.append(
            {
                "source": str(row["source"]),
                "target": str(row["target"]),
                "lineStyle": {
                    "color": impact_colour(impact),
                    "width": round(0.8 + 2.2 * impact, 2),
                    "opacity": 0.75,
                },
                "label": {"show": labelled, "formatter": _label(products.split("; ")[0][:28])},
                "tooltip": {"formatter": tip},
            }
        )
    return {
        "tooltip": {"trigger": "item", "confine": True, "enterable": False},
        "animationDuration": 300,
        "visualMap": {
            "type": "continuous",
            "min": 0,
            "max": 1,
            "text": ["impact 1", "0"],
            "calculable": False,
            "seriesIndex": 0,
            "dimension": 0,
            "inRange": {"color": [impact_colour(v) for v in (0.0, 0.25, 0.5, 0.75, 1.0)]},
            "orient": "horizontal",
            "left": 0,
            "bottom": 0,
            "itemWidth": 12,
            "itemHeight": 140,
        },
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "data": data,
                "links": links,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 6,
                "label": {"position": "top", "fontSize": 10, "color": "#333333"},
                "edgeLabel": {"fontSize": 9, "color": "#555555"},
                "labelLayout": {"hideOverlap": True},
                "emphasis": {"focus": "adjacency", "lineStyle": {"width": 4}},
                "selectedMode": "single",
                "select": {"itemStyle": {"borderColor": "#1f77b4", "borderWidth": 3}},
                # Room for the labels of the first and last columns, and the colour bar.
                "left": 110,
                "right": 110,
                "top": 30,
                "bottom": 40,
            }
        ],
    }


def selected_org(view: NetworkView, selection: Mapping[str, Any] | None) -> int | None:
    """The organization of the node clicked in :func:`network_chart` (None for a bubble).

    ``selection`` is Streamlit's ECharts selection state (``{"selected": [{"data_type":
    "node", "data_indices": [...]}, ...]}``).

    >>> import numpy as np
    >>> nodes = pd.DataFrame({"org_id": [7, -1], "group": [False, True]})
    >>> view = NetworkView(nodes, pd.DataFrame(), 1, 1, 0, 0, np.array([]))
    >>> selected_org(view, {"selected": [{"data_type": "node", "data_indices": [0]}]})
    7
    >>> selected_org(view, {"selected": [{"data_type": "node", "data_indices": [1]}]}) is None
    True
    """
    for group in (selection or {}).get("selected", []):
        if group.get("data_type") != "node":
            continue
        for index in group.get("data_indices", []):
            if 0 <= index < len(view.nodes) and not bool(view.nodes["group"].iloc[index]):
                return int(view.nodes["org_id"].iloc[index])
    return None


def chart_height(view: NetworkView) -> int:
    """Pixels for the chart: enough rows for the tallest tier column, within bounds."""
    tallest = int(view.nodes.groupby("tier").size().max()) if len(view.nodes) else 1
    return int(min(1200, max(440, 24 * tallest + 80)))


def tier_chart(frame: pd.DataFrame) -> dict[str, Any]:
    """An ECharts option: exposed organizations per tier, stacked by kind.

    >>> frame = pd.DataFrame({"status": ["designated", "exposed", "clear"],
    ...     "kind": ["model_provider", "prime", "prime"],
    ...     "tier": pd.array([0, 1, None], dtype="Int64")})
    >>> option = tier_chart(frame)
    >>> option["xAxis"]["data"], [(s["name"], s["data"]) for s in option["series"]]
    (['sources', 'tier 1'], [('model_provider', [1, 0]), ('prime', [0, 1])])
    """
    affected = frame[frame["status"] != "clear"]
    tiers = affected["tier"].astype("Int64").fillna(0).astype(int)
    counts = pd.crosstab(tiers, affected["kind"].astype(str))
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 40, "right": 10, "top": 36, "bottom": 24},
        "xAxis": {
            "type": "category",
            "data": [f"tier {t}" if t else "sources" for t in counts.index],
        },
        "yAxis": {"type": "value", "name": "organizations"},
        "series": [
            {
                "type": "bar",
                "stack": "exposed",
                "name": str(kind),
                "data": [int(v) for v in counts[kind]],
            }
            for kind in counts.columns
        ],
    }
