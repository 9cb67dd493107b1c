"""What a source lands, known without calling it: its streams, their raw tables, keys and sync kind.

A stream learns its full schema from the vendor at run time (HubSpot properties become columns), but
which tables it writes, what identifies their rows and whether it reads incrementally are fixed in
code. Each connector package states that once, as a :class:`SourceCatalog` built from its own
:class:`~connectors.base.TableSpec`\\ s, so the orchestrator, the checks and the docs test derive
their lists from it instead of restating them; a test holds each catalogue to what the streams
actually yield.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from connectors.base import TableSpec


def raw_schema(source: str) -> str:
    """The warehouse schema a source's raw tables land in (``raw_hubspot``, ``raw_xero``)."""
    return f"raw_{source}"


class Sync(StrEnum):
    """How a stream reads: everything every run, or what changed since its stored cursor."""

    FULL_REFRESH = "full_refresh"
    INCREMENTAL = "incremental"


@dataclass(frozen=True)
class CatalogTable:
    """One raw table: its name and the columns that identify a row across runs."""

    name: str
    primary_key: tuple[str, ...]

    @classmethod
    def of(cls, spec: TableSpec) -> CatalogTable:
        return cls(spec.name, spec.primary_key)


@dataclass(frozen=True)
class CatalogStream:
    """One stream: the tables it commits together with its cursor, and how it reads."""

    name: str
    sync: Sync
    tables: tuple[CatalogTable, ...]

    @classmethod
    def of(cls, name: str, sync: Sync, specs: Iterable[TableSpec]) -> CatalogStream:
        return cls(name, sync, tuple(CatalogTable.of(spec) for spec in specs))


@dataclass(frozen=True)
class SourceCatalog:
    """Every stream of one source, in the order its connector returns them."""

    source: str
    streams: tuple[CatalogStream, ...]

    @property
    def raw_schema(self) -> str:
        return raw_schema(self.source)

    @property
    def tables(self) -> tuple[CatalogTable, ...]:
        """Every raw table of the source, stream by stream."""
        return tuple(table for stream in self.streams for table in stream.tables)
