"""Hostile and unusual input: one clear line and exit 2, never a traceback, hang or silent answer.

Each case writes a bad file (or passes a bad option), runs the CLI in-process with click's
CliRunner, and asserts: exit status 2 (1 for the machine refusing to write), exactly one
line on stderr naming the file (or option) and the problem, and no traceback. Only
Ctrl-C needs a real process. FIFOs and device links are refused before they are opened,
so those cases cannot hang; a watchdog fails any case that takes more than 60 s.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import modeller
from modeller.cli import main

REPO = Path(__file__).resolve().parent.parent
HEAD = "id: probe\ntitle: Probe\n"
STEP = "steps:\n  - assign: russia\n    where: {oblast: Donetsk}\n"
# a split of Zaporizhzhia whose first line point is {between: POINTS}
SPLIT = (
    "{split: {oblast: [Zaporizhzhia], line: [{between: POINTS}, [36.25, 47.48]], keep: Melitopol}}"
)
BOX = [[37.0, 47.5], [38.0, 47.5], [38.0, 48.5], [37.0, 48.5], [37.0, 47.5]]


def cli(*args, env: dict | None = None, timeout: float = 60):
    """Run the CLI in-process; fail (rather than hang the suite) after ``timeout`` seconds."""
    result: list = []
    worker = threading.Thread(
        target=lambda: result.append(CliRunner().invoke(main, [str(a) for a in args], env=env)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout)
    assert result, f"modeller {' '.join(map(str, args))[:200]} hung for {timeout} s"
    return result[0]


def assert_clean_error(result, *fragments: str, status: int = 2) -> str:
    """Exit ``status``, one line on stderr containing every fragment, no traceback."""
    out = result.output + (result.stderr or "")
    assert "Traceback" not in out, out
    assert result.exit_code == status, out
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def write(folder: Path, text: str, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def write_bytes(folder: Path, data: bytes, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def where_line(path: Path) -> int:
    """The line of a scenario file's first step's ``where`` (errors of a step name it)."""
    return 1 + [n for n, t in enumerate(path.read_text().splitlines()) if "where:" in t][0]


def polygon_scenario(folder: Path, polygon_file: str) -> Path:
    return write(
        folder,
        HEAD + f"steps:\n  - assign: russia\n    where: {{polygon: {{file: {polygon_file}}}}}\n",
    )


RAW_STYLE = {"fill": "#a52714", "styleUrl": "#poly-A52714"}  # a feature of a raw DeepState dump


def fc(*geometries, properties=None) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": properties or {}, "geometry": g} for g in geometries
        ],
    }


# --- 1. scenario YAML: characters, nesting, numbers, dates, text -------------------------

YAML_CASES = [
    # (id, file bytes, line, fragments of the message)
    # explicit tags bring back YAML 1.1's constructors: '!!float ""' had ended in a
    # traceback (IndexError), '!!bool "15"' in a KeyError, '!!timestamp x' in an
    # AttributeError, and '!!float 1:30' had run as a 90 km band
    *(
        (
            f"tag-{tag}-{n}",
            (HEAD + STEP.replace("{oblast: Donetsk}", f"{{band: {{km: !!{tag} {v}}}}}")).encode(),
            5,
            [f"YAML tags such as !!{tag} are not read in scenarios", "write the value itself"],
        )
        for n, (tag, v) in enumerate(
            [("float", '""'), ("bool", '"15"'), ("timestamp", "garbage"), ("float", "1:30")]
            + [("int", "0x1F"), ("float", "1_5")]
        )
    ),
    (  # after a byte order mark: the offset and the byte shown had been 3 short
        "bom-then-latin-1",
        b"\xef\xbb\xbf" + (HEAD + "summary: Caf\xe9\n").encode("latin-1"),
        3,
        ["not UTF-8 text (byte 0xe9 at offset 38;"],
    ),
    (  # old Mac line ends (a lone CR): the line had been 1
        "cr-line-ends",
        (HEAD + "summary: x\rnote: a\x01b\r").replace("\n", "\r").encode(),
        4,
        ["control character U+0001"],
    ),
    (  # each band draws a zone: 1,000 different ones had run for minutes, unsaid
        "seventeen-bands",
        (
            HEAD
            + "steps:\n"
            + "".join(
                f"  - assign: russia\n    where: {{band: {{km: {k + 1}, side: ukraine}}}}\n"
                for k in range(17)
            )
        ).encode(),
        37,  # (the seventeenth step's 'where')
        ["more than 16 different bands (depth and side) by this step"],
    ),
    (
        "a-million-steps",  # (checked before they are built: 29 s and 3 GB had gone first)
        (HEAD + "steps:\n" + "  - {}\n" * 200_000).encode(),
        3,
        ["200,000 steps; a scenario may have at most 1,000"],
    ),
    ("nul", (HEAD + "summary: a\x00b\n").encode(), 3, ["control character U+0000"]),
    ("escape", (HEAD + "summary: \x1b[31mred\n").encode(), 3, ["control character U+001B"]),
    ("bell", (HEAD + "title2: \x07\n").encode(), 3, ["control character U+0007"]),
    ("c1-control", (HEAD + "summary: a\u0085b\n").encode(), 3, ["control character U+0085"]),
    ("flow-nesting", (HEAD + "steps: " + "[" * 5000 + "]" * 5000 + "\n").encode(), 3, ["nested"]),
    (
        "block-nesting",
        (HEAD + "x:\n" + "".join("  " * i + "- \n" for i in range(1, 400))).encode(),
        63,  # the line that goes one level too deep
        ["nested more than 60 levels deep", "remove the extra nesting"],
    ),
    ("huge-int", (HEAD + "summary: " + "9" * 5000 + "\n").encode(), 3, ["5,000 digits"]),
    ("not-utf8", (HEAD + "summary: caf\xe9\n").encode("latin-1"), 3, ["not UTF-8", "0xe9"]),
    ("empty", b"", 1, ["the file is empty"]),
    ("only-comments", b"# nothing here\n", 1, ["the file is empty"]),
    ("a-list", b"- id: x\n", 1, ["expected a mapping"]),
    (
        "python-tag",
        (HEAD + "summary: !!python/object:os.system ls\n").encode(),
        3,
        ["YAML tags such as !!python/object:os.system are not read"],
    ),
    ("tab-indent", (HEAD + "steps:\n\t- assign: russia\n").encode(), 4, ["invalid YAML"]),
    ("unclosed-quote", (HEAD + 'summary: "abc\n').encode(), None, ["invalid YAML"]),
    # written as escapes, control characters would reach pages (an SVG with one is not XML)
    ("escaped-esc", (HEAD + 'summary: "\\e[31mred"\n').encode(), 3, ["U+001B in a value"]),
    (
        "escaped-cr",
        (HEAD + 'steps: [{assign: russia, where: {oblast: "Don\\retsk"}}]\n').encode(),
        3,
        ["U+000D in a value"],
    ),
    (
        "escaped-bidi",
        (HEAD + 'summary: "a \\u202eb"\n').encode(),
        3,
        ["bidirectional control character U+202E in a value"],
    ),
    ("raw-bidi-key", (HEAD + "x\u2066y: 1\n").encode(), 3, ["U+2066"]),
    # invisible: two titles that looked the same had differed, in every output
    (
        "zero-width",
        (HEAD + "summary: a\ufeffb\n" + STEP).encode(),
        3,
        ["invisible character U+FEFF"],
    ),
    (
        "rtl-mark",
        (HEAD + 'summary: "a \\u200fb"\n' + STEP).encode(),
        3,
        ["U+200F (right-to-left mark)"],
    ),
    ("tag-char", (HEAD + "summary: a\U000e0041\n" + STEP).encode(), 3, ["U+E0041", "remove it"]),
    (
        "long-id",
        ("id: " + "a" * 251 + "\ntitle: Probe\n" + STEP).encode(),
        1,
        ["id is 251 characters long", "80 or fewer"],
    ),
    (  # 3,000 characters had crashed the map images (a negative width)
        "long-title",
        ("id: probe\ntitle: " + "Word " * 600 + "\n" + STEP).encode(),
        2,
        ["too long (2,999 characters)", "200 characters or fewer", "(at title)"],
    ),
    (
        "long-label",
        (HEAD + "statuses:\n  zone: {label: " + "L" * 81 + ", colour: '#1a2b3c'}\n" + STEP)
        .replace("assign: russia", "assign: zone")
        .encode(),
        4,
        ["too long (81 characters)", "80 characters or fewer", "(at statuses.zone.label)"],
    ),
    # base64 is plain text to the control-character check, but decodes to ESC [31m
    ("binary", (HEAD + "summary: !!binary G1szMW0=\n" + STEP).encode(), 3, ["!!binary"]),
    ("number-key", (HEAD + STEP + "1: x\n").encode(), 6, ["key '1' reads as a number"]),
    (  # "found character that cannot start any token": the tab was not named
        "tab-indent",
        (HEAD + STEP.replace("\n  ", "\n\t", 1)).encode(),
        HEAD.count("\n") + 2,
        ["a tab: YAML indents with spaces only"],
    ),
    ("null-key", (HEAD + STEP + "~: x\n").encode(), 6, ["key '~' reads as empty"]),
    # keys named like the tags pydantic puts in its error locations are the user's keys
    ("key-named-str", (HEAD + "str: 1\n" + STEP).encode(), 3, ["unknown key 'str'"]),
    (
        "selector-key-named-int",
        (HEAD + STEP.replace("{oblast: Donetsk}", "{oblast: Donetsk, int: 5}")).encode(),
        5,
        ["unknown key 'int' (at steps.1.where.int)", "valid keys here: oblast"],
    ),
    (
        "status-named-int",
        (HEAD + 'statuses:\n  int: {label: x, colour: "#00000"}\n' + STEP).encode(),
        4,
        ["(at statuses.int.colour)"],
    ),
    (
        "hex-km",
        (HEAD + STEP.replace("{oblast: Donetsk}", "{near: {place: Slovyansk, km: 0x1F}}")).encode(),
        5,
        ["'0x1F' is not a number"],
    ),
    (
        "sexagesimal-km",
        (HEAD + STEP.replace("{oblast: Donetsk}", "{near: {place: Slovyansk, km: 1:30}}")).encode(),
        5,
        ["'1:30' is not a number"],
    ),
    (  # ("write digits without quotes" had been said of a value nobody quoted)
        "octal-km",
        (HEAD + STEP.replace("{oblast: Donetsk}", "{near: {place: Slovyansk, km: 0o17}}")).encode(),
        5,
        ["'0o17' is not a number; write plain decimal digits, not in quotes, e.g. 20"],
    ),
    (  # an unquoted "Name, Oblast": the oblast read as a key of its own
        "place-oblast-unquoted",
        (
            HEAD + STEP.replace("{oblast: Donetsk}", "{near: {place: Pokrovsk, Donetsk, km: 5}}")
        ).encode(),
        5,
        ["unknown key 'Donetsk'", "quote both, place: 'Name, Oblast'"],
    ),
]


@pytest.mark.parametrize(
    "where", ["{near: {place: LONG, km: 5}}", "{band: {km: LONG}}"], ids=["place", "km"]
)
def test_a_long_value_is_echoed_cut(tmp_path, where):
    """An unknown place of 200,000 letters, or a km of as many, was echoed whole: a
    200 kB error line."""
    body = HEAD + STEP.replace("{oblast: Donetsk}", where.replace("LONG", "x" * 200_000))
    said = assert_clean_error(cli("validate", write(tmp_path, body)), "x" * 40 + "…")
    assert len(said) < 1_000


def test_a_bare_equals_sign_or_double_angle_is_text_as_in_yaml_1_2(tmp_path):
    """'title: =' and 'summary: <<' had been refused as "could not determine a constructor
    for the tag ...:value" (YAML 1.1's value and merge tags)."""
    from modeller.scenario import load_scenario

    sc = load_scenario(write(tmp_path, "id: probe\ntitle: =\nsummary: <<\nsteps: []\n"))
    assert (sc.title, sc.summary) == ("=", "<<")


def test_yaml_reads_numbers_and_booleans_as_yaml_1_2_does(tmp_path):
    """017 is 17 (YAML 1.1 read it as octal 15), and yes/no/on/off are words, not booleans;
    markdown underlines and brackets in notes or comments are not nesting."""
    from modeller.scenario import load_scenario

    near = "{near: {place: Kramatorsk, km: 017}}"
    body = HEAD.replace("Probe", "yes") + STEP.replace("{oblast: Donetsk}", near)
    body += "notes: |\n  Heading\n  " + "-" * 200 + "\n  " + "[" * 100 + "\n"
    body += "# " + "[" * 100 + "\n"
    sc = load_scenario(write(tmp_path, body))
    assert sc.title == "yes"
    assert sc.steps[0].where.near.km == 17


@pytest.mark.parametrize("name, data, line, fragments", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_hostile_yaml_is_one_clear_error(tmp_path, name, data, line, fragments):
    path = write_bytes(tmp_path, data)
    where = f"{path}:{line}: " if line else f"{path}"
    assert_clean_error(cli("validate", path), where, *fragments)


VALUE_CASES = [
    # (id, scenario body after id/title, line, fragments)
    (
        "held-in-status",
        STEP.replace("{oblast: Donetsk}", "{held_in: {baseline: pre-2022, status: martians}}"),
        5,
        ["unknown status 'martians'", "valid: ukraine, russia", "a baseline holds only these"],
    ),
    (
        "polygon-file-and-geojson",
        STEP.replace(
            "{oblast: Donetsk}",
            "{polygon: {file: nope.geojson, geojson: {type: Polygon, coordinates: []}}}",
        ),
        5,
        ["exactly one of 'file' or 'geojson', not both"],
    ),
    (
        "km-true",
        STEP.replace("{oblast: Donetsk}", "{near: {place: Kyiv, km: true}}"),
        5,
        ["true is not a number"],
    ),
    (
        "km-quoted",
        STEP.replace("{oblast: Donetsk}", "{band: {km: '20'}}"),
        5,
        ["'20' is not a number"],
    ),
    (  # pydantic's own "Input should be a valid number (got None)" had come through
        "km-empty",
        STEP.replace("{oblast: Donetsk}", "{near: {place: Kyiv, km: }}"),
        5,
        ["the value is empty; write a number, e.g. 20 (at steps.1.where.near.km)"],
    ),
    (
        "place-quoted-numbers",
        STEP.replace("{oblast: Donetsk}", "{near: {place: ['30', '48'], km: 5}}"),
        5,
        ["coordinates must be numbers without quotes"],
    ),
    (
        "place-as-quoted-lon-lat",
        STEP.replace("{oblast: Donetsk}", "{near: {place: '37.1, 48.3', km: 5}}"),
        5,
        ["'37.1, 48.3' is text, read as a place name", "write [lon, lat] without quotes"],
    ),
    (
        "place-as-lon-lat-without-space",
        STEP.replace("{oblast: Donetsk}", "{near: {place: '37,48', km: 5}}"),
        5,
        ["'37,48' is text, read as a place name"],
    ),
    (
        "oblast-with-zero-width-space",
        STEP.replace("{oblast: Donetsk}", '{oblast: "Done\\u200btsk"}'),
        5,
        ["unknown oblast", "invisible U+200B Zero Width Space at character 5: delete it"],
    ),
    (
        "oblast-with-a-cyrillic-o",
        STEP.replace("{oblast: Donetsk}", "{oblast: D\u043enetsk}"),
        5,
        ["its character 2 is U+043E Cyrillic Small Letter O among Latin letters"],
    ),
    (
        "place-with-soft-hyphen",
        STEP.replace("{oblast: Donetsk}", '{near: {place: "Kramatorsk\\u00ad", km: 3}}'),
        5,
        ["invisible U+00AD Soft Hyphen at character 11", "did you mean 'Kramatorsk'"],
    ),
    (  # a line point {between: ...} with a bad place had been told it "should be a place
        # name, [lon, lat] or {between: [place, place]}", which it was
        "between-unknown-place",
        STEP.replace("{oblast: Donetsk}", SPLIT.replace("POINTS", "[Tokmakk, [35.28, 47.44]]")),
        5,
        ["unknown place 'Tokmakk'", "did you mean 'Tokmak'", "(at steps.1.where.split.line.1"],
    ),
    (
        "between-one-place",
        STEP.replace("{oblast: Donetsk}", SPLIT.replace("POINTS", "[Tokmak]")),
        5,
        ["between takes two places (or [lon, lat] points), got 1"],
    ),
    (
        "between-three-places",
        STEP.replace("{oblast: Donetsk}", SPLIT.replace("POINTS", "[Tokmak, Tokmak, Tokmak]")),
        5,
        ["between takes two places (or [lon, lat] points), got 3"],
    ),
    (  # YAML breaks lines at U+2028: every line number after it had been one too high
        "line-separator-raw",
        'summary: "a\u2028b"\n' + STEP,
        3,
        ["control character U+2028 in the file"],
    ),
    (
        "line-separator-escaped",
        'summary: "a\\u2028b"\n' + STEP,
        3,
        ["control character U+2028 in a value"],
    ),
    (  # a 4 MB summary had taken 19 s and been printed whole to the terminal
        "summary-too-long",
        "summary: " + "x" * 10_001 + "\n" + STEP,
        3,
        ["too long (10,001 characters): at most 10,000 characters", "(at summary)"],
    ),
    (
        "step-note-too-long",
        STEP + "    note: " + "x" * 10_001 + "\n",
        6,
        ["too long (10,001 characters)", "(at steps.1.note)"],
    ),
    (  # Python's word for an empty value had been shown: "(got None)"
        "assign-empty",
        STEP.replace("assign: russia", "assign:"),
        4,
        ["'assign' should be one status name, e.g. russia (the value is empty)"],
    ),
    (  # a mistyped key had been told twice: unknown 'plce', and 'place' missing
        "key-typo-once",
        STEP.replace("{oblast: Donetsk}", "{near: {plce: Kyiv, km: 5}}"),
        5,
        ["unknown key 'plce'", "did you mean 'place'"],
    ),
    (
        "between-mistyped",
        STEP.replace(
            "{oblast: Donetsk}",
            SPLIT.replace("between:", "betwen:").replace("POINTS", "[Tokmak, [35.28, 47.44]]"),
        ),
        5,
        ["unknown key 'betwen'", "did you mean 'between'"],
    ),
    ("date-zero", "date: 0\n", 3, ["date 0 must be written YYYY-MM-DD"]),
    ("date-int", "date: 20250815\n", 3, ["must be written YYYY-MM-DD"]),
    (
        "reported-date-zero",
        "reported:\n  - source: FT\n    date: 0\n",
        5,
        ["date 0 must be written YYYY-MM-DD"],
    ),
    ("date-text", "date: last week\n", 3, ["date"]),
    (
        "nan-band",
        STEP.replace("{oblast: Donetsk}", "{band: {km: .nan}}"),
        5,
        ["'km' must be a finite number from 0.1 to 300 (got nan)"],  # what is valid, too
    ),
    (
        "inf-near",
        STEP.replace("{oblast: Donetsk}", "{near: {place: Kyiv, km: .inf}}"),
        5,
        ["'km' must be a finite number from 0.1 to 200 (got inf)"],
    ),
    (
        "huge-km",
        STEP.replace("{oblast: Donetsk}", "{band: {km: " + "9" * 400 + "}}"),
        5,
        ["a number of 400 digits"],
    ),
    (
        "negative-km",
        STEP.replace("{oblast: Donetsk}", "{near: {place: Kyiv, km: -5}}"),
        5,
        ["'km' must be at least 0.1 (got -5)"],
    ),
    (
        "tiny-km",  # ran, listing seven oblasts changing hands with 0 km² and 0 people
        STEP.replace("{oblast: Donetsk}", "{band: {km: 1.0e-9}}"),
        5,
        ["'km' must be at least 0.1 (got 1e-09)"],
    ),
    (
        "far-km",
        STEP.replace("{oblast: Donetsk}", "{near: {place: Kyiv, km: 2000}}"),
        5,
        ["'km' must be at most 200 (got 2000)"],
    ),
    (
        "phase-twice",
        "phases:\n  - id: a\n    title: A\n"
        + STEP.replace("steps:", "    steps:").replace("\n  ", "\n      ")
        + "  - id: a\n    title: B\n"
        + STEP.replace("steps:", "    steps:").replace("\n  ", "\n      "),
        9,
        ["phase id 'a' is given twice (phases 1 and 2)"],
    ),
    (
        "band-side",
        STEP.replace("{oblast: Donetsk}", "{band: {km: 10, side: bothh}}"),
        5,
        ["unknown band side 'bothh'", "valid: both, ukraine, russia"],
    ),
    (
        "relabel-ukraine",
        "statuses:\n  ukraine: {label: Russia, colour: '#ff0000'}\n" + STEP,
        3,
        ["'ukraine' is a built-in status and cannot be redefined"],
    ),
    (
        "relabel-russia",
        "statuses:\n  russia: {label: Ukraine, colour: '#0000ff'}\n" + STEP,
        3,
        ["'russia' is a built-in status"],
    ),
    (
        "relabel-contested",
        "statuses:\n  contested: {label: Ukraine, colour: '#0000ff'}\n" + STEP,
        3,
        ["'contested' is a built-in status"],
    ),
    (
        "bad-status-name",
        "statuses:\n  Bad Name: {label: x, colour: '#000000'}\n" + STEP,
        3,
        ["must be lower_snake_case"],
    ),
    (
        "bad-colour",
        "statuses:\n  dmz: {label: x, colour: red}\n" + STEP,
        4,
        ["pattern", "colour 'red' is not a colour", "e.g. '#7570b3'"],
    ),
    (
        "label-of-a-built-in",  # tables had shown two 'Ukraine' rows
        "statuses:\n  dmz: {label: ' ukraine', colour: '#0000ff'}\n" + STEP,
        3,
        ["status 'dmz' is labelled ' ukraine', which reads as status 'ukraine'", "its own"],
    ),
    (
        "label-with-a-zero-width-space",
        "statuses:\n  dmz: {label: \"U\\u200bkraine\", colour: '#0000ff'}\n" + STEP,
        3,
        ["is labelled 'U\\u200bkraine', which reads as status 'ukraine'"],
    ),
    (  # a Cyrillic а: the tables showed two rows reading "Ukraine", one losing what one gained
        "label-with-a-cyrillic-a",
        "statuses:\n  dmz: {label: \"Ukr\u0430ine\", colour: '#0000ff'}\n" + STEP,
        3,
        ["which reads as status 'ukraine' ('а' is CYRILLIC SMALL LETTER A)"],
    ),
    (  # Greek omicron and rho, capitals: casefolded first
        "label-with-greek-letters",
        "statuses:\n  dmz: {label: \"RUSSIA \u039f\u03a1\", colour: '#0000ff'}\n"
        "  b: {label: \"Russia op\", colour: '#00f0ff'}\n" + STEP,
        3,
        ["status 'b' is labelled 'Russia op', which reads as status 'dmz'"],
    ),
    (
        "label-as-the-built-in-name",  # 'Contested' is the status contested's name
        "statuses:\n  dmz: {label: Contested, colour: '#0000ff'}\n" + STEP,
        3,
        ["is labelled 'Contested', which reads as status 'contested'"],
    ),
    (
        "two-statuses-one-label",
        "statuses:\n  a: {label: Zone, colour: '#0000ff'}\n  b: {label: zone, colour: '#00f0ff'}\n"
        + STEP,
        3,
        ["status 'b' is labelled 'zone', which reads as status 'a'"],
    ),
    (
        "baseline-bad-deepstate-date",
        "baseline: deepstate:2025-02-30\n" + STEP,
        3,
        ["2025-02-30 is not a calendar date"],
    ),
    (
        "baseline-deepstate-typo",
        "baseline: deepstate:2025-8-15\n" + STEP,
        3,
        ["write deepstate:YYYY-MM-DD"],
    ),
    ("baseline-empty", "baseline: ''\n" + STEP, 3, ["empty baseline; valid: 1991"]),
    ("baseline-blank", "baseline: '   '\n" + STEP, 3, ["empty baseline"]),
    (
        "held-in-bad-date",
        STEP.replace("{oblast: Donetsk}", "{held_in: {baseline: deepstate:2025-13-01}}"),
        5,
        ["2025-13-01 is not a calendar date"],
    ),
    (
        "held-in-own",
        STEP.replace("{oblast: Donetsk}", "{held_in: {baseline: deepstate:own}}"),
        5,
        ["fixed baseline", "(valid: 1991, contact-line, pre-2022, deepstate:YYYY-MM-DD, or a"],
    ),
    (  # held_in's list of what is valid had offered deepstate:own, which it then refused
        "held-in-unknown",
        STEP.replace("{oblast: Donetsk}", "{held_in: {baseline: pre2022}}"),
        5,
        [
            "unknown baseline 'pre2022'; valid: 1991, contact-line, pre-2022, deepstate:YYYY-MM-DD,"
            " or a .geojson"
        ],
    ),
    ("unknown-key", "title2: x\n", 3, ["unknown key 'title2'"]),
    ("unknown-long-key", "k" * 1000 + ": x\n", 3, ["unknown key 'kkkk", "…'"]),
    ("duplicate-long-key", ("k" * 900 + ": x\n") * 2, 4, ["duplicate key 'kkkk", "…' (first"]),
    (  # a long status name had been echoed whole too
        "long-status-not-mapping",
        "statuses:\n  " + "s" * 900 + ": 3\n" + STEP,
        4,
        ["status 'ssss", "…' should be a mapping"],
    ),
    (  # a set had read as Python's repr, its hint changing from run to run with its order
        "yaml-set",
        STEP.replace("{oblast: Donetsk}", "{oblast: !!set {Donetsk, Luhansk}}"),
        5,
        ["YAML sets (!!set) are not read: write a plain list"],
    ),
    (
        "yaml-omap",
        STEP.replace("{oblast: Donetsk}", "!!omap [{oblast: Donetsk}]"),
        5,
        ["YAML ordered maps (!!omap) are not read"],
    ),
    (
        "nan-lonlat",
        STEP.replace("{oblast: Donetsk}", "{near: {place: [.nan, 48.0], km: 5}}"),
        5,
        ["not a finite number"],
    ),
    (
        "swapped-lonlat",
        STEP.replace("{oblast: Donetsk}", "{near: {place: [48.5, 37.6], km: 5}}"),
        5,
        ["looks like [lat, lon]", "write [lon, lat]"],
    ),
    (
        "far-lonlat",
        STEP.replace("{oblast: Donetsk}", "{near: {place: [-70.0, 40.0], km: 5}}"),
        5,
        ["far from Ukraine"],
    ),
    (
        "inline-point",
        STEP.replace(
            "{oblast: Donetsk}", "{polygon: {geojson: {type: Point, coordinates: [37.5, 48.0]}}}"
        ),
        None,
        ["a Point has no area"],
    ),
    (
        "long-value",
        STEP.replace("assign: russia", "assign: " + "x" * 5000),
        4,
        ["unknown status 'xxxx"],
    ),
    # a key left without a value had been dropped: the step selected all it would without
    # that key (all of Ukraine held by Ukraine, here), validate said ok
    (
        "empty-key",
        STEP.replace(
            "{oblast: Donetsk}", "\n      oblast:\n        # - Donetsk\n      held_by: ukraine"
        ),
        5,
        ["'oblast' is empty: give it a value, or leave the key out"],
    ),
    (  # had said "key '<<' reads as value of its own kind, not a name"
        "merge-key",
        "steps:\n  - assign: russia\n    where:\n      <<: {oblast: Donetsk}\n",
        6,
        ["YAML merge keys ('<<') are not read: write the keys out"],
    ),
    (  # had asked "did you mean 'Pokrovka', 'Pokrovsk'": the name given, back
        "place-in-another-oblast",
        STEP.replace("{oblast: Donetsk}", "{near: {place: 'Pokrovsk, Lviv', km: 5}}"),
        5,
        ["no place 'Pokrovsk' in Lviv (GeoNames cities500), but in Donetsk"],
    ),
    (
        "empty-near",
        STEP.replace("{oblast: Donetsk}", "{oblast: Donetsk, near: }"),
        5,
        ["'near' is empty"],
    ),
    (
        "empty-split-oblast",
        STEP.replace(
            "{oblast: Donetsk}", "{split: {oblast: , line: [Pokrovsk, Kramatorsk], keep: Donetsk}}"
        ),
        5,
        ["no oblast given: give an oblast name"],  # had said "unknown oblast 'None'"
    ),
]


@pytest.mark.parametrize(
    "name, body, line, fragments", VALUE_CASES, ids=[c[0] for c in VALUE_CASES]
)
def test_bad_values_name_file_line_value_and_fix(tmp_path, name, body, line, fragments):
    path = write(tmp_path, HEAD + body)
    command = (
        ("validate", path) if name != "inline-point" else ("run", "--no-maps", "-b", "1991", path)
    )
    message = assert_clean_error(cli(*command), *fragments)
    assert message.startswith(f"error: {path}:{line}: " if line else f"error: {path}")
    assert len(message) < 600  # a 5,000-character value is shortened, not echoed


def test_an_unquoted_1991_baseline_is_the_1991_spec(tmp_path):
    """'baseline: 1991' (as -b 1991 is written) was refused: 'Input should be a valid
    string (got 1991)'."""
    body = STEP.replace("{oblast: Donetsk}", "{oblast: Donetsk, held_in: {baseline: 1991}}")
    path = write(tmp_path, HEAD + "baseline: 1991\n" + body)
    result = cli("validate", path)
    assert result.exit_code == 0, result.output
    other = write(tmp_path, HEAD + STEP.replace("{oblast: Donetsk}", "{held_in: {baseline: 2025}}"))
    assert_clean_error(cli("validate", other), "unknown baseline '2025'")


def test_a_file_of_thousands_of_problems_lists_the_first_and_counts_the_rest(tmp_path):
    # 20,000 unknown oblasts and 300 unknown places: each would once get its own fuzzy
    # "did you mean" and its own line, and grouping them by location was quadratic
    names = "".join(f"        - Nowhere{i}\n" for i in range(20_000))
    near = "  - assign: ukraine\n    where: {{near: {{place: Nowhereville{}, km: 5}}}}\n"
    places = "".join(near.format(i) for i in range(300))
    path = write(
        tmp_path, HEAD + "steps:\n  - assign: russia\n    where:\n      oblast:\n" + names + places
    )
    result = cli("validate", path, timeout=40)
    assert result.exit_code == 2 and "Traceback" not in result.output + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 21, lines[:3]
    assert lines[0].startswith(f"error: {path}:7: unknown oblast 'Nowhere0'")
    assert lines[1].startswith(f"{path}:8: unknown oblast 'Nowhere1'")
    assert lines[-1] == f"{path}: … and 20,280 more problems"


@pytest.mark.parametrize("title", ["''", "'   '", '"\\t"', '"\\u200b"', '"\\ufeff \\u2060"'])
def test_blank_titles_are_refused(tmp_path, title):
    path = write(tmp_path, f"id: probe\ntitle: {title}\n" + STEP)
    assert_clean_error(cli("validate", path), f"{path}:2: ", "must not be blank")


def test_a_scenario_without_steps_is_refused_and_steps_empty_is_a_freeze(tmp_path):
    """A file of only an id and a title (half written) had run as a freeze on the baseline,
    said only as "0 steps"; 'steps: []' says so on purpose (the shipped freeze)."""
    half = write(tmp_path, HEAD + "summary: to be written\n", "half.yaml")
    assert_clean_error(
        cli("validate", half), f"{half}:1: no 'steps' (or 'phases')", "write 'steps: []'"
    )
    assert cli("run", "--no-maps", "-b", "1991", half).exit_code == 2
    freeze = write(tmp_path, HEAD + "steps: []\n", "freeze.yaml")
    result = cli("validate", freeze)
    assert result.exit_code == 0 and "0 steps" in result.output, result.output
    # a mistyped key is said as that, with its line, not as steps missing
    typo = write(tmp_path, HEAD + STEP.replace("steps:", "step:"), "typo.yaml")
    assert_clean_error(cli("validate", typo), f"{typo}:3: unknown key 'step'", "'steps'")


def test_validate_finds_duplicate_ids_like_run(tmp_path):
    write(tmp_path, "id: same\ntitle: a\nsteps: []\n", "a.yaml")
    write(tmp_path, "id: same\ntitle: b\nsteps: []\n", "b.yaml")
    result = cli("validate", tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path / 'b.yaml'}:1: duplicate scenario id 'same' (also in" in result.stderr
    assert "ok: " in result.output and "Traceback" not in result.output


def test_hidden_yaml_files_in_a_folder_are_skipped(tmp_path):
    write(tmp_path, HEAD + STEP, "visible.yaml")
    write(tmp_path, "this: [is not a scenario\n", ".#visible.yaml")  # an editor's lock file
    write(tmp_path, "id: other\ntitle: x\n", ".hidden.yml")
    result = cli("validate", tmp_path)
    assert result.exit_code == 0, result.output
    assert "visible.yaml" in result.output and ".hidden" not in result.output


# --- 2. what a path is: FIFO, device, link to a device, folder, absurd names, size -------


def _fifo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def _device_link(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.symlink_to("/dev/zero")
    return path


PATH_KINDS = {
    "fifo": (_fifo, "is a FIFO (named pipe), not a regular file"),
    "link-to-dev-zero": (_device_link, "is a device, not a regular file"),
}

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@needs_fifo
@pytest.mark.parametrize("kind", list(PATH_KINDS))
def test_scenario_path_that_is_not_a_regular_file(tmp_path, kind):
    make, expected = PATH_KINDS[kind]
    path = make(tmp_path, "s.yaml")
    for command in (("validate", path), ("run", "--no-maps", "-b", "1991", path)):
        assert_clean_error(cli(*command, timeout=20), f"{path}: ", expected)


@needs_fifo
@pytest.mark.parametrize("kind", list(PATH_KINDS))
def test_polygon_file_that_is_not_a_regular_file(tmp_path, kind):
    make, expected = PATH_KINDS[kind]
    make(tmp_path, "zone.geojson")
    path = polygon_scenario(tmp_path, "zone.geojson")
    assert_clean_error(cli("validate", path, timeout=20), f"{path}:5: ", expected)


@needs_fifo
@pytest.mark.parametrize("kind", list(PATH_KINDS))
def test_baseline_file_that_is_not_a_regular_file(tmp_path, kind):
    make, expected = PATH_KINDS[kind]
    base = make(tmp_path, "base.geojson")
    scenario = write(tmp_path, HEAD + STEP)
    result = cli("run", "--no-maps", "-b", base, scenario, timeout=20)
    assert_clean_error(result, f"{base}: ", expected)


def test_dev_null_as_a_scenario(tmp_path):
    assert_clean_error(cli("validate", "/dev/null"), "/dev/null: ", "is a device")


def test_a_folder_given_as_a_polygon_file(tmp_path):
    (tmp_path / "zone.geojson").mkdir()
    path = polygon_scenario(tmp_path, "zone.geojson")
    assert_clean_error(cli("validate", path), f"{path}:5: ", "is a folder")


LONG = "x" * 5000


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("validate", LONG + ".yaml"), "File name too long"),
        (("run", "--no-maps", "-b", LONG + ".geojson", "scenarios/land-swap.yaml"), "too long"),
        (("validate", "a/" * 3000 + "s.yaml"), "too long"),
    ],
    ids=["scenario", "baseline", "deep-path"],
)
def test_absurdly_long_file_names(args, fragment):
    message = assert_clean_error(cli(*args), fragment)
    assert len(message) < 700


def test_absurdly_long_polygon_file_name(tmp_path):
    path = polygon_scenario(tmp_path, LONG + ".geojson")
    message = assert_clean_error(cli("validate", path), f"{path}:5: ", "polygon file")
    assert len(message) < 700


def test_size_limit_is_clear_and_can_be_raised(tmp_path):
    zone = tmp_path / "zone.geojson"
    zone.write_text(json.dumps(fc({"type": "Polygon", "coordinates": [BOX]})) + " " * 3000)
    path = polygon_scenario(tmp_path, "zone.geojson")
    small = {"MODELLER_MAX_INPUT_MB": "0.001"}
    message = assert_clean_error(
        cli("run", "--no-maps", "-b", "1991", path, env=small), "over the 0.001 MB limit"
    )
    assert "MODELLER_MAX_INPUT_MB=" in message
    result = cli("run", "--no-maps", "-b", "1991", path, env={"MODELLER_MAX_INPUT_MB": "1"})
    assert result.exit_code == 0, result.output


def test_a_huge_or_tiny_size_limit_still_reads_or_refuses_cleanly(tmp_path):
    """A limit past a terabyte means no limit (it overflowed, or read() asked for that
    much memory at once); one below a file's size suggests a limit that would read it."""
    path = write(tmp_path, HEAD + STEP)
    for value in ("1e20", "1e308"):
        result = cli("validate", path, env={"MODELLER_MAX_INPUT_MB": value})
        assert result.exit_code == 0, result.output
    message = assert_clean_error(
        cli("validate", path, env={"MODELLER_MAX_INPUT_MB": "1e-9"}), "kB, over the 1e-09 MB"
    )
    assert "MODELLER_MAX_INPUT_MB=1 to read it" in message


def test_a_reconcile_setting_that_is_not_a_switch_is_refused(monkeypatch):
    """It had read anything but 0/off/no as on."""
    from modeller import settings
    from modeller.errors import InputError

    for value, on in [
        ("1", True),
        ("ON", True),
        (" yes ", True),
        ("", True),
        ("0", False),
        ("off", False),
    ]:
        monkeypatch.setenv("MODELLER_RECONCILE", value)
        assert settings.reconcile() is on
    monkeypatch.setenv("MODELLER_RECONCILE", "maybe")
    with pytest.raises(InputError, match="'maybe' is not a switch; use 1"):
        settings.reconcile()


@pytest.mark.parametrize(
    "args",
    [
        ("run", "scenarios/land-swap.yaml", "-b", "1991", "--out", ""),
        ("run", "", "-b", "1991", "--no-maps"),
        ("run", "scenarios/land-swap.yaml", "-b", "1991", "--no-maps", "--units", " "),
        ("timeline", "scenarios/land-swap.yaml", "--baselines", "contact-line", "-o", ""),
        ("run", "scenarios/land-swap.yaml", "-b", "1991", "-f", "csv", "-O", ""),
    ],
    ids=["run-out", "run-paths", "units", "timeline-out", "output"],
)
def test_an_empty_path_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    args = [str(REPO / a) if a.startswith("scenarios/") else a for a in args]
    result = cli(*args)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "is empty" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["abc", "-1", "0", "inf", "nan"])
def test_a_bad_size_limit_setting_is_named(tmp_path, value):
    path = write(tmp_path, HEAD + STEP)
    result = cli("validate", path, env={"MODELLER_MAX_INPUT_MB": value})
    assert_clean_error(result, "MODELLER_MAX_INPUT_MB=", "not a positive number")


def test_a_huge_polygon_file_is_refused_before_it_is_read(tmp_path):
    """A 224 MB polygon file once took 12 GB; the default limit (50 MB) stops it first."""
    zone = tmp_path / "zone.geojson"
    with open(zone, "wb") as fh:  # sparse: 60 MB on paper, nothing on disk
        fh.truncate(60_000_000)
    path = polygon_scenario(tmp_path, "zone.geojson")
    result = cli("validate", path, env={"MODELLER_MAX_INPUT_MB": ""})
    assert_clean_error(result, f"{path}:5: ", "60 MB, over the 50 MB limit")
    with open(zone, "wb") as fh:  # just over: not said to be the limit ("50 MB, over …")
        fh.truncate(50_008_000)
    result = cli("validate", path, env={"MODELLER_MAX_INPUT_MB": ""})
    assert_clean_error(result, f"{path}:5: ", "50.01 MB, over the 50 MB limit")


# --- 3. GeoJSON: structure, geometry types, numbers, coordinate sanity -------------------

POLY = {"type": "Polygon", "coordinates": [BOX]}
GEOJSON_CASES = [
    # (id, file text, fragments)
    (  # an empty hole had crashed the projection (IndexError)
        "empty-hole",
        json.dumps(fc({"type": "Polygon", "coordinates": [BOX, []]})),
        ["feature 1: ring 2 of the Polygon is empty ([]): drop it"],
    ),
    (  # the second "type" had won without a word: told about its coordinates instead
        "key-twice",
        json.dumps(POLY).replace('"type": "Polygon"', '"type": "Polygon", "type": "MultiPolygon"'),
        ["cannot read GeoJSON: the key 'type' is given twice in one object; keep one"],
    ),
    (  # GEOS's segmentize crashed the process on it
        "empty-hole-in-a-collection",
        json.dumps(
            fc(
                {
                    "type": "GeometryCollection",
                    "geometries": [{"type": "Polygon", "coordinates": [BOX, []]}],
                }
            )
        ),
        ["feature 1: ring 2 of the Polygon is empty ([]): drop it"],
    ),
    (  # had said "(list index out of range)"
        "empty-part",
        json.dumps(fc({"type": "MultiPolygon", "coordinates": [[BOX], []]})),
        ["feature 1: polygon 2 of the MultiPolygon is empty ([]): drop it"],
    ),
    (
        "features-object",
        json.dumps({"type": "FeatureCollection", "features": {}}),
        ["'features' must be a list", "an object"],
    ),
    (
        "features-string",
        json.dumps({"type": "FeatureCollection", "features": "abc"}),
        ["'features' must be a list", "a string"],
    ),
    (
        "feature-number",
        json.dumps({"type": "FeatureCollection", "features": [5]}),
        ["feature 1 must be a Feature object"],
    ),
    (
        "properties-list",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": [1], "geometry": POLY}],
            }
        ),
        ["feature 1: 'properties' must be an object or null, got a list"],
    ),
    (
        "properties-string",
        json.dumps({"type": "Feature", "properties": "x", "geometry": POLY}),
        ["'properties' must be an object"],
    ),
    ("geometry-string", json.dumps(fc("Polygon")), ["feature 1: 'geometry' must be an object"]),
    (
        "nan",
        json.dumps(
            fc(
                {
                    "type": "Polygon",
                    "coordinates": [[[37, 47.5], [float("nan"), 47.5], [38, 48.5], [37, 47.5]]],
                }
            )
        ),
        ["NaN is not a number GeoJSON allows"],
    ),
    (
        "infinity",
        json.dumps(
            fc(
                {
                    "type": "Polygon",
                    "coordinates": [[[37, 47.5], [float("inf"), 47.5], [38, 48.5], [37, 47.5]]],
                }
            )
        ),
        ["Infinity is not a number GeoJSON allows"],
    ),
    (
        "huge-number",
        '{"type": "Polygon", "coordinates": [[[37, 47.5], [1e999, 47.5], [38, 48.5], [37, 47.5]]]}',
        ["not a finite number"],
    ),
    (
        "circle",
        json.dumps(fc({"type": "Circle", "coordinates": [37, 48], "radius": 5})),
        ["feature 1: unknown geometry type 'Circle'; valid: Polygon, MultiPolygon"],
    ),
    ("no-type", json.dumps(fc({"coordinates": [BOX]})), ["unknown geometry type None"]),
    (
        "unknown-top",
        json.dumps({"type": "Topology", "objects": {}}),
        ["unknown geometry type 'Topology'", "or a Feature or FeatureCollection"],
    ),
    (
        "point",
        json.dumps(fc({"type": "Point", "coordinates": [37.5, 48]})),
        ["feature 1: a Point has no area"],
    ),
    (
        "multipoint",
        json.dumps(fc({"type": "MultiPoint", "coordinates": [[37.5, 48]]})),
        ["a MultiPoint has no area"],
    ),
    (
        "linestring",
        json.dumps(fc({"type": "LineString", "coordinates": [[37, 48], [38, 48]]})),
        ["a LineString has no area"],
    ),
    (
        "collection-with-point",
        json.dumps(
            fc(
                {
                    "type": "GeometryCollection",
                    "geometries": [POLY, {"type": "Point", "coordinates": [37, 48]}],
                }
            )
        ),
        ["a Point has no area"],
    ),
    (
        "second-feature-point",
        json.dumps(fc(POLY, {"type": "Point", "coordinates": [37, 48]})),
        ["feature 2: a Point has no area"],
    ),
    (
        "short-ring",
        json.dumps(fc({"type": "Polygon", "coordinates": [[[37, 48], [38, 48]]]})),
        ["feature 1: invalid geometry"],
    ),
    (
        "coordinates-number",
        json.dumps(fc({"type": "Polygon", "coordinates": 5})),
        ["feature 1: invalid geometry"],
    ),
    (
        "coordinates-strings",
        json.dumps(
            fc(
                {
                    "type": "Polygon",
                    "coordinates": [[["a", "b"], ["c", "d"], ["e", "f"], ["a", "b"]]],
                }
            )
        ),
        ["invalid geometry"],
    ),
    ("empty-polygon", json.dumps(fc({"type": "Polygon", "coordinates": []})), ["empty Polygon"]),
    (
        "metres",
        json.dumps(
            fc(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [4150000, 6100000],
                            [4250000, 6100000],
                            [4250000, 6200000],
                            [4150000, 6100000],
                        ]
                    ],
                }
            )
        ),
        ["look like metres", "EPSG:3857", "EPSG:4326"],
    ),
    (
        "swapped",
        json.dumps(
            fc(
                {
                    "type": "Polygon",
                    "coordinates": [[[47.5, 37], [47.5, 38], [48.5, 38], [47.5, 37]]],
                }
            )
        ),
        ["look like [lat, lon]", "swap each pair"],
    ),
    (
        "whole-world",
        json.dumps(
            fc(
                {
                    "type": "Polygon",
                    "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]],
                }
            )
        ),
        ["covers most of the world"],
    ),
    (  # a 2° box near Chukotka is no world-wide polygon: it crosses the antimeridian
        "antimeridian",
        json.dumps(
            fc(
                {
                    "type": "Polygon",
                    "coordinates": [[[179, 48], [-179, 48], [-179, 49], [179, 49], [179, 48]]],
                }
            )  # noqa: E501
        ),
        ["crosses the antimeridian", "other side of the world from Ukraine"],
    ),
    ("truncated", json.dumps(fc(POLY))[:50], ["cannot read GeoJSON", "cut short"]),
    # bad JSON inside the coordinates only (the structure is told without them)
    (
        "coordinates-comma",
        json.dumps(fc(POLY)).replace("]]]", "],]]"),
        ["cannot read GeoJSON: a comma after the last item"],
    ),
    ("empty-file", "", ["empty file (no GeoJSON in it", "write it again"]),
    ("yaml-not-json", "type: Polygon\n", ["cannot read GeoJSON"]),
    ("top-level-list", "[1, 2]", ["expected a GeoJSON object, got a list"]),
    ("deep-json", "[" * 100_000 + "]" * 100_000, ["cannot read GeoJSON"]),
    (
        "no-features",
        json.dumps({"type": "FeatureCollection", "features": []}),
        ["no polygon features"],
    ),
    ("null-geometries", json.dumps(fc(None)), ["no polygon features"]),
]


def _geojson_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "zone.geojson"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, text, fragments", GEOJSON_CASES, ids=[c[0] for c in GEOJSON_CASES])
def test_malformed_polygon_file_names_the_file_and_feature(tmp_path, name, text, fragments):
    zone = _geojson_file(tmp_path, text)
    path = polygon_scenario(tmp_path, "zone.geojson")
    message = assert_clean_error(cli("run", "--no-maps", "-b", "1991", path), *fragments)
    # the scenario and its step's line, the step and the polygon file (and its line, for
    # a JSON syntax error)
    named = re.escape(f"{path}:{where_line(path)}: step 1: {zone}")
    assert re.search(named + r"(:\d+)?: ", message), message


BASELINE_ONLY = [
    (
        "unknown-status",
        fc(POLY, properties={"status": "occupied"}),
        ["feature 1: unknown status 'occupied'", "holds ukraine, russia"],
    ),
    ("status-number", fc(POLY, properties={"status": 5}), ["unknown status '5'"]),
    (  # the README says the key's case does not matter: a user tries the value's too
        "status-capital",
        fc(POLY, properties={"status": "Ukraine"}),
        ["unknown status 'Ukraine' (did you mean 'ukraine', in lower case?)"],
    ),
    ("bad-date", {**fc(POLY), "date": "yesterday"}, ["bad top-level date 'yesterday'"]),
    ("number-date", {**fc(POLY), "date": 20250101}, ["bad top-level date 20250101", "as text"]),
    # a year no map of this war has: a typo (the timeline's page ran to "31 Dec 9999")
    ("far-date", {**fc(POLY), "date": "9999-12-31"}, ["'9999-12-31': outside 1991–2100"]),
    ("first-date", {**fc(POLY), "date": "0001-01-01"}, ["'0001-01-01': outside 1991–2100"]),
    # written YYYY-MM-DD, as the message had told: what is wrong is the day
    ("feb-30", {**fc(POLY), "date": "2024-02-30"}, ["2024-02-30 is not a calendar date"]),
    # a date on the features (every one the same) dates the file: a bad one was dropped
    ("feature-date", fc(POLY, properties={"date": "garbage"}), ["bad feature date 'garbage'"]),
    (  # a 401-digit longitude: an OverflowError traceback
        "huge-integer",
        fc(
            {"type": "Polygon", "coordinates": [[[10**400, 48], [38, 48], [38, 49], [10**400, 48]]]}
        ),
        ["feature 1: a coordinate is too large a number"],
    ),
    (  # the top-level date had silently won
        "two-dates",
        {**fc(POLY, properties={"date": "2024-01-01"}), "date": "2025-08-15"},
        ["the top-level date 2025-08-15 and the features' date 2024-01-01 differ"],
    ),
    (  # one feature dated, one not: read as of that date without a word
        "partly-dated",
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"date": "2025-08-01"}, "geometry": POLY},
                {"type": "Feature", "properties": {}, "geometry": POLY},
            ],
        },
        ["some features carry the date 2025-08-01 and feature 2 none", "top-level"],
    ),
    ("status-empty", fc(POLY, properties={"status": ""}), ["unknown status ''"]),
    (  # read back as a baseline, all of it had counted as Russian-held
        "own-export",
        {**fc(POLY, properties={"before": "ukraine", "after": "russia"}), "modeller": {}},
        ["modeller's own export of a scenario's pieces"],
    ),
    (  # a TypeError traceback ('int' object is not iterable)
        "features-number",
        {"type": "FeatureCollection", "features": 5},
        ["'features' must be a list of Feature objects, got the number 5"],
    ),
    (  # its 'modeller' member dropped (a re-save, a jq filter): pieces 'after: ukraine'
        # had been read as Russian-held without a word
        "own-export-bare",
        fc(POLY, properties={"before": "russia", "after": "ukraine", "km2": 1.0}),
        ["modeller's own export of a scenario's pieces"],
    ),
    ("status-false", fc(POLY, properties={"status": False}), ["unknown status 'False'"]),
    (  # a "hole" around its outline: repaired, it counted as land (the hole less the outline)
        "hole-outside",
        fc(
            {
                "type": "Polygon",
                "coordinates": [BOX, [[36, 47], [39, 47], [39, 49], [36, 49], [36, 47]]],
            }
        ),
        ["ring 2 of a polygon is a hole that lies outside its outer ring"],
    ),
    (  # a bow-tie outline with a hole: the hole check had crashed (TopologyException)
        "bowtie-with-hole",
        fc(
            {
                "type": "Polygon",
                "coordinates": [
                    [[37, 48], [38, 49], [38, 48], [37, 49], [37, 48]],
                    [[37.1, 48.45], [37.2, 48.5], [37.1, 48.55], [37.1, 48.45]],
                ],
            }
        ),
        ["a polygon's edges cross near [37.5000, 48.5000]"],
    ),
    (  # it had said "edges cross … a figure eight", which it is not
        "hole-repeated",
        fc({"type": "Polygon", "coordinates": [BOX, BOX]}),
        ["ring 2 of a polygon repeats its outer ring"],
    ),
    # raw DeepState dumps (a feature filled #a52714) get the checks of any baseline file
    (
        "raw-date",
        {**fc(POLY, properties=RAW_STYLE), "datetime": "2025-13-45T10:00"},
        ["bad date '2025-13-45T10:00'"],
    ),
    (
        "raw-position",
        fc(
            {"type": "Polygon", "coordinates": [[[37.5], [38, 48], [38, 48.5], [37.5, 48]]]},
            properties=RAW_STYLE,
        ),
        ["feature 1: a position must be"],
    ),
    (
        "raw-feature",
        {
            "type": "FeatureCollection",
            "features": ["x", *fc(POLY, properties=RAW_STYLE)["features"]],
        },
        ["feature 1 must be a Feature object"],
    ),
    (
        "raw-geometry-type",
        fc({"type": "Banana", "coordinates": []}, properties=RAW_STYLE),
        ["'geometry' must be a GeoJSON geometry object, got 'Banana'"],
    ),
    (
        "raw-world",
        fc(
            {
                "type": "Polygon",
                "coordinates": [[[-179, -89], [179, -89], [179, 89], [-179, 89], [-179, -89]]],
            },
            properties=RAW_STYLE,
        ),
        ["occupied territory: the polygon covers most of the world"],
    ),
    (
        "raw-lat-lon",
        fc(
            {"type": "Polygon", "coordinates": [[[48, 37.5], [48, 38], [48.5, 38], [48, 37.5]]]},
            properties=RAW_STYLE,
        ),
        ["look like [lat, lon]"],
    ),
    (
        "raw-null",
        fc({"type": "Polygon", "coordinates": []}, properties=RAW_STYLE),
        ["no occupied-territory polygons"],
    ),
    (  # shapely reads "37.5" as a number; no other reader accepts it
        "quoted-coordinates",
        fc(
            {
                "type": "Polygon",
                "coordinates": [[["37.5", "48"], [38, 48], [38, 48.5], ["37.5", "48"]]],
            },
            properties=RAW_STYLE,
        ),
        ["a position must be numbers", 'got ["37.5", "48"]'],
    ),
    (  # valid lon/lat, but nowhere near Ukraine: it would hold nothing
        "far-away",
        fc({"type": "Polygon", "coordinates": [[[30, 89.5], [31, 89.5], [31, 89.9], [30, 89.5]]]}),
        ["no polygon lies over Ukraine", "lat 89.5 … 89.9", "EPSG:4326"],
    ),
]


@pytest.mark.parametrize(
    "name, text, fragments",
    [
        (n, t, f)
        for n, t, f in GEOJSON_CASES
        if n
        in {
            "features-object",
            "nan",
            "point",
            "metres",
            "truncated",
            "coordinates-comma",
            "circle",
            "properties-list",
        }
    ]
    + [(n, json.dumps(d), f) for n, d, f in BASELINE_ONLY],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "",
)
def test_malformed_baseline_file_names_the_file(tmp_path, name, text, fragments):
    base = _geojson_file(tmp_path, text)
    scenario = write(tmp_path, HEAD + STEP)
    message = assert_clean_error(cli("run", "--no-maps", "-b", base, scenario), *fragments)
    assert re.match(re.escape(f"error: {base}") + r"(:\d+)?: ", message), message


def test_a_10_by_4_degree_box_is_measured_within_0_1_percent():
    """Edges are densified before projecting: a box's parallels stay curves, not chords."""
    import shapely
    from pyproj import Geod
    from shapely.geometry import box

    from modeller import geodata, geojson

    lonlat = box(28.0, 46.0, 38.0, 50.0)
    dense = shapely.segmentize(lonlat, 0.001)  # geodesic edges this short follow the parallels
    expected = abs(Geod(ellps="WGS84").geometry_area_perimeter(dense)[0]) / 1e6
    measured = geodata.area_km2(geojson.territory([lonlat]))
    assert measured == pytest.approx(expected, rel=1e-3)
    projected_corners = geodata.area_km2(geodata.to_equal_area(lonlat))
    assert abs(projected_corners / expected - 1) > 2e-3  # what densifying fixes


@pytest.mark.parametrize(
    "geometry, span",
    [
        (
            {"type": "Polygon", "coordinates": [[[15, 52], [17, 52], [17, 53], [15, 52]]]},
            "lon 15 … 17, lat 52 … 53",
        ),
        (
            {"type": "Polygon", "coordinates": [[[55, 55], [57, 55], [57, 56], [55, 55]]]},
            "lon 55 … 57, lat 55 … 56",
        ),
    ],
    ids=["poland", "urals"],
)
def test_a_polygon_outside_ukraine_is_refused_naming_the_step(tmp_path, geometry, span):
    """It had been a warning that the step selects nothing, with figures for the rest: a
    scenario polygon nowhere near Ukraine is a mistake (another file, another CRS), and is
    refused as a baseline file there is."""
    (tmp_path / "zone.geojson").write_text(json.dumps(fc(geometry)))
    path = polygon_scenario(tmp_path, "zone.geojson")
    result = cli("run", "--no-maps", "-b", "1991", path)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:{where_line(path)}: step 1: ")
    assert f"no polygon lies over Ukraine: the file's polygons span {span}" in lines[0]
    assert result.stdout == ""


def test_a_band_far_from_the_front_is_a_warning_not_a_crash(tmp_path):
    """``run``'s fast path once crashed here (a clipped box with no Russian land)."""
    where = "{band: {km: 5, side: ukraine}, oblast: Vinnytsia}"
    path = write(tmp_path, HEAD + STEP.replace("{oblast: Donetsk}", where))
    result = cli("run", "--no-maps", "-b", "pre-2022", path)
    assert result.exit_code == 0, result.output
    assert (
        result.stderr.strip() == f"warning: {path}: step 1 selects nothing on pre-2022 (2022-02-23)"
    )


def test_non_utf8_geojson(tmp_path):
    zone = tmp_path / "zone.geojson"
    zone.write_bytes('{"type": "Polygon", "name": "Київ"}'.encode("cp1251"))
    path = polygon_scenario(tmp_path, "zone.geojson")
    assert_clean_error(cli("run", "--no-maps", "-b", "1991", path), f"{zone}", "not UTF-8")


# --- 4. the DeepState month-end file and dates --------------------------------------------


@pytest.fixture
def archive_dir(tmp_path, monkeypatch):
    """An empty private DeepState archive folder (no daily files), month-end file to write."""
    folder = tmp_path / "deepstate"
    (folder / "daily").mkdir(parents=True)
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder / "daily"))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "nothing"))
    from modeller import archive

    archive._monthly_features.cache_clear()
    archive._monthly_dates.cache_clear()
    yield folder
    archive._monthly_features.cache_clear()
    archive._monthly_dates.cache_clear()


def _month_end(folder: Path, text: str) -> Path:
    path = folder / "monthly_2022-04_2022-06.geojson"
    path.write_text(text, encoding="utf-8")
    return path


def _months(*geometries, dates=("2022-04-30", "2022-05-31", "2022-06-30")) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"date": d}, "geometry": g}
            for d, g in zip(dates, geometries, strict=False)
        ],
    }


@pytest.mark.parametrize(
    "text, fragments",
    [
        (json.dumps(_months(POLY, POLY, POLY))[:80], ["cannot read GeoJSON"]),
        ("", ["empty file (no GeoJSON in it"]),
        (
            json.dumps({"type": "FeatureCollection", "features": {}}),
            ["expected a GeoJSON FeatureCollection"],
        ),
        (
            json.dumps(_months(POLY, POLY, POLY, dates=("2022-04-30", "2022-05-31", "soon"))),
            ["feature 3: missing or bad 'date' property 'soon'"],
        ),
        (
            json.dumps({"type": "FeatureCollection", "features": [{"properties": [1]}]}),
            ["feature 1: expected a Feature"],
        ),
    ],
    ids=["truncated", "empty", "features-object", "bad-date-feature-3", "properties-list"],
)
def test_broken_month_end_file_in_modeller_baselines(archive_dir, text, fragments):
    path = _month_end(archive_dir, text)
    message = assert_clean_error(cli("baselines"), *fragments)
    assert re.search(re.escape(str(path)) + r"(:\d+)?: ", message), message


@pytest.mark.parametrize(
    "bad, fragments",
    [
        ({"type": "Point", "coordinates": [37, 48]}, ["feature 2: a Point has no area"]),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[4150000, 6100000], [4250000, 6100000], [4250000, 6200000], [4150000, 6100000]]
                ],
            },
            ["feature 2: ", "look like metres"],
        ),
        (
            {"type": "Hexagon"},
            ["feature 2: unknown geometry type 'Hexagon'; valid: Polygon, MultiPolygon"],
        ),
    ],
    ids=["point", "metres", "unknown-type"],
)
def test_month_end_errors_report_the_right_feature(archive_dir, bad, fragments):
    path = _month_end(archive_dir, json.dumps(_months(POLY, bad, POLY)))
    scenario = write(archive_dir, HEAD + STEP)
    result = cli("run", "--no-maps", "-b", "deepstate:2022-05-31", scenario)
    assert_clean_error(result, f"{path}: ", *fragments)


def test_a_missing_deepstate_day_in_a_scenario_baseline_names_the_scenario(archive_dir):
    _month_end(archive_dir, json.dumps(_months(POLY, POLY, POLY)))
    scenario = write(archive_dir, HEAD + "baseline: deepstate:2022-05-30\n" + STEP)
    result = cli("run", "--no-maps", scenario)
    assert_clean_error(  # with the line of its baseline:, as validate names it
        result, f"{scenario}:3: baseline: ", "deepstate:2022-05-30 is not in the archive"
    )


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_timeline_names_the_file_and_line_of_a_held_in_day_not_archived(
    shared_data, tmp_path, workers
):
    where = "{held_in: {baseline: deepstate:2023-01-01}}"
    scenario = write(tmp_path, HEAD + STEP.replace("{oblast: Donetsk}", where))
    days = "deepstate:2025-08-01..2025-08-06"
    result = cli("timeline", scenario, "--workers", workers, "--baselines", days, "-o", tmp_path)
    said = assert_clean_error(
        result, f"error: {scenario}:5: step 1: ", "deepstate:2023-01-01 is not in the archive"
    )  # the line of the step's `where`, as run says it:
    assert said == assert_clean_error(cli("run", "--no-maps", "-b", "1991", scenario))


def test_a_missing_deepstate_day_in_held_in_names_the_scenario_and_step(archive_dir):
    _month_end(archive_dir, json.dumps(_months(POLY, POLY, POLY)))
    where = "{held_in: {baseline: deepstate:2022-05-30}}"
    scenario = write(archive_dir, HEAD + STEP.replace("{oblast: Donetsk}", where))
    result = cli("run", "--no-maps", "-b", "1991", scenario)
    line = 1 + next(
        i for i, t in enumerate(scenario.read_text(encoding="utf-8").splitlines()) if "where" in t
    )
    assert_clean_error(
        result, f"{scenario}:{line}: step 1: ", "deepstate:2022-05-30 is not in the archive"
    )


# --- 5. command-line options --------------------------------------------------------------

OPTION_CASES = [
    (("run", "--no-maps", "-b", "", "scenarios/land-swap.yaml"), ["empty baseline; valid: 1991"]),
    (("run", "--no-maps", "-b", "   ", "scenarios/land-swap.yaml"), ["empty baseline"]),
    (
        ("run", "--no-maps", "-b", "deepstate:2025-08-15x", "scenarios/land-swap.yaml"),
        ["write deepstate:YYYY-MM-DD"],
    ),
    (
        ("run", "--no-maps", "-b", "deepstate:2025-02-30", "scenarios/land-swap.yaml"),
        ["2025-02-30 is not a calendar date"],
    ),
    (
        (
            "timeline",
            "scenarios/land-swap.yaml",
            "--baselines",
            "contact-line",
            "--every",
            "9" * 30 + "d",
        ),
        ["bad --every"],
    ),
    (
        (
            "timeline",
            "scenarios/land-swap.yaml",
            "--baselines",
            "contact-line",
            "--every",
            "100000w",
        ),
        ["bad --every '100000w'", "at most 10,000d"],
    ),
    (
        ("timeline", "scenarios/land-swap.yaml", "--baselines", "contact-line", "--every", "0d"),
        ["bad --every '0d'"],
    ),
    (
        ("timeline", "scenarios/land-swap.yaml", "--baselines", "contact-line", "--every", "-3d"),
        ["bad --every '-3d'"],
    ),
    (
        ("timeline", "scenarios/land-swap.yaml", "--baselines", "deepstate:2025-13-01"),
        ["2025-13-01 is not a calendar date"],
    ),
    (
        ("timeline", "scenarios/land-swap.yaml", "--baselines", ","),
        ["--baselines names no baseline"],
    ),
]


@pytest.mark.parametrize(
    "args, fragments", OPTION_CASES, ids=[f"opt{i}" for i in range(len(OPTION_CASES))]
)
def test_bad_options_are_one_clear_error(monkeypatch, args, fragments):
    monkeypatch.chdir(REPO)
    assert_clean_error(cli(*args), *fragments)


# --- 6. the machine refusing to write -----------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    return write(folder, HEAD + STEP)


def test_output_parent_is_a_file(tmp_path, tiny):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("run", "-b", "1991", "--no-images", "--out", blocker / "site", tiny)
    assert_clean_error(result, "cannot write", str(blocker), status=1)


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_an_export_into_a_device_is_an_environment_error(tiny, fmt):
    pytest.importorskip("pyogrio")
    result = cli("run", "-b", "1991", "--no-maps", "-f", fmt, "-O", f"/dev/null/x.{fmt}", tiny)
    assert_clean_error(result, "cannot write", "/dev/null", status=1)


def test_output_is_a_device(tiny):
    result = cli("run", "-b", "1991", "--no-images", "--out", "/dev/null/site", tiny)
    assert_clean_error(result, "cannot write", "/dev/null", status=1)


def _unwritable(folder: str) -> bool:
    try:
        Path(folder, "modeller-probe").mkdir()
    except OSError:
        return True
    Path(folder, "modeller-probe").rmdir()
    return False


@pytest.mark.skipif(not _unwritable("/sys"), reason="needs an unwritable /sys")
def test_output_on_a_read_only_file_system(tiny):
    result = cli("run", "-b", "1991", "--no-images", "--out", "/sys/modeller-site", tiny)
    assert_clean_error(result, "cannot write", "/sys/modeller-site", status=1)


def _site(tmp_path: Path, tiny: Path) -> tuple[Path, dict]:
    """A site written by a first run, with its bytes."""
    out = tmp_path / "site"
    assert cli("run", "-b", "1991", "--no-images", "--out", out, tiny).exit_code == 0
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.parametrize(
    "failure, status, fragments",
    [
        (OSError(28, "No space left on device"), 1, ["No space left on device", "free some"]),
        (OSError(30, "Read-only file system"), 1, ["Read-only file system", "elsewhere"]),
        (KeyboardInterrupt(), 130, ["interrupted; no file was half-written"]),
    ],
    ids=["disk-full", "read-only", "ctrl-c"],
)
def test_a_failed_site_write_leaves_the_old_site_whole(
    tmp_path, tiny, monkeypatch, failure, status, fragments
):
    from modeller import files

    out, before = _site(tmp_path, tiny)
    changed = write(tmp_path, HEAD.replace("Probe", "Changed") + STEP, "changed.yaml")
    calls = []

    def fail_on_second_page(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise failure

    monkeypatch.setattr(files.os, "fsync", fail_on_second_page)
    result = cli("run", "-b", "1991", "--no-images", "--out", out, changed)
    assert_clean_error(result, *fragments, status=status)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changed.yaml", "site"]


# --- 7. outputs: spreadsheets, Markdown, terminals ---------------------------------------

# (a title starting with a carriage return is refused as input: see "escaped-cr"; other
# text, such as a file name, can still start with one)


def test_a_cell_starting_with_a_carriage_return_is_neutralised():
    from modeller.report_files import _cell
    from modeller.textsafe import spreadsheet_cell

    assert spreadsheet_cell("\rCR plan") == "'\rCR plan"
    # and the line break is one a spreadsheet keeps; what follows it is neutralised too (a
    # spreadsheet splitting at ';' reads the cell's quotes as text and starts a row there)
    assert _cell("\r=1+1") == "'\n'=1+1"


def _unescape(shown: str) -> str:
    """What ``visible_text`` was given: its escapes and doubled backslashes read back."""
    return re.sub(
        r"\\\\|\\x([0-9a-f]{2})|\\u([0-9a-f]{4})",
        lambda m: "\\" if m[0] == "\\\\" else chr(int(m[1] or m[2], 16)),
        shown,
    )


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("ax1bu\\\x1b\x07\u202e\n\u200f\x9b"), max_size=12))
def test_shown_names_hide_nothing_and_read_back(name):
    """A file named 'a\\x1b' (typed) and one named 'a' ESC 'b' were shown alike."""
    from modeller.textsafe import visible_text

    shown = visible_text(name)
    assert shown.isprintable() and "\u202e" not in shown and "\u200f" not in shown
    assert _unescape(shown) == name


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\uff1dcmd"]


@pytest.mark.parametrize(
    "start", FORMULAS, ids=["eq", "plus", "minus", "at", "tab", "fullwidth-eq"]
)
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path, start):
    import csv
    import io

    title = json.dumps(start + " plan")
    body = f"phases:\n  - id: one\n    title: {title}\n    steps:\n" + textwrap.indent(
        STEP.removeprefix("steps:\n"), "  "
    )
    base = tmp_path / f"{start.strip()[:2]}base.geojson"  # a file name is user text too
    base.write_text(json.dumps(fc({"type": "Polygon", "coordinates": [BOX]})))
    path = write(tmp_path, HEAD + body)
    result = cli("run", "--no-maps", "-b", base, "-f", "csv", path)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    cells = [c for row in rows for c in row.values() if c]
    risky = ("=", "+", "-", "@", "\t", "\r", "\uff1d")
    assert not [c for c in cells if c.startswith(risky) and not _is_number(c)], "formula cell"
    kept = "'" + start.replace("\r", "\n") + " plan"  # a CR inside text becomes a newline
    assert [c for c in cells if c == kept]  # the text is kept, behind a quote


@given(st.text(alphabet=st.sampled_from(list(";\t\n\r\"=+-@ a1.'\uff20")), max_size=30))
def test_a_cell_splits_at_semicolons_or_tabs_into_no_part_a_spreadsheet_would_run(text):
    """German, French or Dutch Excel splits a CSV line at ``;``: 'Plan;=1+2' in one cell
    had become a cell '=1+2' there; reading the cell's quotes as text, it starts a row at a
    line break in it, and a part opening with a double quote is a quoted field of its own.
    Each such part is neutralised too; nothing else changes."""
    from modeller.textsafe import spreadsheet_cell

    cell = spreadsheet_cell(text)
    for i, part in enumerate(re.split("[;\t\r\n]", cell)):
        body = part.lstrip(' "' if i else " ")
        assert not (body.startswith(("=", "+", "-", "@", "\uff20")) and not _is_number(body))
    assert cell.replace("'", "") == text.replace("'", "")
    assert spreadsheet_cell("Peace plan;=1+2;-3+3") == "Peace plan;'=1+2;'-3+3"
    assert spreadsheet_cell("a; -12.5") == "a; -12.5"  # a number stays a number
    assert spreadsheet_cell("Plan\n=cmd|' /C calc'!A0;") == "Plan\n'=cmd|' /C calc'!A0;"
    assert spreadsheet_cell('Reuters;"=1+2') == "Reuters;'\"=1+2"


VALUES = st.one_of(
    st.text(alphabet=st.sampled_from(list(";\n\r=+-@ a1.'")), max_size=6),
    st.sampled_from([1, 1.0, True, 0, False, 0.0, None, "1", "True", "=1"]),
)


@given(st.lists(st.lists(VALUES, min_size=3, max_size=3), max_size=12))
def test_the_csv_writer_writes_each_cell_as_it_would_alone(rows):
    """The CSV writer remembers the cell of each text it has seen (ids and sources repeat
    on every row): what it writes is each value made safe on its own, and 1, 1.0 and True,
    equal keys of a dict, stay three values."""
    import csv
    import io

    from modeller.report_files import _cell, _SafeWriter

    fields = ["a", "b", "c"]
    out, expected = io.StringIO(), io.StringIO()
    writer = _SafeWriter(out, fields, lineterminator="\n")
    plain = csv.DictWriter(expected, fields, lineterminator="\n")
    for row in rows:
        writer.writerow(dict(zip(fields, row, strict=True)))
        plain.writerow({k: _cell(v) for k, v in zip(fields, row, strict=True)})
    assert out.getvalue() == expected.getvalue()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    "value, expected",
    [
        (-1234.5, -1234.5),
        ("-1234.5", "-1234.5"),
        ("-2+3", "'-2+3"),
        ("=1+1", "'=1+1"),
        ("@A1", "'@A1"),
        (" =1+1", "' =1+1"),  # a spreadsheet that trims leading spaces would run it
        ("\u00a0\u3000@A1", "'\u00a0\u3000@A1"),
        (" -12.5", " -12.5"),
        (" Kyiv", " Kyiv"),
        ("Kyiv", "Kyiv"),
        ("", ""),
        (None, None),
    ],
)
def test_spreadsheet_cells_keep_numbers_numeric(value, expected):
    from modeller.textsafe import spreadsheet_cell

    assert spreadsheet_cell(value) == expected


def test_markdown_escapes_html(tmp_path):
    title = '"<script>alert(1)</script> & <b>x</b> | pipe"'
    path = write(
        tmp_path, f"id: probe\ntitle: {title}\nsummary: <img src=x onerror=alert(1)>\n" + STEP
    )
    result = cli("run", "--no-maps", "-b", "1991", "-f", "markdown", path)
    assert result.exit_code == 0, result.output
    assert "<script>" not in result.stdout and "<b>" not in result.stdout
    assert "<img" not in result.stdout
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt; \\| pipe" in result.stdout
    )


def test_markdown_shows_link_image_and_code_syntax_as_written(tmp_path):
    summary = "'![img](http://evil/x.png) [click](javascript:alert(4)) `code` **bold** ~~s~~'"
    path = write(tmp_path, f"id: probe\ntitle: Probe\nsummary: {summary}\n" + STEP)
    result = cli("run", "--no-maps", "-b", "1991", "-f", "markdown", path)
    assert result.exit_code == 0, result.output
    shown = (
        "!\\[img\\](http://evil/x.png) \\[click\\](javascript:alert(4)) "
        "\\`code\\` \\*\\*bold\\*\\* \\~\\~s\\~\\~"
    )
    assert shown in result.stdout.splitlines()


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("\x1b\\*_`[]()!<>&|~ a1#\u202e\x07")), max_size=30))
def test_markdown_text_renders_as_written_whatever_the_escapes(text):
    """An ESC before a backslash ('ESC \\' ends an escape sequence) was stripped after the
    backslash had been doubled, taking half of it: '*' made emphasis again. Rendered,
    the text shows as written, without its control characters, and with no markup."""
    from markdown_it import MarkdownIt

    from modeller.textsafe import markdown_text, terminal_text

    html = MarkdownIt("commonmark").render("x " + markdown_text(text))
    assert not any(tag in html for tag in ("<em", "<strong", "<code", "<a ", "<img"))
    tokens = MarkdownIt("commonmark").parse("x " + markdown_text(text))
    shown = "".join(c.content for t in tokens if t.type == "inline" for c in t.children)
    assert shown == ("x " + terminal_text(text).strip()).strip(), (text, shown)


def test_markdown_warnings_are_quotes_of_their_own_and_tables_stay_tables(tmp_path):
    """A warning line was followed by the held table with no blank line: renderers read
    the table as text of the quote, and two warnings as one paragraph."""
    from markdown_it import MarkdownIt

    nothing = "  - assign: russia\n    where: {oblast: Volyn, held_by: russia}\n"
    path = write(tmp_path, HEAD + STEP + nothing + nothing.replace("Volyn", "Rivne"))
    result = cli("run", "--no-maps", "-b", "1991", "-f", "markdown", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("> warning: ") == 2, result.stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(result.stdout)
    quotes = [i for i, t in enumerate(tokens) if t.type == "blockquote_open"]
    assert len(quotes) == 2  # one per warning
    for i in quotes:
        inline = tokens[i + 2]
        assert inline.type == "inline" and inline.content.startswith("warning: ")
        assert "|" not in inline.content and inline.content.count("warning:") == 1
    tables = sum(t.type == "table_open" for t in tokens)  # held, by oblast, towns, all
    assert tables == result.stdout.count("\n|---") >= 4, result.stdout


@pytest.mark.parametrize(
    "summary",
    ["# Breaking", "- one", "+ two", "3. three", "2025) year", "=== under", "-2.5 km a day"],
)
def test_a_summary_that_reads_as_markdown_syntax_stays_a_paragraph(tmp_path, summary):
    """A summary starting with '#' became a heading of the report (and '- ' a list)."""
    from markdown_it import MarkdownIt

    path = write(tmp_path, f"id: probe\ntitle: Probe\nsummary: {json.dumps(summary)}\n" + STEP)
    result = cli("run", "--no-maps", "-b", "1991", "-f", "markdown", path)
    assert result.exit_code == 0, result.output
    tokens = MarkdownIt("commonmark").parse(result.stdout)
    shown = {  # each block's text as a reader sees it, and the block it is in
        "".join(c.content for c in t.children or ()): tokens[i - 1].type
        for i, t in enumerate(tokens)
        if t.type == "inline"
    }
    assert shown.get(summary) == "paragraph_open", shown
    # table cells are not at a line's start: their signs and decimals stay unescaped
    cells = [
        c.strip() for x in result.stdout.splitlines() if x.startswith("|") for c in x.split("|")
    ]
    assert not [c for c in cells if c.startswith(("\\+", "\\-")) or "\\." in c], cells


@pytest.mark.parametrize(
    "title, shown",
    [
        ("[bold red]Plan[/bold red]", "[bold red]Plan[/bold red]"),
        ("Plan [draft] v2", "Plan [draft] v2"),
        ("[link=http://x]click[/link]", "[link=http://x]click[/link]"),
    ],
    ids=["rich-markup", "brackets", "link-markup"],
)
def test_terminal_output_shows_titles_literally_and_strips_control_sequences(
    tmp_path, title, shown
):
    path = write(tmp_path, f'id: probe\ntitle: "{title}"\nsummary: "{title}"\n' + STEP)
    result = cli("run", "--no-maps", "-b", "1991", path)
    assert result.exit_code == 0, result.output
    for char in ("\x1b", "\x07", "\x9b", "\x9d"):
        assert char not in result.stdout
    assert shown in result.stdout, result.stdout


@pytest.mark.parametrize(
    "title, char",
    [
        ("\\e[31mRed\\e[0m plan", "U+001B"),
        ("\\e]0;owned\\a window", "U+001B"),
        ("bell\\a and \\x9b31m csi", "U+0007"),
        ("a \\u202ereversed", "U+202E"),
    ],
    ids=["ansi-colour", "osc-title", "bell-c1-csi", "bidi-override"],
)
def test_control_sequences_in_titles_are_refused_by_line(tmp_path, title, char):
    """Escapes in double quotes would reach the pages, the SVG (no longer XML), CSV and
    terminals: the file is refused, naming the line, before anything is written."""
    path = write(tmp_path, f'id: probe\ntitle: "{title}"\n' + STEP)
    for command in (("validate",), ("run", "--no-maps", "-b", "1991")):
        message = assert_clean_error(cli(*command, path), f"{path}:2: ", f"character {char}")
        assert "\x1b" not in message and "\u202e" not in message


def test_a_subdivision_flag_is_the_one_use_of_tag_characters_allowed(tmp_path):
    """Tags are invisible, except in a subdivision flag (black flag, tag letters, cancel
    tag), which shows as one emoji: Scotland's had been refused as invisible."""
    tags = "".join(chr(0xE0000 + ord(c)) for c in "gbsct")
    path = write(tmp_path, f'id: probe\ntitle: "Scotland \U0001f3f4{tags}\U000e007f"\n' + STEP)
    assert cli("validate", path).exit_code == 0
    path = write(tmp_path, f'id: probe\ntitle: "Scotland \U0001f3f4{tags} unended"\n' + STEP)
    assert_clean_error(cli("validate", path), f"{path}:2: ", "invisible character U+E0067")


def test_a_scenario_file_named_in_bytes_that_are_not_utf8_is_written_escaped(tmp_path):
    """A file name Python reads with surrogates (bytes not UTF-8) had crashed the timeline's
    CSV, JSON and Parquet and the run's JSON, geodata and pages after all their work, and
    put raw bytes in a CSV: every output is written, the name escaped (\\udcff)."""
    from click.testing import CliRunner

    from modeller.cli import main

    folder = Path(os.fsdecode(bytes(tmp_path) + b"/sc\xff"))
    folder.mkdir()
    path = folder / "s.yaml"
    path.write_text(HEAD + STEP, encoding="utf-8")
    out = tmp_path / "tl"
    args = ["timeline", str(path), "--baselines", "pre-2022", "-o", str(out), "--no-chart"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = (out / "timeline.csv").read_bytes().decode("utf-8")  # (UTF-8 throughout)
    assert "sc\\udcff" in text
    result = CliRunner().invoke(main, ["run", str(path), "-b", "1991", "--no-maps", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "sc\\udcff" in json.loads(result.stdout)["scenarios"][0]["file"]


def test_terminal_text_strips_control_sequences_from_other_text():
    """File names and other text that is not a scenario's still reach the terminal."""
    from modeller.textsafe import terminal_text

    text = "\x1b[31mRed\x1b[0m \x1b]0;owned\x07plan\x9b31m a\u202eb \u05e2\u05d1"
    assert terminal_text(text) == "Red plan ab \u05e2\u05d1"


def test_error_messages_strip_control_sequences(tmp_path):
    path = write(
        tmp_path, HEAD + 'steps:\n  - assign: "\\e[2Jrusia"\n    where: {oblast: Donetsk}\n'
    )
    message = assert_clean_error(cli("validate", path), "U+001B in a value")
    assert "\x1b" not in message


@pytest.mark.parametrize("fmt", ["json", "gpkg"])
def test_a_write_error_shows_the_output_path_without_its_escape_sequences(tiny, fmt):
    target = f"/sys/\x1b]0;pwned\x07\x1b[31mred/out.{fmt}"  # a read-only place
    result = cli("run", "-b", "1991", "--format", fmt, "-O", target, tiny)
    message = assert_clean_error(result, "cannot write /sys/", "red", status=1)
    assert "\x1b" not in message and "\x07" not in message


# --- 8. Ctrl-C (real processes) --------------------------------------------------------------


def _modeller(*args) -> subprocess.Popen:
    """``modeller ARGS`` in a child that says 'ready' once Ctrl-C is handled (before that,
    only the interpreter's own start-up runs, which no program can make quiet)."""
    code = (
        "import sys; sys.argv[0] = 'modeller'; from modeller import entry; entry.install(); "
        "print('ready', flush=True); entry.main()"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _still_running(marker: str) -> list[int]:
    """Processes whose command line holds ``marker`` (Linux /proc; empty elsewhere)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (Linux /proc; empty elsewhere)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [d for c in map(int, children) for d in (c, *_descendants(c))]


PAINTER, DRAWING = 1, 3
"""Processes below a run with images: its painter, forked once the run has loaded its
modules and units (it reads and applies the scenarios next); with the painter's workers
(two or more), the images are being drawn."""


def _until_below(proc: subprocess.Popen, count: int, latest: float) -> None:
    """Return once ``count`` processes run below ``proc``, or after ``latest`` seconds (no
    painter: one core, no fork; or the run has ended)."""
    deadline = time.monotonic() + latest
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_descendants(proc.pid)) >= count:
            return
        time.sleep(0.02)


@pytest.mark.parametrize(
    "delay", [0.0, 0.3, 1.2, 2.2], ids=["start-up", "loading", "running", "drawing"]
)
def test_ctrl_c_anywhere_is_one_line_without_traceback(tmp_path, delay):
    """Ctrl-C at start-up and while loading comes ``delay`` s after the run is ready; while
    running, once the painter is forked, and while drawing, once its workers are, or after
    ``delay`` s at the latest (a fixed delay fell in a later phase on a quicker machine)."""
    proc = _modeller("run", "-b", "1991", "--out", tmp_path / "site", "scenarios/")
    assert proc.stdout.readline().strip() == "ready"
    if delay < 1:
        time.sleep(delay)
    else:
        _until_below(proc, PAINTER if delay < 2 else DRAWING, delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    if proc.returncode == 0:  # finished before the signal: nothing to check
        return
    assert proc.returncode in (130, -signal.SIGINT), (proc.returncode, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("interrupted"), err  # one line about the interrupt
    assert all(line.startswith(("warning: ", "note: ")) for line in lines[:-1]), err
    leftovers = list((tmp_path / "site").glob("*.tmp")) if (tmp_path / "site").exists() else []
    assert not leftovers
    # nothing keeps drawing once the run is gone (the image painter and its workers stop
    # within a fraction of a second; left alone they would draw for seconds)
    deadline = time.monotonic() + 2
    while _still_running(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _still_running(str(tmp_path))


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> tuple[str, Path]:
    """The console script, and a cache folder where a run has kept the population model
    alone: a run started with a copy of it reaches its drawing soon (made once, copied for
    each delay)."""
    script = shutil.which("modeller")
    if script is None:
        pytest.skip("the modeller console script is not on PATH (pip install the package)")
    cache = tmp_path_factory.mktemp("warm-cache")
    env = {**os.environ, "MODELLER_IMAGE_CACHE": "0", "MODELLER_CACHE_DIR": str(cache)}
    warm = subprocess.run(  # the population model cached: the run reaches its drawing soon
        [script, "run", "land-swap", "--no-maps"], env=env, capture_output=True, cwd=REPO
    )
    assert warm.returncode == 0, warm.stderr
    return script, cache


@pytest.mark.parametrize("delay", [2.5, 3.5])
def test_sigint_to_the_run_alone_while_it_draws_ends_everything(tmp_path, warm_cache, delay):
    """'modeller run … & sleep 5; kill -INT $!' (a script, a supervisor, CI cancelling) had
    printed 'interrupted' and then waited forever: the image painter, cancelled, waited on
    one of its workers, and the run on the painter.

    The signal comes ``delay - 2.5`` s after the painter's workers start drawing (as they
    start, and a second later), or after ``delay`` s if none start: a fixed ``delay`` came
    after the run had ended where it drew quickly (2.4 s on an idle machine)."""
    script, warm = warm_cache
    cache = shutil.copytree(warm, tmp_path / "cache")  # (not what another delay's run kept)
    env = {**os.environ, "MODELLER_IMAGE_CACHE": "0", "MODELLER_CACHE_DIR": str(cache)}
    with open(tmp_path / "out.txt", "w") as out:  # files, as a script's redirections
        proc = subprocess.Popen(
            [script, "run", "--out", str(tmp_path / "site"), "scenarios/"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # as 'cmd &' is
        )
        started = time.monotonic()
        _until_below(proc, DRAWING, delay)
        if proc.poll() is None:
            time.sleep(max(0.0, min(delay - 2.5, started + delay - time.monotonic())))
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        finally:  # the painter's workers may take a moment to go on a busy machine
            deadline = time.monotonic() + 10
            while _still_running(str(tmp_path)) and time.monotonic() < deadline:
                time.sleep(0.1)
            left = _still_running(str(tmp_path))
            for pid in left:
                os.kill(pid, signal.SIGKILL)
    said = (tmp_path / "out.txt").read_text()[-300:]
    assert proc.returncode in (0, 130) and not left, (proc.returncode, left, said)


def test_stat_modes_are_what_the_guards_say():
    """The guard's wording per file kind (no FIFO needed)."""
    from modeller.inputs import kind_of

    assert kind_of(stat.S_IFIFO) == "a FIFO (named pipe)"
    assert kind_of(stat.S_IFCHR) == "a device"
    assert kind_of(stat.S_IFSOCK) == "a socket"
    assert kind_of(stat.S_IFDIR) == "a folder"


def test_an_id_with_a_line_break_is_one_line_of_error(tmp_path):
    path = write(tmp_path, 'id: "a\\nb"\ntitle: Probe\n' + STEP)
    result = cli("validate", path)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1, result.output
    assert "id 'a\\nb' must be lower-case letters" in result.output


def test_the_timeline_finds_a_grey_zone_key_after_the_features_and_refuses_a_fifo(
    tmp_path, monkeypatch
):
    """It looked for "grey_zone" in a file's first 512 bytes only, so a snapshot with the
    key after its features lost its grey zone in the timeline but not in ``run``; and it
    opened the file unchecked, so a FIFO named like a daily file blocked it for ever."""
    import modeller

    def feature(ring, status):
        return {
            "type": "Feature",
            "properties": {"status": status, "name": "x" * 600},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    grey = [[38.0, 47.5], [38.2, 47.5], [38.2, 48.5], [38.0, 48.5], [38.0, 47.5]]
    data = {
        "type": "FeatureCollection",
        "features": [feature(BOX, "russia"), feature(grey, "contested")],
        "grey_zone": True,
    }
    folder = tmp_path / "daily"
    folder.mkdir()
    (folder / "deepstatemap_data_20250803.geojson").write_text(json.dumps(data))
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "none"))
    table = modeller.timeline("land-swap", "deepstate:2025-08-03", workers=1)
    status = table.groupby("status")["baseline_km2"].sum()
    ran = modeller.run("land-swap", "deepstate:2025-08-03").held.set_index("status")
    assert status["contested"] > 1000, status
    assert abs(status["contested"] - ran.loc["contested", "baseline_km2"]) < 1
    os.mkfifo(folder / "deepstatemap_data_20250804.geojson")
    result = cli(
        "timeline",
        "land-swap",
        "--baselines",
        "deepstate:2025-08-04",
        "--workers",
        "1",
        "-o",
        tmp_path / "out",
        timeout=60,
    )
    assert_clean_error(result, "is a FIFO (named pipe), not a regular file")


def test_two_baselines_on_one_date_are_refused_in_the_timeline(tmp_path):
    """Rows are keyed by date: contact-line (2025-08-15) with deepstate:2025-08-15 had been
    added together, every total doubled (1,198,189 km² of Ukraine)."""
    base = tmp_path / "base.geojson"
    base.write_text(json.dumps({**fc(POLY), "date": "2025-08-15"}), encoding="utf-8")
    result = cli(
        "timeline",
        REPO / "scenarios" / "land-swap.yaml",
        "--baselines",
        f"contact-line,{base}",
        "--workers",
        "1",
        "-o",
        tmp_path / "out",
    )
    assert_clean_error(result, "both describe 2025-08-15", "one baseline per date")


def test_a_daily_file_with_more_in_its_name_is_not_a_day(tmp_path, monkeypatch):
    """'deepstatemap_data_copy_20300107.geojson' was listed as 2030-01-07 but could not be
    opened by that date: a traceback in the timeline, 'not in the archive; nearest: itself'
    in run."""
    from datetime import date

    from modeller import archive

    folder = tmp_path / "daily"
    folder.mkdir()
    text = json.dumps(fc(POLY))
    (folder / "deepstatemap_data_copy_20300107.geojson").write_text(text, encoding="utf-8")
    (folder / "deepstatemap_data_20300108.geojson").write_text(text, encoding="utf-8")
    # named for a day outside 1991–2100, as no baseline may be dated: listed as 9999-12-31
    (folder / "deepstatemap_data_99991231.geojson").write_text(text, encoding="utf-8")
    (folder / "deepstatemap_data_19000101.geojson").write_text(text, encoding="utf-8")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "none"))
    assert archive.deepstate_dates() == [date(2030, 1, 8)]


def test_an_empty_daily_file_says_so_and_how_to_get_the_day_again(tmp_path, monkeypatch):
    """A 0-byte day (an interrupted download) said 'cannot read GeoJSON: Expecting value:
    line 1 column 1 (char 0)'."""
    folder = tmp_path / "daily"
    folder.mkdir()
    (folder / "deepstatemap_data_20300107.geojson").write_bytes(b"")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "none"))
    for args in (
        ("run", "--baseline", "deepstate:2030-01-07", "-o", tmp_path / "run"),
        ("timeline", "--baselines", "deepstate:2030-01-07", "-o", tmp_path / "tl"),
    ):
        result = cli(*args[:1], "ukraine-1991-borders", *args[1:])
        assert_clean_error(
            result,
            "deepstatemap_data_20300107.geojson: empty file (no GeoJSON in it",
            "modeller fetch 2030-01-07 then downloads the day again",
        )


def test_a_daily_file_holding_another_days_map_is_refused(tmp_path, monkeypatch):
    """A copy of 2030-01-07's file saved as 2030-01-08 (DeepState's files name their day
    inside too) had been counted as 2030-01-08 silently, in run and in the timeline."""
    folder = tmp_path / "daily"
    folder.mkdir()

    def daily(day: str, inner: str) -> None:
        text = json.dumps({"type": "FeatureCollection", "name": f"deepstatemap_data_{inner}"})
        body = json.dumps(fc(POLY))
        text = text[:-1] + ", " + body[1:]  # "name" first, as DeepState writes it
        (folder / f"deepstatemap_data_{day}.geojson").write_text(text, encoding="utf-8")

    daily("20300107", "20300107")
    daily("20300108", "20300107")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "none"))
    ok = cli(
        "run",
        "ukraine-1991-borders",
        "--baseline",
        "deepstate:2030-01-07",
        "--no-maps",
    )
    assert ok.exit_code == 0, ok.output
    for args in (
        ("run", "--baseline", "deepstate:2030-01-08", "-o", tmp_path / "run"),
        ("timeline", "--baselines", "deepstate:2030-01-07..2030-01-08", "-o", tmp_path / "tl"),
    ):
        result = cli(*args[:1], "ukraine-1991-borders", *args[1:])
        assert_clean_error(
            result,
            "deepstatemap_data_20300108.geojson",
            "named for 2030-01-08 but holds the map of another day",
            "rename it to deepstatemap_data_20300107.geojson",
        )
        assert not (tmp_path / args[-1].name).exists()


def test_a_daily_file_whose_own_date_says_another_day_is_refused(tmp_path, monkeypatch):
    """A daily file with a top-level "date" (saved by another tool) was counted as the day
    its file name says, whatever that date said; the same day (any time of it) is read."""
    folder = tmp_path / "daily"
    folder.mkdir()
    for day, said in (("20300107", "2030-01-07T18:00:00Z"), ("20300108", "2030-01-05")):
        doc = {**fc(POLY), "date": said}
        (folder / f"deepstatemap_data_{day}.geojson").write_text(json.dumps(doc), "utf-8")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "none"))
    ok = cli("run", "ukraine-1991-borders", "--baseline", "deepstate:2030-01-07", "--no-maps")
    assert ok.exit_code == 0, ok.output
    for args in (
        ("run", "--baseline", "deepstate:2030-01-08", "--no-maps"),
        ("timeline", "--baselines", "deepstate:2030-01-07..2030-01-08", "-o", tmp_path / "tl"),
        ("run", "--baseline", str(folder / "deepstatemap_data_20300108.geojson"), "--no-maps"),
    ):
        assert_clean_error(
            cli(*args[:1], "ukraine-1991-borders", *args[1:]),
            "deepstatemap_data_20300108.geojson: this file is named for 2030-01-08 but its "
            "top-level \"date\" is '2030-01-05'",
        )
    assert not (tmp_path / "tl").exists()


def test_a_daily_file_holding_a_raw_dump_is_refused(tmp_path, monkeypatch):
    """A raw layer dump saved under a daily file's name was read as the occupied layer:
    every polygon (liberated land, grey zone, Transnistria) Russian-held (156,317 km²
    against 113,458 on 2025-08-03), exit 0; under its own name it reads as a dump."""
    folder = tmp_path / "daily"
    folder.mkdir()
    liberated = {"fill": "#0f9d58", "styleUrl": "#poly-0F9D58"}
    doc = fc(POLY, properties=RAW_STYLE)
    doc["features"].append({**doc["features"][0], "properties": liberated})
    daily = folder / "deepstatemap_data_20300108.geojson"
    daily.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "none"))
    for args in (
        ("run", "--baseline", "deepstate:2030-01-08", "--no-maps"),
        ("run", "--baseline", str(daily), "--no-maps"),
        ("timeline", "--baselines", "deepstate:2030-01-08", "-o", tmp_path / "tl"),
    ):
        assert_clean_error(
            cli(*args[:1], "ukraine-1991-borders", *args[1:]),
            "deepstatemap_data_20300108.geojson: this file is named for 2030-01-08 but holds a "
            "raw DeepState layer dump",
            "deepstate_raw_20300108.geojson",
        )
    renamed = tmp_path / "deepstate_raw_20300108T120000Z.geojson"
    renamed.write_text(daily.read_text(encoding="utf-8"), encoding="utf-8")
    ok = cli("run", "ukraine-1991-borders", "--baseline", str(renamed), "--no-maps")
    assert ok.exit_code == 0, ok.output


def test_a_daily_file_holding_a_modeller_export_is_refused(tmp_path, monkeypatch):
    """A pieces export saved over a day of the archive (-O, before outputs there were
    refused) was read as that day's map: all of Ukraine Russian-held, exit 0."""
    folder = tmp_path / "daily"
    folder.mkdir()
    export = tmp_path / "pieces.geojson"
    made = cli("run", "land-swap", "-b", "1991", "--no-maps", "-f", "geojson", "-O", export)
    assert made.exit_code == 0, made.output
    # saved again by another tool, its keys sorted: "modeller" no longer near the start
    again = json.dumps(json.loads(export.read_text(encoding="utf-8")), sort_keys=True)
    (folder / "deepstatemap_data_20300108.geojson").write_text(again, encoding="utf-8")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    monkeypatch.setenv("MODELLER_DATA_DIR", str(tmp_path / "none"))
    for args in (
        ("run", "--baseline", "deepstate:2030-01-08", "--no-maps"),
        ("timeline", "--baselines", "deepstate:2030-01-08", "-o", tmp_path / "tl"),
    ):
        assert_clean_error(
            cli(*args[:1], "land-swap", *args[1:]),
            "deepstatemap_data_20300108.geojson: this file is named for 2030-01-08 but holds "
            "modeller's own export of a scenario's pieces, not DeepState's map",
        )
    assert not (tmp_path / "tl").exists()


@pytest.mark.parametrize(
    ("where", "kind"),
    [("{band: {along: contact, km: 5, side: dmz}}", "band side"), ("{held_by: dmz}", "status")],
)
def test_a_scenario_status_as_a_baseline_holder_is_refused_everywhere(tmp_path, where, kind):
    """A band on side 'dmz', or held_by: dmz (declared, held by no baseline: a baseline holds
    only the built-in statuses) had selected nothing: validate said ok, run only warned,
    and the error for an undeclared 'dmz' had advised declaring it. Now validate, run, the
    API and the timeline refuse it at its line, saying what to write instead."""
    import modeller

    path = write(
        tmp_path,
        HEAD + "statuses: {dmz: {label: DMZ, colour: '#7570b3'}}\n"
        f"steps:\n  - assign: dmz\n    where: {{oblast: Donetsk}}\n"
        f"  - assign: russia\n    where: {where}\n",
    )
    said = f"s.yaml:8: unknown {kind} 'dmz' in step 2"
    for args in (
        ("validate", path),
        ("run", path, "--no-maps"),
        ("timeline", path, "--baselines", "contact-line", "--workers", "1", "-o", tmp_path / "tl"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert_clean_error(result, said)
        assert "a baseline holds only these" in result.output
        assert "to select the land a step assigns to 'dmz', repeat its 'where'" in result.output
    assert not (tmp_path / "tl").exists()
    with pytest.raises(modeller.InputError, match=f"unknown {kind} 'dmz' in step 2"):
        modeller.load_scenario(path)
    # undeclared, the advice is no longer to declare it (that led to the case above)
    plain = write(tmp_path, HEAD + f"steps:\n  - assign: russia\n    where: {where}\n", "p.yaml")
    result = cli("validate", plain)
    assert result.exit_code == 2 and "declare others" not in result.output, result.output
    assert "valid: " + ("both, " if kind == "band side" else "") in result.output


@pytest.mark.parametrize("name", ["MODELLER_IMAGE_CACHE", "MODELLER_POPULATION_CACHE"])
def test_cache_switches_read_like_every_switch(tmp_path, monkeypatch, name):
    """'false' had left a cache on (only 0/no/off were off) and 'maybe' was accepted."""
    from modeller import cachefiles

    for value, on in [("", True), ("true", True), ("false", False), ("0", False)]:
        monkeypatch.setenv(name, value)
        assert cachefiles.enabled(name) is on
    commands = [("run", "land-swap", "-b", "1991", "--out", tmp_path / "maps")]
    if name == "MODELLER_POPULATION_CACHE":  # (the timeline draws no images)
        commands.append(("timeline", "land-swap", "--baselines", "1991", "-o", tmp_path / "t"))
    for args in commands:
        result = cli(*args, env={name: "maybe"})
        assert_clean_error(result, f"{name}='maybe' is not a switch", "use 1 (on, the default)")
    assert not (tmp_path / "maps").exists() and not (tmp_path / "t").exists()


def _gpkg(path: Path, layers: dict) -> Path:
    import geopandas as gpd

    for layer, geometry in layers.items():
        frame = gpd.GeoDataFrame({"status": ["russia"]}, geometry=[geometry], crs=4326)
        frame.to_file(path, layer=layer, driver="GPKG")
    return path


def test_geopackage_baselines_are_read_by_their_polygon_layer(tmp_path):
    """A Point had been told 'a position must be [longitude, latitude] … got [37.5, 48.0]'
    (a valid position); of several layers the first was read, whatever it held."""
    import shapely

    point, box = shapely.Point(37.5, 48.0), shapely.box(37.0, 47.5, 38.0, 48.5)
    args = ("run", "land-swap", "--no-maps", "-f", "json", "-b")
    result = cli(*args, _gpkg(tmp_path / "pt.gpkg", {"pts": point}))
    assert_clean_error(result, "pt.gpkg: feature 1: a Point has no area")
    two = _gpkg(tmp_path / "two.gpkg", {"pts": point, "area": box})
    ran = cli(*args, two)
    assert ran.exit_code == 0, ran.output
    statuses = json.loads(ran.stdout)["scenarios"][0]["statuses"]
    held = {r["status"]: r["baseline_km2"] for r in statuses}
    assert 7000 < held["russia"] < 8500, held  # the 1° × 1° box at 48° N: ~8,200 km²
    three = _gpkg(tmp_path / "three.gpkg", {"a1": box, "a2": box})
    result = cli(*args, three)
    assert_clean_error(result, "2 layers ('a1' (Polygon), 'a2' (Polygon))", "save that layer")


def test_a_unit_kept_in_a_geometry_collection_is_read_by_its_polygons(tmp_path, shared_data):
    """Kherson's outline in a GeometryCollection with a stray line had been dropped: 'missing
    unit Kherson' for a file that has it."""
    source = shared_data / "boundaries" / "ua_oblasts_minregion2020.geojson"
    data = json.loads(source.read_text(encoding="utf-8"))
    feature = next(f for f in data["features"] if "Херсон" in json.dumps(f, ensure_ascii=False))
    line = {"type": "LineString", "coordinates": [[30, 46], [31, 46.5]]}
    feature["geometry"] = {"type": "GeometryCollection", "geometries": [feature["geometry"], line]}
    units = tmp_path / "gc.geojson"
    units.write_text(json.dumps(data), encoding="utf-8")
    args = ("run", "land-swap", "--no-maps", "-f", "json")
    plain, collected = cli(*args, "--units", source), cli(*args, "--units", units)
    assert plain.exit_code == 0 and collected.exit_code == 0, collected.output
    first = json.loads(plain.stdout)["scenarios"][0]["statuses"]
    assert json.loads(collected.stdout)["scenarios"][0]["statuses"] == first


def test_a_file_named_twice_is_read_once_not_a_duplicate_of_itself(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, (REPO / "scenarios" / "land-swap.yaml").read_text(encoding="utf-8"), "d.yaml")
    result = cli("validate", "d.yaml", "d.yaml", "./d.yaml", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.count("ok: ") == 1, result.output


def test_a_huge_every_says_how_large_it_may_be(tmp_path):
    """'--every 1000000d' had been told to 'write a number of days or weeks', which it is."""
    args = ("timeline", "land-swap", "--baselines", "contact-line", "-o", tmp_path / "t")
    assert_clean_error(cli(*args, "--every", "1000000d"), "use at most 10,000d")


def test_a_zero_every_says_at_least_one_day(tmp_path):
    """'--every 0d' was told to 'write a number of days or weeks', which it is."""
    args = ("timeline", "land-swap", "--baselines", "contact-line", "-o", tmp_path / "t")
    for every in ("0d", "0w", "00d"):
        assert_clean_error(cli(*args, "--every", every), "must be at least 1")


def test_every_takes_ascii_digits_as_the_dates_do(tmp_path):
    """'--every ٣d' (Arabic-Indic three) had been read as 3d, though a date of such digits
    is refused: one rule for both."""
    args = ("timeline", "land-swap", "--baselines", "contact-line", "-o", tmp_path / "t")
    for every in ("\u0663d", "\uff13d", "\u0663w"):
        assert_clean_error(cli(*args, "--every", every), "write a number of days or weeks")


def test_a_timeline_day_in_an_archive_gap_names_the_nearest_days(shared_data, tmp_path):
    """'deepstate:2024-08-18' (a gap of the archive) listed only the archive's span in the
    timeline, where `run` names the nearest days held."""
    args = ("timeline", "land-swap", "--baselines", "deepstate:2024-08-18", "-o", tmp_path / "t")
    line = assert_clean_error(cli(*args), "is not in the archive")
    assert "nearest: deepstate:2024-08-17" in line and "deepstate:2024-08-20" in line


def test_a_file_name_with_markup_or_escapes_on_a_terminal_is_shown_as_written(tmp_path):
    """On a terminal the progress line read a baseline's name as rich markup: 'c[/]d'
    crashed the run with a MarkupError traceback, and escape codes reached the terminal."""
    import os
    import subprocess
    import sys

    main_fd, child_fd = os.openpty()
    name = "c[/]d\x1b]0;owned\x07.geojson"
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.run(
        [sys.executable, "-m", "modeller", "run", "land-swap", "-b", name, "--no-maps"],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    os.close(child_fd)
    chunks = []
    while True:
        try:
            data = os.read(main_fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(main_fd)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 2, shown
    assert "Traceback" not in shown and "MarkupError" not in shown, shown
    assert "GeoJSON file not found" in shown and "c[/]d" in shown
    assert "\x1b]0;owned" not in shown  # a title-setting escape never reaches the terminal


def test_a_line_break_in_a_file_name_leaves_each_message_on_one_line(tmp_path):
    """validate said 'ok: nl' and 'name.yaml (…)' on two lines; errors and warnings broke
    the same way (pages and CSV already showed the name with its escape)."""
    from click.testing import CliRunner

    from modeller.cli import main

    good = tmp_path / "nl\nname.yaml"
    good.write_text(
        "id: nl\ntitle: NL\nsteps:\n  - assign: russia\n    where: {oblast: Donetsk}\n"
        "  - assign: ukraine\n    where: {oblast: Lviv, held_by: russia}\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad\nname.yaml"
    bad.write_text("id: x\ntitle: [\n", encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(good)])
    assert ok.exit_code == 0 and ok.output == f"ok: {tmp_path}/nl\\x0aname.yaml (nl, 2 steps)\n"
    refused = runner.invoke(main, ["validate", str(bad)])
    assert refused.exit_code == 2
    assert refused.output == (
        f"error: {tmp_path}/bad\\x0aname.yaml:3: invalid YAML: did not find expected node content\n"
    )
    warned = runner.invoke(main, ["run", str(good), "-b", "1991", "--no-maps", "-f", "json"])
    assert warned.exit_code == 0, warned.output
    (said,) = [x for x in warned.stderr.splitlines() if x.startswith("warning:")]
    assert (
        said == f"warning: {tmp_path}/nl\\x0aname.yaml: step 2 selects nothing on 1991 (1991-12-01)"
    )
    # a Windows path stays one that can be copied (its backslashes not doubled)
    from modeller.errors import InputError

    for name in (r"D:\work\unit\uk.yaml", r"\\server\share\a.yaml"):
        assert str(InputError("bad", name, 3)) == f"{name}:3: bad"


def test_a_worker_dies_with_the_process_that_started_it(tmp_path):
    """An image worker forked as its painter was cancelled outlived it (a CI run of the
    SIGINT test found one still running); workers now die with their parent."""
    code = f"""
import os, sys, time
from modeller.interrupts import die_with_parent
parent = os.getpid()
child = os.fork()
if child == 0:
    die_with_parent(parent)
    # written whole, then renamed: the parent must not see an empty file
    open({str(tmp_path / "pid.part")!r}, "w").write(str(os.getpid()))
    os.rename({str(tmp_path / "pid.part")!r}, {str(tmp_path / "pid")!r})
    time.sleep(60)
    os._exit(0)
while not os.path.exists({str(tmp_path / "pid")!r}):
    time.sleep(0.01)
os._exit(0)  # the parent ends at once, as a cancelled painter does
"""
    subprocess.run([sys.executable, "-c", code], timeout=30, check=True)
    pid = int((tmp_path / "pid").read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the worker outlived the process that started it")


def test_control_and_bidi_characters_of_a_file_name_reach_no_output(shared_data, tmp_path):
    """A baseline named 'a\\x1b[31m\\u202eevil.geojson' reached the pages, the JSON and the
    CSV as it was: an escape that colours a terminal showing the CSV, an override that
    reverses the rest of a page's line. They are shown as escapes instead."""
    daily = shared_data / "deepstate" / "daily" / "deepstatemap_data_20250815.geojson"
    name = "a\x1b[31m\u202eevil.geojson"
    (tmp_path / name).write_bytes(daily.read_bytes())
    out = tmp_path / "maps"
    args = ["run", "land-swap", "-b", str(tmp_path / name), "--no-images", "-o", str(out)]
    for fmt in ("json", "csv"):
        result = CliRunner().invoke(main, [*args, "-f", fmt, "-O", str(tmp_path / f"r.{fmt}")])
        assert result.exit_code == 0, result.output
    texts = {
        p.name: p.read_text(encoding="utf-8") for p in [*out.glob("*.html"), *tmp_path.glob("r.*")]
    }
    assert len(texts) >= 3
    for page, text in texts.items():
        assert "\x1b" not in text and "\u202e" not in text, page
    doc = json.loads(texts["r.json"])
    baseline = doc["scenarios"][0]["baseline"]
    assert baseline["name"].endswith("a\\x1b[31m\\u202eevil.geojson"), baseline
    assert baseline["source"] == "user file a\\x1b[31m\\u202eevil.geojson", baseline


@pytest.mark.parametrize("value", ["abc", "-5", "1e5", "99999999999999", "\u0663"])
@pytest.mark.parametrize("command", ["run", "timeline"])
def test_a_malformed_source_date_epoch_is_said_before_any_work(
    tmp_path, monkeypatch, value, command
):
    """SOURCE_DATE_EPOCH='abc' was ignored (the outputs said 'now'), and 99999999999999
    ended the run, after all its work, in a ValueError traceback."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    args = {
        "run": ("run", "land-swap", "--no-maps", "-b", "1991"),
        "timeline": ("timeline", "land-swap", "--baselines", "1991", "-o", tmp_path / "t"),
    }[command]
    assert_clean_error(cli(*args), "SOURCE_DATE_EPOCH=", "is not a time", "whole seconds since")
    assert not (tmp_path / "t").exists()


def test_a_well_formed_source_date_epoch_dates_the_outputs(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " 1700000000 ")
    result = cli("run", "land-swap", "--no-maps", "-b", "1991", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["generated"] == "2023-11-14T22:13:20+00:00"


def test_a_baseline_file_with_a_comma_in_its_name_is_one_baseline(tmp_path):
    """--baselines splits at commas: 'my map, v2.geojson' had been read as the unknown
    baseline 'my map'. Commas inside an existing file's name keep it whole."""
    from modeller import archive
    from modeller.errors import InputError

    base = tmp_path / "my map, v2.geojson"
    base.write_text(json.dumps({**fc(POLY), "date": "2025-08-15"}), encoding="utf-8")
    assert archive.parse_specs(f"1991,{base},contact-line")[1] == [
        "1991",
        str(base),
        "contact-line",
    ]
    with pytest.raises(InputError, match="unknown baseline 'nope'"):  # no such file: as before
        archive.parse_specs("1991,nope, v2.geojson")


def test_one_baseline_named_twice_in_baselines_is_one_baseline(tmp_path):
    """'deepstate:D,deepstate:D' was one day, but 'contact-line,contact-line' (or one file
    written two ways) an error that two baselines describe one date."""
    from modeller import archive

    base = tmp_path / "base.geojson"
    base.write_text(json.dumps({**fc(POLY), "date": "2025-08-15"}), encoding="utf-8")
    twice = f"contact-line,1991,contact-line,{base},{tmp_path / '.' / 'base.geojson'},1991"
    assert archive.parse_specs(twice)[1] == ["contact-line", "1991", str(base)]


def test_a_date_every_feature_carries_dates_the_baseline_file(tmp_path):
    """A one-map file dated on its features, not at the top, was read as undated."""
    data = fc(POLY, properties={"date": "2024-05-31T10:00:00Z"})
    base = _geojson_file(tmp_path, json.dumps(data))
    result = cli("run", "--no-maps", "-f", "json", "-b", base, write(tmp_path, HEAD + STEP))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenarios"][0]["baseline"]["date"] == "2024-05-31"


def test_modellers_own_json_figures_given_as_polygons_are_named_as_such(tmp_path):
    """`-b figures.json` (a `--format json` file) said "geometry: unknown geometry type
    None; valid: Polygon, …", as if it were GeoJSON with a bad geometry."""
    figures = cli("run", "land-swap", "--no-maps", "-f", "json")
    assert figures.exit_code == 0, figures.output
    path = tmp_path / "figures.json"
    path.write_text(figures.stdout, encoding="utf-8")
    said = assert_clean_error(cli("run", "--no-maps", "-b", path, "land-swap"))
    assert "this is modeller's own figures (--format json), not geodata" in said, said
    other = tmp_path / "other.json"
    other.write_text('{"name": "zone", "points": [[37, 48]]}', encoding="utf-8")
    said = assert_clean_error(cli("run", "--no-maps", "-b", other, "land-swap"))
    assert "JSON without a GeoJSON 'type' (its top-level keys: 'name', 'points')" in said, said


def test_a_baseline_name_too_long_to_look_up_is_an_unknown_baseline():
    """Looking for a file whose name has a comma must not fail on a name the system cannot
    look up (too long): it had ended as 'cannot write ...: File name too long', status 1."""
    from modeller import archive
    from modeller.errors import InputError

    with pytest.raises(InputError, match="unknown baseline 'nope'"):
        archive.parse_specs("nope," + "a" * 300 + ".geojson")


@pytest.mark.parametrize(
    "key, value", [("status", "ukraine"), ("Status", "russia"), ("status", "Russia")]
)
def test_a_file_named_as_a_deepstate_day_holds_only_russian_and_grey_land(
    tmp_path, monkeypatch, key, value
):
    """Named deepstatemap_data_YYYYMMDD.geojson, a map of one's own with a Ukrainian
    feature crashed (KeyError: 'russia'), a 'Status' key counted Ukrainian land as Russian,
    and 'Russia' was dropped without a word."""
    folder = tmp_path / "days"
    folder.mkdir()
    square = "[[[37.5,47.9],[38.2,47.9],[38.2,48.3],[37.5,48.3],[37.5,47.9]]]"
    (folder / "deepstatemap_data_20250815.geojson").write_text(
        '{"type": "FeatureCollection", "features": [\n'
        '{"type": "Feature", "properties": {"status": "russia"}, "geometry": '
        f'{{"type": "Polygon", "coordinates": {square}}}}},\n'
        f'{{"type": "Feature", "properties": {{"{key}": "{value}"}}, "geometry": '
        '{"type": "Polygon", "coordinates": [[[36,47],[36.5,47],[36.5,47.4],[36,47.4],[36,47]]]}}\n'
        "]}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    result = cli("run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-15")
    assert_clean_error(result, "feature 2 has", "holds only Russian-held land", "baseline file")
    assert ":3:" in result.output  # the line where that feature starts


@pytest.mark.parametrize("first", ["[.nan, 48.0]", "[36, .inf]"])
def test_a_ring_closed_by_a_nan_is_said_not_a_traceback(tmp_path, first):
    """A ring starting and ending at [.nan, 48.0] ended in GEOS's "Points of LinearRing do
    not form a closed linestring" traceback (NaN is not equal to itself: the ring never
    closes), from validate and run alike."""
    (tmp_path / "nan.yaml").write_text(
        "id: nanp\ntitle: nan\nsteps:\n  - assign: russia\n    where:\n      polygon:\n"
        f"        geojson: {{type: Polygon, coordinates: [[{first}, [37, 48], [37, 49], "
        f"[36, 49], {first}]]}}\n",
        encoding="utf-8",
    )
    for command in (["validate"], ["run", "--no-maps"]):
        result = cli(*command, str(tmp_path / "nan.yaml"))
        assert_clean_error(result, "nan.yaml:5: step 1", "is not a finite number")
        assert "RuntimeWarning" not in result.output


@pytest.mark.parametrize(
    "written", ["2025-08-15Tgarbage", "2025-08-15 lol", "2025-08-15T", "2025-08-15T99:99"]
)
def test_a_baseline_date_with_something_other_than_a_time_after_it_is_refused(tmp_path, written):
    """'2025-08-15Tgarbage' was read as 2025-08-15 (anything after the day was dropped),
    while a scenario's date must be the day alone: a time may follow, nothing else."""
    base = _geojson_file(tmp_path, json.dumps({**fc(POLY), "date": written}))
    result = cli("run", "--no-maps", "-b", base, write(tmp_path, HEAD + STEP))
    assert_clean_error(result, f"date {written!r}", "YYYY-MM-DD", "2025-08-15T12:00:00Z")
    for fine in ("2025-08-15 12:30+03:00", "2025-08-15t12:00:00z"):  # (RFC 3339's t and z)
        timed = _geojson_file(tmp_path, json.dumps({**fc(POLY), "date": fine}))
        ok = cli("run", "--no-maps", "-f", "json", "-b", timed, write(tmp_path, HEAD + STEP))
        assert ok.exit_code == 0 and '"date": "2025-08-15"' in ok.stdout, ok.output


def test_a_deepstate_day_names_the_feature_by_its_place_in_the_file(tmp_path, monkeypatch):
    """A feature without a geometry before it had shifted the number (and line) given."""
    folder = tmp_path / "days"
    folder.mkdir()
    square = {"type": "Polygon", "coordinates": [[[36, 48], [36.3, 48], [36.3, 48.3], [36, 48]]]}
    feats = [
        {"type": "Feature", "properties": {}, "geometry": None},
        {"type": "Feature", "properties": {"status": "russia"}, "geometry": square},
        {"type": "Feature", "properties": {"status": "ukraine"}, "geometry": square},
    ]
    text = json.dumps({"type": "FeatureCollection", "features": feats}, indent=1)
    (folder / "deepstatemap_data_20250815.geojson").write_text(text, encoding="utf-8")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    result = cli("run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-15")
    line = 1 + text[: text.index('"status": "ukraine"')].count("\n")
    said = assert_clean_error(result, "feature 3 has status 'ukraine'")
    number = int(re.search(r"\.geojson:(\d+):", said).group(1))
    assert number < line and line - number <= 4, (number, line)  # where feature 3 starts


def test_the_embedded_water_missing_is_said_with_how_to_fix(tmp_path, monkeypatch):
    """A missing geodata/water.geojson ended in FileNotFoundError's traceback."""
    from modeller import geodata
    from modeller.errors import InputError

    monkeypatch.setattr(geodata, "geodata_dir", lambda: tmp_path)
    with pytest.raises(InputError, match="build_water.py") as caught:
        geodata.water.__wrapped__()
    assert caught.value.file == str(tmp_path / "water.geojson")


@pytest.mark.parametrize(
    "code, said", [(404, "HTTP 404 Not Found; check the date"), (503, "HTTP 503 x; try again")]
)
def test_a_download_refused_by_the_server_says_its_status(code, said):
    """An HTTP error read "Service Unavailable; try again later", a 404 too, without the
    status the server gave."""
    import urllib.error

    from modeller.cli_data import _why

    reason = "Not Found" if code == 404 else "x"
    assert _why(urllib.error.HTTPError("https://x.org/", code, reason, {}, None)).startswith(said)


def test_a_redirect_loop_and_a_missing_units_file_are_said_in_one_line_with_their_fix():
    """urllib's redirect loop said three lines ending "check the date"; a 404 from
    geoBoundaries said "check the date" though units have no date."""
    import urllib.error

    from modeller.cli_data import _why

    loop = "The HTTP server returned a redirect error that would lead to an infinite loop.\n"
    loop += "The last 30x error message was:\nFound"
    said = _why(urllib.error.HTTPError("https://x.org/", 302, loop, {}, None))
    assert "\n" not in said and "loop" in said and "check the date" not in said
    unfollowed = _why(urllib.error.HTTPError("https://x.org/", 304, "Not Modified", {}, None))
    assert unfollowed == "HTTP 304 Not Modified; try again later"  # (no loop said)
    moved = "geoBoundaries may have moved it"
    gone = _why(urllib.error.HTTPError("https://x.org/", 404, "Not Found", {}, None), moved)
    assert gone == f"HTTP 404 Not Found; {moved}"


@pytest.mark.parametrize("flag", ["", ', "grey_zone": false'])
def test_a_deepstate_day_with_grey_features_says_it_has_a_grey_zone(tmp_path, monkeypatch, flag):
    """Contested features without "grey_zone": true were counted as contested while the
    provenance said the source had no grey zone ("counts as Ukrainian-held")."""
    folder = tmp_path / "days"
    folder.mkdir()
    square = {"type": "Polygon", "coordinates": [[[37, 48], [37.3, 48], [37.3, 48.3], [37, 48]]]}
    grey = {"type": "Feature", "properties": {"status": "contested"}, "geometry": square}
    text = '{"type": "FeatureCollection"' + flag + ', "features": [' + json.dumps(grey) + "]}"
    (folder / "deepstatemap_data_20250815.geojson").write_text(text, encoding="utf-8")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    result = cli(
        "run", "freeze-current-lines", "--no-maps", "-f", "json", "-b", "deepstate:2025-08-15"
    )
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)["scenarios"][0]
    assert any(s["status"] == "contested" for s in entry["statuses"])
    assert "none in this source" not in json.dumps(entry["baseline"]), entry["baseline"]


def test_a_grey_zone_flag_written_as_text_is_refused(tmp_path, monkeypatch):
    """ "grey_zone": "false" (a string) was read as true."""
    folder = tmp_path / "days"
    folder.mkdir()
    (folder / "deepstatemap_data_20250815.geojson").write_text(
        '{"type": "FeatureCollection", "grey_zone": "false", "features": [{"type": "Feature", '
        '"properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[37, 48], [37.3, '
        "48], [37.3, 48.3], [37, 48]]]}}]}",
        encoding="utf-8",
    )
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(folder))
    result = cli("run", "land-swap", "--no-maps", "-b", "deepstate:2025-08-15")
    assert_clean_error(result, '"grey_zone" is "false"', "write true or false")


def test_one_day_written_two_ways_on_the_features_is_one_date(tmp_path):
    """'2025-08-15t10:00:00z' beside '2025-08-15T10:00:00Z' (or the day alone) was refused
    as two different dates: they were compared as text."""
    feats = [
        {**fc(POLY)["features"][0], "properties": {"date": d}}
        for d in ("2025-08-15t10:00:00z", "2025-08-15T10:00:00Z", "2025-08-15")
    ]
    base = _geojson_file(tmp_path, json.dumps({"type": "FeatureCollection", "features": feats}))
    result = cli("run", "--no-maps", "-f", "json", "-b", base, write(tmp_path, HEAD + STEP))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenarios"][0]["baseline"]["date"] == "2025-08-15"


def test_a_run_started_with_stdout_closed_writes_its_maps_and_ends_well(tmp_path):
    """Started with standard output closed (`>&-`, as some launchers start processes),
    run ended on a traceback ('NoneType' has no 'flush'), status 1, and wrote no maps."""
    out = tmp_path / "maps"
    done = subprocess.run(
        [sys.executable, "-m", "modeller", "run", "land-swap", "-b", "contact-line"]
        + ["--no-images", "-o", str(out)],
        preexec_fn=lambda: os.close(1),  # noqa: PLW1509 - the closed stream is the test
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (out / "index.html").is_file() and (out / "land-swap.html").is_file()


def test_a_baseline_with_dates_as_before_and_after_is_no_pieces_export(tmp_path):
    """'before'/'after' properties holding dates (a user's own fields) had been refused
    as modeller's pieces export: only statuses there make one."""
    path = tmp_path / "held.geojson"
    dated = fc(POLY, properties={"before": "2022-02-24", "after": "2022-03-01"})
    path.write_text(json.dumps(dated), encoding="utf-8")
    base = modeller.load_baseline(path)
    assert {p.before for p in base.pieces} == {"ukraine", "russia"}
    pieces = fc(POLY, properties={"before": "ukraine", "after": "dmz_zone"})
    path.write_text(json.dumps(pieces), encoding="utf-8")
    with pytest.raises(modeller.InputError, match="own export of a scenario's pieces"):
        modeller.load_baseline(path)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_an_output_that_cannot_encode_a_character_gets_an_escape_not_a_traceback(fmt):
    """PYTHONIOENCODING=ascii (or a latin-1 console): every format had ended in a traceback
    after the work, at the first dash of a title. JSON stays JSON (its escape is JSON's)."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    args = ["run", "land-swap", "--no-maps", "-b", "contact-line", "-f", fmt]
    done = subprocess.run(
        [sys.executable, "-m", "modeller", *args], capture_output=True, env=env, cwd=REPO
    )
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode("ascii")  # (nothing but ASCII)
    assert "\\u2014" in out  # 'Land swap — rest of Donbas': the dash as an escape
    if fmt == "json":
        assert json.loads(out)["scenarios"][0]["title"].startswith("Land swap \u2014")


def test_a_band_leaving_slivers_of_its_side_is_refused_with_a_depth_that_runs(
    tmp_path, shared_data
):
    """A 30 km band on the grey zone's side of DeepState's dump leaves 0.46 km² of it (under
    1 km²): the refusal said it 'covers all land held by contested (nothing lies farther
    than about 38 km from the line)', at 10, 20 and 30 km alike, and 'use a smaller km'
    without saying how small. It says what is left and a depth that runs."""
    dump = shared_data / "deepstate" / "raw" / "deepstate_raw_20250803T195825Z.geojson"
    band = "steps:\n  - assign: russia\n    where:\n"
    band += "      band: {along: contact, km: KM, side: contested}\n"
    path = write(tmp_path, HEAD + band.replace("KM", "30"))
    refused = cli("run", path, "-b", dump, "--no-maps")
    assert refused.exit_code == 2, refused.output
    said = refused.stderr.strip().splitlines()[-1]
    assert "nothing lies farther" not in said, said
    left = re.search(r"covers all land held by contested but ([0-9.]+) km²", said)
    assert left and 0 < float(left.group(1)) < 1, said
    depth = re.search(r"use a smaller km \(([0-9.]+) km or less\)", said)
    assert depth, said
    assert 0.1 <= float(depth.group(1)) < 30
    path.write_text(HEAD + band.replace("KM", depth.group(1)), encoding="utf-8")
    ran = cli("run", path, "-b", dump, "--no-maps")
    assert ran.exit_code == 0, ran.output


@pytest.mark.parametrize(
    "line, pair",
    [
        ("[[37.0, 48.0], [37.0000001, 48.0]]", "1 and 2"),  # ~1 cm: 6,489 km² ceded
        ("[[37.0, 48.0], [37.0, 48.0000001]]", "1 and 2"),  # ~1 cm: 5,472 km² ceded
        ("[[37.0, 48.0], [37.0, 48.0], [37.5, 48.2], [37.50005, 48.2]]", "3 and 4"),
    ],
)
def test_a_split_line_with_points_centimetres_apart_is_refused(tmp_path, line, pair):
    """Two points 1 cm apart were a split line: extended along that segment, it cut
    Donetsk by the last digit of a coordinate (6,489 or 5,472 km² for the same input
    rounded). Points under 10 m apart are refused, named; repeated points are one."""
    text = "steps:\n  - assign: russia\n    where:\n"
    text += f"      split: {{oblast: [Donetsk], line: {line}, keep: Kramatorsk}}\n"
    path = write(tmp_path, HEAD + text)
    said = cli("validate", path)
    assert said.exit_code == 2, said.output
    assert f"the split line's points {pair} are" in said.stderr, said.stderr
    assert "m apart" in said.stderr and "10 m or more" in said.stderr
    path.write_text(HEAD + text.replace(line, "[[37.0, 48.0], [37.0, 48.0], [37.5, 48.2]]"))
    assert cli("validate", path).exit_code == 0


@pytest.mark.parametrize(
    "where, said",
    [
        (
            "{band: {along: contact, km: 10, side: [ukraine, russia]}}",
            "'side' should be one side: both, ukraine, russia, contested",
        ),
        (
            "{band: {along: contact, km: [5, 10], side: ukraine}}",
            "'km' should be one number from 0.1 to 300, e.g. 15 (got [5, 10])",
        ),
        ("{near: {place: Kramatorsk, km: [5]}}", "'km' should be one number from 0.1 to 200"),
        (
            "{held_in: {baseline: pre-2022, status: [russia, dmz]}}",
            "'status' should be one status name, e.g. russia (got ['russia', 'dmz'])",
        ),
    ],
)
def test_a_list_where_one_value_goes_says_what_one_value_is(tmp_path, where, said):
    """A list given for a band's side or km, a disc's km or held_in's status was told in
    pydantic's words ('Input should be a valid string'), naming neither the key's values
    nor its bounds."""
    path = write(tmp_path, HEAD + f"steps:\n  - assign: russia\n    where: {where}\n")
    result = cli("validate", path)
    assert result.exit_code == 2, result.output
    assert said in result.stderr, result.stderr
    assert "Input should be" not in result.stderr


def test_a_colour_written_as_a_number_says_how_a_colour_is_written(tmp_path):
    """colour: 123456 (the '#' forgotten) was 'Input should be a valid string'."""
    text = "statuses:\n  dmz:\n    label: Zone\n    colour: 123456\n"
    path = write(tmp_path, HEAD + text + "steps:\n  - assign: dmz\n    where: {oblast: Donetsk}\n")
    result = cli("validate", path)
    assert result.exit_code == 2, result.output
    assert "'colour' should be a colour in quotes, '#' and six hex digits" in result.stderr
    assert "(got 123456)" in result.stderr and ":6:" in result.stderr  # (the colour's line)


def test_a_home_folder_path_is_read_as_the_api_reads_it(tmp_path, monkeypatch):
    """'--baseline=~/held.geojson' (the shell leaves '~' after '='), a scenario's
    'baseline: ~/held.geojson', a quoted '~/s.yaml' and '--baselines=~/…' had been "not
    found", while --units, --population, -O and the Python API read '~' as the home
    folder (and outputs name such a file '~/held.geojson')."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    square = [[[37.5, 48.0], [38.0, 48.0], [38.0, 48.3], [37.5, 48.3], [37.5, 48.0]]]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": square},
    }
    doc = {"type": "FeatureCollection", "date": "2025-08-15", "features": [feature]}
    (home / "held.geojson").write_text(json.dumps(doc), encoding="utf-8")
    scenario = HEAD + "steps:\n  - assign: russia\n    where: {oblast: Donetsk}\n"
    (home / "s.yaml").write_text(scenario, encoding="utf-8")
    ran = cli("run", "~/s.yaml", "--baseline=~/held.geojson", "--no-maps", "-f", "json")
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["scenarios"][0]["baseline"]["name"] == "~/held.geojson"
    own = write(tmp_path, scenario.replace("steps:", "baseline: ~/held.geojson\nsteps:"))
    assert cli("validate", own).exit_code == 0
    out = tmp_path / "tl"
    timeline = cli("timeline", "~/s.yaml", "--baselines=~/held.geojson", "-o", out)
    assert timeline.exit_code == 0, timeline.output
    assert (out / "timeline.csv").is_file()


def test_scenarios_in_subfolders_are_said_to_be_left_out(tmp_path):
    """A folder's subfolders of scenarios were skipped without a word (exit 0, one of three
    scenarios run), and a folder holding only subfolders said 'no *.yaml scenario files in
    this folder'; both now name the subfolders and how to read them."""
    folder = tmp_path / "proposals"
    for name in ("main", "2024/a", "2025/b"):
        path = folder / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        sid = Path(name).name
        path.write_text(
            f"id: p{sid}\ntitle: T\nsteps:\n  - assign: russia\n    where: {{oblast: Donetsk}}\n",
            encoding="utf-8",
        )
    checked = cli("validate", folder)
    assert checked.exit_code == 0, checked.output
    assert (
        "warning: " in checked.stderr
        and "its subfolders 2024/, 2025/ hold *.yaml" in checked.stderr
    )
    (folder / "main.yaml").unlink()
    refused = cli("validate", folder)
    assert refused.exit_code == 2, refused.output
    assert "no *.yaml scenario files in this folder (its subfolders 2024/, 2025/" in refused.stderr
    assert cli("validate", folder / "2024").exit_code == 0


@pytest.mark.parametrize("kind", ["file", "empty folder"])
def test_modeller_baselines_says_what_the_data_dir_it_was_given_is_not(tmp_path, kind):
    """With MODELLER_DATA_DIR set to a file, 'modeller baselines' said 'none found: set
    MODELLER_DATA_DIR', the variable already set; it names the value and what it lacks."""
    given = tmp_path / "data"
    given.write_text("x") if kind == "file" else given.mkdir()
    env = {"MODELLER_DATA_DIR": str(given), "MODELLER_DEEPSTATE_DIR": ""}
    listed = cli("baselines", env={**env, "COLUMNS": "300"})
    assert listed.exit_code == 0, listed.output
    said = " ".join(listed.output.split())
    assert f"MODELLER_DATA_DIR is '{given}', which holds no deepstate/daily/" in said, said
    assert "set MODELLER_DATA_DIR to" not in said


def test_a_cache_dir_that_is_a_file_is_said_once_and_the_run_goes_on(tmp_path):
    """MODELLER_CACHE_DIR naming a file switched off every cache and the lock that stops a
    second run into the same maps folder, without a word: the run says so, and works."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    out = tmp_path / "maps"
    ran = cli("run", "land-swap", "--no-images", "-o", out, env={"MODELLER_CACHE_DIR": str(afile)})
    assert ran.exit_code == 0, ran.output
    said = [line for line in ran.stderr.splitlines() if "MODELLER_CACHE_DIR" in line]
    assert len(said) == 1 and said[0].startswith("warning: "), ran.stderr
    assert "cannot be written" in said[0] and "point it at a folder" in said[0]
    assert (out / "index.html").is_file()


def test_a_polygon_file_from_the_home_folder_is_read_and_a_missing_one_says_where(
    tmp_path, monkeypatch
):
    """'polygon: {file: ~/zone.geojson}' was looked for in a folder named '~' beside the
    scenario (a baseline file of the same spelling is read from the home folder), and a
    missing file was said to be missing from '.'."""
    from modeller.scenario import load_scenario

    home = tmp_path / "home"
    home.mkdir()
    zone = {"type": "Polygon", "coordinates": [[[37, 48], [37.2, 48], [37.2, 48.2], [37, 48]]]}
    (home / "zone.geojson").write_text(json.dumps(zone), encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    step = STEP.replace("{oblast: Donetsk}", "{polygon: {file: '~/zone.geojson'}}")
    sc = load_scenario(write(tmp_path, HEAD + step, "home.yaml"))
    assert sc.steps[0].where.polygon.file == str(home / "zone.geojson")
    missing = STEP.replace("{oblast: Donetsk}", "{polygon: {file: nope.geojson}}")
    write(tmp_path, HEAD + missing, "missing.yaml")
    said = assert_clean_error(cli("validate", "missing.yaml"), "not found (looked in")
    assert f"polygon file 'nope.geojson' not found (looked in {tmp_path})" in said
