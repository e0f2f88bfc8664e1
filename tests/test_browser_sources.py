"""The Sources & estimates page in a real headless Chromium: what the reader sees in the filters and the table."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from corridors.views.series import METRIC_LABELS
from tests.conftest import wait_for_idle

pytestmark = pytest.mark.browser

#: Reads every cell of the glide grid's accessible table, scrolling it so that virtualised rows and columns render.
READ_GRID = """
async (grid) => {
    const scroller = grid.querySelector('.dvn-scroller') || grid;
    const cells = new Map();
    const headers = new Set();
    const pause = () => new Promise(r => setTimeout(r, 60));
    const firstRow = () => {
        const tr = grid.querySelector('tbody tr, tr + tr');
        return tr ? tr.getAttribute('aria-rowindex') + ':' + (tr.querySelector('td') || {}).getAttribute?.('aria-colindex') : '';
    };
    // The accessible table follows the scroll a few frames later: wait for it to move (or up to 1.5 s).
    const settle = async (before) => {
        for (let i = 0; i < 25 && firstRow() === before; i++) await pause();
        await pause();
    };
    for (let top = 0; ; top += Math.max(100, scroller.clientHeight - 40)) {
        for (let left = 0; ; left += Math.max(100, scroller.clientWidth - 40)) {
            const before = firstRow();
            const moved = scroller.scrollTop !== Math.min(top, scroller.scrollHeight - scroller.clientHeight)
                || scroller.scrollLeft !== Math.min(left, scroller.scrollWidth - scroller.clientWidth);
            scroller.scrollTo(left, top);
            if (moved) await settle(before); else await pause();
            for (const td of grid.querySelectorAll('td[role=gridcell]')) {
                const row = td.closest('tr');
                const key = (row && row.getAttribute('aria-rowindex')) + ':' + td.getAttribute('aria-colindex');
                cells.set(key, td.innerText);
            }
            for (const th of grid.querySelectorAll('th[role=columnheader]')) headers.add(th.innerText);
            if (left + scroller.clientWidth >= scroller.scrollWidth) break;
        }
        if (top + scroller.clientHeight >= scroller.scrollHeight) break;
    }
    return {cells: [...cells.entries()], headers: [...headers]};
}
"""


def open_sources(page, server, query: str = "") -> None:
    page.goto(f"{server.url}/sources{query}")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)


def read_grid(page) -> tuple[dict[str, str], list[str]]:
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    found = grid.evaluate(READ_GRID)
    return dict(found["cells"]), found["headers"]


def test_metric_filter_shows_names_and_the_url_keeps_codes(server, page):
    open_sources(page, server)
    combo = page.get_by_role("combobox", name="Metric")
    combo.click()
    shown = page.get_by_role("option").all_inner_texts()
    assert "Gas imports" in shown and "INSTC cargo volume" in shown
    codes_shown = [o for o in shown if o in METRIC_LABELS or re.fullmatch(r"[a-z]+(_[a-z]+)+", o)]
    assert codes_shown == [], f"raw metric codes in the filter: {codes_shown}"
    page.get_by_role("option", name="Gas imports", exact=True).click()
    wait_for_idle(page)
    expect(combo).to_have_value("Gas imports")
    expect(page).to_have_url(re.compile(r"est_metric=gas_imports"), timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_link_with_a_metric_code_opens_that_metric(server, page):
    open_sources(page, server, "?est_metric=instc_volume")
    expect(page.get_by_role("combobox", name="Metric")).to_have_value("INSTC cargo volume")


def test_estimates_grid_has_no_none_cells(server, page, ledger):
    open_sources(page, server)
    cells, headers = read_grid(page)
    assert "Series" in headers and "Source's range" in headers
    # Every row was read (the header row is row 1), so the check covers the whole table.
    rows = {key.split(":")[0] for key in cells}
    assert len(rows) >= len(ledger.estimates) * 0.9, f"read {len(rows)} rows of {len(ledger.estimates)}"
    columns = {key.split(":")[1] for key in cells}
    assert len(columns) >= 12, f"read {len(columns)} columns"
    bad = {key: text for key, text in cells.items() if text.strip() in {"None", "nan", "NaN", "<NA>", "null"}}
    assert not bad, f"cells that show a missing value as text: {list(bad.items())[:5]}"
    assert any(text == "" for text in cells.values()), "missing values should read as blank cells"


USER_FILES = Path(__file__).parent / "data" / "user_figures"


def _grid_when(page, grid, ready, tries: int = 40) -> dict[str, str]:
    """The grid's cells once ``ready(cells)`` holds (a grid fills its accessible cells a few frames after it appears)."""
    grid.scroll_into_view_if_needed()
    cells: dict[str, str] = {}
    for _ in range(tries):
        cells = dict(grid.evaluate(READ_GRID)["cells"])
        if ready(cells):
            break
        page.wait_for_timeout(250)
    return cells


def test_the_gaps_panel_is_built_when_opened_and_lists_every_gap(server, page, ledger):
    open_sources(page, server)
    # Closed on arrival and not built: the page's only grid is the estimates table.
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    page.get_by_text(f"What is not public ({len(ledger.gaps)} known gaps)").click()
    grid = page.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]')
    expect(grid).to_have_count(1, timeout=30_000)
    cells = _grid_when(page, grid.first, lambda cells: ledger.gaps["gap_id"].iloc[0] in cells.values())
    assert set(ledger.gaps["gap_id"]) <= set(cells.values())
    assert page.locator('[data-testid="stException"]').count() == 0


UPLOAD_INPUT = '[data-testid="stFileUploader"] input[type=file]'


def test_your_own_figures_are_uploaded_labelled_downloaded_and_used_as_defaults(server, page, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_sources(page, server, "?est_metric=gas_imports")
    page.get_by_text("Add your own figures").click()
    page.set_input_files(UPLOAD_INPUT, [str(USER_FILES / "my-estimates.csv"), str(USER_FILES / "my-sources.csv")])
    expect(page.get_by_text("Your data is shown beside the ledger's: 2 estimate(s), 1 source(s)")).to_be_visible(timeout=30_000)
    wait_for_idle(page)
    # The chart marks the reader's figure as theirs; the hostile publisher name is shown as written, not as bold markup.
    legend = page.locator(".js-plotly-plot .legendtext").filter(has_text="Your data")
    expect(legend.first).to_contain_text("<b>bold</b>", timeout=30_000)  # the two lines of the entry join without a space
    assert page.locator(".js-plotly-plot .legendtext b").count() == 0
    expect(page.locator(".js-plotly-plot .annotation-text").filter(has_text="user-supplied").first).to_be_attached()
    grid = page.locator('[data-testid="stDataFrame"]').first
    cells = _grid_when(page, grid, lambda cells: "user" in cells.values())
    assert "user" in cells.values() and "ledger" in cells.values()
    assert "Origin" in grid.evaluate(READ_GRID)["headers"]

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="estimates.csv", exact=True).click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert {r["estimate_id"] for r in rows if r["origin"] == "user"} == {"my-ru-az-2025"}  # the filter: gas imports only

    # A broken file is refused with file, line and column, and the earlier layer is kept.
    page.set_input_files(UPLOAD_INPUT, str(USER_FILES / "broken-estimates.csv"))
    expect(page.get_by_text("Your files were refused")).to_contain_text("Your earlier data is kept", timeout=30_000)
    wait_for_idle(page)
    problems = page.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]').first
    text = " ".join(_grid_when(page, problems, lambda cells: "is not an integer" in " ".join(cells.values())).values())
    assert "'20x5' is not an integer" in text and "broken-estimates.csv" in text
    expect(page.get_by_text("Your data is shown beside the ledger's")).to_be_visible()

    # The Flows page: the switch lets the defaults take the reader's figure, in the same session.
    page.get_by_role("link", name="Flows").first.click()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    russian = page.get_by_role("slider", name=re.compile(r"^Russian gas into Azerbaijan(\s|$)"))
    expect(russian).to_have_value("0.8")
    page.get_by_text("Use your figures as defaults").click()
    expect(russian).to_have_value("2.1", timeout=30_000)
    wait_for_idle(page)
    expect(page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Scenario:").first).to_contain_text("Baseline")
    assert page.evaluate("window.__hostile") is None and dialogs == []
    assert page.locator('[data-testid="stException"]').count() == 0
