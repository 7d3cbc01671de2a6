"""GeoJSON that is not valid JSON is said with its line, what is wrong and the way to mend
it (Python's ``json`` had said "Expecting value" of a trailing comma, and "Expecting ','
delimiter" of a file cut short)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import jsonerrors
from modeller.cli import main

SQUARE = [[37.7, 48.9], [37.8, 48.9], [37.8, 49.0], [37.7, 49.0], [37.7, 48.9]]
GEOMETRY = {"type": "Polygon", "coordinates": [SQUARE]}
FEATURE = {"type": "Feature", "properties": {}, "geometry": GEOMETRY}
TEXT = json.dumps(
    {"type": "FeatureCollection", "date": "2025-08-15", "features": [FEATURE]}, indent=1
)


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


CASES = [
    # name, broken text, the line it must point at, words the message must hold
    ("trailing comma", TEXT.replace("}\n ]", "},\n ]"), "},\n ]", ["comma after the last item", "remove it"]),  # noqa: E501
    ("cut short", TEXT[: TEXT.index('"geometry"')], None, ["file ends before the '{' of line", "cut short"]),  # noqa: E501
    ("last brace lost", TEXT.rstrip()[:-1], None, ["'{' of line 1 is closed with '}'"]),
    ("single quotes", TEXT.replace('"date"', "'date'"), "'date'", ["single quotes", "double quotes"]),  # noqa: E501
    ("comment after", TEXT + "\n// the end\n", "// the end", ["a comment (JSON allows none)"]),
    ("comment inside", TEXT.replace('"features"', '/* x */ "features"'), "/* x */", ["a comment"]),
    ("comma missing", TEXT.replace('"FeatureCollection",', '"FeatureCollection"'), '"FeatureCollection"', ["',' is missing after the last item on this line"]),  # noqa: E501
    ("colon missing", TEXT.replace('"date":', '"date"'), '"date"', ["':' is missing after a key"]),
    ("second document", TEXT + "\n{}\n", "{}\n", ["more after the end of the document"]),
    ("bare word", TEXT.replace('"FeatureCollection"', "FeatureCollection"), "FeatureCollection", ["no value", "'FeatureCollection'"]),  # noqa: E501
    ("tab in a text", TEXT.replace("2025-08-15", "2025\t08-15"), "2025\t", ["tab inside a text", "\\t"]),  # noqa: E501
    ("bad escape", TEXT.replace("2025-08-15", "2025\\q08-15"), "2025\\q", ["backslash", "\\\\"]),
    ("key unquoted", TEXT.replace('"date"', "date"), "date:", ["key without double quotes"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("broken", "at", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_syntax_error_names_its_line_and_the_mend(broken, at, words):
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(broken)
    line, message = jsonerrors.explain(broken, caught.value)
    expected = _line_of(broken, at) if at else broken.rstrip().count("\n") + 1
    assert line == expected, message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("option", ["-b", "--units", "polygon"])
def test_a_file_with_a_trailing_comma_is_one_error_with_file_and_line(tmp_path, option):
    """As a baseline, a units file or a scenario's polygon file alike."""
    path = tmp_path / "held.geojson"
    path.write_text(CASES[0][1], encoding="utf-8")
    args = ["run", "freeze-current-lines", "--no-maps", option, str(path)]
    if option == "polygon":
        scenario = tmp_path / "s.yaml"
        scenario.write_text(
            "id: s\ntitle: S\nsteps:\n  - assign: russia\n"
            "    where: {polygon: {file: held.geojson}}\n",
            encoding="utf-8",
        )
        args = ["validate", str(scenario)]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 2 and "Traceback" not in done.output
    line = _line_of(CASES[0][1], "},\n ]")
    said = f"held.geojson:{line}: cannot read {'units ' if option == '--units' else ''}GeoJSON"
    assert f"{said}: a comma after the last item" in done.stderr


@settings(max_examples=300)
@given(
    doc=st.recursive(
        st.none()
        | st.booleans()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=5),  # noqa: E501
        lambda kids: (
            st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids, max_size=4)
        ),
    ),  # noqa: E501
    indent=st.sampled_from([None, 1]),
    cut=st.floats(0, 1),
    junk=st.sampled_from(["", ",", "}", "]", "'", "//", ":", "x"]),
)  # noqa: E501
def test_any_broken_document_gets_a_line_within_the_file_and_a_message(doc, indent, cut, junk):
    text = json.dumps({"features": doc}, indent=indent)
    at = int(len(text) * cut)
    broken = text[:at] + junk + text[at:]
    try:
        json.loads(broken)
    except json.JSONDecodeError as exc:
        line, message = jsonerrors.explain(broken, exc)
        if broken.lstrip()[:1] not in ("{", "["):  # (no line of a text that is no JSON)
            assert line is None and "it is not JSON at all" in message, message
            return
        assert 1 <= line <= broken.count("\n") + 1
        assert message and "Expecting" not in message and "char " not in message, message
