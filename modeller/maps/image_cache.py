"""Static images kept between runs: an image is drawn again only when what it shows changed.

Drawing a scenario's PNG and SVG costs ~0.3 s of CPU (matplotlib's text rasterisation, most
of it), several times what computing the scenario costs. A journalist re-running a folder
of scenarios after editing one gets the others' images back from the cache.

Each entry is keyed by a SHA-256 over everything the image is drawn from: the scenario's
entry in the run document and the document's credit (the tool's version, the data sources
and the date of the run, which the credit line shows), every piece of the partition
(unit, statuses, attributes, exact geometry), the units and settlements in use, and the
code that draws it (every source file of the package, the modeller and matplotlib
versions). A change to any
of them is a different key; nothing is ever invalidated by hand. Entries live in
``settings.cache_dir() / "images"`` (``MODELLER_CACHE_DIR``; ``cachefiles`` reads and
writes them), and the least recently used are removed beyond ``MAX_FILES``.
``MODELLER_IMAGE_CACHE=0`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import shapely

from .. import cachefiles, geodata, memo
from ..document import RunDocument
from ..partition import Partition

KIND = "images"
MAX_FILES = 400  # PNG + SVG of 200 scenarios; ~100 KB each
MAX_BYTES = 20 * 2**20  # no image is near this; anything larger is not ours
SIGNATURES = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml"}


def enabled() -> bool:
    return cachefiles.enabled("MODELLER_IMAGE_CACHE")


@cache
def _code() -> str:
    """Digest of what draws: the package's code, the embedded geodata (context layers),
    and the matplotlib version."""
    import matplotlib

    h = hashlib.sha256(f"{cachefiles.code_digest()} {matplotlib.__version__}".encode())
    for path in sorted(p for p in geodata.geodata_dir().glob("*") if p.is_file()):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


_WKB = memo.ByIdentity(4096)


def _geometry_digest(geom) -> bytes:
    """SHA-256 of a geometry's WKB, remembered per object (pieces are shared by scenarios)."""
    return _WKB.get((geom,), lambda: hashlib.sha256(shapely.to_wkb(geom)).digest())


def _partition(h, partition: Partition) -> None:
    for p in partition.pieces:
        h.update(repr((p.oblast, p.before, p.after, p.attrs)).encode())
        h.update(_geometry_digest(p.geometry))


_SETTING = memo.ByIdentity(4)


def _setting() -> bytes:
    """Digest of the units and settlements in use (``--units`` changes both), once per
    loaded geodata."""
    data = geodata.load()

    def digest() -> bytes:
        text = json.dumps(data.source, sort_keys=True, default=str) + repr(data.settlements)
        return hashlib.sha256(text.encode()).digest()

    return _SETTING.get((data,), digest)


def credit(doc: RunDocument) -> str:
    """What an image shows of the run document besides its scenarios: the tool's version,
    the data sources and the date of the run (the credit line)."""
    return json.dumps([doc.tool.version, list(doc.data_sources), doc.generated[:10]])


def key(doc: RunDocument, index: int, partitions: list[Partition]) -> str:
    """The cache key of scenario ``index``'s images (``-1``: the overview of all). The
    file stem is not in it: the same images are served under another name."""
    h = hashlib.sha256(_code().encode())
    h.update(_setting())
    h.update(credit(doc).encode())
    chosen = range(len(partitions)) if index < 0 else [index]
    for i in chosen:
        h.update(doc.scenarios[i].model_dump_json().encode())
        _partition(h, partitions[i])
    h.update(b"overview" if index < 0 else b"scenario")
    return h.hexdigest()


def get(digest: str, names: list[str]) -> list[tuple[str, bytes]] | None:
    """The cached files for ``names`` (in order), or None if any is missing or damaged."""
    out = []
    for name in names:
        suffix = Path(name).suffix
        data = cachefiles.read(KIND, f"{digest}{suffix}", MAX_BYTES, SIGNATURES.get(suffix, b""))
        if data is None:
            return None
        out.append((name, data))
    return out


def put(digest: str, drawn: list[tuple[str, bytes]]) -> None:
    """Keep freshly drawn files; a cache that cannot be written is silently skipped."""
    for name, data in drawn:
        cachefiles.write(KIND, f"{digest}{Path(name).suffix}", data, None)
    cachefiles.prune(KIND, MAX_FILES)
