"""The painter: images drawn in a forked helper equal those drawn here, and a painter that
is cancelled, dies or fails never leaves the run waiting or without its images.

Runs on the embedded ``contact-line`` baseline (no external data).
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import build, shipped

from modeller import report
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


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """Which scenario images the painter draws (a file, as it is another process)."""
    log = tmp_path / "drawn.txt"
    real = image_jobs.draw_scenario

    def counting(doc, entry, partition, stem):
        with log.open("a") as fh:
            fh.write(f"{entry.id}\n")
        return real(doc, entry, partition, stem)

    monkeypatch.setattr(image_jobs, "draw_scenario", counting)  # inherited by the fork
    return lambda: sorted(log.read_text().split()) if log.exists() else []


def _until(condition, seconds: float = 60.0) -> None:
    """Wait for the painter (drawing ahead) to have done something."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "the painter drew nothing ahead"
        time.sleep(0.05)


def test_scenarios_offered_ahead_are_drawn_once_and_kept(run, counted, started):
    """Offered as the run computes, each scenario's images are drawn then and kept: the
    job draws only the overview, and the files are those drawn here."""
    doc, partitions = run
    stems = [e.id for e in doc.scenarios]
    head = report.document([])
    for i, (entry, partition) in enumerate(zip(doc.scenarios, partitions, strict=True)):
        started.offer(i, entry, partition, head)
    _until(lambda: counted() == sorted(stems))  # drawn ahead, before the job
    there = started.draw(doc, partitions, stems)()
    assert counted() == sorted(stems)  # and not again
    here = image_jobs.render_images(doc, partitions, stems)
    assert list(there) == list(here) == NAMES
    assert all(there[n] == here[n] for n in NAMES if n.endswith(".svg"))


def test_images_drawn_ahead_with_another_credit_are_drawn_again(run, counted, started):
    """A document that says another date than the one drawn ahead (a run across midnight)
    has its images drawn again: an image never shows another run's credit."""
    doc, partitions = run
    stems = [e.id for e in doc.scenarios]
    yesterday = report.document([]).model_copy(update={"generated": "2001-02-03T04:05:06"})
    started.offer(0, doc.scenarios[0], partitions[0], yesterday)
    _until(lambda: counted() == [stems[0]])
    there = started.draw(doc, partitions, stems)()
    assert counted() == sorted([stems[0], *stems])  # the first one twice
    assert b"3 Feb 2001" not in there[f"{stems[0]}.svg"]
    assert (
        there[f"{stems[0]}.svg"]
        == image_jobs.render_images(doc, partitions, stems)[f"{stems[0]}.svg"]
    )


@pytest.mark.parametrize("cores", [2, 1], ids=["painter", "drawn-here"])
def test_a_bug_in_drawing_an_image_still_writes_the_pages(monkeypatch, tmp_path, cores):
    """One image failing (a bug) loses no page: the site is written without images, the
    error is said with its cause, and the run ends with status 1."""
    from click.testing import CliRunner

    from modeller.cli import main

    real = image_jobs.draw_scenario

    def broken(doc, entry, partition, stem):
        if entry.id == "land-swap":
            raise ZeroDivisionError("a bug in drawing")
        return real(doc, entry, partition, stem)

    monkeypatch.setattr(image_jobs, "draw_scenario", broken)  # inherited by the fork
    monkeypatch.setattr("os.cpu_count", lambda: cores)  # 1: no painter, drawn here
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["run", "land-swap", "freeze-current-lines", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "ZeroDivisionError: a bug in drawing" in result.stderr
    assert (
        "pages were written without them" in result.stderr and "a bug in modeller" in result.stderr
    )
    assert "Land swap" in result.stdout  # the figures were printed first
    written = sorted(p.name for p in out.iterdir())
    assert {"index.html", "land-swap.html", "freeze-current-lines.html"} <= set(written)
    assert not [n for n in written if n.endswith((".png", ".svg"))]
    for page in out.glob("*.html"):  # no page links an image that is not there
        text = page.read_text(encoding="utf-8")
        assert not [n for n in NAMES if n in text], page.name


def test_images_the_machine_refused_are_not_called_a_bug():
    """Out of memory, a drawing process killed, a disk that refuses: the machine's, said as
    such (a MemoryError had been 'a bug in modeller: please report it')."""
    import errno
    from concurrent.futures.process import BrokenProcessPool

    from modeller.cli_run import _images_failed

    said = {
        "memory": _images_failed(MemoryError()),
        "killed": _images_failed(BrokenProcessPool("killed")),
        "disk": _images_failed(OSError(errno.ENOSPC, "No space left on device", "/x/a.png")),
        "bug": _images_failed(ZeroDivisionError("x")),
    }
    assert "out of memory" in said["memory"] and "a drawing process died" in said["killed"]
    assert "No space left on device" in said["disk"]
    for kind, line in said.items():
        assert line.startswith("error: the PNG/SVG images could not be drawn (")
        assert "pages were written without them" in line
        assert ("a bug in modeller" in line) == (kind == "bug"), line


def test_the_painter_skips_matplotlibs_property_docs_and_nothing_else():
    """``skip_property_docs`` (the painter's first step) leaves out only the property list
    of each artist class's ``set`` docstring: the signature still names every property, and
    ``set`` still sets them. A process that has imported matplotlib's drawing modules
    already is left as it is."""
    code = """
import inspect, sys
from modeller.maps.image_words import skip_property_docs
skip_property_docs()
from matplotlib.patches import PathPatch
from matplotlib.text import Text
assert "facecolor" in inspect.signature(PathPatch.set).parameters
assert "fontsize" in inspect.signature(Text.set).parameters
assert "facecolor" not in PathPatch.set.__doc__, PathPatch.set.__doc__
t = Text(text="x")
t.set(fontsize=17, color="#123456")
assert (t.get_fontsize(), t.get_color()) == (17, "#123456")
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    late = """
import matplotlib.figure
from matplotlib.patches import PathPatch
from modeller.maps.image_words import skip_property_docs
skip_property_docs()
class Late(PathPatch):
    pass
assert "facecolor" in Late.set.__doc__
"""
    subprocess.run([sys.executable, "-c", late], check=True, cwd=REPO)
