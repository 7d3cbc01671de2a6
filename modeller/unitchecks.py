"""Whether a units file (``--units``) can be Ukraine's 27 units: over Ukraine, each unit
once, no two overlapping, the official total area, each outline where its name says.
A file that fails gets an InputError saying what is wrong, not figures that look fine."""

from __future__ import annotations

from .areas import area_km2
from .errors import InputError

# shapely is imported where it is used: geodata imports this module to resolve names too

# Ukraine's official area within its 1991 borders, km² (State Statistics Service of
# Ukraine); the embedded units' own official areas (units.csv) sum to 603,543.
OFFICIAL_AREA_KM2 = 603_628
UKRAINE_LONLAT = (22.0, 44.0, 40.5, 52.5)  # generous bounds of Ukraine, lon/lat

# A units file (--units) is refused unless it passes these (``check_units_file``):
# its total area within ±5 % of the official one: generalised outlines land well inside
# (the embedded 1:10m units −0.75 %, Minregion's −0.22 %), a file missing a unit's land,
# drawn twice or in the wrong units far outside;
UNITS_AREA_TOLERANCE = 0.05
# no two units (or two features of one unit) overlapping by more than 1 km² (shared
# borders drawn from different sources overlap by far less: Minregion's most, 0.02 km²);
OVERLAP_KM2 = 1.0
# each unit within 15 % (or 1,000 km² for the small city units) of its official area: a
# unit shrunk to a sliver, or half missing, changes the total by less than 5 % (Minregion's
# largest gap: Kherson, −3.8 %; the embedded Kyiv city, +96 % = 800 km², is the coarsest);
UNIT_AREA_TOLERANCE, UNIT_AREA_SLACK_KM2 = 0.15, 1000.0
# and at least 90 % of its area inside the embedded unit of the same code (Minregion's
# 27 units: 97.3 %, Sevastopol the lowest at 78 %): a shifted file, or names attached
# to the wrong outlines, falls far below.
UNITS_INSIDE_SHARE = 0.90
# and not moved as a whole: the median of the units' centroid offsets from the embedded
# units' is at most 1.5 km (Minregion's: 0.5 km, each unit's offset up to 4 km, in all
# directions). A file shifted by a few km (a wrong datum, a false easting, a typo in a
# transformation) keeps 90 % inside but moves the line of control across towns.
UNITS_SHIFT_KM = 1.5
# Nor turned or scaled as a whole: the similarity (rotation, scale, shift) that best maps
# the embedded units' centroids onto the file's moves none of them by more than 1.5 km
# (Minregion's: 0.84 km). A file rotated by 0.5° or scaled by 1 % keeps the median offset
# small (the centre barely moves) while its eastern units move 6-7 km.
UNITS_TURN_KM = 1.5


def overlaps_ukraine(x0: float, y0: float, x1: float, y1: float) -> bool:
    """Whether a lon/lat box overlaps the box around Ukraine."""
    ux0, uy0, ux1, uy1 = UKRAINE_LONLAT
    return x1 >= ux0 and x0 <= ux1 and y1 >= uy0 and y0 <= uy1


def check_over_ukraine(geoms: list, source: str | None, what: str = "polygon") -> None:
    """A file none of whose lon/lat ``geoms`` comes near Ukraine is the wrong file (or in
    the wrong coordinates): InputError saying where they lie, rather than figures where
    nothing is held (a baseline) or nothing is Ukraine (units). ``what`` names a geometry
    in the message ("polygon", "unit"); ``source`` None: inline GeoJSON, not a file."""
    import shapely

    boxes = shapely.bounds(geoms)
    if not len(geoms) or any(overlaps_ukraine(*box) for box in boxes):
        return
    (x0, y0), (x1, y1) = boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)
    ux0, uy0, ux1, uy1 = UKRAINE_LONLAT
    whose = "the file's" if source else "its"
    hint = "check that it is the file you mean, in lon/lat degrees (EPSG:4326)"
    if not source:
        hint = "give lon/lat degrees (EPSG:4326) over Ukraine"
    if any(overlaps_ukraine(b[1], b[0], b[3], b[2]) for b in boxes):
        hint = "they look like [lat, lon]: GeoJSON is [lon, lat] (Kyiv is [30.52, 50.45]); "
        hint += "swap each pair"
    raise InputError(
        f"no {what} lies over Ukraine: {whose} {what}s span lon {x0:g} … {x1:g}, lat "
        f"{y0:g} … {y1:g}, and Ukraine lies within lon {ux0:g} … {ux1:g}, lat {uy0:g} … "
        f"{uy1:g}; {hint}",
        source,
    )


# A units file's vertex more than this many degrees outside the box around Ukraine, and
# as far from both its neighbours on the ring, is a typo (lat 58 for 48) or a vertex in
# other units: drawn, it is a spike across other units. (A unit moved as a whole has far
# vertices too, but close neighbours: the checks of where each unit lies say how far.)
VERTEX_MARGIN_DEG = 1.0


def check_vertices(matched: dict, number: dict, label, source: str) -> None:
    """Every vertex of a matched unit must be finite lon/lat degrees, and none a spike far
    outside Ukraine.

    One latitude of 95 made GEOS fail while projecting (a traceback); one longitude of 200,
    or a latitude of 58 for 48, drew a spike that surfaced as an overlap between other
    units. ``matched`` holds lon/lat geometries per code, ``number`` a feature's number by
    ``id`` of its geometry, ``label`` names a code.
    """
    import shapely

    for code, geoms in matched.items():
        for g in geoms:
            parts = shapely.get_parts(g)
            rings = shapely.get_rings(parts)
            found = [v for ring in rings if (v := _odd_vertex(ring)) is not None]
            if not found:
                _check_parts_near(parts, f"feature {number[id(g)]} ({label(code)})", source)
                continue
            (x, y), why = found[0]
            raise InputError(
                f"feature {number[id(g)]} ({label(code)}): vertex [{_number(x)}, {_number(y)}] "
                f"{why}; fix that vertex ({len(found)} ring{'s' * (len(found) > 1)} of the "
                f"feature {'have' if len(found) > 1 else 'has'} such), or reproject the file "
                "to lon/lat (EPSG:4326)",
                source,
            )


def _check_parts_near(parts, feature: str, source: str) -> None:
    """A whole polygon far from Ukraine (no spike, and too small for the area checks: the
    map zoomed out to the whole globe) is an error naming where it lies."""
    m = VERTEX_MARGIN_DEG
    for part in parts:
        if part.is_empty:  # (its bounds are NaN: "around lon nan, lat nan")
            raise InputError(
                f"{feature}: a polygon of it is empty (no coordinates): drop it, or give its rings",
                source,
            )
        x0, y0, x1, y1 = part.bounds
        if not overlaps_ukraine(x0 - m, y0 - m, x1 + m, y1 + m):
            ux0, uy0, ux1, uy1 = UKRAINE_LONLAT
            raise InputError(
                f"{feature}: a polygon of it lies far outside Ukraine (around lon "
                f"{_number((x0 + x1) / 2)}, lat {_number((y0 + y1) / 2)}; Ukraine is within "
                f"lon {ux0:g} … {ux1:g}, lat {uy0:g} … {uy1:g}): drop that polygon, or fix "
                "its coordinates",
                source,
            )


def _odd_vertex(ring) -> tuple[tuple[float, float], str] | None:
    """The first vertex of a lon/lat ring that is no lon/lat position, or a spike far
    outside Ukraine, and what is wrong with it (None: none is)."""
    import numpy as np
    import shapely

    xy = shapely.get_coordinates(ring)
    if not len(xy):
        return None
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(xy).all(axis=1) | (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
        if bad.any():
            x, y = xy[bad][0]
            finite = np.isfinite(x) and np.isfinite(y)
            why = "is not lon/lat degrees (longitude −180…180, latitude −90…90)"
            return (x, y), why if finite else "is not a finite number"
        ux0, uy0, ux1, uy1 = UKRAINE_LONLAT
        m = VERTEX_MARGIN_DEG
        far = (xy[:, 0] < ux0 - m) | (xy[:, 0] > ux1 + m)
        far |= (xy[:, 1] < uy0 - m) | (xy[:, 1] > uy1 + m)
        if not far.any():
            return None
        ring_xy = xy[:-1] if len(xy) > 1 and (xy[0] == xy[-1]).all() else xy
        step = np.linalg.norm(ring_xy - np.roll(ring_xy, 1, axis=0), axis=1)
        spike = far[: len(ring_xy)] & (step >= m) & (np.roll(step, -1) >= m)
    if not spike.any():
        return None
    x, y = ring_xy[spike][0]
    return (x, y), f"lies far outside Ukraine (lon {ux0:g} … {ux1:g}, lat {uy0:g} … {uy1:g})"


def _number(v: float) -> str:
    """A coordinate as shown in a message: short, even when it is 1e300."""
    return f"{v:.6g}"


def unit_overlaps(shapes: dict, min_km2: float = OVERLAP_KM2) -> list[tuple[str, str, float]]:
    """Pairs of working-CRS geometries (keyed by name) that overlap by more than
    ``min_km2``, as (key, key, km²), the largest first."""
    import shapely

    keys, geoms = list(shapes), list(shapes.values())
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    out = []
    for i, j in zip(left, right, strict=True):
        if i < j:
            km2 = float(area_km2(shapely.intersection(geoms[i], geoms[j])))
            if km2 > min_km2:
                out.append((keys[i], keys[j], km2))
    return sorted(out, key=lambda x: -x[2])


# a gap this much inland water is a lake left out of every unit, not land lost (its shore
# drawn otherwise than OpenStreetMap's: Lake Yalpuh cut out of Minregion's Odesa oblast
# leaves gaps 82 % and 26 % water; a town cut out, about none)
WATER_GAP_SHARE = 0.2


def gaps(country, water=None) -> list[tuple[float, object]]:
    """(km², polygon) of each gap over ``OVERLAP_KM2`` inside ``country`` (the union of the
    units, working CRS), the largest first: a hole in the union no unit fills. A gap a
    fifth or more of which is inland water (``water()``, read only when there is a gap:
    a lake or reservoir left out of every unit) is no land lost and is not listed."""
    import shapely

    holes = [
        shapely.Polygon(ring) for part in shapely.get_parts(country) for ring in part.interiors
    ]
    found = [h for h in holes if float(area_km2(h)) > OVERLAP_KM2]
    # less the units' land inside a hole (an exclave ringed by a hairline gap: its 20 km²
    # had been said to be the gap)
    found = [shapely.difference(h, country) for h in found]
    found = sorted(((float(area_km2(h)), h) for h in found), key=lambda x: -x[0])
    found = [(k, h) for k, h in found if k > OVERLAP_KM2]
    if found and water is not None:
        lakes = water()
        found = [
            (k, h)
            for k, h in found
            if float(area_km2(shapely.intersection(h, lakes))) < WATER_GAP_SHARE * k
        ]
    return found


def check_gaps(country, source: str, where, water=None) -> None:
    """Refuse units that leave land inside the country to no unit (``gaps``): it would
    count in no figure, while the towns on it still count in their unit (a file with
    Kramatorsk cut out of Donetsk had ceded 1,540 km² less and the same towns).
    ``where(polygon)`` says where a gap lies."""
    found = gaps(country, water)
    if not found:
        return
    places = "; ".join(f"{k:,.0f} km² {where(h)}" for k, h in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    raise InputError(
        f"the units leave {len(found)} gap(s) inside the country that no unit covers "
        f"({places}{more}; {sum(k for k, _ in found):,.0f} km² in all): land in no unit "
        f"counts in no figure; give that land to the unit it lies in (units must tile the "
        f"country; gaps of {OVERLAP_KM2:g} km² or less, and lakes left out, pass)",
        source,
    )


def check_units_file(
    parts: dict, geometry: dict, embedded: dict, official: dict, label, source: str
) -> None:
    """Refuse a units file whose figures could not be Ukraine's: a unit given twice, two
    units overlapping, a total area far from the official one, or outlines away from the
    units they are named for, or a unit far from its own official area (thresholds
    above). ``parts`` are the working-CRS features of each unit given in several (by
    feature number), ``geometry`` the working-CRS unit per code, ``embedded`` the
    embedded units' (for where each lies), ``official`` the official km² per code;
    ``label`` names a code."""
    import shapely

    for code, projected in parts.items():
        twice = unit_overlaps(projected)
        if twice:
            a, b, km2 = twice[0]
            raise InputError(
                f"unit {label(code)} is in the file twice: features {a} and {b} overlap "
                f"by {km2:,.1f} km²; give each unit once (features of one unit must not "
                f"overlap by more than {OVERLAP_KM2:g} km²)",
                source,
            )
    overlaps = unit_overlaps(geometry)
    if overlaps:
        a, b, km2 = overlaps[0]
        more = f" ({len(overlaps) - 1} more pairs overlap)" if len(overlaps) > 1 else ""
        raise InputError(
            f"units {label(a)} and {label(b)} overlap by {km2:,.1f} km²{more}; units must "
            f"not overlap by more than {OVERLAP_KM2:g} km²: is one drawn with its "
            "neighbour's outline?",
            source,
        )
    areas = {code: float(area_km2(g)) for code, g in geometry.items()}
    _check_unit_areas(areas, official, label, source, few=True)
    total = sum(areas.values())
    err = total / OFFICIAL_AREA_KM2 - 1
    if abs(err) > UNITS_AREA_TOLERANCE:
        raise InputError(
            f"the units cover {total:,.0f} km² in all, not Ukraine's official "
            f"{OFFICIAL_AREA_KM2:,} km² ({err:+.1%}; a units file must be within "
            f"±{UNITS_AREA_TOLERANCE:.0%} of it): check that the file holds each unit's "
            "whole outline, in lon/lat degrees (EPSG:4326) or with its CRS",
            source,
        )
    _check_unit_areas(areas, official, label, source, few=False)
    inside = {
        code: float(area_km2(shapely.intersection(g, embedded[code])))
        for code, g in geometry.items()
        if code in embedded
    }
    share = sum(inside.values()) / total
    if share < UNITS_INSIDE_SHARE:
        shares = {c: inside[c] / areas[c] for c in inside}
        worst = sorted(shares, key=shares.get)[:3]
        names = ", ".join(f"{label(c)} {shares[c]:.0%}" for c in worst)
        raise InputError(
            f"only {share:.1%} of the units' area lies inside the embedded unit of the same "
            f"name (at least {UNITS_INSIDE_SHARE:.0%} expected; least: {names}): is the file "
            "shifted, in another CRS, or are names attached to the wrong outlines?",
            source,
        )
    _check_shift(geometry, embedded, source)  # (a median: two units swapped do not move it)
    _check_names(geometry, embedded, {c: inside[c] / areas[c] for c in inside}, label, source)
    _check_turn(geometry, embedded, label, source)


SWAPPED_SHARE = 0.5  # a unit less than this inside its namesake, and more inside another


def _check_names(geometry: dict, embedded: dict, own: dict, label, source: str) -> None:
    """InputError when a unit's outline lies mostly in another embedded unit than the one
    of its name: names attached to the wrong outlines (two units swapped had been blamed
    on the whole file being turned, naming an innocent unit). ``own``: the share of each
    unit inside its namesake; only units under ``SWAPPED_SHARE`` there are looked at."""
    import shapely

    codes = [c for c in geometry if c in embedded]
    tree = shapely.STRtree([embedded[c] for c in codes])
    for code in (c for c in codes if own.get(c, 1.0) < SWAPPED_SHARE):
        g, total = geometry[code], float(area_km2(geometry[code]))
        share = {
            codes[j]: float(area_km2(shapely.intersection(g, embedded[codes[j]]))) / total
            for j in tree.query(g)
            if codes[j] != code
        }
        other = max(share, key=share.get, default=None)
        if other is not None and share[other] > SWAPPED_SHARE:
            raise InputError(
                f"unit {label(code)}'s outline lies {share[other]:.0%} in {label(other)} "
                f"(embedded units) and {own[code]:.0%} in its own: are names "
                "attached to the wrong outlines (two units swapped)? Each feature's name or "
                "code must be that of the unit it outlines",
                source,
            )


def median_shift(ours, theirs) -> tuple[float, str]:
    """How far working-CRS points ``ours`` lie from ``theirs`` as a whole: the median
    (east, north) offset in km, and in words ("4.3 km east and 0.1 km south"). Each
    outline's own difference from another source's cancels out in the median; a file
    moved as a whole does not."""
    import numpy as np

    east, north = np.median(np.asarray(ours) - np.asarray(theirs), axis=0) / 1000.0
    ew = f"{abs(east):.1f} km {'east' if east > 0 else 'west'}"
    ns = f"{abs(north):.1f} km {'north' if north > 0 else 'south'}"
    return float(np.hypot(east, north)), f"{ew} and {ns}"


def _check_shift(geometry: dict, embedded: dict, source: str) -> None:
    """InputError when the units, taken together, lie away from the embedded ones: the
    median (east, north) offset of their centroids over ``UNITS_SHIFT_KM`` (working CRS,
    metres)."""
    import shapely

    codes = [c for c in geometry if c in embedded]
    if not codes:
        return
    ours = shapely.get_coordinates(shapely.centroid([geometry[c] for c in codes]))
    theirs = shapely.get_coordinates(shapely.centroid([embedded[c] for c in codes]))
    away, words = median_shift(ours, theirs)
    if away > UNITS_SHIFT_KM:
        raise InputError(
            f"the units lie {away:.1f} km ({words}) from the embedded units of the "
            f"same names (the median offset of their centres; at most {UNITS_SHIFT_KM:g} "
            "km expected: "
            "independent outlines differ by less): is the file shifted, or in another "
            "datum or CRS than it says? Units must be in lon/lat degrees on WGS84 "
            "(EPSG:4326) or name their CRS",
            source,
        )


def _check_turn(geometry: dict, embedded: dict, label, source: str) -> None:
    """InputError when the units, taken together, are turned or scaled against the embedded
    ones: the least-squares similarity of their centroids moves one by over ``UNITS_TURN_KM``.

    Notes
    -----
    With centroids as complex numbers p (embedded) and q (the file's), the similarity
    q ≈ a·p + b has a = Σ conj(p - p̄)(q - q̄) / Σ |p - p̄|², b = q̄ - a·p̄; |a| is the scale,
    arg a the rotation, and max |a·p + b - p| how far it moves a unit.
    """
    import numpy as np
    import shapely

    codes = [c for c in geometry if c in embedded]
    if len(codes) < 3:  # too few to tell a turn from each unit's own differences
        return
    xy = [
        shapely.get_coordinates(shapely.centroid([d[c] for c in codes]))
        for d in (embedded, geometry)
    ]
    p, q = (a[:, 0] + 1j * a[:, 1] for a in xy)
    dp, dq = p - p.mean(), q - q.mean()
    a = np.vdot(dp, dq) / np.vdot(dp, dp)
    moved = np.abs(a * p + q.mean() - a * p.mean() - p) / 1000.0
    worst = int(np.argmax(moved))
    if moved[worst] > UNITS_TURN_KM:
        turn, scale = float(np.degrees(np.angle(a))), float(abs(a)) - 1.0
        raise InputError(
            f"the units are turned by {turn:+.2f}° and scaled by {scale:+.2%} against the "
            f"embedded units of the same names (the best fit of their centres), which moves "
            f"unit {label(codes[worst])} by {moved[worst]:.1f} km (at most {UNITS_TURN_KM:g} km "
            "expected: independent outlines differ by less): is the file in another CRS than "
            "it says, or transformed? Units must be in lon/lat degrees on WGS84 (EPSG:4326) "
            "or name their CRS",
            source,
        )


def _check_unit_areas(areas: dict, official: dict, label, source: str, few: bool) -> None:
    """InputError naming the units (km² by code) far from their official area (thresholds
    above). ``few``: only when at most three are (most of them far off says more as the
    total does)."""
    far = []
    for code, km2 in areas.items():
        expected = official.get(code)
        slack = max(UNIT_AREA_TOLERANCE * expected, UNIT_AREA_SLACK_KM2) if expected else 0
        if expected and abs(km2 - expected) > slack:
            far.append(
                f"{label(code)} covers {km2:,.0f} km², against its official "
                f"{expected:,.0f} km² ({km2 / expected - 1:+.0%})"
            )
    if far and (len(far) <= 3 or not few):
        more = f" (and {len(far) - 1} more units)" if len(far) > 1 else ""
        raise InputError(
            f"unit {far[0]}{more}; a unit must be within {UNIT_AREA_TOLERANCE:.0%} of its "
            f"official area, or {UNIT_AREA_SLACK_KM2:,.0f} km²: is its outline cut short, "
            "or another unit's?",
            source,
        )
