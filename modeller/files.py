"""Writing files atomically: a temporary file beside the target, then one rename (a folder
written as a whole is ``folders``'s). Output targets and folders are checked before any
work.

A reader (or an interrupted run) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import errno
import glob
import os
import re
import secrets
import signal
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from . import settings
from .errors import InputError, NotKept
from .inputs import kind_of, was_read
from .interrupts import cleanup_on_interrupt, removed_on_exit


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


FOREIGN: dict[str, str] = {  # files modeller does not write: text in them would not open
    ".xlsx": "an Excel workbook",
    ".xls": "an Excel workbook",
    ".ods": "a spreadsheet",
    ".docx": "a Word document",
    ".pdf": "a PDF",
    ".zip": "a zip archive",
    ".gz": "a gzip file",
    ".xlsm": "an Excel workbook",
    ".numbers": "a Numbers spreadsheet",
    ".doc": "a Word document",
    ".odt": "a text document",
    ".rtf": "a text document",
    ".bz2": "a bzip2 file",
    ".xz": "an xz file",
    ".7z": "a 7-Zip archive",
    ".tar": "a tar archive",
    ".shp": "a Shapefile",
    ".kml": "a KML file",
    ".kmz": "a KMZ file",
    ".fgb": "a FlatGeobuf file",
    ".gpx": "a GPX file",
    ".tsv": "a tab-separated file",  # (comma-separated text there opens as one column)
    ".tab": "a tab-separated file",
}


def foreign(path: Path, fmt: str, ending: str) -> None:
    """InputError when ``path`` is named as a kind of file modeller does not write: the
    ``fmt`` output in it would not open as one (CSV text in 'x.xlsx')."""
    kind = FOREIGN.get(Path(path).suffix.lower())
    if kind is not None:
        raise InputError(
            f"{Path(path).name} names {kind}, which modeller does not write: the {fmt} "
            f"output would not open as one; give a file ending in {ending}"
            + (" (spreadsheets open it)" if fmt == "csv" else "")
        )


def collapsed(path: Path) -> Path:
    """``path`` with each 'missing/..' taken out: a folder that does not exist yet would be
    made by the writer and left behind, and 'missing/../x' checked as a new file while it
    names x (an input, or a file of the user's own). Any other '..' is left to the system
    (after a folder, or a link, it means what the system says); one after a file is an
    error, as the system's would be."""
    path = Path(path)
    if ".." not in path.parts:
        return path
    kept: list[str] = []
    for part in path.parts:
        if part == ".." and kept and kept[-1] not in ("..", path.anchor):
            before = Path(*kept)
            if not os.path.lexists(before):
                kept.pop()
                continue
            if not os.path.islink(before) and not os.path.isdir(before):
                raise InputError(
                    f"{path}: {before} is a file, not a folder, so '..' after it names nothing"
                )
        kept.append(part)
    return Path(*kept) if kept else Path(".")


def file_target(path: Path) -> Path:
    """Where writing ``path`` goes: a symbolic link's target (the link is kept), a new or
    regular file as it is. A device, FIFO, socket or folder there (or a loop of links) is
    an input error: it would otherwise be replaced by a regular file."""
    path = collapsed(path)  # ('missing/../x' is x once a folder 'missing' is made: check x)
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
            f"{path} is one of this run's inputs, or a file read as one since modeller "
            "started (a scenario, polygon, baseline, units or population file); writing "
            "there would replace it: give another file to write"
        )
    if not path.is_symlink():
        return path
    target = path.resolve()
    if mode is None and not target.parent.is_dir():  # a link to nothing in no folder
        raise InputError(  # (the folders had been made wherever the link pointed)
            f"{path} is a symbolic link to {target}, whose folder does not exist: make that "
            "folder, or give another file to write"
        )
    return target


DAY_FILE = re.compile(r"deepstatemap_data_\d{8}\.geojson", re.IGNORECASE)
MONTH_FILE = re.compile(r"monthly_.*\.geojson", re.IGNORECASE)


def check_not_archive(path: Path) -> None:
    """Refuse a user's output file that the DeepState archive would read as a map: a daily
    file's name in a folder days are looked up in, a month-end file's there or one folder
    up. A table written over a day (-O …/deepstatemap_data_20250816.geojson) was read back
    as that day's map, all of Ukraine Russian-held, without a word. (Other files there are
    never read as maps; ``fetch`` writes the days it downloads.)"""
    name = Path(path).name
    day, month = DAY_FILE.fullmatch(name), MONTH_FILE.fullmatch(name)
    if not (day or month):
        return
    try:
        parent = Path(path).parent.resolve()
    except (OSError, RuntimeError):
        return  # (a loop of links: said by the caller)
    for folder in settings.deepstate_dirs(strict=False):  # (a mistyped one: said elsewhere)
        try:
            folder = folder.resolve()
        except (OSError, RuntimeError):
            continue
        if parent == folder or (month and parent == folder.parent):
            raise InputError(
                f"{path} would be read as a DeepState {'day' if day else 'month-end map'} of "
                f"the archive ({folder}) that baselines are read from: give the file "
                "another name or folder"
            )


def _units_file(path: Path) -> bool:
    """Whether ``path`` is the units file this run measures on (``--units``): it is read
    only once the run starts, after the outputs are checked."""
    units = settings.units_path()
    try:
        return units is not None and os.path.samefile(units, path)
    except (OSError, ValueError):
        return False


def is_utf8(name: str) -> bool:
    """Whether a file name (as Python decodes it: bytes that are not UTF-8 become lone
    surrogates) is UTF-8 text."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@contextmanager
def atomic_path(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` when the block succeeds.

    ``suffix`` ends the temporary name (e.g. ``.tmp.gpkg`` for writers that check it).
    A symbolic link is written through (see ``file_target``).

    The file gets the usual permissions (``0o666`` less the umask, like ``open``), or keeps
    those of the file it replaces; on any
    error (or Ctrl-C) the temporary file is removed and ``path`` is left untouched.
    """
    path = file_target(path)
    made = _missing_folders(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    base = _short(path, suffix)
    prefix = f".{base}."
    if not is_utf8(prefix):  # GDAL and Arrow take UTF-8 names only ('caf\xe9.gpkg' had
        prefix = ".modeller-output."  # crashed them); the rename gives the file its name
    for leftover in left_behind(path.parent, base, ".", suffix):  # (a killed write's)
        with suppress(OSError):
            os.unlink(leftover)
    umask = os.umask(0)
    os.umask(umask)
    try:  # a file written again keeps its permissions, as open() keeps them (a 0600 export
        mode = os.stat(path).st_mode & 0o777  # had become readable by everyone)
    except OSError:
        mode = 0o666 & ~umask
    with cleanup_on_interrupt(), ExitStack() as stack:  # Ctrl-C raises here: the file goes
        tmp, made_file = None, False
        try:
            # the name is listed for removal on a SIGTERM before the file is made (it had
            # been left behind by one that came between the two)
            for _ in range(100):
                tmp = os.path.join(path.parent, f"{prefix}{secrets.token_hex(4)}{suffix}")
                attempt = ExitStack()
                attempt.enter_context(removed_on_exit(tmp))
                try:
                    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                except BaseException as exc:
                    attempt.close()  # (another's file by that name: not ours to remove)
                    if isinstance(exc, FileExistsError):
                        continue
                    raise
                stack.enter_context(attempt)
                made_file = True
                break
            else:
                raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))
            os.chmod(tmp, mode)
            yield Path(tmp)
            os.chmod(tmp, mode)  # (again: GDAL creates its file anew)
            os.replace(tmp, path)
        except OSError as exc:  # e.g. a full disk: name the file asked for, leave no folder
            if made_file:
                Path(tmp).unlink(missing_ok=True)
            _remove_empty(made)
            if exc.filename not in (None, tmp, str(tmp)):
                raise
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        except BaseException:
            if made_file:
                Path(tmp).unlink(missing_ok=True)
            _remove_empty(made)
            raise


LEFT_S = 3600.0  # a temporary untouched this long is a killed write's, not one under way


def _short(path: Path, suffix: str) -> str:
    """``path``'s name, cut so that its temporary ('.{name}.XXXXXXXX{suffix}') is a name
    the file system takes, SQLite's journal beside it too: a name within 14 bytes of the
    limit had been refused as "too long" (the rename gives the file its whole name)."""
    try:
        limit = os.pathconf(path.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    # (and room for SQLite's '-journal' beside a GeoPackage being written)
    name, room = path.name, limit - len(f"..{'x' * 8}{suffix}-journal".encode())
    while name and len(os.fsencode(name)) > room:
        name = name[:-1]
    return name or "modeller-output"


def left_behind(folder: Path, name: str, middle: str, end: str = "") -> list[Path]:
    """Hidden temporaries of ``name`` in ``folder`` that a killed write left (SIGKILL, a
    power cut: nothing could remove them): '.{name}{middle}XXXXXXXX{end}', eight random
    letters or digits, untouched for ``LEFT_S`` (one another command is writing now is
    written to as it goes)."""
    pattern = re.compile(rf"\.{re.escape(name)}{re.escape(middle)}[a-z0-9_]{{8}}{re.escape(end)}")
    out = []
    with suppress(OSError):
        for p in folder.glob(f".{glob.escape(name)}{glob.escape(middle)}*{glob.escape(end)}"):
            with suppress(OSError):
                if pattern.fullmatch(p.name) and time.time() - p.lstat().st_mtime > LEFT_S:
                    out.append(p)
    return out


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


def kept(path: Path) -> bool:
    """Whether a download kept at ``path`` is there; NotKept when the system cannot look
    its name up (one too long: said as the cache folder's fault, not the network's) or a
    folder has its name (no download could be written there: said before one is made)."""
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        return path.exists()
    except OSError as exc:
        raise NotKept(path, exc) from exc


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


def default_mode(full: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return full & ~umask
