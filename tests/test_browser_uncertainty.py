"""Intervals on the Flows page, in a real headless Chromium: the draws run behind the page, then show."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from corridors.ui.uncertainty_panel import page_draws
from tests.conftest import open_section, wait_for_idle
from tests.test_browser_scenarios import EUROPE, UPLOAD_INPUT, assert_no_error, open_flows, slider, step_to

pytestmark = pytest.mark.browser

SHARE = "Russian gas ÷ exports to Europe"


def metric_value(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).first.locator('[data-testid="stMetricValue"]')


def test_intervals_arrive_without_blocking_and_a_slider_still_answers_at_once(server, page):
    open_flows(page, server, "?year=2025")
    open_section(page, "How sure is this?")
    expect(page.get_by_text("How sure is this? Intervals from where the sources disagree")).to_be_visible()
    # A slider moved while the draws run answers at once: the central value changes, no error appears.
    step_to(slider(page, EUROPE), "ArrowLeft", "12.7")
    wait_for_idle(page)
    assert_no_error(page)
    # Then the draws finish and every headline metric gains its 80 % interval, e.g. "6% (2%–6%)".
    expect(metric_value(page, SHARE)).to_have_text(re.compile(r"^\d+% \(\d+%–\d+%\)$"), timeout=180_000)
    expect(page.get_by_text("What moves it").first).to_be_attached()
    tornado = page.locator(".js-plotly-plot").filter(has_text="What moves it")
    expect(tornado.first).to_be_visible()
    # The distribution of the chosen indicator has P10, P50 and P90 marked.
    histogram = page.locator(".js-plotly-plot").filter(has_text="what the sources allow").first
    for mark in ("P10", "P50", "P90"):
        expect(histogram.get_by_text(mark, exact=True).first).to_be_attached()
    # Both charts have the download panel, like every chart on the page.
    panels = page.get_by_text("Download this chart (PNG, SVG, PDF)")
    expect(panels).to_have_count(page.locator(".js-plotly-plot").count(), timeout=30_000)
    expect(page.get_by_text(f"{page_draws()} draws").first).to_be_attached()  # CORRIDORS_PAGE_DRAWS, set by the test suite
    wait_for_idle(page)
    assert_no_error(page)


def test_the_draws_ending_loses_no_slider_value(server, page, tmp_path):
    # The draws' end reruns the whole page from a fragment. A file sent just after that rerun once carried every
    # slider at its minimum (year 2018, all flows 0) into the page and the URL: the scenario was lost.
    open_flows(page, server, "?v=1&europe=15")
    url_before = page.url
    # Polled every frame, so the file goes in while that rerun is still drawing the page.
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')].some(e => /\\(\\d+%–\\d+%\\)$/.test(e.innerText))""",
        timeout=180_000,
    )
    refused = tmp_path / "refused.yaml"
    refused.write_text("corridors_scenario: 1\nyear: 1900\n", encoding="utf-8")
    page.set_input_files(UPLOAD_INPUT, str(refused))
    expect(page.locator('[data-testid="stAlertContentError"]').filter(has_text="refused.yaml")).to_contain_text("refused")
    wait_for_idle(page)
    assert page.url == url_before
    expect(slider(page, "Year")).to_have_value("2025")
    expect(slider(page, EUROPE)).to_have_value("15")
