"""A JSON syntax error said as a person would: on which line, what is wrong and how to
mend it (Python's ``json`` says "Expecting value" for a trailing comma and "Expecting ','
delimiter" for a file cut short)."""

from __future__ import annotations

import json
import re

_CLOSER = {"{": "}", "[": "]"}


def explain(text: str, exc: json.JSONDecodeError) -> tuple[int | None, str]:
    """The line to point at and what is wrong there, with the way to mend it (no line for
    a text that does not even start as JSON: a YAML, CSV or text file given as GeoJSON)."""
    pos, msg = exc.pos, exc.msg
    at = text[pos : pos + 1]
    before = text[:pos].rstrip()
    if text.lstrip()[:1] not in ("{", "[", ""):
        return None, (
            f"{exc}; it is not JSON at all (a YAML, CSV or text file?): give a GeoJSON "
            "file, which starts with '{'"
        )
    if not text[pos:].strip() and msg.startswith("Expecting"):
        return _cut_short(text)
    if text.startswith(("//", "/*"), pos):
        return exc.lineno, "a comment (JSON allows none): remove it"
    if msg == "Expecting value" or msg.startswith("Expecting property name"):
        if before.endswith(",") and at in ("]", "}"):
            return (
                _line(text, len(before) - 1),
                "a comma after the last item of a list or object (JSON allows none): remove it",
            )
        if at in ("'", "‘", "’"):
            return (
                exc.lineno,
                'a key or text in single quotes (JSON takes double quotes: "type"): replace them',
            )
        if msg.startswith("Expecting property name"):
            return (
                exc.lineno,
                f"a key without double quotes at column {exc.colno} (JSON writes keys "
                'as "type"): quote it',
            )
        word = re.match(r"[^\s,\]}]{1,20}", text[pos:])
        what = f" ({word.group()!r})" if word else ""
        return (
            exc.lineno,
            f'no value at column {exc.colno}{what}: JSON values are numbers, "text", '
            "true, false, null, [lists] and {objects}",
        )
    if msg == "Extra data":
        return (
            exc.lineno,
            "more after the end of the document (a second document, or text pasted after "
            "it): remove it; a GeoJSON file holds one object",
        )
    if msg.startswith("Expecting ':' delimiter"):
        return exc.lineno, f"a ':' is missing after a key, before column {exc.colno}"
    if msg.startswith("Expecting ',' delimiter"):
        last = _line(text, len(before) - 1)
        if last != exc.lineno:  # (json points at the next item: the comma goes before it)
            return last, "a ',' is missing after the last item on this line: add it"
        return exc.lineno, f"a ',' is missing between two items, before column {exc.colno}"
    if msg.startswith("Unterminated string"):
        return exc.lineno, 'a text opened with " here is never closed: add the closing "'
    if msg.startswith("Invalid control character"):
        return (
            exc.lineno,
            f"a line break or tab inside a text at column {exc.colno}: write it as \\n "
            "or \\t, or close the text before it",
        )
    if msg.startswith(("Invalid \\escape", "Invalid \\u")):
        return exc.lineno, f"a backslash JSON cannot read at column {exc.colno}: write it as \\\\"
    return exc.lineno, f"{msg} at column {exc.colno}"


def _cut_short(text: str) -> tuple[int, str]:
    """The file ends inside the document: the bracket opened last and never closed."""
    opened: list[int] = []
    in_text = escaped = False
    for i, ch in enumerate(text):
        if in_text:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_text = False
        elif ch == '"':
            in_text = True
        elif ch in "{[":
            opened.append(i)
        elif ch in "}]" and opened:
            opened.pop()
    end = _line(text, len(text.rstrip()) - 1) if text.strip() else 1
    if in_text:
        return end, "the file ends inside a text: it was cut short; write or download it again"
    if not opened:
        return end, "the file ends where a value should follow: it was cut short"
    first = opened[-1]
    return (
        end,
        f"the file ends before the '{text[first]}' of line {_line(text, first)} is closed "
        f"with '{_CLOSER[text[first]]}': it was cut short; write or download it again",
    )


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, max(pos, 0)) + 1
