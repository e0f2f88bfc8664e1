"""The PDF report's charts keep a readable plot next to a long legend (real kaleido + Chromium renders)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from PIL import Image

from corridors import build_graph, load_ledger
from corridors.export import PRESETS, ScenarioExport, report_figure
from corridors.export.render import REPORT_MAX_ASPECT, REPORT_PRESET, REPORT_TEXT_SCALE
from corridors.model.assumptions import baseline

pytestmark = pytest.mark.export

#: The chart with the longest legend: one entry per publisher and basis of Azerbaijan's gas exports.
SERIES = "gas_exports_sources"


@pytest.fixture(scope="module")
def bundle() -> ScenarioExport:
    ledger = load_ledger()
    return ScenarioExport(ledger, build_graph(ledger), baseline(ledger, 2025).assumptions, "Test scenario", exported_on=date(2026, 11, 29))


def svg_box(svg: str, pattern: str) -> tuple[float, float]:
    """(top, height) of the first element matched by ``pattern`` (a regex with groups y and height)."""
    found = re.search(pattern, svg)
    assert found, f"not in the SVG: {pattern}"
    return float(found["y"]), float(found["height"])


def test_series_chart_in_the_report_keeps_a_readable_plot(bundle):
    figure = bundle.figures()[SERIES][1]()
    entries = sum(1 for trace in figure.data if trace.showlegend is not False)
    assert entries >= 12, "the test needs a long legend to mean anything"
    # Rendered the way report_pdf renders it (render_charts -> bundle.chart at the report preset and text scale).
    svg = bundle.chart(SERIES, "svg", REPORT_PRESET, REPORT_TEXT_SCALE).decode()
    png = bundle.chart(SERIES, "png", REPORT_PRESET, REPORT_TEXT_SCALE)

    width, height = (float(v) for v in re.search(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"', svg).groups())
    size = PRESETS[REPORT_PRESET]
    assert width == size.width
    assert size.height < height <= size.width * REPORT_MAX_ASPECT, "taller than the preset, yet short enough for one A4 page"
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (2 * width, 2 * height), "the PNG in the PDF has the figure's own size"

    # The plot area is the x-y clip rectangle plotly draws the markers in.
    plot_clip = r'class="axesclip" id="clip\w+xy"><rect x="[\d.]+" y="(?P<y>[\d.]+)" width="[\d.]+" height="(?P<height>[\d.]+)"'
    plot_top, plot_height = svg_box(svg, plot_clip)
    assert plot_height >= 0.4 * height, f"plot is {plot_height:.0f} px of {height:.0f}"
    # The legend sits whole between the top of the image and the plot: nothing cut, nothing covered.
    legend_top = float(re.search(r'<g class="legend"[^>]*transform="translate\([\d.]+,\s*([\d.]+)\)"', svg)[1])
    legend_height = float(re.search(r'<g class="legend".*?<rect class="bg"[^>]*height="([\d.]+)"', svg)[1])
    assert legend_top > 0 and legend_top + legend_height <= plot_top + 1
    assert svg.count('class="traces"', svg.index('<g class="legend"')) >= entries


def test_report_growth_leaves_downloads_and_short_legends_alone(bundle):
    context = bundle.context
    series = bundle.figures()[SERIES][1]()
    # What a user downloads keeps the preset's exact size, long legend or not.
    for preset, size in PRESETS.items():
        ready = report_figure(series, context, preset)
        assert (ready.layout.width, ready.layout.height) == (size.width, size.height), preset
    # In the report, a chart whose margins leave room for its plot keeps the preset's height.
    markets = report_figure(bundle.figures()["gas_markets"][1](), context, REPORT_PRESET, REPORT_TEXT_SCALE)
    assert (markets.layout.width, markets.layout.height) == (PRESETS[REPORT_PRESET].width, PRESETS[REPORT_PRESET].height)
    # ... and one whose legend fills the margin grows until its plot has its share.
    grown = report_figure(series, context, REPORT_PRESET, REPORT_TEXT_SCALE)
    plot = grown.layout.height - grown.layout.margin.t - grown.layout.margin.b
    assert plot >= 0.4 * grown.layout.height
