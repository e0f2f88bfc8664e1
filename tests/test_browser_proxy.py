"""Behind a real reverse proxy (Debian's nginx) under /corridors/: pages, websockets, map outlines and downloads work.

`make test` installs nginx (scripts/ensure-nginx.sh) and passes its path in
CORRIDORS_NGINX; this test starts its own nginx on a free port with its own config, in
front of a dashboard served with ``--server.baseUrlPath corridors``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import free_port, open_map_recording_outlines, start_server, stop_server, wait_for_idle

pytestmark = pytest.mark.browser

NGINX_CONFIG = """
{user}
worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port};
        location /corridors/ {{
            proxy_pass http://127.0.0.1:{upstream}/corridors/;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 86400;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = os.environ.get("CORRIDORS_NGINX") or shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        pytest.fail("no nginx for the reverse-proxy test: run the tests with `make test`, which installs it (scripts/ensure-nginx.sh)")
    return found


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """The dashboard under /corridors/, reached only through nginx: yields the proxy's address."""
    binary = nginx_binary()
    upstream = start_server({"STREAMLIT_SERVER_BASE_URL_PATH": "corridors"}, base_path="/corridors")
    run = tmp_path_factory.mktemp("nginx")
    port = free_port()
    config = run / "nginx.conf"
    # As root, nginx's workers would drop to `nobody`, who cannot write this folder's temp paths.
    config.write_text(
        NGINX_CONFIG.format(user="user root;" if os.geteuid() == 0 else "", run=run, port=port, upstream=upstream.url.rsplit(":", 1)[1]),
        encoding="utf-8",
    )
    proxy = subprocess.Popen([binary, "-c", str(config), "-p", str(run), "-e", str(run / "error.log")], stderr=subprocess.PIPE)
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{address}/corridors/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                if proxy.poll() is not None or time.monotonic() > deadline:
                    errors = (run / "error.log").read_text(encoding="utf-8") if (run / "error.log").exists() else ""
                    pytest.fail(f"nginx did not serve the dashboard: {errors or proxy.stderr.read().decode()}")
                time.sleep(0.2)
        yield address
    finally:
        proxy.terminate()
        proxy.wait(10)
        stop_server(upstream)


def test_pages_outlines_and_downloads_work_through_nginx(proxied, page, tmp_path):
    # The figure arrives over the websocket, which nginx must upgrade.
    outlines = open_map_recording_outlines(page, f"{proxied}/corridors/")
    assert outlines and all(status == 200 for _, status in outlines), outlines
    assert all(url.startswith(f"{proxied}/corridors/app/static/topojson/") for url, _ in outlines), outlines

    page.goto(f"{proxied}/corridors/flows?year=2025&europe=14")
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    wait_for_idle(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download scenario (YAML)").click()
    saved = tmp_path / "scenario.yaml"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "corridors_scenario" in text and "europe: 14" in text
    assert page.locator('[data-testid="stException"]').count() == 0
