"""The fast path of ``modeller run``: the engine's result with far fewer overlays.

``engine.apply`` is the reference: every selector becomes a region per oblast, and every
step cuts every piece it touches with it. Most selectors need no geometry at all:
``held_by`` selects whole pieces (the land a status holds in the baseline is the union
of the pieces whose ``before`` is that status), and ``oblast`` selects whole oblasts. So
here a selection per oblast is a pair *(statuses, area)*: the pieces whose baseline
status is in ``statuses`` (``None``: any), cut to ``area`` (``WHOLE``: no cut). Only real
areas (split, near, polygon, held_in, band) cost an overlay, and only on the pieces the
statuses let through.

A ``band`` is drawn near the land it can select only: of the runs the engine's line of
contact (drawn once per baseline, ~40 ms on a DeepState day) is cut into
(``bandzone.runs``), those within the band's reach (``bandzone.margin_m``) of that land's
bounding box are buffered and united. The engine unites the same runs' buffers, all of
them, so the band is the same there. The line itself is the engine's:
drawn from pieces clipped to the box instead, a grey-zone sliver a few metres wide could
open a gap that counted as Ukrainian-held, 21 km of false line and +2.7 % of a band.

The result equals ``engine.apply`` to 0.01 % of every figure (``tests/test_fast.py``
compares them on every shipped scenario, on DeepState, bands on both sides, and on
random steps). One difference: a step whose selection only touches land along a border
(a band spilling a few metres over an oblast edge: a line, no area) warns here that it
selects nothing; the engine keeps the line as a region and does not warn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from . import bandregion, bandzone, engine, geodata, geomcache
from .engine import WHOLE, Loader
from .partition import Partition, Piece, merge_pieces, overlay, polygonal, union_regions
from .scenario import Phase, Scenario
from .scenario_selectors import Selector, point_xy


@dataclass(frozen=True)
class Sel:
    """Within one oblast: the pieces whose baseline status is in ``statuses`` (None: any),
    cut to ``area`` (WHOLE: not cut)."""

    statuses: frozenset | None
    area: object


ALL = Sel(None, WHOLE)


def apply(
    base: Partition, scenario: Scenario, *, bands: dict | None = None, load: Loader | None = None
) -> Partition:
    """Same as ``engine.apply``: the steps in order, later steps winning."""
    return apply_phases(base, scenario, bands=bands, load=load)[-1][1]


def apply_phases(
    base: Partition,
    scenario: Scenario,
    *,
    bands: dict | None = None,
    load: Loader | None = None,
    selected: list | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> list[tuple[Phase | None, Partition]]:
    """Same as ``engine.apply_phases``: the partition after each phase. ``load`` turns a
    baseline spec into a partition, for ``held_in`` selectors; ``bands`` fixes band
    selectors to given per-oblast regions (the timeline's symbolic evaluation), as in the
    engine; ``selected``, when given, gets each step's regions in turn; ``on_step`` is told
    of each step done (``engine.run_steps``)."""
    ctx = _Context(base, load, bands)

    def choose(where, pieces):
        regions = _nonempty(select(where, ctx), pieces)
        if selected is not None:
            selected.append(regions)
        return regions

    return engine.run_steps(base, scenario, choose, assign, load, on_step)


class _Context:
    """What selectors read from the baseline: its pieces, which statuses each oblast has,
    and (on first use) each band's zone."""

    def __init__(self, base: Partition, load: Loader | None, bands: dict | None) -> None:
        self.base = base
        self.load = load
        self.bands = bands or {}
        self.has: dict[str, set[str]] = {}
        for p in base.pieces:
            self.has.setdefault(p.oblast, set()).add(p.before)
        self.checked: set = set()  # bands whose "covers the whole side" check has run
        self.line = None  # the baseline's line of contact, drawn on first use
        self.line_runs: list | None = None  # its runs (``runs``)
        self.key: str | None = None  # its inputs' digest (``digest``)

    def digest(self) -> str:
        """What the baseline's line of contact is drawn from: every piece's unit, status and
        shape (for ``geomcache``)."""
        if self.key is None:
            pieces = self.base.pieces
            shapes = shapely.to_wkb(np.array([p.geometry for p in pieces], dtype=object))
            self.key = geomcache.digest([(p.oblast, p.before) for p in pieces], *shapes)
        return self.key

    def contact_line(self):
        """``bandregion.contact_line`` of the baseline, drawn once."""
        if self.line is None:
            self.line = bandregion.contact_line(self.base.pieces)
        return self.line

    def runs(self) -> list:
        """The runs of the line of contact that the engine buffers (``bandzone.runs``)."""
        if self.line_runs is None:
            self.line_runs = bandzone.runs(shapely.line_merge(self.contact_line()))
        return self.line_runs


def assign(pieces: tuple[Piece, ...], regions: dict[str, Sel], status: str, recognition=None):
    """Give ``status`` to the selected part of each piece; only real areas cut a piece."""
    attrs = (("recognition", recognition),) if recognition else ()
    out: list[Piece] = []
    for p in pieces:
        sel = regions.get(p.oblast)
        if sel is None or (sel.statuses is not None and p.before not in sel.statuses):
            out.append(p)
        elif sel.area is WHOLE:
            out.append(Piece(p.oblast, p.before, status, p.geometry, attrs))
        else:
            inside, outside = engine.split_piece(p.geometry, sel.area)
            out.append(Piece(p.oblast, p.before, p.after, outside, p.attrs))
            out.append(Piece(p.oblast, p.before, status, inside, attrs))
    return merge_pieces(out)


def _nonempty(regions: dict[str, Sel], pieces: tuple[Piece, ...]) -> dict[str, Sel]:
    """Drop oblasts where the selection meets no piece (as the engine drops empty regions)."""
    out = {}
    for code, sel in regions.items():
        if sel.area is not WHOLE and sel.area.is_empty:
            continue
        mine = [
            p
            for p in pieces
            if p.oblast == code and (sel.statuses is None or p.before in sel.statuses)
        ]
        if not mine:
            continue
        if sel.area is not WHOLE and not any(
            shapely.intersects(p.geometry, sel.area) for p in mine
        ):
            continue
        out[code] = sel
    return out


# --- selections -------------------------------------------------------------------------


def select(selector: Selector, ctx: _Context) -> dict[str, Sel]:
    """Per oblast, the selection (oblasts not selected are absent); see ``engine.select``."""
    data = geodata.load()
    regions: dict[str, Sel] = dict.fromkeys(selector.oblast or data.codes, ALL)
    if selector.held_by is not None:
        held = Sel(frozenset({selector.held_by}), WHOLE)
        has = [c for c, statuses in ctx.has.items() if selector.held_by in statuses]
        regions = _intersect(regions, dict.fromkeys(has, held))
    if selector.held_in is not None:
        regions = _intersect(regions, _areas(engine.held_in(selector.held_in, ctx.load)))
    if selector.split is not None:
        regions = _intersect(regions, _areas(engine.split_regions(selector.split)))
    if selector.near is not None:
        near = selector.near
        disc = shapely.Point(point_xy(near.place)).buffer(near.km * 1000, quad_segs=64)
        regions = _intersect(regions, _areas(engine._clip(disc)))
    if selector.band is not None and selector.band in ctx.bands:
        regions = _intersect(regions, _areas(ctx.bands[selector.band]))
    elif selector.band is not None:
        regions = _intersect(regions, _band(selector.band, regions, ctx))
    if selector.polygon is not None:
        regions = _intersect(regions, _areas(engine._clip(engine.polygon_region(selector.polygon))))
    for child in selector.all_of or ():
        regions = _intersect(regions, select(child, ctx))
    if selector.any_of:
        regions = _intersect(regions, _union_all([select(c, ctx) for c in selector.any_of], ctx))
    if selector.not_ is not None:
        regions = _intersect(regions, _complement(select(selector.not_, ctx), ctx))
    return {c: s for c, s in regions.items() if s.area is WHOLE or not polygonal(s.area).is_empty}


def _areas(regions: dict[str, object]) -> dict[str, Sel]:
    return {code: Sel(None, area) for code, area in regions.items()}


def _meet(a: object, b: object) -> object:
    if a is WHOLE:
        return b
    if b is WHOLE:
        return a
    return overlay(shapely.intersection, a, b)


def _intersect(a: dict[str, Sel], b: dict[str, Sel]) -> dict[str, Sel]:
    out = {}
    for code in a.keys() & b.keys():
        sa, sb = a[code], b[code]
        if sa.statuses is None:
            statuses = sb.statuses
        elif sb.statuses is None:
            statuses = sa.statuses
        else:
            statuses = sa.statuses & sb.statuses
        if statuses is not None and not statuses:
            continue
        out[code] = Sel(statuses, _meet(sa.area, sb.area))
    return out


def _materialise(code: str, sel: Sel, ctx: _Context) -> object:
    """A selection as a plain area of the oblast (the engine's region)."""
    if sel.statuses is None:
        return geodata.load().geometry[code] if sel.area is WHOLE else sel.area
    held = [p.geometry for p in ctx.base.pieces if p.oblast == code and p.before in sel.statuses]
    union = union_regions(held)
    return union if sel.area is WHOLE else overlay(shapely.intersection, union, sel.area)


def _union(a: dict[str, Sel], b: dict[str, Sel], ctx: _Context) -> dict[str, Sel]:
    out = dict(a)
    for code, sb in b.items():
        sa = out.get(code)
        if sa is None or sa == sb:
            out[code] = sb
        elif ALL in (sa, sb):
            out[code] = ALL
        elif sa.area is WHOLE and sb.area is WHOLE:
            both = None if sa.statuses is None or sb.statuses is None else sa.statuses | sb.statuses
            out[code] = Sel(both, WHOLE)
        elif sa.statuses == sb.statuses:
            area = (
                WHOLE if WHOLE in (sa.area, sb.area) else overlay(shapely.union, sa.area, sb.area)
            )
            out[code] = Sel(sa.statuses, area)
        else:
            area = overlay(shapely.union, _materialise(code, sa, ctx), _materialise(code, sb, ctx))
            out[code] = Sel(None, area)
    return out


def _union_all(parts: list[dict[str, Sel]], ctx: _Context) -> dict[str, Sel]:
    """The union of many selections (``any_of``), each oblast's areas united in one call:
    ``_union`` one pair at a time grew with the square of their number (2,000 discs, 15 min).
    """
    per: dict[str, list[Sel]] = {}
    for part in parts:
        for code, sel in part.items():
            per.setdefault(code, []).append(sel)
    out = {}
    for code, sels in per.items():
        sels = list(dict.fromkeys(sels))  # (equal selections once)
        if len(sels) == 1:
            out[code] = sels[0]
        elif len(sels) == 2:
            out[code] = _union({code: sels[0]}, {code: sels[1]}, ctx)[code]
        elif ALL in sels:
            out[code] = ALL
        elif all(s.area is WHOLE for s in sels):
            statuses = [s.statuses for s in sels]
            out[code] = Sel(None if None in statuses else frozenset().union(*statuses), WHOLE)
        elif len({s.statuses for s in sels}) == 1:
            areas = [s.area for s in sels]
            area = WHOLE if any(a is WHOLE for a in areas) else union_regions(areas)
            out[code] = Sel(sels[0].statuses, area)
        else:
            out[code] = Sel(None, union_regions([_materialise(code, s, ctx) for s in sels]))
    return out


def _complement(regions: dict[str, Sel], ctx: _Context) -> dict[str, Sel]:
    data = geodata.load()
    out = {}
    for code, g in data.geometry.items():
        sel = regions.get(code)
        if sel is None:
            out[code] = ALL
        elif sel.area is WHOLE and sel.statuses is None:
            continue
        elif sel.area is WHOLE:
            rest = frozenset(ctx.has.get(code, set())) - sel.statuses
            if rest:
                out[code] = Sel(rest, WHOLE)
        else:
            out[code] = Sel(None, overlay(shapely.difference, g, _materialise(code, sel, ctx)))
    return out


# --- bands ------------------------------------------------------------------------------


def _band(band, regions: dict[str, Sel], ctx: _Context) -> dict[str, Sel]:
    """The band's zone near the land selected so far, on the band's side (by status)."""
    if band not in ctx.checked:
        _check_side(band, ctx)
        ctx.checked.add(band)
    data = geodata.load()
    boxes = [_bounds(code, sel, ctx) for code, sel in regions.items()]
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return {}
    b = np.array(boxes)
    reach = band.km * 1000 + bandzone.margin_m(band.km)
    box = (
        b[:, 0].min() - reach,
        b[:, 1].min() - reach,
        b[:, 2].max() + reach,
        b[:, 3].max() + reach,
    )

    def draw() -> dict:
        runs = ctx.runs()
        meets = bandzone.meeting(bandzone.envelopes(runs), np.array(box))
        near = [r for r, keep in zip(runs, meets, strict=True) if keep]
        return {"zone": bandzone.unite(bandzone.run_buffers(near, band.km))}

    # kept between runs: the line and its buffer are ~0.3 s of a run on a DeepState day
    key = geomcache.digest("band zone", ctx.digest(), [float(x) for x in box], band.km)
    zone = geomcache.kept(key, draw, ("zone",))["zone"]
    if zone.is_empty:  # no line near the land
        return {}
    statuses = None if band.side == "both" else frozenset({band.side})
    return {
        code: Sel(statuses, overlay(shapely.intersection, data.geometry[code], zone))
        for code in regions
    }


def _bounds(code: str, sel: Sel, ctx: _Context) -> tuple | None:
    """Bounding box of the land a selection can take in one oblast (None: nothing)."""
    pieces = [
        p.geometry
        for p in ctx.base.pieces
        if p.oblast == code and (sel.statuses is None or p.before in sel.statuses)
    ]
    if not pieces:
        return None
    b = shapely.bounds(np.array(pieces, dtype=object))
    box = np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])
    if sel.area is not WHOLE:
        if sel.area.is_empty:
            return None
        a = shapely.bounds(sel.area)
        box = np.array([max(box[0], a[0]), max(box[1], a[1]), min(box[2], a[2]), min(box[3], a[3])])
    return None if box[0] > box[2] or box[1] > box[3] else tuple(box)


def _check_side(band, ctx: _Context) -> None:
    """The engine's error for a band that would swallow its whole side, decided cheaply.

    Notes
    -----
    The line lies on the boundary of Russian-held land R and within 1 m of Ukrainian-held
    land U, so for any point x, ``d(x, line) >= max(d(x, R), d(x, U) - 1 m)``. One point
    of the side farther than the band's reach (``bandzone.margin_m``) from R, or U, proves
    that the band leaves land outside; otherwise the engine's own check decides.
    """
    pieces = ctx.base.pieces
    russia = [p.geometry for p in pieces if p.before == "russia"]
    ukraine = [p.geometry for p in pieces if p.before == "ukraine"]
    if not russia or not ukraine:
        return  # no line: the engine's band is empty, never an error
    side = [p.geometry for p in pieces if band.side == "both" or p.before == band.side]
    if not side:
        return
    side_a = np.array(side, dtype=object)
    coords = shapely.get_coordinates(shapely.boundary(side_a))
    step = max(1, len(coords) // 50)
    points = np.concatenate([shapely.point_on_surface(side_a), shapely.points(coords[::step])])
    reach = band.km * 1000 + bandzone.margin_m(band.km)
    far = np.zeros(len(points), dtype=bool)
    for geoms, extra in ((russia, 0.0), (ukraine, 1.0)):
        near = np.zeros(len(points), dtype=bool)
        for g in geoms:  # prepared: distance tests against an index of the edges
            shapely.prepare(g)
            near |= shapely.dwithin(g, points, reach + extra)
        far |= ~near
    if far.any():
        return
    bandregion.band_region(band, pieces)  # raises InputError when the band covers the side
