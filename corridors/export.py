"""Report-ready exports: charts (PNG, SVG, PDF), tables (CSV, XLSX), a PDF report and a ZIP.

Every exported chart carries a title, units, a white background and a footer with its
sources, the scenario, the year and the date of export. Every table goes out with its
sources and the scenario's assumptions. Charts are rendered by plotly's static export
(kaleido 1.x), which drives a local Chromium: one persistent browser per process, each
call bounded by a timeout so a hung browser cannot hang the caller.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import io
import math
import textwrap
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from corridors.baseline import Baseline, baseline
from corridors.charts import indicator_chart_ids, indicator_figure, market_figure
from corridors.estimates import estimates_with_sources, series_figure
from corridors.io import Ledger
from corridors.model import FlowResult, solve
from corridors.plotting import TOPOJSON_DIR, fit_geo_to_frame, footer_annotation, network_figure, source_line
from corridors.report_data import balance_table, indicator_table, link_flow_table, market_table
from corridors.scenarios import to_query
from corridors.wiring import AssumptionsBase as Assumptions
from corridors.wiring import SeriesRef

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
#: Characters that make a spreadsheet treat a text cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
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
        A figure from :mod:`corridors.plotting` or :mod:`corridors.charts` (it has a
        footer annotation named ``footer``).
    context
        Scenario name, year and export date.
    preset
        One of :data:`PRESETS`.
    text_scale
        Factor on every font size, for a figure that is printed smaller than its
        pixel size (the PDF report uses :data:`REPORT_TEXT_SCALE`).

    Notes
    -----
    A map is widened (or heightened) to fill the preset's frame: plotly keeps the
    projection's proportions, so the region alone would leave empty bands.
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
    if text_scale != 1.0:
        _scale_text(out, text_scale)
    return fit_geo_to_frame(out, size.width, size.height)


NO_BROWSER_HINT = "install Debian's `chromium` (`make test` does it as root) or set BROWSER_PATH=/path/to/chrome"


def find_chart_browser() -> str:
    """The Chromium/Chrome kaleido will drive, found the way kaleido finds it.

    Raises
    ------
    ExportError
        At once, when ``BROWSER_PATH`` names no executable or no browser is found,
        rather than after the renderer's timeout.
    """
    import os

    named = os.environ.get("BROWSER_PATH")
    if named:
        if not (os.path.isfile(named) and os.access(named, os.X_OK)):
            raise ExportError(f"BROWSER_PATH={named} is not an executable browser; {NO_BROWSER_HINT}")
        return named
    from choreographer.browsers.chromium import Chromium

    found = Chromium.find_browser(skip_local=False)
    if not found:
        raise ExportError(f"no Chromium or Chrome was found for the chart export; {NO_BROWSER_HINT}")
    return found


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
                    raise ExportError(
                        "no Chromium or Chrome was found for the chart export: install Debian's `chromium` "
                        "(`make test` does it as root) or set BROWSER_PATH=/path/to/chrome"
                    ) from None
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
    size = PRESETS[preset]
    return renderer.render(ready, fmt, size.width, size.height, PNG_SCALE if fmt == "png" else 1.0, timeout)


# -- tables ---------------------------------------------------------------------------


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised (see :func:`neutralise`)."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])):
            out[column] = out[column].map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


#: Decimals kept in exported tables (more for small values, which keep this many significant digits).
DECIMALS = 6
#: Solver residue below this is written as zero, not as ``-7.1e-15``.
ZERO_BELOW = 1e-9


def tidy_number(value: object) -> object:
    """A float as a reader expects it in a table: solver noise dropped, still a number.

    ``8.900000000000004`` becomes ``8.9`` and ``-7.105427357601002e-15`` becomes ``0.0``;
    values are rounded to :data:`DECIMALS` decimals, small ones to as many
    significant digits. Anything that is not a finite float is returned as is.
    """
    if isinstance(value, bool) or not isinstance(value, float | np.floating):
        return value
    number = float(value)
    if not math.isfinite(number):
        return number
    if abs(number) < ZERO_BELOW:
        return 0.0
    digits = max(DECIMALS, DECIMALS - 1 - math.floor(math.log10(abs(number))))
    return round(number, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def tidy_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every float cell passed through :func:`tidy_number`."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_float_dtype(series) or series.dtype == object:
            out[column] = series.map(tidy_number)
    return out


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, list | tuple)).any():
            out[column] = out[column].map(lambda v: ";".join(v) if isinstance(v, list | tuple) else v)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads the accents), numbers tidied, formulas neutralised."""
    return safe_frame(tidy_numbers(_flatten(frame))).to_csv(index=False).encode("utf-8-sig")


def assumptions_table(assumptions: Assumptions, base: Baseline) -> pd.DataFrame:
    """Every assumption of a scenario: value, unit, its default and where the default came from."""
    rows = []
    for name, value in assumptions.model_dump().items():
        info = type(assumptions).wiring().parameter_info(name)
        prov = base.provenance.get(name)
        rows.append(
            {
                "assumption": name,
                "label": info["label"],
                "unit": info["unit"],
                "value": value,
                "default": getattr(base.assumptions, name),
                "changed": value != getattr(base.assumptions, name),
                "default_from": prov.kind if prov else "scenario year",
                "where_the_default_comes_from": prov.describe() if prov else "The year chosen for the scenario.",
            }
        )
    table = pd.DataFrame(rows)
    table.attrs = {"title": f"Assumptions of the scenario, {assumptions.year}"}
    return table


SHEET_NAME_MAX = 31


def xlsx_bytes(tables: dict[str, pd.DataFrame], sources: pd.DataFrame, assumptions: pd.DataFrame) -> bytes:
    """One workbook: a sheet per table, then ``sources`` and ``assumptions``.

    Every text cell is written as text (never as a formula), and text that a
    spreadsheet would run as a formula is neutralised as in the CSV export.
    Numbers are tidied as in the CSV export (:func:`tidy_number`) and stay numbers.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {**tables, "sources": sources[["source_id", "publisher", "title", "url", "published", "kind"]], "assumptions": assumptions}
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(name[:SHEET_NAME_MAX])
        safe = safe_frame(tidy_numbers(_flatten(frame)))
        sheet.append(list(safe.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in safe.itertuples(index=False):
            sheet.append([None if (not isinstance(v, str) and pd.isna(v)) else (v.item() if hasattr(v, "item") else v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, whatever it starts with
        for i, column in enumerate(safe.columns, start=1):
            width = min(60, max(10, len(str(column)) + 2, *(len(str(v)) + 2 for v in safe[column].head(200))))
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        title = frame.attrs.get("title")
        if title:
            sheet.sheet_properties.tabColor = "1F78B4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- a scenario's whole set of outputs ------------------------------------------------


def permalink(assumptions: Assumptions, base: Assumptions, base_url: str = DEFAULT_BASE_URL) -> str:
    """Link back to the Flows page showing this scenario."""
    return f"{base_url.rstrip('/')}/flows?{urlencode(to_query(assumptions, base))}"


@dataclass
class ScenarioExport:
    """Everything one scenario exports: figures, tables, their sources and context."""

    ledger: Ledger
    graph: nx.MultiDiGraph
    assumptions: Assumptions
    name: str
    base_url: str = DEFAULT_BASE_URL
    exported_on: date = field(default_factory=date.today)

    def __post_init__(self) -> None:
        self.baseline = baseline(self.ledger, self.assumptions.year)
        self.result: FlowResult = solve(self.graph, self.assumptions)
        self.context = ExportContext(
            self.name, self.assumptions.year, self.exported_on, permalink(self.assumptions, self.baseline.assumptions, self.base_url)
        )
        self.estimates = estimates_with_sources(self.ledger)
        self._figures = scenario_figures(self.ledger, self.graph, self.result, self.baseline, self.name, self.estimates)
        self._built: dict[str, go.Figure] = {}
        self._rendered: dict[tuple[str, str, str, float], bytes] = {}

    def figures(self) -> dict[str, tuple[str, Callable[[], go.Figure]]]:
        """Chart name → (title, builder); see :func:`scenario_figures`."""
        return self._figures

    def chart(self, name: str, fmt: str, preset: str = "slide", text_scale: float = 1.0) -> bytes:
        """One chart file, rendered once per bundle: the ZIP and the separate files share it."""
        key = (name, fmt, preset, text_scale)
        if key not in self._rendered:
            if name not in self._built:
                self._built[name] = self._figures[name][1]()
            self._rendered[key] = chart_bytes(self._built[name], fmt, self.context, preset, text_scale=text_scale)
        return self._rendered[key]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"estimates": self.estimates, **scenario_tables(self.result)}

    def assumptions_frame(self) -> pd.DataFrame:
        return assumptions_table(self.assumptions, self.baseline)

    def xlsx(self) -> bytes:
        return xlsx_bytes(self.tables(), self.ledger.sources, self.assumptions_frame())


def scenario_figures(
    ledger: Ledger, graph: nx.MultiDiGraph, result: FlowResult, base: Baseline, name: str, estimates: pd.DataFrame | None = None
) -> dict[str, tuple[str, Callable[[], go.Figure]]]:
    """The charts of a solved scenario: name → (title, builder).

    Builders are lazy, so a caller renders only what it shows or exports. Each
    chart's footer names the publishers behind its numbers: the links' sources for
    the maps, the sources of the defaults for the model charts.
    """
    year = result.assumptions.year
    wiring = ledger.wiring
    link_ids = [s for _, _, d in graph.edges(data=True) for s in d["source_ids"]]

    def defaults(network: str | None = None) -> list[str]:
        names = wiring.assumptions_of_network(network)
        return [s for n, p in base.provenance.items() if n in names for s in p.source_ids]

    def publishers(ids: Iterable[str]) -> str:
        return source_line(ids, ledger.sources)

    def series(metric: str, subject: str, title: str) -> go.Figure:
        frame = estimates if estimates is not None else estimates_with_sources(ledger)
        return series_figure(frame[(frame["metric"] == metric) & (frame["subject"] == subject)], title)

    flows = result.links.set_index("link_id")
    figures: dict[str, tuple[str, Callable[[], go.Figure]]] = {
        "flows": (
            f"Flows and utilisation, {year}",
            lambda: network_figure(
                graph,
                flows=flows,
                title=f"Flows and utilisation, {year}: {name}",
                footer=publishers(link_ids + defaults()),
                sources=ledger.sources,
            ),
        )
    }
    for network in wiring.networks:
        figures[f"{network}_markets"] = (
            f"{network.capitalize()} by market",
            lambda network=network: market_figure(result, network, publishers(defaults(network))),
        )
    for chart, title in indicator_chart_ids(result).items():
        figures[chart] = (title, lambda chart=chart: indicator_figure(result, chart, publishers(defaults())))
    figures["network"] = ("The network", lambda: network_figure(graph, footer=publishers(link_ids), sources=ledger.sources))
    for row in wiring.indicators[wiring.indicators["published_series"].notna()].to_dict("records"):
        ref = SeriesRef.parse(row["published_series"])
        title = f"{row['label']}: the published figures compared"
        figures[f"{row['indicator']}_sources"] = (title, lambda ref=ref, title=title: series(ref.metric, ref.subject, title))
    return figures


def scenario_tables(result: FlowResult) -> dict[str, pd.DataFrame]:
    """The model's tables for a solved scenario, each with a title in ``attrs``."""
    return {
        "link_flows": link_flow_table(result),
        "markets": market_table(result),
        **({"gas_balance": balance} if (balance := balance_table(result)) is not None else {}),
        "indicators": indicator_table(result),
    }


def _progress(items: list, enabled: bool, label: str):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="file")


def render_charts(
    bundle: ScenarioExport,
    formats: Iterable[str],
    preset: str = "slide",
    on_step: Callable[[str], None] | None = None,
    text_scale: float = 1.0,
) -> dict[str, bytes]:
    """``{"name.fmt": bytes}`` for every chart of the scenario in every image format asked for."""
    out: dict[str, bytes] = {}
    for name in bundle.figures():
        for fmt in formats:
            if on_step:
                on_step(f"{name}.{fmt}")
            out[f"{name}.{fmt}"] = bundle.chart(name, fmt, preset, text_scale)
    return out


def report_pdf(bundle: ScenarioExport, chart_png: dict[str, bytes] | None = None, on_step: Callable[[str], None] | None = None) -> bytes:
    """A PDF a person can send: assumptions, figures, indicators with definitions, tables, sources, permalink."""
    from corridors.report_pdf import build_report

    if chart_png is None:
        # Sized for print: a slide-sized chart shrunk to the A4 column would carry 4-pt text.
        chart_png = render_charts(bundle, ["png"], preset=REPORT_PRESET, on_step=on_step, text_scale=REPORT_TEXT_SCALE)
    return build_report(bundle, chart_png)


def report_zip(bundle: ScenarioExport, on_step: Callable[[str], None] | None = None) -> bytes:
    """Every chart as SVG and PNG, the XLSX and the CSVs, in one ZIP."""
    charts = render_charts(bundle, ["svg", "png"], on_step=on_step)
    buffer = io.BytesIO()
    slug = _slug(bundle.name)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in charts.items():
            archive.writestr(f"{slug}/charts/{name}", data)
        archive.writestr(f"{slug}/{slug}.xlsx", bundle.xlsx())
        for name, frame in bundle.tables().items():
            archive.writestr(f"{slug}/tables/{name}.csv", csv_bytes(frame))
        archive.writestr(f"{slug}/README.txt", f"{bundle.context.stamp()}\nOpen this view again: {bundle.context.permalink}\n")
    return buffer.getvalue()


def _slug(text: str) -> str:
    cleaned = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(p for p in cleaned.split("-") if p)[:60] or "scenario"


def parse_formats(text: str) -> list[str]:
    """Split ``png,svg,…`` and refuse unknown formats with a message that lists the known ones."""
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in ALL_FORMATS]
    if unknown or not formats:
        raise ValueError(f"unknown export format(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(ALL_FORMATS)}")
    return list(dict.fromkeys(formats))


def export_all(
    ledger: Ledger,
    graph: nx.MultiDiGraph,
    assumptions: Assumptions,
    name: str,
    out: str | Path,
    formats: Iterable[str],
    progress: bool = True,
    preset: str = "slide",
) -> list[Path]:
    """Write the scenario's charts, tables, report and ZIP into ``out``; return the paths written."""
    formats = list(formats)
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot create the output folder {folder}: {err.strerror}") from None
    bundle = ScenarioExport(ledger, graph, assumptions, name)
    slug = _slug(name)
    jobs: list[tuple[str, Callable[[], bytes]]] = []
    for fmt in (f for f in formats if f in IMAGE_FORMATS):
        jobs += [(f"charts/{chart}.{fmt}", lambda chart=chart, fmt=fmt: bundle.chart(chart, fmt, preset)) for chart in bundle.figures()]
    if "csv" in formats:
        jobs += [(f"tables/{table}.csv", lambda frame=frame: csv_bytes(frame)) for table, frame in bundle.tables().items()]
    if "xlsx" in formats:
        jobs.append((f"{slug}.xlsx", bundle.xlsx))
    if "report" in formats:
        jobs.append((f"{slug}-report.pdf", lambda: report_pdf(bundle)))
    if "zip" in formats:
        jobs.append((f"{slug}.zip", lambda: report_zip(bundle)))
    written = []
    for relative, job in _progress(jobs, progress and len(jobs) > 1, "exporting"):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = job()
        try:
            path.write_bytes(data)
        except OSError as err:
            raise ExportError(f"cannot write {path}: {err.strerror}") from None
        written.append(path)
    return written


def export_benchmarks(
    ledger: Ledger, graph: nx.MultiDiGraph, assumptions: Assumptions, report: Callable[[str, list[float]], None], quick: bool = False
) -> None:
    """Time chart exports (first and warm) and the whole report; printed by ``corridors bench``."""
    import time

    bundle = ScenarioExport(ledger, graph, assumptions, "Benchmark")
    flows_map = bundle.figures()["flows"][1]()
    bars = bundle.figures()["gas_markets"][1]()
    renderer.close()
    for fmt in IMAGE_FORMATS:
        start = time.perf_counter()
        chart_bytes(flows_map, fmt, bundle.context)
        first = time.perf_counter() - start
        report(f"export flows map {fmt.upper()} (first call{', starts the browser' if fmt == 'png' else ''})", [first])
        for label, fig in (("flows map", flows_map), ("bar chart", bars)):
            warm = []
            for _ in range(3 if quick else 8):
                start = time.perf_counter()
                chart_bytes(fig, fmt, bundle.context)
                warm.append(time.perf_counter() - start)
            report(f"export {label} {fmt.upper()} (warm)", warm)
    # Fresh bundles: a bundle keeps the charts it rendered, which would flatter the second timing.
    start = time.perf_counter()
    report_pdf(ScenarioExport(ledger, graph, assumptions, "Benchmark"))
    report("whole PDF report (6 charts + tables)", [time.perf_counter() - start])
    start = time.perf_counter()
    report_zip(ScenarioExport(ledger, graph, assumptions, "Benchmark"))
    report("ZIP of all charts (SVG + PNG) + XLSX + CSV", [time.perf_counter() - start])


__all__ = [
    "ALL_FORMATS",
    "IMAGE_FORMATS",
    "MIME",
    "PRESETS",
    "ExportContext",
    "ExportError",
    "ScenarioExport",
    "chart_bytes",
    "csv_bytes",
    "export_all",
    "neutralise",
    "report_figure",
    "report_pdf",
    "report_zip",
    "xlsx_bytes",
]
