"""GeoJSON geometry objects read into shapely in two dimensions: an altitude dropped as it
is read, a malformed position named. Shared by every GeoJSON reader (units files in
``unitsfile``, baselines and scenario polygons in ``geojson``); and the line of a feature
an error names."""

from __future__ import annotations

import json
import math
import re
import warnings
from contextlib import contextmanager

import numpy as np
import shapely
from shapely.geometry import shape

from .errors import InputError, cut, kind_of_value

# how deep a geometry's positions lie in its "coordinates" (RFC 7946, section 3.1)
POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


# what an old-style GeoJSON "crs" member may name and still be lon/lat on WGS84
LONLAT_CRS = re.compile(
    r"(urn:ogc:def:crs:)?((OGC:([\d.]*:)?)?CRS84|EPSG:([\d.]*:)?4326)", re.IGNORECASE
)


def check_crs(data: object, source: str | None) -> None:
    """A GeoJSON that declares a CRS other than lon/lat on WGS84 (the 2008 format's "crs"
    member; RFC 7946 dropped it) is refused: its coordinates read as lon/lat would be
    metres, or degrees on another datum (Pulkovo 1942 puts Ukraine ~100 m off), unseen."""
    crs = data.get("crs") if isinstance(data, dict) else None
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str) or LONLAT_CRS.fullmatch(name.strip()):
        return
    shown = name.strip()[:80]
    raise InputError(
        f"declares its coordinates in {shown!r}, not lon/lat on WGS84 (GeoJSON's own, RFC "
        "7946): reproject it, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson, or give "
        "it as a GeoPackage, which is read in the CRS it declares",
        source,
    )


def unique_keys(pairs: list) -> dict:
    """A JSON object's members as a dict; a key given twice is a ValueError (json keeps the
    last without a word, so a second "type" or "coordinates" would silently win)."""
    out = dict(pairs)
    if len(out) < len(pairs):
        seen: set = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"the key {str(twice)[:40]!r} is given twice in one object; keep one")
    return out


# what json's RecursionError ("maximum recursion depth exceeded while decoding a JSON
# array") means for a GeoJSON file
TOO_DEEP = (
    "its brackets are nested too deeply (thousands of '[' or '{' inside one another); "
    "GeoJSON nests at most a few levels (a MultiPolygon's coordinates: 4 '['): check "
    "that it is the file you mean, or export it again"
)


def strict_json(text: str) -> object:
    """``json.loads`` refusing NaN and Infinity, which Python reads but GeoJSON does not
    allow (a script's ``json.dumps`` writes them): ValueError naming the token and its
    line, rather than a geometry library failing on it later."""

    def refuse(name: str):
        at = re.search(rf"(?<![\w\"]){re.escape(name)}(?![\w\"])", text)
        line = f" (line {text.count(chr(10), 0, at.start()) + 1})" if at else ""
        raise ValueError(f"{name} is not a number GeoJSON allows{line}; write finite numbers")

    return json.loads(text, parse_constant=refuse, object_pairs_hook=unique_keys)


def json_kind(value: object) -> str:
    """What a JSON value is, for an error message: 'a JSON array', 'a GeoJSON Feature'."""
    if isinstance(value, dict):
        kind = value.get("type")
        if isinstance(kind, str):
            return f"a GeoJSON {cut(kind, 60)}"
        return "a JSON object without features"
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if value is None:
        return "JSON null"
    return "a JSON number" if isinstance(value, int | float) else "not a JSON object"


def _empty_part(geom: object) -> str | None:
    """The empty polygon or ring of a (Multi)Polygon, in words (None: none is)."""
    kind = geom.get("type") if isinstance(geom, dict) else None
    members = geom.get("geometries") if kind == "GeometryCollection" else None
    if isinstance(members, list):  # (as deep as shapely reads, which it guards)
        found = (_empty_part(m) for m in members if isinstance(m, dict))
        return next((f for f in found if f is not None), None)
    coords = geom.get("coordinates") if isinstance(geom, dict) else None
    if kind not in ("Polygon", "MultiPolygon") or not isinstance(coords, list):
        return None
    polygons = [coords] if kind == "Polygon" else coords
    for p, rings in enumerate(polygons, 1):
        part = f"polygon {p} of the MultiPolygon" if kind == "MultiPolygon" else "the Polygon"
        if rings == [] and kind == "MultiPolygon":  # (an empty Polygon is said as such)
            return f"{part} is empty ([]): drop it, or give its rings of [lon, lat]"
        for r, ring in enumerate(rings if isinstance(rings, list) else [], 1):
            if ring == []:
                return f"ring {r} of {part} is empty ([]): drop it, or give its [lon, lat] corners"
    return None


def shape_2d(geom: object, where: str, source: str | None):
    """A shapely geometry from a GeoJSON geometry object, in two dimensions.

    An altitude (RFC 7946 allows ``[lon, lat, z]``) is dropped here, as the geometry is
    read, so nothing downstream sees a third coordinate; a position that is not two or
    three numbers is an InputError naming it. Every GeoJSON reader (units files, baselines,
    scenario polygons) reads geometry through this.
    """
    empty = _empty_part(geom)  # (an empty hole reached the projection as a ring: a crash)
    if empty is not None:
        raise InputError(f"{where}: {empty}", source)
    plain = _plain_polygon(geom)
    if plain is not None:
        _check_holes(plain, where, source)
        return plain
    problem = position_problem(geom)  # (a NaN that closes a ring fails inside GEOS)
    if problem is not None:
        raise InputError(f"{where}: {problem}", source)
    try:
        with warnings.catch_warnings():  # "NaN" read as a number: said below, by position
            warnings.simplefilter("ignore", RuntimeWarning)
            g = shape(geom)
    except OverflowError:  # an integer past a float's range (a 401-digit longitude)
        raise InputError(
            f"{where}: a coordinate is too large a number; write [lon, lat] in degrees", source
        ) from None
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        IndexError,
        RecursionError,
        shapely.errors.GEOSException,  # a ring closed by NaN does not close ("NaN != NaN")
    ) as exc:
        problem = position_problem(geom)
        if problem is not None:
            raise InputError(f"{where}: {problem}", source) from None
        try:  # well-formed positions, some with an altitude and some without
            return shape(_without_altitude(geom))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError):
            pass
        kind = geom.get("type") if isinstance(geom, dict) else None
        if isinstance(geom, dict) and "coordinates" not in geom:  # (it said "('coordinates')")
            raise InputError(
                f"{where}: invalid geometry: the {kind} has no 'coordinates'; give them, e.g. "
                "{type: Polygon, coordinates: [[[36, 49], [37, 49], [37, 50], [36, 49]]]}",
                source,
            ) from None
        got = geom.get("coordinates") if isinstance(geom, dict) else geom
        said = "" if isinstance(exc, IndexError) or isinstance(got, list) else "; got "
        said += kind_of_value(got) if said else ""
        raise InputError(
            f"{where}: invalid geometry: {kind} coordinates must be rings of [lon, lat]{said}",
            source,
        ) from None
    problem = position_problem(geom)  # shapely reads "37.5" as a number: a file should not
    if problem is not None:
        raise InputError(f"{where}: {problem}", source)
    g = shapely.force_2d(g) if shapely.has_z(g) else g
    _check_holes(g, where, source)
    return g


_NUMBER = (float, int)  # (exact types: a JSON true or false is no coordinate)


def _plain_polygon(geom: object):
    """A (Multi)Polygon whose every position is two JSON numbers, built at once (a file of
    150,000 squares spent 13 s in the general reader); None for anything else (an altitude,
    a malformed position, a ring too short), which the general path reads or names."""
    kind = geom.get("type") if isinstance(geom, dict) else None
    coords = geom.get("coordinates") if kind in ("Polygon", "MultiPolygon") else None
    if not isinstance(coords, list) or not coords:
        return None
    polygons = [coords] if kind == "Polygon" else coords
    built = []
    for rings in polygons:
        if not isinstance(rings, list) or not rings:
            return None
        arrays = []
        for ring in rings:
            if not isinstance(ring, list) or not all(
                type(p) is list and len(p) == 2 and type(p[0]) in _NUMBER and type(p[1]) in _NUMBER
                for p in ring
            ):
                return None
            try:
                arrays.append(np.array(ring, dtype=float))
            except (OverflowError, ValueError):  # an integer past a float's range
                return None
            if not np.isfinite(arrays[-1]).all():  # NaN or infinity: named by the general path
                return None
        try:
            holes = [shapely.linearrings(a) for a in arrays[1:]] or None
            built.append(shapely.polygons(arrays[0], holes=holes))
        except (ValueError, shapely.errors.GEOSException):  # e.g. a ring of two points
            return None
    return built[0] if kind == "Polygon" else shapely.multipolygons(built)


def _check_holes(g, where: str, source: str | None) -> None:
    """A hole (a Polygon's second or later ring) must lie inside the outer ring: one outside
    it, or around it, is not a hole, and repairing the polygon would count it as land (a
    hole larger than its outline gave the hole less the outline)."""
    if g.geom_type == "Polygon" and not shapely.get_num_interior_rings(g):
        return  # (most are: said at once)
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
            if shapely.equals(shell, hole):
                raise InputError(
                    f"{where}: ring {k + 2} of a polygon repeats its outer ring: as a hole it "
                    "would leave no land; drop the repeated ring",
                    source,
                )
            try:
                inside = shapely.area(shapely.intersection(shell, shapely.make_valid(hole)))
            except shapely.errors.GEOSException:  # a bow-tie outline: check_rings says so
                continue
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
            got = cut(json.dumps(value, default=str), 80)
            return f"a position must be [longitude, latitude] (or with an altitude), got {got}"
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            got = cut(json.dumps(value, default=str), 80)
            return (
                "invalid geometry: a position must be numbers, [longitude, latitude] (or "
                f"with an altitude), got {got}"
            )
        if not all(math.isfinite(v) for v in value if isinstance(v, float)):  # .nan, .inf
            shown = ", ".join(str(v) for v in value)
            return f"coordinate [{shown}] is not a finite number; write [lon, lat] in degrees"
    return None


def _without_altitude(geom: dict) -> dict:
    """A copy of a GeoJSON geometry object (of well-formed positions) without altitudes."""
    if geom.get("type") == "GeometryCollection":
        return {**geom, "geometries": [_without_altitude(g) for g in geom["geometries"]]}

    def cut(value, level: int):
        return value[:2] if level == 0 else [cut(v, level - 1) for v in value]

    return {**geom, "coordinates": cut(geom["coordinates"], POSITION_DEPTH[geom["type"]])}


def metres_text(value: float) -> str:
    """A coordinate far outside degrees, for a message: whole metres, or 1e+300 where the
    whole number would run to hundreds of digits."""
    return f"{value:.0f}" if abs(value) < 1e15 else f"{value:.3g}"


@contextmanager
def lines_of(text: str | None):
    """An InputError naming "feature N" of a FeatureCollection gets the line where that
    feature starts in ``text`` (the file's; None: no line to give)."""
    try:
        yield
    except InputError as exc:
        m = re.match(r"feature (\d+)\b", exc.message)
        if m and text is not None and exc.line is None:
            exc.line = feature_line(text, int(m.group(1)))
        raise


def feature_line(text: str, number: int) -> int | None:
    """The line on which feature ``number`` (from 1) of the text's top-level "features"
    array starts; None when the text is not such a document, or is all on one line.

    Notes
    -----
    JSON parsers give no positions, so the top-level object is walked here, member by
    member, each value skipped by ``json.JSONDecoder.raw_decode`` (which says where it
    ends) and the features array element by element.
    """
    if "\n" not in text.rstrip():  # all on one line: a line says nothing
        return None
    decode = json.JSONDecoder().raw_decode
    ws = re.compile(r"[ \t\n\r]*")

    def skip(i: int) -> int:
        return ws.match(text, i).end()

    try:
        i = skip(0)
        if text[i] != "{":
            return None
        i = skip(i + 1)
        found = None  # a JSON reader keeps a key's last value: the last "features" counts
        while text[i] != "}":
            key, i = decode(text, i)
            i = skip(skip(i) + 1)  # past the colon
            if key == "features" and text[i] == "[":
                found = _element_start(text, skip(i + 1), number, decode, skip)
            _, i = decode(text, i)
            i = skip(i)
            i = skip(i + 1) if text[i] == "," else i
    except (ValueError, IndexError, RecursionError):
        return None
    return None if found is None else text.count("\n", 0, found) + 1


def _element_start(text: str, i: int, number: int, decode, skip) -> int | None:
    """Where element ``number`` (from 1) of the array whose first element (or "]") is at
    ``i`` starts; None when the array is shorter."""
    if text[i] == "]":
        return None
    for _ in range(number - 1):
        _, i = decode(text, i)
        i = skip(i)
        if text[i] != ",":  # the last element came first
            return None
        i = skip(i + 1)
    return i
    return None
