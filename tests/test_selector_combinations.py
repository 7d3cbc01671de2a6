"""Random selector combinations on real baselines: a clean partition, or a clear input error.

Every selector kind (oblast, held_by, split, held_in, near, band, polygon) is drawn,
nested under ``all_of`` / ``any_of`` / ``not``, on ``contact-line``, ``pre-2022`` and a
DeepState day. Whatever the combination, the result must tile Ukraine (the pieces of each
oblast add up to its area) and keep every resident, or the engine must say what is wrong
in one :class:`~modeller.errors.InputError`; a GEOS error or any other exception fails.

Bands are the one costly selector (~0.5 s each), so band regions are computed once per
(baseline, band) with the engine's own ``band_regions`` and handed to ``apply``, exactly
as the timeline does; everything else runs in full for every example.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from modeller import baselines, engine, fast, geodata, metrics
from modeller.errors import InputError
from modeller.scenario import Scenario

UNITS = sorted(geodata.load().units)
PLACES = ["Kyiv", "Kharkiv", "Odesa", "Kramatorsk", "Melitopol", "Mariupol", "Kherson", "Sumy"]
STATUS = st.sampled_from(["ukraine", "russia", "dmz"])
HELD = st.sampled_from(["ukraine", "russia"])
LON = st.floats(22.0, 40.5, allow_nan=False).map(lambda x: round(x, 3))
LAT = st.floats(44.3, 52.4, allow_nan=False).map(lambda x: round(x, 3))
BANDS = [(5.0, "ukraine"), (15.0, "russia"), (20.0, "both")]  # a few, so their cache pays off


@st.composite
def polygons(draw):
    """Inline GeoJSON: a box, a triangle, a bow-tie, a box with a spike, or two touching boxes.

    The bow-tie and the spike are invalid; repairing them leaves line parts (a spike
    becomes a GeometryCollection of a polygon and a line) that must not reach an overlay.
    """
    x, y = draw(LON), draw(LAT)
    w, h = draw(st.floats(0.01, 4.0)), draw(st.floats(0.01, 3.0))
    kind = draw(st.sampled_from(["box", "triangle", "bowtie", "spike", "touching"]))
    if kind == "box":
        ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
        return {"type": "Polygon", "coordinates": [ring]}
    if kind == "triangle":
        return {"type": "Polygon", "coordinates": [[[x, y], [x + w, y], [x, y + h], [x, y]]]}
    if kind == "bowtie":
        ring = [[x, y], [x + w, y + h], [x + w, y], [x, y + h], [x, y]]
        return {"type": "Polygon", "coordinates": [ring]}
    if kind == "spike":  # out along the top edge's midpoint and back the same way
        m = round(x + w / 2, 3)
        ring = [[x, y], [x + w, y], [x + w, y + h], [m, y + h], [m, y + 2 * h], [m, y + h]]
        return {"type": "Polygon", "coordinates": [[*ring, [x, y + h], [x, y]]]}
    a = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
    b = [[x + w, y], [x + 2 * w, y], [x + 2 * w, y + h], [x + w, y + h], [x + w, y]]
    return {"type": "MultiPolygon", "coordinates": [[a], [b]]}


@st.composite
def leaves(draw):
    """One selector of a single kind (sometimes two kinds in one mapping: their intersection)."""
    kind = draw(
        st.sampled_from(["oblast", "held_by", "split", "held_in", "near", "band", "polygon"])
    )
    oblasts = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True))
    sel: dict = {}
    if kind == "oblast":
        sel["oblast"] = oblasts
    elif kind == "held_by":
        sel["held_by"] = draw(HELD)
    elif kind == "held_in":
        other = draw(st.sampled_from(["pre-2022", "contact-line", "1991"]))
        sel["held_in"] = {"baseline": other, "status": draw(HELD)}
    elif kind == "near":
        place = draw(st.one_of(st.sampled_from(PLACES), st.tuples(LON, LAT).map(list)))
        sel["near"] = {"place": place, "km": draw(st.integers(1, 200))}
    elif kind == "band":
        km, side = draw(st.sampled_from(BANDS))
        sel["band"] = {"km": km, "side": side}
    elif kind == "polygon":
        sel["polygon"] = {"geojson": draw(polygons())}
    else:
        a, b = [draw(LON), draw(LAT)], [draw(LON), draw(LAT)]
        if a == b:
            b = [a[0] + 0.5, a[1] + 0.5]
        sel["split"] = {"oblast": oblasts, "line": [a, b], "keep": draw(st.sampled_from(PLACES))}
    if kind != "oblast" and draw(st.booleans()):
        sel["oblast"] = oblasts
    return sel


def selectors(depth: int = 2):
    """Leaves, or all_of / any_of / not over smaller selectors (at most ``depth`` levels)."""
    if depth == 0:
        return leaves()
    inner = selectors(depth - 1)
    return st.one_of(
        leaves(),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"all_of": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"any_of": xs}),
        inner.map(lambda x: {"not": x}),
        st.tuples(leaves(), inner).map(lambda ab: {**ab[0], "not": ab[1]}),
    )


STEPS = st.lists(
    st.fixed_dictionaries(
        {"assign": STATUS, "where": selectors()},
        optional={"recognition": st.sampled_from(["de_jure", "de_facto"])},
    ),
    min_size=1,
    max_size=3,
)


class Baseline:
    """A baseline loaded once, its band regions computed on first use, its people total."""

    def __init__(self, spec: str):
        self.base = baselines.load_baseline(spec)
        self.people = float(metrics.tally(self.base).people.sum())
        self.bands: dict = {}

    def bands_for(self, sc: Scenario) -> dict:
        for _, _, step in sc.numbered_steps:
            for sel in step.where.walk():
                if sel.band is not None and sel.band not in self.bands:
                    self.bands[sel.band] = engine.band_regions(sel.band, self.base.pieces)
        return self.bands


@pytest.fixture(scope="module")
def contact_line():
    return Baseline("contact-line")


@pytest.fixture(scope="module")
def pre_2022():
    return Baseline("pre-2022")


@pytest.fixture(scope="module")
def deepstate_day(shared_data):
    return Baseline("deepstate:2025-08-15")


def check(baseline: Baseline, steps: list[dict]) -> None:
    """Apply with the engine and with ``run``'s fast path; each result must tile every
    oblast and keep every resident, or both must raise a clear error naming the step."""
    try:
        sc = Scenario.model_validate(
            {"id": "t", "title": "t", "steps": steps, "statuses": {"dmz": DMZ}},
            context={"folder": "."},
        )
    except ValidationError:  # e.g. a random [lon, lat] far from Ukraine: the loader's error
        return
    load = baselines.load_baseline
    try:
        result = engine.apply(baseline.base, sc, bands=baseline.bands_for(sc), load=load)
    except InputError as exc:  # a clear error, naming the step
        assert str(exc).startswith("step "), str(exc)
        with pytest.raises(InputError, match="^step "):
            fast.apply(baseline.base, sc, load=load)
        return
    assert_tiles(baseline, result)
    assert_tiles(baseline, fast.apply(baseline.base, sc, load=load))


def assert_tiles(baseline: Baseline, result) -> None:
    """Polygon pieces, each oblast's adding up to its area, unique keys, every resident."""
    data = geodata.load()
    per_oblast = Counter()
    for piece, area in zip(result.pieces, result.areas_km2, strict=True):
        assert piece.geometry.geom_type in ("Polygon", "MultiPolygon"), piece.geometry.geom_type
        per_oblast[piece.oblast] += area
    for code, geom in data.geometry.items():
        assert per_oblast[code] == pytest.approx(geodata.area_km2(geom), rel=1e-6), code
    assert len({p.key for p in result.pieces}) == len(result.pieces)
    people = metrics.tally(result).people
    assert people.sum() == pytest.approx(baseline.people, rel=1e-9)
    assert np.all(people >= -1e-6)


DMZ = {"label": "Demilitarised zone", "colour": "#7570b3"}
COMMON = {
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


# ~0.1 s an example (the engine and run's fast path, both in full): fewer on the two embedded
# baselines, which share most of their geometry, than on the DeepState day's real line
@settings(max_examples=55, **COMMON)
@given(steps=STEPS)
def test_random_selectors_on_contact_line(contact_line, steps):
    check(contact_line, steps)


@settings(max_examples=55, **COMMON)
@given(steps=STEPS)
def test_random_selectors_on_pre_2022(pre_2022, steps):
    check(pre_2022, steps)


@settings(max_examples=110, **COMMON)
@given(steps=STEPS)
def test_random_selectors_on_a_deepstate_day(deepstate_day, steps):
    check(deepstate_day, steps)


# --- the GEOS failure itself, and a spike through every combinator ------------------------


def test_an_overlay_of_a_mixed_collection_with_an_empty_geometry_is_polygonal():
    """GEOS raises "Unable to determine overlay result geometry dimension" on these inputs."""
    import shapely
    from shapely.geometry import GeometryCollection, LineString, box

    from modeller.regions import overlay

    mixed = GeometryCollection([box(0, 0, 1, 1), LineString([(1, 0), (2, 0)])])
    with pytest.raises(shapely.errors.GEOSException, match="overlay result geometry dimension"):
        shapely.intersection(LineString(), mixed)
    for op in (shapely.intersection, shapely.difference, shapely.union):
        for a, b in ((LineString(), mixed), (mixed, GeometryCollection()), (mixed, mixed)):
            result = overlay(op, a, b)
            assert result.geom_type in ("Polygon", "MultiPolygon")


SPIKE = {  # a box with a spike north along 37°E: repaired, it is a polygon plus a line
    "type": "Polygon",
    "coordinates": [
        [[36, 47], [38, 47], [38, 48], [37, 48], [37, 49.5], [37, 48], [36, 48], [36, 47]]
    ],
}


@pytest.mark.parametrize(
    "where",
    [
        {"polygon": {"geojson": SPIKE}},
        {"all_of": [{"polygon": {"geojson": SPIKE}}, {"not": {"held_by": "russia"}}]},
        {"any_of": [{"polygon": {"geojson": SPIKE}}, {"near": {"place": "Kharkiv", "km": 30}}]},
        {"oblast": "Kharkiv", "not": {"polygon": {"geojson": SPIKE}}},
        {"polygon": {"geojson": SPIKE}, "band": {"km": 15, "side": "ukraine"}},
    ],
    ids=["alone", "all_of-not", "any_of", "not", "band"],
)
def test_a_spiky_polygon_in_every_combinator_leaves_a_clean_partition(contact_line, where):
    check(contact_line, [{"assign": "dmz", "where": where}])


def test_the_line_part_of_a_spike_selects_no_land(contact_line):
    """The spike's line crosses into Kharkiv oblast; only the box's land is selected."""
    sc = Scenario.model_validate(
        {
            "id": "t",
            "title": "t",
            "steps": [{"assign": "dmz", "where": {"polygon": {"geojson": SPIKE}}}],
            "statuses": {"dmz": DMZ},
        }
    )
    regions = engine.select(sc.steps[0].where, contact_line.base.pieces)
    assert sorted(regions) == ["UA-12", "UA-14", "UA-23"]  # Dnipropetrovsk, Donetsk, Zaporizhzhia
    assert all(r.geom_type in ("Polygon", "MultiPolygon") for r in regions.values())
