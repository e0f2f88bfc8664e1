"""The network drawn on its geography: links by mode or by flow and utilisation, with hover details.

The map itself (region, projection, fitting it to a frame) is in :mod:`corridors.views.geo`.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from corridors.ledger.graph import link_records, node_records
from corridors.ledger.schema import NETWORK_UNITS
from corridors.views.geo import fit_geo_to_frame as fit_geo_to_frame  # re-exported: callers import it from here
from corridors.views.geo import geo_layout_dict, map_bounds, projected_aspect
from corridors.views.labels import Label, degrees_per_pixel, place_labels
from corridors.views.palette import (
    BOTTLENECK_COLOUR,
    DIFFERENCE_DOWN,
    DIFFERENCE_NONE,
    DIFFERENCE_UP,
    MODE_COLOURS,
    NO_CAPACITY_COLOUR,
    OTHER_COLOUR,
    UTILISATION_CLASSES,
)
from corridors.views.style import base_layout_dict, new_figure, source_line

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
#: A link that binds in at least this share of the Monte Carlo draws is marked on the map.
LIKELY_BINDING = 0.5


def _width(value: float | None, top: float) -> float:
    if value is None or pd.isna(value) or top <= 0:
        return 1.5
    # Rounded to half pixels so links of similar size share a trace (fewer traces, faster figures).
    return round(2 * (1.5 + 7.0 * math.sqrt(max(value, 0.0) / top))) / 2


#: A source's title is shown beside its publisher when it is at most this long.
SHORT_TITLE = 60
HOVER_SOURCES = 4


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


def _source_texts(sources: pd.DataFrame | None) -> dict[str, str] | None:
    """Each source's hover line: its publisher, and its title when short. Built once per figure, not once per link."""
    if sources is None:
        return None
    return {
        source_id: _source_text(str(publisher), str(title) if _present(title) else None)
        for source_id, publisher, title in zip(sources["source_id"], sources["publisher"], sources["title"])
    }


@functools.lru_cache(maxsize=4096)
def _source_text(publisher: str, title: str | None) -> str:
    # Kept: wrapping every source's text was a tenth of a slider step's map. A pure function of two strings.
    text = f"{publisher}: {title}" if title is not None and len(title) <= SHORT_TITLE else publisher
    # Hover boxes do not wrap by themselves; plotly reads the text as HTML, so angle brackets are escaped.
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return "· " + "<br>   ".join(textwrap.wrap(text, 90))


def _source_lines(source_ids: Iterable[str], texts: dict[str, str] | None) -> list[str]:
    """Publishers (and short titles) behind a link, never the ledger's source ids."""
    ids = list(dict.fromkeys(source_ids))
    if texts is None:
        return [f"Sources: {len(ids)} in the ledger's sources table"]
    lines = [texts.get(source_id, "· (source not in the sources table)") for source_id in ids[:HOVER_SOURCES]]
    lines = list(dict.fromkeys(lines))  # two articles by one publisher read as one line
    if len(ids) > HOVER_SOURCES:
        lines.append(f"· and {len(ids) - HOVER_SOURCES} more")
    return ["Sources:", *lines]


def _hover(link: dict, unit: str, with_flows: bool, names: dict[str, str], sources: dict[str, str] | None, branches: dict[str, str]) -> str:
    start, end = names.get(link["from_node"], link["from_node"]), names.get(link["to_node"], link["to_node"])
    mode = MODE_LABELS.get((link["network"], link["mode"]), link["mode"].replace("_", " "))
    status = link["status"].replace("_", " ")
    if _present(link.get("first_year")):
        status += f" (from {int(link['first_year'])})"
    lines = [
        f"<b>{link['asset']}</b>",
        f"{start} → {end}",
        f"{mode} · {branches.get(link['branch'], link['branch'].replace('_', ' '))}",
        _hover_capacity(link, unit, with_flows),
        f"Status: {status}",
    ]
    if with_flows:
        flow = f"Flow: {link['flow']:.2f} {unit}"
        reverse = link.get("flow_reverse")
        if _present(reverse) and reverse > 1e-9:
            # Freight runs both ways on one capacity: the total is what utilisation is measured on.
            flow += f" (both directions: {link['flow_forward']:.2f} towards {end}, {reverse:.2f} towards {start})"
        lines.append(flow + ("" if link["open"] else " (closed in this year)"))
        if _present(link.get("utilisation")):
            lines.append(f"Utilisation: {link['utilisation']:.0%}" + (" · <b>bottleneck</b>" if link.get("binding") else ""))
        if _present(link.get("binding_probability")):
            lines.append(f"Binds in {link['binding_probability']:.0%} of the Monte Carlo draws")
    lines += _source_lines(link["source_ids"], sources)
    return "<br>".join(lines)


def network_figure(
    graph: nx.MultiDiGraph,
    flows: pd.DataFrame | None = None,
    title: str = "The corridor network",
    footer: str | None = None,
    sources: pd.DataFrame | None = None,
    extent: str | None = None,
    validate: bool = True,
) -> go.Figure:
    """Draw both corridors on a map, key places named, the busiest links' flows written on them.

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
    extent
        The whole corridor (None), or a close-up named in nodes.csv's ``map_extent``
        (see :func:`corridors.views.geo.map_extents`).
    validate
        False skips plotly's property checks (see :func:`corridors.views.style.new_figure`): the page's redraws.

    Returns
    -------
    plotly.graph_objects.Figure
        Lines are grouped by style into few traces; each link's details show on
        hover at its midpoint.
    """
    bounds = map_bounds(graph, extent)
    if graph.number_of_edges() == 0:
        layout = {**base_layout_dict(title, footer or "Sources: none"), **geo_layout_dict(bounds)}
        layout["annotations"].append(dict(text="No link matches the filters", showarrow=False, font=dict(size=16)))
        return new_figure(layout=layout, validate=validate)
    # Plain records rather than frames: a map has some fifty links, and pandas' per-call cost was most of its build.
    links = _links_with_values(graph, flows)
    nodes = node_records(graph)
    with_flows = flows is not None
    groups, mids = _link_geometry(links, nodes, with_flows, sources, graph.graph.get("branch_labels", {}))
    traces = _line_traces(groups)
    if with_flows:
        traces += _legend_lines(UTILISATION_LEGEND)
    if "diamond" in mids["symbol"]:
        traces.append(
            dict(
                type="scattergeo",
                lon=[None],
                lat=[None],
                mode="markers",
                marker=dict(symbol="diamond", size=11, color=BOTTLENECK_COLOUR),
                name=f"binds in ≥ {LIKELY_BINDING:.0%} of the draws",
            )
        )
    traces += [_midpoint_trace(mids), _node_trace(nodes)]
    traces += _label_traces(nodes, links, mids, bounds, with_flows)
    if footer is None:
        footer = source_line((s for link in links for s in link["source_ids"]), sources)
    layout = {**base_layout_dict(title, footer), **geo_layout_dict(bounds)}
    layout["legend"] = {**layout["legend"], "x": 0.01, "y": 0.02, "xanchor": "left", "yanchor": "bottom"}
    return new_figure(traces, layout, validate=validate)


#: Flow values are written on this many of each network's busiest links (those in view).
FLOW_LABELS_PER_NETWORK = 4


def _inside(bounds: dict[str, tuple[float, float]], lon: float, lat: float) -> bool:
    return bounds["lon"][0] <= lon <= bounds["lon"][1] and bounds["lat"][0] <= lat <= bounds["lat"][1]


def _label_traces(nodes: list[dict], links: list[dict], mids: dict[str, list], bounds: dict, with_flows: bool) -> list[dict]:
    """Names of the key places (nodes.csv's ``map_label``) and, with flows, the busiest links' flows: placed apart."""
    named = [
        row for row in nodes if isinstance(row.get("map_label"), str) and row["map_label"].strip() and _inside(bounds, row["x"], row["y"])
    ]
    # Most important first (map_rank 1), so that a crowded map drops the lesser names.
    named.sort(key=lambda row: float(row["map_rank"]) if _present(row.get("map_rank")) else 99.0)
    wanted = [Label(str(row["map_label"]), float(row["x"]), float(row["y"])) for row in named]
    if with_flows:
        positions = {link: (lon, lat) for link, lon, lat in zip(mids["link_id"], mids["lon"], mids["lat"])}
        moving = [link for link in links if _present(link["flow"]) and link["flow"] > 1e-6]
        for network in sorted({link["network"] for link in moving}):
            # Busiest first; sorted() is stable, so equal flows keep the ledger's order.
            busiest = sorted((link for link in moving if link["network"] == network), key=lambda link: -link["flow"])
            busiest = [link for link in busiest if link["link_id"] in positions and _inside(bounds, *positions[link["link_id"]])]
            for row in busiest[:FLOW_LABELS_PER_NETWORK]:
                wanted.append(Label(f"{row['flow']:.3g} {row['unit']}", *positions[row["link_id"]], fixed=True))
    # Labels keep clear of each other and of the labelled places' own symbols (place_labels adds those).
    placed = place_labels(wanted, degrees_per_pixel(bounds["lon"], bounds["lat"], projected_aspect(bounds)))
    traces = []
    for fixed, name, style in (
        (False, "Place names", dict(size=11, color="#222222")),
        (True, "Flows on the busiest links", dict(size=10, color="#0b3d91")),
    ):
        chosen = [p for p in placed if p.label.fixed is fixed]
        if chosen:
            traces.append(
                dict(
                    type="scattergeo",
                    lon=[p.label.lon for p in chosen],
                    lat=[p.label.lat for p in chosen],
                    mode="text",
                    text=[p.label.text for p in chosen],
                    textposition=[p.position for p in chosen],
                    textfont=style,
                    hoverinfo="skip",
                    showlegend=False,
                    name=name,
                )
            )
    return traces


#: The model's columns a map reads (flows indexed by link_id); ``capacity`` arrives as ``model_capacity``.
FLOW_COLUMNS = ("flow", "open", "utilisation", "binding", "capacity", "flow_forward", "flow_reverse", "binding_probability")


def _links_with_values(graph: nx.MultiDiGraph, values: pd.DataFrame | None = None, columns: Iterable[str] = FLOW_COLUMNS) -> list[dict]:
    """The graph's links, one dict each, with ``values``' ``columns`` (indexed by link_id) when given.

    A link ``values`` does not list gets NaN in each column; the model's ``capacity`` arrives as ``model_capacity``.
    """
    links = link_records(graph)
    if values is None:
        return links
    columns = [c for c in columns if c in values.columns]
    by_link = {link_id: row for link_id, *row in zip(values.index, *(values[c].tolist() for c in columns))}
    missing = [math.nan] * len(columns)
    for link in links:
        # Renamed so the ledger's capacity stays beside the model's: the hover shows both when they differ.
        link.update(("model_capacity" if c == "capacity" else c, v) for c, v in zip(columns, by_link.get(link["link_id"], missing)))
    return links


def _largest_by_network(links: list[dict], column: str) -> dict[str, float]:
    """Each network's largest ``column`` (0 when none is known): line widths are relative to it."""
    tops = {}
    for net in NETWORK_UNITS:
        values = [link[column] for link in links if link["network"] == net and _present(link[column])]
        tops[net] = float(max(values)) if values else 0.0
    return tops


def _link_style(link: dict, with_flows: bool, tops: dict[str, float]) -> tuple[str, str, float, str]:
    """Legend label, colour, width and dash of a link: by mode and capacity, or by utilisation and flow."""
    key = (link["network"], link["mode"])
    label = MODE_LABELS.get(key, f"{link['network']} {link['mode']}")
    colour = MODE_COLOURS.get(key, OTHER_COLOUR)
    if with_flows:
        utilisation = link.get("utilisation")
        colour = utilisation_colour(float(utilisation)) if pd.notna(utilisation) else NO_CAPACITY_COLOUR
        width = _width(link["flow"], tops[link["network"]]) if link["flow"] > 1e-9 else 1.0
        # Coloured by utilisation, the lines need no legend of their own: the utilisation legend says it.
        label = ""
    else:
        width = _width(link["capacity"], tops[link["network"]])
    dash = "solid" if link["status"] == "operating" else "dash"
    return label, colour, width, dash


def _link_geometry(
    links: list[dict], nodes: list[dict], with_flows: bool, sources: pd.DataFrame | None, branches: dict[str, str]
) -> tuple[dict[tuple, dict[str, list]], dict[str, list]]:
    """Line coordinates grouped by style, and each link's midpoint with its hover text and marker colour."""
    tops = _largest_by_network(links, "flow" if with_flows else "capacity")
    position = {node["node_id"]: (node["x"], node["y"]) for node in nodes}
    names = {node["node_id"]: str(node["name"]) if _present(node.get("name")) else node["node_id"] for node in nodes}
    groups: dict[tuple, dict[str, list]] = {}
    mids: dict[str, list] = {"link_id": [], "lon": [], "lat": [], "text": [], "colour": [], "size": [], "symbol": []}
    source_texts = _source_texts(sources)
    for link in links:
        style = _link_style(link, with_flows, tops)
        x0, y0 = position[link["from_node"]]
        x1, y1 = position[link["to_node"]]
        group = groups.setdefault(style, {"lon": [], "lat": []})
        group["lon"] += [x0, x1, np.nan]
        group["lat"] += [y0, y1, np.nan]
        mids["link_id"].append(link["link_id"])
        mids["lon"].append((x0 + x1) / 2)
        mids["lat"].append((y0 + y1) / 2)
        mids["text"].append(_hover(link, NETWORK_UNITS[link["network"]], with_flows, names, source_texts, branches))
        mids["colour"].append(BOTTLENECK_COLOUR if with_flows and link.get("binding") else style[1])
        # A link that binds in at least half the draws is marked: where the sources' ranges make it the limit.
        likely = _present(link.get("binding_probability")) and link["binding_probability"] >= LIKELY_BINDING
        mids["size"].append(13 if likely else 7)
        mids["symbol"].append("diamond" if likely else "circle")
    return groups, mids


def _line_traces(groups: dict[tuple, dict[str, list]]) -> list[dict]:
    """One line trace per style, the first of each label in the legend."""
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
    return traces


def _legend_lines(entries: Iterable[tuple[str, str]]) -> list[dict]:
    """Legend-only lines, one per (name, colour): the drawn lines are grouped by width and carry no legend."""
    return [
        dict(type="scattergeo", lon=[None], lat=[None], mode="lines", line=dict(color=colour, width=4), name=name)
        for name, colour in entries
    ]


def _midpoint_trace(mids: dict[str, list]) -> dict:
    """A marker at each link's midpoint carrying its details: a line trace cannot hover per link."""
    return dict(
        type="scattergeo",
        mode="markers",
        lon=np.array(mids["lon"]),
        lat=np.array(mids["lat"]),
        text=np.array(mids["text"], dtype=object),
        marker=dict(
            size=np.array(mids["size"]),
            symbol=np.array(mids["symbol"], dtype=object),
            color=np.array(mids["colour"], dtype=object),
            line=dict(width=1, color="white"),
        ),
        hovertemplate="%{text}<extra></extra>",
        name="Link details (hover)",
        showlegend=False,
    )


def _node_trace(nodes: list[dict]) -> dict:
    """The places, shaped by kind, with name, country and kind on hover."""
    node_text = [f"<b>{n['name']}</b><br>{n['country']} · {n['kind'].replace('_', ' ')}" for n in nodes]
    return dict(
        type="scattergeo",
        mode="markers",
        lon=np.array([n["x"] for n in nodes], dtype=float),
        lat=np.array([n["y"] for n in nodes], dtype=float),
        text=np.array(node_text, dtype=object),
        marker=dict(
            size=8,
            color="#333333",
            symbol=np.array([NODE_SYMBOLS.get(n["kind"], "circle") for n in nodes], dtype=object),
            line=dict(width=1, color="white"),
        ),
        hovertemplate="%{text}<extra></extra>",
        name="Nodes",
    )


UTILISATION_LEGEND = (*((label, colour) for _, label, colour in UTILISATION_CLASSES), ("capacity not published", NO_CAPACITY_COLOUR))


def utilisation_colour(utilisation: float) -> str:
    """The colour of a link's utilisation class (see UTILISATION_CLASSES); NaN: no published capacity."""
    if math.isnan(utilisation):
        return NO_CAPACITY_COLOUR
    return next(colour for bound, _, colour in UTILISATION_CLASSES if utilisation < bound)


#: The difference map's classes: (legend label, colour). PuOr's ends stay apart for red–green colour blindness.
DIFFERENCE_LEGEND = (("more flow in B", DIFFERENCE_UP), ("less flow in B", DIFFERENCE_DOWN), ("no change", DIFFERENCE_NONE))
#: A change smaller than this (in the network's unit) is drawn as no change: solver residue, not a difference.
NO_CHANGE_BELOW = 1e-6


def difference_figure(
    graph: nx.MultiDiGraph,
    deltas: pd.DataFrame,
    title: str,
    footer: str,
    extent: str | None = None,
) -> go.Figure:
    """What changes from scenario A to B on the map: line width shows the change in flow, colour its sign.

    Parameters
    ----------
    graph
        The corridor graph.
    deltas
        One row per link (``link_id``, ``flow_a``, ``flow_b``, ``delta`` = B − A, ``binding_a``,
        ``binding_b``): the ``links`` table of :func:`corridors.views.comparison.comparison_tables`.
    title, footer
        The chart's title and source line.
    extent
        The whole corridor (None) or a close-up the ledger names.

    Returns
    -------
    plotly.graph_objects.Figure
        Each link's hover gives A, B and the change; widths are relative to the largest
        change of the link's network.
    """
    bounds = map_bounds(graph, extent)
    links = _links_with_values(graph, deltas.set_index("link_id"), ("flow_a", "flow_b", "delta", "binding_a", "binding_b"))
    for link in links:
        link["change"] = abs(link["delta"]) if _present(link["delta"]) else 0.0
    tops = _largest_by_network(links, "change")
    nodes = node_records(graph)
    position = {node["node_id"]: (node["x"], node["y"]) for node in nodes}
    groups: dict[tuple, dict[str, list]] = {}
    mids: dict[str, list] = {"lon": [], "lat": [], "text": [], "colour": [], "size": [], "symbol": []}
    for link in links:
        delta = float(link["delta"]) if _present(link["delta"]) else 0.0
        label, colour = DIFFERENCE_LEGEND[2] if abs(delta) < NO_CHANGE_BELOW else DIFFERENCE_LEGEND[0 if delta > 0 else 1]
        width = 1.0 if label == "no change" else _width(abs(delta), tops[link["network"]])
        (x0, y0), (x1, y1) = position[link["from_node"]], position[link["to_node"]]
        group = groups.setdefault(("", colour, width, "solid"), {"lon": [], "lat": []})
        group["lon"] += [x0, x1, np.nan]
        group["lat"] += [y0, y1, np.nan]
        unit = NETWORK_UNITS[link["network"]]
        binding = "" if link["binding_a"] == link["binding_b"] else f"<br>binds in {'B' if link['binding_b'] else 'A'} only"
        mids["lon"].append((x0 + x1) / 2)
        mids["lat"].append((y0 + y1) / 2)
        mids["colour"].append(colour)
        mids["size"].append(7)
        mids["symbol"].append("circle")
        mids["text"].append(
            f"<b>{link['asset']}</b> ({link['link_id']})<br>A: {_flow_text(link['flow_a'])} · B: {_flow_text(link['flow_b'])} {unit}"
            f"<br>change: {delta:+.3g} {unit}{binding}"
        )
    traces = [*_line_traces(groups), *_legend_lines(DIFFERENCE_LEGEND), _midpoint_trace(mids)]
    traces += [_node_trace(nodes), *_label_traces(nodes, links, {"link_id": []}, bounds, with_flows=False)]
    layout = {**base_layout_dict(title, footer), **geo_layout_dict(bounds)}
    layout["legend"] = {**layout["legend"], "x": 0.01, "y": 0.02, "xanchor": "left", "yanchor": "bottom"}
    return new_figure(traces, layout)


def _flow_text(value: object) -> str:
    return f"{float(value):.3g}" if _present(value) else "n/a"
