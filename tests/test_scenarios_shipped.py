"""The shipped scenarios, checked against independent arithmetic on the same geometry."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import shapely
from click.testing import CliRunner

from modeller import archive, baselines, geodata, metrics
from modeller.cli import main
from modeller.rounding import km2_text, people_short
from modeller.scenario import load_scenario, load_scenarios

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DONBAS = ("UA-14", "UA-09")
NORTH = ("UA-63", "UA-59", "UA-12")


def russian_in(partition, codes) -> float:
    """Russian-held km² of the baseline in the given oblasts, by direct overlay."""
    data = geodata.load()
    held = partition.held("russia", when="before")
    return sum(geodata.area_km2(shapely.intersection(held, data.geometry[c])) for c in codes)


def oblast_km2(codes) -> float:
    data = geodata.load()
    return sum(geodata.area_km2(data.geometry[c]) for c in codes)


@pytest.fixture(scope="module", params=["contact-line", "deepstate:2025-08-15"])
def baseline(request):
    if request.param.startswith("deepstate"):
        request.getfixturevalue("shared_data")
    if (
        request.param == "contact-line"
        and not (geodata.geodata_dir() / "baselines" / "contact-line.yaml").exists()
    ):
        pytest.skip("geodata/baselines/contact-line.yaml not authored yet")
    return baselines.load_baseline(request.param)


def flows_of(partition):
    return metrics.net_flows(metrics.transfers(metrics.tally(partition)))


def test_all_shipped_scenarios_validate():
    loaded = load_scenarios([SCENARIOS])
    ids = {sc.id for _, sc in loaded}
    assert {"freeze-current-lines", "full-donbas-withdrawal", "land-swap"} <= ids
    for _, sc in loaded:
        assert sc.reported, f"{sc.id} cites no source"


def test_freeze_changes_nothing_and_keeps_the_baseline(baseline):
    result = baselines.apply(baseline, load_scenario(SCENARIOS / "freeze-current-lines.yaml"))
    assert flows_of(result) == {}
    held = metrics.by_status(metrics.tally(result))
    assert held["russia"]["km2"] == pytest.approx(russian_in(baseline, geodata.load().codes))


def test_full_donbas_withdrawal_cedes_what_ukraine_holds_in_donbas(baseline):
    result = baselines.apply(baseline, load_scenario(SCENARIOS / "full-donbas-withdrawal.yaml"))
    flows = flows_of(result)
    expected = oblast_km2(DONBAS) - russian_in(baseline, DONBAS)
    assert flows[("ukraine", "russia")]["km2"] == pytest.approx(expected, rel=1e-6)
    assert set(flows) == {("ukraine", "russia")}
    # who moves: the people of the ceded land; Kramatorsk and Sloviansk among the towns
    towns = {t["name"] for t in metrics.towns_changing_hands(metrics.tally(result), 30)}
    assert {"Kramatorsk", "Slovyansk"} <= towns
    people = flows[("ukraine", "russia")]["people"]
    assert 300_000 < people < geodata.load().units["UA-14"].population


def test_land_swap_trades_donbas_for_the_northern_pockets(baseline):
    result = baselines.apply(baseline, load_scenario(SCENARIOS / "land-swap.yaml"))
    flows = flows_of(result)
    ceded = oblast_km2(DONBAS) - russian_in(baseline, DONBAS)
    returned = russian_in(baseline, NORTH)
    assert flows[("ukraine", "russia")]["km2"] == pytest.approx(ceded, rel=1e-6)
    if returned > 0:
        assert flows[("russia", "ukraine")]["km2"] == pytest.approx(returned, rel=1e-6)
    rows = metrics.transfers(metrics.tally(result))
    assert {r["oblast"] for r in rows if r["to"] == "ukraine"} <= set(NORTH)


def test_population_of_every_oblast_adds_up_to_its_official_total(baseline):
    result = baselines.apply(baseline, load_scenario(SCENARIOS / "land-swap.yaml"))
    t = metrics.tally(result)
    units = geodata.load().units
    per_oblast: dict[str, float] = {}
    for p, n in zip(result.pieces, t.people, strict=True):
        per_oblast[p.oblast] = per_oblast.get(p.oblast, 0.0) + n
    for code, unit in units.items():
        assert per_oblast[code] == pytest.approx(unit.population, rel=1e-9), code


def test_json_csv_and_markdown_carry_the_same_numbers(shared_data, tmp_path):
    args = ["run", "--no-maps", "-b", "deepstate:2025-08-15"]
    runner = CliRunner()
    doc = json.loads(runner.invoke(main, [*args, str(SCENARIOS), "--format", "json"]).output)
    one = [*args, str(SCENARIOS / "full-donbas-withdrawal.yaml")]  # the others: same code
    csv_text = runner.invoke(main, [*one, "--format", "csv"]).output
    md = runner.invoke(main, [*one, "--format", "markdown"]).output
    table = runner.invoke(main, one).output
    donbas = next(s for s in doc["scenarios"] if s["id"] == "full-donbas-withdrawal")
    base = donbas["baseline"]
    assert {k: base[k] for k in ("name", "date", "source", "method")} == {
        "name": "deepstate:2025-08-15",
        "date": "2025-08-15",
        "source": archive.DAILY_SOURCE,
        "method": "snapshot file deepstatemap_data_20250815.geojson, copied at midnight UTC "
        "opening its date, so DeepState's updates up to the evening before or earlier, its "
        "holes under 0.5 km² filled, clipped to the units",
    }
    # the outline reconciliation and the area outside the units, in every format
    assert base["reconciled_km2"] == pytest.approx(
        sum(r["km2"] for r in base["reconciled"]), rel=1e-9
    )
    assert 800 < base["reconciled_km2"] < 1100 and 1500 < base["outside_units_km2"] < 2200
    assert "no" in base["grey_zone"] or "none" in base["grey_zone"]
    for text in (md, table):
        assert "outline reconciliation" in text and "outside the units" in text
    ceded = next(c for c in doc["comparison"] if c["id"] == "full-donbas-withdrawal")
    km2 = km2_text(ceded["ukraine_cedes_km2"])  # rounded for reading; exact in JSON/CSV
    people = people_short(*(ceded[f"ukraine_cedes_people{e}"] for e in ("", "_low", "_high")))
    for text in (md, table):
        assert km2 in text and "deepstate:2025-08-15" in text
    assert people in md and people.split(" (")[0] in table  # the terminal may wrap a cell
    rows = list(csv.reader(io.StringIO(csv_text)))  # (a source's text may hold commas)
    head = rows[0]
    records = [dict(zip(head, r, strict=False)) for r in rows[1:]]
    transfers = [
        r for r in records if r["table"] == "transfer" and r["scenario"] == "full-donbas-withdrawal"
    ]
    assert {r["data_version"] for r in records} == {doc["data_version"]}
    luhansk = [
        r
        for r in records
        if r["table"] == "reconciled"
        and r["scenario"] == "full-donbas-withdrawal"
        and r["oblast"] == "UA-09"
    ]
    moved = next(x["km2"] for x in base["reconciled"] if x["oblast"] == "UA-09")
    assert [float(r["km2"]) for r in luhansk] == [pytest.approx(moved, abs=0.01)]
    assert sum(float(r["km2"]) for r in transfers) == pytest.approx(
        ceded["ukraine_cedes_km2"], abs=0.05
    )
    # statuses add up to 100 % and to the total area
    for s in doc["scenarios"]:
        assert sum(x["pct"] for x in s["statuses"]) == pytest.approx(100.0)
        assert sum(x["km2"] for x in s["statuses"]) == pytest.approx(s["total_km2"])
