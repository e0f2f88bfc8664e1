"""Figures and text of a Monte Carlo run: one indicator's distribution, its tornado, intervals as words.

Like every figure here they carry a title, axis titles with units and a source line
(which here says how the draws were made).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from corridors.model.explain import format_indicator
from corridors.model.uncertainty import DESIGN, Uncertainty
from corridors.views.palette import HIGH_COLOUR, INTERVAL_COLOUR, LOW_COLOUR, PERCENTILE_COLOUR, SCENARIO_COLOUR
from corridors.views.style import base_layout_dict, new_figure


def format_interval(central: float | None, p10: float | None, p90: float | None, unit: str) -> str:
    """An indicator with its 80 % interval: "6% (2%–6%)", "25.20 bcm/yr (25.10–25.20)"; n/a where it has none."""
    value = format_indicator(central, unit)
    if p10 is None or p90 is None or any(math.isnan(float(v)) for v in (p10, p90)):
        return value
    if unit == "share":
        return f"{value} ({p10:.0%}–{p90:.0%})"
    return f"{value} ({p10:,.2f}–{p90:,.2f})"


def method_line(run: Uncertainty) -> str:
    """How the draws were made, in one line (the footer of every uncertainty figure)."""
    return (
        f"Monte Carlo: {run.draws:,} draws, {DESIGN}, seed {run.seed}, over {len(run.inputs)} inputs: the sources' ranges "
        "(triangular, mode at the default) and labelled assumptions (uniform), as model_assumptions.csv says; link capacities "
        "from links.csv (triangular). Corridors."
    )


def _scaled(values: np.ndarray, unit: str) -> tuple[np.ndarray, str]:
    return (values * 100, "%") if unit == "share" else (values, unit)


def distribution_figure(run: Uncertainty, indicator: str, label: str, unit: str, year: int) -> go.Figure:
    """The draws of one indicator as a histogram, with P10, P50, P90 and the scenario's own value marked."""
    values, shown_unit = _scaled(run.indicators[indicator].to_numpy(dtype=float), unit)
    values = values[np.isfinite(values)]
    interval = run.intervals().loc[indicator]
    central = _scaled(np.array([interval["central"]], dtype=float), unit)[0][0]
    p10, p50, p90 = (_scaled(np.array([interval[p]], dtype=float), unit)[0][0] for p in ("p10", "p50", "p90"))
    data = [
        go.Histogram(
            x=values, nbinsx=30, marker_color=INTERVAL_COLOUR, opacity=0.75, name="Draws", hovertemplate="%{x}: %{y} draws<extra></extra>"
        )
    ]
    shapes, notes = [], []
    for name, x, dash in (("P10", p10, "dot"), ("P50", p50, "dash"), ("P90", p90, "dot"), ("scenario", central, "solid")):
        if not np.isfinite(x):
            continue
        colour = SCENARIO_COLOUR if name == "scenario" else PERCENTILE_COLOUR
        shapes.append(dict(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1, line=dict(color=colour, dash=dash, width=2)))
        font = dict(size=11, color=colour)
        # The scenario's label sits lower, so that it never covers P90's when the two nearly meet.
        notes.append(
            dict(
                x=x,
                y=0.9 if name == "scenario" else 1.0,
                xref="x",
                yref="paper",
                text=name,
                showarrow=False,
                xanchor="left" if name == "scenario" else "center",
                yanchor="bottom",
                font=font,
            )
        )
    share = f"{len(values):,} of {run.draws:,} draws" if len(values) < run.draws else f"{run.draws:,} draws"
    title = f"{label}, {year}: what the sources allow<br><sup>{share}; 80 % of them lie between P10 and P90 ({shown_unit})</sup>"
    layout = base_layout_dict(title, method_line(run), footer_shift=-60)
    layout["annotations"] = [*notes, *layout["annotations"]]
    layout.update(
        height=420,
        showlegend=False,
        shapes=shapes,
        bargap=0.05,
        xaxis=dict(title=dict(text=f"{label} ({shown_unit})")),
        yaxis=dict(title=dict(text="Draws")),
    )
    return new_figure(data, layout)


def tornado_figure(run: Uncertainty, indicator: str, label: str, unit: str, year: int, top: int = 8) -> go.Figure:
    """Which inputs move one indicator most: each input alone at its low and at its high end, largest swing on top."""
    ranking = run.sensitivity(indicator).dropna(subset=["swing"])
    ranking = ranking[ranking["swing"] > 0].head(top).iloc[::-1]
    central = float(run.central.get(indicator, np.nan))
    scale, shown_unit = (100.0, "%") if unit == "share" else (1.0, unit)
    names = [f"{r['label']} ({r['input_low']:g}–{r['input_high']:g})" for _, r in ranking.iterrows()]
    data = []
    for side, column, colour in (("input at its low end", "at_low", LOW_COLOUR), ("input at its high end", "at_high", HIGH_COLOUR)):
        change = (ranking[column].to_numpy(dtype=float) - central) * scale
        data.append(
            go.Bar(
                y=names,
                x=change,
                base=central * scale,
                orientation="h",
                name=side,
                marker_color=colour,
                hovertemplate=f"%{{y}}<br>{side}: %{{customdata:.3g}} {shown_unit}<extra></extra>",
                customdata=ranking[column].to_numpy(dtype=float) * scale,
            )
        )
    subtitle = f"each input alone from its low to its high end ({shown_unit}); scenario: {central * scale:.3g}"
    title = f"What moves it: {label}, {year}<br><sup>{subtitle}</sup>"
    layout = base_layout_dict(title, method_line(run), footer_shift=-60)
    layout.update(
        height=max(320, 90 + 42 * len(names)),
        barmode="overlay",
        xaxis=dict(title=dict(text=f"{label} ({shown_unit})")),
        yaxis=dict(automargin=True),
        legend=dict(x=0.99, xanchor="right", y=0.02, yanchor="bottom"),
    )
    if not names:
        layout["annotations"].append(dict(text="No input moves this indicator.", x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False))
    return new_figure(data, layout)
