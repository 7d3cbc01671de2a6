"""Download geoBoundaries' open ADM1 boundaries of Ukraine (``modeller fetch units``).

The geoBoundaries API (https://www.geoboundaries.org/api.html) answers
``/api/current/gbOpen/UKR/ADM1/`` with one JSON record describing the layer:
``boundaryID``, ``boundaryName``, ``boundaryISO``, ``boundaryType``, ``boundarySource``,
``boundaryLicense``, ``licenseDetail``, ``licenseSource``, ``sourceDataUpdateDate``,
``buildDate``, and download links ``gjDownloadURL`` (full GeoJSON), ``tjDownloadURL``,
``simplifiedGeometryGeoJSON``, ``staticDownloadLink``. The GeoJSON's features carry
``shapeName``, ``shapeISO`` (e.g. ``UA-14``), ``shapeID`` and ``shapeGroup``. We keep the
full GeoJSON in the user cache with a small record of where it came from; ``--units``
reads it like any other units file (matched by ``shapeISO``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from . import downloads, files, geodata, inputs, settings
from .errors import InputError, NotKept

API = "https://www.geoboundaries.org/api/current/gbOpen/UKR/ADM1/"
FILE = "geoBoundaries-UKR-ADM1.geojson"


def _get(url: str) -> bytes:
    return downloads.get(url)


def metadata(api: str = API) -> dict:
    """The API's record of the layer (a JSON object; some answers wrap it in a list)."""
    try:
        data = json.loads(_get(api).decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise InputError(f"unexpected answer from {api}: not JSON ({exc})") from None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or not data.get("gjDownloadURL"):
        raise InputError(f"unexpected answer from {api}: no gjDownloadURL in the record")
    return data


def fetch_units(folder: Path | None = None, api: str | None = None, force: bool = False) -> Path:
    """Download the ADM1 GeoJSON into ``folder`` (default: the user cache) and return it.

    Writes ``geoBoundaries-UKR-ADM1.geojson`` and ``….source.json`` (the API record, the
    download URL, its sha256 and the time); an existing download is reused unless
    ``force``.
    """
    api = api or API
    folder = Path(folder or settings.cache_dir() / "units")
    target = folder / FILE
    if not force and _usable(target):
        return target
    meta = metadata(api)
    url = str(meta["gjDownloadURL"])
    body = _get(url)
    try:
        features = json.loads(body.decode("utf-8"))["features"]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        why = str(exc)[:120]
        raise InputError(f"the file at {url} is not a GeoJSON FeatureCollection ({why})") from None
    if not isinstance(features, list) or not features:
        raise InputError(f"the file at {url} holds no features")
    areas = ("Polygon", "MultiPolygon")
    if not all(
        isinstance(f, dict)
        and isinstance(f.get("geometry"), dict)
        and f["geometry"].get("type") in areas
        for f in features
    ):
        raise InputError(
            f"the file at {url} is not a GeoJSON FeatureCollection of areas: a feature is "
            "not an object with a polygon geometry; nothing was kept"
        )
    try:
        _keep(folder, target, body, api, url, meta, features)
    except OSError as exc:
        raise NotKept(target, exc) from exc
    return target


def _usable(target: Path) -> bool:
    """Whether a download kept before still reads as ``--units`` takes it (one cut short or
    changed since is downloaded again: ``fetch`` had reported it fetched, every time)."""
    if not files.kept(target):
        return False
    try:
        geodata.check_units(target)
    except (InputError, OSError, ValueError):
        inputs.forget(target)  # (read just now: else the download may not replace it)
        return False
    return True


def _keep(folder: Path, target: Path, body: bytes, api: str, url: str, meta, features) -> None:
    """Write the record of where the download came from, then the download itself, once it
    reads as ``--units`` takes it (InputError, nothing kept, when it does not: a square
    over Kyiv oblast or a corner at 1e300 had been kept and reported as fetched)."""
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "api": api,
        "url": url,
        "sha256": hashlib.sha256(body).hexdigest(),
        "downloaded": datetime.now(UTC).isoformat(timespec="seconds"),
        "features": len(features),
        "licence": meta.get("boundaryLicense"),
        "record": meta,
    }
    # (each atomically, the record before the download is renamed into place: a full disk
    # had left a hidden half file behind, or the download without its record)
    with files.atomic_path(target, ".tmp.geojson") as tmp:
        Path(tmp).write_bytes(body)
        try:
            geodata.check_units(Path(tmp))
        except InputError as exc:
            why = exc.message.replace(str(tmp), FILE)
            raise InputError(
                f"the file at {url[:200]} is not usable as --units ({why}); nothing was kept"
            ) from None
        finally:  # (checked, not an input: renamed, it is the cache's to replace)
            inputs.forget(Path(tmp))
        record_path = target.with_name(FILE.replace(".geojson", ".source.json"))
        files.write_text(record_path, json.dumps(record, indent=2))
