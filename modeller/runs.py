"""One run: each scenario on its baseline, baselines loaded once (shared by cli and doctor)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from . import baselines, control, fast, yamlpos
from .errors import InputError
from .partition import BaselineInfo, Partition
from .scenario import Phase, Scenario
from .specs import named

FAR_DAYS = 31  # a stand-in map further than this from a scenario's date is a warning


@dataclass(frozen=True)
class Applied:
    """One scenario applied: its file, the baseline it ran on, and the state after each phase."""

    path: Path | None
    scenario: Scenario
    spec: str
    base: Partition
    phases: list[tuple[Phase | None, Partition]]
    note: str | None = None  # e.g. deepstate:own standing in with the nearest day
    held_in: tuple[BaselineInfo, ...] = ()  # the other baselines its held_in steps read

    @property
    def partition(self) -> Partition:
        """The final state (after the last phase)."""
        return self.phases[-1][1]

    @property
    def far(self) -> bool:
        """Whether its note is of a stand-in map more than ``FAR_DAYS`` from its date: the
        figures describe other lines than the scenario's (a warning, not a note)."""
        m = baselines.DEEPSTATE_RE.match(self.spec)
        if not self.note or m is None or self.scenario.date is None:
            return False
        return abs((Date.fromisoformat(m.group(1)) - self.scenario.date).days) > FAR_DAYS


@dataclass
class BaselineCache:
    """Baselines by spec, each loaded on first use."""

    loaded: dict[str, Partition] = field(default_factory=dict)

    def get(self, spec: str) -> Partition:
        if spec not in self.loaded:
            self.loaded[spec] = baselines.load_baseline(spec)
        return self.loaded[spec]


def baseline_spec(scenario: Scenario, override: str | None) -> tuple[str, str | None]:
    """The spec a scenario runs on: ``override``, its own ``baseline:``, or the default.

    ``deepstate:own`` becomes the scenario's own date (or the nearest archived day, with
    a note saying so).
    """
    spec = override if override is not None else scenario.baseline or baselines.DEFAULT
    spec = named(spec)  # (DEEPSTATE:OWN too: names in any letter case)
    if spec == baselines.OWN:
        return baselines.own_spec(scenario.date, scenario.id)
    return spec, None


def _baseline_line(path: Path, scenario: Scenario) -> int | None:
    """The line of a scenario file's ``baseline:`` (None: it has none, or the file has
    changed since it was read), for an error in the baseline it names."""
    if scenario.baseline is None:
        return None
    try:
        return yamlpos.line_in(path, ("baseline",))
    except InputError:
        return None


def apply_one(
    path: Path | None,
    scenario: Scenario,
    override: str | None,
    cache: BaselineCache,
    on_baseline: Callable[[str], None] | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> Applied:
    """Apply one scenario; an InputError from a step names the scenario's file.
    ``on_baseline(spec)`` is told before a baseline is loaded, ``on_step(done, total)``
    after each step (progress)."""
    # a bad MODELLER_CONTESTED is refused whatever the baseline holds, as the timeline
    # refuses it (only a map with a grey zone had said so: on the others it ran silently)
    control.contested_mode()
    try:
        spec, note = baseline_spec(scenario, override)
        if spec not in cache.loaded and on_baseline is not None:
            on_baseline(spec)
        base = cache.get(spec)
    except InputError as exc:  # a scenario's own baseline: name the scenario's file
        if path is None or (exc.file and override is not None):
            raise
        if override is not None:  # the scenario's own date, for deepstate:own: its file
            if not (named(override) == baselines.OWN and scenario.date is None):
                raise
            raise InputError(exc.message, str(path)) from None
        # (its line, and the baseline file's own place in the text: as validate says it)
        raise InputError(f"baseline: {exc}", str(path), _baseline_line(path, scenario)) from None
    try:
        # the engine's figures (to 0.01 %, tests/test_fast.py) with far fewer overlays
        read: dict[str, BaselineInfo] = {}  # (what held_in read: sources of the figures)

        def load(held_in: str) -> Partition:
            other = baselines.load_baseline(held_in)
            read.setdefault(held_in, other.baseline)
            return other

        phases = fast.apply_phases(base, scenario, load=load, on_step=on_step)
    except InputError as exc:
        line = exc.line
        if path is not None and line is None and exc.loc:  # the step's line in its file
            from .yamlpos import line_in

            line = line_in(path, exc.loc)
        raise InputError(exc.message, str(path) if path else exc.file, line) from None
    return Applied(path, scenario, spec, base, phases, note, tuple(read.values()))


def apply_all(
    loaded: list[tuple[Path | None, Scenario]],
    override: str | None = None,
    cache: BaselineCache | None = None,
) -> Iterator[Applied]:
    """Apply every scenario in order (stops at the first InputError)."""
    cache = cache if cache is not None else BaselineCache()
    for path, scenario in loaded:
        yield apply_one(path, scenario, override, cache)
