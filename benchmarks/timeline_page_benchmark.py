"""Timeline page render time against the number of scenarios: it must grow linearly.

    python benchmarks/timeline_page_benchmark.py [--dates 111] [--sizes 25,50,100,200]

Builds synthetic tables in the shape ``modeller timeline`` makes (one row per date,
scenario, oblast and status; no external data needed), renders the page for each size and
prints seconds, seconds per scenario and page size. Linear: seconds per scenario stays
flat, so the 200/50 time ratio is near 4 (a quadratic page would give ~16).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_timeline_page import synthetic  # noqa: E402

from modeller import timeline_page  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", type=int, default=111, help="dates per scenario (111: weekly)")
    parser.add_argument("--sizes", default="25,50,100,200", help="numbers of scenarios")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    timeline_page.render(synthetic(2, 3))  # template compiled, imports done
    times = {}
    print(f"{'scenarios':>9} {'rows':>9} {'seconds':>8} {'ms/scenario':>12} {'MB':>6}")
    for n in sizes:
        table = synthetic(n, args.dates, seed=n)
        start = time.perf_counter()
        page = timeline_page.render(table, every_days=7)
        times[n] = time.perf_counter() - start
        rows = len(table.columns["date"])
        per = times[n] / n * 1000
        print(f"{n:>9} {rows:>9} {times[n]:>8.2f} {per:>12.1f} {len(page) / 1e6:>6.1f}")
    lo, hi = min(sizes), max(sizes)
    print(f"ratio {hi}/{lo} scenarios: time x{times[hi] / times[lo]:.1f} (linear: x{hi / lo:.0f})")


if __name__ == "__main__":
    main()
