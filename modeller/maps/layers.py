"""Display geometry: the run's pieces, oblasts, neighbours and the Dnipro as rounded lon/lat
GeoJSON, with the label anchors and the frame each map opens on.

Geometry is simplified for display only; no figure is ever computed from it. Everything that
is the same on every page (``base_layers``) is built once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.ops import polylabel

from .. import geodata, geomcache, memo
from ..partition import Partition
from . import words
from .assets import RawJSON

SIMPLIFY_M = 1000.0
"""Display-only simplification tolerance in working-CRS metres (GEOS coverage simplification,
which keeps shared edges shared: no slivers between areas)."""
DECIMALS = 4
"""Decimals kept in lon/lat display coordinates (about 11 m)."""
LABELLED_TOWNS = 6
"""How many of the largest towns changing hands are always labelled (first in line)."""
SMALL_UNITS = {"UA-30", "UA-40"}  # cities with special status: their names only when zoomed in
COUNTRY_NAMES = {"Russian Federation": "Russia", "Moldova, Republic of": "Moldova"}
ORIENTATION_TOWNS = (
    "Kyiv",
    "Kharkiv",
    "Odesa",
    "Dnipro",
    "Donetsk",
    "Zaporizhzhya",
    "Lviv",
    "Mykolayiv",
    "Mariupol",
    "Luhansk",
    "Simferopol",
    "Kherson",
    "Sumy",
    "Poltava",
    "Chernihiv",
)
"""Towns shown on every map for orientation (GeoNames names; shown in news spelling)."""
MERGE_SHARE = 0.15
FRAME_MIN_KM2 = 50.0
"""Changed land of one oblast smaller than this (and under 1 % of the change) is drawn but
not framed or labelled on opening."""
RANKS = {"town": 0, "area": 10, "place": 30, "river": 45, "town-more": 50, "oblast": 60}
"""Label priority by kind (lower is placed first); ``country`` labels come last (80)."""


_SIMPLIFIED = memo.ByIdentity(64)
_BEFORE = memo.ByIdentity(64)  # a coverage's baseline layer (read only: pages share it)


def simplify(geoms: np.ndarray) -> np.ndarray:
    """Simplify a coverage for display, keeping shared edges; fall back per geometry.

    Remembered for the same geometry objects: most scenarios of a run keep their
    baseline's pieces whole (only statuses change), so their coverage is the same."""
    return _SIMPLIFIED.get(tuple(geoms), lambda: _simplify(geoms)).copy()


def _simplify(geoms: np.ndarray) -> np.ndarray:
    """``simplify`` of a coverage, kept between runs (``geomcache``): GEOS takes ~0.1 s a
    coverage, and a run with the shipped scenarios has four, the same from run to run."""
    if not len(geoms):
        return geoms.copy()
    wkb = shapely.to_wkb(geoms)
    lengths = np.array([len(w) for w in wkb], dtype=np.int64)
    versions = (shapely.__version__, shapely.geos_version_string)  # GEOS draws it
    key = geomcache.digest("display coverage", SIMPLIFY_M, versions, lengths, _joined(wkb))

    def draw() -> dict:
        try:
            out = shapely.coverage_simplify(geoms, SIMPLIFY_M)
        except (AttributeError, shapely.errors.ShapelyError, ValueError):
            out = shapely.simplify(geoms, SIMPLIFY_M / 3, preserve_topology=True)
        bad = shapely.is_empty(out) | ~np.isin(shapely.get_type_id(out), [3, 6])
        out[bad] = geoms[bad]  # never lose a feature to simplification
        drawn = shapely.to_wkb(out)
        return {"ends": np.cumsum([len(w) for w in drawn]), "wkb": _joined(drawn)}

    kept = geomcache.kept(key, draw, ("ends", "wkb"))  # (its key holds every length)
    data, ends = kept["wkb"].tobytes(), kept["ends"]
    starts = np.concatenate([[0], ends[:-1]])
    return shapely.from_wkb([data[a:b] for a, b in zip(starts, ends, strict=True)])


def _joined(wkb: np.ndarray) -> np.ndarray:
    """Many WKB strings as one uint8 array."""
    return np.frombuffer(b"".join(wkb), dtype=np.uint8)


def lonlat(geom):
    """A working-CRS geometry in rounded lon/lat."""
    return shapely.transform(geodata.to_lonlat(geom), lambda c: np.round(c, DECIMALS))


def feature(geom, **props) -> dict:
    """A GeoJSON feature (geometry serialised by GEOS, much faster than ``mapping``)."""
    return {"type": "Feature", "properties": props, "geometry": RawJSON(shapely.to_geojson(geom))}


def collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def anchor(geom) -> tuple[float, float]:
    """(lat, lon) of a label point well inside the largest part of a working-CRS geometry."""
    return tuple(_latlon(_pole(geom)[1]))


def _pole(geom) -> tuple:
    """The largest part of a working-CRS geometry and its pole of inaccessibility."""
    parts = shapely.get_parts(geom)
    largest = parts[int(np.argmax(shapely.area(parts)))]
    return largest, polylabel(largest, 1000.0)


def _latlon(point) -> list[float]:
    """[lat, lon] of a working-CRS point, as the pages' labels take it."""
    p = geodata.to_lonlat(point)
    return [round(p.y, DECIMALS), round(p.x, DECIMALS)]


def spare_anchors(part, pole, n: int = 6) -> list[tuple[float, float]]:
    """Points well inside ``part`` other than its pole, nearest the pole first: where a
    label's leader may start when the pole is crowded (by towns, by other labels).

    Notes
    -----
    A grid point is kept when it lies inside ``part`` more than a tenth of the part's
    smaller extent from its rim, unless the pole itself is not that deep (a thin part):
    then any point inside will do. Measured as distances to the rim, not with a negative
    buffer of the part: the same points on every changed part of the shipped scenarios
    and on every oblast, at a fortieth of the cost (a ring whose buffer is empty though
    its pole is deep now keeps its points inside).
    """
    x0, y0, x1, y1 = part.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, 7)[1:-1], np.linspace(y0, y1, 7)[1:-1])
    pts = shapely.points(xs.ravel(), ys.ravel())
    margin, rim = 0.1 * min(x1 - x0, y1 - y0), part.boundary
    keep = shapely.contains_xy(part, xs.ravel(), ys.ravel())
    if shapely.distance(rim, pole) > margin:  # not on the rim
        keep &= shapely.distance(rim, pts) > margin
    pts = sorted(pts[keep], key=lambda p: p.distance(pole))
    step = max(1, len(pts) // n)
    return [(p.x, p.y) for p in pts[::step][:n]]


def bounds(geoms) -> list[list[float]] | None:
    """Leaflet bounds [[south, west], [north, east]] of working-CRS geometries (None: empty)."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    xy = shapely.get_coordinates(geoms)  # their vertices bound them: no union needed
    lon, lat = geodata.unproject(xy[:, 0], xy[:, 1])
    return _bounds_ll(shapely.box(lon.min(), lat.min(), lon.max(), lat.max()))


def _bounds_ll(geom) -> list[list[float]]:
    x0, y0, x1, y1 = geom.bounds
    return [[round(y0, 3), round(x0, 3)], [round(y1, 3), round(x1, 3)]]


def label(
    lat,
    lon,
    text: str,
    kind: str,
    rank: int,
    sub: str = "",
    radius: float = 0,
    spare=None,
    km2: float = 0.0,
) -> list:
    """One map label as the page script reads it: ``[lat, lon, text, kind, rank, sub, r]``
    and, for an area, ``spare``: further [lat, lon] its leader may start from, and its km²
    (what a layout that hides it leaves unexplained).

    ``rank`` orders placement (lower first); ``r`` is the radius in px of the marker the
    label sits beside (0: centred on its point)."""
    out = [lat, lon, text, kind, rank, sub, radius]
    if km2:
        return [*out, spare or [], round(float(km2), 1)]
    return [*out, spare] if spare else out


def base_layers() -> dict:
    """What every map shows: neighbours, oblasts, the Dnipro, orientation towns, their labels,
    Ukraine's bounds and a coarse outline for the locator map (lon/lat rings)."""
    return base_layers_of(geodata.load())


@cache
def base_layers_of(data) -> dict:
    """``base_layers`` of these units (``geodata.Geodata``)."""
    codes = list(data.geometry)
    geoms = np.array([data.geometry[c] for c in codes], dtype=object)
    simple = simplify(geoms)
    oblasts, labels = [], []
    for code, g, full in zip(codes, simple, geoms, strict=True):
        name = data.units[code].name_en
        oblasts.append(feature(lonlat(g), code=code, name=name))
        kind = "oblast small-unit" if code in SMALL_UNITS else "oblast"
        labels.append(label(*anchor(full), name, kind, RANKS["oblast"]))
    outline = geodata.to_lonlat(shapely.simplify(shapely.union_all(list(geoms)), 5000.0))
    rings = [
        np.round(np.asarray(p.exterior.coords), 2).tolist()
        for p in shapely.get_parts(outline)
        if p.area > 0.05
    ]
    (lat0, lon0), (lat1, lon1) = _bounds_ll(outline)
    raw = json.loads((geodata.geodata_dir() / "neighbours.geojson").read_text(encoding="utf-8"))
    near = shapely.box(lon0 - 1.5, lat0 - 0.8, lon1 + 1.5, lat1 + 0.8)
    neighbours = []
    for f in raw["features"]:
        geom = shape(f["geometry"])
        neighbours.append(feature(shapely.transform(geom, lambda c: np.round(c, DECIMALS))))
        inside = shapely.intersection(geom, near)
        if inside.is_empty or inside.area < 0.3:
            continue
        parts = shapely.get_parts(inside)
        point = polylabel(parts[int(np.argmax(shapely.area(parts)))], 0.05)
        name = str((f.get("properties") or {}).get("name", ""))
        labels.append(
            label(
                round(point.y, 3), round(point.x, 3), COUNTRY_NAMES.get(name, name), "country", 80
            )
        )
    river, water, river_label = _dnipro()
    if river_label:
        labels.append(river_label)
    towns = _orientation_towns(data)
    labels += [
        label(t["lat"], t["lon"], t["name"], "place", RANKS["place"] + i, radius=4)
        for i, t in enumerate(towns)
    ]
    return {
        "neighbours": collection(neighbours),
        "oblasts": collection(oblasts),
        "river": river,
        "water": water,
        "towns": towns,
        "labels": labels,
        "ukraine": [[lat0, lon0], [lat1, lon1]],
        "outline": rings,
    }


def _dnipro() -> tuple[dict, dict, list | None]:
    """The Dnipro's lines and reservoirs (``geodata/dnipro.geojson``) and a label point."""
    path = geodata.geodata_dir() / "dnipro.geojson"
    if not path.exists():
        return collection([]), collection([]), None
    raw = json.loads(path.read_text(encoding="utf-8"))
    lines, water, line_geoms = [], [], []
    for f in raw["features"]:
        geom = shape(f["geometry"])
        geom = shapely.transform(geom, lambda c: np.round(c, DECIMALS))
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            water.append(feature(geom, name="Dnipro"))
        else:
            lines.append(feature(geom, name="Dnipro"))
            line_geoms.append(geom)
    if not lines:
        return collection(lines), collection(water), None
    merged = shapely.line_merge(shapely.union_all(line_geoms))
    parts = shapely.get_parts(merged)
    longest = parts[int(np.argmax(shapely.length(parts)))]
    p = longest.interpolate(0.5, normalized=True)
    return (
        collection(lines),
        collection(water),
        label(round(p.y, 3), round(p.x, 3), "Dnipro", "river", RANKS["river"]),
    )


def _orientation_towns(data) -> list[dict]:
    best: dict[str, object] = {}
    for s in data.settlements:
        if s.name in ORIENTATION_TOWNS and (
            s.name not in best or s.population > best[s.name].population
        ):
            best[s.name] = s
    return [
        {
            "name": words.place(s.name),
            "lat": round(s.lat, DECIMALS),
            "lon": round(s.lon, DECIMALS),
            "population": s.population,
        }
        for s in sorted(best.values(), key=lambda s: -s.population)
    ]


def marker_radius(population: float) -> float:
    """Drawn radius (px) of a town marker: area grows with population."""
    return round(3.5 + 2.5 * (max(population, 0) / 1e5) ** 0.5, 1)


@dataclass
class ScenarioView:
    """One scenario's entry and partition, prepared for display (GeoJSON, labels, frame)."""

    entry: dict
    partition: Partition
    page: str
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for s in self.entry["statuses"]:
            self.labels[s["status"]] = s["label"]
        pieces = self.partition.pieces
        simple = simplify(np.array([p.geometry for p in pieces], dtype=object))
        # the land before the scenario: the same for every scenario on the same pieces
        self.status = _BEFORE.get(
            tuple(simple),
            lambda: self._group(pieces, simple, lambda p: (p.oblast, p.before)),
            tuple((p.oblast, p.before) for p in pieces),
        )
        moved = [i for i, p in enumerate(pieces) if p.before != p.after]
        self.changed = self._group(
            [pieces[i] for i in moved],
            simple[moved],
            lambda p: (p.oblast, p.before, p.after),
        )
        self.recognised = self._recognition(pieces, simple)
        framed = self._framed([pieces[i] for i in moved])
        self.bounds = bounds([p.geometry for p in framed])
        self.area_labels = self._area_labels(framed)

    @property
    def id(self) -> str:
        return self.page.removesuffix(".html")

    @property
    def title(self) -> str:
        return self.entry["title"]

    @property
    def baseline_key(self) -> tuple:
        b = self.entry["baseline"]
        return (b["name"], b["date"], b["source"])

    def label(self, status: str) -> str:
        """The scenario's words for a status (never its code, unless it has no label)."""
        return self.labels.get(status) or status.replace("_", " ").capitalize()

    def statuses(self) -> list[tuple[str, str | None]]:
        """(status, requested colour) of every status this scenario draws."""
        spec = getattr(self.partition.scenario, "statuses", {}) or {}
        names = [s["status"] for s in self.entry["statuses"]]
        for p in self.partition.pieces:
            names += [p.before, p.after]
        return [(s, getattr(spec.get(s), "colour", None)) for s in dict.fromkeys(names)]

    def town_labels(self) -> list[list]:
        """Labels of the towns changing hands (most of them, ``words.mapped_towns``): the
        largest first and always shown."""
        out = []
        for i, t in enumerate(words.mapped_towns(self.entry["towns"])):
            kind, rank = ("town", RANKS["town"] + i)
            if i >= LABELLED_TOWNS:
                kind, rank = ("town-more", RANKS["town-more"] + i)
            r = marker_radius(t["population"])
            out.append(label(t["lat"], t["lon"], words.place(t["name"]), kind, rank, radius=r))
        return out

    def _group(self, pieces, geoms, key) -> dict:
        groups: dict[tuple, list] = {}
        for p, g in zip(pieces, geoms, strict=True):
            groups.setdefault(key(p), []).append(g)
        feats = []
        for k, gs in groups.items():
            geom = gs[0] if len(gs) == 1 else shapely.union_all(gs)
            props = {"oblast": k[0], "status": k[-1]}
            if len(k) == 3:
                props["before"] = k[1]
            feats.append(feature(lonlat(geom), **props))
        return collection(feats)

    def _recognition(self, pieces, geoms) -> dict:
        """Outlines of the land whose new status a step marks as recognised de jure/de facto."""
        groups: dict[str, list] = {}
        for p, g in zip(pieces, geoms, strict=True):
            rec = dict(p.attrs).get("recognition")
            if rec:
                groups.setdefault(rec, []).append(g)
        return collection(
            [
                feature(lonlat(shapely.union_all(gs)), recognition=rec)
                for rec, gs in sorted(groups.items())
            ]
        )

    def _transfers(self) -> dict[tuple, list[dict]]:
        """The run document's transfers by (oblast, old holder, new holder): one row each
        per recognition, which a map's land and labels take together (the last row had
        stood for all: a de jure strip labelled with the figures of a town beside it)."""
        out: dict[tuple, list[dict]] = {}
        for t in self.entry["transfers"]:
            out.setdefault((t["oblast"], t["from"], t["to"]), []).append(t)
        return out

    def _framed(self, moved) -> list:
        """The pieces a map opens on: each oblast's land changing hands (per old and new
        holder) unless it is a sliver — under ``FRAME_MIN_KM2`` and under 1 % of all the land
        that changes hands (edge mismatches between a baseline and the oblast outlines)."""
        km2 = {k: sum(t["km2"] for t in ts) for k, ts in self._transfers().items()}
        floor = min(FRAME_MIN_KM2, 0.01 * sum(km2.values()))
        return [p for p in moved if km2.get((p.oblast, p.before, p.after), 0.0) >= floor]

    def _area_labels(self, moved) -> list[list]:
        """A label on the land changing hands: where it goes, its km² and people.

        Each oblast's land going from one holder to another is one part. A small part (under
        ``MERGE_SHARE`` of its neighbour) touching (within 2 km) a part with the same old and
        new holder shares its label ("Donetsk, Luhansk: to Russia") with summed figures, so
        a strip that crosses an oblast border is named once. Figures are the run document's
        (rounded), never the display geometry's.
        """
        figures = self._transfers()
        km2_of = {k: sum(t["km2"] for t in ts) for k, ts in figures.items()}
        groups: dict[tuple, list] = {}
        for p in moved:
            if (p.oblast, p.before, p.after) in figures:
                groups.setdefault((p.oblast, p.before, p.after), []).append(p.geometry)
        keys = list(groups)
        geoms = [shapely.union_all(groups[k]) for k in keys]
        parent = list(range(len(keys)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                a, b = km2_of[keys[i]], km2_of[keys[j]]
                small = min(a, b) < MERGE_SHARE * max(a, b)
                same = keys[i][1:] == keys[j][1:]
                if same and small and shapely.distance(geoms[i], geoms[j]) < 2000.0:
                    parent[root(i)] = root(j)
        parts: dict[int, list[int]] = {}
        for i in range(len(keys)):
            parts.setdefault(root(i), []).append(i)
        out = []
        # two parts of one oblast going to one status from two holders (the 20-point
        # draft's zone, from Ukraine and from Russia) say where each comes from
        heads = [(keys[m[0]][0], keys[m[0]][2]) for m in parts.values()]
        for members in parts.values():
            ts = [t for i in members for t in figures[keys[i]]]
            ts.sort(key=lambda t: -t["km2"])
            km2 = sum(t["km2"] for t in ts)
            largest, pole = _pole(shapely.union_all([geoms[i] for i in members]))
            lat, lon = _latlon(pole)
            spare = [_latlon(shapely.Point(xy)) for xy in spare_anchors(largest, pole)]
            names = ", ".join(dict.fromkeys(t["oblast_name"] for t in ts))
            text = f"{names}: to {self.label(ts[0]['to'])}"
            if heads.count((keys[members[0]][0], keys[members[0]][2])) > 1:
                text = f"{names}: from {self.label(ts[0]['from'])} to {self.label(ts[0]['to'])}"
            value, _, rng = words.people_sum(ts).partition(" (")
            if rng:  # in millions where the tables give it so: (1.0–1.2 M)
                rng = words.millions(*rng.rstrip(")").split("–")) + ")"
            sub = f"{words.km2(km2)} km²|about {value} people" + (f"|({rng}" if rng else "")
            out.append(
                (km2, label(lat, lon, text, "area", RANKS["area"], sub, spare=spare, km2=km2))
            )
        out.sort(key=lambda x: -x[0])
        return [lb for _, lb in out]
