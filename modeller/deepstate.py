"""Download DeepStateMap snapshots from its public history API into the user's cache.

The API returns every map layer (occupied, liberated, contested areas, unit markers,
and "occupied" territories outside Ukraine). We keep the Russian-occupied territory of
Ukraine (polygons filled #a52714 plus the pre-2022 areas: ORDLO / CADR / CALR, Crimea,
Tuzla) and the grey zone ("unknown status", #bcaaa4 / #bdbdbd), and write them in the
daily-archive layout that ``baselines`` reads: one feature per layer, with a ``status``
property (``russia``, ``contested``).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path

import shapely
from shapely.geometry import mapping

from . import dates, downloads, files, inputs, positions, settings
from .errors import InputError

API = "https://deepstatemap.live/api/history"
OCCUPIED_FILL = "#a52714"
GREY_FILLS = ("#bcaaa4", "#bdbdbd")  # "Під питанням" (2022), "Статус невідомий / Unknown status"
FOREIGN_FILL = "#ff5252"  # "occupied" territories outside Ukraine (Transnistria, Abkhazia …)
PRE_2022 = re.compile(r"ОРДЛО|ORDLO|CADR|CALR|Крим|Crimea|Тузла|Tuzla", re.IGNORECASE)


def _get_json(url: str):
    data = json.loads(downloads.get(url).decode("utf-8"))
    if isinstance(data, str):  # some endpoints return JSON encoded twice
        data = json.loads(data)
    return data


def snapshots() -> list[dict]:
    """The API's list of snapshots: [{'id': ..., 'datetime': ...}, ...]."""
    data = _get_json(f"{API}/public")
    if not isinstance(data, list):
        raise InputError(f"unexpected answer from {API}/public: expected a list of snapshots")
    return data


def snapshot_for(day: Date, listing: list[dict]) -> dict:
    """The last snapshot published on ``day`` (UTC); InputError naming the nearest days."""
    on_day = []
    days = set()
    for item in listing:
        when = datetime.fromisoformat(str(item["datetime"]).replace("Z", "+00:00"))
        when = when.astimezone(UTC)
        days.add(when.date())
        if when.date() == day:
            on_day.append((when, item))
    if not on_day:
        nearest = dates.nearest(days, day, 3)
        raise InputError(
            f"DeepState has no snapshot on {day}; nearest: {', '.join(map(str, nearest))}"
        )
    return max(on_day, key=lambda pair: pair[0])[1]


def is_raw(collection) -> bool:
    """Whether a GeoJSON object is a raw DeepState layer dump: DeepState's own export, every
    feature styled (``styleUrl``, from its KML), polygons told apart by ``fill``, no
    ``status``. One ``fill`` alone does not make a file a dump: a user's baseline with a
    red feature had been read as one, its other features dropped and its statuses
    ignored."""
    if isinstance(collection, dict) and isinstance(collection.get("map"), dict):
        collection = collection["map"]
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features:
        return False
    props = [f.get("properties") if isinstance(f, dict) else None for f in features]
    if not all(isinstance(p, dict) and "styleUrl" in p and "status" not in p for p in props):
        return False
    return any(str(p.get("fill", "")).lower() in (OCCUPIED_FILL, *GREY_FILLS) for p in props)


LIBERATED_FILL = "#0f9d58"  # land Ukraine retook ("Звільнено")
STYLED_FILLS = (OCCUPIED_FILL, *GREY_FILLS, FOREIGN_FILL, LIBERATED_FILL)


def edited_dump(collection) -> tuple[int, int] | None:
    """For a file that is no raw dump (``is_raw``) but holds DeepState's styled features:
    (the first such feature, the first feature that keeps it from being a dump: one with
    a ``status`` or without ``styleUrl``), numbered from 1; else None. Read as a user's
    polygons, each feature without a ``status`` would be Russian-held: DeepState's
    liberated areas and the territories outside Ukraine too. None too when every feature
    has a ``status``: none would be taken as Russian-held unasked."""
    if isinstance(collection, dict) and isinstance(collection.get("map"), dict):
        collection = collection["map"]
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        return None
    # (a feature that is no object is not one to weigh: reading the file says what it is)
    props = [f.get("properties") if isinstance(f, dict) else {"styleUrl": ""} for f in features]
    props = [p if isinstance(p, dict) else {} for p in props]
    styled = [
        i
        for i, p in enumerate(props)
        if "styleUrl" in p and str(p.get("fill", "")).lower() in STYLED_FILLS
    ]
    odd = next((i for i, p in enumerate(props) if "styleUrl" not in p or "status" in p), None)
    if not styled or odd is None:
        return None
    if all("status" in p for p in props):  # every feature says its holder: nothing defaults
        return None  # (a file drawn in a map app that styles features in DeepState's red)
    other = next((i for i in styled if i != odd), odd)  # (another than the odd one)
    return other + 1, odd + 1


def check_not_edited(data, path: Path) -> None:
    """Refuse a DeepState layer dump that one edit keeps from being read as one (a feature
    with a ``status``, or without ``styleUrl``): read as the user's polygons, its liberated
    areas and the territories outside Ukraine had counted as Russian-held (+42,000 km²)."""
    found = edited_dump(data)
    if found is None:
        return
    styled, odd = found
    layer = data["map"] if isinstance(data.get("map"), dict) else data
    feature = layer["features"][odd - 1]
    props = feature.get("properties") if isinstance(feature, dict) else None
    why = "has a 'status'" if isinstance(props, dict) and "status" in props else "has no 'styleUrl'"
    raise InputError(
        f"feature {styled} is styled as DeepState's map ('styleUrl', a DeepState 'fill') but "
        f"feature {odd} {why}, so the file is neither DeepState's layer dump nor a baseline "
        "of your own: read as one, every feature without a 'status' (DeepState's liberated "
        "areas, the territories outside Ukraine) would count as Russian-held. Keep the dump "
        "as DeepState exported it (its occupied and grey-zone layers are read by their "
        "'fill'), or keep only the features you mean, each with a 'status' (russia, "
        "contested), and none without one",
        str(path),
    )


def _polygons(geom) -> list:
    """The polygons of a geometry, collections unpacked."""
    out = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "GeometryCollection":
            out += _polygons(part)
        elif part.geom_type.endswith("Polygon"):
            out.append(part)
    return out


def raw_layers(collection: dict) -> dict[str, object]:
    """Occupied territory and grey zone (lon/lat unions) of one raw DeepState snapshot.

    Returns ``{"russia": ..., "contested": ...}``; the grey zone is left out when the
    snapshot has none. Polygons filled #ff5252 (territories outside Ukraine) are ignored.
    """
    if "features" not in collection and isinstance(collection.get("map"), dict):
        collection = collection["map"]
    parts: dict[str, list] = {"russia": [], "contested": []}
    for i, feature in enumerate(collection.get("features", [])):
        where = f"feature {i + 1}"
        if not isinstance(feature, dict):
            raise InputError(f"{where} must be a Feature object, got {type(feature).__name__}")
        props = feature.get("properties") or {}
        geom = feature.get("geometry")
        if not isinstance(props, dict):
            raise InputError(f"{where}: 'properties' must be an object or null")
        if not geom:
            continue
        if not isinstance(geom, dict) or geom.get("type") not in inputs.GEOJSON_GEOMETRIES:
            kind = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
            raise InputError(
                f"{where}: 'geometry' must be a GeoJSON geometry object, got "
                f"{str(kind)[:40]!r}; valid types: {', '.join(inputs.GEOJSON_GEOMETRIES)}"
            )
        fill = str(props.get("fill", "")).lower()
        if fill == OCCUPIED_FILL or (
            fill != FOREIGN_FILL and PRE_2022.search(str(props.get("name", "")))
        ):
            layer = "russia"
        elif fill in GREY_FILLS:
            layer = "contested"
        else:
            continue
        polys = _polygons(positions.shape_2d(geom, where, None))
        parts[layer].extend(shapely.make_valid(p) for p in polys if not p.is_empty)
    if not parts["russia"]:
        raise InputError("the DeepState snapshot has no occupied-territory polygons")
    russia = shapely.union_all(parts["russia"])
    out = {"russia": russia}
    if parts["contested"]:
        grey = shapely.difference(shapely.union_all(parts["contested"]), russia)
        if not grey.is_empty:
            out["contested"] = grey
    return out


def occupied_territory(collection: dict):
    """Union (lon/lat) of the occupied-territory polygons of one raw API snapshot."""
    return raw_layers(collection)["russia"]


def fetch(day: Date, folder: Path | None = None, force: bool = False) -> Path:
    """Download the snapshot of ``day`` into the cache (once, unless ``force``) and return
    its path."""
    folder = folder or settings.cache_dir() / "deepstate"
    target = folder / f"deepstatemap_data_{day:%Y%m%d}.geojson"
    if target.exists() and not force:
        return target
    item = snapshot_for(day, snapshots())
    raw = _get_json(f"{API}/{item['id']}/geojson")
    layers = raw_layers(raw)
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "type": "FeatureCollection",
        "grey_zone": True,  # this file keeps DeepState's grey zone (status 'contested')
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "status": status,
                    "source": f"{API}/{item['id']}/geojson",
                    "datetime": item["datetime"],
                },
                "geometry": mapping(geom),
            }
            for status, geom in layers.items()
        ],
    }
    return files.write_text(target, json.dumps(out))
