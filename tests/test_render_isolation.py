"""The chart renderer under a shared server: every caller gets its own chart, every wait is bounded.

Charts are drawn in a worker process that the renderer owns, with Chromium under it.
These tests drive the real worker, kaleido and Chromium: a render that times out, two
threads rendering at once, and a browser killed in the middle of a render.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

import plotly.graph_objects as go
import pytest

from corridors.export import ExportError, ImageRenderer
from corridors.export.render import descendants


def titled(title: str, points: int = 50) -> go.Figure:
    """A chart whose SVG names it: its title is drawn as text."""
    return go.Figure(go.Scatter(x=list(range(points)), y=[i % 7 for i in range(points)]), layout={"title": {"text": title}})


def drawn_title(svg: bytes) -> str:
    text = svg.decode("utf-8")
    found = [t for t in ("Chart A", "Chart B", "Chart 1", "Chart 2", "Chart 3", "Chart 4", "Warm-up") if f">{t}<" in text]
    assert len(found) == 1, f"expected one title in the SVG, found {found}"
    return found[0]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


@pytest.fixture
def renderer():
    own = ImageRenderer()
    yield own
    own.close()


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first); empty once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except OSError:
        return []


def is_live_chromium(pid: int) -> bool:
    """Whether ``pid`` is a running (not zombie) Chromium process."""
    fields = _stat(pid)
    return bool(fields) and fields[0] != "Z" and "chrom" in _command(pid).lower()


def browsers_under(worker_pid: int) -> list[int]:
    """The live Chromium processes the worker started (under it, in a session of their own)."""
    return [pid for pid in descendants(worker_pid) if is_live_chromium(pid)]


def process_identity(pid: int) -> tuple[int, str] | None:
    """``pid`` with its start time, so that a number reused by a later process is not taken for the same one."""
    fields = _stat(pid)
    return (pid, fields[19]) if fields else None


def is_running(identity: tuple[int, str]) -> bool:
    """Whether the process ``identity`` names still runs (a zombie, or a new process under its number, does not)."""
    fields = _stat(identity[0])
    return bool(fields) and fields[0] != "Z" and (identity[0], fields[19]) == identity


def still_running(identities: set[tuple[int, str]], within: float) -> set[tuple[int, str]]:
    """Those of ``identities`` still running after waiting up to ``within`` seconds for them to end."""
    deadline = time.monotonic() + within
    while True:
        alive = {identity for identity in identities if is_running(identity)}
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def test_a_timed_out_render_never_hands_its_chart_to_the_next_caller(renderer):
    assert drawn_title(renderer.render(titled("Warm-up"), "svg", 500, 300)) == "Warm-up"
    worker = renderer.worker_pid
    assert worker is not None
    # This worker and its own browsers only: tests run alongside have Chromiums of their own.
    browsers = [pid for pid in browsers_under(worker) if "crashpad" not in _command(pid)]
    assert browsers, "the worker should have started a Chromium"
    started = {identity for pid in [worker, *browsers] if (identity := process_identity(pid))}
    with pytest.raises(ExportError, match="did not answer within"):
        # Chart A takes over a second to draw: a worker left to finish it would still run below.
        renderer.render(titled("Chart A", points=200_000), "svg", 500, 300, timeout=0.05)
    assert renderer.worker_pid is None
    assert not still_running(started, within=0.5), "the worker that held chart A, and its browser, must be killed"
    assert drawn_title(renderer.render(titled("Chart B"), "svg", 500, 300, timeout=60)) == "Chart B"


def test_threads_rendering_at_once_each_get_their_own_chart(renderer):
    renderer.render(titled("Warm-up"), "svg", 500, 300)
    got: dict[str, str] = {}
    start = threading.Barrier(4)

    def draw(title: str) -> None:
        start.wait()
        for _ in range(3):
            got.setdefault(title, "")
            got[title] += drawn_title(renderer.render(titled(title), "svg", 500, 300)) + ";"

    threads = [threading.Thread(target=draw, args=(f"Chart {k}",)) for k in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert got == {f"Chart {k}": f"Chart {k};" * 3 for k in range(1, 5)}


def test_a_browser_killed_mid_render_is_replaced_and_the_next_render_succeeds(renderer):
    renderer.render(titled("Warm-up"), "svg", 500, 300)
    worker = renderer.worker_pid
    assert worker is not None and browsers_under(worker), "the worker's Chromium should be running"
    outcome: list[object] = []

    def draw() -> None:
        try:
            outcome.append(drawn_title(renderer.render(titled("Chart A", points=200_000), "svg", 800, 600, timeout=30)))
        except ExportError as err:
            outcome.append(err)

    busy = threading.Thread(target=draw)
    busy.start()
    time.sleep(0.3)  # the render is under way in the worker
    for pid in browsers_under(worker):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    busy.join(90)
    assert not busy.is_alive(), "the render in flight must end within its bounds"
    # That render either failed with a message or was redone on a fresh worker: never a hang, never another chart.
    assert len(outcome) == 1 and (outcome[0] == "Chart A" or isinstance(outcome[0], ExportError)), outcome
    assert drawn_title(renderer.render(titled("Chart B"), "svg", 500, 300, timeout=60)) == "Chart B"
