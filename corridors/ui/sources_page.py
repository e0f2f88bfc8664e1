"""Sources & estimates page: every figure with its source, disagreements marked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from corridors.export import ExportContext
from corridors.ui.common import cached_ledger, chart_config, data_dir, ledger_or_stop, url_snapshot, warn_dropped_params
from corridors.ui.downloads import chart_download_panel, table_downloads
from corridors.views.series import METRIC_LABELS, TABLE_COLUMNS, estimates_table, estimates_with_sources, series_figure


@st.cache_data(show_spinner=False)
def _estimates(data_dir: str | None) -> pd.DataFrame:
    return estimates_with_sources(cached_ledger(data_dir))


def _metric_label(metric: str) -> str:
    return "all" if metric == "all" else METRIC_LABELS.get(metric, metric.replace("_", " "))


def _metric_filter(options: list[str]) -> str:
    """The Metric filter: the reader sees names, the URL keeps the codes (``?est_metric=gas_imports``).

    A selectbox bound to the URL writes its *shown* label there, so this one is synced
    by hand: a code from the URL seeds it once, and its code goes back after each run.
    """
    given = st.query_params.get("est_metric")
    if "est_metric" not in st.session_state and given in options:
        st.session_state["est_metric"] = given
    if st.session_state.get("est_metric") not in options:
        # A topic change can leave the chosen metric without rows.
        st.session_state["est_metric"] = "all"
    metric = st.selectbox("Metric", options, key="est_metric", format_func=_metric_label)
    if metric == "all":
        st.query_params.pop("est_metric", None)
    else:
        st.query_params["est_metric"] = metric
    return metric


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
        metric = _metric_filter(["all", *sorted(pool["metric"].unique(), key=_metric_label)])
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
        estimates_table(pool)[TABLE_COLUMNS],
        hide_index=True,
        width="stretch",
        column_config={
            "disagree": st.column_config.TextColumn("⚠", help="Sources disagree on this series and year", width="small"),
            "series": st.column_config.TextColumn("Series"),
            "year": st.column_config.NumberColumn("Year", format="%d"),
            # Plain: rounding would make 30.59 and 30.6, which disagree, look alike.
            "value": st.column_config.NumberColumn("Value", format="plain"),
            "range": st.column_config.TextColumn("Source's range", help="Low–high as the source gives it; blank when it gives one figure"),
            "unit": st.column_config.TextColumn("Unit"),
            "basis": st.column_config.TextColumn("Basis", help="Contract ceilings, forecasts and targets are not outturns"),
            "publisher": st.column_config.TextColumn("Publisher"),
            "source_title": st.column_config.TextColumn("Source title", width="medium"),
            "source_url": st.column_config.LinkColumn("Source link", display_text="open"),
            "published": st.column_config.TextColumn("Published"),
            "note": st.column_config.TextColumn("Note"),
            "estimate_id": st.column_config.TextColumn("Estimate id"),
        },
    )
    st.subheader("One series over the years")
    series_options = pool["series"].value_counts().index.tolist()
    if not series_options:
        st.info("No estimate matches the filters.")
    else:
        series = st.selectbox("Series", series_options, key="est_series", bind="query-params", help="Series with the most estimates first.")
        rows = pool[pool["series"] == series]
        figure = series_figure(rows, years=(low, high), gaps=ledger.gaps)
        st.plotly_chart(figure, theme=None, config=chart_config("corridors-estimates"), key="series_chart")
        chart_download_panel(
            figure,
            "estimates",
            ExportContext(f"Ledger estimates: {series}", int(rows["year"].max())),
            "dl_series",
            version=f"{topic}{metric}{branch}{low}{high}{only_disputed}{series}",
        )
    metric_shown = metric if metric == "all" else f"{_metric_label(metric)} ({metric})"
    filters = pd.DataFrame(
        [("topic", topic), ("metric", metric_shown), ("branch", branch), ("years", f"{low}–{high}"), ("only disputed", only_disputed)],
        columns=["filter", "value"],
    )
    table_downloads({"estimates": pool}, ledger.sources, filters, "corridors-estimates", "dl_estimates")
    with st.expander(f"What is not public ({len(ledger.gaps)} known gaps)"):
        # A gap without a source page shows a blank, not the grid's "None".
        st.dataframe(ledger.gaps.fillna({"source_ids": ""}), hide_index=True, width="stretch")
