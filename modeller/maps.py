"""Comparison maps: self-contained HTML pages (folium/Leaflet) that a newsroom can publish.

``write_site`` writes ``index.html`` and one page per scenario. Every figure on a page (legend,
tooltips, tables) is read from the run document (``report.document``) and formatted with the
report's own helpers, so the pages say exactly what ``modeller run --format json`` says.
Geometry is simplified for display only; no number is ever computed from it.

Design: side by side, not one map with switchable layers
---------------------------------------------------------
The index puts the baseline on the left and a scenario on the right, with pan and zoom linked;
the scenario is picked in the right map's layer switch (radio buttons), and the left map follows
when scenarios use different baselines. The question readers ask is "what changes against
today's line?", and two maps at once answer it without relying on memory: flicking one map
between layers hides the baseline exactly when the reader wants to compare with it. The
changed areas are hatched on *both* maps, so the comparison does not rest on colour alone.
Each scenario page is a single map (the scenario, with the baseline one click away in its layer
switch) because it sits beside its tables. folium's ``DualMap`` is not used: it loads
Leaflet.Sync from a CDN and lays both maps over the whole window, leaving no room for the table
and footer; two folium maps in one figure with a few lines of inline sync script do the same.

Self-contained by default
-------------------------
Leaflet 1.9.3 (JS and CSS) is inlined from the installed ``xstatic-leaflet`` package; folium's
other default assets (Bootstrap, jQuery, Font Awesome, awesome-markers) are dropped. The two
images Leaflet's CSS refers to for the layer switch are inlined as data: URIs and the marker
images are removed (towns are circle markers, labels are div icons created without a default
icon). There are no base tiles unless ``tiles="osm"``; the neighbouring countries' outlines
(``geodata/neighbours.geojson``) give context instead.

Escaping
--------
All text from scenario files (titles, summaries, notes, sources, status labels) goes through
``html.escape`` before it reaches HTML or a folium argument that Leaflet treats as HTML
(tooltips, layer names); labels are set with ``textContent``; JSON inside ``<script>`` is
written with ``<``, ``>``, ``&`` escaped so ``</script>`` cannot break out.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

from . import __version__, geodata, report
from .metrics import status_labels
from .partition import Partition
from .report import (
    COMPARE_HEAD,
    PHASE_HEAD,
    RECOGNITION_HEAD,
    STATUS_HEAD,
    TOWN_HEAD,
    compare_rows,
    phase_rows,
    recognition_rows,
    status_rows,
    town_rows,
    transfer_head,
    transfer_rows,
)

try:  # dependencies of modeller; kept optional here so --no-maps works without them
    import folium
    from branca.element import Figure, MacroElement
    from jinja2 import Template
except ImportError:  # pragma: no cover - exercised only without the extra
    folium = None

SIMPLIFY_M = 1000.0
"""Display-only simplification tolerance in working-CRS metres (GEOS coverage simplification,
Visvalingam–Whyatt style, which keeps shared edges shared: no slivers between areas)."""
DECIMALS = 4
"""Decimals kept in lon/lat display coordinates (about 11 m)."""
LABELLED_TOWNS = 6
"""How many of the largest towns changing hands get a permanent label (all get a tooltip)."""
HATCH_ID = "mdl-hatch"
EXTRA_COLOURS = ["#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#f0e442", "#999999"]
"""Okabe–Ito colours for statuses that neither the scenario nor the built-ins label."""
TILES = ("osm",)
_PANES = (  # name, z-index, receives pointer events
    ("mdl-neighbours", 350, False),
    ("mdl-status", 390, True),
    ("mdl-changed", 395, False),
    ("mdl-oblasts", 398, False),
    ("mdl-towns", 450, True),
)
_SMALL_UNITS = {"UA-30", "UA-40"}  # cities with special status: labelled when zoomed in
_COUNTRY_NAMES = {"Russian Federation": "Russia", "Moldova, Republic of": "Moldova"}

_km = report._km  # the report's number format: thousands separators, no decimals
_esc = html.escape


def write_site(
    doc: dict, partitions: list[Partition], out_dir: Path, tiles: str | None = None
) -> list[Path]:
    """Write index.html and one page per scenario into out_dir; return the paths written.

    Every page is rendered in memory first; only then is each written to a temporary file in
    ``out_dir`` and moved over the old one with ``os.replace``. A failure while rendering
    leaves every earlier page untouched; a failure while writing leaves no partial file.
    """
    pages = render_site(doc, partitions, tiles=tiles)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pages.items():  # scenario pages first, the index (which links them) last
        path = out_dir / name
        _atomic_write(path, text)
        written.append(path)
    return written


def render_site(doc: dict, partitions: list[Partition], tiles: str | None = None) -> dict:
    """Every page of the site as ``{file name: HTML}``, scenario pages first, index last."""
    _require_folium()
    if tiles is not None and tiles not in TILES:
        raise ValueError(f"unknown tiles {tiles!r}; valid: {', '.join(TILES)} or none")
    entries = doc["scenarios"]
    if len(partitions) != len(entries):
        raise ValueError(
            f"{len(partitions)} partitions for {len(entries)} scenarios: pass one per scenario"
        )
    names = page_names(doc)
    views = [
        _ScenarioView(e, p, names[i])
        for i, (e, p) in enumerate(zip(entries, partitions, strict=True))
    ]
    pages = {v.page: _scenario_page(doc, v, tiles) for v in views}
    pages["index.html"] = _index_page(doc, views, tiles)
    return pages


def page_names(doc: dict) -> list[str]:
    """File name of each scenario's page: ``<id>.html``, made unique, never ``index.html``."""
    names, seen = [], {"index.html"}
    for e in doc["scenarios"]:
        stem = re.sub(r"[^a-z0-9-]+", "-", str(e["id"]).lower()).strip("-") or "scenario"
        name, n = f"{stem}.html", 1
        while name in seen:
            n += 1
            name = f"{stem}-{n}.html"
        seen.add(name)
        names.append(name)
    return names


def _require_folium() -> None:
    if folium is None:
        raise RuntimeError(
            "maps need folium and xstatic-leaflet: pip install folium xstatic-leaflet "
            "(or run with --no-maps)"
        )


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- display geometry (never used for figures) -----------------------------------------


def _simplify(geoms: np.ndarray) -> np.ndarray:
    """Simplify a coverage for display, keeping shared edges; fall back per geometry."""
    try:
        out = shapely.coverage_simplify(geoms, SIMPLIFY_M)
    except (AttributeError, shapely.errors.ShapelyError, ValueError):
        out = shapely.simplify(geoms, SIMPLIFY_M / 3, preserve_topology=True)
    bad = shapely.is_empty(out) | ~np.isin(shapely.get_type_id(out), [3, 6])
    out[bad] = geoms[bad]  # never lose a feature to simplification
    return out


def _lonlat_json(geom) -> dict:
    """A working-CRS geometry as rounded lon/lat GeoJSON."""
    ll = shapely.transform(geodata.to_lonlat(geom), lambda c: np.round(c, DECIMALS))
    return mapping(ll)


def _round_json(geom) -> dict:
    return mapping(shapely.transform(geom, lambda c: np.round(c, DECIMALS)))


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _ukraine_bounds() -> list[list[float]]:
    return _bounds_for(geodata.load())


@cache
def _bounds_for(data) -> list[list[float]]:
    outline = geodata.to_lonlat(shapely.union_all(list(data.geometry.values())))
    x0, y0, x1, y1 = outline.bounds
    return [[round(y0, 3), round(x0, 3)], [round(y1, 3), round(x1, 3)]]


def _oblast_layer() -> tuple[dict, list[tuple]]:
    """Oblast outlines (display GeoJSON) and label points (lat, lon, name, css class)."""
    return _oblast_layer_for(geodata.load())


@cache
def _oblast_layer_for(data) -> tuple[dict, list[tuple]]:
    codes = list(data.geometry)
    geoms = np.array([data.geometry[c] for c in codes], dtype=object)
    simple = _simplify(geoms)
    feats, labels = [], []
    for i, (code, g) in enumerate(zip(codes, simple, strict=True)):
        name = data.units[code].name_en
        feats.append(
            {
                "type": "Feature",
                "id": f"o{i}",
                "properties": {"code": code, "name": name},
                "geometry": _lonlat_json(g),
            }
        )
        parts = shapely.get_parts(geoms[i])
        largest = parts[int(np.argmax(shapely.area(parts)))]
        point = geodata.to_lonlat(polylabel(largest, 2000.0))
        cls = "m-oblast-label m-small-unit" if code in _SMALL_UNITS else "m-oblast-label"
        labels.append((round(point.y, 4), round(point.x, 4), name, cls))
    return _collection(feats), labels


@cache
def _neighbour_layer() -> tuple[dict, list[tuple]]:
    """Neighbouring countries (display GeoJSON) and labels for those near Ukraine."""
    raw = json.loads((geodata.geodata_dir() / "neighbours.geojson").read_text(encoding="utf-8"))
    (lat0, lon0), (lat1, lon1) = _ukraine_bounds()
    near = shapely.box(lon0 - 1.5, lat0 - 0.8, lon1 + 1.5, lat1 + 0.8)
    feats, labels = [], []
    for i, f in enumerate(raw["features"]):
        geom = shape(f["geometry"])
        name = str((f.get("properties") or {}).get("name", ""))
        feats.append(
            {"type": "Feature", "id": f"n{i}", "properties": {}, "geometry": _round_json(geom)}
        )
        inside = shapely.intersection(geom, near)
        if inside.is_empty or inside.area < 0.3:
            continue
        parts = shapely.get_parts(inside)
        point = polylabel(parts[int(np.argmax(shapely.area(parts)))], 0.05)
        labels.append(
            (round(point.y, 3), round(point.x, 3), _COUNTRY_NAMES.get(name, name), "m-country")
        )
    return _collection(feats), labels


@cache
def _leaflet_assets() -> tuple[str, str, str]:
    """Leaflet's JS and CSS from the xstatic-leaflet package, ready to inline; its version."""
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError:
        raise RuntimeError(
            "maps inline Leaflet from xstatic-leaflet: pip install xstatic-leaflet"
        ) from None
    base = Path(xleaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline_image(m: re.Match) -> str:
        image = base / "images" / m.group(1)
        if m.group(1).startswith("layers") and image.exists():
            return f"url(data:image/png;base64,{base64.b64encode(image.read_bytes()).decode()})"
        return "none"  # marker images: no default markers are ever used

    css = re.sub(r"url\(\s*['\"]?images/([\w.-]+)['\"]?\s*\)", inline_image, css)
    if "</script" in js.lower() or "</style" in css.lower():  # cannot be inlined verbatim
        raise RuntimeError("this xstatic-leaflet build cannot be inlined safely")
    return js, css, str(getattr(xleaflet, "VERSION", "?"))


# --- one scenario, prepared for display --------------------------------------------------


@dataclass
class _ScenarioView:
    """One scenario's entry, partition, status colours and display layers."""

    entry: dict
    partition: Partition
    page: str

    def __post_init__(self) -> None:
        e = self.entry
        labels = status_labels(self.partition)
        extra = iter(EXTRA_COLOURS * 4)
        names = [s["status"] for s in e["statuses"]]
        for p in self.partition.pieces:
            names += [p.before, p.after]
        self.colours = {}
        self.labels = {}
        for s in dict.fromkeys(names):
            spec = labels.get(s, {})
            self.colours[s] = spec.get("colour") or next(extra)
            self.labels[s] = spec.get("label") or s
        for s in e["statuses"]:
            self.labels[s["status"]] = s["label"]
        self.tips = {o["oblast"]: self._oblast_tip(o) for o in e["oblasts"]}
        pieces = self.partition.pieces
        simple = _simplify(np.array([p.geometry for p in pieces], dtype=object))
        # The baseline once; the scenario is drawn as its changed areas on top of it, hatched
        # and filled with the new status, so each extra scenario costs only what it changes.
        self.status = self._group(pieces, simple, lambda p: (p.oblast, p.before), "s")
        moved = [i for i, p in enumerate(pieces) if p.before != p.after]
        self.changed = self._group(
            [pieces[i] for i in moved],
            simple[moved],
            lambda p: (p.oblast, p.before, p.after),
            "c",
        )
        self.recognised = self._recognition(pieces, simple)
        self.towns = _collection(
            [
                {
                    "type": "Feature",
                    "id": f"t{i}",
                    "properties": {"tip": self._town_tip(t), "to": t["to"]},
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(t["lon"], DECIMALS), round(t["lat"], DECIMALS)],
                    },
                }
                for i, t in enumerate(e["towns"])
            ]
        )
        self.town_labels = [
            (round(t["lat"], 4), round(t["lon"], 4), t["name"], "m-town-label")
            for t in e["towns"][:LABELLED_TOWNS]
        ]

    @property
    def title(self) -> str:
        return self.entry["title"]

    @property
    def baseline_key(self) -> tuple:
        b = self.entry["baseline"]
        return (b["name"], b["date"], b["source"])

    @property
    def baseline_label(self) -> str:
        b = self.entry["baseline"]
        return f"{b['name']} ({b['date'] or 'undated'})"

    def _group(self, pieces, geoms, key, prefix) -> dict:
        groups: dict[tuple, list] = {}
        for p, g in zip(pieces, geoms, strict=True):
            groups.setdefault(key(p), []).append(g)
        feats = []
        for i, (k, gs) in enumerate(groups.items()):
            geom = gs[0] if len(gs) == 1 else shapely.union_all(gs)
            props = {"oblast": k[0], "status": k[-1], "tip": self.tips[k[0]]}
            feats.append(
                {
                    "type": "Feature",
                    "id": f"{prefix}{i}",
                    "properties": props,
                    "geometry": _lonlat_json(geom),
                }
            )
        return _collection(feats)

    def label(self, status: str) -> str:
        return self.labels.get(status, status)

    def _recognition(self, pieces, geoms) -> dict:
        """Outlines of the land whose new status a step marks as recognised de jure/de facto."""
        groups: dict[str, list] = {}
        for p, g in zip(pieces, geoms, strict=True):
            rec = dict(p.attrs).get("recognition")
            if rec:
                groups.setdefault(rec, []).append(g)
        return _collection(
            [
                {
                    "type": "Feature",
                    "id": f"r{i}",
                    "properties": {"recognition": rec},
                    "geometry": _lonlat_json(shapely.union_all(gs)),
                }
                for i, (rec, gs) in enumerate(sorted(groups.items()))
            ]
        )

    def _oblast_tip(self, o: dict) -> str:
        statuses = list(dict.fromkeys([*o["before"], *o["after"]]))

        def cell(d: dict | None) -> str:
            if not d:
                return "<td>—</td>"
            return f"<td>{_km(d['km2'])} km²<br>{_km(d['people'])} people</td>"

        rows = "".join(
            f"<tr><th scope='row'>{_esc(self.label(s))}</th>"
            f"{cell(o['before'].get(s))}{cell(o['after'].get(s))}</tr>"
            for s in statuses
        )
        return (
            f"<div class='m-tip'><strong>{_esc(o['name'])}</strong> "
            f"<span class='m-code'>{_esc(o['oblast'])}</span><table>"
            "<tr><td></td><th scope='col'>Baseline</th><th scope='col'>Scenario</th></tr>"
            f"{rows}</table></div>"
        )

    def _town_tip(self, t: dict) -> str:
        return (
            f"<div class='m-tip'><strong>{_esc(t['name'])}</strong> "
            f"({_esc(t['oblast_name'])})<br>{_km(t['population'])} people (GeoNames)<br>"
            f"{_esc(self.label(t['from']))} → {_esc(self.label(t['to']))}</div>"
        )


class _Palette:
    """Status colours of one page (first definition wins) and their hatch patterns."""

    def __init__(self, views: list[_ScenarioView], tiles: str | None):
        self.opacity = 0.5 if tiles else 1.0
        self.colours: dict[str, str] = {}
        for v in views:
            for status, colour in v.colours.items():
                self.colours.setdefault(status, colour)
        self.index = {s: i for i, s in enumerate(self.colours)}

    def colour(self, status: str) -> str:
        return self.colours.get(status, "#999999")

    def fill(self, status: str) -> str:
        """The status colour as drawn: without tiles, mixed with white (a 62% tint)."""
        colour = self.colour(status)
        if self.opacity < 1:
            return colour
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        return "#" + "".join(f"{round(c * 0.62 + 255 * 0.38):02x}" for c in rgb)

    def hatch(self, status: str | None = None) -> str:
        """Fill URL of the hatch pattern: plain, or over the (tinted) status colour."""
        if status is None:
            return f"url(#{HATCH_ID})"
        return f"url(#{HATCH_ID}-{self.index.get(status, 'x')})"

    def defs(self) -> str:
        """An invisible SVG holding the hatch patterns that the map paths refer to."""
        line = (
            '<line x1="0" y1="0" x2="0" y2="7" stroke="#111" stroke-width="2.4" '
            'stroke-opacity="0.8"/>'
        )

        def pattern(pid: str, background: str) -> str:
            return (
                f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="7" height="7" '
                f'patternTransform="rotate(45)">{background}{line}</pattern>'
            )

        patterns = [pattern(HATCH_ID, "")]
        patterns += [
            pattern(
                f"{HATCH_ID}-{i}",
                f'<rect width="7" height="7" fill="{_esc(self.fill(s))}"/>',
            )
            for s, i in self.index.items()
        ]
        return (
            '<svg width="0" height="0" style="position:absolute" aria-hidden="true" '
            f'focusable="false"><defs>{"".join(patterns)}</defs></svg>'
        )


# --- folium pieces -----------------------------------------------------------------------


def _json_for_script(value) -> str:
    """JSON that is safe inside <script>: no </script>, <!--, or & sequences survive."""
    return (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


if folium is not None:

    class _Labels(MacroElement):
        """Text labels as non-interactive div icons; the text is set with textContent."""

        _template = Template(
            """{% macro script(this, kwargs) %}
            (function (parent) {
                {{ this.items_json }}.forEach(function (it) {
                    var el = document.createElement('span');
                    el.textContent = it[2];
                    L.marker([it[0], it[1]], {
                        icon: L.divIcon({className: 'm-label ' + it[3], html: el,
                                         iconSize: null}),
                        interactive: false, keyboard: false
                    }).addTo(parent);
                });
            })({{ this._parent.get_name() }});
            {% endmacro %}"""
        )

        def __init__(self, items: list[tuple]):
            super().__init__()
            self._name = "Labels"
            self.items_json = _json_for_script([list(i) for i in items])

    class _MapSetup(MacroElement):
        """Plain-text attribution (no links) and a zoom class for the small-unit labels."""

        _template = Template(
            """{% macro script(this, kwargs) %}
            (function (m) {
                m.attributionControl.setPrefix('Leaflet');
                m.attributionControl.addAttribution({{ this.attribution_json }});
                function zoomClass() {
                    m.getContainer().classList.toggle('mdl-zoomed', m.getZoom() >= 7.75);
                }
                m.on('zoomend', zoomClass);
                zoomClass();
                // Hide labels that would overlap one already shown: oblast names first,
                // then towns (largest first, the order they were added), then countries.
                function rank(el) {
                    var c = el.classList;
                    return c.contains('m-oblast-label') ? 0 : c.contains('m-town-label') ? 1 : 2;
                }
                function declutter() {
                    var els = Array.prototype.slice.call(
                        m.getContainer().querySelectorAll('.m-label'));
                    els = els.map(function (el, i) { return [rank(el), i, el]; })
                        .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
                    var shown = [];
                    els.forEach(function (item) {
                        var el = item[2], span = el.firstChild;
                        el.style.visibility = '';
                        if (!span) return;
                        var r = span.getBoundingClientRect();
                        if (!r.width) return;
                        var hit = shown.some(function (s) {
                            return r.left < s.right + 3 && r.right > s.left - 3 &&
                                r.top < s.bottom + 1 && r.bottom > s.top - 1;
                        });
                        if (hit) el.style.visibility = 'hidden'; else shown.push(r);
                    });
                }
                var timer = null;
                function later() { clearTimeout(timer); timer = setTimeout(declutter, 20); }
                m.on('zoomend layeradd layerremove resize', later);
                later();
            })({{ this._parent.get_name() }});
            {% endmacro %}"""
        )

        def __init__(self, attribution: str):
            super().__init__()
            self._name = "MapSetup"
            self.attribution_json = _json_for_script(_esc(attribution))


def _new_map(tiles: str | None, attribution: str) -> folium.Map:
    m = folium.Map(
        location=[48.4, 31.2],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    m.default_js = []  # Leaflet is inlined by _page; nothing else is needed
    m.default_css = []
    for name, z, events in _PANES:
        folium.map.CustomPane(name, z_index=z, pointer_events=events).add_to(m)
    if tiles == "osm":
        folium.TileLayer("OpenStreetMap", control=False).add_to(m)
    neighbours, country_labels = _neighbour_layer()
    folium.GeoJson(
        neighbours,
        style_function=lambda f: {
            "fillColor": "#e9e6df",
            "fillOpacity": 0.0 if tiles else 1.0,
            "color": "#9a958c",
            "weight": 1,
            "className": "m-neighbour",
        },
        control=False,
        interactive=False,
        pane="mdl-neighbours",
    ).add_to(m)
    if not tiles:
        _Labels(country_labels).add_to(m)
    m.fit_bounds(_ukraine_bounds())
    _MapSetup(attribution).add_to(m)
    return m


def _status_layer(view: _ScenarioView, palette: _Palette, tooltip: bool) -> folium.GeoJson:
    """The baseline's statuses, one feature per (oblast, status)."""
    data = view.status
    if not tooltip:  # the index binds its own tooltips, which follow the chosen scenario
        data = _collection(
            [
                f
                | {
                    "properties": {
                        "oblast": f["properties"]["oblast"],
                        "status": f["properties"]["status"],
                    }
                }
                for f in data["features"]
            ]
        )
    return folium.GeoJson(
        data,
        style_function=lambda f: {
            "fillColor": palette.fill(f["properties"]["status"]),
            "fillOpacity": palette.opacity,
            "color": "#ffffff",
            "weight": 0.6,
            "opacity": 0.9,
            "className": "m-status",
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        tooltip=(
            folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True) if tooltip else None
        ),
        control=False,
        pane="mdl-status",
    )


def _changed_layer(view: _ScenarioView, palette: _Palette, coloured: bool) -> folium.GeoJson:
    """Areas changing hands: hatched with a dashed outline; ``coloured``: over the new status."""
    return folium.GeoJson(
        view.changed,
        style_function=lambda f: {
            "fillColor": palette.hatch(f["properties"]["status"] if coloured else None),
            "fillOpacity": 1,
            "color": "#111111",
            "weight": 2.5,
            "dashArray": "7 4",
            "opacity": 1,
            "className": "m-changed",
        },
        control=False,
        interactive=False,
        pane="mdl-changed",
    )


RECOGNITION_STYLE = {
    "de_jure": {"color": "#4a1486", "weight": 3.5, "dashArray": None},
    "de_facto": {"color": "#4a1486", "weight": 3, "dashArray": "1 6"},
}


def _recognition_layer(view: _ScenarioView) -> folium.GeoJson:
    """Recognised land: a solid (de jure) or dotted (de facto) purple outline, no fill."""
    return folium.GeoJson(
        view.recognised,
        style_function=lambda f: {
            **RECOGNITION_STYLE[f["properties"]["recognition"]],
            "fill": False,
            "opacity": 1,
            "lineCap": "round",
            "className": "m-recognition",
        },
        control=False,
        interactive=False,
        pane="mdl-changed",
    )


def _recognition_swatch(rec: str) -> str:
    st = RECOGNITION_STYLE[rec]
    dash = f' stroke-dasharray="{st["dashArray"]}"' if st["dashArray"] else ""
    return (
        '<svg width="22" height="14" aria-hidden="true"><rect x="2" y="2" width="18" '
        f'height="10" fill="none" stroke="{st["color"]}" stroke-width="2.5"{dash} '
        'stroke-linecap="round"/></svg>'
    )


def _oblast_outlines(m) -> None:
    outlines, labels = _oblast_layer()
    folium.GeoJson(
        outlines,
        style_function=lambda f: {
            "fill": False,
            "color": "#3b3b3b",
            "weight": 1.1,
            "opacity": 0.9,
            "className": "m-oblast",
        },
        control=False,
        interactive=False,
        pane="mdl-oblasts",
    ).add_to(m)
    _Labels(labels).add_to(m)


def _towns_layer(view: _ScenarioView, palette: _Palette) -> folium.GeoJson:
    pops = {f"t{i}": t["population"] for i, t in enumerate(view.entry["towns"])}
    return folium.GeoJson(
        view.towns,
        marker=folium.CircleMarker(radius=5),
        style_function=lambda f: {
            "radius": round(3.5 + 2.5 * (pops.get(f["id"], 0) / 1e5) ** 0.5, 1),
            "fillColor": palette.colour(f["properties"]["to"]),
            "fillOpacity": 1,
            "color": "#111111",
            "weight": 1.5,
            "className": "m-town",
            "pane": "mdl-towns",
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        control=False,
        pane="mdl-towns",
    )


def _render_figure(fig) -> tuple[str, dict[str, str], str]:
    """Render a folium figure's parts: header HTML, each child's div, the script."""
    for child in fig._children.values():
        child.render()
    header = fig.header.render()
    header = re.sub(r"<meta name=\"viewport\"[^>]*>", "", header)  # ours allows zooming
    divs = {name: el.render() for name, el in fig.html._children.items()}
    return header, divs, _compact_geojson(fig.script.render())


_GEOJSON_ADD = re.compile(r"^(\s*geo_json_\w+_add\()(\{.*\})(\);)\s*$", re.M)


def _compact_geojson(script: str) -> str:
    """Re-serialise folium's embedded GeoJSON without spaces and embed each distinct
    collection once (the index's two maps share their layers' data); still script-safe."""
    seen: dict[str, str] = {}

    def compact(m: re.Match) -> str:
        text = _json_for_script(json.loads(m.group(2)))
        if text in seen:
            return f"{m.group(1)}{seen[text]}{m.group(3)}"
        seen[text] = name = f"mdl_data_{len(seen)}"
        return f"var {name} = {text};\n{m.group(1)}{name}{m.group(3)}"

    return _GEOJSON_ADD.sub(compact, script)


def _attribution(view: _ScenarioView, tiles: str | None) -> str:
    base = "Natural Earth · GeoNames · " + view.entry["baseline"]["name"]
    return base if tiles else base + " · no base map"


# --- HTML ----------------------------------------------------------------------------------

_NUMERIC = re.compile(r"^[+\-−]?[\d,]+(\.\d+)?$")

_CSS = """
html, body { width: auto; height: auto; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1b1b1b; background: #fff; }
a { color: #0b5394; }
.top, .prov, .below { padding: 0.6rem 1.2rem; }
.top h1 { margin: 0.2rem 0 0.3rem; font-size: 1.55rem; line-height: 1.2; }
.top p { margin: 0.2rem 0; max-width: 75rem; }
.top .notes { color: #444; font-size: 0.92rem; }
.top nav { font-size: 0.9rem; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(26rem, 44rem);
  gap: 1rem; padding: 0 1.2rem; align-items: start; }
.mapwrap { position: relative; height: min(80vh, 860px); min-height: 420px;
  border: 1px solid #c9c9c9; background: #dfe8ee; }
.mapwrap .folium-map { position: absolute !important; inset: 0;
  width: 100% !important; height: 100% !important; background: #dfe8ee; }
.side { max-height: min(80vh, 860px); overflow: auto; padding-right: 0.3rem; }
.hint { font-size: 0.85rem; color: #444; margin: 0.3rem 0 0; }
.dual { display: grid; grid-template-columns: 1fr 1fr; gap: 0.6rem; padding: 0 1.2rem; }
.dual figure { margin: 0; }
.dual figcaption { font-size: 1rem; margin: 0 0 0.25rem; }
.dual .mapwrap { height: min(68vh, 720px); }
@media (max-width: 960px) {
  .layout, .dual { grid-template-columns: 1fr; }
  .side { max-height: none; }
}
table { border-collapse: collapse; margin: 0.2rem 0 1rem; font-size: 0.84rem;
  font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 0.2rem 0; font-size: 0.95rem; }
th, td { padding: 0.16rem 0.4rem; border-bottom: 1px solid #e1e1e1; vertical-align: top; }
thead th { border-bottom: 2px solid #8a8a8a; text-align: left; vertical-align: bottom; }
thead th.num { text-align: right; }
tbody th { text-align: left; }
td.num { text-align: right; white-space: nowrap; }
details { margin: 0 0 1rem; }
summary { cursor: pointer; font-weight: 600; }
.legend { position: absolute; left: 10px; bottom: 54px; z-index: 800; max-width: 19rem;
  background: rgba(255, 255, 255, 0.94); border: 1px solid #999; border-radius: 4px;
  padding: 0.4rem 0.6rem; font-size: 0.82rem; line-height: 1.3; }
.legend.static { position: static; max-width: none; display: inline-block; margin: 0.5rem 1.2rem; }
.legend h2 { font-size: 0.85rem; margin: 0 0 0.25rem; }
.legend ul { list-style: none; margin: 0; padding: 0; }
.legend li { display: flex; align-items: center; gap: 0.4rem; margin: 0.12rem 0; }
.legend.static ul { display: flex; flex-wrap: wrap; gap: 0.2rem 1.2rem; }
.legend svg { flex: none; }
.legend .lg-fig { margin-left: auto; padding-left: 0.6rem; white-space: nowrap;
  font-variant-numeric: tabular-nums; color: #333; }
.m-label { white-space: nowrap; pointer-events: none; }
.m-label span { position: absolute; transform: translate(-50%, -50%);
  font-size: 11px; font-weight: 600; color: #1e1e1e;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.m-country span { font-size: 12px; font-weight: 500; letter-spacing: 0.12em;
  text-transform: uppercase; color: #77726a; }
.m-town-label span { transform: translate(9px, -50%); font-weight: 500; font-style: italic;
  font-size: 11.5px; color: #000; }
.m-small-unit { display: none; }
.mdl-zoomed .m-small-unit { display: block; }
.m-tip table { margin: 0.2rem 0 0; font-size: 12px; }
.m-tip th, .m-tip td { padding: 0.05rem 0.3rem; border-bottom: 1px solid #eee; }
.m-tip td { text-align: right; }
.m-code { color: #666; font-size: 11px; }
.leaflet-control-layers label { max-width: 17rem; }
.prov { border-top: 1px solid #ccc; margin-top: 1rem; font-size: 0.85rem; color: #333; }
.prov h2 { font-size: 1rem; }
.prov dt { font-weight: 600; margin-top: 0.35rem; }
.prov dd { margin: 0 0 0 1rem; }
.prov ul { margin: 0.1rem 0; padding-left: 1.1rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
"""


def _page(
    title: str,
    palette: _Palette,
    folium_head: str,
    body: str,
    script: str,
    extra_script: str = "",
) -> str:
    js, css, _version = _leaflet_assets()
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="modeller {_esc(__version__)}">\n'
        f"<title>{_esc(title)}</title>\n"
        f"<style>\n{css}\n</style>\n<script>\n{js}\n</script>\n"
        f"{folium_head}\n<style>{_CSS}</style>\n</head>\n<body>\n{palette.defs()}\n{body}\n"
        f"<script>\n{script}\n</script>\n"
        + (f"<script>\n{extra_script}\n</script>\n" if extra_script else "")
        + "</body>\n</html>\n"
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


def _scenario_legend(view: _ScenarioView, palette: _Palette, tiles: str | None) -> str:
    e = view.entry
    items = []
    for s in e["statuses"]:
        items.append(
            f'<li class="lg-status" data-status="{_esc(s["status"])}">'
            f"{_swatch(palette.fill(s['status']), palette.opacity)}"
            f'<span class="lg-label">{_esc(s["label"])}</span>'
            f'<span class="lg-fig"><span class="lg-km2">{_km(s["km2"])}</span> km² · '
            f'<span class="lg-pct">{s["pct"]:.2f}</span>%</span></li>'
        )
    moved = sum(f["km2"] for f in e["flows"])
    items.append(
        f'<li class="lg-changed">{_hatch_swatch(palette.hatch())}<span class="lg-label">'
        "Changes hands (hatched; fill: new status)</span>"
        f'<span class="lg-fig"><span class="lg-km2">{_km(moved)}</span> km²</span></li>'
    )
    for r in e["recognition"]:
        label = f"{r['label']}, recognised {r['recognition'].replace('_', ' ')} (outline)"
        items.append(
            f'<li class="lg-recognition" data-recognition="{_esc(r["recognition"])}">'
            f"{_recognition_swatch(r['recognition'])}"
            f'<span class="lg-label">{_esc(label)}</span>'
            f'<span class="lg-fig"><span class="lg-km2">{_km(r["km2"])}</span> km²</span></li>'
        )
    items += _legend_items_common(bool(e["towns"]), tiles)
    return (
        '<section class="legend" aria-labelledby="legend-title">'
        '<h2 id="legend-title">Legend: held after the scenario</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def _index_legend(views: list[_ScenarioView], palette: _Palette, tiles: str | None) -> str:
    seen: dict[str, str] = {}
    for v in views:
        for s in v.entry["statuses"]:
            seen.setdefault(s["status"], s["label"])
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
    items += _legend_items_common(any(v.entry["towns"] for v in views), tiles)
    return (
        '<section class="legend static" aria-labelledby="legend-title">'
        '<h2 id="legend-title">Legend</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def _tool_versions() -> str:
    _js, _css, leaflet = _leaflet_assets()
    return (
        f"modeller {__version__}; folium {getattr(folium, '__version__', '?')}; "
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


def _reported_list(e: dict) -> str:
    if not e["reported"]:
        return "<ul><li>none cited</li></ul>"
    items = []
    for r in e["reported"]:
        text = f"{r['source']} ({r['date']})"
        if r.get("url"):
            text += f" — {r['url']}"  # shown as text: no link leaves the page
        if r.get("note"):
            text += f" — {r['note']}"
        items.append(f"<li>{_esc(text)}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _provenance(doc: dict, entries: list[dict], tiles: str | None) -> str:
    parts = ['<footer class="prov"><h2>Provenance</h2><dl>']
    for e in entries:
        b = e["baseline"]
        file = Path(e["file"]).name if e.get("file") else "—"
        parts.append(
            f"<dt>Scenario {_esc(e['id'])}</dt><dd>"
            f'<span class="prov-id">{_esc(e["id"])}</span> · hash '
            f'<code class="prov-hash">{_esc(e["hash"])}</code> · file {_esc(file)} · '
            f"“{_esc(e['title'])}”</dd>"
            f"<dd>Reported by: {_reported_list(e)}</dd>"
            f'<dd>Baseline: <span class="prov-baseline">{_esc(b["name"])}</span> '
            f"({_esc(b['date'] or 'undated')}) — {_esc(b['source'])}"
            + (f"; {_esc(b['method'])}" if b.get("method") else "")
            + "</dd>"
            + (
                f'<dd class="prov-outline">{_esc(report.baseline_note(b))}</dd>'
                if report.baseline_note(b)
                else ""
            )
        )
    sources = "".join(f"<li>{_esc(s)}</li>" for s in doc["data_sources"])
    parts.append(
        f"<dt>Method</dt><dd>{_esc(doc['method'])}</dd>"
        f'<dt>Units</dt><dd class="prov-units">{_esc(report.units_text(doc.get("units") or {}))}'
        "</dd>"
        f"<dt>Data sources</dt><dd><ul>{sources}</ul></dd>"
        f"<dt>Map</dt><dd>{_esc(_display_note(tiles))}</dd>"
        f"<dt>Tools</dt><dd>{_esc(_tool_versions())}</dd>"
        f'<dt>Generated</dt><dd><time class="prov-generated">{_esc(doc["generated"])}</time> '
        f"by {_esc(doc['tool']['name'])} {_esc(doc['tool']['version'])}"
        + (
            f', embedded data <code class="prov-data">#{_esc(doc["data_version"])}</code>'
            if doc.get("data_version")
            else ""
        )
        + "</dd>"
        "</dl></footer>"
    )
    return "".join(parts)


def _oblast_table(view: _ScenarioView) -> str:
    head = ["Oblast", "Status", "Baseline km²", "People", "Scenario km²", "People"]
    rows = []
    for o in view.entry["oblasts"]:
        for s in dict.fromkeys([*o["before"], *o["after"]]):
            b, a = o["before"].get(s), o["after"].get(s)
            rows.append(
                [
                    o["name"],
                    view.label(s),
                    _km(b["km2"]) if b else "0",
                    _km(b["people"]) if b else "0",
                    _km(a["km2"]) if a else "0",
                    _km(a["people"]) if a else "0",
                ]
            )
    return (
        "<details><summary>Every oblast, baseline and scenario</summary>"
        + _table("Km² and people by oblast and status", head, rows, "t-oblasts")
        + "</details>"
    )


def _scenario_tables(view: _ScenarioView) -> str:
    e = view.entry
    v = e["vs_1991"]
    out = [
        _table("Held by each side: baseline → scenario", STATUS_HEAD, status_rows(e), "t-status"),
        f'<p class="vs1991">Against 1991 borders: {_km(v["outside_ukraine_km2"])} km² '
        f"({v['outside_ukraine_pct']:.2f}%) and {_km(v['outside_ukraine_people'])} pre-war "
        "residents would be outside Ukraine's control.</p>",
    ]
    if e["recognition"]:
        out.append(_table("Recognition", RECOGNITION_HEAD, recognition_rows(e), "t-recognition"))
    if e["phases"]:
        out.append(
            _table(
                "Phases (cumulative, against the baseline)", PHASE_HEAD, phase_rows(e), "t-phases"
            )
        )
    if e["transfers"]:
        out.append(
            _table("Changes hands, by oblast", transfer_head(e), transfer_rows(e), "t-transfers")
        )
    else:
        out.append('<p class="t-transfers-none">Nothing changes hands in this scenario.</p>')
    if e["towns"]:
        out.append(_table("Largest towns changing hands", TOWN_HEAD, town_rows(e), "t-towns"))
    out.append(_oblast_table(view))
    return "".join(out)


def _scenario_page(doc: dict, view: _ScenarioView, tiles: str | None) -> str:
    e = view.entry
    palette = _Palette([view], tiles)
    fig = Figure()
    m = _new_map(tiles, _attribution(view, tiles))
    fig.add_child(m, name=m.get_name())
    _status_layer(view, palette, tooltip=True).add_to(m)
    after = folium.FeatureGroup(name=_esc(f"Scenario: {view.title}"), overlay=False, show=True)
    _changed_layer(view, palette, coloured=True).add_to(after)
    if view.recognised["features"]:
        _recognition_layer(view).add_to(after)
    after.add_to(m)
    before = folium.FeatureGroup(
        name=_esc(f"Baseline: {view.baseline_label}"), overlay=False, show=False
    )
    _changed_layer(view, palette, coloured=False).add_to(before)
    before.add_to(m)
    _oblast_outlines(m)
    if e["towns"]:
        towns = folium.FeatureGroup(name="Largest towns changing hands", show=True)
        _towns_layer(view, palette).add_to(towns)
        _Labels(view.town_labels).add_to(towns)
        towns.add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    head, divs, script = _render_figure(fig)
    notes = f'<p class="notes">{_esc(e["notes"])}</p>' if e.get("notes") else ""
    body = (
        '<header class="top"><nav><a href="index.html">← All scenarios</a></nav>'
        f'<h1 class="title">{_esc(view.title)}</h1>'
        f'<p class="summary">{_esc(e["summary"] or "")}</p>{notes}</header>'
        '<main class="layout"><section class="mapcol" aria-label="Map">'
        f'<div class="mapwrap">{divs[m.get_name()]}{_scenario_legend(view, palette, tiles)}</div>'
        '<p class="hint">Hover an area for its oblast’s km² and people before and after. '
        "The layer switch (top right) shows the baseline instead; the areas that change hands "
        "stay hatched. The tables beside the map carry the same figures.</p></section>"
        f'<section class="side" aria-label="Figures">{_scenario_tables(view)}</section></main>'
        + _provenance(doc, [e], tiles)
    )
    return _page(f"{view.title} — territorial scenario", palette, head, body, script)


def _index_page(doc: dict, views: list[_ScenarioView], tiles: str | None) -> str:
    palette = _Palette(views, tiles)
    fig = Figure()
    first = views[0] if views else None
    attribution = _attribution(first, tiles) if first else "Natural Earth"
    left = _new_map(tiles, attribution)
    right = _new_map(tiles, attribution)
    fig.add_child(left, name=left.get_name())
    fig.add_child(right, name=right.get_name())
    bases: dict[tuple, tuple] = {}  # one baseline layer per map for each distinct baseline
    names: dict[str, list[str]] = {k: [] for k in ("leftBase", "rightBase", "left", "right")}
    for i, v in enumerate(views):
        if v.baseline_key not in bases:
            pair = []
            for m in (left, right):
                group = folium.FeatureGroup(name="baseline", control=False, show=not bases)
                layer = _status_layer(v, palette, tooltip=False)
                layer.add_to(group)
                group.add_to(m)
                pair.append((group.get_name(), layer.get_name()))
            bases[v.baseline_key] = tuple(pair)
        (lg, _), (rg, _) = bases[v.baseline_key]
        names["leftBase"].append(lg)
        names["rightBase"].append(rg)
        lc = folium.FeatureGroup(name="changed", control=False, show=i == 0)
        _changed_layer(v, palette, coloured=False).add_to(lc)
        lc.add_to(left)
        names["left"].append(lc.get_name())
        rc = folium.FeatureGroup(name=_esc(v.title), overlay=False, show=i == 0)
        _changed_layer(v, palette, coloured=True).add_to(rc)
        if v.entry["towns"]:
            _towns_layer(v, palette).add_to(rc)
            _Labels(v.town_labels).add_to(rc)
        rc.add_to(right)
        names["right"].append(rc.get_name())
    _oblast_outlines(left)
    _oblast_outlines(right)
    if len(views) > 1:
        folium.LayerControl(collapsed=False, position="topright").add_to(right)
    head, divs, script = _render_figure(fig)
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
        f'<li><a href="{_esc(v.page)}">{_esc(v.title)}</a> — {_esc(v.entry["summary"] or "")}</li>'
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
    left: str, right: str, names: dict, status_layers: list[str], views: list[_ScenarioView]
) -> str:
    """Link the two maps' view; the left map and the tooltips follow the scenario picked."""
    data = _json_for_script(
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


__all__ = ["page_names", "render_site", "write_site"]
