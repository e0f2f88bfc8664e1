"""The years view: each year's baseline, the projection's growth, and the page that draws them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridors.model.projection import Projection, growing_assumptions, projected
from corridors.model.timeline import year_assumptions
from corridors.views.years import years_figure

ROOT = Path(__file__).resolve().parent.parent
YEARS_PAGE = str(ROOT / "corridors/ui/page_scripts/years.py")


def test_only_quantities_read_from_yearly_figures_grow(ledger):
    groups = growing_assumptions(ledger.wiring)
    grown = {name for names in groups.values() for name in names}
    assert {"europe", "turkiye", "shah_deniz", "instc_total"} <= grown
    # Capacities, opening years, shares and tariffs never grow.
    assert not grown & {"tap_capacity", "scp_capacity", "rasht_astara_opens", "western_share", "az_transit_tariff", "year"}


def test_growth_compounds_from_the_start_year_and_changes_nothing_before(ledger):
    projection = Projection(2025, {"Gas demand": 3.0})
    at_2030 = year_assumptions(ledger, 2030)
    grown = projected(ledger.wiring, at_2030, projection)
    assert grown.europe == pytest.approx(round(at_2030.europe * 1.03**5, 4))
    assert grown.shah_deniz == at_2030.shah_deniz  # another group, rate 0
    at_2025 = year_assumptions(ledger, 2025)
    assert projected(ledger.wiring, at_2025, projection) == at_2025
    # A rate that would push a value past its bound stops at the bound.
    capped = projected(ledger.wiring, year_assumptions(ledger, 2035), Projection(2025, {"Freight": 10.0}))
    assert capped.instc_total <= ledger.wiring.parameter_info("instc_total")["maximum"]


def test_the_figure_shades_the_projection_and_marks_every_event(ledger):
    import pandas as pd

    from corridors.model.timeline import events_frame

    model = pd.DataFrame({"year": range(2019, 2036), "value": [float(y - 2000) for y in range(2019, 2036)]})
    events = events_frame(ledger, 2019, 2035)
    figure = years_figure(model, "Exports delivered", "bcm/yr", Projection(2025, {"Gas demand": 3.0}), events=events)
    names = [t.name for t in figure.data]
    assert "Model baseline, year by year" in names and "Model, projected (assumed growth)" in names
    marks = next(t for t in figure.data if t.name.startswith("Events"))
    assert len(marks.x) == len(events) and all(2019 <= x < 2036 for x in marks.x)
    assert figure.layout.shapes[0].x0 == 2025.5  # the projection's band starts after the start year
    assert figure.layout.yaxis.title.text == "Exports delivered (bcm/yr)"


def _years_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(YEARS_PAGE)
    return at


def test_the_page_reads_the_url_and_the_projection_moves_with_its_slider():
    at = _years_page()
    at.query_params["yr_indicator"] = "gas_exports"
    at.run()
    assert not at.exception
    assert at.selectbox(key="yr_indicator").value == "gas_exports"
    table = at.dataframe[0].value.set_index("year")
    column = "Exports delivered (bcm/yr)"
    flat_2030 = table.loc[2030, column]
    assert table.loc[2030, column] == pytest.approx(table.loc[2025, column])  # carried forward flat by default
    assert table.loc[2024, column] == pytest.approx(25.2)  # the published 2024 outturn
    at.slider(key="yr_growth_gas_demand").set_value(3.0).run()
    grown = at.dataframe[0].value.set_index("year")
    assert grown.loc[2025, column] == pytest.approx(table.loc[2025, column])  # a year with outturns does not move
    assert grown.loc[2030, column] != pytest.approx(flat_2030)


def test_an_unknown_indicator_in_the_url_is_warned_about():
    at = _years_page()
    at.query_params["yr_indicator"] = "<script>"
    at.run()
    assert not at.exception
    assert any("yr_indicator" in w.value for w in at.warning)
    assert at.selectbox(key="yr_indicator").value == "russian_share_of_eu_exports"


def test_a_year_the_flows_page_has_drawn_shows_its_interval(ledger):
    import time

    from corridors.ui.uncertainty_panel import kept_run

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/flows.py"))
    at.query_params.update({"v": "1", "year": "2024"})
    at.run()
    drawn = year_assumptions(ledger, 2024)
    deadline = time.monotonic() + 120
    while kept_run(None, drawn) is None and time.monotonic() < deadline:
        at.run()  # the page asks for its draws again, so they are not abandoned
        time.sleep(1)
    assert kept_run(None, drawn) is not None, "the Flows page's draws did not finish in 120 s"
    at.switch_page(YEARS_PAGE)
    at.query_params.clear()
    at.run()
    assert not at.exception
    names = [trace.get("name") for trace in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert "80 % interval of the draws (P10–P90)" in names
    assert not any("No interval yet" in c.value for c in at.caption)
