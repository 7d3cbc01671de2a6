"""Images kept between runs: served again only when nothing they show changed.

Runs on the embedded ``contact-line`` baseline (no external data).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
from helpers import build, shipped

from modeller.maps import image_cache, image_jobs

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def run() -> tuple:
    return build(shipped("land-swap", "full-donbas-withdrawal"))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MODELLER_IMAGE_CACHE", raising=False)
    return tmp_path / "cache" / "images"


def drawing_counted(monkeypatch, real: bool = True) -> list[int]:
    """Record which images are drawn (rather than served from the cache). ``real=False``:
    "draw" files that only start like a PNG or SVG (for tests of what is drawn when, not of
    the drawing: a real image costs ~0.3 s of CPU)."""
    drawn: list[int] = []
    draw = image_jobs._draw

    def fake(i: int) -> list[tuple[str, bytes]]:
        stems = image_jobs._JOB[2]
        return [
            (name, image_cache.SIGNATURES[Path(name).suffix] + f"{i} {name}".encode())
            for name in image_jobs._names(i, stems)
        ]

    def counting(i: int):
        drawn.append(i)
        return draw(i) if real else fake(i)

    monkeypatch.setattr(image_jobs, "_draw", counting)
    monkeypatch.setattr(image_jobs, "PARALLEL_FROM", 10**6)  # in this process, so counted
    return drawn


def test_a_second_run_serves_every_image_unchanged_from_the_cache(run, cache_dir, monkeypatch):
    doc, partitions = run
    drawn = drawing_counted(monkeypatch)
    stems = ["land-swap", "full-donbas-withdrawal"]
    first = image_jobs.render_images(doc, partitions, stems)
    assert sorted(drawn) == [-1, 0, 1]
    assert len(list(cache_dir.iterdir())) == 5  # 2 PNG + 2 SVG + the overview
    drawn.clear()
    again = image_jobs.render_images(doc, partitions, stems)
    assert drawn == []
    assert again == first  # same names, same order, same bytes
    assert list(again)[-1] == "overview.png"


def test_what_an_image_shows_is_in_its_key(run, cache_dir, monkeypatch):
    doc, partitions = run
    stems = ["land-swap", "full-donbas-withdrawal"]
    drawn = drawing_counted(monkeypatch, real=False)
    image_jobs.render_images(doc, partitions, stems)
    drawn.clear()
    # one piece of the second scenario changes status: that image and the overview again
    pieces = list(partitions[1].pieces)
    k = next(i for i, p in enumerate(pieces) if p.after == "ukraine")
    pieces[k] = dataclasses.replace(pieces[k], after="russia")
    changed = [partitions[0], dataclasses.replace(partitions[1], pieces=tuple(pieces))]
    image_jobs.render_images(doc, changed, stems)
    assert sorted(drawn) == [-1, 1]
    # a new title (the scenario's entry): only that scenario's image and the overview
    drawn.clear()
    new_title = doc.scenarios[0].model_copy(update={"title": "New"})
    retitled = doc.model_copy(update={"scenarios": [new_title, doc.scenarios[1]]})
    image_jobs.render_images(retitled, partitions, stems)
    assert sorted(drawn) == [-1, 0]
    # another file name: the same images (the name is not drawn), served under it
    drawn.clear()
    renamed = image_jobs.render_images(doc, partitions, ["swap", "full-donbas-withdrawal"])
    assert drawn == []
    assert list(renamed)[:2] == ["swap.png", "swap.svg"]
    # another date of the run (the credit line): every image again
    drawn.clear()
    later = doc.model_copy(update={"generated": "2031-01-01T00:00:00+00:00"})
    image_jobs.render_images(later, partitions, stems)
    assert sorted(drawn) == [-1, 0, 1]


def test_a_damaged_cache_file_is_drawn_again(run, cache_dir, monkeypatch):
    doc, partitions = run
    stems = ["land-swap", "full-donbas-withdrawal"]
    drawn = drawing_counted(monkeypatch, real=False)
    first = image_jobs.render_images(doc, partitions, stems)
    for path in cache_dir.glob("*.png"):
        path.write_bytes(b"not a png")
    drawn.clear()
    assert image_jobs.render_images(doc, partitions, stems) == first
    assert sorted(drawn) == [-1, 0, 1]
    # cut short (a full disk, a killed copy): it still starts like an SVG, but is not one
    for path in cache_dir.glob("*.svg"):
        path.write_bytes(path.read_bytes()[:-40])
    drawn.clear()
    assert image_jobs.render_images(doc, partitions, stems) == first
    assert sorted(drawn) == [0, 1]


def test_the_cache_can_be_turned_off(run, cache_dir, monkeypatch):
    doc, partitions = run
    monkeypatch.setenv("MODELLER_IMAGE_CACHE", "0")
    drawn = drawing_counted(monkeypatch, real=False)
    for _ in range(2):
        image_jobs.render_images(doc, partitions, ["land-swap", "full-donbas-withdrawal"])
    assert sorted(drawn) == [-1, -1, 0, 0, 1, 1]
    assert not cache_dir.exists()


def test_the_cache_keeps_only_the_most_recently_used(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(image_cache, "MAX_FILES", 3)
    for n in range(5):
        image_cache.put(f"{n:064x}", [("a.png", b"\x89PNG\r\n\x1a\n" + bytes([n]))])
        os.utime(tmp_path / "images" / f"{n:064x}.png", (1000 + n, 1000 + n))  # in order
    left = sorted(p.name for p in (tmp_path / "images").iterdir())
    assert len(left) == 3 and f"{4:064x}.png" in left and f"{0:064x}.png" not in left


def test_a_cache_folder_holding_the_users_own_files_loses_none_of_them(tmp_path, monkeypatch):
    """MODELLER_CACHE_DIR set to a data folder: pruning had removed the oldest files of
    any name there (five population tables of ../shared/data among them)."""
    from modeller import cachefiles

    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    for kind in ("population", "images"):
        (tmp_path / kind).mkdir()
        for n in range(6):
            mine = tmp_path / kind / f"table-{n}.csv"
            mine.write_text("hromada_code,total_population_2022\n")
            os.utime(mine, (1000, 1000))  # older than anything the cache writes
    (tmp_path / "images" / ("f" * 64)).mkdir()  # a folder named as a cache file would be
    cachefiles.write_arrays("population", f"{1:064x}.npz", {"a": np.zeros(3)}, keep=1)
    cachefiles.write_arrays("population", f"{2:064x}.npz", {"a": np.ones(3)}, keep=1)
    monkeypatch.setattr(image_cache, "MAX_FILES", 1)
    for n in range(3):
        image_cache.put(f"{n:064x}", [("a.png", b"\x89PNG\r\n\x1a\n" + bytes([n]))])
    for kind in ("population", "images"):
        names = sorted(p.name for p in (tmp_path / kind).iterdir())
        assert [x for x in names if x.startswith("table-")] == [f"table-{n}.csv" for n in range(6)]
        assert len([x for x in names if not x.startswith("table-")]) == 1 + (kind == "images")
    assert (tmp_path / "population" / f"{2:064x}.npz").exists()  # the newest kept


def test_a_cache_entry_that_is_not_a_regular_file_is_never_read(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    where = tmp_path / "images"
    where.mkdir()
    (where / f"{1:064x}.png").symlink_to("/dev/zero")  # reading it would never end
    os.mkfifo(where / f"{2:064x}.png")  # reading it would wait for a writer
    (where / f"{3:064x}.png").mkdir()
    for n in (1, 2, 3):
        assert image_cache.get(f"{n:064x}", ["a.png"]) is None
