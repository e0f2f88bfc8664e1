"""Exports opened and checked: real kaleido + Chromium, real openpyxl, real PDF files."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from corridors import build_graph, load_ledger
from corridors.export import (
    PRESETS,
    ExportContext,
    ExportError,
    ImageRenderer,
    ScenarioExport,
    chart_bytes,
    csv_bytes,
    neutralise,
    report_pdf,
    report_zip,
)
from corridors.model.assumptions import baseline
from tests.test_validate import set_cell

pytestmark = pytest.mark.export
CONTEXT = ExportContext("Test scenario", 2025, date(2026, 11, 29), "http://localhost:8501/flows?v=1&year=2025")


@pytest.fixture(scope="module")
def bundle():
    ledger = load_ledger()
    graph = build_graph(ledger)
    assumptions, public = baseline(ledger, 2025).assumptions, "https://corridors.example.org"
    return ScenarioExport(ledger, graph, assumptions, "Test scenario", base_url=public, exported_on=date(2026, 11, 29))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_png_has_signature_and_report_size(bundle):
    fig = bundle.figures()["gas_markets"][1]()
    for preset, size in PRESETS.items():
        assert png_size(chart_bytes(fig, "png", CONTEXT, preset)) == (2 * size.width, 2 * size.height)


def test_svg_parses_and_carries_sources_scenario_and_date(bundle):
    fig = bundle.figures()["gas_markets"][1]()
    svg = chart_bytes(fig, "svg", CONTEXT, "slide")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    assert "Sources:" in text
    publisher = bundle.ledger.sources.set_index("source_id").at[bundle.baseline.provenance["shah_deniz"].source_ids[0], "publisher"]
    assert publisher.split(" ")[0] in text
    assert "Scenario: Test scenario, 2025" in text and "2026-11-29" in text
    assert "Gas (bcm/yr)" in text, "axis title with unit"
    assert 'fill="rgb(255, 255, 255)"' in svg.decode() or "fill: rgb(255, 255, 255)" in svg.decode(), "solid white background"


def test_network_map_export_draws_borders_offline(bundle):
    svg = chart_bytes(bundle.figures()["network"][1](), "svg", CONTEXT, "column").decode()
    # The shipped Natural Earth outlines are drawn: a countries layer with a long border path.
    start = svg.index('class="layer countries"')
    border = svg[start : svg.index("</g>", start)]
    assert len(border) > 100_000, "country borders missing or empty"
    assert 'class="layer coastlines"' in svg


def test_pdf_chart_is_one_page(bundle):
    pdf = chart_bytes(bundle.figures()["instc_branches"][1](), "pdf", CONTEXT, "square")
    assert pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_report_pdf_has_everything_a_reader_needs(bundle):
    pdf = report_pdf(bundle)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 8
    for needle in (
        "Corridors scenario report: Test scenario",
        "Key indicators",
        "Assumptions",
        f"Sources ({len(bundle.ledger.sources)})",
        "Bottlenecks",
        "What is not public",
        bundle.context.permalink[:40],
    ):
        assert needle in text.replace("\n", " "), needle
    images = sum(len(page.images) for page in reader.pages)
    assert images == len(bundle.figures()), "one picture per chart"


def test_zip_holds_svg_png_xlsx_and_csv(bundle):
    archive = zipfile.ZipFile(io.BytesIO(report_zip(bundle)))
    names = archive.namelist()
    for chart in bundle.figures():
        assert any(n.endswith(f"charts/{chart}.svg") for n in names)
        assert any(n.endswith(f"charts/{chart}.png") for n in names)
    assert sum(n.endswith(".xlsx") for n in names) == 1
    assert sum(n.endswith(".csv") for n in names) == len(bundle.tables())


def test_xlsx_sheets_and_row_counts(bundle):
    workbook = load_workbook(io.BytesIO(bundle.xlsx()))
    tables = bundle.tables()
    assert workbook.sheetnames == [*tables, "sources", "assumptions"]
    for name, frame in tables.items():
        assert workbook[name].max_row == len(frame) + 1, name
    assert workbook["sources"].max_row == len(bundle.ledger.sources) + 1
    assumptions = workbook["assumptions"]
    header = [c.value for c in assumptions[1]]
    assert {"assumption", "unit", "value", "where_the_default_comes_from"} <= set(header)
    assert assumptions.max_row == len(bundle.assumptions.model_dump()) + 1
    value_col = header.index("value") + 1
    assert all(isinstance(assumptions.cell(r, value_col).value, int | float) for r in range(2, assumptions.max_row + 1)), (
        "numbers stay numbers"
    )


def test_csv_round_trips_through_pandas(bundle):
    for name, frame in bundle.tables().items():
        back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig")
        assert back.shape == frame.shape, name
        numeric = frame.select_dtypes("number").columns
        pd.testing.assert_frame_equal(
            back[numeric].reset_index(drop=True), frame[numeric].reset_index(drop=True), check_dtype=False, check_exact=False
        )


def test_neutralise_only_touches_text():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("Gazprom") == "Gazprom"
    assert neutralise(-3.5) == -3.5
    assert neutralise(7) == 7


def test_hostile_source_titles_never_become_formulas(ledger_copy):
    set_cell(ledger_copy, "sources.csv", 2, "title", '=HYPERLINK("http://evil.example","click")')
    set_cell(ledger_copy, "sources.csv", 3, "title", "@SUM(A1:A9)")
    set_cell(ledger_copy, "sources.csv", 4, "note", "+cmd|' /C calc'!A0")
    ledger = load_ledger(ledger_copy)
    hostile = ScenarioExport(ledger, build_graph(ledger), baseline(ledger, 2025).assumptions, "Hostile")
    workbook = load_workbook(io.BytesIO(hostile.xlsx()))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "@")), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
    titles = [c.value for c in workbook["sources"]["C"]]
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    raw = csv_bytes(hostile.tables()["estimates"]).decode("utf-8-sig")
    for line in raw.splitlines():
        for field in line.split(","):
            assert not field.lstrip('"').startswith(("=", "@", "+")), line


def test_render_timeout_gives_a_clear_error_and_the_renderer_recovers(bundle):
    renderer = ImageRenderer()
    fig = bundle.figures()["instc_branches"][1]()
    try:
        with pytest.raises(ExportError, match="did not answer within"):
            renderer.render(fig, "png", 400, 300, timeout=0.01)
        data = renderer.render(fig, "png", 400, 300, timeout=60)
        assert png_size(data) == (400, 300)
    finally:
        renderer.close()


@pytest.mark.parametrize("variable", ["BROWSER_PATH", "CORRIDORS_CHROMIUM"])
def test_missing_browser_is_a_clear_error_at_once(tmp_path, variable):
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER_PATH", "CORRIDORS_CHROMIUM")}
    env[variable] = str(tmp_path / "no-chrome")
    done = subprocess.run(
        [sys.executable, "-m", "corridors", "export", "--out", str(tmp_path / "out"), "--formats", "png", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3
    assert f"{variable}={tmp_path / 'no-chrome'} is not an executable browser" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_export_writes_files(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridors",
            "export",
            "--scenario",
            "data/scenarios/eu-20-bcm-2027.yaml",
            "--out",
            str(out),
            "--formats",
            "svg,csv,xlsx",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    charts = {p.stem for p in (out / "charts").glob("*.svg")}
    assert charts == {
        "flows",
        "gas_markets",
        "freight_markets",
        "gas_balance_sankey",
        "instc_branches",
        "network",
        "gas_exports_sources",
        "russian_imports_sources",
    }
    assert (out / "eu-20-bcm-by-2027.xlsx").is_file()
    assert "exporting" in done.stderr, "a progress bar for multi-file exports"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--formats", "png,gif"], "unknown export format(s) gif"),
        (["--year", "1990"], "--year 1990 is outside"),
        (["--scenario", "no-such.yaml"], "no such scenario file"),
    ],
)
def test_cli_export_refuses_bad_arguments(tmp_path, args, message):
    done = subprocess.run(
        [sys.executable, "-m", "corridors", "export", "--out", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
