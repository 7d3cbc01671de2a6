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
    head, foot = 96, 46  # px for the title with its legend, and the credit
    width, height = cols * CELL_PX[0], rows * CELL_PX[1] + head + foot
    with matplotlib.rc_context(matplotlib_rc()):
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
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
        _legend(fig, pairs, 1 - 58 / height)
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
            caption = textwrap.fill(entry.title, 44, max_lines=2, placeholder="…")
            fig.text(
                left + 8 / width,
                bottom - 4 / height,
                f"{caption}\ncedes {amount(cedes)} · regains {amount(regains)}",
                fontsize=8.5,
                va="top",
                parse_math=False,
                linespacing=1.3,
            )
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


def _legend(fig, pairs: list, top: float) -> None:
    """One row under the title: every status the small maps show, in its colour (hatched
    where it is neither side), and the hatch of land changing hands."""
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
    for labels, patch in seen.values():
        patch.set_label(" / ".join(labels))
    changed = Patch(facecolor="white", edgecolor="#111111", hatch=CHANGED_HATCH)
    changed.set_label("Changes hands")
    handles = [patch for _, patch in seen.values()] + [changed]
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, top),
        ncol=len(handles),
        frameon=False,
        fontsize=9,
        handlelength=1.6,
        columnspacing=1.2,
    )
