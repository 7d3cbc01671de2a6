"""User-facing input errors: where (file:line), what is wrong, and what would be valid."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InputError(Exception):
    """A bad input the user can fix; the CLI prints it without a traceback and exits 2."""

    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line:
            where = f"{self.file}:{self.line}"
        return f"{where}: {self.message}" if where else self.message
