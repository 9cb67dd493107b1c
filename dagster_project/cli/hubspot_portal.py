"""What a HubSpot portal offers Milemarker: the token, its scopes, custom properties, pipelines, budget.

Each read endpoint the connectors call is probed once (a one-record list, or the metadata read
itself), with a short timeout and no retries: someone is waiting at the prompt. Probing the calls a
run makes tests exactly what the run needs, for a private app and an OAuth token alike; an endpoint
that answers 403 names the missing scope (HubSpot puts it in the body's ``context``; where it does
not, the scope that endpoint needs is named instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from connectors.hubspot.client import BearerAuth, advise, missing_scopes
from dagster_project.cli.checks import Check, Status, mask
from dagster_project.config.source_settings import HubspotSettings

CUSTOM_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "contacts": ("lead_source",),
    "companies": ("lead_source", "xero_contact_id"),
    "deals": ("lead_source", "mrr_amount", "project_amount"),
}
"""The custom properties the marts read (README, Configuration)."""

_ONE = {"limit": "1"}
PROBES: tuple[tuple[str, str, Mapping[str, str]], ...] = (
    ("/crm/v3/owners", "crm.objects.owners.read", _ONE),
    ("/crm/v3/objects/contacts", "crm.objects.contacts.read", _ONE),
    ("/crm/v3/objects/companies", "crm.objects.companies.read", _ONE),
    ("/crm/v3/objects/deals", "crm.objects.deals.read", _ONE),
    ("/crm/v3/pipelines/deals", "crm.objects.deals.read", {}),
    ("/crm/v3/objects/calls", "crm.objects.contacts.read", _ONE),
    ("/crm/v3/objects/meetings", "crm.objects.contacts.read", _ONE),
    ("/crm/v3/objects/tasks", "crm.objects.contacts.read", _ONE),
    ("/crm/v3/objects/emails", "sales-email-read", _ONE),
    *((f"/crm/v3/properties/{kind}", f"crm.schemas.{kind}.read", {}) for kind in CUSTOM_PROPERTIES),
    ("/settings/v3/currencies/exchange-rates", "settings.currencies.read", _ONE),
)
"""``(path, scope it needs, query)`` for every endpoint a run reads (engagements need the contacts scope)."""

OPTIONAL_SCOPES = frozenset({"settings.currencies.read"})
"""Scopes a run does without (a WARN, not a FAIL): without HubSpot's exchange rates, deals in other
currencies are converted with Xero's rates."""

PIPELINES = "/crm/v3/pipelines/deals"


@dataclass
class Portal:
    """The probes' answers, by path; empty when the portal could not be reached."""

    base_url: str
    token: str = field(repr=False)
    answers: dict[str, requests.Response] = field(default_factory=dict)
    unreachable: str = ""

    def body(self, path: str) -> Any:
        """The JSON body of a 200 answer, else ``None``."""
        answer = self.answers.get(path)
        if answer is None or answer.status_code != 200:
            return None
        try:
            return answer.json()
        except ValueError:
            return None

    def rejected(self) -> requests.Response | None:
        return next((a for a in self.answers.values() if a.status_code == 401), None)


def read_portal(base_url: str, token: str, timeout: float = 15.0) -> Portal:
    """Probe every endpoint; stop at the first 401 (a bad token fails them all alike)."""
    portal = Portal(base_url.rstrip("/"), token)
    with requests.Session() as session:
        session.auth = BearerAuth(token)
        session.trust_env = False
        for path, _, params in PROBES:
            try:
                answer = session.get(f"{portal.base_url}{path}", params=params, timeout=timeout)
            except requests.RequestException as error:
                portal.unreachable = f"{type(error).__name__} on GET {portal.base_url}{path}"
                return portal
            portal.answers[path] = answer
            if answer.status_code == 401:
                return portal
    return portal


def token_check(portal: Portal) -> Check:
    name = "hubspot token"
    if portal.unreachable:
        return Check(
            Status.FAIL,
            name,
            f"cannot reach {portal.base_url} ({portal.unreachable})",
            "check HUBSPOT_BASE_URL and the network",
        )
    rejected = portal.rejected()
    if rejected is not None:
        return Check(Status.FAIL, name, f"{mask(portal.token)} refused (HTTP 401)", advise(rejected))
    return Check(Status.OK, name, f"{mask(portal.token)} accepted by {portal.base_url}")


def scope_check(portal: Portal) -> Check:
    """FAIL naming every missing scope; WARN when an endpoint answered something else than 200/403."""
    missing: dict[str, None] = {}
    other: list[str] = []
    for path, scope, _ in PROBES:
        answer = portal.answers[path]
        if answer.status_code == 403:
            missing.update(dict.fromkeys(missing_scopes(answer) or [scope]))
        elif answer.status_code != 200:
            other.append(f"{path} HTTP {answer.status_code}")
    required = [scope for scope in missing if scope not in OPTIONAL_SCOPES]
    optional = [scope for scope in missing if scope in OPTIONAL_SCOPES]
    fix = "add them to the private app (its Scopes tab, in HubSpot under Development > Legacy apps)"
    if required:
        missing_text = f"missing {', '.join(required)}"
        return Check(Status.FAIL, "hubspot scopes", missing_text, f"{fix}, then run again")
    if other:
        return Check(Status.WARN, "hubspot scopes", f"could not check {'; '.join(other)}", "run again later")
    if optional:
        return Check(
            Status.WARN,
            "hubspot scopes",
            f"optional {', '.join(optional)} missing (or no multi-currency): deals in other currencies "
            "use Xero's rates",
            f"{fix} to use HubSpot's exchange rates",
        )
    return Check(Status.OK, "hubspot scopes", f"all {len(PROBES)} read endpoints answer")


def property_names(portal: Portal, kind: str) -> dict[str, dict[str, Any]]:
    body = portal.body(f"/crm/v3/properties/{kind}")
    results = body.get("results") if isinstance(body, dict) else None
    return {p["name"]: p for p in results or () if isinstance(p, dict) and isinstance(p.get("name"), str)}


def property_check(portal: Portal) -> Check:
    missing = [
        f"{kind}.{name}"
        for kind, names in CUSTOM_PROPERTIES.items()
        for name in names
        if name not in property_names(portal, kind)
    ]
    if missing:
        return Check(
            Status.WARN,
            "hubspot custom properties",
            f"the portal lacks {', '.join(missing)}",
            "create them (docs/connect.md); until then the marts read them as empty "
            "(lead source 'unknown', deal value from amount, clients matched by domain and name)",
        )
    return Check(
        Status.OK,
        "hubspot custom properties",
        "lead_source, mrr_amount, project_amount, xero_contact_id all defined",
    )


def pipeline_stages(portal: Portal) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """``(pipeline id, label, [(stage id, label)])`` of every live deal pipeline."""
    body = portal.body(PIPELINES)
    results = body.get("results") if isinstance(body, dict) else None
    return [
        (
            str(p.get("id")),
            str(p.get("label")),
            [(str(s.get("id")), str(s.get("label"))) for s in p.get("stages") or () if not s.get("archived")],
        )
        for p in results or ()
        if isinstance(p, dict) and not p.get("archived")
    ]


def pipeline_lines(portal: Portal) -> list[str]:
    return [
        f"      pipeline {label!r} ({pipeline_id}): "
        + ", ".join(f"{stage_label} ({stage_id})" for stage_id, stage_label in stages)
        for pipeline_id, label, stages in pipeline_stages(portal)
    ]


def stage_map_check(portal: Portal, mapping: HubspotSettings) -> Check:
    """Live deal stages of the portal that goals.yml's ``sources.hubspot.deal_stages`` does not map
    (the funnel counts them as unmapped)."""
    mapped = mapping.deal_stage_keys()
    unmapped = [
        f"{pipeline_id}/{stage_id} ({label})"
        for pipeline_id, _, stages in pipeline_stages(portal)
        for stage_id, label in stages
        if (pipeline_id, stage_id) not in mapped
    ]
    name = "hubspot stage mapping"
    if unmapped:
        return Check(
            Status.WARN,
            name,
            f"not in goals.yml sources.hubspot.deal_stages: {', '.join(unmapped)}",
            "map each under its pipeline id (`<pipeline id>: {<stage id>: appointment | proposal | won | "
            "lost}`, docs/connect.md); until then the funnel counts them as 'unmapped'",
        )
    return Check(Status.OK, name, "every live deal stage is mapped in goals.yml")


def rate_limit_check(portal: Portal) -> Check:
    """Headroom from the headers of the last answer: the daily quota and the 10-second burst."""
    headers = next(reversed(portal.answers.values())).headers
    daily, left = headers.get("X-HubSpot-RateLimit-Daily"), headers.get("X-HubSpot-RateLimit-Daily-Remaining")
    burst = headers.get("X-HubSpot-RateLimit-Max")
    name = "hubspot rate limit"
    if not (daily and left and daily.isdigit() and left.isdigit()):
        return Check(
            Status.WARN,
            name,
            "the API sent no X-HubSpot-RateLimit-Daily headers",
            "headroom unknown; a daily quota spent mid-run stops the run (it resumes next day)",
        )
    found = f"{int(left):,} of {int(daily):,} daily calls left" + (f", {burst} per 10 s" if burst else "")
    if int(left) < int(daily) // 10:
        return Check(
            Status.WARN,
            name,
            found,
            "another integration spends this portal's quota; run after midnight in the portal's time zone",
        )
    return Check(Status.OK, name, found)


def currency_check(portal: Portal, home: str) -> Check:
    """Deal currencies (options of ``deal_currency_code``) against the home currency in goals.yml."""
    definition = property_names(portal, "deals").get("deal_currency_code") or {}
    codes = [str(o.get("value")) for o in definition.get("options") or () if isinstance(o, dict)]
    name = "hubspot deal currencies"
    if not codes:
        return Check(Status.OK, name, f"one currency (no deal_currency_code options); marts in {home}")
    if home not in codes:
        return Check(
            Status.WARN,
            name,
            f"{', '.join(codes)}; goals.yml currency {home} is not among them",
            "set organisation.currency in goals.yml to the portal's company currency",
        )
    return Check(Status.OK, name, f"{', '.join(codes)}, converted to {home}")
