"""Tables for a terminal of any width that never cut a figure short.

rich shrinks a too-wide table by cutting cells to "34,300,00…", even at 160 columns. Here
each column is at least as wide as its longest word (cells wrap between words only); a
table whose words alone need more than the terminal's width is printed as several, each
with the first column again and its columns kept in their groups (a status's km², % and
people stay together); a part that cannot fit even so is printed wider than the
terminal, which wraps its lines: nothing is lost.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len as _rich_cell_len

if TYPE_CHECKING:
    from rich.console import Console

STYLES = {"bold": "\x1b[1m", "dim": "\x1b[2m", "italic": "\x1b[3m", "yellow": "\x1b[33m"}
STYLES |= {"cyan": "\x1b[36m", "plain": "\x1b[0m"}
_FLAT = str.maketrans({"\t": " ", "\v": " ", "\f": " ", "\r": " "})  # one cell each


def cell_len(text: str) -> int:
    """The terminal cells ``text`` takes: its length when it is printable ASCII (one cell a
    character, most cells of a table), else rich's measure (wide and zero-width ones)."""
    return len(text) if text.isascii() and text.isprintable() else _rich_cell_len(text)


WORD_FOLD = 24  # terminal cells past which a word in a column of words is folded


def _chrome(n_columns: int) -> int:
    """The width of a rich table's borders and padding around ``n_columns`` columns."""
    return 3 * n_columns + 1


def _measure(cells: list[str]) -> tuple[int, int]:
    """(longest word, longest line) of a column's cells, in terminal cells."""
    words = [cell_len(w) for c in cells for w in c.split()] or [0]
    lines = [cell_len(line) for c in cells for line in c.splitlines()] or [0]
    return max(words), max(lines)


def _widths(lo: list[int], hi: list[int], room: int) -> list[int]:
    """Column widths: all at their widest when that fits ``room``; else each at its longest
    word plus a share of what is left, in proportion to how much more it could use."""
    if sum(hi) <= room:
        return hi
    spare = max(room - sum(lo), 0)
    want = [h - m for m, h in zip(lo, hi, strict=True)]
    total = sum(want) or 1
    out = [m + spare * w // total for m, w in zip(lo, want, strict=True)]
    for i in sorted(range(len(out)), key=lambda i: want[i] - (out[i] - lo[i]), reverse=True):
        if sum(out) >= room:
            break
        out[i] += min(hi[i] - out[i], room - sum(out))
    return out


@dataclass(frozen=True)
class Part:
    """One printed table: its title, column headings and cells, each column's width (its
    text, without padding) and justification, and the width the whole table takes."""

    title: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]
    right: tuple[bool, ...]  # per column: right-justified (figures) or left (names)
    width: int


def fit(
    title: str,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    groups: Sequence[Sequence[int]] | None = None,
    left: Sequence[int] = (),
    whole: Sequence[int] = (),
) -> list[Part]:
    """The table as one or more parts for ``width`` columns, each with the width it needs
    (more than ``width`` only when its words alone do not fit).

    ``groups``: the columns after the first that belong together (default: each alone);
    ``left``: the columns of words, left-justified (the first is; the others are figures);
    their words past ``WORD_FOLD`` cells are folded, but in the columns ``whole`` (ids, which
    a reader copies).
    Cells are plain text, already made safe for a terminal (``textsafe.terminal_text``).
    """
    title = title.translate(_FLAT)
    head = [h.translate(_FLAT) for h in head]
    rows = [[c.translate(_FLAT) for c in r] for r in rows]
    n = len(head)
    groups = [list(g) for g in groups] if groups else [[j] for j in range(1, n)]
    columns = [[head[j], *(r[j] for r in rows)] for j in range(n)]
    lo, hi = zip(*(_measure(c) for c in columns), strict=True)
    # a column of words needs no more than ``WORD_FOLD`` cells: a longer word is folded
    # (a title of 200 CJK characters, no spaces, had made the table 434 cells wide on 80)
    words = {0, *left} - set(whole)
    lo = tuple(min(w, WORD_FOLD) if j in words else w for j, w in enumerate(lo))
    parts: list[list[int]] = []
    for g in groups:
        joined = [*(parts[-1] if parts else [0]), *g]
        if parts and sum(lo[j] for j in joined) + _chrome(len(joined)) <= width:
            parts[-1] = joined
        else:
            parts.append([0, *g])
    out = []
    for k, part in enumerate(parts):
        sizes = _widths([lo[j] for j in part], [hi[j] for j in part], width - _chrome(len(part)))
        out.append(
            Part(
                title=title if k == 0 or not title else f"{title} (continued)",
                head=tuple(head[j] for j in part),
                rows=tuple(tuple(r[j] for j in part) for r in rows),
                widths=tuple(sizes),
                right=tuple(j != 0 and j not in left for j in part),
                width=max(width, sum(sizes) + _chrome(len(part))),
            )
        )
    return out


_TOKEN = re.compile(r"\s*\S+\s*")  # a word with the spaces before and after it


def _symbols(word: str) -> list[str]:
    """The word's characters as a terminal shows them: each with the marks that attach to
    it (combining marks, variation selectors, skin tones, tags), emoji joined by ZWJ as one
    (a family is one symbol two cells wide, not four of eight cells)."""
    out: list[str] = []
    joined = False
    for ch in word:
        code = ord(ch)
        attaches = (
            ch == "\u200d"
            or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
            or unicodedata.category(ch) in ("Mn", "Me")
        )
        if out and (joined or attaches):
            out[-1] += ch
        else:
            out.append(ch)
        joined = ch == "\u200d"
    return out


def _chop(word: str, width: int) -> list[str]:
    """A word too long for a line, in pieces of at most ``width`` terminal cells, broken
    between whole symbols (``_symbols``)."""
    pieces, piece, used = [], "", 0
    for symbol in _symbols(word):
        size = cell_len(symbol)
        if piece and used + size > width:
            pieces.append(piece)
            piece, used = "", 0
        piece, used = piece + symbol, used + size
    return [*pieces, piece] if piece else pieces


def wrap(text: str, width: int) -> list[str]:
    """A cell's lines within ``width`` terminal cells: broken between words, a word longer
    than a line folded over several (never cut), spaces at a break dropped."""
    if "\n" not in text and cell_len(text) <= width:  # (most cells: one line as they are)
        return [text.rstrip()]
    out: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for token in _TOKEN.findall(paragraph):
            word = token.rstrip()
            if line and used + cell_len(word) > width:  # the word starts the next line
                out.append(line.rstrip())
                token, word = token.lstrip(), word.lstrip()
                line, used = "", 0
            if cell_len(word) > width:  # longer than any line: folded over several
                *full, last = _chop(word, width)
                out += full
                token = last + token[len(token.rstrip()) :]
            line, used = line + token, used + cell_len(token)
        out.append(line.rstrip())
    return out


def _cell_lines(text: str, width: int, right: bool) -> list[str]:
    return [
        " " * (width - cell_len(x)) + x if right else x + " " * (width - cell_len(x))
        for x in wrap(text, width)
    ]


def render(part: Part, styled: bool = False) -> str:
    """The part as text: its title, then a box with heavy lines around the headings and
    light ones around the rows (``styled``: title in italics, headings in bold, for a
    terminal that shows them). Headings sit on the bottom line of theirs, cells on the
    top line of theirs."""
    bold, italic, plain = (STYLES[k] if styled else "" for k in ("bold", "italic", "plain"))
    bars = [w + 2 for w in part.widths]
    across = sum(bars) + len(bars) + 1  # the box's width
    lines = [
        f"{italic}{t}{' ' * (across - cell_len(t))}{plain}"
        for t in (wrap(part.title, across) if part.title else [])
    ]

    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * b for b in bars) + right

    def block(cells, bottom: bool, edge: str, style: str) -> list[str]:
        cols = [
            _cell_lines(c, w, r) for c, w, r in zip(cells, part.widths, part.right, strict=True)
        ]
        height = max(len(c) for c in cols)
        blank = [" " * w for w in part.widths]
        cols = [
            ([b] * (height - len(c)) + c) if bottom else (c + [b] * (height - len(c)))
            for c, b in zip(cols, blank, strict=True)
        ]
        return [
            edge + edge.join(f"{style} {c[i]} {plain if style else ''}" for c in cols) + edge
            for i in range(height)
        ]

    lines.append(rule("┏", "━", "┳", "┓"))
    lines += block(part.head, True, "┃", bold)
    lines.append(rule("┡", "━", "╇", "┩"))
    for row in part.rows:
        lines += block(row, False, "│", "")
    lines.append(rule("└", "─", "┴", "┘"))
    return "\n".join(lines) + "\n"


def print_fitted(console: Console, title: str, head, rows, groups=None, left=(), whole=()) -> None:
    """``fit`` the table to the console's width and print it (wider, when it must be: the
    terminal wraps the lines, where rich would clip them to its width).

    The tables are drawn here, not by rich: rich took ~12 ms a table (0.5 s of a run's
    ~2 s for the shipped scenarios), measuring cells whose widths are already known."""
    styled = _styled(console)
    for part in fit(title, head, rows, console.width, groups, left, whole):
        console.file.write(render(part, styled))
    console.file.flush()


def _styled(console: Console) -> bool:
    """Whether the console shows styles (a terminal with colours; not a pipe or a file)."""
    return console.is_terminal and console.color_system is not None


COLOURS = {"cyan", "yellow"}  # what NO_COLOR takes away (bold, dim and italic stay, as rich)


def _code(console: Console, style: str) -> str:
    """The escape code of ``style`` (a name in ``STYLES``) on this console: none off a
    terminal, and no colour where the user asked for none (``NO_COLOR``)."""
    if not style or not _styled(console):
        return ""
    if style in COLOURS and getattr(console, "no_color", False):
        return ""
    return STYLES[style]


def print_paragraph(console: Console, text: str, style: str = "") -> None:
    """Plain text (already made safe for a terminal) wrapped between words to the console's
    width, in ``style`` (a name in ``STYLES``) where the console shows it; a tab is one
    space (a terminal shows it up to eight wide, which no width can allow for).

    Drawn here, as the tables are: rich took ~3 ms a line, 0.1 s of a run's text."""
    on = _code(console, style)
    off = STYLES["plain"] if on else ""
    lines = wrap(text.translate(_FLAT), max(console.width, 1))
    console.file.write("".join(f"{on}{line}{off}\n" for line in lines))


def print_rule(console: Console, title: str = "") -> None:
    """A line across the console with ``title`` (plain, safe text; a line break in it is a
    space) in bold at its middle; a title too long for one line goes, wrapped, under a bare
    line."""
    width = max(console.width, 1)
    title = " ".join(title.translate(_FLAT).split("\n"))
    cyan, bold = _code(console, "cyan"), _code(console, "bold")
    off = STYLES["plain"] if bold else ""
    size = cell_len(title)
    if not title or size + 6 > width:
        console.file.write(f"{cyan}{'─' * width}{off}\n")
        if title:
            print_paragraph(console, title, "bold")
        return
    left = (width - size - 2) // 2
    right = width - size - 2 - left
    console.file.write(f"{cyan}{'─' * left}{off} {bold}{title}{off} {cyan}{'─' * right}{off}\n")
