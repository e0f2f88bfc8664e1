"""Flows & what-if page: sliders in, flows, utilisation, bottlenecks and indicators out.

State lives in ``st.session_state``. Each assumption has two widgets, a slider
(``a_<name>``) and a number input (``n_<name>``); each one's callback copies its
value to the other. Anything that sets the scenario from outside the widgets (a
named scenario, Reset, an uploaded file, a year change) runs as a widget callback:
callbacks run before any widget is drawn, the only time Streamlit lets a widget's
value be set. The URL is written at the top of every run, before anything that
could stop the run, so the link always matches what the run renders.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from corridors.export import (
    DEFAULT_BASE_URL,
    ExportContext,
    ScenarioExport,
    assumptions_table,
    permalink,
    scenario_figures,
    scenario_tables,
)
from corridors.ledger.wiring import AssumptionsBase as Assumptions
from corridors.ledger.wiring import Wiring
from corridors.model import FlowResult, solve
from corridors.model.backtest import backtest, record_years
from corridors.model.baseline import Baseline, baseline
from corridors.model.explain import explain_unmet, format_indicator, indicator_delta, shortfalls
from corridors.model.scenarios import (
    ScenarioError,
    dump_scenario,
    from_query,
    parse_scenario,
    same_assumptions,
    scenario_label,
    shipped_scenarios,
    to_query,
)
from corridors.ui.common import cached_graph, cached_ledger, data_dir, ledger_or_stop
from corridors.ui.downloads import chart_download_panel, report_panel, table_downloads
from corridors.views.style import plotly_config
from corridors.views.tables import balance_table, link_flow_table, market_table

PREFIX = "a_"
NUMBER_PREFIX = "n_"
FROM_LINK = "Custom (from link)"


@st.cache_data(show_spinner="Holding the baseline against the published record…", max_entries=8)
def _backtest(data_dir: str | None) -> pd.DataFrame | None:
    # Plain data (pickled per call), so no session can change another's copy.
    ledger = cached_ledger(data_dir)
    span = record_years(ledger)
    return None if span is None else backtest(ledger, cached_graph(data_dir), *span)


def _past(data_dir: str | None) -> None:
    """How well the baseline reproduces the published record: misses first, with why."""
    table = _backtest(data_dir)
    if table is None:
        return
    checked = table[table["inside"].notna()]
    misses = int(checked["inside"].map(lambda v: v is False).sum())
    with st.expander(
        f"How well the model reproduces the past: {misses} of {len(checked)} published figures missed", icon=":material/history:"
    ):
        st.caption(
            "Each year's baseline held against the published outturns (contracts and forecasts left out). Inside means within "
            "the published range, or within ±5 % of a single figure. Misses come first, with the reason; `python -m corridors "
            "backtest` prints the same table."
        )
        shown = table.assign(inside=table["inside"].map({True: "yes", False: "no", None: "no figure"}))
        st.dataframe(
            shown.drop(columns=["source_ids"]),
            hide_index=True,
            width="stretch",
            column_config={
                "year": st.column_config.NumberColumn(format="%d"),
                **{c: st.column_config.NumberColumn(format="%.2f") for c in ("published_min", "published_max", "model")},
            },
        )


@st.cache_resource(show_spinner=False, max_entries=64)
def _baseline(data_dir: str | None, year: int) -> Baseline:
    # A resource, not data: the scenario model is built from the ledger at run time and cannot be pickled.
    # Baselines are never changed after they are made, so sessions can share them.
    return baseline(cached_ledger(data_dir), year)


def _wiring(folder: str | None = None) -> Wiring:
    """The model wiring of the ledger shown (``folder``: its data folder, when a callback knows it)."""
    return cached_ledger(folder if folder is not None else data_dir()).wiring


def _key(name: str) -> str:
    return PREFIX + name


def _number_key(name: str) -> str:
    return NUMBER_PREFIX + name


def _set_widgets(values: Assumptions) -> None:
    """Put a scenario into both widgets of each assumption. Only from a callback or before the widgets are drawn."""
    for name, value in values.model_dump().items():
        st.session_state[_key(name)] = value
        if name != "year":
            st.session_state[_number_key(name)] = value


def _current() -> dict:
    return {name: st.session_state[_key(name)] for name in _wiring().assumption_model.model_fields if _key(name) in st.session_state}


def _write_url(assumptions: Assumptions, base: Assumptions) -> None:
    """The URL for ``assumptions``; sent only when it differs from the browser's (repeated keys count as different)."""
    wanted = to_query(assumptions, base)
    have = {key: st.query_params.get_all(key) for key in st.query_params}
    if have != {key: [value] for key, value in wanted.items()}:
        st.query_params.from_dict(wanted)


def _apply(values: Assumptions, name: str, data_dir: str | None) -> None:
    """Make ``values`` the scenario, named ``name``: widgets, name, URL. For callbacks."""
    _set_widgets(values)
    st.session_state["flows_year_seen"] = values.year
    st.session_state["flows_scenario_name"] = name
    st.session_state["flows_named_for"] = values.model_dump()
    st.session_state["flows_values"] = values.model_dump()
    _write_url(values, _baseline(data_dir, values.year).assumptions)


def _init_state() -> None:
    """Scenario state: read from the URL on a session's first visit, then kept across pages.

    Streamlit forgets a widget's value when a page without that widget runs, so the
    scenario is also kept in ``flows_values`` (not a widget key) and restored from
    there when the user comes back to this page.
    """
    if "flows_values" not in st.session_state:
        ledger, _ = ledger_or_stop()
        # get_all: a parameter given twice is warned about, not silently resolved.
        assumptions, warnings = from_query({key: st.query_params.get_all(key) for key in st.query_params}, ledger)
        st.session_state["flows_values"] = assumptions.model_dump()
        st.session_state["flows_warnings"] = warnings
        at_baseline = same_assumptions(assumptions, _baseline(data_dir(), assumptions.year).assumptions)
        st.session_state["flows_scenario_name"] = "Baseline" if at_baseline else FROM_LINK
        st.session_state["flows_named_for"] = assumptions.model_dump()
    for name, value in st.session_state["flows_values"].items():
        if _key(name) not in st.session_state:
            st.session_state[_key(name)] = value
        if name != "year" and _number_key(name) not in st.session_state:
            st.session_state[_number_key(name)] = value


def _on_slider(name: str) -> None:
    st.session_state[_number_key(name)] = st.session_state[_key(name)]


def _on_number(name: str) -> None:
    value = st.session_state.get(_number_key(name))
    if value is None:  # an emptied box: keep the slider's value rather than a blank assumption
        st.session_state[_number_key(name)] = st.session_state[_key(name)]
        return
    st.session_state[_key(name)] = value


def _on_year_change(data_dir: str | None) -> None:
    """Fields still at the old year's baseline follow the new year; the user's own changes stay."""
    new_year = st.session_state[_key("year")]
    old_year = st.session_state.get("flows_year_seen", new_year)
    old, new = _baseline(data_dir, old_year).assumptions, _baseline(data_dir, new_year).assumptions
    for name in _wiring(data_dir).parameter_names():
        if math.isclose(st.session_state[_key(name)], getattr(old, name), abs_tol=1e-9):
            st.session_state[_key(name)] = getattr(new, name)
            st.session_state[_number_key(name)] = getattr(new, name)
    st.session_state["flows_year_seen"] = new_year


def _reset(data_dir: str | None) -> None:
    _apply(_baseline(data_dir, st.session_state[_key("year")]).assumptions, "Baseline", data_dir)


def _load_named(data_dir: str | None) -> None:
    choice = st.session_state["flows_pick"]
    if choice == "—":
        return
    ledger = cached_ledger(data_dir)
    scenario = shipped_scenarios(ledger)[choice]
    try:
        values = scenario.assumptions(ledger)
    except ScenarioError as err:  # a shipped file that no longer fits the ledger's bounds: say so, change nothing
        st.session_state["flows_file_error"] = (err.where, err.problems)
        return
    _apply(values, scenario.name, data_dir)


def _on_upload(data_dir: str | None) -> None:
    """Apply an uploaded scenario as a whole, or keep everything as it was and record why not."""
    st.session_state.pop("flows_file_error", None)
    upload = st.session_state.get("flows_upload")
    if upload is None:  # the file was removed from the uploader: nothing to apply
        return
    try:
        scenario = parse_scenario(upload.getvalue(), upload.name, _wiring(data_dir))
        values = scenario.assumptions(cached_ledger(data_dir))
    except ScenarioError as err:
        st.session_state["flows_file_error"] = (err.where, err.problems)
        return
    _apply(values, scenario.name, data_dir)


def _assumption_widgets(name: str, help_text: str) -> None:
    """A slider for sweeping and a number box for typing an exact value, side by side and kept in sync.

    The label is written once, across the sidebar's width, so it does not wrap in the
    narrow column; both widgets keep it as their accessible name (the box's ends in "value").
    """
    info = _wiring().parameter_info(name)
    label = f"{info['label']} ({info['unit']})"
    is_int = info["integer"]
    cast = int if is_int else float
    low, high, step = cast(info["minimum"]), cast(info["maximum"]), cast(1 if is_int else info["step"])
    st.markdown(f"<small>{label}</small>", help=help_text, unsafe_allow_html=True)
    wide, narrow = st.columns([2, 1], vertical_alignment="center", gap="small")
    wide.slider(label, low, high, step=step, key=_key(name), on_change=_on_slider, args=(name,), label_visibility="collapsed")
    narrow.number_input(
        f"{label} value",
        low,
        high,
        step=step,
        key=_number_key(name),
        format="%d" if is_int else "%g",
        on_change=_on_number,
        args=(name,),
        label_visibility="collapsed",
    )


def _sidebar(data_dir: str | None, base: Baseline) -> None:
    ledger = cached_ledger(data_dir)
    sources, wiring = ledger.sources, ledger.wiring
    publisher = dict(zip(sources["source_id"], sources["publisher"]))
    links = dict(zip(sources["source_id"], sources["url"]))
    with st.sidebar:
        st.header("Assumptions")
        named = shipped_scenarios(ledger)
        options = ["—", *named]
        st.selectbox(
            "Load a named scenario",
            options,
            key="flows_pick",
            on_change=_load_named,
            args=(data_dir,),
            format_func=lambda k: k if k == "—" else named[k].name,
        )
        year = wiring.parameter_info("year")
        st.slider(
            "Year",
            year["minimum"],
            year["maximum"],
            key=_key("year"),
            on_change=_on_year_change,
            args=(data_dir,),
            help="Demands and supplies default to the ledger's figures for this year (or the latest year before it).",
        )
        st.button(
            "Reset to baseline",
            key="flows_reset",
            on_click=_reset,
            args=(data_dir,),
            icon=":material/restart_alt:",
            help="Every assumption back to its default for the selected year.",
        )
        for position, group in enumerate(wiring.groups):
            with st.expander(group, expanded=position < 2):
                for name in wiring.parameter_names(group):
                    info = wiring.parameter_info(name)
                    prov = base.provenance.get(name)
                    default = getattr(base.assumptions, name)
                    help_text = f"{info['help']}\n\nDefault {default:g} {info['unit']}. {prov.describe() if prov else ''}"
                    if prov and prov.source_ids:
                        help_text += "\n\n" + "; ".join(
                            f"[{publisher.get(i, i)}]({links.get(i, '')})" for i in dict.fromkeys(prov.source_ids)
                        )
                    _assumption_widgets(name, help_text)


def _scenario_files(assumptions: Assumptions, name: str, data_dir: str | None) -> None:
    with st.sidebar:
        st.divider()
        st.download_button(
            "Download scenario (YAML)",
            dump_scenario(assumptions, name),
            file_name="corridors-scenario.yaml",
            mime="application/x-yaml",
            on_click="ignore",
            icon=":material/download:",
        )
        st.file_uploader(
            "Upload a scenario (YAML)",
            type=["yaml", "yml"],
            key="flows_upload",
            max_upload_size=1,
            on_change=_on_upload,
            args=(data_dir,),
        )
        refused = st.session_state.get("flows_file_error")
        if refused:
            where, problems = refused
            listed = "\n".join(f"- {_md_escape(p)}" for p in problems)
            st.error(
                f"Scenario file `{where}` refused, nothing was changed. "
                f"{'Its problem' if len(problems) == 1 else f'Its {len(problems)} problems'}:\n\n{listed}",
                icon=":material/error:",
            )


def _md_escape(text: str) -> str:
    """Text from a file or link shown as itself, not as Markdown, LaTeX or a link."""
    # Only what can change meaning inside a line: emphasis, code, links, LaTeX, HTML, tables, strike-through.
    return re.sub(r"([\\`*_\[\]|$<>~])", r"\\\1", text)


def _metrics(result: FlowResult, base_result: FlowResult, wiring: Wiring) -> None:
    headline = wiring.headline
    cols = [c for _ in range(math.ceil(len(headline) / 3)) for c in st.columns(3)]
    definitions = wiring.indicators.set_index("indicator")
    for col, key in zip(cols, headline):
        ind = definitions.loc[key]
        value, base_value = result.indicators[key], base_result.indicators[key]
        col.metric(
            ind["label"],
            format_indicator(value, ind["unit"]),
            delta=indicator_delta(value, base_value, ind["unit"]),
            # Unmet demand going up is bad news: its arrow turns red.
            delta_color="inverse" if str(ind["formula"]).startswith("unmet(") else "normal",
            help=f"{ind['definition']}\n\nThe small figure is the change against the baseline for {result.assumptions.year} "
            f"({format_indicator(base_value, ind['unit'])}).",
        )


def _what_limits(result: FlowResult, graph) -> None:
    """Next to the metrics, in words: which full links keep which demand from being met.

    An info box, not a warning: unmet demand is the model's answer, and the page keeps
    warnings for input it could not use.
    """
    found = shortfalls(result, graph)
    sentences = explain_unmet(result, graph, found)
    if found:
        st.info("**What limits this result**\n\n" + "\n".join(f"- {_md_escape(s)}" for s in sentences), icon=":material/block:")
    else:
        st.success(_md_escape(sentences[0]), icon=":material/check_circle:")


def render() -> None:
    ledger, graph = ledger_or_stop()
    data_key = data_dir()
    _init_state()
    st.session_state.setdefault("flows_year_seen", st.session_state[_key("year")])
    base = _baseline(data_key, st.session_state[_key("year")])
    invalid = None
    try:
        assumptions = ledger.wiring.assumption_model(**_current())
    except ValidationError as err:  # an impossible combination: say which sliders, keep the last good scenario
        invalid = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
        assumptions = st.session_state.get("flows_last_good") or base.assumptions
    shown_base = base if assumptions.year == base.assumptions.year else _baseline(data_key, assumptions.year)
    # First thing after validation: nothing later in the run can stop it before the URL matches the page.
    _write_url(assumptions, shown_base.assumptions)
    st.session_state["flows_last_good"] = assumptions
    st.session_state["flows_values"] = assumptions.model_dump()
    named_for = st.session_state.get("flows_named_for")
    name = scenario_label(
        st.session_state.get("flows_scenario_name", "Baseline"),
        ledger.wiring.assumption_model(**named_for) if named_for else None,
        assumptions,
        shown_base.assumptions,
    )

    _sidebar(data_key, base)
    _scenario_files(assumptions, name, data_key)
    for warning in st.session_state.get("flows_warnings", []):
        st.warning(warning, icon=":material/link_off:")
    if invalid:
        st.error(f"These assumptions cannot be used together: {invalid}. Showing the last valid scenario.", icon=":material/error:")
    result = solve(graph, assumptions)
    base_result = solve(graph, shown_base.assumptions)

    st.title("Flows & what-if")
    st.caption(
        f"Scenario: **{_md_escape(name)}**, year {assumptions.year}. "
        "Move a slider in the sidebar, or type a value in the box beside it: the model re-solves both networks "
        "(gas in bcm/yr, freight in Mt/yr) with capacities respected; links are sized by flow and coloured by "
        "utilisation, bottlenecks in dark red. The URL always holds the current scenario: copy it to share this view."
    )
    _metrics(result, base_result, ledger.wiring)
    _what_limits(result, graph)
    if result.notes:
        with st.expander("Model notes: ratios shown as n/a, links without a published capacity"):
            for note in result.notes:
                st.caption(note)
    context = ExportContext(name, assumptions.year, permalink=permalink(assumptions, shown_base.assumptions, _base_url()))
    figures = scenario_figures(ledger, graph, result, shown_base, name)
    flows_map = figures["flows"][1]()
    st.plotly_chart(flows_map, theme=None, config=plotly_config("corridors-flows"), key="flows_map")
    chart_download_panel(flows_map, "flows", context, "dl_flows")
    model_charts = [chart for chart in figures if chart not in ("flows", "network") and not chart.endswith("_sources")]
    for start in range(0, len(model_charts), 2):
        for column, chart in zip(st.columns(2), model_charts[start : start + 2]):
            with column:
                figure = figures[chart][1]()
                st.plotly_chart(figure, theme=None, config=plotly_config(f"corridors-{chart}"), key=f"chart_{chart}")
                chart_download_panel(figure, chart, context, f"dl_{chart}")
    left, right = st.columns(2)
    with left:
        st.subheader("Demand, delivered and unmet")
        st.dataframe(
            market_table(result),
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.NumberColumn(format="%.2f") for c in ("demand", "delivered", "unmet")},
        )
        st.subheader("Indicators")
        st.dataframe(
            result.indicator_table()[["indicator", "value", "unit", "definition"]],
            hide_index=True,
            width="stretch",
            column_config={"value": st.column_config.NumberColumn(format="%.3f")},
        )
    with right:
        st.subheader("Bottlenecks")
        bottlenecks = result.bottlenecks
        if bottlenecks.empty:
            st.success("No link limits the flows in this scenario.")
        else:
            st.dataframe(
                bottlenecks[["link_id", "asset", "network", "capacity", "flow", "utilisation", "unit"]],
                hide_index=True,
                width="stretch",
                column_config={"utilisation": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent")},
            )
        balance = balance_table(result)
        if balance is not None:
            st.subheader(balance.attrs["title"])
            st.dataframe(balance, hide_index=True, width="stretch")
    st.subheader("Flow on every link")
    st.dataframe(
        link_flow_table(result),
        hide_index=True,
        width="stretch",
        column_config={"utilisation": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent")},
    )
    _past(data_key)
    st.subheader("Download for a report")
    st.caption("Every table as CSV, or all of them in one XLSX with a sources sheet and an assumptions sheet.")
    table_downloads(
        scenario_tables(result), ledger.sources, assumptions_table(assumptions, shown_base), f"corridors-{assumptions.year}", "dl_tables"
    )
    st.caption(
        "The report is a PDF with the assumptions, the maps and charts, the indicators with their definitions, the tables, "
        "the sources and a link back to this view. The ZIP holds every chart as SVG and PNG, the XLSX and the CSVs."
    )
    report_panel(
        lambda: ScenarioExport(ledger, graph, assumptions, name, base_url=_base_url()),
        signature=context.permalink + name,
        year=assumptions.year,
    )


def _base_url() -> str:
    """Scheme and host the user reached the dashboard at, for permalinks."""
    url = st.context.url or DEFAULT_BASE_URL
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else DEFAULT_BASE_URL
