"""Shapes kept between runs (a DeepState day's reconciled territory, a band's zone): read
back exactly as drawn, drawn again when an input changes or the file is damaged, never
written when turned off; the run's figures are the same bytes either way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from modeller import baselines, fast, geodata, geomcache, reconcile
from modeller.cli import main
from modeller.scenario import load_scenarios

DRAFT = str(Path(__file__).resolve().parent.parent / "scenarios" / "draft-20-points-2025-12.yaml")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MODELLER_GEOMETRY_CACHE", raising=False)
    return tmp_path / geomcache.KIND


def drawn_counted(monkeypatch, module, name: str) -> list[int]:
    drawn: list[int] = []
    real = getattr(module, name)

    def counting(*args, **kwargs):
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return drawn


def test_a_kept_shape_is_the_drawn_shape(folder):
    box = shapely.Polygon([(0, 0), (1e4, 0), (1e4, 1e4), (0, 0)])

    def draw():
        return {"zone": shapely.buffer(box, 2500.0), "km2": np.array([1.5, 2.5])}

    key = geomcache.digest("test", box, 2.5)
    first = geomcache.kept(key, draw, ("zone", "km2"))
    second = geomcache.kept(key, lambda: pytest.fail("drawn again"), ("zone", "km2"))
    assert shapely.to_wkb(second["zone"]) == shapely.to_wkb(first["zone"])
    assert np.array_equal(second["km2"], first["km2"])
    assert len(list(folder.glob("*.npz"))) == 1
    # another input, another name
    assert geomcache.digest("test", box, 2.6) != key
    assert geomcache.digest("test", shapely.buffer(box, 1.0), 2.5) != key


def test_a_damaged_file_is_drawn_again(folder):
    box = shapely.box(0, 0, 10, 10)
    key = geomcache.digest("test", box)
    geomcache.kept(key, lambda: {"zone": box}, ("zone",))
    (path,) = folder.glob("*.npz")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    again = geomcache.kept(key, lambda: {"zone": shapely.box(0, 0, 10, 10)}, ("zone",))
    assert again["zone"].equals(box)


def test_turned_off_nothing_is_written(folder, monkeypatch):
    monkeypatch.setenv("MODELLER_GEOMETRY_CACHE", "0")
    box = shapely.box(0, 0, 10, 10)
    geomcache.kept(geomcache.digest("test", box), lambda: {"zone": box}, ("zone",))
    assert not folder.exists()


def test_a_bad_switch_is_an_error_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_GEOMETRY_CACHE", "maybe")
    result = CliRunner().invoke(main, ["run", DRAFT, "--no-maps", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "MODELLER_GEOMETRY_CACHE" in result.output
    assert not (tmp_path / "x.csv").exists()


def _figures(spec: str) -> list:
    base = baselines.load_baseline(spec)
    ((_, sc),) = load_scenarios([DRAFT])
    result = fast.apply(base, sc, load=baselines.load_baseline)
    return [(p.oblast, p.before, p.after, shapely.to_wkb(p.geometry)) for p in result.pieces]


def test_a_band_drawn_once_gives_the_same_pieces_on_every_run(folder, monkeypatch):
    drawn = drawn_counted(monkeypatch, fast.bandregion, "contact_line")
    first = _figures("contact-line")
    assert len(drawn) == 1
    second = _figures("contact-line")
    assert len(drawn) == 1  # the zone was read back: no line drawn
    assert second == first
    monkeypatch.setenv("MODELLER_GEOMETRY_CACHE", "0")
    assert _figures("contact-line") == first and len(drawn) == 2


def test_a_deepstate_day_reconciled_once_is_the_same_baseline(folder, monkeypatch, shared_data):
    drawn = drawn_counted(monkeypatch, reconcile, "strips")
    first = baselines.load_baseline("deepstate:2025-08-15")
    second = baselines.load_baseline("deepstate:2025-08-15")
    assert len(drawn) == 1
    assert second.baseline == first.baseline and len(second.pieces) == len(first.pieces)
    for a, b in zip(first.pieces, second.pieces, strict=True):
        assert (a.oblast, a.before) == (b.oblast, b.before)
        assert shapely.to_wkb(a.geometry) == shapely.to_wkb(b.geometry)
    assert first.baseline.reconciled and first.baseline.outside_km2 > 0


def test_land_cut_off_is_kept_with_the_day_and_warned_of_as_when_found(
    folder, monkeypatch, shared_data
):
    # 30 Jun 2022: the layer leaves out 913 km² behind Russian lines (Syvash, Kherson)
    found = drawn_counted(monkeypatch, reconcile, "cut_off")
    first = baselines.load_baseline("deepstate:2022-06-30")
    second = baselines.load_baseline("deepstate:2022-06-30")
    assert len(found) == 1  # the second run read it back with the day's territory
    warned = [w for w in first.warnings if "cut off from the rest" in w]
    assert len(warned) == 1 and "Crimea 667" in warned[0]
    assert second.warnings == first.warnings
    monkeypatch.setenv("MODELLER_GEOMETRY_CACHE", "0")
    assert baselines.load_baseline("deepstate:2022-06-30").warnings == first.warnings
    assert len(found) == 2


def test_a_kept_file_of_other_shapes_is_drawn_again(folder):
    """A file under the right name whose content is not what the name is for (a KeyError
    had ended the run)."""
    box = shapely.box(0, 0, 10, 10)
    key = geomcache.digest("test", box)
    geomcache.kept(key, lambda: {"other": box}, ("other",))
    again = geomcache.kept(key, lambda: {"zone": box}, ("zone",))
    assert list(again) == ["zone"] and again["zone"].equals(box)


def test_a_kept_file_under_another_files_name_is_not_read_for_it(folder):
    """A file renamed or copied over another's name (a mis-copied cache folder) was read
    as that other file: its shapes were another day's territory, and the run reported
    another day's figures under the asked date (or failed on a count that no longer
    matched). Each file is sealed with its own name."""
    small, large = shapely.box(0, 0, 10, 10), shapely.box(0, 0, 20, 20)
    key_small, key_large = geomcache.digest("test", small), geomcache.digest("test", large)
    geomcache.kept(key_small, lambda: {"zone": small}, ("zone",))
    geomcache.kept(key_large, lambda: {"zone": large}, ("zone",))
    (folder / f"{key_small}.npz").replace(folder / f"{key_large}.npz")
    again = geomcache.kept(key_large, lambda: {"zone": large}, ("zone",))
    assert again["zone"].equals(large)
    drawn = []
    geomcache.kept(key_large, lambda: drawn.append(1) or {"zone": large}, ("zone",))
    assert not drawn  # drawn again once, then kept under its own name


@pytest.mark.parametrize("kind", ["folder", "link"])
def test_a_folder_or_a_link_at_a_kept_name_is_left_alone(folder, tmp_path, kind):
    """A folder there had stopped the run with an output error; a link had its target
    replaced with cache data."""
    box = shapely.box(0, 0, 10, 10)
    key = geomcache.digest("test", box)
    folder.mkdir(parents=True)
    mine = tmp_path / "mine.txt"
    mine.write_text("mine", encoding="utf-8")
    if kind == "folder":
        (folder / f"{key}.npz").mkdir()
    else:
        (folder / f"{key}.npz").symlink_to(mine)
    out = geomcache.kept(key, lambda: {"zone": box}, ("zone",))
    assert out["zone"].equals(box)
    assert mine.read_text(encoding="utf-8") == "mine"


def test_a_display_coverage_simplified_once_is_read_back_the_same(folder, monkeypatch):
    """The web maps' coverage simplification (``maps.layers``, ~0.1 s a coverage) is kept:
    read back shape for shape as GEOS draws it; another coverage is drawn anew."""
    from modeller.maps import layers

    drawn = drawn_counted(monkeypatch, shapely, "coverage_simplify")
    base = baselines.load_baseline("contact-line")
    [(_, sc)] = load_scenarios([DRAFT])
    pieces = fast.apply(base, sc, load=baselines.load_baseline).pieces
    geoms = np.array([p.geometry for p in pieces], dtype=object)
    first = layers._simplify(geoms)
    again = layers._simplify(geoms)
    assert len(drawn) == 1 and len(first) == len(geoms)
    reference = shapely.coverage_simplify(geoms, layers.SIMPLIFY_M)
    assert all(shapely.equals_exact(again, reference, 0.0))
    assert all(shapely.to_wkb(again) == shapely.to_wkb(first))
    layers._simplify(geoms[:-1])
    assert len(drawn) == 3  # (the reference above was the second)
    assert len(layers._simplify(geoms[:0])) == 0


def test_the_pages_base_layers_kept_are_those_drawn(folder, monkeypatch):
    """What every web map shows (label points, outline: ~0.25 s) is kept between runs as
    its JSON; read back it is the JSON drawn; other units give their own."""
    from dataclasses import replace

    from modeller.maps import layers, payload
    from modeller.maps.assets import json_for_script

    data = geodata.load()
    drawn = drawn_counted(monkeypatch, payload, "base_layers_of")
    payload._base_json.cache_clear()
    first = payload._base_json(data)
    payload._base_json.cache_clear()
    again = payload._base_json(data)
    assert len(drawn) == 1
    assert first == again == json_for_script(layers.base_layers_of(data))
    payload._base_json.cache_clear()
    code = next(iter(data.units))
    renamed = {**data.units, code: replace(data.units[code], name_en="Renamed oblast")}
    other = payload._base_json(replace(data, units=renamed))
    assert len(drawn) == 2 and "Renamed oblast" in other and "Renamed oblast" not in first
    payload._base_json.cache_clear()


def test_the_static_maps_context_kept_is_the_context_drawn(folder, monkeypatch):
    """The static maps' neighbours, Dnipro, oblasts and Ukraine's outline (~0.1 s at the
    start of every image process) are read back shape for shape, in order."""
    from modeller.maps import image_geometry

    drawn = drawn_counted(monkeypatch, image_geometry, "_context")
    image_geometry.context.cache_clear()
    first = image_geometry.context()
    image_geometry.context.cache_clear()
    again = image_geometry.context()
    image_geometry.context.cache_clear()
    assert len(drawn) == 1 and sorted(first) == sorted(again)
    direct = image_geometry._context(geodata.geodata_dir(), geodata.load().geometry)
    for name, shape in again.items():
        expected = direct[name]
        if isinstance(shape, np.ndarray):  # kept as one collection, read back as the array
            expected = shapely.get_parts(expected)
            assert len(shape) == len(expected) > 1
        assert np.all(shapely.to_wkb(shape) == shapely.to_wkb(expected)), name
    assert len(again["oblasts"]) == len(geodata.load().geometry)


def test_the_outline_zone_kept_is_the_zone_drawn(folder, monkeypatch):
    """The outline zone (3.2 s of buffering on Minregion's units, on every new day and
    every timeline run with them) is read back exactly, and is drawn once per units."""
    data = geodata.load()
    drawn = drawn_counted(monkeypatch, shapely, "buffer")
    reconcile._zone_for.cache_clear()
    try:
        first = reconcile._zone_for(data)
        reconcile._zone_for.cache_clear()
        again = reconcile._zone_for(data)
        monkeypatch.setenv("MODELLER_GEOMETRY_CACHE", "0")
        reconcile._zone_for.cache_clear()
        afresh = reconcile._zone_for(data)
    finally:
        reconcile._zone_for.cache_clear()
    assert len(drawn) == 2  # the first and the one with the cache off
    for name in ("zone", "inland", "reach"):
        kept, new = getattr(again, name), getattr(afresh, name)
        assert shapely.to_wkb(kept) == shapely.to_wkb(new) == shapely.to_wkb(getattr(first, name))
    assert again.country is afresh.country is geodata.country_of(data)
    # the units' union is kept with it (~30 ms before a timeline's workers start): read
    # back exactly, and not drawn again in a new process
    union = shapely.union_all(list(data.geometry.values()))
    assert shapely.to_wkb(again.country) == shapely.to_wkb(union)
    geodata._COUNTRIES.pop(data, None)  # (as a new process would start)
    united = drawn_counted(monkeypatch, shapely, "union_all")
    monkeypatch.delenv("MODELLER_GEOMETRY_CACHE")
    try:
        read = reconcile._zone_for(data)
    finally:
        reconcile._zone_for.cache_clear()
    assert not united
    assert shapely.to_wkb(read.country) == shapely.to_wkb(union)


def _units_file(path: Path, nudge: float = 0.0) -> Path:
    """The embedded units as a GeoJSON file keyed by code (one vertex of Kyiv oblast moved
    ``nudge`` degrees east)."""
    import json

    data = geodata.load()
    features = []
    for code, geom in data.geometry.items():
        shape = shapely.geometry.mapping(geodata.to_lonlat(geom))
        if code == "UA-32" and nudge:
            ring = [list(p) for p in shape["coordinates"][0]]
            ring[1][0] += nudge
            shape = {"type": "Polygon", "coordinates": [ring, *shape["coordinates"][1:]]}
        features.append({"type": "Feature", "properties": {"code": code}, "geometry": shape})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _load_units(path: Path):
    geodata._from_file.cache_clear()  # (as a new process would)
    return geodata._from_file(str(path.resolve()), geodata._stamp(path), str(path))


def test_units_kept_are_the_units_checked_and_a_changed_file_is_checked_again(
    tmp_path, monkeypatch
):
    """A units file checked once is read back on the next run without its checks (~2.5 s
    of every --units run on Minregion's oblasts): the same shapes, towns and points; a
    file changed by one vertex, or a damaged kept file, is checked again."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MODELLER_GEOMETRY_CACHE", raising=False)
    checked = drawn_counted(monkeypatch, geodata, "_checked")
    from modeller import unitsfile

    read = drawn_counted(monkeypatch, unitsfile, "read_features")
    path = _units_file(tmp_path / "units.geojson")
    try:
        first = _load_units(path)
        kept = list((tmp_path / "cache" / "units").glob("*.npz"))
        assert checked == [1] and len(kept) == 1
        again = _load_units(path)
        assert checked == [1]  # read back, not checked again
        assert read == [1]  # nor the file parsed again
        assert again.geometry.keys() == first.geometry.keys()
        for code, geom in first.geometry.items():
            assert shapely.to_wkb(again.geometry[code]) == shapely.to_wkb(geom), code
        assert again.settlements == first.settlements
        assert np.array_equal(again.settlement_xy, first.settlement_xy)
        assert again.source == first.source
        kept[0].write_bytes(kept[0].read_bytes()[:-100])  # damaged: checked again
        assert _load_units(path).settlements == first.settlements and checked == [1, 1]
        _units_file(path, nudge=0.01)  # one vertex moved: another file, checked again
        moved = _load_units(path)
        assert checked == [1, 1, 1]
        assert moved.source["sha256"] != first.source["sha256"]
        assert not moved.geometry["UA-32"].equals(first.geometry["UA-32"])
    finally:
        geodata._from_file.cache_clear()


def test_units_checked_with_the_cache_off_are_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODELLER_GEOMETRY_CACHE", "0")
    checked = drawn_counted(monkeypatch, geodata, "_checked")
    path = _units_file(tmp_path / "units.geojson")
    try:
        _load_units(path)
        _load_units(path)
    finally:
        geodata._from_file.cache_clear()
    assert checked == [1, 1]
    assert not (tmp_path / "cache" / "units").exists()


def test_units_refused_are_never_kept(tmp_path, monkeypatch):
    """Only a file that passed every check is kept: one with a gap (the last check) is
    refused on every run, and nothing is written for it."""
    import json

    from modeller.errors import InputError

    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MODELLER_GEOMETRY_CACHE", raising=False)
    path = _units_file(tmp_path / "holed.geojson")
    data = json.loads(path.read_text("utf-8"))
    for f in data["features"]:
        if f["properties"]["code"] == "UA-14":  # Kramatorsk cut out of Donetsk
            shape = shapely.geometry.shape(f["geometry"]).difference(
                shapely.box(37.3, 48.4, 37.8, 48.8)
            )
            f["geometry"] = shapely.geometry.mapping(shape)
    path.write_text(json.dumps(data), "utf-8")
    try:
        for _ in range(2):
            with pytest.raises(InputError, match="gap"):
                _load_units(path)
    finally:
        geodata._from_file.cache_clear()
    assert not list((tmp_path / "cache").rglob("*.npz"))
