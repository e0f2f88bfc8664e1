"""Each dashboard page run headless through Streamlit's AppTest."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest

from corridors.ui.flows_state import group_key
from tests.conftest import ROOT
from tests.test_validate import set_cell

APP = str(ROOT / "app.py")


def run_page(path: str, env_data: str | None = None, monkeypatch=None) -> AppTest:
    if env_data is not None and monkeypatch is not None:
        monkeypatch.setenv("CORRIDORS_DATA", env_data)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if path:
        at.switch_page(str(ROOT / path)).run()
    return at


def plotly_spec(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_network_page_renders_map_and_links(ledger):
    at = run_page("")
    assert not at.exception, at.exception
    assert not at.error
    assert at.title[0].value == "The corridor network"
    spec = plotly_spec(at)
    assert any(trace["type"] == "scattergeo" for trace in spec["data"])
    table = at.dataframe[0].value
    assert len(table) == len(ledger.links)


def test_network_filter_to_gas_hides_freight(ledger):
    at = run_page("")
    at.multiselect(key="net_networks").set_value(["gas"]).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["network"]) == {"gas"}
    assert len(table) == (ledger.links["network"] == "gas").sum()


def test_sources_page_marks_disagreements():
    at = run_page("corridors/ui/page_scripts/sources.py")
    assert not at.exception, at.exception
    assert at.title[0].value == "Sources & estimates"
    table = at.dataframe[0].value
    assert {"publisher", "source_url", "year", "value"} <= set(table.columns)
    assert (table["⚠"] == "⚠").any() if "⚠" in table.columns else (table["disagree"] == "⚠").any()
    assert at.get("plotly_chart"), "the series chart is missing"


def test_broken_ledger_shows_problem_list_not_traceback(ledger_copy, monkeypatch):
    set_cell(ledger_copy, "links.csv", 2, "capacity", "lots")
    monkeypatch.setenv("CORRIDORS_DATA", str(ledger_copy))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.error and "problem" in at.error[0].value
    problems = at.dataframe[0].value
    row = problems.iloc[0]
    assert (row["file"], row["line"], row["column"]) == ("links.csv", 2, "capacity")


def metric_value(at: AppTest, label_start: str) -> str:
    for metric in at.metric:
        if metric.label.startswith(label_start):
            return metric.value
    raise AssertionError(f"no metric labelled {label_start!r}: {[m.label for m in at.metric]}")


def number_box(at: AppTest, name: str):
    """The number box beside slider ``name`` (its key holds the slider's value, so it is found by its start)."""
    boxes = [box for box in at.number_input if box.key.startswith(f"n_{name}@")]
    assert len(boxes) == 1, [box.key for box in at.number_input]
    return boxes[0]


def flows_page(query: dict[str, str] | None = None, section: str | None = None, groups: tuple[str, ...] = ()) -> AppTest:
    """The Flows page, opened from ``query``.

    ``section``: the tab under the map to open; ``groups``: the sidebar's groups of assumptions to open besides the
    two open on arrival. Only what is open is built, so a test reads a closed group's sliders after opening it.
    """
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if section is not None:
        at.session_state["flows_section"] = section
    for group in groups:
        at.session_state[group_key(group)] = True
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/flows.py")).run()
    return at


def test_flows_page_builds_only_the_open_section():
    at = flows_page()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs][:3] == ["Summary", "Charts", "How sure is this?"]
    assert not at.dataframe, "the tables' tab is closed: its tables are not built"
    assert len(at.get("plotly_chart")) == 1, "the page opens on the summary, in words: only the map is drawn"
    summary = " ".join(m.value for m in at.markdown)
    assert "Every assumption is at the baseline of 2025" in summary
    assert "Europe: " in summary and "bcm/yr delivered" in summary
    at.session_state["flows_section"] = "Charts"
    at.run()
    assert len(at.get("plotly_chart")) >= 3, "the map and the model's charts"
    at.session_state["flows_section"] = "Tables"
    at.run()
    assert len(at.get("plotly_chart")) == 1, "only the map stays above the tabs"
    assert "market" in at.dataframe[0].value.columns


def test_the_summary_lists_what_was_changed_from_the_baseline():
    at = flows_page({"v": "1", "europe": "20"})
    assert not at.exception, at.exception
    summary = " ".join(m.value for m in at.markdown)
    assert "Changed from the baseline of 2025" in summary
    assert "Europe (via TAP and the Balkan routes): 20 bcm/yr (baseline " in summary
    assert "Europe: " in summary and " unmet" in summary


def test_a_closed_group_is_not_built_and_keeps_its_values():
    """The sidebar builds only its open groups; a closed group's assumptions still count, survive a year change and show
    when it is opened."""
    at = flows_page({"v": "1", "tap_capacity": "15"})
    assert not at.exception, at.exception
    keys = {s.key for s in at.slider}
    assert "a_europe" in keys and "a_tap_capacity" not in keys, "Gas capacity is closed on arrival"
    assert at.query_params["tap_capacity"] in (["15"], "15")
    at.slider(key="a_year").set_value(2027).run()
    assert not at.exception, at.exception
    assert at.query_params["tap_capacity"] in (["15"], "15"), "a closed group's own value outlives a change of year"
    at.session_state[group_key("Gas capacity")] = True
    at.run()
    assert at.slider(key="a_tap_capacity").value == 15.0
    assert number_box(at, "tap_capacity").value == 15.0


def test_flows_page_slider_changes_indicators():
    at = flows_page()
    assert not at.exception, at.exception
    before = metric_value(at, "Russian gas ÷ exports")
    at.slider(key="a_russia_to_azerbaijan").set_value(3.0).run()
    assert not at.exception
    after = metric_value(at, "Russian gas ÷ exports")
    assert before != after
    assert at.query_params["russia_to_azerbaijan"] == ["3"] or at.query_params["russia_to_azerbaijan"] == "3"


def test_flows_page_reads_scenario_from_url():
    at = flows_page({"v": "1", "year": "2027", "europe": "20", "tap_capacity": "15"}, section="Tables", groups=("Gas capacity",))
    assert not at.exception, at.exception
    assert not at.warning
    assert at.slider(key="a_year").value == 2027
    assert at.slider(key="a_europe").value == 20.0
    assert at.slider(key="a_tap_capacity").value == 15.0
    markets = at.dataframe[0].value.set_index("market")
    assert markets.at["europe", "demand"] == 20.0


def test_hostile_url_warns_and_renders_defaults():
    at = flows_page({"v": "1", "europe": "1e309", "year": "<script>", "acg": "abc", "evil": "1", "tap_capacity": "-5"})
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    for name in ("europe", "year", "acg", "evil", "tap_capacity"):
        assert f"'{name}" in warnings, f"no warning names {name}: {warnings}"
    assert at.slider(key="a_year").value == 2025
    assert at.get("plotly_chart"), "the page should still draw the network"


def test_impossible_branch_shares_show_an_error_and_keep_last_result():
    at = flows_page(groups=("Freight",))
    at.slider(key="a_western_share").set_value(0.9).run()
    at.slider(key="a_eastern_share").set_value(0.5).run()
    assert not at.exception
    assert at.error and "western_share" in at.error[0].value and "eastern_share" in at.error[0].value


def test_reset_restores_baseline():
    at = flows_page()
    default = at.slider(key="a_europe").value
    at.slider(key="a_europe").set_value(25.0).run()
    at.button(key="flows_reset").click().run()
    assert at.slider(key="a_europe").value == default


def test_named_scenario_loads():
    at = flows_page()
    at.selectbox(key="flows_pick").set_value("eu-20-bcm-2027").run()
    assert not at.exception
    assert at.slider(key="a_year").value == 2027
    assert at.slider(key="a_europe").value == 20.0


def test_network_filters_live_in_the_url():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["net_networks"] = "gas"
    at.query_params["net_year"] = "2015"
    at.run()
    assert not at.exception
    assert not at.warning
    table = at.dataframe[0].value
    assert set(table["network"]) == {"gas"}
    assert all(pd.isna(y) or y <= 2015 for y in table["first_year"])


def test_hostile_network_url_warns_and_uses_defaults(ledger):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["net_networks"] = "<script>alert(1)</script>"
    at.query_params["net_year"] = "99999"
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "'net_networks'" in warnings and "'net_year'" in warnings
    assert len(at.dataframe[0].value) == len(ledger.links)


def test_sources_page_filters_survive_in_the_url():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["est_topic"] = "freight"
    at.run()
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/sources.py")).run()
    assert not at.exception
    assert at.selectbox(key="est_topic").value == "freight"
    assert set(at.dataframe[0].value["series"].str.contains("INSTC|Cargo|Port|Transit")) == {True}


def test_scenario_survives_a_visit_to_another_page():
    at = flows_page(section="Tables")
    at.slider(key="a_europe").set_value(21.0).run()
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/network.py")).run()
    assert not at.exception
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/flows.py")).run()
    assert not at.exception
    assert at.slider(key="a_europe").value == 21.0
    assert at.slider(key="a_year").value == 2025
    markets = at.dataframe[0].value.set_index("market")
    assert markets.at["europe", "demand"] == 21.0


def test_a_ratio_over_almost_nothing_shows_n_a_with_the_reason():
    # 2020: Europe took 0.1 bcm (TAP's first gas on 31 December); a ratio over it would read as 999 %.
    at = flows_page({"v": "1", "year": "2020"})
    assert not at.exception, at.exception
    metric = next(m for m in at.metric if m.label == "Russian gas ÷ exports to Europe")
    assert metric.value == "n/a"
    notes = " ".join(c.value for c in at.caption)
    assert "Russian gas ÷ exports to Europe: n/a, because what it divides by is under 1" in notes
    # The same scenario with Europe at 5 bcm/yr has a ratio again.
    at = flows_page({"v": "1", "year": "2020", "europe": "5"})
    metric = next(m for m in at.metric if m.label == "Russian gas ÷ exports to Europe")
    assert metric.value.endswith("%")


def test_flows_page_shows_how_well_the_model_reproduces_the_past():
    at = flows_page({"v": "1", "year": "2025"}, section="Past record")
    assert not at.exception, at.exception
    heading = next(h for h in at.subheader if h.value.startswith("How well the model reproduces the past"))
    table = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    checked = table[table["inside"] != "no figure"]
    assert f"{int((checked['inside'] == 'no').sum())} of {len(checked)} published figures missed" in heading.value
    order = table["inside"].map({"no": 0, "yes": 1, "no figure": 2})
    assert order.is_monotonic_increasing, "misses come first"
    assert set(table["year"]) == set(range(2018, 2026))


def test_the_tables_say_which_links_a_published_rate_routes_and_which_an_assumption():
    at = flows_page(section="Tables", groups=("Route costs",))
    assert not at.exception, at.exception

    def costs() -> pd.DataFrame:
        table = next(d.value for d in at.dataframe if "cost_per_km" in d.value.columns)
        return table.set_index("link_id")

    before = costs()
    assert set(before["basis"]) == {"published", "assumption"}
    caption = " ".join(c.value for c in at.caption)
    assert "3 of the 31 freight links are routed by a published rate in USD/TEU-km" in caption
    at.slider(key="a_sea_cost_per_teu_km").set_value(0.4).run()
    after = costs()
    assumed = before["basis"] == "assumption"
    assert (after.loc[assumed, "cost_per_km"] > before.loc[assumed, "cost_per_km"]).all()
    assert after.loc[~assumed, "cost_per_km"].equals(before.loc[~assumed, "cost_per_km"])
