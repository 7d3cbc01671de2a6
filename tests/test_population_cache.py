"""The population model kept between runs: read back exactly as made, made again when its
inputs change or its file is damaged, never written when turned off."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from modeller import geodata, population


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MODELLER_POPULATION_CACHE", raising=False)
    population._default.cache_clear()
    yield tmp_path / population.CACHE_KIND
    population._default.cache_clear()


def assert_same(a: population.Population, b: population.Population) -> None:
    assert (a.source, a.method) == (b.source, b.method)
    for x, y in zip(a.layouts, b.layouts, strict=True):
        for field in ("xy", "unit", "settlement"):
            u, v = getattr(x, field), getattr(y, field)
            assert u.dtype == v.dtype and np.array_equal(u, v), field
        gx, gy = x.groups, y.groups  # each unit's points, in order
        assert list(gx) == list(gy) and all(np.array_equal(gx[k], gy[k]) for k in gx)
    for x, y in zip(a.variants, b.variants, strict=True):
        assert (x.name, x.layout) == (y.name, y.layout)
        assert np.array_equal(x.weight, y.weight)


def made_counted(monkeypatch) -> list[int]:
    made: list[int] = []
    real = population.oblast_model

    def counting(data=None):
        made.append(1)
        return real(data)

    monkeypatch.setattr(population, "oblast_model", counting)
    return made


def test_the_kept_model_is_the_model(folder, monkeypatch):
    data = geodata.load()
    made = made_counted(monkeypatch)
    first = population._default(data)
    assert len(made) == 1 and len(list(folder.glob("*.npz"))) == 1
    population._default.cache_clear()
    again = population._default(data)
    assert len(made) == 1  # read back, not made
    for layout in again.layouts:  # grouped from the file's codes, as sorting them groups
        kept = layout.__dict__["groups"]
        sorted_again = population.unit_groups(layout.unit)
        assert list(kept) == list(sorted_again)
        assert all(np.array_equal(kept[k], sorted_again[k]) for k in kept)
    assert_same(again, first)
    assert_same(again, population.oblast_model(data))  # and what is made afresh


def test_a_damaged_file_is_made_again(folder, monkeypatch):
    data = geodata.load()
    population._default(data)
    (path,) = folder.glob("*.npz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # cut short
    population._default.cache_clear()
    made = made_counted(monkeypatch)
    model = population._default(data)
    assert len(made) == 1
    population._default.cache_clear()
    assert_same(population._default(data), model)  # the good file was written again
    assert len(made) == 1


def test_other_inputs_are_another_file(folder):
    data = geodata.load()
    population._default(data)
    moved = dataclasses.replace(data, settlement_xy=data.settlement_xy + 1.0)
    population._default(moved)
    assert len(list(folder.glob("*.npz"))) == 2


def test_turned_off_nothing_is_written(folder, monkeypatch):
    monkeypatch.setenv("MODELLER_POPULATION_CACHE", "0")
    population._default(geodata.load())
    assert not folder.exists()
