"""The speed issue's three commands, run by the code it was filed against and by this one.

    MODELLER_DATA_DIR=../shared/data python benchmarks/since_filing.py [--repeat 3]

The speed issue's targets are absolute seconds "on this 2-core machine", and the hosts
this project runs on differ by 2-3× from one day to the next. Its own figures for the code
it was filed against (commit ``FILED``) say which host it meant: ``run`` without maps
~3.9 s, with maps ~8.9 s, the full-archive timeline ~21 s. This script runs that commit
(extracted with ``git archive`` into a temporary folder, started with ``PYTHONPATH``) and
this checkout on the same host, in turn, each command in a fresh process with a cache
folder of its own (warmed by one run first, as the issue's figures were; both trees
byte-compiled first), and prints the medians, the ratio pair by pair, and each target
scaled to this host by the old code's time here against the issue's figure.

It needs the git history (a clone, not an export) and the old code's dependencies
(folium, ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FILED = "d4e0d95229fefc5148520ab419d8907c11e987f4"
"""The commit the speed issue was filed against: the first commit of its work is its child."""
DAY = "2025-08-15"
# (label, the issue's seconds for the code at FILED, the target)
COMMANDS = {
    "run, no maps": (3.9, 1.5),
    "run, maps": (8.9, 3.0),
    "timeline": (21.0, 5.0),
}
START = {
    "filed": "import sys; from modeller.cli import main; sys.argv[0] = 'modeller'; main()",
    "now": "import sys; from modeller.entry import main; sys.argv[0] = 'modeller'; main()",
}
"""How each is started, as its ``modeller`` script (``[project.scripts]``) starts it."""


def _args(label: str, scenarios: Path, out: Path) -> list[str]:
    if label == "timeline":
        return ["timeline", str(scenarios), "--baselines", "deepstate:2024-07-08..", "-o", str(out)]
    extra = ["--no-maps"] if label == "run, no maps" else ["--out", str(out)]
    return ["run", str(scenarios), "--baseline", f"deepstate:{DAY}", *extra]


def _timed(name: str, tree: Path, args: list[str], cache: Path) -> float:
    """Wall seconds of one command of the code in ``tree``, in a fresh process."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "MODELLER_CACHE_DIR": str(cache),
        "MODELLER_IMAGE_CACHE": "0",  # every image drawn, as the speed benchmark does
        "MODELLER_TIMELINE_CACHE": "0",  # every day measured
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", START[name], *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=cache.parent,  # (not this checkout: ``-c`` puts the current folder first)
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{tree}: modeller {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return wall


def _check(name: str, tree: Path, cache: Path) -> None:
    """Stop unless ``tree``'s own package is the one its runs import."""
    probe = "import modeller; print(modeller.__file__)"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    found = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=cache.parent
    ).stdout.strip()
    if not found or Path(found).resolve().parent != (tree / "modeller").resolve():
        raise SystemExit(f"{name}: the runs would import {found or 'no modeller'}, not {tree}")


def _extract(commit: str, into: Path) -> None:
    """The commit's files, from the git history, into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit], capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise SystemExit(
            f"git archive {commit[:7]} failed ({archive.stderr.decode().strip()}): "
            "run this from a clone of the repository, with its history"
        )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def _positive(text: str) -> int:
    """A count of 1 or more (``--repeat``): a median needs one run at least."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=_positive, default=3, help="pairs of runs (default 3)")
    args = parser.parse_args()
    data = os.environ.get("MODELLER_DATA_DIR")
    if not data or not (Path(data) / "deepstate" / "daily").is_dir():
        raise SystemExit("set MODELLER_DATA_DIR to a folder like ../shared/data")
    with tempfile.TemporaryDirectory(prefix="modeller-since-filing-") as tmp:
        tmp = Path(tmp)
        old = tmp / "filed"
        old.mkdir()
        _extract(FILED, old)
        trees = {"filed": old, "now": REPO}
        for name, tree in trees.items():  # byte-compiled, as pip install leaves a package
            compileall.compile_dir(tree / "modeller", quiet=2)
            _check(name, tree, tmp / name)
        times: dict[tuple[str, str], list[float]] = {}
        for k, label in enumerate(COMMANDS):
            for name, tree in trees.items():  # warm-up: population and geometry caches
                warm = tmp / f"warm-{name}-{k}"
                _timed(name, tree, _args(label, tree / "scenarios", warm), tmp / name)
            for i in range(args.repeat):
                for name, tree in trees.items():
                    out = tmp / f"out-{name}-{k}-{i}"
                    wall = _timed(name, tree, _args(label, tree / "scenarios", out), tmp / name)
                    times.setdefault((label, name), []).append(wall)
                    print(f"[{label}] {name}: {wall:.2f} s", flush=True)
    print(f"\nThe code the speed issue was filed against ({FILED[:7]}) and this checkout, ")
    print(f"in turn on this host, medians of {args.repeat} (wall seconds):\n")
    print(
        "| command | the issue's figure, then | then, here | now, here "
        "| now ÷ then, median of the pairs' ratios "
        "| target | target scaled to this host |"
    )
    print("|---|---|---|---|---|---|---|")
    for label, (issue, target) in COMMANDS.items():
        then, now = times[(label, "filed")], times[(label, "now")]
        ratio = statistics.median(n / t for n, t in zip(now, then, strict=True))
        scaled = target * statistics.median(then) / issue
        print(
            f"| {label} | {issue:.1f} s | {statistics.median(then):.2f} s | "
            f"{statistics.median(now):.2f} s | {ratio:.2f} | {target:.1f} s "
            f"(÷{issue / target:.1f}) | {scaled:.2f} s |"
        )


if __name__ == "__main__":
    main()
