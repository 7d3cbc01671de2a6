"""A band's land on a baseline: the line of contact (where Russian-held land meets the land
it faces) and the land within a depth of it on one side (``band_region``), refused when it
would leave almost none of that side outside it."""

from __future__ import annotations

import math

import numpy as np
import shapely

from . import bandzone, geodata
from .errors import InputError
from .partition import Piece, overlay, union_regions
from .scenario_selectors import MIN_KM

FACING = ("ukraine", "contested")
"""What Russian-held land faces along the line of contact: Ukrainian-held land and the grey
zone between the two (on a baseline that keeps it, the grey zone lies along most of the
front: a line facing Ukrainian-held land alone had followed 361 of 1,380 km on DeepState's
dump of 3 Aug 2025, and a band along it a quarter of the front)."""


def contact_line(pieces: tuple[Piece, ...]):
    """The baseline's line of contact: where Russian-held land meets Ukrainian-held land
    or the grey zone (``FACING``).

    That land is taken as the units minus every other status, not as the union of its
    pieces: the two differ by zero-area slivers where a unit's edge and the Russian-held
    edge coincide (e.g. reconciled coast), whose edges must not count as a line of
    contact; gaps narrower than ``bandzone.SLIVER_M`` do not count either
    (``bandzone.contact``). The timeline draws it the same way.
    """
    russia = [p.geometry for p in pieces if p.before == "russia"]
    others = [p.geometry for p in pieces if p.before not in FACING]
    if not russia or len(others) == len(pieces):
        return shapely.LineString()
    facing = shapely.difference(country(), shapely.union_all(others))
    return bandzone.contact(union_regions(russia), facing)


def country():
    """The union of the active units (working CRS), computed once per units set."""
    return geodata.country_of(geodata.load())


def band_region(band, pieces: tuple[Piece, ...]):
    """Land within ``band.km`` of the contact line, on the given side (baseline holder); the
    zone drawn as the fast path and the timeline draw it (``bandzone.zone``)."""
    line = contact_line(pieces)
    if line.is_empty:  # e.g. the 1991 baseline: nothing to follow, so the band is empty
        return shapely.Polygon()
    zone = bandzone.zone(line, band.km)
    if band.side == "both":
        side = union_regions([p.geometry for p in pieces])
    else:
        side = union_regions([p.geometry for p in pieces if p.before == band.side])
    if side.is_empty:  # a declared status the baseline does not hold: nothing on that side
        return shapely.Polygon()
    left = _outside_km2(side, zone)
    if left < LEFT_KM2:
        raise InputError(_too_deep(band, side, line, left))
    return zone if band.side == "both" else overlay(shapely.intersection, zone, side)


LEFT_KM2 = 1.0  # a band must leave this much of its side outside it (else: held_by)


def _outside_km2(side, zone) -> float:
    return overlay(shapely.difference, side, zone).area / 1e6


def _too_deep(band, side, line, left: float) -> str:
    """Why a band that leaves under ``LEFT_KM2`` of its side outside it is refused, with a
    depth that leaves more (bisected down from the band's, to two significant digits)."""
    held = "all of Ukraine" if band.side == "both" else f"all land held by {band.side}"
    reach = _farthest_m(side, line) / 1000
    if reach <= band.km:
        said = f"a {band.km:g} km band covers {held} (nothing lies farther than about "
        said += f"{reach:,.0f} km from the line)"
    else:  # slivers beyond the depth: the farthest vertex is no measure of the side
        rest = f"{left:.2f} km²" if left >= 0.005 else "slivers under 0.01 km²"
        said = (
            f"a {band.km:g} km band covers {held} but {rest} (a band must leave "
            f"{LEFT_KM2:g} km² or more of its side outside it; slivers of it reach about "
            f"{reach:,.0f} km from the line)"
        )
    fits = None
    low, high = band.km / 2, band.km
    while low >= MIN_KM and fits is None:
        if _outside_km2(side, bandzone.zone(line, low)) >= LEFT_KM2:
            fits = low
        else:
            low, high = low / 2, low
    if fits is None:
        return f"{said}; use 'held_by' for the whole side"
    for _ in range(4):  # a tighter depth between the one that fits and the one that does not
        middle = (fits + high) / 2
        if _outside_km2(side, bandzone.zone(line, middle)) >= LEFT_KM2:
            fits = middle
        else:
            high = middle
    step = 10.0 ** (math.floor(math.log10(fits)) - 1)
    km = max(MIN_KM, math.floor(fits / step) * step)
    return f"{said}; use a smaller km ({km:g} km or less), or 'held_by' for the whole side"


def _farthest_m(side, line) -> float:
    """How far the land of ``side`` reaches from ``line``: the distance of its farthest
    vertex from the nearest of the line's segments (by an STRtree: a Hausdorff distance
    compares every vertex with every segment, which took minutes on 20,000 squares)."""
    xy, part = shapely.get_coordinates(shapely.get_parts(line), return_index=True)
    same = part[1:] == part[:-1]  # consecutive vertices of one part: a segment
    segments = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))
    if not len(segments):
        return 0.0
    points = shapely.points(shapely.get_coordinates(shapely.boundary(side)))
    _, far = shapely.STRtree(segments).query_nearest(
        points, return_distance=True, all_matches=False
    )
    return float(far.max()) if len(far) else 0.0
