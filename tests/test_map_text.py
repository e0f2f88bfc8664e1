"""Print maps: key places named without overlaps, flow values on the busiest links, a close-up extent, real SVG text."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from itertools import combinations
from pathlib import Path

import plotly.io as pio
import pytest

from corridors.export import ExportContext, chart_bytes, report_figure
from corridors.model import solve
from corridors.model.baseline import baseline
from corridors.views.geo import COARSE_OUTLINES, FINE_OUTLINES, WHOLE_CORRIDOR, map_bounds, map_extents, projected_aspect
from corridors.views.labels import Label, degrees_per_pixel, label_box
from corridors.views.maps import network_figure

ROOT = Path(__file__).resolve().parent.parent


def texts(figure) -> dict[str, list[str]]:
    return {t.name: list(t.text) for t in figure.data if t.mode == "text"}


@pytest.fixture(scope="module")
def result(ledger, graph):
    return solve(graph, baseline(ledger, 2025).assumptions)


@pytest.mark.parametrize("with_flows", [False, True], ids=["network", "flows"])
@pytest.mark.parametrize("extent", [None, "Caucasus–Caspian"])
def test_no_two_labels_overlap(graph, result, extent, with_flows):
    figure = network_figure(graph, result.links if with_flows else None, extent=extent)
    bounds = map_bounds(graph, extent)
    scale = degrees_per_pixel(bounds["lon"], bounds["lat"], projected_aspect(bounds))
    boxes = []
    for trace in (t for t in figure.data if t.mode == "text"):
        for text, lon, lat, position in zip(trace.text, trace.lon, trace.lat, trace.textposition):
            boxes.append((text, label_box(Label(text, lon, lat), position, scale)))
    assert len(boxes) >= 10
    for (a, p), (b, q) in combinations(boxes, 2):
        assert not (p[0] < q[1] and q[0] < p[1] and p[2] < q[3] and q[2] < p[3]), f"{a!r} overlaps {b!r}"


def test_every_key_place_is_named_on_the_whole_map_or_the_close_up(ledger, graph):
    key = set(ledger.nodes.loc[ledger.nodes["map_rank"] == 1, "map_label"])
    named = {name for extent in map_extents(graph) for name in texts(network_figure(graph, extent=extent)).get("Place names", [])}
    assert key <= named, key - named
    assert {"Moscow", "Rasht", "Astara", "Bandar Abbas", "Nhava Sheva"} <= set(texts(network_figure(graph))["Place names"])
    assert "Baku/Sangachal" in texts(network_figure(graph, extent="Caucasus–Caspian"))["Place names"]


def test_the_busiest_links_carry_their_flow(graph, result):
    extent = "Caucasus–Caspian"
    values = texts(network_figure(graph, result.links, extent=extent))["Flows on the busiest links"]
    assert any(v.endswith("bcm/yr") for v in values) and any(v.endswith("Mt/yr") for v in values)
    # Each value written is one of the four largest flows of its network among the links in view (one that would
    # cover another label is left out).
    bounds = map_bounds(graph, extent)
    links = result.links.assign(
        lon=[(graph.nodes[u]["x"] + graph.nodes[v]["x"]) / 2 for u, v in zip(result.links["from_node"], result.links["to_node"])],
        lat=[(graph.nodes[u]["y"] + graph.nodes[v]["y"]) / 2 for u, v in zip(result.links["from_node"], result.links["to_node"])],
    )
    in_view = links[links["lon"].between(*bounds["lon"]) & links["lat"].between(*bounds["lat"])]
    for network, unit in (("gas", "bcm/yr"), ("freight", "Mt/yr")):
        top = {f"{flow:.3g} {unit}" for flow in in_view[in_view["network"] == network]["flow"].nlargest(4)}
        assert {v for v in values if v.endswith(unit)} <= top


def test_the_close_up_frames_its_places_only(ledger, graph):
    assert map_extents(graph) == [WHOLE_CORRIDOR, "Caucasus–Caspian"]
    whole, close = map_bounds(graph), map_bounds(graph, "Caucasus–Caspian")
    members = ledger.nodes[ledger.nodes["map_extent"].fillna("").str.contains("Caucasus–Caspian")]
    assert close["lon"][0] < members["lon"].min() and members["lon"].max() < close["lon"][1]
    assert close["lat"][0] < members["lat"].min() and members["lat"].max() < close["lat"][1]
    assert close["lon"][1] - close["lon"][0] < (whole["lon"][1] - whole["lon"][0]) / 2
    assert ledger.nodes.set_index("node_id").loc["moscow", "lat"] > close["lat"][1]  # Moscow is out of the close-up


def test_labels_are_real_text_in_the_svg_export(graph, result):
    figure = network_figure(graph, result.links, title="Flows", extent="Caucasus–Caspian")
    svg = chart_bytes(figure, "svg", ExportContext("Baseline", 2025, date(2026, 11, 30)), "column").decode("utf-8")
    for name in ("Rasht", "Astara", "Baku/Sangachal", "Tehran"):
        assert f">{name}</text>" in svg, name


def test_the_command_line_refuses_an_extent_the_ledger_does_not_name(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "corridors", "export", "--out", str(tmp_path), "--formats", "csv", "--extent", "Atlantis"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "--extent 'Atlantis' is not a map extent of this ledger; choose one of: Whole corridor, Caucasus–Caspian" in done.stderr


def test_outlines_are_no_finer_than_the_view_needs_and_print_keeps_the_fine_ones(ledger, graph):
    whole = network_figure(graph, title="t", footer="f", sources=ledger.sources)
    assert whole.layout.geo.resolution == COARSE_OUTLINES, "the whole corridor spans tens of degrees: coarse outlines on screen"
    closeups = map_extents(graph)[1:]
    assert closeups, "the ledger names at least one close-up"
    for extent in closeups:
        figure = network_figure(graph, title="t", footer="f", sources=ledger.sources, extent=extent)
        assert figure.layout.geo.resolution == FINE_OUTLINES, extent
    printed = report_figure(whole, ExportContext("Test", 2025, exported_on=date(2026, 12, 3)))
    assert printed.layout.geo.resolution == FINE_OUTLINES
    assert whole.layout.geo.resolution == COARSE_OUTLINES, "the screen's figure is not changed by its export"


@pytest.mark.parametrize("with_flows", [False, True], ids=["network", "flows"])
@pytest.mark.parametrize("extent", [None, "Caucasus–Caspian"])
def test_the_pages_unchecked_map_is_the_checked_one(ledger, graph, result, extent, with_flows):
    """The page builds its maps without plotly's checks (for speed): what it sends must be what the checks would pass."""
    flows = result.links.set_index("link_id") if with_flows else None
    checked, unchecked = (
        network_figure(graph, flows, title="t", sources=ledger.sources, extent=extent, validate=validate) for validate in (True, False)
    )
    # Parsed, not as text: the two may list a trace's properties in another order.
    assert json.loads(pio.to_json(unchecked, validate=False)) == json.loads(pio.to_json(checked, validate=False))
    context = ExportContext("Baseline", 2025)
    assert json.loads(report_figure(unchecked, context).to_json()) == json.loads(report_figure(checked, context).to_json())
