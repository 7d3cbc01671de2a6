"""Commands load only what they need: help and validate start without the geometry stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("shapely", "pyproj", "numpy", "modeller.engine", "modeller.baselines", "modeller.maps")

PROBE = """
import json, sys
from click.testing import CliRunner
from modeller.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
print(json.dumps({"exit": result.exit_code, "loaded": sorted(sys.modules)}))
"""


def _loaded(*args: str) -> tuple[int, set[str]]:
    """Run the command line in a fresh interpreter; its exit code and the modules it loaded."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO, check=True
    )
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    return doc["exit"], set(doc["loaded"])


@pytest.mark.parametrize(
    "args",
    [("--help",), ("run", "--help"), ("validate", "scenarios/")],
    ids=["help", "run-help", "validate"],
)
def test_help_and_validate_leave_the_geometry_stack_unloaded(args):
    code, loaded = _loaded(*args)
    assert code == 0
    assert not loaded & set(HEAVY), f"{' '.join(args)} imported {sorted(loaded & set(HEAVY))}"


def test_validate_still_resolves_places_and_oblasts(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\ntitle: t\nsummary: s\nreported: [{source: x, date: 2025-01-01}]\n"
        "steps:\n  - assign: russia\n    where: {near: {place: Nowhereville, km: 5}}\n",
        encoding="utf-8",
    )
    code, loaded = _loaded("validate", str(bad))
    assert code == 2
    assert "shapely" not in loaded
