"""The timeline on the real DeepState archive: equal to per-baseline ``run``, month-end
baselines, the Dask path, the table formats and the command line's errors."""

from __future__ import annotations

import json
import os
import signal
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from modeller import (
    archive,
    baselines,
    geodata,
    interrupts,
    report,
    timeline_notes,
    timeline_plan,
    timeline_rows,
    timeline_run,
    timeline_table,
    timeline_write,
)
from modeller.cli import main
from modeller.errors import InputError
from modeller.scenario import load_scenarios

REPO = Path(__file__).resolve().parent.parent
# a month-end date, the archive's first day, two consecutive days (the second reuses the
# first's work), the 20-point draft's date (a pinhole filled, see modeller.pockets) and the
# archive's last day
SAMPLE = ["2022-09-30", "2024-07-08", "2025-08-14", "2025-08-15", "2025-12-24", "2026-08-22"]

# scenarios the shipped ones may lack: a band on both sides next to a custom status with
# near/split selectors and recognition, and a Ukrainian-side band in two oblasts
EXTRA = {
    "band-both.yaml": """
id: band-both
title: A 15 km demilitarised band on both sides of the line in Zaporizhzhia and Kherson
statuses: {dmz: {label: DMZ, colour: "#7570b3"}}
steps:
  - assign: dmz
    where: {oblast: [Zaporizhzhia, Kherson], band: {along: contact, km: 15, side: both}}
  - assign: russia
    where: {near: {place: Enerhodar, km: 12}}
    recognition: de_facto
""",
    "band-ukraine.yaml": """
id: band-ukraine
title: Ukraine pulls back 10 km in Donetsk and Kharkiv; Kramatorsk side of a line neutral
statuses: {neutral: {label: Neutral, colour: "#1b9e77"}}
steps:
  - assign: russia
    where: {oblast: [Donetsk, Kharkiv], band: {along: contact, km: 10, side: ukraine}}
  - assign: neutral
    where:
      split: {oblast: Donetsk, line: [Siversk, Bakhmut, Toretsk], keep: Kramatorsk}
      held_by: ukraine
""",
}


@pytest.fixture(scope="module")
def scenario_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("timeline-scenarios")
    for name, text in EXTRA.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [REPO / "scenarios", folder]


@pytest.fixture(scope="module")
def sample(shared_data) -> list[archive.Snapshot]:
    available = archive.snapshots()
    picked = [s for s in available if s.day.isoformat() in SAMPLE]
    assert [s.day.isoformat() for s in picked] == SAMPLE
    return picked


@pytest.fixture(scope="module")
def table(scenario_files, sample) -> timeline_table.Table:
    return timeline_run.build_table(load_scenarios(scenario_files), sample, workers=2)


def _rows(t: timeline_table.Table) -> dict[tuple, dict]:
    c = t.columns
    out = {}
    for i in range(len(t)):
        key = (c["date"][i], c["scenario"][i], c["oblast"][i], c["status"][i])
        out[key] = {n: float(c[n][i]) for n in timeline_rows.COLUMNS[5:]}
    return out


def _close(a: float, b: float, what: str) -> None:
    """Equal to 0.01 % of the figure (and to a millionth of a km² / person near zero)."""
    assert abs(a - b) <= max(1e-4 * abs(b), 1e-3), f"{what}: timeline {a} vs run {b}"


def test_timeline_equals_run_on_each_baseline(scenario_files, sample, table):
    got = _rows(table)
    checked = 0
    for snap in sample:
        base = baselines.load_baseline(snap.spec)
        for path, sc in load_scenarios(scenario_files):
            entry = report.scenario_entry(baselines.apply(base, sc), path).to_dict()
            day = snap.day.isoformat()
            seen = set()
            for o in entry["oblasts"]:
                for status in o["before"].keys() | o["after"].keys():
                    after = o["after"].get(status, {"km2": 0.0, "people": 0.0})
                    before = o["before"].get(status, {"km2": 0.0, "people": 0.0})
                    if max(after["km2"], before["km2"]) < 1e-6:
                        continue
                    key = (day, sc.id, o["oblast"], status)
                    row = got.get(key)
                    assert row is not None, f"missing row {key}"
                    for name, value in (
                        ("km2", after["km2"]),
                        ("people", after["people"]),
                        ("baseline_km2", before["km2"]),
                        ("baseline_people", before["people"]),
                    ):
                        _close(row[name], value, f"{key} {name}")
                    seen.add(key)
                    checked += 1
            # what changes hands: the run's transfers, summed per (oblast, from)
            lost: dict[tuple, list[float]] = {}
            for tr in entry["transfers"]:
                acc = lost.setdefault((day, sc.id, tr["oblast"], tr["from"]), [0.0, 0.0])
                acc[0] += tr["km2"]
                acc[1] += tr["people"]
            for key, (km2, people) in lost.items():
                if key in got:
                    _close(got[key]["lost_km2"], km2, f"{key} lost_km2")
                    _close(got[key]["lost_people"], people, f"{key} lost_people")
            extra = {k for k in got if k[0] == day and k[1] == sc.id} - seen
            assert not extra, f"rows the run does not have: {sorted(extra)[:3]}"
    assert checked > 1000
    # the custom statuses, bands and recognition really were exercised
    statuses = set(table.columns["status"].tolist())
    assert {"dmz", "neutral", "russia", "ukraine"} <= statuses
    assert "recognition=de_facto" in set(table.attrs["attrs"].tolist())
    dmz = table.columns["scenario"] == "band-both"
    assert table.columns["km2"][dmz & (table.columns["status"] == "dmz")].min() > 1000


def test_month_end_file_gives_dated_baselines(shared_data):
    path = shared_data / "deepstate" / "monthly_2022-04_2024-07.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    expected = [f["properties"]["date"] for f in features]
    month_ends = [s for s in archive.snapshots() if s.feature is not None]
    assert [s.day.isoformat() for s in month_ends] == expected
    assert len(expected) == 28
    snap = next(s for s in month_ends if s.day.isoformat() == "2023-06-29")
    base = baselines.load_baseline("deepstate:2023-06-29")
    assert base.baseline.source == archive.MONTHLY_SOURCE
    held = float(
        sum(a for p, a in zip(base.pieces, base.areas_km2, strict=True) if p.before == "russia")
    )
    reported = next(
        f["properties"]["occupied_km2"] for f in features if f["properties"]["date"] == "2023-06-29"
    )
    # clipped to the units: DeepState's coastline and border slivers fall away (~1.5 %)
    assert 0.97 * reported < held < reported
    assert geodata.area_km2(snap.territory()) == pytest.approx(
        geodata.area_km2(baselines.load_baseline(snap.spec).held("russia", when="before")),
        rel=0.03,
    )
    picked = archive.select("deepstate:2022-04-30..2022-12-31", archive.snapshots())
    assert [s.day.month for s in picked] == list(range(4, 13))


def test_workers_reading_ahead_stop_when_the_plan_fails(scenario_files, sample, monkeypatch):
    """The workers start on their chunks before the plan exists; when making it fails,
    they stop and the plan's error is what the caller gets (no hang, no other error)."""
    from modeller.errors import InputError

    def fails(*args, **kwargs):
        raise InputError("no plan today")

    monkeypatch.setattr(timeline_run, "make_plan", fails)
    with pytest.raises(InputError, match="no plan today"):
        timeline_run.build_table(load_scenarios(scenario_files), sample, workers=2)


def test_dask_cluster_gives_the_same_table(scenario_files, sample, table):
    distributed = pytest.importorskip("distributed", reason="pip install -e '.[dask]'")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        remote = timeline_run.build_table(
            load_scenarios(scenario_files), sample, scheduler=cluster.scheduler_address
        )
    assert len(remote) == len(table)
    for name in timeline_rows.COLUMNS:
        a, b = remote.columns[name], table.columns[name]
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)
        else:
            assert a.tolist() == b.tolist()
    assert remote.attrs["km2"].tolist() == pytest.approx(table.attrs["km2"].tolist())


def test_formats_carry_the_same_numbers(table, tmp_path):
    csv_path = timeline_write.write_table(table, tmp_path / "t.csv", "csv")
    json_path = timeline_write.write_table(table, tmp_path / "t.json", "json")
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    comments = [x for x in lines if x.startswith("#")]
    assert lines[0].startswith("# modeller") and lines[len(comments)].startswith("table,date,")
    # units and the outline reconciliation of every DeepState date, as comment lines
    assert "units: embedded" in comments[0]
    assert any("outline reconciliation moved" in x and "outside the units" in x for x in comments)
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    # the CSV alone says what the JSON says of where the figures come from
    assert f"# method: {doc['method']}" in comments
    assert any(x.startswith("# sources: ") and "GeoNames" in x for x in comments)
    for sc in doc["scenarios"]:
        assert any(x.startswith(f"# scenario {sc['id']} #{sc['hash']}: ") for x in comments)
    assert len(doc["rows"]) == len(table) == sum(1 for x in lines if x.startswith("status,"))
    assert [b["date"] for b in doc["baselines"]] == SAMPLE
    first = doc["rows"][0]
    assert first["km2"] == pytest.approx(float(table.columns["km2"][0]), abs=0.005)
    pq = pytest.importorskip("pyarrow.parquet", reason="pip install -e '.[parquet]'")
    back = pq.read_table(timeline_write.write_table(table, tmp_path / "t.parquet", "parquet"))
    status = back.filter(back.column("table").to_numpy(zero_copy_only=False) == "status")
    np.testing.assert_allclose(status.column("people").to_numpy(), table.columns["people"])
    assert b"modeller" in back.schema.metadata
    assert str(back.schema.field("date").type) == "date32[day]"  # a date, not text
    names = dict(zip(table.columns["oblast"], table.columns["oblast_name"], strict=True))
    assert len(table.attrs["oblast"]) and [names[o] for o in table.attrs["oblast"]] == list(
        table.attrs["oblast_name"]
    )  # attrs rows name their oblast too (had been empty)
    days = {d.isoformat() for d in status.column("date").to_pylist()}
    assert days == set(SAMPLE)
    # the method says what the people figures are here: one central estimate, no range
    assert "central estimate" in doc["method"] and "with a range" not in doc["method"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--baselines", "deepstate:2026-01-01..2025-01-01"], "after its end 2025-01-01"),
        (["--baselines", "deepstate:..2022-04-29"], "before the archive's first day"),
        (["--baselines", "deepstate:2010-01-01..2011-01-01"], "available: daily 2024-07-08"),
        (["--baselines", "deepstate:2025-02-30..2025-03-01"], "not a calendar date"),
        (["--baselines", "deepstate:2025-01-01..", "--every", "7x"], "bad --every"),
        (["--baselines", "deepstate:2021-05-05"], "month-end 2022-04-30"),
        (["--baselines", "deepstate:yesterday"], "bad baseline range"),
        # echoed as written, not lower-cased ('2025-08-03T00' had read '…t00')
        (["--baselines", "DeepState:2025-08-03T00"], "range 'DeepState:2025-08-03T00'"),
        (["--baselines", "deepstate:own"], "deepstate:own is run's"),  # (not "bad range")
    ],
)
def test_cli_errors_say_what_is_valid(shared_data, tmp_path, args, message):
    result = CliRunner().invoke(
        main, ["timeline", str(REPO / "scenarios"), *args, "--out", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_a_mistyped_range_is_said_as_such_without_an_archive(tmp_path, monkeypatch):
    """Without an archive, 'deepstate:2025-13-01..' and a reversed range had been told
    "no DeepState archive found" (true, but the date was wrong too); workers=0 as well."""
    import modeller

    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "nothing"))
    monkeypatch.delenv("MODELLER_DEEPSTATE_DIR", raising=False)
    for spec, said in [
        ("deepstate:2025-13-01..2025-08-01", "2025-13-01 is not a calendar date"),
        ("deepstate:2025-08-01..2025-07-01", "starts on 2025-08-01, after its end 2025-07-01"),
        ("deepstate:..2025-02-30", "2025-02-30 is not a calendar date"),
        ("deepstate:2025-08-01..2025-08-05", "no DeepState archive found"),
    ]:
        result = CliRunner().invoke(
            main, ["timeline", "land-swap", "--baselines", spec, "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 2 and said in result.output, result.output
        with pytest.raises(modeller.InputError, match=said):
            modeller.timeline(["land-swap"], spec)
    with pytest.raises(modeller.InputError, match="workers must be a whole number"):
        modeller.timeline(["land-swap"], "deepstate:2025-08-01..2025-08-05", workers=0)
    assert not (tmp_path / "o").exists()


def test_cli_writes_table_and_page_and_ctrl_c_writes_nothing(shared_data, tmp_path, monkeypatch):
    out = tmp_path / "tl"
    args = ["timeline", str(REPO / "scenarios" / "full-donbas-withdrawal.yaml")]
    args += ["--baselines", "deepstate:2025-08-01..2025-08-15", "--every", "7d", "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".modeller-timeline",
        "timeline.csv",
        "timeline.html",
    ]
    rows = [x for x in (out / "timeline.csv").read_text().splitlines() if x.startswith("status")]
    assert {x.split(",")[1] for x in rows} == {"2025-08-01", "2025-08-08", "2025-08-15"}
    before = (out / "timeline.csv").read_bytes()

    def interrupted(table, path):  # Ctrl-C half-way through writing the table
        path.write_text("table,date,scenario\nstatus,2025-", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(timeline_write, "_write_csv", interrupted)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 130
    assert "no file half-written (complete: nothing written)" in result.output
    assert (out / "timeline.csv").read_bytes() == before  # the old file, untouched
    # no temp file left behind either
    assert sorted(p.name for p in out.iterdir()) == [
        ".modeller-timeline",
        "timeline.csv",
        "timeline.html",
    ]


def test_changed_segments_are_the_set_difference_both_ways():
    """``changed_since`` (binary search of sorted keys, a day's order reused) equals the
    plain definition with ``np.isin``, repeated keys and empty days included."""
    from modeller.timeline_day import changed_since, key_order

    rng = np.random.default_rng(7)
    for _ in range(200):
        n, m = rng.integers(0, 40, 2)
        keys, old = (rng.integers(0, 25, k).astype(np.uint64) for k in (n, m))
        seg, old_seg = rng.random((n, 4)), rng.random((m, 4))
        want = np.vstack([seg[~np.isin(keys, old)], old_seg[~np.isin(old, keys)]])
        assert np.array_equal(changed_since(keys, seg, old, old_seg), want)
        orders = (key_order(keys), key_order(old))
        assert np.array_equal(changed_since(keys, seg, old, old_seg, orders), want)


def test_without_paths_every_shipped_scenario_and_ids_work(shared_data, tmp_path):
    out = tmp_path / "all"
    args = ["timeline", "--baselines", "deepstate:2025-08-14..2025-08-15", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    shipped = {sc.id for _, sc in load_scenarios([])}
    rows = [x.split(",") for x in (out / "timeline.csv").read_text().splitlines()]
    assert {r[2] for r in rows if r[0] == "status"} == shipped and len(shipped) > 5
    one = tmp_path / "one"
    args = ["timeline", "land-swap", "--baselines", "deepstate:2025-08-15", "-o", str(one)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = [x.split(",") for x in (one / "timeline.csv").read_text().splitlines()]
    assert {r[2] for r in rows if r[0] == "status"} == {"land-swap"}


def test_timeline_without_reconciliation_equals_run(scenario_files, sample, monkeypatch):
    """--no-reconcile had crashed on every DeepState day ('NoneType' object is not
    subscriptable: no strips, so the per-tile strip flags were never made)."""
    monkeypatch.setenv("MODELLER_RECONCILE", "0")
    days = [s for s in sample if s.day.isoformat() in ("2025-08-14", "2025-08-15")]
    loaded = [
        (p, sc)
        for p, sc in load_scenarios(scenario_files)
        if sc.id in ("land-swap", "band-ukraine")
    ]
    got = _rows(timeline_run.build_table(loaded, days, workers=1))
    checked = 0
    for snap in days:
        base = baselines.load_baseline(snap.spec)
        assert base.baseline.reconciled is None  # as drawn: no strips
        for path, sc in loaded:
            entry = report.scenario_entry(baselines.apply(base, sc), path).to_dict()
            for o in entry["oblasts"]:
                for status, after in o["after"].items():
                    if after["km2"] < 1e-6:
                        continue
                    row = got[(snap.day.isoformat(), sc.id, o["oblast"], status)]
                    _close(row["km2"], after["km2"], f"{snap.day} {sc.id} {o['oblast']} {status}")
                    _close(row["people"], after["people"], f"{snap.day} {sc.id} people")
                    checked += 1
    assert checked > 40


JUMP = {
    "a-noop.yaml": "id: a-noop\ntitle: No change\nsteps:\n  - assign: ukraine\n"
    "    where: {held_by: ukraine}\n",
    "b-disc.yaml": "id: b-disc\ntitle: Kurakhove disc\nsteps:\n  - assign: ukraine\n"
    "    where: {near: {place: Kurakhove, km: 3}}\n",
    "c-band.yaml": "id: c-band\ntitle: Band\nstatuses: {dmz: {label: DMZ, colour: '#7570b3'}}\n"
    "steps:\n  - assign: dmz\n    where: {band: {along: contact, km: 5, side: russia}}\n",
}


def test_land_that_changes_hands_far_from_any_changed_edge_is_measured_again(shared_data, tmp_path):
    """Between 2024-07-08 and 2025-08-15 the Kurakhove disc (an atom of its own) changed
    hands wholly, far from any edge that changed on the second day's map; with a band
    scenario in the set, its km² had kept the first day's holder (Donetsk 28.27 km² = π·3²
    short in every scenario). People were right."""
    for name, text in JUMP.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    loaded = load_scenarios([tmp_path])
    days = [s for s in archive.snapshots() if s.day.isoformat() in ("2024-07-08", "2025-08-15")]
    got = _rows(timeline_run.build_table(loaded, days, workers=1))
    base = baselines.load_baseline("deepstate:2025-08-15")
    for path, sc in loaded:
        entry = report.scenario_entry(baselines.apply(base, sc), path).to_dict()
        donetsk = next(o for o in entry["oblasts"] if o["oblast"] == "UA-14")
        for status, before in donetsk["before"].items():
            row = got[("2025-08-15", sc.id, "UA-14", status)]
            _close(row["baseline_km2"], before["km2"], f"{sc.id} {status} baseline_km2")
        for status, after in donetsk["after"].items():
            row = got[("2025-08-15", sc.id, "UA-14", status)]
            _close(row["km2"], after["km2"], f"{sc.id} {status} km2")


def test_day_after_day_equals_each_day_measured_afresh(scenario_files, shared_data):
    """Two weeks of the Pokrovsk advance, day after day: the band part kept between days
    (tiles and settlements measured again only near a change, and only where a band's
    side holds them; settlements that change sides are tested afresh) gives each day what
    a timeline of that day alone gives."""
    loaded = [
        (p, sc)
        for p, sc in load_scenarios(scenario_files)
        if sc.id in ("draft-20-points-2025-12", "band-both", "band-ukraine")
    ]
    days = [s for s in archive.snapshots() if "2024-08-01" <= s.day.isoformat() <= "2024-08-14"]
    assert len(days) >= 12
    daily = _rows(timeline_run.build_table(loaded, days, workers=1))
    checked = 0
    for snap in (days[4], days[-1]):
        alone = _rows(timeline_run.build_table(loaded, [snap], workers=1))
        assert {k for k in daily if k[0] == snap.day.isoformat()} == set(alone)
        for key, row in alone.items():
            for name, value in row.items():
                _close(daily[key][name], value, f"{key} {name}")
                checked += 1
    assert checked > 500
    dmz = [
        v["km2"] for k, v in daily.items() if k[1] == "draft-20-points-2025-12" and k[3] == "dmz"
    ]
    assert max(dmz) > 5000  # the band really was measured


def test_a_step_that_selects_nothing_is_warned_on_the_dates_run_warns(shared_data, tmp_path):
    """The timeline gave no warning where ``run`` says a step selects nothing: Russia
    held nothing in Sumy until 25 May 2025, and nothing ever in Lviv."""
    (tmp_path / "sumy.yaml").write_text(
        "id: sumy\ntitle: Sumy returned\nsteps:\n"
        "  - assign: ukraine\n    where: {oblast: Sumy, held_by: russia}\n"
        "  - assign: ukraine\n    where: {oblast: Lviv, held_by: russia}\n"
        "  - assign: russia\n    where: {oblast: Donetsk, held_by: ukraine}\n",
        encoding="utf-8",
    )
    loaded = load_scenarios([tmp_path / "sumy.yaml"])
    days = [s for s in archive.snapshots() if "2025-05-21" <= s.day.isoformat() <= "2025-05-27"]
    table = timeline_run.build_table(loaded, days, workers=1)
    got = table.scenarios[0]["warnings"]
    empty = {1: [], 2: [], 3: []}  # per step: whether run warns, date by date
    for snap in days:
        warned = baselines.apply(baselines.load_baseline(snap.spec), loaded[0][1]).warnings
        for n, flags in empty.items():
            flags.append(any(w.startswith(f"step {n} selects nothing") for w in warned))
    assert sum(empty[1]) == 4 and all(empty[2]) and not any(empty[3])  # the case above
    dates = [s.day for s in days]
    want = [
        f"step {n} selects nothing on {timeline_notes.date_spans(dates, np.array(flags))}"
        for n, flags in empty.items()
        if any(flags)
    ]
    assert got == want


def test_a_step_that_changes_nothing_is_warned_on_the_dates_run_warns(shared_data, tmp_path):
    """The timeline said nothing where ``run`` says a step changes nothing (its land
    already holds its status) on DeepState dates: giving Sumy to Ukraine changes nothing
    until Russia held some of it (25 May 2025); Lviv, never; a step redone, always."""
    (tmp_path / "moot.yaml").write_text(
        "id: moot\ntitle: Moot steps\nsteps:\n"
        "  - assign: ukraine\n    where: {oblast: Sumy}\n"
        "  - assign: ukraine\n    where: {oblast: Lviv}\n"
        "  - assign: russia\n    where: {oblast: Kherson}\n"
        "  - assign: russia\n    where: {oblast: Kherson}\n",
        encoding="utf-8",
    )
    loaded = load_scenarios([tmp_path / "moot.yaml"])
    days = [s for s in archive.snapshots() if "2025-05-21" <= s.day.isoformat() <= "2025-05-27"]
    got = timeline_run.build_table(loaded, days, workers=1).scenarios[0]["warnings"]
    moot = {n: [] for n in range(1, 5)}  # per step: whether run warns, date by date
    for snap in days:
        warned = baselines.apply(baselines.load_baseline(snap.spec), loaded[0][1]).warnings
        for n, flags in moot.items():
            flags.append(any(w.startswith(f"step {n} changes nothing") for w in warned))
    assert 0 < sum(moot[1]) < len(days) and all(moot[2]) and all(moot[4]) and not any(moot[3])
    dates = [s.day for s in days]
    holds = {1: "ukraine", 2: "ukraine", 4: "russia"}
    want = [
        f"step {n} changes nothing on {timeline_notes.date_spans(dates, np.array(flags))}: "
        f"the land it selects already holds '{holds[n]}'"
        for n, flags in moot.items()
        if any(flags)
    ]
    assert got == want


def test_a_rerun_removes_what_the_earlier_one_wrote_and_this_one_did_not(shared_data, tmp_path):
    """A CSV run then a JSON run had left both tables, and --no-chart the old page beside
    the new table; files the timeline did not write stay."""
    out = tmp_path / "tl"
    base = ["timeline", "land-swap", "--baselines", "deepstate:2025-08-15", "-o", str(out)]
    assert CliRunner().invoke(main, base).exit_code == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, [*base, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if p.name[0] != ".") == [
        "notes.txt",
        "timeline.html",
        "timeline.json",
    ]
    assert "removed the earlier timeline's timeline.csv" in result.output
    result = CliRunner().invoke(main, [*base, "--no-chart"])
    assert sorted(p.name for p in out.iterdir() if p.name[0] != ".") == [
        "notes.txt",
        "timeline.csv",
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_is_told_day_by_day(shared_data, workers):
    """The bar had moved a chunk at a time (0/797 for most of a run, then 200 at once)."""
    loaded = [(p, sc) for p, sc in load_scenarios([REPO / "scenarios"]) if sc.id == "land-swap"]
    days = [s for s in archive.snapshots() if "2025-08-01" <= s.day.isoformat() <= "2025-08-20"]
    told: list[int] = []
    timeline_run.build_table(loaded, days, workers=workers, progress=told.append)
    assert sum(told) == len(days) == 20
    if workers == 1:  # in this process: one call a day
        assert told == [1] * 20


def test_days_the_archive_lacks_are_said_not_skipped_silently(shared_data, tmp_path):
    """The archive has no map for 2024-08-18/19: the table and page had just left them out."""
    loaded = [(p, sc) for p, sc in load_scenarios([REPO / "scenarios"]) if sc.id == "land-swap"]
    days = [s for s in archive.snapshots() if "2024-08-15" <= s.day.isoformat() <= "2024-08-21"]
    assert len(days) == 5
    table = timeline_run.build_table(loaded, days, workers=1)
    assert [d.isoformat() for d in table.missing] == ["2024-08-18", "2024-08-19"]
    text = timeline_write.write_table(table, tmp_path / "t.csv", "csv").read_text()
    assert (
        "# no DeepState map in the archive for 2 days of this range (2024-08-18, 2024-08-19)"
        in text
    )
    doc = json.loads(timeline_write.write_table(table, tmp_path / "t.json", "json").read_text())
    assert doc["missing_days"] == ["2024-08-18", "2024-08-19"]
    # and on the terminal, where they had gone unsaid (only the outputs listed them)
    from click.testing import CliRunner

    from modeller.cli import main

    args = ["timeline", "land-swap", "--baselines", "deepstate:2024-08-15..2024-08-21"]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "tl"), "--no-chart"])
    assert result.exit_code == 0, result.output
    said = "note: no DeepState map in the archive for 2 days of this range (2024-08-18, "
    assert said in " ".join(result.stderr.split())


def test_a_range_beyond_the_archive_is_said_to_be_cut_to_it(shared_data, tmp_path):
    """'deepstate:2026-08-15..2030-01-01' ended on the archive's last day, and
    'deepstate:0001-01-01..2022-05-01' began on its first, without a word."""
    from click.testing import CliRunner

    from modeller.cli import main

    days = [s.day for s in archive.snapshots()]
    late = f"deepstate:{days[-1] - timedelta(days=3)}..2030-01-01"
    early = f"deepstate:0001-01-01..{days[0] + timedelta(days=1)}"
    for spec, said in ((late, f"last map is of {days[-1]}"), (early, f"first map is of {days[0]}")):
        args = ["timeline", "land-swap", "--baselines", spec, "--no-chart"]
        result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / spec[-4:])])
        assert result.exit_code == 0, result.output
        text = " ".join(result.stderr.split())
        assert f"note: {spec} runs beyond the archive (its {said}): its days within it" in text
    inside = f"deepstate:{days[-1] - timedelta(days=3)}..{days[-1]}"
    for quiet in (inside, "deepstate:.."):  # (open ends: the whole archive)
        notes: list[str] = []
        assert archive.parse_specs(quiet, None, notes)[0] and notes == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_timeline_alone_stops_its_workers_at_once(shared_data, tmp_path, signum):
    """A SIGTERM to the parent alone (as systemd, CI runners and ``timeout`` send it) left
    its workers running with nobody to read them; a SIGINT alone waited for every chunk
    to finish (283 s on the full archive) before saying it was interrupted. The SIGTERM
    left the plan handed to the workers (5 MB) in a temporary folder for good."""
    import os
    import subprocess
    import sys
    import time

    args = ["timeline", "draft-20-points-2025-12", "--baselines", "deepstate:2024-07-08.."]
    temp = tmp_path / "temp"
    temp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "modeller", *args, "-o", str(tmp_path / "tl")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        workers = [int(x) for x in kids.read_text().split()] if kids.exists() else []
    assert len(workers) == 2, "the timeline did not start its two workers"
    time.sleep(2.0)  # measuring now
    assert [p.name[:18] for p in temp.iterdir()] == ["modeller-timeline-"]
    proc.send_signal(signum)
    proc.communicate(timeout=15)

    def running(pid: int) -> bool:  # a zombie (dead, not yet reaped) is not running
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        return "\nState:\tZ" not in status

    deadline = time.monotonic() + 5
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [w for w in workers if running(w)]
    assert not alive, f"workers left running after {signum!r}"
    assert proc.returncode in (130, -signal.SIGTERM, 143)
    assert not (tmp_path / "tl" / "timeline.csv").exists()
    assert not list(temp.iterdir()), "a temporary folder was left behind"


@pytest.mark.parametrize("after", [1.0, 2.5, 4.0])
def test_ctrl_c_in_a_terminal_stops_the_timeline_with_one_line(shared_data, tmp_path, after):
    """Ctrl-C in a terminal reaches the whole process group: each worker raised
    KeyboardInterrupt too, and printed its traceback ("Process ForkProcess-2: …") when it
    came between chunks, or died halfway through sending a result, which the parent then
    waited for at exit, for good. The workers leave Ctrl-C to the parent now."""
    import os
    import subprocess
    import sys
    import time

    args = ["timeline", "--baselines", "deepstate:2024-07-08..2025-06-30", "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "modeller", *args, "-o", str(tmp_path / "tl")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's command has
        env={**os.environ, "MODELLER_TIMELINE_CACHE": "0"},
    )
    kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(kids.read_text().split()) < 2:
        time.sleep(0.05)
    time.sleep(after)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the timeline did not end after Ctrl-C") from None
    if proc.returncode == 0:  # (finished first on a fast machine: nothing to check)
        return
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "ForkProcess" not in err, err
    assert [line for line in err.splitlines() if line.startswith("interrupted")], err


def test_an_interrupted_command_does_not_wait_for_its_threads_at_exit():
    """After Ctrl-C the exit joined every thread, among them a process pool's, which can
    wait for ever for the rest of a result a killed worker was sending."""
    import subprocess
    import sys

    code = (
        "import threading\n"
        "from modeller import entry, interrupts\n"
        "threading.Thread(target=threading.Event().wait).start()\n"
        "interrupts._state['count'] = 1\n"
        "entry.leave(130)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], timeout=30, capture_output=True)
    assert done.returncode == 130, done.stderr


def test_a_band_that_covers_its_whole_side_is_refused_as_run_refuses_it(shared_data, tmp_path):
    """The timeline gave figures (all of Ukraine Ukrainian, exit 0) for a 300 km band on
    Russia's side, which run refuses on the same day; a deep band run accepts (120 km,
    reaching into Crimea) gives run's figures (it gave +0.019 % there: the line cut to a
    box broke into other parts than run's, and GEOS simplifies a buffer part by part)."""
    days = [s for s in archive.snapshots() if "2025-08-14" <= s.day.isoformat() <= "2025-08-16"]
    assert len(days) == 3
    deep = tmp_path / "deep.yaml"
    deep.write_text(
        "id: deep\ntitle: Deep band\nsteps:\n  - assign: ukraine\n    where: {oblast: Kharkiv}\n"
        "  - assign: ukraine\n    where: {band: {along: contact, km: 300, side: russia}}\n",
        encoding="utf-8",
    )
    from modeller.errors import InputError

    with pytest.raises(InputError) as ran:
        baselines.apply(baselines.load_baseline(days[0].spec), load_scenarios([deep])[0][1])
    assert "a 300 km band covers all land held by russia" in ran.value.message
    fine = tmp_path / "fine.yaml"
    fine.write_text(deep.read_text().replace("km: 300", "km: 120").replace("deep", "fine"))
    result = CliRunner().invoke(  # (a second scenario, of another band: the last band had
        main,  # been blamed, in its file, whichever was too deep)
        ["timeline", str(deep), str(fine), "--baselines", "deepstate:2025-08-14..2025-08-16"]
        + ["--workers", "2", "-o", str(tmp_path / "out")],
    )
    assert result.exit_code == 2, result.output
    said = result.stderr.strip().splitlines()[-1]
    # the earliest day it is too deep on (whichever worker met which day first), with
    # run's message for that day
    assert said == f"error: {deep}:7: {ran.value.message} (on deepstate:2025-08-14)", said
    assert not (tmp_path / "out" / "timeline.csv").exists()
    # on a baseline other than DeepState's (measured the plain way), named the same way
    result = CliRunner().invoke(
        main, ["timeline", str(fine), str(deep), "--baselines", "pre-2022", "-o", str(tmp_path)]
    )
    said = result.stderr.strip().splitlines()[-1]
    assert said.startswith(f"error: {deep}:7: step 2: a 300 km band covers all land"), said
    assert said.endswith("(on pre-2022)"), said
    loaded = load_scenarios([fine])
    got = _rows(timeline_run.build_table(loaded, days, workers=1))
    for snap in days:
        applied = baselines.apply(baselines.load_baseline(snap.spec), loaded[0][1])
        held: dict[tuple, float] = {}
        for piece, km2 in zip(applied.pieces, applied.areas_km2, strict=True):
            key = (snap.day.isoformat(), "fine", piece.oblast, piece.after)
            held[key] = held.get(key, 0.0) + km2
        keys = {k for k in got if k[0] == snap.day.isoformat()} | set(held)
        for key in keys:
            _close(got.get(key, {"km2": 0.0})["km2"], held.get(key, 0.0), f"{key} km2")
        assert sum(v for k, v in held.items() if k[3] == "ukraine") > 500_000  # band moved land


def test_an_archive_file_given_as_a_file_is_dated_by_its_name(shared_data, tmp_path):
    """A daily file of the archive copied and given by name was 'undated' (so no timeline
    took it), though its name carries its day; a GeoPackage is told how to date it."""
    import geopandas as gpd

    name = "deepstatemap_data_20250815.geojson"
    copy = tmp_path / name
    copy.write_bytes((shared_data / "deepstate" / "daily" / name).read_bytes())
    out = tmp_path / "tl"
    args = ["timeline", "land-swap", "--no-chart", "-f", "json", "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--baselines", f"{copy},deepstate:2025-08-16"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    dates = sorted({b["date"] for b in doc["baselines"]})
    assert dates == ["2025-08-15", "2025-08-16"], doc["baselines"]
    info = baselines.load_baseline(str(copy)).baseline
    assert info.date.isoformat() == "2025-08-15" and info.source.startswith("DeepStateMap")
    assert f"snapshot file {name}" in info.method  # read as deepstate:2025-08-15 is
    layer = tmp_path / "held.gpkg"
    gpd.read_file(copy).to_file(layer)
    result = CliRunner().invoke(main, [*args, "--baselines", str(layer)])
    assert result.exit_code == 2 and "has no date" in result.output
    # (it had said to save it as GeoJSON: a 'date' field on every feature dates a layer)
    assert 'give every feature the same "date" field' in result.output
    gpd.read_file(copy).assign(date="2025-08-15").to_file(layer)
    result = CliRunner().invoke(main, [*args, "--baselines", str(layer)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("km", [30, 300])
def test_a_deep_band_gives_runs_km2_in_every_oblast(shared_data, tmp_path, km):
    """A 100 km band gave km² up to 0.05 % off run's where its outer edge crossed an oblast,
    and a 300 km band 5 km² (0.7 %) of Kyiv city: the timeline united the buffers of runs
    of the line, run buffered the line whole, and GEOS simplifies a buffer's line by 1 %
    of the depth, part by part. Both now draw the zone one way (``bandzone``)."""
    day = next(s for s in archive.snapshots() if s.day.isoformat() == "2026-08-22")
    path = tmp_path / f"band{km}.yaml"
    path.write_text(
        f"id: band{km}\ntitle: Band\nsteps:\n  - assign: russia\n"
        f"    where: {{band: {{along: contact, km: {km}, side: ukraine}}}}\n",
        encoding="utf-8",
    )
    loaded = load_scenarios([path])
    got = _rows(timeline_run.build_table(loaded, [day], workers=1))
    applied = baselines.apply(baselines.load_baseline(day.spec), loaded[0][1])
    held: dict[tuple, float] = {}
    for piece, km2 in zip(applied.pieces, applied.areas_km2, strict=True):
        key = (day.day.isoformat(), f"band{km}", piece.oblast, piece.after)
        held[key] = held.get(key, 0.0) + km2
    if km == 300:  # its outer edge crosses Kyiv city
        assert 0 < held[(day.day.isoformat(), f"band{km}", "UA-30", "russia")] < 1_000
    for key in set(got) | set(held):
        _close(got.get(key, {"km2": 0.0})["km2"], held.get(key, 0.0), f"{key} km2")


def test_days_named_one_by_one_leave_no_gap_between_them(shared_data, tmp_path):
    """Two days asked for by name are not a range: the days between them that the archive
    lacks are none of the table's business (a note had said 2025-11-26 was left out)."""
    loaded = [(p, sc) for p, sc in load_scenarios([REPO / "scenarios"]) if sc.id == "land-swap"]
    named = "deepstate:2024-08-15,deepstate:2024-08-21"
    days, _ = archive.parse_specs(named)
    assert len(days) == 2
    assert not timeline_run.build_table(loaded, days, workers=1, specs=named).missing
    # a range around them, named too, says the days it lacks; a range without a gap, none
    ranged = named + ",deepstate:2024-08-17..2024-08-20"
    days, _ = archive.parse_specs(ranged)
    assert archive.missing_days(days, ranged) == [date(2024, 8, 18), date(2024, 8, 19)]
    assert not archive.missing_days(days, named + ",deepstate:2024-08-20..2024-08-21")


@pytest.mark.parametrize(
    "spec", ["deepstate:2024-08-18..2024-08-25", "deepstate:2024-08-10..2024-08-19"]
)
def test_days_missing_at_a_ranges_ends_are_said_too(shared_data, spec):
    """A range starting (or ending) on days the archive lacks had begun at 08-20 (or ended
    at 08-17) without a note; the same days inside a range were said to be left out."""
    days, _ = archive.parse_specs(spec)
    assert archive.missing_days(days, spec) == [date(2024, 8, 18), date(2024, 8, 19)]
    assert not archive.missing_days(*archive.parse_specs("deepstate:..2024-07-20")[:1])


@pytest.mark.parametrize("extra", ["contact-line", "undated"])
def test_a_clashing_or_undated_baseline_is_refused_before_any_day_is_measured(
    shared_data, tmp_path, monkeypatch, extra
):
    """contact-line beside deepstate:2025-08-15 (both 2025-08-15), or an undated file, was
    refused only after every DeepState day had been measured (9 s of a 9.4 s run)."""
    measured = []
    monkeypatch.setattr(timeline_run, "measure_local", lambda *a, **k: measured.append(1) or [])
    if extra == "undated":
        extra = str(tmp_path / "undated.geojson")
        square = [[[37.0, 48.0], [37.5, 48.0], [37.5, 48.5], [37.0, 48.5], [37.0, 48.0]]]
        geometry = {"type": "Polygon", "coordinates": square}
        feature = {"type": "Feature", "properties": {}, "geometry": geometry}
        doc = {"type": "FeatureCollection", "features": [feature]}
        Path(extra).write_text(json.dumps(doc), encoding="utf-8")
    loaded = load_scenarios([REPO / "scenarios" / "land-swap.yaml"])
    days = [s for s in archive.snapshots() if "2025-08-10" <= s.day.isoformat() <= "2025-08-15"]
    with pytest.raises(InputError, match="both describe 2025-08-15|has no date"):
        timeline_run.build_table(loaded, days, [extra], workers=1)
    assert not measured


def test_a_step_that_a_later_one_undoes_is_not_said_to_change_nothing(shared_data, tmp_path):
    """A 10 km disc then a 25 km one, both undone by the last step: the plan's atoms do
    not tell the ring from the disc, and the replay said the 25 km step changed nothing,
    which run does not say (it moves the ring)."""
    (tmp_path / "phased.yaml").write_text(
        "id: phased\ntitle: Phased\nphases:\n"
        "  - {id: a, title: A, steps: [{assign: russia, where: {near: {place: Kramatorsk, "
        "km: 10}}}]}\n"
        "  - {id: b, title: B, steps: [{assign: russia, where: {near: {place: Kramatorsk, "
        "km: 25}}}]}\n"
        "  - {id: c, title: C, steps: [{assign: ukraine, where: {oblast: [Donetsk], "
        "held_by: ukraine}}]}\n",
        encoding="utf-8",
    )
    loaded = load_scenarios([tmp_path / "phased.yaml"])
    days = [s for s in archive.snapshots() if "2025-08-01" <= s.day.isoformat() <= "2025-08-02"]
    got = timeline_run.build_table(loaded, days, workers=1).scenarios[0]["warnings"]
    for snap in days:
        warned = baselines.apply(baselines.load_baseline(snap.spec), loaded[0][1]).warnings
        assert not any("changes nothing" in w for w in warned), warned
    assert not any("changes nothing" in w for w in got), got


def test_more_bands_than_a_timeline_draws_say_whose_they_are_and_how_to_split(tmp_path):
    """Five scenarios with a band each (5-25 km, a sensitivity comparison): 'validate' and
    'run' took them, and the timeline said only that it handles at most 4 bands. It now
    names each band's scenarios and the timelines to run instead, before any work."""
    for km in (5, 10, 15, 20, 25):
        (tmp_path / f"band{km}.yaml").write_text(
            f"id: band-{km}\ntitle: Band {km}\n"
            'statuses:\n  dmz: {label: Zone, colour: "#7570b3"}\nsteps:\n'
            f"  - assign: dmz\n    where: {{band: {{km: {km}, side: both}}}}\n",
            "utf-8",
        )
    scenarios = [sc for _, sc in load_scenarios([tmp_path])]
    with pytest.raises(InputError) as refused:
        timeline_plan.make_plan(scenarios)
    said = refused.value.message
    assert "5 different bands" in said and "at most 4" in said
    for km in (5, 10, 15, 20, 25):
        assert f"{km} km, side both: band-{km}" in said
    assert "bands (5 km, side both: band-5; 10 km" in said  # by depth (25 km had led 5 km)
    assert "in 2 timelines ([band-10, band-15, band-20, band-25] and [band-5])" in said
    # one scenario of five bands: no split helps, and none is offered
    steps = "".join(
        f"  - assign: dmz\n    where: {{band: {{km: {km}, side: russia}}}}\n"
        for km in (5, 10, 15, 20, 25)
    )
    five = tmp_path / "five" / "five.yaml"
    five.parent.mkdir()
    five.write_text(
        'id: five\ntitle: Five\nstatuses:\n  dmz: {label: Zone, colour: "#7570b3"}\nsteps:\n'
        + steps,
        "utf-8",
    )
    with pytest.raises(InputError) as refused:
        timeline_plan.make_plan([sc for _, sc in load_scenarios([five])])
    said = refused.value.message
    assert "scenario five uses 5 different bands" in said and "timelines" not in said


def test_every_thins_ranges_and_keeps_the_days_named(shared_data):
    """'deepstate:2025-08-01..2025-08-20,deepstate:2025-08-02 --every 7d' had dropped the
    08-02 the user named: --every thins the ranges only."""
    both, _ = archive.parse_specs("deepstate:2025-08-01..2025-08-20,deepstate:2025-08-02", "7d")
    ranged, _ = archive.parse_specs("deepstate:2025-08-01..2025-08-20", "7d")
    assert [s.day for s in both] == sorted([*(s.day for s in ranged), date(2025, 8, 2)])
    # and each range's last day (a range to 15 Aug had ended on 10 Aug, weekly from 3 Aug)
    ends = [date(2025, 8, 1), date(2025, 8, 8), date(2025, 8, 15), date(2025, 8, 20)]
    assert [s.day for s in ranged] == ends
    two, _ = archive.parse_specs("deepstate:2025-08-03..2025-08-15,deepstate:2025-09-01..", "7d")
    days = [s.day for s in two]
    assert days[:4] == [date(2025, 8, 3), date(2025, 8, 10), date(2025, 8, 15), date(2025, 9, 1)]
    assert days[-1] == archive.snapshots()[-1].day  # the archive's last, where the range ends


def test_figures_carry_no_rounding_residues(shared_data, tmp_path):
    """Sums and differences of km² had left -1.5e-11 where a figure is 0: a negative
    baseline area and a negative 'gained' in the Parquet file (whose figures are not
    rounded as the CSV's are) and in the API's DataFrame."""
    pq = pytest.importorskip("pyarrow.parquet", reason="pip install -e '.[parquet]'")
    days = [s for s in archive.snapshots() if "2025-08-01" <= s.day.isoformat() <= "2025-08-10"]
    table = timeline_run.build_table(load_scenarios([REPO / "scenarios"]), days, workers=1)
    back = pq.read_table(timeline_write.write_table(table, tmp_path / "t.parquet", "parquet"))
    figures = [n for n in back.column_names if str(back.column(n).type) == "double"]
    assert len(figures) >= 10
    for name in figures:
        values = back.column(name).to_numpy(zero_copy_only=False)
        values = values[~np.isnan(values)]
        tiny = values[(values != 0) & (np.abs(values) < 1e-6)]
        assert not len(tiny), (name, tiny[:3])
        assert not (np.signbit(values) & (values == 0)).any(), name  # no -0.0 either
        if not name.startswith("change"):
            assert (values >= 0).all(), (name, values.min())


def test_dates_held_mostly_outside_the_units_are_doubted_as_run_doubts_one(
    shared_data, tmp_path, monkeypatch
):
    """``run`` warns when a tenth of a DeepState map's Russian-held land lies outside the
    units (land beyond Ukraine marked held); the timeline, reading the days its own way,
    had said nothing. It now warns on those dates, with run's figures for the worst."""
    daily = tmp_path / "daily"
    daily.mkdir()
    for day in ("20250814", "20250815", "20250816"):
        name = f"deepstatemap_data_{day}.geojson"
        layer = json.loads((shared_data / "deepstate/daily" / name).read_text())
        if day == "20250815":  # 3° × 2° of Belarus marked held (~44,000 km²)
            beyond = [[[26, 52.5], [29, 52.5], [29, 54.5], [26, 54.5], [26, 52.5]]]
            layer["features"][0]["geometry"]["coordinates"].append(beyond)
        (daily / name).write_text(json.dumps(layer))
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(daily))
    monkeypatch.delenv("MODELLER_DATA_DIR", raising=False)
    loaded = load_scenarios([Path(REPO / "scenarios" / "freeze-current-lines.yaml")])
    days = archive.snapshots()
    assert [s.day.isoformat() for s in days] == ["2025-08-14", "2025-08-15", "2025-08-16"]
    table = timeline_run.build_table(loaded, days, workers=1)
    said = [w for w in table.scenarios[0]["warnings"] if "lies outside the units" in w]
    edited = baselines.apply(baselines.load_baseline("deepstate:2025-08-15"), loaded[0][1])
    [run_said] = [w for w in edited.warnings if "lies outside the units" in w]
    figures = run_said.split(" outside the units")[0]  # "43,512 km² … (27 % of it) lies"
    assert said == [
        run_said.replace(
            "Check deepstate:2025-08-15 (2025-08-15)",
            "Check DeepState's maps of 2025-08-15 (1 of 3 dates); the figures are those of "
            "2025-08-15",
        )
    ], (said, run_said)
    assert figures in said[0]
    for day in ("2025-08-14", "2025-08-16"):  # the maps as DeepState drew them: no doubt
        plain = baselines.apply(baselines.load_baseline(f"deepstate:{day}"), loaded[0][1])
        assert not [w for w in plain.warnings if "lies outside the units" in w]


def test_the_plans_tiles_tile_each_atom_and_each_point_gets_a_tile_that_holds_it():
    """The plan's tiles (a grid's squares inside an atom kept whole, the rest overlaid) add
    up to their atom, and each population point's tile, found square by square, holds
    it; a point no tile holds gets -1, as from a tree of all the tiles."""
    import shapely

    from modeller import population
    from modeller.scenario import load_scenario

    sc = load_scenario(REPO / "scenarios" / "land-swap.yaml")
    geom = timeline_plan.make_plan([sc]).geometry
    per_atom = np.bincount(geom.tile_atom, weights=geom.tile_km2, minlength=len(geom.atoms))
    assert np.allclose(per_atom, geom.atom_km2, rtol=1e-9)
    whole = np.isclose(geom.tile_km2, (timeline_plan.TILE_M / 1000) ** 2, rtol=1e-12)
    assert whole.sum() > len(geom.tiles) / 3  # (squares inside their atom, kept whole)
    assert (shapely.get_num_coordinates(geom.tiles[whole]) == 5).all()

    layout = population.current().layouts[population.current().central.layout]
    xy = np.vstack([layout.xy, [[-1e7, 0.0], [1e7, 1e7]]])  # (two far from Ukraine)
    got = timeline_plan._point_tiles(geom.tiles, xy)
    held = got >= 0
    assert held[:-2].mean() > 0.99 and not held[-2:].any()
    assert shapely.intersects_xy(geom.tiles[got[held]], xy[held, 0], xy[held, 1]).all()
    tree = shapely.STRtree(geom.tiles)
    in_any = np.zeros(len(xy), dtype=bool)
    in_any[tree.query(shapely.points(xy), predicate="intersects")[0]] = True
    assert (held == in_any).all()


@pytest.mark.skipif(os.name != "posix", reason="the sweep asks for processes by signal 0")
def test_a_plan_folder_left_by_a_killed_timeline_is_removed_by_the_next(tmp_path, monkeypatch):
    """A timeline killed outright (SIGKILL) left its plan's folder, ~5 MB, in the temporary
    folder for good; the next timeline removes it, and nothing of a live process's, of
    another name, or that is not a folder."""
    import subprocess
    import sys
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    dead = int(done.stdout)  # (its process has ended)
    left = tmp_path / f"{timeline_run.HANDOFF}{dead}-x1y2"
    (left / "deeper").mkdir(parents=True)
    (left / "geometry.pickle").write_bytes(b"\0" * 1000)
    live = tmp_path / f"{timeline_run.HANDOFF}{os.getpid()}-a1b2"
    live.mkdir()
    old_style = tmp_path / f"{timeline_run.HANDOFF}4xyvkba0"
    old_style.mkdir()
    a_file = tmp_path / f"{timeline_run.HANDOFF}{dead}-file"
    a_file.write_text("mine", encoding="utf-8")
    a_link = tmp_path / f"{timeline_run.HANDOFF}{dead}-link"
    a_link.symlink_to(live)
    interrupts.swept(timeline_run.HANDOFF)
    assert not left.exists()
    assert live.is_dir() and old_style.is_dir() and a_file.read_text(encoding="utf-8") == "mine"
    assert a_link.is_symlink() and live.is_dir()
