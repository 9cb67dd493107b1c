"""HubSpot metadata of the simulated portal: property definitions, the deal pipeline, owners.

Property definitions follow the ``Property`` schema of the CRM Properties v3 API. The
``hs_v2_date_entered_{stage}`` values the deals carry are deliberately absent here, exactly as on
real HubSpot: clients must build those names from the pipeline's stage ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sandbox.simulation.clock import hs_datetime
from sandbox.simulation.entities import Owner
from sandbox.simulation.params import (
    CALL_DISPOSITIONS,
    DEAL_STAGES,
    LEAD_SOURCES,
    PIPELINE_ID,
    PIPELINE_LABEL,
)

_EPOCH = "1970-01-01T00:00:00Z"
_FIELD_TYPES = {
    "string": "text",
    "number": "number",
    "enumeration": "select",
    "datetime": "date",
    "date": "date",
    "bool": "booleancheckbox",
}

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
ANALYTICS_SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "OTHER_CAMPAIGNS",
    "DIRECT_TRAFFIC",
    "OFFLINE",
    "PAID_SOCIAL",
)
LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)

# (name, label, type, group, options or None, hubspot_defined, calculated)
_Spec = tuple[str, str, str, str, Sequence[str] | None, bool, bool]

_COMMON: tuple[_Spec, ...] = (
    ("hs_object_id", "Record ID", "number", "{group}", None, True, True),
    ("hs_lastmodifieddate", "Last Modified Date", "datetime", "{group}", None, True, True),
    ("hubspot_owner_id", "Owner", "enumeration", "{group}", (), True, False),
)
_MERGED = ("hs_merged_object_ids", "Merged Record IDs", "enumeration", "{group}", (), True, True)
_LEAD_SOURCE = (
    "lead_source",
    "Lead Source (MSP)",
    "enumeration",
    "{group}",
    tuple(s.name for s in LEAD_SOURCES),
    False,
    False,
)

_SPECS: dict[str, tuple[_Spec, ...]] = {
    "contacts": (
        ("hs_object_id", "Record ID", "number", "contactinformation", None, True, True),
        ("lastmodifieddate", "Last Modified Date", "datetime", "contactinformation", None, True, True),
        ("createdate", "Create Date", "datetime", "contactinformation", None, True, False),
        ("hubspot_owner_id", "Contact owner", "enumeration", "sales_properties", (), True, False),
        ("hs_merged_object_ids", "Merged Contact IDs", "enumeration", "contactinformation", (), True, True),
        ("firstname", "First Name", "string", "contactinformation", None, True, False),
        ("lastname", "Last Name", "string", "contactinformation", None, True, False),
        ("email", "Email", "string", "contactinformation", None, True, False),
        ("phone", "Phone Number", "string", "contactinformation", None, True, False),
        ("jobtitle", "Job Title", "string", "contactinformation", None, True, False),
        ("company", "Company Name", "string", "contactinformation", None, True, False),
        (
            "lifecyclestage",
            "Lifecycle Stage",
            "enumeration",
            "contactinformation",
            LIFECYCLE_STAGES,
            True,
            False,
        ),
        *(
            (
                f"hs_lifecyclestage_{s}_date",
                f"Became a {s} Date",
                "datetime",
                "contactinformation",
                None,
                True,
                True,
            )
            for s in ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
        ),
        ("hs_lead_status", "Lead Status", "enumeration", "sales_properties", LEAD_STATUSES, True, False),
        (
            "hs_analytics_source",
            "Original Source",
            "enumeration",
            "analyticsinformation",
            ANALYTICS_SOURCES,
            True,
            True,
        ),
        (
            "lead_source",
            "Lead Source (MSP)",
            "enumeration",
            "contactinformation",
            tuple(s.name for s in LEAD_SOURCES),
            False,
            False,
        ),
        (
            "associatedcompanyid",
            "Primary Associated Company ID",
            "number",
            "contactinformation",
            None,
            True,
            False,
        ),
        ("hubspotscore", "HubSpot Score", "number", "contactinformation", None, True, True),
    ),
    "companies": (
        *(spec for spec in _COMMON),
        _MERGED,
        ("createdate", "Create Date", "datetime", "{group}", None, True, False),
        ("name", "Company name", "string", "{group}", None, True, False),
        ("domain", "Company Domain Name", "string", "{group}", None, True, False),
        ("industry", "Industry", "enumeration", "{group}", None, True, False),
        ("numberofemployees", "Number of Employees", "number", "{group}", None, True, False),
        ("city", "City", "string", "{group}", None, True, False),
        ("state", "State/Region", "string", "{group}", None, True, False),
        ("country", "Country/Region", "string", "{group}", None, True, False),
        ("lifecyclestage", "Lifecycle Stage", "enumeration", "{group}", LIFECYCLE_STAGES, True, False),
        ("xero_contact_id", "Xero Contact ID", "string", "{group}", None, False, False),
        _LEAD_SOURCE,
    ),
    "deals": (
        *(spec for spec in _COMMON),
        _MERGED,
        ("createdate", "Create Date", "datetime", "{group}", None, True, False),
        ("dealname", "Deal Name", "string", "{group}", None, True, False),
        ("amount", "Amount", "number", "{group}", None, True, False),
        ("dealstage", "Deal Stage", "enumeration", "{group}", tuple(s.id for s in DEAL_STAGES), True, False),
        ("pipeline", "Pipeline", "enumeration", "{group}", (PIPELINE_ID,), True, False),
        ("closedate", "Close Date", "datetime", "{group}", None, True, False),
        ("dealtype", "Deal Type", "enumeration", "{group}", ("newbusiness", "existingbusiness"), True, False),
        ("hs_is_closed", "Is Deal Closed?", "bool", "{group}", ("true", "false"), True, True),
        ("hs_is_closed_won", "Is Closed Won", "bool", "{group}", ("true", "false"), True, True),
        ("hs_deal_stage_probability", "Deal Stage Probability", "number", "{group}", None, True, True),
        ("closed_lost_reason", "Closed Lost Reason", "string", "{group}", None, True, False),
        ("deal_currency_code", "Currency", "enumeration", "{group}", ("USD", "CAD"), True, False),
        ("mrr_amount", "Monthly Recurring Value", "number", "{group}", None, False, False),
        ("project_amount", "One-off Project Value", "number", "{group}", None, False, False),
        _LEAD_SOURCE,
    ),
    "calls": (
        *(spec for spec in _COMMON),
        ("hs_createdate", "Created at", "datetime", "{group}", None, True, False),
        ("hs_timestamp", "Activity date", "datetime", "{group}", None, True, False),
        ("hs_call_title", "Call Title", "string", "{group}", None, True, False),
        (
            "hs_call_direction",
            "Call direction",
            "enumeration",
            "{group}",
            ("INBOUND", "OUTBOUND"),
            True,
            False,
        ),
        (
            "hs_call_disposition",
            "Call outcome",
            "enumeration",
            "{group}",
            tuple(guid for _, guid, _, _ in CALL_DISPOSITIONS),
            True,
            False,
        ),
        ("hs_call_duration", "Call duration", "number", "{group}", None, True, False),
        (
            "hs_call_status",
            "Call status",
            "enumeration",
            "{group}",
            (
                "BUSY",
                "CALLING_CRM_USER",
                "CANCELED",
                "COMPLETED",
                "CONNECTING",
                "FAILED",
                "IN_PROGRESS",
                "NO_ANSWER",
                "QUEUED",
                "RINGING",
            ),
            True,
            False,
        ),
    ),
    "emails": (
        *(spec for spec in _COMMON),
        ("hs_createdate", "Created at", "datetime", "{group}", None, True, False),
        ("hs_timestamp", "Activity date", "datetime", "{group}", None, True, False),
        ("hs_email_subject", "Email subject", "string", "{group}", None, True, False),
        (
            "hs_email_direction",
            "Email direction",
            "enumeration",
            "{group}",
            ("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
            True,
            False,
        ),
        (
            "hs_email_status",
            "Email send status",
            "enumeration",
            "{group}",
            ("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"),
            True,
            False,
        ),
    ),
    "meetings": (
        *(spec for spec in _COMMON),
        ("hs_createdate", "Created at", "datetime", "{group}", None, True, False),
        ("hs_timestamp", "Activity date", "datetime", "{group}", None, True, False),
        ("hs_meeting_title", "Meeting name", "string", "{group}", None, True, False),
        ("hs_meeting_start_time", "Start Time", "datetime", "{group}", None, True, False),
        ("hs_meeting_end_time", "End Time", "datetime", "{group}", None, True, False),
        (
            "hs_meeting_outcome",
            "Meeting outcome",
            "enumeration",
            "{group}",
            ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"),
            True,
            False,
        ),
        (
            "hs_activity_type",
            "Activity type",
            "enumeration",
            "{group}",
            ("First appointment", "Follow-up", "QBR"),
            True,
            False,
        ),
    ),
    "tasks": (
        *(spec for spec in _COMMON),
        ("hs_createdate", "Created at", "datetime", "{group}", None, True, False),
        ("hs_timestamp", "Due date", "datetime", "{group}", None, True, False),
        ("hs_task_subject", "Task Title", "string", "{group}", None, True, False),
        (
            "hs_task_status",
            "Task Status",
            "enumeration",
            "{group}",
            ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
            True,
            False,
        ),
        ("hs_task_type", "Task Type", "enumeration", "{group}", ("CALL", "EMAIL", "TODO"), True, False),
        (
            "hs_task_priority",
            "Priority",
            "enumeration",
            "{group}",
            ("NONE", "LOW", "MEDIUM", "HIGH"),
            True,
            False,
        ),
    ),
}
_GROUPS = {
    "contacts": "contactinformation",
    "companies": "companyinformation",
    "deals": "dealinformation",
    "calls": "call",
    "emails": "email",
    "meetings": "meeting",
    "tasks": "task",
}

PROPERTY_TYPES: dict[str, dict[str, str]] = {
    object_type: {spec[0]: spec[2] for spec in specs} for object_type, specs in _SPECS.items()
}
"""Property name -> HubSpot type, per object type (what the served values must parse as)."""


def _definition(spec: _Spec, group: str, order: int) -> dict[str, Any]:
    name, label, kind, group_name, options, hubspot_defined, calculated = spec
    return {
        "name": name,
        "label": label,
        "type": kind,
        "fieldType": _FIELD_TYPES[kind],
        "description": "" if hubspot_defined else f"Custom property: {label}.",
        "groupName": group_name.format(group=group),
        "options": [
            {
                "label": value.replace("_", " ").title() if kind != "bool" else value.title(),
                "value": value,
                "displayOrder": i,
                "hidden": False,
            }
            for i, value in enumerate(options or ())
        ],
        "displayOrder": order if not hubspot_defined else -1,
        "calculated": calculated,
        "externalOptions": name in {"hubspot_owner_id", "hs_merged_object_ids"},
        "hasUniqueValue": name == "hs_object_id",
        "hidden": False,
        "hubspotDefined": hubspot_defined,
        "formField": not calculated and name not in {"hs_object_id"},
        "modificationMetadata": {
            "archivable": not hubspot_defined,
            "readOnlyDefinition": hubspot_defined,
            "readOnlyValue": calculated,
        },
        "dataSensitivity": "non_sensitive",
        "archived": False,
        "createdAt": _EPOCH if hubspot_defined else "2020-01-15T15:00:00Z",
        "updatedAt": _EPOCH,
    }


def property_definitions(object_type: str) -> list[dict[str, Any]]:
    """``GET /crm/v3/properties/{object_type}`` results for one object type."""
    group = _GROUPS[object_type]
    return [_definition(spec, group, i) for i, spec in enumerate(_SPECS[object_type])]


def deal_pipelines() -> list[dict[str, Any]]:
    """The default sales pipeline as HubSpot ships it (created at epoch 0, string metadata)."""
    return [
        {
            "id": PIPELINE_ID,
            "label": PIPELINE_LABEL,
            "displayOrder": 0,
            "archived": False,
            "createdAt": _EPOCH,
            "updatedAt": _EPOCH,
            "stages": [
                {
                    "id": s.id,
                    "label": s.label,
                    "displayOrder": s.display_order,
                    "archived": False,
                    "metadata": {
                        "isClosed": "true" if s.is_closed else "false",
                        "probability": s.probability,
                    },
                    "createdAt": _EPOCH,
                    "updatedAt": _EPOCH,
                    "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                }
                for s in DEAL_STAGES
            ],
        }
    ]


def owner_payload(owner: Owner, now_ms: int) -> dict[str, Any]:
    """One ``GET /crm/v3/owners`` result as of ``now_ms`` (archived once the rep has left)."""
    archived = owner.archived_ms is not None and owner.archived_ms < now_ms
    updated = owner.archived_ms if archived else owner.created_ms
    team = "Account Management" if owner.index % 3 == 2 else "New Business"
    return {
        "id": str(owner.id),
        "email": owner.email,
        "firstName": owner.first_name,
        "lastName": owner.last_name,
        "userId": None if archived else owner.user_id,
        "userIdIncludingInactive": owner.user_id,
        "type": "PERSON",
        "teams": [{"id": str(9_000_000 + (owner.index % 3 == 2)), "name": team, "primary": True}],
        "archived": archived,
        "createdAt": hs_datetime(owner.created_ms),
        "updatedAt": hs_datetime(updated),
    }
