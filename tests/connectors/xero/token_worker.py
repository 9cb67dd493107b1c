"""One separate process reading the Xero ``accounts`` stream: the other side of a token race.

Run as ``python token_worker.py '<json>'`` by ``test_xero_token_grace.py``. The JSON holds the
``XeroConfig`` fields plus ``go_file`` (the worker waits for it to exist, so several workers start
their refresh together) and optionally ``crash``: where to die by SIGKILL inside the refresh, a
fault no server can produce (``before_grant``: holding the lock; ``after_grant``: the refresh token
spent, the new one not yet stored; ``before_rename``: the new store written to its temporary file).
Prints ``{"rows": <accounts read>}``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from connectors.xero import xero_streams
from connectors.xero.auth import XeroTokens
from connectors.xero.config import XeroConfig


def die(*_: Any, **__: Any) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)


def install_crash(point: str) -> None:
    grant = XeroTokens._grant
    if point == "before_grant":
        XeroTokens._grant = die  # type: ignore[method-assign]
    elif point == "after_grant":

        def grant_then_die(self: XeroTokens, refresh_token: str) -> Any:
            grant(self, refresh_token)
            die()

        XeroTokens._grant = grant_then_die  # type: ignore[method-assign]
    elif point == "before_rename":
        os.replace = die
    else:
        raise ValueError(f"unknown crash point {point!r}")


def main(raw: str) -> None:
    settings = json.loads(raw)
    go = Path(settings.pop("go_file"))
    crash = settings.pop("crash", None)
    config = XeroConfig(**settings)
    stream = next(s for s in xero_streams(config) if s.name == "accounts")
    while not go.exists():
        time.sleep(0.005)
    if crash:
        install_crash(crash)
    rows = sum(batch.num_rows for _, batch in stream.read(None))
    print(json.dumps({"rows": rows}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
