"""The hromada files of ``--population``, read and checked: against themselves, and
against the units whose totals they replace.

What is read, and refused (InputError: file, line, what is wrong, what is valid): the CSV
is UTF-8 (a BOM is fine), separated by commas (';' or tabs are read too), one row per
hromada with a KATOTTG code (or ``NA``, the table's row for Kyiv city) and a
non-negative whole number of people; the table may not add up to 0 nor to more than
twice Ukraine's 1 Jan 2022 population. The geometry is a GeoJSON FeatureCollection of
Polygon/MultiPolygon features with the code in ``COD_3``; some of its outlines must
match the table. A unit with one matched outline or more is placed by hromada, so it must
be covered whole: every hromada of the unit outlined in the file is listed, at least
``MIN_OUTLINED`` of its people are in hromadas with an outline, and its hromadas add up
to within ``UNIT_FACTOR`` of the unit total (a lost or mistyped row would move people
between oblasts). Units with no matched outline keep their unit totals, as Crimea,
Sevastopol and Kyiv city do with the shared files, unless the file outlines hromadas of a
unit the table lists under other codes (another edition: every row of it unread). Each
outline lies in the oblast its code names (within ``PLACED_M``), no two overlap by more
than ``OVERLAP_KM2``, and the file is not moved as a whole (``SHIFT_KM``): each would move
people between oblasts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely

from . import geodata, unitchecks
from .errors import InputError
from .hromada_files import (
    CODE_COLUMN,
    KATOTTG_TO_ISO,
    NO_CODE,
    files,
    iso_of_katottg,
    read_outlines,
    read_table,
)

# a covered unit's hromadas vs its official total: a row lost or mistyped (Kramatorsk ×10
# moved Donetsk by +40 % and tripled a headline within the factor of 2 this had been)
UNIT_FACTOR = (0.8, 1.2)
MIN_OUTLINED = 0.9  # share of a covered unit's people in hromadas with an outline
MIN_COVER = 0.75  # share of a covered unit's area under its hromada outlines (shared: 90 %+)
# how far from its own oblast's unit a point of a hromada's outline may lie: exclaves are
# real (Slavutych, of Kyiv oblast, lies 31 km inside Chernihiv oblast), a swap or a shift
# of the coordinates moves an outline hundreds of km
PLACED_M = 50_000.0
# no two outlines overlapping by more than this (shared borders of one source: ~0 km²;
# an outline given twice, under two codes, counts its land and its people twice)
OVERLAP_KM2 = 1.0
# the median (east, north) offset of the oblasts' hromada centres from their units'
# centres (the shared hromada outlines: 0.5 km over 24 oblasts; one oblast alone up to
# 10 km, Kyiv oblast around the city): a file moved as a whole moves every oblast's
# people across the line
SHIFT_KM = 3.0


@dataclass(frozen=True)
class Source:
    """A checked hromada source: what ``read`` gives, plus what the checks need."""

    codes: list[str]  # hromadas with an outline, in the geometry file's order
    geoms: list  # their outlines, working CRS
    people: dict[str, int]  # population by code (every row of the table)
    lines: dict[str, int]  # the table's line of every code
    outlined: frozenset[str]  # every code with an outline in the geometry file
    geometry: Path
    table: Path


@cache
def source(path: Path) -> Source:
    """The hromada files under ``path``, read and checked on their own (``check`` adds the
    checks against the units); InputError naming the file, line and what would be valid."""
    geometry, table = files(path)
    people, lines = read_table(table)
    outlines, outlined = read_outlines(geometry, set(people))
    if not outlines:
        mine = ", ".join(list(people)[:3])
        theirs = ", ".join(sorted(outlined)[:3]) or "none"
        raise InputError(
            f"no hromada of {table.name} has an outline here: none of its "
            f"{len(people):,} hromada_code values (e.g. {mine}) is the COD_3 of a feature "
            f"(COD_3 values here, e.g.: {theirs}); expected the KATOTTG hromada codes of the "
            "table in the property COD_3",
            str(geometry),
        )
    codes = list(outlines)
    geoms = [g[0] if len(g) == 1 else shapely.union_all(g) for g in outlines.values()]
    return Source(codes, geoms, people, lines, frozenset(outlined), geometry, table)


def check(src: Source, data: geodata.Geodata) -> None:
    """InputError unless every unit the source covers (one hromada outline or more) is
    covered whole: every outlined hromada of the unit listed, most of its people in
    hromadas with an outline, and its hromadas adding up to within ``UNIT_FACTOR`` of the
    unit's total (these hromada totals replace the unit total)."""
    for code, n in src.lines.items():
        if code != NO_CODE and iso_of_katottg(code) not in data.units:
            raise InputError(
                f"{CODE_COLUMN} {code}: {code[:4]} is no oblast of Ukraine's KATOTTG "
                f"(expected one of {', '.join(_prefixes(data))})",
                str(src.table),
                n,
            )
    _check_placed(src, data)
    _check_overlaps(src)
    _check_shift(src, data)
    by_unit: dict[str, list[str]] = {}
    for code in src.people:
        by_unit.setdefault(iso_of_katottg(code), []).append(code)
    _check_unmatched(src, data, by_unit)
    for unit in covered(src):
        listed = by_unit[unit]
        label = data.units[unit].label
        outlined = sorted(c for c in src.outlined if iso_of_katottg(c) == unit)
        missing = [c for c in outlined if c not in src.people]
        if missing:
            raise InputError(
                f"lists {len(outlined) - len(missing)} of the {len(outlined)} hromadas of "
                f"{label} outlined in {src.geometry.name}; missing {len(missing):,} "
                f"(e.g. {', '.join(missing[:3])}): list every hromada of an oblast, or none "
                "of it to keep the oblast's own total",
                str(src.table),
            )
        total = sum(src.people[c] for c in listed)
        inside = sum(src.people[c] for c in listed if c in src.outlined)
        if inside < MIN_OUTLINED * total:
            without = [c for c in listed if c not in src.outlined]
            raise InputError(
                f"only {inside:,} of the {total:,} people listed for {label} are in hromadas "
                f"with an outline in {src.geometry.name} ({len(without):,} hromadas have "
                f"none, e.g. {', '.join(without[:3])}); expected at least "
                f"{MIN_OUTLINED:.0%}, else the people cannot be placed by hromada",
                str(src.table),
            )
        _check_cover(src, unit, data)
        unit_total = data.units[unit].population
        low, high = UNIT_FACTOR
        if not low * unit_total <= total <= high * unit_total:
            big = max(listed, key=src.people.__getitem__)
            raise InputError(
                f"the hromadas of {label} add up to {total:,} people, against its unit "
                f"total of {unit_total:,} ({total / unit_total - 1:+.0%}); expected within "
                f"{high - 1:.0%} of it (a row missing or mistyped?); its largest, {big}, has "
                f"{src.people[big]:,}",
                str(src.table),
                src.lines[big],
            )


def _check_cover(src: Source, unit: str, data: geodata.Geodata) -> None:
    """InputError unless the unit's hromada outlines cover ``MIN_COVER`` of it: hromadas
    left out of both files pass every other check (41 of Donetsk's 66 had: 16 % of its
    people gone, its rural people crowded into the rest, without a word). The shared
    files cover 90-100 % (Kyiv oblast 90 %: the exclusion zone has no hromada)."""
    shape = data.geometry[unit]
    mine = [g for c, g in zip(src.codes, src.geoms, strict=True) if iso_of_katottg(c) == unit]
    cover = shapely.area(shapely.intersection(shapely.union_all(mine), shape)) / shape.area
    if cover < MIN_COVER:
        label = data.units[unit].label
        raise InputError(
            f"the {len(mine):,} hromada outlines of {label} cover {cover:.0%} of it; expected "
            f"at least {MIN_COVER:.0%} (hromadas missing from both the table and the "
            "outlines?): list every hromada of an oblast, or none of it to keep the "
            "oblast's own total",
            str(src.geometry),
        )


def _check_placed(src: Source, data: geodata.Geodata) -> None:
    """InputError unless every outline lies in its own oblast (the one its code names):
    an outline given as [lat, lon], moved, or covering the world would take its people
    out of their oblast without a word. Within ``PLACED_M`` of the unit (exclaves, and
    embedded units coarser than hromada outlines), and no larger than the unit."""
    units = [iso_of_katottg(c) for c in src.codes]
    known = [i for i, u in enumerate(units) if u in data.geometry]
    if not known:
        return
    shapes = np.array([data.geometry[units[i]] for i in known], dtype=object)
    geoms = np.array([src.geoms[i] for i in known], dtype=object)
    flat = np.flatnonzero(shapely.is_empty(geoms) | (shapely.area(geoms) <= 0))
    if len(flat):  # its people would be placed nowhere (or at a point of no land)
        raise InputError(
            f"hromada {src.codes[known[int(flat[0])]]}'s outline has no area (its corners "
            "lie on one line, or repairing it left nothing): give its outline as a ring of "
            "[lon, lat] around the hromada, or leave the feature out",
            str(src.geometry),
        )
    shapely.prepare(shapes)
    # every part on its own: an outline given under another hromada's code is united with
    # that hromada's own, whose point alone had vouched for both (200 km away, no word)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    points = shapely.point_on_surface(parts)
    placed_part = shapely.dwithin(shapes[owner], points, PLACED_M)
    placed = np.ones(len(geoms), dtype=bool)
    placed[owner[~placed_part]] = False
    placed &= shapely.area(geoms) <= shapely.area(shapes)
    if placed.all():
        return
    k = int(np.flatnonzero(~placed)[0])
    code, unit = src.codes[known[k]], units[known[k]]
    label = data.units[unit].label
    stray = np.flatnonzero((owner == k) & ~placed_part)
    point = points[stray[0]] if len(stray) else shapely.point_on_surface(geoms[k])
    lon, lat = shapely.get_coordinates(geodata.to_lonlat(point))[0]
    away = float(shapely.distance(shapes[k], point)) / 1000
    where = f"{away:,.0f} km outside {label}" if away else f"larger than all of {label}"
    raise InputError(
        f"hromada {code}'s outline lies {where}, the oblast its code names (a point of it: "
        f"lon {lon:.2f}, lat {lat:.2f}): check its coordinates ([lon, lat] in degrees, "
        "EPSG:4326)",
        str(src.geometry),
    )


def _check_overlaps(src: Source) -> None:
    """InputError naming the two hromadas whose outlines overlap most, if by more than
    ``OVERLAP_KM2``: an outline given twice would place its people twice."""
    geoms = np.array(src.geoms, dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return
    km2 = shapely.area(shapely.intersection(geoms[left], geoms[right])) / 1e6
    k = int(np.argmax(km2))
    if km2[k] <= OVERLAP_KM2:
        return
    a, b = sorted([src.codes[left[k]], src.codes[right[k]]])
    more = int((km2 > OVERLAP_KM2).sum()) - 1
    raise InputError(
        f"the outlines of hromadas {a} and {b} overlap by {km2[k]:,.1f} km²"
        + (f" ({more:,} more pairs overlap)" if more else "")
        + f"; outlines must not overlap by more than {OVERLAP_KM2:g} km²: is one hromada "
        "drawn twice, or with its neighbour's outline?",
        str(src.geometry),
    )


def _check_shift(src: Source, data: geodata.Geodata) -> None:
    """InputError if the outlines are moved as a whole: over the oblasts outlined whole
    (their hromadas' area within 10 % of the unit's), the median offset of their
    hromadas' centre from the unit's centre is over ``SHIFT_KM`` (as for a units file).

    Notes
    -----
    The centre of an oblast's hromadas is their area-weighted mean centroid,
    :math:`\\bar c = \\sum_i a_i c_i / \\sum_i a_i`, the centroid of their union when
    they do not overlap (checked first).
    """
    geoms = np.array(src.geoms, dtype=object)
    area = shapely.area(geoms)
    centre = shapely.get_coordinates(shapely.centroid(geoms))
    units = np.array([iso_of_katottg(c) for c in src.codes])
    ours, theirs = [], []
    for unit in sorted(set(units) & set(data.geometry)):
        k = units == unit
        shape = data.geometry[unit]
        if not 0.9 <= area[k].sum() / shape.area <= 1.1:
            continue  # part of the oblast outlined: its centre is elsewhere
        ours.append((centre[k] * area[k, None]).sum(axis=0) / area[k].sum())
        theirs.append(shapely.get_coordinates(shapely.centroid(shape))[0])
    if len(ours) < 3:  # too few oblasts to tell a shift from their own shapes
        return
    km, words = unitchecks.median_shift(ours, theirs)
    if km <= SHIFT_KM:
        return
    raise InputError(
        f"the hromada outlines lie {km:.1f} km ({words}) from the oblasts their codes name "
        f"(the median over {len(ours)} oblasts outlined whole); expected within "
        f"{SHIFT_KM:g} km: is the file moved, or in another datum? It needs lon/lat "
        "degrees (EPSG:4326)",
        str(src.geometry),
    )


def _check_unmatched(src: Source, data: geodata.Geodata, by_unit: dict[str, list[str]]) -> None:
    """InputError for a unit the table lists and the geometry file outlines, where no
    listed code has an outline: the table's codes are another edition or format than the
    file's, and the unit would quietly keep its unit total (every row of it unread)."""
    placed = set(covered(src))
    for unit, listed in by_unit.items():
        if unit in placed or unit not in data.units:
            continue
        theirs = sorted(c for c in src.outlined if iso_of_katottg(c) == unit)
        if not theirs:  # (a file without this unit's outlines: its unit total, said)
            continue
        label = data.units[unit].label
        raise InputError(
            f"none of the {len(listed):,} hromadas listed for {label} has an outline in "
            f"{src.geometry.name}: its codes (e.g. {', '.join(listed[:2])}) are no feature's "
            f"COD_3, while the file outlines {len(theirs):,} hromadas of {label} (e.g. "
            f"{', '.join(theirs[:2])}); give the table the outline file's codes (another "
            f"KATOTTG edition?), or leave out the rows of {label} to keep its unit total",
            str(src.table),
            src.lines[listed[0]],
        )


def covered(src: Source) -> list[str]:
    """Units placed by hromada: those with one hromada outline or more (sorted)."""
    return sorted({iso_of_katottg(c) for c in src.codes})


def _prefixes(data: geodata.Geodata) -> list[str]:
    iso_to = {v: k for k, v in KATOTTG_TO_ISO.items()}
    return sorted(iso_to.get(c, f"UA{c[3:]}") for c in data.units)
