"""The scenario language's selectors: where a step applies (oblasts, a holder, a split line,
a disc, a band along the line of contact, a polygon, a baseline's holdings, and their
combinations), as pydantic models. The line and keep place of a split are checked here,
without the geometry libraries: ``validate`` says what ``run`` would refuse of them."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import inputs, laea, specs
from .errors import InputError, cut, kind_of_value
from .gazetteer import resolve_place
from .scenario_values import (
    MAX_CHECKED_POINTS,
    LonLat,
    Number,
    OblastList,
    PlaceName,
    first_crossing,
)
from .specs import check_spec


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Between(Model):
    """The midpoint of two places, e.g. across a river that marks the front."""

    between: tuple[PlaceName | LonLat, PlaceName | LonLat]

    @field_validator("between", mode="before")
    @classmethod
    def _two(cls, value: object) -> object:
        """Two places, said so (one had been "missing required key '1'", a name or a number
        pydantic's "Input should be a valid tuple/string")."""
        example = "e.g. {between: [Tokmak, Polohy]}"
        if not isinstance(value, list | tuple):
            raise ValueError(
                f"between takes a list of two places (or [lon, lat] points), got "
                f"{_shown(value)}: {example}"
            )
        if len(value) != 2:
            raise ValueError(
                f"between takes two places (or [lon, lat] points), got {len(value)}: {example}"
            )
        for item in value:
            if not (isinstance(item, list | tuple) or isinstance(item, str) and item.strip()):
                raise ValueError(
                    f"between takes two places (names or [lon, lat] points); {_shown(item)} "
                    f"is neither: {example}"
                )
        return value


def _shown(value: object) -> str:
    """A value as an error quotes it: a name or number as written (short), else its kind."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return cut(repr(value), 40)
    return kind_of_value(value)


LinePoint = Union[PlaceName, LonLat, Between]  # noqa: UP007 (pydantic reads it either way)


# The narrowest band or disc: 100 m, finer than the boundaries and the line of control are
# drawn (a band of 1e-9 km listed seven oblasts changing hands with 0 km² and 0 people).
MIN_KM = 0.1


MIN_GAP_M = 10.0  # consecutive split line points closer than this are refused
KEEP_OFF_M = 100.0  # a keep place nearer the split line than this lies on it


class Split(Model):
    """Cut the listed oblasts along a polyline; select the side containing ``keep``."""

    oblast: OblastList
    line: list[LinePoint] = Field(min_length=2)
    keep: PlaceName | LonLat  # ([lon, lat] where a place's name is shared in its oblast)

    @model_validator(mode="after")
    def _line_and_keep(self) -> Split:
        """What the engine refuses of the line itself, said when the file is read (so by
        ``validate`` too, without the geometry libraries): a line of one point, points
        too close together, a line that crosses itself or closes, and a keep place on the
        line or its extensions (within 100 m). All in the engine's metres (``point_xy``),
        ``between`` midpoints too, so the two decide alike."""
        given = [point_xy(p) for p in self.line]
        kept = [0] + [k for k in range(1, len(given)) if given[k] != given[k - 1]]
        points = [given[k] for k in kept]
        if len(points) < 2:
            raise ValueError("the split line needs at least two distinct points")
        for i, j in zip(kept, kept[1:], strict=False):
            gap = math.dist(given[i], given[j])
            if gap < MIN_GAP_M:  # (the line is extended along its end segments)
                raise ValueError(
                    f"the split line's points {i + 1} and {j + 1} are {gap:.2g} m apart: "
                    "a segment this short points wherever the last digits of its "
                    "coordinates say, and the line is extended straight on past its ends; "
                    f"give them {MIN_GAP_M:g} m or more apart, or leave one out"
                )
        crossing = first_crossing(points)
        if crossing is not None:
            i, j = crossing
            raise ValueError(
                f"the split line crosses itself (its segments {i + 1} and {j + 1} meet); "
                "reorder its points"
            )
        if len(points) > 2 and points[0] == points[-1]:  # (the engine extends both ends)
            raise ValueError(
                "the split line closes on itself (its last point is its first): a split "
                "line runs across the oblasts and is extended straight past both ends, so "
                "it cannot be a ring; leave out the last point"
            )
        if len(points) - 1 > MAX_CHECKED_POINTS:  # too long to check pair by pair
            import shapely  # (only for such a line: validate loads no geometry otherwise)

            if not shapely.LineString(points).is_simple:
                raise ValueError(
                    f"the split line crosses itself (somewhere along its {len(points):,} "
                    "points); reorder its points"
                )
        keep = point_xy(self.keep)
        last = len(points) - 2
        near = min(
            metres_to_segment(keep, a, b, k == 0, k == last)
            for k, (a, b) in enumerate(zip(points, points[1:], strict=False))
        )
        if near < KEEP_OFF_M:
            raise ValueError(
                f"keep place {keep_text(self.keep)} lies on the split line; pick a place off it"
            )
        return self


def place_lonlat(item) -> tuple[float, float]:
    """lon/lat of a place name or of [lon, lat]."""
    if isinstance(item, str):
        s = resolve_place(item)
        return (s.lon, s.lat)
    return (float(item[0]), float(item[1]))


def keep_text(keep) -> str:
    """A keep place as messages name it: 'Kramatorsk', or [37.9, 48.0]."""
    return f"'{keep}'" if isinstance(keep, str) else f"[{keep[0]:g}, {keep[1]:g}]"


def point_xy(item) -> tuple[float, float]:
    """Working-CRS metres of a line point: a place, [lon, lat], or a ``between`` midpoint
    (taken in metres: Lviv and Luhansk's is 29 km from their lon/lat midpoint's). The
    engine cuts with these; coordinates are within 30° of the CRS's centre (``_lonlat``),
    where ``laea.forward`` holds."""
    if isinstance(item, Between):
        (ax, ay), (bx, by) = (point_xy(x) for x in item.between)
        return ((ax + bx) / 2, (ay + by) / 2)
    return laea.forward(*place_lonlat(item))


def metres_to_segment(p, a, b, open_start: bool = False, open_end: bool = False) -> float:
    """Metres from p to the segment a-b (a ray beyond an open end)."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = ((px - ax) * dx + (py - ay) * dy) / ((dx * dx + dy * dy) or 1.0)
    t = max(t, -math.inf if open_start else 0.0)
    t = min(t, math.inf if open_end else 1.0)
    return math.hypot(ax + t * dx - px, ay + t * dy - py)


UKRAINE_LONLAT = (22.0, 44.2, 40.5, 52.5)  # a box around Ukraine's land (with a margin)


class Near(Model):
    """Everything within ``km`` of a place (a disc)."""

    place: PlaceName | LonLat
    km: Number = Field(ge=MIN_KM, le=200, allow_inf_nan=False)

    @model_validator(mode="after")
    def _reaches_ukraine(self) -> Near:
        """A disc around a point too far from Ukraine to reach it selects nothing: refused,
        as a polygon beside Ukraine is (a typo in the coordinates, most likely)."""
        if isinstance(self.place, str):  # (a named place lies in Ukraine)
            return self
        lon, lat = self.place
        x0, y0, x1, y1 = UKRAINE_LONLAT
        dx = max(x0 - lon, 0.0, lon - x1) * 111.32 * math.cos(math.radians(lat))
        dy = max(y0 - lat, 0.0, lat - y1) * 110.57
        away = math.hypot(dx, dy)
        if away > self.km + 10.0:
            raise ValueError(
                f"a disc of {self.km:g} km around [{lon:g}, {lat:g}] cannot reach Ukraine: "
                f"its centre lies about {away:,.0f} km outside a box around Ukraine's land "
                f"({x0:g}–{x1:g}°E, {y0:g}–{y1:g}°N), so it selects nothing; check the "
                "coordinates ([lon, lat], e.g. Enerhodar is [34.66, 47.50])"
            )
        return self


class Band(Model):
    """A band of ``km`` along the baseline's line of contact, on one side or both."""

    along: Literal["contact"] = "contact"
    km: Number = Field(ge=MIN_KM, le=300, allow_inf_nan=False)
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
        if not value.strip():  # ('' is the scenario's own folder: "is a folder")
            raise ValueError(
                "polygon file is empty text; give the name of a GeoJSON, GeoPackage or "
                "Shapefile (relative to the scenario), e.g. file: zone.geojson"
            )
        folder = Path((info.context or {}).get("folder", "."))
        try:  # its folder resolved (``..`` after a linked folder), the file's own name kept:
            # a linked Shapefile's sidecars lie beside the link, not beside its target;
            # '~/zone.geojson' from the home folder, as a baseline file is read
            given = inputs.home(value) if value.startswith("~") else folder / value
            path = Path(os.path.realpath(given.parent)) / given.name
            missing = not path.exists() and not path.is_symlink()
        except InputError as exc:  # ('~someone' with no such user)
            raise ValueError(exc.message) from None
        except (OSError, ValueError, RuntimeError) as exc:  # e.g. a name too long
            reason = getattr(exc, "strerror", None) or exc
            raise ValueError(f"polygon file '{value[:100]}…': {reason}") from None
        if missing:  # (the folder in full: "looked in ." had said nothing)
            raise ValueError(
                f"polygon file '{value[:200]}' not found (looked in "
                f"{path.parent if value.startswith('~') else os.path.abspath(folder)})"
            )
        try:
            inputs.check_file(path, inputs.geo_format(path))
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


def _spec_text(value: Any) -> Any:
    """``baseline: 1991`` unquoted is the number YAML reads: the spec it spells."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


BaselineSpec = Annotated[str, BeforeValidator(_spec_text), AfterValidator(_baseline_spec)]


def _fixed_spec(value: str | None, info: ValidationInfo) -> str | None:
    """A baseline spec naming one fixed map: its errors list only such specs."""
    if value is not None and specs.named(value) == specs.OWN:
        raise ValueError(
            f"held_in needs a fixed baseline, not {specs.OWN} (valid: {specs.FIXED_HELP})"
        )
    try:
        return _baseline_spec(value, info)
    except ValueError as exc:
        raise ValueError(str(exc).replace(specs.HELP, specs.FIXED_HELP)) from None


FixedSpec = Annotated[str, BeforeValidator(_spec_text), AfterValidator(_fixed_spec)]


class HeldIn(Model):
    """The land a status holds in another baseline, e.g. what Russia held before 2022."""

    baseline: FixedSpec = Field(description="a fixed baseline spec, e.g. pre-2022")
    status: str = "russia"


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

    @model_validator(mode="before")
    @classmethod
    def _no_empty_key(cls, data: Any, info: ValidationInfo) -> Any:
        """A key written in a file without a value (``oblast:`` with its items commented
        out) is an error: dropped as if absent, the step had selected far more land,
        unseen. (In code, None is how a key is not given: ``model_dump`` writes them all.)"""
        if isinstance(data, dict) and info.context is not None:
            if "not_" in data:  # (Python's name for the key, which code may use; a file may not)
                raise ValueError("unknown key 'not_': the key is 'not', e.g. not: {oblast: Crimea}")
            for key, value in data.items():
                if value is None and key in selector_keys():
                    raise ValueError(
                        f"'{key}' is empty: give it a value, or leave the key out (an empty "
                        f"'{key}' would select as if it were not there)"
                    )
        return data

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
