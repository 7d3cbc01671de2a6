"""The timeline's table: columns filled block by block, its provenance, and writing it
atomically as CSV, JSON or Parquet in blocks (memory stays flat however long it is).
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__, arrowcols, files, geodata, population, report, report_text
from .document import to_decimals
from .errors import InputError
from .partition import BaselineInfo
from .textsafe import csv_comment
from .timeline_rows import ATTR_COLUMNS, COLUMNS

FORMATS = ("csv", "json", "parquet")
METHOD = (
    "Each scenario is applied once to synthetic all-Ukrainian and all-Russian baselines "
    "(× inside/outside each band); its static cells are refined into atoms shared by all "
    "scenarios, and each day's figures are sums over atoms of area(atom ∩ Russian-held) and "
    "the settlement weights inside, exactly as 'modeller run' counts them on that baseline."
)


@dataclass(frozen=True)
class Table:
    """The timeline: status rows and attribute rows (columns of equal length), provenance."""

    columns: dict
    attrs: dict
    baselines: tuple[BaselineInfo, ...]
    scenarios: tuple[dict, ...]
    seconds: tuple = ()  # (stage, seconds): plan (wall), then CPU of read … rows
    missing: tuple = ()  # days in the daily range the archive has no map for (left out)

    def __len__(self) -> int:
        return len(self.columns["date"])


class Rows:
    """A table's columns, filled block by block (one scenario, consecutive dates each).

    The arrays are allocated once for the most rows there can be; pages never written are
    never resident, so memory is the rows themselves: no list of blocks, no concatenated
    copy, no heap left fragmented by thousands of small blocks. Blocks arriving out of
    (scenario, date) order (a plain baseline added after the archive) are sorted at the
    end.
    """

    def __init__(self, names: tuple, order: dict, capacity: int) -> None:
        self.names, self.order = names, order
        self.capacity = max(capacity, 1)
        self.cols: dict[str, np.ndarray] = {}
        self.n = 0
        self.last: tuple | None = None
        self.ordered = True

    def add(self, block: dict) -> None:
        k = len(block["date"])
        if not k:
            return
        first = (self.order[block["scenario"][0]], block["date"][0])
        if self.last is not None and first <= self.last:
            self.ordered = False
        self.last = (self.order[block["scenario"][-1]], block["date"][-1])
        if self.n + k > self.capacity:
            self._grow(self.n + k)
        for name in self.names:
            values = np.asarray(block[name])
            if name not in self.cols:
                kind = values.dtype if values.dtype.kind == "f" else object
                self.cols[name] = np.empty(self.capacity, dtype=kind)
            self.cols[name][self.n : self.n + k] = values
        self.n += k

    def _grow(self, need: int) -> None:
        self.capacity = max(need, 2 * self.capacity)
        for name, old in self.cols.items():
            self.cols[name] = np.empty(self.capacity, dtype=old.dtype)
            self.cols[name][: self.n] = old[: self.n]

    def columns(self) -> dict:
        if not self.cols:
            return {n: np.array([], dtype=object) for n in self.names}
        cols = {n: self.cols[n][: self.n] for n in self.names}
        if not self.ordered:  # blocks overlap in time: sort the rows
            rank = np.array([self.order[s] for s in cols["scenario"]])
            keys = [
                np.unique(cols[k], return_inverse=True)[1] for k in ("status", "oblast", "date")
            ]
            idx = np.lexsort((*keys, rank))
            cols = {k: v[idx] for k, v in cols.items()}
        return cols


# --- writing ----------------------------------------------------------------------------


def provenance(table: Table, records: bool = True) -> dict:
    """Tool, data version, sources, method and the baselines used (every output carries
    it); ``records``: with a record of each baseline (the CSV's head names only their
    sources: the archive's 769 records took a third of the head's time)."""
    sources = {b.source for b in table.baselines}
    sources |= {h["source"] for sc in table.scenarios for h in sc.get("held_in") or []}
    sources = sorted(sources)  # (those of the baselines held_in steps read too)
    reconciled = any(b.reconciled is not None for b in table.baselines)
    head = report.provenance(reconciled=reconciled, ranges=False)  # as the run's, no ranges
    return {
        **head,
        "method": METHOD + " " + head["method"],
        "baseline_sources": sources,
        # (to the JSON's decimals, as a run's: 939.07 km², not 939.0669407892303)
        "baselines": (
            to_decimals([report.baseline_record(b) for b in table.baselines]) if records else []
        ),
        "missing_days": [d.isoformat() for d in table.missing],
        "scenarios": list(table.scenarios),
    }


def outline_lines(infos) -> list[str]:
    """The outline reconciliation and the DeepState area outside the units, one line per
    run of consecutive baselines with the same strips (they change rarely)."""
    units = geodata.load().units
    shown = [b for b in infos if b.reconciled is not None or b.outside_km2 is not None]
    lines = []
    for moved, span, items in _runs(shown, lambda b: b.reconciled):
        outside = [b.outside_km2 for b in items if b.outside_km2 is not None]
        text = f"{span}: "
        if moved is None:
            text += "no outline reconciliation"
        else:
            per = ", ".join(f"{units[c].name_en} {km2:,.1f}" for c, km2 in moved) or "none"
            total = sum(km2 for _, km2 in moved)
            text += f"outline reconciliation moved {total:,.1f} km² to Russian-held ({per})"
        if outside:
            lo, hi = min(outside), max(outside)
            rng = f"{lo:,.1f}" if round(lo, 1) == round(hi, 1) else f"{lo:,.1f}–{hi:,.1f}"
            text += f"; DeepState area outside the units: {rng} km²"
        lines.append(text)
    return lines


def grey_lines(infos) -> list[str]:
    """How DeepState's grey zone counts (``--contested``), one line per run of consecutive
    baselines with the same note: the CSV and the page had not said it, though the
    figures change with it (the JSON and Parquet did)."""
    noted = [b for b in infos if b.grey_zone]
    return [f"{span}: {note}" for note, span, _ in _runs(noted, lambda b: b.grey_zone)]


def _runs(infos, key) -> list[tuple[object, str, list]]:
    """Runs of consecutive baselines with the same ``key``: (key, 'first … last', items)."""
    groups: list[tuple[object, list]] = []
    for b in infos:
        if not groups or groups[-1][0] != key(b):
            groups.append((key(b), []))
        groups[-1][1].append(b)
    out = []
    for value, items in groups:
        first, last = items[0].name, items[-1].name
        out.append((value, first if first == last else f"{first} … {last}", items))
    return out


def missing_lines(missing) -> list[str]:
    """The days the archive has no map for, within the range asked: left out, not drawn."""
    if not missing:
        return []
    days = ", ".join(d.isoformat() for d in missing[:12])
    more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
    return [
        f"no DeepState map in the archive for {len(missing)} day"
        f"{'s' * (len(missing) != 1)} of this range ({days}{more}): left out"
    ]


def other_lines(infos) -> list[str]:
    """The date of each baseline that is not a DeepState day (whose name says its date)."""
    return [f"{b.date}: {b.name} ({b.source})" for b in infos if b.name != f"deepstate:{b.date}"]


BATCH = 200_000  # rows per written block: memory stays flat whatever the table's length


def _slices(cols: dict):
    """The table's columns in consecutive blocks of at most ``BATCH`` rows (views, no copy)."""
    n, size = len(cols["date"]), BATCH
    for start in range(0, n, size):
        yield {k: v[start : start + size] for k, v in cols.items()}


def digits(column: str) -> int:
    """Decimals a figure is written with, as ``run`` writes its CSV and JSON: km² to 0.01,
    people to 0.1 (the method supports no more; the timeline had written 0.0001 and 0.01)."""
    return 2 if column.endswith("km2") else 1


def _records(cols: dict, names: tuple) -> list[dict]:
    """Rows as dicts, figures rounded (``digits``), column by column."""
    columns = []
    for n in names:
        values = np.asarray(cols[n]).tolist()
        if values and isinstance(values[0], float):
            values = [round(v, digits(n)) for v in values]
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def write_text(path: Path, text: str) -> Path:
    """Write a text file atomically (see ``files.write_text``)."""
    return files.write_text(path, text)


def reported_line(sc: dict) -> str:
    """Where a scenario's terms were reported, for a comment line of the CSV: 'scenario x
    reported: Axios (2025-11-20) https://…; …'."""
    cites = "; ".join(
        " ".join(str(v) for v in (r["source"], f"({r['date']})", r.get("url")) if v)
        for r in sc["reported"]
    )
    return f"scenario {sc['id']} reported: {cites}"


def write_table(table: Table, path: Path, fmt: str) -> Path:
    """Write the table in ``fmt`` to ``path`` atomically (temp file + rename).

    Every format is written in blocks of ``BATCH`` rows, so memory does not grow with the
    table: JSON rows are streamed (the document is never built in memory), CSV and Parquet
    go through Arrow one block at a time.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; valid: {', '.join(FORMATS)}")
    with files.atomic_path(path) as tmp:
        {"json": _write_json, "csv": _write_csv, "parquet": _write_parquet}[fmt](table, tmp)
    return path


def _write_json(table: Table, path: Path) -> None:
    """One JSON document (provenance, ``rows``, ``attrs``) streamed block by block."""
    head = {**provenance(table), "columns": list(COLUMNS)}
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(head, ensure_ascii=False)[:-1])
        for key, cols, names in (
            ("rows", table.columns, COLUMNS),
            ("attrs", table.attrs, ATTR_COLUMNS),
        ):
            fh.write(f', "{key}": [')
            first = True
            for block in _slices(cols):
                text = json.dumps(_records(block, names), ensure_ascii=False)[1:-1]
                if text:
                    fh.write(text if first else ", " + text)
                    first = False
            fh.write("]")
        fh.write("}")


def _csv_text(values) -> list[str]:
    """Text cells quoted as the csv module would (only when needed)."""
    out = []
    for v in values:
        v = str(v)
        out.append('"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') else v)
    return out


def _write_csv(table: Table, path: Path) -> None:
    """One long CSV: 'status' rows, then 'attrs' rows; provenance in '#' lines on top.

    Written by pyarrow (its C++ writer, ~20x faster than formatting here) when it is
    installed, else by ``_csv_block``; text is quoted only where a value needs it. Arrow
    turns blocks into text on two threads (it lets go of the GIL) while this one makes
    the head: about half the time of one block after the other (0.3 s for the archive).
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        pacsv = None
    if pacsv is None:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            fh.write(_csv_head(table))
            for cols, names, prefix in (
                (table.columns, COLUMNS, "status"),
                (table.attrs, ATTR_COLUMNS, "attrs"),
            ):
                for block in _slices(cols):
                    fh.write(_csv_block(block, names, prefix, ["table", *COLUMNS, "attrs"]))
        return
    texts = _texts(table)
    plain = not any(v and any(ch in str(v) for ch in ',"\n\r') for v in texts.seen)
    options = pacsv.WriteOptions(include_header=False, quoting_style="none" if plain else "needed")

    def text(block) -> bytes:
        out = pa.BufferOutputStream()
        pacsv.write_csv(block, out, options)
        return out.getvalue()

    pieces = (
        block.slice(at, PIECE)
        for block in _arrow_blocks(table, rounded=True, texts=texts)
        for at in range(0, block.num_rows, PIECE)
    )
    with ThreadPoolExecutor(2) as pool:
        pending = deque(pool.submit(text, p) for p in itertools.islice(pieces, AHEAD))
        head = _csv_head(table)  # (meanwhile)
        with open(path, "wb") as fh:
            fh.write(head.encode("utf-8"))
            while pending:  # in order; a few pieces ahead, not the whole table
                fh.write(pending.popleft().result())
                pending.extend(pool.submit(text, p) for p in itertools.islice(pieces, 1))


PIECE = 50_000  # rows made into CSV text at once, on one of the writer's threads
AHEAD = 4  # pieces being made into text or waiting to be written (memory: ~5 MB each)


def _csv_head(table: Table) -> str:
    """The CSV's comment lines (provenance, scenarios, notes) and its header row."""
    prov = provenance(table, records=False)
    head_lines = [
        f"modeller {__version__} timeline; data {prov['data_version']}; "
        f"generated {prov['generated']}; "
        f"baselines: {'; '.join(prov['baseline_sources'])}; "
        f"units: {report_text.units_text(prov['units'])}",
        f"people: {population.current().source}",
        f"method: {prov['method']}",
        f"sources: {'; '.join(prov['data_sources'])}",
        *(
            line
            for sc in table.scenarios
            for line in (
                f"scenario {sc['id']} #{sc['hash']}: {sc['title']} ({sc.get('file') or 'no file'})",
                *([reported_line(sc)] if sc.get("reported") else []),
            )
        ),
        *outline_lines(table.baselines),
        *grey_lines(table.baselines),
        *other_lines(table.baselines),
        *missing_lines(table.missing),
        *(f"warning: {sc['id']}: {w}" for sc in table.scenarios for w in sc.get("warnings", ())),
    ]
    # file names are the user's: one comment line each
    lines = [csv_comment(line) for line in head_lines]
    return "\n".join([*lines, ",".join(["table", *COLUMNS, "attrs"])]) + "\n"


def _csv_block(cols: dict, names: tuple, prefix: str, head: list) -> str:
    """Rows of one table as CSV text; columns it lacks stay empty.

    Numbers are rounded (``digits``) and turned into text by numpy;
    rows are joined in C (300,000 rows: well under a second).
    """
    n = len(cols["date"])
    if not n:
        return ""
    fields = [[prefix] * n]
    for name in head[1:]:
        if name not in names:
            fields.append([""] * n)
            continue
        values = cols[name]
        if values.dtype.kind == "f":
            fields.append((np.round(values, digits(name)) + 0.0).astype(str).tolist())
        else:
            uniq, inv = np.unique(values.astype(str), return_inverse=True)
            fields.append(np.array(_csv_text(uniq), dtype=object)[inv].tolist())
    return "\n".join(map(",".join, zip(*fields, strict=True))) + "\n"


def _write_parquet(table: Table, path: Path) -> None:
    files.check_writer("parquet")
    import pyarrow.parquet as pq

    meta = {b"modeller": json.dumps(provenance(table), ensure_ascii=False).encode()}
    schema = _arrow_schema().with_metadata(meta)
    with pq.ParquetWriter(path, schema) as writer:
        for block in _arrow_blocks(table):
            writer.write_table(block.replace_schema_metadata(meta))


TEXT = ("table", "scenario", "oblast", "oblast_name", "status", "attrs")


def _arrow_schema():
    """Column types of the written table: the date a date, text columns strings, figures
    float64."""
    import pyarrow as pa

    def kind(name: str):
        return pa.date32() if name == "date" else pa.string() if name in TEXT else pa.float64()

    return pa.schema([(n, kind(n)) for n in ("table", *COLUMNS, "attrs")])


def _texts(table: Table) -> arrowcols.Texts:
    """The distinct texts of the table's text columns (dates too)."""
    return arrowcols.Texts(
        values
        for cols in (table.columns, table.attrs)
        for values in map(np.asarray, cols.values())
        if values.dtype.kind in "OUS"
    )


def _arrow_blocks(table: Table, rounded: bool = False, texts: arrowcols.Texts | None = None):
    """Status rows then attribute rows as Arrow tables of at most ``BATCH`` rows each.

    Built block by block from the numpy columns, so no single Arrow array outgrows what
    pyarrow returns as one chunk (a numpy text array past 16 MiB comes back chunked);
    made from their buffers (``arrowcols``: no pandas imported).
    """
    import pyarrow as pa

    schema = _arrow_schema()
    texts = _texts(table) if texts is None else texts
    for cols, names, kind in (
        (table.columns, COLUMNS, "status"),
        (table.attrs, ATTR_COLUMNS, "attrs"),
    ):
        for block in _slices(cols):
            size = len(block["date"])
            if not size:
                continue
            data = {}
            for field in schema:
                if field.name == "table":
                    data["table"] = arrowcols.repeated(kind, size)
                elif field.name in names:
                    values = np.asarray(block[field.name])
                    if values.dtype.kind == "f":
                        if rounded:
                            values = np.round(values, digits(field.name)) + 0.0
                        data[field.name] = arrowcols.floats(values)
                    elif field.name == "date":
                        data[field.name] = texts.dates(values)
                    elif field.type == pa.string():
                        data[field.name] = texts.strings(values)
                    else:  # (figures held as objects: pyarrow's own conversion)
                        data[field.name] = pa.array(values.astype(object), field.type)
                elif field.type == pa.string():
                    data[field.name] = arrowcols.repeated("", size)
                else:
                    data[field.name] = pa.nulls(size, field.type)
            yield pa.table(data, schema=schema)
