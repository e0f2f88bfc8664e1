"""One published series over the years, one marker per source, gaps and disagreements shaded.

The estimates it draws come from :mod:`corridors.views.estimates`; its names are re-exported
here so that ``from corridors.views.series import estimates_with_sources`` keeps working.
"""

from __future__ import annotations

import html
import textwrap
from collections import defaultdict
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from corridors.ledger.user_data import USER_FOOTER, USER_ORIGIN
from corridors.views.estimates import (
    BASIS_LABELS,
    GROUP_KEY,
    METRIC_LABELS,
    OUTLOOK_BASES,
    OUTTURN_BASES,
    SERIES_KEY,
    TABLE_COLUMNS,
    estimates_table,
    estimates_with_sources,
    series_label,
)
from corridors.views.style import REPORT_TEMPLATE, base_layout_dict, merged, new_figure, source_line

__all__ = [
    "BASIS_LABELS",
    "BASIS_SYMBOLS",
    "GROUP_KEY",
    "LEGEND_TITLE",
    "METRIC_LABELS",
    "NO_FIGURE_LABEL",
    "OUTLOOK_BASES",
    "OUTTURN_BASES",
    "SERIES_KEY",
    "TABLE_COLUMNS",
    "estimates_table",
    "estimates_with_sources",
    "last_full_year",
    "series_figure",
    "series_label",
]

#: Marker of each basis: outturns filled, everything else hollow (``-open``) so it never passes for an outturn.
BASIS_SYMBOLS = {
    "reported": "circle",
    "estimate": "square",
    "contract": "triangle-up-open",
    "forecast": "diamond-open",
    "target": "star-open",
}
NO_FIGURE_LABEL = "No published figure"
#: Legend entries wrap at this many characters instead of being cut.
LEGEND_WRAP = 44
LEGEND_COLUMNS = 2
LEGEND_FONT = 12
#: Pixel sizes (at :data:`LEGEND_FONT`) used to give the legend and title room above the plot.
LEGEND_LINE_PX = 16
LEGEND_ROW_GAP_PX = 6
TITLE_PX = 56
LEGEND_TITLE = "Filled: outturns (reported ●, estimated ■) · Hollow: not outturns (contract ceiling △, forecast ◇, target ☆)"
#: The reader's own figures: one marker and colour of their own, never a ledger publisher's, and named so in the legend.
USER_SYMBOL, USER_COLOUR, USER_LABEL = "x", "#000000", "Your data"


def last_full_year(today: date | None = None) -> int:
    """The latest year that is over, so an outturn for it could have been published."""
    return (today or date.today()).year - 1


def _wrap(text: str) -> str:
    # Wrap at spaces only, so joining the lines with spaces gives the name back whole.
    return "<br>".join(textwrap.wrap(text, LEGEND_WRAP, break_long_words=False, break_on_hyphens=False)) or text


def _runs(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last) runs: one band per run, not per year."""
    runs: list[tuple[int, int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def _gap_notes(gaps: pd.DataFrame | None, metrics: set[str], subjects: set[str], year: int) -> list[str]:
    """Notes of the ledger's known gaps (``gaps.csv``) that cover this series and year."""
    if gaps is None or gaps.empty:
        return []
    notes = []
    for gap in gaps.to_dict("records"):
        gap_subjects = set(str(gap.get("subject") or "").split(";"))
        start, end = gap.get("year_from"), gap.get("year_to")
        if gap.get("metric") not in metrics or not subjects & gap_subjects:
            continue
        if (pd.notna(start) and year < int(start)) or (pd.notna(end) and year > int(end)):
            continue
        notes.append(textwrap.fill(str(gap.get("note") or ""), 70).replace("\n", "<br>"))
    return notes


def _dodged_years(records: list[dict]) -> list[float]:
    """Each record's x position: its year, nudged sideways when several sources give a figure that year.

    Two sources with the same value (two reprints of one ceiling) would otherwise hide
    one behind the other. Outturns come first, then by publisher, as in the legend.
    """
    x = [float(r["year"]) for r in records]
    by_year: dict[int, list[int]] = defaultdict(list)
    for position, record in enumerate(records):
        by_year[int(record["year"])].append(position)
    for positions in by_year.values():
        if len(positions) < 2:
            continue
        ordered = sorted(positions, key=lambda p: (not records[p]["_outturn"], records[p]["_publisher"]))
        step = min(0.16, 0.6 / (len(ordered) - 1))
        for i, position in enumerate(ordered):
            x[position] += (i - (len(ordered) - 1) / 2) * step
    return x


def series_figure(
    rows: pd.DataFrame,
    title: str | None = None,
    *,
    years: tuple[int, int] | None = None,
    gaps: pd.DataFrame | None = None,
    today: date | None = None,
    validate: bool = True,
) -> go.Figure:
    """One series over the years, one marker per source, low–high as error bars.

    Outturns (reported, estimated) are filled markers; contract ceilings, forecasts
    and targets are hollow and say so in the legend. Years with no figure at all are
    shaded grey and marked below the zero line; years where sources disagree are
    shaded orange.

    Parameters
    ----------
    rows
        Rows of :func:`estimates_with_sources` for a single ``series``.
    title
        Figure title; the series name when None.
    years
        First and last year the x-axis must show (widened to the rows' own years).
        When None: from the first year in ``rows`` to the later of their last year
        and :func:`last_full_year`, so a missing recent year shows as missing.
    gaps
        The ledger's ``gaps`` table; its notes explain the missing years on hover.
    today
        The date that decides the last full year (today when None).
    validate
        False skips plotly's property checks (see :func:`corridors.views.style.new_figure`): the page's redraws.
    """
    if rows.empty:
        layout = base_layout_dict(title or "Estimates", "Sources: none")
        layout["annotations"].insert(0, dict(text="No estimate matches the filters", showarrow=False, font=dict(size=16)))
        return new_figure(layout=layout, validate=validate)
    unit = "/".join(sorted(rows["unit"].unique()))
    first, last, missing = _year_span(rows, years, last_full_year(today))
    bottom, top, span = _value_span(rows)
    # One legend entry per trace, in drawing order: each entry's line count sizes the legend.
    traces, entry_lines = source_traces(rows, unit)
    gap_traces, shapes, gap_lines = missing_year_parts(rows, missing, gaps, below_zero=bottom - 0.06 * span)
    disputed_shapes, disputed_lines = disputed_year_shapes(rows)
    footer = source_line(rows["source_id"], rows.assign(publisher=rows["publisher"].astype(str).map(inert)))
    if _has_user_rows(rows):
        footer += f". {USER_FOOTER} (✕ markers)."
    layout = merged(
        base_layout_dict(title or rows["series"].iloc[0], footer, footer_shift=-64),
        {
            "xaxis": {
                "title": {"text": "Year"},
                "range": [first - 0.6, last + 0.6],
                "dtick": 1 if last - first <= 24 else 2,
                "tickformat": "d",
            },
            "yaxis": {
                "title": {"text": f"{METRIC_LABELS.get(rows['metric'].iloc[0], 'Value')} ({unit})"},
                "range": [bottom - 0.1 * span, top + 0.08 * span],
                "zeroline": True,
                "zerolinecolor": "#bbbbbb",
            },
        },
        legend_layout(entry_lines + gap_lines + disputed_lines),
        # No key rather than an empty list: plotly's checks drop an empty one, and the page's unchecked build must match.
        {"shapes": shapes + disputed_shapes} if shapes or disputed_shapes else {},
    )
    return new_figure(traces + gap_traces, layout, validate=validate)


def _year_span(rows: pd.DataFrame, years: tuple[int, int] | None, complete: int) -> tuple[int, int, list[int]]:
    """First and last year of the x-axis, and the full years in between that have no figure.

    Without ``years`` the axis runs to the last full year even when the rows stop earlier,
    so a missing recent outturn shows as missing rather than as the end of the chart.
    """
    row_years = {int(y) for y in rows["year"]}
    if years is None:
        first, last = min(row_years), max(max(row_years), complete)
    else:
        first, last = min(years[0], min(row_years)), max(years[1], max(row_years))
    missing = [y for y in range(first, min(last, complete) + 1) if y not in row_years]
    return first, last, missing


def _value_span(rows: pd.DataFrame) -> tuple[float, float, float]:
    """Lowest and highest value shown (ranges included, zero always in view) and the distance between them."""
    values = pd.concat([rows["value"], rows["low"], rows["high"]]).dropna()
    top, bottom = max(float(values.max()), 0.0), min(float(values.min()), 0.0)
    return bottom, top, (top - bottom) or 1.0


def source_traces(rows: pd.DataFrame, unit: str) -> tuple[list[dict], list[int]]:
    """One trace per publisher and basis (plain dicts), and the number of lines of each one's legend entry.

    Built from records rather than frames: a series has a handful of rows, and pandas'
    per-call cost was most of the chart's build.
    """
    colorway = list(REPORT_TEMPLATE.layout.colorway)
    publishers = sorted(rows["publisher"].astype(str).unique())
    colours = {p: colorway[i % len(colorway)] for i, p in enumerate(publishers)}
    basis_order = {b: i for i, b in enumerate(BASIS_LABELS)}
    records = rows.to_dict("records")
    for record in records:
        record["_publisher"] = str(record["publisher"])
        record["_outturn"] = record["basis"] in OUTTURN_BASES
        record["_user"] = record.get("origin", "ledger") == USER_ORIGIN
    for record, x in zip(records, _dodged_years(records)):
        record["_x"] = x
    groups: dict[tuple[str, str, bool], list[dict]] = defaultdict(list)
    for record in records:
        groups[(record["_publisher"], record["basis"], record["_user"])].append(record)
    # Legend order: the ledger's outturns first, then what is not an outturn, then the reader's own; by publisher within each.
    order = sorted(groups, key=lambda k: (k[2], k[1] not in OUTTURN_BASES, k[0], basis_order.get(k[1], 99)))
    traces: list[dict] = []
    for publisher, basis, user in order:
        colour = USER_COLOUR if user else colours[publisher]
        traces.append(_source_trace(groups[(publisher, basis, user)], publisher, basis, colour, unit, user=user))
    return traces, [trace["name"].count("<br>") + 1 for trace in traces]


def inert(text: str) -> str:
    """Text shown as written: plotly reads a few HTML tags in names and hovers, so a reader's "<b>" or "<a>" is escaped."""
    return html.escape(str(text), quote=False)


def _has_user_rows(rows: pd.DataFrame) -> bool:
    return "origin" in rows and bool((rows["origin"] == USER_ORIGIN).any())


def _source_trace(group: list[dict], publisher: str, basis: str, colour: str, unit: str, user: bool = False) -> dict:
    """The markers of one publisher's figures on one basis, with the sources' own ranges as error bars.

    The reader's own figures (``user``) get a marker of their own and "Your data" in the legend.
    """
    outturn = basis in OUTTURN_BASES
    label = BASIS_LABELS.get(basis, str(basis))
    name = inert(publisher if basis == "reported" else f"{publisher} — {label}")
    if user:
        marker = dict(size=12, symbol=USER_SYMBOL, color=colour, line=dict(width=1, color="#ffffff"))
        name = f"{USER_LABEL}: {name}"
    elif outturn:
        marker = dict(size=11, symbol=BASIS_SYMBOLS[basis], color=colour, line=dict(width=1, color="#333333"))
    else:
        # Hollow: the outline carries the colour, thick enough to read at print size.
        marker = dict(size=13, symbol=BASIS_SYMBOLS.get(basis, "circle-open"), color=colour, line=dict(width=2, color=colour))
    values = [float(r["value"]) for r in group]
    # A source's range as error bars: each end the source gives, none for an end it does not.
    above = [float(r["high"]) - v if pd.notna(r["high"]) else 0.0 for r, v in zip(group, values)]
    below = [v - float(r["low"]) if pd.notna(r["low"]) else 0.0 for r, v in zip(group, values)]
    basis_text = (label if outturn else f"{label}: not an outturn") + (", your data" if user else "")
    return dict(
        type="scatter",
        # NumPy arrays: plotly checks them far faster than lists, and sends them packed.
        x=np.array([r["_x"] for r in group], dtype=float),
        y=np.array(values, dtype=float),
        mode="markers",
        name=_wrap(name),
        marker=marker,
        cliponaxis=False,
        error_y=dict(
            type="data",
            symmetric=False,
            array=np.array(above, dtype=float),
            arrayminus=np.array(below, dtype=float),
            thickness=1.5 if outturn else 1,
            width=4 if outturn else 8,
            color=colour,
        ),
        customdata=[(basis_text, inert(str(r["source_title"])), r["source_id"], int(r["year"])) for r in group],
        hovertemplate="%{customdata[3]}: <b>%{y:g} "
        + unit
        + "</b> (%{customdata[0]})<br>%{customdata[1]}<br>source: %{customdata[2]}<extra>"
        + inert(publisher).replace("%", "%%")
        + "</extra>",
    )


def year_band(start: float, end: float, fill: str, opacity: float, **extra: object) -> dict:
    """A shape over years ``start``–``end``, the plot's full height, behind the markers (what ``add_vrect`` makes)."""
    return dict(
        type="rect",
        xref="x",
        yref="y domain",
        x0=start,
        x1=end,
        y0=0,
        y1=1,
        fillcolor=fill,
        opacity=opacity,
        line=dict(width=0),
        layer="below",
        **extra,
    )


def missing_year_parts(
    rows: pd.DataFrame, missing: list[int], gaps: pd.DataFrame | None, below_zero: float
) -> tuple[list[dict], list[dict], list[int]]:
    """Grey bands over the years without a figure, and a marker below zero whose hover gives the known gaps.

    Returns the marker's trace (none when no year is missing), the bands, and the line
    counts of the legend entries added.
    """
    shapes = [year_band(start - 0.5, end + 0.5, "#9e9e9e", 0.16) for start, end in _runs(missing)]
    if not missing:
        return [], shapes, []
    metrics, subjects = set(rows["metric"]), set(rows["subject"])
    hover = []
    for year in missing:
        notes = _gap_notes(gaps, metrics, subjects, year)
        hover.append(f"<b>{year}: no published figure</b>" + "".join(f"<br>{note}" for note in notes))
    marker_trace = dict(
        type="scatter",
        x=missing,
        y=[below_zero] * len(missing),
        mode="markers",
        name=f"{NO_FIGURE_LABEL} (grey band)",
        marker=dict(symbol="x-thin-open", size=10, color="#757575", line=dict(width=2, color="#757575")),
        cliponaxis=False,
        text=hover,
        hovertemplate="%{text}<extra></extra>",
    )
    return [marker_trace], shapes, [1]


def disputed_year_shapes(rows: pd.DataFrame) -> tuple[list[dict], list[int]]:
    """Orange bands over the years where sources disagree, with a single legend entry for all of them."""
    disputed = sorted({int(y) for y in rows.loc[rows["disagree"], "year"]})
    shapes = [
        year_band(year - 0.4, year + 0.4, "#fdae61", 0.25, name="Sources disagree (orange band)", showlegend=n == 0)
        for n, year in enumerate(disputed)
    ]
    return shapes, [1] if disputed else []


def legend_layout(entry_lines: list[int], title: str | None = LEGEND_TITLE) -> dict:
    """The legend above the plot in two columns, and a top margin sized for the title and the legend (layout keys).

    Margins scale with the text when the figure is exported, so no name is cut or covered.
    """
    rows_of_legend = [max(entry_lines[i : i + LEGEND_COLUMNS]) for i in range(0, len(entry_lines), LEGEND_COLUMNS)]
    legend_height = LEGEND_LINE_PX * (1 + sum(rows_of_legend)) + LEGEND_ROW_GAP_PX * len(rows_of_legend)
    return dict(
        height=380 + legend_height,
        margin=dict(t=TITLE_PX + legend_height),
        title=dict(yref="container", y=1, yanchor="top", pad=dict(t=14)),
        legend=dict(
            orientation="h",
            entrywidth=1 / LEGEND_COLUMNS,
            entrywidthmode="fraction",
            traceorder="normal",
            x=0,
            xanchor="left",
            y=1.02,
            yanchor="bottom",
            # Horizontal legends otherwise stop at half the figure and scroll, hiding names.
            maxheight=1,
            valign="top",
            font=dict(size=LEGEND_FONT),
            title=dict(text=title or "", side="top", font=dict(size=LEGEND_FONT)),
        ),
    )
