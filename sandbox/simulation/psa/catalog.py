"""The PSA's static setup: work roles, work types, agreement types, boards and the shape knobs.

Reference data an MSP configures once in ConnectWise PSA. Ids are fixed so every clock and every
seed serves the same setup; the shape constants (how much of a technician's day goes to clients,
how the payroll budget becomes a roster) sit here beside them so the whole PSA business reads at a
glance, as ``params`` does for the rest of the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WorkRole:
    id: int
    name: str
    hourly_rate: float


@dataclass(frozen=True, slots=True)
class WorkType:
    id: int
    name: str
    bill_time: str
    utilization: bool


@dataclass(frozen=True, slots=True)
class AgreementType:
    id: int
    name: str
    bill_time: str
    application_units: str


WORK_ROLES: tuple[WorkRole, ...] = (
    WorkRole(1, "Service Desk Engineer", 125.0),
    WorkRole(2, "Systems Engineer", 150.0),
    WorkRole(3, "Senior Engineer", 175.0),
    WorkRole(4, "Project Engineer", 165.0),
    WorkRole(5, "vCIO", 210.0),
)
ROLE_BY_COST: tuple[tuple[float, int], ...] = ((50.0, 1), (58.0, 2), (float("inf"), 3))
"""A technician's work role follows their cost rate: (cost below, role id)."""
PROJECT_ROLE = 4

WORK_TYPES: tuple[WorkType, ...] = (
    WorkType(1, "Remote Support", "Billable", True),
    WorkType(2, "Onsite Support", "Billable", True),
    WorkType(3, "Project Work", "Billable", True),
    WorkType(4, "Scheduled Maintenance", "NoCharge", True),
    WorkType(5, "Admin", "DoNotBill", False),
    WorkType(6, "Internal Meeting", "DoNotBill", False),
    WorkType(7, "Training", "DoNotBill", False),
)
SERVICE_WORK_TYPES = ((1, 0.7), (2, 0.18), (4, 0.12))
"""Work types of service-ticket time, with their shares."""
INTERNAL_WORK_TYPES = (5, 6, 7)
PROJECT_WORK_TYPE = 3

AGREEMENT_TYPES: tuple[AgreementType, ...] = (
    AgreementType(1, "Managed Services", "Billable", "Amount"),
    AgreementType(2, "Project", "Billable", "Hours"),
    AgreementType(3, "Block Time", "Billable", "Hours"),
    AgreementType(4, "Internal", "DoNotBill", "Hours"),
)
MANAGED_SERVICES_TYPE = 1

SERVICE_BOARD = {"id": 1, "name": "Service Desk"}
PROJECT_BOARD = {"id": 2, "name": "Projects"}
BILLING_CYCLE_MONTHLY = {"id": 2, "name": "Monthly"}

INTERNAL_COMPANY_ID = 2
"""The MSP itself (ConnectWise's "owner" company): internal time is charged to it."""


@dataclass(frozen=True)
class PsaShape:
    """How the PSA business is drawn (hours per month, not scaled: scale comes from the roster).

    ``service_share`` of a technician's capacity goes to service tickets and ``internal_share`` to
    internal time; project hours come on top, from each project's budget, so the client share lands
    around 65-80% of capacity. A client's service demand is ``seats ** seat_power`` times its own
    intensity (lognormal ``intensity_sigma``); ``over_serviced_share`` of clients need
    ``over_serviced_factor`` times more, which makes a few unprofitable in a typical month.
    """

    cost_rate: tuple[float, float] = (44.0, 66.0)
    min_cost_rate: float = 40.0
    daily_capacity: tuple[float, float] = (7.5, 8.0)
    raise_rate: tuple[float, float] = (0.02, 0.05)
    catch_up_raise: float = 0.05
    hire_gap: float = 0.6
    """Hire when the roster's monthly cost is this many typical technicians below the budget."""
    roster_target: float = 1.03
    """The roster aims slightly above the average wages line (months have 20-23 weekdays)."""
    monthly_leave_rate: float = 0.008
    service_share: tuple[float, float] = (0.55, 0.62)
    internal_share: tuple[float, float] = (0.07, 0.12)
    seat_power: float = 0.6
    intensity_sigma: float = 0.45
    over_serviced_share: float = 0.06
    over_serviced_factor: tuple[float, float] = (3.0, 5.0)
    hours_per_entry: tuple[float, float] = (1.2, 2.4)
    project_hour_value: float = 420.0
    """Project budget hours = project amount (USD) / this."""
    project_overrun: tuple[float, float] = (0.8, 1.5)
    no_charge_rate: float = 0.05
    hidden_cost_rate: float = 0.05
    edit_rate: float = 0.08
    delete_rate: float = 0.03
    soft_delete_rate: float = 0.25
    prospect_every: int = 25
    """One HubSpot company in this many that never became a client is a PSA prospect."""


PSA_SHAPE = PsaShape()
