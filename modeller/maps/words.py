"""Words and numbers for readers: rounded figures, dates, place names as the news spells them.

Pages show rounded figures (the CSV downloads and ``--format json`` keep the exact ones).
Every rounding on the map pages goes through this module, so it can follow the project's
shared range/rounding helpers in one place.
"""

from __future__ import annotations

from datetime import date as _date

from ..gazetteer import news_name
from ..rounding import (  # noqa: F401  (share_text: for pages)
    km2_text,
    pct_text,
    people_short,
    round_people,
    share_text,
    town_population,
)

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


MAPPED_SHARE = 0.5
"""A town is drawn as changing hands on a map when at least this share of its footprint
does; one barely touched (Donetsk city on the 2022 lines: under 5 %) would read as wholly
taken. The tables list every town that changes hands, each with its share."""


def mapped_towns(towns: list) -> list:
    """The towns a map draws as changing hands (``MAPPED_SHARE``), in the given order:
    rows of the run document, as records or as JSON-ready dicts."""
    return [t for t in towns if (t["share"] if isinstance(t, dict) else t.share) >= MAPPED_SHARE]


def place(name: str) -> str:
    """A settlement's name as the news spells it (``gazetteer.news_name``)."""
    return news_name(name)


def people(
    x: float,
    low: float | None = None,
    high: float | None = None,
    most: int | None = None,
    whole: float | None = None,
) -> str:
    """People, rounded for reading, with their range when given: ``740,000
    (730,000–750,000)``; ``670,000`` without one (``modeller.rounding``); ``most``: see
    ``rounding.people_text``."""
    x = abs(float(x))
    if low is None or high is None:
        if x < 5:
            return "0"
        return f"{round_people(x):,}"  # (as the terminal and Markdown tables round it)
    return people_short(x, min(abs(low), abs(high)), max(abs(low), abs(high)), most, whole)


def population(x: float) -> str:
    """A town's population as published (GeoNames): three significant figures, as the
    towns tables give it (a popup had said 150,000 beside the table's 147,000)."""
    return people(x, x, x)


def population_shown(x: float) -> int | None:
    """A town's population as the pages write it (``population``), as a number (None for
    '<100'): the most its people changing hands are written as (``rounding.people_text``)."""
    return town_population(x)[1]


def millions(low: str, high: str) -> str:
    """A written range (``34,400,000``, ``34,600,000``) as ``34.4–34.6 M`` when both ends
    are whole multiples of a thousand of at least a million; as written otherwise."""
    a, b = (int(x.replace(",", "")) for x in (low, high))
    if min(a, b) < 1_000_000 or a % 1000 or b % 1000:
        return f"{low}–{high}"
    # both ends to the same decimals, as few as show them exactly (1.09–1.10 M, not 1.1)
    places = max(len(f"{x / 1e6:.3f}".rstrip("0").partition(".")[2]) for x in (a, b))
    return f"{a / 1e6:.{places}f}–{b / 1e6:.{places}f} M"


def people_of(
    row: dict, key: str = "people", most: int | None = None, whole: float | None = None
) -> str:
    """A row's people figure with its range (``key``, ``key_low``, ``key_high``)."""
    return people(row[key], row.get(key + "_low"), row.get(key + "_high"), most, whole)


def people_sum(flows: list[dict]) -> str:
    """People of several flows together, with the range of the sum (per variant)."""
    if not flows:
        return "0"
    variants = [f.get("people_by_variant") or [] for f in flows]
    value = sum(f["people"] for f in flows)
    if all(variants) and len({len(v) for v in variants}) == 1:
        totals = [sum(col) for col in zip(*variants, strict=True)]
        return people(value, min(totals), max(totals))
    return people(
        value,
        sum(f.get("people_low", f["people"]) for f in flows),
        sum(f.get("people_high", f["people"]) for f in flows),
    )


NOTHING_KM2 = 0.005  # less land than this is overlay noise: nothing, wherever it is said


def km2(x: float) -> str:
    """Square kilometres, to three significant figures: ``6,240``; ``under 1`` for slivers."""
    x = abs(float(x))
    if x < NOTHING_KM2:  # (overlay noise: nothing, as the tables say it)
        return "0"
    if x < 1:
        return "under 1"
    return km2_text(x)  # (as the terminal and Markdown tables round it)


def signed_km2(x: float) -> str:
    """A change in km², with its sign: ``+1,600``, ``−6,240``, ``0``."""
    text = km2(x)
    if text in ("0", "under 1"):
        return "0" if text == "0" else ("+" if x > 0 else "−") + "<1"
    return ("+" if x > 0 else "−") + text


def pct(x: float) -> str:
    """A percentage to one decimal: ``19.9``."""
    return pct_text(x)


def day(iso: str | None) -> str:
    """An ISO date as ``15 Aug 2025`` (``undated`` when missing)."""
    if not iso:
        return "undated"
    d = _date.fromisoformat(str(iso)[:10])
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def baseline_caption(baseline: dict) -> str:
    """What the baseline is, in words: ``DeepStateMap, 15 Aug 2025``."""
    name, when = str(baseline.get("name") or ""), day(baseline.get("date"))
    if name.startswith("deepstate:"):
        return f"DeepStateMap, {when}"
    if name == "contact-line":
        return f"Approximate line authored from public reporting, {when}"
    if name == "pre-2022":
        return f"Approximate line of 23 Feb 2022, authored from public reporting ({when})"
    if name == "1991":
        return "Ukraine's 1991 borders (no territory held by Russia)"
    return f"{name}, {when}"


def _residents(figure: str) -> str:
    """'about 730,000 pre-invasion residents, 720,000–740,000': a figure and its range
    without brackets in brackets ("(about 730,000 (720,000–740,000) pre-invasion …)")."""
    value, _, spread = figure.partition(" (")
    return f"about {value} pre-invasion residents" + (f", {spread[:-1]}" if spread else "")


def headline(row: dict) -> str:
    """One line per scenario: what Ukraine cedes and regains (from ``report.comparison_row``);
    its people are said to be pre-invasion residents where they are first read (a bare "people"
    was read as the number living there now)."""
    parts = []
    if row["ukraine_cedes_km2"] >= NOTHING_KM2:  # (as the tables: 0.3 km² is "under 1")
        parts.append(
            f"Ukraine cedes {km2(row['ukraine_cedes_km2'])} km² "
            f"({_residents(people_of(row, 'ukraine_cedes_people'))})"
        )
    if row["ukraine_regains_km2"] >= NOTHING_KM2:
        verb = "regains" if parts else "Ukraine regains"
        parts.append(
            f"{verb} {km2(row['ukraine_regains_km2'])} km² "
            f"({_residents(people_of(row, 'ukraine_regains_people'))})"
        )
    return "; ".join(parts) or "No land changes hands between Ukraine and Russia"
