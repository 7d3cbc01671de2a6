"""Words, numbers and colours on the static maps: rounded for readers, labels from the
scenario itself, fills as the interactive maps draw them."""

from __future__ import annotations

import re
import textwrap

from ..document import ScenarioEntry
from ..metrics import status_labels
from ..partition import Partition
from . import words
from .palette import Palette

RIVER = "#3b7fc4"
SIDES = ("ukraine", "russia")
"""The two sides; any other status is a zone that is neither side's (drawn dotted, as on the
pages). Land changing hands is hatched over its new status, as on the pages."""
CHANGED_HATCH = "////"
NEITHER_HATCH = "..."


def round_km2(x: float) -> str:
    """km² as the pages round them (three significant figures; ``under 1`` for slivers)."""
    return words.km2(x)


def amount(km2: float) -> str:
    """'6,240 km²', 'under 1 km²', or 'nothing' (overlay noise, as the tables say it)."""
    return "nothing" if km2 < words.NOTHING_KM2 else f"{round_km2(km2)} km²"


def round_people(x: float) -> str:
    """People as the pages round them (two significant figures, never to the person)."""
    return words.people(x)


nice_date = words.day
place = words.place


def tint(colour: str, share: float = 0.62) -> str:
    """The status colour as the interactive maps fill it: mixed with white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * share + 255 * (1 - share)):02x}" for c in rgb)


def statuses(entry: ScenarioEntry, partition: Partition) -> dict[str, tuple[str, str, str]]:
    """Every status on the map -> (label, fill, colour); labels from the scenario itself,
    colours from the interactive pages' palette (checked for colour-vision deficiencies)."""
    known = status_labels(partition)
    names = [s.status for s in entry.statuses]
    for p in partition.pieces:
        names += [p.before, p.after]
    names = list(dict.fromkeys(names))
    palette = Palette([(s, known.get(s, {}).get("colour")) for s in names])
    own = {s.status: s.label for s in entry.statuses}
    out = {}
    for s in names:
        label = own.get(s) or known.get(s, {}).get("label") or s
        out[s] = (label, palette.colour(s), palette.colour(s))
    return out


def matplotlib_rc() -> dict:
    """matplotlib settings of every static map (text kept as text in SVG, fixed hash salt)."""
    return {
        "svg.fonttype": "none",  # text stays text: searchable, selectable, testable
        "svg.hashsalt": "modeller",
        "hatch.linewidth": 0.8,
        "font.family": "DejaVu Sans",
        "path.simplify": True,
        "text.hinting": "no_hinting",  # ~20 % faster PNGs (text is most of the cost)
    }


# Latin (Basic, Latin-1, Extended A and B), Cyrillic and the dashes, quotes and marks of
# General Punctuation: DejaVu Sans draws every one (a test checks it)
COMMON = re.compile(r"[\u0020-\u007e\u00a0-\u024f\u0400-\u04ff\u2010-\u2027\u2030-\u205e]")


def missing_glyphs(entries) -> list[str]:
    """Characters of the scenarios' titles, status labels and cited sources (what the
    images write from the user's text; the sources in the credit line had been left out)
    that the images' font cannot draw: the PNG shows boxes for them."""
    texts = [e.title for e in entries] + [s.label for e in entries for s in e.statuses]
    texts += [r.source for e in entries for r in e.reported[:3]]  # (as the credit cites)
    rare = {c for t in texts for c in t if not c.isspace() and not COMMON.match(c)}
    if not rare:  # the usual case: no need to load matplotlib's font here (~0.5 s)
        return []
    import matplotlib
    from matplotlib import font_manager

    with matplotlib.rc_context(matplotlib_rc()):
        path = font_manager.findfont(matplotlib.rcParams["font.family"][0])
    have = font_manager.get_font(path).get_charmap()
    return sorted(c for c in rare if ord(c) not in have)


def quiet_glyph_warnings() -> None:
    """matplotlib warns once per missing character, and once per script it cannot shape
    (Devanagari, Bengali …), with its own file and line; the run says it once, in words
    (``missing_glyphs``: the font has none of those letters)."""
    import warnings

    warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
    warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support .* natively")


def hatch_colour(patch, colour: str | None):
    """``patch`` with its hatch drawn in ``colour`` whatever its edge (None: as it is).

    pyproject asks for matplotlib 3.10 (3.11 draws text glyph by glyph in Python, ~25 %
    more CPU an image, mostly text), where the hatch takes the edge's colour unless set
    apart on the patch; 3.11 has ``set_hatchcolor`` for it."""
    if colour is None:
        return patch
    if hasattr(patch, "set_hatchcolor"):
        patch.set_hatchcolor(colour)
    else:
        from matplotlib.colors import to_rgba

        patch._hatch_color = to_rgba(colour)  # what set_edgecolor sets on 3.10
    return patch


GENERIC_FAMILIES = ("serif", "sans-serif", "cursive", "fantasy", "monospace")


def text_key(fontprop) -> tuple:
    """What a text's size and bitmap depend on besides its string, resolution and kind of
    renderer: its font (a FontProperties' ``__hash__`` fields, and the font lists a
    generic family name stands for) and the hinting and kerning settings. A tuple of
    those takes ~1.3 µs; copying the mutable FontProperties into the key took ~7 µs, and a
    map makes ~400 lookups (``share_text_metrics``, ``text_images``)."""
    import matplotlib

    rc = matplotlib.rcParams
    family = tuple(fontprop.get_family())
    lists = tuple(tuple(rc[f"font.{name}"]) for name in GENERIC_FAMILIES if name in family)
    return (
        family,
        lists,
        rc["text.hinting"],
        rc["text.hinting_factor"],
        rc["text.kerning_factor"],
        fontprop.get_slant(),
        fontprop.get_variant(),
        fontprop.get_weight(),
        fontprop.get_stretch(),
        fontprop.get_size(),
        fontprop.get_file(),
        fontprop.get_math_fontfamily(),
    )


def skip_property_docs() -> None:
    """In a process of ours that only draws (the painter and its workers), have matplotlib
    leave out the property list it writes into each artist class's ``set`` docstring.

    matplotlib builds that list (every setter's docstring, cleaned) for each of its ~100
    artist classes as it defines them: ~0.2 s of the ~0.6 s of CPU its drawing modules
    take to import, for text only ``help()`` shows. Signatures and behaviour are unchanged.
    Called before those modules are imported; once they are, there is nothing to save.
    """
    import sys

    if "matplotlib.figure" in sys.modules:
        return
    import matplotlib.artist as martist

    if callable(getattr(martist, "kwdoc", None)):
        martist.kwdoc = _no_property_list


def _no_property_list(artist) -> str:
    """What ``skip_property_docs`` has matplotlib write in place of a property list."""
    return "Properties: see the matplotlib documentation."


def share_text_metrics(measure=None) -> None:
    """Measure each label once per process, not once per figure.

    matplotlib caches a text's size per renderer, and every map has its own; yet most
    labels (oblast and town names, legend, credit) recur on every map: measured once,
    the 11 shipped maps ask FreeType ~400 times instead of ~1,400 (~12 % of their CPU).
    The size depends only on what the key holds (renderer kind and dpi, text, font,
    hinting), so the images are byte for byte the same (``tests/test_maps_images.py``).
    matplotlib is pinned below 3.11 (pyproject); another version is left as it is.
    ``measure(renderer, text, fontprop, ismath)`` measures as the renderer does
    (``text_images.measure``, which keeps the bitmap of what it measured); by default,
    the renderer itself.
    """
    import matplotlib
    import matplotlib.text as mtext

    own = getattr(mtext, "_get_text_metrics_with_cache", None)
    if (
        own is None
        or getattr(own, "shared", False)
        or not matplotlib.__version__.startswith("3.10.")
    ):
        return

    sizes: dict[tuple, tuple] = {}

    def metrics(renderer, text, fontprop, ismath, dpi):
        dpis = (getattr(renderer, "dpi", None), dpi)
        kind = type(getattr(renderer, "_inner", renderer))  # a replay.Recording measures by Agg
        key = (kind, *dpis, text, text_key(fontprop), ismath)
        size = sizes.get(key)
        if size is None:
            if len(sizes) > 8192:  # a bound, as matplotlib's own cache has
                sizes.clear()
            if measure is None:
                size = renderer.get_text_width_height_descent(text, fontprop, ismath)
            else:
                size = measure(renderer, text, fontprop, ismath)
            sizes[key] = size
        return size

    metrics.shared = True
    metrics.original = own  # what a test puts back to compare the two
    mtext._get_text_metrics_with_cache = metrics
    _share_text_layouts(mtext.Text)


def _share_text_layouts(text_class) -> None:
    """Lay each label out once per process, not at every measure and drawing.

    matplotlib lays a text's lines out anew each time it is measured or drawn (a label
    with a halo three times: placed, its box fitted, drawn; ~12 % of an image's CPU). The
    layout is relative to the text's position and depends only on what the key holds (the
    renderer's kind and resolution, the text, its font, rotation, spacing and alignment);
    wrapped and TeX texts are left to matplotlib. Callers only read it.
    """
    own = text_class._get_layout
    layouts: dict[tuple, tuple] = {}

    def _get_layout(self, renderer):
        if self._wrap or self.get_usetex():
            return own(self, renderer)
        key = (
            type(getattr(renderer, "_inner", renderer)),
            getattr(renderer, "dpi", None),
            self.get_figure(root=True).dpi,
            self.get_text(),
            text_key(self._fontproperties),
            self.get_rotation(),
            self.get_rotation_mode(),
            self._linespacing,
            self._horizontalalignment,
            self._verticalalignment,
            self._get_multialignment(),
            self.get_parse_math(),
        )
        found = layouts.get(key)
        if found is None:
            if len(layouts) > 8192:  # a bound, as for the sizes
                layouts.clear()
            found = layouts[key] = own(self, renderer)
        return found

    _get_layout.original = own
    text_class._get_layout = _get_layout


def fit_width(fig, artist, right: float = 0.99, paragraph: str | list[str] | None = None) -> None:
    """Wrap a text narrower until it ends left of ``right`` (a fraction of the figure's
    width): wrapping by a count of characters cannot know how wide a line of bold capitals,
    or of long figure ranges, is drawn. A text that fits is left as it is. ``paragraph``:
    the text before wrapping, re-wrapped as one (several: each on its own lines); else
    each line is wrapped on its own, keeping its leading spaces (an indent) on the lines
    it is wrapped into."""
    renderer = fig.canvas.get_renderer()
    limit = right * fig.bbox.width
    if artist.get_window_extent(renderer).x1 <= limit:
        return
    if paragraph is None:
        lines = artist.get_text().split("\n")
    else:
        lines = [paragraph] if isinstance(paragraph, str) else list(paragraph)
    width = max(len(line) for line in artist.get_text().split("\n"))
    while width > 12 and artist.get_window_extent(renderer).x1 > limit:
        width = int(width * 0.9)
        wrapped = []
        for line in lines:
            lead = line[: len(line) - len(line.lstrip(" "))]
            wrapped += textwrap.wrap(line, width, subsequent_indent=lead) or [""]
        artist.set_text("\n".join(wrapped))


def credited(sources) -> list[str]:
    """The data sources as an image's credit line names them: without the package each
    came in (the provenance of the pages and files keeps it), so the map keeps its room."""
    return [re.sub(r", via (npm|PyPI) [^;,]*$", "", s) for s in sources]
