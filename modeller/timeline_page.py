"""The timeline's HTML page: what each proposal would have meant on every dated baseline.

Layout (template ``templates/timeline.html.j2``, CSS ``templates/timeline.css``, both
package data; Jinja2 autoescapes every value):

- the baseline itself: Russian-held km² over time, as its own small chart (never a second
  axis on the scenario charts);
- an overview: every scenario's "Ukraine cedes" km² on one axis;
- per scenario: km² and people Ukraine would cede and regain, one y-axis per chart, the date
  the proposal was made marked, and the data table (dates never wrap).

Charts are SVG lines in a stretchable box (``preserveAspectRatio="none"``, strokes that do
not scale) with HTML tick labels around it, so text stays at its CSS size on a phone and a
desktop alike. Each scenario chart is scaled to its own values by default (a flat line on a
scale set by the 1991-borders scenario's 114,000 km² tells a reader nothing); one checkbox
puts every scenario chart on the same scale per unit, so heights compare (pure CSS: the
lines are scaled by a per-chart factor and the matching tick set is shown), and the overview
puts every scenario on one axis. No script, no network request.

The series come from ``timeline_series``, linear in rows and scenarios, and are drawn by
``timeline_charts``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from markupsafe import Markup

from . import geodata
from .textsafe import web_address
from .timeline_charts import SERIES, UNITS, Axis, chart, overview, proposal_date
from .timeline_series import (
    KEYS,
    baseline_series,
    cadence,
    fmt,
    nice_date,
    people,
    series,
    short,
    unbroken,
)
from .timeline_table import (
    Table,
    digits,
    grey_lines,
    missing_lines,
    outline_lines,
    provenance,
)

INDEX = ""  # the key of the maps' index among ``maps`` (no scenario id is empty)

# --- the page ----------------------------------------------------------------------------


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .templatecache import kept

    return Environment(
        loader=PackageLoader("modeller", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=kept(),  # (compiled once per release, not once per run)
    )


def render(
    table: Table,
    *,
    every_days: int = 0,
    data_file: str | None = None,
    maps: dict[str, str] | None = None,
) -> str:
    """The whole page as one string (self-contained: inline CSS and SVG, no scripts).

    ``data_file`` is the table written beside the page (linked); ``maps`` maps scenario ids
    (and ``INDEX`` the maps' index) to the relative URLs of their map pages, when they exist.
    """
    from importlib import resources

    maps = maps or {}
    prov = provenance(table)
    data = series(table)
    base = baseline_series(data)
    axis = Axis(base["dates"])
    shared = {
        unit: max(
            [max(s[f"{k}_{unit}"], default=0.0) for s in data.values() for k in KEYS[:2]] + [1.0]
        )
        for unit in ("km2", "people")
    }
    sections = []
    for i, sc in enumerate(table.scenarios):
        s = data[sc["id"]]
        if not s["dates"]:
            continue
        proposed = proposal_date(sc)
        sections.append(
            {
                "sc": sc,
                "n": len(s["dates"]),
                "first": nice_date(s["dates"][0]),
                "last": nice_date(s["dates"][-1]),
                "proposed": nice_date(proposed) if proposed else None,
                "proposed_outside": bool(proposed)
                and not (s["dates"][0] <= proposed <= s["dates"][-1]),
                "map": maps.get(sc["id"]),
                "reported": [
                    {**r, "link": web_address(r.get("url"))} for r in sc.get("reported", ())
                ],
                "charts": [
                    chart(
                        axis,
                        s,
                        unit,
                        shared[unit],
                        f"c{i}-{unit}",
                        f"{sc['title']}: {UNITS[unit]}",
                        proposed,
                    )
                    for unit in ("km2", "people")
                ],
                "rows_html": _rows_html(s),
                # nothing changes hands on any date (a freeze): said in words, not drawn
                # as two empty charts on a 0-1 axis with one line hidden under the other
                # (below what the table writes: 0.01 km², 0.1 people)
                "still": not any(
                    abs(v) >= 0.005
                    for key, _, _ in SERIES
                    for u in ("km2", "people")
                    for v in s[f"{key}_{u}"]
                ),
            }
        )
    baseline_chart = chart(
        axis,
        {"dates": base["dates"], "baseline_russia_km2": base["km2"]},
        "km2",
        max(base["km2"] + [1.0]),
        "baseline-km2",
        "Russian-held in the baseline, km²",
        None,
        (("baseline_russia", "Russian-held in the baseline", "#666666"),),
    )
    dates = base["dates"]
    span = (
        "no dates"
        if not dates
        else unbroken(dates[0])
        if dates[0] == dates[-1]
        else f"{unbroken(dates[0])} – {unbroken(dates[-1])}"
    )
    css = (
        resources.files("modeller")
        .joinpath("templates", "timeline.css")
        .read_text(encoding="utf-8")
    )
    return (
        _environment()
        .get_template("timeline.html.j2")
        .render(
            css=css,
            title=f"What each proposal would have meant, {cadence(base['dates'], every_days)}",
            span=span,
            n_baselines=len(base["dates"]),
            all_deepstate=bool(prov["baselines"])
            and all(str(b["name"]).startswith("deepstate:") for b in prov["baselines"]),
            axis=axis,
            baseline=baseline_chart,
            baseline_text=_baseline_text(base),
            units_words=_units_words(),
            reconciled=any(b.reconciled for b in table.baselines),
            overview=overview(axis, data, table.scenarios),
            sections=sections,
            series=SERIES,
            table_head=TABLE_HEAD,
            data_file=data_file,
            maps_index=maps.get(INDEX),
            prov=prov,
            outline=outline_lines(table.baselines),
            grey=grey_lines(table.baselines),
            missing=missing_lines(table.missing),
        )
    )


def _units_words() -> str:
    """'embedded units', or 'units of FILE' when --units gave others."""
    source = geodata.load().source
    return f"units of {source['file']}" if source.get("file") else "embedded units"


def _baseline_text(base: dict) -> str:
    """The baseline in words: Russian-held km² and residents at the first and last date."""
    if not base["dates"]:
        return ""
    first, last = base["dates"][0], base["dates"][-1]
    lo, hi = short(min(base["people"])), short(max(base["people"]))
    residents = f"about {lo}" if lo == hi else f"{lo} to {hi}"
    held = f"{fmt(base['km2'][0])} km² on {unbroken(first)}"  # (whole km²: how it moved)
    if first != last:
        held += f", {fmt(base['km2'][-1])} km² on {unbroken(last)}"
    return f"Russian-held: {held}; pre-invasion residents there: {residents}."


def _rows_html(s: dict) -> Markup:
    """The data table's body: dates and numbers only (no user text), built without a
    template loop because it is most of the page (dates × 7 cells per scenario). Cells show
    km² to the km² and people to three significant figures; ``data-v`` keeps the value to
    the decimals the data file has (km² to 0.01, people to 0.1)."""
    cols = [  # (rounded as the file's writers round: half to even)
        (np.round(np.asarray(s[k], dtype=float), digits(k)) + 0.0, f, digits(k))
        for k in TABLE_KEYS
        for f in [people if k.endswith("people") else fmt]
    ]
    cells = [_cells(values.tolist(), f, n) for values, f, n in cols]
    heads = [
        f'<tr><th scope="row"><time datetime="{d}">{nice_date(d)}</time></th>' for d in s["dates"]
    ]
    rows = zip(heads, zip(*cells, strict=True), strict=True)
    return Markup("".join(h + "".join(row) + "</tr>\n" for h, row in rows))


def _cells(values: list[float], f, n: int) -> list[str]:
    """A column's cells, each distinct value written once (a scenario's figures repeat
    from day to day; -0.0 was made 0.0, so equal values are written alike)."""
    written: dict[float, str] = {}
    out = []
    for v in values:
        cell = written.get(v)
        if cell is None:
            cell = written[v] = f'<td data-v="{v:.{n}f}">{f(v)}</td>'
        out.append(cell)
    return out


TABLE_KEYS = (
    "cedes_km2",
    "cedes_people",
    "regains_km2",
    "regains_people",
    "baseline_russia_km2",
    "baseline_russia_people",
)
TABLE_HEAD = (
    "Ukraine cedes, km²",
    "Ukraine cedes, people",
    "Ukraine regains, km²",
    "Ukraine regains, people",
    "Russian-held in the baseline, km²",
    "Russian-held in the baseline, people",
)
