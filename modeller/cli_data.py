"""The bodies of the data commands: list scenarios and baselines, check data, fetch it."""

from __future__ import annotations

import os
import re
import sys
from datetime import date as Date
from pathlib import Path

import click
from rich.markup import escape

from . import settings
from .cli_options import fail, named
from .errors import InputError, NotKept
from .failures import environment_message
from .screens import console as rich_console
from .textsafe import terminal_text


def list_scenarios() -> None:
    """The shipped scenarios as a table: id, date, title and outlets."""
    from .scenario import load_scenarios
    from .scenario_paths import shipped_folder

    try:
        loaded = load_scenarios([])
    except InputError as exc:
        fail(exc)
    from .terminal_tables import print_fitted, print_paragraph

    rows = []
    for _path, sc in loaded:
        outlets = "; ".join(f"{r.source.split(' — ')[0]} ({r.date})" for r in sc.reported)
        when = sc.date.isoformat() if sc.date else "undated"
        rows.append([terminal_text(x) for x in (sc.id, when, f"{sc.title}\n{outlets}".strip())])
    # (fitted as the run's tables are: at 10 columns rich had shown '…' alone)
    console = rich_console(emoji=False)
    head = ["id", "date", "title and sources (outlet, date)"]
    print_fitted(console, "", head, rows, left=(2,), whole=(0,))
    print_paragraph(console, f"{len(loaded)} scenarios in {shipped_folder()}", "dim")


def doctor(paths: tuple[Path, ...], baseline: str | None, geodata_dir: Path | None) -> None:
    """Run the geodata (or units) checks and the scenario checks; print them as a table."""
    from rich.markup import escape
    from rich.table import Table

    from . import doctor as checks
    from .scenario import each_scenario
    from .scenario_paths import scenario_files

    console = rich_console(emoji=False)
    if geodata_dir is None and settings.units_path() is not None:
        findings = checks.check_units()
    else:
        findings = checks.check_geodata(geodata_dir)
    if paths:  # every file checked, as validate does: a bad one is a failure, not the end
        try:
            files = scenario_files(list(paths))
        except InputError as exc:
            fail(exc)
        loaded = []
        for path, sc in each_scenario(files):
            if isinstance(sc, InputError):
                findings.append(checks.Finding("fail", "scenario file", terminal_text(sc)))
            else:
                loaded.append((path, sc))
        findings += checks.check_scenarios(loaded, baseline)
    elif baseline is not None:  # (with scenarios, each is checked on it)
        findings += checks.check_baseline(baseline)
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


def fetch(what: tuple[str, ...], force: bool) -> None:
    """Download DeepState days or geoBoundaries units into the cache; one line per file."""
    import urllib.error
    from http.client import HTTPException  # (not HTTP: a bad status line, a broken chunk)

    from . import deepstate
    from .dates import not_a_day, parse_date

    if what[0] == "units":
        from . import geoboundaries

        try:
            if len(what) > 1:
                raise InputError("'modeller fetch units' takes no other argument")
            try:
                with _waiting("fetching the units from geoBoundaries"):
                    path = geoboundaries.fetch_units(force=force)
            except NotKept as exc:
                _not_kept(exc)
            except (urllib.error.URLError, TimeoutError, OSError, HTTPException) as exc:
                moved = "geoBoundaries may have moved it: a newer modeller may know where"
                _unreachable(f"cannot reach geoBoundaries ({_why(exc, moved)})")
        except InputError as exc:
            fail(exc)
        click.echo(f"units -> {path}  (geoBoundaries gbOpen UKR ADM1, ODbL; use --units {path})")
        return
    dates = what[1:] if what[0] == "deepstate" else what
    if not dates:
        fail(InputError("'modeller fetch deepstate' needs one or more dates, e.g. 2025-08-15"))
    days = []
    for text in dates:  # every date checked before the first download
        try:
            try:  # (a baseline's spelling, deepstate:2025-11-20, names the same day)
                day = parse_date(re.sub(r"(?i)^deepstate:", "", text.strip()), "fetch")
            except InputError:
                raise InputError(f"bad date '{text}': {not_a_day(text)}") from None
            if not FIRST_DAY <= day <= Date.today():
                raise InputError(
                    f"{day} is outside DeepState's history ({FIRST_DAY} to today); give a "
                    "date in it"
                )
        except InputError as exc:
            fail(exc)
        days.append(day)
    for day in days:
        try:
            with _waiting(f"fetching deepstate:{day} from the DeepState API"):
                path = deepstate.fetch(day, force=force)
        except InputError as exc:
            fail(exc)
        except NotKept as exc:
            _not_kept(exc)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, HTTPException) as exc:
            _unreachable(f"cannot reach the DeepState API ({_why(exc)})")
        click.echo(f"deepstate:{day} -> {path}")


def _why(exc: BaseException, missing: str = "check the date") -> str:
    """Why a download failed, in words, with what to try: a name that does not resolve is
    this machine off the network (or behind a proxy), not the server being down."""
    import socket
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):  # the server answered, with an error
        redirect = 300 <= exc.code < 400  # one urllib cannot follow: a loop, no Location
        if redirect and "infinite loop" in str(exc.reason):  # (urllib's says three lines)
            return f"HTTP {exc.code}: it sends the request round in a loop; try again later"
        later = redirect or exc.code >= 500 or exc.code in (408, 429)
        fix = "try again later" if later else missing
        return f"HTTP {exc.code} {' '.join(str(exc.reason).split())}; {fix}"
    reason = getattr(exc, "reason", exc)  # (urllib wraps the socket's error)
    if isinstance(reason, socket.gaierror):
        return (
            "the server's name does not resolve: this machine seems offline; check its "
            "network connection, or set HTTPS_PROXY if it reaches the web through a proxy"
        )
    if isinstance(reason, ConnectionRefusedError | TimeoutError | socket.timeout):
        return f"{reason}; check the network connection, or try again later"
    return f"{reason}; try again later"


def _waiting(what: str):
    """A spinner on the terminal while a download runs (on a terminal only: a log or a
    pipe gets the result lines alone); a silent network holds it up to the downloads'
    deadline (``downloads``)."""
    return rich_console(stderr=True, emoji=False, markup=False).status(f"{what} …")


FIRST_DAY = Date(2022, 2, 24)  # the full-scale invasion: DeepState's history starts after it


def _not_kept(exc: NotKept) -> None:
    """End the command on a download that arrived but could not be written: the machine's
    refusal (status 1), named as a write, not as the network."""
    click.echo(environment_message(named(exc.error, exc.path), command=None), err=True)
    sys.exit(1)


def _unreachable(message: str) -> None:
    """End the command on a network failure: the machine's problem, not the input's
    (status 1, as README says for the environment)."""
    click.echo(f"error: {terminal_text(message)}", err=True)  # (a server's words in it)
    sys.exit(1)


def list_baselines() -> None:
    """The baselines this machine has, one line per kind."""
    from rich.table import Table

    from . import archive

    rows = [
        ("1991", "all of Ukraine within its 1991 borders"),
        ("contact-line", "embedded approximate line of control, 2025-08-15 (default)"),
        ("pre-2022", "embedded approximate line of 23 Feb 2022 (Crimea, ORDLO)"),
    ]
    days = archive.deepstate_dates(usable=True)
    broken: list[InputError] = []  # e.g. a month-end file cut short: said after the rest
    month_ends = [s.day for s in archive.snapshots(broken) if s.feature is not None]
    if days:
        span = (
            f"{len(days)} days from {days[0]} to {days[-1]}"
            if len(days) > 1
            else f"1 day, {days[0]}"
        )
        rows.append(("deepstate:DATE", span))
    if month_ends:
        rows.append(
            (
                "deepstate:DATE",
                f"{len(month_ends)} month-end snapshots from {month_ends[0]} to {month_ends[-1]}",
            )
        )
    if not days and not month_ends:
        given = os.environ.get("MODELLER_DATA_DIR", "").strip()
        where = (  # (set, to a file or a folder without the archive: say so, not "set it")
            f"MODELLER_DATA_DIR is {given!r:.80}, which holds no deepstate/daily/; point it at "
            if given
            else "set MODELLER_DATA_DIR to "
        )
        rows.append(
            (
                "deepstate:DATE",
                f"none found: {where}a folder with deepstate/daily/, or set "
                "MODELLER_DEEPSTATE_DIR, or run 'modeller fetch YYYY-MM-DD'",
            )
        )
    rows.append(("deepstate:own", "each scenario on the DeepState snapshot of its own date"))
    rows.append(("FILE.geojson", "your own polygons (Russian-held, or a 'status' property)"))
    rows.append(("FILE.gpkg, FILE.shp", "the same as a GeoPackage or Shapefile"))
    rows.append(("RAW.geojson", "a raw DeepState layer dump: grey zone as 'contested'"))
    rows.append(("deepstatemap_data_YYYYMMDD.geojson", "a DeepState daily file, read as its day"))
    table = Table.grid(padding=(0, 2), pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column()
    for spec, what in rows:
        table.add_row(spec, escape(what))
    rich_console(highlight=False, emoji=False).print(table)
    for exc in broken[:-1]:  # (the usable ones listed all the same: status 2, as before)
        click.echo(f"error: {terminal_text(exc)}", err=True)
    if broken:
        fail(broken[-1])
