"""The estimates joined to their sources, with disagreements between sources marked."""

from __future__ import annotations

import textwrap
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from corridors.io import Ledger
from corridors.plotting import REPORT_TEMPLATE, base_layout, new_figure, source_line

#: Rows that describe the same quantity: sources disagree when these match and values differ.
SERIES_KEY = ["topic", "metric", "subject", "branch"]
GROUP_KEY = [*SERIES_KEY, "year"]
#: Within a group, outturns are compared with outturns, contract ceilings with contract ceilings, and
#: forecasts and targets with each other: a ceiling above the outturn, or a missed forecast, is not a dispute.
OUTLOOK_BASES = ("forecast", "target")
#: Figures of what actually flowed; every other basis (a ceiling, a forecast, a target) is not an outturn.
OUTTURN_BASES = ("reported", "estimate")
#: Readable name of each basis, as the legend and the table say it.
BASIS_LABELS = {
    "reported": "reported",
    "estimate": "estimate",
    "contract": "contract ceiling",
    "forecast": "forecast",
    "target": "target",
}
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
METRIC_LABELS = {
    "gas_production": "Gas production",
    "field_production": "Gas production by field",
    "gas_exports": "Gas exports",
    "gas_imports": "Gas imports",
    "gas_consumption": "Gas consumption",
    "pipeline_flow": "Pipeline flow",
    "instc_volume": "INSTC cargo volume",
    "crossing_volume": "Cargo through a crossing",
    "port_throughput": "Port throughput",
    "transit_volume": "Transit cargo",
}


def series_label(row: pd.Series | dict) -> str:
    """Human name of a series: metric, subject and branch."""
    label = f"{METRIC_LABELS.get(row['metric'], row['metric'])} · {row['subject']}"
    branch = row.get("branch")
    if branch is not None and not pd.isna(branch):
        label += f" · {branch.replace('_', ' ')}"
    return label


def _basis_kind(basis: pd.Series) -> pd.Series:
    """Which figures may be compared: outturn, contract or outlook (forecast, target)."""
    kind = pd.Series("outturn", index=basis.index, dtype=object)
    kind[basis == "contract"] = "contract"
    kind[basis.isin(OUTLOOK_BASES)] = "outlook"
    return kind


def estimates_with_sources(ledger: Ledger) -> pd.DataFrame:
    """Every estimate with its source's publisher, title, URL, date and kind.

    Adds ``series`` (a readable name of what is measured), ``n_sources`` (how many
    rows give a figure for the same series and year), ``disagree`` (True when those
    rows give different values) and ``spread`` (max − min of those values).
    Outturns (reported, estimate) are compared among themselves, contract ceilings
    among themselves, and forecasts and targets among themselves: a ceiling above the
    outturn, or a forecast that missed, is not a dispute.
    """
    sources = ledger.sources.rename(columns={"note": "source_note", "title": "source_title", "url": "source_url", "kind": "source_kind"})
    frame = ledger.estimates.merge(sources, on="source_id", how="left", validate="many_to_one")
    frame["branch"] = frame["branch"].astype("object")
    kind = _basis_kind(frame["basis"]).rename("basis_kind")
    grouped = frame.groupby([*(frame[k] for k in GROUP_KEY), kind], dropna=False)["value"]
    frame["n_sources"] = grouped.transform("size").astype(int)
    frame["spread"] = grouped.transform("max") - grouped.transform("min")
    frame["disagree"] = frame["spread"] > 1e-9
    frame["series"] = [series_label(r) for r in frame[SERIES_KEY].to_dict("records")]
    frame = frame.sort_values(["topic", "series", "year", "value"], kind="stable").reset_index(drop=True)
    frame.attrs = {
        "title": "Flow estimates with their sources",
        "description": ledger.estimates.attrs.get("description", ""),
        "units": {"value": "see unit column", "low": "see unit column", "high": "see unit column"},
    }
    return frame


def _range_text(low: float, high: float) -> str:
    """A source's own range in words; blank when it gives none."""
    if pd.notna(low) and pd.notna(high):
        return f"{low:g}–{high:g}"
    if pd.notna(high):
        return f"up to {high:g}"
    if pd.notna(low):
        return f"at least {low:g}"
    return ""


#: Columns of :func:`estimates_table`, in the order the page shows them.
TABLE_COLUMNS = [
    "disagree",
    "series",
    "year",
    "value",
    "range",
    "unit",
    "basis",
    "publisher",
    "source_title",
    "source_url",
    "published",
    "note",
    "estimate_id",
]


def estimates_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The estimates as a reader sees them in a table.

    Parameters
    ----------
    frame
        Rows of :func:`estimates_with_sources`.

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS`: ``disagree`` is "⚠" or blank, ``range`` puts the
        source's low and high in words, ``basis`` is readable ("contract ceiling").
        A missing text is an empty string: a grid shows a missing value as "None".
    """
    table = pd.DataFrame(
        {
            "disagree": frame["disagree"].map({True: "⚠", False: ""}),
            "series": frame["series"],
            "year": frame["year"],
            "value": frame["value"],
            "range": [_range_text(lo, hi) for lo, hi in zip(frame["low"], frame["high"])],
            "unit": frame["unit"],
            "basis": frame["basis"].map(BASIS_LABELS).fillna(frame["basis"]),
            **{c: frame[c] for c in ("publisher", "source_title", "source_url", "published", "note", "estimate_id")},
        },
        index=frame.index,
    )
    numeric = {"year", "value"}
    for column in TABLE_COLUMNS:
        if column not in numeric:
            table[column] = table[column].astype(object).where(table[column].notna(), "").astype(str)
    return table


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


def _dodged_years(rows: pd.DataFrame) -> pd.Series:
    """Each row's x position: its year, nudged sideways when several sources give a figure that year.

    Two sources with the same value (two reprints of one ceiling) would otherwise hide
    one behind the other. Outturns come first, then by publisher, as in the legend.
    """
    x = rows["year"].astype(float)
    for _, index in rows.groupby("year").groups.items():
        if len(index) < 2:
            continue
        ordered = rows.loc[index].sort_values(["_outturn", "_publisher"], ascending=[False, True]).index
        step = min(0.16, 0.6 / (len(ordered) - 1))
        for i, row in enumerate(ordered):
            x[row] = x[row] + (i - (len(ordered) - 1) / 2) * step
    return x


def series_figure(
    rows: pd.DataFrame,
    title: str | None = None,
    *,
    years: tuple[int, int] | None = None,
    gaps: pd.DataFrame | None = None,
    today: date | None = None,
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
    """
    fig = new_figure()
    if rows.empty:
        fig.add_annotation(text="No estimate matches the filters", showarrow=False, font=dict(size=16))
        return base_layout(fig, title or "Estimates", "Sources: none")
    unit = "/".join(sorted(rows["unit"].unique()))
    row_years = {int(y) for y in rows["year"]}
    complete = last_full_year(today)
    if years is None:
        first, last = min(row_years), max(max(row_years), complete)
    else:
        first, last = min(years[0], min(row_years)), max(years[1], max(row_years))
    missing = [y for y in range(first, min(last, complete) + 1) if y not in row_years]

    values = pd.concat([rows["value"], rows["low"], rows["high"]]).dropna()
    top, bottom = max(float(values.max()), 0.0), min(float(values.min()), 0.0)
    span = (top - bottom) or 1.0
    below_zero = bottom - 0.06 * span

    colorway = list(REPORT_TEMPLATE.layout.colorway)
    publishers = sorted(rows["publisher"].astype(str).unique())
    colours = {p: colorway[i % len(colorway)] for i, p in enumerate(publishers)}
    basis_order = {b: i for i, b in enumerate(BASIS_LABELS)}
    keyed = rows.assign(_publisher=rows["publisher"].astype(str), _outturn=rows["basis"].isin(OUTTURN_BASES))
    keyed["_x"] = _dodged_years(keyed)
    # Legend order: outturns first, then what is not an outturn; by publisher within each.
    order = sorted(
        keyed.groupby(["_publisher", "basis"]).groups.items(),
        key=lambda kv: (kv[0][1] not in OUTTURN_BASES, kv[0][0], basis_order.get(kv[0][1], 99)),
    )
    entry_lines: list[int] = []
    for (publisher, basis), index in order:
        group = keyed.loc[index]
        outturn = basis in OUTTURN_BASES
        label = BASIS_LABELS.get(basis, str(basis))
        name = _wrap(publisher if basis == "reported" else f"{publisher} — {label}")
        entry_lines.append(name.count("<br>") + 1)
        colour = colours[publisher]
        has_range = group["low"].notna() | group["high"].notna()
        if outturn:
            marker = dict(size=11, symbol=BASIS_SYMBOLS[basis], color=colour, line=dict(width=1, color="#333333"))
        else:
            # Hollow: the outline carries the colour, thick enough to read at print size.
            marker = dict(size=13, symbol=BASIS_SYMBOLS.get(basis, "circle-open"), color=colour, line=dict(width=2, color=colour))
        fig.add_trace(
            go.Scatter(
                x=group["_x"],
                y=group["value"],
                mode="markers",
                name=name,
                marker=marker,
                cliponaxis=False,
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=(group["high"].fillna(group["value"]) - group["value"]).where(has_range, 0),
                    arrayminus=(group["value"] - group["low"].fillna(group["value"])).where(has_range, 0),
                    thickness=1.5 if outturn else 1,
                    width=4 if outturn else 8,
                    color=colour,
                ),
                customdata=list(
                    zip(
                        [label if outturn else f"{label}: not an outturn"] * len(group),
                        group["source_title"],
                        group["source_id"],
                        group["year"].astype(int),
                    )
                ),
                hovertemplate="%{customdata[3]}: <b>%{y:g} "
                + unit
                + "</b> (%{customdata[0]})<br>%{customdata[1]}<br>source: %{customdata[2]}<extra>"
                + publisher.replace("%", "%%")
                + "</extra>",
            )
        )

    for start, end in _runs(missing):
        fig.add_vrect(x0=start - 0.5, x1=end + 0.5, fillcolor="#9e9e9e", opacity=0.16, line_width=0, layer="below")
    if missing:
        metrics, subjects = set(rows["metric"]), set(rows["subject"])
        hover = []
        for year in missing:
            notes = _gap_notes(gaps, metrics, subjects, year)
            hover.append(f"<b>{year}: no published figure</b>" + "".join(f"<br>{note}" for note in notes))
        fig.add_trace(
            go.Scatter(
                x=missing,
                y=[below_zero] * len(missing),
                mode="markers",
                name=f"{NO_FIGURE_LABEL} (grey band)",
                marker=dict(symbol="x-thin-open", size=10, color="#757575", line=dict(width=2, color="#757575")),
                cliponaxis=False,
                text=hover,
                hovertemplate="%{text}<extra></extra>",
            )
        )
        entry_lines.append(1)
    disputed = sorted({int(y) for y in rows.loc[rows["disagree"], "year"]})
    for n, year in enumerate(disputed):
        fig.add_vrect(
            x0=year - 0.4,
            x1=year + 0.4,
            fillcolor="#fdae61",
            opacity=0.25,
            line_width=0,
            layer="below",
            name="Sources disagree (orange band)",
            showlegend=n == 0,
        )
    if disputed:
        entry_lines.append(1)

    label = title or rows["series"].iloc[0]
    fig = base_layout(fig, label, source_line(rows["source_id"], rows), footer_shift=-64)
    fig.update_xaxes(title_text="Year", range=[first - 0.6, last + 0.6], dtick=1 if last - first <= 24 else 2, tickformat="d")
    fig.update_yaxes(
        title_text=f"{METRIC_LABELS.get(rows['metric'].iloc[0], 'Value')} ({unit})",
        range=[bottom - 0.1 * span, top + 0.08 * span],
        zeroline=True,
        zerolinecolor="#bbbbbb",
    )
    # The legend sits above the plot in two columns, and the top margin is sized for the title plus
    # the legend: margins scale with the text when the figure is exported, so no name is cut or covered.
    rows_of_legend = [max(entry_lines[i : i + LEGEND_COLUMNS]) for i in range(0, len(entry_lines), LEGEND_COLUMNS)]
    legend_height = LEGEND_LINE_PX * (1 + sum(rows_of_legend)) + LEGEND_ROW_GAP_PX * len(rows_of_legend)
    fig.update_layout(
        height=380 + legend_height,
        margin_t=TITLE_PX + legend_height,
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
            title=dict(text=LEGEND_TITLE, side="top", font=dict(size=LEGEND_FONT)),
        ),
    )
    return fig
