"""Shared fixtures: the real ledger and graph, ledger copies to corrupt, a real server and browser."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from corridors import build_graph, load_ledger
from corridors.chromium import ChromiumNotFound, find_chromium
from corridors.ledger.schema import DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
# The Flows page draws its intervals in the background; 50 draws (not 1,000) keep that work from crowding
# the other page tests on a 2-core machine. The AppTests and the test server both read it.
os.environ.setdefault("CORRIDORS_PAGE_DRAWS", "50")


@pytest.fixture(scope="session")
def ledger():
    return load_ledger()


@pytest.fixture(scope="session")
def graph(ledger):
    return build_graph(ledger)


@pytest.fixture
def ledger_copy(tmp_path: Path) -> Path:
    """A fresh copy of the shipped ledger that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture
def ledger_without_balkan_route(ledger_copy: Path):
    """The shipped ledger less the BOTAŞ grid link to Bulgaria: Europe is then reached through TAP and IGB only."""
    links = pd.read_csv(ledger_copy / "links.csv", dtype=str, keep_default_na=False)
    links[links["link_id"] != "grid-erzurum-malkoclar"].to_csv(ledger_copy / "links.csv", index=False)
    return load_ledger(ledger_copy)


def chromium_path() -> str:
    """The browser the suite uses, found by the project's one rule; installing it is the Makefile's job."""
    try:
        return find_chromium()
    except ChromiumNotFound as err:
        pytest.fail(f"{err}. Run the tests with `make test`, which installs it.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, url: str, process: subprocess.Popen, log):
        self.url = url
        self.process = process
        #: The server's output, in a file: a pipe nobody reads fills up and then blocks the server mid-run.
        self.log = log

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def start_server(env_extra: dict[str, str] | None = None, base_path: str = "", app: Path = ROOT / "app.py", cwd: Path = ROOT) -> Server:
    """A Streamlit server for ``app`` on a free port, once its health check answers (at most 60 s).

    ``cwd``: where it runs, whose ``.streamlit/config.toml`` it reads (the project's by default).
    """
    port = free_port()
    env = {**os.environ, **(env_extra or {})}
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open for the server's life: stop_server closes it)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}{base_path}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return Server(url, process, log)
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            break
    process.kill()
    process.wait(10)
    raise RuntimeError(f"streamlit did not start:\n{Server(url, process, log).output()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
    server.log.close()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    srv = start_server()
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(45_000)
    yield page
    context.close()


@pytest.fixture
def outside_requests(page) -> list[str]:
    """URLs the page asked for outside this machine."""
    seen: list[str] = []

    def record(request) -> None:
        if not request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            seen.append(request.url)

    page.on("request", record)
    return seen


def open_map_recording_outlines(page, url: str) -> list[tuple[str, int]]:
    """Open the Network page at ``url`` until its map has drawn country borders; the outline files asked for, with statuses."""
    outlines: list[tuple[str, int]] = []
    page.on("response", lambda r: outlines.append((r.url, r.status)) if "topojson" in r.url else None)
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_idle(page)
    page.wait_for_selector(".js-plotly-plot .geo path.countries, .js-plotly-plot .geo .countries path", state="attached", timeout=30_000)
    return outlines


def wait_for_idle(page) -> None:
    """Wait until Streamlit has finished its current run."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=45_000)


def open_section(page, name: str) -> None:
    """Open one of the Flows page's tabs under the map (only the open one is built), and wait for its run."""
    page.get_by_role("tab", name=name).click()
    wait_for_idle(page)


EditCsv = Callable[[Path, str, Callable[[list[list[str]]], None]], None]


def step_to(control, key: str, target: str, limit: int = 20) -> None:
    """Press ``key`` on a slider until it reads ``target``, one press per value it shows.

    Presses in quick succession have their own test (test_keys_pressed_in_quick_succession_all_land);
    here each press waits to show, so a failure names the value the slider stopped at.
    """
    for _ in range(limit):
        current = control.input_value()
        if current == target:
            return
        control.press(key)
        expect(control).not_to_have_value(current, timeout=30_000)
    expect(control).to_have_value(target)
