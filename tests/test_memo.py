"""Results remembered per object identity: computed once for the same objects only."""

from __future__ import annotations

import shapely

from modeller.memo import ByIdentity


def test_the_same_objects_are_computed_once_and_equal_ones_again():
    store, calls = ByIdentity(10), []
    a, b = shapely.box(0, 0, 1, 1), shapely.box(0, 0, 1, 1)  # equal, not the same object

    def area(g):
        calls.append(g)
        return g.area

    assert store.get((a,), lambda: area(a)) == 1.0
    assert store.get((a,), lambda: area(a)) == 1.0
    assert store.get((b,), lambda: area(b)) == 1.0
    assert store.get((a,), lambda: 2 * area(a), extra="double") == 2.0
    assert [id(g) for g in calls] == [id(a), id(b), id(a)]


def test_an_entry_keeps_its_objects_alive_so_ids_stay_theirs():
    store = ByIdentity(10)
    store.get((shapely.box(0, 0, 1, 1),), lambda: "first")
    # the box above is held by the store: a new object cannot take its id and its result
    fresh = [shapely.box(0, 0, 2, 2) for _ in range(50)]
    assert all(store.get((g,), lambda: "new") == "new" for g in fresh[:5])


def test_a_full_store_starts_afresh():
    store = ByIdentity(3)
    keep = [shapely.Point(i, 0) for i in range(5)]
    for g in keep:
        store.get((g,), lambda: None)
    assert len(store.store) <= 3
