"""How close is the authored ``contact-line`` baseline to DeepState on the same date?

Per oblast, Russian-held km² of the embedded, authored baseline
(``geodata/baselines/contact-line.yaml``) vs the DeepState snapshot of the date in its
``date:`` field, both clipped to the same embedded oblast outlines. Net km² can hide
errors that cancel (too much here, too little there), so the area of the symmetric
difference — land where the two disagree — is reported as well.

Per shipped scenario, the headline figures (km² and people Ukraine cedes and regains) on
``contact-line`` vs the same scenario on that DeepState snapshot, with the same units.

Targets (issue): total within 2 %; Donetsk, Luhansk, Zaporizhzhia, Kherson each within
10 % (net Russian-held area); every nonzero headline km² figure of a shipped scenario
within 5 % (issue 9, requirement 4).

Run: ``MODELLER_DATA_DIR=../shared/data python benchmarks/contact_line_accuracy.py``
(without ``MODELLER_DATA_DIR`` it looks for ``../shared/data`` next to the repository)
(``--yaml PATH`` evaluates a draft file with the same format instead of the embedded one;
``--no-reconcile`` measures against DeepState without outline reconciliation;
``--markdown`` prints the README tables).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import shapely

from modeller import baselines, geodata, report
from modeller.partition import BaselineInfo, Partition, as_baseline
from modeller.scenario import load_scenario

TOTAL_TARGET_PCT = 2.0
OBLAST_TARGET_PCT = 10.0
TARGET_OBLASTS = ("UA-14", "UA-09", "UA-23", "UA-65")  # Donetsk, Luhansk, Zaporizhzhia, Kherson
SCENARIO_TARGET_PCT = 5.0
REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"
HEADLINES = ("cedes", "regains")


def use_shared_data() -> None:
    """Point MODELLER_DATA_DIR at ``../shared/data`` (as the tests do) when it is unset."""
    shared = REPO.parent / "shared" / "data"
    if "MODELLER_DATA_DIR" not in os.environ and shared.is_dir():
        os.environ["MODELLER_DATA_DIR"] = str(shared)


def embedded_path() -> Path:
    return geodata.geodata_dir() / "baselines" / baselines.AUTHORED["contact-line"]


def load_contact_line(path: Path | None = None) -> Partition:
    """The embedded ``contact-line`` baseline, or a draft YAML of the same form."""
    if path is None:
        return baselines.load_baseline("contact-line")
    draft = load_scenario(path)
    applied = baselines.apply(baselines.load_baseline("1991"), draft)
    return as_baseline(applied, BaselineInfo("contact-line (draft)", draft.date, str(path)))


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


def headline(partition: Partition) -> dict[str, float]:
    """km² and people Ukraine cedes and regains once the scenario is applied (as ``run``)."""
    row = report.comparison_row(report.scenario_entry(partition, towns=0))
    return {
        f"{k}_{unit}": float(getattr(row, f"ukraine_{k}_{unit}"))
        for k in HEADLINES
        for unit in ("km2", "people")
    }


def scenario_rows(path: Path | None = None, folder: Path = SCENARIOS) -> list[dict]:
    """Per shipped scenario and headline figure: contact-line vs DeepState of the same day.

    One row per scenario and figure (``cedes``, ``regains``) that is nonzero on either
    baseline. Keys: scenario, figure, contact_km2, deepstate_km2, diff_pct,
    contact_people, deepstate_people, people_pct, target_pct, ok.
    """
    line = load_contact_line(path)
    day = line.baseline.date if path is None else load_scenario(path).date
    ds = baselines.load_baseline(f"deepstate:{day.isoformat()}")
    rows = []
    for file in sorted(folder.glob("*.yaml")):
        sc = load_scenario(file)
        a = headline(baselines.apply_phases(line, sc)[-1][1])
        b = headline(baselines.apply_phases(ds, sc)[-1][1])
        for k in HEADLINES:
            ka, kb = a[f"{k}_km2"], b[f"{k}_km2"]
            if round(ka) == 0 and round(kb) == 0:
                continue
            pa, pb = a[f"{k}_people"], b[f"{k}_people"]
            pct = 100.0 * (ka - kb) / kb if kb else float("inf")
            rows.append(
                {
                    "date": day.isoformat(),
                    "scenario": sc.id,
                    "figure": k,
                    "contact_km2": ka,
                    "deepstate_km2": kb,
                    "diff_pct": pct,
                    "contact_people": pa,
                    "deepstate_people": pb,
                    "people_pct": 100.0 * (pa - pb) / pb if pb else float("inf"),
                    "target_pct": SCENARIO_TARGET_PCT,
                    "ok": abs(pct) <= SCENARIO_TARGET_PCT,
                }
            )
    return rows


def print_scenarios(rows: list[dict], out=sys.stdout) -> None:
    w = out.write
    day = rows[0]["date"]
    w(f"\nshipped scenarios on contact-line vs DeepState {day}: Ukraine cedes / regains\n")
    head = (
        f"{'scenario':<28}{'figure':<9}{'contact km²':>12}{'DS km²':>10}{'diff %':>8}"
        f"{'contact ppl':>13}{'DS ppl':>11}{'diff %':>8}  target\n"
    )
    w(head)
    w("-" * (len(head) - 1) + "\n")
    for r in rows:
        verdict = f"±{r['target_pct']:g} % {'ok' if r['ok'] else 'MISS'}"
        w(
            f"{r['scenario']:<28}{r['figure']:<9}{r['contact_km2']:>12,.0f}"
            f"{r['deepstate_km2']:>10,.0f}{r['diff_pct']:>+8.1f}{r['contact_people']:>13,.0f}"
            f"{r['deepstate_people']:>11,.0f}{r['people_pct']:>+8.1f}  {verdict}\n"
        )


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


def _num(x: float) -> str:
    return f"{x:,.0f}".replace("-", "−")


def _pct(x: float) -> str:
    return f"{x:+.1f} %".replace("-", "−")


def markdown(rows: list[dict], per_scenario: list[dict] | None) -> str:
    """README tables: per oblast (Russian-held km²) and per scenario (headline km²)."""
    out = [
        "| oblast | contact-line | DeepState | error | disagree |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r["oblast"] == "total":
            out.append(
                f"| **total** | **{_num(r['contact_km2'])}** | **{_num(r['deepstate_km2'])}** "
                f"| **{_pct(r['diff_pct'])}** | **{_num(r['symdiff_km2'])}** |"
            )
            continue
        err = (
            _pct(r["diff_pct"])
            if r["deepstate_km2"] >= 100
            else f"{r['diff_km2']:+,.0f} km²".replace("-", "−")
        )
        name = f"{r['name']} (Kinburn spit)" if r["oblast"] == "UA-48" else r["name"]
        out.append(
            f"| {name} | {_num(r['contact_km2'])} | {_num(r['deepstate_km2'])} | {err} "
            f"| {_num(r['symdiff_km2'])} |"
        )
    if per_scenario:
        out += [
            "",
            "| scenario | Ukraine | contact-line km² | DeepState km² | error "
            "| contact-line people | DeepState people | error |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in per_scenario:
            out.append(
                f"| {r['scenario']} | {r['figure']} | {_num(r['contact_km2'])} "
                f"| {_num(r['deepstate_km2'])} | {_pct(r['diff_pct'])} "
                f"| {_num(r['contact_people'])} | {_num(r['deepstate_people'])} "
                f"| {_pct(r['people_pct'])} |"
            )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yaml", type=Path, help="a draft contact-line YAML to evaluate")
    parser.add_argument(
        "--no-scenarios", action="store_true", help="per-oblast table only (faster)"
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print the README tables (Markdown) instead"
    )
    parser.add_argument(
        "--no-reconcile",
        action="store_true",
        help="DeepState without outline reconciliation (edge strips count as Ukrainian-held)",
    )
    args = parser.parse_args(argv)
    use_shared_data()
    if args.no_reconcile:
        os.environ["MODELLER_RECONCILE"] = "0"
    if args.yaml is None and not embedded_path().exists():
        print(f"contact_line_accuracy: {embedded_path()} does not exist yet", file=sys.stderr)
        return 2
    rows = compare(args.yaml)
    per_scenario = [] if args.no_scenarios else scenario_rows(args.yaml)
    if args.markdown:
        sys.stdout.write(markdown(rows, per_scenario))
    else:
        print_table(rows)
        if per_scenario:
            print_scenarios(per_scenario)
    rows = rows + per_scenario
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
