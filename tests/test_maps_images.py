"""Static PNG/SVG maps written by ``modeller run``: they exist, decode, say what the scenario
says (escaped, literally), are framed on the land that changes hands, and keep every label
clear of the others.

Runs on the embedded ``contact-line`` baseline (no external data). PNGs land in
test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from helpers import build, legend_box, shipped
from PIL import Image

from modeller.cli import main
from modeller.maps import image_jobs, images, words
from modeller.maps.image_frame import map_area
from modeller.rounding import people_short

PEOPLE_KEYS = ("people", "people_low", "people_high")

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
SVG = "{http://www.w3.org/2000/svg}"
PROBE_TITLE = 'Probe <img src=x onerror=alert(1)> & $5$ "cost"'
PROBE_LABEL = "<svg onload=alert(6)> zone"
PROBE = f"""\
id: image-probe
title: '{PROBE_TITLE}'
summary: probe
statuses:
  dmz:
    label: '{PROBE_LABEL}'
    colour: '#009e73'
steps:
  - assign: dmz
    where: {{oblast: [Zaporizhzhia], held_by: ukraine}}
"""
SCENARIOS = ("full-donbas-withdrawal", "freeze-current-lines", "russia-demand-2024-06")


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("image-probe") / "image-probe.yaml"
    path.write_text(PROBE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run(probe) -> tuple[dict, list]:
    """The run document and partitions, as ``modeller run`` builds them (contact-line)."""
    return build([*shipped(*SCENARIOS), probe])


@pytest.fixture(scope="module")
def figures(run) -> dict:
    doc, partitions = run
    return {
        e.id: (images.render(doc, e, p), e, p)
        for e, p in zip(doc.scenarios, partitions, strict=True)
    }


def test_run_writes_a_png_and_an_svg_beside_each_page(probe, tmp_path):
    out = tmp_path / "site"
    args = ["run", str(REPO / "scenarios" / "land-swap.yaml"), str(probe), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    for stem in ("land-swap", "image-probe"):
        assert (out / f"{stem}.html").exists()
        with Image.open(out / f"{stem}.png") as img:
            img.load()
            assert img.size == (images.WIDTH_PX, images.HEIGHT_PX)
            assert img.format == "PNG"
        root = ET.parse(out / f"{stem}.svg").getroot()  # well-formed XML
        assert root.tag == f"{SVG}svg"
    with Image.open(out / "overview.png") as img:  # every scenario small, side by side
        img.load()
        assert img.size[0] == 2 * 300
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(out / "land-swap.png", ARTIFACTS / "static-land-swap.png")
    nothing = tmp_path / "bare"
    result = CliRunner().invoke(
        main, ["run", str(probe), "-o", str(nothing), "--no-images", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert (nothing / "image-probe.html").exists() and not list(nothing.glob("*.png"))


def _svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_svg_says_the_title_and_legend_literally_and_is_deterministic(run, figures):
    doc, _ = run
    fig, entry, _ = figures["image-probe"]
    png, svg = images.image_bytes(fig, title=entry.title)
    texts = _svg_texts(svg)
    root = ET.fromstring(svg)
    assert [t.text for t in root.iter("{http://purl.org/dc/elements/1.1/}title")] == [
        PROBE_TITLE
    ]  # the file's own title, for screen readers and image libraries
    joined = "\n".join(texts)
    assert PROBE_TITLE in joined.replace("\n", " ")  # escaped in XML, no math parsing of $5$
    assert any(PROBE_LABEL in t.replace("\n", " ") for t in texts)  # the scenario's own label
    assert b"<img" not in svg and b"<svg onload" not in svg
    assert "Zaporizhzhia" in texts  # map labels are text too (editable in the SVG)
    assert any(t.startswith("Zaporizhzhia: Ukraine → ") for t in texts)
    assert "Ukraine" in texts and "dmz" not in texts  # labels, never codes
    assert "Baseline: contact-line, 15 Aug 2025" in joined  # credit and date stamp
    assert "km" in joined and any(t.endswith(" km") for t in texts)  # scale bar
    # where DejaVu Sans is missing, a font of the same widths, never a serif default
    families = {
        e.get("style", "").split("font-family:")[1].split(";")[0].strip()
        for e in root.iter(f"{SVG}text")
        if "font-family" in e.get("style", "")
    }
    assert families == {"'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"}
    again = images.image_bytes(
        images.render(doc, entry, figures["image-probe"][2]), title=entry.title
    )[1]
    assert again == svg
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "static-image-probe.png").write_bytes(png)


def _changed_bounds(partition) -> tuple[float, ...]:
    moved = [p.geometry for p in partition.pieces if p.before != p.after]
    return tuple(shapely.total_bounds(np.array(moved, dtype=object)))


def test_frame_covers_the_change_and_not_the_whole_country(figures):
    ukraine = images.context()["ukraine"].bounds
    for sid in ("full-donbas-withdrawal", "russia-demand-2024-06", "image-probe"):
        fig, _, partition = figures[sid]
        ax = map_area(fig)
        x0, y0, x1, y1 = ax.limits
        cx0, cy0, cx1, cy1 = _changed_bounds(partition)
        assert x0 < cx0 and x1 > cx1 and y0 < cy0 and y1 > cy1, sid
        margin = min(cx0 - x0, x1 - cx1, cy0 - y0, y1 - cy1)
        assert margin > 0.05 * min(cx1 - cx0, cy1 - cy0), sid
        # equal scale on both axes (the map is not stretched)
        sx = ax.bbox.width / (x1 - x0)
        sy = ax.bbox.height / (y1 - y0)
        assert sx == pytest.approx(sy, rel=1e-3)
    fig, _, _ = figures["full-donbas-withdrawal"]
    x0, _, x1, _ = map_area(fig).limits
    assert (x1 - x0) < 0.4 * (ukraine[2] - ukraine[0])  # a local change is shown close up
    fig, _, _ = figures["freeze-current-lines"]  # nothing changes: all of Ukraine
    x0, y0, x1, y1 = map_area(fig).limits
    assert x0 <= ukraine[0] and x1 >= ukraine[2] and y0 <= ukraine[1] and y1 >= ukraine[3]


def test_labels_never_overlap_and_the_largest_towns_are_named(figures):
    renderer = None
    for sid, (fig, entry, _) in figures.items():
        ax = map_area(fig)
        renderer = renderer or fig.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts]
        for i, (a, ba) in enumerate(boxes):
            assert ax.bbox.contains(ba.x0 + 1, ba.y0 + 1) and ax.bbox.contains(ba.x1 - 1, ba.y1 - 1)
            for b, bb in boxes[i + 1 :]:
                assert not ba.overlaps(bb), (sid, a, b)
        names = {t.get_text() for t in ax.texts}
        if sid == "full-donbas-withdrawal":
            assert {"Kramatorsk", "Sloviansk", "Kostiantynivka"} <= names  # as the news spells them
            # Donetsk's transfer is labelled with the run's own figures, rounded
            moved = [t for t in entry.transfers if t.oblast == "UA-14"]
            km2 = images.round_km2(sum(t.km2 for t in moved))
            people = people_short(*(sum(getattr(t, k) for t in moved) for k in PEOPLE_KEYS))
            assert float(km2.replace(",", "")) > 5_000  # the whole Ukrainian-held part
            value, _, rng = people.partition(" (")  # the range on a line of its own
            assert any(f"{km2} km² · {value} people\n({rng}" in n for n in names), names
        if sid == "russia-demand-2024-06":
            assert {"Zaporizhzhia", "Kherson"} <= names
            assert "Dnipro" in names  # the river, for orientation


def _outside_the_figure(fig) -> list[str]:
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    return [
        t.get_text()[:60]
        for t in fig.texts
        if t.get_text()
        and not (0 <= t.get_window_extent(renderer).x0 <= t.get_window_extent(renderer).x1 <= width)
    ]


def test_every_text_of_an_image_lies_inside_it(run, figures):
    """Wrapping by a count of characters let a title of wide words, or a flow's people
    with its range, run off the image's right edge; they are wrapped narrower as drawn."""
    for sid, (fig, _, _) in figures.items():
        assert _outside_the_figure(fig) == [], sid
    doc, partitions = run
    wide = doc.scenarios[0].model_copy(update={"title": ("WORDY " * 40)[:200].strip()})
    fig = images.render(doc, wide, partitions[0])
    assert _outside_the_figure(fig) == []
    title = next(t for t in fig.texts if t.get_text().startswith("WORDY"))
    assert title.get_text().count("\n") >= 2  # wrapped into more lines, not cut


def test_rounding_for_readers_is_the_pages_rounding():
    from modeller.maps import image_words, words

    for x in (6238.3, 150.4, 0.12, 0.0):
        assert image_words.round_km2(x) == words.km2(x)
    for x in (666297.2, 211.4, 0.0):
        assert image_words.round_people(x) == words.people(x)
    assert image_words.round_km2(6238.3) == "6,240"
    assert image_words.round_people(666297.2) == "670,000"
    assert image_words.nice_date("2025-08-15") == "15 Aug 2025"


def test_images_drawn_in_worker_processes_equal_those_drawn_in_order(run, tmp_path, monkeypatch):
    doc, partitions = run
    stems = [e.id for e in doc.scenarios]
    assert len(stems) >= image_jobs.PARALLEL_FROM  # the fixture's run takes the parallel path
    monkeypatch.setenv("MODELLER_IMAGE_CACHE", "0")  # both runs draw every image
    parallel = image_jobs.write_images(doc, partitions, tmp_path / "p", stems)
    monkeypatch.setattr(image_jobs, "PARALLEL_FROM", 10**6)
    ordered = image_jobs.write_images(doc, partitions, tmp_path / "o", stems)
    assert [p.name for p in parallel] == [p.name for p in ordered]
    assert parallel[-1].name == "overview.png"
    for a, b in zip(parallel, ordered, strict=True):
        if a.suffix == ".svg":
            assert a.read_bytes() == b.read_bytes(), a.name
        else:
            assert Image.open(a).size == Image.open(b).size


def test_a_process_that_drew_no_map_draws_one_before_its_workers(run, monkeypatch):
    """Workers inherit the texts the process that forks them keeps: where it has drawn no
    scenario's map yet, it draws the first one itself, then forks; once it has, it forks
    at once (every image in a worker)."""
    import os

    doc, partitions = run
    stems = [e.id for e in doc.scenarios]
    monkeypatch.setenv("MODELLER_IMAGE_CACHE", "0")
    real, here = image_jobs.draw_scenario, os.getpid()
    drawn_here: list[str] = []

    def counted(doc, entry, partition, stem):
        if os.getpid() == here:
            drawn_here.append(stem)
        return real(doc, entry, partition, stem)

    monkeypatch.setattr(image_jobs, "draw_scenario", counted)  # (inherited by the workers)
    monkeypatch.setattr(image_jobs, "_drawn_here", False)
    first = image_jobs.render_images(doc, partitions, stems)
    assert drawn_here == stems[:1]
    again = image_jobs.render_images(doc, partitions, stems)
    assert drawn_here == stems[:1]  # (none more: this process has drawn a map)
    assert list(first) == list(again)
    assert [first[n] for n in first if n.endswith(".svg")] == [
        again[n] for n in again if n.endswith(".svg")
    ]


def test_labels_measured_once_per_process_draw_the_same_bytes(run, monkeypatch):
    import matplotlib.text as mtext
    from matplotlib.backends import backend_agg, backend_svg

    from modeller.maps import image_words

    doc, partitions = run
    own = mtext._get_text_metrics_with_cache
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", getattr(own, "original", own))
    layout = mtext.Text._get_layout  # (and texts laid out anew each time, as matplotlib does)
    monkeypatch.setattr(mtext.Text, "_get_layout", getattr(layout, "original", layout))
    asked = []  # what reaches FreeType (the renderers' own measuring)
    for renderer in (backend_agg.RendererAgg, backend_svg.RendererSVG):
        measure = renderer.get_text_width_height_descent

        def counted(self, *args, _measure=measure):
            asked.append(args[0])
            return _measure(self, *args)

        monkeypatch.setattr(renderer, "get_text_width_height_descent", counted)

    def draw() -> list[bytes]:
        asked.clear()
        out = []
        for entry, partition in zip(doc.scenarios, partitions, strict=True):
            out += images.image_bytes(images.render(doc, entry, partition), title=entry.title)
        return out

    plain = draw()
    per_figure = len(asked)
    image_words.share_text_metrics()
    assert mtext._get_text_metrics_with_cache.shared
    assert mtext.Text._get_layout.original is not None  # layouts kept too
    assert draw() == plain  # the same bytes, PNG and SVG, every map
    assert len(asked) < 0.6 * per_figure  # the labels the maps share were measured once


def test_characters_the_font_lacks_are_one_note_not_python_warnings(tmp_path):
    """A title in Chinese with an emoji, and a status in Devanagari: the PNG can only show
    boxes for them, which the run says once, in words, instead of matplotlib's warning per
    character (and per script it cannot shape)."""
    import os
    import subprocess
    import sys

    scenario = tmp_path / "cjk.yaml"
    scenario.write_text(
        'id: cjk\ntitle: "Plan 🕊 和平"\n'
        'statuses:\n  zone: {label: "शांति क्षेत्र", colour: "#7570b3"}\n'
        "steps:\n  - assign: zone\n    where: {oblast: Donetsk}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "MODELLER_IMAGE_CACHE": "0", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "modeller.cli", "run", str(scenario), "-b", "1991"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "images' font" in line]
    assert len(notes) == 1 and all(c in notes[0] for c in ("和", "平", "श"))
    assert "UserWarning" not in done.stderr and "Glyph" not in done.stderr, done.stderr
    assert (tmp_path / "maps" / "cjk.png").exists()


def test_a_cited_sources_characters_the_font_lacks_are_noted_too():
    """The credit line cites the sources: '新华社 Xinhua' showed boxes in the PNG's footer
    while the run said nothing (only titles and status labels were looked at)."""
    from types import SimpleNamespace as Entry

    from modeller.maps.image_words import missing_glyphs

    cited = Entry(title="Plan", statuses=[], reported=[Entry(source="新华社 Xinhua")])
    assert {"新", "华", "社"} <= set(missing_glyphs([cited]))
    plain = Entry(title="Plan", statuses=[], reported=[Entry(source="Reuters")])
    assert missing_glyphs([plain]) == []


def test_the_characters_taken_for_drawable_are_in_the_font():
    """``missing_glyphs`` skips loading the font for these: each must really be there."""
    from matplotlib import font_manager

    from modeller.maps import image_words

    with __import__("matplotlib").rc_context(image_words.matplotlib_rc()):
        path = font_manager.findfont("DejaVu Sans")
    have = font_manager.get_font(path).get_charmap()
    common = [c for c in range(0x20, 0x2100) if image_words.COMMON.match(chr(c))]
    assert len(common) > 800  # Latin, Cyrillic, punctuation
    assert [hex(c) for c in common if c not in have] == []


def test_the_overview_has_a_legend_above_its_maps(run):
    """overview.png had its colours and hatches explained nowhere in the image."""
    from modeller.maps.image_overview import render_overview

    doc, partitions = run
    fig = render_overview(doc, partitions)
    fig.canvas.draw()
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert {"Ukraine", "Russia", "Changes hands"} <= set(labels)
    assert any(e.statuses and s.label in labels for e in doc.scenarios for s in e.statuses)
    box = legend.get_window_extent()
    width, height = fig.canvas.get_width_height()
    assert box.x0 >= 0 and box.x1 <= width and box.y1 <= height
    renderer = fig.canvas.get_renderer()
    maps = fig.artists  # the small maps' shapes (drawn without axes)
    assert len(maps) >= 2 * len(doc.scenarios)  # statuses and outline of every small map
    maps_top = max(a.get_window_extent(renderer).y1 for a in maps)
    assert box.y0 >= maps_top  # above every small map, overlapping none
    title = max(t.get_window_extent().y0 for t in fig.texts if t.get_fontsize() >= 16)
    assert box.y1 <= title


def test_the_overview_gives_statuses_of_one_colour_one_swatch():
    """The 20-point draft's and the 28-point plan's 'dmz' (one colour, two labels) were two
    swatches no one could tell apart: one swatch now, with both labels."""
    from modeller.maps.image_overview import render_overview

    doc, partitions = build(shipped("draft-20-points-2025-12", "plan-28-points-2025-11"))
    fig = render_overview(doc, partitions)
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    looks = [(tuple(h.get_facecolor()), h.get_hatch()) for h in legend.legend_handles]
    assert len(looks) == len(set(looks)), labels
    dmz = {s.label for e in doc.scenarios for s in e.statuses if s.status == "dmz"}
    assert len(dmz) == 2  # the two scenarios' own words
    assert [x for x in labels if all(d in x for d in dmz)], labels


def test_an_image_names_where_its_terms_were_reported(figures):
    """The PNG/SVG had named the baseline and data but not the scenario's cited sources
    nor when it was proposed: published alone, nothing attributed its terms."""
    for fig, entry, _ in figures.values():
        joined = " ".join(" ".join(_svg_texts(images.image_bytes(fig)[1])).split())
        if not entry.reported:
            assert "Terms: no source cited" in joined
            continue
        assert "Terms as reported by" in joined, entry.id
        for r in entry.reported[:3]:
            assert f"({images.nice_date(r.date)})" in joined, (entry.id, r)
            assert r.source.split()[0] in joined, (entry.id, r)
        if entry.date:
            assert f"proposed {images.nice_date(entry.date)}" in joined, entry.id


def test_the_credit_says_each_maps_terms_then_what_every_map_shares(figures):
    """The credit's first lines are the map's own (its terms' sources, the scenario and
    its hash); the rest, the baseline and the data sources, are the same lines on every
    map of the run, so they are laid out and rasterised once per process, not per map."""
    shared = set()
    for fig, entry, _ in figures.values():
        (credit,) = [t for t in fig.texts if t.get_text().startswith("Terms")]
        text = credit.get_text()
        own, common = text.split("\nBaseline: ")
        assert f"Scenario {entry.id} #{entry.hash}" in " ".join(own.split()), own
        assert "Data: " in common and common.endswith("finer ones in the CSV/JSON.")
        assert entry.id not in common
        shared.add(common)
    assert len(figures) >= 2 and len(shared) == 1, shared


SEVEN_FLOWS = """\
id: seven-flows
title: Zones on both sides of the line
summary: s
statuses:
  dmz: {label: Demilitarised zone (recognised as Russian), colour: "#7570b3"}
  un_zone: {label: UN-administered buffer zone, colour: "#1b9e77"}
  znpp: {label: Zaporizhzhia nuclear plant exclusion zone, colour: "#e7298a"}
steps:
  - assign: russia
    where: {oblast: [Luhansk, Crimea, Sevastopol]}
  - assign: dmz
    where: {oblast: Donetsk, held_by: ukraine}
  - assign: un_zone
    where: {band: {along: contact, km: 15, side: both}, oblast: [Zaporizhzhia, Kherson]}
  - assign: znpp
    where: {near: {place: Enerhodar, km: 20}}
  - assign: ukraine
    where: {oblast: [Kharkiv, Sumy], held_by: russia}
  - assign: un_zone
    where: {oblast: Dnipropetrovsk, held_by: russia}
"""
ZONE_COLOURS = [
    "1b9e77",
    "d95f02",
    "7570b3",
    "e7298a",
    "66a61e",
    "e6ab02",
    "a6761d",
    "666666",
    "8dd3c7",
    "bebada",
]
TEN_ZONES = (
    "id: ten-zones\ntitle: Ten zones\nsummary: s\nstatuses:\n"
    + "".join(
        f"  z{i}: {{label: Zone number {i} under an international administration, "
        f'colour: "#{c}"}}\n'
        for i, c in enumerate(ZONE_COLOURS)
    )
    + "steps:\n"
    + "".join(
        f"  - assign: z{i}\n    where: {{oblast: {o}}}\n"
        for i, o in enumerate(
            [
                "Odesa",
                "Mykolaiv",
                "Kherson",
                "Zaporizhzhia",
                "Dnipropetrovsk",
                "Poltava",
                "Kharkiv",
                "Sumy",
                "Chernihiv",
                "Crimea",
            ]
        )
    )
)


@pytest.mark.parametrize("yaml", [SEVEN_FLOWS, TEN_ZONES], ids=["seven-flows", "ten-zones"])
def test_what_changes_hands_ends_above_the_locator_and_the_credit(tmp_path, yaml):
    """Seven flows had printed over the locator inset and its caption; ten statuses ran
    the list off the image, over the credit. The list now counts what does not fit, and
    the locator is left out where the legend leaves it no room."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml, encoding="utf-8")
    import matplotlib

    from modeller.maps.image_words import matplotlib_rc

    doc, partitions = build([path])
    fig = images.render(doc, doc.scenarios[0], partitions[0])
    with matplotlib.rc_context(matplotlib_rc()):  # (as image_bytes draws it)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = {t.get_text(): t.get_window_extent(renderer) for t in fig.texts if t.get_text()}
    body = [b for text, b in boxes.items() if "km² ·" in text and "→" in text]
    credit = next(b for text, b in boxes.items() if text.startswith("Terms"))
    caption = boxes.get("Ukraine: where the map is")
    floor = caption.y1 if caption is not None else credit.y1
    assert legend_box(fig, renderer).y0 >= floor
    assert body and all(b.y0 >= floor for b in body), (body, floor)
    told = [text for text in boxes if "more: see the page's tables" in text]
    flows = [f for f in doc.scenarios[0].flows if f.km2 >= 1]
    assert told or sum(text.count("km² ·") for text in boxes if "→" in text) == len(flows)


def test_the_overview_legend_wraps_to_the_images_width():
    """With the 20-point draft and the 28-point plan, the one-row legend had been cut at
    'Demilitar' in the 600 px image, 'Changes hands' gone: it takes as many rows as it
    needs, every entry inside the image, above the maps."""
    from modeller.maps.image_overview import render_overview

    doc, partitions = build(shipped("plan-28-points-2025-11", "draft-20-points-2025-12"))
    fig = render_overview(doc, partitions)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert "Changes hands" in labels
    width = fig.canvas.get_width_height()[0]
    for text in legend.get_texts():
        assert text.get_window_extent(renderer).x1 <= width, text.get_text()
    maps_top = max(a.get_window_extent(renderer).y1 for a in fig.artists)
    assert legend.get_window_extent(renderer).y0 >= maps_top


def test_overview_labels_and_captions_are_text_and_stay_in_their_place(tmp_path):
    """A status label '$5bn … $50bn' had been drawn as an italic formula, '$\\undefined$'
    had lost every image of the run (ValueError), and titles of capitals, wrapped at 44
    characters, had run into the next map's caption."""
    from modeller.maps.image_overview import CELL_PX, render_overview

    paths = []
    for i, (title, label) in enumerate(
        [
            (
                "UKRAINE CEDES DONBAS, RUSSIA RETURNS KHARKIV AND SUMY POCKETS",
                "Lease ($5bn, $50bn)",
            ),
            ("WASHINGTON MEMORANDUM: WITHDRAWAL FOR SECURITY GUARANTEES", "Zone $\\undefined$"),
            ("MMMMMMM WWWWWWW MMMMMMM WWWWWWW MMMMMMM WWWWWWW MMMMMMM", "Third zone"),
        ]
    ):
        path = tmp_path / f"s{i}.yaml"
        path.write_text(
            f"id: s{i}\ntitle: '{title}'\nsummary: s\n"
            f"statuses:\n  zone: {{label: '{label}', colour: '#7570b3'}}\n"
            "steps:\n  - assign: zone\n    where: {oblast: [Zaporizhzhia], held_by: ukraine}\n",
            encoding="utf-8",
        )
        paths.append(path)
    doc, partitions = build(paths)
    fig = render_overview(doc, partitions)
    fig.canvas.draw()  # (the unknown macro had raised here)
    renderer = fig.canvas.get_renderer()
    (legend,) = fig.legends
    labels = " / ".join(t.get_text() for t in legend.get_texts())
    assert "Lease ($5bn, $50bn)" in labels and "Zone $\\undefined$" in labels
    captions = sorted(
        (t for t in fig.texts if t.get_text().endswith("regains nothing")),
        key=lambda t: t.get_window_extent(renderer).x0,
    )
    assert len(captions) == 3
    for i, text in enumerate(captions):  # each ends inside its own cell
        assert text.get_window_extent(renderer).x1 <= (i + 1) * CELL_PX[0], text.get_text()


def _pixels(fig) -> np.ndarray:
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _turned(**style):
    """A small figure of one word at several angles and sizes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2), dpi=100)
    FigureCanvasAgg(fig)
    for k, angle in enumerate((0, 17.5, 90, 181, -33)):
        size = 6 + 2 * (k % 3)
        fig.text(0.1 + 0.17 * k, 0.5, "Запоріжжя AVATAR", rotation=angle, size=size, **style)
    return fig


def _maps_pixels(doc, partitions) -> list[np.ndarray]:
    """Each scenario's map drawn (PNG and SVG), as the pixels of its canvas."""
    out = []
    for entry, partition in zip(doc.scenarios, partitions, strict=True):
        fig = images.render(doc, entry, partition)
        images.image_bytes(fig, title=entry.title)
        out.append(_pixels(fig))
    return out


def test_texts_drawn_from_kept_bitmaps_are_the_same_pixels(run, monkeypatch):
    """Each text's bitmap is made once per process (``text_images``); the maps, the
    overview, and texts turned to any angle and size come out pixel for pixel as
    matplotlib draws them, and a text drawn again never reaches matplotlib's draw_text."""
    from matplotlib.backends.backend_agg import RendererAgg

    from modeller.maps import text_images
    from modeller.maps.image_overview import render_overview

    doc, partitions = run

    def draw_all() -> list[np.ndarray]:
        out = _maps_pixels(doc, partitions)
        for fig, svg in ((render_overview(doc, partitions), False), (_turned(), True)):
            images.image_bytes(fig, svg=svg)
            out.append(_pixels(fig))
        return out

    monkeypatch.setattr(text_images, "_OWN", False)
    plain = draw_all()
    monkeypatch.setattr(text_images, "_OWN", True)
    monkeypatch.setattr(text_images, "_BITMAPS", {})
    first = draw_all()
    kept = len(text_images._BITMAPS)

    def refused(*args, **kwargs):
        raise AssertionError("a text kept from before was laid out again")

    monkeypatch.setattr(RendererAgg, "draw_text", refused)
    again = draw_all()
    assert 0 < kept == len(text_images._BITMAPS)
    for a, b, c in zip(plain, first, again, strict=True):
        assert a.shape == b.shape and np.array_equal(a, b) and np.array_equal(a, c)


def test_a_text_measured_by_agg_is_drawn_from_that_layout_pixel_for_pixel(run, monkeypatch):
    """Agg's measure of a text keeps its bitmap (``text_images.measure``): FreeType lays a
    map's texts out once, not once to measure and again to draw, and every map comes out
    pixel for pixel as matplotlib alone draws it."""
    import matplotlib.text as mtext

    from modeller.maps import image_words, text_images

    doc, partitions = run

    def draw_all() -> list[np.ndarray]:
        return _maps_pixels(doc, partitions)

    metrics, layout = mtext._get_text_metrics_with_cache, mtext.Text._get_layout
    monkeypatch.setattr(
        mtext, "_get_text_metrics_with_cache", getattr(metrics, "original", metrics)
    )
    monkeypatch.setattr(mtext.Text, "_get_layout", getattr(layout, "original", layout))
    monkeypatch.setattr(text_images, "_OWN", False)
    plain = draw_all()  # matplotlib alone
    monkeypatch.setattr(text_images, "_OWN", True)
    monkeypatch.setattr(text_images, "_BITMAPS", {})
    image_words.share_text_metrics(text_images.measure)  # (nothing measured yet)
    made_by: dict[str, list[str]] = {"measure": [], "draw_text": []}
    keep = text_images._keep

    def counted(key, font, antialiased):
        made_by[sys._getframe(1).f_code.co_name].append(key[0])
        return keep(key, font, antialiased)

    monkeypatch.setattr(text_images, "_keep", counted)
    shared = draw_all()
    assert len(made_by["measure"]) > 50, made_by  # the maps' texts, each laid out once
    assert not made_by["draw_text"], made_by["draw_text"]
    for a, b in zip(plain, shared, strict=True):
        assert a.shape == b.shape and np.array_equal(a, b)


def test_kept_text_sizes_and_bitmaps_follow_the_text_settings(monkeypatch):
    """Texts measured and rasterised once per process (``image_words``, ``text_images``)
    come out as matplotlib alone draws them under other hinting, kerning, antialiasing and
    fonts for a generic family, each setting drawn twice (the second time from what was
    kept)."""
    import matplotlib
    import matplotlib.text as mtext

    from modeller.maps import image_words, text_images

    image_words.share_text_metrics()
    shared = mtext._get_text_metrics_with_cache
    settings = [
        {},
        {"text.hinting_factor": 1},
        {"text.kerning_factor": 6},
        {"text.antialiased": False},
        {"font.sans-serif": ["DejaVu Serif"]},
        {"font.sans-serif": ["DejaVu Sans Mono"]},
    ]
    monkeypatch.setattr(text_images, "_BITMAPS", {})

    def draw(rc: dict, own: bool) -> np.ndarray:
        monkeypatch.setattr(text_images, "_OWN", own)
        metrics = shared if own else shared.original  # matplotlib's own measuring
        monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", metrics)
        with matplotlib.rc_context(rc):
            fig = _turned(family="sans-serif")
            images.image_bytes(fig)
            return _pixels(fig)

    plain = []
    for rc in settings * 2:
        plain.append(draw(rc, own=False))
        assert np.array_equal(draw(rc, own=True), plain[-1]), rc
    assert len({p.tobytes() for p in plain}) == len(settings)  # each setting shows


def test_right_to_left_text_is_drawn_in_reading_order_on_png_and_kept_as_written_in_svg():
    """Agg draws characters in the order given: a Hebrew title came out backwards on the
    PNG. Drawn now, its pixels are those of its letters in visual order (last letter at the
    left), Arabic in joined forms; the SVG keeps the text as written (browsers order it)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from modeller.maps import image_words, text_images

    assert text_images.visual_order("Kharkiv 2025") == "Kharkiv 2025"
    assert text_images.visual_order("אבג דה") == "הד גבא"
    assert text_images.visual_order("Donetsk — אבג") == "Donetsk — גבא"
    # brackets face their contents (python-bidi 0.6 had left them as ')DMZ(')
    assert text_images.visual_order("אזור (DMZ) 15 ק״מ") == "מ״ק 15 (DMZ) רוזא"
    assert text_images.visual_order("אבג (דה [וז])") == "([זו] הד) גבא"
    assert text_images.visual_order("אבג f(x)") == "f(x) גבא"
    arabic = text_images.visual_order("سلام")
    assert arabic != "سلام"[::-1] and all("\ufe70" <= c <= "\ufefc" for c in arabic)

    def figure(text: str):
        fig = Figure(figsize=(3, 1), dpi=100)
        FigureCanvasAgg(fig)
        fig.text(0.1, 0.4, text, size=14)
        return fig

    title = "הצעה לחילופי שטחים"
    drawn = figure(title)
    _, svg = images.image_bytes(drawn)  # the PNG's pixels, and the SVG replayed from them
    expected = figure(title[::-1])  # Hebrew letters only: the visual order is the reverse
    backwards = figure(title)
    with matplotlib.rc_context(image_words.matplotlib_rc()):
        expected.canvas.draw()  # matplotlib on its own draws the order given
        backwards.canvas.draw()
    assert np.array_equal(_pixels(drawn), _pixels(expected))
    assert not np.array_equal(_pixels(drawn), _pixels(backwards))
    assert f">{title}<" in svg.decode()


def test_the_panel_gives_each_towns_people_changing_hands(figures):
    """The panel had listed towns by their GeoNames population (Horlivka 240,000 where half
    of it changes hands; Sevastopol 550,000 in a unit of 393,000): it gives the people of
    the part that moves, as the tables do, and the share where it is not all."""
    fig, entry, _ = figures["full-donbas-withdrawal"]
    joined = " ".join(" ".join(_svg_texts(images.image_bytes(fig, title=entry.title)[1])).split())
    assert "Largest towns, people changing hands: " in joined
    listed = [t for t in entry.towns if t.share >= 0.5][:4]
    assert listed
    for t in listed:
        share = "" if t.share >= 0.995 else f" ({words.share_text(t.share)})"
        # rounded as the towns table rounds it (two figures had read 150,000 beside 147,000)
        most = words.population_shown(t.population)  # (as the pages' towns table writes it)
        people = words.people(t.people, t.people_low, t.people_high, most, t.population)
        people = people.split(" (")[0]
        assert f"{words.place(t.name)} {people}{share}" in joined, t.name


def test_a_piece_geos_cannot_clip_to_the_frame_is_still_drawn(tmp_path):
    """A 50 km disc around Orikhiv on the contact line leaves a valid piece that GEOS's
    rectangle clip refuses ("Invalid number of points in LinearRing found 3"): the run had
    ended in a traceback with no maps at all. It is cut by a plain intersection instead."""
    path = tmp_path / "orikhiv.yaml"
    path.write_text(
        "id: orikhiv\ntitle: Orikhiv\nsteps:\n  - assign: ukraine\n"
        "    where: {near: {place: Orikhiv, km: 50}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "maps"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert Image.open(out / "orikhiv.png").size[0] > 0
    assert ET.parse(out / "orikhiv.svg").getroot().tag == f"{SVG}svg"


def test_the_overview_lists_the_scenarios_by_date_proposed_as_the_index_does():
    """overview.png had kept the run's order while the index lists scenarios by date."""
    from modeller.maps.image_overview import render_overview

    doc, partitions = build(shipped("plan-28-points-2025-11", "russia-demand-2024-06"))
    assert [e.date for e in doc.scenarios] == sorted((e.date for e in doc.scenarios), reverse=True)
    fig = render_overview(doc, partitions)
    fig.canvas.draw()
    where = {}
    for e in doc.scenarios:
        start = e.title[:20]
        (text,) = [t for t in fig.texts if t.get_text().startswith(start)]
        where[e.date] = text.get_window_extent().x0
    first, second = sorted(where)
    assert where[first] < where[second], where  # the earlier proposal on the left
