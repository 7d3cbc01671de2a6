"""The painter: images drawn in a forked helper equal those drawn here, and a painter that
is cancelled, dies or fails never leaves the run waiting or without its images.

Runs on the embedded ``contact-line`` baseline (no external data).
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from helpers import build, shipped

from modeller.maps import image_jobs, painter

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the painter is forked"
)
NAMES = [
    "land-swap.png",
    "land-swap.svg",
    "freeze-current-lines.png",
    "freeze-current-lines.svg",
    "overview.png",
]


@pytest.fixture(scope="module")
def run() -> tuple:
    return build(shipped("land-swap", "freeze-current-lines"))


@pytest.fixture(autouse=True)
def no_cache(monkeypatch):
    monkeypatch.setenv("MODELLER_IMAGE_CACHE", "0")  # every image drawn, here and there


@pytest.fixture
def started(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # a painter even on a one-core runner
    made = painter.start()
    assert made is not None
    yield made
    made.cancel()
    assert not made.process.is_alive()


def test_painter_draws_the_images_drawn_here(run, started):
    doc, partitions = run
    stems = [e.id for e in doc.scenarios]
    there = started.draw(doc, partitions, stems)()
    here = image_jobs.render_images(doc, partitions, stems)
    assert list(there) == list(here) == NAMES
    for name in here:
        if name.endswith(".svg"):
            assert there[name] == here[name], name
        else:
            assert there[name].startswith(b"\x89PNG") and len(there[name]) > 10_000
    started.process.join(timeout=5)
    assert started.process.exitcode == 0  # it ends by itself once the files are sent


def test_cancelled_painter_ends_at_once(run, started):
    doc, partitions = run
    pending = started.draw(doc, partitions, [e.id for e in doc.scenarios])
    t0 = time.monotonic()
    pending.cancel()
    assert not started.process.is_alive()
    assert time.monotonic() - t0 < 5


def test_painter_never_given_a_job_ends_when_the_run_closes(started):
    started.close()
    assert started.process.exitcode == 0


def test_dead_painter_means_drawing_here(run, started):
    doc, partitions = run
    stems = [e.id for e in doc.scenarios]
    started.process.kill()
    started.process.join(timeout=5)
    drawn = started.draw(doc, partitions, stems)()
    assert list(drawn) == NAMES
    assert drawn["land-swap.svg"].startswith(b"<?xml")


def test_error_in_the_painter_is_raised_in_the_run(run, started):
    doc, partitions = run
    pending = started.draw(doc, partitions, ["only-one-name"])  # two scenarios, one name
    with pytest.raises(ValueError, match="2 partitions and 1 names"):
        pending()
