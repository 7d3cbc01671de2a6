"""What the units and the outline reconciliation do to the headline figures (issue 9).

For full Donbas withdrawal (km² Ukraine cedes), the 28-point plan's demilitarised zone,
the land swap's returns and the June-2024 demand (km² Ukraine cedes), on DeepState
2025-08-15 and 2026-01-01: with the embedded units before and after reconciliation, and
with other units (by default the Minregion file in the shared data). Then the km² the
reconciliation moves per oblast, the DeepState area outside the units, and the grey zone
of each raw DeepState dump.

Run: ``MODELLER_DATA_DIR=../shared/data python benchmarks/outline_reconciliation.py``
(``--units PATH`` for another boundaries file; ``--markdown`` for tables to paste).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if "MODELLER_DATA_DIR" not in os.environ and (REPO.parent / "shared" / "data").is_dir():
    os.environ["MODELLER_DATA_DIR"] = str(REPO.parent / "shared" / "data")

from modeller import baselines, geodata, metrics  # noqa: E402
from modeller.scenario import load_scenarios  # noqa: E402

DAYS = ("2025-08-15", "2026-01-01")
# scenario id -> (what the figure is, the flow it sums: (from, to))
FIGURES = {
    "full-donbas-withdrawal": ("Ukraine cedes", ("ukraine", "russia")),
    "plan-28-points-2025-11": ("28-point DMZ", ("ukraine", "dmz")),
    "land-swap": ("land swap returns", ("russia", "ukraine")),
    "russia-demand-2024-06": ("June-2024 demand: Ukraine cedes", ("ukraine", "russia")),
}
DEEPSTATE_2026_KM2 = 116_165


def setting(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def measure(units: str | None, reconcile: bool) -> dict:
    """Headline km² per (day, scenario), Russian-held km², moved per oblast, outside."""
    setting("MODELLER_UNITS", units)
    setting("MODELLER_RECONCILE", None if reconcile else "0")
    scenarios = {sc.id: sc for _, sc in load_scenarios([REPO / "scenarios"]) if sc.id in FIGURES}
    out = {}
    for day in DAYS:
        base = baselines.load_baseline(f"deepstate:{day}")
        russia = sum(
            a for p, a in zip(base.pieces, base.areas_km2, strict=True) if p.before == "russia"
        )
        figures = {}
        for sid, (_, flow) in FIGURES.items():
            t = metrics.tally(baselines.apply(base, scenarios[sid]))
            figures[sid] = sum(
                r["km2"] for r in metrics.transfers(t) if (r["from"], r["to"]) == flow
            )
        out[day] = {
            "figures": figures,
            "russia": float(russia),
            "moved": dict(base.baseline.reconciled or ()),
            "outside": base.baseline.outside_km2,
        }
    return out


def grey_zones() -> list[tuple[str, float, float]]:
    """(dump, grey km² in DeepState's layer, grey km² inside the units) of each raw dump."""
    setting("MODELLER_UNITS", None)
    setting("MODELLER_RECONCILE", None)
    folder = Path(os.environ["MODELLER_DATA_DIR"]) / "deepstate" / "raw"
    rows = []
    for path in sorted(folder.glob("*.geojson")):
        base = baselines.load_baseline(str(path))
        inside = sum(
            a for p, a in zip(base.pieces, base.areas_km2, strict=True) if p.before == "contested"
        )
        total = float(
            re.search(r"([\d,.]+) km² in its layer", base.baseline.grey_zone)[1].replace(",", "")
        )
        rows.append((path.name, total, float(inside)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--units",
        default=str(
            Path(os.environ.get("MODELLER_DATA_DIR", ""))
            / "boundaries/ua_oblasts_minregion2020.geojson"
        ),
    )
    args = parser.parse_args()
    if not Path(args.units).exists():
        print(f"units file {args.units} not found; set MODELLER_DATA_DIR", file=sys.stderr)
        return 2
    runs = {
        "embedded, raw outline": measure(None, False),
        "embedded, reconciled": measure(None, True),
        f"{Path(args.units).name}, reconciled": measure(args.units, True),
        f"{Path(args.units).name}, raw outline": measure(args.units, False),
    }
    names = list(runs)
    print("| date | figure | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for day in DAYS:
        for sid, (label, _) in FIGURES.items():
            cells = [f"{runs[n][day]['figures'][sid]:,.0f}" for n in names]
            print(f"| {day} | {label} | " + " | ".join(cells) + " |")
        cells = []
        for n in names:
            km2 = runs[n][day]["russia"]
            off = f" ({km2 / DEEPSTATE_2026_KM2 - 1:+.2%})" if day == "2026-01-01" else ""
            cells.append(f"{km2:,.0f}{off}")
        print(f"| {day} | Russian-held km² | " + " | ".join(cells) + " |")
        cells = [
            f"{runs[n][day]['outside']:,.0f}" if runs[n][day]["outside"] is not None else "-"
            for n in names
        ]
        print(f"| {day} | DeepState area outside the units | " + " | ".join(cells) + " |")
    print()
    units = geodata.load().units
    for n in names:
        if "reconciled" not in n:
            continue
        for day in DAYS:
            moved = runs[n][day]["moved"]
            per = ", ".join(f"{units[c].name_en} {km2:,.1f}" for c, km2 in moved.items())
            print(f"- {n}, {day}: moved {sum(moved.values()):,.1f} km² ({per})")
    print()
    print("| raw DeepState dump | grey zone km² | of which inside the embedded units |")
    print("|---|---|---|")
    for name, total, inside in grey_zones():
        print(f"| {name} | {total:,.1f} | {inside:,.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
