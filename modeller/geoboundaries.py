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

from . import downloads, settings
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
    if target.exists() and not force:
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


def _keep(folder: Path, target: Path, body: bytes, api: str, url: str, meta, features) -> None:
    """Write the download and the record of where it came from."""
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
    _write(target, body)
    _write(
        target.with_name(FILE.replace(".geojson", ".source.json")),
        json.dumps(record, indent=2).encode(),
    )


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)
