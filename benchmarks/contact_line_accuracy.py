"""How close is the authored ``contact-line`` baseline to DeepState on the same date?

Per oblast, Russian-held km² of the embedded, authored baseline
(``geodata/baselines/contact-line.yaml``) vs the DeepState snapshot of the date in its
``date:`` field, both clipped to the same embedded oblast outlines. Net km² can hide
errors that cancel (too much here, too little there), so the area of the symmetric
difference — land where the two disagree — is reported as well.

Targets (issue): total within 2 %; Donetsk, Luhansk, Zaporizhzhia, Kherson each within
10 % (net Russian-held area).

Run: ``MODELLER_DATA_DIR=../shared/data python benchmarks/contact_line_accuracy.py``
(``--yaml PATH`` evaluates a draft file with the same format instead of the embedded one).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import shapely

from modeller import baselines, geodata
from modeller.partition import Partition
from modeller.scenario import load_scenario

TOTAL_TARGET_PCT = 2.0
OBLAST_TARGET_PCT = 10.0
TARGET_OBLASTS = ("UA-14", "UA-09", "UA-23", "UA-65")  # Donetsk, Luhansk, Zaporizhzhia, Kherson


def embedded_path() -> Path:
    return geodata.geodata_dir() / "baselines" / baselines.AUTHORED["contact-line"]


def load_contact_line(path: Path | None = None) -> Partition:
    """The embedded ``contact-line`` baseline, or a draft YAML of the same form."""
    if path is None:
        return baselines.load_baseline("contact-line")
    return baselines.apply(baselines.load_baseline("1991"), load_scenario(path))


def russia_by_oblast(partition: Partition) -> dict[str, object]:
    """Russian-held territory per oblast (scenario status, i.e. ``after``)."""
    out: dict[str, list] = {}
    for p in partition.pieces:
        if p.after == "russia":
            out.setdefault(p.oblast, []).append(p.geometry)
    return {code: shapely.union_all(g) for code, g in out.items()}


def compare(path: Path | None = None) -> list[dict]:
    """One row per oblast where either map has Russian-held land, plus a final 'total' row.

    Keys: oblast, name, contact_km2, deepstate_km2, diff_km2 (contact − DeepState),
    diff_pct (of DeepState), symdiff_km2 (area where they disagree), symdiff_pct,
    target_pct (None if the oblast has no target), ok (None if no target).
    """
    line = load_contact_line(path)
    day = line.baseline.date if path is None else load_scenario(path).date
    if day is None:
        raise ValueError("the contact-line file has no 'date:'; cannot pick a DeepState day")
    ds = baselines.load_baseline(f"deepstate:{day.isoformat()}")
    a, b = russia_by_oblast(line), russia_by_oblast(ds)
    data = geodata.load()
    empty = shapely.Polygon()
    rows = []
    for code in [c for c in data.codes if c in a or c in b]:
        ga, gb = a.get(code, empty), b.get(code, empty)
        ka, kb = float(geodata.area_km2(ga)), float(geodata.area_km2(gb))
        sym = float(geodata.area_km2(shapely.symmetric_difference(ga, gb)))
        rows.append(_row(code, data.units[code].name_en, ka, kb, sym, day))
    total = _row(
        "total",
        "Total",
        sum(r["contact_km2"] for r in rows),
        sum(r["deepstate_km2"] for r in rows),
        sum(r["symdiff_km2"] for r in rows),
        day,
    )
    return [*rows, total]


def _row(code: str, name: str, contact: float, deepstate: float, sym: float, day) -> dict:
    diff = contact - deepstate
    pct = 100.0 * diff / deepstate if deepstate else float("inf") if diff else 0.0
    target = (
        TOTAL_TARGET_PCT
        if code == "total"
        else OBLAST_TARGET_PCT
        if code in TARGET_OBLASTS
        else None
    )
    return {
        "date": day.isoformat(),
        "oblast": code,
        "name": name,
        "contact_km2": contact,
        "deepstate_km2": deepstate,
        "diff_km2": diff,
        "diff_pct": pct,
        "symdiff_km2": sym,
        "symdiff_pct": 100.0 * sym / deepstate if deepstate else float("inf"),
        "target_pct": target,
        "ok": None if target is None else abs(pct) <= target,
    }


def print_table(rows: list[dict], out=sys.stdout) -> None:
    w = out.write
    w(f"contact-line vs DeepState {rows[-1]['date']}: Russian-held km² per oblast\n")
    head = (
        f"{'oblast':<24}{'contact':>10}{'DeepState':>11}{'diff':>9}{'diff %':>8}"
        f"{'disagree':>10}{'% of DS':>9}  target\n"
    )
    w(head)
    w("-" * (len(head) - 1) + "\n")
    for r in rows:
        if r["oblast"] == "total":
            w("-" * (len(head) - 1) + "\n")
        label = r["name"] if r["oblast"] == "total" else f"{r['name']} ({r['oblast']})"
        verdict = "" if r["ok"] is None else f"±{r['target_pct']:g} % {'ok' if r['ok'] else 'MISS'}"
        w(
            f"{label:<24}{r['contact_km2']:>10,.0f}{r['deepstate_km2']:>11,.0f}"
            f"{r['diff_km2']:>+9,.0f}{r['diff_pct']:>+8.1f}{r['symdiff_km2']:>10,.0f}"
            f"{r['symdiff_pct']:>9.1f}  {verdict}\n"
        )
    w("disagree = area of the symmetric difference (held in one map only)\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yaml", type=Path, help="a draft contact-line YAML to evaluate")
    args = parser.parse_args(argv)
    if args.yaml is None and not embedded_path().exists():
        print(f"contact_line_accuracy: {embedded_path()} does not exist yet", file=sys.stderr)
        return 2
    rows = compare(args.yaml)
    print_table(rows)
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
