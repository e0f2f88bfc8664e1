"""Scenario B against A: the tables, the difference map, the files and the page."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from corridors.export import ScenarioExport, report_pdf
from corridors.model.baseline import baseline
from corridors.model.compare import compare_scenarios
from corridors.model.scenarios import Scenario, shipped_scenarios
from corridors.views.comparison import comparison_tables
from corridors.views.maps import DIFFERENCE_LEGEND, difference_figure

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def no_russian_gas(ledger, graph):
    return compare_scenarios(ledger, graph, Scenario("Baseline", 2025, {}), shipped_scenarios(ledger)["no-russian-gas"])


def test_tables_give_a_b_and_b_minus_a_with_names(ledger, no_russian_gas):
    tables = comparison_tables(no_russian_gas["a"], no_russian_gas["b"], ledger.wiring)
    indicators = tables["indicators"].set_index("indicator")
    assert indicators.loc["russian_imports", "a"] == pytest.approx(0.8)
    assert indicators.loc["russian_imports", "b"] == pytest.approx(0.0)
    assert indicators.loc["russian_imports", "delta"] == pytest.approx(-0.8)
    assert indicators.loc["russian_imports", "label"] == "Russian gas used"
    markets = tables["markets"].set_index("market")
    assert (markets["delivered_delta"] == markets["delivered_b"] - markets["delivered_a"]).all()
    assert set(tables["binding_changes"]["link_id"]) == set(tables["links"].loc[tables["links"]["binding_changes"], "link_id"])


def test_the_difference_map_sizes_by_change_and_colours_by_sign(graph, no_russian_gas):
    deltas = pd.DataFrame(no_russian_gas["diff"]["links"]).rename(columns={"id": "link_id"})
    figure = difference_figure(graph, deltas, "B against A", "Sources: test")
    legend = [t.name for t in figure.data if t.showlegend is not False and t.name in dict(DIFFERENCE_LEGEND)]
    assert legend == [name for name, _ in DIFFERENCE_LEGEND]
    hover = next(t for t in figure.data if t.name == "Link details (hover)")
    mozdok = next(text for text in hover.text if "g-mozdok-gazimagomed" in text)
    assert "A: 0.8 · B: 0" in mozdok and "change: -0.8" in mozdok
    colours = {t.line.color for t in figure.data if t.mode == "lines" and t.name == "link"}
    assert colours == {colour for _, colour in DIFFERENCE_LEGEND}  # more, less and no change all drawn


def test_the_files_carry_the_comparison_and_the_report_an_a_against_b_section(ledger, graph):
    scenario = shipped_scenarios(ledger)["no-russian-gas"]
    bundle = ScenarioExport(
        ledger, graph, scenario.assumptions(ledger), scenario.name, against=(baseline(ledger, 2025).assumptions, "Baseline 2025")
    )
    assert "difference" in bundle.figures()
    assert {"compare_indicators", "compare_markets", "compare_links", "compare_assumptions"} <= set(bundle.tables())
    book = load_workbook(io.BytesIO(bundle.xlsx()))
    rows = list(book["compare_indicators"].values)
    header = rows[0]
    imports = next(r for r in rows if r[0] == "russian_imports")
    assert imports[header.index("a")] == pytest.approx(0.8) and imports[header.index("delta")] == pytest.approx(-0.8)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(bundle, {}))).pages).split())
    assert "A against B: Baseline 2025 (A) against No Russian gas to Azerbaijan (B)" in text
    assert "Russian gas into Azerbaijan bcm/yr 0.8 0" in text


def test_the_balance_sankey_is_among_the_scenarios_charts(ledger, graph):
    bundle = ScenarioExport(ledger, graph, baseline(ledger, 2025).assumptions, "Baseline 2025")
    assert "gas_balance_sankey" in bundle.figures()
    figure = bundle.figures()["gas_balance_sankey"][1]()
    assert figure.data[0].type == "sankey"


def test_the_compare_page_reads_both_sides_from_the_url():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/compare.py"))
    at.query_params.update({"cmp_a": "link", "a.year": "2025", "a.russia_to_azerbaijan": "2", "cmp_b": "no-russian-gas"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="cmp_a").value == "link" and at.selectbox(key="cmp_b").value == "no-russian-gas"
    imports = at.dataframe[0].value.set_index("indicator").loc["russian_imports"]
    assert (imports["a"], imports["b"], imports["delta"]) == (pytest.approx(2.0), pytest.approx(0.0), pytest.approx(-2.0))
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    fresh.switch_page(str(ROOT / "corridors/ui/page_scripts/compare.py"))
    fresh.query_params.update({"cmp_a": "link", "a.russia_to_azerbaijan": "lots"})
    fresh.run()
    assert not fresh.exception
    assert any("russia_to_azerbaijan" in w.value for w in fresh.warning)


def test_a_side_the_flows_page_has_drawn_gets_its_interval():
    import time

    from corridors.ui.uncertainty_panel import kept_run

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/flows.py"))
    at.query_params.update({"v": "1", "year": "2025", "europe": "14"})
    at.run()
    assert not at.exception
    from corridors import load_ledger

    ledger = load_ledger()
    drawn = ledger.wiring.assumption_model(**{**baseline(ledger, 2025).assumptions.model_dump(), "europe": 14.0})
    deadline = time.monotonic() + 120
    while kept_run(None, drawn) is None and time.monotonic() < deadline:
        at.run()  # the page asks for its draws again, so they are not abandoned
        time.sleep(1)
    assert kept_run(None, drawn) is not None, "the Flows page's draws did not finish in 120 s"
    at.switch_page(str(ROOT / "corridors/ui/page_scripts/compare.py"))
    at.query_params.clear()
    at.query_params.update({"cmp_a": "link", "a.year": "2025", "a.europe": "14", "cmp_b": "baseline"})
    at.run()
    assert not at.exception
    indicators = at.dataframe[0].value.set_index("indicator")
    assert {"a_p10", "a_p90"} <= set(indicators.columns)
    # B (the baseline) has its interval only if some page in this process drew it.
    b_drawn = kept_run(None, baseline(ledger, 2025).assumptions) is not None
    assert ("b_p10" in indicators.columns) == b_drawn
    share = indicators.loc["russian_share_of_eu_exports"]
    assert share["a_p10"] <= share["a_p90"]
