"""Daily cap, quiet hours and the ``on`` filter, on a frozen clock, delivered to real local servers."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alert_receivers import HttpReceiver, Mailbox
from alert_setup import SLACK_PATH, TEAMS_PATH, WEBHOOK_PATH, channel_environ, write_goals_file
from goal_outcomes import AT_RISK, OFF_TRACK_DAY_1, ON_TRACK, goal_outcome, quality_outcome

from dagster_project.alerts.outcomes import CheckOutcome
from dagster_project.alerts.run_alerts import EndedRun, RunEnd
from dagster_project.alerts.service import alert_on_run, release_held

NEW_YORK = ZoneInfo("America/New_York")
AFTERNOON = datetime(2026, 11, 20, 15, 0, tzinfo=NEW_YORK)
LOG = logging.getLogger("test_alert_dispatch")


def failing_checks(count: int, prefix: str = "check") -> list[CheckOutcome]:
    """``count`` different data checks failing at once: a storm."""
    return [
        CheckOutcome(
            asset=f"raw_hubspot/table_{number}",
            check_name=f"{prefix}_{number}",
            passed=False,
            severity="ERROR",
            description="the key is not unique",
            metadata={},
            is_goal=False,
            run_id="run-storm",
            job_name="materialize_all",
        )
        for number in range(count)
    ]


class Channels:
    """The test's four channels, counted."""

    def __init__(self, mailbox: Mailbox, receiver: HttpReceiver) -> None:
        self.mailbox, self.receiver = mailbox, receiver

    def counts(self) -> tuple[int, int, int, int]:
        """Messages received by email, Slack, Teams and the webhook."""
        return (
            len(self.mailbox.messages),
            len(self.receiver.bodies(SLACK_PATH)),
            len(self.receiver.bodies(TEAMS_PATH)),
            len(self.receiver.bodies(WEBHOOK_PATH)),
        )

    def webhook_titles(self) -> list[str]:
        return [body["title"] for body in self.receiver.bodies(WEBHOOK_PATH)]


@pytest.fixture
def sent(mailbox: Mailbox, receiver: HttpReceiver) -> Channels:
    return Channels(mailbox, receiver)


def run(
    goals_file: Path,
    home: Path,
    receiver: HttpReceiver,
    now: datetime,
    outcomes: list[CheckOutcome],
    ended: EndedRun | None = None,
) -> None:
    alert_on_run(
        ended,
        outcomes,
        goals_file=goals_file,
        dagster_home=home,
        now=now,
        environ=channel_environ(receiver),
        log=LOG,
    )


def test_a_storm_stops_at_the_cap_with_one_note_per_channel_and_day(
    tmp_path: Path, mailbox: Mailbox, receiver: HttpReceiver, sent: Channels
) -> None:
    goals = write_goals_file(tmp_path / "goals.yml", mailbox)
    home = tmp_path / "home"

    run(goals, home, receiver, AFTERNOON, failing_checks(200))
    assert sent.counts() == (21, 21, 21, 21)  # the cap (20) and one note each
    titles = sent.webhook_titles()
    assert titles[-1] == "180 more alert(s) suppressed today"
    assert len(set(titles[:20])) == 20
    _, _, note = sent.mailbox.messages[-1]
    assert note["Subject"] == "[Milemarker] INFO: 180 more alert(s) suppressed today"

    run(goals, home, receiver, AFTERNOON + timedelta(hours=1), failing_checks(5, prefix="later"))
    assert sent.counts() == (21, 21, 21, 21)  # capped, and no second note that day

    tomorrow = AFTERNOON + timedelta(days=1)
    run(goals, home, receiver, tomorrow, failing_checks(3, prefix="tomorrow"))
    assert sent.counts() == (24, 24, 24, 24)


def test_the_cap_day_is_the_organisations(
    tmp_path: Path, mailbox: Mailbox, receiver: HttpReceiver, sent: Channels
) -> None:
    """23:30 in New York is already the next day in UTC; it is still the same alerting day."""
    goals = write_goals_file(tmp_path / "goals.yml", mailbox, "daily_cap: 2\n")
    home = tmp_path / "home"
    run(goals, home, receiver, datetime(2026, 11, 20, 9, 0, tzinfo=NEW_YORK), failing_checks(2, "morning"))
    run(goals, home, receiver, datetime(2026, 11, 20, 23, 30, tzinfo=NEW_YORK), failing_checks(1, "night"))
    assert sent.webhook_titles()[-1] == "1 more alert(s) suppressed today"


def test_quiet_hours_hold_alerts_until_they_end(
    tmp_path: Path, mailbox: Mailbox, receiver: HttpReceiver, sent: Channels
) -> None:
    goals = write_goals_file(tmp_path / "goals.yml", mailbox, 'quiet_hours: {start: "22:00", end: "07:00"}\n')
    home = tmp_path / "home"
    night = datetime(2026, 11, 20, 23, 30, tzinfo=NEW_YORK)
    failure = EndedRun("run-night", "materialize_all", RunEnd.FAILED, "Execution of run failed.")

    run(goals, home, receiver, night, [goal_outcome(ON_TRACK)])
    run(goals, home, receiver, night + timedelta(minutes=5), [goal_outcome(AT_RISK)], failure)
    assert sent.counts() == (0, 0, 0, 0)

    def release(at: datetime) -> None:
        release_held(goals_file=goals, dagster_home=home, now=at, environ=channel_environ(receiver), log=LOG)

    release(datetime(2026, 11, 21, 6, 59, tzinfo=NEW_YORK))
    assert sent.counts() == (0, 0, 0, 0)
    release(datetime(2026, 11, 21, 7, 0, tzinfo=NEW_YORK))
    assert sent.counts() == (2, 2, 2, 2)
    assert sent.webhook_titles() == [
        "Run of materialize_all failed",
        "Bookings per month: on track → at risk",
    ]
    release(datetime(2026, 11, 21, 7, 5, tzinfo=NEW_YORK))
    assert sent.counts() == (2, 2, 2, 2)  # sent once

    # held alerts go first when a run's own alerts arrive after the quiet span
    run(goals, home, receiver, datetime(2026, 11, 22, 5, 0, tzinfo=NEW_YORK), [goal_outcome(OFF_TRACK_DAY_1)])
    run(goals, home, receiver, datetime(2026, 11, 22, 8, 0, tzinfo=NEW_YORK), [quality_outcome(passed=False)])
    assert sent.webhook_titles()[2:] == [
        "Bookings per month: at risk → off track",
        "Data check failed: primary_key_unique on raw_hubspot/deals",
    ]


def test_on_selects_the_kinds_sent_and_edits_apply_at_once(
    tmp_path: Path, mailbox: Mailbox, receiver: HttpReceiver, sent: Channels
) -> None:
    goals = write_goals_file(tmp_path / "goals.yml", mailbox, "on: [run_failed]\n")
    home = tmp_path / "home"
    failure = EndedRun("run-1", "land_raw", RunEnd.FAILED, "Execution of run failed.")
    run(goals, home, receiver, AFTERNOON, [goal_outcome(AT_RISK), quality_outcome(passed=False)], failure)
    assert sent.webhook_titles() == ["Run of land_raw failed"]

    # the file is read at every call: goal alerts now go out, old news is not replayed
    write_goals_file(goals, mailbox, "on: [goal_status, run_failed]\n")
    run(goals, home, receiver, AFTERNOON, [goal_outcome(AT_RISK)])
    assert sent.webhook_titles() == ["Run of land_raw failed"]
    run(goals, home, receiver, AFTERNOON, [goal_outcome(OFF_TRACK_DAY_1), quality_outcome(passed=True)])
    assert sent.webhook_titles()[1:] == ["Bookings per month: at risk → off track"]


def test_an_invalid_block_sends_nothing_and_says_where(
    tmp_path: Path, mailbox: Mailbox, receiver: HttpReceiver, sent: Channels, caplog: pytest.LogCaptureFixture
) -> None:
    goals = write_goals_file(tmp_path / "goals.yml", mailbox, "daily_cpa: 5\n")
    failure = EndedRun("run-1", "land_raw", RunEnd.FAILED, "Execution of run failed.")
    with caplog.at_level(logging.ERROR, logger=LOG.name):
        run(goals, tmp_path / "home", receiver, AFTERNOON, [], failure)
    assert sent.counts() == (0, 0, 0, 0)
    assert "goals.yml:13 alerts.daily_cpa: unknown field (check the spelling)" in caplog.text
    assert not (tmp_path / "home").exists()
