"""The timeline page's charts: a shared date axis, each series as an SVG path in a
stretchable box with HTML tick labels, gaps in the dates left as breaks, and the
overview of every scenario on one axis (see ``timeline_page`` for the layout)."""

from __future__ import annotations

import bisect
from datetime import date as Date

import numpy as np

from .rounding import km2_text
from .timeline_series import axis_labels, fmt, month_ticks, nice_date, ticks

SERIES = (  # key, label, colour (Okabe–Ito)
    ("cedes", "Ukraine cedes", "#d55e00"),
    ("regains", "Ukraine regains", "#0072b2"),
)
OVERVIEW_COLOURS = ("#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
UNITS = {"km2": "km²", "people": "people (pre-invasion residents)"}
VIEW_W, VIEW_H = 1000, 100  # SVG user units of every chart's plot area
GAP_DAYS = 62  # a step between dates longer than this (and than those beside it) is a gap
NARROW = 4.0  # a run of dates narrower than this (of VIEW_W) is also drawn as a dot (~2 px)
EDGE_PCT = 10.0  # half a 12 px "Sep 2025" on a phone's ~310 px plot is ~9 % of it
CROWDED_PCT = 13.5  # a 12 px "Sep 2025" (~56 px) on a desktop pair's ~420 px plot
PHONE_PCT = 18.0  # the same label on a phone's ~310 px plot


class Axis:
    """The shared x-axis of every chart: dates -> percent of the plot width."""

    def __init__(self, dates: list[str]):
        days = [Date.fromisoformat(d).toordinal() for d in dates] or [Date.today().toordinal()]
        self._cache: dict[tuple, object] = {}  # xs arrays and break sets, by date list
        self.x0, self.x1 = min(days), max(days)
        one = self.x1 == self.x0
        if one:  # one date: in the middle, its own tick alone (the day after, which had
            self.x0, self.x1 = self.x0 - 1, self.x1 + 1  # ended the axis, held no data)
        months = month_ticks(self.x0, self.x1)
        if one:
            months = [(d, label) for d, label in months if d == days[0]]
        pcts = [self.pct(d) for d, _ in months]
        self.ticks = [
            {
                "pct": pct,
                "label": label,
                # (odd ones are hidden on a phone: every other one, or one kept at an
                # end that would run into its neighbour there)
                "odd": i % 2 == 1 and len(months) > 4 or _crowded(i, pcts, PHONE_PCT),
                "edge": _edge(pct),
            }
            for i, ((_, label), pct) in enumerate(zip(months, pcts, strict=True))
            if not _crowded(i, pcts, CROWDED_PCT)
        ]

    def pct(self, day: int) -> float:
        return round((day - self.x0) / (self.x1 - self.x0) * 100, 3)

    def x(self, iso: str) -> float:
        return (Date.fromisoformat(iso).toordinal() - self.x0) / (self.x1 - self.x0) * VIEW_W

    def breaks(self, dates: list[str]) -> set[int]:
        """``gaps`` of a date list (each distinct list worked out once, as ``xs``)."""
        key = ("breaks", tuple(dates))
        if key not in self._cache:
            self._cache[key] = gaps(dates)
        return self._cache[key]

    def xs(self, dates: list[str]) -> np.ndarray:
        """x of many dates (each distinct date list converted once)."""
        key = tuple(dates)
        if key not in self._cache:
            days = np.array([Date.fromisoformat(d).toordinal() for d in dates], dtype=float)
            self._cache[key] = (days - self.x0) / (self.x1 - self.x0) * VIEW_W
        return self._cache[key]


def _edge(pct: float) -> str:
    """'start'/'end' for a tick so near an end of the axis that its centred label would
    stick out of the chart (and the page, on a phone): it is then aligned to the inside."""
    return "start" if pct < EDGE_PCT else "end" if pct > 100 - EDGE_PCT else ""


def _crowded(i: int, pcts: list[float], label_pct: float) -> bool:
    """Whether tick ``i`` sits at an end of the axis (``_edge``) so near its neighbour that
    its label, kept inside the chart, runs into the neighbour's, labels being
    ``label_pct`` of the plot wide: "Jul 2024" over "Sep 2024" in a desktop pair of charts
    (~430 px, a label ~13 % of it; such a tick is left out), "Jul 2026" over "Jan 2026" on
    a phone (~310 px, ~18 %; hidden there)."""
    if not _edge(pcts[i]):
        return False
    beside = [abs(pcts[j] - pcts[i]) for j in (i - 1, i + 1) if 0 <= j < len(pcts)]
    return bool(beside) and min(beside) < 1.5 * label_pct


def _points(axis: Axis, dates: list[str], values: list[float], top: float) -> str:
    """An SVG path through the values, broken where the dates leave a gap (``gaps``); a
    date alone between gaps is a dot, and so is a run of dates too short to be seen on
    the axis (``NARROW``: three days of 2025 beside 1991 had been a speck under a pixel)."""
    xs = axis.xs(dates)
    ys = VIEW_H - np.asarray(values, dtype=float) / top * VIEW_H
    pairs = list(map("{:.1f},{:.2f}".format, xs.tolist(), ys.tolist()))
    breaks = axis.breaks(dates)
    if len(pairs) > 1 and (not breaks and xs[-1] - xs[0] >= NARROW):  # one line: at once
        return "M" + pairs[0] + " L" + " L".join(pairs[1:])
    starts = sorted({0, *breaks})
    ends = [*starts[1:], len(pairs)]
    out = []
    for a, b in zip(starts, ends, strict=True):
        out.append("M" + pairs[a] + "".join(" L" + p for p in pairs[a + 1 : b]))
        if xs[b - 1] - xs[a] < NARROW:  # alone, or too short to see: a dot (round caps)
            out.append("l0.01,0" if b - a == 1 else "M" + pairs[b - 1] + " l0.01,0")
    return " ".join(out)


def _dots(axis: Axis, dates: list[str], values: list[float], top: float) -> str:
    """The dates alone between gaps (or alone on the chart), and runs of dates too short
    to see, as zero-length strokes, which the page draws as large round dots: in the
    line's own stroke they were 2 px specks."""
    path = _points(axis, dates, values, top).split(" ")
    return " ".join(f"{a} {b}" for a, b in zip(path, path[1:], strict=False) if b == "l0.01,0")


def gaps(dates: list[str]) -> set[int]:
    """Where a line is not drawn on: index i when the step from date i-1 to i is over two
    months and over 2.5 times both steps beside it (month-end snapshots then a baseline a
    year later: a straight line across the year would show figures nobody measured)."""
    days = np.array([Date.fromisoformat(d).toordinal() for d in dates], dtype=float)
    steps = np.diff(days)
    if not len(steps):
        return set()
    beside = np.maximum(np.r_[0.0, steps[:-1]], np.r_[steps[1:], 0.0])
    return set((np.flatnonzero((steps > GAP_DAYS) & (steps > 2.5 * beside)) + 1).tolist())


def _yticks(values: list[float], unit: str) -> list[dict]:
    top = values[-1]
    labels = axis_labels(values) if unit == "people" else [fmt(v) for v in values]
    return [
        {"pct": round(v / top * 100, 3), "y": VIEW_H - v / top * VIEW_H, "label": label}
        for v, label in zip(values, labels, strict=True)
    ]


def chart(
    axis: Axis,
    s: dict,
    unit: str,
    shared_top: float,
    cid: str,
    title: str,
    proposed: str | None,
    lines: tuple = SERIES,
) -> dict:
    """One chart's template data: lines on its own scale, both tick sets, the mark.

    ``k`` is own top / shared top: the factor that puts the lines on the shared scale.
    """
    own = ticks(max([max(s[f"{k}_{unit}"], default=0.0) for k, _, _ in lines] + [1.0]))
    shared = ticks(max(shared_top, own[-1]))
    top = own[-1]
    mark = None
    if proposed:
        day = Date.fromisoformat(proposed).toordinal()
        if axis.x0 <= day <= axis.x1:
            mark = {
                "pct": axis.pct(day),
                "x": axis.x(proposed),
                "label": nice_date(proposed),
                "iso": proposed,
            }
    return {
        "id": cid,
        "title": title,
        "unit": UNITS[unit],
        "k": round(top / shared[-1], 6),
        "shared_ticks": _yticks(shared, unit),
        "own_ticks": _yticks(own, unit),
        "series": [
            {
                "key": key,
                "label": label,
                "colour": colour,
                "n": len(s["dates"]),
                "points": _points(axis, s["dates"], s[f"{key}_{unit}"], top),
                "dots": _dots(axis, s["dates"], s[f"{key}_{unit}"], top),
            }
            for key, label, colour in lines
        ],
        "mark": mark,
    }


HIDDEN_KM2 = 0.5  # a line this near another everywhere is drawn under it, unseen


def _same_line(sc: dict, ranked: list, data: dict[str, dict]) -> dict | None:
    """Words for a scenario ranked before ``sc`` (so drawn over it) whose line is within
    ``HIDDEN_KM2`` of ``sc``'s at every date: ``sc``'s line is hidden under it, so the key
    says so, and whether the figures are the same or only within half a km² (0.28 km²
    against 0 had been called "the same figures")."""
    mine = data[sc["id"]]
    for other in ranked[: ranked.index(sc)]:
        theirs = data[other["id"]]
        if theirs["dates"] == mine["dates"] and np.allclose(
            theirs["cedes_km2"], mine["cedes_km2"], rtol=0, atol=HIDDEN_KM2
        ):
            same = [km2_text(x) for x in theirs["cedes_km2"]] == [
                km2_text(x) for x in mine["cedes_km2"]
            ]
            return {"title": other["title"], "exact": same}
    return None


def overview(axis: Axis, data: dict[str, dict], scenarios: tuple) -> dict:
    """Every scenario's km² Ukraine cedes on one axis.

    Scenarios are ranked by their value at the last date: the first few get a colour and a
    line in the key, the rest are drawn thin and grey (each line has its title on hover).
    """
    top = ticks(max([max(s["cedes_km2"], default=0.0) for s in data.values()] + [1.0]))
    shown = [sc for sc in scenarios if data[sc["id"]]["dates"]]
    ranked = sorted(shown, key=lambda sc: -data[sc["id"]]["cedes_km2"][-1])
    colour = {
        sc["id"]: OVERVIEW_COLOURS[i] if i < len(OVERVIEW_COLOURS) else "#9a9a9a"
        for i, sc in enumerate(ranked)
    }
    lines = [
        {
            "id": sc["id"],
            "title": sc["title"],
            "colour": colour[sc["id"]],
            "n": len(data[sc["id"]]["dates"]),
            "points": _points(axis, data[sc["id"]]["dates"], data[sc["id"]]["cedes_km2"], top[-1]),
            "dots": _dots(axis, data[sc["id"]]["dates"], data[sc["id"]]["cedes_km2"], top[-1]),
        }
        for sc in reversed(ranked)  # grey first, the coloured ones on top
    ]
    named = [
        {
            "id": sc["id"],
            "title": sc["title"],
            "colour": colour[sc["id"]],
            "value": km2_text(data[sc["id"]]["cedes_km2"][-1]),  # (as run's pages say it)
            "same": _same_line(sc, ranked, data),
        }
        for sc in ranked[: len(OVERVIEW_COLOURS)]
    ]
    dots = []  # each coloured scenario's proposal date, on its own line
    for sc in ranked[: len(OVERVIEW_COLOURS)]:
        s, day = data[sc["id"]], proposal_date(sc)
        value = _on_line(axis, s["dates"], s["cedes_km2"], day) if day else None
        if value is None:
            continue
        dots.append(
            {
                "left": axis.pct(Date.fromisoformat(day).toordinal()),
                "bottom": round(value / top[-1] * 100, 3),
                "colour": colour[sc["id"]],
                "label": f"{sc['title']}: proposed {nice_date(day)}",
            }
        )
    return {
        "ticks": _yticks(top, "km2"),
        "lines": lines,
        "named": named,
        "dots": dots,
        "more": max(0, len(ranked) - len(OVERVIEW_COLOURS)),
        # the grey ones by name too (a count alone left them to a hover no phone has)
        "rest": [
            {
                "id": sc["id"],
                "title": sc["title"],
                "value": km2_text(data[sc["id"]]["cedes_km2"][-1]),
            }
            for sc in ranked[len(OVERVIEW_COLOURS) :]
        ],
    }


def _on_line(axis: Axis, dates: list[str], values: list[float], day: str) -> float | None:
    """The value a line drawn through ``values`` has at ``day``, between the two dates
    around it; None where no line is drawn there: outside the dates, or in a gap
    (``gaps``). The nearest date's value, taken across a two-year gap, had put a dot at
    a figure no day measured (Russia's demand of June 2024 at April 2022's km²)."""
    k = bisect.bisect_left(dates, day)
    if k == len(dates):
        return None
    if dates[k] == day:
        return float(values[k])
    if k == 0 or k in axis.breaks(dates):
        return None
    t = _days(day, dates[k - 1]) / _days(dates[k], dates[k - 1])
    return float(values[k - 1] + t * (values[k] - values[k - 1]))


def _days(a: str, b: str) -> int:
    return Date.fromisoformat(a).toordinal() - Date.fromisoformat(b).toordinal()


def proposal_date(sc: dict) -> str | None:
    """The date the terms were made (``date:``), else the earliest report of them."""
    if sc.get("date"):
        return str(sc["date"])
    dates = sorted(str(r["date"]) for r in sc.get("reported") or [] if r.get("date"))
    return dates[0] if dates else None
