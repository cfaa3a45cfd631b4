"""The affected network as Apache ECharts options, which Streamlit draws with the ECharts it
bundles (no CDN).

:func:`network_chart` draws a :class:`~exposure.app.network_view.NetworkView` (what to draw and
where is decided there) and :func:`selected_org` reads a click on it back; :func:`tier_chart`
counts the affected organizations per tier. Every text from the data is escaped for the
tooltips' HTML and the labels' templates.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from exposure.app.network_view import NetworkView

__all__ = ["chart_height", "impact_colour", "network_chart", "selected_org", "tier_chart"]


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
    column_max = pd.Series(size).groupby(x).transform("max").to_numpy()
    # Labels as long as the gap to the next column allows (about 6 pixels a character).
    chars = int(min(26, max(8, (column_px - float(column_max.max(initial=0.0)) - 12) / 6)))
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
            f"{_money(float(row['value_at_risk_usd']))}"
            # A group counts its late members; one organization is late or not, in words.
            + (
                (f"<br>{late:,} late" if late else "<br>none late")
                if row["group"]
                else f"<br>late: {'yes' if late else 'no'}"
            )
        )
        text = str(row["label"])
        label = text if len(text) <= chars else text[: chars - 1] + "…"
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
                # Right of the widest symbol of its column: a label never lies on a node.
                "label": {
                    "show": bool(row["group"] or index < label_limit),
                    "formatter": _label(label),
                    "distance": round(float(column_max[index] - size[index]) / 2 + 4, 1),
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
                "label": {
                    "position": "right",
                    "fontSize": 10,
                    "color": "#333333",
                    "backgroundColor": "rgba(255, 255, 255, 0.85)",
                    "padding": [1, 2],
                },
                "edgeLabel": {"fontSize": 9, "color": "#555555"},
                "labelLayout": {"hideOverlap": True},
                "emphasis": {"focus": "adjacency", "lineStyle": {"width": 4}},
                "selectedMode": "single",
                "select": {"itemStyle": {"borderColor": "#1f77b4", "borderWidth": 3}},
                # Room for the labels of the first and last columns, and the colour bar.
                "left": 110,
                "right": 160,
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
