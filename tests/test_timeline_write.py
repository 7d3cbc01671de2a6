"""Timeline tables of any length: CSV, Parquet and JSON written block by block.

Synthetic tables (no archive needed): a text column past 16 MiB, where pyarrow starts
returning chunked arrays, and a JSON document streamed in many small blocks.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date as Date

import numpy as np
import pytest
from helpers import REPO
from hypothesis import example, given
from hypothesis import strategies as st

from modeller import timeline_write
from modeller.partition import BaselineInfo
from modeller.timeline_rows import ATTR_COLUMNS, COLUMNS
from modeller.timeline_table import Table


def synthetic(n: int, scenario_id: str, attrs: int = 3) -> Table:
    """``n`` status rows of one scenario (dates cycling over a year) and a few attrs rows."""
    rng = np.random.default_rng(14)
    days = [Date.fromordinal(Date(2025, 1, 1).toordinal() + i).isoformat() for i in range(365)]
    texts = {
        "date": np.array(days, dtype=object)[np.arange(n) % 365],
        "scenario": np.full(n, scenario_id, dtype=object),
        "oblast": np.full(n, "UA-14", dtype=object),
        "oblast_name": np.full(n, 'Donetsk, "oblast"', dtype=object),  # needs quoting
        "status": np.array(["russia", "ukraine"], dtype=object)[np.arange(n) % 2],
    }
    figures = {name: rng.random(n) * 1000 for name in COLUMNS if name not in texts}
    extra = {
        "date": np.array(days[:attrs], dtype=object),
        "scenario": np.full(attrs, scenario_id, dtype=object),
        "oblast": np.full(attrs, "UA-14", dtype=object),
        "oblast_name": np.full(attrs, "Donetsk", dtype=object),
        "status": np.full(attrs, "russia", dtype=object),
        "attrs": np.full(attrs, "recognition=de_facto", dtype=object),
        "km2": np.arange(attrs, dtype=float),
        "people": np.arange(attrs, dtype=float) * 10,
    }
    info = BaselineInfo("deepstate:2025-01-01", Date(2025, 1, 1), "synthetic test table")
    meta = {"id": scenario_id, "title": "t", "summary": "s", "hash": "0", "file": None}
    return Table({**texts, **figures}, extra, (info,), (meta,))


@pytest.fixture(scope="module")
def big() -> Table:
    # 180,000 rows × a 100-letter id: 18 MB of text in the 'scenario' column alone
    return synthetic(180_000, "scenario-" + "x" * 91)


def test_csv_and_parquet_write_a_text_column_past_16_mib(big, tmp_path):
    pacsv = pytest.importorskip("pyarrow.csv", reason="pip install -e '.[parquet]'")
    pq = pytest.importorskip("pyarrow.parquet", reason="pip install -e '.[parquet]'")
    assert sum(len(s) for s in big.columns["scenario"]) > 16 * 2**20
    path = timeline_write.write_table(big, tmp_path / "t.csv", "csv")
    text = path.read_text(encoding="utf-8")
    assert text[:10] == "# modeller"
    comments = next(i for i, line in enumerate(text.splitlines()) if not line.startswith("#"))
    back = pacsv.read_csv(path, pacsv.ReadOptions(skip_rows=comments))
    assert back.num_rows == len(big) + 3
    last = {name: back.column(name)[len(big) - 1].as_py() for name in back.column_names}
    assert last["scenario"] == big.columns["scenario"][-1]
    assert last["oblast_name"] == 'Donetsk, "oblast"'
    assert last["km2"] == pytest.approx(big.columns["km2"][-1], abs=0.005)
    assert back.column("attrs")[-1].as_py() == "recognition=de_facto"
    assert back.column("table")[-1].as_py() == "attrs"
    with open(path, encoding="utf-8", newline="") as fh:  # and the csv module reads it alike
        for _ in range(comments):
            next(fh)
        assert next(csv.DictReader(fh))["scenario"] == big.columns["scenario"][0]

    back = pq.read_table(timeline_write.write_table(big, tmp_path / "t.parquet", "parquet"))
    assert back.num_rows == len(big) + 3
    assert b"modeller" in back.schema.metadata
    np.testing.assert_array_equal(
        back.column("people").to_numpy()[: len(big)], big.columns["people"]
    )
    assert back.column("scenario")[len(big) - 1].as_py() == big.columns["scenario"][-1]


def test_csv_made_in_pieces_on_threads_keeps_every_row_in_order(monkeypatch, tmp_path):
    pytest.importorskip("pyarrow.csv", reason="pip install -e '.[parquet]'")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the same head both times
    table = synthetic(1_000, "small", attrs=40)
    whole = timeline_write.write_table(table, tmp_path / "whole.csv", "csv").read_bytes()
    # many blocks and pieces, some partial, more of them than the writer keeps ahead
    monkeypatch.setattr(timeline_write, "BATCH", 130)
    monkeypatch.setattr(timeline_write, "PIECE", 7)
    monkeypatch.setattr(timeline_write, "AHEAD", 3)
    pieces = timeline_write.write_table(table, tmp_path / "pieces.csv", "csv").read_bytes()
    assert pieces == whole
    rows = [r for r in pieces.decode().splitlines() if not r.startswith("#")][1:]
    assert len(rows) == 1_040
    assert [r.split(",")[1] for r in rows[:1_000]] == list(table.columns["date"])
    kinds = [r.split(",")[0].strip('"') for r in rows]  # (quoted: a name needs it)
    assert kinds == ["status"] * 1_000 + ["attrs"] * 40


def test_json_streams_blocks_into_one_document(monkeypatch, tmp_path):
    table = synthetic(1_000, "small")
    monkeypatch.setattr(timeline_write, "BATCH", 7)  # many blocks, one of them partial
    doc = json.loads(timeline_write.write_table(table, tmp_path / "t.json", "json").read_text())
    assert doc["columns"] == list(COLUMNS)
    assert len(doc["rows"]) == 1_000 and len(doc["attrs"]) == 3
    assert [r["km2"] for r in doc["rows"]] == [round(x, 2) for x in table.columns["km2"]]
    assert doc["rows"][-1]["date"] == table.columns["date"][-1]
    assert set(doc["attrs"][0]) == set(ATTR_COLUMNS)
    assert doc["baselines"][0]["name"] == "deepstate:2025-01-01"


def test_page_text_from_a_child_process_or_from_here_when_it_fails():
    """``files.InChild``: the child's text when it succeeds; else computed in this process
    (so its error is raised here); cancelling a child collects it."""
    import os

    from modeller import files

    assert files.InChild(lambda: "page ✓ " * 20_000).result() == "page ✓ " * 20_000
    parent = os.getpid()

    def fails_in_child() -> str:
        if os.getpid() != parent:
            raise RuntimeError("only in the child")
        return "from here"

    assert files.InChild(fails_in_child).result() == "from here"

    def fails() -> str:
        raise ValueError("bad page")

    with pytest.raises(ValueError, match="bad page"):
        files.InChild(fails).result()
    waiting = files.InChild(lambda: "x" * 10_000_000)  # blocks on the full pipe
    waiting.cancel()
    assert waiting.pid is None


def test_a_users_own_timeline_html_is_refused_before_any_work(tmp_path):
    """`run` refused to replace a page the user wrote; the timeline replaced its own
    timeline.html without a word (its table named by --format stays the user's choice)."""
    from click.testing import CliRunner

    from modeller.cli import main

    (tmp_path / "timeline.html").write_text("<p>mine</p>", encoding="utf-8")
    args = ["timeline", "land-swap", "--baselines", "contact-line,pre-2022", "--out", str(tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "timeline.html there is not a page modeller wrote" in result.output
    assert (tmp_path / "timeline.html").read_text(encoding="utf-8") == "<p>mine</p>"
    assert not (tmp_path / "timeline.csv").exists()  # nothing computed, nothing written
    (tmp_path / "timeline.html").unlink()
    for _ in range(2):  # its own page is replaced run after run
        assert CliRunner().invoke(main, args).exit_code == 0
    assert (tmp_path / "timeline.html").stat().st_size > 1000


_RISKY = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _runnable(cell: str) -> bool:
    """Whether a spreadsheet would run the cell as a formula (a plain number it would not)."""
    body = cell.lstrip(" ")
    if not body.startswith(_RISKY):
        return False
    try:
        float(body)
    except ValueError:
        return True
    return False


@given(st.text(alphabet=st.sampled_from(list(',;="+-@\t\r\n #aZ1.\uff1d\x1b')), max_size=40))
@example(",-1;")  # '-1' a number between ',' and ';', but the cell '-1;' split at commas
def test_a_comment_line_splits_into_no_cell_a_spreadsheet_would_run(text):
    """Split at commas, or at ``;`` or tabs as spreadsheets of other locales split lines."""
    from modeller.textsafe import csv_comment, terminal_text

    line = csv_comment(text)
    assert line.startswith("# ") and "\n" not in line and "\r" not in line
    for delimiter in ",;\t":
        cells = next(csv.reader([line], delimiter=delimiter))
        assert not [c for c in cells if _runnable(c)], (text, delimiter, cells)
    # nothing else changes: text as one line, without control characters, quotes single
    plain = terminal_text(" ".join(text.splitlines())).replace('"', "'").replace("\t", " ")
    assert line[2:].replace("'", "") == plain.replace("'", "")


def test_a_units_file_name_that_is_a_formula_stays_text_in_the_timeline_csv(shared_data, tmp_path):
    import shutil

    from click.testing import CliRunner

    from modeller.cli import main

    units = tmp_path / 'x,=HYPERLINK("evil"),+cmd,@SUM(A1).geojson'
    shutil.copy(shared_data / "boundaries" / "ua_oblasts_minregion2020.geojson", units)
    result = CliRunner().invoke(
        main,
        [
            "timeline", "land-swap", "--units", str(units), "--no-chart",
            "--baselines", "deepstate:2025-08-14..2025-08-15", "-o", str(tmp_path / "tl"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "tl" / "timeline.csv").read_text(encoding="utf-8").splitlines()
    comments = [x for x in lines if x.startswith("#")]
    units_line = next(x for x in comments if "units: " in x)
    assert "'=HYPERLINK('evil')" in units_line and "'+cmd" in units_line
    cells = [c for line in comments for c in next(csv.reader([line]))]
    assert not [c for c in cells if _runnable(c)], cells


def test_ctrl_c_while_the_page_is_read_leaves_cancel_nothing_to_close_twice():
    """Ctrl-C inside ``result`` (reading the child's pipe) closed the pipe; ``cancel`` in
    the ``finally`` closed it again, and EBADF replaced the KeyboardInterrupt."""
    import signal
    import time

    from modeller import files

    def slow() -> str:
        time.sleep(3)
        return "late"

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    child = files.InChild(slow)
    old = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            child.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    child.cancel()  # raised OSError: [Errno 9] Bad file descriptor
    assert child.pid is None and child.fd is None


def test_a_listed_file_saved_over_since_is_the_users_and_stays(tmp_path):
    """A stale manifest entry removed whatever now had that name: a table the user saved
    over timeline.csv after the run went with the next run's JSON. The manifest keeps each
    file's size; times would not do (a copy of the folder changes them all)."""
    import os

    from modeller import files, folders

    files.write_text(tmp_path / "timeline.csv", "ours")
    files.write_text(tmp_path / "timeline.html", "ours")
    folders.replace_listed(
        tmp_path, ".manifest", [tmp_path / "timeline.csv", tmp_path / "timeline.html"]
    )
    ours = folders.fingerprint(b"ours")  # (4, the start of its sha256)
    assert folders.listed(tmp_path, ".manifest") == {"timeline.csv": ours, "timeline.html": ours}
    (tmp_path / "timeline.csv").write_text("the user's own", encoding="utf-8")
    later = (tmp_path / ".manifest").stat().st_mtime + 60  # as a copy without times makes it
    os.utime(tmp_path / "timeline.html", (later, later))
    (tmp_path / "timeline.json").write_text("new", encoding="utf-8")
    removed = folders.replace_listed(tmp_path, ".manifest", [tmp_path / "timeline.json"])
    assert removed == ["timeline.html"]
    assert (tmp_path / "timeline.csv").read_text(encoding="utf-8") == "the user's own"
    new = folders.fingerprint(b"new")
    assert (tmp_path / ".manifest").read_text(encoding="utf-8") == f"timeline.json\t3\t{new[1]}\n"


def test_a_listed_file_edited_to_the_same_size_is_the_users_and_stays(tmp_path):
    """The manifest had kept each file's size only: a table the user edited without
    changing its size ('land-swap' to 'LAND-SWAP') was taken for ours and removed by the
    next run in another format. Its digest tells it apart; an old manifest (sizes only)
    is still read."""
    from modeller import files, folders

    files.write_text(tmp_path / "timeline.json", '{"scenario": "land-swap"}')
    folders.replace_listed(tmp_path, ".manifest", [tmp_path / "timeline.json"])
    (tmp_path / "timeline.json").write_text('{"scenario": "LAND-SWAP"}', encoding="utf-8")
    files.write_text(tmp_path / "timeline.csv", "new")
    assert folders.replace_listed(tmp_path, ".manifest", [tmp_path / "timeline.csv"]) == []
    assert "LAND-SWAP" in (tmp_path / "timeline.json").read_text(encoding="utf-8")
    (tmp_path / ".manifest").write_text("timeline.csv\t3\n", encoding="utf-8")  # (old)
    files.write_text(tmp_path / "timeline.html", "x")
    assert folders.replace_listed(tmp_path, ".manifest", [tmp_path / "timeline.html"]) == [
        "timeline.csv"
    ]


def test_a_table_saved_over_the_timelines_own_is_refused_not_replaced(tmp_path):
    """The check before any work took a listed name as the timeline's own: a table the
    user saved over timeline.csv was replaced by the next run without a word."""
    from click.testing import CliRunner

    from modeller.cli import main

    args = [
        "timeline",
        "land-swap",
        "--baselines",
        "contact-line",
        "--no-chart",
        "-o",
        str(tmp_path),
    ]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert CliRunner().invoke(main, args).exit_code == 0  # its own table: replaced
    (tmp_path / "timeline.csv").write_text("my edited table", encoding="utf-8")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "timeline.csv there is not a file modeller wrote" in result.output
    assert (tmp_path / "timeline.csv").read_text(encoding="utf-8") == "my edited table"


def test_ctrl_c_after_the_table_removes_the_earlier_page_and_lists_the_table(tmp_path, monkeypatch):
    """Ctrl-C between the table and the page left the earlier run's page beside the new
    table, with the earlier manifest: a page that would pass for this table's."""
    from click.testing import CliRunner

    from modeller import files, folders
    from modeller.cli import main

    args = ["timeline", "land-swap", "--baselines", "contact-line", "-o", str(tmp_path)]
    assert CliRunner().invoke(main, [*args, "-f", "json"]).exit_code == 0
    assert (tmp_path / "timeline.html").exists()

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.InChild, "result", interrupted)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 130, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".modeller-timeline", "timeline.csv"]
    assert list(folders.listed(tmp_path, ".modeller-timeline")) == ["timeline.csv"]
    assert "removed the earlier timeline's timeline.html, timeline.json" in result.output


def test_ctrl_c_just_after_the_table_is_renamed_into_place_still_lists_it(tmp_path, monkeypatch):
    """Ctrl-C after the new table's rename but before the run had noted it: 'complete:
    nothing written', the earlier page beside the new table, and the earlier manifest,
    which then refused every later run into the folder (the table was not the one it
    listed)."""
    from click.testing import CliRunner

    from modeller import folders, timeline_write
    from modeller.cli import main

    args = ["timeline", "land-swap", "--baselines", "contact-line", "-o", str(tmp_path)]
    assert CliRunner().invoke(main, [*args, "-f", "json"]).exit_code == 0
    real = timeline_write.write_table

    def renamed_then_interrupted(*a, **k):
        real(*a, **k)
        raise KeyboardInterrupt

    monkeypatch.setattr(timeline_write, "write_table", renamed_then_interrupted)
    result = CliRunner().invoke(main, [*args, "-f", "json"])
    assert result.exit_code == 130, result.output
    assert f"(complete: {tmp_path}/timeline.json; removed the earlier timeline's timeline.html" in (
        " ".join(result.output.split())
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [".modeller-timeline", "timeline.json"]
    assert list(folders.listed(tmp_path, ".modeller-timeline")) == ["timeline.json"]
    monkeypatch.undo()
    again = CliRunner().invoke(main, [*args, "-f", "json"])  # the folder is still its own
    assert again.exit_code == 0, again.output


def test_output_paths_and_titles_are_shown_as_written_not_as_markup_or_emoji(tmp_path):
    """An --out folder 'a:fire:[bold]x[/]' was shown as 'a🔥x', and a title's ':fire:' as
    an emoji in the report: text the user wrote is shown as they wrote it."""
    from click.testing import CliRunner

    from modeller.cli import main

    out = tmp_path / "a:fire:[bold]x[/]"
    args = ["timeline", "land-swap", "--baselines", "contact-line", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{out}/timeline.csv" in result.output and "🔥" not in result.output
    text = (REPO / "scenarios" / "freeze-current-lines.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Freeze on the current lines", 'title: "Burn :fire: now"')
    (tmp_path / "burn.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--no-maps", str(tmp_path / "burn.yaml")])
    assert result.exit_code == 0, result.output
    assert "Burn :fire: now" in result.output and "🔥" not in result.output


def test_a_missing_baseline_file_is_said_before_the_deepstate_days(tmp_path, monkeypatch):
    """A file in --baselines that is not there was found only after every DeepState day
    had been measured (7 s for the full archive); it is said before any work."""
    from click.testing import CliRunner

    from modeller import timeline_run
    from modeller.cli import main

    def no_work(*args, **kwargs):
        raise AssertionError("the days were measured before the file was checked")

    monkeypatch.setattr(timeline_run, "build_table", no_work)
    for name, said in (("nothere.geojson", "GeoJSON file not found"), ("", "is a folder")):
        spec = str(tmp_path / name) if name else str(tmp_path / "a.gpkg")
        (tmp_path / "a.gpkg").mkdir(exist_ok=True)
        args = ["timeline", "land-swap", "--baselines", f"contact-line,{spec}"]
        result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "t")])
        assert result.exit_code == 2, result.output
        assert said in result.output and "Traceback" not in result.output
        assert not (tmp_path / "t").exists()


def test_the_timeline_names_the_baselines_held_in_steps_read(tmp_path):
    """The pre-2022 baseline a held_in step reads went unnamed among the sources."""
    from click.testing import CliRunner

    from modeller.cli import main

    out = tmp_path / "tl"
    args = ["timeline", "return-to-2022-02-23-lines", "--baselines", "1991", "--out", out]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    head = (out / "timeline.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "1991 internationally recognised borders" in head
    assert "authored approximation from public reporting (geodata/baselines/pre-2022" in head
    page = (out / "timeline.html").read_text(encoding="utf-8")
    assert "geodata/baselines/pre-2022.yaml" in page
    # and under the scenario, which reads it (the sources had not said whose it was)
    section = page.split('id="s-return-to-2022-02-23-lines"')[1].split("</section>")[0]
    assert "Its steps also read: <bdi>pre-2022</bdi> (2022-02-23; <bdi>authored" in section


def test_the_csv_names_which_scenario_reads_a_held_in_file_and_its_date(tmp_path):
    """A held_in step reading the user's own dated file: the CSV's comment lines (which
    JSON and Parquet readers do not see) named neither the file nor its date, so a figure
    read from the CSV could not be traced to the line it was cut by."""
    import json

    from click.testing import CliRunner

    from modeller.cli import main

    ring = [[37.8, 43.0], [42.0, 43.0], [42.0, 53.5], [37.8, 53.5], [37.8, 43.0]]
    feature = {
        "type": "Feature",
        "properties": {"status": "russia"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    line = tmp_path / "my line.geojson"
    doc = {"type": "FeatureCollection", "date": "2025-03-01", "features": [feature]}
    line.write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "east.yaml").write_text(
        "id: east\ntitle: Russia keeps what lies east of a line\nsteps:\n"
        f"  - assign: russia\n    where: {{held_in: {{baseline: '{line}', status: russia}}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "tl"
    args = ["timeline", str(tmp_path / "east.yaml"), "--baselines", "contact-line", "-o", out]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    head = [
        line for line in (out / "timeline.csv").read_text("utf-8").splitlines() if line[:1] == "#"
    ]
    said = [h for h in head if h.startswith("# scenario east reads held_in baseline")]
    assert len(said) == 1, head
    assert "my line.geojson" in said[0] and "(2025-03-01;" in said[0], said


def test_both_csvs_say_what_a_scenarios_own_status_is(tmp_path):
    """Rows named 'dmz' 21 times, and 'Demilitarised free economic zone' nowhere: a data
    desk could not tell what the status is, nor match it to the page's legend. run's CSV
    (and so each page's download) gives a status row's label; the timeline's, a line."""
    from click.testing import CliRunner

    from modeller.cli import main
    from modeller.scenario import load_scenario

    path = REPO / "scenarios" / "draft-20-points-2025-12.yaml"
    label = load_scenario(path).statuses["dmz"].label
    ran = CliRunner().invoke(main, ["run", str(path), "--no-maps", "-f", "csv"])
    assert ran.exit_code == 0, ran.output
    rows = [r for r in csv.DictReader(io.StringIO(ran.stdout)) if r["table"] == "held_scenario"]
    assert {r["status"]: r["name"] for r in rows}["dmz"] == label
    out = tmp_path / "tl"
    args = ["timeline", str(path), "--baselines", "contact-line", "--no-chart", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    head = [x for x in (out / "timeline.csv").read_text("utf-8").splitlines() if x[:1] == "#"]
    assert f"# scenario draft-20-points-2025-12 status dmz: {label}" in head, head


@pytest.mark.parametrize("mode", ["russia", "ukraine"])
def test_the_csv_and_the_page_say_how_the_grey_zone_counts(shared_data, tmp_path, mode):
    """--contested changes the figures (the 'contested' rows go), yet only the JSON and
    the Parquet had said how the grey zone was counted: the CSV and the page say it too."""
    from click.testing import CliRunner

    from modeller.cli import main

    raw = shared_data / "deepstate" / "raw" / "deepstate_raw_20220403T123328Z.geojson"
    out = tmp_path / f"t-{mode}"
    args = ["timeline", "land-swap", "--contested", mode, "--baselines", str(raw), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    said = f"counted as {'Russian' if mode == 'russia' else 'Ukrainian'}-held (--contested {mode})"
    head = [
        line for line in (out / "timeline.csv").read_text("utf-8").splitlines() if line[:1] == "#"
    ]
    assert any("grey zone" in line and said in line for line in head), head
    page = (out / "timeline.html").read_text("utf-8")
    assert said in page.replace("&#39;", "'")


def test_baselines_given_twice_are_both_measured(shared_data, tmp_path):
    """'--baselines RANGE --baselines contact-line' had dropped the range without a word
    (click kept the last): each one given is measured, as if comma-separated."""
    from click.testing import CliRunner

    from modeller.cli import main

    def dates(*specs: str) -> set[str]:
        out = tmp_path / f"t{len(specs)}"
        args = ["timeline", "land-swap", "-o", str(out), "-f", "json"]
        for spec in specs:
            args += ["--baselines", spec]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        rows = json.loads((out / "timeline.json").read_text("utf-8"))["rows"]
        return {r["date"] for r in rows}

    both = dates("deepstate:2025-08-01..2025-08-03", "contact-line")
    assert both == dates("deepstate:2025-08-01..2025-08-03,contact-line")
    assert len(both) == 4 and {"2025-08-01", "2025-08-15"} <= both


def test_an_out_folder_that_cannot_be_made_or_a_bad_grey_zone_mode_is_said_before_any_day(
    tmp_path, monkeypatch
):
    """An --out under a file, or a bad MODELLER_CONTESTED, had been said only after every
    day was measured (minutes for a long range; the mode only where a day had a grey
    zone), where run says both at once."""
    from click.testing import CliRunner

    from modeller import timeline_run
    from modeller.cli import main

    measured = []  # (these baselines are measured the plain way, baseline by baseline)
    real = timeline_run.plain_figures
    monkeypatch.setattr(
        timeline_run, "plain_figures", lambda *a, **k: measured.append(1) or real(*a, **k)
    )
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    args = ["timeline", "land-swap", "--baselines", "contact-line,pre-2022", "--workers", "1"]
    said = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "afile" / "sub")])
    assert said.exit_code != 0 and "a part of the path is a file" in said.output
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine" and not measured
    monkeypatch.setenv("MODELLER_CONTESTED", "maybe")
    said = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert said.exit_code == 2 and "bad MODELLER_CONTESTED 'maybe'" in said.output
    assert not measured and not (tmp_path / "out" / "timeline.csv").exists()
    monkeypatch.delenv("MODELLER_CONTESTED")  # the same command measures and writes
    assert CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")]).exit_code == 0
    assert (tmp_path / "out" / "timeline.csv").stat().st_size > 1000 and len(measured) == 2
