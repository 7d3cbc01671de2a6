"""The days of a timeline chunk as read: each day's DeepState layer, its boundary segments
changed since the day before and its outline strips (``Reader``, which needs no plan and
so runs ahead of it), and the plan handed to workers started before it was made
(``Handoff``)."""

from __future__ import annotations

import os
import pickle
import time
from collections import deque
from dataclasses import dataclass, replace

import numpy as np
import shapely

from . import geodata, reconcile, settings
from .archive import Snapshot
from .control import NO_GREY_ZONE
from .partition import BaselineInfo
from .timeline_day import Geometry, Land, boundary_segments, changed_since, fork, key_order
from .timeline_pockets import Pockets, Strips


def _edges_changed(old, new) -> np.ndarray:
    """Boundary segments in one of two territories and not the other (None: empty)."""
    if old is None or new is None:
        return boundary_segments(new if old is None else old)[1]
    return changed_since(*boundary_segments(new), *boundary_segments(old))


class Outline:
    """The outline-reconciliation layer of consecutive days (``reconcile``).

    The strips that reconciliation adds depend only on the Russian-held land within the
    outline zone, which changes rarely; a day reuses the strips of the day before when
    none of DeepState's changed boundary segments lies in the zone, and otherwise cuts
    again only the zone's cells they reach (``timeline_pockets.Strips``). The day's territory is
    then ``R ∪ strips`` grown by 1 m, as ``baselines.from_deepstate`` builds it for ``run``
    (kept as its two layers, see ``Land``). Recomputed strips equal to yesterday's (same
    WKB) keep their per-unit figures and their growth.
    """

    def __init__(self) -> None:
        self.on = settings.reconcile()
        self.zone = reconcile.outline_zone() if self.on else None
        self.cells = Strips() if self.on else None
        self.strips = None
        self.wkb = b""
        self.grown = None
        self.moved: tuple = ()
        self.strips_km2 = 0.0

    def land(self, raw, changed: np.ndarray | None) -> Land:
        """The day's Russian-held territory from DeepState's layer and the segments of it
        that changed since yesterday (None: the first day)."""
        if not self.on:
            return Land(raw, None, changed)
        grown = self.grown
        if self.strips is None or self._changed_in_zone(changed):
            strips = self.cells.day(raw, None if self.strips is None else changed)
            wkb = shapely.to_wkb(strips)
            # most changes in the zone leave the strips as they were: keep their figures
            if self.strips is None or wkb != self.wkb:
                self.strips, self.wkb = strips, wkb
                self.moved = reconcile.moved_by_oblast(strips)
                self.strips_km2 = float(geodata.area_km2(strips))
                # = reconcile.with_strips(raw, strips) less the union, kept across days
                self.grown = None if strips.is_empty else reconcile.grown(strips)
                if self.grown is not None:
                    shapely.prepare(self.grown)
        if changed is not None and self.grown is not grown:  # the growth's edges changed too
            changed = np.vstack([changed, _edges_changed(grown, self.grown)])
        return Land(raw, self.grown, changed)

    def figures(self) -> tuple:
        """The current strips' km² moved per unit and their km² (what ``info`` needs)."""
        return self.moved, self.strips_km2

    def _changed_in_zone(self, xy: np.ndarray | None) -> bool:
        if xy is None or not len(xy):
            return xy is None
        lines = shapely.linestrings(xy.reshape(-1, 2, 2))
        return bool(shapely.intersects(self.zone.reach, lines).any())

    def info(self, day: Read, held_km2: float) -> BaselineInfo:
        """The day's baseline provenance, as ``run`` gives it: km² moved per unit, the
        DeepState area outside the units (from the tiles: held = R ∩ units + strips) and
        the land cut off behind Russian lines."""
        snap, raw_km2 = day.snap, day.raw_km2
        moved, strips_km2 = day.strips
        inside = held_km2 - (strips_km2 if self.on else 0.0)
        return replace(
            snap.info,
            reconciled=moved if self.on else None,
            outside_km2=max(0.0, raw_km2 - inside),
            grey_zone=NO_GREY_ZONE,
            cut_off=day.cut_off,
        )


@dataclass(frozen=True)
class Read:
    """One day as read, before any tile: its snapshot, DeepState's km², its Russian-held
    land (with the segments changed since the day before) and its strips' figures."""

    snap: Snapshot
    raw_km2: float
    land: Land
    strips: tuple  # Outline.figures() of the day
    cut_off: tuple  # km² per unit cut off behind Russian lines (``reconcile.cut_off``)
    aside: bool = False  # measured on a copy of the state, left behind (``Reader``)


@dataclass(frozen=True)
class _Layer:
    """A day's DeepState layer as loaded: prepared, with its boundary segments (and their
    key order) and its km²."""

    snap: Snapshot
    raw: object
    segments: tuple
    order: tuple
    km2: float


class Claim:
    """The days of one segment shared by two workers, one taking them from its first day
    on, the other from its last day back, until they meet: neither waits while the other
    finishes costlier days, and the segment starts from scratch only twice.

    ``ends`` is a shared array (``multiprocessing.Array``, "q") of (next first, next last)
    index per segment; ``slot`` this segment's. A reader (``Reader``) takes one day at a
    time (``take``), under the array's lock.
    """

    def __init__(self, days: list[Snapshot], ends, slot: int, backward: bool) -> None:
        self.days, self.ends, self.slot, self.backward = days, ends, slot, backward

    def take(self) -> Snapshot | None:
        """The next day from this worker's end (None: the two have met)."""
        lo, hi = 2 * self.slot, 2 * self.slot + 1
        with self.ends.get_lock():
            first, last = self.ends[lo], self.ends[hi]
            if first > last:
                return None
            if self.backward:
                self.ends[hi] = last - 1
                return self.days[last]
            self.ends[lo] = first + 1
            return self.days[first]


REDRAWN = 0.5  # a day changing more than this share of its boundary segments is aside …
UNDONE = 0.25  # … when the day after changes fewer than this share of that from the day before


class Reader:
    """The days of a chunk in date order (or from a ``Claim``: from one end of a segment),
    read (``Snapshot.territory``), cut into boundary segments, compared with the day read
    before, and given their outline strips: all that needs no plan, so it can run ahead of
    it (``ahead``) while the plan is being made. Whichever way the days go, each is
    compared with the one read before it: the changes between two days are the same read
    either way.

    A day that redraws most of the map while the day after it is much as the day before
    (DeepState's export rounded half the vertices to 6 decimals on 2024-09-14 and back the
    day after, 4 times in the archive) is measured *aside*: on a copy of the state that the
    days after do not continue from (``fork``), the day after being compared with the day
    before it. Otherwise both changes would be measured over the whole map (~70 ms each,
    against ~10 ms for a day).

    ``clock`` (a ``lap(stage)`` object) gets the time as "read", "outline" and "pockets".
    """

    def __init__(self, snapshots: list[Snapshot] | Claim, clock) -> None:
        if isinstance(snapshots, Claim):
            self.take = snapshots.take
        else:
            todo = deque(snapshots)
            self.take = lambda: todo.popleft() if todo else None
        self.done: deque[Read] = deque()
        self.clock = clock
        self.outline = Outline()
        self.pockets = Pockets() if self.outline.on else None  # (as run: with the rule)
        self.raw = None  # the layer of the day measured last (not aside) …
        self.segments: tuple | None = None  # … its boundary segments …
        self.order: tuple | None = None  # … and their key order (key_order)
        self.loaded: _Layer | None = None  # the layer loaded last
        self.next: _Layer | None = None  # a day loaded ahead of its turn

    def ahead(self) -> bool:
        """Read one more day into the queue (two: a day aside, then the day after it);
        False when there is none left."""
        layer = self.next if self.next is not None else self._load(self.take())
        self.next = None
        if layer is None:
            return False
        changed = self._changes(layer)
        if changed is not None and len(changed) > REDRAWN * len(layer.segments[1]):
            after = self._load(self.take())
            back = None if after is None else self._changes(after)  # from the day before
            if back is not None and len(back) < UNDONE * len(changed):
                self._measure(layer, changed, aside=True)
                layer, changed = after, back
            else:
                self.next = after
        self._measure(layer, changed)
        return True

    def _load(self, snap: Snapshot | None) -> _Layer | None:
        """A day's layer, prepared, and its boundary segments (None: no day)."""
        if snap is None:
            return None
        raw = snap.territory()
        self.clock.lap("read")
        last = self.loaded
        if last is not None and raw is last.raw:  # the file held the same map (geojson._LAST)
            layer = replace(last, snap=snap)
        else:
            shapely.prepare(raw)
            segments = boundary_segments(raw)
            order = key_order(segments[0])
            layer = _Layer(snap, raw, segments, order, float(geodata.area_km2(raw)))
        self.loaded = layer
        return layer

    def _changes(self, layer: _Layer) -> np.ndarray | None:
        """The boundary segments changed from the day measured last to ``layer``'s (None:
        none was measured)."""
        if self.segments is None:
            return None
        if layer.raw is self.raw:
            return self.segments[1][:0]
        return changed_since(*layer.segments, *self.segments, (layer.order, self.order))

    def _measure(self, layer: _Layer, changed: np.ndarray | None, aside: bool = False) -> None:
        """Give a day its outline strips and pockets, and queue it (an aside day's on a copy
        of their state, and it is not the day the next one is compared with)."""
        outline, pockets = self.outline, self.pockets
        if aside:
            outline, pockets = fork((outline, pockets), STATE)
        else:
            self.raw, self.segments, self.order = layer.raw, layer.segments, layer.order
        land = outline.land(layer.raw, changed)
        self.clock.lap("outline")
        cut = pockets.day(land) if pockets is not None else ()
        self.done.append(Read(layer.snap, layer.km2, land, outline.figures(), cut, aside))
        self.clock.lap("pockets")

    def __iter__(self):
        while self.done or self.ahead():
            yield self.done.popleft()


STATE = (Outline, Strips, Pockets)  # what a reader keeps between days (``fork`` copies)


class Handoff:
    """The plan's geometry for worker processes started before it was made (so that they
    read their first days meanwhile): one pickle file, written once by the process making
    the plan (``give``: None when it failed) and read once per worker (``take``)."""

    POLL_S = 0.005
    _taken: dict[str, Geometry | None] = {}  # per worker process: path -> geometry

    def __init__(self, path: str) -> None:
        self.path = path
        self.parent = os.getpid()

    def give(self, geom: Geometry | None) -> None:
        """Hand the geometry over (atomically: a reader never sees half a file)."""
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(geom, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)

    def ready(self) -> bool:
        return self.path in self._taken or os.path.exists(self.path)

    def take(self) -> Geometry | None:
        """The geometry, once given (None: no plan; or the parent process has gone)."""
        if self.path not in self._taken:
            while not os.path.exists(self.path):
                # the parent has gone, or its folder has: the plan failed and it moved on
                if os.getppid() != self.parent or not os.path.isdir(os.path.dirname(self.path)):
                    return None
                time.sleep(self.POLL_S)
            try:
                with open(self.path, "rb") as fh:
                    self._taken[self.path] = pickle.load(fh)
            except FileNotFoundError:  # the plan failed and its folder is gone already
                return None
        return self._taken[self.path]
