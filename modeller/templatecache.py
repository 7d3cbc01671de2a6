"""The pages' Jinja2 templates compiled once, not on every run: the compiled code is kept
in the user's cache folder (``cachefiles``; ``$MODELLER_CACHE_DIR/templates``, the 16
most recent; ``MODELLER_TEMPLATE_CACHE=0`` turns it off).

Compiling the four templates of the maps took ~0.16 s of every run with maps; reading
them back takes ~3 ms. A kept file is named by a digest of the package's code, the
Jinja2 and Python versions, the template's name and its source: any change gives another
name. It holds the code object (``marshal``), with ``cachefiles``' seal.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
import types

from jinja2 import BytecodeCache
from jinja2 import __version__ as JINJA

from . import cachefiles

KIND = "templates"
SWITCH = "MODELLER_TEMPLATE_CACHE"
KEEP = 16  # the maps' four templates and the timeline page's, a few releases' worth
MAX_BYTES = 8 * 2**20


class KeptTemplates(BytecodeCache):
    """A Jinja2 bytecode cache over ``cachefiles``."""

    @staticmethod
    def _name(bucket) -> str:
        parts = (cachefiles.code_digest(), JINJA, sys.version, bucket.key, bucket.checksum)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest() + ".code"

    def load_bytecode(self, bucket) -> None:
        data = cachefiles.read(KIND, self._name(bucket), MAX_BYTES)
        if data is None:
            return
        try:
            code = marshal.loads(data)
        except (EOFError, ValueError, TypeError):  # (sealed, so only another Python's)
            return
        if isinstance(code, types.CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        cachefiles.write(KIND, self._name(bucket), marshal.dumps(bucket.code), keep=KEEP)


def kept() -> KeptTemplates | None:
    """The cache for an ``Environment(bytecode_cache=...)``, or None when switched off."""
    return KeptTemplates() if cachefiles.enabled(SWITCH) else None
