"""A units file's checked geometry, kept between runs: repairing, projecting and checking
Minregion's oblasts took about 2.5 s of every run with ``--units`` on the same file.

Kept under a digest of the file's bytes (a Shapefile's sidecars too), its format, the
embedded data and the code (``cachefiles``); as WKB, which holds every coordinate
exactly, so a figure from kept units is the figure from units checked afresh. Only a
file that passed every check is kept. ``MODELLER_GEOMETRY_CACHE=0`` turns it off.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import cachefiles, inputs

KIND = "units"
SWITCH = "MODELLER_GEOMETRY_CACHE"
KEEP = 8  # files: a few units files a user switches between
MAX_BYTES = 1 << 30


def digest(path: Path) -> str | None:
    """The sha256 of the units file read as ``path`` (``inputs.digest``), to look it up
    before it is read; None when the cache is off, or when it is not plain files of a units
    file's suffix within the size limit (a FIFO would block; reading it says what is wrong)."""
    from .unitsfile import SUFFIXES

    path = Path(path)
    if not cachefiles.enabled(SWITCH) or path.suffix.lower() not in SUFFIXES:
        return None
    try:
        parts = inputs.digest_parts(path)
        plain = path.is_file() and all(p.is_file() for p in parts)
        size = sum(p.stat().st_size for p in parts) if plain else 0
    except OSError:
        return None
    if not plain or size > inputs.limit_mb(f"units {inputs.geo_format(path)}") * 1e6:
        return None
    return inputs.digest(path)


def key(path: Path, sha256: str, embedded: str) -> str:
    """The name the checked units of the file read as ``path`` (of digest ``sha256``) are
    kept under. ``embedded``: the embedded data's digest (towns, official areas)."""
    parts = (cachefiles.code_digest(), embedded, Path(path).suffix.lower(), sha256)
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()


def read(name: str, settlements: tuple) -> tuple | None:
    """(geometry by unit code, ``settlements`` each in its unit, their snapped working-CRS
    points, how units were matched) as kept under ``name``; None when nothing usable is."""
    import numpy as np
    import shapely

    a = cachefiles.read_arrays(KIND, f"{name}.npz", MAX_BYTES)
    if a is None or sorted(a) != ["codes", "ends", "how", "towns", "wkb", "xy"]:
        return None
    if len(a["towns"]) != len(settlements) or a["xy"].shape != (len(settlements), 2):
        return None
    try:
        blob, starts = a["wkb"].tobytes(), np.concatenate([[0], a["ends"][:-1]])
        shapes = shapely.from_wkb([blob[s:e] for s, e in zip(starts, a["ends"], strict=True)])
        geometry = dict(zip(a["codes"].tolist(), shapes, strict=True))
    except (shapely.errors.GEOSException, ValueError, TypeError):  # checked again
        return None
    placed = tuple(
        s._replace(oblast=c) for s, c in zip(settlements, a["towns"].tolist(), strict=True)
    )
    return geometry, placed, a["xy"].astype(float), str(a["how"])


def write(name: str, geometry: dict, settlements: tuple, xy, how: str) -> None:
    """Keep checked units under ``name`` (see ``read``)."""
    import numpy as np
    import shapely

    wkb = [shapely.to_wkb(g) for g in geometry.values()]
    arrays = {
        "codes": np.array(list(geometry), dtype=str),
        "wkb": np.frombuffer(b"".join(wkb), dtype=np.uint8),
        "ends": np.cumsum([len(w) for w in wkb]),
        "towns": np.array([s.oblast for s in settlements], dtype=str),
        "xy": np.asarray(xy, dtype=float),
        "how": np.array(how),
    }
    cachefiles.write_arrays(KIND, f"{name}.npz", arrays, KEEP)
