"""Colours on the map pages stay distinguishable with colour-vision deficiencies.

The simulation (Machado et al. 2009, severity 1) and CIEDE2000 are the package's own
(``modeller.maps.colour``); they are checked here against published reference values, then
every page of the shipped site is checked: each pair of status colours it shows differs by
ΔE00 ≥ 10 under normal vision and simulated deuteranopia, protanopia and tritanopia.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_maps import REPO, build

from modeller import maps
from modeller.maps.colour import (
    VISIONS,
    ciede2000,
    difference,
    hex_rgb,
    least_difference,
    simulate,
)
from modeller.maps.palette import (
    MIN_DIFFERENCE,
    OTHERS,
    SIDE_FLOOR,
    SIDES,
    Palette,
    contrast_with_black,
)

# Sharma, Wu & Dalal (2005), Table 1: L*a*b* pairs and their ΔE00 (4 decimals).
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (50.0, 3.2592, 0.335), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_simulation_collapses_the_confusion_lines_it_should():
    """Red and green look alike to deuteranopes and protanopes, not to tritanopes; blue and
    green look alike to tritanopes. Greys are unchanged for everyone."""
    red, green = "#d62728", "#2ca02c"
    assert difference(red, green) > 40
    assert difference(red, green, "deuteranopia") < difference(red, green) / 2
    assert difference(red, green, "protanopia") < difference(red, green) / 2
    assert difference(red, green, "tritanopia") > 30
    grey = hex_rgb("#808080")
    for vision in VISIONS:
        assert np.allclose(simulate(grey, vision), grey, atol=0.01)


def test_the_old_pair_fails_and_the_palette_passes():
    """Issue 11: Ukraine #7cb0d3 and the DMZ's #a9a6d0 were nearly the same to protanopes."""
    worst = least_difference(["#7cb0d3", "#a9a6d0"])
    assert worst[0] < MIN_DIFFERENCE and worst[1] in ("protanopia", "deuteranopia")
    assert least_difference([*SIDES.values(), *OTHERS[:3]])[0] >= MIN_DIFFERENCE


def test_a_scenario_colour_that_would_clash_is_replaced():
    p = Palette([("ukraine", None), ("russia", None), ("dmz", "#a9a6d0"), ("zone", "#7fb2dd")])
    assert p.colour("dmz") != "#a9a6d0"  # too close to Ukraine's blue for protanopes
    assert p.colour("zone") != "#7fb2dd"  # Ukraine's own colour
    assert least_difference(list(p.colours.values()))[0] >= MIN_DIFFERENCE
    assert p.fill("dmz").startswith("url(#mdl-f-")  # neither side's: dotted
    kept = Palette([("ukraine", None), ("russia", None), ("dmz", "#fbe7a1")])
    assert kept.colour("dmz") == "#fbe7a1"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return maps.render_site(*build([REPO / "scenarios"], "contact-line"))


def test_every_page_shows_only_distinguishable_status_colours(pages):
    for name, page in pages.items():
        fills = json_fills(page)
        assert len(fills) >= 2, name
        worst = least_difference(fills)
        assert worst[0] >= MIN_DIFFERENCE, (name, worst)


def json_fills(page: str) -> list[str]:
    """The solid colours behind every status fill of a page (from its pattern definitions)."""
    defs = re.search(r'<svg class="mdl-defs".*?</svg>', page, re.S).group(0)
    return sorted(
        set(re.findall(r'<pattern id="mdl-f-\d+"[^>]*><rect[^>]*fill="(#[0-9a-f]{6})"', defs))
    )


@pytest.mark.parametrize(
    "requested",
    [
        ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"]
        + ["#e6ab02", "#a6761d", "#666666", "#8dd3c7", "#bebada"],
        ["#7570b3"] * 5,
    ],
    ids=["ten-zones", "five-alike"],
)
def test_more_zones_than_distinct_colours_still_get_colours_apart(requested):
    """Past the fallback list, two of ten zones had been given one colour (Dnipropetrovsk
    and Crimea alike on the map and in the legend), and five zones asking for one colour
    a fifth only 9.8 from another: each zone now gets the colour farthest from those
    taken, never one already on the page."""
    palette = Palette([(f"z{i}", c) for i, c in enumerate(requested)])
    colours = list(palette.colours.values())
    assert len(set(colours)) == len(colours) == len(requested) + 2
    worst, *_ = least_difference(colours)
    assert worst >= (MIN_DIFFERENCE if len(requested) <= 5 else 9.0), worst


def test_colours_the_page_chooses_keep_the_hatch_and_markers_visible():
    """Eight zones asking for near-identical colours: the page's substitutes had included
    a near-black grey and a dark navy, on which the black hatch, the dots and the town
    markers vanished. Every colour it chooses keeps 3:1 against black (WCAG's non-text
    contrast); a zone's own colour, if distinct, is the author's and kept as asked."""
    asked = ["#7570b3", "#7570b4", "#7571b3", "#7670b3", "#7570b2", "#7470b3", "#7560b3"]
    palette = Palette([(f"z{i}", c) for i, c in enumerate([*asked, "#000000"])])
    chosen = {s: c for s, c in palette.colours.items() if s not in SIDES}
    substitutes = [c for s, c in chosen.items() if c not in (*asked, "#000000")]
    assert len(substitutes) >= 6, chosen
    assert min(contrast_with_black(c) for c in substitutes) >= 3.0, chosen
    assert chosen["z7"] == "#000000"  # distinct from the rest: the author's own black
    for c in ("#4d4d4d", "#243a8f"):  # the probe's two
        assert contrast_with_black(c) < 3.0


def test_a_page_of_eighty_zones_still_gets_a_palette():
    """Past its ~78 candidates the fallback had raised ValueError (max of nothing): the
    index of four scenarios of 20 zones each ended the run with a traceback."""
    palette = Palette([(f"z{i}", None) for i in range(80)])
    assert len(palette.colours) == 82


@pytest.mark.parametrize("zones", [30, 90])
def test_many_zones_keep_their_colours_off_the_sides(zones):
    """Ninety zones asking for one colour: the fallback had given one ΔE00 1.5 from
    Ukraine's blue (in the worst vision), so that its land read as Ukraine's. Every zone
    stays ``SIDE_FLOOR`` from both sides, and no two zones share a colour."""
    palette = Palette([(f"z{i}", "#7570b3") for i in range(zones)])
    chosen = [c for s, c in palette.colours.items() if s not in SIDES]
    assert len(set(chosen)) == zones
    nearest = min(least_difference([c, side])[0] for c in chosen for side in SIDES.values())
    assert nearest >= SIDE_FLOOR, nearest
