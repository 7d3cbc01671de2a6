"""Tallies over a partition: km², pre-invasion population, transfers, towns changing hands.

People (extensive, summed) are the weighted points of ``modeller.population``: town
footprints and rural points, whose weights add up exactly to each unit's total. A piece's
people are the weights of the points inside it::

    people(piece) = Σ_{points i in piece} w_i

Every people figure is also computed under each sensitivity variant of the population
(footprint area halved/doubled, rural remainder spread evenly, another source), and
reported as ``people`` (central) with ``people_low`` / ``people_high`` (the smallest and
largest over the variants, central included) — a range of the method, not a confidence
interval. Shares (%) are intensive: recomputed from summed km², never summed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from . import geodata, memo, population
from .partition import Partition
from .statuses import BUILTIN_STATUSES


def nearest_in_oblast(
    geoms: list, oblasts: list[str], xy: np.ndarray, groups: dict[str, np.ndarray]
) -> np.ndarray:
    """For every point, the index of the region of its own unit that holds it.

    A point inside a region goes there (on a shared edge, the first region wins); a point
    outside every region of its unit (a footprint reaching into the sea) goes to the
    nearest one. Metrics and the timeline both place people with this one rule.
    ``groups`` holds the point indices of each unit (``population.Layout.groups``).

    Notes
    -----
    GEOS gives distance 0 exactly when a point is not exterior to a polygon, so the
    answer for a covered point is the first region that covers it: a point-in-polygon
    test on the prepared region. Only points no region covers are measured. Which points
    a region covers is remembered for the region's geometry object (``_covered``): the
    scenarios of one run share most pieces with their baseline, so most tests are done
    once per run.
    """
    where = np.full(len(xy), -1)
    by_unit: dict[str, list[int]] = {}
    for i, code in enumerate(oblasts):
        by_unit.setdefault(code, []).append(i)
    alone, region = [], []  # the points of units with one region, and that region
    for code, idx in groups.items():
        candidates = by_unit.get(code, [])
        if len(candidates) <= 1:
            if candidates:
                alone.append(idx)
                region.append(candidates[0])
            continue
        todo = np.ones(len(idx), dtype=bool)
        for i in candidates:
            hit = _covered(geoms[i], xy, idx)
            hit = hit[todo[hit]]
            where[idx[hit]] = i
            todo[hit] = False
        rest = idx[todo]
        if len(rest):
            points = shapely.points(xy[rest])
            best = np.full(len(rest), np.inf)
            for i in candidates:
                d = shapely.distance(geoms[i], points)
                better = d < best
                where[rest[better]] = i
                best[better] = d[better]
    if alone:  # (one assignment: one a unit took ~13 ms of a run's ~40 tallies)
        where[np.concatenate(alone)] = np.repeat(region, [len(idx) for idx in alone])
    return where


_COVERED = memo.ByIdentity(512)  # (region, layout points, unit indices) -> covered


def _covered(geom, xy: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Positions in ``idx`` of the points ``xy[idx]`` that ``geom`` covers (remembered)."""

    def test() -> np.ndarray:
        shapely.prepare(geom)
        return np.flatnonzero(shapely.intersects_xy(geom, xy[idx, 0], xy[idx, 1]))

    return _COVERED.get((geom, xy, idx), test)


@dataclass(frozen=True)
class Tally:
    """Per-piece figures of one partition, aligned with ``partition.pieces``.

    ``people`` is the central estimate; ``people_variants[v]`` the same under variant
    ``v`` of ``population`` (row 0 is the central one).
    """

    partition: Partition
    km2: np.ndarray
    people: np.ndarray
    people_variants: np.ndarray  # (n_variants, n_pieces)
    point_piece: tuple[np.ndarray, ...]  # piece index of every point, per layout
    population: population.Population

    def rows(self) -> list[dict]:
        low, high = self.people_variants.min(axis=0), self.people_variants.max(axis=0)
        return [
            {
                "oblast": p.oblast,
                "before": p.before,
                "after": p.after,
                "km2": float(a),
                "people": float(n),
                "people_low": float(lo),
                "people_high": float(hi),
                **dict(p.attrs),
            }
            for p, a, n, lo, hi in zip(
                self.partition.pieces, self.km2, self.people, low, high, strict=True
            )
        ]


def tally(partition: Partition, pop: population.Population | None = None) -> Tally:
    """Areas and population (central and every variant) of every piece of a partition."""
    pop = pop or population.current()
    km2 = partition.areas_km2
    pieces = partition.pieces
    geoms, units = [p.geometry for p in pieces], [p.oblast for p in pieces]
    where = tuple(nearest_in_oblast(geoms, units, L.xy, L.groups) for L in pop.layouts)
    n = len(pieces)
    variants = np.zeros((len(pop.variants), n))
    # points of units the partition does not cover (-1) count nowhere: bin 0, dropped
    bins = [w + 1 for w in where]
    for k, v in enumerate(pop.variants):
        variants[k] = np.bincount(bins[v.layout], weights=v.weight, minlength=n + 1)[1:]
    return Tally(partition, km2, variants[0].copy(), variants, where, pop)


def people_range(values: np.ndarray) -> dict[str, float]:
    """``people``, ``people_low``, ``people_high`` from one figure under every variant."""
    return {
        "people": float(values[0]),
        "people_low": float(values.min()),
        "people_high": float(values.max()),
    }


def _group(t: Tally, key) -> dict:
    """Sum km² and the people of every variant over pieces sharing ``key(piece)``."""
    out: dict = {}
    for i, p in enumerate(t.partition.pieces):
        k = key(p)
        if k is None:
            continue
        acc = out.setdefault(k, [0.0, np.zeros(len(t.people_variants))])
        acc[0] += float(t.km2[i])
        acc[1] = acc[1] + t.people_variants[:, i]
    return out


def by_status(t: Tally, when: str = "after") -> dict[str, dict[str, float]]:
    """km², % of the partition's area and people (with range) held by each status."""
    total = float(t.km2.sum())
    out = {}
    for status, (a, v) in _group(t, lambda p: getattr(p, when)).items():
        out[status] = {"km2": a, **people_range(v), "pct": 100.0 * a / total, "_v": v}
    return out


def transfers(t: Tally) -> list[dict]:
    """The one transfers table: (oblast, from → to, recognition, km², people), largest first."""

    def key(p):
        if p.before == p.after:
            return None
        return (p.oblast, p.before, p.after, dict(p.attrs).get("recognition"))

    rows = [
        {"oblast": o, "from": f, "to": to, "recognition": rec, "km2": a, **people_range(v)}
        | {"_v": v}
        for (o, f, to, rec), (a, v) in _group(t, key).items()
    ]
    return sorted(rows, key=lambda r: (-r["km2"], r["oblast"]))


def net_flows(rows: list[dict]) -> dict[tuple[str, str], dict[str, float]]:
    """Transfers summed over oblasts: (from, to) → km², people (with range)."""
    acc: dict[tuple[str, str], list] = {}
    for r in rows:
        a = acc.setdefault((r["from"], r["to"]), [0.0, 0.0])
        a[0] += r["km2"]
        a[1] = a[1] + r["_v"]
    return {
        k: {
            "km2": a,
            **people_range(np.atleast_1d(v)),
            "people_by_variant": [float(x) for x in np.atleast_1d(v)],
        }
        for k, (a, v) in acc.items()
    }


def by_oblast(t: Tally) -> list[dict]:
    """Per oblast: km² and people (with range) per status before and after the scenario."""
    data = geodata.load()
    out: dict[str, dict] = {}
    for when in ("before", "after"):
        grouped = _group(t, lambda p, when=when: (p.oblast, getattr(p, when)))
        for (code, status), (a, v) in grouped.items():
            unit = data.units[code]
            row = out.setdefault(
                code,
                {
                    "oblast": code,
                    "name": unit.name_en,
                    "before": {},
                    "after": {},
                    "area_official_km2": unit.area_official_km2 or None,
                },
            )
            row[when][status] = {"km2": a, **people_range(v)}
    return [out[c] for c in data.codes if c in out]


def towns_changing_hands(t: Tally, limit: int = 15) -> list[dict]:
    """Settlements part or all of whose footprint changes status, most people first.

    ``share`` is the part of the town's footprint that goes from ``from`` to ``to``
    (central footprint; ``share_low``/``share_high`` over the footprint sizes); ``people``
    are the people the population model places on that part (low/high over its variants).

    Notes
    -----
    A town's footprint carries ``k_u · population`` people, ``k_u = min(1, P_u / S_u)``
    for a unit of official total ``P_u`` whose GeoNames towns add up to ``S_u``; so
    ``people = k_u · population · share``: the GeoNames figure times the share, except
    where a unit's towns add up to more than its total (Sevastopol, Kyiv city, Chernivtsi),
    whose towns would otherwise count more people than the unit has.
    """
    data = geodata.load()
    pieces = t.partition.pieces
    moves = np.array([p.before != p.after for p in pieces], dtype=bool)
    pairs = list(dict.fromkeys((p.before, p.after) for p in pieces))
    pair = np.array([pairs.index((p.before, p.after)) for p in pieces])
    variants = t.population.variants
    layouts = sorted({v.layout for v in variants})
    moving_by_layout: dict[int, tuple] = {}  # layout -> (keys found, inverse, points, count)
    moves = np.append(moves, False)  # (index -1: a point of a unit not covered)
    for li in layouts:
        layout, where = t.population.layouts[li], t.point_piece[li]
        moving = np.flatnonzero(layout.is_town & moves[where])
        # points of one town moving between one pair of statuses, counted at once
        key = layout.settlement[moving] * len(pairs) + pair[where[moving]]
        moving_by_layout[li] = (*np.unique(key, return_inverse=True, return_counts=True), moving)
    keys = np.sort(np.concatenate([m[0] for m in moving_by_layout.values()] or [[]]))
    keys = keys[np.diff(keys, prepend=-1) != 0].astype(int)  # each once (np.unique of one
    # array, without its options, loads numpy.ma: ~20 ms of a run)
    share = np.zeros((len(keys), len(layouts)))  # per (town, pair): share of its footprint
    placed = np.zeros((len(keys), len(variants)))  # per (town, pair): people, per variant
    for rank, li in enumerate(layouts):
        found, _, n, _ = moving_by_layout[li]
        count = t.population.layouts[li].footprint_sizes
        share[np.searchsorted(keys, found), rank] = n / count[found // len(pairs)]
    for k, v in enumerate(variants):
        found, inverse, _, moving = moving_by_layout[v.layout]
        weights = np.bincount(inverse, weights=v.weight[moving], minlength=len(found))
        placed[np.searchsorted(keys, found), k] = weights
    # a town none of whose central footprint moves does not change hands (only a larger
    # footprint, one of the sensitivities, would reach the moving land)
    central = share[:, 0] > 0
    keys, share, placed = keys[central], share[central], placed[central]
    rows = []
    if 0 <= limit < len(keys):  # only the largest are listed: rows for them (and ties)
        cut = len(keys) - limit
        floor = np.partition(placed[:, 0], cut)[cut] if limit else np.inf
        chosen = np.flatnonzero(placed[:, 0] >= floor)
    else:
        chosen = np.arange(len(keys))
    for i in chosen.tolist():
        code = int(keys[i])
        j, (before, after) = code // len(pairs), pairs[code % len(pairs)]
        s = data.settlements[j]
        rows.append(
            {
                "name": s.name,
                "oblast": s.oblast,
                "oblast_name": data.units[s.oblast].name_en,
                "population": s.population,
                "share": float(share[i, 0]),
                "share_low": float(share[i].min()),
                "share_high": float(share[i].max()),
                "people": float(placed[i, 0]),
                "people_low": float(placed[i].min()),
                "people_high": float(placed[i].max()),
                "from": before,
                "to": after,
                "lon": s.lon,
                "lat": s.lat,
                "geonameid": s.geonameid,
            }
        )
    rows.sort(key=lambda r: (-r["people"], -r["population"], r["name"], r["from"], r["to"]))
    return rows[:limit]


def recognition(t: Tally) -> list[dict]:
    """km² and people per (status after the scenario, recognition) where a step set one."""
    total = float(t.km2.sum())

    def key(p):
        rec = dict(p.attrs).get("recognition")
        return None if rec is None else (p.after, rec)

    grouped = _group(t, key)
    return [
        {"status": k[0], "recognition": k[1], "km2": grouped[k][0]}
        | people_range(grouped[k][1])
        | {"pct": 100.0 * grouped[k][0] / total}
        for k in sorted(grouped)
    ]


def status_labels(partition: Partition) -> dict[str, dict[str, str]]:
    """Label and colour of every status a partition's scenario knows."""
    labels = {k: dict(v) for k, v in BUILTIN_STATUSES.items()}
    scenario = partition.scenario
    for name, spec in getattr(scenario, "statuses", {}).items():
        labels[name] = {"label": spec.label, "colour": spec.colour}
    return labels


def summarise(partition: Partition, towns: int = 15) -> dict:
    """Every figure of one applied scenario as plain data (what reports and maps read).

    Each people figure comes with ``*_low`` / ``*_high``: its range over the population
    model's sensitivity variants (see ``modeller.population``).
    """
    t = tally(partition)
    total = float(t.km2.sum())
    before, after = by_status(t, "before"), by_status(t, "after")
    labels = status_labels(partition)
    statuses = [s for s in labels if s in before or s in after]
    statuses += sorted((before.keys() | after.keys()) - set(statuses))
    zero = np.zeros(len(t.people_variants))
    empty = {"km2": 0.0, "pct": 0.0, "_v": zero} | people_range(zero)
    held = []
    for s in statuses:
        b, a = before.get(s, empty), after.get(s, empty)
        change = people_range(a["_v"] - b["_v"])
        held.append(
            {
                "status": s,
                "label": labels.get(s, {}).get("label", s),
                "baseline_km2": b["km2"],
                "baseline_pct": b["pct"],
                **{"baseline_" + k: b[k] for k in ("people", "people_low", "people_high")},
                "km2": a["km2"],
                "pct": a["pct"],
                **{k: a[k] for k in ("people", "people_low", "people_high")},
                "change_km2": a["km2"] - b["km2"],
                **{"change_" + k: v for k, v in change.items()},
            }
        )
    data = geodata.load()
    rows = transfers(t)
    flows = [{"from": f, "to": to, **v} for (f, to), v in sorted(net_flows(rows).items())]
    for r in rows:
        r["oblast_name"] = data.units[r["oblast"]].name_en
        r["people_by_variant"] = [float(x) for x in np.atleast_1d(r.pop("_v"))]
    ukraine_after = after.get("ukraine", empty)
    outside = people_range(t.people_variants.sum(axis=1) - ukraine_after["_v"])
    return {
        "total_km2": total,
        **{"total_" + k: v for k, v in people_range(t.people_variants.sum(axis=1)).items()},
        "population": {
            "source": t.population.source,
            "method": t.population.method,
            "variants": [v.name for v in t.population.variants],
        },
        "statuses": held,
        "vs_1991": {
            "ukraine_km2": ukraine_after["km2"],
            "ukraine_pct": ukraine_after["pct"],
            "outside_ukraine_km2": total - ukraine_after["km2"],
            "outside_ukraine_pct": 100.0 - ukraine_after["pct"],
            **{"outside_ukraine_" + k: v for k, v in outside.items()},
        },
        "flows": flows,
        "transfers": rows,
        "recognition": [
            r | {"label": labels.get(r["status"], {}).get("label", r["status"])}
            for r in recognition(t)
        ],
        "oblasts": by_oblast(t),
        "towns": towns_changing_hands(t, towns),
        "pieces": t.rows(),
    }
