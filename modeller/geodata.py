"""Embedded units (oblasts), settlements and population; the one place areas are measured.

Geometry is kept in an equal-area projection (Lambert azimuthal equal-area on WGS84,
centred on Ukraine), so ``area_km2`` is a planar area that equals the ellipsoidal one;
``tests/test_geodata.py`` checks it against pyproj's geodesic area.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from . import settings, unitchecks
from .areas import area_km2
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


def geodata_dir() -> Path:
    """The embedded geodata folder: inside the wheel, or at the repository top level."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_geodata", here.parent / "geodata"):
        if (candidate / "units.csv").exists():
            return candidate
    raise FileNotFoundError("embedded geodata not found; reinstall modeller")


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
        geom = shapely.segmentize(geom, densify_deg)
    return shapely.transform(geom, lambda xy: np.column_stack(project(xy[:, 0], xy[:, 1])))


def to_lonlat(geom):
    """Project a working-CRS geometry back to lon/lat (for maps and exports)."""
    import numpy as np
    import shapely

    to_lonlat = _transformer(inverse=True)
    return shapely.transform(
        geom, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1]))
    )


def data_digest() -> str:
    """Short hash of the data a figure rests on: the embedded files, and the units file
    when one replaces the embedded units."""
    injected = bool(_ACTIVE) or settings.units_path() is not None
    return _digest(load().source.get("sha256", "") if injected else "")


@cache
def _digest(units_sha256: str) -> str:
    h = hashlib.sha256()
    for name in ("units.csv", "oblasts.geojson", "settlements.csv"):
        h.update((geodata_dir() / name).read_bytes())
    h.update(units_sha256.encode())
    return h.hexdigest()[:12]


@dataclass(frozen=True)
class Unit:
    """A first-level unit (oblast, autonomous republic or city with special status)."""

    code: str
    name_en: str
    name_uk: str
    aliases: tuple[str, ...]
    area_official_km2: float
    population: int
    population_source: str

    @property
    def label(self) -> str:
        return f"{self.name_en} ({self.code})"


@dataclass(frozen=True)
class Settlement:
    geonameid: int
    name: str
    oblast: str
    population: int
    lon: float
    lat: float


EMBEDDED_SOURCE = {"name": "embedded Natural Earth 10m admin-1 units"}


@dataclass(frozen=True, eq=False)
class Geodata:
    """Units keyed by ISO code, their geometry, settlements (hashed by identity: caches of
    derived data are keyed on the loaded object)."""

    units: dict[str, Unit]
    geometry: dict[str, object]  # code -> working-CRS (Multi)Polygon
    settlements: tuple[Settlement, ...]
    settlement_xy: np.ndarray  # (n, 2) working-CRS coordinates, same order
    alt_names: tuple[tuple[str, ...], ...]
    source: dict = field(default_factory=lambda: dict(EMBEDDED_SOURCE))  # which units

    @property
    def codes(self) -> list[str]:
        return list(self.units)

    @property
    def total_km2(self) -> float:
        return float(sum(area_km2(g) for g in self.geometry.values()))


_PUNCT = re.compile(r"[\s'’ʼ`\-_.]+")


def _fold(text: str) -> str:
    """Case-, accent- and apostrophe-insensitive key for matching names."""
    return _fold_many([text])[0]


def _fold_many(texts: list[str]) -> list[str]:
    """``_fold`` of many names at once: one NFKD pass and one regex pass over all of them.

    Combining marks are dropped with ``str.translate`` (a table of the marks present), so
    folding the ~30,000 settlement names costs milliseconds, not a Python loop per letter.
    """
    joined = unicodedata.normalize("NFKD", "\x00".join(map(str, texts)))
    marks = {ord(c): None for c in set(joined) if unicodedata.combining(c)}
    return _PUNCT.sub("", joined.translate(marks).lower()).split("\x00")


@cache
def _names() -> tuple[dict[str, Unit], tuple[Settlement, ...], tuple[tuple[str, ...], ...]]:
    """Units, settlements and their alternate names from the embedded CSVs (no geometry).

    Enough to resolve oblast and place names, so validating a scenario loads no shapes.
    """
    folder = geodata_dir()
    units = {}
    with open(folder / "units.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            units[row["code"]] = Unit(
                code=row["code"],
                name_en=row["name_en"],
                name_uk=row["name_uk"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
                area_official_km2=float(row["area_official_km2"]),
                population=int(row["population_2022"]),
                population_source=row["population_source"],
            )
    settlements, alts = [], []
    with open(folder / "settlements.csv", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        col = {name: i for i, name in enumerate(next(rows))}
        gid, name, obl, pop, lon, lat, alt = (
            col[k] for k in ("geonameid", "name", "oblast", "population", "lon", "lat", "alt_names")
        )
        for row in rows:
            settlements.append(
                Settlement(
                    int(row[gid]),
                    row[name],
                    row[obl],
                    int(row[pop]),
                    float(row[lon]),
                    float(row[lat]),
                )
            )
            alts.append(tuple(a for a in row[alt].split("|") if a))
    return units, tuple(settlements), tuple(alts)


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
    return _embedded() if path is None else _from_file(str(Path(path).resolve()))


@cache
def _embedded() -> Geodata:
    """Load the embedded geodata once per process."""
    import numpy as np
    import shapely

    units, settlements, alts = _names()
    text = (geodata_dir() / "oblasts.geojson").read_text(encoding="utf-8")
    codes = [f["properties"]["code"] for f in json.loads(text)["features"]]
    # GEOS parses the coordinates (one geometry per feature, in order): ~10x faster than
    # building them in Python, the same numbers
    shapes = shapely.get_parts(shapely.from_geojson(text))
    geometry = {code: to_equal_area(shapes[codes.index(code)]) for code in sorted(codes)}
    lon = np.array([s.lon for s in settlements])
    lat = np.array([s.lat for s in settlements])
    xy = _snap_inside(np.column_stack(project(lon, lat)), settlements, geometry)
    return Geodata(units, geometry, settlements, xy, alts)


@cache
def _from_file(path: str) -> Geodata:
    """The embedded unit table and settlements on the unit geometry of a boundaries file.

    Official areas and populations stay keyed by code; each settlement is re-assigned to
    the unit polygon that contains it (the nearest one when it lies off the outline) and
    snapped inside it.
    """
    import numpy as np
    import shapely

    from . import unitsfile

    base = _embedded()
    features = unitsfile.read_features(Path(path))
    index = _oblast_index()

    def label(code: str) -> str:
        u = base.units[code]
        return f"{u.name_en} / {u.name_uk} ({code})"

    unitchecks.check_over_ukraine([g for _, g in features], path, "unit")
    matched, how = unitsfile.match(
        features, set(base.units), lambda text: index.get(_fold(text)), label, path
    )
    geometry = {code: _valid_area(matched[code]) for code in sorted(matched)}
    number = {id(g): i + 1 for i, (_, g) in enumerate(features)}
    parts = {  # a unit in several features: each projected, by feature number
        code: {number[id(g)]: shapely.make_valid(to_equal_area(g)) for g in lonlat}
        for code, lonlat in matched.items()
        if len(lonlat) > 1
    }
    unitchecks.check_units_file(parts, geometry, base.geometry, label, path)
    lon = np.array([s.lon for s in base.settlements])
    lat = np.array([s.lat for s in base.settlements])
    xy = np.column_stack(project(lon, lat))
    codes = list(geometry)
    tree = shapely.STRtree([geometry[c] for c in codes])
    which, hit = tree.query_nearest(shapely.points(xy), all_matches=False)
    nearest = np.empty(len(xy), dtype=int)
    nearest[which] = hit
    settlements = tuple(
        replace(s, oblast=codes[int(j)]) for s, j in zip(base.settlements, nearest, strict=True)
    )
    xy = _snap_inside(xy, settlements, geometry)
    source = {
        "name": f"units file {Path(path).name}",
        "file": path,
        "sha256": unitsfile.digest(Path(path)),
        "matched_by": how,
    }
    return Geodata(base.units, geometry, settlements, xy, base.alt_names, source)


def _valid_area(lonlat_parts: list):
    """One valid working-CRS (Multi)Polygon from a unit's lon/lat parts (repaired after
    projecting, which can itself introduce a self-touching ring)."""
    import shapely

    merged = shapely.union_all([shapely.make_valid(g) for g in lonlat_parts])
    projected = shapely.make_valid(to_equal_area(merged))
    polys = []
    for g in shapely.get_parts(projected):
        parts = shapely.get_parts(g) if g.geom_type == "GeometryCollection" else [g]
        polys += [p for p in parts if p.geom_type.endswith("Polygon")]
    return shapely.union_all(polys)


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
        points = shapely.points(xy[idx])
        outside = idx[~shapely.covers(geom, points)]
        if len(outside):
            nearest = shapely.shortest_line(shapely.points(xy[outside]), geom)
            xy[outside] = shapely.get_coordinates(nearest)[1::2]
    return xy


@cache
def _oblast_index() -> dict[str, str]:
    units = _names()[0]
    pairs = [
        (name, unit.code)
        for unit in units.values()
        for name in (unit.code, unit.name_en, unit.name_uk, *unit.aliases)
    ]
    return dict(zip(_fold_many([n for n, _ in pairs]), (c for _, c in pairs), strict=True))


def resolve_oblast(name: str) -> str:
    """ISO code for an oblast name, code, Ukrainian name or alias; ValueError with a hint."""
    code = _oblast_index().get(_fold(str(name)))
    if code:
        return code
    units = _names()[0]
    choices = {u.name_en: u for u in units.values()}
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    if not close:
        folded = {_fold(k): k for k in _oblast_index()}
        hit = difflib.get_close_matches(_fold(str(name)), list(folded), n=1, cutoff=0.6)
        close = [units[_oblast_index()[hit[0]]].name_en] if hit else []
    hint = (
        f" — did you mean '{close[0]}' ({choices[close[0]].code})?"
        if close
        else f"; valid: {', '.join(sorted(choices))}"
    )
    raise ValueError(f"unknown oblast '{name}'{hint}")


@cache
def _primary_index() -> dict[str, list[int]]:
    """Settlements by the folded GeoNames name."""
    _, settlements, _ = _names()
    primary: dict[str, list[int]] = {}
    for i, key in enumerate(_fold_many([s.name for s in settlements])):
        primary.setdefault(key, []).append(i)
    return primary


@cache
def _alternate_index() -> dict[str, list[int]]:
    """Settlements by each folded alternate name; built only when a name is not a primary
    one (five times the names to fold: most scenario files never need it)."""
    _, _, alt_names = _names()
    alternate: dict[str, list[int]] = {}
    owners = [i for i, alts in enumerate(alt_names) for _ in alts]
    folded = _fold_many([a for alts in alt_names for a in alts])
    for i, key in zip(owners, folded, strict=True):
        alternate.setdefault(key, []).append(i)
    return alternate


def resolve_place(text: str) -> Settlement:
    """A settlement from 'Name' or 'Name, Oblast' (GeoNames name or Latin alternate name)."""
    units, settlements, _ = _names()
    name, _, oblast = (part.strip() for part in str(text).partition(","))
    key, primary = _fold(name), _primary_index()
    hits = primary.get(key) or _alternate_index().get(key) or []
    if oblast:
        code = resolve_oblast(oblast)
        hits = [i for i in hits if settlements[i].oblast == code]
    hits = sorted(set(hits), key=lambda i: -settlements[i].population)
    if len(hits) == 1:
        return settlements[hits[0]]
    if not hits:
        close = difflib.get_close_matches(key, list(primary), n=3, cutoff=0.75)
        names = sorted({settlements[primary[c][0]].name for c in close})
        hint = f" — did you mean {', '.join(repr(n) for n in names)}?" if names else ""
        where = f" in {oblast}" if oblast else ""
        raise ValueError(f"unknown place '{name}'{where} (GeoNames cities500){hint}")
    options = ", ".join(
        f"'{settlements[i].name}, {units[settlements[i].oblast].name_en}' "
        f"at [{settlements[i].lon}, {settlements[i].lat}]"
        for i in hits[:6]
    )
    raise ValueError(
        f"place '{text}' is ambiguous ({len(hits)} matches); write 'Name, Oblast' or "
        f"[lon, lat] for one of: {options}"
    )


__all__ = [
    "EQUAL_AREA",
    "OFFICIAL_AREA_KM2",
    "Geodata",
    "Settlement",
    "Unit",
    "area_km2",
    "load",
    "resolve_oblast",
    "resolve_place",
    "to_equal_area",
    "to_lonlat",
    "use",
]
