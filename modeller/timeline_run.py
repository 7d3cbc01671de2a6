"""Run the timeline: snapshots in consecutive chunks on local processes or a Dask cluster,
then one table (date × scenario × oblast × status, ``timeline_table``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import math
import multiprocessing
import numbers
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from datetime import datetime
from pathlib import Path

import numpy as np

from . import baselines, control, geodata, reconcile, settings, timeline_cache
from .archive import Snapshot, missing_days
from .errors import InputError
from .interrupts import die_with_parent, removed_on_exit, swept
from .scenario import Scenario
from .scheduler import connect as connect_scheduler
from .timeline_measure import Geometry, Measures, measure, merge, on_each_day, share_ends
from .timeline_notes import (
    band_step_error,
    cut_off_note,
    dated_figures,
    outside_note,
    scenario_meta,
    step_warnings,
)
from .timeline_plan import Plan, make_plan
from .timeline_read import Handoff
from .timeline_rows import ATTR_COLUMNS, COLUMNS, KeyFigures, plain_figures, rows
from .timeline_sides import BandTooDeep
from .timeline_table import Rows, Table
from .yamlpos import line_in

# --- evaluation -------------------------------------------------------------------------


def chunks(items: list[Snapshot], workers: int) -> list[list[Snapshot]]:
    """Consecutive runs of snapshots (consecutive days share most of their work), for a
    Dask cluster (local workers share ``segments`` instead)."""
    if not items:
        return []
    n = max(2, math.ceil(len(items) / 256))  # a chunk starts from scratch: few, long ones
    n = workers * math.ceil(n / workers)  # equal rounds: no worker idles at the end
    size = max(8, math.ceil(len(items) / n))
    return [items[i : i + size] for i in range(0, len(items), size)]


def segments(items: list[Snapshot], workers: int) -> list[list[Snapshot]]:
    """Consecutive runs of snapshots for local workers, one per two of them: each is
    measured from both ends at once, the two workers meeting where their days' costs
    balance (``timeline_read.Claim``; a year of the busiest front costs twice a quiet
    one's)."""
    n = max(1, math.ceil(workers / 2))
    size = max(1, math.ceil(len(items) / n))
    return [items[i : i + size] for i in range(0, len(items), size)]


def measure_local(geom: Geometry, parts: list[list[Snapshot]]) -> list[Measures]:
    """Measure chunks in this process."""
    return [measure(geom, part) for part in parts]


HANDOFF = "modeller-timeline-"  # the plan's temporary folder: HANDOFF, its process id, "-"


def _plan_and_measure(
    scenarios: list[Scenario],
    ordered: list[Snapshot],
    pool,
    workers: int,
    started: float,
    advance: Callable[[int], None],
) -> tuple[Plan, float, list[Measures]]:
    """The plan made here while the workers read their first days, then handed to them
    (``Handoff``): the plan (~0.5 s, one core) no longer leaves the other idle.

    Each segment (``segments``) is two tasks, one taking its days from the first on and
    one from the last back (``Claim``); their measures are joined again, in date order.
    The scenarios are evaluated in this process: the workers are busy with their days
    (evaluation is a small part of the plan).
    """
    parts = segments(ordered, workers)
    ends = pool.segment_ends
    for slot, part in enumerate(parts):
        ends[2 * slot], ends[2 * slot + 1] = 0, len(part) - 1
    swept(HANDOFF)  # (those of timelines killed outright)
    with (
        tempfile.TemporaryDirectory(prefix=f"{HANDOFF}{os.getpid()}-") as folder,
        removed_on_exit(folder),
    ):
        handoff = Handoff(os.path.join(folder, "geometry.pickle"))
        futures = {
            pool.submit(measure, handoff, part, (slot, backward)): (slot, backward)
            for slot, part in enumerate(parts)
            for backward in (False, True)
        }
        plan = None
        gc.freeze()  # (see _count_days; thawed after, so nothing of the caller's is kept)
        try:
            plan = make_plan(scenarios)
        finally:
            gc.unfreeze()
            handoff.give(plan.geometry if plan is not None else None)  # None: workers stop
        planned = time.perf_counter() - started
        # this process only waits now: load the table writer's modules meanwhile
        threading.Thread(target=_load_writer, daemon=True).start()
        halves = _collect(futures, advance, pool)
        joined = [merge([m for m, (slot, _) in halves if slot == s]) for s in range(len(parts))]
        return plan, planned, joined


def _load_writer() -> None:
    """Import pyarrow and its CSV writer (~0.05 s, else spent after the measuring, when
    nothing else runs; its arrays are made without pandas, ``arrowcols``). Only a head
    start: any failure is left to the writer itself, and none may reach the user as a
    thread's traceback (a run that fails early exits while this may still be importing)."""
    try:
        import pyarrow  # noqa: F401
        import pyarrow.csv  # noqa: F401
    except Exception:  # e.g. "can't register atexit after shutdown"
        return


def _collect(futures: dict, advance, pool) -> list[tuple[Measures, tuple[int, bool]]]:
    """Each task's measures with its (segment, backward) in ``futures``, as they complete
    (all cancelled on an error); progress day by day from the workers' shared count
    (``_pool``).

    A band too deep is said for the earliest day it is too deep on, whichever worker met
    which day first: one found walking forward in the first segment is that day; another
    waits for the tasks that measure the days before it.
    """
    results = []
    deep: list[BandTooDeep] = []
    told = 0
    try:
        todo = set(futures)
        while todo:
            done, todo = wait(todo, timeout=0.25, return_when=FIRST_COMPLETED)
            for fut in done:
                try:
                    results.append((fut.result(), futures[fut]))
                except BandTooDeep as exc:
                    if futures[fut] == (0, False):
                        raise
                    deep.append(exc)
            finished = sum(len(m.dates) for m, _ in results if m is not None)
            now = max(finished, pool.days_done.value)
            if now > told:
                advance(now - told)
                told = now
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    if deep:
        raise min(deep, key=lambda exc: exc.day)
    return results


def _stop(pool) -> None:
    """Kill the pool's workers: shutting down would wait for each to finish its chunk
    (283 s after a Ctrl-C sent to this process alone, on the full archive)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(OSError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _count_days(counter, parent: int, ends) -> None:
    """In a worker: add each measured day to the count shared with the parent (and die
    with the parent, see ``interrupts.die_with_parent``); take days from the shared
    segment ends (``timeline_measure.share_ends``)."""
    die_with_parent(parent)
    share_ends(ends)
    # what the worker inherits (the embedded data, the modules) is never garbage: the
    # collector's full passes no longer walk it (~2 % of a timeline's CPU)
    gc.freeze()
    # Ctrl-C is the parent's to handle (it kills its workers): a terminal sends it to the
    # whole process group, and a worker raising KeyboardInterrupt printed its traceback,
    # or died in the middle of sending its result (a worker writes no file)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def tick() -> None:
        with counter.get_lock():
            counter.value += 1

    on_each_day(tick)


def _pool(workers: int):
    """Local worker processes (forked where possible: the embedded data is loaded once)."""
    geodata.load()
    if settings.reconcile():
        reconcile.outline_zone()  # once, before the fork
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    counter = context.Value("q", 0)  # days measured by all workers (progress)
    ends = context.Array("q", 2 * workers)  # per segment: next first and last day (Claim)
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_count_days,
        initargs=(counter, os.getpid(), ends),
    )
    pool.days_done, pool.segment_ends = counter, ends
    return pool


def _scenario_rows(
    scenario_id: str, keys: tuple, matrix: np.ndarray, remainder: np.ndarray, m: Measures
) -> tuple[dict, dict]:
    """One (scenario, chunk) task: key figures from the chunk's measures, then rows."""
    km2 = m.km2 @ matrix.T
    people = (m.km2 * remainder + m.weight) @ matrix.T
    return rows(KeyFigures(scenario_id, m.dates, keys, km2, people))


def evaluate_dask(
    plan: Plan, parts: list[list[Snapshot]], address: str, advance: Callable[[int], None]
) -> tuple[list[Measures], list[tuple[dict, dict]]]:
    """Chunks measured, then (scenario, chunk) tasks, on the Dask cluster at ``address``."""
    client = connect_scheduler(address)
    from distributed import as_completed as dask_completed

    try:
        geom = client.scatter(plan.geometry, broadcast=True)
        remainder = np.tile(plan.remainder_per_km2, plan.geometry.n_classes)
        measured = [client.submit(measure, geom, part, pure=False) for part in parts]
        size = {m.key: len(p) for m, p in zip(measured, parts, strict=True)}
        for fut in dask_completed(measured):
            advance(size[fut.key])
        tasks = [
            client.submit(
                _scenario_rows, sp.scenario.id, sp.keys, sp.matrix, remainder, m, pure=False
            )
            for sp in plan.scenarios
            for m in measured
        ]
        return client.gather(measured), client.gather(tasks)
    finally:
        client.close()


def build_table(
    scenarios: list[tuple[Path, Scenario]],
    snapshots: list[Snapshot],
    others: list[str] = (),
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda n: None,
    specs: str | None = None,
) -> Table:
    """The whole timeline: DeepState snapshots fast, other baseline specs the plain way.

    A step's error names the scenario's file and the step's line, as ``run`` does.
    ``specs``: the ``--baselines`` text the snapshots were chosen by (the days the archive
    lacks are looked for within its ranges, ``archive.missing_days``).
    """
    try:
        return _build_table(scenarios, snapshots, others, workers, scheduler, progress, specs)
    except InputError as exc:
        if exc.file or not exc.scenario:
            raise
        path = next((p for p, sc in scenarios if sc.id == exc.scenario), None)
        if path is None or not Path(path).is_file():
            raise InputError(f"{exc.scenario}: {exc.message}") from None
        line = line_in(path, exc.loc) if exc.loc else None
        raise InputError(exc.message, str(path), line) from None


def _load_others(others: list[str], days: list[Snapshot]) -> list[tuple[str, object]]:
    """The baselines besides DeepState's days, loaded and dated: an undated one, or two on
    one date, is an InputError before the days are measured (it had come after them all)."""
    dated = {s.day: s.spec for s in days}
    out = []
    for spec in others:
        base = baselines.load_baseline(spec)
        dated_figures(None, base.baseline)  # (an undated baseline: how to date it)
        day = base.baseline.date
        if day in dated:  # rows are keyed by date: two baselines would be added together
            raise InputError(
                f"{spec} and {dated[day]} both describe {day}; a timeline takes one baseline "
                "per date: leave one of them out of --baselines"
            )
        dated[day] = spec
        out.append((spec, base))
    return out


def _build_table(
    scenarios: list[tuple[Path, Scenario]],
    snapshots: list[Snapshot],
    others: list[str],
    workers: int | None,
    scheduler: str | None,
    progress: Callable[[int], None],
    specs: str | None,
) -> Table:
    # a bad MODELLER_CONTESTED is refused whatever the days hold, as run refuses it (it
    # had been said only on a day with a grey zone, and was part of the kept days' key)
    control.contested_mode()
    # snapshots that keep a grey zone have a third status: evaluated the plain way
    grey = [s.grey for s in snapshots]  # (each file read once: ~50 ms for the archive)
    others = [*others, *(s.spec for s, g in zip(snapshots, grey, strict=True) if g)]
    ordered = sorted(
        (s for s, g in zip(snapshots, grey, strict=True) if not g), key=lambda s: s.day
    )
    loaded = _load_others(others, ordered)  # (a bad one is said before any day is measured)
    every, keys, kept, cached = ordered, [], None, None
    clock = time.process_time()
    if not scheduler and ordered and timeline_cache.enabled():
        keys = timeline_cache.day_keys(ordered)
    if keys:
        kept = timeline_cache.Kept.load([sc for _, sc in scenarios])
        cached = kept.measures(ordered, keys)
        ordered = [s for s, k in zip(every, keys, strict=True) if k not in kept.rows]
        progress(len(every) - len(ordered))
        cached_cpu = time.process_time() - clock
    started = time.perf_counter()
    workers = _workers(workers, len(ordered), bool(scheduler))
    if scheduler:
        plan = make_plan([sc for _, sc in scenarios])
        planned = time.perf_counter() - started
        try:
            measured, blocks = evaluate_dask(plan, chunks(ordered, workers), scheduler, progress)
        except BandTooDeep as exc:  # as run says it: the scenario's file, line and step
            raise band_step_error(exc, scenarios) from None
    else:
        pool = _pool(workers) if workers > 1 and ordered else None
        try:
            if pool is None:
                plan = make_plan([sc for _, sc in scenarios])
                planned = time.perf_counter() - started
                on_each_day(lambda: progress(1))
                try:
                    measured = measure_local(plan.geometry, [ordered])
                finally:
                    on_each_day(None)
            else:
                plan, planned, measured = _plan_and_measure(
                    [sc for _, sc in scenarios], ordered, pool, workers, started, progress
                )
        except BandTooDeep as exc:  # as run says it: the scenario's file, line and step
            if pool is not None:
                _stop(pool)
            raise band_step_error(exc, scenarios) from None
        except BaseException:  # Ctrl-C, a failed chunk: the workers stop now, not when done
            if pool is not None:
                _stop(pool)
            raise
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        if kept is not None:
            measured_with = timeline_cache.plan_digest(plan.geometry)
            if cached is not None and kept.plan != measured_with:
                # an input outside the key changed (a held_in baseline's file, GEOS): the
                # kept days are measured again, here
                again = [s for s, k in zip(every, keys, strict=True) if k in kept.rows]
                measured += measure_local(plan.geometry, [again])
                cached, ordered = None, every
            if ordered:
                kept.store(measured, every, keys, measured_with)
            if cached is not None:  # one block of every day, in date order
                measured = [timeline_cache.merge_measures([*measured, cached], cached_cpu)]
        remainder = np.tile(plan.remainder_per_km2, plan.geometry.n_classes)
        blocks = (  # made one at a time, each copied into the table and dropped
            _scenario_rows(sp.scenario.id, sp.keys, sp.matrix, remainder, m)
            for sp in plan.scenarios
            for m in measured
        )
    notes = step_warnings(plan, measured)
    cut = cut_off_note(measured) + outside_note(plan, measured)
    for sc_notes in notes.values():
        sc_notes += cut
    order = {sc.id: i for i, (_, sc) in enumerate(scenarios)}
    sizes = [_group_counts(sp.keys) for sp in plan.scenarios]
    status = Rows(COLUMNS, order, sum(n for n, _ in sizes) * len(every))
    attrs = Rows(ATTR_COLUMNS, order, sum(n for _, n in sizes) * len(every))
    assembling = time.process_time()
    for cols, extra in blocks:
        status.add(cols)
        attrs.add(extra)
    infos = [info for m in measured for info in m.infos]
    for spec, base in loaded:
        infos.append(base.baseline)
        for _, sc in scenarios:
            try:
                figures = plain_figures(base, sc)
            except InputError as exc:  # a step's: whose, on which baseline (as for DeepState)
                if exc.file or exc.scenario:
                    raise
                message = f"{exc.message} (on {spec})"
                raise dataclasses.replace(exc, message=message, scenario=sc.id) from None
            notes[sc.id] += figures.warnings
            cols, extra = rows(dated_figures(figures, base.baseline))
            status.add(cols)
            attrs.add(extra)
        progress(1)
    seconds: dict[str, float] = {"plan": planned}
    for m in measured:
        for stage, value in m.seconds:
            seconds[stage] = seconds.get(stage, 0.0) + value
    status_cols, attr_cols = status.columns(), attrs.columns()
    seconds["rows"] = time.process_time() - assembling
    return Table(
        status_cols,
        attr_cols,
        tuple(sorted(set(infos), key=lambda b: (b.date or datetime.min.date(), b.name))),
        tuple(scenario_meta(path, sc, notes[sc.id]) for path, sc in scenarios),
        tuple(seconds.items()),
        tuple(missing_days(snapshots, specs)),
    )


def _workers(asked: int | None, n_days: int, cluster: bool) -> int:
    """How many chunks run at once: one per core unless asked; local processes are capped
    at four per core and one per day (more only fork processes that wait for a core)."""
    cores = os.cpu_count() or 1
    if asked is None:
        return cores
    asked = check_workers(asked)
    return asked if cluster else max(1, min(asked, 4 * cores, n_days))


def check_workers(asked: object) -> int:
    """``workers`` as a whole number of 1 or more (numpy's integers too, as run's towns=);
    InputError otherwise (the API says so before it looks for the archive)."""
    if isinstance(asked, bool) or not isinstance(asked, numbers.Integral) or asked < 1:
        raise InputError(f"workers must be a whole number of 1 or more, got {asked!r}")
    return int(asked)


def _group_counts(keys: tuple) -> tuple[int, int]:
    """Most status rows and attribute rows one scenario can have per date."""
    groups = {(k[0], k[1]) for k in keys} | {(k[0], k[2]) for k in keys}
    return len(groups), len({(k[0], k[2], k[3]) for k in keys if k[3]})
