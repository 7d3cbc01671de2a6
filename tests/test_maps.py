"""Map pages without a browser: self-contained, escaped, atomic, small, same figures as JSON.

The fixtures apply the shipped scenarios plus an XSS probe to the ``1991`` baseline (always
available, no external data), so these tests run anywhere in a few seconds.
"""

from __future__ import annotations

import base64
import codecs
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pytest
from helpers import build
from hypothesis import given
from hypothesis import strategies as st

import modeller
from modeller import files, folders, maps

REPO = Path(__file__).resolve().parent.parent
PAGE_LIMIT = 1_500_000
"""Bound on any page's size in bytes (they are about 0.5–0.7 MB; Leaflet alone is 0.15 MB)."""

PROBE_TITLE = "<img src=x onerror=alert(1)>"
PROBE_SUMMARY = "</script><script>alert(2)</script>"
PROBE = f"""\
id: xss-probe
title: '{PROBE_TITLE}'
summary: '{PROBE_SUMMARY}'
notes: 'backtick ` and ${{alert(3)}} and <b>bold</b> & "quotes"'
reported:
  - source: '<script>alert(4)</script>'
    date: 2025-01-01
    url: 'javascript:alert(5)'
statuses:
  dmz:
    label: '<svg onload=alert(6)>'
    colour: '#009e73'
steps:
  - assign: dmz
    where: {{oblast: [Zaporizhzhia]}}
"""

EXTERNAL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
EXTERNAL_CSS = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I)


def write_probe(folder: Path) -> Path:
    path = folder / "xss-probe.yaml"
    path.write_text(PROBE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("probe")
    write_probe(folder)
    return folder


@pytest.fixture(scope="module")
def run(probe_dir) -> tuple:
    """The typed run document and the partitions (what ``write_site`` is given)."""
    return build([REPO / "scenarios", probe_dir / "xss-probe.yaml"], "1991")


@pytest.fixture(scope="module")
def doc(run) -> dict:
    """The run document as JSON-like dicts, for reading figures in the tests."""
    return maps.site.plain(run[0])


@pytest.fixture(scope="module")
def pages(run) -> dict[str, str]:
    return maps.render_site(*run)


def without_leaflet(page: str) -> str:
    """The page minus the inlined Leaflet library (whose source mentions leafletjs.com)."""
    js, css, _ = maps.assets.leaflet_assets()
    assert js in page and css in page, "Leaflet is inlined verbatim"
    return page.replace(js, "").replace(css, "")


class Tables(HTMLParser):
    """Cell texts of every <table>, keyed by its class."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_head = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows = self.tables.setdefault(dict(attrs).get("class", ""), [])
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._rows is not None and not self._in_head:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None and not self._in_head:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_every_scenario_gets_a_page_and_the_index_comes_last(doc, pages):
    assert list(pages) == [*maps.page_names(doc), "index.html"]
    assert len(pages) == len(doc["scenarios"]) + 1


def test_the_oblast_table_lists_the_units_by_name(doc, pages):
    """In ISO code order (Vinnytsia, Volyn, Luhansk, …) the table had read as unsorted."""
    for e, name in zip(doc["scenarios"], maps.page_names(doc), strict=True):
        rows = Tables(pages[name]).tables["t-oblasts"]
        names = list(dict.fromkeys(r[0] for r in rows))
        assert names == sorted(o["name"] for o in e["oblasts"]), name


def test_the_skip_link_says_where_it_leads(doc, pages):
    """The index's main part opens on the scenario picker, not a map: its skip link had
    said 'Skip to the map'."""
    skip = re.compile(r'<a class="skip" href="#mdl-main">([^<]*)</a>')
    assert skip.findall(pages["index.html"]) == ["Skip to the scenarios and their maps"]
    assert re.search(r'<main id="mdl-main"[^>]*>\s*<fieldset class="picker">', pages["index.html"])
    for name in maps.page_names(doc):
        assert skip.findall(pages[name]) == ["Skip to the map"], name


def test_page_names_are_unique_and_never_the_index_or_the_overview():
    ids = ["index", "a", "a", "overview", "timeline"]
    doc = {"scenarios": [{"id": i} for i in ids]}
    names = ["index-2.html", "a.html", "a-2.html", "overview-2.html", "timeline-2.html"]
    # overview.png is the image of all scenarios; timeline.html the timeline's page, when
    # run and timeline share a folder (a scenario 'timeline' had replaced it, silently)
    assert maps.page_names(doc) == names


def test_a_renamed_page_takes_no_other_scenarios_own_name():
    """Scenario 'index' was index-2.html, so scenario 'index-2' got index-2-2.html: a link to
    index-2.html showed either scenario, depending on what else was in the run."""
    for ids in (["index", "index-2", "b"], ["index-2", "b", "index"]):
        pages = maps.page_names({"scenarios": [{"id": i} for i in ids]})
        names = dict(zip(ids, pages, strict=True))
        assert names["index-2"] == "index-2.html" and names["b"] == "b.html"
        assert names["index"] == "index-3.html"


def test_pages_make_no_external_requests_by_default(pages):
    for name, page in pages.items():
        rest = without_leaflet(page)
        # links to the cited sources are the only absolute URLs, and only in the footer
        body, _, footer = rest.partition('<footer class="prov">')
        assert not EXTERNAL_ATTR.search(body), name
        assert not re.search(r"""\bsrc\s*=\s*["']?\s*(?:https?:)?//""", footer, re.I), name
        assert not EXTERNAL_CSS.search(page), name
        assert not re.search(r"<script[^>]+\bsrc\s*=", page, re.I), name
        assert not re.search(r"<link[^>]+\bhref\s*=", page, re.I), name
        assert "tile.openstreetmap.org" not in rest.replace("'https://tile.openstreetmap.org", "")
        for library in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "folium"):
            assert library not in rest.lower(), (name, library)


def test_leaflet_css_refers_to_no_image_files():
    _js, css, version = maps.assets.leaflet_assets()
    assert not re.search(r"url\(\s*['\"]?(?!data:|#)", css)  # #default#VML is local
    assert "images/" not in css


def test_inlined_leaflet_is_the_installed_xstatic_version():
    import xstatic.pkg.leaflet as xleaflet

    _js, _css, version = maps.assets.leaflet_assets()
    assert version == xleaflet.VERSION
    assert (
        f"Leaflet {version}"
        in maps.pages.provenance(
            {
                "method": "",
                "data_sources": [],
                "generated": "",
                "tool": {"name": "", "version": ""},
            },
            [],
            None,
        )["tools"]
    )


def first_scenario(run) -> tuple:
    """The run cut to its first scenario: a one-page site, cheap to render twice."""
    doc, partitions = run
    one = doc.model_copy(update={"scenarios": doc.scenarios[:1], "comparison": doc.comparison[:1]})
    return one, partitions[:1]


def test_osm_tiles_are_opt_in(run):
    pages = maps.render_site(*first_scenario(run), tiles="osm")  # a scenario page and the index
    for name, page in pages.items():
        assert '"tiles":"osm"' in page, name
        assert "OpenStreetMap contributors" in page, name
        assert "no base map" not in page


def test_unknown_tiles_are_refused(run):
    with pytest.raises(ValueError, match="unknown tiles"):
        maps.render_site(*run, tiles="google")


def test_user_text_is_escaped_everywhere(pages):
    probe = pages["xss-probe.html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in probe
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in probe
    for name, page in pages.items():
        for raw in (
            PROBE_TITLE,
            PROBE_SUMMARY,
            "<script>alert(4)",
            "<svg onload",
            "<b>bold</b>",
            "${alert(3)}`",
        ):
            assert raw not in page, (name, raw)
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", page, re.I), name
        # one </script> per <script>: nothing breaks out of a script element
        assert page.lower().count("<script") == page.lower().count("</script>"), name


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("+", "").replace("−", "-").replace("<", "") or 0)


def test_tables_use_status_labels_and_rounded_figures(doc, pages):
    """Every row of the JSON is on the page, in the scenario's words, rounded (people to two
    or three significant figures with their range, km² to three) — never a status code,
    never figures to the person."""
    names = maps.page_names(doc)
    for e, name in zip(doc["scenarios"], names, strict=True):
        tables = Tables(pages[name]).tables
        labels = {s["status"]: s["label"] for s in e["statuses"]}
        rows = tables["t-status"]
        assert [r[0] for r in rows] == [s["label"] for s in e["statuses"]], name
        for r, s in zip(rows, e["statuses"], strict=True):
            assert abs(_number(r[4]) - s["km2"]) <= max(0.005 * s["km2"], 0.5), (name, r)
            value, _, rng = r[6].partition(" (")  # rounded figure (its range)
            assert abs(_number(value) - s["people"]) <= max(0.05 * s["people"], 5), (name, r)
            assert len(value.replace(",", "").rstrip("0")) <= 3, (name, r)  # 2-3 significant
            if rng:
                low, high = (_number(x) for x in rng.rstrip(")").split("–"))
                assert low <= _number(value) <= high, (name, r)
                assert low <= s["people_low"] + 0.5 and high >= s["people_high"] - 0.5
        if e["transfers"]:
            for r, t in zip(tables["t-transfers"], e["transfers"], strict=True):
                # (a label's long word may break at a <wbr>, which adds nothing to the text a
                # reader copies: no zero-width space in it)
                assert r[:3] == [t["oblast_name"], labels[t["from"]], labels[t["to"]]], name
        if e["towns"]:
            for r, t in zip(tables["t-towns"], e["towns"], strict=True):
                assert r[0] == maps.words.place(t["name"])
                assert r[5:] == [labels[t["from"]], labels[t["to"]]]
                assert r[4] == maps.words.people_of(t)  # the order's key, shown
                assert r[3] == maps.words.share_text(t["share"])  # e.g. "60 %", "all"
        # the page says how it rounds as the table rounds (two or three significant figures)
        assert "people to two or three, as fine as their range" in pages[name], name
    compare = Tables(pages["index.html"]).tables["t-compare"]
    dated = sorted(doc["scenarios"], key=lambda e: e["date"] or "9999")
    assert [r[0] for r in compare] == [e["title"] for e in dated]  # by date proposed


def test_comparison_has_a_change_column_for_every_status(doc, pages):
    """Cedes and regains do not add up to Russia's change when a buffer zone takes land: the
    table has a column per status (and label), and each row's changes balance."""
    head = re.search(r'<table class="t-compare">.*?<thead>(.*?)</thead>', pages["index.html"], re.S)
    # (a long word of a label may break: <wbr>, which adds no character)
    columns = [c.replace("<wbr>", "") for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))]
    for e in doc["scenarios"]:
        for s in e["statuses"]:
            if s["km2"] >= 0.5 or s["baseline_km2"] >= 0.5:
                assert f"{markupsafe.escape(s['label'])}: change km²" in columns, s["label"]
    first = next(i for i, c in enumerate(columns) if c.endswith(": change km²"))
    rows = Tables(pages["index.html"]).tables["t-compare"]
    for r in rows:
        changes = [_number(c) for c in r[first:] if c != "—"]
        assert abs(sum(changes)) <= 0.01 * max(abs(c) for c in changes) + 3 if changes else True


def test_pages_name_towns_as_the_news_does(doc, pages):
    """Settlements in news spelling on pages (Sloviansk, Zaporizhzhia); the CSV keeps the
    gazetteer's."""
    renamed = 0
    for e, name in zip(doc["scenarios"], maps.page_names(doc), strict=True):
        shown = re.sub(r'href="data:[^"]*"', "", without_leaflet(pages[name]))
        for t in e["towns"]:
            news = maps.words.place(t["name"])
            assert news in shown, (name, news)
            if news != t["name"]:
                renamed += 1
                assert t["name"] not in shown, (name, t["name"])
    assert renamed  # the shipped scenarios do move towns the gazetteer spells differently
    assert maps.words.place("Slovyansk") == "Sloviansk"
    assert maps.words.place("Kostyantynivka") == "Kostiantynivka"
    assert "Zaporizhzhya" not in maps.payload.base_json()
    assert "Zaporizhzhia" in maps.payload.base_json()


def test_pages_carry_social_metadata_embed_code_and_downloads(doc, pages):
    for e, name in zip(doc["scenarios"], maps.page_names(doc), strict=True):
        page = pages[name]
        for prop in ("og:title", "og:description", "og:type"):
            assert f'property="{prop}"' in page, (name, prop)
        assert 'name="twitter:card"' in page and 'name="description"' in page
        assert f"&lt;iframe src=&#34;{name}&#34;" in page, name
        csv = re.search(
            r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="([^"]+)"', page
        )
        assert csv and csv.group(2) == name.replace(".html", ".csv")
        raw = base64.b64decode(csv.group(1))
        assert raw.startswith(codecs.BOM_UTF8)  # (Excel reads it as UTF-8 only so)
        text = raw.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("data_version,scenario")
        assert f",{e['id']}," in text.splitlines()[1]  # exact figures, this scenario only


def test_provenance_footer_names_scenario_hash_sources_and_baseline(doc, pages):
    for e, name in zip(doc["scenarios"], maps.page_names(doc), strict=True):
        page = pages[name]
        footer = page[page.index('<footer class="prov">') :]
        assert e["hash"] in footer and e["baseline"]["name"] in footer, name
        assert doc["generated"] in footer and doc["tool"]["version"] in footer
        if doc.get("data_version"):
            assert doc["data_version"] in footer
        for source in doc["data_sources"]:
            assert source.split(",")[0] in footer
        for r in e["reported"]:
            assert str(markupsafe.escape(r["source"])) in footer
        # the baselines its held_in steps read are sources too (they had gone unnamed)
        for h in e["held_in"]:
            assert f"Also read (held_in): <bdi>{markupsafe.escape(h['name'])}</bdi>" in footer
    assert [h["name"] for e in doc["scenarios"] for h in e["held_in"]] == ["pre-2022"]


def test_pages_stay_under_the_size_bound(pages):
    for name, page in pages.items():
        assert len(page.encode()) < PAGE_LIMIT, (name, len(page.encode()))


def test_write_site_writes_every_page_and_no_temporary_files(run, pages, tmp_path, monkeypatch):
    monkeypatch.setattr(maps.site, "render_site", lambda *a, **k: pages)  # rendered once
    written = maps.write_site(*run, tmp_path / "site")
    assert [p.name for p in written] == [*maps.page_names(run[0]), "index.html"]
    listed = sorted(p.name for p in written)
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [".modeller-site", *listed]
    prints = {p.name: folders.fingerprint(p.read_bytes()) for p in written}  # size, sha256
    assert folders.listed(tmp_path / "site", ".modeller-site") == prints
    assert all(p.stat().st_mode & 0o444 == 0o444 for p in written)  # publishable


def test_a_rendering_failure_leaves_the_previous_site_intact(run, tmp_path, monkeypatch):
    out = tmp_path / "site"
    small = first_scenario(run)
    maps.write_site(*small, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def boom(*args, **kwargs):
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(maps.pages, "index_page", boom)
    with pytest.raises(RuntimeError, match="rendering failed"):
        maps.write_site(*small, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_writing_failure_leaves_the_previous_site_whole(run, pages, tmp_path, monkeypatch):
    out = tmp_path / "site"
    monkeypatch.setattr(maps.site, "render_site", lambda *a, **k: pages)  # rendered once
    maps.write_site(*run, out)
    (out / "notes.txt").write_text("kept")  # not a page: carried over to the new site
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []
    real_fsync = os.fsync

    def fail_on_second_page(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fail_on_second_page)
    with pytest.raises(OSError, match="No space left"):
        maps.write_site(*run, out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # every page as it was: no mix of old and new, no .tmp
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left
    monkeypatch.setattr(files.os, "fsync", real_fsync)
    maps.write_site(*run, out)
    assert (out / "notes.txt").read_text() == "kept"


def test_partitions_must_match_scenarios(run):
    doc, partitions = run
    with pytest.raises(ValueError, match="one per scenario"):
        maps.render_site(doc, partitions[:-1])


def test_cli_run_writes_the_maps(tmp_path, probe_dir):
    from click.testing import CliRunner

    from modeller.cli import main

    out = tmp_path / "maps"
    result = CliRunner().invoke(
        main,
        ["run", str(probe_dir / "xss-probe.yaml"), "-b", "1991", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".modeller-site",  # what this run wrote (a re-run removes what it no longer writes)
        "index.html",
        "xss-probe.html",
        "xss-probe.png",  # the static images (tests/test_maps_images.py)
        "xss-probe.svg",
    ]
    page = (out / "xss-probe.html").read_text(encoding="utf-8")
    assert 'href="xss-probe.png" download' in page and 'href="xss-probe.svg" download' in page


def _one_page(tmp_path: Path, sid: str, steps: str) -> tuple[str, dict]:
    """The page of a scenario of ``steps`` (YAML lines) on contact-line, and its entry."""
    scenario = tmp_path / f"{sid}.yaml"
    scenario.write_text(f"id: {sid}\ntitle: {sid}\nsteps:\n{steps}", encoding="utf-8")
    doc, partitions = build([scenario], "contact-line")
    html = maps.render_site(doc, partitions)[f"{sid}.html"]
    return html, maps.site.plain(doc)["scenarios"][0]


def test_recognition_is_outlined_on_the_map_and_listed_in_legend_and_table(tmp_path):
    html, entry = _one_page(
        tmp_path,
        "rec",
        "  - {assign: russia, where: {oblast: [Crimea, Sevastopol]}, recognition: de_jure}\n"
        "  - {assign: russia, where: {oblast: Donetsk}, recognition: de_facto}\n",
    )
    rows = {r["recognition"]: r["km2"] for r in entry["recognition"]}
    assert set(rows) == {"de_jure", "de_facto"}
    for rec, km2 in rows.items():
        item = re.search(rf'data-recognition="{rec}".*?lg-km2">([\d,]+)<', html, re.S)
        assert item and abs(int(item.group(1).replace(",", "")) - km2) <= 0.005 * km2 + 0.5
        assert re.search(rf'"recognition":\s*"{rec}"', html)  # its outline is on the map
    assert '<table class="t-recognition">' in html


def test_an_oblasts_land_under_two_recognitions_is_labelled_with_both(tmp_path):
    """Transfers are per recognition, and the map's label (and its opening frame) took
    the last row of an oblast's for all of its land: a 2,190 km² de jure strip was
    labelled "452 km², about 230,000 people", the town beside it."""
    html, entry = _one_page(
        tmp_path,
        "mix",
        "  - {assign: russia, where: {oblast: Donetsk, near: {place: Sloviansk, km: 15}},"
        " recognition: de_jure}\n"
        "  - {assign: russia, where: {oblast: Donetsk, held_by: ukraine,"
        " near: {place: Kramatorsk, km: 8}}}\n",
    )
    rows = [t for t in entry["transfers"] if t["oblast"] == "UA-14" and t["to"] == "russia"]
    assert len(rows) == 2 and {t.get("recognition") for t in rows} >= {"de_jure"}
    said = re.findall(r'"Donetsk: to Russia","area",\d+,"([\d,]+) km²\|([^"]*)"', html)
    assert said, "no area label for Donetsk"
    total = sum(t["km2"] for t in rows)
    assert {int(x.replace(",", "")) for x, _ in said} == {
        int(maps.words.km2(total).replace(",", ""))
    }
    # its people's range is that of the sum (per population variant), as the headline's,
    # not the two rows' ends added up (a wider range for the same people)
    sums = [sum(col) for col in zip(*(t["people_by_variant"] for t in rows), strict=True)]
    value = maps.words.people(sum(t["people"] for t in rows), min(sums), max(sums))
    shown, _, rng = value.partition(" (")
    assert {people for _, people in said} == {f"about {shown} people|({rng}"}


def test_the_comparison_names_each_rows_baseline_when_they_differ(tmp_path):
    """Rows on different baselines (each scenario's own ``baseline:``, ``deepstate:own``)
    had shown only the date proposed; the terminal and Markdown comparisons name it."""
    own = tmp_path / "own-1991.yaml"
    own.write_text(
        "id: own-1991\ntitle: On the 1991 baseline\nbaseline: '1991'\n"
        "steps:\n  - assign: russia\n    where: {oblast: Crimea}\n",
        encoding="utf-8",
    )
    run = build([REPO / "scenarios" / "land-swap.yaml", own], None)
    plain = maps.site.plain(run[0])
    page = maps.render_site(*run)["index.html"]
    head = re.search(r'<table class="t-compare">.*?<thead>(.*?)</thead>', page, re.S)
    columns = re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))
    at = columns.index("Baseline")
    rows = Tables(page).tables["t-compare"]
    by_title = {e["title"]: e["baseline"]["name"] for e in plain["scenarios"]}
    assert {r[0]: r[at] for r in rows} == by_title
    assert sorted(by_title.values()) == ["1991", "contact-line"]
    same = maps.render_site(*build([REPO / "scenarios" / "land-swap.yaml"], "1991"))
    head = re.search(r'<table class="t-compare">.*?<thead>(.*?)</thead>', same["index.html"], re.S)
    assert "Baseline" not in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))  # one: said once
    caption = re.search(
        r'<table class="t-compare">.*?<caption>(.*?)</caption>', same["index.html"], re.S
    )
    assert caption.group(1).startswith("Every scenario against the baseline 1991, by date")


def test_a_scenarios_warnings_are_on_its_page(tmp_path):
    """A step that selects nothing (or deepstate:own standing in with another day) was said
    on the terminal and in JSON, never on the page a reader sees."""
    path = tmp_path / "warned.yaml"
    path.write_text(
        "id: warned\ntitle: Warned\nsteps:\n  - assign: ukraine\n"
        "    where: {oblast: Lviv, held_by: russia}\n",
        encoding="utf-8",
    )
    doc, partitions = build([path], "contact-line")
    (said,) = maps.site.plain(doc)["scenarios"][0]["warnings"]
    page = maps.render_site(doc, partitions)["warned.html"]
    assert f'<p class="warning" dir="auto">Warning: {markupsafe.escape(said)}</p>' in page
    assert "selects nothing" in said
    assert "proposed undated" not in page  # (an undated scenario: no date said)


def test_the_towns_table_says_its_order(doc, pages):
    """Pokrovsk (60,000) listed after Druzhkivka (54,000) had read as a mistake: the towns
    come most people changing hands first (a town partly changing hands counts its part)."""
    for e, name in zip(doc["scenarios"], maps.page_names(doc), strict=True):
        if not e["towns"]:
            continue
        assert (
            "<caption>Largest towns changing hands (most people changing hands first)"
            in (pages[name])
        )
        people = [t["people"] for t in e["towns"]]
        assert people == sorted(people, reverse=True), name


def test_legends_and_labels_say_only_what_tells_things_apart():
    """A scenario that moves nothing has no 'Changes hands' legend row (the freeze's page had
    shown 'Changes hands … 0 km²'); two labels of one oblast going to one status say where
    each comes from (the 20-point draft's zone, from Ukraine and from Russia, read alike);
    a zone recognised as Russian is not called neither side's, but held by neither."""
    run = build(
        [
            REPO / "scenarios" / f"{s}.yaml"
            for s in (
                "freeze-current-lines",
                "draft-20-points-2025-12",
                "plan-28-points-2025-11",
                "ukraine-1991-borders",
            )
        ],
        "contact-line",
    )
    pages = maps.render_site(*run)
    names = maps.page_names(maps.site.plain(run[0]))
    freeze, draft, plan, whole = (pages[n] for n in names[:4])
    # an area label's range in millions, as the tables have it (it had been written out)
    assert re.search(r"about \d,\d{3},\d{3} people\|\(\d\.\d+–\d\.\d+ M\)", whole)
    assert not re.search(r"people\|\(\d,\d{3},\d{3}–", whole)
    assert "lg-changed" not in freeze and "lg-changed" in draft
    assert "Donetsk: from Ukraine to Demilitarised free economic zone" in draft
    assert "Donetsk: from Russia to Demilitarised free economic zone" in draft
    assert "Kharkiv: to Ukraine" in draft  # the others stay short
    assert "recognised as Russian) (dotted: held by neither side)" in plan
    assert "neither side's" not in plan


def test_the_oblast_table_says_where_outlines_differ_from_official_areas(doc, pages):
    """Natural Earth's Kyiv city is 1,642 km² against an official 839: a reader checking an
    oblast against a reference book found no word of it on the page. The JSON gives each
    oblast's official area, and the page names the units more than 5 % off."""
    from modeller import geodata

    units = geodata.load().units
    entry = doc["scenarios"][0]
    assert {o["oblast"]: o["area_official_km2"] for o in entry["oblasts"]} == {
        code: units[code].area_official_km2 for code in (o["oblast"] for o in entry["oblasts"])
    }
    name = maps.page_names(doc)[0]
    caption = re.search(r"<caption>(Km² and people by oblast[^<]*)</caption>", pages[name]).group(1)
    off = []
    for o in entry["oblasts"]:
        drawn = sum(a["km2"] for a in o["before"].values())
        if abs(drawn / o["area_official_km2"] - 1) > 0.05:
            off.append(o["name"])
            official = maps.words.km2(o["area_official_km2"])
            assert f"{o['name']} {maps.words.km2(drawn)} km², officially {official}" in caption
    assert "Kyiv city" in off and "Lviv" not in caption


def test_a_published_address_makes_previews_and_embed_code_absolute(run, pages):
    """Social sites read og:image only as a full address, and the embed code is pasted into
    another site's page: with --url both name the published files; without, they stay
    relative (and no page claims a canonical address)."""
    url = "https://news.example.org/maps/"
    published = maps.render_site(*run, images=True, url=url.rstrip("/"))  # ('/' added)
    names = maps.page_names(run[0])
    for name in names:
        page, plain = published[name], pages[name]
        assert f'<link rel="canonical" href="{url}{name}">' in page
        assert f'<meta property="og:image" content="{url}{name[:-5]}.png">' in page
        assert f"&lt;iframe src=&#34;{url}{name}&#34;" in page
        assert "canonical" not in plain and url not in plain
    index = published["index.html"]
    assert f'<meta property="og:image" content="{url}overview.png">' in index
    assert f'<link rel="canonical" href="{url}index.html">' in index


@pytest.mark.parametrize(
    "url, said",
    [
        ("javascript:alert(1)", "http(s) address of the folder"),
        ('https://x/"><script>', "not a web address"),
        ("https://x/?utm=1", "?query or #fragment"),
        ("example.org/maps/", "http(s) address of the folder"),
        ("https://x:99999/", "not a web address"),
    ],
)
def test_a_bad_published_address_is_refused_before_any_work(tmp_path, url, said):
    from click.testing import CliRunner

    from modeller.cli import main

    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["run", "land-swap", "--out", str(out), "--url", url])
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "url",
    ["https://x.org/maps/#", "https://x.org/maps/?", "https://x.org/maps/index.html", 5],
)
def test_a_published_address_that_is_not_a_folders_is_refused(run, url):
    """An empty '#' or '?' had passed ('…/maps/#/land-swap.png'), a page's address had
    become '…/index.html/', and a number a TypeError."""
    from modeller.errors import InputError

    with pytest.raises(InputError, match="--url"):
        maps.render_site(*run, url=url)


@pytest.mark.parametrize(
    "url, said",
    [
        ("https://user:secret@x.org/maps/", "user name or password"),
        ("https://token@x.org/maps/", "user name or password"),
        ("https://x.org/%zz/", "starts no %XX escape"),
        ("https://x.org/\u202e/maps/", "invisible"),  # (a bidi override in every page)
        ("https://x.org:0/maps/", "port 0"),
    ],
)
def test_a_published_address_with_credentials_or_a_broken_escape_is_refused(run, url, said):
    """'https://user:pass@x.org/' went into every page's canonical link, og:image and embed
    code; a broken '%zz' escape was taken as it was."""
    from modeller.errors import InputError

    with pytest.raises(InputError, match=said) as caught:
        maps.render_site(*run, url=url)
    assert any(w in str(caught.value) for w in ("https://x.org/maps/", "%25", "bidi", "port 0"))
    with pytest.raises(InputError, match=r"e\.g\. https://\[::1\]:8080/maps/"):
        maps.site.check_url("https://u:p@[::1]:8080/maps/")  # (its port and brackets kept)
    assert maps.site.check_url("https://x.org/a%20b/") == "https://x.org/a%20b/"


def test_the_index_of_one_scenario_describes_one_proposal(tmp_path):
    """'1 reported proposals' was the social preview of a site of one scenario."""
    from click.testing import CliRunner

    from modeller.cli import main

    out = tmp_path / "site"
    done = CliRunner().invoke(main, ["run", "land-swap", "--no-images", "--out", str(out)])
    assert done.exit_code == 0, done.output
    index = (out / "index.html").read_text(encoding="utf-8")
    described = re.search(r'property="og:description" content="([^"]*)"', index).group(1)
    assert described.startswith("A reported proposal for Russia–Ukraine territory"), described
    assert "proposals" not in described


def test_the_towns_table_shows_people_changing_hands_rounded_as_the_population(run, doc, pages):
    """The towns came most people changing hands first without showing them (Pokrovsk,
    60,127 at 85 %, below Druzhkivka, 53,977, read as unsorted); a town wholly changing
    hands read 150,000 in one column and 147,000 in the other."""
    seen_all = 0
    for e, name in zip(doc["scenarios"], maps.page_names(doc), strict=True):
        rows = Tables(pages[name]).tables.get("t-towns", [])
        for r, t in zip(rows, e["towns"], strict=True):
            if t["share"] == 1.0 and t["people_low"] == t["people_high"] == t["population"]:
                assert r[2] == r[4], (name, r)  # the same figure, rounded alike
                seen_all += 1
    assert seen_all  # the shipped scenarios move whole towns
    from modeller.report_text import TOWN_HEAD, town_rows

    entry = next(e for e in run[0].scenarios if e.id == "land-swap")
    people = TOWN_HEAD.index("People changing hands")
    shown = [int(r[people].split()[0].replace(",", "")) for r in town_rows(entry)]
    assert shown == sorted(shown, reverse=True)  # the order, visible in its column


def test_a_town_scaled_to_its_units_total_is_explained_under_the_towns_table():
    """Sevastopol: GeoNames 547,820, all of it changing hands, 355,000 people (its towns are
    scaled to the unit's 393,455): an independent check read 'population × share' and found
    the table wrong. Pages, Markdown and the terminal say why, naming the town; a table
    whose towns are not scaled says nothing."""
    from modeller import report_text

    doc, partitions = build(
        [REPO / "scenarios" / f"{s}.yaml" for s in ("ukraine-1991-borders", "land-swap")],
        "contact-line",
    )
    returned, swap = maps.site.plain(doc)["scenarios"]
    (sevastopol,) = [t for t in returned["towns"] if t["name"] == "Sevastopol"]
    assert sevastopol["people"] < 0.7 * sevastopol["population"] * sevastopol["share"]
    assert all(t["people"] >= 0.99 * t["population"] * t["share"] for t in swap["towns"])
    assert swap["towns"]  # (a table that could have had a note)
    said = "scaled down where the towns of a unit (or hromada) add up to more than its"
    pages = maps.render_site(doc, partitions)
    names = dict(zip([e["id"] for e in (returned, swap)], maps.page_names(doc), strict=True))
    returned_page, swap_page = pages[names["ukraine-1991-borders"]], pages[names["land-swap"]]
    (note,) = re.findall(r'<p class="notes table-note">([^<]*)</p>', returned_page)
    assert said in note and note.endswith("its 2022 total (Sevastopol).")
    assert returned_page.index("<caption>Largest towns") < returned_page.index(note)
    assert "table-note" not in swap_page
    markdown = report_text.to_markdown(doc).split("## ")
    (md_returned,) = [s for s in markdown if "(`ukraine-1991-borders`)" in s]
    (md_swap,) = [s for s in markdown if "(`land-swap`)" in s]
    assert said in md_returned and "(Sevastopol)." in md_returned
    assert said not in md_swap
    import io

    from rich.console import Console

    out = io.StringIO()
    report_text.print_rich(doc, Console(file=out, width=400, color_system=None))
    terminal = out.getvalue()
    assert terminal.count(said) == 1
    assert terminal.index("Sevastopol).") < terminal.index("land-swap")


def test_spare_anchors_are_the_grid_points_a_negative_buffer_keeps():
    """Spare anchors had come from a negative buffer of each changed part (32 ms each, a
    second of every run with maps); they are now measured as distances to the rim. On
    every oblast's largest part, and on a thin part made of its rim and small discs at
    its grid points joined to the rim, they are the points the buffer keeps: well
    inside or, for a part too thin for that, anywhere inside."""
    import numpy as np
    import shapely
    from shapely.ops import polylabel

    from modeller import geodata
    from modeller.maps.layers import spare_anchors

    def grid(part):
        x0, y0, x1, y1 = part.bounds
        xs, ys = np.meshgrid(np.linspace(x0, x1, 7)[1:-1], np.linspace(y0, y1, 7)[1:-1])
        return shapely.points(xs.ravel(), ys.ravel()), 0.1 * min(x1 - x0, y1 - y0)

    def by_buffer(part, pole, n=6):
        pts, margin = grid(part)
        inner = shapely.buffer(part, -margin)
        pts = pts[shapely.contains(inner if not inner.is_empty else part, pts)]
        pts = sorted(pts, key=lambda p: p.distance(pole))
        return [(p.x, p.y) for p in pts[:: max(1, len(pts) // n)][:n]]

    seen = {"deep": 0, "thin": 0}
    for geom in geodata.load().geometry.values():
        parts = shapely.get_parts(geom)
        largest = parts[int(np.argmax(shapely.area(parts)))]
        pts, _ = grid(largest)
        inside = pts[shapely.contains(largest, pts)]
        rim = largest.difference(shapely.buffer(largest, -4000.0))
        spokes = shapely.shortest_line(inside, largest.exterior)  # disc to rim: inside
        thin = shapely.union_all(
            [rim, *shapely.buffer(inside, 1500.0), *shapely.buffer(spokes, 500.0)]
        )
        for part in (largest, thin):
            if part.geom_type != "Polygon":
                continue
            pole = polylabel(part, 1000.0)
            got = spare_anchors(part, pole)
            assert got == by_buffer(part, pole)
            assert all(part.contains(shapely.Point(xy)) for xy in got)
            margin = grid(part)[1]
            if got:
                seen["thin" if shapely.buffer(part, -margin).is_empty else "deep"] += 1
    assert seen["deep"] >= 20 and seen["thin"] >= 5, seen


def test_a_town_holding_its_hromadas_rural_residents_is_explained_too(shared_data):
    """With the hromada population, Dniprorudne (GeoNames 17,736, all of it changing
    hands) had 18,160 people: its hromada has no other settlement, so its towns hold the
    hromada's rural residents. The README said towns are only ever scaled down; the
    note under the table now says this too, naming the town."""
    from modeller import report_text

    result = modeller.run(
        ["return-to-2022-02-23-lines"], "contact-line", towns=10**6, population=shared_data
    )
    towns = result.towns
    up = towns[towns.people > 1.01 * towns.population * towns.share]
    assert "Dniprorudne" in set(up.name)
    note = report_text.town_note(result.document.scenarios[0])
    assert "scaled up where a hromada has no settlement but its towns" in note
    assert "Dniprorudne" in note
    plain = modeller.run(["return-to-2022-02-23-lines"], "contact-line", towns=10**6)
    assert "scaled up" not in report_text.town_note(plain.document.scenarios[0])


def test_past_three_warnings_fold_away_above_the_map(tmp_path):
    """Sixty steps that change nothing put sixty warning boxes between the heading and
    the map (on a phone, the map several screens down): three show, the rest fold into
    one 'N more warnings', every one of them still on the page."""
    from click.testing import CliRunner

    from modeller.cli import main

    steps = "".join("  - assign: russia\n    where: {oblast: Donetsk}\n" for _ in range(13))
    path = tmp_path / "w.yaml"
    path.write_text(f"id: many-warnings\ntitle: Many warnings\nsteps:\n{steps}", "utf-8")
    out = tmp_path / "maps"
    ran = CliRunner().invoke(main, ["run", str(path), "--no-images", "-o", str(out)])
    assert ran.exit_code == 0, ran.output
    page = (out / "many-warnings.html").read_text(encoding="utf-8")
    before_map = page.split('<div class="mapwrap">')[0]
    shown = re.findall(r'<p class="warning"[^>]*>Warning: ', before_map)
    folded = re.search(
        r'<details class="warning more"><summary>(\d+) more warnings</summary>', before_map
    )
    assert len(shown) == 3 and folded, before_map[-800:]
    said = [w for w in ran.stderr.splitlines() if "changes nothing" in w]
    assert len(said) == 12 and int(folded.group(1)) == 9
    assert before_map.count("Warning: ") == 12  # (every one, folded or not)


LETTERS = list("ab_<>&\"' \u0434\u00e9") + [
    "e\u0301",  # e and an accent
    "\U0001f1fa\U0001f1e6",  # a flag (two regional indicators)
    "\U0001f1fa",  # a lone regional indicator
    "\u0634",  # Arabic, whose letters join
    "\u0e40\u0e01",  # Thai, whose words the browser finds by dictionary
    "\u200d",  # a zero-width joiner
    "\U0001f44d\U0001f3fd",  # an emoji with its skin tone
    "\u0915\u094d\u0937",  # a Devanagari conjunct (ka, virama, ssa)
    "\u0915",
    "\u094d",
    "\u1100\u1161",  # Hangul jamo
]


@given(st.lists(st.sampled_from(LETTERS), max_size=60).map("".join))
def test_a_breakable_label_reads_as_written_and_breaks_only_its_long_words(label):
    """A status's label in a table cell: escaped, and a word of 15 characters or more
    broken about every ten letters' widths by <wbr>, which adds no character to what a
    reader sees or copies; only where Unicode's grapheme clusters part (the ``regex`` module's, an
    independent reading of UAX #29), never in Arabic or Thai. A Devanagari, emoji or
    flag word of 60 had not broken at all, and its table had scrolled sideways."""
    from html import unescape
    from itertools import accumulate

    import regex

    from modeller.maps.wordbreak import BREAK_EVERY, LONG_WORD, breakable, clusters, width

    html = str(breakable(label))
    assert "<" not in html.replace("<wbr>", "") and "\u200b" not in html
    assert unescape(html.replace("<wbr>", "")) == label
    parts = [unescape(p) for p in html.split("<wbr>")]
    ends = set(accumulate(len(c) for c in regex.findall(r"\X", label)))
    for at in accumulate(len(p) for p in parts[:-1]):
        assert at in ends, (label[:at], label[at:])
    for before, after in zip(parts, parts[1:], strict=False):
        a, b = before[-1], after[0]
        assert not {a, b} & {"\u0634", "\u0e40", "\u0e01"}, (a, b)
        assert sum(map(width, clusters(before.split()[-1]))) >= BREAK_EVERY
    if label.isascii():  # every place apart: a long word's pieces are ten letters each
        assert html.count("<wbr>") == sum(
            (len(w) - 1) // BREAK_EVERY for w in LONG_WORD.findall(label)
        )
    words = [w for w in LONG_WORD.findall(label) if not {"\u0634", "\u0e40"} & set(w)]
    if any(len(regex.findall(r"\X", w)) > 2 * BREAK_EVERY for w in words):
        assert "<wbr>" in html  # a long word of any other script breaks
