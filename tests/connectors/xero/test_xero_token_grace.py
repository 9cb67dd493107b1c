"""Rotating refresh tokens over time and across processes, against the sandbox's 30-minute grace.

Every test here spends the seed's refresh token and most step the token clock past the grace, which
would kill it for any later test, so each test gets a sandbox of its own (same business, fresh token
authority). Races and crashes run in real separate processes (``token_worker.py``): the store's
``flock`` is what keeps them apart, and a thread-only test cannot show that.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.xero import XeroConfig, xero_streams
from connectors.xero.auth import TokenSet, TokenStore
from sandbox.service.server import Sandbox, run_sandbox

GRACE_SECONDS = 1800
WORKER = Path(__file__).with_name("token_worker.py")
WORKER_TIMEOUT = 60


@pytest.fixture
def sb(module_sandbox: Sandbox, token_clock) -> Iterator[Sandbox]:
    """A sandbox of this test's own, serving the module's business with a fresh token authority."""
    business = module_sandbox.business
    with run_sandbox(business.config, port=0, clock=token_clock, business=business) as sandbox:
        yield sandbox


def read_accounts(config) -> int:
    stream = next(s for s in xero_streams(config) if s.name == "accounts")
    return sum(batch.num_rows for _, batch in stream.read(None))


class Workers:
    """Starts ``token_worker.py`` processes that wait for one go signal, then read Xero together."""

    def __init__(self, config: XeroConfig, scratch: Path) -> None:
        settings = {field.name: getattr(config, field.name) for field in dataclasses.fields(config)}
        for name in ("http", "lookback", "refresh_margin"):  # not JSON; the worker's defaults do
            settings.pop(name)
        self._settings = settings | {"token_store_path": str(config.token_store_path)}
        self._go = scratch / "go"
        self._go.unlink(missing_ok=True)

    def start(self, count: int = 1, **overrides: Any) -> list[subprocess.Popen[str]]:
        payload = json.dumps(self._settings | overrides | {"go_file": str(self._go)})
        return [
            subprocess.Popen(
                [sys.executable, str(WORKER), payload],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(count)
        ]

    def go(self) -> None:
        self._go.touch()

    @staticmethod
    def finish(process: subprocess.Popen[str]) -> tuple[int, dict[str, Any] | None, str]:
        """Exit status, the printed result (if any) and stderr."""
        out, err = process.communicate(timeout=WORKER_TIMEOUT)
        return process.returncode, json.loads(out) if out.strip() else None, err

    def run(self, **overrides: Any) -> dict[str, Any]:
        """One worker, started at once; fails the test unless it read the accounts."""
        (process,) = self.start(**overrides)
        self.go()
        status, result, err = self.finish(process)
        assert status == 0 and result is not None, err
        return result


@pytest.fixture
def workers(make_config: Callable[..., XeroConfig], sb: Sandbox, tmp_path: Path) -> Workers:
    return Workers(make_config(tenant_id=sb.credentials.xero_tenant_id), tmp_path)


def token_refreshes(sb: Sandbox) -> int:
    """Token endpoint calls so far (the tenant is configured, so no connections calls)."""
    return sb.stats()["requests"].get("xero-identity", 0)


def test_stored_refresh_token_outlives_the_configured_one(sb: Sandbox, make_config, token_clock) -> None:
    config = make_config()
    read_accounts(config)  # spends the configured token, stores the rotated one
    token_clock.now += GRACE_SECONDS + 60  # the configured token is now dead (invalid_grant)
    store = TokenStore(config.token_store_path)
    rotated = store.load(config.token_url, config.client_id)
    assert rotated is not None
    store.save(dataclasses.replace(rotated, expires_at=0.0))  # force the next run to refresh

    assert read_accounts(make_config(refresh_token="long-dead-configured-token")) > 0
    after: TokenSet | None = store.load(config.token_url, config.client_id)
    assert after is not None and after.refresh_token != rotated.refresh_token
    assert json.loads(config.token_store_path.read_text())["expires_at"] > 0


def test_processes_refreshing_at_once_spend_the_token_once(
    sb: Sandbox, workers: Workers, make_config, token_clock
) -> None:
    racers = workers.start(count=3)
    before = token_refreshes(sb)
    workers.go()
    results = [workers.finish(process) for process in racers]

    accounts = len(sb.business.xero_collection("Accounts"))
    assert [(status, result) for status, result, _ in results] == [(0, {"rows": accounts})] * 3, results
    assert token_refreshes(sb) - before == 1  # one process refreshed; the others adopted its tokens

    token_clock.now += GRACE_SECONDS + 60  # the configured token and every access token are dead now
    assert workers.run(refresh_token="long-dead-configured-token") == {"rows": accounts}


@pytest.mark.parametrize("crash", ["before_grant", "after_grant", "before_rename"])
def test_a_process_killed_mid_refresh_leaves_a_usable_store(
    sb: Sandbox, workers: Workers, make_config, crash: str
) -> None:
    config = make_config()
    accounts = len(sb.business.xero_collection("Accounts"))
    assert workers.run() == {"rows": accounts}  # the store now holds a rotated token
    sb.expire_tokens()  # the next reader gets a 401 and must refresh

    (victim,) = workers.start(crash=crash)
    workers.go()
    status, _, _ = workers.finish(victim)
    assert status == -signal.SIGKILL

    assert workers.run() == {"rows": accounts}  # not blocked by the dead process's lock
    store = config.token_store_path
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert TokenStore(store).load(config.token_url, config.client_id) is not None
    assert not [p.name for p in store.parent.iterdir() if p.name.startswith(f".{store.name}.")]
