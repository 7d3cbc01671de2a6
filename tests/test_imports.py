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


def test_validate_reads_a_scenarios_polygon_file_as_run_does(tmp_path):
    """It said 'ok' for a scenario whose polygon file `run` then refused."""
    from click.testing import CliRunner

    from modeller.cli import main

    ring = [[37.0, 48.0], [37.5, 48.0], [37.5], [37.0, 48.0]]
    feats = [{"type": "Feature", "properties": {}, "geometry": None}] * 2
    feats = [
        *feats,
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        },
    ]
    (tmp_path / "zone.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, indent=1), encoding="utf-8"
    )
    sc = tmp_path / "sc.yaml"
    sc.write_text(
        "id: z\ntitle: Z\nsteps:\n  - assign: russia\n    where: {oblast: Donetsk}\n"
        "  - assign: russia\n    where: {polygon: {file: zone.geojson}}\n",
        encoding="utf-8",
    )
    validated = CliRunner().invoke(main, ["validate", str(sc)])
    run = CliRunner().invoke(main, ["run", str(sc), "-b", "1991", "--no-maps"])
    assert validated.exit_code == run.exit_code == 2, validated.output
    said = validated.stderr.strip()
    assert said == run.stderr.strip().splitlines()[-1], (said, run.stderr)
    # (5 lines a feature: the third starts on line 14)
    assert "step 2: " in said and "zone.geojson:14: feature 3: a position must be" in said


FAR = [[10.0, 50.0], [10.5, 50.0], [10.5, 50.3], [10.0, 50.0]]  # in Germany


@pytest.mark.parametrize(
    ("where", "said"),
    [
        (
            "polygon: {file: far.geojson}",
            "sc.yaml:15: step 2 of phase 'b': {far}: no polygon lies over Ukraine: the file's "
            "polygons span lon 10 … 10.5, lat 50 … 50.3",
        ),
        (
            f"polygon: {{geojson: {{type: Polygon, coordinates: [{FAR}]}}}}",
            "sc.yaml:15: step 2 of phase 'b': no polygon lies over Ukraine: its polygons span "
            "lon 10 … 10.5, lat 50 … 50.3",
        ),
    ],
    ids=["file", "inline"],
)
def test_a_polygon_far_from_ukraine_is_refused_by_validate_and_run_alike(tmp_path, where, said):
    """validate said 'ok' and run only warned that the step selects nothing; both name the
    step's line, for a polygon file too (it had been left out)."""
    from click.testing import CliRunner

    from modeller.cli import main

    far = tmp_path / "far.geojson"
    far.write_text(json.dumps({"type": "Polygon", "coordinates": [FAR]}), encoding="utf-8")
    sc = tmp_path / "sc.yaml"
    sc.write_text(
        "id: z\ntitle: Z\nphases:\n  - id: a\n    title: A\n    steps:\n      - assign: russia\n"
        "        where: {oblast: Donetsk}\n  - id: b\n    title: B\n    steps:\n"
        "      - assign: russia\n        where: {oblast: Luhansk}\n"
        f"      - assign: russia\n        where: {{{where}}}\n",
        encoding="utf-8",
    )
    validated = CliRunner().invoke(main, ["validate", str(sc)])
    run = CliRunner().invoke(main, ["run", str(sc), "-b", "1991", "--no-maps"])
    assert validated.exit_code == run.exit_code == 2, validated.output
    line = validated.stderr.strip()
    assert line == run.stderr.strip().splitlines()[-1], (line, run.stderr)
    assert said.format(far=far) in line, line
    assert "Ukraine lies within lon 22 … 40.5, lat 44 … 52.5" in line


def test_a_run_off_a_terminal_leaves_the_progress_display_and_the_network_unloaded():
    """A run whose figures and messages go to a pipe or a log shows no spinner and needs
    no console (rich's progress display and console, ~70 ms of imports) and downloads
    nothing (urllib's HTTP and TLS, ~20 ms)."""
    code, loaded = _loaded(
        "run", "scenarios/land-swap.yaml", "--baseline", "contact-line", "--no-maps"
    )
    assert code == 0
    assert "modeller.engine" in loaded  # (the run did run)
    unused = {"rich.progress", "rich.console", "urllib.request", "ssl"}
    assert not loaded & unused, sorted(loaded & unused)


def test_a_run_on_a_deepstate_day_has_no_masked_arrays(shared_data):
    """numpy.ma (~20 ms of imports), which np.unique of a bare array loads, is not loaded
    by a run on a DeepState day (its pockets are filled) and its tallies."""
    code, loaded = _loaded(
        "run", "scenarios/land-swap.yaml", "--baseline", "deepstate:2025-08-15", "--no-maps"
    )
    assert code == 0
    assert "modeller.pockets" in loaded and "modeller.metrics" in loaded
    assert "numpy.ma" not in loaded
