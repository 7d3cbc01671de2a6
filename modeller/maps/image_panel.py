"""The right-hand panel of a static map: the legend of the scenario's own statuses, what
changes hands (km² and people per flow), and the locator inset of Ukraine."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

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
    # the statuses the map shows: after the scenario (the legend's title says so; a status
    # only given up, Russia's on the 1991 map, had a swatch for nothing drawn)
    used = {p.after for p in partition.pieces}
    rows: list[Row] = []
    raw: dict[int, str] = {}  # a status's label as written, by its legend row
    for s in entry.statuses:
        if s.status not in used:
            continue
        label, fill, _ = colours[s.status]
        raw[len(rows)] = label
        neither = s.status not in SIDES
        style = {"facecolor": fill, "edgecolor": "#777777", "linewidth": 0.6}
        if neither:
            style |= {"hatch": NEITHER_HATCH, "hatchcolor": "#333333"}
        rows.append(Row("patch", label, style))
    if any(p.before != p.after for p in partition.pieces):
        rows.append(
            Row(
                "patch",
                "Changes hands\n(hatched over its new status)",
                {
                    "facecolor": "white",
                    "edgecolor": "#111111",  # the hatch's colour too
                    "linestyle": (0, (3, 1.5)),
                    "hatch": CHANGED_HATCH,
                    "linewidth": 1.2,
                },
            )
        )
    recs = {dict(p.attrs).get("recognition") for p in partition.pieces} - {None}
    if "de_jure" in recs:
        rows.append(Row("line", "Recognised de jure", {"color": "#4a1486", "linewidth": 2.2}))
    if "de_facto" in recs:
        style = {"color": "#4a1486", "linewidth": 2.2, "linestyle": (0, (1, 3))}
        rows.append(Row("line", "Recognised de facto", style))
    if mapped_towns(entry.towns):
        style = {"markerfacecolor": "white", "markeredgecolor": "#111111", "markersize": 8}
        rows.append(Row("marker", "Town changing hands, half\nor more (size: population)", style))
    style = {"markerfacecolor": "#333333", "markeredgecolor": "white", "markersize": 5}
    rows += [
        Row("marker", "Other large town", style),
        Row("line", "Dnipro river", {"color": RIVER, "linewidth": 1.6}),
        Row("line", "Oblast border", {"color": "#4d4d4d", "linewidth": 0.8}),
    ]
    y = _legend(fig, rows, raw, top, bottom).y0 / fig.bbox.height - 0.025
    floor = bottom + 0.01
    if y > bottom + _LOCATOR_TOP:  # the locator only where the legend leaves it room (ten
        floor = _locator(fig, partition, colours, box, bottom) + 0.006  # statuses had run
    _changes_text(fig, entry, colours, y, floor)  # over it)


_LOCATOR_TOP = 0.19 + 0.05  # the locator's height and its caption's (at most), over the footer


@dataclass(frozen=True)
class Row:
    """A legend row: its key (a filled ``patch``, a ``line`` or a ``marker``, drawn with
    ``style``, matplotlib's keywords) and its label."""

    kind: str
    label: str
    style: dict


LABEL_CHARS = 34  # a status label's line in the legend, at most
LEGEND_X = 0.715  # where the legend starts, a fraction of the figure's width
LEGEND_TITLE = "After the scenario"
LEGEND = "legend"
"""The matplotlib label of the legend's title and row labels (which no file shows), so that
they can be told from the other texts of the figure."""
# The legend's proportions, in ems of its font size (matplotlib's own legend's defaults):
# a key's length and height, the gap between key and label, and between rows, and the
# margin around the whole.
KEY_LENGTH, KEY_HEIGHT, KEY_PAD, ROW_GAP, BORDER = 2.2, 0.7, 0.8, 0.5, 0.4


def _wrapped(label: str, width: int) -> str:
    return textwrap.fill(label, width)  # (a word longer than a line is broken)


LEGEND_SIZES = (9, 8, 7, 6)  # the legend's font sizes, tried in turn until it fits


def _legend(fig, rows: list[Row], raw: dict[int, str], top: float, bottom: float):
    """The legend, laid out by hand below ``top`` (matplotlib's ``Legend`` had laid it out
    again at every measure and at drawing, ~15 % of an image's CPU); returns its bounding
    box (display pixels). In a smaller font where it would run into the footer (13
    statuses of 80 letters had been drawn over the credits and off the image's foot),
    and at the smallest, each status label cut to one line ("…")."""
    drawn = None
    for size in (*LEGEND_SIZES, 0):
        if drawn is not None:
            for artist in drawn[0]:
                artist.remove()
        chars = LABEL_CHARS * 9 // (size or LEGEND_SIZES[-1])
        shown = [_cut(raw[i], size, chars) if i in raw else r.label for i, r in enumerate(rows)]
        drawn = _lay_out(fig, rows, shown, set(raw), size or LEGEND_SIZES[-1], top, chars)
        if drawn[1].y0 / fig.bbox.height >= bottom + 0.01:
            break
    return drawn[1]


def _cut(label: str, size: float, chars: int) -> str:
    """A status's label as the legend shows it: whole, but at the last try (``size`` 0)
    cut to one line."""
    return label if size or len(label) <= chars else label[: chars - 1] + "…"


def _lay_out(fig, rows, shown: list[str], statuses: set, size: float, top: float, chars: int):
    """Draw the title, then each row's key and label (``shown``, wrapped at ``chars``),
    downwards from ``top``, the key centred on its label's lines; a status's label is wrapped
    narrower where its widest line would run past the image's right edge (34 letters fit,
    but not 34 wide ones: a label of 'Ж's had run off it). Returns (the artists, their
    bounding box in pixels)."""
    from matplotlib.transforms import Bbox

    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    em = size * fig.dpi / 72  # pixels
    x0 = LEGEND_X * width + BORDER * em
    room = width - x0 - (KEY_LENGTH + KEY_PAD) * em - 6  # a label's lines, right of its key
    title = fig.text(
        x0 / width,
        top - BORDER * em / height,
        LEGEND_TITLE,
        fontsize=size + 1,
        va="top",
        ha="left",
        color="#111111",
        label=LEGEND,
    )
    artists = [title]
    boxes = [title.get_window_extent(renderer)]
    y = boxes[0].y0 - ROW_GAP * em
    for i, (row, label) in enumerate(zip(rows, shown, strict=True)):
        text = fig.text(
            (x0 + (KEY_LENGTH + KEY_PAD) * em) / width,
            y / height,
            _wrapped(label, chars) if i in statuses else label,  # (the others: as written)
            fontsize=size,
            va="top",
            ha="left",
            parse_math=False,
            color="#111111",
            label=LEGEND,
        )
        box = text.get_window_extent(renderer)
        wrap = chars
        while i in statuses and box.width > room and wrap > 6:
            wrap = max(6, int(wrap * 0.8))
            text.set_text(_wrapped(label, wrap))
            box = text.get_window_extent(renderer)
        mid = y - max(box.height, KEY_HEIGHT * em) / 2
        artists += [text, _key(fig, row, x0, mid, em)]
        boxes.append(box)
        y -= max(box.height, KEY_HEIGHT * em) + ROW_GAP * em
    bottom = min(b.y0 for b in boxes)
    right = max(b.x1 for b in boxes)
    return artists, Bbox.from_extents(x0, bottom - BORDER * em, right, boxes[0].y1)


def _key(fig, row: Row, x0: float, mid: float, em: float):
    """A row's key, ``KEY_LENGTH`` ems long from ``x0``, centred at height ``mid`` (px)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    width, height = fig.bbox.width, fig.bbox.height
    length, half = KEY_LENGTH * em / width, KEY_HEIGHT * em / 2 / height
    x, y = x0 / width, mid / height
    style = dict(row.style)
    if row.kind == "patch":
        hatch = style.pop("hatchcolor", None)
        key = hatch_colour(
            Rectangle((x, y - half), length, 2 * half, transform=fig.transFigure, **style), hatch
        )
    elif row.kind == "line":
        key = Line2D([x, x + length], [y, y], transform=fig.transFigure, **style)
    else:
        key = Line2D(
            [x + length / 2], [y], marker="o", linestyle="none", transform=fig.transFigure, **style
        )
    fig.add_artist(key)
    return key


def _flow_name(text: str, width: int = 44) -> str:
    """'from → to' in at most two lines of ``width`` letters, the second cut with '…' if
    need be: shortened by whole words, a label of one long word had been '…' alone
    ('Russia →…'), and 'Ukraine → Demilitarised buffer zone…' cut with room to spare."""
    lines = textwrap.wrap(text, width, break_on_hyphens=False) or [text]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1].rstrip() + "…"]
    return "\n".join(lines)


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
        name = _flow_name(
            f"{colours.get(f.from_, (f.from_,))[0]} → {colours.get(f.to, (f.to,))[0]}"
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
