"""Static map images: time per image against the ~0.15 s target, and the import cost.

    python benchmarks/static_images_benchmark.py [scenarios/ ...]

Applies the scenarios as ``modeller run`` does (embedded data only), then for each one
renders the figure and saves the PNG and the SVG, timing each step in CPU seconds (the
machine may be shared) and wall seconds. Prints the means, the per-image figure (render
split over its two files) against the target, and the one-off cost of importing
matplotlib; the overview image is timed last.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from modeller import report, runs
from modeller.scenario import load_scenarios

TARGET_S = 0.15


def main() -> None:
    paths = [Path(a) for a in sys.argv[1:]] or [
        Path(__file__).resolve().parent.parent / "scenarios"
    ]
    applied = list(runs.apply_all(load_scenarios(paths)))
    partitions = [a.partition for a in applied]
    doc = report.document(
        [report.scenario_entry(a.partition, a.path, 15, a.phases) for a in applied]
    )
    start = time.perf_counter()
    import matplotlib  # noqa: F401

    from modeller.maps import image_overview, images

    print(f"import matplotlib + modules: {time.perf_counter() - start:.2f} s (once per run)")
    images.image_bytes(images.render(doc, doc.scenarios[0], partitions[0]))  # fonts cached
    rows = []
    for entry, partition in zip(doc.scenarios, partitions, strict=True):
        c0, w0 = time.process_time(), time.perf_counter()
        fig = images.render(doc, entry, partition)
        c1 = time.process_time()
        png, svg = images.image_bytes(fig)
        c2, w2 = time.process_time(), time.perf_counter()
        rows.append((c1 - c0, c2 - c1, w2 - w0))
        print(f"{entry.id:32s} render {c1 - c0:.3f}  save png+svg {c2 - c1:.3f}  cpu s")
    n = len(rows)
    render, save, wall = (sum(r[i] for r in rows) / n for i in range(3))
    per_image = (render + save) / 2
    print(f"mean per scenario: render {render:.3f} + save {save:.3f} cpu s (wall {wall:.3f} s)")
    print(
        f"per image (PNG or SVG): {per_image:.3f} cpu s; target {TARGET_S} s: "
        f"x{per_image / TARGET_S:.1f}"
    )
    c0 = time.process_time()
    images.image_bytes(image_overview.render_overview(doc, partitions), svg=False)
    print(f"overview.png ({n} maps): {time.process_time() - c0:.3f} cpu s")


if __name__ == "__main__":
    main()
