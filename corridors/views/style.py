"""The house style of every figure: template, fonts, title, footer with its sources, offline map files.

Every figure has a title, units, a white background and a source line, so a figure
that leaves the dashboard (a PNG in a report, a notebook cell) still says what it
shows and where its numbers come from.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

import pandas as pd
import plotly.graph_objects as go

from corridors.resources import static_dir, topojson_dir
from corridors.views.palette import COLORWAY

STATIC_DIR = static_dir()
TOPOJSON_DIR = topojson_dir()
#: Where Streamlit serves ``static/`` (``server.enableStaticServing``).
TOPOJSON_URL = "/app/static/topojson/"

FONT = dict(family="Arial, Helvetica, sans-serif", size=13, color="#222222")
REPORT_TEMPLATE = go.layout.Template(
    layout=dict(
        font=FONT,
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=COLORWAY,
        xaxis=dict(gridcolor="#e6e6e6", linecolor="#888888", ticks="outside", zeroline=False, automargin=True),
        yaxis=dict(gridcolor="#e6e6e6", linecolor="#888888", zeroline=False, automargin=True),
        hoverlabel=dict(align="left"),
    )
)


def new_figure(data: list | None = None, layout: dict | None = None, validate: bool = True) -> go.Figure:
    """A figure on our light template, built in one step (plotly validates each update call).

    ``validate=False`` skips plotly's checks of every property, most of the time a big figure takes to build: for the
    page's redraws only, of builders whose validated figures the tests compare it with (see tests/test_map_text.py).
    """
    return go.Figure(data=data or [], layout={"template": REPORT_TEMPLATE, **(layout or {})}, _validate=validate)


def plotly_config(filename: str = "corridors-chart", base_path: str = "") -> dict:
    """Config for ``st.plotly_chart`` / ``fig.show``: offline map files and a report-sized snapshot.

    ``base_path`` is the path the dashboard is served under behind a proxy
    (``--server.baseUrlPath corridors``): the map outlines are then at
    ``/corridors/app/static/topojson/``, and a fixed ``/app/static/…`` would return 404.
    """
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
    return {
        "topojsonURL": prefix + TOPOJSON_URL,
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": 1600, "height": 900, "scale": 2},
    }


def footer_annotation(text: str, shift: int = -8) -> dict:
    """A source line under the plot area (``shift`` pixels below its bottom edge)."""
    return dict(
        text=text,
        name="footer",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=shift,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        align="left",
        font=dict(size=10, color="#555555"),
    )


def source_line(
    source_ids: Iterable[str], sources: pd.DataFrame | None = None, limit: int = 6, publisher: Callable[[str], str] = str
) -> str:
    """A compact "Sources: …" line naming publishers (or ids) behind a figure; ``publisher`` writes each name (escaping)."""
    ids = list(dict.fromkeys(source_ids))
    if sources is not None and len(ids):
        known = dict(zip(sources["source_id"], sources["publisher"]))
        names = list(dict.fromkeys(publisher(str(known[i])) if i in known else i for i in ids))
    else:
        names = ids
    shown = "; ".join(names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"Sources: {shown}{more}" if names else "Sources: none"


FOOTER_LINE_CHARS = 150


def base_layout_dict(title: str, footer: str, footer_shift: int = -8) -> dict:
    """Title, white background, fonts, margins and the source line of every figure."""
    lines = textwrap.wrap(footer, FOOTER_LINE_CHARS) or [""]
    footer = "<br>".join(lines)
    return dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=18)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=FONT,
        margin=dict(l=10, r=10, t=70, b=56 - footer_shift + 13 * len(lines)),
        legend=dict(bgcolor="rgba(255,255,255,0.85)", bordercolor="#cccccc", borderwidth=1),
        annotations=[footer_annotation(footer, footer_shift)],
    )


def merged(*layouts: dict) -> dict:
    """Layout dicts merged left to right, nested dicts key by key (as successive ``update_layout`` calls would)."""
    out: dict = {}
    for layout in layouts:
        for key, value in layout.items():
            out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def base_layout(fig: go.Figure, title: str, footer: str, footer_shift: int = -8) -> go.Figure:
    """Apply :func:`base_layout_dict` to a figure (its other annotations are kept)."""
    layout = base_layout_dict(title, footer, footer_shift)
    layout["annotations"] = [*fig.layout.annotations, *layout["annotations"]]
    fig.update_layout(layout)
    return fig
