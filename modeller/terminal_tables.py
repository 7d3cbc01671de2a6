"""Tables for a terminal of any width that never cut a figure short.

rich shrinks a too-wide table by cutting cells to "34,300,00…", even at 160 columns. Here
each column is at least as wide as its longest word (cells wrap between words only); a
table whose words alone need more than the terminal's width is printed as several, each
with the first column again and its columns kept in their groups (a status's km², % and
people stay together); a part that cannot fit even so is printed wider than the
terminal, which wraps its lines: nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text


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


def fit(
    title: str,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    groups: Sequence[Sequence[int]] | None = None,
) -> list[tuple[Table, int]]:
    """The table as one or more rich tables for ``width`` columns, each with the width it
    needs (more than ``width`` only when its words alone do not fit).

    ``groups``: the columns after the first that belong together (default: each alone).
    Cells are plain text, already made safe for a terminal (``textsafe.terminal_text``).
    """
    n = len(head)
    groups = [list(g) for g in groups] if groups else [[j] for j in range(1, n)]
    columns = [[head[j], *(r[j] for r in rows)] for j in range(n)]
    lo, hi = zip(*(_measure(c) for c in columns), strict=True)
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
        table = Table(
            title=title if k == 0 else f"{title} (continued)",
            title_justify="left",
            header_style="bold",
        )
        for j, size in zip(part, sizes, strict=True):
            table.add_column(
                Text(head[j]), justify="left" if j == 0 else "right", width=size, overflow="fold"
            )
        for r in rows:  # as Text: a user's "[bold]" is shown, not read as markup
            table.add_row(*(Text(r[j]) for j in part))
        out.append((table, max(width, sum(sizes) + _chrome(len(part)))))
    return out


def print_fitted(console: Console, title: str, head, rows, groups=None) -> None:
    """``fit`` the table to the console's width and print it (wider, when it must be: the
    terminal wraps the lines; rich itself would clip them to its width)."""
    width = console.width
    for table, needed in fit(title, head, rows, width, groups):
        console.width = needed
        try:
            console.print(table, highlight=False)
        finally:
            console.width = width
