"""Geometry for the static maps, in the equal-area working CRS (metres): context layers,
the frame around the land that changes hands, and shapely -> matplotlib paths.

Display only: geometry is clipped to the frame and simplified to about a pixel; no figure
is ever computed from it.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import shapely
from shapely.geometry import shape

from .. import geodata, geomcache, memo
from ..partition import Partition
from ..regions import clip_box

MARGIN = 0.15  # of the changed area's extent, on each side
MIN_EXTENT_M = 160_000.0
BASE_TOLERANCE_M = 150.0
"""Context layers are simplified once to this (under a pixel of the closest possible frame,
160 km over ~840 px); each image then clips and simplifies them to its own pixel size."""
SMALL_MAP_M = 5000.0
"""Simplification of the small maps of all Ukraine (locator, overview): ~1–2 of their
pixels (about 1,400 km over 250–290 px)."""


@cache
def context() -> dict:
    """Neighbours, the Dnipro, oblast outlines and Ukraine's outline in the working CRS;
    kept between runs (``geomcache``: ~0.1 s of every image process's start)."""
    folder = geodata.geodata_dir()
    units = geodata.load().geometry  # (the embedded files are in every key)
    key = geomcache.digest("static map context", BASE_TOLERANCE_M, *units.values())
    kept = geomcache.kept(key, lambda: _context(folder, units), tuple(_KEPT))
    return {
        name: shapely.get_parts(kept[name]) if many else kept[name] for name, many in _KEPT.items()
    }


_KEPT = {"neighbours": True, "river": False, "water": False, "oblasts": True, "ukraine": False}
"""The context's shapes: True for an array of shapes (kept as one collection)."""


def _context(folder, units: dict) -> dict:
    raw = json.loads((folder / "neighbours.geojson").read_text(encoding="utf-8"))
    neighbours = [
        shapely.simplify(geodata.to_equal_area(shape(f["geometry"])), BASE_TOLERANCE_M)
        for f in raw["features"]
    ]
    river, water = shapely.GeometryCollection(), shapely.GeometryCollection()
    path = folder / "dnipro.geojson"
    if path.exists():
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            geom = geodata.to_equal_area(shape(f["geometry"]))
            if f["properties"]["kind"] == "river":
                river = geom
            else:
                water = geom
    oblasts = shapely.simplify(  # ~a pixel of the closest frame; each image simplifies further
        np.array(list(units.values()), dtype=object), BASE_TOLERANCE_M
    )
    parts = shapely.get_parts(shapely.union_all(oblasts))  # outline only: slivers between
    ukraine = shapely.simplify(  # the units would draw as specks inside it
        shapely.union_all(shapely.polygons(shapely.get_exterior_ring(parts))), 4000.0
    )
    return {
        "neighbours": shapely.GeometryCollection(neighbours),
        "river": river,
        "water": water,
        "oblasts": shapely.GeometryCollection(list(oblasts)),
        "ukraine": ukraine,
    }


def frame(partition: Partition, aspect: float) -> tuple[float, float, float, float]:
    """The map's extent: the land changing hands plus a margin, at the axes' aspect.

    All of Ukraine when nothing changes. ``aspect`` is width / height of the map axes.
    """
    moved = [p.geometry for p in partition.pieces if p.before != p.after]
    if moved:
        x0, y0, x1, y1 = shapely.total_bounds(np.array(moved, dtype=object))
        dx, dy = x1 - x0, y1 - y0
        x0, x1 = x0 - MARGIN * dx, x1 + MARGIN * dx
        y0, y1 = y0 - MARGIN * dy, y1 + MARGIN * dy
    else:
        x0, y0, x1, y1 = context()["ukraine"].bounds
        pad = 0.03 * (x1 - x0)
        x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, MIN_EXTENT_M), max(y1 - y0, MIN_EXTENT_M)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def clip_simplify(geoms, box: tuple, tolerance: float, topology: bool = False) -> np.ndarray:
    """Clip to the (padded) frame and simplify to about a pixel; drop what vanishes.

    ``topology``: keep rings valid (needed when the tolerance is many pixels, as on the
    small maps of all Ukraine, where a plain simplification leaves specks)."""
    arr = np.asarray(geoms, dtype=object)
    if not len(arr):
        return arr
    pad = 4 * tolerance
    clipped = clip_box(arr, (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
    # drawing only: topology need not be kept (a pixel-sized self-touch draws the same), and
    # the topology-preserving variant costs ~10x more (most of a render's time)
    out = shapely.simplify(clipped, tolerance, preserve_topology=topology)
    return out[~shapely.is_empty(out)]


_COARSE = memo.ByIdentity(2048)


def coarse(geoms, tolerance: float) -> np.ndarray:
    """Each geometry simplified to ``tolerance`` with valid rings, for the small maps of all
    Ukraine (locator, overview); empty results dropped.

    Remembered per geometry object: each piece is simplified once per run (``maps.images``
    does it before forking its workers, which inherit the results)."""

    def simplified(g):
        return shapely.simplify(g, tolerance, preserve_topology=True)

    out = [_COARSE.get((g,), lambda g=g: simplified(g), tolerance) for g in geoms]
    return np.asarray([g for g in out if not g.is_empty], dtype=object)


def polygon_path(geoms):
    """One matplotlib Path for any number of (multi)polygons (rings oriented for holes)."""
    from matplotlib.path import Path as MplPath

    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[shapely.get_type_id(parts) == 3]
    if not len(parts):
        return None
    parts = shapely.orient_polygons(parts)
    rings = shapely.get_rings(parts)
    xy, index = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1]
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:] - 1, len(xy) - 1]] = MplPath.CLOSEPOLY
    return MplPath(xy, codes)


def inset(fig, rect: tuple, box: tuple):
    """Where a small map of ``box`` (working-CRS metres) goes in ``rect`` (figure fractions:
    left, bottom, width, height): a transform from metres to the figure, and the part of
    ``rect`` it fills (a Bbox in figure fractions), shrunk about its centre to the box's
    shape, as an equal-aspect axes draws it. Without an axes: making one costs ~30 ms of
    ticks and spines a small map never shows."""
    from matplotlib.transforms import Bbox, BboxTransform

    left, bottom, width, height = rect
    across, up = box[2] - box[0], box[3] - box[1]
    scale = min(width * fig.bbox.width / across, height * fig.bbox.height / up)
    w, h = across * scale / fig.bbox.width, up * scale / fig.bbox.height
    filled = Bbox.from_bounds(left + (width - w) / 2, bottom + (height - h) / 2, w, h)
    return BboxTransform(Bbox.from_extents(*box), filled) + fig.transFigure, filled


def line_segments(geoms) -> list[np.ndarray]:
    """Coordinate arrays of every line (or polygon boundary) part, for a LineCollection."""
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    lines = []
    for part in parts:
        if part.geom_type == "Polygon":
            lines += [np.asarray(r.coords) for r in (part.exterior, *part.interiors)]
        elif part.geom_type == "LineString":
            lines.append(np.asarray(part.coords))
    return lines


def project(lonlat: list[tuple[float, float]]) -> np.ndarray:
    if not lonlat:
        return np.zeros((0, 2))
    pts = geodata.to_equal_area(shapely.points(np.asarray(lonlat, dtype=float)))
    return shapely.get_coordinates(pts)


def river_anchors(box: tuple, n: int = 7) -> list[tuple[float, float]]:
    """Points along the Dnipro inside the frame's inner part, centre-most first."""
    ctx = context()
    dx, dy = 0.1 * (box[2] - box[0]), 0.1 * (box[3] - box[1])
    inner = (box[0] + dx, box[1] + dy, box[2] - dx, box[3] - dy)
    course = shapely.union_all([ctx["river"], shapely.boundary(ctx["water"])])
    xy = shapely.get_coordinates(shapely.clip_by_rect(course, *inner))
    if not len(xy):
        return []
    centre = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
    order = np.argsort(np.hypot(*(xy - centre).T))
    step = max(1, len(order) // n)
    return [tuple(xy[i]) for i in order[::step][:n]]
