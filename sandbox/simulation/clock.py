"""Calendar arithmetic in the organisation's time zone, vendor timestamp formats, seeded randomness.

The simulation reasons in UTC epoch milliseconds (ints are compact and compare fast) and only
turns them into vendor strings when a record is served. Days and months are always the
organisation's local ones, because that is how the marts bucket them.
"""

from __future__ import annotations

import hashlib
import random
import time
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

DAY_MS = 86_400_000


def rng_for(seed: int, *key: object) -> random.Random:
    """An RNG that depends only on ``seed`` and ``key``: the heart of the determinism design.

    Every entity draws its whole life from its own generator, so what happens to it never depends
    on what else was generated first, nor on the clock.
    """
    digest = hashlib.blake2b(repr((seed, *key)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def month_index(d: date) -> int:
    """Months since year 0: consecutive months differ by one, whatever the year."""
    return d.year * 12 + d.month - 1


def month_start(index: int) -> date:
    """The first day of the month with the given :func:`month_index`."""
    return date(index // 12, index % 12 + 1, 1)


def month_label(index: int) -> str:
    """``YYYY-MM`` for a month index, the key format of every monthly truth series."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


_DAY_PREFIX: dict[int, str] = {}


def hs_datetime(ms: int) -> str:
    """HubSpot's datetime string: ISO-8601 UTC with milliseconds and ``Z``.

    The date part is cached per UTC day and the time part is plain arithmetic: this runs for
    every timestamp of every record, and ``strftime`` dominated the build.
    """
    day, rest = divmod(ms, DAY_MS)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = _DAY_PREFIX[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86_400))
    seconds, millis = divmod(rest, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


def cw_datetime(ms: int) -> str:
    """ConnectWise's date-time: ISO-8601 UTC in whole seconds, ``yyyy-MM-ddTHH:mm:ssZ``."""
    return hs_datetime(ms - ms % 1000)[:19] + "Z"


def xero_date(ms: int) -> str:
    """Xero's .NET JSON date: ``/Date(<epoch ms>+0000)/``."""
    return f"/Date({ms}+0000)/"


def utc_datetime(ms: int) -> datetime:
    """An aware UTC datetime for epoch milliseconds."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def epoch_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return round(moment.timestamp() * 1000)


class OrgCalendar:
    """Local days of the organisation mapped to UTC milliseconds, precomputed for fast bucketing.

    ``day_start_ms`` is local midnight as UTC; ``local_day`` finds the local day of an instant by
    bisecting the precomputed day starts (zoneinfo per record would dominate the build time).
    """

    def __init__(self, timezone: str, first_day: date, last_day: date) -> None:
        self.zone = ZoneInfo(timezone)
        self.first_day = first_day
        self._starts: list[int] = []
        self._extend_to(last_day + timedelta(days=1))

    def _extend_to(self, last_day: date) -> None:
        day = self.first_day + timedelta(days=len(self._starts))
        while day <= last_day:
            self._starts.append(epoch_ms(datetime.combine(day, dtime(), self.zone)))
            day += timedelta(days=1)

    def day_start_ms(self, day: date) -> int:
        """Local midnight of ``day`` as UTC epoch ms (``first_day`` onwards)."""
        offset = (day - self.first_day).days
        if offset >= len(self._starts) - 1:
            self._extend_to(day + timedelta(days=1))
        return self._starts[offset]

    def at(self, day: date, seconds: float) -> int:
        """The instant ``seconds`` after local midnight of ``day`` (kept below 22:00 by callers)."""
        return self.day_start_ms(day) + int(seconds * 1000)

    def local_day(self, ms: int) -> date:
        """The organisation-local calendar day containing the instant."""
        if ms >= self._starts[-1]:
            self._extend_to(
                self.first_day + timedelta(days=len(self._starts) + (ms - self._starts[-1]) // DAY_MS + 2)
            )
        return self.first_day + timedelta(days=bisect_right(self._starts, ms) - 1)

    def local_month(self, ms: int) -> int:
        """The :func:`month_index` of the local day containing the instant."""
        return month_index(self.local_day(ms))

    def date_only_ms(self, day: date) -> int:
        """Xero's convention for date-only fields: the local date at 00:00 UTC."""
        return (day - date(1970, 1, 1)).days * DAY_MS
