"""The ``sources`` block of ``goals.yml``: how a real portal and organisation map onto the marts.

A HubSpot portal names its own deal pipelines and stages, and a Xero organisation its own
tracking categories; neither can be guessed. These settings are the account's, so they live in
the file the account's owner edits, beside the home currency (``organisation.currency``), not in
code or dbt seeds::

    sources:
      hubspot:
        lifecycle_stages: {lead: lead, salesqualifiedlead: qualified, ...}
        deal_stages:                       # pipeline id -> stage id -> funnel step
          default: {appointmentscheduled: appointment, contractsent: proposal, closedwon: won, ...}
      xero:
        tracking_categories: {service_line: Service Line, client: Client}

Absent keys mean HubSpot's and Xero's stock set-up (the values below), which is also what the
sandbox business uses. dbt receives the block as ``--vars`` (:func:`dbt_source_vars`);
``dbt/dbt_project.yml`` carries the same defaults for a build by hand, and a test keeps the two equal.
``milemarker doctor`` compares the mapping with the portal's live pipelines.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dagster_project.config.goals_source import read_goals_block

LifecycleStage = Literal["lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"]
"""HubSpot's lifecycle stages that carry a ``hs_lifecyclestage_<stage>_date`` the funnel reads."""

LifecycleStep = Literal["lead", "qualified", "appointment", "proposal", "won"]
DealStep = Literal["qualified", "appointment", "proposal", "won", "lost"]
"""A deal stage is a step of the funnel or ``lost`` (which ends it); a lead is a contact, never a deal."""

HUBSPOT_LIFECYCLE_STAGES: Mapping[str, str] = {
    "lead": "lead",
    "marketingqualifiedlead": "lead",
    "salesqualifiedlead": "qualified",
    "opportunity": "appointment",
    "customer": "won",
}
HUBSPOT_DEAL_STAGES: Mapping[str, Mapping[str, str]] = {
    "default": {
        "appointmentscheduled": "appointment",
        "qualifiedtobuy": "appointment",
        "presentationscheduled": "appointment",
        "decisionmakerboughtin": "appointment",
        "contractsent": "proposal",
        "closedwon": "won",
        "closedlost": "lost",
    }
}
"""HubSpot's stock sales pipeline (id ``default``) and its stage ids."""


def _text_keys(mapping: dict[Any, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in mapping.items()}


class _Block(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HubspotSettings(_Block):
    """Which funnel step each contact lifecycle stage and each deal pipeline stage stands for."""

    lifecycle_stages: dict[LifecycleStage, LifecycleStep] = Field(
        default_factory=lambda: dict(HUBSPOT_LIFECYCLE_STAGES)
    )
    deal_stages: dict[str, dict[str, DealStep]] = Field(
        default_factory=lambda: {pipeline: dict(stages) for pipeline, stages in HUBSPOT_DEAL_STAGES.items()}
    )

    @field_validator("deal_stages", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        """YAML reads an unquoted numeric id (HubSpot numbers custom pipelines and stages) as a number."""
        if not isinstance(value, dict):
            return value
        return {
            str(pipeline): _text_keys(stages) if isinstance(stages, dict) else stages
            for pipeline, stages in value.items()
        }

    @field_validator("lifecycle_stages")
    @classmethod
    def _has_a_lead(cls, value: dict[str, str]) -> dict[str, str]:
        if "lead" not in value.values():
            raise ValueError("at least one lifecycle stage must map to 'lead': the funnel starts there")
        return value

    @field_validator("deal_stages")
    @classmethod
    def _pipelines_named(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for pipeline, stages in value.items():
            if not pipeline.strip():
                raise ValueError("a pipeline id is empty")
            if not stages:
                raise ValueError(f"pipeline {pipeline!r} maps no stage")
        return value

    def deal_stage_keys(self) -> set[tuple[str, str]]:
        """``(pipeline id, stage id)`` of every mapped deal stage."""
        return {(pipeline, stage) for pipeline, stages in self.deal_stages.items() for stage in stages}


class TrackingCategories(_Block):
    """The names of the Xero tracking categories whose options are a line's service line and client."""

    service_line: str = Field(default="Service Line", min_length=1)
    client: str = Field(default="Client", min_length=1)


class XeroSettings(_Block):
    tracking_categories: TrackingCategories = TrackingCategories()


class SourceSettings(_Block):
    """The whole ``sources`` block."""

    hubspot: HubspotSettings = HubspotSettings()
    xero: XeroSettings = XeroSettings()


def load_source_settings(path: Path) -> SourceSettings:
    """Read the ``sources`` block; a missing file or block means the stock set-up."""
    return SourceSettings.model_validate(read_goals_block(path, "sources"))


def dbt_source_vars(settings: SourceSettings) -> dict[str, Any]:
    """The dbt vars the block becomes (names as in ``dbt/dbt_project.yml``)."""
    return {
        "hubspot_lifecycle_stages": dict(settings.hubspot.lifecycle_stages),
        "hubspot_deal_stages": {
            pipeline: dict(stages) for pipeline, stages in settings.hubspot.deal_stages.items()
        },
        "service_line_tracking_category": settings.xero.tracking_categories.service_line,
        "client_tracking_category": settings.xero.tracking_categories.client,
    }
