"""Geodata exports: the pieces of a run as a GeoDataFrame and as GeoJSON/GeoPackage/GeoParquet.

One row per piece of each scenario's partition (the part of one oblast with one status
in the baseline and one after the scenario): oblast code and name, ``before``, ``after``,
attributes (``recognition``), km² and pre-invasion people — the same figures as the JSON's
``pieces`` — in EPSG:4326. Every file carries the provenance twice: per feature
(``scenario_hash``, ``baseline``, ``baseline_date``, ``units``, ``data_version``) and
once for the file (a top-level ``modeller`` member in GeoJSON, layer metadata
``modeller`` in GeoPackage, the ``modeller`` key of the Parquet schema metadata).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from . import files, geodata, projection, settings
from .document import RunDocument, decimals, to_decimals
from .errors import InputError
from .partition import Partition, polygonal

FORMATS = {"geojson": ".geojson", "gpkg": ".gpkg", "parquet": ".parquet"}
META_KEY = "modeller"


SEGMENT_M = 1000.0  # edges are cut this short before projecting to lon/lat (see pieces_frame)
# GeoJSON coordinates are written to this many decimals of a degree (~1 cm; RFC 7946 §11.2):
# the boundaries are good to tens of metres at best, and 15 digits of projection noise
# (49.58931999999998) made the file half as large again. At 6 decimals the snapping had made
# neighbouring pieces overlap by 346 m² in all (117 m² at 7, 115 m² unrounded)
GEOJSON_DECIMALS = 7


def units_name(doc: RunDocument | None = None) -> str:
    """Which units the figures rest on: as the run recorded them (``doc``), else the active
    set (the embedded ones unless another set is active)."""
    source = (doc.units if doc is not None else None) or getattr(geodata.load(), "source", None)
    return str((source or {}).get("name", "embedded Natural Earth 10m admin-1 units"))


def provenance(doc: RunDocument) -> dict:
    """Tool, data version, units, time, sources and each scenario's hash and baseline; its
    figures (a baseline's km² reconciled, outside the units) to the JSON's decimals."""
    return to_decimals(
        {
            "tool": doc.tool.to_dict(),
            "data_version": doc.data_version,
            "units": units_name(doc),
            "generated": doc.generated,
            "crs": "EPSG:4326",
            "method": doc.method,
            "data_sources": list(doc.data_sources),
            "scenarios": [
                {
                    "id": e.id,
                    "title": e.title,
                    "hash": e.hash,
                    "file": e.file,
                    "reported": [r.to_dict() for r in e.reported],
                    "baseline": e.baseline.to_dict(),
                    "held_in": [h.to_dict() for h in e.held_in],  # the baselines steps read
                    "warnings": list(e.warnings),
                }
                for e in doc.scenarios
            ],
        }
    )


def pieces_frame(doc: RunDocument, partitions: list[Partition]):
    """Every piece of every scenario as a GeoDataFrame in EPSG:4326.

    Columns: scenario, scenario_hash, baseline, baseline_date, oblast, oblast_name,
    before, after, recognition (and any other piece attribute), km2, people (with
    people_low and people_high, its range over the population variants), units,
    data_version, geometry. km2 and people are the run's own figures (equal-area km²,
    dasymetric people), not recomputed from the lon/lat geometry.

    Notes
    -----
    An edge is straight in the working CRS; projected point by point its lon/lat image
    is the chord, which strays from the curve by about L² / 8R (~200 m for a 100 km
    edge), so that neighbours sharing the edge with different vertices overlapped or
    left gaps. Edges are cut to ``SEGMENT_M`` first (~2 cm). Rings wind as RFC 7946
    asks: exteriors counter-clockwise, holes clockwise.
    """
    import geopandas as gpd
    import shapely

    if len(partitions) != len(doc.scenarios):
        raise ValueError(f"{len(partitions)} partitions for {len(doc.scenarios)} scenarios")
    units = geodata.load().units
    unit_set = units_name(doc)
    attr_names = sorted({k for e in doc.scenarios for p in e.pieces for k in p.attributes})
    rows, geoms = [], []
    for e, partition in zip(doc.scenarios, partitions, strict=True):
        km2 = partition.areas_km2
        # rows and polygons are paired by position: a document whose lists were changed
        # in place (sorted, reversed) had put each row's figures on another's polygon
        if len(e.pieces) != len(partition.pieces) or any(
            (row.oblast, row.before, row.after) != (p.oblast, p.before, p.after)
            or abs(row.km2 - a) > 0.01 + 1e-6 * a
            for row, p, a in zip(e.pieces, partition.pieces, km2, strict=False)
        ):
            raise InputError(
                f"scenario {e.id}: the document's pieces no longer match its partition "
                "(its lists changed in place?); export a Result as run gives it, or run again"
            )
        for row, piece in zip(e.pieces, partition.pieces, strict=True):
            attrs = row.attributes
            rows.append(
                {
                    "scenario": e.id,
                    "scenario_hash": e.hash,
                    "baseline": e.baseline.name,
                    "baseline_date": e.baseline.date,
                    "oblast": row.oblast,
                    "oblast_name": units[row.oblast].name_en if row.oblast in units else None,
                    "before": row.before,
                    "after": row.after,
                    **{k: attrs.get(k) for k in attr_names or ["recognition"]},
                    # to the JSON's and CSV's decimals (not 1509514.9999999914 people)
                    **{
                        k: round(getattr(row, k), decimals(k)) + 0.0
                        for k in ("km2", "people", "people_low", "people_high")
                    },
                    "units": unit_set,
                    "data_version": doc.data_version,
                }
            )
            geoms.append(piece.geometry)
    lonlat = [geodata.to_lonlat(densified(g, SEGMENT_M)) for g in geoms]
    frame = gpd.GeoDataFrame(rows, geometry=list(lonlat), crs="EPSG:4326")
    if not len(frame):
        frame = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    valid = shapely.make_valid(frame.geometry.values)
    frame["geometry"] = shapely.orient_polygons([_multipolygon(g) for g in valid])
    return frame


def densified(geom, most: float):
    """A polygonal geometry with its edges cut into pieces no longer than ``most``, by
    ``projection.densify`` on its coordinates: the result is not rebuilt through GEOS.

    Not ``shapely.segmentize``: on GEOS 3.14 it turned a valid 7,070 km² piece of
    Zaporizhzhia into 1e-8 m² of slivers (its densifier repairs what it finds invalid).
    """
    import shapely

    geom = polygonal(geom)
    if geom.is_empty:
        return geom
    kind, xy, offsets = shapely.to_ragged_array([geom])
    xy, rings = projection.densify(xy, offsets[0], most)
    return shapely.from_ragged_array(kind, xy, (rings, *offsets[1:]))[0]


def _multipolygon(geom):
    """A piece as a MultiPolygon: the stray lines an overlay can leave along a border (no
    area) dropped, so every feature is of one type (a GeoPackage layer declares it)."""
    import shapely

    g = polygonal(geom)
    if g.is_empty:
        return shapely.MultiPolygon()
    return g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g])


def format_of(path: Path, fmt: str | None = None) -> str:
    """The export format named, or read from the file's extension."""
    if Path(path).exists() and not Path(path).is_file():  # a device or a folder: said so
        files.file_target(Path(path))
    suffix = Path(path).suffix.lower()
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(f"unknown format '{fmt}'; valid: {', '.join(FORMATS)}")
        files.foreign(path, fmt, FORMATS[fmt])  # GeoJSON text in 'x.xlsx' would not open
        says, allowed = files.SUFFIXES.get(suffix, ("", frozenset({fmt})))
        if fmt not in allowed:
            raise InputError(
                f"'{Path(path).name}' is named as {says}, but the format asked for is {fmt}: "
                f"name the file {FORMATS[fmt]}, or leave the format out",
                str(path),
            )
        return fmt
    for name, ext in FORMATS.items():
        if suffix == ext or (name == "geojson" and suffix == ".json"):
            return name
    raise InputError(
        f"cannot tell the format from '{Path(path).name}': use .geojson, .gpkg or .parquet "
        "(.json is read as .geojson)",
        str(path),
    )


@contextlib.contextmanager
def _gpkg_dated():
    """GDAL stamps a GeoPackage's tables with the time of writing (``last_change``): with
    ``SOURCE_DATE_EPOCH`` set, with that time, so that the same inputs give the same bytes
    as the other formats do (GDAL's ``OGR_CURRENT_DATE``)."""
    epoch = settings.source_date_epoch()
    if epoch is None:
        yield
        return
    import pyogrio

    when = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": when})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def write(frame, path: Path, prov: dict, fmt: str | None = None) -> Path:
    """Write a pieces frame with its provenance, atomically; return the path.

    Notes
    -----
    GeoJSON is written as RFC 7946 (lon/lat, EPSG:4326) with the provenance as a
    top-level foreign member ``modeller``; GeoPackage (via pyogrio) as layer ``pieces``
    with layer metadata ``modeller`` (JSON); GeoParquet (via pyarrow) with the
    provenance JSON under the schema metadata key ``modeller`` beside ``geo``.
    """
    fmt = format_of(path, fmt)
    path = Path(path)
    files.check_not_archive(path)
    text = json.dumps(prov, ensure_ascii=False, default=str)
    if fmt in ("gpkg", "parquet") and not files.is_utf8(os.path.dirname(os.path.abspath(path))):
        raise InputError(
            f"cannot write {path}: its folder's name is not UTF-8 text, "
            f"and the {fmt} writer takes UTF-8 names only; write it into another folder, "
            "or as GeoJSON (.geojson)"
        )
    if fmt == "geojson":
        frame = frame.set_geometry(rounded(frame.geometry.values, GEOJSON_DECIMALS))
        data = json.loads(frame.to_json(drop_id=True, to_wgs84=False))
        data = {"type": "FeatureCollection", META_KEY: prov, "features": data["features"]}
        return files.write_text(path, json.dumps(data, ensure_ascii=False, default=str) + "\n")
    if fmt == "gpkg":
        from pyogrio.errors import DataLayerError, DataSourceError

        others = other_layers(path)
        with files.atomic_path(path, suffix=".tmp.gpkg") as tmp:
            if others:  # the user's layers stay: 'pieces' is added or replaced beside them
                shutil.copyfile(path, tmp)
            else:
                tmp.unlink()  # GDAL creates the file itself
            try:
                with _gpkg_dated():
                    frame.to_file(
                        tmp,
                        driver="GPKG",
                        layer="pieces",
                        engine="pyogrio",
                        metadata={META_KEY: text},
                        # a 'Pieces' of the user's is the same table to SQLite: replaced
                        # too (GDAL had refused, advising an option no one can give here)
                        layer_options={"OVERWRITE": "YES"},
                    )
            except (DataSourceError, DataLayerError) as exc:
                raise _gdal_refusal(exc, path) from None
        return path
    files.check_writer("parquet")
    import pyarrow.parquet as pq

    with files.atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
        table = pq.read_table(tmp)
        meta = dict(table.schema.metadata or {})
        meta[META_KEY.encode()] = text.encode()
        pq.write_table(table.replace_schema_metadata(meta), tmp)
    return path


def rounded(geoms, digits: int):
    """Lon/lat shapes with coordinates to ``digits`` decimals, still valid.

    Notes
    -----
    Each shape is snapped to a grid of :math:`10^{-digits}` degrees (GEOS keeps it valid:
    a sliver narrower than half a cell goes), then its coordinates are rounded to the
    same decimals, which moves them by at most a unit in the last place and prints them
    short. Shared vertices snap alike, so neighbours still meet. A shape that would vanish
    whole (under a cell wide) is kept as it was. Rings wind again as RFC 7946 has them
    (the snapping may turn them).
    """
    import numpy as np
    import shapely

    grid = shapely.set_precision(np.asarray(geoms), 10.0**-digits)
    out = shapely.transform(grid, lambda xy: np.round(xy, digits))
    vanished = shapely.is_empty(out) & ~shapely.is_empty(np.asarray(geoms))
    out[vanished] = np.asarray(geoms)[vanished]
    return shapely.orient_polygons(out)


def other_layers(path: Path) -> list[str]:
    """Layers of an existing GeoPackage other than ``pieces`` (which writing keeps: a
    GeoPackage holds many layers, and '-O mine.gpkg' had replaced all of them)."""
    if path.is_symlink() or not path.is_file():
        return []
    wal = path.with_name(path.name + "-wal")
    if wal.is_file() and wal.stat().st_size:  # (copied alone, the file would lose them)
        raise InputError(
            f"{path.name} is open in another program: {wal.name} beside it holds changes not "
            "yet in the file (a layer added, edits). Close that program (QGIS, a database "
            "tool) and run again, or write to another file",
            str(path),
        )
    try:
        with path.open("rb") as fh:  # (GDAL reads GeoJSON named .gpkg too, but cannot add
            if fh.read(16) != b"SQLite format 3\x00":  # a layer to it: replaced as before)
                return []
    except OSError:
        return []
    import warnings

    try:
        import pyogrio

        with warnings.catch_warnings():  # GDAL's "GPKG: bad application_id" of a file
            warnings.simplefilter("ignore", RuntimeWarning)  # that is no GeoPackage
            layers = [str(name) for name, _ in pyogrio.list_layers(path)]
            return [name for name in layers if name.lower() != "pieces"]
    except Exception:  # noqa: BLE001 - not a GeoPackage GDAL can read: replaced as before
        return []


def _gdal_refusal(exc: Exception, path: Path) -> OSError:
    """GDAL's write error as the OSError it stands for: with a near-full disk, GDAL says only
    "Failed to commit transaction"."""
    try:
        full = shutil.disk_usage(path.parent).free < 16 * 2**20
    except OSError:
        full = False
    if full or "space" in str(exc).lower():
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    said = str(exc)
    if "sqlite3_exec(" in said and ") failed:" in said:  # (the whole SQL had been quoted)
        said = "SQLite:" + said.rsplit(") failed:", 1)[1]
    said = said if len(said) <= 300 else said[:299] + "…"
    return OSError(errno.EIO, f"GDAL could not write the GeoPackage ({said})", str(path))


def written_here(path: Path) -> bool:
    """Whether ``path`` is a pieces file modeller wrote (it carries modeller's provenance):
    a default ``pieces.geojson`` that is the user's own is not replaced without a word."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return False
    try:
        if format_of(path) == "geojson":  # the start of the file says it, as ``write`` wrote it
            with open(path, "rb") as fh:
                start = fh.read(256)
            return start.startswith(_GEOJSON_START)
        return read_provenance(path).get("tool", {}).get("name") == "modeller"
    # unreadable (OSError), not a GeoPackage (pyogrio: RuntimeError) or Parquet file
    # (pyarrow: ValueError), no or other metadata (KeyError, TypeError, AttributeError)
    except (OSError, RuntimeError, ValueError, KeyError, TypeError, AttributeError):
        return False


_GEOJSON_START = b'{"type": "FeatureCollection", "modeller": {"tool": {"name": "modeller"'


def read_provenance(path: Path) -> dict:
    """The provenance a file written by ``write`` carries (for tests and users)."""
    fmt = format_of(path)
    if fmt == "geojson":
        return json.loads(Path(path).read_text(encoding="utf-8"))[META_KEY]
    if fmt == "gpkg":
        import pyogrio

        return json.loads(pyogrio.read_info(path, layer="pieces")["layer_metadata"][META_KEY])
    import pyarrow.parquet as pq

    return json.loads(pq.read_schema(path).metadata[META_KEY.encode()])
