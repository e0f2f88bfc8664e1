"""Every legend stays readable with deuteranopia and protanopia, by a colour-difference threshold, not by eye."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from corridors.views.palette import LEGENDS, MIN_DELTA_E


def srgb(hex_colour: str) -> np.ndarray:
    digits = hex_colour.lstrip("#")
    return np.array([int(digits[i : i + 2], 16) for i in (0, 2, 4)]) / 255


def seen_with(deficiency: str | None, hex_colour: str) -> np.ndarray:
    """The colour as a reader with ``deficiency`` (full severity) sees it, in sRGB; None: normal vision."""
    colour = srgb(hex_colour)
    if deficiency is None:
        return colour
    return np.clip(cspace_convert(colour, {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}, "sRGB1"), 0, 1)


@pytest.mark.parametrize("deficiency", [None, "deuteranomaly", "protanomaly"], ids=["normal", "deuteranopia", "protanopia"])
@pytest.mark.parametrize("legend", list(LEGENDS))
def test_every_pair_of_colours_in_a_legend_stays_apart(legend, deficiency):
    colours = LEGENDS[legend]
    assert len(set(colours)) == len(colours), f"{legend}: a colour is used twice"
    too_close = [
        (a, b, round(float(d), 1))
        for a, b in combinations(colours, 2)
        if (d := deltaE(seen_with(deficiency, a), seen_with(deficiency, b), input_space="sRGB1")) < MIN_DELTA_E
    ]
    assert not too_close, f"{legend}, {deficiency or 'normal vision'}: closer than ΔE {MIN_DELTA_E} (CAM02-UCS): {too_close}"


def test_the_check_would_catch_the_old_mode_colours():
    # The network map's earlier purple (gas swap) and blue (rail): 0.3 apart for a protanope.
    d = deltaE(seen_with("protanomaly", "#7570b3"), seen_with("protanomaly", "#1f78b4"), input_space="sRGB1")
    assert d < MIN_DELTA_E
