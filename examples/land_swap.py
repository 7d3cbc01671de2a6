"""Worked example: the land-swap scenario as tables and geodata, from Python.

Run it from any folder (``python examples/land_swap.py [OUTPUT_FOLDER]``); it writes
``land-swap.gpkg`` (open it in QGIS) and ``land-swap.geojson`` there and prints what
changes hands. The test suite runs it (tests/test_api.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import modeller


def main(out: Path) -> modeller.Result:
    # 1. A shipped scenario by id, and the baseline it names (contact-line).
    scenario = modeller.load_scenario("land-swap")
    print(f"{scenario.id}: {scenario.title} ({scenario.date})")

    # 2. Run it: figures as the command line computes them.
    result = modeller.run([scenario])

    # 3. Who holds what afterwards (km², % of Ukraine, pre-invasion people).
    held = result.held[["status", "baseline_km2", "km2", "change_km2", "people"]]
    print(held.round(0).to_string(index=False))

    # 4. What changes hands, by oblast, largest first.
    moved = result.transfers.groupby(["oblast_name", "from", "to"])[["km2", "people"]].sum()
    print(moved.sort_values("km2", ascending=False).round(0).to_string())

    # 5. The pieces as geodata (EPSG:4326) with provenance, for QGIS or kepler.gl.
    pieces = result.pieces
    ceded = pieces[(pieces["before"] == "ukraine") & (pieces["after"] != "ukraine")]
    print(f"Ukraine cedes {ceded['km2'].sum():,.0f} km² in {len(ceded)} pieces")
    out.mkdir(parents=True, exist_ok=True)
    for name in ("land-swap.gpkg", "land-swap.geojson"):
        print("wrote", result.to_file(out / name))
    return result


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
