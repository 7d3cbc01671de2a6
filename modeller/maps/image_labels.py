"""Collision-free labels for the static maps: greedy placement by priority.

Labels are placed in the order they are offered (callers offer the most important first:
towns changing hands by population, then changed areas, then orientation towns and the
river). Each label is measured once; candidate positions around its anchor are tried
nearest first and the first whose box stays inside the map and clear of every box placed,
blocked or crossed by a leader so far is kept. A town's name is never nearer another
town's marker than its own, and a changed area's label sits beside its area only where it
is clearly nearer that area than any other that changes hands (else it would read as the
neighbour's: Luhansk's label beside Kharkiv's strip). One that cannot is moved further
out along one of 24 directions and joined to it by a leader line that crosses no other
label or leader. A label with no free position is dropped (its figures are in the
side panel and the tables), never drawn over another.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from shapely.ops import polylabel

from .. import geodata
from ..document import ScenarioEntry
from ..partition import Partition
from ..planar import clip_segment
from ..rounding import people_short
from .image_geometry import project, river_anchors
from .image_words import RIVER, place, round_km2
from .layers import spare_anchors
from .words import mapped_towns

TOWN_LABELS = 8
"""How many of the largest towns changing hands are offered a label (by population)."""
ORIENTATION_MIN_POP = 150_000
"""Other towns of at least this size inside the frame are offered a label for orientation."""

# (dx, dy) in units of (half label width + gap, half label height + gap) from the anchor.
AROUND = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
CENTRED = ((0, 0), (0, 1.2), (0, -1.2), (1.1, 0), (-1.1, 0), *AROUND[4:])
LEADER_GAPS_PX = (14.0, 24.0, 34.0, 46.0, 60.0, 75.0, 90.0, 105.0, 120.0, 140.0, 160.0, 180.0)
"""How far (px, between the anchor's clearance and the box) a label with a leader may go."""
AMBIGUOUS = 1.2
"""A name is another marker's too unless that marker is this much (+1 px) further away."""
AREA_AMBIGUOUS = 2.0
"""An area's label without a leader is the next area's too unless this much further from it."""
JOINED_COVER = 0.1
"""Of an area's label box joined by a leader, the most that may lie on other changed areas."""
HIDDEN = 0.1
"""Of another changed area, the most an area's label box may cover."""
MARK_GAP_PX = 3.0
"""How far a town's name out on a leader keeps off other towns' markers."""
TOWN_LEADER_GAPS_PX = (10.0, 22.0, 36.0, 55.0, 80.0)
"""The same for a town's name, where towns crowd (a short leader says whose name it is)."""
ANGLES = (0, 180, 270, 90, 315, 225, 45, 135, 337.5, 202.5, 22.5, 157.5, 292.5, 247.5, 67.5)
ANGLES += (112.5, 345, 195, 15, 165, 330, 210, 30, 150)
DIRECTIONS = tuple((float(np.cos(np.radians(a))), float(np.sin(np.radians(a)))) for a in ANGLES)
"""Directions tried for a label with a leader: sideways first (a short leader), then below,
above, the diagonals and between (y grows upwards in display pixels)."""


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in display pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

    def crossed_by(self, a: tuple, b: tuple) -> bool:
        """Whether the segment a-b enters the box (its edges too)."""
        return clip_segment(a, b, (self.x0, self.y0, self.x1, self.y1)) is not None

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def distance(self, x: float, y: float) -> float:
        """From a point to the nearest point of the box (0 inside)."""
        return float(
            np.hypot(max(self.x0 - x, 0.0, x - self.x1), max(self.y0 - y, 0.0, y - self.y1))
        )

    def nearest(self, x: float, y: float) -> tuple[float, float]:
        """The box's point nearest to (x, y)."""
        return min(max(x, self.x0), self.x1), min(max(y, self.y0), self.y1)

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def inside(self, other: Box) -> bool:
        return (
            self.x0 >= other.x0
            and self.x1 <= other.x1
            and self.y0 >= other.y0
            and self.y1 <= other.y1
        )


class Placer:
    """Places text on the map (``image_frame.MapArea``) so that no two labels (or blocked
    areas) overlap."""

    def __init__(self, ax, gap_px: float = 4.0):
        self.ax = ax
        self.fig = ax.figure
        self.renderer = self.fig.canvas.get_renderer()
        b = ax.bbox
        self.area = Box(b.x0 + 2, b.y0 + 2, b.x1 - 2, b.y1 - 2)
        self.gap = gap_px
        self.taken: list[Box] = []
        self.marks: list[tuple[float, float]] = []  # town markers, in display pixels
        self.marker_boxes: set[int] = set()  # ids of the boxes in ``taken`` that are markers
        self.pins: list[tuple[object, Box]] = []  # (key, box): areas' anchors, kept clear
        self.leaders: list[tuple[tuple, tuple]] = []  # leader lines drawn, display pixels
        self.placed: list = []  # the Text artists kept, in placement order

    def block(self, box: Box) -> None:
        """Keep labels off an area (a marker, the scale bar)."""
        self.taken.append(box)

    def block_point(self, x: float, y: float, radius_px: float) -> None:
        """Keep labels off a marker drawn at data point (x, y)."""
        px, py = self.ax.transData.transform((x, y))
        r = radius_px
        marker = Box(px - r, py - r, px + r, py + r)
        self.block(marker)
        self.marker_boxes.add(id(marker))
        self.marks.append((float(px), float(py)))

    def pin(self, key, x: float, y: float, radius_px: float = 5.0) -> None:
        """Keep every label but ``key``'s off the point (data) its leader would start from:
        a leader starting under another area's label reads as that area's."""
        px, py = self.ax.transData.transform((x, y))
        r = radius_px
        self.pins.append((key, Box(px - r, py - r, px + r, py + r)))

    def free(self, box: Box, pin=None) -> bool:
        return (
            box.inside(self.area)
            and not any(box.overlaps(t) for t in self.taken)
            and not any(box.overlaps(b) for k, b in self.pins if k != pin)
            and not any(box.crossed_by(a, b) for a, b in self.leaders)
        )

    def _own(self, box: Box, px: float, py: float) -> bool:
        """Whether every other marker is clearly further from the box than its own anchor
        (``AMBIGUOUS``): a name about as near two dots reads as either's."""
        own = box.distance(px, py)
        return not any(
            box.distance(mx, my) < own * AMBIGUOUS + 1.0
            for mx, my in self.marks
            if abs(mx - px) > 0.5 or abs(my - py) > 0.5
        )

    def _apart(self, box: Box, px: float, py: float, gap: float = MARK_GAP_PX) -> bool:
        """Whether a town's name out on a leader keeps ``gap`` px off every other town's
        marker: 'Kramatorsk' 0.5 px from Bakhmut's dot, its leader short, had read as
        naming that dot."""
        return not any(
            box.overlaps(Box(t.x0 - gap, t.y0 - gap, t.x1 + gap, t.y1 + gap))
            for t in self.taken
            if id(t) in self.marker_boxes and not t.contains(px, py)
        )

    def _clear_leader(self, a: tuple, b: tuple) -> bool:
        """Whether a leader a-b crosses no label, blocked area or other leader (a marker
        under its start aside: it starts at its own town's marker)."""
        if any(
            t.crossed_by(a, b)
            for t in self.taken
            if not (id(t) in self.marker_boxes and t.contains(*a))
        ):
            return False
        return not any(_segments_cross(a, b, c, d) for c, d in self.leaders)

    def place(
        self,
        x: float,
        y: float,
        text: str,
        *,
        clearance_px: float = 0.0,
        centred: bool = False,
        leader: tuple[float, ...] = (),
        others: tuple = (),
        own_mark: bool = False,
        pin=None,
        mine=None,
        **style,
    ):
        """Put ``text`` next to data point (x, y) (or on it, ``centred``); None if no room.

        ``clearance_px`` is the radius of the marker the label must not cover; ``leader`` then
        tries positions that many px further out, joined to the anchor by a line, and then
        the same around each of ``others`` (further anchors, data points);
        ``own_mark`` keeps a label without a leader nearer its own marker than any other;
        ``pin`` is the key of its own pinned anchor (``pin``), which it may cover;
        ``mine(box, joined)`` (display px), when given, tells whether a box reads as its own
        area's (``_reads_as``).
        """
        halo = style.pop("bbox", None)  # given once placed: a label dropped needs none
        t = self.ax.text(
            x, y, text, ha="center", va="center", parse_math=False, clip_on=False, **style
        )
        bb = t.get_window_extent(self.renderer)  # (of the text alone, with a halo or not)
        w, h = bb.width, bb.height
        px, py = (float(v) for v in self.ax.transData.transform((x, y)))
        hx, hy = w / 2 + self.gap + clearance_px, h / 2 + self.gap + clearance_px
        near = list(AROUND)
        if centred:
            near = [*CENTRED, *near]
        anchors = [(px, py)]
        anchors += [tuple(float(v) for v in self.ax.transData.transform(o)) for o in others]
        lead = (w, h, clearance_px, self.gap, leader) if leader else None
        cx, cy, which = _candidates(px, py, hx, hy, near, anchors, lead)
        first = len(near)
        for i in self._unblocked(cx, cy, w, h, pin):
            x_, y_ = float(cx[i]), float(cy[i])
            joined = bool(i >= first)
            anchor = anchors[which[i]] if joined else (px, py)
            box = Box(x_ - w / 2, y_ - h / 2, x_ + w / 2, y_ + h / 2)
            if not self.free(box, pin) or (own_mark and not joined and not self._own(box, px, py)):
                continue
            if own_mark and joined and not self._apart(box, px, py):
                continue
            if mine is not None and not mine(box, joined):
                continue
            end = box.nearest(*anchor)
            if joined and not self._clear_leader(anchor, end):
                continue
            pad = self.gap / 2
            self.taken.append(Box(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad))
            t.set_position(self.ax.transData.inverted().transform((x_, y_)))
            if halo is not None:
                t.set_bbox(halo)
            if joined:
                marker = clearance_px if own_mark else None
                self._draw_leader(anchor, end, style.get("zorder", 10), marker)
            self.placed.append(t)
            return t
        t.remove()
        return None

    def _unblocked(self, cx: np.ndarray, cy: np.ndarray, w: float, h: float, pin) -> np.ndarray:
        """Indices of the candidate positions (box centres ``cx``, ``cy``) whose box lies
        inside the map and clear of every box taken and pin but ``pin``, in order: the many
        positions a label with a leader may take, sifted at once (``free`` then judges the
        few left, leaders too)."""
        x0, y0, x1, y1 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
        a = self.area
        ok = (x0 >= a.x0) & (x1 <= a.x1) & (y0 >= a.y0) & (y1 <= a.y1)
        blocks = [*self.taken, *(b for k, b in self.pins if k != pin)]
        if blocks and ok.any():
            b = np.array([(t.x0, t.y0, t.x1, t.y1) for t in blocks])
            hit = (
                (x0[:, None] < b[None, :, 2])
                & (b[None, :, 0] < x1[:, None])
                & (y0[:, None] < b[None, :, 3])
                & (b[None, :, 1] < y1[:, None])
            )
            ok &= ~hit.any(axis=1)
        return np.flatnonzero(ok)

    def _draw_leader(self, a: tuple, b: tuple, zorder: float, marker: float | None) -> None:
        """A thin line from the anchor to the label's box: from a dot drawn at an area's
        anchor, or from the rim of a marker of radius ``marker`` px."""
        self.leaders.append((a, b))
        kw = {"color": "#111111", "zorder": zorder - 0.5, "solid_capstyle": "round"}
        if marker is None:
            self.block(Box(a[0] - 3, a[1] - 3, a[0] + 3, a[1] + 3))  # the dot at its area
        else:
            length = float(np.hypot(b[0] - a[0], b[1] - a[1])) or 1.0
            k = min(1.0, marker / length)
            a = (a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k)
        (x0, y0), (x1, y1) = self.ax.transData.inverted().transform([a, b])
        width = 0.8 if marker is not None else 0.9
        # on a white halo, as the pages draw it: a bare line at 45° was lost in the
        # hatching of the same colour and width (Bakhmut's leader, the 1991 Donetsk one)
        halo = {**kw, "color": "white", "zorder": zorder - 0.6, "alpha": 0.9}
        self.ax.line([x0, x1], [y0, y1], linewidth=width + 2.2, gid="leader-halo", **halo)
        self.ax.line([x0, x1], [y0, y1], linewidth=width, gid="leader", **kw)
        if marker is None:
            self.ax.line([x0], [y0], marker="o", markersize=3.2, linestyle="none", **kw)


_UX = np.array([ux for ux, _ in DIRECTIONS])
_UY = np.array([uy for _, uy in DIRECTIONS])


def _reach(half: float, u: np.ndarray) -> np.ndarray:
    """``half / |u|`` per direction, infinite where ``u`` is about 0 (as a division)."""
    with np.errstate(divide="ignore"):
        return np.where(np.abs(u) > 1e-9, half / np.abs(u), np.inf)


def _candidates(px, py, hx, hy, near, anchors, lead):
    """Box centres (x, y arrays) a label of half size (``hx``, ``hy``) may take, and the
    index in ``anchors`` of each one's anchor: around its own point (``near``, in units of
    the half size); then, with a ``lead`` of (w, h, clearance, spacing, gaps), for every
    anchor, every gap of a leader and every direction, where the w × h box's edge lies
    that gap beyond the marker's clearance and the spacing between labels.
    The positions are those of a loop over anchors, gaps, directions, to the bit."""
    near = np.asarray(near, dtype=float).reshape(-1, 2)
    cx, cy = [px + near[:, 0] * hx], [py + near[:, 1] * hy]
    which = [np.zeros(len(near), dtype=int)]
    if lead is not None:
        w, h, clearance, spacing, gaps = lead
        reach = np.minimum(_reach(w / 2, _UX), _reach(h / 2, _UY))
        r = ((reach + clearance + spacing)[None, :] + np.asarray(gaps, float)[:, None]).ravel()
        ux, uy = np.tile(_UX, len(gaps)), np.tile(_UY, len(gaps))
        for k, (ax_, ay) in enumerate(anchors):
            cx.append(ax_ + ux * r)
            cy.append(ay + uy * r)
            which.append(np.full(len(r), k))
    return np.concatenate(cx), np.concatenate(cy), np.concatenate(which)


def _segments_cross(a: tuple, b: tuple, c: tuple, d: tuple) -> bool:
    """Whether segments a-b and c-d cross (touching ends count)."""

    def side(p, q, r) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    d1, d2 = side(c, d, a), side(c, d, b)
    d3, d4 = side(a, b, c), side(a, b, d)
    return d1 * d2 <= 0 and d3 * d4 <= 0 and not (d1 == d2 == 0 and d3 == d4 == 0)


# --- the map's labels, by priority ---------------------------------------------------


@cache
def _large_towns() -> list[tuple]:
    """(settlement, x, y) of every settlement of ORIENTATION_MIN_POP or more, largest first."""
    data = geodata.load()
    big = [
        (s, float(x), float(y))
        for s, (x, y) in zip(data.settlements, data.settlement_xy, strict=True)
        if s.population >= ORIENTATION_MIN_POP
    ]
    return sorted(big, key=lambda item: -item[0].population)


def _marker_px(population: float) -> float:
    """Town marker radius in pixels (as on the interactive maps)."""
    return 3.5 + 2.5 * (population / 1e5) ** 0.5


def place_labels(
    ax, placer: Placer, entry: ScenarioEntry, partition: Partition, box: tuple, colours
) -> None:
    """Markers first (labels never cover them), then labels by priority."""
    halo = {  # a soft white box rather than a stroked outline: the SVG keeps labels as text
        "bbox": {"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.78}
    }

    def inside(x: float, y: float) -> bool:
        return box[0] < x < box[2] and box[1] < y < box[3]

    towns = mapped_towns(entry.towns)
    txy = project([(t.lon, t.lat) for t in towns])
    shown = [(t, x, y) for t, (x, y) in zip(towns, txy, strict=True) if inside(x, y)]
    changed_ids = {t.geonameid for t in towns}
    others = [(s, x, y) for s, x, y in _large_towns() if s.geonameid not in changed_ids]
    others = [(s, x, y) for s, x, y in others if inside(x, y)][:10]
    if shown:
        ax.dots(
            [x for _, x, _ in shown],
            [y for _, _, y in shown],
            [(2 * _marker_px(t.population) * 72 / ax.figure.dpi) ** 2 for t, _, _ in shown],
            facecolors="white",  # the land under it already shows the new status
            edgecolors="#111111",
            linewidths=1.2,
            zorder=7,
        )
        for t, x, y in shown:
            placer.block_point(x, y, _marker_px(t.population))
    if others:
        ax.dots(
            [x for _, x, _ in others],
            [y for _, _, y in others],
            16,
            facecolors="#333333",
            edgecolors="white",
            linewidths=0.8,
            zorder=6,
        )
        for _, x, y in others:
            placer.block_point(x, y, 2.5)
    scale = ax.bbox.width / (box[2] - box[0])  # px per metre
    areas = [a for a in _changed_areas(entry, partition, colours) if inside(a[0], a[1])]
    for k, (x, y, *_) in enumerate(areas):  # where their leaders start: no label covers them
        placer.pin(k, x, y)
    # 1. the largest towns changing hands, by population (fixed points come first)
    for t, x, y in shown[:TOWN_LABELS]:
        placer.place(
            x,
            y,
            place(t.name),
            clearance_px=_marker_px(t.population),
            own_mark=True,
            leader=TOWN_LEADER_GAPS_PX,
            fontsize=9.5,
            color="#111111",
            **halo,
            zorder=10,
        )
    # 2. changed areas (free to move around their area): where, from -> to, km² and people
    shapes = [shapely.simplify(a[5], 1.0 / scale) for a in areas]  # (to a pixel)
    for k, (x, y, (w, h), text, spare, _) in enumerate(areas):
        big = w * scale > 170 and h * scale > 45
        placer.place(
            x,
            y,
            text,
            centred=big,
            leader=LEADER_GAPS_PX,
            others=[(sx, sy) for sx, sy in spare if inside(sx, sy)],
            pin=k,
            mine=_reads_as(k, shapes, ax, 1.0 / scale),
            clearance_px=0 if big else min(30.0, max(w, h) * scale / 2),
            fontsize=9.5,
            fontweight="bold",
            color="#111111",
            **halo,
            zorder=10,
            linespacing=1.25,
        )
    # 3. orientation: large towns, then the river
    for s, x, y in others:
        placer.place(
            x,
            y,
            place(s.name),
            clearance_px=2.5,
            own_mark=True,
            fontsize=8.5,
            color="#333333",
            **halo,
            zorder=9,
        )
    for x, y in river_anchors(box):
        if (
            placer.place(
                x,
                y,
                "Dnipro",
                clearance_px=3,
                fontsize=9,
                fontstyle="italic",
                color=RIVER,
                **halo,
                zorder=9,
            )
            is not None
        ):
            break


def _reads_as(k: int, shapes: list, ax, px_m: float):
    """Whether a label box (display px) reads as area ``k``'s: clearly nearer it than any
    other changed area (``AREA_AMBIGUOUS`` times: areas have no marker to point at, and a
    box 17 px from its own sliver and 23 px from the next still read as the next's); a
    box on its own area, by covering clearly more of it than of any other. A box joined
    to its area by a leader (``joined``) says whose it is by the leader, but must not lie
    on another changed area (``JOINED_COVER`` of it at most): 'Donetsk: Russia →
    Ukraine' over Zaporizhzhia's 7,300 km² on the 1991 map had read as naming them. No
    box hides more than ``HIDDEN`` of another changed area."""

    areas = [shapely.area(g) for j, g in enumerate(shapes) if j != k]

    def mine(box: Box, joined: bool = False) -> bool:
        corners = ax.transData.inverted().transform([(box.x0, box.y0), (box.x1, box.y1)])
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        rect = shapely.box(x0, y0, x1, y1)
        others = [g for j, g in enumerate(shapes) if j != k]
        hidden = [shapely.area(shapely.intersection(g, rect)) for g in others]
        if any(h > HIDDEN * a for h, a in zip(hidden, areas, strict=True)):
            return False  # (half of Kharkiv's 1,200 km² had gone under Donetsk's label)
        if joined:
            return sum(hidden) <= JOINED_COVER * rect.area
        own = shapely.distance(shapes[k], rect)
        covered = shapely.area(shapely.intersection(shapes[k], rect)) if own == 0 else 0.0
        if covered > 0:  # on its own area
            return all(
                covered > AREA_AMBIGUOUS * shapely.area(shapely.intersection(g, rect))
                for g in others
            )
        near = np.array([shapely.distance(g, rect) for g in others])
        return bool(np.all(near > own * AREA_AMBIGUOUS + px_m))

    return mine


def _changed_areas(entry: ScenarioEntry, partition: Partition, colours) -> list[tuple]:
    """(x, y, (width, height) in metres, text, spare anchors, area) for each (oblast, from,
    to) that changes hands, largest first (``area``: all its pieces, one geometry).

    The anchor is the pole of inaccessibility of the largest part (the spare ones: other
    points well inside it, ``layers.spare_anchors``); figures are the run's own (summed
    over recognition, the people's range that of the sum), rounded for reading.
    """
    figures: dict[tuple, list[float]] = {}
    rows: dict[tuple, list] = {}
    names = {}
    for t in entry.transfers:
        key = (t.oblast, t.from_, t.to)
        rows.setdefault(key, []).append(t)
        names[t.oblast] = t.oblast_name or t.oblast
    for key, ts in rows.items():
        variants = [t.people_by_variant for t in ts]
        if all(variants) and len({len(v) for v in variants}) == 1:  # the sum's own range
            sums = [sum(col) for col in zip(*variants, strict=True)]
            low, high = min(sums), max(sums)
        else:  # (a document without them: summed ends bound the range of the sum)
            low, high = sum(t.people_low for t in ts), sum(t.people_high for t in ts)
        figures[key] = [sum(t.km2 for t in ts), sum(t.people for t in ts), low, high]
    geoms: dict[tuple, list] = {}
    for p in partition.pieces:
        if p.before != p.after:
            geoms.setdefault((p.oblast, p.before, p.after), []).append(p.geometry)
    out = []
    for key, (km2, people, low, high) in sorted(figures.items(), key=lambda kv: -kv[1][0]):
        if key not in geoms or km2 < 1.0:
            continue
        parts = shapely.get_parts(np.array(geoms[key], dtype=object))
        largest = parts[int(np.argmax(shapely.area(parts)))]
        point = polylabel(largest, 2000.0)
        x0, y0, x1, y1 = largest.bounds
        label = lambda s: colours.get(s, (s,))[0]  # noqa: E731
        head = textwrap.fill(f"{names[key[0]]}: {label(key[1])} → {label(key[2])}", 34)
        value, _, rng = people_short(people, low, high).partition(" (")
        text = f"{head}\n{round_km2(km2)} km² · {value} people" + (f"\n({rng}" if rng else "")
        area = shapely.union_all(parts)
        out.append(
            (point.x, point.y, (x1 - x0, y1 - y0), text, spare_anchors(largest, point), area)
        )
    return out
