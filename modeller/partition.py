"""The partition: Ukraine cut into pieces, each with its baseline and scenario status.

Every figure after the engine is a tally over a partition. A piece is the part of one
oblast that had status ``before`` in the baseline and has status ``after`` once the
scenario is applied, so transfers (before != after) are read straight off the pieces.
Partitions are immutable; applying a scenario returns a new one that remembers its parent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from functools import cached_property

import numpy as np
import shapely

from .errors import InputError
from .gazetteer import resolve_unit
from .geodata import area_km2
from .regions import overlay, polygonal, union_regions
from .statuses import BUILTIN_STATUSES

__all__ = ["overlay", "polygonal", "union_regions"]  # re-exported: overlays stay polygonal


@dataclass(frozen=True)
class BaselineInfo:
    """What a baseline is: its name, the date it describes, where it comes from, how."""

    name: str
    date: Date | None
    source: str
    method: str = ""
    reconciled: tuple[tuple[str, float], ...] | None = None  # km² moved per unit; None: off
    outside_km2: float | None = None  # area of the source outside the units (DeepState)
    grey_zone: str | None = None  # how the source treats contested land (None: not said)
    units: tuple[str, str] = ()  # (data digest, name) of the units it was drawn on; (): unsaid
    # km² per unit cut off behind Russian lines and left Ukrainian-held (the timeline's; run
    # says it in a warning)
    cut_off: tuple[tuple[str, float], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.date.isoformat() if self.date else 'undated'})"


@dataclass(frozen=True)
class Piece:
    oblast: str
    before: str
    after: str
    geometry: object = field(compare=False, repr=False)
    attrs: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple:
        return (self.oblast, self.before, self.after, self.attrs)


@dataclass(frozen=True)
class Partition:
    """An immutable partition of Ukraine by (oblast, baseline status, scenario status)."""

    pieces: tuple[Piece, ...]
    baseline: BaselineInfo
    scenario: object | None = None  # modeller.scenario.Scenario once applied
    parent: Partition | None = field(default=None, repr=False, compare=False)
    warnings: tuple[str, ...] = ()  # e.g. steps that selected nothing

    def __repr__(self) -> str:
        """A line: what it is drawn from, not every piece's polygon."""
        applied = getattr(self.scenario, "id", None)
        oblasts = len({p.oblast for p in self.pieces})
        return (
            f"<Partition: {self.baseline.label}"
            + (f" + {applied}" if applied else "")
            + f"; {len(self.pieces)} pieces in {oblasts} units, metres in LAEA"
            + " (geodata.EQUAL_AREA)>"
        )

    @cached_property
    def areas_km2(self) -> np.ndarray:
        """Area of every piece, in the order of ``pieces`` (read-only: kept, and shared with
        every tally of the partition; a caller's ``km /= 1000`` had changed its figures)."""
        areas = np.array(area_km2(np.array([p.geometry for p in self.pieces])), dtype=float)
        areas.flags.writeable = False
        return areas

    @property
    def total_km2(self) -> float:
        return float(self.areas_km2.sum())

    def oblast_pieces(self, oblast: str) -> list[Piece]:
        """The pieces of one unit, by its ISO code or name (``Donetsk``, ``UA-14``)."""
        code = _unit_code(oblast)
        return [p for p in self.pieces if p.oblast == code]

    def held(self, status: str, oblast: str | None = None, when: str = "after"):
        """Union of the territory with ``status`` (in the baseline if when='before'), in
        one unit (ISO code or name) or all; a status this partition cannot hold, or a
        ``when`` other than 'before' and 'after', is an InputError, not an empty shape."""
        if when not in ("before", "after"):
            raise InputError(
                f"when={when!r}: valid: 'before' (the baseline) or 'after' (once applied)"
            )
        scenario = getattr(self.scenario, "statuses", None) or {}
        known = {*BUILTIN_STATUSES, *scenario, *(getattr(p, when) for p in self.pieces)}
        if not isinstance(status, str) or status not in known:
            raise InputError(
                f"no status {status!r} in this partition; valid: {', '.join(sorted(known))}"
            )
        code = None if oblast is None else _unit_code(oblast)
        geoms = [
            p.geometry
            for p in self.pieces
            if getattr(p, when) == status and (code is None or p.oblast == code)
        ]
        return shapely.union_all(geoms) if geoms else shapely.Polygon()


def _unit_code(oblast: object) -> str:
    """A unit's ISO code from its code or name; InputError with a hint otherwise."""
    if isinstance(oblast, Iterable) and not isinstance(oblast, str):  # (a list had been
        raise InputError(  # "unknown oblast '['UA-14', 'UA-09']'")
            f"oblast takes one oblast, by name or code (e.g. 'Donetsk' or 'UA-14'), got "
            f"{type(oblast).__name__} {oblast!r:.60}; for several, call once for each"
        )
    try:
        return resolve_unit(str(oblast))
    except ValueError as exc:
        raise InputError(str(exc)) from None


def merge_pieces(pieces: list[Piece]) -> tuple[Piece, ...]:
    """Union pieces that share a key; drop empty ones; stable order by key."""
    groups: dict[tuple, list[Piece]] = {}
    for p in pieces:
        if not p.geometry.is_empty:
            groups.setdefault(p.key, []).append(p)
    out = []
    for key in sorted(groups):
        group = groups[key]
        geom = group[0].geometry if len(group) == 1 else union_regions([p.geometry for p in group])
        out.append(Piece(group[0].oblast, group[0].before, group[0].after, geom, group[0].attrs))
    return tuple(out)


def as_baseline(partition: Partition, info: BaselineInfo) -> Partition:
    """Freeze an applied partition into a baseline: its scenario statuses become 'before'."""
    pieces = [Piece(p.oblast, p.after, p.after, p.geometry, p.attrs) for p in partition.pieces]
    return Partition(merge_pieces(pieces), info)
