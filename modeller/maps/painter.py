"""A helper process that draws the static images while ``modeller run`` computes.

Importing matplotlib and making the context layers costs ~0.4 s of CPU before the first
image, as long as applying every shipped scenario. Forked at the start of a run (so it
shares the units the run has loaded), the painter does that on the other core while the
run applies the scenarios and prints its tables; it then receives the run document and
partitions in one pickle (pieces shared by several scenarios stay shared), draws with
``image_jobs.render_images`` (its own workers, forked from it, inherit matplotlib) and sends
the files back. The run renders the HTML pages meanwhile. Where processes cannot be
forked, or on one core, there is no painter and the images are drawn as before.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable

from ..document import RunDocument
from ..interrupts import die_with_parent
from ..partition import Partition
from . import image_jobs

POLL_S = 0.05  # how often the run checks that a painter it waits for is still alive


class Painter:
    """The run's end of a started painter: hand it the job once, then wait or cancel."""

    def __init__(self, process, conn) -> None:
        self.process, self.conn = process, conn
        self.sender: threading.Thread | None = None
        atexit.register(self.cancel)  # a run ending early does not wait for its painter

    def draw(
        self, doc: RunDocument, partitions: list[Partition], stems: list[str]
    ) -> Callable[[], dict]:
        """Send the job (in a thread: the painter may still be importing matplotlib) and
        return a function that waits for ``{file name: bytes}``; its ``cancel()`` stops."""
        data = pickle.dumps((doc, partitions, stems), protocol=pickle.HIGHEST_PROTOCOL)
        self.sender = threading.Thread(target=self._send, args=(data,), daemon=True)
        self.sender.start()

        def wait() -> dict:
            try:
                result = self._receive()
            finally:
                self.close()
            if result is None:  # the painter died (killed, out of memory): draw here
                return image_jobs.render_images(doc, partitions, stems)
            kind, value = result
            if kind == "error":
                raise value
            return value

        wait.cancel = self.cancel
        return wait

    def _send(self, data: bytes) -> None:
        with contextlib.suppress(OSError, ValueError):  # the painter is gone: wait() sees
            self.conn.send_bytes(data)

    def _receive(self):
        """The painter's answer, or None if it stopped without one."""
        try:
            while not self.conn.poll(POLL_S):
                if not self.process.is_alive():
                    return self.conn.recv() if self.conn.poll(0) else None
            return self.conn.recv()
        except (EOFError, OSError):
            return None

    def cancel(self) -> None:
        """Stop the painter: it drops the images not started and exits."""
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM: the painter shuts its workers down
        self.close()  # a send still in progress fails at once (broken pipe)

    def close(self) -> None:
        """Close the run's end (a painter still waiting for a job then exits) and reap it."""
        if self.sender is not None:  # never close the pipe under a send in progress
            self.sender.join(timeout=5)
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():  # stuck: never left for multiprocessing's exit to join
            self.process.kill()
            self.process.join(timeout=5)
        atexit.unregister(self.cancel)


def start() -> Painter | None:
    """Fork a painter, or None where that cannot help (one core, no ``fork``)."""
    if (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
        return None
    for stream in (sys.stdout, sys.stderr):  # no buffered output copied into the painter
        stream.flush()
    context = mp.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_serve, args=(theirs, ours, os.getpid()), name="modeller-painter"
    )
    process.start()
    theirs.close()
    return Painter(process, ours)


def _serve(conn, other, run: int) -> None:
    """The painter: warm up, wait for one job, draw it, send the files (or the error)."""
    die_with_parent(run)  # the run killed outright (SIGKILL): nothing to draw for
    other.close()  # the run's end: its closing must reach us as end-of-file
    # Ctrl-C is the run's to handle (it cancels us: SIGTERM); our workers inherit this
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    try:
        image_jobs.warm()
        doc, partitions, stems = pickle.loads(conn.recv_bytes())
        sent = threading.Event()
        threading.Thread(target=_watch, args=(conn, sent), daemon=True).start()
        try:
            answer = ("ok", image_jobs.render_images(doc, partitions, stems))
        except Exception as exc:  # noqa: BLE001 - the run re-raises it
            answer = ("error", _picklable(exc))
        sent.set()
        conn.send(answer)
    except (EOFError, OSError, KeyboardInterrupt, SystemExit):
        pass  # the run ended, failed or was interrupted: nothing to draw for
    finally:
        conn.close()


def _watch(conn, sent: threading.Event) -> None:
    """Stop drawing once the run is gone (it ended at Ctrl-C without cancelling us): the
    run sends nothing after the job, so its end becoming readable means end-of-file."""
    with contextlib.suppress(OSError, ValueError):
        conn.poll(None)
    if not sent.is_set():
        os.kill(os.getpid(), signal.SIGTERM)


def _stop(signum, frame) -> None:
    """Cancelled: nothing drawn now is wanted. End the workers and this process at once
    (unwinding through the pool's shutdown had waited on a worker forever when the run
    alone was sent SIGINT, e.g. by ``kill -INT`` or a supervisor: the run never exited)."""
    for child in mp.active_children():
        with contextlib.suppress(OSError):
            child.kill()
    os._exit(0)


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"drawing the images failed: {type(exc).__name__}: {exc}")
