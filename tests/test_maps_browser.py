"""The generated site in a real headless Chromium, opened from disk with all network blocked,
at a desktop (1440×900) and a phone (390×844) size: what a reader sees, measured from
bounding boxes and the DOM.

Needs Debian's ``chromium-headless-shell`` (or its ``chromium``) and Playwright's Python API
(``bash .ci/install-browser``). Skipped when either is missing, except under CI (env ``CI``
set), where a missing browser is a failure. With MODELLER_TEST_SHOTS=1, screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pytest
from test_maps import write_probe

from modeller import geodata, maps

REPO = Path(__file__).resolve().parent.parent
SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = SHELL if SHELL.exists() else Path("/usr/bin/chromium")
"""The same Blink as Debian's ``chromium``, without the browser's windowing: the headless
shell (what Playwright itself runs headless) took 50 s of CPU over this file's tests where
the full browser's new headless mode took 66-72 s (its browser process 7 s, not 17-18 s)."""
ARTIFACTS = REPO / "test-artifacts"
SHOTS = os.environ.get("MODELLER_TEST_SHOTS", "") not in ("", "0")
"""Screenshots for a person to look at (test-artifacts/), taken when MODELLER_TEST_SHOTS=1:
no test reads them, and the full-page ones cost the suite seconds of Chromium's time."""
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
LOOKED_AT = ("land-swap", "russia-demand-2024-06", "plan-28-points-2025-11")
"""Scenario pages measured at both sizes (a swap with pockets, four oblasts, a buffer zone)."""


def keep_shot(target, name: str, full_page: bool = False) -> None:
    """A screenshot of a page or locator as test-artifacts/NAME.png, if ``SHOTS``."""
    if SHOTS:
        ARTIFACTS.mkdir(exist_ok=True)
        extra = {"full_page": True} if full_page else {}
        target.screenshot(path=str(ARTIFACTS / f"{name}.png"), **extra)


def _require_browser():
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{SHELL} (apt-get install chromium-headless-shell)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        missing.append("playwright (pip install playwright)")
    if missing:
        reason = f"browser test needs {' and '.join(missing)}: run bash .ci/install-browser"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so this is not skipped)")
        pytest.skip(reason)
    return sync_playwright


def _baseline() -> str:
    data = os.environ.get("MODELLER_DATA_DIR")
    if data and (Path(data) / "deepstate" / "daily").is_dir():
        return "deepstate:2025-08-15"
    if (geodata.geodata_dir() / "baselines" / "contact-line.yaml").exists():
        return "contact-line"
    return "1991"


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _require_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


STAND_IN = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>'}
"""The bytes of the site's images here: the pages link to them, and no test here opens one."""


def _stand_ins(*names: str) -> list[tuple[str, bytes]]:
    return [(name, STAND_IN[Path(name).suffix]) for name in names]


def _scenario_stand_ins(doc, entry, partition, stem: str) -> list[tuple[str, bytes]]:
    return _stand_ins(f"{stem}.png", f"{stem}.svg")  # (as image_jobs.draw_scenario names them)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> tuple[dict, Path]:
    """The site as ``modeller run --format json`` writes it (once per session), and that JSON.

    Its PNG and SVG files are stand-ins (``STAND_IN``): drawing the real ones, which
    tests/test_maps_images.py checks, had been most of this fixture's CPU. The pages are
    rendered as ever, with their download links; the image cache is off, so that no
    stand-in is kept for another test's run."""
    from click.testing import CliRunner

    from modeller.cli import main
    from modeller.maps import image_jobs

    tmp = tmp_path_factory.mktemp("site")
    probe = write_probe(tmp)
    out = tmp / "maps"
    with pytest.MonkeyPatch.context() as patch:  # (the painter forked by the run inherits it)
        patch.setattr(image_jobs, "warm", lambda: None)
        patch.setattr(image_jobs, "draw_scenario", _scenario_stand_ins)
        patch.setattr(image_jobs, "draw_overview", lambda *_: _stand_ins("overview.png"))
        result = CliRunner(env={"MODELLER_IMAGE_CACHE": "0"}).invoke(
            main,
            ["run", str(REPO / "scenarios"), str(probe), "-b", _baseline()]
            + ["--format", "json", "--out", str(out)],
        )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


class Tab:
    """A page at one screen size, kept open for many visits: Chromium starts a renderer
    process for every new page, which costs about as much as loading a map page."""

    def __init__(self, browser, viewport: dict):
        phone = viewport["width"] < 600
        self.context = browser.new_context(
            viewport=viewport, has_touch=phone, is_mobile=phone, device_scale_factor=1
        )
        self.page = self.context.new_page()
        self.visit: Visit | None = None  # whose lists the page's events go to
        self.context.route("**/*", lambda route: self._to_visit("_route", route))
        self.page.on("requestfailed", lambda r: self._to_visit("failed", r.url))
        self.page.on(
            "console", lambda m: self._to_visit("errors", m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda exc: self._to_visit("errors", str(exc)))
        self.page.on("dialog", lambda dialog: self._to_visit("_dialog", dialog))

    def _to_visit(self, what: str, item) -> None:
        if self.visit is None:  # between visits: the last visit's page, no one's to record
            if what == "_route":
                item.continue_()
            elif what == "_dialog":
                item.dismiss()
            return
        target = getattr(self.visit, what)
        if callable(target):
            target(item)
        else:
            target.append(item)

    def close(self) -> None:
        self.context.close()


class Tabs(dict):
    """One :class:`Tab` per screen size (``tabs["phone"]``), opened on first use."""

    def __init__(self, browser):
        super().__init__()
        self.browser = browser

    def __missing__(self, size: str) -> Tab:
        tab = self[size] = Tab(self.browser, SIZES[size])
        return tab


@pytest.fixture(scope="module")
def tabs(browser):
    """Pages reused by this module's visits, one per screen size."""
    opened = Tabs(browser)
    yield opened
    for tab in opened.values():
        tab.close()


def settle(page) -> None:
    """Wait until the page's own deferred work has run: the label layout is scheduled with
    ``setTimeout(0)`` after a map moves, and nothing on the pages waits longer."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")


def until(page, condition: str, arg=None, timeout: float = 10_000) -> None:
    """Wait until ``condition`` (a JS predicate, polled every frame) holds, then for the work
    it deferred (:func:`settle`). A condition that never comes true is left to the
    assertions after it, which say what is wrong."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(condition, arg=arg, timeout=timeout)
    settle(page)


ZOOMED = """() => new Promise(done => {
  const m = window.mdlMaps[0];
  let calm = 0;
  const frame = () => {
    calm = m._animatingZoom ? 0 : calm + 1;
    if (calm >= 3) { setTimeout(done, 0); } else { requestAnimationFrame(frame); }
  };
  requestAnimationFrame(frame);
})"""
"""Resolves once the first map's zoom animations have ended (Leaflet starts one on the
frame after a zoom button's click and ends it 250 ms later) and its labels are placed."""

TAPPED = """() => { window.mdlClicked = false;
  document.addEventListener('click', () => { window.mdlClicked = true; },
                            {capture: true, once: true}); }"""
"""Notes the click a tap ends in (Chromium makes it after the touch events)."""
ONE_TIP = "() => window.mdlClicked && document.querySelectorAll('.leaflet-tooltip').length === 1"


class Visit:
    """One page opened from disk; records every request leaving file:/data:, failures,
    console errors, page errors and dialogs.

    ``where`` is a :class:`Tab` to reuse (its size), or the browser: then the visit has a
    page and context of its own at ``viewport`` (desktop by default), closed with it.
    """

    def __init__(self, where, path: Path | str, viewport: dict | None = None):
        self.own = not isinstance(where, Tab)
        self.tab = Tab(where, viewport or DESKTOP) if self.own else where
        assert self.tab.visit is None, "the tab's previous visit was not closed"
        self.context, self.page = self.tab.context, self.tab.page
        self.external, self.failed, self.errors, self.dialogs = [], [], [], []
        self.tab.visit = self
        url = path if isinstance(path, str) else path.as_uri()
        try:
            if url.split("#")[0] == self.page.url.split("#")[0]:  # (else a hash's move)
                self.page.goto("about:blank")
            self.page.goto(url, wait_until="load")
            settle(self.page)
        except BaseException:
            self.close()
            raise

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self):
        assert self.external == [], f"external requests: {self.external}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs fired: {self.dialogs}"

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def texts(self, selector: str) -> list[str]:
        return [t.strip() for t in self.page.locator(selector).all_inner_texts()]

    def table(self, cls: str) -> list[list[str]]:
        return self.page.eval_on_selector(
            f"table.{cls}",
            """t => Array.from(t.tBodies[0].rows).map(
                r => Array.from(r.cells).map(c => c.textContent.trim()))""",
        )

    def shot(self, name: str, selector: str | None = None, full_page: bool = False) -> None:
        """test-artifacts/NAME.png of the page (or of ``selector``), if ``SHOTS``."""
        keep_shot(self.page.locator(selector) if selector else self.page, name, full_page)

    def box(self, selector: str) -> dict:
        b = self.page.locator(selector).first.bounding_box()
        return {"x": b["x"], "y": b["y"], "w": b["width"], "h": b["height"]}

    def close(self):
        self.tab.visit = None
        if self.own:
            self.tab.close()
        else:  # the next visit loads its page afresh, even the same page at a #hash
            self.page.mouse.move(0, 0)


# --- what the page script measures ------------------------------------------------------

MEASURE = """(mapSel) => {
  const map = document.querySelector(mapSel).getBoundingClientRect();
  const r = b => ({x: b.left, y: b.top, w: b.width, h: b.height});
  const changed = Array.from(document.querySelectorAll(mapSel + ' path.m-changed'))
    .map(p => p.getBoundingClientRect()).filter(b => b.width > 0);
  let u = null;
  for (const b of changed) {
    const x0 = Math.max(b.left, map.left), y0 = Math.max(b.top, map.top);
    const x1 = Math.min(b.right, map.right), y1 = Math.min(b.bottom, map.bottom);
    if (x1 <= x0 || y1 <= y0) continue;
    u = u ? [Math.min(u[0], x0), Math.min(u[1], y0), Math.max(u[2], x1), Math.max(u[3], y1)]
          : [x0, y0, x1, y1];
  }
  const labels = Array.from(document.querySelectorAll(mapSel + ' .m-label'))
    .filter(el => getComputedStyle(el).visibility !== 'hidden')
    .map(el => ({text: el.textContent, kind: el.className, box: r(el.getBoundingClientRect()),
                 anchor: el.getAttribute('data-anchor')}))
    .filter(l => l.box.x < map.right && l.box.x + l.box.w > map.left &&
                 l.box.y < map.bottom && l.box.y + l.box.h > map.top);
  const controls = Array.from(document.querySelectorAll(mapSel + ' .leaflet-control'))
    .map(el => ({cls: el.className, box: r(el.getBoundingClientRect())}));
  const at = s => s.split(',').map(Number).map((v, i) => v + (i % 2 ? map.top : map.left));
  for (const l of labels) { l.anchor = l.anchor ? at(l.anchor) : null; }
  const leaders = Array.from(document.querySelectorAll(mapSel + ' .m-leader'))
    .filter(el => el.style.display !== 'none' && el.getAttribute('data-line'))
    .map(el => ({town: el.classList.contains('m-leader-town'),
                 line: at(el.getAttribute('data-line')), halo: getComputedStyle(el).boxShadow}));
  const dots = Array.from(document.querySelectorAll(mapSel + ' path.m-town'))
    .map(p => p.getBoundingClientRect()).filter(b => b.width > 0)
    .map(b => [(b.left + b.right) / 2, (b.top + b.bottom) / 2]);
  const places = Array.from(document.querySelectorAll(mapSel + ' path.m-place'))
    .map(p => p.getBoundingClientRect()).filter(b => b.width > 0)
    .map(b => [(b.left + b.right) / 2, (b.top + b.bottom) / 2]);
  const unnamed = Array.from(document.querySelectorAll(mapSel + ' .m-label.m-town'))
    .filter(el => getComputedStyle(el).visibility === 'hidden' && el.getAttribute('data-anchor'))
    .map(el => ({text: el.textContent, anchor: at(el.getAttribute('data-anchor'))}));
  return {map: r(map), changed: u && {w: u[2] - u[0], h: u[3] - u[1]}, labels, controls,
          leaders, dots, places, unnamed};
}"""


def _box_distance(box: dict, x: float, y: float) -> float:
    dx = max(box["x"] - x, 0.0, x - box["x"] - box["w"])
    dy = max(box["y"] - y, 0.0, y - box["y"] - box["h"])
    return (dx * dx + dy * dy) ** 0.5


def _crosses(box: dict, a, b, inset: float = 1.0) -> bool:
    """Whether segment a-b enters the box (shrunk by ``inset``: a line ending on its edge
    does not enter it)."""
    x0, y0 = box["x"] + inset, box["y"] + inset
    x1, y1 = box["x"] + box["w"] - inset, box["y"] + box["h"] - inset
    lo, hi = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        lo, hi = (max(lo, t), hi) if p < 0 else (lo, min(hi, t))
        if lo > hi:
            return False
    return True


def _segments_cross(a, b, c, d) -> bool:
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(c, d, a) * side(c, d, b) < 0 and side(a, b, c) * side(a, b, d) < 0


def _check_labels(m: dict, where: str) -> None:
    """The labels shown on a map: none on another, each whole inside the map and off its
    buttons and inset, and their leaders as ``_check_leaders`` wants them."""
    labels = m["labels"]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert _overlap(a["box"], b["box"]) < 1, f"{where}: {a['text']!r} on {b['text']!r}"
    edge = m["map"]
    for lb in labels:
        x, y, w, h = (lb["box"][k] for k in ("x", "y", "w", "h"))
        inside = edge["x"] - 1 <= x and x + w <= edge["x"] + edge["w"] + 1
        inside = inside and edge["y"] - 1 <= y and y + h <= edge["y"] + edge["h"] + 1
        assert inside, f"{where}: {lb['text']!r} is cut by the map's edge"
        for c in m["controls"]:
            assert _overlap(lb["box"], c["box"]) < 1, f"{where}: {lb['text']!r} under {c['cls']}"
    _check_leaders(m, where)


def _check_leaders(m: dict, where: str) -> None:
    """A label away from what it names is joined to it by a leader ending on its box, no
    longer than 0.3 of the map's shorter side; no leader crosses another or any label; a
    town's name without a leader is clearly nearer its own dot than any other (the 28-point
    plan's Luhansk line had run through two boxes, and later, on a phone, 170 px through two
    town names to a callout over Crimea; Tavilzhanka had sat 1.6 px from Topoli's dot)."""
    labels, leaders = m["labels"], m["leaders"]
    longest = 0.3 * min(m["map"]["w"], m["map"]["h"]) + 1.0
    for i, lead in enumerate(leaders):
        a, b = lead["line"][:2], lead["line"][2:]
        # a white halo: a bare line along the hatching was lost in it
        assert "rgba(255, 255, 255" in lead["halo"], f"{where}: a leader without its halo"
        ends = [lb for lb in labels if _box_distance(lb["box"], *b) < 1.5]
        assert ends, f"{where}: a leader ends on no label"
        length = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
        assert length <= longest, f"{where}: a leader {length:.0f} px long to {ends[0]['text']!r}"
        for lb in labels:
            if lb in ends:
                continue
            assert not _crosses(lb["box"], a, b), f"{where}: a leader crosses {lb['text']!r}"
        for other in leaders[i + 1 :]:
            c, d = other["line"][:2], other["line"][2:]
            assert not _segments_cross(a, b, c, d), f"{where}: two leaders cross"
    for lb in labels:
        if "m-town" not in lb["kind"] or not lb["anchor"]:
            continue
        ax, ay = lb["anchor"]
        joined = [
            ld
            for ld in leaders
            if abs(ld["line"][0] - ax) + abs(ld["line"][1] - ay) < 40
            and _box_distance(lb["box"], *ld["line"][2:]) < 1.5
        ]
        if joined:
            continue  # a leader from its dot says whose name it is
        own = _box_distance(lb["box"], ax, ay)
        for x, y in m["dots"]:
            if abs(x - ax) + abs(y - ay) > 3:  # (its own dot: drawn within a px or two)
                d = _box_distance(lb["box"], x, y)
                assert d >= 1.2 * own + 0.5, f"{where}: {lb['text']!r} is beside another dot"


def _overlap(a: dict, b: dict) -> float:
    w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(w, 0) * max(h, 0)


def _check_map(m: dict, e: dict, where: str) -> None:
    """One map at its opening view: the change framed and labelled, controls in corners."""
    area = m["map"]["w"] * m["map"]["h"]
    for c in m["controls"]:
        share = _overlap(c["box"], m["map"]) / area
        assert share <= 0.25, f"{where}: {c['cls']} covers {share:.0%} of the map"
    if e["transfers"] and sum(t["km2"] for t in e["transfers"]) > 50:
        assert m["changed"], f"{where}: no changed area in view"
        span = max(m["changed"]["w"], m["changed"]["h"])
        assert span >= 150, f"{where}: the changed area spans only {span:.0f} px"
    _check_labels(m, where)
    labels = m["labels"]
    shown = {lb["text"] for lb in labels}
    unnamed = {u["text"]: u["anchor"] for u in m["unnamed"]}
    for t in maps.words.mapped_towns(e["towns"])[: maps.layers.LABELLED_TOWNS]:
        name = maps.words.place(t["name"])
        if name in shown:
            continue
        # on a small map a name may give way only where dots crowd: its own dot within
        # 12 px of another town's (seven Donbas towns lie within 25 px of each other on a
        # phone)
        assert m["map"]["w"] < 500 and name in unnamed, f"{where}: {name} is not labelled"
        ax, ay = unnamed[name]
        crowded = [(x, y) for x, y in m["dots"] if 3 < ((x - ax) ** 2 + (y - ay) ** 2) ** 0.5 < 12]
        assert crowded, f"{where}: {name} (changing hands) is not labelled, its dot uncrowded"
    boxes = [lb for lb in labels if "m-area" in lb["kind"]]
    if m["map"]["w"] >= 640:  # a map with room: no area's box on an orientation town's dot
        # (the 'Kharkiv: to Ukraine' box had covered Kharkiv's, which then went unnamed),
        for lb in boxes:
            for x, y in m["places"]:
                assert _box_distance(lb["box"], x, y) > 0, f"{where}: {lb['text']!r} on a town"
            # nor on its own land where that is smaller than the box (the Sumy pocket)
            km2 = float(re.search(r"([\d,.]+) km²", lb["text"]).group(1).replace(",", ""))
            ax, ay = lb["anchor"]
            if km2 < 500:
                assert _box_distance(lb["box"], ax, ay) > 0, f"{where}: {lb['text']!r} on it"
    areas = [lb["text"] for lb in boxes]
    for t in e["transfers"]:
        if t["km2"] >= 100:
            assert any(
                t["oblast_name"] in a.split(": to")[0] and "km²" in a and "people" in a
                for a in areas
            ), f"{where}: the {t['oblast_name']} area has no label with its km² and people"


# Table cells narrower than one of their words: the word is cut across lines (the CSS once
# let tables squeeze a header column to one letter a line: "U k r a i n e"). Words are
# split where a line may break anyway (spaces, dashes); measured in the cell's own font.
BROKEN_WORDS = """() => {
    // a row the user names (scenario, status, phase) may wrap a word wider than its
    // column's least width (7em); no other cell breaks a word, figures least of all, but
    // where the page lets it (a <wbr> in a status's long word, tables.breakable)
    const named = '.t-compare tbody th, .t-status tbody th, .t-recognition tbody th, ' +
        '.t-phases tbody th';
    const ctx = document.createElement('canvas').getContext('2d'), out = [];
    for (const e of document.querySelectorAll('table th, table td')) {
        if (e.offsetParent === null || !e.textContent.trim()) continue;
        const s = getComputedStyle(e);
        ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
        const copy = e.cloneNode(true);
        copy.querySelectorAll('wbr').forEach(w => w.replaceWith(' '));
        const words = copy.textContent.split(/[\\s\\u2013\\u2014-]+/).filter(Boolean);
        const widest = Math.max(...words.map(w => ctx.measureText(w).width));
        const pad = parseFloat(s.paddingLeft) + parseFloat(s.paddingRight);
        const room = e.clientWidth - pad;
        const least = e.matches(named) ? parseFloat(s.minWidth) - pad : Infinity;
        if (room + 1 < Math.min(widest, least)) out.push(e.textContent.trim().slice(0, 40));
    }
    return out;
}"""


def _check_page(v: Visit, where: str) -> None:
    """Page-wide: no sideways scroll, tables scroll in their own box with a visible cue and
    cut no word across lines, no pointer-only or left/right wording."""
    width = v.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"{where}: page is {width[0]} px wide on a {width[1]} px screen"
    boxes = v.page.evaluate(
        """() => Array.from(document.querySelectorAll('.table-box')).map(b => {
            const s = b.querySelector('.table-scroll'), cue = b.querySelector('.scroll-cue');
            return {box: s.getBoundingClientRect().right, wide: s.scrollWidth > s.clientWidth + 1,
                    cue: cue && getComputedStyle(cue).display !== 'none',
                    hidden: s.offsetParent === null};
        })"""
    )
    for b in boxes:
        if b["hidden"]:
            continue
        assert b["box"] <= width[1] + 0.5, f"{where}: a table box sticks out of the page"
        assert b["cue"] == b["wide"], f"{where}: scroll cue {b['cue']} for a wide={b['wide']} box"
    captions = v.page.evaluate(  # whole on screen: they had run off a phone's edge
        """() => Array.from(document.querySelectorAll('.table-scroll caption'))
            .filter(c => c.offsetParent !== null)
            .map(c => [c.textContent.trim().slice(0, 40), c.getBoundingClientRect().right,
                       c.scrollWidth - c.clientWidth])"""
    )
    for text, right, spill in captions:
        assert right <= width[1] + 0.5 and spill <= 1, f"{where}: caption {text!r} cut off"
    broken = v.page.evaluate(BROKEN_WORDS)
    assert broken == [], f"{where}: table cells narrower than a word in them: {broken[:5]}"
    text = v.page.evaluate("() => document.body.innerText").lower()
    for word in ("hover", "left-hand", "right-hand", "on the left", "on the right"):
        assert word not in text, f"{where}: says {word!r}"
    assert not re.search(r"\b(left|right):", text), where


def _entry(doc: dict, sid: str) -> dict:
    return next(e for e in doc["scenarios"] if e["id"] == sid)


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_scenario_pages_frame_and_label_the_change(tabs, site, size):
    doc, out = site
    for sid in LOOKED_AT:
        e = _entry(doc, sid)
        v = Visit(tabs[size], out / f"{sid}.html")
        try:
            where = f"{sid} at {size}"
            v.shot(f"{sid}-{size}")
            v.shot(f"{sid}-{size}-full", full_page=True)
            v.assert_clean()
            _check_map(v.page.evaluate(MEASURE, "#mdl-map"), e, where)
            _check_page(v, where)
            if size == "desktop":
                _check_tables_fit(v, where)
            v.assert_clean()
        finally:
            v.close()


def _check_tables_fit(v: Visit, where: str) -> None:
    """On a desktop screen the side panel's tables fit it: a range sits under its figure,
    in millions when it runs to millions (they had scrolled sideways at 1440 px)."""
    boxes = v.page.evaluate(
        """() => Array.from(document.querySelectorAll('.side .table-scroll')).map(s => ({
            cls: s.querySelector('table').className, wide: s.scrollWidth - s.clientWidth,
            spreads: Array.from(s.querySelectorAll('td.num')).filter(td => td.children.length)
              .map(td => [td.firstChild.textContent.trim(), td.children[0].textContent,
                          td.children[0].getBoundingClientRect().top
                            - td.firstChild.parentNode.getBoundingClientRect().top])}))"""
    )
    assert boxes, f"{where}: no tables in the side panel"
    # the figures scroll with the page, the map stays in view beside them: the side panel
    # had been a box of its own whose towns table lay out of sight, with no cue
    side = v.page.evaluate(
        """() => { const s = document.querySelector('.side');
            return s.scrollHeight - s.clientHeight; }"""
    )
    assert side <= 1, f"{where}: the side panel scrolls on its own ({side} px hidden)"
    seen = v.page.evaluate(
        """() => { window.scrollTo(0, 300);
          const m = document.querySelector('.mapwrap').getBoundingClientRect();
          const t = document.querySelector('table.t-towns');
          if (t) { t.scrollIntoView({block: 'start'}); }
          const top = t ? t.getBoundingClientRect().top : 0;
          window.scrollTo(0, 0);
          return {map: m.top, mapBottom: m.bottom, towns: top, view: innerHeight}; }"""
    )
    assert seen["map"] >= 0 and seen["mapBottom"] <= seen["view"] + 1, (where, seen)
    assert -1 <= seen["towns"] < seen["view"] - 100, (where, seen)  # the page brings it up
    for b in boxes:
        assert b["wide"] <= 1, f"{where}: {b['cls']} scrolls sideways by {b['wide']} px"
        for figure, spread, drop in b["spreads"]:
            assert drop > 5, f"{where}: {figure} {spread} on one line"
            if int(figure.replace(",", "")) >= 2_000_000:
                assert spread.endswith(" M)"), f"{where}: {figure} {spread} not in millions"


@pytest.mark.parametrize("size", SIZES)
def test_index_picker_sits_beside_the_maps_and_the_hash_picks(tabs, site, size):
    doc, out = site
    e = _entry(doc, "land-swap")
    v = Visit(tabs[size], (out / "index.html").as_uri() + "#land-swap")
    try:
        where = f"index at {size}"
        v.shot(f"index-{size}")
        v.assert_clean()
        assert v.page.locator("#mdl-pick-0").count() == 1
        assert v.page.locator('input[value="land-swap"]').is_checked()
        assert v.page.locator("#mdl-after-caption").inner_text() == e["title"]
        picker = v.box(".picker")
        for m in ("#mdl-map-before", "#mdl-map-after"):
            assert _overlap(picker, v.box(m)) == 0, f"{where}: the picker covers {m}"
        # side by side, the maps start level whichever caption wraps (a baseline's caption
        # in two lines had put its map 22 px below the other)
        v.page.evaluate(
            """() => { const c = document.querySelector('#mdl-before-caption');
                       c.dataset.was = c.textContent; c.textContent += ' — a caption long enough'
                         + ' to wrap onto a second line beside the other'; }"""
        )
        before, after = v.box("#mdl-map-before"), v.box("#mdl-map-after")
        if after["x"] > before["x"] + 10:
            assert abs(after["y"] - before["y"]) < 1, f"{where}: the maps do not start level"
        v.page.evaluate(
            "() => { const c = document.querySelector('#mdl-before-caption');"
            " c.textContent = c.dataset.was; }"
        )
        right = v.page.evaluate(MEASURE, "#mdl-map-after")
        _check_map(right, e, where)
        left = v.page.evaluate(MEASURE, "#mdl-map-before")
        assert left["changed"] and max(left["changed"].values()) >= 150
        _check_page(v, where)
        # picking another scenario changes the right map visibly and sets the hash
        before = v.page.locator("#mdl-map-after").screenshot()
        other = _entry(doc, "russia-demand-2024-06")
        v.page.locator('.picker li[data-id="russia-demand-2024-06"] label').click()
        until(v.page, "() => location.hash === '#russia-demand-2024-06'")
        assert v.page.evaluate("location.hash") == "#russia-demand-2024-06"
        assert v.page.locator("#mdl-after-caption").inner_text() == other["title"]
        assert v.count("#mdl-map-after path.m-changed") == len(other["transfers"])
        assert v.page.locator("#mdl-map-after").screenshot() != before
        v.page.wait_for_timeout(600)  # the view's move has ended and its labels are laid out
        _check_map(v.page.evaluate(MEASURE, "#mdl-map-after"), other, where + " after a pick")
        legend = v.page.locator('[data-scenario="russia-demand-2024-06"] .legend')
        assert legend.is_visible()
        assert not v.page.locator('[data-scenario="land-swap"] .legend').is_visible()
        # back and forward follow the history
        v.page.go_back()
        until(v.page, CAPTION_IS, e["title"])
        assert v.page.locator("#mdl-after-caption").inner_text() == e["title"]
        assert v.page.locator('input[value="land-swap"]').is_checked()
        v.page.go_forward()
        until(v.page, CAPTION_IS, other["title"])
        assert v.page.locator("#mdl-after-caption").inner_text() == other["title"]
        # a list cut at an item's edge had looked complete: it says how many, and a list
        # that scrolls says so under it (and not when every item shows)
        n = len(doc["scenarios"])
        assert f"({n})" in v.page.locator(".picker legend").inner_text()
        scrolls = v.page.evaluate(
            "() => { const l = document.querySelector('.picker ul');"
            " return l.scrollHeight > l.clientHeight + 1; }"
        )
        assert scrolls  # (12 scenarios: more than either size shows)
        cue = v.page.locator(".picker .pk-more")
        assert cue.is_visible() and f"all {n}" in cue.inner_text()
        assert _overlap(v.box(".picker .pk-more"), v.box(".picker ul")) == 0
        v.page.set_viewport_size({"width": v.page.viewport_size["width"], "height": 4000})
        v.page.evaluate("document.querySelector('.picker ul').style.maxHeight = 'none'")
        v.page.evaluate("window.dispatchEvent(new Event('resize'))")
        assert not cue.is_visible()  # every item shows: no cue
        v.page.evaluate("document.querySelector('.picker ul').style.maxHeight = ''")
        v.page.set_viewport_size(SIZES[size])
        v.page.evaluate("window.dispatchEvent(new Event('resize'))")
        v.assert_clean()
    finally:
        v.close()


CAPTION_IS = "t => document.getElementById('mdl-after-caption').innerText === t"


def _tab_stop(v: Visit) -> str:
    """What has the keyboard focus: 'svg-shape', 'map', or tag|class|title|text."""
    return v.page.evaluate(
        """() => { const a = document.activeElement;
          if (a.closest('svg')) return 'svg-shape';
          if (a.classList.contains('leaflet-container')) return 'map';
          const title = a.getAttribute('title') || '';
          return a.tagName + '|' + a.className + '|' + title + '|' +
                 (a.textContent || a.value || '').trim().slice(0, 40); }"""
    )


def _tab_through(v: Visit, presses: int = 10) -> list[str]:
    seen = []
    for _ in range(presses):
        v.page.keyboard.press("Tab")
        seen.append(_tab_stop(v))
    return seen


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", ["index.html", "land-swap.html"])
def test_every_control_within_ten_tabs_and_no_shape_in_the_tab_order(tabs, site, page, size):
    _doc, out = site
    v = Visit(tabs[size], out / page)
    try:
        seen = _tab_through(v)
        joined = "\n".join(seen)
        assert "svg-shape" not in seen
        assert seen[0].startswith("A|skip"), seen[0]
        controls = ("map", "Zoom in", "Zoom out", "Data (CSV)", "(PNG)", "(SVG)", "Embed this map")
        for wanted in controls:
            assert wanted in joined, f"{page}: {wanted!r} not within 10 Tabs:\n{joined}"
        assert "INPUT|" in joined, f"{page}: the picker or map switch is not within 10 Tabs"
        # the skip link (the first Tab stop, above) leads to the main content; focused again
        # rather than reached by reloading the page
        v.page.locator("a.skip").focus()
        assert _tab_stop(v).startswith("A|skip")
        v.page.keyboard.press("Enter")
        assert v.page.evaluate("document.activeElement.id") == "mdl-main"
    finally:
        v.close()


# What test_scenario_pages_show_labels_and_rounded_figures reads of a page, in one call (a
# call for each of some fifty reads had taken as long as loading the page): counts of
# selectors, element texts as Playwright's inner_text reads them (a list: one is expected,
# as a locator's strictness expects), table cells as Visit.table reads them.
PAGE_FACTS = """([statuses, urls]) => {
  const all = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const texts = (sel, root) => all(sel, root).map(e => e.innerText);
  const n = sel => all(sel).length;
  const rows = cls => { const t = document.querySelector('table.' + cls);
    return t && Array.from(t.tBodies[0].rows).map(
      r => Array.from(r.cells).map(c => c.textContent.trim())); };
  return {
    changed: n('#mdl-map path.m-changed'), oblasts: n('#mdl-map path.m-oblast'),
    towns: n('#mdl-map path.m-town'), rivers: n('#mdl-map path.m-river'),
    places: n('#mdl-map path.m-place'), locators: n('#mdl-map .m-locator'),
    targets: all('#mdl-map path.m-town-hit').map(
      p => Math.min(p.getBBox().width, p.getBBox().height)),
    legend: statuses.map(s => {
      const items = all('.legend li[data-status]').filter(li => li.dataset.status === s);
      return {items: items.length, label: items.flatMap(li => texts('.lg-label', li)),
              km2: items.flatMap(li => texts('.lg-km2', li))};
    }),
    status_rows: rows('t-status'), transfer_rows: rows('t-transfers'),
    caption: texts('.baseline-caption'), credit: texts('#mdl-map .m-credit'),
    footer: texts('footer.prov'), title: texts('h1.title'),
    links: urls.map(u => all('footer a').filter(a => a.getAttribute('href') === u).length),
  };
}"""


def _one(texts: list[str], what: str) -> str:
    assert len(texts) == 1, f"{what}: {len(texts)} elements"
    return texts[0]


def test_scenario_pages_show_labels_and_rounded_figures(tabs, site):
    """Every scenario page: layers drawn, legend in the scenario's own words, tables with
    labels (never status codes) and figures rounded within 5 % of the JSON's exact ones."""
    doc, out = site
    places = len(maps.layers.base_layers()["towns"])
    for e, name in zip(doc["scenarios"], maps.page_names(doc), strict=True):
        v = Visit(tabs["desktop"], out / name)
        try:
            v.assert_clean()
            urls = [r["url"] for r in e["reported"] if str(r.get("url") or "").startswith("http")]
            f = v.page.evaluate(PAGE_FACTS, [[s["status"] for s in e["statuses"]], urls])
            assert f["changed"] == len(e["transfers"]), name
            assert f["oblasts"] == 27, name
            # towns half or more of which changes hands are drawn (the tables list all)
            assert f["towns"] == len(maps.words.mapped_towns(e["towns"])), name
            assert f["rivers"] >= 1, name  # the Dnipro, on every map
            assert f["places"] == places >= 10, name  # orientation towns
            targets = f["targets"]
            assert len(targets) == f["towns"], name
            assert all(t >= 24 for t in targets), (name, min(targets))  # touch-sized
            for s, item in zip(e["statuses"], f["legend"], strict=True):
                if item["items"]:
                    assert _one(item["label"], name).startswith(s["label"])
                    _close(_one(item["km2"], name), s["km2"], 0.01, name)
            rows = f["status_rows"]
            assert rows is not None, f"{name}: no table.t-status"
            assert [r[0] for r in rows] == [s["label"] for s in e["statuses"]]
            for r, s in zip(rows, e["statuses"], strict=True):
                _close(r[1], s["baseline_km2"], 0.01, name)
                _close(r[3], s["baseline_people"], 0.05, name)
                _close(r[4], s["km2"], 0.01, name)
            codes = {s["status"] for s in e["statuses"]} - {s["label"] for s in e["statuses"]}
            if e["transfers"]:
                assert f["transfer_rows"] is not None, f"{name}: no table.t-transfers"
                for r, t in zip(f["transfer_rows"], e["transfers"], strict=True):
                    assert r[1] not in codes and r[2] not in codes, (name, r)
                    _close(r[-2], t["km2"], 0.01, name)
                    _close(r[-1], t["people"], 0.05, name)
            caption = _one(f["caption"], name)
            assert caption == maps.words.baseline_caption(e["baseline"])
            assert (
                "DeepStateMap" in caption or "approximate" in caption.lower() or "1991" in caption
            )
            credit = _one(f["credit"], name)
            assert "made" in credit and "baseline" in credit
            assert f["locators"] == 1
            footer = _one(f["footer"], name)
            assert e["hash"] in footer and e["baseline"]["name"] in footer
            assert _one(f["title"], name) == e["title"]  # literally
            assert f["links"] == [1] * len(urls), (name, urls)
        finally:
            v.close()


def _close(text: str, exact: float, rel: float, where: str) -> None:
    text = text.split(" (")[0]  # a people figure is followed by its range
    value = float(text.replace(",", "").replace("+", "").replace("−", "-").replace("<", "") or 0)
    assert abs(value - abs(exact)) <= max(rel * abs(exact), 10), (where, text, exact)


COUNT_LAYOUTS = """(() => {
  let made;
  window.mdlLayouts = [];
  Object.defineProperty(window, 'mdlLabeller', {configurable: true, get() { return made; },
    set(f) { made = map => {
      const labeller = f(map), k = window.mdlLayouts.push(0) - 1, own = labeller.layout;
      labeller.layout = function () {
        window.mdlLayouts[k] += 1;
        return own.apply(this, arguments);
      };
      return labeller; }; }});
})()"""
"""Counts each map's label layouts (``window.mdlLayouts``, one count per map in the order
they are made), from before the page's scripts run."""


@pytest.mark.parametrize("size", SIZES)
def test_a_map_opens_on_its_frame_and_places_its_labels_once(browser, site, size):
    """A page opens each map on the view it keeps and lays its labels out once, and a
    scenario picked on the index once more: a map had opened on all of Ukraine, drawn and
    labelled its scenario there, then moved to the scenario's frame and done it all again
    (a scenario page's script took ~40 % longer; 20 layouts of the page on a phone, not 10)."""
    doc, out = site
    tab = Tab(browser, SIZES[size])
    tab.context.add_init_script(COUNT_LAYOUTS)
    try:
        for page, maps in (("land-swap.html", 1), ("index.html", 2)):
            v = Visit(tab, out / page)
            try:
                v.assert_clean()
                assert v.page.evaluate("() => window.mdlLayouts") == [1] * maps, page
                shown = v.page.evaluate(
                    "() => document.querySelectorAll('.m-label:not(.m-hidden)').length"
                )
                assert shown >= 5, f"{page} at {size}: {shown} labels shown"
                if maps == 2:  # another scenario picked: each map laid out once more
                    v.page.locator("label[for='mdl-pick-1']").first.click()
                    until(v.page, "() => window.mdlLayouts.every(n => n >= 2)")
                    assert v.page.evaluate("() => window.mdlLayouts") == [2, 2]
                    # and back to the page as opened, without a hash: its first scenario
                    # again (it had kept showing the one picked)
                    v.page.go_back()
                    until(v.page, "() => document.getElementById('mdl-pick-0').checked")
                    assert v.page.locator("#mdl-pick-0").is_checked()
                    first = v.page.locator("label[for='mdl-pick-0'] .pk-title").inner_text()
                    assert v.page.locator("#mdl-after-caption").inner_text() == first
                v.assert_clean()
            finally:
                v.close()
    finally:
        tab.close()


def test_the_baseline_switch_and_tooltips(tabs, site):
    doc, out = site
    e = _entry(doc, "land-swap")
    v = Visit(tabs["desktop"], out / "land-swap.html")
    try:
        fills = set(
            v.page.eval_on_selector_all(
                "path.m-changed", "ps => ps.map(p => p.getAttribute('fill'))"
            )
        )
        assert all(f.startswith(f"url(#{maps.palette.HATCH_ID}-") for f in fills)
        shown = v.page.locator(".mapwrap").screenshot()
        v.page.get_by_role("radio", name="Baseline").check()
        settle(v.page)
        fills = set(
            v.page.eval_on_selector_all(
                "path.m-changed", "ps => ps.map(p => p.getAttribute('fill'))"
            )
        )
        assert fills == {f"url(#{maps.palette.HATCH_ID})"}
        assert v.count("#mdl-map path.m-town") == 0
        assert v.page.locator(".mapwrap").screenshot() != shown

        def legend() -> tuple[str, dict, str, bool]:
            shown = {
                x["status"]: x["km2"]
                for x in v.page.eval_on_selector_all(
                    ".legend li.lg-status",
                    "ls => ls.map(l => ({status: l.dataset.status,"
                    " km2: l.querySelector('.lg-km2').textContent}))",
                )
            }
            return (
                v.page.locator("#legend-title").inner_text(),
                shown,
                v.page.locator(".legend li.lg-changed .lg-label").inner_text(),
                v.page.locator(".legend li.lg-town").is_visible(),
            )

        # the legend says what the map shows: the baseline's figures, the old holder's fill
        title, km2, changed, towns = legend()
        assert title == "Legend: held on the baseline" and "holder on the baseline" in changed
        assert km2 == {x["status"]: maps.words.km2(x["baseline_km2"]) for x in e["statuses"]}
        assert not towns  # the baseline view draws none
        v.page.get_by_role("radio", name="After the scenario").check()
        settle(v.page)
        title, km2, changed, towns = legend()
        assert title == "Legend: held after the scenario" and "new holder" in changed
        assert km2 == {x["status"]: maps.words.km2(x["km2"]) for x in e["statuses"]}
        assert towns
        # zoomed in twice, labels are placed again without overlaps
        v.page.locator(".leaflet-control-zoom-in").click()
        v.page.locator(".leaflet-control-zoom-in").click()
        v.page.evaluate(ZOOMED)
        labels = v.page.evaluate(MEASURE, "#mdl-map")["labels"]
        assert len(labels) >= 5
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                assert _overlap(a["box"], b["box"]) < 1, (a["text"], b["text"])
        # (in a function: returned, the map would be serialised, which takes seconds)
        v.page.evaluate("() => { window.mdlMaps[0].setView([48.8, 37.6], 8, {animate: false}); }")
        settle(v.page)
        # a town's tip, from its touch-sized target
        town = e["towns"][0]
        point = v.page.evaluate(
            "([lat, lon]) => { const p = window.mdlMaps[0].latLngToContainerPoint([lat, lon]);"
            " return [p.x, p.y]; }",
            [town["lat"], town["lon"]],
        )
        box = v.box("#mdl-map")
        v.page.mouse.move(box["x"] + point[0] + 2, box["y"] + point[1] + 2)
        tip = v.page.locator(".leaflet-tooltip")
        tip.wait_for(state="visible", timeout=3000)
        assert maps.words.place(town["name"]) in tip.inner_text()
        v.shot("tooltip", ".mapwrap")
        v.assert_clean()
    finally:
        v.close()


def test_print_puts_map_and_legend_on_one_a4_page(browser, site):
    _doc, out = site
    a4 = Tab(browser, {"width": 718, "height": 1032})  # one page for both visits
    try:
        _print_visits(a4, out)
    finally:
        a4.close()


def _print_visits(a4: Tab, out: Path) -> None:
    v = Visit(a4, out / "plan-28-points-2025-11.html")
    try:
        # what is folded away on screen is printed too, and folded again afterwards (the
        # page is then as it was loaded: the same size, the map framed again)
        folded = "() => Array.from(document.querySelectorAll('details.oblasts, details.notes-box'))"
        assert v.page.evaluate(folded + ".map(d => d.open)") == [False, False]
        v.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert v.page.evaluate(folded + ".map(d => d.open)") == [True, True]
        v.page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert v.page.evaluate(folded + ".map(d => d.open)") == [False, False]
        settle(v.page)
        # printed, the map and its legend fit one A4 page, without the screen's controls
        v.page.emulate_media(media="print")
        settle(v.page)
        assert not v.page.locator(".leaflet-control-zoom").is_visible()
        assert not v.page.locator(".downloads").first.is_visible()
        v.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        settle(v.page)
        top = v.box("header.top")["y"]
        legend = v.box(".legend")
        assert legend["y"] + legend["h"] - top <= 1032, "map and legend overflow an A4 page"
        assert legend["y"] >= v.box(".mapwrap")["y"] + v.box(".mapwrap")["h"]
        v.shot("print-plan-28-points", full_page=True)
        pdf = v.page.pdf(format="A4", print_background=True)
        assert pdf[:4] == b"%PDF"
        if SHOTS:
            (ARTIFACTS / "print-plan-28-points.pdf").write_bytes(pdf)
    finally:
        v.page.emulate_media(media="null")  # the screen again, as a page of its own had
        v.close()
    # the index prints both maps, side by side, as on screen
    v = Visit(a4, out / "index.html")
    try:
        v.page.emulate_media(media="print")
        v.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        settle(v.page)
        before, after = v.box("#mdl-map-before"), v.box("#mdl-map-after")
        assert before["w"] > 200 and after["w"] > 200
        rows = min(before["y"] + before["h"], after["y"] + after["h"]) - max(
            before["y"], after["y"]
        )
        assert _overlap(before, after) == 0 and rows > 0.8 * before["h"]  # side by side
        assert before["x"] < after["x"]  # baseline, then after: read left to right
        v.shot("print-index", full_page=True)
    finally:
        v.page.emulate_media(media="null")
        v.close()


PRINTED = """(mapSel) => {
  const map = document.querySelector(mapSel).getBoundingClientRect();
  const inside = b => b.left >= map.left - 1 && b.top >= map.top - 1 &&
    b.right <= map.right + 1 && b.bottom <= map.bottom + 1;
  const changed = Array.from(document.querySelectorAll(mapSel + ' path.m-changed'))
    .map(p => p.getBoundingClientRect()).filter(b => b.width > 0);
  const labels = Array.from(document.querySelectorAll(mapSel + ' .m-label'))
    .filter(l => getComputedStyle(l).visibility !== 'hidden' && l.offsetWidth > 0)
    .map(l => [l.textContent, l.getBoundingClientRect()]);
  return {changed: changed.length, cut: changed.filter(b => !inside(b)).length,
          outside: labels.filter(([, b]) => !inside(b)).map(([t]) => t)};
}"""


CORNERS = """() => Array.from(document.querySelectorAll('.leaflet-container')).map(m => {
  const box = e => e.getBoundingClientRect();
  const s = box(m.querySelector('.leaflet-control-scale')), c = box(m.querySelector('.m-credit'));
  const map = box(m);
  const w = Math.max(0, Math.min(s.right, c.right) - Math.max(s.left, c.left));
  const h = Math.max(0, Math.min(s.bottom, c.bottom) - Math.max(s.top, c.top));
  return {overlap: w * h, inside: s.left >= map.left && s.right <= map.right &&
          s.top >= map.top && s.bottom <= map.bottom, width: map.width};
})"""


@pytest.mark.parametrize("width", [320, 1024, 1100, 1440])
def test_the_scale_bar_is_never_under_the_credit(browser, site, width):
    """The scale bar shows whole on every map at widths where the map is narrower than
    the credit and the bar side by side (it hid under the credit at 1000-1160 px, 320 px)."""
    _doc, out = site
    tab = Tab(browser, {"width": width, "height": 800})
    try:
        for page in ("land-swap.html", "index.html"):
            v = Visit(tab, out / page)
            try:
                settle(v.page)
                for m in v.page.evaluate(CORNERS):
                    assert m["overlap"] == 0 and m["inside"], (page, width, m)
            finally:
                v.close()
    finally:
        tab.close()


def test_an_areas_figures_go_before_town_names_where_both_do_not_fit(browser, site):
    """On a 1024 px window the index's after map (the return to the 2022 lines) is small:
    the towns' names, placed first, had left Donetsk's 11,800 km² without its callout. Where
    that happens the areas go first, largest first: the four largest show their figures."""
    _doc, out = site
    tab = Tab(browser, {"width": 1024, "height": 768})
    v = Visit(tab, out / "index.html")
    try:
        settle(v.page)
        areas = v.page.evaluate(
            """() => Array.from(document.querySelectorAll('#mdl-map-after .m-label.m-area'))
                .map(l => [parseFloat(l.querySelector('.m-label-sub').textContent
                               .replace(/,/g, '')), !l.classList.contains('m-hidden')])"""
        )
        assert len(areas) >= 4, areas
        largest = sorted(areas, key=lambda a: -a[0])[:4]
        assert all(shown for _, shown in largest), areas
        v.assert_clean()
    finally:
        v.close()
        tab.close()


def test_on_a_laptop_the_map_column_shows_its_foot_once_scrolled(browser, site):
    """The map column stays beside the figures (sticky): one taller than a laptop's window
    (1280×720) had kept its summary out of sight until the figures ended."""
    _doc, out = site
    tab = Tab(browser, {"width": 1280, "height": 720})
    v = Visit(tab, out / "russia-demand-2024-06.html")
    try:
        settle(v.page)
        seen = v.page.evaluate(
            """() => { const col = document.querySelector('.mapcol');
              const tall = col.getBoundingClientRect().height;
              window.scrollTo(0, 400);
              const s = document.querySelector('.mapcol .summary').getBoundingClientRect();
              const m = document.querySelector('.mapwrap').getBoundingClientRect();
              const out = {tall, summary: s.bottom, mapTop: m.top, view: innerHeight,
                           page: document.documentElement.scrollHeight};
              window.scrollTo(0, 0);
              return out; }"""
        )
        assert seen["tall"] > seen["view"] - 16, seen  # (else the page tests nothing)
        assert seen["summary"] <= seen["view"], seen  # its foot in view
        assert seen["mapTop"] >= -1, seen  # and the whole map still
        v.assert_clean()
    finally:
        v.close()
        tab.close()


def test_on_a_phone_every_area_of_the_1991_map_shows_its_figures(tabs, site):
    """On a phone the 1991 map's areas had found no room for their four-line figures:
    Zaporizhzhia's 20,000 km² and Kherson's 19,200 km² went unlabelled while Sumy's 153 km²
    showed. Where nothing else fits, an area's figures go without their range."""
    _doc, out = site
    v = Visit(tabs["phone"], out / "ukraine-1991-borders.html")
    try:
        settle(v.page)
        areas = v.page.evaluate(
            """() => { const m = document.querySelector('#mdl-map'), r = m.getBoundingClientRect();
              return Array.from(m.querySelectorAll('.m-label.m-area')).map(l => {
                const [x, y] = (l.getAttribute('data-anchor') || '-1,-1').split(',').map(Number);
                return {text: l.textContent, shown: !l.classList.contains('m-hidden'),
                        inView: x >= 0 && y >= 0 && x <= r.width && y <= r.height,
                        compact: l.classList.contains('m-compact'),
                        range: (p => p ? getComputedStyle(p).display : 'none')(
                          l.querySelectorAll('.m-label-part')[2])}; }); }"""
        )
        in_view = [a for a in areas if a["inView"]]
        assert len(in_view) >= 5, areas
        assert all(a["shown"] for a in in_view), [a["text"][:40] for a in in_view if not a["shown"]]
        for a in in_view:  # a compact label hides its range (the tables and popup give it)
            assert not a["compact"] or a["range"] == "none", a
        v.assert_clean()
    finally:
        v.close()


COVERED = """sel => { const m = document.querySelector(sel), r = m.getBoundingClientRect();
  const W = Math.round(r.width), H = Math.round(r.height), seen = new Uint8Array(W * H);
  const areas = Array.from(m.querySelectorAll('.m-label.m-area')).map(l => {
    const [x, y] = (l.getAttribute('data-anchor') || '-1,-1').split(',').map(Number);
    const b = l.getBoundingClientRect(), shown = !l.classList.contains('m-hidden');
    const x0 = Math.max(0, Math.floor(b.left - r.left)), x1 = Math.min(W, b.right - r.left);
    const y0 = Math.max(0, Math.floor(b.top - r.top)), y1 = Math.min(H, b.bottom - r.top);
    for (let j = y0; shown && j < y1; j++) {
      for (let i = x0; i < x1; i++) { seen[j * W + i] = 1; }
    }
    return {text: l.textContent, shown, inView: x >= 0 && y >= 0 && x <= W && y <= H,
            range: (p => p ? getComputedStyle(p).display : 'none')(
              l.querySelectorAll('.m-label-part')[2])};
  });
  return {areas, covered: seen.reduce((a, v) => a + v, 0) / (W * H), height: H}; }"""
"""The area callouts of the map ``sel``: each shown or not, in view or not, its range's
display; and the share of the map's pixels the shown ones cover."""


def test_on_a_phone_the_index_callouts_leave_the_after_maps_land_in_view(tabs, site):
    """On a phone the index's after-map (the return to the 2022 lines: five areas) had its
    callouts in full, ranges and all, covering most of Kherson, Zaporizhzhia and Donetsk on
    a 386 px map. On a map that small every area's figures go without their range (its
    popup and the tables give it), and the index's maps are taller: the callouts cover at
    most a quarter of the map, and every area in view still shows its figures."""
    _doc, out = site
    v = Visit(tabs["phone"], out / "index.html")
    try:
        settle(v.page)
        seen = v.page.evaluate(COVERED, "#mdl-map-after")
        in_view = [a for a in seen["areas"] if a["inView"]]
        assert len(in_view) >= 5, seen
        assert all(a["shown"] for a in in_view), seen
        assert all(a["range"] == "none" for a in in_view), seen
        assert seen["covered"] <= 0.25, seen
        assert seen["height"] >= 0.5 * PHONE["height"], seen
        v.assert_clean()
    finally:
        v.close()


def test_on_a_phones_1991_index_no_towns_name_sits_on_another_towns_dot(tabs, site):
    """'Simferopol' had sat over a smaller Crimean town's circle on a phone's 1991 index,
    where it read as naming it: a town's name goes over another town's dot only where
    nothing else fits, and here everything fits."""
    _doc, out = site
    v = Visit(tabs["phone"], f"{(out / 'index.html').as_uri()}#ukraine-1991-borders")
    try:
        settle(v.page)
        m = v.page.evaluate(MEASURE, "#mdl-map-after")
        _check_labels(m, "1991 index, phone")
        names = [lb for lb in m["labels"] if "m-town" in lb["kind"] and lb["anchor"]]
        assert len(names) >= 3, names  # (Simferopol, Sevastopol, … in view)
        for lb in names:
            b, (ax, ay) = lb["box"], lb["anchor"]
            for x, y in m["dots"] + m["places"]:
                if abs(x - ax) + abs(y - ay) < 3:  # its own
                    continue
                on = b["x"] + 1 < x < b["x"] + b["w"] - 1 and b["y"] + 1 < y < b["y"] + b["h"] - 1
                assert not on, f"{lb['text']!r} sits on the dot at {x:.0f}, {y:.0f}"
        v.assert_clean()
    finally:
        v.close()


def _contrast(a: str, b: str) -> float:
    """WCAG contrast of two colours ('#rrggbb' or 'rgb(r, g, b)')."""
    import re

    def lum(c: str) -> float:
        rgb = (
            [int(c[i : i + 2], 16) for i in (1, 3, 5)]
            if c.startswith("#")
            else [int(v) for v in re.findall(r"\d+", c)[:3]]
        )
        lin = [(v / 255) / 12.92 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_a_keyboard_and_a_screen_reader_get_the_map_as_a_reader_does(tabs, site):
    """From an accessibility audit: the map's panes read as seven unnamed images and every
    label run together; a tip stayed open on Escape; Space on a zoom button scrolled the
    page; the amber focus ring had 2.1:1 on white; oblast names had 2.4:1 on Russia's
    fill; and the index's skip link replaced '#land-swap' in the address."""
    from modeller.maps.palette import NEIGHBOUR_FILL, SIDES

    _doc, out = site
    v = Visit(tabs["desktop"], out / "land-swap.html")
    try:
        page = v.page
        assert page.get_attribute("#mdl-map .leaflet-map-pane", "aria-hidden") == "true"
        # a table box is a Tab stop only where it scrolls (at 1440 px, none of them did)
        stops = page.evaluate(
            "() => Array.from(document.querySelectorAll('.table-scroll')).map(b =>"
            " [b.scrollWidth > b.clientWidth + 1, b.getAttribute('tabindex')])"
        )
        assert stops and all((t == "0") == scrolls for scrolls, t in stops), stops
        town = page.query_selector("#mdl-map path.m-town").bounding_box()
        page.mouse.move(town["x"] + town["width"] / 2, town["y"] + town["height"] / 2)
        until(page, "() => document.querySelectorAll('.leaflet-tooltip').length === 1")
        assert v.count(".leaflet-tooltip") == 1
        page.keyboard.press("Escape")
        until(page, "() => document.querySelectorAll('.leaflet-tooltip').length === 0")
        assert v.count(".leaflet-tooltip") == 0
        zoom = page.evaluate("() => window.mdlMaps[0].getZoom()")
        page.focus("#mdl-map .leaflet-control-zoom-in")
        ring = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineColor, s.outlineStyle, s.outlineWidth]; }"
        )
        assert ring[1] == "solid" and float(ring[2].rstrip("px")) >= 2
        assert _contrast(ring[0], "#ffffff") >= 3 and _contrast(ring[0], SIDES["ukraine"]) >= 3
        before = page.evaluate("() => window.scrollY")
        page.keyboard.press(" ")
        page.evaluate(ZOOMED)
        assert page.evaluate("() => window.mdlMaps[0].getZoom()") > zoom
        assert page.evaluate("() => window.scrollY") == before
        colours = page.evaluate(
            "() => ['m-oblast', 'm-country', 'm-river'].map(k => { const el ="
            " document.querySelector('.m-label.' + k); return el && getComputedStyle(el).color; })"
        )
        oblast, country, river = colours
        assert oblast and min(_contrast(oblast, c) for c in SIDES.values()) >= 4.5
        assert country is None or _contrast(country, NEIGHBOUR_FILL) >= 4.5
        assert river is None or _contrast(river, SIDES["ukraine"]) >= 4.5
        v.assert_clean()
    finally:
        v.close()
    v = Visit(tabs["desktop"], f"{(out / 'index.html').as_uri()}#land-swap")
    try:
        page = v.page
        page.focus("a.skip")
        page.keyboard.press("Enter")
        settle(page)
        assert page.evaluate("() => location.hash") == "#land-swap"
        assert page.evaluate("() => document.activeElement.id") == "mdl-main"
        v.assert_clean()
    finally:
        v.close()


def test_a_reader_asking_for_less_motion_gets_maps_that_do_not_animate(browser, site):
    """prefers-reduced-motion was ignored: Leaflet's zoom and fade animations and the pan's
    inertia ran whatever the reader had asked for."""
    _doc, out = site
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto((out / "land-swap.html").as_uri())
        settle(page)
        flags = page.evaluate(
            "() => window.mdlMaps.map(m => [m.options.zoomAnimation, m.options.fadeAnimation,"
            " m.options.inertia])"
        )
        assert flags and all(f == [False, False, False] for f in flags), flags
    finally:
        context.close()
    context = browser.new_context(viewport=DESKTOP)  # (and by default, as before)
    try:
        page = context.new_page()
        page.goto((out / "land-swap.html").as_uri())
        settle(page)
        assert page.evaluate("() => window.mdlMaps[0].options.zoomAnimation") is True
    finally:
        context.close()


FITTED = """() => window.mdlMaps.every(m => {
  const c = m.getContainer(), size = m.getSize();
  return size.x === c.clientWidth && size.y === c.clientHeight;
})"""


def test_printed_from_a_wide_screen_the_map_is_framed_for_the_paper(tabs, site):
    """Printed from a desktop window, the map is framed again for the paper's size and its
    labels placed again at once: the print is made before a timer could run (the map had
    kept the screen's view, cut to the printed size: Donetsk's land and callouts cut off)."""
    _doc, out = site
    for page, selector in [("land-swap.html", "#mdl-map"), ("index.html", "#mdl-map-after")]:
        v = Visit(tabs["desktop"], out / page)
        try:
            settle(v.page)
            v.page.evaluate("() => { window.setTimeout = () => 0; }")  # as when printing
            v.page.emulate_media(media="print")
            # once the page has seen the print media (its maps measured at their printed size)
            v.page.wait_for_function(FITTED, timeout=5000)
            seen = v.page.evaluate(PRINTED, selector)
            assert seen["changed"] > 0 and seen["cut"] == 0, (page, seen)
            assert not seen["outside"], (page, seen["outside"])
        finally:
            v.page.emulate_media(media="null")
            v.close()


def test_xss_probe_is_shown_literally_and_runs_nothing(tabs, site):
    doc, out = site
    i = next(i for i, e in enumerate(doc["scenarios"]) if e["id"] == "xss-probe")
    e = doc["scenarios"][i]
    v = Visit(tabs["desktop"], out / maps.page_names(doc)[i])
    try:
        assert v.page.locator("h1.title").inner_text() == e["title"]
        assert e["title"] == "<img src=x onerror=alert(1)>"
        assert v.page.locator("p.summary").inner_text() == e["summary"]
        assert v.page.locator("p.notes").text_content() == e["notes"]  # in closed details
        assert v.page.title().startswith(e["title"])
        assert v.page.locator("main img, header img").count() == 0
        dmz = v.page.locator('.legend li[data-status="dmz"] .lg-label').inner_text()
        assert dmz.startswith("<svg onload=alert(6)>")
        v.page.wait_for_timeout(200)
        v.assert_clean()
    finally:
        v.close()
    v = Visit(tabs["desktop"], (out / "index.html").as_uri() + "#xss-probe")
    try:
        assert v.page.locator("#mdl-after-caption").inner_text() == e["title"]
        assert e["title"] in v.texts(".picker .pk-title")
        v.assert_clean()
    finally:
        v.close()


LONG_WORDS = """
id: long-words
title: Freeze along the line — Zaporizhzhia_Kherson_Donetsk_Luhansk_administrative_borders
statuses:
  zone: {label: Demilitarised_zone_under_international_supervision_(UN), colour: "#7570b3"}
  hindi: {label: HINDI, colour: "#1b9e77"}
steps:
  - assign: zone
    where: {oblast: Donetsk, held_by: ukraine}
  - assign: hindi
    where: {oblast: Zaporizhzhia, held_by: ukraine}
"""
HINDI = "विसैन्यीकृतक्षेत्रअंतर्राष्ट्रीयपर्यवेक्षणकेअधीनसंयुक्तराष्ट्रसंघ"
"""One Devanagari word of 40-odd letters (a status label): it breaks only between its
letters with their vowel signs and conjuncts (tables.breakable, by grapheme clusters)."""
LONG_WORDS = LONG_WORDS.replace("HINDI", HINDI)
RIGHT_TO_LEFT = """
id: rtl
title: خطة السلام — تجميد خط التماس في دونيتسك ولوهانسك
summary: تتنازل أوكرانيا عن دونيتسك.
reported:
  - source: رويترز
    date: 2025-11-20
steps:
  - assign: russia
    where: {oblast: Donetsk, held_by: ukraine}
"""


# where the provenance draws the Arabic source and the "2025" of its date
SOURCE_AND_DATE = """() => {
    const rect = (node, text) => {
        const r = document.createRange(), at = node.textContent.indexOf(text);
        r.setStart(node, at); r.setEnd(node, at + text.length);
        const b = r.getBoundingClientRect(); return {left: b.left, right: b.right};
    };
    const walk = document.createTreeWalker(document.querySelector('footer.prov'), 4);
    let source = null, day = null;
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (!source && n.textContent.includes('رويترز')) source = rect(n, 'رويترز');
        if (source && !day && n.textContent.includes('2025-11-20')) day = rect(n, '2025');
    }
    return [source, day];
}"""


@pytest.fixture(scope="module")
def long_words_site(tmp_path_factory) -> Path:
    """The site of LONG_WORDS and RIGHT_TO_LEFT (once for both screen sizes)."""
    from click.testing import CliRunner

    from modeller.cli import main

    tmp = tmp_path_factory.mktemp("long-words")
    (tmp / "long-words.yaml").write_text(LONG_WORDS, encoding="utf-8")
    (tmp / "rtl.yaml").write_text(RIGHT_TO_LEFT, encoding="utf-8")
    out = tmp / "maps"
    result = CliRunner().invoke(
        main, ["run", str(tmp), "-b", _baseline(), "--no-images", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_long_words_wrap_and_right_to_left_titles_stay_apart_from_figures(
    tabs, long_words_site, size
):
    """A title or label of one long word had made pages 743 px wide on a 390 px phone,
    clipped the map label to 'Demilitarised_zone_under_i', and pushed the picker's date
    out of view; an Arabic title beside '6,540 km²' had read '6,540 <title> km²'."""
    out = long_words_site
    for page in ("index.html", "long-words.html", "rtl.html"):
        v = Visit(tabs[size], out / page)
        try:
            _check_page(v, f"{page} ({size})")
            clipped = v.page.evaluate(
                """() => Array.from(document.querySelectorAll(
                    '.m-label-text, .lg-label, .pk-title, .pk-date, h1')).filter(e =>
                    e.offsetParent !== null && (e.scrollWidth > e.clientWidth + 1
                    || e.getBoundingClientRect().right > innerWidth + 0.5))
                    .map(e => e.textContent)"""
            )
            assert clipped == [], f"{page} ({size}): cut off or off screen: {clipped}"
            bidi = v.page.evaluate(
                """() => Array.from(document.querySelectorAll('.pk-title, .lg-label, h1'))
                    .map(e => getComputedStyle(e).unicodeBidi)"""
            )
            assert bidi and set(bidi) == {"isolate"}, bidi
            if page == "index.html":
                # the after map's caption, each legend's heading and the comparison's rows
                # name a scenario apart from the words around them (an Arabic title had
                # been jumbled with 'Legend:' and the caption's 'After:')
                named = v.page.evaluate(
                    """() => ['#mdl-after-caption', '.legend h2 bdi', 'tbody th bdi'].map(
                        q => Array.from(document.querySelectorAll(q)).map(e =>
                        getComputedStyle(e).unicodeBidi))"""
                )
                assert all(named) and {b for n in named for b in n} == {"isolate"}, named
                if size == "desktop":  # a title of one long word wraps: the table fits
                    box = v.page.locator("table.t-compare").evaluate(
                        "t => [t.offsetWidth, t.closest('.table-scroll').clientWidth]"
                    )
                    assert box[0] <= box[1] + 1, box
            if page == "long-words.html" and size == "desktop":
                # a status label of one long word breaks in every table naming it: the km²
                # and people stay in view (the label had pushed them out of sight at 1440
                # px; the oblasts' table, opened, had still scrolled by 359 px)
                wide = v.page.evaluate(
                    """() => ['t-transfers', 't-towns', 't-status', 't-oblasts'].map(c => {
                        document.querySelectorAll('details').forEach(d => { d.open = true; });
                        const t = document.querySelector('table.' + c);
                        return [c, t.offsetWidth - t.closest('.table-scroll').clientWidth]; })"""
                )
                assert all(w <= 1 for _, w in wide), wide
                # and reads, and is copied, as written: its break points add no character
                # (zero-width spaces had come along into a reader's copy)
                cells = v.page.evaluate(
                    """() => Array.from(document.querySelectorAll(
                        'table.t-transfers td, table.t-towns td')).map(e => e.textContent)"""
                )
                label = "Demilitarised_zone_under_international_supervision_(UN)"
                assert label in cells and HINDI in cells, cells
                assert v.page.locator("table.t-transfers td wbr").count() >= 5 + 3
            if page == "rtl.html":  # an Arabic source had its date drawn before it
                source, day = v.page.evaluate(SOURCE_AND_DATE)
                assert day["left"] >= source["right"] - 0.5, (size, source, day)
                # an Arabic summary reads right to left (its full stop at its left end)
                summary = v.page.locator("p.summary")
                assert summary.evaluate("e => getComputedStyle(e).direction") == "rtl"
                # and so does its Arabic title, its first word at the right, as on the PNG
                title = v.page.locator("h1.title")
                assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
            v.assert_clean()
        finally:
            v.close()


def test_a_tip_opened_by_the_maps_edge_stays_inside_the_map(tabs, site):
    """On a phone, a tap on Donetsk by the map's left edge had opened a 442 px tip 211 px
    off screen (the oblast's name and first figures lost), see-through over the labels."""
    _doc, out = site
    v = Visit(tabs["phone"], out / "land-swap.html")
    try:
        frame = v.box("#mdl-map")
        for edge in ("left", "right"):  # Donetsk moved to that edge, then tapped
            x, y = v.page.evaluate(
                """(edge) => { const m = window.mdlMaps[0], w = m.getSize().x;
                  const p = m.latLngToContainerPoint([48.1, 37.7]);
                  m.panBy([p.x - (edge === 'left' ? 14 : w - 14), 0], {animate: false});
                  const q = m.latLngToContainerPoint([48.1, 37.7]); return [q.x, q.y]; }""",
                edge,
            )
            v.page.evaluate(TAPPED)
            v.page.touchscreen.tap(frame["x"] + x, frame["y"] + y)
            # the tip opens on the tap's click; one closed by it is gone 200 ms later
            until(v.page, ONE_TIP, timeout=3000)
            tip = v.page.locator(".leaflet-tooltip")
            assert tip.count() == 1 and "Donetsk" in tip.inner_text(), edge
            box = v.box(".leaflet-tooltip")
            assert box["x"] >= frame["x"] - 0.5, (edge, box, frame)
            assert box["x"] + box["w"] <= frame["x"] + frame["w"] + 0.5, (edge, box, frame)
            assert tip.evaluate("e => e.style.opacity") == "1"  # (Leaflet's default: 0.9)
        v.assert_clean()
    finally:
        v.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_towns_tip_reads_as_lines_of_text(tabs, site, size):
    """A town's tip (pointed at, or tapped on a phone) had been 27 px wide and 1,600 px
    tall, a letter a line, on every page: in Leaflet's zero-width pane it took the width
    of its narrowest word. It is as wide as its lines, within the map's frame."""
    _doc, out = site
    v = Visit(tabs[size], out / "plan-28-points-2025-11.html")
    try:
        hit = v.page.locator("path.m-town-hit").first
        box = hit.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        if size == "phone":
            v.page.evaluate(TAPPED)
            v.page.touchscreen.tap(x, y)
            until(v.page, ONE_TIP, timeout=3000)
        else:
            v.page.mouse.move(x, y)
            until(v.page, "() => document.querySelectorAll('.leaflet-tooltip').length === 1")
        tip = v.page.locator(".leaflet-tooltip")
        assert tip.count() == 1 and "changes hands" in tip.inner_text()
        b, frame = v.box(".leaflet-tooltip"), v.box("#mdl-map")
        lines = tip.evaluate(
            "e => Math.round(e.querySelector('.m-tip').getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(e).lineHeight))"
        )
        assert b["w"] >= 150 and lines <= 6, (b, lines)  # name, people, what changes: a few
        assert b["w"] <= frame["w"] + 0.5 and b["h"] <= 150, b
    finally:
        v.close()


def _tip_of_donetsk(v, size: str):
    """Donetsk's tip, pointed at (desktop) or tapped (phone): its locator."""
    frame = v.box("#mdl-map")
    x, y = v.page.evaluate(
        """() => { const m = window.mdlMaps[0];
          const q = m.latLngToContainerPoint([48.3, 37.6]); return [q.x, q.y]; }"""
    )
    if size == "phone":
        v.page.evaluate(TAPPED)
        v.page.touchscreen.tap(frame["x"] + x, frame["y"] + y)
        until(v.page, ONE_TIP, timeout=3000)
    else:
        v.page.mouse.move(frame["x"] + x, frame["y"] + y)
        until(v.page, "() => document.querySelectorAll('.leaflet-tooltip').length === 1")
    return v.page.locator(".leaflet-tooltip")


def _past_right_edge(tip) -> float:
    """How far the tip's contents reach past its box's right edge, in px (its scrollWidth
    counts Leaflet's arrow)."""
    return tip.evaluate(
        """e => { const r = e.getBoundingClientRect();
          return Math.max(0, ...[...e.querySelectorAll('*')].map(
            c => c.getBoundingClientRect().right - r.right)); }"""
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_oblasts_tip_keeps_each_figure_on_one_line(tabs, site, size):
    """An oblast's tip had been ~210 px wide at any screen size, its table breaking
    '28,400 km²' and '1,350,000 people' in two: each figure is now one unbroken line, and
    the tip still fits the map's frame."""
    _doc, out = site
    v = Visit(tabs[size], out / "plan-28-points-2025-11.html")
    try:
        frame = v.box("#mdl-map")
        tip = _tip_of_donetsk(v, size)  # four statuses, figures with ranges
        assert tip.count() == 1 and "Donetsk" in tip.inner_text()
        lines = tip.evaluate(
            "e => [...e.querySelectorAll('.m-tip .nw')].map(s => s.getClientRects().length)"
        )
        assert len(lines) >= 4 and set(lines) == {1}, lines
        b = v.box(".leaflet-tooltip")
        assert b["w"] <= frame["w"] + 0.5, (b, frame)
        overflow = _past_right_edge(tip)  # (its scrollWidth counts Leaflet's arrow)
        assert overflow <= 0.5, overflow  # nothing past the tip's box (a phone's: 50 px)
    finally:
        v.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_embedded_page_grows_its_frame_to_its_height(browser, site, size):
    """The embed code was an iframe 780 px tall: a phone showed a tenth of the page in a
    box that scrolled inside the article. Framed, the page tells its height to the page
    around it, whose one-line script (part of the embed code) sets the frame to it: nothing
    scrolls inside, the maps keep a fixed height, and the article's text follows below."""
    import html as html_lib

    doc, out = site
    sid = LOOKED_AT[0]
    page_html = (out / f"{sid}.html").read_text("utf-8")
    code = re.search(r'<pre class="embed-code">(.*?)</pre>', page_html, re.S)
    assert code, "no embed code on the page"
    host = out / f"host-{size}.html"
    host.write_text(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        "<body style='margin:0;padding:8px'><h1>An article</h1><p>Before the map.</p>"
        f"{html_lib.unescape(code.group(1))}<p id=after>After the map.</p></body>",
        "utf-8",
    )
    context = browser.new_context(viewport=SIZES[size])
    try:
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page = context.new_page()
        page.goto(host.as_uri())
        page.wait_for_function(
            "() => { const f = document.querySelector('iframe');"
            " return f && f.getBoundingClientRect().height !== 780; }",
            timeout=15_000,
        )
        frame = page.frames[1]
        frame.wait_for_function("() => document.querySelector('.mapwrap') !== null")
        settle(page)
        box = page.evaluate("document.querySelector('iframe').getBoundingClientRect().toJSON()")
        inner = frame.evaluate(
            "() => ({body: document.body.getBoundingClientRect().height,"
            " scroll: document.documentElement.scrollHeight, view: window.innerHeight,"
            " framed: document.documentElement.classList.contains('framed'),"
            " map: document.querySelector('.mapwrap').getBoundingClientRect().height})"
        )
        after = page.evaluate("document.getElementById('after').getBoundingClientRect().top")
        keep_shot(page, f"embed-{size}", full_page=True)
        # "All scenarios" opens beside the article, not the whole index inside its frame
        with context.expect_page() as opened:
            frame.get_by_role("link", name="← All scenarios").click()
        assert opened.value.url.endswith("/index.html")
        assert page.frames[1].url.endswith(f"/{sid}.html")  # the frame still shows the map
    finally:
        context.close()
    assert inner["framed"]
    assert abs(box["height"] - inner["body"]) <= 2, (box, inner)  # the frame is the page
    assert inner["scroll"] <= inner["view"] + 1, inner  # nothing scrolls inside the frame
    assert inner["map"] == (600 if size == "desktop" else 440), inner  # fixed, not 60vh
    assert after >= box["bottom"] - 1, (after, box)  # the article goes on below the map
    assert box["height"] > 780  # (the whole page, taller than the default frame)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_tip_of_a_long_one_word_status_keeps_its_figures_inside(tabs, long_words_site, size):
    """A status labelled with one long word had pushed the tip's figures 300 px past its
    white box, over the map (a phone's showed the row names only)."""
    v = Visit(tabs[size], long_words_site / "long-words.html")
    try:
        frame = v.box("#mdl-map")
        tip = _tip_of_donetsk(v, size)  # where the long-named status is
        assert "Demilitarised" in tip.inner_text()
        overflow = _past_right_edge(tip)
        assert overflow <= 0.5, overflow
        assert v.box(".leaflet-tooltip")["w"] <= frame["w"] + 0.5
        lines = tip.evaluate(
            "e => [...e.querySelectorAll('.m-tip .nw')].map(s => s.getClientRects().length)"
        )
        assert lines and set(lines) == {1}, lines  # figures still unbroken
    finally:
        v.close()


def test_a_phones_tip_opened_low_on_the_map_sits_above_its_credit_and_scale(tabs, site):
    """On a phone, a tap on Donetsk low on the map opened its tip at the map's foot, where
    the credit covered the Ukraine row's figures and the scale bar the Scenario column."""
    _doc, out = site
    v = Visit(tabs["phone"], out / "full-donbas-withdrawal.html")
    try:
        frame = v.box("#mdl-map")
        x, y = v.page.evaluate(
            """() => { const m = window.mdlMaps[0], h = m.getSize().y;
              const p = m.latLngToContainerPoint([48.1, 37.7]);
              const box = m.getContainer().getBoundingClientRect();
              const under = [...document.querySelectorAll('.leaflet-bottom .leaflet-control')]
                .map(c => c.getBoundingClientRect())
                .filter(c => c.height && c.left <= box.left + p.x && c.right >= box.left + p.x)
                .map(c => c.top - box.top - 12);
              m.panBy([0, p.y - Math.min(h - 40, ...under)], {animate: false});
              const q = m.latLngToContainerPoint([48.1, 37.7]); return [q.x, q.y]; }"""
        )  # Donetsk moved to 40 px above the map's foot (or just above a control there: a
        # long credit, four lines on a phone, covers more), then tapped
        v.page.evaluate(TAPPED)
        v.page.touchscreen.tap(frame["x"] + x, frame["y"] + y)
        until(v.page, ONE_TIP, timeout=3000)
        tip = v.page.locator(".leaflet-tooltip")
        assert "Donetsk" in tip.inner_text()
        clash = v.page.evaluate(
            """() => { const t = document.querySelector('.leaflet-tooltip')
                .getBoundingClientRect();
              return [...document.querySelectorAll('.leaflet-bottom .leaflet-control')]
                .map(c => c.getBoundingClientRect())
                .filter(c => c.height && c.right > t.left && c.left < t.right
                  && c.top < t.bottom - 0.5)
                .map(c => [c.left, c.top, c.right, c.bottom]); }"""
        )
        assert clash == [], clash
        box = v.box(".leaflet-tooltip")
        assert box["y"] >= frame["y"] - 0.5, (box, frame)
    finally:
        v.close()


def _many_zones(n_lon: int, n_lat: int) -> str:
    """A scenario of a zone 15 km around each point of a grid over Ukraine (points off its
    land select nothing, and are said to)."""
    lines = ["id: many-zones", "title: Zones on a grid", "statuses:"]
    steps = ["steps:"]
    for k in range(n_lon * n_lat):
        lon = 23.5 + 15.5 * (k % n_lon) / (n_lon - 1)
        lat = 46.0 + 5.5 * (k // n_lon) / (n_lat - 1)
        lines += [f"  z{k}:", f"    label: Zone {k}", "    colour: '#7570b3'"]
        steps += [
            f"- assign: z{k}",
            f"  where: {{near: {{place: [{lon:.2f}, {lat:.2f}], km: 15}}}}",
        ]
    return "\n".join(lines + steps) + "\n"


@pytest.fixture(scope="module")
def many_zones_site(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from modeller.cli import main

    tmp = tmp_path_factory.mktemp("many-zones")
    (tmp / "many-zones.yaml").write_text(_many_zones(8, 5), encoding="utf-8")
    out = tmp / "maps"
    result = CliRunner().invoke(
        main, ["run", str(tmp / "many-zones.yaml"), "-b", "1991", "--no-images", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_crowded_map_places_what_fits_and_nothing_on_anything(tabs, many_zones_site, size):
    """Thirty-odd zones across the country: far more callouts than room. The labels that
    find room are each clear of the others, inside the map, off its buttons, and joined by
    leaders that cross nothing; the rest are left out rather than piled up (a label with no
    room had made a 90-zone page take 8 s to open, looking for it)."""
    v = Visit(tabs[size], many_zones_site / "many-zones.html")
    try:
        v.assert_clean()
        where = f"many zones at {size}"
        m = v.page.evaluate(MEASURE, "#mdl-map")
        _check_labels(m, where)
        areas = [lb for lb in m["labels"] if "m-area" in lb["kind"]]
        hidden = v.count(".m-area.m-hidden")
        assert hidden >= 1, f"{where}: every one of the zones found room (the map is not crowded)"
        # (24 of 35 found room at 1440 px when this was written, 7 on a phone)
        assert len(areas) >= (18 if size == "desktop" else 5), f"{where}: {len(areas)} shown"
    finally:
        v.close()


def test_the_svg_keeps_the_indent_of_each_flows_figures(browser, tmp_path):
    """'What changes hands' indents each flow's km² and people under its name, as the PNG
    draws it; Chromium had dropped the leading spaces of the SVG's texts, so the figures
    sat flush under the names."""
    from helpers import build, shipped

    from modeller.maps import images

    doc, partitions = build(shipped("draft-20-points-2025-12"))
    entry = doc.scenarios[0]
    _, svg = images.image_bytes(images.render(doc, entry, partitions[0]), title=entry.title)
    path = tmp_path / "draft.svg"
    path.write_bytes(svg)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(path.as_uri())
        lines = page.evaluate(
            """() => [...document.querySelectorAll('text')].map(t => {
                const s = t.textContent, first = s.length - s.trimStart().length;
                return [s, first < s.length ? t.getStartPositionOfChar(first).x : null,
                        t.getNumberOfChars()];
            })"""
        )
    finally:
        page.close()
    figures = [i for i, (s, _, _) in enumerate(lines) if s.startswith("    ") and "km² ·" in s]
    assert len(figures) == 3, [s for s, _, _ in lines]  # the draft's three flows
    assert all(" → " in lines[i - 1][0] for i in figures)  # each under its flow's name
    for i in figures:
        name_x, figures_x = lines[i - 1][1], lines[i][1]
        assert figures_x - name_x > 5, (lines[i - 1][0], lines[i][0], name_x, figures_x)
        assert lines[i][2] == len(lines[i][0])  # every character kept, the spaces too


ZONE_NAMES = [
    "Demilitarised buffer zone",
    "UN-administered zone",
    "Free economic zone",
    "Neutral zone under OSCE monitoring and international supervision of its police",
    "Joint administration area",
    "Security zone (no heavy weapons)",
    "Special status territory",
    "International trusteeship",
]
ZONE_OBLASTS = ["Donetsk", "Zaporizhzhia", "Kherson", "Kharkiv", "Sumy", "Mykolaiv", "Luhansk"]


@pytest.fixture(scope="module")
def zones_site(tmp_path_factory) -> Path:
    """Eight scenarios, each with one zone of a long name, and one of them with a title of
    200 letters without a space: a folder of proposals as an analyst might write them."""
    from click.testing import CliRunner

    from modeller.cli import main

    tmp = tmp_path_factory.mktemp("zones")
    for k, name in enumerate(ZONE_NAMES):
        title = "Z" * 200 if k == 7 else f"Proposal {k}: {name}"
        (tmp / f"zone-{k}.yaml").write_text(
            f"id: zone-{k}\ntitle: '{title}'\ndate: '2025-08-1{k}'\n"
            f"statuses:\n  z{k}: {{label: '{name}', colour: '#7570b3'}}\n"
            f"steps:\n  - assign: z{k}\n"
            f"    where: {{oblast: {ZONE_OBLASTS[k % len(ZONE_OBLASTS)]}, held_by: ukraine}}\n"
            f"  - assign: z{k}\n    where: {{oblast: [Kharkiv, Dnipropetrovsk]}}\n",
            encoding="utf-8",
        )
    out = tmp / "maps"
    result = CliRunner().invoke(main, ["run", str(tmp), "--no-images", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_a_folder_of_zones_prints_and_shows_every_column_date_and_row(browser, zones_site):
    """What a browser audit found with zones of long names: printed, the comparison lost
    four columns at A4's edge; a title's unbreakable run pushed its date out of the picker
    ("12 Aug 202"), and a long title made its item taller than a phone's list. The
    comparison now prints on a landscape page, whole; the picker's items fit; and the
    towns' table, a zone of 78 letters in its "To" column, fits the 1440 px side panel."""
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto((zones_site / "index.html").as_uri())
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert any(float(w) > float(h) for w, h in sizes), sizes  # a landscape page in it
        # the print layout on that page's width (297 mm less 24 mm of margins, at 96 px an inch)
        page.set_viewport_size({"width": 1032, "height": 700})
        page.emulate_media(media="print")
        wide = page.evaluate(
            """() => { const t = document.querySelector('.t-compare');
                return [t.getBoundingClientRect().width, t.parentElement.clientWidth,
                        t.querySelectorAll('thead th').length]; }"""
        )
        assert wide[0] <= wide[1] + 1 and wide[2] == 8 + len(ZONE_NAMES), wide
        page.emulate_media(media="screen")
        page.set_viewport_size(DESKTOP)
        page.goto((zones_site / "zone-3.html").as_uri())
        towns = page.evaluate(
            """() => { const b = document.querySelector('.t-towns').closest('.table-scroll');
                return [b.scrollWidth, b.clientWidth]; }"""
        )
        assert towns[0] <= towns[1], towns
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.goto((zones_site / "index.html").as_uri())
            items = page.evaluate(
                """() => { const ul = document.querySelector('.picker ul');
                    return [ul.clientHeight, [...ul.querySelectorAll('li')].map(li => {
                        const d = li.querySelector('.pk-date'), r = d.getBoundingClientRect();
                        return [li.getBoundingClientRect().height, r.right,
                                li.getBoundingClientRect().right, d.scrollWidth - d.clientWidth];
                    })]; }"""
            )
            height, rows = items
            for tall, right, edge, cut in rows:
                assert right <= edge and cut <= 0, (size, rows)  # each date whole, in its item
                assert tall < 0.8 * height, (size, rows)  # and each item well inside the list
    finally:
        page.close()
