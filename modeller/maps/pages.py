"""Page HTML: the index and one page per scenario, rendered from Jinja2 templates.

Templates are compiled once per process (one cached ``Environment``); autoescaping is on, so
every text from scenario files reaches HTML escaped. The few HTML strings passed in (the
inlined libraries, the pattern definitions, the JSON) are built by this package.
"""

from __future__ import annotations

import base64
from functools import cache
from html import escape
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..report_text import baseline_note, units_text
from ..textsafe import web_address
from . import payload, tables, words
from .assets import leaflet_assets, package_text
from .layers import SIMPLIFY_M, ScenarioView
from .palette import NEIGHBOUR_FILL, Palette

RECOGNITION_DASH = {"de_jure": None, "de_facto": "1 4"}


@cache
def environment():
    """The Jinja2 environment (templates from package data, autoescaped, compiled once and
    kept: ``templatecache``)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from ..templatecache import kept

    return Environment(
        loader=PackageLoader("modeller.maps", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        bytecode_cache=kept(),  # (compiled once per release, not once per run)
    )


@cache
def shared() -> dict:
    """What every page inlines: Leaflet, our CSS and script (read once per process)."""
    js, css, version = leaflet_assets()
    return {
        "leaflet_js": js,
        "leaflet_css": css,
        "leaflet_version": version,
        "css": package_text("static", "maps.css"),
        "js": package_text("static", "labels.js") + "\n" + package_text("static", "maps.js"),
        "version": __version__,
    }


def render(template: str, **context) -> str:
    s = shared()
    return (
        environment()
        .get_template(template)
        .render(
            **{k: v for k, v in s.items() if k != "leaflet_version"},
            base_json=payload.base_json(),
            **context,
        )
    )


# --- pieces both pages use ----------------------------------------------------------------


def credit(doc: dict, e: dict, tiles: str | None = None) -> str:
    """The credit and date stamp drawn on the map."""
    text = (
        f"modeller · baseline: {words.baseline_caption(e['baseline'])} · Natural Earth, "
        f"GeoNames · made {words.day(doc['generated'])}"
    )
    return text + (" · tiles © OpenStreetMap contributors" if tiles else "")


def legend_items(view: ScenarioView, palette: Palette, figures: bool) -> list[dict]:
    """The scenario's own statuses (its labels), changes, recognition, then map furniture."""
    e = view.entry
    items = []
    for s in e["statuses"]:
        if s["km2"] < 0.5 and s["baseline_km2"] < 0.5:
            continue
        label = s["label"]
        if palette.neither(s["status"]):
            label += " (dotted: held by neither side)"
        items.append(
            {
                "cls": "lg-status",
                "status": s["status"],
                "swatch": {"kind": "fill", "fill": palette.fill(s["status"])},
                "label": label,
                "km2": words.km2(s["km2"]) if figures else None,
                "pct": words.pct(s["pct"]) if figures else None,
                # the same on the baseline: shown when the map shows it (maps.js)
                "base_km2": words.km2(s["baseline_km2"]) if figures else None,
                "base_pct": words.pct(s["baseline_pct"]) if figures else None,
            }
        )
    moved = sum(f["km2"] for f in e["flows"])
    if e["flows"]:  # (a scenario that moves nothing has no hatching to explain)
        items.append(
            {
                "cls": "lg-changed",
                "swatch": {"kind": "hatch", "fill": palette.hatch()},
                "label": "Changes hands (hatched; fill: new holder)",
                "base_label": "Changes hands (hatched; fill: holder on the baseline)",
                "km2": words.km2(moved),
                "pct": None,
            }
        )
    for r in e["recognition"]:
        rec = r["recognition"]
        items.append(
            {
                "cls": "lg-recognition",
                "recognition": rec,
                "swatch": {"kind": "recognition", "dash": RECOGNITION_DASH.get(rec)},
                "label": f"{view.label(r['status'])}, recognised {rec.replace('_', ' ')} (outline)",
                "km2": words.km2(r["km2"]),
                "pct": None,
            }
        )
    if words.mapped_towns(e["towns"]):
        items.append(
            {
                "cls": "lg-town",
                "swatch": {"kind": "town", "fill": "#ffffff"},
                "label": "Largest towns changing hands, half or more of each (fill: new holder; "
                "size: population)",
            }
        )
    items += [
        {"cls": "lg-place", "swatch": {"kind": "place"}, "label": "Other towns, for orientation"},
        {"cls": "lg-river", "swatch": {"kind": "river"}, "label": "Dnipro river and reservoirs"},
        {"cls": "lg-oblast", "swatch": {"kind": "oblast"}, "label": "Oblast border"},
        {
            "cls": "lg-neighbour",
            "swatch": {"kind": "neighbour", "fill": NEIGHBOUR_FILL},
            "label": "Other countries",
        },
    ]
    for it in items:
        it.setdefault("status", None)
        it.setdefault("recognition", None)
        it.setdefault("km2", None)
        it.setdefault("pct", None)
    return items


EMBED_HEIGHT = 780  # px: the frame's height until its page tells its own (or with no script)
# The embed code's listener: a framed map page posts its height (maps.js); the frame it came
# from (and no other) takes it, within bounds. Written once, used by every copy of the code.
EMBED_SCRIPT = (
    'addEventListener("message",function(e){var d=e.data;'
    'if(!d||d.type!=="modeller:height"||!(d.height>0))return;'
    'document.querySelectorAll("iframe[data-modeller-embed]").forEach(function(f){'
    'if(f.contentWindow===e.source)f.style.height=Math.min(Math.ceil(d.height),40000)+"px"})})'
)


def downloads(
    doc: dict, view: ScenarioView, csv_text: str, images: bool, url: str | None = None
) -> dict:
    stem = view.id
    embed = (
        f'<iframe src="{escape(at(url, view.page))}" title="{escape(view.title)}" width="100%" '
        f'height="{EMBED_HEIGHT}" style="border:0;display:block" loading="lazy" '
        f"data-modeller-embed></iframe>\n<script>{EMBED_SCRIPT}</script>"
    )
    return {
        "id": stem,
        "page": view.page,
        "csv_name": f"{stem}.csv",
        "csv_href": csv_uri(csv_text),
        "images": images,
        "png": f"{stem}.png",
        "svg": f"{stem}.svg",
        "embed": embed,
        "embed_height": EMBED_HEIGHT,
    }


def csv_uri(text: str) -> str:
    """CSV as a data: URI, so the download works from a single copied page; with a UTF-8
    byte-order mark, without which Excel reads the file as the system's code page ("km²"
    and "—" garbled). ``--format csv`` writes none (a pipe's reader would see it)."""
    data = ("\ufeff" + text).encode()
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode()


def provenance(doc: dict, entries: list[dict], tiles: str | None) -> dict:
    scenarios = []
    for e in entries:
        reported = []
        for r in e["reported"]:
            url = str(r.get("url") or "")
            ok = web_address(url)
            reported.append(
                {
                    "source": r["source"],
                    "date": r["date"],
                    "url": url if ok else None,
                    "bad_url": url if url and not ok else None,  # shown, never linked
                    "note": r.get("note"),
                }
            )
        scenarios.append(
            {
                "id": e["id"],
                "title": e["title"],
                "hash": e["hash"],
                "file": Path(e["file"]).name if e.get("file") else "—",
                "reported": reported,
                "baseline": e["baseline"],
                "baseline_caption": words.baseline_caption(e["baseline"]),
                "outline": baseline_note(e["baseline"]),
                "held_in": e.get("held_in") or [],
            }
        )
    base = (
        "OpenStreetMap tiles (loaded from the internet)"
        if tiles
        else "no base map: the page makes no network requests"
    )
    tools = (
        f"modeller {__version__}; Leaflet {shared()['leaflet_version']} (inlined from "
        "xstatic-leaflet); Jinja2"
    )
    return {
        "scenarios": scenarios,
        "method": doc["method"],
        "data_sources": doc["data_sources"],
        "units": units_text(doc.get("units") or {}),
        "display_note": f"Map shapes are simplified for display (about {SIMPLIFY_M / 1000:g} "
        f"km); every figure is computed on the full geometry. Base map: {base}.",
        "tools": tools,
        "generated": doc["generated"],
        "tool": f"{doc['tool']['name']} {doc['tool']['version']}",
        "data_version": doc.get("data_version"),
    }


def meta(title: str, description: str, image: str | None, alt: str, url: str | None = None) -> dict:
    """The page's head: title, description, preview image; ``url``: its published address
    (a canonical link, og:url)."""
    return {
        "title": title,
        "description": description,
        "image": image,
        "image_alt": alt,
        "page_url": url,
    }


def at(url: str | None, name: str) -> str:
    """A file of the site by its published address (``url``: the site's folder, ending in
    '/'), or by its name beside the page when the address is not known."""
    return url + quote(name) if url else name


# --- the pages ----------------------------------------------------------------------------


def scenario_page(
    doc: dict,
    view: ScenarioView,
    row: dict,
    csv_text: str,
    images: bool,
    tiles=None,
    url: str | None = None,
) -> str:
    e = view.entry
    palette = Palette(view.statuses())
    headline = words.headline(row)
    data = payload.page_json([view], palette, [credit(doc, e, tiles)], tiles)
    tabs = tables.scenario_tables(view)
    return render(
        "scenario.html.j2",
        **meta(
            f"{view.title} — territorial scenario",
            f"{headline}. Baseline: {words.baseline_caption(e['baseline'])}.",
            at(url, f"{view.id}.png") if images else None,
            f"Map: {view.title}",
            at(url, view.page) if url else None,
        ),
        body_class="page-scenario",
        scenario_id=e["id"],  # (which page is whose: the timeline links them so)
        defs=palette.defs(),
        page_json=data,
        view=view,
        summary=e["summary"] or "",
        notes=e.get("notes") or "",
        warnings=e.get("warnings") or [],
        headline=headline,
        proposed=words.day(e["date"]) if e.get("date") else None,  # (no "proposed undated")
        baseline_caption=words.baseline_caption(e["baseline"]),
        map_label=f"Map of {view.title}: land changing hands, hatched. "
        "The figures are in the tables.",
        legend=legend_items(view, palette, figures=True),
        downloads=downloads(doc, view, csv_text, images, url),
        tables=tabs["tables"],
        oblast_table=tabs["oblasts"],
        vs1991=tabs["vs1991"],
        no_transfers=not e["transfers"],
        provenance=provenance(doc, [e], tiles),
    )


def index_page(
    doc: dict,
    views: list[ScenarioView],
    rows: list[dict],
    csvs: list[str],
    all_csv: str,
    images: bool,
    tiles=None,
    url: str | None = None,
) -> str:
    order = sorted(range(len(views)), key=lambda i: (views[i].entry.get("date") or "9999", i))
    views = [views[i] for i in order]
    rows = [rows[i] for i in order]
    csvs = [csvs[i] for i in order]
    palette = Palette([s for v in views for s in v.statuses()])
    data = payload.page_json(views, palette, [credit(doc, v.entry, tiles) for v in views], tiles)
    picker = [
        {
            "index": i,
            "id": v.id,
            "title": v.title,
            "date": words.day(v.entry.get("date")),
            "headline": words.headline(r),
        }
        for i, (v, r) in enumerate(zip(views, rows, strict=True))
    ]
    scenarios = [
        {
            "index": i,
            "id": v.id,
            "page": v.page,
            "short": v.title,
            "baseline_caption": words.baseline_caption(v.entry["baseline"]),
            "legend": legend_items(v, palette, figures=True),
            "downloads": downloads(doc, v, c, images, url),
        }
        for i, (v, c) in enumerate(zip(views, csvs, strict=True))
    ]
    first = views[0] if views else None
    return render(
        "index.html.j2",
        **meta(
            "Territorial scenarios compared",
            f"{len(views)} reported proposals for Russia–Ukraine territory: km², people and "
            "towns changing hands, each on a map."
            if len(views) != 1
            else "A reported proposal for Russia–Ukraine territory: km², people and towns "
            "changing hands, on a map.",
            # (several scenarios: the overview of them all, drawn with the images)
            at(url, "overview.png" if len(views) > 1 else f"{first.id}.png")
            if images and first
            else None,
            "Maps: what each proposal would change"
            if len(views) > 1
            else f"Map: {first.title}"
            if first
            else "",
            at(url, "index.html") if url else None,
        ),
        body_class="page-index",
        defs=palette.defs(),
        page_json=data,
        picker=picker,
        first={
            "title": first.title if first else "none",
            "baseline_caption": words.baseline_caption(first.entry["baseline"]) if first else "",
        },
        scenarios=scenarios,
        all_csv_href=csv_uri(all_csv),
        compare=tables.compare_table(views),
        provenance=provenance(doc, [v.entry for v in views], tiles),
    )
