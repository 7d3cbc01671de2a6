"""The timeline's band part of each day: per support tile, its km² in every class (holder ×
inside each band); per population point, inside each band or not (see ``Bands``)."""

from __future__ import annotations

import numpy as np
import shapely

from . import bandzone, geodata
from .partition import polygonal
from .regions import clip_box, near
from .scenario_selectors import Band
from .timeline_day import STATUSES, Geometry, Land

CONTEXT_M = 500.0  # runs are taken this far beyond where they can matter (see _local)
EDGE_M = 2000.0  # the line is cut this far beyond the reach of what is measured
CELL_M = 500.0  # changed segments are grouped by cells this wide to find points near them
SLACK_M = 10.0  # beyond what a change can reach (the line's 1 m contact test, rounding)
KEPT = 4000  # run buffers and group unions kept per band between days (beyond: fewer)


def _sure_in(depth_m: float) -> float:
    """How far inside the depth a point is surely in GEOS's buffer of the line: its arcs
    are chords (16 per quadrant) whose sagitta is depth · (1 - cos(π/64)), ~24 m at 20 km;
    with a margin."""
    return depth_m * (1.0 - np.cos(np.pi / 64)) + 25.0


def _sure_out(depth_m: float) -> float:
    """How far beyond the depth a point is surely outside GEOS's buffer of the line: its
    input simplification moves the line by at most 1 % of the depth; with a margin."""
    return 0.015 * depth_m + 50.0


def _window(depth_m: float) -> float:
    """How far from a point the line can decide whether it is in the band (the runs
    ``Bands._local`` unites come this near)."""
    return depth_m + _sure_out(depth_m) + CONTEXT_M


def _contact_line_near(geom: Geometry, held, box):
    """The line of contact (as bandregion.contact_line draws it, ``bandzone.contact``) inside a
    box only, from the Russian-held territory cut to it (``held``; ``geom.ukraine``
    prepared): but for stubs of about a metre along the box's edges, beyond any band's
    reach of what is measured, the engine's line there.
    """
    rect = shapely.box(*box)
    if shapely.contains(geom.ukraine, rect):  # (prepared) most days' box: held is in it
        ukraine, russia = rect, polygonal(held)  # (held ∩ box, ~0.3 ms a day, is held)
    else:
        ukraine = clip_box(geom.ukraine, box)
        russia = polygonal(shapely.intersection(held, ukraine))
    if russia.is_empty:
        return shapely.LineString()
    line = bandzone.contact(russia, polygonal(shapely.difference(ukraine, russia)))
    # joined into its longest chains: GEOS simplifies a buffer's input part by part (by 1 %
    # of the depth), so where a part breaks changes a deep band; cut to a box, the line
    # breaks elsewhere than the engine's (120 km band: +0.74 km² in Crimea, 0.019 %)
    return shapely.line_merge(line)


def _cells(bounds: np.ndarray, reach: float) -> np.ndarray:
    """Boxes covering every envelope of ``bounds`` grown by ``reach``, few: each envelope
    is widened to whole cells of ``CELL_M`` first, so that the many short segments of one
    change give one box (a query per segment's box returned the same points again and
    again). Points in the extra margin are tested needlessly but correctly: an answer
    that cannot have changed is found again (``Bands._inside`` keeps those near the depth).
    """
    lo = np.floor(bounds[:, :2] / CELL_M) * CELL_M - reach
    hi = np.ceil(bounds[:, 2:] / CELL_M) * CELL_M + reach
    cells = np.hstack([lo, hi])
    cells = cells[np.lexsort(cells.T[::-1])]  # (np.unique by rows: twice as long)
    first = np.ones(len(cells), dtype=bool)
    first[1:] = (cells[1:] != cells[:-1]).any(axis=1)
    return shapely.box(*cells[first].T)


def relevant(bands: tuple[Band, ...], holder: str) -> int:
    """The bits of the bands that can select land or settlements held by ``holder``: a band
    on one side leaves the other side's in no band (``bandregion.band_region``)."""
    return sum(1 << i for i, b in enumerate(bands) if b.side in ("both", holder))


def _distinct(index: np.ndarray, n: int) -> np.ndarray:
    """The distinct values of ``index`` (all in range(n)), sorted: ``np.unique`` by a mask."""
    mask = np.zeros(n, dtype=bool)
    mask[index] = True
    return np.flatnonzero(mask)


class Bands:
    """The band part of each day, kept between days: per support tile, its km² in every
    class (holder × inside each band); per support settlement, inside each band or not.

    Only support tiles and settlements within a band's reach of today's changed segments
    are measured again, and of those only where a band's side holds them: a band on
    Russia's side leaves Ukrainian-held land and settlements in no band (``relevant``),
    so a wholly Ukrainian tile needs no zone and a Ukrainian-held settlement no test.
    They are measured against the line of contact and band zones drawn in their bounding
    box only (a settlement near the depth keeps its answer unless a change reaches its
    window, see ``_inside``).
    Zones are drawn as ``run`` draws them (``bandzone``): the union of the buffers of the
    line's runs, each buffer and each group's union kept from the day before when
    unchanged. The line is cut to a box ``EDGE_M`` beyond the reach of what is measured:
    a run cut there differs from the whole one only near the cut (a cap; GEOS simplifies
    a buffer's line vertex by vertex), out of reach.
    Population points are decided by their distance to the line, except those so near
    the band's depth that GEOS's buffers could decide otherwise: they are tested against
    the union of the buffers of the runs near them (``_local``).
    """

    def __init__(self, geom: Geometry) -> None:
        self.geom = geom
        shapely.prepare(geom.ukraine)  # (tells whether a box lies inside the country)
        self.per = 2 ** len(geom.bands)
        deepest = max(b.km for b in geom.bands)  # a change this far away alters no zone here
        self.reach = deepest * 1000 + bandzone.margin_m(deepest)
        self.tiles = np.flatnonzero(np.isin(geom.tile_atom, geom.support))
        self.tree = shapely.STRtree(geom.tiles[self.tiles])
        self.bounds = shapely.bounds(geom.tiles[self.tiles])
        self.areas = np.zeros((len(self.tiles), len(STATUSES) * self.per))
        self.points = np.flatnonzero(np.isin(geom.settlement_atom, geom.support))
        self.xy = geom.point_xy[self.points]
        self.point_geoms = shapely.points(self.xy)
        self.point_tree = shapely.STRtree(self.point_geoms)
        self.inside = np.zeros((len(self.points), len(geom.bands)), dtype=bool)
        # per settlement and band: its answer is not known for the line of today (a change
        # came near while its holder was not the band's side, or it was never tested)
        self.stale = np.ones_like(self.inside)
        self.relevant = {s: relevant(geom.bands, s) for s in STATUSES}
        self.buffers: dict[float, dict[bytes, object]] = {}
        self.unions: dict[float, dict[tuple, object]] = {}  # per km, per group: its union
        self.group_of = np.zeros(0, dtype=int)  # per run of today's: its group
        self.group_keys: list[tuple] = []  # per group of today's: its runs' bytes
        self.runs: list = []  # today's runs of the line near what is measured: (key, xy)
        self.run_boxes = bandzone.envelopes([])  # their envelopes
        self.started = False

    def update(
        self, land: Land, tile_in: np.ndarray, changed, flipped=None, point_in=None, lap=None
    ) -> None:
        """Measure again what today's changes can reach (everything on the first day), and
        the support tiles whose holder changed far from any changed segment (``flipped``:
        per tile, re-clipped today; a whole tile retaken inside a large area keeps no
        band, but its km² by holder must follow). ``point_in``: per population point,
        whether it is Russian-held today (None: every settlement counts as both).
        ``lap(stage)``, when given, is told where the time went: the line of contact
        (with the territory near it), the zones, the tiles' classes, the settlements'
        tests ("bands: line", "bands: zones", "bands: tiles", "bands: settlements"),
        and the rest ("bands": what to measure again, which settlements)."""
        lap = lap or (lambda stage: None)
        held = None if point_in is None else point_in[self.points]
        boxes = None
        first = not self.started or changed is None
        far = (
            np.flatnonzero(flipped[self.tiles])
            if flipped is not None and self.started
            else np.zeros(0, dtype=int)
        )
        if first:
            dirty = np.arange(len(self.tiles))
        elif not len(changed) and not len(far):  # and so no holder changed either
            return
        elif not len(changed):
            dirty = far
        else:
            b = shapely.bounds(changed)
            r = self.reach
            boxes = shapely.box(b[:, 0] - r, b[:, 1] - r, b[:, 2] + r, b[:, 3] + r)
            near = self.tree.query(boxes)[1]
            dirty = _distinct(np.concatenate([near, far]), len(self.tiles))
        self.started = True
        if first:
            todo = np.arange(len(self.points))
        elif boxes is None:  # no segment changed: no settlement's distance to the line did
            todo = np.zeros(0, dtype=int)
        else:  # settlements within a band's reach of a change (by grid cells: a superset)
            todo = _distinct(self.point_tree.query(_cells(b, self.reach))[1], len(self.points))
        tests = self._follow(held, todo)
        # tiles whose holders no band selects: their km² by holder, without a zone
        wants = np.array([self._wants(self.tiles[k], tile_in) for k in dirty], dtype=int)
        for k in dirty[wants == 0]:
            self.areas[k] = self._tile_classes(self.tiles[k], None, tile_in, [], 0)
        dirty, wants = dirty[wants != 0], wants[wants != 0]
        todo = _distinct(np.concatenate([t for t, _ in tests] + [todo[:0]]), len(self.points))
        if not len(dirty) and not len(todo):
            return
        boxes_xy = [self.bounds[dirty, :2], self.bounds[dirty, 2:], self.xy[todo], self.xy[todo]]
        lo = np.vstack(boxes_xy[0::2]).min(axis=0)  # (a settlement may lie beyond its tiles)
        hi = np.vstack(boxes_xy[1::2]).max(axis=0)
        # the line near today's dirty tiles and settlements only: a stretch farther than
        # the reach from them cannot change a zone or an answer there; runs are cut by
        # their own vertices, so all but those at the box's edges were buffered before
        box = (*(lo - self.reach - EDGE_M), *(hi + self.reach + EDGE_M))
        lap("bands")
        territory = land.near(box)
        line = _contact_line_near(self.geom, territory, box)
        groups = [] if line.is_empty else bandzone.grouped(line)
        runs = [(r.tobytes(), r) for g in groups for r in g]
        self.runs = runs
        self.group_of = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        # (in either order: line_merge may run a chain the other way on another day)
        self.group_keys = [tuple(sorted(r.tobytes() for r in g)) for g in groups]
        self.run_boxes = bandzone.envelopes([r for _, r in runs])
        # the runs as parts: a prepared line tells distances ~40 % faster so (its index
        # holds short parts, not a few long chains), and they lie where the line does
        line = shapely.multilinestrings(bandzone.lines([r for _, r in runs]))
        grown = self.bounds[dirty] + np.array([-1, -1, 1, 1]) * self.reach
        lap("bands: line")
        zones = self._zones(runs, grown)
        lap("bands: zones")
        for k, bits in zip(dirty, wants, strict=True):
            self.areas[k] = self._tile_classes(self.tiles[k], territory, tile_in, zones, bits)
        lap("bands: tiles")
        since = None if boxes is None else changed  # None: nothing to keep from before
        for i, (some, stale) in enumerate(tests):
            if len(some):  # a stale answer cannot be kept: no shortcut for those
                self.inside[some, i] = self._inside(i, line, some, since, stale)
                self.stale[some, i] = False
        lap("bands: settlements")

    def _follow(self, held, todo: np.ndarray) -> list:
        """Per band, the settlements to test today: those of ``todo`` (near a change) and
        the stale ones, among those held by the band's side. A settlement off the side is
        in no band, and stale: its answer must be found again if it changes sides.
        Returns per band (indices, which of them are stale)."""
        near = np.zeros(len(self.points), dtype=bool)
        near[todo] = True
        tests = []
        for i, band in enumerate(self.geom.bands):
            side = np.ones(len(self.points), dtype=bool)
            if held is not None and band.side != "both":
                side = held if band.side == "russia" else ~held
            self.inside[~side, i] = False
            self.stale[~side, i] = True
            some = np.flatnonzero((near | self.stale[:, i]) & side)
            tests.append((some, self.stale[some, i].copy()))
        return tests

    def _wants(self, t: int, tile_in: np.ndarray) -> int:
        """The band bits that can apply to some part of tile ``t``: those of the bands on
        the side of each holder present in it."""
        held, total = float(tile_in[t]), float(self.geom.tile_km2[t])
        bits = 0
        if held > 0.0:
            bits |= self.relevant["russia"]
        if held < total:
            bits |= self.relevant["ukraine"]
        return bits

    def _zones(self, runs: list, boxes: np.ndarray) -> list:
        """Each band's zone, from the groups of runs of which a run's envelope meets one
        of ``boxes`` (each dirty tile's envelope grown by the reach): a group no run of
        which comes that near cannot change the zone inside a dirty tile, so it is left
        out of the union (a group's runs farther away change nothing there either)."""
        if not runs:
            return [shapely.Polygon() for _ in self.geom.bands]
        meets = bandzone.meeting(self.run_boxes, boxes)
        picked = _distinct(self.group_of[meets], len(self.group_keys))
        if not len(picked):
            return [shapely.Polygon() for _ in self.geom.bands]
        zones = []
        for band in self.geom.bands:
            zone = bandzone.unite(self._group_unions(band.km, picked))
            shapely.prepare(zone)
            zones.append(zone)
        return zones

    def _group_unions(self, km: float, picked: np.ndarray) -> list:
        """The union of the run buffers at ``km`` of each of today's ``picked`` groups
        (``bandzone.grouped``): those of groups met on the days before are kept, like the
        buffers (a day changes a few runs; the rest of the zone's union is not redone).
        Uniting whole groups adds runs farther than the reach, which change nothing inside
        what is measured."""
        kept = self.unions.setdefault(km, {})
        missing = [g for g in picked if self.group_keys[g] not in kept]
        if missing:  # (a group's runs are consecutive in ``runs``)
            starts = np.searchsorted(self.group_of, np.arange(len(self.group_keys) + 1))
            spans = [(starts[g], starts[g + 1]) for g in missing]
            made = self._buffers(km, [r for a, b in spans for r in self.runs[a:b]])
            at = 0
            for g, (a, b) in zip(missing, spans, strict=True):
                kept[self.group_keys[g]] = bandzone.unite(made[at : at + b - a])
                at += b - a
        out = [kept[self.group_keys[g]] for g in picked]
        if len(kept) > KEPT:
            self.unions[km] = {self.group_keys[g]: u for g, u in zip(picked, out, strict=True)}
        return out

    def _buffers(self, km: float, runs: list) -> list:
        """The buffers of ``runs`` ((key, xy)) at ``km``: those of runs buffered on the days
        before are kept (past ``KEPT`` of them, only those asked for last: a day's runs of
        the groups it unites anew, or of the settlements tested near the depth)."""
        kept = self.buffers.setdefault(km, {})
        missing = [(key, r) for key, r in runs if key not in kept]
        made = bandzone.run_buffers([r for _, r in missing], km)
        kept.update((key, b) for (key, _), b in zip(missing, made, strict=True))
        out = [kept[key] for key, _ in runs]
        if len(kept) > KEPT:
            self.buffers[km] = {key: b for (key, _), b in zip(runs, out, strict=True)}
        return out

    def _tile_classes(
        self, t: int, territory, tile_in: np.ndarray, zones: list, wants: int
    ) -> np.ndarray:
        """km² of one tile in every (holder, band bits) class: the bits of ``wants`` only
        (``_wants``), and of those only the bits of bands on the holder's side.

        The tile is cut by the zones into leaves (one per combination of band bits it
        has); then only the Russian-held part of all leaves but the largest is measured:
        the largest gets what is left of the tile's Russian-held km² (known from the
        clipping), and each leaf's Ukrainian-held km² is the leaf less its Russian part.
        """
        tile = self.geom.tiles[t]
        held, total = float(tile_in[t]), float(self.geom.tile_km2[t])
        leaves = [(tile, 0)]
        for i, zone in enumerate(zones):
            if not wants >> i & 1:
                continue
            nxt = []
            for g, bits in leaves:
                if zone.is_empty or not shapely.intersects(zone, g):
                    nxt.append((g, bits))
                elif shapely.contains(zone, g):
                    nxt.append((g, bits | (1 << i)))
                else:  # (the zone cut to the leaf's box first: the same land, sooner)
                    local = near(zone, g, large=0)
                    nxt.append((polygonal(shapely.intersection(g, local)), bits | (1 << i)))
                    nxt.append((polygonal(shapely.difference(g, local)), bits))
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
                    part = shapely.intersection(g, near(territory, g, large=0))
                    russia[k] = float(geodata.area_km2(part))
            russia[big] = min(max(held - russia.sum(), 0.0), areas[big])
        row = np.zeros(len(STATUSES) * self.per)
        r, u = STATUSES.index("russia") * self.per, STATUSES.index("ukraine") * self.per
        on_r, on_u = self.relevant["russia"], self.relevant["ukraine"]
        for (_, bits), area, part in zip(leaves, areas, russia, strict=True):
            row[r + (bits & on_r)] += part
            row[u + (bits & on_u)] += area - part
        return row

    def _inside(self, i: int, line, todo: np.ndarray, changed, stale=None) -> np.ndarray:
        """Whether each of the ``todo`` points lies in GEOS's buffer of band ``i`` of the
        line near it, ``changed`` being the boundary segments changed since the day
        before (lines; None: all) and ``stale`` those of the points whose last answer is
        not for yesterday's line (None: none).

        The distance to the line decides all but the points near the band's depth: GEOS's
        buffer lies between the true one less its arcs' sagitta (``_sure_in``) and the
        true one grown by its input simplification (``_sure_out``). The points between
        are tested against the zone as run draws it near them (``_local``), unless no
        changed segment comes within their window: the line there is then as it was when
        they were last tested, and so is the answer (``todo`` is chosen by envelopes, so
        it holds such points; this test is exact, but too slow for all of ``todo``).
        """
        if line.is_empty or not len(todo):
            return np.zeros(len(todo), dtype=bool)
        band = self.geom.bands[i]
        points = self.point_geoms[todo]
        shapely.prepare(line)
        d = band.km * 1000
        # the surely-in test first: it settles ~90 % of the points near a change, so the
        # wider test is left with the rest (one distance test a point, not two)
        sure = shapely.dwithin(line, points, d - _sure_in(d))
        hit = sure.copy()
        rest = np.flatnonzero(~sure)
        edge = rest[shapely.dwithin(line, points[rest], d + _sure_out(d))]
        if changed is not None and len(edge):
            moved = shapely.multilinestrings(changed)
            same = ~shapely.dwithin(moved, points[edge], _window(d) + SLACK_M)
            if stale is not None:
                same &= ~stale[edge]
            hit[edge[same]] = self.inside[todo[edge[same]], i]
            edge = edge[~same]
        hit[edge] = self._local(band, points[edge], self.xy[todo[edge]])
        return hit

    def _local(self, band: Band, points: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Points tested against the band's zone as ``run`` draws it near them: the union
        of the groups of today's runs (``bandzone``, ``_group_unions``) of which a run's
        envelope comes within ``_window`` of one of them (a run farther away cannot reach
        a point near the depth)."""
        if not len(points) or not self.runs:
            return np.zeros(len(points), dtype=bool)
        r = _window(band.km * 1000)
        meets = bandzone.meeting(self.run_boxes, np.hstack([xy - r, xy + r]))
        picked = _distinct(self.group_of[meets], len(self.group_keys))
        return shapely.intersects(bandzone.unite(self._group_unions(band.km, picked)), points)

    def fill(self, row: np.ndarray) -> None:
        """Put the support atoms' class km² into a day's row."""
        n_atoms = len(self.geom.atoms)
        owner = self.geom.tile_atom[self.tiles]
        for a in self.geom.support:
            total = self.areas[owner == a].sum(axis=0)
            for c in range(len(total)):
                row[c * n_atoms + a] = total[c]

    def bits(self) -> np.ndarray:
        """Each support settlement's band bits (bit i: inside band i), in ``points`` order."""
        out = np.zeros(len(self.points), dtype=int)
        for i in range(len(self.geom.bands)):
            out[self.inside[:, i]] |= 1 << i
        return out
