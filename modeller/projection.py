"""The working CRS's projection (lon/lat ↔ Lambert azimuthal equal-area metres) in numpy,
the closed form PROJ also evaluates (``laea``): ~10× faster than a pyproj call per point.

pyproj stays the reference: ``tests/test_projection.py`` holds the two within a micrometre
over Ukraine and beyond, and coordinates this form is not meant for (non-finite, near the
poles, or more than 60° of longitude from the centre) are handed to pyproj.
"""

from __future__ import annotations

import numpy as np

from . import laea
from .laea import E2, LON_0, A, E

_QP, _RQ, _D, _SINB1, _COSB1 = laea.QP, laea.RQ, laea.D, laea.SINB1, laea.COSB1
MAX_LAT, MAX_DLON = 85.0, 60.0  # beyond: pyproj decides (see module docstring)


def fits(lon: np.ndarray, lat: np.ndarray) -> bool:
    """Whether every point is one ``forward`` is meant for (finite, away from the poles
    and the far side of the globe)."""
    return bool(
        len(lon) == 0
        or (
            np.isfinite(lon).all()
            and np.isfinite(lat).all()
            and np.abs(lat).max() <= MAX_LAT
            and np.abs(lon - LON_0).max() <= MAX_DLON
        )
    )


def forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ellipsoidal oblique Lambert azimuthal equal-area, x and y in metres (``laea.forward``
    on arrays). Only for points where ``fits`` holds."""
    return laea.forward(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), np)


def inverse(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``forward`` undone: working-CRS metres → lon/lat degrees (NaN where no point maps
    there; the caller checks the result with ``fits``).

    Notes
    -----
    With ρ = √((x/D)² + (D y)²) and C = 2 asin(ρ / 2R_q) (Snyder 1987, eqs. 24-28, 24-29),

    .. math:: \\sin β = \\cos C \\sin β_1 + D y \\sin C \\cos β_1 / ρ,
              λ = \\operatorname{atan2}(x \\sin C, D ρ \\cos β_1 \\cos C - D^2 y \\sin β_1 \\sin C)

    and φ solves q(φ) = q(90°) sin β: Snyder's series in β (eq. 3-18, which PROJ 9.5 stops
    at, within 10⁻¹⁰ rad), then one step of Newton's method (eq. 3-16), which takes it to
    the last bit: ``inverse(forward(p))`` is p within nanometres, 0.6 mm from PROJ 9.5 at
    most over Ukraine (``tests/test_projection.py``).
    """
    x = np.asarray(x, dtype=float) / (A * _RQ * _D)
    y = np.asarray(y, dtype=float) * _D / (A * _RQ)
    rho = np.hypot(x, y)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = 2 * np.arcsin(0.5 * rho)
        cos_c, sin_c = np.cos(c), np.sin(c)
        sin_b = np.where(rho > 0, cos_c * _SINB1 + y * sin_c * _COSB1 / rho, _SINB1)
        lam = np.arctan2(x * sin_c, rho * _COSB1 * cos_c - y * _SINB1 * sin_c)
        two_b = 2 * np.arcsin(sin_b)
        phi = two_b / 2 + _S1 * np.sin(two_b) + _S2 * np.sin(2 * two_b) + _S3 * np.sin(3 * two_b)
        s = np.sin(phi)
        w = 1 - E2 * s * s
        q = _QP * sin_b
        newton = q / (1 - E2) - s / w + np.log((1 - E * s) / (1 + E * s)) / (2 * E)
        phi = phi + w * w / (2 * np.cos(phi)) * newton
    return np.degrees(lam) + LON_0, np.degrees(phi)


# Snyder (1987) eq. 3-18: geodetic from authalic latitude, coefficients of sin 2β, 4β, 6β
_S1 = E2 / 3 + 31 * E2**2 / 180 + 517 * E2**3 / 5040
_S2 = 23 * E2**2 / 360 + 251 * E2**3 / 3780
_S3 = 761 * E2**3 / 45360


def densify(xy: np.ndarray, rings: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Points added along every segment longer than ``step`` (GEOS's densify, as
    ``shapely.segmentize`` does it, repeated points dropped), for rings given as
    coordinates ``xy`` (n, 2) and ring offsets ``rings``; the new coordinates and offsets.

    Notes
    -----
    A segment of length L > step is cut into k = ⌈L / step⌉ equal parts; its j-th point
    is p₀ + (j · (L / k) / L)(p₁ − p₀), the same arithmetic as GEOS, so the same numbers.
    """
    n = len(xy)
    if n < 2:
        return xy.copy(), rings.copy()
    d = xy[1:] - xy[:-1]
    length = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1])
    inner = np.ones(n - 1, dtype=bool)  # a segment within a ring (not from one to the next)
    inner[rings[1:-1] - 1] = False
    count = np.ones(n - 1, dtype=np.int64)
    long = inner & (length > step)
    count[long] = np.ceil(length[long] / step).astype(np.int64)
    seg = np.repeat(np.arange(n - 1), count)
    first = np.cumsum(count) - count
    j = np.arange(len(seg)) - first[seg]
    frac = (j * (length[seg] / count[seg])) / np.where(length[seg] > 0, length[seg], 1.0)
    out = np.empty((len(seg) + 1, 2))
    out[:-1] = xy[seg] + frac[:, None] * d[seg]
    out[:-1][j == 0] = xy[seg[j == 0]]  # each segment's own start, exactly
    out[-1] = xy[-1]
    ring_of = np.repeat(np.arange(len(rings) - 1), np.diff(rings))
    ring_new = np.append(ring_of[seg], ring_of[-1])
    keep = np.ones(len(out), dtype=bool)  # drop a point equal to the one before it
    keep[1:] = ~((out[1:] == out[:-1]).all(axis=1) & (ring_new[1:] == ring_new[:-1]))
    sizes = np.bincount(ring_new[keep], minlength=len(rings) - 1)
    return out[keep], np.concatenate([[0], np.cumsum(sizes)])


def short_ring(geom) -> bool:
    """Whether a polygonal geometry has a ring of fewer than 4 points or a part without
    rings: GEOS's segmentize and shapely's ragged arrays crash on those."""
    import shapely

    parts = shapely.get_parts(shapely.get_parts(geom))  # (a collection's polygons too)
    rings = shapely.get_rings(parts)
    return bool(shapely.is_empty(parts).any() or (shapely.get_num_coordinates(rings) < 4).any())


def polygons(geom, step: float | None = None):
    """A lon/lat (Multi)Polygon densified every ``step`` degrees (None: not) and projected,
    in one pass over its coordinates; None when ``geom`` is another type or has points
    ``forward`` is not meant for (the caller then takes the general way)."""
    import shapely

    if shapely.get_type_id(geom) not in (3, 6):  # Polygon, MultiPolygon
        return None
    kind, xy, offsets = shapely.to_ragged_array([geom])
    # an empty ring, or a polygon part without rings: shapely's from_ragged_array crashes
    empty = (np.diff(offsets[0]) < 4).any() or any((np.diff(o) < 1).any() for o in offsets[1:-1])
    if empty or not fits(xy[:, 0], xy[:, 1]):
        return None
    if step is not None:
        xy, rings = densify(xy, offsets[0], step)
        if (np.diff(rings) < 4).any():  # a ring fell below a ring's 4 points: GEOS decides
            return None
        offsets = (rings, *offsets[1:])
    x, y = forward(xy[:, 0], xy[:, 1])
    return shapely.from_ragged_array(kind, np.column_stack([x, y]), offsets)[0]
