"""Figures and tables of the gas money: what each export market's gas is worth, with the sources' range.

Pure plotly and pandas, no Streamlit: the Flows page's panel, the report and notebooks
draw the same figure from :func:`corridors.model.gas_money.gas_money`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from corridors.model.gas_money import PRICE_UNIT, VALUE_UNIT, GasMoney, MoneyRow
from corridors.views.palette import DELIVERED_COLOUR, PERCENTILE_COLOUR
from corridors.views.style import base_layout_dict, new_figure, source_line

#: How the table names each kind of line.
ITEM_LABELS = {
    "market": "Exports",
    "all_exports": "Check",
    "transit_tariff": "Transit tariff",
    "transit_tax": "Transit tax",
    "margin": "Margin estimate",
}


def gas_money_footer(money: GasMoney, sources: pd.DataFrame | None = None, every_line: bool = False) -> str:
    """The source line of the chart: the publishers behind the market prices (``every_line``: behind every figure)."""
    rows = money.rows if every_line else money.markets
    return source_line((s for row in rows for s in row.source_ids), sources)


def _hover(row: MoneyRow) -> str:
    assert row.price is not None and row.value is not None
    return (
        f"<b>{row.label}</b><br>{row.volume:.2f} bcm/yr × {row.price.central:,.2f} {PRICE_UNIT} ({row.price_year})"
        f"<br>= {row.value.central:,.0f} {VALUE_UNIT} (range {row.value.low:,.0f}–{row.value.high:,.0f})"
        f"<br>price range {row.price.low:,.2f}–{row.price.high:,.2f}; {row.basis}"
    )


def gas_money_figure(money: GasMoney, footer: str) -> go.Figure:
    """Export value by market (volume × sourced price) as bars, the sources' low–high range as error bars.

    A market without a sourced price has no bar (the subtitle says how many); the total
    of the bars is in the subtitle.
    """
    shown = [row for row in money.markets if row.value is not None]
    values = [row.value for row in shown if row.value is not None]
    data = [
        go.Bar(
            x=[row.label for row in shown],
            y=[round(v.central, 1) for v in values],
            name="Export value",
            marker_color=DELIVERED_COLOUR,
            error_y=dict(
                type="data",
                symmetric=False,
                array=[round(v.high - v.central, 1) for v in values],
                arrayminus=[round(v.central - v.low, 1) for v in values],
                color=PERCENTILE_COLOUR,
                thickness=1.5,
                width=8,
            ),
            hovertext=[_hover(row) for row in shown],
            hoverinfo="text",
        )
    ]
    unpriced = len(money.markets) - len(shown)
    total = money.total
    summary = (
        f"total {total.central:,.0f} ({total.low:,.0f}–{total.high:,.0f}) {VALUE_UNIT}" if total is not None else "no market has a price"
    )
    left_out = f"; {unpriced} market(s) without a sourced price left out" if unpriced else ""
    years = sorted({row.price_year for row in shown if row.price_year is not None})
    dated = f" (prices of {', '.join(map(str, years))})" if years else ""
    title = (
        f"What the gas exports are worth, {money.year}<br><sup>delivered volume × the latest sourced price{dated}, "
        f"low–high from the sources' range: {summary}{left_out}</sup>"
    )
    layout = base_layout_dict(title, footer, footer_shift=-78)
    layout.update(
        height=480,
        showlegend=False,
        xaxis=dict(title=dict(text="Market"), tickangle=0),
        yaxis=dict(title=dict(text=f"Export value ({VALUE_UNIT})"), rangemode="tozero", tickformat=",.0f"),
    )
    return new_figure(data, layout)


def gas_money_display(money: GasMoney, intervals: Mapping[tuple[str, str], tuple[float, float]] | None = None) -> pd.DataFrame:
    """The gas money as a reader's table: each line with volume, price and value (low, central, high), basis and sources.

    With ``intervals`` (:func:`corridors.model.gas_money.draw_intervals`), the value's P10 and P90 over the draws follow.
    """
    table = money.table(intervals)
    shown = pd.DataFrame(
        {
            "line": table["item"].map(ITEM_LABELS).fillna(table["item"]),
            "what": table["label"],
            "volume_bcm": table["volume_bcm"],
            "price_year": table["price_year"].astype("Int64"),
            "price_low": table["price_low"],
            "price_central": table["price_central"],
            "price_high": table["price_high"],
            "value_low": table["value_low"],
            "value_central": table["value_central"],
            "value_high": table["value_high"],
            **({"value_p10": table["value_p10"], "value_p90": table["value_p90"]} if intervals else {}),
            "unit": table["unit"],
            "assumption": table["assumption"].map({True: "assumption", False: ""}),
            "basis": table["basis"],
            "source_ids": table["source_ids"],
            "note": table["note"],
        }
    )
    shown.attrs = {
        "title": table.attrs["title"],
        "units": {"volume_bcm": "bcm/yr", "price_low": PRICE_UNIT, "price_central": PRICE_UNIT, "price_high": PRICE_UNIT},
    }
    return shown
