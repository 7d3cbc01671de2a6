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
    var self = this, timer = null;
    this.schedule = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.layout(); }, 0);
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
              w: 0, h: 0};
    });
    this.items.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
    this.layout();
  };

  function overlaps(a, b, pad) {
    return a[0] < b[2] + pad && a[2] > b[0] - pad && a[1] < b[3] + pad && a[3] > b[1] - pad;
  }

  var DIRECTIONS = [[0, -1], [0, 1], [1, 0], [-1, 0], [1, -1], [-1, -1], [1, 1], [-1, 1]];

  /* A thin line from an area's anchor to its displaced label box. */
  function leader(it, p, box, map) {
    var qx = Math.max(box[0], Math.min(p.x, box[2])), qy = Math.max(box[1], Math.min(p.y, box[3]));
    var dx = qx - p.x, dy = qy - p.y, len = Math.sqrt(dx * dx + dy * dy);
    if (!it.leader) {
      it.leader = document.createElement('span');
      it.leader.className = 'm-leader';
      it.el.parentNode.insertBefore(it.leader, it.el);
    }
    var lp = map.containerPointToLayerPoint([p.x, p.y]);
    it.leader.style.display = '';
    it.leader.style.width = len.toFixed(1) + 'px';
    it.leader.style.transform = 'translate(' + lp.x.toFixed(1) + 'px,' + lp.y.toFixed(1) +
      'px) rotate(' + Math.atan2(dy, dx).toFixed(4) + 'rad)';
  }

  /* The free box nearest to point p (within 260 px), scanning a 10 px grid. */
  function nearestFree(p, w, h, size, free) {
    var best = null, bestD = 260 * 260;
    for (var y = 2; y + h <= size.y - 2; y += 10) {
      for (var x = 2; x + w <= size.x - 2; x += 10) {
        var dx = Math.max(x - p.x, 0, p.x - x - w), dy = Math.max(y - p.y, 0, p.y - y - h);
        var d = dx * dx + dy * dy;
        if (d < bestD && free([x, y, x + w, y + h])) { best = [x, y, x + w, y + h]; bestD = d; }
      }
    }
    return best;
  }

  Labeller.prototype.layout = function () {
    var map = this.map, size = map.getSize();
    if (!size.x || !size.y) { return; }
    var zoom = map.getZoom(), placed = [], markers = [];
    var origin = map.getContainer().getBoundingClientRect();
    var controls = Array.prototype.map.call(
      map.getContainer().querySelectorAll('.leaflet-control'), function (c) {
        var b = c.getBoundingClientRect();
        return [b.left - origin.left, b.top - origin.top, b.right - origin.left,
                b.bottom - origin.top];
      });
    this.items.forEach(function (it) {
      if (!it.w) { it.w = it.el.offsetWidth; it.h = it.el.offsetHeight; }
      it.p = map.latLngToContainerPoint([it.lat, it.lon]);
      if (it.r) {
        markers.push([it.p.x - it.r, it.p.y - it.r, it.p.x + it.r, it.p.y + it.r, it]);
      }
    });
    this.items.forEach(function (it) {
      var el = it.el, p = it.p, w = it.w, h = it.h, r = it.r;
      var hide = p.x < -w || p.y < -h || p.x > size.x + w || p.y > size.y + h ||
        (it.kind.indexOf('small-unit') >= 0 && zoom < 7.75);
      var spots = r ? [
        [r + 3, -h / 2], [-w - r - 3, -h / 2], [-w / 2, -h - r - 1], [-w / 2, r + 1],
        [r + 1, -h - r / 2], [r + 1, r / 2], [-w - r - 1, -h - r / 2], [-w - r - 1, r / 2]
      ] : [
        [-w / 2, -h / 2], [-w / 2, -h * 1.5], [-w / 2, h / 2], [-w * 0.15, -h / 2],
        [-w * 0.85, -h / 2]
      ];
      if (it.kind === 'area' || it.kind === 'town') {  // further out, with a leader line
        [1, 2, 3, 4, 5, 6].forEach(function (k) {
          DIRECTIONS.forEach(function (d) {
            spots.push([-w / 2 + d[0] * (w / 2 + 30 * k), -h / 2 + d[1] * (h / 2 + 22 * k)]);
          });
        });
      }
      // avoid labels already placed, the map's controls, and the markers of towns at least
      // as important as this label (a town's name may cover a lesser town's dot)
      var free = function (box) {
        if (box[0] < 2 || box[1] < 2 || box[2] > size.x - 2 || box[3] > size.y - 2) {
          return false;
        }
        return !(placed.some(function (b) { return overlaps(box, b, 2); }) ||
          controls.some(function (b) { return overlaps(box, b, 3); }) ||
          markers.some(function (m) {
            return m[4] !== it && m[4].rank <= it.rank && overlaps(box, m, 0);
          }));
      };
      var chosen = null, i;
      for (i = 0; !hide && i < spots.length; i++) {
        var x = p.x + spots[i][0], y = p.y + spots[i][1];
        if (free([x, y, x + w, y + h])) { chosen = [x, y, x + w, y + h]; break; }
      }
      if (!chosen && !hide && (it.kind === 'area' || it.kind === 'town')) {
        chosen = nearestFree(p, w, h, size, free);  // anywhere near, with a leader line
        i = spots.length;
      }
      if (it.leader) { it.leader.style.display = 'none'; }
      if (chosen && i > 8 && (it.kind === 'area' || it.kind === 'town') &&
          !(chosen[0] <= p.x && p.x <= chosen[2] && chosen[1] <= p.y && p.y <= chosen[3])) {
        leader(it, p, chosen, map);
      }
      if (chosen) {
        placed.push(chosen);
        var lp = map.containerPointToLayerPoint([chosen[0], chosen[1]]);
        L.DomUtil.setPosition(el, lp);
        el.style.visibility = '';
        el.classList.remove('m-hidden');
      } else {
        el.style.visibility = 'hidden';
        el.classList.add('m-hidden');
      }
    });
  };

  window.mdlLabeller = function (map) { return new Labeller(map); };
}());
