"""The one source of time for the server: injectable so tests run on a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and reproducible demos."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Jump to `at` (aware)."""
        self._at = at.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        """Move forward by a `timedelta(**delta)`."""
        self._at += timedelta(**delta)


def local(dt: datetime) -> datetime:
    """The same instant in Yancheng's local time (Asia/Shanghai)."""
    return dt.astimezone(LOCAL_ZONE)
