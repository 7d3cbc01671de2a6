"""Tallies over a partition: km², pre-war population, transfers, towns changing hands.

Population (extensive, summed) is estimated dasymetrically per oblast ``o``::

    people(piece) = k_o * Σ pop(settlements in piece) + R_o * area(piece) / area(o)
    k_o = min(1, P_o / S_o),   R_o = P_o - k_o * S_o

where ``P_o`` is the official 1 Jan 2022 population, ``S_o`` the sum of the GeoNames
cities500 populations located in ``o``; the rural remainder ``R_o`` is spread evenly by
area. The parts of every oblast add up exactly to ``P_o``. Shares (%) are intensive: they
are recomputed from summed km², never summed themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely

from . import geodata
from .geodata import area_km2
from .partition import Partition
from .statuses import BUILTIN_STATUSES


@dataclass(frozen=True)
class OblastPopulationModel:
    settlement_idx: np.ndarray  # indices into geodata settlements
    weights: np.ndarray  # k_o * pop, people
    remainder: float  # R_o, people spread by area
    area_km2: float  # area of the oblast geometry


def population_model() -> dict[str, OblastPopulationModel]:
    """Per oblast: settlement weights and rural remainder (see the module docstring)."""
    return _population_model(geodata.load())


@cache
def _population_model(data: geodata.Geodata) -> dict[str, OblastPopulationModel]:
    pops = np.array([s.population for s in data.settlements], dtype=float)
    oblast_of = np.array([s.oblast for s in data.settlements])
    model = {}
    for code, unit in data.units.items():
        idx = np.flatnonzero(oblast_of == code)
        total = pops[idx].sum()
        k = min(1.0, unit.population / total) if total > 0 else 0.0
        model[code] = OblastPopulationModel(
            idx, pops[idx] * k, unit.population - k * total, float(area_km2(data.geometry[code]))
        )
    return model


def settlement_pieces(partition: Partition) -> np.ndarray:
    """For every settlement, the index of the piece it lies in (nearest within its oblast)."""
    pieces = partition.pieces
    return nearest_in_oblast([p.geometry for p in pieces], [p.oblast for p in pieces])


def nearest_in_oblast(geoms: list, oblasts: list[str]) -> np.ndarray:
    """For every settlement, the index of the nearest of ``geoms`` in its own oblast.

    A settlement inside a region has distance 0 to it; on a shared edge the first region
    wins. Metrics and the timeline both place towns with this one rule.

    Notes
    -----
    The rule is ``argmin_i d(s, g_i)``, ties to the lowest ``i``. GEOS gives distance 0
    exactly when a point is not exterior to a polygon, so the answer for a covered point
    is the first region that covers it: a point-in-polygon test on the prepared region
    (logarithmic in its vertices) instead of a distance (linear). Only points no region
    covers (on an outline, by rounding) are measured.
    """
    data = geodata.load()
    xy = data.settlement_xy
    where = np.full(len(data.settlements), -1)
    by_oblast: dict[str, list[int]] = {}
    for i, code in enumerate(oblasts):
        by_oblast.setdefault(code, []).append(i)
    for code, m in population_model().items():
        idx = m.settlement_idx
        candidates = by_oblast.get(code, [])
        if len(candidates) == 1:
            where[idx] = candidates[0]
            continue
        todo = np.ones(len(idx), dtype=bool)
        for i in candidates:
            open_ = np.flatnonzero(todo)
            if not len(open_):
                break
            shapely.prepare(geoms[i])
            hit = open_[shapely.intersects_xy(geoms[i], xy[idx[open_], 0], xy[idx[open_], 1])]
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
    return where


@dataclass(frozen=True)
class Tally:
    """Per-piece figures of one partition, aligned with ``partition.pieces``."""

    partition: Partition
    km2: np.ndarray
    people: np.ndarray
    settlement_piece: np.ndarray

    def rows(self) -> list[dict]:
        return [
            {
                "oblast": p.oblast,
                "before": p.before,
                "after": p.after,
                "km2": float(a),
                "people": float(n),
                **dict(p.attrs),
            }
            for p, a, n in zip(self.partition.pieces, self.km2, self.people, strict=True)
        ]


def tally(partition: Partition) -> Tally:
    """Areas and population of every piece of a partition."""
    km2 = partition.areas_km2
    people = np.zeros(len(partition.pieces))
    where = settlement_pieces(partition)
    model = population_model()
    for i, p in enumerate(partition.pieces):
        m = model[p.oblast]
        people[i] += m.remainder * km2[i] / m.area_km2
    for m in model.values():
        np.add.at(people, where[m.settlement_idx], m.weights)
    return Tally(partition, km2, people, where)


def by_status(t: Tally, when: str = "after") -> dict[str, dict[str, float]]:
    """km², % of the partition's area and people held by each status (before or after)."""
    total = float(t.km2.sum())
    out: dict[str, dict[str, float]] = {}
    for p, a, n in zip(t.partition.pieces, t.km2, t.people, strict=True):
        row = out.setdefault(getattr(p, when), {"km2": 0.0, "people": 0.0})
        row["km2"] += a
        row["people"] += n
    for row in out.values():
        row["pct"] = 100.0 * row["km2"] / total
    return out


def transfers(t: Tally) -> list[dict]:
    """The one transfers table: (oblast, from → to, recognition, km², people), largest first."""
    rows: dict[tuple, dict] = {}
    for p, a, n in zip(t.partition.pieces, t.km2, t.people, strict=True):
        if p.before == p.after:
            continue
        rec = dict(p.attrs).get("recognition")
        row = rows.setdefault(
            (p.oblast, p.before, p.after, rec),
            {
                "oblast": p.oblast,
                "from": p.before,
                "to": p.after,
                "recognition": rec,
                "km2": 0.0,
                "people": 0.0,
            },
        )
        row["km2"] += a
        row["people"] += n
    return sorted(rows.values(), key=lambda r: (-r["km2"], r["oblast"]))


def net_flows(rows: list[dict]) -> dict[tuple[str, str], dict[str, float]]:
    """Transfers summed over oblasts: (from, to) → km², people."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for r in rows:
        acc = out.setdefault((r["from"], r["to"]), {"km2": 0.0, "people": 0.0})
        acc["km2"] += r["km2"]
        acc["people"] += r["people"]
    return out


def by_oblast(t: Tally) -> list[dict]:
    """Per oblast: km² and people per status before and after the scenario."""
    data = geodata.load()
    out: dict[str, dict] = {}
    for p, a, n in zip(t.partition.pieces, t.km2, t.people, strict=True):
        row = out.setdefault(
            p.oblast,
            {"oblast": p.oblast, "name": data.units[p.oblast].name_en, "before": {}, "after": {}},
        )
        for when in ("before", "after"):
            cell = row[when].setdefault(getattr(p, when), {"km2": 0.0, "people": 0.0})
            cell["km2"] += a
            cell["people"] += n
    return [out[c] for c in data.codes if c in out]


def towns_changing_hands(t: Tally, limit: int = 15) -> list[dict]:
    """The most populous settlements whose piece changes status, largest first."""
    data = geodata.load()
    rows = []
    for i, piece_index in enumerate(t.settlement_piece):
        p = t.partition.pieces[piece_index]
        if p.before != p.after:
            s = data.settlements[i]
            rows.append(
                {
                    "name": s.name,
                    "oblast": s.oblast,
                    "oblast_name": data.units[s.oblast].name_en,
                    "population": s.population,
                    "from": p.before,
                    "to": p.after,
                    "lon": s.lon,
                    "lat": s.lat,
                    "geonameid": s.geonameid,
                }
            )
    rows.sort(key=lambda r: (-r["population"], r["name"]))
    return rows[:limit]


def recognition(t: Tally) -> list[dict]:
    """km² and people per (status after the scenario, recognition) where a step set one."""
    total = float(t.km2.sum())
    rows: dict[tuple, dict] = {}
    for p, a, n in zip(t.partition.pieces, t.km2, t.people, strict=True):
        rec = dict(p.attrs).get("recognition")
        if rec is None:
            continue
        row = rows.setdefault(
            (p.after, rec), {"status": p.after, "recognition": rec, "km2": 0.0, "people": 0.0}
        )
        row["km2"] += a
        row["people"] += n
    for row in rows.values():
        row["pct"] = 100.0 * row["km2"] / total
    return [rows[k] for k in sorted(rows)]


def status_labels(partition: Partition) -> dict[str, dict[str, str]]:
    """Label and colour of every status a partition's scenario knows."""
    labels = {k: dict(v) for k, v in BUILTIN_STATUSES.items()}
    scenario = partition.scenario
    for name, spec in getattr(scenario, "statuses", {}).items():
        labels[name] = {"label": spec.label, "colour": spec.colour}
    return labels


def summarise(partition: Partition, towns: int = 15) -> dict:
    """Every figure of one applied scenario as plain data (what reports and maps read)."""
    t = tally(partition)
    total = float(t.km2.sum())
    before, after = by_status(t, "before"), by_status(t, "after")
    labels = status_labels(partition)
    statuses = [s for s in labels if s in before or s in after]
    statuses += sorted((before.keys() | after.keys()) - set(statuses))
    empty = {"km2": 0.0, "people": 0.0, "pct": 0.0}
    held = []
    for s in statuses:
        b, a = before.get(s, empty), after.get(s, empty)
        held.append(
            {
                "status": s,
                "label": labels.get(s, {}).get("label", s),
                "baseline_km2": b["km2"],
                "baseline_pct": b["pct"],
                "baseline_people": b["people"],
                "km2": a["km2"],
                "pct": a["pct"],
                "people": a["people"],
                "change_km2": a["km2"] - b["km2"],
                "change_people": a["people"] - b["people"],
            }
        )
    data = geodata.load()
    rows = transfers(t)
    for r in rows:
        r["oblast_name"] = data.units[r["oblast"]].name_en
    flows = [{"from": f, "to": to, **v} for (f, to), v in sorted(net_flows(rows).items())]
    ukraine_after = after.get("ukraine", empty)
    return {
        "total_km2": total,
        "total_people": float(t.people.sum()),
        "statuses": held,
        "vs_1991": {
            "ukraine_km2": ukraine_after["km2"],
            "ukraine_pct": ukraine_after["pct"],
            "outside_ukraine_km2": total - ukraine_after["km2"],
            "outside_ukraine_pct": 100.0 - ukraine_after["pct"],
            "outside_ukraine_people": float(t.people.sum()) - ukraine_after["people"],
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
