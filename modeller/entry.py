"""The ``modeller`` console script: Ctrl-C is handled before anything heavy is imported,
and the process ends without tearing the interpreter down (``leave``)."""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import os
import sys
from typing import NoReturn

from .interrupts import INTERRUPTED, install, interrupted


def main() -> None:
    """Run the command line; Ctrl-C at any point ends with one line and status 130."""
    install()
    _collect_less_often()
    _closed_streams_to_nowhere()
    _unbuffered_streams_written_whole()
    try:
        from .cli import main as cli

        cli()
    except SystemExit as exc:
        leave(exc.code)
    except BaseException as exc:
        if not (interrupted() or isinstance(exc, KeyboardInterrupt)):
            raise
        sys.stderr.write(INTERRUPTED + "\n")
        sys.exit(130)


def _collect_less_often() -> None:
    """Run Python's cyclic garbage collector about 70 times less often than its default.

    A command makes few reference cycles but many objects (~120,000 for the geometry
    stack's modules as they are imported, then the pieces and their geometries), and each
    time the collector ran it walked them again: `modeller run` of the shipped scenarios with maps
    took 5-7 % less CPU and wall time with these thresholds (paired whole-process runs),
    as much as with the collector off. Only the console script does this, not the Python
    API, whose process is its caller's.
    """
    gc.set_threshold(50_000, 20, 100)


def _closed_streams_to_nowhere() -> None:
    """A standard stream the process was started without (``>&-``, some launchers) is
    Python's None: what is written to it goes nowhere, as its closing asked (``run``
    had ended on a traceback before writing the maps)."""
    for name in ("stdin", "stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "r" if name == "stdin" else "w"))  # noqa: SIM115


class _WholeWrites(io.FileIO):
    """A standard stream's file that writes all it is given or raises."""

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            n = super().write(view[done:])
            if n is None:  # (a descriptor made non-blocking by whoever started us)
                raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN), done)
            if n == 0:  # (no error, nothing taken: the next try would say no more)
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            done += n
        return done


def _unbuffered_streams_written_whole() -> None:
    """Standard streams that write all they are given or fail. Unbuffered (``python -u``,
    ``PYTHONUNBUFFERED``, common in containers), Python writes text straight to the file,
    once: when the system takes only part of it (a disk filling up, a reader gone from a
    pipe mid-write), the rest was dropped without an error, and a JSON document cut short
    ended with status 0. Buffered streams retry and raise; these now do too."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, io.TextIOWrapper) or type(stream.buffer) is not io.FileIO:
            continue  # buffered (its writer retries), or not the process's own stream
        try:
            whole = _WholeWrites(stream.fileno(), "w", closefd=False)
        except (OSError, ValueError):
            continue
        setattr(
            sys,
            name,
            io.TextIOWrapper(
                whole,
                encoding=stream.encoding,
                errors=stream.errors,
                newline="\n",  # (as Python opens them on POSIX: no translation)
                line_buffering=stream.line_buffering,
                write_through=True,
            ),
        )


def leave(code: object) -> NoReturn:
    """End the process as ``sys.exit(code)`` would, less the interpreter's teardown.

    Freeing a run's objects one by one at exit (units, pieces, the run document, every
    module) wrote nothing and cost 0.1-0.3 s of a `modeller run` that took 1.2-2 s. What
    an exit must do still happens, in CPython's order: other threads are joined (not after
    Ctrl-C, see below), the
    atexit handlers run (worker processes reaped, temporary folders removed, logging
    flushed), then the standard streams are flushed; every file a command writes is
    closed (and synced) before it returns. A reader gone from stdout (``| head``) ends
    the process with status 1, as a broken pipe during the command does.
    """
    import atexit
    import threading

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # what Python prints for a non-integer exit code
        sys.stderr.write(f"{code}\n")
        status = 1
    shutdown = getattr(threading, "_shutdown", None)  # CPython's own first step at exit
    # (not after Ctrl-C: the workers are killed then, and a process pool's thread waiting
    # for the rest of a result one of them was sending would be waited for forever)
    if shutdown is not None and not interrupted():
        # (a process pool stopped on an error: its exit hook may wake a pipe its own
        # thread closed meanwhile, Python 3.11's race, with nothing left to wake)
        with contextlib.suppress(OSError):
            shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            status = status or 1
    os._exit(status & 0xFF if status >= 0 else 1)
