"""The timeline page's numbers: each scenario's series from the table (grouped once,
linear in rows and scenarios), and dates, ticks and figures in words.
"""

from __future__ import annotations

import math
from datetime import date as Date
from functools import cache

import numpy as np

from .timeline_table import Table

KEYS = ("cedes", "regains", "baseline_russia")


# --- data --------------------------------------------------------------------------------


def series(table: Table) -> dict[str, dict]:
    """Per scenario and date: km² and people Ukraine cedes, regains; Russian-held baseline.

    Linear in the number of rows: rows come in runs of one scenario (the table is written
    scenario by scenario), found with one vectorised comparison; each scenario's rows are
    then reduced on their own (np.unique for its dates, bincount for the sums).
    """
    c = table.columns
    ids = [sc["id"] for sc in table.scenarios]
    out: dict[str, dict] = {sid: _empty() for sid in ids}
    if not len(c["date"]):
        return out
    status = np.asarray(c["status"]).astype(str)
    # each row's date as its rank among the table's dates (rows of one date share one str
    # object, whose hash is kept: a dict look-up each, not a sort of all rows' text per
    # scenario); ranks in date order, so a scenario's distinct ones are its dates in order
    seen: dict[str, int] = {}
    n = len(c["date"])
    first = np.fromiter((seen.setdefault(str(d), len(seen)) for d in c["date"]), np.int64, n)
    names = np.array(sorted(seen), dtype=object)
    rank = np.empty(len(names), dtype=np.int64)
    rank[[seen[d] for d in names]] = np.arange(len(names))
    day = rank[first]
    for sid, rows in _scenario_rows(np.asarray(c["scenario"])).items():
        if sid not in out:
            continue
        found, where = np.unique(day[rows], return_inverse=True)
        dates = names[found]
        st = status[rows]
        s: dict[str, list] = {"dates": dates.tolist()}
        for unit in ("km2", "people"):
            for key, col, wanted in (
                ("cedes", "lost_", "ukraine"),
                ("regains", "gained_", "ukraine"),
                ("baseline_russia", "baseline_", "russia"),
            ):
                mask = st == wanted
                values = np.bincount(
                    where[mask],
                    weights=np.asarray(c[col + unit][rows][mask], dtype=float),
                    minlength=len(dates),
                )
                s[f"{key}_{unit}"] = values.tolist()
        out[sid] = s
    return out


def _scenario_rows(scenario: np.ndarray) -> dict[str, np.ndarray]:
    """Row indices of each scenario, from the runs of equal ids (no sort of all rows)."""
    n = len(scenario)
    if not n:
        return {}
    starts = np.flatnonzero(np.r_[True, scenario[1:] != scenario[:-1]])
    ends = np.r_[starts[1:], n]
    runs: dict[str, list[np.ndarray]] = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        runs.setdefault(str(scenario[a]), []).append(np.arange(a, b))
    return {sid: np.concatenate(parts) for sid, parts in runs.items()}


def _empty() -> dict:
    return {"dates": [], **{f"{k}_{u}": [] for k in KEYS for u in ("km2", "people")}}


def baseline_series(data: dict[str, dict]) -> dict:
    """The baselines' own Russian-held totals by date (the same for every scenario)."""
    seen: dict[str, tuple[float, float]] = {}
    for s in data.values():
        for i, d in enumerate(s["dates"]):
            seen.setdefault(d, (s["baseline_russia_km2"][i], s["baseline_russia_people"][i]))
    dates = sorted(seen)
    return {
        "dates": dates,
        "km2": [seen[d][0] for d in dates],
        "people": [seen[d][1] for d in dates],
    }


# --- words and numbers -------------------------------------------------------------------


@cache
def nice_date(iso: str) -> str:
    d = Date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def unbroken(iso: str) -> str:
    """A date for running text that never breaks across lines ('1 Jul 2025', no-break spaces)."""
    return nice_date(iso).replace(" ", "\u00a0")


def cadence(dates: list[str], every_days: int = 0) -> str:
    """How often the page samples the baselines, in words ('weekly', 'day by day',
    'monthly, then weekly', ...): from the dates themselves, since month-end snapshots
    (before the daily archive) are a month apart whatever ``every_days`` asks."""
    days = [Date.fromisoformat(d).toordinal() for d in dates]
    gaps = np.diff(days) if len(days) > 1 else np.array([])
    if not len(gaps):
        return "on one date"
    if len(gaps) == 1 and gaps[0] != every_days:  # one gap is no rhythm ('every 3 days' of
        return "on 2 dates"  # two; 'weekly' of a range's first and last day, 2 days apart)
    if every_days >= 27 and (gaps[:-1] == every_days).all() and gaps[-1] <= every_days:
        # the rhythm asked, not month-end snapshots ('--every 30d' had read 'monthly, then
        # every 30 days'); the last step reaches the range's last day
        return _every(every_days)
    monthly = gaps >= 27
    month_apart = monthly & (gaps <= 32)  # (1991 to 2025 is no month: 'on N dates')
    short = gaps[~monthly]
    steady = _every(every_days or float(np.median(short))) if len(short) else ""
    if monthly.all():
        return "monthly" if (gaps <= 32).all() else f"on {len(days)} dates"
    if not monthly.any():
        return steady
    first = int(np.argmin(monthly))  # month-end snapshots first, then the daily archive
    if month_apart[:first].all() and not monthly[first:].any():
        return f"monthly, then {steady}"
    return f"on {len(days)} dates"


def _every(days: float) -> str:
    words = {1: "day by day", 7: "weekly", 14: "fortnightly"}
    return words.get(int(days), f"every {days:g} days") if days == int(days) else "irregularly"


def fmt(x: float) -> str:
    return f"{x:,.0f}"


def people(x: float) -> str:
    """People on the page: three significant figures (exact figures are in the data file)."""
    return f"{float(f'{x:.3g}'):,.0f}" if x >= 1000 else f"{x:,.0f}"


def short(x: float) -> str:
    """Axis label: 1.5 M, 250 k, 900 (no false precision, no wrapping)."""
    if x >= 1e6:
        return f"{x / 1e6:.1f} M".replace(".0 M", " M")
    if x >= 1e4:
        return f"{x / 1e3:,.0f} k"
    return f"{x:,.0f}"


def axis_labels(values: list[float]) -> list[str]:
    """A people axis's labels, in one style (M, k or plain, by its top tick) and with the
    decimals its ticks need: ticks step by 2.5, and ``short`` had labelled 1,250,000
    '1.2 M' and 12,500 '12 k' (read off the axis, every figure ~4 % low)."""
    top = max(values, default=0.0)
    div, unit = (1e6, " M") if top >= 1e6 else (1e3, " k") if top >= 1e4 else (1.0, "")
    for digits in range(4):
        shown = [f"{v / div:,.{digits}f}" for v in values]
        if all(
            abs(float(t.replace(",", "")) * div - v) <= 1e-9 * max(top, 1.0)
            for t, v in zip(shown, values, strict=True)
        ):
            break
    return [
        "0" if v == 0 else (t.rstrip("0").rstrip(".") if "." in t else t) + unit
        for t, v in zip(shown, values, strict=True)
    ]


def ticks(top: float) -> list[float]:
    """Round axis ticks from 0 to at least ``top`` (at most 6 of them)."""
    top = max(top, 1.0)
    step = 10 ** math.floor(math.log10(top / 4))
    for m in (1, 2, 2.5, 5, 10):
        if top / (step * m) <= 5:
            step *= m
            break
    step = max(step, 1.0)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def month_ticks(x0: int, x1: int) -> list[tuple[int, str]]:
    """(ordinal, 'Jan 2025') at the first of every 1/2/3/6/12 months: at most 8 ticks; a
    span too short for two of them gets days instead (a few weeks had had one label)."""
    months = _month_ticks(x0, x1)
    if len(months) >= 2 or x1 - x0 > 120:
        return months
    step = next(d for d in (1, 2, 7, 14, 28) if (x1 - x0) / d <= 7)
    first = x0 + (-x0) % step if step < 7 else x0 + (1 - x0) % 7  # (7, 14, 28: Mondays)
    return [
        (x, f"{Date.fromordinal(x).day} {Date.fromordinal(x).strftime('%b')}")
        for x in range(first, x1 + 1, step)
    ]


def _month_ticks(x0: int, x1: int) -> list[tuple[int, str]]:
    a, b = Date.fromordinal(x0), Date.fromordinal(x1)
    months = (b.year - a.year) * 12 + b.month - a.month + 1
    nice = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000, 24000)
    step = next(m for m in nice if months / m <= 8)  # a span of up to 10,000 years
    out = []
    index = a.year * 12 + a.month - 1
    index += (-index) % step
    while True:
        y, m = divmod(index, 12)
        if y > Date.max.year:  # a baseline dated in the last years of the calendar
            return out
        d = Date(y, m + 1, 1)
        if d.toordinal() > x1:
            return out
        if d.toordinal() >= x0:
            out.append((d.toordinal(), f"{d.strftime('%b')} {d.year}"))
        index += step
