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
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date as Date
from itertools import product

import numpy as np
import shapely
from pydantic import BaseModel

from . import baselines, engine, fast, geodata, metrics, population, reconcile, settings
from .archive import Snapshot
from .control import NO_GREY_ZONE
from .errors import InputError
from .partition import BaselineInfo, Partition, Piece, merge_pieces, polygonal
from .scenario import Band, Scenario

STATUSES = ("russia", "ukraine")  # what a DeepState baseline holds: R and the rest
SLIVER_M2 = 1.0  # atoms smaller than this (overlay noise) are dropped
TILE_M = 25_000.0  # atoms are cut into tiles of this size so that a day's change is local
MAX_BANDS = 4
CHUNK = 16  # vertices per run of the contact line buffered on its own (see _zones)
REACH_M = 2000.0  # beyond a band's depth: a change this far away cannot alter a zone here
NEAR_M = 2.0  # a changed boundary segment this close to a tile makes it dirty
SYNTHETIC = BaselineInfo("synthetic", None, "timeline symbolic evaluation", "")


# --- the plan: static cells and atoms --------------------------------------------------


@dataclass(frozen=True)
class ScenarioPlan:
    """One scenario's keys (oblast, before, after, attrs) and their atoms per class."""

    scenario: Scenario
    keys: tuple[tuple, ...]
    matrix: np.ndarray  # (n_keys, n_classes * n_atoms) 0/1


@dataclass(frozen=True)
class Geometry:
    """What the per-day measurement needs (picklable; shipped to workers once)."""

    atoms: tuple  # working-CRS polygons
    atom_oblast: np.ndarray  # oblast code per atom
    atom_km2: np.ndarray
    tiles: np.ndarray  # working-CRS polygons: atoms cut into squares
    tile_atom: np.ndarray  # atom index per tile
    tile_km2: np.ndarray
    bands: tuple[Band, ...]  # distinct band selectors; classes = status × membership
    support: np.ndarray  # indices of atoms where band membership can change an outcome
    settlement_atom: np.ndarray  # atom index per population point
    settlement_weight: np.ndarray  # people per population point (central model)
    point_xy: np.ndarray  # (n, 2) working-CRS population points
    point_tile: np.ndarray  # a tile each point lies in (-1: none): its side changes with it
    ukraine: object  # union of the units (for the local line of contact)

    @property
    def n_classes(self) -> int:
        return len(STATUSES) * 2 ** len(self.bands)


@dataclass(frozen=True)
class Plan:
    geometry: Geometry
    scenarios: tuple[ScenarioPlan, ...]
    oblasts: tuple[str, ...]
    remainder_per_km2: np.ndarray  # per atom: people per km² not carried by points (0)


def class_index(status: str, inside: tuple[bool, ...]) -> int:
    """Index of the class (baseline holder, inside each band?)."""
    bits = sum(1 << i for i, flag in enumerate(inside) if flag)
    return STATUSES.index(status) * (2 ** len(inside)) + bits


def _bands(obj, found: list) -> list:
    """Every distinct band selector anywhere in a scenario model (steps or phases)."""
    if isinstance(obj, Band):
        if obj not in found:
            found.append(obj)
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _bands(getattr(obj, name), found)
    elif isinstance(obj, list | tuple):
        for item in obj:
            _bands(item, found)
    return found


def _synthetic(status: str) -> Partition:
    """A baseline where ``status`` holds every unit (the symbolic stand-in for a day)."""
    data = geodata.load()
    pieces = [Piece(code, status, status, g) for code, g in data.geometry.items()]
    return Partition(merge_pieces(pieces), SYNTHETIC)


def _evaluate(scenario: Scenario, bands: tuple[Band, ...]) -> list[tuple[int, Piece]]:
    """The scenario's pieces on every synthetic class: (class index, piece).

    Only the scenario's own bands are varied; its pieces stand for every class that
    agrees on those bands.
    """
    data = geodata.load()
    whole = dict.fromkeys(data.codes, engine.WHOLE)
    own = [i for i, b in enumerate(bands) if b in _bands(scenario, [])]
    out = []
    for status in STATUSES:
        base = _synthetic(status)
        for flags in product((False, True), repeat=len(own)):
            regions = {
                bands[i]: (whole if flag and bands[i].side in ("both", status) else {})
                for i, flag in zip(own, flags, strict=True)
            }
            applied = fast.apply(
                base, scenario, bands=regions or None, load=baselines.load_baseline
            )
            for inside in product((False, True), repeat=len(bands)):
                if all(inside[i] == flag for i, flag in zip(own, flags, strict=True)):
                    k = class_index(status, inside)
                    out += [(k, p) for p in applied.pieces]
    return out


def _refine(oblast, geoms: list) -> list[tuple[object, frozenset]]:
    """Common refinement of an oblast by the given cell geometries: (atom, inside which)."""
    atoms = [(oblast, frozenset())]
    for j, g in enumerate(geoms):
        nxt = []
        for geom, inside in atoms:
            if not shapely.intersects(geom, g):
                nxt.append((geom, inside))
                continue
            cut_in = polygonal(shapely.intersection(geom, g))
            cut_out = polygonal(shapely.difference(geom, g))
            if shapely.area(cut_in) > SLIVER_M2:
                nxt.append((cut_in, inside | {j}))
            if shapely.area(cut_out) > SLIVER_M2:
                nxt.append((cut_out, inside))
        atoms = nxt
    return atoms


def _tiles(atoms: list) -> tuple[list, list]:
    """Atoms cut by a square grid: (tile geometry, atom index)."""
    tiles, owner = [], []
    for i, atom in enumerate(atoms):
        minx, miny, maxx, maxy = atom.bounds
        xs = np.arange(np.floor(minx / TILE_M) * TILE_M, maxx, TILE_M)
        ys = np.arange(np.floor(miny / TILE_M) * TILE_M, maxy, TILE_M)
        boxes = shapely.box(*np.meshgrid(xs, ys), *np.meshgrid(xs + TILE_M, ys + TILE_M))
        boxes = boxes.ravel()
        boxes = boxes[shapely.intersects(atom, boxes)]
        parts = shapely.intersection(atom, boxes)
        for part in parts:
            part = polygonal(part)
            if shapely.area(part) > SLIVER_M2:
                tiles.append(part)
                owner.append(i)
    return tiles, owner


def _evaluate_star(args: tuple) -> list[tuple[int, Piece]]:
    return _evaluate(*args)


def make_plan(scenarios: list[Scenario], pmap=map) -> Plan:
    """Evaluate every scenario symbolically (``pmap`` may spread them over processes) and
    refine the cells into shared atoms."""
    data = geodata.load()
    bands: list[Band] = []
    for sc in scenarios:
        _bands(sc, bands)
    if len(bands) > MAX_BANDS:
        raise InputError(
            f"the scenarios use {len(bands)} different bands; the timeline handles at most "
            f"{MAX_BANDS} (give bands the same depth and side where you can)"
        )
    bands_t = tuple(bands)
    evaluated = list(pmap(_evaluate_star, [(sc, bands_t) for sc in scenarios]))

    # distinct cell geometries per oblast (whole-oblast cells need no refinement); the
    # same coordinates give the same WKB, so most comparisons are dictionary look-ups
    distinct: dict[str, list] = {code: [] for code in data.codes}
    known: dict[tuple[str, bytes], int | None] = {
        (code, shapely.to_wkb(g)): None for code, g in data.geometry.items()
    }
    geom_id: dict[int, tuple[str, int | None]] = {}
    for pieces in evaluated:
        for _, p in pieces:
            if id(p.geometry) in geom_id:
                continue
            key = (p.oblast, shapely.to_wkb(p.geometry))
            if key not in known:
                candidates = [data.geometry[p.oblast], *distinct[p.oblast]]
                same = next(
                    (j for j, g in enumerate(candidates) if _same(g, p.geometry)), len(candidates)
                )
                if same == len(candidates):
                    distinct[p.oblast].append(p.geometry)
                known[key] = None if same == 0 else same - 1
            geom_id[id(p.geometry)] = (p.oblast, known[key])

    atoms, atom_oblast, atom_inside = [], [], []
    first_atom: dict[str, int] = {}
    for code in data.codes:
        first_atom[code] = len(atoms)
        for geom, inside in _refine(data.geometry[code], distinct[code]):
            atoms.append(geom)
            atom_oblast.append(code)
            atom_inside.append(inside)
    n_atoms = len(atoms)
    atom_oblast_a = np.array(atom_oblast)

    def members(p: Piece) -> tuple[int, ...]:
        code, j = geom_id[id(p.geometry)]
        rng = range(first_atom[code], first_atom[code] + int((atom_oblast_a == code).sum()))
        return tuple(i for i in rng if j is None or j in atom_inside[i])

    n_classes = len(STATUSES) * 2 ** len(bands_t)
    plans, support = [], set()
    for sc, pieces in zip(scenarios, evaluated, strict=True):
        keys: dict[tuple, list[int]] = {}
        outcome: dict[tuple[int, int], tuple] = {}  # (class, atom) -> (after, attrs)
        for klass, p in pieces:
            status = STATUSES[klass // 2 ** len(bands_t)]
            key = (p.oblast, status, p.after, p.attrs)
            cols = keys.setdefault(key, [])
            for a in members(p):
                cols.append(klass * n_atoms + a)
                outcome[(klass, a)] = (p.after, p.attrs)
        # atoms whose outcome depends on band membership need the day's bands
        per = 2 ** len(bands_t)
        for a in range(n_atoms):
            for s in range(len(STATUSES)):
                seen = {outcome.get((s * per + b, a)) for b in range(per)}
                if len(seen) > 1:
                    support.add(a)
        ordered = sorted(keys)
        matrix = np.zeros((len(ordered), n_classes * n_atoms))
        for r, key in enumerate(ordered):
            matrix[r, keys[key]] = 1.0
        plans.append(ScenarioPlan(sc, tuple(ordered), matrix))

    pop = population.current()
    layout = pop.layouts[pop.central.layout]
    settlement_atom = metrics.nearest_in_oblast(
        atoms, [str(c) for c in atom_oblast_a], layout.xy, layout.groups
    )
    remainder = np.zeros(len(atom_oblast))  # every person is carried by a point
    tiles, owner = _tiles(atoms)
    tiles_a = np.array(tiles, dtype=object)
    geometry = Geometry(
        atoms=tuple(atoms),
        atom_oblast=atom_oblast_a,
        atom_km2=np.asarray(geodata.area_km2(np.array(atoms, dtype=object)), dtype=float),
        tiles=tiles_a,
        tile_atom=np.array(owner),
        tile_km2=np.asarray(geodata.area_km2(tiles_a), dtype=float),
        bands=bands_t,
        support=np.array(sorted(support), dtype=int),
        settlement_atom=settlement_atom,
        settlement_weight=pop.central.weight,
        point_xy=layout.xy,
        point_tile=_point_tiles(tiles_a, layout.xy),
        ukraine=shapely.union_all(list(data.geometry.values())),
    )
    return Plan(geometry, tuple(plans), tuple(data.codes), remainder)


def _point_tiles(tiles: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """For each point, one tile it lies in (on its edge counts), -1 when none does."""
    out = np.full(len(xy), -1)
    hit_point, hit_tile = shapely.STRtree(tiles).query(shapely.points(xy), predicate="intersects")
    out[hit_point[::-1]] = hit_tile[::-1]  # the first tile found for each point
    return out


def _same(a, b) -> bool:
    """Same region (up to vertex order): equal areas first, then GEOS equality."""
    area_a, area_b = shapely.area(a), shapely.area(b)
    return abs(area_a - area_b) <= 1e-9 * max(area_a, 1.0) and shapely.equals(a, b)


# --- per day: the Russian-held part of every atom ---------------------------------------


@dataclass(frozen=True)
class Measures:
    """Per date: km² and settlement weight of each (class, atom), flattened class-major."""

    dates: tuple[Date, ...]
    infos: tuple[BaselineInfo, ...]
    km2: np.ndarray  # (n_dates, n_classes * n_atoms)
    weight: np.ndarray  # same shape: Σ k_o · pop of settlements there
    seconds: tuple = ()  # CPU seconds per stage: (stage, seconds), for the benchmark


class _Day:
    """Yesterday's state for incremental updates: boundary segments and tile areas."""

    def __init__(self) -> None:
        self.segments: np.ndarray | None = None
        self.tile_in: np.ndarray | None = None  # km² of tile ∩ R
        self.tile_probe: np.ndarray | None = None  # points whose side must not flip
        self.changed = None  # boundary segments that changed since yesterday (lines)
        self.dirty: np.ndarray | None = None  # per tile: measured again today
        self.point_in: np.ndarray | None = None  # population points in R
        self.grown = None  # the strips' growth the next field is for
        self.grown_tiles: np.ndarray | None = None  # per tile: near the strips' growth


_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5])


@dataclass(frozen=True, eq=False)
class _Land:
    """A day's Russian-held territory R: DeepState's layer and the 1 m growth of the strips
    that outline reconciliation adds (``reconcile.with_strips``), kept apart.

    Their union is what ``run`` measures, but building it costs ~5 ms a day (the strips'
    edges run 1 m from the layer's along the whole outline) while the timeline needs R
    only where the day changed: it is built there, from both cut to a box (``near``).
    """

    raw: object  # DeepState's layer (prepared)
    grown: object | None  # the strips' growth (prepared); None: no strips
    changed: np.ndarray | None  # (n, 4) boundary segments changed since yesterday; None: all

    def covers_xy(self, xy: np.ndarray) -> np.ndarray:
        """Whether each point lies in R."""
        inside = shapely.intersects_xy(self.raw, xy[:, 0], xy[:, 1])
        if self.grown is not None:
            inside |= shapely.intersects_xy(self.grown, xy[:, 0], xy[:, 1])
        return inside

    def near(self, box) -> object:
        """R within a box (minx, miny, maxx, maxy)."""
        raw = shapely.clip_by_rect(self.raw, *box)
        if self.grown is None or not shapely.intersects(self.grown, shapely.box(*box)):
            return raw
        return shapely.union(raw, shapely.clip_by_rect(self.grown, *box))


def _segments(territory) -> tuple[np.ndarray, np.ndarray]:
    """Boundary segments as (hash, (x0, y0, x1, y1)), orientation-free, one row each.

    Hashing the coordinates' bits makes "what changed since yesterday" an integer set
    difference; a collision (odds ~1e-13 a day) could only hide one changed segment.
    """
    rings = shapely.get_rings(shapely.get_parts(territory))
    coords, index = shapely.get_coordinates(rings, return_index=True)
    same = index[1:] == index[:-1]
    seg = np.hstack([coords[:-1][same], coords[1:][same]])
    swap = (seg[:, 0] > seg[:, 2]) | ((seg[:, 0] == seg[:, 2]) & (seg[:, 1] > seg[:, 3]))
    seg[swap] = seg[swap][:, [2, 3, 0, 1]]
    bits = np.ascontiguousarray(seg).view(np.uint64) * _MIX.astype(np.uint64)
    keys = np.bitwise_xor.reduce(bits, axis=1)
    return keys, seg


def _changed(keys: np.ndarray, seg: np.ndarray, old_keys: np.ndarray, old_seg: np.ndarray):
    """Segments in one day's set and not the other's: today's new rows, then yesterday's.

    Notes
    -----
    Equal to ``seg[~np.isin(keys, old_keys)]`` and the converse, by binary search in the
    other day's sorted keys (~3x faster than ``np.isin`` on ~10^5 segments).
    """

    def absent(k: np.ndarray, other: np.ndarray) -> np.ndarray:
        ordered = np.sort(other)
        if not len(ordered):
            return np.ones(len(k), dtype=bool)
        i = np.searchsorted(ordered, k)
        i[i == len(ordered)] = 0
        return ordered[i] != k

    return np.vstack([seg[absent(keys, old_keys)], old_seg[absent(old_keys, keys)]])


def _edges_changed(old, new) -> np.ndarray:
    """Boundary segments in one of two territories and not the other (None: empty)."""
    if old is None or new is None:
        return _segments(new if old is None else old)[1]
    return _changed(*_segments(new), *_segments(old))


def _tile_areas(geom: Geometry, land: _Land, state: _Day, tree) -> np.ndarray:
    """km² of tile ∩ R for every tile, recomputing only tiles the change touched."""
    n = len(geom.tiles)
    if land.grown is not state.grown:  # tiles where R is more than DeepState's layer
        state.grown = land.grown
        state.grown_tiles = np.zeros(n, dtype=bool)
        if land.grown is not None:
            near = tree.query(land.grown, predicate="dwithin", distance=NEAR_M)
            state.grown_tiles[near] = True
    if land.changed is None or state.tile_in is None:
        dirty = np.ones(n, dtype=bool)
    else:
        dirty = np.zeros(n, dtype=bool)
        if len(land.changed):
            lines = shapely.linestrings(land.changed.reshape(-1, 2, 2))
            # within NEAR_M, not only crossing: a reconciled strip ends 1 m past the units'
            # outline, so its new edge runs just outside a (multi-part) coastal tile
            hit = tree.query(lines, predicate="dwithin", distance=NEAR_M)[1]
            dirty[hit] = True
            state.changed = lines
        else:
            state.changed = np.array([], dtype=object)
        # a side can only flip without a boundary change in the tile if a whole ring
        # appeared or vanished elsewhere: probe points catch that
        probes = state.tile_probe
        whole = np.flatnonzero(~np.isnan(probes[:, 0]))
        inside = land.covers_xy(probes[whole, :2])
        dirty[whole] |= inside != (probes[whole, 2] > 0)
    areas = state.tile_in.copy() if state.tile_in is not None else np.zeros(n)
    probes = state.tile_probe.copy() if state.tile_probe is not None else np.full((n, 3), np.nan)
    idx = np.flatnonzero(dirty)
    if len(idx):
        inside = np.zeros(len(idx), dtype=bool)
        crossing = np.zeros(len(idx), dtype=bool)
        plain = ~state.grown_tiles[idx]
        inside[plain], crossing[plain], areas[idx[plain]] = _clip(geom, idx[plain], land.raw)
        for k in np.flatnonzero(~plain):  # near the strips: R from both, around the tile
            t = idx[k : k + 1]
            box = shapely.bounds(geom.tiles[t[0]]) + np.array([-1, -1, 1, 1]) * NEAR_M
            inside[k : k + 1], crossing[k : k + 1], areas[t] = _clip(geom, t, land.near(box))
        # probe: a point of each whole tile, inside or outside (crossing tiles: none needed,
        # their boundary segments are in the diff when they change)
        rep = shapely.get_coordinates(shapely.point_on_surface(geom.tiles[idx]))
        probes[idx, 0:2] = rep
        probes[idx, 2] = inside.astype(float)
        probes[idx[crossing], 0:2] = np.nan
    state.tile_in, state.tile_probe = areas, probes
    state.dirty = dirty
    return areas


def _clip(geom: Geometry, idx: np.ndarray, territory) -> tuple:
    """Tiles ``idx`` against a territory: wholly inside, crossing its edge, km² inside."""
    tiles = geom.tiles[idx]
    touches = shapely.intersects(territory, tiles)
    inside = touches & shapely.contains(territory, tiles)
    crossing = touches & ~inside
    areas = np.where(inside, geom.tile_km2[idx], 0.0)
    if crossing.any():
        parts = shapely.intersection(tiles[crossing], territory)
        areas[crossing] = geodata.area_km2(parts)
    return inside, crossing, areas


def _sure_in(depth_m: float) -> float:
    """How far inside the depth a point is surely in GEOS's buffer of the line: its arcs
    are chords (16 per quadrant) whose sagitta is depth · (1 - cos(π/64)), ~24 m at 20 km;
    with a margin."""
    return depth_m * (1.0 - np.cos(np.pi / 64)) + 25.0


def _sure_out(depth_m: float) -> float:
    """How far beyond the depth a point is surely outside GEOS's buffer of the line: its
    input simplification moves the line by at most 1 % of the depth; with a margin."""
    return 0.015 * depth_m + 50.0


def _points_in(geom: Geometry, land: _Land, state: _Day) -> np.ndarray:
    """Whether each population point lies in the territory: yesterday's answer, tested
    again only for points in tiles measured again today (or in no tile).

    A tile that is not measured again has no changed boundary near it and the same side
    at its probe, so every point in it keeps its side (see ``_tile_areas``).
    """
    xy = geom.point_xy
    if state.point_in is None:
        inside = land.covers_xy(xy)
    else:
        tile = geom.point_tile
        redo = np.flatnonzero((tile < 0) | state.dirty[tile])
        inside = state.point_in.copy()
        inside[redo] = land.covers_xy(xy[redo])
    state.point_in = inside
    return inside


def _contact_line_near(geom: Geometry, held, box):
    """The line of contact (as engine.contact_line draws it) inside a box only, from the
    Russian-held territory within it."""
    ukraine = shapely.clip_by_rect(geom.ukraine, *box)
    russia = polygonal(shapely.intersection(held, ukraine))
    if russia.is_empty:
        return shapely.LineString()
    rest = polygonal(shapely.difference(ukraine, russia))
    if rest.is_empty:
        return shapely.LineString()
    return shapely.intersection(shapely.boundary(russia), shapely.buffer(rest, 1.0))


def _runs(line) -> list[np.ndarray]:
    """The line cut into runs at vertices picked by their own coordinates.

    Cutting where a hash of the vertex says so (not every N vertices) keeps the runs of
    an unchanged stretch identical from one day to the next, so their buffers are reused.
    """
    out = []
    for part in shapely.get_parts(line):
        xy = shapely.get_coordinates(part)
        bits = np.ascontiguousarray(xy).view(np.uint64)
        mark = ((bits[:, 0] * np.uint64(0x9E3779B97F4A7C15)) ^ bits[:, 1]) % np.uint64(CHUNK) == 0
        cuts = [0]
        for i in np.flatnonzero(mark[1:-1]) + 1:
            if i - cuts[-1] >= 2:
                cuts.append(int(i))
        cuts.append(len(xy) - 1)
        out += [xy[i : j + 1] for i, j in zip(cuts, cuts[1:], strict=False) if j > i]
    return out


def _distinct(index: np.ndarray, n: int) -> np.ndarray:
    """The distinct values of ``index`` (all in range(n)), sorted: ``np.unique`` by a mask."""
    mask = np.zeros(n, dtype=bool)
    mask[index] = True
    return np.flatnonzero(mask)


class _Bands:
    """The band part of each day, kept between days: per support tile, its km² in every
    class (holder × inside each band); per support settlement, inside each band or not.

    Only support tiles within a band's reach of today's changed segments are measured
    again, against the line of contact and band zones drawn in their bounding box only.
    Zones are the union of buffers of runs of about ``CHUNK`` vertices (each kept from
    the day before when unchanged): GEOS buffers a long, wiggly line at 20 km slowly
    (~180 ms), and the union differs from it by ~0.1-0.6 km² in all (caps vs round joins
    where runs meet, GEOS's input simplification). So population points are decided by
    their distance to the line, except those so near the band's depth that GEOS's buffer
    could decide otherwise: they are tested against GEOS's own buffer of the line near
    them (cut to discs beyond the band's reach), which is what ``run`` draws there.
    """

    def __init__(self, geom: Geometry) -> None:
        self.geom = geom
        self.per = 2 ** len(geom.bands)
        self.reach = max(b.km for b in geom.bands) * 1000 + REACH_M
        self.tiles = np.flatnonzero(np.isin(geom.tile_atom, geom.support))
        self.tree = shapely.STRtree(geom.tiles[self.tiles])
        self.bounds = shapely.bounds(geom.tiles[self.tiles])
        self.areas = np.zeros((len(self.tiles), len(STATUSES) * self.per))
        self.points = np.flatnonzero(np.isin(geom.settlement_atom, geom.support))
        self.xy = geom.point_xy[self.points]
        self.point_geoms = shapely.points(self.xy)
        self.point_tree = shapely.STRtree(self.point_geoms)
        self.inside = np.zeros((len(self.points), len(geom.bands)), dtype=bool)
        self.buffers: dict[float, dict[bytes, object]] = {}
        self.started = False

    def update(self, land: _Land, tile_in: np.ndarray, changed) -> None:
        """Measure again what today's changes can reach (everything on the first day)."""
        boxes = None
        if not self.started or changed is None:
            dirty = np.arange(len(self.tiles))
        elif not len(changed):
            return
        else:
            b = shapely.bounds(changed)
            r = self.reach
            boxes = shapely.box(b[:, 0] - r, b[:, 1] - r, b[:, 2] + r, b[:, 3] + r)
            dirty = _distinct(self.tree.query(boxes)[1], len(self.tiles))
        self.started = True
        if not len(dirty):
            return
        lo, hi = self.bounds[dirty, :2].min(axis=0), self.bounds[dirty, 2:].max(axis=0)
        # the line near today's dirty tiles only: a stretch farther than the reach from
        # them cannot change a zone there; runs are cut by their own vertices, so all but
        # the two at the box's edges are the ones buffered on earlier days
        box = (*(lo - self.reach - REACH_M), *(hi + self.reach + REACH_M))
        territory = land.near(box)
        line = _contact_line_near(self.geom, territory, box)
        runs = [] if line.is_empty else [(r.tobytes(), r) for r in _runs(line)]
        if len(dirty) == len(self.tiles):
            todo = np.arange(len(self.points))
        else:  # settlements within a band's reach of a change (by envelopes: a superset)
            todo = _distinct(self.point_tree.query(boxes)[1], len(self.points))
        grown = self.bounds[dirty] + np.array([-1, -1, 1, 1]) * self.reach
        zones = self._zones(runs, grown)
        for k in dirty:
            self.areas[k] = self._tile_classes(self.tiles[k], territory, tile_in, zones)
        for i, (band, zone) in enumerate(zip(self.geom.bands, zones, strict=True)):
            self.inside[todo, i] = self._inside(band, line, zone, todo)

    def _zones(self, runs: list, boxes: np.ndarray) -> list:
        """Each band's zone, from the runs of the line whose envelope meets one of
        ``boxes`` (each dirty tile's envelope grown by the reach): a run farther away
        cannot change the zone inside a dirty tile, so it is left out of the union."""
        if runs:
            rb = np.array([(*r.min(axis=0), *r.max(axis=0)) for _, r in runs])
            meets = (
                (rb[:, None, 2] >= boxes[None, :, 0])
                & (rb[:, None, 0] <= boxes[None, :, 2])
                & (rb[:, None, 3] >= boxes[None, :, 1])
                & (rb[:, None, 1] <= boxes[None, :, 3])
            ).any(axis=1)
            runs = [run for run, keep in zip(runs, meets, strict=True) if keep]
        if not runs:
            return [shapely.Polygon() for _ in self.geom.bands]
        zones = []
        for band in self.geom.bands:
            cache = self.buffers.get(band.km, {})
            fresh = {}
            for key, r in runs:
                fresh[key] = cache.get(key)
                if fresh[key] is None:
                    fresh[key] = shapely.buffer(
                        shapely.linestrings(r), band.km * 1000, quad_segs=16
                    )
            self.buffers[band.km] = {**cache, **fresh} if len(cache) < 4000 else fresh
            zone = shapely.union_all(np.array(list(fresh.values()), dtype=object))
            shapely.prepare(zone)
            zones.append(zone)
        return zones

    def _tile_classes(self, t: int, territory, tile_in: np.ndarray, zones: list) -> np.ndarray:
        """km² of one tile in every (holder, band bits) class.

        The tile is cut by the zones into leaves (one per combination of band bits it
        has); then only the Russian-held part of all leaves but the largest is measured:
        the largest gets what is left of the tile's Russian-held km² (known from the
        clipping), and each leaf's Ukrainian-held km² is the leaf less its Russian part.
        """
        tile = self.geom.tiles[t]
        held, total = float(tile_in[t]), float(self.geom.tile_km2[t])
        leaves = [(tile, 0)]
        for i, zone in enumerate(zones):
            nxt = []
            for g, bits in leaves:
                if zone.is_empty or not shapely.intersects(zone, g):
                    nxt.append((g, bits))
                elif shapely.contains(zone, g):
                    nxt.append((g, bits | (1 << i)))
                else:
                    nxt.append((polygonal(shapely.intersection(g, zone)), bits | (1 << i)))
                    nxt.append((polygonal(shapely.difference(g, zone)), bits))
            leaves = nxt
        areas = np.array([total if g is tile else float(geodata.area_km2(g)) for g, _ in leaves])
        if held == 0.0:
            russia = np.zeros(len(leaves))
        elif held == total:
            russia = areas.copy()
        else:
            russia = np.zeros(len(leaves))
            big = int(np.argmax(areas))
            for k, (g, _) in enumerate(leaves):
                if k != big:
                    russia[k] = float(geodata.area_km2(shapely.intersection(g, territory)))
            russia[big] = min(max(held - russia.sum(), 0.0), areas[big])
        row = np.zeros(len(STATUSES) * self.per)
        r, u = STATUSES.index("russia") * self.per, STATUSES.index("ukraine") * self.per
        for (_, bits), area, part in zip(leaves, areas, russia, strict=True):
            row[r + bits] += part
            row[u + bits] += area - part
        return row

    def _inside(self, band: Band, line, zone, todo: np.ndarray) -> np.ndarray:
        """Whether each of the ``todo`` points lies in GEOS's buffer of the line near it.

        The distance to the line decides all but the points near the band's depth: GEOS's
        buffer lies between the true one less its arcs' sagitta (``_sure_in``) and the
        true one grown by its input simplification (``_sure_out``). The points between
        are tested against GEOS's own buffer of the line near them (``_local``).
        """
        if zone.is_empty or not len(todo):
            return np.zeros(len(todo), dtype=bool)
        points = self.point_geoms[todo]
        shapely.prepare(line)
        d = band.km * 1000
        near = np.flatnonzero(shapely.dwithin(line, points, d + _sure_out(d)))
        sure = shapely.dwithin(line, points[near], d - _sure_in(d))
        hit = np.zeros(len(todo), dtype=bool)
        hit[near[sure]] = True
        edge = near[~sure]
        hit[edge] = self._local(band, line, points[edge], self.xy[todo[edge]])
        return hit

    def _local(self, band: Band, line, points: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Points tested against GEOS's buffer of the line near them: the line within
        band + ``REACH_M`` of each point (what ``fast`` buffers there for ``run``), cut by
        discs (a 32-gon around the circle), which costs far less than a square window."""
        if not len(points):
            return np.zeros(0, dtype=bool)
        radius = (band.km * 1000 + REACH_M) / np.cos(np.pi / 32)
        window = shapely.buffer(shapely.multipoints(xy), radius, quad_segs=8)
        local = shapely.buffer(shapely.intersection(line, window), band.km * 1000, quad_segs=16)
        return shapely.intersects(local, points)

    def fill(self, row: np.ndarray, bits: np.ndarray) -> None:
        """Put the support atoms' class km² into a day's row and the settlements' bits."""
        n_atoms = len(self.geom.atoms)
        owner = self.geom.tile_atom[self.tiles]
        for a in self.geom.support:
            total = self.areas[owner == a].sum(axis=0)
            for c in range(len(total)):
                row[c * n_atoms + a] = total[c]
        for i in range(len(self.geom.bands)):
            bits[self.points[self.inside[:, i]]] |= 1 << i


class _Outline:
    """The outline-reconciliation layer of consecutive days (``reconcile``).

    The strips that reconciliation adds depend only on the Russian-held land within the
    outline zone, which changes rarely; a day reuses the strips of the day before when
    none of DeepState's changed boundary segments lies in the zone. The day's territory is
    then ``R ∪ strips`` grown by 1 m, as ``baselines.from_deepstate`` builds it for ``run``
    (kept as its two layers, see ``_Land``). Recomputed strips equal to yesterday's (same
    WKB) keep their per-unit figures and their growth.
    """

    def __init__(self) -> None:
        self.on = settings.reconcile()
        self.zone = reconcile.outline_zone() if self.on else None
        self.strips = None
        self.wkb = b""
        self.grown = None
        self.moved: tuple = ()
        self.strips_km2 = 0.0

    def land(self, raw, changed: np.ndarray | None) -> _Land:
        """The day's Russian-held territory from DeepState's layer and the segments of it
        that changed since yesterday (None: the first day)."""
        if not self.on:
            return _Land(raw, None, changed)
        grown = self.grown
        if self.strips is None or self._changed_in_zone(changed):
            strips = reconcile.strips(raw)
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
        return _Land(raw, self.grown, changed)

    def _changed_in_zone(self, xy: np.ndarray | None) -> bool:
        if xy is None or not len(xy):
            return xy is None
        lines = shapely.linestrings(xy.reshape(-1, 2, 2))
        return bool(shapely.intersects(self.zone.reach, lines).any())

    def info(self, snap: Snapshot, raw_km2: float, held_km2: float) -> BaselineInfo:
        """The day's baseline provenance, as ``run`` gives it: km² moved per unit and the
        DeepState area outside the units (from the tiles: held = R ∩ units + strips)."""
        inside = held_km2 - (self.strips_km2 if self.on else 0.0)
        return replace(
            snap.info,
            reconciled=self.moved if self.on else None,
            outside_km2=max(0.0, raw_km2 - inside),
            grey_zone=NO_GREY_ZONE,
        )


def measure(geom: Geometry, snapshots: list[Snapshot]) -> Measures:
    """Figures of every (class, atom) for each snapshot, in date order (consecutive reuse)."""
    snapshots = sorted(snapshots, key=lambda s: s.day)
    n_atoms = len(geom.atoms)
    per = 2 ** len(geom.bands)
    tree = shapely.STRtree(geom.tiles)
    state = _Day()
    xy = geom.point_xy
    km2 = np.zeros((len(snapshots), geom.n_classes * n_atoms))
    weight = np.zeros_like(km2)
    russia = STATUSES.index("russia") * per * n_atoms
    ukraine = STATUSES.index("ukraine") * per * n_atoms
    bands = _Bands(geom) if len(geom.support) else None
    outline = _Outline()
    infos = []
    clock = _Clock()
    for t, snap in enumerate(snapshots):
        raw = snap.territory()
        clock.lap("read")
        shapely.prepare(raw)
        segments = _segments(raw)
        changed = None if state.segments is None else _changed(*segments, *state.segments)
        state.segments = segments
        land = outline.land(raw, changed)
        clock.lap("outline")
        held = np.bincount(
            geom.tile_atom, weights=_tile_areas(geom, land, state, tree), minlength=n_atoms
        )
        infos.append(outline.info(snap, float(geodata.area_km2(raw)), float(held.sum())))
        km2[t, russia : russia + n_atoms] = held
        km2[t, ukraine : ukraine + n_atoms] = geom.atom_km2 - held
        clock.lap("clip")
        bits = np.zeros(len(xy), dtype=int)
        if bands is not None:
            bands.update(land, state.tile_in, state.changed)
            bands.fill(km2[t], bits)
        clock.lap("bands")
        inside = _points_in(geom, land, state)
        status = np.where(inside, STATUSES.index("russia"), STATUSES.index("ukraine"))
        column = (status * per + bits) * n_atoms + geom.settlement_atom
        weight[t] = np.bincount(column, weights=geom.settlement_weight, minlength=km2.shape[1])
        clock.lap("towns")
    days = tuple(s.day for s in snapshots)
    return Measures(days, tuple(infos), km2, weight, tuple(clock.seconds.items()))


class _Clock:
    """CPU seconds of this process spent per stage (laps of ``time.process_time``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.last = time.process_time()

    def lap(self, stage: str) -> None:
        now = time.process_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now


# --- from measures to the table -----------------------------------------------------------


COLUMNS = (
    "date",
    "scenario",
    "oblast",
    "oblast_name",
    "status",
    "km2",
    "people",
    "baseline_km2",
    "baseline_people",
    "change_km2",
    "change_people",
    "gained_km2",
    "gained_people",
    "lost_km2",
    "lost_people",
)
ATTR_COLUMNS = ("date", "scenario", "oblast", "status", "attrs", "km2", "people")


@dataclass(frozen=True)
class KeyFigures:
    """One scenario on many dates: km² and people per key (oblast, before, after, attrs)."""

    scenario_id: str
    dates: tuple[Date, ...]
    keys: tuple[tuple, ...]
    km2: np.ndarray  # (n_dates, n_keys)
    people: np.ndarray


def plain_figures(base: Partition, scenario: Scenario) -> KeyFigures:
    """The same figures the straightforward way: apply + metrics.tally on one date."""
    t = metrics.tally(baselines.apply(base, scenario))
    keys = sorted({p.key for p in t.partition.pieces})
    index = {k: i for i, k in enumerate(keys)}
    km2 = np.zeros((1, len(keys)))
    people = np.zeros((1, len(keys)))
    for p, a, n in zip(t.partition.pieces, t.km2, t.people, strict=True):
        km2[0, index[p.key]] += a
        people[0, index[p.key]] += n
    return KeyFigures(scenario.id, (base.baseline.date,), tuple(keys), km2, people)


def rows(f: KeyFigures, min_km2: float = 1e-6) -> tuple[dict, dict]:
    """Status rows (date × oblast × status) and attribute rows, as columns of equal length."""
    units = geodata.load().units
    groups = sorted({(k[0], k[1]) for k in f.keys} | {(k[0], k[2]) for k in f.keys})
    shape = (len(groups), len(f.keys))
    after, before = np.zeros(shape), np.zeros(shape)
    for g, (oblast, status) in enumerate(groups):
        for j, (o, b, a, _attrs) in enumerate(f.keys):
            if o == oblast:
                after[g, j] = a == status
                before[g, j] = b == status
    gained, lost = after * (1 - before), before * (1 - after)
    cols: dict[str, list | np.ndarray] = {}
    figs = {}
    for name, mat in (("", after), ("baseline_", before), ("gained_", gained), ("lost_", lost)):
        figs[name + "km2"] = f.km2 @ mat.T  # (n_dates, n_groups)
        figs[name + "people"] = f.people @ mat.T
    keep = (np.abs(figs["km2"]) > min_km2) | (np.abs(figs["baseline_km2"]) > min_km2)
    t_idx, g_idx = np.nonzero(keep)
    # text columns hold references to a few shared strings (8 bytes a row, not 4 per letter)
    cols["date"] = _texts([d.isoformat() for d in f.dates])[t_idx]
    cols["scenario"] = _texts([f.scenario_id])[np.zeros(len(t_idx), dtype=int)]
    cols["oblast"] = _texts([g[0] for g in groups])[g_idx]
    cols["oblast_name"] = _texts([units[g[0]].name_en for g in groups])[g_idx]
    cols["status"] = _texts([g[1] for g in groups])[g_idx]
    for name in ("km2", "people", "baseline_km2", "baseline_people"):
        cols[name] = figs[name][t_idx, g_idx]
    cols["change_km2"] = cols["km2"] - cols["baseline_km2"]
    cols["change_people"] = cols["people"] - cols["baseline_people"]
    for name in ("gained_km2", "gained_people", "lost_km2", "lost_people"):
        cols[name] = figs[name][t_idx, g_idx]
    return cols, _attr_rows(f, min_km2)


def _attr_rows(f: KeyFigures, min_km2: float) -> dict:
    """km² and people per (oblast, status after, attributes) where steps set attributes."""
    groups = sorted({(k[0], k[2], k[3]) for k in f.keys if k[3]})
    out: dict[str, list | np.ndarray] = {c: [] for c in ATTR_COLUMNS}
    if not groups:
        return out
    mat = np.array([[float((k[0], k[2], k[3]) == g) for k in f.keys] for g in groups])
    km2, people = f.km2 @ mat.T, f.people @ mat.T
    t_idx, g_idx = np.nonzero(np.abs(km2) > min_km2)
    out["date"] = _texts([d.isoformat() for d in f.dates])[t_idx]
    out["scenario"] = _texts([f.scenario_id])[np.zeros(len(t_idx), dtype=int)]
    out["oblast"] = _texts([g[0] for g in groups])[g_idx]
    out["status"] = _texts([g[1] for g in groups])[g_idx]
    out["attrs"] = _texts([";".join(f"{k}={v}" for k, v in g[2]) for g in groups])[g_idx]
    out["km2"] = km2[t_idx, g_idx]
    out["people"] = people[t_idx, g_idx]
    return out


def _texts(values: list[str]) -> np.ndarray:
    """A numpy array of Python strings (dtype object): indexing it shares the strings."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
