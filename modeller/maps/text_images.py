"""Text on the Agg canvas from bitmaps kept per process.

Most texts of a static map recur on every map of a run (oblast and town names, the
legend, the credit): 605 texts on the 11 shipped maps, 195 of them distinct. FreeType
laid each out and rasterised it again (~0.5 ms a text). A text's bitmap does not depend
on where it goes (Agg draws it at whole pixels, and rotates it while drawing), so it is
made once per process for each text, font, size and hinting (``image_words.text_key``),
resolution and antialiasing, and drawn as matplotlib's ``RendererAgg.draw_text`` draws
it: the pixels are the same (``tests/test_maps_images.py``). matplotlib is pinned below
3.11 (pyproject); with another version, or for math text, matplotlib draws the text
itself.
"""

from __future__ import annotations

import re
from math import cos, radians, sin

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font

from .image_words import text_key

LIMIT = 4096  # texts kept; past it the cache starts again (a run draws a few hundred)
_BITMAPS: dict[tuple, tuple] = {}
_OWN = matplotlib.__version__.startswith("3.10.")


RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def visual_order(line: str) -> str:
    """A line with right-to-left words (Hebrew, Arabic) in the order its glyphs go left to
    right, Arabic letters in their joined forms: Agg draws characters in the order given,
    so a Hebrew title had come out backwards. SVGs keep the text as written (browsers order
    it themselves)."""
    if RIGHT_TO_LEFT.search(line) is None:
        return line
    import arabic_reshaper  # (only for such text)
    from bidi import get_display

    return _mirrored(get_display(arabic_reshaper.reshape(line)))


_OPENS = dict(zip("([{<«‹", ")]}>»›", strict=True))
_CLOSES = {v: k for k, v in _OPENS.items()}
_MIRROR = {**_OPENS, **_CLOSES}


def _mirrored(visual: str) -> str:
    """Brackets of right-to-left runs turned to face their contents: python-bidi 0.6 orders
    '(DMZ)' in a Hebrew label but leaves its brackets as they were (')DMZ('), where the
    bidi algorithm mirrors them. A pair that reads closing-then-opening left to right was
    reversed with its run, and each of its two brackets is mirrored."""
    chars, stack = list(visual), []  # (index, bracket awaited, reversed pair?)
    for i, ch in enumerate(chars):
        if stack and ch == stack[-1][1]:
            j, _, turned = stack.pop()
            if turned:
                chars[i], chars[j] = _MIRROR[ch], _MIRROR[chars[j]]
        elif ch in _OPENS:
            stack.append((i, _OPENS[ch], False))
        elif ch in _CLOSES:
            stack.append((i, _CLOSES[ch], True))
    return "".join(chars)


def draw_text(renderer, gc, x, y, s, prop, angle, ismath=False, mtext=None) -> None:
    """``renderer.draw_text(...)``, from a kept bitmap where ``renderer`` is Agg's."""
    if not ismath and isinstance(renderer, RendererAgg):
        s = visual_order(s)  # matplotlib hands over one line at a time
    if ismath or not _OWN or type(renderer) is not RendererAgg:
        renderer.draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        return
    antialiased = bool(gc.get_antialiased())
    key = (s, text_key(prop), renderer.dpi, antialiased)  # (the font, its size, hinting)
    kept = _BITMAPS.get(key)
    if kept is None:
        font = renderer._prepare_font(prop)
        font.set_text(s, 0, flags=get_hinting_flag())  # laid out unrotated: Agg rotates the bitmap
        kept = _keep(key, font, antialiased)
    bitmap, descent, xo, yo = kept
    # where matplotlib puts it: the descent turned with the text, then whole pixels
    x = round(x + xo + descent * sin(radians(angle)))
    y = round(y + yo + descent * cos(radians(angle)))
    renderer._renderer.draw_text_image(bitmap, x, y + 1, angle, gc)


def _keep(key: tuple, font, antialiased: bool) -> tuple:
    """Rasterise the text ``font`` has just laid out, and keep it under ``key``."""
    font.draw_glyphs_to_bitmap(antialiased=antialiased)
    xo, yo = font.get_bitmap_offset()
    kept = (np.array(font.get_image()), font.get_descent() / 64.0, xo / 64.0, yo / 64.0)
    if len(_BITMAPS) >= LIMIT:
        _BITMAPS.clear()
    _BITMAPS[key] = kept
    return kept


def measure(renderer, s: str, prop, ismath) -> tuple[float, float, float]:
    """``renderer.get_text_width_height_descent(s, prop, ismath)``, and where Agg lays the
    text out for it, the bitmap ``draw_text`` will want kept from that same layout.

    A text measured is nearly always drawn, and FreeType had laid each one out twice
    (~22 µs a glyph: ~4 ms for a line of the credit; ~10 % of an image's CPU on the first
    map that shows it). ``image_words.share_text_metrics`` measures through this."""
    size = renderer.get_text_width_height_descent(s, prop, ismath)
    agg = getattr(renderer, "_inner", renderer)  # (``_Agg``, a replay.Recording: Agg's)
    if ismath or not _OWN or type(agg) is not RendererAgg or RIGHT_TO_LEFT.search(s):
        return size
    antialiased = bool(matplotlib.rcParams["text.antialiased"])  # (a text's own, mostly)
    key = (s, text_key(prop), agg.dpi, antialiased)
    if key not in _BITMAPS:
        font = get_font(fontManager._find_fonts_by_props(prop))  # the font that measured it
        w, h = font.get_width_height()
        if (w / 64.0, h / 64.0, font.get_descent() / 64.0) == tuple(size):  # (that layout)
            _keep(key, font, antialiased)
    return size


class _Agg:
    """The figure's Agg renderer, its texts drawn by ``draw_text``."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None) -> None:
        draw_text(self._inner, gc, x, y, s, prop, angle, ismath, mtext)


def draw(fig, wrap=_Agg):
    """Draw ``fig`` on its Agg canvas, as ``canvas.draw()`` does, through ``wrap`` of its
    renderer (texts from kept bitmaps); return that wrapper."""
    canvas = fig.canvas
    canvas.renderer = canvas.get_renderer()
    canvas.renderer.clear()
    wrapped = wrap(canvas.renderer)
    fig.draw(wrapped)
    return wrapped
