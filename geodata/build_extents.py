"""Write ``unit_extents.csv``: each embedded unit's box in the working CRS and the units
it borders, which ``modeller validate`` checks split selectors with, without loading the
outlines (``modeller/splitcheck.py``).

Input: the embedded units (``oblasts.geojson``, through ``modeller.geodata`` as ``run``
projects them). A unit borders another when their outlines come within
``splitcheck.NEIGHBOUR_M`` of each other, as the engine decides it; boxes are written to
the last digit (the engine's frame is made from the same numbers: a box rounded to whole
metres had told a line clipping a corner apart from run's). ``tests/test_splitcheck.py``
fails when the file is stale.

Usage: ``python geodata/build_extents.py`` (after ``build.py``).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent


def extents_text() -> str:
    """The CSV text of the embedded units' boxes and borders."""
    os.environ["MODELLER_UNITS"] = "embedded"  # (whatever the environment says)
    import shapely

    from modeller import geodata, splitcheck

    geometry = geodata.load().geometry
    codes = sorted(geometry)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "min_x", "min_y", "max_x", "max_y", "borders"])
    for code in codes:
        x0, y0, x1, y1 = geometry[code].bounds
        near = [
            other
            for other in codes
            if other != code
            and shapely.dwithin(geometry[code], geometry[other], splitcheck.NEIGHBOUR_M)
        ]
        writer.writerow([code, *map(repr, (x0, y0, x1, y1)), "|".join(near)])
    return out.getvalue()


if __name__ == "__main__":
    (HERE / "unit_extents.csv").write_text(extents_text(), encoding="utf-8")
    print(f"wrote {HERE / 'unit_extents.csv'}")
