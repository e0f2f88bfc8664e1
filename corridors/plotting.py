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


#: Branches as words, for hover text and tables (the ledger's ``branch`` codes are ids).
BRANCH_NAMES = {
    "western": "INSTC western branch (via Azerbaijan)",
    "eastern": "INSTC eastern branch (via Kazakhstan and Turkmenistan)",
    "trans_caspian": "INSTC trans-Caspian branch (by sea)",
    "iran_mainland": "INSTC, Iranian mainland (all branches)",
    "sea_leg": "INSTC sea leg, Gulf to India (all branches)",
    "russia_import": "Russian gas imports",
    "domestic": "Azerbaijan's domestic grid",
    "upstream": "Upstream: fields to terminals",
    "sgc": "Southern Gas Corridor",
    "swap": "Swaps through Iran",
    "nakhchivan": "Supply to Nakhchivan",
    "onward": "Onward from the corridor",
}
#: A source's title is shown beside its publisher when it is at most this long.
SHORT_TITLE = 60
HOVER_SOURCES = 4


def branch_name(branch: str) -> str:
    """A ledger branch code as words (unknown codes lose their underscores)."""
    return BRANCH_NAMES.get(branch, branch.replace("_", " "))


def _num(value: float) -> str:
    return f"{value:g}"


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def _hover_capacity(link: dict, unit: str, with_flows: bool) -> str:
    """The capacity line: the model's when flows are shown, the ledger's and the sources' range as context."""
    ledger = link["capacity"]
    low, high = link.get("capacity_low"), link.get("capacity_high")
    sources = f"{_num(low)}–{_num(high)}" if _present(low) and _present(high) and low != high else None
    if not with_flows:
        if not _present(ledger):
            return "Capacity: not published" + (f" (sources: {sources} {unit})" if sources else "")
        return f"Capacity: {_num(ledger)} {unit}" + (f" (sources: {sources})" if sources else "")
    if "model_capacity" not in link:
        # A flows table without the model's capacities: the ledger's is all there is to show.
        return _hover_capacity(link, unit, with_flows=False)
    used = link["model_capacity"]
    prefix = ""
    if not _present(used):
        # The model leaves a link without a published capacity unlimited: say so rather than print a number it never used.
        if not _present(ledger):
            return "Capacity: not published (not limited in the model)" + (f" (sources {sources} {unit})" if sources else "")
        text = "Capacity: not limited in the model"
        context = [f"ledger {_num(ledger)}"]
    else:
        text = f"Capacity: {_num(used)} {unit}"
        context = []
        if not _present(ledger) or abs(float(used) - float(ledger)) > 1e-9:
            prefix = "scenario; "
            context.append(f"ledger {_num(ledger)}" if _present(ledger) else "ledger: not published")
    if sources:
        context.append(f"sources {sources}")
    return text + (f" ({prefix}{', '.join(context)})" if context else "")


def _source_lines(source_ids: Iterable[str], sources: pd.DataFrame | None) -> list[str]:
    """Publishers (and short titles) behind a link, never the ledger's source ids."""
    ids = list(dict.fromkeys(source_ids))
    if sources is None:
        return [f"Sources: {len(ids)} in the ledger's sources table"]
    table = sources.set_index("source_id")
    lines = []
    for source_id in ids[:HOVER_SOURCES]:
        if source_id not in table.index:
            lines.append("· (source not in the sources table)")
            continue
        publisher = str(table.at[source_id, "publisher"])
        title = table.at[source_id, "title"]
        text = f"{publisher}: {title}" if _present(title) and len(str(title)) <= SHORT_TITLE else publisher
        # Hover boxes do not wrap by themselves; plotly reads the text as HTML, so angle brackets are escaped.
        text = text.replace("<", "&lt;").replace(">", "&gt;")
        lines.append("· " + "<br>   ".join(textwrap.wrap(text, 90)))
    lines = list(dict.fromkeys(lines))  # two articles by one publisher read as one line
    if len(ids) > HOVER_SOURCES:
        lines.append(f"· and {len(ids) - HOVER_SOURCES} more")
    return ["Sources:", *lines]


def _hover(link: dict, unit: str, with_flows: bool, names: dict[str, str], sources: pd.DataFrame | None) -> str:
    start, end = names.get(link["from_node"], link["from_node"]), names.get(link["to_node"], link["to_node"])
    mode = MODE_LABELS.get((link["network"], link["mode"]), link["mode"].replace("_", " "))
    status = link["status"].replace("_", " ")
    if _present(link.get("first_year")):
        status += f" (from {int(link['first_year'])})"
    lines = [
        f"<b>{link['asset']}</b>",
        f"{start} → {end}",
        f"{mode} · {branch_name(link['branch'])}",
        _hover_capacity(link, unit, with_flows),
        f"Status: {status}",
    ]
    if with_flows:
        flow = f"Flow: {link['flow']:.2f} {unit}"
        reverse = link.get("flow_reverse")
        if _present(reverse) and reverse > 1e-9:
            # Freight runs both ways on one capacity: the total is what utilisation is measured on.
            flow += f" (both directions: {link['flow_forward']:.2f} southbound, {reverse:.2f} northbound)"
        lines.append(flow + ("" if link["open"] else " (closed in this year)"))
        if _present(link.get("utilisation")):
            lines.append(f"Utilisation: {link['utilisation']:.0%}" + (" · <b>bottleneck</b>" if link.get("binding") else ""))
    lines += _source_lines(link["source_ids"], sources)
    return "<br>".join(lines)


def network_figure(
    graph: nx.MultiDiGraph,
    flows: pd.DataFrame | None = None,
    title: str = "The corridor network",
    footer: str | None = None,
    sources: pd.DataFrame | None = None,
) -> go.Figure:
    """Draw both corridors on a map.

    Parameters
    ----------
    graph
        The corridor graph, or a filtered view of it (:func:`corridors.subgraph`).
    flows
        Optional model result indexed by ``link_id`` with ``flow``, ``open``,
        ``utilisation`` and ``binding``, and ideally ``capacity`` (the capacity the
        model used) and ``flow_forward`` / ``flow_reverse``. Without it, links are
        coloured by network and mode and sized by capacity; with it, sized by flow
        and coloured by utilisation, bottlenecks in dark red, and the hover gives
        the model's capacity, so that utilisation = flow / capacity holds in it; the
        ledger's capacity and the sources' range follow as context when they differ.
    title, footer
        Title, and source line (built from the links' sources when None).
    sources
        The ledger's sources table: hover text and the default footer then name
        publishers (and short titles); without it they only count sources.

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
        wanted = ["flow", "open", "utilisation", "binding", "capacity", "flow_forward", "flow_reverse"]
        links = links.join(flows[[c for c in wanted if c in flows.columns]].rename(columns={"capacity": "model_capacity"}), how="left")
    size_column = "flow" if with_flows else "capacity"
    tops = {}
    for net in NETWORK_UNITS:
        top = links.loc[links["network"] == net, size_column].max()
        tops[net] = 0.0 if pd.isna(top) else float(top)

    position = {n: (x, y) for n, x, y in zip(nodes["node_id"], nodes["x"], nodes["y"])}
    names = {n: str(name) if _present(name) else n for n, name in zip(nodes["node_id"], nodes["name"])}
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
        mids["text"].append(_hover(link, unit, with_flows, names, sources))
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
        footer = source_line((s for ids in links["source_ids"] for s in ids), sources)
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


def _natural_earth(lon_deg: float, lat_deg: float) -> tuple[float, float]:
    """The Natural Earth projection (Šavrič et al., as in d3-geo), in radians-scaled units."""
    lam, phi = math.radians(lon_deg), math.radians(lat_deg)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


def _projected_aspect(lon: tuple[float, float], lat: tuple[float, float]) -> float:
    """Width over height of a lon/lat box drawn in the Natural Earth projection, centred on its middle longitude."""
    half = (lon[1] - lon[0]) / 2
    nearest_equator = 0.0 if lat[0] <= 0 <= lat[1] else min(abs(lat[0]), abs(lat[1]))
    width = 2 * _natural_earth(half, nearest_equator)[0]
    height = _natural_earth(0.0, lat[1])[1] - _natural_earth(0.0, lat[0])[1]
    return width / height


def fit_geo_to_frame(fig: go.Figure, width: int, height: int) -> go.Figure:
    """Widen the map's longitude (or latitude) range so the map fills a ``width`` × ``height`` figure.

    Plotly fits the lon/lat box into the plot area keeping the projection's
    proportions, so a box narrower than the frame leaves empty bands at the sides
    (or above and below). The box shown still holds the original one: only the
    other axis grows. Figures without a geo subplot or ranges are returned as is.
    """
    geo = fig.layout.geo
    if geo is None or geo.lonaxis.range is None or geo.lataxis.range is None or geo.projection.type not in (None, "natural earth"):
        return fig
    margin = fig.layout.margin
    plot_w = width - (margin.l or 0) - (margin.r or 0)
    plot_h = height - (margin.t or 0) - (margin.b or 0)
    if plot_w <= 0 or plot_h <= 0:
        return fig
    target = plot_w / plot_h
    lon, lat = tuple(geo.lonaxis.range), tuple(geo.lataxis.range)
    if _projected_aspect(lon, lat) < target:
        lo, hi = 0.0, 180.0 - (lon[1] - lon[0]) / 2
        for _ in range(50):  # bisection: the aspect grows with the longitude span
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _projected_aspect((lon[0] - mid, lon[1] + mid), lat) < target else (lo, mid)
        lon = (lon[0] - hi, lon[1] + hi)
    else:
        lo, hi = 0.0, max(0.0, 85.0 - max(abs(lat[0]), abs(lat[1])))
        for _ in range(50):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _projected_aspect(lon, (lat[0] - mid, lat[1] + mid)) > target else (lo, mid)
        lat = (lat[0] - hi, lat[1] + hi)
    fig.update_geos(lonaxis_range=[round(v, 3) for v in lon], lataxis_range=[round(v, 3) for v in lat])
    return fig
