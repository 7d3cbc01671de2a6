"""Collision-free labels for the static maps: greedy placement by priority.

Labels are placed in the order they are offered (callers offer the most important first:
changed areas, then towns by population, then orientation towns and the river). Each label
is measured once; candidate positions around its anchor are tried in a fixed order and the
first whose box stays inside the map and clear of every box placed or blocked so far is
kept. A label with no free position is dropped (its figures are in the side panel and the
tables), never drawn over another.
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
from ..rounding import people_short
from .image_geometry import project, river_anchors
from .image_words import RIVER, place, round_km2

TOWN_LABELS = 8
"""How many of the largest towns changing hands are offered a label (by population)."""
ORIENTATION_MIN_POP = 150_000
"""Other towns of at least this size inside the frame are offered a label for orientation."""

# (dx, dy) in units of (half label width + gap, half label height + gap) from the anchor.
AROUND = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
CENTRED = ((0, 0), (0, 1.2), (0, -1.2), (1.1, 0), (-1.1, 0), *AROUND[4:])


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in display pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

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
    """Places text on one matplotlib axes so that no two labels (or blocked areas) overlap."""

    def __init__(self, ax, gap_px: float = 4.0):
        self.ax = ax
        self.fig = ax.figure
        self.renderer = self.fig.canvas.get_renderer()
        b = ax.bbox
        self.area = Box(b.x0 + 2, b.y0 + 2, b.x1 - 2, b.y1 - 2)
        self.gap = gap_px
        self.taken: list[Box] = []
        self.placed: list = []  # the Text artists kept, in placement order

    def block(self, box: Box) -> None:
        """Keep labels off an area (a marker, the scale bar)."""
        self.taken.append(box)

    def block_point(self, x: float, y: float, radius_px: float) -> None:
        """Keep labels off a marker drawn at data point (x, y)."""
        px, py = self.ax.transData.transform((x, y))
        r = radius_px
        self.block(Box(px - r, py - r, px + r, py + r))

    def free(self, box: Box) -> bool:
        return box.inside(self.area) and not any(box.overlaps(t) for t in self.taken)

    def place(
        self,
        x: float,
        y: float,
        text: str,
        *,
        clearance_px: float = 0.0,
        centred: bool = False,
        rings: tuple[float, ...] = (1.0,),
        **style,
    ):
        """Put ``text`` next to data point (x, y) (or on it, ``centred``); None if no room.

        ``clearance_px`` is the radius of the marker the label must not cover; ``rings``
        tries the positions around the anchor again at larger distances.
        """
        halo = style.pop("bbox", None)  # given once placed: a label dropped needs none
        t = self.ax.text(
            x, y, text, ha="center", va="center", parse_math=False, clip_on=False, **style
        )
        bb = t.get_window_extent(self.renderer)  # (of the text alone, with a halo or not)
        w, h = bb.width, bb.height
        px, py = self.ax.transData.transform((x, y))
        hx, hy = w / 2 + self.gap + clearance_px, h / 2 + self.gap + clearance_px
        candidates = [(k * dx, k * dy) for k in rings for dx, dy in AROUND]
        if centred:
            candidates = [*CENTRED, *candidates]
        for dx, dy in candidates:
            cx, cy = px + dx * hx, py + dy * hy
            box = Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if self.free(box):
                pad = self.gap / 2
                self.taken.append(Box(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad))
                t.set_position(self.ax.transData.inverted().transform((cx, cy)))
                if halo is not None:
                    t.set_bbox(halo)
                self.placed.append(t)
                return t
        t.remove()
        return None


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

    towns = [t for t in entry.towns]
    txy = project([(t.lon, t.lat) for t in towns])
    shown = [(t, x, y) for t, (x, y) in zip(towns, txy, strict=True) if inside(x, y)]
    changed_ids = {t.geonameid for t in towns}
    others = [(s, x, y) for s, x, y in _large_towns() if s.geonameid not in changed_ids]
    others = [(s, x, y) for s, x, y in others if inside(x, y)][:10]
    if shown:
        ax.scatter(
            [x for _, x, _ in shown],
            [y for _, _, y in shown],
            s=[(2 * _marker_px(t.population) * 72 / ax.figure.dpi) ** 2 for t, _, _ in shown],
            c="white",  # the land under it already shows the new status
            edgecolors="#111111",
            linewidths=1.2,
            zorder=7,
        )
        for t, x, y in shown:
            placer.block_point(x, y, _marker_px(t.population))
    if others:
        ax.scatter(
            [x for _, x, _ in others],
            [y for _, _, y in others],
            s=16,
            c="#333333",
            edgecolors="white",
            linewidths=0.8,
            zorder=6,
        )
        for _, x, y in others:
            placer.block_point(x, y, 2.5)
    # 1. the largest towns changing hands, by population (fixed points come first)
    for t, x, y in shown[:TOWN_LABELS]:
        placer.place(
            x,
            y,
            place(t.name),
            clearance_px=_marker_px(t.population),
            fontsize=9.5,
            color="#111111",
            **halo,
            zorder=10,
        )
    # 2. changed areas (free to move around their area): where, from -> to, km² and people
    scale = ax.bbox.width / (box[2] - box[0])  # px per metre
    for x, y, (w, h), text in _changed_areas(entry, partition, colours):
        if not inside(x, y):
            continue
        big = w * scale > 170 and h * scale > 45
        placer.place(
            x,
            y,
            text,
            centred=big,
            rings=(1.0, 2.0, 3.0),
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


def _changed_areas(entry: ScenarioEntry, partition: Partition, colours) -> list[tuple]:
    """(x, y, reach in px, text) for each (oblast, from, to) that changes hands, largest first.

    The anchor is the pole of inaccessibility of the largest part; figures are the run's
    own (summed over recognition), rounded for reading.
    """
    figures: dict[tuple, list[float]] = {}
    names = {}
    for t in entry.transfers:
        key = (t.oblast, t.from_, t.to)
        f = figures.setdefault(key, [0.0, 0.0, 0.0, 0.0])
        f[0] += t.km2
        f[1] += t.people
        f[2] += t.people_low  # summed ends bound the range of the sum
        f[3] += t.people_high
        names[t.oblast] = t.oblast_name or t.oblast
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
        out.append((point.x, point.y, (x1 - x0, y1 - y0), text))
    return out
