"""Read polygons from GeoJSON (files or inline) into the working CRS, with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import shape

from . import geodata
from .errors import InputError


def read(path: Path) -> object:
    """Parse a GeoJSON file; InputError naming the file when it cannot be read."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read GeoJSON: {exc}", str(path)) from None


def features(data: object, source: str | None = None) -> list[tuple[dict, object]]:
    """(properties, lon/lat geometry) of a FeatureCollection, a Feature or a bare geometry."""
    if not isinstance(data, dict):
        raise InputError("expected a GeoJSON object", source)
    if data.get("type") == "FeatureCollection":
        feats = data.get("features") or []
    elif data.get("type") == "Feature":
        feats = [data]
    else:
        feats = [{"geometry": data}]
    out = []
    for i, f in enumerate(feats):
        if not isinstance(f, dict) or not f.get("geometry"):
            continue
        try:
            out.append((f.get("properties") or {}, shape(f["geometry"])))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise InputError(f"feature {i + 1}: invalid geometry ({exc})", source) from None
    if not out:
        raise InputError("no polygon features in this GeoJSON", source)
    return out


def territory(geoms: list) -> object:
    """Union of lon/lat polygons, repaired and projected to the working CRS."""
    projected = geodata.to_equal_area(shapely.make_valid(shapely.union_all(geoms)))
    # projecting can make a ring touch itself; repair again only when it did
    return projected if shapely.is_valid(projected) else shapely.make_valid(projected)


def read_territory(path: Path) -> object:
    """All polygons of a GeoJSON file as one working-CRS territory.

    A file holding one valid (Multi)Polygon (every DeepState daily file) is parsed by GEOS
    directly, about 3× faster, and needs no union or repair, so the result is the same;
    anything else takes the general path with its per-feature errors.
    """
    try:
        parts = shapely.get_parts(shapely.from_geojson(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, shapely.errors.GEOSException):
        parts = []
    if len(parts) == 1 and parts[0].geom_type.endswith("Polygon") and shapely.is_valid(parts[0]):
        return geodata.to_equal_area(parts[0])
    return territory([g for _, g in features(read(path), str(path))])


def read_layers(path: Path) -> tuple[dict[str, object], bool]:
    """Territory per ``status`` property of a snapshot file (features without one: russia).

    Returns the working-CRS territories and whether the file keeps a grey zone (a
    top-level ``"grey_zone": true``, as ``modeller fetch`` writes). A file holding one
    plain (Multi)Polygon (the daily archive) takes the fast path of ``read_territory``.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read GeoJSON: {exc}", str(path)) from None
    if '"status"' not in text and '"grey_zone"' not in text:
        return {"russia": read_territory(path)}, False
    data = read(path)
    grouped: dict[str, list] = {}
    for props, geom in features(data, str(path)):
        grouped.setdefault(str(props.get("status") or "russia"), []).append(geom)
    layers = {status: territory(geoms) for status, geoms in grouped.items()}
    return layers, bool(isinstance(data, dict) and data.get("grey_zone"))
