"""One HTTP GET for ``modeller fetch``: a quiet socket is given up on after ``WAIT_S``, and
the whole answer, from connecting to its last byte, must arrive within ``DEADLINE_S`` (a
socket timeout alone let a server that sends a byte a minute, of its body or of its
headers, hold the command for ever). A GET given up has its connection shut, so that it
ends at once, not when the server stops (it had lingered in a Python session)."""

from __future__ import annotations

import contextlib
import http.client
import socket
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
    watch = Watch()

    def fetch() -> None:
        try:
            with _open(request, wait_s, watch) as response:
                said["body"] = _read(response, url, end, deadline_s, max_bytes)
        except BaseException as exc:  # (given to the caller below)
            said["error"] = exc

    # connecting, TLS and the headers are bounded by the socket's timeout per read only
    # (headers trickled a line at a time had held it past the deadline): the GET runs in
    # a thread given up at the deadline, its connection shut then
    worker = threading.Thread(target=fetch, name="modeller-download", daemon=True)
    worker.start()
    worker.join(max(0.0, end - time.monotonic()) + 0.5)  # (the body's loop says it first)
    if worker.is_alive():
        watch.give_up()
        raise TimeoutError(f"no complete answer within {deadline_s:.0f} s")
    if "error" in said:
        raise said["error"]
    return said["body"]


class Watch:
    """The connections of one GET, shut when it is given up (``give_up``): a read waiting
    on one of them ends at once; one connected after that is shut as it connects."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.socks: list = []
        self.over = False

    def connected(self, sock) -> None:
        """Keep ``sock``, or shut it if the GET was given up meanwhile."""
        with self.lock:
            self.socks.append(sock)
            if not self.over:
                return
        _shut(sock)
        raise TimeoutError("given up while connecting")

    def give_up(self) -> None:
        with self.lock:
            self.over = True
            socks = list(self.socks)
        for sock in socks:
            _shut(sock)


def _shut(sock) -> None:
    with contextlib.suppress(OSError):  # (already closed)
        sock.shutdown(socket.SHUT_RDWR)  # (wakes a read waiting in the other thread)


def _open(request, timeout: float, watch: Watch):
    """urllib's answer to ``request`` (proxies from the environment as ``urlopen``), each
    connection it makes telling ``watch`` of its socket."""

    def watched(cls: type) -> type:
        class Watched(cls):
            def connect(self) -> None:
                super().connect()
                watch.connected(self.sock)

        return Watched

    plain, tls = watched(http.client.HTTPConnection), watched(http.client.HTTPSConnection)

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(plain, req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(tls, req)

    return urllib.request.build_opener(Http(), Https()).open(request, timeout=timeout)


def _read(response, url: str, end: float, deadline_s: float, max_bytes: int) -> bytes:
    """The body, read as ``get`` says (in its thread)."""
    parts, size = [], 0
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
