"""Where the pre-invasion residents lived: every person of a unit carried by a weighted point.

The model has two kinds of points, both in the working equal-area CRS:

* **town footprints** — each GeoNames settlement is a disc of area ``P / URBAN_DENSITY``
  (at least ``MIN_RADIUS_M`` across), discretised as ``n`` equal-weight points on a
  Vogel (sunflower) spiral, which fills a disc evenly with no two points at the same
  distance along any direction; so a line crossing a town moves its people a point at a
  time (``n`` grows with population, 8 to 64 points). No point sits at the centre, so a
  line drawn through a town's GeoNames point splits it instead of deciding it by a tie.
  Points falling outside the town's unit (sea, another oblast) or on inland water
  (``geodata.water``: rivers, reservoirs, lakes, estuaries) are dropped and the rest
  carry the town.
* **rural points** — a square grid (``RURAL_SPACING_M``) over every unit's land (off
  inland water) carrying the
  unit's remainder (people the cities500 list misses: villages under 500, dispersed and
  peri-urban housing, the shortfall of dated GeoNames figures), weighted by a proxy of
  where those people live: the population density of the embedded settlements, smoothed
  with a Gaussian kernel (σ = ``KERNEL_SIGMA_M``), plus a floor of ``RURAL_FLOOR`` × the
  unit's mean so that no land is empty.

Within each unit ``o`` (official population ``P_o``, settlement total ``S_o``)::

    w(sub-point of town j) = k_o · pop_j / n_j,          k_o = min(1, P_o / S_o)
    w(rural point i)       = R_o · q_i / Σ_{i' in o} q_i',  R_o = P_o − k_o · S_o

with ``q`` the proxy, so the points of every unit add up exactly to ``P_o``. People are
extensive: a piece's people are the summed weights of the points inside it.

Sensitivities (for ranges): the footprint area halved and doubled (other point layouts),
the rural remainder spread evenly by area instead (``q = 1``), and, with a hromada
source, the oblast-total model beside the hromada one (``modeller.hromadas``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import shapely

from . import cachefiles, geodata

URBAN_DENSITY = 2000.0  # people per km² of the footprint of a town of DENSITY_AT people
DENSITY_AT = 20_000.0
DENSITY_EXPONENT = 0.15  # density ∝ P^β: larger towns are denser (urban scaling)
MIN_RADIUS_M = 250.0  # the smallest footprint: a village of a few hundred
POINTS_PER = 250.0  # one footprint point per this many people ...
MIN_POINTS, MAX_POINTS = 8, 64  # ... within these bounds
RURAL_SPACING_M = 4000.0  # grid of rural points
KERNEL_SIGMA_M = 15_000.0  # smoothing of the small-settlement density
RURAL_FLOOR = 0.5  # share of a unit's mean proxy every rural point gets at least
FOOTPRINT_SCALES = (0.5, 2.0)  # sensitivity: footprint area halved and doubled
GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))
EVEN = "rural spread evenly"  # the name of the even-spread variant


@dataclass(frozen=True)
class Layout:
    """Point positions: town footprints then rural points."""

    xy: np.ndarray  # (n, 2) working CRS
    unit: np.ndarray  # unit code per point
    settlement: np.ndarray  # settlement index per point, -1 for rural points

    @cached_property
    def groups(self) -> dict[str, np.ndarray]:
        """Indices of the points of each unit (computed once per layout)."""
        return unit_groups(self.unit)

    @cached_property
    def is_town(self) -> np.ndarray:
        """Whether each point belongs to a town's footprint (else it is a rural point)."""
        return self.settlement >= 0

    @cached_property
    def footprint_sizes(self) -> np.ndarray:
        """The number of points of each settlement's footprint, by settlement index."""
        return np.bincount(self.settlement[self.is_town])


def unit_groups(unit: np.ndarray) -> dict[str, np.ndarray]:
    """``{unit code: indices of its points}``, in point order within each unit."""
    return _groups(*np.unique(np.asarray(unit), return_inverse=True))


def _groups(codes: np.ndarray, inverse: np.ndarray) -> dict[str, np.ndarray]:
    """``{codes[k]: indices i with inverse[i] == k}``, each in index order."""
    order = np.argsort(inverse, kind="stable")
    ends = np.cumsum(np.bincount(inverse, minlength=len(codes)))
    starts = ends - np.bincount(inverse, minlength=len(codes))
    return {str(c): order[a:b] for c, a, b in zip(codes, starts, ends, strict=True)}


@dataclass(frozen=True)
class Variant:
    """One reading of the population: a layout and a weight per point (people)."""

    name: str
    layout: int  # index into Population.layouts
    weight: np.ndarray


@dataclass(frozen=True)
class Population:
    """The central model (variant 0) and its sensitivities, with provenance."""

    layouts: tuple[Layout, ...]
    variants: tuple[Variant, ...]
    source: str  # what the unit totals come from
    method: str
    warnings: tuple[str, ...] = ()  # what the inputs' checks found (said once a run)

    @property
    def central(self) -> Variant:
        return self.variants[0]


def urban_density(population: np.ndarray) -> np.ndarray:
    """People per km² of a town's footprint: URBAN_DENSITY at DENSITY_AT people, rising
    with size as ``(P / DENSITY_AT) ** DENSITY_EXPONENT`` (larger towns are denser)."""
    p = np.maximum(np.asarray(population, dtype=float), 1.0)
    return URBAN_DENSITY * (p / DENSITY_AT) ** DENSITY_EXPONENT


def footprint_radius_m(population: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Radius of a town's footprint disc: area = scale · P / urban_density(P) (km²)."""
    p = np.asarray(population, dtype=float)
    area_m2 = scale * p / urban_density(p) * 1e6
    return np.maximum(np.sqrt(area_m2 / np.pi), MIN_RADIUS_M * np.sqrt(scale))


def footprint_points(population: np.ndarray) -> np.ndarray:
    """Number of footprint points per town."""
    n = np.ceil(np.asarray(population, dtype=float) / POINTS_PER)
    return np.clip(n, MIN_POINTS, MAX_POINTS).astype(int)


def _phase(ids: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random rotation per town (from its id), so spirals do not align."""
    return _phases(tuple(np.asarray(ids).tolist()))


@cache
def _phases(ids: tuple) -> np.ndarray:  # the same towns for every footprint scale
    return np.array(
        [int(hashlib.sha256(str(i).encode()).hexdigest()[:8], 16) / 2**32 for i in ids]
    ) * (2 * np.pi)


def footprint_layout(
    centre: np.ndarray, population: np.ndarray, ids: np.ndarray, scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Footprint points of every town: (xy (m, 2), town index (m,)).

    Notes
    -----
    Town ``j`` with radius ``ρ_j`` and ``n_j`` points gets, for ``k = 0 … n_j − 1``::

        r_k = ρ_j · √((k + ½) / n_j),   θ_k = k · 137.5° + φ_j

    (Vogel's spiral: each point stands for an equal share of the disc's area).
    """
    n = footprint_points(population)
    owner = np.repeat(np.arange(len(n)), n)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(n) - n, n)
    rho = footprint_radius_m(population, scale)[owner]
    r = rho * np.sqrt((k + 0.5) / n[owner])
    theta = k * GOLDEN_ANGLE + _phase(ids)[owner]
    xy = centre[owner] + np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return xy, owner


def _on_water(water, xy: np.ndarray) -> np.ndarray:
    """Which points lie on ``water`` (none when there is no water mask)."""
    if water is None or not len(xy):
        return np.zeros(len(xy), dtype=bool)
    return shapely.contains_xy(water, xy[:, 0], xy[:, 1])


def rural_grid(geometry: dict[str, object], water=None) -> tuple[np.ndarray, np.ndarray]:
    """Grid points (RURAL_SPACING_M, on a fixed origin) inside each unit and off ``water``:
    (xy, unit)."""
    xs, units = [], []
    s = RURAL_SPACING_M
    for code, geom in geometry.items():
        minx, miny, maxx, maxy = geom.bounds
        gx = np.arange(np.floor(minx / s) * s + s / 2, maxx, s)
        gy = np.arange(np.floor(miny / s) * s + s / 2, maxy, s)
        x, y = (a.ravel() for a in np.meshgrid(gx, gy))
        inside = shapely.contains_xy(geom, x, y) & ~_on_water(water, np.column_stack([x, y]))
        if not inside.any():  # a unit smaller than a grid cell: one point on its surface
            p = shapely.get_coordinates(shapely.point_on_surface(geom))
            x, y, inside = p[:, 0], p[:, 1], np.ones(1, dtype=bool)
        xs.append(np.column_stack([x[inside], y[inside]]))
        units += [code] * int(inside.sum())
    return np.vstack(xs), np.array(units)


def rural_proxy(grid: np.ndarray, towns: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Smoothed population density of the settlements at each grid point (people/km²).

    Notes
    -----
    Settlement populations are summed in the cells of the rural grid and smoothed with a
    Gaussian kernel (σ = ``KERNEL_SIGMA_M``, cut at 4σ, applied along x then y)::

        q_i = Σ_j pop_j · exp(−d_ij² / 2σ²) / (2πσ²)

    with ``d_ij`` measured between cell centres: the people the settlement list misses
    live where settled land is — around villages and, most, around towns and cities
    (suburbs, dachas, the villages of a city's belt). Checked against hromada totals
    (``benchmarks/population_check.py``): counting small settlements alone (or the
    area alone) leaves occupied Zaporizhzhia 8–10 % too high.
    """
    s = RURAL_SPACING_M
    mass = np.asarray(population, dtype=float)
    small = towns
    every = np.vstack([grid, small])
    lo = np.floor(every.min(axis=0) / s).astype(int)
    hi = np.floor(every.max(axis=0) / s).astype(int)
    pad = int(np.ceil(4 * KERNEL_SIGMA_M / s))
    shape = tuple(hi - lo + 1 + 2 * pad)
    counts = np.zeros(shape)
    cells = np.floor(small / s).astype(int) - lo + pad
    np.add.at(counts, (cells[:, 0], cells[:, 1]), mass)
    offsets = np.arange(-pad, pad + 1) * s
    kernel = np.exp(-(offsets**2) / (2 * KERNEL_SIGMA_M**2))
    smooth = np.apply_along_axis(np.convolve, 0, counts, kernel, mode="same")
    smooth = np.apply_along_axis(np.convolve, 1, smooth, kernel, mode="same")
    at = np.floor(grid / s).astype(int) - lo + pad
    return smooth[at[:, 0], at[:, 1]] / (2 * np.pi * KERNEL_SIGMA_M**2) * 1e6


def spread(total: np.ndarray, group: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Split ``total[g]`` over the members of each group ``g`` in proportion to ``share``."""
    sums = np.bincount(group, weights=share, minlength=len(total))
    return np.where(sums[group] > 0, total[group] * share / np.where(sums > 0, sums, 1)[group], 0)


def rural_shares(unit: np.ndarray, proxy: np.ndarray) -> np.ndarray:
    """Proxy with a floor of RURAL_FLOOR × the unit's mean (no rural point gets nothing)."""
    codes, group = np.unique(unit, return_inverse=True)
    mean = np.bincount(group, weights=proxy) / np.bincount(group)
    return proxy + RURAL_FLOOR * mean[group] + 1e-12


def unit_weights(
    data: geodata.Geodata, layout: Layout, rural_share: np.ndarray, totals: dict[str, float]
) -> np.ndarray:
    """Weights of one layout so that each unit's points add up to ``totals[unit]``."""
    pops = np.array([s.population for s in data.settlements], dtype=float)
    codes = list(data.units)
    index = {c: i for i, c in enumerate(codes)}
    group = np.empty(len(layout.unit), dtype=int)
    for code, idx in layout.groups.items():
        group[idx] = index[code]
    P = np.array([totals[c] for c in codes], dtype=float)
    town = layout.settlement >= 0
    s_unit = np.array([index[s.oblast] for s in data.settlements])
    S = np.bincount(s_unit, weights=pops, minlength=len(codes))
    k = np.where(S > 0, np.minimum(1.0, P / np.where(S > 0, S, 1)), 0.0)
    j = layout.settlement[town]
    n = np.bincount(j, minlength=len(pops))  # footprint points kept per town
    w = np.zeros(len(layout.xy))
    w[town] = k[s_unit[j]] * pops[j] / n[j]
    R = P - k * S
    w[~town] = spread(R, group[~town], rural_share)
    return w


def make_layout(data: geodata.Geodata, rural_xy, rural_unit, scale: float, water=None) -> Layout:
    """Footprint points (clipped to their town's unit) followed by the rural points.

    A footprint point outside its town's unit (in the sea, across an oblast border) or on
    ``water`` (``geodata.water``) is dropped and the town's people shared by the rest;
    a town left with no point keeps one at its (snapped) centre.
    """
    pops = np.array([s.population for s in data.settlements], dtype=float)
    ids = np.array([s.geonameid for s in data.settlements])
    units = np.array([s.oblast for s in data.settlements])
    xy, owner = footprint_layout(data.settlement_xy, pops, ids, scale)
    keep = ~_on_water(water, xy)  # nobody lives on water
    codes, town_unit = np.unique(units, return_inverse=True)
    for code, idx in _groups(codes, town_unit[owner]).items():
        keep[idx] &= shapely.contains_xy(data.geometry[code], xy[idx, 0], xy[idx, 1])
    lost = np.setdiff1d(np.arange(len(pops)), owner[keep])
    xy = np.vstack([xy[keep], data.settlement_xy[lost]])
    owner = np.concatenate([owner[keep], lost])
    order = np.argsort(owner, kind="stable")
    xy, owner = xy[order], owner[order]
    return Layout(
        np.vstack([xy, rural_xy]),
        np.concatenate([units[owner], rural_unit]),
        np.concatenate([owner, np.full(len(rural_xy), -1)]),
    )


def oblast_model(data: geodata.Geodata | None = None) -> Population:
    """The default model: unit totals from units.csv, towns + rural proxy."""
    data = data or geodata.load()
    water = geodata.water() if data.water else None
    rural_xy, rural_unit = rural_grid(data.geometry, water)
    pops = np.array([s.population for s in data.settlements], dtype=float)
    layouts = tuple(
        make_layout(data, rural_xy, rural_unit, s, water) for s in (1.0, *FOOTPRINT_SCALES)
    )
    proxy = rural_shares(rural_unit, rural_proxy(rural_xy, data.settlement_xy, pops))
    even = np.ones(len(rural_xy))
    totals = {c: float(u.population) for c, u in data.units.items()}
    variants = [Variant("central", 0, unit_weights(data, layouts[0], proxy, totals))]
    for i, s in enumerate(FOOTPRINT_SCALES, start=1):
        variants.append(
            Variant(f"footprint area ×{s:g}", i, unit_weights(data, layouts[i], proxy, totals))
        )
    variants.append(Variant("rural spread evenly", 0, unit_weights(data, layouts[0], even, totals)))
    return Population(layouts, tuple(variants), source=OBLAST_SOURCE, method=METHOD)


OBLAST_SOURCE = (
    "unit totals: Ukrstat present population 1 Jan 2022 (oblasts, Kyiv city); "
    "OCHA COD-PS 2022 (Crimea, Sevastopol)"
)
METHOD = (
    f"town footprints (discs at {URBAN_DENSITY:,.0f} people/km² for a town of "
    f"{DENSITY_AT:,.0f}, denser for larger towns, as Vogel-spiral points) plus each unit's "
    "rural remainder weighted by the smoothed population density of the settlements; "
    "no point on inland water (OpenStreetMap); ranges: "
    "footprint area halved/doubled, rural remainder spread evenly"
)


@cache
def _default(data: geodata.Geodata) -> Population:
    """The unit model of ``data``, from the cache folder when it was made before (~0.15 s
    of CPU, a tenth of a run without maps; reading it back takes ~0.01 s)."""
    if not cachefiles.enabled("MODELLER_POPULATION_CACHE"):
        return oblast_model(data)
    name = f"{_inputs_digest(data)}.npz"
    kept = cachefiles.read_arrays(CACHE_KIND, name, 256 * 2**20)
    model = _from_arrays(kept) if kept is not None else None
    if model is None:
        model = oblast_model(data)
        cachefiles.write_arrays(CACHE_KIND, name, _to_arrays(model), keep=4)
    return model


CACHE_KIND = "population"


def _inputs_digest(data: geodata.Geodata) -> str:
    """SHA-256 of everything ``oblast_model`` reads (the units' exact geometry and totals,
    every settlement's id, population, unit and position) and of the code."""
    h = hashlib.sha256(cachefiles.code_digest().encode())
    if data.water:  # (the embedded files' digest covers the water's, read once a process)
        h.update(geodata.embedded_digest().encode())
    for code in sorted(data.geometry):
        h.update(f"{code} {data.units[code].population!r}".encode())
        h.update(shapely.to_wkb(data.geometry[code]))
    s = data.settlements
    h.update(np.array([x.geonameid for x in s], dtype=np.int64).tobytes())
    h.update(np.array([x.population for x in s], dtype=np.float64).tobytes())
    h.update("\n".join(x.oblast for x in s).encode())
    h.update(np.ascontiguousarray(data.settlement_xy, dtype=np.float64).tobytes())
    return h.hexdigest()


def _to_arrays(model: Population) -> dict:
    out = {"source": np.array(model.source), "method": np.array(model.method)}
    for i, lay in enumerate(model.layouts):
        codes, index = np.unique(lay.unit, return_inverse=True)
        out |= {f"xy{i}": lay.xy, f"codes{i}": codes, f"unit{i}": index.astype(np.int32)}
        out[f"settlement{i}"] = lay.settlement
    out["names"] = np.array([v.name for v in model.variants])
    out["layouts"] = np.array([v.layout for v in model.variants])
    for j, v in enumerate(model.variants):
        out[f"weight{j}"] = v.weight
    return out


def _from_arrays(a: dict) -> Population | None:
    """The model written by ``_to_arrays``, or None when the arrays do not fit together."""
    try:
        layouts = []
        for i in range(sum(1 for k in a if k.startswith("xy"))):
            xy, unit, settlement = a[f"xy{i}"], a[f"unit{i}"], a[f"settlement{i}"]
            if xy.shape != (len(unit), 2) or len(settlement) != len(unit):
                return None
            codes = a[f"codes{i}"]
            layout = Layout(xy, codes[unit], settlement)
            if len(unit) and unit.min() >= 0 and (codes[:-1] < codes[1:]).all():
                # the codes as written (np.unique's: sorted, distinct) give the groups
                # without sorting every point's code again (~25 ms a layout)
                layout.__dict__["groups"] = _groups(codes, unit)  # (the cached property)
            layouts.append(layout)
        variants = []
        for j, (name, k) in enumerate(zip(a["names"], a["layouts"], strict=True)):
            weight = a[f"weight{j}"]
            if weight.shape != (len(layouts[k].xy),):
                return None
            variants.append(Variant(str(name), int(k), weight))
        return Population(tuple(layouts), tuple(variants), str(a["source"]), str(a["method"]))
    except (KeyError, IndexError, ValueError, TypeError):
        return None


_ACTIVE: list[Population] = []


def use(model: Population | None) -> None:
    """Make ``model`` the population every tally uses (None: back to the default)."""
    _ACTIVE.clear()
    if model is not None:
        _ACTIVE.append(model)


def current() -> Population:
    """The population in use: one set with ``use`` (e.g. ``--population``), else the unit
    model of the active geodata (``geodata.load()``, which tests may inject)."""
    return _ACTIVE[0] if _ACTIVE else _default(geodata.load())


__all__ = [
    "Layout",
    "Population",
    "Variant",
    "current",
    "footprint_layout",
    "footprint_radius_m",
    "oblast_model",
    "use",
]
