"""Sources & estimates page: every figure with its source, disagreements marked."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from corridors.export import ExportContext
from corridors.ledger.user_data import MAX_USER_BYTES, UserDataError, read_user_files
from corridors.ui.common import (
    USER_DATA_KEY,
    USER_DEFAULTS_KEY,
    cached_ledger,
    chart_config,
    coded_selectbox,
    data_dir,
    ledger_or_stop,
    session_estimates,
    url_snapshot,
    user_data,
    warn_dropped_params,
)
from corridors.ui.downloads import chart_download_panel, table_downloads
from corridors.views.series import METRIC_LABELS, TABLE_COLUMNS, estimates_table, series_figure

#: The uploader of the reader's own figures, and where a refusal is kept until the next upload.
UPLOAD_KEY, UPLOAD_ROUND_KEY, REFUSED_KEY = "user_upload", "user_upload_round", "user_data_refused"


def _upload_key() -> str:
    return f"{UPLOAD_KEY}_{st.session_state.get(UPLOAD_ROUND_KEY, 0)}"


def _on_user_upload() -> None:
    """Take the uploaded files as a whole, or keep the layer as it was and record every problem.

    Either way the uploader is emptied, so the next upload is a set of its own and replaces
    the layer, rather than being added to files already taken.
    """
    st.session_state.pop(REFUSED_KEY, None)
    files = st.session_state.get(_upload_key()) or []
    if not files:
        return
    st.session_state[UPLOAD_ROUND_KEY] = st.session_state.get(UPLOAD_ROUND_KEY, 0) + 1
    try:
        layer = read_user_files({f.name: f.getvalue() for f in files}, cached_ledger(data_dir()))
    except UserDataError as err:
        st.session_state[REFUSED_KEY] = err.problems
        return
    st.session_state[USER_DATA_KEY] = layer


def _remove_user_data() -> None:
    for key in (USER_DATA_KEY, REFUSED_KEY, USER_DEFAULTS_KEY):
        st.session_state.pop(key, None)


def _user_data_panel() -> None:
    """Upload the reader's own figures: checked like the ledger, kept in this session, labelled wherever they appear."""
    user = user_data()
    title = f"Your data: {user.summary()}" if user is not None else "Add your own figures"
    # Built only when open (on_change="rerun"): closed, the uploader is not sent, and the page's first chart draws sooner.
    # Its label and opening state are part of its identity, so it opens by itself when data arrives or a file is refused.
    opened = user is not None or REFUSED_KEY in st.session_state
    panel = st.expander(title, expanded=opened, icon=":material/upload_file:", on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.caption(
            "CSV files in the ledger's formats: an estimates file (the columns of `estimates.csv`), and optionally the "
            "sources it cites (`sources.csv`'s columns) and links (`links.csv`'s). Each file is at most 5 MB and 20,000 rows. "
            "They are checked like the ledger and kept in this browser session only: never written into the ledger, not in "
            "shared links. Your rows are marked *user* in the origin column, drawn with ✕ markers and noted under every chart "
            "that shows them. On the Flows page, a switch lets the model's defaults take them."
        )
        st.file_uploader(
            "Your CSV files",
            type=["csv"],
            accept_multiple_files=True,
            key=_upload_key(),
            max_upload_size=MAX_UPLOAD_MB,
            help="Upload the estimates file together with the sources (and links) files it needs: each upload replaces your data.",
            on_change=_on_user_upload,
        )
        refused = st.session_state.get(REFUSED_KEY)
        if refused:
            kept = "Your earlier data is kept as it was." if user is not None else "Nothing was added."
            st.error(f"Your files were refused ({len(refused)} problem(s)); {kept} Fix these and upload again:", icon=":material/error:")
            st.dataframe(
                pd.DataFrame([{"file": p.file, "line": p.row, "column": p.column, "problem": p.message} for p in refused]),
                hide_index=True,
                width="stretch",
            )
        if user is not None:
            st.success(f"Your data is shown beside the ledger's: {user.summary()}.", icon=":material/check_circle:")
            if len(user.links):
                st.caption("Your links (shown here; the flow model's network stays the ledger's):")
                st.dataframe(user.links, hide_index=True, width="stretch")
            st.button("Remove your data", key="user_remove", on_click=_remove_user_data, icon=":material/delete:")


#: The uploader lets a file a little over the limit through, so that our own message, which names the limit, refuses it.
MAX_UPLOAD_MB = MAX_USER_BYTES // 1_000_000 + 1


def _metric_label(metric: str) -> str:
    return "all" if metric == "all" else METRIC_LABELS.get(metric, metric.replace("_", " "))


def _metric_filter(options: list[str]) -> str:
    """The Metric filter: the reader sees names, the URL keeps the codes (``?est_metric=gas_imports``)."""
    return coded_selectbox("Metric", options, "est_metric", _metric_label, default="all")


def _estimates_table(pool: pd.DataFrame) -> None:
    """The estimates the filters keep, each with its source, and how many series-years the sources disagree on."""
    n_groups = pool.loc[pool["disagree"], ["series", "year"]].drop_duplicates().shape[0]
    st.markdown(f"**{len(pool)} estimates** from {pool['source_id'].nunique()} sources; sources disagree on **{n_groups}** series-years.")
    st.dataframe(
        estimates_table(pool)[TABLE_COLUMNS],
        hide_index=True,
        width="stretch",
        column_config={
            "disagree": st.column_config.TextColumn("⚠", help="Sources disagree on this series and year", width="small"),
            "origin": st.column_config.TextColumn("Origin", help="ledger: the shipped ledger's; user: your own uploaded figure"),
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


def render() -> None:
    ledger, _ = ledger_or_stop()
    st.title("Sources & estimates")
    st.caption(
        "Every published figure in the ledger, joined to its source. Where two sources give different values for "
        "the same quantity and year, both rows stay and are marked ⚠."
    )
    _user_data_panel()
    frame = session_estimates()
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
    # Laid out in reading order (the table, then the chart) but filled chart first: the chart is the page's first
    # figure, and the browser starts loading plotly only once a chart arrives.
    table_box = st.container()
    st.subheader("One series over the years")
    series_options = pool["series"].value_counts().index.tolist()
    if not series_options:
        st.info("No estimate matches the filters.")
    else:
        series = st.selectbox("Series", series_options, key="est_series", bind="query-params", help="Series with the most estimates first.")
        rows = pool[pool["series"] == series]
        # Unchecked by plotly (for speed), as the maps are: the tests hold it equal to the checked build.
        figure = series_figure(rows, years=(low, high), gaps=ledger.gaps, validate=False)
        st.plotly_chart(figure, theme=None, config=chart_config("corridors-estimates"), key="series_chart")
        chart_download_panel(
            figure,
            "estimates",
            ExportContext(f"Ledger estimates: {series}", int(rows["year"].max())),
            "dl_series",
            version=f"{topic}{metric}{branch}{low}{high}{only_disputed}{series}",
        )
    with table_box:
        _estimates_table(pool)
    metric_shown = metric if metric == "all" else f"{_metric_label(metric)} ({metric})"
    filters = pd.DataFrame(
        [("topic", topic), ("metric", metric_shown), ("branch", branch), ("years", f"{low}–{high}"), ("only disputed", only_disputed)],
        columns=["filter", "value"],
    )
    table_downloads({"estimates": pool}, ledger.all_sources, filters, "corridors-estimates", "dl_estimates")
    gaps = st.expander(f"What is not public ({len(ledger.gaps)} known gaps)", on_change="rerun")
    if gaps.open:  # built only when open, like the upload panel
        # A gap without a source page shows a blank, not the grid's "None".
        gaps.dataframe(ledger.gaps.fillna({"source_ids": ""}), hide_index=True, width="stretch")
