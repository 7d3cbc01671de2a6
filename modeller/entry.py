"""The ``modeller`` console script: Ctrl-C is handled before anything heavy is imported."""

from __future__ import annotations

import sys

from .interrupts import INTERRUPTED, install, interrupted


def main() -> None:
    """Run the command line; Ctrl-C at any point ends with one line and status 130."""
    install()
    try:
        from .cli import main as cli

        cli()
    except SystemExit:
        raise
    except BaseException as exc:
        if not (interrupted() or isinstance(exc, KeyboardInterrupt)):
            raise
        sys.stderr.write(INTERRUPTED + "\n")
        sys.exit(130)
