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

from . import assets, layers, pages, palette, site
from .site import TILES, page_names, render_site, write_site

__all__ = ["TILES", "page_names", "render_site", "write_site"]
