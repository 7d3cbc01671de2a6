"""The map of a static image: a rectangle of the figure that draws, in working-CRS metres
and clipped to its frame, what is put on it.

It does for the map what a matplotlib ``Axes`` did, without what an axes makes and lays
out but a map never shows (ticks, their labels, axis scales, autoscaling): making and
drawing an empty axes took ~15 ms of CPU, ~7 % of a map's image. Its artists are drawn
in order of their ``zorder`` over the sea, as an axes draws its own.
"""

from __future__ import annotations

from matplotlib.artist import Artist

from .image_geometry import inset


class MapArea(Artist):
    """The rectangle ``rect`` (figure fractions: left, bottom, width, height) showing
    ``limits`` (x0, y0, x1, y1 in metres) at one scale; ``transData`` takes metres to
    display pixels, ``bbox`` is the rectangle in display pixels."""

    def __init__(self, fig, rect: tuple, limits: tuple, sea: str, edge: str, edge_width: float):
        from matplotlib.patches import Rectangle
        from matplotlib.transforms import TransformedBbox

        super().__init__()  # (zorder 0: drawn before the figure's texts, as an axes is)
        self.limits = tuple(float(v) for v in limits)
        self.transData, filled = inset(fig, rect, self.limits)  # (at one scale)
        self.bbox = TransformedBbox(filled, fig.transFigure)
        self.artists: list = []
        fig.add_artist(self)
        corner, w, h = (filled.x0, filled.y0), filled.width, filled.height
        self.sea = Rectangle(corner, w, h, facecolor=sea, edgecolor="none", linewidth=0)
        self.sea.set_figure(fig)
        self.sea.set_transform(fig.transFigure)
        frame = Rectangle(  # an axes' spines: drawn over the land, under what marks it
            corner, w, h, facecolor="none", edgecolor=edge, linewidth=edge_width, zorder=2.5
        )
        frame.set_transform(fig.transFigure)
        self.add(frame, clip=False)

    def add(self, artist, clip: bool = True):
        """Put ``artist`` on the map (in metres unless it has a transform of its own),
        clipped to the map's rectangle unless ``clip`` is False."""
        artist.set_figure(self.get_figure())
        if not artist.is_transform_set():
            artist.set_transform(self.transData)
        if clip:
            artist.set_clip_box(self.bbox)
        artist._remove_method = self.artists.remove
        self.artists.append(artist)
        return artist

    def text(self, x: float, y: float, s: str, **style):
        """A text at (x, y) metres, not clipped (as ``Axes.text``)."""
        from matplotlib.text import Text

        return self.add(Text(x, y, s, **style), clip=False)

    def line(self, xs, ys, **style):
        """A line through the points (metres); a marker alone with ``linestyle='none'``."""
        from matplotlib.lines import Line2D

        return self.add(Line2D(xs, ys, **style))

    def dots(self, xs, ys, sizes, **style):
        """Round markers at the points (metres), ``sizes`` their areas in points² (as
        ``Axes.scatter`` draws them)."""
        import numpy as np
        from matplotlib.collections import PathCollection
        from matplotlib.markers import MarkerStyle
        from matplotlib.transforms import IdentityTransform

        marker = MarkerStyle("o")
        dots = PathCollection(
            [marker.get_path().transformed(marker.get_transform())],
            sizes=np.broadcast_to(np.asarray(sizes, dtype=float), (len(xs),)),
            offsets=np.column_stack([xs, ys]),
            offset_transform=self.transData,
            transform=IdentityTransform(),
            **style,
        )
        return self.add(dots)

    @property
    def texts(self) -> list:
        from matplotlib.text import Text

        return [a for a in self.artists if isinstance(a, Text)]

    @property
    def lines(self) -> list:
        from matplotlib.lines import Line2D

        return [a for a in self.artists if isinstance(a, Line2D)]

    def get_children(self) -> list:
        return [self.sea, *self.artists]

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        renderer.open_group("map", gid=self.get_gid())
        self.sea.draw(renderer)
        for artist in sorted(self.artists, key=lambda a: a.get_zorder()):
            artist.draw(renderer)
        renderer.close_group("map")
        self.stale = False


def map_area(fig) -> MapArea:
    """The map of a static image's figure."""
    return next(a for a in fig.artists if isinstance(a, MapArea))
