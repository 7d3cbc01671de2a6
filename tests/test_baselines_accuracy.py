"""Accuracy against real third-party data (DeepState, Ukrstat, hromada tables).

Every test here reads MODELLER_DATA_DIR (a folder laid out like ../shared/data) at run
time and skips, naming the missing file, when it is absent. Nothing from that folder is
copied into the repository.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from modeller import baselines, geodata, metrics

REPO = Path(__file__).resolve().parent.parent

# DeepState's own figure for 1 Jan 2026: 116,165 km² occupied, 19.25 % of Ukraine
# (published by DeepStateMap that day; quoted in ../shared/data/README.md).
DEEPSTATE_2026_01_01_KM2 = 116_165

# Ukrstat / KSE oblast names (Ukrainian, as written in the tables) -> ISO 3166-2:UA.
UKRSTAT_NAME_TO_ISO = {
    "Вінницька": "UA-05",
    "Волинська": "UA-07",
    "Дніпропетровська": "UA-12",
    "Донецька": "UA-14",
    "Житомирська": "UA-18",
    "Закарпатська": "UA-21",
    "Запорізька": "UA-23",
    "Івано-Франківська": "UA-26",
    "Київська": "UA-32",
    "Кіровоградська": "UA-35",
    "Луганська": "UA-09",
    "Львівська": "UA-46",
    "Миколаївська": "UA-48",
    "Одеська": "UA-51",
    "Полтавська": "UA-53",
    "Рівненська": "UA-56",
    "Сумська": "UA-59",
    "Тернопільська": "UA-61",
    "Харківська": "UA-63",
    "Херсонська": "UA-65",
    "Хмельницька": "UA-68",
    "Черкаська": "UA-71",
    "Чернівецька": "UA-77",
    "Чернігівська": "UA-74",
    "м.Київ": "UA-30",
}
NOT_COVERED_BY_UKRSTAT = {"UA-43", "UA-40"}  # Crimea, Sevastopol


def _name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir() -> Path:
    value = os.environ.get("MODELLER_DATA_DIR")
    if not value or not Path(value).is_dir():
        pytest.skip("MODELLER_DATA_DIR not set (or not a folder): point it at ../shared/data")
    return Path(value)


def need(data_dir: Path, relative: str) -> Path:
    path = data_dir / relative
    if not path.exists():
        pytest.skip(f"MODELLER_DATA_DIR file missing: {path}")
    return path


def _benchmark(name: str):
    """Import benchmarks/<name>.py (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def deepstate_2026(data_dir):
    path = need(data_dir, "deepstate/daily/deepstatemap_data_20260101.geojson")
    return path, baselines.load_baseline("deepstate:2026-01-01")


@pytest.fixture(scope="module")
def tally_2025(data_dir):
    need(data_dir, "deepstate/daily/deepstatemap_data_20250815.geojson")
    return metrics.tally(baselines.load_baseline("deepstate:2025-08-15"))


@pytest.fixture(scope="module")
def population_check(data_dir):
    need(data_dir, "deepstate/daily/deepstatemap_data_20250815.geojson")
    need(data_dir, "boundaries/ua_hromadas_simplified_vadymnes.geojson")
    need(data_dir, "population/kse_ua-pop-2022_hromada.csv")
    result = _benchmark("population_check").compare("2025-08-15")
    result["by_oblast"] = {r["oblast"]: r for r in result["rows"]}
    return result


@pytest.fixture(scope="module")
def ukrstat_oblasts(data_dir) -> dict[str, int]:
    """ISO code -> present population on 1 Jan 2022 from the Ukrstat oblast table."""
    path = need(data_dir, "population/ukrstat_oblast_present_pop_20220101.csv")
    out, national, uncovered = {}, None, []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name, total = _name(row["name_uk"]), row["total"].strip()
            if name == "Україна":
                national = int(total)
            elif not total.isdigit():
                uncovered.append(name)  # Crimea and Sevastopol: "…"
            else:
                assert name in UKRSTAT_NAME_TO_ISO, f"unmapped Ukrstat row {name!r}"
                out[UKRSTAT_NAME_TO_ISO[name]] = int(total)
    assert len(out) == 25 and len(uncovered) == 2, (sorted(out), uncovered)
    assert sum(out.values()) == national == 41_167_335
    return out


# --- DeepState area ----------------------------------------------------------------------


def test_deepstate_2026_russian_held_area_is_within_2pct_of_deepstates_own_figure(
    deepstate_2026,
):
    _, partition = deepstate_2026
    held = metrics.by_status(metrics.tally(partition))["russia"]["km2"]
    assert held == pytest.approx(DEEPSTATE_2026_01_01_KM2, rel=0.02)


def test_deepstate_2026_raw_geodesic_area_matches_and_clipping_loses_under_3pct(
    deepstate_2026,
):
    path, partition = deepstate_2026
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    polygon = shapely.make_valid(shapely.union_all([shape(f["geometry"]) for f in features]))
    raw = abs(Geod(ellps="WGS84").geometry_area_perimeter(polygon)[0]) / 1e6
    clipped = float(
        sum(
            a
            for p, a in zip(partition.pieces, partition.areas_km2, strict=True)
            if p.after == "russia"
        )
    )
    # The unclipped file should reproduce DeepState's figure closely (different ellipsoid
    # handling and rounding only).
    assert raw == pytest.approx(DEEPSTATE_2026_01_01_KM2, rel=0.005)
    # Clipping to the coarse Natural Earth outlines cuts coast and estuary slivers (~1.5 %).
    loss = (raw - clipped) / raw
    assert 0.0 < loss < 0.03, f"clip loss {loss:.2%}"


def test_each_daily_file_is_a_total_deepstate_published_around_the_start_of_its_day(data_dir):
    """The daily archive against DeepState's own totals (``area_daily_*.csv``, every
    snapshot of DeepState's layer, 2022-04-03 … 2025-08-03): each day's file, read as
    ``run`` and the timeline read it, has the area DeepState published for one of its
    snapshots, less a constant few km², to within 0.5 km². That snapshot is mostly the
    last before the midnight UTC that opens the file's day, so a file named D mostly holds
    DeepState's updates up to the evening of D−1; some are older (README, Baselines)."""
    import numpy as np

    from modeller import archive

    table = need(data_dir, "deepstate/area_daily_2022-04-03_2025-08-03.csv")
    with open(table, encoding="utf-8") as fh:
        rows = [
            (np.datetime64(r["utc_datetime"]), float(r["occupied_km2"])) for r in csv.DictReader(fh)
        ]  # noqa: E501
    times = np.array([t for t, _ in rows])
    totals = np.array([a for _, a in rows])
    days = [
        s for s in archive.snapshots() if s.feature is None and s.day <= rows[-1][0].item().date()
    ]  # noqa: E501
    assert len(days) >= 380, len(days)
    read = np.array([float(geodata.area_km2(s.territory())) for s in days])
    starts = np.array([np.datetime64(s.day.isoformat()) for s in days]).astype(times.dtype)
    # the total DeepState showed at midnight UTC opening each file's day
    then = totals[np.searchsorted(times, starts, side="right") - 1]
    offset = float(np.median(read - then))
    assert -10.0 < offset < 0.0, offset  # (pinholes filled, ellipsoid: a few km² less)
    at_midnight = np.abs(read - then - offset) < 0.5
    assert at_midnight.mean() > 0.75, at_midnight.mean()
    # every file (but the odd one) is some total published within a day of that midnight
    near = [
        np.abs(
            totals[(times >= t - np.timedelta64(2, "D")) & (times < t + np.timedelta64(1, "D"))]
            - a
            + offset
        ).min()  # noqa: E501
        for t, a in zip(starts, read, strict=True)
    ]
    assert np.mean(np.array(near) < 0.5) > 0.98, sorted(near)[-5:]
    # the total at the midnight closing day D matches far less often: not D's own updates
    closing = totals[np.searchsorted(times, starts + np.timedelta64(1, "D"), side="right") - 1]
    assert np.mean(np.abs(read - closing - offset) < 0.5) < 0.5 * at_midnight.mean()


# --- official populations ----------------------------------------------------------------


def test_embedded_populations_equal_the_ukrstat_oblast_table(ukrstat_oblasts):
    units = geodata.load().units
    assert set(ukrstat_oblasts) == set(units) - NOT_COVERED_BY_UKRSTAT
    mismatched = {
        code: (units[code].population, pop)
        for code, pop in ukrstat_oblasts.items()
        if units[code].population != pop or units[code].population_source != "ukrstat-2022"
    }
    assert not mismatched, f"embedded vs Ukrstat: {mismatched}"


def test_hromada_table_sums_per_oblast_equal_the_embedded_populations(data_dir):
    pops = need(data_dir, "population/kse_ua-pop-2022_hromada.csv")
    admin = need(data_dir, "population/kse_ua-admin-hromada.csv")
    with open(admin, encoding="utf-8") as fh:
        oblast_of = {r["hromada_code"]: _name(r["oblast_name"]) for r in csv.DictReader(fh)}
    sums: dict[str, int] = {}
    with open(pops, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["hromada_code"]
            # The Kyiv city row carries no KATOTTG code (written NA).
            name = "м.Київ" if code in ("", "NA") else oblast_of[code]
            iso = UKRSTAT_NAME_TO_ISO[name]
            sums[iso] = sums.get(iso, 0) + int(row["total_population_2022"])
    units = geodata.load().units
    assert set(sums) == set(units) - NOT_COVERED_BY_UKRSTAT
    assert {c: units[c].population for c in sums} == sums


def test_every_oblasts_pieces_add_up_to_its_official_population(tally_2025):
    people: dict[str, float] = {}
    for p, n in zip(tally_2025.partition.pieces, tally_2025.people, strict=True):
        people[p.oblast] = people.get(p.oblast, 0.0) + float(n)
    units = geodata.load().units
    assert set(people) == set(units)
    for code, unit in units.items():
        assert people[code] == pytest.approx(unit.population, rel=1e-6), unit.label
    # and the split is real: some oblasts are cut between the two statuses
    held = {p.oblast for p in tally_2025.partition.pieces if p.after == "russia"}
    assert {"UA-14", "UA-23", "UA-65"} <= held


# --- population check: modeller vs hromada areal weighting --------------------------------

# Measured on deepstate:2025-08-15 (benchmarks/population_check.py), town footprints and
# the rural proxy, nobody on inland water: Luhansk +0.2 %, Donetsk −1.7 %, Zaporizhzhia
# +0.9 %, Kherson +5.5 %, total −0.4 % (before them, with town points and an even rural
# remainder: Zaporizhzhia +8.7 %, Kherson +15.9 %, total +1.1 %). The reference itself is
# only good to a few per cent per oblast: it spreads each hromada's people evenly over its
# land (its area less inland water), so hromadas cut by the front are mis-split (Pokrovsk
# hromada is 57 % held by area while its town was not), and DeepState's polygon leaves the
# Dnipro floodplain and the delta's islands out (beyond the 100 m water mask), so the
# left-bank Kherson hromadas count their towns as partly Ukrainian-held.
# These still fail for the errors that matter: spreading people by area only (ignoring
# settlements) gives +6.5 % in total and +61 % in Zaporizhzhia (Zaporizhzhia city is
# Ukrainian-held); double counting any settlement weight adds millions.
TOTAL_TOLERANCE = 0.02
OBLAST_TOLERANCE = 0.06


def test_readmes_population_table_is_what_the_check_prints(population_check):
    """README's table of the check had gone stale (Kherson 526,610 where the script printed
    527,093): its modeller and hromada columns are the script's figures."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Population check", 1)[1].split("\n### ", 1)[0]
    number = r"\**([\d,]+)\**"

    def shown(label: str) -> tuple[int, int]:
        row = rf"^\| {label} \| {number} \| {number} \| {number} \|"
        found = re.search(row, section, re.MULTILINE)
        assert found, label
        return int(found[1].replace(",", "")), int(found[3].replace(",", ""))

    names = {"Luhansk": "UA-09", "Donetsk": "UA-14", "Zaporizhzhia": "UA-23"}
    names |= {"Kherson": "UA-65", "Kharkiv": "UA-63"}
    for name, code in names.items():
        row = population_check["by_oblast"][code]
        expected = (round(row["modeller_people"]), round(row["hromada_people"]))
        assert shown(name) == expected, name
    total = population_check["total"]
    expected = (round(total["modeller_people"]), round(total["hromada_people"]))
    assert shown(r"\*\*total\*\*") == expected


def test_population_check_same_footprint_and_little_unplaced(population_check):
    total, quirks = population_check["total"], population_check["quirks"]
    # Both sides measure (nearly) the same held land outside Crimea/Sevastopol.
    assert total["modeller_km2"] == pytest.approx(total["hromada_km2"], rel=0.03)
    # Only the four mainland hromadas without geometry are unplaced (< 0.5 % of people).
    assert quirks["population_unplaced"] < 0.005 * quirks["population_total"]
    assert set(population_check["by_oblast"]) >= {"UA-09", "UA-14", "UA-23", "UA-65"}
    assert not {"UA-43", "UA-40"} & set(population_check["by_oblast"])


def test_population_of_russian_held_area_total_agrees_with_hromada_estimate(population_check):
    total = population_check["total"]
    assert total["modeller_people"] == pytest.approx(total["hromada_people"], rel=TOTAL_TOLERANCE)
    # The check has teeth: spreading people by area alone would miss it.
    naive = total["naive_area_people"]
    assert abs(naive - total["hromada_people"]) > TOTAL_TOLERANCE * total["hromada_people"]


@pytest.mark.parametrize("code", ["UA-09", "UA-14", "UA-23", "UA-65"])
def test_population_of_russian_held_area_agrees_per_oblast(population_check, code):
    row = population_check["by_oblast"][code]
    assert row["modeller_people"] == pytest.approx(row["hromada_people"], rel=OBLAST_TOLERANCE)


def test_area_only_population_would_fail_the_zaporizhzhia_check(population_check):
    row = population_check["by_oblast"]["UA-23"]
    naive, reference = row["naive_area_people"], row["hromada_people"]
    assert abs(naive - reference) > 3 * OBLAST_TOLERANCE * reference


# --- contact-line accuracy ---------------------------------------------------------------


@pytest.fixture(scope="module")
def contact_line_rows(data_dir):
    module = _benchmark("contact_line_accuracy")
    path = module.embedded_path()
    if not path.exists():
        pytest.skip(f"{path.relative_to(REPO)} does not exist yet (authored separately)")
    date = baselines.load_baseline("contact-line").baseline.date
    need(data_dir, f"deepstate/daily/deepstatemap_data_{date:%Y%m%d}.geojson")
    return {r["oblast"]: r for r in module.compare()}


def test_contact_line_total_russian_held_area_within_2pct_of_deepstate(contact_line_rows):
    total = contact_line_rows["total"]
    assert total["contact_km2"] == pytest.approx(total["deepstate_km2"], rel=0.02)


@pytest.mark.parametrize("code", ["UA-14", "UA-09", "UA-23", "UA-65"])
def test_contact_line_russian_held_area_within_10pct_of_deepstate(contact_line_rows, code):
    row = contact_line_rows[code]
    assert row["contact_km2"] == pytest.approx(row["deepstate_km2"], rel=0.10), row["name"]


# Shipped scenarios whose headline is zero on every baseline by construction, so that a
# relative error means nothing: freezing the line moves no land.
ZERO_HEADLINE_SCENARIOS = {"freeze-current-lines"}


@pytest.fixture(scope="module")
def contact_line_scenario_rows(data_dir):
    module = _benchmark("contact_line_accuracy")
    date = baselines.load_baseline("contact-line").baseline.date
    need(data_dir, f"deepstate/daily/deepstatemap_data_{date:%Y%m%d}.geojson")
    return module.scenario_rows()


def test_every_shipped_scenario_with_a_headline_is_compared(contact_line_scenario_rows):
    """The 5 % check below covers every shipped scenario except the zero-headline ones."""
    shipped = {p.stem for p in (REPO / "scenarios").glob("*.yaml")}
    compared = {r["scenario"] for r in contact_line_scenario_rows}
    assert compared == shipped - ZERO_HEADLINE_SCENARIOS
    assert all(r["deepstate_km2"] > 100 for r in contact_line_scenario_rows)


def _unreconciled_crimea_km2() -> float:
    """Ukrainian-held km² of Crimea and Sevastopol on deepstate:2025-08-15.

    DeepState marks all of Crimea occupied, so any Ukrainian-held land there is an edge
    strip (the units reach past DeepState's coastline). Outline reconciliation (issue 9,
    req. 2; on unless MODELLER_RECONCILE=0) makes it Russian-held; without it the strips
    along every coast and border count as Ukrainian-held, and ~940 km² of DeepState's
    side of the comparison is wrong.
    """
    ds = baselines.load_baseline("deepstate:2025-08-15")
    return sum(
        float(geodata.area_km2(p.geometry))
        for p in ds.pieces
        if p.oblast in ("UA-43", "UA-40") and p.after != "russia"
    )


def test_shipped_scenario_headlines_on_contact_line_within_5pct_of_deepstate(
    contact_line_scenario_rows,
):
    """Issue 9 req. 4: km² Ukraine cedes / regains on contact-line vs DeepState, same day."""
    strips = _unreconciled_crimea_km2()
    if strips > 50:
        pytest.skip(
            f"deepstate:2025-08-15 still counts {strips:,.0f} km² of Crimea's edge strips as "
            "Ukrainian-held: the comparison needs outline reconciliation (MODELLER_RECONCILE)"
        )
    misses = [
        f"{r['scenario']} {r['figure']}: contact-line {r['contact_km2']:,.0f} km², "
        f"DeepState {r['deepstate_km2']:,.0f} km² ({r['diff_pct']:+.1f} %)"
        for r in contact_line_scenario_rows
        if abs(r["contact_km2"] - r["deepstate_km2"]) > 0.05 * r["deepstate_km2"]
    ]
    assert not misses, "; ".join(misses)


def test_no_contact_line_vertex_sits_on_a_town():
    """Line vertices lie between settlements, so no town is split down its middle point."""
    import numpy as np

    from modeller.scenario import load_scenario
    from modeller.scenario_selectors import point_xy

    module = _benchmark("contact_line_accuracy")
    scenario = load_scenario(module.embedded_path())
    data = geodata.load()
    near = []
    for step in scenario.steps:
        split = step.where.split
        if split is None:
            continue
        for point in split.line:
            x, y = point_xy(point)
            d = np.hypot(data.settlement_xy[:, 0] - x, data.settlement_xy[:, 1] - y)
            i = int(np.argmin(d))
            if d[i] < 500:
                near.append(f"{point!r} is {d[i]:.0f} m from {data.settlements[i].name}")
    assert not near, "; ".join(near)


def test_pre_2022_baseline_agrees_with_isw_layer_in_donbas(shared_data):
    """The authored 23 Feb 2022 line against ISW's layer of the areas held before 24 Feb."""
    path = shared_data / "control_lines" / "isw_DonbasBeforeFeb24_2022.shp"
    if not path.exists():
        pytest.skip(f"{path} absent")
    pytest.importorskip("pyogrio")
    from pyogrio.raw import read

    _meta, _index, wkb, _fields = read(path)
    isw = geodata.to_equal_area(shapely.union_all([shapely.from_wkb(g) for g in wkb]))
    base = baselines.load_baseline("pre-2022")
    units = geodata.load().geometry
    for code in ("UA-14", "UA-09"):  # Donetsk, Luhansk: the parts the authored line cuts
        mine = base.held("russia", code, when="before")
        theirs = shapely.intersection(isw, units[code])
        a, b = geodata.area_km2(mine), geodata.area_km2(theirs)
        assert a == pytest.approx(b, rel=0.05), (code, a, b)
        # Not just equal totals: the shapes overlap (symmetric difference < 8 % of the area).
        assert geodata.area_km2(shapely.symmetric_difference(mine, theirs)) < 0.08 * b
    # Nothing outside Crimea, Sevastopol, Donetsk and Luhansk is Russian-held.
    assert {p.oblast for p in base.pieces if p.before == "russia"} == {
        "UA-43",
        "UA-40",
        "UA-14",
        "UA-09",
    }
