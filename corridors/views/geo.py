"""The map under the network: the corridor's region, the Natural Earth projection, and fitting it to a frame."""

from __future__ import annotations

import math

import networkx as nx
import plotly.graph_objects as go

#: Margin around the corridor's places, as a share of their spread (at least MIN_MARGIN_DEG degrees).
MAP_MARGIN = 0.1
MIN_MARGIN_DEG = 3.0


#: The extent that shows every place; the others are the close-ups named in nodes.csv's ``map_extent``.
WHOLE_CORRIDOR = "Whole corridor"
#: A close-up's margin around its places, in degrees (it frames a small region tightly).
CLOSEUP_MARGIN_DEG = 1.0

#: The shipped Natural Earth outlines: 1:50m for print and for close-ups, 1:110m for a wide view on screen.
FINE_OUTLINES, COARSE_OUTLINES = 50, 110
#: A view at least this wide (degrees of longitude) is drawn on screen from the coarse outlines: at the page's width
#: the fine ones add detail smaller than a pixel, and the browser takes longer to draw and redraw them.
COARSE_FROM_LON_DEG = 25.0


def _root(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The full graph under a filtered view: the map does not jump when links are hidden."""
    parent = getattr(graph, "_graph", graph)
    while hasattr(parent, "_graph") and parent._graph is not parent:
        parent = parent._graph
    return parent


def _extents_of(node: dict) -> list[str]:
    """The close-ups a node belongs to (its ``map_extent`` cell, semicolon-separated)."""
    return [name.strip() for name in str(node.get("map_extent") or "").split(";") if name.strip()]


def map_extents(graph: nx.MultiDiGraph) -> list[str]:
    """The extents a map can show: the whole corridor, then each close-up the ledger's nodes name, in order."""
    names = [name for _, data in _root(graph).nodes(data=True) for name in _extents_of(data)]
    return [WHOLE_CORRIDOR, *dict.fromkeys(names)]


def map_bounds(graph: nx.MultiDiGraph, extent: str | None = None) -> dict[str, tuple[float, float]]:
    """Longitude and latitude ranges that hold every place of the corridor (or of one close-up), with a margin.

    Read from the graph's nodes; a filtered view keeps its parent's places (the map does
    not jump when links are hidden). ``extent``: one of :func:`map_extents`; None or the
    whole corridor frames every place.
    """
    nodes = list(_root(graph).nodes(data=True))
    closeup = extent not in (None, WHOLE_CORRIDOR)
    if closeup:
        nodes = [(n, d) for n, d in nodes if extent in _extents_of(d)]
    xs = [d["x"] for _, d in nodes]
    ys = [d["y"] for _, d in nodes]
    if not xs:
        return {"lon": (-180.0, 180.0), "lat": (-60.0, 80.0)}

    def padded(low: float, high: float) -> tuple[float, float]:
        margin = CLOSEUP_MARGIN_DEG if closeup else max(MIN_MARGIN_DEG, MAP_MARGIN * (high - low))
        return round(low - margin, 2), round(high + margin, 2)

    return {"lon": padded(min(xs), max(xs)), "lat": padded(min(ys), max(ys))}


def projected_aspect(bounds: dict[str, tuple[float, float]]) -> float:
    """Width over height of the map box in the Natural Earth projection."""
    return _projected_aspect(bounds["lon"], bounds["lat"])


def outline_resolution(bounds: dict[str, tuple[float, float]]) -> int:
    """The outlines a view needs on screen: coarse for a view as wide as COARSE_FROM_LON_DEG or wider, else fine.

    Exports always use the fine outlines (:func:`corridors.export.render.report_figure`).
    """
    low, high = bounds["lon"]
    return COARSE_OUTLINES if high - low >= COARSE_FROM_LON_DEG else FINE_OUTLINES


def geo_layout_dict(bounds: dict[str, tuple[float, float]]) -> dict:
    """The map: Natural Earth projection over the corridors' region, drawn from the shipped outlines.

    Written in plotly's nested form (no ``projection_type`` shorthand): a figure built without validation is sent as is.
    """
    return dict(
        geo=dict(
            projection=dict(type="natural earth"),
            resolution=outline_resolution(bounds),
            showcountries=True,
            countrycolor="#9a9a9a",
            showcoastlines=True,
            coastlinecolor="#6b6b6b",
            showland=True,
            landcolor="#f3f1ea",
            # The shipped outlines are cropped to the region and carry no ocean layer:
            # the map's background is the sea.
            showocean=False,
            showlakes=True,
            lakecolor="#e4eef5",
            lonaxis=dict(range=list(bounds["lon"])),
            lataxis=dict(range=list(bounds["lat"])),
            bgcolor="#e4eef5",
        ),
        height=720,
        # Zoom and pan survive a rerun, until the extent itself changes.
        uirevision=f"network {bounds['lon']} {bounds['lat']}",
    )


def _natural_earth(lon_deg: float, lat_deg: float) -> tuple[float, float]:
    """The Natural Earth projection (Šavrič et al., as in d3-geo), in radians-scaled units."""
    lam, phi = math.radians(lon_deg), math.radians(lat_deg)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


def _projected_aspect(lon: tuple[float, float], lat: tuple[float, float]) -> float:
    """Width over height of a lon/lat box drawn in the Natural Earth projection, centred on its middle longitude."""
    half = (lon[1] - lon[0]) / 2
    nearest_equator = 0.0 if lat[0] <= 0 <= lat[1] else min(abs(lat[0]), abs(lat[1]))
    width = 2 * _natural_earth(half, nearest_equator)[0]
    height = _natural_earth(0.0, lat[1])[1] - _natural_earth(0.0, lat[0])[1]
    return width / height


def fit_geo_to_frame(fig: go.Figure, width: int, height: int) -> go.Figure:
    """Widen the map's longitude (or latitude) range so the map fills a ``width`` × ``height`` figure.

    Plotly fits the lon/lat box into the plot area keeping the projection's
    proportions, so a box narrower than the frame leaves empty bands at the sides
    (or above and below). The box shown still holds the original one: only the
    other axis grows. Figures without a geo subplot or ranges are returned as is.
    """
    geo = fig.layout.geo
    if geo is None or geo.lonaxis.range is None or geo.lataxis.range is None or geo.projection.type not in (None, "natural earth"):
        return fig
    margin = fig.layout.margin
    plot_w = width - (margin.l or 0) - (margin.r or 0)
    plot_h = height - (margin.t or 0) - (margin.b or 0)
    if plot_w <= 0 or plot_h <= 0:
        return fig
    target = plot_w / plot_h
    lon, lat = tuple(geo.lonaxis.range), tuple(geo.lataxis.range)
    if _projected_aspect(lon, lat) < target:
        lo, hi = 0.0, 180.0 - (lon[1] - lon[0]) / 2
        for _ in range(50):  # bisection: the aspect grows with the longitude span
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _projected_aspect((lon[0] - mid, lon[1] + mid), lat) < target else (lo, mid)
        lon = (lon[0] - hi, lon[1] + hi)
    else:
        lo, hi = 0.0, max(0.0, 85.0 - max(abs(lat[0]), abs(lat[1])))
        for _ in range(50):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _projected_aspect(lon, (lat[0] - mid, lat[1] + mid)) > target else (lo, mid)
        lat = (lat[0] - hi, lat[1] + hi)
    fig.update_geos(lonaxis_range=[round(v, 3) for v in lon], lataxis_range=[round(v, 3) for v in lat])
    return fig
