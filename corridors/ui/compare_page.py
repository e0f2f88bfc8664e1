"""Compare page: scenario A and scenario B side by side, and what changes from A to B.

Each side is a scenario: the baseline, a named one, the Flows page's current sliders, a
YAML file, or one a shared link carries. Whatever a side is, the URL holds it (a named
scenario by its key, anything else by its values as ``a.year=2027&a.europe=20``), so a
comparison can be shared.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from corridors.export import ExportContext, ScenarioExport
from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase as Assumptions
from corridors.model.baseline import cached_baseline
from corridors.model.compare import scenario_assumptions
from corridors.model.explain import format_indicator, indicator_delta
from corridors.model.scenarios import Scenario, ScenarioError, from_query, parse_scenario, shipped_scenarios, to_query
from corridors.model.solve import model_of
from corridors.ui import uncertainty_panel
from corridors.ui.common import (
    chart_config,
    coded_selectbox,
    data_dir,
    extent_picker,
    ledger_or_stop,
    md_escape,
    user_layer_key,
)
from corridors.ui.downloads import chart_download_panel, report_panel, table_downloads
from corridors.views.comparison import assumptions_comparison, comparison_tables
from corridors.views.maps import difference_figure
from corridors.views.style import source_line
from corridors.views.tables import result_document

SIDES = ("a", "b")
#: What a side can be; named scenarios go between the baseline and the Flows page's sliders.
BASELINE, FLOWS, UPLOAD, LINK = "baseline", "flows", "upload", "link"
OWN_YEAR = "own"


def _link_params(side: str) -> dict[str, list[str]]:
    """The side's values in the URL (``a.year``, ``a.europe``…), keyed without the prefix."""
    prefix = f"{side}."
    return {key[len(prefix) :]: st.query_params.get_all(key) for key in st.query_params if key.startswith(prefix)}


def _as_scenario(ledger: Ledger, name: str, values: dict) -> Scenario:
    """Assumptions as a scenario: what differs from the baseline of their own year."""
    assumptions = ledger.wiring.assumption_model(**values)
    base = cached_baseline(ledger, assumptions.year).assumptions
    overrides = {k: v for k, v in assumptions.model_dump().items() if k != "year" and v != getattr(base, k)}
    return Scenario(name, int(assumptions.year), overrides)


def _side(side: str, ledger: Ledger, named: dict[str, Scenario]) -> Scenario | None:
    """The scenario one side shows (None until a file is given), with its picker; the URL is kept in step."""
    has_link = bool(_link_params(side))
    options = [BASELINE, *named, FLOWS, UPLOAD, *([LINK] if has_link or st.session_state.get(f"cmp_{side}") == LINK else [])]
    labels = {
        BASELINE: "Baseline (the ledger's defaults)",
        FLOWS: "The Flows page's current sliders",
        UPLOAD: "A scenario file (YAML) you upload",
        LINK: "As the shared link says",
        **{key: scenario.name for key, scenario in named.items()},
    }
    default = (LINK if has_link else BASELINE) if side == "a" else (LINK if has_link else next(iter(named), BASELINE))
    choice = coded_selectbox(f"Scenario {side.upper()}", options, f"cmp_{side}", lambda k: labels[k], default=default)
    scenario: Scenario | None
    if choice == BASELINE:
        scenario = Scenario("Baseline", int(ledger.wiring.parameter_info("year")["default"]), {})
    elif choice in named:
        scenario = named[choice]
    elif choice == FLOWS:
        values = st.session_state.get("flows_values")
        if values is None:
            st.caption("The Flows page has not been opened in this session: its sliders are at the baseline.")
            values = cached_baseline(ledger, int(ledger.wiring.parameter_info("year")["default"])).assumptions.model_dump()
        scenario = _as_scenario(ledger, st.session_state.get("flows_scenario_name", "Flows page"), values)
    elif choice == UPLOAD:
        scenario = _uploaded(side, ledger)
    else:
        assumptions, warnings = from_query(_link_params(side), ledger)
        for warning in warnings:
            st.warning(f"Scenario {side.upper()}: {warning}", icon=":material/link_off:")
        scenario = _as_scenario(ledger, f"Scenario {side.upper()} (from the link)", assumptions.model_dump())
    _write_side_url(side, choice, ledger, scenario)
    return scenario


def _uploaded(side: str, ledger: Ledger) -> Scenario | None:
    upload = st.file_uploader(f"Scenario file for {side.upper()}", type=["yaml", "yml"], key=f"cmp_{side}_file", max_upload_size=1)
    if upload is None:
        st.info(f"Upload a scenario file (the Flows page's download) for {side.upper()}.", icon=":material/upload_file:")
        return None
    try:
        scenario = parse_scenario(upload.getvalue(), upload.name, ledger.wiring)
        scenario_assumptions(ledger, scenario)
    except ScenarioError as err:
        listed = "\n".join(f"- {md_escape(p)}" for p in err.problems)
        st.error(f"Scenario file `{md_escape(err.where)}` refused:\n\n{listed}", icon=":material/error:")
        return None
    return scenario


def _write_side_url(side: str, choice: str, ledger: Ledger, scenario: Scenario | None) -> None:
    """A named side or the baseline is its key; any other side is its values, so the link reopens it."""
    prefix = f"{side}."
    wanted: dict[str, str] = {}
    if choice in (FLOWS, UPLOAD, LINK) and scenario is not None:
        assumptions = scenario_assumptions(ledger, scenario)
        query = to_query(assumptions, cached_baseline(ledger, assumptions.year).assumptions)
        wanted = {prefix + key: value for key, value in query.items() if key != "v"}
        st.query_params[f"cmp_{side}"] = LINK
    have = {key: st.query_params[key] for key in st.query_params if key.startswith(prefix)}
    if have != wanted:
        for key in have:
            del st.query_params[key]
        for key, value in wanted.items():
            st.query_params[key] = value


def _year(ledger: Ledger) -> int | None:
    info = ledger.wiring.parameter_info("year")
    years = [OWN_YEAR, *(str(y) for y in range(int(info["minimum"]), int(info["maximum"]) + 1))]
    chosen = coded_selectbox(
        "Year",
        years,
        "cmp_year",
        lambda y: "Each scenario's own year" if y == OWN_YEAR else y,
        default=OWN_YEAR,
        help="Run both scenarios for one year (each one's changes set on that year's baseline), or each for its own.",
    )
    return None if chosen == OWN_YEAR else int(chosen)


def _headline(tables: dict[str, pd.DataFrame], headline: list[str]) -> None:
    indicators = tables["indicators"].set_index("indicator")
    shown = [k for k in headline if k in indicators.index]
    for start in range(0, len(shown), 3):
        for col, key in zip(st.columns(3), shown[start : start + 3]):
            row = indicators.loc[key]
            col.metric(
                str(row["label"]),
                format_indicator(row["b"], row["unit"]),
                indicator_delta(row["b"], row["a"], row["unit"]),
                delta_color="off",
                help=f"B: {format_indicator(row['b'], row['unit'])}; A: {format_indicator(row['a'], row['unit'])}; the change is B − A.",
            )


def _with_intervals(tables: dict[str, pd.DataFrame], sides: dict[str, Assumptions]) -> list[str]:
    """P10 and P90 beside A and B where the Flows page has drawn that exact scenario; the sides that have them."""
    drawn = []
    indicators = tables["indicators"]
    for side, assumptions in sides.items():
        run = uncertainty_panel.kept_run(data_dir(), assumptions, user_layer_key())
        if run is None:
            continue
        found = run.intervals()
        for column in ("p10", "p90"):
            indicators[f"{side}_{column}"] = indicators["indicator"].map(found[column])
        drawn.append(side)
    return drawn


def render() -> None:
    ledger, graph = ledger_or_stop()
    st.title("Compare two scenarios")
    st.caption(
        "Pick scenario A and scenario B: the baseline, a named scenario, the Flows page's current sliders, or a file. "
        "Both are solved by the same model; every difference is B − A. The URL holds both, so the comparison can be shared."
    )
    named = shipped_scenarios(ledger)
    left, right = st.columns(2)
    with left:
        a = _side("a", ledger, named)
    with right:
        b = _side("b", ledger, named)
    year = _year(ledger)
    if a is None or b is None:
        return
    try:
        assumptions_a, assumptions_b = (scenario_assumptions(ledger, s, year) for s in (a, b))
    except ScenarioError as err:
        st.error(f"These scenarios cannot be run for {year}: {'; '.join(err.problems)}", icon=":material/error:")
        return
    model = model_of(graph)
    name_a, name_b = a.name, b.name if b.name != a.name else f"{b.name} (B)"
    doc_a = result_document(model.solve(assumptions_a), name_a)
    doc_b = result_document(model.solve(assumptions_b), name_b)
    assets = dict(zip(ledger.links["link_id"], ledger.links["asset"]))
    tables = comparison_tables(doc_a, doc_b, ledger.wiring, assets)
    st.subheader(f"B: {name_b} ({assumptions_b.year}) against A: {name_a} ({assumptions_a.year})")
    _headline(tables, list(ledger.wiring.headline))
    differs = assumptions_comparison(assumptions_a, assumptions_b)
    changed = differs[differs["differs"]]
    st.caption(
        "Assumptions that differ: "
        + (", ".join(f"{r.label} {r.a:g} → {r.b:g} {r.unit}" for r in changed.itertuples()) if len(changed) else "none.")
    )
    extent = extent_picker(graph)
    footer = source_line(ledger.link_source_ids, ledger.sources)
    title = f"{name_b} against {name_a}: change in flow"
    figure = difference_figure(graph, tables["links"], title, footer, extent)
    st.plotly_chart(figure, theme=None, config=chart_config("corridors-difference"), key="difference_map")
    context = ExportContext(f"{name_b} against {name_a}", assumptions_b.year)
    signature = json.dumps([assumptions_a.model_dump(), assumptions_b.model_dump(), extent, user_layer_key()], sort_keys=True)
    chart_download_panel(figure, "difference", context, "dl_difference", version=signature)
    drawn = _with_intervals(tables, {"a": assumptions_a, "b": assumptions_b})
    st.subheader("Indicators")
    if not drawn:
        st.caption("No intervals yet: P10–P90 columns appear for a side whose exact scenario the Flows page has drawn.")
    st.dataframe(tables["indicators"], hide_index=True, width="stretch", column_config={"delta": st.column_config.NumberColumn("B − A")})
    st.subheader("Demand, delivered and unmet by market")
    st.dataframe(tables["markets"], hide_index=True, width="stretch")
    st.subheader("Links whose binding state changes")
    if tables["binding_changes"].empty:
        st.success("No link changes between binding and not binding.")
    else:
        st.dataframe(tables["binding_changes"], hide_index=True, width="stretch")
    with st.expander("Flow on every link, A and B"):
        st.dataframe(tables["links"], hide_index=True, width="stretch")
    st.subheader("Download the comparison")
    table_downloads(tables, ledger.all_sources, differs, f"corridors-compare-{assumptions_b.year}", "dl_compare")
    report_panel(
        lambda: ScenarioExport(ledger, graph, assumptions_b, name_b, against=(assumptions_a, name_a), extent=extent),
        signature=signature,
        year=assumptions_b.year,
        key="compare_report",
    )
