"""The run document: what one run found, typed (report, maps, timeline and the API read it).

Frozen pydantic models. ``RunDocument.to_json()`` writes the same keys the JSON output has
always had (``from`` is spelt ``from_`` in Python); ``RunDocument.model_validate`` reads
such a JSON document back. Figures are floats as computed (km², people); rounding is a
matter of presentation and happens in the formats.
"""

from __future__ import annotations

import json
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator


class Record(BaseModel):
    """Base of every row: frozen, fields by name or by their JSON key."""

    model_config = ConfigDict(
        frozen=True, populate_by_name=True, extra="forbid", defer_build=True, allow_inf_nan=False
    )

    def to_dict(self) -> dict:
        """The row as JSON-ready data, keyed exactly as in the JSON output."""
        return self.model_dump(mode="json", by_alias=True)


class Ranged(Record):
    """A row whose people figures carry a range: ``X_low`` ≤ ``X`` ≤ ``X_high`` for each
    people field ``X`` (the smallest and largest over the population model's variants).
    A row written without them (an older document) gets the value itself for both."""

    @model_validator(mode="before")
    @classmethod
    def _default_ranges(cls, data):
        if isinstance(data, dict):
            missing = [(n, b) for n, b in _ends(cls) if n not in data and b in data]
            if missing:  # (a run's own rows have them all: ~1,400 rows a run, not copied)
                data = dict(data)
                for name, base in missing:
                    data[name] = data[base]
        return data


@cache
def _ends(cls: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """The (``X_low`` or ``X_high``, ``X``) field names of a :class:`Ranged` row."""
    return tuple(
        (name, name.removesuffix(end))
        for name in cls.model_fields
        for end in ("_low", "_high")
        if name.endswith(end)
    )


class Tool(Record):
    name: str = "modeller"
    version: str


class Reconciled(Record):
    """km² the outline reconciliation moved to Russian-held in one unit."""

    oblast: str
    name: str
    km2: float


USER_FILE = "user file "  # how the source of a baseline read from a user's file begins


class BaselineRef(Record):
    """The baseline a scenario ran on: name, the date it describes, source and method; for
    DeepState and user files also the outline reconciliation per unit, the area outside
    the units and how its grey zone counts (absent for other baselines)."""

    name: str
    date: str | None
    source: str
    method: str = ""
    reconciled_km2: float | None = None
    reconciled: list[Reconciled] | None = None
    outside_units_km2: float | None = None
    grey_zone: str | None = None

    @model_serializer(mode="wrap")
    def _without_absent(self, handler) -> dict:
        """Leave out the DeepState-only keys where they do not apply (keys as before)."""
        optional = ("reconciled_km2", "reconciled", "outside_units_km2", "grey_zone")
        return {k: v for k, v in handler(self).items() if k not in optional or v is not None}


class Reported(Record):
    """Where a scenario's terms were reported."""

    source: str
    date: str
    url: str | None = None


class StatusRow(Ranged):
    """km², % of Ukraine and people a status holds in the baseline and in the scenario."""

    status: str
    label: str
    baseline_km2: float
    baseline_pct: float
    baseline_people: float
    baseline_people_low: float
    baseline_people_high: float
    km2: float
    pct: float
    people: float
    people_low: float
    people_high: float
    change_km2: float
    change_people: float
    change_people_low: float
    change_people_high: float


class Vs1991(Ranged):
    """The scenario against 1991 borders: what Ukraine holds and what lies outside it."""

    ukraine_km2: float
    ukraine_pct: float
    outside_ukraine_km2: float
    outside_ukraine_pct: float
    outside_ukraine_people: float
    outside_ukraine_people_low: float
    outside_ukraine_people_high: float


class Flow(Ranged):
    """Transfers summed over oblasts: from one status to another. ``people_by_variant``
    is the figure under each population variant (central first), so sums of flows get
    exact ranges too."""

    from_: str = Field(alias="from")
    to: str
    km2: float
    people: float
    people_low: float
    people_high: float
    people_by_variant: list[float] = []


class Transfer(Ranged):
    """One row of the transfers table: (oblast, from → to, recognition) with km², people.
    ``people_by_variant``, as a flow's: rows taken together (a map's label of an oblast's
    land under two recognitions) get the exact range of their sum."""

    oblast: str
    from_: str = Field(alias="from")
    to: str
    recognition: str | None = None
    km2: float
    people: float
    people_low: float
    people_high: float
    oblast_name: str
    people_by_variant: list[float] = []


class RecognitionRow(Ranged):
    """Land a status holds after the scenario with a given recognition."""

    status: str
    recognition: str
    km2: float
    people: float
    people_low: float
    people_high: float
    pct: float
    label: str


class Amount(Ranged):
    km2: float
    people: float
    people_low: float
    people_high: float


class OblastRow(Record):
    """Per oblast: km² and people by status, before and after the scenario."""

    oblast: str
    name: str
    before: dict[str, Amount]
    after: dict[str, Amount]
    # the State Statistics Service's area, beside the outline's (whose km² the rows add up
    # to): Natural Earth's Kyiv city is twice the official 839 km² (None: not known)
    area_official_km2: float | None = None


class Town(Ranged):
    """A settlement part or all of whose footprint changes hands (GeoNames population):
    ``share`` of its footprint goes ``from`` → ``to`` (range over footprint sizes), that
    is ``people`` = population × share (× ``k`` where a unit's GeoNames towns add up to
    more than its official total: ``metrics.towns_changing_hands``)."""

    name: str
    oblast: str
    oblast_name: str
    population: int
    share: float = 1.0
    share_low: float = 1.0
    share_high: float = 1.0
    people: float = 0.0
    people_low: float = 0.0
    people_high: float = 0.0
    from_: str = Field(alias="from")
    to: str
    lon: float
    lat: float
    geonameid: int


class PieceRow(Ranged):
    """One piece of the partition; extra keys are its attributes (e.g. ``recognition``)."""

    model_config = ConfigDict(
        frozen=True, populate_by_name=True, extra="allow", defer_build=True, allow_inf_nan=False
    )

    oblast: str
    before: str
    after: str
    km2: float
    people: float
    people_low: float
    people_high: float

    @property
    def attributes(self) -> dict[str, str]:
        """The piece's attributes (e.g. recognition), by name."""
        return dict(self.model_extra or {})


class PhaseRow(Ranged):
    """Headline figures after one phase (cumulative, against the baseline)."""

    id: str
    title: str
    ukraine_cedes_km2: float
    ukraine_cedes_people: float
    ukraine_cedes_people_low: float
    ukraine_cedes_people_high: float
    ukraine_regains_km2: float
    ukraine_regains_people: float
    ukraine_regains_people_low: float
    ukraine_regains_people_high: float
    russia_km2: float
    russia_pct: float
    russia_people: float
    russia_people_low: float
    russia_people_high: float


class PopulationInfo(Record):
    """Where the people figures come from: unit totals, the method, and the variants
    whose smallest and largest values make each ``*_low`` / ``*_high``."""

    source: str
    method: str
    variants: list[str]


class ScenarioEntry(Ranged):
    """One scenario's figures plus its provenance."""

    id: str
    title: str
    summary: str
    notes: str | None
    hash: str
    file: str | None
    reported: list[Reported]
    baseline: BaselineRef
    # the other baselines its steps read (held_in), each once: sources of its figures too
    held_in: list[BaselineRef] = Field(default_factory=list)
    date: str | None
    warnings: list[str]
    phases: list[PhaseRow]
    total_km2: float
    total_people: float
    total_people_low: float
    total_people_high: float
    population: PopulationInfo | None = None
    statuses: list[StatusRow]
    vs_1991: Vs1991
    flows: list[Flow]
    transfers: list[Transfer]
    recognition: list[RecognitionRow]
    oblasts: list[OblastRow]
    towns: list[Town]
    pieces: list[PieceRow]

    def status(self, name: str) -> StatusRow | None:
        """The row of one status, if the scenario has it."""
        return next((s for s in self.statuses if s.status == name), None)


class ComparisonRow(Ranged):
    """One row per scenario of the comparison table."""

    id: str
    title: str
    baseline: str
    baseline_date: str | None
    ukraine_cedes_km2: float
    ukraine_cedes_people: float
    ukraine_cedes_people_low: float
    ukraine_cedes_people_high: float
    ukraine_regains_km2: float
    ukraine_regains_people: float
    ukraine_regains_people_low: float
    ukraine_regains_people_high: float
    russia_km2: float
    russia_pct: float
    russia_people: float
    russia_people_low: float
    russia_people_high: float
    # held by neither Ukraine nor Russia after the scenario (a zone, the grey zone): with
    # Russia's, the land outside Ukraine's control (baseline's + cedes - regains)
    other_km2: float = 0.0
    other_pct: float = 0.0
    outside_ukraine_pct: float


class Provenance(Record):
    """What every output carries: tool, data version, when, method and data sources."""

    tool: Tool
    data_version: str
    generated: str
    method: str
    data_sources: list[str]
    units: dict[str, str] = Field(default_factory=dict)  # which units: name, file, sha256


class RunDocument(Provenance):
    """The whole run: provenance, the scenarios, and a comparison row per scenario."""

    scenarios: list[ScenarioEntry]
    comparison: list[ComparisonRow]

    def to_json(self) -> str:
        """The document as indented JSON (the ``--format json`` output), its figures to the
        CSV's decimals (``decimals``): finer than a reader needs, without binary noise
        (43489790.99999996 people)."""
        data = to_decimals(self.to_dict())
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def decimals(key: str | None) -> int | None:
    """How many decimals a figure keeps in the JSON and CSV: km² to 0.01 (100 m²), people
    to 0.1, percentages and shares to 0.0001, coordinates to 1e-6 degrees (~0.1 m);
    None: another number, kept as it is."""
    key = key or ""
    if "km2" in key:
        return 2
    if "people" in key:
        return 1
    if "pct" in key or "share" in key:
        return 4
    if key in ("lon", "lat"):
        return 6
    return None


def to_decimals(value, key: str | None = None):
    """``value`` with each float rounded by its key's ``decimals`` (a list's by its own)."""
    if isinstance(value, dict):
        return {k: to_decimals(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [to_decimals(v, key) for v in value]
    if isinstance(value, float):
        digits = decimals(key)
        # (+ 0.0: no "-0.0" for a figure that rounds to nothing)
        return value if digits is None else round(value, digits) + 0.0
    return value
