"""GeoJSON geometry objects read into shapely in two dimensions: an altitude dropped as it
is read, a malformed position named. Shared by every GeoJSON reader (units files in
``unitsfile``, baselines and scenario polygons in ``geojson``)."""

from __future__ import annotations

import json
import warnings

import shapely
from shapely.geometry import shape

from .errors import InputError

# how deep a geometry's positions lie in its "coordinates" (RFC 7946, section 3.1)
POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def shape_2d(geom: object, where: str, source: str | None):
    """A shapely geometry from a GeoJSON geometry object, in two dimensions.

    An altitude (RFC 7946 allows ``[lon, lat, z]``) is dropped here, as the geometry is
    read, so nothing downstream sees a third coordinate; a position that is not two or
    three numbers is an InputError naming it. Every GeoJSON reader (units files, baselines,
    scenario polygons) reads geometry through this.
    """
    try:
        with warnings.catch_warnings():  # "NaN" read as a number: said below, by position
            warnings.simplefilter("ignore", RuntimeWarning)
            g = shape(geom)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as exc:
        problem = position_problem(geom)
        if problem is not None:
            raise InputError(f"{where}: {problem}", source) from None
        try:  # well-formed positions, some with an altitude and some without
            return shape(_without_altitude(geom))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError):
            pass
        kind = geom.get("type") if isinstance(geom, dict) else None
        raise InputError(
            f"{where}: invalid geometry: {kind} coordinates must be rings of [lon, lat] "
            f"({_short(str(exc), 120)})",
            source,
        ) from None
    problem = position_problem(geom)  # shapely reads "37.5" as a number: a file should not
    if problem is not None:
        raise InputError(f"{where}: {problem}", source)
    g = shapely.force_2d(g) if shapely.has_z(g) else g
    _check_holes(g, where, source)
    return g


def _check_holes(g, where: str, source: str | None) -> None:
    """A hole (a Polygon's second or later ring) must lie inside the outer ring: one outside
    it, or around it, is not a hole, and repairing the polygon would count it as land (a
    hole larger than its outline gave the hole less the outline)."""
    for part in shapely.get_parts(g):
        if part.geom_type == "GeometryCollection":
            _check_holes(part, where, source)
            continue
        n = shapely.get_num_interior_rings(part) if part.geom_type == "Polygon" else 0
        if n <= 0:
            continue
        shell = shapely.polygons(shapely.get_exterior_ring(part))
        for k in range(n):
            hole = shapely.polygons(shapely.get_interior_ring(part, k))
            inside = shapely.area(shapely.intersection(shell, shapely.make_valid(hole)))
            if inside < 0.5 * hole.area:
                raise InputError(
                    f"{where}: ring {k + 2} of a polygon is a hole that lies outside its outer "
                    "ring (a Polygon's first ring is its outline, later rings are holes inside "
                    "it); write a separate area as a polygon of its own (MultiPolygon)",
                    source,
                )


def position_problem(geom: object) -> str | None:
    """What is wrong with the first bad position of a GeoJSON geometry object (one that is
    not two or three numbers), or None when every position is well formed."""
    if not isinstance(geom, dict):
        return None
    if geom.get("type") == "GeometryCollection":
        members = geom.get("geometries")
        for member in members if isinstance(members, list) else ():
            problem = position_problem(member)
            if problem is not None:
                return problem
        return None
    depth = POSITION_DEPTH.get(str(geom.get("type")))
    if depth is None:
        return None
    stack = [(geom.get("coordinates"), depth)]
    while stack:
        value, level = stack.pop()
        if level > 0:
            if not isinstance(value, list):
                return None  # not a position's fault: the nesting is wrong
            stack.extend((v, level - 1) for v in reversed(value))
            continue
        if not isinstance(value, list) or len(value) not in (2, 3):
            got = _short(json.dumps(value, default=str), 80)
            return f"a position must be [longitude, latitude] (or with an altitude), got {got}"
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            got = _short(json.dumps(value, default=str), 80)
            return (
                "invalid geometry: a position must be numbers, [longitude, latitude] (or "
                f"with an altitude), got {got}"
            )
    return None


def _without_altitude(geom: dict) -> dict:
    """A copy of a GeoJSON geometry object (of well-formed positions) without altitudes."""
    if geom.get("type") == "GeometryCollection":
        return {**geom, "geometries": [_without_altitude(g) for g in geom["geometries"]]}

    def cut(value, level: int):
        return value[:2] if level == 0 else [cut(v, level - 1) for v in value]

    return {**geom, "coordinates": cut(geom["coordinates"], POSITION_DEPTH[geom["type"]])}


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters (a hostile value can be megabytes long)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
