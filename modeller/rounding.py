"""Honest rounding: how figures are written for people to read (tables, Markdown, maps).

Exact values stay in JSON and CSV; whatever a person reads is rounded to what the method
can support, and a people figure carries its range::

    >>> people_text(766_344, 763_356, 779_753)
    'about 770,000 (760,000–780,000)'
    >>> km2_text(7154.02)
    '7,150'

People are rounded on a step of the order of their range's width, kept between two and
three significant figures of the value; the range is widened outwards (low rounded down,
high up) so the printed range always contains the computed one. Areas keep three
significant figures (at least whole km²).
"""

from __future__ import annotations

import math

SMALL = 100  # people figures below this are written "fewer than 100"


def _step(value: float, digits: int) -> float:
    """The rounding step that keeps ``digits`` significant figures of ``value``."""
    if value <= 0:
        return 1.0
    return 10.0 ** max(0, math.floor(math.log10(value)) - digits + 1)


def _nearest(value: float, step: float) -> int:
    """``value`` to the nearest multiple of ``step``, halves away from zero, once float
    noise is dropped: a sum of weights of 67,349.99999999997 is the town's 67,350, which
    reads 67,400, not 67,300 (nor, by Python's half-to-even, 67,200 for 67,250)."""
    q = math.floor(round(abs(value) / step, 6) + 0.5) * step
    return int(q) if value >= 0 else -int(q)


def round_people(value: float) -> int:
    """A people figure to two significant figures (at least to the nearest 10)."""
    step = max(10.0, _step(abs(value), 2))
    return _nearest(value, step)


def people_step(value: float, low: float, high: float) -> float:
    """The rounding step of a people figure: the order of its range's width, kept
    between two and three significant figures of the value (and at least 10)."""
    coarse, fine = _step(abs(value), 2), _step(abs(value), 3)
    width = high - low
    by_range = 10.0 ** math.floor(math.log10(width)) if width > 0 else fine
    return max(10.0, min(coarse, max(fine, by_range)))


def people_bounds(value: float, low: float, high: float) -> tuple[int, int, int]:
    """(value, low, high) rounded on one step (``people_step``), low down and high up."""
    step = people_step(value, low, high)
    return (
        _nearest(value, step),
        int(math.floor(low / step) * step),
        int(math.ceil(high / step) * step),
    )


def people_text(
    value: float,
    low: float | None = None,
    high: float | None = None,
    most: int | None = None,
    whole: float | None = None,
) -> str:
    """'about 760,000 (740,000–790,000)'; '0'; 'fewer than 100'.

    ``most``: the figure shown beside it that this one is a part of (a town's population),
    which the rounding does not take it past when the computed figures are within
    ``whole``, that figure unrounded (default: ``most``): a whole Lyman (20,066) had read
    20,100 people changing hands; Mykolayivka, shown as 640 (644), '640 (560–650)'."""
    low = value if low is None else low
    high = value if high is None else high
    if max(value, high) < 0.5:
        return "0"
    if max(value, high) < SMALL:
        return f"fewer than {SMALL}"
    v, lo, hi = people_bounds(value, low, high)
    whole = most if whole is None else whole
    if most is not None and max(value, high) <= whole + 0.5:
        v, hi = min(v, int(most)), min(hi, int(most))
    if lo == hi or high - low < 1:  # no spread (an official total): no range around it
        return f"about {v:,}"
    return f"about {v:,} ({max(lo, 0):,}–{hi:,})"


def people_short(
    value: float,
    low: float | None = None,
    high: float | None = None,
    most: int | None = None,
    whole: float | None = None,
) -> str:
    """The compact form for table cells: '770,000 (760,000–780,000)', '<100', '0'."""
    text = people_text(value, low, high, most, whole)
    return text.removeprefix("about ").replace(f"fewer than {SMALL}", f"<{SMALL}")


def town_population(x: float) -> tuple[str, int | None]:
    """A town's population as tables and pages write it (people's three significant
    figures, '<100' below a hundred), and as a number (None for '<100'): the most its
    people changing hands are written as (``people_text``'s ``most``). The terminal had
    written 20,066 where the pages wrote 20,100, and its people column mixed 67,350 with
    147,000."""
    text = people_short(x, x, x)
    digits = text.replace(",", "")
    return text, int(digits) if digits.isdigit() else None


def signed_people(value: float, low: float, high: float) -> str:
    """A change in people: '+770,000 (+760,000–+780,000)', '−1,200 (…)', '0'."""
    if max(abs(value), abs(low), abs(high)) < 0.5:
        return "0"
    if max(abs(value), abs(low), abs(high)) < SMALL:
        return f"<{SMALL}"
    v, lo, hi = people_bounds(value, low, high)

    def sign(n: int) -> str:
        return f"+{n:,}" if n > 0 else (f"−{-n:,}" if n < 0 else "0")

    same = lo == hi or high - low < 1  # no spread: no range around it
    return sign(v) if same else f"{sign(v)} ({sign(lo)}…{sign(hi)})"


def pct_text(value: float) -> str:
    """A percentage to one decimal, ``19.9``; never ``-0.0`` (a zero from overlay noise);
    ``<0.1`` for a share that is there but rounds to nothing (a 153 km² zone had read 0.0
    beside its km²), as km² write ``<1``."""
    value = float(value)
    if 1e-6 <= value < 0.05:  # (below: overlay noise, no land; a change keeps 0.0)
        return "<0.1"
    return f"{round(value, 1) + 0.0:.1f}"


def km2_text(value: float) -> str:
    """Square kilometres to three significant figures, whole km² at least; '<1', '0'."""
    if abs(value) < 0.005:
        return "0"
    if abs(value) < 1:
        return "<1"
    step = max(1.0, _step(abs(value), 3))
    return f"{_nearest(value, step):,}"


def share_text(share: float) -> str:
    """A town's share changing hands, in steps of 5 %: '60 %', '<5 %', '>95 %', 'all'
    (a share short of all never reads '100 %')."""
    if share >= 0.995:
        return "all"
    if share < 0.05:
        return "<5 %"
    if share >= 0.975:
        return ">95 %"
    return f"{int(round(share * 20) * 5)} %"


__all__ = [
    "km2_text",
    "people_bounds",
    "people_short",
    "people_step",
    "people_text",
    "round_people",
    "share_text",
    "signed_people",
]
