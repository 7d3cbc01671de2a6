"""`modeller doctor` on the embedded data and on a deliberately broken copy of it."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest
from click.testing import CliRunner
from helpers import REPO

from modeller import doctor, geodata
from modeller.cli import main


def _levels(findings, check):
    return [f for f in findings if f.check == check]


def test_embedded_geodata_passes_with_known_outline_warnings():
    findings = doctor.check_geodata()
    assert not [f for f in findings if f.level == "fail"], findings
    warned = {f.message.split(":")[0] for f in findings if f.level == "warn"}
    # Natural Earth's Kyiv city is about twice the official city area; its Kherson and
    # Sevastopol are smaller than official (ASSUMPTIONS.md). The doctor must say so.
    assert {"Kyiv city (UA-30)", "Kherson (UA-65)", "Sevastopol (UA-40)"} <= warned


def _broken_copy(tmp_path):
    folder = tmp_path / "geodata"
    shutil.copytree(geodata.geodata_dir(), folder)
    path = folder / "oblasts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for f in data["features"]:
        code = f["properties"]["code"]
        if code == "UA-30":  # Kyiv city moved ~0.3° east: overlaps Kyiv oblast, leaves a hole
            f["geometry"]["coordinates"] = _shift(f["geometry"]["coordinates"], 0.3)
        if code == "UA-77":  # Chernivtsi replaced by a self-intersecting bow-tie
            f["geometry"] = {
                "type": "Polygon",
                "coordinates": [
                    [[25.0, 48.0], [26.5, 48.5], [26.5, 48.0], [25.0, 48.5], [25.0, 48.0]]
                ],
            }
    path.write_text(json.dumps(data), encoding="utf-8")
    with open(folder / "units.csv", encoding="utf-8") as fh:
        units = list(csv.DictReader(fh))
    for row in units:
        if row["code"] == "UA-46":  # a typo in Lviv's population
            row["population_2022"] = str(int(row["population_2022"]) + 1000)
    with open(folder / "units.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(units[0]))
        w.writeheader()
        w.writerows(units)
    return folder


def _shift(coords, dx):
    if isinstance(coords[0], (int, float)):
        return [coords[0] + dx, coords[1]]
    return [_shift(c, dx) for c in coords]


def test_doctor_finds_every_fault_in_a_broken_fixture(tmp_path):
    findings = doctor.check_geodata(_broken_copy(tmp_path))
    fails = [f for f in findings if f.level == "fail"]
    assert any(f.check == "validity" and f.message.startswith("UA-77") for f in fails)
    # where the bow-tie crosses itself, in lon/lat (the working CRS's metres had been said)
    [bow] = [f.message for f in fails if f.check == "validity" and f.message.startswith("UA-77")]
    lon, lat = map(float, re.search(r"Self-intersection near ([\d.]+)°E ([\d.]+)°N", bow).groups())
    assert abs(lon - 25.75) < 0.05 and abs(lat - 48.25) < 0.05, bow
    overlap = [f for f in fails if f.check == "overlaps"]
    assert any("UA-30" in f.message and "UA-32" in f.message for f in overlap), overlap
    assert any(f.check == "gaps" for f in fails)  # where Kyiv city used to be
    assert any(f.check == "population" and "41,168,335" in f.message for f in fails)
    # The untouched checks still pass.
    assert _levels(findings, "units")[0].level == "ok"


def test_doctor_cli_exit_status_and_empty_step_warning(tmp_path):
    bad = tmp_path / "empty-step.yaml"
    bad.write_text(
        "id: empty-step\ntitle: A step that selects nothing\nsteps:\n"
        "  - assign: ukraine\n    where: {oblast: Lviv, held_by: russia}\n",
        encoding="utf-8",
    )
    runner = CliRunner(env={"COLUMNS": "200"})  # one finding per line
    ok = runner.invoke(main, ["doctor", str(bad)])
    assert ok.exit_code == 0, ok.output
    assert "step 1 selects nothing on contact-line (2025-08-15)" in ok.output
    broken = runner.invoke(main, ["doctor", "--geodata", str(_broken_copy(tmp_path))])
    assert broken.exit_code == 1
    assert "FAIL" in broken.output and "failures" in broken.output


def test_a_malformed_geodata_folder_is_a_failure_row_not_a_traceback(tmp_path):
    """A settlements.csv without its columns had raised KeyError: 'oblast'; a units.csv of
    only its header a TypeError from shapely; a bad number a ValueError."""
    folder = tmp_path / "gd"
    shutil.copytree(geodata.geodata_dir(), folder)
    (folder / "settlements.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    units = (folder / "units.csv").read_text(encoding="utf-8")
    (folder / "units.csv").write_text(units.replace(",26513,", ",abc,", 1), encoding="utf-8")
    found = {(f.level, f.check): f.message for f in doctor.check_geodata(folder)}
    assert found[("fail", "settlements")] == "cannot check (missing column 'oblast')"
    # the file, its line and the field (it had been 'cannot check (could not convert
    # string to float: 'abc')', naming neither)
    said = found[("fail", "area")]
    pattern = r"units\.csv, line \d+: area_official_km2 'abc' is not a number of km²"
    assert re.fullmatch(pattern, said), said
    (folder / "units.csv").write_text(units.splitlines()[0] + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["doctor", "--geodata", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "units.csv lists no unit" in result.output


@pytest.mark.parametrize("code", [5, None, ["UA-14"]])
def test_a_unit_code_that_is_not_text_is_a_failure_row_not_a_traceback(tmp_path, code):
    """A feature's "code": 5 (or null) in oblasts.geojson had ended doctor in a TypeError
    when the codes were joined into the failure row."""
    folder = tmp_path / "gd"
    shutil.copytree(geodata.geodata_dir(), folder)
    path = folder / "oblasts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][3]["properties"]["code"] = code
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "400"}).invoke(main, ["doctor", "--geodata", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    said = " ".join(result.output.split())
    assert f"feature 4: 'code' {json.dumps(code)} is not a unit code in quotes" in said, said


def test_a_baseline_alone_is_checked_not_ignored():
    """`doctor --baseline BAD` without scenarios ignored the baseline and said all was well."""
    bad = CliRunner().invoke(main, ["doctor", "--baseline", "pre-2O22"])
    assert bad.exit_code == 1, bad.output
    assert "FAIL" in bad.output and "unknown baseline 'pre-2O22'" in bad.output
    (good,) = doctor.check_baseline("1991")
    assert good.level == "ok" and good.message.endswith("loads: ukraine 100.0% of the units")


def test_a_boundaries_file_given_as_a_baseline_is_doubted(shared_data):
    """Read as a baseline, an oblast boundaries file makes all of Ukraine Russian-held
    (99.5 % as drawn, the strips between its outline and the units' reconciled); doctor
    and run say that it looks like --units instead."""
    path = shared_data / "boundaries" / "ua_oblasts_minregion2020.geojson"
    findings = doctor.check_baseline(str(path))
    ok, warned = _levels(findings, "baseline")[0], _levels(findings, "baseline")[1:]
    assert ok.level == "ok" and re.search(r"russia (99\.\d|100\.0)%", ok.message), ok
    # (and land its outline leaves cut off behind "Russian lines": 46 km² of lagoons)
    assert [f.level for f in warned] == ["warn"] * len(warned)
    assert all("cut off from the rest" in f.message for f in warned[1:])
    assert re.search(r"makes (99\.\d|100\.0)%", warned[0].message), warned[0].message
    assert "give it as --units" in warned[0].message
    run = CliRunner().invoke(main, ["run", "--no-maps", "-b", str(path), "land-swap"])
    assert run.exit_code == 0, run.output
    assert "give it as --units" in run.stderr


def test_doctor_checks_every_scenario_file_as_validate_does(tmp_path):
    """doctor FOLDER stopped at the first bad scenario file; validate lists them all."""
    good = (REPO / "scenarios" / "land-swap.yaml").read_text(encoding="utf-8")
    (tmp_path / "a-good.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "b-bad.yaml").write_text(
        "id: bad\ntitle: t\nsteps:\n  - assign: martians\n    where: {oblast: Donetsk}\n",
        encoding="utf-8",
    )
    (tmp_path / "c-twice.yaml").write_text(good, encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "300"}).invoke(main, ["doctor", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "b-bad.yaml:4: unknown status 'martians'" in result.output
    assert "c-twice.yaml:1: duplicate scenario id 'land-swap'" in result.output
    assert "land-swap: each of its 2 steps selects land" in result.output  # still checked


def test_a_geodata_folder_missing_a_file_names_it_and_what_the_folder_holds(tmp_path):
    """It said "cannot read FOLDER: FileNotFoundError(2, 'No such file or directory')"; and
    a units.csv cut to two units left their settlements unchecked, yet "all … ok"."""
    empty = tmp_path / "empty"
    empty.mkdir()
    [finding] = doctor.check_geodata(empty)
    assert finding.level == "fail" and finding.message.startswith(f"{empty}: no units.csv; ")
    assert "a geodata folder holds units.csv" in finding.message and "Error(" not in finding.message
    folder = tmp_path / "gd"
    shutil.copytree(geodata.geodata_dir(), folder)
    (folder / "oblasts.geojson").write_text("garbage", encoding="utf-8")
    [finding] = doctor.check_geodata(folder)
    said = "cannot read its files (oblasts.geojson is not JSON at line 1, column 1: Expecting value"
    assert said in finding.message, finding.message
    shutil.copy(geodata.geodata_dir() / "oblasts.geojson", folder / "oblasts.geojson")
    units = (folder / "units.csv").read_text(encoding="utf-8").splitlines()
    (folder / "units.csv").write_text("\n".join(units[:3]) + "\n", encoding="utf-8")
    found = _levels(doctor.check_geodata(folder), "settlements")
    assert [f.level for f in found] == ["fail"], found
    assert found[0].message.endswith("settlements lie in no unit of the folder")


def test_a_settlement_without_a_place_is_a_failure_not_inf_km_away(tmp_path):
    """A latitude 'nan' in settlements.csv gave shapely's RuntimeWarning on the terminal
    and a warning that the town lies 'inf km' outside its unit."""
    import warnings

    folder = tmp_path / "gd"
    shutil.copytree(geodata.geodata_dir(), folder)
    path = folder / "settlements.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["lat"], rows[1]["lon"] = "nan", "east"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no library warning reaches the user
        found = [f for f in doctor.check_geodata(folder) if f.check == "settlements"]
    fails = [f.message for f in found if f.level == "fail"]
    assert f"{rows[0]['name']} has no place: lon {rows[0]['lon']!r}, lat 'nan'" in fails
    assert f"{rows[1]['name']} has no place: lon 'east', lat {rows[1]['lat']!r}" in fails
    assert not any("inf km" in f.message or f.level == "ok" for f in found), found


def test_doctor_blames_a_bad_baseline_not_the_scenarios_run_on_it(tmp_path):
    """'doctor --baseline BAD.geojson scenario.yaml' had said 'FAIL scenario land-swap: …'
    for each scenario, for an error of the baseline file."""
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    scenario = REPO / "scenarios" / "land-swap.yaml"
    result = CliRunner().invoke(main, ["doctor", "--baseline", str(bad), str(scenario)])
    assert result.exit_code == 1, result.output
    rows = [" ".join(r.split()) for r in result.output.splitlines()]
    assert any(r.startswith("│ FAIL │ baseline │") for r in rows), rows
    assert not any("FAIL │ scenario" in r for r in rows), rows
    assert "no polygon features" in " ".join(rows)


def test_a_unit_given_twice_an_unknown_geometry_or_no_settlements_fail_and_a_bom_does_not(
    tmp_path,
):
    """From a hunt: a unit given twice had collapsed into one without a word; a geometry
    of type 'Foo' ended in a traceback; an empty settlements.csv passed (exit 0); a units.csv
    saved with a byte order mark was read as having 'no code field'."""
    source = geodata.geodata_dir()

    def fresh(name: str):
        folder = tmp_path / name
        shutil.copytree(source, folder)
        return folder

    def failures(folder) -> list[str]:
        return [f.message for f in doctor.check_geodata(folder) if f.level == "fail"]

    bom = fresh("bom")
    (bom / "units.csv").write_text((source / "units.csv").read_text("utf-8"), "utf-8-sig")
    assert failures(bom) == []
    twice = fresh("twice")
    lines = (source / "units.csv").read_text("utf-8").splitlines()
    (twice / "units.csv").write_text("\n".join([*lines, lines[3]]) + "\n", "utf-8")
    assert any("units.csv gives unit 'UA-" in m and "twice" in m for m in failures(twice))
    doc = json.loads((source / "oblasts.geojson").read_text("utf-8"))
    for name, features, said in (
        ("shape-twice", [*doc["features"], doc["features"][4]], "oblasts.geojson gives unit"),
        ("foo", [{**doc["features"][0], "geometry": {"type": "Foo"}}], "geometry type"),
    ):
        folder = fresh(name)
        (folder / "oblasts.geojson").write_text(json.dumps({**doc, "features": features}))
        result = CliRunner().invoke(main, ["doctor", "--geodata", str(folder)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert said in " ".join(result.output.split()), result.output
    for name, geometry in (
        ("point", {"type": "Point", "coordinates": [30.5, 50.45]}),
        ("nothing", {"type": "MultiPolygon", "coordinates": []}),
    ):  # (Kyiv city a point had ended in a traceback; nothing had been "valid")
        folder = fresh(name)
        features = [
            {**f, "geometry": geometry} if f["properties"]["code"] == "UA-30" else f
            for f in doc["features"]
        ]
        (folder / "oblasts.geojson").write_text(json.dumps({**doc, "features": features}))
        assert any(m.startswith("UA-30: invalid geometry (a ") for m in failures(folder))
    empty = fresh("empty")
    (empty / "settlements.csv").write_text("geonameid,name,oblast,population,lon,lat\n")
    assert "settlements.csv lists no settlement" in failures(empty)


@pytest.mark.parametrize("area", ["0", "nan", "inf"])
def test_an_official_area_that_is_no_area_is_a_failure(tmp_path, area):
    """An official area of 0 had ended doctor --geodata in a ZeroDivisionError traceback;
    NaN had passed unsaid ('0 failures'), inf as a warning."""
    folder = tmp_path / "gd"
    shutil.copytree(geodata.geodata_dir(), folder)
    path = folder / "units.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["area_official_km2"] = area
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    found = _levels(doctor.check_geodata(folder), "areas") + [
        f for f in doctor.check_geodata(folder) if f.check == "area"
    ]
    fails = [f.message for f in found if f.level == "fail"]
    assert any("is no area in km²" in m and rows[0]["name_en"] in m for m in fails), found
    total = [f for f in found if f.message.startswith("total")]
    assert total and total[0].level == "ok"  # (its km² still counted)


def test_an_outline_with_a_nan_corner_is_a_failure_not_a_traceback(tmp_path):
    """A NaN vertex in oblasts.geojson had ended doctor --geodata in a GEOSException from
    the repair, outside its checks."""
    folder = tmp_path / "gd"
    shutil.copytree(geodata.geodata_dir(), folder)
    text = (folder / "oblasts.geojson").read_text(encoding="utf-8")
    data = json.loads(text)
    ring = data["features"][0]["geometry"]["coordinates"][0]
    ring = ring[0] if isinstance(ring[0][0], list) else ring
    ring[1] = [float("nan"), float("nan")]
    (folder / "oblasts.geojson").write_text(json.dumps(data), encoding="utf-8")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no library warning reaches the user
        found = doctor.check_geodata(folder)
    assert any(f.level == "fail" for f in found), found


def test_a_geodata_folder_with_a_bad_feature_or_number_names_the_file_and_where(tmp_path):
    """A null geometry said "cannot read its files ('NoneType' object has no attribute
    'get')", a truncated oblasts.geojson "Expecting ',' delimiter: line 1 column 200001"
    (no file), a population of 'abc' "invalid literal for int() with base 10" (no file,
    no line)."""
    import json

    folder = tmp_path / "gd"
    shutil.copytree(geodata.geodata_dir(), folder)
    shapes = folder / "oblasts.geojson"
    text = shapes.read_text(encoding="utf-8")
    data = json.loads(text)
    data["features"][3]["geometry"] = None
    shapes.write_text(json.dumps(data), encoding="utf-8")
    (found,) = doctor.check_geodata(folder)
    assert "oblasts.geojson, feature 4" in found.message and "no geometry" in found.message
    shapes.write_text(text[:200_000], encoding="utf-8")
    (found,) = doctor.check_geodata(folder)
    assert re.search(r"oblasts\.geojson is not JSON at line \d+, column \d+", found.message)
    shapes.write_text(text, encoding="utf-8")
    units = (folder / "units.csv").read_text(encoding="utf-8").splitlines()
    head = units[0].split(",")
    row = units[5].split(",")
    row[head.index("population_2022")] = "abc"
    units[5] = ",".join(row)
    (folder / "units.csv").write_text("\n".join(units) + "\n", encoding="utf-8")
    failed = [f for f in doctor.check_geodata(folder) if f.level == "fail"]
    assert [f.message for f in failed] == [
        "units.csv, line 6: population_2022 'abc' is not a whole number"
    ]


def test_doctor_says_a_steps_error_at_its_file_and_line_as_run_does(tmp_path):
    """A band covering all of Russia's side: run said 'band.yaml:5: step 1: …', doctor
    only the file, so the line had to be found again."""
    band = tmp_path / "band.yaml"
    band.write_text(
        "id: wide\ntitle: A band over all the side\nsteps:\n"
        "  - assign: russia\n    where: {band: {km: 300, side: russia}}\n",
        encoding="utf-8",
    )
    runner = CliRunner(env={"COLUMNS": "250"})
    said = runner.invoke(main, ["doctor", str(band)])
    assert said.exit_code == 1, said.output
    run = CliRunner().invoke(main, ["run", str(band), "--no-maps"])
    assert f"{band}:5: step 1: " in " ".join(run.output.split())
    assert f"wide ({band}:5): step 1: " in " ".join(said.output.split())
