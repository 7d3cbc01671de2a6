"""Speed of ``modeller run`` and ``modeller timeline`` against straightforward geopandas code.

    MODELLER_DATA_DIR=../shared/data python benchmarks/speed.py [--date 2025-08-15]
        [--repeat 5] [--sample 16] [--skip-timeline]

[run] All shipped scenarios on one DeepState date, as a user runs them (subprocesses;
      the package byte-compiled first, as ``pip install`` does; a cache folder of the
      benchmark's own), without maps, with maps drawing every image, and with maps re-run
      (the PNG/SVG images served from the cache the warm-up run filled), alternating with a
      straightforward geopandas version of the same run (``geopandas.overlay`` of the
      units with DeepState's polygons, then per step ``geopandas.overlay`` of the pieces
      with the selection; the same people model by a spatial join; with maps, one folium
      map per scenario). Medians
      of ``--repeat`` runs (wall and CPU seconds), the ratio run by run, and where the
      modeller's time goes (in-process CPU per stage). The runs after the warm-up read the
      population model and the day's costly shapes (its reconciled territory, the band's
      zone: ``modeller.geomcache``) from the cache; a cold run (nothing cached: a user's very first
      run) is timed too, without and with maps.
[timeline] ``benchmarks/timeline_benchmark.py``: the full daily archive (a subprocess,
      ``--repeat`` times: the median wall time, the largest peak memory), the
      straightforward implementation on ``--sample`` dates against the timeline on the
      same dates (ratio, agreement), and the timeline's CPU per stage with the floor:
      what reading the files and writing the table cost.

The figures and ratios are printed last. Absolute seconds depend on the machine and its
load; the ratios come from runs made side by side, in turn.
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
COLOURS = {"russia": "#d95f02", "ukraine": "#2c7fb8"}


# --- the straightforward run (a subprocess of its own, imports included) ----------------


def straightforward_run(day: str, scenarios: Path, maps: Path | None) -> None:
    """The same run the plain geopandas way: prints km² and people per scenario and status."""
    import geopandas as gpd  # noqa: F401  (what the straightforward version runs on)
    import timeline_benchmark as tb

    from modeller import archive
    from modeller.scenario import load_scenarios

    snap = next(s for s in archive.snapshots() if s.day.isoformat() == day)
    loaded = load_scenarios([scenarios])
    units, towns = tb.units_frame(), tb.towns_frame()
    frame = tb.baseline_frame(units, snap)
    base_pieces = tb.baselines.load_baseline(snap.spec).pieces
    for _, sc in loaded:
        pieces = tb.apply_steps(frame, sc, base_pieces)
        t = tb.tally_frame(pieces, towns)
        print(sc.id)
        print(t.groupby("after")[["km2", "people"]].sum().round(1).to_string())
        if maps is not None:  # one folium map per scenario: pieces coloured by status
            import folium

            shown = pieces.to_crs("EPSG:4326")
            shown["km2"] = pieces.geometry.area / 1e6
            page = folium.Map(location=[48.5, 31.5], zoom_start=6, tiles=None)
            folium.GeoJson(
                shown[["oblast", "after", "km2", "geometry"]].to_json(),
                style_function=lambda f: {
                    "fillColor": COLOURS.get(f["properties"]["after"], "#7570b3"),
                    "weight": 0.5,
                },
                tooltip=folium.GeoJsonTooltip(["oblast", "after", "km2"]),
            ).add_to(page)
            page.save(str(maps / f"{sc.id}.html"))


# --- timing ------------------------------------------------------------------------------


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one command run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, env={**os.environ, **(env or {})}
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def pairs(
    a: list[str], b: list[str], repeat: int, env: dict | None = None
) -> dict[str, list[float]]:
    """A then B, ``repeat`` times after one warm-up pair: wall and CPU of each, and A/B.
    ``env``: extra environment of A."""
    timed(a, env), timed(b)
    out: dict[str, list[float]] = {k: [] for k in ("a", "b", "a_cpu", "b_cpu", "ratio")}
    for _ in range(repeat):
        (wa, ca), (wb, cb) = timed(a, env), timed(b)
        out["a"].append(wa)
        out["b"].append(wb)
        out["a_cpu"].append(ca)
        out["b_cpu"].append(cb)
        out["ratio"].append(wb / wa)
    return out


def med(values: list[float]) -> float:
    return statistics.median(values)


def run_stages(day: str, scenarios: Path) -> dict[str, float]:
    """Where ``modeller run --no-maps`` spends CPU, stage by stage, in this process, with
    the user cache warm as for the runs timed before (a band's zone drawn once for this
    code: ~0.3 s in "applying the scenarios" on the first run after a change)."""
    clock = time.process_time
    out: dict[str, float] = {}
    me = [sys.executable, "-m", "modeller", "run", str(scenarios), "--baseline", f"deepstate:{day}"]
    subprocess.run([*me, "--no-maps"], capture_output=True, cwd=REPO, check=True)
    code = "import modeller.cli, modeller.runs, modeller.report, rich.console"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=REPO)
    assert probe.returncode == 0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["python + imports (a subprocess)"] = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    from rich.console import Console

    from modeller import geodata, population, report, report_text, runs
    from modeller.scenario import load_scenarios

    t = clock()
    geodata.load()
    out["embedded units and settlements"] = clock() - t
    kept = os.environ.get("MODELLER_CACHE_DIR")
    with tempfile.TemporaryDirectory() as tmp:  # made once and kept, then read back
        os.environ["MODELLER_CACHE_DIR"] = tmp
        t = clock()
        population.current()
        made = clock() - t
        population._default.cache_clear()
        t = clock()
        population.current()
        out[f"population model (from the cache; made: {made:.2f} s)"] = clock() - t
    if kept is None:
        del os.environ["MODELLER_CACHE_DIR"]
    else:
        os.environ["MODELLER_CACHE_DIR"] = kept
    t = clock()
    loaded = load_scenarios([scenarios])
    out["scenario files"] = clock() - t
    t = clock()
    cache = runs.BaselineCache()
    cache.get(f"deepstate:{day}")
    out["reading and clipping the DeepState day"] = clock() - t
    t = clock()
    applied = [runs.apply_one(p, sc, f"deepstate:{day}", cache) for p, sc in loaded]
    out["applying the scenarios"] = clock() - t
    t = clock()
    entries = [report.scenario_entry(a.partition, a.path, 15, a.phases) for a in applied]
    out["tallies (km², people, towns)"] = clock() - t
    t = clock()
    report_text.print_rich(report.document(entries), Console(file=io.StringIO(), width=160))
    out["printing the tables"] = clock() - t
    return out


def run_section(args) -> dict[str, float]:
    day, scenarios = args.date, str(args.scenarios)
    me = [sys.executable, "-m", "modeller", "run", scenarios, "--baseline", f"deepstate:{day}"]
    plain = [sys.executable, str(Path(__file__).resolve()), "straightforward-run", day, scenarios]
    compileall.compile_dir(REPO / "modeller", quiet=1)  # what pip install does
    print(f"[run] {scenarios}, deepstate:{day}, {args.repeat} runs each after a warm-up")
    with tempfile.TemporaryDirectory() as tmp:
        ours = {"MODELLER_CACHE_DIR": str(Path(tmp) / "cache")}
        cold = {
            "MODELLER_IMAGE_CACHE": "0",
            "MODELLER_POPULATION_CACHE": "0",
            "MODELLER_GEOMETRY_CACHE": "0",
        }
        no_maps = pairs([*me, "--no-maps"], plain, args.repeat, ours)
        maps_a = [*me, "--out", str(Path(tmp) / "a")]
        (Path(tmp) / "b").mkdir()
        plain_maps = [*plain, "--maps", str(Path(tmp) / "b")]
        # every image drawn (the first run of these scenarios on this day) ...
        maps = pairs(maps_a, plain_maps, args.repeat, {**ours, "MODELLER_IMAGE_CACHE": "0"})
        # ... and a re-run: the images come from the cache the warm-up run filled
        rerun = pairs(maps_a, plain_maps, args.repeat, ours)
        # a user's very first run: nothing in the cache (ratios against the runs above)
        cold_runs = {
            key: [timed(cmd, {**ours, **cold}) for _ in range(args.repeat)]
            for key, cmd in (("no_maps", [*me, "--no-maps"]), ("maps", maps_a))
        }
    for key, plain_runs in (("no_maps", no_maps), ("maps", maps)):
        walls = [w for w, _ in cold_runs[key]]
        plain_runs["cold"] = walls
        plain_runs["cold_cpu"] = [c for _, c in cold_runs[key]]
        plain_runs["cold_ratio"] = [med(plain_runs["b"]) / w for w in walls]
    for label, r in (
        ("without maps", no_maps),
        ("with maps, every image drawn", maps),
        ("with maps, re-run (images cached)", rerun),
        # (the straightforward code keeps nothing between runs: its cold runs are the
        # warm ones, timed once above)
        ("cold: without maps, nothing cached", {**no_maps, **_cold(no_maps)}),
        ("cold: with maps, nothing cached", {**maps, **_cold(maps)}),
    ):
        print(
            f"  {label}: modeller {med(r['a']):.2f} s wall ({med(r['a_cpu']):.2f} s CPU), "
            f"straightforward {med(r['b']):.2f} s wall ({med(r['b_cpu']):.2f} s CPU); "
            f"ratio {med(r['ratio']):.1f}x (runs: {', '.join(f'{x:.1f}' for x in r['ratio'])})"
        )
    print("  (the straightforward code caches nothing: its cold time is its warm time)")
    stages = run_stages(day, Path(scenarios))
    print("  where the CPU goes without maps (in-process):")
    for stage, seconds in stages.items():
        print(f"    {stage:42s} {seconds:6.3f} s")
    return {
        "cold": med(no_maps["cold"]),
        "cold_maps": med(maps["cold"]),
        "run": med(no_maps["a"]),
        "run_cpu": med(no_maps["a_cpu"]),
        "run_ratio": med(no_maps["ratio"]),
        "maps": med(maps["a"]),
        "maps_cpu": med(maps["a_cpu"]),
        "maps_ratio": med(maps["ratio"]),
        "rerun": med(rerun["a"]),
        "rerun_cpu": med(rerun["a_cpu"]),
        "rerun_ratio": med(rerun["ratio"]),
        "floor": stages["python + imports (a subprocess)"]
        + stages["reading and clipping the DeepState day"],
    }


def _cold(r: dict) -> dict:
    """The cold runs' figures under the names the summary line reads."""
    return {"a": r["cold"], "a_cpu": r["cold_cpu"], "ratio": r["cold_ratio"]}


def timeline_section(args) -> dict[str, float]:
    import timeline_benchmark as tb

    print("[timeline]")
    return tb.measure_all(args.sample, str(args.scenarios), args.repeat)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "straightforward-run":
        maps = Path(sys.argv[sys.argv.index("--maps") + 1]) if "--maps" in sys.argv else None
        straightforward_run(sys.argv[2], Path(sys.argv[3]), maps)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2025-08-15", help="DeepState day for [run]")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command")
    parser.add_argument("--sample", type=int, default=16, help="dates for the comparison")
    parser.add_argument("--scenarios", type=Path, default=REPO / "scenarios")
    parser.add_argument("--skip-timeline", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("MODELLER_DATA_DIR"):
        sys.exit("set MODELLER_DATA_DIR=../shared/data (the DeepState archive)")
    import importlib.util

    lacking = [m for m in ("folium", "psutil") if importlib.util.find_spec(m) is None]
    if lacking:  # (said before minutes of runs, not as a traceback of the first with maps)
        sys.exit(f"the benchmark needs {', '.join(lacking)}: pip install -e '.[bench]'")
    r = run_section(args)
    t = None if args.skip_timeline else timeline_section(args)
    print()
    print(
        f"run, {args.date}, no maps: {r['run']:.2f} s wall, {r['run_cpu']:.2f} s CPU "
        f"(target <= 1.5 s); {r['run_ratio']:.1f}x the straightforward run"
    )
    print(
        f"run, {args.date}, with maps, every image drawn: {r['maps']:.2f} s wall, "
        f"{r['maps_cpu']:.2f} s CPU (target <= 3 s); {r['maps_ratio']:.1f}x the "
        "straightforward run"
    )
    print(
        f"run, {args.date}, with maps, re-run (images from the cache): {r['rerun']:.2f} s "
        f"wall, {r['rerun_cpu']:.2f} s CPU (target <= 3 s); {r['rerun_ratio']:.1f}x the "
        "straightforward run"
    )
    print(
        f"run, {args.date}, cold (nothing cached, a user's first run): {r['cold']:.2f} s "
        f"without maps, {r['cold_maps']:.2f} s with maps (wall)"
    )
    print(f"run floor (python, imports, reading the day): {r['floor']:.2f} s CPU")
    if t is not None:
        print(
            f"timeline, full daily archive x all scenarios, every day measured: "
            f"{t['wall']:.1f} s wall "
            f"(target <= 5 s), peak memory {t['peak'] / 2**30:.2f} GB (target <= 1 GB)"
        )
        print(
            f"timeline re-run, days measured before kept: {t['grown']:.1f} s after the "
            f"archive gained a day, {t['kept']:.1f} s with every day kept (wall)"
        )
        print(
            f"timeline vs straightforward on the same {t['sample']} dates: "
            f"{t['ratio']:.1f}x (target >= 20x)"
        )
        # the host's speed, which moved the wall times 2x between rounds with no code
        # changed: the timeline's wall time in straightforward dates (one date's time)
        dates = t["wall"] / t["per_date"]
        print(
            f"host: the straightforward code took {t['per_date']:.1f} s a date; the timeline "
            f"took the time of {dates:.2f} such dates, so it meets 5 s where a date takes "
            f"<= {5 / dates:.1f} s"
        )
        if t.get("band_day_ms"):
            print(
                f"timeline band: {t['band_day_ms']:.1f} ms CPU a day, against "
                f"{t['free_day_ms']:.1f} ms a day for a band-free scenario alone (all of it)"
            )
        print(
            f"timeline floor (reading {t['read']:.1f} s + writing {t['write']:.1f} s CPU): "
            f"{t['floor']:.1f} s CPU = {t['floor'] / 2:.1f} s wall on 2 cores; "
            f"CPU now {t['cpu']:.1f} s: {t['stages']}"
        )


if __name__ == "__main__":
    main()
