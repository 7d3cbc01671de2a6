"""Results remembered per object: the scenarios of one run share most geometry objects
(pieces kept whole from their baseline), so work on them is done once per run."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class ByIdentity:
    """A bounded store of results keyed by the identity of the objects they come from.

    The entry holds the objects themselves, so an id cannot be reused by another object
    while its entry lives; when full, the store starts afresh (a run needs a few hundred).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.store: dict[tuple, tuple] = {}

    def get(self, objects: tuple, compute: Callable[[], T], extra: Hashable = None) -> T:
        """``compute()`` for these objects (and ``extra``), done once while remembered."""
        key = (tuple(map(id, objects)), extra)
        entry = self.store.get(key)
        if entry is None:
            if len(self.store) >= self.limit:
                self.store.clear()
            entry = self.store[key] = (objects, compute())
        return entry[1]
