"""The timeline's per-day measurement of Russian-held land: which tiles and points it holds.

A day's Russian-held territory R is DeepState's layer plus the strips of outline
reconciliation (``timeline_read.Outline``, kept as two layers: ``Land``). From one day to
the next only what lies near DeepState's changed boundary segments is measured again: the
km² of R in each tile (``tile_areas``) and the side of each population point
(``points_in``); a probe point per whole tile catches a side flipped by a ring appearing
or vanishing elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from . import geodata
from .regions import clip_box, overlay
from .scenario_selectors import Band

STATUSES = ("russia", "ukraine")  # what a DeepState baseline holds: R and the rest
NEAR_M = 2.0  # a changed boundary segment this close to a tile makes it dirty


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


def fork(state, kinds: tuple[type, ...], memo: dict | None = None):
    """A copy of the timeline's state between days (objects of ``kinds``: ``Day``,
    ``Bands``, the outline's strips, the pockets, …) to measure one day on and then drop:
    its containers and arrays are copied, everything else (geometries, indexes, the plan's
    frozen ``Geometry``) is shared, as no day changes it. References shared within the
    state stay shared in the copy."""
    memo = {} if memo is None else memo
    if id(state) in memo:
        return memo[id(state)]
    if isinstance(state, np.ndarray):
        out = state.copy()  # (an object array: the same geometries)
    elif isinstance(state, list):
        out = []
        memo[id(state)] = out
        out.extend(fork(v, kinds, memo) for v in state)
    elif isinstance(state, dict):
        out = {}
        memo[id(state)] = out
        out.update((k, fork(v, kinds, memo)) for k, v in state.items())
    elif isinstance(state, tuple):
        out = tuple(fork(v, kinds, memo) for v in state)
    elif isinstance(state, set):
        out = set(state)
    elif isinstance(state, kinds):
        out = object.__new__(type(state))
        memo[id(state)] = out
        out.__dict__.update((k, fork(v, kinds, memo)) for k, v in vars(state).items())
    else:
        return state
    memo[id(state)] = out
    return out


class Day:
    """Yesterday's state for incremental updates: boundary segments and tile areas."""

    def __init__(self) -> None:
        self.segments: np.ndarray | None = None
        self.tile_in: np.ndarray | None = None  # km² of tile ∩ R
        self.tile_probe: np.ndarray | None = None  # points whose side must not flip
        self.changed = None  # boundary segments that changed since yesterday (lines)
        self.dirty: np.ndarray | None = None  # per tile: measured again today
        self.point_in: np.ndarray | None = None  # population points in R
        self.point_moved: np.ndarray | None = None  # points whose side changed today
        self.tile_points: tuple | None = None  # points sorted by tile, where each starts
        self.grown = None  # the strips' growth the next field is for
        self.grown_tiles: np.ndarray | None = None  # per tile: near the strips' growth


@dataclass(frozen=True, eq=False)
class Land:
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
        raw = clip_box(self.raw, box)
        if self.grown is None or not shapely.intersects(self.grown, shapely.box(*box)):
            return raw
        return shapely.union(raw, clip_box(self.grown, box))


_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5])


def boundary_segments(territory) -> tuple[np.ndarray, np.ndarray]:
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


def key_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment keys' sorting order and the keys sorted (what ``changed_since`` searches)."""
    order = np.argsort(keys)
    return order, keys[order]


def changed_since(
    keys: np.ndarray,
    seg: np.ndarray,
    old_keys: np.ndarray,
    old_seg: np.ndarray,
    orders: tuple | None = None,
):
    """Segments in one day's set and not the other's: today's new rows, then yesterday's.

    ``orders`` holds both days' ``key_order`` when known (a day's is then computed once,
    used again the next day).

    Notes
    -----
    Equal to ``seg[~np.isin(keys, old_keys)]`` and the converse, by binary search of one
    day's sorted keys in the other's (sorted queries: ~3x faster than unsorted ones, ~10x
    faster than ``np.isin``, on ~3,000 segments).
    """

    def absent(k: tuple, other: tuple) -> np.ndarray:
        order, ordered = k
        found = np.zeros(len(order), dtype=bool)
        if len(other[1]) and len(ordered):
            i = np.searchsorted(other[1], ordered)
            i[i == len(other[1])] = 0
            found[order] = other[1][i] == ordered
        return ~found

    new, old = orders if orders is not None else (key_order(keys), key_order(old_keys))
    return np.vstack([seg[absent(new, old)], old_seg[absent(old, new)]])


def tile_areas(geom: Geometry, land: Land, state: Day, tree) -> np.ndarray:
    """km² of tile ∩ R for every tile, recomputing only tiles the change touched."""
    n = len(geom.tiles)
    if state.grown_tiles is None or land.grown is not state.grown:  # where R is more than
        # DeepState's layer (none without reconciliation: every tile is plain)
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
        # appeared or vanished around it: probe points catch that, those within the
        # changed segments' bounding box only (no other can be inside such a ring)
        probes = state.tile_probe
        xs, ys = land.changed[:, 0::2], land.changed[:, 1::2]
        px, py = probes[:, 0], probes[:, 1]
        whole = np.flatnonzero(
            (px >= xs.min(initial=np.inf))
            & (px <= xs.max(initial=-np.inf))
            & (py >= ys.min(initial=np.inf))
            & (py <= ys.max(initial=-np.inf))
        )  # NaN (crossing tiles: no probe) compares False
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
        # (``overlay`` cuts R to the tile's box first: GEOS's overlay of a tile with the
        # whole of R passes over all of R's edges)
        parts = [overlay(shapely.intersection, t, territory) for t in tiles[crossing]]
        areas[crossing] = geodata.area_km2(np.array(parts, dtype=object))
    return inside, crossing, areas


def points_in(geom: Geometry, land: Land, state: Day) -> np.ndarray:
    """Whether each population point lies in the territory: yesterday's answer, tested
    again only for points in tiles measured again today (or in no tile).

    A tile that is not measured again has no changed boundary near it and the same side
    at its probe, so every point in it keeps its side (see ``tile_areas``). The points
    whose side changed today are left in ``state.point_moved`` (None on the first day).
    """
    xy = geom.point_xy
    if state.point_in is None:
        inside = land.covers_xy(xy)
        state.point_moved = None
        # the points of each tile, in tile order (for the days that follow)
        order = np.argsort(geom.point_tile, kind="stable")
        bounds = np.arange(-1, len(geom.tiles) + 1)
        state.tile_points = (order, np.searchsorted(geom.point_tile[order], bounds))
    else:
        redo = _points_of(state, np.flatnonzero(state.dirty))
        inside = state.point_in.copy()
        inside[redo] = land.covers_xy(xy[redo])
        state.point_moved = redo[inside[redo] != state.point_in[redo]]
    state.point_in = inside
    return inside


def _points_of(state: Day, tiles: np.ndarray) -> np.ndarray:
    """The points of the given tiles, and those in no tile (always tested again)."""
    order, starts = state.tile_points  # starts[t + 1]: the first point of tile t
    spans = [(starts[0], starts[1])] + [(starts[t + 1], starts[t + 2]) for t in tiles]
    return np.concatenate([order[a:b] for a, b in spans])
