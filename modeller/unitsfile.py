"""Read a boundaries file of the 27 first-level units and match its features to ISO codes.

A file (GeoJSON, GeoPackage or Shapefile) is matched by a code field (values such as
``UA-14``) when it has one, else by a name field (Ukrainian or English names, with or
without "область" / "Oblast", and the aliases scenarios accept). Every feature must
match a unit and every unit must be present; otherwise one error names what is missing
or unmatched and the names seen. This module knows nothing of the embedded data: the
caller passes the names to match against (``geodata`` does).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import shapely

from . import inputs, jsonerrors, ogrfiles
from .errors import InputError
from .gazetteer import hidden_letters
from .positions import (
    TOO_DEEP,
    check_crs,
    json_kind,
    lines_of,
    shape_2d,
    strict_json,
)

SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
CODE_RE = re.compile(r"^UA-?(\d{2})$", re.IGNORECASE)
# generic words around unit names: "Київська область", "Місто Київ", "Kyiv Oblast"
GENERIC = tuple(
    re.compile(rf"(?<!\w){word}(?!\w)\.?", re.IGNORECASE)
    for word in ("область", "обл", "oblast", "region", "місто", "misto", "city of", "city")
)


def read_features(path: Path) -> tuple[list[tuple[dict, object, int]], list[tuple]]:
    """(properties, lon/lat geometry, feature number in the file, from 1) of every feature
    with a polygon geometry (a label point or a line among them keeps its number); and
    (properties, geometry type, number) of the others, which ``match`` names when a unit
    is found only among them."""
    path = Path(path)
    try:
        path.lstat()
    except FileNotFoundError:
        raise InputError("units file not found", str(path)) from None
    except (OSError, ValueError) as exc:  # too long a name, no permission on a folder
        raise InputError(f"cannot read units file: {inputs.reason(exc)}", str(path)) from None
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        what = (
            "is a folder; --units takes one file, GeoJSON, GeoPackage or Shapefile"
            if path.is_dir()
            else "units file must be GeoJSON, GeoPackage or Shapefile"
        )
        raise InputError(f"{what} ({', '.join(SUFFIXES)})", str(path))
    if suffix in (".geojson", ".json"):
        text = inputs.read_text(path, "units GeoJSON")  # a FIFO, a folder, a binary file: said
        if not text.strip():
            raise inputs.empty_geojson(path, "write it again, or give another units file")
        try:
            data = strict_json(text)
        except json.JSONDecodeError as exc:
            line, what = jsonerrors.explain(text, exc)
            raise InputError(f"cannot read units GeoJSON: {what}", str(path), line) from None
        except ValueError as exc:
            raise InputError(f"cannot read units GeoJSON: {exc}", str(path)) from None
        except RecursionError:
            raise InputError(f"cannot read units GeoJSON: {TOO_DEEP}", str(path)) from None
        check_crs(data, str(path))
        feats = data.get("features") if isinstance(data, dict) else None
        if not isinstance(feats, list) or data.get("type") != "FeatureCollection":
            what = json_kind(data)
            if what == "a GeoJSON FeatureCollection":  # with no list of features
                what = "its 'features' is not a list of features"
            raise InputError(
                f"{what}; a units GeoJSON is a FeatureCollection with one Polygon or "
                "MultiPolygon feature per unit (its ISO code or name in a property)",
                str(path),
            )
        _not_hromadas([f.get("properties") for f in feats if isinstance(f, dict)], path)
        with lines_of(text):  # an error names the line where its feature starts
            out = [_feature(f, i, str(path)) for i, f in enumerate(feats)]
    else:
        out = _read_ogr(path)
        _not_hromadas([p for p, _ in out], path)
    found = [(p, _polygons_of(g), g, i + 1) for i, (p, g) in enumerate(out)]
    polygons = [(p, g, n) for p, g, _, n in found if g is not None]
    if not polygons:
        raise InputError("no polygon features in this units file", str(path))
    others = [(p, raw.geom_type, n) for p, g, raw, n in found if g is None and raw is not None]
    return polygons, others


# a KATOTTG code of a hromada: UA, oblast (2 digits), raion (2), hromada (3, not 000: a
# raion's own code has 000 there), 10 more
HROMADA_CODE = re.compile(r"^UA\d{4}(?!000)\d{13}$")


def _not_hromadas(props: list, path: Path) -> None:
    """InputError for a file of hromadas (most features carrying a KATOTTG hromada code):
    its first error had been a feature without geometry, "drop the feature", and then
    units missing, never that the file belongs with ``--population``."""
    codes = [
        next((v for v in p.values() if isinstance(v, str) and HROMADA_CODE.match(v)), None)
        for p in props
        if isinstance(p, dict)
    ]
    found = [c for c in codes if c]
    if len(found) < 100 or len(found) < 0.5 * len(props):
        return
    folder = Path(path).parent
    here = f" (perhaps {inputs.shown(folder.parent)})" if folder.name == "boundaries" else ""
    raise InputError(
        f"this is a file of hromadas ({len(props):,} features, KATOTTG codes such as "
        f"{found[0]}), not of the 27 units (24 oblasts, AR Crimea, Kyiv city, Sevastopol) "
        "that --units replaces; hromada outlines and their table place people: give "
        "--population the folder holding both, under the names 'modeller run --help' gives "
        f"for it{here}",
        str(path),
    )


def _polygons_of(g):
    """A feature's polygons: itself, or the polygons a GeometryCollection holds (an outline
    kept with stray lines or points); None when it has none (a label point, a line)."""
    if g is None:
        return None
    if g.geom_type.endswith("Polygon"):
        return g
    if g.geom_type != "GeometryCollection":
        return None
    parts = [p for p in shapely.get_parts(g) if p.geom_type.endswith("Polygon")]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.multipolygons(polygons) if polygons else None


def _feature(f: object, i: int, source: str) -> tuple[dict, object]:
    """(properties, 2D lon/lat geometry) of the i-th feature of a units GeoJSON."""
    where = f"feature {i + 1}"
    if not isinstance(f, dict):
        raise InputError(f"{where} must be a Feature object, got {type(f).__name__}", source)
    props = f.get("properties")
    if not isinstance(props, dict):
        props = {}
    geom = f.get("geometry")
    if not geom:
        names = [f"{k} {v!r}" for k, v in props.items() if isinstance(v, str)][:2]
        named = f" ({', '.join(names)})" if names else ""
        raise InputError(
            f"{where}{named} has no geometry; every feature of a units file must be a "
            "unit's Polygon or MultiPolygon (drop the feature or give it its outline)",
            source,
        )
    return props, shape_2d(geom, where, source)


def _read_ogr(path: Path) -> list[tuple[dict, object]]:
    lonlat, names, fields = ogrfiles.layer(path, "units " + inputs.geo_format(path))
    geoms = shapely.force_2d(lonlat)  # (an altitude is dropped as it is read, as for GeoJSON)
    return [({n: fields[j][i] for j, n in enumerate(names)}, geoms[i]) for i in range(len(geoms))]


def code_of(value) -> str | None:
    """ISO 3166-2:UA code from 'UA-14', 'ua14' (None if it is not one)."""
    m = CODE_RE.match(str(value).strip())
    return f"UA-{m.group(1)}" if m else None


def match(
    features: list[tuple[dict, object, int]],
    codes: set[str],
    by_name: Callable[[str], str | None],
    label: Callable[[str], str],
    source: str,
    shapeless: list[tuple] = (),
) -> tuple[dict[str, list], str]:
    """Lon/lat geometries per unit code, and the field used (``code field X`` / ``name
    field X``).

    ``by_name`` maps a name to a code (None if unknown); ``label`` names a code for errors.
    Several features of one unit are kept together; a unit missing or a feature matched to
    nothing is an InputError naming it and the names seen, and the features without a
    polygon (``shapeless``: properties, geometry type, number) that name a missing unit.
    """
    fields = sorted({k for props, *_ in features for k, v in props.items() if isinstance(v, str)})
    others = sorted({k for props, *_ in features for k in props} - set(fields))[:12]
    best: tuple[int, str, str, list] | None = None
    for kind, resolve in (("code", _code_resolver(codes)), ("name", _name_resolver(by_name))):
        for field in fields:
            hits = [resolve(props.get(field)) for props, *_ in features]
            n = sum(h is not None for h in hits)
            if n and (best is None or n > best[0]):
                best = (n, kind, field, hits)
        if best is not None and best[0] == len(features) and best[1] == kind:
            break
    if best is None:  # (a Shapefile without its .dbf, so without fields, is refused before)
        raise InputError(
            f"no property of the units file holds ISO 3166-2:UA codes or unit names "
            f"(text fields: {', '.join(fields) or 'none'}"
            + (f"; other fields: {', '.join(others)}" if others else "")
            + ")",
            source,
        )
    _n, kind, field, hits = best
    seen = [_value(props, field) for props, *_ in features]
    unmatched = [s for s, h in zip(seen, hits, strict=True) if h is None]
    if unmatched:
        first, props = next(
            (n, p) for h, (p, *_, n) in zip(hits, features, strict=True) if h is None
        )
        if props.get(field) is None:  # ('None' had been shown as a name it could not match)
            raise InputError(
                f"feature {first} has no {field} {_value(props, field)}, the {kind} field "
                f"the other features are matched by: give it its unit's {kind}; "
                f"{kind}s seen: {_listed(seen)}",
                source,
            )
        # a letter of another script ('Київськa' with a Latin a) reads as the right name
        hidden = hidden_letters(unmatched[0]).strip(" ()") if kind == "name" else ""
        raise InputError(
            f"cannot match {_listed(unmatched, quote=True)} (field {field}; the first is "
            f"feature {first}) to a unit of Ukraine"
            + (f"; in {_listed(unmatched[:1], quote=True)}, {hidden}" if hidden else "")
            + f"; names seen: {_listed(seen)}",
            source,
        )
    out: dict[str, list] = {}
    for h, (_, geom, _n) in zip(hits, features, strict=True):
        out.setdefault(h, []).append(geom)
    missing = sorted(codes - out.keys())
    if missing:
        resolve = _code_resolver(codes) if kind == "code" else _name_resolver(by_name)
        named = [
            f"feature {n} ({field} {_value(props, field)!r}) is a {kind_of}"
            for props, kind_of, n in shapeless
            if resolve(props.get(field)) in missing
        ]
        raise InputError(
            f"missing unit{'s' if len(missing) > 1 else ''} "
            f"{', '.join(label(c) for c in missing)} (matched by {kind} field {field})"
            + (
                f": {'; '.join(named[:5])}, and a unit needs a Polygon or MultiPolygon"
                if named
                else ""
            )
            + _shared(out, hits, features, field, label)
            + f"; names seen: {_listed(seen)}",
            source,
        )
    return out, f"{kind} field {field}"


def _value(props: dict, field: str) -> str:
    """A feature's value of ``field`` as an error shows it: '(null)' or '(absent)' if none."""
    if field not in props:
        return "(absent)"
    value = props[field]
    return "(null)" if value is None else str(value)


def _shared(out: dict, hits: list, features: list, field: str, label) -> str:
    """For a missing unit's error: the units that several features were matched to, with
    those features (a city named plain 'Kyiv' went to Kyiv oblast, the city then missing)."""
    said = []
    for code, geoms in out.items():
        if len(geoms) > 1:
            which = [
                f"{n} ({_value(props, field)!r})"
                for h, (props, _g, n) in zip(hits, features, strict=True)
                if h == code
            ]
            shown = ", ".join(which[:4]) + (f" and {len(which) - 4} more" if len(which) > 4 else "")
            said.append(f"{label(code)} took features {shown}")
    if not said:
        return ""
    return (
        f"; {'; '.join(said[:3])}: if one of those is the missing unit, give it that "
        "unit's name or ISO code"
    )


SHOWN_NAMES = 30  # distinct names an error lists (a file of raions has 136 features)


def _listed(names: list[str], quote: bool = False) -> str:
    """Distinct names in order of first appearance, each shortened, repeats counted
    ("Kyiv Oblast ×12"), the first ``SHOWN_NAMES`` of them and how many more."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    shown = []
    for name, n in list(counts.items())[:SHOWN_NAMES]:
        text = name if len(name) <= 60 else name[:59] + "…"
        shown.append((repr(text) if quote else text) + (f" ×{n}" if n > 1 else ""))
    more = len(counts) - len(shown)
    return ", ".join(shown) + (f" … and {more} more" if more > 0 else "")


def _code_resolver(codes: set[str]) -> Callable:
    def resolve(value) -> str | None:
        code = code_of(value) if value is not None else None
        return code if code in codes else None

    return resolve


def _name_resolver(by_name: Callable[[str], str | None]) -> Callable:
    """A name as written, else without one generic word ("область", "Місто" …), else
    without all of them."""

    def resolve(value) -> str | None:
        if value is None or not str(value).strip():
            return None
        text = str(value)
        variants = [text, *(p.sub(" ", text) for p in GENERIC)]
        bare = text
        for p in GENERIC:
            bare = p.sub(" ", bare)
        for candidate in (*variants, bare):
            hit = by_name(candidate.strip()) if candidate.strip() else None
            if hit is not None:
                return hit
        return None

    return resolve
