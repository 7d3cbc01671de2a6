"""The timeline's rows: a scenario's key figures on many dates (``KeyFigures``) turned into
status rows (date × oblast × status) and attribute rows, and the same figures made the
straightforward way for a baseline the archive does not hold (``plain_figures``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date

import numpy as np

from . import baselines, geodata, metrics
from .partition import Partition
from .scenario import Scenario

COLUMNS = (
    "date",
    "scenario",
    "oblast",
    "oblast_name",
    "status",
    "km2",
    "people",
    "baseline_km2",
    "baseline_people",
    "change_km2",
    "change_people",
    "gained_km2",
    "gained_people",
    "lost_km2",
    "lost_people",
)
ATTR_COLUMNS = ("date", "scenario", "oblast", "oblast_name", "status", "attrs", "km2", "people")


@dataclass(frozen=True)
class KeyFigures:
    """One scenario on many dates: km² and people per key (oblast, before, after, attrs)."""

    scenario_id: str
    dates: tuple[Date, ...]
    keys: tuple[tuple, ...]
    km2: np.ndarray  # (n_dates, n_keys)
    people: np.ndarray
    warnings: tuple[str, ...] = ()  # e.g. a step that selects nothing on that date


def plain_figures(base: Partition, scenario: Scenario) -> KeyFigures:
    """The same figures the straightforward way: apply + metrics.tally on one date."""
    t = metrics.tally(baselines.apply(base, scenario))
    keys = sorted({p.key for p in t.partition.pieces})
    index = {k: i for i, k in enumerate(keys)}
    km2 = np.zeros((1, len(keys)))
    people = np.zeros((1, len(keys)))
    for p, a, n in zip(t.partition.pieces, t.km2, t.people, strict=True):
        km2[0, index[p.key]] += a
        people[0, index[p.key]] += n
    return KeyFigures(
        scenario.id, (base.baseline.date,), tuple(keys), km2, people, t.partition.warnings
    )


def rows(f: KeyFigures, min_km2: float = 1e-6) -> tuple[dict, dict]:
    """Status rows (date × oblast × status) and attribute rows, as columns of equal length."""
    units = geodata.load().units
    groups = sorted({(k[0], k[1]) for k in f.keys} | {(k[0], k[2]) for k in f.keys})
    shape = (len(groups), len(f.keys))
    after, before = np.zeros(shape), np.zeros(shape)
    for g, (oblast, status) in enumerate(groups):
        for j, (o, b, a, _attrs) in enumerate(f.keys):
            if o == oblast:
                after[g, j] = a == status
                before[g, j] = b == status
    gained, lost = after * (1 - before), before * (1 - after)
    cols: dict[str, list | np.ndarray] = {}
    figs = {}
    for name, mat in (("", after), ("baseline_", before), ("gained_", gained), ("lost_", lost)):
        figs[name + "km2"] = f.km2 @ mat.T  # (n_dates, n_groups)
        figs[name + "people"] = f.people @ mat.T
    keep = (np.abs(figs["km2"]) > min_km2) | (np.abs(figs["baseline_km2"]) > min_km2)
    t_idx, g_idx = np.nonzero(keep)
    # text columns hold references to a few shared strings (8 bytes a row, not 4 per letter)
    cols["date"] = _texts([d.isoformat() for d in f.dates])[t_idx]
    cols["scenario"] = _texts([f.scenario_id])[np.zeros(len(t_idx), dtype=int)]
    cols["oblast"] = _texts([g[0] for g in groups])[g_idx]
    cols["oblast_name"] = _texts([units[g[0]].name_en for g in groups])[g_idx]
    cols["status"] = _texts([g[1] for g in groups])[g_idx]
    for name in ("km2", "people", "baseline_km2", "baseline_people"):
        cols[name] = _settled(figs[name][t_idx, g_idx])
    cols["change_km2"] = _settled(cols["km2"] - cols["baseline_km2"])
    cols["change_people"] = _settled(cols["people"] - cols["baseline_people"])
    for name in ("gained_km2", "gained_people", "lost_km2", "lost_people"):
        cols[name] = _settled(figs[name][t_idx, g_idx])
    return cols, _attr_rows(f, min_km2)


RESIDUE = 1e-6  # km² or people: a figure this near zero is a rounding residue, 0


def _settled(values: np.ndarray) -> np.ndarray:
    """Figures with their rounding residues set to 0: sums and differences of km² leave
    -1.5e-11 where a figure is 0 (a "negative" baseline area in the Parquet file, whose
    figures are not rounded as the CSV's and JSON's are)."""
    return np.where(np.abs(values) < RESIDUE, 0.0, values) + 0.0


def _attr_rows(f: KeyFigures, min_km2: float) -> dict:
    """km² and people per (oblast, status after, attributes) where steps set attributes."""
    groups = sorted({(k[0], k[2], k[3]) for k in f.keys if k[3]})
    out: dict[str, list | np.ndarray] = {c: [] for c in ATTR_COLUMNS}
    if not groups:
        return out
    mat = np.array([[float((k[0], k[2], k[3]) == g) for k in f.keys] for g in groups])
    km2, people = f.km2 @ mat.T, f.people @ mat.T
    t_idx, g_idx = np.nonzero(np.abs(km2) > min_km2)
    out["date"] = _texts([d.isoformat() for d in f.dates])[t_idx]
    out["scenario"] = _texts([f.scenario_id])[np.zeros(len(t_idx), dtype=int)]
    out["oblast"] = _texts([g[0] for g in groups])[g_idx]
    units = geodata.load().units
    out["oblast_name"] = _texts([units[g[0]].name_en for g in groups])[g_idx]
    out["status"] = _texts([g[1] for g in groups])[g_idx]
    out["attrs"] = _texts([";".join(f"{k}={v}" for k, v in g[2]) for g in groups])[g_idx]
    out["km2"] = _settled(km2[t_idx, g_idx])
    out["people"] = _settled(people[t_idx, g_idx])
    return out


def _texts(values: list[str]) -> np.ndarray:
    """A numpy array of Python strings (dtype object): indexing it shares the strings."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
