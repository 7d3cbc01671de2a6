"""Whether a band would cover all the land of its side on a DeepState day: ``run`` refuses
such a band (``bandregion.band_region``), so the timeline must too, and names the day.

Proving the opposite is cheap on almost every day: one population point of the side whose
disc of ``DISC_M`` lies in the side, in Ukraine and farther from the line than GEOS's
buffer of the band reaches leaves over 1 km² outside the band (the engine's test). Only
when no point proves it is the engine's own check run on that day's baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date

import numpy as np
import shapely

from . import bandregion, baselines
from .archive import Snapshot
from .errors import InputError
from .timeline_bands import _sure_out
from .timeline_day import Geometry, Land

DISC_M = 1000.0  # a disc of this radius: 3.1 km², more than the engine's 1 km²
FIND_AT_ONCE = 2048  # points of a side tried at once for a proof (see Sides._find)


@dataclass
class BandTooDeep(InputError):
    """The engine's error for band ``band`` (an index into the plan's bands) on a day."""

    band: int = -1
    day: Date | None = None  # the day it was found on (the earliest is said: see timeline_run)


class Sides:
    """Per band, the point that proved it leaves land outside the band, with lower bounds
    of its distances (kept from day to day: see ``check``)."""

    def __init__(self, geom: Geometry) -> None:
        self.geom = geom
        self.kept: dict[int, tuple[int, float, float]] = {}  # band: (point, line, edge)
        self.border = None  # Ukraine's outline, prepared (when first needed)

    def check(self, land: Land, point_in: np.ndarray, snap: Snapshot) -> None:
        """BandTooDeep when a band covers all the land of its side on ``snap``'s day.

        Notes
        -----
        A point's distance to the line and to the edge of its side can shrink from one
        day to the next only down to its distance to the boundary segments that changed
        (land that changed hands is bounded by them), so yesterday's bounds, lowered to
        that distance, still hold: the point is measured again only when they no longer
        prove the band leaves land outside.
        """
        for i, band in enumerate(self.geom.bands):
            if band.side not in ("russia", "ukraine", "both"):
                continue  # a declared status the archive never holds: the band is empty
            side = point_in if band.side == "russia" else ~point_in
            reach = band.km * 1000 + _sure_out(band.km * 1000) + DISC_M
            kept = self.kept.get(i)
            if kept is not None and land.changed is not None and side[kept[0]]:
                p, line, edge = kept
                if len(land.changed):
                    near = float(_segment_distance(self.geom.point_xy[p], land.changed).min())
                    line, edge = min(line, near), min(edge, near)
                self.kept[i] = (p, line, edge)
                if line > reach and edge > DISC_M:
                    continue
            found = self._find(land, band.side, np.flatnonzero(side), reach)
            if found is not None:
                self.kept[i] = found
                continue
            self.kept.pop(i, None)
            base = baselines.load_baseline(snap.spec)  # rare: only a band hundreds of km deep
            try:
                bandregion.band_region(band, base.pieces)
            except InputError as exc:
                raise BandTooDeep(f"{exc.message} (on {snap.spec})", band=i, day=snap.day) from None

    def _points(self, which) -> np.ndarray:
        """The population points ``which`` as geometries (made as asked: all of them took
        ~25 ms in each worker, and one point is all a proof needs)."""
        return shapely.points(self.geom.point_xy[which])

    def _find(self, land: Land, side: str, candidates: np.ndarray, reach: float):
        """A point of ``candidates`` that proves the band leaves land outside, with lower
        bounds of its distance to the line and to the edge of its side; None: none does.

        The candidates are tried ``FIND_AT_ONCE`` at a time, in order, until one proves it:
        any proof will do (all of them at once had taken ~50 ms of a worker's first day)."""
        layers = [g for g in (land.raw, land.grown) if g is not None]
        # in R, d(x, line) >= d(x, ∂R) - 1 m; outside R, d(x, line) >= d(x, R) (_clear)
        tests = [shapely.boundary(g) for g in layers] if side == "russia" else layers
        for g in tests:
            shapely.prepare(g)
        beyond = reach + 1.0 if side == "russia" else reach
        for start in range(0, len(candidates), FIND_AT_ONCE):
            some = candidates[start : start + FIND_AT_ONCE]
            far = self._clear(tests, some, beyond)
            if not far.any():
                continue
            p = int(some[np.argmax(far)])
            point = self._points(p)
            if side == "russia":  # (``tests``: the layers' boundaries)
                edge = min(float(shapely.distance(b, point)) for b in tests)
                return p, edge - 1.0, edge
            line = min(float(shapely.distance(g, point)) for g in layers)
            return p, line, line
        if side != "russia":
            return None
        # a deep band: a closer bound, by the rest of Ukraine (made once, ~10 ms)
        rest = shapely.difference(self.geom.ukraine, shapely.union_all(layers))
        far = self._clear_of_the_rest(rest, tests, candidates, reach)
        if not far.any():
            return None
        p = int(candidates[np.argmax(far)])
        point = self._points(p)
        line = float(shapely.distance(rest, point)) - 1.0
        edge = min(float(shapely.distance(b, point)) for b in tests)
        return p, line, edge

    def _clear(self, tests: list, which, reach: float) -> np.ndarray:
        """Per point of ``which``: whether its disc of ``DISC_M`` lies in its side, in
        Ukraine, and farther than ``reach`` from the line of contact, told by its being
        farther than ``reach`` from each of ``tests`` (prepared).

        Notes
        -----
        The line lies on the boundary of the Russian-held land R and within 1 m of the
        rest, so for x in R, d(x, line) ≥ d(x, ∂R) - 1 m ≥ min(d(x, ∂raw), d(x, ∂grown))
        - 1 m; and for x outside R, d(x, line) ≥ d(x, R) = min(d(x, raw), d(x, grown)).
        Each test is "not within" a prepared geometry (indexed: a plain distance from
        thousands of points to the whole outline took seconds).
        """
        which = np.asarray(which, dtype=int)
        points = self._points(which)
        ok = np.ones(len(which), dtype=bool)
        for g in tests:
            ok[ok] = ~shapely.dwithin(g, points[ok], reach)
        return self._inland(which, ok)

    def _clear_of_the_rest(self, rest, edges: list, which: np.ndarray, reach: float) -> np.ndarray:
        """``_clear`` for Russian-held points by their distance to the rest of Ukraine, U
        (``rest``): d(x, line) ≥ d(x, U) - 1 m. Unlike the boundary of R (``edges``: its
        layers' boundaries, prepared), U leaves out the coast and the state border, but
        costs a difference of the whole country (~10 ms)."""
        shapely.prepare(rest)
        points = self._points(which)
        ok = ~shapely.dwithin(rest, points, reach + 1.0)
        for edge in edges:
            ok[ok] = ~shapely.dwithin(edge, points[ok], DISC_M)
        return self._inland(which, ok)

    def _inland(self, which: np.ndarray, ok: np.ndarray, most: int = 16) -> np.ndarray:
        """``ok`` narrowed to points farther than ``DISC_M`` from Ukraine's outline (so is
        their disc); only the first ``most`` of them are tested (one is enough)."""
        if self.border is None:
            self.border = shapely.boundary(self.geom.ukraine)
            shapely.prepare(self.border)
        out = np.zeros_like(ok)
        some = np.flatnonzero(ok)[:most]
        out[some] = ~shapely.dwithin(self.border, self._points(which[some]), DISC_M)
        return out


def _segment_distance(xy: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Distance from a point to each segment (x0, y0, x1, y1)."""
    a, b = segments[:, :2], segments[:, 2:]
    ab = b - a
    length2 = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", xy - a, ab) / np.where(length2 > 0, length2, 1.0), 0, 1)
    return np.hypot(*(a + t[:, None] * ab - xy).T)
