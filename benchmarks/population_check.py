"""Check the modeller's pre-invasion population of the Russian-held area against hromada data.

Two estimates of the 1 Jan 2022 residents of the area DeepState shows as Russian-held:

* **modeller** — ``metrics.tally`` on ``baselines.load_baseline("deepstate:DATE")``: the
  dasymetric model (GeoNames town footprints + rural remainder weighted by the settlements'
  smoothed population, per oblast — ``modeller.population``,
  inside the embedded Natural Earth oblast outlines).
* **hromada** — independent areal weighting over the ~1,470 hromadas (the 2020 municipal
  units), by land: ``Σ_h pop_h × area(L_h ∩ held) / area(L_h)`` with ``L_h`` the hromada
  less inland water (``geodata.water``: nobody lives on a reservoir), outlines from
  ``boundaries/ua_hromadas_simplified_vadymnes.geojson`` (KATOTTG code in ``COD_3``) and
  populations from ``population/kse_ua-pop-2022_hromada.csv`` (Ukrstat, 1 Jan 2022).

Both are extensive (people are split by share and summed). The footprint compared is the
24 oblasts + Kyiv city that Ukrstat's hromada tables cover; Crimea and Sevastopol (OCHA
figures in the modeller) are reported separately, modeller only. Areas are measured in
the modeller's equal-area CRS (``geodata.EQUAL_AREA``).

Data quirks handled (each is counted in the output): hromadas without geometry (their
people cannot be placed), Kyiv city missing from the geometry file (placed with the
embedded Kyiv city outline instead), Crimea councils, lakes and the exclusion zone in the
geometry file (no population row; skipped).

Run: ``python benchmarks/population_check.py --date 2025-08-15``
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date as Date
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from modeller import archive, baselines, geodata, metrics, settings
from modeller.hromada_files import GEOMETRY as HROMADA_GEOMETRY
from modeller.hromada_files import KATOTTG_TO_ISO, iso_of_katottg  # noqa: F401  (one mapping)
from modeller.hromada_files import POPULATION as HROMADA_POPULATION

NOT_IN_HROMADA_TABLES = ("UA-43", "UA-40")  # Crimea, Sevastopol: OCHA figures, modeller only
KYIV_CITY_ROW = "NA"  # the CSV's Kyiv city row has no KATOTTG code


_TO_EA = Transformer.from_crs("EPSG:4326", geodata.EQUAL_AREA, always_xy=True)


def _project(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_EA.transform(*xy.T)))


def data_file(relative: Path) -> Path:
    """A file of the shared data folder (MODELLER_DATA_DIR); FileNotFoundError says which."""
    folder = settings.data_dir()
    if folder is None:
        raise FileNotFoundError("MODELLER_DATA_DIR is not set; point it at ../shared/data")
    path = folder / relative
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing (MODELLER_DATA_DIR={folder})")
    return path


def held_polygon(day: Date):
    """DeepState's Russian-held multipolygon of ``day``, unclipped, in the equal-area CRS."""
    path = baselines.deepstate_path(day)
    if path is None:
        raise FileNotFoundError(f"no DeepState snapshot for {day} in {settings.deepstate_dirs()}")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    geoms = [shape(f["geometry"]) for f in features if f.get("geometry")]
    return _project(shapely.make_valid(shapely.union_all(geoms)))


def hromada_estimate(held) -> dict:
    """Areal weighting of hromada populations over ``held`` (equal-area CRS), per oblast."""
    population: dict[str, int] = {}
    with open(data_file(HROMADA_POPULATION), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            population[row["hromada_code"]] = int(row["total_population_2022"])
    features = json.loads(data_file(HROMADA_GEOMETRY).read_text(encoding="utf-8"))["features"]

    people: dict[str, float] = {}
    by_area: dict[str, float] = {}  # the same over all its area, water too (independent of
    # the modeller's water mask: a wrong mask would show as a gap between the two)
    km2: dict[str, float] = {}
    placed: set[str] = set()
    no_geometry: list[dict] = []
    skipped = {"no code (lakes, exclusion zone, …)": 0, "Crimea/Sevastopol councils": 0}
    codes, geoms = [], []
    for f in features:
        props = f["properties"]
        code = props.get("COD_3")
        if not code:
            skipped["no code (lakes, exclusion zone, …)"] += 1
            continue
        iso = iso_of_katottg(code)
        named = geodata.resolve_oblast(props["ADMIN_1"].removesuffix(" область"))
        if named != iso:
            raise ValueError(
                f"hromada {code}: KATOTTG prefix says {iso}, ADMIN_1 "
                f"{props['ADMIN_1']!r} says {named}; fix KATOTTG_TO_ISO"
            )
        if iso in NOT_IN_HROMADA_TABLES:
            skipped["Crimea/Sevastopol councils"] += 1
            continue
        if code not in population:
            raise ValueError(f"hromada {code} ({props.get('name')}) has no population row")
        if not f.get("geometry"):
            no_geometry.append(
                {"code": code, "name": props.get("name"), "oblast": iso, "people": population[code]}
            )
            continue
        codes.append(code)
        geoms.append(_project(shapely.make_valid(shape(f["geometry"]))))

    geoms = np.array(geoms, dtype=object)
    shapely.prepare(held)
    total_area = shapely.area(geoms)
    inside = shapely.area(shapely.intersection(geoms, held))
    # people by land area: a hromada's reservoir or river carries none of them (as in the
    # modeller); its km² stay whole
    land = shapely.difference(geoms, geodata.water())
    land_area = shapely.area(land)
    land_in = shapely.area(shapely.intersection(land, held))
    for code, a, a_in, w, w_in in zip(codes, total_area, inside, land_area, land_in, strict=True):
        iso = iso_of_katottg(code)
        placed.add(code)
        share = w_in / w if w > 0 else a_in / a
        people[iso] = people.get(iso, 0.0) + population[code] * share
        by_area[iso] = by_area.get(iso, 0.0) + population[code] * a_in / a
        km2[iso] = km2.get(iso, 0.0) + a_in / 1e6

    # Kyiv city is not in the geometry file: place its row with the embedded outline.
    kyiv_share = float(
        geodata.area_km2(shapely.intersection(geodata.load().geometry["UA-30"], held))
        / geodata.area_km2(geodata.load().geometry["UA-30"])
    )
    if KYIV_CITY_ROW in population:
        placed.add(KYIV_CITY_ROW)
        people["UA-30"] = people.get("UA-30", 0.0) + population[KYIV_CITY_ROW] * kyiv_share
        by_area["UA-30"] = by_area.get("UA-30", 0.0) + population[KYIV_CITY_ROW] * kyiv_share

    unmatched = [
        c for c in population if c not in placed and c not in {h["code"] for h in no_geometry}
    ]
    if unmatched:
        raise ValueError(f"{len(unmatched)} population rows match no hromada: {unmatched[:5]}")
    return {
        "people": people,
        "people_all_area": by_area,
        "km2": km2,
        "hromadas_placed": len(placed),
        "population_total": sum(population.values()),
        "population_placed": sum(population[c] for c in placed),
        "no_geometry": no_geometry,
        "skipped_features": skipped,
        "kyiv_city": {"people": population.get(KYIV_CITY_ROW, 0), "held_share": kyiv_share},
    }


def modeller_estimate(day: Date) -> dict:
    """Russian-held km² and people per oblast from the modeller's DeepState baseline."""
    t = metrics.tally(baselines.load_baseline(f"deepstate:{day.isoformat()}"))
    people: dict[str, float] = {}
    km2: dict[str, float] = {}
    for p, a, n in zip(t.partition.pieces, t.km2, t.people, strict=True):
        if p.after == "russia":
            people[p.oblast] = people.get(p.oblast, 0.0) + float(n)
            km2[p.oblast] = km2.get(p.oblast, 0.0) + float(a)
    status = metrics.by_status(t)
    return {"people": people, "km2": km2, "by_status": status}


def naive_area_estimate(km2: dict[str, float]) -> dict[str, float]:
    """People if each oblast's population were spread evenly by area (no settlements)."""
    data = geodata.load()
    return {
        code: data.units[code].population * a / float(geodata.area_km2(data.geometry[code]))
        for code, a in km2.items()
    }


def compare(day: str | Date = "2025-08-15") -> dict:
    """Modeller vs hromada areal weighting for the DeepState snapshot of ``day``.

    Returns a dict with ``rows`` (one per oblast with Russian-held area, within the
    footprint the hromada tables cover), ``total`` (same footprint), ``modeller_only``
    (Crimea, Sevastopol) and ``quirks`` (what could not be placed or was skipped).
    """
    day = Date.fromisoformat(day) if isinstance(day, str) else day
    held = held_polygon(day)
    model = modeller_estimate(day)
    hrom = hromada_estimate(held)
    naive = naive_area_estimate(model["km2"])
    data = geodata.load()

    rows = []
    codes = sorted(
        c
        for c in set(model["km2"]) | {c for c, v in hrom["km2"].items() if v > 0}
        if c not in NOT_IN_HROMADA_TABLES
    )
    for code in codes:
        m, h = model["people"].get(code, 0.0), hrom["people"].get(code, 0.0)
        rows.append(
            {
                "oblast": code,
                "name": data.units[code].name_en,
                "modeller_km2": model["km2"].get(code, 0.0),
                "hromada_km2": hrom["km2"].get(code, 0.0),
                "modeller_people": m,
                "hromada_people": h,
                "hromada_all_area_people": hrom["people_all_area"].get(code, 0.0),
                "naive_area_people": naive.get(code, 0.0),
                "diff": m - h,
                "diff_pct": 100.0 * (m - h) / h if h else float("nan"),
            }
        )
    m_total = sum(r["modeller_people"] for r in rows)
    h_total = sum(r["hromada_people"] for r in rows)
    total = {
        "modeller_km2": sum(r["modeller_km2"] for r in rows),
        "hromada_km2": sum(r["hromada_km2"] for r in rows),
        "modeller_people": m_total,
        "hromada_people": h_total,
        "hromada_all_area_people": sum(r["hromada_all_area_people"] for r in rows),
        "naive_area_people": sum(r["naive_area_people"] for r in rows),
        "diff": m_total - h_total,
        "diff_pct": 100.0 * (m_total - h_total) / h_total,
    }
    modeller_only = [
        {
            "oblast": code,
            "name": data.units[code].name_en,
            "modeller_km2": model["km2"].get(code, 0.0),
            "modeller_people": model["people"].get(code, 0.0),
            "official_population": data.units[code].population,
            "population_source": data.units[code].population_source,
        }
        for code in NOT_IN_HROMADA_TABLES
    ]
    unplaced = sum(h["people"] for h in hrom["no_geometry"])
    return {
        "date": day.isoformat(),
        "source": f"{archive.DAILY_SOURCE}; hromadas: {HROMADA_GEOMETRY}, {HROMADA_POPULATION}",
        "rows": rows,
        "total": total,
        "modeller_only": modeller_only,
        "modeller_russia_people_all": float(model["by_status"]["russia"]["people"]),
        "quirks": {
            "hromadas_placed": hrom["hromadas_placed"],
            "population_total": hrom["population_total"],
            "population_placed": hrom["population_placed"],
            "population_unplaced": unplaced,
            "no_geometry": hrom["no_geometry"],
            "skipped_features": hrom["skipped_features"],
            "kyiv_city": hrom["kyiv_city"],
        },
    }


def _pct(value: float, reference: float) -> float:
    return 100.0 * (value - reference) / reference if reference else float("nan")


def print_report(result: dict, out=sys.stdout) -> None:
    w = out.write
    w(f"Pre-war (1 Jan 2022) population of the Russian-held area, DeepState {result['date']}\n")
    w("modeller = town footprints + rural remainder by settlement density (deepstate baseline)\n")
    w("hromada  = Σ hromada population × share of hromada land held (Ukrstat hromada table;\n")
    w("           land: its area less inland water, geodata/water.geojson)\n")
    w("all area = the same by each hromada's whole area, water too (no water mask)\n")
    w("naive    = oblast population × share of oblast area held (for scale: no settlements)\n\n")
    head = (
        f"{'oblast':<22}{'km² model':>11}{'km² hrom':>11}{'modeller':>12}{'hromada':>12}"
        f"{'diff':>11}{'diff %':>8}{'all area':>12}{'diff %':>8}{'naive':>12}\n"
    )
    w(head)
    w("-" * (len(head) - 1) + "\n")

    def line(label, r):
        w(
            f"{label:<22}{r['modeller_km2']:>11,.0f}{r['hromada_km2']:>11,.0f}"
            f"{r['modeller_people']:>12,.0f}{r['hromada_people']:>12,.0f}"
            f"{r['diff']:>+11,.0f}{r['diff_pct']:>+8.1f}{r['hromada_all_area_people']:>12,.0f}"
            f"{_pct(r['modeller_people'], r['hromada_all_area_people']):>+8.1f}"
            f"{r['naive_area_people']:>12,.0f}\n"
        )

    for r in result["rows"]:
        line(f"{r['name']} ({r['oblast']})", r)
    w("-" * (len(head) - 1) + "\n")
    line("Total (24 obl.+Kyiv)", result["total"])
    w("\nModeller only (not in Ukrstat's hromada tables):\n")
    for r in result["modeller_only"]:
        w(
            f"  {r['name']} ({r['oblast']}): {r['modeller_km2']:,.0f} km², "
            f"{r['modeller_people']:,.0f} people of {r['official_population']:,} "
            f"({r['population_source']})\n"
        )
    w(f"  All Russian-held, modeller: {result['modeller_russia_people_all']:,.0f} people\n")
    q = result["quirks"]
    w("\nData quirks:\n")
    w(
        f"  population rows placed: {q['hromadas_placed']:,} "
        f"({q['population_placed']:,} of {q['population_total']:,} people)\n"
    )
    w(
        f"  not placed (hromada without geometry): {len(q['no_geometry'])} hromadas, "
        f"{q['population_unplaced']:,} people "
        f"({100 * q['population_unplaced'] / q['population_total']:.2f} %)\n"
    )
    for h in q["no_geometry"]:
        w(f"    {h['code']} {h['name']} ({h['oblast']}): {h['people']:,}\n")
    k = q["kyiv_city"]
    w(
        f"  Kyiv city: no geometry in the hromada file; its {k['people']:,} people placed "
        f"with the embedded outline (held share {k['held_share']:.3%})\n"
    )
    for what, n in q["skipped_features"].items():
        w(f"  skipped geometry features, {what}: {n}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2025-08-15", help="DeepState snapshot, YYYY-MM-DD")
    args = parser.parse_args(argv)
    try:
        result = compare(args.date)
    except FileNotFoundError as exc:
        print(f"population_check: {exc}", file=sys.stderr)
        return 2
    print_report(result)
    return 0


if __name__ == "__main__":
    settings.use_checkout_data(__file__)  # ../shared/data beside this checkout
    sys.exit(main())
