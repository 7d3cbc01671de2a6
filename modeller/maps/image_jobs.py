"""Drawing a run's static images: which are drawn (``image_cache`` keeps the others),
where (in this process, or in forked worker processes that inherit the run document and
partitions: nothing is pickled but an index and the image bytes) and in what order (the
overview, the longest job, first; scenarios in order, the overview last in the result).
One image is ``images.render`` saved by ``images.image_bytes``; ``maps.painter`` runs
this module in a helper process started with the run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..document import RunDocument, ScenarioEntry
from ..interrupts import die_with_parent
from ..partition import Partition
from . import image_cache, site
from .image_geometry import SMALL_MAP_M, coarse, context
from .image_overview import render_overview
from .image_words import matplotlib_rc, quiet_glyph_warnings, share_text_metrics
from .images import image_bytes, render

PARALLEL_FROM = 4
"""From this many scenarios on, images are drawn in forked worker processes (one per core):
each image is independent and costs ~0.3 s of CPU, mostly text rasterisation."""

_JOB: tuple | None = None  # (doc, partitions, stems), inherited by forked workers
_drawn_here = False  # whether this process has drawn a scenario's map (its texts are kept)


def write_images(
    doc: RunDocument, partitions: list[Partition], out_dir: Path, stems: list[str]
) -> list[Path]:
    """Write ``<stem>.png`` and ``<stem>.svg`` for every scenario, and ``overview.png``
    when there are several; return the paths (in scenario order, the overview last).

    Each file is written atomically; ``modeller run`` instead hands ``start_images`` to
    ``maps.write_site``, so that images and pages replace the old site together.
    """
    out_dir = Path(out_dir)
    return [
        files.write_bytes(out_dir / name, data)
        for name, data in render_images(doc, partitions, stems).items()
    ]


def render_images(
    doc: RunDocument, partitions: list[Partition], stems: list[str], ahead: dict | None = None
) -> dict:
    """``{file name: bytes}``: ``<stem>.png`` and ``<stem>.svg`` for every scenario, and
    ``overview.png`` when there are several (in scenario order, the overview last).
    ``ahead``: images drawn before the run was complete (``draw_ahead``), by scenario."""
    return start_images(doc, partitions, stems, ahead)()


@dataclass(frozen=True)
class Ahead:
    """A scenario's PNG and SVG drawn before its run was complete, and the cache key of
    what they show (``image_cache.key``: the scenario, its partition, the credit)."""

    key: str
    images: tuple[bytes, bytes]


def draw_ahead(head: RunDocument, entry: ScenarioEntry, partition: Partition) -> Ahead:
    """One scenario's images, drawn (or taken from the cache) as soon as it is applied.

    They show the run's credit (tool, data sources, date: the same for every scenario),
    here from ``head``, a document of no scenario made by the run; ``start_images`` keeps
    them if the run's document gives the same key."""
    doc = head.model_copy(update={"scenarios": [entry]})
    key = image_cache.key(doc, 0, [partition])
    kept = image_cache.get(key, _names(0, [entry.id])) if image_cache.enabled() else None
    if kept is None:
        kept = draw_scenario(doc, entry, partition, entry.id)
        if image_cache.enabled():
            image_cache.put(key, kept)
    return Ahead(key, tuple(data for _, data in kept))


def start_images(
    doc: RunDocument, partitions: list[Partition], stems: list[str], ahead: dict | None = None
) -> Callable[[], dict]:
    """Start drawing the images of ``render_images``; return a function that waits for
    them and returns ``{file name: bytes}`` (its ``cancel()`` stops the drawing instead).

    Images whose inputs are unchanged since an earlier run come from ``image_cache``. With
    ``PARALLEL_FROM`` or more images to draw and more than one core, they are drawn in
    forked worker processes that inherit the run document and partitions (nothing is
    pickled but an index and the image bytes), so the caller can render the HTML pages
    meanwhile. Before forking, matplotlib is imported and every piece's coarse outline is
    made once here, so that no worker repeats that work; and a process that has drawn no
    scenario's map yet draws the first one here, so that the workers inherit the texts it
    keeps (``text_images``, ``image_words``): each had laid out and rasterised the same
    oblast names, legend and credit again (~0.2 s of CPU a run).
    """
    global _JOB
    n = len(doc.scenarios)
    if len(partitions) != n or len(stems) != n:
        raise ValueError(f"{len(partitions)} partitions and {len(stems)} names for {n} scenarios")
    overview = [-1] if n > 1 else []  # (no scenario's stem is 'overview': site.page_names)
    jobs = overview + list(range(n))  # the overview, the longest job, first
    keys: dict[int, str] = {}
    done: dict[int, list] = {}
    for i, drawn in (ahead or {}).items():  # drawn ahead: kept if they show this run's
        if 0 <= i < n:
            keys[i] = image_cache.key(doc, i, partitions)
            if drawn.key == keys[i]:
                done[i] = list(zip(_names(i, stems), drawn.images, strict=True))
    if image_cache.enabled():
        for i in jobs:
            if i in done:
                continue
            keys[i] = keys.get(i) or image_cache.key(doc, i, partitions)
            hit = image_cache.get(keys[i], _names(i, stems))
            if hit is not None:
                done[i] = hit
    todo = [i for i in jobs if i not in done]
    workers = min(os.cpu_count() or 1, len(todo))

    def keep(i: int, drawn: list) -> list:
        if i in keys and image_cache.enabled():
            image_cache.put(keys[i], drawn)
        return drawn

    if not (len(todo) >= PARALLEL_FROM and workers > 1 and "fork" in mp.get_all_start_methods()):
        _JOB = (doc, partitions, stems)
        try:
            done |= {i: keep(i, _draw(i)) for i in todo}
        finally:
            _JOB = None

        def ready() -> dict:
            return _in_order(done, jobs)

        ready.cancel = lambda: None
        return ready
    _prepare(partitions)
    if not _drawn_here:  # one drawn here first: the workers inherit its kept texts
        first = next(i for i in todo if i >= 0)
        drawn = draw_scenario(doc, doc.scenarios[first], partitions[first], stems[first])
        done[first] = keep(first, drawn)
        todo.remove(first)
    for stream in (sys.stdout, sys.stderr):  # no buffered output copied into the workers
        stream.flush()
    # each worker dies with this process: a painter cancelled as it forks them ends at
    # once (os._exit), and a worker forked then must not outlive it
    pool = ProcessPoolExecutor(
        workers,
        mp_context=mp.get_context("fork"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    _JOB = (doc, partitions, stems)
    try:
        futures = {i: pool.submit(_draw, i) for i in todo}  # forks the workers now
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        _JOB = None

    def wait() -> dict:
        try:
            drawn = {i: keep(i, f.result()) for i, f in futures.items()}
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return _in_order(done | drawn, jobs)

    def cancel() -> None:
        """Drop the images not started yet (after a failure or Ctrl-C, the process then
        waits only for the ones being drawn, a fraction of a second)."""
        pool.shutdown(wait=False, cancel_futures=True)

    wait.cancel = cancel
    return wait


def _names(i: int, stems: list[str]) -> list[str]:
    """The files job ``i`` draws (``-1``: the overview)."""
    return site.image_files(None if i < 0 else stems[i])


def _in_order(parts: dict[int, list], jobs: list[int]) -> dict:
    """The drawn files by name: scenarios in order, the overview last."""
    order = [i for i in jobs if i >= 0] + [i for i in jobs if i < 0]
    return {name: data for i in order for name, data in parts[i]}


def _prepare(partitions: list[Partition]) -> None:
    """What every worker would otherwise do again: ``warm``, and simplify every piece for
    the small maps (``coarse``)."""
    warm()
    for partition in partitions:
        coarse([p.geometry for p in partition.pieces], SMALL_MAP_M)


def warm() -> None:
    """Import matplotlib's drawing modules, find the font and make the context layers
    (~0.4 s of CPU, the same for every image; ``maps.painter`` does it while the run
    computes)."""
    import matplotlib

    with matplotlib.rc_context(matplotlib_rc()):
        from matplotlib import font_manager
        from matplotlib.backends import backend_agg, backend_svg  # noqa: F401
        from matplotlib.collections import LineCollection  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
        from matplotlib.patches import PathPatch  # noqa: F401

        font_manager.get_font(font_manager.findfont(matplotlib.rcParams["font.family"][0]))
    from . import text_images  # (imports matplotlib)

    quiet_glyph_warnings()
    share_text_metrics(text_images.measure)
    context()


def _draw(i: int) -> list[tuple[str, bytes]]:
    """Scenario ``i``'s PNG and SVG as (name, bytes) (``-1``: the overview PNG)."""
    doc, partitions, stems = _JOB
    if i < 0:
        return draw_overview(doc, partitions)
    return draw_scenario(doc, doc.scenarios[i], partitions[i], stems[i])


def draw_scenario(
    doc: RunDocument, entry: ScenarioEntry, partition: Partition, stem: str
) -> list[tuple[str, bytes]]:
    """One scenario's ``<stem>.png`` and ``<stem>.svg`` as (name, bytes). Of ``doc`` only
    the credit is drawn (``image_cache.credit``)."""
    global _drawn_here
    png, svg = image_bytes(render(doc, entry, partition), title=entry.title)
    _drawn_here = True
    return [(f"{stem}.png", png), (f"{stem}.svg", svg)]


def draw_overview(doc: RunDocument, partitions: list[Partition]) -> list[tuple[str, bytes]]:
    """``overview.png`` of every scenario of ``doc`` as (name, bytes)."""
    title = "What each proposal would change"
    png, _ = image_bytes(render_overview(doc, partitions), svg=False, title=title)
    return [("overview.png", png)]
