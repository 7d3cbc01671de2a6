"""The command line as a newcomer meets it: shipped scenarios by default and by id, the
listings within 80 columns, the documents the outputs refer to."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from modeller.cli import main
from modeller.rounding import km2_text
from modeller.scenario_paths import shipped_ids

NARROW = {"COLUMNS": "80"}


def lines_fit(text: str, width: int = 80) -> list[str]:
    """The lines wider than ``width`` (none, when nothing wraps)."""
    return [line for line in text.splitlines() if len(line.rstrip()) > width]


def test_run_without_paths_runs_every_shipped_scenario():
    result = CliRunner().invoke(main, ["run", "--no-maps", "--towns", "0", "-f", "json"])
    assert result.exit_code == 0, result.output
    ids = [e["id"] for e in json.loads(result.stdout)["scenarios"]]
    assert ids == list(shipped_ids()) and "land-swap" in ids


def test_a_shipped_scenario_runs_by_id_and_a_typo_gets_a_suggestion():
    runner = CliRunner()
    ok = runner.invoke(main, ["run", "land-swap", "--no-maps", "-f", "json"])
    assert ok.exit_code == 0, ok.output
    assert [e["id"] for e in json.loads(ok.stdout)["scenarios"]] == ["land-swap"]
    bad = runner.invoke(main, ["run", "land-swop", "--no-maps"])
    assert bad.exit_code == 2
    assert "did you mean 'land-swap'" in bad.output and "modeller scenarios" in bad.output


@pytest.mark.parametrize("command", [["scenarios"], ["baselines"], ["doctor"], ["docs"]])
def test_listings_fit_80_columns(command):
    result = CliRunner(env=NARROW).invoke(main, command)
    assert result.exit_code == 0, result.output
    assert not lines_fit(result.output), result.output


def test_scenarios_lists_id_date_title_and_sources():
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, ["scenarios"])
    assert "land-swap" in result.output and "2025-08-15" in result.output
    assert "Land swap" in result.output and "Reuters" in result.output


@pytest.mark.parametrize("columns", ["10", "30"])
def test_the_scenarios_listing_keeps_every_id_and_title_on_a_narrow_terminal(columns):
    """At 10 columns the listing had shown '…' alone (rich cut every cell)."""
    from modeller.scenario import load_scenarios

    result = CliRunner(env={"COLUMNS": columns}).invoke(main, ["scenarios"])
    assert result.exit_code == 0, result.output
    words = set(result.output.split())
    for _path, sc in load_scenarios([]):
        assert sc.id in words
        assert all(w in words for w in sc.title.split() if len(w) < int(columns) - 4)


def test_docs_print_what_the_outputs_refer_to():
    runner = CliRunner()
    assumptions = runner.invoke(main, ["docs", "assumptions"])
    assert assumptions.exit_code == 0 and assumptions.output.startswith("#")
    # the README the other documents refer to ("see README") is one of them
    readme = runner.invoke(main, ["docs", "readme"])
    assert readme.exit_code == 0 and "\n## Development\n" in readme.output
    contact = runner.invoke(main, ["docs", "contact-line"])
    assert contact.exit_code == 0 and "id: contact-line" in contact.output
    unknown = runner.invoke(main, ["docs", "manual"])
    assert unknown.exit_code == 2 and "valid: assumptions" in unknown.output
    # as the listing names its file ('ASSUMPTIONS.md' had been an unknown document)
    for named in ("ASSUMPTIONS", "ASSUMPTIONS.md", " Sources ", "contact-line.yaml"):
        same = runner.invoke(main, ["docs", named])
        assert same.exit_code == 0 and same.output.startswith(("# ", "id: ")), named
    # an escape sequence is shown as written, not dropped ("unknown document ''")
    escaped = runner.invoke(main, ["docs", "\x1b[2J"])
    assert escaped.exit_code == 2 and "unknown document '\\x1b[2J'; valid:" in escaped.output
    run = runner.invoke(main, ["run", "land-swap", "--no-maps", "-f", "json"])
    doc = json.loads(run.stdout)
    assert "modeller docs assumptions" in doc["method"]
    assert "modeller docs contact-line" in doc["scenarios"][0]["baseline"]["source"]


def test_doctors_area_totals_are_the_ones_readme_states():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, ["doctor"])
    m = re.search(r"total ([\d,]+) km² vs official ([\d,]+)", result.output)
    assert m, result.output
    units_total, official = m.groups()
    assert f"{units_total} km² of the embedded" in readme
    assert f"official total {official} km²" in readme


def test_readmes_scenarios_paths_work_from_any_folder(tmp_path, monkeypatch):
    """Where there is no scenarios/ folder, 'scenarios/…' names the shipped copy."""
    monkeypatch.chdir(tmp_path)
    one = CliRunner().invoke(main, ["validate", "scenarios/land-swap.yaml"])
    assert one.exit_code == 0 and one.output.count("ok: ") == 1, one.output
    every = CliRunner().invoke(main, ["validate", "scenarios/"])
    assert every.exit_code == 0 and every.output.count("ok: ") == len(shipped_ids()), every.output


def test_the_command_list_cuts_no_description_short():
    """'modeller --help' had shown 'Apply scenario files (or folders of them, or shipped...'."""
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    commands = result.output.split("Commands:")[1].strip().splitlines()
    assert len(commands) == 8
    assert not [c for c in commands if c.rstrip().endswith("...")], commands


def test_options_for_the_maps_with_no_maps_are_said_to_do_nothing(tmp_path):
    """--no-maps with -o or --tiles had been ignored without a word."""
    args = ["run", "land-swap", "-b", "1991", "--no-maps", "-o", str(tmp_path / "x")]
    result = CliRunner().invoke(main, [*args, "--tiles", "osm"])
    assert result.exit_code == 0, result.output
    assert "note: --no-maps writes no maps, so --out and --tiles do nothing" in result.output
    assert not (tmp_path / "x").exists()
    result = CliRunner().invoke(main, ["run", "land-swap", "-b", "1991", "--no-maps"])
    assert "note:" not in result.output


@pytest.mark.parametrize("command", ["run", "doctor"])
def test_a_baseline_given_twice_is_refused(command):
    """'-b 1991 -b contact-line' had run on contact-line alone, without a word."""
    result = CliRunner().invoke(main, [command, "land-swap", "-b", "1991", "-b", "contact-line"])
    assert result.exit_code == 2
    assert "given 2 times ('1991', 'contact-line'); a run has one baseline" in result.output


LEAVING = """
import atexit, sys, threading, time
from pathlib import Path
from modeller.entry import leave
out = Path(sys.argv[1])
def late():
    time.sleep(0.3)
    (out / "thread").write_text("joined")
threading.Thread(target=late).start()  # not a daemon: the exit waits for it
atexit.register(lambda: (out / "atexit").write_text((out / "thread").read_text()))
for _ in range(30_000):  # more than a pipe holds, the last of it in the buffer
    sys.stdout.write("x" * 10)
leave(int(sys.argv[2]) if sys.argv[2].isdigit() else sys.argv[2])
"""


@pytest.mark.parametrize(("code", "status"), [("0", 0), ("3", 3), ("no luck", 1)])
def test_the_quick_exit_still_joins_threads_runs_atexit_and_flushes(tmp_path, code, status):
    """``entry.leave`` skips the interpreter's teardown (0.1-0.3 s a run) and nothing else:
    a thread still running is waited for, then the atexit handlers run, then the output
    is flushed, and the status is what ``sys.exit(code)`` would give."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout buffered
    done = subprocess.run(
        [sys.executable, "-c", LEAVING, str(tmp_path), code],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == status, done.stderr
    assert done.stdout == "x" * 300_000
    assert (tmp_path / "atexit").read_text() == "joined"  # after the thread, not before
    assert done.stderr == ("no luck\n" if status == 1 else "")


def test_a_process_pools_failing_exit_hook_leaves_the_status_and_no_traceback():
    """A timeline stopped on a worker's error (a day file cut short) ended about one run
    in seven with 110 lines of traceback and status 1: the stopped pool's exit hook
    woke a pipe its own thread had just closed (OSError: Bad file descriptor)."""
    import subprocess
    import sys

    code = (
        "import threading\n"
        "from modeller.entry import leave\n"
        "def woken():\n"
        "    raise OSError(9, 'Bad file descriptor')\n"
        "threading._register_atexit(woken)\n"
        "leave(2)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "OSError" not in done.stderr


def test_the_console_script_ends_with_the_commands_status_and_whole_output(tmp_path):
    """``python -m modeller`` (``entry.main``, as the script): the JSON on stdout is whole,
    an input error still ends with status 2 and its message."""
    import subprocess
    import sys

    run = [sys.executable, "-m", "modeller", "run", "land-swap", "-b", "1991", "--no-maps"]
    ok = subprocess.run([*run, "-f", "json"], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["scenarios"][0]["id"] == "land-swap"
    bad = subprocess.run([*run, "--towns", "-1"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "--towns" in bad.stderr, bad.stderr


def test_the_baselines_held_in_reads_are_named_in_every_output(tmp_path):
    """A held_in step's baseline (pre-2022, a user's file) is a source of the figures too;
    no output had named it."""
    scenario = "return-to-2022-02-23-lines"  # not: {held_in: {baseline: pre-2022}}
    doc = json.loads(
        CliRunner().invoke(main, ["run", scenario, "-b", "1991", "--no-maps", "-f", "json"]).stdout
    )
    (held_in,) = doc["scenarios"][0]["held_in"]
    assert held_in["name"] == "pre-2022" and "authored approximation" in held_in["source"]
    assert held_in["date"] and held_in["method"]
    markdown = CliRunner().invoke(
        main, ["run", scenario, "-b", "1991", "--no-maps", "-f", "markdown"]
    )
    assert f"held\\_in reads pre-2022 ({held_in['date']}; " in markdown.stdout
    csv = CliRunner().invoke(main, ["run", scenario, "-b", "1991", "--no-maps", "-f", "csv"])
    (row,) = [line for line in csv.stdout.splitlines() if ",held_in," in line]
    assert f"pre-2022; {held_in['date']}; authored approximation" in row
    other = CliRunner().invoke(main, ["run", "land-swap", "-b", "1991", "--no-maps", "-f", "json"])
    assert json.loads(other.stdout)["scenarios"][0]["held_in"] == []
    # the geodata export's provenance member too (it had named the baseline alone)
    geo = tmp_path / "r.geojson"
    args = ["run", scenario, "-b", "1991", "--no-maps", "-f", "geojson", "-O", str(geo)]
    assert CliRunner().invoke(main, args).exit_code == 0
    (entry,) = json.loads(geo.read_text())["modeller"]["scenarios"]
    assert entry["held_in"] == [held_in]


def test_markdown_says_what_lies_outside_ukraines_control_as_the_terminal_does():
    """The 'Against 1991 borders' line was in the terminal, JSON and pages, not Markdown."""
    args = ["run", "land-swap", "-b", "1991", "--no-maps", "-f"]
    doc = json.loads(CliRunner().invoke(main, [*args, "json"]).stdout)
    v = doc["scenarios"][0]["vs_1991"]
    markdown = CliRunner().invoke(main, [*args, "markdown"]).stdout
    table = CliRunner().invoke(main, [*args, "table"]).stdout
    (md_line,) = [x for x in markdown.splitlines() if x.startswith("Against 1991 borders:")]
    (tty_line,) = [x for x in table.splitlines() if x.startswith("Against 1991 borders:")]
    assert md_line == tty_line
    assert f"({v['outside_ukraine_pct']:.1f}%)" in md_line


def test_a_deepstate_baseline_read_without_reconciliation_says_so(shared_data):
    """--no-reconcile had only made the reconciliation's line disappear from the outputs."""
    args = ["run", "land-swap", "-b", "deepstate:2025-08-15", "--no-maps", "-f", "markdown"]
    off = CliRunner().invoke(main, [*args, "--no-reconcile"]).stdout
    on = CliRunner().invoke(main, args).stdout
    assert "outline reconciliation off (--no-reconcile)" in off
    assert "outline reconciliation off" not in on and "outline reconciliation: 939" in on


def test_the_grey_zone_is_named_in_what_lies_outside_ukraines_control(shared_data):
    """On a raw DeepState dump the 'Against 1991 borders' line counted the grey zone as
    outside Ukraine's control without saying that part of it is contested land."""
    raw = shared_data / "deepstate" / "raw" / "deepstate_raw_20250803T195825Z.geojson"
    args = ["run", "freeze-current-lines", "--no-maps", "-f"]
    doc = json.loads(CliRunner().invoke(main, [*args, "json", "-b", str(raw)]).stdout)
    (grey,) = [s["km2"] for s in doc["scenarios"][0]["statuses"] if s["status"] == "contested"]
    markdown = CliRunner().invoke(main, [*args, "markdown", "-b", str(raw)]).stdout
    (line,) = [x for x in markdown.splitlines() if x.startswith("Against 1991 borders:")]
    assert line.endswith(f"({km2_text(grey)} km² of it contested, the grey zone).")
    plain = CliRunner().invoke(main, [*args, "markdown", "-b", "1991"]).stdout
    assert "contested, the grey zone" not in plain


def test_the_comparison_adds_up_where_a_zone_takes_land(tmp_path):
    """'Russia holds' left the 28-point and 20-point zones out, so a row did not add up
    (baseline + cedes - regains was 6,536 km² more than Russia held) and the 28-point plan
    seemed to leave Russia less land than a freeze: the comparison says what other
    statuses hold, in the JSON, the terminal and the Markdown."""
    data_path = tmp_path / "run.json"
    runner = CliRunner()
    done = runner.invoke(main, ["run", "--no-maps", "-f", "json", "-O", str(data_path)])
    assert done.exit_code == 0, done.output
    data = json.loads(data_path.read_text(encoding="utf-8"))
    zoned = set()
    for e, c in zip(data["scenarios"], data["comparison"], strict=True):
        before = {s["status"]: s["baseline_km2"] for s in e["statuses"]}
        outside_before = sum(km2 for status, km2 in before.items() if status != "ukraine")
        outside_after = c["russia_km2"] + c["other_km2"]
        moved = outside_before + c["ukraine_cedes_km2"] - c["ukraine_regains_km2"]
        assert outside_after == pytest.approx(moved, abs=0.05), e["id"]
        assert c["other_pct"] == pytest.approx(100 * c["other_km2"] / e["total_km2"], abs=1e-3)
        if c["other_km2"] > 0:
            zoned.add(e["id"])
    assert zoned == {"plan-28-points-2025-11", "draft-20-points-2025-12"}
    shown = runner.invoke(main, ["run", "--no-maps", "-f", "markdown"]).output
    head = next(line for line in shown.splitlines() if line.startswith("| Scenario |"))
    assert head.endswith("| Russia holds km² | % of Ukraine | Other statuses km² | % |"), head
    row = next(line for line in shown.splitlines() if line.startswith("| The 28-point plan"))
    assert row.split("|")[-3].strip() == km2_text(data["comparison"][6]["other_km2"]), row
    assert "with Russia's, the land outside Ukraine's control" in shown
    terminal = runner.invoke(main, ["run", "--no-maps", "plan-28-points-2025-11"]).output
    assert "statuses" in terminal and "the land outside Ukraine's control" in terminal
    # without a zone, no such column
    freeze = runner.invoke(main, ["run", "--no-maps", "-f", "markdown", "freeze-current-lines"])
    assert "Other statuses" not in freeze.output


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_reader_leaving_stdout_early_still_gets_the_maps(tmp_path, fmt):
    """`modeller run … | head` had ended with status 1 and no maps, without a word: the
    figures on stdout are cut short, the maps are written in full and it says so."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first figure
    out = tmp_path / "maps"
    args = ["run", "land-swap", "--no-images", "--out", str(out), "-f", fmt]
    done = subprocess.run(
        [sys.executable, "-m", "modeller", *args],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    os.close(write)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".html") == [
        "index.html",
        "land-swap.html",
    ]
    assert "the figures on standard output were cut short (its reader closed it)" in done.stderr
    assert "Traceback" not in done.stderr
    # without maps, nothing is left to do: status 1 at once, as before
    args = ["run", "land-swap", "--no-maps", "-f", fmt]
    read, write = os.pipe()
    os.close(read)
    quiet = subprocess.run(
        [sys.executable, "-m", "modeller", *args], stdout=write, stderr=subprocess.PIPE, text=True
    )
    os.close(write)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr, quiet.stderr


@pytest.mark.parametrize("unbuffered", [True, False], ids=["PYTHONUNBUFFERED", "buffered"])
def test_a_reader_leaving_midway_through_the_figures_is_not_a_success(tmp_path, unbuffered):
    """Unbuffered (``PYTHONUNBUFFERED``, common in containers), Python wrote the JSON once
    and dropped what the pipe did not take: a reader gone midway (or a disk filling up)
    left the figures cut short with status 0 and no word. The pipe holds 4 KiB here, so
    the reader closes it while the 40 KB document is being written."""
    import fcntl
    import os
    import subprocess
    import sys
    import time

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    for args, status in (
        (["--no-maps"], 1),  # nothing left to do: status 1
        (["--no-images", "--out", str(tmp_path / "maps")], 0),  # the maps, and a note
    ):
        read, write = os.pipe()
        fcntl.fcntl(write, 1031, 4096)  # F_SETPIPE_SZ (Linux)
        cmd = [sys.executable, "-m", "modeller", "run", "land-swap", "-f", "json", *args]
        proc = subprocess.Popen(cmd, stdout=write, stderr=subprocess.PIPE, text=True, env=env)
        os.close(write)
        with os.fdopen(read, "rb", buffering=0) as reader:
            first = reader.read(100)
            time.sleep(0.3)  # the writer fills the pipe and waits for the rest to be read
        err = proc.communicate(timeout=120)[1]
        assert first.startswith(b"{"), first
        assert proc.returncode == status, err
        assert "Traceback" not in err
        if status == 0:
            assert "the figures on standard output were cut short (its reader closed it)" in err
            assert (tmp_path / "maps" / "land-swap.html").is_file()


def test_every_town_listed_has_part_of_its_central_footprint_moving(tmp_path):
    """The US framework listed Kindrashivka as changing hands ("<5 %") with a share of 0
    and 0 people: only its largest footprint, a sensitivity, reached the moving land."""
    out = tmp_path / "run.json"
    done = CliRunner().invoke(main, ["run", "--no-maps", "-f", "json", "-O", str(out)])
    assert done.exit_code == 0, done.output
    listed = [(e["id"], t) for e in json.loads(out.read_text())["scenarios"] for t in e["towns"]]
    assert len(listed) > 50
    for scenario_id, t in listed:
        assert t["share"] > 0 and t["share_low"] <= t["share"] <= t["share_high"], (scenario_id, t)


def test_a_reader_leaving_both_streams_early_still_gets_the_maps(tmp_path):
    """`modeller run 2>&1 | head`: the maps were written, but the last message, on the
    closed stderr, ended the run with status 1 (rich's console exits on a broken pipe)."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)
    out = tmp_path / "maps"
    done = subprocess.run(
        [sys.executable, "-m", "modeller", "run", "land-swap", "--no-images", "--out", str(out)],
        stdout=write,
        stderr=write,
        timeout=300,
    )
    os.close(write)
    assert done.returncode == 0
    assert {"index.html", "land-swap.html"} <= {p.name for p in out.iterdir()}


def test_a_baselines_own_warning_is_said_once_per_run(tmp_path):
    """A baseline file's doubt ("makes 100.0% of the units not Ukrainian-held") was said
    once per scenario, each time behind a scenario file it has nothing to do with; a
    scenario's own warnings still name their file."""
    box = [[[22.0, 44.0], [41.0, 44.0], [41.0, 53.0], [22.0, 53.0], [22.0, 44.0]]]
    baseline = tmp_path / "whole.geojson"
    baseline.write_text(json.dumps({"type": "Polygon", "coordinates": box}), encoding="utf-8")
    moot = tmp_path / "moot.yaml"
    moot.write_text(
        "id: moot\ntitle: Moot\nsteps:\n  - assign: ukraine\n"
        "    where: {oblast: Lviv, held_by: ukraine}\n",
        encoding="utf-8",
    )
    args = ["run", "--no-maps", "-b", str(baseline), "land-swap", "freeze-current-lines", str(moot)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    doubts = [line for line in lines if "makes 100.0% of the units not Ukrainian-held" in line]
    assert len(doubts) == 1 and doubts[0].startswith("warning: the baseline file whole.geojson")
    assert any(line.startswith(f"warning: {moot}: step 1") for line in lines), lines


@pytest.mark.parametrize("command", sorted(main.commands))
def test_help_breaks_no_name_a_user_copies(command, monkeypatch):
    """click wrapped at hyphens and inside long words: 'contact-' / 'line', and
    'boundaries/ua_hromadas_simplifi' / 'ed_vadymnes.geojson' in --population's help."""
    monkeypatch.setenv("COLUMNS", "80")
    shown = CliRunner().invoke(main, [command, "--help"], terminal_width=80)
    assert shown.exit_code == 0, shown.output
    words = " ".join(shown.output.split())
    for line in shown.output.splitlines():
        assert not re.search(r"\w-$", line), line  # a name cut at its hyphen
    option = main.commands[command]
    for param in option.params:
        for name in re.findall(r"[\w./'-]+", getattr(param, "help", None) or ""):
            assert name in words, (param.name, name)  # every word of its help, unbroken
    if command in ("run", "timeline"):
        assert "boundaries/ua_hromadas_simplified_vadymnes.geojson" in shown.output
    for width in (60, 80, 100):  # click's notes ("[default: table]") kept on one line
        said = CliRunner().invoke(main, [command, "--help"], terminal_width=width).output
        for line in said.splitlines():
            assert line.count("[") == line.count("]"), (width, line)


def test_validate_names_a_shipped_scenario_not_where_it_is_installed(tmp_path, monkeypatch):
    """'ok: /…/site-packages/modeller/_scenarios/land-swap.yaml' for 'validate land-swap'."""
    monkeypatch.chdir(tmp_path)
    said = CliRunner().invoke(main, ["validate", "land-swap"])
    assert said.exit_code == 0, said.output
    assert said.output.startswith("ok: shipped land-swap.yaml (land-swap, "), said.output
    (tmp_path / "mine.yaml").write_text(
        (shipped_ids()["land-swap"]).read_text(encoding="utf-8"), encoding="utf-8"
    )
    own = CliRunner().invoke(main, ["validate", "mine.yaml"])
    assert own.output.startswith("ok: mine.yaml (land-swap, "), own.output


def test_validate_counts_steps_and_phases_in_words(tmp_path):
    """'1 step in 1 phases': each count is singular or plural as it is."""
    step = "      - assign: russia\n        where: {oblast: Donetsk}\n"
    phase = "  - id: {0}\n    title: {0}\n    steps:\n" + step.replace("{", "{{").replace("}", "}}")
    for n, said in ((1, "1 step in 1 phase)"), (2, "2 steps in 2 phases)")):
        path = tmp_path / f"p{n}.yaml"
        text = "id: p\ntitle: P\nphases:\n" + "".join(phase.format(f"x{k}") for k in range(n))
        path.write_text(text, "utf-8")
        result = CliRunner().invoke(main, ["validate", str(path)])
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith(said), result.output


def test_a_run_on_a_terminal_shows_what_it_is_at(monkeypatch):
    """The spinner line says what the run is at (here the baseline it loads: the scenario
    it applies goes by between two redraws); off a terminal there is none."""
    args = ["run", "scenarios/land-swap.yaml", "--baseline", "contact-line", "--no-maps"]
    monkeypatch.setenv("FORCE_COLOR", "1")  # (rich's, and modeller's, sign of a terminal)
    shown = CliRunner().invoke(main, args)
    assert shown.exit_code == 0, shown.output
    assert "loading baseline contact-line" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.stderr)
    assert "\x1b[" in shown.stdout  # (the figures in colour)
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    piped = CliRunner().invoke(main, args)
    assert piped.exit_code == 0, piped.output
    assert "loading baseline" not in piped.stderr and "\x1b" not in piped.output
    for out in (shown.stdout, piped.stdout):  # (at the terminal's width, and at 160)
        assert "Land swap — rest of Donbas for northern pockets (land-swap)" in out
