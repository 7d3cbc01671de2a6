"""One HTTP GET for ``modeller fetch``: a quiet socket is given up on after ``WAIT_S``, and
the whole answer must arrive within ``DEADLINE_S`` (a socket timeout alone let a server
that sends a byte a minute hold the command for ever)."""

from __future__ import annotations

import time
import urllib.request

WAIT_S = 30.0  # silence on the socket before giving up
DEADLINE_S = 300.0  # the whole answer, however it trickles in
CHUNK = 1 << 16


def get(url: str, wait_s: float = WAIT_S, deadline_s: float = DEADLINE_S) -> bytes:
    """The body of ``url``; TimeoutError when the server is silent for ``wait_s`` or the
    answer is not complete within ``deadline_s`` (urllib's errors pass through)."""
    request = urllib.request.Request(url, headers={"User-Agent": "modeller (research tool)"})
    end = time.monotonic() + deadline_s
    parts = []
    with urllib.request.urlopen(request, timeout=wait_s) as response:
        while chunk := response.read1(CHUNK):  # (read() would wait for all CHUNK bytes)
            parts.append(chunk)
            if time.monotonic() > end:
                raise TimeoutError(f"no complete answer within {deadline_s:.0f} s")
    return b"".join(parts)
