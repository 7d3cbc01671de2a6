"""Extract Ukraine's inland water (rivers, reservoirs, lakes, estuaries) for the population
model: nobody lives on water, so a town footprint point or a rural point falling on it is
dropped and the points left carry its people (``modeller/population.py``).

Input: npm ``@geo-maps/earth-waterbodies-100m@0.6.0`` (code MIT; data © OpenStreetMap
contributors, ODbL 1.0), OpenStreetMap water areas of 2017 generalised to 100 m: the
Dnipro's reservoirs as they were before the Kakhovka dam's destruction in June 2023,
which is the landscape of the 1 January 2022 population. Selection: every polygon of its
lake and river layers (not the seas: the units already end at the coast) that meets the
embedded units and covers at least ``MIN_KM2``, cut to the units grown by ``EDGE_DEG``.

Output (committed): ``water.geojson`` (lon/lat, 5 decimals, parts sorted by position).
Usage: ``python geodata/build_water.py [--tgz PATH]`` (default: ``npm pack`` fetches the
pinned tarball from the npm registry); needs ``oblasts.geojson`` (``build.py``) first.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import shapely
from npm_pack import npm_package
from shapely.geometry import mapping, shape

HERE = Path(__file__).resolve().parent
PACKAGE = "@geo-maps/earth-waterbodies-100m@0.6.0"
LAYERS = (0, 1)  # the package's GeometryCollection: lakes, rivers, then the seas (left out)
MIN_KM2 = 0.1  # smaller ponds move no figure (a footprint point stands for ~400 people)
EDGE_DEG = 0.02  # water this far beyond the units' outline is kept (their edges are coarse)
DECIMALS = 5
KM2_PER_DEG2 = 111.32 * 111.32 * np.cos(np.radians(48.5))  # at Ukraine's middle latitude


def fetch(tgz: Path | None, workdir: Path) -> Path:
    """The package's map file, from ``npm pack`` of the pinned version unless given."""
    return npm_package(PACKAGE, tgz, workdir) / "map.geo.json"


def build(map_file: Path, ukraine) -> dict:
    """The water polygons over the units, as a FeatureCollection of one MultiPolygon."""
    data = json.loads(map_file.read_text(encoding="utf-8"))
    region = shapely.buffer(ukraine, EDGE_DEG)
    shapely.prepare(region)
    kept = []
    for layer in LAYERS:
        parts = shapely.get_parts(shape(data["geometries"][layer]))
        parts = parts[shapely.intersects(region, parts)]
        parts = parts[shapely.area(parts) * KM2_PER_DEG2 >= MIN_KM2]
        kept.append(shapely.make_valid(parts))
    water = shapely.union_all(np.concatenate(kept))
    water = shapely.intersection(water, region)
    water = shapely.set_precision(water, 10**-DECIMALS)
    polygons = [p for p in shapely.get_parts(water) if p.geom_type == "Polygon" and p.area > 0]
    polygons.sort(key=lambda p: tuple(round(v, DECIMALS) for v in p.bounds))
    geometry = mapping(shapely.MultiPolygon(polygons))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "source": "OpenStreetMap water areas via npm " + PACKAGE,
                    "licence": "ODbL 1.0, https://opendatacommons.org/licenses/odbl/1-0/",
                    "attribution": "(c) OpenStreetMap contributors, "
                    "https://www.openstreetmap.org/copyright",
                },
                "geometry": geometry,
            }
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tgz", type=Path, help="a local earth-waterbodies-100m-0.6.0.tgz")
    args = parser.parse_args()
    oblasts = json.loads((HERE / "oblasts.geojson").read_text(encoding="utf-8"))
    ukraine = shapely.union_all([shape(f["geometry"]) for f in oblasts["features"]])
    with tempfile.TemporaryDirectory() as tmp:
        out = build(fetch(args.tgz, Path(tmp)), ukraine)
    text = json.dumps(out, separators=(",", ":"), allow_nan=False)
    # coordinates to DECIMALS in the text too (the float repr of a rounded value can be long)
    (HERE / "water.geojson").write_text(_rounded(text) + "\n", encoding="utf-8")
    n = len(out["features"][0]["geometry"]["coordinates"])
    print(f"wrote water.geojson: {n} polygons")


def _rounded(text: str) -> str:
    import re

    return re.sub(r"-?\d+\.\d{6,}", lambda m: f"{float(m.group()):.{DECIMALS}f}", text)


if __name__ == "__main__":
    main()
