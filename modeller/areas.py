"""The one area function: km² of geometries in the working CRS (an equal-area projection,
checked against geodesic areas in the tests). ``geodata.area_km2`` is this function."""

from __future__ import annotations


def area_km2(geom):
    """Area in km² of working-CRS geometries (scalar or array). All area maths goes here."""
    import shapely  # imported here: resolving names (all ``validate`` needs) loads no shapes

    return shapely.area(geom) / 1e6
