"""The timeline's per-day figures kept between runs: a day measured once is not measured
again while the scenarios, the units, the population model and the code stay the same.

The archive grows by a day at a time, and the timeline is re-run after each update: with
the days before kept, only the new day is read and measured. Each day is kept under the
SHA-256 of its file's content (and its feature, for a month-end file), so a day whose file
was replaced is measured again; the figures are those of the measuring run, exactly (the
same numbers the run wrote). One file per set of inputs (``cachefiles``: atomic, checked
by its digest, least recently used removed). ``MODELLER_TIMELINE_CACHE=0`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import shapely

from . import cachefiles, geodata, population, settings
from .archive import Snapshot
from .scenario import Scenario
from .timeline_day import Geometry
from .timeline_measure import Measures, merge

KIND = "timeline"
SWITCH = "MODELLER_TIMELINE_CACHE"
KEEP = 8  # files: one per set of inputs (~3 MB for the shipped scenarios, 769 days)
MAX_BYTES = 128 * 2**20  # larger tables (hundreds of scenarios) are measured every time


def enabled() -> bool:
    return cachefiles.enabled(SWITCH)


def inputs_key(scenarios: list[Scenario]) -> str:
    """SHA-256 of what a day's figures rest on besides the day: the code, the units, the
    population model's points and weights, the reconciliation switch and the scenarios (in
    order: they decide the columns)."""
    h = hashlib.sha256()
    for part in (
        cachefiles.code_digest(),
        f"numpy {np.__version__} shapely {shapely.__version__} GEOS {shapely.geos_version}",
        geodata.data_digest(),
        settings.reconcile(),
        settings.contested_mode(),
        *(sc.digest for sc in scenarios),
    ):
        h.update(f"{part}\n".encode())
    model = population.current()
    # not model.source: it names the population files by the path given (the provenance,
    # built afresh each run), and the same files by another path give the same figures,
    # which rest on the points and weights hashed here
    h.update(f"{model.method}\n".encode())
    for layout in model.layouts:
        h.update(np.ascontiguousarray(layout.xy, dtype=np.float64).tobytes())
        h.update(np.ascontiguousarray(layout.unit, dtype=str).tobytes())
        h.update(np.ascontiguousarray(layout.settlement, dtype=np.int64).tobytes())
    for variant in model.variants:
        h.update(f"{variant.name} {variant.layout}\n".encode())
        h.update(np.ascontiguousarray(variant.weight, dtype=np.float64).tobytes())
    return h.hexdigest()


def plan_digest(geom: Geometry) -> str:
    """SHA-256 of what the plan gives the days' measurement (atoms, tiles, bands, points):
    checked after the plan is made, so that an input the key cannot see (the file of a
    baseline a ``held_in`` names) never leaves a kept day's figures in place."""
    h = hashlib.sha256(repr((geom.bands, geom.n_classes)).encode())
    for part in (
        np.asarray(geom.atom_oblast, dtype=str),
        geom.atom_km2,
        shapely.bounds(np.asarray(geom.atoms, dtype=object)),
        geom.tile_atom,
        geom.tile_km2,
        shapely.bounds(geom.tiles),
        geom.support,
        geom.settlement_atom,
        geom.settlement_weight,
        geom.point_xy,
        geom.point_tile,
    ):
        h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()


def day_keys(snapshots: list[Snapshot]) -> list[str] | None:
    """Each snapshot's key: its day, the SHA-256 of its file's bytes and its feature if
    any (a file copied under another day's name is not that day: the reader refuses it);
    None when a file cannot be read (the days are then measured; the reader says why)."""
    files: dict[Path, str] = {}
    out = []
    for snap in snapshots:
        if snap.path not in files:
            try:
                files[snap.path] = hashlib.sha256(snap.path.read_bytes()).hexdigest()
            except OSError:
                return None
        feature = "" if snap.feature is None else snap.feature
        out.append(f"{snap.day.isoformat()}:{files[snap.path]}:{feature}")
    return out


def merge_measures(parts: list[Measures], cpu: float = 0.0) -> Measures:
    """Several ``Measures`` (of one plan, distinct dates) as one, in date order; ``cpu``:
    seconds spent on the parts kept from an earlier run (a stage of its own, "kept")."""
    merged = merge(parts)
    seconds = dict(merged.seconds)
    seconds["kept"] = seconds.get("kept", 0.0) + cpu
    return replace(merged, seconds=tuple(seconds.items()))


def _info(kept: dict) -> dict:
    """A day's provenance as kept (JSON) -> the fields of its ``BaselineInfo``."""
    moved = kept["reconciled"]
    outside, grey = kept["outside_km2"], kept["grey_zone"]
    # (a day kept before the field was: KeyError, so it is measured again)
    cut = tuple((str(u), float(v)) for u, v in kept["cut_off"])
    if not (outside is None or isinstance(outside, float | int)) or not (
        grey is None or isinstance(grey, str)
    ):
        raise ValueError("not a kept day")
    return {
        "reconciled": None if moved is None else tuple((str(u), float(v)) for u, v in moved),
        "outside_km2": None if outside is None else float(outside),
        "grey_zone": grey,
        "cut_off": cut,
    }


@dataclass
class Kept:
    """The figures kept for one set of inputs: per day key, its row of ``Measures``."""

    name: str
    plan: str = ""  # plan_digest of the plan the kept days were measured with
    rows: dict[str, tuple[np.ndarray, np.ndarray, dict]] = field(default_factory=dict)

    @classmethod
    def load(cls, scenarios: list[Scenario]) -> Kept:
        kept = cls(f"{inputs_key(scenarios)}.npz")
        arrays = cachefiles.read_arrays(KIND, kept.name, MAX_BYTES)
        try:
            if arrays is not None:
                km2, weight, days = arrays["km2"], arrays["weight"], arrays["days"]
                infos = [_info(json.loads(str(x))) for x in arrays["info"]]
                if (
                    km2.ndim == 2
                    and km2.dtype.kind == weight.dtype.kind == "f"
                    and km2.shape == weight.shape
                    and len(km2) == len(days) == len(infos)
                ):
                    kept.plan = str(arrays["plan"])
                    kept.rows = {str(k): (km2[i], weight[i], infos[i]) for i, k in enumerate(days)}
        except (KeyError, ValueError, TypeError, AttributeError):  # not ours: measured again
            kept.plan, kept.rows = "", {}
        return kept

    def measures(self, snapshots: list[Snapshot], keys: list[str]) -> Measures | None:
        """The kept days among ``snapshots`` (in their order) as one ``Measures``."""
        found = [(s, self.rows[k]) for s, k in zip(snapshots, keys, strict=True) if k in self.rows]
        if not found:
            return None
        return Measures(
            tuple(s.day for s, _ in found),
            tuple(replace(s.info, **row[2]) for s, row in found),
            np.stack([row[0] for _, row in found]),
            np.stack([row[1] for _, row in found]),
        )

    def store(
        self, measured: list[Measures], snapshots: list[Snapshot], keys: list[str], plan: str
    ) -> None:
        """Keep every day of ``measured`` (and those kept before, unless they were measured
        with another plan: ``plan`` is this run's ``plan_digest``); skipped when the table
        would pass ``MAX_BYTES``."""
        by_day = dict(zip((s.day for s in snapshots), keys, strict=True))
        rows = dict(self.rows) if self.plan == plan else {}
        for m in measured:
            for t, (day, info) in enumerate(zip(m.dates, m.infos, strict=True)):
                text = {
                    "reconciled": None if info.reconciled is None else list(info.reconciled),
                    "outside_km2": info.outside_km2,
                    "grey_zone": info.grey_zone,
                    "cut_off": [list(c) for c in info.cut_off],
                }
                rows[by_day[day]] = (m.km2[t], m.weight[t], text)
        if not rows or len(rows) * measured[0].km2.shape[1] * 16 > MAX_BYTES // 2:
            return
        days = list(rows)
        cachefiles.write_arrays(
            KIND,
            self.name,
            {
                "days": np.array(days),
                "km2": np.stack([rows[k][0] for k in days]),
                "weight": np.stack([rows[k][1] for k in days]),
                "info": np.array([json.dumps(rows[k][2]) for k in days]),
                "plan": np.array(plan),
            },
            keep=KEEP,
        )
