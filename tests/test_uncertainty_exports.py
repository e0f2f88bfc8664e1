"""Intervals in the exports: P10/P50/P90 columns in the tables, and the report's Uncertainty section."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from corridors.export import ScenarioExport, csv_bytes, report_pdf
from corridors.model.baseline import baseline
from corridors.model.solve import model_of
from corridors.model.uncertainty import monte_carlo


@pytest.fixture(scope="module")
def drawn(ledger, graph):
    base = baseline(ledger, 2025)
    run = monte_carlo(model_of(graph), ledger, base, base.assumptions, draws=32, seed=7)
    return ScenarioExport(ledger, graph, base.assumptions, "Baseline", exported_on=date(2026, 11, 30), uncertainty=run)


def test_indicator_csv_and_xlsx_gain_p10_p50_p90(drawn):
    table = pd.read_csv(io.BytesIO(csv_bytes(drawn.tables()["indicators"])), encoding="utf-8-sig").set_index("key")
    assert {"p10", "p50", "p90"} <= set(table.columns)
    intervals = drawn.uncertainty.intervals()
    assert table.at["instc_western", "p90"] == pytest.approx(intervals.at["instc_western", "p90"], abs=1e-6)
    assert table.at["gas_production", "p10"] == table.at["gas_production", "p90"] == pytest.approx(51.5)
    assert (table["p10"].dropna() <= table["p90"].dropna() + 1e-9).all()
    sheet = load_workbook(io.BytesIO(drawn.xlsx()))["indicators"]
    header = [c.value for c in sheet[1]]
    assert {"p10", "p50", "p90"} <= set(header)


def test_without_draws_the_columns_are_there_and_blank(ledger, graph):
    plain = ScenarioExport(ledger, graph, baseline(ledger, 2025).assumptions, "Baseline", exported_on=date(2026, 11, 30))
    table = plain.tables()["indicators"]
    assert {"p10", "p50", "p90"} <= set(table.columns) and table[["p10", "p50", "p90"]].isna().all().all()
    assert not any(name.startswith("uncertainty_") for name in plain.figures())


@pytest.mark.export
def test_report_has_an_uncertainty_section_with_method_charts_and_binding(drawn):
    # Only the two uncertainty charts are rendered: the section is what this test reads.
    charts = {f"{name}.png": drawn.chart(name, "png") for name in ("uncertainty_distribution", "uncertainty_tornado")}
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(drawn, charts))).pages).split())
    assert "Uncertainty" in text
    assert "32 draws" in text and "seed 7" in text and "Latin hypercube" in text
    assert "What the sources allow: Russian gas ÷ exports to Europe" in text
    assert "What moves it: Russian gas ÷ exports to Europe" in text
    assert "Links that bind in some draws" in text and "South Caucasus Pipeline (SCP), Azerbaijan section" in text


def test_cli_export_with_draws_writes_the_intervals(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridors",
            "export",
            "--year",
            "2025",
            "--out",
            str(tmp_path),
            "--formats",
            "csv",
            "--draws",
            "16",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "tables" / "indicators.csv", encoding="utf-8-sig")
    assert table[["p10", "p50", "p90"]].notna().any().all()


def test_the_map_marks_links_that_bind_in_half_the_draws(drawn):
    figure = drawn.figures()["flows"][1]()
    midpoints = next(t for t in figure.data if t.mode == "markers" and t.text is not None and len(t.text) > 20)
    probability = drawn.uncertainty.binding_probability()
    likely = set(probability[probability >= 0.5].index)
    assert likely >= {"scp-sangachal-georgia", "tap-kipoi-komotini"}
    marked = [text for text, symbol in zip(midpoints.text, midpoints.marker.symbol) if symbol == "diamond"]
    assert len(marked) == len(likely)
    assert all("Binds in" in text for text in midpoints.text)
    assert any(t.name == "binds in ≥ 50% of the draws" for t in figure.data)
