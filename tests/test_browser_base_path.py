"""Served under a path (as behind a reverse proxy), the map outlines still load."""

from __future__ import annotations

import pytest

from tests.conftest import open_map_recording_outlines, start_server, stop_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served_under_a_path():
    # Streamlit reads any option from STREAMLIT_<SECTION>_<OPTION>: the same as --server.baseUrlPath corridors.
    server = start_server({"STREAMLIT_SERVER_BASE_URL_PATH": "corridors"}, base_path="/corridors")
    yield server
    stop_server(server)


def test_map_outlines_load_under_the_base_path(served_under_a_path, page):
    outlines = open_map_recording_outlines(page, f"{served_under_a_path.url}/corridors/")
    assert outlines, "the map asked for no outline file"
    assert all(status == 200 for _, status in outlines), outlines
    assert all("/corridors/app/static/topojson/" in url for url, _ in outlines), outlines
    assert page.locator('[data-testid="stException"]').count() == 0
