"""What the commands share: the --units/--no-reconcile/--contested/--population options, and
failing on input."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from pathlib import Path

import click

from . import files, geodata, inputs, settings
from .errors import InputError
from .textsafe import terminal_text

_BRACKETED = re.compile(r"\[[^\[\]\n]{1,40}\]")
_KEEP = "\x00"  # a space that wrapping does not break at


class HelpFormatter(click.HelpFormatter):
    """Option lists wrapped at spaces only: click broke names a user copies from the help
    (``contact-`` / ``line``, ``…simplifi`` / ``ed_vadymnes.geojson``); a name longer
    than the column runs past it instead."""

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        import textwrap

        rows = list(rows)
        widths = [click.formatting.term_len(first) for first, _ in rows]
        first_col = min(max(widths, default=0), col_max) + col_spacing
        text_width = max(self.width - first_col - 2, 10)
        pad = " " * (first_col + self.current_indent)
        for (first, second), width in zip(rows, widths, strict=True):
            self.write(" " * self.current_indent + first)
            if not second:
                self.write("\n")
                continue
            if width <= first_col - col_spacing:
                self.write(" " * (first_col - width))
            else:
                self.write("\n" + pad)
            # a short bracketed note ("[default: table]") stays on one line
            text = _BRACKETED.sub(lambda m: m[0].replace(" ", _KEEP), " ".join(second.split()))
            lines = textwrap.wrap(text, text_width, break_long_words=False, break_on_hyphens=False)
            self.write(("\n" + pad).join(lines).replace(_KEEP, " ") + "\n")


class HelpContext(click.Context):
    formatter_class = HelpFormatter


class PathArg(click.Path):
    """click.Path that refuses an empty value: ``Path("")`` is the current folder, so
    ``--out ''`` would write into it and ``run ''`` read every file in it. ``noun``: what
    the option names, for that message (default: from ``file_okay`` and ``dir_okay``)."""

    def __init__(self, *args, noun: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        one = "file" if self.file_okay else "folder"
        self.noun = noun or ("file or folder" if self.file_okay == self.dir_okay else one)

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail(f"is empty; give a {self.noun} name", param, ctx)
        if isinstance(value, str) and not self.dir_okay and value.endswith(("/", os.sep)):
            self.fail(f"'{value}' ends with '/', a folder; give a file name", param, ctx)
        if isinstance(value, str) and not self.file_okay and value.strip() == "-":
            self.fail(  # (a folder named '-' is what would be made)
                "'-' means standard output, but this is a folder of files; give a folder "
                "name (a folder called '-' is written ./-)",
                param,
                ctx,
            )
        output = not self.exists and not (self.file_okay and self.dir_okay)  # --out, -O
        if isinstance(value, str) and value.startswith("~"):
            # a quoted '~/x.json' (the shell left it, as after '--out=') is the home
            # folder, as the Python API reads it: not a new folder named '~' here, nor a
            # scenario file "not found"
            try:
                value = str(inputs.home(value)) + ("/" if value.endswith("/") else "")
            except InputError as exc:  # ('~nosuchuser/x.json' had made ./~nosuchuser/)
                self.fail(exc.message, param, ctx)
        named = isinstance(value, str) and not (self.allow_dash and value == "-")
        there = value
        if named and output:
            # 'missing/../site' is site once the writer makes 'missing': checked (an input
            # file, a folder of the user's own) and written as that, no stray folder made
            try:
                there = str(files.collapsed(Path(value)))
            except InputError as exc:
                self.fail(exc.message, param, ctx)
        if named and output and os.path.lexists(there):
            # (click's "Directory 'figures.csv' is a file." reads as if one had been made)
            if not self.file_okay and not os.path.isdir(there):
                run_out = param is not None and param.name == "out" and ctx is not None
                run_out = run_out and ctx.info_name == "run"
                self.fail(
                    f"'{value}' exists and is not a folder: give a folder for the files it "
                    "writes"
                    + (" (the figures go to a file with -O and --format)" if run_out else ""),
                    param,
                    ctx,
                )
            if not self.dir_okay and os.path.isdir(there):
                self.fail(
                    f"'{value}' is a folder, not a file: give a file name (e.g. "
                    f"{os.path.join(value, 'figures.json')})",
                    param,
                    ctx,
                )
        if isinstance(value, str) and output and any(c in value for c in "\n\r"):
            self.fail("has a line break in it; give a name on one line", param, ctx)
        return super().convert(there, param, ctx)


# the formats of ``modeller run``: on stdout, and geodata files (with their suffixes)
FORMATS = ["table", "csv", "json", "markdown"]
GEO_FORMATS = {"geojson": ".geojson", "gpkg": ".gpkg", "parquet": ".parquet"}
# what a file's suffix says it holds: -O with another format's suffix is refused


def named(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path`` when the library that raised it did not."""
    if exc.filename is None and exc.errno is not None:
        return OSError(exc.errno, exc.strerror, str(path))
    return exc


def fail(exc: InputError) -> None:
    """End the command on a bad input: ``error: ...`` on stderr, status 2."""
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
    if value is not None and not value.strip():
        raise click.BadParameter("is empty; give a units file (or leave --units out)")
    if value is not None:
        try:  # (else '~nosuchuser/u.geojson' was said as MODELLER_UNITS', never set)
            value = str(inputs.home(value, f"--units {value[:80]!r}"))
        except InputError as exc:
            fail(exc)
        _setting("MODELLER_UNITS", value)
    if value is not None or settings.units_path() is not None:
        try:
            geodata.load()
        except InputError as exc:
            ctx.close()  # puts the settings back: the command body (and its close) never runs
            if value is None:  # the file came from the environment: say so, and how to fix
                exc = replace(
                    exc,
                    message=f"{exc.message} (MODELLER_UNITS names it: fix or unset that "
                    "variable, or give --units)",
                )
            fail(exc)


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
    "Default: $MODELLER_UNITS ('embedded': the embedded units, whatever it says).",
)
reconcile_option = click.option(
    "--no-reconcile",
    is_flag=True,
    expose_value=False,
    callback=_no_reconcile,
    help="Keep a baseline's outline as drawn (DeepState's, a file's): cut-off edge strips "
    "inside the units stay Ukrainian-held (default: they count as Russian-held, unless "
    "$MODELLER_RECONCILE is 0; see ASSUMPTIONS.md).",
)
contested_option = click.option(
    "--contested",
    type=click.Choice(settings.CONTESTED_MODES),
    expose_value=False,
    callback=_contested,
    help="How DeepState's grey zone counts where a baseline has one: its own status "
    "'contested', 'ukraine' or 'russia'. Default: $MODELLER_CONTESTED, else 'contested'.",
)


def data_options(f):
    """--units, --no-reconcile and --contested: the options every computing command takes."""
    return units_option(reconcile_option(contested_option(f)))


population_option = click.option(
    "--population",
    "population_dir",
    type=PathArg(path_type=Path, noun="folder"),
    default=None,
    help="Folder with hromada outlines and 1 Jan 2022 populations "
    "(boundaries/ua_hromadas_simplified_vadymnes.geojson, "
    "population/kse_ua-pop-2022_hromada.csv): people are placed from hromada totals. "
    "Default: $MODELLER_POPULATION, else the embedded oblast totals ('embedded': those, "
    "whatever $MODELLER_POPULATION says).",
)


def use_population(folder: Path | None) -> None:
    """Place people from hromada totals when a folder is given (or MODELLER_POPULATION);
    ``embedded`` places them from the embedded unit totals, whatever the environment says."""
    from . import hromadas

    if folder is not None and settings.is_embedded(str(folder)):
        hromadas.population.use(None)
        return
    hromadas.use_folder(folder)
