"""The terminal's tables at any width: no figure is cut short ("34,300,00…", as rich did even
at 160 columns), tables fit the width whenever their words can, and a split table keeps
each status's km², % and people together."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from rich.text import Text

from modeller import report, report_text, runs
from modeller.scenario import load_scenarios
from modeller.terminal_tables import fit, render, wrap

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


@settings(max_examples=25)
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
        for part in parts:
            assert part.width == width  # (each part's words fit: 9 columns split into 3 at most)
            assert max(len(line) for line in render(part).splitlines()) <= width
        heads = [list(part.head) for part in parts]
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
    assert max(part.width for part in parts) > 30
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


def test_a_towns_figures_are_rounded_as_the_pages_round_them(doc):
    """The terminal and Markdown wrote a town's GeoNames population exactly (Lyman 20,066)
    where the pages wrote 20,100, and their people column held 67,350 beside 147,000: now
    both columns to three significant figures, a whole town's two alike, as on the pages."""
    from modeller.maps import words

    head = report_text.TOWN_HEAD
    pop, people = head.index("Population (GeoNames)"), head.index("People changing hands")
    seen = 0
    for e in doc.scenarios:
        for row, t in zip(report_text.town_rows(e), e.towns, strict=True):
            assert row[pop] == words.population(t.population)
            digits = row[pop].replace(",", "").lstrip("<").rstrip("0")
            assert len(digits) <= 3, row
            if t.share == 1.0 and t.people_low == t.people_high == t.population:
                assert row[people] == row[pop], row
                seen += 1
    assert seen >= 5  # (the shipped scenarios move whole towns)


# --- the tables are drawn here; rich, which drew them before, is the reference --------------

WORD = st.text(alphabet=st.sampled_from([*"ab1,.()–%+", "漢", "é", "é"]), min_size=1, max_size=14)
CELL = st.lists(WORD, max_size=4).map(" ".join)  # words as the report's cells have them


def _by_rich(part) -> str:
    """The part as rich prints a table of the same columns (as this module did before)."""
    table = Table(title=part.title, title_justify="left", header_style="bold")
    for h, w, r in zip(part.head, part.widths, part.right, strict=True):
        table.add_column(Text(h), justify="right" if r else "left", width=w, overflow="fold")
    for row in part.rows:
        table.add_row(*(Text(c) for c in row))
    out = io.StringIO()
    Console(file=out, width=part.width, color_system=None).print(table, highlight=False)
    return out.getvalue()


@settings(max_examples=150)
@given(
    n=st.integers(1, 5),
    rows=st.lists(st.lists(CELL, min_size=5, max_size=5), max_size=4),
    width=st.integers(10, 120),
    title=CELL,
)
def test_tables_are_drawn_as_rich_draws_them(n, rows, width, title):
    head = [f"h{i} km²" for i in range(n)]
    for part in fit(title, head, [r[:n] for r in rows], width):
        assert render(part) == _by_rich(part)


def test_the_shipped_report_is_drawn_as_rich_draws_it(doc):
    for e in doc.scenarios:
        for part in fit("t", report_text.STATUS_HEAD, report_text.status_rows(e), 90):
            assert render(part) == _by_rich(part)


@settings(max_examples=300)
@given(text=st.text(st.sampled_from([*"ab 漢\n\t,"]), max_size=40), width=st.integers(1, 12))
def test_any_cell_wraps_within_its_width_and_keeps_every_character(text, width):
    from rich.cells import cell_len

    lines = wrap(text, width)
    # a character two cells wide cannot fold into a column one cell wide: alone on its line
    assert all(cell_len(line) <= max(width, 2) for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_a_terminal_gets_italic_titles_and_bold_headings_and_a_pipe_none():
    shown, piped = io.StringIO(), io.StringIO()
    from modeller.terminal_tables import print_fitted

    args = ("Title", ["Oblast", "km²"], [["Donetsk", "6,660"]])
    print_fitted(Console(file=shown, width=40, force_terminal=True), *args)
    print_fitted(Console(file=piped, width=40, color_system=None), *args)
    assert "\x1b[3mTitle" in shown.getvalue() and "\x1b[1m Oblast" in shown.getvalue()
    assert "\x1b" not in piped.getvalue()
    assert re.sub(r"\x1b\[[0-9;]*m", "", shown.getvalue()) == piped.getvalue()


def test_a_tab_in_a_title_or_cell_keeps_the_borders_in_line():
    """A tab counted as no width but showed as up to eight: its row's border stood out."""
    parts = fit("Land\tswap", ["Oblast", "km²"], [["Don\tetsk", "6,660"], ["Sumy", "154"]], 60)
    text = render(parts[0])
    assert "\t" not in text
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1, lines  # the title is padded to the box


def test_a_long_title_is_shown_whole_at_any_width(doc):
    """The heading rule cut a title to 'Pneumonoultrami…' on a narrow terminal."""
    entry = doc.scenarios[0].model_copy(update={"title": "Pneumonoultramicroscopic " * 3})
    narrow = doc.model_copy(update={"scenarios": [entry]})
    for width in (20, 40, 200):
        text = _printed(narrow, width)
        assert "…" not in text.split("Held by each side")[0], text[:400]
        joined = "".join(text.split())
        assert "Pneumonoultramicroscopic" * 3 in joined


def test_comparison_names_each_baseline_with_its_date(doc):
    """A comparison row read alone says what map it is against: 'contact-line' had no date
    (2025-08-15 only in each scenario's provenance line); a DeepState day's is not doubled."""
    for row, c in zip(report_text.compare_rows(doc), doc.comparison, strict=True):
        assert row[1] == f"contact-line {c.baseline_date}" == "contact-line 2025-08-15"
    assert "| contact-line 2025-08-15 |" in report_text.to_markdown(doc)
    assert report_text.baseline_label("deepstate:2025-08-15", "2025-08-15") == (
        "deepstate:2025-08-15"
    )
    assert report_text.baseline_label("own.geojson", None) == "own.geojson (undated)"
    assert report_text.baseline_label("1991", "1991-12-01") == "1991"  # (not '1991 1991-12-01')
    # a backslash is part of a name on this system, and so is an escape shown in its place
    # (the comparison had named 'a\\x1b[31mr.geojson' as 'x1b[31mr.geojson')
    assert report_text.baseline_label("/data/a\\b.geojson", None) == "a\\b.geojson (undated)"
    assert report_text.baseline_label("a\\x1b[31mr.geojson", None).startswith("a\\x1b")
    # a file by its name: a raw dump's absolute path had made the column as wide as itself
    raw = "/work/shared/data/deepstate/raw/deepstate_raw_20250803T195825Z.geojson"
    assert report_text.baseline_label(raw, "2025-08-03") == (
        "deepstate_raw_20250803T195825Z.geojson 2025-08-03"
    )


# --- the report's lines and rules are drawn here too; rich, which drew them, is the reference


def _rstripped(text: str) -> str:
    """rich pads or ends a wrapped line with a space; the report does not."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


@settings(max_examples=200)
@given(words=st.lists(WORD, max_size=30), width=st.integers(8, 160))
def test_a_line_of_the_report_wraps_as_rich_wrapped_it(words, width):
    from rich.cells import cell_len

    from modeller.terminal_tables import print_paragraph

    text = " ".join(words)
    ours, theirs = io.StringIO(), io.StringIO()
    print_paragraph(Console(file=ours, width=width, color_system=None), text, "dim")
    Console(file=theirs, width=width, color_system=None).print(
        text, style="dim", markup=False, highlight=False
    )
    if all(cell_len(w) <= width for w in words):  # (rich folds a longer word with a space
        assert ours.getvalue() == _rstripped(theirs.getvalue())  # before the next)
    lines = ours.getvalue().splitlines() or [""]
    assert all(cell_len(line) <= max(width, 2) for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())  # every character kept


@settings(max_examples=100)
@given(title=CELL.filter(str.strip), width=st.integers(8, 160))
def test_a_heading_rule_is_drawn_as_rich_drew_it(title, width):
    from rich.cells import cell_len
    from rich.markup import escape

    from modeller.terminal_tables import print_rule

    ours, theirs = io.StringIO(), io.StringIO()
    print_rule(Console(file=ours, width=width, color_system=None), title)
    rich = Console(file=theirs, width=width, color_system=None)
    if cell_len(title) + 6 <= width:
        rich.rule(f"[bold]{escape(title)}[/]", style="cyan")
    else:  # a bare rule, then the title under it, whole
        rich.rule(style="cyan")
        rich.print(Text(title, style="bold"), overflow="fold", highlight=False)
    if all(cell_len(w) <= width for w in title.split()):  # (rich folds a longer word
        assert ours.getvalue() == _rstripped(theirs.getvalue())  # with a space first)
    for line in ours.getvalue().splitlines():
        assert cell_len(line) <= max(width, 2)
    assert "".join(title.split()) in "".join(ours.getvalue().split())


def test_lines_and_rules_are_styled_on_a_terminal_only(doc):
    """Colours and bold for a terminal; a pipe or a file gets the same text with none."""
    shown, piped = io.StringIO(), io.StringIO()
    report_text.print_rich(doc, Console(file=shown, width=100, force_terminal=True))
    report_text.print_rich(doc, Console(file=piped, width=100, color_system=None))
    assert "\x1b[36m─" in shown.getvalue() and "\x1b[2m" in shown.getvalue()  # rule, dim
    assert "\x1b" not in piped.getvalue()
    assert re.sub(r"\x1b\[[0-9;]*m", "", shown.getvalue()) == piped.getvalue()


def test_no_color_leaves_bold_and_dim_and_takes_the_colours(doc):
    """NO_COLOR (rich's no_color) had been ignored: cyan rules and yellow warnings still."""
    out = io.StringIO()
    entry = doc.scenarios[0].model_copy(update={"warnings": ["a step selects nothing"]})
    warned = doc.model_copy(update={"scenarios": [entry]})
    report_text.print_rich(warned, Console(file=out, width=100, force_terminal=True, no_color=True))
    text = out.getvalue()
    assert "warning: a step selects nothing" in text
    assert "\x1b[1m" in text and "\x1b[2m" in text  # bold titles, dim provenance
    assert "\x1b[36m" not in text and "\x1b[33m" not in text  # no cyan, no yellow


def test_tabs_and_line_breaks_in_titles_and_lines_keep_within_the_width(doc):
    """A tab had reached the terminal as such (up to eight columns shown, none counted: a
    summary of tabs ran to 284 columns at 160), and a line break in a title split the
    heading's rule in two."""
    entry = doc.scenarios[0].model_copy(
        update={"title": "Line one\nLine two", "summary": "col1\tcol2\tcol3\t" * 12}
    )
    text = _printed(doc.model_copy(update={"scenarios": [entry]}), 60)
    assert "\t" not in text
    assert all(len(line) <= 60 for line in text.splitlines())
    (rule,) = [line for line in text.splitlines() if "Line one" in line]
    assert "Line one Line two" in rule and rule.startswith("─") and rule.endswith("─")
    assert "col1 col2 col3" in text


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one symbol, 2 cells


@settings(max_examples=100)
@given(
    symbols=st.lists(
        st.sampled_from([FAMILY, "e\u0301", "\U0001f44d\U0001f3fd", "a", "漢", "\u2764\ufe0f"]),
        min_size=1,
        max_size=120,
    ),
    width=st.integers(2, 40),
)
def test_a_long_word_is_folded_between_whole_symbols(symbols, width):
    """A word of joined emoji had been folded inside a family (measured code point by code
    point: eight cells for what shows as two), filling a quarter of each line."""
    from rich.cells import cell_len

    word = "".join(symbols)
    lines = wrap(word, width)
    assert "".join(lines) == word
    assert all(cell_len(line) <= width for line in lines)
    bounds = set(itertools.accumulate(len(s) for s in symbols))
    assert set(itertools.accumulate(len(line) for line in lines)) <= bounds  # whole symbols
    for line, after in itertools.pairwise(lines):  # a line ends only where the next symbol
        assert cell_len(line) + cell_len(_first_symbol(after, symbols)) > width  # won't fit


def _first_symbol(text: str, symbols: list[str]) -> str:
    return next(s for s in sorted(set(symbols), key=len, reverse=True) if text.startswith(s))


def test_a_title_without_spaces_is_folded_to_the_terminal_not_widening_the_table():
    """A 200-character CJK title (no spaces) had made the comparison 434 cells wide on an
    80-cell terminal; a column of ids keeps its words whole, as a reader copies them."""
    from modeller.terminal_tables import cell_len, fit, render

    title = "全角" * 100
    parts = fit(
        "Comparison", ["Scenario", "Baseline", "km²"], [[title, "contact-line", "6,730"]], 80
    )
    lines = [x for part in parts for x in render(part).splitlines()]
    assert max(cell_len(x) for x in lines) <= 80, max(cell_len(x) for x in lines)
    assert "".join(x.strip("│ ").split("│")[0].strip() for x in lines if "全" in x) == title
    long_id = "return-to-2022-02-23-lines-and-more"
    kept = fit("", ["id", "title"], [[long_id, "a title"]], 30, left=(1,), whole=(0,))
    assert any(long_id in x for x in render(kept[0]).splitlines())
