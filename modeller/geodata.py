"""Embedded units (oblasts) and settlements in the working CRS, or a units file in their
place; names resolve in ``gazetteer`` (no geometry), areas are measured in ``areas``.

Geometry is kept in an equal-area projection (Lambert azimuthal equal-area on WGS84,
centred on Ukraine), so ``area_km2`` is a planar area that equals the ellipsoidal one;
``tests/test_geodata.py`` checks it against pyproj's geodesic area.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from . import gazetteer, inputs, settings, unitchecks
from .areas import area_km2
from .errors import InputError
from .gazetteer import (
    Settlement,
    Unit,
    fold,
    geodata_dir,
    oblast_index,
    read_names,
    resolve_oblast,
    resolve_place,
    resolve_unit,
)
from .unitchecks import OFFICIAL_AREA_KM2

# numpy, shapely and pyproj are imported where they are used: resolving oblast and place
# names (all that validating a scenario needs) reads the CSVs only.

EQUAL_AREA = "+proj=laea +lat_0=48.5 +lon_0=31.5 +ellps=WGS84 +units=m +no_defs"


@cache
def _transformer(inverse: bool = False):
    """lon/lat → working CRS (or back); pyproj is loaded on first use, not at import."""
    from pyproj import Transformer

    pair = (EQUAL_AREA, "EPSG:4326") if inverse else ("EPSG:4326", EQUAL_AREA)
    return Transformer.from_crs(*pair, always_xy=True)


def project(lon, lat):
    """lon/lat arrays → working-CRS (x, y) arrays: in numpy (``projection``) where it
    applies, by pyproj elsewhere."""
    import numpy as np

    from . import projection

    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if projection.fits(lon, lat):
        return projection.forward(lon, lat)
    return _transformer().transform(lon, lat)


def to_equal_area(geom, densify_deg: float | None = None):
    """Project a lon/lat shapely geometry into the equal-area working CRS, densified first
    every ``densify_deg`` degrees when given (so that its edges follow the projection)."""
    import numpy as np
    import shapely

    from . import projection

    if densify_deg is not None:
        fast = projection.polygons(geom, densify_deg)
        if fast is not None:
            return fast
        if projection.short_ring(geom):  # the readers name one first, file and feature
            raise InputError("a polygon has an empty ring; drop it, or give its corners")
        geom = shapely.segmentize(geom, densify_deg)
    return shapely.transform(geom, lambda xy: np.column_stack(project(xy[:, 0], xy[:, 1])))


def unproject(x, y):
    """Working-CRS (x, y) arrays → lon/lat arrays: in numpy (``projection.inverse``) where
    it applies, by pyproj elsewhere (pyproj is then loaded, ~0.1 s)."""
    import numpy as np

    from . import projection

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lon, lat = projection.inverse(x, y)
    if projection.fits(lon, lat):
        return lon, lat
    return _transformer(inverse=True).transform(x, y)


def to_lonlat(geom):
    """Project a working-CRS geometry back to lon/lat (for maps and exports)."""
    import numpy as np
    import shapely

    return shapely.transform(geom, lambda xy: np.column_stack(unproject(xy[:, 0], xy[:, 1])))


CONTEXT_FILES = ("neighbours.geojson", "dnipro.geojson")  # what the maps draw around Ukraine


def data_digest() -> str:
    """Short hash of the data a figure or map rests on: the embedded files (the maps'
    context too), and the units file when one replaces the embedded units."""
    injected = bool(_ACTIVE) or settings.units_path() is not None
    return _digest(load().source.get("sha256", "") if injected else "")


def embedded_digest() -> str:
    """Short hash of the embedded files alone (the water among them), whatever the units."""
    return _digest("")


@cache
def _digest(units_sha256: str) -> str:
    h = hashlib.sha256()
    for name in ("units.csv", "oblasts.geojson", "settlements.csv", WATER, *CONTEXT_FILES):
        path = geodata_dir() / name
        h.update(path.read_bytes() if path.exists() else b"")
    h.update(units_sha256.encode())
    return h.hexdigest()[:12]


EMBEDDED_SOURCE = {"name": "embedded Natural Earth 10m admin-1 units"}

WATER = "water.geojson"  # inland water: the population model places nobody on it


@cache
def water():
    """Inland water (rivers, reservoirs, lakes, estuaries; OpenStreetMap, 2017) in the
    working CRS, prepared, whatever the units: no footprint or rural point of the
    population model lies on it (a left-bank town's disc over the Dnipro had counted as
    Ukrainian-held where DeepState's line runs along the bank)."""
    import shapely

    path = geodata_dir() / WATER
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        (feature,) = data["features"]  # one MultiPolygon, unioned when it was built
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"the embedded inland water cannot be read ({inputs.reason(exc)}): rebuild it "
            "with python geodata/build_water.py, or reinstall modeller",
            str(path),
        ) from None
    projected = to_equal_area(shapely.from_geojson(json.dumps(feature["geometry"])))
    shapely.prepare(projected)
    return projected


@dataclass(frozen=True, eq=False)
class Geodata:
    """Units keyed by ISO code, their geometry, settlements (hashed by identity: caches of
    derived data are keyed on the loaded object)."""

    units: dict[str, Unit]
    geometry: dict[str, object]  # code -> working-CRS (Multi)Polygon
    settlements: tuple[Settlement, ...]
    settlement_xy: np.ndarray  # (n, 2) working-CRS coordinates, same order
    alt_names: tuple[str, ...]  # each settlement's alternate names, '|'-separated
    source: dict = field(default_factory=lambda: dict(EMBEDDED_SOURCE))  # which units
    water: bool = False  # whether nobody is placed on inland water (``water()``)

    @property
    def codes(self) -> list[str]:
        return list(self.units)

    @property
    def total_km2(self) -> float:
        return float(sum(area_km2(g) for g in self.geometry.values()))


_ACTIVE: list[Geodata] = []


@contextmanager
def use(data: Geodata) -> Iterator[Geodata]:
    """Make ``data`` the geodata every module reads inside the block.

    For tests with tiny hand-drawn units: unit codes must be real ISO codes (scenario
    files name oblasts by their real names), geometry is in the working CRS.
    """
    _ACTIVE.append(data)
    try:
        yield data
    finally:
        _ACTIVE.remove(data)


def load() -> Geodata:
    """The active geodata: injected with ``use``, else the units file named by
    MODELLER_UNITS (``--units``), else the embedded units; each file is loaded once per
    process."""
    if _ACTIVE:
        return _ACTIVE[-1]
    path = settings.units_path()
    if path is None:
        return _embedded()
    full = _resolved(path)  # (the cache's key; outputs name the file as written)
    try:
        return _from_file(str(full), _stamp(Path(path)), str(path))
    except InputError as exc:  # named as the user wrote it, as other inputs' errors are
        if exc.file != str(full) or str(full) == str(path):
            raise
        raise replace(exc, file=str(path)) from None


def _reassigned() -> dict[int, str] | None:
    """Each settlement's unit (geonameid → code) on a units file in use; None on the
    embedded units, where settlements.csv says it (``gazetteer.use_reassigned``)."""
    if not _ACTIVE and settings.units_path() is None:
        return None
    global _UNITS_OF
    data, kept = load(), _UNITS_OF  # (one pair, read once: threads may replace it)
    if kept[0] is not data:  # (the last units' only: no Geodata kept alive after use)
        kept = _UNITS_OF = (data, {s.geonameid: s.oblast for s in data.settlements})
    return kept[1]


_UNITS_OF: tuple = (None, None)  # the Geodata last asked, its settlements' units
gazetteer.use_reassigned(_reassigned)


def _resolved(path) -> Path:
    """A units file's full path, links followed (a loop of links, too long a name: an
    InputError saying so, as for any input file)."""
    try:
        return Path(path).resolve()
    except RuntimeError:  # (Python's "Symlink loop from …")
        message = "cannot read units file: it is a link in a loop of links"
        raise InputError(message, str(path)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read units file: {inputs.reason(exc)}", str(path)) from None


def _as_read(full: Path, written: str | None) -> Path:
    """The name to read a units file by: as written when that name is one of a units file
    (its suffix; a Shapefile's .shx beside it), so that a link's own name and sidecars
    count (a link 'units.geojson' to a file without a suffix, a Shapefile of links into
    folders of their own); else its target, ``full`` (a link to a .shp whose sidecars lie
    beside the target, a link without a suffix)."""
    from .unitsfile import SUFFIXES

    if written is None:
        return full
    given = Path(written)
    if given.suffix.lower() not in SUFFIXES:
        return full
    if given.suffix.lower() == ".shp" and not given.with_suffix(".shx").exists():
        return full if full.with_suffix(".shx").exists() else given
    return given


def _stamp(path: Path) -> tuple:
    """What tells a units file saved over since it was read (size, time, inode; of a
    Shapefile's .dbf too, where its names are): read again, not served from the cache
    under its name. A file that cannot be stat'ed stamps nothing (the reading says why)."""
    out = []
    for p in (path, path.with_suffix(".dbf")) if path.suffix.lower() == ".shp" else (path,):
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


@cache
def _embedded() -> Geodata:
    """Load the embedded geodata once per process."""
    import numpy as np
    import shapely

    units, settlements, alts = read_names()
    text = (geodata_dir() / "oblasts.geojson").read_text(encoding="utf-8")
    codes = [f["properties"]["code"] for f in json.loads(text)["features"]]
    # GEOS parses the coordinates (one geometry per feature, in order): ~10x faster than
    # building them in Python, the same numbers
    shapes = shapely.get_parts(shapely.from_geojson(text))
    geometry = {code: to_equal_area(shapes[codes.index(code)]) for code in sorted(codes)}
    lon = np.array([s.lon for s in settlements])
    lat = np.array([s.lat for s in settlements])
    xy = _snap_inside(np.column_stack(project(lon, lat)), settlements, geometry)
    return Geodata(units, geometry, settlements, xy, alts, water=True)


def check_units(path: Path) -> None:
    """Read and check a units file as ``--units`` would (InputError when refused); it is
    then kept for ``load``."""
    _from_file(str(_resolved(path)), _stamp(Path(path)), str(path))


@cache
def _from_file(path: str, stamp: tuple = (), written: str | None = None) -> Geodata:
    """The embedded unit table and settlements on the unit geometry of a boundaries file
    (``path``: its full path, links followed, the cache's key; read as ``written``, its
    suffix and a Shapefile's sidecars as the user gave them, when a link leads elsewhere).

    Official areas and populations stay keyed by code; each settlement is re-assigned to
    the unit polygon that contains it (the nearest one when it lies off the outline) and
    snapped inside it.
    """
    from . import unitsfile, unitskept

    base = _embedded()
    read_as = _as_read(Path(path), written)
    sha = unitskept.digest(read_as)  # (kept units are not read again, nor checked)
    key = unitskept.key(read_as, sha, embedded_digest()) if sha else None
    kept = unitskept.read(key, base.settlements) if key else None
    if kept is None:
        features, others = unitsfile.read_features(read_as)
        geometry, settlements, xy, how = _checked(base, features, others, path)
    else:
        geometry, settlements, xy, how = kept
    source = {
        "name": f"units file {inputs.shown(Path(path).name)}",
        "file": inputs.shown(written or path),  # as the user wrote it (``stamp``: a key)
        "sha256": sha if sha and read_as == Path(path) else inputs.digest(Path(path)),
        "matched_by": how,
    }
    data = Geodata(base.units, geometry, settlements, xy, base.alt_names, source, water=True)
    if kept is None:
        unitchecks.check_gaps(country_of(data), path, place_text, water)
        if key:
            unitskept.write(key, geometry, settlements, xy, how)
    return data


def _checked(base: Geodata, features: list, others: list, path: str) -> tuple:
    """A units file's features matched to the embedded units, checked, repaired and
    projected; the settlements each in the unit that holds it, snapped inside it:
    (geometry by code, settlements, their points, how units were matched)."""
    import numpy as np

    from . import unitsfile

    index = oblast_index()

    def label(code: str) -> str:
        u = base.units[code]
        return f"{u.name_en} / {u.name_uk} ({code})"

    unitchecks.check_over_ukraine([g for _, g, _n in features], path, "unit")
    matched, how = unitsfile.match(
        features, set(base.units), lambda text: index.get(fold(text)), label, path, others
    )
    number = {id(g): n for _, g, n in features}
    unitchecks.check_vertices(matched, number, label, path)
    geometry = {code: _valid_area(matched[code]) for code in sorted(matched)}
    from .regions import repaired  # (shapely: not for --help and validate)

    parts = {  # a unit in several features: each projected, by feature number
        code: {number[id(g)]: repaired(to_equal_area(g)) for g in lonlat}
        for code, lonlat in matched.items()
        if len(lonlat) > 1
    }
    official = {code: u.area_official_km2 for code, u in base.units.items()}
    unitchecks.check_units_file(parts, geometry, base.geometry, official, label, path)
    lon = np.array([s.lon for s in base.settlements])
    lat = np.array([s.lat for s in base.settlements])
    xy = np.column_stack(project(lon, lat))
    codes = list(geometry)
    nearest = _unit_of_points([geometry[c] for c in codes], xy)
    settlements = tuple(
        s._replace(oblast=codes[int(j)]) for s, j in zip(base.settlements, nearest, strict=True)
    )
    return geometry, settlements, _snap_inside(xy, settlements, geometry), how


_COUNTRIES: dict[Geodata, object] = {}  # per units set (by identity): their union


def country_of(data: Geodata, kept=None):
    """The union of the units (working CRS), once per units set: a units file's gap check,
    the outline rule, the engine's bands and the timeline's plan all use it (~30 ms).
    ``kept``: that union as kept between runs (``reconcile``'s outline zone keeps it),
    taken unless it was made already (one object per units set: it may be prepared)."""
    if kept is not None:
        _COUNTRIES.setdefault(data, kept)
    if data not in _COUNTRIES:
        import shapely

        _COUNTRIES[data] = shapely.union_all(list(data.geometry.values()))
    return _COUNTRIES[data]


def place_text(geom) -> str:
    """'near 37.55°E 48.60°N': where a working-CRS geometry lies, for a message."""
    p = to_lonlat(geom.representative_point())
    return f"near {p.x:.2f}°E {p.y:.2f}°N"


def _unit_of_points(units: list, xy: np.ndarray) -> np.ndarray:
    """Index of the unit each point lies in, or of the nearest unit for a point off every
    outline or on the edge of two (as ``STRtree.query_nearest`` gives, which alone costs
    ~1 s for the 5,204 settlements: distances to whole oblast outlines)."""
    import numpy as np
    import shapely

    tree = shapely.STRtree(units)
    points = shapely.points(xy)
    point, unit = tree.query(points, predicate="intersects")
    hits = np.bincount(point, minlength=len(xy))
    out = np.full(len(xy), -1, dtype=int)
    alone = hits[point] == 1
    out[point[alone]] = unit[alone]
    rest = np.flatnonzero(hits != 1)
    if rest.size:
        which, hit = tree.query_nearest(points[rest], all_matches=False)
        out[rest[which]] = hit
    return out


def _valid_area(lonlat_parts: list):
    """One valid working-CRS (Multi)Polygon from a unit's lon/lat parts (repaired after
    projecting, which can itself introduce a self-touching ring)."""
    import shapely

    from .regions import repaired, reprojected

    merged = shapely.union_all([repaired(g) for g in lonlat_parts])
    # (polygons only, repaired or not; their union as the units have always had it)
    return shapely.union_all(shapely.get_parts(reprojected(to_equal_area(merged))))


def _snap_inside(xy: np.ndarray, settlements: list, geometry: dict) -> np.ndarray:
    """Move settlements that fall just outside their oblast's outline (coast, border) onto it.

    GeoNames points on a coast or a river bank can sit a few hundred metres outside the
    1:10m outline. Snapping them once makes "which piece holds this town" a plain
    point-in-polygon question that every caller answers the same way.
    """
    import numpy as np
    import shapely

    xy = xy.copy()
    oblast = np.array([s.oblast for s in settlements])
    for code, geom in geometry.items():
        idx = np.flatnonzero(oblast == code)
        shapely.prepare(geom)  # (the same exact predicate, ~6x faster for the ~30,000 places)
        outside = idx[~shapely.covers(geom, shapely.points(xy[idx]))]
        if len(outside):
            nearest = shapely.shortest_line(shapely.points(xy[outside]), geom)
            xy[outside] = shapely.get_coordinates(nearest)[1::2]
    return xy


__all__ = [  # (names, units and settlements come from the gazetteer)
    "EQUAL_AREA",
    "OFFICIAL_AREA_KM2",
    "Geodata",
    "Settlement",
    "Unit",
    "area_km2",
    "geodata_dir",
    "load",
    "resolve_oblast",
    "resolve_place",
    "resolve_unit",
    "to_equal_area",
    "to_lonlat",
    "unproject",
    "use",
]
