"""What is wrong in a scenario file, in words: pydantic's errors turned into one message
per place (what the key holds, the valid keys, the closest one), and unknown statuses."""

from __future__ import annotations

import difflib
import re
from typing import Any, get_args

from pydantic import BaseModel

from . import gazetteer
from .errors import cut
from .statuses import meant


class LocatedError(ValueError):
    """A model's own error about one place in the file (``loc``, as pydantic's), which
    the loader tells by that place's line."""

    def __init__(self, message: str, loc: tuple) -> None:
        self.loc = loc
        super().__init__(message)


class StatusError(LocatedError):
    """A status (or band side) no step may use: raised by the model, told by line."""

    def __init__(
        self,
        prefix: tuple,
        step: int,
        where: str,
        value: str,
        valid: list,
        phase,
        declared: tuple | list = (),
    ):
        loc = (*prefix, "steps", step, *where.split("."))
        in_phase = f" of phase '{phase.id}'" if phase is not None else ""
        kind = "band side" if where.endswith("band.side") else "status"
        if where == "assign":
            hint = "declare others under 'statuses:'"
        else:  # held_by, band.side, held_in.status: a holder in a baseline
            key = "a band's side" if kind == "band side" else where.removeprefix("where.")
            hint = (
                f"{key} is a holder in the baseline, and a baseline holds only these; a "
                "scenario's own statuses exist only after its steps"
            )
            if value in declared:  # ('dmz' is declared: select what its step selected)
                hint += f": to select the land a step assigns to {value!r}, repeat its 'where'"
        super().__init__(
            f"unknown {kind} {value[:80]!r} in step {step + 1}{in_phase}{meant(value, valid)}; "
            f"valid: {', '.join(valid)} ({hint})",
            loc,
        )


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class that sits at an error location (for 'valid keys' hints)."""
    model: Any = root
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
    "keep": "a place on the side to keep: its name, e.g. Kramatorsk, or [lon, lat]",
    "assign": "one status name, e.g. russia",
    "oblast": "an oblast name or a list of them, e.g. [Donetsk, Luhansk]",
    "where": "a mapping of selector keys, e.g. {oblast: Donetsk, held_by: ukraine}",
    "steps": "a list of steps, each a mapping with assign and where",
    "phases": "a list of phases, each with id, title and steps",
    "line": "a list of at least two places or [lon, lat] points",
    "date": "a date written YYYY-MM-DD, with no time, e.g. 2025-08-15",
    "held_by": "one status name, e.g. ukraine",
    "held_in": "a mapping such as {baseline: pre-2022, status: russia}",
    "band": "a mapping such as {along: contact, km: 15, side: ukraine}",
    "split": "a mapping such as {oblast: [Donetsk], line: [Pokrovsk, Lyman], keep: Kramatorsk}",
    "id": "a short name, e.g. land-swap",
    "title": "one line of text",
    "summary": "text (YAML's | keeps several lines)",
    "notes": "text (YAML's | keeps several lines)",
    "note": "text (YAML's | keeps several lines)",
    "baseline": "one baseline, e.g. contact-line or deepstate:2025-08-15",
    "url": "a web address, e.g. https://www.reuters.com/…",
    "source": "text naming the report, e.g. Reuters",
    "label": "one line of text, e.g. Demilitarised zone",
    "near": "a mapping such as {place: Enerhodar, km: 10}",
    "colour": "a colour in quotes, '#' and six hex digits (#rrggbb), e.g. '#7570b3'",
    "side": "one side: both, ukraine, russia, contested or a status under 'statuses:'",
    "status": "one status name, e.g. russia",
    "polygon": "a mapping such as {file: zone.geojson} or {geojson: {type: Polygon, ...}}",
    "not": "one selector mapping, e.g. {oblast: Donetsk}",
    "all_of": "a list of selector mappings, e.g. [{oblast: Donetsk}, {held_by: russia}]",
    "any_of": "a list of selector mappings, e.g. [{oblast: Donetsk}, {oblast: Luhansk}]",
    "file": "a file name, e.g. zone.geojson",
    "geojson": "a GeoJSON Polygon or MultiPolygon mapping in lon/lat",
    "statuses": "a mapping of status names to {label: ..., colour: '#rrggbb'}",
    "reported": "a list of reports, each {source: ..., date: YYYY-MM-DD, url: ...}",
}
# what each item of a list holds
ITEM = {
    "line": "a place name (e.g. Kramatorsk), [lon, lat] or {between: [place, place]}",
    "oblast": "an oblast name, e.g. Donetsk",
    "steps": "a step: a mapping with assign and where",
    "phases": "a phase: a mapping with id, title and steps",
    "reported": "a report: {source: ..., date: YYYY-MM-DD, url: ...}",
    "all_of": "a selector mapping, e.g. {oblast: Donetsk}",
    "any_of": "a selector mapping, e.g. {oblast: Donetsk}",
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


# numbers given as something else (a list, a mapping): what one would be
NUMBERS = {"km": "15"}
_NUMBER_SHAPES = {"float_type", "int_type"}


def in_file(errors: list[dict], data: object) -> list[dict]:
    """pydantic's errors with each location as keys and items of the file (``data``):
    the tags pydantic adds for a union's alternatives (``str``, ``function-after[…]``)
    dropped, a user's own key of the same name (a status called ``int``) kept."""
    return [{**e, "loc": _file_loc(tuple(e["loc"]), data)} for e in errors]


def _file_loc(loc: tuple, data: object) -> tuple:
    out: list = []
    node = data
    for key in loc:
        in_dict = isinstance(node, dict) and isinstance(key, str) and key in node
        if in_dict or isinstance(node, list) and type(key) is int and 0 <= key < len(node):
            node = node[key]
        elif isinstance(key, str) and _is_type_tag(key):
            continue  # a union alternative's tag: not in the file
        elif key == 0 and type(key) is int and isinstance(node, str | int | float):
            continue  # one value where a list may be given: read as its only item
        else:
            node = None  # e.g. a missing key: kept, nothing below it
        out.append(key)
    return tuple(out)


_BOUNDS = {  # pydantic's number bounds, in words
    "greater_than": ("more than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}


def _bounds_of(root: type[BaseModel], loc: tuple) -> str:
    """' from 0.1 to 200': the bounds the model sets on the number at ``loc`` ('' if none)."""
    parent = _model_at(root, loc[:-1])
    info = parent.model_fields.get(str(loc[-1])) if parent else None
    ge = next((m.ge for m in getattr(info, "metadata", ()) if hasattr(m, "ge")), None)
    le = next((m.le for m in getattr(info, "metadata", ()) if hasattr(m, "le")), None)
    return f" from {ge:g} to {le:g}" if ge is not None and le is not None else ""


def _an_oblast(key: object) -> bool:
    """Whether an unknown key is an oblast's name (split off a place by an unquoted comma)."""
    try:
        with gazetteer.hints_at_most(0):
            gazetteer.resolve_unit(str(key))
    except ValueError:
        return False
    return True


def describe(error: dict, root: type[BaseModel]) -> tuple[tuple, str]:
    """(location, message) of one pydantic error (of ``in_file``) of a file whose top
    model is ``root``."""
    loc = tuple(error["loc"])
    where = ".".join(str(k + 1) if isinstance(k, int) else cut(k) for k in loc) or "top level"
    if error["type"] == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        keys = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
        close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        if "place" in keys and _an_oblast(loc[-1]):  # {place: Pokrovsk, Donetsk, km: 5}
            hint = " — a place's oblast is part of its value: quote both, place: 'Name, Oblast'"
        valid = ", ".join(keys) if keys else "see the README"
        return loc, f"unknown key '{cut(loc[-1])}' (at {where}){hint}; valid keys here: {valid}"
    if error["type"] == "missing":
        return loc, f"missing required key '{loc[-1]}' (at {where})"
    ctx = error.get("ctx") or {}
    field = next((k for k in reversed(loc) if isinstance(k, str)), "")
    if isinstance(ctx.get("error"), ValueError):
        msg = str(ctx["error"])
    elif error["type"] in _SHAPE_ERRORS and isinstance(loc[-1], int) and field in ITEM:
        msg = f"item {loc[-1] + 1} of '{field}' should be {ITEM[field]}"
        if "input" in error and not isinstance(error["input"], dict):
            msg += _got(error["input"])
    elif error["type"] == "too_short" and field in EXPECTED and isinstance(loc[-1], str):
        least, got = ctx.get("min_length", 1), error.get("input")
        n = len(got) if isinstance(got, list) else 0
        said = "is empty" if not n else f"has {n} item{'' if n == 1 else 's'}"
        msg = f"'{field}' {said}; it should be {EXPECTED[field]}"
        if "at least" not in EXPECTED[field]:
            msg += ", with at least one item" if least == 1 else f", with at least {least} items"
        if field == "steps":  # (only a phase's steps must not be empty)
            msg += " (a phase that changes nothing: leave it out)"
    elif error["type"] == "literal_error" and field and ctx.get("expected"):
        msg = f"'{field}' must be {ctx['expected']}{_got(error.get('input'))}"
    elif error["type"] in _BOUNDS and field:
        words, key = _BOUNDS[error["type"]]
        bound = ctx.get(key)
        bound = f"{bound:g}" if isinstance(bound, int | float) else bound
        msg = f"'{field}' must be {words} {bound} (got {error.get('input')!r})"
        return loc, f"{msg} (at {where})"
    elif error["type"] == "finite_number" and field:
        got = repr(error.get("input"))[:80]
        msg = f"'{field}' must be a finite number{_bounds_of(root, loc)} (got {got})"
    elif error["type"] in _SHAPE_ERRORS and len(loc) == 2 and loc[0] == "statuses":
        msg = (
            f"status '{cut(loc[1])}' should be a mapping such as {{label: ..., colour: '#rrggbb'}}"
        )
        if "input" in error and not isinstance(error["input"], dict):
            msg += _got(error["input"])
    elif error["type"] in _NUMBER_SHAPES and field in NUMBERS:
        msg = f"'{field}' should be one number{_bounds_of(root, loc)}, e.g. {NUMBERS[field]}"
        if "input" in error and not isinstance(error["input"], dict):
            msg += _got(error["input"])
    elif error["type"] in _SHAPE_ERRORS and field in EXPECTED:
        msg = f"'{field}' should be {EXPECTED[field]}"
        if "input" in error and not isinstance(error["input"], dict):
            msg += _got(error["input"])
    else:
        msg = error["msg"]
        if "input" in error and not isinstance(error["input"], dict | list):
            msg += _got(error["input"])
    if field == "colour" and error.get("input") is None:  # colour: #ff0000, unquoted
        msg += "; in YAML '#' starts a comment, so quote a colour: colour: '#ff0000'"
    return loc, f"{msg} (at {where})"


def _is_type_tag(key: str) -> bool:
    return bool(re.search(r"[\[\]]|^(str|float|int|function-after\[.*)$", key)) or key in {
        "Between",
        "tuple[float, float]",
    }


_OTHER_SHAPES = {"string_type", "tuple_type", "list_type"}


def _got(value: object) -> str:
    """What the file gave, for a message: ' (got 5)'; a key left empty as YAML leaves it
    (Python's "got None" had been shown)."""
    return " (the value is empty)" if value is None else f" (got {cut(repr(value))})"


def one_per_place(errors: list[dict]) -> list[dict]:
    """One error per location (of ``in_file``'s errors): of a union's alternatives (a place
    name or [lon, lat]), the one our own check explains (e.g. 'looks like [lat, lon]')
    rather than 'not a string'."""
    by_loc: dict[tuple, list[dict]] = {}
    for e in errors:
        by_loc.setdefault(tuple(e["loc"]), []).append(e)
    # a mapping given where a union also takes a text or a pair ({between: [A, B]} as a
    # line point): "not a string" and "not a pair" are the other alternatives' words; the
    # mapping's own errors below it say what is wrong ('unknown place', not 'should be
    # a place name, [lon, lat] or {between: ...}')
    deeper = {loc[:n] for loc in by_loc for n in range(len(loc))}
    for loc in [loc for loc in by_loc if loc in deeper]:
        if all(
            e["type"] in _OTHER_SHAPES and isinstance(e.get("input"), dict) for e in by_loc[loc]
        ):
            del by_loc[loc]
    # a union's alternatives also fail deeper down (item 2 of a [lon, lat] missing): the
    # error at the place itself says it
    # (each location's own prefixes are looked up: a list of 100,000 bad names stays linear)
    by_loc = {
        loc: group
        for loc, group in by_loc.items()
        if not any(loc[:n] in by_loc for n in range(len(loc)))
    }
    out = []
    for group in by_loc.values():
        ours = [e for e in group if isinstance((e.get("ctx") or {}).get("error"), ValueError)]
        out.append((ours or group)[0])
    return _without_missing_typed(out)


def _without_missing_typed(errors: list[dict]) -> list[dict]:
    """The errors less "missing required key 'place'" where the same mapping has an unknown
    key that reads as it ('plce'): that one's "did you mean 'place'?" says it (a typo had
    been told twice)."""
    unknown: dict[tuple, list[str]] = {}
    for e in errors:
        if e["type"] == "extra_forbidden" and e["loc"]:
            unknown.setdefault(tuple(e["loc"][:-1]), []).append(str(e["loc"][-1]))
    return [
        e
        for e in errors
        if not (
            e["type"] == "missing"
            and e["loc"]
            and difflib.get_close_matches(
                str(e["loc"][-1]), unknown.get(tuple(e["loc"][:-1]), []), n=1
            )
        )
    ]
