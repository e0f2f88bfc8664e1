"""The real dashboard in a real headless Chromium."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_idle

pytestmark = pytest.mark.browser


def test_network_page_draws_the_map_offline(server, page, outside_requests):
    page.goto(server.url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    # Country borders and coastlines come from the shipped topojson: drawn paths, not a blank map.
    page.wait_for_selector(".js-plotly-plot .geo path.countries, .js-plotly-plot .geo .countries path", state="attached")
    assert page.locator(".js-plotly-plot .scattergeo").count() > 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("The corridor network").first.is_visible()
    assert outside_requests == [], f"the page fetched from outside: {outside_requests[:5]}"


def test_sources_page_in_browser(server, page):
    page.goto(f"{server.url}/sources")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Sources & estimates").first.is_visible()
