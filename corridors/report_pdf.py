"""The one-click PDF report, laid out with ReportLab."""

from __future__ import annotations

import io
import math
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
CHART_ORDER = ("flows", "gas_markets", "instc_branches", "network", "gas_exports_sources", "russian_gas_sources")


@cache
def _fonts() -> frozenset[int]:
    """Register the TTF fonts ReportLab ships and return the code points they cover."""
    folder = Path(reportlab.__file__).parent / "fonts"
    regular = TTFont(FONT, str(folder / "Vera.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "VeraBd.ttf")))
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
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=13, leading=16, spaceBefore=10),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7, leading=9),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9),
    }


def _table(frame: pd.DataFrame, styles: dict, widths: list[float] | None = None, number_format: str = "{:,.2f}") -> Table:
    def cell(value: object) -> Paragraph:
        if isinstance(value, bool):
            return Paragraph("yes" if value else "", styles["cell"])
        if isinstance(value, int):
            return Paragraph(str(value), styles["cell"])
        if isinstance(value, float):
            return Paragraph("" if math.isnan(value) else number_format.format(value), styles["cell"])
        return Paragraph(pdf_text(value), styles["cell"])

    rows = [[Paragraph(f"<b>{pdf_text(c)}</b>", styles["cell"]) for c in frame.columns]]
    rows += [[cell(v.item() if hasattr(v, "item") else v) for v in row] for row in frame.itertuples(index=False)]
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
    indicators = result.indicator_table()[["indicator", "value", "unit", "definition"]]
    story.append(_table(indicators, styles, [4.2 * cm, 1.8 * cm, 1.7 * cm, width - 7.7 * cm], number_format="{:,.3f}"))
    titles = {name: title for name, (title, _) in bundle.figures().items()}
    for name in CHART_ORDER:
        png = chart_png.get(f"{name}.png")
        if png is not None:
            story.append(KeepTogether([Paragraph(pdf_text(titles[name]), styles["h2"]), _image(png, width)]))
    story.append(Paragraph("Demand, delivered and unmet", styles["h2"]))
    markets = market_table(result)[["market", "network", "unit", "demand", "delivered", "unmet"]]
    story.append(_table(markets, styles))
    story.append(Paragraph("Bottlenecks (links whose capacity limits the result)", styles["h2"]))
    bottlenecks = result.bottlenecks[["link_id", "asset", "network", "capacity", "flow", "unit"]]
    story.append(_table(bottlenecks, styles) if len(bottlenecks) else Paragraph("No link limits the flows.", styles["body"]))
    story.append(Paragraph("Azerbaijan's gas balance", styles["h2"]))
    story.append(_table(balance_table(result), styles, [width * 0.7, width * 0.3]))
    story.append(PageBreak())
    story.append(Paragraph("Assumptions", styles["h2"]))
    assumptions = bundle.assumptions_frame()[["label", "value", "unit", "default", "where_the_default_comes_from"]]
    story.append(_table(assumptions, styles, [3.8 * cm, 1.6 * cm, 1.5 * cm, 1.6 * cm, width - 8.5 * cm], number_format="{:,.4g}"))
    for note in result.notes:
        story.append(Paragraph(pdf_text(note), styles["small"]))
    story.append(PageBreak())
    story.append(Paragraph(f"Sources ({len(bundle.ledger.sources)})", styles["h2"]))
    sources = bundle.ledger.sources[["source_id", "publisher", "title", "url", "published"]].fillna("")
    story.append(_table(sources, styles, [2.6 * cm, 3.2 * cm, 5.0 * cm, width - 12.6 * cm, 1.8 * cm]))
    story.append(Paragraph(f"What is not public ({len(bundle.ledger.gaps)} known gaps)", styles["h2"]))
    gaps = bundle.ledger.gaps[["topic", "metric", "subject", "note"]].fillna("")
    story.append(_table(gaps, styles, [1.5 * cm, 3.5 * cm, 2.5 * cm, width - 7.5 * cm]))

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
