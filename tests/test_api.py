"""The public API (modeller/__init__.py, modeller/api.py) and the worked example."""

from __future__ import annotations

import runpy
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


def test_an_unknown_scenario_id_suggests_the_closest():
    with pytest.raises(InputError, match="did you mean 'land-swap'"):
        modeller.load_scenario("land-swop")


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
