"""YAML parsing that remembers where every value came from, so validation errors can name the line.

PyYAML's ``safe_load`` throws the positions away; composing the node tree first keeps them. A user
who mistypes a target on line 42 of ``goals.yml`` should read "goals.yml:42 goals[3].target", not a
Python traceback or a bare pydantic location tuple.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


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


class DuplicateKeyError(ValueError):
    """A mapping repeats a key: YAML would silently keep the last one, hiding the first."""

    def __init__(self, key: str, line: int, path: tuple[str | int, ...]) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key
        self.line = line
        self.path = path


def parse_located(text: str) -> LocatedDocument:
    """Compose then construct one YAML document; raises ``yaml.YAMLError`` or ``DuplicateKeyError``."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        _reject_duplicate_keys(root, ())
    data = yaml.SafeLoader(text).get_single_data() if root is not None else None
    return LocatedDocument(data=data, root=root)


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
