"""A folder of files written as a whole (the map site), and the manifests that let a later
write remove only what an earlier one wrote.

A reader (or an interrupted run) sees the old site or the new one, never a mix; a file the
user saved over one of ours (same name, other size or content) is theirs and is kept.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import signal
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import InputError, OutputWarning
from .files import default_mode, left_behind, write_bytes, write_text
from .interrupts import cleanup_on_interrupt, removed_on_exit
from .textsafe import terminal_path, visible_text


def write_folder(
    folder: Path,
    texts: dict[str, str | bytes],
    manifest: str | None = None,
    ours: re.Pattern | None = None,
) -> list[Path]:
    """Write ``{name: text or bytes}`` into ``folder`` as a whole: all new files, or none.

    ``manifest``: the name of a file listing what was written; files the previous write
    listed there that this one does not write (the pages of scenarios no longer run) are
    removed with the old folder, not carried over, if their names match ``ours`` (the
    names the writer can give: a forged list names nothing else). Every other entry is
    kept.

    Notes
    -----
    The files are written into a new sibling folder; everything else in the old folder
    (files not being replaced, e.g. ``timeline/``) is moved across, then the new folder
    takes the old one's place by two renames, with Ctrl-C held back for those few
    system calls. A failure or Ctrl-C while writing removes the new folder and leaves the
    old one untouched. Where a folder cannot be renamed (the current folder or one
    containing it, a mount point, one whose parent the user may not write in), the files
    are written one by one, each atomically.
    """
    folder = Path(folder)
    try:
        here = Path.cwd().resolve()
    except FileNotFoundError:  # the current folder was deleted: it holds no target
        if not folder.is_absolute():
            raise InputError(
                f"{terminal_path(folder)}: the current folder no longer exists (it was "
                "deleted or moved); cd to a folder, or give an absolute path"
            ) from None
        here = None
    target = folder.resolve()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "a file is in the way", str(folder))
    target.parent.mkdir(parents=True, exist_ok=True)
    stale = _stale(target, manifest, set(texts), ours)
    if manifest is not None:
        prints = {
            n: fingerprint(t.encode("utf-8") if isinstance(t, str) else t) for n, t in texts.items()
        }
        texts = {**texts, manifest: manifest_text(prints)}
    # (a folder the user may write in, in one they may not: no sibling to swap in)
    locked = target.is_dir() and not os.access(target.parent, os.W_OK | os.X_OK)
    holds_here = here is not None and (target == here or target in here.parents)
    if holds_here or os.path.ismount(target) or locked:
        written = [
            write_text(folder / name, t) if isinstance(t, str) else write_bytes(folder / name, t)
            for name, t in texts.items()
        ]
        for name in stale:
            with suppress(OSError):
                os.remove(target / name)
        return [p for p in written if p.name != manifest]
    for leftover in left_behind(target.parent, target.name, ".new-"):  # a killed write's
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
    with cleanup_on_interrupt(), _named(folder):
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
        try:
            mode = target.stat().st_mode & 0o7777 if target.exists() else default_mode(0o777)
            os.chmod(staging, mode)
            if target.exists():  # the folder keeps its owner (root replacing a user's folder)
                with suppress(OSError):
                    os.chown(staging, target.stat().st_uid, target.stat().st_gid)
            # a SIGTERM while the files are written removes the staging folder (it had been
            # left behind, 131 MB, by a run that `timeout` ended); not once the swap starts,
            # which moves the user's other entries into it
            with removed_on_exit(str(staging)):
                for name, text in texts.items():
                    data = text.encode("utf-8") if isinstance(text, str) else text
                    with open(staging / name, "wb") as fh:
                        fh.write(data)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.chmod(staging / name, default_mode(0o666))
            _swap(target, staging, set(texts) | stale)
        except OSError as exc:
            kept = _discard(staging, set(texts))
            if not kept or exc.errno is None:
                raise
            raise OSError(
                exc.errno,
                f"{exc.strerror}; the folder is as it was but for {len(kept)} of its "
                f"entries ({', '.join(kept[:3])}{', …' if len(kept) > 3 else ''}), which "
                f"could not be moved back and are kept in {staging}",
                str(folder),
            ) from None
        except BaseException:
            _discard(staging, set(texts))
            raise
    return [folder / name for name in texts if name != manifest]


def replace_listed(
    folder: Path, manifest: str, written: list[Path], ours: re.Pattern | None = None
) -> list[str]:
    """After files were written one by one into ``folder``: remove those the previous
    write listed in ``manifest`` and this one did not write (a table of another format,
    a page not drawn this time, which would pass for this run's), if their names match
    ``ours``, and list the new ones. Returns the names removed."""
    target = Path(folder).resolve()
    stale = _stale(target, manifest, {p.name for p in written}, ours)
    for name in sorted(stale):
        with suppress(OSError):
            os.remove(target / name)
    for leftover in _temporaries(target, {p.name for p in written} | {manifest}):
        with suppress(OSError):
            os.remove(leftover)
    prints = {p.name: _file_print(target / p.name) for p in written}
    write_text(Path(folder) / manifest, manifest_text(prints))
    return sorted(stale)


def _temporaries(folder: Path, names: set[str]) -> list[Path]:
    """Hidden temporaries of ``names`` that a killed write left (``files.atomic_path``:
    '.timeline.csv.k2j4x9ab.tmp', nothing else; see ``files.left_behind``)."""
    return [p for name in names for p in left_behind(folder, name, ".", ".tmp")]


def fingerprint(data: bytes) -> tuple[int, str]:
    """What a manifest keeps of a file it lists: its size and the start of its sha256."""
    return len(data), hashlib.sha256(data).hexdigest()[:16]


def _file_print(path: Path) -> tuple[int, str] | None:
    """``fingerprint`` of a file on disk (None when it cannot be read)."""
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            size = 0
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        return size, digest.hexdigest()[:16]
    except OSError:
        return None


def manifest_text(prints: dict[str, tuple[int, str] | None]) -> str:
    """A manifest: one line per file written, its name, its size in bytes and the start
    of its sha256 (tabs between), sorted by name. Size and digest tell a file left as
    written from one the user saved over it since (their own table under that name; an
    edit keeping the size had been taken for ours and removed), where times would not: a
    copy of the folder (``cp -r``, a clone) changes every file's time."""
    return "".join(
        f"{name}\n" if fp is None else f"{name}\t{fp[0]}\t{fp[1]}\n"
        for name, fp in sorted(prints.items())
    )


def listed(folder: Path, manifest: str) -> dict[str, tuple[int | None, str | None] | None]:
    """The files a folder's manifest lists, with (size, digest) each had when written
    (None: a manifest written before sizes were kept; no digest: before digests were);
    empty when there is none or it is unreadable."""
    try:
        lines = (Path(folder) / manifest).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, tuple[int | None, str | None] | None] = {}
    for line in lines:
        name, _, rest = line.partition("\t")
        size, _, digest = rest.partition("\t")
        if name:
            whole = size.isascii() and size.isdigit()
            out[name] = (int(size), digest or None) if whole else None
    return out


def as_written(path: Path, written: tuple[int | None, str | None] | None) -> bool:
    """Whether ``path`` is still the file a manifest listed as ``written`` (any regular
    file, for a manifest without sizes; the size alone, for one without digests)."""
    if written is None:
        return True
    size, digest = written
    if _size(path) != size:
        return False
    return digest is None or (_file_print(path) or (None, None))[1] == digest


def _size(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _stale(
    target: Path, manifest: str | None, new: set[str], ours: re.Pattern | None = None
) -> set[str]:
    """Regular files the previous write listed in ``manifest`` that this one does not
    write, named as ``ours`` allows (a name with a slash, a folder or a link there is
    never one of them), and still of the size it listed: one saved over since (the
    user's own table under that name) is kept."""
    if manifest is None:
        return set()
    return {
        name
        for name, size in listed(target, manifest).items()
        if name not in new
        and "/" not in name
        and name not in ("", ".", "..")
        and (ours is None or ours.fullmatch(name))
        and (target / name).is_file()
        and not (target / name).is_symlink()
        and as_written(target / name, size)
    }


@contextmanager
def _named(folder: Path) -> Iterator[None]:
    """OS errors name the folder the user gave, not the staging folder beside it."""
    try:
        yield
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, str(folder)) from None


def _swap(target: Path, staging: Path, new: set[str]) -> None:
    """Move the old folder's other entries into ``staging``, then put ``staging`` in place.

    A failure part way (an entry that cannot be moved: immutable, a name too long for the
    staging path) moves every entry already moved back where it was before re-raising, so
    the old folder is as it was; what cannot be moved back stays in ``staging``, which
    ``_discard`` then keeps.
    """
    old = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    moved: list[str] = []
    renamed = False
    blocked = _block_interrupts()
    try:
        try:
            if target.exists():
                for entry in os.listdir(target):
                    if entry not in new:
                        os.rename(target / entry, staging / entry)
                        moved.append(entry)
                os.rename(target, old)
                renamed = True
            os.rename(staging, target)
        except BaseException:
            if renamed and not target.exists():
                os.rename(old, target)
            for entry in reversed(moved):
                # one that cannot go back stays in staging: _discard keeps it and says so
                with suppress(OSError):
                    os.rename(staging / entry, target / entry)
            raise
    finally:
        _unblock_interrupts(blocked)
    if renamed:
        _clear_old(old, target, new)


def _clear_old(old: Path, target: Path, new: set[str]) -> None:
    """Remove the old folder once swapped out, but first move into the new one whatever
    was created in it between listing it and renaming it (another program writing into
    the folder): it was removed with the old one. What cannot be moved keeps the old
    folder from being removed."""
    try:
        late = [entry for entry in os.listdir(old) if entry not in new]
    except OSError:
        return
    kept = False
    for entry in late:
        if os.path.lexists(target / entry):
            kept = True
            continue
        try:
            os.rename(old / entry, target / entry)
        except OSError:
            kept = True
    if not kept:
        shutil.rmtree(old, ignore_errors=True)
        return
    for entry in new:  # the replaced files go; the late entries stay where they are
        with suppress(OSError):
            os.remove(old / entry)
    try:
        left = sorted(set(os.listdir(old)) - new)
    except OSError:
        left = late
    shown = ", ".join(visible_text(e) for e in left[:3]) + (", …" if len(left) > 3 else "")
    warnings.warn(
        OutputWarning(
            f"{len(left)} entr{'y' if len(left) == 1 else 'ies'} ({shown}) appeared in "
            f"{visible_text(target)} while it was being replaced and could not be moved into "
            f"the new folder (a name taken there, or not movable); kept in {visible_text(old)}"
        ),
        stacklevel=2,
    )


def _discard(staging: Path, new: set[str]) -> list[str]:
    """Remove a failed write's staging folder, unless it still holds entries of the user's
    folder (``_swap`` could not move them back): those are kept there, and returned."""
    try:
        kept = sorted(set(os.listdir(staging)) - new)
    except OSError:
        return []
    if not kept:
        shutil.rmtree(staging, ignore_errors=True)
    return kept


def _block_interrupts() -> bool:
    """Hold Ctrl-C back (delivered when unblocked); False where signals cannot be masked."""
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (AttributeError, ValueError, OSError):
        return False
    return True


def _unblock_interrupts(blocked: bool) -> None:
    if blocked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
