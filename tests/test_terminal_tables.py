"""The terminal's tables at any width: no figure is cut short ("34,300,00…", as rich did even
at 160 columns), tables fit the width whenever their words can, and a split table keeps
each status's km², % and people together."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from modeller import report, report_text, runs
from modeller.scenario import load_scenarios
from modeller.terminal_tables import fit

SHIPPED = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIOS = ["land-swap", "return-to-2022-02-23-lines", "plan-28-points-2025-11"]


@pytest.fixture(scope="module")
def doc():
    cache = runs.BaselineCache()
    loaded = load_scenarios([SHIPPED / f"{s}.yaml" for s in SCENARIOS])
    applied = [runs.apply_one(p, sc, "contact-line", cache) for p, sc in loaded]
    entries = [report.scenario_entry(a.partition, a.path, 15, a.phases) for a in applied]
    return report.document(entries)


def _cells(doc) -> list[str]:
    out = []
    for e in doc.scenarios:
        for rows in (report_text.status_rows(e), report_text.transfer_rows(e)):
            out += [c for row in rows for c in row]
    out += [c for row in report_text.compare_rows(doc) for c in row[1:]]
    return out


def _printed(doc, width: int) -> str:
    out = io.StringIO()
    report_text.print_rich(doc, Console(file=out, width=width, color_system=None))
    return out.getvalue()


@settings(max_examples=25, deadline=None)
@given(width=st.integers(30, 220))
def test_no_figure_is_cut_short_at_any_width(doc, width):
    text = _printed(doc, width)
    words = set(re.findall(r"[^\s│┃]+", text))
    for cell in _cells(doc):
        for word in cell.split():
            assert word in words, f"{word!r} of {cell!r} cut at {width} columns"
    assert not re.search(r"\d…\s*[│┃]", text), "an ellipsis where a figure ends"


@pytest.mark.parametrize("width", [80, 100, 160])
def test_tables_fit_the_width_whenever_their_words_can(doc, width):
    for e in doc.scenarios:
        rows = report_text.status_rows(e)
        parts = fit("t", report_text.STATUS_HEAD, rows, width, report_text.STATUS_GROUPS)
        for table, needed in parts:
            assert needed == width  # (each part's words fit: 9 columns split into 3 at most)
            out = io.StringIO()
            Console(file=out, width=width, color_system=None).print(table)
            assert max(len(line) for line in out.getvalue().splitlines()) <= width
        heads = [[str(c.header) for c in t.columns] for t, _ in parts]
        for part in heads:  # a status's km², % and people stay in one part
            for group in (["Baseline km²", "%", "People"], ["Scenario km²", "%", "People"]):
                if group[0] in part:
                    i = part.index(group[0])
                    assert part[i : i + 3] == group
        assert len(parts) == (1 if width >= 160 else 2 if width >= 100 else 3)


def test_a_part_too_wide_for_the_terminal_is_printed_whole(doc):
    """At 30 columns not even 'Status' and one people range fit: the line is longer than
    the terminal (which wraps it) rather than cut."""
    e = doc.scenarios[0]
    parts = fit("t", report_text.STATUS_HEAD, report_text.status_rows(e), 30)
    assert max(needed for _, needed in parts) > 30
    assert "34,300,000–34,500,000)" in _printed(doc, 30)


def test_user_text_in_a_cell_is_not_read_as_markup():
    out = io.StringIO()
    from modeller.terminal_tables import print_fitted

    print_fitted(Console(file=out, width=80), "t", ["Scenario", "km²"], [["[bold]x[/]", "1"]])
    assert "[bold]x[/]" in out.getvalue()


def test_towns_read_as_on_the_pages(doc):
    """The page said Sloviansk and the terminal Slovyansk for the same town; data files keep
    GeoNames' name (with its id) for joining."""
    towns = {t.name for e in doc.scenarios for t in e.towns}
    assert "Slovyansk" in towns  # the document (JSON, CSV) keeps GeoNames' spelling
    shown = {row[0] for e in doc.scenarios for row in report_text.town_rows(e)}
    assert "Sloviansk" in shown and "Slovyansk" not in shown
    assert "Sloviansk" in _printed(doc, 120)
