"""Helpers shared by test modules (imported as ``helpers``: pytest puts ``tests/`` on the
path)."""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

from modeller import report, runs
from modeller.scenario import load_scenarios

REPO = Path(__file__).resolve().parent.parent


def build(paths: list[Path], spec: str = "contact-line") -> tuple:
    """What ``modeller run`` does before writing maps: the document and the partitions."""
    cache = runs.BaselineCache()
    partitions, entries = [], []
    for path, sc in load_scenarios(paths):
        applied = runs.apply_one(path, sc, spec, cache)
        partitions.append(applied.partition)
        entries.append(
            report.scenario_entry(
                applied.partition, path, 15, applied.phases, applied.held_in, applied.note
            )
        )
    return report.document(entries), partitions


def shipped(*names: str) -> list[Path]:
    """Paths of shipped scenario files by id."""
    return [REPO / "scenarios" / f"{name}.yaml" for name in names]


def write_layer(path: Path, geom, crs: str | None, driver: str = "GPKG", **field) -> Path:
    """A one-feature GeoPackage (or Shapefile: ``driver="ESRI Shapefile"``) of ``geom``,
    with one text field (``name="zone"`` unless given)."""
    import numpy as np
    import pyogrio
    import shapely

    ((name, value),) = (field or {"name": "zone"}).items()
    pyogrio.raw.write(
        path,
        geometry=np.array([shapely.to_wkb(geom)], dtype=object),
        field_data=[np.array([value], dtype=object)],
        fields=[name],
        geometry_type="Polygon",
        crs=crs,
        driver=driver,
    )
    return path


def parse_command(args: list[str]) -> str:
    """Parse a ``modeller`` command line as the CLI reads it, without running it (an
    unknown command, option or choice raises click's usage error); return the command's
    name."""
    import click

    from modeller.cli import main

    with main.make_context("modeller", list(args)) as ctx:
        with warnings.catch_warnings():  # click 8.2 deprecates protected_args, 8.1 needs it
            warnings.simplefilter("ignore", DeprecationWarning)
            tokens = [*ctx.protected_args, *ctx.args]
        name, cmd, rest = main.resolve_command(ctx, tokens)
        with contextlib.suppress(click.exceptions.Exit), cmd.make_context(name, rest, parent=ctx):
            pass  # parsed: the command, its options and their choices exist
    return name


def legend_texts(fig) -> list:
    """The texts of a static map's legend (its title and each row's label), as drawn."""
    from modeller.maps.image_panel import LEGEND

    return [t for t in fig.texts if t.get_label() == LEGEND]


def legend_box(fig, renderer):
    """The box (display pixels) around a static map's legend texts."""
    from matplotlib.transforms import Bbox

    return Bbox.union([t.get_window_extent(renderer) for t in legend_texts(fig)])
