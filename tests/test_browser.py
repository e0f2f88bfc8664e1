"""The real dashboard in a real headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import open_section, step_to, wait_for_idle

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


def indicator_text(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_keyboard_slider_move_updates_figure_indicator_and_url(server, page):
    page.goto(f"{server.url}/flows")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    before_metric = indicator_text(page, "Russian gas ÷ exports to Europe")
    before_svg = page.locator(".js-plotly-plot").first.inner_html()
    slider = page.get_by_role("slider", name="Russian gas into Azerbaijan (bcm/yr)")
    for _ in range(20):
        slider.press("ArrowRight")
    wait_for_idle(page)
    page.wait_for_function(
        """before => {
            const m = [...document.querySelectorAll('[data-testid=stMetric]')]
                .find(e => e.innerText.includes('Russian gas ÷ exports to Europe'));
            const v = m && m.querySelector('[data-testid=stMetricValue]');
            return v && v.innerText.trim() !== before.trim();
        }""",
        arg=before_metric,
        timeout=30_000,
    )
    assert indicator_text(page, "Russian gas ÷ exports to Europe") != before_metric
    # The map redraw and the URL update land just after the rerun: poll rather than read once.
    page.wait_for_function("before => document.querySelector('.js-plotly-plot').innerHTML !== before", arg=before_svg, timeout=30_000)
    expect(page).to_have_url(re.compile(r"russia_to_azerbaijan="), timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_shared_link_survives_a_reload(server, page):
    page.goto(f"{server.url}/flows?v=1&year=2027&europe=20")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    page.reload()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    assert "europe=20" in page.url
    assert float(page.get_by_role("slider", name="Europe (via TAP and the Balkan routes) (bcm/yr)").input_value()) == 20.0


def test_table_download_is_a_real_csv(server, page, tmp_path):
    page.goto(f"{server.url}/flows")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    url_before = page.url
    open_section(page, "Download")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="link_flows.csv").click()
    path = tmp_path / "flows.csv"
    info.value.save_as(path)
    import pandas as pd

    table = pd.read_csv(path, encoding="utf-8-sig")
    assert {"link_id", "flow", "capacity", "unit"} <= set(table.columns)
    assert len(table) > 40
    assert page.url == url_before, "downloading must not change the page"


def test_chart_download_prepares_and_saves_a_png(server, page, tmp_path):
    page.goto(f"{server.url}/flows")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    page.get_by_text("Download this chart (PNG, SVG, PDF)").first.click()
    page.get_by_role("button", name="Prepare file").first.click()
    save = page.get_by_role("button", name="Save flows.png")
    save.wait_for(timeout=90_000)
    with page.expect_download(timeout=60_000) as info:
        save.click()
    path = tmp_path / "flows.png"
    info.value.save_as(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_network_filter_survives_a_reload(server, page, ledger):
    page.goto(f"{server.url}/?net_networks=gas")  # the default page lives at the root URL
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    year = page.get_by_role("slider", name="Show links in service by year")
    step_to(year, "ArrowLeft", "2030")  # from 2035, one press at a time: a rerun may redraw the slider
    wait_for_idle(page)
    assert year.input_value() == "2030"
    try:
        page.wait_for_function("() => window.location.search.includes('net_year=2030')", timeout=30_000)
    except Exception as err:
        raise AssertionError(f"URL not updated: {page.url}") from err
    page.reload()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    assert "net_networks=gas" in page.url and "net_year=2030" in page.url
    assert page.get_by_role("slider", name="Show links in service by year").input_value() == "2030"
    # Gas links whose first year (if any) is 2030 or earlier, counted from links.csv, not from the page's code.
    links = ledger.links
    gas_by_2030 = int(((links["network"] == "gas") & (links["first_year"].isna() | (links["first_year"] <= 2030))).sum())
    expect(page.get_by_text("Links shown (").first).to_have_text(f"Links shown ({gas_by_2030} of {len(links)})")
    assert "freight" not in page.locator('[data-testid="stMultiSelect"]').first.inner_text()


def test_flows_page_opens_on_its_summary_and_a_closed_group_opens_with_its_value(server, page):
    page.goto(f"{server.url}/flows?v=1&tap_capacity=15&contestable_share=0.5")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    # The summary, in words: what differs from the year's baseline, and what each market receives.
    expect(page.get_by_text("Changed from the baseline of 2025")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^TAP capacity: 15 bcm/yr \(baseline [0-9.]+ bcm/yr\)$"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Europe: [0-9.]+ of [0-9.]+ bcm/yr delivered"))).to_be_visible()
    # Gas capacity is closed on arrival, so its sliders are not there; opening it shows the link's own value.
    tap = page.get_by_role("slider", name=re.compile(r"^TAP capacity \(bcm\/yr\)"))  # "/" escaped for the JS regex
    europe = page.get_by_role("slider", name=re.compile(r"^Europe \(via TAP"))
    expect(tap).to_have_count(0)
    europe_value = europe.input_value()
    page.locator('[data-testid="stSidebar"] summary', has_text="Gas capacity").click()
    expect(tap).to_have_value("15", timeout=30_000)
    assert re.search(r"[?&]tap_capacity=15(&|$)", page.url), page.url
    # One group at a time: opening Gas capacity closed the two open on arrival; their values stay in the scenario.
    expect(europe).to_have_count(0)
    page.locator('[data-testid="stSidebar"] summary', has_text="Gas demand").click()
    expect(europe).to_have_value(europe_value, timeout=30_000)
    expect(tap).to_have_count(0)
    assert re.search(r"[?&]tap_capacity=15(&|$)", page.url), page.url
    # The tables say which links a published rate routes and which a labelled assumption.
    open_section(page, "Tables")
    expect(page.get_by_text("What a km costs on each link")).to_be_visible()
    expect(page.get_by_text(re.compile(r"3 of the 31 freight links are routed by a published rate in USD/TEU-km"))).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
