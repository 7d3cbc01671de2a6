"""Scenario files: pydantic models of the YAML (steps and selectors) and their loading."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import inputs
from .errors import InputError
from .gazetteer import hints_at_most
from .scenario_errors import LocatedError, StatusError, describe, in_file, one_per_place
from .scenario_paths import is_shipped, scenario_files, shown
from .scenario_selectors import (
    BaselineSpec,
    Model,
    Selector,
)
from .scenario_values import (
    Address,
    Citation,
    IsoDate,
    Label,
    Prose,
    Title,
    invisible,
)
from .specs import FILE_SUFFIXES
from .statuses import BUILTIN_STATUSES
from .textsafe import visible_text
from .yamlpos import (
    MAX_STEPS,
    invisible_in,
    line_of,
    load_with_lines,
    too_many_steps,
    value_control,
)

MAX_ID = 80  # ids name files (<id>.html, .png, .svg): well under the 255-byte limit
MAX_BANDS = 16  # different bands in a scenario (_few_enough_selectors)
MAX_SELECTORS = 2000  # items of any_of/all_of lists in a scenario (_few_enough_selectors)


RECOGNITION = ("de_jure", "de_facto")


class Step(Model):
    """Assign a status to the selected area; later steps override earlier ones.

    ``recognition`` records how the assignment is recognised (de jure or de facto); a
    later step covering the same land without it clears it.
    """

    assign: str
    where: Selector
    recognition: Literal["de_jure", "de_facto"] | None = None
    note: Prose | None = None


def _short(value: str, what: str, why: str = "") -> str:
    """``value`` unless longer than ``MAX_ID``: ids and status names name files, head table
    columns and fill CSV cells."""
    if len(value) > MAX_ID:
        raise ValueError(
            f"{what} is {len(value)} characters long; keep it to {MAX_ID} or fewer{why}"
        )
    return value


def _checked_id(value: str, what: str, example: str) -> str:
    """``value`` if it is an id (a-z, digits and hyphens), else an error saying so (naming
    a look-alike letter from another alphabet: 'donеtsk' with a Cyrillic е looks right)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        foreign = next((c for c in value if c.isalpha() and not c.isascii()), None)
        if foreign is not None:
            named = unicodedata.name(foreign, f"U+{ord(foreign):04X}")
            raise ValueError(
                f"{what} {value[:80]!r} has {foreign!r} ({named}), which is not ASCII: "
                f"an id is a-z, digits and hyphens, e.g. {example!r}"
            )
        first = " starting with a letter or digit" if re.fullmatch(r"-[a-z0-9-]*", value) else ""
        raise ValueError(  # ('-x' is those, but had been told only that it must be)
            f"{what} {value[:80]!r} must be lower-case letters, digits and hyphens{first}, "
            f"e.g. {example!r}"
        )
    return value


class Phase(Model):
    """One stage of a staged proposal; the tables show the state after each phase."""

    id: str
    title: Title
    steps: list[Step] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _short_id(cls, value: str) -> str:
        """A phase id heads table rows and CSV cells: as short as a scenario's (a 5,000
        letter one had been taken)."""
        return _short(_checked_id(value, "phase id", "first-stage"), "phase id")


class Report(Model):
    """Where the terms were reported."""

    source: Citation
    date: IsoDate
    url: Address | None = None


# Cyrillic and Greek small letters drawn as Latin ones (after casefold): "Ukrаine" with a
# Cyrillic а reads as "Ukraine"
LOOKALIKES = str.maketrans("аеорсухіјѕԁһӏԛԝѵοανρικυ", "aeopcyxijsdhlqwvoavpiku")


def _reads(label: str) -> str:
    """A label as a reader tells it from others: invisible characters (zero-width spaces)
    dropped, compatibility forms folded, spaces collapsed, letter case ignored, Cyrillic
    and Greek letters that look Latin read as those (``LOOKALIKES``)."""
    text = unicodedata.normalize("NFKC", label)
    text = "".join(ch for ch in text if not invisible(ch))
    return " ".join(text.split()).casefold().translate(LOOKALIKES)


class StatusDef(Model):
    label: Label
    colour: str

    @field_validator("colour")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError(
                f"colour '{visible_text(value[:40])}' is not a colour as the maps take it: "
                "write '#' and six hex digits (red, green, blue; the pattern #rrggbb), "
                "e.g. '#7570b3'"
            )
        return value


class Scenario(Model):
    """A reported proposal: who gets what, as ordered steps applied to a baseline."""

    id: str
    title: Title
    summary: Prose = ""
    reported: list[Report] = Field(default_factory=list)
    baseline: BaselineSpec | None = None
    date: IsoDate | None = None
    statuses: dict[str, StatusDef] = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    notes: Prose | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        value = _checked_id(value, "id", "full-donbas-withdrawal")
        return _short(value, "id", " (it names the scenario's map page and images)")

    @field_validator("statuses")
    @classmethod
    def _no_builtin_redefinition(cls, value: dict[str, StatusDef]) -> dict[str, StatusDef]:
        for name in value:
            if name in BUILTIN_STATUSES:
                raise ValueError(
                    f"'{name}' is a built-in status and cannot be redefined (tables would "
                    f"mislabel it); declare a new name, e.g. '{name}_zone'"
                )
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"status name '{name[:80]}' must be lower_snake_case")
            # (it heads columns and fills CSV cells; the label is what reads)
            _short(name, f"status name '{name[:40]}…'", " and give the long text as its label")
        # a label that reads as another status's: tables would show two 'Ukraine' rows
        taken = {_reads(v["label"]): k for k, v in BUILTIN_STATUSES.items()}
        taken |= {_reads(k): k for k in BUILTIN_STATUSES}  # 'Contested' for 'contested'
        for name, status in value.items():
            same = taken.get(_reads(status.label))
            if same is not None and same != name:
                alike = sorted({c for c in status.label.casefold() if ord(c) in LOOKALIKES})
                named = ", ".join(f"'{c}' is {unicodedata.name(c)}" for c in alike[:3])
                raise ValueError(
                    f"status '{name}' is labelled {status.label[:80]!r}, which "
                    f"reads as status '{same}'" + (f" ({named})" if named else "") + ": "
                    "tables and legends could not tell them apart; give it a label of its "
                    "own (e.g. 'Demilitarised zone')"
                )
            taken[_reads(status.label)] = name
        return value

    @model_validator(mode="before")
    @classmethod
    def _few_enough_selectors(cls, data: object) -> object:
        """Refuse more than ``MAX_STEPS`` steps, or ``MAX_SELECTORS`` selectors in
        any_of/all_of lists, before any is read: one step of 30,000 discs had run 49 s
        without a word (steps are capped, lists had not been)."""
        if not isinstance(data, dict):
            return data
        steps = [(("steps", i), s) for i, s in enumerate(_listed(data.get("steps")))]
        for j, phase in enumerate(_listed(data.get("phases"))):
            inner = phase.get("steps") if isinstance(phase, dict) else None
            steps += [(("phases", j, "steps", i), s) for i, s in enumerate(_listed(inner))]
        if len(steps) > MAX_STEPS:  # before any is read: a million '- {}' had taken 29 s and
            raise LocatedError(  # 3 GB of errors, one an item, before the count was said
                too_many_steps(len(steps)), ("steps",) if data.get("steps") else ("phases",)
            )
        total, bands = 0, set()
        for loc, step in steps:
            bands |= _bands_in(step)
            if len(bands) > MAX_BANDS:  # each band draws its zone: 1,000 of them had run
                raise LocatedError(  # for minutes without a word (40: 2 s, 100: 9 s)
                    f"more than {MAX_BANDS} different bands (depth and side) by this step; "
                    "a proposal has one or two: give bands the same depth where the "
                    "proposal allows, or split the file into several scenarios",
                    (*loc, "where"),
                )
            total += _listed_selectors(step)
            if total > MAX_SELECTORS:
                raise LocatedError(
                    f"more than {MAX_SELECTORS:,} selectors in 'any_of'/'all_of' lists (by "
                    f"this step, {total:,}); a proposal has tens: unite places in one "
                    "polygon, or split the file into several scenarios",
                    (*loc, "where"),
                )
        return data

    @model_validator(mode="after")
    def _steps_or_phases(self, info: ValidationInfo) -> Scenario:
        # a scenario says what changes hands, if only that nothing does ('steps: []'): a
        # file that had left the key out (half written) ran as a freeze, said as "0 steps"
        if not {"steps", "phases"} & self.model_fields_set:
            raise ValueError(
                "no 'steps' (or 'phases'): list what changes hands as steps, or write "
                "'steps: []' for a scenario in which nothing does (a freeze on the baseline)"
            )
        # a file's 'steps: []' beside its phases too (code may set both, one of them empty)
        both = {"steps", "phases"} <= self.model_fields_set and info.context is not None
        if both or self.steps and self.phases:
            raise ValueError(
                "give either 'steps' or 'phases' (each phase with its own steps), not both"
            )
        if "phases" in self.model_fields_set and not self.phases:
            raise LocatedError(
                "'phases' is empty: list the phases, each with its steps, or write "
                "'steps: []' for a scenario in which nothing changes hands",
                ("phases",),
            )
        ids = [p.id for p in self.phases]
        again = next((i for i, p in enumerate(ids) if p in ids[:i]), None)
        if again is not None:
            raise LocatedError(
                f"phase id '{ids[again]}' is given twice (phases {ids.index(ids[again]) + 1} "
                f"and {again + 1}); phase ids must be unique",
                ("phases", again, "id"),
            )
        return self

    @property
    def numbered_steps(self) -> list[tuple[Phase | None, int, Step]]:
        """Every step in order with its phase and its 1-based number (as users count them)."""
        if not self.phases:
            return [(None, i, s) for i, s in enumerate(self.steps, start=1)]
        return [(p, i, s) for p in self.phases for i, s in enumerate(p.steps, start=1)]

    def step_loc(self, phase: Phase | None, number: int) -> tuple:
        """Where step ``number`` of ``phase`` selects, as a location in the file (for
        ``yamlpos``: an error found while applying it gets that line)."""
        prefix = ("phases", self.phases.index(phase)) if phase is not None else ()
        return (*prefix, "steps", number - 1, "where")

    @model_validator(mode="after")
    def _statuses_declared(self) -> Scenario:
        valid = self.status_names
        for phase, number, step in self.numbered_steps:
            i = number - 1
            prefix = ("phases", self.phases.index(phase)) if phase is not None else ()
            values = [(step.assign, "assign")]
            for sel in step.where.walk():
                values.append((sel.held_by, "where.held_by"))
                if sel.band is not None and sel.band.side != "both":
                    values.append((sel.band.side, "where.band.side"))
                if sel.held_in is not None:  # a status of another baseline: a built-in one
                    values.append((sel.held_in.status, "where.held_in.status"))
            for value, where in values:
                # held_by, a band's side and held_in name a holder in a baseline: only the
                # built-in statuses (a declared 'dmz' there had selected nothing, silently
                # in validate, and its error had advised declaring it)
                choices = {
                    "where.band.side": ["both", *BUILTIN_STATUSES],
                    "where.held_by": list(BUILTIN_STATUSES),
                    "where.held_in.status": list(BUILTIN_STATUSES),
                }.get(where, valid)
                if value is not None and value not in choices:
                    raise StatusError(prefix, i, where, value, choices, phase, valid)
        return self

    @property
    def status_names(self) -> list[str]:
        return [*BUILTIN_STATUSES, *(s for s in self.statuses if s not in BUILTIN_STATUSES)]

    @property
    def digest(self) -> str:
        """Short content hash of the scenario (provenance in every output): of its terms,
        and of each file's content in place of its path, polygon and baseline files alike
        (a file changed under the same name changes the hash; the same files elsewhere on
        disk keep it)."""
        bases = [self.baseline]
        polygons = []
        for _, _, step in self.numbered_steps:
            for sel in step.where.walk():
                polygons += [sel.polygon.file] if sel.polygon and sel.polygon.file else []
                bases += [sel.held_in.baseline] if sel.held_in else []
        bases = [b for b in bases if b and Path(b).suffix.lower() in FILE_SUFFIXES]
        files = {f: _file_digest(f) for f in polygons + bases}

        def content(node):
            if isinstance(node, dict):
                return {k: content(v) for k, v in node.items()}
            if isinstance(node, list):
                return [content(v) for v in node]
            return files.get(node, node) if isinstance(node, str) else node

        terms = content(self.model_dump(mode="json", exclude_defaults=True, by_alias=True))
        blob = json.dumps(terms, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


def _listed(value: object) -> list:
    return value if isinstance(value, list) else []


def _selector_nodes(step: object):
    """Each selector mapping of a raw (YAML) step, at any depth of its any_of/all_of/not
    (not inside a polygon's GeoJSON), once (a structure built in code may hold itself)."""
    seen = set()
    todo = [step.get("where")] if isinstance(step, dict) else []
    while todo:
        node = todo.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        for key in ("any_of", "all_of"):
            if isinstance(node.get(key), list):
                todo += node[key]
        todo.append(node.get("not"))


def _bands_in(step: object) -> set[str]:
    """The distinct bands (as text) a raw (YAML) step's selectors name, at any depth."""
    return {
        repr(sorted(node["band"].items(), key=lambda kv: str(kv[0])))
        for node in _selector_nodes(step)
        if isinstance(node.get("band"), dict)
    }


def _listed_selectors(step: object) -> int:
    """How many items the any_of/all_of lists in a raw (YAML) step hold, at any depth."""
    return sum(
        len(node[key])
        for node in _selector_nodes(step)
        for key in ("any_of", "all_of")
        if isinstance(node.get(key), list)
    )


def _file_digest(path: str) -> str:
    """ "sha256:…" of a polygon or baseline file (a Shapefile with its sidecars); its path
    when it can no longer be read (the error comes when it is read for the figures)."""
    try:
        return "sha256:" + inputs.digest(Path(path))
    except OSError:
        return path


SHOWN_ERRORS = 20  # a file's problems an error lists (then how many more there are)


def load_scenario(path: Path) -> Scenario:
    """Parse and validate one scenario file; InputError names file:line and the fix."""
    path = Path(path)
    data, lines = load_with_lines(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping with id, title, steps, ...", str(path), 1)
    if data.get("type") in inputs.GEOJSON_OBJECTS and not {"id", "title"} & data.keys():
        raise InputError(
            f"this is GeoJSON (a {data['type']}), not a scenario: a scenario is YAML with id, "
            "title and steps. Polygons are used in a step (where: {polygon: {file: "
            f"{path.name}}}}}) or as a baseline (--baseline {path.name})",
            str(path),
            1,
        )
    try:
        with hints_at_most(SHOWN_ERRORS):
            sc = Scenario.model_validate(data, context={"folder": path.parent})
        if (hidden := invisible_in(data)) is not None:
            raise InputError(hidden[1], str(path), line_of(lines, hidden[0]))
        return sc
    except LocatedError as exc:  # raised outside pydantic's wrapping in some versions
        raise InputError(str(exc), str(path), line_of(lines, exc.loc)) from None
    except ValidationError as exc:
        # Unknown keys first: a misspelt key also makes the real one look missing.
        errors = sorted(
            one_per_place(in_file(exc.errors(), data)),
            key=lambda e: e["type"] != "extra_forbidden",
        )
        # Status errors come wrapped as value errors at the model root: use their own loc.
        first = errors[0]
        inner = (first.get("ctx") or {}).get("error")
        if isinstance(inner, LocatedError):
            raise InputError(str(inner), str(path), line_of(lines, inner.loc)) from None
        loc, message = describe(first, Scenario)
        for other in errors[1:SHOWN_ERRORS]:  # each problem with its own line, the first few
            other_loc, other_message = describe(other, Scenario)
            message += f"\n{path}:{line_of(lines, other_loc)}: {other_message}"
        if len(errors) > SHOWN_ERRORS:
            more = len(errors) - SHOWN_ERRORS
            message += f"\n{path}: … and {more:,} more problem{'s' if more > 1 else ''}"
        raise InputError(message, str(path), line_of(lines, loc)) from None


def revalidated(sc: Scenario) -> Scenario:
    """A Scenario object checked again as its file was: one built or changed in code
    (``model_copy(update=…)``, a list appended to) has skipped pydantic's checks, and an
    undeclared status or an unknown oblast would pass into the figures unseen.

    A field never set and still at its default is left out, as a file leaves out a key:
    a scenario built with ``model_construct`` and no steps is refused as a file without
    them is (it had run as a freeze); a list set in place (``sc.steps.append``) is kept.
    A key no Scenario has (``model_copy(update={"stpes": …})``, which keeps it aside
    unread) is refused as a file's is (it had been dropped unseen).
    """
    try:  # (no serializer warnings: a field set to a plain dict is what is checked here)
        data = sc.model_dump(by_alias=True, warnings=False)
        for name, field in Scenario.model_fields.items():
            unset = name not in sc.model_fields_set
            if unset and getattr(sc, name, None) == field.get_default(call_default_factory=True):
                data.pop(field.alias or name, None)
        data.update({k: v for k, v in vars(sc).items() if k not in Scenario.model_fields})
        checked = Scenario.model_validate(data)
    except RecursionError:  # (a selector nested thousands deep, or in itself: code only)
        raise InputError(
            f"scenario '{getattr(sc, 'id', '?')}': its selectors nest too deep (or in "
            "themselves); a file allows 60 levels"
        ) from None
    except LocatedError as exc:
        raise InputError(f"scenario '{sc.id}': {exc}") from None
    except ValidationError as exc:
        first = one_per_place(in_file(exc.errors(), data))[0]
        inner = (first.get("ctx") or {}).get("error")
        message = str(inner) if isinstance(inner, LocatedError) else describe(first, Scenario)[1]
        raise InputError(f"scenario '{getattr(sc, 'id', '?')}': {message}") from None
    except (AttributeError, TypeError) as exc:  # a field set to something dump cannot read
        raise InputError(f"scenario '{getattr(sc, 'id', '?')}' is malformed: {exc}") from None
    for where, text in _texts(data):  # as a file's values are (an ESC had reached the pages)
        if (said := value_control(text)) is not None:
            raise InputError(f"scenario '{checked.id}': {where or 'a value'}: {said}")
    return checked


def _texts(data: object, where: str = "") -> Iterator[tuple[str, str]]:
    """(where, text) of every string in a scenario's dumped fields, e.g. ``steps[2].note``."""
    if isinstance(data, str):
        yield where, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            yield from _texts(value, f"{where}[{i}]")


def duplicate_id(scenario_id: str, path: Path, first: Path | None, own: bool = False) -> InputError:
    """The error for a second file of an id, at its ``id:`` line, with the fix (it had named
    neither, and a shipped file by its site-packages path). ``first``: the other file
    (None: a Scenario object); ``own``: of a shipped file and one of yours, name yours (a
    run's one error; not validate's line per file, where the error is the second file's)."""
    if own and first is not None and is_shipped(path) and not is_shipped(first):
        path, first = first, path
    said = "a Scenario object" if first is None else shown(first)
    try:  # (the file was read before: it reads again; the id's line, as for any error)
        line = line_of(load_with_lines(Path(path))[1], ("id",))
    except (InputError, OSError):
        line = None
    return InputError(
        f"duplicate scenario id '{scenario_id}' (also in {said}): each scenario needs its own "
        "id, which names its outputs (maps/<id>.html); give this one another",
        shown(path),
        line,
    )


def each_scenario(files: list[Path]) -> Iterator[tuple[Path, Scenario | InputError]]:
    """Each file's scenario, or the InputError that refuses it (the file's own error, or
    an id an earlier file has): every file told, as ``validate`` and ``doctor`` tell them."""
    seen: dict[str, Path] = {}
    for path in files:
        try:
            sc = load_scenario(path)
            if sc.id in seen:
                raise duplicate_id(sc.id, path, seen[sc.id])
        except InputError as exc:
            yield path, exc
            continue
        seen[sc.id] = path
        yield path, sc


def load_scenarios(paths: list[Path]) -> list[tuple[Path, Scenario]]:
    """Load every scenario in the given files/folders; ids must be unique (the first
    file refused is the InputError; of an id shared with a shipped file, yours is named)."""
    loaded: list[tuple[Path, Scenario]] = []
    seen: dict[str, Path] = {}
    for path in scenario_files(paths):
        sc = load_scenario(path)
        if sc.id in seen:
            raise duplicate_id(sc.id, path, seen[sc.id], own=True)
        seen[sc.id] = path
        loaded.append((path, sc))
    return loaded


def step_name(phase: Phase | None, number: int) -> str:
    """How messages name a step: 'step 2', or 'step 2 of phase 'withdrawal''."""
    return f"step {number}" + (f" of phase '{phase.id}'" if phase is not None else "")
