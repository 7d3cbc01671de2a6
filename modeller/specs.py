"""Baseline specs as text: the names ``--baseline`` accepts and their syntax check.

No geometry here, so checking a scenario's ``baseline:`` (``modeller validate``) and the
command line's help load no shapes; ``baselines.load_baseline`` turns a spec into a map.
"""

from __future__ import annotations

import re
from datetime import date as Date
from pathlib import Path

from .errors import InputError

DEFAULT = "contact-line"
OWN = "deepstate:own"
AUTHORED = {"contact-line": "contact-line.yaml", "pre-2022": "pre-2022.yaml"}
DEEPSTATE_RE = re.compile(r"^deepstate:(\d{4}-\d{2}-\d{2})$")
HELP = (
    "1991, contact-line, pre-2022, deepstate:YYYY-MM-DD, deepstate:own (each scenario's "
    "own date), or a .geojson/.gpkg file"
)


def parse_date(text: str, spec: str) -> Date:
    """The date in a spec; InputError naming the spec when it is not a calendar date."""
    try:
        return Date.fromisoformat(text)
    except ValueError:
        raise InputError(f"bad date in baseline '{spec}': {text} is not a calendar date") from None


def check_spec(spec: str, folder: Path | None = None) -> str:
    """Syntax check of a baseline spec without loading it (for scenario validation)."""
    spec = str(spec).strip()
    if not spec:
        raise ValueError(f"empty baseline; valid: {HELP}")
    if spec in ("1991", OWN, *AUTHORED):
        return spec
    m = DEEPSTATE_RE.match(spec)
    if m:
        try:
            parse_date(m.group(1), spec)
        except InputError as exc:  # inside pydantic only ValueError keeps file:line
            raise ValueError(exc.message) from None
        return spec
    if spec.startswith("deepstate"):
        raise ValueError(
            f"bad baseline '{spec[:80]}': write deepstate:YYYY-MM-DD, e.g. deepstate:2025-08-15"
        )
    path = Path(spec)
    if path.suffix.lower() in {".geojson", ".json", ".gpkg"}:
        try:
            if not path.is_absolute() and folder is not None and (folder / path).exists():
                return str(folder / path)
            if path.exists():
                return spec
        except OSError as exc:  # e.g. a name too long for the file system
            raise ValueError(f"baseline file '{spec[:200]}': {exc.strerror}") from None
        raise ValueError(f"baseline file '{spec[:200]}' not found")
    raise ValueError(f"unknown baseline '{spec[:80]}'; valid: {HELP}")
