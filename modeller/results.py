"""The Python API's result of a run: its figures as pandas and geopandas tables, its
provenance, and its pieces written to a file (``modeller.run`` returns one)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import inputs
from .document import RunDocument
from .errors import InputError
from .partition import Partition

if TYPE_CHECKING:
    import geopandas
    import pandas


@dataclass(frozen=True)
class Result:
    """The figures of one run: tables, geodata and provenance.

    Attributes
    ----------
    document : RunDocument
        The typed run document, its figures unrounded (they add up); ``to_json()`` and
        ``--format json`` write it rounded to 0.01 km² and 0.1 people.
    partitions : tuple of Partition
        Each scenario's partition (working CRS), in the document's order.
    notes : tuple of str
        Notes such as a nearer DeepState day standing in for ``deepstate:own``.
    """

    document: RunDocument
    partitions: tuple[Partition, ...]
    notes: tuple[str, ...] = field(default=())
    __hash__ = None  # its document holds lists: equal results compare equal, unhashed

    def __post_init__(self) -> None:
        """A Result built by hand is checked as run builds one: a document and one
        partition per scenario of it (a mismatch had surfaced later as a ValueError from
        ``pieces``, and ``Result(None, ())`` as an AttributeError in its repr)."""
        if not isinstance(self.document, RunDocument):
            raise InputError(
                f"document must be a RunDocument (a Result's .document, or "
                f"RunDocument.model_validate_json of --format json), got "
                f"{type(self.document).__name__}"
            )
        parts = self.partitions
        if not isinstance(parts, tuple | list) or not all(isinstance(p, Partition) for p in parts):
            raise InputError("partitions must be a tuple of Partition, one per scenario")
        if len(parts) != len(self.document.scenarios):
            raise InputError(
                f"{len(parts)} partitions for {len(self.document.scenarios)} scenarios: give "
                "one partition per scenario of the document, in its order"
            )
        object.__setattr__(self, "partitions", tuple(parts))
        object.__setattr__(self, "notes", tuple(str(n) for n in self.notes))

    def __repr__(self) -> str:
        """A line, not the document: a notebook shows a Result by it (the whole document
        was some 30,000 characters for one scenario)."""
        ids = [e.id for e in self.document.scenarios]
        shown = ", ".join(ids[:5]) + (f", … ({len(ids)} in all)" if len(ids) > 5 else "")
        labels = sorted({p.baseline.label for p in self.partitions})
        based = "; ".join(labels[:3]) + ("; …" if len(labels) > 3 else "")
        pieces = sum(len(p.pieces) for p in self.partitions)
        return f"<Result: {shown or 'no scenario'} on {based or 'no baseline'}; {pieces} pieces>"

    @cached_property
    def pieces(self) -> geopandas.GeoDataFrame:
        """Every piece of every scenario in EPSG:4326: scenario, oblast code and name,
        before, after, attributes (recognition), km², people and provenance columns."""
        from . import exports

        return exports.pieces_frame(self.document, list(self.partitions))

    def _rows(self, name: str):
        """One row per record of each scenario's ``name`` list, after the scenario and its
        baseline's name and date (as in the CSV: with ``deepstate:own`` each scenario has
        its own); with its columns even when there is none (a scenario that moves nothing,
        ``towns=0``)."""
        import typing

        import pandas as pd

        from .document import ScenarioEntry

        rows = [
            {
                "scenario": e.id,
                "baseline": e.baseline.name,
                "baseline_date": e.baseline.date,
                **r.to_dict(),
            }
            for e in self.document.scenarios
            for r in getattr(e, name)
        ]
        if rows:
            return pd.DataFrame(rows)
        (record,) = typing.get_args(ScenarioEntry.model_fields[name].annotation)
        fields = [f.alias or key for key, f in record.model_fields.items()]
        return pd.DataFrame(columns=["scenario", "baseline", "baseline_date", *fields])

    @cached_property
    def transfers(self) -> pandas.DataFrame:
        """What changes hands: scenario, baseline, baseline_date, oblast, from, to,
        recognition, km², people (its range, and ``people_by_variant``: the figure under
        each population variant, central first, so that rows summed get their range)."""
        return self._rows("transfers")

    @cached_property
    def held(self) -> pandas.DataFrame:
        """km², % of Ukraine and people per status, in the baseline and after the scenario."""
        return self._rows("statuses")

    @cached_property
    def towns(self) -> pandas.DataFrame:
        """The largest towns changing hands (GeoNames population, lon/lat)."""
        return self._rows("towns")

    @property
    def provenance(self) -> dict:
        """Tool, data version, units, sources and each scenario's hash and baseline."""
        from . import exports

        return exports.provenance(self.document)

    def to_json(self) -> str:
        """The run document as JSON (the same as ``modeller run --format json``)."""
        return self.document.to_json()

    def to_file(self, path: str | Path, format: str | None = None) -> Path:  # noqa: A002
        """Write the pieces with their provenance: ``.geojson``, ``.gpkg`` or ``.parquet``.

        Parameters
        ----------
        path : str or Path
            The file to write (atomically).
        format : {"geojson", "gpkg", "parquet"}, optional
            Default: from the file's extension.
        """
        from . import exports, failures

        if isinstance(path, os.PathLike) and not isinstance(path, Path):
            path = os.fspath(path)  # (a PurePosixPath, a py.path: their text)
        if not isinstance(path, str | Path) or not str(path).strip():
            raise InputError(f"to_file needs a file name (str or Path), got {path!r:.60}")
        if "\0" in str(path):
            raise InputError("a file name cannot hold a NUL character", repr(str(path))[:80])
        if format is not None and not isinstance(format, str):
            raise InputError(
                f"format must be one of 'geojson', 'gpkg', 'parquet' (text), got {format!r:.60}"
            )
        if format is not None:  # 'GeoJSON', ' gpkg': as the file's ending is read
            format = format.strip().lower()
        # a frame of its own: ``pieces`` is the user's to change (to_crs, rounding), and
        # the file must hold the run's exact figures in EPSG:4326, as its provenance says
        frame = exports.pieces_frame(self.document, list(self.partitions))
        try:
            return exports.write(frame, inputs.home(path), self.provenance, format)
        except OSError as exc:  # still an OSError, with the command line's hint
            raise failures.explained(exc, "give to_file another path") from None
