"""The band part of the timeline (``timeline_bands``): its bookkeeping of settlements
across days (which are tested on a day, which keep their answer) and its line of contact
drawn in a box."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from modeller.scenario_selectors import Band
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


def _local_lines(spec: str):
    """The engine's line of contact of a baseline, and the timeline's drawn in boxes 80 km
    wide around points along it: (box, whether it lies inside the country, engine's, local)."""
    import shapely

    from modeller import bandregion, baselines, engine
    from modeller.timeline_bands import _contact_line_near

    pieces = baselines.load_baseline(spec).pieces
    whole = bandregion.contact_line(pieces)
    russia = engine.union_regions([p.geometry for p in pieces if p.before == "russia"])
    geom = SimpleNamespace(ukraine=bandregion.country())
    shapely.prepare(geom.ukraine)
    out = []
    for at in np.linspace(0, 1, 25):
        p = shapely.line_interpolate_point(shapely.line_merge(whole), at, normalized=True)
        box = (p.x - 40_000, p.y - 40_000, p.x + 40_000, p.y + 40_000)
        inside = bool(shapely.contains_properly(geom.ukraine, shapely.box(*box)))
        local = _contact_line_near(geom, shapely.clip_by_rect(russia, *box), box)
        out.append((box, inside, whole, local))
    return out


@pytest.mark.parametrize("spec", ["contact-line", "deepstate:2025-08-15"])
def test_the_local_line_of_contact_is_the_engines_inside_and_astride_the_border(spec, request):
    import shapely

    if spec.startswith("deepstate"):
        request.getfixturevalue("shared_data")  # skips without the archive
    lines = _local_lines(spec)
    assert {inside for _, inside, _, _ in lines} == {True, False}  # both ways are drawn
    for box, inside, whole, local in lines:
        # drawn the same way inside and astride the border (sub-metre slivers of
        # Ukrainian-held land along the state border, 536 m by Dvorichna on 2025-08-15,
        # are no line of contact in either: bandzone.contact)
        inner = (box[0] + 2, box[1] + 2, box[2] - 2, box[3] - 2)
        want, got = shapely.clip_by_rect(whole, *inner), shapely.clip_by_rect(local, *inner)
        assert abs(want.length - got.length) < 1e-3, (box, inside)
        assert shapely.hausdorff_distance(want, got) < 1e-3, (box, inside)
        # along the box's own edges, only stubs where the line crosses them: the facing land
        # is eroded by half a metre at the box's edge too, and at an oblique crossing the
        # mitred 1.5 m reaches a few metres along it (all within EDGE_M of the box's edge,
        # beyond any band's reach of what is measured)
        edges = shapely.get_parts(
            shapely.line_merge(shapely.intersection(local, shapely.boundary(shapely.box(*box))))
        )
        assert all(e.length < 25.0 for e in edges), (box, [e.length for e in edges])
