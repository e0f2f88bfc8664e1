"""The estimates joined to their sources, with disagreements between sources marked."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from corridors.io import Ledger
from corridors.plotting import base_layout, new_figure, source_line

#: Rows that describe the same quantity: sources disagree when these match and values differ.
SERIES_KEY = ["topic", "metric", "subject", "branch"]
GROUP_KEY = [*SERIES_KEY, "year"]
#: Within a group, outturns are compared with outturns, forecasts and targets with each other.
OUTLOOK_BASES = ("forecast", "target")
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


def estimates_with_sources(ledger: Ledger) -> pd.DataFrame:
    """Every estimate with its source's publisher, title, URL, date and kind.

    Adds ``series`` (a readable name of what is measured), ``n_sources`` (how many
    rows give a figure for the same series and year), ``disagree`` (True when those
    rows give different values) and ``spread`` (max − min of those values).
    Outturns (reported, estimate, contract) are compared among themselves, and
    forecasts and targets among themselves: a forecast that missed is not a dispute.
    """
    sources = ledger.sources.rename(columns={"note": "source_note", "title": "source_title", "url": "source_url", "kind": "source_kind"})
    frame = ledger.estimates.merge(sources, on="source_id", how="left", validate="many_to_one")
    frame["branch"] = frame["branch"].astype("object")
    outlook = frame["basis"].isin(OUTLOOK_BASES).rename("outlook")
    grouped = frame.groupby([*(frame[k] for k in GROUP_KEY), outlook], dropna=False)["value"]
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


def series_figure(rows: pd.DataFrame, title: str | None = None) -> go.Figure:
    """One series over the years, one marker per source, low–high as error bars.

    Parameters
    ----------
    rows
        Rows of :func:`estimates_with_sources` for a single ``series``.
    """
    fig = new_figure()
    if rows.empty:
        fig.add_annotation(text="No estimate matches the filters", showarrow=False, font=dict(size=16))
        return base_layout(fig, title or "Estimates", "Sources: none")
    unit = "/".join(sorted(rows["unit"].unique()))
    symbols = {
        "reported": "circle",
        "forecast": "diamond-open",
        "target": "star-open",
        "estimate": "square-open",
        "contract": "triangle-up-open",
    }
    for publisher, group in rows.groupby("publisher", sort=True):
        has_range = group["low"].notna() | group["high"].notna()
        fig.add_trace(
            go.Scatter(
                x=group["year"],
                y=group["value"],
                mode="markers",
                name=str(publisher)[:48],
                marker=dict(size=11, symbol=[symbols.get(b, "circle") for b in group["basis"]], line=dict(width=1.5)),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=(group["high"].fillna(group["value"]) - group["value"]).where(has_range, 0),
                    arrayminus=(group["value"] - group["low"].fillna(group["value"])).where(has_range, 0),
                    thickness=1.5,
                ),
                customdata=group[["basis", "source_title", "source_id"]].to_numpy(),
                hovertemplate="%{x}: <b>%{y:g} "
                + unit
                + "</b> (%{customdata[0]})<br>%{customdata[1]}<br>source: %{customdata[2]}<extra>%{fullData.name}</extra>",
            )
        )
    disputed = rows.loc[rows["disagree"], "year"].unique()
    for year in disputed:
        fig.add_vrect(x0=year - 0.4, x1=year + 0.4, fillcolor="#fdae61", opacity=0.18, line_width=0)
    label = title or rows["series"].iloc[0]
    fig = base_layout(fig, label, source_line(rows["source_id"], rows), footer_shift=-64)
    fig.update_xaxes(title_text="Year", dtick=1, tickformat="d")
    fig.update_yaxes(title_text=f"{METRIC_LABELS.get(rows['metric'].iloc[0], 'Value')} ({unit})", rangemode="tozero")
    fig.update_layout(height=460, legend_title_text="Publisher (shaded years: sources disagree)")
    return fig
