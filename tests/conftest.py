"""Test settings: point MODELLER_DATA_DIR at ../shared/data when it is there; run the whole
suite on every core, and chosen tests in one process."""

from __future__ import annotations

import compileall
import contextlib
import gc
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs every property test on the same derandomized examples, so that a red build is
# reproducible and never a coin toss; a developer's run explores new examples each time.
# No example has a deadline: speed is the benchmark's to measure, and on a busy 2-core
# machine an example of a page's rounding had taken 375 ms against Hypothesis's 200 ms and
# failed README's test command as "flaky" (a timed test, not a wrong answer).
settings.register_profile("developer", deadline=None)
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "developer"))

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"

if "MODELLER_DATA_DIR" not in os.environ and SHARED.is_dir():
    os.environ["MODELLER_DATA_DIR"] = str(SHARED)
# Never read or write the developer's real download cache from tests.
os.environ.setdefault("MODELLER_CACHE_DIR", str(REPO / ".pytest_cache" / "modeller-cache"))
# Every timeline test measures its days (a day kept by an earlier test would skip what the
# test looks at); tests/test_timeline_cache.py turns the kept days on where it tests them.
os.environ["MODELLER_TIMELINE_CACHE"] = "0"

# Python keeps no bytecode where PYTHONDONTWRITEBYTECODE is set (as on these machines), and
# an editable install compiles nothing: from a clean clone, each of the ~50 `modeller`
# processes the suite starts compiled the package anew (~0.35 s of CPU each). Compiled
# once here, before the workers start, as a non-editable pip install would; a file
# compiled before and unchanged since is not compiled again (a tree that cannot be written
# to is left as it is).
if "PYTEST_XDIST_WORKER" not in os.environ:
    with contextlib.suppress(OSError):
        compileall.compile_dir(REPO / "modeller", quiet=2)
# pytest rewrites the asserts of every test module in every worker (~6 s of CPU each): kept
# in tests/__pycache__ (pytest's own cache, checked against each file), a second run of
# the suite reads them instead. Only while the test modules are collected.
_DONT_WRITE_BYTECODE = sys.dont_write_bytecode
sys.dont_write_bytecode = False


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Workers for ``-n auto`` (pyproject's addopts): one per core (xdist's own count) when
    the run is the suite or folders of it; none when it names files or tests, where starting
    workers that each import the geometry stack costs more than they save."""
    chosen = config.args_source == pytest.Config.ArgsSource.ARGS
    if chosen and not all(Path(arg).is_dir() for arg in config.args):
        return 0
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the cyclic garbage collector off what collection made (the geometry stack, test
    modules, Hypothesis: ~190,000 objects that each full collection walked again), and
    collect less often: the tests allocate much (110,000 population points in a timeline's
    plan), and a gc callback had counted 8.1 s of every 50 s in collections; 1.2 s after."""
    sys.dont_write_bytecode = _DONT_WRITE_BYTECODE
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def data_dir() -> Path | None:
    value = os.environ.get("MODELLER_DATA_DIR")
    return Path(value) if value and Path(value).is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real third-party datasets; tests needing it skip when it is absent."""
    folder = data_dir()
    if folder is None or not (folder / "deepstate" / "daily").is_dir():
        pytest.skip("real datasets absent: set MODELLER_DATA_DIR to a folder like ../shared/data")
    return folder


@pytest.fixture(scope="session")
def hromada_dir(shared_data) -> Path:
    """The shared data folder, when it holds the hromada outlines and table (--population)."""
    from modeller import hromada_files

    try:
        hromada_files.files(shared_data)
    except Exception as exc:  # noqa: BLE001 - any reason the files are unusable
        pytest.skip(f"hromada population files absent from the shared data: {exc}")
    return shared_data


@pytest.fixture(scope="session")
def deepstate_2025_08_15(shared_data):
    from modeller import baselines

    return baselines.load_baseline("deepstate:2025-08-15")
