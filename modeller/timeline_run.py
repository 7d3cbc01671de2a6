"""Run the timeline: snapshots in consecutive chunks on local processes or a Dask cluster,
then one table (date × scenario × oblast × status) written atomically as CSV/JSON/Parquet.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from . import __version__, baselines, files, geodata, report
from .archive import Snapshot
from .errors import InputError
from .partition import BaselineInfo
from .scenario import Scenario
from .timeline import (
    ATTR_COLUMNS,
    COLUMNS,
    Geometry,
    KeyFigures,
    Measures,
    Plan,
    make_plan,
    measure,
    plain_figures,
    rows,
)

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

    def __len__(self) -> int:
        return len(self.columns["date"])


# --- evaluation -------------------------------------------------------------------------


def chunks(items: list[Snapshot], workers: int) -> list[list[Snapshot]]:
    """Consecutive runs of snapshots (consecutive days share most of their work)."""
    if not items:
        return []
    n = max(4, math.ceil(len(items) / 64))
    n = workers * math.ceil(n / workers)  # equal rounds: no worker idles at the end
    size = max(8, math.ceil(len(items) / n))
    return [items[i : i + size] for i in range(0, len(items), size)]


def measure_local(
    geom: Geometry, parts: list[list[Snapshot]], pool, advance: Callable[[int], None]
) -> list[Measures]:
    """Measure chunks in the process pool (in this process when there is none)."""
    if pool is None:
        out = []
        for part in parts:
            out.append(measure(geom, part))
            advance(len(part))
        return out
    futures = {pool.submit(measure, geom, part): i for i, part in enumerate(parts)}
    results: dict[int, Measures] = {}
    try:
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            advance(len(parts[futures[fut]]))
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return [results[i] for i in range(len(parts))]


def _pool(workers: int):
    """Local worker processes (forked where possible: the embedded data is loaded once)."""
    geodata.load()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))


def _scenario_rows(
    scenario_id: str, keys: tuple, matrix: np.ndarray, remainder: np.ndarray, m: Measures
) -> tuple[dict, dict]:
    """One (scenario, chunk) task: key figures from the chunk's measures, then rows."""
    km2 = m.km2 @ matrix.T
    people = (m.km2 * remainder + m.weight) @ matrix.T
    return rows(KeyFigures(scenario_id, m.dates, keys, km2, people))


def evaluate_dask(
    plan: Plan, parts: list[list[Snapshot]], address: str, advance: Callable[[int], None]
) -> tuple[list[Measures], list[tuple[dict, dict]]]:
    """Chunks measured, then (scenario, chunk) tasks, on the Dask cluster at ``address``."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install -e '.[dask]'") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        geom = client.scatter(plan.geometry, broadcast=True)
        remainder = np.tile(plan.remainder_per_km2, plan.geometry.n_classes)
        measured = [client.submit(measure, geom, part, pure=False) for part in parts]
        size = {m.key: len(p) for m, p in zip(measured, parts, strict=True)}
        for fut in dask_completed(measured):
            advance(size[fut.key])
        tasks = [
            client.submit(
                _scenario_rows, sp.scenario.id, sp.keys, sp.matrix, remainder, m, pure=False
            )
            for sp in plan.scenarios
            for m in measured
        ]
        return client.gather(measured), client.gather(tasks)
    finally:
        client.close()


def build_table(
    scenarios: list[tuple[Path, Scenario]],
    snapshots: list[Snapshot],
    others: list[str] = (),
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> Table:
    """The whole timeline: DeepState snapshots fast, other baseline specs the plain way."""
    workers = workers or os.cpu_count() or 1
    ordered = sorted(snapshots, key=lambda s: s.day)
    pieces: list[tuple[dict, dict]] = []
    if scheduler:
        plan = make_plan([sc for _, sc in scenarios])
        measured, pieces = evaluate_dask(plan, chunks(ordered, workers), scheduler, progress)
    else:
        pool = _pool(workers) if workers > 1 else None
        try:
            plan = make_plan([sc for _, sc in scenarios], pool.map if pool else map)
            parts = chunks(ordered, workers if pool else 1)
            measured = measure_local(plan.geometry, parts, pool, progress)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        remainder = np.tile(plan.remainder_per_km2, plan.geometry.n_classes)
        for sp in plan.scenarios:
            for m in measured:
                pieces.append(_scenario_rows(sp.scenario.id, sp.keys, sp.matrix, remainder, m))
    infos = [info for m in measured for info in m.infos]
    for spec in others:
        base = baselines.load_baseline(spec)
        infos.append(base.baseline)
        for _, sc in scenarios:
            pieces.append(rows(_dated(plain_figures(base, sc), base.baseline)))
        progress(1)
    order = {sc.id: i for i, (_, sc) in enumerate(scenarios)}
    return Table(
        _concat([p[0] for p in pieces], COLUMNS, order),
        _concat([p[1] for p in pieces], ATTR_COLUMNS, order),
        tuple(sorted(set(infos), key=lambda b: (b.date or datetime.min.date(), b.name))),
        tuple(_scenario_meta(path, sc) for path, sc in scenarios),
    )


def _dated(f: KeyFigures, info: BaselineInfo) -> KeyFigures:
    if info.date is None:
        raise InputError(f"baseline {info.name} has no date, so it cannot go on a timeline")
    return f


def _concat(parts: list[dict], names: tuple, order: dict) -> dict:
    """Blocks of rows (one scenario, consecutive dates each) in scenario, date order."""
    parts = [p for p in parts if len(p["date"])]
    parts.sort(key=lambda p: (order[p["scenario"][0]], p["date"][0]))
    cols = {}
    for name in names:
        values = [np.asarray(p[name]) for p in parts]
        cols[name] = np.concatenate(values) if values else np.array([])
    ordered = all(
        (order[a["scenario"][0]], a["date"][-1]) < (order[b["scenario"][0]], b["date"][0])
        for a, b in zip(parts, parts[1:], strict=False)
    )
    if len(cols["date"]) and not ordered:  # blocks overlap in time: sort the rows
        rank = np.array([order[s] for s in cols["scenario"]])
        idx = np.lexsort((cols["status"], cols["oblast"], cols["date"], rank))
        cols = {k: v[idx] for k, v in cols.items()}
    return cols


def _scenario_meta(path: Path, sc: Scenario) -> dict:
    return {
        "id": sc.id,
        "title": sc.title,
        "summary": sc.summary,
        "date": sc.date.isoformat() if sc.date else None,
        "hash": sc.digest,
        "file": str(path),
        "reported": [r.model_dump(mode="json") for r in sc.reported],
    }


# --- writing ----------------------------------------------------------------------------


def provenance(table: Table) -> dict:
    """Tool, data version, sources, method and the baselines used (every output carries it)."""
    sources = sorted({b.source for b in table.baselines})
    head = report.provenance()  # the same head as the run document (document.Provenance)
    return {
        **head,
        "method": METHOD + " " + head["method"],
        "baseline_sources": sources,
        "baselines": [
            {"name": b.name, "date": b.date.isoformat() if b.date else None, "source": b.source}
            for b in table.baselines
        ],
        "scenarios": list(table.scenarios),
    }


def _records(cols: dict, names: tuple) -> list[dict]:
    out = []
    lists = {n: cols[n].tolist() for n in names}
    for i in range(len(cols["date"])):
        out.append({n: _round(n, lists[n][i]) for n in names})
    return out


def _round(name: str, value):
    if isinstance(value, float):
        return round(value, 4 if name.endswith("km2") else 2)
    return value


def write_text(path: Path, text: str) -> Path:
    """Write a text file atomically (see ``files.write_text``)."""
    return files.write_text(path, text)


def write_table(table: Table, path: Path, fmt: str) -> Path:
    """Write the table in ``fmt`` to ``path`` atomically (temp file + rename)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; valid: {', '.join(FORMATS)}")
    with files.atomic_path(path) as tmp:
        if fmt == "json":
            doc = {
                **provenance(table),
                "columns": list(COLUMNS),
                "rows": _records(table.columns, COLUMNS),
                "attrs": _records(table.attrs, ATTR_COLUMNS),
            }
            tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        elif fmt == "csv":
            _write_csv(table, tmp)
        else:
            _write_parquet(table, tmp)
    return path


def _csv_text(values) -> list[str]:
    """Text cells quoted as the csv module would (only when needed)."""
    out = []
    for v in values:
        v = str(v)
        out.append('"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') else v)
    return out


def _write_csv(table: Table, path: Path) -> None:
    """One long CSV: 'status' rows, then 'attrs' rows; provenance in a '#' line on top.

    Written by pyarrow when it is installed, else by ``_csv_block``; text is quoted only
    where a value needs it.
    """
    prov = provenance(table)
    head = ["table", *COLUMNS, "attrs"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(f"# modeller {__version__} timeline; data {prov['data_version']}; ")
        fh.write(f"generated {prov['generated']}; ")
        fh.write(f"baselines: {'; '.join(prov['baseline_sources'])}\n")
        try:
            import pyarrow.csv as pacsv
        except ImportError:
            pacsv = None
        fh.write(",".join(head) + "\n")
        if pacsv is None:
            fh.write(_csv_block(table.columns, COLUMNS, "status", head))
            fh.write(_csv_block(table.attrs, ATTR_COLUMNS, "attrs", head))
            return
    arrow = _arrow_table(table, rounded=True)
    texts = {v for c in arrow.columns if c.type == "string" for v in c.unique().to_pylist()}
    plain = not any(v and any(ch in v for ch in ',"\n\r') for v in texts)
    options = pacsv.WriteOptions(include_header=False, quoting_style="none" if plain else "needed")
    with open(path, "ab") as fh:  # pyarrow's C++ writer: ~20x faster than formatting here
        pacsv.write_csv(arrow, fh, options)


def _csv_block(cols: dict, names: tuple, prefix: str, head: list) -> str:
    """Rows of one table as CSV text; columns it lacks stay empty.

    Numbers are rounded (km² to 4 decimals, people to 2) and turned into text by numpy;
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
            digits = 4 if name.endswith("km2") else 2
            fields.append((np.round(values, digits) + 0.0).astype(str).tolist())
        else:
            uniq, inv = np.unique(values.astype(str), return_inverse=True)
            fields.append(np.array(_csv_text(uniq), dtype=object)[inv].tolist())
    return "\n".join(map(",".join, zip(*fields, strict=True))) + "\n"


def _write_parquet(table: Table, path: Path) -> None:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("--format parquet needs pyarrow: pip install -e '.[parquet]'") from None
    meta = {b"modeller": json.dumps(provenance(table), ensure_ascii=False).encode()}
    pq.write_table(_arrow_table(table).replace_schema_metadata(meta), path)


def _arrow_table(table: Table, rounded: bool = False):
    """Status rows then attribute rows as one Arrow table with a 'table' column."""
    import pyarrow as pa

    n, m = len(table), len(table.attrs["date"])
    data = {"table": pa.array(np.repeat(["status", "attrs"], [n, m]))}
    for name in (*COLUMNS, "attrs"):
        parts = []
        for cols, size in ((table.columns, n), (table.attrs, m)):
            if name in cols and size:
                values = np.asarray(cols[name])
                if values.dtype.kind == "f" and rounded:
                    values = np.round(values, 4 if name.endswith("km2") else 2) + 0.0
                parts.append(pa.array(values))
            elif size:
                numeric = name not in ("oblast_name", "attrs") and name not in ATTR_COLUMNS
                kind = pa.float64() if numeric else pa.string()
                parts.append(pa.nulls(size, kind) if numeric else pa.array([""] * size, kind))
        data[name] = pa.concat_arrays([x.cast(parts[0].type) for x in parts])
    return pa.table(data)
