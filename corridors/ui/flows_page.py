"""Flows & what-if page: sliders in, flows, utilisation, bottlenecks and indicators out."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

import streamlit as st
from pydantic import ValidationError

from corridors.assumptions import Assumptions, Baseline, baseline, parameter_info, parameter_names
from corridors.export import (
    DEFAULT_BASE_URL,
    ExportContext,
    ScenarioExport,
    assumptions_table,
    permalink,
    scenario_figures,
    scenario_tables,
)
from corridors.model import INDICATORS, FlowResult, solve
from corridors.plotting import plotly_config
from corridors.report_data import balance_table, link_flow_table, market_table
from corridors.scenarios import ScenarioError, dump_scenario, from_query, parse_scenario, shipped_scenarios, to_query
from corridors.ui.common import cached_ledger, data_dir, ledger_or_stop
from corridors.ui.downloads import chart_download_panel, report_panel, table_downloads

PREFIX = "a_"
GROUPS = ("Gas supply", "Gas demand", "Gas capacity", "Freight")
HEADLINE = ("russian_share_of_eu_exports", "gas_exports", "gas_unmet", "instc_western", "azerbaijan_transit_income", "freight_unmet")


@st.cache_data(show_spinner=False, max_entries=64)
def _baseline(data_dir: str | None, year: int) -> Baseline:
    return baseline(cached_ledger(data_dir), year)


def _key(name: str) -> str:
    return PREFIX + name


def _set_widgets(values: Assumptions) -> None:
    for name, value in values.model_dump().items():
        st.session_state[_key(name)] = value


def _current() -> dict:
    return {name: st.session_state[_key(name)] for name in Assumptions.model_fields if _key(name) in st.session_state}


def _init_state() -> None:
    """Scenario state: read from the URL on a session's first visit, then kept across pages.

    Streamlit forgets a widget's value when a page without that widget runs, so the
    scenario is also kept in ``flows_values`` (not a widget key) and restored from
    there when the user comes back to this page.
    """
    if "flows_values" not in st.session_state:
        ledger, _ = ledger_or_stop()
        assumptions, warnings = from_query(st.query_params.to_dict(), ledger)
        st.session_state["flows_values"] = assumptions.model_dump()
        st.session_state["flows_warnings"] = warnings
        st.session_state["flows_scenario_name"] = "Custom (from link)" if len(st.query_params) > 1 else "Baseline"
    for name, value in st.session_state["flows_values"].items():
        if _key(name) not in st.session_state:
            st.session_state[_key(name)] = value


def _on_year_change(data_dir: str | None) -> None:
    """Fields still at the old year's baseline follow the new year; the user's own changes stay."""
    new_year = st.session_state[_key("year")]
    old_year = st.session_state.get("flows_year_seen", new_year)
    old, new = _baseline(data_dir, old_year).assumptions, _baseline(data_dir, new_year).assumptions
    for name in parameter_names():
        if math.isclose(st.session_state[_key(name)], getattr(old, name), abs_tol=1e-9):
            st.session_state[_key(name)] = getattr(new, name)
    st.session_state["flows_year_seen"] = new_year


def _reset(data_dir: str | None) -> None:
    _set_widgets(_baseline(data_dir, st.session_state[_key("year")]).assumptions)
    st.session_state["flows_scenario_name"] = "Baseline"


def _load_named(data_dir: str | None) -> None:
    ledger, _ = ledger_or_stop()
    choice = st.session_state["flows_pick"]
    if choice == "—":
        return
    scenario = shipped_scenarios()[choice]
    _set_widgets(scenario.assumptions(ledger))
    st.session_state["flows_year_seen"] = scenario.year
    st.session_state["flows_scenario_name"] = scenario.name


def _sidebar(data_dir: str | None, base: Baseline) -> None:
    sources = cached_ledger(data_dir).sources
    publisher = dict(zip(sources["source_id"], sources["publisher"]))
    links = dict(zip(sources["source_id"], sources["url"]))
    with st.sidebar:
        st.header("Assumptions")
        options = ["—", *shipped_scenarios()]
        st.selectbox(
            "Load a named scenario",
            options,
            key="flows_pick",
            on_change=_load_named,
            args=(data_dir,),
            format_func=lambda k: k if k == "—" else shipped_scenarios()[k].name,
        )
        st.slider(
            "Year",
            2018,
            2035,
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
        for group in GROUPS:
            with st.expander(group, expanded=group in ("Gas supply", "Gas demand")):
                for name in parameter_names(group):
                    info = parameter_info(name)
                    prov = base.provenance.get(name)
                    default = getattr(base.assumptions, name)
                    help_text = f"{info['help']}\n\nDefault {default:g} {info['unit']}. {prov.describe() if prov else ''}"
                    if prov and prov.source_ids:
                        help_text += "\n\n" + "; ".join(
                            f"[{publisher.get(i, i)}]({links.get(i, '')})" for i in dict.fromkeys(prov.source_ids)
                        )
                    is_int = isinstance(info["default"], int)
                    label = f"{info['label']} ({info['unit']})"
                    if is_int:
                        st.slider(label, int(info["minimum"]), int(info["maximum"]), step=1, key=_key(name), help=help_text)
                    else:
                        st.slider(
                            label, float(info["minimum"]), float(info["maximum"]), step=float(info["step"]), key=_key(name), help=help_text
                        )


def _scenario_files(assumptions: Assumptions, ledger) -> None:
    name = st.session_state.get("flows_scenario_name", "Custom")
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
        upload = st.file_uploader("Upload a scenario (YAML)", type=["yaml", "yml"], key="flows_upload", max_upload_size=1)
        if upload is not None and st.session_state.get("flows_upload_seen") != upload.file_id:
            st.session_state["flows_upload_seen"] = upload.file_id
            try:
                scenario = parse_scenario(upload.getvalue(), upload.name)
                _set_widgets(scenario.assumptions(ledger))
                st.session_state["flows_year_seen"] = scenario.year
                st.session_state["flows_scenario_name"] = scenario.name
                st.rerun()
            except ScenarioError as err:
                st.session_state["flows_upload_error"] = str(err)
        if st.session_state.get("flows_upload_error"):
            st.error(f"Scenario file refused: {st.session_state['flows_upload_error']}")


def _metrics(result: FlowResult) -> None:
    cols = [c for _ in range(2) for c in st.columns(3)]
    for col, key in zip(cols, HEADLINE):
        ind = INDICATORS[key]
        value = result.indicators[key]
        shown = (
            "n/a"
            if value is None or (isinstance(value, float) and math.isnan(value))
            else (f"{value:.0%}" if ind.unit == "share" else f"{value:,.2f}")
        )
        unit = "" if ind.unit == "share" else f" {ind.unit}"
        col.metric(ind.label, shown + unit, help=ind.definition)


def render() -> None:
    ledger, graph = ledger_or_stop()
    data_key = data_dir()
    _init_state()
    st.session_state.setdefault("flows_year_seen", st.session_state[_key("year")])
    base = _baseline(data_key, st.session_state[_key("year")])
    _sidebar(data_key, base)
    for warning in st.session_state.get("flows_warnings", []):
        st.warning(warning, icon=":material/link_off:")
    try:
        assumptions = Assumptions(**_current())
    except ValidationError as err:  # an impossible combination: say which sliders, keep the last good scenario
        reasons = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
        st.error(f"These assumptions cannot be used together: {reasons}. Showing the last valid scenario.", icon=":material/error:")
        assumptions = st.session_state.get("flows_last_good") or base.assumptions
    result = solve(graph, assumptions)
    st.session_state["flows_last_good"] = assumptions
    st.session_state["flows_values"] = assumptions.model_dump()
    wanted = to_query(assumptions, base.assumptions)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    _scenario_files(assumptions, ledger)

    st.title("Flows & what-if")
    st.caption(
        f"Scenario: **{st.session_state.get('flows_scenario_name', 'Custom')}**, year {assumptions.year}. "
        "Move a slider in the sidebar: the model re-solves both networks (gas in bcm/yr, freight in Mt/yr) with "
        "capacities respected; links are sized by flow and coloured by utilisation, bottlenecks in dark red. "
        "The URL always holds the current scenario: copy it to share this view."
    )
    _metrics(result)
    if result.notes:
        with st.expander("Model notes: links without a published capacity"):
            for note in result.notes:
                st.caption(note)
    name = st.session_state.get("flows_scenario_name", "Custom")
    context = ExportContext(name, assumptions.year, permalink=permalink(assumptions, base.assumptions, _base_url()))
    figures = scenario_figures(ledger, graph, result, base, name)
    flows_map = figures["flows"][1]()
    st.plotly_chart(flows_map, theme=None, config=plotly_config("corridors-flows"), key="flows_map")
    chart_download_panel(flows_map, "flows", context, "dl_flows")
    for column, chart in zip(st.columns(2), ("gas_markets", "instc_branches")):
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
        st.subheader("Azerbaijan's gas balance")
        st.dataframe(balance_table(result), hide_index=True, width="stretch")
    st.subheader("Flow on every link")
    st.dataframe(
        link_flow_table(result),
        hide_index=True,
        width="stretch",
        column_config={"utilisation": st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent")},
    )
    st.subheader("Download for a report")
    st.caption("Every table as CSV, or all of them in one XLSX with a sources sheet and an assumptions sheet.")
    table_downloads(
        scenario_tables(result), ledger.sources, assumptions_table(assumptions, base), f"corridors-{assumptions.year}", "dl_tables"
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
