"""``--population``: hromada totals from the shared data change the figures and are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from modeller import population
from modeller.cli import main

REPO = Path(__file__).resolve().parent.parent
SCENARIO = str(REPO / "scenarios" / "land-swap.yaml")


@pytest.fixture(autouse=True)
def default_population():
    yield
    population.use(None)  # --population sets the model for the process; put it back


def _run(*extra: str) -> dict:
    args = ["run", SCENARIO, "--no-maps", "--format", "json", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_hromada_totals_change_the_figures_and_name_their_source(hromada_dir):
    plain = _run()["scenarios"][0]
    with_h = _run("--population", str(hromada_dir))["scenarios"][0]
    assert "hromada" not in plain["population"]["source"]
    source = with_h["population"]["source"]
    assert "kse_ua-pop-2022_hromada.csv" in source and "ua_hromadas_simplified" in source
    assert "unit totals (no hromadas)" in with_h["population"]["variants"]
    a = {(f["from"], f["to"]): f for f in plain["flows"]}
    b = {(f["from"], f["to"]): f for f in with_h["flows"]}
    assert a.keys() == b.keys()
    ceded = ("ukraine", "russia")
    assert a[ceded]["km2"] == pytest.approx(b[ceded]["km2"])  # same land ...
    rows_a = {(t["oblast"], t["from"], t["to"]): t["people"] for t in plain["transfers"]}
    rows_b = {(t["oblast"], t["from"], t["to"]): t["people"] for t in with_h["transfers"]}
    assert max(abs(rows_a[k] - rows_b[k]) for k in rows_a) > 1000  # ... other people
    # the range now spans the unit-total reading as well
    assert b[ceded]["people_low"] <= b[ceded]["people_by_variant"][-1] <= b[ceded]["people_high"]
    # hromada totals add up to the national figure (Crimea, Sevastopol, Kyiv city: units)
    assert with_h["total_people"] == pytest.approx(plain["total_people"], rel=1e-6)
    # the note's people are those of the hromadas it has outlines for (it had added Kyiv
    # city's 2,952,301, a table row with no outline, placed by its unit total)
    import csv
    import json
    import re

    outlines = json.loads(
        (hromada_dir / "boundaries/ua_hromadas_simplified_vadymnes.geojson").read_text("utf-8")
    )
    codes = {f["properties"]["COD_3"] for f in outlines["features"] if f["geometry"]}
    with open(hromada_dir / "population/kse_ua-pop-2022_hromada.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    expected = sum(
        int(float(r["total_population_2022"])) for r in rows if r["hromada_code"] in codes
    )
    said = re.search(r"hromadas with outlines, ([\d,]+) people", source).group(1)
    assert int(said.replace(",", "")) == expected


def test_the_setting_does_what_the_option_does(hromada_dir, monkeypatch):
    monkeypatch.setenv("MODELLER_POPULATION", str(hromada_dir))
    assert "hromada totals" in _run()["scenarios"][0]["population"]["source"]


def test_a_folder_without_the_files_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["run", SCENARIO, "--no-maps", "--population", str(tmp_path)])
    assert result.exit_code == 2
    assert "missing boundaries/ua_hromadas_simplified_vadymnes.geojson" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("given", ["boundaries", "population", "boundaries/h.geojson"])
def test_a_subfolder_or_file_of_the_population_folder_names_the_folder_to_give(tmp_path, given):
    """Pointing --population at boundaries/, population/ or the outlines file itself (the
    files are under them) said only what was missing, not that the folder above had it."""
    top = tmp_path / "data"
    for name in (
        "boundaries/ua_hromadas_simplified_vadymnes.geojson",
        "population/kse_ua-pop-2022_hromada.csv",
    ):
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text("", encoding="utf-8")
    given = given.replace("h.geojson", "ua_hromadas_simplified_vadymnes.geojson")
    args = ["run", SCENARIO, "--no-maps", "--population", str(top / given)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"; give {top} instead: it has both" in " ".join(result.output.split())
    elsewhere = CliRunner().invoke(main, [*args[:-1], str(tmp_path)])  # (no such folder above)
    assert elsewhere.exit_code == 2 and "instead" not in elsewhere.output


def test_the_timeline_places_people_as_run_does(hromada_dir, tmp_path):
    """``timeline --population``: the day's people are run's on that baseline, the table
    and page name the hromada files, and they differ from the unit-total reading."""
    import pandas as pd

    def timeline(out: Path, *extra: str) -> pd.DataFrame:
        args = ["timeline", SCENARIO, "--baselines", "deepstate:2025-08-15", "-o", str(out)]
        result = CliRunner().invoke(main, [*args, "--workers", "1", *extra])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out / "timeline.csv", comment="#")
        return table[table.table == "status"].set_index(["oblast", "status"])

    with_h = timeline(tmp_path / "h", "--population", str(hromada_dir))
    population.use(None)
    plain = timeline(tmp_path / "plain")
    head = (tmp_path / "h" / "timeline.csv").read_text(encoding="utf-8").splitlines()[:3]
    assert any(
        line.startswith("# people: hromada totals") and "kse_ua-pop-2022_hromada.csv" in line
        for line in head
    )
    assert "kse_ua-pop-2022_hromada.csv" in (tmp_path / "h" / "timeline.html").read_text()
    doc = _run("--population", str(hromada_dir), "--baseline", "deepstate:2025-08-15")
    for o in doc["scenarios"][0]["oblasts"]:
        for status, after in o["after"].items():
            got = with_h.loc[(o["oblast"], status)]
            assert got.people == pytest.approx(after["people"], rel=1e-4, abs=0.01)
            assert got.km2 == pytest.approx(after["km2"], rel=1e-4, abs=1e-3)
    # all of Donetsk is Russian-held after the swap: its whole total, the same either way
    # (each oblast holds the sum of its hromadas); the baseline's split differs
    donetsk = ("UA-14", "russia")
    assert with_h.loc[donetsk].people == pytest.approx(plain.loc[donetsk].people)
    split = abs(with_h.loc[donetsk].baseline_people - plain.loc[donetsk].baseline_people)
    assert split > 1000


@pytest.mark.parametrize("units", [None, "boundaries/ua_oblasts_minregion2020.geojson"])
def test_each_oblast_holds_the_sum_of_its_own_hromadas(hromada_dir, units):
    """Points were placed in whichever hromada outline they fell in, another oblast's too
    (simplified outlines overlap the units' edges): Chernihiv had 16,982 people more than
    its hromadas, Kyiv oblast 21,523 fewer; a town split across two hromadas had added
    3,901 people to the national total with the Minregion units."""
    import csv
    import re

    from modeller.hromadas import NO_CODE, iso_of_katottg

    extra = ["--population", str(hromada_dir)]
    if units:
        extra += ["--units", str(hromada_dir / units)]
    entry = _run(*extra)["scenarios"][0]
    assert entry["total_people"] == pytest.approx(43_489_791, abs=0.5)
    table = hromada_dir / "population/kse_ua-pop-2022_hromada.csv"
    with open(table, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["hromada_code"] != NO_CODE]
    expected: dict[str, int] = {}
    for r in rows:
        code = iso_of_katottg(r["hromada_code"])
        expected[code] = expected.get(code, 0) + int(float(r["total_population_2022"]))
    checked = 0
    for o in entry["oblasts"]:
        if o["oblast"] in expected and not re.match(r"UA-(30|40|43)$", o["oblast"]):
            got = sum(v["people"] for v in o["before"].values())
            assert got == pytest.approx(expected[o["oblast"]], abs=0.5), o["name"]
            checked += 1
    assert checked == 24


def test_the_source_names_the_listed_hromadas_that_have_no_outline(hromada_dir):
    """Their people were spread over their oblast without a word: the source now says how
    many there are, how many people they hold and in which oblasts (counted here from the
    files themselves)."""
    import csv

    from modeller import geodata
    from modeller.hromadas import NO_CODE, iso_of_katottg

    table = hromada_dir / "population/kse_ua-pop-2022_hromada.csv"
    with open(table, encoding="utf-8") as fh:
        people = {
            r["hromada_code"]: int(float(r["total_population_2022"]))
            for r in csv.DictReader(fh)
            if r["hromada_code"] != NO_CODE
        }
    shapes = json.loads(
        (hromada_dir / "boundaries/ua_hromadas_simplified_vadymnes.geojson").read_text("utf-8")
    )
    outlined = {
        f["properties"].get("COD_3") for f in shapes["features"] if f.get("geometry") is not None
    }
    without = [c for c in people if c not in outlined]
    assert 0 < len(without) < 20  # (4 in the shared files)
    names = sorted({geodata.load().units[iso_of_katottg(c)].name_en for c in without})
    source = _run("--population", str(hromada_dir))["scenarios"][0]["population"]["source"]
    said = (
        f"{len(without)} listed hromadas without an outline "
        f"({sum(people[c] for c in without):,} people; oblasts: {', '.join(names)})"
    )
    assert said in source, source
    assert "spread over their oblast" in source


def test_the_source_names_which_copy_of_each_file(hromada_dir):
    """Each hromada file is named with the start of its sha256, as --units names its file:
    a figure traced back to its inputs tells an edited copy from the published one."""
    import hashlib

    source = _run("--population", str(hromada_dir))["scenarios"][0]["population"]["source"]
    for name in (
        "boundaries/ua_hromadas_simplified_vadymnes.geojson",
        "population/kse_ua-pop-2022_hromada.csv",
    ):
        sha = hashlib.sha256((hromada_dir / name).read_bytes()).hexdigest()
        assert f"{Path(name).name} (sha256 {sha[:16]})" in source
