"""What the text reports say of a scenario besides its figures: the Markdown report's
notes and source addresses, comparison rows a reader can tell apart, and text that only
looks blank refused as blank text is."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from modeller.cli import main
from modeller.textsafe import markdown_address

STEP = "steps:\n  - assign: russia\n    where: {oblast: Donetsk}\n"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["run", "--no-maps", "-b", "1991", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def links(markdown: str) -> list[tuple[str, str]]:
    """Each link of the rendered Markdown: (address, text)."""
    out = []
    for block in MarkdownIt("commonmark").parse(markdown):
        children = block.children or []
        for i, t in enumerate(children):
            if t.type == "link_open":
                out.append((t.attrs["href"], children[i + 1].content))
    return out


def test_the_markdown_report_links_each_source_and_keeps_the_notes(tmp_path):
    """The Markdown named the sources and their dates only, without the addresses the
    HTML and JSON give, and left out the scenario's notes (its interpretation)."""
    (tmp_path / "s.yaml").write_text(
        "id: probe\ntitle: Probe\nnotes: 'Read point 21 as the [whole] oblast'\n"
        "reported:\n"
        "  - {source: Axios, date: 2025-11-20, url: 'https://www.axios.com/a_(b)*c'}\n"
        "  - {source: Paper, date: 2025-11-21}\n"
        "  - {source: Trap, date: 2025-11-22, url: 'javascript:alert(1)'}\n"
        "  - {source: Spaced, date: 2025-11-23, url: 'https://x.org/a b'}\n" + STEP,
        encoding="utf-8",
    )
    out = run(str(tmp_path / "s.yaml"), "-f", "markdown")
    assert links(out) == [("https://www.axios.com/a_(b)*c", "https://www.axios.com/a_(b)*c")]
    lines = out.splitlines()
    assert "- Axios (2025-11-20): <https://www.axios.com/a_(b)*c>" in lines
    assert "- Trap (2025-11-22): javascript:alert(1)" in lines  # shown, not linked
    assert "- Spaced (2025-11-23): https://x.org/a b" in lines
    assert not any(line.startswith("- Paper") for line in lines)  # no address: named above
    assert "**Notes.** Read point 21 as the \\[whole\\] oblast" in lines


@pytest.mark.parametrize(
    "url",
    [
        "https://a.org/\u202eevil",  # a bidirectional override would reorder the line
        "https://a.org/\u200bx",  # zero-width: the link would not be the address shown
        "https://a.org/x>y",
        "http://a.org/\\x",
        "ftp://a.org/x",
    ],
)
def test_an_odd_address_is_text_never_a_link(url):
    shown = markdown_address(url)
    assert not links("x " + shown), shown
    assert "\u202e" not in shown  # (and the line is not reordered)


def test_scenarios_with_one_title_are_told_apart_in_the_comparison(tmp_path):
    """Two scenarios titled alike gave two comparison rows that read the same, with
    different figures."""
    for sid, oblast in (("dup-a", "Donetsk"), ("dup-b", "Zaporizhzhia")):
        step = f"steps: [{{assign: russia, where: {{oblast: {oblast}}}}}]\n"
        text = f"id: {sid}\ntitle: Same title\n{step}"
        (tmp_path / f"{sid}.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "other.yaml").write_text("id: other\ntitle: Other\n" + STEP, encoding="utf-8")
    out = run(str(tmp_path), "-f", "markdown")
    rows = [line.split(" | ")[0].lstrip("| ") for line in out.splitlines()]
    assert {"Same title (dup-a)", "Same title (dup-b)", "Other"} <= set(rows)
    assert "Other (other)" not in rows  # a title of its own needs no id


@pytest.mark.parametrize("blank", ["\u3164", "\u2800 \u2800", "\u115f\u1160", "\uffa0", "\u034f"])
@pytest.mark.parametrize("field", ["title", "label", "source"])
def test_text_drawn_as_blank_space_is_refused_as_blank(tmp_path, blank, field):
    """A title, status label or source of Hangul fillers or the blank Braille pattern
    passed validation, and reports showed an empty heading or row."""
    text = {k: "Words" for k in ("title", "label", "source")} | {field: blank}
    (tmp_path / "s.yaml").write_text(
        f"id: probe\ntitle: {json.dumps(text['title'])}\n"
        f"reported: [{{source: {json.dumps(text['source'])}, date: 2025-11-20}}]\n"
        f"statuses: {{bz: {{label: {json.dumps(text['label'])}, colour: '#7570b3'}}}}\n"
        "steps: [{assign: bz, where: {oblast: Lviv}}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "s.yaml")])
    assert result.exit_code != 0
    assert "must not be blank: it holds only invisible characters" in result.output


@pytest.mark.parametrize("field", ["summary", "notes", "note"])
def test_prose_of_invisible_characters_alone_is_refused_but_may_be_left_out(tmp_path, field):
    """A summary of the blank Braille pattern gave an empty paragraph on every page; a
    summary of spaces is no summary, as before."""
    for text, ok in (("\u2800", False), ("\u200b \u3164", False), ("  ", True), ("x\u200b", True)):
        lines = {"summary": "", "notes": "", "note": ""} | {field: f"{field}: {json.dumps(text)}"}
        (tmp_path / "s.yaml").write_text(
            f"id: probe\ntitle: Probe\n{lines['summary']}\n{lines['notes']}\n"
            f"steps:\n  - assign: russia\n    where: {{oblast: Donetsk}}\n    {lines['note']}\n",
            encoding="utf-8",
        )
        result = CliRunner().invoke(main, ["validate", str(tmp_path / "s.yaml")])
        assert (result.exit_code == 0) == ok, (text, result.output)
        if not ok:
            assert "holds only invisible characters" in result.output
            assert "or leave it out" in result.output


@pytest.mark.parametrize(
    "url",
    [
        "https://a.org/x?a=1&b=2",
        "HTTPS://A.ORG/x",
        "https://x.example/a,=1+1,\t-3",  # a tab: the page had linked it, Markdown not
        "https://a.org/a b",
        "https://a.org/\u00a0x",
        "javascript:alert(1)",
    ],
)
def test_pages_and_markdown_link_the_same_addresses(url):
    from modeller.textsafe import web_address

    linked = bool(links("x " + markdown_address(url)))
    assert web_address(url) == linked
    assert linked == (url.lower().startswith("http") and not any(c in url for c in "\t \u00a0"))
