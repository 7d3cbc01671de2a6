"""The timeline's table: columns filled block by block, and its provenance (what every
output of it carries: sources, method, baselines, notes). ``timeline_write`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import files, geodata, report
from .document import to_decimals
from .partition import BaselineInfo

FORMATS = ("csv", "json", "parquet")
METHOD = (
    "Each scenario is applied once to synthetic all-Ukrainian and all-Russian baselines "
    "(× inside/outside each band); its static cells are refined into atoms shared by all "
    "scenarios, and each day's figures are sums over atoms of area(atom ∩ Russian-held) and "
    "the settlement weights inside, exactly as 'modeller run' counts them on that baseline."
)


@dataclass(frozen=True)
class Table:
    """The timeline: status rows and attribute rows (columns of equal length), provenance."""

    columns: dict
    attrs: dict
    baselines: tuple[BaselineInfo, ...]
    scenarios: tuple[dict, ...]
    seconds: tuple = ()  # (stage, seconds): plan (wall), then CPU of read … rows
    missing: tuple = ()  # days in the daily range the archive has no map for (left out)

    def __len__(self) -> int:
        return len(self.columns["date"])


class Rows:
    """A table's columns, filled block by block (one scenario, consecutive dates each).

    The arrays are allocated once for the most rows there can be; pages never written are
    never resident, so memory is the rows themselves: no list of blocks, no concatenated
    copy, no heap left fragmented by thousands of small blocks. Blocks arriving out of
    (scenario, date) order (a plain baseline added after the archive) are sorted at the
    end.
    """

    def __init__(self, names: tuple, order: dict, capacity: int) -> None:
        self.names, self.order = names, order
        self.capacity = max(capacity, 1)
        self.cols: dict[str, np.ndarray] = {}
        self.n = 0
        self.last: tuple | None = None
        self.ordered = True

    def add(self, block: dict) -> None:
        k = len(block["date"])
        if not k:
            return
        first = (self.order[block["scenario"][0]], block["date"][0])
        if self.last is not None and first <= self.last:
            self.ordered = False
        self.last = (self.order[block["scenario"][-1]], block["date"][-1])
        if self.n + k > self.capacity:
            self._grow(self.n + k)
        for name in self.names:
            values = np.asarray(block[name])
            if name not in self.cols:
                kind = values.dtype if values.dtype.kind == "f" else object
                self.cols[name] = np.empty(self.capacity, dtype=kind)
            self.cols[name][self.n : self.n + k] = values
        self.n += k

    def _grow(self, need: int) -> None:
        self.capacity = max(need, 2 * self.capacity)
        for name, old in self.cols.items():
            self.cols[name] = np.empty(self.capacity, dtype=old.dtype)
            self.cols[name][: self.n] = old[: self.n]

    def columns(self) -> dict:
        if not self.cols:
            return {n: np.array([], dtype=object) for n in self.names}
        cols = {n: self.cols[n][: self.n] for n in self.names}
        if not self.ordered:  # blocks overlap in time: sort the rows
            rank = np.array([self.order[s] for s in cols["scenario"]])
            keys = [
                np.unique(cols[k], return_inverse=True)[1] for k in ("status", "oblast", "date")
            ]
            idx = np.lexsort((*keys, rank))
            cols = {k: v[idx] for k, v in cols.items()}
        return cols


# --- provenance -------------------------------------------------------------------------


def provenance(table: Table, records: bool = True) -> dict:
    """Tool, data version, sources, method and the baselines used (every output carries
    it); ``records``: with a record of each baseline (the CSV's head names only their
    sources: the archive's 769 records took a third of the head's time)."""
    sources = {b.source for b in table.baselines}
    sources |= {h["source"] for sc in table.scenarios for h in sc.get("held_in") or []}
    sources = sorted(sources)  # (those of the baselines held_in steps read too)
    reconciled = any(b.reconciled is not None for b in table.baselines)
    head = report.provenance(reconciled=reconciled, ranges=False)  # as the run's, no ranges
    return {
        **head,
        "method": METHOD + " " + head["method"],
        "baseline_sources": sources,
        # (to the JSON's decimals, as a run's: 939.07 km², not 939.0669407892303)
        "baselines": (
            to_decimals([report.baseline_record(b) for b in table.baselines]) if records else []
        ),
        "missing_days": [d.isoformat() for d in table.missing],
        "scenarios": list(table.scenarios),
    }


def outline_lines(infos) -> list[str]:
    """The outline reconciliation and the DeepState area outside the units, one line per
    run of consecutive baselines with the same strips (they change rarely)."""
    units = geodata.load().units
    shown = [b for b in infos if b.reconciled is not None or b.outside_km2 is not None]
    lines = []
    for moved, span, items in _runs(shown, lambda b: b.reconciled):
        outside = [b.outside_km2 for b in items if b.outside_km2 is not None]
        text = f"{span}: "
        if moved is None:
            text += "no outline reconciliation"
        else:
            per = ", ".join(f"{units[c].name_en} {km2:,.1f}" for c, km2 in moved) or "none"
            total = sum(km2 for _, km2 in moved)
            text += f"outline reconciliation moved {total:,.1f} km² to Russian-held ({per})"
        if outside:
            lo, hi = min(outside), max(outside)
            rng = f"{lo:,.1f}" if round(lo, 1) == round(hi, 1) else f"{lo:,.1f}–{hi:,.1f}"
            text += f"; DeepState area outside the units: {rng} km²"
        lines.append(text)
    return lines


def grey_lines(infos) -> list[str]:
    """How DeepState's grey zone counts (``--contested``), one line per run of consecutive
    baselines with the same note: the CSV and the page had not said it, though the
    figures change with it (the JSON and Parquet did)."""
    noted = [b for b in infos if b.grey_zone]
    return [f"{span}: {note}" for note, span, _ in _runs(noted, lambda b: b.grey_zone)]


def _runs(infos, key) -> list[tuple[object, str, list]]:
    """Runs of consecutive baselines with the same ``key``: (key, 'first … last', items)."""
    groups: list[tuple[object, list]] = []
    for b in infos:
        if not groups or groups[-1][0] != key(b):
            groups.append((key(b), []))
        groups[-1][1].append(b)
    out = []
    for value, items in groups:
        first, last = items[0].name, items[-1].name
        out.append((value, first if first == last else f"{first} … {last}", items))
    return out


def missing_lines(missing) -> list[str]:
    """The days the archive has no map for, within the range asked: left out, not drawn."""
    if not missing:
        return []
    days = ", ".join(d.isoformat() for d in missing[:12])
    more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
    return [
        f"no DeepState map in the archive for {len(missing)} day"
        f"{'s' * (len(missing) != 1)} of this range ({days}{more}): left out"
    ]


def other_lines(infos) -> list[str]:
    """The date of each baseline that is not a DeepState day (whose name says its date)."""
    return [f"{b.date}: {b.name} ({b.source})" for b in infos if b.name != f"deepstate:{b.date}"]


def digits(column: str) -> int:
    """Decimals a figure is written with, as ``run`` writes its CSV and JSON: km² to 0.01,
    people to 0.1 (the method supports no more; the timeline had written 0.0001 and 0.01)."""
    return 2 if column.endswith("km2") else 1


def write_text(path: Path, text: str) -> Path:
    """Write a text file atomically (see ``files.write_text``)."""
    return files.write_text(path, text)


def reported_line(sc: dict) -> str:
    """Where a scenario's terms were reported, for a comment line of the CSV: 'scenario x
    reported: Axios (2025-11-20) https://…; …'."""
    cites = "; ".join(
        " ".join(str(v) for v in (r["source"], f"({r['date']})", r.get("url")) if v)
        for r in sc["reported"]
    )
    return f"scenario {sc['id']} reported: {cites}"


def held_in_line(sc: dict, held: dict) -> str:
    """Another baseline a scenario's ``held_in`` steps read, for a comment line of the CSV:
    'scenario x reads held_in baseline NAME (DATE; SOURCE)' — its figures depend on it too."""
    return (
        f"scenario {sc['id']} reads held_in baseline {held['name']} "
        f"({held.get('date') or 'undated'}; {held['source']})"
    )
