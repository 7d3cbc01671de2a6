"""Baselines: dated control maps (who holds what) turned into a starting partition.

Specs understood by ``load_baseline``:
  ``1991``                 all of Ukraine within its 1991 borders held by Ukraine
  ``contact-line``         the embedded, authored approximation of the line of control
  ``pre-2022``             the embedded, authored line of 23 February 2022 (Crimea, ORDLO)
  ``deepstate:YYYY-MM-DD`` a DeepState daily snapshot from the local archive (or cache)
  ``PATH.geojson|.gpkg``   polygons of Russian-held land (or features with a ``status``)
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from functools import cache
from pathlib import Path

import shapely

from . import geodata, geojson, inputs, settings
from .errors import InputError
from .partition import BaselineInfo, Partition, Piece, as_baseline, merge_pieces, overlay
from .specs import AUTHORED, DEEPSTATE_RE, DEFAULT, HELP, OWN, check_spec
from .specs import parse_date as _parse_date

__all__ = ["AUTHORED", "DEFAULT", "OWN", "check_spec", "load_baseline", "spec_help"]
BASELINE_STATUSES = ("russia", "ukraine")  # what a baseline file may say land holds


def spec_help() -> str:
    return HELP


def own_spec(day: Date | None, scenario_id: str) -> tuple[str, str | None]:
    """The DeepState spec for a scenario's own date: that day, else the nearest archived day.

    Returns the spec and a warning when another day had to stand in.
    """
    if day is None:
        raise InputError(
            f"scenario '{scenario_id}' has no 'date:', so deepstate:own has no day to use; "
            "add date: YYYY-MM-DD to the scenario or pass --baseline deepstate:YYYY-MM-DD"
        )
    from . import archive  # daily files plus the month-end file

    available = [snap.day for snap in archive.snapshots()]
    if day in available:
        return f"deepstate:{day}", None
    if not available:
        return f"deepstate:{day}", None  # load_baseline explains how to get the archive
    nearest = min(available, key=lambda d: (abs((d - day).days), d))
    return (
        f"deepstate:{nearest}",
        f"{scenario_id}: no DeepState snapshot of its date {day}; using the nearest, "
        f"deepstate:{nearest} ({abs((nearest - day).days)} days away)",
    )


def from_held(info: BaselineInfo, held: dict[str, object]) -> Partition:
    """A baseline partition from per-status territory (working CRS); the rest is Ukraine."""
    data = geodata.load()
    pieces = []
    for code, oblast in data.geometry.items():
        rest = oblast
        for status, territory in held.items():
            part = overlay(shapely.intersection, rest, territory)  # earlier statuses win
            rest = overlay(shapely.difference, rest, territory)
            pieces.append(Piece(code, status, status, part))
        pieces.append(Piece(code, "ukraine", "ukraine", rest))
    return Partition(merge_pieces(pieces), info)


def load_baseline(spec: str | None) -> Partition:
    """Resolve a baseline spec (see module docstring) into its starting partition."""
    spec = DEFAULT if spec is None else str(spec).strip()
    if not spec:
        raise InputError(f"empty baseline; valid: {spec_help()}")
    if spec == "1991":
        info = BaselineInfo(
            "1991",
            Date(1991, 12, 1),
            "1991 internationally recognised borders (Natural Earth admin-1)",
            "every unit held by Ukraine",
        )
        return from_held(info, {})
    if spec in AUTHORED:
        return _authored(spec)
    m = DEEPSTATE_RE.match(spec)
    if m:
        return deepstate(_parse_date(m.group(1), spec))
    if spec.startswith("deepstate"):
        raise InputError(
            f"bad baseline '{spec[:80]}': write deepstate:YYYY-MM-DD, e.g. deepstate:2025-08-15"
        )
    path = Path(spec)
    if path.suffix.lower() in {".geojson", ".json", ".gpkg"}:
        return from_file(path)
    raise InputError(f"unknown baseline '{spec[:80]}'; valid: {spec_help()}")


@cache
def _authored(name: str) -> Partition:
    """An embedded baseline written in the scenario language, applied to 1991 borders."""
    from .engine import apply  # the authored baselines are scenarios themselves
    from .scenario import load_scenario

    path = geodata.geodata_dir() / "baselines" / AUTHORED[name]
    scenario = load_scenario(path)
    applied = apply(load_baseline("1991"), scenario)
    info = BaselineInfo(
        name,
        scenario.date,
        f"authored approximation from public reporting (geodata/baselines/{path.name})",
        "front-line settlements and rivers joined into a polyline; see the file's comments",
    )
    return as_baseline(applied, info)


# --- DeepState --------------------------------------------------------------------------


def deepstate_path(day: Date) -> Path | None:
    name = f"deepstatemap_data_{day:%Y%m%d}.geojson"
    for folder in settings.deepstate_dirs():
        if (folder / name).exists():
            return folder / name
    return None


def deepstate_dates() -> list[Date]:
    """Every date available in the configured archive folders."""
    days = set()
    for folder in settings.deepstate_dirs():
        for p in folder.glob("deepstatemap_data_*.geojson"):
            try:
                days.add(datetime.strptime(p.stem[-8:], "%Y%m%d").date())
            except ValueError:
                continue
    return sorted(days)


def deepstate(day: Date) -> Partition:
    """The DeepState snapshot of ``day`` as a baseline; names the nearest dates if missing."""
    from . import archive  # month-end snapshots (2022-2024) fill in before the daily files

    path = deepstate_path(day)
    if path is None:
        month_end = archive.monthly_snapshot(day)
        if month_end is not None:
            return from_held(month_end.info, {"russia": month_end.territory()})
        snapshots = archive.snapshots()  # daily files and month-end snapshots
        if not snapshots:
            raise InputError(
                f"no DeepState archive found for deepstate:{day}; set MODELLER_DATA_DIR to a "
                "folder with deepstate/daily/deepstatemap_data_YYYYMMDD.geojson files "
                "(e.g. ../shared/data) or MODELLER_DEEPSTATE_DIR, or run "
                f"'modeller fetch {day}' where the network is available"
            )
        available = [s.day for s in snapshots]
        nearest = sorted(available, key=lambda d: (abs((d - day).days), d))[:3]
        raise InputError(
            f"deepstate:{day} is not in the archive ({archive.describe(snapshots)}); "
            f"nearest: {', '.join(f'deepstate:{d}' for d in nearest)}"
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
    inputs.check_file(path, "GeoPackage")
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
    if path.suffix.lower() == ".gpkg":
        data = {"type": "FeatureCollection", "features": _read_gpkg(path)}
    else:
        data = geojson.read(path)
    date_value = data.get("date") if isinstance(data, dict) else None
    held: dict[str, list] = {}
    for i, (props, geom) in enumerate(geojson.features(data, str(path))):
        status = props.get("status") or "russia"
        if status not in BASELINE_STATUSES:
            raise InputError(
                f"feature {i + 1}: unknown status {str(status)[:80]!r}; a baseline file "
                f"holds {', '.join(BASELINE_STATUSES)} (or no 'status': Russian-held)",
                str(path),
            )
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
