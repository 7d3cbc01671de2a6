"""Reading the two hromada files of a ``--population`` folder, every row and feature
checked on its own: the population CSV (KATOTTG code, 1 Jan 2022 people) and the GeoJSON
outlines (KATOTTG code in ``COD_3``). ``hromadas`` checks them against the units and
places the people."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import stat
from pathlib import Path

import shapely
from shapely.geometry import shape

from . import geodata, inputs, jsonerrors
from .errors import InputError
from .positions import check_crs, json_kind, lines_of, strict_json
from .regions import repaired

GEOMETRY = Path("boundaries/ua_hromadas_simplified_vadymnes.geojson")
POPULATION = Path("population/kse_ua-pop-2022_hromada.csv")
CODE_COLUMN, VALUE_COLUMN = "hromada_code", "total_population_2022"
URBAN_COLUMN = "urban_population_2022"  # KSE's file has it: checked against the total
THOUSANDS = re.compile("\\d{1,3}(?:[, \u00a0\u202f]\\d{3})+")  # 9,361 · 9 361 (no-break spaces too)
DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")  # 150.000: a decimal point, or thousands?
DELIMITERS = (",", ";", "\t")  # Excel writes ';' where the decimal mark is a comma
KATOTTG = re.compile(r"UA\d{17}")
NO_CODE = "NA"  # the KSE table's row for Kyiv city, which has no hromada (nor outline)
UKRAINE_2022 = 41_167_335  # Ukrstat present population 1 Jan 2022 (without Crimea)
MAX_PEOPLE = 2 * UKRAINE_2022  # a table adding up to more is not of Ukraine's hromadas
# KATOTTG oblast prefix -> ISO 3166-2:UA where the two digits differ (Crimea, Luhansk,
# Chernivtsi, Kyiv city, Sevastopol); otherwise UA-<digits>.
KATOTTG_TO_ISO = {
    "UA01": "UA-43",
    "UA44": "UA-09",
    "UA73": "UA-77",
    "UA80": "UA-30",
    "UA85": "UA-40",
}


def iso_of_katottg(code: str) -> str:
    """ISO 3166-2:UA code of the oblast a KATOTTG hromada code belongs to."""
    prefix = code[:4]
    return KATOTTG_TO_ISO.get(prefix, f"UA-{prefix[2:4]}")


def files(path: Path, setting: str = "--population") -> tuple[Path, Path]:
    """The two files under ``path``; InputError naming what is missing (and ``setting``,
    where the folder was given)."""
    path = inputs.home(path, f"{setting} {str(path)[:80]!r}")
    try:
        folder = stat.S_ISDIR(path.stat().st_mode)
        what = "not a folder"
    except FileNotFoundError:
        folder, what = False, "no such folder"
    except (OSError, RuntimeError, ValueError) as exc:  # too long a name, a loop of links
        raise InputError(f"cannot read this folder: {inputs.reason(exc)}", str(path)) from None
    if not folder:
        raise InputError(
            f"{what}; {setting} needs a folder with "
            f"{GEOMETRY} and {POPULATION} (as the shared data folder beside a modeller "
            f"checkout has them){_above(path)}",
            str(path),
        )
    for p in (GEOMETRY, POPULATION):
        try:
            (path / p).stat()
        except FileNotFoundError:
            continue  # (said below, with the other file if it is missing too)
        except (OSError, RuntimeError, ValueError) as exc:  # a loop of links, too long a name
            raise InputError(f"cannot read {p}: {inputs.reason(exc)}", str(path)) from None
    missing = [str(p) for p in (GEOMETRY, POPULATION) if not (path / p).exists()]
    if missing:
        raise InputError(
            f"missing {' and '.join(missing)} (hromada population source){_above(path)}",
            str(path),
        )
    return path / GEOMETRY, path / POPULATION


def _above(path: Path) -> str:
    """'; give … instead' where ``path`` is one of the two files, or the folder of one
    (``boundaries/``, ``population/``), inside a folder that has both."""
    for p in (GEOMETRY, POPULATION):
        for top in (path.parent.parent, path.parent):
            if path in (top / p, top / p.parent) and all(
                (top / q).is_file() for q in (GEOMETRY, POPULATION)
            ):
                name = "the current folder (.)" if str(top) == "." else inputs.shown(top)
                return f"; give {name} instead: it has both"
    return ""


def read_table(table: Path) -> tuple[dict[str, int], dict[str, int]]:
    """(people by code, line by code) of the population CSV, every row checked."""
    text = inputs.read_text(table, "hromada population CSV")  # a BOM is fine
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]  # old Mac files end lines with \r
    if not first.strip():
        raise InputError(
            f"empty; expected a header {CODE_COLUMN},{VALUE_COLUMN} and one row per hromada",
            str(table),
            1,
        )
    delimiter = next(
        (d for d in DELIMITERS if {CODE_COLUMN, VALUE_COLUMN} <= set(_header(first, d))), None
    )
    if delimiter is None:
        found = _header(first, ",")
        raise InputError(
            f"expected the columns {CODE_COLUMN} and {VALUE_COLUMN} in the header "
            f"(comma-separated; ';' and tabs are read too); found: "
            f"{', '.join(repr(f) for f in found[:12])}",
            str(table),
            1,
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    people: dict[str, int] = {}
    lines: dict[str, int] = {}
    try:
        header = [h.strip().lower() for h in next(reader)]
        for name in (CODE_COLUMN, VALUE_COLUMN, URBAN_COLUMN):
            if header.count(name) > 1:
                at = " and ".join(str(i + 1) for i, h in enumerate(header) if h == name)
                raise InputError(
                    f"the column {name} appears more than once (columns {at}): which one is "
                    "meant? Keep one of them",
                    str(table),
                    1,
                )
        ci, vi = header.index(CODE_COLUMN), header.index(VALUE_COLUMN)
        ui = header.index(URBAN_COLUMN) if URBAN_COLUMN in header else None
        last = reader.line_num
        for row in reader:
            n, start, last = reader.line_num, last + 1, reader.line_num
            if n > start and any("\n" in cell or "\r" in cell for cell in row):
                raise InputError(
                    f"a quoted field opened on this line runs on to line {n}: is its closing "
                    'quote (") missing? A row of the table is one line',
                    str(table),
                    start,
                )
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(row) <= max(ci, vi):
                raise InputError(
                    f"{len(row)} field(s) where the header has {len(header)}; expected "
                    f"{CODE_COLUMN} and {VALUE_COLUMN} on every row",
                    str(table),
                    n,
                )
            if any(cell.strip() for cell in row[len(header) :]):
                raise InputError(
                    f"{len(row)} fields where the header has {len(header)}: the columns would "
                    f'shift; a number with a thousands separator must be quoted ("180,922") '
                    "or written without it (180922)",
                    str(table),
                    n,
                )
            code = row[ci].strip().upper()
            if not (KATOTTG.fullmatch(code) or code == NO_CODE):
                raise InputError(
                    f"{CODE_COLUMN} {row[ci]!r} is not a KATOTTG hromada code; expected UA "
                    f"and 17 digits (e.g. UA05020010000053508), or {NO_CODE}",
                    str(table),
                    n,
                )
            if code in people:
                raise InputError(
                    f"hromada {code} is listed twice (first on line {lines[code]}); "
                    "expected each hromada once",
                    str(table),
                    n,
                )
            people[code] = _people(row[vi], code, str(table), n)
            lines[code] = n
            if ui is not None and len(row) > ui and row[ui].strip():
                urban = _people(row[ui], code, str(table), n, URBAN_COLUMN)
                if urban > people[code]:
                    raise InputError(
                        f"hromada {code} has {urban:,} urban people ({URBAN_COLUMN}) but "
                        f"{people[code]:,} in all ({VALUE_COLUMN}): the total must include "
                        "the urban people; check the row",
                        str(table),
                        n,
                    )
    except csv.Error as exc:
        raise InputError(f"not a readable CSV ({exc})", str(table), reader.line_num) from None
    if not people:
        raise InputError(
            f"no hromada rows under the header; expected one row per hromada "
            f"({CODE_COLUMN},{VALUE_COLUMN}, e.g. UA05020010000053508,9361)",
            str(table),
        )
    total = sum(people.values())
    if total == 0:
        raise InputError(
            f"every {VALUE_COLUMN} is 0: nothing to place people by; expected the "
            "hromadas' people on 1 Jan 2022",
            str(table),
        )
    if total > MAX_PEOPLE:
        big = max(people, key=people.__getitem__)
        raise InputError(
            f"the hromadas add up to {total:,} people, more than twice Ukraine's "
            f"({UKRAINE_2022:,} on 1 Jan 2022); the largest, {big}, has {people[big]:,}",
            str(table),
            lines[big],
        )
    return people, lines


def _header(line: str, delimiter: str) -> list[str]:
    return [h.strip().lower() for h in next(csv.reader([line], delimiter=delimiter), [])]


def _people(text: str, code: str, table: str, n: int, column: str = VALUE_COLUMN) -> int:
    """A hromada's people: a non-negative whole number (``9361``, ``9361.0``, or grouped in
    thousands, ``"9,361"`` quoted as the column-shift error advises, ``9 361`` or
    ``1.509.515``); ``150.000`` is refused: 150, or 150,000 written the German way?"""
    valid = "expected a non-negative whole number of people (e.g. 9361)"
    raw = text.strip()
    said = repr(raw if len(raw) <= 24 else raw[:23] + "…")  # (a cell of 5,000 digits)
    if THOUSANDS.fullmatch(raw) or (DOT_THOUSANDS.fullmatch(raw) and raw.count(".") > 1):
        raw = re.sub(r"[^\d]", "", raw)  # (1.509.515: dots between thousands, no doubt)
    elif DOT_THOUSANDS.fullmatch(raw):  # '150.000': 150, or 150,000 written the German way?
        grouped, number = int(raw.replace(".", "")), float(raw)
        if number != round(number):  # (387.439: no whole number of people as a decimal)
            raise InputError(
                f"{column} {said} of {code} has a dot between thousands (as a decimal, "
                f"{number:g} would be no whole number of people); write it without the "
                f"dot: {grouped}",
                table,
                n,
            )
        raise InputError(
            f"{column} {said} of {code} reads as {number:g} with a decimal point "
            f"or as {grouped:,} with a dot between thousands; write it without either "
            f"({grouped} or {round(number)})",
            table,
            n,
        )
    try:
        value = int(raw.replace("_", "x"))  # (Python reads "9_361"; no spreadsheet writes it)
    except ValueError:
        try:
            number = float(raw.replace("_", "x"))
        except ValueError:
            raise InputError(
                f"{column} {said} of {code} is not a number; {valid}", table, n
            ) from None
        if not math.isfinite(number) or number != round(number):
            what = "a whole number" if math.isfinite(number) else "a finite number"
            raise InputError(
                f"{column} {said} of {code} is not {what}; {valid}", table, n
            ) from None
        value = int(number)
    shown = f"{value:,}" if abs(value) < 10**15 else _huge(value)
    if value < 0:
        raise InputError(f"{column} {shown} of {code} is negative; {valid}", table, n)
    if value > MAX_PEOPLE:
        raise InputError(
            f"{column} {shown} of {code} is more than twice Ukraine's population "
            f"({UKRAINE_2022:,} on 1 Jan 2022); {valid}",
            table,
            n,
        )
    if "e" in raw.lower():  # '1.8E+05': what a spreadsheet shows of 180922 in a narrow column
        raise InputError(
            f"{column} {said} of {code} is written with an exponent ({shown}), as a "
            "spreadsheet shows a number too wide for its column and may save it, digits "
            f"lost; write the count in full; {valid}",
            table,
            n,
        )
    return value


def _huge(value: int) -> str:
    """A whole number too long to show digit by digit: '1e+300', or '(a 309-digit
    number)' past what a float holds."""
    try:
        return f"{float(value):.3g}"
    except OverflowError:
        digits = len(str(abs(value)))
        return f"(a {digits:,}-digit {'negative ' if value < 0 else ''}number)"


def read_outlines(geometry: Path, wanted: set[str]) -> tuple[dict[str, list], set[str]]:
    """({code: [working-CRS outline, ...]} of the wanted hromadas in file order, every code
    with an outline) of the hromada GeoJSON FeatureCollection."""
    expected = (
        "expected a GeoJSON FeatureCollection of hromada outlines (Polygon or MultiPolygon "
        "features with the KATOTTG code in the property COD_3)"
    )
    text = inputs.read_text(geometry, "GeoJSON", fix="export the outlines as GeoJSON, this name")
    try:
        doc = strict_json(text)
    except json.JSONDecodeError as exc:
        line, what = jsonerrors.explain(text, exc)
        raise InputError(f"not valid JSON ({what}); {expected}", str(geometry), line) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not valid JSON ({exc}); {expected}", str(geometry)) from None
    check_crs(doc, str(geometry))  # (as units and baseline files: it had been ignored)
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or doc.get("type", "FeatureCollection") != (
        "FeatureCollection"
    ):
        raise InputError(f"{json_kind(doc)}; {expected}", str(geometry))
    if not features:
        raise InputError(f"a FeatureCollection without features; {expected}", str(geometry))
    with lines_of(text):  # an error naming "feature N" gets the line where it starts
        return _outlines(features, wanted, geometry, expected)


def _outlines(features: list, wanted, geometry: Path, expected: str) -> tuple[dict, set]:
    """(working-CRS outlines of the ``wanted`` codes, every code with an outline)."""
    outlines: dict[str, list] = {}
    outlined: set[str] = set()
    for i, f in enumerate(features, start=1):
        if not isinstance(f, dict):
            raise InputError(f"feature {i} is {json_kind(f)}; {expected}", str(geometry))
        props = f.get("properties")
        code = props.get("COD_3") if isinstance(props, dict) else None
        g = f.get("geometry")
        if not isinstance(code, str) or not g:
            continue
        code = code.strip().upper()
        try:
            geom = shape(g)
        except Exception as exc:  # noqa: BLE001 - shapely raises many kinds on bad GeoJSON
            raise InputError(
                f"feature {i} ({code}): its geometry is not valid GeoJSON ({exc}); {expected}",
                str(geometry),
            ) from None
        if geom.is_empty:
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(
                f"feature {i} ({code}) is a {geom.geom_type}; {expected}", str(geometry)
            )
        x0, y0, x1, y1 = geom.bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):  # also NaN
            bad = next(
                (xy for xy in shapely.get_coordinates(geom).tolist() if not _lonlat(*xy)),
                (x0, y0),
            )
            raise InputError(
                f"feature {i} ({code}): a position [{bad[0]:.6g}, {bad[1]:.6g}] is not "
                "[longitude, latitude] in degrees (metres, e.g. EPSG:3857?); hromada "
                "outlines must be lon/lat (EPSG:4326): reproject, e.g. ogr2ogr -t_srs "
                "EPSG:4326",
                str(geometry),
            )
        outlined.add(code)
        if code in wanted:
            geom = geodata.to_equal_area(repaired(geom))
            outlines.setdefault(code, []).append(geom)
    return outlines, outlined


def _lonlat(x: float, y: float) -> bool:
    return -180 <= x <= 180 and -90 <= y <= 90
