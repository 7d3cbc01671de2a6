"""Files kept between runs in the user's cache folder, each under a digest of what it was
made from: anything that changes what a file would hold gives another name, so nothing is
ever invalidated by hand and a stale file is never read.

Each kind of file has its own folder under ``settings.cache_dir()``
(``MODELLER_CACHE_DIR``) and its own switch (``MODELLER_IMAGE_CACHE=0``,
``MODELLER_POPULATION_CACHE=0``, ``MODELLER_GEOMETRY_CACHE=0``,
``MODELLER_TIMELINE_CACHE=0``, ``MODELLER_TEMPLATE_CACHE=0`` turn one off). Files are written
atomically, each ending in the SHA-256 of its name and content (a file copied or renamed
to another's name is not that file: its figures were another day's), and the least
recently used are
removed beyond a number per kind. Reading accepts only a regular file of a plausible size
that starts as expected and whose digest matches (a file cut short or altered is drawn
or computed again, never copied into an output); a cache that cannot be read or written
is skipped without a word (it only ever saves time).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from functools import cache
from pathlib import Path

from . import __version__, files, settings
from .errors import InputError


def enabled(switch: str) -> bool:
    """Whether the environment variable ``switch`` leaves a cache on (the default; a value
    that is no switch is an error, see ``settings.switch``)."""
    return settings.switch(switch, "off: every run computes afresh")


def folder(kind: str) -> Path:
    return settings.cache_dir() / kind


@cache
def code_digest() -> str:
    """SHA-256 of the package's source files and version: a new release or an edited
    checkout makes new cache names."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in root.rglob("*") if p.suffix in {".py", ".css", ".js", ".html"}):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


DIGEST = 32  # bytes of SHA-256 after each file's content


def _seal(name: str, data: bytes) -> bytes:
    """The digest a kept file ends in: of its name as well as its content, so that a file
    read under another name than it was written under (a cache folder mis-copied, files
    renamed) is not taken for it."""
    return hashlib.sha256(name.encode() + b"\0" + data).digest()


def read(kind: str, name: str, max_bytes: int, starts: bytes = b"") -> bytes | None:
    """The file ``name`` of this kind, or None (missing, not a regular file, too large,
    not ending in the digest of its name and content, not starting with ``starts``,
    unreadable); a file read counts as recently used."""
    path = folder(kind) / name
    try:
        if not path.is_file() or path.stat().st_size > max_bytes + DIGEST:  # not a FIFO
            return None
        kept = path.read_bytes()
    except OSError:
        return None
    data = kept[:-DIGEST]
    if len(kept) < DIGEST or _seal(name, data) != kept[-DIGEST:]:
        return None
    if not data.startswith(starts):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return data


def write(kind: str, name: str, data: bytes, keep: int | None) -> None:
    """Keep ``data`` as ``name``; then remove the least recently used beyond ``keep``
    (None: leave that to a ``prune`` after several writes)."""
    with contextlib.suppress(OSError, InputError):
        where = folder(kind)
        where.mkdir(parents=True, exist_ok=True)
        path = where / name
        if os.path.lexists(path) and (path.is_symlink() or not path.is_file()):
            return  # a link (written through, it would replace its target), a folder, a FIFO
        files.write_bytes(path, data + _seal(name, data))
        if keep is not None:
            prune(kind, keep)


OWN_NAME = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{1,8}")  # a digest and a suffix: ours


def prune(kind: str, keep: int) -> None:
    """Remove the least recently used files of this kind beyond ``keep``: only files named
    as this module names them (a cache folder set to a folder of the user's own files,
    say MODELLER_CACHE_DIR=../shared/data, had lost them)."""
    with contextlib.suppress(OSError):
        entries = [p for p in folder(kind).iterdir() if OWN_NAME.fullmatch(p.name) and p.is_file()]
        entries.sort(key=lambda p: p.stat().st_mtime)
        for path in entries[: max(0, len(entries) - keep)]:
            path.unlink(missing_ok=True)


NPZ = b"PK\x03\x04"  # numpy's .npz is a zip file


def read_arrays(kind: str, name: str, max_bytes: int) -> dict | None:
    """Arrays kept with ``write_arrays`` (no pickled objects), or None."""
    import io

    import numpy as np

    data = read(kind, name, max_bytes, NPZ)
    if data is None:
        return None
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except Exception:  # noqa: BLE001 - damaged (a bad zip, a cut array): made again
        return None


def write_arrays(kind: str, name: str, arrays: dict, keep: int) -> None:
    """Keep named numpy arrays as one uncompressed ``.npz`` (fast to read back)."""
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write(kind, name, buffer.getvalue(), keep)
