"""Sources & estimates page: every figure with its source, disagreements marked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from corridors.estimates import estimates_with_sources, series_figure
from corridors.export import ExportContext
from corridors.plotting import plotly_config
from corridors.ui.common import cached_ledger, data_dir, ledger_or_stop, url_snapshot, warn_dropped_params
from corridors.ui.downloads import chart_download_panel, table_downloads

TABLE_COLUMNS = [
    "disagree",
    "series",
    "year",
    "value",
    "low",
    "high",
    "unit",
    "basis",
    "publisher",
    "source_title",
    "source_url",
    "published",
    "note",
    "estimate_id",
]


@st.cache_data(show_spinner=False)
def _estimates(data_dir: str | None) -> pd.DataFrame:
    return estimates_with_sources(cached_ledger(data_dir))


def render() -> None:
    ledger, _ = ledger_or_stop()
    st.title("Sources & estimates")
    st.caption(
        "Every published figure in the ledger, joined to its source. Where two sources give different values for "
        "the same quantity and year, both rows stay and are marked ⚠."
    )
    frame = _estimates(data_dir())
    incoming = url_snapshot()
    with st.container(horizontal=True):
        topic = st.selectbox("Topic", ["all", *sorted(frame["topic"].unique())], key="est_topic", bind="query-params")
        pool = frame if topic == "all" else frame[frame["topic"] == topic]
        metric = st.selectbox("Metric", ["all", *sorted(pool["metric"].unique())], key="est_metric", bind="query-params")
        pool = pool if metric == "all" else pool[pool["metric"] == metric]
        branches = sorted(pool["branch"].dropna().unique())
        branch = st.selectbox("Branch", ["all", *branches], key="est_branch", bind="query-params", disabled=not branches)
        pool = pool if branch == "all" or not branches else pool[pool["branch"] == branch]
    years = sorted(int(y) for y in frame["year"].unique())
    low, high = st.slider(
        "Years", min_value=years[0], max_value=years[-1], value=(max(years[0], 2018), years[-1]), key="est_years", bind="query-params"
    )
    pool = pool[(pool["year"] >= low) & (pool["year"] <= high)]
    only_disputed = st.toggle("Only rows where sources disagree", key="est_disputed", bind="query-params")
    warn_dropped_params(incoming, ["est_topic", "est_metric", "est_branch", "est_years", "est_disputed"])
    if only_disputed:
        pool = pool[pool["disagree"]]
    n_groups = pool.loc[pool["disagree"], ["series", "year"]].drop_duplicates().shape[0]
    st.markdown(f"**{len(pool)} estimates** from {pool['source_id'].nunique()} sources; sources disagree on **{n_groups}** series-years.")
    st.dataframe(
        pool[TABLE_COLUMNS].assign(disagree=pool["disagree"].map({True: "⚠", False: ""})),
        hide_index=True,
        width="stretch",
        column_config={
            "disagree": st.column_config.TextColumn("⚠", help="Sources disagree on this series and year", width="small"),
            "source_url": st.column_config.LinkColumn("Source link", display_text="open"),
            "source_title": st.column_config.TextColumn("Source title", width="medium"),
            "value": st.column_config.NumberColumn("Value", format="%.3g"),
        },
    )
    st.subheader("One series over the years")
    series_options = pool["series"].value_counts().index.tolist()
    if not series_options:
        st.info("No estimate matches the filters.")
    else:
        series = st.selectbox("Series", series_options, key="est_series", bind="query-params", help="Series with the most estimates first.")
        rows = pool[pool["series"] == series]
        figure = series_figure(rows)
        st.plotly_chart(figure, theme=None, config=plotly_config("corridors-estimates"), key="series_chart")
        chart_download_panel(
            figure,
            "estimates",
            ExportContext(f"Ledger estimates: {series}", int(rows["year"].max())),
            "dl_series",
            version=f"{topic}{metric}{branch}{low}{high}{only_disputed}{series}",
        )
    filters = pd.DataFrame(
        [("topic", topic), ("metric", metric), ("branch", branch), ("years", f"{low}–{high}"), ("only disputed", only_disputed)],
        columns=["filter", "value"],
    )
    table_downloads({"estimates": pool}, ledger.sources, filters, "corridors-estimates", "dl_estimates")
    with st.expander(f"What is not public ({len(ledger.gaps)} known gaps)"):
        st.dataframe(ledger.gaps, hide_index=True, width="stretch")
