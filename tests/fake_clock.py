"""A clock the tests step by hand, for the sandbox's token expiry and rate-limit windows."""

from __future__ import annotations


class FakeClock:
    """A monotonic clock that only moves when told to (token expiry, rate-limit windows)."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
