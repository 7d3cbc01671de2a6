"""README's commands, as a newcomer types them: every ``modeller`` line parses (command,
options, choices) — the ones that need no network or real datasets also run elsewhere
in the suite (test_cli.py, test_exports.py)."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import parse_command

from modeller import geodata
from modeller.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands() -> list[str]:
    """``modeller …`` lines of README's code blocks, without comments and redirections."""
    out, fenced = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        text = line.strip()
        if fenced and text.startswith("modeller ") and not text.startswith("modeller --help,"):
            text = text.split("  #")[0].split(" > ")[0].strip()
            out.append(text)
        if fenced and "&& modeller " in text:
            out.append("modeller " + text.split("&& modeller ", 1)[1])
    return out


COMMANDS = readme_commands()


def test_readme_shows_the_commands():
    assert len(COMMANDS) >= 20
    assert "modeller run land-swap" in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_readme_command_parses(command, monkeypatch):
    args = shlex.split(command)[1:]
    shared = [a for a in args if a.startswith("../shared/data/")]
    if shared and not (README.parent / shared[0]).exists():
        pytest.skip(f"needs the real datasets: {shared[0]}")
    monkeypatch.chdir(README.parent)
    monkeypatch.setattr(geodata, "load", lambda: None)  # parse only: --units loads no shapes
    for name in ("MODELLER_UNITS", "MODELLER_RECONCILE", "MODELLER_CONTESTED"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    if args == ["--help"]:  # the group's own help: shown, and nothing else parsed
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0 and "Commands:" in result.output
        return
    parse_command(args)


def test_readmes_python_block_runs_as_written(shared_data, tmp_path, monkeypatch):
    """README's "From Python" block, run from a folder with ``../shared`` beside it (as
    from the repository folder): every call in it works, including the ones that read
    the shared datasets (``population=``, ``units=``, ``contested=``)."""
    text = README.read_text(encoding="utf-8")
    block = text.split("### From Python", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    here = tmp_path / "repo"
    here.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent, target_is_directory=True)
    monkeypatch.chdir(here)
    import modeller

    try:
        exec(compile(block, "README.md (From Python)", "exec"), {})
    finally:
        modeller.load_baseline("1991", units="embedded")  # (the block sets units itself)
        modeller.run(["land-swap"], population="embedded")
    assert (here / "land-swap.gpkg").is_file()


def _headline_rows() -> list[list[str]]:
    """The rows of README's table of every shipped scenario's headline figures."""
    text = README.read_text(encoding="utf-8")
    head = "| scenario | baseline | Ukraine cedes | Ukraine regains | Russia holds after |"
    table = text.split(head, 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    return [[c.strip() for c in row.strip("|").split("|")] for row in table]


def _figure(km2: float, people: float, low: float, high: float) -> str:
    from modeller.rounding import people_text

    if round(km2) == 0:
        return "0"
    return f"{round(km2):,} · " + people_text(people, low, high).removeprefix("about ")


def test_readmes_headline_table_is_what_the_tool_gives(shared_data):
    """Two of its people ranges had fallen behind the tool's rounding (33,000–45,000 where
    run says 33,000–46,000): every row is the tool's own figures, on its baseline."""
    import modeller

    rows = _headline_rows()
    assert len(rows) >= 20
    by_baseline: dict[str, list[str]] = {}
    for sid, spec, *_ in rows:
        by_baseline.setdefault(spec, []).append(sid)
    got = {}
    for spec, ids in by_baseline.items():
        for r in modeller.run(ids, baseline=spec).document.comparison:
            cedes = ("cedes_km2", "cedes_people", "cedes_people_low", "cedes_people_high")
            regains = [k.replace("cedes", "regains") for k in cedes]
            got[(r.id, spec)] = [
                _figure(*(getattr(r, f"ukraine_{k}") for k in cedes)),
                _figure(*(getattr(r, f"ukraine_{k}") for k in regains)),
                f"{r.russia_km2:,.0f} km² ({r.russia_pct:.2f} %)",
            ]
    for sid, spec, *figures in rows:
        assert figures == got[(sid, spec)], (sid, spec)
