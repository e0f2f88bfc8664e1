"""Flows page state through Streamlit's AppTest: the URL, the scenario's name, number boxes, deltas, what limits."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.test_pages import flows_page, metric_value, number_box, plotly_spec


def query(at: AppTest) -> dict[str, str]:
    """The URL's parameters after the run, one value each (AppTest may hold a list)."""
    out = {}
    for key, value in at.query_params.items():
        values = value if isinstance(value, list) else [value]
        assert len(values) == 1, f"{key} appears {len(values)} times in the URL: {values}"
        out[key] = values[0]
    return out


def scenario_caption(at: AppTest) -> str:
    captions = [c.value for c in at.caption if c.value.startswith("Scenario:")]
    assert len(captions) == 1, [c.value for c in at.caption]
    return captions[0]


def map_title(at: AppTest) -> str:
    return plotly_spec(at, 0)["layout"]["title"]["text"]


def metric(at: AppTest, label_start: str):
    found = [m for m in at.metric if m.label.startswith(label_start)]
    assert found, [m.label for m in at.metric]
    return found[0]


def test_url_is_written_in_the_run_that_loads_a_named_scenario_resets_or_moves_a_slider():
    at = flows_page(groups=("Gas capacity",))
    assert query(at) == {"v": "1", "year": "2025"}
    at.selectbox(key="flows_pick").set_value("eu-20-bcm-2027").run()
    assert not at.exception
    # This very run, not a later one, carries the scenario into the URL.
    assert query(at) == {"v": "1", "year": "2027", "europe": "20"}
    at.button(key="flows_reset").click().run()
    assert query(at) == {"v": "1", "year": "2027"}
    at.slider(key="a_tap_capacity").set_value(15.0).run()
    assert query(at) == {"v": "1", "year": "2027", "tap_capacity": "15"}
    at.slider(key="a_year").set_value(2030).run()
    assert query(at) == {"v": "1", "year": "2030", "tap_capacity": "15"}


def test_caption_and_map_title_say_edited_after_a_slider_move():
    at = flows_page()
    assert "Scenario: **Baseline**" in scenario_caption(at)
    assert map_title(at).endswith(": Baseline")
    at.slider(key="a_europe").set_value(20.0).run()
    assert "Scenario: **Baseline (edited)**" in scenario_caption(at)
    assert map_title(at).endswith(": Baseline (edited)")
    at.button(key="flows_reset").click().run()
    assert "Scenario: **Baseline**" in scenario_caption(at)
    assert map_title(at).endswith(": Baseline")


def test_a_named_scenario_becomes_edited_when_a_slider_moves_and_named_again_when_moved_back():
    at = flows_page(groups=("Gas capacity",))
    at.selectbox(key="flows_pick").set_value("eu-20-bcm-2027").run()
    assert "**EU 20 bcm by 2027**" in scenario_caption(at)
    assert map_title(at).endswith(": EU 20 bcm by 2027")
    own_value = at.slider(key="a_tap_capacity").value
    at.slider(key="a_tap_capacity").set_value(20.0).run()
    assert "**EU 20 bcm by 2027 (edited)**" in scenario_caption(at)
    assert map_title(at).endswith(": EU 20 bcm by 2027 (edited)")
    # Moving back to the scenario's own value restores its name.
    number_box(at, "tap_capacity").set_value(own_value).run()
    assert "**EU 20 bcm by 2027**" in scenario_caption(at), scenario_caption(at)


def test_a_link_without_v_applies_its_settings_without_a_warning():
    at = flows_page({"europe": "20"})
    assert not at.exception, at.exception
    assert not at.warning, [w.value for w in at.warning]
    assert at.slider(key="a_europe").value == 20.0
    assert number_box(at, "europe").value == 20.0
    assert "Custom (from link)" in scenario_caption(at)
    assert query(at) == {"v": "1", "year": "2025", "europe": "20"}


def test_a_parameter_given_twice_is_warned_about_and_the_url_is_cleaned():
    at = flows_page({"v": "1", "europe": ["20", "15"]})
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "'europe'" in warnings[0] and "'15'" in warnings[0], warnings
    assert at.slider(key="a_europe").value == 15.0
    assert query(at) == {"v": "1", "year": "2025", "europe": "15"}


def test_number_box_and_slider_follow_each_other_and_the_url():
    at = flows_page(groups=("Freight",))
    before = metric_value(at, "Gas demand not met")
    number_box(at, "europe").set_value(20.0).run()
    assert not at.exception
    assert at.slider(key="a_europe").value == 20.0
    assert query(at)["europe"] == "20"
    assert metric_value(at, "Gas demand not met") != before
    at.slider(key="a_europe").set_value(14.5).run()
    assert number_box(at, "europe").value == 14.5
    assert query(at)["europe"] == "14.5"
    number_box(at, "rasht_astara_opens").set_value(2031).run()
    assert at.slider(key="a_rasht_astara_opens").value == 2031 and query(at)["rasht_astara_opens"] == "2031"
    # Loading a scenario and changing the year move the number boxes too.
    at.selectbox(key="flows_pick").set_value("eu-20-bcm-2027").run()
    assert number_box(at, "europe").value == 20.0
    at.button(key="flows_reset").click().run()
    assert number_box(at, "europe").value == at.slider(key="a_europe").value
    at.slider(key="a_year").set_value(2018).run()
    assert all(number_box(at, name).value == at.slider(key=f"a_{name}").value for name in ("europe", "turkiye", "acg"))


def test_metrics_show_the_change_against_the_baseline():
    at = flows_page()
    assert all(not m.delta for m in at.metric), [(m.label, m.delta) for m in at.metric]
    at.slider(key="a_russia_to_azerbaijan").set_value(3.0).run()
    delta = metric(at, "Russian gas ÷ exports to Europe").delta
    assert delta.startswith("+") and delta.endswith(" pp"), delta
    at.slider(key="a_europe").set_value(20.0).run()
    assert metric(at, "Gas demand not met").delta.endswith(" bcm/yr")


def test_what_limits_the_result_is_said_next_to_the_metrics():
    at = flows_page({"v": "1", "tap_capacity": "20", "europe": "20"})
    notes = [i.value for i in at.info if "What limits this result" in i.value]
    assert len(notes) == 1, [i.value for i in at.info]
    europe = next(line for line in notes[0].splitlines() if "Europe" in line)
    # SCP's 23.4 less Türkiye's 9.6 and Syria's 0.5 leaves Europe 13.3 of its 20: 6.7 short.
    assert "6.70 bcm/yr short" in europe and "South Caucasus Pipeline" in europe and "are full" in europe
    # Enough capacity and modest demand: the page says nothing limits.
    at = flows_page({"v": "1", "europe": "5", "instc_total": "1"})
    assert any("no capacity limits the result" in s.value for s in at.success), [s.value for s in at.success]
    assert not [i for i in at.info if "What limits" in i.value]


def test_an_emptied_number_box_shows_the_sliders_value_again_and_changes_nothing():
    at = flows_page()
    before = (at.slider(key="a_europe").value, query(at), metric_value(at, "Gas demand not met"))
    number_box(at, "europe").set_value(None).run()
    assert not at.exception, at.exception
    assert (at.slider(key="a_europe").value, query(at), metric_value(at, "Gas demand not met")) == before
    assert number_box(at, "europe").value == before[0]


def test_the_browsers_stale_copy_of_the_sliders_does_not_undo_a_named_scenario():
    # A key pressed while the run that loaded the scenario is on its way reports the sliders as the page still shows
    # them: the old values, with the pressed slider one step on. AppTest sends what it is told, as the browser would.
    at = flows_page()
    old = {key: at.slider(key=key).value for key in ("a_year", "a_europe", "a_turkiye")}
    at.selectbox(key="flows_pick").set_value("eu-20-bcm-2027").run()
    assert query(at)["europe"] == "20" and at.slider(key="a_year").value == 2027
    at.slider(key="a_year").set_value(old["a_year"])
    at.slider(key="a_europe").set_value(old["a_europe"])
    at.slider(key="a_turkiye").set_value(round(old["a_turkiye"] + 0.1, 1)).run()
    assert not at.exception
    # The scenario stays; the pressed slider keeps the user's value.
    assert at.slider(key="a_year").value == 2027 and at.slider(key="a_europe").value == 20.0
    assert at.slider(key="a_turkiye").value == round(old["a_turkiye"] + 0.1, 1)
    assert query(at)["year"] == "2027" and query(at)["europe"] == "20"
    # Once the browser has reported the scenario's values, the old ones are the user's to choose again.
    at.run()
    at.slider(key="a_year").set_value(old["a_year"]).run()
    assert at.slider(key="a_year").value == old["a_year"] and query(at)["year"] == str(old["a_year"])
