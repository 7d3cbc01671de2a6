"""Land cut off behind Russian lines on the timeline: day after day, the pockets that
``run`` finds on each day alone (``reconcile.cut_off``), and its warning; and the outline
strips, day after day as ``run`` draws them on each day alone (``reconcile.strips``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import archive, baselines, reconcile, timeline_run
from modeller.scenario import load_scenarios
from modeller.timeline_day import Land, boundary_segments, changed_since
from modeller.timeline_pockets import CELL_M, OVERLAP_M, Pockets, Strips
from modeller.timeline_read import Reader

REPO = Path(__file__).resolve().parent.parent


class _Clock:
    def lap(self, stage: str) -> None:
        pass


def _said(cut) -> tuple:
    return tuple((c, round(k, 2)) for c, k in cut if k >= 0.5)


def _reference(land: Land) -> tuple:
    r = land.raw if land.grown is None else shapely.union(land.raw, land.grown)
    return _said(reconcile.cut_off(r))


def _days(raws: list) -> list[Land]:
    """Lands of consecutive days as the reader gives them: the boundary segments changed
    since the day before (None on the first)."""
    out, last = [], None
    for raw in raws:
        seg = boundary_segments(raw)
        changed = None if last is None else changed_since(*seg, *last)
        out.append(Land(raw, None, changed))
        last = seg
    return out


def _ring(x: float, y: float, inner: float, outer: float, gap: float, turn: float):
    """An annulus around (x, y) with an open sector of ``gap`` radians (none: 0)."""
    ring = shapely.Point(x, y).buffer(outer).difference(shapely.Point(x, y).buffer(inner))
    if gap <= 0:
        return ring
    r = 2 * outer
    a = np.linspace(turn, turn + gap, 8)
    wedge = shapely.Polygon([(x, y), *zip(x + r * np.cos(a), y + r * np.sin(a), strict=True)])
    return ring.difference(wedge)


@settings(max_examples=12)
@given(
    fx=st.floats(0.3, 0.7),
    fy=st.floats(0.3, 0.7),
    inner_km=st.floats(3, 160),
    gaps=st.lists(st.sampled_from([0.0, 0.05, 0.6]), min_size=2, max_size=4),
    turn=st.floats(0, 6.28),
)
def test_day_after_day_the_pockets_are_those_of_each_day_alone(fx, fy, inner_km, gaps, turn):
    """Rings of Russian-held land closing and opening around land inside Ukraine, from a
    village to more than a grid cell across (several cells hold one pocket): the pockets
    kept from day to day equal those ``run`` finds on each day alone."""
    country = reconcile.outline_zone().country
    x0, y0, x1, y1 = country.bounds
    x, y = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
    inner = inner_km * 1000
    raws = [_ring(x, y, inner, inner + 4000, g, turn + i) for i, g in enumerate(gaps)]
    pockets = Pockets()
    for land in _days(raws):
        assert _said(pockets.day(land)) == _reference(land)


def test_a_pocket_wider_than_a_cell_closed_then_opened():
    """A ring 2.5 cells across around Kyiv's side of the country: closed, it cuts off
    land in several cells; opened again, nothing is cut off. Not a chance of the draw."""
    country = reconcile.outline_zone().country
    x, y = shapely.point_on_surface(country).coords[0]
    inner = 1.25 * CELL_M
    raws = [_ring(x, y, inner, inner + 3000, g, 1.0) for g in (0.3, 0.0, 0.0, 0.3)]
    pockets = Pockets()
    got = [pockets.day(land) for land in _days(raws)]
    assert [bool(_said(g)) for g in got] == [False, True, True, False]
    for g, land in zip(got, _days(raws), strict=True):
        assert _said(g) == _reference(land)
    assert sum(k for _, k in got[1]) > np.pi * (inner / 1000) ** 2 * 0.5


def test_month_end_maps_of_2022_cut_off_what_run_finds(shared_data):
    """The month-end maps of April to October 2022 (Crimea by the Syvash lagoon,
    then Kherson's right bank): each day's pockets from the day before equal ``run``'s."""
    snaps = [s for s in archive.snapshots() if s.day.year == 2022 and 4 <= s.day.month <= 10]
    assert len(snaps) >= 6
    seen = 0
    for day in Reader(snaps, _Clock()):
        assert _said(day.cut_off) == _reference(day.land), day.snap.day
        seen += bool(day.cut_off)
    assert seen >= 6  # (667 km² of Crimea from April to August 2022)


def test_the_timeline_warns_of_land_cut_off_as_run_does(shared_data):
    """The timeline had left out run's warning of land cut off behind Russian lines. It
    names the dates and the figures of the date with the most."""
    snaps = archive.select("deepstate:2022-07-31..2022-10-31", archive.snapshots())
    loaded = load_scenarios([REPO / "scenarios" / "freeze-current-lines.yaml"])
    table = timeline_run.build_table(loaded, snaps, workers=1)
    warnings = [w for sc in table.scenarios for w in sc["warnings"] if "cut off" in w]
    assert len(warnings) == 1
    text = warnings[0]
    assert "on 2022-07-31 … 2022-10-31 (4 of 4 dates)" in text
    # the figures: run's on the date with the most
    runs = {}
    for day in ("2022-07-31", "2022-08-31", "2022-09-30", "2022-10-31"):
        said = [w for w in baselines.load_baseline(f"deepstate:{day}").warnings if "cut off" in w]
        assert len(said) == 1
        runs[day] = said[0]
    most = max(runs, key=lambda d: float(runs[d].split(" km²")[0].replace(",", "")))
    total, where = runs[most].split(" km² cut off")[0], runs[most].split("(km²: ")[1].split(")")[0]
    assert text.startswith(f"up to {total} km² cut off from the rest of Ukrainian-held land")
    assert f"(the most on {most}, km²: {where})" in text


def test_without_the_outline_rule_nothing_is_said(shared_data, monkeypatch):
    """``run`` says nothing of cut-off land without the outline rule; nor does the
    timeline."""
    monkeypatch.setenv("MODELLER_RECONCILE", "0")
    snaps = archive.select("deepstate:2022-08-31", archive.snapshots())
    loaded = load_scenarios([REPO / "scenarios" / "freeze-current-lines.yaml"])
    table = timeline_run.build_table(loaded, snaps, workers=1)
    assert not [w for sc in table.scenarios for w in sc["warnings"] if "cut off" in w]


def test_real_days_with_an_encircled_village(shared_data):
    """Daily maps of August and December 2024: pockets of 1.5 km² (from 2024-08-21) and
    7.3 km² near Velyka Novosilka (2024-12-23) appear and go, as run finds them."""
    want = {"2024-08-20", "2024-08-21", "2024-08-22", "2024-12-22", "2024-12-23", "2024-12-24"}
    snaps = [s for s in archive.snapshots() if s.day.isoformat() in want]
    if len(snaps) < 6:
        pytest.skip("the archive lacks these days")
    said = {}
    for day in Reader(snaps, _Clock()):
        assert _said(day.cut_off) == _reference(day.land), day.snap.day
        said[day.snap.day.isoformat()] = _said(day.cut_off)
    assert said["2024-08-21"] and said["2024-12-23"]
    assert any(not v for v in said.values())


def test_the_command_says_a_warning_every_scenario_has_once(shared_data, tmp_path):
    """Eleven scenarios on a day with a pocket: the warning is printed once, for all
    scenarios, not once per scenario; each scenario's CSV lines keep it."""
    from click.testing import CliRunner

    from modeller.cli import main

    args = ["timeline", str(REPO / "scenarios"), "--baselines", "deepstate:2024-08-21"]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if "cut off" in x]
    assert len(lines) == 1
    assert lines[0].startswith("warning: all scenarios: 2 km² cut off from the rest")
    csv = (tmp_path / "timeline.csv").read_text(encoding="utf-8")
    n = len(list((REPO / "scenarios").glob("*.yaml")))
    said = "km² cut off from the rest of Ukrainian-held land behind Russian lines"
    assert sum(said in x for x in csv.splitlines() if x.startswith("# warning:")) == n


def _inner_cell(p: Pockets) -> tuple[float, float, tuple]:
    """The centre and box of a cell that lies well inside the country."""
    for b in p.boxes:
        if shapely.contains(p.country, shapely.box(*b).buffer(60_000)):
            return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, tuple(b)
    raise AssertionError("no inner cell")


def _same_as_run(raws) -> list:
    """Pockets kept day after day against run's of each day alone; the first day is given
    no change rather than None (the first call cuts every cell all the same)."""
    pockets, out = Pockets(), []
    for land in _days(raws):
        if land.changed is None:
            land = Land(land.raw, land.grown, np.zeros((0, 4)))
        got = _said(pockets.day(land))
        assert got == _reference(land)
        out.append(got)
    return out


def test_a_cell_covered_or_freed_whole_is_cut_again():
    """R comes to cover a whole cell, then a hole frees it, each time with its changed
    boundary outside the cell's box: a point of each cell's land tells (the cell had
    kept its old land: 10,020 km² said where there was none, then 8,137 instead of
    18,117)."""
    p = Pockets()
    x, y, _ = _inner_cell(p)
    far = shapely.Point(x + 300_000, y).buffer(1000)
    disc = shapely.Point(x, y).buffer(80_000)  # the cell's box is 71 km from corner to centre
    ring = disc.difference(shapely.Point(x, y).buffer(76_000))
    got = _same_as_run([far, disc, ring])
    assert not got[1] and sum(k for _, k in got[2]) > 18_000


def test_the_largest_part_is_chosen_again_when_only_areas_change():
    """Two holes in R in one cell swap sizes: the graph is the same, but the larger is
    now the other one (the smaller is cut off; the larger had been said)."""
    p = Pockets()
    x, y, _ = _inner_cell(p)
    x0, y0, x1, y1 = p.country.bounds
    big = shapely.box(x0 - 1e4, y0 - 1e4, x1 + 1e4, y1 + 1e4)

    def holes(a, b):
        left, right = shapely.Point(x - 20_000, y), shapely.Point(x + 20_000, y)
        return big.difference(left.buffer(a)).difference(right.buffer(b))

    got = _same_as_run([holes(5000, 3000), holes(3000, 5000)])
    assert [round(sum(k for _, k in g)) for g in got] == [28, 28]


def test_a_part_across_cells_is_measured_once_in_their_overlaps():
    """A hole on a cell corner (four overlapping cells) 1 % smaller than one inside a
    cell: the smaller is cut off (its overlaps, counted four times, had made it the
    larger)."""
    p = Pockets()
    _, _, (bx0, by0, bx1, by1) = _inner_cell(p)
    x0, y0, x1, y1 = p.country.bounds
    big = shapely.box(x0 - 1e4, y0 - 1e4, x1 + 1e4, y1 + 1e4)
    corner = shapely.Point(bx1 - OVERLAP_M, by1 - OVERLAP_M).buffer(5000, quad_segs=64)
    inside = shapely.Point((bx0 + bx1) / 2, (by0 + by1) / 2).buffer(5000, quad_segs=64)
    inside = shapely.affinity.scale(inside, 1.01, 1.0)
    got = _same_as_run([big.difference(corner).difference(inside)])
    assert round(sum(k for _, k in got[0]), 1) == round(corner.area / 1e6, 1)


def test_a_band_following_a_pockets_edges_is_said(shared_data, tmp_path):
    """On the April 2022 month-end map the Syvash pocket's edges, 100 km behind the front,
    count as a line of contact: a 15 km band in Crimea takes in thousands of km² there.
    The cut-off warning had said nothing of bands; it now says they follow the edges."""
    path = tmp_path / "band.yaml"
    path.write_text(
        "id: band-crimea\ntitle: A band in Crimea\n"
        'statuses: {dmz: {label: DMZ, colour: "#7570b3"}}\n'
        "steps:\n  - assign: dmz\n"
        "    where: {band: {km: 15, side: both}, oblast: [Crimea, Sevastopol]}\n",
        encoding="utf-8",
    )
    base = baselines.load_baseline("deepstate:2022-04-30")
    [said] = [w for w in base.warnings if "cut off" in w]
    assert "its edges count as a line of contact, so a band along the line follows" in said
    [(_, sc)] = load_scenarios([path])
    after = baselines.apply(base, sc)
    km2 = sum(
        a
        for p, a in zip(after.pieces, after.areas_km2, strict=True)
        if p.oblast == "UA-43" and p.before == "russia" and p.after == "dmz"
    )
    assert km2 > 2000


def test_only_a_warning_every_scenario_has_is_said_for_all(shared_data, tmp_path):
    """The first scenario's own warnings had been printed as 'all scenarios: …' (a step
    of one scenario that selects nothing, said of all), and again under its id."""
    from click.testing import CliRunner

    from modeller.cli import main

    (tmp_path / "a.yaml").write_text(
        "id: aa\ntitle: A\nsteps:\n  - assign: russia\n"
        "    where: {oblast: Lviv, held_by: russia}\n",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text(
        "id: bb\ntitle: B\nsteps:\n  - assign: russia\n    where: {oblast: Donetsk}\n",
        encoding="utf-8",
    )
    args = ["timeline", str(tmp_path), "--baselines", "deepstate:2022-04-30"]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if x.startswith("warning:")]
    assert [x for x in lines if "selects nothing" in x] == [
        "warning: aa: step 1 selects nothing on 2022-04-30"
    ], lines
    assert [x[:33] for x in lines if "cut off" in x] == ["warning: all scenarios: 967 km² c"]


def _same_strips(raws) -> list[float]:
    """Strips kept day after day against ``run``'s of each day alone: the same land (no
    symmetric difference past 1 m²); their km² per day. The first day is given no change
    rather than None: the first call cuts every cell all the same."""
    strips, out = Strips(), []
    for land in _days(raws):
        changed = np.zeros((0, 4)) if land.changed is None else land.changed
        got, want = strips.day(land.raw, changed), reconcile.strips(land.raw)
        assert shapely.symmetric_difference(got, want).area < 1.0
        out.append(want.area / 1e6)
    return out


def _coast_band(start: int, length: int, inner: int, outer: float, gap: float):
    """Russian-held land along the outline: within ``outer`` m of a stretch of the
    country's longest ring (vertices start … start + length), less the land within
    ``gap`` m of its middle part (vertices inner … length - inner, ``inner`` at most a
    quarter of the stretch: the middle is half of it or more): a strip ``gap`` wide
    between it and the outline, cut off wherever it reaches the outline at both ends."""
    ring = max(shapely.get_parts(reconcile.outline_zone().country), key=lambda g: g.area)
    xy = np.array(ring.exterior.coords)
    start %= len(xy) - length - 1
    inner = min(inner, length // 4)
    stretch = shapely.LineString(xy[start : start + length])
    middle = shapely.LineString(xy[start + inner : start + length - inner])
    return stretch.buffer(outer).difference(middle.buffer(gap))


@settings(max_examples=8)
@given(
    start=st.integers(0, 4000),
    days=st.lists(
        st.tuples(st.integers(40, 160), st.integers(5, 30), st.sampled_from([300.0, 1500.0])),
        min_size=2,
        max_size=4,
    ),
)
def test_day_after_day_the_strips_are_those_of_each_day_alone(start, days):
    """Bands of Russian-held land along the coast and the border, growing, shrinking and
    leaving strips of land between them and the outline: the strips kept from day to day
    (cells cut again only where a change reaches) are the land ``run`` moves each day."""
    raws = [_coast_band(start, n, inner, 8000.0, gap) for n, inner, gap in days]
    assert any(_same_strips(raws))


def test_real_days_give_run_s_strips(shared_data):
    """Every eighth day of the daily archive (and so changes of eight days at once): the
    strips kept day after day are the land run moves on each day alone."""
    snaps = [s for s in archive.snapshots() if s.feature is None][::8]
    if len(snaps) < 20:
        pytest.skip("the daily archive is not in MODELLER_DATA_DIR")
    strips, seen = Strips(), 0.0
    for day in Reader(snaps, _Clock()):
        raw = day.land.raw
        got = strips.day(raw, day.land.changed if seen else None)
        want = reconcile.strips(raw)
        assert shapely.symmetric_difference(got, want).area < 1.0, day.snap.day
        seen += want.area / 1e6
    assert seen > 100  # (strips along the Azov coast and Crimea on every day)
