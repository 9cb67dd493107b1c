"""A pacing row for November's leads goal, on track on 20 November: the base the check tests vary."""

from datetime import date

from dagster_project.goals.checks import PacingRow

TODAY = date(2026, 11, 20)

ON_TRACK = PacingRow(
    goal_target_id="leads_monthly",
    goal_id="leads_monthly",
    goal_name="Leads",
    owner_key=None,
    metric_kind="flow",
    metric_unit="count",
    period_type="month",
    period_start=date(2026, 11, 1),
    period_end=date(2026, 11, 30),
    days_remaining=10,
    as_of_date=TODAY,
    target=60.0,
    actual_to_date=40.0,
    expected_to_date=40.0,
    pace_index=1.0,
    projected_finish=60.0,
    projection_method="run_rate",
    projected_attainment=1.0,
    projected_attainment_rr=1.0,
    required_run_rate_per_week=14.0,
    current_run_rate_per_week=14.0,
    best_run_rate_per_week=16.0,
    is_infeasible=False,
    status="on_track",
    status_reason="on pace",
    consecutive_off_track_days=0,
)
