"""A GeoJSON (Multi)Polygon's ``coordinates`` array read by numpy: the geometry GEOS's
GeoJSON reader gives for it, in about two thirds of its time (a DeepState day: ~1.0
against ~1.4 ms; the timeline reads 769 of them).

Only arrays written as JSON writes numbers (no exponents), of closed rings of four or
more positions of two or three numbers each, are read here; for anything else ``polygon``
returns None and the caller parses the text with GEOS, which says what is wrong. The
numbers are the same doubles: both read decimal text with correct rounding.
"""

from __future__ import annotations

import warnings

import numpy as np
import shapely


def polygon(array: str, kind: str):
    """The (Multi)Polygon of a ``coordinates`` array's text (``kind``: "Polygon" or
    "MultiPolygon"), in two dimensions; None when it is not read here (see the module).

    ``array`` holds only what the caller's pattern allows: digits, ``-+.eE``, commas,
    brackets and JSON whitespace.
    """
    depth_of_position = {"Polygon": 3, "MultiPolygon": 4}.get(kind)
    if depth_of_position is None or "+" in array or "e" in array or "E" in array:
        return None
    b = np.frombuffer(array.encode("ascii"), dtype=np.uint8)
    brackets = (b == _OPEN) | (b == _CLOSE)
    count = _plain_numbers(b)
    if count is None:
        return None
    shape = _structure(b[brackets | (b == _COMMA)], depth_of_position)
    if shape is None:
        return None
    dim, ring_sizes, polygon_sizes = shape
    blanked = b.copy()
    blanked[brackets] = _SPACE
    with warnings.catch_warnings():  # numpy warns, or raises, where a number is malformed
        warnings.simplefilter("error")
        try:
            numbers = np.fromstring(blanked.tobytes().decode("ascii"), sep=",")
        except (ValueError, DeprecationWarning):
            return None
    if len(numbers) != dim * int(ring_sizes.sum()) or count != len(numbers):
        return None  # (numpy reads an empty field, "[30.5, 50.5, ]", as -1)
    xy = numbers.reshape(-1, dim)[:, :2]
    starts = np.concatenate([[0], np.cumsum(ring_sizes)[:-1]])
    ends = starts + ring_sizes - 1
    if (ring_sizes < 4).any() or (xy[starts] != xy[ends]).any():
        return None  # a short or open ring: GEOS refuses it, in words
    rings = shapely.linearrings(xy, indices=np.repeat(np.arange(len(ring_sizes)), ring_sizes))
    polygons = shapely.polygons(
        rings, indices=np.repeat(np.arange(len(polygon_sizes)), polygon_sizes)
    )
    return shapely.multipolygons(polygons) if kind == "MultiPolygon" else polygons[0]


_OPEN, _CLOSE, _COMMA, _SPACE = (ord(c) for c in "[], ")


def _plain_numbers(b: np.ndarray) -> int | None:
    r"""How many numbers the array (bytes ``b``, no ``+eE`` in it) holds, each written as
    ``-?(0|[1-9][0-9]*)(\.[0-9]+)?``; None when one is written otherwise (what numpy reads
    too, but JSON does not: ``.5``, ``1.``, ``01``, ``1-2``). Counted, they tell an empty
    field (``[30.5, 50.5, ]``), which numpy reads as -1 and JSON refuses."""
    digit = (b >= ord("0")) & (b <= ord("9"))
    dot, minus = b == ord("."), b == ord("-")
    if dot[0] or dot[-1] or minus[-1]:
        return None
    # a dot between digits; a minus after no digit, before one
    if (dot[1:-1] & ~(digit[:-2] & digit[2:])).any() or (minus[:-1] & ~digit[1:]).any():
        return None
    if (minus[1:] & digit[:-1]).any():
        return None
    # no leading zero: a 0 that starts a number (after no digit and no dot) ends it
    zero_first = (b[1:-1] == ord("0")) & ~digit[:-2] & ~dot[:-2]
    if (zero_first & digit[2:]).any():
        return None
    number = digit | dot | minus  # (a number is one run of these, checked above)
    return int(number[0]) + int((number[1:] & ~number[:-1]).sum())


def _structure(marks: np.ndarray, depth: int) -> tuple | None:
    """From the array's brackets and commas alone (``marks``, bytes): the numbers per
    position, the positions per ring and the rings per polygon; None unless the marks are
    exactly those of such an array (lists of lists down to positions of equal size)."""
    if not len(marks):
        return None
    opens, closes = marks == _OPEN, marks == _CLOSE
    level = np.cumsum(opens.astype(np.int32) - closes)  # after each mark
    if level.min() < 0 or level[-1] != 0 or level.max() != depth:
        return None
    first = np.flatnonzero(opens & (level == depth))  # each position's "["
    if not len(first):
        return None
    # "[,]" or "[,,]": the first position's "]" tells its size (the rest are checked below)
    closing = np.flatnonzero(marks[first[0] : first[0] + 5] == _CLOSE)
    dim = int(closing[0]) if len(closing) else 0
    ring_ends = np.flatnonzero(closes & (level == depth - 2))
    ring_sizes = np.diff(np.concatenate([[0], np.searchsorted(first, ring_ends)]))
    if depth == 4:
        polygon_ends = np.flatnonzero(closes & (level == 1))
        polygon_sizes = np.diff(np.concatenate([[0], np.searchsorted(ring_ends, polygon_ends)]))
    else:
        polygon_sizes = np.array([len(ring_sizes)])
    if dim not in (2, 3):
        return None
    text = marks.tobytes().decode("ascii")
    if not _canonical(text, dim, ring_sizes, polygon_sizes, depth):
        return None
    return dim, ring_sizes, polygon_sizes


def _canonical(marks: str, dim: int, rings, polygons, depth: int) -> bool:
    """Whether ``marks`` are exactly those of positions of ``dim`` numbers, ``rings``
    positions to a ring, ``polygons`` rings to a polygon (no stray number or list)."""
    if (rings == 0).any() or (polygons == 0).any():
        return False
    position = "[" + "," * (dim - 1) + "]"
    ring_marks = ["[" + ",".join([position] * int(n)) + "]" for n in rings]
    out, at = [], 0
    for n in polygons:
        out.append("[" + ",".join(ring_marks[at : at + int(n)]) + "]")
        at += int(n)
    text = ",".join(out)
    return marks == ("[" + text + "]" if depth == 4 else text)
