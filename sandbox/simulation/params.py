"""The true parameters of the simulated MSP: what the marts are trying to recover.

Everything that shapes the generated data lives here, in one place, so the ground truth can
publish it verbatim (``truth()["parameters"]``) and a reader can see the whole business at a glance.
Volumes are per month at ``scale`` 1.0; rates are probabilities 0-1; lags are mean days.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LeadSource:
    """One acquisition channel: how many leads it brings and how good they are.

    The funnel is a chain of conditional probabilities: a lead becomes *qualified* (reaches
    ``salesqualifiedlead``) with ``qualify_rate``; ``mql_rate`` is the chance it passes through
    ``marketingqualifiedlead`` on the way (or stops there when it does not qualify); a qualified
    lead books a first appointment (deal created) with ``appointment_rate``; a deal reaches a
    proposal (``contractsent``) with ``proposal_rate``; a proposal is won with ``win_rate``.
    """

    name: str
    monthly_leads: float
    qualify_rate: float
    mql_rate: float
    appointment_rate: float
    proposal_rate: float
    win_rate: float
    junk_rate: float
    analytics_sources: tuple[str, ...]
    marketing_account: str
    monthly_marketing_spend: float


LEAD_SOURCES: tuple[LeadSource, ...] = (
    LeadSource(
        "website",
        80,
        0.30,
        0.85,
        0.55,
        0.50,
        0.45,
        0.12,
        ("ORGANIC_SEARCH", "PAID_SEARCH", "DIRECT_TRAFFIC", "SOCIAL_MEDIA", "PAID_SOCIAL", "EMAIL_MARKETING"),
        "6410",
        9000,
    ),
    LeadSource(
        "outbound", 45, 0.22, 0.10, 0.50, 0.45, 0.40, 0.04, ("OFFLINE", "OTHER_CAMPAIGNS"), "6450", 2500
    ),
    LeadSource(
        "referral", 25, 0.65, 0.15, 0.75, 0.65, 0.60, 0.02, ("REFERRALS", "DIRECT_TRAFFIC"), "6440", 1500
    ),
    LeadSource(
        "events", 25, 0.28, 0.70, 0.50, 0.45, 0.40, 0.06, ("OFFLINE", "OTHER_CAMPAIGNS"), "6420", 6000
    ),
    LeadSource(
        "partner", 20, 0.50, 0.30, 0.65, 0.55, 0.50, 0.03, ("REFERRALS", "OTHER_CAMPAIGNS"), "6430", 3000
    ),
)

WEEKDAY_WEIGHTS: tuple[float, ...] = (1.3, 1.35, 1.3, 1.25, 1.1, 0.4, 0.3)
"""Lead arrival by weekday (Monday first); mean 1 over a week."""

MONTH_WEIGHTS: tuple[float, ...] = (1.15, 1.1, 1.1, 1.0, 1.0, 0.9, 0.8, 0.8, 1.05, 1.1, 1.0, 1.0)
"""Lead arrival by calendar month (January first); mean 1 over a year."""

ANNUAL_GROWTH = 0.12
"""Lead volume, overheads and marketing spend grow this much per year from the business start."""


@dataclass(frozen=True)
class Lags:
    """Mean days between funnel steps (exponential-ish draws, so medians are lower)."""

    lead_to_mql: float = 5.0
    mql_to_sql: float = 9.0
    lead_to_sql_direct: float = 7.0
    sql_to_appointment: float = 6.0
    stage_dwell: float = 7.0
    proposal_to_close: float = 12.0
    win_to_billing_days: float = 3.0
    junk_archive: float = 2.0


LAGS = Lags()


@dataclass(frozen=True)
class DealStage:
    """A stage of HubSpot's default sales pipeline, exactly as HubSpot ships it."""

    id: str
    label: str
    display_order: int
    probability: str
    is_closed: bool


PIPELINE_ID = "default"
PIPELINE_LABEL = "Sales Pipeline"
DEAL_STAGES: tuple[DealStage, ...] = (
    DealStage("appointmentscheduled", "Appointment Scheduled", 0, "0.2", False),
    DealStage("qualifiedtobuy", "Qualified To Buy", 1, "0.4", False),
    DealStage("presentationscheduled", "Presentation Scheduled", 2, "0.6", False),
    DealStage("decisionmakerboughtin", "Decision Maker Bought-In", 3, "0.8", False),
    DealStage("contractsent", "Contract Sent", 4, "0.9", False),
    DealStage("closedwon", "Closed Won", 5, "1.0", True),
    DealStage("closedlost", "Closed Lost", 6, "0.0", True),
)
OPEN_STAGES = tuple(s.id for s in DEAL_STAGES if not s.is_closed)
STAGE_PROBABILITY = {s.id: s.probability for s in DEAL_STAGES}


@dataclass(frozen=True)
class DealShape:
    """How deal paths and values are drawn."""

    start_at_qualifiedtobuy: float = 0.15
    skip_stage: float = 0.12
    regress: float = 0.06
    mrr_share: float = 0.75
    mrr_median: float = 1400.0
    mrr_sigma: float = 0.55
    project_share: float = 0.8
    project_median: float = 6500.0
    project_sigma: float = 0.7
    upsell_per_client_year: float = 0.35
    upsell_win_rate: float = 0.55
    upsell_mrr_median: float = 450.0
    upsell_project_median: float = 3500.0
    junk_deal_rate: float = 0.03
    expected_close_days: int = 45


DEAL_SHAPE = DealShape()

CLOSED_LOST_REASONS: tuple[str, ...] = (
    "Went with competitor",
    "Price too high",
    "No decision / went dark",
    "Timing - revisit next year",
    "Kept in-house IT",
    "Not a fit",
)


@dataclass(frozen=True)
class ClientShape:
    """Billing and churn of won clients."""

    monthly_churn: float = 0.012
    cad_share: float = 0.1
    cad_rate_mean: float = 1.35
    sales_tax_rate: float = 0.07
    opening_clients: float = 110
    opening_mrr_median: float = 2200.0
    managed_share: float = 0.6
    cloud_share: float = 0.25
    security_share: float = 0.15
    licence_cost_ratio: float = 0.72
    security_cost_ratio: float = 0.4
    contractor_share: float = 0.5
    contractor_cost_ratio: float = 0.45
    hardware_share: float = 0.3
    hardware_cost_ratio: float = 0.15
    project_deposit_share: float = 0.5
    payment_lag_days: float = 24.0
    unpaid_rate: float = 0.01
    credit_note_rate: float = 0.02
    void_rate: float = 0.03
    deleted_draft_rate: float = 0.02
    fuzzy_name_share: float = 0.17
    id_only_share: float = 0.08
    archive_after_churn_days: int = 90


CLIENT_SHAPE = ClientShape()


@dataclass(frozen=True)
class Overhead:
    """A monthly overhead: account, supplier, how it is paid (bill or spend) and monthly amount."""

    account: str
    supplier: str
    document: str  # "ACCPAY" bill or "SPEND" bank transaction
    day_of_month: int
    monthly_amount: float


OVERHEADS: tuple[Overhead, ...] = (
    Overhead("6100", "Harbor Point Properties", "ACCPAY", 1, 14500.0),
    Overhead("6200", "SaaS Tools (Card)", "SPEND", 5, 7800.0),
    Overhead("6300", "Hiscox Insurance", "ACCPAY", 10, 2400.0),
)


@dataclass(frozen=True)
class ManualJournalShape:
    """The organisation's monthly manual journals (general-ledger postings outside invoices and bills).

    Payroll comes from Gusto as one journal a month (wages by team, paid from the bank account);
    depreciation and an accounting-fee accrual (reversed on the 1st and billed on the 8th of the next
    month) are month-end entries; now and then a reclass corrects a miscoded cost, a journal is
    entered in error and voided, or a draft is left unposted.
    """

    payroll_monthly: float = 165000.0
    payroll_day: int = 28
    payroll_split: tuple[tuple[str, str, float], ...] = (
        ("technicians", "5300", 0.58),
        ("sales", "6010", 0.17),
        ("admin", "6000", 0.25),
    )
    depreciation_monthly: float = 2400.0
    accounting_fee_monthly: float = 3200.0
    accounting_fee_supplier: str = "Ledgerline CPAs"
    reclass_rate: float = 0.25
    reclass_amount: tuple[float, float] = (300.0, 900.0)
    voided_rate: float = 0.10
    voided_amount: tuple[float, float] = (2000.0, 6000.0)
    draft_rate: float = 0.10
    draft_amount: tuple[float, float] = (500.0, 1500.0)


MANUAL_JOURNALS = ManualJournalShape()


@dataclass(frozen=True)
class RepProfile:
    """A sales rep's working style: share of new leads and how hard they work them."""

    lead_weight: float
    activity_level: float
    connect_skill: float


REP_PROFILES: tuple[RepProfile, ...] = (
    RepProfile(1.2, 1.3, 1.1),
    RepProfile(1.0, 1.0, 1.0),
    RepProfile(1.0, 0.8, 0.9),
    RepProfile(0.9, 1.1, 1.2),
    RepProfile(0.8, 0.7, 0.8),
    RepProfile(1.1, 1.0, 1.0),
)
REPS_PER_SCALE = 6
REP_LEAVES_AFTER_DAYS = 700
"""One rep leaves (archived owner) this many days after the business start; a new hire replaces them."""


@dataclass(frozen=True)
class Activity:
    """Mean activity counts per worked lead, before the rep's ``activity_level`` multiplier."""

    calls_per_lead: float = 2.6
    emails_per_lead: float = 2.4
    tasks_per_lead: float = 1.2
    outbound_extra_calls: float = 2.0
    follow_up_meetings_per_deal: float = 1.0
    no_show_rate: float = 0.07
    reschedule_rate: float = 0.08
    bounce_rate: float = 0.04


ACTIVITY = Activity()

CALL_DISPOSITIONS: tuple[tuple[str, str, str, float], ...] = (
    # (label, HubSpot default GUID, hs_call_status, base weight)
    ("Connected", "f240bbac-87c9-4f6e-bf70-924b57d47db7", "COMPLETED", 0.30),
    ("No answer", "73a0d17f-1163-4015-bdd5-ec830791da20", "NO_ANSWER", 0.34),
    ("Left voicemail", "b2cf5968-551e-4856-9783-52b3da59a7d0", "COMPLETED", 0.20),
    ("Busy", "9d9162e7-6cf3-4944-bf63-4dff82258764", "BUSY", 0.05),
    ("Wrong number", "17b47fee-58de-441e-a44c-c6300d46f273", "COMPLETED", 0.03),
    ("Left live message", "a4c4c377-d246-4b32-a13b-75a56a4cd0ff", "COMPLETED", 0.08),
)

DUPLICATE_CONTACT_RATE = 0.03
"""Share of real leads that later come back as a duplicate contact, merged into the original."""

BATCH_UPDATE_MONTHS = (1, 4, 7, 10)
"""HubSpot's quarterly score recalculation: on the 1st of these months at 07:00:00.000 UTC every
live contact created before gets the same ``lastmodifieddate`` (the same-timestamp case)."""


def parameters_document(scale: float) -> dict[str, Any]:
    """The parameters as published in the truth file (volumes already multiplied by ``scale``)."""
    return {
        "scale": scale,
        "lead_sources": {
            s.name: {
                **asdict(s),
                "monthly_leads": s.monthly_leads * scale,
                "monthly_marketing_spend": s.monthly_marketing_spend * scale,
                "lead_to_won_rate": s.qualify_rate * s.appointment_rate * s.proposal_rate * s.win_rate,
                "win_rate_from_appointment": s.proposal_rate * s.win_rate,
                "win_rate_from_contractsent": s.win_rate,
                "analytics_sources": list(s.analytics_sources),
            }
            for s in LEAD_SOURCES
        },
        "weekday_weights": list(WEEKDAY_WEIGHTS),
        "month_weights": list(MONTH_WEIGHTS),
        "annual_growth": ANNUAL_GROWTH,
        "lags_days": asdict(LAGS),
        "deal_stages": {
            s.id: {"label": s.label, "probability": float(s.probability), "closed": s.is_closed}
            for s in DEAL_STAGES
        },
        "deals": {
            **asdict(DEAL_SHAPE),
            "mean_mrr_when_recurring": DEAL_SHAPE.mrr_median * math.exp(DEAL_SHAPE.mrr_sigma**2 / 2),
            "mean_project_when_project": DEAL_SHAPE.project_median
            * math.exp(DEAL_SHAPE.project_sigma**2 / 2),
        },
        "clients": {**asdict(CLIENT_SHAPE), "opening_clients": CLIENT_SHAPE.opening_clients * scale},
        "overheads": {
            o.account: {
                "supplier": o.supplier,
                "document": o.document,
                "monthly_amount": o.monthly_amount * scale,
            }
            for o in OVERHEADS
        },
        "manual_journals": {
            **asdict(MANUAL_JOURNALS),
            "payroll_monthly": MANUAL_JOURNALS.payroll_monthly * scale,
            "depreciation_monthly": MANUAL_JOURNALS.depreciation_monthly * scale,
            "accounting_fee_monthly": MANUAL_JOURNALS.accounting_fee_monthly * scale,
            "payroll_split": {
                team: {"account": account, "share": share}
                for team, account, share in MANUAL_JOURNALS.payroll_split
            },
        },
        "reps": {
            "count": max(2, round(REPS_PER_SCALE * scale)),
            "profiles": [asdict(p) for p in REP_PROFILES],
            "rep_leaves_after_days": REP_LEAVES_AFTER_DAYS,
        },
        "activity": asdict(ACTIVITY),
        "call_dispositions": {
            label: {"id": guid, "status": status, "weight": w} for label, guid, status, w in CALL_DISPOSITIONS
        },
        "duplicate_contact_rate": DUPLICATE_CONTACT_RATE,
        "batch_update_months": list(BATCH_UPDATE_MONTHS),
    }
