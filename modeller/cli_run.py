"""The body of ``modeller run``: apply the scenarios, report the figures, write the maps."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from . import screens
from .cli_options import GEO_FORMATS, fail, named, use_population
from .errors import InputError
from .failures import environment_message, silence_stdout
from .interrupts import cleanup_on_interrupt
from .textsafe import terminal_path, terminal_text

MANY_STEPS = 20  # a scenario of this many steps or more shows which step it is at


def run(
    paths: tuple[Path, ...],
    baseline: str | None,
    fmt: str,
    output: Path | None,
    towns: int,
    out: Path,
    no_maps: bool,
    no_images: bool,
    tiles: str | None,
    population_dir: Path | None,
    url: str | None = None,
) -> None:
    """Apply the scenarios, then print their figures (or write their pieces) and maps."""
    from . import report, runs
    from .scenario import load_scenarios

    err = screens.messages()
    try:  # before any work: say now if the outputs could not be written
        from . import cachefiles, settings

        settings.source_date_epoch()  # a malformed time: said now, not after the work
        cachefiles.enabled("MODELLER_POPULATION_CACHE")  # a switch that is none: said now
        cachefiles.enabled("MODELLER_GEOMETRY_CACHE")
        if not no_maps:
            cachefiles.enabled("MODELLER_TEMPLATE_CACHE")
        if not no_maps and not no_images:
            cachefiles.enabled("MODELLER_IMAGE_CACHE")
        from .files import check_writer

        check_writer(fmt)
        if url is not None and not no_maps:
            from .maps.site import check_url

            url = check_url(url)
        if output is not None and str(output) == "-":  # standard output
            if fmt in GEO_FORMATS:
                raise InputError(
                    f"--output - (standard output) is for json, csv and markdown; give a "
                    f"file for {fmt}, e.g. -O pieces{GEO_FORMATS[fmt]}"
                )
            output = None
        if output is None and fmt in GEO_FORMATS:  # the default file: not the user's own
            from . import exports

            default = Path(f"pieces{GEO_FORMATS[fmt]}")
            if default.is_symlink():  # writing through it replaces what it points to
                raise InputError(
                    f"is a link (to {os.readlink(default)}), and --format {fmt} without "
                    "--output would replace what it points to: give -O FILE, or remove the "
                    "link",
                    str(default.absolute()),
                )
            if os.path.lexists(default) and not exports.written_here(default):
                raise InputError(
                    f"is not a pieces file modeller wrote, and --format {fmt} without "
                    "--output would replace it: give -O FILE, or move that file",
                    str(default.absolute()),
                )
        if output is not None and fmt == "table":
            raise InputError(
                "--output is for a file format: add --format json, csv, markdown, "
                "geojson, gpkg or parquet (the table is for the terminal)"
            )
        if output is not None:
            from .files import SUFFIXES, check_not_archive, file_target, foreign

            check_not_archive(output)
            file_target(output)
            try:  # CSV text in 'x.xlsx': Excel refuses it
                foreign(output, fmt, _ending(fmt))
            except InputError as exc:
                raise InputError(f"--output {exc.message}") from None
            # (a scenario's, page's or image's name: the input check says more, see below)
            named, formats = SUFFIXES.get(output.suffix.lower(), ("", ()))
            formats = formats or {fmt}  # its own format first: .json is json, then geojson
            if fmt not in formats:
                raise InputError(
                    f"--output {output.name} names a {output.suffix} file, but --format is "
                    f"{fmt}: give a file ending in "
                    f"{_ending(fmt)}, or "
                    f"--format {' or '.join(sorted(formats, key=lambda f: (f != named, f)))}"
                )
        if not no_maps:
            from .files import check_folder, check_folder_name

            check_folder_name(
                out,
                f"the maps go there; write the figures to a file with -O {out.name} "
                "(--output) and --format, or give --out a folder name",
            )
            check_folder(out)
            from .locks import hold, release

            hold(out)  # (a second run into the same folder: said now, not after its work)
            click.get_current_context().call_on_close(lambda: release(out))
            if output is not None and output.absolute().resolve() == out.absolute().resolve():
                raise InputError(
                    f"--output {output} is the maps folder (--out {out}): give the figures "
                    "another file name, or the maps another folder, or add --no-maps"
                )
    except InputError as exc:
        fail(exc)
    painter = None
    try:
        if not no_maps and not no_images:  # matplotlib is loaded there while we compute
            from . import geodata
            from .maps import painter as painting

            geodata.load()  # the units: shared with the painter
            painter = painting.start()
        use_population(population_dir)
        loaded = load_scenarios(list(paths))
        if output is not None:  # now that the scenario files are read: not one of them
            from .files import SUFFIXES, file_target

            file_target(output)
            words, formats = SUFFIXES.get(output.suffix.lower(), ("", None))
            if formats is not None and not formats:  # a scenario, a page, an image
                raise InputError(
                    f"--output {output.name} is named like {words} ({output.suffix}), which "
                    f"the {fmt} figures would replace: give a file ending in "
                    f"{_ending(fmt)}"
                )
        if not no_maps:  # a user's own page or image there: said before the work
            from .maps.site import MANIFEST, check_folder_free, site_names

            ids = [sc.id for _, sc in loaded]
            check_folder_free(out, ids, images=not no_images)
            written = {MANIFEST, *site_names(ids, images=not no_images)}
            if output is not None and output.name in written and _same_folder(output, out):
                raise InputError(
                    f"--output {output.name} is a file the maps write in {out}, which would "
                    "replace the figures: give another file name, or --no-maps"
                )
        # what the run's document will say of the tool, sources and date
        head = None if painter is None else report.document([])
        entries, partitions = [], []
        cache = runs.BaselineCache()
        with screens.progress(err) as progress:
            task = progress.add_task("scenarios", total=len(loaded))

            def loading(spec: str) -> None:
                progress.update(task, description=f"loading baseline {_shown(spec)}")

            said: set[str] = set()  # a baseline's own warnings, said once for the run
            for path, sc in loaded:
                applying = f"applying {_shown(sc.id)}"
                progress.update(task, description=applying)

                def stepped(done: int, total: int, applying=applying) -> None:
                    if total >= MANY_STEPS:  # (400 steps had run 30 s without a word)
                        progress.update(task, description=f"{applying}: step {done:,} of {total:,}")

                applied = runs.apply_one(
                    path, sc, baseline, cache, on_baseline=loading, on_step=stepped
                )
                if applied.note:  # (a map far from the scenario's date: a warning)
                    level = "warning" if applied.far else "note"
                    err.print(
                        f"{level}: {terminal_text(applied.note)}", style="yellow", markup=False
                    )
                partition = applied.partition
                base = partition.parent.warnings if partition.parent is not None else ()
                for warning in partition.warnings:
                    if warning in base and warning in said:  # the baseline's: said once
                        continue
                    said.add(warning)
                    where = "" if warning in base else f"{terminal_path(path)}: "
                    err.print(
                        f"warning: {terminal_text(f'{where}{warning}')}",
                        style="yellow",
                        markup=False,
                        highlight=False,
                    )
                partitions.append(partition)
                entries.append(
                    report.scenario_entry(
                        partition, path, towns, applied.phases, applied.held_in, applied.note
                    )
                )
                if painter is not None:  # its images are drawn while the next is applied
                    try:
                        painter.offer(len(entries) - 1, entries[-1], partition, head)
                    except Exception:  # noqa: BLE001 - (e.g. pickling): drawn here instead
                        painter.cancel()
                        painter = None
                progress.advance(task)
    except InputError as exc:
        if painter is not None:
            painter.cancel()
        fail(exc)
    doc = report.document(entries)
    pending = None
    if not no_maps and not no_images:  # drawn in other processes from now on
        from . import maps
        from .maps import image_jobs

        stems = [Path(name).stem for name in maps.page_names(doc)]
        try:  # (without a painter, fewer than image_jobs.PARALLEL_FROM are drawn here, now)
            if painter is not None:
                pending = painter.draw(doc, partitions, stems)
            else:
                pending = image_jobs.start_images(doc, partitions, stems)
        except Exception as exc:  # noqa: BLE001 - said with the maps, written without
            if painter is not None:
                painter.cancel()
            pending = _failed(exc)
        _note_missing_glyphs(doc, err)
    cut = False
    try:
        _report(doc, partitions, fmt, output, err)
        sys.stdout.flush()  # (a reader gone is found now, not at exit, after the maps)
    except BrokenPipeError:  # `modeller run | head`: the maps are still wanted
        if no_maps:
            raise
        silence_stdout()
        cut = True
    except OSError as exc:  # (> /dev/full): the OS names no file; say which it was
        if pending is not None:
            pending.cancel()
        if exc.filename is not None:
            raise
        raise OSError(exc.errno, exc.strerror, "standard output") from None
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    failed = None
    if not no_maps:
        failed = _write_maps(doc, partitions, out, tiles, pending, err, url)
    if cut:
        err.print(
            "note: the figures on standard output were cut short (its reader closed it); "
            "the maps were written in full",
            markup=False,
            highlight=False,
        )
    if failed is not None:
        err.print(terminal_text(failed), markup=False, highlight=False)
        sys.exit(1)


def _same_folder(output: Path, out: Path) -> bool:
    """Whether the --output file would lie in the maps folder."""
    try:
        return output.absolute().parent.resolve() == out.absolute().resolve()
    except (OSError, RuntimeError):
        return False


def _ending(fmt: str) -> str:
    """The file name ending of an output format (markdown: .md)."""
    return GEO_FORMATS.get(fmt, {"markdown": ".md"}.get(fmt, "." + fmt))


def _report(doc, partitions, fmt: str, output: Path | None, err) -> None:
    """The figures on stdout in ``fmt``, or the pieces written to a geodata file."""
    from . import report_files, report_text

    if fmt in ("json", "csv", "markdown"):
        text = {
            "json": report_files.to_json,
            "csv": report_files.to_csv,
            "markdown": report_text.to_markdown,
        }[fmt](doc)
        if output is None:
            if fmt == "json" and not screens.utf8(sys.stdout):  # JSON's escapes, not \xb2
                text = re.sub(r"[^\x00-\x7f]", lambda m: json.dumps(m.group())[1:-1], text)
            sys.stdout.write(text)
            return
        from .files import write_text

        try:
            write_text(output, text)
        except OSError as exc:  # the machine refusing: one line, status 1 (failures.py)
            click.echo(environment_message(named(exc, output)), err=True)
            sys.exit(1)
        err.print(f"{fmt}: -> {terminal_text(output)}", markup=False, highlight=False)
    elif fmt in GEO_FORMATS:
        from . import exports

        target = output or Path(f"pieces{GEO_FORMATS[fmt]}")
        kept = exports.other_layers(target) if fmt == "gpkg" else []
        with screens.status(err, f"writing {_shown(target)}"):
            frame = exports.pieces_frame(doc, partitions)
            try:
                exports.write(frame, target, exports.provenance(doc), fmt)
            except OSError as exc:  # the machine refusing: one line, status 1 (failures.py)
                click.echo(environment_message(named(exc, target)), err=True)
                sys.exit(1)
        beside = f" (layer pieces; its other layers kept: {', '.join(kept)})" if kept else ""
        err.print(
            f"pieces: {len(frame)} features -> {terminal_text(target)}{terminal_text(beside)}",
            markup=False,
            highlight=False,
        )
    else:
        report_text.print_rich(doc, screens.figures())


def _note_missing_glyphs(doc, err) -> None:
    """One line for the characters of titles and labels the images' font lacks."""
    from .maps.image_words import missing_glyphs

    lacking = missing_glyphs(doc.scenarios)
    if lacking:
        shown = " ".join(lacking[:12]) + (" …" if len(lacking) > 12 else "")
        err.print(
            f"note: the images' font (DejaVu Sans) has no {terminal_text(shown)}: the PNG "
            "images show boxes there (the pages and SVG images use the reader's fonts)",
            style="yellow",
            markup=False,
            highlight=False,
        )


def _write_maps(
    doc, partitions, out: Path, tiles: str | None, pending, err, url: str | None
) -> str | None:
    """The HTML pages, rendered while the images (``pending``; None: no images) are drawn,
    then written with them as one folder; the error line when the images failed (the
    pages are written without them)."""
    from . import maps

    images: dict[str, bytes] = {}
    failure: list[Exception] = []

    def drawn() -> dict[str, bytes]:
        try:
            images.update(pending() if pending else {})
        except Exception as exc:  # noqa: BLE001 - a bug in drawing: the pages still go out
            failure.append(exc)
            raise _ImagesFailed from exc
        return images

    status = "writing maps" if pending is None else "drawing PNG/SVG maps and writing pages"
    try:
        with screens.status(err, status), cleanup_on_interrupt():  # pages and images at once
            try:
                written = maps.write_site(
                    doc,
                    partitions,
                    out,
                    tiles=tiles,
                    images=pending is not None,
                    extra=drawn,
                    url=url,
                )
            except _ImagesFailed:  # the pages again, linking no image
                written = maps.write_site(doc, partitions, out, tiles=tiles, images=False, url=url)
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    err.print(
        terminal_text(
            f"maps: {len(written) - len(images)} pages and {len(images)} images in "
            f"{out}/ (open {out / 'index.html'})"
        ),
        markup=False,
        highlight=False,
    )
    return _images_failed(failure[0]) if failure else None


def _images_failed(exc: Exception) -> str:
    """The error line for images that could not be drawn (the pages were written without
    them): the machine's refusal as such, anything else as a bug to report."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, MemoryError | BrokenProcessPool):
        cause = "out of memory" if isinstance(exc, MemoryError) else "a drawing process died"
        hint = "try fewer scenarios at once, or --no-images"
    elif isinstance(exc, OSError):
        cause, hint = environment_message(exc).removeprefix("error: "), "or use --no-images"
    else:
        cause = f"{type(exc).__name__}: {exc}"
        hint = (
            "this is a bug in modeller: please report it with the command and its scenarios "
            "(--no-images leaves the images out)"
        )
    return (
        f"error: the PNG/SVG images could not be drawn ({cause}); the pages were written "
        f"without them; {hint}"
    )


class _ImagesFailed(Exception):
    """Drawing the images failed: the site is written without them (``_images_failed``
    says why)."""


def _failed(exc: Exception):
    """A ``pending`` of images whose drawing has already failed with ``exc``."""

    def wait() -> dict:
        raise exc

    wait.cancel = lambda: None
    return wait


def _shown(text) -> str:
    """User text (a file name, an id) in a progress or status line, control characters
    neutralised (the spinner and ``screens.status`` read none of it as rich markup)."""
    return terminal_text(str(text))
