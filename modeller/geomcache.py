"""Shapes kept between runs: the few costly ones a run draws again from the same inputs (a
DeepState day's reconciled territory, a band's zone), under a digest of those inputs, the
data and the code (``cachefiles``). Kept as WKB, which holds every coordinate exactly, so
a figure from a kept shape is the figure from a drawn one.

``MODELLER_GEOMETRY_CACHE=0`` turns it off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import shapely

from . import cachefiles, geodata

KIND = "geometry"
SWITCH = "MODELLER_GEOMETRY_CACHE"
KEEP = 64  # files (a day's territory is ~1 MB; a zone ~0.3 MB)
MAX_BYTES = 256 * 2**20
_SHAPE = "shape:"  # array names: a shape's WKB, or a plain array


def digest(*parts) -> str:
    """SHA-256 of the code, the data (units) and ``parts``: shapes (by their WKB), arrays,
    text and numbers; None stands for itself."""
    h = hashlib.sha256(f"{cachefiles.code_digest()} {geodata.data_digest()}".encode())
    for part in parts:
        if isinstance(part, shapely.Geometry):
            data = shapely.to_wkb(part)
        elif isinstance(part, np.ndarray):
            data = part.tobytes() + str(part.dtype).encode()
        else:
            data = repr(part).encode()
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def kept(key: str, compute: Callable[[], dict], names: tuple[str, ...]) -> dict:
    """``compute()`` (a dict of shapes and numpy arrays named ``names``), or what it gave
    before for the same ``key`` (see ``digest``)."""
    if not cachefiles.enabled(SWITCH):
        return compute()
    arrays = cachefiles.read_arrays(KIND, f"{key}.npz", MAX_BYTES)
    if arrays is not None:
        try:
            out = {
                name.removeprefix(_SHAPE): shapely.from_wkb(a.tobytes())
                if name.startswith(_SHAPE)
                else a
                for name, a in arrays.items()
            }
            if sorted(out) == sorted(names):
                return out
        except (shapely.errors.GEOSException, ValueError, TypeError):  # drawn again
            pass
    out = compute()
    arrays = {
        f"{_SHAPE}{name}" if isinstance(v, shapely.Geometry) else name: (
            np.frombuffer(shapely.to_wkb(v), dtype=np.uint8)
            if isinstance(v, shapely.Geometry)
            else np.asarray(v)
        )
        for name, v in out.items()
    }
    cachefiles.write_arrays(KIND, f"{key}.npz", arrays, KEEP)
    return out
