"""The timeline page without a browser, on small synthetic tables (no external data):
series equal a plain per-scenario recount, words (cadence, months, rounding), escaping.

The synthetic table has the shape ``timeline_run.build_table`` returns: one row per
(date, scenario, oblast, status), scenario by scenario.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import timeline_charts as charts
from modeller import timeline_page as tp
from modeller import timeline_series as ts
from modeller.timeline_rows import COLUMNS
from modeller.timeline_table import Table

OBLASTS = ("UA-14", "UA-23", "UA-65", "UA-09", "UA-63", "UA-59", "UA-12", "UA-43")
"""Oblasts of the synthetic rows (the real timeline has ~36 status rows per date)."""
STATUSES = ("ukraine", "russia", "dmz")


def synthetic(
    n_scenarios: int,
    n_dates: int,
    step: int = 7,
    seed: int = 0,
    title=None,
    oblasts=OBLASTS,
    start: Date = Date(2025, 1, 6),
) -> Table:
    """Random figures in the table's columns, scenario by scenario, ``step`` days apart
    from ``start``."""
    rng = np.random.default_rng(seed)
    days = [(start + timedelta(days=step * i)).isoformat() for i in range(n_dates)]
    per_date = len(oblasts) * len(STATUSES)
    block = {
        "date": np.repeat(days, per_date),
        "oblast": np.tile(np.repeat(oblasts, len(STATUSES)), n_dates),
        "status": np.tile(STATUSES, len(oblasts) * n_dates),
    }
    cols: dict[str, list] = {c: [] for c in ("date", "scenario", "oblast", "status")}
    metas = []
    for k in range(n_scenarios):
        sid = f"sc-{k}"
        for c in ("date", "oblast", "status"):
            cols[c].append(block[c])
        cols["scenario"].append(np.full(len(block["date"]), sid, dtype=object))
        metas.append(
            {
                "id": sid,
                "title": title or f"Scenario {k}",
                "summary": "",
                "date": days[n_dates // 2],
                "hash": "0" * 12,
                "file": "x.yaml",
                "reported": [],
            }
        )
    out = {c: np.concatenate(v) for c, v in cols.items()}
    out["oblast_name"] = out["oblast"]
    n = len(out["date"])
    for c in COLUMNS:
        if c not in out:
            out[c] = rng.uniform(0, 1000, n).round(3)
    return Table(out, {}, (), tuple(metas))


def plain_series(table: Table, sid: str) -> dict:
    """The straightforward recount: mask the whole table for one scenario and date."""
    c = table.columns
    out: dict[str, list] = {"dates": sorted(set(c["date"][c["scenario"] == sid]))}
    for unit in ("km2", "people"):
        for key, col, status in (
            ("cedes", "lost_", "ukraine"),
            ("regains", "gained_", "ukraine"),
            ("baseline_russia", "baseline_", "russia"),
        ):
            out[f"{key}_{unit}"] = [
                float(
                    c[col + unit][
                        (c["scenario"] == sid) & (c["date"] == d) & (c["status"] == status)
                    ].sum()
                )
                for d in out["dates"]
            ]
    return out


@settings(max_examples=15)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(0, 2**16), st.booleans())
def test_series_equal_a_plain_recount(n_scenarios, n_dates, seed, shuffle_blocks):
    table = synthetic(n_scenarios, n_dates, seed=seed)
    if shuffle_blocks:  # rows by date, then scenario: many short runs of each scenario
        c = table.columns
        order = np.lexsort((c["scenario"].astype(str), c["date"]))
        table = Table({k: v[order] for k, v in c.items()}, {}, (), table.scenarios)
    got = ts.series(table)
    for sc in table.scenarios:
        want = plain_series(table, sc["id"])
        assert got[sc["id"]]["dates"] == want["dates"]
        for key, values in want.items():
            if key != "dates":
                assert got[sc["id"]][key] == pytest.approx(values, rel=1e-12, abs=1e-9)


def test_words_cadence_months_and_rounding():
    days = [(Date(2025, 1, 6) + timedelta(days=7 * i)).isoformat() for i in range(10)]
    assert ts.cadence(days, 7) == "weekly"
    assert ts.cadence(days) == "weekly"
    assert ts.cadence(days[:3], 1) == "day by day"
    assert ts.cadence(["2025-01-01", "2025-01-02", "2025-01-03"]) == "day by day"
    assert ts.cadence(["2024-01-31", "2024-02-29", "2024-03-31"]) == "monthly"
    assert ts.cadence(days, 3) == "every 3 days"
    # a rhythm of a month or more asked for is no month-end snapshots ('--every 30d' had
    # read 'monthly, then every 30 days': the last step, to the range's end, is shorter)
    thirty = [(Date(2024, 7, 8) + timedelta(days=30 * i)).isoformat() for i in range(8)]
    assert ts.cadence([*thirty, "2025-03-01"], 30) == "every 30 days"
    assert ts.cadence([*thirty[::2], "2025-03-01"][:4], 60) == "every 60 days"
    # two dates named one by one are no rhythm (the title had said 'every 3 days' of them)
    assert ts.cadence(["2025-08-12", "2025-08-15"]) == "on 2 dates"
    assert ts.cadence(["2025-08-12", "2026-02-15"]) == "on 2 dates"
    assert ts.cadence(["2025-08-12", "2025-08-19"], 7) == "weekly"
    assert ts.cadence(["2025-08-01", "2025-08-03"], 7) == "on 2 dates"  # a range's two ends
    # month-end snapshots before the daily archive are a month apart, whatever --every says
    mixed = ["2024-05-31", "2024-06-30", "2024-07-08", "2024-07-09", "2024-07-10"]
    assert ts.cadence(mixed) == "monthly, then day by day"
    assert ts.cadence([*mixed[:3], "2024-07-15"], 7) == "monthly, then weekly"
    # 1991 before a run of days is no month before them (the title had said 'monthly')
    assert ts.cadence(["1991-12-01", "2025-07-01", "2025-07-02"]) == "on 3 dates"
    assert ts.cadence(["2022-02-23", "2024-07-08", "2024-07-09"]) == "on 3 dates"
    ticks = ts.month_ticks(Date(2024, 7, 8).toordinal(), Date(2026, 8, 22).toordinal())
    assert [t[1] for t in ticks] == ["Jan 2025", "Jul 2025", "Jan 2026", "Jul 2026"]
    few = ts.month_ticks(Date(2025, 7, 1).toordinal(), Date(2025, 12, 20).toordinal())
    assert [t[1].split()[0] for t in few] == ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert len(ticks) <= 8
    # a baseline file dated far ahead (9999-12-31 is a valid date): few ticks, no overflow
    for first, last in ((Date(2025, 8, 1), Date.max), (Date.min, Date.max)):
        far = ts.month_ticks(first.toordinal(), last.toordinal())
        assert 1 <= len(far) <= 8
        assert all(first.toordinal() <= x <= last.toordinal() for x, _ in far)
    assert ts.ticks(11_521) == [0, 2500, 5000, 7500, 10000, 12500]
    assert ts.ticks(0) == [0, 1]
    assert ts.people(666_297.4) == "666,000" and ts.people(211.4) == "211"
    assert ts.short(2_500_000) == "2.5 M" and ts.short(800_000) == "800 k"
    assert ts.nice_date("2025-08-15") == "15 Aug 2025"


def test_page_escapes_titles_and_marks_the_proposal_date():
    title = '<script>alert(1)</script> & "q"'
    table = synthetic(2, 9, title=title)
    page = tp.render(table, every_days=7, data_file="timeline.csv", maps={"sc-0": "../sc-0.html"})
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in page
    assert "<script" not in page  # no script at all
    assert "What each proposal would have meant, weekly" in page
    assert page.count('class="proposal"') == 4  # two charts per scenario
    assert 'href="timeline.csv"' in page and 'href="../sc-0.html"' in page
    assert 'href="../sc-1.html"' not in page  # only maps that exist are linked


def test_titles_in_the_overview_list_are_isolated_from_their_figures():
    """An Arabic title followed by '6,596 km²' had read '6,596 <title> km²'."""
    title = "خطة السلام — تجميد خط التماس"
    page = tp.render(synthetic(2, 9, title=title), every_days=7, data_file="timeline.csv")
    assert f"<bdi>{title}" in page
    assert "table { overflow-wrap: normal; }" in page  # long words wrap, figures do not


def test_a_line_is_not_drawn_across_a_gap_in_the_dates():
    """README's '--baselines deepstate:..2024-07-07,contact-line' joined the last month-end
    to the contact-line of 2025-08-15 by a straight line across 13 months."""
    month_ends = ["2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-07"]
    assert charts.gaps([*month_ends, "2025-08-15"]) == {5}
    assert charts.gaps(month_ends) == set()  # month by month: one line
    daily = [(Date(2024, 7, 8) + timedelta(days=i)).isoformat() for i in range(40)]
    assert charts.gaps([*month_ends, *daily]) == set()  # month-ends, then daily
    assert charts.gaps([*daily[:10], *daily[25:]]) == set()  # a fortnight missing: joined
    table = synthetic(1, 6, step=30)  # monthly, then the last date a year on
    c = table.columns
    last = max(c["date"])
    c["date"] = np.where(c["date"] == last, "2026-06-01", c["date"])
    page = tp.render(Table(c, {}, (), table.scenarios), every_days=0)
    lines = [p.split(">")[0] for p in page.split('<path class="series')[1:]]
    paths = [p.split(' d="')[1].split('"')[0] for p in lines if not p.startswith("-dots")]
    assert paths and all(p.count("M") == 2 and p.count("L") == 4 for p in paths)
    # the last date, alone after the gap, is drawn as a dot (a lone 'M' draws nothing)
    assert all(p.endswith("l0.01,0") for p in paths)
    # and again as a large dot of its own (in the line's stroke it was a 2 px speck)
    dots = [p.split(' d="')[1].split('"')[0] for p in lines if p.startswith("-dots")]
    assert len(dots) == len(paths) and all(d.count("M") == 1 for d in dots)
    assert all(p.endswith(d.split(" ")[0] + " l0.01,0") for p, d in zip(paths, dots, strict=True))


def test_a_proposal_dot_sits_on_its_line_and_never_in_a_gap():
    """The proposal date's dot took the nearest date's value: Russia's demand of June 2024,
    on a timeline of 30 Apr 2022 and 22 Aug 2026, sat at April 2022's km² in a gap where
    no line is drawn. Between two dates a line joins, it sits on that line."""
    sc = ({"id": "a", "title": "A", "date": "2024-06-14"},)
    apart = {"a": {"dates": ["2022-04-30", "2026-08-22"], "cedes_km2": [23_945.0, 30_000.0]}}
    assert charts.overview(charts.Axis(apart["a"]["dates"]), apart, sc)["dots"] == []
    joined = {"a": {"dates": ["2024-06-01", "2024-06-30"], "cedes_km2": [100.0, 200.0]}}
    (dot,) = charts.overview(charts.Axis(joined["a"]["dates"]), joined, sc)["dots"]
    top = charts.ticks(200.0)[-1]
    assert dot["bottom"] == round((100.0 + 100.0 * 13 / 29) / top * 100, 3)
    on_a_date = ({"id": "a", "title": "A", "date": "2024-06-30"},)
    (dot,) = charts.overview(charts.Axis(joined["a"]["dates"]), joined, on_a_date)["dots"]
    assert dot["bottom"] == round(200.0 / top * 100, 3)
    late = ({"id": "a", "title": "A", "date": "2024-07-01"},)  # past the last date: none
    assert charts.overview(charts.Axis(joined["a"]["dates"]), joined, late)["dots"] == []


def test_a_run_of_dates_too_short_to_see_is_drawn_as_a_dot_too():
    """'--baselines deepstate:2025-08-01..2025-08-03,1991' drew 1991 as a dot and the three
    days of 2025, under a pixel wide on a 34-year axis, as a speck no one could see."""
    dates = ["1991-12-01", "2025-08-01", "2025-08-02", "2025-08-03"]
    axis = charts.Axis(dates)
    assert charts.gaps(dates) == {1}
    dots = charts._dots(axis, dates, [0.0, 113_400.0, 113_410.0, 113_420.0], 120_000.0)
    assert dots.count("l0.01,0") == 2  # 1991, and the run of 2025's three days
    assert dots.split(" ")[2] == "M1000.0,5.48"  # (the run's last date, at the right edge)
    line = charts._points(axis, dates, [0.0, 113_400.0, 113_410.0, 113_420.0], 120_000.0)
    assert line.count(" L") == 2  # the run is still drawn as its line, under its dot
    # a run wide enough to see is a line alone
    weeks = [(Date(2025, 1, 6) + timedelta(days=7 * i)).isoformat() for i in range(9)]
    assert charts._dots(charts.Axis(weeks), weeks, [1.0] * 9, 2.0) == ""


def test_a_scenario_that_moves_nothing_says_so_instead_of_two_empty_charts():
    """A freeze on the current lines drew two empty charts on a 0-1 axis, its 'cedes' line
    hidden under 'regains'; a scenario that moves anything keeps its charts."""
    table = synthetic(2, 5)
    c = table.columns
    frozen = c["scenario"] == "sc-0"
    for name in ("lost_km2", "gained_km2", "lost_people", "gained_people"):
        c[name] = np.where(frozen, 0.0, c[name])
    page = tp.render(Table(c, {}, (), table.scenarios), every_days=7)
    first, second = page.split('id="s-sc-0"')[1].split('id="s-sc-1"')
    assert 'class="still">Nothing changes hands on any of these dates' in first
    assert "scenario-chart" not in first and "Data table (5 dates)" in first
    assert second.count('class="chart scenario-chart"') == 2


def test_the_overview_key_names_the_grey_scenarios_too():
    """Past seven scenarios the key said only '2 more scenarios (grey)': which they were,
    and what they cede, was left to a hover that phones and print do not have."""
    table = synthetic(9, 4, title=None)
    page = tp.render(table, every_days=7)
    key = page.split('<ul class="key">')[1].split("</ul>")[0]
    assert "2 more scenarios (grey): " in key
    named = [f'href="#s-sc-{k}"' in key for k in range(9)]
    assert all(named), named  # seven coloured, two grey: every one linked by name
    assert key.count(" km²</span>") == 9


def test_the_overview_key_says_when_a_line_hides_another():
    """Five scenarios ceding the same km² on every date drew one visible line while the key
    listed five colours."""
    table = synthetic(3, 5, title=None)
    c = table.columns
    first, second = c["scenario"] == "sc-0", c["scenario"] == "sc-1"
    for name in COLUMNS[5:]:
        c[name][second] = c[name][first]  # sc-1: the very same figures as sc-0
    page = tp.render(Table(c, {}, (), table.scenarios), every_days=7)
    key = page.split('class="overview')[1]
    assert key.count("under the line of") == 1
    assert "(under the line of <bdi>Scenario 0</bdi>: the same figures)" in key


def test_a_line_hidden_under_one_within_half_a_km2_is_not_called_the_same():
    """A scenario ceding 0.28 km² on every date, beside one ceding 0, was keyed 'under the
    line of …: the same figures' while the key's own figures said <1 and 0 km²."""
    table = synthetic(3, 5, title=None)
    c = table.columns
    first, second = c["scenario"] == "sc-0", c["scenario"] == "sc-1"
    for name in COLUMNS[5:]:
        c[name][second] = c[name][first]
    ceded = second & (c["status"] == "ukraine")  # (what Ukraine cedes: its lost km²)
    assert ceded.any()
    c["lost_km2"] = np.where((first | second) & (c["status"] == "ukraine"), 0.0, c["lost_km2"])
    extra = 0.28 / len(OBLASTS)  # (one row per oblast and date)
    c["lost_km2"] = np.where(ceded, c["lost_km2"] + extra, c["lost_km2"])
    page = tp.render(Table(c, {}, (), table.scenarios), every_days=7)
    key = page.split('class="overview')[1]
    assert key.count("under the line of") == 1
    assert ": within half a km² of it)" in key and "the same figures" not in key


def test_one_date_sits_in_the_middle_of_its_axis_with_its_own_tick_alone():
    """A one-date page drew every value against the left edge of an axis running to the
    next day, labelled, where no data is; and called its data points the proposals' dots."""
    axis = charts.Axis(["2025-08-05"])
    assert [t["label"] for t in axis.ticks] == ["5 Aug"] and axis.ticks[0]["pct"] == 50.0
    one = synthetic(2, 1)
    earlier = tuple({**sc, "date": "2020-01-01"} for sc in one.scenarios)  # (no dot drawn)
    page = tp.render(Table(one.columns, {}, (), earlier), every_days=0)
    assert 'class="dot"' not in page
    assert "Ringed dots: the date each proposal was made" not in page
    assert "Ringed dots: the date each proposal was made" in tp.render(synthetic(2, 9))


def test_one_date_is_said_in_the_singular():
    """A single day's page had said '1 dated DeepStateMap baselines, 1 Aug 2025 – 1 Aug
    2025', '1 baselines' and 'Data table (1 dates)'."""
    page = tp.render(synthetic(1, 1), every_days=0)
    assert "1 dated baseline, 6\u00a0Jan\u00a02025." in page
    assert "1 baselines" not in page and "(1 dates)" not in page and "(1 date)" in page
    assert page.count("on 6\u00a0Jan\u00a02025") == 1  # the baseline's km², once


def test_the_baseline_paragraph_says_when_the_outline_reconciliation_moved_land():
    """The baseline's km² include the strips the outline reconciliation moves: the paragraph
    had called them DeepState's area 'clipped to the embedded units' alone."""
    from dataclasses import replace

    from modeller.partition import BaselineInfo

    day = Date(2025, 1, 6)
    plain = BaselineInfo("deepstate:2025-01-06", day, "DeepStateMap", "clipped to the units")
    moved = replace(plain, reconciled=(("UA-14", 115.9),))
    for infos, said in (((plain,), False), ((moved,), True)):
        t = synthetic(1, 1)
        page = tp.render(Table(t.columns, {}, infos, t.scenarios), every_days=None)
        note = page.split('<section class="baseline"', 1)[1].split("</p>", 1)[0]
        assert "DeepStateMap's occupied area, clipped to the embedded units" in note
        assert ("reconciled with it" in note) is said, note
        assert ("outline reconciliation moved 115.9 km² to Russian-held" in page) is said


def test_a_span_of_a_few_weeks_is_labelled_by_its_days():
    """A timeline of 20 Jul – 15 Aug had one label on its axis ('Aug 2025')."""
    a, b = Date(2025, 7, 20).toordinal(), Date(2025, 8, 15).toordinal()
    ticks = ts.month_ticks(a, b)
    assert [label for _, label in ticks] == ["21 Jul", "28 Jul", "4 Aug", "11 Aug"]
    assert all(Date.fromordinal(x).weekday() == 0 for x, _ in ticks)  # Mondays
    assert [label for _, label in ts.month_ticks(b - 1, b)] == ["14 Aug", "15 Aug"]
    months = ts.month_ticks(Date(2025, 6, 1).toordinal(), b)  # three months: months
    assert [label for _, label in months] == ["Jun 2025", "Jul 2025", "Aug 2025"]


def test_each_scenario_links_the_map_page_that_shows_it(tmp_path):
    """A run names pages apart: of scenarios 'trail-' and 'trail' the first has trail.html,
    and scenario 'index' has index-2.html. The timeline beside them had linked 'trail' to
    trail.html (the other scenario's map), 'index' to the site's index, and 'trail-' to
    nothing; it now finds each page by the scenario it shows."""
    import re
    from pathlib import Path

    from click.testing import CliRunner

    from modeller.cli import main

    shipped = Path(__file__).resolve().parent.parent / "scenarios" / "land-swap.yaml"
    text = shipped.read_text(encoding="utf-8")
    ids = ["trail-", "trail", "index"]
    for i, sid in enumerate(ids):
        body = text.replace("id: land-swap", f"id: {sid}").replace(
            "title: Land swap", f"title: Scenario {i} land swap"
        )
        (tmp_path / f"s{i}.yaml").write_text(body, encoding="utf-8")
    files = [str(tmp_path / f"s{i}.yaml") for i in range(len(ids))]
    site = tmp_path / "site"
    runner = CliRunner()
    done = runner.invoke(main, ["run", *files, "--no-images", "--out", str(site)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        main,
        ["timeline", *files, "--baselines", "contact-line", "-o", str(site / "timeline")],
    )
    assert done.exit_code == 0, done.output
    page = (site / "timeline" / "timeline.html").read_text(encoding="utf-8")
    for sid in ids:
        code = page.index(f"<code>{sid}</code>")
        link = re.search(r'<a href="\.\./([^"]+)">map</a>', page[code : page.index("</p>", code)])
        assert link, f"no map link for {sid}"
        shown = (site / link.group(1)).read_text(encoding="utf-8")
        assert f'<meta name="modeller-scenario" content="{sid}">' in shown, (sid, link.group(1))
    assert 'href="../index.html">Maps of every scenario' in page
    # a site of an earlier version has no marks: its pages are known by the scenario id
    # in their provenance footer
    for name in ("trail.html", "trail-2.html", "index-2.html"):
        shown = site / name
        shown.write_text(
            re.sub(r'<meta name="modeller-scenario"[^>]*>\n?', "", shown.read_text("utf-8")),
            "utf-8",
        )
    done = runner.invoke(
        main,
        ["timeline", *files, "--baselines", "contact-line", "-o", str(site / "timeline")],
    )
    assert done.exit_code == 0, done.output
    page = (site / "timeline" / "timeline.html").read_text(encoding="utf-8")
    for sid, name in [("trail-", "trail.html"), ("trail", "trail-2.html"), ("index", "index-2")]:
        code = page.index(f"<code>{sid}</code>")
        assert f'href="../{name}' in page[code : page.index("</p>", code)], sid


def test_each_scenario_says_where_its_terms_were_reported_with_safe_links(tmp_path):
    """The page and the CSV named no source of a scenario's terms (run's pages, JSON and
    CSV all do): only http(s) addresses are linked, the rest shown as text."""
    from html.parser import HTMLParser

    from click.testing import CliRunner

    from modeller.cli import main

    table = synthetic(2, 5)
    table.scenarios[0]["reported"] = [
        {"source": "Axios <b>", "date": "2025-11-20", "url": "https://www.axios.com/x?a=1&b=2"},
        {"source": "Trap", "date": "2025-11-21", "url": "javascript:alert(1)"},
        {"source": "Paper", "date": "2025-11-22", "url": None},
    ]
    page = tp.render(table, every_days=7, data_file="timeline.csv")

    class Links(HTMLParser):
        found: list = []
        texts: list = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.found.append(dict(attrs)["href"])

        def handle_data(self, data):
            self.texts.append(data)

    parser = Links()
    parser.feed(page)
    assert "https://www.axios.com/x?a=1&b=2" in parser.found
    assert not any(h.lower().startswith("javascript") for h in parser.found)
    text = "".join(parser.texts)
    assert (
        "Reported: Axios <b> (2025-11-20); Trap (2025-11-21) — javascript:alert(1); "
        "Paper (2025-11-22)"
    ) in text
    assert text.count("Reported:") == 1  # the other scenario cites nothing
    (tmp_path / "s.yaml").write_text(
        "id: cited\ntitle: Cited\nreported:\n"
        "  - {source: Axios, date: 2025-11-20, url: 'https://www.axios.com/x?a=1'}\n"
        "  - {source: 'Trap, =cmd', date: 2025-11-21, url: 'javascript:alert(1)'}\n"
        "steps: [{assign: russia, where: {oblast: Donetsk}}]\n",
        encoding="utf-8",
    )
    args = ["timeline", str(tmp_path / "s.yaml"), "--baselines", "1991,contact-line"]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "tl")])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "tl" / "timeline.csv").read_text(encoding="utf-8").splitlines()
    assert (
        "# scenario cited reported: Axios (2025-11-20) https://www.axios.com/x?a=1; Trap, '=cmd "
        "(2025-11-21) javascript:alert(1)"  # (a spreadsheet splits the line at its commas)
    ) in lines


@given(st.floats(1.0, 1e8, allow_nan=False))
def test_a_people_axis_labels_each_tick_with_its_own_value(top):
    """Ticks step by 2.5: the top tick at 1,250,000 had read '1.2 M' and 12,500 '12 k'
    (every figure read off the axis ~4 % low). Each label now reads back as its tick, in
    one style a whole axis."""
    from modeller.timeline_series import axis_labels, ticks

    values = ticks(top)
    labels = axis_labels(values)
    units = {label.split(" ")[1] for label in labels if " " in label}
    assert len(units) <= 1, labels
    scale = {"M": 1e6, "k": 1e3}.get(next(iter(units), ""), 1.0)
    for value, label in zip(values, labels, strict=True):
        assert float(label.split(" ")[0].replace(",", "")) * scale == pytest.approx(value)


def test_a_timeline_written_into_the_maps_folder_links_the_maps_beside_it(tmp_path):
    """``timeline --out maps``, where ``run`` wrote its maps, had linked none of them: it
    looked for them only in the folder above."""
    from click.testing import CliRunner

    from modeller.cli import main

    site = tmp_path / "maps"
    runner = CliRunner()
    done = runner.invoke(main, ["run", "land-swap", "--no-images", "--out", str(site)])
    assert done.exit_code == 0, done.output
    args = ["timeline", "land-swap", "--baselines", "contact-line", "-o", str(site)]
    done = runner.invoke(main, args)
    assert done.exit_code == 0, done.output
    page = (site / "timeline.html").read_text(encoding="utf-8")
    assert 'href="index.html">Maps of every scenario' in page
    assert '<a href="land-swap.html">map</a>' in page
    assert "../index.html" not in page and "../land-swap.html" not in page
