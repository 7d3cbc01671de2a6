"""The Python API: scenarios in, figures out as pandas/geopandas tables.

>>> import modeller
>>> result = modeller.run(["land-swap"])          # a shipped scenario, by id
>>> result.held[["scenario", "status", "km2"]]     # km² held by each side afterwards
>>> result.pieces.plot(column="after")             # a GeoDataFrame in EPSG:4326
>>> result.to_file("land-swap.gpkg")               # with provenance, for QGIS

Everything here is a thin layer over the modules the command line uses, so the figures
are the same as ``modeller run``'s.
"""

from __future__ import annotations

import functools
import numbers
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import api_args, baselines, inputs, report, runs, scenario_paths
from . import scenario as _scenario
from .errors import InputError, ScenarioWarning
from .partition import Partition
from .results import Result
from .scenario import Scenario, duplicate_id

LOADED = "<a loaded partition>"  # what a Partition given to ``run`` is cached under (no spec)

if TYPE_CHECKING:
    import pandas

__all__ = [
    "Result",
    "apply",
    "load_baseline",
    "load_scenario",
    "run",
    "scenarios",
    "timeline",
]


# The units and the population a call sets are the process's (as --units and --population
# set them for a command): calls from several threads run one at a time, each with its own
# settings throughout (two at once had each other's people, and named the other's source)
_ONE_AT_A_TIME = threading.RLock()


def _serialised(func):
    """``func`` holding the API's lock: safe from any thread, one call at a time."""

    @functools.wraps(func)
    def call(*args, **kwargs):
        with _ONE_AT_A_TIME:
            return func(*args, **kwargs)

    return call


def _deepstate_options(func):
    """``func`` with its ``contested`` and ``reconcile`` arguments in force for the call
    (``api_args.deepstate_options``: what ``--contested`` and ``--no-reconcile`` set)."""

    @functools.wraps(func)
    def call(*args, contested=None, reconcile=None, **kwargs):
        with api_args.deepstate_options(contested, reconcile):
            return func(*args, **kwargs)

    return call


def _home(value):
    """A path written from the home folder (``~/proposals``) as that folder's, as
    ``to_file``, ``units`` and ``population`` read it (a scenario or baseline file that
    exists had been "no such file"); anything else as it is."""
    if isinstance(value, str | Path) and str(value).startswith("~"):
        return type(value)(inputs.home(value))
    return value


@_serialised
def scenarios(folder: str | Path | None = None) -> list[Scenario]:
    """The shipped scenarios (or every scenario file in ``folder``), in file order.

    Parameters
    ----------
    folder : str or Path, optional
        A folder of ``*.yaml`` scenario files; default: the scenarios shipped with modeller.

    Returns
    -------
    list of Scenario
        Validated scenarios (pydantic models: ``id``, ``title``, ``date``, ``reported`` …).
    """
    if folder is not None and (not isinstance(folder, str | Path) or not str(folder).strip()):
        raise InputError(f"scenarios takes a folder, got {folder!r}")
    paths = [Path(_home(folder))] if folder is not None else []
    return [sc for _, sc in _scenario.load_scenarios(paths)]


@_serialised
def load_scenario(path_or_id: str | Path) -> Scenario:
    """One scenario from a YAML file, or a shipped scenario by its id (``"land-swap"``).

    Raises
    ------
    InputError
        The file is missing or invalid (the message gives file:line and what is valid).
    """
    if not isinstance(path_or_id, str | Path) or not str(path_or_id).strip():
        raise InputError(f"load_scenario takes a file or an id, got {path_or_id!r}")
    paths = scenario_paths.scenario_files([Path(_home(path_or_id))])
    if len(paths) != 1:
        raise InputError(
            f"is a folder of {len(paths)} scenarios; load_scenario reads one file or id "
            "(modeller.scenarios(folder) reads them all)",
            str(path_or_id),
        )
    return _scenario.load_scenario(paths[0])


@_serialised
@_deepstate_options
def load_baseline(
    spec: str | None = None,
    units: str | Path | None = None,
    *,
    contested: str | None = None,
    reconcile: bool | None = None,
) -> Partition:
    """A baseline: who holds what before a scenario is applied.

    Parameters
    ----------
    spec : str, optional
        ``contact-line`` (default), ``1991``, ``pre-2022``, ``deepstate:YYYY-MM-DD`` or a
        ``.geojson``/``.gpkg`` file of Russian-held polygons.
    units : str or Path, optional
        A boundaries file to use instead of the embedded units (like ``--units``). Once
        accepted it becomes the active units of this process: later ``apply``/``run``
        calls measure on it too (a refused file changes nothing). ``"embedded"``: back to
        the embedded units.
    contested : str, optional
        How DeepState's grey zone counts: ``"contested"`` (its own status), ``"ukraine"`` or
        ``"russia"`` (like ``--contested``); default: ``$MODELLER_CONTESTED``, else
        ``"contested"``.
    reconcile : bool, optional
        False: no outline reconciliation of DeepState baselines (like ``--no-reconcile``);
        default: ``$MODELLER_RECONCILE``, else on.

    Returns
    -------
    Partition
        Immutable pieces (oblast, status) in the working equal-area CRS.
    """
    spec = _home(api_args.spec_text(spec))  # (a Path, 1991)
    if spec is not None and not isinstance(spec, str):
        raise InputError(
            "spec must be a baseline spec such as 'deepstate:2025-08-15' or a file name, "
            f"got {type(spec).__name__} {spec!r:.60}"
        )
    before = os.environ.get("MODELLER_UNITS")
    try:
        if units is not None:
            api_args.use_units(units)
        base = baselines.load_baseline(spec)
    except BaseException as exc:  # a call that fails changes nothing: the units stay
        if before is None:
            os.environ.pop("MODELLER_UNITS", None)
        else:
            os.environ["MODELLER_UNITS"] = before
        if isinstance(exc, InputError):
            raise api_args.in_api_words(exc) from None
        raise
    return api_args.stamped(base)


@_serialised
def apply(baseline: Partition, scenario: Scenario) -> Partition:
    """Apply a scenario to a baseline.

    Parameters
    ----------
    baseline : Partition
        From ``load_baseline`` (not one returned by ``apply``: two scenarios that follow
        one another are the phases of one scenario).
    scenario : Scenario
        From ``load_scenario`` or ``scenarios``.

    Returns
    -------
    Partition
        A new partition remembering its parent (``.parent is baseline``); the baseline is
        unchanged. ``held_in`` selectors read their baselines through ``load_baseline``.
    """
    if not isinstance(baseline, Partition) or not isinstance(scenario, Scenario):
        raise InputError(
            "apply takes (baseline, scenario): a Partition from load_baseline, then a Scenario "
            f"from load_scenario; got ({type(baseline).__name__}, {type(scenario).__name__})"
        )
    # a scenario applied on an applied partition had read its held_by steps on the first
    # one's baseline: figures that were neither, under a label naming only the second
    _plain_baseline(baseline, "apply")
    # changed in code (model_copy skips pydantic's checks): applied as checked again, so
    # that an oblast given by name is its code, as in a file
    return baselines.apply(baseline, _scenario.revalidated(scenario))


def _plain_baseline(baseline: Partition, command: str) -> None:
    """InputError unless ``baseline`` is a baseline as ``load_baseline`` gives it (checked,
    nothing applied, nothing changing hands): ``command`` (run, apply) takes only that."""
    # drawn on other units first, then an applied scenario: its statuses (a 'dmz') would
    # be refused by check_partition as unknown ones, which misses the point
    api_args.check_units(baseline)
    if isinstance(baseline, Partition) and baseline.scenario is not None:
        applied = getattr(baseline.scenario, "id", "a scenario")
        raise InputError(
            f"this partition has {applied} applied (from apply): {command} takes a baseline, "
            "a Partition from load_baseline; apply each scenario to that baseline "
            f"(run([..., {applied!r}], baseline=base)), or write two that follow one another "
            "as the phases of one scenario"
        )
    api_args.check_partition(baseline)
    if any(p.before != p.after for p in baseline.pieces):  # (changes made before)
        raise InputError(
            "this partition has land changing hands (pieces whose before and after "
            f"differ): {command} takes a baseline, as load_baseline gives it; changes applied "
            "to it would be counted as the scenario's own"
        )


def _as_scenarios(items) -> list[tuple[Path | None, Scenario]]:
    """Scenarios from objects, files, folders and ids; objects checked again (see
    ``scenario.revalidated``); ids unique, as ``modeller run`` wants them."""
    if items is None:
        return _scenario.load_scenarios([])
    if isinstance(items, str | Path | Scenario):
        items = [items]
    if isinstance(items, bytes | bytearray | dict):
        raise InputError(
            f"scenarios must be a Scenario, a path, an id or a list of them, got "
            f"{type(items).__name__}"
        )
    try:
        items = list(items)
    except TypeError:
        raise InputError(
            f"scenarios must be a Scenario, a path, an id or a list of them, got "
            f"{type(items).__name__}"
        ) from None
    out: list[tuple[Path | None, Scenario]] = []
    for item in items:
        if isinstance(item, Scenario):
            out.append((None, _scenario.revalidated(item)))
        elif isinstance(item, str | Path):
            if not str(item).strip():  # Path("") is the current folder: every file in it
                raise InputError("a scenario path or id is empty; give a file, folder or id")
            out += _scenario.load_scenarios([Path(_home(item))])
        else:
            raise InputError(
                f"scenarios must be Scenario objects, paths or ids, got {type(item).__name__}"
            )
    if not out:
        raise InputError(
            "no scenarios given: pass a Scenario, a path, an id or a list of them (None: "
            "every shipped scenario)"
        )
    seen: dict[str, object] = {}
    unique: list[tuple[Path | None, Scenario]] = []
    for path, sc in out:
        if sc.id in seen:
            if path and seen[sc.id] and _same_file(path, seen[sc.id]):
                continue  # one file named twice (an id and its path): run once, as the CLI does
            if path is not None:
                raise duplicate_id(sc.id, path, seen[sc.id], own=True)
            raise InputError(
                f"duplicate scenario id '{sc.id}' (also in {seen[sc.id] or 'a Scenario object'})"
            )
        seen[sc.id] = path
        unique.append((path, sc))
    return unique


def _same_file(a, b) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return False


@_serialised
@_deepstate_options
def run(
    scenarios: object = None,
    baseline: str | None = None,
    *,
    towns: int = 15,
    population: str | Path | None = None,
    contested: str | None = None,
    reconcile: bool | None = None,
) -> Result:
    """Run scenarios and collect every figure, as ``modeller run`` does.

    Parameters
    ----------
    scenarios : Scenario, path, id, or a list of them, optional
        Scenario objects, files, folders or shipped ids; default: every shipped scenario.
    baseline : str or Partition, optional
        A baseline spec for all of them (default: each scenario's own ``baseline:``, else
        ``contact-line``); ``deepstate:own`` runs each on its own date's snapshot; or a
        baseline already loaded (a Partition from ``load_baseline``).
    towns : int
        How many towns changing hands to list per scenario.
    population : str or Path, optional
        A folder with hromada outlines and 2022 populations (like ``--population``);
        default: ``$MODELLER_POPULATION``, else the embedded unit totals; ``"embedded"``:
        the unit totals whatever the environment says.
    contested : str, optional
        How DeepState's grey zone counts: ``"contested"`` (its own status), ``"ukraine"`` or
        ``"russia"`` (like ``--contested``); default: ``$MODELLER_CONTESTED``, else
        ``"contested"``.
    reconcile : bool, optional
        False: no outline reconciliation of DeepState baselines (like ``--no-reconcile``);
        default: ``$MODELLER_RECONCILE``, else on.

    Returns
    -------
    Result
        ``.pieces`` (GeoDataFrame), ``.transfers``, ``.held``, ``.towns`` (DataFrames),
        ``.provenance``, ``.document`` (the run document, unrounded), ``.to_file()``,
        ``.to_json()`` (rounded as ``--format json``).
    """
    if isinstance(towns, bool) or not isinstance(towns, numbers.Integral) or towns < 0:
        raise InputError(f"towns must be a whole number of 0 or more, got {towns!r}")
    towns = int(towns)  # (numpy's integers too)
    baseline = _home(api_args.spec_text(baseline))  # (a Path, 1991: as load_baseline)
    cache = runs.BaselineCache()
    if isinstance(baseline, Partition):  # loaded here: used as its spec's would be
        _plain_baseline(baseline, "run")
        cache.loaded[LOADED] = baseline
        baseline = LOADED
    elif baseline is not None and not isinstance(baseline, str):
        raise InputError(
            "baseline must be a spec such as 'deepstate:2025-08-15', a file name or a "
            f"Partition from load_baseline, got {type(baseline).__name__} {baseline!r:.60}"
        )
    loaded = _as_scenarios(scenarios)
    api_args.use_population(population)
    entries, partitions, notes = [], [], []
    units = api_args.units_now()
    for path, sc in loaded:
        try:
            applied = runs.apply_one(path, sc, baseline, cache)
        except InputError as exc:  # (the command line's --baseline is this baseline)
            raise api_args.in_api_words(exc) from None
        if applied.note:
            notes.append(applied.note)
        partitions.append(api_args.stamped(applied.partition, units))
        entries.append(
            report.scenario_entry(
                applied.partition, path, towns, applied.phases, applied.held_in, applied.note
            )
        )
    document = report.document(entries)
    for said in _warnings(document, notes):
        warnings.warn(ScenarioWarning(said), stacklevel=4)  # (the caller's line: 2 wrappers)
    return Result(document, tuple(partitions), tuple(notes))


def _warnings(document, notes: list[str]) -> list[str]:
    """What the command line would print as warnings and notes of the run, once each."""
    said = [f"{s.id}: {w}" for s in document.scenarios for w in s.warnings]
    return list(dict.fromkeys(said + [n for n in notes if not any(n in w for w in said)]))


@_serialised
@_deepstate_options
def timeline(
    scenarios: object = None,
    baselines: str = "deepstate:..",
    *,
    every: str | None = None,
    workers: int | None = None,
    population: str | Path | None = None,
    recognition: bool = False,
    contested: str | None = None,
    reconcile: bool | None = None,
) -> pandas.DataFrame:
    """Every scenario on every dated baseline, as ``modeller timeline`` computes it.

    Parameters
    ----------
    scenarios : Scenario, path, id, or a list of them, optional
        Default: every shipped scenario.
    baselines : str, Path or int, or a list, tuple or generator of them
        Comma-separated (or a list): ``deepstate:FROM..TO`` (either end may be left
        out), ``deepstate:DATE``, or other dated specs such as ``contact-line``.
    every : str, optional
        Keep one snapshot per ``7d`` / ``2w``.
    workers : int, optional
        Local processes (default: one per core).
    population : str or Path, optional
        As for ``run``: a hromada population folder, default ``$MODELLER_POPULATION``.
    recognition : bool
        True: the recognition rows instead (``timeline.csv``'s ``attrs`` rows: km² and
        people per date × scenario × oblast × status × recognition, e.g.
        ``recognition=de_jure``), for the scenarios that mark any. A second call costs
        little: the days measured by the first are kept (README: "Days already measured
        are kept").
    contested : str, optional
        How DeepState's grey zone counts: ``"contested"`` (its own status), ``"ukraine"`` or
        ``"russia"`` (like ``--contested``); default: ``$MODELLER_CONTESTED``, else
        ``"contested"``.
    reconcile : bool, optional
        False: no outline reconciliation of DeepState baselines (like ``--no-reconcile``);
        default: ``$MODELLER_RECONCILE``, else on.

    Returns
    -------
    pandas.DataFrame
        One row per date (``datetime64``) × scenario × oblast × status: km², people, the
        baseline's figures, change, gained and lost (``timeline.csv``'s ``status`` rows, its columns
        but ``table`` and ``attrs``); with ``recognition``, the ``attrs`` rows (columns
        date, scenario, oblast, oblast_name, status, attrs, km2, people: that column is
        ``frame["attrs"]``, since ``frame.attrs`` is pandas' own). ``frame.attrs`` holds
        the provenance every timeline file carries: tool and data version, method,
        sources, the baselines, and per scenario its hash, sources, warnings and the
        baselines its ``held_in`` steps read.
    """
    import pandas as pd

    from . import archive, timeline_run, timeline_table

    if isinstance(baselines, Iterator):  # a generator, as run takes one of scenarios
        baselines = list(baselines)
    if isinstance(baselines, list | tuple):  # (a Path, 1991: as run takes them)
        baselines = [api_args.spec_text(b) for b in baselines]
    else:
        baselines = api_args.spec_text(baselines)
    if isinstance(baselines, list) and baselines and all(isinstance(b, str) for b in baselines):
        baselines = ",".join(baselines)  # (as --baselines takes several)
    if not isinstance(baselines, str):
        raise InputError(
            "baselines must be a spec such as 'deepstate:2024-07-08..2025-08-15' (several "
            f"joined by commas), or a list of specs, got {baselines!r:.80}"
        )
    if every is not None and not isinstance(every, str):
        raise InputError(f"every must be text such as '7d', got {every!r}")
    recognition = api_args.truth(recognition, "recognition")
    if workers is not None:
        timeline_run.check_workers(workers)
    loaded = _as_scenarios(scenarios)  # (None, sc) for an object: it has no file
    api_args.use_population(population)
    try:
        snapshots, others = archive.parse_specs(baselines, every)
    except InputError as exc:  # said in the API's words, not the command line's
        raise api_args.in_api_words(exc) from None
    if not snapshots and not others:
        raise InputError("baselines names no baseline")
    try:
        table = timeline_run.build_table(
            loaded, snapshots, others, workers=workers, specs=baselines
        )
    except InputError as exc:
        raise api_args.in_api_words(exc) from None
    frame = pd.DataFrame(dict((table.attrs if recognition else table.columns).items()))
    if frame.empty:  # (no rows: columns of the types rows give, not object)
        frame = frame.astype(
            {c: float if c in ("km2", "people") else "str" for c in frame if c != "date"}
        )
    # dates as dates, as the Parquet file has them (text sorted, but did not plot or resample)
    # (in microseconds whatever pandas' default: an empty frame's had been in seconds)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d").astype("datetime64[us]")
    frame.attrs.update(timeline_table.provenance(table))  # tool, data, sources, warnings
    return frame
