"""Small reference streams re-read whole every run: owners and deal pipelines (with their stages).

They hold tens to hundreds of rows, so they go through plain JSON and ``pa.Table.from_pylist``
(clarity over speed). Owners come from two list passes (live, then ``archived=true``) so a
deactivated rep keeps their row, flagged deleted. Pipeline stages are replaced per pipeline, so a
stage removed from a pipeline is marked deleted by the landing code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pyarrow as pa

from connectors.base import DELETED_COLUMN, Stream, StreamOutput, TableSpec
from connectors.hubspot.client import CursorGuard, HubspotClient
from connectors.hubspot.values import TIMESTAMP, convert_named

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


def _as_text(value: Any) -> str | None:
    """JSON scalars as HubSpot's string spelling (``True`` -> ``"true"``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class OwnersStream(Stream):
    """``GET /crm/v3/owners``: live and archived owners, every run."""

    vendor = "hubspot"
    name = "owners"

    def __init__(self, client: HubspotClient) -> None:
        self._client = client

    def tables(self) -> tuple[TableSpec, ...]:
        return (OWNERS,)

    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        for archived in (False, True):
            rows = [self._row(owner) for owner in self._owners(archived)]
            if rows:
                yield OWNERS.name, typed_batch(OWNERS, rows, key="id", stream=self.name)
        return {}

    def _owners(self, archived: bool) -> Iterator[dict[str, Any]]:
        cursors = CursorGuard("owners list")
        params: dict[str, Any] = {"limit": self._client.config.page_size, "archived": str(archived).lower()}
        while True:
            body, _ = self._client.get_json("/crm/v3/owners", params)
            yield from body.get("results", [])
            after = (body.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return
            params["after"] = cursors.advance(after)

    @staticmethod
    def _row(owner: Mapping[str, Any]) -> dict[str, Any]:
        primary = next((team for team in owner.get("teams") or [] if team.get("primary")), {})
        archived = bool(owner.get("archived"))
        return {
            "id": owner.get("id"),
            "email": owner.get("email"),
            "first_name": owner.get("firstName"),
            "last_name": owner.get("lastName"),
            "user_id": owner.get("userId"),
            "user_id_including_inactive": owner.get("userIdIncludingInactive"),
            "type": owner.get("type"),
            "primary_team_id": primary.get("id"),
            "primary_team_name": primary.get("name"),
            "archived": archived,
            "created_at": owner.get("createdAt"),
            "updated_at": owner.get("updatedAt"),
            DELETED_COLUMN: archived,
        }


class DealPipelinesStream(Stream):
    """``GET /crm/v3/pipelines/deals``: pipelines and their stages (probability, closed flag)."""

    vendor = "hubspot"
    name = "deal_pipelines"

    def __init__(self, client: HubspotClient) -> None:
        self._client = client

    def tables(self) -> tuple[TableSpec, ...]:
        return (DEAL_PIPELINES, DEAL_PIPELINE_STAGES)

    def read(self, state: Mapping[str, Any] | None) -> StreamOutput:
        body, _ = self._client.get_json("/crm/v3/pipelines/deals")
        pipelines = body.get("results", [])
        pipeline_rows = [
            {
                "id": p.get("id"),
                "label": p.get("label"),
                "display_order": p.get("displayOrder"),
                "archived": bool(p.get("archived")),
                "created_at": p.get("createdAt"),
                "updated_at": p.get("updatedAt"),
                DELETED_COLUMN: bool(p.get("archived")),
            }
            for p in pipelines
        ]
        stage_rows = [
            {
                "pipeline_id": p.get("id"),
                "stage_id": s.get("id"),
                "label": s.get("label"),
                "display_order": s.get("displayOrder"),
                "probability": (s.get("metadata") or {}).get("probability"),
                "is_closed": (s.get("metadata") or {}).get("isClosed"),
                "archived": bool(s.get("archived")),
                "created_at": s.get("createdAt"),
                "updated_at": s.get("updatedAt"),
                DELETED_COLUMN: bool(s.get("archived")),
            }
            for p in pipelines
            for s in p.get("stages") or []
        ]
        if pipeline_rows:
            yield DEAL_PIPELINES.name, typed_batch(DEAL_PIPELINES, pipeline_rows, key="id", stream=self.name)
        if stage_rows:
            yield (
                DEAL_PIPELINE_STAGES.name,
                typed_batch(DEAL_PIPELINE_STAGES, stage_rows, key="stage_id", stream=self.name),
            )
        return {}
