"""Where run writes: rich's console on a terminal, a plain writer elsewhere. The plain one
must be chosen exactly when rich would not see a terminal, and must lose nothing."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from modeller import screens


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
@pytest.mark.parametrize("compatible", [None, "", "0", "1", "yes"])
@pytest.mark.parametrize("force", [None, "", "0", "1"])
def test_a_terminal_is_what_rich_takes_for_one(monkeypatch, tty, compatible, force):
    for name, value in (("TTY_COMPATIBLE", compatible), ("FORCE_COLOR", force)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    stream = _Stream(tty)
    assert screens.is_terminal(stream) == Console(file=stream).is_terminal


class _Gone(io.StringIO):
    """A pipe whose reader has gone."""

    def write(self, text: str) -> int:
        raise BrokenPipeError


def test_messages_to_a_closed_pipe_are_dropped_and_figures_stop_the_report():
    quiet = screens.Plain(_Gone(), closed="quiet")
    quiet.print("warning: one")
    quiet.print("warning: two")  # (no second error: the rest is dropped)
    assert quiet.quiet
    with pytest.raises(BrokenPipeError):
        screens.Plain(_Gone(), closed="raise").print("figures")


def test_plain_lines_are_the_text_itself_one_a_line():
    out = io.StringIO()
    plain = screens.Plain(out)
    plain.print("warning: [bold]x[/] :fire: \\[", style="yellow", highlight=False)
    plain.print("second")
    assert out.getvalue() == "warning: [bold]x[/] :fire: \\[\nsecond\n"
    with pytest.raises(ValueError, match="markup=False"):
        plain.print("x", markup=True)
    with plain.status("drawing"):  # nothing shown off a terminal
        pass
    assert out.getvalue().count("\n") == 2


class _Full(io.StringIO):
    """A disk with no space left (/dev/full)."""

    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


def test_messages_to_a_full_disk_are_dropped_and_the_figures_still_go_out(tmp_path):
    """With stderr on /dev/full the first warning had ended the run, status 1, before
    its figures; messages are dropped now, and the figures written."""
    quiet = screens.Plain(_Full(), closed="quiet")
    quiet.print("warning: one")
    assert quiet.quiet
    with pytest.raises(OSError):
        screens.Plain(_Full(), closed="raise").print("figures")
    import subprocess
    import sys
    from pathlib import Path

    scenario = tmp_path / "w.yaml"
    scenario.write_text(
        "id: warned\ntitle: Warned\nsteps:\n"
        + "  - assign: russia\n    where: {oblast: Donetsk}\n" * 2,  # (step 2: a warning)
        encoding="utf-8",
    )
    args = ["run", str(scenario), "-b", "contact-line", "--no-maps"]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "modeller", *args],
            stdout=subprocess.PIPE,
            stderr=full,
            cwd=Path(__file__).resolve().parent.parent,
        )
    assert done.returncode == 0
    assert b"Warned (warned)" in done.stdout and b"Comparison" in done.stdout


def _on_terminal(args: list[str], columns: str, size: int) -> list[str]:
    """The lines a person sees when ``modeller ARGS`` runs in a terminal ``size`` columns
    wide with COLUMNS set to ``columns`` (escape codes taken out)."""
    import fcntl
    import os
    import pty
    import re
    import struct
    import subprocess
    import sys
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, size, 0, 0))
    env = {**os.environ, "COLUMNS": columns, "TERM": "xterm"}
    for name in ("TTY_COMPATIBLE", "FORCE_COLOR", "NO_COLOR"):
        env.pop(name, None)
    child = subprocess.Popen(
        [sys.executable, "-m", "modeller", *args], stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child is gone and the terminal closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert child.wait(timeout=60) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode()).replace("\r\n", "\n")
    lines = [line.split("\r")[-1].rstrip() for line in text.split("\n")]
    return [line for line in lines if not re.search("[\u2800-\u28ff]", line)]  # spinner


@pytest.mark.parametrize("columns, width", [("0", 100), ("1", screens.NARROWEST)])
def test_a_terminal_said_to_be_0_or_1_columns_wide_is_still_laid_out_readably(columns, width):
    """COLUMNS=0 ("unknown") had laid run's figures out a character a line on a terminal:
    0 is the terminal's own width, and a width below NARROWEST is NARROWEST."""
    lines = _on_terminal(["run", "land-swap", "--no-maps"], columns, 100)
    rules = [line for line in lines if line.startswith("─")]  # the scenario's title rule
    assert rules and {len(r) for r in rules} == {width}
    summary = lines[lines.index(rules[0]) + 1 :][:3]  # the scenario's summary: wrapped
    assert all(0 < len(line) <= width for line in summary), summary
    words = [line for line in lines if line.strip()]
    assert sum(len(line.strip()) == 1 for line in words) == 0, words[:10]
    assert any("Land swap" in line for line in lines)


@pytest.mark.parametrize("columns", ["\u00b2", "\u0663", "0", "-1", "abc"])
def test_columns_that_are_no_width_end_in_no_traceback(columns):
    """COLUMNS='²' (a digit to str.isdigit, not to int) had ended every command printing
    through rich with a ValueError traceback, piped or not."""
    import os
    import subprocess
    import sys

    for args in (["scenarios"], ["run", "land-swap", "--no-maps"]):
        done = subprocess.run(
            [sys.executable, "-m", "modeller", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": columns},
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-500:]
