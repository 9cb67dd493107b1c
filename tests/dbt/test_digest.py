"""The morning digest and the weekly pipeline report on the sandbox business: the numbers are the
marts' and the truth's, the words are the goal checks', and they reach a real SMTP server and an
HTTP receiver once a day.

The shared warehouse is built as of a Monday (``SANDBOX_CONFIG.as_of``), the weekly report's day.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from dbt_warehouse import SandboxWarehouse
from matplotlib import image

from dagster_project.digest.daily import read_daily_digest
from dagster_project.digest.messages import daily_message
from dagster_project.digest.render import CHART_CID
from dagster_project.digest.service import send_digests
from dagster_project.digest.weekly import WEEKS, read_weekly_report
from dagster_project.goals.report import goal_outcomes
from dagster_project.settings import SHIPPED_GOALS_FILE
from tests.dagster_project.alerts.alert_receivers import http_receiver, smtp_server

WEBHOOK_PATH = "/hooks/digest"


def test_the_warehouse_day_is_a_monday(sandbox_warehouse: SandboxWarehouse) -> None:
    assert sandbox_warehouse.as_of.weekday() == 0, "the weekly report tests below assume a Monday"


def test_the_weekly_report_is_the_last_eight_complete_weeks_and_equals_the_truth(
    sandbox_warehouse: SandboxWarehouse,
) -> None:
    report = read_weekly_report(sandbox_warehouse.path, "USD")
    truth = sandbox_warehouse.truth["realised"]["pipeline_by_week"]

    starts = [week.week_start for week in report.weeks]
    last_complete = sandbox_warehouse.as_of - timedelta(days=7)
    assert starts == [last_complete - timedelta(weeks=n) for n in reversed(range(WEEKS))]
    for week in report.weeks:
        expected = truth.get(week.week_start.isoformat(), {})
        seen = (week["leads"], week["qualified_leads"], week["deals_won"], week["deals_lost"])
        assert seen == tuple(expected.get(k, 0) for k in ("leads", "qualified", "deals_won", "deals_lost"))
        assert float(week["won_amount"]) == pytest.approx(expected.get("won_amount", 0.0), abs=0.005)

    latest = report.latest
    assert latest is not None and report.reps
    for column in ("leads", "first_appointments", "deals_won"):
        assert sum(rep.latest[column] for rep in report.reps) == latest[column]
        assert sum(rep.totals[column] for rep in report.reps) == sum(week[column] for week in report.weeks)
    assert all(not rep.name.startswith("Owner ") for rep in report.reps), "every rep is named"


def test_the_digest_says_what_the_goal_checks_say(sandbox_warehouse: SandboxWarehouse) -> None:
    digest = read_daily_digest(sandbox_warehouse.path, SHIPPED_GOALS_FILE)
    outcomes = goal_outcomes(sandbox_warehouse.path, SHIPPED_GOALS_FILE)

    assert digest.as_of == sandbox_warehouse.as_of
    assert Counter(g.status for g in digest.goals) == Counter(o.verdict.label for o in outcomes)
    assert {g.explanation for g in digest.to_do} == {
        o.verdict.explanation for o in outcomes if not o.verdict.passed
    }
    assert digest.to_do, "the shipped goals on this business have goals off pace: the digest must name them"
    assert any("you need" in goal.explanation for goal in digest.to_do)
    text = daily_message(digest).text()
    needs_doing = text.split("What needs doing:")[1].split("\n\n")[0]
    assert all(goal.explanation in needs_doing for goal in digest.to_do)
    assert all(goal.previous_status is not None for goal in digest.goals if goal.changed)


def _goals_with_alerts(tmp_path: Path, mailbox_port: int, digest: dict | None = None) -> Path:
    document = yaml.safe_load(SHIPPED_GOALS_FILE.read_text())
    document["alerts"] = {
        "channels": [
            {"type": "email", "to": ["owner@example.com"], "from": "milemarker@example.com",
             "smtp_host": "127.0.0.1", "smtp_port": mailbox_port, "starttls": False},
            {"type": "webhook"},
        ],
        **({"digest": digest} if digest is not None else {}),
    }  # fmt: skip
    path = tmp_path / "goals.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_the_digest_and_the_weekly_report_arrive_once_a_day(
    sandbox_warehouse: SandboxWarehouse, tmp_path: Path
) -> None:
    log = logging.getLogger("test.digest")
    with smtp_server() as mailbox, http_receiver() as receiver:
        goals = _goals_with_alerts(tmp_path, mailbox.port)
        environ = {"MILEMARKER_ALERT_WEBHOOK_URL": receiver.url(WEBHOOK_PATH)}

        def send(day: date) -> dict[str, dict[str, str]] | None:
            return send_digests(
                as_of=day,
                warehouse=sandbox_warehouse.path,
                goals_file=goals,
                dagster_home=tmp_path / "home",
                environ=environ,
                now=datetime.now(UTC),
                log=log,
            )

        first = send(sandbox_warehouse.as_of)
        again = send(sandbox_warehouse.as_of)
        other_day = send(sandbox_warehouse.as_of - timedelta(days=1))
        emails = list(mailbox.messages)
        posts = receiver.bodies(WEBHOOK_PATH)

    assert first is not None and set(first) == {"daily-digest", "weekly-report"}
    assert all(result == "sent" for results in first.values() for result in results.values()), first
    assert again == {} and other_day == {}
    assert len(emails) == 2 and len(posts) == 2

    by_subject = {str(message["Subject"]).strip(): message for _, _, message in emails}
    [digest_subject] = [s for s in by_subject if s.startswith("[Milemarker] Goals on Mon 23 Nov 2026:")]
    [weekly_subject] = [s for s in by_subject if s.startswith("[Milemarker] Weekly pipeline report")]
    digest_text = by_subject[digest_subject].get_body(("plain",)).get_content()
    assert "What needs doing:" in digest_text and "you need" in digest_text

    weekly = by_subject[weekly_subject]
    html = weekly.get_body(("html",)).get_content()
    assert f'src="cid:{CHART_CID}"' in html and "By rep" in html
    [chart] = [part for part in weekly.walk() if part.get_content_type() == "image/png"]
    assert chart["Content-ID"] == f"<{CHART_CID}>"
    assert image.imread(io.BytesIO(chart.get_content()), format="png").shape[:2] == (400, 800)

    assert {post["kind"] for post in posts} == {"digest"}
    assert {post["title"] for post in posts} == {s.removeprefix("[Milemarker] ") for s in by_subject}


def test_no_weekly_report_when_it_is_turned_off(sandbox_warehouse: SandboxWarehouse, tmp_path: Path) -> None:
    with smtp_server() as mailbox, http_receiver() as receiver:
        goals = _goals_with_alerts(tmp_path, mailbox.port, {"weekly_report": False})
        results = send_digests(
            as_of=sandbox_warehouse.as_of,
            warehouse=sandbox_warehouse.path,
            goals_file=goals,
            dagster_home=tmp_path / "home",
            environ={"MILEMARKER_ALERT_WEBHOOK_URL": receiver.url(WEBHOOK_PATH)},
            now=datetime.now(UTC),
            log=logging.getLogger("test.digest"),
        )
        subjects = [str(message["Subject"]).strip() for _, _, message in mailbox.messages]
    assert results is not None and set(results) == {"daily-digest"}
    assert len(subjects) == 1 and subjects[0].startswith("[Milemarker] Goals on")


def test_the_preview_writes_both_and_sends_nothing(
    sandbox_warehouse: SandboxWarehouse, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "MILEMARKER_DUCKDB": str(sandbox_warehouse.path),
        "MILEMARKER_GOALS_FILE": str(SHIPPED_GOALS_FILE),
    }
    milemarker = str(Path(sys.executable).with_name("milemarker"))
    out = tmp_path / "preview"
    preview = subprocess.run(
        [milemarker, "digest", "--preview", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert preview.returncode == 0, preview.stderr
    assert "Goals on Mon 23 Nov 2026" in preview.stdout and "Weekly pipeline report" in preview.stdout
    assert f"Preview written to {out} (nothing sent)" in preview.stdout
    names = sorted(path.name for path in out.iterdir())
    assert names == [
        "daily-digest.html",
        "daily-digest.txt",
        "weekly-report.html",
        "weekly-report.png",
        "weekly-report.txt",
    ]
    assert 'src="weekly-report.png"' in (out / "weekly-report.html").read_text()

    send = subprocess.run([milemarker, "digest"], env=env, capture_output=True, text=True, check=False)
    assert send.returncode == 1
    assert "no usable alerts block: nowhere to send" in send.stderr
