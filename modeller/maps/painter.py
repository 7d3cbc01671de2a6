"""A helper process that draws the static images while ``modeller run`` computes.

Importing matplotlib costs ~0.4 s of CPU before the first image. Forked once a run has
loaded its modules and units, before it reads the scenario files (so it shares them:
forked before, it loaded them again, 1.3 s more CPU in all and slower), the painter does
that on the other core while the run reads the scenarios and applies them (a run that
then fails on a scenario file cancels it). It is handed each scenario as soon as
it is applied (``offer``) and draws its images at once (``image_jobs.draw_ahead``) while
the run still computes (a run whose baselines or population are not cached yet computes
for seconds). Then it receives the run document (``draw``), keeps the images drawn ahead
that the document confirms (the same scenario, partition and credit), draws the others
with ``image_jobs.render_images`` (its own workers, forked from it, inherit matplotlib)
and sends the files back. The run prints its tables and renders the HTML pages meanwhile.
Where processes cannot be forked, or on one core, there is no painter and the images are
drawn as before.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import multiprocessing as mp
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable

from ..document import RunDocument, ScenarioEntry
from ..interrupts import die_with_parent
from ..partition import Partition
from . import image_jobs
from .image_words import skip_property_docs

POLL_S = 0.05  # how often the run checks that a painter it waits for is still alive


class Painter:
    """The run's end of a started painter: offer it scenarios, hand it the job once, then
    wait or cancel. Messages go out in order through one thread (the painter may still be
    importing matplotlib, or drawing, and not reading), pickled with one memo across them
    (``_Inbox`` unpickles them so): what a message shares with an earlier one (the pieces
    that scenarios keep from their baseline, the scenarios in the run document) is sent
    once, so that the job itself is a few kB."""

    def __init__(self, process, conn) -> None:
        self.process, self.conn = process, conn
        self.buffer = io.BytesIO()
        self.pickler = pickle.Pickler(self.buffer, pickle.HIGHEST_PROTOCOL)
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.sender = threading.Thread(target=self._send, daemon=True)
        self.sender.start()
        self.offered: set[int] = set()
        atexit.register(self.cancel)  # a run ending early does not wait for its painter

    def offer(
        self, index: int, entry: ScenarioEntry, partition: Partition, head: RunDocument
    ) -> None:
        """Scenario ``index`` as soon as it is applied: its images can be drawn ahead, with
        the credit of ``head`` (``report.document([])``: what the run's document will say
        of the tool, the data sources and the date)."""
        self._post(("scenario", index, entry, partition, head))
        self.offered.add(index)

    def draw(
        self, doc: RunDocument, partitions: list[Partition], stems: list[str]
    ) -> Callable[[], dict]:
        """Send the job (the partitions not offered before) and return a function that
        waits for ``{file name: bytes}``; its ``cancel()`` stops."""
        rest = [None if i in self.offered else p for i, p in enumerate(partitions)]
        self._post(("job", doc, rest, stems))
        self.outbox.put(None)  # nothing after the job

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

    def _post(self, message: tuple) -> None:
        self.pickler.dump(message)
        self.outbox.put(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()

    def _send(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the painter is gone: wait() sees
            while (data := self.outbox.get()) is not None:
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
        self.outbox.put(None)  # (a sender still waiting for the job stops)
        self.sender.join(timeout=5)  # never close the pipe under a send in progress
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
    """The painter: load matplotlib and warm up, draw the scenarios offered until the job
    comes, then draw the rest of it and send the files (or the error)."""
    die_with_parent(run)  # the run killed outright (SIGKILL): nothing to draw for
    other.close()  # the run's end: its closing must reach us as end-of-file
    # Ctrl-C is the run's to handle (it cancels us: SIGTERM); our workers inherit this
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    try:
        skip_property_docs()  # (before warm imports matplotlib's drawing modules)
        image_jobs.warm()
        doc, partitions, stems, ahead = _ahead(conn)
        sent = threading.Event()
        threading.Thread(target=_watch, args=(conn, sent), daemon=True).start()
        try:
            answer = ("ok", image_jobs.render_images(doc, partitions, stems, ahead))
        except Exception as exc:  # noqa: BLE001 - the run re-raises it
            answer = ("error", _picklable(exc))
        sent.set()
        conn.send(answer)
    except (EOFError, OSError, KeyboardInterrupt, SystemExit):
        pass  # the run ended, failed or was interrupted: nothing to draw for
    finally:
        conn.close()


def _ahead(conn) -> tuple:
    """Draw each scenario offered while the run computes, until the job comes; return the
    job (its partitions whole again) and what was drawn ahead, by scenario.

    Everything the run has sent is read before each drawing, so that once the job is
    there no more is drawn here: the rest is for the workers, several at once."""
    inbox = _Inbox(conn)
    offered: dict[int, Partition] = {}
    waiting: list[tuple] = []
    ahead: dict[int, image_jobs.Ahead] = {}
    while True:
        while conn.poll(0) or not waiting:  # (nothing to draw: wait for the next message)
            message = inbox.get()
            if message[0] == "job":
                _, doc, partitions, stems = message
                partitions = [offered[i] if p is None else p for i, p in enumerate(partitions)]
                return doc, partitions, stems, ahead
            _, index, entry, partition, head = message
            offered[index] = partition
            waiting.append((index, entry, partition, head))
        index, entry, partition, head = waiting.pop(0)
        with contextlib.suppress(Exception):  # drawn again with the job: a failure said there
            ahead[index] = image_jobs.draw_ahead(head, entry, partition)


class _Inbox:
    """The painter's end of the messages: unpickled with one memo across them, as the run
    pickles them (``Painter``)."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.buffer = io.BytesIO()
        self.unpickler = pickle.Unpickler(self.buffer)

    def get(self):
        data = self.conn.recv_bytes()
        self.buffer.seek(0)
        self.buffer.truncate()
        self.buffer.write(data)
        self.buffer.seek(0)
        return self.unpickler.load()


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
