"""Control maps from data: who holds what, turned into a starting partition.

The baselines read from data (below the engine): ``1991`` borders, DeepState snapshots
(daily files or month-end features, via ``archive``) and user ``.geojson``/``.gpkg``
files. The authored baselines (``contact-line``, ``pre-2022``) are scenarios applied by
the engine and live above it, in ``baselines``, which dispatches every spec.
"""

from __future__ import annotations

import re
from datetime import date as Date
from pathlib import Path

import shapely

from . import archive, dates, geodata, geojson
from .errors import InputError
from .partition import BaselineInfo, Partition, Piece, merge_pieces, polygonal


def from_held(info: BaselineInfo, held: dict[str, object]) -> Partition:
    """A baseline partition from per-status territory (working CRS); the rest is Ukraine."""
    data = geodata.load()
    pieces = []
    for code, oblast in data.geometry.items():
        rest = oblast
        for status, territory in held.items():
            part = polygonal(shapely.intersection(rest, territory))  # earlier statuses win
            rest = polygonal(shapely.difference(rest, territory))
            pieces.append(Piece(code, status, status, part))
        pieces.append(Piece(code, "ukraine", "ukraine", rest))
    return Partition(merge_pieces(pieces), info)


def borders_1991() -> Partition:
    """All of Ukraine within its 1991 borders, held by Ukraine."""
    info = BaselineInfo(
        "1991",
        Date(1991, 12, 1),
        "1991 internationally recognised borders (Natural Earth admin-1)",
        "every unit held by Ukraine",
    )
    return from_held(info, {})


def deepstate(day: Date) -> Partition:
    """The DeepState snapshot of ``day`` as a baseline; names the nearest dates if missing."""
    path = archive.deepstate_path(day)
    if path is None:
        month_end = archive.monthly_snapshot(day)  # 2022-2024, before the daily files
        if month_end is not None:
            return from_held(month_end.info, {"russia": month_end.territory()})
        available = archive.deepstate_dates()
        if not available:
            raise InputError(
                f"no DeepState archive found for deepstate:{day}; set MODELLER_DATA_DIR to a "
                "folder with deepstate/daily/deepstatemap_data_YYYYMMDD.geojson files "
                "(e.g. ../shared/data) or MODELLER_DEEPSTATE_DIR, or run "
                f"'modeller fetch {day}' where the network is available"
            )
        nearest = dates.nearest(available, day, 3)
        raise InputError(
            f"deepstate:{day} is not in the archive ({available[0]} … {available[-1]}, "
            f"{len(available)} days); nearest: {', '.join(f'deepstate:{d}' for d in nearest)}"
        )
    snapshot = archive.Snapshot(day, path)
    return from_held(snapshot.info, {"russia": snapshot.territory()})


def _read_gpkg(path: Path) -> list[dict]:
    """Features of a GeoPackage's first layer as GeoJSON-like dicts (needs pyogrio)."""
    try:
        from pyogrio.raw import read
    except ImportError:
        raise InputError(
            "reading GeoPackage needs pyogrio: pip install -e '.[gpkg]'", str(path)
        ) from None
    try:
        meta, _index, geometry, fields = read(path)
    except Exception as exc:  # pyogrio raises its own error types for unreadable files
        raise InputError(f"cannot read GeoPackage: {exc}", str(path)) from None
    names = list(meta["fields"])
    statuses = fields[names.index("status")] if "status" in names else [None] * len(geometry)
    return [
        {"geometry": shapely.geometry.mapping(shapely.from_wkb(g)), "properties": {"status": s}}
        for g, s in zip(geometry, statuses, strict=True)
        if g is not None
    ]


# --- any file ---------------------------------------------------------------------------


def from_file(path: Path) -> Partition:
    """Polygons from a GeoJSON/GeoPackage file: a ``status`` property, else Russian-held."""
    if not path.exists():
        raise InputError("baseline file not found", str(path))
    if path.suffix.lower() == ".gpkg":
        data = {"type": "FeatureCollection", "features": _read_gpkg(path)}
    else:
        data = geojson.read(path)
    date_value = data.get("date") if isinstance(data, dict) else None
    held: dict[str, list] = {}
    for i, (props, geom) in enumerate(geojson.features(data, str(path))):
        status = props.get("status") or "russia"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(status)):
            raise InputError(f"feature {i + 1}: bad status {status!r}", str(path))
        held.setdefault(status, []).append(geom)
    territory = {s: geojson.territory(g) for s, g in held.items() if s != "ukraine"}
    try:
        day = Date.fromisoformat(date_value) if isinstance(date_value, str) else None
    except ValueError:
        raise InputError(
            f"bad top-level date {date_value!r}: write YYYY-MM-DD", str(path)
        ) from None
    info = BaselineInfo(str(path), day, f"user file {path.name}", "polygons clipped to the units")
    return from_held(info, territory)
