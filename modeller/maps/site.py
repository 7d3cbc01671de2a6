"""The site as a whole: which files exist, rendering them all, writing them all at once."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable
from pathlib import Path

from .. import folders, report_files
from ..errors import InputError
from ..partition import Partition
from . import pages
from .layers import ScenarioView

TILES = ("osm",)
MANIFEST = ".modeller-site"  # what the last run wrote here: its pages and images
OURS = re.compile(r"[a-z0-9-]+\.(html|png|svg)")  # the names a site's files can have


def plain(doc) -> dict:
    """The run document as plain JSON-like dicts (typed documents are dumped once)."""
    if isinstance(doc, dict):
        return doc
    return doc.model_dump(mode="json", by_alias=True)


def page_names(doc) -> list[str]:
    """File name of each scenario's page: ``<id>.html``, made unique, never ``index.html``
    or ``overview.html`` (whose image would replace the overview of all scenarios).

    The page's stem is also the scenario's URL hash on the index (``index.html#<stem>``) and
    the stem of its CSV and static images (``<stem>.csv``, ``<stem>.png``, ``<stem>.svg``).
    """
    return names_for([e["id"] for e in plain(doc)["scenarios"]])


def names_for(ids: list[str]) -> list[str]:
    """``page_names`` of scenarios with these ids, in order."""
    # overview.png is all scenarios'; timeline.html and .csv the timeline's in a shared folder
    names, seen = [], {"index.html", "overview.html", "timeline.html"}
    stems = [re.sub(r"[^a-z0-9-]+", "-", str(sid).lower()).strip("-") or "scenario" for sid in ids]
    # a renamed page takes no other scenario's own name: scenario 'index' is index-2.html
    # unless a scenario 'index-2' is in the run, whose page keeps its name whatever else is
    natural = {f"{stem}.html" for stem in stems}
    for stem in stems:
        name, n = f"{stem}.html", 1
        while name in seen or (n > 1 and name in natural):
            n += 1
            name = f"{stem}-{n}.html"
        seen.add(name)
        names.append(name)
    return names


def image_files(stem: str | None) -> list[str]:
    """The static images of a page's stem (None: the overview of all scenarios)."""
    return ["overview.png"] if stem is None else [f"{stem}.png", f"{stem}.svg"]


def _one(doc, i: int):
    """The run document restricted to its i-th scenario (for that scenario's CSV)."""
    if isinstance(doc, dict):
        return {**doc, "scenarios": [doc["scenarios"][i]]}
    return doc.model_copy(update={"scenarios": [doc.scenarios[i]]})


def check_url(text: str) -> str:
    """The address a site will be published at, as the pages give it: an http(s) address
    of a folder, ending in '/' (one is added). InputError for anything else."""
    from urllib.parse import urlsplit

    if not isinstance(text, str):
        raise InputError(f"--url must be a web address (text), got {text!r:.60}")
    shown = repr(text[:80]) + ("…" if len(text) > 80 else "")
    if re.search(r"[\s\x00-\x1f\x7f\"'<>\\`\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", text):
        raise InputError(
            f"--url {shown} is not a web address: spaces, quotes, <, >, control and "
            "invisible (bidi, zero-width) characters have no place in one (write %20 for a "
            "space)"
        )
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - (a port that is no number raises here)
    except ValueError as exc:
        raise InputError(f"--url {shown} is not a web address: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"--url {shown} must be the http(s) address of the folder the maps will be "
            "published in, e.g. https://example.org/maps/"
        )
    if parts.port == 0:
        raise InputError(f"--url {shown} has port 0, which no server listens on")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            f"--url {shown} carries a user name or password (…@): every page, preview "
            "and embed code would publish it; give the address without it, e.g. "
            f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path or '/'}"
        )
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        raise InputError(f"--url {shown} has a '%' that starts no %XX escape: write a '%' as %25")
    if "?" in text or "#" in text:
        raise InputError(
            f"--url {shown} has a ?query or #fragment: give the folder's address only, "
            "e.g. https://example.org/maps/"
        )
    last = parts.path.rstrip("/").rpartition("/")[2]
    if not parts.path.endswith("/") and re.search(r"\.(html?|php|aspx?)$", last, re.I):
        raise InputError(
            f"--url {shown} is a page's address: give the folder the maps will be published "
            "in, e.g. https://example.org/maps/"
        )
    return text if text.endswith("/") else text + "/"


def render_site(
    doc,
    partitions: list[Partition],
    tiles: str | None = None,
    images: bool = False,
    url: str | None = None,
) -> dict[str, str]:
    """Every page of the site as ``{file name: HTML}``, scenario pages first, index last.

    ``images``: link each page to ``<stem>.png`` / ``<stem>.svg`` (written beside it).
    ``url``: the address the site will be published at (``check_url``): the pages' social
    previews, canonical links and embed code then name it; else they are relative.
    """
    if url is not None:
        url = check_url(url)
    if tiles is not None and tiles not in TILES:
        raise ValueError(f"unknown tiles {tiles!r}; valid: {', '.join(TILES)} or none")
    data = plain(doc)
    entries = data["scenarios"]
    if len(partitions) != len(entries):
        raise ValueError(
            f"{len(partitions)} partitions for {len(entries)} scenarios: pass one per scenario"
        )
    names = page_names(data)
    views = [
        ScenarioView(e, p, names[i])
        for i, (e, p) in enumerate(zip(entries, partitions, strict=True))
    ]
    rows = data["comparison"]
    csvs = [report_files.to_csv(_one(doc, i)) for i in range(len(entries))]
    out = {
        v.page: pages.scenario_page(data, v, rows[i], csvs[i], images, tiles, url)
        for i, v in enumerate(views)
    }
    out["index.html"] = pages.index_page(
        data, views, rows, csvs, report_files.to_csv(doc), images, tiles, url
    )
    return out


def write_site(
    doc,
    partitions: list[Partition],
    out_dir: Path,
    tiles: str | None = None,
    images: bool = False,
    extra: dict[str, bytes] | Callable[[], dict[str, bytes]] | None = None,
    url: str | None = None,
) -> list[Path]:
    """Write index.html and one page per scenario into out_dir; return the paths written.

    Every page is rendered in memory first; then the pages, and the ``extra`` files (the
    PNG/SVG images of ``maps.image_jobs.render_images``, by name, or the waiting function of
    ``maps.image_jobs.start_images``, called once the pages are rendered), are written into a new
    folder that takes ``out_dir``'s place as a whole (``folders.write_folder``; the pages and
    images of an earlier run that this one does not write are removed, listed in
    ``MANIFEST``; other files already in ``out_dir`` are kept). A failure or Ctrl-C at any
    point leaves the previous site as it was: never a mix of old and new pages, never a
    partial file. ``images``:
    the pages link ``<stem>.png`` / ``<stem>.svg``.
    """
    rendered = render_site(doc, partitions, tiles=tiles, images=images, url=url)
    check_not_theirs(Path(out_dir), rendered)
    rendered |= (extra() if callable(extra) else extra) or {}
    check_not_theirs(Path(out_dir), [n for n in rendered if not n.endswith(".html")])
    return folders.write_folder(Path(out_dir), rendered, MANIFEST, OURS)  # the whole site, or none


GENERATOR = b'<meta name="generator" content="modeller'  # in the head of every page


def site_names(ids: list[str], images: bool) -> list[str]:
    """The files a site of scenarios with these ids writes: pages; with ``images``, PNG
    and SVG, and the overview of several (the manifest aside)."""
    pages = ["index.html", *names_for(ids)]
    stems = [n.removesuffix(".html") for n in pages[1:]] + ([None] if len(ids) > 1 else [])
    drawn = [name for stem in stems for name in image_files(stem)] if images else []
    return [*pages, *drawn]


def check_folder_free(folder: Path, ids: list[str], images: bool) -> None:
    """Before any work: the InputError of ``check_not_theirs`` for the files a site of
    scenarios with these ids would write (``site_names``)."""
    check_not_theirs(Path(folder), site_names(ids, images))


def check_not_theirs(folder: Path, names, by: str = "the maps", manifest: str = MANIFEST) -> None:
    """InputError if ``by`` would replace an entry of ``folder`` that modeller did not
    write: anything but a regular file (a folder, a link: it would go, or be written
    through), a page without the generator mark in its head, any other file not listed
    in the folder's ``manifest`` (what the last run wrote). A user's own index.html had
    been overwritten without a word, though the folder's other files are kept."""
    listed = None
    for name in sorted({*names, manifest}):
        path = folder / name
        if not os.path.lexists(path):
            continue
        if path.is_symlink() or not path.is_file():
            kind = "a link" if path.is_symlink() else "a folder" if path.is_dir() else "no file"
            raise InputError(
                f"{name} there is {kind}, and {by} would replace it: give another --out "
                "folder, or move it",
                str(path),
            )
        if name == manifest:
            continue
        listed = folders.listed(folder, manifest) if listed is None else listed
        if name.endswith(".html"):  # (marked: a folder written before manifests had pages)
            ours = _marked(path)
            if ours and name in listed and not folders.as_written(path, listed[name]):
                raise InputError(
                    f"{name} there was written by modeller and edited since, and {by} would "
                    "replace it: give another --out folder, or move that page (or delete "
                    "it, to have it written again)",
                    str(path),
                )
        else:  # listed as written, and not saved over since (its size)
            ours = name in listed and folders.as_written(path, listed[name])
        if not ours:
            what = "a page" if name.endswith(".html") else "a file"
            raise InputError(
                f"{name} there is not {what} modeller wrote, and {by} would replace "
                "it: give another --out folder, or move that file",
                str(path),
            )


def _marked(path: Path) -> bool:
    """Whether a page carries modeller's generator mark in its head (not merely anywhere
    in its first bytes: a page of the user's quoting it in its body is not modeller's)."""
    head = page_head(path, 4096)
    return head is None or GENERATOR in head  # (unreadable: the write will say so)


def page_head(path: Path, size: int = 16384) -> bytes | None:
    """The start of a page up to its body (its first ``size`` bytes at most); None when
    it cannot be read."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(size)
    except OSError:
        return None
    return re.split(rb"(?i)<body|</head", start, maxsplit=1)[0]


SCENARIO_MARK = re.compile(rb'<meta name="modeller-scenario" content="([^"]*)">')
PROVENANCE_ID = re.compile(rb'<span class="prov-id">([^<]*)</span>')  # (in the footer)


def scenario_shown(path: Path) -> str | None:
    """The id of the scenario a page of modeller's shows (None: not such a page): from the
    mark in its head, or, on a page written before there was one, its provenance footer."""
    head = page_head(path)
    if head is None or GENERATOR not in head:
        return None
    found = SCENARIO_MARK.search(head)
    if found is None:
        try:
            found = PROVENANCE_ID.search(path.read_bytes())
        except OSError:
            return None
    return html.unescape(found.group(1).decode("utf-8", "replace")) if found else None
