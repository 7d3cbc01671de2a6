"""The site as a whole: which pages exist, rendering them all, writing them all at once."""

from __future__ import annotations

import re
from pathlib import Path

from .. import files
from ..document import RunDocument
from ..partition import Partition
from . import pages
from .layers import ScenarioView

TILES = ("osm",)


def write_site(
    doc: RunDocument, partitions: list[Partition], out_dir: Path, tiles: str | None = None
) -> list[Path]:
    """Write index.html and one page per scenario into out_dir; return the paths written.

    Every page is rendered in memory first; only then is each written to a temporary file in
    ``out_dir`` and moved over the old one with ``os.replace``. A failure while rendering
    leaves every earlier page untouched; a failure while writing leaves no partial file.
    """
    rendered = render_site(doc, partitions, tiles=tiles)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered.items():  # scenario pages first, the index (which links them) last
        path = out_dir / name
        files.write_text(path, text)
        written.append(path)
    return written


def render_site(doc: RunDocument, partitions: list[Partition], tiles: str | None = None) -> dict:
    """Every page of the site as ``{file name: HTML}``, scenario pages first, index last."""
    pages.require_folium()
    if tiles is not None and tiles not in TILES:
        raise ValueError(f"unknown tiles {tiles!r}; valid: {', '.join(TILES)} or none")
    entries = doc.scenarios
    if len(partitions) != len(entries):
        raise ValueError(
            f"{len(partitions)} partitions for {len(entries)} scenarios: pass one per scenario"
        )
    names = page_names(doc)
    views = [
        ScenarioView(e, p, names[i])
        for i, (e, p) in enumerate(zip(entries, partitions, strict=True))
    ]
    out = {v.page: pages.scenario_page(doc, v, tiles) for v in views}
    out["index.html"] = pages.index_page(doc, views, tiles)
    return out


def page_names(doc: RunDocument) -> list[str]:
    """File name of each scenario's page: ``<id>.html``, made unique, never ``index.html``."""
    names, seen = [], {"index.html"}
    for e in doc.scenarios:
        stem = re.sub(r"[^a-z0-9-]+", "-", str(e.id).lower()).strip("-") or "scenario"
        name, n = f"{stem}.html", 1
        while name in seen:
            n += 1
            name = f"{stem}-{n}.html"
        seen.add(name)
        names.append(name)
    return names
