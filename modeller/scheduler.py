"""Connect to the Dask scheduler that ``timeline --scheduler`` names, or say why not.

A scheduler address comes from the user: anything that is not a plain ``tcp://host:port``
(or ``host:port``) is refused up front, and a connection that does not become a Dask session
within ``CONNECT_SECONDS`` (a silent port, a web server) is given up on with one sentence.
"""

from __future__ import annotations

import re
import threading

from .errors import InputError

CONNECT_SECONDS = 20.0  # distributed's own timeout is 10 s; a silent peer can outlast it

_ADDRESS = re.compile(
    r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[^\]]+\]|[^:/\s]+):(?P<port>\d{1,5})"
)
_EXAMPLE = "tcp://host:8786 (a scheduler started with `dask scheduler`)"


def checked_address(address: str) -> str:
    """``address`` as a tcp:// URL, or InputError naming what is wrong and a valid form."""
    text = str(address).strip()
    if not text:
        raise InputError(f"--scheduler needs an address, e.g. {_EXAMPLE}")
    found = _ADDRESS.fullmatch(text)
    scheme = found and found["scheme"]
    if found and scheme not in (None, "tcp"):
        raise InputError(
            f"--scheduler {text!r}: only tcp:// addresses are supported, not {scheme}://; "
            f"give e.g. {_EXAMPLE}"
        )
    if not found:
        raise InputError(f"--scheduler {text!r} is not an address; give e.g. {_EXAMPLE}")
    if not 0 < int(found["port"]) < 65536:
        raise InputError(f"--scheduler {text!r}: a port is 1 to 65535; give e.g. {_EXAMPLE}")
    return f"tcp://{found['host']}:{found['port']}"


PROBE_SECONDS = 5.0  # for the first answer of the scheduler's host


def _listening(url: str) -> None:
    """InputError at once when nothing listens at ``url`` (a refused connection, an unknown
    host): Dask's client retries those for its whole 10 s timeout, then says 'timed out'."""
    import socket

    host, port = url.removeprefix("tcp://").rsplit(":", 1)
    try:
        with socket.create_connection((host.strip("[]"), int(port)), PROBE_SECONDS):
            return
    except ConnectionRefusedError:
        why = "nothing listens on that port (connection refused)"
        fix = f"start one there (dask scheduler --port {port}) or give the address it prints"
    except socket.gaierror:
        why, fix = f"no host is named {host!r}", "check the host name, or give an IP address"
    except OSError:  # (a silent host, an unreachable network: Dask's own attempt says)
        return
    raise InputError(f"cannot reach the Dask scheduler at {url}: {why}; {fix}")


def connect(address: str):
    """A ``distributed.Client`` on ``address`` (checked, unless it is an in-process
    cluster's), within ``CONNECT_SECONDS``."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            "--scheduler needs Dask: pip install 'dask[distributed]>=2024.1'"
        ) from None
    # (an in-process cluster, from Python: LocalCluster(processes=False) in this process)
    url = address if str(address).startswith("inproc://") else checked_address(address)
    if url.startswith("tcp://"):
        _listening(url)
    done: list = []

    def attempt() -> None:
        try:
            done.append(Client(url, timeout="10s"))
        except BaseException as exc:  # noqa: BLE001 - reported below, in the caller's thread
            done.append(exc)

    trying = threading.Thread(target=attempt, name="dask-connect", daemon=True)
    trying.start()
    trying.join(CONNECT_SECONDS)
    if not done:
        raise InputError(
            f"the Dask scheduler at {url} did not answer within {CONNECT_SECONDS:.0f} s: "
            "check that a Dask scheduler (not another service) listens there"
        )
    if not isinstance(done[0], BaseException):
        return done[0]
    exc = done[0]
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    if isinstance(exc, OSError | TimeoutError):
        raise InputError(f"cannot reach the Dask scheduler at {url}: {exc}") from None
    # e.g. a web server's reply read as a message length: MemoryError, not out of memory
    raise InputError(
        f"{url} answered, but not as a Dask scheduler does: check the address, e.g. {_EXAMPLE}"
    ) from None
