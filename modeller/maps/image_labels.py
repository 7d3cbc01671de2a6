"""Collision-free labels for the static maps: greedy placement by priority.

Labels are placed in the order they are offered (callers offer the most important first:
changed areas, then towns by population, then orientation towns and the river). Each label
is measured once; candidate positions around its anchor are tried in a fixed order and the
first whose box stays inside the map and clear of every box placed or blocked so far is
kept. A label with no free position is dropped (its figures are in the side panel and the
tables), never drawn over another.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        t = self.ax.text(
            x, y, text, ha="center", va="center", parse_math=False, clip_on=False, **style
        )
        bb = t.get_window_extent(self.renderer)
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
                self.placed.append(t)
                return t
        t.remove()
        return None
