"""Control maps from data: who holds what, turned into a starting partition.

The baselines read from data (below the engine): ``1991`` borders, DeepState snapshots
(daily files or month-end features, via ``archive``) and user ``.geojson``/``.gpkg``/``.shp``
files. The authored baselines (``contact-line``, ``pre-2022``) are scenarios applied by
the engine and live above it, in ``baselines``, which dispatches every spec.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date as Date
from datetime import datetime
from pathlib import Path

import shapely

from . import archive, geodata, geojson, geomcache, inputs, pockets, reconcile, settings, unitchecks
from . import deepstate as deepstate_raw
from .dates import EARLIEST, ISO_DAY, LATEST
from .document import USER_FILE
from .errors import InputError
from .partition import BaselineInfo, Partition, Piece, merge_pieces, overlay
from .positions import lines_of
from .statuses import BUILTIN_STATUSES, meant
from .textsafe import visible_text

BASELINE_STATUSES = tuple(BUILTIN_STATUSES)  # what a baseline file may say land holds


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
            return from_deepstate(month_end.info, {"russia": month_end.territory()}, False)
        raise archive.not_held(day)
    snapshot = archive.Snapshot(day, path)
    layers, grey = snapshot.layers()
    return from_deepstate(snapshot.info, layers, grey)


def deepstate_file(path: Path) -> Partition | None:
    """A DeepState daily file given by its path (``deepstatemap_data_YYYYMMDD.geojson``,
    as the archive and ``modeller fetch`` name them), read as ``deepstate:DATE`` reads it:
    pockets filled, the outline reconciled. Read as a user's own polygons it had counted
    DeepState's border and coast as a line of contact (a band 2.8x too large). None for a
    file of another name, or one whose name holds no real day."""
    named = ARCHIVE_NAME.fullmatch(path.stem)
    if not archive.DAILY_NAME.fullmatch(path.name) or named is None:
        return None
    try:
        day = Date(*map(int, named.groups()))
    except ValueError:  # (from_file says what is wrong with the name)
        return None
    snapshot = archive.Snapshot(day, path)
    layers, grey = snapshot.layers()
    info = replace(snapshot.info, name=inputs.shown(path))
    return from_deepstate(info, layers, grey)


NO_GREY_ZONE = (
    "none in this source (it keeps only DeepState's occupied layer): contested land counts "
    "as Ukrainian-held"
)


COUNTED = {
    "contested": "kept as its own status 'contested'",
    "ukraine": "counted as Ukrainian-held (--contested ukraine)",
    "russia": "counted as Russian-held (--contested russia)",
}


def contested_mode() -> str:
    """How the grey zone counts (``--contested``, ``MODELLER_CONTESTED``), checked."""
    mode = settings.contested_mode()
    if mode not in settings.CONTESTED_MODES:
        raise InputError(
            f"bad MODELLER_CONTESTED '{mode}'; valid: {', '.join(settings.CONTESTED_MODES)}"
        )
    return mode


def from_deepstate(info: BaselineInfo, layers: dict[str, object], grey: bool) -> Partition:
    """A DeepState baseline: the grey zone as ``settings.contested_mode()`` says, then the
    outline reconciliation (``reconcile``) unless it is switched off.

    ``layers`` holds working-CRS ``russia`` and, where the source keeps it, ``contested``
    territory; ``grey`` says whether the source has a grey-zone layer at all.
    """
    russia = layers["russia"]
    contested = layers.get("contested")
    mode = contested_mode()
    if not grey:
        note = NO_GREY_ZONE
    else:
        km2 = 0.0 if contested is None else float(geodata.area_km2(contested))
        inside = km2 - (0.0 if contested is None else reconcile.outside_km2(contested))
        counted = COUNTED[mode]
        note = (
            f"DeepState's grey zone ('unknown status': {km2:,.1f} km² in its layer, "
            f"{inside:,.1f} km² inside the units) {counted}"
        )
    if contested is not None and mode == "russia":
        russia, contested = shapely.union(russia, contested), None
    elif mode == "ukraine":
        contested = None
    info, russia, cut = _outlined(replace(info, grey_zone=note), russia, contested)
    held = {"russia": russia}
    if contested is not None and not contested.is_empty:
        held["contested"] = contested
    return _with_outside(_with_cut_off(from_held(info, held), cut))


def _outlined(info: BaselineInfo, russia, kept) -> tuple[BaselineInfo, object, tuple]:
    """The outline reconciliation of Russian-held land (``reconcile``), unless it is
    switched off, for DeepState's layers and user files alike; land ``kept`` (the grey
    zone, land a file labels) never moves. Returns the baseline's info with what moved
    and what lies outside the units, the land, and the cut-off land to be said."""
    if not settings.reconcile():  # (its strips are then what is cut off: said by its note)
        return replace(info, outside_km2=reconcile.outside_km2(russia)), russia, ()
    r = reconcile.reconcile(russia, kept)
    info = replace(info, reconciled=r.moved, outside_km2=r.outside_km2)
    return info, r.territory, said_cut_off(r.cut_off)


def _with_cut_off(partition: Partition, cut: tuple) -> Partition:
    """The partition, with the warning of land cut off behind Russian lines (if any)."""
    if not cut:
        return partition
    warning = cut_off_warning(cut, partition.baseline.label)
    return replace(partition, warnings=(*partition.warnings, warning))


# a DeepState map's Russian-held land outside the units: its maps leave 1-2 % there (the
# coast, the Azov shore); past both of these, the map is doubted (``_with_outside``)
OUTSIDE_SHARE = 0.10
OUTSIDE_KM2 = 1_000.0
# cut-off land past this is more than DeepState's maps leave (its daily and month-end maps
# at most 978 km² of the embedded units, in 2022; 0 from 2022-11; ~760 km² on Minregion's
# outlines), and few raw layers (that of 2022-04-03: 6,367 km², mostly in Kharkiv and Sumy
# oblasts as the front moved): the warning asks whether the map is moved
CUT_OFF_DOUBT_KM2 = 2_000.0


def _with_outside(partition: Partition) -> Partition:
    """A DeepState partition, with a warning when much of its Russian-held land lies
    outside the units: land beyond Ukraine marked held (an edited raw layer that fills
    Transnistria as occupied had put 450 km² of Odesa oblast under Russia unsaid). Not for
    a user's file: a polygon drawn roughly past the border ("all east of 37.8°") is meant
    to be cut to the units."""
    out = partition.baseline.outside_km2
    if not out or out < OUTSIDE_KM2:
        return partition
    areas = partition.areas_km2
    held = sum(a for p, a in zip(partition.pieces, areas, strict=True) if p.before == "russia")
    share = outside_share(out, held)
    if share is None:
        return partition
    warning = outside_warning(out, share, f"Check {partition.baseline.label}")
    return replace(partition, warnings=(*partition.warnings, warning))


def outside_share(out_km2: float | None, held_km2: float) -> float | None:
    """The share of a DeepState layer's Russian-held land that lies outside the units
    (``out_km2``; inside: ``held_km2``) where it is past both ``OUTSIDE_KM2`` and
    ``OUTSIDE_SHARE``, so doubted; else None."""
    if not out_km2 or out_km2 < OUTSIDE_KM2:
        return None
    share = out_km2 / (out_km2 + held_km2)
    return share if share >= OUTSIDE_SHARE else None


def outside_warning(out_km2: float, share: float, check: str) -> str:
    """The warning of a DeepState layer held mostly outside the units (``_with_outside``),
    ending with ``check``: which map to look at (run's baseline, the timeline's dates)."""
    return (
        f"{out_km2:,.0f} km² of the baseline's Russian-held land ({share * 100:.0f} % of it) "
        "lies outside the units, where DeepState's own maps leave 1-2 % (the coast, the Azov "
        "shore); only the part inside counts: is land beyond Ukraine marked as held "
        "(Transnistria or Abkhazia in an edited layer), or is the map moved or drawn on other "
        f"outlines? {check}"
    )


def _with_repairs(partition: Partition, repairs: list, path: Path) -> Partition:
    """The partition, with a warning naming the features whose rings cross themselves and
    were repaired (``geojson.crossing``: a change of under 1 % of their area; more is
    refused), so that a ring drawn out of order is not taken as drawn unsaid."""
    if not repairs:
        return partition
    km2 = sum(k for _, k, _ in repairs)
    first = repairs[0]
    more = f" and {len(repairs) - 1} more" if len(repairs) > 1 else ""
    warning = (
        f"the baseline file {visible_text(path.name)}: feature {first[0]}'s outline crosses "
        f"itself{first[2]}{more}; repaired by GEOS's rules (the land changed by "
        f"{km2:,.2f} km²): if a ring's corners are out of order, fix them in the file"
    )
    return replace(partition, warnings=(*partition.warnings, warning))


def said_cut_off(cut: tuple) -> tuple[tuple[str, float], ...]:
    """The (unit, km²) of ``reconcile.cut_off`` a warning names: 0.5 km² or more, largest
    first."""
    return tuple(sorted(((c, k) for c, k in cut if k >= 0.5), key=lambda ck: -ck[1]))


def cut_off_warning(cut: tuple, when: str, most: str = "") -> str:
    """The warning of land cut off behind Russian lines (``said_cut_off``) on ``when``;
    ``most``: the date of the figures when ``when`` names several (they are its largest)."""
    data = geodata.load()
    where = ", ".join(f"{data.units[c].name_en} {km2:,.0f}" for c, km2 in cut)
    lead, most = ("up to ", f"the most on {most}, ") if most else ("", "")
    total = sum(k for _, k in cut)
    doubt = (
        "; this much is more than DeepState's maps usually leave (under 1,000 km²; 6,367 km² "
        "on its raw layer of 3 April 2022, the front moving in the north-east): is the map "
        "moved, or drawn on other outlines than the units'?"
        if total > CUT_OFF_DOUBT_KM2
        else ""
    )
    return (
        f"{lead}{total:,.0f} km² cut off from the rest of Ukrainian-held land "
        f"behind Russian lines count as Ukrainian-held on {when} ({most}km²: {where}): land "
        "the map's layer leaves out (a lagoon, river islands) or an encircled pocket; its "
        "edges count as a line of contact, so a band along the line follows them too; see "
        f"ASSUMPTIONS.md, 'Outline reconciliation'{doubt}"
    )


def _read_layer(path: Path) -> list[dict]:
    """Features of a GeoPackage's or Shapefile's layer of polygons as GeoJSON Features
    (lon/lat), with their ``status``; modeller's own export of pieces is refused."""
    from . import ogrfiles  # (pyogrio, pyproj: only when such a file is read)

    # the fields a GeoJSON feature's checks read: its status, fill and date, and any that
    # may name its holder otherwise ('control': a GeoPackage's land marked Ukrainian-held so
    # had counted Russian-held, and three dated maps one baseline, unchecked)
    fields = ("status", "fill", "date")
    found, names = ogrfiles.features(path, inputs.geo_format(path), fields, _holder_field)
    if "status" not in names and {"before", "after"} <= set(names):
        raise InputError(
            "this is modeller's own export of a scenario's pieces ('before' and 'after', no "
            "'status'): read as a baseline, every piece would count as Russian-held. A "
            "baseline file holds Russian-held polygons, or a 'status' per feature",
            str(path),
        )
    return found


STATUS_NAME = re.compile(r"[a-z][a-z0-9_]*")  # a status as a scenario names one
HOLDER_WORDS = ("control", "hold", "held", "side", "status")  # in a field naming a holder
OCCUPIED_WORDS = ("occup", "liberat")  # in a field saying whether land is occupied
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "y", "1"), ("false", "no", "n", "0")


def _holder_field(name: str) -> bool:
    """Whether a layer's field may name a feature's holder otherwise than 'status', or say
    whether it is occupied."""
    name = name.strip().casefold()
    return any(w in name for w in (*HOLDER_WORDS, *OCCUPIED_WORDS))


def _says_not_held(key: object, value: object) -> bool:
    """Whether a property says its land is not occupied ("occupied": false, "liberated":
    "yes", "deoccupied": 1): such a feature without a 'status' is no Russian-held land."""
    name = str(key).casefold().replace("-", "").replace("_", "")
    if isinstance(value, bool):
        truth = value
    elif isinstance(value, str) and value.strip().casefold() in (*TRUE_WORDS, *FALSE_WORDS):
        truth = value.strip().casefold() in TRUE_WORDS
    elif isinstance(value, int | float) and value in (0, 1):
        truth = value == 1
    else:
        return False
    if "liberat" in name or "deoccup" in name:
        return truth
    return "occup" in name and not truth


def _pieces(data: dict) -> bool:
    """Whether every feature has statuses as 'before' and 'after' (dates named so are no
    export) and none a 'status': modeller's own pieces export, its ``modeller`` member
    dropped (a re-save, a jq filter), as a GeoPackage's fields tell it (``_read_layer``)."""
    feats = data.get("features")
    feats = feats if isinstance(feats, list) else []
    props = [f.get("properties") if isinstance(f, dict) else None for f in feats]
    return bool(props) and all(
        isinstance(p, dict)
        and not deepstate_raw.has_status(p)
        and all(
            isinstance(p.get(k), str) and STATUS_NAME.fullmatch(p[k]) for k in ("before", "after")
        )
        for p in props
    )


def _check_one_date(data: object, path: Path) -> str | None:
    """The one date the features carry (None: none). A file whose features carry different
    dates holds several maps (like DeepState's month-end file): read as one baseline it
    would be their union, so it is refused."""
    feats = data.get("features") if isinstance(data, dict) else None
    feats = feats if isinstance(feats, list) else []  # ('features': 5 is said by the reader)
    dated = (_date_of(f.get("properties")) if isinstance(f, dict) else None for f in feats)
    written = [str(d)[:40] for d in dated if d is not None]
    by_day: dict[str, str] = {}  # one day however written ('…t10:00z', '…T10:00Z', no time)
    for text in written:
        m = DAY_RE.fullmatch(text.strip())
        by_day.setdefault(m.group(1) if m else text, text)
    days = [by_day[k] for k in sorted(by_day)]
    if len(days) > 1:
        raise InputError(
            f"the features carry {len(days)} different dates ({days[0]} … {days[-1]}): the "
            "file holds several dated maps, and read as one baseline they would count as "
            "their union; give one map per file, or, for DeepState's month-end file, "
            "deepstate:YYYY-MM-DD (with the file in the archive folder)",
            str(path),
        )
    return days[0] if days else None


def _date_of(props: object) -> object:
    """A feature's ``date`` property, in any letter case ("Date", "DATE" as Shapefiles
    write it; a 'Date' had been no date, and three dated maps one baseline); None: none."""
    if not isinstance(props, dict):
        return None
    found = [v for k, v in props.items() if isinstance(k, str) and k.strip().casefold() == "date"]
    return next((v for v in found if v is not None), None)


def _check_every_feature_dated(data: dict, day: str, path: Path) -> None:
    """A file dated by its features only: every feature carries the date (one with none
    may come from another map; it had been read as of that date without a word)."""
    undated = [
        i + 1
        for i, f in enumerate(data.get("features") or [])
        if isinstance(f, dict)
        and f.get("geometry")  # (a feature without a shape is skipped anyway)
        and _date_of(f.get("properties")) is None
    ]
    if undated:
        shown = ", ".join(map(str, undated[:5])) + (" …" if len(undated) > 5 else "")
        raise InputError(
            f"some features carry the date {day[:40]} and feature{'s' * (len(undated) > 1)} "
            f"{shown} none: a baseline has one date; give it to every feature, or once as "
            f'the file\'s top-level "date"',
            str(path),
        )


# a date, or a date and an ISO time ("2025-08-15T12:00:00Z"; not "2025-08-15 lol")
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
DAY_RE = re.compile(rf"({ISO_DAY.pattern})(?:[T ]{_TIME})?", re.IGNORECASE)  # (RFC 3339: t, z)


def _file_date(value: object, what: str, path: Path) -> Date | None:
    """A baseline file's date (``what``: where it is written), checked: text YYYY-MM-DD
    (a time after it is dropped), a calendar date, between 1991 and 2100 (None: none)."""
    if value is None:
        return None
    if not isinstance(value, str):  # e.g. 20250101
        raise InputError(f'bad {what} {str(value)[:40]}: write it as text, "YYYY-MM-DD"', str(path))
    m = DAY_RE.fullmatch(value.strip())
    if m is None:
        raise InputError(
            f"bad {what} {value[:40]!r}: write YYYY-MM-DD (a time may follow: "
            "2025-08-15T12:00:00Z)",
            str(path),
        )
    try:
        day = Date.fromisoformat(m.group(1))
    except ValueError:
        raise InputError(
            f"bad {what} {value[:40]!r}: {m.group(1)} is not a calendar date", str(path)
        ) from None
    try:  # the time after it, if any, is a time of day (not 99:99)
        datetime.fromisoformat(value.strip().upper().replace(" ", "T", 1))
    except ValueError:
        raise InputError(
            f"bad {what} {value[:40]!r}: the time after the day is not a time of day; write "
            "YYYY-MM-DD, or 2025-08-15T12:00:00Z",
            str(path),
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise InputError(
            f"bad {what} {value[:40]!r}: outside {EARLIEST.year}–{LATEST.year}; give the "
            "date the map shows, e.g. 2025-08-15",
            str(path),
        )
    return day


def _check_no_overlap(territory: dict[str, object], path: Path) -> None:
    """Refuse features of two statuses covering the same land: which one holds it had
    depended on the features' order, and a ``ukraine`` pocket inside a Russian-held
    polygon was silently Russian-held."""
    names = sorted(territory)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            both = shapely.intersection(territory[a], territory[b])
            km2 = float(geodata.area_km2(both)) if not both.is_empty else 0.0
            if km2 > 0.01:
                raise InputError(
                    f"features with status '{a}' and '{b}' overlap ({km2:,.2f} km²): a "
                    f"place has one status; cut the overlap out of one of them (a pocket "
                    f"is a hole in the polygon around it)",
                    str(path),
                )


RAW_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})T\d{2}:?\d{2}")


def from_raw(path: Path, data: dict) -> Partition:
    """A raw DeepState layer dump (the history API's format): occupied and grey zone.

    The date comes from a top-level ``datetime`` or from the file name
    (``deepstate_raw_20250803T195825Z.geojson``).
    """
    try:
        lonlat = deepstate_raw.raw_layers(data)
    except InputError as exc:
        raise InputError(exc.message, str(path)) from None
    for name, layer in lonlat.items():  # the sanity checks of any baseline file
        where = "occupied territory" if name == "russia" else "grey zone"
        geojson.check_lonlat(layer, where, str(path))
    unitchecks.check_over_ukraine(list(lonlat.values()), str(path))
    layers = {k: geojson.territory([g], densify=False) for k, g in lonlat.items()}  # as drawn
    if "russia" in layers:
        layers["russia"] = pockets.fill(layers["russia"], layers.get("contested"))
    stamp = RAW_DATE.search(str(data.get("datetime") or "")) or RAW_DATE.search(path.name)
    try:
        day = Date(*map(int, stamp.groups())) if stamp else None
    except ValueError:
        raise InputError(
            f"bad date {stamp.group()!r} (from the 'datetime' or the file name): write "
            "YYYY-MM-DDTHH:MM, e.g. 2025-08-03T19:58",
            str(path),
        ) from None
    if day is not None and not EARLIEST <= day <= LATEST:
        raise InputError(
            f"bad date {stamp.group()!r} (from the 'datetime' or the file name): outside "
            f"{EARLIEST.year}–{LATEST.year}; give the time the map shows, e.g. 2025-08-03T19:58",
            str(path),
        )
    info = BaselineInfo(
        inputs.shown(path),
        day,
        "DeepStateMap (deepstatemap.live) raw layers: occupied and grey zone",
        f"raw layer dump {visible_text(path.name)}, {pockets.METHOD}, clipped to the units",
    )
    return _unread(from_deepstate(info, layers, True), path, data)


def _unread(partition: Partition, path: Path, data: dict) -> Partition:
    """The partition, with a warning when the dump has polygons over the units whose
    fill DeepState's layer did not have (``deepstate.unread_polygons``): left out, they
    are neither Russian-held nor grey zone — all the occupied land, if DeepState
    restyled its layer."""
    fills, polys = deepstate_raw.unread_polygons(data)
    if not polys:
        return partition
    country = geodata.country_of(geodata.load())
    over = shapely.intersection(geodata.to_equal_area(shapely.union_all(polys)), country)
    km2 = float(shapely.area(over)) / 1e6
    if km2 < 1.0:
        return partition
    shown = ", ".join(visible_text(f[:20]) for f in fills[:4]) + (" …" if len(fills) > 4 else "")
    warning = (
        f"the raw dump {visible_text(path.name)} has {len(polys)} polygon(s) over the units "
        f"({km2:,.0f} km²) filled {shown}, a fill DeepState's layer did not have: left out "
        f"(read as neither Russian-held nor grey zone); its occupied land is filled "
        f"{deepstate_raw.OCCUPIED_FILL}, its grey zone {', '.join(deepstate_raw.GREY_FILLS)}: "
        "if DeepState has restyled its layer, these figures miss that land"
    )
    return replace(partition, warnings=(*partition.warnings, warning))


# --- any file ---------------------------------------------------------------------------


def _status_of(props: dict, number: int, path: Path) -> object:
    """A feature's status: its ``status`` property, in any letter case ("STATUS", as a
    Shapefile's field names often are); None when it has none. A feature without one is
    Russian-held, so one that names its holder under another name ("control": "ukraine",
    "held_by") is an error, not Russian-held land."""
    keys = [k for k in props if isinstance(k, str) and k.strip().casefold() == "status"]
    if len(keys) > 1:
        raise InputError(
            f"feature {number} has {len(keys)} status properties ({', '.join(map(repr, keys))}); "
            "keep one",
            str(path),
        )
    if keys and props[keys[0]] is None:  # QGIS writes an attribute left empty as null
        raise InputError(
            f"feature {number}: its {keys[0]!r} is empty (null), which would have counted as "
            f"Russian-held; write one of {', '.join(BASELINE_STATUSES)} (russia where the "
            "land is Russian-held)",
            str(path),
        )
    if keys:
        return props[keys[0]]
    for key, value in props.items():  # (not "country": "Ukraine", which says where)
        holder = any(w in str(key).casefold() for w in HOLDER_WORDS)
        if holder and isinstance(value, str) and value.strip().casefold() in BASELINE_STATUSES:
            raise InputError(
                f"feature {number} has no 'status' but its {str(key)[:40]!r} is "
                f"{value[:40]!r}: name that property 'status' (a feature without one is "
                "read as Russian-held)",
                str(path),
            )
        if _says_not_held(key, value):
            raise InputError(
                f"feature {number} has no 'status' but its {str(key)[:40]!r} is "
                f"{str(value)[:40]!r}, which says the land is not occupied, and a feature "
                "without a 'status' is read as Russian-held: give it 'status': 'ukraine', or "
                "leave it out (land no feature covers is Ukrainian-held)",
                str(path),
            )
    return None


def from_file(path: Path) -> Partition:
    """Polygons from a GeoJSON/GeoPackage file: a ``status`` property, else Russian-held."""
    text = None
    if path.suffix.lower() in inputs.OGR_SUFFIXES:
        data = {"type": "FeatureCollection", "features": _read_layer(path)}
    else:
        text = inputs.read_text(path, "GeoJSON")
        data = geojson.parse(text, path)
        if deepstate_raw.is_raw(data):
            return from_raw(path, data)
    deepstate_raw.check_not_misread(data, path)
    if isinstance(data, dict) and (isinstance(data.get("modeller"), dict) or _pieces(data)):
        raise InputError(
            "this is modeller's own export of a scenario's pieces (each with 'before' and "
            "'after', no 'status'): read as a baseline, every piece would count as Russian-"
            "held. A baseline file holds Russian-held polygons, or a 'status' (ukraine, "
            "russia, contested) per feature",
            str(path),
        )
    date_value = data.get("date") if isinstance(data, dict) else None
    day = _file_date(date_value, "top-level date", path)
    features_day = _check_one_date(data, path)
    if day is None and features_day is not None:
        _check_every_feature_dated(data, features_day, path)
    if day is not None and features_day is not None:  # one would silently win
        said = _file_date(features_day, "feature date", path)
        if said != day:
            raise InputError(
                f"the top-level date {day} and the features' date {said} differ: a baseline "
                "has one date; keep the one the map shows and drop or correct the other",
                str(path),
            )
    held: dict[str, list] = {}
    repairs: list[tuple[int, float, str]] = []  # (feature, km² changed, where) per crossing
    with lines_of(text):  # (a GeoPackage has no lines)
        try:
            found = geojson.features(data, str(path), rings=True)
        except InputError as exc:
            if not exc.message.startswith("no polygon features"):
                raise
            raise InputError(
                f"{exc.message}: a baseline file holds the polygons of the land Russia holds "
                "(for a map on which it holds none, give the baseline 1991)",
                exc.file,
            ) from None
        for number, (props, geom) in zip(geojson.feature_numbers(data), found, strict=True):
            status = _status_of(props, number, path)
            status = "russia" if status is None else status  # "" or false is not a status
            if status not in BASELINE_STATUSES:
                hint = meant(status, BASELINE_STATUSES)
                raise InputError(
                    f"feature {number}: unknown status {str(status)[:80]!r}{hint}; a baseline "
                    f"file holds {', '.join(BASELINE_STATUSES)} (or no 'status': Russian-held)",
                    str(path),
                )
            held.setdefault(status, []).append(geom)
            crossed = geojson.crossing(geom)
            if crossed is not None:
                repairs.append((number, *crossed))
    unitchecks.check_over_ukraine([g for geoms in held.values() for g in geoms], str(path))
    territory = {s: geojson.territory(g) for s, g in held.items()}
    if all(t.is_empty for t in territory.values()):  # every ring flat: "Russia holds 0 km²"
        raise InputError(
            f"the file's polygons enclose {geojson.FLAT_RINGS}; give the outlines of the land held",
            str(path),
        )
    _check_no_overlap(territory, path)
    # the rest of the units is Ukrainian-held anyway; land the file says so of is kept so
    labelled = territory.pop("ukraine", None)
    source = f"{USER_FILE}{visible_text(path.name)}"
    if day is None and features_day is not None:  # every feature carries the same date
        day = _file_date(features_day, "feature date", path)
        source += " (dated by its features)"
    named = ARCHIVE_NAME.fullmatch(path.stem)
    if day is None and named:  # a file of the DeepState archive, copied: dated by its name
        try:
            day = Date(*map(int, named.groups()))
        except ValueError:
            raise InputError(
                f"bad date {''.join(named.groups())!r} in the file name: name a DeepState "
                'daily file deepstatemap_data_YYYYMMDD.geojson, or give a top-level "date"',
                str(path),
            ) from None
        source += " (dated by its name)"
    info = BaselineInfo(inputs.shown(path), day, source, "polygons clipped to the units")
    had_held = any(not t.is_empty for t in territory.values())
    grey = territory.get("contested")
    if grey is not None and not grey.is_empty:  # counted as --contested says, as DeepState's
        mode = contested_mode()  # (it had been kept as 'contested' whatever that said)
        note = f"the file's 'contested' land ({geodata.area_km2(grey):,.1f} km²) {COUNTED[mode]}"
        info = replace(info, grey_zone=note)
        if mode != "contested":
            del territory["contested"]
        if mode == "russia":
            territory["russia"] = shapely.union(territory.get("russia", shapely.Polygon()), grey)
    russia, cut = territory.get("russia"), ()
    if russia is not None and not russia.is_empty:
        # drawn on another outline than the units', a file leaves DeepState's strips too;
        # land it labels ukraine or contested never moves (``kept``)
        kept = _union_of(territory.get("contested"), labelled)
        if settings.reconcile():
            russia = _closed(russia, kept)
        info, territory["russia"], cut = _outlined(info, russia, kept)
    partition = _with_cut_off(_doubted(from_held(info, territory), path, had_held), cut)
    return _with_repairs(partition, repairs, path)


GAP_M = 5.0  # gaps between a file's Russian-held polygons narrower than this are closed


def _closed(russia, kept):
    r"""A file's Russian-held land with gaps under ``GAP_M`` closed, between its polygons
    and between them and the units' outline (less the land ``kept``): polygons saved per
    oblast, rounded, shrunk or snapped apart leave gaps of millimetres to metres, through
    which a coastal strip reaches the rest of Ukrainian-held land and is no longer cut off
    (a 10 km band followed the Azov coast, +25 to 44 %).

    Notes
    -----
    A morphological closing of :math:`R` with the land outside the units :math:`O` (near
    :math:`R`): :math:`R' = R \cup ((((R \oplus g/2) \cup O) \ominus g/2) \cap U)
    \setminus K`, mitred, :math:`g` = ``GAP_M``, :math:`U` the units. It adds gaps and
    notches narrower than :math:`g` between polygons, :math:`g/2` at the outline.
    """

    def draw() -> dict:
        country = geodata.country_of(geodata.load())
        grown = shapely.buffer(russia, GAP_M / 2, join_style="mitre")
        x0, y0, x1, y1 = shapely.bounds(grown)
        outside = shapely.difference(
            shapely.box(x0 - GAP_M, y0 - GAP_M, x1 + GAP_M, y1 + GAP_M), country
        )
        shrunk = shapely.buffer(shapely.union(grown, outside), -GAP_M / 2, join_style="mitre")
        closed = shapely.union(russia, shapely.intersection(shrunk, country))
        return {"closed": closed if kept is None else shapely.difference(closed, kept)}

    # (kept between runs: a file of detailed pieces per oblast takes seconds to buffer)
    key = geomcache.digest("closed", GAP_M, russia, kept)
    return geomcache.kept(key, draw, ("closed",))["closed"]


def _union_of(*shapes):
    """The union of the shapes given (None and empty ones left out), or None."""
    shapes = [s for s in shapes if s is not None and not s.is_empty]
    return shapely.union_all(shapes) if shapes else None


# the DeepState archive's daily file names (deepstatemap_data_20250815.geojson)
ARCHIVE_NAME = re.compile(r"deepstatemap_data_(\d{4})(\d{2})(\d{2})")


ALMOST_ALL = 0.9  # a baseline file this much of the units holds is likely not a control map


def _doubted(partition: Partition, path: Path, had_held: bool = False) -> Partition:
    """The partition, with a warning when the file's polygons cover almost all the units
    (a boundaries file given as a baseline: every oblast would count as Russian-held), or
    none of them though it has polygons not Ukrainian-held (``had_held``: polygons
    elsewhere, in Russia, within the box around Ukraine)."""
    areas = partition.areas_km2
    held = sum(a for p, a in zip(partition.pieces, areas, strict=True) if p.before != "ukraine")
    share = held / areas.sum() if areas.sum() else 0.0
    if held == 0.0 and had_held:
        warning = (
            f"the baseline file {visible_text(path.name)} has polygons held by Russia (or "
            "contested), but none of them covers any land of the units: every unit is "
            "Ukrainian-held; check that it is the file you mean, and that its polygons lie "
            "over Ukraine in lon/lat degrees (EPSG:4326)"
        )
        return replace(partition, warnings=(*partition.warnings, warning))
    if share < ALMOST_ALL:
        return partition
    warning = (
        f"the baseline file {visible_text(path.name)} makes {share:.1%} of the units not "
        "Ukrainian-held: a baseline file holds the land Russia holds (or a 'status' per "
        "feature); if this is a boundaries file, give it as --units"
    )
    return replace(partition, warnings=(*partition.warnings, warning))
