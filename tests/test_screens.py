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
