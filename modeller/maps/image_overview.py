"""One overview image of every scenario: small maps of all Ukraine side by side.

Each small map shows the statuses after the scenario (the pages' colours), the land that
changes hands hatched, and under it the scenario's title with what
Ukraine cedes and regains (rounded). Written by ``modeller run`` as ``overview.png`` when
there is more than one scenario; at most ``MAX_MAPS`` maps (the first ones, said so).
"""

from __future__ import annotations

import math
import textwrap

from ..document import RunDocument
from ..partition import Partition
from .image_geometry import SMALL_MAP_M, coarse, context, inset, polygon_path
from .image_words import (
    CHANGED_HATCH,
    NEITHER_HATCH,
    SIDES,
    amount,
    credited,
    hatch_colour,
    matplotlib_rc,
    nice_date,
    statuses,
)

MAX_MAPS = 24
COLUMNS = 4
CELL_PX = (300, 270)  # width, height of one small map with its caption
DPI = 100


def render_overview(doc: RunDocument, partitions: list[Partition]):
    """The overview as a matplotlib Figure (Agg canvas)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    pairs = list(zip(doc.scenarios, partitions, strict=True))
    # by date proposed, as the index lists them (undated last; ties in the run's order)
    pairs = sorted(pairs, key=lambda pair: pair[0].date or "9999")[:MAX_MAPS]
    cols = min(COLUMNS, len(pairs))
    rows = math.ceil(len(pairs) / cols)
    foot = 46  # px for the credit
    width = cols * CELL_PX[0]
    with matplotlib.rc_context(matplotlib_rc()):
        fig = Figure(figsize=(width / DPI, 1), dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        handles = _legend_handles(fig, pairs)
        ncol, legend_px = _legend_fit(fig, handles)
        head = max(96, 58 + math.ceil(legend_px) + 8)  # the title, then the legend's rows
        height = rows * CELL_PX[1] + head + foot
        fig.set_size_inches(width / DPI, height / DPI)
        title = "What each proposal would change"
        if len(doc.scenarios) > len(pairs):
            title += f" (the first {len(pairs)} of {len(doc.scenarios)} scenarios)"
        fig.text(8 / width, 1 - 10 / height, title, fontsize=16, fontweight="bold", va="top")
        fig.text(
            8 / width,
            1 - 40 / height,
            "After each scenario; land changing hands hatched. Figures rounded.",
            fontsize=10,
            va="top",
            color="#333333",
        )
        _legend(fig, handles, ncol, 1 - 58 / height)
        ctx = context()
        x0, y0, x1, y1 = ctx["ukraine"].bounds
        pad = 0.03 * (x1 - x0)
        box = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        outline = polygon_path([ctx["ukraine"]])
        for i, (entry, partition) in enumerate(pairs):
            r, c = divmod(i, cols)
            left = c * CELL_PX[0] / width
            bottom = (foot + (rows - 1 - r) * CELL_PX[1] + 62) / height
            to_fig, _ = inset(
                fig, (left + 6 / width, bottom, (CELL_PX[0] - 12) / width, 200 / height), box
            )

            def add(patch, to_fig=to_fig) -> None:
                patch.set_transform(to_fig)
                fig.add_artist(patch)

            colours = statuses(entry, partition)
            for status in dict.fromkeys(p.after for p in partition.pieces):
                geoms = [p.geometry for p in partition.pieces if p.after == status]
                path = polygon_path(coarse(geoms, SMALL_MAP_M))
                if path is None:
                    continue
                fill, neither = colours[status][1], status not in SIDES
                add(
                    hatch_colour(
                        PathPatch(
                            path,
                            facecolor=fill,
                            edgecolor=fill,
                            linewidth=0.3,
                            hatch=NEITHER_HATCH if neither else None,
                        ),
                        "#333333" if neither else None,
                    )
                )
            moved = [p.geometry for p in partition.pieces if p.before != p.after]
            path = polygon_path(coarse(moved, SMALL_MAP_M)) if moved else None
            if path is not None:
                add(
                    PathPatch(
                        path,
                        facecolor="none",
                        edgecolor="#111111",  # the hatch's colour too
                        linewidth=1.1,
                        hatch=CHANGED_HATCH,
                    )
                )
            add(PathPatch(outline, facecolor="none", edgecolor="#555555", lw=0.5))
            cedes = sum(f.km2 for f in entry.flows if f.from_ == "ukraine")
            regains = sum(f.km2 for f in entry.flows if f.to == "ukraine")
            caption = fig.text(
                left + 8 / width,
                bottom - 4 / height,
                "",
                fontsize=8.5,
                va="top",
                parse_math=False,
                linespacing=1.3,
            )
            tail = f"cedes {amount(cedes)} · regains {amount(regains)}"
            _fit_caption(fig, caption, entry.title, tail, (c + 1) * CELL_PX[0] - 6)
        bases = sorted({f"{e.baseline.name} ({nice_date(e.baseline.date)})" for e, _ in pairs})
        credit = (
            f"Baselines: {'; '.join(bases)}. Data: " + "; ".join(credited(doc.data_sources)) + ". "
            f"modeller {doc.tool.version}, {nice_date(doc.generated[:10])}."
        )
        fig.text(
            8 / width,
            6 / height,
            textwrap.fill(credit, int(width / 5.3)),
            fontsize=6.5,
            color="#444444",
            va="bottom",
            parse_math=False,
        )
    return fig


def _fit_caption(fig, text, title: str, tail: str, right_px: float) -> None:
    """A small map's caption: its title in two lines at most (cut with '…'), wrapped as
    narrow as it takes to end left of ``right_px`` (the cell's edge): 44 characters of
    capitals or wide letters had run into the next map's caption."""
    renderer = fig.canvas.get_renderer()
    for chars in range(44, 7, -3):
        lines = textwrap.fill(title, chars, max_lines=2, placeholder="…")
        text.set_text(f"{lines}\n{tail}")
        if text.get_window_extent(renderer).x1 <= right_px:
            return


def _legend_handles(fig, pairs: list) -> list:
    """The legend's swatches: every status the small maps show, in its colour (hatched
    where it is neither side), one per look with all its labels, then the hatch of land
    changing hands; each label cut with '…' to the image's width."""
    from matplotlib.patches import Patch

    seen: dict[tuple, tuple[list, Patch]] = {}  # one swatch per look, with all its labels
    for entry, partition in pairs:
        colours = statuses(entry, partition)
        for status in dict.fromkeys(p.after for p in partition.pieces):
            label, fill = colours[status][0], colours[status][1]
            neither = status not in SIDES
            labels, _ = seen.setdefault(
                (str(fill).lower(), neither),
                (
                    [],
                    hatch_colour(
                        Patch(
                            facecolor=fill, edgecolor=fill, hatch=NEITHER_HATCH if neither else None
                        ),
                        "#333333" if neither else None,
                    ),
                ),
            )
            if label not in labels:  # two scenarios' labels of one colour: one swatch
                labels.append(label)
    room = fig.bbox.width - 16 - LEGEND_KEY_PX
    for labels, patch in seen.values():
        patch.set_label(_cut_to(fig, " / ".join(labels), room))
    changed = Patch(facecolor="white", edgecolor="#111111", hatch=CHANGED_HATCH)
    changed.set_label("Changes hands")
    return [patch for _, patch in seen.values()] + [changed]


LEGEND_KEY_PX = 40  # a legend entry's swatch, padding and column spacing at 9 pt


def _cut_to(fig, label: str, room: float) -> str:
    """``label`` as drawn at the legend's size, cut with '…' to ``room`` px."""
    renderer = fig.canvas.get_renderer()
    text = fig.text(0, 0, label, fontsize=9, parse_math=False)
    try:
        cut = label
        while len(cut) > 1 and text.get_window_extent(renderer).width > room:
            cut = cut[: max(1, int(len(cut) * 0.9))]
            text.set_text(cut.rstrip() + "…")
        return text.get_text()
    finally:
        text.remove()


def _legend_fit(fig, handles: list) -> tuple[int, float]:
    """The most columns (one row: every entry side by side) whose legend fits the image's
    width, and its height in px: with the 20-point draft and the 28-point plan one row
    had been cut at 'Demilitar', the 'Changes hands' key gone."""
    renderer = fig.canvas.get_renderer()
    for ncol in range(len(handles), 0, -1):
        legend = _legend(fig, handles, ncol, 1.0)
        box = legend.get_window_extent(renderer)
        legend.remove()
        if box.width <= fig.bbox.width - 16 or ncol == 1:
            return ncol, box.height
    return 1, 0.0


def _legend(fig, handles: list, ncol: int, top: float):
    """The legend under the title, its labels read as text ('$5bn' is no formula: '$' had
    been taken for maths, and '$\\alpha$' drawn as α or an unknown macro lost every image)."""
    legend = fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, top),
        ncol=ncol,
        frameon=False,
        fontsize=9,
        handlelength=1.6,
        columnspacing=1.2,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)
    return legend
