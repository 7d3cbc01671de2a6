"""Comparison maps: self-contained HTML pages (Leaflet) that a newsroom can publish.

``write_site`` writes ``index.html`` and one page per scenario. Every figure on a page is read
from the run document (``report.document``) and rounded for readers in one place
(``words``); the CSV download on each page carries the exact figures. Geometry is simplified
for display only; no number is ever computed from it.

Modules, one job each
---------------------
``site``     which files a run writes; render them all, write them all at once
``pages``    the two page kinds, rendered from Jinja2 templates (``templates/``)
``tables``   the tables on the pages (labels, rounded figures)
``payload``  the JSON each page's script reads (base layers built once per process)
``layers``   geometry to display GeoJSON, label anchors, the frame a map opens on
``palette``  status colours checked for colour-vision deficiencies, hatch and dot patterns
``colour``   colour-vision-deficiency simulation (Machado 2009) and CIEDE2000
``words``    rounding, dates, baseline captions, news spellings of place names
``assets``   Leaflet (inlined from xstatic-leaflet) and the package's static files
``images``   the static PNG/SVG of each scenario, drawn with matplotlib at run time
             (with ``image_geometry``, ``image_labels``, ``image_words``, ``image_overview``)

Design
------
The index puts a scenario picker (each scenario's headline) beside two maps: who holds what
on the baseline date, and after the picked scenario; the maps move together and open on the
land that changes hands. Picking a scenario sets the URL hash (``index.html#land-swap``), so
a link opens that scenario and back/forward work. Each scenario page has one map with a
switch between "after" and "baseline", its legend, downloads and tables.

Self-contained: Leaflet's JS and CSS are inlined, the CSV download is a data: URI, and there
are no base tiles unless ``tiles="osm"``. The page script (``static/maps.js``) draws from JSON
in ``<script type="application/json">`` elements (``static/labels.js`` places the labels by
priority without collisions); it sets text with ``textContent``.

Escaping: templates autoescape; JSON inside ``<script>`` has ``<``, ``>``, ``&`` escaped;
the pop-up tips, the only HTML built in Python, escape every value.
"""

from . import assets, colour, layers, pages, palette, payload, site, tables, words
from .site import TILES, page_names, render_site, write_site

__all__ = [
    "TILES",
    "assets",
    "colour",
    "layers",
    "page_names",
    "pages",
    "palette",
    "payload",
    "render_site",
    "site",
    "tables",
    "words",
    "write_site",
]
