"""The package's import graph goes one way: no module imports one above it.

Every ``import`` is read from the source with ``ast`` (those inside functions too), so
an import cycle cannot hide in a function body. A new module must be given a layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import modeller

PACKAGE = Path(modeller.__file__).parent

# Bottom to top; a module may import only from layers strictly below its own.
LAYERS: list[set[str]] = [
    {"textsafe"},  # user text made safe for each output (errors show file names with it)
    {"errors", "statuses", "document", "interrupts", "regions", "memo", "romanise"},
    {"jsonerrors"},  # a JSON syntax error said with its line and the way to mend it
    {"bandzone"},  # a band's zone: the union of buffers of runs of the line
    {"coordarrays"},  # a GeoJSON (Multi)Polygon's coordinate array read by numpy
    {"arrowcols"},  # Arrow arrays from numpy columns' buffers (no pandas imported)
    {"scheduler"},  # the Dask scheduler --scheduler names, reached or refused in a sentence
    {"downloads"},  # one HTTP GET for fetch, with a deadline
    {"terminal_tables", "screens"},  # tables fitted to a terminal; rich's console or plain
    {"inputs"},  # files in: checked, read as text, named in outputs
    {"laea", "planar"},  # the working CRS's formula, for numbers and numpy arrays alike;
    # a segment clipped to a box
    {"settings", "rounding", "projection", "areas", "gazetteer"},  # environment; the CRS; km²
    {"positions"},  # GeoJSON geometry read in two dimensions, bad positions named
    {"ogrfiles"},  # GeoPackages and Shapefiles through pyogrio, in lon/lat
    {"unitsfile"},  # reading and matching a units file (no embedded data)
    {"unitchecks"},  # whether a units file can be Ukraine's units
    {"files", "locks"},  # files out, atomically; one run at a time per output folder
    {"cachefiles"},  # files kept between runs under a digest of their inputs
    {"unitskept", "templatecache"},  # a units file's checked geometry; compiled templates
    {"dates", "geodata", "failures"},  # dates; units, CRS
    {"folders"},  # a folder written as a whole; manifests of what a write put there
    {"geomcache"},  # costly shapes kept between runs (cachefiles)
    {"geojson", "partition", "specs", "shipped", "reconcile", "yamlpos", "population"},
    {"pockets", "polygons"},  # pinholes in DeepState's layer, filled; a scenario's polygons
    {"hromada_files"},  # reading the two files of a --population folder
    {"hromada_checks"},  # checking them, against themselves and the units
    {"archive", "deepstate", "geoboundaries", "hromadas"},  # DeepState archive; downloads
    {"control"},  # baselines from data: 1991, DeepState snapshots, user files
    {"scenario_values", "scenario_errors", "scenario_paths"},  # values; errors; where files are
    {"scenario_selectors"},  # where a step applies: the selectors' models
    {"scenario"},  # pydantic models of the scenario language
    {"splitcheck"},  # what run refuses of a split, from the units' boxes and borders
    {"bandregion"},  # a band's land: the line of contact and the land within a depth of it
    {"engine"},  # apply a scenario (held_in through the loader it is given)
    {"baselines", "fast"},  # authored baselines and the one loader; the engine, fast
    {"metrics", "runs"},  # tallies; one run of many scenarios
    {"timeline_day", "timeline_pockets"},  # a day's Russian-held land by tile; cut-off land
    {"timeline_bands", "timeline_read"},  # a day's band zones; the days of a chunk, read
    {"timeline_sides"},  # whether a band covers all of its side on a day (as run refuses)
    {"timeline_plan"},  # each scenario applied once, symbolically: static atoms and tiles
    {"report_text"},  # the run document for reading: table rows, Markdown, terminal
    {"report_files"},  # the run document as JSON and CSV
    # timeline_measure: the days of a chunk measured; report: the run document
    {"timeline_measure", "timeline_rows", "report", "exports", "doctor"},
    {"timeline_table", "timeline_cache"},  # the table and its provenance; per-day figures kept
    {"timeline_write"},  # the table written as CSV, JSON or Parquet, in blocks
    {"timeline_notes"},  # the timeline's metadata, warnings and errors in words
    {"maps", "timeline_run"},
    {"timeline_series"},  # the timeline page's series, dates and figures in words
    {"timeline_charts"},  # the page's charts: axis, paths, ticks, overview
    {"timeline_page"},
    {"cli_options"},  # the options and failures the commands share
    {"cli_run", "cli_timeline", "cli_validate", "cli_data"},  # command bodies
    {"results", "api_args"},  # the API's result of a run; its arguments checked, put to use
    {"cli", "api"},  # the command line; the Python API
    {"entry"},  # the console script: Ctrl-C handled before the CLI is imported
    {"__init__", "__main__"},  # the package exposes the API lazily
]
LAYER = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def component(path: Path) -> str:
    """The top-level module (or subpackage) of the package a file belongs to."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def imported(path: Path) -> set[str]:
    """Top-level package modules imported anywhere in a file (relative or absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE)
    here = list(rel.parts[:-1])  # the file's package, relative to modeller
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "modeller" and len(parts) > 1:
                    out.add(parts[1])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                parts = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "modeller":
                parts = node.module.split(".")[1:]
            else:
                continue
            if parts:
                out.add(parts[0])
            else:  # from . import a, b
                for alias in node.names:
                    if alias.name != "__version__":  # defined in __init__ without imports
                        out.add(alias.name)
    return out


def edges() -> list[tuple[str, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = component(path)
        for target in imported(path):
            if target != source:
                out.append((source, target))
    return out


def test_every_module_has_a_layer():
    modules = {component(p) for p in PACKAGE.rglob("*.py")}
    missing = sorted(modules - LAYER.keys())
    assert not missing, f"give these modules a layer in tests/test_layers.py: {missing}"


def test_no_module_imports_one_at_or_above_its_own_layer():
    bad = [
        f"{s} (layer {LAYER.get(s)}) imports {t} (layer {LAYER.get(t)})"
        for s, t in edges()
        if s in LAYER and t in LAYER and LAYER[t] >= LAYER[s]
    ]
    assert not bad, "upward or sideways imports:\n" + "\n".join(bad)


def test_the_import_graph_has_no_cycle():
    graph: dict[str, set[str]] = {}
    for s, t in edges():
        graph.setdefault(s, set()).add(t)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
