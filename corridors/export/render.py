"""Charts to files: PNG, SVG and PDF in report sizes, rendered by kaleido in a local Chromium.

Every exported chart carries a title, units, a white background and a footer with its
sources, the scenario, the year and the date of export. Charts are drawn in one worker
process that this module owns (kaleido and its Chromium live there, not in the server);
each call is bounded by a timeout, and a hung worker is killed and replaced.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import math
import multiprocessing
import os
import signal
import textwrap
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from corridors.chromium import HINT, ChromiumNotFound, find_chromium
from corridors.views.geo import FINE_OUTLINES
from corridors.views.maps import fit_geo_to_frame
from corridors.views.style import TOPOJSON_DIR, footer_annotation

IMAGE_FORMATS = ("png", "svg", "pdf")
TABLE_FORMATS = ("csv", "xlsx")
BUNDLE_FORMATS = ("report", "zip")
ALL_FORMATS = (*IMAGE_FORMATS, *TABLE_FORMATS, *BUNDLE_FORMATS)


@dataclass(frozen=True)
class Preset:
    label: str
    width: int
    height: int


PRESETS: dict[str, Preset] = {
    "slide": Preset("Slide (16:9)", 1600, 900),
    "column": Preset("Document column", 1000, 700),
    "square": Preset("Square social card", 1080, 1080),
}
PNG_SCALE = 2
DEFAULT_TIMEOUT_S = 60.0
MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


#: Environment variable naming the address a deployment is reached at (``https://corridors.example.org/corridors``).
PUBLIC_URL_ENV = "CORRIDORS_PUBLIC_URL"
#: Hosts that mean "this computer": a link to them is useless to whoever a file is sent to.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "")
#: What a report or ZIP says instead of a link when no public address is known.
NO_PERMALINK = (
    "No link back to this view: the dashboard was not reached at a public address. A deployment sets "
    f"{PUBLIC_URL_ENV}; the command line takes --public-url."
)


class ExportError(RuntimeError):
    """An export could not be produced; the message says why and what to do."""


# -- charts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportContext:
    """What every exported file says about where it comes from."""

    scenario_name: str
    year: int
    exported_on: date = field(default_factory=date.today)
    permalink: str = ""

    def stamp(self) -> str:
        return f"Scenario: {self.scenario_name}, {self.year}. Exported {self.exported_on.isoformat()} from Corridors."


#: The PDF report's charts: drawn on a document-column canvas with larger text, so that
#: printed 16.5 cm wide (report_pdf.CHART_WIDTH) body text is about 8.5 pt and the source line about 6.5 pt.
REPORT_PRESET = "column"
REPORT_TEXT_SCALE = 1.4
#: A report chart grows taller (never wider) until its plot keeps this share of the height: a chart
#: whose legend sits above the plot (the sources-compared series, up to ~17 publishers) would
#: otherwise be all legend at the preset's height once its text is scaled up.
REPORT_MIN_PLOT_SHARE = 0.45
#: ... but no taller than this many widths, so the chart and its heading still fit one A4 page
#: (16.5 cm wide, about 26 cm of frame: report_pdf.CHART_WIDTH).
REPORT_MAX_ASPECT = 1.45


def _scale_text(fig: go.Figure, scale: float) -> None:
    """Multiply every font size the figure sets (base, title, annotations, legend, axes) by ``scale``."""
    base = fig.layout.font.size or 13
    fig.update_layout(font_size=base * scale)
    if fig.layout.title.font.size:
        fig.update_layout(title_font_size=fig.layout.title.font.size * scale)
    # Legends grow half as much: at full scale a long publisher legend would take half the chart.
    fig.update_layout(legend_font_size=(fig.layout.legend.font.size or base) * (1 + (scale - 1) / 2))
    for annotation in fig.layout.annotations:
        if annotation.font.size:
            annotation.font.size = annotation.font.size * scale
    fig.for_each_xaxis(lambda ax: ax.update(title_font_size=ax.title.font.size * scale) if ax.title.font.size else None)
    fig.for_each_yaxis(lambda ax: ax.update(title_font_size=ax.title.font.size * scale) if ax.title.font.size else None)
    margin = fig.layout.margin
    if margin.t:
        fig.update_layout(margin_t=int(margin.t * scale))


def report_figure(fig: go.Figure, context: ExportContext, preset: str = "slide", text_scale: float = 1.0) -> go.Figure:
    """A copy of ``fig`` sized for a report, its footer extended with scenario, year and date.

    Parameters
    ----------
    fig
        A figure from :mod:`corridors.views.maps` or :mod:`corridors.views.charts` (it has a
        footer annotation named ``footer``).
    context
        Scenario name, year and export date.
    preset
        One of :data:`PRESETS`.
    text_scale
        Factor on every font size, for a figure that is printed smaller than its
        pixel size (the PDF report uses :data:`REPORT_TEXT_SCALE`).

    Returns
    -------
    go.Figure
        The copy, its ``layout.width`` and ``layout.height`` the size to render at.

    Notes
    -----
    A map is widened (or heightened) to fill the preset's frame: plotly keeps the
    projection's proportions, so the region alone would leave empty bands.

    With ``text_scale`` other than 1 (the PDF report) the figure may come out taller than the
    preset, so that its plot keeps :data:`REPORT_MIN_PLOT_SHARE` of the height next to a long legend
    and a scaled title and footer (at most :data:`REPORT_MAX_ASPECT` widths). The presets a user
    downloads keep their exact size.
    """
    if preset not in PRESETS:
        raise ExportError(f"unknown size preset {preset!r}; choose one of {', '.join(PRESETS)}")
    size = PRESETS[preset]
    out = go.Figure(fig)
    base_font = 14 if size.width >= 1400 else 13
    chars_per_line = max(60, int(size.width / (6.2 * text_scale)))
    footers = [a for a in out.layout.annotations if a.name == "footer"]
    base_text = footers[0].text.replace("<br>", " ") if footers else "Sources: see the report"
    lines = textwrap.wrap(f"{base_text}. {context.stamp()}", chars_per_line)
    footer_text = "<br>".join(lines)
    shift = footers[0].yshift if footers and footers[0].yshift is not None else -8
    shift = int(shift * text_scale)
    bottom = int(-shift + 16 * text_scale + 14 * text_scale * len(lines))
    if footers:
        footers[0].update(text=footer_text, yshift=shift)
    else:
        out.add_annotation(footer_annotation(footer_text, shift))
    out.update_layout(
        width=size.width,
        height=size.height,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(b=bottom),
        font=dict(size=base_font),
    )
    # Print keeps the fine outlines whatever the screen drew (a wide view is drawn coarse on screen, for speed).
    out.update_geos(resolution=FINE_OUTLINES)
    height = size.height
    if text_scale != 1.0:
        _scale_text(out, text_scale)
        # Title, legend-above-the-plot and footer all live in the margins, which grew with the text.
        margins = (out.layout.margin.t or 0) + (out.layout.margin.b or 0)
        needed = math.ceil(margins / (1 - REPORT_MIN_PLOT_SHARE))
        height = max(size.height, min(needed, int(size.width * REPORT_MAX_ASPECT)))
        out.update_layout(height=height)
    return fit_geo_to_frame(out, size.width, height)


def find_chart_browser() -> str:
    """The Chromium/Chrome kaleido will drive (see :mod:`corridors.chromium`), told to kaleido through ``BROWSER_PATH``.

    Raises
    ------
    ExportError
        At once, when a variable names no executable or no browser is found,
        rather than after the renderer's timeout.
    """
    try:
        path = find_chromium()
    except ChromiumNotFound as err:
        raise ExportError(str(err)) from None
    # kaleido reads only BROWSER_PATH; the same path for every caller, so setting it is idempotent.
    os.environ["BROWSER_PATH"] = path
    return path


#: How long a render may wait for another caller's render to finish before it gives up (seconds).
QUEUE_TIMEOUT_S = 120.0
#: How long a worker process may take to start kaleido and its Chromium (seconds).
START_TIMEOUT_S = 60.0
#: The id of the worker's first message: kaleido and its browser are up (or could not start).
READY = 0


def _serve(connection: Any, topojson: str) -> None:
    """The render worker's loop, in its own process: ``(id, spec, opts)`` in, ``(id, bytes | None, error)`` out.

    The worker leads its own process group, so that killing it cannot touch the server's.
    Every answer carries the id of the request it answers.
    """
    os.setpgrp()
    import kaleido

    try:
        # mathjax=False: kaleido would otherwise fetch MathJax from a CDN for every page.
        kaleido.start_sync_server(mathjax=False, timeout=DEFAULT_TIMEOUT_S, silence_warnings=True)
    except Exception as err:
        connection.send((READY, None, f"{type(err).__name__}: {err}"))
        return
    connection.send((READY, None, None))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            break
        if request is None:
            break
        request_id, spec, opts = request
        try:
            data = kaleido.calc_fig_sync(spec, opts=opts, topojson=topojson)
            connection.send((request_id, bytes(data), None))
        except Exception as err:  # kaleido and choreographer raise many types; the parent turns them into one message
            connection.send((request_id, None, f"{type(err).__name__}: {err}"))
    with contextlib.suppress(Exception):
        kaleido.stop_sync_server(silence_warnings=True)


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (children, their children…), read from Linux's /proc; empty elsewhere."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat") if Path("/proc").is_dir() else []:
        try:
            # The command name (field 2) may hold spaces and brackets: the fields after its last ")" are fixed.
            fields = entry.read_text(encoding="utf-8", errors="replace").rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _kill_pids(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _kill_tree(pid: int | None) -> None:
    """Kill ``pid`` and all under it, the process groups they lead included (Chromium's helpers join its group)."""
    if pid is None:
        return
    tree = descendants(pid)
    own_group = os.getpgid(0)
    groups = set()
    for member in [pid, *tree]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            groups.add(os.getpgid(member))
    for group in groups - {own_group}:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    _kill_pids([pid, *tree])


def _failure(error: str, what: str) -> ExportError:
    """The worker's error as one message for the user: a missing browser named as such."""
    if "ChromeNotFound" in error or ("Chrome" in error and "install" in error.lower()):
        return ExportError(f"no Chromium or Chrome was found for the chart export; {HINT}")
    return ExportError(f"the chart renderer {what} ({error})")


class ImageRenderer:
    """Renders charts in a worker process that it owns: one request at a time, each with its own id, each wait bounded.

    A render that overruns its timeout kills the worker and the Chromium under it; the
    next render starts a fresh one. An answer is only ever read for the request that
    carries its id, over a pipe no one else uses, so one caller cannot receive another
    caller's chart, even after a timeout.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: Any = None
        self._connection: Any = None
        self._ids = itertools.count(1)
        atexit.register(self.close)

    def render(self, fig: go.Figure, fmt: str, width: int, height: int, scale: float = 1.0, timeout: float = DEFAULT_TIMEOUT_S) -> bytes:
        """Render ``fig`` to PNG, SVG or PDF bytes.

        A render that fails (its browser crashed, say) is tried once more on a fresh
        worker; one that overruns ``timeout`` is not.

        Raises
        ------
        ExportError
            When no Chromium/Chrome is found, the browser fails twice, another render
            holds the worker for more than :data:`QUEUE_TIMEOUT_S`, the worker does not
            start within :data:`START_TIMEOUT_S`, or no answer comes within ``timeout`` seconds.
        """
        if fmt not in IMAGE_FORMATS:
            raise ExportError(f"unknown image format {fmt!r}; choose one of {', '.join(IMAGE_FORMATS)}")
        request = (fig.to_dict(), dict(format=fmt, width=width, height=height, scale=scale))
        if not self._lock.acquire(timeout=QUEUE_TIMEOUT_S):
            raise ExportError(f"the chart renderer was busy with other charts for {QUEUE_TIMEOUT_S:g} s; try again")
        try:
            error = ""
            for _ in range(2):
                data, error = self._render_once(request, timeout)
                if error is None:
                    break
                self._stop()  # a worker that failed may have lost its browser: the next try starts a fresh one
        finally:
            self._lock.release()
        if error is not None:
            raise _failure(error, "failed")
        if not data:
            raise ExportError("the chart renderer returned an empty file")
        return data

    def _render_once(self, request: tuple[dict, dict], timeout: float) -> tuple[bytes | None, str | None]:
        """One request to the worker (started first if needed): its bytes, or the worker's error."""
        if self._process is None or not self._process.is_alive():
            self._start()
        request_id = next(self._ids)
        try:
            self._connection.send((request_id, *request))
            return self._answer(request_id, timeout, "did not answer")
        except (OSError, EOFError):  # the worker died (its browser was killed, it ran out of memory)
            return None, "the worker process stopped while drawing"

    def _answer(self, request_id: int, timeout: float, what: str) -> tuple[bytes | None, str | None]:
        """The answer to ``request_id``; after ``timeout`` seconds the worker is killed and ExportError raised."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self._connection.poll(left):
                self._stop()
                raise ExportError(
                    f"the chart renderer (Chromium via kaleido) {what} within {timeout:g} s; "
                    "try again, or check that Chromium runs on this machine"
                )
            answer_id, data, error = self._connection.recv()
            if answer_id == request_id:
                return data, error
            # Answers to other requests cannot arrive (a timed-out worker is killed), and would never be returned.

    def _start(self) -> None:
        find_chart_browser()  # fails at once, with the setting to fix, when there is no browser
        self._stop()
        context = multiprocessing.get_context("spawn")  # nothing inherited from a threaded server
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, TOPOJSON_DIR.as_uri() + "/"), name="corridors-charts", daemon=True)
        process.start()
        child.close()
        self._process, self._connection = process, parent
        try:
            _, error = self._answer(READY, START_TIMEOUT_S, "did not start")
        except (OSError, EOFError):
            error = "its worker process ended as it started"
        if error is not None:
            self._stop()
            raise _failure(error, "could not start")

    def _stop(self) -> None:
        """Kill the worker and everything it started (its Chromium, in a session of its own), and forget them."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if connection is not None:
            connection.close()
        if process is None:
            return
        _kill_tree(process.pid)
        process.join(5)

    def close(self) -> None:
        """Stop the worker, politely first (kaleido closes its browser), then for good (at most a few seconds)."""
        with self._lock:
            process = self._process
            tree = descendants(process.pid) if process is not None and process.pid else []
            if self._connection is not None and process is not None and process.is_alive():
                try:
                    self._connection.send(None)
                    process.join(3)
                except (OSError, EOFError):
                    pass
            self._stop()
            # A browser's helpers can outlive a polite stop (seen: two renderer processes, reparented to init).
            _kill_pids(tree)

    @property
    def worker_pid(self) -> int | None:
        """The worker process's id while it runs (its Chromium runs in the same process group)."""
        return self._process.pid if self._process is not None and self._process.is_alive() else None


renderer = ImageRenderer()


def chart_bytes(
    fig: go.Figure, fmt: str, context: ExportContext, preset: str = "slide", timeout: float = DEFAULT_TIMEOUT_S, text_scale: float = 1.0
) -> bytes:
    """A report-ready chart file (see :func:`report_figure`); PNG at 2× scale."""
    ready = report_figure(fig, context, preset, text_scale)
    # The figure's own size: a report chart may be taller than its preset (see report_figure).
    return renderer.render(ready, fmt, int(ready.layout.width), int(ready.layout.height), PNG_SCALE if fmt == "png" else 1.0, timeout)
