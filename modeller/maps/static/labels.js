/* modeller map pages: map labels placed by priority without collisions (towns changing
   hands first, then the changed areas' figures, orientation towns, the Dnipro, oblasts,
   countries). Exposes window.mdlLabeller(map); maps.js uses it. Text is set with
   textContent. */
(function () {
  'use strict';
  if (!window.L) { return; }

  function Labeller(map) {
    this.map = map;
    this.pane = map.getPane('mdl-labels');
    this.items = [];
    var self = this;
    this.timer = null;
    this.schedule = function () {
      clearTimeout(self.timer);
      self.timer = setTimeout(function () { self.layout(); }, 0);
    };
    map.on('zoomend moveend resize', this.schedule);
  }

  Labeller.prototype.set = function (labels) {
    var pane = this.pane;
    while (pane.firstChild) { pane.removeChild(pane.firstChild); }
    this.items = labels.map(function (l, i) {
      var el = document.createElement('span');
      el.className = 'm-label m-' + l[3].split(' ').join(' m-');
      var main = document.createElement('span');
      main.className = 'm-label-text';
      main.textContent = l[2];
      el.appendChild(main);
      if (l[5]) {  // figures: 'km²|people', one line on wide maps, two on narrow ones
        var sub = document.createElement('span');
        sub.className = 'm-label-sub';
        l[5].split('|').forEach(function (part, k) {
          var span = document.createElement('span');
          span.className = 'm-label-part';
          span.textContent = part;
          sub.appendChild(span);
        });
        el.appendChild(sub);
      }
      pane.appendChild(el);
      return {lat: l[0], lon: l[1], kind: l[3], rank: l[4], r: l[6] || 0, el: el, order: i,
              w: 0, h: 0, spare: l[7] || [], weight: l[8] || 1};
    });
    this.items.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
    this.items.forEach(function (it, k) { it.seq = k; });  // (the order labels are placed in)
    this.layout();
  };

  function overlaps(a, b, pad) {
    return a[0] < b[2] + pad && a[2] > b[0] - pad && a[1] < b[3] + pad && a[3] > b[1] - pad;
  }

  /* From point (x, y) to the nearest point of a box (0 inside). */
  function distance(box, x, y) {
    var dx = Math.max(box[0] - x, 0, x - box[2]), dy = Math.max(box[1] - y, 0, y - box[3]);
    return Math.sqrt(dx * dx + dy * dy);
  }

  /* Whether segment a-b enters the box (Liang-Barsky). */
  function crosses(box, a, b) {
    var dx = b[0] - a[0], dy = b[1] - a[1], lo = 0, hi = 1;
    var ps = [-dx, dx, -dy, dy], qs = [a[0] - box[0], box[2] - a[0], a[1] - box[1], box[3] - a[1]];
    for (var k = 0; k < 4; k++) {
      if (ps[k] === 0) { if (qs[k] < 0) { return false; } continue; }
      var t = qs[k] / ps[k];
      if (ps[k] < 0) { lo = Math.max(lo, t); } else { hi = Math.min(hi, t); }
      if (lo > hi) { return false; }
    }
    return true;
  }

  function side(p, q, r) { return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]); }

  /* Whether segments a-b and c-d cross. */
  function cross(a, b, c, d) {
    return side(c, d, a) * side(c, d, b) <= 0 && side(a, b, c) * side(a, b, d) <= 0;
  }

  // Directions (screen: y grows down) and distances (px beyond the anchor's clearance) of
  // the spots further out, joined to their anchor by a leader line: sideways first.
  var DIRECTIONS = [0, 180, 90, 270, 45, 135, 315, 225, 22.5, 157.5, 337.5, 202.5, 67.5,
    112.5, 292.5, 247.5].map(function (a) {
    var t = a * Math.PI / 180;
    return [Math.cos(t), Math.sin(t)];
  });
  var GAPS = {area: [14, 30, 50, 75, 105, 140, 180], town: [10, 22, 36, 55, 80]};
  // px wide: on a map this wide an area's callout keeps off the orientation towns' dots
  // (a scenario page's at 1440 px, 740 px; the index's two side by side, 520 px, had their
  // callouts pushed out on long leaders across the land)
  var ROOMY_MAP = 640;
  var SMALL_MAP = 480;  // px wide: a map this narrow gives its areas' figures without range
  var AMBIGUOUS = 1.2;  // a name is another dot's too unless that dot is this much further
  // a leader at most this share of the map's shorter side: a callout further out reads as
  // the land under it (a phone's 'Luhansk: to Russia' had sat over Crimea, 170 px away)
  var LEADER_SHARE = 0.3;

  /* A thin line from an anchor (or a marker's rim) to its label box. */
  function leader(it, a, b, map) {
    var dx = b[0] - a[0], dy = b[1] - a[1], len = Math.sqrt(dx * dx + dy * dy);
    if (!it.leader) {
      it.leader = document.createElement('span');
      it.leader.className = 'm-leader' + (it.r ? ' m-leader-town' : '');
      it.el.parentNode.insertBefore(it.leader, it.el);
    }
    var lp = map.containerPointToLayerPoint([a[0], a[1]]);
    it.leader.setAttribute('data-line', [a[0], a[1], b[0], b[1]].map(function (v) {
      return v.toFixed(1);
    }).join(','));  // container pixels: for tests and tools
    it.leader.style.display = '';
    it.leader.style.width = len.toFixed(1) + 'px';
    it.leader.style.transform = 'translate(' + lp.x.toFixed(1) + 'px,' + lp.y.toFixed(1) +
      'px) rotate(' + Math.atan2(dy, dx).toFixed(4) + 'rad)';
  }

  /* The first index of ascending ``values`` whose value plus ``add`` is above ``t`` (with
     ``or``, at ``t`` or above), else values.length: a binary search. */
  function first(values, add, t, or) {
    var lo = 0, hi = values.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1, v = values[mid] + add;
      if (v > t || (or && v === t)) { hi = mid; } else { lo = mid + 1; }
    }
    return lo;
  }

  function extent(a, b) {  // a segment's box
    return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]),
            Math.max(a[1], b[1])];
  }

  /* Whether segment l comes within a pixel of box b: if not, it does not cross it. */
  function near(b, l) {
    return Math.min(l[0][0], l[1][0]) - 1 <= b[2] && Math.max(l[0][0], l[1][0]) + 1 >= b[0] &&
      Math.min(l[0][1], l[1][1]) - 1 <= b[3] && Math.max(l[0][1], l[1][1]) + 1 >= b[1];
  }

  /* The free box nearest to point p (within 260 px), scanning a 10 px grid around it: one
     that overlaps none of ``walls`` (boxes), crosses none of ``lines`` (segments) and
     ``fits``: the box testing each spot in turn would find. The spots the walls cover are
     found wall by wall, and only the lines near the spots are tried: a label that found no
     room had tested each of ~3,000 spots against every label and leader placed (a page of
     90 zones had taken 8 s to open). */
  function nearestFree(p, w, h, size, walls, lines, fits) {
    var best = null, bestD = 260 * 260, xs = [], ys = [], x, y, i, j;
    var y0 = Math.max(2, p.y - h - 260), y1 = Math.min(size.y - 2 - h, p.y + 260);
    var x0 = Math.max(2, p.x - w - 260), x1 = Math.min(size.x - 2 - w, p.x + 260);
    for (y = y0; y <= y1; y += 10) { ys.push(y); }  // (stepped by adding, as they always were)
    for (x = x0; x <= x1; x += 10) { xs.push(x); }
    if (!xs.length || !ys.length) { return null; }
    var nx = xs.length, covered = new Uint8Array(nx * ys.length);  // (1: a wall's)
    var spots = [xs[0], ys[0], xs[nx - 1] + w, ys[ys.length - 1] + h];
    lines = lines.filter(function (l) { return near(spots, l); });
    walls.forEach(function (b) {  // the spots [x, y, x + w, y + h] overlapping b
      if (!overlaps(spots, b, 0)) { return; }  // (none: the test below would find none)
      var i0 = first(xs, w, b[0]), i1 = first(xs, 0, b[2], true);  // x + w > b0, x < b2
      var j0 = first(ys, h, b[1]), j1 = first(ys, 0, b[3], true);
      for (var k = j0; i0 < i1 && k < j1; k++) { covered.fill(1, k * nx + i0, k * nx + i1); }
    });
    for (j = 0; j < ys.length; j++) {
      y = ys[j];
      for (i = 0; i < nx; i++) {
        if (covered[j * nx + i]) { continue; }
        x = xs[i];
        var dx = Math.max(x - p.x, 0, p.x - x - w), dy = Math.max(y - p.y, 0, p.y - y - h);
        var d = dx * dx + dy * dy, box = [x, y, x + w, y + h];
        if (d < bestD && fits(box) &&  // (most spots left fail ``fits``: asked first)
            !lines.some(function (l) { return crosses(box, l[0], l[1]); })) {
          best = box;
          bestD = d;
        }
      }
    }
    return best;
  }

  Labeller.prototype.layout = function () {
    clearTimeout(this.timer);  // (a layout asked for before this one would repeat it)
    this.timer = null;
    var map = this.map, size = map.getSize();
    if (!size.x || !size.y) { return; }
    var zoom = map.getZoom(), placed = [], markers = [], leaders = [], pins = [];
    var origin = map.getContainer().getBoundingClientRect();
    var controls = Array.prototype.map.call(
      map.getContainer().querySelectorAll('.leaflet-control'), function (c) {
        var b = c.getBoundingClientRect();
        return [b.left - origin.left, b.top - origin.top, b.right - origin.left,
                b.bottom - origin.top];
      });
    // sizes as drawn now (fractional; the CSS differs by width, so a turned phone or a
    // resized window changes them): every label in its usual form, read before any write
    this.items.forEach(function (it) { it.el.classList.remove('m-stacked', 'm-compact'); });
    var inView = function (q) { return q.x >= 0 && q.y >= 0 && q.x <= size.x && q.y <= size.y; };
    this.items.forEach(function (it) {
      var drawn = it.el.getBoundingClientRect();
      it.w = drawn.width;
      it.h = drawn.height;
      it.p = map.latLngToContainerPoint([it.lat, it.lon]);
      // a leader starts where the reader sees it: spare anchors off the map are dropped
      it.anchors = [[it.p.x, it.p.y]].concat(it.spare.map(function (s) {
        return map.latLngToContainerPoint(s);
      }).filter(inView).map(function (q) { return [q.x, q.y]; }));
      if (it.r) {
        markers.push([it.p.x - it.r, it.p.y - it.r, it.p.x + it.r, it.p.y + it.r, it]);
      }
      if (it.kind === 'area') {  // where an area's leader would start: kept uncovered
        pins.push([it.p.x - 5, it.p.y - 5, it.p.x + 5, it.p.y + 5, it]);
      }
    });
    // and each area's narrower forms, read for all areas at once: figures one to a line
    // (``m-stacked``), and without their range too (``m-compact``); read one area at a time
    // as each was tried, each read had laid out the page again
    var areas = this.items.filter(function (it) { return it.kind === 'area'; });
    var measure = function (cls, key) {
      areas.forEach(function (it) { it.el.classList.add(cls); });
      areas.forEach(function (it) {
        var drawn = it.el.getBoundingClientRect();
        it[key] = {width: drawn.width, height: drawn.height};
      });
    };
    measure('m-stacked', 'stacked');
    measure('m-compact', 'brief');
    areas.forEach(function (it) { it.el.classList.remove('m-stacked', 'm-compact'); });
    // every label in ``order`` (``compact``: every area's without its range from the
    // start); returns the km² of the areas left without their figures
    var run = function (order, compact) {
      placed.length = 0;
      leaders.length = 0;
      order.forEach(function (it, k) { it.seq = k; });
      var missed = 0;
      order.forEach(function (it) {
        if (compact && it.kind === 'area') {
          it.el.classList.add('m-stacked', 'm-compact');
          var small = it.brief;
          if (!place(it, small.width, small.height, false) &&
              !place(it, small.width, small.height, true)) {
            it.el.classList.remove('m-stacked', 'm-compact');
            if (inView(it.p)) { missed += it.weight; }
          }
          return;
        }
        var shown = place(it, it.w, it.h, false);
        if (!shown && it.kind === 'area') {  // again with its figures one to a line: narrower
          it.el.classList.add('m-stacked');
          var stacked = it.stacked;
          var narrower = stacked.width < it.w - 0.5;  // (on a phone it is stacked already)
          // and at last with a leader that may pass over a town's dot (never its name): an
          // area's figures are what the map is for
          shown = (narrower && place(it, stacked.width, stacked.height, false)) ||
            place(it, stacked.width, stacked.height, true);
          if (!shown) {  // and without its range (its popup and the tables give it): on a
            // phone the 4-line figures of 20,000 km² areas had found no room, a 153 km² one had
            it.el.classList.add('m-compact');
            var brief = it.brief;  // (not ``compact``: a var of that
            // name here hid run's argument, so no run had ever begun with compact areas)
            shown = brief.height < stacked.height - 0.5 &&
              (place(it, brief.width, brief.height, false) ||
               place(it, brief.width, brief.height, true));
          }
          if (!shown) {
            it.el.classList.remove('m-stacked', 'm-compact');
            if (inView(it.p)) { missed += it.weight; }  // (one out of view is not missed)
          }
        } else if (!shown) {
          it.el.classList.remove('m-stacked', 'm-compact');
        }
      });
      return missed;
    };
    // towns changing hands are named first; but where that leaves an area without its
    // figures (a 11,800 km² callout hidden on a 1024 px index while a 153 km² one showed),
    // the areas go first, largest first, if that leaves less land unexplained; and then,
    // if still some is, every area's figures without their range (a phone's index had
    // left 19,200 km² unlabelled). On a small map (a phone's, or the index's two side by
    // side on a laptop) the areas' figures go without their range from the start: five
    // callouts in full had covered 40 % of the index's after-map at 390 px (the range is
    // in their popups and the tables); in full only where that leaves less unexplained.
    var items = this.items, reset = function () {
      items.forEach(function (it) { it.el.classList.remove('m-stacked', 'm-compact'); });
    };
    var isArea = function (it) { return it.kind === 'area'; };
    var areasFirst = items.filter(isArea).concat(
      items.filter(function (it) { return !isArea(it); }));
    var tries = size.x < SMALL_MAP ?
      [[items, true], [areasFirst, true], [items, false], [areasFirst, false]] :
      [[items, false], [areasFirst, false], [areasFirst, true]];
    // what a run left on the page, to go back to without running it again: each label's
    // classes, and where it and its leader are drawn if they are
    var left = function () {
      return items.map(function (it) {
        var l = it.leader, shown = it.el.style.visibility !== 'hidden';
        return {it: it, seq: it.seq, cls: it.el.className, shown: shown,
                at: shown ? L.DomUtil.getPosition(it.el) : null,
                leader: l && l.style.display !== 'none' ? {line: l.getAttribute('data-line'),
                  width: l.style.width, transform: l.style.transform} : null};
      });
    };
    var restore = function (state) {  // (a label or leader not shown stays where it is)
      state.forEach(function (s) {
        var it = s.it, l = it.leader;
        it.seq = s.seq;
        it.el.className = s.cls;
        it.el.style.visibility = s.shown ? '' : 'hidden';
        if (s.shown) { L.DomUtil.setPosition(it.el, s.at); }
        if (l && !s.leader) { l.style.display = 'none'; }
        if (s.leader) {
          l.style.display = '';
          l.setAttribute('data-line', s.leader.line);
          l.style.width = s.leader.width;
          l.style.transform = s.leader.transform;
        }
      });
    };
    var best = null, last = null;
    for (var t = 0; t < tries.length && !(best && best.missed === 0); t++) {
      reset();
      last = {missed: run(tries[t][0], tries[t][1])};
      if (!best || last.missed < best.missed) {
        best = last;
        best.state = t + 1 < tries.length ? left() : null;  // (the last try is left as it is)
      }
    }
    if (best !== last) { restore(best.state); }  // the best of them

    function place(it, w, h, relaxed) {
      var el = it.el, p = it.p, r = it.r;
      el.setAttribute('data-anchor', p.x.toFixed(1) + ',' + p.y.toFixed(1));  // (for tests)
      var hide = p.x < -w || p.y < -h || p.x > size.x + w || p.y > size.y + h ||
        (it.kind.indexOf('small-unit') >= 0 && zoom < 7.75);
      // a town whose dot a more important label covers goes unnamed (its name would sit
      // beside another label's box, not beside a dot)
      var dot = r ? [p.x - r, p.y - r, p.x + r, p.y + r] : null;
      if (dot && placed.some(function (b) { return overlaps(dot, b, 0); })) { hide = true; }
      // markers this label keeps clear of: those of towns placed before it, and the largest
      var before = markers.filter(function (m) {
        return m[4] !== it && (m[4].seq <= it.seq || m[4].kind === 'town');
      });
      // an area smaller on screen than its box (its km² at this zoom, Web Mercator's
      // metres a pixel): a box on its point would hide all of it (the 153 km² Sumy pocket
      // under its own callout), so its box goes above or below it, or out with a leader
      // (``relaxed``, where nothing else fits: on it, as before)
      var mpp = 40075016.686 * Math.cos(it.lat * Math.PI / 180) / (256 * Math.pow(2, zoom));
      var tiny = !relaxed && it.kind === 'area' && it.weight * 1e6 / (mpp * mpp) < w * h;
      var spots = (r ? [
        [r + 3, -h / 2], [-w - r - 3, -h / 2], [-w / 2, -h - r - 1], [-w / 2, r + 1],
        [r + 1, -h - r / 2], [r + 1, r / 2], [-w - r - 1, -h - r / 2], [-w - r - 1, r / 2]
      ] : tiny ? [
        [-w / 2, -h * 1.5], [-w / 2, h / 2]
      ] : [
        [-w / 2, -h / 2], [-w / 2, -h * 1.5], [-w / 2, h / 2], [-w * 0.15, -h / 2],
        [-w * 0.85, -h / 2]
      ]).map(function (s) { return [p.x + s[0], p.y + s[1], null]; });
      var near = spots.length;
      (GAPS[it.kind] ? it.anchors : []).forEach(function (a) {  // further out, with a leader
        GAPS[it.kind].forEach(function (gap) {
          DIRECTIONS.forEach(function (d) {
            var reach = Math.min(d[0] ? w / 2 / Math.abs(d[0]) : Infinity,
                                 d[1] ? h / 2 / Math.abs(d[1]) : Infinity);
            var k = reach + r + 3 + gap;
            spots.push([a[0] + d[0] * k - w / 2, a[1] + d[1] * k - h / 2, a]);
          });
        });
      });
      // clear of labels already placed (by 2 px), the map's controls (3 px), the markers of
      // towns at least as important and the anchors of other areas' labels; an area's box,
      // on a map with room, of the orientation towns' dots too (2 px) unless ``relaxed``
      // (Kharkiv's dot had sat under the 'Kharkiv: to Ukraine' box, and so went unnamed):
      // those boxes grown by their margins are the walls, and a free box overlaps none
      var walls = [], wall = function (d) {
        return function (b) { walls.push([b[0] - d, b[1] - d, b[2] + d, b[3] + d]); };
      };
      if (it.kind === 'area' && !relaxed && size.x >= ROOMY_MAP) {
        markers.filter(function (m) { return m[4].kind === 'place'; }).forEach(wall(2));
      }
      placed.forEach(wall(2));
      controls.forEach(wall(3));
      before.forEach(wall(0));
      pins.filter(function (m) { return m[4] !== it; }).forEach(wall(0));
      var inside = function (box) {  // the map's edges
        return !(box[0] < 2 || box[1] < 2 || box[2] > size.x - 2 || box[3] > size.y - 2);
      };
      var free = function (box) {  // (and crossing no leader)
        return inside(box) && !walls.some(function (b) { return overlaps(box, b, 0); }) &&
          !leaders.some(function (l) { return crosses(box, l[0], l[1]); });
      };
      // beside its own dot, clearly nearer it than any other town's
      var own = function (box) {
        var d = distance(box, p.x, p.y) * AMBIGUOUS + 1;
        return !markers.some(function (m) {
          return m[4] !== it && distance(box, (m[0] + m[2]) / 2, (m[1] + m[3]) / 2) < d;
        });
      };
      // a leader from an anchor (a marker's rim) to the box's nearest point, crossing no
      // label, control, other leader or marker of a town at least as important (but for
      // those its own marker touches: it could not start otherwise)
      // (``by``: those, ordered as ``nearFirst`` orders them)
      var line = function (box, a, by) {
        var q = [Math.max(box[0], Math.min(a[0], box[2])), Math.max(box[1], Math.min(a[1], box[3]))];
        var dx = q[0] - a[0], dy = q[1] - a[1], len = Math.sqrt(dx * dx + dy * dy) || 1;
        if (len > LEADER_SHARE * Math.min(size.x, size.y)) { return null; }
        var s = [a[0] + dx * Math.min(1, r / len), a[1] + dy * Math.min(1, r / len)];
        // through no label, a town's name included (an area's leader run through two town
        // names, where nothing else fit, had read as joining them); past a town's dot only
        // where nothing else fits (``relaxed``: Kherson's 19,200 km² on a phone's 1991 map)
        var blocked = function (b) { return crosses(b, s, q); };
        var past = function (b) { return (!relaxed || b.area) && crosses(b, s, q); };
        by = by || stops;
        if (by.placed.some(blocked) || controls.some(function (b) { return crosses(b, s, q); }) ||
            by.markers.some(past) ||
            by.leaders.some(function (l) { return cross(s, q, l[0], l[1]); })) {
          return null;
        }
        return [s, q];
      };
      var stops = {placed: placed, leaders: leaders, markers: before.filter(function (m) {
        return !(dot && overlaps(dot, m, 0));
      })};
      // the same, nearest anchor ``a`` first: a leader from it is mostly stopped by what is
      // near it, and a label that finds no room near it asks of thousands of leaders
      var nearFirst = function (a) {
        var sorted = function (list, box) {
          return list.map(function (x) { return [distance(box(x), a[0], a[1]), x]; })
            .sort(function (u, v) { return u[0] - v[0]; })
            .map(function (u) { return u[1]; });
        };
        var itself = function (b) { return b; };
        return {placed: sorted(placed, itself), markers: sorted(stops.markers, itself),
                leaders: sorted(leaders, function (l) { return extent(l[0], l[1]); })};
      };
      // a town's name off every other town's dot where it can be (a name over a smaller
      // town's dot had read as naming it: 'Simferopol' on a phone's 1991 map); over one
      // whose name goes after it only where nothing else fits
      var dots = r ? markers.filter(function (m) {
        return m[4] !== it && !(dot && overlaps(dot, m, 0));
      }) : [];
      var clear = function (box) {
        return !dots.some(function (m) { return overlaps(box, m, -1); });
      };
      var chosen = null, joined = null, i, pass;
      for (pass = dots.length ? 0 : 1; !chosen && pass < 2; pass++) {
        for (i = 0; !hide && i < spots.length; i++) {
          var box = [spots[i][0], spots[i][1], spots[i][0] + w, spots[i][1] + h];
          if (!free(box) || (!pass && !clear(box))) { continue; }
          if (i < near) {
            if (r && !own(box)) { continue; }
            chosen = box;
            break;
          }
          joined = line(box, spots[i][2]);
          if (joined) { chosen = box; break; }
        }
      }
      for (i = 0; !chosen && !hide && GAPS[it.kind] && i < it.anchors.length; i++) {
        var a = it.anchors[i], by = nearFirst(a);  // anywhere near, with a leader line
        chosen = nearestFree({x: a[0], y: a[1]}, w, h, size, dot ? walls.concat([dot]) : walls,
          leaders, function (b) { return inside(b) && line(b, a, by); });  // (nor on its dot)
        joined = chosen && line(chosen, a);
      }
      if (it.leader) { it.leader.style.display = 'none'; }
      if (chosen && joined && distance(chosen, joined[0][0], joined[0][1]) > 0.5) {
        leader(it, joined[0], joined[1], map);
        leaders.push(joined);
      }
      if (chosen) {
        chosen.area = it.kind === 'area';
        placed.push(chosen);
        var lp = map.containerPointToLayerPoint([chosen[0], chosen[1]]);
        L.DomUtil.setPosition(el, lp);
        el.style.visibility = '';
        el.classList.remove('m-hidden');
      } else {
        el.style.visibility = 'hidden';
        el.classList.add('m-hidden');
      }
      return !!chosen;
    }
  };

  window.mdlLabeller = function (map) { return new Labeller(map); };
}());
