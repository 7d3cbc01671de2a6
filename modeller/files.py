"""Writing files atomically: a temporary file beside the target, then one rename; a
folder of files (the map site) swapped in as a whole.

A reader (or an interrupted run) sees the old file or the new one, never half of one, and
the old site or the new one, never a mix.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import signal
import stat
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from . import settings
from .errors import InputError, OutputWarning
from .inputs import kind_of, was_read
from .interrupts import cleanup_on_interrupt, removed_on_exit
from .textsafe import visible_text


def check_writer(fmt: str) -> None:
    """Say before any work if this machine cannot write ``fmt`` (an install without pyarrow,
    a dependency, cannot write Parquet: found out after the run, its work was lost)."""
    import importlib.util

    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise InputError(
            "--format parquet needs pyarrow, a dependency of modeller missing here: "
            "pip install pyarrow (or use --format gpkg or geojson)"
        )


# What a file name's suffix says it holds: (in words, the output formats that may be
# written under it). A scenario, a page or an image allows none. One table for -O and
# the Python API's to_file, so that neither writes one format under another's name.
SUFFIXES: dict[str, tuple[str, frozenset]] = {
    ".geojson": ("geojson", frozenset({"geojson"})),
    ".json": ("json", frozenset({"json", "geojson"})),
    ".gpkg": ("gpkg", frozenset({"gpkg"})),
    ".parquet": ("parquet", frozenset({"parquet"})),
    ".csv": ("csv", frozenset({"csv"})),
    ".md": ("markdown", frozenset({"markdown"})),
    ".yaml": ("a scenario", frozenset()),
    ".yml": ("a scenario", frozenset()),
    ".html": ("a web page", frozenset()),
    ".png": ("an image", frozenset()),
    ".svg": ("an image", frozenset()),
}


def file_target(path: Path) -> Path:
    """Where writing ``path`` goes: a symbolic link's target (the link is kept), a new or
    regular file as it is. A device, FIFO, socket or folder there (or a loop of links) is
    an input error: it would otherwise be replaced by a regular file."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # follows links: a link to a device is a device
    except FileNotFoundError:  # nothing there yet (or a link to nothing: its target)
        mode = None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path} is a loop of symbolic links: give a file to write") from None
        mode = None  # e.g. unreadable: the write itself will say why
    if mode is not None and not stat.S_ISREG(mode):
        fix = "give the path of a file to write"
        if str(path) in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
            fix = "for standard output, write -O - (text formats), or leave -O out"
        raise InputError(f"{path} is {kind_of(mode)}, not a file: {fix}")
    if mode is not None and (was_read(path) or _units_file(path)):
        raise InputError(
            f"{path} is one of this run's input files; writing there would replace it: "
            "give another file to write"
        )
    return path.resolve() if path.is_symlink() else path


def _units_file(path: Path) -> bool:
    """Whether ``path`` is the units file this run measures on (``--units``): it is read
    only once the run starts, after the outputs are checked."""
    units = settings.units_path()
    try:
        return units is not None and os.path.samefile(units, path)
    except (OSError, ValueError):
        return False


@contextmanager
def atomic_path(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` when the block succeeds.

    ``suffix`` ends the temporary name (e.g. ``.tmp.gpkg`` for writers that check it).
    A symbolic link is written through (see ``file_target``).

    The file gets the usual permissions (``0o666`` less the umask, like ``open``); on any
    error (or Ctrl-C) the temporary file is removed and ``path`` is left untouched.
    """
    path = file_target(path)
    made = _missing_folders(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    except OSError as exc:  # name the file asked for, not the temporary one
        _remove_empty(made)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    with cleanup_on_interrupt():  # Ctrl-C raises here, so the temporary file goes
        try:
            os.chmod(tmp, 0o666 & ~umask)
            with removed_on_exit(tmp):  # a SIGTERM while writing: no hidden file left
                yield Path(tmp)
                os.replace(tmp, path)
        except OSError as exc:  # e.g. a full disk: name the file asked for, leave no folder
            Path(tmp).unlink(missing_ok=True)
            _remove_empty(made)
            if exc.filename not in (None, tmp, str(tmp)):
                raise
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            _remove_empty(made)
            raise


def _missing_folders(folder: Path) -> list[Path]:
    """The folders ``mkdir(parents=True)`` would create for ``folder``, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a failed write created, where they are still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return ``path``."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path``."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


class InChild:
    """Text computed in a forked child process while this one goes on (e.g. writing).

    The child sends the text through a pipe and leaves at once (``os._exit``: none of
    this process's clean-up runs twice). Where there is no fork, or the child fails (an
    error, Ctrl-C), ``result`` computes the text here, so an error is raised in this
    process as it would have been. ``cancel`` ends a child whose text is not wanted.
    """

    def __init__(self, compute: Callable[[], str]) -> None:
        self.compute = compute
        self.pid: int | None = None
        if not hasattr(os, "fork"):
            return
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                os.close(read_fd)
                with os.fdopen(write_fd, "wb") as fh:
                    fh.write(compute().encode("utf-8"))
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd

    def result(self) -> str:
        """The text (the child's when it succeeded)."""
        if self.pid is None:
            return self.compute()
        fd, self.fd = self.fd, None  # closed with the file below, whatever happens
        with os.fdopen(fd, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if os.waitstatus_to_exitcode(status) == 0:
            return data.decode("utf-8")
        return self.compute()

    def cancel(self) -> None:
        """End the child, if it still runs, and collect it."""
        if self.pid is None:
            return
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        if self.fd is not None:  # not when Ctrl-C came while ``result`` read it
            os.close(self.fd)
            self.fd = None
        self.pid = None


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
    containing it, a mount point), the files are written one by one, each atomically.
    """
    folder = Path(folder)
    target = folder.resolve()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "a file is in the way", str(folder))
    target.parent.mkdir(parents=True, exist_ok=True)
    stale = _stale(target, manifest, set(texts), ours)
    if manifest is not None:
        sizes = {n: len(t.encode("utf-8") if isinstance(t, str) else t) for n, t in texts.items()}
        texts = {**texts, manifest: manifest_text(sizes)}
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents or os.path.ismount(target):
        written = [
            write_text(folder / name, t) if isinstance(t, str) else write_bytes(folder / name, t)
            for name, t in texts.items()
        ]
        for name in stale:
            with suppress(OSError):
                os.remove(target / name)
        return [p for p in written if p.name != manifest]
    with cleanup_on_interrupt(), _named(folder):
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
        try:
            mode = target.stat().st_mode & 0o7777 if target.exists() else _default_mode(0o777)
            os.chmod(staging, mode)
            if target.exists():  # the folder keeps its owner (root replacing a user's folder)
                with suppress(OSError):
                    os.chown(staging, target.stat().st_uid, target.stat().st_gid)
            for name, text in texts.items():
                data = text.encode("utf-8") if isinstance(text, str) else text
                with open(staging / name, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(staging / name, _default_mode(0o666))
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
    sizes = {p.name: _size(target / p.name) for p in written}
    write_text(Path(folder) / manifest, manifest_text(sizes))
    return sorted(stale)


def manifest_text(sizes: dict[str, int | None]) -> str:
    """A manifest: one line per file written, its name and its size in bytes (tab between),
    sorted by name. The size tells a file left as written from one the user saved over
    it since (their own table under that name), where times would not: a copy of the
    folder (``cp -r``, a clone) changes every file's time."""
    return "".join(
        f"{name}\n" if size is None else f"{name}\t{size}\n" for name, size in sorted(sizes.items())
    )


def listed(folder: Path, manifest: str) -> dict[str, int | None]:
    """The files a folder's manifest lists, with the size each had when written (None: a
    manifest written before sizes were kept); empty when there is none or it is unreadable."""
    try:
        lines = (Path(folder) / manifest).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, int | None] = {}
    for line in lines:
        name, _, size = line.partition("\t")
        if name:
            out[name] = int(size) if size.isascii() and size.isdigit() else None
    return out


def as_written(path: Path, size: int | None) -> bool:
    """Whether ``path`` is still the file a manifest listed with ``size`` (any regular
    file, for a manifest without sizes)."""
    return size is None or _size(path) == size


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


def check_folder_name(folder: Path, hint: str) -> None:
    """Refuse a new output folder named like a file (``run -o figures.json`` made a folder
    of maps named figures.json, while the figures went to the screen)."""
    folder = Path(folder)
    if folder.suffix.lower() in SUFFIXES and not folder.is_dir():
        raise InputError(
            f"--out {folder} names a folder, but it ends in {folder.suffix} like a file: {hint}"
        )


def check_folder(folder: Path) -> None:
    """Fail early (OSError naming ``folder``) if ``folder`` could not be created or written:
    a file in the way, a device, no permission, a read-only file system."""
    folder = Path(folder)
    probe = folder
    while not probe.exists() and probe != probe.parent:
        if probe.is_symlink():  # a dangling link: mkdir would fail on it
            raise FileExistsError(errno.EEXIST, "a broken link is in the way", str(probe))
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(probe))
    if not os.access(probe, os.W_OK | os.X_OK):
        code = errno.EROFS if _read_only(probe) else errno.EACCES
        raise OSError(code, os.strerror(code), str(folder))


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


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


def _default_mode(full: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return full & ~umask
