"""What ``run`` refuses of a ``split`` on the embedded units, found without their geometry:
``validate`` reads each unit's box and the units it borders from ``unit_extents.csv``
(written by ``geodata/build_extents.py`` from the embedded outlines; a test holds the two
together) and projects the line's few points itself, with no geometry library loaded.

It refuses only what the engine refuses, in the engine's words (its messages are made
here): a line that crosses itself once projected or whose extensions cross it, one that
misses the listed oblasts' box or crosses it more than once, a keep place outside the
box, and oblasts that border none of the others. Whether the line leaves an oblast whole
far from the land it cuts needs the outlines, and is left to ``run``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache

from .errors import InputError
from .gazetteer import geodata_dir, place_where, read_names
from .scenario_selectors import Split, point_xy
from .scenario_values import first_crossing

EXTENTS = "unit_extents.csv"
NEIGHBOUR_M = 1000.0  # oblasts this near each other border each other
FRAME_M = 1000.0  # the cut frame: the listed oblasts' box, this much larger on every side
REACH_M = 10_000.0  # the line is extended by the frame's diagonal and this much more


@dataclass(frozen=True)
class Extent:
    """A unit's box in the working CRS (metres, the outline's own bounds) and the units it
    borders (within ``NEIGHBOUR_M``)."""

    box: tuple[float, float, float, float]
    borders: frozenset[str]


@cache
def extents() -> dict[str, Extent]:
    """The embedded units' boxes and borders, by code."""
    with open(geodata_dir() / EXTENTS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["code"]: Extent(
            tuple(float(r[k]) for k in ("min_x", "min_y", "max_x", "max_y")),
            frozenset(r["borders"].split("|")) - {""},
        )
        for r in rows
    }


def extend(a, b, reach: float) -> tuple[float, float]:
    """The point ``reach`` metres beyond b, continuing the direction a → b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy)
    return (b[0] + dx / n * reach, b[1] + dy / n * reach)


def extended_line(points: list, box: tuple) -> list[tuple[float, float]]:
    """The line through ``points`` (repeats dropped), extended straight on at both ends
    past a box's far corners: the line the engine cuts the listed oblasts with."""
    points = [points[0]] + [b for a, b in zip(points, points[1:], strict=False) if a != b]
    if len(points) < 2:
        raise InputError("the split line needs at least two distinct points")
    reach = math.hypot(box[2] - box[0], box[3] - box[1]) + REACH_M
    return [
        extend(points[1], points[0], reach),
        *points,
        extend(points[-2], points[-1], reach),
    ]


def extensions_cross() -> InputError:
    return InputError(
        "the split line's extensions (straight on past its first and last points, to the "
        "edge of the listed oblasts) cross the line or each other; move its end points, or "
        "add points so that its ends lead away from the rest of the line"
    )


def crosses_itself() -> InputError:
    return InputError("the split line crosses itself; reorder its points")


def misses(names: str, km: float, at_least: bool = False) -> InputError:
    """The line passes the listed oblasts by (``at_least``: the box around them)."""
    return InputError(
        f"the split line (extended at both ends) passes {km:,.0f} km "
        f"{'or more ' if at_least else ''}from {names}, so it does not cut the listed "
        "oblasts in two: give line points across them (a place on each side, or [lon, lat]), "
        "or list the oblasts the line crosses"
    )


def keep_outside(keep: str) -> InputError:
    """The keep place is off the listed oblasts' box: which place the name was taken as,
    and where (Kyiv's Obolon district had been taken as a village in Poltava oblast)."""
    return InputError(
        f"keep place '{keep}' (taken as {place_where(keep)}) lies outside the listed oblasts' "
        "extent; name a place in them (write 'Name, Oblast' where two share a name), "
        "or give [lon, lat]"
    )


def apart(listed: list[str], borders: dict[str, set[str]], name) -> InputError | None:
    """The error for listed oblasts that are not one stretch of land (each bordering
    another, ``borders``), or None when they are."""
    away = set(listed) - reached([listed[0]], borders)
    if not away:
        return None
    far = next(c for c in listed if c in away)
    rest = ", ".join(name(c) for c in listed if c not in away)
    return InputError(
        f"{name(far)} borders none of the other oblasts the split lists ({rest}): a split "
        "cuts one stretch of land along one line; cut the others in a step of their own"
    )


def reached(starts: list[str], borders: dict[str, set[str]]) -> set[str]:
    """The oblasts reached from ``starts`` by crossing borders (``starts`` among them)."""
    seen, todo = set(starts), list(starts)
    while todo:
        new = borders[todo.pop()] - seen
        seen |= new
        todo += new
    return seen


def check(split: Split) -> None:
    """Raise the engine's error for a split of the embedded units that ``run`` would
    refuse, where the units' boxes and borders tell (see the module docstring)."""
    table, units = extents(), read_names()[0]
    listed = list(dict.fromkeys(split.oblast))
    boxes = [table[c].box for c in listed]
    box = (
        min(b[0] for b in boxes) - FRAME_M,
        min(b[1] for b in boxes) - FRAME_M,
        max(b[2] for b in boxes) + FRAME_M,
        max(b[3] for b in boxes) + FRAME_M,
    )
    inner = (box[0] + FRAME_M, box[1] + FRAME_M, box[2] - FRAME_M, box[3] - FRAME_M)
    line = extended_line([point_xy(p) for p in split.line], inner)
    if first_crossing(line) is not None:  # (the line alone is checked in lon/lat as read)
        raise extensions_cross() if first_crossing(line[1:-1]) is None else crosses_itself()
    chords = _chords(line, box)
    if chords == 0:
        km = min(_segment_box_m(a, b, inner) for a, b in zip(line, line[1:], strict=False))
        names = ", ".join(units[c].name_en for c in split.oblast)
        raise misses(names, km / 1000, at_least=True)
    if chords > 1:
        raise comes_back(chords + 1)
    x, y = point_xy(split.keep)
    if not (box[0] <= x <= box[2] and box[1] <= y <= box[3]):
        raise keep_outside(split.keep)
    borders = {c: set(table[c].borders) & set(listed) for c in listed}
    error = apart(listed, borders, lambda c: units[c].name_en)
    if error is not None:
        raise error


def _chords(line: list, box) -> int:
    """How many times the line crosses the box from edge to edge: it cuts the box into
    one part more than that (a simple line; a stretch that ends inside cuts nothing).

    Notes
    -----
    Each segment is clipped to the box (Liang–Barsky, ``_clip``); a stretch inside starts
    where a segment enters (t₀ > 0) or at the line's first point, and ends where one
    leaves (t₁ < 1) or at its last point. A chord is a stretch that starts and ends on
    the box's edge.
    """
    chords, inside, entered = 0, False, False
    for k, (a, b) in enumerate(zip(line, line[1:], strict=False)):
        clipped = _clip(a, b, box)
        if clipped is None:
            inside = False
            continue
        t0, t1 = clipped
        if not inside:
            inside, entered = True, t0 > 0 or k > 0
        if t1 < 1:  # it leaves across the edge
            chords += entered
            inside = False
    return chords


def comes_back(parts: int) -> InputError:
    return InputError(
        "the split line leaves the listed oblasts' extent and comes back, cutting it into "
        f"{parts} parts; keep the line inside, or split in two steps"
    )


def _clip(a, b, box) -> tuple[float, float] | None:
    """The part of the segment a-b in the box, as parameters 0 ≤ t₀ ≤ t₁ ≤ 1 along it,
    or None when it has none (Liang–Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in (
        (-dx, a[0] - box[0]),
        (dx, box[2] - a[0]),
        (-dy, a[1] - box[1]),
        (dy, box[3] - a[1]),
    ):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return t0, t1


def _segment_box_m(a, b, box) -> float:
    """Metres between a segment and a box it does not meet: the nearest of its ends to the
    box, or of the box's corners to it."""
    corners = [(box[i], box[j]) for i in (0, 2) for j in (1, 3)]
    return min(
        *(_point_box_m(p, box) for p in (a, b)),
        *(_point_segment_m(c, a, b) for c in corners),
    )


def _point_box_m(p, box) -> float:
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return math.hypot(dx, dy)


def _point_segment_m(p, a, b) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = dx * dx + dy * dy
    t = 0.0 if n == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / n))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)
