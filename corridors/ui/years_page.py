"""Years page: one indicator over the years from the model's baseline, beside the published figures and the events."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from corridors.export import ExportContext
from corridors.ledger.load import Ledger
from corridors.ledger.wiring import SeriesRef
from corridors.model.projection import GROWTH_DEFAULT, GROWTH_NOTE, GROWTH_RANGE, Projection, growth_groups, last_full_year, projected
from corridors.model.solve import model_of
from corridors.model.timeline import events_frame, timeline_span, year_assumptions
from corridors.ui import uncertainty_panel
from corridors.ui.common import (
    chart_config,
    coded_selectbox,
    data_dir,
    ledger_or_stop,
    session_estimates,
    url_snapshot,
    user_layer_key,
    warn_dropped_params,
)
from corridors.ui.downloads import chart_download_panel, table_downloads
from corridors.views.style import source_line
from corridors.views.years import years_figure


def growth_key(group: str) -> str:
    """The URL parameter (and widget key) of a group's growth rate: ``yr_growth_gas_demand``."""
    return "yr_growth_" + "".join(c if c.isalnum() else "_" for c in group.lower())


@st.cache_data(show_spinner="Solving every year…", max_entries=64)
def _solved(
    data_key: str | None, layer_key: str, years: tuple[int, int], growth: tuple[tuple[str, float], ...], start: int, _ledger: Ledger, _graph
) -> pd.DataFrame:
    """Every indicator for each year from ``years[0]`` to ``years[1]`` (plain data: no session can change another's copy)."""
    model, projection = model_of(_graph), Projection(start, dict(growth))
    rows = []
    for year in range(years[0], years[1] + 1):
        result = model.solve(projected(_ledger.wiring, year_assumptions(_ledger, year), projection))
        rows.append({"year": year, **{k: float(v) for k, v in result.indicators.items()}})
    return pd.DataFrame(rows)


def _years(data_key: str | None, layer_key: str, growth: tuple[tuple[str, float], ...], start: int, ledger: Ledger, graph) -> pd.DataFrame:
    """The span's years: those up to the projection's start do not depend on the growth rates, so a rate change re-solves only the rest."""
    first, last = timeline_span(ledger)
    parts = [_solved(data_key, layer_key, (first, min(start, last)), (), start, ledger, graph)]
    if last > start:
        parts.append(_solved(data_key, layer_key, (max(start + 1, first), last), growth, start, ledger, graph))
    return pd.concat(parts, ignore_index=True)


def _intervals(ledger: Ledger, frame: pd.DataFrame, indicator: str, projection: Projection) -> pd.DataFrame:
    """P10/P90 for the years whose exact scenario a page has already drawn (the Flows page's runs); blank elsewhere."""
    p10, p90 = [], []
    for year in frame["year"]:
        run = uncertainty_panel.kept_run(
            data_dir(), projected(ledger.wiring, year_assumptions(ledger, int(year)), projection), user_layer_key()
        )
        found = run.intervals() if run is not None else None
        has = found is not None and indicator in found.index
        p10.append(float(found.loc[indicator, "p10"]) if has else None)
        p90.append(float(found.loc[indicator, "p90"]) if has else None)
    return frame.assign(p10=p10, p90=p90)


def _growth_controls(groups: list[str], start: int) -> dict[str, float]:
    low, high = GROWTH_RANGE
    st.caption(f"**Projection after {start}.** " + GROWTH_NOTE.format(low=low, high=high))
    rates = {}
    with st.container(horizontal=True):
        for group in groups:
            rates[group] = st.slider(
                f"{group}: growth after {start} (%/yr)",
                min_value=low,
                max_value=high,
                value=GROWTH_DEFAULT,
                step=0.5,
                key=growth_key(group),
                bind="query-params",
                help=f"Each {group.lower()} figure grows at this rate a year from {start}, within its own bounds. A labelled "
                "assumption: no source gives it.",
            )
    return rates


def render() -> None:
    ledger, graph = ledger_or_stop()
    wiring = ledger.wiring
    st.title("Through the years")
    start = last_full_year()
    first, last = timeline_span(ledger)
    st.caption(
        f"An indicator from {first} to {last}: each year is the model's baseline for that year (the ledger's figures for the "
        "year, or the latest before it), beside what the sources published, one marker per source, and the events that "
        f"mark the turns (hover a ▼). Years after {start} are projections."
    )
    indicators = wiring.indicators.set_index("indicator")
    incoming = url_snapshot()
    indicator = coded_selectbox(
        "Indicator",
        list(indicators.index),
        "yr_indicator",
        lambda k: f"{indicators.loc[k, 'label']} ({indicators.loc[k, 'unit']})",
        default=wiring.headline[0] if wiring.headline else None,
    )
    groups = growth_groups(ledger)
    rates = _growth_controls(groups, start)
    warn_dropped_params(incoming, [growth_key(g) for g in groups])
    projection = Projection(start, {g: float(r) for g, r in rates.items() if r})
    try:
        frame = _years(data_dir(), user_layer_key(), tuple(sorted(projection.growth.items())), start, ledger, graph)
    except ValidationError as err:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
        st.error(f"These growth rates break one of the model's rules: {problems}. Showing the flat carry-forward.", icon=":material/error:")
        projection = Projection(start, {})
        frame = _years(data_dir(), user_layer_key(), (), start, ledger, graph)
    label, unit = str(indicators.loc[indicator, "label"]), str(indicators.loc[indicator, "unit"])
    model = _intervals(ledger, frame[["year", indicator]].rename(columns={indicator: "value"}), indicator, projection)
    published = None
    series = indicators.loc[indicator, "published_series"]
    if isinstance(series, str) and series:
        ref = SeriesRef.parse(series)
        estimates = session_estimates()
        published = estimates[(estimates["metric"] == ref.metric) & (estimates["subject"] == ref.subject)]
        if ref.branch is not None:
            published = published[published["branch"] == ref.branch]
    events = events_frame(ledger, first, last)
    ids = [*events["source_id"], *([] if published is None else published["source_id"])]
    footer = f"Model baseline year by year; {projection.describe()} " + source_line(ids, ledger.all_sources)
    figure = years_figure(model, label, unit, projection, published=published, events=events, gaps=ledger.gaps, footer=footer)
    st.plotly_chart(figure, theme=None, config=chart_config("corridors-years"), key="years_chart")
    context = ExportContext(f"Years {first}–{last}: {label}", last)
    chart_download_panel(figure, "years", context, "dl_years", version=f"{indicator}{sorted(projection.growth.items())}{user_layer_key()}")
    if model["p10"].isna().all():
        st.caption("No interval yet: the 80 % interval appears for the years whose baseline the Flows page has drawn.")
    st.subheader("Every indicator, year by year")
    labels = {k: f"{indicators.loc[k, 'label']} ({indicators.loc[k, 'unit']})" for k in indicators.index if k in frame.columns}
    table = frame.rename(columns=labels)
    table.insert(1, "projection", frame["year"] > start)
    table.attrs = {"title": f"Indicators by year, {first}–{last} ({projection.describe()})"}
    st.dataframe(table, hide_index=True, width="stretch", column_config={"year": st.column_config.NumberColumn(format="%d")})
    event_table = events[["date", "title", "kind", "publisher", "source_id", "url"]]
    event_table.attrs = {"title": "Events, with their sources"}
    with st.expander(f"Events ({len(events)}), with their sources"):
        st.dataframe(
            event_table,
            hide_index=True,
            width="stretch",
            column_config={"url": st.column_config.LinkColumn("Source link", display_text="open")},
        )
    assumptions = pd.DataFrame(
        [("projection starts after", start), *((f"growth: {g} (%/yr)", rates[g]) for g in groups)], columns=["assumption", "value"]
    )
    table_downloads(
        {"years": table, "events": event_table}, ledger.all_sources, assumptions, f"corridors-years-{first}-{last}", "dl_years_tables"
    )
