"""``python -m dagster_project.alerts``: send a test alert to every channel of goals.yml, now.

The way to try a channel after setting it up (or after rotating a webhook URL): each channel's
result is printed, redacted; the exit status is 0 when every channel took the alert, 1 when one did
not or there is no alerts block, 2 when the block is invalid. It ignores ``on``, the daily cap and
quiet hours, and records nothing, so it can be run as often as needed.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

from dagster_project.alerts.service import send_test_alert
from dagster_project.config.goals_source import GoalsFileError
from dagster_project.settings import goals_file_path


def main() -> int:
    goals_file = goals_file_path()
    try:
        results = send_test_alert(goals_file, os.environ, datetime.now(UTC))
    except GoalsFileError as error:
        print(error, file=sys.stderr)
        return 2
    if not results:
        print(f"{goals_file} has no alerts block: nothing to test (see docs/alerts.md).", file=sys.stderr)
        return 1
    for label, result in results.items():
        print(f"{label}: {result}")
    return 0 if all(result.startswith("sent") for result in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
