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
from .planar import clip_segment
from .scenario_selectors import Split, keep_text, metres_to_segment, point_xy
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
    """The line through ``points`` (repeats dropped), extended straight on at both ends by
    the box's diagonal and ``REACH_M``: the line the engine cuts the listed oblasts with.
    Its ends lie outside the box (``FRAME_M`` larger) wherever its points are."""
    points = [points[0]] + [b for a, b in zip(points, points[1:], strict=False) if a != b]
    if len(points) < 2:  # (the file's check says it first; here, ``extend`` needs two)
        raise InputError("the split line needs at least two distinct points")
    reach = math.hypot(box[2] - box[0], box[3] - box[1]) + REACH_M
    return [
        extend(points[1], points[0], reach),
        *points,
        extend(points[-2], points[-1], reach),
    ]


def extensions_cross() -> InputError:
    """The line is simple, but not once extended: its ends lead back across it."""
    return InputError(
        "the split line's extensions (straight on past its first and last points, to the "
        "edge of the listed oblasts) cross the line or each other; move its end points, or "
        "add points so that its ends lead away from the rest of the line"
    )


def crosses_itself() -> InputError:
    """The line itself crosses (the engine's words; the file's check names the segments)."""
    return InputError("the split line crosses itself; reorder its points")


def misses(names: str, km: float, at_least: bool = False) -> InputError:
    """The line passes the listed oblasts by (``at_least``: the box around them)."""
    return InputError(
        f"the split line (extended at both ends) passes {km:,.0f} km "
        f"{'or more ' if at_least else ''}from {names}, so it does not cut the listed "
        "oblasts in two: give line points across them (a place on each side, or [lon, lat]), "
        "or list the oblasts the line crosses"
    )


def keep_outside(keep) -> InputError:
    """The keep place is off the listed oblasts' box: for a name, which place it was taken
    as, and where (Kyiv's Obolon district had been taken as a village in Poltava oblast)."""
    if isinstance(keep, str):
        taken = f" (taken as {place_where(keep)})"
        fix = "name a place in them (write 'Name, Oblast' where two share a name), or give "
    else:
        taken, fix = "", "give "
    return InputError(
        f"keep place {keep_text(keep)}{taken} lies outside the listed oblasts' extent; "
        f"{fix}[lon, lat] of a place in them"
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
    inner = tuple(f(b[k] for b in boxes) for k, f in enumerate((min, min, max, max)))
    box = (inner[0] - FRAME_M, inner[1] - FRAME_M, inner[2] + FRAME_M, inner[3] + FRAME_M)
    line = extended_line([point_xy(p) for p in split.line], inner)
    if first_crossing(line) is not None:  # (the line alone was checked, in metres, as read)
        raise extensions_cross()
    chords = _chords(line, box)
    if chords is None:  # a point of the line on the box's edge: run's arithmetic decides
        return
    if chords == 0:
        km = min(_segment_box_m(a, b, inner) for a, b in zip(line, line[1:], strict=False))
        names = ", ".join(units[c].name_en for c in split.oblast)
        raise misses(names, km / 1000, at_least=True)
    if chords > 1:
        raise comes_back(chords + 1)
    keep = point_xy(split.keep)
    if _edge_m(keep, box) >= EDGE_M and not (
        box[0] <= keep[0] <= box[2] and box[1] <= keep[1] <= box[3]
    ):
        raise keep_outside(split.keep)
    borders = {c: set(table[c].borders) & set(listed) for c in listed}
    error = apart(listed, borders, lambda c: units[c].name_en)
    if error is not None:
        raise error


def comes_back(parts: int) -> InputError:
    """The line crosses the listed oblasts' box more than once, cutting it in ``parts``."""
    return InputError(
        "the split line leaves the listed oblasts' extent and comes back, cutting it into "
        f"{parts} parts; keep the line inside, or split in two steps"
    )


EDGE_M = 0.001  # a line this near the box's edge or corner is left to run (see _chords)


def _chords(line: list, box) -> int | None:
    """How many times the line crosses the box from edge to edge: it cuts the box into
    one part more than that (a simple line; a stretch that ends inside cuts nothing).
    None where a point of the line lies within ``EDGE_M`` of the box's edge, or the line
    passes that near a corner: there a touch and a crossing are told apart by the last
    digits, which GEOS's exact predicates may read otherwise.

    Notes
    -----
    Each segment is clipped to the box (``planar.clip_segment``). Away from the edge, a
    segment's start is inside exactly when its clip starts at t₀ = 0, and its end when
    the clip ends at t₁ = 1. A stretch inside starts where a segment enters (t₀ > 0), or
    at the line's first point, and ends where one leaves (t₁ < 1): a chord when it
    entered.
    """
    segments = list(zip(line, line[1:], strict=False))
    corners = [(box[i], box[j]) for i in (0, 2) for j in (1, 3)]
    if any(_edge_m(p, box) < EDGE_M for p in line) or any(
        metres_to_segment(c, a, b) < EDGE_M for c in corners for a, b in segments
    ):
        return None
    chords, entered = 0, False
    for a, b in segments:
        clipped = clip_segment(a, b, box, edges=False)  # (along an edge: no land)
        if clipped is None:
            continue
        t0, t1 = clipped
        if t0 > 0:  # it enters across the edge
            entered = True
        elif a is line[0]:  # it starts inside (an extended line never does)
            entered = False
        if t1 < 1:  # it leaves across the edge
            chords += entered
            entered = False
    return chords


def _edge_m(p, box) -> float:
    """Metres from a point to the box's edge, from inside or out."""
    if box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]:
        return min(p[0] - box[0], box[2] - p[0], p[1] - box[1], box[3] - p[1])
    return _point_box_m(p, box)


def _segment_box_m(a, b, box) -> float:
    """Metres between a segment and a box it does not meet: the nearest of its ends to the
    box, or of the box's corners to it."""
    corners = [(box[i], box[j]) for i in (0, 2) for j in (1, 3)]
    return min(
        *(_point_box_m(p, box) for p in (a, b)),
        *(metres_to_segment(c, a, b) for c in corners),
    )


def _point_box_m(p, box) -> float:
    """Metres from a point to a box (0 inside it)."""
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return math.hypot(dx, dy)
