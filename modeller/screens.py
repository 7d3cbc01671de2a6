"""Where ``run`` writes its figures and messages: rich's Console on a terminal (spinner,
colours, the terminal's width), a plain writer anywhere else (a pipe, a file, a log).

The plain writer needs none of rich's console machinery (~40 ms of imports, a tenth of
what a run off a terminal computes besides Python's own start). Whether a stream is a
terminal is decided as rich decides it: ``TTY_COMPATIBLE`` (0 or 1), then ``FORCE_COLOR``
(set and not empty: a terminal), then the stream's ``isatty()``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TextIO

WIDTH = 160  # the figures' width off a terminal (a file or a pipe has none of its own)
NARROWEST = 20  # COLUMNS below this is laid out this wide (at 1, a letter a line)


def terminal_width() -> int | None:
    """The width rich's consoles are given on a terminal: None (rich's own: COLUMNS, else
    the terminal's) unless COLUMNS is 0 ("unknown", which rich took as no width at all:
    the figures came out a character a line) or digits other than ASCII ones ('²', which
    rich's int() refused with a traceback), where it is the terminal's own width, or
    below ``NARROWEST``, where it is ``NARROWEST``."""
    columns = os.environ.get("COLUMNS", "").strip()
    if not columns.isdigit():  # (absent, or not a number: rich ignores it too)
        return None
    if columns.isascii() and int(columns) >= NARROWEST:
        return None
    if columns.isascii() and int(columns) > 0:
        return NARROWEST
    for stream in (sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            return max(NARROWEST, os.get_terminal_size(stream.fileno()).columns)
    return 80


def console(**options):
    """rich's Console, at ``terminal_width`` (for the commands that print through rich
    wherever they are: doctor, baselines, scenarios, timeline's messages)."""
    from rich.console import Console

    return Console(**sized(), **options)


def sized() -> dict:
    """rich Console arguments for ``terminal_width``: the width, and the environment rich
    reads with COLUMNS set to it (rich reads COLUMNS again for the console's size)."""
    width = terminal_width()
    if width is None:
        return {}
    return {"width": width, "_environ": {**os.environ, "COLUMNS": str(width)}}


def is_terminal(stream: TextIO) -> bool:
    """Whether rich would treat ``stream`` as a terminal (escape codes shown, not stored)."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return bool(getattr(stream, "isatty", lambda: False)())
    except ValueError:  # a closed stream
        return False


class Plain:
    """A stream off a terminal, used as ``run`` uses rich's Console: lines of text as they
    are (no styles, no wrapping, no markup read), and no spinner or status line.

    ``closed``: what to do when the stream takes no more (``| head``, a full disk):
    ``"quiet"`` drops the rest (the messages: the run and its maps go on), ``"raise"``
    raises the error to the run (the figures: it still writes the maps)."""

    is_terminal = False
    color_system = None

    def __init__(self, file: TextIO, width: int = WIDTH, closed: str = "raise") -> None:
        self.file, self.width, self.closed = file, width, closed
        self.quiet = False

    def print(self, text: object = "", *, markup: bool = False, **_style) -> None:
        """One message on its own line (``markup`` must be off: user text is text)."""
        if markup:
            raise ValueError("plain output reads no rich markup: pass markup=False")
        if self.quiet:
            return
        try:
            self.file.write(f"{text}\n")
            self.file.flush()
        except OSError:  # a reader gone; or messages to a full disk (/dev/full)
            self.quiet = True
            if self.closed == "raise":
                raise
            _silence(self.file)  # (the figures and maps still go out: a warning had ended
            # a run with stderr on /dev/full, status 1, before its figures)

    def status(self, text: str) -> contextlib.AbstractContextManager:
        """No status line off a terminal."""
        return contextlib.nullcontext()


def _silence(file: TextIO) -> None:
    """Point the stream's descriptor at /dev/null, so its buffered rest is not an error at
    exit (what rich's own broken-pipe handling does)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, file.fileno())


def messages():
    """The console of ``run``'s messages (stderr): rich's on a terminal, else plain.
    A reader gone (``2>&1 | head``) silences it and the run goes on (rich's own way is
    to exit at once, status 1, though the maps were written)."""
    if not is_terminal(sys.stderr):
        return Plain(sys.stderr, closed="quiet")
    from rich.console import Console

    class Messages(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            _silence(sys.stderr)

    return Messages(stderr=True, soft_wrap=True, emoji=False, **sized())


def figures():
    """The console of ``run``'s figures (stdout): rich's on a terminal (its width), else
    plain at ``WIDTH``. A reader gone (``| head``) raises BrokenPipeError to the run."""
    if not is_terminal(sys.stdout):
        return Plain(sys.stdout, closed="raise")
    from rich.console import Console

    class Figures(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return Figures(emoji=False, **sized())


def status(console, text: str) -> contextlib.AbstractContextManager:
    """A status line with a spinner saying ``text`` (plain, safe text) on a terminal."""
    if not console.is_terminal:
        return contextlib.nullcontext()
    from rich.markup import escape  # ('c[/]d.geojson' in a file name is not markup)

    return console.status(escape(text))


def progress(err):
    """The spinner with what the run is at, on a terminal; elsewhere (a pipe, a log file)
    nothing, and rich's progress display (~30 ms of imports) is not loaded."""
    if not err.is_terminal:
        return NoProgress()
    from rich.markup import escape
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    class Spinner(Progress):
        """rich's Progress, its lines read as text: a file 'c[/]d.geojson' crashed a run."""

        def update(self, task, description: str | None = None, **kwargs) -> None:
            if description is not None:
                kwargs["description"] = escape(description)
            super().update(task, **kwargs)

    columns = SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()
    return Spinner(*columns, console=err, transient=True)


class NoProgress:
    """rich's Progress as a run off a terminal uses it: shows nothing."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def update(self, *args, **kwargs) -> None:
        return None

    def advance(self, *args, **kwargs) -> None:
        return None


def utf8(stream) -> bool:
    """Whether a stream writes UTF-8 (else a character it lacks is an escape: see
    ``failures.lossless_streams``)."""
    encoding = str(getattr(stream, "encoding", "") or "utf-8").lower()
    return encoding.replace("_", "-") in ("utf-8", "utf8")
