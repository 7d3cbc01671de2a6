"""Writes that fail: a disk that fills up gives one sentence naming the file, and neither
that nor a signal leaves anything behind (no half file, no hidden temporary, no empty
folder). A real tmpfs of a few dozen KiB stands for the full disk; without the right to
mount one, those tests skip."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from modeller.cli import main

SCENARIO = "id: probe\ntitle: Probe\nsteps:\n  - assign: russia\n    where: {oblast: Donetsk}\n"


@pytest.fixture
def full_disk(tmp_path) -> Path:
    """A folder on a 48 KiB file system: room for small files, not for an export."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if not shutil.which("mount"):
        pytest.skip("no mount command: a full disk cannot be made here")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode:
        pytest.skip(f"cannot mount a small tmpfs here ({made.stderr.decode().strip()})")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _left(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _one_line(result) -> str:
    out = result.output + (result.stderr or "")
    assert "Traceback" not in out, out
    assert result.exit_code == 1, out
    # (progress lines, "timeline: 21 of 61 baselines done", come when the machine is slow)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    lines = [line for line in lines if not re.fullmatch(r"\w+: \d+ of \d+ \w+ done", line)]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "parquet"])
def test_an_export_onto_a_full_disk_names_the_file_and_leaves_nothing(tmp_path, full_disk, fmt):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    target = full_disk / "new" / f"pieces.{fmt}"
    result = CliRunner().invoke(
        main,
        ["run", "-b", "1991", "--no-maps", "--format", fmt, "-O", str(target), str(scenario)],
    )
    line = _one_line(result)
    assert line.startswith(f"error: cannot write {target}: "), line
    assert "No space left on device" in line and "free some space" in line, line
    assert _left(full_disk) == []  # the folder it made for the file is gone too


def test_the_api_raises_the_os_error_of_a_full_disk(full_disk):
    import modeller

    result = modeller.run("full-donbas-withdrawal", baseline="1991")
    with pytest.raises(OSError) as caught:
        result.to_file(full_disk / "pieces.gpkg")
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(full_disk / "pieces.gpkg")
    assert _left(full_disk) == []


def test_a_timeline_onto_a_full_disk_names_the_table_and_leaves_no_folder(shared_data, full_disk):
    out = full_disk / "maps" / "timeline"
    result = CliRunner().invoke(
        main,
        ["timeline", "--baselines", "deepstate:2025-06-01..2025-07-31", "-o", str(out)],
    )
    line = _one_line(result)
    assert line.startswith(f"error: cannot write {out / 'timeline.csv'}: "), line
    assert "No space left on device" in line, line
    assert _left(full_disk) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_a_file_is_written_leaves_no_hidden_temporary(tmp_path, signum):
    """A SIGTERM while the timeline wrote its table left ``.timeline.json.XXXX.tmp`` (up to
    70 MB) beside it; the signal's own exit status is kept. A SIGHUP (a terminal closed,
    an ssh session dropped) had still left it."""
    probe = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from modeller import files, interrupts
        interrupts.install()
        target = Path(sys.argv[1]) / "old.csv"
        target.write_text("the earlier table\\n")
        with files.atomic_path(target) as tmp:
            tmp.write_text("half a new table")
            os.kill(os.getpid(), {int(signum)})
            signal.pause() if hasattr(signal, "pause") else None
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    if signum != signal.SIGINT:  # (Ctrl-C raises KeyboardInterrupt here: no CLI to catch it)
        assert done.returncode == -signum and not done.stderr, done.stderr
    assert _left(tmp_path) == ["old.csv"]  # no hidden .old.csv.XXXX.tmp
    assert (tmp_path / "old.csv").read_text() == "the earlier table\n"


def test_a_hangup_ignored_by_nohup_stays_ignored(tmp_path):
    """Under nohup (SIGHUP ignored), a hangup while a file is written does not end the
    command: the file is written whole."""
    probe = textwrap.dedent(
        """
        import os, signal, sys
        from pathlib import Path
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup starts it
        from modeller import files, interrupts
        interrupts.install()
        target = Path(sys.argv[1]) / "new.csv"
        with files.atomic_path(target) as tmp:
            tmp.write_text("a whole table\\n")
            os.kill(os.getpid(), signal.SIGHUP)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new.csv").read_text() == "a whole table\n"


def test_a_sigterm_while_the_maps_are_written_leaves_no_hidden_folder(tmp_path):
    """A SIGTERM (``timeout``, a cancelled CI job) while a run wrote its map folder left the
    staging folder ``.maps.new-XXXX`` (131 MB) beside it, never removed by later runs."""
    probe = textwrap.dedent(
        """
        import os, signal, sys
        from pathlib import Path
        from modeller import folders, interrupts
        interrupts.install()

        class Page(str):  # the second page's text: the signal comes while it is written
            def encode(self, *args, **kwargs):
                os.kill(os.getpid(), signal.SIGTERM)
                signal.pause()

        site = Path(sys.argv[1]) / "maps"
        site.mkdir()
        (site / "index.html").write_text("the earlier site\\n")
        folders.write_folder(site, {"index.html": "new", "land-swap.html": Page("x")})
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGTERM and not done.stderr, done.stderr
    assert _left(tmp_path) == ["maps", "maps/index.html"]  # no hidden .maps.new-XXXX
    assert (tmp_path / "maps" / "index.html").read_text() == "the earlier site\n"


def test_a_refused_write_suggests_only_options_the_command_has():
    """The timeline's permission error had suggested '-O file', an option it lacks."""
    import errno

    from modeller.failures import environment_message

    refused = PermissionError(errno.EACCES, "Permission denied", "/ro/maps")
    assert environment_message(refused, "run").endswith("another --out folder or -O file)")
    assert environment_message(refused, "timeline").endswith("another --out folder)")
    assert environment_message(refused, "validate").endswith("no permission; write elsewhere)")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["validate", "--help"]])
def test_help_to_a_full_disk_is_one_line_without_traceback(args):
    """``modeller --help > /dev/full`` ended in click's traceback: help and the version are
    printed while the arguments are read, before a command's own guard."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "modeller", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr == (
        "error: cannot write: No space left on device (free some space, or write elsewhere)\n"
    )


@pytest.fixture
def locked_parent(tmp_path) -> Path:
    """A folder the user may write in, inside one they may not (a site in /var/www/html)."""
    import os

    parent = tmp_path / "parent"
    (parent / "maps").mkdir(parents=True)
    if os.geteuid() == 0:  # root writes anywhere but in an immutable folder
        if not shutil.which("chattr"):
            pytest.skip("running as root without chattr: no folder is closed to root")
        made = subprocess.run(["chattr", "+i", str(parent)], capture_output=True)
        if made.returncode:
            pytest.skip(f"cannot make a folder immutable here ({made.stderr.decode().strip()})")
        yield parent / "maps"
        subprocess.run(["chattr", "-i", str(parent)], check=False)
    else:
        parent.chmod(0o555)
        yield parent / "maps"
        parent.chmod(0o755)


def test_maps_go_into_a_writable_folder_whose_parent_is_not(locked_parent):
    """The site was written beside its folder and swapped in: a folder the user may write
    in, inside one they may not, was refused ("Operation not permitted") though every
    file could be written; the files go in one by one there, and a second run replaces
    them."""
    for _ in range(2):
        result = CliRunner().invoke(
            main, ["run", "land-swap", "--no-images", "--out", str(locked_parent)]
        )
        assert result.exit_code == 0, result.output
        assert {"index.html", "land-swap.html"} <= {p.name for p in locked_parent.iterdir()}
    assert not [p for p in locked_parent.parent.iterdir() if p.name != "maps"]


def test_ctrl_c_dropped_in_a_destructor_still_ends_the_command():
    """Ctrl-C that came while a destructor ran (numpy's NpzFile.__del__ in a timeline) was
    dropped by Python ("Exception ignored in ..."): the timeline finished and ended with
    status 0. The interrupt is raised again when its block ends."""
    probe = textwrap.dedent(
        """
        import os, signal
        from modeller import interrupts
        interrupts.install()

        class Closing:
            def __del__(self):
                os.kill(os.getpid(), signal.SIGINT)  # arrives while this runs

        try:
            with interrupts.cleanup_on_interrupt():
                Closing()
                print("the block ran on")
            print("not reached")
        except KeyboardInterrupt:
            # a later block (removing what an earlier run wrote, as the timeline does
            # after Ctrl-C) ends as it should: the interrupt came before it
            with interrupts.cleanup_on_interrupt():
                pass
            print("a later block ends")
            raise
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "the block ran on" in done.stdout and "not reached" not in done.stdout
    assert "a later block ends" in done.stdout
    assert "Exception ignored" in done.stderr  # (Python's own line for the dropped one)
    assert done.stderr.rstrip().endswith("KeyboardInterrupt"), done.stderr
    assert done.returncode != 0


def test_sigterm_ends_a_command_at_once_unless_a_temporary_is_to_be_removed():
    """A Python SIGTERM handler runs only between native calls: a run inside a long GEOS
    overlay kept going 46 s after ``timeout``'s SIGTERM. The handler is set only while a
    temporary file or folder is to be removed; otherwise the default ends the process."""
    probe = textwrap.dedent(
        """
        import signal
        from modeller import interrupts
        interrupts.install()
        states = [signal.getsignal(signal.SIGTERM) is signal.SIG_DFL]
        with interrupts.removed_on_exit("/nonexistent/tmp"):
            states.append(signal.getsignal(signal.SIGTERM) is interrupts._on_sigterm)
            with interrupts.removed_on_exit("/nonexistent/tmp2"):
                pass
            states.append(signal.getsignal(signal.SIGTERM) is interrupts._on_sigterm)
        states.append(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)
        print(states)
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[True, True, True, True]", done.stdout + done.stderr


def test_a_timeline_stopped_by_a_full_disk_leaves_no_old_page_and_blocks_no_rerun(
    shared_data, tmp_path, monkeypatch
):
    """The table was written, then the disk was full for the page: the new table stood
    beside the old page, unlisted, and the next run refused it as 'not a file modeller
    wrote'."""
    from modeller import timeline_table

    out = tmp_path / "tl"
    one = ["timeline", "land-swap", "--baselines", "deepstate:2025-07-01", "-o", str(out)]
    first = CliRunner().invoke(main, one)
    assert first.exit_code == 0, first.output
    assert (out / "timeline.html").exists()
    writes = timeline_table.write_text

    def full(path, text):
        if Path(path).name == "timeline.html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return writes(path, text)

    monkeypatch.setattr(timeline_table, "write_text", full)
    days = [*one[:3], "deepstate:2025-07-01..2025-07-03", *one[4:]]
    second = CliRunner().invoke(main, days)
    assert second.exit_code == 1 and "No space left on device" in second.stderr, second.output
    assert b",2025-07-03," in (out / "timeline.csv").read_bytes()  # the new table, written
    assert not (out / "timeline.html").exists()  # the earlier page went with its table
    monkeypatch.setattr(timeline_table, "write_text", writes)
    third = CliRunner().invoke(main, one)
    assert third.exit_code == 0, third.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".modeller-timeline",
        "timeline.csv",
        "timeline.html",
    ]


def test_a_timeline_removes_the_temporaries_a_killed_one_left(shared_data, tmp_path):
    """A SIGKILL while the table was written left '.timeline.csv.XXXXXXXX.tmp' (up to a
    table's size) through every later run into the folder."""
    out = tmp_path / "tl"
    out.mkdir()
    left = [out / ".timeline.csv.k2j4x9ab.tmp", out / ".timeline.html.q0w9e8r7.tmp"]
    hours_ago = time.time() - 2 * 3600
    for path in left:
        path.write_text("half a table")
        os.utime(path, (hours_ago, hours_ago))
    mine = [out / ".timeline.csv.notes", out / "timeline.csv.k2j4x9ab.tmp"]  # not its names
    mine.append(out / ".timeline.html.draft_v2.tmp.html")  # (a draft of the user's)
    mine.append(out / ".timeline.csv.x7y6z5w4.tmp")  # written to now: another command's
    for path in mine:
        path.write_text("the user's")
    os.utime(mine[2], (hours_ago, hours_ago))
    args = ["timeline", "land-swap", "--baselines", "deepstate:2025-07-01", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert not any(p.exists() for p in left)
    assert all(p.read_text() == "the user's" for p in mine)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_figures_to_a_full_standard_output_say_it_was_standard_output(fmt):
    """``modeller run ... > /dev/full`` said 'cannot write: No space left on device',
    naming nothing: the figures' standard output is named."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "modeller", "run", "land-swap", "--no-maps", "-f", fmt],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    said = done.stderr.strip().splitlines()[-1]
    assert said.startswith("error: cannot write standard output: No space left on device"), said
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args", [["-o", "maps-here", "--no-images"], ["--no-maps", "-f", "json", "-O", "x.json"]]
)
def test_a_deleted_current_folder_is_said_and_absolute_paths_still_work(tmp_path, args):
    """From a folder deleted under the shell, the maps step said only 'cannot write: No
    such file or directory' (with an absolute -o too) and wrote nothing."""
    gone = tmp_path / "gone"
    gone.mkdir()
    script = textwrap.dedent(
        f"""
        import os, sys
        os.chdir({str(gone)!r}); os.rmdir({str(gone)!r})
        from modeller.cli import main
        sys.argv = ["modeller", "run", "land-swap", *sys.argv[1:]]
        main()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert "the current folder no longer exists" in done.stderr, done.stderr
    assert "absolute paths" in done.stderr and "Traceback" not in done.stderr
    absolute = [str(tmp_path / a) if a in ("maps-here", "x.json") else a for a in args]
    gone.mkdir()  # (the first run's script removed it)
    done = subprocess.run(
        [sys.executable, "-c", script, *absolute], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ("maps-here/index.html" if "-o" in args else "x.json")).is_file()


def test_a_sigterm_as_the_temporary_file_is_made_leaves_no_hidden_file(tmp_path):
    """A SIGTERM between the temporary file's creation and the start of its protection
    left a hidden '.p.json.*.tmp' beside the output (seen under `timeout`)."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from modeller import files, interrupts
        interrupts.install()
        real = os.close
        def close(fd):  # the signal comes just after the temporary file is made
            real(fd)
            os.kill(os.getpid(), signal.SIGTERM)
        os.close = close
        with files.atomic_path(Path({str(tmp_path / "p.json")!r})) as tmp:
            tmp.write_text("{{}}")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode != 0  # (ended by the signal)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_killed_writes_hidden_temporaries_are_swept_by_the_next_write(tmp_path):
    """A SIGKILL (or a power cut) while writing leaves what nothing could remove: the maps
    folder's staging copy ('.maps.new-80j5hgmg', 1.2 MB) and an output's temporary
    ('.p.gpkg.k2j4x9ab.tmp.gpkg'); later runs left them for ever. The next write to the
    same place removes those untouched for an hour, and no other file."""
    from modeller import files, folders

    old = time.time() - 2 * files.LEFT_S
    staging = tmp_path / ".maps.new-80j5hgmg"
    (staging / "sub").mkdir(parents=True)
    (staging / "sub" / "page.html").write_text("half")
    fresh = tmp_path / ".maps.new-abcd1234"
    fresh.mkdir()
    mine = tmp_path / ".maps.new-mine"  # not eight letters: not ours
    mine.mkdir()
    temp = tmp_path / ".p.gpkg.k2j4x9ab.tmp.gpkg"
    temp.write_text("half")
    other = tmp_path / ".p.gpkg.notours.tmp.gpkg"
    other.write_text("keep")
    for p in (staging / "sub" / "page.html", staging / "sub", staging, temp, mine, other):
        os.utime(p, (old, old))
    folders.write_folder(tmp_path / "maps", {"index.html": "<p>site</p>"})
    with files.atomic_path(tmp_path / "p.gpkg", ".tmp.gpkg") as tmp:
        tmp.write_text("new")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["maps", fresh.name, mine.name, other.name, "p.gpkg"]), names
