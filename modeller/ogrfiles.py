"""GeoPackages and Shapefiles, read through pyogrio: a file's one layer of polygons, its
fields, and its geometries in lon/lat (reprojected from the CRS the layer declares).

Units files, baseline GeoPackages and scenario polygons are read here. Every way such a
file can be unusable is one InputError naming the file and the fix: not the format its
name says (a ZIP, GeoJSON text, an empty file), a Shapefile without its ``.shx``, no layer
or a table without geometry, a CRS that cannot become lon/lat, a coordinate that is not a
finite number. GDAL's own words are the last resort, without its hints for programmers
(a driver prefix, a configuration option that would write a file into the user's folder).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely

from . import inputs
from .errors import InputError, cut
from .positions import metres_text
from .textsafe import terminal_text

SHP_MAGIC = b"\x00\x00\x27\x0a"  # a .shp's file code, 9994, big-endian
GPKG_MAGIC = b"SQLite format 3\x00"
_GDAL_HINTS = re.compile(
    r";? *(It might help to specify the correct driver.*|Set SHAPE_RESTORE_SHX.*)$", re.DOTALL
)


def check(path: Path, kind: str) -> None:
    """A regular, non-empty file of the format its suffix names (a Shapefile with its
    ``.shx`` and ``.dbf`` beside it); InputError saying what it is instead."""
    path = Path(path)
    size = inputs.check_file(path, kind)
    if size == 0:
        raise InputError(f"empty file (0 bytes); expected a {kind}", str(path))
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError as exc:  # (stat works where open does not: another user's file)
        raise InputError(f"cannot read {kind} file: {inputs.reason(exc)}", str(path)) from None
    shp = path.suffix.lower() == ".shp"
    if not head.startswith(SHP_MAGIC if shp else GPKG_MAGIC):
        what = inputs.binary_kind(head)
        if what is None and head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"["):
            raise InputError(f"this is text (GeoJSON?), not a {kind}: name it .geojson", str(path))
        said = (
            f"this is {what}, not a {kind}"
            if what
            else f"this is not a {kind} (it does not start as one does)"
        )
        fix = (
            "unzip it and give its .shp (with its .shx, .dbf and .prj beside it)"
            if what and what.startswith("a ZIP")
            else f"give the {kind} itself, or export one (QGIS: Export > Save Features As)"
        )
        raise InputError(f"{said}: {fix}", str(path))
    # a .dbf is as much the Shapefile as its .shx (both are required by the format):
    # without it GDAL reads no fields, and a baseline's 'ukraine' features would become
    # the default status of a layer without one (Russian-held), without a word
    for part, holds in ((".shx", ""), (".dbf", ", where a Shapefile keeps its fields")):
        if shp and not sidecar(path, part):
            raise InputError(
                f"no {path.stem}{part} beside it{holds}: a Shapefile is several files (.shp, "
                ".shx, .dbf, .prj); copy them all into one folder",
                str(path),
            )
    if shp:
        _check_whole(path, size)


def _check_whole(path: Path, size: int) -> None:
    """InputError when the ``.shx`` places records past the end of the ``.shp``: a file
    cut short (a copy or download stopped). GDAL reads those records without geometry,
    and they had been dropped without a word (half a baseline's polygons lost).

    Notes
    -----
    The ``.shx`` is a 100-byte header, then per record two big-endian int32: its offset
    and content length in 16-bit words; a record ends at 2·(offset + 4 + length) bytes.
    """
    shx = sidecar(path, ".shx")
    try:
        index = np.fromfile(shx, dtype=">i4", offset=100).reshape(-1, 2)
    except (OSError, ValueError):
        return  # (unreadable or odd: GDAL says what it makes of it)
    ends = 2 * (index[:, 0].astype(np.int64) + 4 + index[:, 1])
    past = int((ends > size).sum())
    if past:
        raise InputError(
            f"the Shapefile is cut short: {past} of its {len(index)} records lie past the end "
            f"of its .shp ({size:,} bytes; its .shx expects {int(ends.max()):,}); copy or "
            "export it again, whole",
            str(path),
        )


def sidecar(path: Path, suffix: str) -> Path | None:
    """The Shapefile's file of ``suffix`` in any letter case (ZONE.SHX), as GDAL finds it:
    the one in the .shp's own case first (a stale ZONE.SHX beside zone.shx is not it)."""
    want = (path.stem + suffix).lower()
    cases = (suffix.lower(), suffix.upper())
    for case in cases[::-1] if path.suffix.isupper() else cases:
        if (exact := path.with_suffix(case)).is_file():
            return exact
    try:
        return next((p for p in path.parent.iterdir() if p.name.lower() == want), None)
    except OSError:
        return None


def read(path: Path, kind: str) -> tuple[dict, np.ndarray, list]:
    """(metadata, WKB geometries, field values) of the file's layer of polygons
    (``polygon_layer``), after ``check``; ``kind`` names the file in errors."""
    try:
        from pyogrio.raw import read as read_raw
    except ImportError:
        raise InputError(
            "reading a GeoPackage or Shapefile needs pyogrio: pip install pyogrio", str(path)
        ) from None
    check(path, kind)
    try:
        with warnings.catch_warnings():  # M values (dropped), GDAL's notes: checked below
            warnings.simplefilter("ignore")
            meta, _index, geometry, fields = read_raw(path, layer=polygon_layer(path))
    except InputError:
        raise
    except Exception as exc:  # pyogrio raises its own error types for unreadable files
        raise InputError(f"cannot read {kind}: {gdal_words(exc, path)}", str(path)) from None
    if geometry is None:
        raise InputError(
            "its layer has no geometry (a table of attributes); expected a layer of polygons",
            str(path),
        )
    return meta, geometry, _undeclared_text(path, meta, fields)


def _undeclared_text(path: Path, meta: dict, fields: list) -> list:
    """A Shapefile's text fields in the encoding they are in when the file does not say
    which (no ``.cpg``, no code page in the ``.dbf`` header): GDAL then reads them as
    Latin-1, and Ukrainian names come out as "Êè¿âñüêà". They are read again as UTF-8 when
    every such value is valid UTF-8, else as Windows-1251 when every one is Cyrillic there
    (what Ukrainian GIS software writes); otherwise they stay Latin-1.
    """
    if path.suffix.lower() != ".shp" or str(meta.get("encoding", "")).upper() != "ISO-8859-1":
        return fields
    dbf = sidecar(path, ".dbf")
    if dbf is None or sidecar(path, ".cpg") is not None:
        return fields
    try:
        with open(dbf, "rb") as handle:
            if handle.read(32)[29:30] not in (b"", b"\x00"):  # a code page GDAL has used
                return fields
    except OSError:
        return fields
    texts = [
        (j, i)
        for j, column in enumerate(fields)
        if _is_text(column)
        for i, value in enumerate(column)
        if isinstance(value, str) and not value.isascii()
    ]
    if not texts:
        return fields
    raw = [fields[j][i].encode("latin-1") for j, i in texts]
    for encoding in ("utf-8", "cp1251"):
        try:
            decoded = [b.decode(encoding) for b in raw]
        except UnicodeDecodeError:
            continue
        if encoding == "cp1251" and not all(_cyrillic(t) for t in decoded):
            continue
        out = [column.copy() if _is_text(column) else column for column in fields]
        for (j, i), text in zip(texts, decoded, strict=True):
            out[j][i] = text
        return out
    return fields


def _is_text(column) -> bool:
    """Whether a field's values are an array of Python objects (strings and None)."""
    return getattr(getattr(column, "dtype", None), "kind", None) == "O"


def _cyrillic(text: str) -> bool:
    """Whether ``text`` reads as Cyrillic: every letter beyond ASCII is Cyrillic (U+0400 to
    U+04FF), and outnumbers the ASCII letters in its word. Latin-1 "Zürich" read as
    Windows-1251 is "Zьrich"; a Latin look-alike in a Ukrainian name ("Kиїв") is kept."""
    for word in re.findall(r"\w+", text):
        wide = [ch for ch in word if not ch.isascii() and ch.isalpha()]
        if not all("\u0400" <= ch <= "\u04ff" for ch in wide):
            return False
        if wide and len(wide) <= sum(ch.isascii() and ch.isalpha() for ch in word):
            return False
    return True


def gdal_words(exc: BaseException, path: Path | None = None) -> str:
    """GDAL's message, once, on one line, without its hints for programmers, the SQL it ran
    or the file's name (the error names it)."""
    text = _GDAL_HINTS.sub("", str(exc)).strip()
    text = re.sub(r"sqlite3_\w+\(.*?\) failed: ", "", text, flags=re.DOTALL)
    if path is not None:
        text = text.replace(f"'{path}' ", "").replace(str(path), "the file")
    parts = [p.strip() for p in text.split(";") if p.strip()]
    return one_line("; ".join(dict.fromkeys(parts)))[:300]


def one_line(text: str) -> str:
    """``text`` safe to print inside a one-line message (no line breaks, no escapes)."""
    return terminal_text(str(text).replace("\n", " ").replace("\r", " ").replace("\t", " "))


def layer(path: Path, kind: str) -> tuple[np.ndarray, list[str], list]:
    """The file's geometries in lon/lat (None where a feature has none), its field names
    and their values, after ``read``. A layer with no CRS whose coordinates are not lon/lat,
    and a coordinate that is not a finite number, are errors naming the feature."""
    meta, geometry, values = read(path, kind)
    crs = meta.get("crs")
    with warnings.catch_warnings():  # a NaN coordinate: said below, with the feature
        warnings.simplefilter("ignore")
        shapes = in_lonlat(shapely.from_wkb(geometry), crs, path)
    xy, which = shapely.get_coordinates(shapes, return_index=True)
    if not crs:
        off = (np.abs(xy) > [180.0, 90.0]).any(axis=1)
        if off.any():
            (x, y), i = xy[np.argmax(off)], which[np.argmax(off)]
            such = f"[{metres_text(x)}, {metres_text(y)}]"
            raise InputError(
                f"feature {i + 1}: coordinates such as {such} are not lon/lat "
                "degrees, and the layer declares no CRS: assign it its CRS (QGIS: Layer > Set "
                "CRS) or export it in EPSG:4326",
                str(path),
            )
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        raise InputError(
            f"feature {which[np.argmax(bad)] + 1}: a coordinate is not a finite number (NaN or "
            f"infinite), or could not be converted from the layer's CRS ({crs_name(crs)}) to "
            "lon/lat; fix or drop that feature",
            str(path),
        )
    return shapes, [str(n) for n in meta["fields"]], values


def features(
    path: Path, kind: str, fields: tuple[str, ...] = (), also: Callable[[str], bool] | None = None
) -> tuple[list, list[str]]:
    """The file's polygons as GeoJSON Features in lon/lat (``layer``), with the ``fields``
    asked for as properties: what a GeoJSON file of them would hold, to be checked as one.
    ``fields`` are found in any letter case ("STATUS") and named as asked; the other fields
    ``also`` passes are named as in the file. Dates become ISO text, as GeoJSON holds them.
    Returns the features and the layer's field names."""
    shapes, names, values = layer(path, kind)
    asked = {f.casefold() for f in fields}
    column = {  # each field asked for: its column
        n: j for j, n in enumerate(names) if also and n.strip().casefold() not in asked and also(n)
    }
    for f in fields:
        same = [j for j, n in enumerate(names) if n.strip().casefold() == f.casefold()]
        if len(same) > 1:
            shown = ", ".join(repr(names[j]) for j in same)
            raise InputError(f"{len(same)} fields ({shown}) are '{f}': keep one", str(path))
        if same:
            column[f] = same[0]
    props = [{f: _plain(values[j][i]) for f, j in column.items()} for i in range(len(shapes))]
    found = [
        # as GeoJSON itself (lists, not mapping's tuples)
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)), "properties": p}
        for g, p in zip(shapes, props, strict=True)
        if g is not None
    ]
    return found, names


GDAL_DATE = re.compile(r"\d{4}/\d{2}/\d{2}( \d{2}:\d{2}:\d{2})?")
"""A date and time as GDAL writes one to a Shapefile, which has no DateTime type."""


def _plain(value: object) -> object:
    """A field's value as a GeoJSON property holds it: a date or time as ISO text
    (2025-08-15, or 2025-08-15T20:33:44; GDAL's 2025/08/15 20:33:44 too), a number as a
    Python number."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        text = np.datetime_as_string(value, unit="s")
        return text.removesuffix("T00:00:00")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, str) and GDAL_DATE.fullmatch(value):  # a Shapefile's DateTime
        return value.replace("/", "-").replace(" ", "T")
    return value


def crs_name(crs: str | None) -> str:
    """A layer's CRS in words: its name, or "none declared"."""
    if not crs:
        return "none declared"
    from pyproj import CRS

    try:
        return one_line(CRS.from_user_input(crs).name)[:80]
    except Exception:  # noqa: BLE001 - whatever pyproj cannot read is named as given
        return one_line(crs)[:80]


def in_lonlat(geoms, crs: str | None, path: Path | None = None):
    """Geometries of a layer in the CRS it names, reprojected to lon/lat (EPSG:4326); as
    they are when it names none, or that one. A CRS that cannot become lon/lat (an
    undefined Cartesian one, an engineering CRS, another planet) is an InputError."""
    if not crs:
        return geoms
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError, ProjError

    try:
        declared = CRS.from_user_input(crs)
        if declared.equals(CRS.from_epsg(4326)):
            return geoms
        to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except (CRSError, ProjError):
        raise InputError(
            f"the layer's CRS ({crs_name(crs)}) cannot be converted to lon/lat: assign the "
            "layer its real CRS (e.g. EPSG:32636, UTM 36N) or export it in EPSG:4326",
            None if path is None else str(path),
        ) from None
    _degrees_labelled_projected(geoms, declared, crs, path)
    return shapely.transform(geoms, lambda xy: np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1])))


def _degrees_labelled_projected(geoms, declared, crs: str, path: Path | None) -> None:
    """InputError for a layer that declares a projected CRS (metres) while its coordinates
    all fit in ±180, ±90: lon/lat degrees under a wrong label (read as metres they are a
    few hundred metres off Null Island; the error had said to give lon/lat degrees, which
    the file already has)."""
    if not declared.is_projected or not len(geoms):
        return
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        return
    raise InputError(
        f"the layer declares {crs_name(crs)}, a CRS in metres, but its coordinates look like "
        f"lon/lat degrees (x {x0:g} … {x1:g}, y {y0:g} … {y1:g}): its declared CRS is "
        "wrong; assign it EPSG:4326 (QGIS: Layer > Set CRS; ogr2ogr -a_srs EPSG:4326 "
        "out.gpkg in.gpkg)",
        None if path is None else str(path),
    )


def polygon_layer(path: Path) -> str | None:
    """The layer to read: the only one, or the only one of polygons among several (None: the
    first, as GDAL would); none, or several of polygons, is an error naming them."""
    import pyogrio

    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:  # noqa: BLE001 - pyogrio's own errors for unreadable files
        raise InputError(
            f"cannot read {inputs.geo_format(path)}: {gdal_words(exc, path)}", str(path)
        ) from None
    layers = [(str(name), str(kind or "none")) for name, kind in listed]
    if not layers:
        raise InputError("no layers in this file; expected one layer of polygons", str(path))
    if len(layers) == 1:
        return None
    polygons = [name for name, kind in layers if "POLYGON" in kind.upper()]
    if len(polygons) == 1:
        return polygons[0]
    shown = ", ".join(f"'{cut(one_line(name), 40)}' ({kind})" for name, kind in layers[:8])
    raise InputError(
        f"{len(layers)} layers ({shown}) and {len(polygons) or 'none'} of polygons; expected "
        "one layer of polygons: save that layer alone",
        str(path),
    )
