"""Land cut off behind Russian lines, day after day: ``reconcile.cut_off`` for the timeline
(``Pockets``); and the outline strips, ``reconcile.strips`` (``Strips``).

``run`` finds the pockets of a day in the country less its Russian-held land R (about
20 ms: GEOS's overlay of the whole outline with the whole of R), and the strips in the
outline zone less R (about 6 ms). The timeline keeps that land cut into overlapping grid
cells instead, and from one day to the next cuts again only the cells that DeepState's
changed boundary segments reach.

Notes
-----
The pieces of cell ``c`` are the parts of ``(country ∩ c) \\ R``; cells overlap by
``OVERLAP_M``, so two pieces of neighbouring cells belong to one connected part of
``country \\ R`` exactly when their interiors meet. The parts of ``country \\ R`` are the
connected components of that graph; the largest is the main land and the others are
what ``cut_off`` filters (touching R, ``POCKET_KM2`` or more). The strips are found the
same way in the outline zone.
"""

from __future__ import annotations

import numpy as np
import shapely

from . import reconcile
from .regions import clip_box

CELL_M = 100_000.0  # grid cell side
OVERLAP_M = 50.0  # cells reach this far into their neighbours


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A label per node of an undirected graph (edges a[i]–b[i]): the least node of its
    connected component (min-label propagation with pointer jumping)."""
    labels = np.arange(n)
    while True:
        low = np.minimum(labels[a], labels[b])
        before = labels.copy()
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        labels = labels[labels]
        if np.array_equal(labels, before):
            return labels


def _grid(base) -> tuple:
    """``base`` (polygons) cut into grid cells of ``CELL_M`` overlapping by ``OVERLAP_M``:
    the cells' boxes (those meeting it), their STRtree, the pairs of neighbouring cells,
    each cell's part of ``base``, and a point of each part (R covering it or not tells a
    cell that R came to cover whole, or left whole, with its changed boundary outside the
    cell's box)."""
    x0, y0, x1, y1 = base.bounds
    nx, ny = int(np.ceil((x1 - x0) / CELL_M)), int(np.ceil((y1 - y0) / CELL_M))
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    ix, iy = ix.ravel(), iy.ravel()
    box = np.column_stack([x0 + ix * CELL_M, y0 + iy * CELL_M])
    box = np.hstack([box - OVERLAP_M, box + CELL_M + OVERLAP_M])
    keep = shapely.intersects(base, shapely.box(*box.T))
    boxes = box[keep]
    at = {(i, j): k for k, (i, j) in enumerate(zip(ix[keep], iy[keep], strict=True))}
    pairs = np.array(
        [
            (k, at[i + di, j + dj])
            for (i, j), k in at.items()
            for di, dj in ((1, 0), (0, 1))
            if (i + di, j + dj) in at
        ],
        dtype=int,
    ).reshape(-1, 2)
    land = [clip_box(base, tuple(b)) for b in boxes]
    probe = shapely.point_on_surface(np.array(land, dtype=object))
    probe = np.array([p.coords[0] if not p.is_empty else (x0, y0) for p in probe])
    return boxes, shapely.STRtree(shapely.box(*boxes.T)), pairs, land, probe


def _linked(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(i, j) for pieces a[i], b[j] whose interiors meet (in the cells' overlap)."""
    if not len(a) or not len(b):
        return np.empty((0, 2), dtype=int)
    i, j = np.nonzero(shapely.intersects(a[:, None], b[None, :]))
    inner = shapely.relate_pattern(a[i], b[j], "T********")
    return np.column_stack([i[inner], j[inner]])


def _dirty(cells, changed: np.ndarray | None, covers, distance: float) -> np.ndarray:
    """The cells of ``cells`` (``Pockets``, ``Strips``) a day cuts again: every cell on
    the first call or when ``changed`` is None; else those its changed segments ((n, 4))
    come within ``distance`` of, and those whose probe R (``covers(xy)``) came to cover or
    left. Their probes are updated."""
    if changed is None or not cells.started:
        cells.started = True
        dirty = np.arange(len(cells.boxes))
    elif not len(changed):
        return np.zeros(0, dtype=int)
    else:
        lines = shapely.linestrings(changed.reshape(-1, 2, 2))
        if distance > 0:
            near = cells.tree.query(lines, predicate="dwithin", distance=distance)[1]
        else:
            near = cells.tree.query(lines, predicate="intersects")[1]
        flipped = np.flatnonzero(covers(cells.probe) != cells.probe_in)
        dirty = np.unique(np.concatenate([near, flipped]))
    cells.probe_in[dirty] = covers(cells.probe[dirty])
    return dirty


def _relink(pieces: list, pairs: np.ndarray, links: list, mark: np.ndarray) -> bool:
    """The links (cell, i, cell, j) of every pair of neighbouring cells one of which is
    marked, made again in ``links``; whether each is as it was."""
    same = True
    for n in np.nonzero(mark[pairs[:, 0]] | mark[pairs[:, 1]])[0]:
        a, b = pairs[n]
        ij = _linked(pieces[a], pieces[b])
        link = np.column_stack([np.full(len(ij), a), ij[:, 0], np.full(len(ij), b), ij[:, 1]])
        same &= np.array_equal(link, links[n])
        links[n] = link
    return same


def _parts(pieces: list, links: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per piece (cell order; some piece there must be): its cell, its index in the cell
    and its connected part (0, 1, …)."""
    sizes = np.array([len(p) for p in pieces])
    start = np.concatenate([[0], np.cumsum(sizes)])
    cell = np.repeat(np.arange(len(sizes)), sizes)
    local = np.arange(sizes.sum()) - start[cell]
    e = np.concatenate([np.empty((0, 4), dtype=int), *links])
    labels = _components(len(cell), start[e[:, 0]] + e[:, 1], start[e[:, 2]] + e[:, 3])
    return cell, local, np.unique(labels, return_inverse=True)[1]


class Pockets:
    """The timeline's cut-off pockets of consecutive days (``day``), as ``cut_off`` gives
    them for ``run`` on each day alone."""

    def __init__(self) -> None:
        self.country = reconcile.outline_zone().country
        self.boxes, self.tree, self.pairs, self.land, self.probe = _grid(self.country)
        self.probe_in = np.zeros(len(self.boxes), bool)
        self.pieces: list[np.ndarray] = [np.empty(0, dtype=object)] * len(self.boxes)
        self.core: list[np.ndarray] = [np.empty(0)] * len(self.boxes)  # km² in the cell alone
        self.links = [np.empty((0, 4), dtype=int)] * len(self.pairs)  # (cell, i, cell, j)
        self.found: tuple = ()
        self.groups: list | None = None  # (cells, piece indices, union) per part not main
        self.part = np.empty(0, dtype=int)  # the part of each piece (cell order)
        self.main = -1  # the largest part (main land)
        self.started = False

    def day(self, land) -> tuple[tuple[str, float], ...]:
        """km² per unit code cut off on the day of ``land`` (a ``timeline_day.Land``; its
        ``changed`` None on a chunk's first day; the first call cuts every cell whatever it
        is given), as ``reconcile.cut_off`` gives them."""
        dirty = _dirty(self, land.changed, land.covers_xy, 0.0)
        if not len(dirty):
            return self.found
        same = self.groups is not None  # the graph as the day before: groups kept
        for k in dirty:
            cut = self._cut(land, k)
            same &= len(cut) == len(self.pieces[k])
            self.pieces[k] = cut
            self.core[k] = shapely.area(clip_box(cut, self._core(k)))
        mark = np.zeros(len(self.boxes), bool)
        mark[dirty] = True
        same &= _relink(self.pieces, self.pairs, self.links, mark)
        if same and len(self.part):  # the same graph; is its largest part still the largest?
            km2 = np.bincount(self.part, weights=np.concatenate(self.core))
            same = int(np.argmax(km2)) == self.main
        if not same:
            self.groups = self._groups()
        groups = self.groups
        redo = [n for n, (c, _, shape) in enumerate(groups) if shape is None or mark[c].any()]
        for n in redo:  # a part whose pieces changed: their union made again
            cells, index, _ = groups[n]
            pieces = [self.pieces[c][i] for c, i in zip(cells, index, strict=True)]
            groups[n] = (cells, index, shapely.union_all(pieces))
        if redo or not same:
            self.found = self._pockets(land)
        return self.found

    def _core(self, k: int) -> tuple:
        """Cell ``k``'s box without the overlaps: the cores tile the plane."""
        x0, y0, x1, y1 = self.boxes[k]
        return (x0 + OVERLAP_M, y0 + OVERLAP_M, x1 - OVERLAP_M, y1 - OVERLAP_M)

    def _cut(self, land, k: int) -> np.ndarray:
        box = tuple(self.boxes[k])
        if self.land[k].is_empty:
            return np.empty(0, dtype=object)
        parts = shapely.get_parts(shapely.difference(self.land[k], land.near(box)))
        return parts[shapely.area(parts) > 0]

    def _groups(self) -> list[tuple[np.ndarray, np.ndarray, object]]:
        """The connected parts of the country less R but the largest, as (cells, piece
        indices, None: their union not made yet)."""
        if not sum(len(p) for p in self.pieces):
            self.part, self.main = np.empty(0, dtype=int), -1
            return []
        cell, local, index = _parts(self.pieces, self.links)
        area = np.concatenate(self.core)  # (in the cores: no overlap counted twice)
        main = int(np.argmax(np.bincount(index, weights=area)))
        self.part, self.main = index, main
        order = np.argsort(index, kind="stable")
        cuts = np.cumsum(np.bincount(index))[:-1]
        members = zip(np.split(cell[order], cuts), np.split(local[order], cuts), strict=True)
        return [(c, i, None) for g, (c, i) in enumerate(members) if g != main]

    def _pockets(self, land) -> tuple[tuple[str, float], ...]:
        parts = np.array([shape for _, _, shape in self.groups], dtype=object)
        if not len(parts):
            return ()
        parts = parts[_touch(land, parts)]
        parts = parts[shapely.area(parts) >= reconcile.POCKET_KM2 * 1e6]
        if not len(parts):
            return ()
        return reconcile.moved_by_oblast(shapely.union_all(parts))


def _touch(land, parts: np.ndarray) -> np.ndarray:
    touch = shapely.dwithin(land.raw, parts, reconcile.TOUCH_M)
    if land.grown is not None:
        touch |= shapely.dwithin(land.grown, parts, reconcile.TOUCH_M)
    return touch


class Strips:
    """``reconcile.strips`` of consecutive days (``day``): the outline zone less R kept cut
    into grid cells, each cut again only when the day's changed boundary segments come
    within ``reconcile.TOUCH_M`` of it (or R came to cover it whole, or left it).

    Notes
    -----
    The parts of ``Z \\ R`` are the connected parts of the graph of the cells' pieces, as
    for the pockets; the strips are the parts none of whose pieces comes within
    ``TOUCH_M`` of the zone's inland edge and one of whose pieces comes within ``TOUCH_M``
    of R, each the union of its pieces: the same land as ``reconcile.strips`` (drawn
    whole, ~6 ms a day the zone changes), to the cells' cuts.
    """

    def __init__(self) -> None:
        zone = reconcile.outline_zone()
        self.inland = zone.inland
        self.boxes, self.tree, self.pairs, self.land, self.probe = _grid(zone.zone)
        self.probe_in = np.zeros(len(self.boxes), bool)
        self.pieces: list[np.ndarray] = [np.empty(0, dtype=object)] * len(self.boxes)
        self.inland_hit: list[np.ndarray] = [np.empty(0, dtype=bool)] * len(self.boxes)
        self.touch_hit: list[np.ndarray] = [np.empty(0, dtype=bool)] * len(self.boxes)
        self.cut = np.zeros(len(self.boxes), dtype=int)  # per cell: how often it was cut
        self.links = [np.empty((0, 4), dtype=int)] * len(self.pairs)  # (cell, i, cell, j)
        self.unions: dict[tuple, object] = {}  # per part (its cells' cuts, pieces): union
        self.shape = shapely.MultiPolygon()
        self.started = False

    def day(self, raw, changed: np.ndarray | None):
        """The strips of the day whose DeepState layer is ``raw`` (prepared), ``changed``
        being its boundary segments changed since the day before, (n, 4) (None: the first
        day; the first call cuts every cell whatever it is given)."""
        dirty = _dirty(self, changed, lambda xy: shapely.intersects_xy(raw, xy), reconcile.TOUCH_M)
        if not len(dirty):
            return self.shape
        for k in dirty:
            self.pieces[k] = self._cut(raw, k)
            # (a piece's distance to R changes only with a cut: a change within TOUCH_M of
            # its cell's box cuts the cell again)
            self.inland_hit[k] = shapely.dwithin(self.inland, self.pieces[k], reconcile.TOUCH_M)
            self.touch_hit[k] = shapely.dwithin(raw, self.pieces[k], reconcile.TOUCH_M)
            self.cut[k] += 1
        mark = np.zeros(len(self.boxes), bool)
        mark[dirty] = True
        _relink(self.pieces, self.pairs, self.links, mark)
        self.shape = self._strips()
        return self.shape

    def _cut(self, raw, k: int) -> np.ndarray:
        if self.land[k].is_empty:
            return np.empty(0, dtype=object)
        held = clip_box(raw, tuple(self.boxes[k]))
        parts = shapely.get_parts(shapely.difference(self.land[k], held))
        return parts[shapely.area(parts) > 0]

    def _strips(self):
        """The parts of the pieces' graph that are strips, as one (Multi)Polygon: a part of
        one piece is that piece; the union of a part of several is kept while none of
        their cells is cut again."""
        if not sum(len(p) for p in self.pieces):
            return shapely.MultiPolygon()
        cell, local, part = _parts(self.pieces, self.links)
        inland = np.zeros(part.max() + 1, dtype=bool)
        touch = np.zeros(part.max() + 1, dtype=bool)
        np.logical_or.at(inland, part, np.concatenate(self.inland_hit))
        np.logical_or.at(touch, part, np.concatenate(self.touch_hit))
        strip = touch & ~inland
        some = np.flatnonzero(strip[part])
        if not len(some):
            return shapely.MultiPolygon()
        order = some[np.argsort(part[some], kind="stable")]
        bounds = np.flatnonzero(np.r_[True, part[order][1:] != part[order][:-1], True])
        polygons, kept = [], {}
        for i, j in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            members = order[i:j]
            if j - i == 1:
                polygons.append(self.pieces[cell[members[0]]][local[members[0]]])
                continue
            own = cell[members]
            key = tuple(
                zip(own.tolist(), self.cut[own].tolist(), local[members].tolist(), strict=True)
            )
            union = self.unions.get(key)
            if union is None:
                union = shapely.union_all(
                    [self.pieces[c][n] for c, n in zip(own, local[members], strict=True)]
                )
            kept[key] = union
            polygons.extend(shapely.get_parts(union))
        self.unions = kept
        return shapely.multipolygons(polygons)
