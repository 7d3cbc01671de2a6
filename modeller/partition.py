"""The partition: Ukraine cut into pieces, each with its baseline and scenario status.

Every figure after the engine is a tally over a partition. A piece is the part of one
oblast that had status ``before`` in the baseline and has status ``after`` once the
scenario is applied, so transfers (before != after) are read straight off the pieces.
Partitions are immutable; applying a scenario returns a new one that remembers its parent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date
from functools import cached_property

import numpy as np
import shapely

from .geodata import area_km2
from .regions import overlay, polygonal, union_regions

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
        """Area of every piece, in the order of ``pieces``."""
        return np.asarray(area_km2(np.array([p.geometry for p in self.pieces])), dtype=float)

    @property
    def total_km2(self) -> float:
        return float(self.areas_km2.sum())

    def oblast_pieces(self, oblast: str) -> list[Piece]:
        return [p for p in self.pieces if p.oblast == oblast]

    def held(self, status: str, oblast: str | None = None, when: str = "after"):
        """Union of the territory with ``status`` (in the baseline if when='before')."""
        geoms = [
            p.geometry
            for p in self.pieces
            if getattr(p, when) == status and (oblast is None or p.oblast == oblast)
        ]
        return shapely.union_all(geoms) if geoms else shapely.Polygon()


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
