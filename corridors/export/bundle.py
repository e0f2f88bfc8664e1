"""A scenario's whole set of outputs: its figures, tables, the PDF report and a ZIP, and the CLI's export."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from corridors.export.files import assumptions_table, csv_bytes, xlsx_bytes
from corridors.export.render import (
    ALL_FORMATS,
    IMAGE_FORMATS,
    LOCAL_HOSTS,
    NO_PERMALINK,
    PUBLIC_URL_ENV,
    REPORT_PRESET,
    REPORT_TEXT_SCALE,
    ExportContext,
    ExportError,
    chart_bytes,
)
from corridors.export.report import build_report
from corridors.ledger.load import Ledger
from corridors.ledger.user_data import USER_FOOTER, USER_ORIGIN, with_user_data
from corridors.ledger.wiring import AssumptionsBase as Assumptions
from corridors.ledger.wiring import SeriesRef
from corridors.model import FlowResult, solve
from corridors.model.backtest import backtest, record_years
from corridors.model.baseline import Baseline, cached_baseline
from corridors.model.scenarios import to_query
from corridors.model.solve import model_of
from corridors.model.uncertainty import Uncertainty, monte_carlo
from corridors.views.charts import indicator_chart_ids, indicator_figure, market_figure
from corridors.views.comparison import assumptions_comparison, comparison_tables
from corridors.views.maps import difference_figure, network_figure
from corridors.views.sankey import balance_sankey
from corridors.views.series import estimates_with_sources, inert, series_figure
from corridors.views.style import source_line
from corridors.views.tables import balance_table, indicator_table, link_flow_table, market_table, result_document
from corridors.views.uncertainty import distribution_figure, tornado_figure


def public_base_url(opened_at: str | None = None, base_path: str = "") -> str | None:
    """The address a file may link back to: ``CORRIDORS_PUBLIC_URL``, else where the dashboard was opened, else None.

    Parameters
    ----------
    opened_at
        The page's own address (``st.context.url``), or None (the command line).
    base_path
        The path the app is served under (``server.baseUrlPath``), kept in the link.

    Returns
    -------
    str or None
        Scheme, host and base path, without a trailing slash; None where the only address
        known is this computer's (``localhost`` and the like), which is never put in a file.
    """
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if configured:
        return configured.rstrip("/")
    if not opened_at:
        return None
    parts = urlsplit(opened_at)
    if not parts.scheme or (parts.hostname or "") in LOCAL_HOSTS:
        return None
    path = "/" + base_path.strip("/") if base_path.strip("/") else ""
    return f"{parts.scheme}://{parts.netloc}{path}"


def permalink(assumptions: Assumptions, base: Assumptions, base_url: str | None) -> str:
    """Link back to the Flows page showing this scenario ("" without a public address: see :func:`public_base_url`)."""
    if not base_url:
        return ""
    return f"{base_url.rstrip('/')}/flows?{urlencode(to_query(assumptions, base))}"


@dataclass
class ScenarioExport:
    """Everything one scenario exports: figures, tables, their sources and context."""

    ledger: Ledger
    graph: nx.MultiDiGraph
    assumptions: Assumptions
    name: str
    #: Where the dashboard is reached (see :func:`public_base_url`); None leaves the link back out of the files.
    base_url: str | None = None
    exported_on: date = field(default_factory=date.today)
    #: A Monte Carlo run of this scenario; with one, the tables gain P10/P50/P90 and the report an Uncertainty section.
    uncertainty: Uncertainty | None = None
    #: What the maps show: the whole corridor (None) or a close-up (see corridors.views.geo.map_extents).
    extent: str | None = None
    #: Scenario A (its assumptions and name) this one is compared against: the files gain the comparison's
    #: tables, the difference map and the report an "A against B" section.
    against: tuple[Assumptions, str] | None = None

    def __post_init__(self) -> None:
        self.baseline = cached_baseline(self.ledger, self.assumptions.year)
        self.result: FlowResult = solve(self.graph, self.assumptions)
        self.context = ExportContext(
            self.name, self.assumptions.year, self.exported_on, permalink(self.assumptions, self.baseline.assumptions, self.base_url)
        )
        self.estimates = estimates_with_sources(self.ledger)
        probability = self.uncertainty.binding_probability() if self.uncertainty is not None else None
        self._figures = scenario_figures(
            self.ledger, self.graph, self.result, self.baseline, self.name, self.estimates, probability, self.extent
        )
        if self.uncertainty is not None:
            self._figures.update(uncertainty_figures(self.ledger, self.uncertainty, self.assumptions.year))
        self.comparison: dict[str, pd.DataFrame] | None = None
        if self.against is not None:
            self._compare(*self.against)
        self._built: dict[str, go.Figure] = {}
        self._rendered: dict[tuple[str, str, str, float], bytes] = {}

    def _compare(self, assumptions: Assumptions, name: str) -> None:
        """Scenario A solved, the comparison's tables, and the difference map among the figures."""
        self.against_result = solve(self.graph, assumptions)
        a, b = result_document(self.against_result, name), result_document(self.result, self.name)
        assets = dict(zip(self.ledger.links["link_id"], self.ledger.links["asset"]))
        self.comparison = {
            **comparison_tables(a, b, self.ledger.wiring, assets),
            "assumptions": assumptions_comparison(assumptions, self.assumptions),
        }
        title = f"{self.name} against {name}: change in flow, {self.assumptions.year}"
        footer = source_line(self.ledger.link_source_ids, self.ledger.sources)
        links = self.comparison["links"]
        self._figures["difference"] = (
            f"B against A: {self.name} against {name}",
            lambda: difference_figure(self.graph, links, title, footer, self.extent),
        )

    def backtest(self) -> pd.DataFrame | None:
        """The baseline held against the published record over the years the ledger has outturns (computed once)."""
        if not hasattr(self, "_backtest"):
            span = record_years(self.ledger)
            # The published record against the ledger's own baseline: a reader's figures are not the record.
            ledger = with_user_data(self.ledger, None)
            self._backtest = None if span is None else backtest(ledger, self.graph, *span)
        return self._backtest

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
        compared = {f"compare_{name}": frame for name, frame in (self.comparison or {}).items()}
        return {"estimates": self.estimates, **scenario_tables(self.result, self.uncertainty), **compared}

    def assumptions_frame(self) -> pd.DataFrame:
        return assumptions_table(self.assumptions, self.baseline)

    def xlsx(self) -> bytes:
        return xlsx_bytes(self.tables(), self.ledger.all_sources, self.assumptions_frame())


def scenario_figures(
    ledger: Ledger,
    graph: nx.MultiDiGraph,
    result: FlowResult,
    base: Baseline,
    name: str,
    estimates: pd.DataFrame | None = None,
    binding_probability: pd.Series | None = None,
    extent: str | None = None,
    validate: bool = True,
) -> dict[str, tuple[str, Callable[[], go.Figure]]]:
    """The charts of a solved scenario: name → (title, builder); the maps show ``extent`` (None: the whole corridor).

    Builders are lazy, so a caller renders only what it shows or exports. Each
    chart's footer names the publishers behind its numbers: the links' sources for
    the maps, the sources of the defaults for the model charts. ``validate=False``
    builds the maps without plotly's property checks, for the page's redraws; files
    keep them.
    """
    year = result.assumptions.year
    wiring = ledger.wiring
    link_ids = [s for _, _, d in graph.edges(data=True) for s in d["source_ids"]]

    def defaults(network: str | None = None) -> list[str]:
        names = wiring.assumptions_of_network(network)
        return [s for n, p in base.provenance.items() if n in names for s in p.source_ids]

    def uses_user_data(network: str | None = None) -> bool:
        names = wiring.assumptions_of_network(network)
        return any(p.origin == USER_ORIGIN for n, p in base.provenance.items() if n in names)

    def publishers(ids: Iterable[str], network: str | None = None, from_defaults: bool = True) -> str:
        """The chart's source line; it says so when the defaults behind the chart rest on the reader's own figures."""
        line = source_line(ids, ledger.all_sources, publisher=inert)
        return f"{line}. {USER_FOOTER}." if from_defaults and uses_user_data(network) else line

    def series(metric: str, subject: str, title: str) -> go.Figure:
        frame = estimates if estimates is not None else estimates_with_sources(ledger)
        return series_figure(frame[(frame["metric"] == metric) & (frame["subject"] == subject)], title)

    flows = result.links.set_index("link_id")
    if binding_probability is not None:
        flows = flows.join(binding_probability.rename("binding_probability"))
    figures: dict[str, tuple[str, Callable[[], go.Figure]]] = {
        "flows": (
            f"Flows and utilisation, {year}",
            lambda: network_figure(
                graph,
                flows=flows,
                title=f"Flows and utilisation, {year}: {name}",
                footer=publishers(link_ids + defaults()),
                sources=ledger.sources,
                extent=extent,
                validate=validate,
            ),
        )
    }
    for network in wiring.networks:
        figures[f"{network}_markets"] = (
            f"{network.capitalize()} by market",
            lambda network=network: market_figure(result, network, publishers(defaults(network), network)),
        )
    for network in wiring.networks:
        if (result.solved.get(network) or {}).get("offered"):
            figures[f"{network}_balance_sankey"] = (
                f"{network.capitalize()} balance: supplies in, markets out",
                lambda network=network: balance_sankey(result, publishers(defaults(network), network), network),
            )
    for chart, title in indicator_chart_ids(result).items():
        figures[chart] = (title, lambda chart=chart: indicator_figure(result, chart, publishers(defaults())))
    figures["network"] = (
        "The network",
        lambda: network_figure(
            graph, footer=publishers(link_ids, from_defaults=False), sources=ledger.sources, extent=extent, validate=validate
        ),
    )
    for row in wiring.indicators[wiring.indicators["published_series"].notna()].to_dict("records"):
        ref = SeriesRef.parse(row["published_series"])
        title = f"{row['label']}: the published figures compared"
        figures[f"{row['indicator']}_sources"] = (title, lambda ref=ref, title=title: series(ref.metric, ref.subject, title))
    return figures


def scenario_tables(result: FlowResult, uncertainty: Uncertainty | None = None) -> dict[str, pd.DataFrame]:
    """The model's tables for a solved scenario, each with a title in ``attrs`` (indicators with P10/P50/P90 if drawn)."""
    return {
        "link_flows": link_flow_table(result),
        "markets": market_table(result),
        **({"gas_balance": balance} if (balance := balance_table(result)) is not None else {}),
        "indicators": indicator_table(result, uncertainty),
    }


def uncertainty_figures(ledger: Ledger, run: Uncertainty, year: int) -> dict[str, tuple[str, Callable[[], go.Figure]]]:
    """The distribution and the tornado of the first headline indicator of a Monte Carlo run."""
    definitions = ledger.wiring.indicators.set_index("indicator")
    indicator = next((k for k in ledger.wiring.headline if k in run.indicators.columns), None)
    if indicator is None:
        return {}
    label, unit = str(definitions.loc[indicator, "label"]), str(definitions.loc[indicator, "unit"])
    return {
        "uncertainty_distribution": (f"What the sources allow: {label}", lambda: distribution_figure(run, indicator, label, unit, year)),
        "uncertainty_tornado": (f"What moves it: {label}", lambda: tornado_figure(run, indicator, label, unit, year)),
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
    if chart_png is None:
        # Sized for print: a slide-sized chart shrunk to the A4 column would carry 4-pt text.
        chart_png = render_charts(bundle, ["png"], preset=REPORT_PRESET, on_step=on_step, text_scale=REPORT_TEXT_SCALE)
    return build_report(bundle, chart_png)


def zip_readme(bundle: ScenarioExport) -> str:
    """The ZIP's README: where its files come from, and the link back to the view when there is a public address."""
    link = f"Open this view again: {bundle.context.permalink}" if bundle.context.permalink else NO_PERMALINK
    return f"{bundle.context.stamp()}\n{link}\n"


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
        archive.writestr(f"{slug}/README.txt", zip_readme(bundle))
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


def scenario_export(
    ledger: Ledger,
    graph: nx.MultiDiGraph,
    assumptions: Assumptions,
    name: str,
    draws: int = 0,
    seed: int = 7,
    public_url: str | None = None,
    extent: str | None = None,
) -> ScenarioExport:
    """What the command line exports: the scenario, its draws when asked, linked back to ``public_url`` or CORRIDORS_PUBLIC_URL."""
    run = monte_carlo(model_of(graph), ledger, cached_baseline(ledger, assumptions.year), assumptions, draws, seed) if draws > 0 else None
    return ScenarioExport(ledger, graph, assumptions, name, base_url=public_url or public_base_url(), uncertainty=run, extent=extent)


def export_all(
    ledger: Ledger,
    graph: nx.MultiDiGraph,
    assumptions: Assumptions,
    name: str,
    out: str | Path,
    formats: Iterable[str],
    progress: bool = True,
    preset: str = "slide",
    draws: int = 0,
    seed: int = 7,
    public_url: str | None = None,
    extent: str | None = None,
) -> list[Path]:
    """Write the scenario's charts, tables, report and ZIP into ``out``; return the paths written.

    With ``draws`` > 0, a Monte Carlo run (``seed``) adds P10/P50/P90 to the indicator
    tables, its two charts, and the report's Uncertainty section. The report and the ZIP
    link back to the view only with a public address: ``public_url`` (``--public-url``)
    or ``CORRIDORS_PUBLIC_URL``.
    """
    formats = list(formats)
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot create the output folder {folder}: {err.strerror}") from None
    bundle = scenario_export(ledger, graph, assumptions, name, draws, seed, public_url, extent)
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
