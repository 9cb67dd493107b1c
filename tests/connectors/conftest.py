"""Shared helpers for connector tests: virtual time and draining a stream like the landing code.

Connector tests talk real HTTP to the sandbox (``sandbox.service.server.run_sandbox``); only
time is virtual, so a 10-second back-off is asserted without being spent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyarrow as pa
import pytest

from connectors.base import Stream, StreamState
from connectors.catalog import CatalogStream, Sync
from connectors.http import HttpSettings


class VirtualTime:
    """A monotonic clock that moves only when something sleeps on it; records every sleep."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def virtual_time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def fast_http(virtual_time: VirtualTime) -> HttpSettings:
    """Short timeouts and transport back-off; waits go to ``virtual_time``."""
    return HttpSettings(
        connect_timeout=2.0,
        read_timeout=5.0,
        backoff_factor=0.01,
        backoff_max=0.05,
        clock=virtual_time.monotonic,
        sleep=virtual_time.sleep,
    )


Drained = tuple[dict[str, pa.Table], StreamState]


def _drain(stream: Stream, state: Mapping[str, Any] | None = None) -> Drained:
    """Run ``stream.read`` to the end: every table's rows (in the declared schema) and the new state."""
    specs = {spec.name: spec for spec in stream.tables()}
    batches: dict[str, list[pa.RecordBatch]] = {name: [] for name in specs}
    output = stream.read(state)
    while True:
        try:
            name, batch = next(output)
        except StopIteration as done:
            tables = {n: pa.Table.from_batches(b, schema=specs[n].schema) for n, b in batches.items()}
            return tables, done.value
        assert batch.schema.equals(specs[name].schema), f"{stream.name}: batch schema differs for {name}"
        batches[name].append(batch)


def _drain_all(
    streams: Iterable[Stream], states: Mapping[str, Any] | None = None
) -> tuple[dict[str, pa.Table], dict[str, StreamState]]:
    """Drain several streams: tables by name (names are unique per vendor) and states by stream."""
    tables: dict[str, pa.Table] = {}
    new_states: dict[str, StreamState] = {}
    for stream in streams:
        stream_tables, new_states[stream.name] = _drain(stream, (states or {}).get(stream.name))
        tables.update(stream_tables)
    return tables, new_states


def _merged(old: pa.Table, new: pa.Table, key: Iterable[str]) -> pa.Table:
    """What landing keeps: ``old`` rows overwritten by ``new`` rows of the same key (last wins)."""
    key = list(key)
    combined = pa.concat_tables([old, new]).append_column(
        "_order", pa.array(range(old.num_rows + new.num_rows))
    )
    latest = combined.group_by(key).aggregate([("_order", "max")]).column("_order_max")
    return combined.take(latest).drop_columns(["_order"])


@pytest.fixture(scope="session")
def drain() -> Callable[..., Drained]:
    """``drain(stream, state)`` -> (tables by name, new state)."""
    return _drain


@pytest.fixture(scope="session")
def drain_all() -> Callable[..., tuple[dict[str, pa.Table], dict[str, StreamState]]]:
    """``drain_all(streams, states)`` -> (tables by name, states by stream name)."""
    return _drain_all


@pytest.fixture(scope="session")
def merged() -> Callable[[pa.Table, pa.Table, Iterable[str]], pa.Table]:
    """``merged(old, new, key)``: the rows landing keeps after loading ``new`` over ``old``."""
    return _merged


def _observed_catalogue(
    streams: Iterable[Stream], states: Mapping[str, StreamState]
) -> tuple[CatalogStream, ...]:
    """What drained streams actually did, as catalogue entries: the tables they declare (names and
    keys, read after the load so HubSpot objects have their properties) and, from the state a first
    load left, whether they read incrementally (a cursor to resume from) or in full (nothing)."""
    return tuple(
        CatalogStream.of(
            stream.name, Sync.INCREMENTAL if states[stream.name] else Sync.FULL_REFRESH, stream.tables()
        )
        for stream in streams
    )


ObservedCatalogue = Callable[[Iterable[Stream], Mapping[str, StreamState]], tuple[CatalogStream, ...]]


@pytest.fixture(scope="session")
def observed_catalogue() -> ObservedCatalogue:
    """``observed_catalogue(streams, states)``: compare with a source's ``CATALOG.streams``."""
    return _observed_catalogue
