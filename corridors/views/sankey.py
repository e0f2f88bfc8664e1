"""A network's balance as a Sankey diagram: each supply in, each market out, what was lost, and the demand not met.

Every place and label comes from the wiring (``model_flows.csv``): supplies (fields,
imports, swap gas) flow into the network, the network delivers to each market (own use,
exports), and the rest is named for what it is: supply offered but not taken, gas lost
or kept on the way (a swap fee), and demand the network could not meet, drawn as a flow
of its own into each market so a market's bar is its whole demand.

Like every figure here it has a title, its unit and a source line. Pure plotly: no Streamlit.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from corridors.model.flows import FlowResult
from corridors.model.indicators import EPS
from corridors.views.palette import BALANCE_COLOURS
from corridors.views.style import base_layout_dict, new_figure

#: The nodes that are not a supply or a market.
NOT_TAKEN, LOST, NOT_MET = "Offered, not taken", "Lost or kept on the way (e.g. swap fees)", "Demand not met"
#: Node colours by what a node is (the palette's, checked for colour-blind readers).
KIND_COLOURS = {**BALANCE_COLOURS, NOT_TAKEN: BALANCE_COLOURS["rest"], LOST: BALANCE_COLOURS["rest"], NOT_MET: BALANCE_COLOURS["unmet"]}
COLUMNS = ["source", "target", "value", "kind"]


def balance_flows(result: FlowResult, network: str = "gas") -> pd.DataFrame:
    """The balance of one network as flows between named nodes.

    Parameters
    ----------
    result
        A solved scenario.
    network
        The network whose balance to draw (``gas`` in the shipped corridor).

    Returns
    -------
    DataFrame
        ``source``, ``target``, ``value`` (in the network's unit) and ``kind``: ``used``
        (a supply into the network), ``not taken`` (offered but not used), ``delivered``
        (the network to a market), ``lost`` (used but not delivered: swap fees and losses)
        and ``unmet`` (demand not met, into its market). Flows below the model's rounding
        are left out. Empty when the network has no supplies.
    """
    flows = type(result.assumptions).wiring().flows
    mine = flows[flows["network"] == network]
    labels = dict(zip(mine["flow_id"], mine["label"]))
    solved = result.solved.get(network)
    if solved is None or not solved["offered"]:
        return pd.DataFrame(columns=COLUMNS)
    hub = f"{network.capitalize()} network"
    rows: list[tuple[str, str, float, str]] = []
    for supply, offered in solved["offered"].items():
        used = solved["used"].get(supply, 0.0)
        rows.append((labels.get(supply, supply), hub, used, "used"))
        rows.append((labels.get(supply, supply), NOT_TAKEN, offered - used, "not taken"))
    markets = result.markets[result.markets["network"] == network]
    for market, row in markets.iterrows():
        rows.append((hub, labels.get(market, market), float(row["delivered"]), "delivered"))
    lost = sum(solved["used"].values()) - float(markets["delivered"].sum())
    rows.append((hub, LOST, lost, "lost"))
    for market, row in markets.iterrows():
        rows.append((NOT_MET, labels.get(market, market), float(row["unmet"]), "unmet"))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table[table["value"] > EPS * 100].reset_index(drop=True)


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def balance_sankey(result: FlowResult, footer: str, network: str = "gas") -> go.Figure | None:
    """The Sankey diagram of a network's balance (see :func:`balance_flows`); None when the network has no supplies.

    Parameters
    ----------
    result
        A solved scenario.
    footer
        The source line under the figure (:func:`corridors.views.style.source_line`).
    network
        The network to draw.
    """
    table = balance_flows(result, network)
    if table.empty:
        return None
    flows = type(result.assumptions).wiring().flows
    kinds = dict(zip(flows["label"], flows["kind"]))
    markets = result.markets[result.markets["network"] == network]
    unit = str(markets["unit"].iloc[0]) if len(markets) else ""
    names = list(dict.fromkeys([*table["source"], *table["target"]]))
    hub = f"{network.capitalize()} network"

    def kind_of(name: str) -> str:
        if name in (NOT_TAKEN, LOST, NOT_MET):
            return name
        if name == hub:
            return "hub"
        return kinds.get(name) if kinds.get(name) in ("production", "import") else "market"

    colours = [KIND_COLOURS[kind_of(n)] for n in names]
    # Each node is labelled with its size (what goes in, or out where nothing comes in), so a printed copy reads alone.
    into, out = table.groupby("target")["value"].sum(), table.groupby("source")["value"].sum()
    shown = [f"{n}: {max(into.get(n, 0.0), out.get(n, 0.0)):.2f}" for n in names]
    index = {name: i for i, name in enumerate(names)}
    link_colours = [
        _rgba(BALANCE_COLOURS["unmet"] if kind == "unmet" else KIND_COLOURS[kind_of(source)], 0.35)
        for source, kind in zip(table["source"], table["kind"])
    ]
    sankey = go.Sankey(
        arrangement="snap",
        valueformat=".2f",
        valuesuffix=f" {unit}",
        node=dict(
            label=shown,
            color=colours,
            pad=14,
            thickness=16,
            line=dict(color="white", width=0.5),
            hovertemplate=f"%{{label}} {unit}<extra></extra>",
        ),
        link=dict(
            source=[index[s] for s in table["source"]],
            target=[index[t] for t in table["target"]],
            value=table["value"].round(3).tolist(),
            color=link_colours,
            customdata=table["kind"].tolist(),
            hovertemplate="%{source.label} → %{target.label}: %{value} (%{customdata})<extra></extra>",
        ),
    )
    definitions = result.definitions
    titled = definitions[definitions["chart"] == "balance"] if definitions is not None else pd.DataFrame()
    name = str(titled["chart_title"].iloc[0]) if len(titled) else f"{network.capitalize()} balance"
    unmet = float(markets["unmet"].sum())
    subtitle = f"supply in, deliveries out ({unit}); demand not met: {unmet:.2f} {unit}"
    layout = base_layout_dict(f"{name}, {result.assumptions.year}<br><sup>{subtitle}</sup>", footer, footer_shift=-20)
    layout.update(height=520)
    return new_figure([sankey], layout)


__all__ = ["balance_flows", "balance_sankey"]
