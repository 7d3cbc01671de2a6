"""User text made harmless for each output: spreadsheets, Markdown, terminals.

Scenario titles, summaries, sources, phase titles and file names are the user's text and
reach every output. HTML pages escape them through Jinja2's autoescape; this module does
the same job for the other three outputs:

- ``spreadsheet_cell``: a CSV cell a spreadsheet would run as a formula (starting with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or their full-width forms) is
  prefixed with ``'`` as OWASP's CSV-injection advice says, and so is each part of it after
  a ``;`` or a tab (where spreadsheets of some locales split a line); numbers stay numbers,
  so a negative figure is still ``-1234``.
- ``markdown_text``: ``&``, ``<`` and ``>`` become entities, so no raw HTML passes
  through a Markdown renderer; ``|`` cannot break a table, and ``[``, ``]``, backticks,
  ``*``, ``_`` and ``~`` are backslash-escaped, so a title cannot become a Markdown link,
  a remote image, code or emphasis (a bare URL may still be shown as a link by renderers
  that link them, as GitHub's does).
- ``terminal_text``: escape sequences (CSI, OSC, …) and other control characters are
  removed, so a title cannot move the cursor, retitle the window or hide text; rich
  markup is escaped separately where rich prints (``[bold]`` stays literal).
"""

from __future__ import annotations

import re
import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # the 8-bit OSC
)
# control characters, and the bidirectional overrides/isolates that reorder what follows
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"[|`*_\[\]~]")  # table cells, code, emphasis, links and images
_LINE_START = re.compile(r"[#+=-]|\d{1,9}[.)](?=\s|$)")  # what opens a heading or a list


_LEADING_SPACE = " \u00a0\u2007\u202f\u3000"  # what a spreadsheet's import may trim first


_SEPARATOR = re.compile(r"([,;])")  # where spreadsheets split a line (by locale)
_INNER = re.compile(r"([;\t\r\n])")  # where a cell's text may start a cell or row there


def _runs(text: str, quotes: bool = False) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula, once its leading spaces are
    trimmed (" =1+1": an import option of LibreOffice and others trims them), and with
    ``quotes`` its leading double quotes (a part inside a cell, which a spreadsheet
    splitting at ``;`` reads as a quoted field of its own)."""
    body = text.lstrip(_LEADING_SPACE + ('"' if quotes else ""))
    return body.startswith(FORMULA_STARTS) and not _NUMBER.match(body)  # "-12.5": a number


def spreadsheet_cell(value: object) -> object:
    """``value`` for a CSV cell: text that a spreadsheet would run gets a leading ``'``;
    so does each part of it after a ``;`` or a tab, where a spreadsheet set to split lines
    there (German, French, Dutch Excel split at ``;``) starts a cell, and after a line
    break, where such a spreadsheet, reading the cell's quotes as text, starts a row."""
    if not isinstance(value, str):
        return value
    parts = _INNER.split("'" + value if _runs(value) else value)  # (separators: odd places)
    for i in range(2, len(parts), 2):
        if _runs(parts[i], quotes=True):
            parts[i] = "'" + parts[i]
    return "".join(parts)


def csv_comment(text: object) -> str:
    """``text`` as one '#' line above a CSV table, safe in a spreadsheet too: one that opens
    the file splits the line at its commas (or at ``;`` or tabs, by its locale) into cells,
    so each part that a spreadsheet would run gets a leading ``'`` (double quotes, which
    would join parts, become single; tabs become spaces)."""
    one = terminal_text(" ".join(str(text).splitlines())).replace('"', "'").replace("\t", " ")
    parts = _SEPARATOR.split(one)
    for i in range(2, len(parts), 2):
        body = parts[i].lstrip(" ")
        # a number too: split at commas only, '-1' of ',-1;' is the cell '-1;', no number
        if body.lstrip(_LEADING_SPACE).startswith(FORMULA_STARTS):
            parts[i] = parts[i][: len(parts[i]) - len(body)] + "'" + body
    return "# " + "".join(parts)


def markdown_text(text: object) -> str:
    """One line of Markdown-safe text: HTML escaped; table pipes and the characters of
    links, images, code and emphasis backslash-escaped (shown as written); no line breaks."""
    # control characters go first: stripping "ESC \\" after escaping took half of an
    # escaped backslash with it, and the '*' after it made emphasis again
    out = terminal_text(str(text if text is not None else "").replace("\n", " ")).strip()
    out = out.replace("\\", "\\\\")
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\g<0>", out)


def web_address(url: object) -> bool:
    """Whether a page or report may link to ``url``: an http(s) address with no space,
    control, format (bidi, zero-width) character, angle bracket or backslash in it, one
    rule for every output (``javascript:`` and the like are shown as text, never linked)."""
    text = str(url or "")
    clean = all(unicodedata.category(c)[0] not in "CZ" for c in text)
    return clean and bool(_WEB_ADDRESS.fullmatch(text))


_WEB_ADDRESS = re.compile(r"https?://[^\s<>\\]+", re.IGNORECASE)


def markdown_address(url: str) -> str:
    """A web address as Markdown: one ``web_address`` accepts as a link (``<https://…>``:
    nothing in it is read as Markdown); any other as text, as the pages show it."""
    return f"<{url}>" if web_address(url) else markdown_text(url)


def markdown_paragraph(text: object) -> str:
    """``markdown_text`` for the start of a line: '# ', '- ', '+ ', '1. ' (and '=' under a
    line) would make a heading or a list of it, so that first character is escaped ('>' is
    already &gt;). Table cells and text after other words need no such escape."""
    out = markdown_text(text)
    start = _LINE_START.match(out)
    if not start:
        return out
    if start[0][0].isdigit():  # '1. ' stays a number: its '.' or ')' is escaped
        return start[0][:-1] + "\\" + out[start.end() - 1 :]
    return "\\" + out


def visible_text(text: object) -> str:
    """``text`` with each control character, line break and bidirectional mark written as
    its escape (``\\x1b``, ``\\u202e``): a file name in a page, a table or an image reads
    as it is named, and cannot colour or reorder what follows it (names that differ only
    in such characters stay apart, as they would not if the characters were dropped).

    A backslash is doubled where it would otherwise read as the start of such an escape
    (before ``x``, ``u``, a backslash or an escaped character): a file named ``a\\x1b``
    stays apart from one holding an ESC; ``C:\\maps\\run`` is shown as it is."""

    def escaped(m: re.Match) -> str:
        if m[0] == "\\":
            return "\\\\"
        code = ord(m[0])
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _INVISIBLE.sub(escaped, str(text))


# (and lone surrogates: the bytes of a file name that is not UTF-8, as Python reads it,
# which no UTF-8 output can hold: a timeline of such a file had crashed after all its work)
_HIDDEN = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_INVISIBLE = re.compile(rf"\\(?=[xu\\{_HIDDEN}])|[{_HIDDEN}]")


def terminal_path(path: object) -> str:
    """A file name for a line on the terminal: each control character, line break and
    bidirectional mark written as its escape (as ``visible_text``), backslashes as they
    are, so that a Windows path (``D:\\work\\unit.yaml``) can be copied from the line."""
    return _HIDDEN_ONLY.sub(lambda m: visible_text(m[0]), str(path))


_HIDDEN_ONLY = re.compile(f"[{_HIDDEN}]")


def terminal_text(text: object) -> str:
    """``text`` without escape sequences or control characters (tabs and newlines kept);
    a lone surrogate (a byte of a name that is not UTF-8) written as its escape."""
    out = _ESCAPE_SEQUENCE.sub("", str(text))
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", _CONTROL.sub("", out))


_SURROGATE = re.compile("[\ud800-\udfff]")
