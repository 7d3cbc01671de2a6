"""Status colours of a page, chosen to stay distinguishable with colour-vision deficiencies,
and the SVG patterns drawn on the map: hatching for land that changes hands, dots for zones
that are neither side's.

Ukraine and Russia always get the page's two fixed colours. Any other status (a buffer zone,
a demilitarised zone, contested ground) is "neither side's": it is drawn dotted, and gets the
scenario's own colour only if that colour stays at least ``MIN_DIFFERENCE`` (CIEDE2000) from
every colour already on the page under normal vision and simulated deuteranopia, protanopia
and tritanopia; otherwise the next colour of ``OTHERS`` that does; and when none does (many
zones on one page), the candidate farthest from every colour taken (``most_distinct``).
"""

from __future__ import annotations

import functools
from html import escape

from .colour import VISIONS, difference, hex_rgb, to_linear

SIDES = {"ukraine": "#7fb2dd", "russia": "#d9602b"}
OTHERS = ["#fbe7a1", "#b8b8b8", "#6d4c9b", "#9fd3b0", "#f4b6c2", "#e0c48a"]
"""Colours for neither side's zones, in order of use (the first three pass the check against
both sides and each other; later ones only when the check allows). None is dark: the hatch
(#111), the dots and the town markers drawn over a zone must stay visible on it."""
MIN_CONTRAST = 3.0  # a colour the page chooses, against the black hatch (WCAG's 3:1)
MIN_DIFFERENCE = 10.0
SIDE_FLOOR = 6.0
"""A fallback colour stays this far (ΔE00, every vision) from both sides' colours while a
candidate does, before it is as far as can be from every colour taken: the sides' fills
cover most of the map, so a zone near one reads as that side's land (at 90 zones one had
been 1.5 from Ukraine's blue in the worst vision)."""
HATCH_ID = "mdl-hatch"
NEIGHBOUR_FILL = "#ebe8e1"
WATER = "#dde7ee"


def distinct(colour: str, others) -> bool:
    """Whether ``colour`` differs by ≥ MIN_DIFFERENCE from each of ``others`` in every vision."""
    return all(_least(colour, o) >= MIN_DIFFERENCE for o in others)


@functools.lru_cache(maxsize=1 << 16)
def _least(colour: str, other: str) -> float:
    """The smallest ΔE00 between two colours over every vision (kept: a page of eighty zones
    compares each of ~90 candidates with every colour taken, once per zone)."""
    return min(difference(colour, other, v) for v in VISIONS)


def _spare_colours() -> list[str]:
    """Candidates for a zone when neither its own colour nor ``OTHERS`` stays distinct: a
    wheel of 48 hues at four lightnesses, those that keep ``MIN_CONTRAST`` against black
    (24 hues had left a page of 60 zones only colours near the sides' or each other's)."""
    import colorsys

    wheel = [
        "#" + "".join(f"{round(v * 255):02x}" for v in colorsys.hls_to_rgb(h / 48, light, 0.6))
        for light in (0.45, 0.55, 0.65, 0.75)
        for h in range(48)
    ]
    # (a near-black grey and a dark navy had hidden the hatch, dots and town markers)
    return [c for c in wheel if contrast_with_black(c) >= MIN_CONTRAST]


def contrast_with_black(colour: str) -> float:
    """WCAG contrast ratio of ``colour`` against black: (L + 0.05) / 0.05, L its relative
    luminance."""
    lum = float(to_linear(hex_rgb(colour)) @ [0.2126, 0.7152, 0.0722])
    return (lum + 0.05) / 0.05


@functools.cache
def most_distinct(taken: tuple[str, ...]) -> str:
    """The colour of ``OTHERS`` and ``_spare_colours`` whose least difference (CIEDE2000,
    every vision) from ``taken`` is largest, among those ``SIDE_FLOOR`` from the sides if
    any: with more zones than distinct colours, the fallback had given two zones one colour
    (ten statuses: Dnipropetrovsk and Crimea alike) and a fifth of one requested colour a
    near-copy (9.8) of another."""

    def least(colour: str) -> tuple[float, float]:
        sides = min(_least(colour, o) for o in SIDES.values())
        return min(sides, SIDE_FLOOR), min(_least(colour, o) for o in taken)

    candidates = [*OTHERS, *_spare_colours()]
    unused = [c for c in candidates if c not in taken] or candidates  # (past ~190 zones)
    return max(unused, key=least)


class Palette:
    """Colours and pattern ids of the statuses one page shows.

    Parameters
    ----------
    statuses
        ``(status, requested colour or None)`` pairs, in the order the page meets them.
    """

    def __init__(self, statuses: list[tuple[str, str | None]]):
        self.colours: dict[str, str] = {}
        for s in ("ukraine", "russia"):  # always present on a map of Ukraine
            self.colours[s] = SIDES[s]
        for s, requested in statuses:
            if s in self.colours:
                continue
            taken = list(self.colours.values())
            choices = [c.lower() for c in [requested, *OTHERS] if c and _valid(c)]
            good = [c for c in choices if c not in taken and distinct(c, taken)]
            self.colours[s] = good[0] if good else most_distinct(tuple(taken))
        self.index = {s: i for i, s in enumerate(self.colours)}

    def colour(self, status: str) -> str:
        return self.colours.get(status, "#999999")

    @staticmethod
    def neither(status: str) -> bool:
        """A zone that is neither Ukraine's nor Russia's (drawn with a dot pattern)."""
        return status not in SIDES

    def fill(self, status: str) -> str:
        """SVG fill of a status area: its colour, or its dotted pattern."""
        if status in self.index and self.neither(status):
            return f"url(#mdl-f-{self.index[status]})"
        return self.colour(status)

    def hatch(self, status: str | None = None) -> str:
        """Fill of land changing hands: plain hatching, or hatching over the new status."""
        if status is None:
            return f"url(#{HATCH_ID})"
        return f"url(#{HATCH_ID}-{self.index.get(status, 'x')})"

    def defs(self) -> str:
        """An invisible SVG holding the patterns that map paths and legend swatches use."""
        line = (
            '<line x1="0" y1="0" x2="0" y2="8" stroke="#111" stroke-width="2.2" '
            'stroke-opacity="0.85"/>'
        )
        dots = '<circle cx="2" cy="2" r="1.3" fill="#333" fill-opacity="0.7"/>'
        out = [
            f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="8" height="8" '
            f'patternTransform="rotate(45)">{line}</pattern>'
        ]
        for s, i in self.index.items():
            colour = escape(self.colour(s))
            dotted = dots if self.neither(s) else ""
            out.append(
                f'<pattern id="mdl-f-{i}" patternUnits="userSpaceOnUse" width="6" height="6">'
                f'<rect width="6" height="6" fill="{colour}"/>{dotted}</pattern>'
            )
            out.append(
                f'<pattern id="{HATCH_ID}-{i}" patternUnits="userSpaceOnUse" width="8" '
                f'height="8" patternTransform="rotate(45)"><rect width="8" height="8" '
                f'fill="{colour}"/>{dotted}{line}</pattern>'
            )
        return (
            '<svg class="mdl-defs" width="0" height="0" aria-hidden="true" focusable="false">'
            f"<defs>{''.join(out)}</defs></svg>"
        )


def _valid(colour: str) -> bool:
    c = colour.lstrip("#")
    return (
        colour.startswith("#") and len(c) == 6 and all(ch in "0123456789abcdefABCDEF" for ch in c)
    )
