"""YAML parsing that remembers where every value came from, so validation errors can name the line.

PyYAML's ``safe_load`` throws the positions away; composing the node tree first keeps them. A user
who mistypes a target on line 42 of ``goals.yml`` should read "goals.yml:42 goals[3].target", not a
Python traceback or a bare pydantic location tuple.

Anchors and aliases (``&name``, ``*name``) are refused where they appear. ``goals.yml`` never needs
them, and an alias turns the tree into a graph that every walk of the data (the duplicate-key check,
pydantic) expands: nine nested aliases in a few hundred bytes (a "billion laughs" file) would keep
definitions from loading for minutes. Refusing them while composing keeps parsing linear in the
file's size. Events come from libyaml when PyYAML was built with it (5-10x faster than the pure
Python scanner); the tree is composed in Python, which is what lets each event be inspected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_EventSource: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LocatedDocument:
    """A parsed YAML document plus its node tree for looking up line numbers by path."""

    data: Any
    root: Node | None

    def line_of(self, path: Sequence[str | int]) -> int:
        """1-based line of the deepest node along ``path`` that exists (the parent of a missing key)."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for step in path:
            node = _child(node, step)
            if node is None:
                break
            line = node.start_mark.line + 1
        return line


class LocatedYamlError(ValueError):
    """Valid YAML that is refused anyway; ``line`` (1-based) and ``path`` say where."""

    def __init__(self, message: str, line: int, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.line = line
        self.path = path


class DuplicateKeyError(LocatedYamlError):
    """A mapping repeats a key: YAML would silently keep the last one, hiding the first."""

    def __init__(self, key: str, line: int, path: tuple[str | int, ...]) -> None:
        super().__init__(f"duplicate key {key!r}", line, path)
        self.key = key


class AliasError(LocatedYamlError):
    """An anchor or alias: refused rather than expanded (see the module docstring)."""

    def __init__(self, event: NodeEvent) -> None:
        what = f"alias '*{event.anchor}'" if isinstance(event, AliasEvent) else f"anchor '&{event.anchor}'"
        super().__init__(
            f"YAML {what} is not allowed: this file never needs anchors (&) or aliases (*); "
            "write each value out where it is used",
            event.start_mark.line + 1,
        )


class _AliasRefusingLoader(_EventSource, Composer):
    """A safe loader whose Python composer refuses every anchored or aliased node."""

    get_single_node = Composer.get_single_node
    """libyaml's composer (when present) is C code that would resolve aliases out of sight."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        Composer.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, NodeEvent) and event.anchor is not None:
            raise AliasError(event)
        return super().compose_node(parent, index)


def parse_located(text: str) -> LocatedDocument:
    """Compose then construct one YAML document (one pass over the text).

    Raises ``yaml.YAMLError``, or a ``LocatedYamlError`` for a duplicate key, an anchor or an alias.
    """
    loader = _AliasRefusingLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return LocatedDocument(data=None, root=None)
        _reject_duplicate_keys(root, ())
        return LocatedDocument(data=loader.construct_document(root), root=root)
    finally:
        loader.dispose()


def format_path(path: Sequence[str | int]) -> str:
    """``("goals", 2, "period", "type")`` -> ``goals[2].period.type``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _child(node: Node | None, step: str | int) -> Node | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == str(step):
                return value_node
    elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]
    return None


def _reject_duplicate_keys(node: Node, path: tuple[str | int, ...]) -> None:
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise DuplicateKeyError(key, key_node.start_mark.line + 1, (*path, key))
            seen.add(key)
            _reject_duplicate_keys(value_node, (*path, key))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(item, (*path, index))
