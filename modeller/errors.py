"""User-facing input errors: where (file:line), what is wrong, and what would be valid."""

from __future__ import annotations

from dataclasses import dataclass

from .textsafe import terminal_path


@dataclass(eq=False)  # (compared and hashed as exceptions are: by identity)
class InputError(Exception):
    """A bad input the user can fix; the CLI prints it without a traceback and exits 2."""

    message: str
    file: str | None = None
    line: int | None = None
    loc: tuple = ()  # where in the scenario file (keys and items), when no line is known yet
    scenario: str | None = None  # whose step it is, when several scenarios are planned at once

    def __str__(self) -> str:
        # (a file name's line breaks and control characters as escapes: one line)
        where = shorten(terminal_path(self.file)) if self.file else ""
        if self.file and self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class NotKept(Exception):
    """A download that arrived but could not be written where it is kept (the machine's
    refusal: a full disk, a cache folder that is a file or read-only): said as a write
    failure, not as the network's."""

    def __init__(self, path, error: OSError) -> None:
        super().__init__(f"{path}: {error}")
        self.path, self.error = path, error


class OutputWarning(UserWarning):
    """What the user should know of a write that succeeded (the CLI prints it as a
    "warning:" line; the Python API leaves it to the ``warnings`` module)."""


class ScenarioWarning(UserWarning):
    """What the user of a run should know of a scenario (a step that changes nothing, a
    DeepState day standing in for one missing): the CLI prints it; the Python API's
    ``run`` gives it to the ``warnings`` module too (it stays in the run document)."""


def cut(text: object, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis last: a key or value a message
    echoes can be megabytes long."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind_of_value(value: object) -> str:
    """What a value read from a file is, in an error's words: 'nothing (null)', 'a mapping',
    'a list', 'a number', 'text' (one wording for the scenario and geometry readers)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "true or false"
    return "a number" if isinstance(value, int | float) else "text"


def shorten(text: str, limit: int = 240) -> str:
    """A file name cut in the middle when absurdly long (the start and the end stay)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"
