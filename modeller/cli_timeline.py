"""The body of ``modeller timeline``: every scenario on every dated baseline, table and page."""

from __future__ import annotations

import re
import sys
import time
from contextlib import suppress
from pathlib import Path
from urllib.parse import quote

import click

from .cli_options import fail, use_population
from .errors import InputError
from .interrupts import cleanup_on_interrupt
from .scheduler import checked_address
from .screens import console as rich_console
from .textsafe import terminal_text


def timeline(
    paths: tuple[Path, ...],
    specs: str,
    every: str | None,
    fmt: str,
    out: Path,
    no_chart: bool,
    workers: int | None,
    scheduler: str | None,
    population_dir: Path | None = None,
) -> None:
    """Build the timeline table on local workers or a cluster, write it and its chart page."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from . import (
        archive,
        cachefiles,
        files,
        folders,
        settings,
        timeline_page,
        timeline_run,
        timeline_table,
        timeline_write,
    )
    from .scenario import load_scenarios

    err = rich_console(stderr=True, soft_wrap=True, markup=False, emoji=False)  # paths as given
    written: list[Path] = []
    stamps: dict[Path, tuple | None] = {}  # the files it writes and their state before
    with cleanup_on_interrupt():  # Ctrl-C: the pool and the writers clean up, one line
        try:
            for switch in (
                "MODELLER_POPULATION_CACHE",
                "MODELLER_TIMELINE_CACHE",
                "MODELLER_TEMPLATE_CACHE",
            ):
                cachefiles.enabled(switch)  # a bad switch: said before any work
            settings.source_date_epoch()  # a malformed time too
            files.check_writer(fmt)
            if scheduler is not None:  # a bad address: said before the plan, not after
                scheduler = checked_address(scheduler)
            files.check_folder_name(
                out, f"the table and the page go there (timeline.{fmt}, timeline.html)"
            )
            # (a folder that cannot be made or written: said now, as run says it, not after
            # minutes of measuring)
            files.check_folder(out)
            from .maps.site import check_not_theirs  # a file of the user's is not replaced

            names = [f"timeline.{fmt}", *([] if no_chart else ["timeline.html"])]
            check_not_theirs(out, names, "the timeline", MANIFEST)
            from .locks import hold, release

            hold(out)  # (a second timeline into the same folder: said now, not after its work)
            click.get_current_context().call_on_close(lambda: release(out))
            use_population(population_dir)  # the plan's settlement weights come from it
            loaded = load_scenarios(list(paths))
            notes: list[str] = []  # (ranges beyond the archive: said with the rest)
            snapshots, others = archive.parse_specs(specs, every, notes)
            if not snapshots and not others:
                raise InputError("--baselines names no baseline")
            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            ) as progress:
                total = len(snapshots) + len(others)
                task = progress.add_task("baselines", total=total)
                logged = _Logged(err, total)  # no terminal (a log): a line now and then
                table = timeline_run.build_table(
                    loaded,
                    snapshots,
                    others,
                    workers=workers,
                    scheduler=scheduler,
                    specs=specs,
                    progress=lambda n: (progress.advance(task, n), logged.advance(n)),
                )
            # each output's file as it was: one replaced when Ctrl-C came after its rename
            # and before it was listed is found so (see the KeyboardInterrupt below)
            names = [f"timeline.{fmt}"] + ([] if no_chart else ["timeline.html"])
            stamps.update((out / n, _stamp(out / n)) for n in names)
            # the page is rendered in a child process while this one writes the table
            page = None
            if not no_chart:
                page = files.InChild(
                    lambda: timeline_page.render(
                        table,
                        every_days=archive.parse_every(every),
                        data_file=f"timeline.{fmt}",
                        maps=_map_links(out, [sc.id for _, sc in loaded]),
                    )
                )
            try:
                written.append(timeline_write.write_table(table, out / f"timeline.{fmt}", fmt))
                if page is not None:
                    html = page.result()
                    written.append(timeline_table.write_text(out / "timeline.html", html))
            finally:
                if page is not None:
                    page.cancel()
            # what an earlier timeline wrote here and this one did not is removed: it would
            # pass for this run's (an old page beside a new table)
            removed = folders.replace_listed(out, MANIFEST, written, OURS)
        except InputError as exc:
            fail(exc)
        except OSError:  # (a full disk): what was written is listed as Ctrl-C lists it, the
            if written:  # earlier page beside it goes; else the next run refused the table
                with suppress(OSError):
                    folders.replace_listed(out, MANIFEST, written, OURS)
            raise
        except KeyboardInterrupt:
            written[:] = [  # a file gone meanwhile (another process) is none of this run's
                p for p in stamps if p in written or _stamp(p) not in (stamps[p], None)
            ]
            done = ", ".join(terminal_text(str(p)) for p in written) or "nothing written"
            if written:  # the earlier run's page would pass for this table's: it goes
                with suppress(OSError, KeyboardInterrupt):
                    gone = folders.replace_listed(out, MANIFEST, written, OURS)
                    done += f"; removed the earlier timeline's {', '.join(gone)}" if gone else ""
            err.print(f"interrupted; no file half-written (complete: {done})", highlight=False)
            sys.exit(130)
    # e.g. a step that selects nothing on some dates; a baseline's (land cut off behind
    # Russian lines), which every scenario carries, once
    every = set()
    if len(table.scenarios) > 1:
        every = set.intersection(*(set(sc.get("warnings", ())) for sc in table.scenarios))
    first = table.scenarios[0]["warnings"] if every else ()
    said = [f"all scenarios: {w}" for w in first if w in every]
    said += [
        sc["id"] + ": " + w
        for sc in table.scenarios
        for w in sc.get("warnings", ())
        if w not in every
    ]
    for warning in said:
        err.print(
            f"warning: {terminal_text(warning)}", style="yellow", markup=False, highlight=False
        )
    for line in timeline_table.missing_lines(table.missing):  # (said in the outputs too)
        err.print(f"note: {line}", highlight=False)
    for line in notes:
        err.print(f"note: {terminal_text(line)}", highlight=False)
    if removed:
        err.print(f"removed the earlier timeline's {', '.join(removed)}", highlight=False)
    n_dates = len(table.baselines)
    n_attrs = len(table.attrs.get("date", ()))
    err.print(
        f"timeline: {len(loaded)} scenario{'s' * (len(loaded) != 1)} × {n_dates} "
        f"baseline{'s' * (n_dates != 1)}, {len(table)} status rows"
        + (f" and {n_attrs} attrs rows" if n_attrs else "")
        + " -> "
        + ", ".join(terminal_text(str(p)) for p in written),
        highlight=False,
    )


class _Logged:
    """Progress for a log, not a terminal: a line every ``EVERY_S`` seconds of work."""

    EVERY_S = 10.0

    def __init__(self, err, total: int) -> None:  # (a rich Console)
        self.err, self.total, self.done, self.clock = err, total, 0, time.monotonic
        self.last = self.clock()
        self.on = not err.is_terminal

    def advance(self, n: int) -> None:
        self.done += n
        if self.on and self.clock() - self.last >= self.EVERY_S and self.done < self.total:
            self.last = self.clock()
            self.err.print(f"timeline: {self.done} of {self.total} baselines done")


MANIFEST = ".modeller-timeline"  # what the last timeline wrote into its folder
OURS = re.compile(r"timeline\.(csv|json|parquet|html)")  # the names it can have written


def _stamp(path: Path) -> tuple | None:
    """A file's identity and time of change (None: none there): an atomic replacement gives
    it another."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _map_links(out: Path, ids: list[str]) -> dict[str, str]:
    """Relative links from the timeline page to the maps of ``modeller run``, where they
    exist (by default the timeline is written into maps/timeline/, beside maps/): the site's
    index under ``timeline_page.INDEX``, and each scenario's page by the scenario it shows
    (``maps.site.scenario_shown``: scenario 'index' has index-2.html, and of 'trail-' and
    'trail' the first has trail.html; a link by id had led to another scenario's map)."""
    from .maps.site import GENERATOR, page_head, scenario_shown
    from .timeline_page import INDEX

    links: dict[str, str] = {}
    wanted = set(ids)
    # (the maps in the timeline's own folder, --out maps, first; then in the one above it)
    for folder, up in ((out, ""), (out.parent, "../")):
        index = page_head(folder / "index.html")
        if index is not None and GENERATOR in index:
            links.setdefault(INDEX, up + "index.html")
        try:
            pages = sorted(p for p in folder.glob("*.html") if p.name != "index.html")
        except OSError:
            continue
        for page in pages:
            sid = scenario_shown(page)
            if sid in wanted and sid not in links:
                links[sid] = up + quote(page.name)
    return links
