"""Plotly figures of the network and of the estimates.

Every figure has a title, units, a white background and a source line, so a figure
that leaves the dashboard (a PNG in a report, a notebook cell) still says what it
shows and where its numbers come from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
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
UTILISATION_SCALE = [[0.0, "#2c7bb6"], [0.5, "#abd9e9"], [0.75, "#fdae61"], [0.9, "#f46d43"], [1.0, "#a50026"]]
MAP_BOUNDS = {"lon": (8.0, 76.0), "lat": (14.0, 60.0)}


def plotly_config(filename: str = "corridors-chart") -> dict:
    """Config for ``st.plotly_chart`` / ``fig.show``: offline map files and a report-sized snapshot."""
    return {
        "topojsonURL": TOPOJSON_URL,
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": 1600, "height": 900, "scale": 2},
    }


def add_footer(fig: go.Figure, text: str, shift: int = -8) -> go.Figure:
    """Write a source line under the plot area (``shift`` pixels below its bottom edge)."""
    fig.add_annotation(
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
    return fig


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


def base_layout(fig: go.Figure, title: str, footer: str, footer_shift: int = -8) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=18)),
        template="plotly_white",
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=FONT,
        margin=dict(l=10, r=10, t=60, b=70 - footer_shift),
        legend=dict(bgcolor="rgba(255,255,255,0.85)", bordercolor="#cccccc", borderwidth=1),
    )
    return add_footer(fig, footer, footer_shift)


def _width(value: float | None, top: float) -> float:
    if value is None or pd.isna(value) or top <= 0:
        return 1.5
    return 1.5 + 7.0 * math.sqrt(max(value, 0.0) / top)


def _hover(link: pd.Series, flow_row: pd.Series | None, unit: str) -> str:
    def fmt(v: float | None) -> str:
        return "not published" if v is None or pd.isna(v) else f"{v:g} {unit}"

    capacity = fmt(link["capacity"])
    if link["capacity_low"] is not None and pd.notna(link["capacity_low"]) and link["capacity_low"] != link["capacity_high"]:
        capacity += f" (sources: {link['capacity_low']:g}–{link['capacity_high']:g})"
    lines = [
        f"<b>{link['asset']}</b>",
        f"{link['from_node']} → {link['to_node']} · {link['mode']} · {link['branch']}",
        f"Capacity: {capacity}",
        f"Status: {link['status'].replace('_', ' ')}" + (f" (from {link['first_year']})" if pd.notna(link["first_year"]) else ""),
    ]
    if flow_row is not None:
        lines.append(f"Flow: {flow_row['flow']:.2f} {unit}")
        if pd.notna(flow_row.get("utilisation")):
            lines.append(f"Utilisation: {flow_row['utilisation']:.0%}" + (" · <b>bottleneck</b>" if flow_row.get("binding") else ""))
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
        Optional model result indexed by ``link_id`` with ``flow``,
        ``utilisation`` and ``binding``. Without it, links are coloured by network
        and mode and sized by capacity; with it, sized by flow and coloured by
        utilisation, bottlenecks outlined.
    title, footer
        Title, and source line (built from the links' sources when None).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    if graph.number_of_edges() == 0:
        fig.add_annotation(text="No link matches the filters", showarrow=False, font=dict(size=16))
        _geo_layout(fig)
        return base_layout(fig, title, footer or "Sources: none")
    links = links_frame(graph)
    nodes = nodes_frame(graph)
    with_flows = flows is not None
    size_column = "flow" if with_flows else "capacity"
    sized = links.join(flows[["flow", "utilisation", "binding"]], how="left") if with_flows else links
    tops = {net: float(sized.loc[sized["network"] == net, size_column].max() or 0) for net in NETWORK_UNITS}
    tops = {k: (0.0 if pd.isna(v) else v) for k, v in tops.items()}

    legend_seen: set[str] = set()
    mids = {"lon": [], "lat": [], "text": [], "colour": []}
    for link_id, link in sized.iterrows():
        key = (link["network"], link["mode"])
        colour = MODE_COLOURS.get(key, "#444444")
        unit = NETWORK_UNITS[link["network"]]
        flow_row = link if with_flows else None
        if with_flows and pd.notna(link.get("utilisation")):
            colour = _utilisation_colour(float(link["utilisation"]))
        width = _width(link[size_column], tops[link["network"]])
        if with_flows and pd.isna(link.get("flow")):
            width = 1.0
        x0, y0 = nodes.at[link["from_node"], "x"], nodes.at[link["from_node"], "y"]
        x1, y1 = nodes.at[link["to_node"], "x"], nodes.at[link["to_node"], "y"]
        group = MODE_LABELS.get(key, f"{link['network']} {link['mode']}")
        dash = "solid" if link["status"] == "operating" else "dash"
        fig.add_trace(
            go.Scattergeo(
                lon=[x0, x1],
                lat=[y0, y1],
                mode="lines",
                line=dict(width=width, color=colour, dash=dash),
                name=group,
                legendgroup=group,
                showlegend=not with_flows and group not in legend_seen,
                hoverinfo="skip",
                meta=link_id,
            )
        )
        legend_seen.add(group)
        mids["lon"].append((x0 + x1) / 2)
        mids["lat"].append((y0 + y1) / 2)
        mids["text"].append(_hover(link, flow_row, unit))
        mids["colour"].append("#a50026" if with_flows and link.get("binding") else colour)
    fig.add_trace(
        go.Scattergeo(
            lon=mids["lon"],
            lat=mids["lat"],
            mode="markers",
            marker=dict(size=7, color=mids["colour"], line=dict(width=1, color="white")),
            text=mids["text"],
            hovertemplate="%{text}<extra></extra>",
            name="Link details (hover)",
            showlegend=False,
        )
    )
    if with_flows:
        _add_utilisation_legend(fig)
    fig.add_trace(
        go.Scattergeo(
            lon=nodes["x"],
            lat=nodes["y"],
            mode="markers",
            marker=dict(
                size=8,
                color="#333333",
                symbol=[NODE_SYMBOLS.get(k, "circle") for k in nodes["kind"]],
                line=dict(width=1, color="white"),
            ),
            text=[f"<b>{n}</b><br>{c} · {k.replace('_', ' ')}" for n, c, k in zip(nodes["name"], nodes["country"], nodes["kind"])],
            hovertemplate="%{text}<extra></extra>",
            name="Nodes",
            showlegend=True,
        )
    )
    _geo_layout(fig)
    if footer is None:
        ids = [s for ids in links["source_ids"] for s in ids]
        footer = source_line(ids)
    fig = base_layout(fig, title, footer)
    fig.update_layout(legend=dict(x=0.01, y=0.02, xanchor="left", yanchor="bottom"))
    return fig


def _utilisation_colour(utilisation: float) -> str:
    stops = UTILISATION_SCALE
    u = min(max(utilisation, 0.0), 1.0)
    for (lo, c0), (hi, c1) in zip(stops, stops[1:]):
        if u <= hi:
            return c0 if u - lo < hi - u else c1
    return stops[-1][1]


def _add_utilisation_legend(fig: go.Figure) -> None:
    for label, colour in (
        ("< 50 % used", "#2c7bb6"),
        ("75–90 % used", "#fdae61"),
        ("≥ 90 % used (bottleneck red)", "#a50026"),
        ("capacity not published", "#444444"),
    ):
        fig.add_trace(go.Scattergeo(lon=[None], lat=[None], mode="lines", line=dict(color=colour, width=4), name=label))


def _geo_layout(fig: go.Figure) -> None:
    fig.update_geos(
        projection_type="natural earth",
        resolution=50,
        showcountries=True,
        countrycolor="#9a9a9a",
        showcoastlines=True,
        coastlinecolor="#6b6b6b",
        showland=True,
        landcolor="#f3f1ea",
        showocean=True,
        oceancolor="#e4eef5",
        showlakes=True,
        lakecolor="#e4eef5",
        lonaxis_range=list(MAP_BOUNDS["lon"]),
        lataxis_range=list(MAP_BOUNDS["lat"]),
        bgcolor="white",
    )
    fig.update_layout(height=720, uirevision="network")
