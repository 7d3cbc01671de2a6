"""Read polygons from GeoJSON (files or inline) into the working CRS, with clear errors.

Every user polygon goes through ``features`` (structure, geometry type, positions of two
or three numbers with any altitude dropped as they are read, finite lon/lat coordinates
that look like degrees over Ukraine) and ``territory`` (repair, reduce to
polygons, clip to a window around Ukraine, densify edges, project). Edges are densified
because GeoJSON edges are straight in lon/lat: a 10° edge along a parallel projected as
one straight segment would cut the curve short (a 10°×4° box came out 1.4 % too large).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import shapely

from . import coordarrays, geodata, inputs, jsonerrors, positions, projection, unitchecks
from .errors import InputError, cut
from .positions import check_crs, lines_of, metres_text, unique_keys
from .regions import clip_box, polygonal, repaired, reprojected, union_regions

POLYGON_TYPES = ("Polygon", "MultiPolygon")
GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)
WINDOW = (-60.0, -40.0, 120.0, 90.0)  # clipped to this before projecting: far from the
# equal-area projection's antipode (DeepState's raw layers reach Africa and Central Asia)
DENSIFY_DEG = 0.05  # at most ~5 km between vertices before projecting
# out-of-range coordinates whose typical size is at least this are metres (a projected
# CRS: Web Mercator puts Ukraine at 2.4–7 million), not a mistyped degree
METRES = 1000.0
# a "coordinates" member whose array holds only numbers, arrays and JSON whitespace
_COORDINATES = re.compile(r'"coordinates"[ \t\n\r]*:[ \t\n\r]*\[[-+0-9.eE,\[\] \t\n\r]*\]')


def read(path: Path) -> object:
    """Parse a GeoJSON file; InputError naming the file when it cannot be read."""
    return parse(inputs.read_text(path, "GeoJSON"), path)


def parse(text: str, path: Path) -> object:
    """Parse a GeoJSON file's text; InputError naming the file (and the JSON error)."""
    if not text.strip():  # (json's "Expecting value: line 1 column 1 (char 0)")
        fix = (
            f"delete it; modeller fetch {m.group(1)}-{m.group(2)}-{m.group(3)} then downloads "
            "the day again"
            if (m := re.search(r"(\d{4})(\d{2})(\d{2})\.geojson$", str(path)))
            else "write it again, or give another file"
        )
        raise inputs.empty_geojson(path, fix)
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        line, what = jsonerrors.explain(text, exc)
        raise InputError(f"cannot read GeoJSON: {what}", str(path), line) from None
    except ValueError as exc:
        raise InputError(f"cannot read GeoJSON: {exc}", str(path)) from None
    except RecursionError:
        raise InputError(f"cannot read GeoJSON: {positions.TOO_DEEP}", str(path)) from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number GeoJSON allows")


def _not_geojson(data: dict) -> str:
    """What a JSON object without a GeoJSON ``type`` is, in words (modeller's own figures
    given back as polygons were "unknown geometry type None")."""
    keys = list(data)
    if {"scenarios", "data_version"} <= set(keys) or {"rows", "attrs"} <= set(keys):
        what = "modeller's own figures (--format json), not geodata"
    else:
        shown = ", ".join(repr(str(k)[:30]) for k in keys[:6]) or "none"
        what = f"JSON without a GeoJSON 'type' (its top-level keys: {shown})"
    return (
        f"this is {what}: give GeoJSON (a FeatureCollection of Polygon or MultiPolygon "
        "features), a GeoPackage or a Shapefile"
    )


def features(
    data: object, source: str | None = None, rings: bool = False
) -> list[tuple[dict, object]]:
    """(properties, lon/lat polygon) of a FeatureCollection, a Feature or a bare geometry.

    Features without a geometry are skipped (GeoJSON allows them); anything else that is
    not a finite lon/lat Polygon or MultiPolygon over Ukraine is an InputError naming the
    feature, the bad value and what would be valid. ``rings``: a ring whose edges cross is
    one too (``check_rings``, for a user's polygons; DeepState's are read as published).
    """
    if not isinstance(data, dict):
        raise InputError(f"expected a GeoJSON object, got {_type_name(data)}", source)
    check_crs(data, source)
    kind = data.get("type")
    if kind is None:  # JSON, but no GeoJSON object: say what it looks like
        raise InputError(_not_geojson(data), source)
    if kind == "FeatureCollection":
        feats = data.get("features")
        if feats is None:
            feats = []
        if not isinstance(feats, list):
            raise InputError(
                f"'features' must be a list of Feature objects, got {_type_name(feats)}", source
            )
    elif kind == "Feature":
        feats = [data]
    else:  # a bare geometry; _geometry names an unknown type
        feats = [{"type": "Feature", "geometry": data}]
    out, wheres = [], []
    try:  # (an error here: that of an earlier feature is said first, as it comes first)
        for i, f in enumerate(feats):
            where = f"feature {i + 1}" if kind == "FeatureCollection" else "geometry"
            if not isinstance(f, dict):
                raise InputError(f"{where} must be a Feature object, got {_type_name(f)}", source)
            props = f.get("properties")
            if props is not None and not isinstance(props, dict):
                raise InputError(
                    f"{where}: 'properties' must be an object or null, got {_type_name(props)}",
                    source,
                )
            if not f.get("geometry"):
                continue
            out.append((props or {}, _geometry(f["geometry"], where, source)))
            wheres.append(where)
    except InputError:
        _check_all([g for _, g in out], wheres, source, rings)
        raise
    _check_all([g for _, g in out], wheres, source, rings)
    if not out:
        kind = {".gpkg": "GeoPackage", ".shp": "Shapefile"}.get(Path(source or "").suffix.lower())
        raise InputError(f"no polygon features in this {kind or 'GeoJSON'}", source)
    return out


def feature_numbers(data: object) -> list[int]:
    """The number (from 1) in the file of each feature ``features`` returns: those with a
    geometry (a feature without one is skipped there, but still counts here)."""
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return [i + 1 for i, f in enumerate(data.get("features") or []) if f.get("geometry")]
    return [1]


def _geometry(geom: object, where: str, source: str | None):
    """A checked shapely geometry from one GeoJSON geometry object."""
    if not isinstance(geom, dict):
        raise InputError(f"{where}: 'geometry' must be an object, got {_type_name(geom)}", source)
    kind = geom.get("type")
    if kind not in GEOMETRY_TYPES:
        also = ", or a Feature or FeatureCollection of them" if where == "geometry" else ""
        raise InputError(
            f"{where}: unknown geometry type {cut(repr(kind), 60)}; valid: Polygon, "
            f"MultiPolygon{also}",
            source,
        )
    g = positions.shape_2d(geom, where, source)  # an altitude is dropped here, once
    members = shapely.get_parts(g) if g.geom_type == "GeometryCollection" else [g]
    polys = [p for p in members if p.geom_type in POLYGON_TYPES]
    others = sorted({p.geom_type for p in members} - set(POLYGON_TYPES))
    if others:
        raise InputError(
            f"{where}: a {others[0]} has no area; polygon selectors and baselines need "
            "Polygon or MultiPolygon geometries",
            source,
        )
    if not polys or g.is_empty:
        raise InputError(f"{where}: empty {kind}; give at least one ring of [lon, lat]", source)
    return g  # (its coordinates are checked with all the others', by _check_all)


def _check_all(geoms: list, wheres: list[str], source: str | None, rings: bool) -> None:
    """``check_lonlat`` (and ``check_rings`` when ``rings``) of each geometry, in order: the
    first one at fault is named, as checking them one by one would. Vectorised: only the
    geometries a whole-array test finds suspect are checked one by one (a file of 150,000
    squares had spent 13 s checking each)."""
    if not geoms:
        return
    arr = np.asarray(geoms, dtype=object)
    xy, index = shapely.get_coordinates(arr, return_index=True)
    wrong = ~np.isfinite(xy).all(axis=1) | (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
    suspect = np.zeros(len(arr), dtype=bool)
    suspect[index[wrong]] = True
    with np.errstate(invalid="ignore", over="ignore"):  # (1e308 apart: inf, then named)
        b = shapely.bounds(arr)
        suspect |= (b[:, 2] - b[:, 0] >= 180) | (b[:, 3] - b[:, 1] >= 90)
    for k in np.flatnonzero(~suspect):  # [lat, lon] given: off Ukraine, and on it swapped
        x0, y0, x1, y1 = b[k]
        if not unitchecks.overlaps_ukraine(x0, y0, x1, y1):
            suspect[k] = unitchecks.overlaps_ukraine(y0, x0, y1, x1)
    crossing = ~shapely.is_valid(arr) if rings else np.zeros(len(arr), dtype=bool)
    for k in np.flatnonzero(suspect | crossing):
        check_lonlat(geoms[k], wheres[k], source)
        if crossing[k]:
            try:
                check_rings(geoms[k])
            except InputError as exc:
                raise InputError(f"{wheres[k]}: {exc.message}", source) from None


def check_lonlat(g, where: str, source: str | None) -> None:
    """Coordinates must be finite lon/lat degrees near Ukraine; say what to fix if not."""
    xy = shapely.get_coordinates(g)
    if not np.isfinite(xy).all():
        bad = xy[~np.isfinite(xy).all(axis=1)][0]
        raise InputError(
            f"{where}: coordinate [{bad[0]}, {bad[1]}] is not a finite number; "
            "write [lon, lat] in degrees",
            source,
        )
    minx, miny, maxx, maxy = g.bounds
    outside = (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
    if outside.any():
        bad = xy[outside][0]
        if np.median(np.abs(xy).max(axis=1)) >= METRES:
            such = f"[{metres_text(bad[0])}, {metres_text(bad[1])}]"
            raise InputError(
                f"{where}: coordinates such as {such} look like metres "
                "(e.g. Web Mercator, EPSG:3857); GeoJSON needs lon/lat degrees (EPSG:4326): "
                "reproject, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson",
                source,
            )
        axis, value, limit = (
            ("latitude", bad[1], 90) if abs(bad[1]) > 90 else ("longitude", bad[0], 180)
        )
        raise InputError(
            f"{where}: vertex [{bad[0]:g}, {bad[1]:g}]: {axis} {value:g} is outside "
            f"−{limit}…{limit} (coordinates are [longitude, latitude] in degrees, WGS84)",
            source,
        )
    east = np.where(xy[:, 0] < 0, xy[:, 0] + 360, xy[:, 0])  # (longitudes 0 … 360)
    if (
        maxx - minx >= 180
        and maxy - miny < 90
        and east.max() - east.min() < 180
        and (np.abs(xy[:, 0]) >= 90).all()
    ):
        raise InputError(
            f"{where}: the polygon crosses the antimeridian (±180° longitude, lon "
            f"{minx:g} … {maxx:g}, lat {miny:g} … {maxy:g}), on the other side of the world "
            "from Ukraine; draw the area you mean over Ukraine (longitudes 22 … 41)",
            source,
        )
    if maxx - minx >= 180 or maxy - miny >= 90:
        raise InputError(
            f"{where}: the polygon covers most of the world (lon {minx:g} … {maxx:g}, lat "
            f"{miny:g} … {maxy:g}); draw the area you mean over Ukraine (a scenario selects "
            "all of Ukraine by listing oblasts, or by leaving 'polygon' out; a baseline file "
            "holds only the land Russia holds)",
            source,
        )
    if not unitchecks.overlaps_ukraine(minx, miny, maxx, maxy) and unitchecks.overlaps_ukraine(
        miny, minx, maxy, maxx
    ):
        raise InputError(
            f"{where}: coordinates such as [{xy[0][0]:g}, {xy[0][1]:g}] look like [lat, lon]; "
            "GeoJSON is [lon, lat] (Kyiv is [30.52, 50.45]): swap each pair",
            source,
        )


def territory(geoms: list, densify: bool = True) -> object:
    """Union of lon/lat polygons, repaired, densified and projected to the working CRS.

    ``densify=False`` projects the vertices as given (DeepState's maps, whose vertices
    are a few hundred metres apart, are read as published). Otherwise (a user's polygon)
    a ring whose edges cross is refused (``check_rings``).
    """
    # one vectorised validity test: a valid polygon needs no ring check and no repair (a
    # file of 20,000 squares had spent a third of its reading repairing valid ones)
    valid = shapely.is_valid(np.array(geoms, dtype=object)) if geoms else []
    if densify:
        for g, ok in zip(geoms, valid, strict=True):
            if not ok:
                check_rings(g)
    parts = [
        g if ok and g.geom_type in ("Polygon", "MultiPolygon") else repaired(g)
        for g, ok in zip(geoms, valid, strict=True)
    ]
    # one valid (Multi)Polygon is its own union: its parts meet at points at most (GEOS
    # re-noding 250,000 disjoint squares of one feature took 15 s for nothing)
    one = len(parts) == 1 and bool(valid[0]) and parts[0] is geoms[0]
    lonlat = parts[0] if one else union_regions(parts)
    lonlat = polygonal(clip_box(lonlat, WINDOW))
    projected = geodata.to_equal_area(lonlat, DENSIFY_DEG if densify else None)
    return reprojected(projected)  # (projecting can make a ring touch itself)


CROSSING_SHARE = 0.01  # repair may change a crossing ring's area by this share, no more


def _near(part) -> str:
    """' near [lon, lat]' of where GEOS finds a polygon invalid ('' if it says nowhere)."""
    where = re.search(r"\[([-\d.eE]+) ([-\d.eE]+)\]", shapely.is_valid_reason(part))
    return f" near [{float(where[1]):.4f}, {float(where[2]):.4f}]" if where else ""


def crossing(geom) -> tuple[float, str] | None:
    """Of a lon/lat polygon whose rings cross or touch themselves, what repairing it
    changes: (km², ' near [lon, lat]' of the first crossing); None when it is valid or
    the repair keeps its area (to 0.005 km²: a ring touching itself)."""
    if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    if shapely.is_valid(geom):
        return None
    bad = [p for p in shapely.get_parts(geom) if not shapely.is_valid(p)]
    if not bad:  # (valid parts that overlap: no ring of them crosses itself)
        return None
    drawn = sum(float(geodata.area_km2(geodata.to_equal_area(p))) for p in bad)
    fixed = sum(float(geodata.area_km2(geodata.to_equal_area(repaired(p)))) for p in bad)
    if abs(fixed - drawn) < 0.005:
        return None
    return abs(fixed - drawn), _near(bad[0])


def check_rings(geom) -> None:
    """Refuse a polygon whose ring crosses itself so that repairing it changes its area by
    over ``CROSSING_SHARE``: a square with two corners swapped (a bow tie) was repaired to
    two triangles, half the land meant, without a word. A ring touching itself, or a
    loop too small to matter, is repaired as before (and said: ``crossing``)."""
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon" or shapely.is_valid(part):
            continue
        drawn, fixed = float(shapely.area(part)), float(shapely.area(shapely.make_valid(part)))
        if abs(fixed - drawn) <= CROSSING_SHARE * max(fixed, drawn, 1e-12):
            continue
        at = _near(part)
        raise InputError(
            f"a polygon's edges cross{at} (a ring drawn as a figure eight: its corners out "
            "of order); list each ring's corners in order around it, so that no two edges "
            "cross"
        )


def read_territory(path: Path, densify: bool = True) -> object:
    """All polygons of a GeoJSON file as one working-CRS territory.

    A file holding one valid (Multi)Polygon (every DeepState daily file) is read directly
    (its coordinate array by numpy, ``coordarrays``, else the text by GEOS), about 3×
    faster, and needs no union or repair, so the result is the same;
    anything else takes the general path with its per-feature errors. Whether it holds one
    is told from its ``skeleton``.
    """
    return _territory_of(inputs.read_text(path, "GeoJSON"), path, densify)


def _territory_of(text: str, path: Path, densify: bool) -> object:
    """``read_territory`` of a file's text."""
    arrays: list[str] = []
    outline = skeleton(text, arrays)
    check_crs(outline, str(path))  # (the fast path reads coordinates as lon/lat too)
    shape_of = _polygon_shape(outline)
    if shape_of is not None:
        key = (shape_of, arrays[0], densify) if len(arrays) == 1 else None
        fast = _LAST.get(key) if key is not None else None
        if fast is None:
            array = arrays[0] if _only_array(outline, shape_of, arrays) else None
            fast = _fast_territory(text, densify, shape_of, array)
            if key is not None and fast is not None:
                _LAST.clear()
                _LAST[key] = fast
        if fast is not None:
            return fast
    with lines_of(text):
        found = features(parse(text, path), str(path), rings=densify)
        return territory([g for _, g in found], densify)


# What a polygon whose every ring is flat is told (it would select or hold 0 km²)
FLAT_RINGS = "no land (each ring has zero area: its corners lie on one line)"

# The last file of one polygon read the fast way: (structure, its one coordinates array,
# densify) -> its territory. Consecutive daily files often hold the same map (113 of the
# 769 days): the parse, check and projection are then skipped. What GEOS reads of such a
# file is its structure (``_polygon_shape``) and that array; the rest (name, properties)
# it ignores. (A file whose other members GEOS would refuse takes the general path when
# read afresh; for a valid polygon that gives the same territory, see read_territory.)
_LAST: dict[tuple, object] = {}


def _only_array(skeleton: dict, shape_of: tuple[str, ...], arrays: list[str]) -> bool:
    """Whether the one coordinate array taken out of the text (``skeleton``) is the
    geometry's: its ``coordinates`` are the emptied ``[]`` (not, say, a key spelt with an
    escape that the pattern did not match, beside an array of the same name elsewhere)."""
    if len(arrays) != 1:
        return False
    geometry = skeleton
    if shape_of[0] == "FeatureCollection":
        geometry = geometry["features"][0]
    if "Feature" in shape_of:
        geometry = geometry["geometry"]
    return geometry.get("coordinates") == []


def _fast_territory(
    text: str, densify: bool, shape_of: tuple[str, ...] = (), array: str | None = None
) -> object:
    """The territory of a file of one valid (Multi)Polygon near Ukraine, parsed by numpy
    from its one coordinate ``array`` where it can be (``coordarrays``), else by GEOS;
    None when the file is anything else. ``shape_of``: its types from the outside in."""
    geom = None
    if array is not None:
        geom = coordarrays.polygon(array[array.index(":") + 1 :], shape_of[-1])
    if geom is not None:  # as GEOS gives it: a FeatureCollection's one geometry, whole
        parts = [geom] if shape_of[0] == "FeatureCollection" else shapely.get_parts(geom)
    else:
        try:
            parts = shapely.get_parts(shapely.force_2d(shapely.from_geojson(text)))  # 2D
        except (ValueError, shapely.errors.GEOSException):
            return None
    single = len(parts) == 1 and parts[0].geom_type in POLYGON_TYPES
    if not (single and _near_ukraine(parts[0])):
        return None
    if projection.short_ring(parts[0]):
        return None  # an empty or short ring: the general path names it
    # validity is checked once, on what is returned: densifying a valid polygon in
    # lon/lat, then projecting it, keeps it valid unless rounding makes a ring touch
    # itself, and then (as for an invalid file) the general path repairs it
    try:  # a ring of one repeated point cannot be densified: the general path says so
        projected = geodata.to_equal_area(parts[0], DENSIFY_DEG if densify else None)
    except shapely.errors.GEOSException:
        return None
    return projected if shapely.is_valid(projected) else None


def skeleton(text: str, arrays: list | None = None) -> object:
    """The document with every coordinate array emptied (None when that does not parse).

    It tells the document's structure (what ``_polygon_shape`` checks) at a seventh of the
    cost of parsing the coordinates too, which GEOS parses again anyway. The coordinates
    themselves are GEOS's to parse: where they are not valid JSON, GEOS fails and the
    whole text goes through ``_parse``, whose error names the problem. The coordinate
    arrays taken out are appended to ``arrays`` when given.
    """

    def empty(match: re.Match) -> str:
        if arrays is not None:
            arrays.append(match.group(0))
        return '"coordinates": []'

    try:
        return json.loads(_COORDINATES.sub(empty, text), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None


def _polygon_shape(data: object) -> tuple[str, ...] | None:
    """A well-formed file of one (Multi)Polygon (bare, as a Feature, or a one-Feature
    list): its types from the outside in, e.g. (FeatureCollection, Feature, MultiPolygon);
    None for anything else."""
    shape_of = ()
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        items = data.get("features")
        if not (isinstance(items, list) and len(items) == 1):
            return None
        data, shape_of = items[0], ("FeatureCollection",)
    if isinstance(data, dict) and data.get("type") == "Feature":
        if not isinstance(data.get("properties"), dict | None):
            return None
        data, shape_of = data.get("geometry"), (*shape_of, "Feature")
    if isinstance(data, dict) and data.get("type") in POLYGON_TYPES:
        return (*shape_of, str(data["type"]))
    return None


def _near_ukraine(g) -> bool:
    """Finite coordinates over Ukraine and within 10° of it: no sanity message could apply."""
    x0, y0, x1, y1 = g.bounds
    ux0, uy0, ux1, uy1 = unitchecks.UKRAINE_LONLAT
    finite = bool(np.isfinite(shapely.get_coordinates(g)).all())
    inside = ux0 - 10 <= x0 and x1 <= ux1 + 10 and uy0 - 10 <= y0 and y1 <= uy1 + 10
    return finite and inside and unitchecks.overlaps_ukraine(x0, y0, x1, y1)


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return f"the number {cut(repr(value), 40)}"
    return names.get(type(value), type(value).__name__)


def read_layers(
    path: Path, densify: bool = True, text: str | None = None
) -> tuple[dict[str, object], bool]:
    """Territory per ``status`` property of a snapshot file (features without one: russia).

    Returns the working-CRS territories and whether the file keeps a grey zone (a
    top-level ``"grey_zone": true``, as ``modeller fetch`` writes). A file holding one
    plain (Multi)Polygon (the daily archive) takes the fast path of ``read_territory``.
    ``text``: the file's text when the caller has read it already (``inputs.read_text``).
    """
    text = inputs.read_text(path, "GeoJSON") if text is None else text
    if not _STATUS_KEY.search(text) and '"grey_zone"' not in text:
        return {"russia": _territory_of(text, path, densify)}, False
    data = parse(text, path)
    grouped: dict[str, list] = {"russia": []}
    found = features(data, str(path), rings=densify)
    listed = data.get("features") if isinstance(data, dict) else None
    numbers = (  # each feature's number in the file (those without a geometry are skipped)
        [i for i, f in enumerate(listed, 1) if isinstance(f, dict) and f.get("geometry")]
        if isinstance(listed, list)
        else []
    )
    if len(numbers) != len(found):
        numbers = list(range(1, len(found) + 1))
    with lines_of(text):
        for number, (props, geom) in zip(numbers, found, strict=True):
            grouped.setdefault(_snapshot_status(props, number, path), []).append(geom)
    layers = {status: territory(geoms, densify) for status, geoms in grouped.items()}
    flag = data.get("grey_zone") if isinstance(data, dict) else None
    if flag is not None and not isinstance(flag, bool):  # ("false" had read as true)
        raise InputError(
            f'"grey_zone" is {json.dumps(flag)[:40]}; write true or false (no quotes)', str(path)
        )
    # a file with grey-zone features has a grey zone, whatever its flag says (the figures
    # had counted it while the provenance said there was none)
    return layers, bool(flag) or bool(grouped.get("contested"))


SNAPSHOT_STATUSES = ("russia", "contested")  # what a DeepState day holds (``modeller fetch``)
_STATUS_KEY = re.compile(r'"status"', re.IGNORECASE)  # ('Status' too: refused, not ignored)


def _snapshot_status(props: dict, number: int, path: Path) -> str:
    """A snapshot feature's status: Russian-held unless it says grey zone. A map of one's
    own with other statuses (or a 'Status' key) read as a snapshot had counted Ukrainian
    land as Russian, or crashed; it is a baseline file under another name."""
    odd = [k for k in props if isinstance(k, str) and k.lower() == "status" and k != "status"]
    status = props.get("status")
    if odd or (status is not None and status not in SNAPSHOT_STATUSES):
        said = f"'{odd[0]}'" if odd else f"status {str(status)[:40]!r}"
        raise InputError(
            f"feature {number} has {said}, but a file named as a DeepState day "
            f"(deepstatemap_data_YYYYMMDD.geojson) holds only Russian-held land and the grey "
            f"zone (status {' or '.join(SNAPSHOT_STATUSES)}, lower case); a map of your own "
            "with other statuses is a baseline file: give it another name",
            str(path),
        )
    return status or "russia"
