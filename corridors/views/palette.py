"""Colours that stay apart for readers with colour-vision deficiency.

Categories (modes, branches, bars, publishers) use the Okabe–Ito palette; ordered classes
(a link's utilisation) run from blue to dark red with rising darkness, so they keep their
order in grey too. ``tests/test_palette.py`` simulates deuteranopia and protanopia
(colorspacious, full severity) and requires every pair of colours in each legend to stay at
least ``MIN_DELTA_E`` apart in CAM02-UCS.
"""

from __future__ import annotations

import math

#: Okabe & Ito (2008), "Color Universal Design": eight colours told apart by most readers.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish_green": "#009E73",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "vermillion": "#D55E00",
    "black": "#000000",
    "yellow": "#F0E442",
}
#: The colour cycle of every chart (yellow last: it is faint on white).
COLORWAY = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "reddish_purple", "sky_blue", "vermillion", "black", "yellow")]

MODE_COLOURS = {
    ("gas", "pipeline"): OKABE_ITO["vermillion"],
    ("gas", "swap"): OKABE_ITO["reddish_purple"],
    ("freight", "rail"): OKABE_ITO["blue"],
    ("freight", "road"): OKABE_ITO["orange"],
    ("freight", "sea"): OKABE_ITO["sky_blue"],
}
#: A link whose mode has no colour of its own, and a link without a published capacity on the flows map.
OTHER_COLOUR = "#444444"
NO_CAPACITY_COLOUR = "#8c8c8c"
#: A link at 90 % of its capacity or more: the last utilisation class, the binding links' midpoints, the draws' diamonds.
BOTTLENECK_COLOUR = "#a50026"

#: Utilisation classes: (upper bound, legend label, colour). A link takes the first class its utilisation is under;
#: the map's legend lists every class, so no colour on the map is missing from it.
UTILISATION_CLASSES = (
    (0.5, "< 50 % used", "#2c7bb6"),
    (0.75, "50–75 % used", "#abd9e9"),
    (0.9, "75–90 % used", "#fdae61"),
    (math.inf, "≥ 90 % used (bottleneck: dark red)", BOTTLENECK_COLOUR),
)

#: Bars of one chart, one colour each.
BAR_COLOURS = tuple(COLORWAY[:6])
DELIVERED_COLOUR, UNMET_COLOUR = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
#: The uncertainty charts: the draws, their percentiles, an input at its low and high end (PuOr's ends), the scenario.
INTERVAL_COLOUR = OKABE_ITO["blue"]
PERCENTILE_COLOUR = "#333333"
LOW_COLOUR, HIGH_COLOUR = "#e66101", "#5e3c99"
#: The difference map (scenario B against A): more flow, less flow (PuOr's ends, a diverging scale), and no change.
DIFFERENCE_UP, DIFFERENCE_DOWN, DIFFERENCE_NONE = HIGH_COLOUR, LOW_COLOUR, "#bdbdbd"
SCENARIO_COLOUR = OKABE_ITO["bluish_green"]

#: The Routes page's stacked bars: the part of a through figure its sources do not break down, then each kind of leg.
ROUTE_PART_COLOURS = {
    "rest": "#c8c8c8",
    "sea": OKABE_ITO["sky_blue"],
    "port": OKABE_ITO["orange"],
    "transfer": OKABE_ITO["vermillion"],
    "gauge_change": OKABE_ITO["reddish_purple"],
    "rail": OKABE_ITO["blue"],
    "road": OKABE_ITO["black"],
}

#: The balance Sankey: supplies by kind (production, import), the network, markets, what is not taken or lost, unmet demand.
BALANCE_COLOURS = {
    "production": OKABE_ITO["bluish_green"],
    "import": OKABE_ITO["reddish_purple"],
    "hub": OTHER_COLOUR,
    "market": DELIVERED_COLOUR,
    "rest": "#cfcfcf",
    "unmet": UNMET_COLOUR,
}

#: What the palette test checks: every legend a reader meets, as the colours it shows side by side.
LEGENDS: dict[str, list[str]] = {
    "modes (network map)": list(MODE_COLOURS.values()),
    "utilisation (flows map)": [c for _, _, c in UTILISATION_CLASSES] + [NO_CAPACITY_COLOUR],
    "chart colour cycle": COLORWAY,
    "delivered and unmet (market bars)": [DELIVERED_COLOUR, UNMET_COLOUR],
    "tornado (input at its low end, at its high end)": [LOW_COLOUR, HIGH_COLOUR],
    "difference map (more, less, no change)": [DIFFERENCE_UP, DIFFERENCE_DOWN, DIFFERENCE_NONE],
    "gas balance (Sankey nodes)": list(BALANCE_COLOURS.values()),
    "distribution (draws, P10/P50/P90, scenario)": [INTERVAL_COLOUR, PERCENTILE_COLOUR, SCENARIO_COLOUR],
    "route legs (stacked bars)": list(ROUTE_PART_COLOURS.values()),
}
#: Smallest CAM02-UCS distance allowed between two colours of one legend, as seen with deuteranopia or protanopia.
MIN_DELTA_E = 12.0
