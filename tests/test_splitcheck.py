"""``validate``'s split check without geometry (``modeller.splitcheck``): its table holds
the embedded units' boxes and borders, and it refuses only what ``run`` refuses, with
the engine's words."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modeller import engine, geodata, laea, splitcheck
from modeller.cli import main
from modeller.errors import InputError
from modeller.scenario_selectors import Split

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args):
    return CliRunner().invoke(main, [*args])


def test_the_extents_table_is_the_embedded_units_own(monkeypatch):
    """``unit_extents.csv`` is what ``geodata/build_extents.py`` makes of the embedded
    units today: rebuild it after the units change."""
    monkeypatch.setenv("MODELLER_UNITS", "embedded")
    spec = importlib.util.spec_from_file_location(
        "build_extents", REPO / "geodata/build_extents.py"
    )
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    written = (REPO / "geodata" / splitcheck.EXTENTS).read_text(encoding="utf-8")
    made = build.extents_text()
    # (to a micrometre: numpy's sines may differ in the last bit from one processor to
    # another; the borders exactly)
    for old, new in zip(written.splitlines(), made.splitlines(), strict=True):
        old, new = old.split(","), new.split(",")
        assert old[0] == new[0] and old[-1] == new[-1], "stale: python geodata/build_extents.py"
        if old[0] != "code":
            for a, b in zip(old[1:-1], new[1:-1], strict=True):
                assert float(a) == pytest.approx(float(b), abs=1e-6), (old, new)


def test_the_table_agrees_with_the_outlines():
    """Each box is its unit's bounds; a unit borders another both ways, and the
    pairs the engine's rule finds are there (Kyiv city inside Kyiv oblast; Crimea beside
    Sevastopol and Kherson; Lviv beside neither Donetsk nor Luhansk)."""
    data = geodata.load()
    table = splitcheck.extents()
    assert sorted(table) == sorted(data.geometry)
    for code, extent in table.items():
        # the engine frames with these (to a micrometre: see above)
        assert extent.box == pytest.approx(data.geometry[code].bounds, abs=1e-6)
        for other in extent.borders:
            assert code in table[other].borders
    assert "UA-30" in table["UA-32"].borders  # Kyiv city, Kyiv oblast
    assert {"UA-40", "UA-65"} <= table["UA-43"].borders  # Crimea: Sevastopol, Kherson
    assert not {"UA-14", "UA-09"} & table["UA-46"].borders  # Lviv: not Donetsk, Luhansk


@pytest.mark.parametrize(
    ("lon", "lat"), [(31.5, 48.5), (22.1, 48.2), (40.2, 49.6), (33.5, 44.4), (10.0, 60.0)]
)
def test_the_plain_number_projection_is_pyprojs(lon, lat):
    """``laea.forward`` on plain numbers, which validate and the scenario checks use, is
    PROJ's projection to the working CRS, to a micrometre."""
    from pyproj import Transformer

    x, y = laea.forward(lon, lat)
    px, py = Transformer.from_crs("EPSG:4326", geodata.EQUAL_AREA, always_xy=True).transform(
        lon, lat
    )
    assert abs(x - px) < 1e-6 and abs(y - py) < 1e-6


BOX = (0.0, 0.0, 10.0, 10.0)


def _parts(line, box=BOX) -> int:
    """How many parts GEOS cuts the box into along the line (as the engine cuts)."""
    from shapely.geometry import LineString
    from shapely.geometry import box as rectangle
    from shapely.ops import split

    return len(split(rectangle(*box), LineString(line)).geoms)


@pytest.mark.parametrize(
    ("line", "chords"),
    [
        ([(-5, 5), (15, 5)], 1),  # straight across
        ([(-5, 2), (5, 2), (5, 8), (-5, 8)], 1),  # in and back out the same side
        ([(-5, 2), (15, 2), (15, 8), (-5, 8)], 2),  # across, round and back: three parts
        ([(-5, 5), (5, 5)], 0),  # ends inside: a slit, no part
        ([(-5, -5), (-5, 15)], 0),  # misses
        ([(5, 5), (15, 5)], 0),  # starts inside
        ([(2, 5), (15, 5)], 0),
        # touches: left to run (None), whatever the arithmetic would say
        ([(-5, 15), (0, 10), (-5, 5), (-5, 2), (15, 2)], None),  # a corner, then across
        ([(-5, 0), (15, 0)], None),  # along an edge
        ([(-5, -5), (5, 0), (15, -5)], None),  # a point on the edge
        ([(-5, 5), (5, 5), (5, 10.0000001), (8, 15)], None),  # a point a hair off it
        ([(-5, 5.0005), (5, 15.0005)], None),  # 0.35 mm past a corner
    ],
)
def test_crossings_of_the_box_are_counted_as_geos_cuts(line, chords):
    """A chord is an edge-to-edge crossing: the box is cut into one part more. A line on
    or within a millimetre of the edge is left to run (a touch and a crossing differ only
    in the last digits there)."""
    said = splitcheck._chords(line, BOX)
    assert said == chords
    if said is not None:
        assert _parts(line) == said + 1


@settings(max_examples=300)
@given(
    start=st.tuples(st.floats(-50, -1), st.floats(-20, 30)),
    turn=st.tuples(st.sampled_from([0.0, 10.0]), st.floats(-5, 15)),
    nudge=st.sampled_from([0.0, 1e-12, -1e-12, 1e-9, -1e-9, 1e-4, -1e-4, 1e-2, -1e-2]),
    end=st.tuples(st.floats(-30, 40), st.floats(-30, 40)),
    swap=st.booleans(),
)
def test_a_line_turning_on_or_near_the_edge_is_counted_as_geos_cuts_or_left(
    start, turn, nudge, end, swap
):
    """Lines turning exactly on the box's edge, or a hair either side of it (where each
    segment's own clipping had told the shared point apart from the next segment's):
    the count is GEOS's, or the line is left to run."""
    corner = (turn[0] + nudge, turn[1]) if not swap else (turn[1], turn[0] + nudge)
    line = [start, corner, end]
    if len({*line}) < 3:
        return
    from shapely.geometry import LineString

    if not LineString(line).is_simple:
        return
    said = splitcheck._chords(line, BOX)
    if said is not None:
        assert _parts(line) == said + 1, (line, said)


def _error(check, split: Split) -> str | None:
    """What ``check`` (the engine's split or validate's) says of ``split``: None if it
    takes it."""
    try:
        check(split)
    except InputError as exc:
        return exc.message
    return None


OBLASTS = ["Donetsk", "Luhansk", "Zaporizhzhia", "Kherson", "Crimea", "Kharkiv", "Lviv", "Kyiv"]
KEEPS = ["Kramatorsk", "Sloviansk", "Melitopol", "Kharkiv", "Lviv", "Simferopol", "Odesa"]


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(
    oblasts=st.lists(st.sampled_from(OBLASTS), min_size=1, max_size=3, unique=True),
    keep=st.sampled_from(KEEPS),
    line=st.lists(
        st.tuples(
            st.floats(20.0, 42.0).map(lambda v: round(v, 4)),
            st.floats(43.0, 53.0).map(lambda v: round(v, 4)),
        ),
        min_size=2,
        max_size=4,
    ),
)
def test_validate_refuses_only_what_run_refuses_and_in_its_words(oblasts, keep, line):
    """Whatever the split, an error from the table's check is the engine's error for it
    (the line's distance aside: the box's is a bound of the outlines')."""
    try:
        split = Split(oblast=oblasts, line=[list(p) for p in line], keep=keep)
    except ValueError:
        return  # refused as the file is read, by both
    said = _error(splitcheck.check, split)
    if said is None:
        return
    run_said = _error(engine.split_regions, split)
    assert run_said is not None, f"validate refused what run takes: {said}"
    number = re.compile(r"[\d,]+ km( or more)?")
    assert number.sub("N km", said) == number.sub("N km", run_said)
    far = re.search(r"passes ([\d,]+) km or more", said)
    if far:  # the box is nearer than the land: the bound is at most run's figure
        ran = re.search(r"passes ([\d,]+) km", run_said)
        assert int(far.group(1).replace(",", "")) <= int(ran.group(1).replace(",", ""))


@pytest.mark.parametrize(
    ("split", "said"),
    [
        (
            "{oblast: Lviv, line: [Pokrovsk, Kramatorsk], keep: Sloviansk}",
            r"the split line \(extended at both ends\) passes [\d,]+ km or more from Lviv",
        ),
        (
            "{oblast: [Donetsk, Lviv], line: [[37, 46], [38, 50]], keep: Kramatorsk}",
            r"Lviv borders none of the other oblasts the split lists \(Donetsk\)",
        ),
        (
            "{oblast: Donetsk, line: [[37, 47], [38, 49]], keep: Lviv}",
            r"keep place 'Lviv' \(taken as 'Lviv, Lviv' at \[[\d.]+, [\d.]+\][^)]*\) lies outside "
            r"the listed oblasts' extent",
        ),
        (  # Kyiv's Obolon district, taken as the village: where it was found is said
            "{oblast: Kyiv city, line: [[30.3, 50.3], [30.7, 50.6]], keep: Obolon}",
            r"keep place 'Obolon' \(taken as 'Obolon, Poltava' at \[32\.87\d*, 49\.60\d*\], "
            r"\d+ km S of Lubny\) lies outside",
        ),
    ],
)
def test_validate_refuses_a_split_run_would_refuse(tmp_path, split, said):
    """validate had said 'ok' to these, and run refused them."""
    path = tmp_path / "sp.yaml"
    path.write_text(
        f"id: sp\ntitle: split\nsteps:\n  - assign: russia\n    where: {{split: {split}}}\n",
        encoding="utf-8",
    )
    checked = run_cli("validate", str(path))
    assert checked.exit_code == 2, checked.output
    assert re.search(r"sp\.yaml:5: step 1: " + said, " ".join(checked.output.split()))
    ran = run_cli("run", "--no-maps", "-b", "1991", str(path))
    assert ran.exit_code == 2, ran.output


def test_validate_takes_the_shipped_split_and_its_neighbours():
    """The 20-point draft's Donetsk split, and a split of neighbours across the Dnipro."""
    checked = run_cli("validate", str(REPO / "scenarios" / "draft-20-points-2025-12.yaml"))
    assert checked.exit_code == 0, checked.output
    split = Split(
        oblast=["Kherson", "Zaporizhzhia", "Crimea"],
        line=[[32.0, 46.5], [33.4, 46.8], [35.0, 47.6]],
        keep="Melitopol",
    )
    splitcheck.check(split)
    assert _error(engine.split_regions, split) is None


def test_with_a_units_file_validate_checks_the_split_on_its_outlines(shared_data, tmp_path):
    """A units file has no table: validate cuts its outlines as run does, so the two say
    the same distance (the file's Lviv, not the embedded one's box)."""
    units = shared_data / "boundaries" / "ua_oblasts_minregion2020.geojson"
    path = tmp_path / "sp.yaml"
    path.write_text(
        "id: sp\ntitle: split\nsteps:\n  - assign: russia\n    where: {split: "
        "{oblast: Lviv, line: [Pokrovsk, Kramatorsk], keep: Sloviansk}}\n",
        encoding="utf-8",
    )
    checked = run_cli("validate", "--units", str(units), str(path))
    ran = run_cli("run", "--no-maps", "-b", "1991", "--units", str(units), str(path))
    assert checked.exit_code == ran.exit_code == 2, (checked.output, ran.output)
    said = re.search(
        r"sp\.yaml:5: step 1: the split line .* passes [\d,]+ km from Lviv,", checked.output
    )
    assert said and said.group(0) in ran.output, (checked.output, ran.output)


@pytest.mark.parametrize(
    ("point", "refused"),
    [("[32.51129890283961, 48.035160005597284]", True), ("[32.567077499999996, 48.16091]", False)],
)
def test_a_between_midpoint_is_taken_in_metres_by_validate_as_by_run(tmp_path, point, refused):
    """Lviv and Luhansk's midpoint in lon/lat is 29 km from the one the engine cuts with
    (in metres): validate said 'ok' to a keep place on run's line, and refused one 6 km
    off it as lying on the line."""
    path = tmp_path / "m.yaml"
    path.write_text(
        "id: m\ntitle: m\nsteps:\n  - assign: russia\n    where: {split: {oblast: Kirovohrad, "
        f"line: [{{between: [Lviv, Luhansk]}}, {point}], keep: Kropyvnytskyi}}}}\n",
        encoding="utf-8",
    )
    checked = run_cli("validate", str(path))
    ran = run_cli("run", "--no-maps", "-b", "1991", str(path))
    assert checked.exit_code == ran.exit_code == (2 if refused else 0), (checked.output, ran.output)
    on_line = "keep place 'Kropyvnytskyi' lies on the split line"
    assert (on_line in checked.output) is (on_line in ran.output) is refused


def test_keep_may_be_given_as_lon_lat(tmp_path):
    """keep took only a name, so of two places of an oblast sharing it neither could be
    named (the ambiguity error offered [lon, lat], which keep then refused)."""
    text = (
        "id: k\ntitle: k\nsteps:\n  - assign: russia\n    where: {split: {oblast: Donetsk, "
        "line: [Pokrovsk, Kramatorsk], keep: KEEP}}\n"
    )
    path = tmp_path / "k.yaml"
    for keep in ("[37.9, 48.0]", "'Kostyantynivka, Donetsk'"):  # (the same side)
        path.write_text(text.replace("KEEP", keep), encoding="utf-8")
        assert run_cli("validate", str(path)).exit_code == 0
        ran = run_cli("run", "--no-maps", "-b", "1991", "-f", "json", str(path))
        assert ran.exit_code == 0, ran.output
        if keep.startswith("["):
            by_lonlat = ran.stdout
    figures = [json.loads(t)["scenarios"][0]["transfers"] for t in (by_lonlat, ran.stdout)]
    assert figures[0] == figures[1] and figures[0]
    path.write_text(text.replace("KEEP", "[30.5, 50.4]"), encoding="utf-8")  # Kyiv
    for command in (["validate"], ["run", "--no-maps", "-b", "1991"]):
        said = run_cli(*command, str(path))
        assert said.exit_code == 2
        assert "keep place [30.5, 50.4] lies outside the listed oblasts' extent" in said.output


def test_a_segment_along_an_edge_is_in_the_box_for_a_leader_but_not_as_land():
    """``planar.clip_segment``: the maps' leaders count a graze of a label's edge, the
    split check does not count a line along the box's edge as crossing its land."""
    from modeller.planar import clip_segment

    assert clip_segment((-5, 0), (15, 0), BOX) == (0.25, 0.75)
    assert clip_segment((-5, 0), (15, 0), BOX, edges=False) is None
    assert clip_segment((-5, 5), (15, 5), BOX, edges=False) == (0.25, 0.75)
    assert clip_segment((-5, -1), (15, -1), BOX) is None
