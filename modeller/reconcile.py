"""Outline reconciliation: DeepState's border and coastline against the units' outline.

DeepState draws its occupied-territory layer up to its own border and coastline. The
units (Natural Earth, Minregion, geoBoundaries …) reach past them in places: thin
strips along the Russian border, the Azov and Black Sea coasts and around Crimea that
DeepState leaves out, although they lie behind Russian lines. Read naively, those strips
would count as Ukrainian-held. A user's baseline file, drawn on yet another outline, is
reconciled the same way (``control.from_file``).

The rule (ASSUMPTIONS.md): a part of the land that is neither Russian-held nor
contested becomes Russian-held when it

1. is cut off from the rest of Ukrainian-held land (a connected part of its own),
2. touches Russian-held land (within ``TOUCH_M``), and
3. lies wholly within ``ZONE_M`` (5 km) of the units' outer outline.

Islands that do not touch Russian-held land (Zmiinyi, the Odesa coast), the Danube
delta and anything connected to Ukrainian-held land stay Ukrainian; so does any
cut-off pocket reaching farther inland (an encircled town, a wide lagoon).

Notes
-----
Condition 3 makes the rule local: a part wholly inside the outline zone ``Z`` (the
units' land within 5 km of the outline, from the outline simplified to 50 m) is a
connected part of ``Z \\ R`` that does not reach the zone's inland edge. So the strips
are a function of ``R ∩ Z`` only, and the timeline reuses a day's strips while none of
DeepState's changed boundary segments lies in the zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely

from . import geodata, geomcache
from .geodata import area_km2
from .regions import overlay

ZONE_M = 5_000.0  # how far from the units' outline a cut-off part may reach
SIMPLIFY_M = 50.0  # the outline is simplified this much before buffering (speed)
TOUCH_M = 1.0  # a part touches Russian-held land when this close to it
MIN_REPORT_KM2 = 0.005  # per-oblast figures below this are not reported

RULE = (
    "Outline reconciliation: land neither Russian-held nor contested that is cut off from "
    "the rest of Ukrainian-held land, touches Russian-held land and lies wholly within "
    f"{ZONE_M / 1000:g} km of the units' outer outline (DeepState's own border and coastline, "
    "or a baseline file's, stop short of the units') counts as Russian-held; islands not "
    "touching Russian-held land and the Danube delta stay Ukrainian."
)


@dataclass(frozen=True, eq=False)
class OutlineZone:
    """The units' land within ``ZONE_M`` of their outer outline, and its inland edge."""

    zone: object  # working-CRS polygons
    inland: object  # working-CRS lines: where the zone ends inside the country
    reach: object  # the buffer the zone was cut from (a change outside it cannot matter)
    country: object  # all the units' land


@cache
def _zone_for(data: geodata.Geodata) -> OutlineZone:
    def draw() -> dict:
        country = geodata.country_of(data)
        rings = [p.exterior for p in shapely.get_parts(country)]
        outline = shapely.simplify(shapely.multilinestrings(rings), SIMPLIFY_M)
        reach = shapely.buffer(outline, ZONE_M, quad_segs=4)
        zone = shapely.intersection(country, reach)
        inland = shapely.intersection(shapely.boundary(reach), country)
        return {"zone": zone, "inland": inland, "reach": reach, "country": country}

    # kept between runs (geomcache, under the units' digest): its buffer took 3.2 s on
    # Minregion's units, on every new day and every timeline run with them; the units'
    # union with it (~30 ms before a timeline's workers start; WKB: the same shape)
    prepared = ("zone", "inland", "reach")
    names = (*prepared, "country")
    kept = geomcache.kept(geomcache.digest("outline zone", ZONE_M, SIMPLIFY_M), draw, names)
    for name in prepared:
        shapely.prepare(kept[name])
    country = geodata.country_of(data, kept["country"])
    return OutlineZone(kept["zone"], kept["inland"], kept["reach"], country)


def outline_zone() -> OutlineZone:
    """The outline zone of the active units (computed once per units set)."""
    return _zone_for(geodata.load())


def strips(russia, contested=None):
    """The land the rule moves to Russian-held (working CRS; empty when none).

    Parameters
    ----------
    russia : shapely geometry
        Russian-held territory in the working CRS (DeepState's occupied layer).
    contested : shapely geometry, optional
        Grey-zone territory; it never moves, and it does not cut a part off.
    """
    z = outline_zone()
    free = shapely.difference(z.zone, russia)
    parts = shapely.get_parts(free)
    parts = parts[shapely.area(parts) > 0]
    if not len(parts):
        return shapely.Polygon()
    parts = parts[~shapely.dwithin(z.inland, parts, TOUCH_M)]  # reaches inland: kept
    if len(parts):
        # prepared: the same exact predicate, ~10x faster on the whole occupied layer
        shapely.prepare(russia)
        parts = parts[shapely.dwithin(russia, parts, TOUCH_M)]
    if not len(parts):
        return shapely.Polygon()
    # parts of one valid polygonal difference never overlap: they form a MultiPolygon as
    # they are (a union of them would only reorder them, at ~40x the cost)
    moved = shapely.multipolygons(parts)
    if contested is not None and not contested.is_empty:
        moved = shapely.difference(moved, contested)
    return moved


POCKET_KM2 = 1.0  # cut-off land kept Ukrainian-held from this size on is said


def cut_off(russia, contested=None) -> tuple[tuple[str, float], ...]:
    """km² per unit of the land left Ukrainian-held that the rule keeps although it is cut
    off from the rest of Ukrainian-held land and touches Russian-held land: pockets of
    ``POCKET_KM2`` or more reaching farther inland than the outline zone. An encircled
    town is one; so is land DeepState's layer leaves out behind its lines (on the month-end
    maps of April to August 2022, 667 km² of Crimea by the Syvash lagoon).

    Notes
    -----
    The parts of ``country`` less ``russia`` but the largest (the main land not Russian-
    held) within ``TOUCH_M`` of ``russia``, less the grey zone, of ``POCKET_KM2`` or more:
    land the grey zone joins to the rest is not cut off behind Russian lines.
    """
    # (the units' union alone: the outline zone's buffer took 2.9 s of a run on Minregion's
    # units, for a result the reconciliation had kept)
    parts = shapely.get_parts(shapely.difference(geodata.country_of(geodata.load()), russia))
    if len(parts) < 2:
        return ()
    parts = np.delete(parts, int(np.argmax(shapely.area(parts))))
    parts = parts[shapely.dwithin(russia, parts, TOUCH_M)]  # (not an island off the coast)
    if contested is not None and not contested.is_empty:
        parts = shapely.difference(parts, contested)
    parts = parts[shapely.area(parts) >= POCKET_KM2 * 1e6]
    if not len(parts):
        return ()
    return moved_by_oblast(shapely.union_all(parts))


def moved_by_oblast(moved) -> tuple[tuple[str, float], ...]:
    """km² of ``moved`` in each unit, by code (units with less than 0.005 km² left out)."""
    if moved.is_empty:
        return ()
    data = geodata.load()
    codes = list(data.geometry)
    geoms = np.array([data.geometry[c] for c in codes], dtype=object)
    hit = shapely.intersects(geoms, moved)
    out = []
    for code, g, h in zip(codes, geoms, hit, strict=True):
        if h:  # (``overlay`` cuts the strips to the unit's box first)
            km2 = float(area_km2(overlay(shapely.intersection, g, moved)))
            if km2 >= MIN_REPORT_KM2:
                out.append((code, km2))
    return tuple(out)


def outside_km2(russia) -> float:
    """km² of ``russia`` that falls outside the units (lost when clipping to them)."""
    data = geodata.load()
    inside = sum(float(area_km2(shapely.intersection(g, russia))) for g in data.geometry.values())
    return max(0.0, float(area_km2(russia)) - inside)


@dataclass(frozen=True)
class Reconciled:
    """A Russian-held territory after reconciliation, with what it took to get there."""

    territory: object  # Russian-held (working CRS), strips included
    strips: object  # what the rule moved
    moved: tuple[tuple[str, float], ...]  # km² moved per unit code
    outside_km2: float  # DeepState area outside the units
    cut_off: tuple[tuple[str, float], ...] = ()  # ``cut_off`` of the territory, per unit

    @property
    def moved_km2(self) -> float:
        return float(sum(km2 for _, km2 in self.moved))


def with_strips(russia, moved):
    """``russia`` with the strips added, reaching ``TOUCH_M`` past them.

    The strips end exactly on the units' outline; cutting a unit by them would leave
    zero-area slivers of "Ukrainian-held" coast whose edge would count as a line of
    contact. Reaching 1 m past the strips (into Russian-held land and beyond the outline,
    never into other land: a strip touches nothing else) leaves none; areas are unchanged
    because everything is clipped to the units.
    """
    if moved.is_empty:
        return russia
    return shapely.union(russia, grown(moved))


def grown(moved):
    """The strips reaching ``TOUCH_M`` past themselves (what ``with_strips`` adds); the
    timeline keeps it while a day reuses the strips of the day before."""
    return shapely.buffer(moved, TOUCH_M, quad_segs=2)


def reconcile(russia, contested=None) -> Reconciled:
    """Russian-held territory with the cut-off edge strips added (see the module rule),
    and the land it leaves cut off (``cut_off``); kept between runs for the same territory
    and units (``geomcache``: ~0.25 s a day, and ~0.15 s for what is cut off)."""

    def draw() -> dict:
        moved = strips(russia, contested)
        by_unit = moved_by_oblast(moved)
        territory = with_strips(russia, moved)
        cut = cut_off(territory, contested)
        return {
            "territory": territory,
            "strips": moved,
            "codes": np.array([c for c, _ in by_unit], dtype=str),
            "km2": np.array([k for _, k in by_unit], dtype=float),
            "outside_km2": np.array(outside_km2(russia)),
            "cut_codes": np.array([c for c, _ in cut], dtype=str),
            "cut_km2": np.array([k for _, k in cut], dtype=float),
        }

    names = ("territory", "strips", "codes", "km2", "outside_km2", "cut_codes", "cut_km2")
    r = geomcache.kept(geomcache.digest("reconcile", russia, contested), draw, names)
    moved = tuple((str(c), float(k)) for c, k in zip(r["codes"], r["km2"], strict=True))
    cut = tuple((str(c), float(k)) for c, k in zip(r["cut_codes"], r["cut_km2"], strict=True))
    return Reconciled(r["territory"], r["strips"], moved, float(r["outside_km2"]), cut)
