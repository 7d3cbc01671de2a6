"""The timeline: every scenario on every dated baseline of the DeepState archive, fast.

A scenario's outcome at a point depends only on static things (oblast, split, near,
polygon, ``held_in`` selectors) and on what the baseline says there: its holder
(``held_by``) and, for ``band`` selectors, whether the point lies within the band's reach
of that day's line of contact. So each scenario is applied once, symbolically, to
synthetic baselines (all-Ukrainian, all-Russian; × inside/outside each band), giving
static *cells*. The cells of all scenarios are refined into common static *atoms*. For a
day with Russian-held territory R, every figure is then a sum over atoms of
area(atom ∩ R) and of the settlement weights inside it — measured once per day for all
scenarios, in one vectorised pass, and updated from the day before where the map did not
change. Only atoms where a band matters get the (local) line of contact of the day.

People follow ``metrics``: every weighted point of the population model (town footprint
points, rural points) counts where it lies; so every figure equals what ``modeller run``
gives for that baseline (``tests/test_timeline.py`` checks it). The timeline reports the
central population estimate (no ranges).

The plan (scenarios, cells, atoms, tiles) is ``timeline_plan``'s; this module measures the
days.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date

import numpy as np
import shapely

from .archive import Snapshot
from .partition import BaselineInfo
from .timeline_bands import Bands
from .timeline_day import STATUSES, Day, Geometry, fork, points_in, tile_areas
from .timeline_read import Claim, Handoff, Reader
from .timeline_sides import Sides

# --- per day: the Russian-held part of every atom ---------------------------------------


@dataclass(frozen=True)
class Measures:
    """Per date: km² and settlement weight of each (class, atom), flattened class-major."""

    dates: tuple[Date, ...]
    infos: tuple[BaselineInfo, ...]
    km2: np.ndarray  # (n_dates, n_classes * n_atoms)
    weight: np.ndarray  # same shape: Σ k_o · pop of settlements there
    seconds: tuple = ()  # CPU seconds per stage: (stage, seconds), for the benchmark


AHEAD = 1000  # days a worker may read while the plan is being made (~60 KB each)
_tick: Callable[[], None] | None = None  # called after each day measured (progress)
_ends = None  # in a worker: the shared segment ends claimed days come from (share_ends)


def on_each_day(tick: Callable[[], None] | None) -> None:
    """Have ``measure`` call ``tick`` after each day (in this process; None: nothing)."""
    global _tick
    _tick = tick


def share_ends(ends) -> None:
    """In a worker process: the shared array of segment ends that ``measure``'s claimed
    days come from (``timeline_read.Claim``)."""
    global _ends
    _ends = ends


def measure(
    geom: Geometry | Handoff, snapshots: list[Snapshot], end: tuple[int, bool] | None = None
) -> Measures | None:
    """Figures of every (class, atom) for each snapshot, in date order (consecutive reuse).

    ``geom`` may be a ``Handoff`` of the plan still being made: the first days are read
    meanwhile. None when that plan never comes (it failed, or its process has gone).
    ``end``: (slot, backward): only the days claimed from one end of the segment
    ``snapshots``, shared with another worker (``share_ends``, ``Claim``); measured from
    its last day back when ``backward``, returned in date order all the same.
    """
    snapshots = sorted(snapshots, key=lambda s: s.day)
    clock = _Clock()
    backward = end is not None and end[1]
    days = Reader(snapshots if end is None else Claim(snapshots, _ends, *end), clock)
    if isinstance(geom, Handoff):
        while not geom.ready() and len(days.done) < AHEAD and days.ahead():
            pass
        geom = geom.take()
        clock.lap("read")
        if geom is None:
            return None
    rows = len(snapshots) if end is None else len(snapshots) // 2 + 1  # (a claim: grows)
    km2 = np.zeros((rows, geom.n_classes * len(geom.atoms)))
    weight = np.zeros_like(km2)
    walk = _Walk(geom)
    infos, read = [], []
    for t, day in enumerate(days):
        if t == len(km2):  # a claim took more than half its segment
            km2, weight = _grown(km2), _grown(weight)
        # a day aside (see Reader) is measured on a copy: the next day goes on from this
        on = fork(walk, STATE) if day.aside else walk
        held = on.day(day, t, km2, weight, clock)
        infos.append(days.outline.info(day, held))
        read.append(day.snap.day)
        if _tick is not None:
            _tick()
    n = len(infos)
    order = slice(n - 1, None, -1) if backward and n else slice(0, n)
    dates = tuple(read)[order]
    seconds = tuple(clock.seconds.items())
    if backward or n < len(km2):  # (not a view that keeps the unused rows)
        km2, weight = km2[order].copy(), weight[order].copy()
    return Measures(dates, tuple(infos)[order], km2, weight, seconds)


class _Walk:
    """What measuring a day leaves for the next: the tiles' and settlements' state
    (``Day``), the bands', the sides' check, each settlement's column (class × atom) and
    the row of the day it is the state after (``last``)."""

    def __init__(self, geom: Geometry) -> None:
        self.geom = geom
        self.tree = shapely.STRtree(geom.tiles)
        n_atoms, per = len(geom.atoms), 2 ** len(geom.bands)
        self.russia = STATUSES.index("russia") * per * n_atoms
        self.ukraine = STATUSES.index("ukraine") * per * n_atoms
        # a point's column (class × atom) when outside every band; bands add bits × n_atoms
        self.in_russia = self.russia + geom.settlement_atom
        self.in_ukraine = self.ukraine + geom.settlement_atom
        self.state = Day()
        self.bands = Bands(geom) if len(geom.support) else None
        self.sides = Sides(geom) if geom.bands else None  # run refuses a band covering its side
        self.base: np.ndarray | None = None  # each point's column outside every band today
        self.column: np.ndarray | None = None  # … with its bands' bits (bits × n_atoms)
        self.bits: np.ndarray | None = None
        self.last: int | None = None

    def day(self, day, t: int, km2: np.ndarray, weight: np.ndarray, clock) -> float:
        """Measure ``day`` (a ``Read``) into row ``t`` of ``km2`` and ``weight``, from the
        state after the day before; the Russian-held km² in the units."""
        geom, state, bands = self.geom, self.state, self.bands
        n_atoms = len(geom.atoms)
        land = day.land
        held = np.bincount(
            geom.tile_atom, weights=tile_areas(geom, land, state, self.tree), minlength=n_atoms
        )
        km2[t, self.russia : self.russia + n_atoms] = held
        km2[t, self.ukraine : self.ukraine + n_atoms] = geom.atom_km2 - held
        clock.lap("clip")
        inside = points_in(geom, land, state)
        if self.sides is not None:
            self.sides.check(land, inside, day.snap)
        clock.lap("towns")
        if bands is not None:
            bands.update(land, state.tile_in, state.changed, state.dirty, inside, clock.lap)
            bands.fill(km2[t])
        clock.lap("bands")
        in_russia, in_ukraine = self.in_russia, self.in_ukraine
        moved = state.point_moved
        if moved is None or self.base is None:
            self.base = np.where(inside, in_russia, in_ukraine)
        else:
            self.base[moved] = np.where(inside[moved], in_russia[moved], in_ukraine[moved])
        bits = bands.bits() if bands is not None else None
        last = self.last
        same_bits = bits is None or (last is not None and np.array_equal(bits, self.bits))
        if last is not None and moved is not None and not len(moved) and same_bits:
            weight[t] = weight[last]  # no point moved: the same sums
        else:
            column = self.base.copy()
            if bits is not None:
                column[bands.points] += bits * n_atoms
            if last is not None and np.array_equal(column, self.column):
                weight[t] = weight[last]
            else:
                weight[t] = np.bincount(
                    column, weights=geom.settlement_weight, minlength=km2.shape[1]
                )
            self.column = column
        self.bits, self.last = bits, t
        clock.lap("towns")
        return float(held.sum())


STATE = (_Walk, Day, Bands, Sides)  # what measuring keeps between days (``fork`` copies)


def _grown(a: np.ndarray) -> np.ndarray:
    """``a`` with as many rows again (zeros)."""
    return np.concatenate([a, np.zeros_like(a)])


def merge(parts: list[Measures]) -> Measures:
    """Several ``Measures`` of one plan (distinct dates) as one, in date order."""
    dates = [d for m in parts for d in m.dates]
    order = np.argsort(np.array(dates, dtype="datetime64[D]"), kind="stable")
    infos = [i for m in parts for i in m.infos]
    seconds: dict[str, float] = {}
    for m in parts:
        for stage, value in m.seconds:
            seconds[stage] = seconds.get(stage, 0.0) + value
    return Measures(
        tuple(dates[i] for i in order),
        tuple(infos[i] for i in order),
        np.concatenate([m.km2 for m in parts])[order],
        np.concatenate([m.weight for m in parts])[order],
        tuple(seconds.items()),
    )


class _Clock:
    """CPU seconds of this process spent per stage (laps of ``time.process_time``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.last = time.process_time()

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now
