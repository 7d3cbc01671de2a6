"""The folium/Leaflet side: one map with panes, layers, labels and the declutter script."""

from __future__ import annotations

import html
import json
import re

from . import layers
from .assets import json_for_script
from .layers import ScenarioView
from .palette import Palette

try:  # dependencies of modeller; kept optional here so --no-maps works without them
    import folium
    from branca.element import Figure, MacroElement  # noqa: F401 (pages build figures)
    from jinja2 import Template
except ImportError:  # pragma: no cover - exercised only without the extra
    folium = None

_PANES = (  # name, z-index, receives pointer events
    ("mdl-neighbours", 350, False),
    ("mdl-status", 390, True),
    ("mdl-changed", 395, False),
    ("mdl-oblasts", 398, False),
    ("mdl-towns", 450, True),
)
_esc = html.escape


if folium is not None:

    class Labels(MacroElement):
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
            self.items_json = json_for_script([list(i) for i in items])

    class MapSetup(MacroElement):
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
            self.attribution_json = json_for_script(_esc(attribution))


def new_map(tiles: str | None, attribution: str) -> folium.Map:
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
    neighbours, country_labels = layers.neighbour_layer()
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
        Labels(country_labels).add_to(m)
    m.fit_bounds(layers.ukraine_bounds())
    MapSetup(attribution).add_to(m)
    return m


def status_layer(view: ScenarioView, palette: Palette, tooltip: bool) -> folium.GeoJson:
    """The baseline's statuses, one feature per (oblast, status)."""
    data = view.status
    if not tooltip:  # the index binds its own tooltips, which follow the chosen scenario
        data = layers.collection(
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


def changed_layer(view: ScenarioView, palette: Palette, coloured: bool) -> folium.GeoJson:
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


def recognition_layer(view: ScenarioView) -> folium.GeoJson:
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


def recognition_swatch(rec: str) -> str:
    st = RECOGNITION_STYLE[rec]
    dash = f' stroke-dasharray="{st["dashArray"]}"' if st["dashArray"] else ""
    return (
        '<svg width="22" height="14" aria-hidden="true"><rect x="2" y="2" width="18" '
        f'height="10" fill="none" stroke="{st["color"]}" stroke-width="2.5"{dash} '
        'stroke-linecap="round"/></svg>'
    )


def oblast_outlines(m) -> None:
    outlines, labels = layers.oblast_layer()
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
    Labels(labels).add_to(m)


def towns_layer(view: ScenarioView, palette: Palette) -> folium.GeoJson:
    pops = {f"t{i}": t.population for i, t in enumerate(view.entry.towns)}
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


def render_figure(fig) -> tuple[str, dict[str, str], str]:
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
        text = json_for_script(json.loads(m.group(2)))
        if text in seen:
            return f"{m.group(1)}{seen[text]}{m.group(3)}"
        seen[text] = name = f"mdl_data_{len(seen)}"
        return f"var {name} = {text};\n{m.group(1)}{name}{m.group(3)}"

    return _GEOJSON_ADD.sub(compact, script)


def attribution(view: ScenarioView, tiles: str | None) -> str:
    base = "Natural Earth · GeoNames · " + view.entry.baseline.name
    return base if tiles else base + " · no base map"
