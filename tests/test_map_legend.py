"""The flows map's utilisation legend: every class it colours a link with is in the legend, and only those."""

from __future__ import annotations

import math

import pytest

from corridors.model import solve
from corridors.model.baseline import baseline
from corridors.views.maps import UTILISATION_LEGEND, network_figure, utilisation_colour


@pytest.mark.parametrize(
    ("utilisation", "label"),
    [
        (0.0, "< 50 % used"),
        (0.49, "< 50 % used"),
        (0.5, "50–75 % used"),
        (0.74, "50–75 % used"),
        (0.75, "75–90 % used"),
        (0.9, "≥ 90 % used (bottleneck: dark red)"),
        (1.3, "≥ 90 % used (bottleneck: dark red)"),
        (math.nan, "capacity not published"),
    ],
)
def test_each_utilisation_takes_the_colour_of_its_class(utilisation, label):
    assert utilisation_colour(utilisation) == dict(UTILISATION_LEGEND)[label]


def test_every_colour_on_the_flows_map_is_in_its_legend_and_every_class_is_listed(ledger, graph):
    result = solve(graph, baseline(ledger, 2025).assumptions)
    figure = network_figure(graph, result.links)
    lines = [t for t in figure.data if t.mode == "lines"]
    legend = {t.name: t.line.color for t in lines if tuple(t.lon) == (None,)}
    assert list(legend) == [label for label, _ in UTILISATION_LEGEND]  # the 50–75 % class included
    drawn = {t.line.color for t in lines if tuple(t.lon) != (None,)}
    assert drawn <= set(legend.values()), drawn - set(legend.values())
