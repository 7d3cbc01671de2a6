"""Download DeepStateMap snapshots from its public history API into the user's cache.

The API returns every map layer (occupied, liberated, contested areas, unit markers,
and "occupied" territories outside Ukraine). We keep the Russian-occupied territory of
Ukraine: polygons filled #a52714 plus the pre-2022 areas (ORDLO / CADR / CALR, Crimea,
Tuzla), and write it in the daily-archive layout that ``baselines`` reads.
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

from . import dates, files, settings
from .errors import InputError

API = "https://deepstatemap.live/api/history"
OCCUPIED_FILL = "#a52714"
PRE_2022 = re.compile(r"ОРДЛО|ORDLO|CADR|CALR|Крим|Crimea|Тузла|Tuzla", re.IGNORECASE)
TIMEOUT_S = 60


def _get_json(url: str):
    request = urllib.request.Request(url, headers={"User-Agent": "modeller (research tool)"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        body = response.read().decode("utf-8")
    data = json.loads(body)
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


def occupied_territory(collection: dict):
    """Union (lon/lat) of the occupied-territory polygons of one raw API snapshot."""
    if "features" not in collection and isinstance(collection.get("map"), dict):
        collection = collection["map"]
    parts = []
    for feature in collection.get("features", []):
        props = feature.get("properties") or {}
        geom = feature.get("geometry")
        if not geom:
            continue
        fill = str(props.get("fill", "")).lower()
        if fill == OCCUPIED_FILL or (fill != "#ff5252" and PRE_2022.search(props.get("name", ""))):
            g = shape(geom)
            polys = [x for x in getattr(g, "geoms", [g]) if x.geom_type.endswith("Polygon")]
            parts.extend(shapely.make_valid(shapely.force_2d(p)) for p in polys)
    if not parts:
        raise InputError("the DeepState snapshot has no occupied-territory polygons")
    return shapely.union_all(parts)


def fetch(day: Date, folder: Path | None = None) -> Path:
    """Download the snapshot of ``day`` into the cache (once) and return its path."""
    folder = folder or settings.cache_dir() / "deepstate"
    target = folder / f"deepstatemap_data_{day:%Y%m%d}.geojson"
    if target.exists():
        return target
    item = snapshot_for(day, snapshots())
    raw = _get_json(f"{API}/{item['id']}/geojson")
    territory = occupied_territory(raw)
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "source": f"{API}/{item['id']}/geojson",
                    "datetime": item["datetime"],
                },
                "geometry": mapping(territory),
            }
        ],
    }
    return files.write_text(target, json.dumps(out))
