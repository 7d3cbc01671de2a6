"""The data each page's script reads: base layers (once per process) and per-page scenarios.

Both are JSON inside ``<script type="application/json">`` elements, written with ``<``, ``>``
and ``&`` escaped so nothing can close the element. Text that the script shows as HTML (the
pop-up tips) is escaped here; everything else the script sets with ``textContent``.
"""

from __future__ import annotations

from functools import cache
from html import escape

import numpy as np

from .. import geodata, geomcache
from ..rounding import share_text
from . import words
from .assets import json_for_script
from .layers import ScenarioView, base_layers_of, marker_radius
from .palette import NEIGHBOUR_FILL, Palette


def base_json() -> str:
    """Everything every map shows, serialised once per set of units (geodata) and kept
    between runs (``geomcache``): its label points and outline took ~0.25 s a run."""
    return _base_json(geodata.load())


@cache
def _base_json(data) -> str:
    # (the code and the embedded files are in every key; these units may be a caller's own)
    names = [(code, unit.name_en) for code, unit in data.units.items()]
    towns = [(t.name, t.lat, t.lon, t.population) for t in data.settlements]
    key = geomcache.digest("base layers", *data.geometry.values(), names, towns)

    def draw() -> dict:
        text = json_for_script(base_layers_of(data))
        return {"json": np.frombuffer(text.encode("utf-8"), dtype=np.uint8)}

    return geomcache.kept(key, draw, ("json",))["json"].tobytes().decode("utf-8")


def oblast_tip(view: ScenarioView, o: dict) -> str:
    """Pop-up of one oblast: each status's km² and people, baseline and scenario (rounded)."""
    statuses = list(dict.fromkeys([*o["before"], *o["after"]]))

    def cell(d: dict | None) -> str:
        if not d:
            return "<td>—</td>"
        value, _, spread = words.people_of(d).partition(" (")
        # the range may break after its dash (a phone's tip of four statuses had run 50 px
        # past its box)
        spread = "<br>(" + spread.replace("–", "–<wbr>") if spread else ""
        return (  # each figure on a line of its own, unbroken
            f"<td><span class='nw'>{words.km2(d['km2'])} km²</span><br>"
            f"<span class='nw'>{value} people</span>{spread}</td>"
        )

    rows = "".join(
        f"<tr><th scope='row'>{escape(view.label(s))}</th>"
        f"{cell(o['before'].get(s))}{cell(o['after'].get(s))}</tr>"
        for s in statuses
    )
    return (
        f"<div class='m-tip'><strong>{escape(o['name'])}</strong><table>"
        "<tr><td></td><th scope='col'>Baseline</th><th scope='col'>Scenario</th></tr>"
        f"{rows}</table></div>"
    )


def town_tip(view: ScenarioView, t: dict) -> str:
    return (
        f"<div class='m-tip'><strong>{escape(words.place(t['name']))}</strong> "
        f"({escape(t['oblast_name'])})<br>about {words.population(t['population'])} people "
        f"(GeoNames)<br>{escape(share_text(t.get('share', 1.0)))} changes hands: "
        f"{escape(view.label(t['from']))} → {escape(view.label(t['to']))}</div>"
    )


def scenario_payload(view: ScenarioView, palette: Palette, baseline: int, credit: str) -> dict:
    """One scenario as its page script draws it."""
    e = view.entry
    return {
        "id": view.id,
        "title": view.title,
        "baseline": baseline,
        "changed": view.changed,
        "recognised": view.recognised,
        "bounds": view.bounds,
        "tips": {o["oblast"]: oblast_tip(view, o) for o in e["oblasts"]},
        "towns": [
            [
                t["lat"],
                t["lon"],
                marker_radius(t["population"]),
                palette.colour(t["to"]),
                town_tip(view, t),
            ]
            for t in words.mapped_towns(e["towns"])
        ],
        "labels": view.town_labels() + view.area_labels,
        "credit": credit,
    }


def page_json(
    views: list[ScenarioView], palette: Palette, credits: list[str], tiles: str | None = None
) -> str:
    """The page's scenarios, the distinct baselines they sit on, and the page's colours."""
    baselines, index = [], {}
    scenarios = []
    for v, credit in zip(views, credits, strict=True):
        if v.baseline_key not in index:
            index[v.baseline_key] = len(baselines)
            baselines.append(v.status)
        scenarios.append(scenario_payload(v, palette, index[v.baseline_key], credit))
    return json_for_script(
        {
            "fills": {s: palette.fill(s) for s in palette.colours},
            "hatches": {s: palette.hatch(s) for s in palette.colours},
            "hatch": palette.hatch(),
            "neighbour": NEIGHBOUR_FILL,
            "tiles": tiles,
            "baselines": baselines,
            "scenarios": scenarios,
        }
    )
