"""The one-click PDF report, laid out with ReportLab."""

from __future__ import annotations

import io
import math
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import pandas as pd
import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from corridors import estimates
from corridors.charts import market_labels
from corridors.report_data import balance_table, market_table

if TYPE_CHECKING:
    from corridors.export import ScenarioExport

FONT, FONT_BOLD = "CorridorsSans", "CorridorsSans-Bold"
#: Stand-ins for characters the bundled font (Bitstream Vera) lacks.
FALLBACKS = {
    "→": "->",
    "↔": "<->",
    "≥": ">=",
    "≤": "<=",
    "÷": "/",
    "ə": "e",
    "Ə": "E",
    "ğ": "g",
    "ş": "s",
    "ı": "i",
    "İ": "I",
    "−": "-",
    "≈": "~",
}


#: DejaVu Sans, where the system has it, draws the Cyrillic and Azerbaijani titles of sources that
#: ReportLab's own Bitstream Vera prints as "?"; Vera remains the fallback.
SYSTEM_FONTS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"))


@cache
def _fonts() -> frozenset[int]:
    """Register the report's fonts (DejaVu if installed, else ReportLab's Vera) and return the code points covered."""
    folder = Path(reportlab.__file__).parent / "fonts"
    paths = SYSTEM_FONTS if all(p.is_file() for p in SYSTEM_FONTS) else (folder / "Vera.ttf", folder / "VeraBd.ttf")
    regular = TTFont(FONT, str(paths[0]))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(paths[1])))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return frozenset(regular.face.charToGlyph)


def pdf_text(value: object) -> str:
    """Escaped text the font can draw: unknown characters get a close stand-in or '?'."""
    covered = _fonts()
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    out = []
    for char in text:
        if ord(char) in covered or char in "\n\t":
            out.append(char)
        else:
            out.append(FALLBACKS.get(char, "?"))
    return escape("".join(out))


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=FONT_BOLD, fontSize=18, leading=22, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=13, leading=16, spaceBefore=10, keepWithNext=1),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7, leading=9),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9),
    }


#: Charts a little narrower than the text, so that two fit on a page.
CHART_WIDTH = 16.5 * cm
#: ReportLab's default cell padding, left plus right, and a point to spare.
CELL_PADDING = 13.0
CELL_FONT_SIZE = 7.5


def display_value(value: object, column: str = "", unit: object = None, number_format: str = "{:,.2f}") -> str:
    """A table cell as a reader expects it: years as plain integers, shares as percentages.

    Parameters
    ----------
    value
        The cell.
    column
        Its column: a column named like ``year`` holds years, ``utilisation`` a share.
    unit
        The row's unit, if the table has one: ``year`` and ``share`` decide the format.
    number_format
        Format of other numbers.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int | float):
        if unit == "year" or "year" in column.lower():
            return str(round(value))
        if unit == "share" or column == "utilisation":
            # As the page shows it (f"{v:.0%}"), not "0.036 share".
            return f"{value:.0%}"
        if isinstance(value, int):
            return str(value)
        return number_format.format(value)
    return str(value)


def _display_frame(frame: pd.DataFrame, number_format: str) -> pd.DataFrame:
    """Every cell as text (see :func:`display_value`), formatted by its column and its row's unit."""
    units = frame["unit"] if "unit" in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    out = {}
    for column in frame.columns:
        out[column] = [
            display_value(v.item() if hasattr(v, "item") else v, str(column), u, number_format) for v, u in zip(frame[column], units)
        ]
    return pd.DataFrame(out, columns=frame.columns)


def _text_width(text: str, bold: bool = False) -> float:
    return pdfmetrics.stringWidth(text, FONT_BOLD if bold else FONT, CELL_FONT_SIZE)


def _widths(frame: pd.DataFrame, total: float, nowrap: tuple[str, ...] = (), weights: dict[str, float] | None = None) -> list[float]:
    """Column widths: ``nowrap`` columns (dates, numbers, units) as wide as their longest cell or header, so
    neither wraps; the rest of ``total`` shared among the other columns by ``weights`` (1 each by default)."""
    _fonts()
    fixed = {c: CELL_PADDING + max([_text_width(str(c), bold=True), *(_text_width(str(v)) for v in frame[c])]) for c in nowrap}
    rest = [c for c in frame.columns if c not in fixed]
    weights = weights or {}
    share = sum(weights.get(c, 1.0) for c in rest) or 1.0
    left = max(total - sum(fixed.values()), 0.0)
    return [fixed[c] if c in fixed else left * weights.get(c, 1.0) / share for c in frame.columns]


def _table(
    frame: pd.DataFrame,
    styles: dict,
    widths: list[float] | None = None,
    number_format: str = "{:,.2f}",
    nowrap: tuple[str, ...] = (),
    weights: dict[str, float] | None = None,
) -> Table:
    """A table of ``frame``: every cell formatted by :func:`display_value`; widths as in :func:`_widths` unless given."""
    shown = _display_frame(frame, number_format)
    if widths is None:
        widths = _widths(shown, A4[0] - 3 * cm, nowrap, weights)
    rows = [[Paragraph(f"<b>{pdf_text(str(c).replace('_', ' '))}</b>", styles["cell"]) for c in shown.columns]]
    rows += [[Paragraph(pdf_text(v), styles["cell"]) for v in row] for row in shown.itertuples(index=False)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
            ]
        )
    )
    return table


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
    """Lay out the report PDF from a scenario bundle and its charts rendered as PNG."""
    styles = _styles()
    width = A4[0] - 3 * cm
    result = bundle.result
    ctx = bundle.context
    story: list = [
        Paragraph(pdf_text(f"Corridors scenario report: {bundle.name}"), styles["title"]),
        Paragraph(pdf_text(f"Year {ctx.year}. {ctx.stamp()}"), styles["body"]),
        Paragraph(
            f'Open this view again: <link href="{escape(ctx.permalink)}" color="blue">{pdf_text(ctx.permalink)}</link>', styles["body"]
        ),
        Spacer(1, 6),
        Paragraph(
            pdf_text(
                "Flows come from the Corridors flow model: two linear programmes (gas in bcm/yr, INSTC freight in Mt/yr) that respect "
                "the capacities in the ledger and report what cannot be carried as unmet demand. Every default is a published figure, "
                "a figure carried forward from the latest year with data, a figure derived from published ones, or a labelled "
                "assumption; the assumptions table says which."
            ),
            styles["body"],
        ),
        Paragraph("Key indicators", styles["h2"]),
    ]
    graph = bundle.graph
    link_names = {k: str(d["asset"]) for _, _, k, d in graph.edges(keys=True, data=True)}
    node_names = {n: str(d.get("name") or n) for n, d in graph.nodes(data=True)}
    indicators = result.indicator_table()[["indicator", "value", "unit", "definition"]]
    story.append(
        _table(indicators, styles, number_format="{:,.3f}", nowrap=("value", "unit"), weights={"indicator": 1.0, "definition": 2.6})
    )
    titles = {name: title for name, (title, _) in bundle.figures().items()}
    for name in bundle.figures():
        png = chart_png.get(f"{name}.png")
        if png is not None:
            story.append(KeepTogether([Paragraph(pdf_text(titles[name]), styles["h2"]), _image(png, CHART_WIDTH)]))
    story.append(Paragraph("Demand, delivered and unmet", styles["h2"]))
    markets = market_table(result)[["market", "network", "unit", "demand", "delivered", "unmet"]]
    labels = market_labels(result)
    markets = markets.assign(market=markets["market"].map(lambda m: labels.get(m, m)))
    story.append(_table(markets, styles, nowrap=("network", "unit", "demand", "delivered", "unmet")))
    story.append(Paragraph("Bottlenecks (links whose capacity limits the result)", styles["h2"]))
    bottlenecks = result.bottlenecks[["asset", "network", "capacity", "flow", "utilisation", "unit"]]
    story.append(
        _table(bottlenecks, styles, nowrap=("network", "capacity", "flow", "utilisation", "unit"))
        if len(bottlenecks)
        else Paragraph("No link limits the flows.", styles["body"])
    )
    balance = balance_table(result)
    if balance is not None:
        story.append(Paragraph(pdf_text(balance.attrs["title"]), styles["h2"]))
        story.append(_table(balance, styles, [width * 0.7, width * 0.3]))
    story.append(PageBreak())
    story.append(Paragraph("Assumptions", styles["h2"]))
    metric_labels = getattr(estimates, "METRIC_LABELS", {})
    # Only ids that cannot be ordinary words (they hold "_" or "-"): "acg" or "georgia" may be prose.
    id_names = {k: v for k, v in {**node_names, **labels, **link_names}.items() if "_" in k or "-" in k}
    assumptions = bundle.assumptions_frame()[["label", "value", "unit", "default", "where_the_default_comes_from"]]
    assumptions = assumptions.assign(
        where_the_default_comes_from=assumptions["where_the_default_comes_from"].map(lambda t: _readable(t, id_names, metric_labels))
    )
    story.append(
        _table(
            assumptions,
            styles,
            number_format="{:,.4g}",
            nowrap=("value", "unit", "default"),
            weights={"label": 1.0, "where_the_default_comes_from": 2.4},
        )
    )
    for note in result.notes:
        # The model's notes name links by id; a reader knows them by their asset names.
        story.append(Paragraph(pdf_text(_readable(note, id_names, {})), styles["small"]))
    story.append(PageBreak())
    story.append(Paragraph(f"Sources ({len(bundle.ledger.sources)})", styles["h2"]))
    sources = bundle.ledger.sources[["source_id", "publisher", "title", "url", "published"]].fillna("")
    story.append(_table(sources, styles, nowrap=("published",), weights={"source_id": 1.2, "publisher": 1.2, "title": 1.6, "url": 1.6}))
    story.append(Paragraph(f"What is not public ({len(bundle.ledger.gaps)} known gaps)", styles["h2"]))
    gaps = bundle.ledger.gaps[["topic", "metric", "subject", "note"]].fillna("")
    gaps = gaps.assign(
        metric=gaps["metric"].map(lambda m: metric_labels.get(m, m)),
        subject=gaps["subject"].map(lambda v: _subject_names(v, {**node_names, **link_names})),
    )
    story.append(_table(gaps, styles, nowrap=("topic",), weights={"metric": 1.0, "subject": 1.2, "note": 3.2}))

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
    doc.corridors_stamp = ctx.stamp()
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
