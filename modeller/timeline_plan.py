"""The timeline's plan: each scenario applied once, symbolically, to synthetic baselines
(all-Ukrainian, all-Russian; × inside/outside each band), its cells refined with every
other scenario's into common static atoms, cut into tiles (see ``timeline_measure``)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import shapely
from pydantic import BaseModel

from . import baselines, engine, fast, geodata, metrics, population
from .errors import InputError
from .partition import BaselineInfo, Partition, Piece, merge_pieces, polygonal
from .scenario import Scenario
from .scenario_selectors import Band
from .timeline_day import STATUSES, Geometry

SLIVER_M2 = 1.0  # atoms smaller than this (overlay noise) are dropped
TILE_M = 25_000.0  # atoms are cut into tiles of this size so that a day's change is local
MAX_BANDS = 4
SYNTHETIC = BaselineInfo("synthetic", None, "timeline symbolic evaluation", "")


@dataclass(frozen=True)
class ScenarioPlan:
    """One scenario's keys (oblast, before, after, attrs) and their atoms per class."""

    scenario: Scenario
    keys: tuple[tuple, ...]
    matrix: np.ndarray  # (n_keys, n_classes * n_atoms) 0/1
    # per step: its name ("step 2 of phase 'x'") and the (class × atom) columns it selects
    steps: tuple[tuple[str, np.ndarray], ...] = ()
    # per step, the columns of those whose holder or recognition it changes (``_moving``);
    # None when a step selects part of an atom, or the replay does not end where the plan does
    moving: tuple[np.ndarray, ...] | None = None


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


def distinct_bands(scenarios: list[Scenario]) -> tuple[Band, ...]:
    """The distinct band selectors of the scenarios, in the plan's order (``Geometry.bands``)."""
    found: list[Band] = []
    for sc in scenarios:
        _bands(sc, found)
    return tuple(found)


def _synthetic(status: str) -> Partition:
    """A baseline where ``status`` holds every unit (the symbolic stand-in for a day)."""
    data = geodata.load()
    pieces = [Piece(code, status, status, g) for code, g in data.geometry.items()]
    return Partition(merge_pieces(pieces), SYNTHETIC)


def _evaluate(scenario: Scenario, bands: tuple[Band, ...]) -> tuple[list, list]:
    """The scenario's pieces on every synthetic class: (class index, piece); and what each
    step selects there: per step, (class indices, per-oblast regions).

    Only the scenario's own bands are varied; its pieces stand for every class that
    agrees on those bands.
    """
    data = geodata.load()
    whole = dict.fromkeys(data.codes, engine.WHOLE)
    own = [i for i, b in enumerate(bands) if b in _bands(scenario, [])]
    out = []
    steps: list[list] = [[] for _ in scenario.numbered_steps]
    for status in STATUSES:
        base = _synthetic(status)
        for flags in product((False, True), repeat=len(own)):
            regions = {
                bands[i]: (whole if flag and bands[i].side in ("both", status) else {})
                for i, flag in zip(own, flags, strict=True)
            }
            selected: list[dict] = []
            applied = fast.apply_phases(
                base,
                scenario,
                bands=regions or None,
                load=baselines.load_baseline,
                selected=selected,
            )[-1][1]
            classes = []
            for inside in product((False, True), repeat=len(bands)):
                if all(inside[i] == flag for i, flag in zip(own, flags, strict=True)):
                    k = class_index(status, inside)
                    classes.append(k)
                    out += [(k, p) for p in applied.pieces]
            for step, chosen in zip(steps, selected, strict=True):
                areas = {  # (fast.Sel: the pieces of given baseline statuses, cut to an area)
                    code: sel.area
                    for code, sel in chosen.items()
                    if sel.statuses is None or status in sel.statuses
                }
                step.append((tuple(classes), areas))
    return out, steps


def _step_columns(
    steps: list, atoms: list, atom_oblast: np.ndarray, n_atoms: int
) -> tuple[list, bool]:
    """Per step, the (class × atom) columns it selects: the atoms of each class's
    synthetic baseline that meet its regions in more than ``SLIVER_M2`` (on a day, the
    step selects nothing when none of those has land of its class); and whether each step
    selects every such atom whole (to within ``SLIVER_M2``): atoms are refined by the
    scenarios' final cells, so a step's region that a later step undoes can cut one."""
    out, whole = [], True
    shapes = np.array(atoms, dtype=object)
    for step in steps:
        cols: set[int] = set()
        for classes, regions in step:
            for code, region in regions.items():
                mine = np.flatnonzero(atom_oblast == code)
                if region is not engine.WHOLE:
                    met = shapely.area(shapely.intersection(shapes[mine], region))
                    mine, met = mine[met > SLIVER_M2], met[met > SLIVER_M2]
                    whole &= bool((shapely.area(shapes[mine]) - met <= SLIVER_M2).all())
                cols.update(int(k) * n_atoms + int(a) for k in classes for a in mine)
        out.append(np.array(sorted(cols), dtype=int))
    return out, whole


def _moving(sc: Scenario, columns: list, outcome: dict, n_atoms: int, per: int):
    """Per step, the columns it selects whose (holder, recognition) it changes: a day with
    no land in those changes nothing (as ``engine.run_steps`` warns). Found by replaying the
    steps column by column from each class's holder; None when the replay does not end
    where the symbolic evaluation does (the caller gives none either when a step selects
    part of an atom: the replay would say a ring undone later had changed hands already)."""
    state = {k * n_atoms + a: (STATUSES[k // per], ()) for k, a in outcome}
    out = []
    for (_, _, step), cols in zip(sc.numbered_steps, columns, strict=True):
        new = (step.assign, (("recognition", step.recognition),) if step.recognition else ())
        out.append(np.array([c for c in cols if state.get(int(c)) != new], dtype=int))
        state.update((int(c), new) for c in cols)
    if any(state[k * n_atoms + a] != after for (k, a), after in outcome.items()):
        return None
    return tuple(out)


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
    """Atoms cut by a square grid: (tile geometry, atom index). A square inside its atom
    is its own tile: only those its boundary crosses are overlaid (~2/3 of the time)."""
    tiles, owner = [], []
    for i, atom in enumerate(atoms):
        minx, miny, maxx, maxy = atom.bounds
        xs = np.arange(np.floor(minx / TILE_M) * TILE_M, maxx, TILE_M)
        ys = np.arange(np.floor(miny / TILE_M) * TILE_M, maxy, TILE_M)
        boxes = shapely.box(*np.meshgrid(xs, ys), *np.meshgrid(xs + TILE_M, ys + TILE_M))
        boxes = boxes.ravel()
        shapely.prepare(atom)  # (its many tests against the squares; left prepared)
        boxes = boxes[shapely.intersects(atom, boxes)]
        parts = boxes.copy()
        cut = ~shapely.contains_properly(atom, boxes)
        parts[cut] = shapely.intersection(atom, boxes[cut])
        for part in parts:
            part = polygonal(part)
            if shapely.area(part) > SLIVER_M2:
                tiles.append(part)
                owner.append(i)
    return tiles, owner


def _evaluate_star(args: tuple) -> tuple[list, list]:
    try:
        return _evaluate(*args)
    except InputError as exc:  # a step's error: whose step it is (timeline_run names the file)
        exc.scenario = exc.scenario or args[0].id
        raise


def too_many_bands(scenarios: list[Scenario], bands: tuple[Band, ...]) -> str:
    """What to say when the scenarios use more than ``MAX_BANDS`` bands: each band with
    the scenarios that use it, and how to split them into timelines that each can run."""
    alone = next((sc for sc in scenarios if len(_bands(sc, [])) > MAX_BANDS), None)
    if alone is not None:  # no split helps: the scenario itself needs more
        return (
            f"scenario {alone.id} uses {len(_bands(alone, []))} different bands; one timeline "
            f"draws at most {MAX_BANDS}: give its bands the same depth and side where the "
            "proposal allows, or run it date by date with modeller run"
        )
    users = [[sc.id for sc in scenarios if b in _bands(sc, [])] for b in bands]
    listed = "; ".join(
        f"{b.km:g} km, side {b.side}: {', '.join(ids[:3])}{' …' if len(ids) > 3 else ''}"
        for b, ids in sorted(zip(bands, users, strict=True), key=lambda x: (x[0].km, x[0].side))
    )  # (by depth: listed as the plan orders them, 25 km had come before 5 km)
    groups: list[tuple[set, list[str]]] = []  # scenarios in timelines of MAX_BANDS bands
    for sc in scenarios:
        own = {b for b in bands if b in _bands(sc, [])}
        group = next((g for g in groups if len(g[0] | own) <= MAX_BANDS), None)
        if group is None:
            groups.append((set(own), [sc.id]))
        else:
            group[0].update(own)
            group[1].append(sc.id)
    split = " and ".join(
        f"[{', '.join(ids[:4])}{' …' if len(ids) > 4 else ''}]" for _, ids in groups
    )
    return (
        f"the scenarios use {len(bands)} different bands ({listed}); one timeline draws at "
        f"most {MAX_BANDS}: run the scenarios in {len(groups)} timelines ({split}), or give "
        "bands the same depth and side where the proposals allow"
    )


def make_plan(scenarios: list[Scenario], pmap=map) -> Plan:
    """Evaluate every scenario symbolically (``pmap`` may spread them over processes) and
    refine the cells into shared atoms."""
    data = geodata.load()
    bands = distinct_bands(scenarios)
    if len(bands) > MAX_BANDS:
        raise InputError(too_many_bands(scenarios, bands))
    bands_t = bands
    results = list(pmap(_evaluate_star, [(sc, bands_t) for sc in scenarios]))
    evaluated = [pieces for pieces, _ in results]

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
    for sc, (pieces, steps) in zip(scenarios, results, strict=True):
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
        names = [engine.step_label(*numbered) for numbered in sc.numbered_steps]
        columns, whole = _step_columns(steps, atoms, atom_oblast_a, n_atoms)
        moving = _moving(sc, columns, outcome, n_atoms, per) if whole else None
        plans.append(
            ScenarioPlan(
                sc, tuple(ordered), matrix, tuple(zip(names, columns, strict=True)), moving
            )
        )

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
        ukraine=geodata.country_of(data),  # (the union of the units, made once per set)
    )
    return Plan(geometry, tuple(plans), tuple(data.codes), remainder)


def _point_tiles(tiles: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """For each point, one tile it lies in (on its edge counts), -1 when none does.

    Tiles are cut from the squares of one grid (``_tiles``): a point is tested against
    the tiles of its own square first (the first that holds it, in the tiles' order);
    only the few that none of those holds (outside the units, or on a square's edge) are
    looked up in a tree of all the tiles (the first tile found)."""
    out = np.full(len(xy), -1)
    b = shapely.bounds(tiles)
    tile_cell = _cell_keys((b[:, :2] + b[:, 2:]) / 2)  # (a tile's middle is in its square)
    order = np.argsort(tile_cell, kind="stable")
    keys = tile_cell[order]
    point_cell = _cell_keys(xy)
    lo, hi = np.searchsorted(keys, point_cell, "left"), np.searchsorted(keys, point_cell, "right")
    count = hi - lo
    point = np.repeat(np.arange(len(xy)), count)
    tile = order[
        np.repeat(lo, count) + np.arange(len(point)) - np.repeat(np.cumsum(count) - count, count)
    ]
    hit = shapely.intersects_xy(tiles[tile], xy[point, 0], xy[point, 1])
    out[point[hit][::-1]] = tile[hit][::-1]  # (the first of its square's tiles that holds it)
    rest = np.flatnonzero(out < 0)
    if len(rest):
        tree = shapely.STRtree(tiles)
        hit_point, hit_tile = tree.query(shapely.points(xy[rest]), predicate="intersects")
        out[rest[hit_point[::-1]]] = hit_tile[::-1]  # the first tile found for each point
    return out


def _cell_keys(xy: np.ndarray) -> np.ndarray:
    """The grid square (``TILE_M``) each point lies in, as one integer."""
    ij = np.floor(xy / TILE_M).astype(np.int64)
    return ij[:, 0] * (1 << 32) + ij[:, 1]


def _same(a, b) -> bool:
    """Same region (up to vertex order): equal areas first, then GEOS equality."""
    area_a, area_b = shapely.area(a), shapely.area(b)
    return abs(area_a - area_b) <= 1e-9 * max(area_a, 1.0) and shapely.equals(a, b)
