"""Status colours of a page and the hatch patterns drawn over land that changes hands."""

from __future__ import annotations

import html

HATCH_ID = "mdl-hatch"
EXTRA_COLOURS = ["#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#f0e442", "#999999"]
"""Okabe–Ito colours for statuses that neither the scenario nor the built-ins label."""

_esc = html.escape


class Palette:
    """Status colours of one page (first definition wins) and their hatch patterns."""

    def __init__(self, views: list, tiles: str | None):
        self.opacity = 0.5 if tiles else 1.0
        self.colours: dict[str, str] = {}
        for v in views:
            for status, colour in v.colours.items():
                self.colours.setdefault(status, colour)
        self.index = {s: i for i, s in enumerate(self.colours)}

    def colour(self, status: str) -> str:
        return self.colours.get(status, "#999999")

    def fill(self, status: str) -> str:
        """The status colour as drawn: without tiles, mixed with white (a 62% tint)."""
        colour = self.colour(status)
        if self.opacity < 1:
            return colour
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        return "#" + "".join(f"{round(c * 0.62 + 255 * 0.38):02x}" for c in rgb)

    def hatch(self, status: str | None = None) -> str:
        """Fill URL of the hatch pattern: plain, or over the (tinted) status colour."""
        if status is None:
            return f"url(#{HATCH_ID})"
        return f"url(#{HATCH_ID}-{self.index.get(status, 'x')})"

    def defs(self) -> str:
        """An invisible SVG holding the hatch patterns that the map paths refer to."""
        line = (
            '<line x1="0" y1="0" x2="0" y2="7" stroke="#111" stroke-width="2.4" '
            'stroke-opacity="0.8"/>'
        )

        def pattern(pid: str, background: str) -> str:
            return (
                f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="7" height="7" '
                f'patternTransform="rotate(45)">{background}{line}</pattern>'
            )

        patterns = [pattern(HATCH_ID, "")]
        patterns += [
            pattern(
                f"{HATCH_ID}-{i}",
                f'<rect width="7" height="7" fill="{_esc(self.fill(s))}"/>',
            )
            for s, i in self.index.items()
        ]
        return (
            '<svg width="0" height="0" style="position:absolute" aria-hidden="true" '
            f'focusable="false"><defs>{"".join(patterns)}</defs></svg>'
        )
