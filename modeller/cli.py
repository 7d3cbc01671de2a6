"""Command line: ``modeller run``, ``modeller validate``, ``modeller baselines``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from . import __version__, geodata, settings
from .errors import InputError
from .failures import SafeGroup, environment_message
from .interrupts import cleanup_on_interrupt
from .specs import HELP as BASELINE_SPECS
from .textsafe import terminal_text

# One BLAS thread per process (set before numpy loads): the timeline already runs a worker
# per core, and its matrix products are small; more OpenBLAS threads only spin-wait, which
# cost 1–2 s of CPU on the full archive.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Commands import what they need when they run: ``modeller --help`` and ``modeller
# validate`` load neither shapely, pyproj nor the engine (tests/test_imports.py).
FORMATS = ["table", "csv", "json", "markdown"]
GEO_FORMATS = {"geojson": ".geojson", "gpkg": ".gpkg", "parquet": ".parquet"}


def _named(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path`` when the library that raised it did not."""
    if exc.filename is None and exc.errno is not None:
        return OSError(exc.errno, exc.strerror, str(path))
    return exc


def _fail(exc: InputError) -> None:
    click.echo(f"error: {terminal_text(exc)}", err=True)
    sys.exit(2)


def _setting(name: str, value: str) -> None:
    """Set an environment setting for this command (worker processes inherit it) and put
    the old value back when the command ends."""
    old = os.environ.get(name)
    os.environ[name] = value

    def restore() -> None:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old

    click.get_current_context().call_on_close(restore)


def _units(ctx, param, value) -> None:
    if value is not None:
        _setting("MODELLER_UNITS", str(value))
    if value is not None or settings.units_path() is not None:
        try:
            geodata.load()
        except InputError as exc:
            ctx.close()  # puts the settings back: the command body (and its close) never runs
            _fail(exc)


def _no_reconcile(ctx, param, value) -> None:
    if value:
        _setting("MODELLER_RECONCILE", "0")


def _contested(ctx, param, value) -> None:
    if value is not None:
        _setting("MODELLER_CONTESTED", value)


units_option = click.option(
    "--units",
    metavar="PATH",
    expose_value=False,
    callback=_units,
    help="Boundaries of the 27 units (GeoJSON, GeoPackage or Shapefile; a code field such as "
    "UA-14 or Ukrainian/English names) instead of the embedded Natural Earth units. "
    "Default: $MODELLER_UNITS.",
)
reconcile_option = click.option(
    "--no-reconcile",
    is_flag=True,
    expose_value=False,
    callback=_no_reconcile,
    help="Keep DeepState's outline as drawn: cut-off edge strips inside the units stay "
    "Ukrainian-held (default: they count as Russian-held; see ASSUMPTIONS.md).",
)
contested_option = click.option(
    "--contested",
    type=click.Choice(settings.CONTESTED_MODES),
    expose_value=False,
    callback=_contested,
    help="How DeepState's grey zone counts where a baseline has one: its own status "
    "'contested' (default), 'ukraine' or 'russia'.",
)


def data_options(f):
    """--units, --no-reconcile and --contested: the options every computing command takes."""
    return units_option(reconcile_option(contested_option(f)))


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modeller")
def main() -> None:
    """Model reported Russia–Ukraine territorial proposals: km², people, towns, maps.

    Scenarios are YAML files ('modeller scenarios' lists the shipped ones; 'modeller run'
    runs them). Figures use the embedded Natural Earth units, GeoNames settlements and
    1 Jan 2022 population; baselines are dated control maps (the default is the embedded
    'contact-line'). Method: 'modeller docs assumptions'.
    """


def _use_population(folder: Path | None) -> None:
    """Place people from hromada totals when a folder is given (or MODELLER_POPULATION)."""
    from . import hromadas, population, settings

    folder = folder or settings.population_path()
    population.use(hromadas.hromada_model(folder) if folder else None)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_options
@click.option(
    "--baseline",
    "-b",
    metavar="SPEC",
    help=f"Control map to start from: {BASELINE_SPECS}. "
    "Default: each scenario's own 'baseline:' or 'contact-line'.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice([*FORMATS, *GEO_FORMATS]),
    default="table",
    show_default=True,
    help="Output format on stdout; geojson, gpkg and parquet (GeoParquet) write the "
    "pieces with their provenance to --output.",
)
@click.option(
    "--output",
    "-O",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File for --format geojson/gpkg/parquet (default: pieces.<format> here).",
)
@click.option(
    "--towns",
    default=15,
    show_default=True,
    type=click.IntRange(0),
    help="How many towns to list per scenario.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps"),
    show_default=True,
    help="Folder for the HTML maps (index.html + one page per scenario).",
)
@click.option("--no-maps", is_flag=True, help="Only print the figures; write no HTML.")
@click.option(
    "--no-images",
    is_flag=True,
    help="Write the HTML maps without their PNG/SVG images (faster).",
)
@click.option(
    "--tiles",
    type=click.Choice(["osm"]),
    default=None,
    help="Add online base tiles (off by default: pages make no network requests).",
)
@click.option(
    "--population",
    "population_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder with hromada outlines and 1 Jan 2022 populations "
    "(boundaries/ua_hromadas_simplified_vadymnes.geojson, "
    "population/kse_ua-pop-2022_hromada.csv): people are placed from hromada totals. "
    "Default: $MODELLER_POPULATION, else the embedded oblast totals.",
)
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
) -> None:
    """Apply scenario files (or folders of them, or shipped scenario ids) and report who
    gains what. Without PATHS, every shipped scenario ('modeller scenarios' lists them).

    \b
    Examples:
      modeller run
      modeller run land-swap --format geojson -O land-swap.geojson
      modeller run scenarios/
      modeller run scenarios/full-donbas-withdrawal.yaml --baseline deepstate:2025-08-15
      modeller run scenarios/ --format csv > shifts.csv
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from . import report, runs
    from .scenario import load_scenarios

    err = Console(stderr=True, soft_wrap=True)
    if not no_maps:
        from .files import check_folder

        check_folder(out)  # before any work: say now if the maps could not be written
    painter = None
    try:
        _use_population(population_dir)
        loaded = load_scenarios(list(paths))
        if not no_maps and not no_images:  # matplotlib is loaded there while we compute
            from . import geodata
            from .maps import painter as painting

            geodata.load()  # shared with the painter
            painter = painting.start()
        entries, partitions = [], []
        cache = runs.BaselineCache()
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as progress:
            task = progress.add_task("scenarios", total=len(loaded))

            def loading(spec: str) -> None:
                progress.update(task, description=f"loading baseline {spec}")

            for path, sc in loaded:
                progress.update(task, description=f"applying {sc.id}")
                applied = runs.apply_one(path, sc, baseline, cache, on_baseline=loading)
                if applied.note:
                    err.print(f"note: {terminal_text(applied.note)}", style="yellow", markup=False)
                partition = applied.partition
                for warning in partition.warnings:
                    err.print(
                        f"warning: {terminal_text(f'{path}: {warning}')}",
                        style="yellow",
                        markup=False,
                        highlight=False,
                    )
                partitions.append(partition)
                entries.append(report.scenario_entry(partition, path, towns, applied.phases))
                progress.advance(task)
    except InputError as exc:
        if painter is not None:
            painter.cancel()
        _fail(exc)
    doc = report.document(entries)
    pending = None
    if not no_maps and not no_images:  # drawn in other processes from now on
        from . import maps
        from .maps import image_jobs

        stems = [Path(name).stem for name in maps.page_names(doc)]
        if painter is not None:
            pending = painter.draw(doc, partitions, stems)
        else:
            pending = image_jobs.start_images(doc, partitions, stems)
    try:
        _report(doc, partitions, fmt, output, err)
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    if not no_maps:
        _write_maps(doc, partitions, out, tiles, pending, err)


def _report(doc, partitions, fmt: str, output: Path | None, err: Console) -> None:
    """The figures on stdout in ``fmt``, or the pieces written to a geodata file."""
    from . import report

    if fmt == "json":
        sys.stdout.write(report.to_json(doc))
    elif fmt == "csv":
        sys.stdout.write(report.to_csv(doc))
    elif fmt == "markdown":
        sys.stdout.write(report.to_markdown(doc))
    elif fmt in GEO_FORMATS:
        from . import exports

        target = output or Path(f"pieces{GEO_FORMATS[fmt]}")
        with err.status(f"writing {target}"):
            frame = exports.pieces_frame(doc, partitions)
            try:
                exports.write(frame, target, exports.provenance(doc), fmt)
            except OSError as exc:  # the machine refusing: one line, status 1 (failures.py)
                click.echo(environment_message(_named(exc, target)), err=True)
                sys.exit(1)
        err.print(f"pieces: {len(frame)} features -> {target}", highlight=False)
    else:
        console = Console()
        report.print_rich(doc, console if console.is_terminal else Console(width=160))


def _write_maps(doc, partitions, out: Path, tiles: str | None, pending, err: Console) -> None:
    """The HTML pages, rendered while the images (``pending``; None: no images) are drawn,
    then written with them as one folder."""
    from . import maps

    images: dict[str, bytes] = {}

    def drawn() -> dict[str, bytes]:
        images.update(pending() if pending else {})
        return images

    status = "writing maps" if pending is None else "drawing PNG/SVG maps and writing pages"
    try:
        with err.status(status), cleanup_on_interrupt():  # pages and images at once
            written = maps.write_site(
                doc, partitions, out, tiles=tiles, images=pending is not None, extra=drawn
            )
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


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@units_option
def validate(paths: tuple[Path, ...]) -> None:
    """Check scenario files: keys, statuses, oblast and place names. Exit 2 on any error."""
    from .scenario import load_scenario, scenario_files

    try:
        files = scenario_files(list(paths))
    except InputError as exc:
        _fail(exc)
    bad = 0
    seen: dict[str, Path] = {}
    for path in files:
        try:
            sc = load_scenario(path)
            if sc.id in seen:  # as `run` would refuse them
                raise InputError(
                    f"duplicate scenario id '{sc.id}' (also in {seen[sc.id]})", str(path)
                )
        except InputError as exc:
            click.echo(f"error: {terminal_text(exc)}", err=True)
            bad += 1
            continue
        seen[sc.id] = path
        n = len(sc.numbered_steps)
        staged = f" in {len(sc.phases)} phases" if sc.phases else ""
        click.echo(f"ok: {terminal_text(path)} ({sc.id}, {n} step{'s' if n != 1 else ''}{staged})")
    if bad:
        sys.exit(2)


@main.command("scenarios")
def list_scenarios() -> None:
    """List the shipped scenarios: id, date, title and where the terms were reported.

    Run one by id ('modeller run land-swap') from any folder; copy its file (shown) to
    write your own.
    """
    from .scenario import load_scenarios, shipped_folder

    try:
        loaded = load_scenarios([])
    except InputError as exc:
        _fail(exc)
    from rich.table import Table

    table = Table(header_style="bold", title_justify="left", expand=False)
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("date", no_wrap=True)
    table.add_column("title and sources (outlet, date)")
    for _path, sc in loaded:
        outlets = "; ".join(f"{r.source.split(' — ')[0]} ({r.date})" for r in sc.reported)
        table.add_row(
            escape(sc.id),
            sc.date.isoformat() if sc.date else "undated",
            escape(sc.title) + (f"\n[dim]{escape(outlets)}[/]" if outlets else ""),
        )
    console = Console()
    console.print(table)
    console.print(f"{len(loaded)} scenarios in {shipped_folder()}", style="dim", highlight=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_options
@click.option(
    "--baseline",
    "-b",
    metavar="SPEC",
    help="Baseline the scenarios are checked on (default: each scenario's own or contact-line).",
)
@click.option(
    "--geodata",
    "geodata_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Check this geodata folder instead of the embedded one.",
)
def doctor(paths: tuple[Path, ...], baseline: str | None, geodata_dir: Path | None) -> None:
    """Check the geodata (valid shapes, units tile Ukraine, area and population totals)
    and scenarios (every step selects something). Exit 1 if anything fails.

    \b
    Examples:
      modeller doctor
      modeller doctor scenarios/ --baseline deepstate:2025-08-15
      modeller doctor scenarios/ --units oblasts.gpkg
    """
    from rich.markup import escape
    from rich.table import Table

    from . import doctor as checks
    from .scenario import load_scenarios

    console = Console()
    if geodata_dir is None and settings.units_path() is not None:
        findings = checks.check_units()
    else:
        findings = checks.check_geodata(geodata_dir)
    if paths:
        try:
            loaded = load_scenarios(list(paths))
        except InputError as exc:
            _fail(exc)
        findings += checks.check_scenarios(loaded, baseline)
    table = Table(title="modeller doctor", title_justify="left", header_style="bold")
    for head in ("", "Check", "Finding"):
        table.add_column(head)
    marks = {"ok": "[green]ok[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}
    for f in findings:
        table.add_row(marks[f.level], f.check, escape(f.message))
    console.print(table)
    counts = {k: sum(f.level == k for f in findings) for k in marks}
    console.print(f"{counts['ok']} ok, {counts['warn']} warnings, {counts['fail']} failures")
    if counts["fail"]:
        sys.exit(1)


@main.command()
@click.argument("what", nargs=-1, required=True, metavar="[deepstate] DATE... | units")
@click.option("--force", is_flag=True, help="Download again even if the cache has the file.")
def fetch(what: tuple[str, ...], force: bool) -> None:
    """Download DeepState snapshots (YYYY-MM-DD) into the cache for deepstate:DATE baselines
    (occupied layer and grey zone), or 'units': geoBoundaries' open ADM1 boundaries of
    Ukraine (ODbL) for --units.

    \b
    Examples:
      modeller fetch 2025-11-20 2026-01-01
      modeller fetch units && modeller run scenarios/ --units <the printed path>
    """
    import urllib.error

    from . import deepstate
    from .dates import parse_date

    if what[0] == "units":
        from . import geoboundaries

        try:
            if len(what) > 1:
                raise InputError("'modeller fetch units' takes no other argument")
            try:
                path = geoboundaries.fetch_units(force=force)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise InputError(f"cannot reach geoBoundaries ({exc}); try again later") from None
        except InputError as exc:
            _fail(exc)
        click.echo(f"units -> {path}  (geoBoundaries gbOpen UKR ADM1, ODbL; use --units {path})")
        return
    dates = what[1:] if what[0] == "deepstate" else what
    for text in dates:
        try:
            try:
                day = parse_date(text, "fetch")
            except InputError:
                raise InputError(f"bad date '{text}': write YYYY-MM-DD, e.g. 2025-08-15") from None
            try:
                path = deepstate.fetch(day, force=force)
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
                raise InputError(
                    f"cannot reach the DeepState API ({exc}); try again later"
                ) from None
        except InputError as exc:
            _fail(exc)
        click.echo(f"deepstate:{day} -> {path}")


@main.command("docs")
@click.argument("name", required=False)
def docs(name: str | None) -> None:
    """Print a document the outputs refer to (method, sources, authored baselines).

    Without NAME, list them with their installed paths.
    """
    from . import shipped

    if name is None:
        for key in shipped.NAMES:
            click.echo(f"{key:<13} {shipped.doc_path(key)}")
        return
    if name not in shipped.NAMES:
        _fail(InputError(f"unknown document '{name}'; valid: {', '.join(shipped.NAMES)}"))
    click.echo(shipped.doc_path(name).read_text(encoding="utf-8"), nl=False)


@main.command("baselines")
def list_baselines() -> None:
    """List the baselines available on this machine."""
    from rich.table import Table

    from . import archive

    rows = [
        ("1991", "all of Ukraine within its 1991 borders"),
        ("contact-line", "embedded approximate line of control, 2025-08-15 (default)"),
        ("pre-2022", "embedded approximate line of 23 Feb 2022 (Crimea, ORDLO)"),
    ]
    days = archive.deepstate_dates()
    try:
        month_ends = [s.day for s in archive.snapshots() if s.feature is not None]
    except InputError as exc:  # e.g. a truncated month-end file
        _fail(exc)
    if days:
        rows.append(("deepstate:DATE", f"{len(days)} days from {days[0]} to {days[-1]}"))
    if month_ends:
        rows.append(
            (
                "deepstate:DATE",
                f"{len(month_ends)} month-end snapshots from {month_ends[0]} to {month_ends[-1]}",
            )
        )
    if not days and not month_ends:
        rows.append(
            (
                "deepstate:DATE",
                "none found: set MODELLER_DATA_DIR (a folder with deepstate/daily/) or "
                "MODELLER_DEEPSTATE_DIR, or run 'modeller fetch YYYY-MM-DD'",
            )
        )
    rows.append(("deepstate:own", "each scenario on the DeepState snapshot of its own date"))
    rows.append(("FILE.geojson", "your own polygons (Russian-held, or a 'status' property)"))
    rows.append(("FILE.gpkg", "the same as a GeoPackage"))
    rows.append(("RAW.geojson", "a raw DeepState layer dump: grey zone as 'contested'"))
    table = Table.grid(padding=(0, 2), pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column()
    for spec, what in rows:
        table.add_row(spec, escape(what))
    Console(highlight=False).print(table)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_options
@click.option(
    "--baselines",
    "specs",
    required=True,
    metavar="SPECS",
    help="Comma-separated: deepstate:FROM..TO (either end may be left out), deepstate:DATE, "
    "or any other dated baseline (contact-line, a .geojson with a 'date').",
)
@click.option("--every", metavar="Nd|Nw", help="Keep one snapshot per N days/weeks, e.g. 7d.")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["csv", "json", "parquet"]),
    default="csv",
    show_default=True,
    help="Table format (parquet needs pyarrow).",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps/timeline"),
    show_default=True,
    help="Folder for timeline.<format> and the chart page timeline.html.",
)
@click.option("--no-chart", is_flag=True, help="Write only the table.")
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Local processes (default: one per core).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on a Dask distributed cluster (e.g. tcp://host:8786); workers need modeller "
    "and the same archive path.",
)
def timeline(
    paths: tuple[Path, ...],
    specs: str,
    every: str | None,
    fmt: str,
    out: Path,
    no_chart: bool,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Every scenario on every dated baseline: km² and people over time, plus charts.

    \b
    PATHS: scenario files, folders of them or shipped scenario ids; without PATHS,
    every shipped scenario ('modeller scenarios' lists them).
    \b
    Writes a table (date × scenario × oblast × status: km², people, the baseline's
    figures, change, gained, lost) and an HTML page with a chart per scenario.
    \b
    Examples:
      modeller timeline scenarios/ --baselines deepstate:2024-07-08..2026-08-22
      modeller timeline scenarios/ --baselines deepstate:2022-04-30.. --every 7d -f parquet
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from . import archive, files, timeline_page, timeline_run, timeline_table
    from .scenario import load_scenarios

    err = Console(stderr=True, soft_wrap=True)
    written: list[Path] = []
    with cleanup_on_interrupt():  # Ctrl-C: the pool and the writers clean up, one line
        try:
            loaded = load_scenarios(list(paths))
            snapshots, others = archive.parse_specs(specs, every)
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
                task = progress.add_task("baselines", total=len(snapshots) + len(others))
                table = timeline_run.build_table(
                    loaded,
                    snapshots,
                    others,
                    workers=workers,
                    scheduler=scheduler,
                    progress=lambda n: progress.advance(task, n),
                )
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
                written.append(timeline_table.write_table(table, out / f"timeline.{fmt}", fmt))
                if page is not None:
                    html = page.result()
                    written.append(timeline_table.write_text(out / "timeline.html", html))
            finally:
                if page is not None:
                    page.cancel()
        except InputError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            done = ", ".join(str(p) for p in written) or "nothing written"
            err.print(f"interrupted; no file half-written (complete: {done})", highlight=False)
            sys.exit(130)
    n_dates = len(table.baselines)
    err.print(
        f"timeline: {len(loaded)} scenarios × {n_dates} baselines, {len(table)} rows -> "
        + ", ".join(str(p) for p in written),
        highlight=False,
    )


def _map_links(out: Path, ids: list[str]) -> dict[str, str]:
    """Relative links from the timeline page to the maps of ``modeller run``, where they
    exist (by default the timeline is written into maps/timeline/, beside maps/)."""
    folder = out.parent
    links = {"index": "../index.html"} if (folder / "index.html").exists() else {}
    links.update({i: f"../{i}.html" for i in ids if (folder / f"{i}.html").exists()})
    return links


if __name__ == "__main__":
    main()
