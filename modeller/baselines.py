"""Baselines: every spec turned into a starting partition (the one dispatching loader).

Specs understood by ``load_baseline`` (syntax in ``specs``):
  ``1991``                 all of Ukraine within its 1991 borders held by Ukraine
  ``contact-line``         the embedded, authored approximation of the line of control
  ``pre-2022``             the embedded, authored line of 23 February 2022 (Crimea, ORDLO)
  ``deepstate:YYYY-MM-DD`` a DeepState daily snapshot from the local archive (or cache)
  ``PATH.geojson|.gpkg|.shp`` polygons of Russian-held land (or features with a ``status``)

The authored baselines are scenarios themselves, applied by the engine to 1991 borders,
so this module sits above the engine; the data baselines are in ``control``. The engine
reads ``held_in`` selectors through the loader it is given: ``apply`` and
``apply_phases`` here give it ``load_baseline``.
"""

from __future__ import annotations

import os
import re
from datetime import date as Date
from functools import cache
from pathlib import Path

from . import archive, control, dates, engine, geodata
from .archive import deepstate_dates, deepstate_path  # noqa: F401 (public names)
from .control import from_file, from_held  # noqa: F401 (public names)
from .errors import InputError
from .partition import BaselineInfo, Partition, as_baseline
from .scenario import Scenario, load_scenario
from .specs import (
    AUTHORED,
    DEEPSTATE_RE,
    DEFAULT,
    FILE_SUFFIXES,
    OWN,
    check_spec,
    named,
    spec_help,
)

__all__ = [
    "AUTHORED",
    "DEFAULT",
    "OWN",
    "apply",
    "apply_phases",
    "check_spec",
    "load_baseline",
    "own_spec",
    "spec_help",
]


def own_spec(day: Date | None, scenario_id: str) -> tuple[str, str | None]:
    """The DeepState spec for a scenario's own date: that day, else the nearest archived day.

    Returns the spec and a warning when another day had to stand in.
    """
    if day is None:
        raise InputError(
            f"scenario '{scenario_id}' has no 'date:', so deepstate:own has no day to use; "
            "add date: YYYY-MM-DD to the scenario or pass --baseline deepstate:YYYY-MM-DD"
        )
    available = [snap.day for snap in archive.snapshots()]  # daily files plus month-ends
    if day in available:
        return f"deepstate:{day}", None
    if not available:
        return f"deepstate:{day}", None  # load_baseline explains how to get the archive
    nearest, *other = dates.nearest(available, day, 2)
    away = abs((nearest - day).days)
    # two snapshots as near (month-ends either side of a mid-month date): the earlier is
    # used, and the other named, as its figures can differ much (Kherson's right bank
    # between 31 Oct and 30 Nov 2022: 4,500 km²)
    tie = (
        f"; deepstate:{other[0]} is as near: give it with --baseline to compare"
        if other and abs((other[0] - day).days) == away
        else ""
    )
    return (
        f"deepstate:{nearest}",
        f"{scenario_id}: no DeepState snapshot of its date {day}; using the nearest, "
        f"deepstate:{nearest} ({_days(away)} away){tie}",
    )


def _days(n: int) -> str:
    return f"{n:,} day" + ("" if n == 1 else "s")


def load_baseline(spec: str | None) -> Partition:
    """Resolve a baseline spec (see module docstring) into its starting partition."""
    spec = DEFAULT if spec is None else named(spec)
    if not spec:
        raise InputError(f"empty baseline; valid: {spec_help()}")
    if spec == "1991":
        return control.borders_1991()
    if spec == OWN:
        raise InputError(
            f"{OWN} is each scenario's own date: it is for a run of scenarios (--baseline "
            f"{OWN}), not one baseline; give a day, e.g. deepstate:2025-08-15"
        )
    if spec in AUTHORED:
        return _authored(spec, geodata.load())
    m = DEEPSTATE_RE.match(spec)
    if m:
        return control.deepstate(dates.parse_date(m.group(1), f"baseline '{spec}'"))
    if re.match(r"[a-z][a-z0-9+.-]*://", spec, re.IGNORECASE):  # (a path took it: 'https:/…')
        raise InputError(
            f"baseline '{spec[:80]}' is a web address, which is not downloaded: save the "
            "file and give its path, or for DeepState's map of a day run 'modeller fetch "
            "YYYY-MM-DD' and give deepstate:YYYY-MM-DD"
        )
    path = Path(spec)
    if path.suffix.lower() in FILE_SUFFIXES:  # (deepstatemap_data_20250815.geojson too)
        return control.deepstate_file(path) or control.from_file(path)
    if path.suffix.lower() in (".parquet", ".geoparquet"):  # (it had been "unknown baseline")
        raise InputError(
            f"baseline '{spec[:80]}': GeoParquet is written (--format parquet) but not read "
            f"as a baseline; give it as GeoJSON, GeoPackage or Shapefile; valid: {spec_help()}"
        )
    if spec.startswith("deepstate"):
        raise InputError(
            f"bad baseline '{spec[:80]}': write deepstate:YYYY-MM-DD, e.g. deepstate:2025-08-15"
        )
    # (a folder had been an unknown name; os.path's test, as Path's raised on a name too
    # long for the system or in a folder it may not read)
    if os.path.isdir(path):
        raise InputError(f"baseline '{spec[:80]}' is a folder; valid: {spec_help()}")
    raise InputError(f"unknown baseline '{spec[:80]}'; valid: {spec_help()}")


def apply(base: Partition, scenario: Scenario, **kwargs) -> Partition:
    """``engine.apply`` with ``held_in`` selectors read through ``load_baseline``."""
    return engine.apply(base, scenario, load=load_baseline, **kwargs)


def apply_phases(base: Partition, scenario: Scenario, **kwargs) -> list:
    """``engine.apply_phases`` with ``held_in`` selectors read through ``load_baseline``."""
    return engine.apply_phases(base, scenario, load=load_baseline, **kwargs)


@cache
def _authored(name: str, _data: geodata.Geodata) -> Partition:
    """An embedded baseline written in the scenario language, applied to 1991 borders."""
    path = geodata.geodata_dir() / "baselines" / AUTHORED[name]
    scenario = load_scenario(path)
    applied = apply(control.borders_1991(), scenario)
    info = BaselineInfo(
        name,
        scenario.date,
        f"authored approximation from public reporting (geodata/baselines/{path.name}; "
        f"'modeller docs {name}')",
        "front-line settlements and rivers joined into a polyline; see the file's comments",
    )
    return as_baseline(applied, info)
