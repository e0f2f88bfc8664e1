"""The Network page's filters in a real headless Chromium: readable labels on the page, codes in the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for_idle

pytestmark = pytest.mark.browser

BRANCH = "trans_caspian"  # a code with an underscore: a label written to the URL would differ from it


def branch_filter(page):
    return page.locator('[data-testid="stMultiSelect"]').filter(has=page.get_by_text("Branch", exact=True))


def chips(multiselect) -> list[str]:
    return multiselect.locator("[data-tag] [title]").evaluate_all("nodes => nodes.map(n => n.getAttribute('title'))")


def open_network_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)


def test_branch_filter_keeps_the_code_in_the_url_and_survives_a_reload(server, page, ledger):
    label = ledger.branches.set_index("branch").loc[BRANCH, "label"]
    expected = f"Links shown ({int((ledger.links['branch'] == BRANCH).sum())} of {len(ledger.links)})"
    open_network_page(page, server.url)
    branches = branch_filter(page)
    # The reader sees the ledger's branch names, never the codes.
    shown = chips(branches)
    assert sorted(shown) == sorted(ledger.branches.loc[ledger.branches["branch"].isin(ledger.links["branch"]), "label"])

    branches.get_by_role("button", name="Clear all").click()
    wait_for_idle(page)
    branches.get_by_role("combobox").click()
    page.keyboard.type("Caspian")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_idle(page)
    assert chips(branches) == [label]
    expect(page.get_by_text("Links shown (").first).to_have_text(expected)

    try:
        page.wait_for_function("() => window.location.search.includes('net_branches=')", timeout=30_000)
    except Exception as err:
        raise AssertionError(f"URL not updated: {page.url}") from err
    assert parse_qs(urlparse(page.url).query)["net_branches"] == [BRANCH], page.url

    page.reload()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    assert parse_qs(urlparse(page.url).query)["net_branches"] == [BRANCH], page.url
    assert chips(branch_filter(page)) == [label]
    expect(page.get_by_text("Links shown (").first).to_have_text(expected)
    assert page.locator('[data-testid="stAlert"]').count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_shared_link_with_two_branches_and_a_bad_one(server, page, ledger):
    """A link naming branches by code opens with those branches; an unknown one is named in a warning."""
    labels = ledger.branches.set_index("branch")["label"]
    count = int(ledger.links["branch"].isin(["trans_caspian", "iran_mainland"]).sum())
    open_network_page(page, f"{server.url}/?net_branches=trans_caspian&net_branches=iran_mainland&net_branches=atlantis")
    assert sorted(chips(branch_filter(page))) == sorted([labels["trans_caspian"], labels["iran_mainland"]])
    expect(page.get_by_text("Links shown (").first).to_have_text(f"Links shown ({count} of {len(ledger.links)})")
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="net_branches")
    expect(warning).to_contain_text("atlantis")
    # The refused value leaves the URL; the two good ones stay, as codes.
    page.wait_for_function("() => !window.location.search.includes('atlantis')", timeout=30_000)
    assert sorted(parse_qs(urlparse(page.url).query)["net_branches"]) == ["iran_mainland", "trans_caspian"], page.url


def test_branch_filter_survives_a_visit_to_another_page(server, page, ledger):
    """Like the bound year slider, the branch choice comes back, in the page and in the URL, after another page."""
    label = ledger.branches.set_index("branch").loc[BRANCH, "label"]
    open_network_page(page, f"{server.url}/?net_branches={BRANCH}&net_year=2030")
    assert chips(branch_filter(page)) == [label]
    page.get_by_role("link", name="Sources").first.click()
    page.wait_for_url("**/sources**")
    wait_for_idle(page)
    page.get_by_role("link", name="Network").first.click()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    page.wait_for_function(f"() => window.location.search.includes('net_branches={BRANCH}')", timeout=30_000)
    assert chips(branch_filter(page)) == [label]
    assert page.get_by_role("slider", name="Show links in service by year").input_value() == "2030"


def map_lon_range(page) -> list[float]:
    """The longitude range the page's first map shows, read from plotly's own layout.

    Waited for: while plotly redraws the map, its element has no layout for a moment.
    """
    found = page.wait_for_function("() => document.querySelector('.js-plotly-plot')?.layout?.geo?.lonaxis?.range", timeout=30_000)
    return found.json_value()


def test_the_map_extent_is_kept_in_the_url_and_read_from_it(server, page, graph):
    from corridors.views.geo import map_bounds

    close = list(map_bounds(graph, "Caucasus–Caspian")["lon"])
    open_network_page(page, f"{server.url}/?map_extent=Caucasus%E2%80%93Caspian")
    assert map_lon_range(page) == pytest.approx(close)
    expect(page.locator(".js-plotly-plot").first.get_by_text("Baku/Sangachal")).to_be_attached()
    page.locator('[data-testid="stButtonGroup"]').get_by_text("Whole corridor", exact=True).click()
    expect(page).not_to_have_url(re.compile("map_extent"), timeout=30_000)
    wait_for_idle(page)
    assert map_lon_range(page) == pytest.approx(list(map_bounds(graph)["lon"]))
    # The Flows page keeps the extent in the URL beside the scenario it writes there.
    open_network_page(page, f"{server.url}/flows?map_extent=Caucasus%E2%80%93Caspian&europe=14")
    query = parse_qs(urlparse(page.url).query)
    assert query["map_extent"] == ["Caucasus–Caspian"] and query["europe"] == ["14"], page.url
    assert map_lon_range(page) == pytest.approx(close)
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
