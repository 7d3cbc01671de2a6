"""Page HTML: the index and one page per scenario, rendered from Jinja2 templates.

All text from scenario files goes through escaping (Jinja2 autoescape or ``html.escape``)."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from ..document import RunDocument, ScenarioEntry
from .. import __version__
from ..report import (
    COMPARE_HEAD,
    PHASE_HEAD,
    RECOGNITION_HEAD,
    STATUS_HEAD,
    TOWN_HEAD,
    _km,
    _people,
    compare_rows,
    outside_people,
    phase_rows,
    recognition_rows,
    status_rows,
    town_rows,
    transfer_head,
    transfer_rows,
)
from . import leafletmap as lm
from .assets import json_for_script, leaflet_assets, package_text
from .layers import SIMPLIFY_M, ScenarioView
from .palette import Palette

_esc = html.escape


def require_folium() -> None:
    if lm.folium is None:
        raise RuntimeError(
            "maps need folium and xstatic-leaflet: pip install folium xstatic-leaflet "
            "(or run with --no-maps)"
        )


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("modeller.maps", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


_NUMERIC = re.compile(r"^[+\-−]?[\d,]+(\.\d+)?$")


def _page(
    title: str,
    palette: Palette,
    folium_head: str,
    body: str,
    script: str,
    extra_script: str = "",
) -> str:
    js, css, _version = leaflet_assets()
    return (
        _environment()
        .get_template("page.html.j2")
        .render(
            title=title,
            version=__version__,
            leaflet_css=css,
            leaflet_js=js,
            folium_head=folium_head,
            css=package_text("static", "maps.css"),
            defs=palette.defs(),
            body=body,
            script=script,
            extra_script=extra_script,
        )
    )


def _table(
    caption: str, head: list[str], rows: list[list[str]], cls: str, first_cells: list | None = None
) -> str:
    """An accessible table: caption, column headers, a row header per row; all escaped.

    ``first_cells`` optionally replaces the escaped first cell of each row with trusted HTML
    (used for links); its text must equal the row's first cell.
    """
    numeric = [
        bool(rows) and all(_NUMERIC.match(str(r[j])) for r in rows) for j in range(len(head))
    ]
    out = [f'<table class="{cls}"><caption>{_esc(caption)}</caption><thead><tr>']
    num_attr = ' class="num"'
    out += [
        f'<th scope="col"{num_attr if j and numeric[j] else ""}>{_esc(h)}</th>'
        for j, h in enumerate(head)
    ]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        first = first_cells[i] if first_cells else _esc(str(row[0]))
        out.append(f'<tr><th scope="row">{first}</th>')
        for j, cell in enumerate(row[1:], start=1):
            num = ' class="num"' if numeric[j] else ""
            out.append(f"<td{num}>{_esc(str(cell))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _swatch(fill: str, opacity: float = 1.0) -> str:
    return (
        '<svg width="22" height="14" aria-hidden="true"><rect x="1" y="1" width="20" height="12" '
        f'fill="{_esc(fill)}" fill-opacity="{opacity}" stroke="#777" stroke-width="0.6"/></svg>'
    )


def _hatch_swatch(fill: str) -> str:
    return (
        '<svg width="22" height="14" aria-hidden="true"><rect x="1" y="1" width="20" height="12" '
        f'fill="{_esc(fill)}" stroke="#111" stroke-width="2" stroke-dasharray="4 2"/></svg>'
    )


_OBLAST_SWATCH = (
    '<svg width="22" height="14" aria-hidden="true">'
    '<line x1="1" y1="7" x2="21" y2="7" stroke="#3b3b3b" stroke-width="1.4"/></svg>'
)
_TOWN_SWATCH = (
    '<svg width="22" height="14" aria-hidden="true">'
    '<circle cx="11" cy="7" r="5" fill="#fff" stroke="#111" stroke-width="1.5"/></svg>'
)
_NEIGHBOUR_SWATCH = (
    '<svg width="22" height="14" aria-hidden="true"><rect x="1" y="1" width="20" height="12" '
    'fill="#e9e6df" stroke="#9a958c"/></svg>'
)


def _legend_items_common(towns: bool, tiles: str | None) -> list[str]:
    items = [f'<li class="lg-oblast">{_OBLAST_SWATCH}<span>Oblast border</span></li>']
    if towns:
        items.append(
            f'<li class="lg-town">{_TOWN_SWATCH}<span>Largest towns changing hands '
            "(fill: new status)</span></li>"
        )
    if not tiles:
        items.append(
            f'<li class="lg-neighbour">{_NEIGHBOUR_SWATCH}<span>Other countries</span></li>'
        )
    return items


def _scenario_legend(view: ScenarioView, palette: Palette, tiles: str | None) -> str:
    e = view.entry
    items = []
    for s in e.statuses:
        items.append(
            f'<li class="lg-status" data-status="{_esc(s.status)}">'
            f"{_swatch(palette.fill(s.status), palette.opacity)}"
            f'<span class="lg-label">{_esc(s.label)}</span>'
            f'<span class="lg-fig"><span class="lg-km2">{_km(s.km2)}</span> km² · '
            f'<span class="lg-pct">{s.pct:.2f}</span>%</span></li>'
        )
    moved = sum(f.km2 for f in e.flows)
    items.append(
        f'<li class="lg-changed">{_hatch_swatch(palette.hatch())}<span class="lg-label">'
        "Changes hands (hatched; fill: new status)</span>"
        f'<span class="lg-fig"><span class="lg-km2">{_km(moved)}</span> km²</span></li>'
    )
    for r in e.recognition:
        label = f"{r.label}, recognised {r.recognition.replace('_', ' ')} (outline)"
        items.append(
            f'<li class="lg-recognition" data-recognition="{_esc(r.recognition)}">'
            f"{lm.recognition_swatch(r.recognition)}"
            f'<span class="lg-label">{_esc(label)}</span>'
            f'<span class="lg-fig"><span class="lg-km2">{_km(r.km2)}</span> km²</span></li>'
        )
    items += _legend_items_common(bool(e.towns), tiles)
    return (
        '<section class="legend" aria-labelledby="legend-title">'
        '<h2 id="legend-title">Legend: held after the scenario</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def _index_legend(views: list[ScenarioView], palette: Palette, tiles: str | None) -> str:
    seen: dict[str, str] = {}
    for v in views:
        for s in v.entry.statuses:
            seen.setdefault(s.status, s.label)
    items = [
        f'<li class="lg-status" data-status="{_esc(k)}">'
        f"{_swatch(palette.fill(k), palette.opacity)}"
        f'<span class="lg-label">{_esc(label)}</span></li>'
        for k, label in seen.items()
    ]
    items.append(
        f'<li class="lg-changed">{_hatch_swatch(palette.hatch())}<span class="lg-label">'
        "Changes hands in the chosen scenario (hatched, dashed outline; on the right filled "
        "with the new status)</span></li>"
    )
    items += _legend_items_common(any(v.entry.towns for v in views), tiles)
    return (
        '<section class="legend static" aria-labelledby="legend-title">'
        '<h2 id="legend-title">Legend</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def _tool_versions() -> str:
    _js, _css, leaflet = leaflet_assets()
    return (
        f"modeller {__version__}; folium {getattr(lm.folium, '__version__', '?')}; "
        f"Leaflet {leaflet} (inlined from xstatic-leaflet)"
    )


def _display_note(tiles: str | None) -> str:
    base = (
        "Base map: OpenStreetMap tiles (loaded from the internet)"
        if tiles
        else "No base map: the page makes no network requests"
    )
    return (
        f"Map shapes are simplified for display (about {SIMPLIFY_M / 1000:g} km); every figure "
        f"is computed on the full geometry. {base}."
    )


def _reported_list(e: ScenarioEntry) -> str:
    if not e.reported:
        return "<ul><li>none cited</li></ul>"
    items = []
    for r in e.reported:
        text = f"{r.source} ({r.date})"
        if r.url:
            text += f" — {r.url}"  # shown as text: no link leaves the page
        items.append(f"<li>{_esc(text)}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _provenance(doc: RunDocument, entries: list[ScenarioEntry], tiles: str | None) -> str:
    parts = ['<footer class="prov"><h2>Provenance</h2><dl>']
    for e in entries:
        b = e.baseline
        file = Path(e.file).name if e.file else "—"
        parts.append(
            f"<dt>Scenario {_esc(e.id)}</dt><dd>"
            f'<span class="prov-id">{_esc(e.id)}</span> · hash '
            f'<code class="prov-hash">{_esc(e.hash)}</code> · file {_esc(file)} · '
            f"“{_esc(e.title)}”</dd>"
            f"<dd>Reported by: {_reported_list(e)}</dd>"
            f'<dd>Baseline: <span class="prov-baseline">{_esc(b.name)}</span> '
            f"({_esc(b.date or 'undated')}) — {_esc(b.source)}"
            + (f"; {_esc(b.method)}" if b.method else "")
            + "</dd>"
        )
    sources = "".join(f"<li>{_esc(s)}</li>" for s in doc.data_sources)
    parts.append(
        f"<dt>Method</dt><dd>{_esc(doc.method)}</dd>"
        f"<dt>Data sources</dt><dd><ul>{sources}</ul></dd>"
        f"<dt>Map</dt><dd>{_esc(_display_note(tiles))}</dd>"
        f"<dt>Tools</dt><dd>{_esc(_tool_versions())}</dd>"
        f'<dt>Generated</dt><dd><time class="prov-generated">{_esc(doc.generated)}</time> '
        f"by {_esc(doc.tool.name)} {_esc(doc.tool.version)}"
        + (
            f', embedded data <code class="prov-data">#{_esc(doc.data_version)}</code>'
            if doc.data_version
            else ""
        )
        + "</dd>"
        "</dl></footer>"
    )
    return "".join(parts)


def _oblast_table(view: ScenarioView) -> str:
    head = ["Oblast", "Status", "Baseline km²", "People", "Scenario km²", "People"]
    rows = []
    for o in view.entry.oblasts:
        for s in dict.fromkeys([*o.before, *o.after]):
            b, a = o.before.get(s), o.after.get(s)
            rows.append(
                [
                    o.name,
                    view.label(s),
                    _km(b.km2) if b else "0",
                    _people(b) if b else "0",
                    _km(a.km2) if a else "0",
                    _people(a) if a else "0",
                ]
            )
    return (
        "<details><summary>Every oblast, baseline and scenario</summary>"
        + _table("Km² and people by oblast and status", head, rows, "t-oblasts")
        + "</details>"
    )


def _scenario_tables(view: ScenarioView) -> str:
    e = view.entry
    v = e.vs_1991
    out = [
        _table("Held by each side: baseline → scenario", STATUS_HEAD, status_rows(e), "t-status"),
        f'<p class="vs1991">Against 1991 borders: {_km(v.outside_ukraine_km2)} km² '
        f"({v.outside_ukraine_pct:.1f}%) and {outside_people(v)} pre-war "
        "residents would be outside Ukraine's control.</p>",
    ]
    if e.recognition:
        out.append(_table("Recognition", RECOGNITION_HEAD, recognition_rows(e), "t-recognition"))
    if e.phases:
        out.append(
            _table(
                "Phases (cumulative, against the baseline)", PHASE_HEAD, phase_rows(e), "t-phases"
            )
        )
    if e.transfers:
        out.append(
            _table("Changes hands, by oblast", transfer_head(e), transfer_rows(e), "t-transfers")
        )
    else:
        out.append('<p class="t-transfers-none">Nothing changes hands in this scenario.</p>')
    if e.towns:
        out.append(_table("Largest towns changing hands", TOWN_HEAD, town_rows(e), "t-towns"))
    out.append(_oblast_table(view))
    return "".join(out)


def scenario_page(doc: RunDocument, view: ScenarioView, tiles: str | None) -> str:
    e = view.entry
    palette = Palette([view], tiles)
    fig = lm.Figure()
    m = lm.new_map(tiles, lm.attribution(view, tiles))
    fig.add_child(m, name=m.get_name())
    lm.status_layer(view, palette, tooltip=True).add_to(m)
    after = lm.folium.FeatureGroup(name=_esc(f"Scenario: {view.title}"), overlay=False, show=True)
    lm.changed_layer(view, palette, coloured=True).add_to(after)
    if view.recognised["features"]:
        lm.recognition_layer(view).add_to(after)
    after.add_to(m)
    before = lm.folium.FeatureGroup(
        name=_esc(f"Baseline: {view.baseline_label}"), overlay=False, show=False
    )
    lm.changed_layer(view, palette, coloured=False).add_to(before)
    before.add_to(m)
    lm.oblast_outlines(m)
    if e.towns:
        towns = lm.folium.FeatureGroup(name="Largest towns changing hands", show=True)
        lm.towns_layer(view, palette).add_to(towns)
        lm.Labels(view.town_labels).add_to(towns)
        towns.add_to(m)
    lm.folium.LayerControl(collapsed=False, position="topright").add_to(m)
    head, divs, script = lm.render_figure(fig)
    notes = f'<p class="notes">{_esc(e.notes)}</p>' if e.notes else ""
    body = (
        '<header class="top"><nav><a href="index.html">← All scenarios</a></nav>'
        f'<h1 class="title">{_esc(view.title)}</h1>'
        f'<p class="summary">{_esc(e.summary or "")}</p>{notes}</header>'
        '<main class="layout"><section class="mapcol" aria-label="Map">'
        f'<div class="mapwrap">{divs[m.get_name()]}{_scenario_legend(view, palette, tiles)}</div>'
        '<p class="hint">Hover an area for its oblast’s km² and people before and after. '
        "The layer switch (top right) shows the baseline instead; the areas that change hands "
        "stay hatched. The tables beside the map carry the same figures.</p></section>"
        f'<section class="side" aria-label="Figures">{_scenario_tables(view)}</section></main>'
        + _provenance(doc, [e], tiles)
    )
    return _page(f"{view.title} — territorial scenario", palette, head, body, script)


def index_page(doc: RunDocument, views: list[ScenarioView], tiles: str | None) -> str:
    palette = Palette(views, tiles)
    fig = lm.Figure()
    first = views[0] if views else None
    attribution = lm.attribution(first, tiles) if first else "Natural Earth"
    left = lm.new_map(tiles, attribution)
    right = lm.new_map(tiles, attribution)
    fig.add_child(left, name=left.get_name())
    fig.add_child(right, name=right.get_name())
    bases: dict[tuple, tuple] = {}  # one baseline layer per map for each distinct baseline
    names: dict[str, list[str]] = {k: [] for k in ("leftBase", "rightBase", "left", "right")}
    for i, v in enumerate(views):
        if v.baseline_key not in bases:
            pair = []
            for m in (left, right):
                group = lm.folium.FeatureGroup(name="baseline", control=False, show=not bases)
                layer = lm.status_layer(v, palette, tooltip=False)
                layer.add_to(group)
                group.add_to(m)
                pair.append((group.get_name(), layer.get_name()))
            bases[v.baseline_key] = tuple(pair)
        (lg, _), (rg, _) = bases[v.baseline_key]
        names["leftBase"].append(lg)
        names["rightBase"].append(rg)
        lc = lm.folium.FeatureGroup(name="changed", control=False, show=i == 0)
        lm.changed_layer(v, palette, coloured=False).add_to(lc)
        lc.add_to(left)
        names["left"].append(lc.get_name())
        rc = lm.folium.FeatureGroup(name=_esc(v.title), overlay=False, show=i == 0)
        lm.changed_layer(v, palette, coloured=True).add_to(rc)
        if v.entry.towns:
            lm.towns_layer(v, palette).add_to(rc)
            lm.Labels(v.town_labels).add_to(rc)
        rc.add_to(right)
        names["right"].append(rc.get_name())
    lm.oblast_outlines(left)
    lm.oblast_outlines(right)
    if len(views) > 1:
        lm.folium.LayerControl(collapsed=False, position="topright").add_to(right)
    head, divs, script = lm.render_figure(fig)
    status_layers = [layer for pair in bases.values() for _, layer in pair]
    sync = _index_script(left.get_name(), right.get_name(), names, status_layers, views)
    links = [f'<a href="{_esc(v.page)}">{_esc(v.title)}</a>' for v in views]
    compare = _table(
        "One row per scenario (select a title for its own page)",
        COMPARE_HEAD,
        compare_rows(doc),
        "t-compare",
        first_cells=links,
    )
    listing = "".join(
        f'<li><a href="{_esc(v.page)}">{_esc(v.title)}</a> — {_esc(v.entry.summary or "")}</li>'
        for v in views
    )
    right_caption = _esc(first.title) if first else "none"
    left_caption = _esc(first.baseline_label) if first else "none"
    body = (
        '<header class="top"><h1 class="title">Territorial scenarios compared</h1>'
        "<p>Left: who holds what on the baseline date. Right: the same after the chosen "
        "scenario — pick it in the layer switch at the top right of the right-hand map. Areas "
        "that change hands are hatched on both maps; the maps pan and zoom together. Hover an "
        "area for its oblast’s km² and people; each scenario’s page has the full tables.</p>"
        "</header><main>"
        '<div class="dual">'
        '<figure><figcaption>Baseline: <strong id="mdl-left-caption">'
        f"{left_caption}</strong></figcaption>"
        f'<div class="mapwrap">{divs[left.get_name()]}</div></figure>'
        '<figure><figcaption>Scenario: <strong id="mdl-right-caption" aria-live="polite">'
        f"{right_caption}</strong></figcaption>"
        f'<div class="mapwrap">{divs[right.get_name()]}</div></figure></div>'
        + _index_legend(views, palette, tiles)
        + f'<section class="below"><h2>Comparison</h2>{compare}'
        f'<h2>Scenarios</h2><ul class="scenario-list">{listing}</ul></section></main>'
        + _provenance(doc, [v.entry for v in views], tiles)
    )
    return _page("Territorial scenarios compared", palette, head, body, script, sync)


def _index_script(
    left: str, right: str, names: dict, status_layers: list[str], views: list[ScenarioView]
) -> str:
    """Link the two maps' view; the left map and the tooltips follow the scenario picked."""
    data = json_for_script(
        {
            "titles": [v.title for v in views],
            "baselines": [v.baseline_label for v in views],
            "tips": [v.tips for v in views],
        }
    )

    def arr(key: str) -> str:
        return "[" + ", ".join(names[key]) + "]"

    return f"""
(function () {{
    var left = {left}, right = {right}, busy = false, current = 0, data = {data};
    function follow(src, dst) {{
        src.on('move', function () {{
            if (busy) return;
            busy = true;
            dst.setView(src.getCenter(), src.getZoom(), {{animate: false}});
            busy = false;
        }});
    }}
    follow(left, right);
    follow(right, left);
    [{", ".join(status_layers)}].forEach(function (layer) {{
        layer.bindTooltip(function (l) {{
            return data.tips[current][l.feature.properties.oblast] || '';
        }}, {{sticky: true, className: 'foliumtooltip'}});
    }});
    var groups = {arr("right")}, changed = {arr("left")};
    var leftBase = {arr("leftBase")}, rightBase = {arr("rightBase")};
    function show(map, layers, keep) {{
        layers.forEach(function (g) {{ if (g !== keep) map.removeLayer(g); }});
        map.addLayer(keep);
    }}
    right.on('baselayerchange', function (ev) {{
        var i = groups.indexOf(ev.layer);
        if (i < 0) return;
        current = i;
        show(left, leftBase, leftBase[i]);
        show(right, rightBase, rightBase[i]);
        show(left, changed, changed[i]);
        document.getElementById('mdl-right-caption').textContent = data.titles[i];
        document.getElementById('mdl-left-caption').textContent = data.baselines[i];
    }});
}})();
"""
