"""`timeline --scheduler`: an address that is not a Dask scheduler ends in one sentence, fast."""

from __future__ import annotations

import socket
import threading

import pytest
from click.testing import CliRunner

from modeller import scheduler
from modeller.cli import main
from modeller.errors import InputError


@pytest.mark.parametrize(
    "address, fragment",
    [
        ("", "needs an address"),
        ("   ", "needs an address"),
        ("tls://127.0.0.1:8786", "only tcp:// addresses are supported, not tls://"),
        ("ucx://127.0.0.1:8786", "not ucx://"),
        ("inproc://x", "is not an address"),
        ("localhost:99999", "a port is 1 to 65535"),
        ("http://", "is not an address"),
    ],
)
def test_addresses_dask_cannot_use_are_refused_up_front(address, fragment):
    with pytest.raises(InputError, match="tcp://host:8786") as caught:
        scheduler.checked_address(address)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "address, url",
    [
        ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        (" scheduler.lan:8786 ", "tcp://scheduler.lan:8786"),
        ("tcp://[::1]:8786", "tcp://[::1]:8786"),
    ],
)
def test_tcp_addresses_are_kept(address, url):
    assert scheduler.checked_address(address) == url


def test_a_bad_address_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(tmp_path / "nowhere"))  # never reached
    result = CliRunner().invoke(
        main,
        ["timeline", "--scheduler", "tls://h:1", "--baselines", "1991", "-o", tmp_path / "t"],
    )
    assert result.exit_code == 2, result.output
    assert "only tcp:// addresses are supported" in result.stderr
    assert not (tmp_path / "t").exists()


class _Peer:
    """A local TCP port that accepts and then stays silent, or answers as a web server."""

    def __init__(self, reply: bytes | None):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.reply, self.held = reply, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            if self.reply is not None:
                conn.recv(1024)
                conn.sendall(self.reply)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def peer(request):
    made = _Peer(request.param)
    yield made
    made.close()


@pytest.mark.parametrize("peer", [None], indirect=True)
def test_a_port_that_accepts_and_stays_silent_is_given_up_on(peer, monkeypatch):
    pytest.importorskip("distributed", reason="pip install -e '.[dask]'")
    monkeypatch.setattr(scheduler, "CONNECT_SECONDS", 1.0)
    with pytest.raises(InputError, match=r"did not answer within 1 s") as caught:
        scheduler.connect(peer.url)
    assert peer.url in str(caught.value) and peer.held  # it did connect, then waited


@pytest.mark.parametrize(
    "peer", [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi" * 50], indirect=True
)
def test_a_web_server_is_not_reported_as_out_of_memory(peer):
    pytest.importorskip("distributed", reason="pip install -e '.[dask]'")
    with pytest.raises(InputError) as caught:
        scheduler.connect(peer.url)
    message = str(caught.value)
    assert "answered, but not as a Dask scheduler does" in message, message
    assert "memory" not in message.lower()


def test_without_dask_the_hint_works_outside_the_repository(monkeypatch):
    """The hint had been "pip install -e '.[dask]'", which fails anywhere but in a checkout."""
    import sys

    from modeller import scheduler
    from modeller.errors import InputError

    monkeypatch.setitem(sys.modules, "distributed", None)  # (import fails: no Dask)
    with pytest.raises(
        InputError, match=r"--scheduler needs Dask: pip install 'dask\[distributed\]>=2024.1'"
    ):
        scheduler.connect("tcp://127.0.0.1:8786")


def test_a_refused_port_is_said_at_once_not_as_a_timeout():
    """Nothing listening at the address had waited Dask's 10 s and said 'Timed out trying
    to connect'; a refused connection is said at once, with how to start a scheduler."""
    import time

    pytest.importorskip("distributed", reason="pip install -e '.[dask]'")
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # (a port nothing listens on now)
    start = time.monotonic()
    with pytest.raises(InputError) as caught:
        scheduler.connect(f"tcp://127.0.0.1:{port}")
    message = str(caught.value)
    assert time.monotonic() - start < 5.0, message
    assert "connection refused" in message and f"dask scheduler --port {port}" in message
    assert "timed out" not in message.lower()


def test_an_unknown_host_is_said_by_name():
    pytest.importorskip("distributed", reason="pip install -e '.[dask]'")
    with pytest.raises(InputError, match=r"no host is named 'no-such-host\.invalid'"):
        scheduler.connect("tcp://no-such-host.invalid:8786")
