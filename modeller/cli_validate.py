"""``modeller validate``: what ``run`` would refuse in scenario files, found before any
baseline is loaded (keys and names by the scenario model; polygon files read; DeepState
days looked up in the archive). The geometry stack loads only for a scenario that needs it.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .cli_options import fail
from .errors import InputError
from .specs import DEEPSTATE_RE, FILE_SUFFIXES
from .textsafe import terminal_text


def validate(paths: tuple[Path, ...]) -> None:
    """Check each scenario file; one line per file (ok, or the error); exit 2 on any error."""
    from .scenario import duplicate_id, load_scenario
    from .scenario_paths import scenario_files, shown

    try:
        files = scenario_files(list(paths))
    except InputError as exc:
        fail(exc)
    bad = 0
    # (not scenario.each_scenario: here a file refused for any reason claims no id, so the
    # next file of that id is checked on its own)
    seen: dict[str, Path] = {}
    for path in files:
        try:
            sc = load_scenario(path)
            if sc.id in seen:  # as `run` would refuse them
                raise duplicate_id(sc.id, path, seen[sc.id])
            _check_geometry(sc, path)
            _check_splits(sc, path)
            notes = _check_days(sc, path) + _check_held_in_files(sc, path)
            notes += _check_own_file(sc, path)
        except InputError as exc:
            click.echo(f"error: {terminal_text(exc)}", err=True)
            bad += 1
            continue
        seen[sc.id] = path
        for note in notes:
            click.echo(f"warning: {terminal_text(note)}", err=True)
        n = len(sc.numbered_steps)
        k = len(sc.phases)
        staged = f" in {k} phase{'s' if k != 1 else ''}" if sc.phases else ""
        steps = f"{n} step{'s' if n != 1 else ''}{staged}"
        click.echo(f"ok: {terminal_text(shown(path))} ({sc.id}, {steps})")
    if bad:
        sys.exit(2)


def _check_geometry(sc, path: Path) -> None:
    """What ``run`` checks of a scenario's polygons, before any baseline: each is read
    (files and inline GeoJSON; the geometry libraries load only for a scenario that has
    one). Errors name the step and its line, as ``run``'s do."""
    read: set[str] = set()  # a file named in several steps is read once
    for phase, number, step in sc.numbered_steps:
        for sel in step.where.walk():
            shape = sel.polygon
            if shape is None or (shape.file and shape.file in read):
                continue
            from .polygons import scenario_polygon
            from .scenario import step_name

            try:
                scenario_polygon(shape.file, shape.geojson)
            except InputError as exc:  # the step's line (a polygon file stays in the text)
                from .yamlpos import line_in

                line = line_in(path, sc.step_loc(phase, number))
                message = f"{step_name(phase, number)}: {exc}"
                raise InputError(message, str(path), line) from None
            if shape.file:
                read.add(shape.file)


def _check_splits(sc, path: Path) -> None:
    """What ``run`` refuses of a ``split``: on the embedded units, what their boxes and
    borders tell, without geometry (``splitcheck``); on a units file, the engine's own
    check, on its outlines. Errors name the step and its line, as ``run``'s do."""
    from . import settings

    for phase, number, step in sc.numbered_steps:
        for sel in step.where.walk():
            if sel.split is None:
                continue
            try:
                if settings.units_path() is None:
                    from .splitcheck import check

                    check(sel.split)
                else:  # (the file is loaded already: --units checked it)
                    from .engine import split_regions

                    split_regions(sel.split)
            except InputError as exc:
                from .scenario import step_name
                from .yamlpos import line_in

                line = line_in(path, sc.step_loc(phase, number))
                raise InputError(f"{step_name(phase, number)}: {exc}", str(path), line) from None


def _check_held_in_files(sc, path: Path) -> list[InputError]:
    """``held_in`` baselines given as files are read as ``run`` reads them (each once): an
    unreadable one is an error naming the step, as run's is; a file's doubts ("makes 99.5 %
    of the units not Ukrainian-held") are returned as warnings. Files only: named maps
    need no reading, and DeepState days are ``_check_days``'s."""
    read: set[str] = set()
    notes = []
    for phase, number, step in sc.numbered_steps:
        for sel in step.where.walk():
            spec = str(sel.held_in.baseline) if sel.held_in else ""
            if Path(spec).suffix.lower() not in FILE_SUFFIXES or spec in read:
                continue
            read.add(spec)
            from .baselines import load_baseline
            from .scenario import step_name
            from .yamlpos import line_in

            line = line_in(path, sc.step_loc(phase, number))
            try:
                baseline = load_baseline(spec)
            except InputError as exc:  # (an error in the baseline's file names that file)
                message = f"{step_name(phase, number)}: {exc}"
                raise InputError(message, str(path), line) from None
            notes += [
                InputError(
                    f"{step_name(phase, number)}: held_in baseline {spec}: {doubt}", str(path), line
                )
                for doubt in baseline.warnings
            ]
    return notes


def _check_own_file(sc, path: Path) -> list[InputError]:
    """The scenario's own ``baseline:`` file, read as ``run`` reads it: one it cannot read
    (truncated, a point) or doubts is a warning, as a day missing from the archive is
    (only a run without ``--baseline`` needs it)."""
    spec = str(sc.baseline or "")
    if Path(spec).suffix.lower() not in FILE_SUFFIXES:
        return []
    held_in = {
        str(sel.held_in.baseline)
        for _, _, step in sc.numbered_steps
        for sel in step.where.walk()
        if sel.held_in
    }
    if spec in held_in:  # read once, by ``_check_held_in_files``: its doubts said there
        return []
    from .baselines import load_baseline
    from .yamlpos import line_in

    line = line_in(path, ("baseline",))
    try:
        doubts = load_baseline(spec).warnings
    except InputError as exc:  # (its message names the file, and the line in it)
        return [InputError(f"baseline: {exc}; a run needs --baseline", str(path), line)]
    return [InputError(f"baseline: {spec}: {doubt}", str(path), line) for doubt in doubts]


def _check_days(sc, path: Path) -> list[InputError]:
    """``deepstate:DATE`` baselines a scenario names are in the archive: a ``held_in`` day is
    needed by every run (an error naming the step, its line and the nearest days); the
    scenario's own ``baseline:`` only by a run without ``--baseline`` (returned as a
    warning). Only the archive's list of days is read, and its month-end file."""
    named = [(sc.baseline, None)]
    notes = []
    if str(sc.baseline) == "deepstate:own" and sc.date is None:  # as run says it, a warning
        from .yamlpos import line_in

        said = f"scenario '{sc.id}' has no 'date:', so deepstate:own has no day to use"
        notes.append(
            InputError(
                f"baseline: {said}; add date: YYYY-MM-DD, or a run needs --baseline",
                str(path),
                line_in(path, ("baseline",)),
            )
        )
    for phase, number, step in sc.numbered_steps:
        named += [
            (sel.held_in.baseline, (phase, number)) for sel in step.where.walk() if sel.held_in
        ]
    for spec, step in named:
        match = DEEPSTATE_RE.match(str(spec or ""))
        if match is None:
            continue
        from . import archive  # (the geometry stack: only for a scenario naming a DeepState day)
        from .scenario import step_name
        from .yamlpos import line_in

        day = date.fromisoformat(match.group(1))  # (checked when the scenario loaded)
        if archive.holds(day):
            continue
        said = archive.not_held(day).message
        if step is None:  # a run with --baseline does not need it
            line = line_in(path, ("baseline",))
            notes.append(InputError(f"baseline: {said}; a run needs --baseline", str(path), line))
            continue
        where = line_in(path, sc.step_loc(*step))
        raise InputError(f"{step_name(*step)}: {said}", str(path), where) from None
    return notes
