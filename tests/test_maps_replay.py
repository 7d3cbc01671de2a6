"""The SVG of a static map replayed from the calls that drew its PNG (``maps.replay``):
the same drawing as matplotlib's own SVG of the figure (every element, every text, in
order, within a fraction of a point), the PNG unchanged, and matplotlib's own SVG where
the figure makes a call the replay does not know."""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pytest
from helpers import build, shipped

from modeller.maps import images, replay
from modeller.maps.image_words import matplotlib_rc

METADATA = {"Date": None, "Creator": None, "Title": "t"}
NUMBER = re.compile(rb"-?\d+\.?\d*(?:e-?\d+)?")
CLIP_ID = re.compile(rb"\b[ph][0-9a-f]{10}\b")  # ids hashed from clip boxes and hatches


@pytest.fixture(scope="module")
def figures():
    """Two shipped scenarios' figures: one with a band's hatched zone, one plain."""
    doc, partitions = build(shipped("draft-20-points-2025-12", "freeze-current-lines"))
    return [
        lambda i=i: images.render(doc, doc.scenarios[i], partitions[i])
        for i in range(len(partitions))
    ]


def _own_svg(fig) -> tuple[np.ndarray, bytes]:
    with matplotlib.rc_context(matplotlib_rc()):
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata=METADATA)
    return pixels, out.getvalue()


def _replayed(fig) -> tuple[np.ndarray, bytes, bool]:
    with matplotlib.rc_context(matplotlib_rc()):
        recording = replay.draw(fig)
        pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
        return pixels, replay.svg(recording, fig, METADATA), recording.complete


def _skeleton(svg: bytes) -> bytes:
    """The SVG with its numbers and hashed ids taken out: its elements, styles and texts."""
    return NUMBER.sub(b"#", CLIP_ID.sub(b"id", svg))


def _numbers(svg: bytes) -> np.ndarray:
    return np.array([float(n) for n in NUMBER.findall(CLIP_ID.sub(b"id", svg))])


def test_the_replayed_svg_is_matplotlibs_drawing_of_the_png_layout(figures):
    for make in figures:
        own_pixels, own = _own_svg(make())
        pixels, ours, complete = _replayed(make())
        assert complete
        assert np.array_equal(pixels, own_pixels)  # recording leaves the PNG as it was
        assert _skeleton(ours) == _skeleton(own)  # every element, style and text, in order
        a, b = _numbers(own), _numbers(ours)
        assert len(a) == len(b) > 1000
        # text laid out at the PNG's 100 dpi rather than again at 72: labels and their
        # boxes move by a fraction of a point, the legend's rows by up to 0.4 pt each (3.6
        # pt for its last of ten rows, where the PNG has it); nothing else moves
        assert np.abs(a - b).max() < 5.0
        assert np.mean(a != b) < 0.05
        assert _replayed(make())[1] == ours  # deterministic


def test_image_bytes_replays_and_keeps_the_font_fallbacks(figures):
    png, svg = images.image_bytes(figures[0](), title="Draft <b>&</b>")
    assert png.startswith(b"\x89PNG") and svg.startswith(b"<?xml")
    assert images.SVG_FONTS in svg and b"<dc:title>Draft &lt;b&gt;&amp;&lt;/b&gt;</dc:title>" in svg


def test_a_call_the_replay_does_not_know_gives_matplotlibs_own_svg(figures):
    """An image drawn on the figure (here a raster): not replayed, so saved as before."""
    fig = figures[1]()
    fig.figimage(np.zeros((4, 4, 3)), xo=10, yo=10)
    with matplotlib.rc_context(matplotlib_rc()):
        assert not replay.draw(fig).complete
    _, svg = images.image_bytes(fig, title="t")
    assert b"<image" in svg


def test_recording_measures_no_text_the_layout_measured(figures, monkeypatch):
    """Text sizes measured while the figure was laid out (by the Agg renderer) serve the
    recorded draw too: the first map of each worker had measured its labels again."""
    from matplotlib.backends.backend_agg import RendererAgg

    from modeller.maps.image_words import share_text_metrics

    share_text_metrics()
    counts = {}
    real = RendererAgg.get_text_width_height_descent

    def counting(self, *args, **kwargs):
        counts[mode] = counts.get(mode, 0) + 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent", counting)
    for mode in ("canvas", "recording"):
        fig = figures[0]()
        counts[mode] = 0
        with matplotlib.rc_context(matplotlib_rc()):
            fig.canvas.draw() if mode == "canvas" else replay.draw(fig)
    assert counts["recording"] <= counts["canvas"]
