"""DeepState download code, tested against recorded API answers (no network)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
import shapely
from click.testing import CliRunner

import modeller
from modeller import archive, baselines, deepstate, downloads, geodata, geojson, timeline_run
from modeller.cli import main
from modeller.errors import InputError
from modeller.scenario import load_scenarios

RAW = "deepstate/raw/deepstate_raw_20250803T195825Z.geojson"


@pytest.fixture
def recorded_api(shared_data, monkeypatch):
    """Serve the API's two endpoints from a recorded raw layer dump in the shared data."""
    raw = (shared_data / RAW).read_bytes()
    listing = [
        {"id": 1754250905, "datetime": "2025-08-03T19:58:25.000Z"},
        {"id": 1754150000, "datetime": "2025-08-02T16:53:20.000Z"},
    ]
    calls = []

    def fake_urlopen(request, timeout, watch):
        url = request.full_url
        calls.append(url)
        if url.endswith("/public"):
            return io.BytesIO(json.dumps(listing).encode())
        assert url == f"{deepstate.API}/1754250905/geojson"
        return io.BytesIO(raw)

    monkeypatch.setattr(downloads, "_open", fake_urlopen)
    return calls


def test_fetch_keeps_occupied_ukraine_and_drops_foreign_layers(recorded_api, tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    path = deepstate.fetch(date(2025, 8, 3))
    assert path.parent == tmp_path / "deepstate"
    territory = shapely.from_geojson(
        json.dumps(json.loads(path.read_text())["features"][0]["geometry"])
    )
    # Transnistria (a #ff5252 layer) is not Ukraine: nothing west of 30.2°E near Moldova.
    assert territory.bounds[0] > 30.0
    # Crimea (a pre-2022 layer named by text, not by the occupied fill) is included.
    assert territory.contains(shapely.Point(34.1, 44.95))
    # A second call uses the cache, not the network.
    before = len(recorded_api)
    assert deepstate.fetch(date(2025, 8, 3)) == path
    assert len(recorded_api) == before


def test_a_kept_day_cut_short_or_emptied_is_downloaded_again(recorded_api, tmp_path, monkeypatch):
    """``fetch`` had said a cut-short cached day was there (exit 0), and ``run``'s error for
    it ("cut short; download it again") sent the user back to the same false success."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    path = deepstate.fetch(date(2025, 8, 3))
    whole = path.read_bytes()
    for broken in (whole[:50_000], b"", b"<html>busy</html>"):
        path.write_bytes(broken)
        before = len(recorded_api)
        result = CliRunner().invoke(main, ["fetch", "2025-08-03"])
        assert result.exit_code == 0, result.output
        assert len(recorded_api) > before  # downloaded, not taken from the cache
        assert path.read_bytes() == whole
    before = len(recorded_api)
    assert deepstate.fetch(date(2025, 8, 3)) == path and len(recorded_api) == before
    path.unlink()
    path.mkdir()  # a folder of its name: said before anything is downloaded
    result = CliRunner().invoke(main, ["fetch", "2025-08-03"])
    assert result.exit_code == 1 and "Is a directory" in result.output, result.output
    assert len(recorded_api) == before


def test_a_cache_folder_name_too_long_is_said_as_such_not_as_the_network(tmp_path):
    """Path.exists() raises on a name past the system's limit: it had been said as "cannot
    reach the DeepState API" (and geoBoundaries), before any request."""
    env = {"MODELLER_CACHE_DIR": str(tmp_path / ("a" * 300))}
    for args in (["fetch", "2025-08-03"], ["fetch", "units"]):
        result = CliRunner(env=env).invoke(main, args)
        assert result.exit_code == 1, result.output
        assert "File name too long" in result.output and "cannot reach" not in result.output


def test_a_data_dir_without_the_archive_is_named_when_the_cache_holds_a_day(
    shared_data, tmp_path, monkeypatch
):
    """With a fetched day in the cache, a misspelt MODELLER_DATA_DIR went unmentioned: the
    error described the archive as that one day."""
    kept = tmp_path / "cache" / "deepstate"
    kept.mkdir(parents=True)
    name = "deepstatemap_data_20250803.geojson"
    (kept / name).write_bytes((shared_data / "deepstate" / "daily" / name).read_bytes())
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "shraed"))
    result = CliRunner().invoke(
        main, ["run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-15"]
    )
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "nearest: deepstate:2025-08-03" in said
    # misspelt, it is no folder at all, and is said to be none (as the missing-archive
    # error says it); a folder without the daily files is said to hold none
    assert f"MODELLER_DATA_DIR is '{tmp_path / 'shraed'}', which is no folder here" in said
    (tmp_path / "shraed").mkdir()
    result = CliRunner().invoke(
        main, ["run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-15"]
    )
    said = " ".join(result.output.split())
    assert f"MODELLER_DATA_DIR is '{tmp_path / 'shraed'}', which holds no deepstate/daily/" in said
    linked = tmp_path / "linked" / "deepstate"  # (its daily folder a link: no note either)
    linked.mkdir(parents=True)
    (linked / "daily").symlink_to(shared_data / "deepstate" / "daily")
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "linked"))
    result = CliRunner().invoke(
        main, ["run", "land-swap", "--no-maps", "-b", "deepstate:2024-08-18"]
    )
    assert result.exit_code == 2 and "MODELLER_DATA_DIR is" not in result.output, result.output
    monkeypatch.setenv("MODELLER_DATA_DIR", str(shared_data))  # the archive there: no note
    result = CliRunner().invoke(
        main, ["run", "land-swap", "--no-maps", "-b", "deepstate:2024-08-18"]
    )
    assert result.exit_code == 2 and "nearest: deepstate:2024-08-17" in result.output, result.output
    assert "MODELLER_DATA_DIR is" not in result.output


def test_a_month_end_file_cut_short_stops_only_what_needs_it(shared_data, tmp_path, monkeypatch):
    """A month-end file cut short had stopped ``baselines`` before it listed anything, and
    timelines of daily files only; ``baselines`` now lists the rest before its error, and
    it stops only a range that may need its days (an open start, a day without a daily
    file)."""
    daily = tmp_path / "data" / "deepstate" / "daily"
    daily.mkdir(parents=True)
    for day in ("01", "02", "03"):
        name = f"deepstatemap_data_202508{day}.geojson"
        (daily / name).write_bytes((shared_data / "deepstate" / "daily" / name).read_bytes())
    monthly = next((shared_data / "deepstate").glob("monthly_*.geojson"))
    (daily.parent / monthly.name).write_bytes(monthly.read_bytes()[:1000])
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    listed = CliRunner().invoke(main, ["baselines"])  # (status 2: a file to mend)
    assert listed.exit_code == 2, listed.output
    assert "3 days from 2025-08-01 to 2025-08-03" in listed.stdout
    assert listed.stderr.startswith("error: ") and "it was cut short" in listed.stderr
    out = tmp_path / "tl"
    ok = CliRunner().invoke(
        main,
        ["timeline", "land-swap", "--baselines", "deepstate:2025-08-01..2025-08-03", "-o", out]
        + ["--workers", "1"],
    )
    assert ok.exit_code == 0, ok.output
    assert "3 baselines" in ok.output and (out / "timeline.csv").exists()
    for spec in (
        "deepstate:..2025-08-03",
        "deepstate:2025-07-30..2025-08-03",
        "deepstate:2025-08-01,deepstate:..2025-08-03",  # (the second spec had dropped them)
    ):
        stopped = CliRunner().invoke(
            main, ["timeline", "land-swap", "--baselines", spec, "-o", tmp_path / "no"]
        )
        assert stopped.exit_code == 2, stopped.output
        assert f"{monthly.name}:" in stopped.output and "it was cut short" in stopped.output
    assert not (tmp_path / "no").exists()


def test_fetched_snapshot_agrees_with_the_daily_archive(recorded_api, tmp_path, monkeypatch):
    """The raw dump of 3 Aug 2025 (19:58 UTC) vs the archive's file for that day."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    fetched = geojson.read_layers(deepstate.fetch(date(2025, 8, 3)))[0]["russia"]
    archived = geojson.read_territory(baselines.deepstate_path(date(2025, 8, 3)))
    ukraine = shapely.union_all(list(geodata.load().geometry.values()))
    a = geodata.area_km2(shapely.intersection(fetched, ukraine))
    b = geodata.area_km2(shapely.intersection(archived, ukraine))
    assert a == pytest.approx(b, rel=0.01)


def test_each_daily_file_credits_where_it_came_from(recorded_api, tmp_path, monkeypatch):
    """Daily baselines had named only DeepStateMap: the archive of the daily files (GPL-3.0)
    went uncredited, and a file fetched from DeepState's API read as the archive's."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    fetched = archive.Snapshot(date(2025, 8, 3), deepstate.fetch(date(2025, 8, 3)))
    archived = archive.Snapshot(date(2025, 8, 3), baselines.deepstate_path(date(2025, 8, 3)))
    assert "history API (modeller fetch)" in fetched.info.source
    assert "cyterat/deepstate-map-data (GPL-3.0)" in archived.info.source
    doc = modeller.run("land-swap", "deepstate:2025-08-03").document.to_dict()
    assert doc["scenarios"][0]["baseline"]["source"] == archived.info.source


def test_a_day_without_snapshot_names_the_nearest(recorded_api, tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    with pytest.raises(InputError, match="no snapshot on 2025-08-10; nearest: 2025-08-03"):
        deepstate.fetch(date(2025, 8, 10))


def test_fetch_keeps_the_grey_zone_as_contested(recorded_api, tmp_path, monkeypatch):
    """The raw dump's 'unknown status' polygons survive the download as their own layer,
    and the deepstate:DATE baseline read from the cache holds them as 'contested'."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MODELLER_DATA_DIR", raising=False)
    path = deepstate.fetch(date(2025, 8, 3))
    doc = json.loads(path.read_text())
    assert doc["grey_zone"] is True
    assert [f["properties"]["status"] for f in doc["features"]] == ["russia", "contested"]
    layers, grey = geojson.read_layers(path)
    assert grey
    assert geodata.area_km2(layers["contested"]) == pytest.approx(1044.8, abs=1)
    base = baselines.load_baseline("deepstate:2025-08-03")
    km2 = {s: 0.0 for s in ("russia", "contested", "ukraine")}
    for p, a in zip(base.pieces, base.areas_km2, strict=True):
        km2[p.before] += a
    assert 900 < km2["contested"] < 1045
    assert "grey zone" in base.baseline.grey_zone and "contested" in base.baseline.grey_zone
    # the timeline takes a snapshot with a grey zone the plain way: contested rows, as run
    [snap] = [s for s in archive.snapshots() if s.day == date(2025, 8, 3)]
    assert snap.grey
    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    table = timeline_run.build_table(load_scenarios([scenarios / "land-swap.yaml"]), [snap])
    c = table.columns
    grey = [i for i in range(len(table)) if c["status"][i] == "contested"]
    assert grey and sum(c["baseline_km2"][i] for i in grey) == pytest.approx(
        km2["contested"], rel=1e-9
    )
    [info] = table.baselines
    assert "contested" in info.grey_zone and info.reconciled


def test_a_file_of_several_dated_maps_is_refused_as_a_baseline(shared_data, tmp_path):
    """DeepState's month-end file (28 dated maps) given as a baseline file had been read
    as one undated baseline, their union (126,462 km² Russian-held), without a word."""
    monthly = shared_data / "deepstate" / "monthly_2022-04_2024-07.geojson"
    result = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", str(monthly)])
    assert result.exit_code == 2, result.output
    said = result.stderr.strip()
    assert "the features carry 28 different dates (2022-04-30 … 2024-07-07)" in said, said
    assert "deepstate:YYYY-MM-DD" in said
    # one of its maps, by date, is a baseline as before; a file of one date is too
    one = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", "deepstate:2023-06-29"])
    assert one.exit_code == 0, one.output
    doc = json.loads(monthly.read_text(encoding="utf-8"))
    single = tmp_path / "one.geojson"
    single.write_text(json.dumps({**doc, "features": doc["features"][:1]}), encoding="utf-8")
    assert (
        CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", str(single)]).exit_code
        == 0
    )


def test_a_daily_file_given_by_its_path_reads_as_its_deepstate_day(shared_data, tmp_path):
    """'-b …/deepstatemap_data_20250801.geojson' had been read as the user's own polygons:
    no pockets filled, no outline reconciliation, DeepState's border and coast taken for
    the line of contact (a 10 km band of 26,000 km² instead of 9,251)."""
    import shutil

    source = shared_data / "deepstate" / "daily" / "deepstatemap_data_20250801.geojson"
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    by_day = baselines.load_baseline("deepstate:2025-08-01")
    by_path = baselines.load_baseline(str(copy))
    assert by_path.baseline.name == str(copy) and by_path.baseline.date == date(2025, 8, 1)
    assert by_path.baseline.reconciled == by_day.baseline.reconciled
    band = tmp_path / "band.yaml"
    band.write_text(
        "id: band\ntitle: Band\nstatuses:\n  dmz: {label: DMZ, colour: '#7570b3'}\nsteps:\n"
        "  - assign: dmz\n    where: {band: {along: contact, km: 10, side: russia}}\n",
        encoding="utf-8",
    )
    ((_, sc),) = load_scenarios([band])
    for base in (by_day, by_path):
        after = baselines.apply(base, sc)
        dmz = sum(a for p, a in zip(after.pieces, after.areas_km2, strict=True) if p.after == "dmz")
        assert dmz == pytest.approx(9251, abs=1), dmz
    # another name is a file of the user's own polygons: its pinholes stay as drawn, but
    # its edge strips are reconciled as any map drawn on another outline than the units'
    other = tmp_path / "mine.geojson"
    shutil.copy(source, other)
    mine = baselines.load_baseline(str(other)).baseline
    assert mine.date is None and mine.source.startswith("user file")
    assert dict(mine.reconciled) == pytest.approx(dict(by_day.baseline.reconciled), rel=0.005)
    # the band then follows the front, not the coast (26,000 km² before); a file's pinholes
    # stay as drawn (each one's edge a line of contact: +3 to 4 %) but for those under
    # control.GAP_M wide, closed as gaps are (this day's one, of 639 m²)
    after = baselines.apply(baselines.load_baseline(str(other)), sc)
    dmz = sum(a for p, a in zip(after.pieces, after.areas_km2, strict=True) if p.after == "dmz")
    assert 9251 * 0.999 < dmz < 9251 * 1.05, dmz


def test_land_cut_off_behind_russian_lines_and_kept_ukrainian_is_a_warning(shared_data):
    """On the month-end maps of April to August 2022 DeepState's layer leaves out the
    eastern Syvash: 667 km² of Crimea counted as Ukrainian-held without a word (a 'return
    to the 2022 lines' kept it Ukrainian). The outline rule rightly keeps such pockets (an
    encircled town is one), so the baseline says where and how much."""
    spring = baselines.load_baseline("deepstate:2022-04-30")
    (said,) = [w for w in spring.warnings if "cut off from the rest of Ukrainian-held" in w]
    pieces = zip(spring.pieces, spring.areas_km2, strict=True)
    crimea = sum(a for p, a in pieces if p.oblast == "UA-43" and p.before == "ukraine")
    assert 600 < crimea < 700
    assert f"Crimea {crimea:,.0f}" in said and "Kherson " in said, said
    later = baselines.load_baseline("deepstate:2025-08-15")
    assert not [w for w in later.warnings if "cut off" in w]


def test_without_the_outline_rule_its_strips_are_not_called_cut_off(shared_data, monkeypatch):
    """With --no-reconcile every DeepState day had warned of ~920 km² "cut off behind
    Russian lines": the edge strips the user chose to keep as drawn."""
    monkeypatch.setenv("MODELLER_RECONCILE", "off")
    plain = baselines.load_baseline("deepstate:2025-08-15")
    assert not [w for w in plain.warnings if "cut off" in w]


def _edited_dump(shared_data: Path, folder: Path, edit) -> Path:
    """The recorded raw dump, its polygons only, with ``edit(features)`` applied."""
    doc = json.loads((shared_data / RAW).read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["geometry"]["type"] != "Point"]
    edit(doc["features"])
    path = folder / "deepstate_raw_20250803T195825Z_edited.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _first(features: list, fill: str) -> dict:
    return next(f["properties"] for f in features if f["properties"].get("fill") == fill)


@pytest.mark.parametrize(
    "edit",
    [
        lambda fs: _first(fs, "#bcaaa4").update(status="contested"),
        lambda fs: _first(fs, "#bcaaa4").update(STATUS="contested"),  # (read in any case)
        lambda fs: _first(fs, "#a52714").pop("styleUrl"),
        lambda fs: [f["properties"].pop("styleUrl") for f in fs],  # a field dropped
        lambda fs: fs.append({**fs[0], "properties": {"status": "russia"}}),
    ],
)
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_a_raw_dump_edited_once_is_refused_not_read_as_russian_held(
    shared_data, tmp_path, edit, suffix
):
    """One feature tagged 'contested' (or its styleUrl deleted, or the dump saved as a
    GeoPackage) made the dump a user's file: every feature without a status was
    Russian-held, the liberated areas and Transnistria too (Russia 155,000 km² for
    113,000), without a word."""
    as_exported = _edited_dump(shared_data, tmp_path, lambda features: None)
    kept = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", str(as_exported)])
    assert kept.exit_code == 0, kept.output  # the dump without its points is still a dump
    path = _edited_dump(shared_data, tmp_path, edit)
    if suffix == ".gpkg":
        import geopandas as gpd

        frame = gpd.read_file(path)
        path = path.with_suffix(".gpkg")
        frame.to_file(path)
    result = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", str(path)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert f"error: {path}: feature " in said and "Russian-held" in said, said
    if "its 'status' is empty (null)" in said:  # (a GeoPackage's column: null where unset)
        assert suffix == ".gpkg"
    else:
        assert "has no 'status' and the fill" in said and "give each feature a 'status'" in said


def test_a_styled_file_whose_every_feature_has_a_status_is_read_as_its_statuses(tmp_path):
    """A file drawn in a map app styles its features (styleUrl; Google My Maps offers
    DeepState's red, #a52714): when each says its holder, nothing defaults to
    Russian-held, and the file is the user's own, not a refused edit of a dump."""
    ring = [[37.0, 48.0], [37.5, 48.0], [37.5, 48.5], [37.0, 48.5], [37.0, 48.0]]
    style = {"styleUrl": "#poly-A52714", "fill": "#a52714"}
    features = [
        {
            "type": "Feature",
            "properties": {**style, "status": status},
            "geometry": {"type": "Polygon", "coordinates": [[[x + dx, y] for x, y in ring]]},
        }
        for status, dx in (("russia", 0.0), ("contested", 1.0))
    ]
    path = tmp_path / "drawn.geojson"
    doc = {"type": "FeatureCollection", "date": "2025-08-15", "features": features}
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", str(path)]
    )
    assert result.exit_code == 0, result.output
    held = {s["status"] for s in json.loads(result.stdout)["scenarios"][0]["statuses"]}
    assert {"russia", "contested"} <= held
    del features[1]["properties"]["status"]  # red without a status: Russian-held, as asked
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "freeze-current-lines", "--no-maps", "-b", str(path)])
    assert result.exit_code == 0, result.output
    features[1]["properties"]["fill"] = "#0F9D58"  # green without one: refused
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "freeze-current-lines", "--no-maps", "-b", str(path)])
    assert result.exit_code == 2 and "feature 2 has no 'status'" in result.output
    for f in features:  # every holder said, in a Shapefile's capitals: read as said
        f["properties"].pop("status", None)
        f["properties"]["STATUS"] = "ukraine" if f is features[1] else "russia"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "DeepState" not in json.loads(result.stdout)["scenarios"][0]["baseline"]["source"]


@pytest.mark.parametrize("when", ["1900-01-01T00:00Z", "2150-06-01T12:00Z"])
def test_a_raw_dump_dated_outside_1991_to_2100_is_refused(shared_data, tmp_path, when):
    """A user file's date is checked against 1991–2100; a raw dump's 'datetime' was not."""
    doc = json.loads((shared_data / RAW).read_text(encoding="utf-8"))
    doc["datetime"] = when
    path = tmp_path / "dump.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", str(path)])
    assert result.exit_code == 2, result.output
    assert f"bad date '{when[:16]}'" in result.output and "outside 1991–2100" in result.output


def test_polygons_beside_ukraine_that_cover_none_of_it_are_a_warning(tmp_path):
    """A polygon in Russia's Belgorod oblast, inside the box around Ukraine, passed the
    'lies over Ukraine' check: Russia held 0 km², and nothing said so."""
    ring = [[36.5, 50.7], [37.5, 50.7], [37.5, 51.3], [36.5, 51.3], [36.5, 50.7]]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon"}}
    feature["geometry"]["coordinates"] = [ring]
    path = tmp_path / "belgorod.geojson"
    doc = {"type": "FeatureCollection", "date": "2025-08-15", "features": [feature]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", str(path)]
    )
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)["scenarios"][0]
    assert [s["status"] for s in entry["statuses"]] == ["ukraine"]
    assert any("none of them covers any land of the units" in w for w in entry["warnings"])
    ring = [[x + 0.6, y - 1.5] for x, y in ring]  # over Kharkiv oblast: held, no warning
    doc["features"][0]["geometry"]["coordinates"] = [ring]
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", str(path)]
    )
    entry = json.loads(result.stdout)["scenarios"][0]
    assert "russia" in [s["status"] for s in entry["statuses"]] and not entry["warnings"]


@pytest.mark.parametrize("fill, least_km2", [("#a52714", 60_000), ("#bcaaa4", 500)])
def test_a_raw_dump_restyled_says_what_it_left_out(shared_data, tmp_path, fill, least_km2):
    """Every occupied polygon refilled #a52715 (as a restyle of DeepState's layer would
    do) had been dropped without a word: Russia 43,800 km² for 113,000. The grey zone
    likewise (979 km² to 1). The polygons left out are now said, with their km²."""
    import modeller

    def restyle(features):
        for f in features:
            if f["properties"].get("fill") == fill:
                f["properties"]["fill"] = "#A52715"

    base = modeller.load_baseline(_edited_dump(shared_data, tmp_path, lambda fs: None))
    assert not [w for w in base.warnings if "did not have" in w]
    restyled = modeller.load_baseline(_edited_dump(shared_data, tmp_path, restyle))
    (said,) = [w for w in restyled.warnings if "did not have" in w]
    km2 = int(said.split(" km²")[0].rsplit("(", 1)[1].replace(",", ""))
    assert km2 > least_km2 and "filled #A52715" in said, said
    assert "these figures miss that land" in said


def test_a_polygon_of_an_unknown_fill_that_cannot_be_read_leaves_the_dump_readable(
    shared_data, tmp_path
):
    """Looking for polygons of unknown fills read them: one with a 2-point ring (a
    polygon the dump's reader skips) made the whole dump an error."""
    import modeller

    def odd(features):
        ring = [[30.0, 50.0], [30.1, 50.0]]
        props = {"styleUrl": "#x", "fill": "#123456"}
        features.append({"type": "Feature", "properties": props, "geometry": None})
        features[-1]["geometry"] = {"type": "Polygon", "coordinates": [ring]}

    base = modeller.load_baseline(_edited_dump(shared_data, tmp_path, odd))
    assert not [w for w in base.warnings if "did not have" in w]


def _serving(monkeypatch, listing, body: bytes) -> None:
    """The API answering ``listing`` (JSON) and ``body`` (bytes as sent) for every day."""

    def fake_urlopen(request, timeout, watch):
        url = request.full_url
        if url.endswith("/public"):
            return io.BytesIO(json.dumps(listing).encode())
        return io.BytesIO(body)

    monkeypatch.setattr(downloads, "_open", fake_urlopen)


LISTED = [{"id": 1754250905, "datetime": "2025-08-03T19:58:25.000Z"}]
STYLED = {"styleUrl": "#poly", "fill": deepstate.OCCUPIED_FILL, "name": "occupied"}


def _layer(ring: list) -> bytes:
    feature = {"type": "Feature", "properties": STYLED, "geometry": {"type": "Polygon"}}
    feature["geometry"]["coordinates"] = [ring]
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


@pytest.mark.parametrize(
    "listing, body, said",
    [
        (LISTED, b"<html><body>502 Bad Gateway</body></html>", "not JSON"),
        (LISTED, b'{"type": "FeatureCollection", "feat', "not JSON"),
        (LISTED, b"\xff\xfe{}", "not JSON"),
        (LISTED, b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (LISTED, b"[1, 2]", "not a GeoJSON FeatureCollection"),
        (LISTED, b"null", "not a GeoJSON FeatureCollection"),
        ([{"id": 1}, "x", None, {"datetime": "2025-08-03"}], b"{}", "no snapshot with an id"),
        ([], b"{}", "no snapshot with an id"),
        (LISTED, _layer([[-180, -85], [180, -85], [180, 85], [-180, -85]]), "outside Ukraine"),
        (LISTED, _layer([[48.0, 37.0], [48.5, 37.0], [48.5, 37.5], [48.0, 37.0]]), "outside"),
        (LISTED, _layer([[4.0e6, 6.0e6], [4.1e6, 6.0e6], [4.1e6, 6.1e6], [4.0e6, 6.0e6]]), "outs"),
        (LISTED, _layer([[37.0, 48.0], [37.1, 48.0], [37.1, 48.1], [37.0, 48.0]]), "ever shown"),
        (
            [
                {"id": 1, "datetime": "9999-12-31T23:30-05:00"},
                {"id": "../../x?y=", "datetime": "2025-08-03T19:58:25Z"},
                {"id": True, "datetime": "2025-08-03T19:58:25Z"},
            ],
            b"{}",
            "no snapshot with an id",
        ),
    ],
    ids=[
        "html", "cut", "not-utf8", "deep", "list", "null", "bad-listing", "empty-listing",
        "world", "lat-lon", "metres", "tiny", "odd-ids-and-times",
    ],
)  # fmt: skip
def test_a_strange_answer_is_said_as_such_and_nothing_is_kept(
    monkeypatch, tmp_path, listing, body, said
):
    """The server answered, but not as DeepState's API does: one line saying so (status
    2), nothing kept. They had been tracebacks, "cannot reach the DeepState API" (it had
    answered), or a day kept that every later run then read."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    _serving(monkeypatch, listing, body)
    result = CliRunner().invoke(main, ["fetch", "2025-08-03"])
    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output
    assert "cannot reach" not in result.output
    assert not list(tmp_path.rglob("*.geojson"))


def _restyled(shared_data) -> bytes:
    return (shared_data / RAW).read_bytes().replace(b"#a52714", b"#b71c1c")


def test_a_restyled_layer_is_not_kept_without_its_occupied_land(shared_data, monkeypatch, tmp_path):
    """DeepState's occupied fill changed: fetch had kept the day without the land so filled
    (80,000 km² held instead of 120,000), where the same dump as --baseline warns."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    _serving(monkeypatch, LISTED, _restyled(shared_data))
    result = CliRunner().invoke(main, ["fetch", "2025-08-03"])
    assert result.exit_code == 2, result.output
    assert "#b71c1c" in result.output and "nothing was kept" in result.output
    assert not list(tmp_path.rglob("*.geojson"))


def test_a_cache_that_cannot_be_written_is_said_as_such(recorded_api, tmp_path, monkeypatch):
    """A cache folder that is a file had been reported as 'cannot reach the DeepState API'
    after a download that succeeded."""
    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(blocker))
    result = CliRunner().invoke(main, ["fetch", "2025-08-03"])
    assert result.exit_code == 1, result.output
    assert "cannot write" in result.output and "cannot reach" not in result.output


def test_a_layer_refilled_to_a_fill_known_as_not_held_is_not_kept(
    shared_data, monkeypatch, tmp_path
):
    """Every occupied polygon refilled to a fill DeepState uses for land it does not show
    as held: the day had been kept, and runs on it gave Russia 43,800 km² for 113,000."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    body = (shared_data / RAW).read_bytes().replace(b"#a52714", b"#880e4f")
    _serving(monkeypatch, LISTED, body)
    result = CliRunner().invoke(main, ["fetch", "2025-08-03"])
    assert result.exit_code == 2 and "no polygon has DeepState's occupied fill" in result.output
    assert not list(tmp_path.rglob("*.geojson"))


def test_a_server_that_does_not_speak_http_is_the_networks_fault(monkeypatch, tmp_path):
    """A bad status line or a broken chunk (http.client's errors) ended in a traceback."""
    import http.client

    def garbled(request, timeout, watch):
        raise http.client.BadStatusLine("SSH-2.0-OpenSSH_9.2\x1b[2J")

    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(downloads, "_open", garbled)
    result = CliRunner().invoke(main, ["fetch", "2025-08-03"])
    assert result.exit_code == 1 and "cannot reach the DeepState API" in result.output
    assert "\x1b[2J" not in result.output  # (the server's words, made safe)
