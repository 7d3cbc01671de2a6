"""Read YAML keeping the line of every key and list item, so errors can say file:line."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import InputError

Path_ = tuple[str | int, ...]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader (libyaml's when installed: ~10x faster) that leaves dates as text, so
    pydantic validates them with a clear error."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_with_lines(path: Path) -> tuple[object, dict[Path_, int]]:
    """Parse one YAML document; return the data and a map from key path to 1-based line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", str(path)) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError("the file is empty; expected a scenario mapping", str(path), 1)
        lines: dict[Path_, int] = {(): node.start_mark.line + 1}
        _walk(node, (), lines, path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(f"invalid YAML: {exc.problem or exc}", str(path), line) from None
    finally:
        loader.dispose()
    return data, lines


def _walk(node, prefix: Path_, lines: dict[Path_, int], path: Path, seen_nodes=None) -> None:
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        if id(node) in seen_nodes:
            raise InputError(
                "YAML aliases (*name) are not supported in scenarios; write the value out",
                str(path),
                node.start_mark.line + 1,
            )
        seen_nodes.add(id(node))
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
            if key in seen:
                raise InputError(
                    f"duplicate key '{key}' (first given on line {seen[key]})", str(path), line
                )
            seen[key] = line
            lines[prefix + (key,)] = line
            _walk(value_node, prefix + (key,), lines, path, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[prefix + (i,)] = item.start_mark.line + 1
            _walk(item, prefix + (i,), lines, path, seen_nodes)


def line_of(lines: dict[Path_, int], loc: tuple) -> int | None:
    """The line of the deepest known prefix of a pydantic error location."""
    keys = tuple(k for k in loc if isinstance(k, int | str))
    for end in range(len(keys), -1, -1):
        if keys[:end] in lines:
            return lines[keys[:end]]
    return None
