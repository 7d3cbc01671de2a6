"""The run document as files: the complete JSON record and one long, spreadsheet-safe CSV table."""

from __future__ import annotations

import csv
import io

from . import geodata
from .document import BaselineRef, RunDocument, decimals
from .report_text import units_text
from .textsafe import spreadsheet_cell


def to_json(doc: RunDocument) -> str:
    return doc.to_json()


CSV_FIELDS = [
    "data_version",
    "scenario",
    "scenario_hash",
    "baseline",
    "baseline_date",
    "baseline_source",
    "table",
    "oblast",
    "oblast_name",
    "phase",
    "from",
    "to",
    "status",
    "recognition",
    "name",
    "km2",
    "pct_of_ukraine",
    "people",
    "people_low",
    "people_high",
    "share",
    "population",
]


def to_csv(doc: RunDocument) -> str:
    """One long table; the 'table' column says which figure a row is."""
    out = io.StringIO()
    w = _SafeWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    units = geodata.load().units
    for e in doc.scenarios:
        base = {
            "data_version": doc.data_version,
            "scenario": e.id,
            "scenario_hash": e.hash,
            "baseline": e.baseline.name,
            "baseline_date": e.baseline.date,
            "baseline_source": e.baseline.source,
        }
        w.writerow(base | {"table": "scenario", "name": e.title})
        for r in e.reported:  # where the scenario's terms were reported
            cited = ", ".join(x for x in (r.source, r.date, r.url) if x)
            w.writerow(base | {"table": "reported", "name": cited})
        for row in _baseline_rows(e.baseline):
            w.writerow(base | row)
        for h in e.held_in:  # the other baselines its held_in steps read
            said = "; ".join(x for x in (h.name, h.date or "undated", h.source) if x)
            w.writerow(base | {"table": "held_in", "name": said})
        for warning in e.warnings:  # e.g. a step that selects nothing, kept with the figures
            w.writerow(base | {"table": "warning", "name": warning})
        for s in e.statuses:
            for table, prefix in (("held_baseline", "baseline_"), ("held_scenario", "")):
                w.writerow(
                    base
                    | {
                        "table": table,
                        "status": s.status,
                        "name": s.label,  # (what 'dmz' is: the page's legend says it)
                        "km2": _r(getattr(s, prefix + "km2")),
                        "pct_of_ukraine": _r(getattr(s, prefix + "pct"), "pct"),
                        **_ppl(s, prefix + "people"),
                    }
                )
        for t in e.transfers:
            w.writerow(
                base | {"table": "transfer", **t.to_dict(), "km2": _r(t.km2), **_ppl(t, "people")}
            )
        for r in e.recognition:
            w.writerow(
                base
                | {
                    "table": "recognition",
                    "status": r.status,
                    "recognition": r.recognition,
                    "km2": _r(r.km2),
                    "pct_of_ukraine": _r(r.pct, "pct"),
                    **_ppl(r, "people"),
                }
            )
        for ph in e.phases:
            for key, frm, to in (("cedes", "ukraine", ""), ("regains", "", "ukraine")):
                w.writerow(
                    base
                    | {
                        "table": f"phase_ukraine_{key}",
                        "phase": ph.id,
                        "name": ph.title,
                        "from": frm,
                        "to": to,
                        "km2": _r(getattr(ph, f"ukraine_{key}_km2")),
                        **_ppl(ph, f"ukraine_{key}_people"),
                    }
                )
        for p in e.pieces:
            w.writerow(
                base
                | {
                    "table": "piece",
                    "oblast": p.oblast,
                    "oblast_name": units[p.oblast].name_en,
                    "from": p.before,
                    "to": p.after,
                    "recognition": p.attributes.get("recognition"),
                    "km2": _r(p.km2),
                    **_ppl(p, "people"),
                }
            )
        for t in e.towns:
            w.writerow(
                base
                | {
                    "table": "town",
                    "name": t.name,
                    "oblast": t.oblast,
                    "oblast_name": t.oblast_name,
                    "from": t.from_,
                    "to": t.to,
                    **_ppl(t, "people"),  # the people on the share, like every people figure
                    "share": _r(t.share, "share"),
                    "population": t.population,
                }
            )
    # what every figure above rests on: units (file and sha256, or the embedded set), the
    # method, the data sources, and the tool and time
    end = {"data_version": doc.data_version}
    w.writerow(end | {"table": "units", "name": units_text(doc.units)})
    w.writerow(end | {"table": "method", "name": doc.method})
    for source in doc.data_sources:
        w.writerow(end | {"table": "data_source", "name": source})
    w.writerow(end | {"table": "tool", "name": f"{doc.tool.name} {doc.tool.version}"})
    w.writerow(end | {"table": "generated", "name": doc.generated})
    return out.getvalue()


class _SafeWriter(csv.DictWriter):
    """A DictWriter whose text cells cannot run as spreadsheet formulas (numbers untouched).

    A carriage return inside text becomes a newline, which the writer quotes (with the
    ``\\n`` line terminator it would leave a bare ``\\r`` unquoted and split the row).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._made: dict[str, object] = {}  # text -> its cell: ids, sources and names repeat

    def writerow(self, rowdict):
        row = {}
        for k, v in rowdict.items():
            if type(v) is str:  # (only text: 1, 1.0 and True are equal keys of a dict)
                if v not in self._made:
                    self._made[v] = _cell(v)
                row[k] = self._made[v]
            else:
                row[k] = _cell(v)
        return super().writerow(row)


def _cell(value: object) -> object:
    value = spreadsheet_cell(value)
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _baseline_rows(b: BaselineRef) -> list[dict]:
    """CSV rows for a baseline's provenance: km² reconciled per oblast, the area outside
    the units, and a note on the grey zone."""
    rows = [
        {
            "table": "reconciled",
            "oblast": r.oblast,
            "oblast_name": r.name,
            "from": "ukraine",
            "to": "russia",
            "km2": _r(r.km2),
        }
        for r in b.reconciled or []
    ]
    if b.outside_units_km2 is not None:
        rows.append({"table": "outside_units", "km2": _r(b.outside_units_km2)})
    if b.grey_zone is not None:
        rows.append({"table": "grey_zone", "name": b.grey_zone})
    return rows


def _r(x: float, key: str = "km2") -> float:
    """A figure to the decimals of its kind (``document.decimals``, as the JSON has it)."""
    return round(float(x), decimals(key))


def _ppl(row, name: str) -> dict[str, float]:
    """CSV cells of one people figure: the value and its range, unrounded (to 0.1)."""
    return {
        "people": _r(getattr(row, name), "people"),
        "people_low": _r(getattr(row, name + "_low"), "people"),
        "people_high": _r(getattr(row, name + "_high"), "people"),
    }
