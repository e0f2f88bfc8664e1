"""Scenario files and typed values on the Flows page, in a real headless Chromium."""

from __future__ import annotations

import re

import pytest
import yaml
from playwright.sync_api import expect

from tests.conftest import ROOT, step_to, wait_for_idle

pytestmark = pytest.mark.browser

EUROPE = "Europe (via TAP and the Balkan routes) (bcm/yr)"
TURKIYE = "Türkiye (bcm/yr)"
UPLOAD_INPUT = '[data-testid="stFileUploader"] input[type=file]'


def open_flows(page, server, query: str = "") -> None:
    page.goto(f"{server.url}/flows{query}")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)


def scenario_caption(page):
    return page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Scenario:").first


def assert_no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0, page.locator(
        '[data-testid="stAlertContentError"]'
    ).first.inner_text()


def slider(page, label: str):
    # Streamlit 1.67 names a slider by its label twice ("Year Year"); match the label at the start.
    # (Playwright passes the pattern to the page as a JS regex literal: "/" must be escaped too.)
    return page.get_by_role("slider", name=re.compile("^" + re.escape(label).replace("/", r"\/") + r"(\s|$)"))


def test_uploading_a_shipped_scenario_and_the_apps_own_download_applies_them(server, page, tmp_path):
    open_flows(page, server)
    # A shipped file: the scenario is applied as a whole, with no error.
    page.set_input_files(UPLOAD_INPUT, str(ROOT / "data/scenarios/eu-20-bcm-2027.yaml"))
    expect(slider(page, EUROPE)).to_have_value("20", timeout=30_000)
    expect(slider(page, "Year")).to_have_value("2027")
    expect(page).to_have_url(re.compile(r"[?&]year=2027(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]europe=20(&|$)"))
    expect(scenario_caption(page)).to_contain_text("Scenario: EU 20 bcm by 2027, year 2027")
    wait_for_idle(page)
    assert_no_error(page)

    # Edit it, download the app's own YAML, move a slider again, then upload the download.
    turkiye = slider(page, TURKIYE)
    step_to(turkiye, "ArrowRight", "10.1")
    expect(scenario_caption(page)).to_contain_text("EU 20 bcm by 2027 (edited)")
    expect(page).to_have_url(re.compile(r"[?&]turkiye=10.1(&|$)"))
    wait_for_idle(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download scenario (YAML)").click()
    saved = tmp_path / "corridors-scenario.yaml"
    info.value.save_as(saved)
    doc = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert doc["year"] == 2027 and doc["assumptions"]["europe"] == 20 and doc["assumptions"]["turkiye"] == pytest.approx(10.1)
    step_to(turkiye, "ArrowLeft", "9.3")
    expect(page).to_have_url(re.compile(r"[?&]turkiye=9.3(&|$)"))
    wait_for_idle(page)

    page.set_input_files(UPLOAD_INPUT, str(saved))
    expect(turkiye).to_have_value("10.1", timeout=30_000)
    expect(slider(page, EUROPE)).to_have_value("20")
    expect(slider(page, "Year")).to_have_value("2027")
    expect(page).to_have_url(re.compile(r"[?&]turkiye=10.1(&|$)"))
    assert re.search(r"[?&]europe=20(&|$)", page.url) and re.search(r"[?&]year=2027(&|$)", page.url), page.url
    expect(scenario_caption(page)).to_contain_text("EU 20 bcm by 2027")
    # The number box beside the slider shows the uploaded value too.
    expect(page.get_by_role("spinbutton", name=f"{TURKIYE} value")).to_have_value("10.1")
    wait_for_idle(page)
    assert_no_error(page)


def test_a_refused_file_lists_its_problems_and_changes_nothing(server, page, tmp_path):
    open_flows(page, server, "?v=1&europe=15")
    url_before = page.url
    bad = tmp_path / "bad.yaml"
    bad.write_text("corridors_scenario: 2\nyear: 2027\ncolour: red\nassumptions:\n  europe: lots\n  tap_capacity: 99\n", encoding="utf-8")
    page.set_input_files(UPLOAD_INPUT, str(bad))
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="bad.yaml")
    expect(error).to_contain_text("refused", timeout=30_000)
    text = error.inner_text()
    for key in ("corridors_scenario", "colour", "'europe'", "'tap_capacity'"):
        assert key in text, f"{key} missing from: {text}"
    assert "4 problems" in text
    wait_for_idle(page)
    assert page.url == url_before
    expect(slider(page, EUROPE)).to_have_value("15")
    expect(slider(page, "Year")).to_have_value("2025")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_typing_a_value_moves_the_slider_the_url_and_the_metrics(server, page):
    open_flows(page, server)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Gas demand not met").first
    before = metric.locator('[data-testid="stMetricValue"]').inner_text()
    box = page.get_by_role("spinbutton", name=f"{EUROPE} value")
    box.fill("20")
    box.press("Enter")
    expect(slider(page, EUROPE)).to_have_value("20", timeout=30_000)
    expect(page).to_have_url(re.compile(r"[?&]europe=20(&|$)"))
    expect(metric.locator('[data-testid="stMetricValue"]')).not_to_have_text(before)
    expect(scenario_caption(page)).to_contain_text("Baseline (edited)")
    # And the other way round: a slider move shows in the box.
    europe = slider(page, EUROPE)
    europe.press("ArrowLeft")
    expect(box).to_have_value("19.9", timeout=30_000)
    expect(page).to_have_url(re.compile(r"[?&]europe=19.9(&|$)"))
    wait_for_idle(page)
    assert_no_error(page)


def test_keys_pressed_in_quick_succession_all_land(server, page):
    """Twelve presses, four at a time with 0, 150 and 400 ms between them: each lands, none is undone by a rerun."""
    open_flows(page, server)
    turkiye = slider(page, TURKIYE)
    start = float(turkiye.input_value())
    for gap in (0, 150, 400):
        for _ in range(4):
            turkiye.press("ArrowRight")
            page.wait_for_timeout(gap)
    wanted = f"{round(start + 1.2, 1):g}"
    expect(turkiye).to_have_value(wanted, timeout=30_000)
    expect(page).to_have_url(re.compile(rf"[?&]turkiye={re.escape(wanted)}(&|$)"), timeout=30_000)
    wait_for_idle(page)
    expect(turkiye).to_have_value(wanted)
    expect(page.get_by_role("spinbutton", name=f"{TURKIYE} value")).to_have_value(wanted)
    assert_no_error(page)


def test_keys_pressed_as_an_upload_arrives_do_not_undo_it(server, page):
    # The presses follow the URL's change at once (checked on every frame), and the URL comes early in the upload's
    # run: on a busy machine they reach the server before the run has sent the sliders, carrying the values the page
    # still shows.
    open_flows(page, server)
    page.set_input_files(UPLOAD_INPUT, str(ROOT / "data/scenarios/eu-20-bcm-2027.yaml"))
    page.wait_for_function("() => /[?&]europe=20(&|$)/.test(location.search)", polling="raf", timeout=30_000)
    turkiye = slider(page, TURKIYE)
    turkiye.press("ArrowRight")
    page.wait_for_timeout(300)
    turkiye.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"[?&]turkiye="), timeout=30_000)
    wait_for_idle(page)
    expect(slider(page, "Year")).to_have_value("2027")
    expect(slider(page, EUROPE)).to_have_value("20")
    assert re.search(r"[?&]year=2027(&|$)", page.url) and re.search(r"[?&]europe=20(&|$)", page.url), page.url
    expect(scenario_caption(page)).to_contain_text("EU 20 bcm by 2027 (edited)")
    assert_no_error(page)
