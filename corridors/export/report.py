"""The one-click PDF report, laid out with ReportLab.

Fonts, cell formats and tables are in :mod:`corridors.export.pdf`.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from corridors.export.pdf import FONT, pdf_styles, pdf_table
from corridors.export.pdf import display_value as display_value  # re-exported: callers import it from here
from corridors.export.pdf import pdf_text as pdf_text  # re-exported: callers import it from here
from corridors.export.render import NO_PERMALINK
from corridors.export.report_money import gas_money_story, routes_story
from corridors.views.charts import market_labels
from corridors.views.estimates import METRIC_LABELS
from corridors.views.tables import balance_table, market_table
from corridors.views.uncertainty import method_line

if TYPE_CHECKING:
    from corridors.export.bundle import ScenarioExport
    from corridors.model.flows import FlowResult

#: Charts a little narrower than the text, so that two fit on a page.
CHART_WIDTH = 16.5 * cm


def _names_for_ids(text: str, names: dict[str, str]) -> str:
    """``text`` with every whole-word id in ``names`` replaced by its name (longest ids first)."""
    if not names:
        return text
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(i)}(?![\w-])" for i in sorted(names, key=len, reverse=True)))
    return pattern.sub(lambda m: names[m.group(0)], text)


def _readable(text: object, names: dict[str, str], metric_labels: dict[str, str]) -> str:
    """Prose from the ledger or the model with its ids spelled out: "(link-id)" after the link's own name
    is dropped, other link, node and market ids become names, metric codes become words."""
    if not isinstance(text, str):
        return ""
    for key, name in names.items():
        text = text.replace(f"{name} ({key})", name)
    return _names_for_ids(text, {**names, **{m: label.lower() for m, label in metric_labels.items()}})


def _subject_names(subject: object, names: dict[str, str]) -> str:
    """A gap's subject (``;``-separated ids or country pairs) with link and node ids as names."""
    if not isinstance(subject, str):
        return ""
    return "; ".join(names.get(part.strip(), part.strip()) for part in subject.split(";"))


def _image(png: bytes, width: float) -> Image:
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as im:
        w, h = im.size
    return Image(io.BytesIO(png), width=width, height=width * h / w)


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7)
    canvas.setFillColor(colors.HexColor("#666666"))
    canvas.drawString(1.5 * cm, 1.0 * cm, pdf_text(doc.corridors_stamp).replace("&amp;", "&"))
    canvas.drawRightString(A4[0] - 1.5 * cm, 1.0 * cm, f"page {doc.page}")
    canvas.restoreState()


def build_report(bundle: ScenarioExport, chart_png: dict[str, bytes]) -> bytes:
    """Lay out the report PDF from a scenario bundle and its charts rendered as PNG.

    Parameters
    ----------
    bundle
        The solved scenario: its figures, tables, assumptions, ledger and context.
    chart_png
        PNG bytes by file name (``<chart>.png``); a chart missing here is left out.

    Returns
    -------
    bytes
        The PDF: key indicators, charts, market and bottleneck tables, the balance,
        then the assumptions and model notes, then the sources and known gaps.
    """
    styles = pdf_styles()
    labels = market_labels(bundle.result)
    graph = bundle.graph
    link_names = {k: str(d["asset"]) for _, _, k, d in graph.edges(keys=True, data=True)}
    node_names = {n: str(d.get("name") or n) for n, d in graph.nodes(data=True)}
    # Only ids that cannot be ordinary words (they hold "_" or "-"): "acg" or "georgia" may be prose.
    id_names = {k: v for k, v in {**node_names, **labels, **link_names}.items() if "_" in k or "-" in k}
    story = [
        *_front_matter(bundle, styles),
        *_chart_pages(bundle, chart_png, styles),
        *_result_tables(bundle.result, labels, styles),
        *_comparison_section(bundle, chart_png, labels, styles),
        *gas_money_story(bundle.ledger, bundle.result, styles, bundle.uncertainty),
        *routes_story(bundle.ledger, styles, bundle.context.year, bundle.result.assumptions),
        *_backtest_section(bundle, styles),
        *_uncertainty_section(bundle, chart_png, styles),
        PageBreak(),
        *_assumptions_section(bundle, id_names, styles),
        *_user_data_section(bundle, styles),
        PageBreak(),
        *_sources_and_gaps(bundle, {**node_names, **link_names}, styles),
    ]
    return _write_pdf(story, bundle)


def _comparison_section(bundle: ScenarioExport, chart_png: dict[str, bytes], labels: dict[str, str], styles: dict) -> list:
    """Scenario A against this one (B): what changes in the indicators, the markets and the links that bind."""
    if bundle.comparison is None or bundle.against is None:
        return []
    tables, name_a = bundle.comparison, bundle.against[1]
    indicators = tables["indicators"][["label", "unit", "a", "b", "delta"]].rename(columns={"a": "A", "b": "B", "delta": "B − A"})
    markets = tables["markets"][["label", "unit", "demand_a", "demand_b", "delivered_a", "delivered_b", "unmet_a", "unmet_b"]]
    changed = tables["binding_changes"][["asset", "link_id", "flow_a", "flow_b", "binding_a", "binding_b"]]
    differs = tables["assumptions"][tables["assumptions"]["differs"]][["label", "unit", "a", "b"]]
    story = [
        PageBreak(),
        Paragraph(pdf_text(f"A against B: {name_a} (A) against {bundle.name} (B)"), styles["h2"]),
        Paragraph(pdf_text(f"Both are solved by the same model for {bundle.assumptions.year}. Differences are B − A."), styles["body"]),
        Paragraph("Assumptions that differ", styles["body"]),
        pdf_table(differs, styles, number_format="{:,.4g}") if len(differs) else Paragraph("None.", styles["body"]),
        Paragraph("Indicators", styles["body"]),
        pdf_table(indicators, styles, number_format="{:,.4g}", nowrap=("unit",)),
        Paragraph("Demand, delivered and unmet by market", styles["body"]),
        pdf_table(markets, styles, number_format="{:,.3g}"),
        Paragraph("Links whose binding state changes", styles["body"]),
        pdf_table(changed, styles, number_format="{:,.3g}") if len(changed) else Paragraph("None.", styles["body"]),
    ]
    png = chart_png.get("difference.png")
    if png is not None:
        story.append(KeepTogether([Paragraph(pdf_text(bundle.figures()["difference"][0]), styles["h2"]), _image(png, CHART_WIDTH)]))
    return story


def _user_data_section(bundle: ScenarioExport, styles: dict) -> list:
    """The reader's own figures, apart from the ledger's and said to be theirs (nothing when none were given)."""
    user = bundle.ledger.user
    if user is None:
        return []
    used = (
        "The model's defaults take these figures where they give one for the series and year; the assumptions table "
        "marks each such default as user-supplied."
        if bundle.ledger.user_defaults
        else "They are shown beside the ledger's figures; the model's defaults do not use them."
    )
    rows = user.estimates.merge(bundle.ledger.all_sources[["source_id", "publisher"]], on="source_id", how="left")[
        ["estimate_id", "metric", "subject", "year", "value", "unit", "basis", "publisher", "note"]
    ]
    story = [
        Paragraph(f"Your data: user-supplied figures ({len(rows)}), not from the ledger", styles["h2"]),
        Paragraph(pdf_text(f"From {', '.join(user.files)}. {used}"), styles["body"]),
        pdf_table(rows.fillna(""), styles, number_format="{:,.4g}", nowrap=("year", "unit"), weights={"note": 2.4}),
    ]
    if len(user.sources):
        sources = user.sources[["source_id", "publisher", "title", "url", "published"]].fillna("")
        story += [Paragraph("Their sources", styles["body"]), pdf_table(sources, styles, weights={"title": 1.6, "url": 1.6})]
    return story


def _front_matter(bundle: ScenarioExport, styles: dict) -> list:
    """Title, stamp, permalink, what the model is, and the key indicators."""
    ctx = bundle.context
    networks = bundle.result.markets.groupby("network", sort=False)["unit"].first()
    programmes = ", ".join(f"{network} in {unit}" for network, unit in networks.items())
    indicators = bundle.result.indicator_table()[["indicator", "value", "unit", "definition"]]
    return [
        Paragraph(pdf_text(f"Corridors scenario report: {bundle.name}"), styles["title"]),
        Paragraph(pdf_text(f"Year {ctx.year}. {ctx.stamp()}"), styles["body"]),
        Paragraph(
            f'Open this view again: <link href="{escape(ctx.permalink)}" color="blue">{pdf_text(ctx.permalink)}</link>'
            if ctx.permalink
            else pdf_text(NO_PERMALINK),
            styles["body"],
        ),
        Spacer(1, 6),
        Paragraph(
            pdf_text(
                f"Flows come from the Corridors flow model: one linear programme per network ({programmes}) that respects "
                "the capacities in the ledger and report what cannot be carried as unmet demand. Every default is a published figure, "
                "a figure carried forward from the latest year with data, a figure derived from published ones, or a labelled "
                "assumption; the assumptions table says which."
            ),
            styles["body"],
        ),
        Paragraph("Key indicators", styles["h2"]),
        pdf_table(indicators, styles, number_format="{:,.3f}", nowrap=("value", "unit"), weights={"indicator": 1.0, "definition": 2.6}),
    ]


def _chart_pages(bundle: ScenarioExport, chart_png: dict[str, bytes], styles: dict) -> list:
    """Each rendered chart under its title, kept together so a title never ends a page."""
    story = []
    for name, (title, _) in bundle.figures().items():
        png = chart_png.get(f"{name}.png")
        if png is not None and not name.startswith("uncertainty_") and name != "difference":  # those have sections of their own
            story.append(KeepTogether([Paragraph(pdf_text(title), styles["h2"]), _image(png, CHART_WIDTH)]))
    return story


def _result_tables(result: FlowResult, labels: dict[str, str], styles: dict) -> list:
    """Demand, delivered and unmet by market; the bottlenecks; the balance when the model has one."""
    width = A4[0] - 3 * cm
    markets = market_table(result)[["market", "network", "unit", "demand", "delivered", "unmet"]]
    markets = markets.assign(market=markets["market"].map(lambda m: labels.get(m, m)))
    bottlenecks = result.bottlenecks[["asset", "network", "capacity", "flow", "utilisation", "unit"]]
    story = [
        Paragraph("Demand, delivered and unmet", styles["h2"]),
        pdf_table(markets, styles, nowrap=("network", "unit", "demand", "delivered", "unmet")),
        Paragraph("Bottlenecks (links whose capacity limits the result)", styles["h2"]),
        pdf_table(bottlenecks, styles, nowrap=("network", "capacity", "flow", "utilisation", "unit"))
        if len(bottlenecks)
        else Paragraph("No link limits the flows.", styles["body"]),
    ]
    balance = balance_table(result)
    if balance is not None:
        story.append(Paragraph(pdf_text(balance.attrs["title"]), styles["h2"]))
        story.append(pdf_table(balance, styles, [width * 0.7, width * 0.3]))
    return story


def _uncertainty_section(bundle: ScenarioExport, chart_png: dict[str, bytes], styles: dict) -> list:
    """The intervals of a Monte Carlo run: method, every indicator's P10/P50/P90, the charts, the binding probabilities."""
    run = bundle.uncertainty
    if run is None:
        return []
    definitions = bundle.ledger.wiring.indicators.set_index("indicator")
    intervals = run.intervals().join(definitions[["label", "unit"]])
    intervals = intervals.reset_index(drop=True)[["label", "central", "p10", "p50", "p90", "unit"]]
    probability = run.binding_probability()
    binding = probability[probability > 0].sort_values(ascending=False)
    assets = dict(zip(bundle.ledger.links["link_id"], bundle.ledger.links["asset"]))
    binding_table = pd.DataFrame({"link": [assets.get(k, k) for k in binding.index], "share of draws": binding.to_numpy()})
    story = [
        Paragraph("Uncertainty", styles["h2"]),
        Paragraph(
            pdf_text(
                f"Where the sources disagree, the answer is a range. {method_line(run)} Each draw re-solves the model; P10, P50 "
                "and P90 are the values that 10 %, 50 % and 90 % of the draws stay under. A value set by hand in the scenario is "
                "held, not drawn. The tornado moves each input alone from its low to its high end."
            ),
            styles["body"],
        ),
        pdf_table(intervals, styles, number_format="{:,.3f}", nowrap=("central", "p10", "p50", "p90", "unit"), weights={"label": 2.0}),
    ]
    for name in ("uncertainty_distribution", "uncertainty_tornado"):
        png = chart_png.get(f"{name}.png")
        if png is not None:
            story.append(KeepTogether([Paragraph(pdf_text(bundle.figures()[name][0]), styles["h2"]), _image(png, CHART_WIDTH)]))
    story.append(Paragraph("Links that bind in some draws (share of draws)", styles["h2"]))
    story.append(pdf_table(binding_table, styles, number_format="{:.0%}") if len(binding_table) else Paragraph("None.", styles["body"]))
    return story


def _backtest_section(bundle: ScenarioExport, styles: dict) -> list:
    """The baseline held against the published record, misses first, each with its reason."""
    table = bundle.backtest()
    if table is None or table.empty:
        return []
    shown = table[table["inside"].notna()].assign(
        published=lambda t: [f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}" for lo, hi in zip(t["published_min"], t["published_max"])],
        inside=lambda t: t["inside"].map({True: "yes", False: "no"}),
    )[["year", "label", "published", "model", "inside", "reason"]]
    misses = int((shown["inside"] == "no").sum())
    return [
        Paragraph(pdf_text(table.attrs.get("title", "How well the model reproduces the past")), styles["h2"]),
        Paragraph(
            pdf_text(
                f"The baseline of each year held against the published outturns (contracts and forecasts left out): {misses} of "
                f"{len(shown)} series-years miss their published range (±5 % around a single figure). Misses come first, with why."
            ),
            styles["body"],
        ),
        pdf_table(shown, styles, number_format="{:,.2f}", nowrap=("year", "published", "model", "inside"), weights={"reason": 2.4}),
    ]


def _assumptions_section(bundle: ScenarioExport, id_names: dict[str, str], styles: dict) -> list:
    """The assumptions with where each default comes from, then the model's notes, ids spelled out as names."""
    assumptions = bundle.assumptions_frame()[["label", "value", "unit", "default", "where_the_default_comes_from"]]
    assumptions = assumptions.assign(
        where_the_default_comes_from=assumptions["where_the_default_comes_from"].map(lambda t: _readable(t, id_names, METRIC_LABELS))
    )
    story = [
        Paragraph("Assumptions", styles["h2"]),
        pdf_table(
            assumptions,
            styles,
            number_format="{:,.4g}",
            nowrap=("value", "unit", "default"),
            weights={"label": 1.0, "where_the_default_comes_from": 2.4},
        ),
    ]
    for note in bundle.result.notes:
        # The model's notes name links by id; a reader knows them by their asset names.
        story.append(Paragraph(pdf_text(_readable(note, id_names, {})), styles["small"]))
    return story


def _sources_and_gaps(bundle: ScenarioExport, names: dict[str, str], styles: dict) -> list:
    """Every source of the ledger, then the known gaps with metric codes as words and subjects as names."""
    ledger = bundle.ledger
    sources = ledger.sources[["source_id", "publisher", "title", "url", "published"]].fillna("")
    gaps = ledger.gaps[["topic", "metric", "subject", "note"]].fillna("")
    gaps = gaps.assign(
        metric=gaps["metric"].map(lambda m: METRIC_LABELS.get(m, m)),
        subject=gaps["subject"].map(lambda v: _subject_names(v, names)),
    )
    return [
        Paragraph(f"Sources ({len(ledger.sources)})", styles["h2"]),
        pdf_table(sources, styles, nowrap=("published",), weights={"source_id": 1.2, "publisher": 1.2, "title": 1.6, "url": 1.6}),
        Paragraph(f"What is not public ({len(ledger.gaps)} known gaps)", styles["h2"]),
        pdf_table(gaps, styles, nowrap=("topic",), weights={"metric": 1.0, "subject": 1.2, "note": 3.2}),
    ]


def _write_pdf(story: list, bundle: ScenarioExport) -> bytes:
    """Build the PDF on A4 with the scenario's stamp and the page number in every page's footer."""
    ctx = bundle.context
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.7 * cm,
        title=f"Corridors: {bundle.name}",
        author="Corridors",
        subject=ctx.stamp(),
    )
    # The page callback reads the stamp from the document: ReportLab passes it no other context.
    doc.corridors_stamp = ctx.stamp()
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
