"""The band part's bookkeeping of settlements across days (``timeline_bands.Bands``):
which are tested on a day, and which keep their answer."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from modeller.scenario import Band
from modeller.timeline_bands import Bands, relevant

BANDS = (Band(km=20, side="russia"), Band(km=5, side="both"), Band(km=10, side="ukraine"))


def _bands(n: int) -> Bands:
    """A Bands holding only what the settlement bookkeeping reads (no geometry)."""
    b = object.__new__(Bands)
    b.geom = SimpleNamespace(bands=BANDS)
    b.points = np.arange(n)
    b.inside = np.zeros((n, len(BANDS)), dtype=bool)
    b.stale = np.ones_like(b.inside)
    return b


def _tested(tests) -> list[list[int]]:
    return [sorted(some.tolist()) for some, _ in tests]


def test_bits_of_a_holder_are_those_of_bands_on_its_side():
    assert relevant(BANDS, "russia") == 0b011
    assert relevant(BANDS, "ukraine") == 0b110


def test_a_settlement_that_changes_sides_far_from_any_change_is_tested_again():
    b = _bands(3)
    held = np.array([True, False, True])  # points 0 and 2 Russian-held, 1 Ukrainian
    tests = b._follow(held, np.arange(3))  # the first day: everything near
    assert _tested(tests) == [[0, 2], [0, 1, 2], [1]]
    for i, (some, _) in enumerate(tests):  # as update does once they are tested
        b.inside[some, i] = True
        b.stale[some, i] = False
    # a day with no change near anyone: nothing to test, every answer kept
    tests = b._follow(held, np.zeros(0, dtype=int))
    assert _tested(tests) == [[], [], []]
    assert b.inside.tolist() == [[True, True, False], [False, True, True], [True, True, False]]
    # point 0 goes to Ukraine, far from any change: in no Russian-side band, and stale there
    held = np.array([False, False, True])
    tests = b._follow(held, np.zeros(0, dtype=int))
    assert _tested(tests) == [[], [], [0]]  # its Ukrainian-side answer was never found
    assert not b.inside[0, 0] and b.stale[0, 0]
    # it comes back, again far from any change: its Russian-side answer is found afresh
    held = np.array([True, False, True])
    tests = b._follow(held, np.zeros(0, dtype=int))
    assert _tested(tests)[0] == [0]
    assert tests[0][1].tolist() == [True]  # and flagged stale: no answer kept from before


def test_near_a_change_only_settlements_on_a_bands_side_are_tested():
    b = _bands(4)
    b.stale[:] = False
    held = np.array([True, True, False, False])
    tests = b._follow(held, np.array([1, 2]))
    assert _tested(tests) == [[1], [1, 2], [2]]
    assert [s.tolist() for _, s in tests] == [[False], [False, False], [False]]
