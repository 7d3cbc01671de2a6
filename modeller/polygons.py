"""A scenario's ``polygon`` selector: a GeoJSON, GeoPackage or Shapefile file, or inline
GeoJSON, read as one working-CRS territory and checked as every polygon a user gives is
(lon/lat, rings that do not cross, over Ukraine: one lying elsewhere is nearly always
[lat, lon] pairs or another CRS, and would select nothing)."""

from __future__ import annotations

from pathlib import Path

import shapely

from . import geodata, geojson, inputs, unitchecks
from .errors import InputError


def scenario_polygon(file: str | None, inline: dict | None) -> object:
    """A scenario's polygon (a file, or inline GeoJSON in lon/lat) in the working CRS.

    One lying nowhere near Ukraine is refused, as a baseline file is: it would select
    nothing, and is nearly always [lat, lon] pairs or another CRS (the message says which).
    The error for an inline polygon names no file (the caller knows the step's line).
    """
    if file and Path(file).suffix.lower() in inputs.OGR_SUFFIXES:
        layer = _ogr_territory(Path(file))
    elif file:
        layer = geojson.read_territory(Path(file))
    else:
        layer = geojson.territory([g for _, g in geojson.features(inline, None, rings=True)])
    if layer.is_empty:  # all of it beyond WINDOW, clipped away (say where it lies), or flat
        lonlat = _lonlat_of(Path(file)) if file else geojson.features(inline, None)
        unitchecks.check_over_ukraine([g for _, g in lonlat], file)
        raise InputError(
            f"the polygon encloses {geojson.FLAT_RINGS}; give the outline of the area meant", file
        )
    lonlat = shapely.get_parts(geodata.to_lonlat(layer))
    unitchecks.check_over_ukraine(list(lonlat), file)
    return layer


def _lonlat_of(path: Path) -> list:
    """A polygon file's (properties, lon/lat polygon) as read, before any clipping."""
    if path.suffix.lower() in inputs.OGR_SUFFIXES:
        from . import ogrfiles

        found = ogrfiles.features(path, inputs.geo_format(path))[0]
        data = {"type": "FeatureCollection", "features": found}
        return geojson.features(data, str(path))
    return geojson.features(geojson.read(path), str(path))


def _ogr_territory(path: Path) -> object:
    """A GeoPackage's or Shapefile's polygons (in the CRS its layer declares) as one
    working-CRS territory, checked as the same polygons in a GeoJSON file would be."""
    from . import ogrfiles  # (pyogrio, pyproj: only when such a file is read)

    kind = inputs.geo_format(path)
    found, _names = ogrfiles.features(path, kind)
    if not found:
        raise InputError(f"no polygon features in this {kind}", str(path))
    data = {"type": "FeatureCollection", "features": found}
    return geojson.territory([g for _, g in geojson.features(data, str(path), rings=True)])
