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
   its loader
9. ``metrics`` (tallies), ``runs`` (one run of many scenarios, shared by cli and doctor)
10. ``report``, ``timeline``, ``doctor``; then ``maps``, ``timeline_run``;
    ``timeline_page``; then ``cli`` and this package's API.
"""

__version__ = "0.1.0"
