"""Local SMTP and HTTP servers for the alert tests, one of each per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alert_receivers import HttpReceiver, Mailbox, http_receiver, smtp_server


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as server:
        yield server
