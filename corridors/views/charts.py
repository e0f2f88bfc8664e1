"""Charts of a solved scenario: each network's markets, and the indicator groups the wiring names.

Like every figure here they carry a title, axis titles with units and a source line.
"""

from __future__ import annotations

import plotly.graph_objects as go

from corridors.model.flows import FlowResult
from corridors.views.palette import BAR_COLOURS, DELIVERED_COLOUR, UNMET_COLOUR
from corridors.views.style import base_layout_dict, new_figure


def market_labels(result: FlowResult) -> dict[str, str]:
    """Market id → the name the wiring gives it."""
    flows = type(result.assumptions).wiring().flows
    return dict(zip(flows["flow_id"], flows["label"]))


def market_figure(result: FlowResult, network: str, footer: str) -> go.Figure:
    """Demand per market of one network, split into delivered and unmet."""
    markets = result.markets[result.markets["network"] == network]
    unit = str(markets["unit"].iloc[0]) if len(markets) else ""
    labels = market_labels(result)
    names = [labels.get(m, m) for m in markets.index]
    parts = (("Delivered", "delivered", DELIVERED_COLOUR, "delivered"), ("Unmet", "unmet", UNMET_COLOUR, "not deliverable"))
    data = [
        go.Bar(
            name=label,
            y=names,
            x=markets[column].round(3),
            orientation="h",
            marker_color=colour,
            hovertemplate=f"%{{y}}: %{{x:.2f}} {unit} {verb}<extra></extra>",
        )
        for label, column, colour, verb in parts
    ]
    title = f"{network.capitalize()} by market, {result.assumptions.year}<br><sup>delivered and unmet ({unit})</sup>"
    layout = base_layout_dict(title, footer, footer_shift=-78)
    layout.update(
        barmode="stack",
        height=460,
        yaxis=dict(title=dict(text="Market"), autorange="reversed"),
        xaxis=dict(title=dict(text=f"{network.capitalize()} ({unit})"), rangemode="tozero"),
        legend=dict(x=0.99, xanchor="right", y=0.02, yanchor="bottom"),
    )
    return new_figure(data, layout)


def indicator_chart_ids(result: FlowResult) -> dict[str, str]:
    """Bar charts the wiring groups indicators into: id → title (the balance is a table, not a chart)."""
    rows = result.definitions[result.definitions["chart"].notna() & (result.definitions["chart"] != "balance")]
    return dict(zip(rows["chart"], rows["chart_title"]))


def indicator_figure(result: FlowResult, chart: str, footer: str) -> go.Figure:
    """The indicators of one wiring chart group as bars (one unit per group)."""
    rows = result.definitions[result.definitions["chart"] == chart]
    unit = str(rows["unit"].iloc[0])
    values = [result.indicators[k] for k in rows["indicator"]]
    data = [
        go.Bar(
            x=[str(label).replace(" (", "<br>(") for label in rows["label"]],
            y=[round(v, 3) for v in values],
            marker_color=list(BAR_COLOURS[: len(values)]),
            name="Value",
            hovertemplate=f"%{{x}}: %{{y:.2f}} {unit}<extra></extra>",
        )
    ]
    unmet = result.markets.loc[result.markets["unit"] == unit, "unmet"].sum()
    layout = base_layout_dict(
        f"{rows['chart_title'].iloc[0]}, {result.assumptions.year}<br><sup>demand not met: {unmet:.2f} {unit}</sup>",
        footer,
        footer_shift=-78,
    )
    layout.update(
        height=460,
        showlegend=False,
        xaxis=dict(title=dict(text=""), tickangle=0),
        yaxis=dict(title=dict(text=f"{rows['chart_title'].iloc[0]} ({unit})"), rangemode="tozero"),
    )
    return new_figure(data, layout)
