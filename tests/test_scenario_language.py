"""Scenario language: recognition, phases, held_in, defaults and the warnings/errors."""

from __future__ import annotations

import json

import pytest
import shapely
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from modeller import baselines, engine, geodata, metrics
from modeller.cli import main
from modeller.errors import InputError
from modeller.scenario import Scenario


def scenario(**fields) -> Scenario:
    return Scenario.model_validate({"id": "t", "title": "t", **fields})


@pytest.fixture(scope="module")
def contact():
    return baselines.load_baseline("contact-line")


def test_recognition_is_recorded_per_area_and_cleared_by_a_later_step(contact):
    sc = scenario(
        steps=[
            {
                "assign": "russia",
                "where": {"oblast": ["Crimea", "Sevastopol"]},
                "recognition": "de_jure",
            },
            {"assign": "russia", "where": {"oblast": "Donetsk"}, "recognition": "de_facto"},
            # A later step over part of Donetsk without recognition clears it there.
            {"assign": "ukraine", "where": {"near": {"place": "Kramatorsk", "km": 20}}},
        ]
    )
    result = engine.apply(contact, sc)
    s = metrics.summarise(result, towns=0)
    rec = {(r["status"], r["recognition"]): r["km2"] for r in s["recognition"]}
    units = geodata.load().geometry
    crimea = geodata.area_km2(units["UA-43"]) + geodata.area_km2(units["UA-40"])
    assert rec[("russia", "de_jure")] == pytest.approx(crimea, rel=1e-9)
    kramatorsk = geodata.load().settlement_xy[
        [s.name for s in geodata.load().settlements].index("Kramatorsk")
    ]
    disc = shapely.Point(kramatorsk).buffer(20_000, 64)
    donetsk_minus_disc = geodata.area_km2(shapely.difference(units["UA-14"], disc))
    assert rec[("russia", "de_facto")] == pytest.approx(donetsk_minus_disc, rel=1e-6)
    # Transfers carry the recognition of the land they move: Ukraine cedes Donetsk de facto.
    assert {(t["to"], t["recognition"]) for t in s["transfers"]} == {("russia", "de_facto")}


def test_phases_report_the_cumulative_state_after_each_phase(contact):
    sc = scenario(
        phases=[
            {
                "id": "withdrawal",
                "title": "Ukraine leaves Donetsk",
                "steps": [{"assign": "russia", "where": {"oblast": "Donetsk"}}],
            },
            {
                "id": "returns",
                "title": "Russia leaves Kharkiv",
                "steps": [
                    {"assign": "ukraine", "where": {"oblast": "Kharkiv", "held_by": "russia"}}
                ],
            },
        ]
    )
    phases = engine.apply_phases(contact, sc)
    assert [p.id for p, _ in phases] == ["withdrawal", "returns"]
    donetsk_ua = contact.held("ukraine", "UA-14", when="before")
    kharkiv_ru = contact.held("russia", "UA-63", when="before")
    first, last = (metrics.summarise(p, towns=0) for _, p in phases)
    cedes = lambda s: sum(f["km2"] for f in s["flows"] if f["from"] == "ukraine")  # noqa: E731
    regains = lambda s: sum(f["km2"] for f in s["flows"] if f["to"] == "ukraine")  # noqa: E731
    assert cedes(first) == pytest.approx(geodata.area_km2(donetsk_ua), rel=1e-6)
    assert regains(first) == 0
    assert cedes(last) == pytest.approx(cedes(first), rel=1e-9)  # cumulative
    assert regains(last) == pytest.approx(geodata.area_km2(kharkiv_ru), rel=1e-6)
    # engine.apply is the last phase.
    assert engine.apply(contact, sc).total_km2 == pytest.approx(phases[-1][1].total_km2)


def test_steps_and_phases_together_are_refused():
    with pytest.raises(ValueError, match="either 'steps' or 'phases'"):
        scenario(
            steps=[{"assign": "russia", "where": {"oblast": "Donetsk"}}],
            phases=[
                {
                    "id": "a",
                    "title": "a",
                    "steps": [{"assign": "russia", "where": {"oblast": "Luhansk"}}],
                }
            ],
        )


def test_held_in_selects_what_a_status_held_in_another_baseline(contact):
    sc = scenario(
        steps=[
            {
                "assign": "ukraine",
                "where": {"held_by": "russia", "not": {"held_in": {"baseline": "pre-2022"}}},
            }
        ]
    )
    result = engine.apply(contact, sc, load=baselines.load_baseline)
    pre = baselines.load_baseline("pre-2022")
    expected = geodata.area_km2(
        shapely.difference(contact.held("russia", when="before"), pre.held("russia", when="before"))
    )
    back = sum(
        f["km2"] for f in metrics.summarise(result, towns=0)["flows"] if f["to"] == "ukraine"
    )
    assert back == pytest.approx(expected, rel=1e-6)


def test_held_in_without_a_loader_is_a_clear_error(contact):
    sc = scenario(steps=[{"assign": "ukraine", "where": {"held_in": {"baseline": "pre-2022"}}}])
    with pytest.raises(InputError, match="needs a baseline loader"):
        engine.apply(contact, sc)


def test_a_band_deeper_than_the_land_it_follows_is_an_error(contact):
    sc = scenario(steps=[{"assign": "ukraine", "where": {"band": {"km": 300, "side": "russia"}}}])
    with pytest.raises(InputError, match="300 km band covers all land held by russia"):
        engine.apply(contact, sc)


def test_an_empty_selection_warns_with_the_step_number(contact):
    sc = scenario(
        steps=[
            {"assign": "russia", "where": {"oblast": "Donetsk"}},
            {"assign": "ukraine", "where": {"oblast": "Lviv", "held_by": "russia"}},
        ]
    )
    result = engine.apply(contact, sc)
    assert result.warnings == ("step 2 selects nothing on contact-line (2025-08-15)",)


def test_an_empty_selection_names_the_steps_note_in_run_and_timeline(contact, tmp_path):
    """A step's note (what the proposal says it does) appeared in no output: the warning
    that it selects nothing now names it, in `run` and the timeline alike."""
    from modeller.timeline_plan import make_plan

    note = "Russia  returns\nLviv " + "x" * 100
    steps = [{"assign": "ukraine", "where": {"oblast": "Lviv", "held_by": "russia"}, "note": note}]
    sc = scenario(steps=steps)
    said = f"step 1 ('Russia returns Lviv {'x' * 59}…') selects nothing"
    (warning,) = engine.apply(contact, sc).warnings
    assert warning == f"{said} on contact-line (2025-08-15)"
    plan = make_plan([sc])
    assert [name for name, _ in plan.scenarios[0].steps] == [said.removesuffix(" selects nothing")]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_scenario_default_baseline_and_the_cli_override(tmp_path):
    path = _write(
        tmp_path,
        "s.yaml",
        "id: s\ntitle: s\nbaseline: pre-2022\ndate: 2022-02-23\nsteps:\n"
        "  - assign: ukraine\n    where: {held_by: russia, oblast: Donetsk}\n",
    )
    runner = CliRunner()
    own = json.loads(runner.invoke(main, ["run", "--no-maps", "-f", "json", str(path)]).stdout)
    assert own["scenarios"][0]["baseline"]["name"] == "pre-2022"
    assert own["scenarios"][0]["date"] == "2022-02-23"
    over = runner.invoke(main, ["run", "--no-maps", "-f", "json", "-b", "1991", str(path)])
    doc = json.loads(over.stdout)
    assert doc["scenarios"][0]["baseline"]["name"] == "1991"
    assert "step 1 selects nothing on 1991" in over.stderr


def test_deepstate_own_uses_the_scenario_date_or_says_which_day_stands_in(tmp_path, shared_data):
    path = _write(
        tmp_path,
        "s.yaml",
        "id: s\ntitle: s\ndate: 2024-06-14\nsteps:\n"
        "  - assign: russia\n    where: {oblast: Donetsk}\n",
    )
    result = CliRunner().invoke(
        main, ["run", "--no-maps", "-f", "json", "-b", "deepstate:own", str(path)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # The daily archive starts 2024-07-08 (24 days later); the month-end file has 2024-05-31.
    assert doc["scenarios"][0]["baseline"]["name"] == "deepstate:2024-05-31"
    assert "no DeepState snapshot of its date 2024-06-14" in result.stderr
    assert "deepstate:2024-05-31 (14 days away)" in result.stderr
    # and in the outputs, among the scenario's warnings (it had been said on stderr alone)
    (said,) = doc["scenarios"][0]["warnings"]
    assert said.startswith("no DeepState snapshot of its date 2024-06-14; using the nearest")
    assert "note: s: no DeepState snapshot" in result.stderr  # 14 days: a note
    # a stand-in years away is a warning: its figures are of other lines than the date's
    far = _write(tmp_path, "far.yaml", path.read_text().replace("2024-06-14", "2014-03-18"))
    result = CliRunner().invoke(main, ["run", "--no-maps", "-b", "deepstate:own", str(far)])
    assert result.exit_code == 0, result.output
    assert "warning: s: no DeepState snapshot of its date 2014-03-18" in result.stderr
    assert " days away)" in result.stderr and "note: s:" not in result.stderr
    # midway between two month-ends: the earlier is used, and the other named (Kherson's
    # right bank, retaken between them, had been 4,500 km² with no word of the other map)
    mid = _write(tmp_path, "mid.yaml", path.read_text().replace("2024-06-14", "2022-11-15"))
    result = CliRunner().invoke(main, ["run", "--no-maps", "-b", "deepstate:own", str(mid)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "using the nearest, deepstate:2022-10-31 (15 days away); deepstate:2022-11-30 is" in said


def test_broken_archive_entries_are_no_days_to_list_or_offer(tmp_path, shared_data, monkeypatch):
    """An empty file, a folder or a broken link of a daily file's name had been counted as
    archived days and offered as the nearest ones; asked for by date, each says what it is."""
    from datetime import date

    from modeller import archive

    daily = tmp_path / "deepstate" / "daily"
    daily.mkdir(parents=True)
    good = shared_data / "deepstate" / "daily" / "deepstatemap_data_20250815.geojson"
    (daily / good.name).write_bytes(good.read_bytes())
    (daily / "deepstatemap_data_20250819.geojson").write_bytes(b"")
    (daily / "deepstatemap_data_20250820.geojson").mkdir()
    (daily / "deepstatemap_data_20250821.geojson").symlink_to(tmp_path / "nowhere")
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MODELLER_DEEPSTATE_DIR", raising=False)
    assert archive.deepstate_dates(usable=True) == [date(2025, 8, 15)]
    listed = CliRunner().invoke(main, ["baselines"])
    assert "1 day, 2025-08-15" in listed.output  # (it had counted the broken entries too)
    near = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-18"])
    assert near.exit_code == 2
    assert near.output.rstrip().endswith("nearest: deepstate:2025-08-15"), near.output
    named = CliRunner().invoke(
        main, ["run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-20"]
    )
    assert named.exit_code == 2 and "is a folder; expected a GeoJSON file" in named.output


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1990-12-31"])
def test_a_date_outside_1991_to_2100_is_refused_with_its_line(tmp_path, day):
    """0001-01-01 and 9999-12-31 had passed; with deepstate:own the first picked a DeepState
    day 738,274 days away."""
    path = tmp_path / "d.yaml"
    path.write_text(
        f"id: d\ntitle: T\ndate: {day}\nsteps:\n  - assign: ukraine\n    where: {{oblast: Sumy}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"d.yaml:3: date {day} is outside 1991–2100" in result.output


def test_a_number_of_thousands_of_digits_is_refused_with_its_line(tmp_path):
    """It had given Python's own 'Exceeds the limit (4300 digits) for integer string
    conversion … sys.set_int_max_str_digits()', with no line."""
    path = tmp_path / "big.yaml"
    path.write_text(
        "id: b\ntitle: T\nsteps:\n  - assign: ukraine\n"
        f"    where: {{near: {{place: Kramatorsk, km: {'9' * 5000}}}}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "big.yaml:5: invalid YAML: a number of 5,000 digits" in result.output
    assert "set_int_max_str_digits" not in result.output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_said_to_be_utf16(tmp_path, encoding):
    """With its byte-order mark it had been 'not UTF-8 (byte 0xff…; Windows-1251 or
    Latin-1?)', without one 'control character U+0000'."""
    path = tmp_path / "u.yaml"
    path.write_bytes("id: u\ntitle: T\n".encode(encoding))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "UTF-16 text, not UTF-8" in result.output and "save it as UTF-8" in result.output


def test_an_unquoted_colour_is_said_to_need_quotes(tmp_path):
    """'colour: #ff0000' is a comment in YAML: the message had been 'Input should be a
    valid string (got None)', with no hint."""
    path = tmp_path / "c.yaml"
    path.write_text(
        "id: c\ntitle: T\nstatuses:\n  dmz:\n    label: DMZ\n    colour: #ff0000\n"
        "steps:\n  - assign: dmz\n    where: {oblast: Sumy}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "c.yaml:6:" in result.output and "quote a colour: colour: '#ff0000'" in result.output


def _validated(tmp_path, text: str, name: str = "s.yaml"):
    """``modeller validate`` of a scenario file holding ``text``."""
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return CliRunner().invoke(main, ["validate", str(path)])


SHAPES = [
    ("where: {held_in: 5}", 5, "'held_in' should be a mapping such as {baseline: pre-2022"),
    ("where: {band: 5}", 5, "'band' should be a mapping such as {along: contact, km: 15"),
    ("where: {split: 5}", 5, "'split' should be a mapping such as {oblast: [Donetsk]"),
    ("where: {near: 5}", 5, "'near' should be a mapping such as {place: Enerhodar, km: 10}"),
    ("where: {polygon: 5}", 5, "'polygon' should be a mapping such as {file: zone.geojson}"),
    ("where: {not: 5}", 5, "'not' should be one selector mapping, e.g. {oblast: Donetsk}"),
    ("where: {all_of: [5]}", 5, "item 1 of 'all_of' should be a selector mapping"),
    ("where: {polygon: {file: 5}}", 5, "'file' should be a file name, e.g. zone.geojson"),
    # one of fixed words: pydantic's "Input should be 'contact'" named neither key nor choice
    (
        "where: {band: {along: frontline, km: 5, side: russia}}",
        5,
        "'along' must be 'contact' (got 'frontline')",
    ),
    # a list too short: it is a list, so "should be a list" would not say what is wrong
    ("where: {oblast: Sumy}\n    note: [a]", 6, "'note' should be text (YAML's | keeps"),
    ("where: {oblast: []}", 5, "'oblast' is empty; it should be an oblast name or a list"),
    ("where: {any_of: []}", 5, "'any_of' is empty; it should be a list of selector mappings"),
    (
        "where: {split: {oblast: [Donetsk], keep: Kramatorsk, line: [Pokrovsk]}}",
        5,
        "'line' has 1 item; it should be a list of at least two places",
    ),
]


def test_a_phase_without_steps_is_told_to_give_one_or_leave_the_phase_out(tmp_path):
    """A phase's steps: [] was 'steps should be a list of steps (got [])': it is one."""
    text = "id: s\ntitle: T\nphases:\n  - id: p\n    title: P\n    steps: []\n"
    said = "s.yaml:6: 'steps' is empty; it should be a list of steps"
    _said_in_words(_validated(tmp_path, text), said)
    assert "a phase that changes nothing: leave it out" in _validated(tmp_path, text).output


def _said_in_words(result, said: str) -> None:
    """Refused (exit 2) with ``said``, and none of pydantic's own words."""
    assert result.exit_code == 2
    assert said in result.output, result.output
    assert "instance of" not in result.output and "Input should" not in result.output


@pytest.mark.parametrize(("where", "line", "said"), SHAPES, ids=[s[0] for s in SHAPES])
def test_a_selector_of_the_wrong_shape_is_said_in_the_languages_words(tmp_path, where, line, said):
    """'Input should be a valid dictionary or instance of HeldIn (got 5)': the model's
    class name, no example of what would be valid."""
    text = f"id: s\ntitle: T\nsteps:\n  - assign: russia\n    {where}\n"
    _said_in_words(_validated(tmp_path, text), f"s.yaml:{line}: {said}")


@pytest.mark.parametrize(
    ("top", "said"),
    [
        ("reported: [5]", "item 1 of 'reported' should be a report: {source: ..., date:"),
        ("statuses: {dmz: 5}", "status 'dmz' should be a mapping such as {label: ..., colour:"),
        ("notes: [1]", "'notes' should be text (YAML's | keeps several lines)"),
        ("baseline: [contact-line]", "'baseline' should be one baseline, e.g. contact-line"),
        (
            "reported: [{source: R, date: 2025-01-01, url: 5}]",
            "'url' should be a web address, e.g. https://",
        ),
    ],
)
def test_a_top_level_key_of_the_wrong_shape_is_said_in_the_languages_words(tmp_path, top, said):
    _said_in_words(
        _validated(tmp_path, f"id: s\ntitle: T\n{top}\nsteps: []\n"), f"s.yaml:3: {said}"
    )


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ('"1755216000"', "date '1755216000' must be written YYYY-MM-DD"),  # was 2025-08-15
        ('"20250815"', "date '20250815' must be written YYYY-MM-DD"),
        ('"2025-08-15T00:00:00"', "date '2025-08-15T00:00:00' must be a day, with no time"),
        ("2025-08-15T10:30:00", "date '2025-08-15T10:30:00' must be a day, with no time"),
        ('"2025-02-30"', "date '2025-02-30' is not a calendar date"),
    ],
)
def test_a_date_is_a_day_written_yyyy_mm_dd_and_nothing_else(tmp_path, written, said):
    """A string of digits was read as a Unix timestamp (a date in 2025), and a midnight
    datetime as its day: a proposal's date must be what its author wrote."""
    result = _validated(tmp_path, f"id: d\ntitle: T\ndate: {written}\nsteps: []\n", "d.yaml")
    assert result.exit_code == 2
    assert f"d.yaml:3: {said}" in result.output, result.output


def test_a_date_with_spaces_around_it_is_that_date(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text('id: d\ntitle: T\ndate: " 2025-08-15 "\nsteps: []\n', "utf-8")
    from modeller.scenario import load_scenario

    assert load_scenario(path).date.isoformat() == "2025-08-15"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ('"２０２５-０８-１５"', "must be written YYYY-MM-DD"),  # full-width digits
        ('"2025-08-15 10:00"', "must be a day, with no time"),
    ],
)
def test_other_digits_and_a_time_after_a_space_are_said_plainly(tmp_path, written, said):
    result = _validated(tmp_path, f"id: d\ntitle: T\ndate: {written}\nsteps: []\n", "d.yaml")
    assert result.exit_code == 2 and said in result.output, result.output


_POINT = st.tuples(st.integers(0, 4).map(float), st.integers(0, 4).map(float))


@given(st.lists(_POINT, min_size=2, max_size=7))
def test_a_split_line_is_refused_on_reading_exactly_when_the_engine_would(points):
    """``validate`` said ok to a split line that crosses itself, which ``run`` refuses; on
    a small grid (where lines touch, fold back and close often) both agree every time."""
    from modeller.scenario_values import first_crossing

    line = [points[0]] + [b for a, b in zip(points, points[1:], strict=False) if a != b]
    assume(len(line) >= 2)
    assert (first_crossing(line) is None) == shapely.LineString(line).is_simple


def test_validate_refuses_a_split_line_that_crosses_itself(tmp_path):
    path = tmp_path / "bow.yaml"
    path.write_text(
        "id: bow\ntitle: Bow\nsteps:\n  - assign: russia\n    where:\n      split:\n"
        "        oblast: Donetsk\n"
        "        line: [[37.0, 47.5], [38.5, 48.5], [38.5, 47.5], [37.0, 48.5]]\n"
        "        keep: Kramatorsk\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:6: the split line crosses itself (its segments 1 and 3 meet)" in (result.stderr)


def test_a_ring_or_a_line_whose_extensions_cross_it_is_told_why(tmp_path):
    """A closed split line passed validate and run refused it, and a line whose straight
    extensions past its ends cross it was refused as "crosses itself; reorder its
    points", which sends the user looking for a crossing that is not among the points."""
    split = (
        "id: ring\ntitle: Ring\nsteps:\n  - assign: russia\n    where:\n      split:\n"
        "        oblast: Zaporizhzhia\n        line: LINE\n        keep: Melitopol\n"
    )
    ring = "[[35.0, 46.7], [35.8, 46.7], [35.4, 47.1], [35.0, 46.7]]"
    path = tmp_path / "ring.yaml"
    path.write_text(split.replace("LINE", ring), encoding="utf-8")
    checked = CliRunner().invoke(main, ["validate", str(path)])
    assert checked.exit_code == 2, checked.output
    assert f"{path}:6: the split line closes on itself" in checked.stderr
    assert "leave out the last point" in checked.stderr
    back = "[[35.0, 46.7], [35.8, 46.7], [35.0, 46.7]]"  # a fold-back, not a ring
    path.write_text(split.replace("LINE", back), encoding="utf-8")
    checked = CliRunner().invoke(main, ["validate", str(path)])
    assert "crosses itself (its segments 1 and 2 meet)" in checked.stderr, checked.output
    hook = "[[35.0, 47.0], [36.0, 47.0], [36.0, 47.5], [35.5, 47.3]]"
    path.write_text(split.replace("LINE", hook), encoding="utf-8")
    for command in (["validate"], ["run", "--no-maps"]):  # (validate said 'ok' to it)
        ran = CliRunner().invoke(main, [*command, str(path)])
        assert ran.exit_code == 2, ran.output
        assert "the split line's extensions (straight on past its first and last" in ran.stderr
        assert "reorder its points" not in ran.stderr


def test_a_long_split_line_that_crosses_itself_is_refused_on_reading_too(tmp_path):
    """Past 400 points validate skipped its pair-by-pair check and said ok; run refused
    the line. A long line that does not cross itself still passes."""
    import json

    along = [[34.5 + 0.002 * i, 47.0] for i in range(450)]
    text = (
        "id: long\ntitle: Long\nsteps:\n  - assign: ukraine\n    where:\n      split:\n"
        "        oblast: Zaporizhzhia\n        line: LINE\n        keep: Melitopol\n"
    )
    back = [*along, [35.0, 47.2], [34.8, 46.9]]  # (back across the first points)
    result = _validated(tmp_path, text.replace("LINE", json.dumps(back)))
    _said_in_words(result, "s.yaml:6: the split line crosses itself (somewhere along its 452")
    fine = [*along, [35.9, 47.2], [36.0, 47.5]]
    assert _validated(tmp_path, text.replace("LINE", json.dumps(fine))).exit_code == 0


def test_a_disc_that_cannot_reach_ukraine_is_refused_as_a_polygon_beside_it_is(tmp_path):
    """near: {place: [15.0, 55.0], km: 200} (the Baltic) passed validate and run only
    warned that the step selects nothing; a polygon there is refused. A disc beside the
    border that reaches over it is kept."""
    text = "id: s\ntitle: T\nsteps:\n  - assign: russia\n    where: {near: NEAR}\n"
    far = _validated(tmp_path, text.replace("NEAR", "{place: [15.0, 55.0], km: 200}"))
    _said_in_words(
        far,
        "s.yaml:5: a disc of 200 km around [15, 55] cannot reach Ukraine: its centre lies "
        "about 526 km outside a box around Ukraine's land",
    )
    assert "so it selects nothing; check the coordinates" in far.output
    beside = _validated(tmp_path, text.replace("NEAR", "{place: [40.9, 48.0], km: 50}"))
    assert beside.exit_code == 0, beside.output


def test_a_label_in_ukrainian_is_its_own_though_some_letters_look_latin(tmp_path):
    """Look-alike letters are read as Latin only to compare labels: 'Росія' (Р, о, с, і
    look Latin) stays a label of its own beside 'Russia'."""
    text = (
        "id: s\ntitle: T\nstatuses:\n  ru_zone: {label: Росія, colour: '#123456'}\n"
        "steps:\n  - assign: ru_zone\n    where: {oblast: Sumy}\n"
    )
    result = _validated(tmp_path, text)
    assert result.exit_code == 0, result.output


def test_two_documents_in_one_file_are_told_one_scenario_per_file(tmp_path):
    text = "id: s\ntitle: T\nsteps: []\n---\nid: t\ntitle: U\nsteps: []\n"
    said = "s.yaml:4: invalid YAML: a second document (after '---'): give one scenario per file"
    _said_in_words(_validated(tmp_path, text), said)


def test_an_unquoted_colour_in_a_flow_mapping_is_told_to_be_quoted(tmp_path):
    """{label: DMZ, colour: #7570b3} (flow style) said only "did not find expected ','
    or '}'"; the block style already gave the hint that '#' starts a comment."""
    text = (
        "id: s\ntitle: T\nstatuses: {dmz: {label: DMZ, colour: #7570b3}}\n"
        "steps:\n  - assign: dmz\n    where: {oblast: Sumy}\n"
    )
    result = _validated(tmp_path, text)
    _said_in_words(result, "s.yaml:4: invalid YAML: did not find expected ',' or '}'")
    assert "'#' after a space starts a comment" in result.output
    assert "colour: '#7570b3'" in result.output
    fine = text.replace("colour: #7570b3", "colour: '#7570b3'")
    assert _validated(tmp_path, fine).exit_code == 0
    # a '#' elsewhere (a comment, in a quoted title) gets no such hint
    other = 'id: s\ntitle: "Plan: #1 draft"\n steps: []\n'
    result = _validated(tmp_path, other)
    assert result.exit_code == 2 and "quote a colour" not in result.output, result.output


def test_a_geojson_file_given_as_a_scenario_is_told_where_polygons_go(tmp_path):
    """It was four lines of unknown and missing keys ('type', 'features', 'id', 'title')."""
    text = '{"type": "FeatureCollection", "features": []}'
    result = _validated(tmp_path, text, "zone.geojson")
    _said_in_words(result, "zone.geojson:1: this is GeoJSON (a FeatureCollection), not a scenario")
    assert "{polygon: {file: zone.geojson}}" in result.output
    assert "unknown key" not in result.output and len(result.output.splitlines()) == 1


def test_a_phase_id_is_as_short_as_a_scenario_id(tmp_path):
    """Scenario ids were capped at 80 characters, phase ids not (5,000 were taken)."""
    from click.testing import CliRunner

    from modeller.cli import main

    path = tmp_path / "ph.yaml"
    for length, ok in ((80, True), (81, False)):
        path.write_text(
            "id: ph\ntitle: phased\nphases:\n  - id: " + "a" * length + "\n    title: one\n"
            "    steps:\n      - assign: russia\n        where: {oblast: Donetsk}\n",
            encoding="utf-8",
        )
        said = CliRunner().invoke(main, ["validate", str(path)])
        assert (said.exit_code == 0) == ok, said.output
    assert "ph.yaml:4: phase id is 81 characters long; keep it to 80 or fewer" in said.output


@pytest.mark.parametrize("flow", [False, True])
def test_a_key_longer_than_yaml_reads_is_said_so(tmp_path, flow):
    """A status name of 1,100 letters gave only YAML's "did not find expected ',' or '}'"
    (PyYAML reads no implicit key over 1,024 characters)."""
    from click.testing import CliRunner

    from modeller.cli import main

    key = "x" * 1100
    statuses = (
        f"statuses: {{{key}: {{label: long}}}}\n"
        if flow
        else f"statuses:\n  {key}: {{label: long}}\n"
    )
    path = tmp_path / "lk.yaml"
    path.write_text(
        "id: lk\ntitle: long\n" + statuses + "steps:\n  - assign: russia\n"
        "    where: {oblast: Donetsk}\n",
        encoding="utf-8",
    )
    said = CliRunner().invoke(main, ["validate", str(path)])
    assert said.exit_code == 2 and "invalid YAML" in said.output, said.output
    assert "a key over 1024 characters" in said.output and "shorten the name" in said.output
    # a long value with a colon in it is no key: YAML's own words, no hint
    path.write_text(f"id: lk\ntitle: t\nnotes: {key}: y\nsteps: []\n", encoding="utf-8")
    value = CliRunner().invoke(main, ["validate", str(path)])
    assert value.exit_code == 2 and "a key over" not in value.output, value.output


def test_a_status_name_is_as_short_as_an_id(tmp_path):
    """A 1,000-letter status name validated and made 1,247-character CSV lines."""
    from click.testing import CliRunner

    from modeller.cli import main

    path = tmp_path / "st.yaml"
    for length, ok in ((80, True), (81, False)):
        name = "z" * length
        path.write_text(
            f"id: st\ntitle: status\nstatuses:\n  {name}: {{label: Long zone, colour: '#aa33aa'}}"
            f"\nsteps:\n  - assign: {name}\n    where: {{oblast: Donetsk}}\n",
            encoding="utf-8",
        )
        said = CliRunner().invoke(main, ["validate", str(path)])
        assert (said.exit_code == 0) == ok, said.output
    assert "is 81 characters long; keep it to 80 or fewer" in said.output


def test_a_file_writes_not_as_not_and_python_code_may_use_its_name(tmp_path):
    """'not_:' (the model's Python name for the key) had been taken in a file as 'not'."""
    from modeller.scenario_selectors import Selector

    path = tmp_path / "n.yaml"
    path.write_text(
        "id: n\ntitle: N\nsteps:\n  - assign: russia\n    where:\n      all_of:\n"
        "        - held_by: ukraine\n        - not_: {oblast: Crimea}\n",
        encoding="utf-8",
    )
    for command in (["validate"], ["run", "--no-maps", "-b", "1991"]):
        result = CliRunner().invoke(main, [*command, str(path)])
        assert result.exit_code == 2, result.output
        assert f"{path}:8: unknown key 'not_': the key is 'not'" in result.stderr, result.stderr
    shown = Selector(not_=Selector(oblast=["Crimea"]))  # (code may use the name)
    assert shown.not_ is not None and "not" in shown.model_dump(by_alias=True)


def test_coordinates_1e308_apart_are_named_without_a_numpy_warning(tmp_path):
    """Bounds 1e308 wide overflowed numpy's subtraction, whose RuntimeWarning (and its
    source line) was printed before the error."""
    import warnings

    path = tmp_path / "huge.yaml"
    ring = "[[-1e308,-1e308],[1e308,-1e308],[1e308,1e308],[-1e308,1e308],[-1e308,-1e308]]"
    path.write_text(
        "id: h\ntitle: t\nsteps:\n  - assign: russia\n    where: {polygon: {geojson: "
        f"{{type: Polygon, coordinates: [{ring}]}}}}}}\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (a warning would end the run with a traceback)
        result = CliRunner().invoke(main, ["run", "--no-maps", str(path)])
    assert result.exit_code == 2, result.output
    assert "look like metres" in result.output and "Warning" not in result.output


def test_a_place_with_its_oblast_in_brackets_is_told_to_use_a_comma(tmp_path):
    """'Kramatorsk (Donetsk)', as a news text writes it, was only 'unknown place'."""
    text = (
        "id: k\ntitle: t\nsteps:\n  - assign: russia\n"
        "    where: {near: {place: 'Kramatorsk (Donetsk)', km: 3}}\n"
    )
    result = _validated(tmp_path, text)
    _said_in_words(result, "unknown place 'Kramatorsk (Donetsk)'")
    assert "— write 'Kramatorsk, Donetsk'" in result.output
    fixed = _validated(tmp_path, text.replace("Kramatorsk (Donetsk)", "Kramatorsk, Donetsk"))
    assert fixed.exit_code == 0, fixed.output
