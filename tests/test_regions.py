"""Overlays of a large region with a small one: cutting the large one to the small one's
box first (``regions.near``) leaves every intersection and difference as it was."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import geodata, regions

COUNTRY = regions.union_regions(list(geodata.load().geometry.values()))  # ~20,000 vertices


@settings(max_examples=40)
@given(
    lon=st.floats(22.0, 40.5, allow_nan=False),
    lat=st.floats(44.3, 52.4, allow_nan=False),
    km=st.floats(1.0, 150.0, allow_nan=False),
)
def test_a_large_region_cut_to_the_box_overlays_the_same(lon, lat, km):
    assert shapely.get_num_coordinates(COUNTRY) > regions.LARGE  # (else nothing is cut)
    disc = shapely.Point(geodata.to_equal_area(shapely.Point(lon, lat))).buffer(km * 1000)
    for op, a, b in (
        (shapely.intersection, disc, COUNTRY),
        (shapely.intersection, COUNTRY, disc),
        (shapely.difference, disc, COUNTRY),
    ):
        got, plain = regions.overlay(op, a, b), op(a, b)
        assert abs(got.area - plain.area) <= 1e-9 * disc.area + 1e-3
        assert shapely.symmetric_difference(got, plain).area <= 1e-9 * disc.area + 1e-3
    # and the cut is real: the country near a small disc is a fraction of it
    cut = regions.near(COUNTRY, disc)
    if km < 20:
        assert shapely.get_num_coordinates(cut) < shapely.get_num_coordinates(COUNTRY) / 2


@settings(max_examples=12)
@given(
    lon=st.floats(22.5, 40.0, allow_nan=False),
    lat=st.floats(44.5, 52.2, allow_nan=False),
    km=st.floats(5.0, 80.0, allow_nan=False),
)
def test_a_large_pieces_inside_and_outside_share_their_boundary(lon, lat, km):
    """A piece cut by a region (``engine.split_piece``) gives its inside and outside from
    the same two inputs: a large piece had been cut to the region's box for the one and
    not the other, and where a long edge crossed the region the two parts' vertices on
    their common boundary differed in their last bits (slivers between them)."""
    disc = shapely.Point(geodata.to_equal_area(shapely.Point(lon, lat))).buffer(km * 1000)
    for piece in (COUNTRY, STAR):  # (the star's edges run hundreds of km past the box)
        inside = regions.overlay(shapely.intersection, piece, disc)
        outside = regions.overlay(shapely.difference, piece, disc)
        known = {tuple(c) for c in shapely.get_coordinates(outside)}
        known |= {tuple(c) for c in shapely.get_coordinates(piece)}
        stray = [c for c in shapely.get_coordinates(inside) if tuple(c) not in known]
        assert not stray, stray[:3]


def _star(n: int = 2400) -> object:
    """A polygon of long spikes over Ukraine (a user's hand-drawn region at its worst)."""
    turn = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radius = np.where(np.arange(n) % 2, 60_000.0, 700_000.0)
    return shapely.Polygon(np.column_stack([radius * np.cos(turn), radius * np.sin(turn)]))


STAR = _star()


@settings(max_examples=10)
@given(code=st.sampled_from(sorted(geodata.load().geometry)), start=st.integers(0, 10_000))
def test_the_same_rings_in_another_order_are_the_same_land(code, start):
    """A unit less the same unit read back otherwise (each ring begun at another vertex,
    wound the other way: Crimea on Minregion's units less the pre-2022 lines' Crimea took
    GEOS 6.4 s) is no land, their intersection and union the unit; one vertex moved, GEOS
    overlays them as before."""
    unit = max(shapely.get_parts(geodata.load().geometry[code]), key=shapely.area)
    unit = shapely.segmentize(unit, unit.exterior.length / 3000)  # past LARGE vertices
    assert shapely.get_num_coordinates(unit) > regions.LARGE
    ring = np.asarray(unit.exterior.coords)[:-1]
    turned = np.roll(ring, start % len(ring), axis=0)[::-1]
    other = shapely.Polygon(turned, [np.asarray(h.coords)[::-1] for h in unit.interiors])
    assert other.is_valid and shapely.equals(other, unit)
    assert regions.overlay(shapely.difference, unit, other).is_empty
    assert regions.overlay(shapely.intersection, unit, other) is unit
    assert regions.overlay(shapely.union, unit, other) is unit
    moved = turned.copy()
    k = int(np.argmax(moved[:, 0]))  # the easternmost vertex, 1 km further east
    moved[k, 0] += 1000.0
    grown = shapely.Polygon(moved, [np.asarray(h.coords)[::-1] for h in unit.interiors])
    extra = regions.overlay(shapely.difference, grown, unit)
    assert extra.area == shapely.difference(grown, unit).area > 0
