"""Every bad input: one clear message with file:line, the bad value, the valid choices, exit 2."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from click.testing import CliRunner

from modeller.cli import main


def run_cli(*args):
    result = CliRunner().invoke(main, [*args])
    return result


def write(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


GOOD_HEAD = "id: probe\ntitle: Probe\n"


@pytest.mark.parametrize(
    "body, line, expected",
    [
        (
            "steps:\n  - assign: russia\n    where: {oblast: [Donetske, Luhansk]}\n",
            5,
            "unknown oblast 'Donetske' — did you mean 'Donetsk' (UA-14)?",
        ),
        (  # one value where a list may be given: no item number in the path
            "steps:\n  - assign: russia\n    where: {oblast: Donetske}\n",
            5,
            "did you mean 'Donetsk' (UA-14)? (at steps.1.where.oblast)",
        ),
        (  # the second item of a list
            "steps:\n  - assign: russia\n    where: {oblast: [Kharkiv, Donetske]}\n",
            5,
            "(at steps.1.where.oblast.2)",
        ),
        (
            "steps:\n  - assign: russia\n    wher: {oblast: Donetsk}\n",
            5,
            "unknown key 'wher' (at steps.1.wher) — did you mean 'where'?; "
            "valid keys here: assign, where, recognition, note",
        ),
        (
            "steps:\n  - assign: rusia\n    where: {oblast: Donetsk}\n",
            4,
            "unknown status 'rusia' in step 1 (did you mean 'russia'?); valid: ukraine, russia",
        ),
        (
            "steps:\n  - assign: russia\n    where:\n      oblast: Donetsk\n      colour: red\n",
            7,
            "unknown key 'colour'",
        ),
        ("steps:\n  - assign: russia\n    where: {}\n", 5, "empty selector; give at least one of"),
        (
            "steps:\n  - assign: russia\n    where:\n      split:\n        oblast: Donetsk\n"
            "        line: [Kramatorsk, Slovyanskk]\n        keep: Donetsk\n",
            8,
            "unknown place 'Slovyanskk' (GeoNames cities500) — did you mean",
        ),
        (  # an oblast as a mapping had been "unknown oblast '{'name': 'Donetsk'}'"
            "steps:\n  - assign: russia\n    where: {oblast: {name: Donetsk}}\n",
            5,
            "an oblast is named by its name or ISO code, got a mapping: e.g. oblast: Donetsk",
        ),
        (  # pydantic's own words had leaked: "Input should be a valid tuple (got 'Kherson')"
            "steps:\n  - assign: russia\n    where:\n      split:\n        oblast: Kherson\n"
            "        line: [{between: Kherson}, [33.5, 47.0]]\n        keep: Kherson\n",
            8,
            "between takes a list of two places (or [lon, lat] points), got 'Kherson': e.g. "
            "{between: [Tokmak, Polohy]}",
        ),
        (  # … and "Input should be a valid string (got 5)"
            "steps:\n  - assign: russia\n    where:\n      split:\n        oblast: Kherson\n"
            "        line: [{between: [Kherson, 5]}, [33.5, 47.0]]\n        keep: Kherson\n",
            8,
            "between takes two places (names or [lon, lat] points); 5 is neither",
        ),
        (  # Python's own words had leaked: "('int' object is not subscriptable)"
            "steps:\n  - assign: russia\n    where:\n"
            "      polygon: {geojson: {type: Polygon, coordinates: 5}}\n",
            5,
            "Polygon coordinates must be rings of [lon, lat]; got a number",
        ),
        (  # … and "('coordinates')", a KeyError
            "steps:\n  - assign: russia\n    where:\n      polygon: {geojson: {type: Polygon}}\n",
            5,
            "the Polygon has no 'coordinates'; give them, e.g. {type: Polygon, coordinates:",
        ),
        (  # a place in Russia: what would be valid (it had stopped at 'unknown place')
            "steps:\n  - assign: russia\n    where: {near: {place: Belgorod, km: 5}}\n",
            5,
            "unknown place 'Belgorod' (GeoNames cities500); GeoNames cities500 lists the places "
            "of Ukraine of 500 people or more: give a smaller place, or one outside Ukraine, as "
            "[lon, lat]",
        ),
        (
            "reported:\n  - source: FT\n    date: 2025-13-01\n",
            5,
            "date '2025-13-01' is not a calendar date",
        ),
        (  # a capital letter: said as the baseline files say it
            "steps:\n  - assign: Russia\n    where: {oblast: Donetsk, held_by: russia}\n",
            4,
            "unknown status 'Russia' in step 1 (did you mean 'russia', in lower case?); valid:",
        ),
        (  # a trailing space: already lower case
            "steps:\n  - assign: 'russia '\n    where: {oblast: Donetsk}\n",
            4,
            "unknown status 'russia ' in step 1 (did you mean 'russia', without the spaces?);",
        ),
        (  # a block scalar ends in a line break: it was printed raw and called 'spaces'
            "steps:\n  - assign: |\n      russia\n    where: {oblast: Donetsk}\n",
            4,
            "unknown status 'russia\\n' in step 1 (did you mean 'russia', without the line "
            "break or tab around it?);",
        ),
        (
            "phases:\n  - id: '=x'\n    title: First\n"
            "    steps: [{assign: russia, where: {oblast: Donetsk}}]\n",
            4,
            "phase id '=x' must be lower-case letters, digits and hyphens, e.g. 'first-stage'",
        ),
        ("title: again\n", 3, "duplicate key 'title' (first given on line 2)"),
        ("steps: [\n", 4, "invalid YAML"),
        ("stepz: []\n", 3, "unknown key 'stepz' (at stepz) — did you mean 'steps'?"),
    ],
)
def test_bad_scenarios_name_file_line_value_and_fix(tmp_path, body, line, expected):
    path = write(tmp_path, GOOD_HEAD + body)
    for command in (["validate", str(path)], ["run", "--no-maps", "-b", "1991", str(path)]):
        result = run_cli(*command)
        assert result.exit_code == 2, result.output
        assert f"{path}:{line}: " in result.output
        assert expected in result.output
        assert "Traceback" not in result.output


def test_a_scenario_of_more_steps_than_a_proposal_could_have_is_refused_at_once(tmp_path):
    """3,000 discs had run for hours (each step cuts what later ones cut again), with no
    limit; 1,000 steps are taken, one more is refused by validate as by run, at 'steps'."""
    step = "  - assign: russia\n    where: {near: {place: [35.0, 48.0], km: 5}}\n"
    path = write(tmp_path, GOOD_HEAD + "steps:\n" + step * 1001)
    for command in (["validate", str(path)], ["run", "--no-maps", "-b", "1991", str(path)]):
        result = run_cli(*command)
        assert result.exit_code == 2, result.output
        assert f"{path}:3: 1,001 steps; a scenario may have at most 1,000" in result.output
    path.write_text(GOOD_HEAD + "steps:\n" + step * 1000, encoding="utf-8")
    assert run_cli("validate", str(path)).exit_code == 0


def test_a_scenario_of_more_selectors_than_a_proposal_could_have_is_refused_at_once(tmp_path):
    """One step whose any_of listed 30,000 discs ran 49 s without a word (steps were
    capped, lists were not). 2,000 items in all are taken; one more is refused, at the
    step that passes the limit, by validate as by run."""
    disc = "{near: {place: [35.0, 48.0], km: 5}}"
    two = "  - assign: russia\n    where: {any_of: [" + ", ".join([disc] * 2) + "]}\n"
    many = (
        "  - assign: russia\n    where: {all_of: [{any_of: [" + ", ".join([disc] * 1000) + "]}]}\n"
    )
    path = write(tmp_path, GOOD_HEAD + "steps:\n" + many + two + many)
    for command in (["validate", str(path)], ["run", "--no-maps", "-b", "1991", str(path)]):
        result = run_cli(*command)
        assert result.exit_code == 2, result.output
        said = " ".join(result.output.split())
        assert f"{path}:9: more than 2,000 selectors" in said and "step, 2,004)" in said, said
    path.write_text(GOOD_HEAD + "steps:\n" + many + two + two, encoding="utf-8")
    assert run_cli("validate", str(path)).exit_code == 0  # 1,005 in all


def test_bad_id_says_what_an_id_looks_like(tmp_path):
    path = write(tmp_path, "id: Bad Id\ntitle: x\n")
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:1: id 'Bad Id' must be lower-case letters, digits and hyphens" in result.output
    # a Cyrillic letter that looks Latin is named: "lower-case letters" did not say why
    path = write(tmp_path, "id: donеtsk\ntitle: x\n", "cyrillic.yaml")
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    said = "id 'donеtsk' has 'е' (CYRILLIC SMALL LETTER IE), which is not ASCII"
    assert said in result.output, result.output
    # '-x' is letters and hyphens: what is wrong is where it starts
    path = write(tmp_path, "id: -x\ntitle: x\nsteps: []\n", "dash.yaml")
    result = run_cli("validate", str(path))
    assert result.exit_code == 2 and "hyphens starting with a letter or digit" in result.output


def test_ambiguous_place_lists_the_candidates(tmp_path):
    path = write(
        tmp_path,
        GOOD_HEAD
        + "steps:\n  - assign: russia\n    where:\n      split:\n        oblast: Donetsk\n"
        "        line: [Novoselivka, Kramatorsk]\n        keep: Donetsk\n",
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert "place 'Novoselivka' is ambiguous" in result.output
    assert "'Novoselivka, Donetsk' at [" in result.output


def test_places_of_one_name_in_one_oblast_are_told_apart_by_a_nearby_town(tmp_path):
    """'write Name, Oblast' was no help where the user had, and the candidates read the
    same: each gets its distance and direction from the nearest town of 20,000 or more."""
    from pyproj import Geod

    from modeller.gazetteer import read_names

    path = write(
        tmp_path,
        GOOD_HEAD + "steps:\n  - assign: russia\n    where:\n      near: "
        "{place: 'Oleksandrivka, Donetsk', km: 5}\n",
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert "give [lon, lat] of the one you mean" in result.output
    assert "write 'Name, Oblast'" not in result.output
    found = re.findall(
        r"'Oleksandrivka, Donetsk' at \[([\d.]+), ([\d.]+)\] \((\d+) km (\w+) of (\w+)\)",
        result.output,
    )
    assert len(found) == 2, result.output
    _, places, _ = read_names()
    towns = {p.name: (p.lon, p.lat) for p in places if p.population >= 20_000}
    for lon, lat, km, way, town in found:
        assert town in towns, result.output
        back, _, metres = Geod(ellps="WGS84").inv(*towns[town], float(lon), float(lat))
        assert abs(metres / 1000 - int(km)) < 1.5, (town, metres, km)
        compass = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]
        assert way == compass[round((back % 360) / 45) % 8], (way, back)


def test_runtime_step_errors_name_the_file_and_step(tmp_path):
    # A valid file whose split line (in Crimea, running east-west) never reaches Lviv oblast.
    path = write(
        tmp_path,
        GOOD_HEAD + "steps:\n  - assign: russia\n    where:\n      split:\n        oblast: Lviv\n"
        "        line: [[35.0, 45.0], [35.1, 45.0]]\n        keep: Lviv\n",
    )
    result = run_cli("run", "--no-maps", "-b", "1991", str(path))
    assert result.exit_code == 2, result.output
    assert f"{path}:5: step 1: " in result.output  # the line of the step's 'where'
    assert "Traceback" not in result.output
    # in a phase: the phase's step, and its line (steps of phases are numbered per phase)
    phased = write(
        tmp_path,
        GOOD_HEAD + "phases:\n  - id: a\n    title: A\n    steps:\n      - assign: russia\n"
        "        where: {oblast: Donetsk}\n  - id: b\n    title: B\n    steps:\n"
        "      - assign: russia\n        where:\n          split:\n            oblast: Lviv\n"
        "            line: [[35.0, 45.0], [35.1, 45.0]]\n            keep: Lviv\n",
        "phased.yaml",
    )
    result = run_cli("run", "--no-maps", "-b", "1991", str(phased))
    assert result.exit_code == 2, result.output
    assert f"{phased}:13: step 1 of phase 'b': " in result.output


def test_unknown_baseline_lists_the_valid_kinds():
    result = run_cli("run", "--no-maps", "-b", "yesterday", "scenarios/freeze-current-lines.yaml")
    assert result.exit_code == 2
    assert (
        "unknown baseline 'yesterday'; valid: 1991, contact-line, pre-2022, deepstate:YYYY-MM-DD"
        in result.output
    )


def test_the_timeline_lists_the_baselines_it_takes(tmp_path):
    """It listed run's kinds (deepstate:own, which it refuses) and not its own ranges, and
    only after the baselines before it were measured."""
    days = "1991,yesterday"
    result = run_cli("timeline", "--baselines", days, "-o", str(tmp_path / "t"))
    assert result.exit_code == 2
    said = result.output.strip().splitlines()[-1]
    assert said.startswith("error: unknown baseline 'yesterday' in --baselines; valid: ")
    assert "deepstate:FROM..TO" in said and "deepstate:own" not in said
    assert not (tmp_path / "t").exists()


def test_bad_deepstate_date_says_how_to_write_it():
    result = run_cli("run", "--no-maps", "-b", "deepstate:2025-02-30", "scenarios/")
    assert result.exit_code == 2
    assert "2025-02-30 is not a calendar date" in result.output
    # digits of another script are no calendar question: how to write them is said
    arabic = run_cli("run", "--no-maps", "-b", "deepstate:٢٠٢٥-٠٨-٠١", "scenarios/")
    assert arabic.exit_code == 2, arabic.output
    assert "write its digits as 0-9: YYYY-MM-DD" in arabic.output


def test_missing_deepstate_date_names_the_nearest_dates(shared_data):
    result = run_cli("run", "--no-maps", "-b", "deepstate:2023-01-01", "scenarios/")
    assert result.exit_code == 2
    assert "deepstate:2023-01-01 is not in the archive (daily 2024-07-08 … 2026-08-22" in (
        result.output
    )
    assert "month-end 2022-04-30 … 2024-07-07" in result.output
    assert "nearest: deepstate:2022-12-31" in result.output


def test_missing_archive_says_which_setting_to_use(monkeypatch, tmp_path):
    monkeypatch.delenv("MODELLER_DATA_DIR", raising=False)
    monkeypatch.delenv("MODELLER_DEEPSTATE_DIR", raising=False)
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    result = run_cli("run", "--no-maps", "-b", "deepstate:2025-08-15", "scenarios/")
    assert result.exit_code == 2
    assert "set MODELLER_DATA_DIR" in result.output
    # the command it suggests is one the tool accepts
    assert "'modeller fetch 2025-08-15'" in result.output
    assert run_cli("fetch", "--help").exit_code == 0
    # a timeline's range is fetched a day at a time: said too (it had named no fetch)
    timeline = run_cli("timeline", "land-swap", "--baselines", "deepstate:2025-01-01..")
    assert timeline.exit_code == 2, timeline.output
    assert "'modeller fetch YYYY-MM-DD' for each day" in timeline.output
    # MODELLER_DATA_DIR naming no folder at all is not said to hold no files
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "mistyped"))
    result = run_cli("run", "--no-maps", "-b", "deepstate:2025-08-15", "land-swap")
    assert result.exit_code == 2, result.output
    assert "mistyped', which is no folder here; point it at" in result.output


@pytest.mark.parametrize("setting", ["MODELLER_DEEPSTATE_DIR"])
def test_an_archive_setting_naming_no_folder_is_said(monkeypatch, tmp_path, setting):
    """A mistyped MODELLER_DEEPSTATE_DIR (or a file) was ignored without a word, and the
    days were taken from the other archives."""
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    for value, what in [(tmp_path / "mistyped", "missing"), (tmp_path / "a-file", "a file")]:
        monkeypatch.setenv(setting, str(value))
        result = run_cli("run", "--no-maps", "-b", "deepstate:2025-08-15", "scenarios/")
        assert result.exit_code == 2, result.output
        assert f"error: {setting}={value} is no folder ({what}): point it at" in result.output


def test_duplicate_scenario_ids_are_rejected(tmp_path):
    write(tmp_path, "id: same\ntitle: a\nsteps: []\n", "a.yaml")
    write(tmp_path, "id: same\ntitle: b\nsteps: []\n", "b.yaml")
    result = run_cli("validate", str(tmp_path))
    assert result.exit_code == 2  # validate refuses what run refuses
    assert "duplicate scenario id 'same'" in result.output
    result = run_cli("run", "--no-maps", "-b", "1991", str(tmp_path))
    assert result.exit_code == 2
    assert "duplicate scenario id 'same'" in result.output
    # at the id's line, with the fix; of a shipped id, your file is named, and the shipped
    # one as such (it had been its site-packages path, and no line, no fix)
    (tmp_path / "own").mkdir()
    mine = write(tmp_path / "own", "# my version\nid: land-swap\ntitle: c\nsteps: []\n", "c.yaml")
    for order in ([str(mine), "land-swap"], ["land-swap", str(mine)]):
        result = run_cli("run", "--no-maps", "-b", "1991", *order)
        said = " ".join(result.output.split())
        assert result.exit_code == 2, result.output
        assert f"error: {mine}:2: duplicate scenario id 'land-swap' (also in " in said, said
        assert "land-swap.yaml): each scenario needs its own id" in said, said
    # validate says a line per file: the error is the second file's, the first is ok
    checked = run_cli("validate", str(mine), "land-swap")
    assert checked.exit_code == 2 and f"ok: {mine}" in checked.stdout, checked.output
    [error] = [x for x in checked.stderr.splitlines() if x.startswith("error:")]
    assert error.split(": duplicate")[0].endswith("land-swap.yaml:1"), error
    assert f"(also in {mine})" in error, error


def test_missing_path_is_a_clear_error():
    result = run_cli("validate", "no/such/file.yaml")
    assert result.exit_code == 2
    assert "no/such/file.yaml: no such file or folder" in result.output


def test_yaml_aliases_are_refused_not_expanded(tmp_path):
    body = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    path = write(tmp_path, GOOD_HEAD + body)
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert "YAML aliases (*name) are not supported" in result.output


def test_an_alias_to_a_plain_value_is_refused_and_a_source_is_a_citation(tmp_path):
    """An alias to a plain value had been taken: a megabyte-long source anchored once and
    used 500 times went whole into every row of every output (a 500 MB CSV from a 1 MB
    file). Aliases are refused, as the README says, and a source is a citation."""
    head = GOOD_HEAD
    step = "steps:\n  - assign: russia\n    where: {oblast: Donetsk}\n"
    cited = "reported:\n  - {source: &a Reuters, date: 2025-08-15}\n"
    aliased = write(tmp_path, head + cited + "  - {source: *a, date: 2025-08-16}\n" + step)
    said = run_cli("validate", str(aliased))
    assert said.exit_code == 2 and "YAML aliases (*name) are not supported" in said.output
    long = "reported:\n  - {source: " + "A" * 1001 + ", date: 2025-08-15}\n"
    said = run_cli("validate", str(write(tmp_path, head + long + step)))
    assert said.exit_code == 2 and "too long (1,001 characters): cite the outlet" in said.output
    assert len(said.output) < 400  # (not the text echoed back)
    fine = "reported:\n  - {source: " + "A" * 1000 + ", date: 2025-08-15}\n"
    assert run_cli("validate", str(write(tmp_path, head + fine + step))).exit_code == 0


def test_keep_place_on_the_split_line_is_an_error(tmp_path):
    path = write(
        tmp_path,
        GOOD_HEAD
        + "steps:\n  - assign: russia\n    where:\n      split:\n        oblast: Donetsk\n"
        "        line: [Pokrovsk, Kramatorsk]\n        keep: Kramatorsk\n",
    )
    result = run_cli("run", "--no-maps", "-b", "1991", str(path))
    assert result.exit_code == 2
    assert "keep place 'Kramatorsk' lies on the split line" in result.output


def test_geopackage_baseline_is_read_without_geopandas(tmp_path):
    pytest.importorskip("pyogrio")
    import shapely
    from helpers import write_layer

    square = shapely.box(37.0, 47.5, 38.0, 48.5)  # a square in Donetsk oblast
    path = write_layer(tmp_path / "held.gpkg", square, "EPSG:4326", status="russia")
    result = run_cli(
        "run", "--no-maps", "-f", "json", "-b", str(path), "scenarios/freeze-current-lines.yaml"
    )
    assert result.exit_code == 0, result.output
    assert '"status": "russia"' in result.output


def test_broken_geojson_baseline_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text(
        '{"type": "FeatureCollection", '
        '"features": [{"geometry": {"type": "Polygon", "coordinates": 5}}]}'
    )
    result = run_cli("run", "--no-maps", "-b", str(path), "scenarios/freeze-current-lines.yaml")
    assert result.exit_code == 2
    assert "feature 1: invalid geometry" in result.output
    assert "Traceback" not in result.output


def test_held_in_and_baseline_specs_are_checked_when_the_scenario_loads(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\ntitle: bad\nsteps:\n  - assign: ukraine\n"
        "    where: {held_in: {baseline: pre-2023}}\n",
        encoding="utf-8",
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:5: unknown baseline 'pre-2023'; valid: 1991, contact-line, pre-2022" in (
        result.output
    )


@pytest.mark.parametrize(
    "args, status, fragment",
    [
        (["fetch", "deepstate"], 2, "needs one or more dates"),
        (["fetch", "1999-01-01"], 2, "outside DeepState's history (2022-02-24 to today)"),
        (["fetch", "2025-08-15", "2099-01-01"], 2, "2099-01-01 is outside"),  # before any download
        (["fetch", "2025-02-30"], 2, "bad date '2025-02-30': is not a calendar date"),
        (["fetch", "2025-2-3"], 2, "bad date '2025-2-3': write YYYY-MM-DD"),
    ],
)
def test_fetch_checks_its_dates_before_the_network(args, status, fragment):
    """'fetch deepstate' had done nothing and said nothing; dates out of DeepState's history
    went to the network."""
    result = run_cli(*args)
    assert result.exit_code == status, result.output
    assert fragment in result.output


@pytest.mark.parametrize(
    ("line", "keep", "said"),
    [
        ("[Pokrovsk, Pokrovsk]", "Kramatorsk", "the split line needs at least two distinct points"),
        ("[Pokrovsk, Kramatorsk]", "Kramatorsk", "keep place 'Kramatorsk' lies on the split line"),
        # beyond the line's end (halfway to Kramatorsk), on the extension the engine draws
        # (straight in its metres: the lon/lat halfway point, [37.37242, 48.5056], leaves
        # Kramatorsk 135 m off it, which the engine takes)
        (
            "[Pokrovsk, [37.39107, 48.52832]]",
            "Kramatorsk",
            "keep place 'Kramatorsk' lies on the split line",
        ),
    ],
    ids=["one-point", "keep-on-line", "keep-on-extension"],
)
def test_validate_refuses_a_split_line_run_would_refuse(tmp_path, line, keep, said):
    """validate said 'ok' where run refused the split (the line alone decides these)."""
    path = write(
        tmp_path,
        GOOD_HEAD + "steps:\n  - assign: russia\n    where:\n      split:\n"
        f"        oblast: [Donetsk]\n        line: {line}\n        keep: {keep}\n",
    )
    for args in (["validate"], ["run", "--no-maps", "-b", "1991"]):
        result = run_cli(*args, str(path))
        assert result.exit_code == 2, result.output
        assert f"{path.name}:6: {said}" in result.output, result.output


@pytest.mark.parametrize("name", ["Kyiv", "Kiev", "KYIV"])
def test_a_bare_kyiv_as_an_oblast_asks_which_unit(tmp_path, name):
    """'oblast: Kyiv' took the oblast (27,000 km²) and 'oblast: Київ' the city, without a
    word: the English name is both."""
    path = write(
        tmp_path, GOOD_HEAD + f"steps:\n  - assign: russia\n    where: {{oblast: {name}}}\n"
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert "could be Kyiv oblast (UA-32, Київська) or Kyiv city (UA-30, Київ)" in result.output
    for spelled in ("Kyiv oblast", "Kyiv city", "Київ", "Київська"):
        ok = write(
            tmp_path, GOOD_HEAD + f"steps:\n  - assign: russia\n    where: {{oblast: {spelled}}}\n"
        )
        assert run_cli("validate", str(ok)).exit_code == 0, spelled


HELD_IN = "steps:\n  - assign: ukraine\n    where: {held_in: {baseline: 'deepstate:DAY'}}\n"


def test_validate_checks_deepstate_days_against_the_archive_as_run_does(shared_data, tmp_path):
    """validate said 'ok' for a held_in or baseline day the archive lacks; run refused it."""
    held = write(tmp_path, GOOD_HEAD + HELD_IN.replace("DAY", "2023-01-01"), "held.yaml")
    base = write(
        tmp_path,
        GOOD_HEAD + "baseline: deepstate:2021-01-01\n" + HELD_IN.replace("DAY", "2025-08-15"),
        "base.yaml",
    )
    said = {
        held: "held.yaml:5: step 1: deepstate:2023-01-01 is not in the archive",
        base: "base.yaml:3: baseline: deepstate:2021-01-01 is not in the archive",
    }
    for path, fragment in said.items():
        result = run_cli("validate", str(path))
        # a held_in day is needed by every run; the scenario's own baseline only by a run
        # without --baseline: a warning
        assert result.exit_code == (2 if path == held else 0), result.output
        assert fragment in result.output, result.output
        assert "nearest: deepstate:20" in result.output
    assert "warning: " in run_cli("validate", str(base)).stderr
    ran = run_cli("run", "--no-maps", str(held))
    assert ran.exit_code == 2 and said[held] in ran.output, ran.output
    # run names the line of the scenario's baseline: as validate does (it had named the file)
    ran = run_cli("run", "--no-maps", str(base))
    assert ran.exit_code == 2 and said[base] in ran.output, ran.output
    # a month-end day and a daily one are in the archive
    for day in ("2023-01-30", "2025-08-15"):
        ok = write(tmp_path, GOOD_HEAD + HELD_IN.replace("DAY", day), f"{day}.yaml")
        assert run_cli("validate", str(ok)).exit_code == 0


def test_validate_without_an_archive_says_where_to_put_one(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "nothing"))
    monkeypatch.delenv("MODELLER_DEEPSTATE_DIR", raising=False)
    path = write(tmp_path, GOOD_HEAD + HELD_IN.replace("DAY", "2025-08-15"))
    result = run_cli("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "s.yaml:5: step 1: no DeepState archive found for deepstate:2025-08-15" in result.output
    assert "modeller fetch 2025-08-15" in result.output
    # it is set: the error says to what, not to set it (and that no such folder is here)
    said = f"MODELLER_DATA_DIR is '{tmp_path / 'nothing'}', which is no folder here"
    assert said in result.output
    (tmp_path / "nothing").mkdir()  # a folder, without the archive
    result = run_cli("validate", str(path))
    assert f"MODELLER_DATA_DIR is '{tmp_path / 'nothing'}', which holds no" in result.output


def test_a_polygon_file_that_is_not_json_says_what_it_should_be(tmp_path):
    (tmp_path / "zone.yaml").write_text("zone: [1, 2]\n", encoding="utf-8")
    path = write(
        tmp_path,
        GOOD_HEAD + "steps:\n  - assign: russia\n    where: {polygon: {file: zone.yaml}}\n",
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 2 and "zone.yaml: cannot read GeoJSON" in result.output
    assert "it is not JSON at all" in result.output, result.output


def test_a_units_file_from_the_environment_is_named_as_coming_from_it(tmp_path, monkeypatch):
    """'MODELLER_UNITS=/nonexistent' said only 'units file not found'."""
    missing = tmp_path / "gone.geojson"
    monkeypatch.setenv("MODELLER_UNITS", str(missing))
    result = run_cli("run", "land-swap", "--no-maps")
    assert result.exit_code == 2, result.output
    assert f"{missing}: units file not found (MODELLER_UNITS names it" in result.output
    monkeypatch.delenv("MODELLER_UNITS")
    given = run_cli("run", "land-swap", "--no-maps", "--units", str(missing))
    assert given.exit_code == 2 and "MODELLER_UNITS" not in given.output, given.output


def test_validate_warns_of_deepstate_own_without_a_date_as_run_refuses_it(tmp_path):
    """'baseline: deepstate:own' without 'date:' was "ok" from validate, while every run
    without --baseline refuses it: validate says so, as it says of an archive day missing
    (a warning: a run with --baseline needs neither)."""
    path = write(
        tmp_path,
        """
        id: own
        title: Own day
        baseline: deepstate:own
        steps:
          - assign: russia
            where: {oblast: Donetsk}
        """,
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 0, result.output
    assert f"warning: {path}:3: baseline: scenario 'own' has no 'date:'" in result.stderr
    assert "add date: YYYY-MM-DD, or a run needs --baseline" in result.stderr
    ran = run_cli("run", "--no-maps", str(path))
    assert ran.exit_code == 2 and "has no 'date:', so deepstate:own has no day" in ran.output


def test_a_broken_link_in_the_archive_is_named_as_one(tmp_path, monkeypatch):
    """A daily file that is a link to nothing was listed as a day, then "not in the
    archive; nearest: deepstate:2025-08-23" (the same day); it is named as a broken link,
    and a missing file's message still says "not found"."""
    daily = tmp_path / "daily"
    daily.mkdir()
    (daily / "deepstatemap_data_20250823.geojson").symlink_to(tmp_path / "gone.geojson")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(daily))
    monkeypatch.delenv("MODELLER_DATA_DIR", raising=False)
    result = run_cli("run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-23")
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line.endswith(
        f"deepstatemap_data_20250823.geojson: is a link to {tmp_path / 'gone.geojson'}, "
        "which does not exist; expected a GeoJSON file"
    ), line
    result = run_cli("run", "land-swap", "--no-maps", "-b", str(tmp_path / "none.geojson"))
    assert result.exit_code == 2 and "not found" in result.output, result.output


def test_embedded_in_the_environment_means_the_embedded_data(monkeypatch):
    """MODELLER_POPULATION=embedded was refused as "not a folder", though the Python API
    takes population="embedded"; both variables now take it, and give the default run."""
    import json

    monkeypatch.delenv("MODELLER_POPULATION", raising=False)
    monkeypatch.delenv("MODELLER_UNITS", raising=False)
    plain = run_cli("run", "land-swap", "--no-maps", "-f", "json")
    monkeypatch.setenv("MODELLER_POPULATION", "embedded")
    monkeypatch.setenv("MODELLER_UNITS", "embedded")
    said = run_cli("run", "land-swap", "--no-maps", "-f", "json")
    assert plain.exit_code == said.exit_code == 0, said.output
    figures = [json.loads(r.stdout)["scenarios"][0]["statuses"] for r in (plain, said)]
    assert figures[0] == figures[1]


def test_embedded_on_the_command_line_overrides_the_environment(monkeypatch, shared_data):
    """--units embedded worked, --population embedded was "not a folder": with
    MODELLER_POPULATION set, the command line had no way back to the unit totals."""
    import json

    monkeypatch.delenv("MODELLER_POPULATION", raising=False)
    plain = run_cli("run", "land-swap", "--no-maps", "-f", "json")
    monkeypatch.setenv("MODELLER_POPULATION", str(shared_data))
    hromadas = run_cli("run", "land-swap", "--no-maps", "-f", "json")
    back = run_cli("run", "land-swap", "--no-maps", "-f", "json", "--population", "embedded")
    assert plain.exit_code == hromadas.exit_code == back.exit_code == 0, back.output
    people = [json.loads(r.stdout)["scenarios"][0]["statuses"] for r in (plain, hromadas, back)]
    assert people[0] == people[2] and people[1] != people[0]


def test_unreadable_units_and_population_paths_are_input_errors(tmp_path, monkeypatch):
    """A loop of links as --units was a traceback (RuntimeError from Path.resolve); a name
    too long for the system was "cannot write …", exit 1, as if an output had failed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.geojson").symlink_to("b.geojson")
    (tmp_path / "b.geojson").symlink_to("a.geojson")
    long = "a" * 300
    cases = [
        (["--units", "a.geojson"], "a.geojson: cannot read units file: it is a link in a loop"),
        (["--units", f"{long}.geojson"], "cannot read units file: File name too long"),
        (["--population", long], "cannot read this folder: File name too long"),
    ]
    for args, said in cases:
        result = run_cli("run", "land-swap", "--no-maps", *args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and "cannot write" not in result.output
        assert said in result.output, result.output
    monkeypatch.setenv("MODELLER_UNITS", "a.geojson")
    result = run_cli("doctor")
    assert result.exit_code == 2 and "link in a loop" in result.output, result.output


def test_embedded_is_read_in_any_letter_case(monkeypatch):
    """'EMBEDDED' was refused as "not a folder", with no word of the valid 'embedded'."""
    import json

    monkeypatch.delenv("MODELLER_POPULATION", raising=False)
    monkeypatch.delenv("MODELLER_UNITS", raising=False)
    plain = run_cli("run", "land-swap", "--no-maps", "-f", "json")
    upper = run_cli("run", "land-swap", "--no-maps", "-f", "json", "--population", "EMBEDDED")
    monkeypatch.setenv("MODELLER_UNITS", "Embedded")
    mixed = run_cli("run", "land-swap", "--no-maps", "-f", "json")
    assert plain.exit_code == upper.exit_code == mixed.exit_code == 0, upper.output + mixed.output
    figures = [json.loads(r.stdout)["scenarios"][0]["statuses"] for r in (plain, upper, mixed)]
    assert figures[0] == figures[1] == figures[2]


def test_a_range_in_a_gap_of_the_archive_names_the_days_around_it(shared_data, tmp_path):
    """'no snapshot between … ; available: <the whole archive>' while one missing day
    (deepstate:2025-01-01) names the nearest."""
    days = "deepstate:2025-01-01..2025-01-01"
    result = run_cli("timeline", "land-swap", "--baselines", days, "-o", str(tmp_path / "t"))
    assert result.exit_code == 2, result.output
    said = "no snapshot between 2025-01-01 and 2025-01-01; nearest: deepstate:2024-12-31, "
    assert said + "deepstate:2025-01-02" in result.output, result.output


def test_workers_may_be_a_numpy_integer_as_towns_may():
    import numpy as np

    from modeller import timeline_run

    assert timeline_run._workers(np.int64(2), 10, False) == 2
    with pytest.raises(Exception, match="workers must be a whole number"):
        timeline_run._workers(np.float64(2.0), 10, False)


def test_a_date_is_told_what_is_wrong_its_form_or_its_day():
    """parse_date said "2025-2-3 is not a calendar date" (it is one, badly written) and
    fetch told 2025-02-30 to "write YYYY-MM-DD", as it was: one rule (dates.not_a_day)."""
    from modeller.dates import parse_date
    from modeller.errors import InputError

    with pytest.raises(InputError) as bad_form:
        parse_date("2025-2-3", "fetch")
    assert (
        bad_form.value.message == "bad date in fetch: '2025-2-3': write YYYY-MM-DD, e.g. 2025-08-15"
    )
    with pytest.raises(InputError) as bad_day:
        parse_date("2025-02-30", "fetch")
    assert bad_day.value.message == "bad date in fetch: 2025-02-30 is not a calendar date"


HELD_IN_FILE = "steps:\n  - assign: ukraine\n    where: {held_in: {baseline: FILE}}\n"


def _bad_baselines(folder) -> None:
    """Baseline files run refuses or doubts: a point, a truncated file, and one holding
    every unit (a boundaries file given as a baseline)."""
    point = {"type": "Point", "coordinates": [30.5, 50.4]}
    (folder / "point.geojson").write_text(json.dumps(point), encoding="utf-8")
    (folder / "cut.geojson").write_text('{"type": "FeatureCollection", "features": [')
    box = [[[22.0, 44.0], [41.0, 44.0], [41.0, 53.0], [22.0, 53.0], [22.0, 44.0]]]
    whole = {"type": "Polygon", "coordinates": box}
    (folder / "whole.geojson").write_text(json.dumps(whole), encoding="utf-8")


def test_validate_reads_a_held_in_baseline_file_as_run_does(tmp_path):
    """validate said 'ok' for a held_in baseline file that run could not read (a point, a
    truncated file), and kept quiet of a file run warns about (one that holds nearly every
    unit: a boundaries file given as a baseline)."""
    _bad_baselines(tmp_path)
    said = {
        "point.geojson": "geometry: a Point has no area",
        "cut.geojson": "cannot read GeoJSON",
    }
    for name, fragment in said.items():
        path = write(tmp_path, GOOD_HEAD + HELD_IN_FILE.replace("FILE", name), f"{name}.yaml")
        checked, ran = run_cli("validate", str(path)), run_cli("run", "--no-maps", str(path))
        assert checked.exit_code == 2 and ran.exit_code == 2, checked.output
        named = re.escape(f"step 1: {tmp_path / name}") + r"(:\d+)?: " + re.escape(fragment)
        assert re.search(named, checked.output), checked.output  # (a JSON error: its line)
        assert re.search(named, ran.output), ran.output
        assert "ok:" not in checked.output
    path = write(tmp_path, GOOD_HEAD + HELD_IN_FILE.replace("FILE", "whole.geojson"), "w.yaml")
    checked = run_cli("validate", str(path))
    assert checked.exit_code == 0, checked.output
    warned = (
        r"warning: .*w\.yaml:5: step 1: held_in baseline .*whole\.geojson: .* not Ukrainian-held"
    )
    assert re.search(warned, checked.stderr), checked.stderr
    assert "ok: " in checked.stdout


def test_validate_reads_the_scenarios_own_baseline_file_as_run_does(tmp_path):
    """validate said only 'ok' for a scenario whose own baseline: file run cannot read (a
    truncated file, a point) or doubts (a boundaries file). As for a DeepState day missing
    from the archive, it is a warning: a run with --baseline does not need the file."""
    _bad_baselines(tmp_path)
    said = {
        "cut.geojson": "cannot read GeoJSON",
        "point.geojson": "geometry: a Point has no area",
        "whole.geojson": "makes 100.0% of the units not Ukrainian-held",
    }
    for name, fragment in said.items():
        text = "id: own\ntitle: Own baseline\nbaseline: NAME\n" + HELD_IN_FILE.replace(
            "{held_in: {baseline: FILE}}", "{oblast: Donetsk}"
        )
        path = write(tmp_path, text.replace("NAME", name), f"{name}.yaml")
        checked = run_cli("validate", str(path))
        assert checked.exit_code == 0, checked.output
        assert "ok: " in checked.stdout
        [warning] = [x for x in checked.stderr.splitlines() if x.startswith("warning:")]
        assert f"{name}.yaml:3: baseline" in warning and fragment in warning, warning
        assert str(tmp_path / name) in warning
        ran = run_cli("run", "--no-maps", str(path))
        assert fragment in ran.output, ran.output
        assert (ran.exit_code == 2) == (name != "whole.geojson"), ran.output


def test_a_population_folder_from_the_environment_is_blamed_on_the_variable(monkeypatch, tmp_path):
    """MODELLER_POPULATION=/nope said "--population needs a folder" with no --population
    given; --units already named MODELLER_UNITS in the same case."""
    monkeypatch.setenv("MODELLER_POPULATION", str(tmp_path / "nope"))
    said = run_cli("run", "land-swap", "--no-maps")
    assert said.exit_code == 2, said.output
    assert "MODELLER_POPULATION needs a folder" in said.output, said.output
    assert "fix or unset that variable, or give --population" in said.output
    assert "--population needs" not in said.output
    given = run_cli("run", "land-swap", "--no-maps", "--population", str(tmp_path / "nope"))
    assert given.exit_code == 2 and "--population needs a folder" in given.output
    assert "MODELLER_POPULATION" not in given.output


def test_a_units_file_is_named_as_written_with_a_hint_for_what_is_not_json(monkeypatch, tmp_path):
    """--units junk.geojson was named by its absolute path, with json's bare "Expecting
    value"; a baseline file's error keeps the name as written and says it is no JSON."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "junk.geojson").write_text("name,area\nDonetsk,26517\n")
    said = run_cli("run", "land-swap", "--no-maps", "--units", "junk.geojson")
    assert said.exit_code == 2, said.output
    assert "error: junk.geojson: cannot read units GeoJSON" in said.output, said.output
    assert str(tmp_path) not in said.output
    assert "not JSON at all" in said.output and "starts with '{'" in said.output


def test_fetch_offline_says_the_machine_is_offline_and_takes_a_baseline_spelling(
    monkeypatch, tmp_path
):
    """'cannot reach the DeepState API (<urlopen error [Errno -2] Name or service not
    known>); try again later' on a machine without network; and 'deepstate:2025-11-20',
    a baseline's spelling of the day, was a bad date."""
    import socket
    import urllib.error

    from modeller import downloads

    asked = []

    def offline(request, timeout, watch):
        asked.append(request.full_url)
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(downloads, "_open", offline)
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    said = run_cli("fetch", "deepstate:2025-11-20")
    assert said.exit_code == 1, said.output
    assert asked, said.output  # the day was asked for: the spelling was taken
    assert "seems offline" in said.output and "HTTPS_PROXY" in said.output, said.output
    assert "try again later" not in said.output


def test_a_split_line_that_misses_its_oblast_says_where_it_is(tmp_path):
    """Run's error ("does not cut the listed oblasts in two") said neither where the line
    was nor what would do. (validate says it too: tests/test_splitcheck.py.)"""
    (tmp_path / "sp.yaml").write_text(
        "id: sp\ntitle: split\nsteps:\n  - assign: ukraine\n"
        "    where: {split: {oblast: Lviv, line: [Pokrovsk, Kramatorsk], keep: Sloviansk}}\n",
        encoding="utf-8",
    )
    for command in (["run", "--no-maps"],):
        said = run_cli(*command, str(tmp_path / "sp.yaml"))
        assert said.exit_code == 2, (command, said.output)
        assert "sp.yaml:5: step 1: the split line (extended at both ends) passes" in said.output
        km = int(re.search(r"passes ([\d,]+) km from Lviv", said.output).group(1).replace(",", ""))
        assert 700 < km < 1000  # Donbas to Lviv oblast
        assert "give line points across them" in said.output


@pytest.mark.parametrize(
    "line",
    [
        "[[37, 46], [38, 50]]",  # ~900 km from Lviv: all of it on the side kept
        "[[38.5, 48.1], [37.0, 48.4]]",  # its extension westwards crosses Lviv
    ],
)
def test_a_split_listing_an_oblast_far_from_the_others_is_refused(tmp_path, line):
    """Only the oblasts taken together were checked: Lviv listed beside Donetsk handed all
    of Lviv (21,900 km², 2.5 million people), or the part the extended line cut off, to
    Russia, exit 0. Doctor fails it too."""
    (tmp_path / "sp.yaml").write_text(
        "id: sp\ntitle: split\nsteps:\n  - assign: russia\n"
        f"    where: {{split: {{oblast: [Donetsk, Lviv], line: {line}, keep: Kramatorsk}}}}\n",
        encoding="utf-8",
    )
    run = run_cli("run", "--no-maps", str(tmp_path / "sp.yaml"))
    assert run.exit_code == 2, run.output
    assert (
        "sp.yaml:5: step 1: Lviv borders none of the other oblasts the split lists (Donetsk): "
        "a split cuts one stretch of land along one line; cut the others in a step of their own"
    ) in run.output
    doctor = run_cli("doctor", str(tmp_path / "sp.yaml"))
    cells = " ".join(re.sub("[│┃]", " ", doctor.output).split())  # (wrapped in a table)
    assert doctor.exit_code != 0 and "borders none of the other oblasts" in cells, doctor.output


def test_a_split_whose_line_cuts_none_of_its_oblasts_is_refused(tmp_path):
    """Donetsk and Luhansk listed, the line drawn in Russia beyond their corner (inside
    their common frame, so the frame is cut): neither is cut, and both went whole."""
    (tmp_path / "w.yaml").write_text(
        "id: w\ntitle: W\nsteps:\n  - assign: russia\n    where: {split: {oblast: "
        "[Donetsk, Luhansk], line: [[39.9, 47.3], [40.2, 47.6]], keep: Kramatorsk}}\n",
        encoding="utf-8",
    )
    run = run_cli("run", "--no-maps", "-b", "1991", str(tmp_path / "w.yaml"))
    assert run.exit_code == 2, run.output
    said = " ".join(run.output.split())
    assert re.search(r"passes \d+ km from (Donetsk|Luhansk), and the oblasts it borders", said)
    assert "so all of it would lie on the side kept: give line points across" in said


def test_a_split_may_list_whole_oblasts_beside_those_its_line_cuts(tmp_path):
    """Crimea whole beside a Kherson and Zaporizhzhia cut along the Dnipro ('the left bank
    and Crimea'), Sevastopol whole beside a Crimea cut in two: each is taken whole, by the
    side it lies on (the first rule had refused them)."""
    import modeller

    kept = {}
    for oblasts, line, keep in [
        (
            "[Kherson, Zaporizhzhia, Crimea]",
            "[[31.5, 46.6], [32.6, 46.65], [33.4, 46.75], [34.3, 47.5], [35.2, 47.85]]",
            "Melitopol",
        ),
        ("[Crimea, Sevastopol]", "[[32.5, 45.6], [36.5, 45.6]]", "Simferopol"),
    ]:
        path = tmp_path / f"{len(kept)}.yaml"
        path.write_text(
            f"id: s{len(kept)}\ntitle: split\nsteps:\n  - assign: russia\n"
            f"    where: {{split: {{oblast: {oblasts}, line: {line}, keep: {keep}}}}}\n",
            encoding="utf-8",
        )
        moved = modeller.run([path], baseline="1991").transfers
        kept[oblasts] = dict(zip(moved["oblast"], moved["km2"], strict=True))
    official = {c: u.area_official_km2 for c, u in modeller.geodata.load().units.items()}
    crimea, sevastopol = kept["[Kherson, Zaporizhzhia, Crimea]"], kept["[Crimea, Sevastopol]"]
    assert set(crimea) == {"UA-65", "UA-23", "UA-43"}
    assert crimea["UA-43"] > 0.95 * official["UA-43"]  # all of Crimea (coarse coast)
    assert 0.2 * official["UA-65"] < crimea["UA-65"] < 0.8 * official["UA-65"]  # a bank
    assert set(sevastopol) == {"UA-43", "UA-40"} and sevastopol["UA-40"] > 0.8 * official["UA-40"]
    assert sevastopol["UA-43"] < 0.9 * official["UA-43"]  # Crimea south of the line only


def test_a_units_name_given_as_a_place_points_to_a_town_in_it(tmp_path):
    """near: {place: 'Kyiv city'} said only "unknown place", though 'Kyiv, Kyiv city' works."""
    (tmp_path / "kc.yaml").write_text(
        "id: kc\ntitle: kc\nsteps:\n  - assign: russia\n"
        "    where: {near: {place: 'Kyiv city', km: 10}}\n",
        encoding="utf-8",
    )
    said = run_cli("validate", str(tmp_path / "kc.yaml"))
    assert said.exit_code == 2, said.output
    assert "'Kyiv city' names a unit, not a place" in said.output
    suggested = re.search(r"e\.g\. '([^']+)'", said.output).group(1)
    assert suggested == "Kyiv, Kyiv city"
    (tmp_path / "kc.yaml").write_text(
        (tmp_path / "kc.yaml").read_text().replace("Kyiv city", suggested), encoding="utf-8"
    )
    assert run_cli("validate", str(tmp_path / "kc.yaml")).exit_code == 0  # the hint works


# --- from a hostile hunt of scenario files (round 37) ---------------------------------------


@pytest.mark.parametrize(
    "text, line, said",
    [
        ('id: x\ntitle: "unterminated\nsteps: []\n', 4, "a quote opened on line 2 is not closed"),
        (
            'id: x\ntitle: T\nstatuses: {dmz: {label: Z, colour: "#7570b3"}\nsteps: []\n',
            4,
            "a '{' opened on line 3 is not closed: close it with '}'",
        ),
        (
            "id: x\ntitle: T\nsteps: [\n  {assign: russia, where: {oblast: Donetsk}}\n",
            5,
            "a '[' opened on line 3 is not closed: close it with ']'",
        ),
        (
            "id: x\ntitle: T\nsteps:\n  - assign: russia\n    where: {oblast: Donetsk}\n"
            "   - assign: russia\n",
            6,
            "in the list that starts on line 4: check the indentation",
        ),
    ],
    ids=["quote", "brace", "bracket", "indent"],
)
def test_invalid_yaml_says_where_what_failed_began(tmp_path, text, line, said):
    """An unclosed quote had been reported only at the end of the file ('found unexpected
    end of stream'), its line never named."""
    path = write(tmp_path, text)
    result = run_cli("validate", str(path))
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}: invalid YAML: " in result.output and said in result.output


@pytest.mark.parametrize(
    "text, said",
    [
        (
            GOOD_HEAD + "steps: []\nphases:\n  - id: a\n    title: A\n    steps:\n"
            "      - assign: russia\n        where: {oblast: Donetsk}\n",
            "give either 'steps' or 'phases'",
        ),
        (GOOD_HEAD + "phases: []\n", "s.yaml:3: 'phases' is empty"),
        (
            GOOD_HEAD + "steps:\n  - assign: russiaa\n    where: {oblast: Donetsk}\n",
            "s.yaml:4: unknown status 'russiaa' in step 1 (did you mean 'russia'?)",
        ),
        (
            GOOD_HEAD + f"steps:\n  - assign: russia\n    where: {{oblast: {'x' * 50_000}}}\n",
            "unknown oblast 'xxxxxxxxxx",
        ),
    ],
    ids=[
        "empty-steps-beside-phases",
        "empty-phases",
        "status-misspelt",
        "oblast-50k",
    ],
)
def test_what_a_hostile_hunt_found_is_refused_by_line(tmp_path, text, said):
    """Each had been taken ('steps: []' beside phases or 'phases: []' ran as a freeze), or
    said less than it could (no hint for 'russiaa'; an unknown oblast of 100,000 letters
    printed whole)."""
    path = write(tmp_path, text)
    for command in (["validate"], ["run", "--no-maps", "-b", "1991"]):
        result = run_cli(*command, str(path))
        assert result.exit_code == 2, result.output
        [line] = [x for x in result.stderr.splitlines() if x.strip()]
        assert said in line, line
        assert len(line) < 2000, len(line)


def test_run_names_the_scenario_whose_baseline_or_date_fails(tmp_path):
    """run had said only the baseline file's error for a scenario's own 'baseline:' (validate
    names the scenario's line), and nothing of the scenario for --baseline deepstate:own on
    one without a date."""
    (tmp_path / "bl.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "date": "1 August 2025", "features": []})
    )
    own = write(tmp_path, GOOD_HEAD + "baseline: bl.geojson\nsteps: []\n")
    result = run_cli("run", "--no-maps", str(own))
    assert result.exit_code == 2, result.output
    assert f"{own}:3: baseline: {tmp_path / 'bl.geojson'}: bad top-level date" in result.stderr
    undated = write(tmp_path, GOOD_HEAD + "steps: []\n", "u.yaml")
    result = run_cli("run", "--no-maps", "-b", "deepstate:own", str(undated))
    assert result.exit_code == 2, result.output
    assert f"{undated}: scenario 'probe' has no 'date:'" in result.stderr, result.stderr


@pytest.mark.parametrize("spec", ["https://example.com/x.geojson", "HTTP://a.org/b.gpkg"])
def test_a_web_address_as_a_baseline_is_said_to_be_one(spec):
    """A web address had been read as a path and named as 'https:/example.com/x.geojson:
    GeoJSON file not found', one slash gone and no word that addresses are not fetched."""
    result = run_cli("run", "land-swap", "--no-maps", "-b", spec)
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line == (
        f"error: baseline '{spec}' is a web address, which is not downloaded: save the file "
        "and give its path, or for DeepState's map of a day run 'modeller fetch YYYY-MM-DD' "
        "and give deepstate:YYYY-MM-DD"
    )


def test_a_missing_population_folder_and_a_units_folder_are_said_as_such(tmp_path):
    """A --population folder that does not exist was "not a folder", and a folder given to
    --units was told "units file must be GeoJSON …", as if it were a file of another kind."""
    gone = tmp_path / "gone"
    result = run_cli("run", "land-swap", "--no-maps", "--population", str(gone))
    assert result.exit_code == 2, result.output
    assert f"{gone}: no such folder; --population needs a folder with " in result.output
    result = run_cli("run", "land-swap", "--no-maps", "--units", str(tmp_path))
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line == (
        f"error: {tmp_path}: is a folder; --units takes one file, GeoJSON, GeoPackage or "
        "Shapefile (.geojson, .json, .gpkg, .shp)"
    )


@pytest.mark.parametrize(
    "args, said",
    [
        (["--out", ""], "is empty; give a folder name"),
        (["--population", ""], "is empty; give a folder name"),
        (["-O", ""], "is empty; give a file name"),
        ([""], "is empty; give a file or folder name"),  # a scenario file, or a folder of them
    ],
)
def test_an_empty_path_asks_for_what_the_option_takes(args, said):
    """``--out ''`` had asked for 'a file or folder name', where only a folder will do."""
    result = run_cli("run", *args, "--no-maps")
    assert result.exit_code == 2
    assert said in result.output, result.output


@pytest.mark.parametrize(
    "place, noted",
    [
        ("Pripyat", True),  # another spelling of a Volyn village: the city has no people
        ("Prypiat", False),  # as GeoNames spells it: meant
        ("Pripyat, Volyn", False),  # its oblast given: meant
        ("Kramatorskaya", False),  # another spelling, but of a city of 147,000
    ],
)
def test_a_small_place_taken_for_another_spelling_is_said(tmp_path, place, noted):
    """A disc at 'Pripyat' had moved 12.6 km² of Volyn, 400 km from the abandoned city by
    Chornobyl, without a word: the name is another spelling of the village Prypiat, and
    the city is not among GeoNames' places of 500 people or more."""
    path = write(
        tmp_path,
        f"""
        id: p
        title: P
        steps:
          - assign: russia
            where: {{near: {{place: "{place}", km: 2}}}}
        """,
    )
    result = CliRunner().invoke(main, ["run", str(path), "--no-maps", "-b", "1991"])
    assert result.exit_code == 0, result.output
    said = [w for w in result.stderr.splitlines() if "is taken as" in w]
    if noted:
        assert len(said) == 1, result.stderr
        assert "'Pripyat' is taken as 'Prypiat, Volyn'" in said[0]
        assert "people; if another place is meant, give its [lon, lat]" in said[0]
    else:
        assert said == [], said


def test_a_bad_contested_setting_is_refused_on_any_baseline(monkeypatch):
    """MODELLER_CONTESTED=bogus was said only on a map with a grey zone: on the embedded
    contact line, run went on silently (the timeline refused it up front)."""
    monkeypatch.setenv("MODELLER_CONTESTED", "bogus")
    said = run_cli("run", "freeze-current-lines", "--no-maps")
    assert said.exit_code == 2, said.output
    assert "bad MODELLER_CONTESTED 'bogus'; valid: contested, ukraine, russia" in said.output
