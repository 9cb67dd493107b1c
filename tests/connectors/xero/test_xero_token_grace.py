"""The next run uses the stored (rotated) refresh token once the configured one is past its grace.

Its own module: stepping the sandbox's token clock past the grace kills the configured refresh
token for every later test on the same sandbox.
"""

from __future__ import annotations

import dataclasses
import json

from connectors.sandbox.server import Sandbox
from connectors.xero import xero_streams
from connectors.xero.auth import TokenSet, TokenStore

GRACE_SECONDS = 1800


def read_accounts(config) -> int:
    stream = next(s for s in xero_streams(config) if s.name == "accounts")
    return sum(batch.num_rows for _, batch in stream.read(None))


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
