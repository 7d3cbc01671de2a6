"""A band's zone: the land within a depth of the line of contact, drawn one way by ``run``,
its fast path and the timeline, so that their figures agree at every depth.

The line is joined into its longest chains and cut into runs of about ``CHUNK`` vertices
at vertices picked by their own coordinates (and grouped, for the timeline's kept
unions); the zone is the union of the runs' GEOS buffers (16 segments a quadrant). Drawn
so, a stretch of line cut to a box (the fast path, the timeline near a day's changes)
gives the same runs as the whole line away from the box's edges, so the same zone there;
one GEOS buffer of the whole line would not agree with a part of it: GEOS simplifies a
buffer's line by 1 % of the depth, part by part (at 300 km the timeline's Kyiv city had
differed from run's by 5 km², 0.7 %). It is also quicker: a long, wiggly line is slow to
buffer whole (~180 ms at 20 km, ~40 ms in runs). A run's buffer costs about the square
of its vertices at depths past its wiggles (0.03 ms under 8 vertices at 20 km, 0.27 ms
at 16-24, 1.2 ms past 40), so runs are short.
"""

from __future__ import annotations

import numpy as np
import shapely

CHUNK = 8  # vertices per run of the line buffered on its own
GROUP = 4  # runs per group whose buffers' union is kept between days (about)
QUAD_SEGS = 16  # segments per quarter circle of a buffer's arcs


TOUCH_M = 1.0  # Russian-held edge this near land it faces is on the line of contact
SLIVER_M = 1.0  # facing land narrower than this is a drawing gap, not land on the line


def contact(russia, facing):
    r"""The line of contact: the edge of Russian-held land (``russia``, polygons) within
    ``TOUCH_M`` of the land it faces (``facing``), where that land is ``SLIVER_M`` wide or more.

    Notes
    -----
    With :math:`R` the Russian-held land and :math:`F` the facing land, the line is
    :math:`\partial R \cap ((F \ominus s/2) \oplus (s/2 + t))`, :math:`s` = ``SLIVER_M``,
    :math:`t` = ``TOUCH_M``. The erosion drops gaps of a few centimetres between a file's
    Russian-held polygons and the units' coast or border (a rounded export, another
    outline), which would make the coast a line of contact (a 10 km band three times too
    large), and DeepState's own sub-metre strips along the Russian border (7 km of line
    near Vovchansk and Kupiansk on 3 Aug 2025).
    """
    if shapely.is_empty(russia) or shapely.is_empty(facing):
        return shapely.LineString()
    core = shapely.buffer(facing, -SLIVER_M / 2, join_style="mitre")
    near = shapely.buffer(core, SLIVER_M / 2 + TOUCH_M, join_style="mitre")
    return shapely.intersection(shapely.boundary(russia), near)


def margin_m(km: float) -> float:
    """How far beyond a band's depth a run's buffer can reach: GEOS simplifies its line by
    1 % of the depth before buffering; with a margin. A line cut this far beyond the land
    it is drawn for leaves the zone there unchanged."""
    return 0.015 * km * 1000 + 2000.0


def runs(line) -> list[np.ndarray]:
    """The line's runs (``grouped``), one list."""
    return [r for group in grouped(line) for r in group]


def grouped(line) -> list[list[np.ndarray]]:
    """The line's chains cut into runs (coordinate arrays) at every vertex picked by a hash
    of its coordinates (not every N vertices), each run oriented from its lesser end: a
    stretch unchanged from one day to the next, cut to another box, or merged the other
    way round, gives the same runs. Consecutive runs are grouped between the vertices
    picked by the same hash, ``GROUP`` times more rarely: a group of unchanged runs is
    the same group on another day.

    ``line`` should be merged already (``shapely.line_merge``): chains are cut as given.
    """
    out = []
    for part in shapely.get_parts(line):
        xy = _straightened(shapely.get_coordinates(part))
        if len(xy) < 2:
            continue
        mark, rare = _marked(xy)
        if len(xy) > 3 and (xy[0] == xy[-1]).all():  # a loop: start it at a vertex of its
            ring = xy[:-1]  # own choosing (the first rarely marked, else the first marked,
            picked = np.flatnonzero(rare[:-1])  # else the least), not GEOS's
            if not len(picked):
                picked = np.flatnonzero(mark[:-1])
            start = int(picked[0]) if len(picked) else int(np.lexsort(ring.T[::-1])[0])
            xy = np.vstack([ring[start:], ring[:start], ring[start : start + 1]])
            mark, rare = _marked(xy)
        cuts = np.concatenate([[0], np.flatnonzero(mark[1:-1]) + 1, [len(xy) - 1]])
        a, b = xy[cuts[:-1]], xy[cuts[1:]]
        # one orientation, whichever way the chain runs (line_merge picks one): from the
        # lesser end, x first
        flip = ((a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))).tolist()
        ends = rare[cuts[:-1]].tolist()
        group: list[np.ndarray] = []
        for i, j, back, new in zip(cuts[:-1].tolist(), cuts[1:].tolist(), flip, ends, strict=True):
            if group and new:
                out.append(group)
                group = []
            run = xy[i : j + 1]
            group.append(run[::-1].copy() if back else run)
        if group:
            out.append(group)
    return out


STRAIGHT_M = 1e-6  # a vertex this near the line through its neighbours is no corner


def _straightened(xy: np.ndarray) -> np.ndarray:
    """A chain without the vertices that lie on a straight segment (within ``STRAIGHT_M``):
    the engine's line has them where it crosses an oblast's border (its pieces are cut
    there), the timeline's does not; they must not cut it differently. A loop's first
    vertex is judged by its neighbours around the loop."""
    closed = len(xy) > 3 and (xy[0] == xy[-1]).all()
    ring = xy[:-1] if closed else xy
    if len(ring) < 3:
        return xy
    prev = np.roll(ring, 1, axis=0)
    nxt = np.roll(ring, -1, axis=0)
    chord = nxt - prev
    rel = ring - prev
    cross = np.abs(chord[:, 0] * rel[:, 1] - chord[:, 1] * rel[:, 0])
    length = np.hypot(chord[:, 0], chord[:, 1])
    between = (rel * chord).sum(axis=1)  # on the segment, not beyond an end
    straight = (cross <= STRAIGHT_M * length) & (between > 0) & (between < length**2)
    if not closed:
        straight[[0, -1]] = False  # (the ends of an open chain are its own)
    keep = ring[~straight]
    return np.vstack([keep, keep[:1]]) if closed else keep


def _marked(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which vertices cut the line (about one in ``CHUNK``) and which end a group (about
    one in ``CHUNK * GROUP``, all among the former), by a hash of the coordinates."""
    bits = np.ascontiguousarray(xy).view(np.uint64)
    h = (bits[:, 0] * np.uint64(0x9E3779B97F4A7C15)) ^ bits[:, 1]
    return h % np.uint64(CHUNK) == 0, h % np.uint64(CHUNK * GROUP) == 0


def envelopes(xys: list[np.ndarray]) -> np.ndarray:
    """Each run's envelope: (n, 4) minx, miny, maxx, maxy."""
    if not len(xys):
        return np.zeros((0, 4))
    starts = np.cumsum([0] + [len(r) for r in xys[:-1]])
    xy = np.vstack(xys)  # (runs have 2 vertices or more: no empty slice to reduce)
    return np.hstack([np.minimum.reduceat(xy, starts), np.maximum.reduceat(xy, starts)])


def meeting(runs: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Per run envelope (``envelopes``), whether it meets one of ``boxes`` ((m, 4)): the
    runs whose buffers can reach what lies in the boxes, once grown by the reach."""
    boxes = np.atleast_2d(boxes)
    return (
        (runs[:, None, 2] >= boxes[None, :, 0])
        & (runs[:, None, 0] <= boxes[None, :, 2])
        & (runs[:, None, 3] >= boxes[None, :, 1])
        & (runs[:, None, 1] <= boxes[None, :, 3])
    ).any(axis=1)


def lines(xys: list[np.ndarray]) -> np.ndarray:
    """Each run as a LineString."""
    if not xys:
        return np.zeros(0, dtype=object)
    return shapely.linestrings(
        np.vstack(xys), indices=np.repeat(np.arange(len(xys)), [len(r) for r in xys])
    )


def run_buffers(xys: list[np.ndarray], km: float) -> np.ndarray:
    """Each run's GEOS buffer at ``km`` (what ``zone`` unites)."""
    return shapely.buffer(lines(xys), km * 1000, quad_segs=QUAD_SEGS)


def unite(buffers) -> object:
    """The zone from run buffers."""
    if not len(buffers):
        return shapely.Polygon()
    return shapely.union_all(np.asarray(buffers, dtype=object))


def zone(line, km: float) -> object:
    """The band's zone around a line of contact (lines, working CRS; empty: empty).

    Notes
    -----
    zone = ∪ buffer(run, km) over the runs of ``line_merge(line)`` (``runs``).
    """
    if line.is_empty:
        return shapely.Polygon()
    return unite(run_buffers(runs(shapely.line_merge(line)), km))
