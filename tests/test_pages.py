"""Each dashboard page run headless through Streamlit's AppTest."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.test_validate import set_cell

from tests.conftest import ROOT

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
    at = run_page("pages/sources.py")
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
