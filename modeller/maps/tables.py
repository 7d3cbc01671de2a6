"""The tables on the map pages: status labels instead of codes, rounded figures, news
spellings. Each table is a plain dict the ``table`` template macro renders (caption, column
heads, which columns are numeric, rows of text, optional links in the first column).
"""

from __future__ import annotations

import re

from ..report_text import TOWN_HEAD, TOWNS_TITLE, contested_end, towns_note
from ..rounding import share_text
from . import words
from .layers import ScenarioView
from .wordbreak import breakable

RECOGNITION_LABELS = {"de_jure": "de jure", "de_facto": "de facto"}


def table(
    caption: str, cls: str, head: list[str], rows: list[list[str]], links=None, note: str = ""
) -> dict:
    numeric = [j > 0 and bool(rows) and all(_numeric(r[j]) for r in rows) for j in range(len(head))]
    return {
        "caption": caption,
        "note": note,
        "cls": cls,
        "head": head,
        "rows": [[_split(c) if numeric[j] else c for j, c in enumerate(r)] for r in rows],
        "numeric": numeric,
        "links": links,
    }


SPREAD = re.compile(r"^(\S+) \(([\d,]+)–([\d,]+)\)$")


def _split(text: str) -> str | dict:
    """A figure with its range as ``{"figure", "spread"}``, the range in millions when both
    ends are (``(34.4–34.6 M)``): the template sets the range under the figure, so a
    column is as wide as one of them (the side panel's tables had scrolled sideways)."""
    m = SPREAD.match(str(text))
    if m is None:
        return text
    return {"figure": m[1], "spread": f"({words.millions(m[2], m[3])})"}


def _numeric(text: str) -> bool:
    t = re.sub(r"\s*\(.*\)$", "", str(text))  # a figure with its range reads as a figure
    t = t.replace(",", "").replace("+", "").replace("−", "").replace("<", "")
    return t.replace(".", "", 1).isdigit() or t in ("—", "under 1")


def status_table(view: ScenarioView) -> dict:
    rows = [
        [
            breakable(s["label"]),
            words.km2(s["baseline_km2"]),
            words.pct(s["baseline_pct"]),
            words.people_of(s, "baseline_people"),
            words.km2(s["km2"]),
            words.pct(s["pct"]),
            words.people_of(s),
            words.signed_km2(s["change_km2"]),
        ]
        for s in view.entry["statuses"]
    ]
    head = ["Held by", "Baseline km²", "%", "People", "After km²", "%", "People", "Change km²"]
    caption = "Held by each side: baseline and after the scenario (%: of Ukraine)"
    return table(caption, "t-status", head, rows)


def transfer_table(view: ScenarioView) -> dict:
    e = view.entry
    shown = any(t.get("recognition") for t in e["transfers"])
    head = ["Oblast", "From", "To", *(["Recognition"] if shown else []), "km²", "People"]
    rows = [
        [
            t["oblast_name"],
            breakable(view.label(t["from"])),
            breakable(view.label(t["to"])),
            *([RECOGNITION_LABELS.get(t["recognition"], "—")] if shown else []),
            words.km2(t["km2"]),
            words.people_of(t),
        ]
        for t in e["transfers"]
    ]
    return table("Land changing hands, by oblast", "t-transfers", head, rows)


def town_table(view: ScenarioView) -> dict:
    rows = [
        [
            words.place(t["name"]),
            t["oblast_name"],
            words.population(t["population"]),
            share_text(t.get("share", 1.0)),
            words.people_of(t, most=words.population_shown(t["population"]), whole=t["population"]),
            breakable(view.label(t["from"])),
            breakable(view.label(t["to"])),
        ]
        for t in view.entry["towns"]
    ]
    head = [h if h != "People changing hands" else "People" for h in TOWN_HEAD]  # (narrow)
    note = towns_note(
        (words.place(t["name"]), t["population"], t.get("share", 1.0), t["people"])
        for t in view.entry["towns"]
    )
    return table(TOWNS_TITLE, "t-towns", head, rows, note=note)


def recognition_table(view: ScenarioView) -> dict:
    rows = [
        [
            breakable(view.label(r["status"])),
            RECOGNITION_LABELS.get(r["recognition"], r["recognition"]),
            words.km2(r["km2"]),
            words.pct(r["pct"]),
            words.people_of(r),
        ]
        for r in view.entry["recognition"]
    ]
    head = ["Held by", "Recognition", "km²", "% of Ukraine", "People"]
    return table("Recognition", "t-recognition", head, rows)


def phase_table(view: ScenarioView) -> dict:
    rows = [
        [
            f"{i}. {ph['title']}",
            words.km2(ph["ukraine_cedes_km2"]),
            words.people_of(ph, "ukraine_cedes_people"),
            words.km2(ph["ukraine_regains_km2"]),
            words.people_of(ph, "ukraine_regains_people"),
            words.km2(ph["russia_km2"]),
        ]
        for i, ph in enumerate(view.entry["phases"], start=1)
    ]
    head = ["Phase", "Ukraine cedes km²", "People", "Ukraine regains km²", "People", "Russia km²"]
    return table("Phases (cumulative, against the baseline)", "t-phases", head, rows)


def oblast_table(view: ScenarioView) -> dict:
    """Every unit's km² and people by holder, the units by name (in ISO code order, the
    document's, the table had read as unsorted)."""
    rows = []
    for o in sorted(view.entry["oblasts"], key=lambda o: o["name"]):
        for s in dict.fromkeys([*o["before"], *o["after"]]):
            b, a = o["before"].get(s), o["after"].get(s)
            rows.append(
                [
                    o["name"],
                    breakable(view.label(s)),
                    words.km2(b["km2"]) if b else "0",
                    words.people_of(b) if b else "0",
                    words.km2(a["km2"]) if a else "0",
                    words.people_of(a) if a else "0",
                ]
            )
    head = ["Oblast", "Held by", "Baseline km²", "People", "After km²", "People"]
    return table("Km² and people by oblast" + _off_official(view), "t-oblasts", head, rows)


OFF_OFFICIAL = 0.05  # an outline's area this far from the official one is said


def _off_official(view: ScenarioView) -> str:
    """' (the outlines' areas; … differ from the official by over 5 %: Kyiv city 1,640
    km², officially 839, …)': where the oblast figures will not match a reference book."""
    off = []
    for o in view.entry["oblasts"]:
        official = o.get("area_official_km2")
        drawn = sum(a["km2"] for a in o["before"].values())
        if official and abs(drawn - official) > OFF_OFFICIAL * official:
            off.append(f"{o['name']} {words.km2(drawn)} km², officially {words.km2(official)}")
    if not off:
        return ""
    return (
        " (areas of the outlines used; these differ from the official areas by over "
        f"{OFF_OFFICIAL:.0%}: {'; '.join(off)})"
    )


def scenario_tables(view: ScenarioView) -> dict:
    e = view.entry
    out = [status_table(view)]
    if e["recognition"]:
        out.append(recognition_table(view))
    if e["phases"]:
        out.append(phase_table(view))
    if e["transfers"]:
        out.append(transfer_table(view))
    if e["towns"]:
        out.append(town_table(view))
    v = e["vs_1991"]
    vs1991 = (
        f"Against the 1991 borders: {words.km2(v['outside_ukraine_km2'])} km² "
        f"({words.pct(v['outside_ukraine_pct'])}% of Ukraine) and about "
        f"{words.people_of(v, 'outside_ukraine_people')} pre-invasion residents would be outside "
        "Ukraine's control"
    )
    grey = sum(s["km2"] for s in e["statuses"] if s["status"] == "contested")
    vs1991 += contested_end(grey, words.km2)
    return {"tables": out, "oblasts": oblast_table(view), "vs1991": vs1991}


def status_columns(views: list[ScenarioView]) -> list[tuple[str, str]]:
    """One column per (status, label) any scenario shows: a zone labelled differently by two
    proposals gets two columns, so no cell has to stand for two different things."""
    cols: dict[tuple[str, str], None] = {}
    for v in views:
        for s in v.entry["statuses"]:
            if s["km2"] >= 0.5 or s["baseline_km2"] >= 0.5:
                cols[(s["status"], s["label"])] = None
    return list(cols)


def compare_table(views: list[ScenarioView]) -> dict:
    """One row per scenario (in the order given: by date), a change column per status."""
    cols = status_columns(views)
    # rows on different baselines (deepstate:own, a scenario's own baseline:) say which
    several = len({v.entry["baseline"]["name"] for v in views}) > 1
    head = [
        "Scenario",
        "Proposed",
        *(["Baseline"] if several else []),
        "Ukraine cedes km²",
        "People",
        "Ukraine regains km²",
        "People",
        *[breakable(label) + ": change km²" for _, label in cols],  # (HTML: Markup)
    ]
    rows = []
    for v in views:
        e = v.entry
        flows = e["flows"]
        lost = [f for f in flows if f["from"] == "ukraine"]
        gained = [f for f in flows if f["to"] == "ukraine"]
        held = {(s["status"], s["label"]): s for s in e["statuses"]}
        rows.append(
            [
                v.title,
                words.day(e.get("date")),
                *([e["baseline"]["name"]] if several else []),
                words.km2(sum(f["km2"] for f in lost)),
                words.people_sum(lost),
                words.km2(sum(f["km2"] for f in gained)),
                words.people_sum(gained),
                *[words.signed_km2(held[c]["change_km2"]) if c in held else "—" for c in cols],
            ]
        )
    base = views[0].entry["baseline"] if views else {}
    against = (  # one baseline for all: named here, as each row names its own otherwise
        "its baseline"
        if several or not views
        else f"the baseline {base['name']}"
        + (f" ({words.day(base['date'])})" if base.get("date") and base["name"] != "1991" else "")
    )
    caption = (
        f"Every scenario against {against}, by date proposed (in each row, what one holder "
        "loses the others gain, up to rounding)"
    )
    return table(caption, "t-compare", head, rows, links=[v.page for v in views])
