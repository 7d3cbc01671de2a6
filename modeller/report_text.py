"""The run document for reading: rounded table rows, Markdown, and the terminal's rich tables."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from .document import USER_FILE, BaselineRef, RunDocument, ScenarioEntry
from .gazetteer import news_name
from .rounding import (
    km2_text,
    pct_text,
    people_short,
    people_text,
    share_text,
    signed_people,
    town_population,
)
from .terminal_tables import print_fitted, print_paragraph, print_rule
from .textsafe import markdown_address, markdown_paragraph, markdown_text, terminal_text

if TYPE_CHECKING:
    from rich.console import Console


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
    elif b.outside_units_km2 is not None:  # a DeepState baseline or a file read without it
        parts.append("outline reconciliation off (--no-reconcile): edge strips stay as drawn")
    if b.outside_units_km2 is not None:
        whose = "the file's" if b.source.startswith(USER_FILE) else "DeepState"
        parts.append(f"{whose} area outside the units: {b.outside_units_km2:,.1f} km²")
    if b.grey_zone is not None:
        parts.append(f"grey zone: {b.grey_zone}")
    return "; ".join(parts)


def units_text(u: dict) -> str:
    """The units a run used, as one line: file and sha256, or the embedded set."""
    if u.get("file"):
        return f"{u['file']} (sha256 {u['sha256']}; matched by {u['matched_by']})"
    return u.get("name", "embedded units")


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
            f"{pct_text(s.baseline_pct)}",
            _people(s, "baseline_people"),
            _km(s.km2),
            f"{pct_text(s.pct)}",
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
TOWN_HEAD = [
    "Town",
    "Oblast",
    "Population (GeoNames)",
    "Changes hands",
    "People changing hands",
    "From",
    "To",
]
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


# columns that stay together when a narrow terminal splits a table (after the first)
STATUS_GROUPS = ([1, 2, 3], [4, 5, 6], [7, 8])
COMPARE_GROUPS = ([1], [2, 3], [4, 5], [6, 7])
PHASE_GROUPS = ([1, 2], [3, 4], [5])

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
            f"{pct_text(r.pct)}",
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
    """Each town changing hands, its population and people rounded as the pages round them
    (``town_population``): a whole town's two figures read alike."""
    rows = []
    for t in e.towns:
        population, most = town_population(t.population)
        people = people_short(t.people, t.people_low, t.people_high, most, t.population)
        rows.append(
            [news_name(t.name), t.oblast_name, population, share_text(t.share), people]
            + [t.from_, t.to]
        )
    return rows


OTHER_HEAD = ["Other statuses km²", "%"]
OTHER_NOTE = (
    "'Ukraine cedes' counts land going to any other status, Russia or a zone; 'Other "
    "statuses' is land held by neither Ukraine nor Russia after the scenario (a zone, the "
    "grey zone): with Russia's, the land outside Ukraine's control."
)


def _others(doc: RunDocument) -> bool:
    """Whether any scenario leaves land to a status other than Ukraine or Russia (then the
    comparison says how much: "Russia holds" alone would not add up)."""
    return any(c.other_km2 > 0 for c in doc.comparison)


def compare_head(doc: RunDocument) -> list[str]:
    return [*COMPARE_HEAD, *(OTHER_HEAD if _others(doc) else [])]


def compare_groups(doc: RunDocument) -> tuple:
    return (*COMPARE_GROUPS, *([[8, 9]] if _others(doc) else []))


def baseline_label(name: str, day: str | None) -> str:
    """A baseline with its date ('contact-line 2025-08-15'), said once where its name says
    it already ('deepstate:2025-08-15'); 'undated' for a file without one, which is named
    without its folders (a comparison's column had been as wide as its path)."""
    # a file: its name (the provenance keeps its path); a backslash is a folder's end only
    # where the system says so ('a\\b.geojson' is one name here, and an escape such as
    # '\\x1b' is no folder: both had been cut at it)
    seps = "/\\" if os.sep == "\\" else "/"
    if any(c in name for c in seps):
        name = re.split(f"[{re.escape(seps)}]", name.rstrip(seps))[-1] or name
    if not day:
        return f"{name} (undated)"
    if name == "1991":  # (its date, 1991-12-01, only repeats it)
        return name
    return name if day in name else f"{name} {day}"


def compare_titles(doc: RunDocument) -> list[str]:
    """Each comparison row's scenario as a reader tells them apart: its title, with its id
    where another scenario has the same title (the rows had read alike)."""
    ids: dict[str, set[str]] = {}
    for c in doc.comparison:
        ids.setdefault(c.title, set()).add(c.id)
    return [f"{c.title} ({c.id})" if len(ids[c.title]) > 1 else c.title for c in doc.comparison]


def compare_rows(doc: RunDocument) -> list[list[str]]:
    others = _others(doc)
    return [
        [
            title,
            baseline_label(c.baseline, c.baseline_date),
            _km(c.ukraine_cedes_km2),
            _people(c, "ukraine_cedes_people"),
            _km(c.ukraine_regains_km2),
            _people(c, "ukraine_regains_people"),
            _km(c.russia_km2),
            f"{pct_text(c.russia_pct)}",
            *([_km(c.other_km2), f"{pct_text(c.other_pct)}"] if others else []),
        ]
        for c, title in zip(doc.comparison, compare_titles(doc), strict=True)
    ]


def outside_people(v) -> str:
    """'about 9,800,000 (9,700,000–9,900,000)': people outside Ukraine's control."""
    return people_text(
        v.outside_ukraine_people, v.outside_ukraine_people_low, v.outside_ukraine_people_high
    )


TOWNS_TITLE = "Largest towns changing hands (most people changing hands first)"
SCALED = 0.99  # people below this share of GeoNames × share: the town was scaled down


def towns_note(towns) -> str:
    """A line under the towns table when some town's people changing hands clearly differ
    from its GeoNames figure × the share (''): the model scales a unit's (or a hromada's)
    towns down to its 2022 total where their GeoNames figures add up to more
    (Sevastopol's 547,820 against 393,455 for the whole unit), and up where a hromada
    has no settlement but its towns (its rural people live in them: Dniprorudne with the
    hromada population) — a reader checking 'population × share' would otherwise find
    the table wrong. ``towns``: (name shown, GeoNames population, share, people) per row."""
    rows = list(towns)
    down = [name for name, pop, share, people in rows if people < SCALED * pop * share]
    up = [name for name, pop, share, people in rows if people * SCALED > pop * share]
    if not down and not up:
        return ""

    def named(names: list[str]) -> str:
        more = len(names) - 3
        return ", ".join(names[:3]) + (f" and {more} more" if more > 0 else "")

    how = []
    if down:
        how.append(
            "scaled down where the towns of a unit (or hromada) add up to more than its 2022 "
            f"total ({named(down)})"
        )
    if up:
        how.append(
            "scaled up where a hromada has no settlement but its towns, which then hold its "
            f"rural residents too ({named(up)})"
        )
    return (
        "People changing hands are the model's residents of that share of a town: its "
        f"GeoNames figure × the share, {'; and '.join(how)}."
    )


def town_note(e: ScenarioEntry) -> str:
    """``towns_note`` of a scenario's towns table (terminal and Markdown)."""
    return towns_note((news_name(t.name), t.population, t.share, t.people) for t in e.towns)


def vs_1991_line(e: ScenarioEntry) -> str:
    """'Against 1991 borders: 119,000 km² (19.9%) and about … pre-invasion residents would be
    outside Ukraine's control.' (terminal and Markdown; the pages say it in their words)"""
    v = e.vs_1991
    return (
        f"Against 1991 borders: {km2_text(v.outside_ukraine_km2)} km² "
        f"({pct_text(v.outside_ukraine_pct)}%) and {outside_people(v)} pre-invasion "
        "residents would be outside Ukraine's control"
        + contested_end(sum(s.km2 for s in e.statuses if s.status == "contested"))
    )


def contested_end(km2: float, fmt=km2_text) -> str:
    """The end of the 'Against 1991 borders' sentence: how much of it is the grey zone
    (contested land is outside Ukraine's control, but not Russian-held), or just '.'."""
    return f" ({fmt(km2)} km² of it contested, the grey zone)." if km2 >= 0.5 else "."


def provenance_line(e: ScenarioEntry) -> str:
    b = e.baseline
    cites = "; ".join(f"{r.source} ({r.date})" for r in e.reported) or "none cited"
    note = baseline_note(b)
    people = f" · people: {e.population.source}" if e.population else ""
    also = "; ".join(f"{h.name} ({h.date or 'undated'}; {h.source})" for h in e.held_in)
    return (
        f"scenario {e.id} #{e.hash} · baseline {b.name} "
        f"({b.date or 'undated'}; {b.source})"
        + (f" · held_in reads {also}" if also else "")
        + f" · reported: {cites}{people}"
        + (f" · {note}" if note else "")
    )


def to_markdown(doc: RunDocument) -> str:
    lines = ["# Territorial scenarios", ""]
    for e in doc.scenarios:
        lines += [f"## {_md(e.title)} (`{e.id}`)", ""]
        lines += [markdown_paragraph(e.summary), ""] if e.summary.strip() else []
        lines += [f"_{_md(provenance_line(e))}_", ""]
        lines += _md_sources(e)
        for w in e.warnings:  # each a quote of its own, the table after a blank line (a
            # warning had run on into the next one and read the table as its own text)
            lines += [f"> warning: {_md(w)}", ""]
        lines += _md_table(STATUS_HEAD, status_rows(e))
        if e.recognition:
            lines += ["", "**Recognition**", ""]
            lines += _md_table(RECOGNITION_HEAD, recognition_rows(e))
        if e.phases:
            lines += ["", "**Phases** (cumulative, against the baseline)", ""]
            lines += _md_table(PHASE_HEAD, phase_rows(e))
        lines += ["", _md(vs_1991_line(e))]
        if e.transfers:
            lines += ["", "**Changes hands, by oblast**", ""]
            lines += _md_table(transfer_head(e), transfer_rows(e))
        if e.towns:
            lines += ["", f"**{TOWNS_TITLE}**", ""]
            lines += _md_table(TOWN_HEAD, town_rows(e))
            if note := town_note(e):
                lines += ["", _md(note)]
        lines.append("")
    lines += ["## Comparison", ""]
    lines += _md_table(compare_head(doc), compare_rows(doc))
    if _others(doc):
        lines += ["", _md(OTHER_NOTE)]
    lines += [
        "",
        "## Method and sources",
        "",
        markdown_paragraph(doc.method),
        "",
    ]  # (file names in both)
    lines += [f"- {markdown_paragraph(s)}" for s in doc.data_sources]
    lines += [
        "",
        f"Units: {_md(units_text(doc.units))}.",
        "",
        f"Generated {doc.generated} by modeller {doc.tool.version}, "
        f"embedded data #{doc.data_version}.",
        "",
    ]
    return "\n".join(lines)


def _md_sources(e: ScenarioEntry) -> list[str]:
    """The scenario's interpretation (``notes``) and the addresses of its reported sources,
    as Markdown lines (the provenance line names the sources and dates only)."""
    notes = _md(e.notes)
    lines = [f"**Notes.** {notes}", ""] if notes else []
    linked = [r for r in e.reported if r.url]
    if linked:
        lines += [f"- {_md(r.source)} ({r.date}): {markdown_address(r.url)}" for r in linked]
        lines.append("")
    return lines


def _md(text: str | None) -> str:
    return markdown_text(text)


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return out


def print_rich(doc: RunDocument, console: Console) -> None:
    """The run's figures for a terminal: per scenario its heading, lines and tables, then
    the comparison and the sources (``console``: its width, and whether it shows styles)."""

    def say(text: str, style: str = "") -> None:
        print_paragraph(console, terminal_text(text), style)

    for e in doc.scenarios:
        print_rule(console, f"{terminal_text(e.title)} ({terminal_text(e.id)})")
        if e.summary:
            say(e.summary)
        say(provenance_line(e), "dim")
        for w in e.warnings:
            say(f"warning: {w}", "yellow")
        _rich_table(
            console,
            "Held by each side: baseline → scenario",
            STATUS_HEAD,
            status_rows(e),
            STATUS_GROUPS,
        )
        if e.recognition:
            _rich_table(console, "Recognition", RECOGNITION_HEAD, recognition_rows(e))
        if e.phases:
            _rich_table(
                console,
                "Phases (cumulative, against the baseline)",
                PHASE_HEAD,
                phase_rows(e),
                PHASE_GROUPS,
            )
        say(vs_1991_line(e))
        if e.transfers:
            _rich_table(console, "Changes hands, by oblast", transfer_head(e), transfer_rows(e))
        if e.towns:
            _rich_table(console, TOWNS_TITLE, TOWN_HEAD, town_rows(e))
            if note := town_note(e):
                say(note, "dim")
    print_rule(console, "Comparison")
    head, groups = compare_head(doc), compare_groups(doc)
    _rich_table(console, "One row per scenario", head, compare_rows(doc), groups)
    if _others(doc):
        say(OTHER_NOTE)
    say(doc.method, "dim")
    for s in doc.data_sources:
        say(f"• {s}", "dim")
    say(
        f"Generated {doc.generated} by modeller {doc.tool.version}, "
        f"embedded data #{doc.data_version}.",
        "dim",
    )
    console.file.flush()


def _rich_table(console: Console, title: str, head: list[str], rows, groups=None) -> None:
    """Print a table fitted to the console (``terminal_tables``): no figure cut short."""
    rows = [[terminal_text(c) for c in row] for row in rows]
    print_fitted(console, title, [terminal_text(h) for h in head], rows, groups)
