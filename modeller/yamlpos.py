"""Read YAML keeping the line of every key and list item, so errors can say file:line."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from . import inputs
from .errors import InputError, cut

Path_ = tuple[str | int, ...]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader (libyaml's when installed: ~10x faster) that leaves dates as text, so
    pydantic validates them with a clear error."""


# YAML 1.2's core schema, not PyYAML's 1.1 rules: numbers are decimal (1.1 read 017 as
# octal 15, 0x1F as 31, 1:30 as 90 and 1_000 as 1000), booleans are true/false only (1.1
# read yes/no/on/off as booleans), and 1e1 is a number; dates stay text, so pydantic
# validates them with a clear error. What is not a number is text, which a number field
# then refuses by line.
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag.rsplit(":", 1)[-1] not in {"timestamp", "int", "float", "bool"}
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


MAX_DIGITS = 30  # no figure a scenario holds (km, coordinates, people) needs more


def _decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """An integer as written in decimal: a leading zero is not octal (YAML 1.2). One of
    thousands of digits had given Python's own message ("Exceeds the limit (4300
    digits)…", no line)."""
    text = loader.construct_scalar(node)
    if len(text.lstrip("+-").lstrip("0")) > MAX_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"a number of {len(text):,} digits; no value in a scenario needs over {MAX_DIGITS}",
            node.start_mark,
        )
    return int(text)


_Loader.add_constructor("tag:yaml.org,2002:int", _decimal_int)


MAX_DEPTH = 60  # scenarios nest a few levels; thousands of '[' is an attack, not a scenario
STR, BINARY = "tag:yaml.org,2002:str", "tag:yaml.org,2002:binary"
COLLECTIONS = {  # YAML's other collections: what a scenario does not read, in words
    f"tag:yaml.org,2002:{tag}": words
    for tag, words in (("set", "sets"), ("omap", "ordered maps"), ("pairs", "pairs"))
}
KINDS = {"int": "a number", "float": "a number", "bool": "true/false", "null": "empty"}


def load_with_lines(path: Path) -> tuple[object, dict[Path_, int]]:
    """Parse one YAML document; return the data and a map from key path to 1-based line."""
    text = inputs.read_text(path, "scenario")
    bad = _control_character(text)
    if bad is not None:
        line, char = bad
        raise InputError(
            f"control character U+{ord(char):04X} in the file; scenarios are plain text "
            "(remove it)",
            str(path),
            line,
        )
    depth, deep_line = _nesting(text)
    if depth > MAX_DEPTH:
        raise InputError(
            f"nested more than {MAX_DEPTH} levels deep (brackets or indentation); scenarios "
            f"need a few levels: remove the extra nesting",
            str(path),
            deep_line,
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError("the file is empty; expected a scenario mapping", str(path), 1)
        _few_enough_steps(node, path)
        lines: dict[Path_, int] = {(): node.start_mark.line + 1}
        _walk(node, (), lines, path, text=text)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = str(exc.problem or exc)
        if "another document" in problem:  # a second '---' document
            problem = "a second document (after '---'): give one scenario per file"
        elif mark is not None and _tab_at(text, mark):  # "cannot start any token"
            problem += " (a tab: YAML indents with spaces only; replace the tab with spaces)"
        elif mark is not None and _hash_value_at(text, mark):  # {colour: #7570b3}
            problem += (
                " (in YAML '#' after a space starts a comment, which cut this line short: "
                "quote a colour, colour: '#7570b3')"
            )
        elif mark is not None and _long_key_at(text, mark):
            problem += (
                f" (a key over {LONG_KEY} characters: YAML reads no longer one; shorten the "
                "name, e.g. a status's, and give the long text as its label)"
            )
        elif (opened := _opened(exc, mark)) is not None:
            problem += f" ({opened})"
        raise InputError(f"invalid YAML: {problem}", str(path), line) from None
    except yaml.YAMLError as exc:  # e.g. a reader error: characters YAML does not allow
        raise InputError(f"invalid YAML: {_one_line(exc)}", str(path)) from None
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply", str(path)) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise InputError(f"invalid value: {_one_line(exc)}", str(path)) from None
    finally:
        loader.dispose()
    return data, lines


# (the line and paragraph separators too: the YAML reader breaks lines at them, so the
# line numbers of everything after had been one off, and a plain value broke in two)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# in a value (after YAML's escapes such as "\e" or "\u202e"): line breaks other than \n,
# and the bidirectional overrides and isolates that make text display in another order
BIDI = "\u202a-\u202e\u2066-\u2069"  # the overrides and isolates
# characters that show as nothing and do no work in a title or a note: the bidirectional
# marks, invisible operators, a byte order mark inside the text, the Mongolian vowel
# separator, interlinear annotation, tags (two titles that look the same had differed).
# Line-break and joining hints stay (zero width space, soft hyphen, word joiner; ZWJ and
# ZWNJ, which Persian, Indic scripts and emoji need).
INVISIBLE = "\u061c\u180e\u200e\u200f\u2061-\u2064\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
# a lone surrogate is no character at all (a value set in code can hold one: every export
# had then failed with UnicodeEncodeError, GeoPackage's as "GDAL could not write")
SURROGATE = "\ud800-\udfff"
VALUE_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI}{SURROGATE}]")
HIDDEN_VALUE = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI}{INVISIBLE}{SURROGATE}]")
# the one visible use of tags: a subdivision flag (black flag, tag letters, cancel tag: 🏴 + gbsct)
FLAG = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def _plain_value(text: str, path: Path, line: int) -> None:
    """A value that would reach pages, tables and terminals holds no control character
    (invisible ones are looked for once the file is valid: ``invisible_in``)."""
    said = value_control(text, invisible=False)
    if said is not None:
        raise InputError(said, str(path), line)


def invisible_in(data: object, loc: tuple = ()) -> tuple[tuple, str] | None:
    """(where, what is wrong) of the first key or value of ``data`` holding an invisible
    character (``INVISIBLE``), or None. Looked for after a file is otherwise valid, so that
    an oblast or label with one is still told what it reads as, which says more."""
    if isinstance(data, str):
        said = value_control(data)
        return (loc, said) if said is not None else None
    if not isinstance(data, dict | list):
        return None
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        found = invisible_in(key, loc) or invisible_in(value, (*loc, key))
        if found is not None:
            return found
    return None


def value_control(text: str, invisible: bool = True) -> str | None:
    """What is wrong with a value holding a control or bidirectional control character,
    or (``invisible``) an invisible one (None: nothing); for file values and for those set
    in code alike."""
    m = HIDDEN_VALUE.search(FLAG.sub("", text)) if invisible else VALUE_CONTROL.search(text)
    if m is None:
        return None
    code = ord(m.group())
    if re.fullmatch(f"[{SURROGATE}]", m.group()):
        return (
            f"lone surrogate U+{code:04X} in a value: it is no character and cannot be "
            "written as UTF-8 (text decoded with errors='surrogateescape' holds such); "
            "give the text as it should read"
        )
    if re.fullmatch(f"[{INVISIBLE}]", m.group()):
        name = unicodedata.name(m.group(), "").lower() or "a tag or format character"
        mark = m.group() in "\u061c\u200e\u200f"
        return (
            f"invisible character U+{code:04X} ({name}) in a value: it shows as nothing, "
            "so two texts that look the same would differ; remove it"
            + (" (pages, tables and images set the text's direction)" if mark else "")
        )
    kind = "bidirectional control" if re.fullmatch(f"[{BIDI}]", m.group()) else "control"
    return (
        f"{kind} character U+{code:04X} in a value; the text would reach pages, tables "
        "and terminals as it is: remove it (right-to-left text needs no control "
        "characters; a line break is \\n)"
    )


def _control_character(text: str) -> tuple[int, str] | None:
    """(line, character) of the first control character other than tab and line breaks."""
    m = CONTROL.search(text)
    return (inputs.line_at(text, m.start()), m.group()) if m else None


def _nesting(text: str) -> tuple[int, int]:
    """How deep the document's mappings and lists nest, and the line where that depth is
    reached, from YAML's event stream (parsed without recursion, so thousands of '[' cannot
    exhaust the stack, unlike composing them); depth 0 when the text is not valid YAML (the
    loader then says where)."""
    depth = deepest = line = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > deepest:
                    deepest, line = depth, event.start_mark.line + 1
                    if deepest > MAX_DEPTH:
                        break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # libyaml 0.2.5 (PyYAML 6.0.4's wheels) stops at 1,000 levels while scanning ahead,
        # before the events above reach MAX_DEPTH: the same verdict, at its line
        if "nesting depth" in str(exc.problem):
            mark = exc.problem_mark or exc.context_mark
            return max(deepest, MAX_DEPTH + 1), (mark.line + 1 if mark else line)
        return 0, 0
    except yaml.YAMLError:
        return 0, 0
    return deepest, line


LONG_KEY = 1024  # YAML's longest implicit key: past it, PyYAML sees no key at all


def _long_key_at(text: str, mark) -> bool:
    """Whether the error's line, or the one before it, holds a key too long for YAML."""
    lines = text.splitlines()
    rows = lines[max(0, mark.line - 1) : mark.line + 1]
    long_key = re.compile(  # where a key starts: the line's start (or '- '), '{' or ','
        rf"(?:^\s*(?:-\s+)?|[{{,]\s*)[^\s{{}}\[\],:][^{{}}\[\],:]{{{LONG_KEY},}}:"
    )
    return any(long_key.search(row) for row in rows)


_HASH_VALUE = re.compile(r"colou?r\s*:\s+#[0-9A-Fa-f]")  # colour: #ff0000, a comment


def _hash_value_at(text: str, mark) -> bool:
    """Whether the error's line, or the one before, has an unquoted colour (``colour:
    #7570b3``, read as a comment: in a flow mapping the closing brace is then missing)."""
    lines = text.splitlines()
    rows = lines[max(mark.line - 1, 0) : mark.line + 1]
    return any(_HASH_VALUE.search(row) for row in rows)


def _tab_at(text: str, mark) -> bool:
    """Whether the error's place is a tab in the line's indentation (or the tab itself)."""
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return False
    row = lines[mark.line]
    indent = row[: len(row) - len(row.lstrip(" \t"))]
    return "\t" in indent or row[mark.column : mark.column + 1] == "\t"


OPENERS = {  # what YAML was reading when it failed, as the writer would say it
    "quoted scalar": "a quote opened on line {line} is not closed: close it",
    "flow mapping": "a '{{' opened on line {line} is not closed: close it with '}}'",
    "flow sequence": "a '[' opened on line {line} is not closed: close it with ']'",
    "block mapping": "in the mapping that starts on line {line}: check the indentation",
    "block collection": "in the list that starts on line {line}: check the indentation",
}


def _opened(exc: yaml.MarkedYAMLError, mark) -> str | None:
    """Where what failed began, when on another line than the failure (an unclosed quote
    is found at the end of the file): 'a quote opened on line 2 is not closed'."""
    begun = exc.context_mark
    if begun is None or mark is None or begun.line == mark.line or not exc.context:
        return None
    for words, said in OPENERS.items():
        if words in exc.context:
            return said.format(line=begun.line + 1)
    return f"{exc.context}, on line {begun.line + 1}"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:199] + "…"


# steps a scenario may have (a proposal has tens): each cuts pieces that later steps cut
# again, so time grows faster than the count (400 discs ~30 s; 3,000 had run for hours);
# checked here as soon as a file is parsed, and by ``scenario`` of one built in code
MAX_STEPS = 1000


def _few_enough_steps(node, path: Path) -> None:
    """Refuse more than ``MAX_STEPS`` steps as soon as the file is parsed, before its
    values are built and checked one by one: a million '- {}' (4.75 MB) had taken 29 s and
    3 GB before the count was said."""
    top = _keyed(node)
    count, line = 0, None
    for key in ("steps", "phases"):
        items = top.get(key)
        if not isinstance(items, yaml.SequenceNode):
            continue
        line = line or next(k.start_mark.line + 1 for k, v in node.value if v is items)
        inner = [items] if key == "steps" else [_keyed(p).get("steps") for p in items.value]
        count += sum(len(s.value) for s in inner if isinstance(s, yaml.SequenceNode))
    if count > MAX_STEPS:
        raise InputError(too_many_steps(count), str(path), line)


def too_many_steps(count: int) -> str:
    """What to say of a scenario of ``count`` steps, past ``MAX_STEPS``."""
    return (
        f"{count:,} steps; a scenario may have at most {MAX_STEPS:,} (a proposal has tens): "
        "unite selectors with 'any_of' in one step, or split the file into several scenarios"
    )


def _keyed(node) -> dict:
    """A mapping node's values by their plain keys (empty for any other node)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _walk(
    node, prefix: Path_, lines: dict[Path_, int], path: Path, seen_nodes=None, text: str = ""
) -> None:
    seen_nodes = set() if seen_nodes is None else seen_nodes
    # every alias, to a plain value too: a megabyte-long source used 500 times (*name) had
    # gone whole into every row of every output (a 500 MB CSV from a 1 MB file)
    if id(node) in seen_nodes:
        raise InputError(
            "YAML aliases (*name) are not supported in scenarios: the value anchored (&name) "
            "here is used again; write the value out where it is needed",
            str(path),
            node.start_mark.line + 1,
        )
    seen_nodes.add(id(node))
    if isinstance(node, yaml.CollectionNode) and node.tag in COLLECTIONS:
        tag = node.tag.rsplit(":", 1)[-1]
        raise InputError(  # (a set's order differs from run to run; pairs read as lists)
            f"YAML {COLLECTIONS[node.tag]} (!!{tag}) are not read: write a plain list, e.g. "
            "[Donetsk, Luhansk], or a plain mapping",
            str(path),
            node.start_mark.line + 1,
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(
                    "keys must be plain words, not lists or mappings",
                    str(path),
                    key_node.start_mark.line + 1,
                )
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key_node.tag.endswith(":merge"):  # "<<: *defaults"
                raise InputError(
                    "YAML merge keys ('<<') are not read: write the keys out in each mapping",
                    str(path),
                    line,
                )
            if key_node.tag != STR:
                what = KINDS.get(key_node.tag.rsplit(":", 1)[-1], "value of its own kind")
                raise InputError(
                    f"key '{cut(key)}' reads as {what}, not a name: keys are words such as "
                    "id, steps or a status name (quote it to make it text)",
                    str(path),
                    line,
                )
            _plain_value(key, path, line)
            if key in seen:
                raise InputError(
                    f"duplicate key '{cut(key)}' (first given on line {seen[key]})",
                    str(path),
                    line,
                )
            seen[key] = line
            lines[prefix + (key,)] = line
            _walk(value_node, prefix + (key,), lines, path, seen_nodes, text)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[prefix + (i,)] = item.start_mark.line + 1
            _walk(item, prefix + (i,), lines, path, seen_nodes, text)
    elif isinstance(node, yaml.ScalarNode):
        if node.tag == BINARY:
            raise InputError(
                "binary values (!!binary) are not allowed in scenarios; write the text itself",
                str(path),
                node.start_mark.line + 1,
            )
        tagged = EXPLICIT_TAG.match(text, node.start_mark.index) if text else None
        if tagged is not None and node.tag != STR:
            # PyYAML's 1.1 constructors behind them: '!!float ""' had ended in a
            # traceback, '!!float 1:30' read as 90 (the decimal rules above bypassed)
            raise InputError(
                f"YAML tags such as {tagged.group(1)} are not read in scenarios: write the "
                "value itself (a number in digits, true/false, text in quotes)",
                str(path),
                node.start_mark.line + 1,
            )
        if node.tag in PLAIN_TEXT:  # '=' and '<<' as values are text in YAML 1.2 (1.1's
            node.tag = STR  # 'value' and 'merge' had no constructor: "invalid YAML")
        _plain_value(node.value, path, node.start_mark.line + 1)


# a node's own tag, after its anchor if it has one (the tag itself, to say it)
EXPLICIT_TAG = re.compile(r"(?:&\S+\s+)?(![^\s,\[\]{}]*)")
PLAIN_TEXT = {"tag:yaml.org,2002:value", "tag:yaml.org,2002:merge"}


def line_in(path, loc: tuple) -> int | None:
    """The line of ``loc`` in the scenario file at ``path`` (read again: only for an error)."""
    return line_of(load_with_lines(Path(path))[1], loc)


def line_of(lines: dict[Path_, int], loc: tuple) -> int | None:
    """The line of the deepest known prefix of a pydantic error location."""
    keys = tuple(k for k in loc if isinstance(k, int | str))
    for end in range(len(keys), -1, -1):
        if keys[:end] in lines:
            return lines[keys[:end]]
    return None
