"""One indicator over the years: the model's baseline year by year, the published figures, the events, the projection.

The published figures are drawn as on the Sources page (one marker per source, ranges as
error bars, :mod:`corridors.views.series`), so a reader meets one style for them.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from corridors.model.projection import Projection
from corridors.views.palette import INTERVAL_COLOUR, PERCENTILE_COLOUR
from corridors.views.series import (
    LEGEND_TITLE,
    disputed_year_shapes,
    inert,
    legend_layout,
    missing_year_parts,
    source_traces,
    year_band,
)
from corridors.views.style import base_layout, new_figure

#: Published freight figures may be in kt; the model's unit is Mt.
TO_MODEL_UNIT = {"kt": 0.001}
MODEL_COLOUR = "#333333"
EVENT_COLOUR = "#6a3d9a"
PROJECTION_FILL = "#dbe6f4"


def _decimal_year(day: str) -> float:
    when = pd.Timestamp(day)
    return when.year + (when.day_of_year - 1) / (366 if when.is_leap_year else 365)


def _in_model_unit(rows: pd.DataFrame) -> pd.DataFrame:
    scale = rows["unit"].map(TO_MODEL_UNIT).fillna(1.0)
    return rows.assign(value=rows["value"] * scale, low=rows["low"] * scale, high=rows["high"] * scale)


def years_figure(
    model: pd.DataFrame,
    label: str,
    unit: str,
    projection: Projection,
    *,
    published: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    title: str | None = None,
    footer: str = "Sources: none",
) -> go.Figure:
    """The indicator over the years, with what was published and what happened.

    Parameters
    ----------
    model
        One row per year: ``year`` and ``value`` (the model's answer for that year),
        and optionally ``p10`` and ``p90`` where the sources' ranges were drawn.
    label, unit
        The indicator as readers know it.
    projection
        Which years are projections and how they were grown: they are shaded and the
        line is dashed there.
    published
        Rows of :func:`corridors.views.series.estimates_with_sources` for the series the
        indicator is held against; none for an indicator no source publishes.
    events
        Rows of :func:`corridors.model.timeline.events_frame`: a marker each, with its
        title and source on hover.
    gaps
        The ledger's known gaps, for the hover of years with no published figure.
    title, footer
        The chart's title (the label and span when None) and its source line.
    """
    first, last = int(model["year"].min()), int(model["year"].max())
    fig = new_figure()
    entry_lines: list[int] = []
    if last > projection.start:
        fig.add_shape(year_band(projection.start + 0.5, last + 0.5, PROJECTION_FILL, 0.5))
    entry_lines += _model_traces(fig, model, unit, projection)
    values = [*model["value"].dropna(), *model.get("p10", pd.Series(dtype=float)).dropna(), *model.get("p90", pd.Series(dtype=float))]
    values = [float(v) for v in values if pd.notna(v)]
    legend_title = None
    if published is not None and not published.empty:
        rows = _in_model_unit(published[(published["year"] >= first) & (published["year"] <= last)])
        if not rows.empty:
            legend_title = LEGEND_TITLE
            traces, lines = source_traces(rows, unit)
            values += [float(v) for v in pd.concat([rows["value"], rows["low"], rows["high"]]).dropna()]
            shown = set(int(y) for y in rows["year"])
            missing = [y for y in range(first, min(last, projection.start) + 1) if y not in shown]
            top = max([*values, 0.0]) or 1.0
            gap_traces, shapes, gap_lines = missing_year_parts(rows, missing, gaps, below_zero=-0.06 * top)
            disputed, disputed_lines = disputed_year_shapes(rows)
            fig.add_traces(traces + gap_traces)
            for shape in shapes + disputed:
                fig.add_shape(shape)
            entry_lines += lines + gap_lines + disputed_lines
    top = max([*values, 0.0]) or 1.0
    bottom = min([*values, 0.0])
    if events is not None and not events.empty:
        entry_lines += _event_trace(fig, events, first, last, top * 1.1)
    if last > projection.start:
        fig.add_annotation(
            x=(projection.start + 0.5 + last + 0.5) / 2,
            y=top * 1.2,
            text="Projection (assumed growth)",
            showarrow=False,
            font=dict(size=11, color="#41597a"),
        )
    fig = base_layout(fig, title or f"{label}, {first}–{last}", footer, footer_shift=-64)
    fig.update_xaxes(title_text="Year", range=[first - 0.6, last + 0.6], dtick=1 if last - first <= 20 else 2, tickformat="d")
    fig.update_yaxes(title_text=f"{label} ({unit})", range=[bottom - 0.12 * top, top * 1.28], zeroline=True, zerolinecolor="#bbbbbb")
    return fig.update_layout(legend_layout(entry_lines, legend_title))


def _model_traces(fig: go.Figure, model: pd.DataFrame, unit: str, projection: Projection) -> list[int]:
    """The model's line: solid over years with outturns, dashed over the projection; the draws' interval where it exists."""
    lines = []
    past = model[model["year"] <= projection.start]
    future = model[model["year"] >= projection.start]
    for part, name, dash in ((past, "Model baseline, year by year", "solid"), (future, "Model, projected (assumed growth)", "dash")):
        if len(part) < (2 if part is future else 1):
            continue
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["value"],
                mode="lines+markers",
                name=name,
                line=dict(color=MODEL_COLOUR, width=2.5, dash=dash),
                marker=dict(size=6, color=MODEL_COLOUR),
                hovertemplate="%{x}: <b>%{y:.4g} " + unit + "</b> (model)<extra></extra>",
            )
        )
        lines.append(1)
    if {"p10", "p90"} <= set(model.columns) and model["p10"].notna().any():
        drawn = model[model["p10"].notna()]
        fig.add_trace(
            go.Scatter(
                x=drawn["year"],
                y=drawn["value"],
                mode="markers",
                name="80 % interval of the draws (P10–P90)",
                marker=dict(size=1, color=INTERVAL_COLOUR),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=drawn["p90"] - drawn["value"],
                    arrayminus=drawn["value"] - drawn["p10"],
                    color=INTERVAL_COLOUR,
                    thickness=6,
                    width=0,
                ),
                hovertemplate="%{x}: P10–P90 of the draws<extra></extra>",
            )
        )
        lines.append(1)
    return lines


def _event_trace(fig: go.Figure, events: pd.DataFrame, first: int, last: int, y: float) -> list[int]:
    """A marker per event along the top of the plot; its hover gives the date, title, kind and source."""
    shown = events[events["date"].str.slice(0, 4).astype(int).between(first, last)]
    if shown.empty:
        return []
    hover = [
        f"<b>{inert(row['date'])}</b>: {'<br>'.join(textwrap.wrap(inert(row['title']), 60))}<br>"
        f"{inert(str(row['kind']))} · {inert(str(row.get('publisher') or ''))} ({inert(row['source_id'])})"
        for row in shown.to_dict("records")
    ]
    fig.add_trace(
        go.Scatter(
            x=[_decimal_year(d) for d in shown["date"]],
            y=[y] * len(shown),
            mode="markers",
            name=f"Events ({len(shown)}; hover for title and source)",
            marker=dict(symbol="triangle-down", size=11, color=EVENT_COLOUR, line=dict(width=1, color=PERCENTILE_COLOUR)),
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            cliponaxis=False,
        )
    )
    return [1]


__all__ = ["years_figure"]
