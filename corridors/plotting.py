"""Plotly figures of the network and of the estimates.

Every figure has a title, units, a white background and a source line, so a figure
that leaves the dashboard (a PNG in a report, a notebook cell) still says what it
shows and where its numbers come from.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from corridors.graph import NETWORK_UNITS, links_frame, nodes_frame

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TOPOJSON_DIR = STATIC_DIR / "topojson"
#: Where Streamlit serves ``static/`` (``server.enableStaticServing``).
TOPOJSON_URL = "/app/static/topojson/"

FONT = dict(family="Arial, Helvetica, sans-serif", size=13, color="#222222")
MODE_COLOURS = {
    ("gas", "pipeline"): "#d95f02",
    ("gas", "swap"): "#7570b3",
    ("freight", "rail"): "#1f78b4",
    ("freight", "road"): "#8c564b",
    ("freight", "sea"): "#17becf",
}
MODE_LABELS = {
    ("gas", "pipeline"): "Gas pipeline",
    ("gas", "swap"): "Gas swap (by exchange)",
    ("freight", "rail"): "Freight rail",
    ("freight", "road"): "Freight road",
    ("freight", "sea"): "Freight sea",
}
NODE_SYMBOLS = {
    "city": "circle",
    "port": "square",
    "border_crossing": "diamond",
    "field": "star",
    "terminal": "triangle-up",
    "hub": "circle-open",
    "market": "hexagon",
    "station": "diamond-open",
}
#: A small template of our own: plotly's built-in ones are rich and cost ~30 ms per figure to apply.
REPORT_TEMPLATE = go.layout.Template(
    layout=dict(
        font=FONT,
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=["#1f78b4", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666", "#17becf"],
        xaxis=dict(gridcolor="#e6e6e6", linecolor="#888888", ticks="outside", zeroline=False, automargin=True),
        yaxis=dict(gridcolor="#e6e6e6", linecolor="#888888", zeroline=False, automargin=True),
        hoverlabel=dict(align="left"),
    )
)
UTILISATION_SCALE = [[0.0, "#2c7bb6"], [0.5, "#abd9e9"], [0.75, "#fdae61"], [0.9, "#f46d43"], [1.0, "#a50026"]]
MAP_BOUNDS = {"lon": (8.0, 76.0), "lat": (14.0, 60.0)}


def new_figure(data: list | None = None, layout: dict | None = None) -> go.Figure:
    """A figure on our light template, built in one step (plotly validates each update call)."""
    return go.Figure(data=data or [], layout={"template": REPORT_TEMPLATE, **(layout or {})})


def plotly_config(filename: str = "corridors-chart") -> dict:
    """Config for ``st.plotly_chart`` / ``fig.show``: offline map files and a report-sized snapshot."""
    return {
        "topojsonURL": TOPOJSON_URL,
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": 1600, "height": 900, "scale": 2},
    }


def footer_annotation(text: str, shift: int = -8) -> dict:
    """A source line under the plot area (``shift`` pixels below its bottom edge)."""
    return dict(
        text=text,
        name="footer",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=shift,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font=dict(size=10, color="#555555"),
    )


def source_line(source_ids: Iterable[str], sources: pd.DataFrame | None = None, limit: int = 6) -> str:
    """A compact "Sources: …" line naming publishers (or ids) behind a figure."""
    ids = list(dict.fromkeys(source_ids))
    if sources is not None and len(ids):
        known = dict(zip(sources["source_id"], sources["publisher"]))
        names = list(dict.fromkeys(str(known.get(i, i)) for i in ids))
    else:
        names = ids
    shown = "; ".join(names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"Sources: {shown}{more}" if names else "Sources: none"


FOOTER_LINE_CHARS = 150


def base_layout_dict(title: str, footer: str, footer_shift: int = -8) -> dict:
    """Title, white background, fonts, margins and the source line of every figure."""
    lines = textwrap.wrap(footer, FOOTER_LINE_CHARS) or [""]
    footer = "<br>".join(lines)
    return dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=18)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=FONT,
        margin=dict(l=10, r=10, t=70, b=56 - footer_shift + 13 * len(lines)),
        legend=dict(bgcolor="rgba(255,255,255,0.85)", bordercolor="#cccccc", borderwidth=1),
        annotations=[footer_annotation(footer, footer_shift)],
    )


def base_layout(fig: go.Figure, title: str, footer: str, footer_shift: int = -8) -> go.Figure:
    """Apply :func:`base_layout_dict` to a figure (its other annotations are kept)."""
    layout = base_layout_dict(title, footer, footer_shift)
    layout["annotations"] = [*fig.layout.annotations, *layout["annotations"]]
    fig.update_layout(layout)
    return fig


def _width(value: float | None, top: float) -> float:
    if value is None or pd.isna(value) or top <= 0:
        return 1.5
    # Rounded to half pixels so links of similar size share a trace (fewer traces, faster figures).
    return round(2 * (1.5 + 7.0 * math.sqrt(max(value, 0.0) / top))) / 2


def _hover(link: dict, unit: str, with_flows: bool) -> str:
    def fmt(v: float | None) -> str:
        return "not published" if v is None or pd.isna(v) else f"{v:g} {unit}"

    capacity = fmt(link["capacity"])
    low, high = link.get("capacity_low"), link.get("capacity_high")
    if low is not None and high is not None and pd.notna(low) and pd.notna(high) and low != high:
        capacity += f" (sources: {low:g}–{high:g})"
    status = link["status"].replace("_", " ")
    if link.get("first_year") is not None and pd.notna(link["first_year"]):
        status += f" (from {int(link['first_year'])})"
    lines = [
        f"<b>{link['asset']}</b>",
        f"{link['from_node']} → {link['to_node']} · {link['mode']} · {link['branch'].replace('_', ' ')}",
        f"Capacity: {capacity}",
        f"Status: {status}",
    ]
    if with_flows:
        lines.append(f"Flow: {link['flow']:.2f} {unit}" + ("" if link["open"] else " (closed in this year)"))
        if pd.notna(link.get("utilisation")):
            lines.append(f"Utilisation: {link['utilisation']:.0%}" + (" · <b>bottleneck</b>" if link.get("binding") else ""))
    lines.append("Sources: " + ", ".join(link["source_ids"]))
    return "<br>".join(lines)


def network_figure(
    graph: nx.MultiDiGraph,
    flows: pd.DataFrame | None = None,
    title: str = "INSTC freight and Azerbaijan gas transit: the network",
    footer: str | None = None,
) -> go.Figure:
    """Draw both corridors on a map.

    Parameters
    ----------
    graph
        The corridor graph, or a filtered view of it (:func:`corridors.subgraph`).
    flows
        Optional model result indexed by ``link_id`` with ``flow``, ``open``,
        ``utilisation`` and ``binding``. Without it, links are coloured by network
        and mode and sized by capacity; with it, sized by flow and coloured by
        utilisation, bottlenecks in dark red.
    title, footer
        Title, and source line (built from the links' sources when None).

    Returns
    -------
    plotly.graph_objects.Figure
        Lines are grouped by style into few traces; each link's details show on
        hover at its midpoint.
    """
    if graph.number_of_edges() == 0:
        layout = {**base_layout_dict(title, footer or "Sources: none"), **geo_layout_dict()}
        layout["annotations"].append(dict(text="No link matches the filters", showarrow=False, font=dict(size=16)))
        return new_figure(layout=layout)
    links = links_frame(graph)
    nodes = nodes_frame(graph)
    with_flows = flows is not None
    if with_flows:
        links = links.join(flows[["flow", "open", "utilisation", "binding"]], how="left")
    size_column = "flow" if with_flows else "capacity"
    tops = {}
    for net in NETWORK_UNITS:
        top = links.loc[links["network"] == net, size_column].max()
        tops[net] = 0.0 if pd.isna(top) else float(top)

    position = {n: (x, y) for n, x, y in zip(nodes["node_id"], nodes["x"], nodes["y"])}
    groups: dict[tuple, dict[str, list]] = {}
    mids: dict[str, list] = {"lon": [], "lat": [], "text": [], "colour": []}
    for link in links.to_dict("records"):
        key = (link["network"], link["mode"])
        unit = NETWORK_UNITS[link["network"]]
        label = MODE_LABELS.get(key, f"{link['network']} {link['mode']}")
        colour = MODE_COLOURS.get(key, "#444444")
        if with_flows:
            utilisation = link.get("utilisation")
            colour = _utilisation_colour(float(utilisation)) if pd.notna(utilisation) else "#444444"
            width = _width(link["flow"], tops[link["network"]]) if link["flow"] > 1e-9 else 1.0
        else:
            width = _width(link["capacity"], tops[link["network"]])
        dash = "solid" if link["status"] == "operating" else "dash"
        x0, y0 = position[link["from_node"]]
        x1, y1 = position[link["to_node"]]
        group = groups.setdefault((label if not with_flows else "", colour, width, dash), {"lon": [], "lat": []})
        group["lon"] += [x0, x1, np.nan]
        group["lat"] += [y0, y1, np.nan]
        mids["lon"].append((x0 + x1) / 2)
        mids["lat"].append((y0 + y1) / 2)
        mids["text"].append(_hover(link, unit, with_flows))
        mids["colour"].append("#a50026" if with_flows and link.get("binding") else colour)

    traces: list[dict] = []
    legend_seen: set[str] = set()
    for (label, colour, width, dash), xy in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][2])):
        # NumPy arrays validate far faster than lists; NaN breaks the line between links.
        traces.append(
            dict(
                type="scattergeo",
                mode="lines",
                lon=np.array(xy["lon"]),
                lat=np.array(xy["lat"]),
                hoverinfo="skip",
                line=dict(width=width, color=colour, dash=dash),
                name=label or "link",
                legendgroup=label,
                showlegend=bool(label) and label not in legend_seen,
            )
        )
        legend_seen.add(label)
    if with_flows:
        for name, colour in UTILISATION_LEGEND:
            traces.append(dict(type="scattergeo", lon=[None], lat=[None], mode="lines", line=dict(color=colour, width=4), name=name))
    traces.append(
        dict(
            type="scattergeo",
            mode="markers",
            lon=np.array(mids["lon"]),
            lat=np.array(mids["lat"]),
            text=np.array(mids["text"], dtype=object),
            marker=dict(size=7, color=np.array(mids["colour"], dtype=object), line=dict(width=1, color="white")),
            hovertemplate="%{text}<extra></extra>",
            name="Link details (hover)",
            showlegend=False,
        )
    )
    node_text = [f"<b>{n}</b><br>{c} · {k.replace('_', ' ')}" for n, c, k in zip(nodes["name"], nodes["country"], nodes["kind"])]
    traces.append(
        dict(
            type="scattergeo",
            mode="markers",
            lon=nodes["x"].to_numpy(float),
            lat=nodes["y"].to_numpy(float),
            text=np.array(node_text, dtype=object),
            marker=dict(
                size=8,
                color="#333333",
                symbol=np.array([NODE_SYMBOLS.get(k, "circle") for k in nodes["kind"]], dtype=object),
                line=dict(width=1, color="white"),
            ),
            hovertemplate="%{text}<extra></extra>",
            name="Nodes",
        )
    )
    if footer is None:
        footer = source_line(s for ids in links["source_ids"] for s in ids)
    layout = {**base_layout_dict(title, footer), **geo_layout_dict()}
    layout["legend"] = {**layout["legend"], "x": 0.01, "y": 0.02, "xanchor": "left", "yanchor": "bottom"}
    return new_figure(traces, layout)


UTILISATION_LEGEND = (
    ("< 50 % used", "#2c7bb6"),
    ("75–90 % used", "#fdae61"),
    ("≥ 90 % used (bottleneck: dark red)", "#a50026"),
    ("capacity not published", "#444444"),
)


def _utilisation_colour(utilisation: float) -> str:
    stops = UTILISATION_SCALE
    u = min(max(utilisation, 0.0), 1.0)
    for (lo, c0), (hi, c1) in zip(stops, stops[1:]):
        if u <= hi:
            return c0 if u - lo < hi - u else c1
    return stops[-1][1]


def geo_layout_dict() -> dict:
    """The map: Natural Earth projection over the corridors' region, drawn from the shipped outlines."""
    return dict(
        geo=dict(
            projection_type="natural earth",
            resolution=50,
            showcountries=True,
            countrycolor="#9a9a9a",
            showcoastlines=True,
            coastlinecolor="#6b6b6b",
            showland=True,
            landcolor="#f3f1ea",
            # The shipped outlines are cropped to the region and carry no ocean layer:
            # the map's background is the sea.
            showocean=False,
            showlakes=True,
            lakecolor="#e4eef5",
            lonaxis_range=list(MAP_BOUNDS["lon"]),
            lataxis_range=list(MAP_BOUNDS["lat"]),
            bgcolor="#e4eef5",
        ),
        height=720,
        uirevision="network",
    )
