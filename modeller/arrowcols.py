"""Arrow arrays made from the table's numpy columns by their buffers, not ``pyarrow.array``:
that imports pandas on its first call (~0.3 s of CPU, while the timeline's workers still
measure), and nothing of pandas is needed to write a CSV or Parquet file.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class Texts:
    """The distinct texts of a table's text columns, kept once as an Arrow string array
    (the vocabulary): a column becomes its codes into it, a gather done by Arrow.

    ``plain``: False when a value is not a ``str`` (the column is then left to
    ``pyarrow.array``, whatever it makes of it)."""

    def __init__(self, columns: Iterable[np.ndarray]) -> None:
        import pyarrow as pa

        seen: set = set()
        for values in columns:
            seen.update(values.tolist())
        self.seen = seen  # (every text of the table, once)
        self.plain = all(type(v) is str for v in seen)
        words = list(seen) if self.plain else []  # (in any order: codes stay inside)
        self.code = {w: i for i, w in enumerate(words)}
        self.words = words
        self.vocabulary = _strings(pa, [w.encode("utf-8") for w in words])
        self._days = None

    def strings(self, values: np.ndarray):
        """``values`` (texts of the vocabulary) as an Arrow string array."""
        import pyarrow as pa

        if not self.plain or values.dtype.kind not in "OUS":
            return pa.array(values.astype(object), pa.string())
        codes = self._codes(values)
        return self.vocabulary.take(_array(pa, pa.int32(), codes))

    def dates(self, values: np.ndarray):
        """``values`` (ISO dates of the vocabulary, 'YYYY-MM-DD') as an Arrow date32 array."""
        import pyarrow as pa

        if self._days is None:
            try:
                iso = [w if len(w) == 10 and w[4] == "-" else "NaT" for w in self.words]
                self._days = np.array(iso, dtype="datetime64[D]").astype(np.int64)
            except ValueError:
                self._days = False
        if not self.plain or self._days is False or values.dtype.kind not in "OUS":
            return pa.array(values.astype("datetime64[D]"), pa.date32())
        days = self._days[self._codes(values)]
        if (days == np.iinfo(np.int64).min).any():  # (a text that is no date: as before)
            return pa.array(values.astype("datetime64[D]"), pa.date32())
        return _array(pa, pa.date32(), days.astype(np.int32))

    def _codes(self, values: np.ndarray) -> np.ndarray:
        return np.fromiter(map(self.code.__getitem__, values.tolist()), np.int32, len(values))


def floats(values: np.ndarray):
    """A float64 column as an Arrow array (its buffer, no copy; NaN stays NaN, as
    ``pyarrow.array`` leaves it)."""
    import pyarrow as pa

    return _array(pa, pa.float64(), np.ascontiguousarray(values, dtype=np.float64))


def repeated(text: str, n: int):
    """An Arrow string array of ``n`` times ``text``."""
    import pyarrow as pa

    return _strings(pa, [text.encode("utf-8")]).take(_array(pa, pa.int32(), np.zeros(n, np.int32)))


def _array(pa, kind, values: np.ndarray):
    """A fixed-width Arrow array over ``values``' buffer (no nulls)."""
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def _strings(pa, encoded: list[bytes]):
    """An Arrow string array of UTF-8 ``encoded`` texts."""
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)), out=offsets[1:])
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(encoded), buffers)
