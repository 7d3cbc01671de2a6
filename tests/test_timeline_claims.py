"""A segment of days measured from both ends at once (``timeline_read.Claim``): each day
once, by one of the two workers, with the figures of a walk from the first day on."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import archive, timeline_measure, timeline_run
from modeller.scenario import load_scenarios
from modeller.timeline_plan import make_plan
from modeller.timeline_read import Claim

REPO = Path(__file__).resolve().parent.parent


@given(n=st.integers(0, 40), order=st.lists(st.booleans(), max_size=90))
@settings(max_examples=200, deadline=None)
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
