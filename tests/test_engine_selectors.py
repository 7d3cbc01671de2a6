"""Selectors beyond oblast/held_by/split: near, band, polygon and set combinations."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from shapely.geometry import LineString

from modeller import baselines, engine, geodata, metrics
from modeller.scenario import Scenario

EAST_OF_37_8 = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"status": "russia"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[37.8, 43.0], [42.0, 43.0], [42.0, 53.5], [37.8, 53.5], [37.8, 43.0]]
                ],
            },
        }
    ],
}


def scenario(steps) -> Scenario:
    return Scenario.model_validate(
        {
            "id": "t",
            "title": "t",
            "steps": steps,
            "statuses": {"dmz": {"label": "DMZ", "colour": "#7570b3"}},
        }
    )


def moved(partition, to="dmz") -> float:
    return sum(r["km2"] for r in metrics.transfers(metrics.tally(partition)) if r["to"] == to)


@pytest.fixture(scope="module")
def meridian_baseline(tmp_path_factory):
    """Russia holds everything east of 37.8°E: the contact line is that meridian."""
    path = tmp_path_factory.mktemp("b") / "east.geojson"
    path.write_text(json.dumps(EAST_OF_37_8))
    return baselines.load_baseline(str(path))


def test_a_band_along_a_straight_contact_line_is_depth_times_length(meridian_baseline):
    km = 15
    result = engine.apply(
        meridian_baseline,
        scenario([{"assign": "dmz", "where": {"band": {"km": km, "side": "ukraine"}}}]),
    )
    # independent arithmetic: the meridian's length over Ukrainian land, times the depth
    ukraine = shapely.union_all(list(geodata.load().geometry.values()))
    meridian = geodata.to_equal_area(LineString([(37.8, 43.0 + i * 0.01) for i in range(1051)]))
    length_km = shapely.intersection(meridian, ukraine).length / 1000
    assert moved(result) == pytest.approx(km * length_km, rel=0.03)
    assert 200 < length_km < 600


def test_a_band_on_both_sides_is_twice_as_deep(meridian_baseline):
    one = engine.apply(
        meridian_baseline,
        scenario([{"assign": "dmz", "where": {"band": {"km": 10, "side": "ukraine"}}}]),
    )
    both = engine.apply(
        meridian_baseline, scenario([{"assign": "dmz", "where": {"band": {"km": 10}}}])
    )
    ru_side = moved(both) - moved(one)
    assert moved(both) == pytest.approx(2 * moved(one), rel=0.05)
    assert ru_side > 0


def test_near_selects_a_disc_around_a_place():
    base = baselines.load_baseline("1991")
    result = engine.apply(
        base, scenario([{"assign": "dmz", "where": {"near": {"place": "Poltava", "km": 10}}}])
    )
    assert moved(result) == pytest.approx(math.pi * 10**2, rel=0.01)


def test_set_combinations_follow_set_algebra():
    base = baselines.load_baseline("1991")
    donetsk = geodata.area_km2(geodata.load().geometry["UA-14"])
    luhansk = geodata.area_km2(geodata.load().geometry["UA-09"])
    any_of = engine.apply(
        base,
        scenario(
            [{"assign": "dmz", "where": {"any_of": [{"oblast": "Donetsk"}, {"oblast": "Luhansk"}]}}]
        ),
    )
    assert moved(any_of) == pytest.approx(donetsk + luhansk, rel=1e-9)
    not_ = engine.apply(
        base,
        scenario(
            [
                {
                    "assign": "dmz",
                    "where": {"oblast": ["Donetsk", "Luhansk"], "not": {"oblast": "Luhansk"}},
                }
            ]
        ),
    )
    assert moved(not_) == pytest.approx(donetsk, rel=1e-9)
    all_of = engine.apply(
        base,
        scenario(
            [
                {
                    "assign": "dmz",
                    "where": {
                        "all_of": [
                            {"oblast": "Donetsk"},
                            {"near": {"place": "Kramatorsk", "km": 5}},
                        ]
                    },
                }
            ]
        ),
    )
    assert moved(all_of) == pytest.approx(math.pi * 25, rel=0.01)


def test_inline_polygon_selects_its_area():
    base = baselines.load_baseline("1991")
    square = {
        "type": "Polygon",
        "coordinates": [[[30.0, 49.0], [30.1, 49.0], [30.1, 49.1], [30.0, 49.1], [30.0, 49.0]]],
    }
    result = engine.apply(
        base, scenario([{"assign": "dmz", "where": {"polygon": {"geojson": square}}}])
    )
    expected = geodata.area_km2(geodata.to_equal_area(shapely.geometry.shape(square)))
    assert moved(result) == pytest.approx(expected, rel=1e-6)


def test_a_held_in_file_edited_between_two_runs_of_one_session_is_read_again(tmp_path):
    """The held-in land was remembered by the file's name alone: a notebook re-running
    after editing the file got the old figures."""
    path = tmp_path / "line.geojson"
    path.write_text(json.dumps(EAST_OF_37_8), encoding="utf-8")
    sc = scenario(
        [{"assign": "dmz", "where": {"held_in": {"baseline": str(path), "status": "russia"}}}]
    )
    base = baselines.load_baseline("pre-2022")
    got = []
    for lon in (37.8, 38.5):  # the same file size: only its time of change tells them apart
        edited = json.loads(json.dumps(EAST_OF_37_8).replace("37.8", f"{lon}"))
        path.write_text(json.dumps(edited), encoding="utf-8")
        got.append(moved(baselines.apply(base, sc)))
    assert got[1] < got[0] * 0.8  # the line moved 0.7° east: less land selected


@pytest.mark.parametrize("nested", [False, True])
def test_a_held_in_baseline_covering_almost_everything_is_doubted_as_with_baseline(
    tmp_path, nested
):
    """A boundaries file given as a held_in baseline made 99 % of Ukraine Russian-held
    without a word, where the same file as --baseline is doubted; so for both engines, and
    for a held_in inside any_of/not."""
    from modeller import fast

    data = geodata.load()
    features = [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
        for g in (geodata.to_lonlat(data.geometry[c]) for c in sorted(data.geometry))
    ]
    path = tmp_path / "units.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    held = {"held_in": {"baseline": str(path), "status": "russia"}}
    where = {"any_of": [{"not": held}, {"oblast": "Sumy"}]} if nested else held
    sc = scenario([{"assign": "dmz", "where": where}])
    base = baselines.load_baseline("contact-line")
    plain = baselines.apply(base, sc)
    quick = fast.apply(base, sc, load=baselines.load_baseline)
    for result in (plain, quick):
        [said] = [w for w in result.warnings if "held_in baseline" in w]
        assert said.startswith(f"step 1: held_in baseline {path}: the baseline file units.geojson")
        assert "of the units not Ukrainian-held" in said and "boundaries file" in said
    sound = tmp_path / "line.geojson"
    sound.write_text(json.dumps(EAST_OF_37_8), encoding="utf-8")
    fine = scenario(
        [{"assign": "dmz", "where": {"held_in": {"baseline": str(sound), "status": "russia"}}}]
    )
    assert not [w for w in baselines.apply(base, fine).warnings if "held_in" in w]
