"""Command line: ``modeller run``, ``modeller validate``, ``modeller baselines``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from . import __version__
from .cli_options import (
    FORMATS,
    GEO_FORMATS,
    HelpContext,
    PathArg,
    data_options,
    fail,
    population_option,
    units_option,
)
from .errors import InputError, cut
from .failures import SafeGroup
from .specs import HELP as BASELINE_SPECS
from .textsafe import visible_text

# One BLAS thread per process (set before numpy loads): the timeline already runs a worker
# per core, and its matrix products are small; more OpenBLAS threads only spin-wait, which
# cost 1–2 s of CPU on the full archive.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Commands import what they need when they run: ``modeller --help`` and ``modeller
# validate`` load neither shapely, pyproj nor the engine (tests/test_imports.py). The
# larger bodies are in cli_run, cli_timeline and cli_data, imported when they run.


def _one(values: tuple, option: str):
    """The one value of an option given at most once (given twice, the last had won
    without a word)."""
    if len(values) > 1:
        said = ", ".join(f"'{v}'" for v in values)
        raise click.BadParameter(
            f"given {len(values)} times ({said}); a run has one baseline: give it once "
            "(the timeline compares several: modeller timeline --baselines A,B)",
            param_hint=option,
        )
    return values[0] if values else None


class Command(click.Command):
    context_class = HelpContext  # (help wrapped at spaces only)


class Group(SafeGroup):
    context_class = HelpContext
    command_class = Command


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modeller")
def main() -> None:
    """Model reported Russia–Ukraine territorial proposals: km², people, towns, maps.

    Scenarios are YAML files ('modeller scenarios' lists the shipped ones; 'modeller run'
    runs them). Figures use the embedded Natural Earth units, GeoNames settlements and
    1 Jan 2022 population; baselines are dated control maps (the default is the embedded
    'contact-line'). Method: 'modeller docs assumptions'.
    """


@main.command(short_help="Apply scenarios to a baseline: tables, maps, geodata.")
@click.argument("paths", nargs=-1, type=PathArg(path_type=Path))
@data_options
@click.option(
    "--baseline",
    "-b",
    metavar="SPEC",
    multiple=True,
    callback=lambda ctx, param, value: _one(value, "--baseline"),
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
    type=PathArg(dir_okay=False, allow_dash=True, path_type=Path),
    help="File to write the --format json/csv/markdown output to instead of stdout ('-': "
    "stdout); for geojson/gpkg/parquet, the pieces file (default: pieces.<format> here). "
    "A missing folder in its path is made.",
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
    type=PathArg(file_okay=False, path_type=Path),
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
    "--url",
    default=None,
    metavar="URL",
    help="Address the maps folder will be published at (https://example.org/maps/): "
    "the pages' social previews and embed code then use full addresses, and each page "
    "gets its canonical link.",
)
@population_option
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
    url: str | None,
    population_dir: Path | None,
) -> None:
    """Apply scenario files (or folders of them, or shipped scenario ids) and report who
    gains what. Without PATHS, every shipped scenario ('modeller scenarios' lists them).

    \b
    Examples:
      modeller run
      modeller run land-swap --format geojson -O land-swap.geojson
      modeller run scenarios/
      modeller run full-donbas-withdrawal --baseline deepstate:2025-08-15
      modeller run scenarios/ --format csv > shifts.csv
    """
    from . import cli_run

    if no_maps:  # options for the maps: said, not silently ignored
        ctx = click.get_current_context()
        given = [
            f"--{name.replace('_', '-')}"
            for name in ("out", "tiles", "no_images", "url")
            if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
        ]
        if given:
            said, verb = " and ".join(given), "does" if len(given) == 1 else "do"
            click.echo(f"note: --no-maps writes no maps, so {said} {verb} nothing", err=True)
    cli_run.run(
        paths, baseline, fmt, output, towns, out, no_maps, no_images, tiles, population_dir, url
    )


@main.command(short_help="Check scenario files before a run; exit 2 on any error.")
@click.argument("paths", nargs=-1, required=True, type=PathArg(path_type=Path))
@units_option
def validate(paths: tuple[Path, ...]) -> None:
    """Check scenario files: keys, statuses, oblast and place names, baselines named,
    polygon files, split lines. Exit 2 on any error.

    Splits are checked against the units' boxes and borders: the line crosses the listed
    oblasts' box once, the keep place lies in it, the oblasts border each other (with
    --units, on the file's outlines, as run cuts them). What needs the map itself is
    left to run (and doctor): whether a band covers the whole of its side on the
    baseline, and, on the embedded units, whether the line leaves a listed oblast whole.
    """
    from . import cli_validate

    cli_validate.validate(paths)


@main.command("scenarios", short_help="List the shipped scenarios: id, date, title, sources.")
def list_scenarios() -> None:
    """List the shipped scenarios: id, date, title and where the terms were reported.

    Run one by id ('modeller run land-swap') from any folder; copy its file (in the folder
    shown, named <id>.yaml) to write your own.
    """
    from . import cli_data

    cli_data.list_scenarios()


@main.command(short_help="Check the geodata and scenarios (shapes, areas, names).")
@click.argument("paths", nargs=-1, type=PathArg(path_type=Path))
@data_options
@click.option(
    "--baseline",
    "-b",
    metavar="SPEC",
    multiple=True,
    callback=lambda ctx, param, value: _one(value, "--baseline"),
    help="Baseline the scenarios are checked on (default: each scenario's own or contact-line).",
)
@click.option(
    "--geodata",
    "geodata_dir",
    type=PathArg(file_okay=False, exists=True, path_type=Path),
    help="Check this geodata folder instead of the embedded one.",
)
def doctor(paths: tuple[Path, ...], baseline: str | None, geodata_dir: Path | None) -> None:
    """Check the geodata (valid shapes, units tile Ukraine, area and population totals)
    and the scenarios in PATHS (every step selects something). Without PATHS, the geodata
    only (and --baseline's map): 'modeller doctor scenarios/' checks the shipped
    scenarios too. Exit 1 if anything fails.

    \b
    Examples:
      modeller doctor
      modeller doctor scenarios/ --baseline deepstate:2025-08-15
      modeller doctor scenarios/ --units oblasts.gpkg
    """
    from . import cli_data

    cli_data.doctor(paths, baseline, geodata_dir)


@main.command(short_help="Download DeepState days or geoBoundaries units (network).")
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
    from . import cli_data

    cli_data.fetch(what, force)


@main.command("docs", short_help="Print the method, sources and assumptions documents.")
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
    # as listed, or as its file is named there ('ASSUMPTIONS', 'ASSUMPTIONS.md' had been
    # unknown documents, though the listing shows ASSUMPTIONS.md)
    wanted = name.strip().lower()
    key = next(
        (
            k
            for k in shipped.NAMES
            if wanted in (k, shipped.doc_path(k).name.lower(), shipped.doc_path(k).stem.lower())
        ),
        None,
    )
    if key is None:
        named = cut(visible_text(name))  # (an escape sequence had been shown as '')
        fail(InputError(f"unknown document '{named}'; valid: {', '.join(shipped.NAMES)}"))
    click.echo(shipped.doc_path(key).read_text(encoding="utf-8"), nl=False)


@main.command("baselines")
def list_baselines() -> None:
    """List the baselines available on this machine."""
    from . import cli_data

    cli_data.list_baselines()


@main.command(short_help="Every scenario on many dated baselines: km², people.")
@click.argument("paths", nargs=-1, type=PathArg(path_type=Path))
@data_options
@click.option(
    "--baselines",
    "specs",
    required=True,
    multiple=True,  # (given twice, all but the last had been dropped without a word)
    metavar="SPECS",
    help="Comma-separated: deepstate:FROM..TO (either end may be left out), deepstate:DATE, "
    "or any other dated baseline (contact-line, a .geojson with a 'date'); given more "
    "than once, all of them.",
)
@click.option(
    "--every",
    metavar="Nd|Nw",
    help="Keep one snapshot per N days/weeks of each range, e.g. 7d (each range's last day "
    "and days named one by one are kept).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["csv", "json", "parquet"]),
    default="csv",
    show_default=True,
    help="Table format.",
)
@click.option(
    "--out",
    "-o",
    type=PathArg(file_okay=False, path_type=Path),
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
@population_option
def timeline(
    paths: tuple[Path, ...],
    specs: tuple[str, ...],
    every: str | None,
    fmt: str,
    out: Path,
    no_chart: bool,
    workers: int | None,
    scheduler: str | None,
    population_dir: Path | None,
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
      modeller timeline --baselines deepstate:2022-04-30.. --every 7d -f parquet
      modeller timeline --baselines deepstate:2025-01-01.. \\
        --population ../shared/data
    """
    from . import cli_timeline

    cli_timeline.timeline(
        paths, ",".join(specs), every, fmt, out, no_chart, workers, scheduler, population_dir
    )


if __name__ == "__main__":
    main()
