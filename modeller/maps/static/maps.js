/* modeller map pages: draws the maps from the page's JSON with Leaflet, places labels by
   priority without collisions, frames the land that changes hands, keeps a locator map,
   and (on the index) follows the scenario picker and the URL hash.
   Text from the data is set with textContent; only the pre-escaped tips are HTML. */
(function () {
  'use strict';

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  /* Embedded in another page (an iframe, see the page's embed code): map heights stop
     following the frame's (CSS .framed), and the page tells its parent its height, so
     that the frame grows to it and nothing scrolls inside it. The message carries the
     height only. */
  var framed = true;
  try { framed = window.self !== window.top; } catch (e) { /* a foreign parent: framed */ }
  if (framed) {
    document.documentElement.classList.add('framed');
    // a link out of the page opens beside the article, not inside its frame ("All
    // scenarios" had put the whole index in the article's 780 px box)
    Array.prototype.forEach.call(document.querySelectorAll('a[href]'), function (a) {
      if (a.getAttribute('href').charAt(0) !== '#' && !a.hasAttribute('download')) {
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
      }
    });
    var told = 0;
    var tellHeight = function () {
      var h = Math.ceil(document.body.getBoundingClientRect().height);
      if (h > 0 && h !== told) {
        told = h;
        window.parent.postMessage({type: 'modeller:height', height: h}, '*');
      }
    };
    if (window.ResizeObserver) { new ResizeObserver(tellHeight).observe(document.body); }
    window.addEventListener('load', tellHeight);
    window.addEventListener('resize', tellHeight);
    tellHeight();
  }

  // the skip link moves the focus without touching the address: on the index the hash
  // names the scenario shown ('#mdl-main' had replaced '#land-swap', and a reload then
  // opened the first scenario)
  Array.prototype.forEach.call(document.querySelectorAll('a.skip'), function (a) {
    a.addEventListener('click', function (e) {
      var to = document.getElementById((a.getAttribute('href') || '').slice(1));
      if (!to) { return; }
      e.preventDefault();
      to.focus();
      to.scrollIntoView();
    });
  });

  var BASE = readJSON('mdl-base');
  var PAGE = readJSON('mdl-page');
  if (!BASE || !PAGE || !window.L) { return; }

  var PANES = [
    ['mdl-neighbours', 350, false], ['mdl-status', 390, true], ['mdl-water', 392, false],
    ['mdl-changed', 395, false], ['mdl-oblasts', 398, false], ['mdl-river', 399, false],
    ['mdl-towns', 450, true], ['mdl-labels', 460, false]
  ];
  var LAT0 = Math.cos(48.5 * Math.PI / 180);

  /* ---- one map -------------------------------------------------------------------- */

  function MapView(el, opts) {
    var self = this;
    this.opts = opts;
    // a reader who asks for less motion gets maps that jump, not glide (Leaflet's zoom,
    // fade and inertia had run whatever the setting)
    var still = !!(window.matchMedia &&
      window.matchMedia('(prefers-reduced-motion: reduce)').matches);
    var map = this.map = L.map(el, {
      zoomAnimation: !still, fadeAnimation: !still, markerZoomAnimation: !still, inertia: !still,
      zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 4.5, maxZoom: 12,
      attributionControl: false, zoomControl: false,
      keyboard: opts.keyboard !== false, renderer: L.svg({padding: 0.3}),
      tap: false
    });
    PANES.forEach(function (p) {
      var pane = map.createPane(p[0]);
      pane.style.zIndex = p[1];
      if (!p[2]) { pane.style.pointerEvents = 'none'; }
    });
    map.getPane('mdl-labels').classList.add('leaflet-zoom-hide');
    // the drawing is one image to a screen reader, named by the map's label (its panes had
    // read as seven unnamed images and every label run together); the tables give it all
    map.getPane('mapPane').setAttribute('aria-hidden', 'true');
    // Escape closes its tips, as content shown on hover must let itself be dismissed (WCAG
    // 1.4.13: one had stayed over the town names beside it); one listener a map, not one a
    // shape (the index draws its shapes again for every scenario picked)
    document.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape' && e.key !== 'Esc') { return; }
      map.eachLayer(function (layer) {
        if (layer instanceof L.Tooltip) { map.closeTooltip(layer); }
      });
    });
    if (opts.zoom !== false) {
      var zoom = L.control.zoom({position: 'topleft', zoomInTitle: 'Zoom in',
        zoomOutTitle: 'Zoom out'}).addTo(map);
      // Space presses a button, as Enter does (on Leaflet's links it scrolled the page)
      Array.prototype.forEach.call(zoom.getContainer().querySelectorAll('a'), function (a) {
        a.addEventListener('keydown', function (e) {
          if (e.key === ' ' || e.key === 'Spacebar') { e.preventDefault(); a.click(); }
        });
      });
    }
    this.locator = new Locator(map).addTo(map);
    this.credit = new Credit().addTo(map);
    // stacked above the credit, in its corner: in a corner of its own, a map narrower than
    // the credit plus the bar (1000-1160 px windows, 320 px phones) hid it under the credit
    L.control.scale({imperial: false, position: 'bottomright', maxWidth: 90}).addTo(map);
    if (PAGE.tiles === 'osm') {  // opt-in only: the default page makes no request
      L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {maxZoom: 12})
        .addTo(map);
    }
    var opacity = PAGE.tiles ? 0.5 : 1;
    this.opacity = opacity;
    L.geoJSON(BASE.neighbours, {
      pane: 'mdl-neighbours', interactive: false,
      style: {fillColor: PAGE.neighbour, fillOpacity: PAGE.tiles ? 0 : 1, color: '#9a958c', weight: 1,
              className: 'm-neighbour'}
    }).addTo(map);
    L.geoJSON(BASE.water, {
      pane: 'mdl-water', interactive: false,
      style: {fillColor: '#9cc3e0', fillOpacity: 1, color: '#3d7fb5', weight: 0.8,
              className: 'm-water'}
    }).addTo(map);
    L.geoJSON(BASE.oblasts, {
      pane: 'mdl-oblasts', interactive: false,
      style: {fill: false, color: '#3b3b3b', weight: 1.1, opacity: 0.9, className: 'm-oblast'}
    }).addTo(map);
    L.geoJSON(BASE.river, {
      pane: 'mdl-river', interactive: false,
      style: {color: '#2f75b0', weight: 2.2, opacity: 0.95, className: 'm-river'}
    }).addTo(map);
    BASE.towns.forEach(function (t) {
      L.circleMarker([t.lat, t.lon], {
        pane: 'mdl-towns', interactive: false, radius: 3, color: '#222', weight: 1.2,
        fillColor: '#fff', fillOpacity: 1, className: 'm-place'
      }).addTo(map);
    });
    this.layers = [];
    this.labels = window.mdlLabeller(map);
    this.statusLayer = null;
    this.baseline = -1;
    map.on('moveend', function () { self.locator.update(); });
    // opened on its frame at once where it is known (``opts.bounds``, null: all of Ukraine):
    // every layer is then projected and every label placed once, for the view that stays
    if ('bounds' in opts) { this.frame(opts.bounds); } else { map.fitBounds(BASE.ukraine); }
  }

  /* Take the scenario's layers off (before the map moves to the next one's frame: the
     layers on the map are projected again at every move). */
  MapView.prototype.clear = function () {
    var map = this.map;
    this.layers.forEach(function (l) { map.removeLayer(l); });
    this.layers = [];
  };

  MapView.prototype.setBaseline = function (i, tips) {
    var self = this;
    this.tips = tips;
    if (this.baseline === i) { return; }
    if (this.statusLayer) { this.map.removeLayer(this.statusLayer); }
    this.baseline = i;
    this.statusLayer = L.geoJSON(PAGE.baselines[i], {
      pane: 'mdl-status',
      style: function (f) {
        return {fillColor: PAGE.fills[f.properties.status] || '#999', fillOpacity: self.opacity,
                color: '#ffffff', weight: 0.6, opacity: 0.9, className: 'm-status'};
      },
      onEachFeature: function (f, layer) {
        if (!self.opts.tips) { return; }
        attachTip(self.map, layer, function () { return self.tips[f.properties.oblast] || ''; },
                  {className: 'm-tooltip'}, false);
      }
    }).addTo(this.map);
  };

  /* Draw a scenario: its changed land (hatched; coloured with the new status or not),
     recognition outlines, towns changing hands and labels. */
  MapView.prototype.show = function (s, coloured) {
    var map = this.map;
    this.clear();
    this.setBaseline(s.baseline, s.tips);
    var changed = L.geoJSON(s.changed, {
      pane: 'mdl-changed', interactive: false,
      style: function (f) {
        return {fillColor: coloured ? (PAGE.hatches[f.properties.status] || PAGE.hatch)
                                    : PAGE.hatch,
                fillOpacity: 1, color: '#111111', weight: 2.2, dashArray: '6 4', opacity: 1,
                className: 'm-changed'};
      }
    });
    this.layers.push(changed);
    if (coloured && s.recognised.features.length) {
      this.layers.push(L.geoJSON(s.recognised, {
        pane: 'mdl-changed', interactive: false,
        style: function (f) {
          var jure = f.properties.recognition === 'de_jure';
          return {fill: false, color: '#4a1486', weight: jure ? 3.5 : 3,
                  dashArray: jure ? null : '1 6', lineCap: 'round', opacity: 1,
                  className: 'm-recognition'};
        }
      }));
    }
    var labels = BASE.labels.slice();
    if (coloured) {  // smallest first, so a larger town's target lies on top where they meet
      s.towns.slice().reverse().forEach(function (t) {
        var dot = L.circleMarker([t[0], t[1]], {
          pane: 'mdl-towns', interactive: false, radius: t[2], color: '#111', weight: 1.5,
          fillColor: t[3], fillOpacity: 1, className: 'm-town'
        });
        // a touch-sized target (at least 24 px across) carrying the town's tip
        var hit = L.circleMarker([t[0], t[1]], {
          pane: 'mdl-towns', radius: Math.max(12, t[2] + 4), stroke: false,
          fillColor: '#000', fillOpacity: 0, className: 'm-town-hit'
        });
        attachTip(map, hit, function () { return t[4]; },
                  {direction: 'top', className: 'm-tooltip m-tooltip-town', offset: [0, -t[2]]},
                  true);
        this.layers.push(dot, hit);
      }, this);
      var named = {};
      s.labels.forEach(function (l) { named[l[2]] = true; });
      labels = labels.filter(function (l) { return !(l[3] === 'place' && named[l[2]]); })
        .concat(s.labels);
    }
    this.layers.forEach(function (l) { l.addTo(map); });
    this.credit.set(s.credit);
    this.labels.set(labels);
  };

  /* Open on the land that changes hands, with a margin; all of Ukraine if nothing does. */
  MapView.prototype.frame = function (bounds) {
    var size = this.map.getSize();
    var pad = Math.max(24, Math.round(Math.min(size.x, size.y) * 0.1));
    if (bounds) {
      this.map.fitBounds(bounds, {padding: [pad, pad], maxZoom: 10, animate: false});
    } else {
      this.map.fitBounds(BASE.ukraine, {padding: [8, 8], animate: false});
    }
  };

  /* A tip for a shape, opened by pointer or tap. Not Layer.bindTooltip: that adds focus
     listeners, which make every SVG shape a Tab stop in Chromium. */
  function attachTip(map, layer, content, opts, fixed) {
    var tip = L.tooltip(L.extend({opacity: 1}, opts));  // opaque: no map label shows through
    function open(e) {
      tip.setLatLng(fixed ? layer.getLatLng() : e.latlng).setContent(content());
      if (!map.hasLayer(tip)) { map.openTooltip(tip); }
      keepInside(map, tip);
    }
    layer.on('mouseover mousemove click', open);
    layer.on('mouseout', function () { map.closeTooltip(tip); });
  }

  /* A tip opened near the map's edge is moved back inside it (on a phone a 440 px tip
     at a tap by the left edge had lost its first column off screen), and above the
     controls at the map's foot (Leaflet draws them over its tips: on a phone the credit
     and the scale bar had hidden a tapped oblast's Ukraine row). */
  function keepInside(map, tip) {
    var el = tip.getElement();
    if (!el) { return; }
    el.style.marginLeft = '0px';
    el.style.marginTop = '0px';
    var box = el.getBoundingClientRect(), frame = map.getContainer().getBoundingClientRect();
    var pad = 4, dx = 0, dy = 0;
    if (box.left < frame.left + pad || box.width > frame.width - 2 * pad) {
      dx = frame.left + pad - box.left;
    } else if (box.right > frame.right - pad) {
      dx = frame.right - pad - box.right;
    }
    var foot = frame.bottom;  // the top of the foot's controls under the tip
    var under = map.getContainer().querySelectorAll('.leaflet-bottom .leaflet-control');
    for (var i = 0; i < under.length; i++) {
      var c = under[i].getBoundingClientRect();
      if (c.height && c.right > box.left + dx && c.left < box.right + dx) {
        foot = Math.min(foot, c.top);
      }
    }
    if (box.top < frame.top + pad) {
      dy = frame.top + pad - box.top;
    } else if (box.bottom > foot - pad) {  // (a tip taller than the room: its top shows)
      dy = Math.max(foot - pad - box.bottom, frame.top + pad - box.top);
    }
    el.style.marginLeft = dx + 'px';
    el.style.marginTop = dy + 'px';
  }

  /* ---- locator: Ukraine's outline with the map's current view ------------------------ */

  var Locator = L.Control.extend({
    options: {position: 'topright'},
    initialize: function (map) { this._target = map; },
    onAdd: function () {
      var div = L.DomUtil.create('div', 'm-locator');
      div.setAttribute('aria-hidden', 'true');
      var ring = [].concat.apply([], BASE.outline);
      var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      ring.forEach(function (p) {
        x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]);
        y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
      });
      this.box = [x0, y0, x1, y1];
      var w = (x1 - x0) * LAT0, h = y1 - y0;
      this.k = 100 / w;
      this.w = 100; this.h = Math.round(h * this.k);
      var ns = 'http://www.w3.org/2000/svg';
      var svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', '-2 -2 ' + (this.w + 4) + ' ' + (this.h + 4));
      svg.setAttribute('focusable', 'false');
      var self = this;
      BASE.outline.forEach(function (r) {
        var path = document.createElementNS(ns, 'path');
        path.setAttribute('d', 'M' + r.map(function (p) {
          var q = self.project(p[0], p[1]); return q[0].toFixed(1) + ',' + q[1].toFixed(1);
        }).join('L') + 'Z');
        path.setAttribute('class', 'm-locator-land');
        svg.appendChild(path);
      });
      this.rect = document.createElementNS(ns, 'rect');
      this.rect.setAttribute('class', 'm-locator-view');
      svg.appendChild(this.rect);
      div.appendChild(svg);
      return div;
    },
    project: function (lon, lat) {
      return [(lon - this.box[0]) * LAT0 * this.k, (this.box[3] - lat) * this.k];
    },
    update: function () {
      if (!this.rect) { return; }
      var b = this._target.getBounds();
      var a = this.project(b.getWest(), b.getNorth()), c = this.project(b.getEast(), b.getSouth());
      var x = Math.max(-2, a[0]), y = Math.max(-2, a[1]);
      var w = Math.min(this.w + 2, c[0]) - x, h = Math.min(this.h + 2, c[1]) - y;
      var whole = w >= this.w && h >= this.h;
      this.rect.setAttribute('x', x.toFixed(1)); this.rect.setAttribute('y', y.toFixed(1));
      this.rect.setAttribute('width', Math.max(3, w).toFixed(1));
      this.rect.setAttribute('height', Math.max(3, h).toFixed(1));
      this.rect.style.display = whole ? 'none' : '';
    }
  });

  /* ---- credit and date stamp drawn on the map ---------------------------------------- */

  var Credit = L.Control.extend({
    options: {position: 'bottomright'},
    onAdd: function () {
      this.div = L.DomUtil.create('div', 'm-credit');
      return this.div;
    },
    set: function (text) { if (this.div) { this.div.textContent = text; } }
  });

  /* ---- helpers shared by both pages ---------------------------------------------------- */

  function sync(a, b) {
    var busy = false;
    function follow(src, dst) {
      src.on('move', function () {
        if (busy) { return; }
        busy = true;
        dst.setView(src.getCenter(), src.getZoom(), {animate: false});
        busy = false;
      });
    }
    follow(a, b);
    follow(b, a);
  }

  function markScrollableTables() {
    Array.prototype.forEach.call(document.querySelectorAll('.table-scroll'), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle('is-scrollable', scrolls);
      // a Tab stop only where the keyboard must scroll it (every box had been one)
      if (scrolls) { box.setAttribute('tabindex', '0'); } else { box.removeAttribute('tabindex'); }
    });
    Array.prototype.forEach.call(document.querySelectorAll('.picker ul'), function (list) {
      list.classList.toggle('is-scrollable', list.scrollHeight > list.clientHeight + 1);
    });
  }

  /* Fit the maps to the paper: 'beforeprint' comes while the screen layout still holds
     (a map refitted then kept the screen's view, cut to the printed size); the print media
     query's change comes with the printed layout. Both, and 'afterprint', refit. */
  function onPrint(maps, refit) {
    function again() {
      maps.forEach(function (m) { m.map.invalidateSize({animate: false}); });
      refit();
      // the labels now, not on a timer: the page is printed before it fires
      maps.forEach(function (m) { m.labels.layout(); });
    }
    window.addEventListener('beforeprint', again);
    window.addEventListener('afterprint', again);
    var printing = window.matchMedia && window.matchMedia('print');
    if (printing && printing.addEventListener) { printing.addEventListener('change', again); }
  }

  /* print what is folded away too (how the proposal is read, every oblast's figures), and
     fold it again afterwards */
  var unfolded = [];
  window.addEventListener('beforeprint', function () {
    unfolded = Array.prototype.filter.call(document.querySelectorAll('details:not([open])'),
      function (d) { return !d.closest('.embed'); });
    unfolded.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    unfolded.forEach(function (d) { d.open = false; });
    unfolded = [];
  });

  window.addEventListener('resize', markScrollableTables);
  markScrollableTables();

  /* The map column stays in view beside the figures (CSS: sticky); one taller than the
     window scrolls with the page until its foot is in view, then stays there (its summary,
     or the foot of the map under warnings, had stayed out of sight on a laptop). */
  function fitStickyColumn() {
    var col = document.querySelector('.layout > .mapcol');
    if (!col) { return; }
    var gap = 8, tall = col.getBoundingClientRect().height;
    col.style.top = Math.min(gap, window.innerHeight - tall - gap) + 'px';
  }
  window.addEventListener('resize', fitStickyColumn);
  window.addEventListener('load', fitStickyColumn);
  fitStickyColumn();

  /* ---- a scenario page ------------------------------------------------------------------ */

  /* The legend says what the map shows: the figures held after the scenario, or on the
     baseline (and who the hatch's fill is), as the view switch is set. */
  function legendFor(after) {
    var title = document.getElementById('legend-title');
    if (title) { title.textContent = after ? 'Legend: held after the scenario' : 'Legend: held on the baseline'; }
    Array.prototype.forEach.call(document.querySelectorAll('.legend li[data-base-km2]'), function (li) {
      li.querySelector('.lg-km2').textContent = li.getAttribute(after ? 'data-km2' : 'data-base-km2');
      var pct = li.querySelector('.lg-pct');
      if (pct) { pct.textContent = li.getAttribute(after ? 'data-pct' : 'data-base-pct'); }
    });
    Array.prototype.forEach.call(document.querySelectorAll('.legend li[data-base-label]'), function (li) {
      li.querySelector('.lg-label').textContent = li.getAttribute(after ? 'data-label' : 'data-base-label');
    });
    Array.prototype.forEach.call(document.querySelectorAll('.legend li.lg-town'), function (li) {
      li.style.display = after ? '' : 'none';  // the baseline view draws no towns
    });
  }

  var mapEl = document.getElementById('mdl-map');
  if (mapEl) {
    var s = PAGE.scenarios[0];
    var m = new MapView(mapEl, {tips: true, bounds: s.bounds});
    m.show(s, true);  // (its labels placed for the frame: ``show`` lays them out)
    Array.prototype.forEach.call(document.querySelectorAll('input[name="mdl-view"]'),
      function (input) {
        input.addEventListener('change', function () {
          var shown = input.value === 'after';
          m.show(s, shown);
          document.getElementById('mdl-map-state').textContent =
            shown ? 'after the scenario' : 'baseline';
          legendFor(shown);
        });
      });
    onPrint([m], function () { m.frame(s.bounds); });
    window.mdlMaps = [m.map];
  }

  /* ---- the index: baseline and scenario side by side, a picker, the URL hash ------------ */

  var before = document.getElementById('mdl-map-before');
  var after = document.getElementById('mdl-map-after');
  if (before && after) {
    var left = new MapView(before, {keyboard: false, zoom: false, tips: true});
    var right = new MapView(after, {tips: true});
    sync(left.map, right.map);
    var ids = PAGE.scenarios.map(function (x) { return x.id; });
    var current = -1;
    var select = function (i) {
      if (i === current || i < 0) { return; }
      current = i;
      var sc = PAGE.scenarios[i];
      // framed first, then drawn: each layer projected, each map's labels placed, once
      left.clear();
      right.clear();
      right.frame(sc.bounds);  // (the left map follows: ``sync``)
      left.show(sc, false);
      right.show(sc, true);
      var radio = document.getElementById('mdl-pick-' + i);
      if (radio) { radio.checked = true; }
      Array.prototype.forEach.call(document.querySelectorAll('[data-scenario]'), function (el) {
        el.hidden = el.getAttribute('data-scenario') !== sc.id;
      });
      Array.prototype.forEach.call(document.querySelectorAll('.picker li'), function (li) {
        var on = li.getAttribute('data-id') === sc.id;
        li.classList.toggle('is-current', on);
        if (on) {  // keep the current scenario in sight inside the list (not the page)
          var ul = li.parentNode, a = li.getBoundingClientRect(), b = ul.getBoundingClientRect();
          if (a.top < b.top || a.bottom > b.bottom) { ul.scrollTop += a.top - b.top - 4; }
        }
      });
      document.getElementById('mdl-after-caption').textContent = sc.title;
      document.getElementById('mdl-before-caption').textContent =
        document.querySelector('[data-baseline-caption="' + i + '"]').textContent;
      markScrollableTables();
    };
    var fromHash = function () {
      if (!ids.length) { return; }
      var id = location.hash.replace(/^#/, '');
      try { id = decodeURIComponent(id); } catch (e) { /* a malformed hash picks nothing */ }
      var i = ids.indexOf(id);
      // no hash (back to the page as first opened): the first scenario, as then; an
      // unknown one keeps what is shown
      select(i >= 0 ? i : (id === '' || current < 0 ? 0 : current));
    };
    Array.prototype.forEach.call(document.querySelectorAll('input[name="mdl-pick"]'),
      function (input) {
        input.addEventListener('change', function () {
          if (!input.checked) { return; }
          var id = input.value;
          if (location.hash !== '#' + id) {
            history.pushState(null, '', '#' + encodeURIComponent(id));
          }
          select(ids.indexOf(id));
        });
      });
    window.addEventListener('hashchange', fromHash);
    window.addEventListener('popstate', fromHash);
    fromHash();
    onPrint([left, right], function () { right.frame(PAGE.scenarios[current].bounds); });
    window.mdlMaps = [left.map, right.map];
  }
}());
