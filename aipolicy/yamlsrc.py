"""YAML loading that remembers where every value came from.

PyYAML's node graph carries line numbers; the plain constructors throw them away.
``load_yaml`` returns ordinary dicts/lists/scalars, wrapped so that every mapping and
sequence knows its own line and the line of each key/item. Validation code uses
``Src`` to report ``file:line: field: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .sources import FileReader, Sources


class LineDict(dict):
    """A dict that knows the line of each key (1-based) and its own line."""

    line: int
    key_lines: dict[str, int]


class LineList(list):
    """A list that knows the line of each item (1-based) and its own line."""

    line: int
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that builds LineDict/LineList and rejects duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain scalars", key_node.start_mark
            )
        key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Dates stay strings: the schema decides what a date is and reports bad ones itself.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml_text(text: str, file: str) -> Any:
    """Parse YAML text; syntax errors become a ConfigError naming file and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        raise ConfigError.single(file, line, "(syntax)", problem) from None
    except yaml.YAMLError as exc:
        raise ConfigError.single(file, None, "(syntax)", str(exc)) from None


def load_yaml(path: str | Path, sources: Sources | None = None) -> Any:
    """Read (through ``sources``, by default from disk) and parse a YAML file; a missing
    or unreadable file is a ConfigError."""
    p = Path(path)
    try:
        text = (sources or FileReader()).read_text(p)
    except OSError as exc:
        raise ConfigError.single(str(p), None, "(file)", f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError.single(str(p), None, "(file)", "not valid UTF-8") from None
    return load_yaml_text(text, str(p))


@dataclass(frozen=True)
class Src:
    """Where a value lives: file, dotted field path and line. Used to build errors."""

    file: str
    field: str
    line: int | None

    def key(self, parent: Any, key: str) -> Src:
        """The location of ``parent[key]``."""
        line = parent.key_lines.get(key) if isinstance(parent, LineDict) else None
        field = f"{self.field}.{key}" if self.field else key
        return Src(self.file, field, line or self.line)

    def item(self, parent: Any, index: int) -> Src:
        """The location of ``parent[index]``."""
        line = None
        if isinstance(parent, LineList) and index < len(parent.item_lines):
            line = parent.item_lines[index]
        return Src(self.file, f"{self.field}[{index}]", line or self.line)

    def error(self, message: str) -> ConfigError:
        from .errors import ConfigProblem

        return ConfigError([ConfigProblem(self.file, self.line, self.field or "(root)", message)])
