"""Place names and flow values written on a map, placed so that no two overlap.

Plotly draws a map's text as it is told, overlaps included. Labels are placed here, one
at a time in order of priority: each tries the positions around its point in turn and
takes the first whose box clears every box already placed; a label that finds none is
left out rather than drawn over another. Boxes are estimated in degrees from the text's
length, for a map drawn :data:`FRAME_WIDTH_PX` wide (exports at least as wide keep them
apart; the page's map is about that wide).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Width in pixels the boxes are estimated for, and the size of one character and one line of label text.
FRAME_WIDTH_PX = 900.0
CHAR_PX = 6.6
LINE_PX = 14.0
#: Gap kept between a point and its label, in pixels.
GAP_PX = 4.0
#: Where a label may sit around its point, in the order tried (plotly's ``textposition`` names).
POSITIONS = ("top right", "bottom right", "top left", "bottom left", "middle right", "middle left", "top center", "bottom center")
#: A flow value sits just above or below its link's midpoint (whose marker carries the hover), or nowhere.
FIXED_POSITIONS = ("top center", "bottom center")


@dataclass(frozen=True)
class Label:
    """A text to write at a point; ``fixed`` labels (flow values on links) sit just above or below it, or nowhere."""

    text: str
    lon: float
    lat: float
    fixed: bool = False


@dataclass(frozen=True)
class Placed:
    """A label with the position it was given and the box (lon0, lon1, lat0, lat1) it covers."""

    label: Label
    position: str
    box: tuple[float, float, float, float]


def label_box(label: Label, position: str, deg_per_px: tuple[float, float]) -> tuple[float, float, float, float]:
    """The lon/lat box a label covers at ``position`` around its point."""
    dx, dy = deg_per_px
    width, height, gap = len(label.text) * CHAR_PX * dx, LINE_PX * dy, GAP_PX
    vertical, horizontal = position.split()
    x0 = _start(label.lon, width, gap * dx, horizontal)
    y0 = _start(label.lat, height, gap * dy, vertical)
    return (x0, x0 + width, y0, y0 + height)


def _start(centre: float, size: float, gap: float, side: str) -> float:
    """Where a box of ``size`` starts along one axis: after the point (right, top), before it (left, bottom), or centred."""
    if side in ("right", "top"):
        return centre + gap
    if side in ("left", "bottom"):
        return centre - gap - size
    return centre - size / 2


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def degrees_per_pixel(lon: tuple[float, float], lat: tuple[float, float], aspect: float) -> tuple[float, float]:
    """Degrees of longitude and latitude per pixel of a map ``FRAME_WIDTH_PX`` wide showing the box at ``aspect``."""
    height_px = FRAME_WIDTH_PX / aspect
    return (lon[1] - lon[0]) / FRAME_WIDTH_PX, (lat[1] - lat[0]) / height_px


def place_labels(labels: list[Label], deg_per_px: tuple[float, float], points: list[tuple[float, float]] | None = None) -> list[Placed]:
    """Each label that fits, in the order given (highest priority first), at the first position that clears the others.

    ``points`` are markers that no label may cover (the labelled places themselves are added).
    """
    dx, dy = deg_per_px
    # A marker is a small box of its own: text must not hide another place's symbol.
    marker = [(x - 4 * dx, x + 4 * dx, y - 4 * dy, y + 4 * dy) for x, y in [*(points or []), *((lb.lon, lb.lat) for lb in labels)]]
    taken: list[tuple[float, float, float, float]] = []
    placed: list[Placed] = []
    for label in labels:
        own = (label.lon - 4 * dx, label.lon + 4 * dx, label.lat - 4 * dy, label.lat + 4 * dy)
        others = [m for m in marker if m != own]
        for position in FIXED_POSITIONS if label.fixed else POSITIONS:
            box = label_box(label, position, deg_per_px)
            if not any(_overlaps(box, t) for t in taken) and not any(_overlaps(box, m) for m in others):
                taken.append(box)
                placed.append(Placed(label, position, box))
                break
    return placed
