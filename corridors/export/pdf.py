"""Building blocks of the PDF report: fonts that draw the ledger's text, cells as a reader expects them, tables."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

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


def pdf_styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles of the report (title, h2, body, small, cell), in the report's own fonts."""
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


def pdf_table(
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
