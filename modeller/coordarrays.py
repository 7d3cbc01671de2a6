"""A GeoJSON (Multi)Polygon's ``coordinates`` array read by numpy: the geometry GEOS's
GeoJSON reader gives for it, in about half its time (a DeepState day: ~0.7 against
~1.4 ms; the timeline reads 769 of them, each mostly the day before's: ``_numbers``).

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
    at = np.flatnonzero(brackets | (b == _COMMA))  # where each mark is
    shape = _structure(b[at], depth_of_position)
    if shape is None:
        return None
    dim, ring_sizes, polygon_sizes = shape
    blanked = b.copy()
    blanked[brackets] = _SPACE
    numbers = _numbers(blanked.tobytes(), _cuts(b, at))
    if numbers is None:
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

PIECE = 32  # positions per piece parsed on its own (on average: pieces end where picked)
_LAST_PIECES: dict[bytes, np.ndarray] = {}  # the pieces of the last array read, parsed


def _cuts(b: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Where the array (bytes ``b``, its marks at ``at``) is cut into pieces: at the commas
    after a position (after a "]") whose eight bytes before (the last digits of a number)
    hash to one in ``PIECE``. Picked by their own text, not by their place: a stretch
    unchanged since the last array read is cut into the same pieces, wherever it lies."""
    marks = b[at]
    between = at[1:][(marks[1:] == _COMMA) & (marks[:-1] == _CLOSE)]
    between = between[between >= 8]
    before = np.lib.stride_tricks.sliding_window_view(b, 8)[between - 8]  # (n, 8) bytes
    h = np.ascontiguousarray(before).view(np.uint64).ravel() * np.uint64(0x9E3779B97F4A7C15)
    return between[(h >> np.uint64(40)) % np.uint64(PIECE) == 0]


def _numbers(blanked: bytes, cuts: np.ndarray) -> np.ndarray | None:
    """The numbers of the array's text (brackets blanked), read piece by piece between the
    ``cuts`` (``_cuts``); None where numpy finds one malformed.

    Notes
    -----
    Consecutive DeepState days differ in a few places: of a day's ~95 pieces, ~5 are new
    (3 in half the days), and the rest are the last array's, whose numbers are kept
    (``_LAST_PIECES``): the archive's numbers are read in ~0.1 s, not ~0.3 s. Each number
    is read alone, whatever piece it is in, so the doubles are those of the whole text.
    """
    global _LAST_PIECES
    kept, now, out = _LAST_PIECES, {}, []
    starts = [0, *(cuts + 1).tolist()]
    ends = [*cuts.tolist(), len(blanked)]
    with warnings.catch_warnings():  # numpy warns, or raises, where a number is malformed
        warnings.simplefilter("error")
        for start, end in zip(starts, ends, strict=True):
            piece = blanked[start:end]
            numbers = kept.get(piece)
            if numbers is None:
                try:
                    numbers = np.fromstring(piece.decode("ascii"), sep=",")
                except (ValueError, DeprecationWarning):
                    return None
            now[piece] = numbers
            out.append(numbers)
    _LAST_PIECES = now
    return np.concatenate(out)


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
