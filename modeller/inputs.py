"""Reading user files safely: regular files only, a size limit, UTF-8 text, clear errors.

A scenario path that is a FIFO or a link to a device would block or read forever, and a
polygon file of a few hundred MB takes tens of GB once parsed, so every user file is
checked here before it is opened. The limit can be raised with the environment variable
``MODELLER_MAX_INPUT_MB`` (one value for every kind of file).
"""

from __future__ import annotations

import codecs
import contextlib
import math
import os
import re
import stat
from pathlib import Path

from .errors import InputError
from .textsafe import visible_text

LIMIT_ENV = "MODELLER_MAX_INPUT_MB"
DEFAULT_LIMIT_MB = {
    "scenario": 5,
    "GeoJSON": 50,
    "GeoPackage": 50,
    # full-resolution boundaries of 27 units run large
    "units GeoJSON": 200,
    "units GeoPackage": 200,
    "units Shapefile": 200,
}
# GeoJSON's geometry types, and every type a GeoJSON document's top level can have
GEOJSON_GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon")
GEOJSON_GEOMETRIES += ("MultiPolygon", "GeometryCollection")
GEOJSON_OBJECTS = ("FeatureCollection", "Feature", *GEOJSON_GEOMETRIES)
OGR_SUFFIXES = (".gpkg", ".shp")  # polygon files read through GDAL, not as GeoJSON text
MAX_LIMIT_MB = 1e6  # a terabyte: a larger setting means "no limit" and is read as this
# every file checked for reading, by device, inode, size and time of change (not the
# inode alone: a file deleted after it was read can lend its inode to a new one)
_READ: set[tuple[int, int, int, int]] = set()


def home(path: str | Path, label: str | None = None) -> Path:
    """``path`` with a leading ``~`` or ``~user`` made the home folder's; InputError, said
    with ``label`` (the path by default), when there is no such user or home folder
    (pathlib's RuntimeError had reached the user, and os.path kept '~someone' to be made
    as a folder of that name here)."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        said = label or repr(str(path)[:80])
        raise InputError(
            f"{said}: cannot expand '~' (no such user or home folder); give a full path"
        ) from None


def limit_mb(kind: str) -> float:
    """The size limit in MB for a kind of file (``MODELLER_MAX_INPUT_MB`` overrides it)."""
    value = os.environ.get(LIMIT_ENV)
    if value:
        try:
            mb = float(value)
        except ValueError:
            mb = float("nan")
        if not mb > 0 or mb == float("inf"):
            raise InputError(f"{LIMIT_ENV}={value!r} is not a positive number of megabytes")
        return min(mb, MAX_LIMIT_MB)
    return DEFAULT_LIMIT_MB.get(kind, 50)


def kind_of(mode: int) -> str:
    """What a file mode is, in words, when it is not a regular file (for messages)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_file(path: Path, kind: str) -> int:
    """Size in bytes of ``path`` if it is a regular file within the limit; else InputError."""
    path = Path(path)
    try:
        st = path.stat()  # follows links: a link to a device is a device
    except FileNotFoundError:
        if path.is_symlink():  # (its name is there: "not found" alone would puzzle)
            target = os.readlink(path)
            raise InputError(
                f"is a link to {target}, which does not exist; expected a {kind} file",
                str(path),
            ) from None
        raise InputError(f"{kind} file not found", str(path)) from None
    except (OSError, ValueError) as exc:  # too long a name, a loop of links, no permission
        raise InputError(f"cannot read {kind} file: {reason(exc)}", str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"is a folder; expected a {kind} file", str(path))
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            f"is {kind_of(st.st_mode)}, not a regular file; save the {kind} to a file first",
            str(path),
        )
    limit = limit_mb(kind)
    if st.st_size > limit * 1e6:
        raise InputError(
            f"{kind} file is {_over(st.st_size, limit)}, over the {limit:g} MB limit "
            f"(large files take many times their size in memory); simplify it, or set "
            f"{LIMIT_ENV}={max(1, math.ceil(st.st_size / 1e6 * 1.1))} to read it anyway",
            str(path),
        )
    _READ.add((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
    return st.st_size


def was_read(path: Path) -> bool:
    """Whether ``path`` (after links) is a file this process has read as an input: an
    output written there would destroy the input (``-O my.yaml``)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) in _READ


def forget(path: Path) -> None:
    """``path`` no longer counts as read (``was_read``): a cached download found broken is
    the cache's to replace, not an input to keep."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return
    _READ.discard((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))


def read_bytes(path: Path, kind: str) -> bytes:
    """The bytes of a checked file (regular, within the limit)."""
    size = check_file(path, kind)
    try:
        with open(path, "rb") as handle:  # (read(n) allocates n bytes up front)
            return handle.read(min(int(limit_mb(kind) * 1e6), size + 2**16) + 1)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {kind} file: {reason(exc)}", str(path)) from None


def _over(n: int, limit_mb: float) -> str:
    """A size over a limit, with the decimals that show it over (5.008 MB was "5 MB, over
    the 5 MB limit")."""
    if n < 1e6:
        return _size(n)
    for places in range(4):
        text = f"{n / 1e6:,.{places}f}"
        if float(text.replace(",", "")) > limit_mb:
            return f"{text} MB"
    return f"{n:,} bytes"


def _size(n: int) -> str:
    """A file size in words: MB from a megabyte up, kB below."""
    return f"{n / 1e6:,.0f} MB" if n >= 1e6 else f"{max(n / 1e3, 0.1):.1f} kB"


def _utf16(data: bytes) -> bool:
    """Whether ``data`` looks like UTF-16: its byte-order mark, or (without one) a zero
    byte in every other place of its first 200 bytes, as ASCII text in UTF-16 has."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = data[:200]
    return len(head) >= 8 and (
        head[1::2].count(0) > 0.9 * len(head[1::2]) or head[0::2].count(0) > 0.9 * len(head[0::2])
    )


# the first bytes of binary files people save as (or mistake for) a text input
SIGNATURES = (
    (b"SQLite format 3\x00", "a GeoPackage (an SQLite database)"),
    (b"PK\x03\x04", "a ZIP archive (a zipped Shapefile, a .kmz or an .xlsx?)"),
    (b"\x00\x00\x27\x0a", "a Shapefile's .shp"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or other Office file"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
)


def geo_format(path: Path | str) -> str:
    """ "GeoPackage", "Shapefile" or "GeoJSON": the format a polygon file is read as, by
    its suffix (what messages call it)."""
    suffix = Path(path).suffix.lower()
    return {".gpkg": "GeoPackage", ".shp": "Shapefile"}.get(suffix, "GeoJSON")


def binary_kind(data: bytes) -> str | None:
    """What a binary file is, by its first bytes (None: none of ``SIGNATURES``)."""
    return next((what for magic, what in SIGNATURES if data.startswith(magic)), None)


def read_text(path: Path, kind: str, fix: str | None = None) -> str:
    """UTF-8 text of a checked file; a decoding error names the byte and its position,
    and a binary file what it is (``fix``: what to do then, where the default advice to
    rename it does not apply)."""
    data = read_bytes(path, kind)
    what = binary_kind(data)
    if what is not None:
        if fix is not None:
            hint = fix
        elif kind.endswith("GeoJSON"):
            renamed = {
                "a GeoPackage": "name it .gpkg (read as a GeoPackage) or ",
                "a Shapefile's": "name it .shp, with its .shx, .dbf and .prj beside it, or ",
                "a ZIP archive": "unzip it (a zipped Shapefile: give its .shp) or ",
            }
            hint = next((v for k, v in renamed.items() if what.startswith(k)), "")
            hint += "export it as GeoJSON"
        elif "CSV" in kind:
            hint = "save it as CSV (UTF-8)"
        elif kind == "scenario":
            hint = "a scenario is a YAML text file, like those in scenarios/"
        else:
            hint = f"give the {kind} file itself (text)"
        raise InputError(f"this is {what}, not {kind} text: {hint}", str(path))
    if data and not data.strip(b"\x00"):  # (before the UTF-16 test: zeros look like it)
        raise InputError(
            f"only zero bytes, no {kind} text (an interrupted download or copy?); write it "
            "again, or give another file",
            str(path),
        )
    if _utf16(data):
        raise InputError(
            "UTF-16 text, not UTF-8 (as Windows' 'Unicode' saves it); save it as UTF-8",
            str(path),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # (the decoder counts from after a byte order mark: the offset, and the byte shown
        # there, had been 3 short)
        at = exc.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        bad = data[at : at + 1].hex()
        raise InputError(
            f"not UTF-8 text (byte 0x{bad} at offset {at}; Windows-1251 or Latin-1?); "
            "save it as UTF-8",
            str(path),
            line_at(data, at),
        ) from None


def line_at(text: bytes | str, offset: int) -> int:
    """The 1-based line of ``offset``, lines ended as YAML and JSON end them: by \\r\\n, \\n or a
    lone \\r (a file with old Mac line ends had been all line 1)."""
    head = text[:offset]
    breaks = re.findall(rb"\r\n|\r|\n" if isinstance(head, bytes) else r"\r\n|\r|\n", head)
    return len(breaks) + 1


def empty_geojson(path: Path | str, fix: str) -> InputError:
    """The error for a GeoJSON file with nothing in it (json's own words were "Expecting
    value: line 1 column 1 (char 0)"), said alike for baselines and units files."""
    return InputError(f"empty file (no GeoJSON in it: an interrupted download?); {fix}", str(path))


def digest(path: Path) -> str:
    """sha256 of a file (for a Shapefile: of it and its sidecar files, sorted by name)."""
    import hashlib

    h = hashlib.sha256()
    for part in digest_parts(path):
        h.update(part.read_bytes())
    return h.hexdigest()


def digest_parts(path: Path) -> list[Path]:
    """The files ``digest`` reads: the file, or a Shapefile and its sidecars by name."""
    path = Path(path)
    if path.suffix.lower() != ".shp":
        return [path]
    stem = path.stem.lower()  # (listed, not globbed: a name may hold [ or *)
    parts = [
        p
        for p in path.parent.iterdir()
        if p.stem.lower() == stem and p.suffix.lower() in (".shp", ".shx", ".dbf", ".prj", ".cpg")
    ]
    return sorted(parts, key=lambda p: p.name.lower())


def shown(path: Path | str) -> str:
    """A user's file as the outputs name it (pages, images, tables, downloads): as written
    when relative; an absolute path relative to the current folder when inside it, else
    with the home folder as ``~`` -- a published page should not carry the user's folders
    (their user name). Messages on the terminal keep the path as written.
    Control characters and bidirectional marks in a name are shown as escapes."""
    return visible_text(_relative(path))


PACKAGE = Path(__file__).resolve().parent
SHIPPED = {  # where a wheel installs the repository's folders (pyproject's force-include)
    PACKAGE / "_scenarios": "scenarios",
    PACKAGE / "_geodata": "geodata",
    PACKAGE / "_docs": "",
    PACKAGE.parent / "scenarios": "scenarios",  # (an editable install: the repository's)
    PACKAGE.parent / "geodata": "geodata",
}


def _shipped(p: Path) -> str | None:
    """A file shipped with modeller by its name in the repository (scenarios/land-swap.yaml)
    wherever it is installed: the install folder's path had gone into published outputs."""
    for folder, name in SHIPPED.items():
        if p.is_relative_to(folder):
            rel = p.relative_to(folder).as_posix()
            return f"{name}/{rel}" if name else rel
    return None


def _relative(path: Path | str) -> str:
    """``shown``'s path, before its invisible characters are escaped."""
    text = str(path)
    p = Path(text)
    if not p.is_absolute():
        return text
    shipped = _shipped(p)
    if shipped is not None:
        return shipped
    homes: list[Path] = []
    with contextlib.suppress(OSError, RuntimeError):  # (no home folder: none to hide)
        homes = list(dict.fromkeys([Path.home(), Path.home().resolve()]))
    try:
        cwd = Path.cwd()
    except OSError:  # the current folder was deleted
        cwd = None
    # relative to the current folder, unless that is the home folder or above it (/home:
    # "jane.doe/…"), or the root
    near = cwd is not None and cwd != Path(cwd.anchor)
    near = near and not any(h.is_relative_to(cwd) for h in homes)
    if near and p.is_relative_to(cwd):
        return p.relative_to(cwd).as_posix()
    for home in homes:
        if home != Path(home.anchor) and p.is_relative_to(home):
            return "~/" + p.relative_to(home).as_posix()
    return text


def reason(exc: BaseException) -> str:
    """An OS error without Python's wrapping, e.g. 'File name too long'."""
    return getattr(exc, "strerror", None) or str(exc)
