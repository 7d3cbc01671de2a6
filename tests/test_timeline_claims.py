"""A segment of days measured from both ends at once (``timeline_read.Claim``): each day
once, by one of the two workers, with the figures of a walk from the first day on."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import archive, timeline_measure, timeline_read, timeline_run
from modeller.scenario import load_scenarios
from modeller.timeline_plan import make_plan
from modeller.timeline_read import Claim

REPO = Path(__file__).resolve().parent.parent


@given(n=st.integers(0, 40), order=st.lists(st.booleans(), max_size=90))
@settings(max_examples=200)
def test_two_claims_take_every_day_of_a_segment_once(n, order):
    """Whatever the order the two ends take days in, every day goes to exactly one of
    them, the forward one's in date order and the backward one's from the last day back."""
    days = list(range(n))
    ends = multiprocessing.Array("q", [0, n - 1])
    forward, backward = Claim(days, ends, 0, False), Claim(days, ends, 0, True)
    took: dict[bool, list] = {False: [], True: []}
    for back in [*order, *[False] * (n + 1), *[True] * (n + 1)]:
        day = (backward if back else forward).take()
        if day is not None:
            took[back].append(day)
    assert sorted(took[False] + took[True]) == days
    assert took[False] == sorted(took[False])
    assert took[True] == sorted(took[True], reverse=True)
    if took[False] and took[True]:
        assert max(took[False]) < min(took[True])


def test_a_second_segment_keeps_its_own_ends():
    """Two segments share one array: claims of one leave the other's days alone."""
    ends = multiprocessing.Array("q", [0, 2, 0, 1])
    first, second = Claim(list("abc"), ends, 0, True), Claim(list("xy"), ends, 1, False)
    assert [first.take() for _ in range(4)] == ["c", "b", "a", None]
    assert [second.take() for _ in range(3)] == ["x", "y", None]


@pytest.fixture(scope="module")
def plan(shared_data):
    loaded = load_scenarios([REPO / "scenarios"])
    return make_plan([sc for _, sc in loaded])


def test_days_measured_from_the_last_back_equal_those_measured_in_date_order(plan):
    """A busy month of the Donetsk front (a 20 km band, pockets, outline strips), walked
    backwards and from both ends, gives each day the figures of the walk in date order."""
    days = [s for s in archive.snapshots() if s.feature is None]
    days = [s for s in days if "2024-09-20" <= s.day.isoformat() <= "2024-10-31"]
    assert len(days) > 30
    ahead = timeline_measure.measure(plan.geometry, days)
    ends = multiprocessing.Array("q", [0, len(days) - 1])
    timeline_measure.share_ends(ends)
    try:
        back = timeline_measure.measure(plan.geometry, days, (0, True))
        assert back.dates == ahead.dates  # (in date order, though measured the other way)
        ends[:] = [0, len(days) - 1]
        first = timeline_measure.measure(plan.geometry, days[:12], None)  # warm: no claim
        ends[:] = [len(first.dates), len(days) - 1]
        front = timeline_measure.measure(plan.geometry, days, (0, True))
        none_left = [timeline_measure.measure(plan.geometry, days, (0, b)) for b in (0, 1)]
    finally:
        timeline_measure.share_ends(None)
    for m in none_left:  # (the last-day end too: no rows, not every row reversed)
        assert m.dates == () and m.km2.shape[0] == m.weight.shape[0] == 0
    joined = timeline_measure.merge([first, front, *none_left])
    for got in (back, joined):
        assert got.dates == ahead.dates
        assert got.infos == ahead.infos
        np.testing.assert_allclose(got.km2, ahead.km2, rtol=1e-9, atol=1e-6)
        np.testing.assert_array_equal(got.weight, ahead.weight)
    assert (ahead.km2 > 0).any(axis=1).all()


def test_local_workers_share_one_segment_from_both_ends(shared_data):
    """Two local workers measure one segment from its two ends: the table holds every day
    once, as one worker alone gives it."""
    loaded = load_scenarios([REPO / "scenarios" / "draft-20-points-2025-12.yaml"])
    days = [s for s in archive.snapshots() if s.feature is None]
    days = [s for s in days if "2025-06-01" <= s.day.isoformat() <= "2025-06-20"]
    assert timeline_run.segments(days, 2) == [days]
    assert len(timeline_run.segments(days, 4)) == 2
    alone = timeline_run.build_table(loaded, days, workers=1)
    both = timeline_run.build_table(loaded, days, workers=2)
    for name in ("date", "oblast", "status"):
        assert list(both.columns[name]) == list(alone.columns[name])
    np.testing.assert_allclose(both.columns["km2"], alone.columns["km2"], rtol=1e-9)
    np.testing.assert_allclose(both.columns["people"], alone.columns["people"], rtol=1e-9)


def _redraw_days() -> list:
    """2024-09-12 … 09-16: on 09-14 DeepState's export rounded half the vertices to six
    decimals (every boundary segment changed, 0.04 km² moved); 09-15 is 09-13 again with
    the day's changes."""
    days = [s for s in archive.snapshots() if s.feature is None]
    return [s for s in days if "2024-09-12" <= s.day.isoformat() <= "2024-09-16"]


@pytest.mark.parametrize("backward", [False, True])
def test_a_day_that_redraws_the_map_and_is_undone_the_next_is_read_aside(shared_data, backward):
    from modeller.timeline_read import Reader

    days = _redraw_days()[:: -1 if backward else 1]
    clock = type("Clock", (), {"lap": lambda self, stage: None})()
    read = list(Reader(days, clock))
    assert [d.snap.day.isoformat() for d in read] == [d.day.isoformat() for d in days]
    assert {d.snap.day.isoformat() for d in read if d.aside} == {"2024-09-14"}
    # the day after (before, walking back) is compared with the day before it: few changes
    after = read[3]
    assert after.land.changed is not None and len(after.land.changed) < 300


def test_days_measured_with_a_day_aside_equal_those_measured_one_after_another(plan, monkeypatch):
    """The redrawn day and the days around it get the figures of the plain walk, which
    measures every change in turn (each figure to a millionth of a km² and of a person)."""
    days = _redraw_days()
    aside = timeline_measure.measure(plan.geometry, days)
    monkeypatch.setattr(timeline_read, "REDRAWN", 2.0)  # no day is ever put aside
    plain = timeline_measure.measure(plan.geometry, days)
    assert aside.dates == plain.dates
    np.testing.assert_allclose(aside.km2, plain.km2, rtol=0, atol=1e-6)
    np.testing.assert_allclose(aside.weight, plain.weight, rtol=0, atol=1e-6)
    assert aside.infos == plain.infos


def _reachable(root, kinds: tuple) -> tuple[set[type], set[int]]:
    """From ``root`` through containers and modeller objects (not frozen dataclasses):
    the modeller classes met, and the ids of the mutable things (containers, arrays and
    objects of ``kinds``)."""
    classes, mutable, seen, todo = set(), set(), set(), [root]
    while todo:
        x = todo.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, (list, dict, set, np.ndarray, *kinds)):
            mutable.add(id(x))
        if isinstance(x, (list, tuple, set)):
            todo.extend(x)
        elif isinstance(x, dict):
            todo.extend(x.values())
        elif type(x).__module__.startswith("modeller.") and hasattr(x, "__dict__"):
            params = getattr(type(x), "__dataclass_params__", None)
            if params is None or not params.frozen:
                classes.add(type(x))
                todo.extend(vars(x).values())
    return classes, mutable


def test_a_fork_of_the_days_state_copies_all_of_it_that_changes(plan):
    """What a reader and a walk keep between days holds no object of a state class that
    ``fork`` would not copy, and the copy shares nothing mutable with the state."""
    from modeller.timeline_day import fork

    days = _redraw_days()
    clock = type("Clock", (), {"lap": lambda self, stage: None})()
    reader = timeline_read.Reader(days, clock)
    walk = timeline_measure._Walk(plan.geometry)
    km2 = np.zeros((len(days), plan.geometry.n_classes * len(plan.geometry.atoms)))
    for t, day in enumerate(reader):
        walk.day(day, t, km2, np.zeros_like(km2), clock)
    for state, kinds in (
        ((reader.outline, reader.pockets), timeline_read.STATE),
        (walk, timeline_measure.STATE),
    ):
        classes, mutable = _reachable(state, kinds)
        assert classes <= set(kinds), classes - set(kinds)
        assert len(classes) >= 2
        _, copied = _reachable(fork(state, kinds), kinds)
        assert not mutable & copied
