"""Charts to files: PNG, SVG and PDF in report sizes, rendered by kaleido in a local Chromium.

Every exported chart carries a title, units, a white background and a footer with its
sources, the scenario, the year and the date of export. One persistent browser per
process; each call is bounded by a timeout so a hung browser cannot hang the caller.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import math
import os
import textwrap
import threading
from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go

from corridors.chromium import HINT, ChromiumNotFound, find_chromium
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
DEFAULT_BASE_URL = "http://localhost:8501"
MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


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


class ImageRenderer:
    """One persistent kaleido browser for the process, every call bounded in time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._started = False
        atexit.register(self.close)

    def _start(self) -> None:
        import kaleido

        # mathjax=False: kaleido would otherwise fetch MathJax from a CDN for every page.
        kaleido.start_sync_server(mathjax=False, timeout=DEFAULT_TIMEOUT_S, silence_warnings=True)
        self._started = True

    def render(self, fig: go.Figure, fmt: str, width: int, height: int, scale: float = 1.0, timeout: float = DEFAULT_TIMEOUT_S) -> bytes:
        """Render ``fig`` to PNG, SVG or PDF bytes.

        Raises
        ------
        ExportError
            When no Chromium/Chrome is found, the browser fails, or no answer comes
            within ``timeout`` seconds.
        """
        if fmt not in IMAGE_FORMATS:
            raise ExportError(f"unknown image format {fmt!r}; choose one of {', '.join(IMAGE_FORMATS)}")
        spec = fig.to_dict()
        opts = dict(format=fmt, width=width, height=height, scale=scale)
        topojson = TOPOJSON_DIR.as_uri() + "/"
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="kaleido")

            if not self._started:
                find_chart_browser()

            def work() -> bytes:
                import kaleido

                if not self._started:
                    self._start()
                return kaleido.calc_fig_sync(spec, opts=opts, topojson=topojson)

            future = self._pool.submit(work)
            try:
                data = future.result(timeout=timeout)
            except concurrent.futures.TimeoutError:
                # The worker may be stuck in the browser: abandon it and start afresh next time.
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool, self._started = None, False
                raise ExportError(
                    f"the chart renderer (Chromium via kaleido) did not answer within {timeout:g} s; "
                    "try again, or check that Chromium runs on this machine"
                ) from None
            except Exception as err:  # kaleido and choreographer raise many types; the user needs one message
                self._started = False
                name = type(err).__name__
                if "ChromeNotFound" in name or ("Chrome" in str(err) and "install" in str(err).lower()):
                    raise ExportError(f"no Chromium or Chrome was found for the chart export; {HINT}") from None
                raise ExportError(f"the chart renderer failed ({name}: {err})") from None
        if not data:
            raise ExportError("the chart renderer returned an empty file")
        return bytes(data)

    def close(self) -> None:
        if self._started:
            try:
                import kaleido

                kaleido.stop_sync_server(silence_warnings=True)
            except Exception:
                pass
            self._started = False
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


renderer = ImageRenderer()


def chart_bytes(
    fig: go.Figure, fmt: str, context: ExportContext, preset: str = "slide", timeout: float = DEFAULT_TIMEOUT_S, text_scale: float = 1.0
) -> bytes:
    """A report-ready chart file (see :func:`report_figure`); PNG at 2× scale."""
    ready = report_figure(fig, context, preset, text_scale)
    # The figure's own size: a report chart may be taller than its preset (see report_figure).
    return renderer.render(ready, fmt, int(ready.layout.width), int(ready.layout.height), PNG_SCALE if fmt == "png" else 1.0, timeout)
