"""A better population source: hromada outlines and their 1 Jan 2022 populations.

``--population PATH`` (or ``MODELLER_POPULATION``) names a folder laid out like the
shared data folder::

    PATH/boundaries/ua_hromadas_simplified_vadymnes.geojson   (KATOTTG code in COD_3)
    PATH/population/kse_ua-pop-2022_hromada.csv               (hromada_code, total_population_2022)

Nothing of these files is embedded. With them, each hromada's total is placed inside it by
the same method as a unit's total (``modeller.population``)::

    w(sub-point of town j in h) = k_h · pop_j / n_j,          k_h = min(1, P_h / S_h)
    w(rural point i in h)       = R_h · q_i / Σ_{i' in h} q_i', R_h = P_h − k_h · S_h

A town belongs to the hromada holding its GeoNames point (its whole footprint follows),
a rural point to the hromada holding it; points in no hromada go to the nearest hromada of
their unit. Units the hromada tables do not cover (Crimea, Sevastopol; Kyiv city, which
has no outline in the file) keep their unit totals, and the people of hromadas without an
outline are spread over their unit's points as the unit model spreads them. A hromada
with no point of its own (smaller than the rural grid, no town) passes its people to the
nearest rural point of its unit.

The files are read and checked by ``hromada_checks``.
"""

from __future__ import annotations

import dataclasses
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import shapely

from . import geodata, inputs, population
from .errors import InputError, OutputWarning
from .hromada_checks import Source, check, covered, source
from .hromada_files import GEOMETRY, NO_CODE, POPULATION, iso_of_katottg


@cache
def read(path: Path) -> tuple[list[str], list, dict[str, int]]:
    """(codes, working-CRS outlines, population by code) of the hromadas under ``path``."""
    src = source(path)
    return src.codes, src.geoms, src.people


def _assign(layout: population.Layout, data, codes, geoms) -> np.ndarray:
    """Hromada index of every point (-1: its unit has no hromada outlines)."""
    tree = shapely.STRtree(geoms)
    town = layout.settlement >= 0
    where_town = np.full(len(data.settlements), -1)
    pts = shapely.points(data.settlement_xy)
    hit_p, hit_g = tree.query(pts, predicate="intersects")
    where_town[hit_p[::-1]] = hit_g[::-1]  # first hit wins
    out = np.full(len(layout.xy), -1)
    out[town] = where_town[layout.settlement[town]]
    rural = np.flatnonzero(~town)
    hit_p, hit_g = tree.query(shapely.points(layout.xy[rural]), predicate="intersects")
    out[rural[hit_p[::-1]]] = hit_g[::-1]
    # units without hromada outlines (Crimea, Sevastopol, Kyiv city) keep unit totals,
    # even where a neighbour's simplified outline overlaps them
    unit_of = np.array([iso_of_katottg(c) for c in codes])
    out[~np.isin(layout.unit, unit_of)] = -1
    # a point in another unit's hromada (simplified outlines overlap the units' edges) is
    # placed in its own unit's: each unit then holds the sum of its own hromadas
    out[(out >= 0) & (unit_of[np.maximum(out, 0)] != layout.unit)] = -1
    # points in no hromada: the nearest hromada of their own unit
    for code in np.unique(layout.unit[out < 0]):
        mine = np.flatnonzero(unit_of == code)
        todo = np.flatnonzero((out < 0) & (layout.unit == code))
        if len(mine) and len(todo):
            sub = shapely.STRtree([geoms[i] for i in mine])
            out[todo] = mine[sub.nearest(shapely.points(layout.xy[todo]))]
    # every point of a town in one hromada, its first point's (the town's people are one
    # hromada's; points placed one by one had split a town across two, and the total)
    at = np.flatnonzero(town)
    first = at[np.unique(layout.settlement[at], return_index=True)[1]]
    of_town = np.full(len(data.settlements), -1)
    of_town[layout.settlement[first]] = out[first]
    unit_of_town = np.full(len(data.settlements), "", dtype=object)
    unit_of_town[layout.settlement[first]] = layout.unit[first]
    same = layout.unit[at] == unit_of_town[layout.settlement[at]]
    out[at[same]] = of_town[layout.settlement[at[same]]]
    return out


def hromada_weights(
    data, layout: population.Layout, rural_share: np.ndarray, unit_weight: np.ndarray, path: Path
) -> tuple[np.ndarray, np.ndarray]:
    """Weights of one layout from hromada totals (``unit_weight``: the unit model's), and
    the hromada each settlement's people are placed in (-1: none)."""
    codes, geoms, people = read(Path(path))
    where = _assign(layout, data, codes, geoms)
    pops = np.array([s.population for s in data.settlements], dtype=float)
    town = layout.settlement >= 0
    n = np.bincount(layout.settlement[town], minlength=len(pops))
    P = np.array([people[c] for c in codes], dtype=float)
    unit_of = np.array([iso_of_katottg(c) for c in codes])
    w = np.where(where < 0, unit_weight, 0.0)  # units without hromadas: unit totals
    covered = where >= 0
    # towns: k_h · pop / n
    t = town & covered
    j = layout.settlement[t]
    first = np.zeros(len(pops), dtype=bool)
    first_idx = np.unique(j, return_index=True)[1]
    first[j[first_idx]] = True
    town_h = np.full(len(pops), -1)
    town_h[j] = where[t]
    S = np.bincount(town_h[first], weights=pops[first], minlength=len(codes))
    k = np.where(S > 0, np.minimum(1.0, P / np.where(S > 0, S, 1)), 0.0)
    w[t] = k[where[t]] * pops[j] / n[j]
    R = P - k * S
    # rural points: R_h by the proxy; a hromada without rural points gives R_h to its towns
    r = ~town & covered
    has_rural = np.bincount(where[r], minlength=len(codes)) > 0
    w[r] = population.spread(R, where[r], rural_share_of(layout, rural_share)[r])
    lonely = ~has_rural & (R > 0)
    if lonely.any():
        tw = np.bincount(where[t], weights=w[t], minlength=len(codes))
        for h in np.flatnonzero(lonely):
            mine = t & (where == h)
            if mine.any() and tw[h] > 0:
                w[mine] += R[h] * w[mine] / tw[h]
            else:  # no point at all: the nearest rural point of its unit
                unit = iso_of_katottg(codes[h])
                cand = np.flatnonzero(~town & (layout.unit == unit))
                if len(cand):
                    c = shapely.get_coordinates(shapely.point_on_surface(geoms[h]))[0]
                    w[cand[np.argmin(np.hypot(*(layout.xy[cand] - c).T))]] += R[h]
    # hromadas without an outline: their people over their unit, as the unit model does —
    # only in units placed by hromada (elsewhere the unit total already holds them)
    placed = set(codes)
    by_hromada = set(unit_of.tolist())
    for code, p in people.items():
        if code in placed or code == NO_CODE or iso_of_katottg(code) not in by_hromada:
            continue
        unit = layout.unit == iso_of_katottg(code)
        total = unit_weight[unit].sum()
        if total > 0:
            w[unit] += p * unit_weight[unit] / total
    return w, town_h


def _unplaced(src: Source, by_hromada: set[str], data: geodata.Geodata) -> str:
    """The hromadas listed with people in units placed by hromada but without an outline in
    the file, in words (their people are spread over their oblast, ``hromada_weights``);
    "" when there are none."""
    without = [
        c
        for c in src.people
        if c != NO_CODE and c not in src.outlined and iso_of_katottg(c) in by_hromada
    ]
    people = sum(src.people[c] for c in without)
    if not people:
        return ""
    units = sorted({data.units[iso_of_katottg(c)].name_en for c in without})
    named = ", ".join(units[:5]) + (f" and {len(units) - 5} more" if len(units) > 5 else "")
    return (
        f"; {len(without):,} listed hromada{'s' if len(without) != 1 else ''} without an "
        f"outline ({people:,} people; oblasts: {named}) spread over their oblast as unit "
        "totals are"
    )


def rural_share_of(layout: population.Layout, rural_share: np.ndarray) -> np.ndarray:
    """The rural proxy aligned with every point of ``layout`` (0 for town points)."""
    out = np.zeros(len(layout.xy))
    out[layout.settlement < 0] = rural_share
    return out


def _named(path: Path) -> str:
    """A file of the hromada model as the outputs name it, with the start of its sha256
    (which copy of the file the figures come from, as for ``--units``)."""
    return f"{inputs.shown(path)} (sha256 {inputs.digest(path)[:16]})"


def hromada_model(path: Path, data: geodata.Geodata | None = None) -> population.Population:
    """The population model with hromada totals (see the module docstring), with the unit
    model's central estimate as one more sensitivity variant."""
    data = data or geodata.load()
    path = Path(path)
    src = source(path)
    check(src, data)
    base = population.oblast_model(data)
    rural_layout = base.layouts[0]
    rural = rural_layout.settlement < 0
    pops = np.array([s.population for s in data.settlements], dtype=float)
    proxy = population.rural_shares(
        rural_layout.unit[rural],
        population.rural_proxy(rural_layout.xy[rural], data.settlement_xy, pops),
    )
    variants, town_h = [], None
    for v in base.variants:
        share = np.ones(rural.sum()) if v.name == population.EVEN else proxy
        w, placed_in = hromada_weights(data, base.layouts[v.layout], share, v.weight, path)
        variants.append(population.Variant(v.name, v.layout, w))
        town_h = placed_in if town_h is None else town_h  # (the central model's)
    variants.append(population.Variant("unit totals (no hromadas)", 0, base.central.weight))
    by_hromada = covered(src)
    # in reverse code order: 'Crimea, Sevastopol and Kyiv city' with the shared files
    others = [u.name_en for c, u in reversed(data.units.items()) if c not in by_hromada]
    rest = f"{', '.join(others[:-1])} and {others[-1]}" if len(others) > 1 else "".join(others)
    text = (
        f"hromada totals, 1 Jan 2022 ({len(src.codes):,} hromadas with outlines, "
        f"{sum(src.people.get(c, 0) for c in src.codes):,} people): "
        f"{_named(path / GEOMETRY)}, {_named(path / POPULATION)}"
        + (f"; {rest}: unit totals" if rest else "")
        + _unplaced(src, set(by_hromada), data)
    )
    crowded = _crowded(src, data, town_h)
    if crowded:  # (said in the outputs too, not only the terminal)
        text += (
            f"; {len(crowded)} hromada(s) listed with under 1/{CROWDED:g} of their own GeoNames "
            f"towns' people, the towns scaled down to the table: {_crowded_said(crowded, 1)}"
        )
    named = {iso_of_katottg(c) for c, *_ in crowded}  # (one warning a cause: that row)
    off = [o for o in _off_totals(src, data) if o[0] not in named]
    if off:  # (said in the outputs too, not only the terminal)
        text += "; " + "; ".join(
            f"{data.units[u].name_en}'s hromadas {share:+.1%} from its 2022 total"
            for u, _, _, share in off
        )
    method = base.method + "; placed within each hromada; one more variant: unit totals"
    said = tuple(_crowded_warnings(crowded)) + tuple(_off_warnings(off, data))
    return population.Population(base.layouts, tuple(variants), text, method, said)


_IN_USE: list = []  # [(stamps, units, model)]: the model last built


def use_folder(folder: Path | None) -> None:
    """Place people as ``--population`` says: from the hromada totals under ``folder``
    (default ``$MODELLER_POPULATION``), else from the embedded unit totals. The model is
    kept for the same files and units: a second call (the Python API's) costs nothing."""
    from . import hromada_files, settings

    given = folder
    folder = folder or settings.population_path()
    if folder is None:
        population.use(None)
        return
    folder = inputs.home(folder, f"population folder {str(folder)[:80]!r}")
    data = geodata.load()
    setting = "--population" if given is not None else "MODELLER_POPULATION"
    try:
        paths = hromada_files.files(folder, setting)  # InputError naming what is missing
    except InputError as exc:
        if given is not None:
            raise
        # the folder came from the environment: say how to fix (as for --units)
        raise dataclasses.replace(
            exc, message=f"{exc.message} (fix or unset that variable, or give --population)"
        ) from None
    stamps = []
    for f in paths:
        st = f.stat()
        stamps.append((str(f.resolve()), st.st_size, st.st_mtime_ns, st.st_ino))
    if not (_IN_USE and _IN_USE[0][0] == stamps and _IN_USE[0][1] is data):
        if _IN_USE and _IN_USE[0][0] != stamps:  # saved over since: read them again
            read.cache_clear()
            source.cache_clear()
        _IN_USE[:] = [(stamps, data, hromada_model(folder, data))]
    population.use(_IN_USE[0][2])
    src = source(folder)
    for said in [*_unplaced_warnings(src, set(covered(src)), data), *_IN_USE[0][2].warnings]:
        warnings.warn(OutputWarning(said), stacklevel=2)


CROWDED = 5.0  # a hromada's GeoNames towns over this many times its listed total: said
CROWDED_PEOPLE = 20_000  # ... when they hold this many more people than it lists


def _crowded(src: Source, data: geodata.Geodata, town_h: np.ndarray) -> list[tuple]:
    """(code, line, people listed, largest town) of each hromada whose own GeoNames towns
    (``town_h``: where the model places each settlement's people) hold over ``CROWDED``
    times the people the table lists for it, most people first: the towns are scaled down
    to the table's total, so a total mistyped a digit short (Kramatorsk's 180,922 as
    18,092) had taken 22 % off the people Donetsk cedes, unsaid, within the oblast checks'
    margin."""
    placed = np.flatnonzero(town_h >= 0)
    pops = np.array([data.settlements[i].population for i in placed], dtype=float)
    towns = np.bincount(town_h[placed], weights=pops, minlength=len(src.codes))
    listed = np.array([src.people[c] for c in src.codes], dtype=float)
    bad = np.flatnonzero((towns > CROWDED * listed) & (towns - listed >= CROWDED_PEOPLE))
    out = []
    for h in bad[np.argsort(-(towns[bad] - listed[bad]))]:
        mine = town_h[placed] == h
        big = data.settlements[placed[mine][np.argmax(pops[mine])]]
        out.append((src.codes[h], src.lines[src.codes[h]], int(listed[h]), big))
    return out


def _crowded_said(found: list[tuple], shown: int = 3) -> str:
    """The hromadas of ``_crowded`` in words: code, line, people and largest town."""
    said = "; ".join(
        f"{code} (line {line}: {listed:,} people; {big.name} alone has {big.population:,})"
        for code, line, listed, big in found[:shown]
    )
    return said + (f" and {len(found) - shown} more" if len(found) > shown else "")


def _crowded_warnings(found: list[tuple]) -> list[str]:
    """The warning of ``_crowded``'s hromadas (none when there are none)."""
    if not found:
        return []
    return [
        f"--population: {len(found)} hromada(s) list under 1/{CROWDED:g} of the people of "
        f"their own GeoNames towns: {_crowded_said(found)}; their towns are scaled down to "
        "the table's totals. Check those rows (a digit missing?) and that each outline "
        "carries its own code; where both are right, GeoNames places a town (or a city's "
        "district) in the wrong hromada"
    ]


UNIT_WARN = 0.01  # a covered unit's hromadas this far from its 2022 total: said


def _off_totals(src: Source, data: geodata.Geodata) -> list[tuple[str, int, int, float]]:
    """(unit, its hromadas' total, its 2022 total, the difference as a share) of each unit
    placed by hromada whose hromadas add up more than ``UNIT_WARN`` away from its 2022
    total (beyond ``hromada_checks.UNIT_FACTOR`` it is refused). A hromada left out of both
    files, or a mistyped row, had moved the figures without a word: Kramatorsk left out
    took 25 % off the people Donetsk cedes in the land swap, Kramatorsk ×1.5 added 12 %.
    The shared files match every unit total exactly."""
    totals: dict[str, int] = {}
    for code, p in src.people.items():
        if code != NO_CODE:
            unit = iso_of_katottg(code)
            totals[unit] = totals.get(unit, 0) + p
    out = []
    for unit in sorted(covered(src)):
        official = data.units[unit].population
        share = totals.get(unit, 0) / official - 1 if official else 0.0
        if abs(share) > UNIT_WARN:
            out.append((unit, totals.get(unit, 0), official, share))
    return out


def _off_warnings(off: list, data: geodata.Geodata) -> list[str]:
    """The warnings of ``_off_totals``' units (none when there are none)."""
    return [
        f"--population: the hromadas of {data.units[u].name_en} add up to {total:,} people, "
        f"{share:+.1%} from its 2022 total of {official:,}: a hromada missing from both "
        "files, or a mistyped row? Its figures follow the table; check the table against "
        "the oblast's total"
        for u, total, official, share in off
    ]


UNPLACED_SHARE = 0.02  # of a unit's people listed without outlines: a warning, not a note


def _unplaced_warnings(src: Source, by_hromada: set[str], data: geodata.Geodata) -> list[str]:
    """A warning per unit whose hromadas listed without an outline hold over
    ``UNPLACED_SHARE`` of its listed people: spread over the whole oblast, they move its
    figures far more than the provenance's note suggests (Kramatorsk's 180,922 people
    left out of the shared outlines took a fifth off the people Donetsk cedes)."""
    per_unit: dict[str, list] = {}
    for code, p in src.people.items():
        unit = iso_of_katottg(code) if code != NO_CODE else None
        if unit in by_hromada:
            entry = per_unit.setdefault(unit, [0, 0, []])
            entry[0] += p
            if code not in src.outlined:
                entry[1] += p
                entry[2].append(code)
    out = []
    for unit, (total, missing, codes) in sorted(per_unit.items()):
        if total and missing > UNPLACED_SHARE * total:
            shown = ", ".join(codes[:3]) + (" …" if len(codes) > 3 else "")
            out.append(
                f"--population: {missing:,} of {data.units[unit].name_en}'s {total:,} people "
                f"({100 * missing / total:.1f} %) are in hromadas listed without an outline "
                f"({shown}): they are spread over the whole oblast, so figures within it are "
                "rough; add their outlines to the hromada file"
            )
    return out
