"""Where external data lives: environment settings with sensible defaults."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from . import inputs
from .errors import InputError


def home_path(name: str, value: str) -> Path:
    """The folder an environment setting names, ``~`` expanded; '~someone' with no such
    user (or no home folder) is an error naming the setting, not a RuntimeError; so is
    one of spaces only (a folder named ' ' had been made in the current folder)."""
    if not value.strip():
        raise InputError(f"{name} is set but blank ({value!r}): give a path, or unset it")
    return inputs.home(value, f"{name}={value[:80]!r}")


def data_dir() -> Path | None:
    """MODELLER_DATA_DIR: a folder laid out like ../shared/data (DeepState archive, ...)."""
    value = os.environ.get("MODELLER_DATA_DIR")
    return home_path("MODELLER_DATA_DIR", value) if value else None


def checkout_data_dir(script: str | Path | None = None) -> Path | None:
    """``../shared/data`` beside a source checkout of modeller, if it is there: the checkout
    holding ``script`` (a benchmark script run from it, whether modeller is installed from
    it or not), else the one this package runs from."""
    repo = Path(script).resolve().parent.parent if script else Path(__file__).resolve().parents[1]
    folder = repo.parent / "shared" / "data"
    return folder if folder.is_dir() else None


def use_checkout_data(script: str | Path | None = None) -> Path | None:
    """Point MODELLER_DATA_DIR at ``../shared/data`` when it is unset and that folder exists
    (what the tests and the benchmark scripts do); returns the data folder in use."""
    found = checkout_data_dir(script)
    if "MODELLER_DATA_DIR" not in os.environ and found is not None:
        os.environ["MODELLER_DATA_DIR"] = str(found)
    return data_dir()


def cache_dir() -> Path:
    """MODELLER_CACHE_DIR, or the user's cache folder: downloads are kept here."""
    value = os.environ.get("MODELLER_CACHE_DIR")
    return (
        home_path("MODELLER_CACHE_DIR", value)
        if value
        else Path(platformdirs.user_cache_dir("modeller"))
    )


def deepstate_dirs(strict: bool = True) -> list[Path]:
    """Folders searched for deepstatemap_data_YYYYMMDD.geojson, in order (``strict``: a
    MODELLER_DEEPSTATE_DIR that is no folder is an InputError; else it is left out)."""
    dirs = []
    if os.environ.get("MODELLER_DEEPSTATE_DIR"):
        try:
            dirs.append(
                _folder(
                    "MODELLER_DEEPSTATE_DIR",
                    "the folder of deepstatemap_data_YYYYMMDD.geojson files",
                )
            )
        except InputError:
            if strict:
                raise
    if data_dir():  # (a data folder may hold no archive: the lookup then says what to do)
        dirs.append(data_dir() / "deepstate" / "daily")
    dirs.append(cache_dir() / "deepstate")
    return dirs


def _folder(name: str, holds: str) -> Path:
    """The folder a setting names; InputError when it is none (mistyped, or a file): the
    archive would be looked up elsewhere, unseen."""
    path = home_path(name, os.environ[name])
    if not path.is_dir():
        what = "a file" if path.exists() else "missing"
        raise InputError(
            f"{name}={str(path)[:200]} is no folder ({what}): point it at {holds}, or unset it"
        )
    return path


CONTESTED_MODES = ("contested", "ukraine", "russia")


def units_path() -> Path | None:
    """MODELLER_UNITS: a GeoJSON/GeoPackage/Shapefile of the 27 units (default, or
    ``embedded``: the embedded units, as the Python API's ``units="embedded"``)."""
    value = os.environ.get("MODELLER_UNITS")
    return home_path("MODELLER_UNITS", value) if value and not is_embedded(value) else None


EMBEDDED = "embedded"  # a path setting's value for the data that ships with the package


def is_embedded(value: object) -> bool:
    """Whether a path setting says ``embedded`` (in any letter case, as 'EMBEDDED' was
    refused as "not a folder")."""
    return isinstance(value, str) and value.strip().casefold() == EMBEDDED


SWITCH = {"1": True, "on": True, "yes": True, "true": True}
SWITCH |= {"0": False, "off": False, "no": False, "false": False}


def switch(name: str, off: str = "off") -> bool:
    """An on/off environment setting, on when unset or empty: 1/on/yes/true or
    0/off/no/false; any other value is an error (``off`` says what 0 does), not silently on."""
    value = os.environ.get(name, "").strip() or "1"  # empty: as unset
    if value.lower() not in SWITCH:
        raise InputError(
            f"{name}={value[:40]!r} is not a switch; use 1 (on, the default) or 0 ({off})"
        )
    return SWITCH[value.lower()]


LAST_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second a date can show


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH: the time outputs say they were made, in whole seconds since
    1970 (None when unset or blank). A malformed value is an error, as the
    reproducible-builds convention asks, not silently the current time."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) > LAST_EPOCH:
        raise InputError(
            f"SOURCE_DATE_EPOCH={value[:40]!r} is not a time; give whole seconds since "
            f"1970-01-01 UTC from 0 to {LAST_EPOCH} (e.g. $(git log -1 --format=%ct)), or "
            "unset it for the current time"
        )
    return int(value)


def reconcile() -> bool:
    """MODELLER_RECONCILE: outline reconciliation of DeepState baselines (on unless 0/off)."""
    return switch("MODELLER_RECONCILE", "off; as --no-reconcile")


def contested_mode() -> str:
    """MODELLER_CONTESTED: how DeepState's grey zone counts (contested, ukraine or russia);
    ``control`` rejects other values."""
    return os.environ.get("MODELLER_CONTESTED", "contested").strip().lower() or "contested"


def population_path() -> Path | None:
    """MODELLER_POPULATION: a folder with hromada outlines and populations (as --population;
    ``embedded``: the embedded unit totals, as the Python API's ``population="embedded"``)."""
    value = os.environ.get("MODELLER_POPULATION")
    return home_path("MODELLER_POPULATION", value) if value and not is_embedded(value) else None
