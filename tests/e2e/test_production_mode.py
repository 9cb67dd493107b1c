"""Production mode end to end: ``milemarker serve``'s daemon fires the daily tick on its own.

Nobody launches anything here. ``milemarker serve`` starts the webserver and the daemon on a new
home; goals.yml's ``schedule:`` block sets the daily run a few minutes ahead (in UTC) and its
``alerts:`` block points at a local SMTP server and a local HTTP receiver. The daemon's scheduler
fires the tick, the run lands the embedded sandbox (its clock frozen on the tick's day, the as-of
day the schedule pins) and builds the marts, and the alert sensors tell both receivers which goals
are failing; the digest sensor sends the morning digest and the weekly report. The UI's GraphQL
API is how the test sees the run, as a person sees it in the UI.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
import requests
import yaml
from goals_for_business import goals_file_for

from dagster_project.config.organisation import load_organisation
from dagster_project.settings import SHIPPED_GOALS_FILE
from sandbox.simulation.config import SandboxConfig
from tests.contract.contract_prism import free_port
from tests.dagster_project.alerts.alert_receivers import http_receiver, smtp_server
from tests.dagster_project.serve_process import Served, start_serve, stop, wait_for_webserver

pytestmark = pytest.mark.slow

T = TypeVar("T")

LEAD_MINUTES = 6
"""How far ahead the tick is set: the code server loads the definitions, then the webserver and the
daemon start (three minutes and more beside a parallel suite on 2 cores), and a tick that falls
before the daemon first sees the schedule is not fired."""
RUN_DEADLINE_SECONDS = 20 * 60
ALERT_DEADLINE_SECONDS = 4 * 60
WEBHOOK_PATH = "/hooks/milemarker-daily"
RUNS_QUERY = """
{ runsOrError(filter: {tags: [{key: "milemarker/trigger", value: "schedule"}]}) {
    __typename ... on Runs { results { runId status tags { key value } } } } }
"""


def scheduled_runs(url: str) -> list[dict]:
    answer = requests.post(f"{url}/graphql", json={"query": RUNS_QUERY}, timeout=60).json()
    return answer["data"]["runsOrError"]["results"]


def wait_for(predicate: Callable[[], T], deadline_seconds: float, what: str, server: Served) -> T:
    """Poll ``predicate`` every 5 s until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        assert server.process.poll() is None, "milemarker serve exited while waiting for " + what
        found = predicate()
        if found:
            return found
        time.sleep(5)
    raise AssertionError(f"no {what} within {deadline_seconds / 60:.0f} minutes")


def _digest_subjects(messages: list) -> list[str]:
    """The digest's and the weekly report's subjects among the e-mails received, digest first."""
    subjects = [str(message["Subject"]).strip() for _, _, message in messages]
    return sorted(
        (s for s in subjects if s.startswith(("[Milemarker] Goals on", "[Milemarker] Weekly pipeline"))),
        key=lambda s: "Weekly" in s,
    )


def test_the_daemon_fires_the_daily_run_and_the_alerts_arrive(tmp_path: Path) -> None:
    tick = (datetime.now(UTC) + timedelta(minutes=LEAD_MINUTES)).replace(second=0, microsecond=0)
    as_of = tick.astimezone(ZoneInfo(load_organisation(SHIPPED_GOALS_FILE).timezone)).date()
    sandbox = SandboxConfig(seed=11, scale=0.05, as_of=as_of)
    goals = goals_file_for(sandbox, tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with smtp_server() as mailbox, http_receiver() as receiver:
        document = yaml.safe_load(goals.read_text())
        document["schedule"] = {"daily_at": f"{tick:%H:%M}", "timezone": "UTC", "enabled": True}
        document["alerts"] = {
            "channels": [
                {"type": "email", "to": ["owner@example.com"], "from": "milemarker@example.com",
                 "smtp_host": "127.0.0.1", "smtp_port": mailbox.port, "starttls": False},
                {"type": "webhook"},
            ],
            "digest": {"weekly_report": f"{as_of:%A}".lower()},  # the report goes out with today's digest
        }  # fmt: skip
        goals.write_text(yaml.safe_dump(document, sort_keys=False))
        env = {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DAGSTER_HOME": str(tmp_path / "dagster"),
            "MILEMARKER_DATA_DIR": str(tmp_path / "data"),
            "MILEMARKER_GOALS_FILE": str(goals),
            "MILEMARKER_SANDBOX_SEED": str(sandbox.seed),
            "MILEMARKER_SANDBOX_SCALE": str(sandbox.scale),
            "MILEMARKER_SANDBOX_AS_OF": as_of.isoformat(),
            "MILEMARKER_ALERT_WEBHOOK_URL": receiver.url(WEBHOOK_PATH),
        }
        server = start_serve(env, tmp_path / "serve.log", "--port", str(port))
        try:
            wait_for_webserver(url, server)
            finished = wait_for(
                lambda: [run for run in scheduled_runs(url) if run["status"] in ("SUCCESS", "FAILURE")],
                (tick - datetime.now(UTC)).total_seconds() + RUN_DEADLINE_SECONDS,
                "finished scheduled run",
                server,
            )
            emails = wait_for(lambda: mailbox.messages, ALERT_DEADLINE_SECONDS, "alert e-mail", server)
            goal_alerts = wait_for(
                lambda: [body for body in receiver.bodies(WEBHOOK_PATH) if body["kind"] == "goal_status"],
                ALERT_DEADLINE_SECONDS,
                "goal alert webhook",
                server,
            )
            digests = wait_for(
                lambda: len(_digest_subjects(mailbox.messages)) == 2,
                ALERT_DEADLINE_SECONDS,
                "digest and weekly report e-mails",
                server,
            )
        finally:
            code, output = stop(server)

    assert code == 0, output[-3000:]
    [run] = finished
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert run["status"] == "SUCCESS", output[-5000:]
    assert tags["milemarker/as_of_date"] == as_of.isoformat()
    assert tags["dagster/schedule_name"] == "daily_materialize_all"
    assert tags["dagster/partition"] == as_of.isoformat()

    assert {body["run_id"] for body in goal_alerts} == {run["runId"]}
    assert all(body["as_of_date"] == as_of.isoformat() for body in goal_alerts)
    assert digests
    subjects = _digest_subjects(mailbox.messages)
    assert subjects[0].startswith(f"[Milemarker] Goals on {as_of:%a %-d %b %Y}"), subjects
    assert subjects[1].startswith("[Milemarker] Weekly pipeline report"), subjects
    assert sorted(body["kind"] for body in receiver.bodies(WEBHOOK_PATH)).count("digest") == 2
    _sender, recipients, message = emails[0]
    assert recipients == ["owner@example.com"]
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    assert receiver.url(WEBHOOK_PATH) not in output
