"""Flows & what-if page: sliders in, flows, utilisation, bottlenecks and indicators out (its state: flows_state)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from corridors.export import (
    ExportContext,
    ScenarioExport,
    assumptions_table,
    permalink,
    public_base_url,
    scenario_figures,
    scenario_tables,
)
from corridors.ledger.wiring import AssumptionsBase as Assumptions
from corridors.ledger.wiring import Wiring
from corridors.model import FlowResult, solve
from corridors.model.backtest import backtest, record_years
from corridors.model.baseline import Baseline
from corridors.model.explain import explain_unmet, format_indicator, indicator_delta, shortfalls
from corridors.model.scenarios import (
    dump_scenario,
    scenario_label,
    shipped_scenarios,
)
from corridors.model.solve import model_of
from corridors.model.timeline import timeline_span, year_assumptions
from corridors.model.uncertainty import Uncertainty
from corridors.ui import gas_money_panel, uncertainty_panel
from corridors.ui.common import (
    USER_DEFAULTS_KEY,
    cached_graph,
    cached_ledger,
    chart_config,
    data_dir,
    extent_picker,
    ledger_or_stop,
    md_escape,
    session_ledger,
    user_data,
    user_layer_key,
)
from corridors.ui.downloads import chart_download_panel, report_panel, table_downloads
from corridors.ui.flows_state import (
    baseline_for,
    current_values,
    follow_layer,
    group_key,
    init_state,
    load_named,
    number_key,
    on_group_toggle,
    on_number,
    on_upload,
    on_year_change,
    reset,
    slider_key,
    undo_stale_reports,
    wiring_for,
    write_url,
)
from corridors.ui.player import play_control
from corridors.views.maps import network_figure
from corridors.views.style import source_line
from corridors.views.summary import changed_assumptions, delivery_lines
from corridors.views.tables import balance_table, link_flow_table, market_table, routing_cost_summary, routing_cost_table


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
    st.subheader(f"How well the model reproduces the past: {misses} of {len(checked)} published figures missed")
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


def _assumption_widgets(name: str, help_text: str) -> None:
    """A slider for sweeping and a number box for typing an exact value, side by side and kept in sync.

    The label is written once, across the sidebar's width, so it does not wrap in the
    narrow column; both widgets keep it as their accessible name (the box's ends in "value").
    """
    info = wiring_for().parameter_info(name)
    label = f"{info['label']} ({info['unit']})"
    is_int = info["integer"]
    cast = int if is_int else float
    low, high, step = cast(info["minimum"]), cast(info["maximum"]), cast(1 if is_int else info["step"])
    st.markdown(f"<small>{label}</small>", help=help_text, unsafe_allow_html=True)
    # One horizontal container rather than two columns: three elements fewer per assumption for the browser to handle.
    row = st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False)
    # `value` is the scenario's own value, not the slider's minimum: the browser falls back on it if it loses the
    # widget's state, as it can when a full rerun (the draws' end) crosses an upload. The key keeps the widget's id.
    value = cast(st.session_state[slider_key(name)])
    box_key = number_key(name, value)
    row.slider(
        label,
        low,
        high,
        value,
        step=step,
        key=slider_key(name),
        label_visibility="collapsed",
        width="stretch",
    )
    row.number_input(
        f"{label} value",
        low,
        high,
        value,
        step=step,
        key=box_key,
        format="%d" if is_int else "%g",
        on_change=on_number,
        args=(name, value),
        label_visibility="collapsed",
        width=96,
    )


def _sidebar(data_dir: str | None, base: Baseline) -> None:
    ledger = session_ledger(data_dir)
    sources, wiring = ledger.all_sources, ledger.wiring
    publisher = dict(zip(sources["source_id"], sources["publisher"].astype(str).map(md_escape)))
    links = dict(zip(sources["source_id"], sources["url"]))
    with st.sidebar:
        st.header("Assumptions")
        _user_defaults_toggle()
        named = shipped_scenarios(ledger)
        options = ["—", *named]
        st.selectbox(
            "Load a named scenario",
            options,
            key="flows_pick",
            on_change=load_named,
            args=(data_dir,),
            format_func=lambda k: k if k == "—" else named[k].name,
        )
        year = wiring.parameter_info("year")
        st.slider(
            "Year",
            year["minimum"],
            year["maximum"],
            st.session_state[slider_key("year")],
            key=slider_key("year"),
            on_change=on_year_change,
            args=(data_dir,),
            help="Demands and supplies default to the ledger's figures for this year (or the latest year before it).",
        )
        st.button(
            "Reset to baseline",
            key="flows_reset",
            on_click=reset,
            args=(data_dir,),
            icon=":material/restart_alt:",
            help="Every assumption back to its default for the selected year.",
        )
        groups = tuple(wiring.groups)
        for position, group in enumerate(groups):
            # A closed group is not built: its widgets are most of the page's elements, and the browser handles every
            # element of a run before it draws the map. Its values live on in flows_values meanwhile (init_state).
            # The first two are open on arrival; opening any group then closes the others (on_group_toggle).
            expander = st.expander(group, expanded=position < 2, key=group_key(group), on_change=on_group_toggle, args=(group, groups))
            if not expander.open:
                continue
            with expander:
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


def _user_defaults_toggle() -> None:
    """With the reader's own figures uploaded (Sources page), a switch that lets the defaults take them."""
    user = user_data()
    if user is None:
        return
    # A plain key keeps the choice while another page runs (a widget's own key would be forgotten there).
    st.toggle(
        "Use your figures as defaults",
        value=bool(st.session_state.get(USER_DEFAULTS_KEY)),
        key="flows_user_defaults",
        on_change=lambda: st.session_state.update({USER_DEFAULTS_KEY: st.session_state["flows_user_defaults"]}),
        help=f"Your data: {md_escape(user.summary())}. When on, a default takes your figure wherever you give one for its "
        "series and year, and its help text says user-supplied. Your figures stay in this session only.",
    )


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
            on_change=on_upload,
            args=(data_dir,),
        )
        refused = st.session_state.get("flows_file_error")
        if refused:
            where, problems = refused
            listed = "\n".join(f"- {md_escape(p)}" for p in problems)
            st.error(
                f"Scenario file `{where}` refused, nothing was changed. "
                f"{'Its problem' if len(problems) == 1 else f'Its {len(problems)} problems'}:\n\n{listed}",
                icon=":material/error:",
            )


def _metrics(result: FlowResult, base_result: FlowResult, wiring: Wiring, run: Uncertainty | None) -> None:
    headline = wiring.headline
    cols = [c for _ in range(math.ceil(len(headline) / 3)) for c in st.columns(3)]
    definitions = wiring.indicators.set_index("indicator")
    for col, key in zip(cols, headline):
        ind = definitions.loc[key]
        value, base_value = result.indicators[key], base_result.indicators[key]
        col.metric(
            ind["label"],
            uncertainty_panel.interval_text(run, key, value, ind["unit"]),
            delta=indicator_delta(value, base_value, ind["unit"]),
            # Unmet demand going up is bad news: its arrow turns red.
            delta_color="inverse" if str(ind["formula"]).startswith("unmet(") else "normal",
            help=f"{ind['definition']}\n\nThe small figure is the change against the baseline for {result.assumptions.year} "
            f"({format_indicator(base_value, ind['unit'])}). In brackets, once the draws are done: the 80 % interval (P10–P90) "
            "that the sources' ranges allow (see 'How sure is this?' below).",
        )


def _what_limits(result: FlowResult, graph) -> None:
    """Next to the metrics, in words: which full links keep which demand from being met.

    An info box, not a warning: unmet demand is the model's answer, and the page keeps
    warnings for input it could not use.
    """
    found = shortfalls(result, graph)
    sentences = explain_unmet(result, graph, found)
    if found:
        st.info("**What limits this result**\n\n" + "\n".join(f"- {md_escape(s)}" for s in sentences), icon=":material/block:")
    else:
        st.success(md_escape(sentences[0]), icon=":material/check_circle:")


def _scenario(ledger, data_key: str | None) -> tuple[Assumptions, Baseline, Baseline, str, str | None]:
    """This run's scenario from the widgets (or the last valid one), its baselines, its name, and why it was refused."""
    init_state()
    undo_stale_reports()
    st.session_state.setdefault("flows_year_seen", st.session_state[slider_key("year")])
    base = baseline_for(data_key, st.session_state[slider_key("year")])
    follow_layer(base)
    invalid = None
    try:
        assumptions = ledger.wiring.assumption_model(**current_values())
    except ValidationError as err:  # an impossible combination: say which sliders, keep the last good scenario
        invalid = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
        assumptions = st.session_state.get("flows_last_good") or base.assumptions
    shown_base = base if assumptions.year == base.assumptions.year else baseline_for(data_key, assumptions.year)
    # First thing after validation: nothing later in the run can stop it before the URL matches the page.
    write_url(assumptions, shown_base.assumptions)
    st.session_state["flows_last_good"] = assumptions
    st.session_state["flows_values"] = assumptions.model_dump()
    named_for = st.session_state.get("flows_named_for")
    name = scenario_label(
        st.session_state.get("flows_scenario_name", "Baseline"),
        ledger.wiring.assumption_model(**named_for) if named_for else None,
        assumptions,
        shown_base.assumptions,
    )
    return assumptions, base, shown_base, name, invalid


def _flows_map(figures: dict, context: ExportContext) -> None:
    flows_map = figures["flows"][1]()
    st.plotly_chart(flows_map, theme=None, config=chart_config("corridors-flows"), key="flows_map")
    chart_download_panel(flows_map, "flows", context, "dl_flows")


def _baseline_result(graph, base: Baseline) -> FlowResult:
    """The year's baseline solved, kept in this session: every slider step compares against the same one."""
    values = base.assumptions.model_dump()
    kept = st.session_state.get("flows_baseline_result")
    # The graph itself, not its id: a reloaded ledger is a new graph, and an id can be reused.
    if kept is None or kept[0] is not graph or kept[1] != values:
        kept = (graph, values, solve(graph, base.assumptions))
        st.session_state["flows_baseline_result"] = kept
    return kept[2]


def _summary(result: FlowResult, graph, assumptions: Assumptions, shown_base: Baseline, wiring: Wiring) -> None:
    """The scenario in words: what differs from the year's baseline, and what each market receives."""
    year = assumptions.year
    changed = changed_assumptions(assumptions, shown_base.assumptions, wiring)
    if changed:
        st.markdown(f"**Changed from the baseline of {year}**\n\n" + "\n".join(f"- {md_escape(line)}" for line in changed))
    else:
        st.markdown(f"Every assumption is at the baseline of {year}. Each default's source is in its help (the **?** beside it).")
    lines = delivery_lines(result, graph)
    st.markdown("**What each market receives**\n\n" + "\n".join(f"- {md_escape(line)}" for line in lines))
    st.caption(
        "The charts, the intervals from the sources' ranges, the tables with their sources, the money and the past record "
        "are in the other tabs; the Download tab's PDF report holds them all."
    )


def _model_charts(figures: dict, context: ExportContext) -> None:
    """The model's charts two by two (the flows map aside), each with its download panel."""
    model_charts = [chart for chart in figures if chart not in ("flows", "network") and not chart.endswith("_sources")]
    for start in range(0, len(model_charts), 2):
        for column, chart in zip(st.columns(2), model_charts[start : start + 2]):
            with column:
                figure = figures[chart][1]()
                st.plotly_chart(figure, theme=None, config=chart_config(f"corridors-{chart}"), key=f"chart_{chart}")
                chart_download_panel(figure, chart, context, f"dl_{chart}")


def _play_years(ledger, graph, extent: str | None) -> None:
    """The flows map stepped through the years: each year's baseline solved and drawn in turn (links open, flows move)."""
    first, last = timeline_span(ledger)
    model = model_of(graph)

    def frame(year: int) -> None:
        result = model.solve(year_assumptions(ledger, year))
        figure = network_figure(
            graph,
            flows=result.links.set_index("link_id"),
            title=f"Flows and utilisation, {year}: the baseline of {year}",
            footer=source_line(ledger.link_source_ids, ledger.sources),
            sources=ledger.sources,
            extent=extent,
        )
        st.plotly_chart(figure, theme=None, config=chart_config("corridors-flows-by-year"), key="flows_map_play")

    st.subheader("The baseline through the years")
    st.caption(
        f"Each year's baseline from {first} to {last}, one after another: links open in their first year and flows follow "
        "the ledger's figures (the latest carried forward after the last outturn). Your sliders are not applied here."
    )
    play_control("flows_play", first, last, frame, label="Play the flows")


def _tables(result: FlowResult) -> None:
    """Markets and indicators on the left; bottlenecks and the balance on the right; every link below."""
    utilisation = {"utilisation": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent")}
    left, right = st.columns(2)
    with left:
        st.subheader("Demand, delivered and unmet")
        numbers = {c: st.column_config.NumberColumn(format="%.2f") for c in ("demand", "delivered", "unmet")}
        st.dataframe(market_table(result), hide_index=True, width="stretch", column_config=numbers)
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
            columns = ["link_id", "asset", "network", "capacity", "flow", "utilisation", "unit"]
            st.dataframe(bottlenecks[columns], hide_index=True, width="stretch", column_config=utilisation)
        balance = balance_table(result)
        if balance is not None:
            st.subheader(balance.attrs["title"])
            st.dataframe(balance, hide_index=True, width="stretch")
    st.subheader("Flow on every link")
    st.dataframe(link_flow_table(result), hide_index=True, width="stretch", column_config=utilisation)
    costs = routing_cost_table(result)
    if not costs.empty:
        st.subheader("What a km costs on each link")
        st.caption(
            f"{routing_cost_summary(costs)} Cargo free to switch branch (the sidebar's share) takes the cheapest open route "
            "by these costs; the rest keeps to the branch shares and only picks its path within its branch by them."
        )
        st.dataframe(
            costs,
            hide_index=True,
            width="stretch",
            column_config={
                "cost_per_km": st.column_config.NumberColumn(format="%.3f"),
                "distance_km": st.column_config.NumberColumn(format="%.0f"),
            },
        )


#: The open tab under the flows map (its sections, render's ``sections``: only the open one is built and sent).
SECTION_KEY = "flows_section"


def render() -> None:
    ledger, graph = ledger_or_stop()
    data_key = data_dir()
    assumptions, base, shown_base, name, invalid = _scenario(ledger, data_key)
    result = solve(graph, assumptions)

    st.title("Flows & what-if")
    networks = result.markets.groupby("network", sort=False)["unit"].first()
    st.caption(
        f"Scenario: **{md_escape(name)}**, year {assumptions.year}. "
        "Move a slider in the sidebar, or type a value in the box beside it: the model re-solves every network "
        f"({', '.join(f'{network} in {unit}' for network, unit in networks.items())}) with capacities respected; links are "
        "sized by flow and coloured by utilisation, bottlenecks in dark red. The URL always holds the current scenario: "
        "copy it to share this view."
    )
    # Laid out in reading order, filled in the order a reader waits for: the flows map (what a slider changes first)
    # is sent to the browser before the sidebar, the metrics and the rest of the page are built.
    notices, headline = st.container(), st.container()
    job = uncertainty_panel.start(ledger, graph, shown_base, assumptions, data_key, user_layer_key())
    run = uncertainty_panel.finished(job)
    context = ExportContext(name, assumptions.year, permalink=permalink(assumptions, shown_base.assumptions, _base_url()))
    probability = run.binding_probability() if run is not None else None
    extent = extent_picker(graph)
    # The page's own figures skip plotly's checks (the same builders, checked, make the files).
    figures = scenario_figures(ledger, graph, result, shown_base, name, binding_probability=probability, extent=extent, validate=False)
    _flows_map(figures, context)

    _sidebar(data_key, base)
    _scenario_files(assumptions, name, data_key)
    with notices:
        for warning in st.session_state.get("flows_warnings", []):
            st.warning(warning, icon=":material/link_off:")
        if invalid:
            st.error(f"These assumptions cannot be used together: {invalid}. Showing the last valid scenario.", icon=":material/error:")
    with headline:
        _metrics(result, _baseline_result(graph, shown_base), ledger.wiring, run)
        uncertainty_panel.progress(job)
        _what_limits(result, graph)
        if result.notes:
            with st.expander("Model notes: ratios shown as n/a, links without a published capacity"):
                for note in result.notes:
                    st.caption(note)

    # Lazy tabs: a slider step re-sends the open section only, so the browser redraws the map sooner and the first
    # view carries less. The page opens on the summary, in words: measured, the charts' tab open on arrival kept the
    # browser from drawing the map for about 1.5 s more. Every section is one click away, and the report holds them all.
    sections: dict[str, Callable[[], None]] = {
        "Summary": lambda: _summary(result, graph, assumptions, shown_base, ledger.wiring),
        "Charts": lambda: _model_charts(figures, context),
        "How sure is this?": lambda: uncertainty_panel.section(
            job,
            ledger.wiring.indicators,
            ledger.wiring.headline,
            assumptions.year,
            context,
            dict(zip(ledger.links["link_id"], ledger.links["asset"])),
        ),
        "Tables": lambda: _tables(result),
        "Gas money": lambda: gas_money_panel.render(ledger, result, context, run),
        "Through the years": lambda: _play_years(ledger, graph, extent),
        "Past record": lambda: _past(data_key),
        "Download": lambda: _downloads(ledger, graph, (assumptions, shown_base, name), result, run, extent, context),
    }
    for tab, draw in zip(st.tabs(list(sections), key=SECTION_KEY, on_change="rerun"), sections.values()):
        if tab.open:
            with tab:
                draw()


def _downloads(
    ledger, graph, scenario: tuple[Assumptions, Baseline, str], result: FlowResult, run: Uncertainty | None, extent: str | None, context
) -> None:
    """Every table as CSV and XLSX, and the report (PDF) and ZIP of the whole scenario."""
    assumptions, shown_base, name = scenario
    st.subheader("Download for a report")
    st.caption("Every table as CSV, or all of them in one XLSX with a sources sheet and an assumptions sheet.")
    stem = f"corridors-{assumptions.year}"
    table_downloads(scenario_tables(result, run), ledger.all_sources, assumptions_table(assumptions, shown_base), stem, "dl_tables")
    st.caption(
        "The report is a PDF with the assumptions, the maps and charts, the indicators with their definitions, the tables, "
        "the sources and a link back to this view. The ZIP holds every chart as SVG and PNG, the XLSX and the CSVs."
    )
    report_panel(
        lambda: ScenarioExport(ledger, graph, assumptions, name, base_url=_base_url(), uncertainty=run, extent=extent),
        signature=json.dumps(
            [assumptions.model_dump(), name, context.permalink, run is not None, extent, user_layer_key()], sort_keys=True
        ),
        year=assumptions.year,
    )


def _base_url() -> str | None:
    """Where files may link back to: the address the user reached the dashboard at (its base path kept), unless local."""
    return public_base_url(st.context.url, str(st.get_option("server.baseUrlPath") or ""))
