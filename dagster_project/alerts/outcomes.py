"""An asset check's result as the alerts read it: plain values, so the decisions need no Dagster.

The Dagster wiring (``dagster_project/defs/alerts.py``) reads a run's check evaluations from the
event log and hands them over as :class:`CheckOutcome`; everything after that is plain Python,
tested without an instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckOutcome:
    """One asset check evaluation of a run."""

    asset: str
    """The checked asset as Dagster writes it: ``marts/mart_goal_status``."""
    check_name: str
    passed: bool
    severity: str | None
    """``WARN`` or ``ERROR`` when the check did not pass; None when it passed."""
    description: str | None
    metadata: Mapping[str, Any]
    """Metadata values as plain Python (numbers, text, None)."""
    is_goal: bool
    """A goal check (one per goal line, on the goal status mart) rather than a data-quality check."""
    run_id: str
    job_name: str

    @property
    def subject(self) -> str:
        """The state's key: the check, whichever run evaluated it."""
        return f"check:{self.asset}:{self.check_name}"
