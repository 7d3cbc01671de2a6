"""Timeline speed: modeller vs a straightforward geopandas.overlay implementation.

    python benchmarks/timeline_benchmark.py [--sample 16] [--repeat 3]

1. ``modeller timeline scenarios/`` over the whole daily archive, as a user runs it (a
   subprocess, ``--repeat`` times: the median): wall time and peak memory (RSS of the
   process and its workers, sampled), measuring every day (``MODELLER_TIMELINE_CACHE=0``);
   then (1b) re-run with the days measured before kept: after the archive gained its last
   day, and with every day kept.
2. A straightforward implementation on ``--sample`` dates spread over the archive: per
   date, the baseline by ``geopandas.overlay`` of the units with DeepState's polygons; per
   scenario step, ``geopandas.overlay`` (intersection + difference) of the pieces with
   the step's selection (regions from ``engine.select``); km² in the equal-area CRS,
   people from the same dasymetric model (a spatial join of the settlements).
3. The modeller timeline on the same dates (in this process); the two tables must agree
   to 0.01 % per figure. Prints both times and the ratio.
4. The full archive again in this process: CPU seconds per stage (plan, read, outline,
   pockets, clip, bands, towns, rows, write; the bands' own parts: the line of contact,
   the zones, the tiles, the settlements, the rest under "bands") and the floor (reading
   the files + writing the table).
5. A band's daily cost against a band-free scenario's: the first shipped scenario with a
   band and the first without, each alone over the full archive (in this process): the
   band's CPU (its stages) per day against the band-free scenario's whole CPU per day.
   ``benchmarks/speed.py`` runs this after its ``run`` section; the targets print last.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psutil

from modeller import (
    archive,
    baselines,
    engine,
    geodata,
    population,
    reconcile,
    settings,
    timeline_plan,
    timeline_run,
    timeline_table,
    timeline_write,
)
from modeller.scenario import load_scenarios

REPO = Path(__file__).resolve().parent.parent
CRS = geodata.EQUAL_AREA


def peak_rss(
    cmd: list[str], env: dict | None = None
) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a command; wall seconds and peak RSS (bytes) summed over it and its children."""
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    ps = psutil.Process(proc.pid)
    done = threading.Event()

    def sample():  # light: 4 samples a second, child list refreshed once a second
        nonlocal peak
        procs, tick = [ps], 0
        while not done.is_set():
            try:
                if tick % 4 == 0:
                    procs = [ps, *ps.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                procs = [ps]
            tick += 1
            time.sleep(0.25)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    thread.join()
    # the largest single child as the kernel saw it (catches a peak between samples)
    peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    return wall, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


# --- the straightforward implementation -------------------------------------------------


def units_frame() -> gpd.GeoDataFrame:
    data = geodata.load()
    return gpd.GeoDataFrame(
        {"oblast": list(data.geometry)}, geometry=list(data.geometry.values()), crs=CRS
    )


def baseline_frame(units: gpd.GeoDataFrame, snap: archive.Snapshot) -> gpd.GeoDataFrame:
    """Units overlaid with the day's Russian-held polygons: (oblast, before, after)."""
    if snap.feature is None:
        held = gpd.read_file(snap.path).to_crs(CRS)
    else:
        held = gpd.read_file(snap.path).iloc[[snap.feature]].to_crs(CRS)
    territory = held.geometry.make_valid().union_all()
    if settings.reconcile():  # DeepState's border and coast against the units, as modeller does
        territory = reconcile.reconcile(territory).territory
    held = gpd.GeoDataFrame(geometry=[territory], crs=CRS)
    russia = gpd.overlay(units, held, how="intersection", keep_geom_type=True)
    ukraine = gpd.overlay(units, held, how="difference", keep_geom_type=True)
    russia["before"] = "russia"
    ukraine["before"] = "ukraine"
    frame = pd.concat([russia, ukraine], ignore_index=True)[["oblast", "before", "geometry"]]
    frame["after"] = frame["before"]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def apply_steps(frame: gpd.GeoDataFrame, scenario, base_pieces) -> gpd.GeoDataFrame:
    """Each step: overlay the pieces with the selected regions (intersection + difference)."""
    data = geodata.load()
    for _phase, _number, step in scenario.numbered_steps:
        regions = engine.select(step.where, base_pieces, load=baselines.load_baseline)
        if not regions:
            continue
        codes = list(regions)
        geoms = [data.geometry[c] if regions[c] is engine.WHOLE else regions[c] for c in codes]
        sel = gpd.GeoDataFrame({"sel_oblast": codes}, geometry=geoms, crs=CRS)
        chosen = frame[frame["oblast"].isin(codes)]
        rest = frame[~frame["oblast"].isin(codes)]
        inside = gpd.overlay(chosen, sel, how="intersection", keep_geom_type=True)
        inside = inside[inside["oblast"] == inside["sel_oblast"]].drop(columns="sel_oblast")
        inside["after"] = step.assign
        outside = [rest]
        for code, region in zip(codes, geoms, strict=True):
            part = chosen[chosen["oblast"] == code]
            one = gpd.GeoDataFrame(geometry=[region], crs=CRS)
            outside.append(gpd.overlay(part, one, how="difference", keep_geom_type=True))
        frame = gpd.GeoDataFrame(
            pd.concat([*outside, inside], ignore_index=True), geometry="geometry", crs=CRS
        )
    return frame


def tally_frame(frame: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> pd.DataFrame:
    """km² and people per (oblast, before, after), as metrics counts them: the weighted
    points of the central population model (town footprints and rural points) by a
    spatial join, each in a piece of its own unit."""
    # pieces in key order: a point on a shared edge goes to the first, as metrics does
    frame = frame.sort_values(["oblast", "before", "after"], kind="stable").reset_index(drop=True)
    frame["km2"] = frame.geometry.area / 1e6
    hits = gpd.sjoin(towns, frame[["oblast", "geometry"]], predicate="intersects")
    hits = hits[hits["oblast_left"] == hits["oblast_right"]]
    hits = hits.sort_values("index_right", kind="stable")
    hits = hits[~hits.index.duplicated(keep="first")]
    piece = hits["index_right"]
    # points a hair outside every piece of their unit (footprints on the coast): the nearest
    missing = towns.index.difference(hits.index)
    extra = {}
    for i in missing:
        own = frame[frame["oblast"] == towns.at[i, "oblast"]]
        if len(own):
            extra[i] = own.geometry.distance(towns.geometry[i]).idxmin()
    piece = pd.concat([piece, pd.Series(extra, dtype=piece.dtype)])
    weight = towns["weight"].groupby(piece).sum()
    frame["people"] = weight.reindex(frame.index, fill_value=0.0)
    return frame.groupby(["oblast", "before", "after"])[["km2", "people"]].sum().reset_index()


def towns_frame() -> gpd.GeoDataFrame:
    """The central population model's weighted points (``modeller.population``)."""
    pop = population.current()
    layout = pop.layouts[pop.central.layout]
    return gpd.GeoDataFrame(
        {"oblast": layout.unit, "weight": pop.central.weight},
        geometry=gpd.points_from_xy(layout.xy[:, 0], layout.xy[:, 1]),
        crs=CRS,
    )


def straightforward(scenarios, snaps) -> pd.DataFrame:

    units, towns = units_frame(), towns_frame()
    out = []
    for snap in snaps:
        frame = baseline_frame(units, snap)
        base_pieces = baselines.load_baseline(snap.spec).pieces  # for held_by / band selection
        for _, sc in scenarios:
            t = tally_frame(apply_steps(frame, sc, base_pieces), towns)
            t["date"], t["scenario"] = snap.day.isoformat(), sc.id
            out.append(t)
    return pd.concat(out, ignore_index=True)


def compare(table: timeline_table.Table, naive: pd.DataFrame) -> float:
    """Largest relative difference (figures above 1 km² / 100 people) between the two."""
    after = naive.groupby(["date", "scenario", "oblast", "after"])[["km2", "people"]].sum()
    c = table.columns
    ours = pd.DataFrame(
        {k: c[k] for k in ("date", "scenario", "oblast", "status", "km2", "people")}
    ).set_index(["date", "scenario", "oblast", "status"])
    ours.index.names = after.index.names
    both = ours.add_suffix("_m").join(after.add_suffix("_n"), how="outer").fillna(0.0)
    worst = 0.0
    for unit, floor in (("km2", 1.0), ("people", 100.0)):
        a, b = both[f"{unit}_m"].to_numpy(), both[f"{unit}_n"].to_numpy()
        big = np.maximum(np.abs(a), np.abs(b)) > floor
        rel = np.abs(a - b)[big] / np.abs(b)[big]
        small = np.abs(a - b)[~big]
        assert (small < max(floor * 1e-2, 1e-3)).all(), f"{unit}: small figures differ"
        worst = max(worst, float(rel.max(initial=0.0)))
    return worst


def rerun_with_kept_days(scenarios_dir: str, daily: list) -> tuple[float, float]:
    """Wall seconds of the full-archive timeline in a fresh cache folder: once all but
    the last day are kept (a user's re-run after the archive gained a day), then again
    with every day kept. Only the days of MODELLER_DATA_DIR's archive (the fresh cache
    folder has none of the days ``modeller fetch`` put in the user's)."""
    data = Path(os.environ["MODELLER_DATA_DIR"]).resolve()
    daily = [s for s in daily if s.path.resolve().is_relative_to(data)]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MODELLER_TIMELINE_CACHE": "1", "MODELLER_CACHE_DIR": tmp}
        walls = []
        for last in (daily[-2].day, daily[-1].day, daily[-1].day):
            cmd = [sys.executable, "-m", "modeller", "timeline", scenarios_dir]
            cmd += ["--baselines", f"deepstate:{daily[0].day}..{last}", "--out", tmp]
            wall, _, done = peak_rss(cmd, env)
            if done.returncode:
                sys.exit(done.stderr)
            walls.append(wall)
    return walls[1], walls[2]


def measure_all(n_sample: int, scenarios_dir: str, repeat: int = 3) -> dict:
    """The three measurements, printed as they come; the figures for the summary (the
    full archive run ``repeat`` times: the median wall time, the largest peak)."""
    daily = [s for s in archive.snapshots() if s.feature is None]
    if not daily:
        sys.exit("no DeepState archive: set MODELLER_DATA_DIR=../shared/data")
    scenarios = load_scenarios([Path(scenarios_dir)])
    first, last = daily[0].day, daily[-1].day
    print(
        f"{len(scenarios)} scenarios, daily archive {first} … {last} ({len(daily)} days), "
        f"{os.cpu_count()} cores"
    )

    os.environ["MODELLER_TIMELINE_CACHE"] = "0"  # [1]-[4] measure every day
    walls, peaks = [], []
    for _ in range(max(1, repeat)):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-m", "modeller", "timeline", scenarios_dir]
            cmd += ["--baselines", f"deepstate:{first}..{last}", "--out", tmp]
            wall, peak, done = peak_rss(cmd)
            if done.returncode:
                sys.exit(done.stderr)
        walls.append(wall)
        peaks.append(peak)
    wall, peak = float(np.median(walls)), max(peaks)
    runs = ", ".join(f"{w:.1f}" for w in walls)
    print(
        f"[1] modeller timeline, full archive, every day measured: {wall:.1f} s wall (median "
        f"of {len(walls)} runs: {runs} s), peak memory {peak / 2**30:.2f} GB "
        f"({(done.stderr.strip().splitlines() or ['no summary printed'])[-1]})"
    )
    grown, kept = rerun_with_kept_days(scenarios_dir, daily)
    print(
        f"[1b] the same with the days measured before kept (modeller.timeline_cache): "
        f"{grown:.1f} s after the archive gained its last day (only that day measured), "
        f"{kept:.1f} s with every day kept"
    )

    step = max(1, len(daily) // n_sample)
    sample = daily[::step][:n_sample]
    t0 = time.perf_counter()
    naive = straightforward(scenarios, sample)
    t_naive = time.perf_counter() - t0
    print(
        f"[2] straightforward geopandas.overlay, {len(sample)} dates: {t_naive:.1f} s "
        f"({t_naive / len(sample):.2f} s per date for all scenarios)"
    )

    t0 = time.perf_counter()
    table = timeline_run.build_table(scenarios, sample)
    t_ours = time.perf_counter() - t0
    worst = compare(table, naive)
    print(
        f"[3] modeller timeline, same {len(sample)} dates: {t_ours:.1f} s; largest "
        f"difference {worst * 100:.4f} % (limit 0.01 %)"
    )
    assert worst < 1e-4, "the two implementations disagree"
    full_naive = t_naive / len(sample) * len(daily)
    print(
        f"ratio on the same dates: {t_naive / t_ours:.1f}x; straightforward extrapolated "
        f"to the full archive: {full_naive:.0f} s = {full_naive / wall:.0f}x the modeller"
    )

    # [4] where the time goes: the full archive again, in this process, CPU per stage
    table = timeline_run.build_table(scenarios, daily)
    stages = dict(table.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.process_time()
        timeline_write.write_table(table, Path(tmp) / "timeline.csv", "csv")
        stages["write csv"] = time.process_time() - t0
    cpu = sum(v for k, v in stages.items() if k != "plan")
    print(
        "[4] CPU seconds per stage, full archive (plan: wall; read … towns: summed over "
        "the workers): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items())
    )
    floor = stages["read"] + stages["write csv"]
    print(
        f"    floor: reading the {len(daily)} files ({stages['read']:.1f} s: parse, repair "
        f"check, projection) + writing the table ({stages['write csv']:.1f} s) = {floor:.1f} "
        f"s CPU; the rest ({cpu - floor:.1f} s): outline layer, cut-off pockets, clipping, bands, "
        "towns, rows"
    )
    bands = band_costs(scenarios, daily)
    return {
        **bands,
        "grown": grown,
        "kept": kept,
        "wall": wall,
        "peak": peak,
        "ratio": t_naive / t_ours,
        "sample": len(sample),
        "per_date": t_naive / len(sample),
        "read": stages["read"],
        "write": stages["write csv"],
        "floor": floor,
        "cpu": cpu + stages["plan"],
        "stages": ", ".join(f"{k} {v:.1f}" for k, v in stages.items()),
    }


def band_costs(scenarios: list, daily: list) -> dict:
    """[5]: the CPU of the first scenario with a band and of the first without, each alone
    over the whole archive (stages summed over the workers, the plan left out); printed,
    and returned for the summary (empty when the scenarios lack either kind)."""
    banded = [item for item in scenarios if timeline_plan.distinct_bands([item[1]])]
    free = [item for item in scenarios if not timeline_plan.distinct_bands([item[1]])]
    if not banded or not free:
        print("[5] bands: the scenarios lack one with a band or one without; not measured")
        return {}
    cpu = {}
    for kind, item in (("band", banded[0]), ("free", free[0])):
        stages = dict(timeline_run.build_table([item], daily).seconds)
        stages.pop("plan", None)
        band = sum(v for k, v in stages.items() if k.startswith("bands"))
        cpu[kind] = (item[1].id, sum(stages.values()), band)
    (band_id, band_total, band), (free_id, free_total, _) = cpu["band"], cpu["free"]
    ms = 1000 / len(daily)
    print(
        f"[5] bands, each scenario alone over the {len(daily)} days (CPU): {band_id} "
        f"{band_total:.1f} s, of which its band {band:.1f} s ({band * ms:.1f} ms a day); "
        f"{free_id} {free_total:.1f} s ({free_total * ms:.1f} ms a day, everything): the band "
        f"costs {band / free_total:.2f}x a band-free scenario's whole day. Timed together, "
        "band-free scenarios share all but their rows"
    )
    return {"band_day_ms": band * ms, "free_day_ms": free_total * ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=16, help="dates for the comparison")
    parser.add_argument("--scenarios", default=str(REPO / "scenarios"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of the full archive")
    args = parser.parse_args()
    t = measure_all(args.sample, args.scenarios, args.repeat)
    print()
    print(
        f"full daily archive x all scenarios: {t['wall']:.1f} s wall (target <= 5 s), "
        f"peak memory {t['peak'] / 2**30:.2f} GB (target <= 1 GB)"
    )
    print(f"speed-up vs geopandas.overlay on the same dates: {t['ratio']:.1f}x (target >= 20x)")
    print(f"floor (reading + writing): {t['floor']:.1f} s CPU; all stages {t['cpu']:.1f} s")
    if t.get("band_day_ms"):
        print(
            f"a band: {t['band_day_ms']:.1f} ms CPU a day; a band-free scenario alone: "
            f"{t['free_day_ms']:.1f} ms a day"
        )


if __name__ == "__main__":
    settings.use_checkout_data(__file__)  # ../shared/data beside this checkout
    main()
