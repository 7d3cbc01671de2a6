"""The public API (modeller/__init__.py, modeller/api.py) and the worked example."""

from __future__ import annotations

import errno
import json
import os
import re
import runpy
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import modeller
from modeller.errors import InputError

REPO = Path(__file__).resolve().parent.parent


def test_the_worked_example_runs_and_writes_geodata(tmp_path, capsys):
    example = runpy.run_path(str(REPO / "examples" / "land_swap.py"))
    result = example["main"](tmp_path)
    printed = capsys.readouterr().out
    entry = result.document.scenarios[0]
    cedes = sum(f.km2 for f in entry.flows if f.from_ == "ukraine")
    assert cedes > 1000 and f"Ukraine cedes {cedes:,.0f} km²" in printed
    assert (tmp_path / "land-swap.gpkg").stat().st_size > 0
    assert (tmp_path / "land-swap.geojson").stat().st_size > 0
    assert isinstance(result, modeller.Result)


def test_import_modeller_loads_no_geodata_libraries():
    heavy = "('geopandas', 'shapely', 'pandas', 'pydantic')"
    code = f"import sys, modeller; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_shipped_scenarios_are_listed_by_id_and_named_after_their_files():
    shipped = modeller.scenarios()
    ids = [sc.id for sc in shipped]
    assert "land-swap" in ids and ids == sorted(ids)
    assert modeller.load_scenario("land-swap").id == "land-swap"


def test_apply_returns_a_new_partition_and_leaves_the_baseline(tmp_path):
    base = modeller.load_baseline("1991")
    sc = modeller.load_scenario("russia-demand-2024-06")
    after = modeller.apply(base, sc)
    assert after.parent is base and all(p.before == p.after for p in base.pieces)
    assert after.total_km2 == pytest.approx(base.total_km2, rel=1e-9)


def test_a_partitions_areas_cannot_be_changed_through_the_array_it_returns():
    """``km = after.areas_km2; km /= 1000`` had turned the partition's own figures into
    thousands of km² (599 km² in all), and later calls blamed a piece given twice."""
    after = modeller.apply(modeller.load_baseline("1991"), modeller.load_scenario("land-swap"))
    total = after.total_km2
    km = after.areas_km2
    with pytest.raises(ValueError, match="read-only"):
        km /= 1000
    assert after.total_km2 == total > 590_000
    mine = after.areas_km2.copy()  # a copy is the caller's own
    mine /= 1000
    assert after.total_km2 == total


def test_result_tables_agree_with_the_document():
    result = modeller.run(["land-swap", "freeze-current-lines"], baseline="contact-line")
    doc = result.document
    assert list(result.held["scenario"].unique()) == ["land-swap", "freeze-current-lines"]
    for e in doc.scenarios:
        held = result.held[result.held["scenario"] == e.id]
        assert held["km2"].sum() == pytest.approx(e.total_km2)
        moved = result.transfers[result.transfers["scenario"] == e.id]
        assert moved["km2"].sum() == pytest.approx(sum(t.km2 for t in e.transfers))
        pieces = result.pieces[result.pieces["scenario"] == e.id]
        assert pieces["people"].sum() == pytest.approx(e.total_people)
    assert {"from", "to", "oblast_name"} <= set(result.transfers.columns)
    assert {"name", "population", "lon", "lat"} <= set(result.towns.columns)
    assert result.pieces.crs.to_epsg() == 4326
    assert [s["id"] for s in result.provenance["scenarios"]] == [e.id for e in doc.scenarios]
    assert result.to_json() == doc.to_json()


def test_timeline_is_a_dataframe_of_the_plain_run_figures():
    frame = modeller.timeline(["land-swap"], "contact-line")
    run = modeller.run(["land-swap"], baseline="contact-line").document.scenarios[0]
    russia = frame[frame["status"] == "russia"]
    assert russia["km2"].sum() == pytest.approx(run.status("russia").km2, rel=1e-6)
    # and it carries the provenance the files carry (its attrs had been empty)
    assert frame.attrs["data_version"] == run_doc_version()
    assert frame.attrs["scenarios"][0]["hash"] == run.hash
    assert "central estimate" in frame.attrs["method"] and frame.attrs["baselines"]
    # its dates are dates, as in the Parquet file (text had not plotted or resampled)
    assert str(frame["date"].dtype) == "datetime64[us]"
    assert (frame["date"].dt.strftime("%Y-%m-%d") == "2025-08-15").all()
    # no rows (land-swap marks no recognition): the same type of dates
    empty = modeller.timeline(["land-swap"], "contact-line", recognition=True)
    assert empty.empty and empty["date"].dtype == frame["date"].dtype


def run_doc_version() -> str:
    return modeller.run(["land-swap"], baseline="1991").document.data_version


@pytest.mark.parametrize("given", ["land-swop", "LAND-SWAP", "Land-Swap "])
def test_an_unknown_scenario_id_suggests_the_closest(given):
    """(an id in capitals had no suggestion: ids are lower case)"""
    with pytest.raises(InputError, match="did you mean 'land-swap'"):
        modeller.load_scenario(given)


def test_load_baseline_on_other_units_names_them_in_the_provenance(tmp_path, monkeypatch):
    """A units file (here: the embedded outlines, copied) becomes the active units."""
    import shutil

    from modeller import geodata

    monkeypatch.setenv("MODELLER_UNITS", "")  # restored (unset) after the test
    path = shutil.copy(geodata.geodata_dir() / "oblasts.geojson", tmp_path / "mine.geojson")
    base = modeller.load_baseline("1991", units=path)
    assert base.total_km2 == pytest.approx(geodata._embedded().total_km2, rel=1e-6)
    result = modeller.run(["land-swap"], baseline="1991")
    assert "mine.geojson" in result.provenance["units"]
    assert set(result.pieces["units"]) == {result.provenance["units"]}


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda sc: modeller.load_scenario(REPO / "scenarios"), "is a folder of 11 scenarios"),
        (lambda sc: modeller.run(sc, "1991", towns=-1), "towns must be a whole number"),
        (lambda sc: modeller.run(sc, "1991", towns=1.5), "towns must be a whole number"),
        (lambda sc: modeller.run(sc, 1991.5), "baseline must be a spec"),
        (lambda sc: modeller.run(42, "1991"), "scenarios must be a Scenario"),
        (lambda sc: modeller.run([sc, sc], "1991"), "duplicate scenario id 'land-swap'"),
        (lambda sc: modeller.timeline(sc, baselines=None), "baselines must be a spec"),
        (lambda sc: modeller.timeline(sc, every=7), "every must be text"),
        # "unknown baseline 'b'1991''" had named no type
        (lambda sc: modeller.load_baseline(b"1991"), "spec must be a baseline spec"),
        (lambda sc: modeller.load_baseline(["1991"]), "or a file name, got list ['1991']"),
        # a device and a folder had been "units file not found" and "unknown baseline"
        (lambda sc: modeller.load_baseline("1991", units="/dev/null"), "is a device, not a"),
        (lambda sc: modeller.load_baseline(str(REPO / "scenarios")), "scenarios' is a folder"),
    ],
    ids=[
        *("folder", "towns-negative", "towns-float", "baseline", "scenarios", "dup", "tl"),
        *("every", "load-bytes", "load-list", "units-device", "baseline-folder"),
    ],
)
def test_bad_arguments_are_input_errors_that_say_what_is_valid(call, fragment):
    sc = modeller.load_scenario("land-swap")
    with pytest.raises(InputError, match=re.escape(fragment)):
        call(sc)


def test_a_scenario_changed_in_code_is_checked_again_before_it_runs():
    """model_copy(update=…) skips pydantic's checks: an undeclared status or an unknown
    oblast would otherwise reach the figures (the status had its own rows in the tables,
    the oblast selected nothing without a word)."""
    sc = modeller.load_scenario("land-swap")
    first = sc.steps[0]
    martians = first.model_copy(update={"assign": "martians"})
    atlantis = first.model_copy(
        update={"where": first.where.model_copy(update={"oblast": ["Atlantis"]})}
    )
    for step, fragment in [(martians, "unknown status 'martians'"), (atlantis, "'Atlantis'")]:
        changed = sc.model_copy(update={"steps": [step, *sc.steps[1:]]})
        with pytest.raises(InputError, match=f"scenario 'land-swap': .*{fragment}"):
            modeller.run(changed, "1991")
    # an unchanged object runs as its file does
    assert modeller.run(sc, "1991").held.equals(modeller.run("land-swap", "1991").held)


def test_a_lone_surrogate_set_in_code_is_refused_before_the_run():
    """A title holding a lone surrogate (text decoded with surrogateescape) ran, and then
    every export failed: UnicodeEncodeError from GeoJSON and Parquet, "GDAL could not
    write" from a GeoPackage, and to_json() gave text no UTF-8 file can hold."""
    sc = modeller.load_scenario("land-swap")
    for update in ({"title": "a\udcffb"}, {"summary": "s\ud800"}):
        with pytest.raises(InputError, match="title|summary") as caught:
            modeller.run(sc.model_copy(update=update), "1991")
        assert "lone surrogate U+D" in str(caught.value)


def test_a_misspelt_key_or_missing_steps_set_in_code_is_refused_as_in_a_file():
    """model_copy(update={"stpes": …}) kept the key aside and the run used the old steps
    without a word; model_construct without steps ran as a freeze. A file is refused
    for each."""
    from modeller.scenario import Scenario

    sc = modeller.load_scenario("land-swap")
    lviv = [{"assign": "russia", "where": {"oblast": "Lviv"}}]
    with pytest.raises(InputError, match=r"unknown key 'stpes'.*did you mean 'steps'"):
        modeller.run(sc.model_copy(update={"stpes": lviv}), "1991")
    half = Scenario.model_construct(id="half-written", title="Half written")
    base = modeller.load_baseline("1991")
    for call in (lambda s: modeller.run(s, "1991"), lambda s: modeller.apply(base, s)):
        with pytest.raises(InputError, match=r"scenario 'half-written': no 'steps'"):
            call(half)
    # the same key, well spelt, is read: one step of two moves less land
    one = sc.model_copy(update={"steps": sc.model_dump()["steps"][:1]})
    km2 = [modeller.run(s, "contact-line").transfers.km2.sum() for s in (one, sc)]
    assert 0 < km2[0] < km2[1]


def test_lists_changed_in_place_are_read_even_where_the_file_left_them_out():
    """Checking only the fields set (so that model_construct without steps is refused)
    had dropped what code added in place to a list the file had left out: a status
    declared in place was 'unknown', a report appended vanished from the document, a
    phase appended to a scenario of steps was dropped without a word."""
    sc = modeller.load_scenario("land-swap")
    assert "statuses" not in sc.model_fields_set
    dmz = modeller.load_scenario("plan-28-points-2025-11").statuses["dmz"]
    sc.statuses["dmz"] = dmz
    sc.steps.append(sc.steps[0].model_copy(update={"assign": "dmz"}))
    moved = modeller.run(sc, "contact-line").transfers
    assert moved[moved["to"] == "dmz"].km2.sum() > 1000
    plain = modeller.load_scenario("full-donbas-withdrawal")
    added = plain.model_copy(update={"reported": []})  # (a field set, then added to)
    fresh = type(plain).model_validate({"id": "x", "title": "X", "steps": []})
    for scenario in (added, fresh):
        scenario.reported.append(plain.reported[0])
        doc = modeller.run(scenario, "1991").document.scenarios[0]
        assert [r.source for r in doc.reported] == [plain.reported[0].source]
    phased = modeller.load_scenario("draft-20-points-2025-12")
    phased.steps.append(sc.steps[0])
    with pytest.raises(InputError, match="give either 'steps' or 'phases'"):
        modeller.run(phased, "1991")


def test_text_set_in_code_is_refused_as_in_a_file_with_control_characters():
    """A title set to 'a\x1b[31mb' in code had run, and its escape reached the document
    and the geodata's metadata, while the same title in a YAML file is refused."""
    sc = modeller.load_scenario("land-swap")
    note = sc.steps[0].model_copy(update={"note": "x\x07y"})
    for changed, said in [
        (sc.model_copy(update={"title": "a\x1b[31mb"}), "title: control character U+001B"),
        (sc.model_copy(update={"title": "ab\u202ec"}), "title: bidirectional control"),
        (sc.model_copy(update={"title": "a\u2063b"}), "title: invisible character U+2063"),
        (sc.model_copy(update={"steps": [note, *sc.steps[1:]]}), "steps[0].note: control"),
    ]:
        with pytest.raises(InputError, match=re.escape(f"scenario 'land-swap': {said}")):
            modeller.run(changed, "1991")
        with pytest.raises(InputError, match=re.escape(said)):
            modeller.apply(modeller.load_baseline("1991"), changed)
    # line breaks and tabs are text, in code as in a file
    plain = sc.model_copy(update={"title": "Land\tswap\nwith a line break"})
    assert modeller.run(plain, "1991").document.scenarios[0].title.startswith("Land\tswap")


def test_apply_applies_a_scenario_changed_in_code_as_checked():
    """apply checked the changed object, then applied the unchecked one: oblasts given by
    name (as in a file) stayed names, selected nothing and Russia held 6,735 km² less,
    without a warning; run gave the right figures."""
    base = modeller.load_baseline("contact-line")
    sc = modeller.load_scenario("full-donbas-withdrawal")
    step = sc.steps[0]

    def held_by_russia(partition) -> float:
        return sum(
            a
            for p, a in zip(partition.pieces, partition.areas_km2, strict=True)
            if p.after == "russia"
        )

    by_file = held_by_russia(modeller.apply(base, sc))
    assert by_file > held_by_russia(base) + 6000  # the step moves Donbas land
    for oblast in (["Donetsk", "Luhansk"], ["UA-14", "UA-09"]):
        where = step.where.model_copy(update={"oblast": oblast})
        changed = sc.model_copy(update={"steps": [step.model_copy(update={"where": where})]})
        assert held_by_russia(modeller.apply(base, changed)) == pytest.approx(by_file, rel=1e-9)
    # steps given as plain mappings are read as a file's are
    as_dicts = sc.model_copy(update={"steps": [step.model_dump(by_alias=True)]})
    assert held_by_russia(modeller.apply(base, as_dicts)) == pytest.approx(by_file, rel=1e-9)


def test_a_refused_units_file_leaves_the_active_units_alone(tmp_path, monkeypatch):
    """A refused file had stayed the active units: every later call failed with its error,
    even a run that named no units, and there was no way back."""
    import json
    import shutil

    from modeller import geodata

    monkeypatch.setenv("MODELLER_UNITS", "")  # restored (unset) after the test
    text = (geodata.geodata_dir() / "oblasts.geojson").read_text(encoding="utf-8")
    doc = json.loads(text)
    doc["features"] = doc["features"][:5]
    bad = tmp_path / "five.geojson"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match="missing units"):
        modeller.load_baseline("1991", units=bad)
    assert modeller.run(["land-swap"], "1991").provenance["units"] == base_units()
    good = shutil.copy(geodata.geodata_dir() / "oblasts.geojson", tmp_path / "mine.geojson")
    modeller.load_baseline("1991", units=good)
    assert "mine.geojson" in modeller.run(["land-swap"], "1991").provenance["units"]
    modeller.load_baseline("1991", units="embedded")
    assert modeller.run(["land-swap"], "1991").provenance["units"] == base_units()
    for units, fragment in [(5, "units must be a path"), (tmp_path, "is a folder"), ("", "empty")]:
        with pytest.raises(InputError, match=fragment):
            modeller.load_baseline("1991", units=units)


def test_a_baseline_loaded_on_other_units_is_refused_by_apply(tmp_path, monkeypatch):
    """A baseline loaded before the units changed was applied on the new units without a
    word: its pieces cut by one file's outlines and peopled on the other's."""
    import shutil

    from modeller import geodata

    monkeypatch.setenv("MODELLER_UNITS", "")  # restored (unset) after the test
    other = shutil.copy(geodata.geodata_dir() / "oblasts.geojson", tmp_path / "copy.geojson")
    sc = modeller.load_scenario("full-donbas-withdrawal")
    base = modeller.load_baseline("contact-line")
    applied = modeller.apply(base, sc)
    from_run = modeller.run(sc, "contact-line").partitions[0]  # and one of run's
    modeller.load_baseline("1991", units=other)
    for partition in (base, applied, from_run):  # a baseline, a partition applied to one
        with pytest.raises(InputError, match=r"loaded on other units \(embedded .*copy.geojson"):
            modeller.apply(partition, sc)
    assert modeller.apply(modeller.load_baseline("contact-line"), sc).pieces  # loaded again
    modeller.load_baseline(units="embedded")
    assert modeller.apply(base, sc).areas_km2.sum() == pytest.approx(applied.total_km2)


def test_apply_refuses_a_partition_changed_in_code():
    """apply took a partition of pieces given twice (Ukraine twice its area), of a piece
    without geometry or of an unknown oblast: wrong totals, or an AttributeError."""
    from dataclasses import replace

    base = modeller.load_baseline("1991")
    sc = modeller.load_scenario("land-swap")
    first = base.pieces[0]
    for changed, said in [
        (replace(base, pieces=base.pieces + base.pieces), "add up to 1,198,189 km²"),
        (replace(base, pieces=base.pieces[1:]), "not the units'"),
        (replace(base, pieces=(replace(first, geometry=None), *base.pieces[1:])), "not a polygon"),
        (replace(base, pieces=(replace(first, oblast="XX"), *base.pieces[1:])), "'XX'"),
        (replace(base, pieces="abc"), "must be a tuple of Piece"),
        (replace(base, baseline=None), "must say what it is"),
    ]:
        with pytest.raises(InputError, match=re.escape(said)):
            modeller.apply(changed, sc)


def test_a_failed_load_baseline_leaves_the_units_and_a_changed_units_file_is_read_again(
    tmp_path, monkeypatch
):
    """load_baseline('nonsense', units=file) raised, yet made the file the active units;
    a units file saved over since it was read was still served from the cache."""
    import shutil

    from modeller import geodata

    monkeypatch.setenv("MODELLER_UNITS", "")  # restored (unset) after the test
    path = shutil.copy(geodata.geodata_dir() / "oblasts.geojson", tmp_path / "mine.geojson")
    with pytest.raises(InputError, match="unknown baseline 'nonsense'"):
        modeller.load_baseline("nonsense", units=path)
    assert geodata.load() is geodata._embedded()  # still the embedded units
    modeller.load_baseline("1991", units=path)
    assert geodata.load().total_km2 == pytest.approx(geodata._embedded().total_km2)
    Path(path).write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(InputError, match="no polygon features"):
        modeller.load_baseline("1991", units=path)


def test_deepstate_own_and_the_1991_baseline_in_api_words():
    """load_baseline('deepstate:own') said 'bad baseline: write deepstate:YYYY-MM-DD';
    run(sc, 'deepstate:own') named the command line's --baseline; run(sc, 1991) was
    refused though load_baseline(1991) is not; numpy's integers were no number of towns."""
    import numpy as np

    with pytest.raises(InputError, match="for a run of scenarios \\(baseline deepstate:own\\)"):
        modeller.load_baseline("deepstate:own")
    undated = modeller.load_scenario("land-swap").model_copy(update={"date": None})
    with pytest.raises(InputError) as err:
        modeller.run(undated, " deepstate:own ")
    assert "deepstate" in str(err.value) and "--baseline" not in str(err.value)
    by_number = modeller.run("land-swap", 1991, towns=np.int64(3))
    assert by_number.held.equals(modeller.run("land-swap", "1991", towns=3).held)
    assert len(by_number.towns) == 3
    # and numpy's 1991 a baseline, as Python's is (it had been "no baseline spec")
    assert modeller.load_baseline(np.int64(1991)) == modeller.load_baseline(1991)
    with pytest.raises(InputError, match="got bool"):
        modeller.load_baseline(np.True_)


def base_units() -> str:
    """The provenance's units of a run on the embedded units."""
    import os

    saved = os.environ.pop("MODELLER_UNITS", None)
    try:
        return modeller.run(["land-swap"], "1991").provenance["units"]
    finally:
        if saved is not None:
            os.environ["MODELLER_UNITS"] = saved


def test_to_file_refuses_a_name_of_another_format_and_the_scenario_itself(tmp_path):
    """``to_file('combo.yaml', format='geojson')`` had replaced the scenario with GeoJSON,
    and ``to_file('x.geojson', format='gpkg')`` wrote a GeoPackage named .geojson; the
    CLI's -O refused both."""
    scenario = tmp_path / "combo.yaml"
    scenario.write_bytes((REPO / "scenarios" / "land-swap.yaml").read_bytes())
    before = scenario.read_bytes()
    result = modeller.run(scenario)
    with pytest.raises(InputError, match="named as a scenario, but the format asked for"):
        result.to_file(scenario, format="geojson")
    assert scenario.read_bytes() == before
    with pytest.raises(InputError, match="named as geojson, but the format asked for is gpkg"):
        result.to_file(tmp_path / "x.geojson", format="gpkg")
    assert not (tmp_path / "x.geojson").exists()
    written = result.to_file(tmp_path / "x.json", format="geojson")  # .json is GeoJSON's too
    assert written.read_text(encoding="utf-8").startswith('{"type": "FeatureCollection"')


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda b, sc: modeller.apply(sc, b), "got (Scenario, Partition)"),
        (lambda b, sc: modeller.apply(None, sc), "got (NoneType, Scenario)"),
        (lambda b, sc: modeller.run(b"land-swap"), "got bytes"),
        (lambda b, sc: modeller.run([]), "no scenarios given"),
        (lambda b, sc: modeller.run(""), "is empty"),  # had run every *.yaml in the folder
        (lambda b, sc: modeller.run(["  "]), "is empty"),
        (lambda b, sc: modeller.run(sc).to_file(5), "needs a file name"),  # a TypeError
        (lambda b, sc: modeller.scenarios(123), "takes a folder, got 123"),  # pathlib's
        (lambda b, sc: modeller.scenarios(""), "takes a folder, got ''"),  # read the cwd
        (lambda b, sc: modeller.load_scenario(""), "takes a file or an id, got ''"),
        (lambda b, sc: modeller.run(sc).to_file("a.gpkg", ["gpkg"]), "format must be one of"),
        (lambda b, sc: modeller.run(sc).to_file("a\0b.gpkg"), "cannot hold a NUL"),
    ],
    ids=[
        *("swapped", "none", "bytes", "empty", "empty-path", "blank-path", "to-file-number"),
        *("scenarios-number", "scenarios-empty", "load-empty", "format-list", "nul"),
    ],
)
def test_misused_calls_are_input_errors_not_attribute_errors(call, fragment):
    """Swapped or missing arguments had ended in AttributeError ('Scenario' object has no
    attribute 'pieces'); bytes were iterated as numbers; [] gave a result without columns."""
    baseline, scenario = modeller.load_baseline(), modeller.load_scenario("land-swap")
    with pytest.raises(modeller.InputError) as caught:  # the public name of InputError
        call(baseline, scenario)
    assert fragment in str(caught.value)


def test_a_home_folder_that_cannot_be_expanded_names_the_setting(monkeypatch):
    from modeller import settings

    monkeypatch.setenv("MODELLER_CACHE_DIR", "~no-such-user-here/cache")
    with pytest.raises(InputError, match="MODELLER_CACHE_DIR=.*cannot expand '~'"):
        settings.cache_dir()


NO_HOME = "~no-such-user-here"


@pytest.mark.parametrize(
    "call",
    [
        lambda: modeller.run("land-swap", population=f"{NO_HOME}/data"),
        lambda: modeller.load_baseline("1991", units=f"{NO_HOME}/u.geojson"),
        lambda: modeller.run(["land-swap"], "1991").to_file(f"{NO_HOME}/x.geojson"),
        lambda: modeller.load_scenario(f"{NO_HOME}/s.yaml"),
    ],
    ids=["population", "units", "to-file", "scenario"],
)
def test_a_path_from_no_ones_home_is_an_input_error(call):
    """'~someone' with no such user had raised pathlib's bare RuntimeError ("Could not
    determine home directory") from population=, units= and to_file."""
    with pytest.raises(InputError, match="cannot expand '~'"):
        call()


@pytest.mark.parametrize(
    "option",
    [
        ["--population", f"{NO_HOME}/d"],
        ["--units", f"{NO_HOME}/u.geojson"],
        ["--format", "json", "-O", f"{NO_HOME}/x.json"],
        ["-b", f"{NO_HOME}/x.geojson"],
    ],
    ids=["population", "units", "output", "baseline"],
)
def test_the_command_line_says_which_path_cannot_be_expanded(option, tmp_path, monkeypatch):
    """The same on the command line: a traceback for --population, 'MODELLER_UNITS=…'
    (never set) for --units, and a folder named '~no-such-user-here' made here for -O."""
    from click.testing import CliRunner

    from modeller.cli import main

    monkeypatch.chdir(tmp_path)
    said = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", *option])
    assert said.exit_code == 2, said.output
    assert "cannot expand '~'" in said.output and "Traceback" not in said.output
    assert "MODELLER_UNITS" not in said.output
    assert not list(tmp_path.iterdir())


def test_empty_tables_keep_their_columns():
    """A scenario that moves nothing, or towns=0, gave frames without columns: the worked
    example's groupby raised KeyError."""
    full = modeller.run(["land-swap"], "1991")
    frozen = modeller.run(["freeze-current-lines"])
    assert frozen.transfers.empty and list(frozen.transfers.columns) == list(full.transfers.columns)
    moved = frozen.transfers.groupby(["oblast_name", "from", "to"])[["km2", "people"]].sum()
    assert moved.empty
    no_towns = modeller.run(["land-swap"], "1991", towns=0)
    assert no_towns.towns.empty and list(no_towns.towns.columns) == list(full.towns.columns)
    assert not no_towns.held.empty


def test_each_tables_rows_name_their_baseline_and_its_date(shared_data):
    """With deepstate:own each scenario runs on its own map: the held, transfers and towns
    tables had no baseline column (the CSV has), so rows from two maps looked alike."""
    result = modeller.run(["land-swap", "ukraine-1991-borders"], "deepstate:own")
    by_id = {e.id: e.baseline for e in result.document.scenarios}
    assert len({b.date for b in by_id.values()}) == 2  # two maps
    for table in (result.held, result.transfers, result.towns):
        assert list(table.columns[:3]) == ["scenario", "baseline", "baseline_date"]
        for sid, name, day in table[["scenario", "baseline", "baseline_date"]].itertuples(
            index=False
        ):
            assert (name, day) == (by_id[sid].name, by_id[sid].date)
    assert result.transfers["km2"].sum() == pytest.approx(
        sum(t.km2 for e in result.document.scenarios for t in e.transfers)
    )


def test_to_file_writes_the_runs_figures_whatever_was_done_to_pieces(tmp_path):
    """to_file wrote the cached ``pieces`` frame: after ``pieces.to_crs(3857, inplace=True)``
    the GeoJSON held metres under an EPSG:4326 label, and rounded km² as exact."""
    import geopandas

    result = modeller.run(["land-swap"], "1991")
    exact = result.pieces.copy()
    result.pieces.to_crs(3857, inplace=True)
    result.pieces["km2"] = result.pieces["km2"].round(-3)
    back = geopandas.read_file(result.to_file(tmp_path / "swap.geojson"))
    assert back.crs.to_epsg() == 4326
    assert back.total_bounds[0] > 20 and back.total_bounds[2] < 41  # degrees, not metres
    assert back["km2"].tolist() == pytest.approx(exact["km2"].tolist(), rel=1e-9)


def test_timeline_errors_name_arguments_and_objects_have_no_file():
    """The API said 'bad --every', and recorded a made-up file ('land-swap') for a
    Scenario object."""
    with pytest.raises(InputError) as bad:
        modeller.timeline(["land-swap"], "contact-line", every="0d", workers=1)
    assert "bad every '0d'" in bad.value.message and "--" not in bad.value.message
    sc = modeller.load_scenario("land-swap")
    frame = modeller.timeline([sc], "contact-line", workers=1)
    assert frame.attrs["scenarios"][0]["file"] is None
    by_id = modeller.timeline(["land-swap"], "contact-line", workers=1)
    assert by_id.attrs["scenarios"][0]["file"].endswith("land-swap.yaml")
    # a named baseline in any letter case, as run reads it (it was 'unknown baseline')
    upper = modeller.timeline(["land-swap"], "CONTACT-LINE, Pre-2022", workers=1)
    assert sorted(upper["date"].astype(str).unique()) == ["2022-02-23", "2025-08-15"]


def test_a_baseline_file_may_be_given_as_a_path(tmp_path):
    import json

    box = [[37.0, 47.5], [38.0, 47.5], [38.0, 48.5], [37.0, 48.5], [37.0, 47.5]]
    path = tmp_path / "held.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [box]}), encoding="utf-8")
    as_path = modeller.run("full-donbas-withdrawal", baseline=path)
    as_text = modeller.run("full-donbas-withdrawal", baseline=str(path))
    assert as_path.document.model_dump(exclude={"generated"}) == as_text.document.model_dump(
        exclude={"generated"}
    )


def test_a_loaded_baseline_given_to_run_gives_the_figures_its_spec_gives():
    base = modeller.load_baseline("1991")
    given = modeller.run("land-swap", baseline=base)
    named = modeller.run("land-swap", baseline="1991")
    assert given.document.model_dump(exclude={"generated"}) == named.document.model_dump(
        exclude={"generated"}
    )
    assert given.held.loc[given.held.status == "ukraine", "change_km2"].item() < -1000


def test_an_applied_partition_given_to_run_says_to_run_the_scenario_on_its_baseline():
    base = modeller.load_baseline("1991")
    after = modeller.apply(base, modeller.load_scenario("land-swap"))
    with pytest.raises(InputError, match=r"land-swap applied.*load_baseline") as caught:
        modeller.run("land-swap", baseline=after)
    assert len(str(caught.value)) < 300  # not the partition's whole repr


def test_apply_takes_a_baseline_not_an_applied_partition():
    """A scenario applied on an applied partition had read its held_by steps on the first
    one's baseline: 1991 borders after land-swap left 6,735 km² Russian, under a label that
    named the 1991 borders alone. apply refuses it, as run does."""
    base = modeller.load_baseline("contact-line")
    after = modeller.apply(base, modeller.load_scenario("land-swap"))
    with pytest.raises(InputError, match=r"land-swap applied.*apply takes a baseline") as said:
        modeller.apply(after, modeller.load_scenario("ukraine-1991-borders"))
    assert "phases of one scenario" in str(said.value)
    assert (
        modeller.apply(base, modeller.load_scenario("ukraine-1991-borders")).held("russia").is_empty
    )


def test_held_refuses_a_status_or_when_it_cannot_hold_and_takes_oblast_names():
    """held('Russia') or held('russia', oblast='Donetsk') had given an empty shape, 0 km²
    without a word, and held(when='baseline') a bare AttributeError. A status the
    partition cannot hold and a bad when are errors; an oblast is named as in scenarios."""
    after = modeller.apply(modeller.load_baseline("1991"), modeller.load_scenario("land-swap"))
    by_code = after.held("russia", oblast="UA-14")
    assert by_code.area > 1e10  # (m²: land-swap cedes Donetsk's 26,600 km²)
    assert after.held("russia", oblast="Donetsk").equals(by_code)
    assert len(after.oblast_pieces("Donetsk")) == len(after.oblast_pieces("UA-14")) > 0
    for status in ("Russia", "russia ", None, 1):
        with pytest.raises(InputError, match=r"no status .* valid: contested, russia, ukraine"):
            after.held(status)
    with pytest.raises(InputError, match=r"when='baseline': valid: 'before' .* or 'after'"):
        after.held("russia", when="baseline")
    with pytest.raises(InputError, match=r"unknown oblast 'Donetskk' — did you mean 'Donetsk'"):
        after.held("russia", oblast="Donetskk")
    with pytest.raises(InputError, match=r"unknown oblast '14'"):
        after.oblast_pieces(14)
    with pytest.raises(InputError, match=r"'Kyiv' could be Kyiv oblast .* or Kyiv city"):
        after.held("ukraine", oblast="Kyiv", when="before")  # (scenarios refuse it too)
    # a status the scenario defines, holding land or not, is not refused
    dmz = modeller.apply(
        modeller.load_baseline("contact-line"), modeller.load_scenario("plan-28-points-2025-11")
    )
    assert not dmz.held("dmz").is_empty
    assert modeller.load_baseline("1991").held("russia", when="before").is_empty


def test_an_applied_partition_with_a_zone_is_refused_as_applied():
    """Applying a scenario with a demilitarised zone to a partition it was applied to
    said 'a piece of the baseline has status dmz', which misses the point: it was
    applied already, as with any other scenario."""
    sc = modeller.load_scenario("plan-28-points-2025-11")
    after = modeller.apply(modeller.load_baseline("contact-line"), sc)
    for call in (lambda: modeller.apply(after, sc), lambda: modeller.run(sc, baseline=after)):
        with pytest.raises(InputError, match=r"has plan-28-points-2025-11 applied \(from apply\)"):
            call()


def test_results_and_partitions_show_as_one_line_in_a_notebook():
    result = modeller.run(["land-swap", "freeze-current-lines"])
    shown = repr(result)
    assert "\n" not in shown and len(shown) < 300, shown
    assert "land-swap" in shown and "freeze-current-lines" in shown
    assert "contact-line (2025-08-15)" in shown
    after = result.partitions[0]
    assert repr(after).startswith("<Partition: contact-line (2025-08-15) + ")
    assert f"{len(after.pieces)} pieces" in repr(after) and len(repr(after)) < 200
    # a Result holds lists: unhashable, and says so by its own name (not "type: 'list'")
    with pytest.raises(TypeError, match="unhashable type: 'Result'"):
        hash(result)


def test_to_file_expands_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    written = modeller.run("land-swap", baseline="1991").to_file("~/pieces.geojson")
    assert written == tmp_path / "pieces.geojson" and written.is_file()
    assert not (tmp_path / "~").exists()


def test_scenarios_and_baselines_read_from_the_home_folder(tmp_path, monkeypatch):
    """'~/mine.yaml' had been "no such file or folder, nor a shipped scenario id" (and
    '~/held.geojson' "not found") while to_file, units and population read '~'."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(REPO)  # (not the home folder: '~' must be what finds them)
    text = (REPO / "scenarios" / "land-swap.yaml").read_text(encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "mine.yaml").write_text(text.replace("id: land-swap", "id: mine"))
    held = {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[37.5, 47.9], [38.0, 47.9], [38.0, 48.2], [37.5, 48.2], [37.5, 47.9]]],
        },
    }
    (tmp_path / "held.geojson").write_text(json.dumps(held), encoding="utf-8")
    assert modeller.load_scenario("~/mine/mine.yaml").id == "mine"
    assert [sc.id for sc in modeller.scenarios("~/mine")] == ["mine"]
    base = modeller.load_baseline("~/held.geojson")
    from pyproj import Geod
    from shapely.geometry import shape

    box_km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(shape(held["geometry"]))[0]) / 1e6
    russia = [
        km2 for p, km2 in zip(base.pieces, base.areas_km2, strict=True) if p.before == "russia"
    ]
    assert sum(russia) == pytest.approx(box_km2, rel=1e-3)
    result = modeller.run(["~/mine/mine.yaml"], baseline="~/held.geojson")
    assert result.document.scenarios[0].id == "mine"


def test_to_file_takes_any_path_object_and_a_format_in_capitals(tmp_path):
    """A PurePosixPath was refused as no file name, and format="GeoJSON" as unknown (though
    the ending .GeoJSON was read)."""
    from pathlib import PurePosixPath

    result = modeller.run("land-swap", baseline="1991")
    written = result.to_file(PurePosixPath(tmp_path) / "a.geojson")
    assert written == tmp_path / "a.geojson" and written.is_file()
    written = result.to_file(tmp_path / "b.data", format=" GeoJSON")
    assert written.read_text("utf-8").startswith('{"type": "FeatureCollection"')


def test_to_file_says_what_is_in_the_way_and_long_names_are_input_errors(tmp_path):
    """A file where a folder was needed had said only "File exists: 'afile'" (as if the
    file itself were the trouble); a units name too long to look up was a raw OSError."""
    result = modeller.run("land-swap", baseline="1991")
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="a file is in the way where a folder is needed"):
        result.to_file(tmp_path / "afile" / "x.geojson")
    with pytest.raises(NotADirectoryError, match="a part of the path is a file, not a folder"):
        result.to_file(tmp_path / "afile" / "deeper" / "x.geojson")
    with pytest.raises(OSError, match="longer than the file system allows") as caught:
        result.to_file(tmp_path / ("a" * 300 + ".geojson"))
    assert caught.value.errno == errno.ENAMETOOLONG
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing left behind
    with pytest.raises(InputError, match="cannot read units file: File name too long"):
        modeller.load_baseline("1991", units="a" * 300 + ".geojson")
    with pytest.raises(InputError, match="cannot hold a NUL character"):
        modeller.load_baseline("1991", units="a\0b.geojson")


def test_run_places_people_from_modeller_population_as_the_command_line_does(
    hromada_dir, monkeypatch
):
    """``MODELLER_POPULATION`` (or ``population=``) gives the API the command line's
    people; ``population="embedded"`` the unit totals whatever the environment says."""
    import json

    from click.testing import CliRunner

    from modeller import population
    from modeller.cli import main

    def people(doc: dict) -> dict:
        return {s["status"]: s["baseline_people"] for s in doc["scenarios"][0]["statuses"]}

    def api(**kw) -> dict:
        return json.loads(modeller.run(["land-swap"], **kw).to_json())

    monkeypatch.setenv("MODELLER_POPULATION", str(hromada_dir))
    try:
        cli = CliRunner().invoke(main, ["run", "land-swap", "-f", "json", "--no-maps"])
        assert cli.exit_code == 0, cli.output
        from_env = api()
        assert people(from_env) == pytest.approx(people(json.loads(cli.stdout)), rel=1e-12)
        assert "hromada totals" in from_env["scenarios"][0]["population"]["source"]
        embedded = api(population="embedded")
        assert "hromada" not in embedded["scenarios"][0]["population"]["source"]
        # the method names the sensitivities the range is taken over, and only those
        assert "another population source: unit totals" in from_env["method"]
        assert "another population source" not in embedded["method"]
        assert "footprint size halved or doubled" in embedded["method"]
        assert people(embedded)["russia"] != pytest.approx(people(from_env)["russia"], rel=1e-4)
        monkeypatch.delenv("MODELLER_POPULATION")
        given = api(population=Path(hromada_dir))
        assert people(given) == pytest.approx(people(from_env), rel=1e-12)
        assert people(api()) == people(embedded)
        with pytest.raises(InputError, match="population must be a folder .* got int"):
            modeller.run(["land-swap"], population=3)
        with pytest.raises(
            InputError, match="nowhere: no such folder; population needs a folder with"
        ):
            modeller.run(["land-swap"], population=str(hromada_dir / "nowhere"))
    finally:
        population.use(None)


def test_calls_from_threads_each_keep_their_own_population(hromada_dir, shared_data):
    """The population a call sets is the process's: two threads asking for different
    ones got each other's people (and named the other's source), silently."""
    import json
    import threading

    from modeller import population

    def russia(pop) -> tuple[float, str]:
        doc = json.loads(modeller.run(["land-swap"], baseline=day, population=pop).to_json())
        entry = doc["scenarios"][0]
        held = {s["status"]: s["baseline_people"] for s in entry["statuses"]}
        return held["russia"], entry["population"]["source"]

    day = "deepstate:2025-07-03"  # (a day to read: the calls overlap while it is read)
    asked = ["embedded", str(hromada_dir)] * 3
    try:
        alone = {pop: russia(pop) for pop in set(asked)}
        assert alone["embedded"][0] != pytest.approx(alone[str(hromada_dir)][0], rel=1e-4)
        got: dict[int, tuple] = {}
        threads = [
            threading.Thread(target=lambda i=i, pop=pop: got.update({i: russia(pop)}))
            for i, pop in enumerate(asked)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert [got.get(i) for i in range(len(asked))] == [alone[pop] for pop in asked]
    finally:
        population.use(None)


def test_a_population_folder_saved_over_between_calls_is_read_again(hromada_dir, tmp_path):
    """The model is kept between API calls for the same files; a table saved over since
    must be read again, not served from the caches kept by the folder's name."""
    import shutil

    from modeller import hromada_files, population

    for name in (hromada_files.GEOMETRY, hromada_files.POPULATION):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(hromada_dir / name, tmp_path / name)
    table = tmp_path / hromada_files.POPULATION
    try:
        before = modeller.run(["land-swap"], population=tmp_path).held
        rows = table.read_text(encoding="utf-8").splitlines()
        at = next(i for i, r in enumerate(rows) if r.startswith("UA14120090000098500"))
        cells = rows[at].split(",")  # Kramatorsk, which land-swap moves to Russia
        cells[2] = str(int(cells[2]) + 20_000)
        rows[at] = ",".join(cells)
        table.write_text("\n".join(rows) + "\n", encoding="utf-8")
        after = modeller.run(["land-swap"], population=tmp_path).held
        russia = lambda held: float(held[held["status"] == "russia"]["people"].sum())  # noqa: E731
        assert russia(after) - russia(before) == pytest.approx(20_000, rel=0.02)
    finally:
        population.use(None)


def test_modeller_timeline_stays_the_api_function_after_it_has_run():
    """The timeline's internal module was also called ``timeline``: once the function had
    run, ``modeller.timeline`` was that module (made callable), so help() and a notebook's
    ``?`` showed the module's text and a signature of (*args, **kwargs)."""
    import inspect

    import modeller

    before = inspect.signature(modeller.timeline)
    modeller.timeline(["land-swap"], "contact-line", workers=1)
    assert inspect.isfunction(modeller.timeline)
    assert inspect.signature(modeller.timeline) == before
    assert "baselines" in before.parameters and "workers" in before.parameters
    assert modeller.timeline.__doc__.startswith("Every scenario on every dated baseline")


def test_timeline_gives_the_recognition_rows_the_csv_has(shared_data, tmp_path):
    """The CSV's 'attrs' rows (de facto / de jure km² and people) were not in the frame at
    all, though its docstring said it held timeline.csv's columns."""
    import csv

    from click.testing import CliRunner

    from modeller.cli import main

    day = "deepstate:2025-01-05"
    marks = modeller.timeline("us-framework-2025-04", day, workers=1, recognition=True)
    assert list(marks.columns) == [
        *("date", "scenario", "oblast", "oblast_name", "status", "attrs", "km2", "people")
    ]
    assert len(marks) and set(marks["attrs"]) <= {"recognition=de_facto", "recognition=de_jure"}
    args = ["timeline", "us-framework-2025-04", "--baselines", day, "-o", str(tmp_path)]
    assert CliRunner().invoke(main, args).exit_code == 0
    with open(tmp_path / "timeline.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
    written = {
        (r["oblast"], r["status"], r["attrs"]): float(r["km2"])
        for r in rows
        if r["table"] == "attrs"
    }
    got = {(r.oblast, r.status, r.attrs): r.km2 for r in marks.itertuples()}
    assert got.keys() == written.keys()
    assert all(got[k] == pytest.approx(written[k], abs=0.01) for k in got)
    with pytest.raises(InputError, match="recognition must be True or False"):
        modeller.timeline("us-framework-2025-04", day, recognition="yes")


@pytest.mark.parametrize("name", ["MODELLER_CACHE_DIR", "MODELLER_DATA_DIR"])
def test_a_folder_setting_of_spaces_only_is_refused(monkeypatch, tmp_path, name):
    """MODELLER_CACHE_DIR=" " had made a folder named ' ' in the current folder and put
    13 MB of cache in it."""
    from click.testing import CliRunner

    from modeller.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, "  ")
    result = CliRunner().invoke(
        main, ["run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-01"]
    )
    assert result.exit_code == 2, result.output
    assert f"{name} is set but blank ('  '): give a path, or unset it" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_file_named_twice_runs_once_as_on_the_command_line(tmp_path):
    """modeller.run(['land-swap', 'land-swap']) raised 'duplicate scenario id' naming the
    same file twice, where `modeller run land-swap land-swap` runs it once; two files of
    one id are still refused."""
    twice = modeller.run(["land-swap", "land-swap"], "1991")
    assert [e.id for e in twice.document.scenarios] == ["land-swap"]
    copy = tmp_path / "copy.yaml"
    copy.write_text((REPO / "scenarios" / "land-swap.yaml").read_text(encoding="utf-8"))
    with pytest.raises(InputError, match="duplicate scenario id 'land-swap'"):
        modeller.run(["land-swap", str(copy)], "1991")


def test_a_partition_with_an_odd_status_or_baseline_field_is_refused():
    """A piece's status written 'Russia ' had become a third status (Donetsk's ceded land
    vanished from the transfers); a date written as text had crashed the report."""
    from dataclasses import replace

    base = modeller.load_baseline()
    assert base.pieces[0].before != "russia"  # (odd[0] below is that piece unchanged)
    odd = tuple(
        replace(p, before="Russia ", after="Russia ") if p.before == "russia" else p
        for p in base.pieces
    )
    sc = modeller.load_scenario("land-swap")
    for changed, said in [
        (replace(base, pieces=odd), "status 'Russia ' (did you mean 'russia', in lower case"),
        (
            replace(base, baseline=replace(base.baseline, date="2025-01-01")),
            "date must be a datetime.date or None, got str '2025-01-01'",
        ),
        (replace(base, baseline=replace(base.baseline, name=None)), "name must be text"),
        # these had passed the checks, then crashed the report (ValueError, a pydantic
        # ValidationError) or, a string of warnings, been told a character to a warning
        (replace(base, warnings="check the bank"), ".warnings must be a tuple of text"),
        (
            replace(base, baseline=replace(base.baseline, reconciled="x")),
            "reconciled must be a tuple of (unit code, km²) pairs or None, got 'x'",
        ),
        (replace(base, baseline=replace(base.baseline, grey_zone=5)), "grey_zone must be text"),
        (
            replace(base, pieces=(replace(odd[0], attrs=(("recognition",),)), *base.pieces[1:])),
            "attrs (('recognition',),): they must be a tuple of (name, text) pairs",
        ),
    ]:
        with pytest.raises(InputError, match=re.escape(said)):
            modeller.run(["land-swap"], baseline=changed)
        with pytest.raises(InputError, match=re.escape(said)):
            modeller.apply(changed, sc)


def test_a_partition_with_pieces_in_the_wrong_unit_or_changes_applied_is_refused():
    """run(baseline=...) took pieces renamed to another unit (Donetsk's Russian-held land
    counted as Kyiv's, 4 million people placed on the rest) and a partition with changes
    already applied (counted as the new scenario's own: the freeze ceded 6,735 km²)."""
    from dataclasses import replace

    base = modeller.load_baseline()
    moved = tuple(
        replace(p, oblast="UA-32") if p.oblast == "UA-14" and p.before == "russia" else p
        for p in base.pieces
    )
    with pytest.raises(InputError, match=r"pieces of Donetsk \(UA-14\) add up to"):
        modeller.run("land-swap", baseline=replace(base, pieces=moved))
    with pytest.raises(InputError, match=r"pieces of Donetsk \(UA-14\) add up to"):
        modeller.apply(replace(base, pieces=moved), modeller.load_scenario("land-swap"))
    applied = modeller.apply(base, modeller.load_scenario("full-donbas-withdrawal"))
    with pytest.raises(InputError, match="land changing hands"):
        modeller.run("freeze-current-lines", baseline=replace(applied, scenario=None))


def test_an_empty_timeline_frame_has_the_column_types_of_a_full_one(shared_data):
    """land-swap sets no recognition: its recognition frame had object columns (km2 summed
    to the int 0, and a concat with a full frame gave object columns)."""
    import pandas as pd

    day = "deepstate:2025-07-01"
    empty = modeller.timeline("land-swap", day, recognition=True)
    full = modeller.timeline("us-framework-2025-04", day, recognition=True)
    assert empty.empty and not full.empty
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
    assert isinstance(empty.km2.sum(), float)
    assert pd.concat([empty, full]).dtypes.to_dict() == full.dtypes.to_dict()


@pytest.fixture(scope="module")
def land_swap():
    return modeller.run("land-swap")


@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_geodata_goes_to_a_file_whose_name_is_not_utf8(tmp_path, land_swap, fmt):
    """GDAL and Arrow take UTF-8 names only: 'caf\\xe9.gpkg' (bytes a shell may pass) had
    crashed both writers with a UnicodeEncodeError traceback; GeoJSON had been fine."""
    import geopandas as gpd

    name = os.fsdecode(b"caf\xe9." + fmt.encode())
    land_swap.to_file(tmp_path / name)
    assert os.listdir(tmp_path) == [name]  # no temporary left beside it
    (tmp_path / name).rename(tmp_path / f"plain.{fmt}")  # (readers take UTF-8 names only)
    read = gpd.read_parquet if fmt == "parquet" else gpd.read_file
    assert len(read(tmp_path / f"plain.{fmt}")) == len(land_swap.pieces)


def test_geodata_into_a_folder_whose_name_is_not_utf8_is_refused_with_the_way_out(
    tmp_path, land_swap
):
    folder = tmp_path / os.fsdecode(b"d\xe9")
    folder.mkdir()
    with pytest.raises(InputError, match="not UTF-8 text.*another folder, or as GeoJSON"):
        land_swap.to_file(folder / "x.gpkg")
    assert os.listdir(folder) == []
    land_swap.to_file(folder / "x.geojson")  # the way out works
    assert os.listdir(folder) == ["x.geojson"]


@pytest.mark.parametrize("fmt", ["json", "gpkg", "parquet"])
def test_a_file_written_again_keeps_its_permissions(tmp_path, land_swap, fmt):
    """The atomic write had given a 0600 export 0644 (readable by everyone); open() keeps
    an existing file's mode, and so does a write through a temporary now (GDAL creates
    its GeoPackage anew: it had still become 0644)."""
    kept, new = tmp_path / f"kept.{fmt}", tmp_path / f"new.{fmt}"
    land_swap.to_file(kept)
    before = kept.stat().st_mtime_ns
    kept.chmod(0o600)
    land_swap.to_file(kept)
    land_swap.to_file(new)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.stat().st_mtime_ns >= before  # (written again, not left as it was)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask


def test_a_baseline_name_too_long_for_a_file_is_an_unknown_baseline():
    """Path.is_dir raised 'File name too long' (OSError: status 1, 'cannot write') for a
    name of 256 characters with no file suffix."""
    with pytest.raises(InputError, match="unknown baseline 'zzz"):
        modeller.load_baseline("z" * 300)


def test_the_grey_zone_and_reconciliation_are_arguments_as_on_the_command_line(
    shared_data, monkeypatch
):
    """--contested and --no-reconcile had been reachable from Python only through
    environment variables README never named: they are run's (and load_baseline's,
    timeline's) arguments, in force for that call only."""
    monkeypatch.delenv("MODELLER_CONTESTED", raising=False)
    monkeypatch.delenv("MODELLER_RECONCILE", raising=False)
    raw = str(shared_data / "deepstate" / "raw" / "deepstate_raw_20250803T195825Z.geojson")

    def held(**options) -> dict:
        frame = modeller.run("land-swap", raw, **options).held
        return frame.groupby("status")["baseline_km2"].sum().round(1).to_dict()

    def cli(*flags: str) -> dict:
        out = subprocess.run(
            [sys.executable, "-m", "modeller", "run", "land-swap", "-b", raw, "-f", "json"]
            + list(flags),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows = json.loads(out)["scenarios"][0]["statuses"]
        return {r["status"]: round(r["baseline_km2"], 1) for r in rows if r["baseline_km2"]}

    plain = held()
    assert "contested" in plain
    russia = held(contested="russia")
    assert "contested" not in russia and russia["russia"] > plain["russia"]
    assert russia == cli("--contested", "russia")
    assert held(reconcile=False) == cli("--no-reconcile") != plain
    assert held() == plain  # the next call is as the environment says again
    assert "MODELLER_CONTESTED" not in os.environ and "MODELLER_RECONCILE" not in os.environ
    baseline = modeller.load_baseline(raw, contested="ukraine")
    assert "contested" not in {p.after for p in baseline.pieces}
    assert "contested" in {p.after for p in modeller.load_baseline(raw).pieces}
    for bad in ({"contested": "grey"}, {"contested": 1}, {"reconcile": "no"}):
        with pytest.raises(InputError, match="contested must be one of|reconcile must be"):
            modeller.run("land-swap", raw, **bad)


def test_held_takes_one_oblast_and_says_so_for_a_list():
    """held(oblast=['UA-14', 'UA-09']) had said "unknown oblast '['UA-14', 'UA-09']'"."""
    base = modeller.load_baseline()
    with pytest.raises(InputError, match="takes one oblast.*call once for each"):
        base.held("russia", oblast=["UA-14", "UA-09"])
    with pytest.raises(InputError, match="takes one oblast.*got tuple"):
        base.oblast_pieces(("UA-14",))


def test_input_errors_hash_and_compare_as_exceptions_do():
    """A dataclass with eq=True had made InputError unhashable (a set of errors, or a
    logging handler keeping them, raised TypeError)."""
    a, b = InputError("same"), InputError("same")
    assert len({a, b}) == 2 and a != b and a == a


def test_run_warns_of_what_the_command_line_would_print(tmp_path):
    """A step that selects nothing to change had been silent in Python (only in
    ``document.scenarios[i].warnings``): run gives it to the warnings module, pointing at
    the caller's line, as the command line prints it."""
    path = tmp_path / "noop.yaml"
    path.write_text(
        "id: noop\ntitle: Nothing moves\nsteps:\n"
        "  - assign: russia\n    where: {held_by: russia}\n",
        encoding="utf-8",
    )
    with pytest.warns(modeller.ScenarioWarning, match="noop: step 1 changes nothing") as seen:
        result = modeller.run([path])
    assert seen[0].filename == __file__
    assert result.document.scenarios[0].warnings  # (and still in the document)


def test_a_geoparquet_baseline_is_said_to_be_written_not_read(tmp_path):
    """run(baseline='pieces.parquet') had said "unknown baseline" of a file it writes."""
    with pytest.raises(InputError, match="GeoParquet is written .* but not read as a baseline"):
        modeller.load_baseline(str(tmp_path / "pieces.parquet"))


def test_a_result_built_by_hand_is_checked_as_run_builds_one():
    """Result(doc, partitions[:1]) had failed later in .pieces (ValueError), and
    Result(None, ()) in its own repr (AttributeError)."""
    from modeller.results import Result

    ran = modeller.run(["land-swap", "freeze-current-lines"])
    with pytest.raises(InputError, match="1 partitions for 2 scenarios"):
        Result(ran.document, ran.partitions[:1])
    with pytest.raises(InputError, match="document must be a RunDocument"):
        Result(None, ())
    with pytest.raises(InputError, match="tuple of Partition"):
        Result(ran.document, (1, 2))
    again = Result(ran.document, list(ran.partitions), ran.notes)
    assert again == ran and len(again.pieces) == len(ran.pieces)


def test_a_run_document_read_back_holds_finite_figures_only():
    """A document read from JSON with 'people': 1e999 or 'km2': NaN was taken: its GeoJSON
    then held a bare Infinity and its to_json() a NaN, neither of them JSON (and NaN
    passed the check that the pieces add up, as every comparison with NaN is false)."""
    import json

    import pydantic

    from modeller.document import RunDocument

    ran = modeller.run(["land-swap"], "1991")
    data = json.loads(ran.to_json())
    back = RunDocument.model_validate_json(json.dumps(data))  # (figures to fixed decimals)
    assert back.scenarios[0].id == "land-swap"
    for key, value in (("people", float("inf")), ("km2", float("nan"))):
        bad = json.loads(ran.to_json())
        bad["scenarios"][0]["pieces"][1][key] = value
        with pytest.raises(pydantic.ValidationError, match="finite number"):
            RunDocument.model_validate_json(json.dumps(bad))


def test_geodata_onto_a_loop_of_links_is_said_to_be_one(tmp_path, land_swap):
    """to_file('loop.gpkg') (a link to itself) had raised a bare RuntimeError from the
    check of the folder's name; GeoJSON had said it was a loop of links."""
    loop = tmp_path / "loop.gpkg"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="loop of symbolic links"):
        land_swap.to_file(loop)


def test_timeline_takes_a_list_of_baselines_and_numpy_truth_values():
    """A list of specs was refused ('baselines must be a spec such as 'deepstate:..'')
    although --baselines takes several; np.bool_ (a DataFrame column's value) was refused
    for recognition and reconcile, while np.int64 is taken for workers."""
    import numpy as np

    listed = modeller.timeline(["land-swap"], ["contact-line", "pre-2022"])
    joined = modeller.timeline(["land-swap"], "contact-line,pre-2022")
    assert sorted(listed["date"].unique()) == sorted(joined["date"].unique())
    assert len(listed["date"].unique()) == 2
    assert listed["km2"].sum() == pytest.approx(joined["km2"].sum(), rel=1e-12)
    made = modeller.timeline(["land-swap"], (b for b in ["contact-line", "pre-2022"]))
    assert made["km2"].sum() == pytest.approx(listed["km2"].sum(), rel=1e-12)  # (a generator)
    rows = modeller.timeline(["land-swap"], ("contact-line",), recognition=np.False_)
    assert rows["km2"].sum() == pytest.approx(
        listed[listed["date"] == rows["date"].iloc[0]]["km2"].sum(), rel=1e-12
    )
    ran = modeller.run(["land-swap"], baseline="contact-line", reconcile=np.bool_(False))
    assert ran.document.scenarios
    with pytest.raises(InputError, match="unknown baseline '1' in baselines; valid: deepstate"):
        modeller.timeline(["land-swap"], [1, 2])  # (whole numbers are specs, as 1991 is)
    for bad in ([], ["contact-line", None]):
        with pytest.raises(InputError, match="baselines must be a spec .* or a list of specs"):
            modeller.timeline(["land-swap"], bad)
    with pytest.raises(InputError, match="recognition must be True or False, got 1"):
        modeller.timeline(["land-swap"], "contact-line", recognition=1)


def test_timeline_takes_a_baseline_as_a_path_or_1991_as_run_does(tmp_path):
    """run and load_baseline took a Path and 1991; the timeline refused both ("baselines
    must be a spec"), though it took the same file as text."""
    ring = [[37.6, 48.0], [37.9, 48.0], [37.9, 48.2], [37.6, 48.2], [37.6, 48.0]]
    polygon = {"type": "Polygon", "coordinates": [ring]}
    feature = {"type": "Feature", "properties": {}, "geometry": polygon}
    doc = {"type": "FeatureCollection", "date": "2025-08-15", "features": [feature]}
    path = tmp_path / "held.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    by_path = modeller.timeline(["land-swap"], path)
    assert len(by_path) and by_path.equals(modeller.timeline(["land-swap"], str(path)))
    assert modeller.timeline(["land-swap"], 1991).equals(modeller.timeline(["land-swap"], "1991"))
    both = modeller.timeline(["land-swap"], [path, 1991])
    assert sorted({str(d)[:10] for d in both["date"]}) == ["1991-12-01", "2025-08-15"]
    with pytest.raises(InputError, match="baselines must be a spec"):
        modeller.timeline(["land-swap"], 3.5)
