"""The timeline's days kept between runs: a re-run measures only the days it has not seen,
and its table is the table of a run that measured every day."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from modeller import archive, cachefiles, timeline_cache, timeline_run
from modeller.errors import InputError
from modeller.scenario import load_scenarios

REPO = Path(__file__).resolve().parent.parent
DAYS = ["2025-08-13", "2025-08-14", "2025-08-15", "2025-12-24"]


@pytest.fixture
def kept_days(monkeypatch, tmp_path):
    """The timeline cache on, in a folder of this test's own; the days each build measures."""
    monkeypatch.setenv("MODELLER_TIMELINE_CACHE", "1")
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    measured: list[list[str]] = []
    real = timeline_run.measure

    def counting(geom, snapshots):
        measured[-1] += [s.day.isoformat() for s in snapshots]
        return real(geom, snapshots)

    monkeypatch.setattr(timeline_run, "measure", counting)

    def build(scenarios, snapshots):
        measured.append([])
        table = timeline_run.build_table(scenarios, snapshots, workers=1)
        return table, sorted(measured[-1])

    return build


@pytest.fixture(scope="module")
def days(shared_data) -> list[archive.Snapshot]:
    picked = [s for s in archive.snapshots() if s.day.isoformat() in DAYS and s.feature is None]
    assert [s.day.isoformat() for s in picked] == DAYS
    return picked


@pytest.fixture(scope="module")
def scenarios():
    loaded = load_scenarios([REPO / "scenarios"])
    return [x for x in loaded if x[1].id in {"draft-20-points-2025-12", "land-swap"}]


def _same(a, b, rtol: float = 0.0) -> None:
    assert a.baselines == b.baselines and a.scenarios == b.scenarios
    for name in ("columns", "attrs"):
        ca, cb = getattr(a, name), getattr(b, name)
        assert list(ca) == list(cb)
        for col in ca:
            if ca[col].dtype.kind == "f":
                np.testing.assert_allclose(ca[col], cb[col], rtol=rtol, atol=1e-9)
            else:
                assert list(ca[col]) == list(cb[col]), col


def test_a_rerun_measures_no_day_and_gives_the_same_table(kept_days, days, scenarios):
    first, measured = kept_days(scenarios, days[:3])
    assert measured == DAYS[:3]
    again, measured = kept_days(scenarios, days[:3])
    assert measured == []  # every day kept
    _same(first, again)
    assert dict(again.seconds)["kept"] >= 0


def test_a_new_day_alone_is_measured_and_agrees_with_measuring_all(
    kept_days, days, scenarios, monkeypatch
):
    kept_days(scenarios, days[:2])
    grown, measured = kept_days(scenarios, days)
    assert measured == DAYS[2:]  # the days not seen before, nothing else
    monkeypatch.setenv("MODELLER_TIMELINE_CACHE", "0")
    fresh, measured = kept_days(scenarios, days)
    assert measured == DAYS
    _same(grown, fresh, rtol=1e-9)  # a chunk's first day measured afresh: the same figures


def test_other_scenarios_measure_again(kept_days, days, scenarios):
    kept_days(scenarios, days[:2])
    _, measured = kept_days(scenarios[:1], days[:2])
    assert measured == DAYS[:2]


def test_a_replaced_day_file_is_measured_again(kept_days, days, scenarios, tmp_path):
    folder = tmp_path / "daily"
    folder.mkdir()
    snaps = []
    for snap in days[:2]:
        shutil.copy(snap.path, folder / snap.path.name)
        snaps.append(archive.Snapshot(snap.day, folder / snap.path.name))
    before, _ = kept_days(scenarios, snaps)
    # the second day's file replaced by the last day's map (a corrected file, re-downloaded)
    text = days[3].path.read_bytes()
    stamp = [f"{d.replace('-', '')}".encode() for d in (DAYS[3], DAYS[1])]
    assert stamp[0] in text
    snaps[1].path.write_bytes(text.replace(*stamp))
    after, measured = kept_days(scenarios, snaps)
    assert measured == [DAYS[1]]

    def km2(table):
        return table.columns["km2"][table.columns["date"] == DAYS[1]]

    assert len(km2(before)) and km2(before).shape == km2(after).shape
    assert not np.allclose(km2(before), km2(after))  # the new content's figures


def test_a_damaged_file_is_measured_again_and_off_writes_nothing(
    kept_days, days, scenarios, tmp_path, monkeypatch
):
    first, _ = kept_days(scenarios, days[:2])
    (kept,) = (tmp_path / "cache" / timeline_cache.KIND).iterdir()
    kept.write_bytes(kept.read_bytes()[:-100] + b"\0" * 100)  # its digest no longer fits
    again, measured = kept_days(scenarios, days[:2])
    assert measured == DAYS[:2]
    _same(first, again)
    shutil.rmtree(tmp_path / "cache")
    monkeypatch.setenv("MODELLER_TIMELINE_CACHE", "0")
    kept_days(scenarios, days[:2])
    assert not (tmp_path / "cache" / timeline_cache.KIND).exists()
    assert cachefiles.enabled(timeline_cache.SWITCH) is False


def test_a_day_file_gone_is_the_readers_error_not_a_traceback(kept_days, days, scenarios, tmp_path):
    gone = archive.Snapshot(days[0].day, tmp_path / days[0].path.name)  # listed, then removed
    assert timeline_cache.day_keys([gone]) is None
    with pytest.raises(InputError) as err:
        kept_days(scenarios, [gone])
    assert days[0].path.name in str(err.value)


def test_a_kept_file_of_another_shape_is_measured_again(kept_days, days, scenarios, tmp_path):
    first, _ = kept_days(scenarios, days[:1])
    (kept,) = (tmp_path / "cache" / timeline_cache.KIND).iterdir()
    arrays = cachefiles.read_arrays(timeline_cache.KIND, kept.name, timeline_cache.MAX_BYTES)
    for info in ('{"reconciled": 5, "outside_km2": 1.0, "grey_zone": null}', "[]", '"x"'):
        # a whole file (its digest fits) whose rows are not what this version keeps
        odd = {**arrays, "info": np.array([info])}
        cachefiles.write_arrays(timeline_cache.KIND, kept.name, odd, keep=8)
        again, measured = kept_days(scenarios, days[:1])
        assert measured == DAYS[:1]
        _same(first, again)


def _east_of(lon: float) -> str:
    ring = [[lon, 43.0], [42.0, 43.0], [42.0, 53.5], [lon, 53.5], [lon, 43.0]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    feature = {"type": "Feature", "properties": {"status": "russia"}, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


def test_a_changed_held_in_baseline_file_measures_the_kept_days_again(
    kept_days, days, tmp_path, monkeypatch
):
    """The key holds the scenario's text, not the file its held_in names: the plan made
    from the file tells the kept days apart."""
    line = tmp_path / "line.geojson"
    line.write_text(_east_of(37.8), encoding="utf-8")
    (tmp_path / "east.yaml").write_text(
        "id: east\ntitle: Russia keeps what lies east of a line\nsteps:\n"
        f"  - assign: russia\n    where: {{held_in: {{baseline: '{line}', status: russia}}}}\n",
        encoding="utf-8",
    )
    east = load_scenarios([tmp_path / "east.yaml"])
    kept_days(east, days[:2])
    line.write_text(_east_of(38.5), encoding="utf-8")  # the same scenario text, another line
    moved, measured = kept_days(east, days[:2])
    assert measured == DAYS[:2]
    monkeypatch.setenv("MODELLER_TIMELINE_CACHE", "0")
    fresh, _ = kept_days(east, days[:2])
    _same(moved, fresh)
    monkeypatch.setenv("MODELLER_TIMELINE_CACHE", "1")
    again, measured = kept_days(east, days[:2])  # kept again, with the new plan
    assert measured == []
    _same(again, fresh)


def test_a_day_file_copied_under_another_days_name_is_refused_as_without_the_cache(
    kept_days, days, scenarios, tmp_path
):
    folder = tmp_path / "daily"
    folder.mkdir()
    first = folder / days[0].path.name
    shutil.copy(days[0].path, first)
    kept_days(scenarios, [archive.Snapshot(days[0].day, first)])
    copy = folder / days[1].path.name
    shutil.copy(days[0].path, copy)  # the same bytes, named for the next day
    with pytest.raises(InputError, match="holds the map of another day"):
        kept_days(scenarios, [archive.Snapshot(days[1].day, copy)])


def test_the_same_population_files_by_another_path_are_the_same_kept_days(
    shared_data, scenarios, tmp_path
):
    """A re-run naming the hromada files by a relative, absolute or linked path measured
    every day again: the key held the path the provenance shows, not only the figures."""
    from modeller import hromadas, population

    linked = tmp_path / "linked"
    linked.mkdir()
    for name in ("boundaries", "population"):
        (linked / name).symlink_to(shared_data / name)
    keys = []
    try:
        for folder in (shared_data, linked):
            model = hromadas.hromada_model(folder)
            assert str(folder) in model.source  # (the provenance keeps the path given)
            population.use(model)
            keys.append(timeline_cache.inputs_key([sc for _, sc in scenarios]))
        population.use(None)
        keys.append(timeline_cache.inputs_key([sc for _, sc in scenarios]))
    finally:
        population.use(None)
    assert keys[0] == keys[1] != keys[2]
