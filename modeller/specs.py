"""Baseline specs: their syntax, checked without loading anything (a leaf module).

``1991``, ``contact-line``, ``pre-2022``, ``deepstate:YYYY-MM-DD``, ``deepstate:own`` or a
``.geojson``/``.gpkg``/``.shp`` path. ``modeller.baselines.load_baseline`` turns a spec into a
partition; scenarios check their ``baseline:`` and ``held_in`` specs here when they load.
No geometry here, so ``modeller validate`` and ``--help`` load no shapes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import inputs
from .dates import parse_date
from .errors import InputError

DEFAULT = "contact-line"
OWN = "deepstate:own"
AUTHORED = {"contact-line": "contact-line.yaml", "pre-2022": "pre-2022.yaml"}
DEEPSTATE_RE = re.compile(r"^deepstate:(\d{4}-\d{2}-\d{2})$")
FILE_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}
HELP = (
    "1991, contact-line, pre-2022, deepstate:YYYY-MM-DD, deepstate:own (each scenario's "
    "own date), or a .geojson/.gpkg/.shp file"
)
FIXED_HELP = "1991, contact-line, pre-2022, deepstate:YYYY-MM-DD, or a .geojson/.gpkg/.shp file"
"""The specs of one fixed map (what ``held_in`` takes: not each scenario's own date)."""


def named(spec: str) -> str:
    """A spec naming a map (1991, contact-line, deepstate:…) in its own letter case
    (``DEEPSTATE:2025-08-15`` is deepstate:2025-08-15); a file's path as given, one from
    the home folder (``~/held.geojson``, as the shell leaves it after '=') as that
    folder's, as the Python API and --units read it."""
    text = str(spec).strip()
    lower = text.lower()
    if lower in ("1991", OWN, *AUTHORED) or DEEPSTATE_RE.match(lower):
        return lower
    return str(inputs.home(text)) if text.startswith("~") else text


def spec_help() -> str:
    return HELP


def check_spec(spec: str, folder: Path | None = None) -> str:
    """Syntax check of a baseline spec without loading it (for scenario validation).

    Returns the spec (a file as an absolute path: relative to ``folder`` when it exists
    there, else to the current folder);
    raises ValueError (a pydantic validator turns it into the scenario's error).
    """
    spec = str(spec).strip()
    if not spec:
        raise ValueError(f"empty baseline; valid: {HELP}")
    spec = named(spec)  # (names in any letter case)
    if spec in ("1991", OWN, *AUTHORED):
        return spec
    m = DEEPSTATE_RE.match(spec)
    if m:
        try:
            parse_date(m.group(1), f"baseline '{spec}'")
        except InputError as exc:  # inside pydantic only ValueError keeps file:line
            raise ValueError(exc.message) from None
        return spec
    path = Path(spec)
    if spec.startswith("deepstate") and path.suffix.lower() not in FILE_SUFFIXES:
        raise ValueError(
            f"bad baseline '{spec[:80]}': write deepstate:YYYY-MM-DD, e.g. deepstate:2025-08-15"
        )
    if path.suffix.lower() in FILE_SUFFIXES:
        try:
            if not path.is_absolute() and folder is not None and (folder / path).exists():
                path = folder / path
            if path.exists():  # absolute: the same file wherever the scenario is run from
                # (its folder resolved, its own name kept: a linked Shapefile's sidecars
                # lie beside the link)
                return str(Path(os.path.realpath(path.parent)) / path.name)
        except OSError as exc:  # e.g. a name too long for the file system
            raise ValueError(f"baseline file '{spec[:200]}': {exc.strerror}") from None
        raise ValueError(f"baseline file '{spec[:200]}' not found")
    raise ValueError(f"unknown baseline '{spec[:80]}'; valid: {HELP}")
