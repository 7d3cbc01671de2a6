"""Polygon-only overlays: every region is reduced to its polygons before it meets another.

GEOS keeps lower-dimensional parts when an input is a GeometryCollection (a repaired
spike is a polygon plus a line), and an overlay of such a mixed collection with an empty
geometry fails ("Unable to determine overlay result geometry dimension"); nearly
coincident edges can raise a TopologyException. The engine, the baselines and user
polygons all go through these three functions.
"""

from __future__ import annotations

import numpy as np
import shapely

GROUPED = 2000  # regions past this many are unioned by disjoint subsets (``_union_groups``)


def polygonal(geom):
    """The polygonal part of a geometry: drop the stray lines and points overlays can leave.

    GEOS keeps lower-dimensional parts when an input is a GeometryCollection (a repaired
    spike is a polygon plus a line), and an overlay of such a mixed collection with an
    empty geometry fails ("Unable to determine overlay result geometry dimension"). Every
    region is reduced with this function before it meets another one.
    """
    if geom is None:
        return shapely.Polygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type != "GeometryCollection"]
    parts += [polygonal(g) for g in shapely.get_parts(geom) if g.geom_type == "GeometryCollection"]
    parts = [g for g in parts if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def overlay(op, a, b):
    """``op`` (shapely.intersection, difference or union) of two regions, always polygonal.

    Both inputs are reduced to polygons first. Should GEOS still fail (a topology conflict
    on nearly coincident edges), the inputs are repaired and, as a last resort, the
    overlay is computed on a 1 cm grid; the area this moves is far below a square metre
    per vertex, and the pieces still tile each oblast.
    """
    a, b = polygonal(a), polygonal(b)
    if _same_rings(a, b):  # (GEOS takes seconds over thousands of coincident edges)
        return shapely.Polygon() if op is shapely.difference else a
    if op is shapely.intersection or op is shapely.difference:
        # (``a`` as it is: a piece's inside and outside then come from the same two
        # inputs, and share their boundary's vertices as before)
        b = near(b, a)
    try:
        return polygonal(op(a, b))
    except shapely.errors.GEOSException:
        pass
    a, b = polygonal(shapely.make_valid(a)), polygonal(shapely.make_valid(b))
    try:
        return polygonal(op(a, b))
    except shapely.errors.GEOSException:
        return polygonal(op(a, b, grid_size=0.01))


LARGE = 2000  # coordinates past which a region is cut to the other's box before an overlay
MARGIN_M = 1000.0  # how far beyond the other's box: its cut edges stay well clear of it


def _same_rings(a, b) -> bool:
    """Whether two large regions are the same rings, each perhaps begun at another vertex
    or listed in another order: the same land, exactly. Crimea on Minregion's units less
    the pre-2022 lines' Russian-held Crimea (the unit's rings, read back in another order)
    took GEOS 6.4 s; this test takes 2 ms."""
    n = shapely.get_num_coordinates(a)
    if n <= LARGE or n != shapely.get_num_coordinates(b):
        return False
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), 0.0))


def near(region, other, large: int = LARGE):
    """``region`` cut to ``other``'s envelope grown by ``MARGIN_M``, when it has more than
    ``large`` vertices and reaches beyond that: what lies farther cannot meet ``other``,
    so an intersection with it, or a difference from it, is the same land (GEOS's cost
    grows with both inputs' vertices: a 450,000-vertex star polygon met each of 40 pieces
    whole, 80 s; the timeline cuts a band's zone for each of a day's tiles, ``large=0``).
    Exact for a valid region, as every region is once read (``repaired``); GEOS's
    rectangle clip of an invalid one is not defined, nor is an overlay of it."""
    if shapely.get_num_coordinates(region) <= large or other.is_empty:
        return region
    lo_x, lo_y, hi_x, hi_y = shapely.bounds(other)
    box = (lo_x - MARGIN_M, lo_y - MARGIN_M, hi_x + MARGIN_M, hi_y + MARGIN_M)
    r = shapely.bounds(region)
    if r[0] >= box[0] and r[1] >= box[1] and r[2] <= box[2] and r[3] <= box[3]:
        return region
    return polygonal(clip_box(region, box))


def clip_box(geoms, box: tuple):
    """Geometries (one, or an array) cut to a box. GEOS's rectangle clip fails on some
    valid polygons ("Invalid number of points in LinearRing found 3": a 50 km disc around
    Orikhiv on the contact line, which had lost a run all its maps); those are cut by a
    plain intersection with the box instead."""
    try:
        return shapely.clip_by_rect(geoms, *box)
    except shapely.errors.GEOSException:
        pass
    rect = shapely.box(*box)

    def one(g):
        try:
            return shapely.clip_by_rect(g, *box)
        except shapely.errors.GEOSException:
            cut = shapely.intersection(g, rect)  # (a polygon's may keep a stray line)
            return polygonal(cut) if shapely.get_dimensions(g) == 2 else cut

    if isinstance(geoms, shapely.Geometry):
        return one(geoms)
    return np.asarray([one(g) for g in geoms], dtype=object)


def repaired(geom) -> object:
    """A polygonal geometry made valid, its parts unioned.

    GEOS's ``make_valid`` reads a MultiPolygon whose parts overlap as their symmetric
    difference: the overlap, land both parts cover, became a hole (two overlapping
    squares drawn as one feature lost 1,236 km²). Each part is repaired on its own, then
    the parts are unioned.
    """
    if geom is None:
        return shapely.Polygon()
    if geom.geom_type == "MultiPolygon" and not shapely.is_valid(geom):
        return union_regions([shapely.make_valid(p) for p in shapely.get_parts(geom)])
    return polygonal(shapely.make_valid(geom))


def reprojected(geom) -> object:
    """A shape that was valid before projecting, valid again: its shells united and its
    holes cut out (GEOS's "structure" repair), when projecting made it invalid.

    Rounding can bring a hole's corner onto its shell, or a float's width across it.
    GEOS's default repair decides what is land by the rings' crossings, and it filled
    such a hole: a square enclosed by four drawn at its corners, with coordinates such
    as 37.760000000000005, was counted as held (16.3 km² for the 13.0 drawn).
    """
    if shapely.is_valid(geom):
        return geom
    return polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))


def union_regions(geoms) -> object:
    """Union of regions, reduced to polygons (with the same fallbacks as ``overlay``)."""
    geoms = [polygonal(g) for g in geoms]
    if not geoms:
        return shapely.Polygon()
    try:
        if len(geoms) > GROUPED:  # (invalid inputs may give an invalid whole: as below)
            grouped = _union_groups(geoms)
            if shapely.is_valid(grouped):
                return grouped
        return polygonal(shapely.union_all(geoms))
    except shapely.errors.GEOSException:
        geoms = [polygonal(shapely.make_valid(g)) for g in geoms]
        try:
            return polygonal(shapely.union_all(geoms))
        except shapely.errors.GEOSException:
            return polygonal(shapely.union_all(geoms, grid_size=0.01))


def _union_groups(geoms: list) -> object:
    """The union of many regions, the subsets that do not meet one another unioned apart
    (GEOS's disjoint-subset union, Shapely 2.1+): its plain union of them all grows faster
    than their number (150,000 small squares took 26 s; so, 1.4 s). The same land.
    With an older Shapely: the plain union."""
    unite = getattr(shapely, "disjoint_subset_union_all", shapely.union_all)
    return polygonal(unite(np.asarray(geoms, dtype=object)))
