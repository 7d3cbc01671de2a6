"""How the command line ends when something goes wrong: one line, a status, no traceback.

- a bad input (:class:`~modeller.errors.InputError`): ``error: file:line: ...``, status 2
  (the commands print these themselves; anything that slips through is caught here);
- the machine refusing (output folder read-only, disk full, a parent that is a file, a
  device, out of memory): ``error: cannot write PATH: reason``, status 1;
- Ctrl-C, at any point including start-up (see ``entry``): ``interrupted; ...``, status
  130. Files are written to a temporary name and renamed, and the map site is swapped in
  as a whole, so an interruption leaves the previous outputs or the new ones, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import warnings
from collections.abc import Callable

import click

from .errors import InputError, OutputWarning
from .interrupts import INTERRUPTED, interrupted
from .screens import utf8
from .textsafe import terminal_text


def environment_message(exc: OSError, command: str | None = "run") -> str:
    """One line for an OS refusal: what could not be done to which path, and why
    (``command``: the subcommand, whose options the hint names)."""
    target = exc.filename if exc.filename is not None else None
    relative = target is None or not os.path.isabs(os.fsdecode(target))
    if relative and exc.errno == errno.ENOENT and _no_current_folder():
        return (
            "error: the current folder no longer exists (it was deleted or moved), so a "
            "relative path leads nowhere; cd to a folder that exists, or give absolute paths"
        )
    away = {  # the options of the command that has them (timeline has no -O)
        "run": "write elsewhere: another --out folder or -O file",
        "timeline": "write elsewhere: another --out folder",
    }.get(command or "", "write elsewhere")
    where = f" {_short(str(target))}" if target else ""
    # the path is the user's: shown without the escape sequences it may hold
    return terminal_text(f"error: cannot write{where}: {_reason(exc, away)}")


def _no_current_folder() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


def explained(exc: OSError, away: str) -> OSError:
    """The same OS error (its class, number and file) with the hint the command line gives
    as part of its message (the API's ``to_file`` had said only "File exists: 'afile'"
    of a file in the way where a folder was needed). ``away``: how to write elsewhere."""
    return type(exc)(exc.errno, _reason(exc, away), exc.filename)


def _reason(exc: OSError, away: str) -> str:
    """The OS's reason for a refusal and, where one helps, what to do about it."""
    hints = {
        errno.ENOSPC: f"free some space, or {away}",
        errno.EROFS: f"the file system is read-only; {away}",
        errno.EACCES: f"no permission; {away}",
        errno.EPERM: f"no permission; {away}",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EEXIST: "a file is in the way where a folder is needed",
        errno.EISDIR: "a folder is in the way where a file is needed",
        errno.ENAMETOOLONG: "a name in the path is longer than the file system allows",
    }
    reason, hint = exc.strerror or str(exc), hints.get(exc.errno)
    return reason + (f" ({hint})" if hint else "")


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit // 2] + "…" + text[-limit // 2 :]


class SafeGroup(click.Group):
    """A click group whose commands never end in a traceback for inputs, OS errors or Ctrl-C."""

    def make_context(self, info_name, args, parent=None, **extra):
        """The context, its arguments read: ``--help`` and ``--version`` print while they
        are, before ``invoke`` (``modeller --help > /dev/full`` had ended in a traceback)."""
        lossless_streams()
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except BrokenPipeError:
            silence_stdout()
            sys.exit(1)
        except OSError as exc:
            click.echo(environment_message(exc, None), err=True)
            sys.exit(1)

    def invoke(self, ctx: click.Context):
        with warnings.catch_warnings():  # (restores the warnings module's state after)
            warnings.simplefilter("always", OutputWarning)
            warnings.showwarning = _shown(warnings.showwarning)
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"error: {terminal_text(exc)}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo(INTERRUPTED, err=True)
            sys.exit(130)
        except BrokenPipeError:  # e.g. `modeller run ... | head`: the reader left
            silence_stdout()
            sys.exit(1)
        except MemoryError:
            click.echo("error: out of memory; try fewer or smaller inputs", err=True)
            sys.exit(1)
        except OSError as exc:
            if interrupted():
                click.echo(INTERRUPTED, err=True)
                sys.exit(130)
            click.echo(environment_message(exc, ctx.invoked_subcommand), err=True)
            sys.exit(1)
        except Exception:
            if not interrupted():  # e.g. numpy's ImportError for an interrupted import
                raise
            click.echo(INTERRUPTED, err=True)
            sys.exit(130)


def _shown(show: Callable) -> Callable:
    """``warnings.showwarning`` that prints an ``OutputWarning`` as one "warning:" line (no
    source line or file of the code), and leaves every other warning to ``show``."""

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, OutputWarning):
            click.echo(f"warning: {terminal_text(message)}", err=True)
        else:
            show(message, category, filename, lineno, file, line)

    return showwarning


def lossless_streams() -> None:
    """Standard output and error that cannot encode a character (``PYTHONIOENCODING=ascii``,
    a latin-1 console) write it as an escape (``\u2014``): every format had ended in a
    traceback after the work, on the first dash of a title."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not utf8(stream):
            with contextlib.suppress(Exception):  # (a stream that cannot: left as it is)
                reconfigure(errors="backslashreplace")


def silence_stdout() -> None:
    """Send what is still written to stdout nowhere: its reader has gone (a closed pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
