"""The contract every connector stream honours, and the errors it may raise.

A stream knows how to page one vendor endpoint and turn the pages into Arrow record batches with an
explicit schema. It knows nothing of where the batches land: the caller (Dagster's landing code)
writes them and only then persists the state the stream returned, so a cursor never runs ahead of
committed data.

One stream may feed several raw tables (HubSpot deals also yield the deal stage history, Xero
invoices also yield their line items): each batch is yielded with the name of the table it belongs to.
"""

from __future__ import annotations

import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import pyarrow as pa

DELETED_COLUMN = "_is_deleted"
"""Boolean column every raw table carries: archived (HubSpot) or ``Status == "DELETED"`` (Xero).

Voided Xero documents and archived contacts stay live: their status is data the marts read."""

StreamState = dict[str, Any]
"""JSON-serialisable cursor state a stream returns and receives back on the next run."""

StreamOutput = Generator[tuple[str, pa.RecordBatch], None, StreamState]
"""Yields ``(table_name, batch)`` pairs; its return value (``StopIteration.value``) is the new state."""


@dataclass(frozen=True)
class TableSpec:
    """One raw table a stream writes: its Arrow schema and how rows are merged.

    ``primary_key`` identifies a row across runs; ``version_column`` orders versions of the same key
    so that the newest one wins a merge (``None``: the latest load wins). Landing adds ``_loaded_at``.
    """

    name: str
    schema: pa.Schema
    primary_key: tuple[str, ...]
    version_column: str | None = None
    replace_by: tuple[str, ...] | None = None
    """Child tables re-sent whole per parent (invoice line items per ``InvoiceID``, stage history per
    ``deal_id``): stored rows whose ``replace_by`` values appear in a load but whose key is absent
    from it are marked deleted, so a removed line or association does not linger."""


class Stream(ABC):
    """One vendor endpoint (or a family sharing one fetch) read incrementally."""

    vendor: str
    name: str

    @abstractmethod
    def tables(self) -> tuple[TableSpec, ...]:
        """The tables this stream yields batches for; may call the vendor's metadata endpoints once."""

    @abstractmethod
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        """Fetch everything changed since ``state`` (``None``: first, full load)."""


class FixedTablesStream(Stream):
    """A stream whose tables are declared on its class, so a catalogue can list them without a client."""

    specs: ClassVar[tuple[TableSpec, ...]]

    def tables(self) -> tuple[TableSpec, ...]:
        return self.specs


class IdleStream(Stream):
    """A stream of a source that is not configured: its tables exist, empty, so that the models
    reading them build, and nothing is read. A stored cursor is kept for when it is configured."""

    def __init__(self, vendor: str, name: str, specs: tuple[TableSpec, ...]) -> None:
        self.vendor = vendor
        self.name = name
        self._specs = specs

    def tables(self) -> tuple[TableSpec, ...]:
        return self._specs

    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        yield from ()
        return dict(state or {})


@dataclass
class ReadStats:
    """What reading a stream cost on the wire, for the per-stream timings landing reports.

    Streams make every call through :class:`connectors.http.HttpClient`, which adds to the stats
    being collected (see :func:`collect_read_stats`): ``requests`` counts every attempt sent,
    transport and 429 retries included; ``fetch_seconds`` is the time spent in those calls, waits
    for the rate limiter and back-off included, minus the time spent decoding bodies.
    """

    requests: int = 0
    fetch_seconds: float = 0.0
    deadline: float | None = None
    """When this stream must be done, on the HTTP settings' clock: set by the first request made
    (``HttpSettings.stream_deadline`` from then), so time spent before reading does not count."""


_COLLECTING: ContextVar[ReadStats | None] = ContextVar("connectors_read_stats", default=None)


@contextmanager
def collect_read_stats() -> Iterator[ReadStats]:
    """Count the HTTP calls made in this context (thread or task) until the block exits.

    A context variable rather than a counter on the client: one client (and its rate budget) is
    shared by all streams of a vendor, while the stats belong to the one stream being read. A
    generator runs in the context of whoever calls ``next`` on it, so the landing code wraps its
    drive of ``Stream.read`` in this block. Calls made from other threads are not counted.
    """
    stats = ReadStats()
    token = _COLLECTING.set(stats)
    try:
        yield stats
    finally:
        _COLLECTING.reset(token)


def collecting_read_stats() -> ReadStats | None:
    """The stats the current context collects into, or ``None`` when nobody is collecting."""
    return _COLLECTING.get()


class ConnectorError(RuntimeError):
    """Base class: a stream could not finish. Messages never contain credentials."""


class AuthenticationError(ConnectorError):
    """Credentials were rejected or could not be refreshed."""


class RateLimitExhausted(ConnectorError):
    """A quota that sleeping will not fix (HubSpot ``DAILY`` policy, Xero day limit): stop, retry later."""


class NoProgressError(ConnectorError):
    """Paging stopped moving forward (repeats, ids going backwards, more pages than promised)."""


class RepeatingCursorError(NoProgressError):
    """The API handed back a paging cursor it had already given: stopping instead of looping."""


class BudgetExhausted(ConnectorError):
    """The run's request budget or the stream's deadline (``HttpSettings``) is spent."""


class ApiError(ConnectorError):
    """A response that is neither success nor retryable, or retries ran out."""


class ResponseShapeError(ApiError):
    """A response that parses but is not the shape the vendor documents (``null``, a list for an
    object, a missing collection, an id that is not one).

    Raised with the JSON path and the problem only; :class:`connectors.http.HttpClient` adds the
    vendor, endpoint and status it read the body from, and :func:`names_stream` the stream, so the
    message reads ``hubspot contacts GET /crm/v3/objects/contacts (200): $.results[3].id: expected a
    string of digits, got 'in'`` -- everything needed to find the record the vendor broke.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem
        self.vendor = ""
        self.stream = ""
        self.endpoint = ""
        self.status: int | None = None

    def located(self, vendor: str, endpoint: str, status: int) -> ResponseShapeError:
        """Record where the body came from (first caller wins: the innermost knows best)."""
        if not self.endpoint:
            self.vendor, self.endpoint, self.status = vendor, endpoint, status
        return self

    def __str__(self) -> str:
        where = " ".join(part for part in (self.vendor, self.stream, self.endpoint) if part)
        status = f" ({self.status})" if self.status is not None else ""
        return f"{where}{status}: {self.path}: {self.problem}" if where else f"{self.path}: {self.problem}"


F = TypeVar("F", bound=Callable[..., Any])


def _name_stream(error: ApiError, stream: str) -> None:
    """Put ``stream`` into ``error``'s message, after the vendor it starts with, unless it is there.

    A :class:`ResponseShapeError` keeps it as a field; other API errors (a status the vendor
    answered, a page that stopped moving) read ``hubspot POST /crm/v3/...: HTTP 500 ...``, and
    become ``hubspot associations POST /crm/v3/...: HTTP 500 ...``.
    """
    if isinstance(error, ResponseShapeError):
        error.stream = error.stream or stream
        return
    message = str(error)
    vendor, _, rest = message.partition(" ")
    if len(error.args) == 1 and rest and f" {stream} " not in f" {message} ":
        error.args = (f"{vendor} {stream} {rest}",)


def names_stream(method: F) -> F:
    """Decorate ``Stream.read``/``tables`` so an :class:`ApiError` names the stream.

    The HTTP client that builds the error is shared by every stream of a vendor and cannot know
    which one is reading; the stream method on the stack can. Generators are wrapped with
    ``yield from``, so the new state they return passes through unchanged.
    """
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: Stream, *args: Any, **kwargs: Any) -> Any:
            try:
                return (yield from method(self, *args, **kwargs))
            except ApiError as error:
                _name_stream(error, self.name)
                raise

        return generator  # type: ignore[return-value]

    @functools.wraps(method)
    def plain(self: Stream, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except ApiError as error:
            _name_stream(error, self.name)
            raise

    return plain  # type: ignore[return-value]
