"""Figures of the route economics: each route's days against its cost, and both broken down by leg.

Pure plotly, no Streamlit: the Routes page, the exports and notebooks draw the same
figures from :func:`corridors.model.routes.route_results`.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import plotly.graph_objects as go

from corridors.model.routes import Figure, RouteResult
from corridors.views.palette import COLORWAY, ROUTE_PART_COLOURS
from corridors.views.style import base_layout_dict, new_figure

#: Axis titles of the two figures a leg carries.
AXIS = {"days": "Transit time (days)", "cost": "Cost (USD per TEU)"}
#: Leg kinds as the legend names them; the part of a through figure its sources do not break down comes first.
PART_LABELS = {
    "rest": "Whole-route figure, not broken down by its sources",
    "sea": "Sea legs",
    "port": "Port handling",
    "transfer": "Transfer between modes",
    "gauge_change": "Gauge change",
    "rail": "Rail (priced tariff)",
    "road": "Road",
}


def _marker_symbol(route: RouteResult) -> str:
    return "diamond" if route.benchmark else "circle"


def time_cost_figure(routes: Sequence[RouteResult], footer: str, year: int) -> go.Figure:
    """Each route as a point at its central days and cost, with its low–high range as bars both ways.

    A route without days or without a cost is left out (the caption of the page says
    which); the benchmark is drawn as a diamond.
    """
    data = []
    for position, route in enumerate(r for r in routes if r.days is not None and r.cost is not None):
        days, cost = route.days, route.cost
        assert days is not None and cost is not None
        colour = COLORWAY[position % len(COLORWAY)]
        data.append(
            go.Scatter(
                x=[days.central],
                y=[cost.central],
                name=route.name,
                mode="markers",
                marker=dict(color=colour, size=13, symbol=_marker_symbol(route), line=dict(color="white", width=1)),
                error_x=dict(
                    type="data", symmetric=False, array=[days.high - days.central], arrayminus=[days.central - days.low], color=colour
                ),
                error_y=dict(
                    type="data", symmetric=False, array=[cost.high - cost.central], arrayminus=[cost.central - cost.low], color=colour
                ),
                hovertemplate=(
                    f"<b>{route.name}</b><br>{days.low:g}–{days.high:g} days (central {days.central:g})"
                    f"<br>USD {cost.low:,.0f}–{cost.high:,.0f} per TEU (central {cost.central:,.0f})<extra></extra>"
                ),
            )
        )
    subtitle = "central figure with the sources' low–high range both ways; ◆ benchmark"
    title = f"Days and dollars per container, India–Moscow, {year}<br><sup>{subtitle}</sup>"
    layout = base_layout_dict(title, footer, footer_shift=-62)
    layout.update(
        height=520,
        xaxis=dict(title=dict(text=AXIS["days"]), rangemode="tozero"),
        yaxis=dict(title=dict(text=AXIS["cost"]), rangemode="tozero", tickformat=",.0f"),
        legend=dict(x=1.01, xanchor="left", y=1, yanchor="top"),
    )
    return new_figure(data, layout)


def leg_parts(route: RouteResult, figure: Figure) -> dict[str, float]:
    """A route's central total split into the legs that carry a figure, by kind, and the rest.

    The legs counted inside a through figure are shown at their central value as they
    stand; the rest is what the through figure holds beyond them (never below zero):
    the sources publish it for the whole route and do not break it down.
    """
    total = getattr(route, figure)
    if total is None:
        return {}
    parts: dict[str, float] = {}
    for leg in route.legs:
        value = leg.figures[figure]
        if value is None or leg.kind == "through" or not leg.active:
            continue
        parts[leg.kind] = parts.get(leg.kind, 0.0) + value.central
    shown = sum(parts.values())
    return {"rest": max(0.0, total.central - shown), **parts}


def legs_figure(routes: Sequence[RouteResult], figure: Figure, footer: str, year: int) -> go.Figure:
    """One horizontal bar per route, stacked by the kind of leg, for its central days or cost."""
    names = [r.name for r in routes if getattr(r, figure) is not None]
    splits = [leg_parts(r, figure) for r in routes if getattr(r, figure) is not None]
    unit = "days" if figure == "days" else "USD/TEU"
    data = []
    for kind, label in PART_LABELS.items():
        values = [round(split.get(kind, 0.0), 1) for split in splits]
        if not any(values):
            continue
        data.append(
            go.Bar(
                name=label,
                y=names,
                x=values,
                orientation="h",
                marker_color=ROUTE_PART_COLOURS[kind],
                hovertemplate=f"%{{y}}<br>{label}: %{{x:,.1f}} {unit}<extra></extra>",
            )
        )
    what = "Transit time" if figure == "days" else "Cost per TEU"
    title = f"{what} by leg, central figures, {year}<br><sup>where the sources give a leg its own figure ({unit})</sup>"
    layout = base_layout_dict(title, footer, footer_shift=-62)
    layout.update(
        barmode="stack",
        height=220 + 56 * max(1, len(names)),
        yaxis=dict(title=dict(text="Route"), autorange="reversed"),
        xaxis=dict(title=dict(text=AXIS[figure]), rangemode="tozero", tickformat=",.0f" if figure == "cost" else None),
        legend=dict(x=1.01, xanchor="left", y=1, yanchor="top", traceorder="normal"),
    )
    return new_figure(data, layout)


def route_links(route: RouteResult) -> set[str]:
    """The links of ``links.csv`` the route's active legs run on."""
    return {link for leg in route.legs if leg.active for link in leg.link_ids}


def route_view(graph: nx.MultiDiGraph, route: RouteResult) -> nx.MultiDiGraph:
    """A view of the graph with only the links the route runs on (the map keeps the whole corridor's frame)."""
    links = route_links(route)
    edges = nx.subgraph_view(graph, filter_edge=lambda u, v, key: key in links)
    used = {n for u, v in edges.edges() for n in (u, v)}
    return nx.subgraph_view(edges, filter_node=lambda n: n in used)
