"""One HTTP GET for ``modeller fetch``: a quiet socket is given up on after ``WAIT_S``, and
the whole answer, from connecting to its last byte, must arrive within ``DEADLINE_S`` (a
socket timeout alone let a server that sends a byte a minute, of its body or of its
headers, hold the command for ever)."""

from __future__ import annotations

import threading
import time
import urllib.request

from .errors import InputError

WAIT_S = 30.0  # silence on the socket before giving up
DEADLINE_S = 300.0  # the whole answer, however it trickles in
CHUNK = 1 << 16
MAX_BYTES = 512 * 2**20  # a DeepState day is a few MB at most, geoBoundaries' ADM1 tens of MB


def get(
    url: str, wait_s: float = WAIT_S, deadline_s: float = DEADLINE_S, max_bytes: int = MAX_BYTES
) -> bytes:
    """The body of ``url`` (http or https only); TimeoutError when the server is silent for
    ``wait_s`` or the answer is not complete within ``deadline_s``; InputError for another
    kind of address or an answer past ``max_bytes`` (read whole, it had filled the memory:
    "out of memory" blamed the inputs). urllib's errors pass through."""
    if not (isinstance(url, str) and url.lower().startswith(("https://", "http://"))):
        raise InputError(
            f"{str(url)[:200]!r} is not a web address (http or https): nothing was downloaded"
        )
    request = urllib.request.Request(url, headers={"User-Agent": "modeller (research tool)"})
    end = time.monotonic() + deadline_s
    said: dict = {}

    def fetch() -> None:
        try:
            said["body"] = _read(request, url, wait_s, end, deadline_s, max_bytes)
        except BaseException as exc:  # (given to the caller below)
            said["error"] = exc

    # connecting, TLS and the headers are bounded by the socket's timeout per read only
    # (headers trickled a line at a time had held it past the deadline): the GET runs in
    # a thread given up at the deadline (left to end with its socket's timeout)
    worker = threading.Thread(target=fetch, name="modeller-download", daemon=True)
    worker.start()
    worker.join(max(0.0, end - time.monotonic()) + 0.5)  # (the body's loop says it first)
    if worker.is_alive():
        raise TimeoutError(f"no complete answer within {deadline_s:.0f} s")
    if "error" in said:
        raise said["error"]
    return said["body"]


def _read(request, url: str, wait_s: float, end: float, deadline_s: float, max_bytes: int):
    """The body, read as ``get`` says (in its thread)."""
    parts, size = [], 0
    with urllib.request.urlopen(request, timeout=wait_s) as response:
        while chunk := response.read1(CHUNK):  # (read() would wait for all CHUNK bytes)
            parts.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise InputError(
                    f"the answer from {url[:200]} passed {max_bytes // 2**20} MB, far more "
                    "than the file it should be: stopped, nothing was kept"
                )
            if time.monotonic() > end:
                raise TimeoutError(f"no complete answer within {deadline_s:.0f} s")
        headers = getattr(response, "headers", None)  # (a recorded answer in the tests: none)
        promised = str(headers.get("Content-Length", "")) if headers is not None else ""
    if promised.isdigit() and size < int(promised):  # the connection dropped: the network's
        raise ConnectionError(f"the answer was cut short ({size:,} of {int(promised):,} bytes)")
    return b"".join(parts)
