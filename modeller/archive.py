"""The DeepState archive as a list of dated snapshots: daily files plus the month-end file.

Daily files (``deepstatemap_data_YYYYMMDD.geojson``) come from the folders in
``settings.deepstate_dirs()``. The month-end file (``monthly_*.geojson``, one feature per
month with a ``date`` property) is looked for beside the daily folder, in
``$MODELLER_DATA_DIR/deepstate/`` and in ``$MODELLER_DEEPSTATE_DIR``; it gives baselines
for 2022–2024, before the daily archive starts. A daily file wins when both have a date.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from . import dates, geojson, inputs, pockets, settings
from .dates import parse_date
from .errors import InputError
from .partition import BaselineInfo
from .specs import AUTHORED, FILE_SUFFIXES
from .specs import named as named_spec

DAILY_SOURCE = (
    "DeepStateMap (deepstatemap.live) occupied-territory layer; daily snapshot archived by "
    "cyterat/deepstate-map-data (GPL-3.0)"
)
FETCHED_SOURCE = (
    "DeepStateMap (deepstatemap.live) occupied-territory layer; the day's last snapshot from "
    "its history API (modeller fetch)"
)
# what day of DeepState's map an archive's file shows (README, ``deepstate:YYYY-MM-DD``,
# from DeepState's published totals: tests/test_baselines_accuracy.py)
ARCHIVE_LAG = (
    "copied at midnight UTC opening its date, so DeepState's updates up to the evening "
    "before or earlier"
)
DAILY_NAME = re.compile(r"deepstatemap_data_\d{8}\.geojson")  # what deepstate_path looks up
DAILY_GLOB = "deepstatemap_data_*.geojson"
MONTHLY_SOURCE = (
    "DeepStateMap occupied-territory layer, month-end snapshot (derived from raw DeepState "
    "layer dumps, DanielRose2310/deepstatemaps-history)"
)
RANGE_RE = re.compile(r"^deepstate:(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$")
DAY_RE = re.compile(r"deepstate:(\d{4}-\d{2}-\d{2})")  # one day (fullmatch)
EVERY_RE = re.compile(r"^([0-9]+)\s*([dw])$")  # (ASCII digits, as dates take them)
MAX_EVERY_DAYS = 10_000


@dataclass(frozen=True)
class Snapshot:
    """One dated DeepState map: a daily file, or one feature of the month-end file."""

    day: Date
    path: Path
    feature: int | None = None  # index in the month-end file; None for a daily file

    @property
    def spec(self) -> str:
        return f"deepstate:{self.day.isoformat()}"

    @property
    def info(self) -> BaselineInfo:
        """Name, date, source and method of this snapshot as a baseline."""
        if self.feature is None:
            fetched = self.path.parent == settings.cache_dir() / "deepstate"
            # (an archive's file of day D is its copy at midnight UTC opening D: README)
            lag = "" if fetched else f", {ARCHIVE_LAG}"
            return BaselineInfo(
                self.spec,
                self.day,
                FETCHED_SOURCE if fetched else DAILY_SOURCE,
                f"snapshot file {self.path.name}{lag}, {pockets.METHOD}, clipped to the units",
            )
        return BaselineInfo(
            self.spec,
            self.day,
            MONTHLY_SOURCE,
            f"feature {self.feature + 1} of {self.path.name}, {pockets.METHOD}, "
            "clipped to the units",
        )

    def layers(self) -> tuple[dict[str, object], bool]:
        """Territory per status (``russia``, and ``contested`` where the file keeps DeepState's
        grey zone) and whether the source has a grey zone at all."""
        if self.feature is None:  # DeepState's own vertices, not densified (see geojson)
            text = inputs.read_text(self.path, "GeoJSON")
            _check_named_day(text, self.path, self.day)
            layers, grey = geojson.read_layers(self.path, densify=False, text=text)
            if "russia" in layers:
                layers["russia"] = pockets.fill(layers["russia"], layers.get("contested"))
            return layers, grey
        return {"russia": self.territory()}, False

    @property
    def grey(self) -> bool:
        """Whether the file may keep DeepState's grey zone (``modeller fetch`` writes
        ``"grey_zone": true``; the daily archive has none). Such files are measured the
        plain way, as ``run`` reads them, so a false positive costs only time."""
        if self.feature is not None:
            return False
        # the whole file (~60 ms for the full archive): the key may come after the features;
        # read as any input (a FIFO or a device named like a daily file is refused)
        return b'"grey_zone"' in inputs.read_bytes(self.path, "GeoJSON")

    def territory(self):
        """The Russian-held territory in the working CRS, read exactly as ``run`` reads it."""
        if self.feature is None:
            return self.layers()[0]["russia"]
        geometry = _monthly_features(self.path)[self.feature][1]
        try:
            layer = geojson.territory([g for _, g in geojson.features(geometry)], densify=False)
        except InputError as exc:  # the file and the feature's own number, not "geometry"
            message = exc.message.removeprefix("geometry: ")
            raise InputError(f"feature {self.feature + 1}: {message}", str(self.path)) from None
        return pockets.fill(layer)


def monthly_paths() -> list[Path]:
    """Month-end files found in the configured places (first one wins per date)."""
    folders: list[Path] = []
    for d in settings.deepstate_dirs():
        folders += [d, d.parent]
    if settings.data_dir():
        folders.append(settings.data_dir() / "deepstate")
    seen, out = set(), []
    for folder in folders:
        for path in sorted(folder.glob("monthly_*.geojson")) if folder.is_dir() else []:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                out.append(path)
    return out


@cache
def _monthly_features(path: Path) -> tuple[tuple[Date, dict], ...]:
    """(date, GeoJSON geometry) of every feature of a month-end file, parsed once."""
    return _dated(geojson.read(path), path)


@cache
def _monthly_dates(path: Path) -> tuple[Date, ...]:
    """The dates of a month-end file's features, as ``_monthly_features`` reads them, from
    its text without the coordinates (``geojson.skeleton``): listing the archive needs no
    geometry (the month-end file in ../shared: ~6 ms, against ~32 ms parsed whole)."""
    text = inputs.read_text(path, "GeoJSON")
    data = geojson.skeleton(text)  # None: it does not parse; parse says why
    return tuple(
        day for day, _ in _dated(geojson.parse(text, path) if data is None else data, path)
    )


def _dated(data: object, path: Path) -> tuple[tuple[Date, dict], ...]:
    """(date, geometry) of each feature of a parsed month-end file; InputError naming the
    feature whose date is missing or bad."""
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError("expected a GeoJSON FeatureCollection of month-end snapshots", str(path))
    out = []
    for i, f in enumerate(features):
        props = (f.get("properties") or {}) if isinstance(f, dict) else None
        if not isinstance(props, dict):
            raise InputError(
                f"feature {i + 1}: expected a Feature with a 'properties' object holding its "
                "'date'",
                str(path),
            )
        try:
            out.append((Date.fromisoformat(str(props.get("date"))[:10]), f.get("geometry")))
        except ValueError:
            raise InputError(
                f"feature {i + 1}: missing or bad 'date' property {str(props.get('date'))[:40]!r}; "
                "write YYYY-MM-DD",
                str(path),
            ) from None
    return tuple(out)


# DeepState's daily files name their day inside too, as their first member after "type":
# {"type": "FeatureCollection", "name": "deepstatemap_data_20240708", "crs": {...}, ...}
INNER_NAME = re.compile(r'\A\s*\{[^{]*?"name"\s*:\s*"deepstatemap_data_(\d{8})"')


OWN_EXPORT = re.compile(r'"modeller"\s*:\s*\{')  # its provenance member, wherever it is


def _check_named_day(text: str, path: Path, day: Date) -> None:
    """Refuse a daily file that holds a raw layer dump, or whose own top-level ``name`` or
    ``date`` (in ``text``, the file's) says another day: a copy saved under the wrong name
    would be counted as the day its file name says, silently. And one holding modeller's
    own export (its ``modeller`` member, in whatever key order a tool saved it): read as a
    map, all of Ukraine was Russian-held (baseline files given by path are told by their
    fields, ``control``)."""
    if '"modeller"' in text and OWN_EXPORT.search(text):
        raise InputError(
            f"this file is named for {day} but holds modeller's own export of a scenario's "
            f"pieces, not DeepState's map; remove it and download {day} again "
            f"(modeller fetch {day})",
            str(path),
        )
    if '"styleUrl"' in text:  # (DeepState's daily files and fetch's carry none)
        raise InputError(
            f"this file is named for {day} but holds a raw DeepState layer dump (features "
            f"styled by 'styleUrl', told apart by 'fill'), not the daily occupied layer: read "
            f"as one, every polygon in it (liberated land, the grey zone, Transnistria) would "
            f"count as Russian-held. Give it as a baseline file under another name, e.g. "
            f"deepstate_raw_{day:%Y%m%d}.geojson, which reads it with its grey zone",
            str(path),
        )
    said = _top_level_date(text, path)
    if said is not None and said[:10] != day.isoformat():  # ("2025-08-01T20:00Z" is that day)
        raise InputError(
            f'this file is named for {day} but its top-level "date" is {said[:40]!r}: rename '
            f"it for the day its map shows (deepstatemap_data_YYYYMMDD.geojson), correct the "
            f"date, or remove it and download {day} again (modeller fetch {day})",
            str(path),
        )
    m = INNER_NAME.match(text[:1024])
    if m and m.group(1) != f"{day:%Y%m%d}":
        inner = m.group(1)
        raise InputError(
            f'this file is named for {day} but holds the map of another day (its "name" is '
            f"deepstatemap_data_{inner}); rename it to deepstatemap_data_{inner}.geojson, "
            f"or remove it and download {day} again (modeller fetch {day})",
            str(path),
        )


def _top_level_date(text: str, path: Path) -> str | None:
    """A daily file's own top-level ``date`` as text (DeepState's files have none; a file
    saved by another tool may), or None. Parsed only when the text holds a "date" key."""
    if '"date"' not in text:
        return None
    data = geojson.parse(text, path)
    said = data.get("date") if isinstance(data, dict) else None
    return None if said is None else str(said)


def deepstate_path(day: Date) -> Path | None:
    """The daily file of ``day`` in the first configured folder that has it."""
    name = f"deepstatemap_data_{day:%Y%m%d}.geojson"
    for folder in settings.deepstate_dirs():  # (a broken link too: reading it says so)
        if os.path.lexists(folder / name):
            return folder / name
    return None


def deepstate_dates(usable: bool = False) -> list[Date]:
    """Every date with a daily file in the configured archive folders (``usable``: only
    those whose file is a file with something in it; a folder, an empty file or a broken
    link of a daily name is no day to count or offer as the nearest one, but asked for by
    its date, reading it says what is wrong)."""
    return sorted(_daily_files(usable))


def _daily_files(usable: bool = False) -> dict[Date, Path]:
    """Each date's daily file, from the first configured folder that has one (as
    ``deepstate_path`` finds it, from one listing of each folder)."""
    days: dict[Date, Path] = {}
    for folder in settings.deepstate_dirs():
        for p in folder.glob(DAILY_GLOB):
            if not DAILY_NAME.fullmatch(p.name):  # e.g. deepstatemap_data_copy_20300107
                continue
            if usable and not _usable(p):
                continue
            try:
                day = datetime.strptime(p.stem[-8:], "%Y%m%d").date()
            except ValueError:
                continue
            if dates.EARLIEST <= day <= dates.LATEST:  # (not a copy named 99991231)
                days.setdefault(day, p)
    return days


def _usable(path: Path) -> bool:
    """Whether a daily file is a regular file with something in it."""
    try:
        st = path.stat()
    except OSError:  # a broken link, or one that loops
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size > 0


def snapshots(broken: list | None = None) -> list[Snapshot]:
    """Every snapshot available on this machine, by date (daily files win over month-ends).

    ``broken``: where a month-end file that cannot be read (cut short, say) puts its
    InputError, its days left out; None: the InputError is raised."""
    by_day: dict[Date, Snapshot] = {}
    for path in monthly_paths():
        try:
            found = _monthly_dates(path)
        except InputError as exc:
            if broken is None:
                raise
            broken.append(exc)
            continue
        for i, day in enumerate(found):
            by_day.setdefault(day, Snapshot(day, path, i))
    for day, path in _daily_files().items():
        by_day[day] = Snapshot(day, path)
    return [by_day[d] for d in sorted(by_day)]


def monthly_snapshot(day: Date) -> Snapshot | None:
    """The month-end snapshot of ``day``, if a month-end file has that date."""
    for path in monthly_paths():
        for i, d in enumerate(_monthly_dates(path)):
            if d == day:
                return Snapshot(d, path, i)
    return None


def holds(day: Date) -> bool:
    """Whether the archive has a snapshot of ``day`` (a daily file or a month-end one)."""
    return deepstate_path(day) is not None or monthly_snapshot(day) is not None


def not_held(day: Date, available: list[Snapshot] | None = None) -> InputError:
    """The error for a day the archive does not hold: what it holds and the nearest days
    (``available``: the snapshots to name, by default the whole archive)."""
    available = snapshots() if available is None else available  # daily and month-end
    if not available:
        return no_archive(day)
    offered = [s for s in available if s.feature is not None or _usable(s.path)] or available
    nearest = dates.nearest([s.day for s in offered], day, 3)
    return InputError(
        f"deepstate:{day} is not in the archive ({describe(available)}); "
        f"nearest: {', '.join(f'deepstate:{d}' for d in nearest)}{_data_dir_unused(available)}"
    )


def _data_dir_unused(available: list[Snapshot]) -> str:
    """A note when MODELLER_DATA_DIR is set but gave none of the days (a misspelt folder had
    gone unmentioned once the cache held a fetched day: the archive seemed to be that day)."""
    given = os.environ.get("MODELLER_DATA_DIR")
    if not given:
        return ""
    try:  # (its own files, however linked: a link to a shared archive is one)
        if any((settings.data_dir() / "deepstate" / "daily").glob(DAILY_GLOB)):
            return ""
    except (InputError, OSError, RuntimeError, ValueError):
        pass
    return (
        f" ({_data_dir_said(given[:200])}; point it at a folder with "
        "deepstate/daily/deepstatemap_data_YYYYMMDD.geojson files)"
    )


def _data_dir_said(given: str) -> str:
    """What MODELLER_DATA_DIR (``given``) is when it holds no archive: a folder without the
    daily files, or no folder at all (a misspelt one had been said to hold no files)."""
    try:
        there = settings.data_dir().is_dir()
    except (InputError, OSError):
        there = False
    holds = "which holds no deepstate/daily/ files" if there else "which is no folder here"
    return f"MODELLER_DATA_DIR is {given!r}, {holds}"


def no_archive(day=None) -> InputError:
    """The error for a DeepState baseline when no archive is found at all: where to put one
    (and, for one day, how to fetch it)."""

    fetch = (  # (the timeline's range too: the days can be fetched one by one)
        f", or run 'modeller fetch {day}' where the network is available"
        if day
        else ", or run 'modeller fetch YYYY-MM-DD' for each day where the network is available"
    )
    given = os.environ.get("MODELLER_DATA_DIR")
    where = (  # set, but to a folder without the archive: say so rather than "set it"
        f"{_data_dir_said(given)}; point it at " if given else "set MODELLER_DATA_DIR to "
    )
    return InputError(
        f"no DeepState archive found{f' for deepstate:{day}' if day else ''}; {where}"
        "a folder with deepstate/daily/deepstatemap_data_YYYYMMDD.geojson "
        f"files (e.g. ../shared/data) or set MODELLER_DEEPSTATE_DIR{fetch}"
    )


def describe(available: list[Snapshot]) -> str:
    """What the archive holds, for error messages: daily and month-end ranges."""
    parts = []
    for kind, items in (
        ("daily", [s for s in available if s.feature is None]),
        ("month-end", [s for s in available if s.feature is not None]),
    ):
        if items:
            parts.append(f"{kind} {items[0].day} … {items[-1].day} ({len(items)} dates)")
    return "; ".join(parts) or "nothing"


def parse_every(text: str | None) -> int:
    """Days between kept snapshots from '7d' / '2w' (None: keep every snapshot)."""
    if text is None:
        return 0
    m = EVERY_RE.match(str(text).strip().lower())
    if m and len(m.group(1)) > 6:  # a number, only far too large
        raise InputError(
            f"bad --every '{str(text)[:40]}': longer than the archive could span; use at most "
            f"{MAX_EVERY_DAYS:,}d"
        )
    if m and int(m.group(1)) < 1:
        raise InputError(
            f"bad --every '{str(text)[:40]}': the days between snapshots must be at least 1 "
            "(e.g. 7d or 2w); leave --every out to keep every snapshot"
        )
    if not m:
        raise InputError(
            f"bad --every '{str(text)[:40]}': write a number of days or weeks, e.g. 7d or 2w"
        )
    days = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
    if days > MAX_EVERY_DAYS:
        raise InputError(
            f"bad --every '{text}': {days:,} days is longer than the archive could span; "
            f"use at most {MAX_EVERY_DAYS:,}d (one snapshot every ~27 years)"
        )
    return days


def select(spec: str, available: list[Snapshot]) -> list[Snapshot]:
    """Snapshots named by 'deepstate:A..B' (either end may be left open) or 'deepstate:DATE'."""
    m = RANGE_RE.match(spec.strip())
    if m is None:
        single = DAY_RE.fullmatch(spec.strip())
        if spec.strip() == "deepstate:own":  # run's, not a date
            raise InputError(
                "deepstate:own is run's (each scenario on its own date's map); a timeline "
                "takes dates: deepstate:FROM..TO or deepstate:YYYY-MM-DD, e.g. "
                "deepstate:2025-01-01.."
            )
        if single is None:
            raise InputError(
                f"bad baseline range '{spec}': write deepstate:YYYY-MM-DD..YYYY-MM-DD "
                "(either end may be left out) or deepstate:YYYY-MM-DD"
            )
        day = parse_date(single.group(1), f"'{spec}'")
        if not available:
            raise no_archive(day)
        hit = [s for s in available if s.day == day]
        if not hit:
            raise not_held(day, available)
        return hit
    # the dates first: a mistyped one is said as such, archive or not
    given = [parse_date(d, f"'{spec}'") if d else None for d in (m.group(1), m.group(2))]
    if None not in given and given[0] > given[1]:
        raise InputError(
            f"bad baseline range '{spec}': it starts on {given[0]}, after its end {given[1]}"
        )
    if not available:
        raise no_archive()
    first, last = available[0].day, available[-1].day
    start, end = given[0] or first, given[1] or last
    if start > end:  # one end left open (two given in the wrong order are said above)
        said = (
            f"it ends on {end}, before the archive's first day {first}"
            if m.group(2)
            else f"it starts on {start}, after the archive's last day {last}"
        )
        raise InputError(f"bad baseline range '{spec}': {said}")
    if end < first or start > last:
        raise InputError(f"'{spec}' lies outside the archive; available: {describe(available)}")
    chosen = [s for s in available if start <= s.day <= end]
    if not chosen:  # a gap in the archive: the days on either side, as for one day
        days = [a.day for a in available]
        near = sorted({*dates.nearest(days, start, 2), *dates.nearest(days, end, 2)})
        raise InputError(
            f"no snapshot between {start} and {end}; nearest: "
            + ", ".join(f"deepstate:{d}" for d in near)
        )
    return chosen


def parse_specs(
    specs: str, every: str | None = None, notes: list[str] | None = None
) -> tuple[list[Snapshot], list[str]]:
    """Comma-separated baseline specs: DeepState snapshots (ranges thinned to one per
    ``every``; days named one by one kept) and the other specs, which are evaluated the
    plain way. ``notes``, when given, gets a line for each range that runs beyond the
    archive (``_outside``)."""
    step = parse_every(every)
    chosen: list[Snapshot] = []  # from ranges: thinned by ``every``
    named: list[Snapshot] = []  # days named one by one: kept (--every had dropped them)
    # each range's last day: kept (a range to 15 Aug thinned weekly had ended on 10 Aug,
    # and a proposal of 15 Aug fell outside the charts)
    ends: list[Snapshot] = []
    others: list[str] = []
    available = None
    broken: list[InputError] = []  # month-end files that do not read (their days left out)
    for given in split_specs(specs):
        # names in any letter case, as run reads them (PRE-2022 had been refused)
        spec = given if _is_file_name(given) else given.lower()
        if not spec:
            continue
        if spec.startswith("deepstate") and not _is_file_name(spec):
            available = available if available is not None else snapshots(broken)
            if broken and _beyond_daily(spec, available):  # (else no month-end is needed)
                raise broken[0]
            try:
                picked = select(spec, available)
            except InputError as exc:  # said as written ('…T00' had been echoed as '…t00')
                message = exc.message.replace(f"'{spec.strip()}'", f"'{given.strip()}'")
                raise dataclasses.replace(exc, message=message) from None
            if notes is not None and (said := _outside(given, spec, available)):
                notes.append(said)
            (chosen if RANGE_RE.match(spec.strip()) else named).extend(picked)
            if RANGE_RE.match(spec.strip()) and picked:
                ends.append(max(picked, key=lambda s: s.day))
        elif spec in ("1991", *AUTHORED):
            if spec not in others:  # named twice: one baseline (as a DeepState day is)
                others.append(spec)
        elif _is_file_name(spec):  # a missing file: said before the DeepState days
            spec = named_spec(spec)  # (~/… as the home folder's, as run reads it)
            inputs.check_file(Path(spec), inputs.geo_format(spec))
            if not any(_same_file(spec, other) for other in others):
                others.append(spec)
        else:  # said now, not after the DeepState days are planned and measured
            raise InputError(f"unknown baseline '{given[:80]}' in --baselines; valid: {RANGE_HELP}")
    kept = set(thin(sorted(set(chosen), key=lambda s: s.day), step)) | set(named) | set(ends)
    return sorted(kept, key=lambda s: s.day), others


def _outside(given: str, spec: str, available: list[Snapshot]) -> str | None:
    """A line when the range ``spec`` (``given`` as written) has an end beyond the archive:
    a timeline takes the archive's days only (a range to 2030 had ended on its last day
    without a word, one from year 1 begun on its first)."""
    m = RANGE_RE.match(spec.strip())
    if m is None or not available:
        return None
    first, last = available[0].day, available[-1].day
    start, end = (Date.fromisoformat(d) if d else None for d in m.groups()[:2])  # (checked)
    beyond = [
        *([f"its first map is of {first}"] if start is not None and start < first else []),
        *([f"its last map is of {last}"] if end is not None and end > last else []),
    ]
    if not beyond:
        return None
    within = " and ".join(beyond)
    return f"{given.strip()[:80]} runs beyond the archive ({within}): its days within it only"


def _beyond_daily(spec: str, available: list[Snapshot]) -> bool:
    """Whether a spec may name a day that only a month-end file can hold: a day without a
    daily file (in ``available``) in its span, or an open start (the archive's first day may
    be a month-end's). A month-end file cut short had stopped a timeline of daily files only."""
    m = RANGE_RE.match(spec.strip())
    single = DAY_RE.fullmatch(spec.strip())
    try:
        if m is not None:
            start, end = (parse_date(d, f"'{spec}'") if d else None for d in m.groups()[:2])
        elif single is not None:
            start = end = parse_date(single.group(1), f"'{spec}'")
        else:
            return True  # (select says what is wrong with it)
    except InputError:
        return True
    daily = {s.day for s in available if s.feature is None}
    if start is None or not daily:
        return True
    end = end or max(daily)
    days = (start + timedelta(days=k) for k in range(max(0, (end - start).days) + 1))
    return any(d not in daily for d in days)


def split_specs(specs: str) -> list[str]:
    """The comma-separated specs of ``--baselines``, stripped; commas that join parts of
    an existing file's name keep them together ("my map, v2.geojson" had been read as the
    unknown baseline 'my map')."""
    parts = specs.split(",")
    out, i = [], 0
    while i < len(parts):
        j = i + 1
        if not _known(parts[i].strip()):  # the longest run of parts naming a file
            for k in range(len(parts), i + 1, -1):
                name = ",".join(parts[i:k]).strip()
                if _is_file_name(name) and _is_file(name):
                    j = k
                    break
        out.append(",".join(parts[i:j]).strip())
        i = j
    return out


def _is_file(name: str) -> bool:
    """Whether a file of that name exists (False where the name cannot be looked up: too
    long, a folder that may not be read)."""
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def _known(spec: str) -> bool:
    """Whether a spec is one of the named kinds (a DeepState range or day, 1991, ...)."""
    return spec in ("", "1991", *AUTHORED) or (
        spec.startswith("deepstate") and not _is_file_name(spec)
    )


def _same_file(spec: str, other: str) -> bool:
    """Whether two baseline specs name one file (written the same way or not)."""
    try:
        return _is_file_name(other) and Path(spec).resolve() == Path(other).resolve()
    except OSError:
        return False


RANGE_HELP = (
    "deepstate:FROM..TO (either end may be left out), deepstate:YYYY-MM-DD, 1991, "
    "contact-line, pre-2022, or a .geojson/.gpkg/.shp file with a top-level 'date'"
)


def missing_days(chosen: list[Snapshot], specs: str | None = None) -> list[Date]:
    """Days for which the archive has no daily map, within the ranges asked for: a timeline
    leaves them out, and says so.

    ``specs``: the ``--baselines`` text the snapshots were chosen by (``parse_specs``); the
    gaps are looked for over each of its ranges, from its ends where given (within the
    archive), else from the first and last day chosen (days named one by one leave no gap
    between them). None: between the first and last daily
    snapshot chosen.
    """
    daily = sorted(s.day for s in chosen if s.feature is None)
    if specs is None:
        spans = [(daily[0], daily[-1])] if daily else []
    else:
        spans = []
        for spec in split_specs(specs):
            m = RANGE_RE.match(spec.lower())
            if m is None:
                continue
            start = Date.fromisoformat(m.group(1)) if m.group(1) else Date.min
            end = Date.fromisoformat(m.group(2)) if m.group(2) else Date.max
            inside = [d for d in daily if start <= d <= end]
            if inside:  # an end given: from it (within the archive), so that days missing
                # at a range's ends are said too (they had been skipped without a note)
                known = deepstate_dates()
                lo = max(start, min(known)) if m.group(1) and known else inside[0]
                hi = min(end, max(known)) if m.group(2) and known else inside[-1]
                spans.append((min(lo, inside[0]), max(hi, inside[-1])))
    have = set(deepstate_dates()) if spans else set()
    gaps = {
        first + timedelta(days=i) for first, last in spans for i in range((last - first).days + 1)
    }
    return sorted(gaps - have)


def thin(items: list[Snapshot], every_days: int) -> list[Snapshot]:
    """Keep the first snapshot, then each one at least ``every_days`` after the last kept."""
    if every_days <= 1:
        return items
    kept: list[Snapshot] = []
    for s in items:
        if not kept or s.day - kept[-1].day >= timedelta(days=every_days):
            kept.append(s)
    return kept


def _is_file_name(spec: str) -> bool:
    """A baseline file (deepstatemap_data_20250815.geojson), not a deepstate: spec."""
    return Path(spec).suffix.lower() in FILE_SUFFIXES
