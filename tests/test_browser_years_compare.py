"""The years view, the comparison and the gas-balance Sankey in a real headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import open_section, wait_for_idle

pytestmark = pytest.mark.browser


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)


def test_years_view_draws_the_model_the_sources_and_the_events(server, page):
    _open(page, f"{server.url}/years?yr_indicator=gas_exports")
    chart = page.locator(".js-plotly-plot").first
    legend = chart.locator(".legendtext")
    expect(legend.filter(has_text="Model baseline, year by year")).to_have_count(1)
    expect(legend.filter(has_text=re.compile(r"^Events \(\d+; hover"))).to_have_count(1)
    expect(chart.locator(".annotation-text").filter(has_text="Projection (assumed growth)")).to_have_count(1)
    assert legend.filter(has_text="Azernews").count() + legend.filter(has_text="Trend").count() > 0  # the publishers' markers
    # The growth slider moves the projection and lands in the URL.
    slider = page.get_by_role("slider", name=re.compile(r"^Gas demand: growth"))
    slider.focus()
    slider.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"yr_growth_gas_demand=0\.5"), timeout=30_000)
    wait_for_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_shared_comparison_link_opens_both_scenarios_and_the_difference_map(server, page):
    _open(page, f"{server.url}/compare?cmp_a=link&a.year=2027&a.europe=15&cmp_b=eu-20-bcm-2027")
    expect(page.get_by_role("combobox", name="Scenario A")).to_have_value("As the shared link says")
    expect(page.get_by_role("combobox", name="Scenario B")).to_have_value("EU 20 bcm by 2027")
    heading = page.get_by_role("heading", name=re.compile("^B: EU 20 bcm by 2027"))
    expect(heading).to_contain_text("against A: Scenario A (from the link) (2027)")
    expect(page.get_by_text("Europe (via TAP and the Balkan routes) 15 → 20 bcm/yr")).to_be_visible()
    legend = page.locator(".js-plotly-plot .legendtext")
    for entry in ("more flow in B", "less flow in B", "no change"):
        expect(legend.filter(has_text=entry)).to_have_count(1)
    # B becomes the Flows page's sliders (the baseline here): the URL then carries B's values, not a name.
    page.get_by_role("combobox", name="Scenario B").click()
    page.get_by_role("option", name="The Flows page's current sliders").click()
    wait_for_idle(page)
    expect(page).to_have_url(re.compile(r"cmp_b=link"), timeout=30_000)
    expect(page).to_have_url(re.compile(r"b\.year=2025"))
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_flows_page_draws_the_gas_balance_sankey(server, page):
    _open(page, f"{server.url}/flows?v=1&russia_to_azerbaijan=2")
    open_section(page, "Charts")  # the page opens on its summary, in words
    sankey = page.locator(".js-plotly-plot .sankey").first
    sankey.scroll_into_view_if_needed()
    labels = page.locator(".js-plotly-plot .sankey .node-label")
    expect(labels.filter(has_text=re.compile(r"^Russian gas: 2\.00$"))).to_have_count(1, timeout=30_000)
    expect(labels.filter(has_text=re.compile(r"^Europe: "))).to_have_count(1)
    # The flows map steps through each year's baseline.
    open_section(page, "Through the years")
    page.get_by_role("button", name=re.compile("Play the flows")).click()
    expect(page.get_by_text("Playing: 2020")).to_be_visible(timeout=30_000)
    expect(page.locator(".js-plotly-plot .gtitle").filter(has_text=re.compile(r"the baseline of 20(20|21|22)"))).to_have_count(1)
    page.get_by_role("button", name=re.compile("Stop")).click()
    wait_for_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_network_map_plays_through_the_years_and_stops(server, page):
    _open(page, f"{server.url}/")
    page.get_by_role("button", name=re.compile("Play the links opening")).click()
    expect(page.get_by_text("Playing: 2019")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Playing: 2020")).to_be_visible(timeout=30_000)  # the year moves on by itself
    title = page.locator(".js-plotly-plot .gtitle").first
    expect(title).to_contain_text(re.compile(r"links in service by 20(19|20|21)"))
    page.get_by_role("button", name=re.compile("Stop")).click()
    wait_for_idle(page)
    expect(page.get_by_text(re.compile(r"^Playing: "))).to_have_count(0)
    expect(page.locator(".js-plotly-plot .gtitle").first).to_contain_text("links in service by 2035")
    assert page.locator('[data-testid="stException"]').count() == 0
