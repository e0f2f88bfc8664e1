"""The gas money (issue 14, item 5): sourced prices times solved volumes, the pipeline charges, the margin on Russian gas.

The Russian price after 2007 is no published figure: it must come out flagged as an
assumption with a range, and say so in words. Prices are data (gas_prices.csv), checked by
the validator with file, line and column like every other table.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from corridors import load_ledger, validate_ledger
from corridors.export.pdf import pdf_styles
from corridors.export.report_money import GAS_MONEY_HEADING, ROUTES_HEADING, gas_money_story, routes_story
from corridors.ledger.graph import build_graph
from corridors.ledger.schema import TABLES, table_specs
from corridors.model import solve
from corridors.model.baseline import baseline
from corridors.model.gas_money import PRICE_UNIT, choose_price, draw_intervals, gas_money
from corridors.model.uncertainty import Uncertainty
from corridors.views.gas_money import gas_money_display, gas_money_figure, gas_money_footer
from tests.test_validate import located, set_cell

MIDDLE = Path(__file__).resolve().parent / "data" / "middle_corridor"
RUSSIA = "russia_to_azerbaijan"


@pytest.fixture(scope="module")
def middle():
    return load_ledger(MIDDLE)


@pytest.fixture(scope="module")
def result_2025(ledger, graph):
    return solve(graph, baseline(ledger, 2025).assumptions)


@pytest.fixture(scope="module")
def money_2025(ledger, result_2025):
    return gas_money(ledger, result_2025)


def _pdf_text(story: list) -> str:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(buffer.getvalue())).pages)


def test_prices_are_a_described_table_every_ledger_folder_has(middle):
    spec = table_specs()["gas_prices"]
    assert "gas_prices" in TABLES and spec.path == "gas_prices.csv"
    assert {"price_id", "kind", "flow_ids", "link_ids", "year", "value", "low", "high", "unit", "basis", "source_ids", "note"} <= set(
        spec.columns
    )
    assert {(fk.column, fk.table) for fk in spec.foreign_keys} >= {
        ("source_ids", "sources"),
        ("flow_ids", "model_flows"),
        ("link_ids", "links"),
    }
    assert "assumption" in spec.field("basis").enum
    assert middle.gas_prices.empty  # the second corridor validates with a header-only table


def test_value_is_delivered_volume_times_the_latest_sourced_price(ledger, result_2025, money_2025):
    prices = ledger.gas_prices
    priced = [row for row in money_2025.markets if row.price is not None]
    assert {row.key for row in priced} >= {"europe", "turkiye", "turkiye_tanap", "georgia"}
    for row in priced:
        assert row.volume == pytest.approx(result_2025.markets.loc[row.key, "delivered"])
        for level in ("low", "central", "high"):
            assert getattr(row.value, level) == pytest.approx(row.volume * getattr(row.price, level))
        mine = prices[(prices["kind"] == "export_price") & (prices["unit"] == PRICE_UNIT) & (prices["year"] <= 2025)]
        mine = mine[mine["flow_ids"].str.split(";").map(lambda ids, key=row.key: key in ids)]
        latest = mine[mine["year"] == mine["year"].max()]
        assert row.price_year == mine["year"].max() < 2025  # no 2025 price: the latest is used, and the notes say so
        assert row.price.central == pytest.approx(latest["value"].mean())
        assert (row.price.low, row.price.high) == (pytest.approx(latest["value"].min()), pytest.approx(latest["value"].max()))
        assert any(note.startswith(f"{row.label}: the latest price, from {row.price_year}") for note in money_2025.notes)
    assert money_2025.total.central == pytest.approx(sum(row.value.central for row in priced))
    unpriced = [row for row in money_2025.markets if row.price is None]
    assert all(row.value is None and row.source_ids == () for row in unpriced)
    assert all(any(row.label in note and "no sourced export price" in note for note in money_2025.notes) for row in unpriced)


def test_pipeline_charges_are_the_carried_volume_times_every_statement_of_the_tariff(ledger, result_2025, money_2025):
    flows = result_2025.links.set_index("link_id")["flow"]
    tariff = next(row for row in money_2025.transit if row.item == "transit_tariff")
    links = tariff.key.split(";")
    assert tariff.volume == pytest.approx(max(flows[link] for link in links))
    stated = ledger.gas_prices[(ledger.gas_prices["kind"] == "transit_tariff") & (ledger.gas_prices["year"] <= 2025)]
    assert (tariff.price.low, tariff.price.high) == (stated["value"].min(), stated["value"].max())  # two sources disagree: both kept
    assert tariff.value.central == pytest.approx(tariff.volume * stated["value"].mean())
    assert {row.item for row in money_2025.transit} == {"transit_tariff", "transit_tax"}


def test_every_figure_has_a_source_id_that_exists(ledger, money_2025):
    known = set(ledger.sources["source_id"])
    table = money_2025.table()
    valued = table[table["value_central"].notna()]
    assert len(valued) >= 7
    for cell in valued["source_ids"]:
        ids = cell.split(";")
        assert ids and set(ids) <= known
    for cell in ledger.gas_prices["source_ids"]:
        assert set(cell.split(";")) <= known
    assert set(money_2025.source_ids) <= known


@pytest.mark.parametrize("year", [2008, 2015, 2018, 2022, 2023, 2025, 2035])
def test_the_russian_price_after_2007_is_a_labelled_assumption_with_a_range(ledger, year):
    choice = choose_price(ledger.gas_prices, "import_price", RUSSIA, year)
    assert choice is not None and choice.assumption
    assert choice.span.low < choice.span.central < choice.span.high
    rows = ledger.gas_prices.set_index("price_id").loc[list(choice.price_ids)]
    assert (rows["basis"] == "assumption").all()
    assert rows["note"].str.startswith("Assumption").all()
    # The range rests on sourced figures: the note names where each end comes from.
    assert rows["source_ids"].str.split(";").map(len).ge(2).all()


def test_the_last_public_russian_prices_are_not_assumptions(ledger):
    for year in (2006, 2007):
        choice = choose_price(ledger.gas_prices, "import_price", RUSSIA, year)
        assert choice is not None and not choice.assumption and choice.span.low == choice.span.high


def test_the_margin_is_flagged_and_says_the_russian_price_is_assumed(ledger, result_2025, money_2025):
    (margin,) = money_2025.margins
    russian = float(result_2025.solved["gas"]["used"][RUSSIA])
    assert margin.assumption and margin.volume == pytest.approx(russian) and russian > 0
    europe = next(row for row in money_2025.markets if row.key == "europe")
    imported = choose_price(ledger.gas_prices, "import_price", RUSSIA, 2025)
    assert margin.value.central == pytest.approx((europe.price.central - imported.span.central) * russian)
    assert margin.value.low == pytest.approx((europe.price.low - imported.span.high) * russian)
    assert margin.value.high == pytest.approx((europe.price.high - imported.span.low) * russian)
    assert set(europe.source_ids) | set(imported.source_ids) == set(margin.source_ids)
    assert "Estimate, not a published figure" in margin.note
    assert any("public after 2007" in note and "assumption" in note for note in money_2025.notes)
    assert money_2025.table().set_index("item").loc["margin", "assumption"]


@pytest.mark.parametrize(
    ("price_id", "column", "value", "expected"),
    [
        ("tr-2021-h1", "low", "500", "low 500 is greater than value 141.94"),
        ("tr-2021-h1", "source_ids", "nowhere-2021", "unknown sources id 'nowhere-2021'"),
        ("ru-2024-assumed", "high", "", "an assumption gives its range"),
        ("tanap-2016-tariff", "link_ids", "", "names the links it is charged on"),
        ("ge-2021-h1", "flow_ids", "az_own_use", "an export_price is for a market (export)"),
        ("hub-2024-tass", "flow_ids", "atlantis", "unknown model_flows id 'atlantis'"),
    ],
)
def test_a_broken_price_row_is_reported_with_file_line_and_column(ledger_copy, price_id, column, value, expected):
    ids = pd.read_csv(ledger_copy / "gas_prices.csv", dtype=str)["price_id"].tolist()
    line = ids.index(price_id) + 2
    set_cell(ledger_copy, "gas_prices.csv", line, column, value)
    problems = validate_ledger(ledger_copy)
    where = "low" if column == "high" else column
    hits = located(problems, "gas_prices.csv", line, where)
    assert hits, f"no problem at gas_prices.csv line {line}, column {where}: {problems}"
    assert any(expected in hit.message for hit in hits), hits
    assert f"gas_prices.csv, line {line}, column '{where}'" in str(hits[0])


def test_the_chart_has_a_bar_per_priced_market_with_its_range_and_a_source_line(ledger, money_2025):
    figure = gas_money_figure(money_2025, gas_money_footer(money_2025, ledger.sources))
    (bars,) = figure.data
    priced = [row for row in money_2025.markets if row.value is not None]
    assert list(bars.x) == [row.label for row in priced]
    assert list(bars.error_y.array) == [pytest.approx(row.value.high - row.value.central, abs=0.06) for row in priced]
    assert "USD m/yr" in figure.layout.yaxis.title.text and "2025" in figure.layout.title.text
    footer = figure.layout.annotations[-1].text
    assert footer.startswith("Sources: ") and "Azernews" in footer
    shown = gas_money_display(money_2025)
    assert {"Exports", "Transit tariff", "Margin estimate"} <= set(shown["line"])
    assert shown.loc[shown["line"] == "Margin estimate", "assumption"].eq("assumption").all()


def test_report_sections_build_with_their_headings(ledger, result_2025):
    styles = pdf_styles()
    gas = _pdf_text(gas_money_story(ledger, result_2025, styles))
    assert f"{GAS_MONEY_HEADING}, 2025" in gas
    assert "Assumption." in gas and "public after 2007" in gas
    for words in ("Georgia", "Europe", "TANAP: transit tariff", "Margin on Russian gas", "USD m/yr"):
        assert words in gas
    routes = _pdf_text(routes_story(ledger, styles, 2025, result_2025.assumptions))
    assert f"{ROUTES_HEADING}, 2025" in routes
    for name in ledger.routes["name"]:
        assert " ".join(name.split()[:2]) in routes
    assert "vs benchmark" in routes


def test_draws_give_the_lines_whose_volume_an_indicator_computes_their_spread(ledger, result_2025, money_2025):
    russian, exports = [0.0, 0.4, 0.8, 1.2, 1.6], [24.0, 24.6, 25.2, 25.2, 25.2]
    frame = pd.DataFrame({"russian_imports": russian, "gas_exports": exports})
    run = Uncertainty(pd.DataFrame(), frame[[]], frame, pd.DataFrame(), dict(result_2025.indicators), seed=7)
    intervals = draw_intervals(ledger, money_2025, run)
    (margin,) = money_2025.margins
    expected = sorted(float(q) * margin.price.central for q in np.percentile(russian, [10, 90]))
    assert intervals[("margin", margin.key)] == pytest.approx(tuple(expected))
    check = money_2025.all_exports
    assert intervals[("all_exports", "")] == pytest.approx(tuple(float(q) * check.price.central for q in np.percentile(exports, [10, 90])))
    assert not any(item == "market" for item, _ in intervals)  # no indicator computes one market's volume
    table = money_2025.table(intervals).set_index("item")
    assert table.loc["margin", "value_p10"] == pytest.approx(expected[0], abs=0.06)
    assert draw_intervals(ledger, money_2025, None) == {}
    assert "Over 5 draws" in _pdf_text(gas_money_story(ledger, result_2025, pdf_styles(), run))


def test_a_ledger_without_prices_or_routes_says_so(middle):
    result = solve(build_graph(middle), baseline(middle, 2024).assumptions)
    money = gas_money(middle, result)
    assert money.total is None and money.transit == () and money.margins == ()
    styles = pdf_styles()
    assert "no gas prices" in _pdf_text(gas_money_story(middle, result, styles))
    assert "no routes" in _pdf_text(routes_story(middle, styles, 2024))


def test_the_panel_shows_chart_table_and_the_assumption_in_words():
    from streamlit.testing.v1 import AppTest

    # A script on disk, not AppTest.from_function: a run makes its script the process's __main__, and a function's
    # script is a temporary file that is gone afterwards, so every process spawned later (the chart renderer, the
    # draws' workers) would fail to start.
    run = AppTest.from_file(str(Path(__file__).parent / "apps" / "gas_money_panel_app.py"), default_timeout=60).run()
    assert not run.exception
    assert [s.value for s in run.subheader] == ["The gas money: what the exports are worth"]
    assert any("rests on an assumption" in w.value and "public after 2007" in w.value for w in run.info)
    assert len(run.dataframe) == 1 and len(run.get("plotly_chart")) == 1
    assert any("Margin on Russian gas" in m.label for m in run.metric)


def test_the_scenario_report_carries_the_gas_money_and_the_routes(ledger):
    import io

    from pypdf import PdfReader

    from corridors.export import ScenarioExport, report_pdf
    from corridors.export.report_money import GAS_MONEY_HEADING, ROUTES_HEADING

    bundle = ScenarioExport(ledger, build_graph(ledger), baseline(ledger, 2025).assumptions, "Baseline 2025")
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(bundle, {}))).pages).split())
    assert f"{GAS_MONEY_HEADING}, 2025" in text and f"{ROUTES_HEADING}, 2025" in text
    assert "public after 2007" in text
