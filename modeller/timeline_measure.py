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
from .timeline_day import STATUSES, Day, Geometry, points_in, tile_areas
from .timeline_read import Handoff, Reader
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


def on_each_day(tick: Callable[[], None] | None) -> None:
    """Have ``measure`` call ``tick`` after each day (in this process; None: nothing)."""
    global _tick
    _tick = tick


def measure(geom: Geometry | Handoff, snapshots: list[Snapshot]) -> Measures | None:
    """Figures of every (class, atom) for each snapshot, in date order (consecutive reuse).

    ``geom`` may be a ``Handoff`` of the plan still being made: the first days are read
    meanwhile. None when that plan never comes (it failed, or its process has gone).
    """
    snapshots = sorted(snapshots, key=lambda s: s.day)
    clock = _Clock()
    days = Reader(snapshots, clock)
    if isinstance(geom, Handoff):
        while not geom.ready() and len(days.done) < AHEAD and days.ahead():
            pass
        geom = geom.take()
        clock.lap("read")
        if geom is None:
            return None
    n_atoms = len(geom.atoms)
    per = 2 ** len(geom.bands)
    tree = shapely.STRtree(geom.tiles)
    state = Day()
    km2 = np.zeros((len(snapshots), geom.n_classes * n_atoms))
    weight = np.zeros_like(km2)
    russia = STATUSES.index("russia") * per * n_atoms
    ukraine = STATUSES.index("ukraine") * per * n_atoms
    bands = Bands(geom) if len(geom.support) else None
    sides = Sides(geom) if geom.bands else None  # run refuses a band covering its side
    infos = []
    last_column = last_bits = None
    # a point's column (class × atom) when outside every band; bands add bits × n_atoms
    in_russia, in_ukraine = russia + geom.settlement_atom, ukraine + geom.settlement_atom
    for t, day in enumerate(days):
        land = day.land
        held = np.bincount(
            geom.tile_atom, weights=tile_areas(geom, land, state, tree), minlength=n_atoms
        )
        infos.append(days.outline.info(day, float(held.sum())))
        km2[t, russia : russia + n_atoms] = held
        km2[t, ukraine : ukraine + n_atoms] = geom.atom_km2 - held
        clock.lap("clip")
        inside = points_in(geom, land, state)
        if sides is not None:
            sides.check(land, inside, day.snap)
        clock.lap("towns")
        if bands is not None:
            bands.update(land, state.tile_in, state.changed, state.dirty, inside, clock.lap)
            bands.fill(km2[t])
        clock.lap("bands")
        moved = state.point_moved
        if moved is None:
            base = np.where(inside, in_russia, in_ukraine)
        else:
            base[moved] = np.where(inside[moved], in_russia[moved], in_ukraine[moved])
        bits = bands.bits() if bands is not None else None
        same_bits = bits is None or (t > 0 and np.array_equal(bits, last_bits))
        if t and moved is not None and not len(moved) and same_bits:
            weight[t] = weight[t - 1]  # no point moved: the same sums
        else:
            column = base.copy()
            if bits is not None:
                column[bands.points] += bits * n_atoms
            if t and np.array_equal(column, last_column):
                weight[t] = weight[t - 1]
            else:
                weight[t] = np.bincount(
                    column, weights=geom.settlement_weight, minlength=km2.shape[1]
                )
            last_column = column
        last_bits = bits
        clock.lap("towns")
        if _tick is not None:
            _tick()
    dates = tuple(s.day for s in snapshots)
    return Measures(dates, tuple(infos), km2, weight, tuple(clock.seconds.items()))


class _Clock:
    """CPU seconds of this process spent per stage (laps of ``time.process_time``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.last = time.process_time()

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now
