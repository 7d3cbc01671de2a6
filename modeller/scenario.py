"""Scenario files: pydantic models of the YAML (steps and selectors) and their loading."""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from datetime import date as Date
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import geodata, inputs
from .errors import InputError
from .specs import check_spec
from .statuses import BUILTIN_STATUSES
from .yamlpos import line_of, load_with_lines


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    return value if isinstance(value, list | tuple) else [value]


def _oblast_code(name: Any) -> str:
    return geodata.resolve_oblast(str(name))


MAX_ID = 80  # ids name files (<id>.html, .png, .svg): well under the 255-byte limit


def _known_place(name: str) -> str:
    geodata.resolve_place(name)
    return name


def _number(value: Any) -> Any:
    """A number as YAML writes one: ``true`` is not 1 and ``'20'`` is not 20."""
    if isinstance(value, bool | str):
        shown = str(value).lower() if isinstance(value, bool) else repr(value)
        raise ValueError(f"{shown} is not a number; write digits without quotes, e.g. 20")
    return value


def _lonlat_numbers(value: Any) -> Any:
    """[lon, lat] of numbers: quoted or true/false coordinates are named as such (not as a
    place name that is not a string)."""
    if isinstance(value, list | tuple) and any(isinstance(v, bool | str) for v in value):
        raise ValueError(
            "coordinates must be numbers without quotes, [lon, lat], e.g. Kyiv is [30.52, 50.45]"
        )
    return value


def _lonlat(value: tuple[float, float]) -> tuple[float, float]:
    lon, lat = value
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"coordinate [{lon}, {lat}] is not a finite number; write [lon, lat]")
    if 44.0 <= lon <= 52.5 and 22.0 <= lat <= 40.5:  # [lat, lon] of a place in Ukraine
        raise ValueError(
            f"coordinate [{lon}, {lat}] looks like [lat, lon]; write [lon, lat], "
            "e.g. Kyiv is [30.52, 50.45]"
        )
    if not (10.0 <= lon <= 60.0 and 35.0 <= lat <= 60.0):
        raise ValueError(f"coordinate [{lon}, {lat}] is far from Ukraine; write [lon, lat]")
    return value


def _iso_date(value: Any) -> Any:
    """Dates are written YYYY-MM-DD; a bare number (``date: 0``) is not read as a timestamp."""
    if isinstance(value, bool | int | float):
        raise ValueError(f"date {value!r} must be written YYYY-MM-DD, e.g. 2025-08-15")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank; write a few words")
    return value


IsoDate = Annotated[Date, BeforeValidator(_iso_date)]
Text = Annotated[str, AfterValidator(_not_blank)]
OblastCode = Annotated[Any, AfterValidator(_oblast_code)]
OblastList = Annotated[list[OblastCode], BeforeValidator(_as_list), Field(min_length=1)]
PlaceName = Annotated[str, AfterValidator(_known_place)]
Number = Annotated[float, BeforeValidator(_number)]
LonLat = Annotated[tuple[float, float], BeforeValidator(_lonlat_numbers), AfterValidator(_lonlat)]


class Between(Model):
    """The midpoint of two places, e.g. across a river that marks the front."""

    between: tuple[PlaceName | LonLat, PlaceName | LonLat]


LinePoint = Union[PlaceName, LonLat, Between]  # noqa: UP007 (pydantic reads it either way)


class Split(Model):
    """Cut the listed oblasts along a polyline; select the side containing ``keep``."""

    oblast: OblastList
    line: list[LinePoint] = Field(min_length=2)
    keep: PlaceName


class Near(Model):
    """Everything within ``km`` of a place (a disc)."""

    place: PlaceName | LonLat
    km: Number = Field(gt=0, le=200, allow_inf_nan=False)


class Band(Model):
    """A band of ``km`` along the baseline's line of contact, on one side or both."""

    along: Literal["contact"] = "contact"
    km: Number = Field(gt=0, le=300, allow_inf_nan=False)
    side: str = "both"


class Shape(Model):
    """A polygon: a GeoJSON file (relative to the scenario) or inline GeoJSON (lon/lat)."""

    file: str | None = None
    geojson: dict | None = None

    @field_validator("file")
    @classmethod
    def _file_exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        folder = Path((info.context or {}).get("folder", "."))
        try:
            path = (folder / value).resolve()
            missing = not path.exists() and not path.is_symlink()
        except (OSError, ValueError, RuntimeError) as exc:  # e.g. a name too long
            reason = getattr(exc, "strerror", None) or exc
            raise ValueError(f"polygon file '{value[:100]}…': {reason}") from None
        if missing:
            raise ValueError(f"polygon file '{value[:200]}' not found (looked in {folder})")
        try:
            inputs.check_file(path, "GeoJSON")
        except InputError as exc:
            raise ValueError(f"polygon file '{value[:200]}' {exc.message}") from None
        return str(path)

    @model_validator(mode="before")
    @classmethod
    def _not_both(cls, data: Any) -> Any:
        """Both given is the first thing to say (before whether the file exists)."""
        if isinstance(data, dict) and data.get("file") is not None and data.get("geojson"):
            raise ValueError("polygon needs exactly one of 'file' or 'geojson', not both")
        return data

    @model_validator(mode="after")
    def _one_source(self) -> Shape:
        if (self.file is None) == (self.geojson is None):
            raise ValueError("polygon needs exactly one of 'file' or 'geojson'")
        return self


def _baseline_spec(value: str | None, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    return check_spec(value, (info.context or {}).get("folder"))


BaselineSpec = Annotated[str, AfterValidator(_baseline_spec)]


class HeldIn(Model):
    """The land a status holds in another baseline, e.g. what Russia held before 2022."""

    baseline: BaselineSpec = Field(description="a baseline spec, e.g. pre-2022")
    status: str = "russia"

    @field_validator("baseline")
    @classmethod
    def _not_own(cls, value: str) -> str:
        if value == "deepstate:own":
            raise ValueError("held_in needs a fixed baseline, not deepstate:own")
        return value


class Selector(Model):
    """Where a step applies: the intersection of every key given."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    oblast: OblastList | None = None
    held_by: str | None = Field(None, description="status in the baseline")
    held_in: HeldIn | None = None
    split: Split | None = None
    near: Near | None = None
    band: Band | None = None
    polygon: Shape | None = None
    all_of: list[Selector] | None = Field(None, min_length=1)
    any_of: list[Selector] | None = Field(None, min_length=1)
    not_: Selector | None = Field(None, alias="not")

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if not any(getattr(self, k) is not None for k in type(self).model_fields):
            keys = ", ".join(selector_keys())
            raise ValueError(f"empty selector; give at least one of: {keys}")
        return self

    def walk(self):
        """This selector and every selector nested in it."""
        yield self
        for child in (*(self.all_of or ()), *(self.any_of or ()), self.not_):
            if child is not None:
                yield from child.walk()


def selector_keys() -> list[str]:
    return [f.alias or name for name, f in Selector.model_fields.items()]


RECOGNITION = ("de_jure", "de_facto")


class Step(Model):
    """Assign a status to the selected area; later steps override earlier ones.

    ``recognition`` records how the assignment is recognised (de jure or de facto); a
    later step covering the same land without it clears it.
    """

    assign: str
    where: Selector
    recognition: Literal["de_jure", "de_facto"] | None = None
    note: str | None = None


class Phase(Model):
    """One stage of a staged proposal; the tables show the state after each phase."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Text
    steps: list[Step] = Field(min_length=1)


class Report(Model):
    """Where the terms were reported."""

    source: Text
    date: IsoDate
    url: str | None = None


class StatusDef(Model):
    label: str
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class Scenario(Model):
    """A reported proposal: who gets what, as ordered steps applied to a baseline."""

    id: str
    title: Text
    summary: str = ""
    reported: list[Report] = Field(default_factory=list)
    baseline: BaselineSpec | None = None
    date: IsoDate | None = None
    statuses: dict[str, StatusDef] = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
            raise ValueError(
                f"id '{value}' must be lower-case letters, digits and hyphens, "
                "e.g. 'full-donbas-withdrawal'"
            )
        if len(value) > MAX_ID:
            raise ValueError(
                f"id is {len(value)} characters long; keep it to {MAX_ID} or fewer (it names "
                "the scenario's map page and images)"
            )
        return value

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
        return value

    @model_validator(mode="after")
    def _steps_or_phases(self) -> Scenario:
        if self.steps and self.phases:
            raise ValueError(
                "give either 'steps' or 'phases' (each phase with its own steps), not both"
            )
        ids = [p.id for p in self.phases]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"phase ids must be unique; repeated: {', '.join(dup)}")
        return self

    @property
    def numbered_steps(self) -> list[tuple[Phase | None, int, Step]]:
        """Every step in order with its phase and its 1-based number (as users count them)."""
        if not self.phases:
            return [(None, i, s) for i, s in enumerate(self.steps, start=1)]
        return [(p, i, s) for p in self.phases for i, s in enumerate(p.steps, start=1)]

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
                choices = {
                    "where.band.side": ["both", *valid],
                    "where.held_in.status": list(BUILTIN_STATUSES),
                }.get(where, valid)
                if value is not None and value not in choices:
                    raise _StatusError(prefix, i, where, value, choices, phase)
        return self

    @property
    def status_names(self) -> list[str]:
        return [*BUILTIN_STATUSES, *(s for s in self.statuses if s not in BUILTIN_STATUSES)]

    @property
    def digest(self) -> str:
        """Short content hash of the scenario (provenance in every output)."""
        blob = json.dumps(
            self.model_dump(mode="json", exclude_defaults=True, by_alias=True), sort_keys=True
        ).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


class _StatusError(ValueError):
    def __init__(self, prefix: tuple, step: int, where: str, value: str, valid: list, phase):
        self.loc = (*prefix, "steps", step, *where.split("."))
        in_phase = f" of phase '{phase.id}'" if phase is not None else ""
        kind = "band side" if where.endswith("band.side") else "status"
        hint = (
            "a baseline holds only these; a scenario's own statuses exist only after its steps"
            if where.endswith("held_in.status")
            else "declare others under 'statuses:'"
        )
        super().__init__(
            f"unknown {kind} '{value[:80]}' in step {step + 1}{in_phase}; "
            f"valid: {', '.join(valid)} ({hint})"
        )


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class that sits at an error location (for 'valid keys' hints)."""
    model: Any = Scenario
    for key in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        if isinstance(key, int):
            continue
        field = model.model_fields.get(key) or next(
            (f for f in model.model_fields.values() if f.alias == key), None
        )
        if field is None:
            return model if key == loc[-1] else None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    """The first pydantic model inside a type such as ``list[Step] | None``, else ``tp``."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in get_args(tp):
        inner = _unwrap(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return tp


# what a key holds, for errors about the shape of its value (a string, a list, a mapping)
EXPECTED = {
    "place": "a place name (e.g. Kramatorsk) or [lon, lat] (e.g. [37.6, 48.7])",
    "keep": "the name of a place on the side to keep, e.g. Kramatorsk",
    "assign": "one status name, e.g. russia",
    "oblast": "an oblast name or a list of them, e.g. [Donetsk, Luhansk]",
    "where": "a mapping of selector keys, e.g. {oblast: Donetsk, held_by: ukraine}",
    "steps": "a list of steps, each a mapping with assign and where",
    "phases": "a list of phases, each with id, title and steps",
    "line": "a list of at least two places or [lon, lat] points",
    "date": "a date written YYYY-MM-DD, with no time, e.g. 2025-08-15",
    "held_by": "one status name, e.g. ukraine",
}
_SHAPE_ERRORS = {
    "string_type",
    "list_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "tuple_type",
    "too_short",
    "too_long",
    "date_type",
    "date_from_datetime_inexact",  # (date_parsing's own message says which part is wrong)
}


def _describe(error: dict) -> tuple[tuple, str]:
    loc = tuple(k for k in error["loc"] if isinstance(k, int) or not _is_type_tag(k))
    where = ".".join(str(k + 1) if isinstance(k, int) else k for k in loc) or "top level"
    if error["type"] == "extra_forbidden":
        parent = _model_at(loc[:-1])
        keys = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
        close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        valid = ", ".join(keys) if keys else "see the README"
        return loc, f"unknown key '{loc[-1]}' (at {where}){hint}; valid keys here: {valid}"
    if error["type"] == "missing":
        return loc, f"missing required key '{loc[-1]}' (at {where})"
    ctx = error.get("ctx") or {}
    field = next((k for k in reversed(loc) if isinstance(k, str)), "")
    if isinstance(ctx.get("error"), ValueError):
        msg = str(ctx["error"])
    elif error["type"] in _SHAPE_ERRORS and field in EXPECTED:
        msg = f"'{field}' should be {EXPECTED[field]}"
        if "input" in error and not isinstance(error["input"], dict):
            got = repr(error["input"])
            msg += f" (got {got if len(got) <= 80 else got[:79] + '…'})"
    else:
        msg = error["msg"]
        if "input" in error and not isinstance(error["input"], dict | list):
            got = repr(error["input"])
            msg += f" (got {got if len(got) <= 80 else got[:79] + '…'})"
    return loc, f"{msg} (at {where})"


def _is_type_tag(key: str) -> bool:
    return bool(re.search(r"[\[\]]|^(str|float|int|function-after\[.*)$", key)) or key in {
        "Between",
        "tuple[float, float]",
    }


def load_scenario(path: Path) -> Scenario:
    """Parse and validate one scenario file; InputError names file:line and the fix."""
    path = Path(path)
    data, lines = load_with_lines(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping with id, title, steps, ...", str(path), 1)
    try:
        return Scenario.model_validate(data, context={"folder": path.parent})
    except _StatusError as exc:  # raised outside pydantic's wrapping in some versions
        raise InputError(str(exc), str(path), line_of(lines, exc.loc)) from None
    except ValidationError as exc:
        # Unknown keys first: a misspelt key also makes the real one look missing.
        errors = sorted(_one_per_place(exc.errors()), key=lambda e: e["type"] != "extra_forbidden")
        # Status errors come wrapped as value errors at the model root: use their own loc.
        first = errors[0]
        inner = (first.get("ctx") or {}).get("error")
        if isinstance(inner, _StatusError):
            raise InputError(str(inner), str(path), line_of(lines, inner.loc)) from None
        loc, message = _describe(first)
        for other in errors[1:]:  # every problem, each with its own line
            other_loc, other_message = _describe(other)
            message += f"\n{path}:{line_of(lines, other_loc)}: {other_message}"
        raise InputError(message, str(path), line_of(lines, loc)) from None


def _one_per_place(errors: list[dict]) -> list[dict]:
    """One error per location: of a union's alternatives (a place name or [lon, lat]),
    the one our own check explains (e.g. 'looks like [lat, lon]') rather than 'not a string'."""
    by_loc: dict[tuple, list[dict]] = {}
    for e in errors:
        loc = tuple(k for k in e["loc"] if isinstance(k, int) or not _is_type_tag(k))
        by_loc.setdefault(loc, []).append(e)
    out = []
    for group in by_loc.values():
        ours = [e for e in group if isinstance((e.get("ctx") or {}).get("error"), ValueError)]
        out.append((ours or group)[0])
    return out


def shipped_folder() -> Path:
    """The scenarios shipped with modeller: inside the wheel, or the repository's scenarios/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_scenarios", here.parent / "scenarios"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    raise InputError("the shipped scenarios are missing from this installation; reinstall modeller")


def shipped_ids() -> dict[str, Path]:
    """Shipped scenario files by id (each file is named after its scenario's id)."""
    return {p.stem: p for p in sorted(shipped_folder().glob("*.yaml"))}


def _missing(p: Path) -> InputError:
    """No such file: name the shipped scenario ids, and the closest one."""
    ids = list(shipped_ids())
    close = difflib.get_close_matches(str(p), ids, n=1, cutoff=0.6)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    return InputError(
        f"no such file or folder, nor a shipped scenario id{hint} "
        f"(shipped: {', '.join(ids)}; 'modeller scenarios' lists them)",
        str(p),
    )


def scenario_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their *.yaml / *.yml files, sorted; keep files as given.

    A name that is not a file but the id of a shipped scenario (``land-swap``) is that
    scenario's file, and ``scenarios/…`` where there is no such folder is the shipped
    one; no paths at all means every shipped scenario.
    """
    if not paths:
        paths = [shipped_folder()]
    out: list[Path] = []
    for p in map(Path, paths):
        try:
            is_dir, exists = p.is_dir(), p.exists() or p.is_symlink()
            found = [] if not is_dir else [*p.glob("*.yaml"), *p.glob("*.yml")]
        except (OSError, ValueError) as exc:  # e.g. a file name too long for the system
            raise InputError(f"cannot read: {inputs.reason(exc)}", str(p)) from None
        if is_dir:
            found = sorted(f for f in found if not f.name.startswith("."))  # no hidden files
            if not found:
                raise InputError("no *.yaml scenario files in this folder", str(p))
            out.extend(found)
        elif exists:
            out.append(p)
        elif len(p.parts) == 1 and str(p) in shipped_ids():
            out.append(shipped_ids()[str(p)])
        elif p.parts[0] == "scenarios" and shipped_folder().joinpath(*p.parts[1:]).exists():
            # README's 'modeller run scenarios/…' from any folder: the shipped copy
            out += scenario_files([shipped_folder().joinpath(*p.parts[1:])])
        else:
            raise _missing(p)
    return out


def load_scenarios(paths: list[Path]) -> list[tuple[Path, Scenario]]:
    """Load every scenario in the given files/folders; ids must be unique."""
    loaded: list[tuple[Path, Scenario]] = []
    seen: dict[str, Path] = {}
    for path in scenario_files(paths):
        sc = load_scenario(path)
        if sc.id in seen:
            raise InputError(f"duplicate scenario id '{sc.id}' (also in {seen[sc.id]})", str(path))
        seen[sc.id] = path
        loaded.append((path, sc))
    return loaded
