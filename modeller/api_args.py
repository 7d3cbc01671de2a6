"""The Python API's arguments checked and put to work: the units and the population a
call makes active, the partitions ``apply`` accepts, errors in the API's words."""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date as Date
from datetime import datetime
from pathlib import Path

from . import geodata, inputs, settings
from .errors import InputError
from .partition import BaselineInfo, Partition, Piece
from .statuses import BUILTIN_STATUSES, meant


def spec_text(value: object) -> object:
    """A baseline given as a Path (a file) or a whole number (``1991``) as its spec's
    text, as ``--baseline`` takes it; anything else unchanged (for the caller to judge)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))  # (numpy's integers too, as run's towns= takes them)
    return value


def units_now() -> tuple[str, str]:
    """The active units: their data digest and name."""
    source = geodata.load().source
    return geodata.data_digest(), str(source.get("file") or source.get("name", ""))


def stamped(partition: Partition, units: tuple[str, str] | None = None) -> Partition:
    """The partition marked as drawn on ``units`` (default: the active ones), which
    ``apply`` checks."""
    units = units or units_now()
    return replace(partition, baseline=replace(partition.baseline, units=units))


def check_units(baseline: object) -> None:
    """InputError when ``baseline`` was drawn on other units than the active ones."""
    drawn_on = getattr(getattr(baseline, "baseline", None), "units", None)
    if drawn_on and drawn_on[0] != geodata.data_digest():
        raise InputError(
            f"this baseline was loaded on other units ({drawn_on[1]}) than the active ones "
            f"({units_now()[1]}): load it again (load_baseline), or make its units active "
            "again with load_baseline(units=...)"
        )


def check_partition(baseline: object) -> None:
    """InputError unless ``baseline`` is a partition of the active units: drawn on them
    (a baseline loaded on other units would be cut and peopled on these units' outlines
    and settlements, figures of neither), of pieces with polygons in their oblasts, adding
    up to the units' area (a piece given twice, or lost, would count land twice or not)."""
    check_units(baseline)
    pieces = getattr(baseline, "pieces", None)
    data = geodata.load()
    if not isinstance(pieces, tuple) or not all(isinstance(p, Piece) for p in pieces):
        raise InputError("the baseline's pieces must be a tuple of Piece (from load_baseline)")
    if not isinstance(baseline.baseline, BaselineInfo):
        raise InputError("the baseline's .baseline must say what it is (from load_baseline)")
    _check_info(baseline.baseline)
    said = getattr(baseline, "warnings", ())
    if not isinstance(said, tuple) or not all(isinstance(w, str) for w in said):
        # a string had been read one character to a warning
        raise InputError(
            f"the baseline's .warnings must be a tuple of text, got {type(said).__name__} "
            f"{said!r:.40} (use a partition from load_baseline, or dataclasses.replace "
            "with a tuple of str)"
        )
    odd_attrs = next((p for p in pieces if not _pairs(p.attrs, str)), None)
    if odd_attrs is not None:
        raise InputError(
            f"a piece of the baseline ({odd_attrs.oblast!r:.40}) has attrs "
            f"{odd_attrs.attrs!r:.60}: they must be a tuple of (name, text) pairs, e.g. "
            "(('recognition', 'de facto'),); use a partition from load_baseline"
        )
    # a status written otherwise ('Russia ') had been counted as a status of its own
    odd = next(
        ((p, s) for p in pieces for s in (p.before, p.after) if s not in BUILTIN_STATUSES), None
    )
    if odd is not None:
        piece, status = odd
        raise InputError(
            f"a piece of the baseline ({piece.oblast!r:.40}) has status {status!r:.40}"
            f"{meant(status, BUILTIN_STATUSES)}; a baseline's statuses are "
            f"{', '.join(BUILTIN_STATUSES)}: use a partition from load_baseline"
        )
    for p in pieces:
        if p.oblast not in data.units or getattr(p.geometry, "geom_type", "") not in (
            "Polygon",
            "MultiPolygon",
        ):
            raise InputError(
                f"a piece of the baseline ({p.oblast!r:.40}, {p.before!r:.40}) is not a "
                "polygon of one of the active units; use a partition from load_baseline"
            )
    own = {code: float(geodata.area_km2(g)) for code, g in data.geometry.items()}
    total, units_km2 = float(baseline.areas_km2.sum()), sum(own.values())
    if abs(total - units_km2) > 1e-4 * units_km2:
        raise InputError(
            f"the baseline's pieces add up to {total:,.0f} km², not the units' "
            f"{units_km2:,.0f} km² (a piece given twice, or lost?); use a partition from "
            "load_baseline or apply"
        )
    per_unit: dict[str, float] = {}
    for p, km2 in zip(pieces, baseline.areas_km2, strict=True):
        per_unit[p.oblast] = per_unit.get(p.oblast, 0.0) + float(km2)
    for code, km2 in own.items():  # each piece in the unit it names
        if abs(per_unit.get(code, 0.0) - km2) > 1e-4 * km2 + 0.01:
            raise InputError(
                f"the baseline's pieces of {data.units[code].name_en} ({code}) add up to "
                f"{per_unit.get(code, 0.0):,.0f} km², not its {km2:,.0f} km² (a piece named "
                "for another unit?); use a partition from load_baseline or apply"
            )


def _check_info(info: BaselineInfo) -> None:
    """InputError unless what the baseline says it is has the types load_baseline gives
    (a date written as text had crashed the report: 'str' has no 'isoformat')."""
    wrong = [
        f"{name} must be {what}, got {type(value).__name__} {value!r:.40}"
        for name, value, kinds, what in (
            ("name", info.name, str, "text"),
            ("date", info.date, Date | None, "a datetime.date or None"),
            ("source", info.source, str, "text"),
            ("method", info.method, str, "text"),
            ("outside_km2", info.outside_km2, float | int | None, "a number of km² or None"),
            ("grey_zone", info.grey_zone, str | None, "text or None"),
        )
        if not isinstance(value, kinds) or isinstance(value, datetime | bool)
    ]
    for name, value in (("reconciled", info.reconciled), ("cut_off", info.cut_off)):
        if not (value is None and name == "reconciled") and not _pairs(value, float | int):
            wrong.append(
                f"{name} must be a tuple of (unit code, km²) pairs"
                f"{' or None' if name == 'reconciled' else ''}, got {value!r:.40}"
            )
    if wrong:
        raise InputError(
            f"the baseline's .baseline: {wrong[0]} (use a partition from load_baseline, or "
            "dataclasses.replace with values of those types)"
        )


def _pairs(value: object, second: type) -> bool:
    """Whether ``value`` is a tuple of (text, ``second``) pairs."""
    return isinstance(value, tuple) and all(
        isinstance(v, tuple)
        and len(v) == 2
        and isinstance(v[0], str)
        and isinstance(v[1], second)
        and not isinstance(v[1], bool)
        for v in value
    )


def use_units(units: str | Path) -> None:
    """Make a units file the active units, once it is accepted (a refused file leaves the
    units as they were); ``"embedded"``: back to the embedded units."""
    import os

    if not isinstance(units, str | os.PathLike):
        raise InputError(
            f"units must be a path to a units file, or 'embedded', got {type(units).__name__}"
        )
    if settings.is_embedded(units):
        os.environ.pop("MODELLER_UNITS", None)
        return
    if not str(units).strip():
        raise InputError("units is empty: give a units file (GeoJSON, GeoPackage, Shapefile)")
    if "\0" in str(units):  # (Path.is_file says False: "not found" had been said)
        raise InputError("a file name cannot hold a NUL character", repr(str(units))[:80])
    path = inputs.home(units, f"units {str(units)[:80]!r}")
    try:
        folder, found = path.is_dir(), path.is_file()
    except (OSError, ValueError) as exc:  # too long a name, a NUL: as --units says it
        raise InputError(f"cannot read units file: {inputs.reason(exc)}", str(path)) from None
    if folder:
        raise InputError(
            "is a folder: give a units file (GeoJSON, GeoPackage, Shapefile)", str(path)
        )
    if not found:
        try:  # a FIFO or a device is there, not nothing (as --units says it)
            kind = inputs.kind_of(path.stat().st_mode)
        except OSError:
            raise InputError("units file not found", str(path)) from None
        raise InputError(
            f"is {kind}, not a regular file; give a units file (GeoJSON, GeoPackage, Shapefile)",
            str(path),
        )
    geodata.check_units(path.resolve())  # refused here: the active units do not change
    os.environ["MODELLER_UNITS"] = str(path.resolve())  # what --units sets, too


def use_population(folder: object) -> None:
    """People placed as ``--population`` places them (see ``run``)."""
    from . import hromadas

    if isinstance(folder, os.PathLike):
        folder = os.fspath(folder)
    if folder is not None and not isinstance(folder, str):
        raise InputError(
            "population must be a folder with hromada outlines and populations (like "
            f"--population), or 'embedded', got {type(folder).__name__}"
        )
    if folder is not None and not folder.strip():
        raise InputError("population is empty: give a folder, or 'embedded'")
    if settings.is_embedded(folder):
        hromadas.population.use(None)
        return
    try:
        hromadas.use_folder(Path(folder) if folder else None)
    except InputError as exc:
        raise in_api_words(exc) from None


FLAGS = (
    ("--baselines", "baselines"),
    ("--every", "every"),
    ("--baseline ", "baseline "),
    ("--population", "population"),
)


def in_api_words(exc: InputError) -> InputError:
    """The error with the command line's options named as this API's arguments."""
    message = exc.message
    for flag, argument in FLAGS:
        message = message.replace(flag, argument)
    return InputError(message, exc.file, exc.line, exc.loc)


def truth(value: object, name: str, what: str = "") -> bool:
    """``value`` as True or False: a bool, or numpy's (a column's value, ``np.True_``);
    InputError otherwise (1 and "yes" are not taken for True)."""
    kind = type(value)
    if isinstance(value, bool) or (kind.__module__, kind.__name__) == ("numpy", "bool"):
        return bool(value)
    raise InputError(f"{name} must be True or False{what}, got {value!r:.60}")


@contextmanager
def deepstate_options(contested: object = None, reconcile: object = None) -> Iterator[None]:
    """``--contested`` and ``--no-reconcile`` for one call: how DeepState's grey zone counts
    and whether its outline is reconciled (None: as the environment says,
    ``MODELLER_CONTESTED``, ``MODELLER_RECONCILE``); the environment is restored after."""
    changes = {}
    if contested is not None:
        mode = contested.strip().lower() if isinstance(contested, str) else None
        if mode not in settings.CONTESTED_MODES:
            raise InputError(
                f"contested must be one of {', '.join(settings.CONTESTED_MODES)} (how "
                f"DeepState's grey zone counts), got {contested!r:.60}"
            )
        changes["MODELLER_CONTESTED"] = mode
    if reconcile is not None:
        on = truth(reconcile, "reconcile", " (outline reconciliation of DeepState baselines)")
        changes["MODELLER_RECONCILE"] = "1" if on else "0"
    before = {name: os.environ.get(name) for name in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
