"""What Ctrl-C does in the ``modeller`` command (a leaf module: standard library only).

Outside output writing, an interrupt ends the process at once with one line and status
130: raising KeyboardInterrupt there could land inside numpy's or shapely's import, which
prints a traceback of its own before turning it into an ImportError. Inside
``cleanup_on_interrupt()`` blocks (writing files, swapping the map site in) Ctrl-C raises
KeyboardInterrupt instead, so the writers remove their temporary files and the command
prints the same line. Nothing changes until ``install()`` is called (by the console
script), so library use keeps Python's default behaviour. Folders held in
``removed_on_exit()`` blocks are removed on either way out, and on SIGTERM, which
otherwise ends the process at once, as by default.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress

INTERRUPTED = "interrupted; no file was half-written (outputs are replaced whole or not at all)"
_state = {"soft": 0, "pid": None, "count": 0, "ignored": set()}  # count: Ctrl-Cs so far
_paths: list[str] = []  # removed_on_exit(): removed by a hard exit in the main process


def interrupted() -> bool:
    """Whether Ctrl-C has been pressed in this process (whatever exception it turned into)."""
    return _state["count"] > 0


@contextmanager
def cleanup_on_interrupt() -> Iterator[None]:
    """Within this block Ctrl-C raises KeyboardInterrupt, so ``finally`` clauses run.

    Where Python drops that exception (it came in a destructor or a callback: "Exception
    ignored in ...") the block runs on to its end, and raises it there: a timeline had
    finished its work and ended with status 0 after Ctrl-C."""
    _state["soft"] += 1
    seen = _state["count"]
    try:
        yield
    finally:
        _state["soft"] -= 1
    if _state["count"] != seen and os.getpid() == _state["pid"]:  # (one that came in here)
        raise KeyboardInterrupt


@contextmanager
def removed_on_exit(path: str) -> Iterator[None]:
    """Within this block a hard exit (Ctrl-C, SIGTERM) removes ``path`` (a temporary file or
    folder) first: the block's own cleanup does not run then (a timeline's plan handed to
    its workers was left in the temporary folder, 5 MB each time; a table being written,
    as a hidden file of up to 70 MB beside it)."""
    _paths.append(str(path))
    _watch_sigterm()
    try:
        yield
    finally:
        _paths.remove(str(path))
        _watch_sigterm()


def swept(prefix: str) -> None:
    """Remove the temporary folders that processes killed outright left (SIGKILL, a power
    cut: nothing of ``removed_on_exit`` runs): those named ``prefix``, a process id and "-"
    (``tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")``), of this user, whose process
    is gone. (POSIX only: Windows has no signal 0 to ask whether a process is there.)"""
    if os.name != "posix":
        return
    with suppress(OSError):
        for entry in os.scandir(tempfile.gettempdir()):
            pid, dash, _ = entry.name.removeprefix(prefix).partition("-")
            if not (entry.name.startswith(prefix) and dash and pid.isdigit()):
                continue
            with suppress(OSError):
                info = entry.stat(follow_symlinks=False)  # (a link or a file is left alone)
                ours = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
                if ours and _gone(int(pid)):
                    shutil.rmtree(entry.path, ignore_errors=True)


def _gone(pid: int) -> bool:
    """Whether no process has this id (one of another user's is there)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # (another user's process)
        pass
    return False


def _watch_sigterm() -> None:
    """SIGTERM runs ``_on_sigterm`` only while there are paths to remove, and otherwise ends
    the process at once: a Python handler waits for the native call under way (a long
    GEOS overlay had kept a run going 46 s after ``timeout``'s SIGTERM)."""
    if _state["pid"] != os.getpid():  # not installed, or a forked worker
        return
    with suppress(ValueError):  # (not the main thread: left as it is)
        for signum in _ENDING:  # SIGHUP too (a terminal closed had left a temporary), unless
            if signum not in _state["ignored"]:  # it is ignored (nohup): then left so
                signal.signal(signum, _on_sigterm if _paths else signal.SIG_DFL)


_ENDING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _remove_paths() -> None:
    if os.getpid() == _state["pid"]:  # a forked worker inherits the list: not its own
        for path in reversed(_paths):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with suppress(OSError):
                    os.unlink(path)


def _on_sigint(signum, frame) -> None:
    _state["count"] += 1
    if _state["soft"] or os.getpid() != _state["pid"]:  # writing, or a worker process
        raise KeyboardInterrupt
    try:
        _remove_paths()
        os.write(2, (INTERRUPTED + "\n").encode())
    finally:
        os._exit(130)


def _on_sigterm(signum, frame) -> None:
    """End as the signal's default does (the status says so: SIGTERM, SIGHUP), the
    temporary paths removed first."""
    try:
        _remove_paths()
    finally:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def install() -> None:
    """Handle Ctrl-C as described above (main thread only; a no-op elsewhere)."""
    try:
        signal.signal(signal.SIGINT, _on_sigint)
        _state["pid"] = os.getpid()
        _state["ignored"] = {s for s in _ENDING if signal.getsignal(s) == signal.SIG_IGN}
        _watch_sigterm()  # (the default until a path is to be removed)
    except ValueError:  # not the main thread (embedded use): keep Python's default
        pass


def die_with_parent(parent: int) -> None:
    """In a worker process (Linux): be killed when ``parent`` (the pid that started it)
    dies, e.g. of a signal sent to it alone, rather than be left running with nobody to
    read its result; and end now if it is gone already (forked just as it ended)."""
    import contextlib

    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)
