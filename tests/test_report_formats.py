"""What a reader of the exported files sees: tidy numbers, our labels unescaped, a PDF in words, a full-width map."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from corridors.export import ScenarioExport, csv_bytes, report_pdf, tidy_number
from corridors.ledger.graph import build_graph
from corridors.model.assumptions import baseline
from corridors.views.tables import balance_table


def noisy(text: str) -> bool:
    """Float noise as Python prints it: an exponent (``-7.1e-15``) or more than 10 significant digits (``8.900000000000004``)."""
    if re.search(r"\d[eE][-+]?\d", text):
        return True
    digits = re.sub(r"\D", "", text).lstrip("0")
    return len(digits) > 10


@pytest.fixture(scope="module")
def eu_20(ledger, graph):
    assumptions = baseline(ledger, 2027).assumptions.model_copy(update={"tap_capacity": 20.0, "europe": 20.0})
    return ScenarioExport(ledger, graph, assumptions, "EU asks for 20 bcm", exported_on=date(2026, 11, 29))


def test_tidy_number_drops_solver_noise_and_keeps_numbers():
    assert tidy_number(8.900000000000004) == 8.9
    assert tidy_number(-7.105427357601002e-15) == 0.0
    assert str(tidy_number(-1e-12)) == "0.0"
    assert noisy("8.900000000000004") and noisy("-7.105427357601002e-15") and not noisy("0.0307692") and not noisy("2027")
    assert tidy_number(0.03076923076923077) == pytest.approx(0.0307692, abs=1e-12)
    assert tidy_number(1.5e-7) == 1.5e-7, "small real values keep their significant digits"
    assert tidy_number(7) == 7 and tidy_number("8.900000000000004") == "8.900000000000004"


def test_csv_has_no_float_noise(eu_20):
    tables = eu_20.tables()
    # The scenario does produce noise (e.g. 10.999999999999998 delivered to Europe): the export must hide it.
    assert any(noisy(str(float(v))) for frame in tables.values() for v in frame.select_dtypes("number").to_numpy(float).ravel())
    checked = 0
    for name, frame in tables.items():
        rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
        header = rows[0]
        for column in frame.select_dtypes("number").columns:
            i = header.index(column)
            for row in rows[1:]:
                checked += 1
                assert not noisy(row[i]), f"{name}.{column}: {row[i]}"
                assert row[i] == "" or float(row[i]) == float(row[i]), "numbers stay numbers"
    assert checked > 500
    markets = pd.read_csv(io.BytesIO(csv_bytes(tables["markets"])), encoding="utf-8-sig").set_index("market")
    # SCP's 23.4 less Türkiye's 9.6 and Syria's 0.5 leaves 13.3 for Europe (Georgia's gas takes the Gazakh line).
    assert markets.at["europe", "delivered"] == 13.3 and markets.at["europe", "unmet"] == 6.7


def test_xlsx_numbers_are_tidy_and_still_numbers(eu_20):
    workbook = load_workbook(io.BytesIO(eu_20.xlsx()))
    numbers = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    numbers += 1
                    assert not noisy(repr(cell.value)), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
    assert numbers > 100
    markets = workbook["markets"]
    header = [c.value for c in markets[1]]
    europe = next(r for r in markets.iter_rows(min_row=2, values_only=True) if r[0] == "europe")
    assert europe[header.index("delivered")] == 13.3 and isinstance(europe[header.index("delivered")], int | float)


def test_balance_labels_are_not_escaped(eu_20):
    labels = list(balance_table(eu_20.result)["item"])
    assert not any(label.startswith(("+", "-", "=", "@", "−")) for label in labels), labels
    csv = csv_bytes(balance_table(eu_20.result)).decode("utf-8-sig")
    assert "'" not in csv, "the formula guard escaped one of our own labels"
    assert "Plus: imports used" in csv and "Equals: balance residual" in csv
    sheet = load_workbook(io.BytesIO(eu_20.xlsx()))["gas_balance"]
    assert all(not str(c.value).startswith("'") for c in sheet["A"])


@pytest.fixture(scope="module")
def report_text(eu_20) -> str:
    reader = PdfReader(io.BytesIO(report_pdf(eu_20)))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.export
def test_pdf_prints_years_as_years_and_shares_as_percent(report_text):
    assert not re.search(r"\b2,0\d\d\b", report_text), "a year printed with a thousands separator"
    assert "2027" in report_text and "2028" in report_text
    assert not re.search(r"0\.\d+\s*share", report_text), "a share printed as a fraction"
    # Russian gas (0.8 bcm, carried from 2023) over Europe's 13.3: 6%.
    assert re.search(r"\b6%\s*share", report_text), "Russian gas / exports to Europe as the page shows it"


@pytest.mark.export
def test_pdf_tables_name_things_instead_of_ids(report_text):
    flat = report_text.replace("\n", " ")
    for ident in ("az_own_use", "w-rasht-qazvin-rail", "tap-kipoi-komotini", "g-gazimagomed-azgrid", "russia_to_iran"):
        assert ident not in flat, ident
    assert "Azerbaijan (own use)" in flat and "Qazvin-Rasht railway" in flat


@pytest.mark.export
def test_pdf_date_header_and_dates_do_not_break(report_text, eu_20):
    lines = report_text.splitlines()
    assert not any(line.strip() == "d" or line.rstrip().endswith("publishe") for line in lines), "the 'published' header broke"
    dates = [d for d in eu_20.ledger.sources["published"].dropna() if re.fullmatch(r"\d{4}-\d\d-\d\d", str(d))]
    whole = sum(d in report_text for d in dates)
    assert whole == len(dates), f"{len(dates) - whole} publication dates wrapped"


@pytest.mark.export
def test_slide_map_fills_the_frame(eu_20):
    png = eu_20.chart("flows", "png", "slide")
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        for fraction in (0.05, 0.95):
            x = int(width * fraction)
            # Between the title and the source line: the map, not the white page.
            column = [rgb.getpixel((x, y)) for y in range(int(height * 0.15), int(height * 0.85), 4)]
            drawn = sum(1 for pixel in column if pixel != (255, 255, 255))
            assert drawn > 0.9 * len(column), f"the map does not reach {fraction:.0%} of the width"


def test_pdf_holds_the_backtest_table(report_text, eu_20):
    table = eu_20.backtest()
    misses = table[table["inside"].map(lambda v: v is False)]
    flat = " ".join(report_text.split())
    assert "How well the model reproduces the past" in report_text
    assert f"{len(misses)} of {int(table['inside'].notna().sum())} series-years miss" in flat
    for label in ("SCP throughput (Azerbaijan)", "TANAP offtake for Türkiye", "Gas exports to Europe"):
        assert label in flat, label


@pytest.mark.export
def test_pdf_prints_each_miss_with_its_reason(ledger_without_balkan_route):
    # Without the Balkan route through Türkiye's grid, Europe's 2024 record misses; the report says why.
    reduced = ledger_without_balkan_route
    bundle = ScenarioExport(reduced, build_graph(reduced), baseline(reduced, 2024).assumptions, "Baseline", exported_on=date(2026, 11, 29))
    # No chart images (an empty set): the backtest section is text, and rendering 14 charts would only cost time.
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(report_pdf(bundle, {}))).pages).split())
    misses = bundle.backtest()
    misses = misses[misses["inside"].map(lambda v: v is False)]
    assert len(misses) >= 1
    assert f"{len(misses)} of" in text
    first_words = " ".join(misses.iloc[0]["reason"].split()[:4])
    assert first_words in text
