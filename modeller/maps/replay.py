"""One layout, two files: a static map is drawn once for its PNG, and the drawing calls
that matplotlib makes (paths, markers, collections, text, groups) are kept and replayed
into its SVG renderer. Saving an SVG had drawn the whole figure a second time: text
layout, the legend's boxes and every transform again, about half of the SVG's cost.

The replay scales the calls from the PNG's pixels to the SVG's points (72 a inch), so
the SVG has the PNG's layout exactly (a label is where the PNG has it, to the pixel,
rather than laid out again from text measured at another size). A figure whose drawing
makes a call that is not replayed here (an image, a rasterised artist, a mesh) is saved
by matplotlib as before (``Recording.complete`` is False).
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.transforms import Affine2D, Bbox, IdentityTransform, TransformedPath

from . import text_images

REPLAYED = ("draw_path", "draw_markers", "draw_path_collection", "draw_text")


class Recording:
    """A renderer that hands every call to ``inner`` (the figure's Agg renderer) and keeps
    its drawing calls, with their transforms and clips frozen as they were when made."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.calls: list[tuple] = []
        self.complete = True  # False once a call came that ``svg`` cannot replay

    def __getattr__(self, name: str):
        if name.startswith(("draw_", "start_", "stop_")) and name not in REPLAYED:
            self.complete = False  # an image, a mesh, rasterising, a filter: not replayed
        return getattr(self._inner, name)

    def open_group(self, s, gid=None):
        self.calls.append(("open_group", s, gid))
        self._inner.open_group(s, gid)

    def close_group(self, s):
        self.calls.append(("close_group", s))
        self._inner.close_group(s)

    def draw_path(self, gc, path, transform, rgbFace=None):  # noqa: N803 (matplotlib's name)
        self.calls.append(("draw_path", _kept(gc), path, transform.frozen(), rgbFace))
        self._inner.draw_path(gc, path, transform, rgbFace)

    def draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace=None):  # noqa: N803
        kept = (_kept(gc), marker_path, marker_trans.frozen(), path, trans.frozen(), rgbFace)
        self.calls.append(("draw_markers", *kept))
        self._inner.draw_markers(gc, marker_path, marker_trans, path, trans, rgbFace)

    def draw_path_collection(self, gc, master_transform, paths, *args):
        # args: all_transforms, offsets, offset_trans, facecolors, edgecolors, linewidths,
        # linestyles, antialiaseds, urls, offset_position (RendererBase's order)
        rest = list(args)
        rest[2] = rest[2].frozen()
        kept = (_kept(gc), master_transform.frozen(), paths, rest)
        self.calls.append(("draw_path_collection", *kept))
        self._inner.draw_path_collection(gc, master_transform, paths, *args)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        anchor = None
        if mtext is not None:  # where the SVG anchors the text, as it is now
            point = mtext.get_transform().transform(mtext.get_unitless_position())
            anchor = (tuple(point), mtext.get_ha(), mtext.get_rotation_mode())
        self.calls.append(("draw_text", _kept(gc), x, y, s, prop.copy(), angle, ismath, anchor))
        text_images.draw_text(self._inner, gc, x, y, s, prop, angle, ismath, mtext)


def draw(fig) -> Recording:
    """Draw ``fig`` on its Agg canvas (as ``canvas.draw()`` does) and keep the calls."""
    return text_images.draw(fig, Recording)


def svg(recording: Recording, fig, metadata: dict) -> bytes:
    """The SVG that ``fig.savefig(format="svg", metadata=metadata)`` writes, from the calls
    kept (matplotlib's rcParams apply, as to ``savefig``)."""
    scale = 72.0 / fig.dpi
    to_points = Affine2D().scale(scale)
    width, height = fig.get_size_inches() * 72.0
    out = io.StringIO()
    renderer = RendererSVG(width, height, out, image_dpi=fig.dpi, metadata=metadata)
    for name, *args in recording.calls:
        if name in ("open_group", "close_group"):
            getattr(renderer, name)(*args)
        elif name == "draw_path":
            gc, path, transform, face = args
            renderer.draw_path(_scaled(gc, scale), path, transform + to_points, face)
        elif name == "draw_markers":
            gc, marker, marker_trans, path, trans, face = args
            renderer.draw_markers(
                _scaled(gc, scale), marker, marker_trans + to_points, path, trans + to_points, face
            )
        elif name == "draw_path_collection":
            gc, master, paths, rest = args
            rest = list(rest)
            rest[2] = rest[2] + to_points  # the offsets' transform
            renderer.draw_path_collection(_scaled(gc, scale), master + to_points, paths, *rest)
        else:
            gc, x, y, s, prop, angle, ismath, anchor = args
            mtext = None if anchor is None else _Anchor(anchor, scale)
            x, y = x * scale, y * scale
            renderer.draw_text(_scaled(gc, scale), x, y, s, prop, angle, ismath, mtext)
    renderer.finalize()
    return out.getvalue().encode("utf-8")


class _Anchor:
    """What the SVG renderer asks of a text artist: where its anchor point is (in points)
    and how it is aligned, as recorded."""

    def __init__(self, anchor: tuple, scale: float) -> None:
        (x, y), self._ha, self._mode = anchor
        self._point = (x * scale, y * scale)

    def get_transform(self):
        return IdentityTransform()

    def get_unitless_position(self):
        return self._point

    def get_ha(self):
        return self._ha

    def get_rotation_mode(self):
        return self._mode


def _copy(gc):
    """A shallow copy of a graphics context (``copy.copy``, without its generic machinery:
    a map makes ~500 of them)."""
    out = object.__new__(type(gc))
    out.__dict__.update(gc.__dict__)
    return out


def _kept(gc):
    """A copy of a graphics context whose clip box and path no longer follow the artist."""
    kept = _copy(gc)
    box = gc.get_clip_rectangle()
    if box is not None:
        kept.set_clip_rectangle(box.frozen())
    path, transform = gc.get_clip_path()
    kept.set_clip_path(None if path is None else TransformedPath(path, transform.frozen()))
    return kept


def _scaled(gc, scale: float):
    """``gc`` with its clip box and path in points (widths and dashes are in points)."""
    out = _copy(gc)
    box = gc.get_clip_rectangle()
    if box is not None:
        out.set_clip_rectangle(Bbox(box.get_points() * scale))
    path, transform = gc.get_clip_path()
    if path is not None:
        out.set_clip_path(TransformedPath(path, transform + Affine2D().scale(scale)))
    return out
