"""Calendar dates: the one parser of ``YYYY-MM-DD`` and the one "nearest day" rule."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date as Date

from .errors import InputError

# the dates a proposal, a report or a map of the war can have: 0001-01-01 or 9999-12-31
# is a typo (with deepstate:own it had picked a DeepState day 738,274 days away)
EARLIEST, LATEST = Date(1991, 1, 1), Date(2100, 12, 31)
# a day as written (digits 0-9: \d took ٢٠٢٥-٠٨-٠١); its month and day may still be wrong
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str, what: str) -> Date:
    """``text`` as a calendar date; an InputError naming ``what`` (e.g. the spec) if not.

    Parameters
    ----------
    text : str
        ``YYYY-MM-DD``.
    what : str
        Where the text came from, quoted in the error, e.g. ``"baseline 'deepstate:...'"``.
    """
    try:
        return Date.fromisoformat(str(text).strip())
    except ValueError:
        shown = text if ISO_DAY.fullmatch(str(text).strip()) else f"{str(text)[:40]!r}:"
        raise InputError(f"bad date in {what}: {shown} {not_a_day(text)}") from None


def not_a_day(text: str) -> str:
    """What is wrong with text that is no date: the day itself when it is written
    YYYY-MM-DD (2025-02-30 had been told to write YYYY-MM-DD, as it was), else its form."""
    if any(c.isdigit() and not c.isascii() for c in str(text)):  # (٢٠٢٥-٠٨-٠١: \d took it)
        return "write its digits as 0-9: YYYY-MM-DD, e.g. 2025-08-15"
    if ISO_DAY.fullmatch(str(text).strip()):
        return "is not a calendar date"
    return "write YYYY-MM-DD, e.g. 2025-08-15"


def nearest(days: Iterable[Date], day: Date, n: int = 1) -> list[Date]:
    """The ``n`` days closest to ``day``, closest first; on a tie the earlier day first."""
    return sorted(days, key=lambda d: (abs((d - day).days), d))[:n]
