"""The engine and metrics on four hand-drawn square units, injected with ``geodata.use``.

Every figure here can be checked with a pencil: the squares are 100 km a side (10,000 km²
each), one town sits in each, and the baseline's front is the straight line x = 100 km.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from modeller import control, engine, geodata, metrics, population
from modeller.partition import BaselineInfo
from modeller.scenario import Scenario
from modeller.scenario_selectors import Split

KM = 1000.0
PEOPLE = {"UA-09": 100_000, "UA-14": 300_000, "UA-23": 200_000, "UA-65": 400_000}
TOWNS = {"UA-09": 40_000, "UA-14": 150_000, "UA-23": 50_000, "UA-65": 100_000}


@pytest.fixture(scope="module")
def grid():
    """Four squares in the working CRS, real oblast codes, one town at each centre::

        y (km)
        200 +-----------+-----------+
            |   UA-09   |   UA-14   |      the baseline "front" (see ``front``):
            |  Luhansk  |  Donetsk  |      Russia holds the right column, x > 100 km;
        100 +-----------+-----------+      the line of contact is x = 100 km,
            |   UA-23   |   UA-65   |      from y = 0 to y = 200 km
            |Zaporizhzhia|  Kherson |
          0 +-----------+-----------+
            0          100         200  x (km)

    Populations: UA-09 100,000 (town 40,000), UA-14 300,000 (town 150,000),
    UA-23 200,000 (town 50,000), UA-65 400,000 (town 100,000).
    """
    embedded = geodata.load()
    corners = {"UA-09": (0, 100), "UA-14": (100, 100), "UA-23": (0, 0), "UA-65": (100, 0)}
    geometry = {
        c: box(x * KM, y * KM, (x + 100) * KM, (y + 100) * KM) for c, (x, y) in corners.items()
    }
    units = {
        c: geodata.Unit(c, u.name_en, u.name_uk, u.aliases, 10_000.0, PEOPLE[c], "hand-drawn")
        for c, u in embedded.units.items()
        if c in corners
    }
    xy = np.array([[(x + 50) * KM, (y + 50) * KM] for x, y in corners.values()])
    lonlat = [geodata.to_lonlat(shapely.Point(p)) for p in xy]
    settlements = tuple(
        geodata.Settlement(i + 1, f"Town {c}", c, TOWNS[c], p.x, p.y)
        for i, (c, p) in enumerate(zip(corners, lonlat, strict=True))
    )
    data = geodata.Geodata(dict(sorted(units.items())), geometry, settlements, xy, ((),) * 4)
    with geodata.use(data):
        yield data


@pytest.fixture(scope="module")
def front(grid):
    """The baseline: Russia holds the right column (x > 100 km)."""
    info = BaselineInfo("front", None, "hand-drawn test baseline")
    return control.from_held(info, {"russia": box(100 * KM, -1, 201 * KM, 201 * KM)})


def lonlat(x_km: float, y_km: float) -> list[float]:
    p = geodata.to_lonlat(shapely.Point(x_km * KM, y_km * KM))
    return [p.x, p.y]


DMZ = {"dmz": {"label": "Demilitarised zone", "colour": "#7570b3"}}


def scenario(*steps, statuses: dict | None = None) -> Scenario:
    data = {"id": "grid", "title": "Grid", "steps": list(steps), "statuses": statuses or {}}
    return Scenario.model_validate(data)


def moved(result) -> tuple[float, float]:
    """km² and people that change hands."""
    t = metrics.tally(result)
    changed = [p.before != p.after for p in result.pieces]
    return float(t.km2[changed].sum()), float(t.people[changed].sum())


def test_the_grid_is_what_the_picture_says(grid, front):
    assert grid.total_km2 == pytest.approx(40_000)
    held = metrics.by_status(metrics.tally(front), "before")
    assert held["russia"]["km2"] == pytest.approx(20_000)
    assert held["russia"]["people"] == pytest.approx(700_000)  # UA-14 + UA-65, all of them


def test_a_whole_oblast_moves_with_all_its_people(front):
    km2, people = moved(
        engine.apply(front, scenario({"assign": "russia", "where": {"oblast": "Zaporizhzhia"}}))
    )
    assert km2 == pytest.approx(10_000) and people == pytest.approx(200_000)


def test_held_by_selects_only_the_baselines_holder(front):
    sc = scenario(
        {"assign": "ukraine", "where": {"held_by": "russia", "oblast": ["Donetsk", "Luhansk"]}}
    )
    km2, people = moved(engine.apply(front, sc))
    assert km2 == pytest.approx(10_000) and people == pytest.approx(300_000)


@pytest.mark.parametrize(
    ("side", "expected"), [("both", 4_000), ("russia", 2_000), ("ukraine", 2_000)]
)
def test_a_band_along_the_front_is_its_length_times_its_width(front, side, expected):
    """10 km either side of a 200 km straight line: 200 × 20 km² (or × 10 on one side)."""
    sc = scenario({"assign": "dmz", "where": {"band": {"km": 10, "side": side}}}, statuses=DMZ)
    result = engine.apply(front, sc)
    dmz = metrics.by_status(metrics.tally(result))["dmz"]["km2"]
    assert dmz == pytest.approx(expected, rel=1e-6)


def test_a_split_keeps_the_side_with_the_keep_place(front):
    """Cut all four squares along y = 100 km; keep the top row (a point at y = 150 km)."""
    split = Split.model_construct(  # keep as [lon, lat]: the language wants a place name
        oblast=["UA-09", "UA-14", "UA-23", "UA-65"],
        line=[lonlat(20, 100), lonlat(180, 100)],
        keep=lonlat(50, 150),
    )
    regions = engine.split_regions(split)
    assert sorted(c for c, g in regions.items() if geodata.area_km2(g) > 1) == ["UA-09", "UA-14"]
    area = sum(float(geodata.area_km2(g)) for g in regions.values())
    assert area == pytest.approx(20_000, rel=1e-6)


def test_a_split_takes_an_oblast_it_leaves_whole_beside_one_it_cuts(front):
    """The line cuts the bottom-left square in two; the top-left one, listed beside it and
    wholly on the side kept, is taken whole (a Crimea beside a Kherson cut in two)."""
    split = Split.model_construct(
        oblast=["UA-09", "UA-23"], line=[lonlat(20, 50), lonlat(80, 50)], keep=lonlat(50, 150)
    )
    regions = engine.split_regions(split)
    assert float(geodata.area_km2(regions["UA-09"])) == pytest.approx(10_000, rel=1e-6)
    assert float(geodata.area_km2(regions["UA-23"])) == pytest.approx(5_000, rel=1e-6)


def test_near_is_a_disc(front):
    sc = scenario({"assign": "russia", "where": {"near": {"place": lonlat(50, 50), "km": 20}}})
    km2, _ = moved(engine.apply(front, sc))
    assert km2 == pytest.approx(math.pi * 20**2, rel=1e-3)


def test_set_algebra_any_of_minus_not(front):
    sc = scenario(
        {
            "assign": "russia",
            "where": {
                "any_of": [{"oblast": "Zaporizhzhia"}, {"oblast": "Luhansk"}],
                "not": {"oblast": "Luhansk"},
            },
        }
    )
    km2, people = moved(engine.apply(front, sc))
    assert km2 == pytest.approx(10_000) and people == pytest.approx(200_000)


def test_part_of_an_oblast_takes_its_town_and_a_share_of_the_rural_remainder(front):
    """x from 40 to 100 km of UA-23 (60 % of it, with its town at x = 50 km)."""
    ring = [lonlat(40, 0), lonlat(100, 0), lonlat(100, 100), lonlat(40, 100), lonlat(40, 0)]
    sc = scenario(
        {
            "assign": "russia",
            "where": {
                "oblast": "Zaporizhzhia",
                "polygon": {"geojson": {"type": "Polygon", "coordinates": [ring]}},
            },
        }
    )
    result = engine.apply(front, sc)
    km2, people = moved(result)
    rural = PEOPLE["UA-23"] - TOWNS["UA-23"]
    assert km2 == pytest.approx(6_000, rel=1e-3)  # 60 km × 100 km (edges via lon/lat)
    # the rural remainder sits on a 4 km grid of points; spread evenly (a sensitivity
    # variant) a piece gets the share of the grid inside it: 60 % to a point in 10,000
    t = metrics.tally(result)
    changed = np.array([p.before != p.after for p in result.pieces])
    names = [v.name for v in t.population.variants]
    even = float(t.people_variants[names.index(population.EVEN)][changed].sum())
    assert even == pytest.approx(TOWNS["UA-23"] + rural * km2 / 10_000, rel=1e-3)
    # the central model puts more of it near the town, which this piece holds
    assert even < people < PEOPLE["UA-23"]


def test_held_in_reads_another_baseline_through_the_given_loader(front, grid):
    sc = scenario({"assign": "ukraine", "where": {"held_in": {"baseline": "pre-2022"}}})
    km2, _ = moved(engine.apply(front, sc, load=lambda spec: front))
    assert km2 == pytest.approx(20_000)
