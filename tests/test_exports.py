"""Geodata exports (modeller/exports.py): GeoJSON, GeoPackage and GeoParquet read back
with geopandas carry the same totals as the JSON document, and their provenance."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner
from pyproj import Geod

import modeller
from modeller import exports
from modeller.cli import main


@pytest.fixture(scope="module")
def result() -> modeller.Result:
    return modeller.run(["land-swap"])


@pytest.mark.parametrize("ext", [".geojson", ".gpkg", ".parquet"])
def test_pieces_read_back_with_the_json_totals_and_provenance(result, tmp_path, ext):
    path = result.to_file(tmp_path / f"land-swap{ext}")
    back = gpd.read_parquet(path) if ext == ".parquet" else gpd.read_file(path)
    entry = result.document.scenarios[0]
    assert back.crs.to_epsg() == 4326
    assert len(back) == len(entry.pieces)
    # km² and people per status after the scenario, as in JSON: each piece's to the JSON's
    # decimals (0.01 km², 0.1 people), so a sum of n pieces is within n half-units
    for s in entry.statuses:
        mine = back[back["after"] == s.status]
        assert mine["km2"].sum() == pytest.approx(s.km2, abs=0.005 * len(mine) + 1e-6)
        assert mine["people"].sum() == pytest.approx(s.people, abs=0.05 * len(mine) + 1e-6)
        before = back[back["before"] == s.status]
        assert before["km2"].sum() == pytest.approx(s.baseline_km2, abs=0.005 * len(before) + 1e-6)
    moved = back[back["before"] != back["after"]]
    moved_km2 = sum(t.km2 for t in entry.transfers)
    assert moved["km2"].sum() == pytest.approx(moved_km2, abs=0.005 * len(moved) + 1e-6)
    assert set(back["scenario_hash"]) == {entry.hash}
    assert set(back["baseline"]) == {"contact-line"}
    assert set(back["data_version"]) == {result.document.data_version}
    assert back["oblast_name"].notna().all() and back["units"].str.contains("units").all()
    prov = exports.read_provenance(path)
    assert prov["scenarios"][0]["hash"] == entry.hash
    assert prov["scenarios"][0]["baseline"]["name"] == "contact-line"
    assert prov["data_version"] == result.document.data_version and prov["units"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files


def test_lon_lat_geometry_has_the_pieces_geodesic_area(result):
    """The exported shapes are the pieces: geodesic area within 0.1 % of their km²."""
    geod = Geod(ellps="WGS84")
    pieces = result.pieces
    big = pieces[pieces["km2"] > 1000]
    for geom, km2 in zip(big.geometry, big["km2"], strict=True):
        area = abs(geod.geometry_area_perimeter(geom)[0]) / 1e6
        assert area == pytest.approx(km2, rel=1e-3)


def test_cli_writes_geojson_with_provenance_and_json_totals(tmp_path):
    out = tmp_path / "swap.geojson"
    runner = CliRunner()
    args = ["run", "land-swap", "--no-maps"]
    made = runner.invoke(main, [*args, "--format", "geojson", "-O", str(out)])
    assert made.exit_code == 0, made.output
    doc = json.loads(runner.invoke(main, [*args, "--format", "json"]).stdout)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["modeller"]["scenarios"][0]["hash"] == doc["scenarios"][0]["hash"]
    total = sum(f["properties"]["km2"] for f in data["features"])
    # each piece and the JSON's total to 0.01 km²: within a half-unit each
    n = len(data["features"]) + 1
    assert total == pytest.approx(doc["scenarios"][0]["total_km2"], abs=0.005 * n)


def test_an_unknown_export_suffix_is_a_clear_error(result, tmp_path):
    with pytest.raises(modeller.errors.InputError, match="use .geojson, .gpkg or .parquet"):
        result.to_file(tmp_path / "pieces.shp")
    # .json is taken for GeoJSON: the message lists it too (it had named three suffixes)
    with pytest.raises(modeller.errors.InputError, match=r"\(\.json is read as \.geojson\)"):
        result.to_file(tmp_path / "pieces.xlsx")
    assert result.to_file(tmp_path / "pieces.json").read_text(encoding="utf-8").startswith("{")
    # a device or a folder is named as one (it had been "cannot tell the format from 'null'")
    with pytest.raises(modeller.errors.InputError, match="is a folder, not a file"):
        result.to_file(tmp_path)
    if Path("/dev/null").exists():
        with pytest.raises(modeller.errors.InputError, match="/dev/null is a device"):
            result.to_file("/dev/null")


def test_every_piece_is_a_multipolygon_even_where_repair_left_a_line():
    """Repairing the lon/lat outlines (``make_valid``) turned some shipped pieces into a
    Polygon plus a LineString: a GeoPackage layer of type GEOMETRY with mixed features.
    Exports keep the polygons only (the lines have no area)."""
    import shapely

    from modeller import geodata

    run = modeller.run(None, "contact-line")
    repaired = {
        shapely.make_valid(geodata.to_lonlat(x.geometry)).geom_type
        for p in run.partitions
        for x in p.pieces
    }
    assert "GeometryCollection" in repaired  # the case this guards against is here
    frame = run.pieces
    assert set(frame.geom_type) == {"MultiPolygon"}
    assert len(frame) == sum(len(p.pieces) for p in run.partitions)


def test_a_step_that_selects_nothing_is_kept_in_csv_and_geodata(tmp_path):
    """README promises the warning in every output format; CSV and the geodata files had
    dropped it (JSON and Markdown kept it)."""
    path = tmp_path / "none.yaml"
    path.write_text(
        "id: none\ntitle: None\nsteps:\n  - assign: russia\n"
        "    where: {oblast: Donetsk, held_by: contested}\n",
        encoding="utf-8",
    )
    args = ["run", str(path), "--no-maps", "-b", "1991"]
    csv = CliRunner().invoke(main, [*args, "-f", "csv", "-O", str(tmp_path / "f.csv")])
    assert csv.exit_code == 0, csv.output
    rows = (tmp_path / "f.csv").read_text(encoding="utf-8").splitlines()
    assert any(",warning," in r and "step 1 selects nothing on 1991" in r for r in rows)
    for ext in (".geojson", ".gpkg"):
        out = tmp_path / f"p{ext}"
        done = CliRunner().invoke(main, [*args, "-f", ext[1:], "-O", str(out)])
        assert done.exit_code == 0, done.output
        prov = exports.read_provenance(out)
        assert prov["scenarios"][0]["warnings"] == ["step 1 selects nothing on 1991 (1991-12-01)"]


@pytest.mark.parametrize("command", ["run", "timeline"])
def test_parquet_without_pyarrow_is_said_before_any_work(tmp_path, monkeypatch, command):
    """An install without pyarrow had run every scenario and written the maps, then ended
    in a ModuleNotFoundError traceback; the timeline measured every date first."""
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pyarrow" else find_spec(name, *a),
    )
    out = tmp_path / "maps"
    args = {
        "run": ["run", "land-swap", "-f", "parquet", "-O", str(tmp_path / "p.parquet")],
        "timeline": ["timeline", "land-swap", "--baselines", "contact-line", "-f", "parquet"],
    }[command]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "needs pyarrow" in result.output and "pip install pyarrow" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "p.parquet").exists()


def test_geojson_rings_wind_as_rfc_7946_and_pieces_meet_without_overlap(result, tmp_path):
    """Exteriors counter-clockwise, holes clockwise; neighbours sharing an edge with other
    vertices had overlapped by up to 8,255 m² (23,000 m² in all) and left a 2,278 m² gap
    once projected point by point to lon/lat."""
    import shapely
    from shapely.geometry import Polygon, shape

    path = result.to_file(tmp_path / "land-swap.geojson")
    feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    geoms = [shape(f["geometry"]) for f in feats]
    parts = [p for g in geoms for p in g.geoms]
    assert parts and all(p.exterior.is_ccw for p in parts)
    assert all(not h.is_ccw for p in parts for h in p.interiors)
    geod = Geod(ellps="WGS84")
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    overlap = [
        abs(geod.geometry_area_perimeter(shapely.intersection(geoms[i], geoms[j]))[0])
        for i, j in zip(left, right, strict=True)
        if i < j
    ]
    assert sum(overlap) < 500 and max(overlap) < 50, (sum(overlap), max(overlap))
    union = shapely.union_all(geoms)
    gaps = [
        abs(geod.geometry_area_perimeter(Polygon(h))[0])
        for p in getattr(union, "geoms", [union])
        for h in p.interiors
    ]
    assert sum(gaps) < 100, sorted(gaps)[-3:]


def test_a_result_keeps_the_units_it_was_measured_on(result, tmp_path, monkeypatch, shared_data):
    """Switching units later (``load_baseline(units=…)``) had relabelled earlier results:
    their exports named the new units file over the embedded units' km²."""
    monkeypatch.setenv("MODELLER_UNITS", "")  # empty: the embedded units; undone after
    embedded = result.document.units["name"]
    units = shared_data / "boundaries" / "ua_oblasts_minregion2020.geojson"
    modeller.load_baseline("1991", units=units)
    prov = exports.read_provenance(result.to_file(tmp_path / "r.geojson"))
    assert prov["units"] == embedded
    back = gpd.read_file(tmp_path / "r.geojson")
    assert set(back["units"]) == {embedded}
    assert prov["scenarios"][0]["reported"] == [
        r.to_dict() for r in result.document.scenarios[0].reported
    ]


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "parquet"])
def test_the_default_pieces_file_replaces_only_its_own(tmp_path, monkeypatch, fmt):
    """``-f geojson`` without ``-O`` wrote over a pieces.geojson of the user's without a
    word; its own file from an earlier run is replaced, run after run."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path / f"pieces.{fmt}"
    args = ["run", "land-swap", "--no-maps", "--format", fmt]
    for _ in range(2):
        made = CliRunner().invoke(main, args)
        assert made.exit_code == 0, made.output
        assert exports.read_provenance(target)["tool"]["name"] == "modeller"
    target.unlink()
    target.write_text("my own notes", encoding="utf-8")
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2, refused.output
    assert "is not a pieces file modeller wrote" in refused.output and "-O FILE" in refused.output
    assert target.read_text(encoding="utf-8") == "my own notes"
    # a link to another file (here one modeller wrote with -O): the link is what is said
    # (it had named the target "not a pieces file modeller wrote")
    target.unlink()
    named = CliRunner().invoke(main, [*args, "-O", f"mine.{fmt}"])
    assert named.exit_code == 0, named.output
    target.symlink_to(f"mine.{fmt}")
    linked = CliRunner().invoke(main, args)
    assert linked.exit_code == 2, linked.output
    assert f"pieces.{fmt}: is a link (to mine.{fmt})" in linked.output
    assert exports.read_provenance(tmp_path / f"mine.{fmt}")["tool"]["name"] == "modeller"


def test_a_geopackage_keeps_its_other_layers(result, tmp_path):
    """'-O mine.gpkg' had replaced the whole GeoPackage: the user's own layers were gone.
    The pieces layer is added beside them, or replaced on a second write."""
    import pyogrio
    import shapely

    path = tmp_path / "mine.gpkg"
    mine = gpd.GeoDataFrame({"note": ["mine"]}, geometry=[shapely.box(30, 48, 31, 49)], crs=4326)
    mine.to_file(path, layer="roads", driver="GPKG", engine="pyogrio")
    args = ["run", "land-swap", "--no-maps", "-f", "gpkg", "-O", str(path)]
    for _ in range(2):
        run = CliRunner().invoke(main, args)
        assert run.exit_code == 0, run.output
        assert "its other layers kept: roads" in run.stderr
        layers = sorted(str(name) for name, _ in pyogrio.list_layers(path))
        assert layers == ["pieces", "roads"]
        assert gpd.read_file(path, layer="roads")["note"].tolist() == ["mine"]
        pieces = gpd.read_file(path, layer="pieces")
        assert len(pieces) == len(result.pieces)  # replaced, not appended to
    assert exports.read_provenance(path)["tool"]["name"] == "modeller"
    fresh = tmp_path / "new.gpkg"
    run = CliRunner().invoke(main, [*args[:-1], str(fresh)])
    assert "other layers" not in run.stderr
    assert [str(n) for n, _ in pyogrio.list_layers(fresh)] == ["pieces"]


def test_a_layer_named_pieces_in_another_letter_case_is_the_one_replaced(result, tmp_path):
    """GeoPackage table names ignore letter case: a user's 'Pieces' layer was kept as
    another layer, and GDAL then refused to add 'pieces' ("Use the layer creation option
    OVERWRITE=YES"), an option no one can give to modeller."""
    import pyogrio
    import shapely

    path = tmp_path / "mine.gpkg"
    mine = gpd.GeoDataFrame({"note": ["mine"]}, geometry=[shapely.box(30, 48, 31, 49)], crs=4326)
    mine.to_file(path, layer="Pieces", driver="GPKG", engine="pyogrio")
    mine.to_file(path, layer="roads", driver="GPKG", engine="pyogrio")
    run = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-f", "gpkg", "-O", str(path)])
    assert run.exit_code == 0, run.output
    assert sorted(str(n) for n, _ in pyogrio.list_layers(path)) == ["pieces", "roads"]
    assert len(gpd.read_file(path, layer="pieces")) == len(result.pieces)


@pytest.mark.parametrize("fmt", ["json", "geojson", "gpkg", "parquet"])
def test_a_file_name_near_the_systems_limit_is_written(tmp_path, fmt):
    """A name of 240 to 255 bytes, which the file system takes, was refused as "File name
    too long": the hidden temporary beside it is 14 bytes longer (and a GeoPackage's
    SQLite journal 8 more)."""
    import os

    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    name = "é" * ((limit - len(fmt) - 1) // 2) + f".{fmt}"  # (two bytes a letter)
    assert limit - 2 <= len(name.encode()) <= limit
    run = CliRunner().invoke(
        main, ["run", "land-swap", "--no-maps", "-f", fmt, "-O", str(tmp_path / name)]
    )
    assert run.exit_code == 0, run.output
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_geojson_named_gpkg_is_replaced_as_any_other_file_that_is_no_geopackage(tmp_path):
    """A GeoJSON file named mine.gpkg (GDAL reads it, but cannot add a layer to it) had
    failed with "GDAL could not write the GeoPackage … read-only datasource"; it is
    replaced, as a file that is no geodata is."""
    import pyogrio

    path = tmp_path / "mine.gpkg"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert exports.other_layers(path) == []
    args = ["run", "land-swap", "--no-maps", "-f", "gpkg", "-O", str(path)]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 0, run.output
    assert [str(n) for n, _ in pyogrio.list_layers(path)] == ["pieces"]
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_a_geopackage_open_in_another_program_is_not_written_over(tmp_path):
    """A GeoPackage held open in WAL mode (as QGIS holds one) keeps its new layers in the
    -wal file beside it: copied alone, the written file lost them, said they were kept,
    and became unreadable once the other program closed. It is refused, the file as it
    was."""
    import sqlite3

    import shapely

    path = tmp_path / "mine.gpkg"
    mine = gpd.GeoDataFrame({"note": ["mine"]}, geometry=[shapely.box(30, 48, 31, 49)], crs=4326)
    mine.to_file(path, layer="roads", driver="GPKG", engine="pyogrio")
    holder = sqlite3.connect(path)
    try:
        holder.execute("pragma journal_mode=wal")
        holder.execute("pragma wal_autocheckpoint=0")
        holder.execute("create table extra (x integer)")
        holder.commit()
        assert (tmp_path / "mine.gpkg-wal").stat().st_size > 0
        before = path.read_bytes()
        args = ["run", "land-swap", "--no-maps", "-f", "gpkg", "-O", str(path)]
        run = CliRunner().invoke(main, args)
        assert run.exit_code == 2, run.output
        assert "mine.gpkg is open in another program: mine.gpkg-wal beside it" in run.output
        assert path.read_bytes() == before
    finally:
        holder.close()


def test_json_figures_keep_the_csvs_decimals_without_binary_noise(result):
    """The JSON had said 43489790.99999996 people: figures now keep the CSV's decimals
    (km² 0.01, people 0.1, percentages and shares 0.0001), so every total reads as written."""
    data = json.loads(result.to_json())
    seen = {}

    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, float):
            seen.setdefault(key, []).append(value)

    walk(data)
    for key, digits in (("total_people", 1), ("km2", 2), ("pct", 4), ("share", 4)):
        assert seen[key], key
        for v in seen[key]:
            assert v == round(v, digits), (key, v)
    entry = result.document.scenarios[0]
    assert data["scenarios"][0]["total_km2"] == pytest.approx(entry.total_km2, abs=0.005)
    assert data["scenarios"][0]["total_people"] == round(entry.total_people, 1)


@pytest.mark.parametrize("ext", [".geojson", ".gpkg", ".parquet"])
def test_geodata_figures_keep_the_jsons_decimals(result, tmp_path, ext):
    """The GeoJSON had said 1509514.9999999914 people and 26666.561465904415 km² where the
    JSON says 1509515.0 and 26666.56: each piece's figures are the JSON's, to its decimals."""
    back = (
        gpd.read_parquet(p)
        if (p := result.to_file(tmp_path / f"x{ext}")).suffix == ".parquet"
        else gpd.read_file(p)
    )
    pieces = json.loads(result.to_json())["scenarios"][0]["pieces"]
    for k, digits in (("km2", 2), ("people", 1), ("people_low", 1), ("people_high", 1)):
        assert list(back[k]) == [piece[k] for piece in pieces], k
        assert all(v == round(v, digits) for v in back[k]), k


def test_a_geopackage_with_source_date_epoch_is_the_same_bytes(tmp_path, monkeypatch):
    """GDAL stamped a GeoPackage with the wall clock (gpkg_contents.last_change): two runs
    a second apart differed although README promises the same bytes."""
    import sqlite3
    import time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    ext = ".gpkg"
    first, second = tmp_path / f"a{ext}", tmp_path / f"b{ext}"
    for path in (first, second):
        if path is second:
            time.sleep(1.1)  # (GDAL's stamp has milliseconds; the two must not share a second)
        assert (
            CliRunner().invoke(main, ["run", "land-swap", "-f", ext[1:], "-O", str(path)]).exit_code
            == 0
        )
    assert first.read_bytes() == second.read_bytes()
    with sqlite3.connect(first) as db:
        (stamp,) = db.execute("SELECT last_change FROM gpkg_contents").fetchone()
    assert stamp == "2023-11-14T22:13:20.000Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")  # and without it, the time of writing
    now = tmp_path / "now.gpkg"
    assert (
        CliRunner().invoke(main, ["run", "land-swap", "-f", "gpkg", "-O", str(now)]).exit_code == 0
    )
    with sqlite3.connect(now) as db:
        (stamp,) = db.execute("SELECT last_change FROM gpkg_contents").fetchone()
    assert stamp[:4] == time.strftime("%Y", time.gmtime())


def test_geodata_provenance_keeps_the_jsons_decimals(deepstate_2025_08_15, tmp_path):
    """A DeepState baseline's km² reconciled and outside the units had gone into the
    geodata's metadata as 939.0669407892303 where the JSON says 939.07."""
    result = modeller.run(["land-swap"], baseline="deepstate:2025-08-15")
    said = json.loads(result.to_json())["scenarios"][0]["baseline"]
    kept = result.provenance["scenarios"][0]["baseline"]
    assert kept["reconciled_km2"] == said["reconciled_km2"] == round(said["reconciled_km2"], 2)
    assert kept["reconciled"] == said["reconciled"] and kept["reconciled"]
    assert kept["outside_units_km2"] == said["outside_units_km2"]
    # and so do the timeline's (its JSON head, Parquet metadata and DataFrame attrs)
    (dated,) = modeller.timeline(["land-swap"], "deepstate:2025-08-15").attrs["baselines"]
    assert dated["reconciled_km2"] == said["reconciled_km2"]
    assert dated["outside_units_km2"] == said["outside_units_km2"]


def test_geojson_coordinates_carry_no_more_decimals_than_the_method_has(result, tmp_path):
    """Coordinates to 7 decimals of a degree (~1 cm), not 15 digits of projection noise;
    the shapes stay valid and keep their km² (geodesic, within 0.01 %)."""
    import re

    import shapely
    from shapely.geometry import shape

    path = result.to_file(tmp_path / "land-swap.geojson")
    text = path.read_text(encoding="utf-8")
    feats = json.loads(text)["features"]
    assert not re.findall(r"\d\.\d{8,}", text)  # (49.58931999999998 had been written)
    xy = shapely.get_coordinates([shape(f["geometry"]) for f in feats])
    assert len(xy) > 1000 and (xy.round(exports.GEOJSON_DECIMALS) == xy).all()
    geod = Geod(ellps="WGS84")
    for f in feats:
        geom = shape(f["geometry"])
        assert shapely.is_valid(geom), f["properties"]
        if f["properties"]["km2"] > 100:
            area = abs(geod.geometry_area_perimeter(geom)[0]) / 1e6
            assert area == pytest.approx(f["properties"]["km2"], rel=1e-4)


def test_a_file_that_is_no_geopackage_is_replaced_without_gdals_warning(result, tmp_path):
    """An SQLite file named .gpkg had printed pyogrio's 'GPKG: bad application_id'
    RuntimeWarning before being replaced, as -O replaces any file of the user's."""
    import warnings

    path = tmp_path / "old.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + bytes(2000))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result.to_file(path)
    assert not [str(w.message) for w in seen], [str(w.message) for w in seen]
    back = gpd.read_file(path, layer="pieces")
    assert len(back) == len(result.document.scenarios[0].pieces)


def test_a_document_changed_in_place_is_refused_not_written_on_other_polygons(tmp_path):
    """Rows and polygons are paired by position: a document whose pieces list had been
    reversed in place was written with each row's oblast, statuses and figures on another
    piece's polygon (34 of 34 features), without a word."""
    result = modeller.run(["land-swap"], baseline="contact-line")
    result.to_file(tmp_path / "before.geojson")  # as run gives it: written
    result.document.scenarios[0].pieces.reverse()
    with pytest.raises(modeller.InputError, match="no longer match its partition"):
        result.to_file(tmp_path / "after.geojson")
    assert not (tmp_path / "after.geojson").exists()
    result.document.scenarios[0].pieces.reverse()  # put back: written again
    result.to_file(tmp_path / "after.geojson")
