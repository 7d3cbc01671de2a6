"""Display geometry: the run's pieces, oblasts and neighbours as rounded lon/lat GeoJSON.

Geometry is simplified for display only; no figure is ever computed from it.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

from ..document import Amount, OblastRow, ScenarioEntry, Town
from ..rounding import people_short, share_text
from .. import geodata, report
from ..metrics import status_labels
from ..partition import Partition
from .palette import EXTRA_COLOURS

SIMPLIFY_M = 1000.0
"""Display-only simplification tolerance in working-CRS metres (GEOS coverage simplification,
Visvalingam–Whyatt style, which keeps shared edges shared: no slivers between areas)."""
DECIMALS = 4
"""Decimals kept in lon/lat display coordinates (about 11 m)."""
LABELLED_TOWNS = 6
"""How many of the largest towns changing hands get a permanent label (all get a tooltip)."""
SMALL_UNITS = {"UA-30", "UA-40"}  # cities with special status: labelled when zoomed in
COUNTRY_NAMES = {"Russian Federation": "Russia", "Moldova, Republic of": "Moldova"}

_km = report._km
_esc = html.escape


def simplify(geoms: np.ndarray) -> np.ndarray:
    """Simplify a coverage for display, keeping shared edges; fall back per geometry."""
    try:
        out = shapely.coverage_simplify(geoms, SIMPLIFY_M)
    except (AttributeError, shapely.errors.ShapelyError, ValueError):
        out = shapely.simplify(geoms, SIMPLIFY_M / 3, preserve_topology=True)
    bad = shapely.is_empty(out) | ~np.isin(shapely.get_type_id(out), [3, 6])
    out[bad] = geoms[bad]  # never lose a feature to simplification
    return out


def lonlat_json(geom) -> dict:
    """A working-CRS geometry as rounded lon/lat GeoJSON."""
    ll = shapely.transform(geodata.to_lonlat(geom), lambda c: np.round(c, DECIMALS))
    return mapping(ll)


def round_json(geom) -> dict:
    return mapping(shapely.transform(geom, lambda c: np.round(c, DECIMALS)))


def collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


@cache
def ukraine_bounds() -> list[list[float]]:
    outline = geodata.to_lonlat(shapely.union_all(list(geodata.load().geometry.values())))
    x0, y0, x1, y1 = outline.bounds
    return [[round(y0, 3), round(x0, 3)], [round(y1, 3), round(x1, 3)]]


@cache
def oblast_layer() -> tuple[dict, list[tuple]]:
    """Oblast outlines (display GeoJSON) and label points (lat, lon, name, css class)."""
    data = geodata.load()
    codes = list(data.geometry)
    geoms = np.array([data.geometry[c] for c in codes], dtype=object)
    simple = simplify(geoms)
    feats, labels = [], []
    for i, (code, g) in enumerate(zip(codes, simple, strict=True)):
        name = data.units[code].name_en
        feats.append(
            {
                "type": "Feature",
                "id": f"o{i}",
                "properties": {"code": code, "name": name},
                "geometry": lonlat_json(g),
            }
        )
        parts = shapely.get_parts(geoms[i])
        largest = parts[int(np.argmax(shapely.area(parts)))]
        point = geodata.to_lonlat(polylabel(largest, 2000.0))
        cls = "m-oblast-label m-small-unit" if code in SMALL_UNITS else "m-oblast-label"
        labels.append((round(point.y, 4), round(point.x, 4), name, cls))
    return collection(feats), labels


@cache
def neighbour_layer() -> tuple[dict, list[tuple]]:
    """Neighbouring countries (display GeoJSON) and labels for those near Ukraine."""
    raw = json.loads((geodata.geodata_dir() / "neighbours.geojson").read_text(encoding="utf-8"))
    (lat0, lon0), (lat1, lon1) = ukraine_bounds()
    near = shapely.box(lon0 - 1.5, lat0 - 0.8, lon1 + 1.5, lat1 + 0.8)
    feats, labels = [], []
    for i, f in enumerate(raw["features"]):
        geom = shape(f["geometry"])
        name = str((f.get("properties") or {}).get("name", ""))
        feats.append(
            {"type": "Feature", "id": f"n{i}", "properties": {}, "geometry": round_json(geom)}
        )
        inside = shapely.intersection(geom, near)
        if inside.is_empty or inside.area < 0.3:
            continue
        parts = shapely.get_parts(inside)
        point = polylabel(parts[int(np.argmax(shapely.area(parts)))], 0.05)
        labels.append(
            (round(point.y, 3), round(point.x, 3), COUNTRY_NAMES.get(name, name), "m-country")
        )
    return collection(feats), labels


@dataclass
class ScenarioView:
    """One scenario's entry, partition, status colours and display layers."""

    entry: ScenarioEntry
    partition: Partition
    page: str

    def __post_init__(self) -> None:
        e = self.entry
        labels = status_labels(self.partition)
        extra = iter(EXTRA_COLOURS * 4)
        names = [s.status for s in e.statuses]
        for p in self.partition.pieces:
            names += [p.before, p.after]
        self.colours = {}
        self.labels = {}
        for s in dict.fromkeys(names):
            spec = labels.get(s, {})
            self.colours[s] = spec.get("colour") or next(extra)
            self.labels[s] = spec.get("label") or s
        for s in e.statuses:
            self.labels[s.status] = s.label
        self.tips = {o.oblast: self._oblast_tip(o) for o in e.oblasts}
        pieces = self.partition.pieces
        simple = simplify(np.array([p.geometry for p in pieces], dtype=object))
        # The baseline once; the scenario is drawn as its changed areas on top of it, hatched
        # and filled with the new status, so each extra scenario costs only what it changes.
        self.status = self._group(pieces, simple, lambda p: (p.oblast, p.before), "s")
        moved = [i for i, p in enumerate(pieces) if p.before != p.after]
        self.changed = self._group(
            [pieces[i] for i in moved],
            simple[moved],
            lambda p: (p.oblast, p.before, p.after),
            "c",
        )
        self.recognised = self._recognition(pieces, simple)
        self.towns = collection(
            [
                {
                    "type": "Feature",
                    "id": f"t{i}",
                    "properties": {"tip": self._town_tip(t), "to": t.to},
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(t.lon, DECIMALS), round(t.lat, DECIMALS)],
                    },
                }
                for i, t in enumerate(e.towns)
            ]
        )
        self.town_labels = [
            (round(t.lat, 4), round(t.lon, 4), t.name, "m-town-label")
            for t in e.towns[:LABELLED_TOWNS]
        ]

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def baseline_key(self) -> tuple:
        b = self.entry.baseline
        return (b.name, b.date, b.source)

    @property
    def baseline_label(self) -> str:
        b = self.entry.baseline
        return f"{b.name} ({b.date or 'undated'})"

    def _group(self, pieces, geoms, key, prefix) -> dict:
        groups: dict[tuple, list] = {}
        for p, g in zip(pieces, geoms, strict=True):
            groups.setdefault(key(p), []).append(g)
        feats = []
        for i, (k, gs) in enumerate(groups.items()):
            geom = gs[0] if len(gs) == 1 else shapely.union_all(gs)
            props = {"oblast": k[0], "status": k[-1], "tip": self.tips[k[0]]}
            feats.append(
                {
                    "type": "Feature",
                    "id": f"{prefix}{i}",
                    "properties": props,
                    "geometry": lonlat_json(geom),
                }
            )
        return collection(feats)

    def label(self, status: str) -> str:
        return self.labels.get(status, status)

    def _recognition(self, pieces, geoms) -> dict:
        """Outlines of the land whose new status a step marks as recognised de jure/de facto."""
        groups: dict[str, list] = {}
        for p, g in zip(pieces, geoms, strict=True):
            rec = dict(p.attrs).get("recognition")
            if rec:
                groups.setdefault(rec, []).append(g)
        return collection(
            [
                {
                    "type": "Feature",
                    "id": f"r{i}",
                    "properties": {"recognition": rec},
                    "geometry": lonlat_json(shapely.union_all(gs)),
                }
                for i, (rec, gs) in enumerate(sorted(groups.items()))
            ]
        )

    def _oblast_tip(self, o: OblastRow) -> str:
        statuses = list(dict.fromkeys([*o.before, *o.after]))

        def cell(d: Amount | None) -> str:
            if not d:
                return "<td>—</td>"
            people = people_short(d.people, d.people_low, d.people_high)
            return f"<td>{_km(d.km2)} km²<br>{people} people</td>"

        rows = "".join(
            f"<tr><th scope='row'>{_esc(self.label(s))}</th>"
            f"{cell(o.before.get(s))}{cell(o.after.get(s))}</tr>"
            for s in statuses
        )
        return (
            f"<div class='m-tip'><strong>{_esc(o.name)}</strong> "
            f"<span class='m-code'>{_esc(o.oblast)}</span><table>"
            "<tr><td></td><th scope='col'>Baseline</th><th scope='col'>Scenario</th></tr>"
            f"{rows}</table></div>"
        )

    def _town_tip(self, t: Town) -> str:
        return (
            f"<div class='m-tip'><strong>{_esc(t.name)}</strong> "
            f"({_esc(t.oblast_name)})<br>{t.population:,} people (GeoNames)<br>"
            f"{_esc(share_text(t.share))} changes hands: "
            f"{_esc(self.label(t.from_))} → {_esc(self.label(t.to))}</div>"
        )
