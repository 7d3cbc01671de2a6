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

from . import dates, files, geojson, inputs, positions, settings
from .errors import InputError, NotKept

API = "https://deepstatemap.live/api/history"
OCCUPIED_FILL = "#a52714"
GREY_FILLS = ("#bcaaa4", "#bdbdbd")  # "Під питанням" (2022), "Статус невідомий / Unknown status"
FOREIGN_FILL = "#ff5252"  # "occupied" territories outside Ukraine (Transnistria, Abkhazia …)
PRE_2022 = re.compile(r"ОРДЛО|ORDLO|CADR|CALR|Крим|Crimea|Тузла|Tuzla", re.IGNORECASE)


def _unexpected(url: str, what: str) -> InputError:
    """The server answered, but not with what its API gives: not the network's fault."""
    return InputError(
        f"unexpected answer from {url}: {what}; try again later, and if it persists the "
        "API may have changed (a newer modeller may read it)"
    )


def _get_json(url: str):
    from . import downloads  # (urllib's HTTP and TLS: ~20 ms of imports a run does not use)

    body = downloads.get(url)
    try:
        data = json.loads(body.decode("utf-8"))
        if isinstance(data, str):  # some endpoints return JSON encoded twice
            data = json.loads(data)
    except (ValueError, RecursionError) as exc:  # HTML, cut short, not UTF-8, too deep
        raise _unexpected(url, f"not JSON ({str(exc)[:120]})") from None
    return data


def snapshots() -> list[dict]:
    """The API's list of snapshots: [{'id': ..., 'datetime': ...}, ...]."""
    data = _get_json(f"{API}/public")
    if not isinstance(data, list):
        raise _unexpected(f"{API}/public", "expected a list of snapshots")
    return data


def _when(item) -> datetime | None:
    """A listed snapshot's time in UTC (a time without a zone is UTC, as the API's are);
    None for an entry without an id or a readable time."""
    ident = item.get("id") if isinstance(item, dict) else None
    if isinstance(ident, bool) or not isinstance(ident, int | str):
        return None
    if not SNAPSHOT_ID.fullmatch(str(ident)):  # (it goes into the snapshot's address)
        return None
    try:
        when = datetime.fromisoformat(str(item.get("datetime")).replace("Z", "+00:00"))
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):  # (9999-12-31T23:30-05:00 is past year 9999 in UTC)
        return None


SNAPSHOT_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def snapshot_for(day: Date, listing: list[dict]) -> dict:
    """The last snapshot published on ``day`` (UTC); InputError naming the nearest days.
    Entries without an id or a readable time are passed over."""
    on_day = []
    days = set()
    for item in listing:
        when = _when(item)
        if when is None:
            continue
        days.add(when.date())
        if when.date() == day:
            on_day.append((when, item))
    if not days:
        raise _unexpected(f"{API}/public", "no snapshot with an id and a time in its list")
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
    features = _features(collection)
    if not features:
        return False
    props = [f.get("properties") if isinstance(f, dict) else None for f in features]
    if not all(isinstance(p, dict) and "styleUrl" in p and not has_status(p) for p in props):
        return False
    return any(str(p.get("fill", "")).lower() in (OCCUPIED_FILL, *GREY_FILLS) for p in props)


LIBERATED_FILL = "#0f9d58"  # land Ukraine retook ("Звільнено")
NOT_HELD = {  # DeepState's fills of land it does not show as Russian-held
    LIBERATED_FILL: "DeepState's liberated areas",
    FOREIGN_FILL: "DeepState's territories outside Ukraine",
    **dict.fromkeys(GREY_FILLS, "DeepState's grey zone"),
}


def _features(collection) -> list:
    """A GeoJSON object's features (a dump's may sit under ``map``); [] when it has none."""
    if isinstance(collection, dict) and isinstance(collection.get("map"), dict):
        collection = collection["map"]
    features = collection.get("features") if isinstance(collection, dict) else None
    return features if isinstance(features, list) else []


def _keyed(props: dict, name: str) -> list:
    """The values of a property named ``name`` in any letter case, spaces around, as a
    baseline file's reader takes it ("STATUS", a Shapefile's)."""
    return [v for k, v in props.items() if str(k).strip().casefold() == name]


def has_status(props: dict) -> bool:
    """Whether a feature's properties carry a status (its key in any letter case)."""
    return bool(_keyed(props, "status"))


def misread_fill(collection) -> tuple[int, str] | None:
    """For a file not read as a raw dump (``is_raw``): the first feature without a status
    whose ``fill`` is one DeepState gives land it does not show as Russian-held (number
    from 1, fill); else None. Read as a baseline file, a feature without a status is
    Russian-held: a dump edited once (a status added, a styleUrl dropped) or saved as a
    GeoPackage had counted its liberated areas and Transnistria so (+41,000 km²)."""
    for i, f in enumerate(_features(collection)):
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict) or has_status(props):
            continue
        fill = str((_keyed(props, "fill") or [""])[0]).strip().lower()
        if fill in NOT_HELD:
            return i + 1, fill
    return None


def check_not_misread(data, path: Path) -> None:
    """Refuse a baseline file with a feature that would count as Russian-held although its
    DeepState fill says otherwise (``misread_fill``)."""
    found = misread_fill(data)
    if found is None:
        return
    number, fill = found
    raise InputError(
        f"feature {number} has no 'status' and the fill '{fill}' of {NOT_HELD[fill]}: in a "
        "baseline file a feature without a 'status' counts as Russian-held. A DeepState "
        "layer dump is read by its fills only as DeepState exported it (GeoJSON, every "
        "feature with its styleUrl and none with a 'status'); in a file of your own, give "
        "each feature a 'status' (russia, contested, ukraine) or leave it out",
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
        layer = _layer_of(props)
        if layer not in ("russia", "contested"):
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


# every fill DeepState's layer has had: read (occupied, grey), or known not to be held
# (liberated in three shades, outside Ukraine, pre-2022 areas told apart by their names)
KNOWN_FILLS = {OCCUPIED_FILL, *GREY_FILLS, *NOT_HELD, "#0288d1", "#01579b", "#880e4f", "#000000"}


def _layer_of(props: dict) -> str | None:
    """'russia', 'contested', None (a fill known not to be held) or 'unknown' (a fill
    DeepState's layer did not have when this was written) of a raw feature."""
    fill = str(props.get("fill", "")).strip().lower()
    if fill == OCCUPIED_FILL or (
        fill != FOREIGN_FILL and PRE_2022.search(str(props.get("name", "")))
    ):
        return "russia"
    if fill in GREY_FILLS:
        return "contested"
    return None if fill in KNOWN_FILLS else "unknown"


def unread_polygons(collection: dict) -> tuple[list[str], list]:
    """The fills (as written) and lon/lat polygons of a raw dump's polygons whose fill is
    none DeepState's layer had: ``raw_layers`` leaves them out, and a restyled layer
    (its occupied fill changed) would lose its occupied land without a word."""
    fills: list[str] = []
    polys: list = []
    for i, feature in enumerate(_features(collection)):
        props = feature.get("properties") if isinstance(feature, dict) else None
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(props, dict) or not isinstance(geom, dict):
            continue
        areal = "Polygon" in str(geom.get("type")) or geom.get("type") == "GeometryCollection"
        if not areal or _layer_of(props) != "unknown":
            continue
        try:
            found = _polygons(positions.shape_2d(geom, f"feature {i + 1}", None))
        except InputError:  # (a polygon it does not read need not be readable)
            continue
        polys += [shapely.make_valid(p) for p in found if not p.is_empty]
        fill = str(props.get("fill") or "").strip() or "(none)"
        if fill not in fills:
            fills.append(fill)
    return fills, polys


def occupied_territory(collection: dict):
    """Union (lon/lat) of the occupied-territory polygons of one raw API snapshot."""
    return raw_layers(collection)["russia"]


def fetch(day: Date, folder: Path | None = None, force: bool = False) -> Path:
    """Download the snapshot of ``day`` into the cache (once, unless ``force``) and return
    its path."""
    folder = folder or settings.cache_dir() / "deepstate"
    target = folder / f"deepstatemap_data_{day:%Y%m%d}.geojson"
    if not force and _readable(target):
        return target
    item = snapshot_for(day, snapshots())
    url = f"{API}/{item['id']}/geojson"
    raw = _get_json(url)
    if not _features(raw):
        raise _unexpected(url, "not a GeoJSON FeatureCollection of map layers")
    try:
        layers = raw_layers(raw)
    except InputError as exc:
        raise _unexpected(url, exc.message) from None
    _check_in_ukraine(layers["russia"], url)
    fills, unread = unread_polygons(raw)
    if unread:  # a restyled layer: its occupied land would be lost without a word
        raise _unexpected(
            url,
            f"{len(unread)} polygon(s) filled {', '.join(fills[:5])}, a fill DeepState's "
            "layer did not have, may be occupied land this modeller cannot tell from the "
            "rest; nothing was kept",
        )
    _check_occupied(raw, layers["russia"], url)
    try:
        return _keep(target, _daily(layers, item, url))
    except OSError as exc:
        raise NotKept(target, exc) from exc


def _readable(target: Path) -> bool:
    """Whether a day kept before reads as a snapshot: one cut short or emptied is downloaded
    again (``fetch`` had said it was there, and ``run``'s error for it sent the user back to
    ``fetch``); a folder in its place is said at once (``files.kept``)."""
    if not files.kept(target):
        return False
    try:
        geojson.read_layers(target, densify=False)
    except (InputError, OSError, ValueError):
        inputs.forget(target)  # (read just now: else the download may not replace it)
        return False
    return True


UKRAINE_BOX = (21.0, 43.5, 41.5, 53.0)  # lon/lat: Ukraine and a margin (Crimea to Sumy)


def _check_in_ukraine(occupied, url: str) -> None:
    """Refuse, before it is kept, an occupied layer that is not in Ukraine: a world-sized
    polygon, metres for degrees, lat/lon swapped, or land wholly elsewhere (kept, it had
    been read by every run, silently or refused without a word of ``fetch --force``)."""
    x0, y0, x1, y1 = UKRAINE_BOX
    lo_x, lo_y, hi_x, hi_y = occupied.bounds
    if not (x0 <= lo_x and hi_x <= x1 and y0 <= lo_y and hi_y <= y1):
        raise _unexpected(
            url,
            f"its occupied layer spans lon {lo_x:.6g}..{hi_x:.6g}, lat {lo_y:.6g}..{hi_y:.6g}, "
            f"outside Ukraine (lon {x0}..{x1}, lat {y0}..{y1}); nothing was kept",
        )


MIN_OCCUPIED_KM2 = 30_000.0  # Crimea alone is 27,000 km²; DeepState has never shown less


def _check_occupied(raw, occupied, url: str) -> None:
    """Refuse a layer whose occupied land is not there as DeepState draws it: no polygon
    in its occupied fill (restyled to a fill known as not held, or dropped), or less land
    than it has ever shown (kept, such a day had run with Russia holding 0 km²)."""
    from . import geodata

    props = [f.get("properties") for f in _features(raw) if isinstance(f, dict)]
    fills = {str(p.get("fill", "")).strip().lower() for p in props if isinstance(p, dict)}
    if OCCUPIED_FILL not in fills:
        raise _unexpected(
            url,
            f"no polygon has DeepState's occupied fill ({OCCUPIED_FILL}): its style may "
            "have changed; nothing was kept",
        )
    km2 = geodata.area_km2(geodata.to_equal_area(occupied))
    if km2 < MIN_OCCUPIED_KM2:
        raise _unexpected(
            url,
            f"its occupied layer holds {km2:,.0f} km², less than DeepState has ever shown "
            f"(over {MIN_OCCUPIED_KM2:,.0f} km²); nothing was kept",
        )


def _daily(layers: dict, item: dict, url: str) -> dict:
    """The day as the daily archive lays it out: one feature per layer, with its status."""
    return {
        "type": "FeatureCollection",
        "grey_zone": True,  # this file keeps DeepState's grey zone (status 'contested')
        "features": [
            {
                "type": "Feature",
                "properties": {"status": status, "source": url, "datetime": item["datetime"]},
                "geometry": mapping(geom),
            }
            for status, geom in layers.items()
        ],
    }


def _keep(target: Path, day: dict) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return files.write_text(target, json.dumps(day))
