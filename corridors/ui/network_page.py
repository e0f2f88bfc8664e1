"""Network page: both corridors on one map, with filters."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from corridors.export import ExportContext
from corridors.ledger.graph import links_frame, subgraph
from corridors.ledger.schema import NETWORK_UNITS
from corridors.ui.common import chart_config, extent_picker, ledger_or_stop, multiselect_all, url_snapshot, warn_dropped_params
from corridors.ui.downloads import chart_download_panel, table_downloads
from corridors.ui.player import play_control
from corridors.views.maps import network_figure
from corridors.views.style import source_line

LINK_COLUMNS = [
    "link_id",
    "network",
    "mode",
    "asset",
    "branch",
    "from_node",
    "to_node",
    "capacity",
    "capacity_low",
    "capacity_high",
    "unit",
    "status",
    "first_year",
    "length_km",
    "source_ids",
]


def render() -> None:
    ledger, graph = ledger_or_stop()
    st.title("The corridor network")
    units = links_frame(graph).groupby("network")["unit"].first()
    st.caption(
        f"{' and '.join(f'{network.capitalize()} ({unit})' for network, unit in units.items())} on one map. "
        "Line width shows capacity; dashed lines are not operating today; grey-thin lines have no published capacity. "
        "Hover a link's midpoint for its asset, capacity, status and publishers."
    )
    links = links_frame(graph)
    incoming = url_snapshot()
    with st.container(horizontal=True):
        networks = multiselect_all("Network", sorted(links["network"].unique()), "net_networks")
        # The reader sees the ledger's branch names; the URL keeps the codes.
        branch_labels: dict[str, str] = graph.graph.get("branch_labels", {})
        branch_codes = sorted(links["branch"].unique(), key=lambda code: branch_labels.get(code, code).casefold())
        branches = multiselect_all("Branch", branch_codes, "net_branches", labels=branch_labels)
        statuses = multiselect_all("Status", ["operating", "under_construction", "planned", "suspended"], "net_statuses")
    year = st.slider(
        "Show links in service by year",
        min_value=2000,
        max_value=2035,
        value=2035,
        key="net_year",
        bind="query-params",
        help="Hides links whose first year of service (planned year for planned links) is after this year.",
    )
    # The multiselects check their own URL values (multiselect_all); the slider is bound to the URL.
    warn_dropped_params(incoming, ["net_year"])
    extent = extent_picker(graph)

    def map_of(in_service_by: int) -> tuple[go.Figure, pd.DataFrame]:
        view = subgraph(graph, networks=networks, branches=branches, statuses=statuses, year=in_service_by)
        shown = links_frame(view) if view.number_of_edges() else links.iloc[0:0]
        footer = source_line((s for ids in shown["source_ids"] for s in ids), ledger.sources)
        title = f"The corridor network: links in service by {in_service_by}"
        return network_figure(view, title=title, footer=footer, sources=ledger.sources, extent=extent), shown

    def play_frame(in_service_by: int) -> None:
        st.plotly_chart(map_of(in_service_by)[0], theme=None, config=chart_config("corridors-network"), key="network_map_play")

    figure, shown = map_of(year)
    # The play control starts at the model's first year (the ledger's wiring), and runs to the year chosen above.
    start = min(int(ledger.wiring.parameter_info(ledger.wiring.year_name)["minimum"]), year)
    if not play_control("net_play", start, year, play_frame, label="Play the links opening"):
        st.plotly_chart(figure, theme=None, config=chart_config("corridors-network"), key="network_map")
    context = ExportContext("Ledger network" + ("" if len(shown) == len(links) else " (filtered)"), year)
    chart_download_panel(figure, "network", context, "dl_network", version=f"{networks}{branches}{statuses}{year}{extent}")
    st.subheader(f"Links shown ({len(shown)} of {len(links)})")
    table = shown[LINK_COLUMNS].assign(source_ids=lambda f: f["source_ids"].map(", ".join))
    st.dataframe(table, hide_index=True, width="stretch")
    filters = pd.DataFrame(
        [("network", ", ".join(networks)), ("branch", ", ".join(branches)), ("status", ", ".join(statuses)), ("in service by", year)],
        columns=["filter", "value"],
    )
    table_downloads({"links": table}, ledger.sources, filters, "corridors-links", "dl_links")
    st.caption(
        "Capacity units: " + "; ".join(f"{k}: {v}" for k, v in NETWORK_UNITS.items()) + ". Blank capacity: no public source gives one."
    )
