"""Data-quality alerts: a check (a dbt test, a raw-table check, the goals file check) that stopped passing.

The alert is raised when the check fails after passing (or on its first failure seen), and again
only if its severity changes (a WARN becoming an ERROR); a check failing run after run is one alert,
and a new failure after it passed in between is a new one. A recovery is not announced: the next
failure would be, and data checks pass most days.

Check descriptions and metadata can quote the data (a dbt test's description, a failing value), so
they are redacted like a failure message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from connectors.redaction import excerpt
from dagster_project.alerts.events import Alert, AlertKind, AlertSeverity, Fact
from dagster_project.alerts.outcomes import CheckOutcome

FAILED_ROWS = "dagster_dbt/failed_row_count"
"""The metadata dagster-dbt gives a failed test: how many rows broke it."""
DESCRIPTION_CHARS = 400


def check_state(outcome: CheckOutcome) -> str:
    """``pass``, ``fail:WARN`` or ``fail:ERROR``."""
    return "pass" if outcome.passed else f"fail:{outcome.severity or 'ERROR'}"


def quality_alert(
    outcome: CheckOutcome, previous_state: str | None, secrets: Iterable[str], raised_at: datetime
) -> Alert | None:
    """The alert for a failed check whose state changed, or None."""
    state = check_state(outcome)
    if outcome.passed or state == previous_state:
        return None
    severity = outcome.severity or "ERROR"
    what = "failed" if severity == "ERROR" else "warns"
    described = (
        excerpt(outcome.description, secrets, limit=DESCRIPTION_CHARS)
        if outcome.description and outcome.description.strip()
        else "The check did not pass; its result in the Dagster UI says why."
    )
    facts = [Fact("Asset", outcome.asset), Fact("Check", outcome.check_name), Fact("Severity", severity)]
    if previous_state and previous_state != "pass":
        facts.append(Fact("Before", previous_state.partition(":")[2]))
    failed_rows = outcome.metadata.get(FAILED_ROWS)
    if isinstance(failed_rows, int) and not isinstance(failed_rows, bool):
        facts.append(Fact("Failed rows", f"{failed_rows:,}"))
    facts.append(Fact("Run", outcome.run_id))
    return Alert(
        kind=AlertKind.DATA_QUALITY,
        severity=AlertSeverity.ERROR if severity == "ERROR" else AlertSeverity.WARNING,
        title=f"Data check {what}: {outcome.check_name} on {outcome.asset}",
        text=described,
        raised_at=raised_at,
        facts=tuple(facts),
        run_id=outcome.run_id,
        job_name=outcome.job_name,
        asset=outcome.asset,
        check=outcome.check_name,
    )
