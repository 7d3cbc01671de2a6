"""The ``modeller`` console script: Ctrl-C is handled before anything heavy is imported,
and the process ends without tearing the interpreter down (``leave``)."""

from __future__ import annotations

import sys
from typing import NoReturn

from .interrupts import INTERRUPTED, install, interrupted


def main() -> None:
    """Run the command line; Ctrl-C at any point ends with one line and status 130."""
    install()
    _closed_streams_to_nowhere()
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


def _closed_streams_to_nowhere() -> None:
    """A standard stream the process was started without (``>&-``, some launchers) is
    Python's None: what is written to it goes nowhere, as its closing asked (``run``
    had ended on a traceback before writing the maps)."""
    import os

    for name in ("stdin", "stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "r" if name == "stdin" else "w"))  # noqa: SIM115


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
    import os
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
        shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            status = status or 1
    os._exit(status & 0xFF if status >= 0 else 1)
