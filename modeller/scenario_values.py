"""The scenario language's value types (text, dates, oblasts, places, numbers, [lon, lat])
and their checks, each saying what was written and what would be valid."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date as Date
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from . import geodata
from .dates import EARLIEST, LATEST
from .errors import cut, kind_of_value


def _as_list(value: Any) -> Any:
    if value is None:  # "oblast:" with nothing after it (its items commented out)
        raise ValueError("no oblast given: give an oblast name or a list of them")
    return value if isinstance(value, list | tuple) else [value]


def _oblast_code(name: Any) -> str:
    if isinstance(name, dict | list | tuple) or name is None:  # ("unknown oblast '{'name': …")
        raise ValueError(
            f"an oblast is named by its name or ISO code, got {kind_of_value(name)}: e.g. "
            "oblast: Donetsk, or oblast: [Donetsk, Luhansk]"
        )
    return geodata.resolve_unit(str(name))


def _known_place(name: str) -> str:
    geodata.resolve_place(name)
    return name


def _number(value: Any) -> Any:
    """A number as YAML writes one: ``true`` is not 1 and ``'20'`` is not 20."""
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a number; write one, e.g. 20")
    if isinstance(value, str):  # (quoted, or a form YAML reads as text: 0o17, 1:30, 1_0)
        raise ValueError(
            f"{cut(value)!r} is not a number; write plain decimal digits, not in quotes, e.g. 20"
        )
    if value is None:  # ('km:' left empty, or null: pydantic's "a valid number (got None)")
        raise ValueError("the value is empty; write a number, e.g. 20")
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


# letters and symbols drawn as blank space (Hangul fillers, the blank Braille pattern, the
# combining grapheme joiner, Khmer's inherent vowels): a text of only these reads as empty
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")


def invisible(ch: str) -> bool:
    """Whether a character shows nothing: a format or control character, or one drawn as
    blank space (``BLANK_LOOKING``)."""
    return unicodedata.category(ch) in ("Cf", "Cc") or ch in BLANK_LOOKING


def _hidden_only(value: str) -> str | None:
    """The code points of a text of invisible characters (and spaces) alone, 'U+200B,
    U+3164'; None for text with something to read, or with nothing but spaces."""
    if not value.strip() or not all(c.isspace() or invisible(c) for c in value):
        return None
    return ", ".join(sorted({f"U+{ord(c):04X}" for c in value if not c.isspace()}))


def _not_blank(value: str) -> str:
    """Text with something to read: not only spaces or invisible code points (U+200B)."""
    if not value.strip():
        raise ValueError("must not be blank; write a few words")
    if hidden := _hidden_only(value):
        raise ValueError(
            f"must not be blank: it holds only invisible characters ({hidden}); write a few words"
        )
    return value


def _blank_or_text(value: str) -> str:
    """Optional prose: empty or spaces (left out), or something to read; not invisible
    characters alone, which pages and reports would show as an empty paragraph."""
    if hidden := _hidden_only(value):
        raise ValueError(
            f"holds only invisible characters ({hidden}); write a few words, or leave it out"
        )
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


def _at_most(limit: int, what: str):
    """A check that a text is at most ``limit`` characters (``what`` it should be instead)."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"too long ({len(value):,} characters): {what}")
        return value

    return check


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
# where terms were reported: every output repeats it, so it is a citation, not an article
CITATION = "cite the outlet, headline and date in 1,000 characters or fewer"
Citation = Annotated[str, AfterValidator(_not_blank), AfterValidator(_at_most(1000, CITATION))]
Address = Annotated[
    str, AfterValidator(_at_most(2000, "a web address of 2,000 characters or fewer"))
]
# a summary or a note: every page, table and terminal report repeats it (a 4 MB summary
# had taken 19 s and printed itself whole); the full text is the source's, linked
PROSE = "at most 10,000 characters: give the gist, and the full text's address under reported"
Prose = Annotated[str, AfterValidator(_at_most(10_000, PROSE)), AfterValidator(_blank_or_text)]
OblastCode = Annotated[Any, AfterValidator(_oblast_code)]
OblastList = Annotated[list[OblastCode], BeforeValidator(_as_list), Field(min_length=1)]
PlaceName = Annotated[str, AfterValidator(_known_place)]
Number = Annotated[float, BeforeValidator(_number)]
LonLat = Annotated[tuple[float, float], BeforeValidator(_lonlat_numbers), AfterValidator(_lonlat)]


MAX_CHECKED_POINTS = 400  # longer split lines are checked by the engine (n² pairs here)


def first_crossing(points: list[tuple[float, float]]) -> tuple[int, int] | None:
    """The first two segments (by index) of a polyline that cross, touch or run back over
    each other, as the engine's ``is_simple`` test refuses; None if there are none (or the
    line is too long to check pair by pair here).

    Notes
    -----
    Orientation tests on the points (the engine's metres, as both callers give them):
    ``o(a, b, c)`` is the sign of the cross product (b - a) × (c - a); segments ab and cd
    meet when c and d are not strictly on one side of ab and a and b not strictly on one
    side of cd (collinear ones when they overlap), their boxes meeting.
    Neighbouring segments share a point and only count when they fold back over it.
    """
    n = len(points) - 1
    if n > MAX_CHECKED_POINTS:
        return None
    closed = n > 2 and points[0] == points[-1]
    for i in range(n):
        a, b = points[i], points[i + 1]
        for j in range(i + 1, n):
            c, d = points[j], points[j + 1]
            if j == i + 1:  # shares b: folds back when d lies on ab (or a on bd)
                if _orient(a, b, d) == 0 and (_on(a, b, d) or _on(c, d, a)):
                    return i, j
                continue
            if closed and i == 0 and j == n - 1:  # a closed line's ends meet, as allowed
                if _orient(c, d, b) == 0 and (_on(c, d, b) or _on(a, b, c)):
                    return i, j
                continue
            if _meet(a, b, c, d):
                return i, j
    return None


def _orient(a, b, c) -> int:
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (v > 0) - (v < 0)


def _on(a, b, p) -> bool:
    """p, collinear with ab, lies within ab's box."""
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _meet(a, b, c, d) -> bool:
    if not _boxes_meet(a, b, c, d):  # (two pieces of one straight line, apart: rounding in
        return False  # the orientation signs had made them cross)
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4):
        return True
    return (
        (o1 == 0 and _on(a, b, c))
        or (o2 == 0 and _on(a, b, d))
        or (o3 == 0 and _on(c, d, a))
        or (o4 == 0 and _on(c, d, b))
    )


def _boxes_meet(a, b, c, d) -> bool:
    """Whether the boxes of segments ab and cd meet (segments can meet only then)."""
    return (
        max(a[0], b[0]) >= min(c[0], d[0])
        and max(c[0], d[0]) >= min(a[0], b[0])
        and max(a[1], b[1]) >= min(c[1], d[1])
        and max(c[1], d[1]) >= min(a[1], b[1])
    )
