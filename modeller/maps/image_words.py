"""Words, numbers and colours on the static maps: rounded for readers, labels from the
scenario itself, fills as the interactive maps draw them."""

from __future__ import annotations

from datetime import date as Date

from ..document import ScenarioEntry
from ..metrics import status_labels
from ..partition import Partition
from .palette import Palette

RIVER = "#3b7fc4"
SIDES = ("ukraine", "russia")
"""The two sides; any other status is a zone that is neither side's (drawn hatched)."""


def round_km2(x: float) -> str:
    """km² for a map label: nearest 10 from 1,000 up, else two significant figures."""
    if x >= 1000:
        return f"{round(x, -1):,.0f}"
    if x >= 10:
        return f"{float(f'{x:.2g}'):,.0f}"
    if x >= 0.05:
        return f"{x:.1f}"
    return "<0.1" if x > 0 else "0"


def amount(km2: float) -> str:
    """'6,240 km²', or 'nothing' when less than 0.05 km² (slivers of the overlay)."""
    return "nothing" if km2 < 0.05 else f"{round_km2(km2)} km²"


def round_people(x: float) -> str:
    """People for a map label: three significant figures (never to the single person)."""
    if x < 50:
        return "<50" if x > 0 else "0"
    return f"{float(f'{x:.3g}'):,.0f}"


def nice_date(iso: str | None) -> str:
    """'2025-08-15' -> '15 Aug 2025' (month names, never numbers alone)."""
    if not iso:
        return "undated"
    d = Date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def tint(colour: str, share: float = 0.62) -> str:
    """The status colour as the interactive maps fill it: mixed with white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * share + 255 * (1 - share)):02x}" for c in rgb)


def statuses(entry: ScenarioEntry, partition: Partition) -> dict[str, tuple[str, str, str]]:
    """Every status on the map -> (label, fill, colour); labels from the scenario itself,
    colours from the interactive pages' palette (checked for colour-vision deficiencies)."""
    known = status_labels(partition)
    names = [s.status for s in entry.statuses]
    for p in partition.pieces:
        names += [p.before, p.after]
    names = list(dict.fromkeys(names))
    palette = Palette([(s, known.get(s, {}).get("colour")) for s in names])
    own = {s.status: s.label for s in entry.statuses}
    out = {}
    for s in names:
        label = own.get(s) or known.get(s, {}).get("label") or s
        out[s] = (label, palette.colour(s), palette.colour(s))
    return out


def matplotlib_rc() -> dict:
    """matplotlib settings of every static map (text kept as text in SVG, fixed hash salt)."""
    return {
        "svg.fonttype": "none",  # text stays text: searchable, selectable, testable
        "svg.hashsalt": "modeller",
        "hatch.linewidth": 0.8,
        "font.family": "DejaVu Sans",
        "path.simplify": True,
        "text.hinting": "no_hinting",  # ~20 % faster PNGs (text is most of the cost)
    }
