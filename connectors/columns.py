"""Raw tables declared as data: columns by JSON path and kind, from which both the decoding schema
and the Arrow schema of the landed table are derived.

A :class:`Column` names an output column (the API's own name, or the flattened name of a nested
field such as ``Contact.ContactID`` -> ``ContactID``), the dotted JSON path it comes from
(``Tracking[0].Name`` takes the first list element) and its kind. From the same declaration a
vendor's records module builds the JSON schema the page is decoded with (:class:`JsonShape`) and the
Arrow schema of the raw table (:attr:`Table.spec`), so a column cannot be documented, decoded and
typed three different ways. Xero and ConnectWise declare their tables this way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from connectors.arrow_json import field_path, nth_of_lists
from connectors.base import DELETED_COLUMN, TableSpec

Kind = Literal["string", "float", "int", "bool", "date", "timestamp", "decimal_text"]
"""``decimal_text``: a number the vendor sends as a JSON string (ConnectWise ``TimeEntry.hourlyCost``),
landed as a float."""

TIMESTAMP = pa.timestamp("ms", tz="UTC")
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "float": pa.float64(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": TIMESTAMP,
    "decimal_text": pa.float64(),
}
JSON_TYPES: dict[str, pa.DataType] = {
    **ARROW_TYPES,
    "date": pa.string(),
    "timestamp": pa.string(),
    "decimal_text": pa.string(),
}
"""Dates (Xero ``/Date(ms+0000)/``, ConnectWise ISO 8601) and numbers sent as text arrive as strings and
are parsed after decoding, so that one bad value rejects its record instead of the page."""

_SEGMENT = re.compile(r"^(?P<name>\w+)(?:\[(?P<index>\d+)\])?$")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "string"
    path: str = ""

    @property
    def source(self) -> str:
        return self.path or self.name

    def segments(self) -> list[tuple[str, int | None]]:
        """The path as ``(field, list index or None)`` steps."""
        steps = []
        for part in self.source.split("."):
            match = _SEGMENT.match(part)
            if match is None:
                raise ValueError(f"bad column path {self.source!r}")
            index = match["index"]
            steps.append((match["name"], int(index) if index is not None else None))
        return steps


def columns(spec: str, kind: Kind) -> tuple[Column, ...]:
    """Several same-kind columns named as in the API: ``columns("SubTotal TotalTax Total", "float")``."""
    return tuple(Column(name, kind) for name in spec.split())


@dataclass(frozen=True)
class Table:
    """A raw table's columns and merge keys (``_is_deleted`` is appended to every table)."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    version_column: str | None = None
    replace_by: tuple[str, ...] | None = None

    @property
    def spec(self) -> TableSpec:
        fields = [
            pa.field(c.name, ARROW_TYPES[c.kind], nullable=c.name not in self.primary_key)
            for c in self.columns
        ]
        fields.append(pa.field(DELETED_COLUMN, pa.bool_(), nullable=False))
        return TableSpec(self.name, pa.schema(fields), self.primary_key, self.version_column, self.replace_by)


@dataclass
class JsonShape:
    """A JSON object (or list of objects) in the schema tree built from column paths."""

    is_list: bool = False
    children: dict[str, JsonShape | pa.DataType] = field(default_factory=dict)

    def add(self, column: Column) -> None:
        node = self
        steps = column.segments()
        for name, index in steps[:-1]:
            child = node.children.setdefault(name, JsonShape(is_list=index is not None))
            assert isinstance(child, JsonShape), f"{column.source} crosses a scalar"
            node = child
        name, index = steps[-1]
        if index is not None:
            raise ValueError(f"{column.source}: a path cannot end in a list element")
        node.children.setdefault(name, JSON_TYPES[column.kind])

    def arrow(self) -> pa.DataType:
        struct = pa.struct(
            [(n, c.arrow() if isinstance(c, JsonShape) else c) for n, c in self.children.items()]
        )
        return pa.list_(struct) if self.is_list else struct


def record_shape(columns: Iterable[Column]) -> JsonShape:
    """The JSON shape holding ``columns`` (add child lists to it with :meth:`JsonShape.add`)."""
    root = JsonShape()
    for column in columns:
        root.add(column)
    return root


def resolve(items: pa.StructArray, column: Column) -> pa.Array:
    """A column's values by its path (``Tracking[0].Name``: first list element, null if none)."""
    values: pa.Array = items
    for name, index in column.segments():
        values = field_path(values, name)
        if index is not None:
            values = nth_of_lists(values, index)
    return values
