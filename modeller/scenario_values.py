"""The scenario language's value types (text, dates, oblasts, places, numbers, [lon, lat])
and their checks, each saying what was written and what would be valid."""

from __future__ import annotations

import math
import re
from datetime import date as Date
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from . import geodata


def _as_list(value: Any) -> Any:
    return value if isinstance(value, list | tuple) else [value]


# Bare "Kyiv" is, in English, the city as often as the oblast (the unit table's English
# name of the oblast; Ukrainian "Київ" is the city): a scenario must say which it means.
_BOTH_KYIVS = {geodata.fold("Kyiv"), geodata.fold("Kiev")}


def _oblast_code(name: Any) -> str:
    if geodata.fold(str(name)) in _BOTH_KYIVS:
        raise ValueError(
            f"'{name}' could be Kyiv oblast (UA-32, Київська) or Kyiv city (UA-30, Київ), "
            "which are two units: write 'Kyiv oblast' or 'Kyiv city'"
        )
    return geodata.resolve_oblast(str(name))


def _known_place(name: str) -> str:
    geodata.resolve_place(name)
    return name


def _number(value: Any) -> Any:
    """A number as YAML writes one: ``true`` is not 1 and ``'20'`` is not 20."""
    if isinstance(value, bool | str):
        shown = str(value).lower() if isinstance(value, bool) else repr(value)
        raise ValueError(f"{shown} is not a number; write digits without quotes, e.g. 20")
    return value


def _lonlat_numbers(value: Any) -> Any:
    """[lon, lat] of numbers: quoted or true/false coordinates are named as such (not as a
    place name that is not a string)."""
    if isinstance(value, list | tuple) and any(isinstance(v, bool | str) for v in value):
        raise ValueError(
            "coordinates must be numbers without quotes, [lon, lat], e.g. Kyiv is [30.52, 50.45]"
        )
    return value


def _lonlat(value: tuple[float, float]) -> tuple[float, float]:
    lon, lat = value
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"coordinate [{lon}, {lat}] is not a finite number; write [lon, lat]")
    if 44.0 <= lon <= 52.5 and 22.0 <= lat <= 40.5:  # [lat, lon] of a place in Ukraine
        raise ValueError(
            f"coordinate [{lon}, {lat}] looks like [lat, lon]; write [lon, lat], "
            "e.g. Kyiv is [30.52, 50.45]"
        )
    if not (10.0 <= lon <= 60.0 and 35.0 <= lat <= 60.0):
        raise ValueError(f"coordinate [{lon}, {lat}] is far from Ukraine; write [lon, lat]")
    return value


def _iso_date(value: Any) -> Any:
    """Dates are written YYYY-MM-DD: a bare number (``date: 0``) or a string of digits
    ("1755216000") is not read as a timestamp, nor "20250815" as a date, and a time of day
    is refused rather than dropped."""
    if isinstance(value, bool | int | float):
        raise ValueError(f"date {value!r} must be written YYYY-MM-DD, e.g. 2025-08-15")
    timed = isinstance(value, str) and len(value.strip()) > 10 and value.strip()[10] in "T "
    if isinstance(value, datetime) or timed:
        raise ValueError(f"date {str(value)[:40]!r} must be a day, with no time, e.g. 2025-08-15")
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            raise ValueError(f"date {value[:40]!r} must be written YYYY-MM-DD, e.g. 2025-08-15")
        try:
            return Date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"date {value.strip()!r} is not a calendar date") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank; write a few words")
    return value


def _headline(limit: int):
    """A check that a title or label fits where it is shown (map images, legends, tabs)."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(
                f"too long ({len(value):,} characters): a title or label is a headline of "
                f"{limit} characters or fewer (put the detail in summary, notes or a step's note)"
            )
        return value

    return check


EARLIEST, LATEST = Date(1991, 1, 1), Date(2100, 12, 31)  # a proposal's or report's date


def _plausible(value: Date) -> Date:
    """A date from Ukraine's independence to 2100: 0001-01-01 or 9999-12-31 is a typo (with
    ``deepstate:own`` it had picked a DeepState day 738,274 days away)."""
    if not EARLIEST <= value <= LATEST:
        raise ValueError(
            f"date {value.isoformat()} is outside {EARLIEST.year}–{LATEST.year}; "
            "write the date the proposal was made or reported, e.g. 2025-08-15"
        )
    return value


IsoDate = Annotated[Date, BeforeValidator(_iso_date), AfterValidator(_plausible)]
Text = Annotated[str, AfterValidator(_not_blank)]
Title = Annotated[str, AfterValidator(_not_blank), AfterValidator(_headline(200))]
Label = Annotated[str, AfterValidator(_not_blank), AfterValidator(_headline(80))]
OblastCode = Annotated[Any, AfterValidator(_oblast_code)]
OblastList = Annotated[list[OblastCode], BeforeValidator(_as_list), Field(min_length=1)]
PlaceName = Annotated[str, AfterValidator(_known_place)]
Number = Annotated[float, BeforeValidator(_number)]
LonLat = Annotated[tuple[float, float], BeforeValidator(_lonlat_numbers), AfterValidator(_lonlat)]
