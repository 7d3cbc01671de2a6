"""The right-hand panel of a static map: the legend of the scenario's own statuses, what
changes hands (km² and people per flow), and the locator inset of Ukraine."""

from __future__ import annotations

import textwrap

from ..document import ScenarioEntry
from ..partition import Partition
from ..rounding import people_short
from .image_geometry import (
    SMALL_MAP_M,
    coarse,
    context,
    inset,
    polygon_path,
)
from .image_words import (
    CHANGED_HATCH,
    NEITHER_HATCH,
    RIVER,
    SIDES,
    fit_width,
    hatch_colour,
    place,
    round_km2,
)
from .words import mapped_towns, population_shown, share_text


def panel(
    fig, entry: ScenarioEntry, partition: Partition, colours, box: tuple, top: float, bottom: float
) -> None:
    """Right of the map: the legend, what changes hands, the locator."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    used = {p.after for p in partition.pieces} | {p.before for p in partition.pieces}
    handles = []
    raw: dict[int, str] = {}  # a status's label as written, by its legend entry
    for s in entry.statuses:
        if s.status not in used:
            continue
        label, fill, _ = colours[s.status]
        raw[len(handles)] = label
        neither = s.status not in SIDES
        handles.append(
            hatch_colour(
                Patch(
                    facecolor=fill,
                    edgecolor="#777777",
                    hatch=NEITHER_HATCH if neither else None,
                    linewidth=0.6,
                    label=_wrapped(label, LABEL_CHARS),
                ),
                "#333333" if neither else None,
            )
        )
    if any(p.before != p.after for p in partition.pieces):
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="#111111",  # the hatch's colour too
                linestyle=(0, (3, 1.5)),
                hatch=CHANGED_HATCH,
                linewidth=1.2,
                label="Changes hands\n(hatched over its new status)",
            )
        )
    recs = {dict(p.attrs).get("recognition") for p in partition.pieces} - {None}
    if "de_jure" in recs:
        handles.append(Line2D([], [], color="#4a1486", linewidth=2.2, label="Recognised de jure"))
    if "de_facto" in recs:
        handles.append(
            Line2D(
                [],
                [],
                color="#4a1486",
                linewidth=2.2,
                linestyle=(0, (1, 3)),
                label="Recognised de facto",
            )
        )
    if mapped_towns(entry.towns):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markerfacecolor="white",
                markeredgecolor="#111111",
                markersize=8,
                label="Town changing hands, half\nor more (size: population)",
            )
        )
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="#333333",
            markeredgecolor="white",
            markersize=5,
            label="Other large town",
        ),
        Line2D([], [], color=RIVER, linewidth=1.6, label="Dnipro river"),
        Line2D([], [], color="#4d4d4d", linewidth=0.8, label="Oblast border"),
    ]
    legend = _legend(fig, handles, raw, top, bottom)
    y = legend.get_window_extent(fig.canvas.get_renderer()).y0 / fig.bbox.height - 0.025
    floor = bottom + 0.01
    if y > bottom + _LOCATOR_TOP:  # the locator only where the legend leaves it room (ten
        floor = _locator(fig, partition, colours, box, bottom) + 0.006  # statuses had run
    _changes_text(fig, entry, colours, y, floor)  # over it)


LABEL_CHARS = 34  # a status label's line in the legend, at most
LEGEND_X = 0.715  # where the legend starts, a fraction of the figure's width


def _wrapped(label: str, width: int) -> str:
    return textwrap.fill(label, width)  # (a word longer than a line is broken)


LEGEND_SIZES = (9, 8, 7, 6)  # the legend's font sizes, tried in turn until it fits


def _legend(fig, handles: list, raw: dict[int, str], top: float, bottom: float):
    """The legend, above the footer: in a smaller font where it would run into it (13
    statuses of 80 letters had been drawn over the credits and off the image's foot),
    and at the smallest, each status label cut to one line ("…")."""
    renderer = fig.canvas.get_renderer()
    legend = None
    for size in (*LEGEND_SIZES, 0):
        if legend is not None:
            legend.remove()
        chars = LABEL_CHARS * 9 // (size or LEGEND_SIZES[-1])
        shown = {  # (the last try: each cut to one line)
            i: label if size or len(label) <= chars else label[: chars - 1] + "…"
            for i, label in raw.items()
        }
        for i, label in shown.items():
            handles[i].set_label(_wrapped(label, chars))
        legend = fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(LEGEND_X, top),
            frameon=False,
            fontsize=size or LEGEND_SIZES[-1],
            title="After the scenario",
            title_fontsize=(size or LEGEND_SIZES[-1]) + 1,
            alignment="left",
            handlelength=2.2,
            borderaxespad=0,
        )
        for text in legend.get_texts():
            text.set_parse_math(False)
        _fit_labels(fig, legend, shown, chars)
        if legend.get_window_extent(renderer).y0 / fig.bbox.height >= bottom + 0.01:
            break
    return legend


def _fit_labels(fig, legend, raw: dict[int, str], chars: int = LABEL_CHARS) -> None:
    """Status labels wrapped narrower where their widest line would run past the image's
    right edge: 34 letters fit, but not 34 wide ones (a label of 'Ж's had run off it)."""
    renderer = fig.canvas.get_renderer()
    fontsize = legend.get_texts()[0].get_fontsize() if legend.get_texts() else 9
    # the legend's handle and the gap before its text, in pixels (matplotlib's units:
    # multiples of the font size, in points)
    handle = (legend.handlelength + legend.handletextpad) * fontsize * fig.dpi / 72
    room = fig.bbox.width * (1 - LEGEND_X) - handle - 6
    texts = legend.get_texts()
    for i, label in raw.items():
        width = chars
        while texts[i].get_window_extent(renderer).width > room and width > 6:
            width = max(6, int(width * 0.8))
            texts[i].set_text(_wrapped(label, width))


_LOCATOR_TOP = 0.19 + 0.05  # the locator's height and its caption's (at most), over the footer


def _changes_text(fig, entry: ScenarioEntry, colours, y: float, floor: float) -> None:
    """'What changes hands': each flow (from -> to), and the largest towns, rounded; ending
    above ``floor`` (a figure fraction: the locator's caption): the flows that do not fit
    are counted instead (seven flows had run over the locator, ten statuses off the image).
    """
    if y - 0.032 < floor:  # no room even for the heading
        return
    heading = fig.text(0.72, y, "What changes hands", fontsize=10, va="top", color="#111111")
    each = []
    flows = sorted(entry.flows, key=lambda f: -f.km2)
    small = [f for f in flows if f.km2 < 1.0]
    for f in flows:
        if f.km2 < 1.0:
            continue
        name = textwrap.shorten(
            f"{colours.get(f.from_, (f.from_,))[0]} → {colours.get(f.to, (f.to,))[0]}",
            44,
            placeholder="…",
        )
        people = people_short(f.people, f.people_low, f.people_high)
        each.append(f"{name}\n    {round_km2(f.km2)} km² · {people} people")
    after = []
    if small:
        after.append(f"(and {len(small)} sliver{'s' if len(small) > 1 else ''} under 1 km²)")
    if not flows:
        after.append("Nothing: the scenario keeps the baseline.")
    big = mapped_towns(entry.towns)[:4]
    if big:  # the people of the part that moves, as the tables count and round them (not
        # GeoNames'; two significant figures had read 150,000 beside the tables' 147,000)
        big = ", ".join(
            f"{place(t.name)} {_town_people(t)}"
            + ("" if share_text(t.share) == "all" else f" ({share_text(t.share)})")
            for t in big
        )
        after.append(textwrap.fill(f"Largest towns, people changing hands: {big}", 46))
    text = fig.text(
        0.72,
        y - 0.032,
        "",
        fontsize=8.5,
        va="top",
        linespacing=1.35,
        parse_math=False,
        color="#222222",
    )
    renderer = fig.canvas.get_renderer()
    for keep in range(len(each), -1, -1):
        more = len(each) - keep
        told = [f"(and {more} more: see the page's tables)"] if more and keep else []
        if more and not keep:  # none listed: how many there are
            told = [f"{more} change{'s' if more > 1 else ''}: see the page's tables"]
        for tail in (after, after[:-1] if big else None, []):
            if tail is None:
                continue
            text.set_text("\n".join(each[:keep] + told + tail))
            fit_width(fig, text, right=0.995)
            if text.get_window_extent(renderer).y0 / fig.bbox.height >= floor:
                return
    heading.remove()  # not even a line fits: the legend has the panel
    text.remove()


def _locator(fig, partition: Partition, colours, box: tuple, bottom: float) -> float:
    """A small map of all Ukraine (scenario statuses) with the frame drawn on it; returns
    the top of its caption (a figure fraction)."""
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.transforms import TransformedBbox

    ctx = context()
    x0, y0, x1, y1 = ctx["ukraine"].bounds
    pad = 0.04 * (x1 - x0)
    to_fig, filled = inset(
        fig, (0.78, bottom, 0.21, 0.19), (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    )
    clip = TransformedBbox(filled, fig.transFigure)

    def add(patch, transform=to_fig, clipped: bool = True) -> None:
        patch.set_transform(transform)
        if clipped:
            patch.set_clip_box(clip)
        fig.add_artist(patch)

    frame = (filled.x0, filled.y0), filled.width, filled.height
    add(Rectangle(*frame, facecolor="white", edgecolor="none", zorder=0.9), fig.transFigure)
    for status in dict.fromkeys(p.after for p in partition.pieces):
        path = polygon_path(
            coarse([p.geometry for p in partition.pieces if p.after == status], SMALL_MAP_M)
        )
        if path is not None:
            fill = colours[status][1]
            add(PathPatch(path, facecolor=fill, edgecolor=fill, linewidth=0.9))
    add(PathPatch(polygon_path([ctx["ukraine"]]), facecolor="none", edgecolor="#444444", lw=0.6))
    # the main map's frame, kept inside the small map: a frame wider than Ukraine (the 1991
    # page's) had run off its edges, its right and lower sides cut away
    edge = 0.012 * (x1 - x0)
    fx0, fy0 = max(box[0], x0 - pad + edge), max(box[1], y0 - pad + edge)
    fx1, fy1 = min(box[2], x1 + pad - edge), min(box[3], y1 + pad - edge)
    add(
        Rectangle(
            (fx0, fy0),
            fx1 - fx0,
            fy1 - fy0,
            facecolor="none",
            edgecolor="#c00000",
            linewidth=1.5,
        )
    )
    add(  # the small map's border, as an axes' spines draw it: over everything in it
        Rectangle(*frame, facecolor="none", edgecolor="#888888", linewidth=0.6, zorder=2.5),
        fig.transFigure,
        clipped=False,  # its lines straddle the edge
    )
    caption = fig.text(
        filled.x0 + filled.width / 2,
        filled.y1 + 2 / 72 * fig.dpi / fig.bbox.height,  # 2 points above, as a title's pad
        "Ukraine: where the map is",
        ha="center",
        va="baseline",
        fontsize=8,
        color="#444444",
    )
    return caption.get_window_extent(fig.canvas.get_renderer()).y1 / fig.bbox.height


# --- writing --------------------------------------------------------------------------


def _town_people(t) -> str:
    """A town's people changing hands as the pages' towns table rounds them (never above
    its population as the pages write it), without the range."""
    most = population_shown(t.population)
    return people_short(t.people, t.people_low, t.people_high, most, t.population).split(" (")[0]
