"""modeller: reported Russia–Ukraine territorial proposals as areas, people and maps.

Layers (bottom to top; a module imports only from layers below its own, never inside a
function either — ``tests/test_layers.py`` checks it):

1. leaf helpers: ``errors``, ``settings``, ``statuses`` (built-in statuses), ``files``
   (atomic writes), ``document`` (the typed run document)
2. ``dates`` (the one date parser and "nearest day"), ``yamlpos``, ``geodata`` (units,
   settlements, population, the working CRS and the one area function)
3. ``geojson`` (reading shapes), ``partition`` (the immutable partition), ``specs``
   (baseline-spec syntax)
4. ``archive`` (DeepState daily and month-end snapshots), ``deepstate`` (download)
5. ``control``: baselines from data (1991, DeepState, user files)
6. ``scenario``: pydantic models of the scenario language
7. ``engine``: applies a scenario; ``held_in`` reads other baselines through a loader
   the caller gives it
8. ``baselines``: the authored baselines (scenarios applied by the engine) and
   ``load_baseline``, which dispatches every spec; ``baselines.apply`` gives the engine
   its loader; ``fast``: the engine's result with fewer overlays (what ``run`` uses)
9. ``metrics`` (tallies), ``runs`` (one run of many scenarios, shared by cli and doctor)
10. ``report``, ``exports`` (GeoJSON/GPKG/GeoParquet), ``timeline_measure``, ``doctor``; then
    ``maps``, ``timeline_run``; ``timeline_page``; then ``cli`` and ``api`` (the public
    API below).

Public API (numpydoc docstrings in ``modeller.api``)::

    import modeller
    modeller.scenarios()                         # the shipped scenarios
    sc = modeller.load_scenario("land-swap")     # by id, or a path
    base = modeller.load_baseline("contact-line")
    after = modeller.apply(base, sc)             # a new, immutable partition
    result = modeller.run([sc], baseline="deepstate:2025-08-15")
    result.pieces                                # GeoDataFrame, EPSG:4326
    result.transfers, result.held, result.towns  # DataFrames
    result.to_file("land-swap.gpkg")             # with provenance
    modeller.timeline(["land-swap"], "deepstate:2025-08-01..2025-08-15")
    except modeller.InputError as exc: ...      # a bad input, with file:line and what is valid
"""

__version__ = "0.1.0"

# The public API (see ``modeller.api``), imported on first use so that ``import modeller``
# and ``modeller --help`` stay light: no geopandas, shapely or pydantic until needed.

_API = ("scenarios", "load_scenario", "load_baseline", "apply", "run", "timeline", "Result")
# what every API call raises for a bad input it can explain; what run warns of
_ERRORS = ("InputError", "ScenarioWarning")
__all__ = ["__version__", *_API, *_ERRORS]


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    if name in _ERRORS:
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'modeller' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, *_ERRORS})
