"""A (Multi)Polygon's coordinate array read by numpy (``coordarrays``) is the geometry GEOS
reads from the same text, bit for bit; anything else is left to GEOS (None)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import coordarrays, geojson


def _geos(array: str, kind: str):
    """What GEOS reads from the same array, in two dimensions (None: it refuses it)."""
    try:
        g = shapely.from_geojson(f'{{"type": "{kind}", "coordinates": {array}}}')
    except (ValueError, shapely.errors.GEOSException):
        return None
    return shapely.force_2d(g)


def _same(array: str, kind: str) -> None:
    ours, theirs = coordarrays.polygon(array, kind), _geos(array, kind)
    assert ours is not None and theirs is not None
    assert shapely.to_wkb(ours) == shapely.to_wkb(theirs)


numbers = st.one_of(
    st.integers(-180, 180).map(str),
    st.floats(-180, 180, allow_nan=False).map(repr).filter(lambda t: "e" not in t),
    st.decimals(-180, 180, places=6, allow_nan=False, allow_infinity=False).map(str),
)
spaces = st.sampled_from(["", " ", "\n", "\t", "\r\n  "])


@st.composite
def polygon_texts(draw) -> tuple[list[str], str]:
    """The texts of one to three well-formed polygons (numbers, spacing drawn, rings
    closed, of one dimension), and the spacing they share."""
    dim = draw(st.sampled_from([2, 3]))
    ws = draw(spaces)

    def ring() -> str:
        positions = draw(st.lists(st.tuples(*[numbers] * dim), min_size=3, max_size=8))
        positions = [*positions, positions[0]]  # closed, as GeoJSON asks
        return f"[{ws}" + f",{ws}".join("[" + f",{ws}".join(p) + "]" for p in positions) + "]"

    def polygon() -> str:
        return "[" + ",".join(ring() for _ in range(draw(st.integers(1, 3)))) + "]"

    return [polygon() for _ in range(draw(st.integers(1, 3)))], ws


@st.composite
def arrays(draw, kind: str):
    """A well-formed coordinate array."""
    polygons, ws = draw(polygon_texts())
    if kind == "Polygon":
        return ws + polygons[0] + ws
    return "[" + f",{ws}".join(polygons) + "]"


@given(st.data(), st.sampled_from(["Polygon", "MultiPolygon"]))
@settings(max_examples=300)
def test_a_well_formed_array_reads_as_geos_reads_it(data, kind):
    _same(data.draw(arrays(kind)), kind)


@given(polygon_texts(), st.sampled_from([1, 2, 3]))
@settings(max_examples=200)
def test_arrays_read_in_pieces_one_after_another_read_as_geos_reads_them(drawn, piece):
    """Cut at most commas between positions (``PIECE`` 1: every one), then the same
    polygons in another order and with one more: pieces the last array had are taken
    from it, the rest read; each array still reads as GEOS reads it."""
    polygons, ws = drawn
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(coordarrays, "PIECE", piece)
        for order in (polygons, polygons, [*polygons[1:], *polygons[:1]], [*polygons, *polygons]):
            _same("[" + f",{ws}".join(order) + "]", "MultiPolygon")


SQUARE = "[[[30.5,50.5],[31,50.5],[31,51],[30.5,51],[30.5,50.5]]]"


@pytest.mark.parametrize(
    "array",
    [
        "[[[30.5,50.5],[31,50.5],[31,51],[30.5,50.5]]]",  # the least closed ring
        "[[[30.5,50.5,1],[31,50.5,2],[31,51,3],[30.5,50.5,4]]]",  # altitudes dropped
        "[[[30.5,50.5,1],[31,50.5,2],[31,51,3],[30.5,50.5,9]]]",  # closed in 2D, as GEOS
        "[[[-0.5,0.5],[1,0.5],[1,1],[-0.5,0.5]]]",
        SQUARE.replace(",", " ,\n\t"),
    ],
)
def test_edge_forms_read_as_geos_reads_them(array):
    _same(array, "Polygon")


@pytest.mark.parametrize(
    "array",
    [
        "[[[30.5,50.5],[31,50.5],[31,51],[30.5,51]]]",  # open: GEOS refuses it in words
        "[[[30.5,50.5],[31,50.5],[30.5,50.5]]]",  # three positions
        "[[]]",
        "[]",
        "[[[30.5,50.5],[31,50.5,1],[31,51],[30.5,50.5]]]",  # sizes differ
        "[[[30.5],[31],[31],[30.5]]]",
        "[[[30.5,50.5,1,2],[31,50.5,1,2],[31,51,1,2],[30.5,50.5,1,2]]]",
        "[[[30.5,50.5],[31,50.5],[31,51],[30.5,50.5]],5]",  # a stray number
        "[[[30.5,50.5],[31,50.5],[31,51],[30.5,50.5]]",  # unbalanced
        "[[[[30.5,50.5],[31,50.5],[31,51],[30.5,50.5]]]]",  # one level too deep
        SQUARE.replace("30.5", "+30.5"),
        SQUARE.replace("30.5", ".5"),
        SQUARE.replace("30.5", "30."),
        SQUARE.replace("30.5", "030.5"),
        SQUARE.replace("30.5", "-030.5"),
        SQUARE.replace("30.5", "3e1"),
        SQUARE.replace("30.5", "30-5"),
        SQUARE.replace("30.5", "30..5"),
        SQUARE.replace("30.5", "--30.5"),
        SQUARE.replace("30.5,", "30.5,,"),
        SQUARE.replace("30.5,", "30 5,"),
        # an empty field in every position: numpy reads it as -1, JSON refuses it
        "[[[30.5,50.5,],[31,50.5,],[31,51,],[30.5,51,],[30.5,50.5,]]]",
        "[[[30.5,,50.5],[31,,50.5],[31,,51],[30.5,,51],[30.5,,50.5]]]",
        "[[[,30.5,50.5],[,31,50.5],[,31,51],[,30.5,51],[,30.5,50.5]]]",
    ],
)
def test_anything_else_is_left_to_geos(array):
    """Not read here: GEOS then reads it (a number JSON allows that this module does not
    take, such as 3e1) or says what is wrong."""
    assert coordarrays.polygon(array, "Polygon") is None


def test_a_kind_other_than_a_polygon_is_left_to_geos():
    assert coordarrays.polygon("[30.5, 50.5]", "Point") is None


@pytest.mark.parametrize("wrap", ["bare", "Feature", "FeatureCollection"])
def test_a_file_reads_to_the_same_territory_either_way(tmp_path, wrap, monkeypatch):
    """Two polygons in one MultiPolygon: a FeatureCollection's geometry is one whole (the
    fast path), a bare or Feature one is two parts (the general path), by either reader."""
    square = json.loads(SQUARE)
    other = [[[x + 1.5, y] for x, y in square[0]]]
    geometry = {"type": "MultiPolygon", "coordinates": [square, other]}
    doc = {"type": "Feature", "properties": {}, "geometry": geometry}
    doc = {"FeatureCollection": {"type": "FeatureCollection", "features": [doc]}}.get(
        wrap, doc if wrap == "Feature" else geometry
    )
    path = tmp_path / "held.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    geojson._LAST.clear()
    ours = geojson.read_territory(path, densify=False)
    geojson._LAST.clear()
    monkeypatch.setattr(coordarrays, "polygon", lambda array, kind: None)
    theirs = geojson.read_territory(path, densify=False)
    assert shapely.to_wkb(ours) == shapely.to_wkb(theirs)


def test_an_array_under_an_escaped_key_is_not_taken_for_the_geometry(tmp_path):
    """The pattern finds "coordinates" spelt plainly: an array so named in the properties
    beside the geometry's key spelt with an escape is not the geometry's."""
    decoy = "[[[30.5,50.5],[30.6,50.5],[30.6,50.6],[30.5,50.5]]]"
    text = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        f'"properties": {{"coordinates": {decoy}}}, "geometry": {{"type": "Polygon", '
        f'"coordin\\u0061tes": {SQUARE}}}}}]}}'
    )
    path = tmp_path / "held.geojson"
    path.write_text(text, encoding="utf-8")
    geojson._LAST.clear()
    got = geojson.read_territory(path, densify=False)
    geojson._LAST.clear()
    plain = tmp_path / "plain.geojson"
    plain.write_text(text.replace("\\u0061", "a").replace(decoy, "[]"), encoding="utf-8")
    assert shapely.equals(got, geojson.read_territory(plain, densify=False))


def test_every_daily_file_of_the_archive_reads_as_geos_reads_it(shared_data):
    """The fast path takes every DeepState day and gives GEOS's geometry, bit for bit."""
    files = sorted(Path(shared_data, "deepstate", "daily").glob("deepstatemap_data_*.geojson"))
    assert len(files) > 700
    for path in files[::7]:
        text = path.read_text(encoding="utf-8")
        array = geojson._COORDINATES.search(text).group(0).split(":", 1)[1]
        _same(array, "MultiPolygon")
