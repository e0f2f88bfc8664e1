"""Every node is drawn in (or, for offshore fields and border posts, next to) its own country.

Checked against the Natural Earth outlines the dashboard ships, so a swapped lon/lat
or a node placed in the wrong country fails here rather than on the map.
"""

from __future__ import annotations

import json
import math
from functools import cache

import numpy as np
import pytest

from corridors.views.style import TOPOJSON_DIR

ISO3 = {
    "RU": "RUS",
    "AZ": "AZE",
    "IR": "IRN",
    "IN": "IND",
    "KZ": "KAZ",
    "TM": "TKM",
    "GE": "GEO",
    "TR": "TUR",
    "GR": "GRC",
    "AL": "ALB",
    "IT": "ITA",
    "BG": "BGR",
    "SY": "SYR",
    "RS": "SRB",
    "HU": "HUN",
    "RO": "ROU",
    "SK": "SVK",
}
#: How far (degrees) a node may sit outside its country's outline: offshore fields lie at sea,
#: ports and border posts on the edge of a 1:50m outline.
TOLERANCE = {"field": 1.6, "port": 0.4, "border_crossing": 0.4}
DEFAULT_TOLERANCE = 0.25


@cache
def country_rings() -> dict[str, list[np.ndarray]]:
    topo = json.loads((TOPOJSON_DIR / "world_50m.json").read_text())
    scale, shift = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        points = np.cumsum(np.array(arc, dtype=float), axis=0)
        arcs.append(points * scale + shift)

    def ring(indices: list[int]) -> np.ndarray:
        parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indices]
        return np.concatenate(parts)

    rings: dict[str, list[np.ndarray]] = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings[geometry.get("id")] = [ring(r) for polygon in polygons for r in polygon]
    return rings


def inside(x: float, y: float, ring: np.ndarray) -> bool:
    xs, ys = ring[:, 0], ring[:, 1]
    x0, y0, x1, y1 = xs[:-1], ys[:-1], xs[1:], ys[1:]
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return bool(np.count_nonzero(crosses & (x < at)) % 2)


def distance(x: float, y: float, ring: np.ndarray) -> float:
    a, b = ring[:-1], ring[1:]
    ab = b - a
    length = (ab**2).sum(axis=1)
    t = np.clip(((np.array([x, y]) - a) * ab).sum(axis=1) / np.where(length == 0, 1, length), 0, 1)
    nearest = a + ab * t[:, None]
    return float(np.sqrt(((nearest - [x, y]) ** 2).sum(axis=1)).min())


def test_the_outlines_decode():
    rings = country_rings()
    assert inside(49.87, 40.41, max(rings["AZE"], key=len)), "Baku is in Azerbaijan"
    assert not any(inside(37.6, 55.75, r) for r in rings["AZE"]), "Moscow is not"


@pytest.mark.parametrize("code", sorted(ISO3))
def test_nodes_lie_in_their_country(ledger, code):
    rings = country_rings()[ISO3[code]]
    nodes = ledger.nodes[ledger.nodes["country"] == code]
    for node in nodes.itertuples():
        if any(inside(node.lon, node.lat, r) for r in rings):
            continue
        gap = min(distance(node.lon, node.lat, r) for r in rings)
        allowed = TOLERANCE.get(node.kind, DEFAULT_TOLERANCE)
        assert gap <= allowed, f"{node.node_id} ({node.lon}, {node.lat}) is {gap:.2f}° outside {code}; allowed {allowed}°"
        assert not math.isnan(gap)
