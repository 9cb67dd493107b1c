"""Small reference streams re-read whole every run: owners, deal pipelines (with their stages) and
exchange rates.

They hold tens to hundreds of rows, so they go through plain JSON and ``pa.Table.from_pylist``
(clarity over speed), read through :mod:`connectors.shapes` so that a body of another shape names
its JSON path. Owners come from two list passes (live, then ``archived=true``) so a
deactivated rep keeps their row, flagged deleted. Pipeline stages are replaced per pipeline, so a
stage removed from a pipeline is marked deleted by the landing code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import pyarrow as pa

from connectors.base import (
    DELETED_COLUMN,
    FixedTablesStream,
    ResponseShapeError,
    StreamOutput,
    TableSpec,
    names_stream,
)
from connectors.http import describe
from connectors.hubspot.client import HubspotClient, missing_scopes
from connectors.hubspot.values import TIMESTAMP, convert_named
from connectors.paging import CursorGuard, PageProgress
from connectors.shapes import (
    json_reader,
    objects,
    optional_object,
    optional_scalar,
    optional_string,
    required_object,
)

log = logging.getLogger(__name__)

OWNERS = TableSpec(
    name="owners",
    schema=pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("email", pa.string()),
            pa.field("first_name", pa.string()),
            pa.field("last_name", pa.string()),
            pa.field("user_id", pa.int64()),
            pa.field("user_id_including_inactive", pa.int64()),
            pa.field("type", pa.string()),
            pa.field("primary_team_id", pa.string()),
            pa.field("primary_team_name", pa.string()),
            pa.field("archived", pa.bool_()),
            pa.field("created_at", TIMESTAMP),
            pa.field("updated_at", TIMESTAMP),
            pa.field(DELETED_COLUMN, pa.bool_(), nullable=False),
        ]
    ),
    primary_key=("id",),
    version_column="updated_at",
)

DEAL_PIPELINES = TableSpec(
    name="deal_pipelines",
    schema=pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("label", pa.string()),
            pa.field("display_order", pa.int64()),
            pa.field("archived", pa.bool_()),
            pa.field("created_at", TIMESTAMP),
            pa.field("updated_at", TIMESTAMP),
            pa.field(DELETED_COLUMN, pa.bool_(), nullable=False),
        ]
    ),
    primary_key=("id",),
)

DEAL_PIPELINE_STAGES = TableSpec(
    name="deal_pipeline_stages",
    schema=pa.schema(
        [
            pa.field("pipeline_id", pa.string(), nullable=False),
            pa.field("stage_id", pa.string(), nullable=False),
            pa.field("label", pa.string()),
            pa.field("display_order", pa.int64()),
            pa.field("probability", pa.float64()),
            pa.field("is_closed", pa.bool_()),
            pa.field("archived", pa.bool_()),
            pa.field("created_at", TIMESTAMP),
            pa.field("updated_at", TIMESTAMP),
            pa.field(DELETED_COLUMN, pa.bool_(), nullable=False),
        ]
    ),
    primary_key=("pipeline_id", "stage_id"),
    replace_by=("pipeline_id",),
)

EXCHANGE_RATES = TableSpec(
    name="exchange_rates",
    schema=pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("from_currency_code", pa.string()),
            pa.field("to_currency_code", pa.string()),
            pa.field("conversion_rate", pa.float64()),
            pa.field("effective_at", TIMESTAMP),
            pa.field("visible_in_ui", pa.bool_()),
            pa.field("created_at", TIMESTAMP),
            pa.field("updated_at", TIMESTAMP),
            pa.field(DELETED_COLUMN, pa.bool_(), nullable=False),
        ]
    ),
    primary_key=("id",),
    version_column="updated_at",
    replace_by=("to_currency_code",),
)
"""Every rate is re-sent each run and all share the company currency, so ``replace_by`` on it marks
a rate deleted in HubSpot as deleted here too."""

EXCHANGE_RATES_PATH = "/settings/v3/currencies/exchange-rates"
EXCHANGE_RATES_SCOPE = "settings.currencies.read"


def typed_batch(spec: TableSpec, rows: list[dict[str, Any]], *, key: str, stream: str) -> pa.RecordBatch:
    """Rows whose values are still HubSpot strings -> a batch in ``spec.schema``.

    Every column goes through the same string conversion as CRM properties (HubSpot's
    ``"true"``, ``"0.2"`` and ISO timestamps), so a bad value names the record it came from.
    """
    ids = pa.array([str(row.get(key)) for row in rows], pa.string())
    columns = []
    for field in spec.schema:
        raw = pa.array([_as_text(row.get(field.name)) for row in rows], pa.string())
        columns.append(convert_named(raw, field.type, ids=ids, what=f"{stream} {field.name}"))
    return pa.RecordBatch.from_arrays(columns, schema=spec.schema)


def next_after(page: dict[str, Any], path: str = "$") -> str | None:
    """``paging.next.after`` of a plain-JSON page (or batch result at ``path``), ``None`` when last."""
    paging = optional_object(page.get("paging"), f"{path}.paging")
    after = optional_object(paging.get("next"), f"{path}.paging.next").get("after")
    return optional_string(after, f"{path}.paging.next.after") or None


def results(body: Any) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """A page's ``results`` (each with its JSON path) and its next cursor."""
    page = required_object(body, "$")
    return objects(page.get("results"), "$.results"), next_after(page)


def _as_text(value: Any) -> str | None:
    """JSON scalars as HubSpot's string spelling (``True`` -> ``"true"``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class OwnersStream(FixedTablesStream):
    """``GET /crm/v3/owners``: live and archived owners, every run."""

    vendor = "hubspot"
    name = "owners"
    specs = (OWNERS,)

    def __init__(self, client: HubspotClient) -> None:
        self._client = client

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        for archived in (False, True):
            rows = list(self._owners(archived))
            if rows:
                yield OWNERS.name, typed_batch(OWNERS, rows, key="id", stream=self.name)
        return {}

    def _owners(self, archived: bool) -> Iterator[dict[str, Any]]:
        what = f"hubspot owners GET /crm/v3/owners{' (archived)' if archived else ''}"
        cursors, progress = CursorGuard(what), PageProgress(what)
        params: dict[str, Any] = {"limit": self._client.config.page_size, "archived": str(archived).lower()}
        while True:
            rows, after = self._client.get("/crm/v3/owners", json_reader(_owner_page), params)
            progress.page([row["id"] for row in rows], has_next=after is not None)
            yield from rows
            if after is None:
                return
            params["after"] = cursors.advance(after)


def _owner_page(body: Any) -> tuple[list[dict[str, Any]], str | None]:
    found, after = results(body)
    return [_owner_row(owner, path) for path, owner in found], after


_OWNER_FIELDS = {
    "id": "id",
    "email": "email",
    "first_name": "firstName",
    "last_name": "lastName",
    "user_id": "userId",
    "user_id_including_inactive": "userIdIncludingInactive",
    "type": "type",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}
_PIPELINE_FIELDS = {
    "id": "id",
    "label": "label",
    "display_order": "displayOrder",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}
_STAGE_FIELDS = {**_PIPELINE_FIELDS, "stage_id": "id"}
_STAGE_FIELDS.pop("id")


def _pick(record: dict[str, Any], fields: Mapping[str, str], path: str) -> dict[str, Any]:
    """Columns from JSON fields, each checked to be a scalar (typing follows in :func:`typed_batch`)."""
    return {column: optional_scalar(record.get(key), f"{path}.{key}") for column, key in fields.items()}


def _flags(record: dict[str, Any]) -> dict[str, bool]:
    archived = bool(record.get("archived"))
    return {"archived": archived, DELETED_COLUMN: archived}


def _owner_row(owner: dict[str, Any], path: str) -> dict[str, Any]:
    teams = objects(owner.get("teams"), f"{path}.teams", required=False)
    primary_path, primary = next(((p, team) for p, team in teams if team.get("primary")), (path, {}))
    team = _pick(primary, {"primary_team_id": "id", "primary_team_name": "name"}, primary_path)
    return {**_pick(owner, _OWNER_FIELDS, path), **team, **_flags(owner)}


class DealPipelinesStream(FixedTablesStream):
    """``GET /crm/v3/pipelines/deals``: pipelines and their stages (probability, closed flag)."""

    vendor = "hubspot"
    name = "deal_pipelines"
    specs = (DEAL_PIPELINES, DEAL_PIPELINE_STAGES)

    def __init__(self, client: HubspotClient) -> None:
        self._client = client

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        pipeline_rows, stage_rows = self._client.get("/crm/v3/pipelines/deals", json_reader(_pipelines))
        if pipeline_rows:
            yield DEAL_PIPELINES.name, typed_batch(DEAL_PIPELINES, pipeline_rows, key="id", stream=self.name)
        if stage_rows:
            yield (
                DEAL_PIPELINE_STAGES.name,
                typed_batch(DEAL_PIPELINE_STAGES, stage_rows, key="stage_id", stream=self.name),
            )
        return {}


def _pipelines(body: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pipeline rows and stage rows of ``GET /crm/v3/pipelines/deals`` (not paged)."""
    found, _ = results(body)
    pipeline_rows, stage_rows = [], []
    for path, pipeline in found:
        row = {**_pick(pipeline, _PIPELINE_FIELDS, path), **_flags(pipeline)}
        pipeline_rows.append(row)
        for stage_path, stage in objects(pipeline.get("stages"), f"{path}.stages", required=False):
            metadata = optional_object(stage.get("metadata"), f"{stage_path}.metadata")
            probability = _pick(
                metadata, {"probability": "probability", "is_closed": "isClosed"}, f"{stage_path}.metadata"
            )
            stage_rows.append(
                {
                    "pipeline_id": row["id"],
                    **_pick(stage, _STAGE_FIELDS, stage_path),
                    **probability,
                    **_flags(stage),
                }
            )
    return pipeline_rows, stage_rows


class ExchangeRatesStream(FixedTablesStream):
    """``GET /settings/v3/currencies/exchange-rates``: every dated rate of every currency, every run.

    Optional by design: deals in the company currency need no rate, so a portal that answers 403
    (no multi-currency in its subscription, or a token without ``settings.currencies.read``) must not
    fail the HubSpot run. The stream then lands nothing, logs why, and returns the reason as its
    state (``{"unavailable": ...}``), which the asset shows as its ``cursor`` metadata; the
    warehouse falls back to Xero's rates for foreign-currency deals.
    """

    vendor = "hubspot"
    name = "exchange_rates"
    specs = (EXCHANGE_RATES,)

    def __init__(self, client: HubspotClient) -> None:
        self._client = client

    @names_stream
    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        try:
            rows = list(self._rates())
        except RatesUnavailable as unavailable:
            log.warning("hubspot exchange_rates: not landed: %s", unavailable)
            return {"unavailable": str(unavailable)}
        if rows:
            yield EXCHANGE_RATES.name, typed_batch(EXCHANGE_RATES, rows, key="id", stream=self.name)
        return {}

    def _rates(self) -> Iterator[dict[str, Any]]:
        what = f"hubspot exchange_rates GET {EXCHANGE_RATES_PATH}"
        cursors, progress = CursorGuard(what), PageProgress(what)
        params: dict[str, Any] = {"limit": self._client.config.page_size}
        while True:
            rows, after = self._page(params)
            progress.page([row["id"] for row in rows], has_next=after is not None)
            yield from rows
            if after is None:
                return
            params["after"] = cursors.advance(after)

    def _page(self, params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
        """One page; a 403 raises :class:`RatesUnavailable` instead of failing the run.

        The body is parsed by the transport (so a truncated one is re-fetched) but read for shape
        only once the status says it is a page: a 403's error body is not one.
        """
        url = self._client.url(EXCHANGE_RATES_PATH)
        response, body = self._client.http.request(
            "GET", url, params=params, decode=json_reader(lambda parsed: parsed), accept=(200, 403)
        )
        if response.status_code == 403:
            scopes = ", ".join(missing_scopes(response)) or EXCHANGE_RATES_SCOPE
            raise RatesUnavailable(
                f"HTTP 403 (multi-currency not enabled, or the token lacks {scopes}); deals in other "
                "currencies are converted with Xero's rates instead"
            )
        try:
            return _rate_page(body)
        except ResponseShapeError as error:
            raise error.located("hubspot", describe("GET", url), response.status_code) from None


class RatesUnavailable(Exception):
    """The portal does not give its exchange rates (see :class:`ExchangeRatesStream`)."""


def _rate_page(body: Any) -> tuple[list[dict[str, Any]], str | None]:
    found, after = results(body)
    return [_rate_row(rate, path) for path, rate in found], after


_RATE_FIELDS = {
    "id": "id",
    "from_currency_code": "fromCurrencyCode",
    "to_currency_code": "toCurrencyCode",
    "conversion_rate": "conversionRate",
    "effective_at": "effectiveAt",
    "visible_in_ui": "visibleInUI",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}


def _rate_row(rate: dict[str, Any], path: str) -> dict[str, Any]:
    return {**_pick(rate, _RATE_FIELDS, path), DELETED_COLUMN: False}
