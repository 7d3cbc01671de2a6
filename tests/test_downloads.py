"""``modeller fetch``'s GET against local servers that answer slowly or not at all."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from modeller import downloads


def _serve(handler) -> tuple[str, http.server.HTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server


def _trickle(headers: bool) -> type:
    """A server that never finishes its answer, each read within the socket's timeout: a
    byte of the body every 0.1 s, or (``headers``) a header line every 0.1 s after the
    status line, never the end of the headers."""

    class Trickle(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            if headers:
                self.flush_headers()
            else:
                self.send_header("Content-Length", "600")
                self.end_headers()
            for n in range(600):
                try:
                    self.wfile.write(f"X-Pad-{n}: x\r\n".encode() if headers else b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.1)

        def log_message(self, *args):
            pass

    return Trickle


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers"])
def test_an_answer_that_trickles_in_is_given_up_at_the_deadline(headers):
    """The socket's timeout alone never fired: a server sending a byte at a time held the
    command as long as it liked; and only the body's loop had watched the deadline, so
    one sending a header line now and then held ``fetch`` past its 5 minutes."""
    url, server = _serve(_trickle(headers))
    try:
        started = time.monotonic()
        before = set(threading.enumerate())
        with pytest.raises(TimeoutError, match="no complete answer within 1 s"):
            downloads.get(url, wait_s=5, deadline_s=1)
        assert time.monotonic() - started < 4
        # the GET given up ends too (it had read on for as long as the server sent)
        (worker,) = [
            t for t in threading.enumerate() if t.name == "modeller-download" and t not in before
        ] or [None]
        if worker is not None:
            worker.join(2)
            assert not worker.is_alive()
    finally:
        server.shutdown()


def test_a_silent_server_is_given_up_after_the_wait():
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            downloads.get(url, wait_s=0.5, deadline_s=60)
        assert time.monotonic() - started < 4
    finally:
        listener.close()


def test_a_whole_answer_is_returned_as_sent():
    class Whole(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = b"[1, 2, 3]" * 50_000
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    url, server = _serve(Whole)
    try:
        assert downloads.get(url) == b"[1, 2, 3]" * 50_000
    finally:
        server.shutdown()


def test_only_web_addresses_are_downloaded():
    """A geoBoundaries record's link had been followed wherever it pointed: file:// copied
    a local file into the cache as if downloaded, 'not a url' ended in a traceback."""
    from modeller.errors import InputError

    for url in ("file:///etc/passwd", "not a url", 5, "ftp://x.org/a", ""):
        with pytest.raises(InputError, match="not a web address"):
            downloads.get(url)


def test_an_answer_past_the_limit_is_stopped_not_read_whole():
    """A 3 GB answer had been read into memory whole, and 'out of memory' blamed the inputs."""
    from modeller.errors import InputError

    class Endless(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                return

        def log_message(self, *args):
            pass

    url, server = _serve(Endless)
    try:
        with pytest.raises(InputError, match="passed 1 MB"):
            downloads.get(url, max_bytes=2**20)
    finally:
        server.shutdown()


def test_an_answer_cut_short_of_its_length_is_the_networks_fault():
    """A body shorter than its Content-Length (the connection dropped) had been read as a
    whole answer, and then said to be the API's change, not the network's."""

    class Short(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"[1, 2, 3")

        def log_message(self, *args):
            pass

    url, server = _serve(Short)
    try:
        with pytest.raises(OSError, match="cut short"):
            downloads.get(url)
    finally:
        server.shutdown()
