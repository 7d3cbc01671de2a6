"""One run at a time per output folder: two runs writing maps into one folder had both said
they had written it, and one's pages were gone.

The lock is a file in the user's cache folder named after the folder's absolute path (none
is left in the user's own folders), held with ``flock`` until the run ends (``release``)
or its process does: the system releases it however the process ends. Where there is no
``flock`` (Windows) or no cache folder to write, runs are not locked.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import warnings
from pathlib import Path

from . import settings
from .errors import InputError, OutputWarning

_HELD: dict[str, object] = {}  # folder -> its open lock file, for the life of the process


def _forget_in_child() -> None:
    """A forked process (the painter, its workers) closes its copies of the lock files: a
    child outliving its run must not keep the folder locked."""
    for fh in _HELD.values():
        with contextlib.suppress(OSError):
            fh.close()
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def hold(folder: Path, option: str = "--out") -> None:
    """Take the lock of ``folder`` for this process (again: a no-op), or say which process
    holds it."""
    try:
        import fcntl
    except ImportError:  # (not on Windows)
        return
    where = str(folder.absolute().resolve())
    if where in _HELD:
        return
    name = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    try:
        locks = settings.cache_dir() / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        fh = open(locks / f"{name}.lock", "a+", encoding="utf-8")  # noqa: SIM115 (kept open)
    except OSError as exc:  # no cache folder to write: unlocked, as before, but said
        if os.environ.get("MODELLER_CACHE_DIR"):  # (a value of the user's that is no folder)
            warnings.warn(
                f"MODELLER_CACHE_DIR ({settings.cache_dir()}) cannot be written "
                f"({exc.strerror or exc}): nothing is kept between runs, and a second run "
                f"into {folder} would not be stopped; point it at a folder",
                OutputWarning,
                2,
            )
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        pid = fh.read(20).strip()
        fh.close()
        who = f" (process {pid})" if pid.isdigit() else ""
        raise InputError(
            f"{option} {folder} is being written by another modeller run{who}: wait for it "
            f"to end, or give {option} another folder"
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    _HELD[where] = fh


def release(folder: Path) -> None:
    """Let the lock of ``folder`` go (a run in a process that goes on: the API, tests)."""
    fh = _HELD.pop(str(folder.absolute().resolve()), None)
    if fh is not None:
        fh.close()  # (closing the file releases its flock)
