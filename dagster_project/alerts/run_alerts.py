"""The alert for a run that failed or was canceled: which job, which run, and why, redacted.

The failure text is the one place an alert quotes words nobody chose: an exception message can
carry a URL with a token, a response body, a connection string. It goes through
:func:`connectors.redaction.excerpt` with every secret value known to the process, so it reaches a
channel masked, on one line, and short enough to read on a phone (the full error stays in the
run's logs, one click away in the Dagster UI).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from connectors.redaction import excerpt
from dagster_project.alerts.events import Alert, AlertKind, AlertSeverity, Fact

FAILURE_TEXT_CHARS = 600
"""Characters of redacted failure text kept: the error's first lines, not its traceback."""


class RunEnd(StrEnum):
    """How a run ended, for the alerts: only the two that raise one."""

    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True)
class EndedRun:
    """A run that failed or was canceled, as the Dagster wiring read it."""

    run_id: str
    job_name: str
    end: RunEnd
    failure_text: str
    """The run's failure message and its failed steps' errors, as Dagster recorded them (unredacted)."""

    @property
    def subject(self) -> str:
        """The state's key: one alert per run, however often a sensor sees it."""
        return f"run:{self.run_id}"


def run_alert(run: EndedRun, secrets: Iterable[str], raised_at: datetime) -> Alert:
    """The alert for ``run``, its failure text redacted with ``secrets`` and the redactor's rules."""
    failed = run.end is RunEnd.FAILED
    reason = (
        excerpt(run.failure_text, secrets, limit=FAILURE_TEXT_CHARS)
        if run.failure_text.strip()
        else "Dagster recorded no error message."
    )
    what = "failed" if failed else "was canceled"
    advice = (
        "The full error is in the run's logs in the Dagster UI."
        if failed
        else "Steps not finished by then did not run; start the job again when ready."
    )
    return Alert(
        kind=AlertKind.RUN_FAILED if failed else AlertKind.RUN_CANCELED,
        severity=AlertSeverity.ERROR if failed else AlertSeverity.WARNING,
        title=f"Run of {run.job_name} {what}",
        text=f"{reason}\n{advice}",
        raised_at=raised_at,
        facts=(Fact("Job", run.job_name), Fact("Run", run.run_id), Fact("Ended", run.end.value)),
        run_id=run.run_id,
        job_name=run.job_name,
    )
