"""Pinholes in DeepState's occupied layer (``modeller.pockets``), on the real archive: the
holes filled are the small ones only, nothing else moves, and the grey zone keeps its own.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from modeller import archive, control, deepstate, geodata, geojson, pockets


def _day(day: str) -> archive.Snapshot:
    found = [s for s in archive.snapshots() if s.day == date.fromisoformat(day)]
    if not found:
        pytest.skip(f"DeepState {day} absent from the archive")
    return found[0]


def _holes_km2(territory) -> np.ndarray:
    return np.array(
        [shapely.Polygon(r).area / 1e6 for p in shapely.get_parts(territory) for r in p.interiors]
    )


def _drawn(snap: archive.Snapshot):
    """The file's polygon as drawn (shapely alone, working CRS)."""
    data = json.loads(snap.path.read_text(encoding="utf-8"))
    lonlat = shapely.union_all([shape(f["geometry"]) for f in data["features"]])
    return geodata.to_equal_area(lonlat)


@pytest.mark.parametrize("day", ["2025-12-24", "2024-12-23", "2024-08-25"])
def test_only_holes_under_the_limit_are_filled_and_nothing_else_moves(shared_data, day):
    snap = _day(day)
    drawn, read = _drawn(snap), snap.territory()
    before, after = _holes_km2(drawn), _holes_km2(read)
    assert (after >= pockets.POCKET_KM2).all()
    assert sorted(before[before >= pockets.POCKET_KM2]) == pytest.approx(sorted(after))
    # what changed is exactly the small holes: Russian-held grows by their area, no more
    grown = geodata.area_km2(shapely.difference(read, drawn))
    assert grown == pytest.approx(before[before < pockets.POCKET_KM2].sum(), abs=1e-6)
    assert geodata.area_km2(shapely.difference(drawn, read)) < 1e-6
    assert shapely.is_valid(read)


def test_the_marinka_pinhole_is_filled_and_real_pockets_stay(shared_data):
    """The 600 m² hole near Marinka (2025-02-22 on) goes; the 7.3 km² pocket near Velyka
    Novosilka of 2024-12-23 stays Ukrainian-held."""
    marinka = geodata.to_equal_area(shapely.Point(37.533, 47.965))
    late = _day("2025-12-24")
    holes = [
        shapely.Polygon(r)
        for p in shapely.get_parts(_drawn(late))
        for r in p.interiors
        if shapely.Polygon(r).distance(marinka) < 2_000
    ]
    assert [round(h.area) for h in holes] == [pytest.approx(600, abs=100)]
    assert late.territory().covers(holes[0])
    pocket = _holes_km2(_day("2024-12-23").territory())
    assert any(5 < a < 10 for a in pocket)


def test_the_same_map_comes_back_as_the_same_object(shared_data):
    """The timeline tells a day that repeats yesterday's map by identity."""
    snap = _day("2025-12-24")
    drawn = geojson.read_layers(snap.path, densify=False)[0]["russia"]
    assert pockets.fill(drawn) is pockets.fill(drawn)
    assert snap.territory() is snap.territory()
    whole = shapely.Polygon([(0, 0), (1000, 0), (1000, 1000)])
    assert pockets.fill(whole) is whole  # nothing to fill


def test_a_hole_the_grey_zone_fills_is_kept_for_it(shared_data):
    """In a raw dump the occupied layer's holes may be grey zone: those are not filled (the
    grey zone would overlap Russian-held land)."""
    path = sorted((shared_data / "deepstate" / "raw").glob("deepstate_raw_*.geojson"))[-1]
    lonlat = deepstate.raw_layers(json.loads(path.read_text(encoding="utf-8")))
    layers = {k: geojson.territory([g], densify=False) for k, g in lonlat.items()}
    russia, grey = layers["russia"], layers["contested"]
    filled = pockets.fill(russia, grey)
    added = shapely.difference(filled, russia)
    assert geodata.area_km2(shapely.intersection(added, grey)) < 1e-6
    base = control.from_raw(path, json.loads(path.read_text(encoding="utf-8")))
    held = [p for p in base.pieces if p.before == "russia"]
    grey_held = [p for p in base.pieces if p.before == "contested"]
    overlap = shapely.intersection(
        shapely.union_all([p.geometry for p in held]),
        shapely.union_all([p.geometry for p in grey_held]),
    )
    assert geodata.area_km2(overlap) < 1e-3
