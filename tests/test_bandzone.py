"""A band's zone is drawn one way by run, its fast path and the timeline (``bandzone``): the
runs a line is cut into do not depend on which way it runs, where a loop starts, or
vertices on a straight segment (the engine's line has them where it crosses an oblast's
border), so the same stretch of line gives the same runs, buffers and zone."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import bandzone

coords = st.floats(min_value=-3e5, max_value=3e5, allow_nan=False).map(lambda v: round(v, 3))
paths = st.lists(st.tuples(coords, coords), min_size=3, max_size=60, unique=True)


def keys(line) -> set[bytes]:
    return {r.tobytes() for r in bandzone.runs(line)}


@settings(max_examples=60)
@given(paths)
def test_runs_do_not_depend_on_the_lines_direction(points):
    line = shapely.LineString(points)
    assert keys(line) == keys(shapely.reverse(line))
    kept = {tuple(p) for p in np.vstack(bandzone.runs(line))}  # its vertices, but for those
    assert kept <= set(points) and {points[0], points[-1]} <= kept  # on a straight segment


@settings(max_examples=60)
@given(paths, st.integers(min_value=0, max_value=58), st.floats(min_value=0.1, max_value=0.9))
def test_a_vertex_on_a_straight_segment_cuts_nothing(points, k, t):
    k = k % (len(points) - 1)
    a, b = np.array(points[k]), np.array(points[k + 1])
    on = tuple(a + t * (b - a))
    line = shapely.LineString(points)
    more = shapely.LineString([*points[: k + 1], on, *points[k + 1 :]])
    assert keys(more) == keys(line)


@settings(max_examples=40)
@given(st.integers(min_value=8, max_value=90), st.integers(min_value=0, max_value=89))
def test_a_loop_gives_the_same_runs_wherever_it_starts(n, start):
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radius = 1e4 * (1 + 0.3 * np.sin(5 * angle))
    ring = np.column_stack([radius * np.cos(angle), 8e3 * np.sin(angle)])
    start %= n
    a = shapely.LineString(np.vstack([ring, ring[:1]]))
    rolled = np.roll(ring, -start, axis=0)
    b = shapely.LineString(np.vstack([rolled, rolled[:1]]))
    assert keys(a) == keys(b)


def test_the_zone_is_the_lines_buffer_to_its_arcs_and_simplification():
    """The union of the runs' buffers is the band: within 0.2 % of GEOS's buffer of the
    whole line, for a wiggly line 200 km long at 20 km."""
    x = np.linspace(0, 2e5, 400)
    y = 3e3 * np.sin(x / 7e3) + 1.5e3 * np.sin(x / 1.3e3)
    line = shapely.LineString(np.column_stack([x, y]))
    zone = bandzone.zone(line, 20)
    whole = shapely.buffer(line, 20_000, quad_segs=16)
    assert len(bandzone.runs(line)) > 10
    assert abs(zone.area - whole.area) / whole.area < 2e-3
    assert shapely.symmetric_difference(zone, whole).area / whole.area < 5e-3
    assert bandzone.zone(shapely.LineString(), 20).is_empty


def group_keys(line) -> set[frozenset[bytes]]:
    return {frozenset(r.tobytes() for r in g) for g in bandzone.grouped(line)}


@settings(max_examples=40)
@given(st.integers(min_value=0, max_value=599), st.floats(min_value=50, max_value=900))
def test_a_change_leaves_the_groups_away_from_it_as_they_were(k, shift):
    """The timeline keeps each group's union between days: a vertex moved changes the
    groups holding it (at most two: it may end one) and no other, whichever way the line
    runs; the groups hold the runs, and so the zone, unchanged."""
    x = np.linspace(0, 3e5, 600)
    xy = np.column_stack([x, 4e3 * np.sin(x / 9e3) + 1e3 * np.sin(x / 1.1e3)])
    moved = xy.copy()
    moved[k, 1] += shift
    before, after = shapely.LineString(xy), shapely.LineString(moved)
    old, new = group_keys(before), group_keys(after)
    assert len(old) > 10 and group_keys(shapely.reverse(before)) == old
    assert len(old - new) <= 2
    holding = {g for g in old if any(xy[k].tobytes() in r for r in g)}
    assert old - new <= holding


def _plain_runs(xy: np.ndarray) -> list[np.ndarray]:
    """An open chain's runs the plain way: cut at every marked vertex, each run turned to
    start from its lesser end (tuples compared), its envelope by min and max."""
    mark = bandzone._marked(xy)[0]
    cuts = [0, *[i for i in range(1, len(xy) - 1) if mark[i]], len(xy) - 1]
    runs = [xy[i : j + 1] for i, j in zip(cuts, cuts[1:], strict=False)]
    return [r[::-1] if tuple(r[0]) > tuple(r[-1]) else r for r in runs]


@settings(max_examples=80)
@given(paths, st.booleans())
def test_runs_and_envelopes_are_those_of_the_plain_per_run_code(points, ties):
    """``grouped`` orients runs and ``envelopes`` bounds them for many runs at once: the
    same runs and envelopes as cutting, turning and bounding one run at a time (x ties
    among the ends too, where y decides)."""
    xy = np.array(points, dtype=float)
    if ties:
        xy[:, 0] = np.round(xy[:, 0], -5)
    xy = bandzone._straightened(xy)
    if len(xy) < 2 or len(np.unique(xy, axis=0)) < len(xy):
        return
    line = shapely.LineString(xy)
    want = _plain_runs(xy)
    got = bandzone.runs(line)
    assert [r.tobytes() for r in got] == [r.tobytes() for r in want]
    plain = np.array([(*r.min(axis=0), *r.max(axis=0)) for r in want])
    assert np.array_equal(bandzone.envelopes(got), plain)
