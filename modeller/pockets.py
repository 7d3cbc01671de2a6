"""Pinholes in DeepState's occupied layer: holes under ``POCKET_KM2`` are filled.

DeepState's Russian-held polygon keeps tiny holes deep behind the lines for months or
years (over the archive's 797 maps, 1,715 holes under 0.1 km², none between 0.5 and
1 km²): seams between the polygons it was drawn from, not Ukrainian-held pockets. Read
as drawn, each one's edge is a line of contact: a 20 km band along the contact line took
in a whole 20 km disc (1,257 km², 476,000 people, much of Donetsk city) around a 600 m²
hole near Marinka, on every day from 2025-02-22. Holes of 0.5 km² or more (an encircled
village, e.g. 7.3 km² near Velyka Novosilka in December 2024) stay Ukrainian-held.

Small Russian-held parts are kept: DeepState draws footholds of a fraction of a km²
along the Sumy and Kharkiv border on purpose.
"""

from __future__ import annotations

import numpy as np
import shapely

POCKET_KM2 = 0.5  # a hole in the occupied layer smaller than this is filled
METHOD = f"its holes under {POCKET_KM2:g} km² filled"  # (in each baseline's method)

_last: tuple | None = None  # (territory, keep, filled): consecutive days often repeat a map


def fill(territory, keep=None):
    """``territory`` (working CRS, valid) with its holes under ``POCKET_KM2`` filled, except
    holes that ``keep`` (e.g. the grey zone) overlaps: those are what it fills.

    The same object comes back for the same inputs (the timeline tells an unchanged day
    by identity) and when there is nothing to fill.
    """
    global _last
    if _last is not None and _last[0] is territory and _last[1] is keep:
        return _last[2]
    out = _filled(territory, keep)
    _last = (territory, keep, out)
    return out


def _filled(territory, keep):
    if territory is None or territory.is_empty:
        return territory
    parts = shapely.get_parts(territory)
    counts = shapely.get_num_interior_rings(parts)
    if not counts.any():
        return territory
    rebuilt, pockets = list(parts), []
    for i in np.flatnonzero(counts):
        rings = shapely.get_interior_ring(np.full(counts[i], parts[i]), np.arange(counts[i]))
        holes = shapely.polygons(rings)
        small = shapely.area(holes) < POCKET_KM2 * 1e6
        if keep is not None and small.any():
            overlap = shapely.area(shapely.intersection(keep, holes[small])) > 0.0
            small[np.flatnonzero(small)[overlap]] = False
        if small.any():
            pockets += list(holes[small])
            shell = shapely.get_exterior_ring(parts[i])
            rebuilt[i] = shapely.polygons(shell, holes=rings[~small])
    if not pockets:
        return territory
    # a part inside a filled hole (an island in it) is covered now: left out, no overlap
    tree = shapely.STRtree(np.array(pockets, dtype=object))
    within = tree.query(np.array(rebuilt, dtype=object), predicate="within")[0]
    covered = set(within.tolist())  # (a set, not np.unique: that loads numpy.ma, ~20 ms)
    kept = [p for k, p in enumerate(rebuilt) if k not in covered]
    if territory.geom_type == "Polygon" and len(kept) == 1:
        return kept[0]
    return shapely.multipolygons(kept)
