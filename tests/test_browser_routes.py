"""The Routes page in a real headless Chromium: its charts draw, name every route and say where the figures come from."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_idle

pytestmark = pytest.mark.browser
#: The text of SVG elements (they have no innerText).
TEXTS = "elements => elements.map(e => e.textContent)"


def test_routes_page_draws_its_charts_in_chromium(server, page, outside_requests):
    page.goto(f"{server.url}/routes")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Routes: days and dollars per container").first.is_visible()
    # The time-cost chart, days and cost by leg, and the chosen route's map.
    assert page.locator(".js-plotly-plot").count() == 4
    scatter = page.locator(".js-plotly-plot").first
    legend = set(scatter.locator(".legendtext").evaluate_all(TEXTS))
    named = {"Sea via the Suez Canal (benchmark)", "Western branch via Azerbaijan", "Eastern branch via Kazakhstan and Turkmenistan"}
    assert named <= legend
    assert any(text.startswith("Sources:") for text in scatter.locator(".annotation-text").evaluate_all(TEXTS))
    assert page.get_by_text("Rasht-Astara railway opens (year)").first.is_visible()
    assert outside_requests == [], f"the page fetched from outside: {outside_requests[:5]}"
