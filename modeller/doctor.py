"""``modeller doctor``: check the geodata and scenarios before trusting their figures.

Each check returns findings (ok / warn / fail) with a number a reader can verify. The
geodata checks read the files of a geodata folder directly, so a broken folder is
reported rather than crashing the loader.
"""

from __future__ import annotations

import csv
import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape

from . import geodata, runs, unitchecks
from .errors import InputError
from .specs import OWN, named

# Ukrstat, "Number of present population of Ukraine as of 1 January 2022": national total,
# which excludes Crimea and Sevastopol (typed fact; see geodata/SOURCES.md).
UKRSTAT_TOTAL_2022 = 41_167_335
UKRSTAT_EXCLUDES = {"UA-43", "UA-40"}
OVERLAP_KM2 = unitchecks.OVERLAP_KM2  # overlaps or gaps between units above this are reported
AREA_WARN, AREA_FAIL = 0.05, 1.5  # relative error against the official area


@dataclass(frozen=True)
class Finding:
    level: str  # "ok", "warn" or "fail"
    check: str
    message: str


# what a geodata folder holds (``geodata/`` of the package, as built by geodata/build.py)
GEODATA_FILES = (
    "a geodata folder holds units.csv (code, names, area, population), oblasts.geojson (a "
    "FeatureCollection with a 'code' per unit) and settlements.csv"
)


def check_geodata(folder: Path | None = None) -> list[Finding]:
    """Validity, tiling, area and population totals of a geodata folder (default: embedded)."""
    folder = Path(folder) if folder else geodata.geodata_dir()
    out: list[Finding] = []
    try:
        units = _read_units(folder)
        with warnings.catch_warnings():  # (a NaN corner: its failure row says it, not
            warnings.simplefilter("ignore", RuntimeWarning)  # shapely's warning)
            shapes = _read_shapes(folder)
    except FileNotFoundError as exc:
        missing = Path(exc.filename or "").name or "a file"
        return [Finding("fail", "files", f"{folder}: no {missing}; {GEODATA_FILES}")]
    except OSError as exc:
        return [Finding("fail", "files", f"cannot read {folder}: {exc.strerror or exc}")]
    except (
        KeyError, ValueError, TypeError, AttributeError, ShapelyError, RecursionError
    ) as exc:  # fmt: skip
        what = f"no {exc} field" if isinstance(exc, KeyError) else str(exc).split("\n")[0][:120]
        return [
            Finding("fail", "files", f"{folder}: cannot read its files ({what}); {GEODATA_FILES}")
        ]
    if not units or not shapes:
        empty = "units.csv lists no unit" if not units else "oblasts.geojson has no feature"
        return [Finding("fail", "files", f"{folder}: {empty}")]
    out += _check_codes(units, shapes)
    shapes = {c: g for c, g in shapes.items() if c in units}
    out += _check_validity(shapes)
    shapes = {c: g for c, g in shapes.items() if _is_area(g)}  # (the rest: said above)
    try:
        valid = {c: shapely.make_valid(g) for c, g in shapes.items()}
    except ShapelyError as exc:  # (a NaN corner: GEOS refuses it; a traceback had ended it)
        what = str(exc).split("\n")[0][:120]
        return [*out, Finding("fail", "geometry", f"an outline cannot be repaired ({what})")]
    for name, check in (
        ("overlaps", lambda: _check_tiling(valid)),
        ("areas", lambda: _check_areas(units, valid)),
        ("population", lambda: _check_population(units)),
        ("settlements", lambda: _check_settlements(folder, units, valid)),
    ):
        try:
            out += check()
        except (KeyError, ValueError, TypeError, AttributeError, ShapelyError) as exc:
            what = f"missing column {exc}" if isinstance(exc, KeyError) else str(exc)
            out.append(Finding("fail", name, f"cannot check ({what})"))
    return out


def check_units() -> list[Finding]:
    """The same checks on the active units file (``--units`` / MODELLER_UNITS): how it was
    matched, validity, tiling, areas against the official ones, population, settlements.

    A file ``geodata.load`` refuses (a unit twice, units overlapping, a total area far
    from the official one, outlines away from Ukraine) is one failure saying why."""
    try:
        data = geodata.load()
    except InputError as exc:
        return [Finding("fail", "units", str(exc))]
    src = data.source
    out = [
        Finding(
            "ok",
            "units",
            f"{len(data.geometry)} units from {src.get('file', src['name'])} "
            f"(sha256 {src.get('sha256', '')[:16]}…), matched by {src.get('matched_by', '-')}",
        )
    ]
    units = {
        c: {
            "name_en": u.name_en,
            "area_official_km2": u.area_official_km2,
            "population_2022": u.population,
        }
        for c, u in data.units.items()
    }
    out += _check_validity(data.geometry)
    out += _check_tiling(data.geometry)
    out += _check_areas(units, data.geometry)
    out += _check_population(units)
    per_unit = {c: 0 for c in data.geometry}
    for s in data.settlements:
        per_unit[s.oblast] += 1
    empty = [c for c, n in per_unit.items() if n == 0]
    out.append(
        Finding("warn", "settlements", f"units without settlements: {', '.join(empty)}")
        if empty
        else Finding(
            "ok",
            "settlements",
            f"all {len(data.settlements):,} settlements re-assigned to the units that hold them",
        )
    )
    return out


def _read_units(folder: Path) -> dict[str, dict]:
    """units.csv's rows by code, each with its line in the file (``_line``)."""
    with open(folder / "units.csv", encoding="utf-8-sig") as fh:  # (a spreadsheet's BOM)
        reader = csv.DictReader(fh)
        rows = [{**row, "_line": reader.line_num} for row in reader]
    return _once([row["code"] for row in rows], rows, "units.csv")


def _read_shapes(folder: Path) -> dict[str, object]:
    """oblasts.geojson's outlines by code (working CRS); ValueError naming the file and
    the feature (or the place in the text) where it is not what the folder needs."""
    try:
        data = json.loads((folder / "oblasts.geojson").read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"oblasts.geojson is not JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ValueError("oblasts.geojson is not a FeatureCollection (no 'features' list)")
    codes, shapes = [], []
    for i, f in enumerate(features, 1):
        props = f.get("properties") if isinstance(f, dict) else None
        geometry = f.get("geometry") if isinstance(f, dict) else None
        if not isinstance(props, dict) or "code" not in props:
            raise ValueError(f"oblasts.geojson, feature {i}: no 'code' property")
        if not isinstance(props["code"], str):  # (5 or null had ended in a traceback)
            raise ValueError(
                f"oblasts.geojson, feature {i}: 'code' {json.dumps(props['code'])[:40]} is not "
                'a unit code in quotes, such as "UA-14" (as units.csv names it)'
            )
        if not isinstance(geometry, dict):
            raise ValueError(f"oblasts.geojson, feature {i} ({props['code']!s:.40}): no geometry")
        codes.append(props["code"])
        shapes.append(geodata.to_equal_area(shape(geometry)))
    return _once(codes, shapes, "oblasts.geojson")


def _figure(unit: dict, field: str, kind=float) -> float | int | None:
    """A number of a units.csv row (None when it is none: said by the caller)."""
    try:
        return kind(str(unit.get(field) or "0").strip())
    except ValueError:
        return None


def _not_a_number(unit: dict, field: str, what: str, check: str) -> Finding:
    return Finding(
        "fail",
        check,
        f"units.csv, line {unit.get('_line', '?')}: {field} {str(unit.get(field))[:40]!r} is "
        f"not {what}",
    )


def _once(codes: list, values: list, name: str) -> dict:
    """``{code: value}``; ValueError naming a code given twice (a dict had kept the last
    one without a word)."""
    seen: set = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{name} gives unit {str(code)[:40]!r} twice")
        seen.add(code)
    return dict(zip(codes, values, strict=True))


def _check_codes(units: dict, shapes: dict) -> list[Finding]:
    missing = sorted(units.keys() - shapes.keys())
    extra = sorted(shapes.keys() - units.keys())
    if missing or extra:
        return [
            Finding(
                "fail",
                "units",
                f"units without geometry: {', '.join(missing) or 'none'}; "
                f"geometry without a unit: {', '.join(extra) or 'none'}",
            )
        ]
    return [Finding("ok", "units", f"{len(units)} units, each with one geometry")]


def _reason(geom) -> str:
    """GEOS's reason a working-CRS geometry is invalid, its point as "near 28.12°E 49.20°N"."""
    reason = shapely.is_valid_reason(geom)
    at = re.search(r"\[([-+\d.eE]+) ([-+\d.eE]+)\]", reason)
    if at is None:
        return reason
    point = geodata.to_lonlat(shapely.Point(float(at[1]), float(at[2])))
    return f"{reason[: at.start()]} near {point.x:.2f}°E {point.y:.2f}°N"


def _is_area(geom) -> bool:
    """Whether a unit's geometry is an area at all (not a point, a line or nothing)."""
    return not geom.is_empty and geom.geom_type.endswith("Polygon")


def _check_validity(shapes: dict) -> list[Finding]:
    """Each unit (working CRS) an area, valid; where GEOS finds it invalid, the place in
    lon/lat (its metres had said nothing a user could look up)."""
    bad = [(c, _reason(g)) for c, g in shapes.items() if not shapely.is_valid(g)]
    bad += [  # a unit is an area: a point, a line or nothing is no outline of one
        (c, f"a {g.geom_type}{' (empty)' if g.is_empty else ''}, not an area")
        for c, g in shapes.items()
        if shapely.is_valid(g) and not _is_area(g)
    ]
    if bad:
        return [
            Finding("fail", "validity", f"{c}: invalid geometry ({reason})") for c, reason in bad
        ]
    return [Finding("ok", "validity", f"all {len(shapes)} geometries are valid")]


def _check_tiling(shapes: dict) -> list[Finding]:
    """Units must not overlap, and their union must have no holes (gaps between units)."""
    geoms = list(shapes.values())
    overlaps = unitchecks.unit_overlaps(shapes, OVERLAP_KM2)  # the check a units file must pass
    out = [
        Finding("fail", "overlaps", f"{a} and {b} overlap by {km2:,.1f} km²")
        for a, b, km2 in overlaps
    ]
    if not overlaps:
        out.append(
            Finding("ok", "overlaps", f"no two units overlap by more than {OVERLAP_KM2} km²")
        )
    found = unitchecks.gaps(shapely.union_all(geoms), geodata.water)  # as a units file's
    if found:
        km2, largest = found[0]
        out.append(
            Finding(
                "fail",
                "gaps",
                f"{len(found)} gap(s) between units inside the country, largest "
                f"{km2:,.1f} km² {geodata.place_text(largest)}, "
                f"{sum(k for k, _ in found):,.1f} km² in all",
            )
        )
    else:
        out.append(
            Finding("ok", "gaps", f"no gap between units above {OVERLAP_KM2} km² (lakes aside)")
        )
    return out


def _check_areas(units: dict, shapes: dict) -> list[Finding]:
    out = []
    total = official = 0.0
    for code, g in shapes.items():
        km2 = float(geodata.area_km2(g))
        ref = _figure(units[code], "area_official_km2")
        name = f"{units[code]['name_en']} ({code})"
        total += km2
        if ref is None:
            out.append(_not_a_number(units[code], "area_official_km2", "a number of km²", "area"))
            continue
        if not (math.isfinite(ref) and ref > 0):  # (0 had ended doctor in a traceback, NaN
            # had passed unsaid, inf as a warning)
            out.append(Finding("fail", "area", f"{name}: official area {ref!r} is no area in km²"))
            continue
        official += ref
        err = km2 / ref - 1
        if abs(err) > AREA_FAIL:
            out.append(
                Finding(
                    "fail", "area", f"{name}: {km2:,.0f} km² vs official {ref:,.0f} ({err:+.0%})"
                )
            )
        elif abs(err) > AREA_WARN:
            out.append(
                Finding(
                    "warn", "area", f"{name}: {km2:,.0f} km² vs official {ref:,.0f} ({err:+.1%})"
                )
            )
    err = total / geodata.OFFICIAL_AREA_KM2 - 1
    level = "ok" if abs(err) <= 0.02 else "fail"
    out.append(
        Finding(
            level,
            "area",
            f"total {total:,.0f} km² vs official {geodata.OFFICIAL_AREA_KM2:,} ({err:+.2%}; "
            f"the units' official areas sum to {official:,.0f})",
        )
    )
    return out


def _check_population(units: dict) -> list[Finding]:
    out = []
    pops = {c: _figure(u, "population_2022", int) for c, u in units.items()}
    bad = [c for c, n in pops.items() if n is None]
    if bad:
        what = "a whole number"
        return [_not_a_number(units[c], "population_2022", what, "population") for c in bad]
    for code, n in pops.items():
        if n <= 0:
            out.append(Finding("fail", "population", f"{code}: population {n} (must be > 0)"))
    ukrstat = sum(n for c, n in pops.items() if c not in UKRSTAT_EXCLUDES)
    if ukrstat != UKRSTAT_TOTAL_2022:
        out.append(
            Finding(
                "fail",
                "population",
                f"units outside Crimea and Sevastopol sum to {ukrstat:,}, not Ukrstat's "
                f"national total {UKRSTAT_TOTAL_2022:,} (1 Jan 2022): a typo in units.csv?",
            )
        )
    else:
        out.append(
            Finding(
                "ok",
                "population",
                f"units sum to Ukrstat's {UKRSTAT_TOTAL_2022:,} (1 Jan 2022) plus "
                f"{sum(pops[c] for c in UKRSTAT_EXCLUDES & pops.keys()):,} for Crimea and "
                f"Sevastopol (OCHA COD-PS); {sum(pops.values()):,} in all",
            )
        )
    return out


def _check_settlements(folder: Path, units: dict, shapes: dict) -> list[Finding]:
    """Settlements lie in (or within 5 km of) their oblast; GeoNames never exceeds Ukrstat."""
    try:
        with open(folder / "settlements.csv", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        return [Finding("fail", "settlements", f"cannot read settlements.csv: {exc}")]
    if not rows:  # (every unit had been a warning, and the folder passed)
        return [Finding("fail", "settlements", "settlements.csv lists no settlement")]
    out = []
    far = []
    unchecked = sum(1 for r in rows if r["oblast"] not in shapes)  # of units not in the folder
    if unchecked:
        out.append(
            Finding(
                "fail", "settlements", f"{unchecked:,} settlements lie in no unit of the folder"
            )
        )
    for code, g in shapes.items():
        mine = [r for r in rows if r["oblast"] == code]
        if not mine:
            out.append(Finding("warn", "settlements", f"{code}: no settlements"))
            continue
        lon = np.array([_number(r["lon"]) for r in mine])
        lat = np.array([_number(r["lat"]) for r in mine])
        odd = ~(np.isfinite(lon) & np.isfinite(lat))  # NaN, inf, text: no place at all
        for i in np.flatnonzero(odd)[:10]:
            where = f"lon {mine[i]['lon']!r:.20}, lat {mine[i]['lat']!r:.20}"
            out.append(Finding("fail", "settlements", f"{mine[i]['name']} has no place: {where}"))
        mine = [r for r, bad in zip(mine, odd, strict=True) if not bad]
        lon, lat = lon[~odd], lat[~odd]
        pts = geodata.to_equal_area(shapely.points(np.column_stack([lon, lat])))
        d = shapely.distance(g, pts)
        far += [(mine[i]["name"], code, d[i] / 1000) for i in np.flatnonzero(d > 5_000)]
    for name, code, km in sorted(far, key=lambda x: -x[2])[:10]:
        out.append(Finding("warn", "settlements", f"{name} lies {km:,.0f} km outside {code}"))
    if not far and not any(f.level == "fail" for f in out):  # (unchecked ones fail too)
        out.append(
            Finding(
                "ok", "settlements", f"all {len(rows):,} settlements within 5 km of their oblast"
            )
        )
    return out


def _number(text: str) -> float:
    """A coordinate of settlements.csv; NaN when it is none."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


def check_baseline(spec: str) -> list[Finding]:
    """The baseline loads, and what it holds (its own doubts, such as a boundaries file
    given as a baseline, as warnings)."""
    from . import baselines

    try:
        base = baselines.load_baseline(spec)
    except InputError as exc:
        return [Finding("fail", "baseline", str(exc))]
    areas = base.areas_km2
    held = {}
    for piece, km2 in zip(base.pieces, areas, strict=True):
        held[piece.before] = held.get(piece.before, 0.0) + km2
    shares = ", ".join(f"{s} {km2 / areas.sum():.1%}" for s, km2 in sorted(held.items()))
    out = [Finding("ok", "baseline", f"{base.baseline.label} loads: {shares} of the units")]
    return out + [Finding("warn", "baseline", w) for w in base.warnings]


def check_scenarios(loaded: list, baseline_spec: str | None) -> list[Finding]:
    """Every scenario applies cleanly, every step selects something, and areas add up."""
    out = []
    cache = runs.BaselineCache()
    if baseline_spec is not None and named(baseline_spec) != OWN:  # (each scenario's date)
        try:  # the map every scenario is applied to: its own fault, said once as such
            cache.get(named(baseline_spec))
        except InputError as exc:
            return [Finding("fail", "baseline", str(exc))]
    for path, sc in loaded:
        try:
            applied = runs.apply_one(path, sc, baseline_spec, cache)
        except InputError as exc:
            # where run says it: the file and line of the step (or the file's own)
            at = f"{exc.file}:{exc.line}" if exc.file and exc.line else exc.file or path
            out.append(Finding("fail", "scenario", f"{sc.id} ({at}): {exc.message}"))
            continue
        base, result = applied.base, applied.partition
        for w in result.warnings:
            out.append(Finding("warn", "scenario", f"{sc.id}: {w}"))
        diff = abs(result.total_km2 - base.total_km2)
        if diff > 1e-3:
            out.append(
                Finding(
                    "fail", "scenario", f"{sc.id}: pieces add up to {diff:.3f} km² off the units"
                )
            )
        if not result.warnings and diff <= 1e-3:
            n = len(sc.numbered_steps)
            steps = (
                "no steps"
                if n == 0
                else "its step selects land"
                if n == 1
                else f"each of its {n} steps selects land"
            )
            out.append(
                Finding(
                    "ok",
                    "scenario",
                    f"{sc.id}: {steps} on {base.baseline.label}; areas add up",
                )
            )
    return out
