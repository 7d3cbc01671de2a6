"""benchmarks/since_filing.py compares two trees of the package: each run must import its
own tree's, whatever is installed and wherever the benchmark is started from."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import parse_command

REPO = Path(__file__).resolve().parent.parent


def _since_filing():
    path = REPO / "benchmarks" / "since_filing.py"
    spec = importlib.util.spec_from_file_location("since_filing", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_tree_runs_its_own_package_and_a_shadowed_one_is_refused(tmp_path):
    bench = _since_filing()
    old = tmp_path / "filed"
    old.mkdir()
    try:
        bench._extract(bench.FILED, old)
    except SystemExit as exc:  # a shallow clone or an export has no such commit
        pytest.skip(f"the filed commit is not in this checkout's history: {exc}")
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"git or tar unusable here: {exc}")
    # the old tree is that commit's: its package has no ``python -m modeller`` yet
    assert (old / "modeller" / "cli.py").is_file()
    assert not (old / "modeller" / "__main__.py").exists()
    bench._check("filed", old, tmp_path / "filed-cache")
    bench._check("now", REPO, tmp_path / "now-cache")
    # a tree without the package: its runs would import whatever modeller is installed
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SystemExit, match="would import"):
        bench._check("empty", empty, tmp_path / "empty-cache")


@pytest.mark.parametrize("label", ["run, no maps", "run, maps", "timeline"])
def test_its_command_lines_parse_as_this_checkouts_cli_reads_them(label, tmp_path):
    """The same lines run both trees: this checkout's command line must take them (the
    old one ran them when the benchmark was written, and does not change)."""
    args = _since_filing()._args(label, tmp_path / "scenarios", tmp_path / "out")
    assert parse_command(args) == label.split(",")[0]


@pytest.mark.parametrize("repeat", ["0", "-2", "x", "2.5"])
def test_a_repeat_that_gives_no_median_is_refused_before_any_run(repeat, tmp_path):
    """No median of no runs: refused by the option, not a traceback after minutes."""
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "since_filing.py"), f"--repeat={repeat}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert f"'{repeat}' is not a whole number of 1 or more" in done.stderr
    assert "Traceback" not in done.stderr
