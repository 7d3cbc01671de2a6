"""The generated site in a real headless Chromium, opened from disk with all network blocked.

Needs Debian's ``chromium`` at /usr/bin/chromium and Playwright's Python API
(``bash .ci/install-browser``). Skipped when either is missing, except under CI (env ``CI``
set), where a missing browser is a failure. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_maps import write_probe

from modeller import geodata, maps, report
from modeller.document import RunDocument

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser():
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
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


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[RunDocument, Path]:
    """The site as ``modeller run --format json`` writes it, and that JSON document."""
    from click.testing import CliRunner

    from modeller.cli import main

    tmp = tmp_path_factory.mktemp("site")
    probe = write_probe(tmp)
    out = tmp / "maps"
    result = CliRunner().invoke(
        main,
        ["run", str(REPO / "scenarios"), str(probe), "-b", _baseline()]
        + ["--format", "json", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return RunDocument.model_validate(json.loads(result.stdout)), out


class Visit:
    """One page opened from disk; records every request leaving file:/data:, failures,
    console errors, page errors and dialogs."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1500, "height": 950})
        self.page = self.context.new_page()
        self.external, self.failed, self.errors, self.dialogs = [], [], [], []
        self.context.route("**/*", self._route)
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.wait_for_timeout(400)

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

    def shot(self, name: str, selector: str | None = None) -> bytes:
        ARTIFACTS.mkdir(exist_ok=True)
        target = self.page.locator(selector) if selector else self.page
        kwargs = {} if selector else {"full_page": True}
        return target.screenshot(path=str(ARTIFACTS / f"{name}.png"), **kwargs)

    def close(self):
        self.context.close()


def _status_features(e: dict) -> int:
    """Features of the status layer: one per (oblast, baseline status)."""
    return sum(len(o.before) for o in e.oblasts)


def _neighbours() -> int:
    path = geodata.geodata_dir() / "neighbours.geojson"
    return len(json.loads(path.read_text(encoding="utf-8"))["features"])


def test_scenario_pages_render_their_layers_legend_and_tables(browser, site):
    doc, out = site
    for e, name in zip(doc.scenarios, maps.page_names(doc), strict=True):
        v = Visit(browser, out / name)
        try:
            v.assert_clean()
            assert v.count("path.m-status") == _status_features(e), name
            assert v.count("path.m-changed") == len(e.transfers), name
            assert v.count("path.m-oblast") == len(e.oblasts) == 27, name
            assert v.count("path.m-neighbour") == _neighbours(), name
            assert v.count("path.m-town") == len(e.towns), name
            # the legend: every status with the JSON's km² and %, and the km² changing hands
            for s in e.statuses:
                item = v.page.locator(f'.legend li[data-status="{s.status}"]')
                assert item.locator(".lg-label").inner_text() == s.label
                assert item.locator(".lg-km2").inner_text() == report._km(s.km2)
                assert item.locator(".lg-pct").inner_text() == f"{s.pct:.2f}"
            moved = v.page.locator(".legend li.lg-changed .lg-km2").inner_text()
            assert moved == report._km(sum(f.km2 for f in e.flows))
            # the accessible tables carry the terminal table's figures
            assert v.table("t-status") == report.status_rows(e)
            if e.transfers:
                assert v.table("t-transfers") == report.transfer_rows(e)
            if e.towns:
                assert v.table("t-towns") == report.town_rows(e)
            footer = v.page.locator("footer.prov").inner_text()
            assert e.hash in footer and e.baseline.name in footer
            assert v.page.locator("h1.title").inner_text() == e.title  # literally
            map_box = ".mapwrap"
            before = v.shot(name.removesuffix(".html"))
            if e.transfers:  # the layer switch shows the baseline: hatch loses its colour
                fills = {
                    v.page.locator("path.m-changed").nth(i).get_attribute("fill")
                    for i in range(len(e.transfers))
                }
                assert all(f.startswith(f"url(#{maps.palette.HATCH_ID}-") for f in fills)
                shown = v.page.locator(map_box).screenshot()
                v.page.get_by_label(f"Baseline: {e.baseline.name}", exact=False).check()
                v.page.wait_for_timeout(200)
                fills = {
                    v.page.locator("path.m-changed").nth(i).get_attribute("fill")
                    for i in range(len(e.transfers))
                }
                assert fills == {f"url(#{maps.palette.HATCH_ID})"}
                assert v.page.locator(map_box).screenshot() != shown
            assert before
            v.assert_clean()
        finally:
            v.close()


def test_tooltip_shows_an_oblasts_figures(browser, site):
    doc, out = site
    e = next(e for e in doc.scenarios if e.transfers)
    name = maps.page_names(doc)[[x.id for x in doc.scenarios].index(e.id)]
    v = Visit(browser, out / name)
    try:
        box = v.page.locator(".mapwrap").bounding_box()
        # Kirovohrad, in the middle of Ukraine: find it on screen through Leaflet itself
        point = v.page.evaluate(
            """() => { const k = Object.keys(window).find(n => n.startsWith('map_'));
                       const p = window[k].latLngToContainerPoint([48.5, 32.26]);
                       return [p.x, p.y]; }"""
        )
        v.page.mouse.move(box["x"] + point[0], box["y"] + point[1])
        tip = v.page.locator(".leaflet-tooltip")
        tip.wait_for(state="visible", timeout=3000)
        text = tip.inner_text()
        kirovohrad = next(o for o in e.oblasts if o.oblast == "UA-35")
        assert "Kirovohrad" in text
        assert report._km(kirovohrad.after["ukraine"].km2) in text
        v.shot("tooltip", ".mapwrap")
        v.assert_clean()
    finally:
        v.close()


def test_index_compares_baseline_and_scenarios_side_by_side(browser, site):
    doc, out = site
    entries = doc.scenarios
    v = Visit(browser, out / "index.html")
    try:
        v.assert_clean()
        left, right = ".dual figure:nth-of-type(1)", ".dual figure:nth-of-type(2)"
        for side in (left, right):
            assert v.count(f"{side} path.m-oblast") == 27
            assert v.count(f"{side} path.m-neighbour") == _neighbours()
        e0 = entries[0]
        assert v.count(f"{left} path.m-status") == _status_features(e0)
        assert v.count(f"{right} path.m-status") == _status_features(e0)
        assert v.count(f"{left} path.m-changed") == len(e0.transfers)
        assert v.count(f"{right} path.m-changed") == len(e0.transfers)
        assert v.count(f"{right} path.m-town") == len(e0.towns)
        assert v.table("t-compare") == report.compare_rows(doc)
        legend = v.texts(".legend .lg-label")
        for s in e0.statuses:
            assert s.label in legend
        v.shot("index")
        previous = v.page.locator(right).screenshot()
        for i, e in enumerate(entries[1:], start=1):
            # radio buttons of the layer switch carry the (escaped, so literal) titles
            radio = v.page.locator(f"{right} .leaflet-control-layers-base label").nth(i)
            assert radio.inner_text().strip() == e.title
            radio.click()
            v.page.wait_for_timeout(250)
            assert v.page.locator("#mdl-right-caption").inner_text() == e.title
            assert v.count(f"{right} path.m-changed") == len(e.transfers)
            assert v.count(f"{left} path.m-changed") == len(e.transfers)
            assert v.count(f"{right} path.m-town") == len(e.towns)
            assert v.count(f"{left} path.m-status") == _status_features(e)
            now = v.page.locator(right).screenshot()
            if e.transfers != entries[i - 1].transfers:
                assert now != previous, f"switching to {e.id} changed nothing visible"
            previous = now
            v.shot(f"index-{e.id}", ".dual")
        # the two maps pan and zoom together
        v.page.locator(f"{left} .leaflet-control-zoom-in").click()
        v.page.wait_for_timeout(400)
        zooms = v.page.evaluate(
            """() => Object.keys(window).filter(n => /^map_/.test(n))
                     .map(n => window[n].getZoom())"""
        )
        assert len(set(zooms)) == 1 and zooms[0] > 6
        v.assert_clean()
    finally:
        v.close()


def test_xss_probe_is_shown_literally_and_runs_nothing(browser, site):
    doc, out = site
    i = next(i for i, e in enumerate(doc.scenarios) if e.id == "xss-probe")
    e = doc.scenarios[i]
    v = Visit(browser, out / maps.page_names(doc)[i])
    try:
        assert v.page.locator("h1.title").inner_text() == e.title
        assert e.title == "<img src=x onerror=alert(1)>"
        assert v.page.locator("p.summary").inner_text() == e.summary
        assert v.page.locator("p.notes").inner_text() == e.notes
        assert v.page.title().startswith(e.title)
        assert v.page.locator("main img, header img").count() == 0
        dmz = v.page.locator('.legend li[data-status="dmz"] .lg-label').inner_text()
        assert dmz == "<svg onload=alert(6)>"
        v.page.wait_for_timeout(300)
        v.shot("xss-probe")
        v.assert_clean()
    finally:
        v.close()
    v = Visit(browser, out / "index.html")
    try:
        labels = v.texts(".leaflet-control-layers-base label")
        assert e.title in labels
        v.page.locator(".leaflet-control-layers-base label").nth(i).click()
        v.page.wait_for_timeout(250)
        assert v.page.locator("#mdl-right-caption").inner_text() == e.title
        v.assert_clean()
    finally:
        v.close()
