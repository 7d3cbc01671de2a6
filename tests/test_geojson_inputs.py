"""GeoJSON as users hand it over: baselines, scenario polygons and units files.

Altitudes (``[lon, lat, z]``, allowed by RFC 7946) are dropped as a file is read and give
the same figures; a malformed position, a coordinate out of range or a feature without a
geometry is one error naming the feature and the value; a units file that cannot be
Ukraine's 27 units (axes swapped, elsewhere, overlapping, a unit twice, far too small) is
refused with both numbers. Inputs are built in ``tmp_path`` from real shapes: the
embedded units, or a DeepState day from the shared data (those tests skip without it).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from helpers import write_layer
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import mapping

import modeller
from modeller import control, doctor, geodata, geojson, unitchecks
from modeller.cli import main
from modeller.errors import InputError

SCENARIO = "id: probe\ntitle: Probe\nsteps:\n  - assign: russia\n    where: {where}\n"
MINREGION = "boundaries/ua_oblasts_minregion2020.geojson"
DAY = "deepstate/daily/deepstatemap_data_20250815.geojson"


# --- helpers ------------------------------------------------------------------------------


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result, *fragments: str) -> str:
    """Exit 2, one ``error:`` line holding every fragment, no traceback."""
    out = result.output + (result.stderr or "")
    assert "Traceback" not in out, out
    assert result.exit_code == 2, out
    [line] = [x for x in result.stderr.splitlines() if x.strip()]
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def scenario(folder: Path, where: str = "{oblast: Donetsk}", name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_text(SCENARIO.format(where=where), encoding="utf-8")
    return path


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def lonlat_unit(code: str, tolerance: float = 0.02):
    """An embedded unit's real outline in lon/lat, simplified to a few dozen vertices."""
    return geodata.to_lonlat(geodata.load().geometry[code]).simplify(tolerance)


def feature_collection(*geoms: dict) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geoms],
    }


def with_altitude(coords, z: float = 212.5):
    """GeoJSON coordinates with an altitude added to every position."""
    if coords and isinstance(coords[0], int | float):
        return [*coords, z]
    return [with_altitude(c, z) for c in coords]


def figures(result) -> dict:
    """What a JSON run reports for its one scenario, without the baseline's own name."""
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.output)["scenarios"]
    keep = ("total_km2", "total_people", "statuses", "vs_1991", "flows", "transfers", "oblasts")
    return {k: entry[k] for k in keep}


def units_file(tmp_path: Path, name: str, change=None, extra: list | None = None) -> Path:
    """The embedded units as a GeoJSON keyed by ISO code, each outline passed through
    ``change`` (lon/lat shapely -> shapely), ``extra`` features appended."""
    data = geodata.load()
    feats = []
    for code, geom in data.geometry.items():
        lonlat = geodata.to_lonlat(geom)
        feats.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": data.units[code].name_en},
                "geometry": mapping(change(code, lonlat) if change else lonlat),
            }
        )
    fc = {"type": "FeatureCollection", "features": feats + (extra or [])}
    return write_json(tmp_path / f"units-{name}.geojson", fc)


def run_units(tmp_path: Path, path: Path):
    return cli("run", "--no-maps", "-b", "1991", "--units", path, scenario(tmp_path))


# --- altitudes ------------------------------------------------------------------------------


def test_a_baseline_with_altitudes_gives_the_same_figures_as_without(tmp_path, shared_data):
    day = json.loads((shared_data / DAY).read_text(encoding="utf-8"))
    flat = write_json(tmp_path / "flat.geojson", day)
    for f in day["features"]:
        f["geometry"]["coordinates"] = with_altitude(f["geometry"]["coordinates"])
    raised = write_json(tmp_path / "with-z.geojson", day)
    sc = scenario(tmp_path)
    two_d = figures(cli("run", "--no-maps", "-f", "json", "-b", flat, sc))
    three_d = figures(cli("run", "--no-maps", "-f", "json", "-b", raised, sc))
    assert three_d == two_d
    assert two_d["statuses"][1]["baseline_km2"] > 100_000  # the day's occupied land


def test_a_deepstate_day_with_altitudes_reads_the_same_the_fast_way(tmp_path, shared_data):
    day = json.loads((shared_data / DAY).read_text(encoding="utf-8"))
    for f in day["features"]:
        f["geometry"]["coordinates"] = with_altitude(f["geometry"]["coordinates"])
    raised = write_json(tmp_path / "with-z.geojson", day)
    flat = geojson.read_territory(shared_data / DAY)
    assert shapely.equals_exact(geojson.read_territory(raised), flat, 0)
    assert not shapely.has_z(geojson.read_territory(raised))


def test_a_multipolygon_baseline_with_altitudes_gives_the_same_figures(tmp_path):
    donetsk = mapping(shapely.MultiPolygon([lonlat_unit("UA-14")]))
    flat = write_json(tmp_path / "flat.geojson", feature_collection(donetsk))
    raised_geom = {
        **donetsk,
        "coordinates": with_altitude(json.loads(json.dumps(donetsk))["coordinates"]),
    }
    raised = write_json(tmp_path / "with-z.geojson", feature_collection(raised_geom))
    sc = scenario(tmp_path, "{oblast: Zaporizhzhia}")
    two_d = figures(cli("run", "--no-maps", "-f", "json", "-b", flat, sc))
    assert figures(cli("run", "--no-maps", "-f", "json", "-b", raised, sc)) == two_d


def test_a_scenario_polygon_file_with_altitudes_gives_the_same_figures(tmp_path):
    outline = json.loads(json.dumps(mapping(lonlat_unit("UA-14", 0.1))))
    flat = write_json(tmp_path / "flat.geojson", feature_collection(outline))
    outline["coordinates"] = with_altitude(outline["coordinates"], 0.0)
    write_json(tmp_path / "with-z.geojson", feature_collection(outline))
    a = scenario(tmp_path, f"{{polygon: {{file: {flat.name}}}}}", "a.yaml")
    b = scenario(tmp_path, "{polygon: {file: with-z.geojson}}", "b.yaml")
    two_d = figures(cli("run", "--no-maps", "-f", "json", "-b", "1991", a))
    assert figures(cli("run", "--no-maps", "-f", "json", "-b", "1991", b)) == two_d
    assert two_d["statuses"][1]["km2"] > 20_000  # most of Donetsk oblast


def test_a_scenario_polygon_in_a_geopackage_or_shapefile_gives_the_geojson_figures(tmp_path):
    """A GeoPackage or Shapefile polygon gives the figures of the same polygon in GeoJSON,
    also when its layer is in metres (EPSG:3857, reprojected from the CRS it declares)."""
    pytest.importorskip("pyogrio")
    outline = lonlat_unit("UA-14", 0.1)
    write_json(tmp_path / "zone.geojson", feature_collection(mapping(outline)))
    to_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    metres = shapely.transform(outline, lambda xy: np.column_stack(to_3857.transform(*xy.T)))
    write_layer(tmp_path / "zone.gpkg", outline, "EPSG:4326", "GPKG")
    write_layer(tmp_path / "metres.gpkg", metres, "EPSG:3857", "GPKG")
    write_layer(tmp_path / "zone.shp", outline, "EPSG:4326", "ESRI Shapefile")
    want = None
    for name in ("zone.geojson", "zone.gpkg", "metres.gpkg", "zone.shp"):
        sc = scenario(tmp_path, f"{{polygon: {{file: {name}}}}}", f"{name}.yaml")
        assert cli("validate", sc).exit_code == 0
        got = figures(cli("run", "--no-maps", "-f", "json", "-b", "1991", sc))
        moved = got["statuses"][1]["km2"]
        if want is None:
            want = moved
            assert moved > 20_000  # most of Donetsk oblast
        else:  # (EPSG:3857 there and back: metres of rounding, no more)
            assert moved == pytest.approx(want, rel=1e-6), name


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"SQLite format 3\x00" + bytes(200), "a GeoPackage (an SQLite database)"),
        (b"PK\x03\x04" + bytes(200), "a ZIP archive"),
        (b"\x00\x00\x27\x0a" + bytes(200), "a Shapefile's .shp"),
    ],
    ids=["gpkg", "zip", "shp"],
)
def test_a_binary_file_named_geojson_is_named_for_what_it_is(tmp_path, head, said):
    """A GeoPackage, a zipped Shapefile or a .shp named .geojson was "not UTF-8 text
    (Windows-1251 or Latin-1?)": the user was sent to re-encode a binary file."""
    (tmp_path / "zone.geojson").write_bytes(head)
    sc = scenario(tmp_path, "{polygon: {file: zone.geojson}}")
    for command in (["validate", sc], ["run", "--no-maps", "-b", "1991", sc]):
        result = cli(*command)
        assert result.exit_code == 2, result.output
        assert f"zone.geojson: this is {said}" in result.output, result.output
        assert "not GeoJSON text" in result.output and "UTF-8" not in result.output
        assert "Traceback" not in result.output
    result = cli("run", "--no-maps", "-b", tmp_path / "zone.geojson", "scenarios/land-swap.yaml")
    assert result.exit_code == 2 and f"this is {said}" in result.output, result.output


def test_an_inline_scenario_polygon_with_altitudes_gives_the_same_figures(tmp_path):
    ring = [list(map(float, p)) for p in lonlat_unit("UA-14", 0.1).exterior.coords]
    flat = json.dumps({"type": "Polygon", "coordinates": [ring]})
    raised = json.dumps({"type": "Polygon", "coordinates": [with_altitude(ring, 75.0)]})
    a = scenario(tmp_path, f"{{polygon: {{geojson: {flat}}}}}", "a.yaml")
    b = scenario(tmp_path, f"{{polygon: {{geojson: {raised}}}}}", "b.yaml")
    two_d = figures(cli("run", "--no-maps", "-f", "json", "-b", "1991", a))
    assert figures(cli("run", "--no-maps", "-f", "json", "-b", "1991", b)) == two_d


def test_altitudes_on_some_positions_only_are_dropped_too():
    ring = [list(map(float, p)) for p in lonlat_unit("UA-14", 0.1).exterior.coords]
    mixed = [p + [10.0] if i % 2 else p for i, p in enumerate(ring)]
    [(_, a)] = geojson.features({"type": "Polygon", "coordinates": [ring]})
    [(_, b)] = geojson.features({"type": "Polygon", "coordinates": [mixed]})
    assert shapely.equals_exact(a, b, 0) and not shapely.has_z(b)


# --- malformed positions and coordinates out of range ----------------------------------------


@pytest.mark.parametrize(
    "bad, shown",
    [([38.0, 47.5, 1, 2, 3], "[38.0, 47.5, 1, 2, 3]"), ([38.0], "[38.0]")],
    ids=["five-numbers", "one-number"],
)
def test_a_position_of_the_wrong_length_is_named(tmp_path, bad, shown):
    ring = [list(map(float, p)) for p in lonlat_unit("UA-14", 0.1).exterior.coords]
    ring[2] = bad
    fc = feature_collection(
        mapping(lonlat_unit("UA-23", 0.1)), {"type": "Polygon", "coordinates": [ring]}
    )
    path = write_json(tmp_path / "base.geojson", fc)
    line = refused(
        cli("run", "--no-maps", "-b", path, scenario(tmp_path)),
        f"{path}: feature 2: a position must be [longitude, latitude] (or with an altitude), "
        f"got {shown}",
    )
    assert "inhomogeneous" not in line and "array" not in line


@pytest.mark.parametrize(
    "vertex, words",
    [
        ([38, 95], "vertex [38, 95]: latitude 95 is outside −90…90"),
        ([400, 48], "vertex [400, 48]: longitude 400 is outside −180…180"),
    ],
    ids=["lat-95", "lon-400"],
)
def test_an_inline_polygon_out_of_range_names_the_vertex_and_the_axis(tmp_path, vertex, words):
    ring = [[36, 47], vertex, [38, 47], [36, 47]]
    sc = scenario(tmp_path, f"{{polygon: {{geojson: {{type: Polygon, coordinates: [{ring}]}}}}}}")
    line = refused(
        cli("run", "--no-maps", "-b", "1991", sc),
        words,
        "coordinates are [longitude, latitude] in degrees, WGS84",
    )
    assert "metres" not in line and "[36, 47]" not in line


def test_a_baseline_out_of_range_names_the_vertex(tmp_path):
    ring = [list(map(float, p)) for p in lonlat_unit("UA-14", 0.1).exterior.coords]
    ring[3] = [ring[3][0], 95.0]
    path = write_json(
        tmp_path / "b.geojson", feature_collection({"type": "Polygon", "coordinates": [ring]})
    )
    refused(
        cli("run", "--no-maps", "-b", path, scenario(tmp_path)),
        f"{path}: feature 1: vertex [{ring[3][0]:g}, 95]: latitude 95 is outside −90…90",
    )


def test_real_metre_coordinates_are_still_called_metres(tmp_path):
    to_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    outline = shapely.transform(
        lonlat_unit("UA-14", 0.1), lambda xy: np.column_stack(to_3857.transform(*xy.T))
    )
    path = write_json(tmp_path / "b.geojson", feature_collection(mapping(outline)))
    line = refused(cli("run", "--no-maps", "-b", path, scenario(tmp_path)), "look like metres")
    assert "EPSG:3857" in line and "outside" not in line


# --- units files -----------------------------------------------------------------------------


def test_a_units_feature_without_geometry_is_named(tmp_path):
    path = units_file(tmp_path, "null")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][3]["geometry"] = None
    code = data["features"][3]["properties"]["code"]
    write_json(path, data)
    line = refused(run_units(tmp_path, path), f"{path}: feature 4 (", "has no geometry")
    assert code in line and "NoneType" not in line


@pytest.mark.parametrize("kind", ["Point", "LineString"])
def test_a_unit_given_as_a_point_or_a_line_is_named_as_such_not_only_missing(tmp_path, kind):
    """A label point is skipped (files carry them beside the outlines); when it is all a
    unit has, the error said only "missing unit", as if the file had left the unit out."""
    path = units_file(tmp_path, kind)
    data = json.loads(path.read_text(encoding="utf-8"))
    name = data["features"][5]["properties"]["name"]
    point = [31.0, 49.0]
    shapes = {"Point": point, "LineString": [point, [31.5, 49.5]]}
    data["features"][5]["geometry"] = {"type": kind, "coordinates": shapes[kind]}
    write_json(path, data)
    line = refused(run_units(tmp_path, path), "missing unit ")
    assert f"feature 6 (code '{data['features'][5]['properties']['code']}') is a {kind}" in line
    assert "a unit needs a Polygon or MultiPolygon" in line and name in line


def test_a_units_file_with_altitudes_is_the_same_units(tmp_path):
    path = units_file(tmp_path, "z", lambda code, g: shapely.force_3d(g, 140.0))
    flat = units_file(tmp_path, "flat")
    assert ", 140.0]" in path.read_text(encoding="utf-8")
    a = geodata._from_file(str(flat.resolve()))
    b = geodata._from_file(str(path.resolve()))
    for code in a.geometry:
        assert shapely.equals_exact(a.geometry[code], b.geometry[code], 0), code


def test_units_with_latitude_and_longitude_swapped_are_refused(tmp_path):
    swap = lambda code, g: shapely.transform(g, lambda xy: xy[:, ::-1])  # noqa: E731
    path = units_file(tmp_path, "swapped", swap)
    refused(run_units(tmp_path, path), "no unit lies over Ukraine", "look like [lat, lon]")


def test_units_far_from_ukraine_are_refused(tmp_path):
    east = lambda code, g: shapely.affinity.translate(g, xoff=60)  # noqa: E731
    path = units_file(tmp_path, "elsewhere", east)
    refused(run_units(tmp_path, path), "no unit lies over Ukraine", "lon 82", "EPSG:4326")


def test_units_shifted_a_little_are_refused(tmp_path):
    """Still over Ukraine's box, but each unit mostly on its neighbour's land."""
    east = lambda code, g: shapely.affinity.translate(g, xoff=1.5)  # noqa: E731
    path = units_file(tmp_path, "shifted", east)
    refused(
        run_units(tmp_path, path),
        "of the units' area lies inside the embedded unit of the same name",
        "at least 90% expected",
    )


def test_units_shifted_by_a_few_km_are_refused_saying_how_far(tmp_path):
    """0.05° east and 0.03° north (~3.5 km each): 90 % of the area still lies in the right
    unit, but the line of control moves across towns (land-swap's 'regains' +45 %)."""
    moved = lambda code, g: shapely.affinity.translate(g, xoff=0.05, yoff=0.03)  # noqa: E731
    line = refused(run_units(tmp_path, units_file(tmp_path, "moved", moved)), "median offset")
    assert re.search(r"lie 5\.0 km \(3\.7 km east and 3\.3 km north\)", line), line


def test_units_within_a_few_hundred_metres_are_accepted(tmp_path):
    """Independent outlines differ this much (Minregion's from the embedded: ~0.5 km)."""
    moved = lambda code, g: shapely.affinity.translate(g, xoff=0.006, yoff=-0.004)  # noqa: E731
    result = run_units(tmp_path, units_file(tmp_path, "near", moved))
    assert result.exit_code == 0, result.output


def test_overlapping_units_are_refused_naming_both(tmp_path):
    luhansk = lonlat_unit("UA-09", 0.0)
    grow = lambda code, g: shapely.union(g, luhansk) if code == "UA-14" else g  # noqa: E731
    path = units_file(tmp_path, "overlap", grow)
    line = refused(run_units(tmp_path, path), "overlap by", "more than 1 km²")
    assert "(UA-09)" in line and "(UA-14)" in line


def test_tiny_units_are_refused_with_both_areas(tmp_path):
    def tiny(code, g):
        p = g.representative_point()
        return shapely.box(p.x, p.y, p.x + 0.01, p.y + 0.01)

    path = units_file(tmp_path, "tiny", tiny)
    refused(run_units(tmp_path, path), "km² in all", "official 603,628 km²", "within ±5%")


def test_one_unit_shrunk_to_a_sliver_is_refused_naming_it(tmp_path):
    """Donetsk as an 80 km² triangle moved the total by 4 %, inside the total's ±5 %:
    Donetsk had simply dropped out of every transfer."""

    def shrunk(code, g):
        if code != "UA-14":
            return g
        p = g.representative_point()
        return shapely.Polygon([(p.x, p.y), (p.x + 0.1, p.y), (p.x, p.y + 0.1)])

    path = units_file(tmp_path, "shrunk", shrunk)
    refused(
        run_units(tmp_path, path),
        "unit Donetsk / Донецька (UA-14) covers",
        "against its official 26,517 km²",
    )


def test_a_unit_given_twice_is_refused_naming_it(tmp_path):
    data = json.loads(units_file(tmp_path, "once").read_text(encoding="utf-8"))
    kyiv = next(f for f in data["features"] if f["properties"]["code"] == "UA-32")
    n = data["features"].index(kyiv) + 1
    path = units_file(tmp_path, "twice", extra=[kyiv])
    refused(
        run_units(tmp_path, path),
        "unit Kyiv / Київська (UA-32) is in the file twice",
        f"features {n} and 28 overlap",
    )


def test_a_unit_in_several_features_that_do_not_overlap_is_accepted(tmp_path):
    crimea = geodata.to_lonlat(geodata.load().geometry["UA-43"])
    x0, y0, x1, y1 = crimea.bounds
    mid = (x0 + x1) / 2
    west = shapely.intersection(crimea, shapely.box(x0 - 1, y0 - 1, mid, y1 + 1))
    east = shapely.intersection(crimea, shapely.box(mid, y0 - 1, x1 + 1, y1 + 1))
    cut = lambda code, g: west if code == "UA-43" else g  # noqa: E731
    extra = [{"type": "Feature", "properties": {"code": "UA-43"}, "geometry": mapping(east)}]
    path = units_file(tmp_path, "parts", cut, extra)
    result = run_units(tmp_path, path)
    assert result.exit_code == 0, result.output


def test_doctor_reports_a_refused_units_file_as_a_failure(tmp_path, monkeypatch):
    swap = lambda code, g: shapely.transform(g, lambda xy: xy[:, ::-1])  # noqa: E731
    path = units_file(tmp_path, "doctor", swap)
    monkeypatch.setenv("MODELLER_UNITS", str(path))
    [finding] = doctor.check_units()
    assert finding.level == "fail" and "no unit lies over Ukraine" in finding.message
    with pytest.raises(InputError, match="look like"):
        geodata.load()
    refused(cli("doctor", "--units", path), "no unit lies over Ukraine")


def test_the_real_minregion_boundaries_are_accepted(tmp_path, shared_data):
    path = shared_data / MINREGION
    if not path.exists():
        pytest.skip(f"{MINREGION} absent from the shared data")
    result = run_units(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "error" not in result.output.lower()
    data = geodata._from_file(str(path.resolve()))
    assert data.total_km2 == pytest.approx(geodata.OFFICIAL_AREA_KM2, rel=0.01)
    assert unitchecks.unit_overlaps(data.geometry) == []


def test_the_embedded_units_written_out_are_accepted(tmp_path):
    result = run_units(tmp_path, units_file(tmp_path, "embedded"))
    assert result.exit_code == 0, result.output


def test_a_units_name_with_a_letter_of_another_script_says_which(tmp_path):
    """'Київськa область' with a Latin a read as right, and the error listed it as given:
    scenarios named the odd letter, units files did not."""
    data = geodata.load()
    feats = [
        {
            "type": "Feature",
            "properties": {"name": data.units[code].name_uk.replace("ка", "кa", 1)}
            if code == "UA-32"
            else {"name": data.units[code].name_uk},
            "geometry": mapping(geodata.to_lonlat(geom)),
        }
        for code, geom in data.geometry.items()
    ]
    path = write_json(tmp_path / "units.geojson", {"type": "FeatureCollection", "features": feats})
    name = data.units["UA-32"].name_uk.replace("ка", "кa", 1)
    at = name.index("a") + 1
    refused(
        run_units(tmp_path, path),
        f"cannot match '{name}' (field name; the first is feature",
        f"; in '{name}', its character {at} is U+0061 Latin Small Letter A among Cyrillic "
        "letters; names seen:",
    )


def test_markdown_method_and_sources_show_a_units_file_name_as_written(tmp_path):
    """The units file's name reaches the method and sources: no link, no HTML there."""
    path = units_file(tmp_path, "embedded")
    odd = path.with_name("[x](http:evil)<b>.geojson")
    path.rename(odd)
    result = cli(
        "run", "--no-maps", "-b", "1991", "--units", odd, "-f", "markdown", scenario(tmp_path)
    )
    assert result.exit_code == 0, result.output
    tail = result.stdout[result.stdout.index("## Method and sources") :]
    assert "[x](http" not in tail and "<b>" not in tail
    assert "\\[x\\](http:evil)&lt;b&gt;.geojson" in tail


OVERLAPPING = [  # two squares in Donetsk that overlap by a quarter of a degree square
    [[[37.0, 48.0], [38.0, 48.0], [38.0, 48.5], [37.0, 48.5], [37.0, 48.0]]],
    [[[37.5, 48.2], [38.5, 48.2], [38.5, 48.7], [37.5, 48.7], [37.5, 48.2]]],
]


def _russia_km2(tmp_path, name: str, features: list) -> float:
    path = tmp_path / name
    doc = {"type": "FeatureCollection", "date": "2025-09-01", "features": features}
    path.write_text(json.dumps(doc), encoding="utf-8")
    args = ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    statuses = json.loads(result.stdout)["scenarios"][0]["statuses"]
    return next(s["baseline_km2"] for s in statuses if s["status"] == "russia")


def test_a_multipolygon_whose_parts_overlap_counts_the_overlap_once(tmp_path):
    """GEOS's make_valid had read overlapping parts as their symmetric difference: the land
    both squares cover (1,236 km²) counted as Ukrainian-held, with no word."""
    multi = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "MultiPolygon", "coordinates": OVERLAPPING},
    }
    apart = [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": ring}}
        for ring in OVERLAPPING
    ]
    union = shapely.union_all([shapely.Polygon(r[0]) for r in OVERLAPPING])
    expected = geodata.area_km2(geodata.to_equal_area(union.segmentize(0.01)))
    assert _russia_km2(tmp_path, "multi.geojson", [multi]) == pytest.approx(expected, rel=1e-4)
    assert _russia_km2(tmp_path, "apart.geojson", apart) == pytest.approx(expected, rel=1e-4)
    territory = geojson.territory(
        [shapely.MultiPolygon([shapely.Polygon(r[0]) for r in OVERLAPPING])]
    )
    assert geodata.area_km2(territory) == pytest.approx(expected, rel=1e-4)


def _square(x0: float, y0: float, size: float) -> list:
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def _feature(ring: list, **properties) -> dict:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": ring},
    }


def test_a_red_feature_does_not_make_a_users_file_a_raw_deepstate_dump(tmp_path):
    """One feature filled DeepState's red had made the file a 'raw dump': the other
    features were dropped, 'status' ignored and the file credited to DeepStateMap."""
    a, b = _square(37.0, 48.0, 0.5), _square(38.0, 48.0, 0.5)
    alone = _russia_km2(tmp_path, "a.geojson", [_feature(a)]) + _russia_km2(
        tmp_path, "b.geojson", [_feature(b)]
    )
    both = [_feature(a, fill="#A52714"), _feature(b)]
    assert _russia_km2(tmp_path, "red.geojson", both) == pytest.approx(alone, abs=0.02)  # 0.01 km²
    path = tmp_path / "ukr.geojson"
    doc = {"type": "FeatureCollection", "features": [_feature(a, status="ukraine", fill="#a52714")]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", str(path)]
    )
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)["scenarios"][0]
    assert [s["status"] for s in entry["statuses"]] == ["ukraine"]
    assert "DeepState" not in entry["baseline"]["source"]


@pytest.mark.parametrize("order", [1, -1])
def test_features_of_two_statuses_over_the_same_land_are_refused(tmp_path, order):
    """Which status held the overlap had depended on the features' order, and a 'ukraine'
    pocket inside a Russian-held polygon was Russian-held."""
    big, small = _square(37.0, 48.0, 1.0), _square(37.2, 48.2, 0.5)
    for other in ("ukraine", "contested"):
        features = [_feature(big), _feature(small, status=other)][::order]
        path = tmp_path / f"{other}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        args = ["run", "freeze-current-lines", "--no-maps", "-b", str(path)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        said = " ".join(result.output.split())
        assert "overlap" in said and "a place has one status" in said and path.name in said


def test_a_quoted_nan_coordinate_is_named_without_a_warning_before_it(tmp_path):
    """shapely's 'invalid value encountered in linearrings' had been printed first."""
    import warnings

    ring = [[37, 48], [38, 48], [38, "NaN"], [37, 48.5], [37, 48]]
    path = tmp_path / "nan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [_feature([ring])]}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", str(path)])
    assert result.exit_code == 2 and 'got [38, "NaN"]' in result.output, result.output
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


BOW_TIE = [[36, 49], [37, 50], [37, 49], [36, 50], [36, 49]]  # a square, two corners swapped


def test_a_ring_whose_edges_cross_is_refused_where_they_cross(tmp_path):
    """A bow tie had been repaired to two triangles without a word: Kharkiv ceded 4,028 km²
    where the square meant is 8,056 (as a baseline file, 8,400 km² for 16,928)."""
    scenario = tmp_path / "bow.yaml"
    polygon = {"type": "Polygon", "coordinates": [BOW_TIE]}
    scenario.write_text(
        "id: bow\ntitle: Bow tie\nstatuses: {dmz: {label: DMZ, colour: '#7570b3'}}\n"
        f"steps:\n  - assign: dmz\n    where:\n      polygon: {{geojson: {json.dumps(polygon)}}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["run", str(scenario), "--no-maps"])
    assert result.exit_code == 2, result.output
    said = "bow.yaml:6: step 1: geometry: a polygon's edges cross near [36.5000, 49.5000]"
    assert said in result.output
    base = tmp_path / "bow.geojson"
    base.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": polygon}))
    result = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", str(base)])
    assert result.exit_code == 2 and "edges cross near [36.5000, 49.5000]" in result.output
    assert f"{base}: geometry: a polygon's edges cross" in result.output


def test_a_crossing_ring_in_a_file_names_the_file_the_feature_and_its_line(tmp_path):
    """It had named neither: "error: a polygon's edges cross near …" for a baseline file,
    and the scenario's own line for a scenario's polygon file."""
    fine = {"type": "Polygon", "coordinates": [[[36, 47], [36.2, 47], [36.2, 47.2], [36, 47]]]}
    feats = [
        {"type": "Feature", "properties": {}, "geometry": g}
        for g in (fine, {"type": "Polygon", "coordinates": [BOW_TIE]})
    ]
    zone = tmp_path / "zone.geojson"
    zone.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, indent=1))
    at = "zone.geojson:31: feature 2: a polygon's edges cross"  # its "{" (json.dumps, indent 1)
    result = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", str(zone)])
    assert result.exit_code == 2 and at in result.output, result.output
    scenario = tmp_path / "sc.yaml"
    scenario.write_text(
        "id: z\ntitle: Z\nsteps:\n  - assign: russia\n    where: {polygon: {file: zone.geojson}}\n",
        encoding="utf-8",
    )
    for command in (["validate"], ["run", "--no-maps", "-b", "1991"]):
        result = CliRunner().invoke(main, [*command, str(scenario)])
        assert result.exit_code == 2, result.output
        assert f"sc.yaml:5: step 1: {tmp_path / at}" in result.output, result.output
    # the square in order, and a ring that only touches itself, are taken as before
    square = [[36, 49], [37, 49], [37, 50], [36, 50], [36, 49]]
    geojson.check_rings(shapely.Polygon(square))
    pinched = [[36, 49], [37, 49], [36.5, 49.5], [37, 50], [36, 50], [36.5, 49.5], [36, 49]]
    geojson.check_rings(shapely.Polygon(pinched))


def test_a_ring_crossing_itself_a_little_is_repaired_and_said(tmp_path):
    """A loop of under 1 % of a polygon's area is repaired, as before, but no longer unsaid:
    the warning names the feature, where its ring crosses and the km² the repair changed."""
    steps = [round(36 + k / 100, 2) for k in range(101)]
    ring = [[x, 49.0] for x in steps] + [[37.0, round(49 + k / 100, 2)] for k in range(1, 101)]
    ring += [[x, 50.0] for x in steps[::-1][1:]] + [
        [36.0, round(50 - k / 100, 2)] for k in range(1, 101)
    ]
    i = ring.index([37.0, 49.0])
    ring[i - 1], ring[i + 1] = ring[i + 1], ring[i - 1]  # a corner's two neighbours swapped
    polygon = shapely.Polygon(ring)
    assert not polygon.is_valid
    changed = geodata.area_km2(geodata.to_equal_area(shapely.make_valid(polygon)))
    changed -= geodata.area_km2(geodata.to_equal_area(polygon))
    plain = {
        "type": "Feature",
        "properties": {},
        "geometry": mapping(shapely.box(30, 46, 30.2, 46.2)),
    }
    looped = {"type": "Feature", "properties": {}, "geometry": mapping(polygon)}
    base = tmp_path / "loop.geojson"
    base.write_text(json.dumps({"type": "FeatureCollection", "features": [plain, looped]}))
    result = CliRunner().invoke(main, ["run", "freeze-current-lines", "--no-maps", "-b", str(base)])
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "loop.geojson: feature 2's outline crosses itself near [36.99" in text
    assert f"the land changed by {abs(changed):,.2f} km²" in text and 0.5 < abs(changed) < 2
    # a ring in order, and a ring touching itself at a point, say nothing
    assert geojson.crossing(shapely.box(36, 49, 37, 50)) is None
    pinched = [[36, 49], [37, 49], [36.5, 49.5], [37, 50], [36, 50], [36.5, 49.5], [36, 49]]
    assert geojson.crossing(shapely.Polygon(pinched)) is None


def test_a_deepstate_layer_held_mostly_outside_the_units_is_doubted(tmp_path, shared_data):
    """A raw dump edited to fill DeepState's other occupied lands (Transnistria, Abkhazia …)
    with its occupied colour put 450 km² of Odesa oblast under Russia without a word; past a
    tenth of the layer outside the units (DeepState's maps: 1-2 %) a warning asks why. A
    user's polygon drawn past the border is meant to be cut to the units: no warning."""
    name = "deepstate_raw_20250803T195825Z.geojson"
    dump = json.loads((shared_data / "deepstate/raw" / name).read_text(encoding="utf-8"))
    for feature in dump["features"]:
        if feature["properties"].get("fill") == "#ff5252":  # other countries' occupied land
            feature["properties"]["fill"] = "#a52714"  # DeepState's occupied fill
    edited = tmp_path / name
    edited.write_text(json.dumps(dump), encoding="utf-8")
    beyond = {"type": "Feature", "properties": {}, "geometry": mapping(shapely.box(36, 43, 42, 53))}
    rough = tmp_path / "rough.geojson"
    rough.write_text(json.dumps({"type": "FeatureCollection", "features": [beyond]}))
    said = {}
    for base in (shared_data / "deepstate/raw" / name, edited, rough):
        args = ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", str(base)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)["scenarios"][0]
        said[base] = [w for w in doc["warnings"] if "lies outside the units" in w]
        out, held = doc["baseline"]["outside_units_km2"], doc["statuses"]
        russia = next(s["baseline_km2"] for s in held if s["status"] == "russia")
        share = round(100 * out / (out + russia))
        if base == edited:
            assert said[base] == [
                f"{out:,.0f} km² of the baseline's Russian-held land ({share} % of it) lies "
                "outside the units, where DeepState's own maps leave 1-2 % (the coast, the Azov "
                "shore); only the part inside counts: is land beyond Ukraine marked as held "
                "(Transnistria or Abkhazia in an edited layer), or is the map moved or drawn on "
                f"other outlines? Check {doc['baseline']['name']} (2025-08-03)"
            ]
            assert 30 < share < 70
        else:
            assert said[base] == [] and (share > 50) is (base == rough)


def test_a_deepstate_map_moved_half_a_degree_is_doubted_not_read_as_pockets(tmp_path, shared_data):
    """Moved 0.5° east, a day's map leaves Crimea's west and all of Sevastopol 'cut off
    behind Russian lines'; the warning had offered only lagoons and encircled pockets."""
    day = json.loads(
        (shared_data / "deepstate/daily/deepstatemap_data_20250815.geojson").read_text()
    )
    for feature in day["features"]:
        moved = shapely.transform(
            shapely.geometry.shape(feature["geometry"]), lambda xy: xy + [0.5, 0]
        )
        feature["geometry"] = mapping(moved)
    day["date"] = "2025-08-15"
    base = tmp_path / "moved.geojson"
    base.write_text(json.dumps(day))
    result = CliRunner().invoke(
        main, ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", str(base)]
    )
    assert result.exit_code == 0, result.output
    [cut] = [w for w in json.loads(result.stdout)["scenarios"][0]["warnings"] if "cut off" in w]
    assert "Sevastopol" in cut and cut.endswith(
        "is the map moved, or drawn on other outlines than the units'?"
    )
    assert int(cut.split(" km²")[0].replace(",", "")) > control.CUT_OFF_DOUBT_KM2
    # the day as published: its cut-off land (if any) stays below the doubt
    result = CliRunner().invoke(
        main,
        ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", "deepstate:2025-08-15"],
    )
    assert "is the map moved" not in result.stdout


# --- the line of the feature an error names ---------------------------------------------------


@settings(max_examples=60)
@given(
    n=st.integers(1, 6),
    indent=st.sampled_from([1, 2, 4, "\t"]),
    before=st.dictionaries(
        st.sampled_from(["name", "crs", "bbox", "x"]), st.integers(), max_size=3
    ),
)
def test_the_line_of_each_feature_is_where_it_starts(n, indent, before):
    """Each feature carries its number in an id; its line is that of its opening brace:
    at or before the id's line, after the previous feature's id."""
    from modeller.positions import feature_line

    feats = [{"type": "Feature", "id": f"F{k}", "geometry": None} for k in range(1, n + 1)]
    text = json.dumps({"type": "FeatureCollection", **before, "features": feats}, indent=indent)
    lines = text.splitlines()
    at = {k: next(i + 1 for i, x in enumerate(lines) if f'"F{k}"' in x) for k in range(1, n + 1)}
    for k in range(1, n + 1):
        line = feature_line(text, k)
        assert line is not None and lines[line - 1].strip().startswith("{"), (k, line)
        assert at.get(k - 1, 0) < line <= at[k]
    assert feature_line(text, n + 1) is None
    assert feature_line(json.dumps({"features": feats}), 1) is None  # one line: no line


def test_a_bad_feature_in_a_baseline_file_is_named_with_its_line(tmp_path):
    ring = [list(map(float, p)) for p in lonlat_unit("UA-14", 0.1).exterior.coords]
    ring[2] = [38.0]
    fc = feature_collection(
        mapping(lonlat_unit("UA-23", 0.1)), {"type": "Polygon", "coordinates": [ring]}
    )
    path = tmp_path / "base.geojson"
    path.write_text(json.dumps(fc, indent=2), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    second = [i + 1 for i, x in enumerate(lines) if x == "    {"][1]  # its opening brace
    refused(
        cli("run", "--no-maps", "-b", path, scenario(tmp_path)),
        f"{path}:{second}: feature 2: a position must be [longitude, latitude]",
    )


def test_a_bad_feature_in_a_units_file_is_named_with_its_line(tmp_path):
    path = units_file(tmp_path, "lines")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][4]["geometry"] = {"type": "Polygon", "coordinates": [[[30, 50], [31]]]}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    line = refused(run_units(tmp_path, path), "feature 5")
    shown = int(re.search(r"\.geojson:(\d+): feature 5", line).group(1))
    assert path.read_text(encoding="utf-8").splitlines()[shown - 1].strip() == "{"
    assert '"code"' in "".join(path.read_text(encoding="utf-8").splitlines()[shown : shown + 6])


def test_a_bad_status_is_numbered_as_in_the_file_with_its_line(tmp_path):
    """Features without a geometry were not counted: 'feature 2' at line 11 named the
    fourth feature, which starts at line 51."""
    empty = {"type": "Feature", "properties": {}, "geometry": None}
    bad = {"type": "Feature", "properties": {"status": "martians"}, "geometry": None}
    bad["geometry"] = mapping(lonlat_unit("UA-14", 0.1))
    good = {"type": "Feature", "properties": {}, "geometry": mapping(lonlat_unit("UA-23", 0.1))}
    path = tmp_path / "base.geojson"
    fc = {"type": "FeatureCollection", "features": [empty, good, empty, bad]}
    path.write_text(json.dumps(fc, indent=2), encoding="utf-8")
    starts = [i + 1 for i, x in enumerate(path.read_text().splitlines()) if x == "    {"]
    refused(
        cli("run", "--no-maps", "-b", path, scenario(tmp_path)),
        f"{path}:{starts[3]}: feature 4: unknown status 'martians'",
    )


def test_with_two_features_keys_the_line_is_in_the_one_json_keeps():
    from modeller.positions import feature_line

    text = '{\n"features": [\n{"a": 1}\n],\n"features": [\n{"b": 1},\n{"c": 2}\n]\n}'
    assert json.loads(text)["features"][1] == {"c": 2}
    assert feature_line(text, 2) == 7 and feature_line(text, 3) is None


def test_a_units_file_with_a_byte_order_mark_is_read_as_baselines_are(tmp_path):
    path = units_file(tmp_path, "bom")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run_units(tmp_path, path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("name", "change", "turn", "scale"),
    [
        ("turned", lambda g: shapely.affinity.rotate(g, 0.5, origin=(31.2, 48.4)), "+0.6", ""),
        (
            "scaled",
            lambda g: shapely.affinity.scale(g, 1.01, 1.01, origin=(31.2, 48.4)),
            "",
            "+0.99%",
        ),
    ],
)
def test_units_turned_or_scaled_as_a_whole_are_refused(tmp_path, name, change, turn, scale):
    """A turn of 0.5° about Ukraine's centre, or a scale of 1 %, keeps the median offset of
    the units' centres under 1.5 km, but moves the eastern units 6-7 km."""
    path = units_file(tmp_path, name, lambda code, g: change(g))
    line = refused(run_units(tmp_path, path), "best fit of their centres", "EPSG:4326")
    found = re.search(r"turned by ([+-][\d.]+)° and scaled by ([+-][\d.]+%)", line)
    assert found, line
    moved = float(re.search(r"moves unit .+? by ([\d.]+) km", line).group(1))
    assert 5.0 < moved < 8.0, line
    assert found.group(1).startswith(turn) and found.group(2).startswith(scale or "")


@pytest.mark.parametrize(("a", "b"), [("UA-07", "UA-56"), ("UA-30", "UA-40")])
def test_two_units_with_their_names_swapped_are_named(tmp_path, a, b):
    """Volyn and Rivne (or Kyiv city and Sevastopol), of about the same area, given each
    other's outlines: the file had been refused as turned as a whole, naming Luhansk."""
    data = geodata.load()
    outline = {c: geodata.to_lonlat(data.geometry[c]) for c in (a, b)}
    swap = lambda code, g: outline[b if code == a else a] if code in (a, b) else g  # noqa: E731
    line = refused(run_units(tmp_path, units_file(tmp_path, "swapped", swap)), "two units swapped")
    assert f"({a})'s outline lies" in line and f"({b}) (embedded units)" in line, line


def test_units_turned_a_little_are_accepted(tmp_path):
    """A turn of 0.05° moves the farthest unit ~0.7 km: independent outlines differ so."""
    turn = lambda code, g: shapely.affinity.rotate(g, 0.05, origin=(31.2, 48.4))  # noqa: E731
    result = run_units(tmp_path, units_file(tmp_path, "turned-a-little", turn))
    assert result.exit_code == 0, result.output


def test_units_with_nan_or_not_a_feature_collection_are_refused_in_one_line(tmp_path):
    """NaN or Infinity (Python's json writes them) crashed with a GEOS traceback; a JSON
    array or a single Feature gave Python internals ("list indices must be integers")."""
    flat = units_file(tmp_path, "flat")
    doc = json.loads(flat.read_text(encoding="utf-8"))
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    while isinstance(ring[0][0], list):
        ring = ring[0]
    for token, value in (("NaN", float("nan")), ("Infinity", float("inf"))):
        ring[1] = [value, 50.0]
        bad = tmp_path / f"{token}.geojson"
        bad.write_text(json.dumps(doc), encoding="utf-8")
        refused(run_units(tmp_path, bad), f"{token} is not a number GeoJSON allows")
    ring[1] = [ring[0][0] + 0.001, ring[0][1]]
    for name, value, kind in [
        ("array", doc["features"], "a JSON array"),
        ("feature", doc["features"][0], "a GeoJSON Feature"),
    ]:
        bad = write_json(tmp_path / f"{name}.geojson", value)
        refused(run_units(tmp_path, bad), kind, "a units GeoJSON is a FeatureCollection")
    # an empty file is said as a baseline's is (not json's "Expecting value: line 1 …")
    (tmp_path / "empty.geojson").write_text(" \n", encoding="utf-8")
    refused(run_units(tmp_path, tmp_path / "empty.geojson"), "empty file (no GeoJSON in it")


def test_a_baseline_geopackage_in_a_projected_crs_is_read_in_that_crs(tmp_path):
    """A baseline GeoPackage labelled EPSG:32637 (UTM 37N) was refused as 'GeoJSON in
    metres', and one of degrees labelled EPSG:3857 was read as degrees: the label is what
    the file says, as for --units files."""
    import geopandas

    russia = shapely.Polygon([(37.5, 47.5), (38.5, 47.5), (38.5, 48.3), (37.5, 48.3)])
    lonlat = geopandas.GeoDataFrame({"status": ["russia"]}, geometry=[russia], crs=4326)
    lonlat.to_file(tmp_path / "ll.gpkg")
    lonlat.to_crs(32637).to_file(tmp_path / "utm.gpkg")
    lonlat.set_crs(3857, allow_override=True).to_file(tmp_path / "mislabelled.gpkg")

    def held(name: str) -> float:
        result = cli("run", "--no-maps", "-f", "json", "-b", tmp_path / name, scenario(tmp_path))
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)["scenarios"][0]["statuses"]
        return next(r["baseline_km2"] for r in rows if r["status"] == "russia")

    assert held("utm.gpkg") == pytest.approx(held("ll.gpkg"), rel=1e-6)
    assert held("ll.gpkg") > 6000  # ~1° × 0.8° of Donetsk
    # degrees labelled in metres: the label is wrong, and the error says so (it had said to
    # give lon/lat degrees, which the file has), for a baseline as for units
    said = (
        "mislabelled.gpkg: the layer declares WGS 84 / Pseudo-Mercator, a CRS in metres, but "
        "its coordinates look like lon/lat degrees (x 37.5 … 38.5, y 47.5 … 48.3): its "
        "declared CRS is wrong; assign it EPSG:4326"
    )
    refused(cli("run", "--no-maps", "-b", tmp_path / "mislabelled.gpkg", scenario(tmp_path)), said)
    units = geopandas.GeoDataFrame(
        {"code": list(geodata.load().geometry)},
        geometry=[geodata.to_lonlat(g) for g in geodata.load().geometry.values()],
        crs=3857,
    )
    units.to_file(tmp_path / "units.gpkg")
    refused(
        cli("run", "--no-maps", "--units", tmp_path / "units.gpkg", scenario(tmp_path)),
        "units.gpkg: the layer declares WGS 84 / Pseudo-Mercator, a CRS in metres, but its "
        "coordinates look like lon/lat degrees (x 22.1",
    )


@pytest.mark.parametrize("field", ["STATUS", "Status", "status "])
def test_a_baseline_status_in_any_letter_case_is_its_status(tmp_path, field):
    """A 'STATUS' field (as Shapefiles' field names often are) was not read: every feature
    counted as Russian-held, the Ukrainian-held box too, without a word."""
    import geopandas

    boxes = [shapely.box(36, 48, 37, 49), shapely.box(37.5, 48, 38, 49)]
    frame = geopandas.GeoDataFrame({field: ["ukraine", "russia"]}, geometry=boxes, crs=4326)
    frame.to_file(tmp_path / "b.gpkg")
    write_json(tmp_path / "b.geojson", json.loads(frame.to_json()))
    plain = frame.rename(columns={field: "status"})
    write_json(tmp_path / "plain.geojson", json.loads(plain.to_json()))

    def held(name: str) -> float:
        result = cli("run", "--no-maps", "-f", "json", "-b", tmp_path / name, scenario(tmp_path))
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)["scenarios"][0]["statuses"]
        return next(r["baseline_km2"] for r in rows if r["status"] == "russia")

    expected = held("plain.geojson")
    assert 3000 < expected < 4500  # the Russian-held box alone (0.5° × 1°)
    assert held("b.geojson") == pytest.approx(expected)
    if field.strip() == field:  # (a GeoPackage field keeps its name as written)
        assert held("b.gpkg") == pytest.approx(expected)


def test_a_holder_named_under_another_property_is_refused(tmp_path):
    """{"control": "ukraine"} (no 'status') was read as Russian-held land."""
    box = mapping(shapely.box(36, 48, 37, 49))
    doc = feature_collection(box)
    doc["features"][0]["properties"] = {"country": "Ukraine", "control": "ukraine"}
    path = write_json(tmp_path / "b.geojson", doc)
    refused(
        cli("run", "--no-maps", "-b", path, scenario(tmp_path)),
        "feature 1 has no 'status' but its 'control' is 'ukraine'",
    )
    doc["features"][0]["properties"] = {"country": "Ukraine"}  # where, not who holds it
    write_json(path, doc)
    assert cli("run", "--no-maps", "-b", path, scenario(tmp_path)).exit_code == 0


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
@pytest.mark.parametrize(
    "props, said",
    [
        ({"status_2025": "ukraine"}, "its 'status_2025' is 'ukraine': name that property"),
        ({"occupied": False}, "its 'occupied' is 'False', which says the land is not occupied"),
        ({"Occupied": "no"}, "its 'Occupied' is 'no', which says the land is not occupied"),
        ({"liberated": 1}, "its 'liberated' is '1', which says the land is not occupied"),
        ({"de_occupied": "yes"}, "its 'de_occupied' is 'yes', which says the land is not"),
    ],
)
def test_a_feature_saying_it_is_not_held_otherwise_than_by_status_is_refused(
    tmp_path, props, said, suffix
):
    """{"occupied": false} or {"status_2025": "ukraine"} (no 'status') had been read as
    Russian-held land; {"occupied": true} is what a feature without a status says."""
    import geopandas

    def write(values: dict):
        frame = geopandas.GeoDataFrame(
            {k: [v] for k, v in values.items()}, geometry=[shapely.box(36, 48, 37, 49)], crs=4326
        )
        path = tmp_path / f"b{suffix}"
        if suffix == ".geojson":
            write_json(path, json.loads(frame.to_json()))
        else:
            frame.to_file(path)
        return path

    refused(cli("run", "--no-maps", "-b", write(props), scenario(tmp_path)), "feature 1 has", said)
    assert (
        cli("run", "--no-maps", "-b", write({"occupied": True}), scenario(tmp_path)).exit_code == 0
    )


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson"])
def test_a_layer_baseline_gets_the_geojson_checks_of_dates_and_holders(tmp_path, suffix):
    """A GeoPackage or Shapefile baseline passed on only its 'status' and 'fill' to the
    checks: three dated maps in one file were read as their union (123,966 km² held,
    more than any of them), with no date; land marked 'control: ukraine' counted Russian-
    held; a GeoJSON's 'Date' was no date. Each is now refused, or dated, as a GeoJSON's
    'date' is."""
    import datetime

    import geopandas

    boxes = [shapely.box(37.5, 47.5, 38, 48), shapely.box(37.6, 47.6, 38.1, 48.1)]
    days = [datetime.date(2022, 4, 30), datetime.date(2022, 10, 31)]

    def write(frame, name):
        path = tmp_path / f"{name}{suffix}"
        if suffix == ".geojson":
            write_json(path, json.loads(frame.to_json(default=str)))
        else:
            frame.to_file(path)
        return path

    maps = geopandas.GeoDataFrame({"Date": days}, geometry=boxes, crs=4326)
    refused(
        cli("run", "--no-maps", "-b", write(maps, "maps"), scenario(tmp_path)),
        "the features carry 2 different dates (2022-04-30 … 2022-10-31)",
    )
    one = geopandas.GeoDataFrame({"Date": [days[1]] * 2}, geometry=boxes, crs=4326)
    result = cli("run", "--no-maps", "-f", "json", "-b", write(one, "one"), scenario(tmp_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenarios"][0]["baseline"]["date"] == "2022-10-31"
    if suffix == ".shp":  # a DateTime column, which GDAL writes as '2022/10/31 00:00:00'
        stamped = one.assign(Date=[datetime.datetime(2022, 10, 31)] * 2)
        with pytest.warns(RuntimeWarning, match="created as String field"):  # (as text)
            stamp_path = write(stamped, "t")
        result = cli("run", "--no-maps", "-f", "json", "-b", stamp_path, scenario(tmp_path))
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["scenarios"][0]["baseline"]["date"] == "2022-10-31"
    held = geopandas.GeoDataFrame({"control": ["ukraine"]}, geometry=boxes[:1], crs=4326)
    refused(
        cli("run", "--no-maps", "-b", write(held, "held"), scenario(tmp_path)),
        "feature 1 has no 'status' but its 'control' is 'ukraine'",
    )


def test_contested_land_in_a_users_file_counts_as_the_contested_option_says(tmp_path):
    """--contested ukraine|russia was ignored for a user's file with land marked
    'contested': its 3,325 km² stayed 'contested', with no word. It now counts as the
    option says, as DeepState's grey zone does, and the baseline says how it counted."""
    doc = feature_collection(mapping(shapely.box(37.5, 47.5, 38, 48)))
    grey = {"type": "Feature", "properties": {"status": "contested"}}
    grey["geometry"] = mapping(shapely.box(36.5, 48.5, 37, 49))
    doc["features"][0]["properties"] = {"status": "russia"}
    doc["features"].append(grey)
    path = write_json(tmp_path / "b.geojson", doc)

    def held(*option: str) -> tuple[dict, str]:
        args = ("run", "--no-maps", "-f", "json", "-b", path, *option, scenario(tmp_path))
        result = cli(*args)
        assert result.exit_code == 0, result.output
        [e] = json.loads(result.stdout)["scenarios"]
        return {r["status"]: r["baseline_km2"] for r in e["statuses"]}, e["baseline"]["grey_zone"]

    kept, said = held()
    assert kept["contested"] > 2000 and "kept as its own status 'contested'" in said
    as_ukraine, said = held("--contested", "ukraine")
    assert "contested" not in as_ukraine and "Ukrainian-held (--contested ukraine)" in said
    assert as_ukraine["ukraine"] == pytest.approx(kept["ukraine"] + kept["contested"])
    as_russia, said = held("--contested", "russia")
    assert "contested" not in as_russia and "Russian-held (--contested russia)" in said
    assert as_russia["russia"] == pytest.approx(kept["russia"] + kept["contested"])


@pytest.mark.parametrize("name", ["urn:ogc:def:crs:EPSG::32637", "EPSG:4284", "EPSG:3857"])
def test_a_geojson_declaring_another_crs_is_refused(tmp_path, name):
    """A 2008-style "crs" member was ignored: a file in Pulkovo 1942 (EPSG:4284) was read
    as WGS84 (~100 m off), one in UTM was told it 'looks like Web Mercator'."""
    doc = feature_collection(mapping(shapely.box(37.5, 47.5, 38.5, 48.3)))
    for crs, ok in [(name, False), ("urn:ogc:def:crs:OGC:1.3:CRS84", True)]:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
        path = write_json(tmp_path / "zone.geojson", doc)
        for command in (
            ["run", "--no-maps", "-b", path, scenario(tmp_path)],  # a baseline
            ["validate", scenario(tmp_path, "{polygon: {file: zone.geojson}}")],  # a polygon
        ):
            result = cli(*command)
            if ok:
                assert result.exit_code == 0, result.output
            else:
                refused(result, f"zone.geojson: declares its coordinates in '{name}'", "ogr2ogr")
    units = json.loads((geodata.geodata_dir() / "oblasts.geojson").read_text(encoding="utf-8"))
    units["crs"] = {"type": "name", "properties": {"name": name}}
    path = write_json(tmp_path / "units.geojson", units)
    result = cli("run", "--no-maps", "--units", path, "-b", "1991", scenario(tmp_path))
    refused(result, f"units.geojson: declares its coordinates in '{name}'")


def test_a_baseline_of_flat_rings_is_refused(tmp_path):
    """Rings whose corners lie on one line were read as 'Russia holds 0 km²'."""
    flat = {"type": "Polygon", "coordinates": [[[37, 48], [38, 48], [37.5, 48], [37, 48]]]}
    path = write_json(
        tmp_path / "flat.geojson", {"type": "Feature", "properties": {}, "geometry": flat}
    )
    refused(cli("run", "--no-maps", "-b", path, scenario(tmp_path)), "enclose no land", "zero area")


@pytest.mark.parametrize(
    "ring",
    [
        [[37, 48], [37, 48], [37, 48], [37, 48]],  # one point repeated: a GEOS traceback
        [[37, 48], [38, 48], [37, 48]],  # flat: "lies nowhere near Ukraine" (in Donetsk)
    ],
)
def test_a_polygon_selector_of_flat_rings_is_refused_as_such(tmp_path, ring):
    """A polygon file whose ring has zero area gave a traceback (one point repeated: GEOS
    cannot densify it) or was said to lie nowhere near Ukraine; inline, the same."""
    flat = {"type": "Polygon", "coordinates": [ring]}
    write_json(tmp_path / "flat.geojson", flat)
    sc = scenario(tmp_path, "{polygon: {file: flat.geojson}}")
    for command in (["validate", sc], ["run", "--no-maps", "-b", "1991", sc]):
        refused(cli(*command), "flat.geojson: the polygon encloses no land", "zero area")
    inline = scenario(tmp_path, f"{{polygon: {{geojson: {json.dumps(flat)}}}}}", "i.yaml")
    refused(cli("validate", inline), "i.yaml:", "the polygon encloses no land")


def _gpkg_with(path: Path, sql: str) -> Path:
    import sqlite3

    write_layer(path, lonlat_unit("UA-14", 0.1), "EPSG:4326", "GPKG")
    with sqlite3.connect(path) as db:
        db.executescript(sql)
    return path


def _broken(tmp_path: Path, case: str) -> Path:
    """A polygon file broken in one way a user's file can be (built from a real outline)."""
    import pyogrio

    donetsk = lonlat_unit("UA-14", 0.1)
    if case == "undefined-crs":  # the GeoPackage spec's own "Undefined Cartesian SRS"
        return _gpkg_with(
            tmp_path / "z.gpkg",
            "update gpkg_geometry_columns set srs_id=-1; update gpkg_contents set srs_id=-1;",
        )
    if case == "attributes-only":
        import pandas as pd

        path = tmp_path / "z.gpkg"
        pyogrio.write_dataframe(pd.DataFrame({"x": [1, 2]}), path, layer="t", driver="GPKG")
        return path
    if case == "nan":
        ring = np.array(donetsk.exterior.coords)
        ring[3, 1] = np.nan
        with warnings.catch_warnings():  # (shapely's own, about the NaN meant here)
            warnings.simplefilter("ignore", RuntimeWarning)
            polygon = shapely.Polygon(ring)
        return write_layer(tmp_path / "z.gpkg", polygon, "EPSG:4326", "GPKG")
    if case == "empty":
        (tmp_path / "z.gpkg").write_bytes(b"")
    elif case == "zip":
        (tmp_path / "z.gpkg").write_bytes(b"PK\x03\x04" + bytes(100))
    elif case == "geojson-text":
        write_json(tmp_path / "z.gpkg", feature_collection(mapping(donetsk)))
    elif case == "plain-text":
        (tmp_path / "z.gpkg").write_bytes(b"hello")
    elif case == "no-shx":
        write_layer(tmp_path / "z.shp", donetsk, "EPSG:4326", "ESRI Shapefile")
        (tmp_path / "z.shx").unlink()
        return tmp_path / "z.shp"
    elif case == "no-dbf":  # read without it, a baseline's statuses were lost silently
        write_layer(tmp_path / "z.shp", donetsk, "EPSG:4326", "ESRI Shapefile")
        (tmp_path / "z.dbf").unlink()
        return tmp_path / "z.shp"
    elif case == "far":
        far = shapely.affinity.translate(donetsk, -140.0, -18.0)  # lon ~ -100, lat ~ 30
        return write_layer(tmp_path / "z.gpkg", far, "EPSG:4326", "GPKG")
    elif case == "metres-no-crs":
        to_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
        metres = shapely.transform(donetsk, lambda xy: np.column_stack(to_3857.transform(*xy.T)))
        with pytest.warns(UserWarning, match="crs"):  # (pyogrio's: no CRS, as meant)
            return write_layer(tmp_path / "z.gpkg", metres, None, "GPKG")
    elif case == "two-layers":
        path = write_layer(tmp_path / "z.gpkg", donetsk, "EPSG:4326", "GPKG")
        pyogrio.raw.write(
            path,
            geometry=np.array([shapely.to_wkb(donetsk)], dtype=object),
            field_data=[],
            fields=[],
            geometry_type="Polygon",
            crs="EPSG:4326",
            driver="GPKG",
            layer="a\nerror: all is well",
            append=False,
        )
    return tmp_path / "z.gpkg"


BROKEN = {
    "undefined-crs": "CRS (Undefined Cartesian SRS) cannot be converted to lon/lat",
    "attributes-only": "its layer has no geometry (a table of attributes)",
    "nan": "feature 1: a coordinate is not a finite number",
    "empty": "empty file (0 bytes); expected a GeoPackage",
    "zip": "this is a ZIP archive (a zipped Shapefile, a .kmz or an .xlsx?), not a GeoPackage",
    "geojson-text": "this is text (GeoJSON?), not a GeoPackage: name it .geojson",
    # (it said "this is not a GeoPackage (its first bytes are not), not a GeoPackage")
    "plain-text": "this is not a GeoPackage (it does not start as one does): give the "
    "GeoPackage itself",
    "no-shx": "no z.shx beside it: a Shapefile is several files",
    "no-dbf": "no z.dbf beside it, where a Shapefile keeps its fields: a Shapefile is",
    "far": "no polygon lies over Ukraine: the file's polygons span lon -1",
    "metres-no-crs": "are not lon/lat degrees, and the layer declares no CRS: assign it its CRS",
    "two-layers": "2 layers ('",
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_geopackage_or_shapefile_is_one_line_from_validate_and_run(tmp_path, case):
    """A sweep of GeoPackages and Shapefiles users have: tracebacks (a CRS that cannot
    become lon/lat, a table without geometry), GDAL's hints for programmers, a polygon in
    America passing with a warning, a layer name forging a second error line."""
    pytest.importorskip("pyogrio")
    path = _broken(tmp_path, case)
    sc = scenario(tmp_path, f"{{polygon: {{file: {path.name}}}}}")
    for command in (["validate", sc], ["run", "--no-maps", "-b", "1991", sc]):
        result = cli(*command)
        assert result.exit_code == 2, (case, result.output)
        [line] = result.output.strip().splitlines()  # one line, no traceback, no warning
        assert BROKEN[case] in line, line
        assert "It might help" not in line and "SHAPE_RESTORE_SHX" not in line


def test_a_shapefile_baseline_without_its_dbf_is_refused_not_read_without_statuses(tmp_path):
    """A Shapefile baseline whose .dbf was left behind was read without fields: its
    'ukraine' feature counted as Russian-held (a layer without statuses is DeepState's
    kind), and the figures changed without a word."""
    pytest.importorskip("pyogrio")
    box = shapely.box(30.0, 49.0, 31.0, 50.0)  # in Vinnytsia, Kyiv and Cherkasy oblasts
    path = write_layer(tmp_path / "held.shp", box, "EPSG:4326", "ESRI Shapefile", status="ukraine")
    result = cli("run", "land-swap", "--no-maps", "-f", "json", "-b", str(path))
    assert result.exit_code == 0, result.output
    statuses = {
        s["status"]: s["baseline_km2"]
        for s in json.loads(result.stdout)["scenarios"][0]["statuses"]
    }
    assert statuses.get("russia", 0.0) == 0.0  # the one feature is Ukrainian-held
    (tmp_path / "held.dbf").unlink()
    result = cli("run", "land-swap", "--no-maps", "-f", "json", "-b", str(path))
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert "no held.dbf beside it, where a Shapefile keeps its fields" in line, line


def test_an_empty_polygon_file_name_and_an_empty_geopackage_are_named_as_such(tmp_path):
    """'file: ""' was "a folder" (the scenario's own), and a GeoPackage of no polygons had
    "no polygon features in this GeoJSON"."""
    result = cli("validate", scenario(tmp_path, '{polygon: {file: ""}}'))
    refused(result, "polygon file is empty text; give the name of a GeoJSON")
    pyogrio = pytest.importorskip("pyogrio")
    path = tmp_path / "empty.gpkg"
    pyogrio.raw.write(
        path,
        geometry=np.array([None], dtype=object),
        field_data=[np.array(["x"], dtype=object)],
        fields=["name"],
        geometry_type="Polygon",
        crs="EPSG:4326",
        driver="GPKG",
    )
    result = cli("run", "land-swap", "--no-maps", "-b", str(path))
    refused(result, "no polygon features in this GeoPackage")


def test_a_polygon_files_hash_follows_its_content_not_its_path(tmp_path):
    """The scenario hash covered the polygon file's absolute path: the same files moved
    elsewhere changed it, another polygon under the same name did not."""
    from modeller.scenario import load_scenario

    def hash_of(folder: Path, unit: str) -> str:
        folder.mkdir(exist_ok=True)
        write_json(folder / "zone.geojson", feature_collection(mapping(lonlat_unit(unit, 0.1))))
        return load_scenario(scenario(folder, "{polygon: {file: zone.geojson}}")).digest

    here = hash_of(tmp_path / "a", "UA-14")
    assert hash_of(tmp_path / "b", "UA-14") == here  # the same files, another folder
    assert hash_of(tmp_path / "a", "UA-09") != here  # another polygon, the same name


def test_a_baseline_file_named_in_a_scenario_is_its_file_wherever_it_runs(tmp_path, monkeypatch):
    """A relative held_in (or baseline:) file was kept relative to the folder the scenario
    was loaded from: run from elsewhere, the API read another file of that name, with
    other figures under the same hash; the hash ignored the file's content."""
    from modeller.scenario import load_scenario

    def held(folder: Path, unit: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / "held.geojson", feature_collection(mapping(lonlat_unit(unit))))
        where = "{held_in: {baseline: held.geojson}}"
        return scenario(folder, where).relative_to(tmp_path)

    monkeypatch.chdir(tmp_path)
    sc = load_scenario(held(tmp_path / "sub", "UA-14"))  # Donetsk, by a relative path
    assert Path(sc.steps[0].where.held_in.baseline).is_absolute()
    first = modeller.run(sc, "1991").transfers
    assert first.groupby("oblast")["km2"].sum().idxmax() == "UA-14"
    held(tmp_path / "elsewhere" / "sub", "UA-09")  # the same names, Luhansk
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert modeller.run(sc, "1991").transfers.equals(first)
    monkeypatch.chdir(tmp_path)
    here = sc.digest
    assert load_scenario(Path("elsewhere/sub/s.yaml")).digest != here  # other content
    held(tmp_path / "copy", "UA-14")
    assert load_scenario(Path("copy/s.yaml")).digest == here  # the same files elsewhere


def test_a_linked_shapefile_reads_the_sidecars_beside_the_link(tmp_path):
    """The link was resolved first, and the .shx/.dbf/.prj beside it were not found."""
    pytest.importorskip("pyogrio")
    (tmp_path / "data").mkdir()
    write_layer(
        tmp_path / "data" / "zone.shp", lonlat_unit("UA-14", 0.1), "EPSG:4326", "ESRI Shapefile"
    )
    (tmp_path / "mine").mkdir()
    for p in (tmp_path / "data").iterdir():
        target = tmp_path / "mine" / p.name
        if p.suffix == ".shp":
            target.symlink_to(tmp_path / "data" / "other.shp")
            p.rename(tmp_path / "data" / "other.shp")
        else:
            p.rename(target)
    sc = scenario(tmp_path / "mine", "{polygon: {file: zone.shp}}")
    assert (
        figures(cli("run", "--no-maps", "-f", "json", "-b", "1991", sc))["statuses"][1]["km2"]
        > 20_000
    )


def test_units_given_by_a_link_are_read_by_the_name_given(tmp_path):
    """--units followed its link before looking at the name: a link 'units.geojson' to a
    file without a suffix was 'units file must be GeoJSON …', and a Shapefile whose parts
    are links into folders of their own (git-annex, DataLad) lacked the .shx 'beside it'
    (named by the link's target). ``-b`` read both."""
    pytest.importorskip("pyogrio")
    plain = units_file(tmp_path, "plain")
    want = figures(cli("run", "--no-maps", "-f", "json", "-b", "1991", scenario(tmp_path)))
    (tmp_path / "blob").write_bytes(plain.read_bytes())
    (tmp_path / "link.geojson").symlink_to(tmp_path / "blob")
    got = figures(run_units_json(tmp_path, tmp_path / "link.geojson"))
    assert got["statuses"] == want["statuses"]
    import geopandas as gpd

    gpd.read_file(plain).to_file(tmp_path / "units.shp")
    (tmp_path / "linked").mkdir()
    for part in tmp_path.glob("units.*"):
        if part.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            annex = tmp_path / "annex" / part.suffix[1:]
            annex.mkdir(parents=True)
            part.rename(annex / f"KEY--x{part.suffix}")
            (tmp_path / "linked" / f"units{part.suffix}").symlink_to(annex / f"KEY--x{part.suffix}")
    got = figures(run_units_json(tmp_path, tmp_path / "linked" / "units.shp"))
    assert [s["status"] for s in got["statuses"]] == [s["status"] for s in want["statuses"]]
    for mine, theirs in zip(got["statuses"], want["statuses"], strict=True):
        assert mine["km2"] == pytest.approx(theirs["km2"], rel=1e-4)
    # and as before: a link to a .shp alone (its sidecars beside the target), a link
    # without a suffix to a GeoJSON
    (tmp_path / "alone").mkdir()
    gpd.read_file(plain).to_file(tmp_path / "alone" / "real.shp")
    (tmp_path / "only.shp").symlink_to(tmp_path / "alone" / "real.shp")
    (tmp_path / "no_suffix").symlink_to(plain)
    for link in ("only.shp", "no_suffix"):
        got = figures(run_units_json(tmp_path, tmp_path / link))
        for mine, theirs in zip(got["statuses"], want["statuses"], strict=True):
            assert mine["km2"] == pytest.approx(theirs["km2"], rel=1e-4), link


def run_units_json(tmp_path: Path, path: Path):
    return cli("run", "--no-maps", "-f", "json", "-b", "1991", "--units", path, scenario(tmp_path))


def test_units_given_as_a_fifo_or_a_misnamed_geopackage_are_refused_at_once(tmp_path):
    """--units read a FIFO forever, and a GeoPackage named .geojson was "'utf-8' codec
    can't decode byte 0xa0"."""
    import os
    import subprocess
    import sys

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "units.gpkg")
    (tmp_path / "units.geojson").write_bytes(b"SQLite format 3\x00" + bytes(100))
    for name, said in [
        ("units.gpkg", "is a FIFO (named pipe), not a regular file"),
        ("units.geojson", "this is a GeoPackage (an SQLite database), not units GeoJSON text"),
    ]:
        done = subprocess.run(
            [sys.executable, "-m", "modeller", "validate", "--units", str(tmp_path / name)]
            + [str(Path(__file__).resolve().parent.parent / "scenarios" / "land-swap.yaml")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2 and said in done.stderr, done.stderr


def test_an_unreadable_geopackage_is_a_read_error_and_validate_goes_on(tmp_path, monkeypatch):
    """A file stat() sees but open() may not (another user's): "cannot write …: Permission
    denied", exit 1, and validate stopped before the next file."""
    pytest.importorskip("pyogrio")
    from modeller import ogrfiles

    write_layer(tmp_path / "z.gpkg", lonlat_unit("UA-14", 0.1), "EPSG:4326", "GPKG")
    bad = scenario(tmp_path, "{polygon: {file: z.gpkg}}", "bad.yaml")
    good = scenario(tmp_path, "{oblast: Donetsk}", "good.yaml")

    def denied(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ogrfiles, "open", denied, raising=False)  # (root reads any file)
    result = cli("validate", bad, good)
    assert result.exit_code == 2, result.output
    assert "z.gpkg: cannot read GeoPackage file: Permission denied" in result.output
    assert "ok: " in result.output and "good.yaml" in result.output


def test_a_polygon_path_with_dots_after_a_linked_folder_is_found_where_the_file_is(tmp_path):
    """'../zones/z.geojson' from a scenario reached through a linked folder: its '..' was
    taken from the text of the path (the link's parent), not the folder linked to."""
    (tmp_path / "proj" / "scen").mkdir(parents=True)
    (tmp_path / "proj" / "zones").mkdir()
    write_json(
        tmp_path / "proj/zones/z.geojson", feature_collection(mapping(lonlat_unit("UA-14", 0.1)))
    )
    scenario(tmp_path / "proj" / "scen", "{polygon: {file: ../zones/z.geojson}}")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "link").symlink_to(tmp_path / "proj" / "scen")
    result = cli("validate", tmp_path / "work" / "link" / "s.yaml")
    assert result.exit_code == 0, result.output


def test_a_shapefile_named_with_glob_characters_has_its_own_digest(tmp_path):
    """'zone[1].shp' hashed as no file at all (the name was a glob pattern), and 'a**b.shp'
    raised ValueError."""
    import hashlib

    pytest.importorskip("pyogrio")
    from modeller import inputs

    empty = hashlib.sha256().hexdigest()
    digests = set()
    for name in ("zone[1].shp", "a**b.shp", "ZONE.SHP"):
        folder = tmp_path / name.replace("*", "x")
        folder.mkdir()
        write_layer(folder / name, lonlat_unit("UA-14", 0.1), "EPSG:4326", "ESRI Shapefile")
        digest = inputs.digest(folder / name)
        assert digest != empty, name
        digests.add(digest)
    assert len(digests) == 1  # the same layer, whatever its name


def test_a_baseline_geopackage_in_metres_without_a_crs_says_to_assign_one(tmp_path):
    pytest.importorskip("pyogrio")
    to_3857 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    held = lonlat_unit("UA-14", 0.1)
    metres = shapely.transform(held, lambda xy: np.column_stack(to_3857.transform(*xy.T)))
    with pytest.warns(UserWarning, match="crs"):  # (pyogrio's: no CRS, as meant)
        write_layer(tmp_path / "held.gpkg", metres, None, "GPKG")
    result = cli("run", "--no-maps", "-b", tmp_path / "held.gpkg", scenario(tmp_path))
    assert result.exit_code == 2, result.output
    assert "are not lon/lat degrees, and the layer declares no CRS: assign it" in result.output
    assert "GeoJSON" not in result.output


# --- messages of a sensible length ----------------------------------------------------------


def test_a_coordinate_of_1e300_is_shown_as_such_not_in_300_digits(tmp_path):
    ring = [[1e300, 48.0], [38.0, 48.0], [38.0, 49.0], [1e300, 48.0]]
    path = write_json(tmp_path / "far.geojson", {"type": "Polygon", "coordinates": [ring]})
    line = refused(cli("run", "--no-maps", "-b", path, "land-swap"), "such as [1e+300, 48]")
    assert len(line) < 400, line


def test_a_units_file_of_raions_lists_each_name_seen_once(tmp_path, shared_data):
    """136 raions named by their oblast: the message listed all 136 names (5,484 characters)."""
    path = shared_data / "boundaries" / "ua_raions_dissolved_from_vadymnes_hromadas.geojson"
    line = refused(run_units(tmp_path, path), "missing units Kyiv city", "names seen: ")
    seen = line.split("names seen: ", 1)[1].split(", ")
    names = [re.sub(r" ×\d+$", "", s) for s in seen]
    assert len(names) == len(set(names)) == 25, seen  # once each, repeats counted
    assert "Донецька область ×8" in seen
    assert len(line) < 1500


@pytest.mark.parametrize(("x", "y"), [(179.99, 45.0), (60.0, 45.0), (-148.5, -48.5)])
def test_a_unit_polygon_far_from_ukraine_is_refused_saying_where(tmp_path, x, y):
    """A small square of Crimea at the antimeridian or at lon 60 had been accepted without a
    word (the map zoomed out to the globe); at the projection's antipode it surfaced as an
    overlap of Crimea and Odesa."""

    def far(code, g):
        if code != "UA-43":
            return g
        square = shapely.geometry.box(x, y, x + 0.01, y + 0.01)
        return shapely.MultiPolygon([*shapely.get_parts(g), square])

    path = units_file(tmp_path, "far", far)
    refused(
        run_units(tmp_path, path),
        f"{path}: feature ",
        "(Crimea / Автономна Республіка Крим (UA-43)): a polygon of it lies far outside Ukraine",
        f"around lon {x + 0.005:.6g}, lat {y + 0.005:.6g}",
    )


def test_a_units_file_is_named_in_the_outputs_as_written(tmp_path, monkeypatch):
    """'--units ../data/units.geojson' had been named by its absolute path in the JSON, the
    pages and the terminal (a page carried the user's folders); -b and --population kept
    the path as written."""
    (tmp_path / "data").mkdir()
    (tmp_path / "work").mkdir()
    path = units_file(tmp_path / "data", "flat")
    monkeypatch.chdir(tmp_path / "work")
    written = f"../data/{path.name}"
    result = cli("run", "land-swap", "--no-maps", "-b", "1991", "--units", written, "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["units"]["file"] == written
    assert str(tmp_path) not in result.stdout


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_a_status_left_empty_is_refused_not_read_as_russian_held(tmp_path, fmt):
    """QGIS writes an attribute left empty as null: such a feature had counted as
    Russian-held (2,060 km² of Ukrainian land given to Russia), without a word."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {"status": ["ukraine", None]},
        geometry=[lonlat_unit("UA-23", 0.1), lonlat_unit("UA-14", 0.1)],
        crs="EPSG:4326",
    )
    path = tmp_path / f"base.{fmt}"
    if fmt == "geojson":
        path.write_text(frame.to_json(), encoding="utf-8")
    else:
        frame.to_file(path, driver="GPKG")
    line = refused(cli("run", "--no-maps", "-b", path, scenario(tmp_path)), "feature 2")
    assert "empty (null)" in line and "ukraine, russia" in line, line


def _square_feature(x: float, y: float, d: float = 0.01) -> dict:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.mark.parametrize(
    ("second", "said"),
    [  # the second feature is at fault (and the third and the last too, otherwise)
        ([[50.4, 30.5], [50.41, 30.5], [50.41, 30.51], [50.4, 30.5]], "look like [lat, lon]"),
        (
            [[30.5, 50.4], [30.6, 50.5], [30.6, 50.4], [30.5, 50.5], [30.5, 50.4]],
            "edges cross",
        ),
        ([[30.5, 50.4], [200.0, 50.4], [30.5, 50.5], [30.5, 50.4]], "longitude 200"),
    ],
)
def test_a_large_file_names_its_first_bad_feature_whatever_else_is_wrong_later(second, said):
    """The coordinates and rings of a file's features are checked all at once (a file of
    150,000 squares took a minute to read): the error still names the first feature at
    fault, as checking them one by one did, though a later one is wrong in another way."""
    feats = [_square_feature(30.0 + 0.02 * i, 48.0) for i in range(3000)]
    feats[1]["geometry"]["coordinates"] = [second]
    feats[2]["geometry"] = {"type": "Point", "coordinates": [30.0, 48.0]}  # (found in the loop)
    feats[2999]["geometry"]["coordinates"] = [[[30.5, 50.4], [float("1e400"), 1], [30.5, 50.4]]]
    data = {"type": "FeatureCollection", "features": feats}
    with pytest.raises(InputError, match=r"^feature 2: .*" + re.escape(said)):
        geojson.territory([g for _, g in geojson.features(data, rings=True)])
    feats[1] = _square_feature(30.0, 47.0)  # the second is fine now: the third is named
    with pytest.raises(InputError, match=r"^feature 3: a Point has no area"):
        geojson.features(data, rings=True)


@settings(max_examples=25)
@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0.001, 0.2)), min_size=1, max_size=60
    )
)
def test_many_regions_are_united_in_groups_to_the_same_land(boxes):
    """Past ``GROUPED`` regions, those that meet are united group by group (150,000 squares
    had taken 26 s): the same land as GEOS's union of them all, and a valid geometry."""
    from modeller import regions

    geoms = [shapely.box(x, y, x + d, y + d) for x, y, d in boxes]
    grouped, whole = regions._union_groups(geoms), shapely.union_all(geoms)
    assert shapely.is_valid(grouped)
    assert shapely.symmetric_difference(grouped, whole).area <= 1e-12 * max(whole.area, 1)
    assert shapely.get_num_geometries(grouped) == shapely.get_num_geometries(whole)


def test_many_invalid_regions_are_united_as_before(monkeypatch):
    """A grouped union of invalid regions (a bow tie; a MultiPolygon whose parts overlap)
    would be invalid: the union falls back to repairing them, as for few regions."""
    from modeller import regions

    bow = shapely.from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")
    overlapping = shapely.MultiPolygon([shapely.box(10, 10, 12, 12), shapely.box(11, 11, 13, 13)])
    apart = [shapely.box(20 + 2 * i, 0, 21 + 2 * i, 1) for i in range(regions.GROUPED)]
    united = regions.union_regions([bow, overlapping, *apart])
    monkeypatch.setattr(regions, "GROUPED", 10**9)
    assert shapely.is_valid(united)
    assert shapely.equals(united, regions.union_regions([bow, overlapping, *apart]))


def test_ctrl_c_while_features_are_read_is_not_taken_for_an_earlier_features_error(monkeypatch):
    """The checks of the features read so far ran on any exception: Ctrl-C at feature 3
    became feature 2's input error (status 2, not 'interrupted')."""
    feats = [_square_feature(30.0 + 0.02 * i, 48.0) for i in range(4)]
    feats[1]["geometry"]["coordinates"] = [
        [[50.4, 30.5], [50.41, 30.5], [50.41, 30.51], [50.4, 30.5]]
    ]
    read = geojson._geometry

    def interrupted(geom, where, source):
        if where == "feature 3":
            raise KeyboardInterrupt
        return read(geom, where, source)

    monkeypatch.setattr(geojson, "_geometry", interrupted)
    with pytest.raises(KeyboardInterrupt):
        geojson.features({"type": "FeatureCollection", "features": feats}, rings=True)


_COORD = st.one_of(st.floats(-200, 200, allow_nan=False), st.integers(-200, 200), st.just(-0.0))
_RING = st.lists(st.tuples(_COORD, _COORD), min_size=3, max_size=7).map(
    lambda ring: [list(p) for p in ring] + [list(ring[0])]  # closed, as most files are
)
_ODD = st.one_of(  # a ring the fast path must leave to the general reader, or read alike
    st.lists(st.tuples(_COORD, _COORD), min_size=0, max_size=3).map(lambda r: [list(p) for p in r]),
    st.lists(st.tuples(_COORD, _COORD, _COORD), min_size=4, max_size=5).map(
        lambda r: [list(p) for p in r]
    ),
    st.lists(st.tuples(_COORD, st.booleans()), min_size=4, max_size=5).map(
        lambda r: [list(p) for p in r]
    ),
)


@settings(max_examples=150)
@given(
    st.lists(
        st.lists(st.one_of(_RING, _RING, _RING, _ODD), min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    ),
    st.booleans(),
)
def test_a_plain_polygon_is_read_as_the_general_reader_reads_it(polygons, multi):
    """Polygons of plain [lon, lat] numbers are built at once (``positions._plain_polygon``);
    whatever they hold (holes, several parts, altitudes, booleans, short rings), what
    ``shape_2d`` returns is the general reader's: the same geometry, or the same error."""
    from modeller import positions

    geom = (
        {"type": "MultiPolygon", "coordinates": polygons}
        if multi
        else {"type": "Polygon", "coordinates": polygons[0]}
    )

    def read(g):
        try:
            return positions.shape_2d(g, "geometry", None)
        except InputError as exc:
            return exc.message

    fast = read(geom)
    plain, positions._plain_polygon = positions._plain_polygon, lambda g: None
    try:
        general = read(geom)
    finally:
        positions._plain_polygon = plain
    if isinstance(general, str) or isinstance(fast, str):
        assert fast == general, geom
    else:
        assert fast.equals_exact(general, 0) or (fast.is_empty and general.is_empty), geom


@pytest.mark.parametrize("option", ["--units", "-b"])
def test_a_file_of_zero_bytes_or_of_deep_brackets_is_named_as_such(tmp_path, option):
    """A file of NUL bytes (space allocated, never written) was 'UTF-16 text', and 100,000
    nested '[' gave Python's 'maximum recursion depth exceeded while decoding'."""
    zeros = tmp_path / "zeros.geojson"
    zeros.write_bytes(b"\x00" * 1000)
    said = refused(cli("run", "--no-maps", option, zeros, scenario(tmp_path)), "only zero bytes")
    assert "UTF-16" not in said and "interrupted download" in said
    deep = tmp_path / "deep.geojson"
    deep.write_text(
        '{"type": "FeatureCollection", "features": [' + "[" * 100_000 + "]" * 100_000 + "]}"
    )
    said = refused(cli("run", "--no-maps", option, deep, scenario(tmp_path)), "nested too deeply")
    assert "recursion" not in said and "4 '['" in said


def test_a_shapefile_cut_short_is_refused_not_read_in_part(tmp_path):
    """A .shp cut to 60 % of its bytes (its .shx and .dbf whole) gave 5 of its 10
    Russian-held boxes, the rest dropped without a word (Donetsk 24,600 km² ceded for
    16,400). The whole file reads; the cut one is refused, with what is missing."""
    import pyogrio

    boxes = [shapely.box(37.0 + 0.1 * i, 47.6, 37.1 + 0.1 * i, 47.9) for i in range(10)]
    path = tmp_path / "held.shp"
    pyogrio.raw.write(
        path,
        geometry=np.array([shapely.to_wkb(b) for b in boxes], dtype=object),
        field_data=[np.array(["russia"] * 10, dtype=object)],
        fields=["status"],
        geometry_type="Polygon",
        crs="EPSG:4326",
        driver="ESRI Shapefile",
    )
    whole = modeller.load_baseline(path)
    held = sum(
        a for p, a in zip(whole.pieces, whole.areas_km2, strict=True) if p.before == "russia"
    )
    assert held == pytest.approx(
        sum(geodata.area_km2(geodata.to_equal_area(b)) for b in boxes), rel=1e-4
    )
    # a stale HELD.SHX beside held.shx (of a larger file) is not the index read
    far = (10**6).to_bytes(4, "big") + (64).to_bytes(4, "big")  # a record far past the end
    (tmp_path / "HELD.SHX").write_bytes(path.with_suffix(".shx").read_bytes() + far * 10)
    assert modeller.load_baseline(path).areas_km2.sum() == pytest.approx(whole.areas_km2.sum())
    data = path.read_bytes()
    path.write_bytes(data[: int(0.6 * len(data))])
    with pytest.raises(InputError, match=r"cut short: 5 of its 10 records lie past the end"):
        modeller.load_baseline(path)


# Four 0.02° squares drawn at the sides of a fifth, left out, with coordinates as a
# program adding 0.02 writes them (37.760000000000005 in one feature, 37.76 in the next).
CORNER_SQUARES = [
    [[37.74, 48.96], [37.760000000000005, 48.96], [37.760000000000005, 48.980000000000004],
     [37.74, 48.980000000000004], [37.74, 48.96]],
    [[37.76, 48.94], [37.78, 48.94], [37.78, 48.96], [37.76, 48.96], [37.76, 48.94]],
    [[37.76, 48.98], [37.78, 48.98], [37.78, 49.0], [37.76, 49.0], [37.76, 48.98]],
    [[37.78, 48.96], [37.800000000000004, 48.96], [37.800000000000004, 48.980000000000004],
     [37.78, 48.980000000000004], [37.78, 48.96]],
]  # fmt: skip


def test_squares_around_one_left_out_hold_only_themselves(tmp_path):
    """Projected, the left-out square's corners came to cross the four squares' outline,
    and GEOS's default repair filled it: 16.3 km² held for the 13.0 drawn, as a baseline
    and as a scenario's polygon alike. Each square on its own is the reference."""
    squares = [shapely.Polygon(ring) for ring in CORNER_SQUARES]
    drawn = sum(float(geodata.area_km2(geojson.territory([s]))) for s in squares)
    middle = float(geodata.area_km2(geojson.territory([shapely.box(37.76, 48.96, 37.78, 48.98)])))
    assert 12.9 < drawn < 13.2 and 3.2 < middle < 3.3
    held = float(geodata.area_km2(geojson.territory(squares)))
    assert held == pytest.approx(drawn, rel=1e-6)

    features = [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [r]}}
        for r in CORNER_SQUARES
    ]
    doc = {"type": "FeatureCollection", "date": "2025-08-15", "features": features}
    (tmp_path / "squares.geojson").write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "run.json"
    done = cli("run", "freeze-current-lines", "--no-maps", "-b", tmp_path / "squares.geojson",
               "-f", "json", "-O", out)  # fmt: skip
    assert done.exit_code == 0, done.output
    [entry] = json.loads(out.read_text(encoding="utf-8"))["scenarios"]
    [russia] = [s for s in entry["statuses"] if s["status"] == "russia"]
    assert russia["baseline_km2"] == pytest.approx(drawn, abs=0.01)

    polygon = tmp_path / "polygon.geojson"
    polygon.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    where = json.dumps({"polygon": {"file": polygon.name}})
    done = cli("run", scenario(tmp_path, where), "--no-maps", "-b", "1991", "-f", "json", "-O", out)
    assert done.exit_code == 0, done.output
    [entry] = json.loads(out.read_text(encoding="utf-8"))["scenarios"]
    [russia] = [s for s in entry["statuses"] if s["status"] == "russia"]
    assert russia["km2"] == pytest.approx(drawn, abs=0.01)
