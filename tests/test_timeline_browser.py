"""The timeline's chart page in headless Chromium, opened from disk with the network blocked,
at 1440×900 and 390×844: no external requests or console errors, no horizontal overflow,
one y-axis per chart, dates on one line, each proposal's date marked where it belongs,
text at a readable size, the same-scale toggle, links to the maps and the data, and charts
and data tables equal to the JSON table. Same browser setup and skip rules as
tests/test_maps_browser.py; screenshots go to test-artifacts/ with
MODELLER_TEST_SHOTS=1."""

from __future__ import annotations

import json
from datetime import date as Date
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_maps import write_probe
from test_maps_browser import (  # noqa: F401 (the browser fixture)
    BROKEN_WORDS,
    DESKTOP,
    Tab,
    Visit,
    browser,
    settle,
)
from test_timeline_page import synthetic

from modeller import timeline_page
from modeller.cli import main

REPO = Path(__file__).resolve().parent.parent
SPAN = "deepstate:2025-07-01..2025-08-31"
SIZES = ((1440, 900, "desktop"), (390, 844, "phone"))
MIN_FONT_PX = 11.5


@pytest.fixture(scope="module")
def page(shared_data, tmp_path_factory) -> tuple[dict, Path]:
    """The page and JSON table as ``modeller timeline -f json`` writes them, into
    maps/timeline/ beside the maps that ``modeller run`` wrote first."""
    tmp = tmp_path_factory.mktemp("timeline-page")
    probe = write_probe(tmp)
    donbas = REPO / "scenarios" / "full-donbas-withdrawal.yaml"
    swap = REPO / "scenarios" / "land-swap.yaml"
    maps = tmp / "maps"
    result = CliRunner().invoke(
        main, ["run", str(swap), "-o", str(maps), "--no-images", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    out = maps / "timeline"
    args = ["timeline", str(donbas), str(swap), str(probe)]
    args += ["--baselines", SPAN, "--every", "7d", "-f", "json", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    return doc, out / "timeline.html"


COLS = (
    "cedes_km2",
    "cedes_people",
    "regains_km2",
    "regains_people",
    "baseline_russia_km2",
    "baseline_russia_people",
)


def _expected(doc: dict, scenario: str) -> dict[str, dict[str, float]]:
    """Per date, summed from the JSON rows: what the chart and its table must show."""
    out: dict[str, dict[str, float]] = {}
    for r in doc["rows"]:
        if r["scenario"] != scenario:
            continue
        d = out.setdefault(r["date"], dict.fromkeys(COLS, 0.0))
        if r["status"] == "ukraine":
            d["cedes_km2"] += r["lost_km2"]
            d["cedes_people"] += r["lost_people"]
            d["regains_km2"] += r["gained_km2"]
            d["regains_people"] += r["gained_people"]
        if r["status"] == "russia":
            d["baseline_russia_km2"] += r["baseline_km2"]
            d["baseline_russia_people"] += r["baseline_people"]
    return out


@pytest.fixture(scope="module")
def tab(browser):  # noqa: F811
    """One page for every visit here (a context and renderer each had cost as much as the
    visit): a desktop context, as each visit had, set to the visit's size after loading."""
    opened = Tab(browser, DESKTOP)
    yield opened
    opened.close()


def _visit(tab: Tab, path: Path, width: int, height: int) -> Visit:
    tab.page.emulate_media(media="null")  # (a printed visit's media is not the next one's)
    tab.page.set_viewport_size(DESKTOP)
    v = Visit(tab, path)
    v.page.set_viewport_size({"width": width, "height": height})
    settle(v.page)  # (the page has no script: the new size is laid out at the next frame)
    return v


def test_chart_page_equals_the_table(tab, page):
    doc, path = page
    v = _visit(tab, path, 1440, 900)
    try:
        v.assert_clean()
        sections = v.page.locator("section.scenario")
        assert sections.count() == len(doc["scenarios"]) == 3
        weeks = ["2025-07-01", "2025-07-08", "2025-07-15", "2025-07-22", "2025-07-29"]
        weeks += ["2025-08-05", "2025-08-12", "2025-08-19", "2025-08-26", "2025-08-31"]
        for i, sc in enumerate(doc["scenarios"]):
            section = sections.nth(i)
            assert section.get_attribute("data-scenario") == sc["id"]
            assert section.locator("h2.title").inner_text() == sc["title"]  # literally
            expected = _expected(doc, sc["id"])
            assert sorted(expected) == weeks
            # two charts (km², people), cedes and regains in each, one point per date
            assert section.locator("figure.chart").count() == 2
            lines = section.locator("path.series")
            assert lines.count() == 4
            for j in range(4):
                assert lines.nth(j).get_attribute("data-n") == str(len(weeks))
                d = lines.nth(j).get_attribute("d").split()
                assert len(d) == len(weeks) and d[0][0] == "M"
                assert all(p[0] == "L" for p in d[1:])  # weekly: no gap, one line
            section.locator("details summary").click()
            rows = section.locator("table.t-series tbody tr")
            assert rows.count() == len(weeks)
            for r, d in enumerate(weeks):
                row = rows.nth(r)
                assert row.locator("th time").get_attribute("datetime") == d
                values = [
                    float(x)
                    for x in row.locator("td").evaluate_all("cs => cs.map(c => c.dataset.v)")
                ]
                for name, got in zip(COLS, values, strict=True):
                    # (a sum of up to 27 oblast rows, each written to 0.01 km², 0.1 people)
                    slack = 1.5 if name.endswith("people") else 0.15
                    assert got == pytest.approx(expected[d][name], rel=1e-6, abs=slack)
        # the overview: every scenario's line on one axis
        assert v.count("#overview path.overview-line") == 3
        donbas = _expected(doc, "full-donbas-withdrawal")
        ceded = [donbas[d]["cedes_km2"] for d in sorted(donbas)]
        assert all(x > 5000 for x in ceded) and ceded[0] > ceded[-1]
        # words: the cadence, month names, links to the maps and the data
        assert "weekly" in v.page.locator("h1").inner_text()
        assert "day by day" not in v.page.content()
        ticks = v.texts(".scenario .xtick")
        assert ticks and all(t.split()[0] in ("Jul", "Aug") for t in ticks)
        assert v.count('a[href="timeline.json"]') == 1
        assert v.count('a[href="../index.html"]') == 1
        assert v.count('section[data-scenario="land-swap"] a[href="../land-swap.html"]') == 1
        assert (path.parent.parent / "land-swap.html").exists()
        footer = v.page.locator("footer.prov").inner_text()
        assert "DeepStateMap" in footer and doc["data_version"] in footer
        v.assert_clean()
    finally:
        v.close()


JS_LAYOUT = """() => {
  const vis = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0; };
  const charts = Array.from(document.querySelectorAll('figure.chart')).map(f => {
    const plot = f.querySelector('.plot').getBoundingClientRect();
    const axes = Array.from(f.querySelectorAll('.yaxis')).filter(vis);
    const ticks = Array.from(f.querySelectorAll('.ytick')).filter(vis)
      .map(t => t.getBoundingClientRect());
    const mark = f.querySelector('line.proposal');
    const label = f.querySelector('.mark');
    return {id: f.id, axes: axes.length, plot: [plot.left, plot.width],
      tickRight: Math.max(...ticks.map(r => r.right)),
      tickLeft: Math.min(...ticks.map(r => r.left)),
      mark: mark ? mark.getBoundingClientRect().left + mark.getBoundingClientRect().width / 2
                 : null,
      markDate: label ? label.dataset.date : null,
      markLabel: label ? label.getBoundingClientRect().toJSON() : null};
  });
  const small = Array.from(document.querySelectorAll('body *')).filter(el =>
      vis(el) && Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())
      && parseFloat(getComputedStyle(el).fontSize) < MIN)
    .map(el => el.tagName + ' ' + el.textContent.trim().slice(0, 30));
  const wrapped = Array.from(document.querySelectorAll('tbody th time, .xtick, .mark, .ytick'))
    .filter(vis).filter(el => el.getBoundingClientRect().height >
        1.8 * parseFloat(getComputedStyle(el).fontSize))
    .map(el => el.textContent);
  return {scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth, charts, small, wrapped};
}""".replace("MIN", str(MIN_FONT_PX))


@pytest.mark.parametrize(("width", "height", "name"), SIZES)
def test_layout_at_desktop_and_phone_size(tab, page, width, height, name):
    doc, path = page
    v = _visit(tab, path, width, height)
    try:
        for d in v.page.locator("details").all():
            d.evaluate("d => d.open = true")  # tables too: their dates must not wrap
        got = v.page.evaluate(JS_LAYOUT)
        assert got["scroll"] <= got["client"], f"horizontal page scroll at {width} px"
        assert got["small"] == [], f"text under {MIN_FONT_PX}px: {got['small'][:5]}"
        assert got["wrapped"] == [], f"wrapped dates or labels: {got['wrapped'][:5]}"
        dates = sorted({r["date"] for r in doc["rows"]})
        x0, x1 = (Date.fromisoformat(d).toordinal() for d in (dates[0], dates[-1]))
        proposed = {sc["id"]: sc["date"] for sc in doc["scenarios"]}
        marks = 0
        for c in got["charts"]:
            assert c["axes"] == 1, f"{c['id']}: {c['axes']} y-axes"
            left, w = c["plot"]
            assert c["tickRight"] <= left + 1, f"{c['id']}: a tick label right of the axis"
            assert c["tickLeft"] >= 0
            if c["mark"] is not None:
                marks += 1
                sid = v.page.evaluate(
                    f"document.getElementById('{c['id']}').closest('section').dataset.scenario"
                )
                assert c["markDate"] == proposed[sid]
                day = Date.fromisoformat(proposed[sid]).toordinal()
                assert c["mark"] == pytest.approx(left + (day - x0) / (x1 - x0) * w, abs=1.5)
                box = c["markLabel"]
                assert box["left"] >= 0 and box["right"] <= got["client"]
        # full-donbas-withdrawal and land-swap are dated 2025-08-15, inside the span
        assert marks == 4
        v.shot(f"timeline-{name}")  # the first screen
        v.shot(f"timeline-{name}-full", full_page=True)
        v.assert_clean()
    finally:
        v.close()


def test_same_scale_toggle_puts_every_scenario_on_one_axis(tab, page):
    _, path = page
    v = _visit(tab, path, 1440, 900)
    try:
        top = (
            "el => Array.from(el.querySelectorAll('.yaxis')).filter(a => "
            "getComputedStyle(a).display !== 'none')[0].lastElementChild.textContent"
        )
        charts = v.page.locator(".scenario figure.chart")
        own = [charts.nth(i).evaluate(top) for i in range(charts.count())]
        v.page.locator("#same-scale").check()
        same = [charts.nth(i).evaluate(top) for i in range(charts.count())]
        km2, people = set(same[0::2]), set(same[1::2])
        assert len(km2) == 1 and len(people) == 1  # one scale per unit for all scenarios
        assert own != same
        heights = v.page.locator(".scenario .lines").evaluate_all(
            "gs => gs.map(g => g.getBoundingClientRect().height)"
        )
        assert max(heights) > 0
        v.shot("timeline-same-scale", "section.scenario >> nth=1")
    finally:
        v.close()


OVERLAPPING_TICKS = """() => Array.from(document.querySelectorAll('.xaxis')).flatMap(axis => {
    const boxes = Array.from(axis.querySelectorAll('.xtick'))
        .filter(t => getComputedStyle(t).display !== 'none')
        .map(t => [t.textContent, t.getBoundingClientRect()]);
    return boxes.slice(1).filter(([, r], i) => r.left < boxes[i][1].right + 4)
        .map(([text], i) => boxes[i][0] + ' / ' + text);
})"""


def _overlapping_ticks(v) -> list[str]:
    """Pairs of visible month labels that overlap or touch (under 4 px apart) on one axis."""
    return v.page.evaluate(OVERLAPPING_TICKS)


def _month_labels_apart(tab, tmp_path, table, width, height, shot: str) -> None:
    """The weekly page of ``table`` at a size: no two visible month labels overlap, and at
    least four are shown."""
    path = tmp_path / "timeline.html"
    path.write_text(timeline_page.render(table, every_days=7), encoding="utf-8")
    v = _visit(tab, path, width, height)
    try:
        assert _overlapping_ticks(v) == [], f"month labels overlap at {width} px"
        assert len(v.texts(".xtick")) >= 4
        v.shot(shot)
    finally:
        v.close()


@pytest.mark.parametrize(("width", "height", "name"), SIZES)
def test_month_labels_never_overlap_over_fifteen_months(tab, tmp_path, width, height, name):
    """A span of 15 months put its first label, kept inside the chart, over the second
    ('Jul 2024' over 'Sep 2024') in the desktop pair of charts."""
    table = synthetic(2, 66, step=7)
    _month_labels_apart(tab, tmp_path, table, width, height, f"timeline-15-months-{name}")


@pytest.mark.parametrize(("width", "height", "name"), SIZES)
def test_month_labels_never_overlap_over_the_archives_span(tab, tmp_path, width, height, name):
    """The daily archive's span (8 Jul 2024 to 22 Aug 2026): its last label ('Jul 2026'),
    kept inside the chart, ran into the one before ('Jan 2026') on a phone."""
    from datetime import date

    table = synthetic(2, 111, step=7, start=date(2024, 7, 8))
    assert max(table.columns["date"]) == "2026-08-17"
    _month_labels_apart(tab, tmp_path, table, width, height, f"timeline-archive-span-{name}")


@pytest.mark.parametrize(("width", "height", "name"), SIZES)
def test_month_labels_at_the_ends_of_the_axis_stay_on_the_page(
    tab,
    tmp_path,
    width,
    height,
    name,
):
    """A span ending on a month's first day put its last label ('Mar 2025') half past the
    chart's end: the phone page scrolled sideways by 17 px and cut it to 'Mar 20'."""
    table = synthetic(2, 55, step=1, title="Edge_of_the_axis_with_a_long_unbroken_title")
    assert max(table.columns["date"]) == "2025-03-01"  # the last tick is at 100 %
    path = tmp_path / "timeline.html"
    path.write_text(timeline_page.render(table, every_days=1), encoding="utf-8")
    v = _visit(tab, path, width, height)
    try:
        for d in v.page.locator("details").all():
            d.evaluate("d => d.open = true")
        got = v.page.evaluate(
            """() => ({scroll: document.documentElement.scrollWidth,
                client: document.documentElement.clientWidth,
                out: Array.from(document.querySelectorAll('.xtick')).filter(t =>
                    getComputedStyle(t).display !== 'none').filter(t => {
                        const r = t.getBoundingClientRect(),
                              f = t.closest('.frame').getBoundingClientRect();
                        return r.left < f.left - 0.5 || r.right > f.right + 0.5; })
                    .map(t => t.textContent)})"""
        )
        assert got["out"] == [], f"labels past the chart at {width} px: {got['out'][:4]}"
        assert "Mar 2025" in v.texts(".xtick")
        assert _overlapping_ticks(v) == [], f"month labels overlap at {width} px"
        assert got["scroll"] <= got["client"], f"horizontal page scroll at {width} px"
        assert v.page.evaluate(BROKEN_WORDS) == []
        v.shot(f"timeline-edges-{name}")
        v.assert_clean()
    finally:
        v.close()


def test_printed_a_scenarios_heading_stays_with_its_charts(tab, tmp_path):
    """Printed, a scenario's heading had ended one page and its charts begun the next."""
    table = synthetic(6, 20, step=7)
    path = tmp_path / "timeline.html"
    path.write_text(timeline_page.render(table, every_days=7), encoding="utf-8")
    v = _visit(tab, path, 1440, 900)
    try:
        v.page.emulate_media(media="print")
        kept = v.page.evaluate(
            """() => Array.from(document.querySelectorAll('section.scenario')).map(s => [
                getComputedStyle(s.querySelector('h2.title')).breakAfter,
                getComputedStyle(s.querySelector('.meta')).breakAfter,
                getComputedStyle(s.querySelector('.pair')).breakInside])"""
        )
        assert len(kept) == 6 and all(k == ["avoid", "avoid", "avoid"] for k in kept), kept
        v.page.emulate_media(media="screen")
        assert (
            v.page.evaluate("getComputedStyle(document.querySelector('h2.title')).breakAfter")
            == "auto"
        )
        assert v.page.pdf(format="A4")[:4] == b"%PDF"
    finally:
        v.close()
