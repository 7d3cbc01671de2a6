"""What the timeline says besides its figures: each scenario's metadata, the warnings of
steps that select nothing on some dates (as ``run`` warns on one), and the errors of a
band too deep or an undated baseline, named as ``run`` names them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import inputs, report
from .baselines import load_baseline
from .control import cut_off_warning, outside_share, outside_warning, said_cut_off
from .engine import NOTHING_KM2
from .errors import InputError
from .partition import BaselineInfo
from .scenario import Scenario, step_name
from .timeline_day import STATUSES
from .timeline_measure import Measures
from .timeline_plan import Plan, distinct_bands
from .timeline_rows import KeyFigures
from .timeline_sides import BandTooDeep
from .yamlpos import line_in

EMPTY_KM2 = 1e-6  # a step's land on a date at most this: it selects nothing (float noise)


def band_step_error(exc: BandTooDeep, scenarios: list[tuple[Path, Scenario]]) -> InputError:
    """The error of a band that covers its whole side, named as ``run`` names it: the
    first scenario step using that band, with its file and line."""
    band = distinct_bands([sc for _, sc in scenarios])[exc.band]
    for path, sc in scenarios:
        for phase, number, step in sc.numbered_steps:
            if band in distinct_bands([step]):
                exists = path is not None and Path(path).is_file()
                line = line_in(path, sc.step_loc(phase, number)) if exists else None
                where = str(path) if exists else None
                return InputError(f"{step_name(phase, number)}: {exc.message}", where, line)
    return InputError(exc.message)


def dated_figures(f: KeyFigures, info: BaselineInfo) -> KeyFigures:
    """``f`` of a baseline with a date; InputError saying how to date one without."""
    if info.date is None:
        suffix = Path(info.name).suffix.lower()
        if suffix in (".gpkg", ".shp"):  # no top-level member to hold a date: a field
            fix = 'give every feature the same "date" field (YYYY-MM-DD, or a date type)'
        elif info.source.startswith("DeepStateMap"):  # a raw layer dump (from_raw)
            fix = (
                'give the dump its top-level "datetime" (YYYY-MM-DDTHH:MM), or a name with '
                "one, e.g. deepstate_raw_20250803T195825Z.geojson"
            )
        else:
            fix = (
                'give it a top-level "date": "YYYY-MM-DD" (beside "features"), or the same '
                '"date" in every feature\'s properties, or name a DeepState daily file '
                "deepstatemap_data_YYYYMMDD.geojson"
            )
        raise InputError(f"baseline {info.name} has no date, so it cannot go on a timeline; {fix}")
    return f


def step_warnings(plan: Plan, measured: list[Measures]) -> dict[str, list[str]]:
    """Per scenario, a warning for each step that selects nothing, or changes nothing, on
    some DeepState dates (as ``run`` warns on one): none of the (class × atom) columns it
    selects holds land that day, or none of those whose holder it changes (``moving``)."""
    days = [d for m in measured for d in m.dates]
    out = {}
    for sp in plan.scenarios:
        out[sp.scenario.id] = notes = []
        moving = sp.moving or [None] * len(sp.steps)
        numbered = sp.scenario.numbered_steps
        for (name, cols), moves, (_, _, step) in zip(sp.steps, moving, numbered, strict=True):
            chosen = _per_day(measured, cols)
            empty = chosen <= EMPTY_KM2
            if empty.any():
                notes.append(f"{name} selects nothing on {date_spans(days, empty)}")
            if moves is None:
                continue
            moved = _per_day(measured, moves)
            held = ~empty & (moved <= EMPTY_KM2) & (chosen >= NOTHING_KM2)
            sliver = ~empty & ~held & (moved < NOTHING_KM2)
            if held.any():
                why = f"the land it selects already holds '{step.assign}'"
                notes.append(f"{name} changes nothing on {date_spans(days, held)}: {why}")
            if sliver.any():
                why = (
                    f"it moves less than {NOTHING_KM2 * 1e6:.0f} m² that count as land (a "
                    "sliver, or a shape too small to matter)"
                )
                notes.append(f"{name} changes nothing on {date_spans(days, sliver)}: {why}")
    return out


def cut_off_note(measured: list[Measures]) -> list[str]:
    """The warning of land cut off behind Russian lines on some DeepState dates (as ``run``
    warns on one), with the figures of the date with the most."""
    days = [d for m in measured for d in m.dates]
    cut = [said_cut_off(info.cut_off) for m in measured for info in m.infos]
    marked = np.array([bool(c) for c in cut])
    if not marked.any():
        return []
    most = max(range(len(cut)), key=lambda i: sum(k for _, k in cut[i]))
    if len(days) == 1:
        return [cut_off_warning(cut[most], str(days[0]))]
    return [cut_off_warning(cut[most], date_spans(days, marked), str(days[most]))]


def outside_note(plan: Plan, measured: list[Measures]) -> list[str]:
    """The warning of DeepState dates whose Russian-held land lies much outside the units
    (as ``run`` warns on one: ``control.outside_warning``), with the figures of the date
    with the largest share. The land inside is the day's Russian-held km² as measured."""
    geom = plan.geometry
    block = 2 ** len(geom.bands) * len(geom.atoms)  # (a status's columns: bits × atoms)
    russia = STATUSES.index("russia") * block
    days = [d for m in measured for d in m.dates]
    out = [info.outside_km2 for m in measured for info in m.infos]
    held = _per_day(measured, np.arange(russia, russia + block))
    shares = [outside_share(o, h) for o, h in zip(out, held, strict=True)]
    marked = np.array([s is not None for s in shares])
    if not marked.any():
        return []
    most = max(np.flatnonzero(marked), key=lambda i: shares[i])
    check = f"Check DeepState's maps of {date_spans(days, marked)}; the figures are those of "
    return [outside_warning(out[most], shares[most], check + str(days[most]))]


def _per_day(measured: list[Measures], cols: np.ndarray) -> np.ndarray:
    """The km² of the given (class × atom) columns on each measured day, in order."""
    parts = [m.km2[:, cols].sum(axis=1) for m in measured]
    return np.concatenate(parts) if parts else np.zeros(0)


def date_spans(days: list, marked: np.ndarray, most: int = 4) -> str:
    """The marked dates as runs of consecutive dates of the list: '2025-05-15 … 2025-05-24,
    2025-06-02 (11 of 22 dates)'; past ``most`` runs, how many more."""
    runs: list[list] = []
    for i in np.flatnonzero(marked):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    text = [f"{days[a]}" if a == b else f"{days[a]} … {days[b]}" for a, b in runs[:most]]
    if len(runs) > most:
        text.append(f"{len(runs) - most} more stretches")
    n = int(marked.sum())
    return ", ".join(text) + (f" ({n} of {len(days)} dates)" if len(days) > 1 else "")


def scenario_meta(path: Path | None, sc: Scenario, warnings: list[str] = ()) -> dict:
    return {
        "warnings": list(warnings),
        "id": sc.id,
        "title": sc.title,
        "summary": sc.summary,
        "date": sc.date.isoformat() if sc.date else None,
        "hash": sc.digest,
        "file": None if path is None else inputs.shown(path),  # None: a Scenario object
        "reported": [r.model_dump(mode="json") for r in sc.reported],
        "held_in": _held_in(sc),  # the other baselines its steps read
        # its own statuses' labels: the table's rows name a status by its id ('dmz')
        "statuses": {sid: d.label for sid, d in sc.statuses.items()},
    }


def _held_in(sc: Scenario) -> list[dict]:
    """The baselines a scenario's ``held_in`` selectors read, each once in step order, as
    ``report.baseline_record``s (loaded again, as the plan loaded them: from the caches)."""
    specs = [
        sel.held_in.baseline
        for _, _, step in sc.numbered_steps
        for sel in step.where.walk()
        if sel.held_in is not None
    ]
    return [report.baseline_record(load_baseline(s).baseline) for s in dict.fromkeys(specs)]
