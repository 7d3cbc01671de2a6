"""Labels of the static maps where they crowd: every changed area keeps its label, a label
away from its area is joined to it by a leader that crosses no other label or leader, and
a town's name is never nearer another town's marker than its own unless a leader says
whose it is.

Runs the shipped scenarios with the most crowded maps on the embedded ``contact-line``
baseline (no external data).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import shapely
from helpers import build, legend_box, legend_texts, shipped
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller.maps import image_labels, images
from modeller.maps.image_frame import map_area
from modeller.maps.image_geometry import project
from modeller.maps.image_labels import Box
from modeller.maps.image_words import matplotlib_rc, place, statuses
from modeller.maps.words import mapped_towns

CROWDED = (
    "draft-20-points-2025-12",  # two Donetsk areas under a cluster of towns
    "us-framework-2025-04",  # Kharkiv's pocket ringed by the names of its villages
    "plan-28-points-2025-11",  # Luhansk's sliver far from any free space
    "ukraine-1991-borders",  # nine areas
    "land-swap",  # Luhansk's sliver between Kharkiv's strip and Donetsk's area
)


@pytest.fixture(scope="module")
def drawn() -> dict:
    doc, partitions = build(list(shipped(*CROWDED)))
    out = {}
    for entry, partition in zip(doc.scenarios, partitions, strict=True):
        fig = images.render(doc, entry, partition)
        renderer = fig.canvas.get_renderer()
        ax = map_area(fig)
        # measured with the settings the labels were placed with: once another test has
        # made text sizes shared per process, sizes measured under matplotlib's defaults
        # are not the placed ones (and a town's label had seemed far from its marker)
        with matplotlib.rc_context(matplotlib_rc()):
            texts = {
                t.get_text(): Box(*t.get_window_extent(renderer).extents)
                for t in ax.texts
                if t.get_text()
            }
        leaders = [
            tuple(map(tuple, ax.transData.transform(line.get_xydata())))
            for line in ax.lines
            if line.get_gid() == "leader"
        ]
        out[entry.id] = (entry, partition, ax, texts, leaders)
    return out


def _on_box(point, box: Box, tol: float = 1.5) -> bool:
    x, y = point
    grown = Box(box.x0 - tol, box.y0 - tol, box.x1 + tol, box.y1 + tol)
    return grown.contains(x, y) and not Box(
        box.x0 + tol, box.y0 + tol, box.x1 - tol, box.y1 - tol
    ).contains(x, y)


def test_every_changed_area_in_the_frame_is_labelled(drawn):
    for sid, (entry, partition, ax, texts, _) in drawn.items():
        x0, y0, x1, y1 = ax.limits
        wanted = set()
        for x, y, _, text, *_ in image_labels._changed_areas(
            entry, partition, statuses(entry, partition)
        ):
            if x0 < x < x1 and y0 < y < y1:
                wanted.add(text.split("\n")[0])
        heads = {t.split("\n")[0] for t in texts}
        assert wanted and wanted <= heads, (sid, wanted - heads)


def test_leaders_end_on_their_label_and_cross_no_other(drawn):
    joined = 0
    for sid, (_, _, _, texts, leaders) in drawn.items():
        for i, (a, b) in enumerate(leaders):
            ends = [t for t, box in texts.items() if _on_box(b, box)]
            assert ends, (sid, b)  # it ends on a label's edge
            for t, box in texts.items():  # (none: its start lies under no other label)
                if t in ends:
                    continue
                assert not box.crossed_by(a, b), (sid, ends, t)
            for c, d in leaders[i + 1 :]:
                assert not image_labels._segments_cross(a, b, c, d), sid
            joined += 1
    assert joined >= 3  # the crowded maps need leaders: the test sees some


def test_a_town_is_named_beside_its_own_marker_or_joined_to_it(drawn):
    checked = 0
    for sid, (entry, _, ax, texts, leaders) in drawn.items():
        x0, y0, x1, y1 = ax.limits
        mapped = mapped_towns(entry.towns)
        xy = project([(t.lon, t.lat) for t in mapped])
        shown = {}
        for town, (x, y) in zip(mapped, xy, strict=True):
            if x0 < x < x1 and y0 < y < y1:
                shown.setdefault(place(town.name), ax.transData.transform((x, y)))
        marks = list(shown.values())
        for name, own in shown.items():
            if name not in texts:
                continue
            box = texts[name]
            others = [box.distance(*m) for m in marks if not np.allclose(m, own)]
            if min(others, default=np.inf) >= image_labels.AMBIGUOUS * box.distance(*own) + 0.99:
                checked += 1
                continue
            # a nearer marker belongs to another town: a leader from its own says whose
            assert any(
                _on_box(b, box) and np.hypot(*(np.subtract(a, own))) < 25 for a, b in leaders
            ), (sid, name)
            checked += 1
    assert checked >= 20


def test_a_leader_is_a_last_resort(drawn):
    """Most labels sit beside what they name; leaders only where that has no room."""
    labels = sum(len(texts) for *_, texts, _ in drawn.values())
    leaders = sum(len(lines) for *_, lines in drawn.values())
    assert leaders < 0.25 * labels, (leaders, labels)


def test_the_locators_frame_is_whole_inside_the_small_map(drawn):
    """The 1991 page's frame is wider than Ukraine: its red box had run off the small map,
    its right and lower sides cut away."""
    from matplotlib.colors import to_hex

    for sid, (_, _, ax, _, _) in drawn.items():
        fig = ax.figure
        renderer = fig.canvas.get_renderer()
        edged = [a for a in fig.artists if hasattr(a, "get_edgecolor")]
        (frame,), (small,) = (
            [a.get_window_extent(renderer) for a in edged if to_hex(a.get_edgecolor()) == c]
            for c in ("#c00000", "#888888")
        )
        assert small.x0 < frame.x0 and frame.x1 < small.x1, sid
        assert small.y0 < frame.y0 and frame.y1 < small.y1, sid


def test_an_area_named_without_a_leader_is_clearly_nearer_its_own_area(drawn):
    """Luhansk's label on land-swap sat beside Kharkiv's strip, nearer it than its own
    sliver, with no leader: it read as the strip's."""
    checked = 0
    for sid, (entry, partition, ax, texts, leaders) in drawn.items():
        areas = image_labels._changed_areas(entry, partition, statuses(entry, partition))
        px_m = (ax.limits[2] - ax.limits[0]) / ax.bbox.width  # metres per pixel
        for k, (*_, text, _, area) in enumerate(areas):
            box = texts.get(text)
            if box is None or any(_on_box(b, box) for _, b in leaders):
                continue  # not drawn, or joined to its area by a leader
            corners = ax.transData.inverted().transform([(box.x0, box.y0), (box.x1, box.y1)])
            rect = shapely.box(*corners.min(axis=0), *corners.max(axis=0))
            own = shapely.distance(area, rect) / px_m
            others = [shapely.distance(g, rect) / px_m for j, (*_, g) in enumerate(areas) if j != k]
            assert min(others, default=np.inf) >= image_labels.AREA_AMBIGUOUS * own - 2, (
                sid,
                text.split("\n")[0],
                own,
                min(others),
            )
            checked += 1
    assert checked >= 8


def test_an_areas_label_hides_no_other_area_that_changes_hands(drawn):
    """On the 1991 map 'Donetsk: Russia → Ukraine', out on a leader, sat on 37 % of
    Zaporizhzhia's area (and read as naming it); on the 20-point draft Donetsk's label hid
    half of Kharkiv's 1,200 km². An area's label covers at most a tenth of another changed
    area, and a label out on a leader lies on other changed areas for a tenth of itself
    at most."""
    checked = 0
    for sid, (entry, partition, ax, texts, leaders) in drawn.items():
        areas = image_labels._changed_areas(entry, partition, statuses(entry, partition))
        for k, (*_, text, _, _area) in enumerate(areas):
            box = texts.get(text)
            if box is None:
                continue
            corners = ax.transData.inverted().transform([(box.x0, box.y0), (box.x1, box.y1)])
            rect = shapely.box(*corners.min(axis=0), *corners.max(axis=0))
            on = 0.0
            for j, (*_, other) in enumerate(areas):
                if j == k:
                    continue
                hidden = shapely.area(shapely.intersection(other, rect))
                share = hidden / shapely.area(other)
                assert share <= image_labels.HIDDEN + 0.01, (sid, text.split("\n")[0], j, share)
                on += hidden
            if any(_on_box(b, box) for _, b in leaders):
                assert on <= (image_labels.JOINED_COVER + 0.01) * rect.area, (sid, text)
            checked += 1
    assert checked >= 12


def test_a_label_on_its_own_area_reads_as_its_own_where_it_touches_the_next():
    """A box lying on its own area and touching the next changed area (both 0 px away) had
    been refused, and the label moved onto the neighbour's land with a leader back."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 400_000)
    ax.set_ylim(0, 400_000)
    own, other = shapely.box(0, 0, 200_000, 400_000), shapely.box(200_000, 0, 400_000, 400_000)
    mine = image_labels._reads_as(0, [own, other], ax, 1000.0)

    def box(x0, x1):  # display px of a box from x0 to x1 (metres), mid-height
        (a, b), (c, d) = ax.transData.transform([(x0, 150_000), (x1, 250_000)])
        return Box(a, b, c, d)

    assert mine(box(20_000, 200_000))  # on its own area, touching the next
    assert mine(box(60_000, 240_000))  # mostly on its own
    assert not mine(box(120_000, 280_000))  # as much on the next as on its own
    assert not mine(box(230_000, 390_000))  # on the next one's


@pytest.mark.parametrize("word", ["Ж" * 75, "W" * 60, "Demilitarised zone under joint monitoring"])
def test_a_long_status_label_stays_inside_the_image(tmp_path, word):
    """A status label of one long word of wide letters ('Зона ЖЖЖ…', 80 letters) ran past
    the image's right edge: wrapped at 34 letters, 34 wide ones are wider than the panel."""
    path = tmp_path / "long.yaml"
    path.write_text(
        "id: long-label\ntitle: Long label\n"
        f"statuses:\n  dmz:\n    label: Зона {word}\n    colour: '#7570b3'\n"
        "steps:\n  - assign: dmz\n    where: {oblast: Donetsk}\n",
        encoding="utf-8",
    )
    doc, partitions = build([path])
    fig = images.render(doc, doc.scenarios[0], partitions[0])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    label = next(t for t in legend_texts(fig) if "Зона" in t.get_text())
    box = label.get_window_extent(renderer)
    assert box.x1 <= fig.bbox.x1, (box.x1, fig.bbox.x1)
    assert box.x0 >= fig.bbox.width * 0.7
    assert "".join(label.get_text().split()) == "Зона" + word.replace(" ", "")  # all of it


def test_a_legend_of_many_long_statuses_stays_above_the_footer(tmp_path):
    """Thirteen statuses of 80 letters each drew the legend over the footer's credits and
    off the image's foot: the legend takes a smaller font (at the smallest, one line a
    status) and ends above the footer."""
    oblasts = ["Donetsk", "Luhansk", "Zaporizhzhia", "Kherson", "Kharkiv", "Dnipropetrovsk"]
    oblasts += ["Mykolaiv", "Sumy", "Chernihiv", "Poltava", "Kirovohrad", "Odesa", "Kyiv oblast"]
    text = ["id: many-long", "title: Many long statuses", "statuses:"]
    for i in range(len(oblasts)):
        label = f"Status {i} internationally supervised demilitarised humanitarian corridor "
        text += [f"  s{i}:", f"    label: {(label * 2)[:80].strip()}", "    colour: '#7570b3'"]
    text.append("steps:")
    for i, oblast in enumerate(oblasts):
        text += [f"  - assign: s{i}", f"    where: {{oblast: {oblast}}}"]
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    doc, partitions = build([path])
    fig = images.render(doc, doc.scenarios[0], partitions[0])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = legend_box(fig, renderer)
    footer = next(t for t in fig.texts if t.get_text().startswith("Terms"))
    assert box.y0 >= footer.get_window_extent(renderer).y1, (box, footer.get_text()[:40])
    assert box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1
    shown = [t.get_text() for t in legend_texts(fig) if t.get_text().startswith("Status")]
    assert len(shown) == len(oblasts)  # every status keeps its entry


def _loop_candidates(px, py, hx, hy, near, anchors, lead):
    """The label positions as a plain loop over anchors, gaps and directions finds them."""
    found = [(px + dx * hx, py + dy * hy, 0) for dx, dy in near]
    if lead is not None:
        w, h, clearance, spacing, gaps = lead
        for k, (ax_, ay) in enumerate(anchors):
            for gap in gaps:
                for ux, uy in image_labels.DIRECTIONS:
                    reach = min(
                        (w / 2) / abs(ux) if abs(ux) > 1e-9 else np.inf,
                        (h / 2) / abs(uy) if abs(uy) > 1e-9 else np.inf,
                    )
                    r = reach + clearance + spacing + gap
                    found.append((ax_ + ux * r, ay + uy * r, k))
    return found


coordinate = st.floats(-2000, 2000, allow_nan=False)
size = st.floats(0.5, 400, allow_nan=False)


@settings(max_examples=60)
@given(
    point=st.tuples(coordinate, coordinate),
    box=st.tuples(size, size),
    clearance=st.floats(0, 40),
    anchors=st.lists(st.tuples(coordinate, coordinate), max_size=4),
    gaps=st.sampled_from([(), image_labels.TOWN_LEADER_GAPS_PX, image_labels.LEADER_GAPS_PX]),
    centred=st.booleans(),
)
def test_label_positions_are_the_plain_loops_to_the_bit(
    point, box, clearance, anchors, gaps, centred
):
    """The positions tried for a label, found at once with numpy, are the loop's: the same
    order and the same floats (the static images stay the same bytes)."""
    (px, py), (w, h), spacing = point, box, 4.0
    hx, hy = w / 2 + spacing + clearance, h / 2 + spacing + clearance
    near = [*image_labels.CENTRED, *image_labels.AROUND] if centred else image_labels.AROUND
    anchors = [(px, py), *anchors]
    lead = (w, h, clearance, spacing, gaps) if gaps else None
    cx, cy, which = image_labels._candidates(px, py, hx, hy, near, anchors, lead)
    expected = _loop_candidates(px, py, hx, hy, near, anchors, lead)
    assert len(cx) == len(expected)
    assert [(float(x), float(y), int(k)) for x, y, k in zip(cx, cy, which, strict=True)] == expected


def test_every_leader_is_drawn_on_a_white_halo(drawn):
    """A leader was #111 at 0.8 px, as the hatching is: one at 45° over a hatched area
    vanished (Bakhmut's, the 1991 map's Donetsk one), leaving a name beside no dot."""
    seen = 0
    for sid, (_, _, ax, _, _) in drawn.items():
        halos = {
            tuple(map(tuple, line.get_xydata())): line
            for line in ax.lines
            if line.get_gid() == "leader-halo"
        }
        for line in ax.lines:
            if line.get_gid() != "leader":
                continue
            halo = halos.get(tuple(map(tuple, line.get_xydata())))
            assert halo is not None, sid
            assert halo.get_color() == "white" and halo.get_zorder() < line.get_zorder()
            assert halo.get_linewidth() >= line.get_linewidth() + 2
            seen += 1
    assert seen >= 3


@pytest.mark.parametrize(
    ("flow", "lines"),
    [
        ("Ukraine → Russia", ["Ukraine → Russia"]),
        ("Russia → " + "W" * 80, None),  # one long word: cut inside it, never '…' alone
        ("Ukraine → Demilitarised buffer zone (recognised as Russian)", None),
    ],
)
def test_a_flows_name_in_the_panel_keeps_its_destination(flow, lines):
    """The panel's 'What changes hands' shortened a flow by whole words: a status label of
    one long word left 'Russia →…', the destination gone; a two-word one was cut with
    room to wrap."""
    from modeller.maps.image_panel import _flow_name

    got = _flow_name(flow).split("\n")
    if lines is not None:
        assert got == lines
    assert 1 <= len(got) <= 2 and all(len(line) <= 44 for line in got)
    assert got[-1].rstrip("…").strip() and "→" in got[0]
    assert flow.split("→")[1].strip()[:10] in "".join(got)  # the destination is shown


def test_the_legend_keys_the_statuses_drawn_after_the_scenario(drawn):
    """The 1991 map keyed 'Russia' under 'After the scenario', where nothing is Russian
    after it (Russia only gives land up there)."""
    for sid in ("ukraine-1991-borders", "land-swap"):
        entry, partition, *_ = drawn[sid]
        fig = images.render(*build(list(shipped(sid)))[0:1], entry, partition)
        keyed = {t.get_text().replace("\n", " ") for t in legend_texts(fig)}
        after = {p.after for p in partition.pieces}
        for s in entry.statuses:
            assert (s.label in keyed) == (s.status in after), (sid, s.label, keyed)
