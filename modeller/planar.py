"""A segment clipped to a box, on plain numbers: the one Liang–Barsky clipping that
``validate``'s split check (metres) and the static maps' label leaders (pixels) share."""

from __future__ import annotations


def clip_segment(a, b, box, edges: bool = True) -> tuple[float, float] | None:
    """The part of the segment a-b in the box (x0, y0, x1, y1), as parameters
    0 ≤ t₀ ≤ t₁ ≤ 1 along it, or None when it has none. ``edges``: a segment running
    along an edge's line counts as in the box (a leader grazing a label), else not (land
    is the box's inside).

    Notes
    -----
    Liang–Barsky: with d = b − a, each edge gives p·t ≤ q for (p, q) in (−dₓ, aₓ − x₀),
    (dₓ, x₁ − aₓ), (−d_y, a_y − y₀), (d_y, y₁ − a_y); t₀ is the largest q/p with p < 0,
    t₁ the smallest with p > 0, and the segment misses the box when t₀ > t₁.
    """
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in (
        (-dx, a[0] - box[0]),
        (dx, box[2] - a[0]),
        (-dy, a[1] - box[1]),
        (dy, box[3] - a[1]),
    ):
        if p == 0:  # parallel to this edge: outside its line, or (not ``edges``) along it
            if q < 0 or (q == 0 and not edges):
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return t0, t1
