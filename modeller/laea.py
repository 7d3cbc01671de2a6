"""The working CRS's projection formula (lon/lat → Lambert azimuthal equal-area metres),
written once for plain numbers (``math``) and numpy arrays alike: ``validate`` projects a
split line's few points without loading numpy, ``projection`` whole outlines with it.
"""

from __future__ import annotations

import math

# the working CRS (geodata.EQUAL_AREA): +proj=laea +lat_0=48.5 +lon_0=31.5 +ellps=WGS84
LAT_0, LON_0 = 48.5, 31.5
A = 6378137.0  # WGS84 semi-major axis, m
F = 1 / 298.257223563  # WGS84 flattening
E2 = F * (2 - F)
E = math.sqrt(E2)


def q(sin_phi, m=math):
    """Snyder's q (Map Projections: A Working Manual, 1987, eq. 3-12): the authalic
    latitude's sine times ``q(90°)``; ``m`` is ``math`` or ``numpy``."""
    es = E * sin_phi
    return (1 - E2) * (sin_phi / (1 - es * es) - m.log((1 - es) / (1 + es)) / (2 * E))


QP = q(1.0)
RQ = math.sqrt(QP / 2)  # authalic radius / a
SINB1 = q(math.sin(math.radians(LAT_0))) / QP
COSB1 = math.sqrt(1 - SINB1 * SINB1)
D = math.cos(math.radians(LAT_0)) / (
    math.sqrt(1 - E2 * math.sin(math.radians(LAT_0)) ** 2) * RQ * COSB1
)


def forward(lon, lat, m=math):
    """Ellipsoidal oblique Lambert azimuthal equal-area, x and y in metres, of numbers
    (``m=math``) or arrays (``m=numpy``).

    Notes
    -----
    With authalic latitude β (sin β = q(φ)/q(90°)), β₁ that of the centre, λ the longitude
    from the centre, R_q = a·√(q(90°)/2) and D as in Snyder eq. 24-20:

    .. math:: B = R_q \\sqrt{2 / (1 + \\sin β_1 \\sin β + \\cos β_1 \\cos β \\cos λ)},
              x = B D \\cos β \\sin λ,
              y = (B / D)(\\cos β_1 \\sin β - \\sin β_1 \\cos β \\cos λ)

    (Snyder 1987, eqs. 24-17 to 24-19), away from the poles and the far side of the globe
    (``projection.fits``).
    """
    lam = m.radians(lon - LON_0)
    sin_b = q(m.sin(m.radians(lat)), m) / QP
    cos_b = m.sqrt(1 - sin_b * sin_b)
    cos_lam = m.cos(lam)
    b = m.sqrt(2 / (1 + SINB1 * sin_b + COSB1 * cos_b * cos_lam))
    x = A * RQ * D * b * cos_b * m.sin(lam)
    y = A * RQ / D * b * (COSB1 * sin_b - SINB1 * cos_b * cos_lam)
    return x, y
