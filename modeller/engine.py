"""Apply a scenario's steps to a baseline partition; return a new, immutable partition.

The engine knows no baseline specs: a ``held_in`` selector reads another baseline through
the ``load`` function the caller gives (``baselines.apply`` gives ``load_baseline``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache

import shapely
from shapely.geometry import LineString, Point, box
from shapely.ops import split as cut

from . import gazetteer, geodata, polygons, settings, splitcheck
from .bandregion import band_region
from .errors import InputError
from .partition import Partition, Piece, merge_pieces, overlay, polygonal, union_regions
from .scenario import Phase, Scenario, step_name
from .scenario_selectors import KEEP_OFF_M, HeldIn, Selector, Split, keep_text, point_xy
from .textsafe import visible_text


class _Whole:
    """Marks a selection that covers an oblast entirely (no overlay needed)."""

    def __repr__(self) -> str:
        return "WHOLE"


WHOLE = _Whole()


Loader = Callable[[str], Partition]


def apply(
    base: Partition,
    scenario: Scenario,
    *,
    bands: dict | None = None,
    load: Loader | None = None,
) -> Partition:
    """Apply the steps in order (later steps override earlier ones where they overlap).

    ``bands`` fixes band selectors (by value) to given per-oblast regions instead of
    following the baseline's line of contact; the timeline uses it to evaluate a scenario
    once, symbolically, for every date. ``load`` turns a baseline spec into a partition;
    it is needed only by ``held_in`` selectors.
    """
    return apply_phases(base, scenario, bands=bands, load=load)[-1][1]


def apply_phases(
    base: Partition,
    scenario: Scenario,
    *,
    bands: dict | None = None,
    load: Loader | None = None,
) -> list[tuple[Phase | None, Partition]]:
    """The partition after each phase (one entry, phase None, for an unphased scenario)."""
    return run_steps(
        base,
        scenario,
        lambda where, pieces: select(where, pieces, bands, load, baseline=base.pieces),
        assign,
        load,
    )


def step_label(phase: Phase | None, number: int, step) -> str:
    """``step_name`` with the step's own ``note``, as warnings name a step for a reader:
    "step 2 ('Ukraine withdraws from Donetsk oblast')" (a long note cut at 80 characters)."""
    note = " ".join((step.note or "").split())
    if not note:
        return step_name(phase, number)
    note = note if len(note) <= 80 else note[:79] + "…"
    return f"{step_name(phase, number)} ('{note}')"


def run_steps(
    base: Partition,
    scenario: Scenario,
    choose,
    put,
    load: Loader | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> list:
    """Apply the steps in order with a selector and an assigner; the partition after each
    phase. Shared by this reference engine and ``fast``, which differ only in how they
    select and assign: ``choose(where, pieces) -> regions``, ``put(pieces, regions,
    status, recognition) -> pieces``; ``load`` is the loader of ``held_in`` baselines,
    whose doubts the steps reading them carry as warnings; ``on_step(done, total)``, when
    given, is told after each step (progress on a scenario of many steps)."""
    pieces = base.pieces
    # a baseline's own warnings (a file's doubts) go with every scenario applied to it; an
    # applied partition's (its steps that selected nothing) are that scenario's alone
    warnings: list[str] = list(base.warnings) if base.scenario is None else []
    out: list[tuple[Phase | None, Partition]] = []
    steps = scenario.numbered_steps
    for k, (phase, number, step) in enumerate(steps):
        where = step_name(phase, number)
        try:
            regions = choose(step.where, pieces)
        except InputError as exc:  # (the polygon or baseline file it names stays in the text)
            at = scenario.step_loc(phase, number)  # its line, once the file is known
            raise InputError(f"{where}: {exc}", loc=at) from None
        label = step_label(phase, number, step)
        for doubt in [*held_in_warnings(step.where, load), *place_notes(step.where)]:
            if f"{label}: {doubt}" not in warnings:
                warnings.append(f"{label}: {doubt}")
        if not regions:
            warnings.append(f"{label} selects nothing on {base.baseline.label}{_why(step)}")
        before = pieces
        pieces = put(pieces, regions, step.assign, step.recognition)
        moved = _moved_m2(before, pieces, set(regions)) if regions else None
        if moved is not None and moved < NOTHING_KM2 * 1e6:  # a misplaced name, or moot
            about = f"about {moved:.1f} m²" if moved >= 0.05 else "less than 0.1 m²"
            why = (
                f"the land it selects already holds '{step.assign}'"
                if moved < 0.01 and _selected_m2(regions) >= NOTHING_KM2 * 1e6
                else f"it moves {about}, under the {NOTHING_KM2 * 1e6:.0f} m² "
                "that count as land (a sliver, or a shape too small to matter)"
            )
            warnings.append(f"{label} changes nothing on {base.baseline.label}: {why}")
            pieces = before  # as it says: no sliver left to list as a 0.00 km² transfer
        last_of_phase = k + 1 == len(steps) or steps[k + 1][0] is not phase
        if phase is not None and last_of_phase:
            out.append((phase, Partition(pieces, base.baseline, scenario, base, tuple(warnings))))
        if on_step is not None:
            on_step(k + 1, len(steps))
    if not out:
        out.append((None, Partition(pieces, base.baseline, scenario, base, tuple(warnings))))
    return out


def _why(step) -> str:
    """Why a step asking for contested land may select nothing: the grey zone was counted
    as a side's (--contested)."""
    grey = settings.contested_mode()
    held_in = step.where.held_in
    asks = step.where.held_by == "contested" or (held_in and held_in.status == "contested")
    if not asks or grey == "contested":
        return ""
    return f" (--contested {grey} counts the grey zone as {grey}: none is contested)"


NOTHING_KM2 = 1e-4  # a step moving less land than this (100 m²) changes nothing: overlay
# noise, far below the smallest disc a scenario may draw (0.1 km across: 0.03 km²)


def _selected_m2(regions: dict) -> float:
    """About how many m² a step selects, at most (a whole oblast: more than any threshold).
    A region is a geometry, WHOLE, or (``fast``'s) an object with the geometry as ``area``.
    """
    total = 0.0
    for region in regions.values():
        if not isinstance(region, shapely.Geometry) and region is not WHOLE:
            region = region.area
        if region is WHOLE:
            return float("inf")
        total += float(shapely.area(region))
    return total


def _moved_m2(before: tuple, after: tuple, oblasts: set) -> float:
    """The most m² a step moved to or from one holder (and recognition) in one oblast it
    selected in: under ``NOTHING_KM2`` it changed nothing."""

    def tally(pieces) -> dict:
        mine = [p for p in pieces if p.oblast in oblasts]
        out: dict = {}
        for p, m2 in zip(mine, shapely.area([p.geometry for p in mine]), strict=True):
            key = (p.oblast, p.after, p.attrs)
            out[key] = out.get(key, 0.0) + float(m2)
        return out

    a, b = tally(before), tally(after)
    return max((abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in a.keys() | b.keys()), default=0.0)


def assign(
    pieces: tuple[Piece, ...], regions: dict[str, object], status: str, recognition=None
) -> tuple:
    """Give ``status`` (and its recognition, if any) to the part of each piece selected."""
    attrs = (("recognition", recognition),) if recognition else ()
    out: list[Piece] = []
    for p in pieces:
        if p.oblast not in regions:
            out.append(p)
            continue
        region = regions[p.oblast]
        if region is WHOLE:
            out.append(Piece(p.oblast, p.before, status, p.geometry, attrs))
            continue
        inside, outside = split_piece(p.geometry, region)
        out.append(Piece(p.oblast, p.before, p.after, outside, p.attrs))
        out.append(Piece(p.oblast, p.before, status, inside, attrs))
    return merge_pieces(out)


def split_piece(geometry, region) -> tuple:
    """(inside, outside) of a piece cut by a region; the two tile the piece.

    Notes
    -----
    GEOS can get an intersection wrong where edges nearly coincide: a Kherson piece that
    only touched a 3 km band along the Dnipro came back as the whole band (535 km² counted
    twice). So the parts are checked, area(inside) + area(outside) = area(piece) within
    1 m² (or 1e-9 of it); a pair that is not is computed again on a 1 cm grid. A part
    under ``SLIVER_M2`` is no land but rounding where edges meet: the piece is left
    whole on the other side (a Ukrainian piece beside a band of Russian-held land had
    been cut into a 2e-8 m² piece 'changing hands').
    """
    inside = overlay(shapely.intersection, geometry, region)
    outside = overlay(shapely.difference, geometry, region)
    whole = shapely.area(geometry)
    if abs(shapely.area(inside) + shapely.area(outside) - whole) > max(1.0, 1e-9 * whole):
        inside = polygonal(shapely.intersection(geometry, region, grid_size=0.01))
        outside = polygonal(shapely.difference(geometry, region, grid_size=0.01))
    if not inside.is_empty and shapely.area(inside) < SLIVER_M2:
        return shapely.Polygon(), geometry
    if not outside.is_empty and shapely.area(outside) < SLIVER_M2:
        return geometry, shapely.Polygon()
    return inside, outside


# --- selectors ---------------------------------------------------------------------------


def select(
    selector: Selector,
    pieces: tuple[Piece, ...],
    bands: dict | None = None,
    load: Loader | None = None,
    *,
    baseline: tuple[Piece, ...] | None = None,
) -> dict[str, object]:
    """Per oblast, the selected region (WHOLE for all of it); oblasts not selected are absent.

    A ``band`` follows the line of contact of ``baseline`` (the baseline's own pieces;
    default ``pieces``): drawn from pieces that earlier steps have cut, the union of the
    Russian-held ones can keep hair-thin seams that would count as contact.
    """
    data = geodata.load()
    regions: dict[str, object] = dict.fromkeys(selector.oblast or data.codes, WHOLE)
    if selector.held_by is not None:
        regions = _intersect(regions, _held(pieces, selector.held_by))
    if selector.held_in is not None:
        regions = _intersect(regions, held_in(selector.held_in, load))
    if selector.split is not None:
        regions = _intersect(regions, split_regions(selector.split))
    if selector.near is not None:
        disc = Point(point_xy(selector.near.place)).buffer(selector.near.km * 1000, quad_segs=64)
        regions = _intersect(regions, _clip(disc))
    if selector.band is not None:
        if bands is not None and selector.band in bands:
            regions = _intersect(regions, bands[selector.band])
        else:
            line_of = baseline if baseline is not None else pieces
            regions = _intersect(regions, band_regions(selector.band, line_of))
    if selector.polygon is not None:
        regions = _intersect(regions, _clip(polygon_region(selector.polygon)))
    for child in selector.all_of or ():
        regions = _intersect(regions, select(child, pieces, bands, load, baseline=baseline))
    if selector.any_of:
        parts = [select(c, pieces, bands, load, baseline=baseline) for c in selector.any_of]
        regions = _intersect(regions, _union_all(parts))
    if selector.not_ is not None:
        inner = select(selector.not_, pieces, bands, load, baseline=baseline)
        regions = _intersect(regions, _complement(inner))
    return {code: r for code, r in regions.items() if r is WHOLE or not polygonal(r).is_empty}


def _held(pieces: tuple[Piece, ...], status: str) -> dict[str, object]:
    """Per oblast, the land with ``status`` in the baseline."""
    held: dict[str, list] = {}
    for p in pieces:
        if p.before == status:
            held.setdefault(p.oblast, []).append(p.geometry)
    return {code: union_regions(g) for code, g in held.items()}


def held_in(sel: HeldIn, load: Loader | None) -> dict[str, object]:
    """Per oblast, the land ``sel.status`` holds in the named baseline (loaded once per
    units set, baseline settings and, for a file, its size and time of change: a file
    edited between two runs in one session is read again)."""
    return _read_held_in(sel, load)[0]


def place_notes(selector: Selector) -> list[str]:
    """Which small places the names of a selector's discs and split lines were taken as,
    where another place may have been meant (``gazetteer.taken_as``)."""
    names = []
    for sel in selector.walk():
        if sel.near is not None:
            names.append(sel.near.place)
        if sel.split is not None:
            for point in [*sel.split.line, sel.split.keep]:
                names.extend(getattr(point, "between", None) or [point])
    notes = [gazetteer.taken_as(n) for n in dict.fromkeys(n for n in names if isinstance(n, str))]
    return [n for n in notes if n]


def held_in_warnings(selector: Selector, load: Loader | None) -> list[str]:
    """The doubts of the baselines a selector's ``held_in`` keys read (a boundaries file
    given as one: "makes 99.5 % of the units not Ukrainian-held"), each with its spec:
    a step selecting from such a file had said nothing."""
    out: list[str] = []
    for sel in selector.walk() if load is not None else ():
        if sel.held_in is not None:
            spec = visible_text(sel.held_in.baseline)
            for doubt in _read_held_in(sel.held_in, load)[1]:
                if f"held_in baseline {spec}: {doubt}" not in out:
                    out.append(f"held_in baseline {spec}: {doubt}")
    return out


def _read_held_in(sel: HeldIn, load: Loader | None) -> tuple[dict, tuple[str, ...]]:
    data, rec, grey = geodata.load(), settings.reconcile(), settings.contested_mode()
    return _held_in(sel, load, data, rec, grey, _stamp(sel.baseline))


def _stamp(spec: str) -> tuple | None:
    try:
        st = os.stat(spec)
    except (OSError, ValueError):  # a spec that is no file (pre-2022, deepstate:DATE)
        return None
    return (st.st_size, st.st_mtime_ns)


@cache
def _held_in(
    sel: HeldIn, load: Loader | None, _data, _rec: bool, _grey: str, _stamp
) -> tuple[dict, tuple[str, ...]]:
    """(per oblast, the land ``sel.status`` holds in the baseline; the baseline's warnings)."""
    if load is None:
        raise InputError(
            f"held_in baseline '{sel.baseline}' needs a baseline loader: apply the scenario "
            "with modeller.baselines.apply (or pass load=load_baseline)"
        )
    baseline = load(sel.baseline)
    return _held(baseline.pieces, sel.status), tuple(baseline.warnings)


def _clip(region) -> dict[str, object]:
    """A region cut into per-oblast parts."""
    data = geodata.load()
    region = polygonal(region)
    out = {}
    for code, g in data.geometry.items():
        part = overlay(shapely.intersection, g, region)
        if not part.is_empty:
            out[code] = part
    return out


def _union(a: dict, b: dict) -> dict:
    out = dict(a)
    for code, rb in b.items():
        ra = out.get(code, rb)
        if ra is rb:
            out[code] = rb
        elif ra is WHOLE or rb is WHOLE:
            out[code] = WHOLE
        else:
            out[code] = overlay(shapely.union, ra, rb)
    return out


def _union_all(parts: list[dict]) -> dict:
    """``_union`` of many (``any_of``): each oblast's regions united in one call, not one
    pair at a time (whose cost grew with the square of their number)."""
    per: dict[str, list] = {}
    for part in parts:
        for code, region in part.items():
            per.setdefault(code, []).append(region)
    out = {}
    for code, regions in per.items():
        if len(regions) <= 2:  # (as ever: one is kept as it is, two are one overlay)
            out[code] = _union({code: regions[0]}, {code: regions[-1]})[code]
        else:
            out[code] = WHOLE if any(r is WHOLE for r in regions) else union_regions(regions)
    return out


def _complement(regions: dict) -> dict:
    data = geodata.load()
    out = {}
    for code, g in data.geometry.items():
        if code not in regions:
            out[code] = WHOLE
        elif regions[code] is not WHOLE:
            part = overlay(shapely.difference, g, regions[code])
            if not part.is_empty:
                out[code] = part
    return out


def band_regions(band, pieces: tuple[Piece, ...]) -> dict[str, object]:
    """The band of ``band_region`` cut into per-oblast parts (what ``select`` intersects)."""
    return _clip(band_region(band, pieces))


def polygon_region(shape_sel):
    """A user polygon (file or inline GeoJSON, lon/lat) in the working CRS."""
    return polygons.scenario_polygon(shape_sel.file, shape_sel.geojson)


def _intersect(a: dict, b: dict) -> dict:
    """Intersection of two per-oblast selections (WHOLE is the identity)."""
    out = {}
    for code in a.keys() & b.keys():
        ra, rb = a[code], b[code]
        if ra is WHOLE:
            out[code] = rb
        elif rb is WHOLE:
            out[code] = ra
        else:
            part = overlay(shapely.intersection, ra, rb)
            if not part.is_empty:
                out[code] = part
    return out


def split_regions(split: Split) -> dict[str, object]:
    """The side of the (extended) line that contains ``keep``, within each listed oblast."""
    data = geodata.load()
    union = shapely.union_all([data.geometry[c] for c in split.oblast])
    minx, miny, maxx, maxy = union.bounds
    margin = splitcheck.FRAME_M
    frame = box(minx - margin, miny - margin, maxx + margin, maxy + margin)
    coords = splitcheck.extended_line([point_xy(p) for p in split.line], union.bounds)
    line = LineString(coords)
    if not line.is_simple:
        if LineString(coords[1:-1]).is_simple:  # (the line alone is checked as it is read)
            raise splitcheck.extensions_cross()
        raise splitcheck.crosses_itself()
    sides = cut(frame, line).geoms
    keep = Point(point_xy(split.keep))
    if len(sides) < 2:
        names = ", ".join(data.units[c].name_en for c in split.oblast)
        raise splitcheck.misses(names, line.distance(union) / 1000)
    if len(sides) > 2:
        raise splitcheck.comes_back(len(sides))
    if line.distance(keep) < KEEP_OFF_M:
        raise InputError(
            f"keep place {keep_text(split.keep)} lies on the split line; pick a place off it"
        )
    chosen = [g for g in sides if g.covers(keep)]
    if not chosen:
        raise splitcheck.keep_outside(split.keep)
    side = chosen[0]
    out = {code: overlay(shapely.intersection, data.geometry[code], side) for code in split.oblast}
    _check_cut(split, line, out)
    return out


SLIVER_M2 = 1e-3  # a part of a cut piece under 10 cm² is rounding, not land (split_piece)
UNCUT_M2 = 10_000.0  # less than 0.01 km² of an oblast on one side: the line leaves it whole
ALONG_M = 1000.0  # a line this near an oblast it leaves whole runs along its border


def _check_cut(split: Split, line, kept: dict[str, object]) -> None:
    """Refuse a split whose listed oblasts are not one stretch of land, or list an oblast
    the line leaves whole far from the land it cuts: it would move all of it, or none of
    it, where the step says to cut it (Lviv listed beside Donetsk, the line 900 km away or
    its extension crossing Lviv, had handed over all or part of Lviv).

    The listed oblasts must border each other in a chain (``splitcheck.NEIGHBOUR_M``). One the line
    leaves whole is taken (all of it or none, by its side) when the line runs along it
    (within ``ALONG_M``) or it borders a listed oblast the line cuts, directly or through
    other listed oblasts: Sevastopol beside a Crimea cut in two, Crimea beside a Kherson
    cut along the Dnipro, Kyiv city inside Kyiv oblast.
    """
    data = geodata.load()
    geometry, name = data.geometry, (lambda c: data.units[c].name_en)
    listed = list(dict.fromkeys(split.oblast))
    borders: dict[str, set[str]] = {c: set() for c in listed}
    for i, c in enumerate(listed):
        for d in listed[i + 1 :]:
            if shapely.dwithin(geometry[c], geometry[d], splitcheck.NEIGHBOUR_M):
                borders[c].add(d)
                borders[d].add(c)
    apart = splitcheck.apart(listed, borders, name)  # not one stretch of land
    if apart is not None:
        raise apart
    cut = [
        c
        for c in listed
        if UNCUT_M2 <= kept[c].area <= geometry[c].area - UNCUT_M2
        or line.distance(geometry[c]) <= ALONG_M
    ]
    taken = splitcheck.reached(cut, borders)  # those cut, and those whole beside them
    for code in listed:
        if code not in taken:
            on_kept = kept[code].area > UNCUT_M2
            raise InputError(
                f"the split line (extended at both ends) passes "
                f"{line.distance(geometry[code]) / 1000:,.0f} km from {name(code)}, and the "
                "oblasts it borders in the list are not cut either, so all of it would lie "
                f"{'on' if on_kept else 'off'} the side kept: give line points across the "
                f"listed oblasts, or take {name(code)} whole with 'oblast' in a step of its own"
            )
