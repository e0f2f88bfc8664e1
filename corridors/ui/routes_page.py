"""Routes page: days and dollars per container on each route, against the sea route through Suez.

The sliders are the route inputs of :func:`corridors.model.routes.route_inputs` (dwell
times, the sea freight rate, the priced railway discount, the Rasht–Astara opening year),
each with its sourced range; moving one recomputes the totals at once (no solve).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from corridors.export import ExportContext
from corridors.ledger.load import Ledger
from corridors.model.routes import (
    RouteInput,
    RouteParameters,
    RouteResult,
    benchmark_of,
    legs_table,
    route_inputs,
    route_results,
    routes_table,
)
from corridors.ui.common import chart_config, ledger_or_stop
from corridors.ui.downloads import chart_download_panel, table_downloads
from corridors.views.maps import network_figure
from corridors.views.routes import legs_figure, route_view, time_cost_figure
from corridors.views.style import source_line

#: Sidebar groups of the inputs, by kind, in order.
GROUPS = {
    "opening_year": "Links that switch legs",
    "discount": "Railway discounts (priced where a tariff is published)",
    "days": "Dwell and stretch times (days)",
    "cost": "Sea freight rate",
}


def _help(item: RouteInput, ledger: Ledger) -> str:
    publishers = source_line(item.source_ids, ledger.sources).removeprefix("Sources: ")
    basis = "**Assumption: no published figure; the range is ours.** " if item.basis == "assumption" else ""
    return f"{basis}{item.note}\n\nRange {item.minimum:g}–{item.maximum:g} {item.unit}. Sources: {publishers}."


def _sliders(ledger: Ledger) -> RouteParameters:
    """The year and every route input as sidebar sliders; their values as parameters."""
    years = ledger.wiring.parameter_info(ledger.wiring.year_name)
    year = st.sidebar.slider("Year", years["minimum"], years["maximum"], years["default"], key="rt_year")
    openings: dict[str, int | None] = {}
    values: dict[str, float] = {}
    inputs = route_inputs(ledger)
    for kind, title in GROUPS.items():
        mine = [item for item in inputs if item.kind == kind]
        if not mine:
            continue
        st.sidebar.subheader(title)
        for item in mine:
            integer = kind == "opening_year"
            step = 1 if integer else (0.5 if kind == "days" else (1.0 if kind == "discount" else 50.0))
            cast = int if integer else float
            value = st.sidebar.slider(
                f"{item.label} ({item.unit})",
                min_value=cast(item.minimum),
                max_value=cast(item.maximum),
                value=cast(item.default),
                step=cast(step),
                key=f"rt_{item.name}",
                help=_help(item, ledger),
            )
            if integer:
                openings[item.name] = int(value)
            else:
                values[item.name] = float(value)
    return RouteParameters(year=int(year), openings=openings, values=values)


def _footer(routes: list[RouteResult], ledger: Ledger) -> str:
    return source_line((s for r in routes for s in r.source_ids), ledger.sources)


def render() -> None:
    ledger, graph = ledger_or_stop()
    st.title("Routes: days and dollars per container")
    if ledger.routes.empty:
        st.info("This ledger has no routes (routes.csv is empty), so there is nothing to compare.")
        return
    st.caption(
        "Each route's total is the figure its sources publish for the whole route, kept whole: where only such a through "
        "figure exists it is never split into legs by guesswork. Legs inside it (port calls, the Astara truck transfer, the "
        "gauge change) move the total only when you move them, or when a railway that removes them opens. Figures no "
        "source gives are labelled assumptions with their range; hover a slider's ⓘ for its sources."
    )
    params = _sliders(ledger)
    routes = route_results(ledger, params)
    benchmark = benchmark_of(routes)
    footer = _footer(routes, ledger)
    version = f"{params}"
    context = ExportContext("Routes" + ("" if not params.values else " (inputs moved)"), params.year)

    scatter = time_cost_figure(routes, footer, params.year)
    st.plotly_chart(scatter, theme=None, config=chart_config("corridors-routes"), key="routes_scatter")
    chart_download_panel(scatter, "routes-time-cost", context, "dl_routes_scatter", version=version)

    table = routes_table(routes, benchmark)
    bench_name = benchmark.name if benchmark is not None else "no benchmark"
    st.subheader("Every route against the benchmark")
    st.caption(f"vs_bench: central days and USD per TEU minus those of {bench_name}; negative is faster or cheaper.")
    st.dataframe(table, hide_index=True, width="stretch")

    for figure, key in (("days", "routes_days"), ("cost", "routes_cost")):
        chart = legs_figure(routes, figure, footer, params.year)
        st.plotly_chart(chart, theme=None, config=chart_config(f"corridors-{key}"), key=key)
        chart_download_panel(chart, key.replace("_", "-"), context, f"dl_{key}", version=version)

    st.subheader("A route on the map")
    mapped = [r for r in routes if route_view(graph, r).number_of_edges()]
    chosen = st.selectbox("Route", mapped, format_func=lambda r: r.name, key="rt_map_route")
    if chosen is not None:
        view = route_view(graph, chosen)
        map_footer = source_line((s for _, _, ids in view.edges(data="source_ids") for s in ids), ledger.sources)
        route_map = network_figure(
            view, title=f"{chosen.name}: the links it runs on, {params.year}", footer=map_footer, sources=ledger.sources
        )
        st.plotly_chart(route_map, theme=None, config=chart_config("corridors-route-map"), key="routes_map")
        chart_download_panel(route_map, f"route-{chosen.route_id}", context, "dl_routes_map", version=f"{version}{chosen.route_id}")
    st.caption("Routes that run on no link of the ledger (the sea route via Suez passes no node of it) have no map.")

    st.subheader("Legs and their sources")
    names = dict(zip(ledger.nodes["node_id"], ledger.nodes["name"]))
    legs = {}
    for route in routes:
        legs[route.route_id] = legs_table(route, names)
        with st.expander(f"{route.name}: {len(route.legs)} legs"):
            st.dataframe(legs[route.route_id], hide_index=True, width="stretch")
    inputs = pd.DataFrame(
        [{"input": k, "value": v} for k, v in params.values.items()] + [{"input": k, "value": v} for k, v in params.openings.items()]
    )
    all_legs = pd.concat([frame.assign(route=route_id) for route_id, frame in legs.items()], ignore_index=True)
    table_downloads({"routes": table, "legs": all_legs}, ledger.sources, inputs, f"corridors-routes-{params.year}", "dl_routes_tables")
