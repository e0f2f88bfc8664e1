"""Charts of a solved scenario: gas markets and INSTC branches.

Like every figure here they carry a title, axis titles with units and a source line.
"""

from __future__ import annotations

import plotly.graph_objects as go

from corridors.model import INSTC_BRANCHES, FlowResult
from corridors.plotting import base_layout_dict, new_figure

MARKET_LABELS = {
    "az_own_use": "Azerbaijan (own use)",
    "nakhchivan": "Nakhchivan",
    "georgia": "Georgia",
    "turkiye": "Türkiye",
    "europe": "Europe",
    "syria": "Syria",
    "russia_to_iran": "Freight Russia to Iran",
    "russia_to_india": "Freight Russia to India",
    "iran_to_russia": "Freight Iran to Russia",
    "india_to_russia": "Freight India to Russia",
}
BRANCH_LABELS = {
    "western": "Western<br>(via Azerbaijan)",
    "eastern": "Eastern<br>(via Central Asia)",
    "trans_caspian": "Trans-Caspian<br>(by sea)",
}


def gas_market_figure(result: FlowResult, footer: str) -> go.Figure:
    """Gas demand per market, split into delivered and unmet (bcm/yr)."""
    markets = result.markets[result.markets["network"] == "gas"]
    names = [MARKET_LABELS.get(m, m) for m in markets.index]
    parts = (("Delivered", "delivered", "#1f78b4", "delivered"), ("Unmet", "unmet", "#d7301f", "not deliverable"))
    data = [
        go.Bar(
            name=label,
            y=names,
            x=markets[column].round(3),
            orientation="h",
            marker_color=colour,
            hovertemplate="%{y}: %{x:.2f} bcm/yr " + verb + "<extra></extra>",
        )
        for label, column, colour, verb in parts
    ]
    layout = base_layout_dict(
        f"Azerbaijani gas by market, {result.assumptions.year}<br><sup>delivered and unmet (bcm/yr)</sup>", footer, footer_shift=-78
    )
    layout.update(
        barmode="stack",
        height=460,
        yaxis=dict(title=dict(text="Market"), autorange="reversed"),
        xaxis=dict(title=dict(text="Gas (bcm/yr)"), rangemode="tozero"),
        legend=dict(x=0.99, xanchor="right", y=0.02, yanchor="bottom"),
    )
    return new_figure(data, layout)


def branch_figure(result: FlowResult, footer: str) -> go.Figure:
    """INSTC cargo per branch (Mt/yr, both directions), with unmet freight demand."""
    values = [result.indicators[f"instc_{b}"] for b in INSTC_BRANCHES]
    names = [BRANCH_LABELS[b] for b in INSTC_BRANCHES]
    data = [
        go.Bar(
            x=names,
            y=[round(v, 3) for v in values],
            marker_color=["#1f78b4", "#33a02c", "#17becf"],
            name="Carried",
            hovertemplate="%{x}: %{y:.2f} Mt/yr<extra></extra>",
        )
    ]
    unmet = result.indicators["freight_unmet"]
    layout = base_layout_dict(
        f"INSTC cargo by branch, {result.assumptions.year}<br><sup>both directions; demand not met: {unmet:.2f} Mt/yr</sup>",
        footer,
        footer_shift=-78,
    )
    layout.update(
        height=460,
        showlegend=False,
        xaxis=dict(title=dict(text="Branch"), tickangle=0),
        yaxis=dict(title=dict(text="Cargo, both directions (Mt/yr)"), rangemode="tozero"),
    )
    return new_figure(data, layout)
