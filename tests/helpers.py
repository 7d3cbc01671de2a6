"""Helpers shared by test modules (imported as ``helpers``: pytest puts ``tests/`` on the
path)."""

from __future__ import annotations

from pathlib import Path

from modeller import baselines, report
from modeller.scenario import load_scenarios

REPO = Path(__file__).resolve().parent.parent


def build(paths: list[Path], spec: str = "contact-line") -> tuple:
    """What ``modeller run`` does before writing maps: the document and the partitions."""
    base = baselines.load_baseline(spec)
    partitions, entries = [], []
    for path, sc in load_scenarios(paths):
        partition = baselines.apply(base, sc)
        partitions.append(partition)
        entries.append(report.scenario_entry(partition, path))
    return report.document(entries), partitions


def shipped(*names: str) -> list[Path]:
    """Paths of shipped scenario files by id."""
    return [REPO / "scenarios" / f"{name}.yaml" for name in names]
