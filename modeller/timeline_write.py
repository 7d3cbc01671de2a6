"""The timeline's table written atomically as CSV, JSON or Parquet, in blocks (memory stays
flat however long it is): JSON streamed, CSV and Parquet through Arrow.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from . import __version__, arrowcols, files, population, report_text
from .errors import InputError
from .textsafe import csv_comment
from .timeline_rows import ATTR_COLUMNS, COLUMNS
from .timeline_table import (
    FORMATS,
    Table,
    digits,
    grey_lines,
    held_in_line,
    missing_lines,
    other_lines,
    outline_lines,
    provenance,
    reported_line,
)

BATCH = 200_000  # rows per written block: memory stays flat whatever the table's length


def _slices(cols: dict):
    """The table's columns in consecutive blocks of at most ``BATCH`` rows (views, no copy)."""
    n, size = len(cols["date"]), BATCH
    for start in range(0, n, size):
        yield {k: v[start : start + size] for k, v in cols.items()}


def _records(cols: dict, names: tuple) -> list[dict]:
    """Rows as dicts, figures rounded (``digits``), column by column."""
    columns = []
    for n in names:
        values = np.asarray(cols[n]).tolist()
        if values and isinstance(values[0], float):
            values = [round(v, digits(n)) for v in values]
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


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
                *(
                    f"scenario {sc['id']} status {sid}: {label}"
                    for sid, label in (sc.get("statuses") or {}).items()
                ),
                *(held_in_line(sc, h) for h in sc.get("held_in") or []),
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
